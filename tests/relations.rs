//! The learning bars: the relations found on known manifolds, by both algorithms.
//! These train real networks on the CPU (a few seconds to a minute each in release).
#![cfg(not(target_arch = "wasm32"))]

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::{Algorithm, Config};
use aml_playground::core::dataset::Dataset;
use aml_playground::core::manifold::ManifoldKind;
use aml_playground::core::phase::Phase;
use aml_playground::core::relation::read_vec;
use aml_playground::core::report::Event;
use aml_playground::core::session::Session;
use aml_playground::core::verdict::Verdict;
use burn::module::Module;
use burn::tensor::{Tensor, TensorData};

/// A run of `config` on its own data, to the end.
fn trained(config: Config) -> Session {
    let mut session = Session::new(config.clone(), Dataset::synthetic(&config), &Backend::cpu().device);
    block_on(session.run(100, |_, _| {})).expect("training runs");
    session
}

fn learn(manifold: ManifoldKind, algorithm: Algorithm, max_relations: usize) -> Session {
    let session = trained(Config { manifold, algorithm, max_relations: Some(max_relations), ..Config::default() });
    for r in session.reports() {
        eprintln!(
            "{manifold:?} {algorithm:?} g{}: {:?} ratio {:.1} sin {:.2} syzygy {:?} fidelity {:?}",
            r.index + 1,
            r.verdict,
            r.metrics.ratio,
            r.metrics.sin_span,
            r.syzygy_error,
            r.fidelity
        );
    }
    session
}

fn verdicts(s: &Session) -> Vec<bool> {
    s.reports().iter().map(|r| r.verdict == Verdict::Independent).collect()
}

fn assert_ellipse(algorithm: Algorithm) {
    let s = learn(ManifoldKind::Ellipse, algorithm, 3);
    assert_eq!(verdicts(&s), vec![true, true, false], "two independent relations, the third dependent");
    assert_eq!(s.estimated_dimension(), 1);
    let fidelity = s.reports()[1].fidelity.clone().expect("measured after g2");
    // The bar, less the suite's slack for the worst of seeds 1-3 (tests/suite):
    // centred and scaled (norm=auto), transversality's seed 1 is that worst seed (0.895;
    // 1.00 at seeds 2 and 3, held by tests/builtin_manifolds.rs). Without the sphere warm
    // start this is 0.71-0.83 (seeds 1-3).
    assert!(fidelity.within >= 0.85, "intersection fidelity {fidelity:?}");
    assert!(fidelity.median_distance < 0.05, "most of the intersection is the ellipse: {fidelity:?}");
    assert!(fidelity.converged * 2 >= fidelity.tried, "most projections converge: {fidelity:?}");
    for r in &s.reports()[..2] {
        assert!(r.metrics.on_residual < 0.05, "vanishes on held-out data: {:?}", r.metrics);
        assert!(r.metrics.ratio > 10.0, "and not off the manifold: {:?}", r.metrics);
    }
}

#[test]
fn ellipse_has_two_relations_by_transversality() {
    assert_ellipse(Algorithm::Transversality);
}

#[test]
fn ellipse_has_two_relations_by_syzygies() {
    assert_ellipse(Algorithm::Syzygy);
}

#[test]
fn sphere_has_one_relation() {
    let s = learn(ManifoldKind::Sphere, Algorithm::Transversality, 3);
    assert_eq!(verdicts(&s), vec![true, false]);
    assert_eq!(s.estimated_dimension(), 2);
}

#[test]
fn helix_has_two_relations() {
    let s = learn(ManifoldKind::Helix, Algorithm::Transversality, 2);
    assert_eq!(verdicts(&s), vec![true, true]);
    assert_eq!(s.estimated_dimension(), 1);
}

/// Why the warm start exists: after it, g is negative at the centre of a closed curve,
/// positive far out, and its gradient points outwards all round the data, so the zero set
/// can settle onto the curve without branching.
#[test]
fn the_warm_start_wraps_the_data_in_a_consistently_oriented_sphere() {
    let config = Config::from_query("m=circle&steps=1000").0;
    let data = Dataset::synthetic(&config);
    let device = Backend::cpu().device;
    let mut session = Session::new(config, data.clone(), &device);
    loop {
        match block_on(session.work(25)).unwrap() {
            Event::Progress { phase: Phase::Fit, .. } => break,
            Event::Progress { phase: Phase::Warm, .. } => {}
            other => panic!("the warm start comes first, then the fit: {other:?}"),
        }
    }
    let g = session.current().expect("g1 in training").2.valid();
    let mu = data.train.centroid();
    let r = data.scale();
    let probe: Vec<f32> = mu.iter().chain(&[mu[0] + 2.0 * r, mu[1]]).map(|&v| v as f32).collect();
    let values = block_on(read_vec(g.value(Tensor::from_data(TensorData::new(probe, [2, 2]), &device)))).unwrap();
    assert!(values[0] < 0.0 && values[1] > 0.0, "inside negative, outside positive: {values:?}");
    let (_, v) = g.value_and_grad(data.train.to_tensor(&device));
    let v = block_on(read_vec(v)).unwrap();
    let outward = data.train.rows_f64().zip(v.chunks(2)).filter(|(p, v)| (p[0] - mu[0]) * v[0] as f64 + (p[1] - mu[1]) * v[1] as f64 > 0.0).count();
    assert_eq!(outward, data.train.len(), "the gradient points outwards at every data point");
}

/// Early stopping decides at fixed steps, so the page (which slices the work by time) and
/// the CLI stop each relation at the same step with the same verdict.
#[test]
fn early_stopping_does_not_depend_on_how_the_work_is_chunked() {
    let config = Config::from_query("m=circle").0;
    let run = |chunk| {
        let mut s = Session::new(config.clone(), Dataset::synthetic(&config), &Backend::cpu().device);
        block_on(s.run(chunk, |_, _| {})).expect("training runs");
        s.reports().iter().map(|r| (r.steps, r.stop, r.verdict.is_kept())).collect::<Vec<_>>()
    };
    let (odd, round) = (run(7), run(100));
    assert_eq!(odd, round);
    assert!(odd.iter().any(|(_, stop, _)| !matches!(stop, aml_playground::core::report::Stop::Cap { .. })), "something stopped early: {odd:?}");
}

/// stop=tighten gives a fit more steps, once, where they ran out while the keep tests
/// would keep it: with 150 steps (too few for early stopping to decide) the ellipse's g1 is
/// such a fit. stop=patient (the default) gives it up to three more stretches while it
/// improves; stop=early never does, and under syzygy a later relation's fit is not
/// extended: the adversary and the conditioning follow it.
#[test]
fn a_loose_fit_is_given_more_steps_once() {
    use aml_playground::core::report::Stop;
    let run = |query: &str| {
        let s = learn_with(query);
        s.reports().iter().map(|r| (r.stop, r.extended, r.conditioned.is_some(), r.verdict.is_kept())).collect::<Vec<_>>()
    };
    let tighten = run("m=ellipse&steps=150&alg=syzygy&stop=tighten");
    assert_eq!(tighten[0], (Stop::Cap { of: 250 }, Some(100), false, true), "{tighten:?}");
    assert!(tighten[1..].iter().all(|&(stop, extended, ..)| extended.is_none() && stop == Stop::Cap { of: 150 }), "{tighten:?}");
    assert!(tighten.iter().any(|r| r.2), "a later relation went on to the conditioning: {tighten:?}");
    let patient = run("m=ellipse&steps=150&alg=syzygy");
    assert!(matches!(patient[0].1, Some(extra) if extra > 100 && extra <= 300), "more than one stretch, at most three: {patient:?}");
    assert!(patient[0].3, "{patient:?}");
    let early = run("m=ellipse&steps=150&alg=syzygy&stop=early");
    assert_eq!(early[0], (Stop::Cap { of: 150 }, None, false, true), "{early:?}");
}

/// Pruning stray pieces leaves a continuation alone: the twisted cubic's relations run on
/// past its sampled ends, so a hundred of the projected points land far from the data, but
/// each walks home along the zero set, and no relation is trained against them (the
/// two-link arm under syzygy, whose stray pieces are pruned, is in unseen_manifolds.rs).
#[test]
fn a_continuation_past_the_data_is_not_pruned() {
    let s = learn(ManifoldKind::TwistedCubic, Algorithm::Transversality, 2);
    assert_eq!(verdicts(&s), vec![true, true]);
    assert!(s.reports().iter().all(|r| r.pruned.is_none()), "nothing pruned");
    assert!(s.history().iter().all(|p| p.phase != Phase::Prune), "no pruning steps");
    // The continuation is there: points land on it far from the data.
    use aml_playground::core::metrics::{Projection, intersection_points};
    use aml_playground::core::nearest::NearestIndex;
    let data = s.dataset();
    let (landed, _) = block_on(intersection_points(s.kept(), data, Projection::evaluation(1), &Backend::cpu().device)).expect("projection");
    let index = NearestIndex::new(&data.train);
    let far = landed.iter().filter(|p| index.distance(p) > 0.25 * data.scale()).count();
    assert!(far >= 50, "{far} of {} landed far from the data", landed.len());
    let off = learn_with("m=twisted-cubic&prune=off&rel=2");
    assert_eq!(
        off.reports().iter().map(|r| r.weights.clone()).collect::<Vec<_>>(),
        s.reports().iter().map(|r| r.weights.clone()).collect::<Vec<_>>(),
        "the same relations as without pruning"
    );
}

fn learn_with(query: &str) -> Session {
    let (config, notes) = Config::from_query(query);
    assert!(notes.is_empty(), "{notes:?}");
    trained(config)
}
