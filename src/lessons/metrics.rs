//! How well a classifier did on the held-out texts: accuracy, macro-F1 and the confusion
//! matrix, defined as scikit-learn's `accuracy_score`, `f1_score(average="macro",
//! zero_division=0)` and `confusion_matrix`.

/// `confusion[t][p]`: test texts of true label `t` predicted as `p`. A prediction of `None`
/// (an answer that named no label) counts as wrong and is in no column.
pub fn confusion(truth: &[usize], predicted: &[Option<usize>], labels: usize) -> Vec<Vec<usize>> {
    let mut matrix = vec![vec![0; labels]; labels];
    for (&t, p) in truth.iter().zip(predicted) {
        if let Some(p) = *p {
            matrix[t][p] += 1;
        }
    }
    matrix
}

/// The share predicted right.
pub fn accuracy(truth: &[usize], predicted: &[Option<usize>]) -> f64 {
    let right = truth
        .iter()
        .zip(predicted)
        .filter(|(t, p)| Some(**t) == **p)
        .count();
    right as f64 / truth.len().max(1) as f64
}

/// The mean over labels of F1 = 2·precision·recall / (precision + recall), a label with no
/// true and no predicted text counting 0 (the labels are those of the whole data set).
pub fn macro_f1(truth: &[usize], predicted: &[Option<usize>], labels: usize) -> f64 {
    let matrix = confusion(truth, predicted, labels);
    let mut sum = 0.0;
    for (label, row) in matrix.iter().enumerate() {
        let predicted_as: usize = matrix.iter().map(|t| t[label]).sum();
        let actually = truth.iter().filter(|&&t| t == label).count();
        let denominator = (predicted_as + actually) as f64;
        if denominator > 0.0 {
            sum += 2.0 * row[label] as f64 / denominator;
        }
    }
    sum / labels.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_scikit_learn_counts_them() {
        // sklearn: y_true=[0,0,1,1,2,2], y_pred=[0,1,1,1,2,0] → accuracy 4/6,
        // F1 per class 0.5, 0.8, 0.6667 → macro 0.65556.
        let truth = [0, 0, 1, 1, 2, 2];
        let predicted = [0, 1, 1, 1, 2, 0].map(Some);
        assert!((accuracy(&truth, &predicted) - 4.0 / 6.0).abs() < 1e-12);
        assert!((macro_f1(&truth, &predicted, 3) - (0.5 + 0.8 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        assert_eq!(
            confusion(&truth, &predicted, 3),
            [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
        );
        // An unparseable answer is wrong and in no column.
        let with_none = [Some(0), None];
        assert_eq!(accuracy(&[0, 1], &with_none), 0.5);
        assert_eq!(confusion(&[0, 1], &with_none, 2), [[1, 0], [0, 0]]);
        assert!((macro_f1(&[0, 1], &with_none, 2) - 0.5).abs() < 1e-12);
    }
}
