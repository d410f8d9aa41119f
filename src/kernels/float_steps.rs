//! Float steps the kernels repeat per value, written without libm: in wasm `f32::max` and
//! `f32::round` are calls per value (their NaN and tie rules differ from wasm's own `max` and
//! `nearest` instructions), which showed up in profiles of rounding activations.

/// The largest |v| in `values` (0 for none), by comparisons in 8 lanes.
pub fn largest_magnitude(values: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail = chunks
        .remainder()
        .iter()
        .fold(0f32, |m, v| if v.abs() > m { v.abs() } else { m });
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            let v = v.abs();
            *lane = if v > *lane { v } else { *lane };
        }
    }
    lanes.iter().fold(tail, |m, &v| if v > m { v } else { m })
}

/// `x.round()` (halves away from zero, as C's `roundf` that llama.cpp rounds with) through
/// wasm's `trunc`, `abs` and `copysign` instructions. Exact: `x − trunc(x)` is representable.
#[inline(always)]
pub fn round_half_away(x: f32) -> f32 {
    let whole = x.trunc();
    if (x - whole).abs() >= 0.5 {
        whole + 1f32.copysign(x)
    } else {
        whole
    }
}

/// SiLU, v · σ(v) (the feed-forward gate of Llama and Qwen), through the branch-free `exp`.
#[inline(always)]
pub fn silu(v: f32) -> f32 {
    v / (1.0 + crate::kernels::attention::exp(-v))
}

/// log Σ e^v over `values` (−∞ for none): the normaliser of a softmax, as a vocabulary's
/// distribution needs on every token (262,144 values for Gemma). The largest value by
/// comparisons, e^(v − max) by the branch-free [`exp`](crate::kernels::attention::exp) (libm's
/// is a call per value in wasm), summed in f32 in 8 lanes within chunks of 1,024 and the chunks
/// in f64, so that neither the loop's vectorising nor the sum's precision is lost.
pub fn log_sum_exp(values: &[f32]) -> f32 {
    use crate::kernels::attention::exp;
    let max = values
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    if max == f32::NEG_INFINITY {
        return max;
    }
    let total: f64 = values
        .chunks(1024)
        .map(|chunk| {
            let mut lanes = [0f32; 8];
            let groups = chunk.chunks_exact(8);
            let tail: f32 = groups.remainder().iter().map(|&v| exp(v - max)).sum();
            for group in groups {
                for (lane, &v) in lanes.iter_mut().zip(group) {
                    *lane += exp(v - max);
                }
            }
            f64::from(lanes.iter().sum::<f32>() + tail)
        })
        .sum();
    max + total.ln() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_exactly_as_f32_round() {
        let special = [
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            -2.5,
            0.499_999_97,
            -0.499_999_97,
            126.5,
            -126.5,
            8_388_607.5,
            8_388_608.0,
            1e30,
            -0.0,
            0.0,
        ];
        let grid = (-130_000..=130_000).map(|i| i as f32 / 1000.0);
        for x in special.into_iter().chain(grid) {
            assert_eq!(round_half_away(x).to_bits(), x.round().to_bits(), "{x}");
        }
    }

    #[test]
    fn finds_the_largest_magnitude_in_every_lane_and_the_tail() {
        for len in 0..20 {
            for at in 0..len {
                let mut values: Vec<f32> = (0..len).map(|i| (i % 3) as f32 - 1.0).collect();
                values[at] = -7.5;
                assert_eq!(largest_magnitude(&values), 7.5, "{len} {at}");
            }
        }
        assert_eq!(largest_magnitude(&[]), 0.0);
    }
    #[test]
    fn silu_matches_candle() {
        use candle_core::{Device, Tensor};
        let values: Vec<f32> = (-10_000..10_000).map(|i| i as f32 / 100.0).collect();
        let x = Tensor::from_slice(&values, values.len(), &Device::Cpu).unwrap();
        let candle: Vec<f32> = candle_nn::ops::silu(&x).unwrap().to_vec1().unwrap();
        for (v, c) in values.iter().zip(&candle) {
            assert!((silu(*v) - c).abs() <= 1e-6 * c.abs().max(1.0), "{v}");
        }
    }

    #[test]
    fn log_sum_exp_matches_the_sum_in_f64() {
        let values: Vec<f32> = (0..262_144)
            .map(|i| ((i * 7919 % 4001) as f32 / 100.0) - 30.0)
            .collect();
        let max = values.iter().fold(f64::MIN, |m, &v| m.max(f64::from(v)));
        let exact = max
            + values
                .iter()
                .map(|&v| (f64::from(v) - max).exp())
                .sum::<f64>()
                .ln();
        assert!((f64::from(log_sum_exp(&values)) - exact).abs() < 1e-5);
        assert_eq!(log_sum_exp(&[]), f32::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[2.0]), 2.0);
    }
}
