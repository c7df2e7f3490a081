//! Monomials of N variables up to a degree, in graded lexicographic order (highest degree
//! first; within a degree x₁ before x₂ …), their values and gradients at a point, and the
//! change of variables that takes a polynomial of working coordinates to the data's own.

use std::collections::HashMap;

/// The exponent vectors of every monomial of degree ≤ `degree` in `dim` variables.
#[derive(Clone, Debug)]
pub struct Monomials {
    pub dim: usize,
    pub degree: usize,
    pub exponents: Vec<Vec<u8>>,
    index: HashMap<Vec<u8>, usize>,
}

/// C(dim + degree, degree): how many monomials there are of degree ≤ `degree`.
pub fn count(dim: usize, degree: usize) -> usize {
    (1..=degree).fold(1usize, |c, k| c.saturating_mul(dim + k) / k)
}

impl Monomials {
    pub fn new(dim: usize, degree: usize) -> Self {
        let mut exponents = Vec::with_capacity(count(dim, degree));
        for d in (0..=degree).rev() {
            let mut of_degree = Vec::new();
            compositions(dim, d, &mut vec![0; dim], 0, &mut of_degree);
            of_degree.sort_by(|a, b| b.cmp(a));
            exponents.extend(of_degree);
        }
        let index = exponents.iter().enumerate().map(|(i, e)| (e.clone(), i)).collect();
        Self { dim, degree, exponents, index }
    }

    pub fn len(&self) -> usize {
        self.exponents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exponents.is_empty()
    }

    pub fn degree_of(&self, m: usize) -> usize {
        self.exponents[m].iter().map(|&e| e as usize).sum()
    }

    pub fn index_of(&self, exponents: &[u8]) -> Option<usize> {
        self.index.get(exponents).copied()
    }

    /// Every monomial's value at `x`, into `values`, and its gradient into `gradients`
    /// (row j holds ∂/∂x_j of every monomial: `gradients[j * len + m]`).
    pub fn evaluate(&self, x: &[f64], values: &mut [f64], gradients: &mut [f64]) {
        let powers: Vec<Vec<f64>> = x.iter().map(|&v| (0..=self.degree).scan(1.0, |p, _| Some(std::mem::replace(p, *p * v))).collect()).collect();
        let n = self.len();
        for (m, e) in self.exponents.iter().enumerate() {
            values[m] = e.iter().enumerate().map(|(j, &k)| powers[j][k as usize]).product();
            for j in 0..self.dim {
                gradients[j * n + m] = if e[j] == 0 {
                    0.0
                } else {
                    e[j] as f64 * e.iter().enumerate().map(|(i, &k)| if i == j { powers[i][k as usize - 1] } else { powers[i][k as usize] }).product::<f64>()
                };
            }
        }
    }

    /// The coefficients (over these monomials) of p(x) = q((x − centre) / scale), where
    /// `q` has coefficients `coefficients`: a polynomial of working coordinates in the
    /// data's own. The degree does not change.
    pub fn to_data_coordinates(&self, coefficients: &[f64], centre: &[f64], scale: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        for (m, &c) in coefficients.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            // Π_j ((x_j − c_j)/s_j)^{e_j}, expanded one variable at a time.
            let mut terms: Vec<(Vec<u8>, f64)> = vec![(vec![0; self.dim], c)];
            for (j, &e) in self.exponents[m].iter().enumerate() {
                let mut next = Vec::with_capacity(terms.len() * (e as usize + 1));
                for (exps, coefficient) in &terms {
                    for a in 0..=e {
                        let mut exps = exps.clone();
                        exps[j] += a;
                        let factor = binomial(e, a) * (-centre[j]).powi((e - a) as i32) / scale[j].powi(e as i32);
                        next.push((exps, coefficient * factor));
                    }
                }
                terms = next;
            }
            for (exps, coefficient) in terms {
                out[self.index_of(&exps).expect("the same degree")] += coefficient;
            }
        }
        out
    }
}

/// Every exponent vector of `dim` entries summing to `left`, from position `at` on.
fn compositions(dim: usize, left: usize, current: &mut Vec<u8>, at: usize, out: &mut Vec<Vec<u8>>) {
    if at + 1 == dim || dim == 0 {
        if dim > 0 {
            current[at] = left as u8;
        }
        out.push(current.clone());
        return;
    }
    for k in (0..=left).rev() {
        current[at] = k as u8;
        compositions(dim, left - k, current, at + 1, out);
    }
    current[at] = 0;
}

fn binomial(n: u8, k: u8) -> f64 {
    (0..k).fold(1.0, |c, i| c * (n - i) as f64 / (i + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monomials_come_in_graded_order_and_count() {
        let m = Monomials::new(3, 2);
        assert_eq!(m.len(), 10);
        assert_eq!(count(3, 2), 10);
        assert_eq!(count(16, 4), 4845);
        let as_text: Vec<String> = m.exponents.iter().map(|e| format!("{}{}{}", e[0], e[1], e[2])).collect();
        assert_eq!(as_text, ["200", "110", "101", "020", "011", "002", "100", "010", "001", "000"]);
    }

    #[test]
    fn values_and_gradients_are_the_monomials_and_their_derivatives() {
        let m = Monomials::new(2, 3);
        let x = [0.7, -1.3];
        let (mut v, mut g) = (vec![0.0; m.len()], vec![0.0; 2 * m.len()]);
        m.evaluate(&x, &mut v, &mut g);
        let i = m.index_of(&[2, 1]).unwrap();
        assert!((v[i] - 0.49 * -1.3).abs() < 1e-12);
        assert!((g[i] - 2.0 * 0.7 * -1.3).abs() < 1e-12 && (g[m.len() + i] - 0.49).abs() < 1e-12);
    }

    #[test]
    fn a_change_of_coordinates_gives_the_same_polynomial() {
        // q(u, v) = u² − 2v + 1 with u = (x − 1)/2, v = (y + 3)/0.5.
        let m = Monomials::new(2, 2);
        let mut q = vec![0.0; m.len()];
        q[m.index_of(&[2, 0]).unwrap()] = 1.0;
        q[m.index_of(&[0, 1]).unwrap()] = -2.0;
        q[m.index_of(&[0, 0]).unwrap()] = 1.0;
        let p = m.to_data_coordinates(&q, &[1.0, -3.0], &[2.0, 0.5]);
        let eval = |c: &[f64], x: &[f64]| {
            let (mut v, mut g) = (vec![0.0; m.len()], vec![0.0; 2 * m.len()]);
            m.evaluate(x, &mut v, &mut g);
            c.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()
        };
        for x in [[0.3, 2.0], [-1.0, -3.5], [4.0, 0.1]] {
            let u = [(x[0] - 1.0) / 2.0, (x[1] + 3.0) / 0.5];
            assert!((eval(&p, &x) - eval(&q, &u)).abs() < 1e-9);
        }
    }
}
