//! Equations you can read: the polynomials of degree ≤ D that vanish where the kept
//! relations vanish, in the data's own coordinates, beside an approximate vanishing ideal
//! of the data alone (the baseline). D is the lowest degree from 1 to 4 whose read-out
//! explains every kept relation (their gradients' span near the data), or the one asked
//! for. Where no polynomial explains a relation the read-out says so with what it measured.

mod canonical;
mod monomials;
mod span;
#[cfg(test)]
mod tests;
mod text;

use crate::core::error::DeviceError;
pub use monomials::{Monomials, count};
use text::generator;
pub use text::{coefficient_text, variables};

use super::dataset::Dataset;
use super::relation::{Relation, gradients_at};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use span::{DATA_PRECISION, LOOSER_THAN_TIGHTEST, Sample, explained, null_space, residual};

/// The degree a read-out goes to: the lowest that explains the relations (up to
/// AUTO_DEGREE), or the one asked for (the link's `degree`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Degree {
    Auto,
    Fixed(usize),
}

/// The degrees a link may ask for ...
pub const DEGREES: (usize, usize) = (1, 6);
/// ... and how far `auto` looks.
pub const AUTO_DEGREE: usize = 4;
/// Most monomials a read-out takes: 16 columns at degree 4 would be 4,845, and the
/// read-out's matrix grows as their square.
pub const MOST_MONOMIALS: usize = 500;
/// The data points it reads (evenly spread over the training points).
const SAMPLE_POINTS: usize = 400;
/// A generator whose residual |p|/‖∇p‖ on the data is above this share of the data's RMS
/// radius does not vanish there and is not printed.
const HONEST_RESIDUAL: f64 = 0.05;
/// A generator whose terms' sizes on the data add up to more than this many times its
/// gradient's (working coordinates) vanishes there only by cancellation: the quartics that
/// nearly vanish on two exact turns of the helix measure 10⁴ and more, x² + y² − 1 and the
/// ellipse's generators 1 to 3.
const MOST_CANCELLATION: f64 = 100.0;

/// The relations file's `equations` object: generators in the data's own coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Equations {
    pub degree: usize,
    pub variables: Vec<String>,
    pub generators: Vec<Generator>,
    pub baseline: Option<Baseline>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    pub text: String,
    pub latex: String,
    pub terms: Vec<Term>,
    /// RMS of |p|/‖∇p‖ over the data, in the data's units: how far from p's zero set the
    /// data lies, to first order.
    pub residual: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub coefficient: f64,
    pub exponents: Vec<u32>,
}

/// The data-only baseline, in the same form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub degree: usize,
    pub variables: Vec<String>,
    pub generators: Vec<Generator>,
    pub method: String,
}

/// A read-out with what a person needs to judge it (the page's panel, the CLI).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadOut {
    pub equations: Equations,
    /// How many relations were read, and how many of their normal directions the
    /// generators' gradients span near the data.
    pub relations: usize,
    pub explained: usize,
    /// How clearly the read-out stands apart from the polynomials left out: the ratio of
    /// the first eigenvalue left out to the last one taken (10 and more: clear).
    pub confidence: f64,
    pub baseline_confidence: f64,
    /// What the read-out says beyond the equations: what is missing, why there are more
    /// generators than relations, a cap on the degree.
    pub notes: Vec<String>,
    pub seconds: f64,
    pub baseline_seconds: f64,
}

/// The polynomials of degree ≤ `degree` that `generators` (of `dim` variables) give: each
/// times every monomial that keeps it within the degree, as coefficients over
/// `Monomials::new(dim, degree)`. Generators of a higher degree give nothing.
pub fn span_of(generators: &[Generator], dim: usize, degree: usize) -> Vec<Vec<f64>> {
    let monomials = Monomials::new(dim, degree);
    let polynomials: Vec<Vec<f64>> = generators
        .iter()
        .filter(|g| g.terms.iter().all(|t| t.exponents.iter().sum::<u32>() as usize <= degree))
        .map(|g| {
            let mut c = vec![0.0; monomials.len()];
            for t in &g.terms {
                let e: Vec<u8> = t.exponents.iter().map(|&x| x as u8).collect();
                c[monomials.index_of(&e).expect("within the degree")] += t.coefficient;
            }
            c
        })
        .collect();
    canonical::multiples(&monomials, &polynomials)
}

/// The polynomial read-out of `kept` on `data` (see the module note). `now` gives seconds
/// from any origin (the page and the CLI time it their own way).
pub async fn read_out(kept: &[Relation], data: &Dataset, degree: Degree, device: &Device, now: &dyn Fn() -> f64) -> Result<ReadOut, DeviceError> {
    let started = now();
    let dim = data.dim();
    let mut notes = Vec::new();
    let wanted = match degree {
        Degree::Auto => AUTO_DEGREE,
        Degree::Fixed(d) => d.clamp(DEGREES.0, DEGREES.1),
    };
    let most = (1..=wanted).rev().find(|&d| count(dim, d) <= MOST_MONOMIALS).unwrap_or(1);
    if most < wanted {
        notes.push(format!(
            "degree {wanted} in {dim} variables has {} monomials; the read-out stops at degree {most} ({} monomials, at most {MOST_MONOMIALS} are read)",
            count(dim, wanted),
            count(dim, most)
        ));
    }
    let sample = sample(kept, data, device).await?;
    Ok(read_sample(&sample, kept.len(), data, degree, most, notes, now, started))
}

/// The read-out of relations given by their gradients at `sample`'s points.
#[allow(clippy::too_many_arguments)]
fn read_sample(
    sample: &Sample,
    relations: usize,
    data: &Dataset,
    degree: Degree,
    most: usize,
    mut notes: Vec<String>,
    now: &dyn Fn() -> f64,
    started: f64,
) -> ReadOut {
    let dim = data.dim();
    // Each degree's read-out, up to the one chosen: its minimal generators, and how many of
    // the relations' normal directions they explain.
    let mut spans: Vec<Span> = Vec::new();
    let mut baseline_spans: Vec<Span> = Vec::new();
    let mut baseline_confidence = 0.0;
    let mut baseline_seconds = 0.0;
    let mut last = (Vec::new(), Vec::new(), 0, 0.0);
    for d in 1..=most {
        let monomials = Monomials::new(dim, d);
        let (f, b, values_seconds) = null_space(&monomials, sample, now);
        baseline_seconds += values_seconds;
        let loose = f.loose;
        baseline_confidence = b.gap;
        baseline_spans.push(Span { monomials: monomials.clone(), polynomials: b.polynomials, precision: b.precision });
        spans.push(Span { monomials, polynomials: f.polynomials, precision: f.precision });
        let (generators, mut said) = minimal(&spans, data);
        if loose > 0 {
            said.push(format!(
                "{loose} polynomial(s) of degree ≤ {d} vanish on the data over {LOOSER_THAN_TIGHTEST} times less tightly than the tightest: they fit the sample, not the set, and are left out"
            ));
        }
        let top = &spans[d - 1].monomials;
        let working: Vec<Vec<f64>> = generators.iter().map(|(g, _)| in_working(top, g, data)).collect();
        let e = explained(top, &working, sample);
        last = (generators, said, e, f.gap);
        if degree == Degree::Auto && e >= relations {
            break;
        }
    }
    let d = spans.len();
    let (generators, said, explained_by, confidence) = last;
    notes.extend(said);
    let top = &spans[d - 1].monomials;
    let generators: Vec<Generator> = generators.iter().map(|(g, r)| generator(top, g, *r)).collect();
    let seconds = now() - started;
    let baseline_started = now();
    let (baseline_generators, _) = minimal(&baseline_spans, data);
    let baseline_generators = baseline_generators.iter().map(|(g, r)| generator(top, g, *r)).collect();
    // The baseline's time: its null spaces (which the read-out's start from) and its
    // presentation.
    let baseline_seconds = baseline_seconds + now() - baseline_started;
    describe(relations, explained_by, d, generators.len(), degree, &mut notes);
    let names = variables(dim);
    ReadOut {
        equations: Equations {
            degree: d,
            variables: names.clone(),
            generators,
            baseline: Some(Baseline {
                degree: d,
                variables: names,
                generators: baseline_generators,
                method: "approximate vanishing ideal of the data alone: the null space of the monomials' values on the data (as ABM and Breiding et al.), at the same degree and threshold".into(),
            }),
        },
        relations,
        explained: explained_by,
        confidence,
        baseline_confidence,
        notes,
        seconds,
        baseline_seconds,
    }
}

/// One degree's read-out: the polynomials (working coordinates) over its monomials, and
/// how precisely their coefficients are known.
struct Span {
    monomials: Monomials,
    polynomials: Vec<Vec<f64>>,
    precision: f64,
}

/// A polynomial of the data's coordinates as one of working coordinates: q(w) = p(c + s w).
fn in_working(monomials: &Monomials, c: &[f64], data: &Dataset) -> Vec<f64> {
    let frame = &data.frame;
    let centre: Vec<f64> = frame.centre.iter().zip(&frame.scale).map(|(c, s)| -c / s).collect();
    let scale: Vec<f64> = frame.scale.iter().map(|s| 1.0 / s).collect();
    monomials.to_data_coordinates(c, &centre, &scale)
}

/// The training points the read-out reads, with the kept relations' gradients there.
async fn sample(kept: &[Relation], data: &Dataset, device: &Device) -> Result<Sample, DeviceError> {
    let every = data.train.len().div_ceil(SAMPLE_POINTS).max(1);
    let rows: Vec<usize> = (0..data.train.len()).step_by(every).collect();
    let cloud = data.train.select(&rows);
    let gradients = gradients_at(kept, &cloud, device).await?;
    Ok(Sample::new(cloud.rows_f64().collect(), gradients))
}

/// The spans of each degree (working coordinates) as minimal generators in the data's
/// coordinates (over the last span's monomials), reduced and snapped, each with its
/// residual; those that do not vanish on the data, or only through cancelling terms far
/// larger than themselves, are left out with a note.
fn minimal(spans: &[Span], data: &Dataset) -> (Vec<(Vec<f64>, f64)>, Vec<String>) {
    let mut notes = Vec::new();
    let Some(top) = spans.last().map(|s| &s.monomials) else { return (Vec::new(), notes) };
    let frame = &data.frame;
    let embed = |from: &Monomials, to: &Monomials, c: &[f64]| {
        let mut out = vec![0.0; to.len()];
        for (m, &v) in c.iter().enumerate() {
            out[to.index_of(&from.exponents[m]).expect("a lower degree")] += v;
        }
        out
    };
    let points: Vec<Vec<f64>> = data.train_in_data_units().rows_f64().step_by(data.train.len().div_ceil(SAMPLE_POINTS).max(1)).collect();
    let working_points: Vec<Vec<f64>> = data.train.rows_f64().step_by(data.train.len().div_ceil(SAMPLE_POINTS).max(1)).collect();
    let mut chosen: Vec<Vec<f64>> = Vec::new(); // over `top`
    for Span { monomials, polynomials, precision } in spans {
        let weight = rms(monomials, &points);
        let in_data: Vec<Vec<f64>> = polynomials.iter().map(|c| monomials.to_data_coordinates(c, &frame.centre, &frame.scale)).collect();
        let lower: Vec<Vec<f64>> = chosen.iter().map(|g| restrict(top, monomials, g)).collect();
        let known = canonical::multiples(monomials, &lower);
        // A coefficient is known to about `precision` of the largest: pivots and terms under
        // a few times that are noise.
        let tolerance = (3.0 * precision).clamp(1e-6, 1e-2);
        for g in canonical::new_generators(&known, &in_data, &weight, tolerance) {
            chosen.push(embed(monomials, top, &g));
        }
    }
    let scale = data.train_in_data_units().scale();
    // Each generator snapped where that does not loosen it, with its residual.
    let snapped: Vec<(Vec<f64>, f64)> = chosen
        .into_iter()
        .map(|g| {
            let r = residual(top, &g, &points);
            let s = canonical::snapped(&g, 2e-2);
            match residual(top, &s, &points) {
                rs if rs <= 1.05 * r + 1e-12 * scale => (s, rs),
                _ => (g, r),
            }
        })
        .collect();
    // Held to the tightest: combinations can be looser than the null vectors they mix
    // (on two exact turns of the helix, quartics at 10⁴ times the cylinder's residual).
    let tightest = snapped.iter().map(|(_, r)| *r).fold(f64::INFINITY, f64::min).max(DATA_PRECISION * scale);
    let mut out = Vec::new();
    let mut looser: Vec<f64> = Vec::new();
    for (g, residual) in snapped {
        if residual > HONEST_RESIDUAL * scale {
            notes.push(format!(
                "a polynomial of degree ≤ {} nearly vanished on the data but lies {residual:.3} from it on average (more than 5% of its scale): left out",
                top.degree
            ));
            continue;
        }
        if residual > LOOSER_THAN_TIGHTEST * tightest {
            looser.push(residual / tightest);
            continue;
        }
        let cancelling = cancellation(top, &in_working(top, &g, data), &working_points);
        if cancelling > MOST_CANCELLATION {
            notes.push(format!(
                "a polynomial of degree ≤ {} vanishes on the data only through terms {cancelling:.0} times larger than it varies across it: left out",
                top.degree
            ));
            continue;
        }
        out.push((g, residual));
    }
    notes.extend(text::looser_note(top.degree, &looser));
    (out, notes)
}

/// How far a polynomial's vanishing is a cancellation: the sum of its terms' sizes on the
/// data over how much it varies across it (its gradient's RMS), in working coordinates,
/// where the data has RMS radius 1 (so an offset of the data does not count).
fn cancellation(monomials: &Monomials, c: &[f64], points: &[Vec<f64>]) -> f64 {
    let weight = rms(monomials, points);
    let terms: f64 = c.iter().zip(&weight).map(|(c, w)| c.abs() * w).sum();
    let m = monomials.len();
    let (mut values, mut gradients) = (vec![0.0; m], vec![0.0; monomials.dim * m]);
    let mut sum = 0.0;
    for p in points {
        monomials.evaluate(p, &mut values, &mut gradients);
        sum += (0..monomials.dim).map(|j| c.iter().zip(&gradients[j * m..(j + 1) * m]).map(|(a, b)| a * b).sum::<f64>().powi(2)).sum::<f64>();
    }
    terms / (sum / points.len().max(1) as f64).sqrt().max(1e-300)
}

/// Each monomial's RMS over `points`.
fn rms(monomials: &Monomials, points: &[Vec<f64>]) -> Vec<f64> {
    let m = monomials.len();
    let (mut values, mut gradients) = (vec![0.0; m], vec![0.0; monomials.dim * m]);
    let mut sum = vec![0.0; m];
    for p in points {
        monomials.evaluate(p, &mut values, &mut gradients);
        sum.iter_mut().zip(&values).for_each(|(s, v)| *s += v * v);
    }
    sum.into_iter().map(|s| (s / points.len().max(1) as f64).sqrt().max(1e-300)).collect()
}

/// A polynomial over `from` restricted to the monomials of `to` (its degree fits).
fn restrict(from: &Monomials, to: &Monomials, c: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; to.len()];
    for (m, &v) in c.iter().enumerate().filter(|(_, v)| **v != 0.0) {
        if let Some(i) = to.index_of(&from.exponents[m]) {
            out[i] = v;
        }
    }
    out
}

/// What the read-out says beyond its equations.
fn describe(relations: usize, explained: usize, degree: usize, generators: usize, asked: Degree, notes: &mut Vec<String>) {
    if relations == 0 {
        notes.push("no relation is kept yet: nothing to read".into());
        return;
    }
    if explained < relations {
        let upto = match asked {
            Degree::Auto => format!("up to degree {degree}"),
            Degree::Fixed(_) => format!("of degree ≤ {degree}"),
        };
        notes.push(format!(
            "polynomials {upto} explain {explained} of the {relations} directions the relations cut near the data; the rest is not polynomial {upto} (degree=… asks for more)"
        ));
    }
    if generators > relations && explained >= relations {
        notes.push(format!(
            "{generators} generators for {relations} relations: near the data {relations} equations cut the set out, but the polynomials that vanish on it need {generators} (the twisted cubic's 2 relations span 3 quadrics)"
        ));
    }
}
