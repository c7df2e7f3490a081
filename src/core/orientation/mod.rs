//! Which side of a hypersurface is which, from its points alone. The first relation's
//! loss sees only |g| (Eq. 1), and a hinge on |g| off the data cannot move a sheet of the
//! zero set that crosses the box: the sheet is a sign change of g, and the hinge only makes
//! g steeper across it (the torus: a sheet under the tube, 72-77% of the intersection on
//! the torus at best, measured in the README). Where the data is a hypersurface (dimension
//! N − 1) its two sides can be told apart: unit normals from local principal directions,
//! turned to agree with their neighbours along a minimum spanning tree of the neighbour
//! graph weighted by 1 − |nᵢ·nⱼ| (Hoppe et al., 1992), each connected piece turned to
//! point away from the data's centroid on the whole. Where the data crosses itself the
//! tree is cut: there a branch's outward side turns over (the figure eight's lobes), and a
//! normal carried through asked for a stray curve 1-1.25 from the data (Gerono's figure
//! eight at seeds 2 and 3: 82.7% / 69.5% of the intersection on the curve, 100% / 99.5%
//! with the cut). Points p + t·n then carry the sign g should take there (`loss::sides`).

mod pieces;

pub use pieces::Votes;

use super::config::SidesRule;
use super::linalg::{dot, norm, reject};
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
/// A kept relation's gradient at the data must lie this much (as a share of its length) in
/// the data's normal space for the direction across the data within the kept zero set to
/// be taken; less, and the relations are not transverse there.
const TRANSVERSE: f64 = 0.3;
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

/// The principal directions and variances (largest first) of the patch of `rows`.
fn local_fit(cloud: &PointCloud, rows: &[usize]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let Patch { directions, variances, .. } = Patch::of(cloud, rows);
    (directions, variances)
}

/// How many directions a patch spans: those whose principal variance is at least `THIN`
/// of the largest.
fn spans(variances: &[f64]) -> usize {
    variances.iter().filter(|&&v| v >= THIN * variances[0]).count()
}

/// The data's local dimension: how many directions the patches of `rows` span in the
/// median. A curve in the plane spans 1 of 2, the ellipse 1 of 3, a solid cloud all.
fn local_dimension(cloud: &PointCloud, index: &NearestIndex, k: usize, rows: impl Iterator<Item = usize>) -> usize {
    let mut spans: Vec<usize> = rows.map(|r| spans(&local_fit(cloud, &patch_rows(cloud, index, k, r)).1)).collect();
    spans.sort_unstable();
    spans[spans.len() / 2]
}

/// The data's local dimension (see `local_dimension`), from `PROBE` of its points; None
/// with too few points to tell.
pub fn dimension(cloud: &PointCloud) -> Option<usize> {
    let (len, k) = (cloud.len(), neighbours(cloud.dim()));
    if len <= k {
        return None;
    }
    let index = NearestIndex::new(cloud);
    Some(local_dimension(cloud, &index, k, (0..len).step_by(len.div_ceil(PROBE))))
}

/// The unit direction in the span of `normal_space` (orthonormal vectors) along which no
/// kept relation changes to first order: orthogonal to each of `gradients`. None where
/// they leave more or fewer than one such direction (not transverse there).
fn across_within(normal_space: &[Vec<f64>], gradients: &[Vec<f64>]) -> Option<Vec<f64>> {
    let k = normal_space.len();
    if gradients.len() + 1 != k {
        return None;
    }
    // In the normal space's coordinates: the gradients made orthonormal, then the axis
    // that is left the most by them.
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for g in gradients {
        let mut c: Vec<f64> = normal_space.iter().map(|u| dot(u, g)).collect();
        reject(&mut c, &basis);
        let left = norm(&c);
        if left.is_nan() || left <= TRANSVERSE * norm(g) {
            return None;
        }
        basis.push(c.iter().map(|v| v / left).collect());
    }
    let axis = (0..k)
        .map(|i| {
            let mut e = vec![0.0; k];
            e[i] = 1.0;
            reject(&mut e, &basis);
            e
        })
        .max_by(|a, b| norm(a).total_cmp(&norm(b)))?;
    let length = norm(&axis);
    let dim = normal_space[0].len();
    Some((0..dim).map(|c| normal_space.iter().zip(&axis).map(|(u, w)| u[c] * w / length).sum()).collect())
}

/// Oriented unit normals at every point of `cloud`, or None where it is not a hypersurface
/// (too few points, or thin in more or fewer directions than one).
pub fn oriented_normals(cloud: &PointCloud) -> Option<Vec<Vec<f64>>> {
    normals_within(cloud, &[], SidesRule::Within)
}

/// Oriented unit normals at every point of `cloud` within the joint zero set of kept
/// relations whose gradients at row r are `gradients[r]` (none kept: empty), where the data
/// is a hypersurface of that set (of one dimension less); else None. A zero normal marks a
/// point that has none (a crossing, or where the kept relations are not transverse).
/// `SidesRule::First` orients as links of versions 1 to 9 did: through crossings, along
/// one-way neighbour edges, each piece outwards on its own.
pub fn normals_within(cloud: &PointCloud, gradients: &[Vec<Vec<f64>>], rule: SidesRule) -> Option<Vec<Vec<f64>>> {
    let oriented = orient(cloud, gradients, rule)?;
    if rule == SidesRule::Within {
        let votes = oriented.chord_votes(cloud);
        return Some(oriented.turned(cloud, &votes));
    }
    Some(oriented.normals)
}

/// Oriented normals (see `normals_within`) before the pieces are turned to agree, and what
/// the orienting saw of the data's shape.
pub struct Oriented {
    /// Per row of the cloud: its unit normal, zero where it has none.
    pub normals: Vec<Vec<f64>>,
    /// The rows of each piece the normals were carried through, each turned on its own.
    pub pieces: Vec<Vec<usize>>,
    /// Within a kept zero set: the data's pieces of at least a twentieth of its points,
    /// once cut at crossings.
    data_pieces: usize,
}

impl Oriented {
    /// The piece each row's normal was carried through (None: the row has no normal).
    pub fn piece_of_rows(&self) -> Vec<Option<usize>> {
        let mut of = vec![None; self.normals.len()];
        for (i, rows) in self.pieces.iter().enumerate() {
            rows.iter().for_each(|&r| of[r] = Some(i));
        }
        of
    }

    /// Whether its pieces are few enough to be turned to agree (`pieces::turn_to_agree`):
    /// beyond that, votes are not asked for.
    pub fn turnable(&self) -> bool {
        pieces::turnable(self.pieces.len())
    }

    /// Votes by chords through space between its pieces (`pieces::chord_votes`).
    pub fn chord_votes(&self, cloud: &PointCloud) -> Votes {
        pieces::chord_votes(cloud, &self.pieces, &self.normals)
    }

    /// Its normals, the pieces turned as most `votes` agree (`pieces::Votes`).
    fn turned(mut self, cloud: &PointCloud, votes: &Votes) -> Vec<Vec<f64>> {
        pieces::turn_to_agree(cloud, &self.pieces, votes, &mut self.normals);
        self.normals
    }

    /// Its pieces turned as most `votes` agree, then one signed point beside each data
    /// point (see `signed_points`).
    pub fn signed_points(self, cloud: &PointCloud, votes: &Votes, scale: f64, rng: &mut Rng) -> SignedPoints {
        signed_points(cloud, &self.turned(cloud, votes), scale, rng)
    }
}

fn orient(cloud: &PointCloud, gradients: &[Vec<Vec<f64>>], rule: SidesRule) -> Option<Oriented> {
    let careful = rule == SidesRule::Within;
    let (n, len) = (cloud.dim(), cloud.len());
    let kept = gradients.first().map_or(0, Vec::len);
    let k = neighbours(n);
    if len <= k || n < 2 {
        return None;
    }
    let index = NearestIndex::new(cloud);
    let d = local_dimension(cloud, &index, k, (0..len).step_by(len.div_ceil(PROBE)));
    if d + kept + 1 != n {
        return None;
    }
    // One neighbour search per point serves its normal and the spanning tree's edges.
    let neighbours: Vec<Vec<usize>> = (0..len).map(|r| patch_rows(cloud, &index, k, r)).collect();
    // A patch thick in more directions than the data's is where it crosses itself (the
    // figure eight's double point): its normal says nothing, and orientation must not be
    // carried through it, since a branch's sides swap there (x⁴ − x² + y² is positive
    // outside both lobes, so along the branch y ≈ x its outward normal turns over at 0).
    let fits: Vec<(Vec<Vec<f64>>, Vec<f64>)> = neighbours.iter().map(|rows| local_fit(cloud, rows)).collect();
    let thick: Vec<bool> = fits.iter().map(|(_, values)| careful && spans(values) > d).collect();
    // With the thick patches' neighbours, so that no neighbour edge jumps the gap.
    let crossing: Vec<bool> = neighbours.iter().map(|rows| rows.iter().any(|&q| thick[q])).collect();
    let mut normals: Vec<Vec<f64>> = fits
        .into_iter()
        .enumerate()
        .map(|(r, (directions, _))| {
            let across = if kept == 0 { directions.last().cloned() } else { across_within(&directions[d..], &gradients[r]) };
            across.filter(|_| !crossing[r]).unwrap_or_else(|| vec![0.0; n])
        })
        .collect();
    // The tree's edges both ways: k-nearest is not symmetric, and on a sampled curve a clump
    // of k + 1 points is each other's nearest, so one-way edges can only enter it.
    let edges = if careful { pieces::both_ways(neighbours) } else { neighbours };
    // The data's own pieces, within a kept zero set, where they decide whether sides are
    // given (before points where the kept relations are not transverse lose their normals).
    let data_pieces = if kept == 0 { 0 } else { pieces::data_pieces(cloud, &index, k, &crossing) };
    // Points without a normal are left out of the tree.
    let no_normal: Vec<bool> = normals.iter().map(|v| norm(v) == 0.0).collect();
    // Prim's tree from each piece's first point; a normal is turned to agree with the one
    // it was reached from. Weights 1 − |cos| as integers for the heap.
    let weight = |a: &[f64], b: &[f64]| ((1.0 - dot(a, b).abs()) * 1e9) as u64;
    let mut reached = vec![false; len];
    let mut pieces = Vec::new();
    let centroid = cloud.centroid();
    for root in 0..len {
        if reached[root] || no_normal[root] {
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
                pieces::turn(&mut normals, &[r]);
            }
            for &q in &edges[r] {
                if !reached[q] && !no_normal[q] {
                    heap.push(Reverse((weight(&normals[r], &normals[q]), q, r)));
                }
            }
        }
        // Away from the centroid on the whole (for a closed surface: outwards).
        if pieces::lean(cloud, &normals, &piece, &centroid) < 0.0 {
            pieces::turn(&mut normals, &piece);
        }
        pieces.push(piece);
    }
    Some(Oriented { normals, pieces, data_pieces })
}

/// The rows of a cloud of `len` points that get normals and signed points: at most `MOST`,
/// evenly strided.
pub fn sided_rows(len: usize) -> Vec<usize> {
    (0..len).step_by(len.div_ceil(MOST).max(1)).collect()
}

/// The signed points beside `cloud` (beside its `sided_rows`), or None where it is not a
/// hypersurface.
pub fn sides(cloud: &PointCloud, rule: SidesRule, scale: f64, rng: &mut Rng) -> Option<SignedPoints> {
    let cloud = cloud.select(&sided_rows(cloud.len()));
    let normals = normals_within(&cloud, &[], rule)?;
    Some(signed_points(&cloud, &normals, scale, rng))
}

/// The normals of `cloud` within the kept relations' zero set (see `normals_within`), each
/// piece turned on its own (the caller says how they agree: `Oriented::signed_points`),
/// or None where it is not a hypersurface of it, or is in one piece
/// (once cut at crossings). Pieces are where a relation's sign pattern can go wrong: it can
/// cross zero at two of them with the same slope and so once more between them (three
/// stacked circles). On one piece the sides forced a sign change that a relation only
/// touching zero did without: the helix on a cylinder-like g₁, 85.0% → 73.6% of the
/// intersection on it (median of seeds 1-3, transversality), SO(3)'s sixth relation lost
/// at one seed in three. (Thick patches alone say little in sparse data: SO(3)'s 1,500
/// points in R⁹ have some at every seed.)
pub fn pieces_within(cloud: &PointCloud, gradients: &[Vec<Vec<f64>>]) -> Option<Oriented> {
    orient(cloud, gradients, SidesRule::Within).filter(|o| o.data_pieces >= 2)
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
mod tests;
