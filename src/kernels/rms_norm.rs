//! RMSNorm over rows of values, in place: each row divided by the root of its mean square (plus
//! ε) and multiplied by a weight per column, as candle's `rms_norm` and llama.cpp's
//! `ggml_rms_norm` followed by a multiplication. Our own so that a decoded token's layers run on
//! plain slices (`models::decoder_network`'s one-token path) and a prompt's on the same code:
//! candle's is a tensor operation with its own allocation per call, about 40 of which a token's
//! layers used to spend.

use candle_core::{Module, Tensor};

use crate::kernels::tensor_values::with_values;

pub struct RmsNorm {
    weight: Vec<f32>,
    eps: f32,
}

impl RmsNorm {
    pub fn new(weight: Vec<f32>, eps: f32) -> Self {
        Self { weight, eps }
    }

    /// The width of a row.
    pub fn width(&self) -> usize {
        self.weight.len()
    }

    /// Normalises every row (`width` values) of `values` in place.
    pub fn apply(&self, values: &mut [f32]) {
        for row in values.chunks_exact_mut(self.weight.len()) {
            // Squares summed in 8 lanes: a loop the compiler vectorises.
            let mut lanes = [0f32; 8];
            let groups = row.chunks_exact(8);
            let tail: f32 = groups.remainder().iter().map(|v| v * v).sum();
            for group in groups {
                for (lane, v) in lanes.iter_mut().zip(group) {
                    *lane += v * v;
                }
            }
            let mean = (lanes.iter().sum::<f32>() + tail) / row.len() as f32;
            let root = (mean + self.eps).sqrt();
            for (v, w) in row.iter_mut().zip(&self.weight) {
                *v = *v / root * w;
            }
        }
    }
}

impl Module for RmsNorm {
    /// Normalises x of shape (…, width) along its last dimension.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        if x.dims().last() != Some(&self.weight.len()) {
            candle_core::bail!("RMSNorm of width {} got shape {:?}", self.width(), x.dims());
        }
        let mut values = with_values(x, <[f32]>::to_vec)?;
        self.apply(&mut values);
        Tensor::from_vec(values, x.shape(), x.device())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::max_difference;
    use candle_core::Device;

    #[test]
    fn equals_candles_rms_norm() {
        let width = 37;
        let weight: Vec<f32> = (0..width).map(|i| 0.5 + i as f32 / 20.0).collect();
        // Fixed values from −4 to 4 (random ones made the test fail now and then: outputs reach
        // ~8, where two f32 summation orders differ by a few units of 1e-6).
        let values: Vec<f32> = (0..2 * 3 * width)
            .map(|i| ((i * 7919) % 101) as f32 / 12.5 - 4.0)
            .collect();
        let x = Tensor::from_vec(values, (2, 3, width), &Device::Cpu).unwrap();
        let ours = RmsNorm::new(weight.clone(), 1e-6).forward(&x).unwrap();
        let weight = Tensor::from_vec(weight, width, &Device::Cpu).unwrap();
        let candle = candle_nn::ops::rms_norm(&x, &weight, 1e-6).unwrap();
        let largest = candle
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(max_difference(&ours, &candle) <= 4.0 * f32::EPSILON * largest);
        assert!(RmsNorm::new(vec![1.0; 4], 1e-6).forward(&x).is_err());
    }
}
