//! The training step on a GPU as the project's own kernels (`kernels.rs`): a relation's
//! weights, Adam's moments and the step's sums live on the device, a step is two
//! dispatches (the rows, then the sums with Adam's update), and a chunk of steps is read
//! back once (its last loss and the weights). burn's autodiff graph took 352 dispatches a
//! step (docs/performance.md, "The GPU step as the project's kernels").
//!
//! The loss terms give their rows through [`crate::core::loss::Term::kernel_rows`]; each
//! term's per-row formula on the device sits in its own file beside its other forms.

pub mod kernels;

use crate::core::error::DeviceError;
use crate::core::phase::ADAM_EPSILON;
use crate::core::relation::LayerWeights;
use burn::tensor::Device;
use burn_dispatch::DispatchDevice;
use cubecl::client::Client;
use cubecl::prelude::*;
use cubecl::server::Handle;

/// Invocations per workgroup.
const GROUP: u32 = 64;
/// Adam's β's: burn's defaults, which every other network of a run trains with
/// (`phase::optimiser`); its ε is `phase::ADAM_EPSILON`.
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;

/// The kernels' client for `device`, where it is a cubecl (GPU) device.
pub fn client_of(device: &Device) -> Option<Client> {
    match device.clone().inner().as_dispatch() {
        DispatchDevice::Cube(cube) => Some(cube.client()),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Whether the step kernels take networks of `hidden` widths on `dim`-dimensional data: a
/// hidden layer, and a row's vectors within WGSL's private memory (else steps run as graphs).
pub fn fits(dim: usize, hidden: &[usize]) -> bool {
    !hidden.is_empty() && kernels::private_floats(dim, hidden.iter().sum(), hidden.len()) <= 2048
}

/// A step's batch rows as the row kernel reads them: per row
/// [x (dim) | term | share | a | b | q (frozen·dim)], `kernels::HEAD` and the term codes.
pub struct KernelRows {
    pub dim: usize,
    /// The kept relations' count: each row carries that many frozen vectors.
    pub frozen: usize,
    pub data: Vec<f32>,
}

impl KernelRows {
    pub fn new(dim: usize, frozen: usize) -> Self {
        Self { dim, frozen, data: Vec::new() }
    }

    fn stride(&self) -> usize {
        self.dim + kernels::HEAD + self.frozen * self.dim
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.stride()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// One row: its point, its term, its share of the loss, the term's two numbers and its
    /// frozen vectors (fewer than `frozen`, or none, are padded with zeros).
    pub fn push(&mut self, x: &[f32], term: u32, share: f32, a: f32, b: f32, q: impl Iterator<Item = f32>) {
        self.data.extend_from_slice(x);
        self.data.extend([term as f32, share, a, b]);
        let want = self.data.len() + self.frozen * self.dim;
        self.data.extend(q.take(self.frozen * self.dim));
        self.data.resize(want, 0.0);
    }
}

/// A relation in training on the GPU: its weights and Adam's moments on the device.
pub struct KernelTrainer {
    client: Client,
    /// Layer sizes [input, hidden.., 1].
    sizes: Vec<usize>,
    widths: Handle,
    params: Handle,
    moment_1: Handle,
    moment_2: Handle,
    gradient: Handle,
    loss: Handle,
    weights: usize,
    /// Adam steps taken.
    time: i32,
}

/// A device buffer of `len` f32 or u32 as a kernel argument.
fn buffer(handle: &Handle, len: usize) -> BufferArg {
    // SAFETY: every handle passed here was created by this module with exactly `len`
    // elements of 4 bytes (`create_from_slice` of a slice of that length, or `empty` of
    // 4·len bytes), so the kernel's reads and writes below `len` stay inside it.
    #[allow(unsafe_code)]
    unsafe {
        BufferArg::from_raw_parts(handle.clone(), len)
    }
}

fn floats(bytes: &[u8]) -> Vec<f32> {
    f32::from_bytes(bytes).to_vec()
}

fn groups(n: usize) -> CubeCount {
    CubeCount::Static((n as u32).div_ceil(GROUP).max(1), 1, 1)
}

impl KernelTrainer {
    /// A tanh network with a hidden layer, its weights `layers` uploaded, Adam fresh.
    pub fn new(client: Client, layers: &[LayerWeights]) -> Self {
        let mut sizes = vec![layers[0].inputs];
        sizes.extend(layers.iter().map(|l| l.outputs));
        let flat = LayerWeights::flatten(layers);
        let weights = flat.len();
        let widths: Vec<u32> = sizes[1..sizes.len() - 1].iter().map(|&w| w as u32).collect();
        let zeros = vec![0.0f32; weights + 1];
        Self {
            widths: client.create_from_slice(u32::as_bytes(&widths)),
            params: client.create_from_slice(f32::as_bytes(&flat)),
            moment_1: client.create_from_slice(f32::as_bytes(&zeros[..weights])),
            moment_2: client.create_from_slice(f32::as_bytes(&zeros[..weights])),
            gradient: client.create_from_slice(f32::as_bytes(&zeros)),
            loss: client.create_from_slice(f32::as_bytes(&zeros[..1])),
            client,
            sizes,
            weights,
            time: 0,
        }
    }

    fn depth(&self) -> usize {
        self.sizes.len() - 2
    }

    /// The rows' loss and gradient on the device, and Adam's update at rate `lr` (0: none,
    /// the gradient only). Nothing is read back.
    pub fn step(&mut self, rows: &KernelRows, lr: f64) {
        let batch = rows.len();
        let dim = self.sizes[0];
        assert_eq!(rows.dim, dim, "rows of the network's input dimension");
        let hidden: usize = self.sizes[1..self.sizes.len() - 1].iter().sum();
        let partials = self.client.empty(4 * (self.weights + 1) * batch);
        let rows_handle = self.client.create_from_slice(f32::as_bytes(&rows.data));
        kernels::row_gradients::launch(
            &self.client,
            groups(batch),
            CubeDim::new_1d(GROUP),
            buffer(&self.params, self.weights),
            buffer(&rows_handle, rows.data.len()),
            buffer(&self.widths, self.depth()),
            buffer(&partials, (self.weights + 1) * batch),
            batch,
            rows.frozen,
            dim,
            self.depth(),
            hidden,
        );
        if lr > 0.0 {
            self.time += 1;
        }
        let t = self.time.max(1);
        let correction = (1.0 - BETA_2.powi(t)).sqrt();
        let adam = [lr as f32, BETA_1, BETA_2, correction / (1.0 - BETA_1.powi(t)), ADAM_EPSILON * correction];
        let adam = self.client.create_from_slice(f32::as_bytes(&adam));
        kernels::sum_and_adam::launch(
            &self.client,
            groups(self.weights + 1),
            CubeDim::new_1d(GROUP),
            buffer(&partials, (self.weights + 1) * batch),
            buffer(&self.params, self.weights),
            buffer(&self.moment_1, self.weights),
            buffer(&self.moment_2, self.weights),
            buffer(&self.gradient, self.weights + 1),
            buffer(&self.loss, 1),
            buffer(&adam, 5),
            batch,
            self.weights,
        );
    }

    /// The last step's loss and the weights now: the one read of a chunk of steps.
    pub async fn read(&self) -> Result<(f64, Vec<LayerWeights>), DeviceError> {
        crate::core::relation::count_read();
        let bytes = self.client.read_async(vec![self.loss.clone(), self.params.clone()]).await.map_err(|e| DeviceError::Read(format!("{e:?}")))?;
        let loss = floats(&bytes[0])[0] as f64;
        Ok((loss, self.unflatten(&floats(&bytes[1]))))
    }

    /// The last step's loss and gradient, shaped like the weights (for the tests).
    #[cfg(not(target_arch = "wasm32"))]
    pub async fn read_gradient(&self) -> Result<(f64, Vec<LayerWeights>), DeviceError> {
        let bytes = self.client.read_async(vec![self.gradient.clone()]).await.map_err(|e| DeviceError::Read(format!("{e:?}")))?;
        let flat = floats(&bytes[0]);
        Ok((flat[self.weights] as f64, self.unflatten(&flat[..self.weights])))
    }

    fn unflatten(&self, flat: &[f32]) -> Vec<LayerWeights> {
        LayerWeights::unflatten(self.sizes.windows(2).map(|w| (w[0], w[1])), flat)
    }
}
