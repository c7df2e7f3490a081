//! The optimiser steps of each phase: a batch drawn from the training sets, the phase's
//! loss assembled from `loss.rs` and `syzygy.rs`, one Adam step.

use super::{Job, Session};
use crate::core::config::{Algorithm, Conditioning, Init};
use crate::core::fused::{self, RowLoss};
use crate::core::loss::{self, FrozenTable, independence, negatives, per_row, row_norm, vanishing};
use crate::core::points::PointCloud;
use crate::core::relation::{LayerWeights, NetSpec, Relation};
use crate::core::report::Phase;
use crate::core::rng::Rng;
use crate::core::syzygy::{self, ADVERSARY_LR, ADVERSARY_STEPS};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Int, Tensor, TensorData};

const PUSH_WEIGHT: f64 = 1.0;
/// Weight of g_1's sides term (`loss::sides`), times the negatives' weight. Measured on the
/// torus at seeds 1-5: 1.5 gave 80-100% of the intersection on the torus, 3 85-100% (mean
/// 91%), 6 65-100%.
const SIDES_WEIGHT: f64 = 3.0;

/// Rows of one fitting step: training points, off-manifold points, points with sides.
struct FitBatch {
    on: Vec<usize>,
    off: Option<Vec<usize>>,
    sides: Option<Vec<usize>>,
    /// Rows of the stray landings, while pruning.
    strays: Option<Vec<usize>>,
}

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
            extended: false,
        }
    }

    pub(super) fn phase_length(&self, phase: Phase) -> usize {
        match phase {
            Phase::Warm => (self.config.steps / WARM_SHARE).max(1),
            Phase::Fit => self.config.steps,
            Phase::Adversary { .. } => ADVERSARY_STEPS,
            Phase::Push { .. } => (self.config.steps / 2).max(1),
            Phase::Condition => self.config.steps,
            Phase::Prune => (self.config.steps / 2).max(1),
        }
    }

    /// The length of `job`'s phase, with the fit's extension once it has one.
    pub(super) fn length(&self, job: &Job) -> usize {
        if job.phase == Phase::Fit { self.fit_length(job) } else { self.phase_length(job.phase) }
    }

    pub(super) fn fit_length(&self, job: &Job) -> usize {
        self.config.steps + if job.extended { self.extension() } else { 0 }
    }

    /// How many steps a loose fit gets on top of its `steps` (stop=tighten).
    pub(super) fn extension(&self) -> usize {
        self.config.steps * 2 / 3
    }

    /// A batch of random rows (with replacement) of a set of `n`.
    fn draw(&mut self, n: usize) -> Vec<usize> {
        (0..self.config.batch.min(n)).map(|_| self.rng.below(n)).collect()
    }

    fn index_of(&self, rows: &[usize]) -> Tensor<1, Int> {
        self.index(rows.iter().map(|&r| r as i64).collect())
    }

    pub(super) fn index(&self, rows: Vec<i64>) -> Tensor<1, Int> {
        let len = rows.len();
        Tensor::from_data(TensorData::new(rows, [len]), &self.device)
    }

    /// One optimiser step of the current phase; returns its (unread) loss.
    pub(super) fn train_step(&mut self, job: &mut Job) -> Tensor<1> {
        let loss = match job.phase {
            Phase::Warm => self.warm_step(job),
            Phase::Fit | Phase::Condition | Phase::Prune => self.relation_step(job, false),
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
        let on = self.draw(self.dataset.train.len());
        let off = self.draw(self.dataset.off_train.points.len());
        let (loss, grads) = if self.fused {
            let (loss, grads) = self.fused_warm(job, &on, &off);
            (self.scalar(loss), job.net.gradients_params(grads))
        } else {
            let loss = self.graph_warm_loss(job, &on, &off);
            let grads = GradientsParams::from_grads(loss.backward(), &job.net);
            (loss, grads)
        };
        job.net = job.optim.step(self.config.lr, job.net.clone(), grads);
        loss
    }

    fn graph_warm_loss(&self, job: &Job, on: &[usize], off: &[usize]) -> Tensor<1> {
        let on = self.on_train.clone().select(0, self.index_of(on));
        let off = self.off_train.clone().select(0, self.index_of(off));
        let x = Tensor::cat(vec![on, off], 0);
        let r = self.dataset.scale();
        let sphere = (x.clone() - self.centroid.clone()).square().sum_dim(1).sub_scalar(r * r).div_scalar(2.0 * r);
        (job.net.value(x) - sphere).square().mean()
    }

    fn fused_warm(&self, job: &Job, on: &[usize], off: &[usize]) -> (f64, Vec<LayerWeights>) {
        let dim = self.dataset.dim();
        let mut x = self.dataset.train.select(on).values().to_vec();
        x.extend_from_slice(self.dataset.off_train.points.select(off).values());
        fused::loss_and_gradient(&job.net.host_weights(), &x, dim, &Sphere::around(&self.centroid, self.dataset.scale(), &x))
    }

    /// A fitting step's batches, drawn in this order: rows of the training points; where the
    /// negatives or the push need them, of the off-manifold points; for g_1 beside a
    /// hypersurface, of the points with sides.
    fn draw_fit_batch(&mut self, push: bool) -> FitBatch {
        let on = self.draw(self.dataset.train.len());
        let off = (self.config.negatives > 0.0 && !self.kept.is_empty() || push).then(|| self.draw(self.dataset.off_train.points.len()));
        let sides_len = self.sides.as_ref().filter(|_| self.kept.is_empty()).map(|s| s.host.offsets.len());
        let sides = sides_len.map(|n| self.draw(n));
        let strays_len = self.pruning.as_ref().map(|p| p.strays.distances.len());
        let strays = strays_len.map(|n| self.draw(n));
        FitBatch { on, off, sides, strays }
    }

    /// The independence term's weight at this step: 0 where the phase has no such term
    /// (syzygy's fit and push), else ramped up from the phase's first step.
    fn ramp(&self, job: &Job) -> f64 {
        if job.phase == Phase::Prune {
            // Trained on from where it was, transverse already (or, under cond=off, as it was).
            let was_transverse = self.config.algorithm == Algorithm::Transversality || self.config.conditioning == Conditioning::Transverse;
            return if was_transverse { 1.0 } else { 0.0 };
        }
        let transverse = self.config.algorithm == Algorithm::Transversality || job.phase == Phase::Condition;
        if transverse { (job.step as f64 / INDEPENDENCE_RAMP as f64).min(1.0) } else { 0.0 }
    }

    fn relation_step(&mut self, job: &mut Job, push: bool) -> Tensor<1> {
        let batch = self.draw_fit_batch(push);
        let (loss, grads) = if self.fused && !push {
            let (loss, grads) = self.fused_fit(job, &batch);
            (self.scalar(loss), job.net.gradients_params(grads))
        } else {
            let loss = self.graph_fit_loss(job, &batch, push);
            let grads = GradientsParams::from_grads(loss.backward(), &job.net);
            (loss, grads)
        };
        // An extended fit's schedule is stretched over its new length: the rate rises from
        // its floor to where the longer cosine is (38% of lr), then decays again.
        let lr = self.config.lr * cosine_decay(job.step, self.length(job));
        job.net = job.optim.step(lr, job.net.clone(), grads);
        loss
    }

    /// The fitting loss as a burn graph (any backend, any phase).
    fn graph_fit_loss(&self, job: &Job, batch: &FitBatch, push: bool) -> Tensor<1> {
        let rows = self.index_of(&batch.on);
        let x = self.on_train.clone().select(0, rows.clone());
        let (g, v) = job.net.value_and_grad(x);
        let norm = row_norm(v.clone());
        let mut loss = vanishing(g, norm.clone(), self.config.scale_term);
        let ramp = self.ramp(job);
        if ramp > 0.0 {
            let (frozen, _) = self.on_frozen.rows(rows);
            if let Some(term) = independence(v, norm, &frozen, self.config.independence) {
                loss = loss + term.mul_scalar(ramp);
            }
        }
        if let (Some(rows), Some(sides)) = (&batch.sides, &self.sides) {
            let rows = self.index_of(rows);
            let (g, v) = job.net.value_and_grad(sides.points.clone().select(0, rows.clone()));
            let term = loss::sides(g, row_norm(v), sides.signs.clone().select(0, rows.clone()), sides.margins.clone().select(0, rows));
            loss = loss + term.mul_scalar(SIDES_WEIGHT * self.config.negatives);
        }
        if let Some(off) = &batch.off {
            let rows = self.index_of(off);
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
        if let (Some(rows), Some(pruning)) = (&batch.strays, &self.pruning) {
            let rows = self.index_of(rows);
            let strays = &pruning.strays;
            let (go, vo) = job.net.value_and_grad(strays.points.clone().select(0, rows.clone()));
            let (frozen, _) = strays.frozen.rows(rows.clone());
            if let Some(term) = negatives(go, row_norm(vo), &frozen, strays.distance.clone().select(0, rows), self.dataset.scale()) {
                loss = loss + term.mul_scalar(self.config.negatives);
            }
        }
        loss
    }

    /// The same loss (fitting phase) and its gradient by the fused host step.
    fn fused_fit(&self, job: &Job, batch: &FitBatch) -> (f64, Vec<LayerWeights>) {
        let (dim, on) = (self.dataset.dim(), &batch.on);
        let weights = job.net.host_weights();
        let frozen = self.on_frozen.host_rows(on).expect("fused steps run on the CPU");
        let ramp = self.ramp(job);
        let fit = per_row::Fit { scale: self.config.scale_term, independence: self.config.independence, ramp, frozen: &frozen, batch: on.len() };
        let (mut loss, mut grads) = fused::loss_and_gradient(&weights, self.dataset.train.select(on).values(), dim, &fit);
        if let (Some(rows), Some(sides)) = (&batch.sides, &self.sides) {
            let offsets: Vec<f32> = rows.iter().map(|&r| sides.host.offsets[r]).collect();
            let term = per_row::Sides { offsets: &offsets, weight: SIDES_WEIGHT * self.config.negatives, batch: rows.len() };
            let (more, grads_sides) = fused::loss_and_gradient(&weights, sides.host.points.select(rows).values(), dim, &term);
            loss += more;
            fused::add_gradients(&mut grads, &grads_sides);
        }
        if let Some(off) = &batch.off
            && self.config.negatives > 0.0
        {
            let off_train = &self.dataset.off_train;
            let (more, grads_off) = self.fused_negatives(&weights, &off_train.points, &off_train.distances, &self.off_frozen, off);
            loss += more;
            fused::add_gradients(&mut grads, &grads_off);
        }
        if let (Some(rows), Some(pruning)) = (&batch.strays, &self.pruning) {
            let strays = &pruning.strays;
            let (more, grads_strays) = self.fused_negatives(&weights, &strays.host, &strays.distances, &strays.frozen, rows);
            loss += more;
            fused::add_gradients(&mut grads, &grads_strays);
        }
        (loss, grads)
    }

    /// The negatives' hinge at `rows` of a set of off-manifold points (`points`, their
    /// `distances` to the data, the kept relations there), by the fused host step.
    fn fused_negatives(
        &self,
        weights: &[LayerWeights],
        points: &PointCloud,
        distances: &[f32],
        frozen: &FrozenTable,
        rows: &[usize],
    ) -> (f64, Vec<LayerWeights>) {
        let frozen = frozen.host_rows(rows).expect("fused steps run on the CPU");
        let distance: Vec<f32> = rows.iter().map(|&r| distances[r]).collect();
        let hinge =
            per_row::Negatives { frozen: &frozen, distance: &distance, data_scale: self.dataset.scale(), weight: self.config.negatives, batch: rows.len() };
        fused::loss_and_gradient(weights, points.select(rows).values(), self.dataset.dim(), &hinge)
    }

    /// A host loss as the one-element tensor a step returns.
    fn scalar(&self, loss: f64) -> Tensor<1> {
        Tensor::from_data(TensorData::new(vec![loss as f32], [1]), &self.device.clone().inner())
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

/// The warm start's loss on the host: mean (g − s)², s the sphere's value at each row.
struct Sphere {
    target: Vec<f32>,
}

impl Sphere {
    /// (|x − μ|² − r²)/2r at each row of `x`, as the graph's warm step computes it from
    /// the centroid μ (as [1, N], on the CPU) and the data's scale r.
    fn around(centroid: &Tensor<2>, r: f64, x: &[f32]) -> Self {
        let centroid = centroid.to_data().convert::<f32>().try_into_vec::<f32>().expect("f32 centroid");
        let (r_sq, two_r) = ((r * r) as f32, (2.0 * r) as f32);
        let target = x.chunks_exact(centroid.len()).map(|p| (p.iter().zip(&centroid).map(|(a, c)| (a - c) * (a - c)).sum::<f32>() - r_sq) / two_r).collect();
        Self { target }
    }
}

impl RowLoss for Sphere {
    fn reads_gradient(&self) -> bool {
        false
    }

    fn row(&self, row: usize, g: f32, _: &[f32], _: &mut [f32]) -> (f64, f32) {
        let n = self.target.len() as f32;
        let miss = g - self.target[row];
        ((miss * miss / n) as f64, 2.0 * miss / n)
    }
}

/// Learning-rate factor at `step` of `of`: cosine from 1 down to 5%, for precise fits.
fn cosine_decay(step: usize, of: usize) -> f64 {
    let t = step as f64 / of.max(1) as f64;
    0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;
    use crate::core::config::{Config, Independence, ScaleTerm};
    use crate::core::dataset::Dataset;
    use crate::core::manifold::ManifoldKind;
    use crate::core::relation::{Activation, read_vec};
    use burn::tensor::Device;

    /// A first relation briefly trained on `data` (it nearly vanishes there).
    fn briefly_trained(config: &Config, data: &Dataset, seed: u64) -> Vec<LayerWeights> {
        let config = Config { max_relations: Some(1), steps: 300, seed, ..config.clone() };
        let mut first = Session::new(config, data.clone(), &Device::flex());
        block_on(first.run(100, |_, _| {})).expect("trains");
        first.reports()[0].weights.clone()
    }

    /// What the session has kept when the job for its next relation starts.
    #[derive(Clone, Copy, PartialEq)]
    enum Kept {
        Nothing,
        /// A random relation; the job's network is random too.
        Random,
        /// A briefly trained relation, and the job's network briefly trained from another
        /// seed: both nearly vanish on the data, so the negatives' hinge is active near it.
        /// (Their gradients are then nearly parallel, and the pairwise term's 1 − cos² is
        /// ill-conditioned: rounding in v moves its gradient by 1e-4, so pairwise cases
        /// use random networks.)
        Trained,
    }

    /// A session on the CPU and a job for its next relation, `step` fitting steps in (the
    /// independence term's ramp).
    fn setup(config: Config, kept: Kept, step: usize) -> (Session, Job) {
        let data = Dataset::synthetic(&config);
        let mut session = Session::new(config.clone(), data.clone(), &Device::flex());
        let mut job = session.new_job();
        match kept {
            Kept::Nothing => {}
            Kept::Random => {
                let spec = NetSpec { input: 3, hidden: config.hidden.clone(), activation: Activation::Tanh };
                session.keep(Relation::init(&spec, &mut Rng::new(7), &Device::flex()));
            }
            Kept::Trained => {
                session.keep(Relation::from_weights(&briefly_trained(&config, &data, 11), Activation::Tanh, &Device::flex()));
                job.net = Relation::from_weights(&briefly_trained(&config, &data, 12), Activation::Tanh, &session.device);
            }
        }
        job.step = step;
        (session, job)
    }

    fn assert_same(what: &str, graph: (Tensor<1>, &Relation), fused: (f64, Vec<LayerWeights>)) {
        let (loss, net) = graph;
        let expected = block_on(net.layer_grads(&loss.clone().backward())).unwrap();
        let loss = block_on(read_vec(loss)).unwrap()[0] as f64;
        assert!((loss - fused.0).abs() <= 1e-5 * loss.abs().max(1.0), "{what}: loss {loss} (graph) vs {} (fused)", fused.0);
        for (l, (want, got)) in expected.iter().zip(&fused.1).enumerate() {
            for (name, w, g) in [("weight", &want.weight, &got.weight), ("bias", &want.bias, &got.bias)] {
                let largest = w.iter().fold(0.0f32, |m, a| m.max(a.abs()));
                assert!(largest > 0.0, "{what}: layer {l} {name} has a gradient");
                for (i, (a, b)) in w.iter().zip(g).enumerate() {
                    assert!((a - b).abs() <= 1e-4 * largest + 1e-7, "{what}: layer {l} {name}[{i}]: {a} (graph) vs {b} (fused)");
                }
            }
        }
    }

    #[test]
    fn the_fused_fit_has_the_graphs_loss_and_gradient() {
        let base = Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() };
        let torus = Config { manifold: ManifoldKind::Torus, ..base.clone() };
        let cases = [
            ("transversality, span, bounded, mid-ramp", base.clone(), Kept::Trained, 250, false),
            ("first relation (no frozen, no negatives)", base.clone(), Kept::Nothing, 10, false),
            ("first relation beside a hypersurface (sides)", torus.clone(), Kept::Nothing, 10, true),
            ("sides with the negatives' weight at 0: none", Config { negatives: 0.0, ..torus.clone() }, Kept::Nothing, 10, false),
            ("a hypersurface's second relation (no sides)", torus, Kept::Trained, 600, false),
            ("pairwise, paper scale", Config { independence: Independence::Pairwise, scale_term: ScaleTerm::Paper, ..base.clone() }, Kept::Random, 600, false),
            ("syzygy (no independence term)", Config { algorithm: Algorithm::Syzygy, ..base.clone() }, Kept::Trained, 600, false),
            ("negatives dominating", Config { negatives: 100.0, ..base.clone() }, Kept::Trained, 600, false),
            ("one hidden layer", Config { hidden: vec![12], ..base.clone() }, Kept::Trained, 600, false),
            ("three hidden layers", Config { hidden: vec![8, 12, 6], ..base }, Kept::Random, 600, false),
        ];
        for (what, config, kept, step, sides) in cases {
            let (mut session, job) = setup(config, kept, step);
            let batch = session.draw_fit_batch(false);
            assert_eq!(batch.off.is_some(), kept != Kept::Nothing, "{what}: negatives drawn once a relation is kept");
            assert_eq!(batch.sides.is_some(), sides, "{what}: sides drawn for g_1 beside a hypersurface");
            let graph = session.graph_fit_loss(&job, &batch, false);
            if let Some(off) = batch.off.as_ref().filter(|_| kept == Kept::Trained) {
                let frozen = session.off_frozen.host_rows(off).expect("on the CPU");
                let distance: Vec<f32> = off.iter().map(|&r| session.dataset.off_train.distances[r]).collect();
                let hinge = per_row::Negatives { frozen: &frozen, distance: &distance, data_scale: session.dataset.scale(), weight: 1.0, batch: off.len() };
                let (active, _) = fused::loss_and_gradient(&job.net.host_weights(), session.dataset.off_train.points.select(off).values(), 3, &hinge);
                assert!(active > 0.0, "{what}: the negatives' hinge is active at some rows");
            }
            if let Some(rows) = &batch.sides {
                let sides = session.sides.as_ref().expect("sides drawn from them");
                let offsets: Vec<f32> = rows.iter().map(|&r| sides.host.offsets[r]).collect();
                let hinge = per_row::Sides { offsets: &offsets, weight: 1.0, batch: rows.len() };
                let (active, _) = fused::loss_and_gradient(&job.net.host_weights(), sides.host.points.select(rows).values(), 3, &hinge);
                assert!(active > 0.0, "{what}: the sides' hinge is active at some rows");
            }
            assert_same(what, (graph, &job.net), session.fused_fit(&job, &batch));
        }
        // Syzygy's conditioning phase has transversality's term, in both steps alike.
        let syzygy = Config { samples: 512, batch: 200, hidden: vec![16, 8], algorithm: Algorithm::Syzygy, ..Config::default() };
        let (mut session, mut job) = setup(syzygy, Kept::Trained, 250);
        let batch = session.draw_fit_batch(false);
        let fit = block_on(read_vec(session.graph_fit_loss(&job, &batch, false))).unwrap()[0];
        job.phase = Phase::Condition;
        let conditioning = session.graph_fit_loss(&job, &batch, false);
        let with_term = block_on(read_vec(conditioning.clone())).unwrap()[0];
        assert!(with_term > fit + 1e-3, "the independence term is on: {with_term} vs {fit} without it");
        assert_same("syzygy, conditioning", (conditioning, &job.net), session.fused_fit(&job, &batch));
    }

    #[test]
    fn pruning_adds_the_stray_landings_hinge_in_both_steps_alike() {
        let config = Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() };
        let (mut session, mut job) = setup(config, Kept::Trained, 600);
        // Landings on the joint zero set of the kept relation and the job's: the hinge is
        // active there, since both vanish and the points lie off the data.
        let relations = [session.kept[0].clone(), job.net.valid()];
        let how = crate::core::metrics::Projection { points: 40, iterations: 20, seed: 5 };
        let (landings, _) = block_on(crate::core::metrics::intersection_points(&relations, &session.dataset, how, &Device::flex())).unwrap();
        assert!(!landings.is_empty(), "some points land");
        let strays = session.strays(&landings);
        let before = session.kept[0].clone();
        session.pruning = Some(super::super::prune::StrayPruning::new(1, before, strays, landings.len()));
        job.phase = Phase::Prune;
        let batch = session.draw_fit_batch(false);
        let without = FitBatch { on: batch.on.clone(), off: batch.off.clone(), sides: batch.sides.clone(), strays: None };
        assert!(batch.strays.is_some(), "the strays are drawn while pruning");
        let fit = block_on(read_vec(session.graph_fit_loss(&job, &without, false))).unwrap()[0];
        let pruning = session.graph_fit_loss(&job, &batch, false);
        let with_strays = block_on(read_vec(pruning.clone())).unwrap()[0];
        assert!(with_strays > fit + 1e-4, "the strays' hinge adds to the loss: {with_strays} vs {fit}");
        assert_same("pruning", (pruning, &job.net), session.fused_fit(&job, &batch));
    }

    #[test]
    fn the_fused_warm_start_has_the_graphs_loss_and_gradient() {
        let (mut session, job) = setup(Config { samples: 512, batch: 200, ..Config::default() }, Kept::Nothing, 0);
        let on = session.draw(session.dataset.train.len());
        let off = session.draw(session.dataset.off_train.points.len());
        let graph = session.graph_warm_loss(&job, &on, &off);
        assert_same("warm start", (graph, &job.net), session.fused_warm(&job, &on, &off));
    }

    #[test]
    fn fused_steps_are_taken_on_the_cpu_for_tanh_networks_only() {
        let session = |config: Config| Session::new(config.clone(), Dataset::synthetic(&config), &Device::flex());
        assert!(session(Config::default()).fused);
        assert!(!session(Config { activation: Activation::Sin, ..Config::default() }).fused);
        assert!(!session(Config { hidden: Vec::new(), ..Config::default() }).fused);
    }
}
