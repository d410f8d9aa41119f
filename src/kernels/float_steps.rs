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
}
