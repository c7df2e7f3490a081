//! Point clouds (row-major f32, any dimension) and the off-manifold sampler.

use super::error::DataError;
use super::nearest::{NearestIndex, squared_distance};
use super::rng::Rng;

/// Serialized only to cross between the page and its worker (the values came from `new`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PointCloud {
    dim: usize,
    #[serde(with = "f32_bytes")]
    values: Vec<f32>,
}

impl PointCloud {
    /// Rejects ragged or non-finite data, so every cloud in the program is usable.
    pub fn new(dim: usize, values: Vec<f32>) -> Result<Self, DataError> {
        if dim == 0 {
            return Err(DataError::Malformed("a point needs at least one coordinate".into()));
        }
        if !values.len().is_multiple_of(dim) {
            return Err(DataError::Malformed(format!("{} values do not split into rows of {dim}", values.len())));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(DataError::Malformed(format!("row {}, column {}: value is not finite", i / dim + 1, i % dim + 1)));
        }
        Ok(Self { dim, values })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.values.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[f32] {
        &self.values
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }

    pub fn rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.values.chunks_exact(self.dim)
    }

    /// The cloud of `rows` (each `dim` long), all of which the caller made itself, finite.
    pub fn from_rows<R: AsRef<[f32]>>(dim: usize, rows: impl IntoIterator<Item = R>) -> Self {
        let values: Vec<f32> = rows.into_iter().flat_map(|r| r.as_ref().to_vec()).collect();
        Self::new(dim, values).expect("rows of the caller's own, finite points")
    }

    pub fn rows_f64(&self) -> impl Iterator<Item = Vec<f64>> + '_ {
        self.values.chunks(self.dim).map(|r| r.iter().map(|&v| v as f64).collect())
    }

    /// The rows at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        let mut values = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            values.extend_from_slice(self.row(i));
        }
        Self { dim: self.dim, values }
    }

    /// A seeded split into (first, rest) with `first_share` of the rows in the first part.
    pub fn split(&self, first_share: f64, rng: &mut Rng) -> (Self, Self) {
        let (first, rest) = self.split_rows(first_share, rng);
        (self.select(&first), self.select(&rest))
    }

    /// The rows of [`PointCloud::split`]'s two parts.
    pub fn split_rows(&self, first_share: f64, rng: &mut Rng) -> (Vec<usize>, Vec<usize>) {
        let mut order: Vec<usize> = (0..self.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let cut = ((self.len() as f64 * first_share).round() as usize).clamp(1, self.len().max(1));
        let rest = order.split_off(cut);
        (order, rest)
    }

    /// Per-coordinate (min, max): the data's bounding box (see [`in_bounds`]).
    pub fn bounds(&self) -> Vec<(f32, f32)> {
        let mut b = vec![(f32::INFINITY, f32::NEG_INFINITY); self.dim];
        for row in self.values.chunks(self.dim) {
            for (j, &v) in row.iter().enumerate() {
                b[j] = (b[j].0.min(v), b[j].1.max(v));
            }
        }
        b
    }

    /// The mean point.
    pub fn centroid(&self) -> Vec<f64> {
        let n = self.len().max(1) as f64;
        (0..self.dim).map(|j| self.values.iter().skip(j).step_by(self.dim).map(|&v| v as f64).sum::<f64>() / n).collect()
    }

    /// Root-mean-square distance of the points from their centroid: the data's scale.
    pub fn scale(&self) -> f64 {
        let n = self.len().max(1) as f64;
        let mean = self.centroid();
        let ss: f64 = self.values.chunks(self.dim).map(|r| r.iter().zip(&mean).map(|(&v, m)| (v as f64 - m).powi(2)).sum::<f64>()).sum();
        (ss / n).sqrt().max(1e-6)
    }

    /// Distance from `p` to the nearest point of the cloud: for a densely sampled
    /// manifold, a close upper bound on the distance to the manifold itself.
    pub fn nearest_distance(&self, p: &[f64]) -> f64 {
        self.values.chunks(self.dim).map(|r| squared_distance(r, p)).fold(f64::INFINITY, f64::min).sqrt()
    }

    /// A 64-bit FNV-1a hash of the shape and values, as 16 hex digits: tells two clouds apart.
    pub fn fingerprint(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let dim = self.dim as u32;
        for byte in dim.to_le_bytes().into_iter().chain(self.values.iter().flat_map(|v| v.to_bits().to_le_bytes())) {
            h = (h ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }

    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let names: Vec<String> = (1..=self.dim).map(|j| format!("x{j}")).collect();
        out.push_str(&names.join(","));
        out.push('\n');
        for row in self.values.chunks(self.dim) {
            let cells: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        out
    }
}

/// Serde for a `Vec<f32>` as its little-endian bytes: serde-wasm-bindgen makes bytes one
/// `Uint8Array`, where a sequence is a JS array built and read a number at a time
/// (decoding a 3D picture's points that way took 6–21 ms of the page's main thread).
pub mod f32_bytes {
    use serde::{Deserializer, Serializer, de};
    use std::fmt;

    pub fn serialize<S: Serializer>(values: &[f32], to: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        to.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Vec<f32>, D::Error> {
        struct Bytes;
        impl<'de> de::Visitor<'de> for Bytes {
            type Value = Vec<f32>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the little-endian bytes of f32 values")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<f32>, E> {
                if !bytes.len().is_multiple_of(4) {
                    return Err(E::invalid_length(bytes.len(), &self));
                }
                Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
            }
            fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Vec<f32>, E> {
                self.visit_bytes(&bytes)
            }
            // Formats without bytes (JSON) write them as a sequence of numbers.
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f32>, A::Error> {
                let mut bytes = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                self.visit_bytes(&bytes)
            }
        }
        from.deserialize_byte_buf(Bytes)
    }
}

/// Points off the manifold with their distance to the data: half near the data
/// (a data point plus Gaussian offsets at several radii), half uniform in the data's
/// bounding box grown by half its size on each side.
#[derive(Clone, Debug)]
pub struct OffManifold {
    pub points: PointCloud,
    pub distances: Vec<f32>,
}

impl OffManifold {
    /// The near-manifold half (a data point plus an offset): where the syzygy test is
    /// meaningful, since g_k = Σ c_j g_j holds near the manifold, not on far-off sheets.
    pub fn near(&self) -> PointCloud {
        self.points.select(&self.near_rows())
    }

    /// The far half: uniform in the data's grown bounding box.
    pub fn far(&self) -> PointCloud {
        self.points.select(&self.far_rows())
    }

    /// Which rows of `points` are the near-manifold half (the sampler alternates, near first).
    pub fn near_rows(&self) -> Vec<usize> {
        (0..self.points.len()).step_by(2).collect()
    }

    pub fn far_rows(&self) -> Vec<usize> {
        (1..self.points.len()).step_by(2).collect()
    }

    pub fn sample(data: &PointCloud, n: usize, rng: &mut Rng) -> Self {
        let dim = data.dim();
        let scale = data.scale();
        let bounds = data.bounds();
        let mut values = Vec::with_capacity(n * dim);
        for i in 0..n {
            if i % 2 == 0 {
                let base = data.row(rng.below(data.len()));
                let sigma = scale * rng.range(0.03, 0.3) / (dim as f64).sqrt();
                values.extend(base.iter().map(|&v| (v as f64 + sigma * rng.normal()) as f32));
            } else {
                values.extend(bounds.iter().map(|&(lo, hi)| {
                    let pad = 0.5 * (hi - lo).max(1e-3) as f64;
                    rng.range(lo as f64 - pad, hi as f64 + pad) as f32
                }));
            }
        }
        let points = PointCloud::new(dim, values).expect("finite by construction");
        let index = NearestIndex::new(data);
        let distances = points.rows_f64().map(|p| index.distance(&p) as f32).collect();
        Self { points, distances }
    }
}

/// Whether `p` lies inside `bounds` (a [`PointCloud::bounds`]) widened on both sides by
/// `widen` times each coordinate's extent.
pub fn in_bounds(bounds: &[(f32, f32)], p: &[f64], widen: f64) -> bool {
    p.iter().zip(bounds).all(|(&v, &(lo, hi))| {
        let pad = widen * (hi - lo) as f64;
        v >= lo as f64 - pad && v <= hi as f64 + pad
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_ragged_and_non_finite_rows() {
        assert!(PointCloud::new(3, vec![1.0; 7]).is_err());
        let err = PointCloud::new(2, vec![1.0, 2.0, f32::NAN, 0.0]).unwrap_err();
        assert!(matches!(err, DataError::Malformed(_)) && err.to_string().contains("row 2, column 1"), "{err}");
        assert!(PointCloud::new(2, vec![1.0, 2.0, 3.0, 4.0]).is_ok());
    }

    #[test]
    fn a_cloud_crosses_serde_as_its_bytes_exactly() {
        let cloud = PointCloud::new(2, vec![1.5, -0.0, f32::MIN_POSITIVE, 3.25e7]).unwrap();
        let text = serde_json::to_string(&cloud).unwrap();
        let back: PointCloud = serde_json::from_str(&text).unwrap();
        assert_eq!(back.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>(), cloud.values().iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        assert_eq!(back.rows().collect::<Vec<_>>(), [&[1.5, -0.0][..], &[f32::MIN_POSITIVE, 3.25e7][..]]);
        assert!(serde_json::from_str::<PointCloud>(r#"{"dim":1,"values":[0,0,128]}"#).is_err(), "a ragged byte count is refused");
    }

    #[test]
    fn split_keeps_every_row_once() {
        let cloud = PointCloud::new(1, (0..100).map(|i| i as f32).collect()).unwrap();
        let (a, b) = cloud.split(0.8, &mut Rng::new(1));
        assert_eq!((a.len(), b.len()), (80, 20));
        let mut all: Vec<f32> = a.values().iter().chain(b.values()).copied().collect();
        all.sort_by(f32::total_cmp);
        assert_eq!(all, cloud.values());
    }

    #[test]
    fn off_manifold_points_come_with_their_distance() {
        let data = PointCloud::new(2, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0]).unwrap();
        let off = OffManifold::sample(&data, 40, &mut Rng::new(2));
        assert_eq!(off.points.len(), 40);
        assert_eq!((off.near().len(), off.far().len()), (20, 20));
        let mut halves = [off.near_rows(), off.far_rows()].concat();
        halves.sort_unstable();
        assert_eq!(halves, (0..40).collect::<Vec<_>>(), "the halves split the points");
        assert!(off.near().rows_f64().all(|p| data.nearest_distance(&p) < 1.5), "near points stay near");
        for (p, d) in off.points.rows_f64().zip(&off.distances) {
            assert!((data.nearest_distance(&p) as f32 - d).abs() < 1e-6);
        }
        assert!(off.distances.iter().any(|&d| d > 0.3), "box points reach far from the data");
    }
}
