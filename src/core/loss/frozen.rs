//! What the kept (frozen) relations say at training points: the constants of a new
//! relation's loss, evaluated once per kept relation rather than every step.

use super::{row_dot, row_norm};
use crate::core::error::DeviceError;
use crate::core::relation::{Relation, read_vec};
use burn::tensor::{Device, Int, Tensor};

/// What the frozen relations say at a batch of points: unit gradients (for the pairwise
/// term), an orthonormal basis of their span (for the span term) and the sum of their
/// squared normalised residuals (g_j/‖v_j‖)² (for the negatives). All constants.
pub struct FrozenView {
    pub unit_grads: Vec<Tensor<2>>,
    pub basis: Vec<Tensor<2>>,
    pub joint_sq: Option<Tensor<2>>,
}

impl FrozenView {
    pub fn new(frozen: &[Relation], x: Tensor<2>) -> Self {
        let mut unit_grads = Vec::new();
        let mut basis: Vec<Tensor<2>> = Vec::new();
        let mut joint_sq: Option<Tensor<2>> = None;
        for rel in frozen {
            let (g, v) = rel.value_and_grad(x.clone());
            let norm = row_norm(v.clone());
            unit_grads.push(v.clone() / norm.clone());
            // Gram-Schmidt, point by point.
            let r = basis.iter().fold(v, |r, q| r.clone() - q.clone() * row_dot(r, q.clone()));
            basis.push(r.clone() / row_norm(r));
            let res = (g / norm).square();
            joint_sq = Some(match joint_sq {
                Some(s) => s + res,
                None => res,
            });
        }
        Self { unit_grads, basis, joint_sq }
    }
}

/// A [`FrozenView`] of a fixed point set (the training points never change), computed once
/// when the kept relations change; a batch's view is then a row selection. Evaluating the
/// frozen relations on every batch cost a quarter of a training step.
pub struct FrozenTable {
    /// Per row: unit gradients (k·N), basis (k·N), joint_sq (1), values g_j (k).
    columns: Option<Tensor<2>>,
    /// The same, row-major on the host, on the CPU backend (for the fused step).
    host: Option<Vec<f32>>,
    relations: usize,
    dim: usize,
}

impl FrozenTable {
    pub fn new(frozen: &[Relation], x: Tensor<2>) -> Self {
        let dim = x.dims()[1];
        let on_cpu = x.device() == Device::flex();
        if frozen.is_empty() {
            return Self { columns: None, host: on_cpu.then(Vec::new), relations: 0, dim };
        }
        let view = FrozenView::new(frozen, x.clone());
        let values = frozen.iter().map(|r| r.value(x.clone()));
        let columns: Vec<Tensor<2>> = view.unit_grads.into_iter().chain(view.basis).chain(view.joint_sq).chain(values).collect();
        let columns = Tensor::cat(columns, 1);
        let host = on_cpu.then(|| columns.to_data().convert::<f32>().try_into_vec::<f32>().expect("f32 table"));
        Self { columns: Some(columns), host, relations: frozen.len(), dim }
    }

    /// Reads the table to the host where it is only on the device, for the GPU step's rows
    /// (`core::gpu`): once each time the kept relations change.
    pub async fn ensure_host(&mut self) -> Result<(), DeviceError> {
        if self.host.is_none() {
            self.host = Some(match &self.columns {
                Some(columns) => read_vec(columns.clone()).await?,
                None => Vec::new(),
            });
        }
        Ok(())
    }

    /// The table at `rows` on the host (None off the CPU backend until [`Self::ensure_host`]).
    pub fn host_rows(&self, rows: &[usize]) -> Option<FrozenRows> {
        let host = self.host.as_ref()?;
        let width = FrozenRows::width(self.relations, self.dim);
        let data = if self.relations == 0 { Vec::new() } else { rows.iter().flat_map(|&r| &host[r * width..(r + 1) * width]).copied().collect() };
        Some(FrozenRows { data, relations: self.relations, dim: self.dim })
    }

    /// The view at rows `rows` (as an index tensor), and the frozen values g_j there.
    pub fn rows(&self, rows: Tensor<1, Int>) -> (FrozenView, Vec<Tensor<2>>) {
        let Some(columns) = &self.columns else {
            return (FrozenView { unit_grads: Vec::new(), basis: Vec::new(), joint_sq: None }, Vec::new());
        };
        let (k, n) = (self.relations, self.dim);
        let picked = columns.clone().select(0, rows);
        let part = |start: usize, width: usize| picked.clone().narrow(1, start, width);
        let view = FrozenView {
            unit_grads: (0..k).map(|j| part(j * n, n)).collect(),
            basis: (0..k).map(|j| part((k + j) * n, n)).collect(),
            joint_sq: Some(part(2 * k * n, 1)),
        };
        (view, (0..k).map(|j| part(2 * k * n + 1 + j, 1)).collect())
    }
}

/// A batch's rows of a [`FrozenTable`] on the host, in the table's column order.
pub struct FrozenRows {
    data: Vec<f32>,
    pub(super) relations: usize,
    dim: usize,
}

impl FrozenRows {
    fn width(relations: usize, dim: usize) -> usize {
        2 * relations * dim + 1 + relations
    }

    fn row(&self, r: usize) -> &[f32] {
        let width = Self::width(self.relations, self.dim);
        &self.data[r * width..(r + 1) * width]
    }

    pub(super) fn unit_grads(&self, r: usize) -> std::slice::ChunksExact<'_, f32> {
        self.row(r)[..self.relations * self.dim].chunks_exact(self.dim)
    }

    pub(super) fn basis(&self, r: usize) -> std::slice::ChunksExact<'_, f32> {
        self.row(r)[self.relations * self.dim..2 * self.relations * self.dim].chunks_exact(self.dim)
    }

    /// 0 with no kept relations (a lone relation's stray landings, `session::prune`).
    pub(super) fn joint_sq(&self, r: usize) -> f32 {
        if self.relations == 0 {
            return 0.0;
        }
        self.row(r)[2 * self.relations * self.dim]
    }
}
