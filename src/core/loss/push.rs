//! Syzygy's push (Eq. 3): g_k pushed away from a frozen adversary f = Σ c_j ĝ_j that
//! rebuilt it, by cos² between g_k and f over the off-manifold batch (blind to g_k's sign
//! and scale). A graph only: it runs a few hundred steps a dependent relation, and the
//! adversary it reads is a burn module.

use super::{Batch, Points, Term};
use crate::core::relation::{LayerWeights, Relation};
use crate::core::syzygy::{self, Adversary};
use burn::module::Module;
use burn::tensor::Tensor;

/// The push against `adversary`, which reads the kept relations normalised by `rms`.
pub struct Push<'a> {
    pub adversary: &'a Adversary,
    pub rms: &'a [f64],
    pub weight: f64,
}

impl Term for Push<'_> {
    fn points(&self) -> &'static [Points] {
        &[Points::Off]
    }

    fn graph(&self, net: &Relation, batch: &Batch) -> Option<Tensor<1>> {
        let part = batch.part(Points::Off);
        let x = part.x();
        let (_, values) = part.frozen();
        let f = self.adversary.valid().forward(x.clone().inner(), normalised_terms(&values, self.rms));
        Some(syzygy::alignment(net.value(x), f).mul_scalar(self.weight))
    }

    fn fused(&self, _: &[LayerWeights], _: &Batch) -> (f64, Vec<LayerWeights>) {
        unreachable!("the push runs as a graph (has_fused_form)")
    }

    fn has_fused_form(&self) -> bool {
        false
    }
}

/// [g_1/rms_1, ..., g_{k-1}/rms_{k-1}] as [n, k-1].
pub fn normalised_terms(values: &[Tensor<2>], rms: &[f64]) -> Tensor<2> {
    let cols: Vec<Tensor<2>> = values.iter().zip(rms).map(|(g, r)| g.clone().div_scalar(*r)).collect();
    Tensor::cat(cols, 1)
}
