//! A steppable AML run: learn g_1, g_2, ... one after another. `work(budget)` does at most
//! `budget` optimiser steps and returns, so a page can yield to the browser between calls
//! and a CLI can draw a progress bar. All device reads are async (WebGPU needs that).

mod adversary;
mod early_stop;
mod judging;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod kernel_steps;
mod kernels;
mod prune;
mod retry;
mod sets;
mod steps;
mod transfer;
mod walk;

use super::config::{Algorithm, Config, Stopping};
use super::dataset::Dataset;
use super::gpu::{self, KernelTrainer};
use super::metrics::{self, RelationMetrics};
use super::phase::{Phase, SYZYGY_ROUNDS};
use super::relation::{Activation, Relation};
use super::report::{Event, LossPoint, RelationReport, Retried, Stop};
use super::rng::Rng;
use super::syzygy::{Adversary, DEPENDENT_BELOW};
use super::transfer::Transfer;
use super::verdict::Verdict;
use crate::core::error::DeviceError;
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;
use early_stop::CHECK_EVERY;
use sets::TrainingSets;

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
    /// (step, held-out residual) at each early-stopping check of this phase.
    checks: Vec<(usize, f64)>,
    stop: Option<Stop>,
    steps: usize,
    /// How often the phase's steps ran out while it was still loose or improving, and it
    /// was given more (stop=tighten, stop=patient): its schedule is `steps` +
    /// `extensions` · `extension()` long.
    extensions: usize,
    /// The imported relation this job trains on (import=tune), as it was judged.
    transfer: Option<Transfer>,
    /// `net` on the GPU as the step kernels train it (`core::gpu`), with Adam's moments;
    /// None off the GPU, in a phase with a graph-only term, and between such phases.
    trainer: Option<KernelTrainer>,
    /// The warm-started fit that was not kept, when this job trains it again (`retry`).
    retried: Option<Retried>,
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
    /// The points it trains on, on the host and the device.
    sets: TrainingSets,
    /// Warm and fitting steps by the fused host computation (`core::fused`) instead of a
    /// burn graph: on the CPU backend, for tanh networks with a hidden layer.
    fused: bool,
    /// The GPU's client, where fitting steps run as the project's kernels (`core::gpu`):
    /// on a GPU backend, for tanh networks with a hidden layer.
    kernels: Option<cubecl::client::Client>,
    /// The last kept relation in training against stray pieces, at the end of the run.
    pruning: Option<prune::StrayPruning>,
    /// Every imported relation as it was judged on this run's data, kept or dropped.
    transfers: Vec<Transfer>,
    /// Imported relations kept under import=tune, waiting to train on from their weights.
    tuning: std::collections::VecDeque<(Vec<crate::core::relation::LayerWeights>, Transfer)>,
}

impl Session {
    /// `device` is any burn device; autodiff is switched on here.
    pub fn new(config: Config, dataset: Dataset, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let per_row = config.activation == Activation::Tanh && !config.hidden.is_empty();
        let fused = per_row && device.clone().inner() == Device::flex();
        Self {
            fused,
            kernels: if per_row && !fused && gpu::fits(dataset.dim(), &config.hidden) { gpu::client_of(&device) } else { None },
            sets: TrainingSets::new(&dataset, &config, &device),
            pruning: None,
            transfers: Vec::new(),
            tuning: std::collections::VecDeque::new(),
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
        self.dataset.dim() - self.kept_count()
    }

    /// How many relations are kept, the one being pruned among them (it is out of `kept`
    /// while it trains, but kept all the same: a round only replaces it or puts it back).
    fn kept_count(&self) -> usize {
        self.kept.len() + usize::from(self.pruning.is_some())
    }

    /// The relation being trained now, if any, with its phase.
    pub fn current(&self) -> Option<(usize, Phase, &Relation)> {
        self.job.as_ref().map(|j| (self.job_relation(), j.phase, &j.net))
    }

    /// Which relation the job trains: the next one, or the one being pruned.
    fn job_relation(&self) -> usize {
        self.pruning.as_ref().map_or(self.reports.len(), |p| p.report)
    }

    /// Metrics of the relation in training, as it is now (None between relations): what
    /// the page charts while a relation learns.
    pub async fn probe_current(&self) -> Result<Option<RelationMetrics>, DeviceError> {
        let Some(job) = &self.job else { return Ok(None) };
        self.measure(&job.net.valid()).await.map(Some)
    }

    /// A relation measured on held-out points against the kept relations (`metrics`).
    async fn measure(&self, net: &Relation) -> Result<RelationMetrics, DeviceError> {
        metrics::relation_metrics(net, &self.kept, &self.dataset, &self.device.clone().inner()).await
    }

    /// Whether g_k's fit goes on to the syzygy adversary, or is its last phase.
    fn adversary_follows_fit(&self) -> bool {
        self.config.algorithm == Algorithm::Syzygy && !self.kept.is_empty()
    }

    /// Takes every step through burn's autodiff graph, as off the CPU backend (for the
    /// benchmark's side-by-side figures and the tests that compare the two).
    pub fn use_graph_steps(&mut self) {
        self.fused = false;
        self.kernels = None;
    }

    /// Adds an already trained relation as kept, without a report (for benchmarks).
    pub fn keep(&mut self, relation: Relation) {
        self.kept.push(relation.valid());
        self.refresh_frozen();
    }

    /// Re-evaluates the kept relations at every training point (after `kept` changed).
    fn refresh_frozen(&mut self) {
        self.sets.refreeze(&self.kept);
    }

    /// Lets a finished run look for one more relation ("add relation").
    pub fn allow_more(&mut self) {
        self.config.max_relations = Some(self.reports.len() + 1);
        self.finished = false;
    }

    /// Stops the run after the relations finished so far.
    pub fn stop(&mut self) {
        self.abandon_pruning();
        self.job = None;
        self.finished = true;
    }

    /// Does at most `budget` optimiser steps of the current phase, then reports.
    pub async fn work(&mut self, budget: usize) -> Result<Event, DeviceError> {
        self.work_while(budget, || true).await
    }

    /// Like [`Session::work`], but after each step (the first always runs) `more()` may
    /// end the chunk early: a page's time slice. The loss is still read once, at the end.
    pub async fn work_while(&mut self, budget: usize, mut more: impl FnMut() -> bool) -> Result<Event, DeviceError> {
        if self.finished {
            return Ok(Event::Finished);
        }
        if self.job.is_none() {
            // A relation's sides within the kept zero set are made as its training starts,
            // from what is kept however it came: learned here, imported, or rebuilt after
            // a lost GPU.
            self.sides_within_kept().await?;
            self.job = Some(self.new_job());
        }
        let mut job = self.job.take().expect("set above");
        let of = self.length(&job);
        // Conditioning trains on like a fit, so it stops early like one.
        let checking = job.phase.checked_early() && self.config.stopping != Stopping::Steps;
        // A chunk ends at each check, so checks fall on the same steps however the caller
        // chunks the work (the page slices by time): the same link stops at the same step.
        let to_check = if checking { CHECK_EVERY - job.step % CHECK_EVERY } else { usize::MAX };
        let most = budget.max(1).min(of - job.step).min(to_check);
        let before = job.step;
        self.prepare_kernels(&mut job).await?;
        let mut last = None;
        let mut n = 0;
        while n < most && (n == 0 || more()) {
            last = self.train_step(&mut job);
            n += 1;
        }
        job.steps += n;
        self.total_steps += n;
        let loss = self.chunk_loss(&mut job, last).await?;
        let relation = self.job_relation();
        self.history.push(LossPoint { relation, step: self.total_steps, phase: job.phase, loss });
        if !loss.is_finite() {
            if job.phase == Phase::Prune {
                // A pruning round that diverges is undone; the run ends as it stood.
                self.abandon_pruning();
                self.finished = true;
                return Ok(Event::RelationFinished { relation });
            }
            return self.finish_relation(job, Some(Verdict::Diverged)).await;
        }
        let checked = checking && before / CHECK_EVERY != job.step / CHECK_EVERY;
        if job.step < of
            && checked
            && let Some(stop) = self.check_fit(&mut job).await?
        {
            // The report's stop says how the fit ended.
            if job.phase == Phase::Fit {
                job.stop = Some(stop);
            }
            return match stop {
                Stop::CannotVanish { .. } => self.finish_relation(job, None).await,
                _ => self.next_phase(job).await,
            };
        }
        if job.step == of && self.may_extend(&job) && self.worth_more(&job).await? {
            job.extensions += 1;
        }
        let of = self.length(&job);
        if job.step < of {
            let event = Event::Progress { relation, phase: job.phase, step: job.step, of, loss: Some(loss) };
            self.job = Some(job);
            return Ok(event);
        }
        self.next_phase(job).await
    }

    /// Runs to the end, calling `progress` after each chunk of `chunk` steps.
    pub async fn run(&mut self, chunk: usize, mut progress: impl FnMut(&Session, &Event)) -> Result<(), DeviceError> {
        loop {
            let event = self.work(chunk).await?;
            progress(self, &event);
            if event == Event::Finished {
                return Ok(());
            }
        }
    }

    async fn next_phase(&mut self, mut job: Job) -> Result<Event, DeviceError> {
        if job.phase == Phase::Prune {
            return self.end_pruning_round(job).await;
        }
        let relation = self.reports.len();
        let next = match job.phase {
            Phase::Warm | Phase::Loops => Some(Phase::Fit),
            Phase::Fit if self.adversary_follows_fit() => Some(Phase::Adversary { round: 0 }),
            Phase::Fit => None,
            Phase::Adversary { round } => {
                let error = self.adversary_error(&job).await?;
                job.syzygy_error = Some(error);
                if error < DEPENDENT_BELOW {
                    (round + 1 < SYZYGY_ROUNDS).then_some(Phase::Push { round })
                } else {
                    self.conditions(&job).await?.then_some(Phase::Condition)
                }
            }
            Phase::Push { round } => Some(Phase::Adversary { round: round + 1 }),
            // (A pruning round ends above.)
            Phase::Condition | Phase::Prune => None,
        };
        let Some(phase) = next else {
            return self.finish_relation(job, None).await;
        };
        if let Phase::Adversary { round } = phase {
            self.new_adversary(&mut job, relation, round).await?;
        }
        job.phase = phase;
        job.step = 0;
        job.extensions = 0;
        job.checks.clear();
        let event = Event::Progress { relation, phase, step: 0, of: phase.length(self.config.steps), loss: None };
        self.job = Some(job);
        Ok(event)
    }
}
