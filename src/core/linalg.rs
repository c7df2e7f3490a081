//! Small dense linear algebra on the host: the k×k systems of Gauss-Newton steps and the
//! N×N covariances of local fits (N ≤ 16), and the vector helpers they share.

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// `v` less its parts along each of `basis` (orthonormal vectors).
pub fn reject(v: &mut [f64], basis: &[Vec<f64>]) {
    for q in basis {
        let c = dot(v, q);
        v.iter_mut().zip(q).for_each(|(a, b)| *a -= c * b);
    }
}

pub fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Gaussian elimination with partial pivoting, for small dense k×k systems (a near-zero
/// pivot is replaced by a tiny one rather than failing).
pub fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs())).unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = if a[col][col].abs() < 1e-300 { 1e-300 } else { a[col][col] };
        for r in col + 1..n {
            let f = a[r][col] / p;
            for c in col..n {
                a[r][c] -= f * a[col][c];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        let p = if a[r][r].abs() < 1e-300 { 1e-300 } else { a[r][r] };
        x[r] = (b[r] - s) / p;
    }
    x
}

/// Eigenvalues and unit eigenvectors of a small symmetric matrix by cyclic Jacobi
/// rotations, largest eigenvalue first: `(values, vectors)` with `vectors[i]` for `values[i]`.
pub fn symmetric_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect()).collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| a[i][j] * a[i][j]).sum();
        let total: f64 = a.iter().flatten().map(|x| x * x).sum();
        if off <= 1e-24 * total.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                for k in 0..n {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]));
    let values = order.iter().map(|&i| a[i][i]).collect();
    let vectors = order.iter().map(|&i| (0..n).map(|r| v[r][i]).collect()).collect();
    (values, vectors)
}

/// Eigenvalues and unit eigenvectors of a symmetric matrix (`a` row-major n×n), smallest
/// first, by Householder reduction to tridiagonal form and the implicit QL method
/// (Numerical Recipes' tred2 and tqli): O(n³) once, where cyclic Jacobi takes that per
/// sweep. For the equations' read-out (n up to 500), whose null space needs absolute
/// accuracy only (eigenvalues under 10⁻¹⁴ of the largest count as zero there). One function
/// (over 80 lines) as in the reference, so each step can be checked against it.
pub fn symmetric_eigen_large(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    // tred2: a becomes the orthogonal Q, d the diagonal, e the off-diagonal.
    for i in (1..n).rev() {
        let l = i - 1;
        let mut h = 0.0;
        if l > 0 {
            let scale: f64 = (0..=l).map(|k| a[i * n + k].abs()).sum();
            if scale == 0.0 {
                e[i] = a[i * n + l];
            } else {
                for k in 0..=l {
                    a[i * n + k] /= scale;
                    h += a[i * n + k] * a[i * n + k];
                }
                let f = a[i * n + l];
                let g = if f >= 0.0 { -h.sqrt() } else { h.sqrt() };
                e[i] = scale * g;
                h -= f * g;
                a[i * n + l] = f - g;
                let mut f = 0.0;
                for j in 0..=l {
                    a[j * n + i] = a[i * n + j] / h;
                    let mut g = 0.0;
                    for k in 0..=j {
                        g += a[j * n + k] * a[i * n + k];
                    }
                    for k in j + 1..=l {
                        g += a[k * n + j] * a[i * n + k];
                    }
                    e[j] = g / h;
                    f += e[j] * a[i * n + j];
                }
                let hh = f / (h + h);
                for j in 0..=l {
                    let f = a[i * n + j];
                    let g = e[j] - hh * f;
                    e[j] = g;
                    for k in 0..=j {
                        a[j * n + k] -= f * e[k] + g * a[i * n + k];
                    }
                }
            }
        } else {
            e[i] = a[i * n + l];
        }
        d[i] = h;
    }
    if n > 0 {
        d[0] = 0.0;
        e[0] = 0.0;
    }
    for i in 0..n {
        if d[i] != 0.0 {
            for j in 0..i {
                let mut g = 0.0;
                for k in 0..i {
                    g += a[i * n + k] * a[k * n + j];
                }
                for k in 0..i {
                    a[k * n + j] -= g * a[k * n + i];
                }
            }
        }
        d[i] = a[i * n + i];
        a[i * n + i] = 1.0;
        for j in 0..i {
            a[j * n + i] = 0.0;
            a[i * n + j] = 0.0;
        }
    }
    // tqli: the tridiagonal matrix's eigenvalues into d, eigenvectors into a's columns.
    for i in 1..n {
        e[i - 1] = e[i];
    }
    if n > 0 {
        e[n - 1] = 0.0;
    }
    for l in 0..n {
        let mut iterations = 0;
        loop {
            let mut m = l;
            while m + 1 < n {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * dd {
                    break;
                }
                m += 1;
            }
            if m == l || iterations == 60 {
                break;
            }
            iterations += 1;
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = g.hypot(1.0);
            g = d[m] - d[l] + e[l] / (g + if g >= 0.0 { r.abs() } else { -r.abs() });
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut i = m;
            let mut underflow = false;
            while i > l {
                i -= 1;
                let mut f = s * e[i];
                let b = c * e[i];
                r = f.hypot(g);
                e[i + 1] = r;
                if r == 0.0 {
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    underflow = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                for k in 0..n {
                    f = a[k * n + i + 1];
                    a[k * n + i + 1] = s * a[k * n + i] + c * f;
                    a[k * n + i] = c * a[k * n + i] - s * f;
                }
            }
            if underflow {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| d[i].total_cmp(&d[j]));
    let values = order.iter().map(|&i| d[i]).collect();
    let vectors = order.iter().map(|&i| (0..n).map(|r| a[r * n + i]).collect()).collect();
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_large_eigen_solver_agrees_with_jacobi() {
        let n = 40;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let v = ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5 + if i == j { 2.0 + i as f64 * 0.1 } else { 0.0 };
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        let (values, vectors) = symmetric_eigen_large(a.clone(), n);
        let rows: Vec<Vec<f64>> = (0..n).map(|i| a[i * n..(i + 1) * n].to_vec()).collect();
        let (jacobi, _) = symmetric_eigen(rows.clone());
        assert!(values.windows(2).all(|w| w[0] <= w[1]));
        for (l, j) in values.iter().zip(jacobi.iter().rev()) {
            assert!((l - j).abs() < 1e-9, "{l} vs {j}");
        }
        for (l, x) in values.iter().zip(&vectors) {
            let ax: Vec<f64> = rows.iter().map(|row| dot(row, x)).collect();
            assert!((norm(x) - 1.0).abs() < 1e-9);
            assert!(ax.iter().zip(x).all(|(a, v)| (a - l * v).abs() < 1e-9));
        }
    }

    #[test]
    fn eigenvectors_of_a_symmetric_matrix_satisfy_their_equation() {
        let a = vec![vec![4.0, 1.0, 0.5, 0.0], vec![1.0, 3.0, 0.2, 0.1], vec![0.5, 0.2, 1.0, -0.3], vec![0.0, 0.1, -0.3, 0.5]];
        let (values, vectors) = symmetric_eigen(a.clone());
        assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
        for (l, x) in values.iter().zip(&vectors) {
            let ax: Vec<f64> = a.iter().map(|row| row.iter().zip(x).map(|(r, v)| r * v).sum()).collect();
            let norm: f64 = x.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!((norm - 1.0).abs() < 1e-9);
            assert!(ax.iter().zip(x).all(|(a, v)| (a - l * v).abs() < 1e-9), "{ax:?} vs {l} {x:?}");
        }
    }
}
