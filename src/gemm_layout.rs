//! Linear weights stored transposed, so gemm reads them as they lie. candle's `Linear`
//! computes x·Wᵀ with W kept (out, in); gemm then repacks Wᵀ on every call — about a quarter
//! of the encoder's time in the browser. Here the tensor handed to the model is still
//! (out, in), but its storage is (in, out): the model code is unchanged, and its `w.t()` is a
//! contiguous (in, out) matrix that gemm uses in place.

use candle_core::{DType, Device, Result, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::Init;

pub struct TransposedLinears<B> {
    inner: B,
}

impl<B> TransposedLinears<B> {
    pub fn new(inner: B) -> Self {
        Self { inner }
    }
}

/// 2-D weights other than embedding tables (which are read row by row).
fn is_linear(name: &str, tensor: &Tensor) -> bool {
    tensor.rank() == 2 && name.ends_with(".weight") && !name.contains("embeddings")
}

fn relaid(name: &str, tensor: Tensor) -> Result<Tensor> {
    if is_linear(name, &tensor) {
        tensor.t()?.contiguous()?.t()
    } else {
        Ok(tensor)
    }
}

impl<B: SimpleBackend> SimpleBackend for TransposedLinears<B> {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        hints: Init,
        dtype: DType,
        device: &Device,
    ) -> Result<Tensor> {
        relaid(name, self.inner.get(shape, name, hints, dtype, device)?)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, device: &Device) -> Result<Tensor> {
        relaid(name, self.inner.get_unchecked(name, dtype, device)?)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.inner.contains_tensor(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::safetensors::SliceSafetensors;
    use candle_nn::{Linear, Module, VarBuilder};
    use std::collections::HashMap;

    #[test]
    fn weights_keep_their_values_and_shape_but_transpose_their_storage() {
        let w = Tensor::arange(0f32, 12., &Device::Cpu)
            .unwrap()
            .reshape((3, 4))
            .unwrap();
        let table = Tensor::arange(0f32, 8., &Device::Cpu)
            .unwrap()
            .reshape((4, 2))
            .unwrap();
        let tensors = HashMap::from([
            ("dense.weight".to_string(), w.clone()),
            ("word_embeddings.weight".to_string(), table),
        ]);
        let path =
            std::env::temp_dir().join(format!("gemm-layout-{}.safetensors", std::process::id()));
        candle_core::safetensors::save(&tensors, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let vb = VarBuilder::from_backend(
            Box::new(TransposedLinears::new(
                SliceSafetensors::new(&bytes).unwrap(),
            )),
            DType::F32,
            Device::Cpu,
        );
        let loaded = vb.get((3, 4), "dense.weight").unwrap();
        assert_eq!(
            loaded.to_vec2::<f32>().unwrap(),
            w.to_vec2::<f32>().unwrap()
        );
        assert!(!loaded.is_contiguous() && loaded.t().unwrap().is_contiguous());
        assert!(vb
            .get((4, 2), "word_embeddings.weight")
            .unwrap()
            .is_contiguous());
        let x = Tensor::ones((2, 4), DType::F32, &Device::Cpu).unwrap();
        let y = Linear::new(loaded, None).forward(&x).unwrap();
        assert_eq!(y.to_vec2::<f32>().unwrap(), vec![vec![6., 22., 38.]; 2]);
    }
}
