//! The name a link gives a person's uploaded point cloud: "file.csv~ROWSxDIMS~fingerprint".
//! A link carries only this label, never the data; a page or CLI that has the cloud can
//! tell it is the one named.

use super::points::PointCloud;
use std::fmt;

/// Longest file name kept in a label (the rest of it is dropped).
const NAME_CHARS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UploadLabel {
    /// The file's name, reduced to URL-safe characters.
    name: String,
    rows: usize,
    dims: usize,
    /// [`PointCloud::fingerprint`]: tells two clouds of one shape apart.
    fingerprint: String,
}

impl UploadLabel {
    /// The label of `cloud` read from a file at `path` (any folders are dropped).
    pub fn new(path: &str, cloud: &PointCloud) -> Self {
        let stem = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let name: String = stem.chars().filter(|&c| name_char(c)).take(NAME_CHARS).collect();
        Self { name: if name.is_empty() { "points".into() } else { name }, rows: cloud.len(), dims: cloud.dim(), fingerprint: cloud.fingerprint() }
    }

    /// Reads a label as a link writes it; None when it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('~');
        let (name, shape, fingerprint) = (parts.next()?, parts.next()?, parts.next()?);
        let (rows, dims) = shape.split_once('x')?;
        let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
        let valid = parts.next().is_none()
            && (1..=NAME_CHARS).contains(&name.chars().count())
            && name.chars().all(name_char)
            && digits(rows)
            && digits(dims)
            && fingerprint.len() == 16
            && fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| Self { name: name.into(), rows: rows.parse().expect("digits"), dims: dims.parse().expect("digits"), fingerprint: fingerprint.into() })
    }

    /// The file name, as a person recognises the data.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `cloud` is the data this label names.
    pub fn names(&self, cloud: &PointCloud) -> bool {
        (self.rows, self.dims) == (cloud.len(), cloud.dim()) && self.fingerprint == cloud.fingerprint()
    }
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-".contains(c)
}

impl fmt::Display for UploadLabel {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}~{}x{}~{}", self.name, self.rows, self.dims, self.fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cloud(shift: f32) -> PointCloud {
        PointCloud::new(3, (0..120).map(|i| i as f32 + shift).collect()).unwrap()
    }

    #[test]
    fn labels_are_url_safe_round_trip_and_tell_data_apart() {
        let label = UploadLabel::new("C:\\data/my points (v2).csv", &cloud(0.0));
        let text = label.to_string();
        assert!(text.starts_with("mypointsv2.csv~40x3~"), "{text}");
        assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "._~-".contains(c)), "{text}");
        assert_eq!(UploadLabel::parse(&text), Some(label.clone()));
        assert!(label.names(&cloud(0.0)) && !label.names(&cloud(0.5)));
        assert_eq!(UploadLabel::new("", &cloud(0.0)).name(), "points");
    }

    #[test]
    fn anything_else_is_not_a_label() {
        let good = UploadLabel::new("a.csv", &cloud(0.0)).to_string();
        for bad in [
            "",
            "a.csv",
            "a.csv~40x3",
            "a.csv~40x3~0123",
            "a b~1x2~0123456789abcdef",
            &format!("{good}~x"),
            "~1x2~0123456789abcdef",
            "a~1y2~0123456789abcdef",
            "a~x2~0123456789abcdef",
        ] {
            assert_eq!(UploadLabel::parse(bad), None, "{bad}");
        }
    }
}
