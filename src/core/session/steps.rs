//! The optimiser steps of each phase: a batch drawn from the training sets, the phase's
//! loss assembled from `loss.rs` and `syzygy.rs`, one Adam step.

use super::{Job, Session};
use crate::core::config::{Algorithm, Init};
use crate::core::loss::{independence, negatives, row_norm, vanishing};
use crate::core::relation::{NetSpec, Relation};
use crate::core::report::Phase;
use crate::core::rng::Rng;
use crate::core::syzygy::{self, ADVERSARY_LR, ADVERSARY_STEPS};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Int, Tensor, TensorData};

const PUSH_WEIGHT: f64 = 1.0;
/// Transversality's independence term grows from 0 to full weight over this many fitting
/// steps. Every relation's warm start fits the same sphere, so when g_k starts fitting its
/// gradient is nearly parallel to g_1's on the data and −log sin² is huge: at full weight
/// from step 0 it wrenched g_k's zero set into spurious pieces (saddle loop 75%, flat torus
/// 84%, rank-1 matrices 78% intersection fidelity; syzygy, without the term, 98-100%). With
/// the ramp: 100%, 100%, 100% (examples/suite_table.rs). A 200-step ramp helped some cases
/// and hurt others (flat torus 73%).
const INDEPENDENCE_RAMP: usize = 500;
/// The warm start lasts 1/WARM_SHARE of the fitting steps.
const WARM_SHARE: usize = 10;

impl Session {
    pub(super) fn new_job(&mut self) -> Job {
        let spec = NetSpec { input: self.dataset.dim(), hidden: self.config.hidden.clone(), activation: self.config.activation };
        let mut init_rng = Rng::new(self.config.seed).fork(100 + self.reports.len() as u64);
        Job {
            net: Relation::init(&spec, &mut init_rng, &self.device),
            optim: AdamConfig::new().with_epsilon(1e-8).init(),
            phase: match self.config.init {
                Init::Sphere => Phase::Warm,
                Init::Plain => Phase::Fit,
            },
            step: 0,
            adversary: None,
            frozen_target: None,
            rms: Vec::new(),
            syzygy_error: None,
            checks: Vec::new(),
            stop: None,
            steps: 0,
        }
    }

    pub(super) fn phase_length(&self, phase: Phase) -> usize {
        match phase {
            Phase::Warm => (self.config.steps / WARM_SHARE).max(1),
            Phase::Fit => self.config.steps,
            Phase::Adversary { .. } => ADVERSARY_STEPS,
            Phase::Push { .. } => (self.config.steps / 2).max(1),
        }
    }

    /// A batch of random rows (with replacement) of a set of `n`, as an index tensor.
    fn draw(&mut self, n: usize) -> Tensor<1, Int> {
        let rows: Vec<i64> = (0..self.config.batch.min(n)).map(|_| self.rng.below(n) as i64).collect();
        self.index(rows)
    }

    pub(super) fn index(&self, rows: Vec<i64>) -> Tensor<1, Int> {
        let len = rows.len();
        Tensor::from_data(TensorData::new(rows, [len]), &self.device)
    }

    /// One optimiser step of the current phase; returns its (unread) loss.
    pub(super) fn train_step(&mut self, job: &mut Job) -> Tensor<1> {
        let loss = match job.phase {
            Phase::Warm => self.warm_step(job),
            Phase::Fit => self.relation_step(job, false),
            Phase::Push { .. } => self.relation_step(job, true),
            Phase::Adversary { .. } => self.adversary_step(job),
        };
        job.step += 1;
        loss
    }

    /// Warm start: regress g_k onto (|x − μ|² − r²)/2r, a sphere around the data (centroid
    /// μ, RMS radius r), on data and off-manifold points. Why: from random weights g_k is
    /// nearly linear, and as its zero set bends onto a closed manifold the gradient keeps
    /// the linear function's orientation, so it points inwards on one side of the data
    /// and outwards on the other. Where the two meet, the zero set must branch, and the
    /// branches run off as spurious pieces of the joint zero set (on the ellipse: ~83%
    /// intersection fidelity without the warm start, ~100% with it). A sphere's zero set
    /// is closed and consistently oriented from the start.
    fn warm_step(&mut self, job: &mut Job) -> Tensor<1> {
        let on = self.on_train.clone().select(0, self.draw(self.on_train.dims()[0]));
        let off = self.off_train.clone().select(0, self.draw(self.off_train.dims()[0]));
        let x = Tensor::cat(vec![on, off], 0);
        let r = self.dataset.scale();
        let sphere = (x.clone() - self.centroid.clone()).square().sum_dim(1).sub_scalar(r * r).div_scalar(2.0 * r);
        let loss = (job.net.value(x) - sphere).square().mean();
        let grads = GradientsParams::from_grads(loss.backward(), &job.net);
        job.net = job.optim.step(self.config.lr, job.net.clone(), grads);
        loss
    }

    fn relation_step(&mut self, job: &mut Job, push: bool) -> Tensor<1> {
        let rows = self.draw(self.on_train.dims()[0]);
        let x = self.on_train.clone().select(0, rows.clone());
        let (g, v) = job.net.value_and_grad(x);
        let norm = row_norm(v.clone());
        let mut loss = vanishing(g, norm.clone(), self.config.scale_term);
        if self.config.algorithm == Algorithm::Transversality {
            let (frozen, _) = self.on_frozen.rows(rows);
            if let Some(term) = independence(v, norm, &frozen, self.config.independence) {
                let ramp = if push { 1.0 } else { (job.step as f64 / INDEPENDENCE_RAMP as f64).min(1.0) };
                loss = loss + term.mul_scalar(ramp);
            }
        }
        if self.config.negatives > 0.0 && !self.kept.is_empty() || push {
            let rows = self.draw(self.off_train.dims()[0]);
            let xo = self.off_train.clone().select(0, rows.clone());
            let d = self.off_train_distance.clone().select(0, rows.clone());
            let (frozen, values) = self.off_frozen.rows(rows);
            if self.config.negatives > 0.0 {
                let (go, vo) = job.net.value_and_grad(xo.clone());
                if let Some(term) = negatives(go, row_norm(vo), &frozen, d, self.dataset.scale()) {
                    loss = loss + term.mul_scalar(self.config.negatives);
                }
            }
            if push && let Some((adversary, _)) = &job.adversary {
                let terms = self.normalised_terms(&values, &job.rms);
                let f = adversary.valid().forward(xo.clone().inner(), terms);
                loss = loss + syzygy::alignment(job.net.value(xo), f).mul_scalar(PUSH_WEIGHT);
            }
        }
        let grads = GradientsParams::from_grads(loss.backward(), &job.net);
        let lr = self.config.lr * cosine_decay(job.step, self.phase_length(job.phase));
        job.net = job.optim.step(lr, job.net.clone(), grads);
        loss
    }

    fn adversary_step(&mut self, job: &mut Job) -> Tensor<1> {
        let drawn = (0..self.config.batch.min(self.near_rows.len())).map(|_| self.near_rows[self.rng.below(self.near_rows.len())] as i64).collect();
        let rows = self.index(drawn);
        let xo = self.off_train.clone().select(0, rows.clone());
        let frozen = job.frozen_target.as_ref().expect("adversary phase has one");
        let target = frozen.value(xo.clone().inner()).div_scalar(*job.rms.last().expect("rms measured"));
        let (_, values) = self.off_frozen.rows(rows);
        let terms = self.normalised_terms(&values, &job.rms);
        let (adversary, optim) = job.adversary.as_mut().expect("adversary phase has one");
        let prediction = adversary.forward(xo, terms);
        let loss = (prediction - target).square().mean();
        let grads = GradientsParams::from_grads(loss.backward(), &*adversary);
        let lr = ADVERSARY_LR * cosine_decay(job.step, ADVERSARY_STEPS);
        *adversary = optim.step(lr, adversary.clone(), grads);
        loss
    }

    /// [g_1/rms_1, ..., g_{k-1}/rms_{k-1}] as [n, k-1].
    pub(super) fn normalised_terms(&self, values: &[Tensor<2>], rms: &[f64]) -> Tensor<2> {
        let cols: Vec<Tensor<2>> = values.iter().zip(rms).map(|(g, r)| g.clone().div_scalar(*r)).collect();
        Tensor::cat(cols, 1)
    }
}

/// Learning-rate factor at `step` of `of`: cosine from 1 down to 5%, for precise fits.
fn cosine_decay(step: usize, of: usize) -> f64 {
    let t = step as f64 / of.max(1) as f64;
    0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}
