//! The warm start's loss: g_k regressed onto (|x − μ|² − r²)/2r, a sphere around the data
//! (centroid μ, RMS radius r), on data and off-manifold points alike; or, where the data
//! are closed curves in R³ off a plane (init=loops), onto one of the loops' two functions
//! (`core::loops`), which then stay a term of every later phase of the first two
//! relations. Why a warm start: docs/decisions.md.

use super::{Batch, Points, Term};
use crate::core::fused::{self, RowLoss};
use crate::core::gpu::{KernelRows, kernels};
use crate::core::relation::{LayerWeights, Relation};
use burn::tensor::{Tensor, TensorData};
use cubecl::prelude::*;

/// The sphere around the data: its centre as [1, N] on the training device and on the
/// host, and its radius (the data's scale); or, where the data are closed curves in R³
/// and the relation is the first or second, its own target at each row of the data and
/// of the off-manifold points (`core::loops`).
pub struct Warm<'a> {
    pub centre: &'a Tensor<2>,
    pub centre_host: &'a [f32],
    pub radius: f64,
    pub loops: Option<(&'a [f32], &'a [f32])>,
    pub weight: f32,
}

impl Warm<'_> {
    /// The loops' target at each row, the data's then the off-manifold points' (None: the
    /// sphere's, computed from the points).
    fn loop_targets(&self, batch: &Batch) -> Option<Vec<f32>> {
        let (on_data, on_off) = self.loops?;
        let (data, off) = (batch.part(Points::Data), batch.part(Points::Off));
        Some(data.rows.iter().map(|&r| on_data[r]).chain(off.rows.iter().map(|&r| on_off[r])).collect())
    }

    /// The rows of the data and the off-manifold points on the host, and the target at each.
    fn rows_and_targets(&self, batch: &Batch) -> (Vec<f32>, Vec<f32>) {
        let mut x = batch.part(Points::Data).host_x().values().to_vec();
        x.extend_from_slice(batch.part(Points::Off).host_x().values());
        let target = self.loop_targets(batch).unwrap_or_else(|| TargetRows::around(self.centre_host, self.radius, &x).target);
        (x, target)
    }
}

impl Term for Warm<'_> {
    fn points(&self) -> &'static [Points] {
        &[Points::Data, Points::Off]
    }

    fn graph(&self, net: &Relation, batch: &Batch) -> Option<Tensor<1>> {
        let x = Tensor::cat(vec![batch.part(Points::Data).x(), batch.part(Points::Off).x()], 0);
        let target = match self.loop_targets(batch) {
            Some(target) => {
                let n = target.len();
                Tensor::from_data(TensorData::new(target, [n, 1]), &x.device())
            }
            None => {
                let r = self.radius;
                (x.clone() - self.centre.clone()).square().sum_dim(1).sub_scalar(r * r).div_scalar(2.0 * r)
            }
        };
        Some((net.value(x) - target).square().mean().mul_scalar(self.weight))
    }

    fn fused(&self, weights: &[LayerWeights], batch: &Batch) -> (f64, Vec<LayerWeights>) {
        let (x, target) = self.rows_and_targets(batch);
        fused::loss_and_gradient(weights, &x, self.centre_host.len(), &TargetRows { target, weight: self.weight })
    }

    fn kernel_rows(&self, batch: &Batch, rows: &mut KernelRows) -> bool {
        let (x, target) = self.rows_and_targets(batch);
        let share = self.weight / target.len() as f32;
        for (p, target) in x.chunks_exact(self.centre_host.len()).zip(&target) {
            rows.push(p, kernels::WARM, share, *target, 0.0, std::iter::empty());
        }
        true
    }
}

/// The same loss on the GPU (`core::gpu`), as [`TargetRows::row`]: `share` is weight/rows
/// and `target` the sphere's or the loops' value at the row (the gradient of x is not
/// read).
#[cube]
pub fn sphere_row(g: f32, result: &mut Array<f32>, share: f32, target: f32) {
    let miss = g - target;
    result[0] = miss * miss * share;
    result[1] = 2.0f32 * miss * share;
}

/// The same loss one row at a time: weight × mean (g − s)², s the target at each row.
struct TargetRows {
    target: Vec<f32>,
    weight: f32,
}

impl TargetRows {
    /// (|x − μ|² − r²)/2r at each row of `x`, as the graph form computes it.
    fn around(centre: &[f32], r: f64, x: &[f32]) -> Self {
        let (r_sq, two_r) = ((r * r) as f32, (2.0 * r) as f32);
        let target = x.chunks_exact(centre.len()).map(|p| (p.iter().zip(centre).map(|(a, c)| (a - c) * (a - c)).sum::<f32>() - r_sq) / two_r).collect();
        Self { target, weight: 1.0 }
    }
}

impl RowLoss for TargetRows {
    fn reads_gradient(&self) -> bool {
        false
    }

    fn row(&self, row: usize, g: f32, _: &[f32], _: &mut [f32]) -> (f64, f32) {
        let n = self.target.len() as f32 / self.weight;
        let miss = g - self.target[row];
        ((miss * miss / n) as f64, 2.0 * miss / n)
    }
}
