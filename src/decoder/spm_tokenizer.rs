//! SentencePiece as llama.cpp runs it (`tokenizer.ggml.model` = "llama": Gemma, older Llamas),
//! from the GGUF's pieces, scores and token types: spaces become `▁`, the text is split into
//! characters, and the adjacent pair whose concatenation is a piece with the highest score is
//! merged, again and again (ties: the leftmost); what never became a piece is spelt in byte
//! pieces `<0xXX>`. Control, user-defined and unknown pieces written in the text (`<bos>`,
//! `<start_of_turn>`) are cut out first, longest first, and become their own ids; files that ask
//! (`add_space_prefix`) get a space before the text and after each special piece. This is
//! `llm_tokenizer_spm_session` and `tokenizer_st_partition` of
//! <https://github.com/ggml-org/llama.cpp/blob/master/src/llama-vocab.cpp>.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::Result;
use crate::gguf::GgufTensors;

use super::piece_table::PieceTable;

/// SentencePiece's visible space.
const SPACE: char = '\u{2581}';

/// llama.cpp's token types.
const UNKNOWN: i64 = 2;
const CONTROL: i64 = 3;
const USER_DEFINED: i64 = 4;
const BYTE: i64 = 6;

pub struct SpmTokenizer {
    pieces: PieceTable,
    scores: Vec<f32>,
    types: Vec<i64>,
    /// Control, user-defined and unknown pieces, longest first: cut out of raw text as they are.
    specials: Vec<u32>,
    /// The piece `<0xXX>` of every byte, where the vocabulary has it.
    bytes: Vec<Option<u32>>,
    /// Put a space before the text and after every special piece (`add_space_prefix`: older
    /// Llama and Mistral files; Gemma's says no).
    space_prefix: bool,
}

/// A candidate merge of symbols `left` and `right` into a piece of `score`.
struct Bigram {
    left: usize,
    right: usize,
    score: f32,
    len: usize,
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Bigram {}
impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Bigram {
    /// The heap's greatest is the highest score, then the leftmost.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.left.cmp(&self.left))
    }
}

/// A run of the text: `len` bytes from `start`, between symbols `prev` and `next`.
#[derive(Clone, Copy)]
struct Symbol {
    start: usize,
    len: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

impl SpmTokenizer {
    pub fn from_gguf(file: &GgufTensors) -> Result<Self> {
        let pieces = PieceTable::new(&file.strings("tokenizer.ggml.tokens")?);
        let scores = file.floats("tokenizer.ggml.scores")?;
        let types = file.integers("tokenizer.ggml.token_type")?;
        if scores.len() != pieces.len() || types.len() != pieces.len() {
            return Err(file.bad(format!(
                "{} scores and {} token types for {} pieces",
                scores.len(),
                types.len(),
                pieces.len()
            )));
        }
        let piece = |id: u32| pieces.get(id as usize).unwrap_or_default();
        let mut specials: Vec<u32> = (0..pieces.len() as u32)
            .filter(|&id| matches!(types[id as usize], UNKNOWN | CONTROL | USER_DEFINED))
            .filter(|&id| !piece(id).is_empty())
            .collect();
        specials.sort_by_key(|&id| std::cmp::Reverse(piece(id).len()));
        let bytes = (0..=255u8)
            .map(|b| pieces.id(&format!("<0x{b:02X}>")))
            .collect();
        Ok(Self {
            pieces,
            scores,
            types,
            specials,
            bytes,
            space_prefix: file.flag("tokenizer.ggml.add_space_prefix", true)?,
        })
    }

    pub fn vocab_size(&self) -> usize {
        self.pieces.len()
    }

    pub fn token_to_id(&self, piece: &str) -> Option<u32> {
        self.pieces.id(piece)
    }

    /// Token ids of `text`, special pieces written in it included.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut after_special = true;
        for fragment in self.partition(text) {
            match fragment {
                Fragment::Special(id) => out.push(id),
                Fragment::Raw(raw) if self.space_prefix && after_special => {
                    self.encode_raw(&format!(" {raw}"), &mut out)
                }
                Fragment::Raw(raw) => self.encode_raw(raw, &mut out),
            }
            after_special = matches!(fragment, Fragment::Special(_));
        }
        out
    }

    /// `text` cut at every occurrence of a special piece, the longest pieces first.
    fn partition<'t>(&self, text: &'t str) -> Vec<Fragment<'t>> {
        if text.is_empty() {
            return Vec::new();
        }
        let mut fragments = vec![Fragment::Raw(text)];
        for &id in &self.specials {
            let piece = self.pieces.get(id as usize).unwrap_or_default();
            if !text.contains(piece) {
                continue;
            }
            let mut cut = Vec::with_capacity(fragments.len() + 2);
            for fragment in fragments {
                let Fragment::Raw(mut raw) = fragment else {
                    cut.push(fragment);
                    continue;
                };
                while let Some(at) = raw.find(piece) {
                    if at > 0 {
                        cut.push(Fragment::Raw(&raw[..at]));
                    }
                    cut.push(Fragment::Special(id));
                    raw = &raw[at + piece.len()..];
                }
                if !raw.is_empty() {
                    cut.push(Fragment::Raw(raw));
                }
            }
            fragments = cut;
        }
        fragments
    }

    /// The SentencePiece merges over one run of raw text.
    fn encode_raw(&self, raw: &str, out: &mut Vec<u32>) {
        let text: String = raw
            .chars()
            .map(|c| if c == ' ' { SPACE } else { c })
            .collect();
        let mut symbols: Vec<Symbol> = text
            .char_indices()
            .enumerate()
            .map(|(i, (start, c))| Symbol {
                start,
                len: c.len_utf8(),
                prev: i.checked_sub(1),
                next: Some(i + 1),
            })
            .collect();
        if let Some(last) = symbols.last_mut() {
            last.next = None;
        }
        let mut queue = BinaryHeap::new();
        let bigram = |symbols: &[Symbol], left: Option<usize>, right: Option<usize>| {
            let (left, right) = (left?, right?);
            let (a, b) = (symbols[left], symbols[right]);
            let id = self.pieces.id(&text[a.start..b.start + b.len])?;
            Some(Bigram {
                left,
                right,
                score: self.scores[id as usize],
                len: a.len + b.len,
            })
        };
        for i in 1..symbols.len() {
            queue.extend(bigram(&symbols, Some(i - 1), Some(i)));
        }
        while let Some(merge) = queue.pop() {
            let (left, right) = (symbols[merge.left], symbols[merge.right]);
            // Stale: one side has merged with something else since.
            if left.len == 0 || right.len == 0 || left.len + right.len != merge.len {
                continue;
            }
            symbols[merge.left].len = merge.len;
            symbols[merge.left].next = right.next;
            symbols[merge.right].len = 0;
            if let Some(next) = right.next {
                symbols[next].prev = Some(merge.left);
            }
            queue.extend(bigram(&symbols, left.prev, Some(merge.left)));
            queue.extend(bigram(&symbols, Some(merge.left), right.next));
        }
        let mut at = (!symbols.is_empty()).then_some(0);
        while let Some(i) = at {
            let symbol = symbols[i];
            let piece = &text[symbol.start..symbol.start + symbol.len];
            match self.pieces.id(piece) {
                Some(id) => out.push(id),
                None => out.extend(piece.bytes().filter_map(|b| self.bytes[b as usize])),
            }
            at = symbol.next;
        }
    }

    /// The bytes token `id` stands for: its text with `▁` as a space, or its byte.
    fn token_bytes(&self, id: u32) -> Vec<u8> {
        let piece = self.pieces.get(id as usize).unwrap_or_default();
        if self.types.get(id as usize) == Some(&BYTE) {
            if let Some(byte) = piece
                .strip_prefix("<0x")
                .and_then(|hex| hex.strip_suffix('>'))
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                return vec![byte];
            }
        }
        piece.replace(SPACE, " ").into_bytes()
    }

    /// The text of `ids`, special pieces included; bytes that do not form whole characters
    /// become U+FFFD.
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.token_bytes(id)).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// A token as a learner should see it: its text, a byte piece that is a whole character as
    /// that character, any other byte piece as `<0xE4>`.
    pub fn token_display(&self, id: u32) -> String {
        match self.pieces.get(id as usize) {
            None => format!("<unknown {id}>"),
            Some(piece) if self.types[id as usize] == BYTE => {
                String::from_utf8(self.token_bytes(id)).unwrap_or_else(|_| piece.to_string())
            }
            Some(piece) => piece.replace(SPACE, " "),
        }
    }

    pub fn is_special(&self, id: u32) -> bool {
        matches!(
            self.types.get(id as usize),
            Some(&(CONTROL | USER_DEFINED | UNKNOWN))
        )
    }
}

enum Fragment<'t> {
    Raw(&'t str),
    Special(u32),
}
