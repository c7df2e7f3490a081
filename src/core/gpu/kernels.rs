//! The training step on the GPU as two cubecl kernels of the project's own (burn's route for
//! custom kernels: `#[cube]` functions launched on the wgpu device's client):
//!
//! 1. [`row_gradients`], one invocation per batch row: the forward pass, the input-gradient
//!    sweep, the row's loss term (`core::loss`: `fit_row`, `negative_row`, `side_row`,
//!    `sphere_row`, each in its term's file), the reverse pass
//!    of both, and the row's share of every weight's gradient, written to its column of
//!    `partials` (no atomics: each value is written once);
//! 2. [`sum_and_adam`], one invocation per weight: the column sums (the gradient and, in
//!    the last slot, the loss) and Adam's update on the device.
//!
//! The notation and the order of operations are those of the fused CPU step
//! (`aml_kernels::fused::chunk_gradient`), row by row: H_l = tanh(H_{l−1}W_l + b_l),
//! S_l = 1 − H_l², g = H_L w + c; Δ_L = S_L ⊙ w, E_{l−1} = W_l Δ_l, Δ_{l−1} = E_{l−1} ⊙ S_{l−1},
//! v = W_1 Δ_1. The weights are flat, layer by layer, each weight [inputs, outputs]
//! row-major, then its bias (the relations file's order).

use crate::core::loss::fit::fit_row;
use crate::core::loss::negatives::negative_row;
use crate::core::loss::sides::side_row;
use crate::core::loss::warm::sphere_row;
use cubecl::prelude::*;

/// A batch row's slots before its frozen vectors: [x (dim) | term | share | a | b | q (k·dim)].
pub const HEAD: usize = 4;
/// Which term a row belongs to (slot `dim` of a row).
pub const FIT: u32 = 0;
pub const NEGATIVES: u32 = 1;
pub const SIDES: u32 = 2;
pub const WARM: u32 = 3;

/// Floats of private memory an invocation of [`row_gradients`] holds: WGSL allows 8 KiB
/// (2,048 floats) of function-scope variables per entry point.
pub fn private_floats(dim: usize, hidden: usize, depth: usize) -> usize {
    2 * (dim + hidden) + 6 * hidden + 3 * dim + 3 * (depth + 1) + 2
}

/// One row's share of the loss and of every weight's gradient. `widths` holds the hidden
/// widths; `partials` is
/// [(weights + 1) × rows], column-major (a weight's values over the rows are contiguous,
/// for the sums), the loss in the last column.
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn row_gradients(
    params: &[f32],
    rows: &[f32],
    widths: &[u32],
    partials: &mut [f32],
    batch: usize,
    frozen: usize,
    #[comptime] dim: usize,
    #[comptime] depth: usize,
    #[comptime] hidden: usize,
) {
    let r = ABSOLUTE_POS;
    if r >= batch {
        terminate!();
    }
    let stride = dim + HEAD + frozen * dim;
    let base = r * stride;
    // Activations [x | H_1 | .. | H_L] and, at the same offsets, the sweep's input bars.
    let mut acts = Array::<f32>::new(dim + hidden);
    let mut in_bar = Array::<f32>::new(dim + hidden);
    let mut slope = Array::<f32>::new(hidden);
    let mut delta = Array::<f32>::new(hidden);
    let mut e = Array::<f32>::new(hidden);
    let mut d_bar = Array::<f32>::new(hidden);
    let mut s_bar = Array::<f32>::new(hidden);
    let mut h_bar = Array::<f32>::new(hidden);
    let mut v = Array::<f32>::new(dim);
    // Each hidden layer's offset in `acts` (its input's is the layer below's) and its first weight.
    let mut at = Array::<usize>::new(depth + 1);
    let mut first = Array::<usize>::new(depth + 1);
    let mut width = Array::<usize>::new(depth + 1);
    at[0] = 0;
    first[0] = 0;
    width[0] = dim;
    #[unroll]
    for l in 0..depth {
        width[l + 1] = widths[l] as usize;
        at[l + 1] = at[l] + width[l];
        first[l + 1] = first[l] + (width[l] + 1) * width[l + 1];
    }
    let weights = first[depth] + width[depth] + 1;
    for i in 0..dim {
        acts[i] = rows[base + i];
        in_bar[i] = 0.0f32;
    }

    // Forward.
    #[unroll]
    for l in 0..depth {
        let inputs = width[l];
        let outputs = width[l + 1];
        let w0 = first[l];
        for o in 0..outputs {
            let mut z = params[w0 + inputs * outputs + o];
            for i in 0..inputs {
                z += acts[at[l] + i] * params[w0 + i * outputs + o];
            }
            let h = z.tanh();
            acts[at[l + 1] + o] = h;
            slope[at[l + 1] - dim + o] = 1.0f32 - h * h;
        }
    }
    let top = at[depth];
    let top_h = top - dim;
    let last = width[depth];
    let out = first[depth];
    let mut g = params[out + last];
    for i in 0..last {
        g += acts[top + i] * params[out + i];
    }

    // The sweep: Δ_L, then E and Δ down the layers, then v.
    for o in 0..last {
        delta[top_h + o] = slope[top_h + o] * params[out + o];
    }
    #[unroll]
    for t in 0..depth - 1 {
        let l = depth - 1 - t;
        let inputs = width[l];
        let outputs = width[l + 1];
        let w0 = first[l];
        let below = at[l] - dim;
        let here = at[l + 1] - dim;
        for i in 0..inputs {
            let mut sum = 0.0f32;
            for o in 0..outputs {
                sum += params[w0 + i * outputs + o] * delta[here + o];
            }
            e[below + i] = sum;
            delta[below + i] = sum * slope[below + i];
        }
    }
    for i in 0..dim {
        let mut sum = 0.0f32;
        for o in 0..width[1] {
            sum += params[i * width[1] + o] * delta[o];
        }
        v[i] = sum;
    }

    // The row's loss term: its share of the loss, ḡ, and V̄ into in_bar[0..dim].
    let term = rows[base + dim] as u32;
    let share = rows[base + dim + 1];
    let a = rows[base + dim + 2];
    let b = rows[base + dim + 3];
    let q = base + dim + HEAD;
    let mut result = Array::<f32>::new(2usize);
    if term == FIT {
        fit_row(g, &v, &mut in_bar, &mut result, rows, q, frozen, share, a, b, dim);
    } else if term == NEGATIVES {
        negative_row(g, &v, &mut in_bar, &mut result, share, a, b, dim);
    } else if term == SIDES {
        side_row(g, &v, &mut in_bar, &mut result, share, a, b, dim);
    } else {
        sphere_row(g, &mut result, share, a);
    }
    let loss = result[0];
    let g_bar = result[1];

    // Reverse of the sweep: D̄_1 = V̄ W_1, then up: Ē = D̄ ⊙ S, S̄ = D̄ ⊙ E, D̄ above = Ē W.
    for o in 0..width[1] {
        let mut sum = 0.0f32;
        for i in 0..dim {
            sum += in_bar[i] * params[i * width[1] + o];
        }
        d_bar[o] = sum;
    }
    #[unroll]
    for l in 0..depth - 1 {
        let inputs = width[l + 1];
        let outputs = width[l + 2];
        let w0 = first[l + 1];
        let here = at[l + 1] - dim;
        let above = at[l + 2] - dim;
        for i in 0..inputs {
            in_bar[at[l + 1] + i] = d_bar[here + i] * slope[here + i];
            s_bar[here + i] = d_bar[here + i] * e[here + i];
        }
        for o in 0..outputs {
            let mut sum = 0.0f32;
            for i in 0..inputs {
                sum += in_bar[at[l + 1] + i] * params[w0 + i * outputs + o];
            }
            d_bar[above + o] = sum;
        }
    }
    // Δ_L = S_L ⊙ w: S̄_L, and the output weights' sweep part.
    for o in 0..last {
        s_bar[top_h + o] = d_bar[top_h + o] * params[out + o];
        partials[(out + o) * batch + r] = d_bar[top_h + o] * slope[top_h + o] + g_bar * acts[top + o];
        h_bar[top_h + o] = g_bar * params[out + o];
    }
    partials[(out + last) * batch + r] = g_bar;

    // Down the hidden layers: Z̄ = (H̄ − 2 H ⊙ S̄) ⊙ S, W̄ = input ⊗ Z̄ + sweep input bar ⊗ Δ.
    #[unroll]
    for t in 0..depth {
        let l = depth - 1 - t;
        let inputs = width[l];
        let outputs = width[l + 1];
        let w0 = first[l];
        let here = at[l + 1] - dim;
        for o in 0..outputs {
            let h = acts[at[l + 1] + o];
            // Z̄ in H̄'s place.
            h_bar[here + o] = (h_bar[here + o] - 2.0f32 * h * s_bar[here + o]) * slope[here + o];
            partials[(w0 + inputs * outputs + o) * batch + r] = h_bar[here + o];
        }
        for i in 0..inputs {
            let x = acts[at[l] + i];
            let sweep = in_bar[at[l] + i];
            let mut below = 0.0f32;
            for o in 0..outputs {
                let weight = params[w0 + i * outputs + o];
                partials[(w0 + i * outputs + o) * batch + r] = x * h_bar[here + o] + sweep * delta[here + o];
                below += weight * h_bar[here + o];
            }
            if l > 0 {
                h_bar[at[l] - dim + i] = below;
            }
        }
    }
    partials[weights * batch + r] = loss;
}

/// One invocation per weight (and one for the loss): its column of `partials` summed over
/// the batch into `gradient`, then Adam's update of the weight as burn's Adam takes it
/// (`adam` = [lr, β1, β2, √(1 − β2ᵗ)/(1 − β1ᵗ), ε·√(1 − β2ᵗ)]). The loss goes to `loss`
/// (a chunk's last stays on the device until the chunk is read).
#[cube(launch)]
#[allow(clippy::too_many_arguments)]
pub fn sum_and_adam(
    partials: &[f32],
    params: &mut [f32],
    moment_1: &mut [f32],
    moment_2: &mut [f32],
    gradient: &mut [f32],
    loss: &mut [f32],
    adam: &[f32],
    batch: usize,
    weights: usize,
) {
    let j = ABSOLUTE_POS;
    if j > weights {
        terminate!();
    }
    let mut sum = 0.0f32;
    for r in 0..batch {
        sum += partials[j * batch + r];
    }
    gradient[j] = sum;
    if j == weights {
        loss[0] = sum;
    } else if adam[0] > 0.0f32 {
        let m = moment_1[j] * adam[1] + sum * (1.0f32 - adam[1]);
        let s = moment_2[j] * adam[2] + sum * sum * (1.0f32 - adam[2]);
        moment_1[j] = m;
        moment_2[j] = s;
        params[j] -= m * adam[3] / (s.sqrt() + adam[4]) * adam[0];
    }
}
