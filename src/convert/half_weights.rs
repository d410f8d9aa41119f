//! all-MiniLM-L6-v2's weights as float16, for a first download half the size (45 MB instead
//! of 91): every f32 tensor of the safetensors file rounded to the nearest f16 (ties to even,
//! as `half` and numpy's `astype(float16)` round), names and shapes kept. The page widens them
//! back to f32 as it loads (candle's `VarBuilder`), so everything after the load is unchanged;
//! the embeddings stay within cosine 0.99999 of the f32 file's (tests/minilm_fidelity.rs).
//! Deterministic: the safetensors writer orders tensors by dtype and name, so the same input
//! gives the same bytes, whose sha256 the manifest pins.

use std::collections::HashMap;
use std::path::Path;

use candle_core::safetensors::SliceSafetensors;
use candle_core::{DType, Device, Tensor};

use crate::error::{Error, Result};

fn bad(reason: impl ToString) -> Error {
    Error::BadModelFile {
        file: "model.safetensors",
        what: "safetensors file",
        reason: reason.to_string(),
    }
}

/// Writes to `out` a safetensors file with `f32_file`'s f32 tensors as f16 (others as they are).
pub fn write_f16(f32_file: &[u8], out: &Path) -> Result<()> {
    let tensors = SliceSafetensors::new(f32_file).map_err(bad)?;
    let mut halved: HashMap<String, Tensor> = HashMap::new();
    for (name, _) in tensors.tensors() {
        let tensor = tensors.load(&name, &Device::Cpu).map_err(bad)?;
        let tensor = match tensor.dtype() {
            DType::F32 => tensor.to_dtype(DType::F16)?,
            _ => tensor,
        };
        halved.insert(name, tensor);
    }
    candle_core::safetensors::save(&halved, out)?;
    Ok(())
}
