//! A span of polynomials presented canonically, in the data's own coordinates: reduced row
//! echelon form in graded order (each generator's leading monomial is its highest), only
//! the generators that lower-degree ones times monomials do not already give, and
//! coefficients snapped to short fractions where that does not worsen the fit.

use super::monomials::Monomials;

/// Reduced row echelon form of `rows` (coefficients over monomials in graded order, so a
/// row's pivot is its leading monomial), with its pivot columns; rows that reduce to
/// under `tolerance` of the largest entry (how precisely the rows are known) are dropped.
/// `weight` is each monomial's size on the data (its RMS):
/// the elimination runs on coefficient × weight, what a term contributes there, so that
/// "nearly nothing" means the same for x⁴ and for 1 whatever the data's units (the echelon
/// form itself does not depend on it), and terms that contribute under a millionth of a
/// row's largest are dropped.
pub fn rref(rows: Vec<Vec<f64>>, weight: &[f64], tolerance: f64) -> (Vec<Vec<f64>>, Vec<usize>) {
    let width = weight.len();
    let mut rows: Vec<Vec<f64>> = rows.into_iter().map(|r| r.iter().zip(weight).map(|(c, w)| c * w).collect()).collect();
    let scale = rows.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..width {
        if r == rows.len() {
            break;
        }
        let best = (r..rows.len()).max_by(|&a, &b| rows[a][col].abs().total_cmp(&rows[b][col].abs())).expect("rows left");
        if rows[best][col].abs() <= tolerance * scale {
            continue;
        }
        rows.swap(r, best);
        let p = rows[r][col];
        rows[r].iter_mut().for_each(|v| *v /= p);
        let pivot_row = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && row[col] != 0.0 {
                let f = row[col];
                row.iter_mut().zip(&pivot_row).for_each(|(v, q)| *v -= f * q);
                row[col] = 0.0;
            }
        }
        pivots.push(col);
        r += 1;
    }
    rows.truncate(r);
    let rows = rows
        .into_iter()
        .zip(&pivots)
        .map(|(row, &p)| {
            let largest = row.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            row.iter().zip(weight).map(|(v, w)| if v.abs() < tolerance * largest { 0.0 } else { v / w * weight[p] }).collect()
        })
        .collect();
    (rows, pivots)
}

/// The polynomials `generators` (over `monomials`) times every monomial that keeps them
/// within its degree: the part of the ideal they generate up to that degree.
pub fn multiples(monomials: &Monomials, generators: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    for g in generators {
        let degree = (0..g.len()).filter(|&m| g[m] != 0.0).map(|m| monomials.degree_of(m)).max().unwrap_or(0);
        for (a, shift) in monomials.exponents.iter().enumerate() {
            if monomials.degree_of(a) + degree > monomials.degree {
                continue;
            }
            let mut product = vec![0.0; monomials.len()];
            for (m, &c) in g.iter().enumerate().filter(|(_, c)| **c != 0.0) {
                let exps: Vec<u8> = monomials.exponents[m].iter().zip(shift).map(|(x, y)| x + y).collect();
                product[monomials.index_of(&exps).expect("within the degree")] += c;
            }
            out.push(product);
        }
    }
    out
}

/// The generators `span` adds to `known` (both over the same monomials, `known` inside
/// `span`), reduced against both: what is left of span's rows once known's directions are
/// projected out (in weighted coordinates, where a remainder under NOISE of its row is the
/// noise of two computations of the same space), reduced modulo rref(known) and in
/// echelon form: in exact arithmetic the rows of rref(known ∪ span) whose leading
/// monomials are not leading monomials of known.
/// An eigen-solve's null vectors carry the next eigenvectors at about rounding / gap (2e-4
/// on the helix at degree 4, rounding 1e-16 against a gap at 5e-13), and more where many
/// mix: a direction this much of a row, or less, is that.
const NOISE: f64 = 0.05;

pub fn new_generators(known: &[Vec<f64>], span: &[Vec<f64>], weight: &[f64], tolerance: f64) -> Vec<Vec<f64>> {
    let weighted = |r: &Vec<f64>| -> Vec<f64> { r.iter().zip(weight).map(|(c, w)| c * w).collect() };
    let basis = super::span::orthonormal(known.iter().map(weighted).collect(), 1e-6);
    let mut remainders: Vec<Vec<f64>> = Vec::new();
    for row in span {
        let mut r = weighted(row);
        let length = r.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-300);
        r.iter_mut().for_each(|v| *v /= length);
        for q in basis.iter().chain(&remainders) {
            let along: f64 = r.iter().zip(q).map(|(a, b)| a * b).sum();
            r.iter_mut().zip(q).for_each(|(a, b)| *a -= along * b);
        }
        let left = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        if left >= NOISE {
            remainders.push(r.into_iter().map(|v| v / left).collect());
        }
    }
    if remainders.is_empty() {
        return Vec::new();
    }
    // Reduced modulo rref(known) (zero at its pivots), then in echelon form among
    // themselves: their leading monomials are none of known's.
    let (known_rows, known_pivots) = rref(known.to_vec(), weight, tolerance);
    let added: Vec<Vec<f64>> = remainders
        .into_iter()
        .map(|r| {
            let mut a: Vec<f64> = r.iter().zip(weight).map(|(c, w)| c / w).collect();
            for (row, &p) in known_rows.iter().zip(&known_pivots) {
                let f = a[p];
                a.iter_mut().zip(row).for_each(|(x, y)| *x -= f * y);
                a[p] = 0.0;
            }
            a
        })
        .collect();
    rref(added, weight, tolerance).0
}

/// A coefficient as a short fraction, where one is within a millionth of it (relative).
pub fn short_fraction(x: f64) -> Option<(i64, i64)> {
    for q in 1..=12i64 {
        let p = (x * q as f64).round();
        if (p / q as f64 - x).abs() <= 1e-6 * x.abs().max(1.0) && p.abs() < 1e6 {
            return Some((p as i64, q));
        }
    }
    None
}

/// `coefficients` with each snapped to the nearest fraction p/q, q ≤ 12, within `slack`
/// (relative), where one is.
pub fn snapped(coefficients: &[f64], slack: f64) -> Vec<f64> {
    coefficients
        .iter()
        .map(|&x| {
            if x == 0.0 {
                return 0.0;
            }
            (1..=12i64).map(|q| (x * q as f64).round() / q as f64).find(|f| (f - x).abs() <= slack * x.abs().max(1e-12) && *f != 0.0).unwrap_or(x)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ellipse_ideal_reduces_to_its_plane_and_a_reduced_quadric() {
        // Degree ≤ 2 part of ⟨x² + y² − 2z² − 1, y − 2z − 1⟩, given by a mixed basis.
        let m = Monomials::new(3, 2);
        let poly = |terms: &[(&[u8], f64)]| {
            let mut c = vec![0.0; m.len()];
            for (e, v) in terms {
                c[m.index_of(e).unwrap()] += v;
            }
            c
        };
        let plane = poly(&[(&[0, 1, 0], 1.0), (&[0, 0, 1], -2.0), (&[0, 0, 0], -1.0)]);
        let quadric = poly(&[(&[2, 0, 0], 1.0), (&[0, 2, 0], 1.0), (&[0, 0, 2], -2.0), (&[0, 0, 0], -1.0)]);
        let mixed: Vec<Vec<f64>> = vec![quadric.iter().zip(&plane).map(|(a, b)| 0.3 * a + b).collect(), plane.iter().map(|v| 2.0 * v).collect()];
        let weight = vec![1.0; m.len()];
        let linear = new_generators(&[], std::slice::from_ref(&plane), &weight, 1e-6);
        assert_eq!(linear.len(), 1);
        let ideal: Vec<Vec<f64>> = multiples(&m, &linear).into_iter().chain(mixed).collect();
        let quadrics = new_generators(&multiples(&m, &linear), &ideal, &weight, 1e-6);
        assert_eq!(quadrics.len(), 1, "one new generator in degree 2");
        // x² + 2z² + 4z: the quadric reduced by y = 2z + 1.
        let want = poly(&[(&[2, 0, 0], 1.0), (&[0, 0, 2], 2.0), (&[0, 0, 1], 4.0)]);
        assert!(quadrics[0].iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-9), "{:?}", quadrics[0]);
    }

    #[test]
    fn coefficients_snap_to_short_fractions_only_when_near() {
        assert_eq!(short_fraction(1.5), Some((3, 2)));
        assert_eq!(short_fraction(-0.3333333333), Some((-1, 3)));
        assert_eq!(short_fraction(0.123456), None);
        assert_eq!(snapped(&[0.49999, 2.0001, 0.1234], 1e-3), vec![0.5, 2.0, 0.1234]);
    }
}
