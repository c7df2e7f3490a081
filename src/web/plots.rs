//! Drawing with plotters on canvas: the scene (data, zero sets, intersection) in 2D or
//! as a rotatable 3D view, and the loss chart.

use super::protocol::MetricPoint;
use crate::core::metrics::{RATIO_MIN, SIN_MIN};
use crate::core::picture::{Picture, ZeroSet};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// One colour per relation, then the intersection in black.
pub const RELATION_COLOURS: [RGBColor; 6] =
    [RGBColor(59, 91, 219), RGBColor(230, 119, 0), RGBColor(47, 158, 68), RGBColor(174, 62, 201), RGBColor(12, 166, 120), RGBColor(201, 42, 42)];
const DATA_COLOUR: RGBColor = RGBColor(150, 155, 170);

pub fn colour_css(j: usize) -> String {
    let RGBColor(r, g, b) = RELATION_COLOURS[j % RELATION_COLOURS.len()];
    format!("rgb({r},{g},{b})")
}

fn area(canvas: HtmlCanvasElement) -> Result<DrawingArea<CanvasBackend, Shift>, String> {
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("canvas unavailable")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    Ok(root)
}

/// Points are drawn as filled squares reaching this many pixels from their centre (data
/// and zero sets; the intersection one more). A square is one canvas fillRect; a filled
/// circle is an arc path per point, and painting the 3D scene's thousands of circles made
/// the page's longest main-thread tasks (55-57 ms, e2e/profile.mjs).
const DOT: i32 = 1;
const SQUARE: [(i32, i32); 2] = [(-DOT, -DOT), (DOT, DOT)];
const BIG_SQUARE: [(i32, i32); 2] = [(-DOT - 1, -DOT - 1), (DOT + 1, DOT + 1)];

/// Draws the scene; `shown[j]` says whether relation j's zero set is drawn.
pub fn draw_scene(canvas: HtmlCanvasElement, pic: &Picture, shown: &[bool], show_intersection: bool, yaw: f64, pitch: f64) -> Result<(), String> {
    let root = area(canvas)?;
    if pic.dim < 2 || pic.bounds.len() < 2 {
        return Ok(());
    }
    let range = |j: usize| pic.bounds.get(j).map(|&(lo, hi)| lo as f64..hi as f64).unwrap_or(-1.0..1.0);
    let on = |j: usize| shown.get(j).copied().unwrap_or(true);
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    if pic.dim == 2 {
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(36)
            .build_cartesian_2d(range(0), range(1))
            .map_err(e)?;
        chart.configure_mesh().light_line_style(WHITE.mix(0.0)).draw().map_err(e)?;
        let at = |p: &Vec<f32>| (p[0] as f64, p[1] as f64);
        chart.draw_series(pic.data.iter().map(|p| EmptyElement::at(at(p)) + Rectangle::new(SQUARE, DATA_COLOUR.filled()))).map_err(e)?;
        for (j, set) in pic.zero_sets.iter().enumerate().filter(|(j, _)| on(*j)) {
            let c = RELATION_COLOURS[j % RELATION_COLOURS.len()];
            match set {
                ZeroSet::Lines(lines) => {
                    let seg = |s: &[[f32; 2]; 2]| PathElement::new(vec![(s[0][0] as f64, s[0][1] as f64), (s[1][0] as f64, s[1][1] as f64)], c.stroke_width(2));
                    chart.draw_series(lines.iter().map(seg)).map_err(e)?;
                }
                ZeroSet::Points(points) => {
                    chart.draw_series(points.iter().map(|p| EmptyElement::at(at(p)) + Rectangle::new(SQUARE, c.filled()))).map_err(e)?;
                }
            }
        }
        if show_intersection && pic.zero_sets.len() > 1 {
            chart.draw_series(pic.intersection.iter().map(|p| EmptyElement::at(at(p)) + Rectangle::new(BIG_SQUARE, BLACK.mix(0.75).filled()))).map_err(e)?;
        }
    } else {
        // R^N with N > 3 is shown through its first three coordinates.
        let mut chart = ChartBuilder::on(&root).margin(8).build_cartesian_3d(range(0), range(1), range(2)).map_err(e)?;
        chart.with_projection(|mut p| {
            p.yaw = yaw;
            p.pitch = pitch;
            p.scale = 0.8;
            p.into_matrix()
        });
        chart.configure_axes().light_grid_style(BLACK.mix(0.08)).max_light_lines(3).draw().map_err(e)?;
        let at = |p: &Vec<f32>| (p[0] as f64, p[1] as f64, p[2] as f64);
        chart.draw_series(pic.data.iter().map(|p| EmptyElement::at(at(p)) + Rectangle::new(SQUARE, DATA_COLOUR.filled()))).map_err(e)?;
        for (j, set) in pic.zero_sets.iter().enumerate().filter(|(j, _)| on(*j)) {
            let c = RELATION_COLOURS[j % RELATION_COLOURS.len()];
            if let ZeroSet::Points(points) = set {
                chart.draw_series(points.iter().map(|p| EmptyElement::at(at(p)) + Rectangle::new(SQUARE, c.mix(0.35).filled()))).map_err(e)?;
            }
        }
        if show_intersection && pic.zero_sets.len() > 1 {
            chart.draw_series(pic.intersection.iter().map(|p| EmptyElement::at(at(p)) + Rectangle::new(BIG_SQUARE, BLACK.mix(0.75).filled()))).map_err(e)?;
        }
    }
    root.present().map_err(|e| e.to_string())
}

/// Loss against step, one line per relation.
pub fn draw_loss(canvas: HtmlCanvasElement, history: &[(usize, usize, f64)]) -> Result<(), String> {
    let root = area(canvas)?;
    let finite: Vec<&(usize, usize, f64)> = history.iter().filter(|p| p.2.is_finite()).collect();
    if finite.is_empty() {
        return Ok(());
    }
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let max_step = finite.iter().map(|p| p.1).max().unwrap_or(1).max(1) as f64;
    let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.2), hi.max(p.2)));
    let pad = ((hi - lo) * 0.05).max(1e-3);
    let mut chart = ChartBuilder::on(&root)
        .margin(10)
        .x_label_area_size(26)
        .y_label_area_size(44)
        .caption("loss", ("sans-serif", 14))
        .build_cartesian_2d(0f64..max_step, (lo - pad)..(hi + pad))
        .map_err(e)?;
    chart.configure_mesh().x_desc("step").light_line_style(WHITE.mix(0.0)).draw().map_err(e)?;
    let relations = finite.iter().map(|p| p.0).max().unwrap_or(0);
    for j in 0..=relations {
        let c = RELATION_COLOURS[j % RELATION_COLOURS.len()];
        let line = finite.iter().filter(|p| p.0 == j).map(|p| (p.1 as f64, p.2));
        chart.draw_series(LineSeries::new(line, c.stroke_width(2))).map_err(e)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The live metrics, one line per relation: the off/on residual ratio (log scale) above,
/// the sine to the span of the kept gradients below, each with its keep threshold dashed.
pub fn draw_metrics(canvas: HtmlCanvasElement, points: &[MetricPoint]) -> Result<(), String> {
    let root = area(canvas)?;
    let finite: Vec<&MetricPoint> = points.iter().filter(|p| p.ratio.is_finite() && p.sin_span.is_finite()).collect();
    if finite.is_empty() {
        return Ok(());
    }
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let max_step = finite.iter().map(|p| p.step).max().unwrap_or(1).max(1) as f64;
    let relations = finite.iter().map(|p| p.relation).max().unwrap_or(0);
    let (top, bottom) = root.split_vertically(120);
    let hi = finite.iter().map(|p| p.ratio).fold(10.0, f64::max) * 2.0;
    let mut ratio = ChartBuilder::on(&top)
        .margin(6)
        .y_label_area_size(44)
        .caption("off/on residual ratio (keep ≥ 5)", ("sans-serif", 13))
        .build_cartesian_2d(0f64..max_step, (0.5f64..hi).log_scale())
        .map_err(e)?;
    ratio.configure_mesh().light_line_style(WHITE.mix(0.0)).y_labels(4).x_labels(0).draw().map_err(e)?;
    ratio.draw_series(DashedLineSeries::new([(0.0, RATIO_MIN), (max_step, RATIO_MIN)], 4, 3, BLACK.mix(0.5).into())).map_err(e)?;
    let mut sine = ChartBuilder::on(&bottom)
        .margin(6)
        .x_label_area_size(22)
        .y_label_area_size(44)
        .caption("sine to the kept span (keep ≥ 0.1)", ("sans-serif", 13))
        .build_cartesian_2d(0f64..max_step, 0f64..1.05)
        .map_err(e)?;
    sine.configure_mesh().light_line_style(WHITE.mix(0.0)).y_labels(3).draw().map_err(e)?;
    sine.draw_series(DashedLineSeries::new([(0.0, SIN_MIN), (max_step, SIN_MIN)], 4, 3, BLACK.mix(0.5).into())).map_err(e)?;
    for j in 0..=relations {
        let c = RELATION_COLOURS[j % RELATION_COLOURS.len()];
        let mine: Vec<&&MetricPoint> = finite.iter().filter(|p| p.relation == j).collect();
        ratio.draw_series(LineSeries::new(mine.iter().map(|p| (p.step as f64, p.ratio.max(0.5))), c.stroke_width(2)).point_size(2)).map_err(e)?;
        sine.draw_series(LineSeries::new(mine.iter().map(|p| (p.step as f64, p.sin_span)), c.stroke_width(2)).point_size(2)).map_err(e)?;
    }
    root.present().map_err(|e| e.to_string())
}
