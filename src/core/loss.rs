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
//!   their distance to the data.

use super::config::{Independence, ScaleTerm};
use super::relation::Relation;
use burn::tensor::Tensor;
use burn::tensor::activation::relu;

const EPS: f64 = 1e-12;
/// Negatives ask for a residual of at least this share of the distance to the data ...
const MARGIN: f64 = 0.5;
/// ... capped at this many data scales, since |g|/‖v‖ only tracks distance near the set.
const MARGIN_CAP: f64 = 0.25;

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
    relations: usize,
    dim: usize,
}

impl FrozenTable {
    pub fn new(frozen: &[Relation], x: Tensor<2>) -> Self {
        let dim = x.dims()[1];
        if frozen.is_empty() {
            return Self { columns: None, relations: 0, dim };
        }
        let view = FrozenView::new(frozen, x.clone());
        let values = frozen.iter().map(|r| r.value(x.clone()));
        let columns: Vec<Tensor<2>> = view.unit_grads.into_iter().chain(view.basis).chain(view.joint_sq).chain(values).collect();
        Self { columns: Some(Tensor::cat(columns, 1)), relations: frozen.len(), dim }
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
