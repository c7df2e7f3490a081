//! Small dense linear algebra on the host: the k×k systems of Gauss-Newton steps.

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
