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
    #[error(
        "{labels} labels for {rows} vectors: give one label per vector, and at least two vectors"
    )]
    BadLabels { labels: usize, rows: usize },
    #[error("{what} must be {expected}, not {got}")]
    BadArgument {
        what: &'static str,
        expected: &'static str,
        got: String,
    },
    #[error("row {index} does not exist: there are {rows} rows")]
    NoSuchRow { index: usize, rows: usize },
    #[error("the prompt is {tokens} tokens long; this model reads at most {limit} (its context window), so shorten it")]
    PromptTooLong { tokens: usize, limit: usize },
    #[error("{tokens} tokens do not fit the {limit}-token context window")]
    ContextFull { tokens: usize, limit: usize },
    #[error("the prompt is empty: give the model some text to continue")]
    EmptyPrompt,
    #[error("token id {id} is not in the vocabulary of {vocab} tokens")]
    UnknownToken { id: u32, vocab: usize },
    #[error("the text is {tokens} tokens long; this view draws at most {limit} — shorten it to a sentence or two")]
    TooLongToShow { tokens: usize, limit: usize },
    #[error("the labelled texts cannot be used: {0}")]
    BadLabelledData(String),
    #[error("model computation failed: {0}")]
    Model(#[from] candle_core::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
