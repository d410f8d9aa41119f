//! A generation's attention memory: the keys and values of every position the decoder has read,
//! per layer, as rows (one per position) of kv_heads × head_dim f32 values — the layout the
//! projections produce, so a token's keys are appended as they come, and the layout a decoded
//! token's attention (`kernels::cached_attention`) reads without copying. candle's `KvCache`
//! keeps (heads, positions) tensors that each token had to be copied into and back out of.

/// The cache grows by room for this many positions at a time.
const CHUNK: usize = 512;

pub struct Cache {
    layers: Vec<LayerCache>,
}

/// One layer's keys and values, `width` values per position.
pub struct LayerCache {
    width: usize,
    keys: Vec<f32>,
    values: Vec<f32>,
}

impl Cache {
    pub fn new(layers: usize, width: usize) -> Self {
        Self {
            layers: (0..layers)
                .map(|_| LayerCache {
                    width,
                    keys: Vec::new(),
                    values: Vec::new(),
                })
                .collect(),
        }
    }

    /// Positions already in the cache; the next token goes at this position.
    pub fn len(&self) -> usize {
        self.layers
            .first()
            .map_or(0, |layer| layer.keys.len() / layer.width.max(1))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn layers_mut(&mut self) -> std::slice::IterMut<'_, LayerCache> {
        self.layers.iter_mut()
    }
}

impl LayerCache {
    /// Adds the rows of `keys` and `values` (as many positions each).
    pub fn append(&mut self, keys: &[f32], values: &[f32]) {
        for (cache, new) in [(&mut self.keys, keys), (&mut self.values, values)] {
            if cache.len() + new.len() > cache.capacity() {
                cache.reserve_exact(new.len().next_multiple_of(CHUNK * self.width.max(1)));
            }
            cache.extend_from_slice(new);
        }
    }

    /// The keys and the values of positions from `first` on, `width` values per position.
    pub fn from_position(&self, first: usize) -> (&[f32], &[f32]) {
        let start = first * self.width;
        (&self.keys[start..], &self.values[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_append_in_order_and_count_positions() {
        let mut cache = Cache::new(2, 3);
        assert!(cache.is_empty());
        for layer in cache.layers_mut() {
            layer.append(&[1., 2., 3., 4., 5., 6.], &[-1., -2., -3., -4., -5., -6.]);
            layer.append(&[7., 8., 9.], &[-7., -8., -9.]);
        }
        assert_eq!(cache.len(), 3);
        let layer = cache.layers_mut().nth(1).unwrap();
        assert_eq!(
            layer.from_position(2),
            (&[7., 8., 9.][..], &[-7., -8., -9.][..])
        );
        assert_eq!(layer.from_position(1).0, &[4., 5., 6., 7., 8., 9.]);
    }
}
