//! The optimiser steps of each phase: a batch of rows drawn from each training set the
//! phase's loss terms read (`Phase::terms`), the terms' loss and gradient, one Adam step.
//! On the CPU backend the fused host step computes them (`core::fused`), on a GPU the
//! project's kernels, Adam included (`core::gpu`), and for a term or network without
//! per-row forms a burn graph: all from the same list of terms.

use super::{Job, Session};
use crate::core::fused;
use crate::core::loss::push::normalised_terms;
use crate::core::loss::{Batch, Part, Points, Term, TrainingSet};
use crate::core::phase::{Phase, TermsOf};
use crate::core::relation::{NetSpec, Relation};
use crate::core::rng::Rng;
use crate::core::syzygy::{ADVERSARY_LR, ADVERSARY_STEPS};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};

impl Session {
    pub(super) fn new_job(&mut self) -> Job {
        let loops = self.sets.loops.as_ref().is_some_and(|t| t.of(self.kept.len()).is_some());
        let mut job = self.fresh_job(Phase::first(self.config.init, loops));
        // An imported relation kept under import=tune trains on from its weights, its fit
        // its warm start.
        if let Some((weights, transfer)) = self.tuning.pop_front() {
            job.net = Relation::from_weights(&weights, self.config.activation, &self.device);
            job.phase = Phase::Fit;
            job.transfer = Some(transfer);
        }
        job
    }

    /// The next relation's job from its seeded random weights, beginning with `phase`.
    pub(super) fn fresh_job(&self, phase: Phase) -> Job {
        let spec = NetSpec { input: self.dataset.dim(), hidden: self.config.hidden.clone(), activation: self.config.activation };
        let mut init_rng = Rng::new(self.config.seed).fork(100 + self.reports.len() as u64);
        Job {
            net: Relation::init(&spec, &mut init_rng, &self.device),
            optim: crate::core::phase::optimiser(),
            phase,
            step: 0,
            adversary: None,
            frozen_target: None,
            rms: Vec::new(),
            syzygy_error: None,
            checks: Vec::new(),
            stop: None,
            steps: 0,
            extensions: 0,
            transfer: None,
            trainer: None,
            retried: None,
        }
    }

    /// The length of `job`'s phase, with its extensions (a fit's, or a conditioning's).
    pub(super) fn length(&self, job: &Job) -> usize {
        job.phase.length(self.config.steps) + job.extensions * self.extension()
    }

    /// The length of the relation's fit: with its extensions while it lasts.
    pub(super) fn fit_length(&self, job: &Job) -> usize {
        self.config.steps + if job.phase == Phase::Fit { job.extensions * self.extension() } else { 0 }
    }

    /// How many steps a loose fit gets on top of its `steps` (stop=tighten).
    pub(super) fn extension(&self) -> usize {
        self.config.steps * 2 / 3
    }

    /// A batch of random rows (with replacement) of a set of `n`.
    fn draw(&mut self, n: usize) -> Vec<usize> {
        (0..self.config.batch.min(n)).map(|_| self.rng.below(n)).collect()
    }

    /// The training set of `points`.
    fn set(&self, points: Points) -> &TrainingSet {
        match points {
            Points::Data => &self.sets.data,
            Points::Off => &self.sets.off,
            Points::Sides => &self.sets.sides.as_ref().expect("sides are read only where the data has them").1,
            Points::Strays => &self.pruning.as_ref().expect("strays are read only while pruning").strays,
        }
    }

    /// One optimiser step of the current phase; returns its (unread) loss, or None where
    /// the step ran on the kernels (the loss stays on the device until the chunk is read).
    pub(super) fn train_step(&mut self, job: &mut Job) -> Option<Tensor<1>> {
        let loss = if job.phase.trains_relation() { self.relation_step(job) } else { Some(self.adversary_step(job)) };
        job.step += 1;
        loss
    }

    /// The loss terms of `job`'s phase at its current step.
    pub(super) fn terms<'a>(&'a self, job: &'a Job) -> Vec<Box<dyn Term + 'a>> {
        job.phase.terms(&TermsOf {
            config: &self.config,
            step: job.step,
            kept: self.kept.len(),
            sides: self.has_sides(),
            data_scale: self.dataset.scale(),
            centre: (&self.sets.centre, &self.sets.centre_host),
            loops: self.sets.loops.as_ref(),
            adversary: job.adversary.as_ref().map(|(adversary, _)| (adversary, job.rms.as_slice())),
        })
    }

    /// A batch of rows of each training set the phase's terms read, drawn in `Points` order.
    pub(super) fn draw_batch(&mut self, job: &Job) -> Vec<(Points, Vec<usize>)> {
        let mut sets: Vec<Points> = self.terms(job).iter().flat_map(|t| t.points()).copied().collect();
        sets.sort_unstable();
        sets.dedup();
        sets.into_iter().map(|points| (points, self.draw(self.set(points).len()))).collect()
    }

    /// The drawn rows with their training sets.
    pub(super) fn batch(&self, drawn: Vec<(Points, Vec<usize>)>) -> Batch<'_> {
        Batch { parts: drawn.into_iter().map(|(points, rows)| Part { points, set: self.set(points), rows }).collect() }
    }

    fn relation_step(&mut self, job: &mut Job) -> Option<Tensor<1>> {
        let drawn = self.draw_batch(job);
        // An extended fit's schedule is stretched over its new length: the rate rises from
        // its floor to where the longer cosine is (38% of lr), then decays again.
        let lr = if job.phase.decays() { self.config.lr * cosine_decay(job.step, self.length(job)) } else { self.config.lr };
        if let Some(mut trainer) = job.trainer.take() {
            trainer.step(&self.kernel_rows(job, &self.batch(drawn)), lr);
            job.trainer = Some(trainer);
            return None;
        }
        let (loss, grads) = self.loss_and_gradient(job, &self.batch(drawn));
        job.net = job.optim.step(lr, job.net.clone(), grads);
        Some(loss)
    }

    /// The phase's loss over `batch` and its gradient: by the fused host step where every
    /// term has a fused form and the backend is the CPU, else through burn's graph.
    pub(super) fn loss_and_gradient(&self, job: &Job, batch: &Batch) -> (Tensor<1>, GradientsParams) {
        let terms = self.terms(job);
        if self.fused && terms.iter().all(|t| t.has_fused_form()) {
            let (loss, grads) = self.fused_loss(job, &terms, batch);
            (self.scalar(loss), job.net.gradients_params(grads))
        } else {
            let loss = self.graph_loss(job, &terms, batch);
            let grads = GradientsParams::from_grads(loss.backward(), &job.net);
            (loss, grads)
        }
    }

    /// The terms' sum as a burn graph (any backend, any phase).
    pub(super) fn graph_loss(&self, job: &Job, terms: &[Box<dyn Term + '_>], batch: &Batch) -> Tensor<1> {
        terms.iter().filter_map(|t| t.graph(&job.net, batch)).reduce(|a, b| a + b).expect("a phase that trains g_k has a term")
    }

    /// The same sum and its gradient by the fused host step, term by term.
    pub(super) fn fused_loss(&self, job: &Job, terms: &[Box<dyn Term + '_>], batch: &Batch) -> (f64, Vec<crate::core::relation::LayerWeights>) {
        let weights = job.net.host_weights();
        let mut parts = terms.iter().map(|t| t.fused(&weights, batch));
        let (mut loss, mut grads) = parts.next().expect("a phase that trains g_k has a term");
        for (more, more_grads) in parts {
            loss += more;
            fused::add_gradients(&mut grads, &more_grads);
        }
        (loss, grads)
    }

    /// A host loss as the one-element tensor a step returns.
    fn scalar(&self, loss: f64) -> Tensor<1> {
        Tensor::from_data(TensorData::new(vec![loss as f32], [1]), &self.device.clone().inner())
    }

    fn adversary_step(&mut self, job: &mut Job) -> Tensor<1> {
        let n = self.sets.near_rows.len();
        let picks: Vec<usize> = (0..self.config.batch.min(n)).map(|_| self.rng.below(n)).collect();
        let drawn = picks.into_iter().map(|i| self.sets.near_rows[i]).collect();
        let part = Part { points: Points::Off, set: &self.sets.off, rows: drawn };
        let xo = part.x();
        let frozen = job.frozen_target.as_ref().expect("adversary phase has one");
        let target = frozen.value(xo.clone().inner()).div_scalar(*job.rms.last().expect("rms measured"));
        let (_, values) = part.frozen();
        let terms = normalised_terms(&values, &job.rms);
        let (adversary, optim) = job.adversary.as_mut().expect("adversary phase has one");
        let prediction = adversary.forward(xo, terms);
        let loss = (prediction - target).square().mean();
        let grads = GradientsParams::from_grads(loss.backward(), &*adversary);
        let lr = ADVERSARY_LR * cosine_decay(job.step, ADVERSARY_STEPS);
        *adversary = optim.step(lr, adversary.clone(), grads);
        loss
    }
}

/// Learning-rate factor at `step` of `of`: cosine from 1 down to 5%, for precise fits.
fn cosine_decay(step: usize, of: usize) -> f64 {
    let t = step as f64 / of.max(1) as f64;
    0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(super) mod tests;
