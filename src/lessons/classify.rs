//! Classification with plain vector maths: each label's centroid is the mean of its
//! examples' embeddings, and a text gets the label of the most cosine-similar centroid —
//! a linear classifier with no training loop.

use crate::error::{Error, Result};
use crate::lessons::vectors::{cosine, Rows};

/// One centroid per label (labels are 0…k−1), k × dim, row-major.
pub fn centroids(rows: Rows, labels: &[usize]) -> Result<Vec<f32>> {
    if labels.len() != rows.len() || rows.is_empty() {
        return Err(Error::BadLabels {
            labels: labels.len(),
            rows: rows.len(),
        });
    }
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let dim = rows.dim();
    let mut sums = vec![0f32; k * dim];
    let mut counts = vec![0usize; k];
    for (row, &label) in rows.iter().zip(labels) {
        counts[label] += 1;
        for (sum, x) in sums[label * dim..(label + 1) * dim].iter_mut().zip(row) {
            *sum += x;
        }
    }
    if let Some(empty) = counts.iter().position(|&c| c == 0) {
        return Err(Error::BadArgument {
            what: "labels",
            expected: "every label from 0 to the largest one used at least once",
            got: format!("no example of label {empty}"),
        });
    }
    for (label, count) in counts.iter().enumerate() {
        sums[label * dim..(label + 1) * dim]
            .iter_mut()
            .for_each(|x| *x /= *count as f32);
    }
    Ok(sums)
}

/// The label of the most cosine-similar centroid, for each row.
pub fn nearest_centroid(centroids: Rows, rows: Rows) -> Vec<usize> {
    rows.iter()
        .map(|row| {
            centroids
                .iter()
                .map(|c| cosine(row, c))
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map_or(0, |(label, _)| label)
        })
        .collect()
}

/// Which of `labels` a generated answer names: the one whose name appears first
/// (ignoring case), or None when it names none of them.
pub fn label_in_answer(answer: &str, labels: &[String]) -> Option<usize> {
    let answer = answer.to_lowercase();
    labels
        .iter()
        .enumerate()
        .filter_map(|(i, label)| answer.find(&label.to_lowercase()).map(|at| (at, i)))
        .min()
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centroids_average_each_label_and_classify_new_points() {
        let train = [1., 0., 0.8, 0.2, 0., 1., 0.2, 0.8];
        let c = centroids(Rows::new(&train, 2).unwrap(), &[0, 0, 1, 1]).unwrap();
        assert_eq!(c, vec![0.9, 0.1, 0.1, 0.9]);
        let test = [0.7, 0.1, 0.1, 0.9, 0.5, 0.6];
        let predicted = nearest_centroid(Rows::new(&c, 2).unwrap(), Rows::new(&test, 2).unwrap());
        assert_eq!(predicted, vec![0, 1, 1]);
        assert!(centroids(Rows::new(&train, 2).unwrap(), &[0, 0, 2, 2]).is_err());
        assert!(centroids(Rows::new(&train, 2).unwrap(), &[0, 1]).is_err());
    }

    #[test]
    fn the_first_label_named_in_an_answer_wins() {
        let labels: Vec<String> = ["sport", "food", "technology"].map(String::from).to_vec();
        assert_eq!(label_in_answer("Food.", &labels), Some(1));
        assert_eq!(
            label_in_answer("This is about Technology, not sport", &labels),
            Some(2)
        );
        assert_eq!(label_in_answer("I cannot tell", &labels), None);
        let zh: Vec<String> = ["体育", "美食", "科技"].map(String::from).to_vec();
        assert_eq!(label_in_answer("这是关于美食的", &zh), Some(1));
    }
}
