//! Relations that travel: relations learned on other data, judged on this run's data by
//! the keep tests a learned relation meets, kept (frozen, or trained on from their weights)
//! or dropped with the test that decided. What a person reads of each, and the label a
//! link gives the file they came from.

use super::config::choice;
use super::metrics::RelationMetrics;
use super::verdict::{Test, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What happens to an imported relation the keep tests keep (the link's `import`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// Kept as it came, frozen: the project's default.
    Frozen,
    /// Trained on from its weights on this run's data, then judged again.
    Tune,
}
choice!(ImportMode {
    Frozen => "frozen", "kept as they are (default)";
    Tune => "tune", "trained on from their weights";
});

/// Where an imported relation came from: the file and the configuration of its run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub config: String,
}

/// How an imported relation fared on this run's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub source: Source,
    /// Its place in the file's kept relations (0 for the first).
    pub position: usize,
    pub kept: bool,
    /// The keep test that dropped it.
    pub decided_by: Option<Test>,
    /// What that test measured, in words ("off/on residual ratio 1.2 < 5").
    pub why: Option<String>,
    pub metrics: RelationMetrics,
    /// Trained on after it was kept (import=tune).
    pub tuned: bool,
}

impl Transfer {
    /// Judged by the keep tests' verdict on this run's data.
    pub fn judged(source: Source, position: usize, verdict: &Verdict, metrics: RelationMetrics, tuned: bool) -> Self {
        let (decided_by, why) = match verdict {
            Verdict::Dependent { test, why } => (Some(*test), Some(why.clone())),
            Verdict::Diverged => (Some(Test::Vanishing), Some("its values are not numbers".into())),
            _ => (None, None),
        };
        Self { source, position, kept: verdict.is_kept(), decided_by, why, metrics, tuned }
    }

    /// "kept: vanishes here (|g|/‖∇g‖ 0.004, off/on 83)", "dropped: does not vanish here (…)".
    pub fn describe(&self) -> String {
        let m = &self.metrics;
        if self.kept {
            let how = if self.tuned { ", then trained on from its weights" } else { ", frozen" };
            format!("kept: vanishes here (|g|/‖∇g‖ {:.4}, off/on {:.1}){how}", m.on_residual, m.ratio)
        } else {
            let what = match self.decided_by {
                Some(Test::Rank) => "follows from the relations kept before it here",
                _ => "does not vanish here",
            };
            format!("dropped: {what} ({})", self.why.clone().unwrap_or_default())
        }
    }
}

/// The name a link gives an imported relations file: "file.json~fingerprint". A link
/// carries the label, never the file; a page that has kept the file can tell it is the one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RelationsLabel {
    name: String,
    fingerprint: String,
}

impl RelationsLabel {
    /// The label of a file named `name` (folders dropped) with text `text`.
    pub fn new(name: &str, text: &str) -> Self {
        let stem = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let name: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).take(40).collect();
        Self { name: if name.is_empty() { "relations".into() } else { name }, fingerprint: fingerprint(text) }
    }

    /// Reads a label as a link writes it; None when it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let (name, fingerprint) = text.split_once('~')?;
        let valid = (1..=40).contains(&name.chars().count())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && fingerprint.len() == 16
            && fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| Self { name: name.into(), fingerprint: fingerprint.into() })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `text` is the file this label names.
    pub fn names(&self, text: &str) -> bool {
        self.fingerprint == fingerprint(text)
    }
}

impl fmt::Display for RelationsLabel {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}~{}", self.name, self.fingerprint)
    }
}

/// A 64-bit FNV-1a hash of the text, as 16 hex digits.
fn fingerprint(text: &str) -> String {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_round_trips_and_tells_files_apart() {
        let label = RelationsLabel::new("C:/runs/sphere relations.json", "{\"a\":1}");
        assert_eq!(label.name(), "sphererelations.json");
        assert_eq!(RelationsLabel::parse(&label.to_string()), Some(label.clone()));
        assert!(label.names("{\"a\":1}") && !label.names("{\"a\":2}"));
        for bad in ["", "x", "x~123", "a b~0123456789abcdef", "~0123456789abcdef"] {
            assert_eq!(RelationsLabel::parse(bad), None, "{bad}");
        }
    }
}
