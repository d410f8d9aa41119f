//! Projections of embeddings to the plane, so a class can see which sentences sit together.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::lessons::vectors::Rows;

/// Points in `components` dimensions and the share of the data's variance each axis keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub components: usize,
    /// n × components, row-major.
    pub coords: Vec<f32>,
    /// One entry per component, in [0, 1]; their sum says how faithful the picture is.
    pub explained_variance_ratio: Vec<f32>,
}

/// Principal component analysis. Eigen-decomposes whichever of the n × n Gram matrix and the
/// dim × dim covariance is smaller (a class embeds tens of sentences of 384 numbers). Axis
/// signs follow scikit-learn's rule (largest |score| positive), so the picture does not flip
/// between runs.
pub fn pca(rows: Rows, components: usize) -> Projection {
    let (n, dim) = (rows.len(), rows.dim());
    let mut centred =
        DMatrix::<f64>::from_row_iterator(n, dim, rows.iter().flatten().map(|&x| f64::from(x)));
    for mut column in centred.column_iter_mut() {
        let mean = column.mean();
        column.add_scalar_mut(-mean);
    }

    let use_gram = n <= dim;
    let square = if use_gram {
        &centred * centred.transpose()
    } else {
        centred.transpose() * &centred
    };
    let eigen = SymmetricEigen::new(square);
    let mut order: Vec<usize> = (0..eigen.eigenvalues.len()).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let total: f64 = eigen.eigenvalues.iter().map(|v| v.max(0.0)).sum();

    let mut coords = vec![0f32; n * components];
    let mut explained = vec![0f32; components];
    for (c, &e) in order.iter().take(components).enumerate() {
        let value = eigen.eigenvalues[e].max(0.0);
        if total <= 0.0 || value <= total * 1e-12 {
            continue;
        }
        let vector = eigen.eigenvectors.column(e);
        let scores: Vec<f64> = if use_gram {
            vector.iter().map(|u| u * value.sqrt()).collect()
        } else {
            (&centred * vector).iter().copied().collect()
        };
        let largest = scores
            .iter()
            .copied()
            .fold(0f64, |m, s| if s.abs() > m.abs() { s } else { m });
        let sign = if largest < 0.0 { -1.0 } else { 1.0 };
        for (i, s) in scores.iter().enumerate() {
            coords[i * components + c] = (s * sign) as f32;
        }
        explained[c] = (value / total) as f32;
    }
    Projection {
        components,
        coords,
        explained_variance_ratio: explained,
    }
}

/// Which 2D picture to draw: PCA keeps global distances (a linear shadow); t-SNE keeps each
/// point's neighbourhood (clusters) and bends everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Pca,
    Tsne,
}

impl std::str::FromStr for Method {
    type Err = crate::error::Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "pca" => Ok(Self::Pca),
            "tsne" => Ok(Self::Tsne),
            other => Err(crate::error::Error::BadArgument {
                what: "the projection method",
                expected: "\"pca\" or \"tsne\"",
                got: format!("{other:?}"),
            }),
        }
    }
}

/// The 2D projection by `method`.
pub fn project(rows: Rows, method: Method) -> Projection {
    match method {
        Method::Pca => pca(rows, 2),
        Method::Tsne => tsne(rows),
    }
}

/// t-SNE to 2D (bhtsne's exact algorithm, squared Euclidean distances), started from the PCA
/// picture scaled down as openTSNE and scikit-learn do, so on one thread (as in the page) the
/// same input always gives the same map; bhtsne's parallel sums on several threads can
/// settle into a different but equally valid one. Perplexity is 30 or, for few points, the largest the point count allows; under
/// five points t-SNE has no neighbourhoods to keep and PCA is returned. t-SNE keeps no
/// variance, so `explained_variance_ratio` is empty.
pub fn tsne(rows: Rows) -> Projection {
    let n = rows.len();
    if n < 5 {
        return pca(rows, 2);
    }
    let perplexity = 30f32.min((n - 1) as f32 / 3.0 - 0.01);
    let start = pca(rows, 2);
    let spread = (start.coords.iter().step_by(2).map(|x| x * x).sum::<f32>() / n as f32).sqrt();
    let scale = if spread > 0.0 { 1e-4 / spread } else { 0.0 };
    let initial: Vec<f32> = start.coords.iter().map(|x| x * scale).collect();
    let samples: Vec<&[f32]> = rows.iter().collect();
    let coords = bhtsne::tSNE::<f32, &[f32], 2>::new(&samples)
        .perplexity(perplexity)
        .epochs(1000)
        .initial_embedding(initial)
        .exact(|a, b| a.iter().zip(b.iter()).map(|(x, y)| (x - y).powi(2)).sum())
        .embedding();
    Projection {
        components: 2,
        coords,
        explained_variance_ratio: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt()
    }

    /// Points of a plane, rotated into `dim` dimensions and shifted: PCA to 2D must keep all
    /// their pairwise distances and explain all of the variance.
    fn plane_points(n: usize, dim: usize) -> (Vec<f32>, Vec<[f32; 2]>) {
        let flat: Vec<[f32; 2]> = (0..n)
            .map(|i| {
                let t = i as f32;
                [3.0 * (t * 0.7).sin() + t * 0.1, (t * 1.3).cos()]
            })
            .collect();
        // Two orthonormal directions in `dim` dimensions.
        let mut u = vec![0f32; dim];
        let mut v = vec![0f32; dim];
        for k in 0..dim {
            u[k] = ((k + 1) as f32).sin();
            v[k] = ((k + 2) as f32 * 0.37).cos();
        }
        let norm = |x: &mut Vec<f32>| {
            let l = x.iter().map(|a| a * a).sum::<f32>().sqrt();
            x.iter_mut().for_each(|a| *a /= l);
        };
        norm(&mut u);
        let proj: f32 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
        v.iter_mut().zip(&u).for_each(|(b, a)| *b -= proj * a);
        norm(&mut v);
        let (u, v) = (&u, &v);
        let data = flat
            .iter()
            .flat_map(|p| (0..dim).map(move |k| p[0] * u[k] + p[1] * v[k] + 5.0))
            .collect::<Vec<f32>>();
        (data, flat)
    }

    fn assert_keeps_plane(n: usize, dim: usize) {
        let (data, flat) = plane_points(n, dim);
        let p = pca(Rows::new(&data, dim).unwrap(), 2);
        let total: f32 = p.explained_variance_ratio.iter().sum();
        assert!((total - 1.0).abs() < 1e-5, "explained {total}");
        assert!(p.explained_variance_ratio[0] >= p.explained_variance_ratio[1]);
        for i in 0..n {
            for j in 0..n {
                let before = distance(&flat[i], &flat[j]);
                let after = distance(&p.coords[i * 2..i * 2 + 2], &p.coords[j * 2..j * 2 + 2]);
                assert!(
                    (before - after).abs() < 1e-3,
                    "{i},{j}: {before} vs {after}"
                );
            }
        }
    }

    #[test]
    fn keeps_a_plane_when_fewer_points_than_dimensions() {
        assert_keeps_plane(12, 40);
    }

    #[test]
    fn keeps_a_plane_when_more_points_than_dimensions() {
        assert_keeps_plane(30, 5);
    }

    #[test]
    fn a_line_is_one_component() {
        let along = [0f32, 1., 2., 3., 10.];
        let data: Vec<f32> = along.iter().flat_map(|&t| [t, 2.0 * t, 1.0]).collect();
        let p = pca(Rows::new(&data, 3).unwrap(), 2);
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-6);
        assert_eq!(p.explained_variance_ratio[1], 0.0);
        let first: Vec<f32> = p.coords.chunks(2).map(|c| c[0]).collect();
        // Centred positions along the line, scaled by its length per step, with the far
        // outlier on the positive side.
        for (x, t) in first.iter().zip(along) {
            assert!((x - (t - 3.2) * 5f32.sqrt()).abs() < 1e-4, "{first:?}");
        }
    }

    /// Three well-separated clusters in 20 dimensions: every point's nearest neighbour in the
    /// t-SNE picture belongs to its own cluster.
    #[test]
    fn tsne_keeps_clusters_together() {
        let dim = 20;
        let mut data = Vec::new();
        for i in 0..30 {
            let cluster = i % 3;
            for k in 0..dim {
                let centre = if k % 3 == cluster { 5.0 } else { 0.0 };
                data.push(centre + ((i * 7 + k * 13) % 11) as f32 * 0.05);
            }
        }
        let rows = Rows::new(&data, dim).unwrap();
        let map = tsne(rows);
        assert_eq!(map.coords.len(), 60);
        assert!(map.explained_variance_ratio.is_empty());
        for i in 0..30 {
            let nearest = (0..30)
                .filter(|&j| j != i)
                .min_by(|&a, &b| {
                    let d = |j: usize| {
                        distance(&map.coords[i * 2..i * 2 + 2], &map.coords[j * 2..j * 2 + 2])
                    };
                    d(a).total_cmp(&d(b))
                })
                .unwrap();
            assert_eq!(nearest % 3, i % 3, "point {i}");
        }
        assert_eq!(
            project(Rows::new(&data[..3 * dim], dim).unwrap(), Method::Tsne)
                .explained_variance_ratio
                .len(),
            2
        );
        assert!("umap".parse::<Method>().is_err());
    }

    #[test]
    fn identical_points_and_single_points_sit_at_the_origin() {
        for data in [vec![1f32, 2., 3.], vec![1f32, 2., 3., 1., 2., 3.]] {
            let p = pca(Rows::new(&data, 3).unwrap(), 2);
            assert!(p.coords.iter().all(|&c| c == 0.0));
            assert_eq!(p.explained_variance_ratio, vec![0.0, 0.0]);
        }
    }
}
