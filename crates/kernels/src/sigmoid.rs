//! σ(2z) for tanh on the CPU backend: the fused training step's (`fused`, natively and in
//! the browser) and, in the browser, burn's graph's (the core's `relation.rs`). burn's CPU σ is a scalar loop
//! around `expf` with a branch per element; here exp is a branch-free polynomial
//! (Cephes' `expf`: range reduction by ln 2, a degree-7 polynomial, the exponent set from
//! bits), accurate to about 2 ulp, four lanes at a time with simd128 in wasm. The lanes
//! date from when this lived in the playground's own crate, built at opt-level z in the
//! page (which does not vectorise loops); they do the scalar version's operations in its
//! order, and give its results bit for bit (tests/compute.rs checks that in the browser).

/// σ(2x) for every x.
pub fn sigmoid_of_twice(values: &mut [f32]) {
    #[cfg(target_arch = "wasm32")]
    {
        let (head, body, tail) = bytemuck::pod_align_to_mut::<f32, std::arch::wasm32::v128>(values);
        body.iter_mut().for_each(|v| *v = lanes::sigmoid_of_twice(*v));
        head.iter_mut().chain(tail).for_each(|x| *x = one(*x));
    }
    #[cfg(not(target_arch = "wasm32"))]
    values.iter_mut().for_each(|x| *x = one(*x));
}

// Cephes' expf constants, shared by both versions.
/// Adding 1.5·2²³ rounds to an integer (ties to even) in plain f32 arithmetic, and that
/// integer is then the low bits of the sum.
const ROUND: f32 = 12_582_912.0;
const LO: f32 = -87.0;
const HI: f32 = 88.0;
/// ln 2 in two parts, so x − n ln 2 keeps its low bits.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
const P: [f32; 6] = [1.987_569_1e-4, 1.398_2e-3, 8.333_452e-3, 4.166_579_6e-2, 0.166_666_65, 0.5];

/// σ(2x), one value.
pub fn one(x: f32) -> f32 {
    1.0 / (1.0 + exp(-2.0 * x))
}

/// e^x, for x clamped to [−87, 88] (σ is 0 or 1 to f32 precision beyond).
fn exp(x: f32) -> f32 {
    let x = x.clamp(LO, HI); // NaN stays NaN (as in the lanes' min and max)
    let shifted = x * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let k = shifted.to_bits() as i32 - ROUND.to_bits() as i32;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = P[1..].iter().fold(P[0], |p, c| p * r + c);
    let y = p * r * r + r + 1.0;
    y * f32::from_bits(((k + 127) as u32) << 23)
}

#[cfg(target_arch = "wasm32")]
mod lanes {
    use super::*;
    use std::arch::wasm32::*;

    /// σ(2x) in four lanes: `one`, operation for operation.
    #[inline(always)]
    pub fn sigmoid_of_twice(x: v128) -> v128 {
        let e = exp(f32x4_mul(f32x4_splat(-2.0), x));
        f32x4_div(f32x4_splat(1.0), f32x4_add(f32x4_splat(1.0), e))
    }

    #[inline(always)]
    fn exp(x: v128) -> v128 {
        let x = f32x4_min(f32x4_max(x, f32x4_splat(LO)), f32x4_splat(HI));
        let shifted = f32x4_add(f32x4_mul(x, f32x4_splat(std::f32::consts::LOG2_E)), f32x4_splat(ROUND));
        let n = f32x4_sub(shifted, f32x4_splat(ROUND));
        let k = i32x4_sub(shifted, i32x4_splat(ROUND.to_bits() as i32));
        let r = f32x4_sub(f32x4_sub(x, f32x4_mul(n, f32x4_splat(LN2_HI))), f32x4_mul(n, f32x4_splat(LN2_LO)));
        let p = P[1..].iter().fold(f32x4_splat(P[0]), |p, &c| f32x4_add(f32x4_mul(p, r), f32x4_splat(c)));
        let y = f32x4_add(f32x4_add(f32x4_mul(f32x4_mul(p, r), r), r), f32x4_splat(1.0));
        f32x4_mul(y, i32x4_shl(i32x4_add(k, i32x4_splat(127)), 23))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn matches_the_exact_sigmoid_everywhere() {
        // A million points of [−60, 60], and the far ends where σ saturates.
        let mut xs: Vec<f32> = (0..).map(|i| -60.0 + i as f32 * (120.0 / 1_000_000.0)).take_while(|x| *x <= 60.0).collect();
        xs.extend([-1e30, -500.0, -44.0, -43.5, 0.0, -0.0, 1e-30, 43.5, 44.0, 500.0, 1e30]);
        let mut got = xs.clone();
        sigmoid_of_twice(&mut got);
        for (x, s) in xs.iter().zip(&got) {
            let exact = 1.0 / (1.0 + (-2.0 * *x as f64).exp());
            let error = (*s as f64 - exact).abs();
            assert!(error <= 3.0 * f32::EPSILON as f64 * exact || error < 1e-37, "σ(2·{x}) = {s}, exact {exact}");
        }
        // tanh from it: odd to rounding, and exact at 0; NaN stays NaN.
        let mut pair = vec![0.3f32, -0.3, 0.0, f32::NAN];
        sigmoid_of_twice(&mut pair);
        assert!(((2.0 * pair[0] - 1.0) + (2.0 * pair[1] - 1.0)).abs() < 1e-7);
        assert_eq!(2.0 * pair[2] - 1.0, 0.0);
        assert!(pair[3].is_nan());
    }
}
