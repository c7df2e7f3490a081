//! A generator as a person reads it: text, LaTeX and terms, coefficients as short
//! fractions where they are one.

use super::canonical;
use super::monomials::Monomials;
use super::{Generator, Term};

/// Variable names: x, y, z up to R³, else x1 … xN.
pub fn variables(dim: usize) -> Vec<String> {
    if dim <= 3 { ["x", "y", "z"][..dim].iter().map(|s| s.to_string()).collect() } else { (1..=dim).map(|i| format!("x{i}")).collect() }
}

/// A generator as text, LaTeX and terms (graded order, leading term first).
pub(super) fn generator(monomials: &Monomials, c: &[f64], residual: f64) -> Generator {
    let names = variables(monomials.dim);
    let terms: Vec<Term> = c
        .iter()
        .enumerate()
        .filter(|(_, v)| v.abs() > 1e-12)
        .map(|(m, &v)| Term { coefficient: v, exponents: monomials.exponents[m].iter().map(|&e| e as u32).collect() })
        .collect();
    let (text, latex) = (written(&terms, &names, false), written(&terms, &names, true));
    // A figure to read, to three significant digits (it also reads back from JSON the same).
    let residual = if residual > 0.0 { format!("{residual:.2e}").parse().unwrap_or(residual) } else { 0.0 };
    Generator { text, latex, terms, residual }
}

/// "x^2 + 2*z^2 + 4*z = 0", or in LaTeX "x^{2} + 2 z^{2} + 4 z = 0".
fn written(terms: &[Term], names: &[String], latex: bool) -> String {
    let mut out = String::new();
    for (i, t) in terms.iter().enumerate() {
        out += match (i, t.coefficient < 0.0) {
            (0, true) => "-",
            (0, false) => "",
            (_, true) => " - ",
            (_, false) => " + ",
        };
        let magnitude = t.coefficient.abs();
        let constant = t.exponents.iter().all(|&e| e == 0);
        let factors: Vec<String> = t
            .exponents
            .iter()
            .zip(names)
            .filter(|(e, _)| **e > 0)
            .map(|(&e, n)| {
                let n = if latex && n.len() > 1 { format!("{}_{{{}}}", &n[..1], &n[1..]) } else { n.clone() };
                match (e, latex) {
                    (1, _) => n,
                    (e, true) => format!("{n}^{{{e}}}"),
                    (e, false) => format!("{n}^{e}"),
                }
            })
            .collect();
        let coefficient = number(magnitude, latex);
        let joiner = if latex { " " } else { "*" };
        out += &match (constant, coefficient.as_str()) {
            (true, _) => coefficient,
            (false, "1") => factors.join(joiner),
            (false, _) => format!("{coefficient}{joiner}{}", factors.join(joiner)),
        };
    }
    if out.is_empty() {
        out = "0".into();
    }
    out + " = 0"
}

/// A coefficient's magnitude as the page shows it: "3/2", "0.1234".
pub fn coefficient_text(x: f64) -> String {
    number(x, false)
}

/// A coefficient's magnitude: a short fraction where it is one, else 4 significant digits.
fn number(x: f64, latex: bool) -> String {
    match canonical::short_fraction(x) {
        Some((p, 1)) => p.to_string(),
        Some((p, q)) if latex => format!("\\tfrac{{{p}}}{{{q}}}"),
        Some((p, q)) => format!("{p}/{q}"),
        None => {
            let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
            let s = format!("{x:.digits$}");
            if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
        }
    }
}

/// One note for every generator left out as far looser than the tightest (`ratios`: how
/// many times looser each is); the helix left out four quartics, one note each before.
pub fn looser_note(degree: usize, ratios: &[f64]) -> Option<String> {
    let (least, most) = ratios.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    match ratios.len() {
        0 => None,
        1 => Some(format!(
            "a polynomial of degree ≤ {degree} vanishes on the data {most:.0} times less tightly than the tightest: it fits the sample, not the set, and is left out"
        )),
        n => Some(format!(
            "{n} polynomials of degree ≤ {degree} vanish on the data {least:.0} to {most:.0} times less tightly than the tightest: they fit the sample, not the set, and are left out"
        )),
    }
}
