//! Checked access to a GGUF file's metadata and tensors: every missing key, missing tensor or
//! wrong shape becomes an error that names it and the kind of model it was meant for. The format
//! is GGUF's (<https://github.com/ggml-org/ggml/blob/master/docs/gguf.md>), parsed by candle's
//! `gguf_file`; this adds the checks.

use std::io::Cursor;

use candle_core::quantized::gguf_file::{Content, TensorInfo, Value};
use candle_core::quantized::QTensor;
use candle_core::Device;

use crate::error::{Error, Result};

/// A parsed GGUF header and the whole file's bytes.
#[derive(Clone, Copy)]
pub struct GgufTensors<'a> {
    pub content: &'a Content,
    pub bytes: &'a [u8],
    /// What the file should hold ("Llama model"), for messages.
    pub what: &'static str,
}

impl<'a> GgufTensors<'a> {
    pub fn bad(&self, reason: impl Into<String>) -> Error {
        Error::BadModelFile {
            file: "the GGUF file",
            what: self.what,
            reason: reason.into(),
        }
    }

    pub fn value(&self, key: &str) -> Result<&'a Value> {
        self.content
            .metadata
            .get(key)
            .ok_or_else(|| self.bad(format!("metadata key {key} is missing")))
    }

    pub fn number(&self, key: &str) -> Result<u32> {
        self.value(key)?
            .to_u32()
            .map_err(|_| self.bad(format!("{key} is not a u32")))
    }

    pub fn string(&self, key: &str) -> Result<&'a str> {
        self.value(key)?
            .to_string()
            .map(String::as_str)
            .map_err(|_| self.bad(format!("{key} is not a string")))
    }

    /// The array `key` (strings, numbers).
    pub fn array(&self, key: &str) -> Result<&'a [Value]> {
        self.value(key)?
            .to_vec()
            .map(Vec::as_slice)
            .map_err(|_| self.bad(format!("{key} is not an array")))
    }

    /// The array of strings `key`.
    pub fn strings(&self, key: &str) -> Result<Vec<&'a str>> {
        self.array(key)?
            .iter()
            .map(|v| {
                v.to_string()
                    .map(String::as_str)
                    .map_err(|_| self.bad(format!("{key} holds a value that is not a string")))
            })
            .collect()
    }

    /// The array of integers `key`, of any integer type.
    pub fn integers(&self, key: &str) -> Result<Vec<i64>> {
        self.array(key)?
            .iter()
            .map(|v| {
                integer(v)
                    .ok_or_else(|| self.bad(format!("{key} holds a value that is not an integer")))
            })
            .collect()
    }

    /// The array of floats `key`.
    pub fn floats(&self, key: &str) -> Result<Vec<f32>> {
        self.array(key)?
            .iter()
            .map(|v| {
                v.to_f32()
                    .map_err(|_| self.bad(format!("{key} holds a value that is not a float")))
            })
            .collect()
    }

    /// The flag `key`, `default` when absent.
    pub fn flag(&self, key: &str, default: bool) -> Result<bool> {
        match self.content.metadata.get(key) {
            Some(v) => v
                .to_bool()
                .map_err(|_| self.bad(format!("{key} is not a boolean"))),
            None => Ok(default),
        }
    }

    /// Where tensor `name` is described, after checking it has shape `dims`.
    pub fn info(&self, name: &str, dims: &[usize]) -> Result<&'a TensorInfo> {
        let info = self
            .content
            .tensor_infos
            .get(name)
            .ok_or_else(|| self.bad(format!("tensor {name} is missing")))?;
        if info.shape.dims() != dims {
            return Err(self.bad(format!(
                "tensor {name} has shape {:?}, expected {dims:?}",
                info.shape.dims()
            )));
        }
        Ok(info)
    }

    /// Tensor `name`, which must have shape `dims` and hold whole blocks of its type. (candle
    /// reads a tensor of no bytes — no values, or fewer than one block — into an empty `Vec<u8>`
    /// and views it as blocks through its dangling, unaligned pointer: undefined behaviour, which
    /// a debug build aborts on. A damaged file can ask for that.)
    pub fn tensor(&self, name: &str, dims: &[usize]) -> Result<QTensor> {
        let info = self.info(name, dims)?;
        let (values, block) = (info.shape.elem_count(), info.ggml_dtype.block_size());
        if values == 0 || !values.is_multiple_of(block) {
            return Err(self.bad(format!(
                "tensor {name} holds {values} values, not a positive multiple of its {block}-value blocks"
            )));
        }
        self.content
            .tensor(&mut Cursor::new(self.bytes), name, &Device::Cpu)
            .map_err(|e| self.bad(format!("tensor {name}: {e}")))
    }

    /// Where the `len` bytes of tensor `name` (shape `dims`) start in the file.
    pub fn offset(&self, name: &str, dims: &[usize], len: usize) -> Result<usize> {
        let info = self.info(name, dims)?;
        // Offsets come from the file: a damaged one must not overflow.
        (self.content.tensor_data_offset)
            .checked_add(info.offset)
            .and_then(|start| usize::try_from(start).ok())
            .filter(|&start| {
                start
                    .checked_add(len)
                    .is_some_and(|end| end <= self.bytes.len())
            })
            .ok_or_else(|| self.bad(format!("tensor {name} runs past the end of the file")))
    }

    /// The raw bytes of tensor `name` (shape `dims`), `len` of them, without a copy.
    pub fn raw(&self, name: &str, dims: &[usize], len: usize) -> Result<&'a [u8]> {
        let start = self.offset(name, dims, len)?;
        Ok(&self.bytes[start..start + len])
    }
}

/// A metadata value of any integer type as i64.
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::U8(v) => Some(i64::from(*v)),
        Value::I8(v) => Some(i64::from(*v)),
        Value::U16(v) => Some(i64::from(*v)),
        Value::I16(v) => Some(i64::from(*v)),
        Value::U32(v) => Some(i64::from(*v)),
        Value::I32(v) => Some(i64::from(*v)),
        Value::U64(v) => i64::try_from(*v).ok(),
        Value::I64(v) => Some(*v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::{gguf_file, GgmlDType};
    use candle_core::Tensor;

    /// A tensor of no values is refused with its name, before candle would view its empty bytes.
    #[test]
    fn a_tensor_without_values_is_refused() {
        let empty = QTensor::quantize(
            &Tensor::zeros((0,), candle_core::DType::F32, &Device::Cpu).unwrap(),
            GgmlDType::F32,
        )
        .unwrap();
        let mut bytes = Cursor::new(Vec::new());
        gguf_file::write(&mut bytes, &[], &[("empty.weight", &empty)]).unwrap();
        let bytes = bytes.into_inner();
        let content = Content::read(&mut Cursor::new(&bytes)).unwrap();
        let file = GgufTensors {
            content: &content,
            bytes: &bytes,
            what: "test model",
        };
        let error = file.tensor("empty.weight", &[0]).unwrap_err().to_string();
        assert!(
            error.contains("tensor empty.weight holds 0 values"),
            "{error}"
        );
    }
}
