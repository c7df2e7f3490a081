//! The step's tests, and the sessions and jobs they (and the kernels', early stopping's
//! and the retry's tests) are set up with: the fused and the graph forms of every loss
//! configuration against each other.

use super::*;
use crate::core::block_on;
use crate::core::config::{Algorithm, Config, Independence, Init, ScaleTerm};
use crate::core::dataset::{Dataset, Truth};
use crate::core::frame::Normalise;
use crate::core::loss::negatives::Negatives;
use crate::core::loss::sides::Sides;
use crate::core::manifold::ManifoldKind;
use crate::core::relation::{Activation, LayerWeights, read_vec};
use burn::module::Module;
use burn::tensor::Device;

/// A first relation briefly trained on `data` (it nearly vanishes there).
fn briefly_trained(config: &Config, data: &Dataset, seed: u64) -> Vec<LayerWeights> {
    let config = Config { max_relations: Some(1), steps: 300, seed, ..config.clone() };
    let mut first = Session::new(config, data.clone(), &Device::flex());
    block_on(first.run(100, |_, _| {})).expect("trains");
    first.reports()[0].weights.clone()
}

/// What the session has kept when the job for its next relation starts.
#[derive(Clone, Copy, PartialEq)]
pub(in crate::core::session) enum Kept {
    Nothing,
    /// A random relation; the job's network is random too.
    Random,
    /// A briefly trained relation, and the job's network briefly trained from another
    /// seed: both nearly vanish on the data, so the negatives' hinge is active near it.
    /// (Their gradients are then nearly parallel, and the pairwise term's 1 − cos² is
    /// ill-conditioned: rounding in v moves its gradient by 1e-4, so pairwise cases
    /// use random networks.)
    Trained,
}

/// A session on the CPU and a job for its next relation in `phase`, `step` steps in
/// (the independence term's ramp).
pub(in crate::core::session) fn setup(config: Config, kept: Kept, phase: Phase, step: usize) -> (Session, Job) {
    let data = Dataset::synthetic(&config);
    let mut session = Session::new(config.clone(), data.clone(), &Device::flex());
    let mut job = session.new_job();
    match kept {
        Kept::Nothing => {}
        Kept::Random => {
            let spec = NetSpec { input: 3, hidden: config.hidden.clone(), activation: Activation::Tanh };
            session.keep(Relation::init(&spec, &mut Rng::new(7), &Device::flex()));
        }
        Kept::Trained => {
            session.keep(Relation::from_weights(&briefly_trained(&config, &data, 11), Activation::Tanh, &Device::flex()));
            job.net = Relation::from_weights(&briefly_trained(&config, &data, 12), Activation::Tanh, &session.device);
        }
    }
    job.phase = phase;
    job.step = step;
    (session, job)
}

/// The graph's loss and gradient against the fused step's, for the phase's terms.
fn assert_same(what: &str, session: &Session, job: &Job, batch: &Batch) {
    let terms = session.terms(job);
    let loss = session.graph_loss(job, &terms, batch);
    let fused = session.fused_loss(job, &terms, batch);
    let expected = block_on(job.net.layer_grads(&loss.clone().backward())).unwrap();
    let loss = block_on(read_vec(loss)).unwrap()[0] as f64;
    assert!((loss - fused.0).abs() <= 1e-5 * loss.abs().max(1.0), "{what}: loss {loss} (graph) vs {} (fused)", fused.0);
    for (l, (want, got)) in expected.iter().zip(&fused.1).enumerate() {
        for (name, w, g) in [("weight", &want.weight, &got.weight), ("bias", &want.bias, &got.bias)] {
            let largest = w.iter().fold(0.0f32, |m, a| m.max(a.abs()));
            assert!(largest > 0.0, "{what}: layer {l} {name} has a gradient");
            for (i, (a, b)) in w.iter().zip(g).enumerate() {
                assert!((a - b).abs() <= 1e-4 * largest + 1e-7, "{what}: layer {l} {name}[{i}]: {a} (graph) vs {b} (fused)");
            }
        }
    }
}

/// A term's own loss at a batch, by the fused step (its hinge is active where positive).
fn alone(job: &Job, term: &dyn Term, batch: &Batch) -> f64 {
    term.fused(&job.net.host_weights(), batch).0
}

/// The fit's loss configurations the per-row forms are checked on: (what, config, what is
/// kept, the step (the independence ramp), whether the sides' hinge is drawn).
pub(in crate::core::session) fn loss_cases() -> Vec<(&'static str, Config, Kept, usize, bool)> {
    let base = Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() };
    let torus = Config { manifold: ManifoldKind::Torus, ..base.clone() };
    vec![
        ("transversality, span, bounded, mid-ramp", base.clone(), Kept::Trained, 250, false),
        ("first relation (no frozen, no negatives)", base.clone(), Kept::Nothing, 10, false),
        ("first relation beside a hypersurface (sides)", torus.clone(), Kept::Nothing, 10, true),
        ("sides with the negatives' weight at 0: none", Config { negatives: 0.0, ..torus.clone() }, Kept::Nothing, 10, false),
        ("a hypersurface's second relation (no sides)", torus, Kept::Trained, 600, false),
        ("pairwise, paper scale", Config { independence: Independence::Pairwise, scale_term: ScaleTerm::Paper, ..base.clone() }, Kept::Random, 600, false),
        ("syzygy (no independence term)", Config { algorithm: Algorithm::Syzygy, ..base.clone() }, Kept::Trained, 600, false),
        ("negatives dominating", Config { negatives: 100.0, ..base.clone() }, Kept::Trained, 600, false),
        ("one hidden layer", Config { hidden: vec![12], ..base.clone() }, Kept::Trained, 600, false),
        ("three hidden layers", Config { hidden: vec![8, 12, 6], ..base }, Kept::Random, 600, false),
    ]
}

#[test]
fn the_fused_fit_has_the_graphs_loss_and_gradient() {
    let cases = loss_cases();
    for (what, config, kept, step, sides) in cases {
        let (mut session, job) = setup(config, kept, Phase::Fit, step);
        let drawn = session.draw_batch(&job);
        let batch = session.batch(drawn);
        assert_eq!(batch.has(Points::Off), kept != Kept::Nothing, "{what}: negatives drawn once a relation is kept");
        assert_eq!(batch.has(Points::Sides), sides, "{what}: sides drawn for g_1 beside a hypersurface");
        if kept == Kept::Trained {
            let hinge = Negatives { points: Points::Off, weight: 1.0, data_scale: session.dataset.scale() };
            assert!(alone(&job, &hinge, &batch) > 0.0, "{what}: the negatives' hinge is active at some rows");
        }
        if sides {
            assert!(alone(&job, &Sides { weight: 1.0 }, &batch) > 0.0, "{what}: the sides' hinge is active at some rows");
        }
        assert_same(what, &session, &job, &batch);
    }
    // Syzygy's conditioning phase has transversality's term, in both steps alike.
    let syzygy = Config { samples: 512, batch: 200, hidden: vec![16, 8], algorithm: Algorithm::Syzygy, ..Config::default() };
    let (mut session, mut job) = setup(syzygy, Kept::Trained, Phase::Fit, 250);
    let drawn = session.draw_batch(&job);
    let batch = session.batch(drawn);
    let fit = block_on(read_vec(session.graph_loss(&job, &session.terms(&job), &batch))).unwrap()[0];
    job.phase = Phase::Condition;
    let with_term = block_on(read_vec(session.graph_loss(&job, &session.terms(&job), &batch))).unwrap()[0];
    assert!(with_term > fit + 1e-3, "the independence term is on: {with_term} vs {fit} without it");
    assert_same("syzygy, conditioning", &session, &job, &batch);
}

/// A session pruning its last relation (the job's) against stray landings of the joint
/// zero set: the last of two relations, and a lone one (no kept relation: its own
/// residual is the joint one). The hinge is active there, since all vanish and the
/// points lie off the data.
pub(in crate::core::session) fn pruning_cases() -> Vec<(&'static str, Session, Job)> {
    let config = Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() };
    [("pruning the second relation", Kept::Trained), ("pruning a lone relation", Kept::Nothing)]
        .into_iter()
        .map(|(what, kept)| {
            let (mut session, job) = setup(config.clone(), kept, Phase::Prune, 600);
            let relations: Vec<Relation> = session.kept.iter().cloned().chain([job.net.valid()]).collect();
            let how = crate::core::metrics::Projection { points: 40, iterations: 20, seed: 5 };
            let (landings, _) = block_on(crate::core::metrics::intersection_points(&relations, &session.dataset, how, &Device::flex())).unwrap();
            assert!(!landings.is_empty(), "{what}: some points land");
            let strays = session.strays(&landings);
            session.pruning = Some(super::super::prune::StrayPruning::new(relations.len() - 1, job.net.valid(), strays, landings.len()));
            (what, session, job)
        })
        .collect()
}

#[test]
fn pruning_adds_the_stray_landings_hinge_in_both_steps_alike() {
    for (what, mut session, job) in pruning_cases() {
        let drawn = session.draw_batch(&job);
        assert!(drawn.iter().any(|(p, _)| *p == Points::Strays), "{what}: the strays are drawn while pruning");
        let batch = session.batch(drawn);
        let without: Vec<Box<dyn Term + '_>> = session.terms(&job).into_iter().filter(|t| t.points() != [Points::Strays]).collect();
        let fit = block_on(read_vec(session.graph_loss(&job, &without, &batch))).unwrap()[0];
        let with_strays = block_on(read_vec(session.graph_loss(&job, &session.terms(&job), &batch))).unwrap()[0];
        assert!(with_strays > fit + 1e-4, "{what}: the strays' hinge adds to the loss: {with_strays} vs {fit}");
        assert_same(what, &session, &job, &batch);
    }
}

#[test]
fn the_fused_warm_start_has_the_graphs_loss_and_gradient() {
    let (mut session, job) = setup(Config { samples: 512, batch: 200, ..Config::default() }, Kept::Nothing, Phase::Warm, 0);
    let drawn = session.draw_batch(&job);
    assert_eq!(drawn.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [Points::Data, Points::Off], "the warm start reads the data and the off points");
    let batch = session.batch(drawn);
    assert_same("warm start", &session, &job, &batch);
}

/// A session on the figure-eight knot (closed, off a plane: init=loops gives its first
/// two relations the loops' functions) and a job for its first relation in `phase`.
pub(in crate::core::session) fn knot_setup(config: Config, phase: Phase) -> (Session, Job) {
    let data = Dataset::from_cloud(crate::core::loops::tests::knot_cloud(config.samples, 1), Truth::Cloud, 1, Normalise::Auto);
    let mut session = Session::new(config, data, &Device::flex());
    let mut job = session.new_job();
    job.phase = phase;
    (session, job)
}

#[test]
fn only_closed_curves_off_a_plane_get_the_loops_functions_under_init_loops() {
    let config = Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() };
    let (mut knot, _) = knot_setup(config.clone(), Phase::Fit);
    assert!(knot.sets.loops.is_some(), "the knot");
    assert_eq!(knot.new_job().phase, Phase::Loops, "the knot's first relation starts from its loops");
    let (mut sphere, _) = knot_setup(Config { init: Init::Sphere, ..config.clone() }, Phase::Fit);
    assert!(sphere.sets.loops.is_none(), "the knot under init=sphere");
    assert_eq!(sphere.new_job().phase, Phase::Warm);
    let (mut ellipse, _) = setup(config.clone(), Kept::Nothing, Phase::Warm, 0);
    assert!(ellipse.sets.loops.is_none(), "the ellipse is a loop in a plane");
    assert_eq!(ellipse.new_job().phase, Phase::Warm);
    let (torus, _) = setup(Config { manifold: ManifoldKind::Torus, ..config }, Kept::Nothing, Phase::Warm, 0);
    assert!(torus.sets.loops.is_none(), "a surface");
}

#[test]
fn the_loops_warm_start_and_its_term_in_the_fit_have_the_graphs_loss_and_gradient() {
    let config = Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() };
    let (mut session, job) = knot_setup(config.clone(), Phase::Loops);
    let drawn = session.draw_batch(&job);
    let batch = session.batch(drawn);
    let (mut sphere, _) = knot_setup(Config { init: Init::Sphere, ..config.clone() }, Phase::Warm);
    let loops_loss = alone(&job, session.terms(&job)[0].as_ref(), &batch);
    let sphere_rows = sphere.draw_batch(&job);
    let sphere_batch = sphere.batch(sphere_rows);
    let sphere_loss = alone(&job, sphere.terms(&job)[0].as_ref(), &sphere_batch);
    assert!((loops_loss - sphere_loss).abs() > 1e-3 * sphere_loss, "the loops' targets, not the sphere's: {loops_loss} vs {sphere_loss}");
    assert_same("the loops' warm start", &session, &job, &batch);
    // The fit keeps them as a term, for the first two relations only.
    let (mut session, mut job) = knot_setup(config, Phase::Fit);
    assert_eq!(session.terms(&job).len(), 2, "the fit and the loops' functions");
    let drawn = session.draw_batch(&job);
    let batch = session.batch(drawn);
    assert_same("a fit with the loops' functions", &session, &job, &batch);
    job.phase = Phase::Condition;
    assert_eq!(session.terms(&job).len(), 2, "conditioning keeps them too");
    for _ in 0..2 {
        session.keep(job.net.valid());
    }
    assert_eq!(session.terms(&job).len(), 2, "a third relation: the fit and the negatives, no loops' term");
    assert_eq!(session.new_job().phase, Phase::Warm, "a third relation starts from the sphere");
}

#[test]
fn fused_steps_are_taken_on_the_cpu_for_tanh_networks_only() {
    let session = |config: Config| Session::new(config.clone(), Dataset::synthetic(&config), &Device::flex());
    assert!(session(Config::default()).fused);
    assert!(!session(Config { activation: Activation::Sin, ..Config::default() }).fused);
    assert!(!session(Config { hidden: Vec::new(), ..Config::default() }).fused);
}
