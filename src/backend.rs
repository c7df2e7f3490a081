//! Choosing where tensors live: the GPU through wgpu (WebGPU in a browser, Vulkan/Metal
//! natively) or burn's pure-Rust CPU backend (flex) as the fallback.

use crate::core::config::BackendChoice;
use crate::core::error::DeviceError;
use burn::tensor::Device;
use std::fmt;
use std::sync::{Mutex, OnceLock};

/// Why a backend could not be had.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendError {
    /// No GPU adapter, or one that would not give a device.
    NoGpu(String),
    /// A backend name the CLI does not know.
    Unknown(String),
    /// The backend's self-test could not read its result back.
    Device(DeviceError),
}

impl fmt::Display for BackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendError::NoGpu(why) => write!(f, "no usable GPU adapter: {why}"),
            BackendError::Unknown(name) => write!(f, "unknown backend '{name}': use cpu or gpu"),
            BackendError::Device(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BackendError {}

impl From<DeviceError> for BackendError {
    fn from(e: DeviceError) -> Self {
        BackendError::Device(e)
    }
}

/// Why the GPU device was lost, once it has been (WebGPU can lose a device at any time:
/// a driver reset, a tab in the background too long, `GPUDevice.destroy()`).
static GPU_LOST: Mutex<Option<String>> = Mutex::new(None);

/// Some(reason) after the GPU device was lost; work on it never completes after that.
pub fn gpu_lost() -> Option<String> {
    GPU_LOST.lock().ok()?.clone()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Gpu,
    Cpu,
}

#[derive(Clone, Debug)]
pub struct Backend {
    pub device: Device,
    pub kind: BackendKind,
    /// What a person sees: "WebGPU: SwiftShader Device (Subzero)", "CPU (burn flex)".
    pub description: String,
}

impl Backend {
    pub fn cpu() -> Self {
        Self { device: Device::flex(), kind: BackendKind::Cpu, description: "CPU (burn flex)".into() }
    }

    /// The GPU backend, initialised once per process (burn's wgpu runtime cannot be set up
    /// twice). Natively several threads may ask at once (the tests do): one sets it up while
    /// the others wait for it.
    pub async fn gpu() -> Result<Self, BackendError> {
        static GPU: OnceLock<Backend> = OnceLock::new();
        if let Some(b) = GPU.get() {
            return Ok(b.clone());
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            static SETTING_UP: Mutex<()> = Mutex::new(());
            let _one_at_a_time = SETTING_UP.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if let Some(b) = GPU.get() {
                return Ok(b.clone());
            }
            let backend = crate::core::block_on(Self::set_up_gpu())?;
            Ok(GPU.get_or_init(|| backend).clone())
        }
        #[cfg(target_arch = "wasm32")]
        {
            let backend = Self::set_up_gpu().await?;
            Ok(GPU.get_or_init(|| backend).clone())
        }
    }

    async fn set_up_gpu() -> Result<Self, BackendError> {
        let (device, setup) = Device::wgpu_options().init_with_setup_async().await.map_err(|e| BackendError::NoGpu(e.to_string()))?;
        setup.device.set_device_lost_callback(|reason, message| {
            if let Ok(mut lost) = GPU_LOST.lock() {
                *lost = Some(if message.is_empty() { format!("{reason:?}") } else { format!("{reason:?}: {message}") });
            }
        });
        let info = setup.adapter.get_info();
        let api = if cfg!(target_arch = "wasm32") { "WebGPU".to_string() } else { format!("{:?}", info.backend) };
        let name = if info.name.is_empty() { "adapter details hidden".to_string() } else { info.name };
        Ok(Self { device, kind: BackendKind::Gpu, description: format!("{api}: {name}") })
    }

    /// The backend `choice` names.
    pub async fn of(choice: BackendChoice) -> Result<Self, BackendError> {
        match choice {
            BackendChoice::Cpu => Ok(Self::cpu()),
            BackendChoice::Gpu => Self::gpu().await,
        }
    }

    /// By name, for the CLI and benchmarks: "cpu" or "gpu".
    pub async fn by_name(name: &str) -> Result<Self, BackendError> {
        match name {
            "cpu" | "flex" => Ok(Self::cpu()),
            "gpu" | "wgpu" => Self::gpu().await,
            other => Err(BackendError::Unknown(other.into())),
        }
    }
}

/// A small computation that proves a backend works: a relation network (the model the
/// run trains) evaluated on the device at sampled ellipse points, against a float64
/// evaluation of the same weights on the host.
#[derive(Clone, Debug, PartialEq)]
pub struct SelfTest {
    pub points: usize,
    /// The largest |device − host| difference in g.
    pub max_error: f64,
}

impl SelfTest {
    /// The backend card's line.
    pub fn describe(&self) -> String {
        format!(
            "Self-test on this backend: a relation network at {} points agrees with a float64 evaluation on the host, max error {:.1e}.",
            self.points, self.max_error
        )
    }
}

/// Each backend's self-test result: a device computes the same way every time, so the
/// test runs once however often the page asks (choosing, then describing the backend).
static SELF_TESTS: Mutex<Vec<(BackendKind, SelfTest)>> = Mutex::new(Vec::new());

impl Backend {
    pub async fn self_test(&self) -> Result<SelfTest, BackendError> {
        use crate::core::manifold::ManifoldKind;
        use crate::core::relation::{Activation, NetSpec, Relation, read_vec};
        use crate::core::rng::Rng;

        let done = |kind| SELF_TESTS.lock().ok().and_then(|tests| tests.iter().find(|(k, _)| *k == kind).map(|(_, t)| t.clone()));
        if let Some(test) = done(self.kind) {
            return Ok(test);
        }
        let points = 1024;
        let cloud = ManifoldKind::Ellipse.sample(points, 0.0, &mut Rng::new(1));
        let spec = NetSpec { input: 3, hidden: vec![16, 16], activation: Activation::Tanh };
        let net = Relation::init(&spec, &mut Rng::new(2), &self.device);
        let on_device = read_vec(net.value(cloud.to_tensor(&self.device))).await?;
        let layers = net.weights().await?;
        let max_error = cloud
            .rows_f64()
            .zip(on_device)
            .map(|(p, g)| (tanh_net(&layers, &p) - g as f64).abs())
            .fold(0.0, |worst: f64, e| if e.is_nan() { f64::INFINITY } else { worst.max(e) });
        let test = SelfTest { points, max_error };
        if let Ok(mut tests) = SELF_TESTS.lock() {
            tests.push((self.kind, test.clone()));
        }
        Ok(test)
    }
}

/// A tanh network's value at `x`, in float64 on the host (`weight` is [inputs, outputs]).
fn tanh_net(layers: &[crate::core::relation::LayerWeights], x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for (i, layer) in layers.iter().enumerate() {
        let mut out: Vec<f64> = layer.bias.iter().map(|&b| b as f64).collect();
        for (j, hj) in h.iter().enumerate() {
            for (o, value) in out.iter_mut().enumerate() {
                *value += layer.weight[j * layer.outputs + o] as f64 * hj;
            }
        }
        h = if i + 1 < layers.len() { out.iter().map(|v| v.tanh()).collect() } else { out };
    }
    h[0]
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;

    #[test]
    fn cpu_self_test_agrees_with_the_host() {
        let t = block_on(Backend::cpu().self_test()).unwrap();
        assert_eq!(t.points, 1024);
        assert!(t.max_error < 1e-4, "{t:?}");
    }

    #[test]
    fn the_host_reference_computes_a_small_network_as_by_hand() {
        use crate::core::relation::LayerWeights;
        let layer = |inputs, outputs, w: f32| LayerWeights { inputs, outputs, weight: vec![w; inputs * outputs], bias: vec![0.1; outputs] };
        let net = [layer(2, 2, 0.5), layer(2, 1, 1.0)];
        // g = 2 tanh(0.5(x1 + x2) + 0.1) + 0.1
        assert!((tanh_net(&net, &[1.0, -0.4]) - (2.0 * 0.4f64.tanh() + 0.1)).abs() < 1e-6);
    }
}
