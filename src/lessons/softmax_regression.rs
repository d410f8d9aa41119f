//! "A linear layer + softmax, trained per task": multinomial logistic regression with an L2
//! penalty, over dense features (an encoder's embeddings: paradigm 2) or sparse ones (TF-IDF:
//! paradigm 1). The objective is scikit-learn's `LogisticRegression` (multinomial, L2,
//! intercepts not penalised): the mean cross-entropy plus `l2 / 2 · ‖W‖²`, which is its
//! `C · Σ loss + ½‖W‖²` divided by `C · n` — so `l2 = 1 / (C · n)`. Two ways to minimise it:
//! L-BFGS (argmin's, with a Moré–Thuente line search) to the optimum, which the reference
//! reaches too; and Adam over shuffled mini-batches, an epoch at a time, the way a network
//! layer is trained — so the lesson can draw the loss falling.

use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::lessons::tfidf::SparseRow;

/// This objective's L2 strength for scikit-learn's `C` on `rows` training examples.
pub fn l2_for_c(c: f64, rows: usize) -> f64 {
    1.0 / (c * rows as f64)
}

/// The inputs of a linear layer: one row per example.
#[derive(Clone, Copy)]
pub enum Features<'a> {
    /// `rows × dim`, row-major.
    Dense { values: &'a [f32], dim: usize },
    /// Each row's non-zero entries, indices below `dim`.
    Sparse { rows: &'a [SparseRow], dim: usize },
}

impl Features<'_> {
    pub fn rows(&self) -> usize {
        match self {
            Features::Dense { values, dim } => values.len() / (*dim).max(1),
            Features::Sparse { rows, .. } => rows.len(),
        }
    }

    pub fn dim(&self) -> usize {
        match self {
            Features::Dense { dim, .. } | Features::Sparse { dim, .. } => *dim,
        }
    }

    /// Σ_j x_rj · w_j.
    fn dot(&self, r: usize, w: &[f64]) -> f64 {
        match self {
            Features::Dense { values, dim } => values[r * dim..(r + 1) * dim]
                .iter()
                .zip(w)
                .map(|(&x, w)| f64::from(x) * w)
                .sum(),
            Features::Sparse { rows, .. } => rows[r]
                .iter()
                .map(|&(j, x)| f64::from(x) * w[j as usize])
                .sum(),
        }
    }

    /// g += scale · x_r.
    fn add_scaled(&self, r: usize, scale: f64, g: &mut [f64]) {
        match self {
            Features::Dense { values, dim } => {
                for (g, &x) in g.iter_mut().zip(&values[r * dim..(r + 1) * dim]) {
                    *g += scale * f64::from(x);
                }
            }
            Features::Sparse { rows, .. } => {
                for &(j, x) in &rows[r] {
                    g[j as usize] += scale * f64::from(x);
                }
            }
        }
    }
}

/// A trained layer: for each class, `dim` weights then a bias.
#[derive(Debug, Clone, PartialEq)]
pub struct SoftmaxRegression {
    pub classes: usize,
    pub dim: usize,
    params: Vec<f64>,
}

impl SoftmaxRegression {
    fn zeros(classes: usize, dim: usize) -> Self {
        Self {
            classes,
            dim,
            params: vec![0.0; classes * (dim + 1)],
        }
    }

    /// Class `c`'s weights (`dim`), for looking at which inputs matter to it.
    pub fn weights(&self, c: usize) -> &[f64] {
        &self.params[c * (self.dim + 1)..][..self.dim]
    }

    /// Class `c`'s bias.
    pub fn bias(&self, c: usize) -> f64 {
        self.params[c * (self.dim + 1) + self.dim]
    }

    /// Each row's class probabilities, `rows × classes`.
    pub fn probabilities(&self, x: Features) -> Vec<f64> {
        let mut out = vec![0.0; x.rows() * self.classes];
        for (r, p) in out.chunks_exact_mut(self.classes).enumerate() {
            softmax_row(&self.params, self.dim, x, r, p);
        }
        out
    }

    /// Each row's likeliest class.
    pub fn predict(&self, x: Features) -> Vec<usize> {
        self.probabilities(x)
            .chunks_exact(self.classes)
            .map(|p| (0..self.classes).fold(0, |best, c| if p[c] > p[best] { c } else { best }))
            .collect()
    }

    /// The objective at these weights: mean cross-entropy + l2 / 2 · ‖W‖².
    pub fn loss(&self, x: Features, labels: &[usize], l2: f64) -> f64 {
        Objective {
            x,
            labels,
            classes: self.classes,
            l2,
        }
        .value_and_gradient(&self.params, None)
    }
}

/// Row `r`'s softmax over the classes into `p`.
fn softmax_row(params: &[f64], dim: usize, x: Features, r: usize, p: &mut [f64]) {
    for (c, z) in p.iter_mut().enumerate() {
        let w = &params[c * (dim + 1)..][..dim + 1];
        *z = x.dot(r, &w[..dim]) + w[dim];
    }
    let top = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for z in p.iter_mut() {
        *z = (*z - top).exp();
        sum += *z;
    }
    p.iter_mut().for_each(|z| *z /= sum);
}

/// The training objective over some rows (all of them, or one mini-batch).
struct Objective<'a> {
    x: Features<'a>,
    labels: &'a [usize],
    classes: usize,
    l2: f64,
}

impl Objective<'_> {
    /// The objective over `rows` (all when None) and, into `gradient`, its gradient.
    fn over(
        &self,
        params: &[f64],
        rows: Option<&[usize]>,
        mut gradient: Option<&mut [f64]>,
    ) -> f64 {
        let dim = self.x.dim();
        let all: Vec<usize>;
        let rows = match rows {
            Some(rows) => rows,
            None => {
                all = (0..self.x.rows()).collect();
                &all
            }
        };
        let n = rows.len() as f64;
        if let Some(g) = gradient.as_deref_mut() {
            g.fill(0.0);
        }
        let mut p = vec![0.0; self.classes];
        let mut loss = 0.0;
        for &r in rows {
            softmax_row(params, dim, self.x, r, &mut p);
            let y = self.labels[r];
            loss -= p[y].max(f64::MIN_POSITIVE).ln();
            if let Some(g) = gradient.as_deref_mut() {
                for (c, &pc) in p.iter().enumerate() {
                    let residual = (pc - f64::from(u8::from(c == y))) / n;
                    let gc = &mut g[c * (dim + 1)..][..dim + 1];
                    self.x.add_scaled(r, residual, &mut gc[..dim]);
                    gc[dim] += residual;
                }
            }
        }
        let mut penalty = 0.0;
        for c in 0..self.classes {
            let w = &params[c * (dim + 1)..][..dim];
            penalty += w.iter().map(|w| w * w).sum::<f64>();
            if let Some(g) = gradient.as_deref_mut() {
                for (g, w) in g[c * (dim + 1)..][..dim].iter_mut().zip(w) {
                    *g += self.l2 * w;
                }
            }
        }
        loss / n + self.l2 / 2.0 * penalty
    }

    fn value_and_gradient(&self, params: &[f64], gradient: Option<&mut [f64]>) -> f64 {
        self.over(params, None, gradient)
    }
}

impl CostFunction for Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, params: &Self::Param) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.value_and_gradient(params, None))
    }
}

impl Gradient for Objective<'_> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, params: &Self::Param) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        let mut g = vec![0.0; params.len()];
        self.value_and_gradient(params, Some(&mut g));
        Ok(g)
    }
}

fn check(x: Features, labels: &[usize], classes: usize, l2: f64) -> Result<()> {
    if labels.len() != x.rows() || labels.is_empty() || labels.iter().any(|&y| y >= classes) {
        return Err(Error::BadLabels {
            labels: labels.len(),
            rows: x.rows(),
        });
    }
    if !(l2 >= 0.0 && l2.is_finite()) {
        return Err(Error::BadArgument {
            what: "the L2 penalty",
            expected: "a number of 0 or more",
            got: l2.to_string(),
        });
    }
    Ok(())
}

/// Trains to the optimum by L-BFGS (at most `max_iters` iterations; it stops once the
/// gradient's norm is below 1e-7).
pub fn fit_lbfgs(
    x: Features,
    labels: &[usize],
    classes: usize,
    l2: f64,
    max_iters: u64,
) -> Result<SoftmaxRegression> {
    check(x, labels, classes, l2)?;
    let model = SoftmaxRegression::zeros(classes, x.dim());
    let failed = |error: argmin::core::Error| Error::BadArgument {
        what: "training",
        expected: "to converge",
        got: error.to_string(),
    };
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
        .with_tolerance_grad(1e-7)
        .and_then(|s| s.with_tolerance_cost(0.0))
        .map_err(failed)?;
    let objective = Objective {
        x,
        labels,
        classes,
        l2,
    };
    let mut result = Executor::new(objective, solver)
        .configure(|state| state.param(model.params.clone()).max_iters(max_iters))
        .run()
        .map_err(failed)?;
    let params = result.state.take_best_param().unwrap_or(model.params);
    Ok(SoftmaxRegression { params, ..model })
}

/// Adam's settings for [`fit_adam`].
#[derive(Debug, Clone, Copy)]
pub struct AdamOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub l2: f64,
    pub seed: u64,
}

/// Training by Adam (Kingma & Ba, <https://arxiv.org/abs/1412.6980>, β₁ 0.9, β₂ 0.999,
/// ε 1e-8) over mini-batches of the rows, shuffled anew each epoch, one [`epoch`](Self::epoch)
/// per call — so the page can draw the loss and the held-out accuracy as they go, and stop.
/// The caller hands the same rows and labels to every call.
pub struct AdamTraining {
    layer: SoftmaxRegression,
    options: AdamOptions,
    classes: usize,
    m: Vec<f64>,
    v: Vec<f64>,
    order: Vec<usize>,
    rng: ChaCha8Rng,
    step: i32,
    epochs_done: usize,
}

impl AdamTraining {
    /// A layer of zeros for `rows` examples of `dim` inputs and `classes` classes.
    pub fn new(rows: usize, dim: usize, classes: usize, options: AdamOptions) -> Result<Self> {
        if options.epochs == 0
            || options.batch_size == 0
            || options.learning_rate.is_nan()
            || options.learning_rate <= 0.0
        {
            return Err(Error::BadArgument {
                what: "Adam's settings",
                expected: "at least one epoch, batches of at least one and a learning rate above 0",
                got: format!("{options:?}"),
            });
        }
        let layer = SoftmaxRegression::zeros(classes, dim);
        let size = layer.params.len();
        Ok(Self {
            layer,
            options,
            classes,
            m: vec![0.0; size],
            v: vec![0.0; size],
            order: (0..rows).collect(),
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            step: 0,
            epochs_done: 0,
        })
    }

    /// The layer as trained so far.
    pub fn layer(&self) -> &SoftmaxRegression {
        &self.layer
    }

    /// Whether the epochs asked for are done.
    pub fn finished(&self) -> bool {
        self.epochs_done >= self.options.epochs
    }

    /// One more pass over every row in mini-batches; the objective over all rows after it.
    pub fn epoch(&mut self, x: Features, labels: &[usize]) -> Result<f64> {
        check(x, labels, self.classes, self.options.l2)?;
        if x.rows() != self.order.len() || x.dim() != self.layer.dim {
            return Err(Error::BadLabels {
                labels: labels.len(),
                rows: x.rows(),
            });
        }
        let objective = Objective {
            x,
            labels,
            classes: self.classes,
            l2: self.options.l2,
        };
        let mut g = vec![0.0; self.layer.params.len()];
        let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
        self.order.shuffle(&mut self.rng);
        for batch in self.order.chunks(self.options.batch_size) {
            objective.over(&self.layer.params, Some(batch), Some(&mut g));
            self.step += 1;
            let (c1, c2) = (1.0 - b1.powi(self.step), 1.0 - b2.powi(self.step));
            let rate = self.options.learning_rate;
            for (((w, m), v), g) in self
                .layer
                .params
                .iter_mut()
                .zip(&mut self.m)
                .zip(&mut self.v)
                .zip(&g)
            {
                *m = b1 * *m + (1.0 - b1) * g;
                *v = b2 * *v + (1.0 - b2) * g * g;
                *w -= rate * (*m / c1) / ((*v / c2).sqrt() + eps);
            }
        }
        self.epochs_done += 1;
        Ok(objective.value_and_gradient(&self.layer.params, None))
    }
}

/// [`AdamTraining`] for all its epochs at once; `on_epoch(epoch, loss over all rows, &layer)`
/// after each, and training stops early when it returns false.
pub fn fit_adam(
    x: Features,
    labels: &[usize],
    classes: usize,
    options: AdamOptions,
    mut on_epoch: impl FnMut(usize, f64, &SoftmaxRegression) -> bool,
) -> Result<SoftmaxRegression> {
    check(x, labels, classes, options.l2)?;
    let mut training = AdamTraining::new(x.rows(), x.dim(), classes, options)?;
    while !training.finished() {
        let loss = training.epoch(x, labels)?;
        if !on_epoch(training.epochs_done, loss, training.layer()) {
            break;
        }
    }
    Ok(training.layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two clusters per class around (±1, ±1)-ish centres, with `noise` of overlap.
    fn blobs(n: usize, noise: f32) -> (Vec<f32>, Vec<usize>) {
        let centres = [(2.0f32, 0.0f32), (-1.0, 1.7), (-1.0, -1.7)];
        let mut values = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let c = i % 3;
            // A fixed spread without a random generator: points on a small spiral.
            let t = i as f32 * 0.7;
            values.extend([
                centres[c].0 + noise * t.cos() * (i % 5) as f32 / 4.0,
                centres[c].1 + noise * t.sin() * (i % 7) as f32 / 6.0,
            ]);
            labels.push(c);
        }
        (values, labels)
    }

    #[test]
    fn the_gradient_is_the_objectives_slope() {
        let (values, labels) = blobs(30, 1.5);
        let x = Features::Dense {
            values: &values,
            dim: 2,
        };
        let objective = Objective {
            x,
            labels: &labels,
            classes: 3,
            l2: 0.1,
        };
        let params: Vec<f64> = (0..9).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut g = vec![0.0; 9];
        objective.value_and_gradient(&params, Some(&mut g));
        for i in 0..9 {
            let h = 1e-6;
            let mut up = params.clone();
            up[i] += h;
            let mut down = params.clone();
            down[i] -= h;
            let slope = (objective.value_and_gradient(&up, None)
                - objective.value_and_gradient(&down, None))
                / (2.0 * h);
            assert!(
                (slope - g[i]).abs() < 1e-6,
                "parameter {i}: {slope} against {}",
                g[i]
            );
        }
    }

    #[test]
    fn separable_data_is_learnt_by_both_optimisers() {
        let (values, labels) = blobs(60, 0.5);
        let x = Features::Dense {
            values: &values,
            dim: 2,
        };
        let lbfgs = fit_lbfgs(x, &labels, 3, 1e-3, 500).unwrap();
        assert_eq!(lbfgs.predict(x), labels);
        let mut losses = Vec::new();
        let options = AdamOptions {
            epochs: 60,
            batch_size: 8,
            learning_rate: 0.05,
            l2: 1e-3,
            seed: 1,
        };
        let adam = fit_adam(x, &labels, 3, options, |_, loss, _| {
            losses.push(loss);
            true
        })
        .unwrap();
        assert_eq!(adam.predict(x), labels);
        assert!(losses.last().unwrap() < &(losses[0] * 0.5), "{losses:?}");
        // Adam gets near the optimum L-BFGS finds.
        let best = lbfgs.loss(x, &labels, 1e-3);
        assert!(
            adam.loss(x, &labels, 1e-3) < best + 0.02,
            "{} against {best}",
            adam.loss(x, &labels, 1e-3)
        );
    }

    #[test]
    fn overlapping_data_reaches_a_stationary_point_and_probabilities_sum_to_one() {
        let (values, labels) = blobs(90, 4.0);
        let x = Features::Dense {
            values: &values,
            dim: 2,
        };
        let layer = fit_lbfgs(x, &labels, 3, 0.01, 500).unwrap();
        let objective = Objective {
            x,
            labels: &labels,
            classes: 3,
            l2: 0.01,
        };
        let mut g = vec![0.0; 9];
        objective.value_and_gradient(&layer.params, Some(&mut g));
        assert!(g.iter().map(|g| g * g).sum::<f64>().sqrt() < 1e-6, "{g:?}");
        let accuracy = layer
            .predict(x)
            .iter()
            .zip(&labels)
            .filter(|(p, y)| p == y)
            .count();
        assert!(
            accuracy < 90,
            "the blobs overlap, so some are wrong: {accuracy}"
        );
        for p in layer.probabilities(x).chunks_exact(3) {
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        // Sparse rows give what the same dense rows give.
        let sparse: Vec<SparseRow> = values
            .chunks_exact(2)
            .map(|r| vec![(0, r[0]), (1, r[1])])
            .collect();
        let same = fit_lbfgs(
            Features::Sparse {
                rows: &sparse,
                dim: 2,
            },
            &labels,
            3,
            0.01,
            500,
        )
        .unwrap();
        assert_eq!(same, layer);
    }

    #[test]
    fn bad_settings_are_refused() {
        let x = Features::Dense {
            values: &[1.0, 2.0],
            dim: 1,
        };
        assert!(fit_lbfgs(x, &[0], 2, 0.1, 10).is_err());
        assert!(fit_lbfgs(x, &[0, 1], 2, -1.0, 10).is_err());
        let options = AdamOptions {
            epochs: 0,
            batch_size: 1,
            learning_rate: 0.1,
            l2: 0.0,
            seed: 0,
        };
        assert!(fit_adam(x, &[0, 1], 2, options, |_, _, _| true).is_err());
    }
}
