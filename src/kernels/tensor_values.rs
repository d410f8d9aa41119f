//! Reading a tensor's f32 values where they lie, instead of a copy of every input
//! (`flatten_all()?.to_vec1()`), which showed in the encoder's profile; and the shape handling
//! every linear layer shares ([`apply_rows`]).

use candle_core::{Storage, Tensor};

/// Runs `read` on the values of `x`, row-major: in place when `x` is a contiguous f32 tensor on
/// the CPU (all our kernels' inputs are), on a copy otherwise.
pub fn with_values<R>(x: &Tensor, read: impl FnOnce(&[f32]) -> R) -> candle_core::Result<R> {
    {
        let (storage, layout) = x.storage_and_layout();
        if let (Storage::Cpu(cpu), Some((start, end))) = (&*storage, layout.contiguous_offsets()) {
            if let Ok(values) = cpu.as_slice::<f32>() {
                return Ok(read(&values[start..end]));
            }
        }
    }
    let copy: Vec<f32> = x
        .to_dtype(candle_core::DType::F32)?
        .flatten_all()?
        .to_vec1()?;
    Ok(read(&copy))
}

/// A linear layer's output for x of shape (…, inputs): `product(values, tokens)` gets x's
/// values (`tokens` rows of `inputs`) and returns tokens × outputs values, which come back as a
/// tensor of shape (…, outputs). An x of another width is refused, naming `layer`.
pub fn apply_rows(
    x: &Tensor,
    inputs: usize,
    outputs: usize,
    layer: &str,
    product: impl FnOnce(&[f32], usize) -> Vec<f32>,
) -> candle_core::Result<Tensor> {
    let dims = x.dims();
    if dims.last() != Some(&inputs) {
        candle_core::bail!("{layer} takes {inputs} inputs, got shape {dims:?}");
    }
    let mut out_dims = dims.to_vec();
    *out_dims.last_mut().expect("at least one dimension") = outputs;
    let y = with_values(x, |values| product(values, values.len() / inputs.max(1)))?;
    Tensor::from_vec(y, out_dims, x.device())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn reads_contiguous_views_in_place_and_others_through_a_copy() {
        let t = Tensor::arange(0f32, 12., &Device::Cpu)
            .unwrap()
            .reshape((3, 4))
            .unwrap();
        let row = t.narrow(0, 1, 1).unwrap();
        assert_eq!(with_values(&row, |v| v.to_vec()).unwrap(), [4., 5., 6., 7.]);
        let transposed = t.t().unwrap();
        assert_eq!(
            with_values(&transposed, |v| v[..3].to_vec()).unwrap(),
            [0., 4., 8.]
        );
        let ints = Tensor::new(&[1u32, 2], &Device::Cpu).unwrap();
        assert_eq!(with_values(&ints, |v| v.to_vec()).unwrap(), [1., 2.]);
    }
}
