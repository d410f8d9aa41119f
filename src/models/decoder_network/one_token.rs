//! One decoded token through the network, on plain slices: the same graph as the prompt's path
//! in `decoder_network`, without a tensor per step. A token's layers are small — Gemma 3 270M's
//! 18 layers read about 60 MB of weights, and its 262,144-row output layer three times that — so
//! through candle each layer's ~40 tensor operations (an allocation, a layout check and a strided
//! walk each; the KV cache copied in and out) cost as much as its matrix products and did not
//! shrink with threads. Here the buffers are reused across layers, each projection that shares an
//! input is one product split over the threads (`ggml_linear::token_products`: q, k and v; gate
//! and up), and attention reads the cache where it lies (`kernels::cached_attention`).

use candle_core::Tensor;

use super::{DecoderNetwork, Linear};
use crate::error::Result;
use crate::kernels::cached_attention::{cached_attention, Heads};
use crate::kernels::ggml_linear::token_products;
use crate::kernels::rotary::Rotary;
use crate::models::kv_cache::Cache;

/// One token's products with `linears` that share the input `x`, biases added.
fn products<const N: usize>(x: &[f32], linears: [(&Linear, &mut [f32]); N]) -> Result<()> {
    let with_bias = linears.each_ref().map(|(linear, _)| *linear);
    let mut products = linears.map(|(linear, out)| (&linear.weight, out));
    token_products(x, &mut products)?;
    for ((_, out), linear) in products.iter_mut().zip(with_bias) {
        linear.add_bias(out);
    }
    Ok(())
}

/// `x += y`, value by value.
fn add(x: &mut [f32], y: &[f32]) {
    for (x, y) in x.iter_mut().zip(y) {
        *x += y;
    }
}

impl DecoderNetwork {
    /// `token` at the position after those in `cache` (which grows by it): its final
    /// normalised hidden state, (1, hidden).
    pub(super) fn forward_token(&self, token: u32, cache: &mut Cache) -> Result<Tensor> {
        let c = &self.config;
        let position = cache.len();
        let mut x: Vec<f32> = self.embedding.rows_of(&[token])?.flatten_all()?.to_vec1()?;
        if let Some(scale) = c.embedding_scale {
            x.iter_mut().for_each(|v| *v *= scale);
        }
        let rotary = Rotary::new(&self.inverse, position, 1);
        let rotary_local = self
            .inverse_local
            .as_ref()
            .map(|inverse| Rotary::new(inverse, position, 1));
        let shape = Heads {
            heads: c.heads,
            kv_heads: c.kv_heads,
            head_dim: c.head_dim,
            scale: 1.0 / (c.head_dim as f32).sqrt(),
        };
        let buffer = |len: usize| vec![0f32; len];
        let (mut h, mut out) = (buffer(c.hidden), buffer(c.hidden));
        let (mut q, mut attended) = (buffer(c.heads * c.head_dim), buffer(c.heads * c.head_dim));
        let (mut k, mut v) = (
            buffer(c.kv_heads * c.head_dim),
            buffer(c.kv_heads * c.head_dim),
        );
        let (mut gate, mut up) = (buffer(c.feed_forward), buffer(c.feed_forward));
        for (i, (layer, kv)) in self.layers.iter().zip(cache.layers_mut()).enumerate() {
            let window = c.window_of(i).map(|w| w.window);
            let rotary = match (window, &rotary_local) {
                (Some(_), Some(local)) => local,
                _ => &rotary,
            };
            h.copy_from_slice(&x);
            layer.attn_norm.apply(&mut h);
            products(
                &h,
                [
                    (&layer.wq, &mut q),
                    (&layer.wk, &mut k),
                    (&layer.wv, &mut v),
                ],
            )?;
            self.position_heads(layer, &mut q, &mut k, rotary);
            kv.append(&k, &v);
            let first = window.map_or(0, |w| (position + 1).saturating_sub(w));
            let (keys, values) = kv.from_position(first);
            cached_attention(shape, &q, keys, values, &mut attended);
            products(&attended, [(&layer.wo, &mut out)])?;
            if let Some(norm) = &layer.post_attn_norm {
                norm.apply(&mut out);
            }
            add(&mut x, &out);
            h.copy_from_slice(&x);
            layer.ffn_norm.apply(&mut h);
            products(&h, [(&layer.gate, &mut gate), (&layer.up, &mut up)])?;
            self.gate_in_place(&mut gate, &up);
            products(&gate, [(&layer.down, &mut out)])?;
            if let Some(norm) = &layer.post_ffn_norm {
                norm.apply(&mut out);
            }
            add(&mut x, &out);
        }
        self.norm.apply(&mut x);
        Ok(Tensor::from_vec(x, (1, c.hidden), &self.device)?)
    }
}
