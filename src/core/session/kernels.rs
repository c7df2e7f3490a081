//! Steps on the GPU's kernels (`core::gpu`): before a chunk the trainer takes the network
//! and the sets' frozen tables come to the host; a step hands the kernels its rows; after
//! the chunk its one read brings back the last loss and the weights.

use super::{Job, Session};
use crate::core::error::DeviceError;
use crate::core::gpu::{KernelRows, KernelTrainer};
use crate::core::loss::Batch;
use crate::core::relation::{Relation, read_vec};
use burn::tensor::Tensor;

impl Session {
    /// Before a chunk of steps: where its phase's terms all have per-row forms and the
    /// kernels are on, the trainer holds the network (uploaded from `net` where it has not
    /// yet) and the sets' frozen tables are on the host for the rows; elsewhere the chunk
    /// runs as graphs and the trainer is let go (`net` is what the graph steps train).
    pub(super) async fn prepare_kernels(&mut self, job: &mut Job) -> Result<(), DeviceError> {
        let runs_on_kernels = self.kernels.is_some() && job.phase.trains_relation() && self.terms(job).iter().all(|t| t.has_fused_form());
        if !runs_on_kernels {
            job.trainer = None;
            return Ok(());
        }
        for set in self.sets.all_mut().chain(self.pruning.as_mut().map(|p| &mut p.strays)) {
            set.frozen.ensure_host().await?;
        }
        if job.trainer.is_none() {
            let client = self.kernels.clone().expect("checked above");
            job.trainer = Some(KernelTrainer::new(client, &job.net.weights().await?));
        }
        Ok(())
    }

    /// The batch's rows for the step kernels, term by term (`Term::kernel_rows`).
    pub(super) fn kernel_rows(&self, job: &Job, batch: &Batch) -> KernelRows {
        let mut rows = KernelRows::new(self.dataset.dim(), self.kept.len());
        for term in self.terms(job) {
            assert!(term.kernel_rows(batch, &mut rows), "a term with a per-row form has a kernel form");
        }
        rows
    }

    /// The chunk's loss: the last step's tensor, or on the kernels the chunk's one read,
    /// which also brings the trained weights back into `net`.
    pub(super) async fn chunk_loss(&self, job: &mut Job, last: Option<Tensor<1>>) -> Result<f64, DeviceError> {
        match (last, &job.trainer) {
            (Some(loss), _) => Ok(read_vec(loss.inner()).await?[0] as f64),
            (None, Some(trainer)) => {
                let (loss, weights) = trainer.read().await?;
                job.net = Relation::from_weights(&weights, self.config.activation, &self.device);
                Ok(loss)
            }
            (None, None) => unreachable!("a step without a loss tensor ran on the kernels"),
        }
    }
}
