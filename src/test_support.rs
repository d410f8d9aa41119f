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

/// A rows × cols matrix of deterministic pseudo-random values (about ±0.1) in GGML format
/// `dtype`, as bytes, and the same matrix dequantized by candle (an independent reader of the
/// format): for testing our own readers and kernels.
pub fn quantized_matrix(
    rows: usize,
    cols: usize,
    dtype: candle_core::quantized::GgmlDType,
) -> (Vec<u8>, Tensor) {
    let values: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 7919 % 1013) as f32 / 1013.0 - 0.45) * 0.2 * (1.0 + (i % 7) as f32 / 7.0))
        .collect();
    let device = candle_core::Device::Cpu;
    let dense = Tensor::from_vec(values, (rows, cols), &device).unwrap();
    let q = candle_core::quantized::QTensor::quantize(&dense, dtype).unwrap();
    (q.data().unwrap().to_vec(), q.dequantize(&device).unwrap())
}
