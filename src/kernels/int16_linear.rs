//! 16-bit integer weights for MiniLM's linear layers, an option (`WeightPrecision::Int16`):
//! each output column's weights rounded to ±1023 steps of its largest magnitude, each token's
//! activations to as many steps of its own largest as keep every sum inside i32 (±1366 for 1536
//! inputs, ±5466 for 384), and the products summed exactly in i32 by simd128's
//! `i32x4.dot_i16x8_s`
//! (<https://github.com/WebAssembly/simd/blob/main/proposals/simd/SIMD.md#integer-dot-product>):
//! 8 multiply-adds an instruction where f32 has 4, in every build, with results that do not
//! depend on the build, and half the weight bytes of f32 to stream through the cache. Weights
//! get 11 bits rather than 8 because their steps decide the fidelity (docs/performance.md has
//! the cosines; tests/minilm_fidelity.rs holds the line). The panels and the tile loop are
//! [`crate::kernels::panel`]'s.

use crate::kernels::float_steps::largest_magnitude;
use crate::kernels::panel::{PanelLinear, Panels, PANEL, TILE_ROWS};

/// Weight steps each side of zero: 11 bits.
const WEIGHT_STEPS: i32 = 1023;
/// Most activation steps each side of zero (i16's range).
const MOST_ACTIVATION_STEPS: i32 = i16::MAX as i32;

/// `x · Wᵀ + b` over 16-bit integer panels.
pub type Int16Linear = PanelLinear<Int16Panels>;

/// A matrix's weights rounded to integers, in panels of 8 output columns. Within a panel the
/// inputs go in pairs; each pair holds columns 0–7, each column's two weights side by side,
/// which is what `i32x4.dot_i16x8_s` multiplies with a broadcast pair of activations.
pub struct Int16Panels {
    inputs: usize,
    /// Inputs padded to whole pairs.
    padded: usize,
    values: Vec<i16>,
    /// Each column's step, padded to whole panels.
    scales: Vec<f32>,
    /// Activation steps each side of zero for which no sum of `inputs` products can leave i32.
    activation_steps: i32,
}

impl Panels for Int16Panels {
    type Input<'x> = QuantizedRows;

    /// Rounds `rows` (outputs × inputs, row-major) column by column.
    fn pack(rows: &[f32], outputs: usize, inputs: usize) -> Self {
        assert_eq!(rows.len(), outputs * inputs);
        let padded = inputs.next_multiple_of(2);
        let panels = outputs.div_ceil(PANEL);
        let mut values = vec![0i16; panels * padded * PANEL];
        let mut scales = vec![0f32; panels * PANEL];
        for (o, row) in rows.chunks_exact(inputs.max(1)).enumerate().take(outputs) {
            let scale = largest_magnitude(row) / WEIGHT_STEPS as f32;
            scales[o] = scale;
            let inverse = if scale > 0.0 { 1.0 / scale } else { 0.0 };
            let (panel, column) = (o / PANEL, o % PANEL);
            for (k, &w) in row.iter().enumerate() {
                let at = (panel * padded + k / 2 * 2) * PANEL + column * 2 + k % 2;
                values[at] = (w * inverse).round_ties_even() as i16;
            }
        }
        let activation_steps =
            (i32::MAX / (WEIGHT_STEPS * padded.max(1) as i32)).clamp(1, MOST_ACTIVATION_STEPS);
        Self {
            inputs,
            padded,
            values,
            scales,
            activation_steps,
        }
    }

    /// `x` rounded for this matrix.
    fn prepare(&self, x: &[f32], tokens: usize) -> QuantizedRows {
        self.quantize(x, tokens)
    }

    fn panel_product(
        &self,
        x: &QuantizedRows,
        p: usize,
        mut row: impl FnMut(usize, &mut [f32; PANEL]),
    ) {
        let k = self.padded;
        assert_eq!(x.padded, k);
        let panel = &self.values[p * k * PANEL..][..k * PANEL];
        let scales = &self.scales[p * PANEL..][..PANEL];
        let tokens = x.tokens();
        for first in (0..tokens).step_by(TILE_ROWS) {
            let rows = TILE_ROWS.min(tokens - first);
            let mut sums = [[0i32; PANEL]; TILE_ROWS];
            tile_product(&x.values[first * k..], k, rows, panel, &mut sums);
            for (r, sums) in sums.iter().take(rows).enumerate() {
                let step = x.scales[first + r];
                let mut values = [0f32; PANEL];
                for ((v, &s), &w) in values.iter_mut().zip(sums).zip(scales) {
                    *v = s as f32 * step * w;
                }
                row(first + r, &mut values);
            }
        }
    }
}

impl Int16Panels {
    /// `x` (`tokens` × inputs, row-major) rounded for this matrix.
    fn quantize(&self, x: &[f32], tokens: usize) -> QuantizedRows {
        assert_eq!(x.len(), tokens * self.inputs);
        let steps = self.activation_steps as f32;
        let mut values = vec![0i16; tokens * self.padded];
        let mut scales = vec![0f32; tokens];
        for ((row, out), scale) in x
            .chunks_exact(self.inputs.max(1))
            .zip(values.chunks_exact_mut(self.padded.max(1)))
            .zip(&mut scales)
        {
            let largest = largest_magnitude(row);
            *scale = largest / steps;
            let inverse = if largest > 0.0 { steps / largest } else { 0.0 };
            round_row(row, inverse, out);
        }
        QuantizedRows {
            padded: self.padded,
            values,
            scales,
        }
    }
}

/// `out[i] = round(row[i] · inverse)`; the values fit i16 by the caller's choice of `inverse`.
/// `out` may be longer (padding), and its extra values are left alone.
fn round_row(row: &[f32], inverse: f32, out: &mut [i16]) {
    let out = &mut out[..row.len()];
    let (mut chunks, mut outs) = (row.chunks_exact(8), out.chunks_exact_mut(8));
    for (x, o) in (&mut chunks).zip(&mut outs) {
        round_eight(x.try_into().unwrap(), inverse, o.try_into().unwrap());
    }
    for (o, &v) in outs.into_remainder().iter_mut().zip(chunks.remainder()) {
        *o = (v * inverse).round_ties_even() as i16;
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn round_eight(x: &[f32; 8], inverse: f32, out: &mut [i16; 8]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = (v * inverse).round_ties_even() as i16;
    }
}

/// The same in simd128 (LLVM leaves the saturating casts to i16 scalar).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn round_eight(x: &[f32; 8], inverse: f32, out: &mut [i16; 8]) {
    use core::arch::wasm32::*;
    let scale = f32x4_splat(inverse);
    // SAFETY: 8 values in, 8 out; v128 loads and stores allow unaligned addresses.
    unsafe {
        let round = |at: *const f32| {
            i32x4_trunc_sat_f32x4(f32x4_nearest(f32x4_mul(
                v128_load(at as *const v128),
                scale,
            )))
        };
        let (low, high) = (round(x.as_ptr()), round(x.as_ptr().add(4)));
        v128_store(out.as_mut_ptr() as *mut v128, i16x8_narrow_i32x4(low, high));
    }
}

/// Activations rounded to integers, one step per token, rows padded to whole pairs.
pub struct QuantizedRows {
    padded: usize,
    values: Vec<i16>,
    scales: Vec<f32>,
}

impl QuantizedRows {
    fn tokens(&self) -> usize {
        self.scales.len()
    }
}

/// `rows` (≤ 4) rows of x, each `k` long (even), times one panel, summed exactly.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn tile_product(
    x: &[i16],
    k: usize,
    rows: usize,
    panel: &[i16],
    sums: &mut [[i32; PANEL]; TILE_ROWS],
) {
    for (r, acc) in sums.iter_mut().take(rows).enumerate() {
        let row = &x[r * k..(r + 1) * k];
        for (pair, w) in row.chunks_exact(2).zip(panel.chunks_exact(2 * PANEL)) {
            for (a, wc) in acc.iter_mut().zip(w.chunks_exact(2)) {
                *a += pair[0] as i32 * wc[0] as i32 + pair[1] as i32 * wc[1] as i32;
            }
        }
    }
}

/// The same with wasm simd128: 4 rows × 2 vectors of i32 accumulators; per pair of inputs,
/// two weight vectors loaded and each row's two activations broadcast once.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn tile_product(
    x: &[i16],
    k: usize,
    rows: usize,
    panel: &[i16],
    sums: &mut [[i32; PANEL]; TILE_ROWS],
) {
    use core::arch::wasm32::*;
    assert!(
        k.is_multiple_of(2) && panel.len() >= k * PANEL && x.len() >= rows * k && rows <= TILE_ROWS
    );
    // Rows past `rows` read row 0 again (their sums are discarded), so the loop has no branches.
    let start = |r: usize| if r < rows { r * k } else { 0 };
    let (s0, s1, s2, s3) = (start(0), start(1), start(2), start(3));
    // SAFETY: the assert above bounds every read: x at s_r + 2i + 2 ≤ rows · k, the panel at
    // 16i + 16 ≤ k · 8; v128 loads and stores allow unaligned addresses.
    unsafe {
        let z = i32x4_splat(0);
        let (mut a0, mut b0, mut a1, mut b1, mut a2, mut b2, mut a3, mut b3) =
            (z, z, z, z, z, z, z, z);
        let w = panel.as_ptr();
        let xs = x.as_ptr();
        for i in 0..k / 2 {
            let lo = v128_load(w.add(i * 2 * PANEL) as *const v128);
            let hi = v128_load(w.add(i * 2 * PANEL + PANEL) as *const v128);
            let v = v128_load32_splat(xs.add(s0 + 2 * i) as *const u32);
            a0 = i32x4_add(a0, i32x4_dot_i16x8(v, lo));
            b0 = i32x4_add(b0, i32x4_dot_i16x8(v, hi));
            let v = v128_load32_splat(xs.add(s1 + 2 * i) as *const u32);
            a1 = i32x4_add(a1, i32x4_dot_i16x8(v, lo));
            b1 = i32x4_add(b1, i32x4_dot_i16x8(v, hi));
            let v = v128_load32_splat(xs.add(s2 + 2 * i) as *const u32);
            a2 = i32x4_add(a2, i32x4_dot_i16x8(v, lo));
            b2 = i32x4_add(b2, i32x4_dot_i16x8(v, hi));
            let v = v128_load32_splat(xs.add(s3 + 2 * i) as *const u32);
            a3 = i32x4_add(a3, i32x4_dot_i16x8(v, lo));
            b3 = i32x4_add(b3, i32x4_dot_i16x8(v, hi));
        }
        for (r, (lo, hi)) in [(a0, b0), (a1, b1), (a2, b2), (a3, b3)]
            .into_iter()
            .enumerate()
        {
            let out = sums[r].as_mut_ptr() as *mut v128;
            v128_store(out, lo);
            v128_store(out.add(1), hi);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact integer sums: the rounded product equals the f64 product of the rounded values.
    #[test]
    fn sums_the_rounded_values_exactly_for_every_remainder() {
        for (tokens, inputs, outputs) in
            [(1, 3, 5), (2, 15, 3), (5, 8, 9), (9, 37, 17), (4, 1536, 8)]
        {
            let w: Vec<f32> = (0..outputs * inputs)
                .map(|i| ((i * 7919 % 1000) as f32 - 500.0) / 300.0)
                .collect();
            let x: Vec<f32> = (0..tokens * inputs)
                .map(|i| ((i * 104729 % 997) as f32 - 498.0) / 50.0)
                .collect();
            let panels = Int16Panels::pack(&w, outputs, inputs);
            let q = panels.quantize(&x, tokens);
            let mut got = vec![f32::NAN; tokens * outputs];
            for p in 0..outputs.div_ceil(PANEL) {
                panels.panel_product(&q, p, |t, values| {
                    for (c, &v) in values.iter().enumerate() {
                        if p * PANEL + c < outputs {
                            got[t * outputs + p * PANEL + c] = v;
                        }
                    }
                });
            }
            for t in 0..tokens {
                for o in 0..outputs {
                    let (weight_step, step) = (panels.scales[o] as f64, q.scales[t] as f64);
                    let weight = |k: usize| {
                        let panel_start = (o / PANEL) * panels.padded * PANEL;
                        panels.values[panel_start + (k / 2 * PANEL + o % PANEL) * 2 + k % 2]
                    };
                    let exact: f64 = (0..inputs)
                        .map(|k| q.values[t * panels.padded + k] as f64 * weight(k) as f64)
                        .sum::<f64>()
                        * weight_step
                        * step;
                    let rounding: f64 = (0..inputs)
                        .map(|k| (x[t * inputs + k] * w[o * inputs + k]) as f64)
                        .sum();
                    let got = got[t * outputs + o] as f64;
                    assert!(
                        (got - exact).abs() <= 1e-5 * exact.abs().max(1.0),
                        "{got} {exact}"
                    );
                    // And the rounding itself is small: within 1% of the largest possible sum.
                    let bound: f64 = (0..inputs)
                        .map(|k| (x[t * inputs + k] * w[o * inputs + k]).abs() as f64)
                        .sum();
                    assert!((got - rounding).abs() <= 0.01 * bound, "{got} {rounding}");
                }
            }
        }
    }

    #[test]
    fn keeps_every_sum_inside_i32() {
        let panels = Int16Panels::pack(&vec![1.0; 4 * 1536], 4, 1536);
        assert!(panels.activation_steps as i64 * WEIGHT_STEPS as i64 * 1536 <= i32::MAX as i64);
        let zeros = panels.quantize(&vec![0.0; 1536], 1);
        assert!(zeros.values.iter().all(|&v| v == 0) && zeros.scales == [0.0]);
    }
}
