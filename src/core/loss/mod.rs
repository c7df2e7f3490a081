//! The training loss of a new relation g_k, one term a file, each holding every form a
//! step takes side by side: its tensor form (a burn graph, any backend), its per-row
//! derivative (the fused CPU step, `core::fused`) and the same row as a `#[cube]` function
//! with the rows it gives the GPU's kernels (`core::gpu`). A phase lists its terms
//! (`core::phase`), and every step is built from that list (`session::steps`): a new term
//! is a file here, a code in `core::gpu::kernels` and an entry in that list.
//!
//! - [`fit`]: vanishing on the data, the scale term and independence from the kept
//!   relations (Eq. 1 and 2);
//! - [`negatives`]: a hinge at off-manifold points, and at stray landings while pruning;
//! - [`sides`]: which side of a hypersurface g_1 puts points beside it;
//! - [`warm`]: the sphere the warm start regresses onto;
//! - [`push`]: syzygy's push away from the adversary (a graph only).
//!
//! Where and why these depart from the paper's printed forms: docs/decisions.md.

mod batch;
pub mod fit;
mod frozen;
pub mod negatives;
pub mod push;
pub mod sides;
pub mod warm;

pub use batch::{Batch, Part, TrainingSet};
pub use frozen::{FrozenRows, FrozenTable, FrozenView};

use super::gpu::KernelRows;
use super::relation::{LayerWeights, Relation};
use burn::tensor::Tensor;

const EPS: f64 = 1e-12;
/// Negatives ask for a residual of at least this share of the distance to the data ...
pub const MARGIN: f64 = 0.5;
/// ... capped at this many data scales, since |g|/‖v‖ only tracks distance near the set.
pub const MARGIN_CAP: f64 = 0.25;

/// Which training points a term's rows come from. A step draws one batch of rows from each
/// set its terms read, in this order (the order the random stream is drawn in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Points {
    /// The training data.
    Data,
    /// Off-manifold points (near the data and in its grown box), with their distance to it.
    Off,
    /// Points beside a hypersurface, with the signed offset that put them there.
    Sides,
    /// Stray landings of the joint zero set, with their distance to the data (pruning).
    Strays,
}

/// One term of a relation's training loss, weighted, in each form a step takes.
pub trait Term {
    /// The training sets its rows come from.
    fn points(&self) -> &'static [Points];
    /// The term over the batch as a burn graph (any backend); None where it is empty
    /// (nothing kept yet to be independent of).
    fn graph(&self, net: &Relation, batch: &Batch) -> Option<Tensor<1>>;
    /// The term and its gradient by the fused host step (the CPU backend), given the
    /// network's weights on the host.
    fn fused(&self, weights: &[LayerWeights], batch: &Batch) -> (f64, Vec<LayerWeights>);
    /// Whether it has per-row forms: the fused CPU step's and the GPU kernels' (else a step
    /// with it runs as a graph).
    fn has_fused_form(&self) -> bool {
        true
    }
    /// Its rows for the GPU step's kernels (`core::gpu`), read from the sets' host copies;
    /// false where it has no per-row form (`has_fused_form`).
    fn kernel_rows(&self, _batch: &Batch, _rows: &mut KernelRows) -> bool {
        false
    }
}

/// Per-row Euclidean norm as [n, 1].
pub fn row_norm(v: Tensor<2>) -> Tensor<2> {
    v.square().sum_dim(1).add_scalar(EPS).sqrt()
}

fn row_dot(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    (a * b).sum_dim(1)
}

/// ‖v‖ of one row, as [`row_norm`] takes it.
fn norm(v: &[f32]) -> f32 {
    (v.iter().map(|a| a * a).sum::<f32>() + EPS as f32).sqrt()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
