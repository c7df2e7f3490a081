//! A relation's end and the run's: the verdict on a relation against the relations kept
//! before it, what the run records of it, and when the run is over.

use super::{Job, Session};
use crate::core::error::DeviceError;
use crate::core::metrics;
use crate::core::phase::Phase;
use crate::core::report::{Conclusion, Event, RelationReport, Stop};
use crate::core::verdict::{self, Earlier, Verdict};
use burn::module::Module;

impl Session {
    /// The relations kept so far, as a new relation's keep tests compare it with them:
    /// the loosest of those learned (their reports) and imported (their transfers; with
    /// import=tune they have no report until trained). During pruning the loosest counts
    /// the pruned relation as it stood, so pruning is never judged against itself.
    pub(super) fn earlier(&self) -> Earlier {
        let learned = self.reports.iter().filter(|r| r.verdict.is_kept()).map(|r| &r.metrics);
        let imported = self.transfers.iter().filter(|t| t.kept).map(|t| &t.metrics);
        let loosest = learned.chain(imported).map(|m| m.on_residual).fold(0.0, f64::max);
        Earlier { count: self.kept.len(), loosest, tolerance: metrics::FIDELITY_TOLERANCE * self.dataset.scale() }
    }

    /// A relation's training is over (or `forced`, diverged): its verdict against the
    /// relations kept before it, kept or not, and its report; a retry where the verdict
    /// calls for one, and pruning once the run has its last relation.
    pub(super) async fn finish_relation(&mut self, job: Job, forced: Option<Verdict>) -> Result<Event, DeviceError> {
        let relation = self.reports.len();
        let diverged = forced == Some(Verdict::Diverged);
        let net = job.net.valid();
        let metrics = self.measure(&net).await?;
        let stop = if diverged { Stop::Diverged } else { job.stop.unwrap_or(Stop::Cap { of: self.fit_length(&job) }) };
        let conditioned = job.phase == Phase::Condition;
        let verdict = forced.unwrap_or_else(|| verdict::verdict(&metrics, job.syzygy_error, &self.earlier(), conditioned));
        if let Some(again) = self.train_again(&job, &verdict) {
            return Ok(again);
        }
        let weights = net.weights().await?;
        let mut fidelity = None;
        if verdict == Verdict::Independent {
            self.kept.push(net);
            self.refresh_frozen();
            fidelity = metrics::intersection_fidelity(&self.kept, &self.dataset, self.config.seed, &self.device.clone().inner()).await?;
        }
        let report = RelationReport {
            index: relation,
            verdict,
            stop,
            steps: job.steps,
            metrics,
            syzygy_error: job.syzygy_error,
            weights,
            fidelity,
            conditioned: conditioned.then_some(job.step),
            // (A conditioning's extensions are among the steps it trained to be transverse.)
            extended: (job.phase == Phase::Fit && job.extensions > 0).then(|| job.extensions * self.extension()),
            pruned: None,
            retried: job.retried.clone(),
            transfer: job.transfer.clone(),
        };
        self.reports.push(report);
        self.finished = self.is_over();
        // A run with its last relation prunes stray pieces before it ends (not after a
        // divergence, which puts the learning rate in question).
        if self.finished && !diverged {
            self.begin_pruning().await?;
        }
        Ok(Event::RelationFinished { relation })
    }

    /// How many relations this run tries at most: the configured cap, else N − 1 (a
    /// manifold of dimension 0 is a finite set of points, not something to learn).
    pub fn relation_limit(&self) -> usize {
        let n = self.dataset.dim();
        self.config.max_relations.unwrap_or(n.saturating_sub(1).max(1)).min(n)
    }

    /// When a run stops: the last relation was not kept, or the relation limit is reached.
    pub(super) fn is_over(&self) -> bool {
        self.reports.last().is_some_and(|r| !r.verdict.is_kept()) || self.reports.len() >= self.relation_limit()
    }

    /// What the run found, and whether a rejection or the relation limit ended it.
    pub fn conclusion(&self) -> Conclusion {
        let rejected = self.reports.last().is_some_and(|r| !r.verdict.is_kept());
        Conclusion {
            kept: self.kept_count(),
            ambient: self.dataset.dim(),
            dimension: self.estimated_dimension(),
            // N − 1 relations leave a curve: dimension 0 (a finite set) is not looked for,
            // so only a lower limit leaves the dimension open.
            at_limit: self.finished && !rejected && self.reports.len() >= self.relation_limit() && self.kept_count() + 1 < self.dataset.dim(),
        }
    }
}
