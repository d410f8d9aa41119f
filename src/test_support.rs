//! Helpers shared by the unit tests of several modules.

use candle_core::Tensor;

/// The largest absolute difference between two tensors of the same shape.
pub fn max_difference(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar()
        .unwrap()
}

/// The largest `error(x)` over x = i / 1000 for i in `thousandths`: the grid our function
/// approximations (erf, exp) are checked on.
pub fn worst_on_grid(
    thousandths: std::ops::RangeInclusive<i32>,
    error: impl Fn(f32) -> f64,
) -> f64 {
    thousandths
        .map(|i| error(i as f32 / 1000.0))
        .fold(0.0, f64::max)
}
