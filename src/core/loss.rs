//! The training losses of a new relation g_k, given the frozen earlier relations.
//!
//! Departures from the paper's printed Eq. 1/2 (both selectable in the config):
//! - the scale term is −log min(‖v‖, 1) instead of −log‖v‖, which is unbounded below
//!   (scaling g by c lowers the loss by log c forever);
//! - independence is measured against span(v_1..v_{k-1}) instead of pairwise: a v_k inside
//!   the span can sit at 45° to each v_j and pay almost nothing pairwise;
//! - near-manifold negatives: the loss only sees on-manifold points, so nothing stops the
//!   joint zero set {g_1 = .. = g_k = 0} from containing more than the manifold. For k ≥ 2
//!   a hinge asks the joint normalised residual at off-manifold points to be at least half
//!   their distance to the data;
//! - sides: where the data is a hypersurface, g_1 learns which side of it a point beside
//!   it lies on (`orientation`), since a hinge on |g| cannot move a sheet of its zero set.

use super::config::{Independence, ScaleTerm};
use super::relation::Relation;
use burn::tensor::Tensor;
use burn::tensor::activation::relu;

const EPS: f64 = 1e-12;
/// Negatives ask for a residual of at least this share of the distance to the data ...
pub const MARGIN: f64 = 0.5;
/// ... capped at this many data scales, since |g|/‖v‖ only tracks distance near the set.
pub const MARGIN_CAP: f64 = 0.25;

/// What the frozen relations say at a batch of points: unit gradients (for the pairwise
/// term), an orthonormal basis of their span (for the span term) and the sum of their
/// squared normalised residuals (g_j/‖v_j‖)² (for the negatives). All constants.
pub struct FrozenView {
    pub unit_grads: Vec<Tensor<2>>,
    pub basis: Vec<Tensor<2>>,
    pub joint_sq: Option<Tensor<2>>,
}

impl FrozenView {
    pub fn new(frozen: &[Relation], x: Tensor<2>) -> Self {
        let mut unit_grads = Vec::new();
        let mut basis: Vec<Tensor<2>> = Vec::new();
        let mut joint_sq: Option<Tensor<2>> = None;
        for rel in frozen {
            let (g, v) = rel.value_and_grad(x.clone());
            let norm = row_norm(v.clone());
            unit_grads.push(v.clone() / norm.clone());
            // Gram-Schmidt, point by point.
            let r = basis.iter().fold(v, |r, q| r.clone() - q.clone() * row_dot(r, q.clone()));
            basis.push(r.clone() / row_norm(r));
            let res = (g / norm).square();
            joint_sq = Some(match joint_sq {
                Some(s) => s + res,
                None => res,
            });
        }
        Self { unit_grads, basis, joint_sq }
    }
}

/// A [`FrozenView`] of a fixed point set (the training points never change), computed once
/// when the kept relations change; a batch's view is then a row selection. Evaluating the
/// frozen relations on every batch cost a quarter of a training step.
pub struct FrozenTable {
    /// Per row: unit gradients (k·N), basis (k·N), joint_sq (1), values g_j (k).
    columns: Option<Tensor<2>>,
    /// The same, row-major on the host, on the CPU backend (for the fused step).
    host: Option<Vec<f32>>,
    relations: usize,
    dim: usize,
}

impl FrozenTable {
    pub fn new(frozen: &[Relation], x: Tensor<2>) -> Self {
        let dim = x.dims()[1];
        let on_cpu = x.device() == burn::tensor::Device::flex();
        if frozen.is_empty() {
            return Self { columns: None, host: on_cpu.then(Vec::new), relations: 0, dim };
        }
        let view = FrozenView::new(frozen, x.clone());
        let values = frozen.iter().map(|r| r.value(x.clone()));
        let columns: Vec<Tensor<2>> = view.unit_grads.into_iter().chain(view.basis).chain(view.joint_sq).chain(values).collect();
        let columns = Tensor::cat(columns, 1);
        let host = on_cpu.then(|| columns.to_data().convert::<f32>().try_into_vec::<f32>().expect("f32 table"));
        Self { columns: Some(columns), host, relations: frozen.len(), dim }
    }

    /// The table at `rows` on the host (None off the CPU backend).
    pub fn host_rows(&self, rows: &[usize]) -> Option<FrozenRows> {
        let host = self.host.as_ref()?;
        let width = FrozenRows::width(self.relations, self.dim);
        let data = if self.relations == 0 { Vec::new() } else { rows.iter().flat_map(|&r| &host[r * width..(r + 1) * width]).copied().collect() };
        Some(FrozenRows { data, relations: self.relations, dim: self.dim })
    }

    /// The view at rows `rows` (as an index tensor), and the frozen values g_j there.
    pub fn rows(&self, rows: Tensor<1, burn::tensor::Int>) -> (FrozenView, Vec<Tensor<2>>) {
        let Some(columns) = &self.columns else {
            return (FrozenView { unit_grads: Vec::new(), basis: Vec::new(), joint_sq: None }, Vec::new());
        };
        let (k, n) = (self.relations, self.dim);
        let picked = columns.clone().select(0, rows);
        let part = |start: usize, width: usize| picked.clone().narrow(1, start, width);
        let view = FrozenView {
            unit_grads: (0..k).map(|j| part(j * n, n)).collect(),
            basis: (0..k).map(|j| part((k + j) * n, n)).collect(),
            joint_sq: Some(part(2 * k * n, 1)),
        };
        (view, (0..k).map(|j| part(2 * k * n + 1 + j, 1)).collect())
    }
}

/// A batch's rows of a [`FrozenTable`] on the host, in the table's column order.
pub struct FrozenRows {
    data: Vec<f32>,
    relations: usize,
    dim: usize,
}

impl FrozenRows {
    fn width(relations: usize, dim: usize) -> usize {
        2 * relations * dim + 1 + relations
    }

    fn row(&self, r: usize) -> &[f32] {
        let width = Self::width(self.relations, self.dim);
        &self.data[r * width..(r + 1) * width]
    }

    fn unit_grads(&self, r: usize) -> std::slice::ChunksExact<'_, f32> {
        self.row(r)[..self.relations * self.dim].chunks_exact(self.dim)
    }

    fn basis(&self, r: usize) -> std::slice::ChunksExact<'_, f32> {
        self.row(r)[self.relations * self.dim..2 * self.relations * self.dim].chunks_exact(self.dim)
    }

    fn joint_sq(&self, r: usize) -> f32 {
        self.row(r)[2 * self.relations * self.dim]
    }
}

/// Per-row Euclidean norm as [n, 1].
pub fn row_norm(v: Tensor<2>) -> Tensor<2> {
    v.square().sum_dim(1).add_scalar(EPS).sqrt()
}

fn row_dot(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    (a * b).sum_dim(1)
}

/// mean |g|/‖v‖ plus the scale term: the "vanish on the data" part of Eq. 1.
pub fn vanishing(g: Tensor<2>, norm: Tensor<2>, scale: ScaleTerm) -> Tensor<1> {
    let fit = (g.abs() / norm.clone()).mean();
    let log_norm = match scale {
        ScaleTerm::Paper => norm.log(),
        ScaleTerm::Bounded => norm.clamp_max(1.0).log(),
    };
    fit - log_norm.mean()
}

/// −mean log sin² of v against the frozen gradients (zero when there are none).
pub fn independence(v: Tensor<2>, norm: Tensor<2>, frozen: &FrozenView, kind: Independence) -> Option<Tensor<1>> {
    if frozen.basis.is_empty() {
        return None;
    }
    let sin_sq_log = match kind {
        Independence::Pairwise => frozen
            .unit_grads
            .iter()
            .map(|u| {
                let cos = row_dot(v.clone(), u.clone()) / norm.clone();
                cos.square().neg().add_scalar(1.0 + 1e-6).log()
            })
            .reduce(|a, b| a + b)?,
        Independence::Span => span_sin_sq(v, norm, &frozen.basis).add_scalar(1e-6).log(),
    };
    Some(sin_sq_log.mean().neg())
}

/// sin² of the angle between each row of v and the span of `basis` (orthonormal rows).
pub fn span_sin_sq(v: Tensor<2>, norm: Tensor<2>, basis: &[Tensor<2>]) -> Tensor<2> {
    let r = basis.iter().fold(v, |r, q| r.clone() - q.clone() * row_dot(r, q.clone()));
    r.square().sum_dim(1) / norm.square()
}

/// Hinge on the joint normalised residual at off-manifold points (see the module note).
pub fn negatives(g: Tensor<2>, norm: Tensor<2>, frozen: &FrozenView, distance: Tensor<2>, data_scale: f64) -> Option<Tensor<1>> {
    let earlier = frozen.joint_sq.clone()?;
    let joint = (earlier + (g / norm).square()).add_scalar(EPS).sqrt();
    let cap = MARGIN_CAP * data_scale;
    let wanted = distance.clamp_max(cap).mul_scalar(MARGIN);
    Some(relu(wanted - joint).mean().div_scalar(cap * MARGIN))
}

/// Hinge on g_1's side at points p + t·n beside a hypersurface (`orientation`): g/‖v‖
/// should have t's sign (`signs`) and at least `margins` = MARGIN·|t|.
pub fn sides(g: Tensor<2>, norm: Tensor<2>, signs: Tensor<2>, margins: Tensor<2>) -> Tensor<1> {
    relu(margins - signs * g / norm).mean()
}

/// The same terms one row at a time on the host, with their derivatives written out, for
/// the CPU backend's fused step (`fused.rs`): formula for formula the tensor functions
/// above, means over `batch` rows. `tests` in `session::steps` check them against autodiff.
pub mod per_row {
    use super::{EPS, FrozenRows, Independence, MARGIN, MARGIN_CAP, ScaleTerm};
    use crate::core::fused::RowLoss;

    /// ‖v‖ as `row_norm` takes it.
    fn norm(v: &[f32]) -> f32 {
        (v.iter().map(|a| a * a).sum::<f32>() + EPS as f32).sqrt()
    }

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// The fit on the data: [`vanishing`](super::vanishing) plus `ramp` × [`independence`](super::independence).
    pub struct Fit<'a> {
        pub scale: ScaleTerm,
        pub independence: Independence,
        pub ramp: f64,
        pub frozen: &'a FrozenRows,
        pub batch: usize,
    }

    impl RowLoss for Fit<'_> {
        fn reads_gradient(&self) -> bool {
            true
        }

        fn row(&self, r: usize, g: f32, v: &[f32], v_bar: &mut [f32]) -> (f64, f32) {
            let share = 1.0 / self.batch as f32;
            let n = norm(v);
            let log_norm = match self.scale {
                ScaleTerm::Paper => n.ln(),
                ScaleTerm::Bounded => n.min(1.0).ln(),
            };
            let mut loss = (g.abs() / n - log_norm) as f64;
            let sign = if g > 0.0 {
                1.0
            } else if g < 0.0 {
                -1.0
            } else {
                0.0
            };
            let g_bar = share * sign / n;
            let slope = if self.scale == ScaleTerm::Paper || n < 1.0 { 1.0 / n } else { 0.0 };
            let mut n_bar = -g.abs() / (n * n) - slope;
            if self.frozen.relations > 0 && self.ramp > 0.0 {
                let ramp = self.ramp as f32;
                match self.independence {
                    Independence::Span => {
                        // r = v projected off each q in turn; sin² = |r|² / ‖v‖².
                        let mut rest = v.to_vec();
                        for q in self.frozen.basis(r) {
                            let along = dot(&rest, q);
                            rest.iter_mut().zip(q).for_each(|(a, b)| *a -= b * along);
                        }
                        let rest_sq = dot(&rest, &rest);
                        let n_sq = n * n;
                        let sin_sq = rest_sq / n_sq;
                        loss -= (ramp * (sin_sq + 1e-6).ln()) as f64;
                        let sin_bar = -ramp / (sin_sq + 1e-6);
                        n_bar += sin_bar * (-2.0 * rest_sq / (n_sq * n));
                        // Back through the projections, last first.
                        let mut rest_bar: Vec<f32> = rest.iter().map(|a| sin_bar * 2.0 * a / n_sq).collect();
                        let basis: Vec<&[f32]> = self.frozen.basis(r).collect();
                        for q in basis.into_iter().rev() {
                            let along = dot(&rest_bar, q);
                            rest_bar.iter_mut().zip(q).for_each(|(a, b)| *a -= b * along);
                        }
                        v_bar.iter_mut().zip(&rest_bar).for_each(|(a, b)| *a += share * b);
                    }
                    Independence::Pairwise => {
                        for u in self.frozen.unit_grads(r) {
                            let along = dot(v, u);
                            let cos = along / n;
                            let keep = 1.0 + 1e-6 - cos * cos;
                            loss -= (ramp * keep.ln()) as f64;
                            let cos_bar = ramp * 2.0 * cos / keep;
                            v_bar.iter_mut().zip(u).for_each(|(a, b)| *a += share * cos_bar * b / n);
                            n_bar -= cos_bar * along / (n * n);
                        }
                    }
                }
            }
            v_bar.iter_mut().zip(v).for_each(|(a, b)| *a += share * n_bar * b / n);
            (loss * share as f64, g_bar)
        }
    }

    /// [`sides`](super::sides) at rows beside the data, times `weight`; `offsets` are the
    /// signed offsets t.
    pub struct Sides<'a> {
        pub offsets: &'a [f32],
        pub weight: f64,
        pub batch: usize,
    }

    impl RowLoss for Sides<'_> {
        fn reads_gradient(&self) -> bool {
            true
        }

        fn row(&self, r: usize, g: f32, v: &[f32], v_bar: &mut [f32]) -> (f64, f32) {
            let t = self.offsets[r];
            let (sign, margin) = (t.signum(), MARGIN as f32 * t.abs());
            let n = norm(v);
            let have = sign * g / n;
            if have >= margin {
                return (0.0, 0.0);
            }
            let scale = self.weight as f32 / self.batch as f32;
            // loss = scale (margin − sign g / n): ∂/∂g = −scale sign / n, ∂/∂n = scale sign g / n².
            let n_bar = scale * sign * g / (n * n);
            v_bar.iter_mut().zip(v).for_each(|(a, b)| *a += n_bar * b / n);
            (((margin - have) * scale) as f64, -scale * sign / n)
        }
    }

    /// [`negatives`](super::negatives) at off-manifold rows, times `weight`.
    pub struct Negatives<'a> {
        pub frozen: &'a FrozenRows,
        pub distance: &'a [f32],
        pub data_scale: f64,
        pub weight: f64,
        pub batch: usize,
    }

    impl RowLoss for Negatives<'_> {
        fn reads_gradient(&self) -> bool {
            true
        }

        fn row(&self, r: usize, g: f32, v: &[f32], v_bar: &mut [f32]) -> (f64, f32) {
            let cap = (MARGIN_CAP * self.data_scale) as f32;
            let scale = self.weight as f32 / (self.batch as f32 * cap * MARGIN as f32);
            let n = norm(v);
            let ratio = g / n;
            let joint = (self.frozen.joint_sq(r) + ratio * ratio + EPS as f32).sqrt();
            let wanted = self.distance[r].min(cap) * MARGIN as f32;
            if wanted <= joint {
                return (0.0, 0.0);
            }
            let ratio_bar = -scale * ratio / joint;
            let n_bar = -ratio_bar * ratio / n;
            v_bar.iter_mut().zip(v).for_each(|(a, b)| *a += n_bar * b / n);
            (((wanted - joint) * scale) as f64, ratio_bar / n)
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;
    use crate::core::relation::read_vec;
    use burn::tensor::{Device, TensorData};

    fn t(rows: &[[f32; 3]]) -> Tensor<2> {
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        Tensor::from_data(TensorData::new(flat, [rows.len(), 3]), &Device::flex())
    }

    fn scalar(x: Tensor<1>) -> f32 {
        block_on(read_vec(x)).unwrap()[0]
    }

    #[test]
    fn span_term_sees_a_gradient_inside_the_span_that_pairwise_misses() {
        let basis = vec![t(&[[1.0, 0.0, 0.0]]), t(&[[0.0, 1.0, 0.0]])];
        let view = FrozenView { unit_grads: basis.clone(), basis, joint_sq: None };
        let inside = t(&[[1.0, 1.0, 0.0]]);
        let outside = t(&[[0.0, 0.0, 1.0]]);
        let cost = |v: &Tensor<2>, kind| scalar(independence(v.clone(), row_norm(v.clone()), &view, kind).unwrap());
        // Pairwise: 45° to each → 2·log 2 ≈ 1.39, finite. Span: sin² ≈ 0 → huge.
        assert!((cost(&inside, Independence::Pairwise) - 1.386).abs() < 0.01);
        assert!(cost(&inside, Independence::Span) > 10.0);
        assert!(cost(&outside, Independence::Span).abs() < 1e-3);
    }

    #[test]
    fn bounded_scale_term_stops_rewarding_growth() {
        let g = t(&[[0.0; 3]]).narrow(1, 0, 1);
        let at = |n: f32, scale| {
            let norm = Tensor::<2>::from_data(TensorData::new(vec![n], [1, 1]), &Device::flex());
            scalar(vanishing(g.clone(), norm, scale))
        };
        assert!(at(100.0, ScaleTerm::Paper) < at(10.0, ScaleTerm::Paper) - 2.0);
        assert_eq!(at(100.0, ScaleTerm::Bounded), at(10.0, ScaleTerm::Bounded));
        assert!(at(0.5, ScaleTerm::Bounded) > at(1.0, ScaleTerm::Bounded));
    }
}
