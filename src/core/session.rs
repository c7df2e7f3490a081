//! A steppable AML run: learn g_1, g_2, ... one after another. `work(budget)` does at most
//! `budget` optimiser steps and returns, so a page can yield to the browser between calls
//! and a CLI can draw a progress bar. All device reads are async (WebGPU needs that).

use super::config::{Algorithm, Config, Init, Stopping};
use super::dataset::Dataset;
use super::loss::{FrozenTable, independence, negatives, row_norm, vanishing};
use super::metrics::{self, Fidelity, RelationMetrics};
use super::relation::{LayerWeights, NetSpec, Relation, read_vec};
use super::rng::Rng;
use super::syzygy::{self, Adversary, DEPENDENT_BELOW};
use burn::module::Module;
use serde::{Deserialize, Serialize};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor, TensorData};

/// How many push-away rounds a dependent relation gets before the verdict stands.
pub const SYZYGY_ROUNDS: usize = 3;
/// Optimiser steps for each fit of the adversary.
const ADVERSARY_STEPS: usize = 400;
const ADVERSARY_LR: f64 = 3e-3;
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
/// With early stopping, a fitting relation is measured on held-out points this often ...
const CHECK_EVERY: usize = 50;
/// ... and judged from this many fitting steps on (the fit needs some steps to settle).
const CHECK_FROM: usize = 200;
/// Its fit has stopped improving when the best held-out residual of the last STALL_STEPS
/// steps is within STALL_GAIN of the best before them.
const STALL_STEPS: usize = 150;
const STALL_GAIN: f64 = 0.1;
/// Done early only with this margin over each keep threshold ...
const KEEP_MARGIN: f64 = 2.0;
/// ... and with the mean |g|/‖∇g‖ (first-order distance to g's zero set) on held-out
/// points at most this share of the fidelity tolerance, in units of the data's scale.
const DONE_RESIDUAL: f64 = 0.2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    /// Vanishes on the data and is independent of the earlier relations: kept.
    Independent,
    /// No new relation: it does not vanish, or it is implied by the earlier ones; `test`
    /// says which test decided, `why` what it measured.
    Dependent { test: Test, why: String },
    /// The loss became NaN or infinite; the relation was dropped.
    Diverged,
    /// Read from a relations file and kept as it was trained.
    Imported,
}

impl Verdict {
    pub fn is_kept(&self) -> bool {
        matches!(self, Verdict::Independent | Verdict::Imported)
    }

    /// What a person reads: "independent: kept", "not kept: <why>", ...
    pub fn describe(&self) -> String {
        match self {
            Verdict::Independent => "independent: kept".into(),
            Verdict::Dependent { test, why } => format!("not kept, decided by the {}: {why}", test.label()),
            Verdict::Diverged => "diverged (NaN/Inf loss): dropped".into(),
            Verdict::Imported => "imported: kept".into(),
        }
    }
}

/// The tests a relation must pass to be kept, in the order they are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    /// It vanishes on the data: small there, larger off it and just off it.
    Vanishing,
    /// The syzygy adversary could not rebuild it from the earlier relations (Eq. 3).
    Adversary,
    /// Its gradient is not in the span of the earlier ones (a measured rank test).
    Rank,
}

impl Test {
    pub fn label(self) -> &'static str {
        match self {
            Test::Vanishing => "vanishing test",
            Test::Adversary => "syzygy adversary",
            Test::Rank => "rank test",
        }
    }
}

/// Why a relation's training ended (`of`: the `steps` cap).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Stop {
    /// Its fit met every keep test with margin on held-out points, lies close to its
    /// zero set there, and stopped improving.
    Done { step: usize, of: usize },
    /// Its fit stayed far from vanishing on the data and stopped improving.
    CannotVanish { step: usize, of: usize },
    /// It ran all its steps.
    Cap { of: usize },
    /// Its loss became NaN or infinite.
    Diverged,
    /// It was read from a relations file.
    Imported,
}

impl Stop {
    /// What a person reads: "fit done at step 450 of at most 1500: …", ...
    pub fn describe(self) -> String {
        match self {
            Stop::Done { step, of } => format!("fit stopped at step {step} of at most {of}: keep tests met, fit tight, no longer improving"),
            Stop::CannotVanish { step, of } => format!("stopped at step {step} of at most {of}: far from vanishing, no longer improving"),
            Stop::Cap { of } => format!("ran all {of} steps"),
            Stop::Diverged => "loss became NaN or infinite".into(),
            Stop::Imported => "imported".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RelationReport {
    pub index: usize,
    pub verdict: Verdict,
    pub stop: Stop,
    /// Optimiser steps this relation took, all phases together.
    pub steps: usize,
    pub metrics: RelationMetrics,
    /// Held-out relative error of the last syzygy adversary (syzygy algorithm only).
    pub syzygy_error: Option<f64>,
    pub weights: Vec<LayerWeights>,
    /// Fidelity of the intersection of all kept relations, after this one.
    pub fidelity: Option<Fidelity>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Phase {
    /// Fitting g_k to a sphere around the data before it learns (init=sphere).
    Warm,
    /// Training g_k to vanish on the data.
    Fit,
    /// Training the syzygy adversary f to rebuild g_k.
    Adversary { round: usize },
    /// Pushing g_k away from the frozen adversary.
    Push { round: usize },
}

impl Phase {
    pub fn label(self) -> String {
        match self {
            Phase::Warm => "warm start".into(),
            Phase::Fit => "fit".into(),
            Phase::Adversary { round } => format!("syzygy test {}", round + 1),
            Phase::Push { round } => format!("push away {}", round + 1),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    pub relation: usize,
    pub step: usize,
    pub phase: Phase,
    pub loss: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `loss`: the last step's loss; None at the start of a phase, before any step.
    Progress { relation: usize, phase: Phase, step: usize, of: usize, loss: Option<f64> },
    RelationFinished { relation: usize },
    Finished,
}

struct Job {
    net: Relation,
    optim: ModuleOptimizer,
    phase: Phase,
    step: usize,
    adversary: Option<(Adversary, ModuleOptimizer)>,
    /// g_k frozen for the adversary phase (it does not change while f trains).
    frozen_target: Option<Relation>,
    /// RMS of each kept relation and of g_k on the near-manifold training points.
    rms: Vec<f64>,
    syzygy_error: Option<f64>,
    /// (fit step, held-out residual) at each early-stopping check.
    checks: Vec<(usize, f64)>,
    stop: Option<Stop>,
    steps: usize,
}

pub struct Session {
    config: Config,
    dataset: Dataset,
    device: Device,
    rng: Rng,
    kept: Vec<Relation>,
    reports: Vec<RelationReport>,
    history: Vec<LossPoint>,
    job: Option<Job>,
    finished: bool,
    total_steps: usize,
    // The training sets, uploaded once.
    on_train: Tensor<2>,
    off_train: Tensor<2>,
    off_train_distance: Tensor<2>,
    /// Which rows of off_train are near the data (the adversary's points).
    near_rows: Vec<usize>,
    /// What the kept relations say at every training point, redone when one is kept.
    on_frozen: FrozenTable,
    off_frozen: FrozenTable,
    /// The training data's centroid as [1, N], for the warm start's sphere.
    centroid: Tensor<2>,
}

impl Session {
    /// `device` is any burn device; autodiff is switched on here.
    pub fn new(config: Config, dataset: Dataset, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let on_train = dataset.train.to_tensor(&device);
        let off_train = dataset.off_train.points.to_tensor(&device);
        let off_train_distance = Tensor::from_data(
            TensorData::new(dataset.off_train.distances.clone(), [dataset.off_train.distances.len(), 1]),
            &device,
        );
        let near_rows = dataset.off_train.near_rows();
        let on_frozen = FrozenTable::new(&[], on_train.clone().inner());
        let off_frozen = FrozenTable::new(&[], off_train.clone().inner());
        let centroid: Vec<f32> = dataset.train.centroid().into_iter().map(|v| v as f32).collect();
        let centroid = Tensor::from_data(TensorData::new(centroid, [1, dataset.dim()]), &device);
        Self {
            near_rows,
            on_frozen,
            off_frozen,
            centroid,
            rng: Rng::new(config.seed).fork(3),
            config,
            dataset,
            device,
            kept: Vec::new(),
            reports: Vec::new(),
            history: Vec::new(),
            job: None,
            finished: false,
            total_steps: 0,
            on_train,
            off_train,
            off_train_distance,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    pub fn reports(&self) -> &[RelationReport] {
        &self.reports
    }

    pub fn history(&self) -> &[LossPoint] {
        &self.history
    }

    /// The kept (independent) relations, frozen.
    pub fn kept(&self) -> &[Relation] {
        &self.kept
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Estimated manifold dimension: N minus the number of kept relations.
    pub fn estimated_dimension(&self) -> usize {
        self.dataset.dim() - self.kept.len()
    }

    /// The relation being trained now, if any, with its phase.
    pub fn current(&self) -> Option<(usize, Phase, &Relation)> {
        self.job.as_ref().map(|j| (self.reports.len(), j.phase, &j.net))
    }

    /// Metrics of the relation in training, as it is now (None between relations): what
    /// the page charts while a relation learns.
    pub async fn probe_current(&self) -> Result<Option<RelationMetrics>, String> {
        let Some(job) = &self.job else { return Ok(None) };
        let net = job.net.valid();
        metrics::relation_metrics(&net, &self.kept, &self.dataset, &self.device.clone().inner()).await.map(Some)
    }

    /// Adds an already trained relation as kept, without a report (for benchmarks).
    pub fn keep(&mut self, relation: Relation) {
        self.kept.push(relation.valid());
        self.refresh_frozen();
    }

    /// Re-evaluates the kept relations at every training point (after `kept` changed).
    fn refresh_frozen(&mut self) {
        self.on_frozen = FrozenTable::new(&self.kept, self.on_train.clone().inner());
        self.off_frozen = FrozenTable::new(&self.kept, self.off_train.clone().inner());
    }

    /// A run picked up again on `device` from what survives outside it (after a lost
    /// GPU): the kept relations rebuilt from the weights in their reports (host copies),
    /// reports and loss history as they were. The relation that was in training starts over.
    pub fn resume(config: Config, dataset: Dataset, device: &Device, reports: Vec<RelationReport>, history: Vec<LossPoint>) -> Session {
        let mut s = Session::new(config, dataset, device);
        s.kept = reports.iter().filter(|r| r.verdict.is_kept()).map(|r| Relation::from_weights(&r.weights, s.config.activation, device)).collect();
        s.refresh_frozen();
        s.total_steps = history.last().map_or(0, |p| p.step);
        s.reports = reports;
        s.history = history;
        s.finished = s.is_over();
        s
    }

    /// Takes trained relations (from a relations file) as g_1, g_2, ... of this run, each
    /// measured on this run's data like a freshly trained one; training then goes on
    /// with the next relation. Call before any training.
    pub async fn import(&mut self, relations: Vec<Relation>) -> Result<(), String> {
        if !self.reports.is_empty() || self.job.is_some() {
            return Err("relations can only be imported into a fresh run".into());
        }
        let device = self.device.clone().inner();
        for net in relations {
            if net.input_dim() != self.dataset.dim() {
                return Err(format!("the relations take {} coordinates but the data has {}", net.input_dim(), self.dataset.dim()));
            }
            let metrics = metrics::relation_metrics(&net, &self.kept, &self.dataset, &device).await?;
            let weights = net.weights().await?;
            self.kept.push(net);
            self.refresh_frozen();
            let fidelity = metrics::intersection_fidelity(&self.kept, &self.dataset, self.config.seed, &device).await?;
            let index = self.reports.len();
            self.reports.push(RelationReport { index, verdict: Verdict::Imported, stop: Stop::Imported, steps: 0, metrics, syzygy_error: None, weights, fidelity });
        }
        if let Some(cap) = &mut self.config.max_relations {
            *cap = (*cap).max(self.reports.len() + 1);
        }
        self.finished = self.is_over();
        Ok(())
    }

    /// Lets a finished run look for one more relation ("add relation").
    pub fn allow_more(&mut self) {
        self.config.max_relations = Some(self.reports.len() + 1);
        self.finished = false;
    }

    /// Stops the run after the relations finished so far.
    pub fn stop(&mut self) {
        self.job = None;
        self.finished = true;
    }

    /// Does at most `budget` optimiser steps of the current phase, then reports.
    pub async fn work(&mut self, budget: usize) -> Result<Event, String> {
        self.work_while(budget, || true).await
    }

    /// Like [`Session::work`], but after each step (the first always runs) `more()` may
    /// end the chunk early: a page's time slice. The loss is still read once, at the end.
    pub async fn work_while(&mut self, budget: usize, mut more: impl FnMut() -> bool) -> Result<Event, String> {
        if self.finished {
            return Ok(Event::Finished);
        }
        if self.job.is_none() {
            self.job = Some(self.new_job());
        }
        let mut job = self.job.take().expect("set above");
        let of = self.phase_length(job.phase);
        let checking = job.phase == Phase::Fit && self.config.stopping == Stopping::Early;
        // A chunk ends at each check, so checks fall on the same steps however the caller
        // chunks the work (the page slices by time): the same link stops at the same step.
        let to_check = if checking { CHECK_EVERY - job.step % CHECK_EVERY } else { usize::MAX };
        let most = budget.max(1).min(of - job.step).min(to_check);
        let before = job.step;
        let mut last = None;
        let mut n = 0;
        while n < most && (n == 0 || more()) {
            last = Some(self.train_step(&mut job));
            n += 1;
        }
        job.steps += n;
        self.total_steps += n;
        let loss = read_vec(last.expect("n ≥ 1").inner()).await?[0] as f64;
        let relation = self.reports.len();
        self.history.push(LossPoint { relation, step: self.total_steps, phase: job.phase, loss });
        if !loss.is_finite() {
            return self.finish_relation(job, Some(Verdict::Diverged)).await;
        }
        let checked = checking && before / CHECK_EVERY != job.step / CHECK_EVERY;
        if job.step < of && checked && let Some(stop) = self.check_fit(&mut job).await? {
            job.stop = Some(stop);
            return match stop {
                Stop::CannotVanish { .. } => self.finish_relation(job, None).await,
                _ => self.next_phase(job).await,
            };
        }
        if job.step < of {
            let event = Event::Progress { relation, phase: job.phase, step: job.step, of, loss: Some(loss) };
            self.job = Some(job);
            return Ok(event);
        }
        self.next_phase(job).await
    }

    /// Runs to the end, calling `progress` after each chunk of `chunk` steps.
    pub async fn run(&mut self, chunk: usize, mut progress: impl FnMut(&Session, &Event)) -> Result<(), String> {
        loop {
            let event = self.work(chunk).await?;
            progress(self, &event);
            if event == Event::Finished {
                return Ok(());
            }
        }
    }

    /// Early stopping: measures the fitting relation on held-out points and says whether
    /// its fit is over. Both outcomes need the fit to have stopped improving, so a slow
    /// but steady relation keeps its steps.
    async fn check_fit(&self, job: &mut Job) -> Result<Option<Stop>, String> {
        if job.step < CHECK_FROM {
            return Ok(None);
        }
        let m = metrics::relation_metrics(&job.net.valid(), &self.kept, &self.dataset, &self.device.clone().inner()).await?;
        job.checks.push((job.step, m.on_residual));
        let best = |range: &mut dyn Iterator<Item = &(usize, f64)>| range.map(|c| c.1).fold(f64::INFINITY, f64::min);
        let recent = best(&mut job.checks.iter().filter(|c| c.0 + STALL_STEPS > job.step));
        let earlier = best(&mut job.checks.iter().filter(|c| c.0 + STALL_STEPS <= job.step));
        let stalled = earlier.is_finite() && !(recent < earlier * (1.0 - STALL_GAIN));
        if !stalled {
            return Ok(None);
        }
        // Meeting the keep tests is not enough for a tight joint zero set: the held-out
        // points must also lie well within the fidelity tolerance of g's zero set (syzygy's
        // g2 on the ellipse passed the tests at residual 0.019 and its intersection
        // fidelity was 75%; trained on, 95% and more).
        let tight = m.on_residual <= DONE_RESIDUAL * metrics::FIDELITY_TOLERANCE * self.dataset.scale();
        let clearly_kept = tight
            && m.ratio >= KEEP_MARGIN * metrics::RATIO_MIN
            && m.near_ratio >= KEEP_MARGIN * metrics::NEAR_RATIO_MIN
            && (self.kept.is_empty() || m.sin_span >= KEEP_MARGIN * metrics::SIN_MIN);
        let cannot_vanish = m.ratio < metrics::RATIO_MIN / KEEP_MARGIN || m.near_ratio < metrics::NEAR_RATIO_MIN / KEEP_MARGIN.sqrt();
        Ok(if clearly_kept {
            Some(Stop::Done { step: job.step, of: self.config.steps })
        } else if cannot_vanish {
            Some(Stop::CannotVanish { step: job.step, of: self.config.steps })
        } else {
            None
        })
    }

    fn new_job(&mut self) -> Job {
        let spec = NetSpec {
            input: self.dataset.dim(),
            hidden: self.config.hidden.clone(),
            activation: self.config.activation,
        };
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

    fn phase_length(&self, phase: Phase) -> usize {
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

    fn index(&self, rows: Vec<i64>) -> Tensor<1, Int> {
        let len = rows.len();
        Tensor::from_data(TensorData::new(rows, [len]), &self.device)
    }

    /// One optimiser step of the current phase; returns its (unread) loss.
    fn train_step(&mut self, job: &mut Job) -> Tensor<1> {
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
    fn normalised_terms(&self, values: &[Tensor<2>], rms: &[f64]) -> Tensor<2> {
        let cols: Vec<Tensor<2>> = values.iter().zip(rms).map(|(g, r)| g.clone().div_scalar(*r)).collect();
        Tensor::cat(cols, 1)
    }

    async fn next_phase(&mut self, mut job: Job) -> Result<Event, String> {
        let relation = self.reports.len();
        let syzygy = self.config.algorithm == Algorithm::Syzygy && !self.kept.is_empty();
        let next = match job.phase {
            Phase::Warm => Some(Phase::Fit),
            Phase::Fit if syzygy => Some(Phase::Adversary { round: 0 }),
            Phase::Fit => None,
            Phase::Adversary { round } => {
                let error = self.adversary_error(&job).await?;
                job.syzygy_error = Some(error);
                (error < DEPENDENT_BELOW && round + 1 < SYZYGY_ROUNDS).then_some(Phase::Push { round })
            }
            Phase::Push { round } => Some(Phase::Adversary { round: round + 1 }),
        };
        let Some(phase) = next else {
            return self.finish_relation(job, None).await;
        };
        if let Phase::Adversary { round } = phase {
            // A fresh adversary each round: the test is whether *some* f succeeds.
            let near = self.index(self.near_rows.iter().map(|&r| r as i64).collect());
            let off = self.off_train.clone().select(0, near).inner();
            let frozen = job.net.valid();
            let mut values = frozen_values(&self.kept, off.clone());
            values.push(frozen.value(off));
            job.frozen_target = Some(frozen);
            job.rms = Vec::with_capacity(values.len());
            for v in values {
                let mean_sq = read_vec(v.square().mean()).await?[0] as f64;
                job.rms.push(mean_sq.sqrt().max(1e-12));
            }
            let mut rng = Rng::new(self.config.seed).fork(1000 + 10 * relation as u64 + round as u64);
            let adversary = Adversary::init(self.dataset.dim(), self.kept.len(), &[32, 32], &mut rng, &self.device);
            job.adversary = Some((adversary, AdamConfig::new().with_epsilon(1e-8).init()));
        }
        job.phase = phase;
        job.step = 0;
        let event = Event::Progress { relation, phase, step: 0, of: self.phase_length(phase), loss: None };
        self.job = Some(job);
        Ok(event)
    }

    /// Held-out relative error of the adversary on the near-manifold test points.
    async fn adversary_error(&self, job: &Job) -> Result<f64, String> {
        let (adversary, _) = job.adversary.as_ref().expect("adversary phase has one");
        let x = self.dataset.off_test.near().to_tensor(&self.device.clone().inner());
        let frozen = job.frozen_target.as_ref().expect("adversary phase has one");
        let target = frozen.value(x.clone()).div_scalar(*job.rms.last().expect("rms measured"));
        let terms = self.normalised_terms(&frozen_values(&self.kept, x.clone()), &job.rms);
        let prediction = adversary.valid().forward(x, terms);
        Ok(read_vec(syzygy::relative_error(prediction, target)).await?[0] as f64)
    }

    async fn finish_relation(&mut self, job: Job, forced: Option<Verdict>) -> Result<Event, String> {
        let relation = self.reports.len();
        let net = job.net.valid();
        let metrics = metrics::relation_metrics(&net, &self.kept, &self.dataset, &self.device.clone().inner()).await?;
        let stop = if forced == Some(Verdict::Diverged) { Stop::Diverged } else { job.stop.unwrap_or(Stop::Cap { of: self.config.steps }) };
        let verdict = forced.unwrap_or_else(|| metrics::verdict(&metrics, job.syzygy_error, !self.kept.is_empty()));
        let weights = net.weights().await?;
        let mut fidelity = None;
        if verdict == Verdict::Independent {
            self.kept.push(net);
            self.refresh_frozen();
            fidelity = metrics::intersection_fidelity(&self.kept, &self.dataset, self.config.seed, &self.device.clone().inner()).await?;
        }
        self.reports.push(RelationReport { index: relation, verdict, stop, steps: job.steps, metrics, syzygy_error: job.syzygy_error, weights, fidelity });
        self.finished = self.is_over();
        Ok(Event::RelationFinished { relation })
    }

    /// How many relations this run tries at most: the configured cap, else N − 1 (a
    /// manifold of dimension 0 is a finite set of points, not something to learn).
    pub fn relation_limit(&self) -> usize {
        let n = self.dataset.dim();
        self.config.max_relations.unwrap_or(n.saturating_sub(1).max(1)).min(n)
    }

    /// When a run stops: the last relation was not kept, or the relation limit is reached.
    fn is_over(&self) -> bool {
        self.reports.last().is_some_and(|r| !r.verdict.is_kept()) || self.reports.len() >= self.relation_limit()
    }

    /// What the run found, and whether a rejection or the relation limit ended it.
    pub fn conclusion(&self) -> Conclusion {
        let rejected = self.reports.last().is_some_and(|r| !r.verdict.is_kept());
        Conclusion {
            kept: self.kept.len(),
            ambient: self.dataset.dim(),
            dimension: self.estimated_dimension(),
            // N − 1 relations leave a curve: dimension 0 (a finite set) is not looked for,
            // so only a lower limit leaves the dimension open.
            at_limit: self.finished && !rejected && self.reports.len() >= self.relation_limit() && self.kept.len() + 1 < self.dataset.dim(),
        }
    }
}

/// The outcome of a run as a person reads it (page, CLI and relations file alike).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    pub kept: usize,
    pub ambient: usize,
    /// N minus the kept relations: the dimension, or (at_limit) an upper bound on it.
    pub dimension: usize,
    /// The relation limit, not a rejected relation, ended the run: more relations may hold.
    pub at_limit: bool,
}

impl Conclusion {
    fn relations(&self) -> String {
        match self.kept {
            1 => "1 relation".into(),
            k => format!("{k} relations"),
        }
    }

    /// The page's one line: "Estimated dimension: 1 (in R^3)", or "Dimension at most 3
    /// (in R^6): stopped at the relation limit".
    pub fn headline(&self) -> String {
        let (d, n) = (self.dimension, self.ambient);
        match self.at_limit {
            true => format!("Dimension at most {d} (in R^{n}): stopped at the relation limit ({})", self.relations()),
            false => format!("Estimated dimension: {d} (in R^{n})"),
        }
    }

    /// "estimated dimension 1 in R^3", or "stopped at the relation limit: the dimension
    /// is at most 3 in R^6".
    pub fn describe(&self) -> String {
        let (d, n) = (self.dimension, self.ambient);
        if self.at_limit {
            format!("stopped at the relation limit ({}): the dimension is at most {d} in R^{n}", self.relations())
        } else {
            format!("estimated dimension {d} in R^{n}")
        }
    }
}

/// Learning-rate factor at `step` of `of`: cosine from 1 down to 5%, for precise fits.
fn cosine_decay(step: usize, of: usize) -> f64 {
    let t = step as f64 / of.max(1) as f64;
    0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * t).cos())
}

/// g_j(x) of each frozen relation, as [n, 1] each.
fn frozen_values(kept: &[Relation], x: Tensor<2>) -> Vec<Tensor<2>> {
    kept.iter().map(|r| r.value(x.clone())).collect()
}
