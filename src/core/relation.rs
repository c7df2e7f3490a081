//! A relation g: R^N → R, a small MLP that returns its value together with its exact
//! input gradient v = ∇ₓg. burn's autodiff is first order only, so v is written out as an
//! explicit backward sweep in ordinary tensor ops; reverse mode through that sweep then
//! gives exact parameter gradients of losses that contain v.

use super::error::DeviceError;
use super::points::PointCloud;
use super::rng::Rng;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::optim::GradientsParams;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Tanh,
    Softplus,
    Silu,
    Sin,
}

crate::core::config::choice!(Activation {
    Tanh => "tanh", "tanh";
    Softplus => "softplus", "softplus";
    Silu => "silu", "silu";
    Sin => "sin", "sin";
});

impl Activation {
    /// σ(z) alone, for a value that needs no input gradient.
    fn value(self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Self::Tanh if off_graph_on_cpu(&z) => flex_tanh(z),
            _ => self.apply(z).0,
        }
    }

    /// (σ(z), σ'(z)) from the pre-activation z.
    fn apply(self, z: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        match self {
            // Off the autodiff graph (pictures, metrics, frozen relations) the slope path
            // below adds an exact zero: skipped, the same numbers in half the passes.
            Self::Tanh if off_graph_on_cpu(&z) => {
                let h = flex_tanh(z);
                let d = h.clone().square().neg().add_scalar(1.0);
                (h, d)
            }
            Self::Tanh if z.device().inner() == Device::flex() => {
                // On the CPU backend tanh z = 2σ(2z) − 1: σ is one op over exp, where tanh
                // went through the C library's tanhf (half of a training step). σ is taken
                // off the autodiff graph, since burn's σ records a backward that evaluates
                // σ again (a fifth of a step); the graph sees tanh + ((2(z − z))(1 − σ))σ·2,
                // the same value, whose backward multiplies by 2, σ, 1 − σ and 2 in the
                // order burn's would: the same numbers bit for bit, one exp fewer.
                let fixed = z.clone().detach();
                let s = sigmoid_of_twice(fixed.clone());
                let tanh = s.clone().mul_scalar(2.0).sub_scalar(1.0);
                let slope_path = ((z - fixed).mul_scalar(2.0) * s.clone().neg().add_scalar(1.0) * s).mul_scalar(2.0);
                let h = slope_path + tanh;
                let d = h.clone().square().neg().add_scalar(1.0);
                (h, d)
            }
            Self::Tanh => {
                let h = z.tanh();
                let d = h.clone().square().neg().add_scalar(1.0);
                (h, d)
            }
            Self::Softplus => {
                // softplus(z) = max(z,0) + log(1 + exp(-|z|)), stable for large |z|.
                let h = z.clone().clamp_min(0.0) + z.clone().abs().neg().exp().add_scalar(1.0).log();
                (h, sigmoid(z))
            }
            Self::Silu => {
                let s = sigmoid(z.clone());
                let h = z.clone() * s.clone();
                let d = s.clone() * (z * s.neg().add_scalar(1.0)).add_scalar(1.0);
                (h, d)
            }
            Self::Sin => (z.clone().sin(), z.cos()),
        }
    }
}

/// On the CPU backend and recorded by no autodiff graph (no gradient will flow through it).
fn off_graph_on_cpu(z: &Tensor<2>) -> bool {
    !z.is_tracked() && z.device().inner() == Device::flex()
}

/// tanh z = 2σ(2z) − 1 on the CPU backend (see `Activation::apply`).
fn flex_tanh(z: Tensor<2>) -> Tensor<2> {
    sigmoid_of_twice(z).mul_scalar(2.0).sub_scalar(1.0)
}

/// σ(2z) for a tensor on the CPU backend. In the browser on the host (`core::sigmoid`,
/// four lanes at a time), where burn's σ calls a software expf per element: a fifth of
/// the worker's time → 9% (e2e/profile-worker.mjs). Natively burn's σ over glibc's expf,
/// for what still runs as a graph there (metrics, pictures, frozen relations): training
/// steps on the CPU are fused host computations (`core::fused`) with the host σ.
fn sigmoid_of_twice(z: Tensor<2>) -> Tensor<2> {
    if cfg!(target_arch = "wasm32") {
        let (shape, device) = (z.shape(), z.device());
        let mut values = z.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 activations");
        super::sigmoid::sigmoid_of_twice(&mut values);
        Tensor::from_data(TensorData::new(values, shape), &device)
    } else {
        sigmoid(z.mul_scalar(2.0))
    }
}

/// The shape of a relation network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetSpec {
    pub input: usize,
    pub hidden: Vec<usize>,
    pub activation: Activation,
}

#[derive(Module, Debug)]
pub struct Relation {
    layers: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
}

/// Plain weights of one layer, `weight` row-major [inputs, outputs].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerWeights {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

impl LayerWeights {
    /// The layers as one flat vector, layer by layer, each weight then its bias: the layout
    /// the step kernels (`aml_kernels::fused`, `core::gpu`) take and give back.
    pub fn flatten(layers: &[LayerWeights]) -> Vec<f32> {
        layers.iter().flat_map(|l| l.weight.iter().chain(&l.bias)).copied().collect()
    }

    /// [`Self::flatten`]'s inverse, for layers of `shapes` (inputs, outputs).
    pub fn unflatten(shapes: impl Iterator<Item = (usize, usize)>, flat: &[f32]) -> Vec<LayerWeights> {
        let mut at = 0;
        shapes
            .map(|(inputs, outputs)| {
                let weight = flat[at..at + inputs * outputs].to_vec();
                let bias = flat[at + inputs * outputs..at + (inputs + 1) * outputs].to_vec();
                at += (inputs + 1) * outputs;
                LayerWeights { inputs, outputs, weight, bias }
            })
            .collect()
    }

    fn to_linear(&self, device: &Device) -> Linear {
        Linear {
            weight: Param::from_tensor(Tensor::from_data(TensorData::new(self.weight.clone(), [self.inputs, self.outputs]), device)),
            bias: Some(Param::from_tensor(Tensor::from_data(TensorData::new(self.bias.clone(), [self.outputs]), device))),
        }
    }
}

/// Layers of widths `sizes`, weights and biases Uniform(±1/√fan_in) drawn from `rng` on
/// the host, so a seed gives the same network on every backend.
pub(crate) fn random_layers(sizes: &[usize], rng: &mut Rng, device: &Device) -> Vec<Linear> {
    sizes
        .windows(2)
        .map(|w| {
            let bound = 1.0 / (w[0] as f64).sqrt();
            let mut draw = |k: usize| (0..k).map(|_| rng.range(-bound, bound) as f32).collect::<Vec<_>>();
            LayerWeights { inputs: w[0], outputs: w[1], weight: draw(w[0] * w[1]), bias: draw(w[1]) }.to_linear(device)
        })
        .collect()
}

impl Relation {
    /// A freshly initialised network (see [`random_layers`]).
    pub fn init(spec: &NetSpec, rng: &mut Rng, device: &Device) -> Self {
        let mut sizes = vec![spec.input];
        sizes.extend(&spec.hidden);
        sizes.push(1);
        Self { layers: random_layers(&sizes, rng, device), activation: spec.activation }
    }

    pub fn from_weights(layers: &[LayerWeights], activation: Activation, device: &Device) -> Self {
        Self { layers: layers.iter().map(|l| l.to_linear(device)).collect(), activation }
    }

    pub fn activation(&self) -> Activation {
        self.activation
    }

    pub fn input_dim(&self) -> usize {
        self.layers[0].weight.shape().dims::<2>()[0]
    }

    /// g(x) as [n, 1].
    pub fn value(&self, x: Tensor<2>) -> Tensor<2> {
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let h = hidden.iter().fold(x, |h, layer| self.activation.value(layer.forward(h)));
        last.forward(h)
    }

    /// (g(x) as [n, 1], ∇ₓg(x) as [n, N]).
    pub fn value_and_grad(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let (last, hidden) = self.layers.split_last().expect("at least one layer");
        let mut h = x;
        let mut slopes = Vec::with_capacity(hidden.len());
        for layer in hidden {
            let (a, d) = self.activation.apply(layer.forward(h));
            slopes.push(d);
            h = a;
        }
        let g = last.forward(h);
        // Backward sweep: δ_L = σ'_L ⊙ W_outᵀ, δ_{l-1} = (δ_l W_lᵀ) ⊙ σ'_{l-1}, v = δ_1 W_1ᵀ.
        let mut delta = last.weight.val().transpose(); // [1, H_L], broadcast over rows
        for (layer, d) in hidden.iter().zip(slopes).rev() {
            delta = (d * delta).matmul(layer.weight.val().transpose());
        }
        if delta.dims()[0] != g.dims()[0] {
            // No hidden layer: the gradient is the same for every row.
            delta = delta.repeat_dim(0, g.dims()[0]);
        }
        (g, delta)
    }

    /// The gradient of each layer's weights and bias in `grads` (zeros where none was
    /// recorded), as plain numbers shaped like the weights.
    pub async fn layer_grads(&self, grads: &burn::tensor::Gradients) -> Result<Vec<LayerWeights>, DeviceError> {
        let mut out = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let [inputs, outputs] = layer.weight.shape().dims::<2>();
            let weight = read_vec(layer.weight.val().grad(grads).unwrap_or_else(|| layer.weight.val().inner().zeros_like())).await?;
            let bias = match layer.bias.as_ref().and_then(|b| b.val().grad(grads)) {
                Some(g) => read_vec(g).await?,
                None => vec![0.0; outputs],
            };
            out.push(LayerWeights { inputs, outputs, weight, bias });
        }
        Ok(out)
    }

    /// The weights as plain numbers, read without waiting: only for the CPU backend, where
    /// a read is a copy (the fused step, `fused.rs`, reads them every step).
    pub(crate) fn host_weights(&self) -> Vec<LayerWeights> {
        let host = |t: Tensor<1>| t.into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 weights");
        self.layers
            .iter()
            .map(|l| {
                let [inputs, outputs] = l.weight.shape().dims::<2>();
                let bias = l.bias.as_ref().map_or_else(|| vec![0.0; outputs], |b| host(b.val()));
                LayerWeights { inputs, outputs, weight: host(l.weight.val().flatten(0, 1)), bias }
            })
            .collect()
    }

    /// Gradients shaped like the weights (one per layer, as [`Relation::host_weights`]
    /// gives them) as the optimiser takes them.
    pub(crate) fn gradients_params(&self, grads: Vec<LayerWeights>) -> GradientsParams {
        let mut params = GradientsParams::new();
        for (layer, grad) in self.layers.iter().zip(grads) {
            let device = layer.weight.val().device().inner();
            params.register(layer.weight.id, Tensor::<2>::from_data(TensorData::new(grad.weight, [grad.inputs, grad.outputs]), &device));
            if let Some(bias) = &layer.bias {
                params.register(bias.id, Tensor::<1>::from_data(TensorData::new(grad.bias, [grad.outputs]), &device));
            }
        }
        params
    }

    /// The weights as plain numbers (reads the device: async, so it also works on WebGPU).
    pub async fn weights(&self) -> Result<Vec<LayerWeights>, DeviceError> {
        let mut out = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            let [inputs, outputs] = layer.weight.shape().dims::<2>();
            let weight = read_vec(layer.weight.val()).await?;
            let bias = match &layer.bias {
                Some(b) => read_vec(b.val()).await?,
                None => vec![0.0; outputs],
            };
            out.push(LayerWeights { inputs, outputs, weight, bias });
        }
        Ok(out)
    }
}

/// Device-to-host reads so far, for the benchmarks (each one waits for the device).
static READS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many tensors [`read_vec`] has read to the host since the process started.
pub fn reads_so_far() -> usize {
    READS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts one device-to-host read (the GPU step's, `core::gpu`, reads its own buffers).
pub(crate) fn count_read() {
    READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Reads any tensor to the host as f32 without blocking (safe on WebGPU).
pub async fn read_vec<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, DeviceError> {
    count_read();
    let data = t.into_data_async().await.map_err(|e| DeviceError::Read(format!("{e:?}")))?;
    data.convert::<f32>().try_into_vec::<f32>().map_err(|e| DeviceError::Data(format!("{e:?}")))
}

/// Each of `relations`' gradients at each point of `cloud`, [point][relation][coordinate]:
/// one read per relation.
pub async fn gradients_at(relations: &[Relation], cloud: &PointCloud, device: &Device) -> Result<Vec<Vec<Vec<f64>>>, DeviceError> {
    let x = cloud.to_tensor(device);
    let mut at = vec![Vec::with_capacity(relations.len()); cloud.len()];
    for relation in relations {
        let (_, v) = relation.value_and_grad(x.clone());
        for (row, gradient) in at.iter_mut().zip(read_vec(v).await?.chunks(cloud.dim())) {
            row.push(gradient.iter().map(|&c| c as f64).collect());
        }
    }
    Ok(at)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;
    use crate::core::config::Choice;

    fn net(activation: Activation, seed: u64) -> Relation {
        let spec = NetSpec { input: 3, hidden: vec![16, 8], activation };
        Relation::init(&spec, &mut Rng::new(seed), &Device::flex())
    }

    fn eval(rel: &Relation, x: &[f32]) -> f64 {
        let t = Tensor::<2>::from_data(TensorData::new(x.to_vec(), [1, x.len()]), &Device::flex());
        block_on(read_vec(rel.value(t))).unwrap()[0] as f64
    }

    #[test]
    fn input_gradient_matches_central_differences() {
        let x = [0.3f32, -0.7, 1.1];
        for &act in Activation::ALL {
            let rel = net(act, 4);
            let t = Tensor::<2>::from_data(TensorData::new(x.to_vec(), [1, 3]), &Device::flex());
            let (_, v) = rel.value_and_grad(t);
            let v = block_on(read_vec(v)).unwrap();
            for j in 0..3 {
                let h = 1e-2f32;
                let (mut xp, mut xm) = (x, x);
                xp[j] += h;
                xm[j] -= h;
                let fd = (eval(&rel, &xp) - eval(&rel, &xm)) / (2.0 * h as f64);
                assert!((fd - v[j] as f64).abs() < 2e-3 * (1.0 + fd.abs()), "{act:?} coord {j}: fd {fd} vs {}", v[j]);
            }
        }
    }

    #[test]
    fn value_and_grad_agrees_with_value_and_weights_round_trip() {
        let rel = net(Activation::Tanh, 9);
        let x = [0.5f32, 0.1, -0.2];
        let t = Tensor::<2>::from_data(TensorData::new(x.to_vec(), [1, 3]), &Device::flex());
        let (g, _) = rel.value_and_grad(t);
        let g = block_on(read_vec(g)).unwrap()[0] as f64;
        assert!((g - eval(&rel, &x)).abs() < 1e-6);
        let weights = block_on(rel.weights()).unwrap();
        let copy = Relation::from_weights(&weights, Activation::Tanh, &Device::flex());
        assert!((eval(&copy, &x) - g).abs() < 1e-6);
        assert_ne!(weights, block_on(net(Activation::Tanh, 10).weights()).unwrap(), "seeds differ");
    }
}
