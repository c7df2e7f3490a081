//! The GPU step's kernels (`core::gpu`) against the fused CPU step and burn's autodiff, on
//! every loss configuration: loss, weight gradients and one Adam update, natively on the
//! wgpu device (Mesa's lavapipe here; scripts/test sets AML_REQUIRE_GPU so it cannot skip).

use super::Session;
use super::steps::tests::{Kept, knot_setup, loss_cases, pruning_cases, setup};
use crate::backend::Backend;
use crate::core::block_on;
use crate::core::config::{Algorithm, Config};
use crate::core::gpu::{KernelTrainer, client_of};
use crate::core::phase::Phase;
use crate::core::relation::{LayerWeights, Relation, read_vec};
use burn::optim::GradientsParams;

fn gpu_or_skip() -> Option<Backend> {
    match block_on(Backend::gpu()) {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("AML_REQUIRE_GPU").is_some() => panic!("AML_REQUIRE_GPU is set but {e}"),
        Err(e) => {
            eprintln!("skipping the step kernels' test: {e}");
            None
        }
    }
}

/// `got` within `tolerance` of `want`, relative to the largest entry of all its layers (a
/// norm-wise comparison). Not per layer: the output layer's one bias is a sum over the
/// batch that can cancel to far below its terms, and there the float sums' order (the
/// device's threads) moved it 4e-5 of itself on lavapipe in one run of several.
fn assert_close(what: &str, want: &[LayerWeights], got: &[LayerWeights], tolerance: f32) {
    let largest = want.iter().flat_map(|l| l.weight.iter().chain(&l.bias)).fold(0.0f32, |m, a| m.max(a.abs()));
    for (l, (want, got)) in want.iter().zip(got).enumerate() {
        for (name, w, g) in [("weight", &want.weight, &got.weight), ("bias", &want.bias, &got.bias)] {
            for (i, (a, b)) in w.iter().zip(g).enumerate() {
                assert!((a - b).abs() <= tolerance * largest + 1e-9, "{what}: layer {l} {name}[{i}]: {a} (reference) vs {b} (kernels)");
            }
        }
    }
}

/// One case: the phase's terms over one batch by the kernels, the fused step and the graph.
fn check(what: &str, gpu: &Backend, session: &mut Session, job: &super::Job) {
    let drawn = session.draw_batch(job);
    let batch = session.batch(drawn);
    let terms = session.terms(job);
    let (fused_loss, fused) = session.fused_loss(job, &terms, &batch);
    let graph_loss = session.graph_loss(job, &terms, &batch);
    let graph = block_on(job.net.layer_grads(&graph_loss.clone().backward())).unwrap();
    let graph_loss = block_on(read_vec(graph_loss)).unwrap()[0] as f64;

    let weights = job.net.host_weights();
    let mut trainer = KernelTrainer::new(client_of(&gpu.device).expect("a cubecl device"), &weights);
    trainer.step(&session.kernel_rows(job, &batch), 0.0);
    let (loss, gradient) = block_on(trainer.read_gradient()).unwrap();
    for (reference, value) in [("fused", fused_loss), ("graph", graph_loss)] {
        assert!((loss - value).abs() <= 1e-5 * value.abs().max(1.0), "{what}: loss {loss} (kernels) vs {value} ({reference})");
    }
    assert_close(&format!("{what}, against the fused step"), &fused, &gradient, 1e-5);
    assert_close(&format!("{what}, against burn's autodiff"), &graph, &gradient, 1e-5);

    // One Adam step on the device against burn's Adam given the fused gradient.
    let lr = 3e-3;
    trainer.step(&session.kernel_rows(job, &batch), lr);
    let (_, stepped) = block_on(trainer.read()).unwrap();
    let mut optim = crate::core::phase::optimiser();
    let cpu_net = Relation::from_weights(&weights, job.net.activation(), &burn::tensor::Device::flex().autodiff());
    let grads: GradientsParams = cpu_net.gradients_params(fused);
    let expected = optim.step(lr, cpu_net, grads).host_weights();
    assert_close(&format!("{what}, one Adam step"), &expected, &stepped, 1e-5);
}

#[test]
fn the_step_kernels_have_the_fused_steps_and_the_graphs_loss_and_gradient() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (what, config, kept, step, _) in loss_cases() {
        let (mut session, job) = setup(config, kept, Phase::Fit, step);
        check(what, &gpu, &mut session, &job);
    }
    let syzygy = Config { samples: 512, batch: 200, hidden: vec![16, 8], algorithm: Algorithm::Syzygy, ..Config::default() };
    let (mut session, job) = setup(syzygy, Kept::Trained, Phase::Condition, 250);
    check("syzygy, conditioning", &gpu, &mut session, &job);
    let (mut session, job) = setup(Config { samples: 512, batch: 200, ..Config::default() }, Kept::Nothing, Phase::Warm, 0);
    check("warm start", &gpu, &mut session, &job);
    for phase in [Phase::Loops, Phase::Fit] {
        let (mut session, job) = knot_setup(Config { samples: 512, batch: 200, hidden: vec![16, 8], ..Config::default() }, phase);
        check(&format!("the knot's loops' functions, {}", phase.label()), &gpu, &mut session, &job);
    }
    for (what, mut session, job) in pruning_cases() {
        check(what, &gpu, &mut session, &job);
    }
}
