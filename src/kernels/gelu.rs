//! GELU in its two forms: the exact (erf) one BERT uses, computed with a rational approximation
//! of erf that the compiler vectorises, and the tanh one of Gemma's feed-forward block, through
//! the branch-free `exp` (libm's `tanh` is a call per value in wasm). candle's `gelu_erf` calls libm's scalar `erf` (which itself
//! calls `exp`) per value, a visible share of MiniLM's time in the page (docs/performance.md).
//! The approximation is Eigen's `generic_fast_erf_float`
//! (<https://gitlab.com/libeigen/eigen/-/blob/master/Eigen/src/Core/MathFunctionsImpl.h>;
//! within 4e-7 of erf, a few float ulps; ±1 beyond ±4).

use candle_core::{Result, Tensor};

use crate::kernels::attention::exp;
use crate::kernels::tensor_values::with_values;

const ALPHA: [f32; 7] = [
    -2.726_142_3e-10,
    2.770_681_4e-8,
    -2.101_024e-6,
    -5.692_506_4e-5,
    -7.349_906_3e-4,
    -2.954_600_1e-3,
    -1.609_603_3e-2,
];
const BETA: [f32; 5] = [
    -1.456_607_2e-5,
    -2.133_740_6e-4,
    -1.682_827e-3,
    -7.373_329_2e-3,
    -1.426_474e-2,
];

/// erf(x) to within 4e-7.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = ALPHA.iter().fold(0.0, |acc, &a| acc * x2 + a) * x;
    let q = BETA.iter().fold(0.0, |acc, &b| acc * x2 + b);
    p / q
}

/// `v · Φ(v)`, GELU of one value.
#[inline(always)]
pub fn gelu(v: f32) -> f32 {
    0.5 * v * (1.0 + erf(v * std::f32::consts::FRAC_1_SQRT_2))
}

/// GELU's tanh form, as candle's `gelu` and llama.cpp's `ggml_gelu`:
/// 0.5 · v · (1 + tanh(√(2/π) · v · (1 + 0.044715 · v²))), with tanh y = 1 − 2 / (e^{2y} + 1).
#[inline(always)]
pub fn gelu_tanh(v: f32) -> f32 {
    const SQRT_TWO_OVER_PI: f32 = 0.797_884_6;
    let y = SQRT_TWO_OVER_PI * v * (1.0 + 0.044_715 * v * v);
    let tanh = 1.0 - 2.0 / (exp(2.0 * y) + 1.0);
    0.5 * v * (1.0 + tanh)
}

/// GELU of every value of `x`.
pub fn gelu_erf(x: &Tensor) -> Result<Tensor> {
    let values: Vec<f32> = with_values(x, |values| values.iter().map(|&v| gelu(v)).collect())?;
    Tensor::from_vec(values, x.shape(), x.device())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::worst_on_grid;
    use candle_core::Device;

    /// i / 100 for each i of `range`, as a tensor.
    fn hundredths(range: std::ops::Range<i32>) -> Tensor {
        let values: Vec<f32> = range.map(|i| i as f32 / 100.0).collect();
        Tensor::from_vec(values.clone(), values.len(), &Device::Cpu).unwrap()
    }

    #[test]
    fn erf_matches_libm_and_gelu_matches_candle() {
        let worst = worst_on_grid(-6000..=6000, |x| (erf(x) as f64 - libm_erf(x as f64)).abs());
        assert!(worst < 5e-7, "erf off by {worst}");
        let x = hundredths(-600..600);
        let ours: Vec<f32> = gelu_erf(&x).unwrap().to_vec1().unwrap();
        let candle: Vec<f32> = x.gelu_erf().unwrap().to_vec1().unwrap();
        for (a, b) in ours.iter().zip(&candle) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn gelu_tanh_matches_candle() {
        let x = hundredths(-3000..3000);
        let candle: Vec<f32> = x.gelu().unwrap().to_vec1().unwrap();
        let values: Vec<f32> = x.to_vec1().unwrap();
        for (v, c) in values.iter().zip(&candle) {
            let ours = gelu_tanh(*v);
            assert!(
                (ours - c).abs() <= 1e-6 * c.abs().max(1.0),
                "{v}: {ours} vs {c}"
            );
        }
    }

    /// libm's f64 erf (through candle), independent of the approximation above.
    fn libm_erf(x: f64) -> f64 {
        candle_core::cpu::erf::erf_f64(x)
    }
}
