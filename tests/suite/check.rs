//! What a test asks of a suite case, and the check that holds it to that over the seeds.

use super::{Case, OPEN_BAR, OverSeeds, WORST_SLACK, seeds};
use aml_playground::core::config::{Algorithm, Choice, Config};

/// What a test asks of a case under one algorithm.
pub enum Expect {
    /// The bar: the true relation count at every seed, the fidelity bar at the
    /// median seed and WORST_SLACK under it at the worst.
    Bar,
    /// Short of the bar today: this many relations at most seeds, at least `median`
    /// fidelity at the median seed and `worst` at the worst (a little under what it
    /// reaches now, so that the shortfall stays visible and a regression fails).
    Short { kept: usize, median: f64, worst: f64 },
    /// The bar, but an open set short of it inside the data's box: at least this there.
    ShortInside { inside: f64 },
}

pub const fn short(kept: usize, median: f64, worst: f64) -> Expect {
    Expect::Short { kept, median, worst }
}

pub const fn short_inside(inside: f64) -> Expect {
    Expect::ShortInside { inside }
}

/// Learns the case named `name` of `cases` at each of [`seeds`] and holds it to `expect`.
pub fn check(cases: &[Case], name: &str, algorithm: Algorithm, expect: Expect) {
    let case = cases.iter().find(|c| c.name == name).expect("a suite case");
    let runs = OverSeeds::learn(case, &Config { algorithm, ..Config::default() }, &seeds());
    let mut report = format!("{name} ({}), seeds {:?}:", algorithm.key(), seeds());
    for o in &runs.outcomes {
        let f = o.fidelity;
        report += &format!(
            "\n  seed {}: {} in {:.1} s; fidelity {:.3} of {} landed, {:.3} of the {} inside the data's box (as the run reports it: {:?})\n    {}",
            o.seed,
            o.conclusion,
            o.seconds,
            f.whole,
            f.landed,
            f.inside,
            f.landed_inside,
            o.reported_fidelity,
            o.verdicts.join("\n    ")
        );
    }
    let exact = runs.exact();
    report += &format!("\n  exact relations: {:?}", exact.map(|e| (e.whole, e.inside)));
    eprintln!("{report}");
    let (median, worst) = runs.fidelity();
    let (kept, bar, worst_bar, inside_bar) = match expect {
        Expect::Bar => (case.codim, case.fidelity_bar(exact), case.fidelity_bar(exact) - WORST_SLACK, OPEN_BAR),
        Expect::Short { kept, median, worst } => (kept, median, worst, OPEN_BAR),
        Expect::ShortInside { inside } => (case.codim, case.fidelity_bar(exact), case.fidelity_bar(exact) - WORST_SLACK, inside),
    };
    match expect {
        Expect::Short { .. } => assert_eq!(runs.usual_count(), kept, "relations kept at most seeds: {:?} (true: {})\n{report}", runs.counts(), case.codim),
        _ => assert!(runs.counts().iter().all(|&k| k == kept), "relations kept: {:?} (true: {})\n{report}", runs.counts(), case.codim),
    }
    assert!(median >= bar, "median fidelity {median:.3} < {bar:.3}\n{report}");
    assert!(worst >= worst_bar, "worst fidelity {worst:.3} < {worst_bar:.3}\n{report}");
    // Where the data lies, an open set is held to the issue's own bar: there the exact
    // relations reach 100% on every open case, where in the whole box they reach 35-92%.
    if !case.closed {
        let (median_inside, worst_inside) = runs.inside();
        assert!(median_inside >= inside_bar, "inside the data's box: median fidelity {median_inside:.3} < {inside_bar}\n{report}");
        assert!(worst_inside >= inside_bar - WORST_SLACK, "inside the data's box: worst fidelity {worst_inside:.3}\n{report}");
    }
}

/// A test module per case, one test per algorithm: `$cases` is where the names are looked up.
#[allow(unused_macros)]
macro_rules! suite_tests {
    ($cases:expr; $($test:ident: $name:literal, $transversality:expr, $syzygy:expr;)*) => {$(
        mod $test {
            use super::*;
            use aml_playground::core::config::Algorithm;
            #[test]
            fn transversality() {
                suite::check(&$cases, $name, Algorithm::Transversality, $transversality);
            }
            #[test]
            fn syzygy() {
                suite::check(&$cases, $name, Algorithm::Syzygy, $syzygy);
            }
        }
    )*};
}
