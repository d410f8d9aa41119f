//! 5-bit weights: Q5_0, Q5_1 and Q5_K all become [`Block5`] (value `d · q + m`, q ∈ 0..=31,
//! one byte per value). A Q5_0 block (value `d · (q − 16)`) is a Q5_1 block with `m = −16d`;
//! each 32-value sub-block of a Q5_K super-block is one with `d = d_super · scale` and
//! `m = −dmin · min`. The fifth bits are gathered at load, so the kernel is an 8-bit one
//! (llama.cpp's `ggml_vec_dot_q5_1_q8_1_generic` arithmetic,
//! <https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::kernels::block_linear::lanes_sum;
use crate::kernels::block_linear::{f16_at, half_sums, k_scale_min, GgmlFormat, WeightBlock};
use crate::kernels::quantize::{Block8, BLOCK};

/// Value j is `d · qs[j] + m`.
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Block5 {
    d: f32,
    m: f32,
    qs: [i8; BLOCK],
}

/// The 32 values of a Q5_0/Q5_1 block: low nibbles of `qs` are values 0–15, high nibbles 16–31,
/// bit j of the little-endian `qh` the fifth bit of value j.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn five_bits(qh: &[u8], qs: &[u8]) -> [i8; BLOCK] {
    let high = u32::from_le_bytes(qh.try_into().expect("4 bytes"));
    std::array::from_fn(|j| {
        let nibble = if j < 16 {
            qs[j] & 0x0F
        } else {
            qs[j - 16] >> 4
        };
        (nibble | ((((high >> j) & 1) as u8) << 4)) as i8
    })
}

/// The same with wasm simd128 (63 M of Gemma 3 270M's values are Q5_0, converted on every
/// load): the 32 fifth bits spread over the lanes by a byte shuffle and a per-lane bit mask.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn five_bits(qh: &[u8], qs: &[u8]) -> [i8; BLOCK] {
    use core::arch::wasm32::*;
    let bits = u32x4_splat(u32::from_le_bytes(qh.try_into().expect("4 bytes")));
    let qs: &[u8; 16] = qs.try_into().expect("16 bytes");
    // SAFETY: 16 bytes; the load allows unaligned addresses.
    let nibbles = unsafe { v128_load(qs.as_ptr() as *const v128) };
    let lane_bit = u8x16(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
    let fifth = |spread: v128| {
        let set = i8x16_ne(v128_and(spread, lane_bit), i8x16_splat(0));
        v128_and(set, i8x16_splat(16))
    };
    let low = v128_or(
        v128_and(nibbles, i8x16_splat(0x0F)),
        fifth(i8x16_shuffle::<
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
        >(bits, bits)),
    );
    let high = v128_or(
        u8x16_shr(nibbles, 4),
        fifth(i8x16_shuffle::<
            2,
            2,
            2,
            2,
            2,
            2,
            2,
            2,
            3,
            3,
            3,
            3,
            3,
            3,
            3,
            3,
        >(bits, bits)),
    );
    let mut out = [0i8; BLOCK];
    // SAFETY: two 16-byte stores into the 32-byte array.
    unsafe {
        v128_store(out.as_mut_ptr() as *mut v128, low);
        v128_store(out.as_mut_ptr().add(16) as *mut v128, high);
    }
    out
}

pub const Q5_0: GgmlFormat<Block5> = GgmlFormat {
    name: "Q5_0",
    values: BLOCK,
    bytes: 2 + 4 + BLOCK / 2,
    convert: |raw, out| {
        let d = f16_at(raw, 0);
        out[0] = Block5 {
            d,
            m: -16.0 * d,
            qs: five_bits(&raw[2..6], &raw[6..]),
        }
    },
};

pub const Q5_1: GgmlFormat<Block5> = GgmlFormat {
    name: "Q5_1",
    values: BLOCK,
    bytes: 4 + 4 + BLOCK / 2,
    convert: |raw, out| {
        out[0] = Block5 {
            d: f16_at(raw, 0),
            m: f16_at(raw, 2),
            qs: five_bits(&raw[4..8], &raw[8..]),
        }
    },
};

/// f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 32 bytes of fifth bits (bit 2k and 2k+1
/// of byte l for value l of the k-th pair of sub-blocks), 128 bytes of nibbles laid out as Q4_K's.
pub const Q5_K: GgmlFormat<Block5> = GgmlFormat {
    name: "Q5_K",
    values: 256,
    bytes: 4 + 12 + 32 + 128,
    convert: |raw, out| {
        let (d, dmin) = (f16_at(raw, 0), f16_at(raw, 2));
        let (scales, qh, qs) = (&raw[4..16], &raw[16..48], &raw[48..]);
        for (j, block) in out.iter_mut().enumerate() {
            let (scale, min) = k_scale_min(j, scales);
            let bytes = &qs[j / 2 * 32..][..32];
            *block = Block5 {
                d: d * scale,
                m: -dmin * min,
                qs: std::array::from_fn(|l| {
                    let nibble = if j % 2 == 0 {
                        bytes[l] & 0x0F
                    } else {
                        bytes[l] >> 4
                    };
                    (nibble | (((qh[l] >> j) & 1) << 4)) as i8
                }),
            };
        }
    },
};

impl WeightBlock for Block5 {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        row.iter()
            .zip(x)
            .map(|(w, x)| {
                let [a, b] = half_sums(&w.qs, x);
                w.d * x.d * (a + b) as f32 + w.m * x.s
            })
            .sum()
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        use core::arch::wasm32::*;
        let mut acc = f32x4_splat(0.0);
        let mut offsets = 0f32;
        for (w, x) in row.iter().zip(x) {
            let [a, b] = half_sums(&w.qs, x);
            let sum = f32x4_convert_i32x4(i32x4_add(a, b));
            acc = f32x4_add(acc, f32x4_mul(sum, f32x4_splat(w.d * x.d)));
            offsets += w.m * x.s;
        }
        lanes_sum(acc) + offsets
    }

    fn dequantize(&self, values: &mut [f32; BLOCK]) {
        for (v, &q) in values.iter_mut().zip(&self.qs) {
            *v = self.d * f32::from(q) + self.m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::block_linear::tests::check_layer;
    use crate::kernels::block_linear::BlockLinear;
    use crate::test_support::quantized_matrix;
    use candle_core::quantized::GgmlDType;

    #[test]
    fn each_5_bit_format_agrees_with_candles_dequantized_matrix() {
        for (format, dtype, cols) in [
            (&Q5_0, GgmlDType::Q5_0, 128),
            (&Q5_1, GgmlDType::Q5_1, 128),
            (&Q5_K, GgmlDType::Q5K, 512),
        ] {
            for rows in [48, 44] {
                let (bytes, dense) = quantized_matrix(rows, cols, dtype);
                let layer = BlockLinear::from_bytes(&bytes, rows, cols, format).unwrap();
                check_layer(&layer, &dense, 0.05);
            }
        }
    }
}
