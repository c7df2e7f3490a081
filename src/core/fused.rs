//! The core's side of the fused CPU step (`aml_kernels::fused`): the network's weights and
//! the loss terms' per-row forms (`core::loss`) go in, gradients shaped like the weights come out.

use super::relation::LayerWeights;
use aml_kernels::fused::Layer;
pub use aml_kernels::fused::RowLoss;

/// The loss over the rows `x` (row-major, `dim` columns) and its gradient for each layer.
pub fn loss_and_gradient(layers: &[LayerWeights], x: &[f32], dim: usize, loss: &dyn RowLoss) -> (f64, Vec<LayerWeights>) {
    let views: Vec<Layer> = layers.iter().map(|l| Layer { inputs: l.inputs, outputs: l.outputs, weight: &l.weight, bias: &l.bias }).collect();
    let (total, flat) = aml_kernels::fused::loss_and_gradient(&views, x, dim, loss);
    (total, LayerWeights::unflatten(layers.iter().map(|l| (l.inputs, l.outputs)), &flat))
}

/// Adds `b`'s gradients into `a`, layer by layer.
pub fn add_gradients(a: &mut [LayerWeights], b: &[LayerWeights]) {
    for (x, y) in a.iter_mut().zip(b) {
        x.weight.iter_mut().zip(&y.weight).for_each(|(p, q)| *p += q);
        x.bias.iter_mut().zip(&y.bias).for_each(|(p, q)| *p += q);
    }
}
