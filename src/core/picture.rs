//! What the page draws, as plain numbers: the data, the zero set of each relation and
//! the learned intersection. Zero sets come from a grid evaluated on the backend
//! (contours in 2D, isosurface points in 3D; see `isosurface`); in higher dimensions, and
//! for the intersection, random points are projected onto the set by the same
//! Gauss-Newton projection as the fidelity metric.

use super::dataset::Dataset;
use super::frame::Frame;
use super::isosurface::{NODES_3D, PREVIEW_NODES_3D, contour_of_grid, grid_2d, surface_3d};
use super::metrics::{Projection, intersection_points};
use super::points::{PointCloud, f32_bytes};
use super::relation::Relation;
use crate::core::error::DeviceError;
use burn::tensor::Device;

/// Most points drawn for one 3D zero set (a canvas stays quick to redraw and rotate).
const MAX_SURFACE_POINTS: usize = 6000;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ZeroSet {
    /// Contour segments (2D).
    Lines(Vec<[[f32; 2]; 2]>),
    /// Points on the set (3D and up).
    Points(PointCloud),
}

/// How finely the zero sets of a picture are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    Full,
    /// While a relation trains, its picture is redrawn every few hundred steps: the last
    /// relation's set (the one in training) and the intersection are found coarser (natively
    /// a picture of the ellipse's g₁ and g₂ costs as much as a hundred training steps in
    /// full). The relations before it are drawn in full, so their sets can be reused.
    Preview,
}

impl Detail {
    fn nodes_3d(self) -> usize {
        match self {
            Self::Full => NODES_3D,
            Self::Preview => PREVIEW_NODES_3D,
        }
    }

    /// Random points projected onto a set.
    fn projected(self) -> usize {
        match self {
            Self::Full => 800,
            Self::Preview => 300,
        }
    }
}

/// Its point sets are flat clouds, serialized as bytes: a picture crosses from the worker
/// to the page's main thread, which decodes it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Picture {
    pub dim: usize,
    /// Per coordinate (min, max) of the view: the data's box grown by a quarter each side.
    pub bounds: Vec<(f32, f32)>,
    pub data: PointCloud,
    pub zero_sets: Vec<ZeroSet>,
    /// Where all relations vanish at once (empty with fewer than two relations).
    pub intersection: PointCloud,
    /// In 2D, the newest relation's value at the `isosurface::NODES_2D`² grid nodes over
    /// `bounds` (first axis slowest), drawn as a heatmap behind the contours; else empty.
    #[serde(with = "f32_bytes")]
    pub heat: Vec<f32>,
}

/// Nothing to draw yet (before the first configuration is read).
impl Default for Picture {
    fn default() -> Self {
        let none = || PointCloud::from_rows::<&[f32]>(1, []);
        Self { dim: 0, bounds: Vec::new(), data: none(), zero_sets: Vec::new(), intersection: none(), heat: Vec::new() }
    }
}

impl Picture {
    /// Only the data, at once (no device work), in the data's own units.
    pub fn of_data(data: &Dataset) -> Self {
        Self::of_working(data).in_data_units(data, 0)
    }

    /// The data in working coordinates, where the relations are evaluated.
    fn of_working(data: &Dataset) -> Self {
        let bounds = data
            .train
            .bounds()
            .into_iter()
            .map(|(lo, hi)| {
                let pad = 0.25 * (hi - lo).max(1e-3);
                (lo - pad, hi + pad)
            })
            .collect();
        let shown = data.train.len().min(1500);
        Self {
            dim: data.dim(),
            bounds,
            data: PointCloud::from_rows(data.dim(), data.train.rows().take(shown)),
            zero_sets: Vec::new(),
            intersection: PointCloud::from_rows::<&[f32]>(data.dim(), []),
            heat: Vec::new(),
        }
    }

    /// The data plus zero sets of `relations` and of all of them together.
    pub async fn compute(data: &Dataset, relations: &[Relation], seed: u64, device: &Device) -> Result<Self, DeviceError> {
        Self::compute_reusing(data, relations, &[], Detail::Full, seed, device).await
    }

    /// As [`Picture::compute`], with the zero sets of the first `known.len()` relations
    /// taken as given, in the data's units as an earlier picture gave them (the last
    /// relation's is always computed: in 2D its grid is the heatmap): a kept relation's set
    /// does not change while the next one trains, and a 3D grid costs a fifth of a second
    /// on the CPU. Everything is computed in working coordinates and drawn in the data's.
    pub async fn compute_reusing(
        data: &Dataset,
        relations: &[Relation],
        known: &[ZeroSet],
        detail: Detail,
        seed: u64,
        device: &Device,
    ) -> Result<Self, DeviceError> {
        let mut picture = Self::of_working(data);
        let how = |detail: Detail, stream: u64| Projection { points: detail.projected(), iterations: 25, seed: seed ^ (0x51C7 + stream) };
        let known = &known[..known.len().min(relations.len().saturating_sub(1))];
        picture.zero_sets.extend_from_slice(known);
        for (j, rel) in relations.iter().enumerate().skip(known.len()) {
            let this = if j + 1 == relations.len() { detail } else { Detail::Full };
            let set = match picture.dim {
                2 => {
                    let grid = grid_2d(rel, &picture.bounds, device).await?;
                    let lines = contour_of_grid(&grid, &picture.bounds);
                    picture.heat = grid; // the last relation's stays
                    ZeroSet::Lines(lines)
                }
                3 => {
                    let points = surface_3d(rel, &picture.bounds, this.nodes_3d(), device).await?;
                    let every = points.len().div_ceil(MAX_SURFACE_POINTS).max(1);
                    ZeroSet::Points(PointCloud::from_rows(3, points.into_iter().step_by(every)))
                }
                _ => {
                    let (points, _) = intersection_points(std::slice::from_ref(rel), data, how(this, j as u64), device).await?;
                    ZeroSet::Points(picture.keep_in_view(points))
                }
            };
            picture.zero_sets.push(set);
        }
        if relations.len() > 1 {
            let (points, _) = intersection_points(relations, data, how(detail, 99), device).await?;
            picture.intersection = picture.keep_in_view(points);
        }
        Ok(picture.in_data_units(data, known.len()))
    }

    /// The picture, computed in working coordinates, in the data's units (the data points
    /// as given); the first `given` zero sets are in them already.
    fn in_data_units(mut self, data: &Dataset, given: usize) -> Self {
        let frame = &data.frame;
        if *frame == Frame::identity(self.dim) {
            return self;
        }
        self.bounds = self.bounds.iter().enumerate().map(|(axis, &b)| frame.interval_to_data(axis, b)).collect();
        self.data = PointCloud::from_rows(self.dim, data.train_in_data_units().rows().take(self.data.len()));
        self.intersection = frame.cloud_to_data(&self.intersection);
        for set in self.zero_sets.iter_mut().skip(given) {
            *set = match set {
                ZeroSet::Lines(lines) => {
                    ZeroSet::Lines(lines.iter().map(|line| line.map(|[x, y]| [frame.coordinate_to_data(0, x), frame.coordinate_to_data(1, y)])).collect())
                }
                ZeroSet::Points(cloud) => ZeroSet::Points(frame.cloud_to_data(cloud)),
            };
        }
        self
    }

    fn keep_in_view(&self, points: Vec<Vec<f64>>) -> PointCloud {
        let inside = points
            .into_iter()
            .filter(|p| p.iter().zip(&self.bounds).all(|(v, (lo, hi))| *v >= *lo as f64 && *v <= *hi as f64))
            .map(|p| p.into_iter().map(|v| v as f32).collect::<Vec<f32>>());
        PointCloud::from_rows(self.dim, inside)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;
    use crate::core::config::Config;
    use crate::core::frame::{Frame, Normalise};
    use crate::core::manifold::ManifoldKind;
    use crate::core::relation::{Activation, LayerWeights};

    #[test]
    fn zero_set_of_a_linear_relation_is_its_line() {
        // g(x, y) = x − 0.5: its zero set is the vertical line x = 0.5.
        // Relations written in the data's own coordinates: the data taken as given.
        let config = Config { manifold: ManifoldKind::Circle, samples: 200, normalise: Normalise::Off, ..Config::default() };
        let data = Dataset::synthetic(&config);
        let line = LayerWeights { inputs: 2, outputs: 1, weight: vec![1.0, 0.0], bias: vec![-0.5] };
        let rel = Relation::from_weights(&[line], Activation::Tanh, &Device::flex());
        let pic = block_on(Picture::compute(&data, std::slice::from_ref(&rel), 1, &Device::flex())).unwrap();
        let ZeroSet::Lines(lines) = &pic.zero_sets[0] else { panic!("2D zero sets are contours") };
        assert!(lines.len() > 100, "{} segments", lines.len());
        assert!(lines.iter().flatten().all(|p| (p[0] - 0.5).abs() < 1e-5));
        assert!(pic.intersection.is_empty(), "one relation: no intersection to draw");
        // The heatmap is g itself: x − 0.5 at every node (first axis slowest).
        let n = crate::core::isosurface::NODES_2D;
        assert_eq!(pic.heat.len(), n * n);
        let (lo, hi) = pic.bounds[0];
        for (i, j) in [(0, 0), (n / 3, 7), (n - 1, n - 1)] {
            let x = lo + (hi - lo) * i as f32 / (n - 1) as f32;
            assert!((pic.heat[i * n + j] - (x - 0.5)).abs() < 1e-4, "node ({i}, {j})");
        }
        // Two relations: the line x = 0.5 and y = 0.25 meet at one point.
        let other = LayerWeights { inputs: 2, outputs: 1, weight: vec![0.0, 1.0], bias: vec![-0.25] };
        let both = [rel, Relation::from_weights(&[other], Activation::Tanh, &Device::flex())];
        let pic = block_on(Picture::compute(&data, &both, 1, &Device::flex())).unwrap();
        assert!(!pic.intersection.is_empty());
        assert!(pic.intersection.rows().all(|p| (p[0] - 0.5).abs() < 1e-3 && (p[1] - 0.25).abs() < 1e-3));
        assert!(pic.data.rows().all(|p| ((p[0] * p[0] + p[1] * p[1]) - 1.0).abs() < 1e-4));
        // The first relation's set reused (as the worker does while the second trains):
        // the same picture, and a reused set is taken as given, not recomputed.
        let reused = block_on(Picture::compute_reusing(&data, &both, &pic.zero_sets[..1], Detail::Full, 1, &Device::flex())).unwrap();
        assert_eq!(reused, pic);
        let marker = ZeroSet::Lines(vec![[[9.0, 9.0], [9.0, 9.0]]]);
        let given = block_on(Picture::compute_reusing(&data, &both, std::slice::from_ref(&marker), Detail::Full, 1, &Device::flex())).unwrap();
        assert_eq!((&given.zero_sets[0], &given.zero_sets[1]), (&marker, &pic.zero_sets[1]));
    }

    #[test]
    fn a_preview_finds_the_same_sets_from_fewer_points() {
        // In R³: the planes z = 0.2 and x = 0.1, meeting in a line.
        let config = Config { samples: 300, normalise: Normalise::Off, ..Config::default() };
        let data = Dataset::synthetic(&config);
        let plane = |weight: Vec<f32>, bias: f32| {
            Relation::from_weights(&[LayerWeights { inputs: 3, outputs: 1, weight, bias: vec![bias] }], Activation::Tanh, &Device::flex())
        };
        let both = [plane(vec![0.0, 0.0, 1.0], -0.2), plane(vec![1.0, 0.0, 0.0], -0.1)];
        let full = block_on(Picture::compute_reusing(&data, &both, &[], Detail::Full, 1, &Device::flex())).unwrap();
        let preview = block_on(Picture::compute_reusing(&data, &both, &[], Detail::Preview, 1, &Device::flex())).unwrap();
        let points = |set: &ZeroSet| match set {
            ZeroSet::Points(cloud) => cloud.clone(),
            ZeroSet::Lines(_) => panic!("3D zero sets are points"),
        };
        assert_eq!(preview.zero_sets[0], full.zero_sets[0], "the relations before the last are drawn in full");
        let (fine, coarse) = (points(&full.zero_sets[1]), points(&preview.zero_sets[1]));
        assert!(coarse.len() > 100 && coarse.len() < fine.len(), "preview {} points, full {}", coarse.len(), fine.len());
        assert!(coarse.rows().all(|p| (p[0] - 0.1).abs() < 1e-4), "on the plane x = 0.1");
        let (lo, hi) = (preview.intersection.len(), full.intersection.len());
        assert!(lo > 50 && lo < hi, "intersection: preview {lo} points, full {hi}");
        assert!(preview.intersection.rows().all(|p| (p[0] - 0.1).abs() < 1e-3 && (p[2] - 0.2).abs() < 1e-3), "on the line");
    }

    #[test]
    fn a_picture_is_drawn_in_the_datas_own_units() {
        // The ellipse centred and scaled for training; a relation of the working coordinates.
        let data = Dataset::synthetic(&Config { samples: 300, ..Config::default() });
        assert_ne!(data.frame, Frame::identity(3), "the default link centres and scales");
        let plane =
            Relation::from_weights(&[LayerWeights { inputs: 3, outputs: 1, weight: vec![1.0, 0.0, 0.0], bias: vec![-0.1] }], Activation::Tanh, &Device::flex());
        let pic = block_on(Picture::compute(&data, std::slice::from_ref(&plane), 1, &Device::flex())).unwrap();
        assert_eq!(pic.data, *data.train_in_data_units(), "the data as given");
        for (j, (lo, hi)) in pic.bounds.iter().enumerate() {
            assert!(data.train_in_data_units().rows().all(|p| p[j] >= *lo && p[j] <= *hi), "axis {j}: the view holds the data");
        }
        let ZeroSet::Points(points) = &pic.zero_sets[0] else { panic!("3D zero sets are points") };
        let x = data.frame.to_data(&[0.1, 0.0, 0.0])[0] as f32;
        assert!(!points.is_empty() && points.rows().all(|p| (p[0] - x).abs() < 1e-3), "x_working = 0.1 is x = {x} in the data's units");
    }
}
