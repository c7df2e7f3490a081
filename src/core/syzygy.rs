//! Restricted syzygies (Eq. 3): an adversary f tries to rebuild the new relation g_k from
//! the earlier ones on near-manifold (off the data) points. If it succeeds on held-out points, g_k is
//! dependent. f has the form Σ_j c_j(x) ĝ_j(x) with c an MLP of x and ĝ_j = g_j / rms(g_j):
//! an unconstrained f(x, g_1..g_{k-1}) could fit g_k from x alone and prove nothing.

use super::relation::random_layers;
use super::rng::Rng;
use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

/// Below this held-out relative RMSE the adversary has rebuilt g_k: g_k is dependent.
pub const DEPENDENT_BELOW: f64 = 0.1;
/// Optimiser steps per adversary round, and their learning rate (cosine-decayed).
pub const ADVERSARY_STEPS: usize = 400;
pub const ADVERSARY_LR: f64 = 3e-3;

#[derive(Module, Debug)]
pub struct Adversary {
    layers: Vec<Linear>,
}

impl Adversary {
    /// Coefficients c: R^N → R^terms through `hidden` tanh layers.
    pub fn init(input: usize, terms: usize, hidden: &[usize], rng: &mut Rng, device: &Device) -> Self {
        let mut sizes = vec![input];
        sizes.extend(hidden);
        sizes.push(terms);
        Self { layers: random_layers(&sizes, rng, device) }
    }

    /// f(x) = Σ_j c_j(x) ĝ_j(x) as [n, 1], with `terms` the normalised ĝ as [n, k].
    pub fn forward(&self, x: Tensor<2>, terms: Tensor<2>) -> Tensor<2> {
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let h = hidden.iter().fold(x, |h, l| l.forward(h).tanh());
        (last.forward(h) * terms).sum_dim(1)
    }
}

/// Relative RMSE of a prediction: √(mean (p − t)² / mean t²).
pub fn relative_error(prediction: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    let err = (prediction - target.clone()).square().mean();
    (err / target.square().mean().add_scalar(1e-12)).sqrt()
}

/// cos² between g and f as vectors over the batch: the push-away penalty for g_k. It is
/// blind to the sign and scale of g_k, which a plain "be different from f" reward is not.
pub fn alignment(g: Tensor<2>, f: Tensor<2>) -> Tensor<1> {
    let gf = (g.clone() * f.clone()).sum();
    gf.square() / (g.square().sum() * f.square().sum()).add_scalar(1e-12)
}
