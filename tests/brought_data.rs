//! Both algorithms, at default settings, on data as people bring it (tests/suite/cases.rs,
//! `brought`): in its own units, large or mixed; curves that cross themselves; a knot;
//! sets in several pieces; groups of matrices; a scikit-learn-style swiss roll. Each is
//! held, over the suite's seeds, to the true relation count and the fidelity bar of
//! tests/unseen_manifolds.rs, measured in the set's own units.
//!
//! Short of the bar today (docs/suite.md; median / worst of seeds 1-3), each held a
//! little under what it reaches so that it stays visible and a regression fails: the
//! figure-eight knot (91.6% / 89.3% under transversality, 92.7% / 91.1% under syzygy,
//! against 95% for a closed set; from a sphere 67.8% / 65.2% and 66.6% / 53.8%: its
//! first two relations start from and keep to its loop's functions, init=loops; held
//! two to three points under, since its seeds 1-5 range over 89.3-93.5% and other hosts'
//! rounding moves single seeds); SO(3) (6 relations
//! at every seed with either algorithm; the exact relations reach 50.5%, all of O(3)). Its
//! figures move with the host's floating-point rounding, so its bars hold on both hosts
//! measured: 33.4% / 26.9% under transversality and 27.7% / 24.7% under syzygy on one,
//! 32.9% / 19.0% and 31.7% / 27.4% on an AVX-512 AMD EPYC, whose seed 2 keeps its g₆ under
//! transversality only with a fit from random weights given more steps (without them 5
//! relations, 4.7%).
#![cfg(not(target_arch = "wasm32"))]

#[macro_use]
mod suite;

use suite::Expect::Bar;
use suite::short;

suite_tests! { suite::cases::brought();
    swiss_roll: "swiss roll (scikit-learn units)", Bar, Bar;
    ellipse_in_centimetres: "ellipse in centimetres", Bar, Bar;
    ellipse_in_mixed_units: "ellipse in mixed units", Bar, Bar;
    figure_eight: "figure eight (Gerono)", Bar, Bar;
    vivianis_curve: "Viviani's curve", Bar, Bar;
    figure_eight_knot: "figure-eight knot", short(2, 0.89, 0.86), short(2, 0.89, 0.87);
    three_stacked_circles: "three stacked circles", Bar, Bar;
    two_spheres: "two spheres", Bar, Bar;
    nested_spheres: "nested spheres", Bar, Bar;
    linked_circles: "linked circles", Bar, Bar;
    rotations: "rotations SO(3)", short(6, 0.32, 0.17), short(6, 0.26, 0.22);
    orthogonal_2: "orthogonal O(2)", Bar, Bar;
}
