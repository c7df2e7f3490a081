//! A relation's loss and gradient on the CPU as one fused host computation.
//!
//! burn's autodiff takes a fitting step as about 150 tensor ops (the forward pass, the
//! input-gradient sweep of the core's `relation.rs`, the loss terms, and the reverse mode
//! of each), every one a pass over memory with an allocation and a graph node: on a
//! 2-core machine four fifths of a step went outside the matrix products (`perf`, README
//! "Speed"). Here the same derivatives are written out by hand over host arrays, the rows
//! in fixed chunks (natively a rayon task each), so each element-wise pass is a loop over
//! one chunk while it is in cache, and only the products go through gemm. The loss terms
//! come per row through [`RowLoss`] (the core's `loss::per_row`); the core's tests check
//! every gradient against burn's autodiff.

/// Rows per chunk. Fixed, so that the partial sums, and so the numbers, do not depend on
/// how many threads there are.
const CHUNK: usize = 128;

/// One layer's weights, `weight` row-major [inputs, outputs].
#[derive(Clone, Copy, Debug)]
pub struct Layer<'a> {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: &'a [f32],
    pub bias: &'a [f32],
}

impl Layer<'_> {
    fn len(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

/// What the loss says about one row of the batch, given g and v = ∇ₓg there: its share of
/// the loss and ∂loss/∂g, with ∂loss/∂v added into the slice it is given.
pub trait RowLoss: Sync {
    /// Whether the loss reads v (the input-gradient sweep and its reverse run only then).
    fn reads_gradient(&self) -> bool;
    fn row(&self, row: usize, g: f32, v: &[f32], v_bar: &mut [f32]) -> (f64, f32);
}

/// The loss over the rows `x` (row-major, `dim` columns) and its gradient, flat: for each
/// layer of `layers` (hidden tanh layers, then the output layer of width 1) its weight's,
/// then its bias's. The loss comes as a trait object so that this crate, not its caller,
/// compiles the loops (the caller is built for size in the page).
pub fn loss_and_gradient(layers: &[Layer], x: &[f32], dim: usize, loss: &dyn RowLoss) -> (f64, Vec<f32>) {
    let rows = x.len() / dim;
    let chunk = |c: usize| {
        let first = c * CHUNK;
        let last = (first + CHUNK).min(rows);
        chunk_gradient(layers, &x[first * dim..last * dim], dim, first, loss)
    };
    let chunks = rows.div_ceil(CHUNK);
    #[cfg(not(target_arch = "wasm32"))]
    let parts: Vec<(f64, Vec<f32>)> = {
        use rayon::prelude::*;
        (0..chunks).into_par_iter().map(chunk).collect()
    };
    #[cfg(target_arch = "wasm32")]
    let parts: Vec<(f64, Vec<f32>)> = (0..chunks).map(chunk).collect();
    let mut total = 0.0;
    let mut flat = vec![0.0f32; layers.iter().map(Layer::len).sum()];
    for (part_loss, part) in parts {
        total += part_loss;
        flat.iter_mut().zip(part).for_each(|(a, b)| *a += b);
    }
    (total, flat)
}

/// One chunk of rows: the forward pass and sweep, the loss's row terms, then reverse mode.
/// Notation as in `Relation::value_and_grad`: H_l = tanh(H_{l−1}W_l + b_l), S_l = 1 − H_l²,
/// g = H_L w + c; Δ_L = S_L ⊙ wᵀ, E_{l−1} = Δ_l W_lᵀ, Δ_{l−1} = E_{l−1} ⊙ S_{l−1}, v = Δ_1 W_1ᵀ.
/// Returns the chunk's loss and its gradient, flat, layer by layer (weight, then bias).
/// One function on purpose (over 80 lines): the forward, the sweep and the reverse pass share
/// the chunk's buffers and read as the equations above, top to bottom.
fn chunk_gradient(layers: &[Layer], x: &[f32], dim: usize, first: usize, loss: &dyn RowLoss) -> (f64, Vec<f32>) {
    let (out, hidden) = layers.split_last().expect("an output layer");
    assert!(!hidden.is_empty(), "the fused step needs a hidden layer");
    let m = x.len() / dim;
    let depth = hidden.len();
    let sweep = loss.reads_gradient();

    // Forward: H_l and S_l.
    let mut h: Vec<Vec<f32>> = Vec::with_capacity(depth);
    let mut s: Vec<Vec<f32>> = Vec::with_capacity(depth);
    for (l, layer) in hidden.iter().enumerate() {
        let input = if l == 0 { x } else { &h[l - 1] };
        let mut z = vec![0.0f32; m * layer.outputs];
        z.chunks_exact_mut(layer.outputs).for_each(|row| row.copy_from_slice(layer.bias));
        product(&mut z, input, false, layer.weight, false, m, layer.inputs, layer.outputs, true);
        tanh_in_place(&mut z);
        s.push(z.iter().map(|a| 1.0 - a * a).collect());
        h.push(z);
    }
    let top = h.last().map_or(x, Vec::as_slice);
    let width = out.inputs;
    let g: Vec<f32> = top.chunks_exact(width).map(|row| dot(row, out.weight) + out.bias[0]).collect();

    // The sweep: Δ_l (delta[l]) and E_l (e[l], for l < L).
    let mut delta: Vec<Vec<f32>> = vec![Vec::new(); depth];
    let mut e: Vec<Vec<f32>> = vec![Vec::new(); depth];
    let mut v = vec![0.0f32; if sweep { m * dim } else { 0 }];
    if sweep {
        delta[depth - 1] = s[depth - 1].chunks_exact(width).flat_map(|row| row.iter().zip(out.weight).map(|(a, w)| a * w)).collect();
        for l in (1..depth).rev() {
            let layer = &hidden[l];
            let mut below = vec![0.0f32; m * layer.inputs];
            product(&mut below, &delta[l], false, layer.weight, true, m, layer.outputs, layer.inputs, false);
            delta[l - 1] = below.iter().zip(&s[l - 1]).map(|(a, b)| a * b).collect();
            e[l - 1] = below;
        }
        product(&mut v, &delta[0], false, hidden[0].weight, true, m, hidden[0].outputs, dim, false);
    }

    // The loss, row by row: ḡ and V̄.
    let mut total = 0.0;
    let mut g_bar = vec![0.0f32; m];
    let mut v_bar = vec![0.0f32; v.len()];
    for r in 0..m {
        let (vr, vb): (&[f32], &mut [f32]) = if sweep { (&v[r * dim..(r + 1) * dim], &mut v_bar[r * dim..(r + 1) * dim]) } else { (&[], &mut []) };
        let (share, gb) = loss.row(first + r, g[r], vr, vb);
        total += share;
        g_bar[r] = gb;
    }

    // Reverse mode, into the gradient's slots: per layer its weight, then its bias.
    let mut grad = vec![0.0f32; layers.iter().map(Layer::len).sum()];
    let mut slots: Vec<(&mut [f32], &mut [f32])> = Vec::with_capacity(layers.len());
    let mut rest = grad.as_mut_slice();
    for layer in layers {
        let (this, tail) = rest.split_at_mut(layer.weight.len() + layer.bias.len());
        slots.push(this.split_at_mut(layer.weight.len()));
        rest = tail;
    }
    let ((out_w, out_b), slots) = slots.split_last_mut().expect("an output layer");
    // S̄_l from the sweep's reverse (the top one also reaches w).
    let mut s_bar: Vec<Vec<f32>> = vec![Vec::new(); depth];
    if sweep {
        let first_layer = &hidden[0];
        let mut d_bar = vec![0.0f32; m * first_layer.outputs];
        product(&mut d_bar, &v_bar, false, first_layer.weight, false, m, dim, first_layer.outputs, false);
        product(slots[0].0, &v_bar, true, &delta[0], false, dim, m, first_layer.outputs, true);
        for l in 0..depth - 1 {
            // Δ_l = E_l ⊙ S_l, E_l = Δ_{l+1} W_{l+1}ᵀ.
            let e_bar: Vec<f32> = d_bar.iter().zip(&s[l]).map(|(a, b)| a * b).collect();
            s_bar[l] = d_bar.iter().zip(&e[l]).map(|(a, b)| a * b).collect();
            let next = &hidden[l + 1];
            product(slots[l + 1].0, &e_bar, true, &delta[l + 1], false, next.inputs, m, next.outputs, true);
            d_bar = vec![0.0f32; m * next.outputs];
            product(&mut d_bar, &e_bar, false, next.weight, false, m, next.inputs, next.outputs, false);
        }
        // Δ_L = S_L ⊙ wᵀ.
        s_bar[depth - 1] = d_bar.chunks_exact(width).flat_map(|row| row.iter().zip(out.weight).map(|(a, w)| a * w)).collect();
        for (rd, rs) in d_bar.chunks_exact(width).zip(s[depth - 1].chunks_exact(width)) {
            out_w.iter_mut().zip(rd.iter().zip(rs)).for_each(|(acc, (a, b))| *acc += a * b);
        }
    }
    // g = H_L w + c.
    let mut h_bar: Vec<f32> = g_bar.iter().flat_map(|gb| out.weight.iter().map(move |w| gb * w)).collect();
    for (row, gb) in top.chunks_exact(width).zip(&g_bar) {
        out_w.iter_mut().zip(row).for_each(|(acc, a)| *acc += a * gb);
    }
    out_b[0] += g_bar.iter().sum::<f32>();
    // Down the hidden layers: H̄_l (+ the sweep's −2 H_l ⊙ S̄_l) → Z̄_l → W̄_l, b̄_l, H̄_{l−1}.
    for l in (0..depth).rev() {
        let layer = &hidden[l];
        let mut z_bar = h_bar;
        if sweep {
            z_bar.iter_mut().zip(h[l].iter().zip(&s_bar[l])).for_each(|(a, (hh, sb))| *a -= 2.0 * hh * sb);
        }
        z_bar.iter_mut().zip(&s[l]).for_each(|(a, d)| *a *= d);
        let input = if l == 0 { x } else { &h[l - 1] };
        let (w, b) = &mut slots[l];
        product(w, input, true, &z_bar, false, layer.inputs, m, layer.outputs, true);
        for row in z_bar.chunks_exact(layer.outputs) {
            b.iter_mut().zip(row).for_each(|(acc, a)| *acc += a);
        }
        h_bar = if l > 0 {
            let mut below = vec![0.0f32; m * layer.inputs];
            product(&mut below, &z_bar, false, layer.weight, true, m, layer.outputs, layer.inputs, false);
            below
        } else {
            Vec::new()
        };
    }
    (total, grad)
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// tanh z = 2σ(2z) − 1, σ from [`crate::sigmoid`] (a polynomial exp that vectorises).
fn tanh_in_place(z: &mut [f32]) {
    crate::sigmoid::sigmoid_of_twice(z);
    z.iter_mut().for_each(|s| *s = 2.0 * *s - 1.0);
}

/// dst (m×n, row-major) = [dst +] lhs · rhs, where lhs is m×k (stored k×m when
/// `lhs_transposed`) and rhs is k×n (stored n×k when `rhs_transposed`).
#[allow(clippy::too_many_arguments)]
fn product(dst: &mut [f32], lhs: &[f32], lhs_transposed: bool, rhs: &[f32], rhs_transposed: bool, m: usize, k: usize, n: usize, accumulate: bool) {
    assert!(dst.len() == m * n && lhs.len() == m * k && rhs.len() == k * n, "product shapes");
    let (lhs_rs, lhs_cs) = if lhs_transposed { (1, m as isize) } else { (k as isize, 1) };
    let (rhs_rs, rhs_cs) = if rhs_transposed { (1, k as isize) } else { (n as isize, 1) };
    // SAFETY: the assert above sizes every slice for the shapes and strides gemm is given
    // (row i, column j of each operand lies at i·rs + j·cs inside it), dst is borrowed
    // mutably and does not alias the shared lhs and rhs, and f32 is a type gemm supports.
    #[allow(unsafe_code)]
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.as_ptr(),
            lhs_cs,
            lhs_rs,
            rhs.as_ptr(),
            rhs_cs,
            rhs_rs,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}
