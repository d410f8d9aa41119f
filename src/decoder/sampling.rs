//! Choosing the next token from the model's logits (repeat penalty, temperature, top-k,
//! top-p, a seeded random generator), and reading the model's own distribution for display.
//! The choice is candle's `LogitsProcessor`
//! (<https://github.com/huggingface/candle/blob/main/candle-transformers/src/generation/mod.rs>),
//! which, like this module, takes logits and knows no model.

use candle_core::{DType, Tensor};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use candle_transformers::utils::apply_repeat_penalty;

use crate::error::Result;
use crate::kernels::float_steps::log_sum_exp;

/// How a generation samples. The neutral value of each knob turns it off.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplingOptions {
    /// 0 = greedy (always the most likely token).
    pub temperature: f64,
    /// Keep only the k most likely tokens; 0 = off.
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probabilities reach p; 1 = off.
    pub top_p: f64,
    /// Divide the logits of recently seen tokens by this; 1 = off.
    pub repeat_penalty: f32,
    /// How many recent tokens the repeat penalty looks at.
    pub repeat_last_n: usize,
    pub seed: u64,
}

impl Default for SamplingOptions {
    fn default() -> Self {
        Self {
            temperature: 0.0,
            top_k: 0,
            top_p: 1.0,
            repeat_penalty: 1.0,
            repeat_last_n: 64,
            seed: 42,
        }
    }
}

pub struct Sampler {
    processor: LogitsProcessor,
    options: SamplingOptions,
}

impl Sampler {
    pub fn new(options: &SamplingOptions) -> Self {
        let temperature = options.temperature;
        let top_k = (options.top_k > 0).then_some(options.top_k);
        let top_p = (options.top_p > 0.0 && options.top_p < 1.0).then_some(options.top_p);
        let sampling = match (temperature <= 0.0, top_k, top_p) {
            (true, _, _) => Sampling::ArgMax,
            (false, None, None) => Sampling::All { temperature },
            (false, Some(k), None) => Sampling::TopK { k, temperature },
            (false, None, Some(p)) => Sampling::TopP { p, temperature },
            (false, Some(k), Some(p)) => Sampling::TopKThenTopP { k, p, temperature },
        };
        Self {
            processor: LogitsProcessor::from_sampling(options.seed, sampling),
            options: options.clone(),
        }
    }

    /// The next token, given one row of logits and the tokens so far.
    pub fn choose(&mut self, logits: &Tensor, history: &[u32]) -> Result<u32> {
        let logits = logits.to_dtype(DType::F32)?;
        let logits = if self.options.repeat_penalty == 1.0 {
            logits
        } else {
            let recent = &history[history.len().saturating_sub(self.options.repeat_last_n)..];
            apply_repeat_penalty(&logits, self.options.repeat_penalty, recent)?
        };
        Ok(self.processor.sample(&logits)?)
    }
}

/// A token and the log-probability the model gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub id: u32,
    pub logprob: f32,
}

/// The model's own distribution over one row of logits, before any penalty, temperature, top-k
/// or top-p: log-probabilities as `logit − log Σ exp(logits)` ([`log_sum_exp`]). Computed in
/// two passes over the row rather than as a log-softmax tensor: for Gemma's 262,144-token vocabulary candle's
/// `log_softmax` (six tensor operations, each a pass and an allocation) and a sort for the top
/// alternatives took several milliseconds of every token, on one thread (docs/performance.md).
pub struct Distribution {
    logits: Vec<f32>,
    log_total: f32,
}

impl Distribution {
    pub fn new(logits: &Tensor) -> Result<Self> {
        let logits: Vec<f32> = logits.to_dtype(DType::F32)?.to_vec1()?;
        Ok(Self {
            log_total: log_sum_exp(&logits),
            logits,
        })
    }

    /// log P(id).
    pub fn logprob(&self, id: u32) -> f32 {
        self.logits[id as usize] - self.log_total
    }

    /// The `k` most likely tokens, most likely first (ties by id), in one pass over the row.
    /// Once `k` are held, a chunk of the row whose largest logit is not above the last of them
    /// is passed over after one vectorised maximum: nothing in it can enter (an equal logit
    /// comes later, so its id is larger). Most of a 49,152- or 262,144-token row is such
    /// chunks, and the logit lens reads one row per layer and position.
    pub fn top(&self, k: usize) -> Vec<Candidate> {
        const CHUNK: usize = 64;
        let mut top: Vec<u32> = Vec::with_capacity(k + 1);
        // Before `b` in the order: more likely, or as likely with a smaller id.
        let before = |a: u32, b: u32| {
            self.logits[a as usize]
                .total_cmp(&self.logits[b as usize])
                .then(b.cmp(&a))
                .is_gt()
        };
        for (c, chunk) in self.logits.chunks(CHUNK).enumerate() {
            if top.len() == k
                && top.last().is_some_and(|&last| {
                    let largest = chunk.iter().map(|&v| total_order_key(v)).max();
                    largest <= Some(total_order_key(self.logits[last as usize]))
                })
            {
                continue;
            }
            for id in (c * CHUNK) as u32..(c * CHUNK + chunk.len()) as u32 {
                if top.len() == k && top.last().is_none_or(|&last| !before(id, last)) {
                    continue;
                }
                let at = top.partition_point(|&t| before(t, id));
                top.insert(at, id);
                top.truncate(k);
            }
        }
        top.into_iter()
            .map(|id| Candidate {
                id,
                logprob: self.logprob(id),
            })
            .collect()
    }
}

/// An integer that orders f32s as [`f32::total_cmp`] does (its own transformation of the bits),
/// so that a chunk's largest is a plain integer maximum, which vectorises.
fn total_order_key(v: f32) -> i32 {
    let bits = v.to_bits() as i32;
    bits ^ (((bits >> 31) as u32) >> 1) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, D};

    fn logits(values: &[f32]) -> Tensor {
        Tensor::new(values, &Device::Cpu).unwrap()
    }

    #[test]
    fn the_top_candidates_are_sorted_and_exact() {
        let distribution = Distribution::new(&logits(&[-3.0, -0.5, -2.0, -0.5, -9.0])).unwrap();
        let top = distribution.top(3);
        assert_eq!(top.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 3, 2]);
        assert_eq!(top[0].logprob, distribution.logprob(1));
        assert_eq!(distribution.top(10).len(), 5);
        assert!(distribution.top(0).is_empty());
    }

    #[test]
    fn the_distribution_sums_to_one_and_matches_candles_log_softmax() {
        let values: Vec<f32> = (0..5000)
            .map(|i| ((i * 7919 % 1000) as f32 / 40.0) - 10.0)
            .collect();
        let distribution = Distribution::new(&logits(&values)).unwrap();
        let total: f64 = (0..5000)
            .map(|id| f64::from(distribution.logprob(id).exp()))
            .sum();
        assert!((total - 1.0).abs() < 1e-4, "{total}");
        let candle: Vec<f32> = candle_nn::ops::log_softmax(&logits(&values), D::Minus1)
            .unwrap()
            .to_vec1()
            .unwrap();
        for (id, expected) in candle.iter().enumerate() {
            assert!((distribution.logprob(id as u32) - expected).abs() < 1e-4);
        }
        // The top 10 are the 10 largest logits.
        let top: Vec<u32> = distribution.top(10).iter().map(|c| c.id).collect();
        assert_eq!(top, in_order(&values)[..10]);
    }

    /// Ids of `values`, largest first, ties by id: what `top` must agree with.
    fn in_order(values: &[f32]) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..values.len() as u32).collect();
        ids.sort_by(|&a, &b| {
            values[b as usize]
                .total_cmp(&values[a as usize])
                .then(a.cmp(&b))
        });
        ids
    }

    /// Chunks passed over must not hide a tie with a smaller id, an infinity or a NaN (which
    /// `total_cmp` puts above everything), wherever they fall.
    #[test]
    fn the_top_agrees_with_a_full_sort_on_ties_and_odd_values_in_any_chunk() {
        let mut values: Vec<f32> = (0..1000).map(|i| (i % 7) as f32).collect();
        for (at, v) in [(3, -0.0), (64, 0.0), (130, f32::NEG_INFINITY), (700, 6.0)] {
            values[at] = v;
        }
        let row = |values: &[f32]| Distribution {
            logits: values.to_vec(),
            log_total: 0.0,
        };
        for k in [1, 5, 64, 200] {
            let got: Vec<u32> = row(&values).top(k).iter().map(|c| c.id).collect();
            assert_eq!(got, in_order(&values)[..k], "k = {k}");
        }
        for (at, v) in [(999, f32::INFINITY), (500, f32::NAN), (63, f32::INFINITY)] {
            values[at] = v;
            let got: Vec<u32> = row(&values).top(5).iter().map(|c| c.id).collect();
            assert_eq!(got, in_order(&values)[..5]);
        }
    }

    #[test]
    fn greedy_takes_the_largest_logit() {
        let mut sampler = Sampler::new(&SamplingOptions::default());
        assert_eq!(sampler.choose(&logits(&[0.1, 5.0, 4.9]), &[]).unwrap(), 1);
    }

    #[test]
    fn the_repeat_penalty_can_change_the_greedy_choice() {
        let options = SamplingOptions {
            repeat_penalty: 1.5,
            ..Default::default()
        };
        let mut sampler = Sampler::new(&options);
        assert_eq!(sampler.choose(&logits(&[0.1, 5.0, 4.0]), &[1]).unwrap(), 2);
    }

    #[test]
    fn the_same_seed_gives_the_same_samples_and_top_k_limits_them() {
        let options = SamplingOptions {
            temperature: 1.0,
            top_k: 2,
            seed: 7,
            ..Default::default()
        };
        let row = logits(&[1.0, 1.0, 1.0, 1.0, 0.0, 2.0]);
        let draw = |options: &SamplingOptions| {
            let mut sampler = Sampler::new(options);
            (0..50)
                .map(|_| sampler.choose(&row, &[]).unwrap())
                .collect::<Vec<_>>()
        };
        let first = draw(&options);
        assert_eq!(first, draw(&options));
        // Top-2 keeps token 5 and one of the tied ones.
        let distinct: std::collections::BTreeSet<u32> = first.iter().copied().collect();
        assert!(distinct.len() <= 2 && distinct.contains(&5), "{distinct:?}");
        assert_ne!(first, draw(&SamplingOptions { seed: 8, ..options }));
    }
}
