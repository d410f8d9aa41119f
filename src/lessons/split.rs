//! Held-out evaluation for the classifier lesson: a seeded, stratified train/test split (each
//! label's examples shuffled and cut at the same ratio, as scikit-learn's
//! `train_test_split(stratify=…)` does) and stratified k-fold. The seed makes a split repeat
//! exactly, in the page and in tests (ChaCha8, the same on every platform).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{DataProblem, Error, Result};

/// Indices of the examples to train on and to test on, each in ascending order.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Each label's example indices (labels 0…k−1), shuffled by `seed`; refuses a label with fewer
/// than `least` examples, naming it.
fn shuffled_by_label(
    labels: &[usize],
    names: &[String],
    least: usize,
    seed: u64,
) -> Result<Vec<Vec<usize>>> {
    let mut groups = vec![Vec::new(); names.len()];
    for (i, &label) in labels.iter().enumerate() {
        groups[label].push(i);
    }
    if let Some((label, group)) = groups.iter().enumerate().find(|(_, g)| g.len() < least) {
        return Err(Error::BadLabelledData(DataProblem::TooFewOfLabel {
            label: names[label].clone(),
            count: group.len(),
            least,
        }));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for group in &mut groups {
        group.shuffle(&mut rng);
    }
    Ok(groups)
}

/// `test_fraction` (0…1, exclusive) of each label's examples held out for testing — at least
/// one and at least one left to train on, rounded to the nearest (halves up).
pub fn train_test(
    labels: &[usize],
    names: &[String],
    test_fraction: f64,
    seed: u64,
) -> Result<Split> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(Error::BadArgument {
            what: "the test share",
            expected: "between 0 and 1",
            got: test_fraction.to_string(),
        });
    }
    let mut split = Split {
        train: Vec::new(),
        test: Vec::new(),
    };
    for group in shuffled_by_label(labels, names, 2, seed)? {
        let held =
            ((group.len() as f64 * test_fraction).round() as usize).clamp(1, group.len() - 1);
        split.test.extend_from_slice(&group[..held]);
        split.train.extend_from_slice(&group[held..]);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    Ok(split)
}

/// `k` stratified folds: fold f tests on every label's f-th share of its shuffled examples and
/// trains on the rest, so every example is tested exactly once.
pub fn folds(labels: &[usize], names: &[String], k: usize, seed: u64) -> Result<Vec<Split>> {
    if k < 2 {
        return Err(Error::BadArgument {
            what: "the number of folds",
            expected: "at least 2",
            got: k.to_string(),
        });
    }
    let groups = shuffled_by_label(labels, names, k, seed)?;
    let mut splits: Vec<Split> = (0..k)
        .map(|_| Split {
            train: Vec::new(),
            test: Vec::new(),
        })
        .collect();
    for group in groups {
        for (position, &example) in group.iter().enumerate() {
            let fold = position % k;
            for (f, split) in splits.iter_mut().enumerate() {
                if f == fold {
                    split.test.push(example);
                } else {
                    split.train.push(example);
                }
            }
        }
    }
    for split in &mut splits {
        split.train.sort_unstable();
        split.test.sort_unstable();
    }
    Ok(splits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|i| format!("label{i}")).collect()
    }

    #[test]
    fn a_split_keeps_each_labels_share_and_repeats_with_its_seed() {
        let labels: Vec<usize> = (0..60)
            .map(|i| {
                if i < 30 {
                    0
                } else if i < 50 {
                    1
                } else {
                    2
                }
            })
            .collect();
        let split = train_test(&labels, &names(3), 0.25, 7).unwrap();
        let count = |ids: &[usize], label| ids.iter().filter(|&&i| labels[i] == label).count();
        assert_eq!([0, 1, 2].map(|l| count(&split.test, l)), [8, 5, 3]);
        assert_eq!(split.train.len() + split.test.len(), 60);
        assert!(split.test.iter().all(|i| !split.train.contains(i)));
        assert_eq!(split, train_test(&labels, &names(3), 0.25, 7).unwrap());
        assert_ne!(split, train_test(&labels, &names(3), 0.25, 8).unwrap());
    }

    #[test]
    fn folds_test_every_example_once() {
        let labels: Vec<usize> = (0..23).map(|i| i % 3).collect();
        let splits = folds(&labels, &names(3), 5, 1).unwrap();
        let mut tested: Vec<usize> = splits.iter().flat_map(|s| s.test.clone()).collect();
        tested.sort_unstable();
        assert_eq!(tested, (0..23).collect::<Vec<_>>());
        for split in &splits {
            assert_eq!(split.train.len() + split.test.len(), 23);
        }
    }

    #[test]
    fn a_label_too_small_to_split_is_named() {
        let message = train_test(&[0, 0, 1], &["sport".into(), "food".into()], 0.3, 0)
            .unwrap_err()
            .to_string();
        assert_eq!(message, "the labelled texts cannot be used: the label “food” has 1 example; each label needs at least 2 to be both trained on and tested");
        assert!(folds(&[0, 0, 0, 1, 1], &names(2), 3, 0)
            .unwrap_err()
            .to_string()
            .contains("“label1” has 2 examples; each label needs at least 3"));
        assert!(train_test(&[0, 1], &names(2), 1.0, 0).is_err());
    }
}
