//! Choosing the next token from the model's logits (repeat penalty, temperature, top-k,
//! top-p, a seeded random generator), and reading the model's own distribution for display.
//! The choice is candle's `LogitsProcessor`
//! (<https://github.com/huggingface/candle/blob/main/candle-transformers/src/generation/mod.rs>),
//! which, like this module, takes logits and knows no model.

use candle_core::{DType, Tensor, D};
use candle_transformers::generation::{LogitsProcessor, Sampling};
use candle_transformers::utils::apply_repeat_penalty;

use crate::error::Result;

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

/// Log-softmax of one row of logits: the model's own distribution, before any penalty,
/// temperature, top-k or top-p.
pub fn log_probs(logits: &Tensor) -> Result<Vec<f32>> {
    Ok(candle_nn::ops::log_softmax(&logits.to_dtype(DType::F32)?, D::Minus1)?.to_vec1()?)
}

/// The `k` most likely tokens, most likely first (ties by id).
pub fn top_candidates(log_probs: &[f32], k: usize) -> Vec<Candidate> {
    let mut ids: Vec<u32> = (0..log_probs.len() as u32).collect();
    let by_probability = |a: &u32, b: &u32| {
        log_probs[*b as usize]
            .total_cmp(&log_probs[*a as usize])
            .then(a.cmp(b))
    };
    let k = k.min(ids.len());
    if k < ids.len() && k > 0 {
        ids.select_nth_unstable_by(k - 1, by_probability);
    }
    ids.truncate(k);
    ids.sort_by(by_probability);
    ids.into_iter()
        .map(|id| Candidate {
            id,
            logprob: log_probs[id as usize],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn logits(values: &[f32]) -> Tensor {
        Tensor::new(values, &Device::Cpu).unwrap()
    }

    #[test]
    fn top_candidates_are_sorted_and_exact() {
        let lp = [-3.0, -0.5, -2.0, -0.5, -9.0];
        let top = top_candidates(&lp, 3);
        assert_eq!(top.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 3, 2]);
        assert_eq!(top_candidates(&lp, 10).len(), 5);
    }

    #[test]
    fn log_probs_sum_to_one() {
        let lp = log_probs(&logits(&[1.0, 2.0, 3.0])).unwrap();
        let total: f32 = lp.iter().map(|l| l.exp()).sum();
        assert!((total - 1.0).abs() < 1e-6);
        assert!((lp[2] - lp[1] - 1.0).abs() < 1e-6);
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
