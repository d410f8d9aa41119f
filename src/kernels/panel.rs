//! The layout and register tile shared by the linear layers whose weights are packed at load:
//! a matrix becomes panels of [`PANEL`] output columns (k-major: for each input, the 8 columns'
//! weights side by side), and a product walks a panel with a [`TILE_ROWS`] × 8 tile of
//! accumulators that never leave registers — each weight vector loaded once per input, each
//! activation broadcast once. gemm, under candle's matmul, repacks an operand and walks its
//! generic blocking on every call, which costs more than the arithmetic on the encoder's shapes
//! (a few dozen tokens by 384 × 1536); see docs/performance.md. The tile is the micro-kernel of
//! the BLIS scheme (<https://github.com/flame/blis/blob/master/docs/KernelsHowTo.md>); of its
//! cache blocking only the innermost level is kept: a panel is walked once, a block of 16
//! inputs at a time, for every tile of up to 64 tokens.
//!
//! [`PanelLinear`] is such a layer for any [`Panels`]: f32 weights (`f32_linear`) or 16-bit
//! integers (`int16_linear`). The f32 tile ([`panel_product`]) also serves the 4-bit layers'
//! prefill, which dequantizes one panel at a time. Natively the tile is plain Rust, which the
//! compiler vectorises; in wasm it is simd128, with fused multiply-adds in the relaxed-SIMD build.

use candle_core::{Module, Tensor};

use crate::kernels::parallel::{self, PartsWrite};
use crate::kernels::tensor_values::apply_rows;

/// Output columns per weight panel: two f32x4 vectors.
pub const PANEL: usize = 8;
/// Tokens per register tile.
pub const TILE_ROWS: usize = 4;
/// The least work worth a thread: 2 panels of a 384-input layer are ~6k multiply-adds a token.
const PANELS_PER_PART: usize = 2;

/// A weight matrix kept as panels of [`PANEL`] output columns, the last one padded with zero
/// columns: what a [`PanelLinear`] multiplies.
pub trait Panels: Sync {
    /// The layer's input as the panels read it: the f32 values themselves, or rounded.
    type Input<'x>: Sync;

    /// Packs `rows`, a checkpoint's weight matrix (outputs × inputs, row-major).
    fn pack(rows: &[f32], outputs: usize, inputs: usize) -> Self;

    /// `x` (`tokens` × inputs, row-major) made ready for [`Panels::panel_product`], once per
    /// product, before the panels are split over threads.
    fn prepare<'x>(&self, x: &'x [f32], tokens: usize) -> Self::Input<'x>;

    /// Every token of `x` times panel `p`: `row(token, values)` receives each token's 8 outputs
    /// (before bias).
    fn panel_product(
        &self,
        x: &Self::Input<'_>,
        p: usize,
        row: impl FnMut(usize, &mut [f32; PANEL]),
    );
}

/// `x · Wᵀ + b` with W of shape (out, in) packed as [`Panels`].
pub struct PanelLinear<P> {
    inputs: usize,
    outputs: usize,
    panels: P,
    /// Padded with zeros to whole panels.
    bias: Vec<f32>,
}

impl<P: Panels> PanelLinear<P> {
    /// Packs `weight` (out, in) and `bias` (out).
    pub fn new(weight: &Tensor, bias: &Tensor) -> candle_core::Result<Self> {
        let (outputs, inputs) = weight.dims2()?;
        let mut bias: Vec<f32> = bias.to_vec1()?;
        if bias.len() != outputs {
            candle_core::bail!("a bias of {} for {outputs} outputs", bias.len());
        }
        bias.resize(outputs.div_ceil(PANEL) * PANEL, 0.0);
        let rows: Vec<f32> = weight.flatten_all()?.to_vec1()?;
        Ok(Self {
            inputs,
            outputs,
            panels: P::pack(&rows, outputs, inputs),
            bias,
        })
    }

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

    /// Y (tokens × out) for X (tokens × in), both row-major, each output passed through
    /// `finish` while its tile is still in cache; the panels are split over the page's threads.
    fn product(&self, x: &[f32], tokens: usize, finish: impl Fn(f32) -> f32 + Sync) -> Vec<f32> {
        let n = self.outputs;
        let mut y = vec![0f32; tokens * n];
        let out = PartsWrite::new(&mut y);
        let input = self.panels.prepare(x, tokens);
        parallel::for_each_part(n.div_ceil(PANEL), PANELS_PER_PART, &|part| {
            for p in part {
                let columns = PANEL.min(n - p * PANEL);
                let bias = &self.bias[p * PANEL..][..PANEL];
                self.panels.panel_product(&input, p, |token, values| {
                    // The whole fixed-size row, so that `finish` vectorises.
                    for (v, b) in values.iter_mut().zip(bias) {
                        *v = finish(*v + b);
                    }
                    let start = token * n + p * PANEL;
                    // SAFETY: panel p's columns belong to this part alone.
                    let slots = unsafe { out.range(start..start + columns) };
                    slots.copy_from_slice(&values[..columns]);
                });
            }
        });
        y
    }
}

impl<P: Panels> Module for PanelLinear<P> {
    /// `x · Wᵀ + b` for x of shape (…, in).
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_then(x, |v| v)
    }
}

/// Lays out `rows` (up to [`PANEL`] weight rows of `k` values, row-major) as one k-major panel:
/// `panel[i * 8 + column] = rows[column * k + i]`, columns past the given rows zero. The f32
/// layers do this once at load; the quantized ones for every panel of every prefill product,
/// so in wasm a full panel goes as 4 × 4 transposes of simd128 vectors instead of a scatter of
/// single values.
pub fn pack_panel(rows: &[f32], k: usize, panel: &mut [f32]) {
    let columns = rows.len() / k.max(1);
    assert!(columns <= PANEL && panel.len() == k * PANEL && rows.len() == columns * k);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if columns == PANEL && k.is_multiple_of(4) {
        return transpose_panel(rows, k, panel);
    }
    if columns < PANEL {
        panel.fill(0.0);
    }
    for (column, row) in rows.chunks_exact(k.max(1)).enumerate() {
        for (i, &w) in row.iter().enumerate() {
            panel[i * PANEL + column] = w;
        }
    }
}

/// [`pack_panel`] for 8 rows of a multiple of 4 values: each 4 × 4 square of 4 rows and 4
/// inputs is loaded as 4 vectors, transposed by shuffles and stored as 4 vectors.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn transpose_panel(rows: &[f32], k: usize, panel: &mut [f32]) {
    use core::arch::wasm32::*;
    // SAFETY: pack_panel checked rows.len() == 8 · k and panel.len() == 8 · k; with i + 4 ≤ k
    // every load reads rows[(half · 4 + r) · k + i ..][..4] and every store writes
    // panel[(i + c) · 8 + half · 4 ..][..4]; v128 loads and stores allow unaligned addresses.
    unsafe {
        let src = rows.as_ptr();
        let dst = panel.as_mut_ptr();
        for i in (0..k).step_by(4) {
            for half in 0..2 {
                let load = |r: usize| v128_load(src.add((half * 4 + r) * k + i) as *const v128);
                let (r0, r1, r2, r3) = (load(0), load(1), load(2), load(3));
                let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
                let t1 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
                let t2 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
                let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
                let columns = [
                    i32x4_shuffle::<0, 1, 4, 5>(t0, t1),
                    i32x4_shuffle::<2, 3, 6, 7>(t0, t1),
                    i32x4_shuffle::<0, 1, 4, 5>(t2, t3),
                    i32x4_shuffle::<2, 3, 6, 7>(t2, t3),
                ];
                for (c, column) in columns.into_iter().enumerate() {
                    v128_store(dst.add((i + c) * PANEL + half * 4) as *mut v128, column);
                }
            }
        }
    }
}

/// Tiles whose accumulators one walk over a panel keeps (64 tokens × 8 outputs: 2 KB, in L1).
const GROUP_TILES: usize = 16;

/// Every row of x (`tokens` × k, row-major) times one k × 8 f32 panel (k-major: 8 values per
/// k): `row(token, values)` receives each token's 8 outputs.
///
/// The panel is walked once per 64 tokens, in blocks of a few inputs, each block multiplied
/// into every tile's accumulators (kept in memory between blocks) while it is in L1 — not once
/// per tile of 4 tokens. A panel that comes from memory (MiniLM's 42 MB of f32 weights are
/// more than a 32 MB L3 holds) then streams in one forward pass, which the hardware prefetcher
/// follows; walking it again for every tile kept restarting that stream
/// (docs/performance.md#the-encoders-f32-products-walk-each-panel-once).
pub fn panel_product(
    x: &[f32],
    tokens: usize,
    k: usize,
    panel: &[f32],
    mut row: impl FnMut(usize, &mut [f32; PANEL]),
) {
    assert!(panel.len() >= k * PANEL && x.len() >= tokens * k);
    for group in (0..tokens).step_by(GROUP_TILES * TILE_ROWS) {
        let group_tokens = (GROUP_TILES * TILE_ROWS).min(tokens - group);
        let mut tiles = [[[0f32; PANEL]; TILE_ROWS]; GROUP_TILES];
        for start in (0..k).step_by(BLOCK_INPUTS) {
            let inputs = start..k.min(start + BLOCK_INPUTS);
            for (t, tile) in tiles
                .iter_mut()
                .enumerate()
                .take(group_tokens.div_ceil(TILE_ROWS))
            {
                let first = group + t * TILE_ROWS;
                let rows = TILE_ROWS.min(tokens - first);
                add_block_product(&x[first * k..], k, rows, panel, inputs.clone(), tile);
            }
        }
        // The tiles' rows are the group's tokens in order.
        for (i, values) in tiles.iter_mut().flatten().take(group_tokens).enumerate() {
            row(group + i, values);
        }
    }
}

/// Inputs per block of a panel walk: 16 (512 bytes of the panel) measured fastest in the page,
/// against 8, 32 and 64 (docs/performance.md); the accumulators' loads and stores are then 16
/// for every 128 multiply-adds.
const BLOCK_INPUTS: usize = 16;

/// Adds to `tile` the products of `rows` (≤ 4) rows of x (each `k` long) with one k × 8 panel,
/// over the panel's inputs in `inputs` only.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn add_block_product(
    x: &[f32],
    k: usize,
    rows: usize,
    panel: &[f32],
    inputs: std::ops::Range<usize>,
    tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
    for (r, acc) in tile.iter_mut().take(rows).enumerate() {
        for i in inputs.clone() {
            let xi = x[r * k + i];
            for (a, wj) in acc.iter_mut().zip(&panel[i * PANEL..][..PANEL]) {
                *a += xi * wj;
            }
        }
    }
}

/// The same with wasm simd128: 4 rows × 2 vectors of accumulators, each weight vector loaded
/// once per input and each activation broadcast once (fused where relaxed SIMD is on).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn add_block_product(
    x: &[f32],
    k: usize,
    rows: usize,
    panel: &[f32],
    inputs: std::ops::Range<usize>,
    tile: &mut [[f32; PANEL]; TILE_ROWS],
) {
    use core::arch::wasm32::*;
    assert!(inputs.end <= k && panel.len() >= k * PANEL && x.len() >= rows * k);
    assert!((1..=TILE_ROWS).contains(&rows));
    // Rows past `rows` read row 0 again (their results are discarded), so the loop has no
    // branches.
    let start = |r: usize| if r < rows { r * k } else { 0 };
    let (s0, s1, s2, s3) = (start(0), start(1), start(2), start(3));
    // SAFETY: the asserts above bound every read: x at s_r + i < rows · k, the panel at
    // i · 8 + 8 ≤ k · 8; the tile is 4 rows of 8 f32 (2 vectors each); v128 loads and stores
    // allow unaligned addresses.
    unsafe {
        let acc = tile.as_mut_ptr() as *mut v128;
        let (mut a0, mut b0, mut a1, mut b1) = (
            v128_load(acc),
            v128_load(acc.add(1)),
            v128_load(acc.add(2)),
            v128_load(acc.add(3)),
        );
        let (mut a2, mut b2, mut a3, mut b3) = (
            v128_load(acc.add(4)),
            v128_load(acc.add(5)),
            v128_load(acc.add(6)),
            v128_load(acc.add(7)),
        );
        let w = panel.as_ptr();
        let xs = x.as_ptr();
        for i in inputs {
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
            v128_store(acc.add(2 * r), lo);
            v128_store(acc.add(2 * r + 1), hi);
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
