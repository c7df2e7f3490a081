//! Which side of a hypersurface is which, from its points alone. The first relation's
//! loss sees only |g| (Eq. 1), and a hinge on |g| off the data cannot move a sheet of the
//! zero set that crosses the box: the sheet is a sign change of g, and the hinge only makes
//! g steeper across it (the torus: a sheet under the tube, 72-77% of the intersection on
//! the torus at best, measured in the README). Where the data is a hypersurface (dimension
//! N − 1) its two sides can be told apart: unit normals from local principal directions,
//! turned to agree with their neighbours along a minimum spanning tree of the neighbour
//! graph weighted by 1 − |nᵢ·nⱼ| (Hoppe et al., 1992), each connected piece turned to
//! point away from the data's centroid on the whole. Points p + t·n then carry the sign g
//! should take there (`loss::sides`).

use super::linalg::{dot, norm};
use super::local_fit::Patch;
use super::nearest::NearestIndex;
use super::points::PointCloud;
use super::rng::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Signed offsets span this share of the data's scale, uniformly from the first figure to
/// the second. Measured on the torus, seeds 1-5: up to 0.3 left sheets at z ≈ −1.1, past
/// the offsets' reach (59-98% of the intersection on the torus); up to 1.0: 85-100%; up to
/// 2.0 (further than the box) loosened the fit (47-93%). An offset through a thin part
/// (the tube) is dropped by `signed_points`.
pub const OFFSETS: (f64, f64) = (0.02, 1.0);
/// The hypersurface test: a local principal direction counts where its variance is at least
/// this share of the largest. Noise thicker than this hides the sides (an ellipsoid with
/// σ = 0.02 from 4,096 points: 0.16), and the data is then treated as having none.
const THIN: f64 = 0.05;
/// The test looks at this many points before normals are made for all.
const PROBE: usize = 300;

/// At most this many data points get normals and a signed point: each costs a neighbour
/// search (natively, S⁷ in R⁸: 0.6 s for 4,096 points, 28 s for 20,000).
const MOST: usize = 4096;

/// Points beside the data with the signed distance t along the oriented normal that put them
/// there: g should have the sign of t.
pub struct SignedPoints {
    pub points: PointCloud,
    pub offsets: Vec<f32>,
}

/// Neighbours per local fit: enough to pin N − 1 tangent directions with room for noise.
fn neighbours(dim: usize) -> usize {
    (3 * dim).max(10)
}

/// The k nearest data points to row `r` (itself among them).
fn patch_rows(cloud: &PointCloud, index: &NearestIndex, k: usize, r: usize) -> Vec<usize> {
    let p: Vec<f64> = cloud.row(r).iter().map(|&v| v as f64).collect();
    index.nearest_rows(&p, k)
}

/// The unit normal and principal variances (largest first) of the patch of `rows`.
fn local_fit(cloud: &PointCloud, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let Patch { mut directions, variances, .. } = Patch::of(cloud, rows);
    (directions.pop().expect("dim ≥ 1"), variances)
}

/// Whether the local patches of `rows` span N − 1 directions (in the median): a
/// direction counts where its principal variance is at least `THIN` of the largest. A
/// curve (the ellipse in its plane), a surface in R⁴ or a solid cloud spans fewer or more.
fn is_hypersurface(cloud: &PointCloud, index: &NearestIndex, k: usize, rows: impl Iterator<Item = usize>) -> bool {
    let n = cloud.dim();
    let mut spans: Vec<usize> = rows
        .map(|r| {
            let (_, values) = local_fit(cloud, &patch_rows(cloud, index, k, r));
            values.iter().filter(|&&v| v >= THIN * values[0]).count()
        })
        .collect();
    spans.sort_unstable();
    n >= 2 && spans.get(spans.len() / 2) == Some(&(n - 1))
}

/// Oriented unit normals at every point of `cloud`, or None where it is not a hypersurface
/// (too few points, or thin in more or fewer directions than one).
pub fn oriented_normals(cloud: &PointCloud) -> Option<Vec<Vec<f64>>> {
    let (n, len) = (cloud.dim(), cloud.len());
    let k = neighbours(n);
    if len <= k {
        return None;
    }
    let index = NearestIndex::new(cloud);
    let step = len.div_ceil(PROBE);
    if !is_hypersurface(cloud, &index, k, (0..len).step_by(step)) {
        return None;
    }
    // One neighbour search per point serves its normal and the spanning tree's edges.
    let neighbours: Vec<Vec<usize>> = (0..len).map(|r| patch_rows(cloud, &index, k, r)).collect();
    let mut normals: Vec<Vec<f64>> = neighbours.iter().map(|rows| local_fit(cloud, rows).0).collect();
    // Prim's tree from each piece's first point; a normal is turned to agree with the one
    // it was reached from. Weights 1 − |cos| as integers for the heap.
    let weight = |a: &[f64], b: &[f64]| ((1.0 - dot(a, b).abs()) * 1e9) as u64;
    let mut reached = vec![false; len];
    let centroid = cloud.centroid();
    for root in 0..len {
        if reached[root] {
            continue;
        }
        let mut piece = Vec::new();
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((0u64, root, root)));
        while let Some(Reverse((_, r, from))) = heap.pop() {
            if reached[r] {
                continue;
            }
            reached[r] = true;
            piece.push(r);
            if dot(&normals[r], &normals[from]) < 0.0 {
                normals[r].iter_mut().for_each(|v| *v = -*v);
            }
            for &q in &neighbours[r] {
                if !reached[q] {
                    heap.push(Reverse((weight(&normals[r], &normals[q]), q, r)));
                }
            }
        }
        // Away from the centroid on the whole (for a closed surface: outwards).
        let outwards: f64 = piece
            .iter()
            .map(|&r| {
                let away: Vec<f64> = cloud.row(r).iter().zip(&centroid).map(|(&v, c)| v as f64 - c).collect();
                dot(&normals[r], &away)
            })
            .sum();
        if outwards < 0.0 {
            piece.iter().for_each(|&r| normals[r].iter_mut().for_each(|v| *v = -*v));
        }
    }
    Some(normals)
}

/// The signed points beside `cloud` (beside at most `MOST` of its points, evenly strided),
/// or None where it is not a hypersurface.
pub fn sides(cloud: &PointCloud, scale: f64, rng: &mut Rng) -> Option<SignedPoints> {
    let strided;
    let cloud = if cloud.len() > MOST {
        strided = cloud.select(&(0..cloud.len()).step_by(cloud.len().div_ceil(MOST)).collect::<Vec<_>>());
        &strided
    } else {
        cloud
    };
    let normals = oriented_normals(cloud)?;
    Some(signed_points(cloud, &normals, scale, rng))
}

/// One point beside each data point, at a random signed offset along its normal (see
/// `OFFSETS`), kept only where the data's nearest point is still about that far: a point
/// that came closer to another part of the data crossed it, and its sign would be wrong.
pub fn signed_points(cloud: &PointCloud, normals: &[Vec<f64>], scale: f64, rng: &mut Rng) -> SignedPoints {
    let index = NearestIndex::new(cloud);
    let (mut values, mut offsets) = (Vec::new(), Vec::new());
    for (r, normal) in normals.iter().enumerate() {
        let size = scale * rng.range(OFFSETS.0, OFFSETS.1);
        let t = if rng.below(2) == 0 { size } else { -size };
        let x: Vec<f64> = cloud.row(r).iter().zip(normal).map(|(&v, n)| v as f64 + t * n).collect();
        if index.distance(&x) >= 0.9 * size && norm(normal) > 0.5 {
            values.extend(x.iter().map(|&v| v as f32));
            offsets.push(t as f32);
        }
    }
    SignedPoints { points: PointCloud::new(cloud.dim(), values).expect("finite by construction"), offsets }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::TAU;

    fn cloud(dim: usize, n: usize, mut sample: impl FnMut(&mut Rng) -> Vec<f64>) -> PointCloud {
        let mut rng = Rng::new(3);
        PointCloud::new(dim, (0..n).flat_map(|_| sample(&mut rng)).map(|v| v as f32).collect()).unwrap()
    }

    /// A torus in R³ (tube 0.4 around the unit circle) and its outward normal at a point.
    fn torus(rng: &mut Rng) -> Vec<f64> {
        let (u, v) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
        let rho = 1.0 + 0.4 * v.cos();
        vec![rho * u.cos(), rho * u.sin(), 0.4 * v.sin()]
    }

    fn torus_outward(p: &[f64]) -> Vec<f64> {
        let rho = p[0].hypot(p[1]);
        let d = [p[0] - p[0] / rho, p[1] - p[1] / rho, p[2]];
        let l = norm(&d);
        d.iter().map(|v| v / l).collect()
    }

    #[test]
    fn a_torus_gets_outward_normals_everywhere_and_its_hole_counts_as_outside() {
        let data = cloud(3, 2048, torus);
        let normals = oriented_normals(&data).expect("a surface in R³");
        let agree = data.rows_f64().zip(&normals).filter(|(p, n)| dot(&torus_outward(p), n) > 0.9).count();
        assert_eq!(agree, data.len(), "every normal outward, the inner equator's towards the axis too");
        let signed = signed_points(&data, &normals, data.scale(), &mut Rng::new(4));
        // Offsets inwards past the tube's core are dropped, the rest kept.
        assert!(signed.offsets.len() > data.len() * 6 / 10, "{}", signed.offsets.len());
        // The sign says the side: outside the tube for t > 0, inside for t < 0.
        for (p, t) in signed.points.rows_f64().zip(&signed.offsets) {
            let inside = (p[0].hypot(p[1]) - 1.0).hypot(p[2]) < 0.4;
            assert_eq!(inside, *t < 0.0, "{p:?} at {t}");
        }
    }

    #[test]
    fn a_large_cloud_gets_sides_beside_a_strided_share_only() {
        let sphere = cloud(3, 10_000, |rng| {
            let v: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
            let l = norm(&v);
            v.iter().map(|a| a / l).collect()
        });
        let signed = sides(&sphere, sphere.scale(), &mut Rng::new(4)).expect("a surface");
        assert!(signed.offsets.len() <= MOST && signed.offsets.len() > MOST / 2, "{}", signed.offsets.len());
        // Outside the unit sphere for t > 0, inside for t < 0.
        assert!(signed.points.rows_f64().zip(&signed.offsets).all(|(p, t)| (norm(&p) > 1.0) == (*t > 0.0)));
    }

    #[test]
    fn curves_and_surfaces_of_higher_codimension_have_no_sides() {
        let circle_in_r3 = cloud(3, 1024, |rng| {
            let a = rng.range(0.0, TAU);
            vec![a.cos(), a.sin(), 0.5 * a.cos()]
        });
        assert!(oriented_normals(&circle_in_r3).is_none());
        let flat_torus = cloud(4, 2048, |rng| {
            let (a, b) = (rng.range(0.0, TAU), rng.range(0.0, TAU));
            vec![a.cos(), a.sin(), b.cos(), b.sin()]
        });
        assert!(oriented_normals(&flat_torus).is_none());
        let blob = cloud(3, 1024, |rng| (0..3).map(|_| rng.normal()).collect());
        assert!(oriented_normals(&blob).is_none(), "a solid cloud is thin in no direction");
        assert!(oriented_normals(&cloud(3, 5, torus)).is_none(), "too few points");
    }

    #[test]
    fn an_ellipsoid_and_a_circle_in_the_plane_are_hypersurfaces() {
        let ellipsoid = cloud(3, 4096, |rng| {
            let v: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
            let l = norm(&v);
            let axes = [1.5, 1.0, 0.6];
            (0..3).map(|i| axes[i] * v[i] / l).collect()
        });
        let normals = oriented_normals(&ellipsoid).expect("a surface");
        let outward = ellipsoid.rows_f64().zip(&normals).filter(|(p, n)| dot(p, n) > 0.0).count();
        assert!(outward >= ellipsoid.len() * 99 / 100, "{outward}");
        let circle = cloud(2, 512, |rng| {
            let a = rng.range(0.0, TAU);
            vec![a.cos(), a.sin()]
        });
        assert!(oriented_normals(&circle).is_some());
    }
}
