//! The playground's CPU training kernels: a relation's loss and gradient as one fused host
//! computation (`fused`) and the host σ it takes tanh from (`sigmoid`). Plain loops over
//! f32 slices and gemm, no burn: the core (`aml_playground::core`) gives them the weights
//! and the loss terms and takes the gradients back.

pub mod fused;
pub mod sigmoid;
