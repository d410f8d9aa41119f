//! Plain vector maths over embeddings: the operations the essay says are enough to do
//! useful work once text has become vectors.

use crate::error::{Error, Result};

/// A borrowed n × dim row-major matrix: how vectors travel (one flat array, not a list of
/// lists).
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    data: &'a [f32],
    dim: usize,
}

impl<'a> Rows<'a> {
    /// Checks that `data` splits evenly into rows of `dim`.
    pub fn new(data: &'a [f32], dim: usize) -> Result<Self> {
        if dim == 0 || !data.len().is_multiple_of(dim) {
            return Err(Error::BadVectors {
                len: data.len(),
                dim,
            });
        }
        Ok(Self { data, dim })
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn row(&self, index: usize) -> Result<&'a [f32]> {
        if index >= self.len() {
            return Err(Error::NoSuchRow {
                index,
                rows: self.len(),
            });
        }
        Ok(&self.data[index * self.dim..(index + 1) * self.dim])
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [f32]> {
        self.data.chunks_exact(self.dim)
    }
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Cosine similarity; 0 when either vector is all zeros.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let norms = (dot(a, a) * dot(b, b)).sqrt();
    if norms == 0.0 {
        0.0
    } else {
        dot(a, b) / norms
    }
}

/// n × n cosine similarities, row-major: what the heatmap draws.
pub fn similarity_matrix(rows: Rows) -> Vec<f32> {
    rows.iter()
        .flat_map(|a| rows.iter().map(move |b| cosine(a, b)))
        .collect()
}

/// A row of a [`Rows`] and how close it is to a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub index: usize,
    pub score: f32,
}

/// The `k` rows most cosine-similar to `query`, best first, leaving out the rows in
/// `exclude` (the query's own row, or the words of an analogy).
pub fn nearest(rows: Rows, query: &[f32], k: usize, exclude: &[usize]) -> Vec<Neighbour> {
    let mut scored: Vec<Neighbour> = rows
        .iter()
        .enumerate()
        .filter(|(index, _)| !exclude.contains(index))
        .map(|(index, row)| Neighbour {
            index,
            score: cosine(query, row),
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    scored.truncate(k);
    scored
}

/// The `k` rows nearest to row `index`, itself left out.
pub fn neighbours_of(rows: Rows, index: usize, k: usize) -> Result<Vec<Neighbour>> {
    Ok(nearest(rows, rows.row(index)?, k, &[index]))
}

/// `a − b + c`, unit length: the point the analogy "b is to a as c is to ?" asks about
/// (Washington − US + France ≈ Paris; TransE's translation of c by the relation b → a).
pub fn analogy_query(a: &[f32], b: &[f32], c: &[f32]) -> Vec<f32> {
    let query: Vec<f32> = a
        .iter()
        .zip(b)
        .zip(c)
        .map(|((a, b), c)| a - b + c)
        .collect();
    let norm = dot(&query, &query).sqrt();
    if norm == 0.0 {
        query
    } else {
        query.iter().map(|x| x / norm).collect()
    }
}

/// Mean silhouette coefficient under cosine distance: for each point, how much closer it is
/// to its own group than to the nearest other group, from −1 (wrong group) to 1 (tight,
/// well-separated groups). Points alone in their group count as 0, as in scikit-learn.
pub fn silhouette(rows: Rows, labels: &[usize]) -> Result<f32> {
    check_labels(rows, labels)?;
    let groups = labels.iter().max().map_or(0, |m| m + 1);
    let mut total = 0.0;
    for (i, row) in rows.iter().enumerate() {
        let mut sums = vec![0f32; groups];
        let mut counts = vec![0usize; groups];
        for (j, other) in rows.iter().enumerate() {
            if i != j {
                sums[labels[j]] += 1.0 - cosine(row, other);
                counts[labels[j]] += 1;
            }
        }
        let own = labels[i];
        if counts[own] == 0 {
            continue;
        }
        let a = sums[own] / counts[own] as f32;
        let b = (0..groups)
            .filter(|&g| g != own && counts[g] > 0)
            .map(|g| sums[g] / counts[g] as f32)
            .fold(f32::INFINITY, f32::min);
        if b.is_finite() {
            total += (b - a) / a.max(b).max(f32::MIN_POSITIVE);
        }
    }
    Ok(total / rows.len() as f32)
}

/// Leave-one-out 1-nearest-neighbour accuracy: the share of points whose most cosine-similar
/// other point has the same label.
pub fn nearest_neighbour_accuracy(rows: Rows, labels: &[usize]) -> Result<f32> {
    check_labels(rows, labels)?;
    let hits = (0..rows.len())
        .filter(|&i| {
            neighbours_of(rows, i, 1)
                .ok()
                .and_then(|n| n.first().copied())
                .is_some_and(|n| labels[n.index] == labels[i])
        })
        .count();
    Ok(hits as f32 / rows.len() as f32)
}

fn check_labels(rows: Rows, labels: &[usize]) -> Result<()> {
    if labels.len() != rows.len() || rows.len() < 2 {
        return Err(Error::BadLabels {
            labels: labels.len(),
            rows: rows.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: [f32; 8] = [1., 0., 0., 1., 1., 1., -1., 0.];

    #[test]
    fn rows_must_split_evenly() {
        assert!(Rows::new(&DATA, 3).is_err());
        assert!(Rows::new(&DATA, 0).is_err());
        let rows = Rows::new(&DATA, 2).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows.row(2).unwrap(), &[1., 1.]);
        assert!(rows.row(4).is_err());
    }

    #[test]
    fn cosine_of_known_angles() {
        assert_eq!(cosine(&[1., 0.], &[0., 1.]), 0.);
        assert!((cosine(&[1., 0.], &[1., 1.]) - 0.5f32.sqrt()).abs() < 1e-6);
        assert_eq!(cosine(&[1., 0.], &[-3., 0.]), -1.);
        assert_eq!(cosine(&[0., 0.], &[1., 0.]), 0.);
    }

    #[test]
    fn similarity_matrix_is_symmetric_with_unit_diagonal() {
        let rows = Rows::new(&DATA, 2).unwrap();
        let m = similarity_matrix(rows);
        assert_eq!(m.len(), 16);
        for i in 0..4 {
            assert!((m[i * 4 + i] - 1.).abs() < 1e-6);
            for j in 0..4 {
                assert_eq!(m[i * 4 + j], m[j * 4 + i]);
            }
        }
        assert_eq!(m[3], -1.);
    }

    #[test]
    fn analogy_translates_c_by_a_minus_b() {
        let q = analogy_query(&[2., 1.], &[1., 1.], &[0., 3.]);
        assert!((q[0] - 1. / 10f32.sqrt()).abs() < 1e-6 && (q[1] - 3. / 10f32.sqrt()).abs() < 1e-6);
    }

    #[test]
    fn separation_scores_of_known_groups() {
        // Two tight groups along different axes, then the same points with labels swapped.
        let data = [1., 0.01, 1., -0.01, 0.01, 1., -0.01, 1.];
        let rows = Rows::new(&data, 2).unwrap();
        let good = silhouette(rows, &[0, 0, 1, 1]).unwrap();
        assert!(good > 0.99, "{good}");
        let bad = silhouette(rows, &[0, 1, 0, 1]).unwrap();
        assert!(bad < -0.4, "{bad}");
        assert_eq!(
            nearest_neighbour_accuracy(rows, &[0, 0, 1, 1]).unwrap(),
            1.0
        );
        assert_eq!(
            nearest_neighbour_accuracy(rows, &[0, 1, 0, 1]).unwrap(),
            0.0
        );
        assert!(silhouette(rows, &[0, 0, 1]).is_err());
    }

    #[test]
    fn neighbours_are_ranked_and_exclude_the_query() {
        let rows = Rows::new(&DATA, 2).unwrap();
        let found = neighbours_of(rows, 0, 10).unwrap();
        let order: Vec<usize> = found.iter().map(|n| n.index).collect();
        assert_eq!(order, vec![2, 1, 3]);
        assert_eq!(neighbours_of(rows, 0, 1).unwrap().len(), 1);
        assert!(neighbours_of(rows, 9, 1).is_err());
    }
}
