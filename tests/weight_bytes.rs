//! The bytes of weights a decoded token reads, which `make bench` multiplies by tokens per second
//! to read a decode rate against the machine's memory bandwidth. The expected figures come from
//! the files' tensor tables as gguf-py reads them (`gguf.GGUFReader`: the layers' matrices
//! attn_q/k/v/output and ffn_gate/up/down by type, and token_embd, which both files also use as
//! their output layer), at the bytes per 32 values our kernels keep: 24 for 4-bit blocks (Q4_1,
//! Q4_K), 40 for 5- and 6-bit ones (Q5_0, Q6_K), Q8_0's 34 in the file plus a 4-byte f32 scale.

mod common;

use bert_vs_gpt::decoder::Decoder;

#[test]
fn smollm2_reads_its_4_bit_layers_its_8_bit_output_layer_and_one_embedding_row() {
    let decoder = Decoder::from_gguf(common::smollm2()).unwrap();
    // Q4_1 106,168,320 values; token_embd Q8_0 576 × 49,152.
    let layers = 106_168_320 / 32 * 24;
    let output = 576 * 49_152 / 32 * 38;
    assert_eq!(
        decoder.weight_bytes_per_token(),
        layers + output + output / 49_152
    );
}

#[test]
fn gemma_reads_its_mixed_layers_its_8_bit_output_layer_and_one_embedding_row() {
    let decoder = Decoder::from_gguf(common::gemma3()).unwrap();
    // Q5_0 63,406,080, Q4_K 23,592,960, Q8_0 1,474,560, Q6_K 11,796,480 values; token_embd Q8_0
    // 640 × 262,144.
    let layers =
        63_406_080 / 32 * 40 + 23_592_960 / 32 * 24 + 1_474_560 / 32 * 38 + 11_796_480 / 32 * 40;
    let output = 640 * 262_144 / 32 * 38;
    assert_eq!(
        decoder.weight_bytes_per_token(),
        layers + output + output / 262_144
    );
}
