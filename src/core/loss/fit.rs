//! The fit on the data (Eq. 1 and 2): g_k vanishes there (mean |g|/‖∇g‖), its gradient
//! does not (the scale term), and, weighted by the independence ramp, its gradient is
//! transverse to the kept relations' (the span term, or the paper's pairwise sines).

use super::{Batch, FrozenRows, FrozenView, Points, Term, dot, norm, row_dot, row_norm};
use crate::core::config::{Independence, ScaleTerm};
use crate::core::fused::{self, RowLoss};
use crate::core::gpu::{KernelRows, kernels};
use crate::core::relation::{LayerWeights, Relation};
use burn::tensor::Tensor;
use cubecl::prelude::*;

/// The fit's settings at one step; `ramp` weighs the independence term (0: off).
pub struct Fit {
    pub scale: ScaleTerm,
    pub independence: Independence,
    pub ramp: f64,
}

impl Term for Fit {
    fn points(&self) -> &'static [Points] {
        &[Points::Data]
    }

    fn graph(&self, net: &Relation, batch: &Batch) -> Option<Tensor<1>> {
        let part = batch.part(Points::Data);
        let (g, v) = net.value_and_grad(part.x());
        let norm = row_norm(v.clone());
        let mut loss = vanishing(g, norm.clone(), self.scale);
        if self.ramp > 0.0 {
            let (frozen, _) = part.frozen();
            if let Some(term) = independence(v, norm, &frozen, self.independence) {
                loss = loss + term.mul_scalar(self.ramp);
            }
        }
        Some(loss)
    }

    fn fused(&self, weights: &[LayerWeights], batch: &Batch) -> (f64, Vec<LayerWeights>) {
        let part = batch.part(Points::Data);
        let frozen = part.host_frozen();
        let rows = FitRows { fit: self, frozen: &frozen, batch: part.len() };
        fused::loss_and_gradient(weights, part.host_x().values(), part.set.host.dim(), &rows)
    }

    fn kernel_rows(&self, batch: &Batch, rows: &mut KernelRows) -> bool {
        let part = batch.part(Points::Data);
        let frozen = part.host_frozen();
        let x = part.host_x();
        let share = 1.0 / part.len() as f32;
        let kind = if self.scale == ScaleTerm::Paper { 1.0 } else { 0.0 } + if self.independence == Independence::Pairwise { 2.0 } else { 0.0 };
        // The frozen vectors the independence kind reads (none while nothing is kept).
        let vectors = |r| match self.independence {
            Independence::Span => frozen.basis(r),
            Independence::Pairwise => frozen.unit_grads(r),
        };
        for (r, p) in x.values().chunks_exact(x.dim()).enumerate() {
            let q = (frozen.relations > 0).then(|| vectors(r)).into_iter().flatten().flatten().copied();
            rows.push(p, kernels::FIT, share, self.ramp as f32, kind, q);
        }
        true
    }
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

/// The same loss one row at a time, its derivatives written out (means over `batch` rows):
/// formula for formula the tensor forms above.
struct FitRows<'a> {
    fit: &'a Fit,
    frozen: &'a FrozenRows,
    batch: usize,
}

impl RowLoss for FitRows<'_> {
    fn reads_gradient(&self) -> bool {
        true
    }

    fn row(&self, r: usize, g: f32, v: &[f32], v_bar: &mut [f32]) -> (f64, f32) {
        let share = 1.0 / self.batch as f32;
        let n = norm(v);
        let log_norm = match self.fit.scale {
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
        let slope = if self.fit.scale == ScaleTerm::Paper || n < 1.0 { 1.0 / n } else { 0.0 };
        let mut n_bar = -g.abs() / (n * n) - slope;
        if self.frozen.relations > 0 && self.fit.ramp > 0.0 {
            let ramp = self.fit.ramp as f32;
            match self.fit.independence {
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

/// The same row on the GPU (`core::gpu`), formula for formula [`FitRows::row`]: the loss
/// and ḡ into `result`, V̄ added into `v_bar`. The row's frozen vectors (basis rows or unit
/// gradients, as the independence kind reads them) start at `rows[q]`; `share` is 1/batch,
/// `ramp` the independence term's weight and `kind` 1 for the paper's scale term plus 2 for
/// pairwise independence.
#[cube]
#[allow(clippy::too_many_arguments)]
pub fn fit_row(
    g: f32,
    v: &Array<f32>,
    v_bar: &mut Array<f32>,
    result: &mut Array<f32>,
    rows: &[f32],
    q: usize,
    frozen: usize,
    share: f32,
    ramp: f32,
    kind: f32,
    #[comptime] dim: usize,
) {
    let paper = kind == 1.0f32 || kind == 3.0f32;
    let n = kernel_norm(v, dim);
    let mut log_norm = n.ln();
    if !paper {
        log_norm = n.min(1.0f32).ln();
    }
    let mut loss = g.abs() / n - log_norm;
    let mut sign = 0.0f32;
    if g > 0.0f32 {
        sign = 1.0f32;
    } else if g < 0.0f32 {
        sign = -1.0f32;
    }
    let g_bar = share * sign / n;
    let mut slope = 0.0f32;
    if paper || n < 1.0f32 {
        slope = 1.0f32 / n;
    }
    let mut n_bar = -g.abs() / (n * n) - slope;
    if frozen > 0 && ramp > 0.0f32 {
        if kind >= 2.0f32 {
            for j in 0..frozen {
                let mut along = 0.0f32;
                for i in 0..dim {
                    along += v[i] * rows[q + j * dim + i];
                }
                let cos = along / n;
                let keep = 1.0f32 + 1e-6f32 - cos * cos;
                loss -= ramp * keep.ln();
                let cos_bar = ramp * 2.0f32 * cos / keep;
                for i in 0..dim {
                    v_bar[i] += share * cos_bar * rows[q + j * dim + i] / n;
                }
                n_bar -= cos_bar * along / (n * n);
            }
        } else {
            // r = v projected off each basis row in turn; sin² = |r|² / ‖v‖².
            let mut rest = Array::<f32>::new(dim);
            for i in 0..dim {
                rest[i] = v[i];
            }
            for j in 0..frozen {
                let mut along = 0.0f32;
                for i in 0..dim {
                    along += rest[i] * rows[q + j * dim + i];
                }
                for i in 0..dim {
                    rest[i] -= rows[q + j * dim + i] * along;
                }
            }
            let mut rest_sq = 0.0f32;
            for i in 0..dim {
                rest_sq += rest[i] * rest[i];
            }
            let n_sq = n * n;
            let sin_sq = rest_sq / n_sq;
            loss -= ramp * (sin_sq + 1e-6f32).ln();
            let sin_bar = -ramp / (sin_sq + 1e-6f32);
            n_bar += sin_bar * (-2.0f32 * rest_sq / (n_sq * n));
            // Back through the projections, last first.
            for i in 0..dim {
                rest[i] = sin_bar * 2.0f32 * rest[i] / n_sq;
            }
            for t in 0..frozen {
                let j = frozen - 1 - t;
                let mut along = 0.0f32;
                for i in 0..dim {
                    along += rest[i] * rows[q + j * dim + i];
                }
                for i in 0..dim {
                    rest[i] -= rows[q + j * dim + i] * along;
                }
            }
            for i in 0..dim {
                v_bar[i] += share * rest[i];
            }
        }
    }
    for i in 0..dim {
        v_bar[i] += share * n_bar * v[i] / n;
    }
    result[0] = loss * share;
    result[1] = g_bar;
}

/// ‖v‖ of one row on the GPU, as [`norm`] takes it.
#[cube]
pub fn kernel_norm(v: &Array<f32>, #[comptime] dim: usize) -> f32 {
    let mut sum = 0.0f32;
    for i in 0..dim {
        sum += v[i] * v[i];
    }
    (sum + 1e-12f32).sqrt()
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
