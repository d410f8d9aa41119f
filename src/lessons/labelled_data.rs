//! A class's own labelled texts for the "three ways to build a classifier" lesson: one example
//! per line, `label<TAB>text` or CSV `label,text` (RFC 4180 quoting, so a text may hold commas,
//! quotes and line breaks), read by the `csv` crate. What cannot be used is refused with the
//! lines at fault, so a teacher can mend the box rather than guess.

use crate::error::{DataProblem, Error, Result};

/// More labelled texts than this are refused: the lesson trains in the page, and prompting GPT
/// on each test text takes a second or more.
pub const MAX_EXAMPLES: usize = 5_000;

/// One labelled text; `label` indexes [`LabelledData::labels`].
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub label: usize,
}

/// Labelled texts, their labels in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledData {
    pub labels: Vec<String>,
    pub examples: Vec<Example>,
}

impl LabelledData {
    /// Each example's label index, in order.
    pub fn label_ids(&self) -> Vec<usize> {
        self.examples.iter().map(|e| e.label).collect()
    }

    /// Examples per label.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.labels.len()];
        for example in &self.examples {
            counts[example.label] += 1;
        }
        counts
    }
}

fn refuse(problem: DataProblem) -> Error {
    Error::BadLabelledData(problem)
}

/// Reads `input`: tab-separated when its first non-blank line holds a tab, else CSV. Blank
/// lines are skipped; a first line `label,text` (or `label<TAB>text`) is a header. Refused:
/// lines without a label or a text, more than [`MAX_EXAMPLES`], fewer than two labels.
pub fn parse(input: &str) -> Result<LabelledData> {
    let tabbed = input
        .lines()
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| line.contains('\t'));
    let rows = if tabbed {
        tab_rows(input)
    } else {
        csv_rows(input)?
    };
    let mut data = LabelledData {
        labels: Vec::new(),
        examples: Vec::new(),
    };
    let mut broken = Vec::new();
    for (i, (line, label, text)) in rows.into_iter().enumerate() {
        let (label, text) = (label.trim(), text.trim());
        if i == 0 && label.eq_ignore_ascii_case("label") && text.eq_ignore_ascii_case("text") {
            continue;
        }
        if label.is_empty() || text.is_empty() {
            broken.push(line);
            continue;
        }
        let id = match data.labels.iter().position(|l| l == label) {
            Some(id) => id,
            None => {
                data.labels.push(label.to_string());
                data.labels.len() - 1
            }
        };
        data.examples.push(Example {
            text: text.to_string(),
            label: id,
        });
    }
    if !broken.is_empty() {
        let form = if tabbed {
            "label<TAB>text"
        } else {
            "label,text"
        };
        return Err(refuse(DataProblem::NoLabelOrText {
            lines: broken,
            form,
        }));
    }
    if data.examples.len() > MAX_EXAMPLES {
        return Err(refuse(DataProblem::TooMany {
            count: data.examples.len(),
            limit: MAX_EXAMPLES,
        }));
    }
    if data.labels.len() < 2 {
        return Err(refuse(match data.labels.first() {
            None => DataProblem::Empty,
            Some(only) => DataProblem::OneLabel {
                label: only.clone(),
            },
        }));
    }
    Ok(data)
}

/// (line number, label, text) of each non-blank line, split at its first tab (a line without
/// one has no text).
fn tab_rows(input: &str) -> Vec<(usize, String, String)> {
    input
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let (label, text) = line.split_once('\t').unwrap_or((line, ""));
            (i + 1, label.to_string(), text.to_string())
        })
        .collect()
}

/// The same for CSV: a record's first field is the label, the rest (commas put back) the text.
fn csv_rows(input: &str) -> Result<Vec<(usize, String, String)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let line = error.position().map_or(0, |p| p.line());
            refuse(DataProblem::NotCsv {
                line,
                reason: error.to_string(),
            })
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let label = record.get(0).unwrap_or("").to_string();
        let text = record.iter().skip(1).collect::<Vec<_>>().join(",");
        rows.push((line, label, text));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(data: &LabelledData) -> Vec<(&str, &str)> {
        data.examples
            .iter()
            .map(|e| (data.labels[e.label].as_str(), e.text.as_str()))
            .collect()
    }

    #[test]
    fn tabs_and_csv_with_quotes_commas_and_line_breaks() {
        let tsv = parse("sport\tThe match ended 2-1\n\nfood\tRice, beans\tand tea\n").unwrap();
        assert_eq!(tsv.labels, ["sport", "food"]);
        assert_eq!(
            texts(&tsv),
            [
                ("sport", "The match ended 2-1"),
                ("food", "Rice, beans\tand tea")
            ]
        );
        let csv = parse("label,text\nsport,\"He said \"\"goal\"\", twice\"\nfood,\"line one\nline two\"\nfood,a, b\n").unwrap();
        assert_eq!(
            texts(&csv),
            [
                ("sport", "He said \"goal\", twice"),
                ("food", "line one\nline two"),
                ("food", "a, b")
            ]
        );
        assert_eq!(csv.counts(), [1, 2]);
        assert_eq!(csv.label_ids(), [0, 1, 1]);
    }

    #[test]
    fn what_cannot_be_used_is_refused_with_its_lines() {
        let message = |input: &str| parse(input).unwrap_err().to_string();
        assert_eq!(
            message("a,one\nb\n,three\nc,four"),
            "the labelled texts cannot be used: lines 2 and 3 have no label or no text: write each example as label,text"
        );
        assert!(message("a\tx\nb\t\n")
            .contains("line 2 has no label or no text: write each example as label<TAB>text"));
        assert!(message("x,1\nx,2\n").contains("every text has the label “x”"));
        assert!(message("\n \n").contains("there are no labelled texts"));
        let many: String = (0..MAX_EXAMPLES + 1)
            .map(|i| format!("{},t{i}\n", i % 2))
            .collect();
        assert!(
            message(&many).contains("5001 labelled texts is more than this lesson takes (5000)")
        );
        // The page says the same in its language from the problem's kind and fields.
        let problem = match parse("a,one\nb\n") {
            Err(Error::BadLabelledData(problem)) => serde_json::to_value(problem).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            problem,
            serde_json::json!({"kind": "noLabelOrText", "lines": [2], "form": "label,text"})
        );
        // HTML is text like any other.
        let html = parse("a,<b>bold</b>\nb,<img src=x>").unwrap();
        assert_eq!(html.examples[1].text, "<img src=x>");
    }

    proptest::proptest! {
        /// Whatever is pasted, the answer is data or a message, never a panic.
        #[test]
        fn any_text_is_read_or_refused(input in "(?s).{0,300}") {
            let _ = parse(&input);
        }
    }
}
