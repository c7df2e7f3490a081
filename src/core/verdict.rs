//! Whether a trained relation is kept: the tests it must pass, their thresholds, and the
//! verdict a person reads.

use super::metrics::RelationMetrics;
use super::syzygy::DEPENDENT_BELOW;
use serde::{Deserialize, Serialize};

/// A relation must be at least this much further from zero (|g|/‖v‖) off the manifold
/// than on it to count as vanishing on the data.
pub const RATIO_MIN: f64 = 5.0;
/// ... and smaller on the data than at held-out points just off it (offsets of 3-30% of
/// the data's scale). The far ratio alone can be fooled: a relation that fails to vanish
/// but grows away from the data passes it (a 5th pendulum relation: off/on 8.7). Failed
/// relations measure 0.9-1.2 here, kept ones 19 and more on clean data, 3.6 at noise 0.05,
/// 2.3 at noise 0.1 (ellipse).
pub const NEAR_RATIO_MIN: f64 = 1.5;
/// Its gradient must make at least this sine with the span of the earlier ones: a measured
/// (not trained) rank test on held-out data, applied under both algorithms.
pub const SIN_MIN: f64 = 0.1;
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    /// Vanishes on the data and is independent of the earlier relations: kept.
    Independent,
    /// No new relation: it does not vanish, or it is implied by the earlier ones; `test`
    /// says which test decided, `why` what it measured.
    Dependent { test: Test, why: String },
    /// The loss became NaN or infinite; the relation was dropped.
    Diverged,
    /// Read from a relations file and kept as it was trained.
    Imported,
}

impl Verdict {
    pub fn is_kept(&self) -> bool {
        matches!(self, Verdict::Independent | Verdict::Imported)
    }

    /// What a person reads: "independent: kept", "not kept: <why>", ...
    pub fn describe(&self) -> String {
        match self {
            Verdict::Independent => "independent: kept".into(),
            Verdict::Dependent { test, why } => format!("not kept, decided by the {}: {why}", test.label()),
            Verdict::Diverged => "diverged (NaN/Inf loss): dropped".into(),
            Verdict::Imported => "imported: kept".into(),
        }
    }
}

/// The tests a relation must pass to be kept, in the order they are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Test {
    /// It vanishes on the data: small there, larger off it and just off it.
    Vanishing,
    /// The syzygy adversary could not rebuild it from the earlier relations (Eq. 3).
    Adversary,
    /// Its gradient is not in the span of the earlier ones (a measured rank test).
    Rank,
}

impl Test {
    pub fn label(self) -> &'static str {
        match self {
            Test::Vanishing => "vanishing test",
            Test::Adversary => "syzygy adversary",
            Test::Rank => "rank test",
        }
    }
}

/// What a relation that fails the vanishing test measured, or None if it passes (a NaN
/// ratio, a relation that blew up, fails too).
fn vanishing_failure(m: &RelationMetrics) -> Option<String> {
    if m.ratio.is_nan() || m.ratio < RATIO_MIN {
        return Some(format!("off/on residual ratio {:.1} < {RATIO_MIN}", m.ratio));
    }
    if m.near_ratio.is_nan() || m.near_ratio < NEAR_RATIO_MIN {
        return Some(format!("as large there as just off it (near/on residual ratio {:.1} < {NEAR_RATIO_MIN})", m.near_ratio));
    }
    None
}

/// Whether a relation passes the vanishing test.
pub fn vanishes(m: &RelationMetrics) -> bool {
    vanishing_failure(m).is_none()
}

/// The verdict on a trained relation. `conditioned`: it was made transverse after the
/// syzygy adversary could not rebuild it, so a failed vanishing test says so.
pub fn verdict(m: &RelationMetrics, syzygy_error: Option<f64>, has_earlier: bool, conditioned: bool) -> Verdict {
    let rejected = |test, why| Verdict::Dependent { test, why };
    if let Some(measured) = vanishing_failure(m) {
        let made_transverse = if conditioned { " once made transverse to the earlier relations" } else { "" };
        return rejected(Test::Vanishing, format!("does not vanish on the data{made_transverse}: {measured}"));
    }
    if let Some(e) = syzygy_error
        && e < DEPENDENT_BELOW
    {
        return rejected(Test::Adversary, format!("rebuilt from earlier relations (syzygy error {e:.3} < {DEPENDENT_BELOW})"));
    }
    // The syzygy adversary alone can be fooled: a dependent g_k = h(x)·g_1 with a wild h
    // escapes any finite-capacity f. Its gradient still lies in the span, so check that too.
    if has_earlier && m.sin_span < SIN_MIN {
        let adversary = syzygy_error.map(|e| format!("; the syzygy adversary did not rebuild it (error {e:.3} ≥ {DEPENDENT_BELOW})")).unwrap_or_default();
        return rejected(Test::Rank, format!("gradient in the span of earlier ones (sin {:.2} < {SIN_MIN}){adversary}", m.sin_span));
    }
    Verdict::Independent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_thresholds() {
        let good = RelationMetrics {
            on_abs_g: 0.01,
            off_abs_g: 1.0,
            on_residual: 0.01,
            off_residual: 0.5,
            ratio: 50.0,
            near_residual: 0.1,
            near_ratio: 10.0,
            sin_span: 0.9,
        };
        assert_eq!(verdict(&good, None, true, false), Verdict::Independent);
        let decided_by = |v: Verdict| match v {
            Verdict::Dependent { test, .. } => Some(test),
            _ => None,
        };
        assert_eq!(decided_by(verdict(&RelationMetrics { ratio: 1.3, ..good.clone() }, None, true, false)), Some(Test::Vanishing));
        assert_eq!(decided_by(verdict(&RelationMetrics { near_ratio: 1.2, ..good.clone() }, None, true, false)), Some(Test::Vanishing));
        assert_eq!(decided_by(verdict(&RelationMetrics { sin_span: 0.05, ..good.clone() }, None, true, false)), Some(Test::Rank));
        let rank = verdict(&RelationMetrics { sin_span: 0.05, ..good.clone() }, Some(0.3), true, false);
        assert!(
            rank.describe().starts_with("not kept, decided by the rank test") && rank.describe().contains("adversary did not rebuild it (error 0.300"),
            "{}",
            rank.describe()
        );
        assert_eq!(decided_by(verdict(&good, Some(0.02), true, false)), Some(Test::Adversary));
        assert_eq!(verdict(&good, Some(0.4), true, false), Verdict::Independent);
        assert_eq!(decided_by(verdict(&RelationMetrics { ratio: f64::NAN, ..good.clone() }, None, false, false)), Some(Test::Vanishing));
        let conditioned = verdict(&RelationMetrics { ratio: 1.4, ..good.clone() }, Some(0.2), true, true).describe();
        assert!(conditioned.contains("does not vanish on the data once made transverse to the earlier relations"), "{conditioned}");
        assert!(vanishes(&good) && !vanishes(&RelationMetrics { near_ratio: 1.2, ..good.clone() }) && !vanishes(&RelationMetrics { ratio: f64::NAN, ..good }));
    }
}
