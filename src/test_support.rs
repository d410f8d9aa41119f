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
