//! Relations from elsewhere: taken from a relations file (judged on this run's data first)
//! or carried over from a run on another device (a lost GPU).

use super::Session;
use crate::core::config::Config;
use crate::core::dataset::Dataset;
use crate::core::error::ImportError;
use crate::core::export::RelationsFile;
use crate::core::metrics;
use crate::core::relation::Relation;
use crate::core::report::{LossPoint, RelationReport, Stop};
use crate::core::transfer::{ImportMode, Source, Transfer};
use crate::core::verdict::{self, Verdict};
use burn::tensor::Device;

impl Session {
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

    /// Takes relations learned elsewhere (a relations file's kept ones, in its order) into
    /// this fresh run: each is judged on this run's data by the keep tests a learned
    /// relation meets (it vanishes on held-out points; it is independent of those kept
    /// before it) and kept as g_1, g_2, … (frozen, or under import=tune trained on from
    /// its weights before the run learns anything new) or dropped. Training then looks for
    /// what is still missing. Returns how each fared.
    pub async fn import(&mut self, relations: Vec<Relation>, source: Source) -> Result<Vec<Transfer>, ImportError> {
        if !self.reports.is_empty() || self.job.is_some() || !self.transfers.is_empty() {
            return Err(ImportError::NotFresh);
        }
        if relations.is_empty() {
            return Err(ImportError::Nothing);
        }
        if let Some(net) = relations.iter().find(|r| r.input_dim() != self.dataset.dim()) {
            return Err(ImportError::Dimension { relations: net.input_dim(), data: self.dataset.dim() });
        }
        let tune = self.config.import_mode == ImportMode::Tune;
        let device = self.device.clone().inner();
        for (position, net) in relations.into_iter().enumerate() {
            let metrics = self.measure(&net).await?;
            let verdict = verdict::verdict(&metrics, None, &self.earlier(), false);
            let transfer = Transfer::judged(source.clone(), position, &verdict, metrics.clone(), tune);
            self.transfers.push(transfer.clone());
            if !transfer.kept {
                continue;
            }
            self.kept.push(net.clone());
            self.refresh_frozen();
            if tune {
                self.tuning.push_back((net.weights().await?, transfer));
                continue;
            }
            let fidelity = metrics::intersection_fidelity(&self.kept, &self.dataset, self.config.seed, &device).await?;
            let index = self.reports.len();
            self.reports.push(RelationReport {
                index,
                verdict: Verdict::Imported,
                stop: Stop::Imported,
                steps: 0,
                metrics,
                syzygy_error: None,
                weights: net.weights().await?,
                fidelity,
                conditioned: None,
                extended: None,
                pruned: None,
                retried: None,
                transfer: Some(transfer),
            });
        }
        if tune {
            // Judged together, each against the ones before it; trained one by one.
            self.kept.clear();
            self.refresh_frozen();
        }
        let kept = self.transfers.iter().filter(|t| t.kept).count();
        if let Some(cap) = &mut self.config.max_relations {
            *cap = (*cap).max(kept + 1);
        }
        self.finished = self.is_over();
        Ok(self.transfers.clone())
    }

    /// Takes the kept relations of a relations file, called `name`, into this fresh run
    /// (see [`Session::import`]), each rebuilt to read this run's working coordinates.
    pub async fn import_file(&mut self, file: &RelationsFile, name: &str) -> Result<Vec<Transfer>, ImportError> {
        let relations = file.kept_relations(&self.dataset.frame, &self.device.clone().inner());
        self.import(relations, Source { file: name.into(), config: file.config.clone() }).await
    }

    /// Every imported relation as it was judged on this run's data, kept or dropped.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }
}
