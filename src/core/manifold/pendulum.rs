//! The pendulum's transitions (the paper's dynamics setting): the map from a state to a
//! point of R⁷, shared by the sampler and the distance, and the distance itself.

use crate::core::linalg::{solve, squared_distance};

/// The time step of one transition.
pub const DT: f64 = 0.1;
/// The sampled ranges of the angular velocity ω and the applied torque a.
pub const OMEGA: (f64, f64) = (-2.0, 2.0);
pub const TORQUE: (f64, f64) = (-1.0, 1.0);

/// A pendulum transition [cos θ, sin θ, ω, a, cos θ', sin θ', ω'] from (θ, ω, a), one
/// semi-implicit Euler step, with its Jacobian d(point)/d(θ, ω, a).
pub fn transition(state: [f64; 3]) -> ([f64; 7], [[f64; 3]; 7]) {
    transition_with(DT, state)
}

/// The same with time step `dt` (tests make pendulum data with another step with it).
pub fn transition_with(dt: f64, [theta, w, a]: [f64; 3]) -> ([f64; 7], [[f64; 3]; 7]) {
    let w1 = w + dt * (a - 9.81 * theta.sin());
    let theta1 = theta + dt * w1;
    let dw1 = [-dt * 9.81 * theta.cos(), 1.0, dt];
    let dtheta1 = [1.0 + dt * dw1[0], dt, dt * dt];
    let point = [theta.cos(), theta.sin(), w, a, theta1.cos(), theta1.sin(), w1];
    let jacobian = [
        [-theta.sin(), 0.0, 0.0],
        [theta.cos(), 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        dtheta1.map(|d| -theta1.sin() * d),
        dtheta1.map(|d| theta1.cos() * d),
        dw1,
    ];
    (point, jacobian)
}

/// Distance from `p` to the sampled pendulum set (ω and a in their ranges): damped
/// Gauss-Newton over (θ, ω, a) from the states the point itself suggests (its first, and
/// its second stepped back), keeping ω and a in range.
pub fn distance(p: &[f64]) -> f64 {
    let clamp = |q: [f64; 3]| [q[0], q[1].clamp(OMEGA.0, OMEGA.1), q[2].clamp(TORQUE.0, TORQUE.1)];
    let sq_dist = |q: [f64; 3]| squared_distance(&transition(q).0, p);
    let starts = [p[1].atan2(p[0]), p[5].atan2(p[4]) - DT * p[6]];
    starts
        .iter()
        .map(|&theta| {
            let mut q = clamp([theta, p[2], p[3]]);
            let mut f = sq_dist(q);
            let mut damping = 1e-6;
            for _ in 0..60 {
                let (point, j) = transition(q);
                let r: Vec<f64> = point.iter().zip(p).map(|(a, b)| a - b).collect();
                // (JᵀJ + λI) δ = −Jᵀr
                let mut m = vec![vec![0.0; 3]; 3];
                let mut g = vec![0.0; 3];
                for (row, ri) in j.iter().zip(&r) {
                    for a in 0..3 {
                        g[a] -= row[a] * ri;
                        for b in 0..3 {
                            m[a][b] += row[a] * row[b];
                        }
                    }
                }
                (0..3).for_each(|a| m[a][a] += damping);
                let step = solve(m, g);
                let next = clamp([q[0] + step[0], q[1] + step[1], q[2] + step[2]]);
                let f_next = sq_dist(next);
                if f_next < f {
                    (q, f, damping) = (next, f_next, damping * 0.3);
                } else {
                    damping *= 10.0;
                }
            }
            f.sqrt()
        })
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::linalg::norm;
    use crate::core::manifold::ManifoldKind;
    use crate::core::rng::Rng;

    #[test]
    fn distance_agrees_with_a_dense_reference_and_the_jacobian_is_right() {
        let kind = ManifoldKind::Pendulum;
        let mut rng = Rng::new(3);
        // Jacobian against central differences.
        let q = [0.7, -1.2, 0.4];
        let (_, j) = transition(q);
        for c in 0..3 {
            let (mut lo, mut hi) = (q, q);
            lo[c] -= 1e-6;
            hi[c] += 1e-6;
            let (a, b) = (transition(lo).0, transition(hi).0);
            for r in 0..7 {
                assert!(((b[r] - a[r]) / 2e-6 - j[r][c]).abs() < 1e-6, "d{r}/d{c}");
            }
        }
        // Points moved 0.03 off the set in a random direction: the distance is at most
        // 0.03, and never more than the nearest of 200 000 dense samples.
        let dense = kind.sample(200_000, 0.0, &mut rng);
        for p in kind.sample(20, 0.0, &mut rng).rows_f64() {
            let dir: Vec<f64> = (0..7).map(|_| rng.normal()).collect();
            let n = norm(&dir);
            let off: Vec<f64> = p.iter().zip(&dir).map(|(x, d)| x + 0.03 * d / n).collect();
            let d = distance(&off);
            assert!(d <= 0.03 + 1e-9 && d <= dense.nearest_distance(&off) + 1e-9, "{d}");
        }
        assert!(distance(&[2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0]) > 1.0, "twice the unit circle is far");
    }
}
