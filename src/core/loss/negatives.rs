//! Near-manifold negatives: the loss only sees on-manifold points, so nothing stops the
//! joint zero set {g_1 = .. = g_k = 0} from containing more than the manifold. From the
//! second relation on, a hinge asks the joint normalised residual at off-manifold points
//! to be at least MARGIN times their distance to the data (capped at MARGIN_CAP data
//! scales). The same hinge at stray landings of the joint zero set prunes them, a lone
//! relation's too (there the joint residual is its own).

use super::fit::kernel_norm;
use super::{Batch, EPS, FrozenRows, FrozenView, MARGIN, MARGIN_CAP, Points, Term, norm, row_norm};
use crate::core::fused::{self, RowLoss};
use crate::core::gpu::{KernelRows, kernels};
use crate::core::relation::{LayerWeights, Relation};
use burn::tensor::Tensor;
use burn::tensor::activation::relu;
use cubecl::prelude::*;

/// The hinge at the rows of `points` (off-manifold points, or stray landings), times `weight`.
pub struct Negatives {
    pub points: Points,
    pub weight: f64,
    pub data_scale: f64,
}

impl Term for Negatives {
    fn points(&self) -> &'static [Points] {
        match self.points {
            Points::Strays => &[Points::Strays],
            _ => &[Points::Off],
        }
    }

    fn graph(&self, net: &Relation, batch: &Batch) -> Option<Tensor<1>> {
        let part = batch.part(self.points);
        let (frozen, _) = part.frozen();
        let (g, v) = net.value_and_grad(part.x());
        Some(negatives(g, row_norm(v), &frozen, part.column(), self.data_scale).mul_scalar(self.weight))
    }

    fn fused(&self, weights: &[LayerWeights], batch: &Batch) -> (f64, Vec<LayerWeights>) {
        let part = batch.part(self.points);
        let frozen = part.host_frozen();
        let distance = part.host_column();
        let rows = NegativeRows { frozen: &frozen, distance: &distance, data_scale: self.data_scale, weight: self.weight, batch: part.len() };
        fused::loss_and_gradient(weights, part.host_x().values(), part.set.host.dim(), &rows)
    }

    fn kernel_rows(&self, batch: &Batch, rows: &mut KernelRows) -> bool {
        let part = batch.part(self.points);
        let frozen = part.host_frozen();
        let distance = part.host_column();
        let x = part.host_x();
        let cap = (MARGIN_CAP * self.data_scale) as f32;
        let share = self.weight as f32 / (part.len() as f32 * cap * MARGIN as f32);
        for (r, p) in x.values().chunks_exact(x.dim()).enumerate() {
            let wanted = distance[r].min(cap) * MARGIN as f32;
            rows.push(p, kernels::NEGATIVES, share, wanted, frozen.joint_sq(r), std::iter::empty());
        }
        true
    }
}

/// The hinge on the joint normalised residual at off-manifold points (see the module note).
pub fn negatives(g: Tensor<2>, norm: Tensor<2>, frozen: &FrozenView, distance: Tensor<2>, data_scale: f64) -> Tensor<1> {
    let own = (g / norm).square();
    let joint = match frozen.joint_sq.clone() {
        Some(earlier) => earlier + own,
        None => own,
    };
    let joint = joint.add_scalar(EPS).sqrt();
    let cap = MARGIN_CAP * data_scale;
    let wanted = distance.clamp_max(cap).mul_scalar(MARGIN);
    relu(wanted - joint).mean().div_scalar(cap * MARGIN)
}

/// The same hinge on the GPU (`core::gpu`), formula for formula [`NegativeRows::row`]:
/// `share` is the weight over (batch · cap · MARGIN), `wanted` min(distance, cap) · MARGIN,
/// `joint_sq` the kept relations' Σ (g_j/‖v_j‖)² at the row.
#[cube]
#[allow(clippy::too_many_arguments)]
pub fn negative_row(g: f32, v: &Array<f32>, v_bar: &mut Array<f32>, result: &mut Array<f32>, share: f32, wanted: f32, joint_sq: f32, #[comptime] dim: usize) {
    let n = kernel_norm(v, dim);
    let ratio = g / n;
    let joint = (joint_sq + ratio * ratio + 1e-12f32).sqrt();
    result[0] = 0.0f32;
    result[1] = 0.0f32;
    if wanted > joint {
        let ratio_bar = -share * ratio / joint;
        let n_bar = -ratio_bar * ratio / n;
        for i in 0..dim {
            v_bar[i] += n_bar * v[i] / n;
        }
        result[0] = (wanted - joint) * share;
        result[1] = ratio_bar / n;
    }
}

/// The same hinge one row at a time, times `weight`, with its derivatives written out.
pub struct NegativeRows<'a> {
    pub frozen: &'a FrozenRows,
    pub distance: &'a [f32],
    pub data_scale: f64,
    pub weight: f64,
    pub batch: usize,
}

impl RowLoss for NegativeRows<'_> {
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
