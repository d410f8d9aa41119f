//! A model file's bytes gathered in wasm memory chunk by chunk, as they stream in from the
//! Cache API, a download or a file on disk, so that a model can take them without another copy:
//! every model is built from these. A decoder keeps its GGUF file (its Q8_0 matrices are read
//! where they lie). Handed over as one `Uint8Array`, a file was first read whole into
//! JavaScript's memory and then copied into wasm's — two passes over ~250 MB of fresh memory on
//! every load, and twice the file in a phone's tab (docs/performance.md).

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct FileBytes {
    bytes: Vec<u8>,
    size: usize,
}

#[wasm_bindgen]
impl FileBytes {
    /// Room for a file of `size` bytes, or an error if this tab's memory cannot hold it.
    #[wasm_bindgen(constructor)]
    pub fn new(size: usize) -> Result<FileBytes, JsError> {
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(size).map_err(|_| {
            JsError::new(&format!(
                "this tab's memory cannot hold a file of {} MB",
                size / 1_000_000
            ))
        })?;
        Ok(Self { bytes, size })
    }

    /// Copies `chunk` after the bytes so far; an error if it would run past the size given.
    pub fn append(&mut self, chunk: &Uint8Array) -> Result<(), JsError> {
        let len = chunk.length() as usize;
        if len > self.size - self.bytes.len() {
            return Err(JsError::new(&format!(
                "the file is longer than the {} bytes expected",
                self.size
            )));
        }
        let room = self.bytes.spare_capacity_mut();
        let copied = chunk.copy_to_uninit(&mut room[..len]).len();
        // SAFETY: the `copied` bytes after the old length were just written.
        unsafe { self.bytes.set_len(self.bytes.len() + copied) };
        Ok(())
    }

    /// Bytes appended so far.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.bytes.len()
    }
}

impl FileBytes {
    /// The whole file, which must have arrived: an error names how much is missing.
    pub(super) fn into_complete(self) -> Result<Vec<u8>, JsError> {
        let (len, size) = (self.bytes.len(), self.size);
        if len < size {
            return Err(JsError::new(&format!(
                "the file ended after {len} of the {size} bytes expected"
            )));
        }
        Ok(self.bytes)
    }
}
