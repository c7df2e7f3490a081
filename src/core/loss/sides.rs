//! Sides of a hypersurface: a hinge on |g| cannot remove a sheet of g_1's zero set that
//! crosses the box, since the sheet is a sign change. Where the data is a hypersurface,
//! points p + t·n beside it (`core::orientation`) ask g_1/‖∇g_1‖ to have t's sign and at
//! least MARGIN·|t|.

use super::fit::kernel_norm;
use super::{Batch, MARGIN, Points, Term, norm, row_norm};
use crate::core::fused::{self, RowLoss};
use crate::core::gpu::{KernelRows, kernels};
use crate::core::relation::{LayerWeights, Relation};
use burn::tensor::Tensor;
use burn::tensor::activation::relu;
use cubecl::prelude::*;

/// The hinge at points beside the data, times `weight`.
pub struct Sides {
    pub weight: f64,
}

impl Term for Sides {
    fn points(&self) -> &'static [Points] {
        &[Points::Sides]
    }

    fn graph(&self, net: &Relation, batch: &Batch) -> Option<Tensor<1>> {
        let part = batch.part(Points::Sides);
        let offsets = part.column();
        let (g, v) = net.value_and_grad(part.x());
        Some(sides(g, row_norm(v), offsets.clone().sign(), offsets.abs().mul_scalar(MARGIN)).mul_scalar(self.weight))
    }

    fn fused(&self, weights: &[LayerWeights], batch: &Batch) -> (f64, Vec<LayerWeights>) {
        let part = batch.part(Points::Sides);
        let offsets = part.host_column();
        let rows = SideRows { offsets: &offsets, weight: self.weight, batch: part.len() };
        fused::loss_and_gradient(weights, part.host_x().values(), part.set.host.dim(), &rows)
    }

    fn kernel_rows(&self, batch: &Batch, rows: &mut KernelRows) -> bool {
        let part = batch.part(Points::Sides);
        let x = part.host_x();
        let share = self.weight as f32 / part.len() as f32;
        for (p, t) in x.values().chunks_exact(x.dim()).zip(part.host_column()) {
            rows.push(p, kernels::SIDES, share, t.signum(), MARGIN as f32 * t.abs(), std::iter::empty());
        }
        true
    }
}

/// The hinge on g_1's side at points beside a hypersurface: g/‖v‖ should have the sign
/// `signs` and at least `margins` = MARGIN·|t|.
pub fn sides(g: Tensor<2>, norm: Tensor<2>, signs: Tensor<2>, margins: Tensor<2>) -> Tensor<1> {
    relu(margins - signs * g / norm).mean()
}

/// The same hinge on the GPU (`core::gpu`), formula for formula [`SideRows::row`]: `share`
/// is weight/batch, `sign` and `margin` are t's sign and MARGIN·|t|.
#[cube]
#[allow(clippy::too_many_arguments)]
pub fn side_row(g: f32, v: &Array<f32>, v_bar: &mut Array<f32>, result: &mut Array<f32>, share: f32, sign: f32, margin: f32, #[comptime] dim: usize) {
    let n = kernel_norm(v, dim);
    let have = sign * g / n;
    result[0] = 0.0f32;
    result[1] = 0.0f32;
    if have < margin {
        let n_bar = share * sign * g / (n * n);
        for i in 0..dim {
            v_bar[i] += n_bar * v[i] / n;
        }
        result[0] = (margin - have) * share;
        result[1] = -share * sign / n;
    }
}

/// The same hinge one row at a time, times `weight`; `offsets` are the signed offsets t.
pub struct SideRows<'a> {
    pub offsets: &'a [f32],
    pub weight: f64,
    pub batch: usize,
}

impl RowLoss for SideRows<'_> {
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
