//! The points a step trains on: each training set kept on the host (for the fused CPU
//! step) and on the device (for graphs) as one value, and a batch of rows drawn from the
//! sets a phase's terms read.

use super::Points;
use super::frozen::{FrozenRows, FrozenTable, FrozenView};
use crate::core::points::PointCloud;
use crate::core::relation::Relation;
use burn::tensor::{Device, Int, Tensor, TensorData};

/// Training points on the host and on the device, with a number per point where a term
/// needs one (a distance to the data, a signed offset) and what the kept relations say
/// there ([`FrozenTable`], redone when they change).
pub struct TrainingSet {
    pub host: PointCloud,
    pub device: Tensor<2>,
    /// The per-point number, on the host and as an [n, 1] tensor.
    column: Option<(Vec<f32>, Tensor<2>)>,
    pub frozen: FrozenTable,
    /// The training device (autodiff on): index tensors are made there.
    training_device: Device,
}

impl TrainingSet {
    /// `host` uploaded to `device` (the training device, autodiff on), no relation kept yet.
    pub fn new(host: PointCloud, column: Option<Vec<f32>>, device: &Device) -> Self {
        let tensor = host.to_tensor(device);
        let column = column.map(|values| {
            let n = values.len();
            let t = Tensor::from_data(TensorData::new(values.clone(), [n, 1]), device);
            (values, t)
        });
        let frozen = FrozenTable::new(&[], tensor.clone().inner());
        Self { host, device: tensor, column, frozen, training_device: device.clone() }
    }

    /// The same set with the kept relations evaluated at its points.
    pub fn frozen_with(mut self, kept: &[Relation]) -> Self {
        self.refreeze(kept);
        self
    }

    /// Re-evaluates the kept relations at every point (after they changed).
    pub fn refreeze(&mut self, kept: &[Relation]) {
        self.frozen = FrozenTable::new(kept, self.device.clone().inner());
    }

    pub fn len(&self) -> usize {
        self.host.len()
    }

    pub fn is_empty(&self) -> bool {
        self.host.is_empty()
    }

    /// The per-point numbers on the host.
    pub fn column(&self) -> Option<&[f32]> {
        self.column.as_ref().map(|(values, _)| values.as_slice())
    }
}

/// Rows drawn from one training set for a step.
pub struct Part<'a> {
    pub points: Points,
    pub set: &'a TrainingSet,
    pub rows: Vec<usize>,
}

impl Part<'_> {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows as an index tensor on the set's device.
    pub fn index(&self) -> Tensor<1, Int> {
        let rows: Vec<i64> = self.rows.iter().map(|&r| r as i64).collect();
        let len = rows.len();
        Tensor::from_data(TensorData::new(rows, [len]), &self.set.training_device)
    }

    /// The points, as a tensor.
    pub fn x(&self) -> Tensor<2> {
        self.set.device.clone().select(0, self.index())
    }

    /// The per-point numbers, as [n, 1].
    pub fn column(&self) -> Tensor<2> {
        let (_, column) = self.set.column.as_ref().expect("a set with a number per point");
        column.clone().select(0, self.index())
    }

    /// What the kept relations say at the rows, and their values g_j there.
    pub fn frozen(&self) -> (FrozenView, Vec<Tensor<2>>) {
        self.set.frozen.rows(self.index())
    }

    /// The points on the host.
    pub fn host_x(&self) -> PointCloud {
        self.set.host.select(&self.rows)
    }

    /// The per-point numbers on the host.
    pub fn host_column(&self) -> Vec<f32> {
        let values = self.set.column().expect("a set with a number per point");
        self.rows.iter().map(|&r| values[r]).collect()
    }

    /// What the kept relations say at the rows, on the host (the CPU backend).
    pub fn host_frozen(&self) -> FrozenRows {
        self.set.frozen.host_rows(&self.rows).expect("fused steps run on the CPU, kernel steps after ensure_host")
    }
}

/// One step's rows: a part per training set its terms read.
pub struct Batch<'a> {
    pub parts: Vec<Part<'a>>,
}

impl Batch<'_> {
    /// The rows drawn from `points`.
    pub fn part(&self, points: Points) -> &Part<'_> {
        self.parts.iter().find(|p| p.points == points).expect("a term reads only the sets its batch was drawn from")
    }

    /// Whether rows of `points` were drawn.
    pub fn has(&self, points: Points) -> bool {
        self.parts.iter().any(|p| p.points == points)
    }
}
