//! Linear layers over f32 weights (MiniLM's, as published): each matrix packed once, at load,
//! into the panels of [`crate::kernels::panel`] and multiplied by its f32 register tile.

use crate::kernels::panel::{pack_panel, panel_product, PanelLinear, Panels, PANEL};

/// `x · Wᵀ + b` over f32 panels.
pub type F32Linear = PanelLinear<F32Panels>;

/// f32 weights in panels: each panel `inputs` rows of 8 values (k-major), the last panel padded
/// with zero columns. Kept in cache lines so that every panel of an even number of inputs
/// starts on one and no 16-byte load of a weight vector straddles two (in wasm the allocator
/// aligns a `Vec<f32>` to 8 bytes only).
pub struct F32Panels {
    inputs: usize,
    lines: Vec<CacheLine>,
    len: usize,
}

/// 64 bytes of weights, aligned as a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct CacheLine([f32; 16]);

impl F32Panels {
    fn values(&self) -> &[f32] {
        // SAFETY: `lines` holds at least `len` f32 values, contiguous (repr(C), no padding).
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr() as *const f32, self.len) }
    }
}

impl Panels for F32Panels {
    /// The values as they are, with their number of tokens.
    type Input<'x> = (&'x [f32], usize);

    fn pack(rows: &[f32], outputs: usize, inputs: usize) -> Self {
        let len = outputs.div_ceil(PANEL) * inputs * PANEL;
        let mut lines = vec![CacheLine([0.0; 16]); len.div_ceil(16)];
        // SAFETY: as in `values`, mutably; `lines` is not touched while this borrow lives.
        let values = unsafe { std::slice::from_raw_parts_mut(lines.as_mut_ptr() as *mut f32, len) };
        if inputs > 0 {
            for (panel, rows) in values
                .chunks_exact_mut(inputs * PANEL)
                .zip(rows.chunks(inputs * PANEL))
            {
                pack_panel(rows, inputs, panel);
            }
        }
        Self { inputs, lines, len }
    }

    fn prepare<'x>(&self, x: &'x [f32], tokens: usize) -> (&'x [f32], usize) {
        (x, tokens)
    }

    fn panel_product(
        &self,
        &(x, tokens): &(&[f32], usize),
        p: usize,
        row: impl FnMut(usize, &mut [f32; PANEL]),
    ) {
        let k = self.inputs;
        panel_product(
            x,
            tokens,
            k,
            &self.values()[p * k * PANEL..][..k * PANEL],
            row,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::{Device, Module, Tensor};

    #[test]
    fn equals_candles_matmul_and_activation_for_every_remainder_of_rows_and_columns() {
        let device = Device::Cpu;
        for (tokens, inputs, outputs) in [
            (1, 8, 8),
            (3, 16, 13),
            (4, 32, 16),
            (9, 24, 20),
            (37, 300, 20),
            // More tokens than one walk of a panel keeps (64), inputs not a whole block.
            (70, 40, 9),
        ] {
            let w = Tensor::randn(0f32, 1., (outputs, inputs), &device).unwrap();
            let b = Tensor::randn(0f32, 1., outputs, &device).unwrap();
            let x = Tensor::randn(0f32, 1., (2, tokens, inputs), &device).unwrap();
            let layer = F32Linear::new(&w, &b).unwrap();
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
