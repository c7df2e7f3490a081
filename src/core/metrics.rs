//! How good a learned relation is, and how good the intersection of all kept relations is.

use super::dataset::Dataset;
use super::linalg::{dot, norm, solve};
use super::loss::fit::span_sin_sq;
use super::loss::{FrozenView, row_norm};
use super::points::{OffManifold, in_bounds};
use super::relation::{Relation, read_vec};
use super::rng::Rng;
use crate::core::error::DeviceError;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// A projected point within this distance of the true manifold counts as on it (for an
/// upload, the least tolerance: see [`Dataset::fidelity_tolerance`]).
pub const FIDELITY_TOLERANCE: f64 = 0.05;
/// How many random points the fidelity projects onto the learned intersection.
pub const FIDELITY_POINTS: usize = 600;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RelationMetrics {
    /// mean |g| on held-out on-manifold / off-manifold points.
    pub on_abs_g: f64,
    pub off_abs_g: f64,
    /// mean |g|/‖∇g‖ (a first-order distance to the zero set) on / off the manifold.
    pub on_residual: f64,
    pub off_residual: f64,
    /// off_residual / on_residual: how sharply g singles out the data.
    pub ratio: f64,
    /// mean |g|/‖∇g‖ on the near-manifold half of the held-out off-manifold points, and
    /// its ratio to on_residual.
    pub near_residual: f64,
    pub near_ratio: f64,
    /// Median sine of the angle between ∇g and the span of the kept gradients (1 if none).
    pub sin_span: f64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fidelity {
    /// Share of converged projections that landed within `tolerance` of the manifold.
    pub within: f64,
    pub median_distance: f64,
    pub converged: usize,
    pub tried: usize,
    /// What the distances are measured against ([`Dataset::fidelity_reference`]).
    pub against: String,
    /// How near it a point must land ([`Dataset::fidelity_tolerance`]).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// The same share among the projections that landed inside the data's bounding box,
    /// and how many did. Beyond it the data cannot say what is right: the relations of a
    /// set with ends or ranges run on past the sampled piece (the pendulum's exact
    /// relations put 35% of all projections on it, and 100% of those inside the box).
    #[serde(default)]
    pub within_inside: f64,
    #[serde(default)]
    pub converged_inside: usize,
    /// How the distances and `tolerance` read in the data's own units.
    #[serde(default)]
    pub units: Units,
}

/// The units of a fidelity's distances: the data's own (the truth is known there), or
/// the working coordinates' (an upload's local fit is measured there, so that one
/// tolerance suits data of any size), which are the data's scaled by one factor, or by
/// one per coordinate (mixed units).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Units {
    #[default]
    Data,
    /// Working coordinates that are the data's scaled by one factor: one working unit is
    /// `unit` of the data's, whose RMS radius is `radius` (in the data's units).
    Scaled { unit: f64, radius: f64 },
    /// Working coordinates each scaled on its own (mixed units), where the data's RMS
    /// radius is `radius`.
    PerAxis { radius: f64 },
}

/// The share inside the data's box is told where it is this much above the whole figure.
const INSIDE_DIFFERS: f64 = 0.05;

fn default_tolerance() -> f64 {
    FIDELITY_TOLERANCE
}

impl Fidelity {
    /// What the figure means, in words: "share of random points … within 0.05 of …".
    pub fn meaning(&self) -> String {
        // As printed: `shown` per unit of `tolerance`, the least tolerance there is (in
        // `tolerance`'s units), and what the units are.
        let (shown, least, units) = match self.units {
            Units::Data => (1.0, FIDELITY_TOLERANCE, String::new()),
            Units::Scaled { unit, radius } => (
                unit,
                FIDELITY_TOLERANCE * radius / unit,
                format!(" ({}% of the data's RMS radius, {})", round(100.0 * self.tolerance * unit / radius), round(radius)),
            ),
            Units::PerAxis { radius } => (
                1.0,
                FIDELITY_TOLERANCE * radius,
                format!(
                    " (in coordinates each scaled to unit spread, the data's being in mixed units: {}% of their RMS radius)",
                    round(100.0 * self.tolerance / radius)
                ),
            ),
        };
        let tolerance = round(self.tolerance * shown);
        let mut text = format!("share of random points moved onto the learned intersection that land within {tolerance} of {}{units}", self.against);
        if self.tolerance > least * (1.0 + 1e-9) {
            text += &format!(
                "; {tolerance}, not {}, because held-out data points themselves lie that far from the fit, so nearer cannot be judged",
                round(least * shown)
            );
        }
        if self.converged_inside > 0 && self.within_inside >= self.within + INSIDE_DIFFERS {
            text += &format!(
                "; of the {} that land inside the data's bounding box, {:.0}% (beyond it the relations of a set with ends or ranges run on past what was sampled, where the data cannot say what is right)",
                self.converged_inside,
                100.0 * self.within_inside
            );
        }
        text
    }
}

/// A tolerance as a person reads it: 0.05, 0.234.
fn round(t: f64) -> String {
    format!("{}", (t * 1000.0).round() / 1000.0)
}

/// |g| and |g|/‖v‖ at each point, as [n, 1] each.
fn row_residuals(net: &Relation, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    let (g, v) = net.value_and_grad(x);
    let abs_g = g.abs();
    (abs_g.clone(), abs_g / row_norm(v))
}

pub async fn relation_metrics(net: &Relation, kept: &[Relation], data: &Dataset, device: &Device) -> Result<RelationMetrics, DeviceError> {
    let on = data.test.to_tensor(device);
    let off = data.off_test.points.to_tensor(device);
    let near_rows: Vec<i64> = data.off_test.near_rows().into_iter().map(|i| i as i64).collect();
    let near_rows = Tensor::<1, Int>::from_data(TensorData::new(near_rows.clone(), [near_rows.len()]), device);
    let (on_g, on_r) = row_residuals(net, on.clone());
    let (off_g, off_r) = row_residuals(net, off);
    // The near-manifold half of the off points, already evaluated: one read for all five.
    let near_r = off_r.clone().select(0, near_rows);
    let means = read_vec(Tensor::cat(vec![on_g.mean(), on_r.mean(), off_g.mean(), off_r.mean(), near_r.mean()], 0)).await?;
    let [on_abs_g, on_residual, off_abs_g, off_residual, near_residual] = std::array::from_fn(|i| means[i] as f64);
    let sin_span = if kept.is_empty() {
        1.0
    } else {
        let frozen = FrozenView::new(kept, on.clone());
        let (_, v) = net.value_and_grad(on);
        let sin_sq = span_sin_sq(v.clone(), row_norm(v), &frozen.basis);
        median(read_vec(sin_sq).await?.into_iter().map(|s| (s.max(0.0) as f64).sqrt()).collect())
    };
    Ok(RelationMetrics {
        on_abs_g,
        off_abs_g,
        on_residual,
        off_residual,
        ratio: off_residual / on_residual.max(1e-12),
        near_residual,
        near_ratio: near_residual / on_residual.max(1e-12),
        sin_span,
    })
}

/// How to sample the joint zero set: how many random box points, how many damped
/// Gauss-Newton iterations, which random stream.
#[derive(Clone, Copy, Debug)]
pub struct Projection {
    pub points: usize,
    pub iterations: usize,
    pub seed: u64,
}

impl Projection {
    /// The settings of the fidelity metric.
    pub fn evaluation(seed: u64) -> Self {
        Self { points: FIDELITY_POINTS, iterations: 40, seed: Rng::new(seed).fork(7).next_u64() }
    }
}

/// Random points of the data's box moved onto {g_j = 0 for all j} by damped Gauss-Newton.
/// Returns the points that got there (the learned intersection, as a point set) and how
/// many were tried.
pub async fn intersection_points(kept: &[Relation], data: &Dataset, how: Projection, device: &Device) -> Result<(Vec<Vec<f64>>, usize), DeviceError> {
    if kept.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let mut projection = GaussNewton::start(data, how);
    project(kept, &mut projection, how.iterations, device).await?;
    Ok(projection.landed())
}

/// `iterations` damped Gauss-Newton steps of `projection`'s points toward the joint zero
/// set of `kept`, the relations evaluated on `device`.
pub async fn project(kept: &[Relation], projection: &mut GaussNewton, iterations: usize, device: &Device) -> Result<(), DeviceError> {
    let dim = projection.dim;
    let k = kept.len();
    for _ in 0..iterations {
        let n = projection.x.len() / dim;
        let xt = Tensor::<2>::from_data(TensorData::new(projection.x.iter().map(|&v| v as f32).collect::<Vec<_>>(), [n, dim]), device);
        let cols: Vec<Tensor<2>> = kept
            .iter()
            .flat_map(|r| {
                let (g, v) = r.value_and_grad(xt.clone());
                [g, v]
            })
            .collect();
        let gv = read_vec(Tensor::cat(cols, 1)).await?; // per row: [g_1, v_1.., g_2, v_2.., ...]
        projection.step(gv.chunks(k * (1 + dim)).map(|row| row.chunks(1 + dim).map(|c| (c[0] as f64, c[1..].iter().map(|&v| v as f64).collect())).unzip()));
    }
    Ok(())
}

/// The projection of [`intersection_points`] on the host, for any relations: the caller
/// evaluates them and their gradients at `x` before each step (the tests project onto
/// exact equations with it, the same way).
pub struct GaussNewton {
    /// The points, row after row.
    pub x: Vec<f64>,
    dim: usize,
    scale: f64,
    /// Per point: max_j |g_j|/‖∇g_j‖ at the last step (a first-order distance to the set).
    worst: Vec<f64>,
}

impl GaussNewton {
    /// Random points of the data's box (the off-manifold sampler's uniform half).
    pub fn start(data: &Dataset, how: Projection) -> Self {
        let box_points = OffManifold::sample(&data.train, 2 * how.points, &mut Rng::new(how.seed)).far();
        let x: Vec<f64> = box_points.rows_f64().flatten().collect();
        let n = x.len() / data.dim();
        Self { x, dim: data.dim(), scale: data.scale(), worst: vec![f64::INFINITY; n] }
    }

    /// Given points (rows of `dim`), to be projected from where they are.
    pub fn from(points: &[Vec<f64>], dim: usize, scale: f64) -> Self {
        Self { x: points.iter().flatten().copied().collect(), dim, scale, worst: vec![f64::INFINITY; points.len()] }
    }

    /// Per point: where it is, and whether it reached the set at the last step.
    pub fn points(&self) -> impl Iterator<Item = (&[f64], bool)> {
        self.x.chunks(self.dim).zip(&self.worst).map(|(p, &w)| (p, w < 1e-3 * self.scale && p.iter().all(|v| v.is_finite())))
    }

    /// One damped step per point, from the relations' values and gradients there.
    pub fn step(&mut self, at_points: impl Iterator<Item = (Vec<f64>, Vec<Vec<f64>>)>) {
        let dim = self.dim;
        for (i, (g, j)) in at_points.enumerate() {
            self.worst[i] = g.iter().zip(&j).map(|(g, v)| g.abs() / norm(v).max(1e-12)).fold(0.0, f64::max);
            let step = gauss_newton_step(&g, &j);
            let len = norm(&step);
            let limit = 0.3 * self.scale;
            let shrink = if len > limit { limit / len } else { 1.0 };
            for (xi, s) in self.x[i * dim..(i + 1) * dim].iter_mut().zip(step) {
                *xi += shrink * s;
            }
        }
    }

    /// The points that reached the set, and how many were tried.
    pub fn landed(&self) -> (Vec<Vec<f64>>, usize) {
        let landed = self.points().filter(|&(_, on)| on).map(|(p, _)| p.to_vec()).collect();
        (landed, self.worst.len())
    }
}

/// How much of the learned intersection is the true manifold: random points projected
/// onto it (see [`intersection_points`]) that land near the manifold (within
/// [`Dataset::fidelity_tolerance`]). Spurious pieces of the joint zero set (surfaces
/// crossing away from the data) show up as misses.
pub async fn intersection_fidelity(kept: &[Relation], data: &Dataset, seed: u64, device: &Device) -> Result<Option<Fidelity>, DeviceError> {
    if kept.is_empty() {
        return Ok(None);
    }
    let (points, tried) = intersection_points(kept, data, Projection::evaluation(seed), device).await?;
    let dimension = data.dim() - kept.len();
    let distances = data.distances_to_truth(&points, dimension);
    let converged = distances.len();
    let tolerance = data.fidelity_tolerance(dimension);
    let [(within, _), (within_inside, converged_inside)] = shares_within(&points, &distances, &data.train.bounds(), tolerance);
    Ok(Some(Fidelity {
        within,
        median_distance: median(distances),
        converged,
        tried,
        against: data.fidelity_reference(dimension),
        tolerance,
        within_inside,
        converged_inside,
        units: data.truth_units(),
    }))
}

/// The share of `points` whose `distances` are under `tolerance`, and how many points
/// there are: of all of them, and of those inside `bounds` (the data's bounding box).
pub fn shares_within(points: &[Vec<f64>], distances: &[f64], bounds: &[(f32, f32)], tolerance: f64) -> [(f64, usize); 2] {
    let share = |distances: &mut dyn Iterator<Item = f64>| {
        let (mut n, mut hits) = (0, 0);
        for d in distances {
            n += 1;
            hits += usize::from(d < tolerance);
        }
        (if n == 0 { 0.0 } else { hits as f64 / n as f64 }, n)
    };
    let mut inside = points.iter().zip(distances).filter(|(p, _)| in_bounds(bounds, p, 0.0)).map(|(_, &d)| d);
    [share(&mut distances.iter().copied()), share(&mut inside)]
}

/// The least-norm step δ with J δ = −g: δ = −Jᵀ (J Jᵀ + λI)⁻¹ g (g: the relations at a
/// point, J: their gradients as rows).
fn gauss_newton_step(g: &[f64], j: &[Vec<f64>]) -> Vec<f64> {
    let k = g.len();
    let dim = j[0].len();
    let mut a: Vec<Vec<f64>> = (0..k).map(|r| (0..k).map(|c| dot(&j[r], &j[c])).collect()).collect();
    let trace: f64 = (0..k).map(|i| a[i][i]).sum();
    for (i, row) in a.iter_mut().enumerate() {
        row[i] += 1e-8 * trace.max(1e-12);
    }
    let y = solve(a, g.to_vec());
    (0..dim).map(|c| -(0..k).map(|r| j[r][c] * y[r]).sum::<f64>()).collect()
}

pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meaning_says_the_tolerance_and_why_it_widened() {
        let f = |tolerance| {
            Fidelity {
                within: 0.9,
                median_distance: 0.01,
                converged: 600,
                tried: 600,
                against: "a local fit".into(),
                tolerance,
                within_inside: 0.9,
                converged_inside: 500,
                units: Units::Data,
            }
            .meaning()
        };
        assert_eq!(f(FIDELITY_TOLERANCE), "share of random points moved onto the learned intersection that land within 0.05 of a local fit");
        let wide = f(0.2264);
        assert!(wide.contains("within 0.226 of a local fit; 0.226, not 0.05, because held-out data points"), "{wide}");
    }

    #[test]
    fn the_meaning_tells_the_share_inside_the_data_only_where_it_differs() {
        let f = |within_inside| {
            Fidelity {
                within: 0.32,
                median_distance: 0.4,
                converged: 600,
                tried: 600,
                against: "the true manifold".into(),
                tolerance: FIDELITY_TOLERANCE,
                within_inside,
                converged_inside: 173,
                units: Units::Data,
            }
            .meaning()
        };
        let open = f(1.0);
        assert!(open.ends_with("of the true manifold; of the 173 that land inside the data's bounding box, 100% (beyond it the relations of a set with ends or ranges run on past what was sampled, where the data cannot say what is right)"), "{open}");
        assert!(!f(0.35).contains("inside"), "{}", f(0.35));
    }

    #[test]
    fn gauss_newton_step_solves_linear_constraints_exactly() {
        // Two planes x = 1 and y = 2 seen from the origin: g = [-1, -2], J = I (2 of 3 dims).
        let step = gauss_newton_step(&[-1.0, -2.0], &[vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]]);
        assert!((step[0] - 1.0).abs() < 1e-6 && (step[1] - 2.0).abs() < 1e-6 && step[2].abs() < 1e-12);
    }
}
