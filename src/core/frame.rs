//! The data's own coordinates and the working coordinates the networks learn in. Every
//! point cloud (a built-in manifold, an upload, `--input`) is centred and scaled before
//! training, so that a network sees the same numbers whatever the data's units: tanh
//! units saturate on coordinates of ±12, and the bounded scale term −log min(‖∇g‖, 1)
//! asks for a gradient of 1 per unit of the data. Everything a person sees is mapped back.

use super::config::choice;
use super::points::PointCloud;
use serde::{Deserialize, Serialize};

/// How the data's coordinates are scaled for training (the link's `norm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalise {
    /// Together, keeping the data's shape, unless its coordinates' spreads differ by more
    /// than [`MIXED_UNITS`]: then each on its own (mixed units). The default.
    Auto,
    /// Centred, and every coordinate divided by one number (the root mean square of the
    /// coordinates' spreads): shapes kept.
    Shape,
    /// Centred, and each coordinate divided by its own spread (standard deviation): for
    /// data in mixed units.
    Axes,
    /// As given (links of versions 1 to 7).
    Off,
}
choice!(Normalise {
    Auto => "auto", "centred and scaled together; each alone where units differ (default)";
    Shape => "shape", "centred and scaled together (keeps shapes)";
    Axes => "axes", "each coordinate centred and scaled alone (mixed units)";
    Off => "off", "as given";
});

/// Under `norm=auto`, coordinates whose spreads (standard deviations) differ by more than
/// this factor are taken to be in different units and scaled each on its own.
pub const MIXED_UNITS: f64 = 30.0;

/// x_working = (x − centre) / scale, coordinate by coordinate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub centre: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Frame {
    /// The data's own coordinates.
    pub fn identity(dim: usize) -> Self {
        Self { centre: vec![0.0; dim], scale: vec![1.0; dim] }
    }

    /// The frame `how` asks for on `cloud`, and a message where `auto` chose each
    /// coordinate on its own.
    pub fn of(cloud: &PointCloud, how: Normalise) -> (Self, Option<String>) {
        let dim = cloud.dim();
        let centre = cloud.centroid();
        let spreads = spreads(cloud, &centre);
        // One unit of spread per coordinate, on average: the scale the networks' initial
        // weights, the warm start and the loss terms' constants were chosen at (the
        // built-in manifolds' own coordinates are about that size). Measured against
        // scaling to an RMS radius of 1 (docs/decisions.md, "Any units").
        // (The RMS radius over √N: the root mean square of the spreads.)
        let unit = cloud.scale() / (dim.max(1) as f64).sqrt();
        let together = || Self { centre: centre.clone(), scale: vec![unit; dim] };
        let alone = || Self { centre: centre.clone(), scale: spreads.iter().map(|s| s.max(1e-12)).collect() };
        match how {
            Normalise::Off => (Self::identity(dim), None),
            Normalise::Shape => (together(), None),
            Normalise::Axes => (alone(), None),
            Normalise::Auto => {
                let (widest, narrowest) = extremes(&spreads);
                if spreads[widest] > MIXED_UNITS * spreads[narrowest] {
                    let note = format!(
                        "the coordinates' spreads differ {:.0}-fold (x{} {}, x{} {}): taken as mixed units, each coordinate is centred and scaled on its own for training (norm=shape keeps the data's shape instead)",
                        spreads[widest] / spreads[narrowest].max(1e-300),
                        widest + 1,
                        short(spreads[widest]),
                        narrowest + 1,
                        short(spreads[narrowest])
                    );
                    (alone(), Some(note))
                } else {
                    (together(), None)
                }
            }
        }
    }

    pub fn dim(&self) -> usize {
        self.centre.len()
    }

    /// Whether every coordinate is scaled alike (distances then scale by one factor).
    pub fn is_isotropic(&self) -> bool {
        self.scale.windows(2).all(|w| w[0] == w[1])
    }

    /// One unit of the working coordinates, in the data's units, where that is one number
    /// (the frame is isotropic).
    pub fn unit(&self) -> Option<f64> {
        self.is_isotropic().then(|| self.scale.first().copied().unwrap_or(1.0))
    }

    /// A cloud in the data's coordinates, in working ones.
    pub fn to_working(&self, cloud: &PointCloud) -> PointCloud {
        let values = cloud.rows().flat_map(|row| self.point_to_working(row)).collect();
        PointCloud::new(cloud.dim(), values).expect("an affine image of finite points is finite")
    }

    fn point_to_working(&self, row: &[f32]) -> Vec<f32> {
        row.iter().zip(self.centre.iter().zip(&self.scale)).map(|(&x, (c, s))| ((x as f64 - c) / s) as f32).collect()
    }

    /// A point in working coordinates, in the data's.
    pub fn to_data(&self, p: &[f64]) -> Vec<f64> {
        p.iter().zip(self.centre.iter().zip(&self.scale)).map(|(x, (c, s))| c + s * x).collect()
    }

    /// A point in the data's coordinates, in working ones.
    pub fn to_working_point(&self, p: &[f64]) -> Vec<f64> {
        p.iter().zip(self.centre.iter().zip(&self.scale)).map(|(x, (c, s))| (x - c) / s).collect()
    }

    /// A cloud in working coordinates, in the data's (what the page draws).
    pub fn cloud_to_data(&self, cloud: &PointCloud) -> PointCloud {
        let values = cloud.rows().flat_map(|row| row.iter().enumerate().map(|(axis, &x)| self.coordinate_to_data(axis, x))).collect();
        PointCloud::new(cloud.dim(), values).expect("an affine image of finite points is finite")
    }

    /// Coordinate `axis` of a point in working coordinates, in the data's.
    pub fn coordinate_to_data(&self, axis: usize, value: f32) -> f32 {
        (self.centre[axis] + self.scale[axis] * value as f64) as f32
    }

    /// An interval of coordinate `axis` in working coordinates, in the data's.
    pub fn interval_to_data(&self, axis: usize, (lo, hi): (f32, f32)) -> (f32, f32) {
        (self.coordinate_to_data(axis, lo), self.coordinate_to_data(axis, hi))
    }

    /// A relation's first layer, which reads coordinates of `self`, rewritten to read those
    /// of `other` (exactly: the change of frame is affine). `weight` is row-major
    /// [inputs, outputs].
    pub fn first_layer_for(&self, other: &Frame, weight: &mut [f32], bias: &mut [f32]) {
        let outputs = bias.len();
        // x_self = (c_other − c_self)/s_self + (s_other/s_self) x_other.
        for (i, row) in weight.chunks_exact_mut(outputs).enumerate() {
            let shift = (other.centre[i] - self.centre[i]) / self.scale[i];
            let stretch = other.scale[i] / self.scale[i];
            for (w, b) in row.iter_mut().zip(bias.iter_mut()) {
                *b = (*b as f64 + shift * *w as f64) as f32;
                *w = (*w as f64 * stretch) as f32;
            }
        }
    }
}

/// A spread as a person reads it: three significant digits.
fn short(x: f64) -> String {
    if (0.01..1e4).contains(&x.abs()) { format!("{x:.3}") } else { format!("{x:.2e}") }
}

/// Each coordinate's standard deviation about `centre`.
fn spreads(cloud: &PointCloud, centre: &[f64]) -> Vec<f64> {
    let n = cloud.len().max(1) as f64;
    (0..cloud.dim()).map(|j| (cloud.rows().map(|r| (r[j] as f64 - centre[j]).powi(2)).sum::<f64>() / n).sqrt()).collect()
}

/// The indices of the largest and the smallest of `values`.
fn extremes(values: &[f64]) -> (usize, usize) {
    let by = |a: &(usize, &f64), b: &(usize, &f64)| a.1.total_cmp(b.1);
    let widest = values.iter().enumerate().max_by(by).map_or(0, |(i, _)| i);
    let narrowest = values.iter().enumerate().min_by(by).map_or(0, |(i, _)| i);
    (widest, narrowest)
}
