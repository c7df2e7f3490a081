//! Both algorithms, at default settings, on data as people bring it (tests/suite/cases.rs,
//! `brought`): in its own units, large or mixed; curves that cross themselves; a knot;
//! sets in several pieces; groups of matrices; a scikit-learn-style swiss roll. Each is
//! held, over the suite's seeds, to the true relation count and the fidelity bar of
//! tests/unseen_manifolds.rs, measured in the set's own units.
//!
//! Short of the bar today (docs/suite.md; median / worst of seeds 1-3), each held a
//! little under what it reaches so that it stays visible and a regression fails: the
//! figure eight (82.7% / 69.5%, both algorithms: the double point); the figure-eight knot
//! (65.2% and 53.8% at the median seed; seed 3 keeps no relation); three stacked circles
//! under transversality (82.2% / 81.7%); SO(3) (6 relations at one seed of three with
//! either algorithm, 5 at the others; 3,000 steps a relation find all 6 at every seed);
//! O(2) (three relations, 49.2% under transversality; syzygy 100% at the median seed,
//! 40.3% at the worst).
#![cfg(not(target_arch = "wasm32"))]

#[macro_use]
mod suite;

use suite::Expect::Bar;
use suite::short;

suite_tests! { suite::cases::brought();
    swiss_roll: "swiss roll (scikit-learn units)", Bar, Bar;
    ellipse_in_centimetres: "ellipse in centimetres", Bar, Bar;
    ellipse_in_mixed_units: "ellipse in mixed units", Bar, Bar;
    figure_eight: "figure eight (Gerono)", short(1, 0.80, 0.69), short(1, 0.80, 0.69);
    vivianis_curve: "Viviani's curve", Bar, Bar;
    figure_eight_knot: "figure-eight knot", short(2, 0.63, 0.0), short(2, 0.52, 0.0);
    three_stacked_circles: "three stacked circles", short(2, 0.80, 0.79), Bar;
    two_spheres: "two spheres", Bar, Bar;
    rotations: "rotations SO(3)", short(5, 0.05, 0.04), short(5, 0.04, 0.035);
    orthogonal_2: "orthogonal O(2)", short(3, 0.47, 0.45), short(3, 0.95, 0.40);
}
