//! Data that are closed curves in R³ (a knot, an ellipse, linked circles), as polygons, and
//! the pair of functions they give the first two relations' warm start.
//!
//! Why: two relations cut out a curve only if the curve splits g₁'s zero surface in two
//! (g₂ changes sign across it and nowhere else there). A knot splits a closed surface only
//! where it bounds a piece of it, a genus-2 surface for the figure-eight knot, and fits
//! from a sphere found surfaces it does not split: their zero sets also met along extra
//! curves beside the knot, 66% faithful with both relations tight (docs/suite.md). The
//! solid angle Ω(x) the curves subtend at x gives such surfaces outright: φ = Ω/2 is an
//! angle that turns once around each strand, its level sets are surfaces bounded by the
//! curves (Seifert surfaces), and with ρ the distance to the curves,
//! (ρ cos φ, ρ sin φ) vanishes on the curves and nowhere else. Near a strand it is its
//! normal plane's coordinates, so both are smooth there and transverse.

use super::linalg::{dot, norm, squared_distance};
use super::local_fit::Patch;
use super::nearest::NearestIndex;
use super::points::PointCloud;

/// The first two relations' warm-start targets at each row of the data and of the
/// off-manifold points.
pub struct LoopTargets {
    data: [Vec<f32>; 2],
    off: [Vec<f32>; 2],
}

impl LoopTargets {
    pub fn new(loops: &Loops, data: &PointCloud, off: &PointCloud) -> Self {
        Self { data: loops.targets(data), off: loops.targets(off) }
    }

    /// Relation `index`'s targets (data, off-manifold points); None past the second.
    pub fn of(&self, index: usize) -> Option<(&[f32], &[f32])> {
        (index < 2).then(|| (self.data[index].as_slice(), self.off[index].as_slice()))
    }
}

/// A walk along the data looks this many nearest points ahead.
const NEIGHBOURS: usize = 12;
/// The next point of a walk lies within this cosine of its heading (60°): straight
/// through a crossing, never back.
const AHEAD: f64 = 0.5;
/// A data point is on a polygon when it is within this many spacings of it.
const COVER_SPACINGS: f64 = 3.0;
/// Corners of the polygons closer than COVER_SPACINGS are a crossing when they are farther
/// apart than this many spacings along them (`touches`).
const ALONG_SPACINGS: f64 = 20.0;
/// A polygon has at least this many corners; the data at most this many.
const FEWEST_CORNERS: usize = 8;
const MOST_LOOPS: usize = 8;
/// The polygons keep at most about this many corners in all (see `Loops::find`).
const MOST_CORNERS: usize = 384;
/// A polygon is planar when its corners spread across its plane less than this share of
/// their widest spread (noise of a few hundredths of its size stays under it).
const PLANAR: f64 = 0.1;

type P3 = [f64; 3];

/// The data as closed polygons through its points, each corner a data point.
pub struct Loops {
    polygons: Vec<Vec<P3>>,
}

impl Loops {
    /// `cloud` walked into closed polygons that pass within a few spacings of every point;
    /// None where it is not so (not in R³, open ends, a surface, too sparse to walk).
    pub fn find(cloud: &PointCloud) -> Option<Self> {
        let n = cloud.len();
        if cloud.dim() != 3 || n < 2 * FEWEST_CORNERS {
            return None;
        }
        let points: Vec<P3> = cloud.rows().map(|r| [r[0] as f64, r[1] as f64, r[2] as f64]).collect();
        let index = NearestIndex::new(cloud);
        let mut gaps: Vec<f64> = points.iter().map(|p| index.nearest_rows(p, 2).get(1).map_or(f64::INFINITY, |&r| distance(p, &points[r]))).collect();
        gaps.sort_by(f64::total_cmp);
        let spacing = gaps[n / 2];
        if !(spacing > 0.0 && spacing.is_finite()) {
            return None;
        }
        let mut covered = vec![false; n];
        let mut polygons = Vec::new();
        while let Some(start) = covered.iter().position(|c| !c) {
            if polygons.len() == MOST_LOOPS {
                return None;
            }
            let polygon = walk(&points, &index, &covered, start)?;
            let corners = PointCloud::from_rows(3, polygon.iter().map(|p| p.map(|v| v as f32)));
            let near = NearestIndex::new(&corners);
            for (i, p) in points.iter().enumerate() {
                covered[i] |= near.distance(p) < COVER_SPACINGS * spacing;
            }
            polygons.push(polygon);
        }
        if touches(&polygons, spacing) {
            return None;
        }
        // Every few corners where there are many: the functions are evaluated at every
        // off-manifold point against every segment once, and a few hundred segments follow
        // the curve to within a small share of a spacing.
        let corners: usize = polygons.iter().map(Vec::len).sum();
        let every = corners.div_ceil(MOST_CORNERS);
        let polygons = polygons
            .into_iter()
            .map(|p| {
                let step = every.min(p.len() / FEWEST_CORNERS).max(1);
                p.into_iter().step_by(step).collect()
            })
            .collect();
        Some(Self { polygons })
    }

    /// Whether every polygon lies in a plane (its corners' thinnest spread under PLANAR of
    /// their widest). Such a loop is the plane's section of a sphere-like surface, which
    /// the sphere's warm start finds already (the ellipse).
    pub fn planar(&self) -> bool {
        self.polygons.iter().all(|polygon| {
            let cloud = PointCloud::from_rows(3, polygon.iter().map(|p| p.map(|v| v as f32)));
            let rows: Vec<usize> = (0..polygon.len()).collect();
            let spread = Patch::of(&cloud, &rows).variances;
            spread[2].max(0.0).sqrt() < PLANAR * spread[0].sqrt()
        })
    }

    pub fn count(&self) -> usize {
        self.polygons.len()
    }

    /// The first two relations' warm-start targets at each point of `cloud`: ρ cos φ and
    /// ρ sin φ (see [`Loops::frame`]).
    pub fn targets(&self, cloud: &PointCloud) -> [Vec<f32>; 2] {
        let (cos, sin) = cloud.rows_f64().map(|p| self.frame(&p)).map(|(c, s)| (c as f32, s as f32)).unzip();
        [cos, sin]
    }

    /// (ρ cos φ, ρ sin φ) at `x`: ρ its distance to the polygons, φ half the solid angle
    /// they subtend there (see the module's comment).
    pub fn frame(&self, x: &[f64]) -> (f64, f64) {
        let x = [x[0], x[1], x[2]];
        let (mut omega, mut rho_sq) = (0.0, f64::INFINITY);
        for polygon in &self.polygons {
            let m = polygon.len();
            for i in 0..m {
                let (b, c) = (&polygon[i], &polygon[(i + 1) % m]);
                rho_sq = rho_sq.min(segment_distance_sq(&x, b, c));
                // The polygon as a fan of triangles from its first corner: a surface it
                // bounds (the two triangles with that corner twice have no area).
                if i != 0 && i + 1 != m {
                    omega += triangle_solid_angle(&x, &polygon[0], b, c);
                }
            }
        }
        let (rho, phi) = (rho_sq.sqrt(), omega / 2.0);
        (rho * phi.cos(), rho * phi.sin())
    }
}

/// A closed walk from data point `start` through nearest points ahead, as its corners;
/// None where it meets an end, another polygon's points or itself away from its start.
fn walk(points: &[P3], index: &NearestIndex, covered: &[bool], start: usize) -> Option<Vec<P3>> {
    let first = *index.nearest_rows(&points[start], 2).get(1)?;
    let mut heading = unit(&sub(&points[first], &points[start]))?;
    let mut path = vec![start];
    // Each point's place on the path, once walked.
    let mut place = vec![usize::MAX; points.len()];
    place[start] = 0;
    let mut here = start;
    for _ in 0..points.len() {
        // The nearest point ahead, looked for farther where the nearest are all behind.
        let ahead = |k: usize| {
            let mut best: Option<(usize, f64)> = None;
            for c in index.nearest_rows(&points[here], k) {
                let step = sub(&points[c], &points[here]);
                let len = norm(&step);
                // Back at the path's first stretch, round the loop: it closes there.
                let closes = place[c] <= path.len() / 4 && path.len() >= 2 * FEWEST_CORNERS;
                if len == 0.0 || dot(&step, &heading) < AHEAD * len || (place[c] != usize::MAX && !closes) || best.is_some_and(|(_, l)| l <= len) {
                    continue;
                }
                best = Some((c, len));
            }
            best
        };
        let (next, len) = ahead(NEIGHBOURS).or_else(|| ahead(4 * NEIGHBOURS))?;
        if place[next] != usize::MAX {
            return Some(path[place[next]..].iter().map(|&r| points[r]).collect());
        }
        if covered[next] {
            return None;
        }
        let step = sub(&points[next], &points[here]).map(|v| v / len);
        heading = unit(&[heading[0] + step[0], heading[1] + step[1], heading[2] + step[2]])?;
        place[next] = path.len();
        path.push(next);
        here = next;
    }
    None
}

/// Whether the polygons cross or touch themselves or each other: corners within
/// COVER_SPACINGS spacings of each other that are farther apart along the polygons than
/// ALONG_SPACINGS. There the curves' two functions cannot both be transverse (Viviani's
/// curve, crossing itself, lost 5 points of fidelity with them), and the sphere does well.
fn touches(polygons: &[Vec<P3>], spacing: f64) -> bool {
    // Each corner: its polygon and its arc length along it; each polygon's length.
    let (mut at, mut lengths) = (Vec::new(), Vec::new());
    for (k, polygon) in polygons.iter().enumerate() {
        let mut arc = 0.0;
        for (i, p) in polygon.iter().enumerate() {
            at.push((k, arc));
            arc += distance(p, &polygon[(i + 1) % polygon.len()]);
        }
        lengths.push(arc);
    }
    let corners = PointCloud::from_rows(3, polygons.iter().flatten().map(|p| p.map(|v| v as f32)));
    let all: Vec<P3> = polygons.iter().flatten().copied().collect();
    let index = NearestIndex::new(&corners);
    all.iter().enumerate().any(|(i, p)| {
        index.nearest_rows(p, NEIGHBOURS).into_iter().any(|j| {
            let ((ki, ai), (kj, aj)) = (at[i], at[j]);
            let along = if ki != kj {
                f64::INFINITY
            } else {
                let d = (ai - aj).abs();
                d.min(lengths[ki] - d)
            };
            along > ALONG_SPACINGS * spacing && distance(p, &all[j]) < COVER_SPACINGS * spacing
        })
    })
}

/// The solid angle of the triangle (a, b, c) seen from x, signed by its orientation
/// (Van Oosterom and Strackee): in (−2π, 2π].
fn triangle_solid_angle(x: &P3, a: &P3, b: &P3, c: &P3) -> f64 {
    let (a, b, c) = (sub(a, x), sub(b, x), sub(c, x));
    let (la, lb, lc) = (norm(&a), norm(&b), norm(&c));
    let numerator = dot(&a, &cross(&b, &c));
    let denominator = la * lb * lc + dot(&a, &b) * lc + dot(&a, &c) * lb + dot(&b, &c) * la;
    2.0 * numerator.atan2(denominator)
}

fn segment_distance_sq(p: &P3, a: &P3, b: &P3) -> f64 {
    let (ab, ap) = (sub(b, a), sub(p, a));
    let t = (dot(&ap, &ab) / dot(&ab, &ab).max(1e-300)).clamp(0.0, 1.0);
    let d = [ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]];
    dot(&d, &d)
}

fn sub(a: &P3, b: &P3) -> P3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: &P3, b: &P3) -> P3 {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn distance(a: &P3, b: &P3) -> f64 {
    squared_distance(a, b).sqrt()
}

fn unit(a: &P3) -> Option<P3> {
    let l = norm(a);
    (l > 0.0 && l.is_finite()).then(|| a.map(|v| v / l))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::rng::Rng;
    use std::f64::consts::{PI, TAU};

    /// `n` points of the figure-eight knot at random, in its own units (radius to 1.5).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn knot_cloud(n: usize, seed: u64) -> PointCloud {
        cloud(n, seed, knot)
    }

    fn knot(t: f64) -> P3 {
        let r = 2.0 + (2.0 * t).cos();
        [r * (3.0 * t).cos() / 2.0, r * (3.0 * t).sin() / 2.0, (4.0 * t).sin() / 2.0]
    }

    fn cloud(n: usize, seed: u64, curve: impl Fn(f64) -> P3) -> PointCloud {
        let mut rng = Rng::new(seed);
        PointCloud::from_rows(3, (0..n).map(|_| curve(rng.range(0.0, TAU)).map(|v| v as f32)))
    }

    #[test]
    fn a_knot_walks_into_one_loop_off_a_plane() {
        for (n, seed) in [(500, 1), (1638, 2), (2048, 3), (2048, 4)] {
            let loops = Loops::find(&cloud(n, seed, knot)).expect("a knot sampled at random walks into a loop");
            assert_eq!(loops.count(), 1, "{n} points, seed {seed}");
            assert!(!loops.planar());
        }
    }

    #[test]
    fn circles_walk_into_planar_loops_one_each() {
        let ellipse = |t: f64| [2f64.sqrt() * t.cos(), 2.0 * t.sin() - 1.0, t.sin() - 1.0];
        let ellipse = Loops::find(&cloud(1000, 1, ellipse)).expect("an ellipse is a loop");
        assert_eq!(ellipse.count(), 1);
        assert!(ellipse.planar());
        // Two linked circles: the second in the xz-plane through the first's centre-line.
        let linked = |t: f64| if t < PI { [(2.0 * t).cos(), (2.0 * t).sin(), 0.0] } else { [1.0 + (2.0 * t).cos(), 0.0, (2.0 * t).sin()] };
        let linked = Loops::find(&cloud(2000, 1, linked)).expect("linked circles are loops");
        assert_eq!(linked.count(), 2);
        assert!(linked.planar());
    }

    #[test]
    fn a_curve_that_crosses_itself_is_left_to_the_sphere() {
        let viviani = |t: f64| [1.0 + (2.0 * t).cos(), (2.0 * t).sin(), 2.0 * t.sin()];
        assert!(Loops::find(&cloud(2048, 1, viviani)).is_none(), "Viviani's curve crosses itself at (2, 0, 0)");
    }

    #[test]
    fn open_curves_and_surfaces_are_not_loops() {
        let helix = |t: f64| [(2.0 * t).cos(), (2.0 * t).sin(), t / PI - 1.0];
        assert!(Loops::find(&cloud(2000, 1, helix)).is_none());
        let mut rng = Rng::new(1);
        let sphere = PointCloud::from_rows(
            3,
            (0..2000).map(|_| {
                let (z, t) = (rng.range(-1.0, 1.0), rng.range(0.0, TAU));
                let r = (1.0 - z * z).sqrt();
                [r * t.cos(), r * t.sin(), z].map(|v| v as f32)
            }),
        );
        assert!(Loops::find(&sphere).is_none());
    }

    /// The frame's angle along a small circle around the knot at `t`, in its normal plane.
    fn turns_around(loops: &Loops, t: f64) -> f64 {
        let (p, ahead) = (knot(t), knot(t + 1e-4));
        let tangent = unit(&sub(&ahead, &p)).unwrap();
        let u = unit(&cross(&tangent, &[0.3, -0.5, 0.8])).unwrap();
        let w = cross(&tangent, &u);
        let angles: Vec<f64> = (0..=64)
            .map(|i| {
                let a = TAU * i as f64 / 64.0;
                let x: Vec<f64> = (0..3).map(|j| p[j] + 0.08 * (a.cos() * u[j] + a.sin() * w[j])).collect();
                let (c, s) = loops.frame(&x);
                s.atan2(c)
            })
            .collect();
        angles.windows(2).map(|w| (w[1] - w[0] + PI).rem_euclid(TAU) - PI).sum::<f64>() / TAU
    }

    #[test]
    fn the_frame_vanishes_on_the_knot_and_turns_once_around_it() {
        let loops = Loops::find(&cloud(2048, 1, knot)).unwrap();
        for i in 0..40 {
            let t = TAU * (i as f64 + 0.5) / 40.0;
            let (c, s) = loops.frame(&knot(t));
            assert!(c.hypot(s) < 0.01, "on the knot at t = {t:.2}: |frame| {}", c.hypot(s));
            let turns = turns_around(&loops, t);
            assert!((turns.abs() - 1.0).abs() < 1e-6, "around the knot at t = {t:.2}: {turns} turns");
        }
        // Continuous off the knot, through the fan of triangles the solid angle is summed
        // over (crossing it without the half angle would turn the frame half a turn).
        let mut rng = Rng::new(2);
        for _ in 0..6 {
            let (from, to): (Vec<f64>, Vec<f64>) = (0..3).map(|_| (rng.range(-2.0, 2.0), rng.range(-2.0, 2.0))).unzip();
            let at = |i: usize| -> Vec<f64> { (0..3).map(|j| from[j] + (to[j] - from[j]) * i as f64 / 2000.0).collect() };
            let h = (0..3).map(|j| (to[j] - from[j]).powi(2)).sum::<f64>().sqrt() / 2000.0;
            for i in 0..2000 {
                let (a, b) = (loops.frame(&at(i)), loops.frame(&at(i + 1)));
                if a.0.hypot(a.1) > 0.05 {
                    assert!((a.0 - b.0).hypot(a.1 - b.1) < 20.0 * h, "a jump at {:?}", at(i));
                }
            }
        }
    }
}
