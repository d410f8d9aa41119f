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
    fn neighbours_are_ranked_and_exclude_the_query() {
        let rows = Rows::new(&DATA, 2).unwrap();
        let found = neighbours_of(rows, 0, 10).unwrap();
        let order: Vec<usize> = found.iter().map(|n| n.index).collect();
        assert_eq!(order, vec![2, 1, 3]);
        assert_eq!(neighbours_of(rows, 0, 1).unwrap().len(), 1);
        assert!(neighbours_of(rows, 9, 1).is_err());
    }
}
