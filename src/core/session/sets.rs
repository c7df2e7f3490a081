//! The points a run trains on, uploaded once: the data, the off-manifold points, and where
//! the data is a hypersurface the points beside it; each on the host and on the device.

use crate::core::dataset::Dataset;
use crate::core::loss::TrainingSet;
use crate::core::orientation;
use crate::core::relation::Relation;
use crate::core::rng::Rng;
use burn::tensor::{Device, Tensor, TensorData};

pub(super) struct TrainingSets {
    pub data: TrainingSet,
    /// With each point's distance to the data.
    pub off: TrainingSet,
    /// Which rows of `off` are near the data (the syzygy adversary's points).
    pub near_rows: Vec<usize>,
    /// Points beside the data with the signed offset that put them there, where the data
    /// is a hypersurface (`orientation`) and the negatives are on.
    pub sides: Option<TrainingSet>,
    /// The data's centroid as [1, N], on the device and the host: the warm start's centre.
    pub centre: Tensor<2>,
    pub centre_host: Vec<f32>,
}

impl TrainingSets {
    /// `device`: the training device (autodiff on).
    pub fn new(dataset: &Dataset, negatives: f64, seed: u64, device: &Device) -> Self {
        let off = &dataset.off_train;
        let centre_host: Vec<f32> = dataset.train.centroid().into_iter().map(|v| v as f32).collect();
        let centre = Tensor::from_data(TensorData::new(centre_host.clone(), [1, dataset.dim()]), device);
        let sides = (negatives > 0.0)
            .then(|| orientation::sides(&dataset.train, dataset.scale(), &mut Rng::new(seed).fork(17)))
            .flatten()
            .filter(|s| !s.offsets.is_empty())
            .map(|s| TrainingSet::new(s.points, Some(s.offsets), device));
        Self {
            data: TrainingSet::new(dataset.train.clone(), None, device),
            off: TrainingSet::new(off.points.clone(), Some(off.distances.clone()), device),
            near_rows: off.near_rows(),
            sides,
            centre,
            centre_host,
        }
    }

    /// Every set, mutably.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut TrainingSet> {
        [&mut self.data, &mut self.off].into_iter().chain(self.sides.as_mut())
    }

    /// Re-evaluates the kept relations at the data and the off-manifold points.
    pub fn refreeze(&mut self, kept: &[Relation]) {
        self.data.refreeze(kept);
        self.off.refreeze(kept);
    }
}
