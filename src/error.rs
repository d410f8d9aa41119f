//! One error type for the whole core, with messages written for the person at the page:
//! the wasm layer shows `to_string()` as is.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("nothing to embed: give at least one non-blank text")]
    NoTexts,
    #[error("text {index} is blank: every text needs at least one visible character")]
    BlankText { index: usize },
    #[error("{file} is not a valid {what}: {reason}")]
    BadModelFile {
        file: &'static str,
        what: &'static str,
        reason: String,
    },
    #[error("the tokenizer failed on text {index}: {reason}")]
    Tokenize { index: usize, reason: String },
    #[error("vectors of {len} numbers cannot be split into rows of {dim}")]
    BadVectors { len: usize, dim: usize },
    #[error("row {index} does not exist: there are {rows} rows")]
    NoSuchRow { index: usize, rows: usize },
    #[error("model computation failed: {0}")]
    Model(#[from] candle_core::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
