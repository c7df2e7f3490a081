//! Reverse mode through the explicit input-gradient sweep gives exact parameter
//! gradients of losses that contain ∇ₓg: checked against central finite differences.
#![cfg(not(target_arch = "wasm32"))]

use aml_playground::core::block_on;
use aml_playground::core::relation::{Activation, LayerWeights, NetSpec, Relation, read_vec};
use aml_playground::core::rng::Rng;
use burn::tensor::{Device, Tensor, TensorData};

/// A smooth loss that depends on both g and v = ∇ₓg: mean(g²) + mean(‖v‖²)/2 + mean(v₀·g).
fn loss(rel: &Relation, x: Tensor<2>) -> Tensor<1> {
    let (g, v) = rel.value_and_grad(x);
    let v0 = v.clone().narrow(1, 0, 1);
    g.clone().square().mean() + v.square().sum_dim(1).mean().div_scalar(2.0) + (v0 * g).mean()
}

fn loss_value(layers: &[LayerWeights], act: Activation, x: &[f32]) -> f64 {
    let device = Device::flex();
    let rel = Relation::from_weights(layers, act, &device);
    let xt = Tensor::<2>::from_data(TensorData::new(x.to_vec(), [x.len() / 3, 3]), &device);
    block_on(read_vec(loss(&rel, xt))).unwrap()[0] as f64
}

#[test]
fn parameter_gradients_through_the_sweep_match_finite_differences() {
    let x: Vec<f32> = vec![0.3, -0.2, 0.8, -0.6, 0.5, 0.1, 0.9, 0.4, -0.7];
    for act in [Activation::Tanh, Activation::Softplus, Activation::Silu] {
        let spec = NetSpec { input: 3, hidden: vec![6, 5], activation: act };
        let plain = Relation::init(&spec, &mut Rng::new(21), &Device::flex());
        let layers = block_on(plain.weights()).unwrap();

        let device = Device::flex().autodiff();
        let rel = Relation::from_weights(&layers, act, &device);
        let xt = Tensor::<2>::from_data(TensorData::new(x.clone(), [3, 3]), &device);
        let grads = loss(&rel, xt).backward();
        let analytic: Vec<Vec<f32>> = block_on(rel.layer_grads(&grads)).unwrap().into_iter().map(|l| l.weight).collect();

        for (l, layer) in layers.iter().enumerate() {
            for i in [0, layer.weight.len() / 2, layer.weight.len() - 1] {
                let h = 1e-3f32;
                let mut plus = layers.clone();
                plus[l].weight[i] += h;
                let mut minus = layers.clone();
                minus[l].weight[i] -= h;
                let fd = (loss_value(&plus, act, &x) - loss_value(&minus, act, &x)) / (2.0 * h as f64);
                let a = analytic[l][i] as f64;
                assert!((fd - a).abs() < 2e-3 * (1.0 + fd.abs()), "{act:?} layer {l} weight {i}: fd {fd} vs backward {a}");
            }
        }
    }
}
