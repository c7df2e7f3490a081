//! Choosing where tensors live: the GPU through wgpu (WebGPU in a browser, Vulkan/Metal
//! natively) or burn's pure-Rust CPU backend (flex) as the fallback.

use burn::tensor::Device;
use std::sync::{Mutex, OnceLock};

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

    /// The GPU backend, initialised once per process (burn's wgpu runtime cannot be set up twice).
    pub async fn gpu() -> Result<Self, String> {
        static GPU: OnceLock<Backend> = OnceLock::new();
        if let Some(b) = GPU.get() {
            return Ok(b.clone());
        }
        let (device, setup) = Device::wgpu_options()
            .init_with_setup_async()
            .await
            .map_err(|e| format!("no usable GPU adapter: {e}"))?;
        setup.device.set_device_lost_callback(|reason, message| {
            if let Ok(mut lost) = GPU_LOST.lock() {
                *lost = Some(if message.is_empty() { format!("{reason:?}") } else { format!("{reason:?}: {message}") });
            }
        });
        let info = setup.adapter.get_info();
        let api = if cfg!(target_arch = "wasm32") { "WebGPU".to_string() } else { format!("{:?}", info.backend) };
        let name = if info.name.is_empty() { "adapter details hidden".to_string() } else { info.name };
        let backend = Self { device, kind: BackendKind::Gpu, description: format!("{api}: {name}") };
        Ok(GPU.get_or_init(|| backend).clone())
    }

    /// By name, for the CLI and benchmarks: "cpu" or "gpu".
    pub async fn by_name(name: &str) -> Result<Self, String> {
        match name {
            "cpu" | "flex" => Ok(Self::cpu()),
            "gpu" | "wgpu" => Self::gpu().await,
            other => Err(format!("unknown backend '{other}': use cpu or gpu")),
        }
    }
}

/// A small computation that proves a backend works: the flagship's true equations
/// evaluated on the device at sampled ellipse points (all residuals should be ~0) and
/// at shifted points (clearly not).
#[derive(Clone, Debug, PartialEq)]
pub struct SelfTest {
    pub points: usize,
    pub max_on: f64,
    pub min_off: f64,
}

impl Backend {
    pub async fn self_test(&self) -> Result<SelfTest, String> {
        use crate::core::manifold::ManifoldKind;
        use crate::core::relation::read_vec;
        use crate::core::rng::Rng;
        use burn::tensor::Tensor;

        let points = 1024;
        let cloud = ManifoldKind::Ellipse.sample(points, 0.0, &mut Rng::new(1));
        let x = cloud.to_tensor(&self.device);
        // |x² + y² − 2z² − 1| + |y − 2z − 1| per point, as tensor ops on the device.
        let residual = |x: Tensor<2>| {
            let c = |j: usize| x.clone().narrow(1, j, 1);
            let hyperboloid = c(0).square() + c(1).square() - c(2).square().mul_scalar(2.0) - 1.0;
            let plane = c(1) - c(2).mul_scalar(2.0) - 1.0;
            hyperboloid.abs() + plane.abs()
        };
        let on = read_vec(residual(x.clone()).max()).await?[0] as f64;
        let off = read_vec(residual(x.add_scalar(0.25)).min()).await?[0] as f64;
        Ok(SelfTest { points, max_on: on, min_off: off })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::core::block_on;

    #[test]
    fn cpu_self_test_separates_on_from_off() {
        let t = block_on(Backend::cpu().self_test()).unwrap();
        assert_eq!(t.points, 1024);
        assert!(t.max_on < 1e-4, "{t:?}");
        assert!(t.min_off > 0.1, "{t:?}");
    }
}
