//! The data of one run: on-manifold train/test points, off-manifold train/test points
//! with their distances, and what "the true manifold" is for evaluation. All of them in
//! working coordinates (`frame`: the data centred and scaled), which is what training,
//! metrics and pictures compute in; the data's own units are kept to map back to.

use super::config::Choice;
use super::config::Config;
use super::error::DataError;
use super::frame::{Frame, Normalise};
use super::local_fit;
use super::manifold::ManifoldKind;
use super::metrics::{FIDELITY_POINTS, FIDELITY_TOLERANCE};
use super::points::{OffManifold, PointCloud};
use super::rng::Rng;
use burn::tensor::{Device, Tensor, TensorData};

/// What distances to "the manifold" are measured against.
#[derive(Clone, Debug, PartialEq)]
pub enum Truth {
    /// A synthetic manifold with known equations.
    Known(ManifoldKind),
    /// A user's point cloud: a local linear fit of its nearest points, with the estimated
    /// dimension, stands in for the manifold.
    Cloud,
}

#[derive(Clone, Debug)]
pub struct Dataset {
    pub train: PointCloud,
    pub test: PointCloud,
    pub off_train: OffManifold,
    pub off_test: OffManifold,
    pub truth: Truth,
    scale: f64,
    /// Working coordinates in the data's own: every cloud here is in working ones.
    pub frame: Frame,
    /// The training and test points in the data's own units, as given.
    raw: (PointCloud, PointCloud),
    /// What a person should know about how the data was taken (mixed units).
    notes: Vec<String>,
}

impl Dataset {
    /// The synthetic data a configuration describes; the same seed gives the same data.
    pub fn synthetic(config: &Config) -> Self {
        let mut rng = Rng::new(config.seed).fork(1);
        let all = config.manifold.sample(config.samples, config.noise, &mut rng);
        Self::from_cloud(all, Truth::Known(config.manifold), config.seed, config.normalise)
    }

    /// The data a configuration names: its uploaded cloud (`upload`, which must be the
    /// cloud the label names; at most `samples` of its rows, chosen by the seed), else
    /// the synthetic manifold.
    pub fn for_config(config: &Config, upload: Option<&PointCloud>) -> Result<Self, DataError> {
        let Some(cloud) = Self::uploaded_cloud(config, upload)? else {
            return Ok(Self::synthetic(config));
        };
        let mut rng = Rng::new(config.seed).fork(1);
        let cloud = if cloud.len() > config.samples {
            let (part, _) = cloud.split(config.samples as f64 / cloud.len() as f64, &mut rng);
            part
        } else {
            cloud.clone()
        };
        Ok(Self::from_cloud(cloud, Truth::Cloud, config.seed, config.normalise))
    }

    /// The uploaded cloud `config` learns from (None for a built-in manifold); an error when
    /// `upload` is not the cloud its label names. Cheap: the page checks this before a run.
    pub fn uploaded_cloud<'a>(config: &Config, upload: Option<&'a PointCloud>) -> Result<Option<&'a PointCloud>, DataError> {
        let Some(label) = &config.upload else { return Ok(None) };
        upload.filter(|c| label.names(c)).map(Some).ok_or_else(|| {
            DataError::NotLoaded(format!("this configuration learns from uploaded data ({label}), which is not loaded here: upload that file again"))
        })
    }

    /// Splits any cloud 80/20, takes it to working coordinates as `normalise` says and draws
    /// off-manifold points around it.
    pub fn from_cloud(all: PointCloud, truth: Truth, seed: u64, normalise: Normalise) -> Self {
        let mut rng = Rng::new(seed).fork(2);
        let (frame, note) = Frame::of(&all, normalise);
        let working = frame.to_working(&all);
        let (first, rest) = all.split_rows(0.8, &mut rng);
        let raw = (all.select(&first), all.select(&rest));
        let (train, test) = (working.select(&first), working.select(&rest));
        // Dense enough that box negatives are closer together than the hinge's margin.
        let off_train = OffManifold::sample(&train, (8 * train.len()).max(16_384), &mut rng);
        let off_test = OffManifold::sample(&train, test.len().max(256), &mut rng);
        let scale = working.scale();
        Self { train, test, off_train, off_test, truth, scale, frame, raw, notes: note.into_iter().collect() }
    }

    /// Training and test points together in the data's own units (what a "download
    /// points" gives).
    pub fn all_points(&self) -> PointCloud {
        let values = [self.raw.0.values(), self.raw.1.values()].concat();
        PointCloud::new(self.dim(), values).expect("both parts are valid clouds of one dimension")
    }

    /// The training points in the data's own units.
    pub fn train_in_data_units(&self) -> &PointCloud {
        &self.raw.0
    }

    /// What a person should know about how the data was taken (one line each).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// What a person reads: "the ellipse …" or "points.csv (1500 points)".
    pub fn describe(&self, config: &Config) -> String {
        match (&self.truth, &config.upload) {
            (Truth::Cloud, Some(label)) => format!("{} points of {}", self.train.len() + self.test.len(), label.name()),
            _ => format!("{} points of the {}", self.train.len() + self.test.len(), config.manifold.label()),
        }
    }

    pub fn dim(&self) -> usize {
        self.train.dim()
    }

    /// The data's RMS radius in working coordinates (√N once normalised, the data's own
    /// under norm=off): the unit for margins and tolerances.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Distances of points (in working coordinates) to the true manifold, in the data's
    /// units; for a user's cloud, to a local linear fit of the nearest data points with
    /// `dimension` (see [`local_fit`]), in working units, where one tolerance suits any data.
    pub fn distances_to_truth(&self, points: &[Vec<f64>], dimension: usize) -> Vec<f64> {
        match &self.truth {
            Truth::Known(kind) => points.iter().map(|p| kind.distance(&self.frame.to_data(p))).collect(),
            Truth::Cloud => local_fit::distances(&self.train, dimension, points),
        }
    }

    /// How the distances of [`Dataset::distances_to_truth`] read in the data's own units.
    pub fn truth_units(&self) -> super::metrics::Units {
        match (&self.truth, self.frame.unit()) {
            (Truth::Known(_), _) => super::metrics::Units::Data,
            (Truth::Cloud, Some(unit)) => super::metrics::Units::Scaled { unit, radius: self.scale * unit },
            (Truth::Cloud, None) => super::metrics::Units::PerAxis { radius: self.scale },
        }
    }

    /// How near the truth a projected point must land to count as faithful: 0.05 where
    /// the truth is known (in the data's units); for a user's cloud 0.05 of its RMS radius,
    /// or as far as held-out data points lie from the local fit
    /// ([`local_fit::held_out_error`]) where that is more, since the fit cannot tell closer
    /// points apart.
    pub fn fidelity_tolerance(&self, dimension: usize) -> f64 {
        match &self.truth {
            Truth::Known(_) => FIDELITY_TOLERANCE,
            // As many held-out points as the fidelity projects: the figure has settled by
            // then, and a 50,000-point upload's 10,000 would cost 16 times its own fits
            // (natively, a 40,000 × 16 cloud: 0.14 s for 600, 1.64 s for 10,000).
            Truth::Cloud => local_fit::held_out_error(&self.train, dimension, &self.test, FIDELITY_POINTS).max(FIDELITY_TOLERANCE * self.scale),
        }
    }

    /// What fidelity is measured against, as a person reads it.
    pub fn fidelity_reference(&self, dimension: usize) -> String {
        match &self.truth {
            Truth::Known(_) => "the true manifold".into(),
            Truth::Cloud => format!("a local {dimension}-D linear fit of the nearest data points (no equations are known for uploaded data)"),
        }
    }
}

impl PointCloud {
    pub fn to_tensor(&self, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(self.values().to_vec(), [self.len(), self.dim()]), device)
    }
}
