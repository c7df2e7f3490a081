//! The points a run trains on, uploaded once: the data, the off-manifold points, and where
//! the data is a hypersurface (of space, or of the kept relations' zero set) the points
//! beside it; each on the host and on the device.

use super::Session;
use crate::core::config::{Config, Init, SidesRule};
use crate::core::dataset::Dataset;
use crate::core::error::DeviceError;
use crate::core::loops::{LoopTargets, Loops};
use crate::core::loss::TrainingSet;
use crate::core::orientation;
use crate::core::relation::{Relation, gradients_at};
use crate::core::rng::Rng;
use burn::tensor::{Device, Tensor, TensorData};

pub(super) struct TrainingSets {
    pub data: TrainingSet,
    /// With each point's distance to the data.
    pub off: TrainingSet,
    /// Which rows of `off` are near the data (the syzygy adversary's points).
    pub near_rows: Vec<usize>,
    /// Points beside the data with the signed offset that put them there, and how many
    /// relations are kept when the relation trained keeps to them: the first (none kept)
    /// where the data is a hypersurface, the last where the kept ones leave it a
    /// hypersurface of their joint zero set (`orientation`, `Session::sides_within_kept`);
    /// with the negatives on.
    pub sides: Option<(usize, TrainingSet)>,
    /// The data's local dimension (`orientation::dimension`), where `sides=within`.
    pub dimension: Option<usize>,
    /// The data's centroid as [1, N], on the device and the host: the warm start's centre.
    pub centre: Tensor<2>,
    pub centre_host: Vec<f32>,
    /// Where the data are closed curves in R³, the warm start's targets (`core::loops`).
    pub loops: Option<LoopTargets>,
}

impl TrainingSets {
    /// `device`: the training device (autodiff on).
    pub fn new(dataset: &Dataset, config: &Config, device: &Device) -> Self {
        let (negatives, rule, seed) = (config.negatives, config.sides, config.seed);
        // The data's local dimension, once: sides within the kept relations need it (only
        // where they may be given), and so do the loops.
        let within = negatives > 0.0 && rule == SidesRule::Within;
        let loops_asked = config.init == Init::Loops && dataset.dim() == 3;
        let dimension = (within || loops_asked).then(|| orientation::dimension(&dataset.train)).flatten();
        let off = &dataset.off_train;
        let centre_host: Vec<f32> = dataset.train.centroid().into_iter().map(|v| v as f32).collect();
        let centre = Tensor::from_data(TensorData::new(centre_host.clone(), [1, dataset.dim()]), device);
        let sides = (negatives > 0.0)
            .then(|| orientation::sides(&dataset.train, rule, dataset.scale(), &mut Rng::new(seed).fork(17)))
            .flatten()
            .filter(|s| !s.offsets.is_empty())
            .map(|s| (0, TrainingSet::new(s.points, Some(s.offsets), device)));
        Self {
            data: TrainingSet::new(dataset.train.clone(), None, device),
            off: TrainingSet::new(off.points.clone(), Some(off.distances.clone()), device),
            near_rows: off.near_rows(),
            sides,
            dimension: dimension.filter(|_| within),
            centre,
            centre_host,
            loops: loops_asked.then(|| loop_targets(dataset, dimension)).flatten(),
        }
    }

    /// Every set, mutably.
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut TrainingSet> {
        [&mut self.data, &mut self.off].into_iter().chain(self.sides.as_mut().map(|(_, set)| set))
    }

    /// Re-evaluates the kept relations at the data and the off-manifold points.
    pub fn refreeze(&mut self, kept: &[Relation]) {
        self.data.refreeze(kept);
        self.off.refreeze(kept);
    }
}

/// The warm start's targets where the data are closed curves in R³ (of local `dimension`
/// 1, and walked into closed polygons off a plane).
fn loop_targets(dataset: &Dataset, dimension: Option<usize>) -> Option<LoopTargets> {
    if dataset.dim() != 3 || dimension != Some(1) {
        return None;
    }
    let loops = Loops::find(&dataset.train).filter(|l| !l.planar())?;
    Some(LoopTargets::new(&loops, &dataset.train, &dataset.off_train.points))
}

impl Session {
    /// Whether the relation trained now has sides to keep to.
    pub(super) fn has_sides(&self) -> bool {
        self.sets.sides.as_ref().is_some_and(|(kept, _)| *kept == self.kept.len())
    }

    /// As a relation's training starts: where the data is a hypersurface of the kept
    /// relations' joint zero set (by its local dimension this relation is the last), it
    /// gets sides within that set (once for each count of kept relations). Three stacked
    /// circles on the cylinder: g₂ must change sign at each circle, and with no sides it
    /// could cross zero at two of them with the same slope and so once more between them,
    /// a stray circle (82% of the intersection on the circles under transversality).
    pub(super) async fn sides_within_kept(&mut self) -> Result<(), DeviceError> {
        let (n, kept) = (self.dataset.dim(), self.kept.len());
        if kept == 0 || self.has_sides() || self.sets.dimension.is_none_or(|d| d + kept + 1 != n) {
            return Ok(());
        }
        let train = &self.dataset.train;
        let cloud = train.select(&orientation::sided_rows(train.len()));
        let gradients = gradients_at(&self.kept, &cloud, &self.device.clone().inner()).await?;
        let Some(oriented) = orientation::pieces_within(&cloud, &gradients) else {
            return Ok(());
        };
        // How the pieces' sides agree, walked along the kept zero set (`walk`); by chords
        // through space where too few walkers got from one piece to another.
        let votes = match self.walked_votes(&cloud, &oriented).await? {
            Some(walked) => walked,
            None => oriented.chord_votes(&cloud),
        };
        let mut rng = Rng::new(self.config.seed).fork(17 + kept as u64);
        let signed = oriented.signed_points(&cloud, &votes, self.dataset.scale(), &mut rng);
        if !signed.offsets.is_empty() {
            self.sets.sides = Some((kept, TrainingSet::new(signed.points, Some(signed.offsets), &self.device)));
        }
        Ok(())
    }
}
