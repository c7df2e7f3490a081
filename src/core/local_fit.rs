//! Distance to the manifold a point cloud samples, when no equations are known (a user's
//! upload): the distance to a local linear fit of the nearest data points, with the
//! manifold's dimension. The nearest sample alone is no stand-in: on a 2-D torus in R⁴
//! sampled by 2,048 points, points exactly on the torus lie ~0.1 from the nearest sample,
//! so a perfect zero set scored 20% within 0.05.

use super::linalg::{dot, symmetric_eigen};
use super::nearest::NearestIndex;
use super::points::PointCloud;

/// Neighbours per fit: enough to span `dimension` directions with room for noise, few
/// enough that curvature bends the patch little.
fn neighbours(dimension: usize) -> usize {
    (3 * dimension).max(8)
}

/// Distances from `points` to the `dimension`-dimensional manifold `cloud` samples.
/// Each is the distance to the affine `dimension`-plane through the nearest data points
/// (their centroid and leading principal directions), plus how far the point lies beyond
/// those points along the plane: a fit only speaks for the patch it was made from.
pub fn distances(cloud: &PointCloud, dimension: usize, points: &[Vec<f64>]) -> Vec<f64> {
    let index = NearestIndex::new(cloud);
    let k = neighbours(dimension).min(cloud.len());
    points.iter().map(|p| distance(cloud, &index, dimension, k, p)).collect()
}

/// How far points of the manifold itself lie from the fit: the 95th percentile of the
/// distances of (at most `most` of) `held_out` data (not in `cloud`) to it. Near zero on
/// a densely sampled curve or surface; on a sparse sample of a higher-dimensional set the
/// nearest points no longer pin its tangent plane down (a 5-D set in R⁷ from 1,638
/// points: 0.23), and a tolerance below this would call the manifold itself a miss.
pub fn held_out_error(cloud: &PointCloud, dimension: usize, held_out: &PointCloud, most: usize) -> f64 {
    let mut d = distances(cloud, dimension, &held_out.rows_f64().take(most).collect::<Vec<_>>());
    if d.is_empty() {
        return 0.0;
    }
    d.sort_by(f64::total_cmp);
    d[(0.95 * (d.len() - 1) as f64).round() as usize]
}

/// The principal axes of the data points `rows` (not empty): their centre, their offsets
/// from it, and the eigenvalues and unit eigenvectors of their scatter, largest first.
pub struct Patch {
    pub centre: Vec<f64>,
    pub offsets: Vec<Vec<f64>>,
    pub variances: Vec<f64>,
    pub directions: Vec<Vec<f64>>,
}

impl Patch {
    pub fn of(cloud: &PointCloud, rows: &[usize]) -> Self {
        let n = cloud.dim();
        let mut centre = vec![0.0; n];
        for &r in rows {
            for (c, &v) in centre.iter_mut().zip(cloud.row(r)) {
                *c += v as f64 / rows.len() as f64;
            }
        }
        let offsets: Vec<Vec<f64>> = rows.iter().map(|&r| cloud.row(r).iter().zip(&centre).map(|(&v, c)| v as f64 - c).collect()).collect();
        let scatter: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| offsets.iter().map(|o| o[i] * o[j]).sum()).collect()).collect();
        let (variances, directions) = symmetric_eigen(scatter);
        Self { centre, offsets, variances, directions }
    }
}

fn distance(cloud: &PointCloud, index: &NearestIndex, dimension: usize, k: usize, p: &[f64]) -> f64 {
    let rows = index.nearest_rows(p, k);
    if rows.is_empty() {
        return f64::INFINITY;
    }
    let Patch { centre, offsets, directions, .. } = Patch::of(cloud, &rows);
    let tangent = &directions[..dimension.min(cloud.dim())];
    let along = |x: &[f64]| -> f64 { tangent.iter().map(|t| dot(t, x).powi(2)).sum::<f64>().sqrt() };
    let r: Vec<f64> = p.iter().zip(&centre).map(|(a, c)| a - c).collect();
    let t = along(&r);
    let normal = (dot(&r, &r) - t * t).max(0.0).sqrt();
    let extent = offsets.iter().map(|o| along(o)).fold(0.0, f64::max);
    let beyond = (t - extent).max(0.0);
    (normal * normal + beyond * beyond).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::Rng;
    use std::f64::consts::TAU;

    /// The flat torus (cos a, sin a, cos b, sin b) in R⁴, and the exact distance to it.
    fn torus(rng: &mut Rng) -> Vec<f64> {
        let (a, b) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
        vec![a.cos(), a.sin(), b.cos(), b.sin()]
    }

    #[test]
    fn points_on_a_sampled_torus_are_near_it_and_points_off_it_are_not() {
        let mut rng = Rng::new(5);
        let cloud = PointCloud::new(4, (0..2048).flat_map(|_| torus(&mut rng)).map(|v| v as f32).collect()).unwrap();
        let on: Vec<Vec<f64>> = (0..300).map(|_| torus(&mut rng)).collect();
        let d = distances(&cloud, 2, &on);
        let within = d.iter().filter(|&&d| d < 0.05).count() as f64 / d.len() as f64;
        assert!(within >= 0.95, "{within}");
        // The nearest sample alone is far from most points of the torus.
        let nearest = on.iter().filter(|p| cloud.nearest_distance(p) < 0.05).count() as f64 / on.len() as f64;
        assert!(nearest < 0.5, "{nearest}");
        // Off it by 0.2 along a normal: the fit sees (about) that.
        let off: Vec<Vec<f64>> = on.iter().map(|p| vec![1.2 * p[0], 1.2 * p[1], p[2], p[3]]).collect();
        let d = distances(&cloud, 2, &off);
        assert!(d.iter().all(|&d| (d - 0.2).abs() < 0.06), "{:?}", &d[..5]);
        // Far beyond the data along the fitted plane is not on the manifold.
        assert!(distances(&cloud, 2, &[vec![3.0, 0.0, 1.0, 0.0]])[0] > 1.0);
    }
}
