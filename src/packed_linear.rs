//! The encoder's linear layers with their weights packed once, at load, into panels of 8
//! output columns for small wasm simd128 register-tile kernels. The encoder's products are a
//! few dozen tokens times 384 × 384 or 384 × 1536 weights; gemm repacks an operand and walks
//! its generic blocking on every call and reached ~24 GFLOP/s on them in the page, while this
//! 4 × 8 tile over f32 panels keeps every accumulator in a register (~29 GFLOP/s in the page,
//! ~40 in a V8 micro-benchmark), and the relaxed-SIMD build fuses each multiply-add. The
//! weights may instead be rounded to 16-bit integers (`WeightPrecision::Int16`, `int16_panel`).
//! Natively the same tiling is plain Rust, which the compiler vectorises.

use candle_core::{Module, Tensor};

use crate::int16_panel::Int16Panels;
use crate::parallel::{self, PartsWrite};
use crate::tensor_values::apply_rows;

/// Output columns per weight panel: two f32x4 vectors.
pub(crate) const PANEL: usize = 8;
/// Tokens per register tile.
pub(crate) const TILE_ROWS: usize = 4;
/// The least work worth a thread: 2 panels of a 384-input layer are ~6k multiply-adds a token.
const PANELS_PER_PART: usize = 2;

/// How an f32 checkpoint's matrices are kept: as they are, or rounded to 16-bit integers (11
/// significant bits per output column; half the bytes, faster in the page, embeddings within
/// cosine 0.9999 of f32's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightPrecision {
    #[default]
    F32,
    Int16,
}

impl std::str::FromStr for WeightPrecision {
    type Err = String;

    /// 'f32' or 'int16', as the page's `?precision=` names them.
    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "f32" => Ok(Self::F32),
            "int16" => Ok(Self::Int16),
            other => Err(format!("weights {other:?}: expected 'f32' or 'int16'")),
        }
    }
}

/// The panels: f32 (each `in` rows of 8 values, k-major, the last panel padded with zero
/// columns) or 16-bit integers.
enum Panels {
    F32(Vec<f32>),
    Int16(Int16Panels),
}

/// `x · Wᵀ + b` with W of shape (out, in), stored as panels of 8 output columns.
pub struct PackedLinear {
    inputs: usize,
    outputs: usize,
    panels: Panels,
    /// Padded with zeros to whole panels.
    bias: Vec<f32>,
}

impl PackedLinear {
    /// Packs `weight` (out, in) and `bias` (out), keeping the weights at `precision`.
    pub fn new(
        weight: &Tensor,
        bias: &Tensor,
        precision: WeightPrecision,
    ) -> candle_core::Result<Self> {
        let (outputs, inputs) = weight.dims2()?;
        let mut bias: Vec<f32> = bias.to_vec1()?;
        if bias.len() != outputs {
            candle_core::bail!("a bias of {} for {outputs} outputs", bias.len());
        }
        let rows: Vec<f32> = weight.flatten_all()?.to_vec1()?;
        let panel_count = outputs.div_ceil(PANEL);
        bias.resize(panel_count * PANEL, 0.0);
        let panels = match precision {
            WeightPrecision::F32 => {
                let mut panels = vec![0f32; panel_count * inputs * PANEL];
                for (o, row) in rows.chunks_exact(inputs.max(1)).enumerate() {
                    let (panel, column) = (o / PANEL, o % PANEL);
                    for (k, &w) in row.iter().enumerate() {
                        panels[(panel * inputs + k) * PANEL + column] = w;
                    }
                }
                Panels::F32(panels)
            }
            WeightPrecision::Int16 => Panels::Int16(Int16Panels::new(&rows, outputs, inputs)),
        };
        Ok(Self {
            inputs,
            outputs,
            panels,
            bias,
        })
    }

    /// Y (tokens × out) for X (tokens × in), both row-major, each output passed through
    /// `finish` (e.g. an activation, applied while the tile is still in cache); the panels
    /// are split over the page's threads.
    fn product(&self, x: &[f32], tokens: usize, finish: impl Fn(f32) -> f32 + Sync) -> Vec<f32> {
        let (k, n) = (self.inputs, self.outputs);
        let mut y = vec![0f32; tokens * n];
        let out = PartsWrite::new(&mut y);
        let rounded = match &self.panels {
            Panels::Int16(panels) => Some(panels.quantize(x, tokens)),
            Panels::F32(_) => None,
        };
        parallel::for_each_part(n.div_ceil(PANEL), PANELS_PER_PART, &|part| {
            for p in part {
                let columns = PANEL.min(n - p * PANEL);
                let bias = &self.bias[p * PANEL..][..PANEL];
                let write = |token: usize, values: &mut [f32; PANEL]| {
                    // The whole fixed-size row, so that `finish` vectorises.
                    for (v, b) in values.iter_mut().zip(bias) {
                        *v = finish(*v + b);
                    }
                    let start = token * n + p * PANEL;
                    // SAFETY: panel p's columns belong to this part alone.
                    let slots = unsafe { out.range(start..start + columns) };
                    slots.copy_from_slice(&values[..columns]);
                };
                match (&self.panels, &rounded) {
                    (Panels::F32(panels), _) => {
                        panel_product(x, tokens, k, &panels[p * k * PANEL..][..k * PANEL], write)
                    }
                    (Panels::Int16(panels), Some(rounded)) => {
                        panels.panel_product(rounded, p, write)
                    }
                    (Panels::Int16(_), None) => unreachable!("integer panels round their input"),
                }
            }
        });
        y
    }
}

/// Runs `tile(first, rows)` for every group of up to 4 consecutive tokens and hands each row
/// of the tile it returns to `row(token, values)`. Shared by the f32 and integer kernels.
pub(crate) fn for_each_tile(
    tokens: usize,
    mut tile: impl FnMut(usize, usize) -> [[f32; PANEL]; TILE_ROWS],
    mut row: impl FnMut(usize, &mut [f32; PANEL]),
) {
    for first in (0..tokens).step_by(TILE_ROWS) {
        let rows = TILE_ROWS.min(tokens - first);
        let mut values = tile(first, rows);
        for (r, values) in values.iter_mut().take(rows).enumerate() {
            row(first + r, values);
        }
    }
}

/// Every row of x (`tokens` × k, row-major) times one k × 8 panel (k-major: 8 values per k):
/// `row(token, values)` receives each token's 8 outputs. Shared by the f32 and the 4-bit
/// layers (whose prefill dequantizes a panel at a time).
pub(crate) fn panel_product(
    x: &[f32],
    tokens: usize,
    k: usize,
    panel: &[f32],
    row: impl FnMut(usize, &mut [f32; PANEL]),
) {
    for_each_tile(
        tokens,
        |first, rows| {
            let mut tile = [[0f32; PANEL]; TILE_ROWS];
            tile_product(&x[first * k..], k, rows, panel, &mut tile);
            tile
        },
        row,
    );
}

/// `rows` (≤ 4) rows of x, each `k` long, times one k × 8 panel.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn tile_product(
    x: &[f32],
    k: usize,
    rows: usize,
    panel: &[f32],
    tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
    for (r, acc) in tile.iter_mut().take(rows).enumerate() {
        for (xi, w) in x[r * k..(r + 1) * k].iter().zip(panel.chunks_exact(PANEL)) {
            for (a, wj) in acc.iter_mut().zip(w) {
                *a += xi * wj;
            }
        }
    }
}

/// The same with wasm simd128: 4 rows × 2 vectors of accumulators, each weight vector loaded
/// once per k and each activation broadcast once per k (fused where relaxed SIMD is on).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn tile_product(
    x: &[f32],
    k: usize,
    rows: usize,
    panel: &[f32],
    tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
    use core::arch::wasm32::*;
    assert!(panel.len() >= k * PANEL && x.len() >= rows * k && rows <= TILE_ROWS);
    // Rows past `rows` read row 0 again (their results are discarded), so the loop has no
    // branches.
    let start = |r: usize| if r < rows { r * k } else { 0 };
    let (s0, s1, s2, s3) = (start(0), start(1), start(2), start(3));
    // SAFETY: the assert above bounds every read: x at s_r + i < rows · k, the panel at
    // i · 8 + 8 ≤ k · 8; v128 loads and stores allow unaligned addresses.
    unsafe {
        let z = f32x4_splat(0.0);
        let (mut a0, mut b0, mut a1, mut b1, mut a2, mut b2, mut a3, mut b3) =
            (z, z, z, z, z, z, z, z);
        let w = panel.as_ptr();
        let xs = x.as_ptr();
        for i in 0..k {
            let lo = v128_load(w.add(i * PANEL) as *const v128);
            let hi = v128_load(w.add(i * PANEL + 4) as *const v128);
            let v = f32x4_splat(*xs.add(s0 + i));
            a0 = madd(a0, v, lo);
            b0 = madd(b0, v, hi);
            let v = f32x4_splat(*xs.add(s1 + i));
            a1 = madd(a1, v, lo);
            b1 = madd(b1, v, hi);
            let v = f32x4_splat(*xs.add(s2 + i));
            a2 = madd(a2, v, lo);
            b2 = madd(b2, v, hi);
            let v = f32x4_splat(*xs.add(s3 + i));
            a3 = madd(a3, v, lo);
            b3 = madd(b3, v, hi);
        }
        for (r, (lo, hi)) in [(a0, b0), (a1, b1), (a2, b2), (a3, b3)]
            .into_iter()
            .enumerate()
        {
            let out = tile[r].as_mut_ptr() as *mut v128;
            v128_store(out, lo);
            v128_store(out.add(1), hi);
        }
    }
}

/// `acc + a · b`: one fused multiply-add where the build has relaxed SIMD (pkg/relaxed: twice
/// the multiply-adds per instruction), else a multiply and an add.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn madd(
    acc: core::arch::wasm32::v128,
    a: core::arch::wasm32::v128,
    b: core::arch::wasm32::v128,
) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, acc)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(acc, f32x4_mul(a, b))
    }
}

impl PackedLinear {
    /// `finish(x · Wᵀ + b)`, elementwise, for x of shape (…, in): the activation runs on every
    /// thread as part of the product instead of as one more pass over the output.
    pub fn forward_then(
        &self,
        x: &Tensor,
        finish: impl Fn(f32) -> f32 + Sync,
    ) -> candle_core::Result<Tensor> {
        apply_rows(
            x,
            self.inputs,
            self.outputs,
            "linear layer",
            |values, tokens| self.product(values, tokens, finish),
        )
    }
}

impl Module for PackedLinear {
    /// `x · Wᵀ + b` for x of shape (…, in).
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_then(x, |v| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::Device;

    #[test]
    fn equals_candles_matmul_and_activation_for_every_remainder_of_rows_and_columns() {
        let device = Device::Cpu;
        for (tokens, inputs, outputs) in [
            (1, 8, 8),
            (3, 16, 13),
            (4, 32, 16),
            (9, 24, 20),
            (37, 300, 20),
        ] {
            let w = Tensor::randn(0f32, 1., (outputs, inputs), &device).unwrap();
            let b = Tensor::randn(0f32, 1., outputs, &device).unwrap();
            let x = Tensor::randn(0f32, 1., (2, tokens, inputs), &device).unwrap();
            let layer = PackedLinear::new(&w, &b, WeightPrecision::F32).unwrap();
            let reference = x
                .broadcast_matmul(&w.t().unwrap())
                .unwrap()
                .broadcast_add(&b)
                .unwrap();
            let difference = max_difference(&layer.forward(&x).unwrap(), &reference);
            assert!(
                difference < 1e-4,
                "{tokens}×{inputs}×{outputs}: {difference}"
            );
            // An activation applied while writing equals candle's after the product.
            let activated = layer.forward_then(&x, |v| v.max(0.0)).unwrap();
            let difference = max_difference(&activated, &reference.relu().unwrap());
            assert!(difference < 1e-4, "relu: {difference}");
        }
    }
}
