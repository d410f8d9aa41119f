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
    BadLabelledData(DataProblem),
    #[error("model computation failed: {0}")]
    Model(#[from] candle_core::Error),
}

/// Why labelled texts cannot be used, with what the page needs to say so in its own language
/// (`kind` and the fields, as JSON); `Display` is the English sentence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DataProblem {
    /// Lines (1-based) with no label or no text; `form` is how a line should look.
    #[serde(rename_all = "camelCase")]
    NoLabelOrText {
        lines: Vec<usize>,
        form: &'static str,
    },
    /// A CSV line the reader cannot parse.
    NotCsv { line: u64, reason: String },
    /// More than the lesson takes.
    TooMany { count: usize, limit: usize },
    /// Nothing labelled at all.
    Empty,
    /// Every text has the same label.
    OneLabel { label: String },
    /// A label with fewer examples than a split needs.
    TooFewOfLabel {
        label: String,
        count: usize,
        least: usize,
    },
}

impl std::fmt::Display for DataProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoLabelOrText { lines, form } => write!(
                f,
                "{} {} no label or no text: write each example as {form}",
                line_list(lines),
                if lines.len() == 1 { "has" } else { "have" },
            ),
            Self::NotCsv { line, reason } => write!(f, "line {line} is not valid CSV ({reason})"),
            Self::TooMany { count, limit } => write!(
                f,
                "{count} labelled texts is more than this lesson takes ({limit}); use a sample"
            ),
            Self::Empty => write!(
                f,
                "there are no labelled texts: write one per line as label,text"
            ),
            Self::OneLabel { label } => write!(
                f,
                "every text has the label “{label}”: a classifier needs at least two labels"
            ),
            Self::TooFewOfLabel {
                label,
                count,
                least,
            } => write!(
                f,
                "the label “{label}” has {count} example{}; each label needs at least {least} to be both trained on and tested",
                if *count == 1 { "" } else { "s" }
            ),
        }
    }
}

/// Line numbers listed in a message, at most.
const LISTED: usize = 5;

/// "lines 3, 7 and 9" (the first few, then how many more).
fn line_list(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().take(LISTED).map(usize::to_string).collect();
    let more = lines.len().saturating_sub(LISTED);
    let list = match shown.as_slice() {
        [one] => format!("line {one}"),
        [rest @ .., last] => format!("lines {} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    if more > 0 {
        format!("{list} (and {more} more)")
    } else {
        list
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
