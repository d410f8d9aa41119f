//! One run of the decoder over a prompt. The prompt is read in chunks, so a long one shows
//! progress and can be stopped; then each call to [`Generation::advance`] chooses one token.
//! The caller drives the loop, which lets a Web Worker stream tokens, pause after each one
//! (the Step button) and stop between any two.
//!
//! Scoring (teacher forcing) is the same pass: with `score_prompt` the prompt's chunks also
//! report, for every position, how likely the model found the token that actually came next.

use candle_core::IndexOp;
use serde::Serialize;

use crate::decoder::gguf_decoder::{Decoder, PREFILL_CHUNK};
use crate::decoder::sampling::{Candidate, Distribution, Sampler, SamplingOptions};
use crate::error::{Error, Result};
use crate::models::kv_cache::Cache;
/// Alternatives reported with every chosen or scored token.
pub const TOP_ALTERNATIVES: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    pub max_new_tokens: usize,
    pub sampling: SamplingOptions,
    /// Generation ends where the output first contains one of these (which is cut off).
    pub stop: Vec<String>,
    /// Report the log-probability of every prompt token given the ones before it.
    pub score_prompt: bool,
    /// Keep going after an end token (benchmarks want exactly `max_new_tokens`).
    pub ignore_end: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            max_new_tokens: 64,
            sampling: SamplingOptions::default(),
            stop: Vec::new(),
            score_prompt: false,
            ignore_end: false,
        }
    }
}

/// A candidate next token with the probability the model gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    pub id: u32,
    pub text: String,
    pub prob: f32,
}

/// One chosen token. Probabilities are the model's own softmax, before repeat penalty,
/// temperature, top-k and top-p.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: u32,
    /// What this token adds to the output: empty for an end token, or for a token that holds
    /// only part of a character (the token completing it carries the whole character).
    pub text: String,
    /// The token itself as a learner should see it (`<|im_end|>`, `<0xE4>`, ` Paris`).
    pub piece: String,
    pub prob: f32,
    /// The most likely tokens at this step, most likely first.
    pub top: Vec<Alternative>,
}

/// A prompt token scored given the tokens before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub id: u32,
    pub logprob: f32,
    pub top: Vec<Candidate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Finish {
    /// The model chose an end-of-turn or end-of-text token.
    End,
    /// `max_new_tokens` were generated.
    Length,
    /// A stop string appeared.
    Stop,
    /// The context window is full.
    Context,
}

/// What one call to [`Generation::advance`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Advance {
    /// Prompt tokens read so far, of `prompt_total`.
    pub prompt_done: usize,
    pub prompt_total: usize,
    /// Scores of the prompt tokens this call read (with `score_prompt`).
    pub scored: Vec<Scored>,
    pub step: Option<Step>,
    pub finished: Option<Finish>,
}

/// Output text built token by token, holding back bytes until they complete a character.
#[derive(Default)]
struct TextStream {
    ids: Vec<u32>,
    /// `ids[start..shown]` are already shown; decoding restarts at `start`.
    start: usize,
    shown: usize,
}

impl TextStream {
    fn push(&mut self, decoder: &Decoder, id: u32) -> Result<String> {
        self.ids.push(id);
        let before = decoder.decode(&self.ids[self.start..self.shown])?;
        let after = decoder.decode(&self.ids[self.start..])?;
        if after.len() <= before.len() || after.ends_with('\u{FFFD}') || !after.starts_with(&before)
        {
            return Ok(String::new());
        }
        self.start = self.shown;
        self.shown = self.ids.len();
        Ok(after[before.len()..].to_string())
    }
}

pub struct Generation {
    tokens: Vec<u32>,
    prompt_len: usize,
    fed: usize,
    cache: Cache,
    sampler: Sampler,
    options: GenerateOptions,
    stream: TextStream,
    output: String,
    finished: Option<Finish>,
}

impl Generation {
    /// Starts a run over `prompt` (token ids). A prompt that leaves no room in the context
    /// window for the tokens it asks for is refused.
    pub fn new(decoder: &Decoder, prompt: Vec<u32>, options: GenerateOptions) -> Result<Self> {
        if prompt.is_empty() {
            return Err(Error::EmptyPrompt);
        }
        decoder.check_ids(&prompt)?;
        let limit = decoder.context_length();
        if prompt.len() + usize::from(options.max_new_tokens > 0) > limit {
            return Err(Error::PromptTooLong {
                tokens: prompt.len(),
                limit,
            });
        }
        Ok(Self {
            prompt_len: prompt.len(),
            tokens: prompt,
            fed: 0,
            cache: decoder.model().new_cache(),
            sampler: Sampler::new(&options.sampling),
            options,
            stream: TextStream::default(),
            output: String::new(),
            finished: None,
        })
    }

    pub fn prompt_len(&self) -> usize {
        self.prompt_len
    }

    /// The generated token ids so far.
    pub fn generated(&self) -> &[u32] {
        &self.tokens[self.prompt_len..]
    }

    /// The generated text so far (stop strings cut off, end tokens left out).
    pub fn output(&self) -> &str {
        &self.output
    }

    pub fn finished(&self) -> Option<Finish> {
        self.finished
    }

    /// Reads the next chunk of the prompt or chooses the next token.
    pub fn advance(&mut self, decoder: &Decoder) -> Result<Advance> {
        let mut advance = Advance {
            prompt_done: self.fed.min(self.prompt_len),
            prompt_total: self.prompt_len,
            scored: Vec::new(),
            step: None,
            finished: self.finished,
        };
        if self.finished.is_some() {
            return Ok(advance);
        }
        let model = decoder.model();
        let logits = if self.fed < self.prompt_len {
            let end = (self.fed + PREFILL_CHUNK).min(self.prompt_len);
            let hidden = model.forward(&self.tokens[self.fed..end], &mut self.cache)?;
            let read = end - self.fed;
            let logits = if self.options.score_prompt {
                let all = model.logits(&hidden)?;
                advance.scored = self.score(&all, self.fed, end)?;
                all.i(read - 1)?
            } else {
                model.logits(&hidden.i(read - 1..read)?)?.squeeze(0)?
            };
            self.fed = end;
            advance.prompt_done = end;
            if end < self.prompt_len {
                return Ok(advance);
            }
            if self.options.max_new_tokens == 0 {
                self.finished = Some(Finish::Length);
                advance.finished = self.finished;
                return Ok(advance);
            }
            logits
        } else {
            let last = self.tokens[self.tokens.len() - 1];
            let hidden = model.forward(&[last], &mut self.cache)?;
            self.fed += 1;
            model.logits(&hidden)?.squeeze(0)?
        };
        advance.step = Some(self.choose(decoder, &logits)?);
        advance.finished = self.finished;
        Ok(advance)
    }

    /// Scores tokens `start + 1 ..= end` (those inside the prompt) from the logits of
    /// positions `start .. end`.
    fn score(&self, logits: &candle_core::Tensor, start: usize, end: usize) -> Result<Vec<Scored>> {
        (start..end)
            .filter(|&position| position + 1 < self.prompt_len)
            .map(|position| {
                let distribution = Distribution::new(&logits.i(position - start)?)?;
                let id = self.tokens[position + 1];
                Ok(Scored {
                    id,
                    logprob: distribution.logprob(id),
                    top: distribution.top(TOP_ALTERNATIVES),
                })
            })
            .collect()
    }

    fn choose(&mut self, decoder: &Decoder, logits: &candle_core::Tensor) -> Result<Step> {
        let distribution = Distribution::new(logits)?;
        let id = self.sampler.choose(logits, &self.tokens)?;
        self.tokens.push(id);
        let mut text = if decoder.is_end_token(id) {
            if !self.options.ignore_end {
                self.finished = Some(Finish::End);
            }
            String::new()
        } else {
            self.stream.push(decoder, id)?
        };
        self.output.push_str(&text);
        if let Some(at) = self
            .options
            .stop
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| self.output.find(s.as_str()))
            .min()
        {
            let cut = self.output.len() - at;
            self.output.truncate(at);
            text.truncate(text.len().saturating_sub(cut));
            self.finished = Some(Finish::Stop);
        }
        if self.finished.is_none() {
            if self.generated().len() >= self.options.max_new_tokens {
                self.finished = Some(Finish::Length);
            } else if self.tokens.len() >= decoder.context_length() {
                self.finished = Some(Finish::Context);
            }
        }
        Ok(Step {
            id,
            text,
            piece: decoder.token_text(id),
            prob: distribution.logprob(id).exp(),
            top: alternatives(decoder, &distribution, TOP_ALTERNATIVES),
        })
    }
}

/// The `k` likeliest tokens of `distribution`, most likely first, as the page shows them.
pub fn alternatives(decoder: &Decoder, distribution: &Distribution, k: usize) -> Vec<Alternative> {
    distribution
        .top(k)
        .into_iter()
        .map(|c| Alternative {
            id: c.id,
            text: decoder.token_text(c.id),
            prob: c.logprob.exp(),
        })
        .collect()
}
