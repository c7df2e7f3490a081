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

use super::config::SidesRule;
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
/// At most this many pieces are turned to agree with each other (see
/// `sides_agree_across_pieces`): 2^(PIECES − 1) turns are tried.
const PIECES: usize = 10;
/// A kept relation's gradient at the data must lie this much (as a share of its length) in
/// the data's normal space for the direction across the data within the kept zero set to
/// be taken; less, and the relations are not transverse there.
const TRANSVERSE: f64 = 0.3;
/// Pieces are told apart along edges to this many times the patches' nearest neighbours.
const BRIDGE: usize = 3;
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
    let reject = |v: &mut Vec<f64>, basis: &[Vec<f64>]| {
        for q in basis {
            let c = dot(v, q);
            v.iter_mut().zip(q).for_each(|(a, b)| *a -= c * b);
        }
    };
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
    orient(cloud, gradients, rule).map(|o| o.normals)
}

/// Oriented normals (see `normals_within`), and what the orienting saw of the data's shape.
struct Oriented {
    normals: Vec<Vec<f64>>,
    /// Within a kept zero set: the data's pieces of at least a twentieth of its points,
    /// once cut at crossings.
    pieces: usize,
}

/// Each row's neighbours, and the rows it is a neighbour of.
fn both_ways(neighbours: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let mut edges = neighbours.clone();
    for (r, rows) in neighbours.iter().enumerate() {
        rows.iter().filter(|&&q| q != r).for_each(|&q| edges[q].push(r));
    }
    edges
}

/// The sizes of the connected pieces of the graph of `edges` without the `cut` points.
fn pieces_of(edges: &[Vec<usize>], cut: &[bool]) -> Vec<usize> {
    let mut seen = cut.to_vec();
    let mut sizes = Vec::new();
    for root in 0..edges.len() {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let (mut stack, mut size) = (vec![root], 0);
        while let Some(r) = stack.pop() {
            size += 1;
            for &q in &edges[r] {
                if !seen[q] {
                    seen[q] = true;
                    stack.push(q);
                }
            }
        }
        sizes.push(size);
    }
    sizes
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
    let edges = if careful { both_ways(neighbours) } else { neighbours };
    // The data's own pieces (within a kept zero set, where they decide whether sides are
    // given): apart once the crossings are cut, joined where BRIDGE·k nearest
    // neighbours reach across, since k nearest do not always reach across a gap in how
    // a curve was sampled (the built-in helix and twisted cubic at seed 1 came apart).
    let data_pieces = if kept == 0 {
        0
    } else {
        pieces_of(&both_ways((0..len).map(|r| patch_rows(cloud, &index, BRIDGE * k, r)).collect()), &crossing).into_iter().filter(|p| 20 * p >= len).count()
    };
    // Points without a normal are left out of the tree.
    let crossing: Vec<bool> = normals.iter().map(|v| norm(v) == 0.0).collect();
    // Prim's tree from each piece's first point; a normal is turned to agree with the one
    // it was reached from. Weights 1 − |cos| as integers for the heap.
    let weight = |a: &[f64], b: &[f64]| ((1.0 - dot(a, b).abs()) * 1e9) as u64;
    let mut reached = vec![false; len];
    let mut pieces = Vec::new();
    let centroid = cloud.centroid();
    for root in 0..len {
        if reached[root] || crossing[root] {
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
            for &q in &edges[r] {
                if !reached[q] && !crossing[q] {
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
        pieces.push(piece);
    }
    if careful {
        sides_agree_across_pieces(cloud, &index, &pieces, &mut normals);
    }
    Some(Oriented { normals, pieces: data_pieces })
}

/// Pieces are turned so that the space between two of them is one side of both: nested
/// spheres each turned outwards ask for g > 0 just outside the inner one and g < 0 just
/// inside the outer one, so for a sheet between them that the data never asked for (two
/// spheres of radii 1 and 2: no relation kept, with the retry from random weights too).
/// Each point votes with the nearest point of every other piece, where nothing of the data
/// lies between them (no data point nearer to the midpoint than they are): the two agree
/// when each lies on the same side of the other, n_a·(b − a) and n_b·(a − b) of one sign.
/// The turns that most votes agree with are chosen by trying them all (a few pieces);
/// beyond `PIECES` pieces (data in crumbs, where a piece's side means little) none are.
fn sides_agree_across_pieces(cloud: &PointCloud, index: &NearestIndex, pieces: &[Vec<usize>], normals: &mut [Vec<f64>]) {
    let count = pieces.len();
    if !(2..=PIECES).contains(&count) {
        return;
    }
    let clouds: Vec<PointCloud> = pieces.iter().map(|rows| cloud.select(rows)).collect();
    let indices: Vec<NearestIndex> = clouds.iter().map(NearestIndex::new).collect();
    // votes[i][j]: agreeing minus disagreeing pairs between pieces i and j as they stand.
    let mut votes = vec![vec![0i64; count]; count];
    for (i, rows) in pieces.iter().enumerate() {
        for &a in rows {
            let pa: Vec<f64> = cloud.row(a).iter().map(|&v| v as f64).collect();
            for (j, other) in indices.iter().enumerate().filter(|&(j, _)| j != i) {
                let b = pieces[j][other.nearest_rows(&pa, 1)[0]];
                let pb: Vec<f64> = cloud.row(b).iter().map(|&v| v as f64).collect();
                let ab: Vec<f64> = pb.iter().zip(&pa).map(|(b, a)| b - a).collect();
                let middle: Vec<f64> = pa.iter().zip(&pb).map(|(a, b)| (a + b) / 2.0).collect();
                if index.distance(&middle) < 0.99 * norm(&ab) / 2.0 {
                    continue;
                }
                let (from_a, from_b) = (dot(&normals[a], &ab), -dot(&normals[b], &ab));
                votes[i][j] += if from_a * from_b > 0.0 { 1 } else { -1 };
            }
        }
    }
    // The first piece keeps its turn (the overall sign is chosen below).
    let score = |turns: u32| -> i64 {
        let sign = |i: usize| if turns >> i & 1 == 1 { -1 } else { 1 };
        (0..count).flat_map(|i| (0..count).map(move |j| (i, j))).map(|(i, j)| votes[i][j] * sign(i) * sign(j)).sum()
    };
    let best = (0..1u32 << (count - 1)).map(|t| t << 1).max_by_key(|&t| (score(t), Reverse(t))).expect("one turn at least");
    for (_, rows) in pieces.iter().enumerate().filter(|&(i, _)| best >> i & 1 == 1) {
        rows.iter().for_each(|&r| normals[r].iter_mut().for_each(|v| *v = -*v));
    }
    // Then all together, away from the centroid on the whole: the far field is the outside,
    // where the warm start's sphere is positive (nested spheres turned the other way kept a
    // stray sheet 2-4 beyond the outer one, where g had to turn positive again).
    let centroid = cloud.centroid();
    let outwards: f64 = cloud.rows_f64().zip(normals.iter()).map(|(p, n)| dot(n, &p.iter().zip(&centroid).map(|(v, c)| v - c).collect::<Vec<f64>>())).sum();
    if outwards < 0.0 {
        normals.iter_mut().for_each(|n| n.iter_mut().for_each(|v| *v = -*v));
    }
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

/// The signed points beside `cloud` within the kept relations' zero set (see
/// `normals_within`), or None where it is not a hypersurface of it, or is in one piece
/// (once cut at crossings). Pieces are where a relation's sign pattern can go wrong: it can
/// cross zero at two of them with the same slope and so once more between them (three
/// stacked circles). On one piece the sides forced a sign change that a relation only
/// touching zero did without: the helix on a cylinder-like g₁, 85.0% → 73.6% of the
/// intersection on it (median of seeds 1-3, transversality), SO(3)'s sixth relation lost
/// at one seed in three. (Thick patches alone say little in sparse data: SO(3)'s 1,500
/// points in R⁹ have some at every seed.)
pub fn sides_within(cloud: &PointCloud, gradients: &[Vec<Vec<f64>>], scale: f64, rng: &mut Rng) -> Option<SignedPoints> {
    let oriented = orient(cloud, gradients, SidesRule::Within).filter(|o| o.pieces >= 2)?;
    Some(signed_points(cloud, &oriented.normals, scale, rng))
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
        let signed = sides(&sphere, SidesRule::Within, sphere.scale(), &mut Rng::new(4)).expect("a surface");
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

    /// Gerono's figure eight x = cos t, y = sin t cos t: its zero set's gradient
    /// (4x³ − 2x, 2y) points out of both lobes, and along a branch through the double point
    /// that direction turns over. Five samplings (the neighbour graph's clumps differ).
    #[test]
    fn a_curve_crossing_itself_gets_outward_normals_on_both_lobes_and_none_at_the_crossing() {
        for seed in 1..=5 {
            let mut rng = Rng::new(seed);
            let data = PointCloud::new(
                2,
                (0..2048)
                    .flat_map(|_| {
                        let t = rng.range(0.0, TAU);
                        [t.cos(), t.sin() * t.cos()]
                    })
                    .map(|v| v as f32)
                    .collect(),
            )
            .unwrap();
            let normals = oriented_normals(&data).expect("a curve in the plane");
            let gradient = |p: &[f64]| vec![4.0 * p[0].powi(3) - 2.0 * p[0], 2.0 * p[1]];
            let away: Vec<(Vec<f64>, &Vec<f64>)> = data.rows_f64().zip(&normals).filter(|(p, _)| norm(&gradient(p)) >= 0.2).collect();
            let outward = away.iter().filter(|(p, n)| dot(&gradient(p), n) > 0.0).count();
            assert_eq!(outward, away.len(), "sampling {seed}: every normal out of its lobe");
            // The crossing's points have none, so no signed point is made there.
            let none: Vec<Vec<f64>> = data.rows_f64().zip(&normals).filter(|(_, n)| norm(n) == 0.0).map(|(p, _)| p).collect();
            assert!(!none.is_empty() && none.len() < 60, "sampling {seed}: {} without a normal", none.len());
            assert!(none.iter().all(|p| norm(p) < 0.05), "sampling {seed}: only at the double point");
        }
    }

    /// Points on spheres of radius `radii`, centred at `centres` (in turn).
    fn spheres(radii: &'static [f64], centres: &'static [[f64; 3]]) -> impl FnMut(&mut Rng) -> Vec<f64> {
        let mut turn = 0;
        move |rng| {
            let v: Vec<f64> = (0..3).map(|_| rng.normal()).collect();
            let l = norm(&v);
            let (r, c) = (radii[turn % radii.len()], centres[turn % centres.len()]);
            turn += 1;
            (0..3).map(|i| c[i] + r * v[i] / l).collect()
        }
    }

    #[test]
    fn pieces_are_turned_so_that_the_space_between_them_is_one_side_of_both() {
        // Nested: the inner sphere's normals point out, the outer one's in (or the
        // other way round), so that the shell between is one side of g.
        let nested = cloud(3, 4096, spheres(&[1.0, 2.0], &[[0.0; 3]]));
        let normals = oriented_normals(&nested).expect("surfaces in R³");
        let (mut inner, mut outer) = ((0, 0), (0, 0));
        for (p, n) in nested.rows_f64().zip(&normals) {
            let side = if norm(&p) < 1.5 { &mut inner } else { &mut outer };
            if dot(&p, n) > 0.0 { side.0 += 1 } else { side.1 += 1 }
        }
        assert!((inner.0 == 0 && outer.1 == 0) || (inner.1 == 0 && outer.0 == 0), "inner {inner:?}, outer {outer:?} (outwards, inwards)");
        // Side by side: both outwards, the space around them one side.
        let apart = cloud(3, 4096, spheres(&[1.0], &[[-1.5, 0.0, 0.0], [1.5, 0.0, 0.0]]));
        let normals = oriented_normals(&apart).expect("surfaces in R³");
        let outwards = apart.rows_f64().zip(&normals).filter(|(p, n)| dot(&[p[0] - 1.5 * p[0].signum(), p[1], p[2]], n) > 0.0).count();
        assert_eq!(outwards, apart.len());
    }

    /// Three circles on the cylinder x² + y² = 1, at z = −1, 0, 1: within the cylinder each
    /// is a hypersurface, and its normal there is ±z. The pieces are turned so that g₂'s
    /// sign alternates as z³ − z's does (gradient 3z² − 1: up at ±1, down at 0), up to an
    /// overall sign, rather than each outwards (which asks for a fourth circle between).
    #[test]
    fn within_a_kept_zero_set_the_pieces_alternate_as_one_function_s_sides_do() {
        let circles = cloud(3, 3000, |rng| {
            let a = rng.range(0.0, TAU);
            vec![a.cos(), a.sin(), rng.below(3) as f64 - 1.0]
        });
        let cylinder: Vec<Vec<Vec<f64>>> = circles.rows_f64().map(|p| vec![vec![2.0 * p[0], 2.0 * p[1], 0.0]]).collect();
        assert!(oriented_normals(&circles).is_none(), "curves in R³ have no sides of their own");
        let normals = normals_within(&circles, &cylinder, SidesRule::Within).expect("curves on a surface");
        let along: Vec<f64> = circles.rows_f64().zip(&normals).map(|(p, n)| n[2] * (3.0 * p[2] * p[2] - 1.0).signum()).collect();
        assert!(along.iter().all(|a| a.abs() > 0.99), "every normal is ±z");
        let up = along.iter().filter(|&&a| a > 0.0).count();
        assert!(up == 0 || up == along.len(), "{up} of {} agree with z³ − z", along.len());
        // Sides are given within the cylinder for the pieces, not for one circle alone.
        let signed = sides_within(&circles, &cylinder, 1.0, &mut Rng::new(5)).expect("three pieces");
        assert!(signed.offsets.len() > circles.len() / 2, "{}", signed.offsets.len());
        let one: Vec<usize> = (0..circles.len()).filter(|&r| circles.row(r)[2] == 0.0).collect();
        let circle = circles.select(&one);
        let on_cylinder: Vec<Vec<Vec<f64>>> = one.iter().map(|&r| cylinder[r].clone()).collect();
        assert!(normals_within(&circle, &on_cylinder, SidesRule::Within).is_some(), "a hypersurface of the cylinder");
        assert!(sides_within(&circle, &on_cylinder, 1.0, &mut Rng::new(5)).is_none(), "one piece: no sides");
        // The kept relation must be transverse: a gradient along the data gives no normal.
        let along_data: Vec<Vec<Vec<f64>>> = circles.rows_f64().map(|p| vec![vec![-p[1], p[0], 0.0]]).collect();
        let none = normals_within(&circles, &along_data, SidesRule::Within).expect("a piece count");
        assert!(none.iter().all(|n| norm(n) == 0.0));
    }
}
