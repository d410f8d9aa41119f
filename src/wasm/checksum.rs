//! sha256 for pages outside a secure context. A browser gives `crypto.subtle` only to https
//! pages and to 127.0.0.1 / localhost, so a class opening the teacher's laptop at
//! `http://192.168.1.20:8080` has no digest to check its downloads with; this one is RustCrypto's
//! `sha2` (<https://github.com/RustCrypto/hashes/tree/master/sha2>), fed in chunks so that a
//! 250 MB file passes through a few megabytes of wasm memory, never all of it at once.

use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
#[derive(Default)]
pub struct Sha256Hasher(Sha256);

#[wasm_bindgen]
impl Sha256Hasher {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Sha256Hasher {
        Self::default()
    }

    /// Adds the next `chunk` of the bytes.
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    /// The digest of everything added, as 64 lowercase hex digits.
    pub fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
