//! Drawing with plotters on canvas: the scene (data, zero sets, intersection) in 2D or
//! as a rotatable 3D view (any three coordinates of R^N), and the loss and metric charts.

use super::protocol::MetricPoint;
use crate::core::picture::{Picture, ZeroSet};
use crate::core::verdict::{RATIO_MIN, SIN_MIN};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
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
/// and zero sets; the intersection one more), painted by [`Dots`]: as canvas circles (an
/// arc path each) the 3D scene's thousands made the page's longest main-thread tasks
/// (55-57 ms, e2e/profile.mjs).
const DOT: i32 = 1;
const SQUARE: [(i32, i32); 2] = [(-DOT, -DOT), (DOT, DOT)];
const BIG_SQUARE: [(i32, i32); 2] = [(-DOT - 1, -DOT - 1), (DOT + 1, DOT + 1)];

/// How the scene is shown: which zero sets, the intersection or not, the 3D view's
/// rotation and, for N > 3, which three coordinates.
pub struct View<'a> {
    pub shown: &'a [bool],
    pub intersection: bool,
    pub yaw: f64,
    pub pitch: f64,
    pub axes: [usize; 3],
}

/// A coordinate's name: x, y, z in R² and R³, x1 … xN above.
pub fn axis_name(dim: usize, j: usize) -> String {
    match dim {
        ..=3 => ["x", "y", "z"][j.min(2)].to_string(),
        _ => format!("x{}", j + 1),
    }
}

/// The three coordinates a view of R^N (N > 3) starts with: those the data spreads most
/// along, in their order.
pub fn default_axes(pic: &Picture) -> [usize; 3] {
    let n = pic.data.len().max(1) as f64;
    let spread: Vec<f64> = (0..pic.dim.min(pic.data.dim()))
        .map(|j| {
            let mean = pic.data.rows().map(|p| p[j] as f64).sum::<f64>() / n;
            pic.data.rows().map(|p| (p[j] as f64 - mean).powi(2)).sum::<f64>() / n
        })
        .collect();
    let mut by_spread: Vec<usize> = (0..pic.dim).collect();
    by_spread.sort_by(|&a, &b| spread[b].total_cmp(&spread[a]));
    let mut top: Vec<usize> = by_spread.into_iter().take(3).collect();
    top.sort_unstable();
    match top[..] {
        [a, b, c] => [a, b, c],
        _ => [0, 1, 2],
    }
}

/// Pixels the 2D chart leaves around its plot: margin, then the label areas.
const MARGIN_2D: u32 = 12;
const X_LABELS_2D: u32 = 44;
const Y_LABELS_2D: u32 = 52;

/// The two ranges grown (about their centres) so one unit is as long across as up: a
/// circle is drawn round.
fn true_aspect(x: (f64, f64), y: (f64, f64), width: u32, height: u32) -> ((f64, f64), (f64, f64)) {
    let w = width.saturating_sub(2 * MARGIN_2D + Y_LABELS_2D).max(1) as f64;
    let h = height.saturating_sub(2 * MARGIN_2D + X_LABELS_2D).max(1) as f64;
    let per_pixel = ((x.1 - x.0) / w).max((y.1 - y.0) / h);
    let grow = |(lo, hi): (f64, f64), pixels: f64| {
        let (mid, half) = ((lo + hi) / 2.0, per_pixel * pixels / 2.0);
        (mid - half, mid + half)
    };
    (grow(x, w), grow(y, h))
}

/// Heatmap colour of g's value scaled to −1..1: blue below zero, orange above, white at
/// zero (square-root scaled, so the sign shows near the zero set too).
fn heat_colour(t: f32) -> RGBColor {
    let a = t.abs().min(1.0).sqrt() * 0.45;
    let (r, g, b) = if t < 0.0 { (59.0, 91.0, 219.0) } else { (230.0, 119.0, 0.0) };
    let mix = |c: f32| (255.0 + (c - 255.0) * a) as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

/// The heatmap of `heat` (`n`² nodes, the first axis along x) as one image stretched over
/// `(x, y, width, height)` pixels of the canvas: one drawImage, where a rectangle per cell
/// (6,400 fillRects, each with its colour string) made the 2D view's redraw a 65–105 ms
/// main-thread task (e2e/speed.mjs, the circle).
fn draw_heat(canvas: &HtmlCanvasElement, heat: &[f32], n: usize, (x, y, width, height): (f64, f64, f64, f64)) -> Result<(), String> {
    let mut scale: Vec<f32> = heat.iter().filter(|v| v.is_finite()).map(|v| v.abs()).collect();
    let tenth = scale.len() * 9 / 10;
    let s = if tenth < scale.len() { *scale.select_nth_unstable_by(tenth, f32::total_cmp).1 } else { 1.0 }.max(1e-12);
    let mut rgba = vec![0u8; n * n * 4];
    for (row, pixel_row) in rgba.chunks_mut(n * 4).enumerate() {
        for (col, pixel) in pixel_row.chunks_mut(4).enumerate() {
            // Image rows run down the screen, the grid's second axis up it.
            let v = heat[col * n + (n - 1 - row)];
            if v.is_finite() {
                let RGBColor(r, g, b) = heat_colour(v / s);
                pixel.copy_from_slice(&[r, g, b, 255]);
            }
        }
    }
    draw_image(canvas, &rgba, (n as u32, n as u32), (x, y, width, height))
}

/// An RGBA image (`size` pixels, unpremultiplied) drawn over `(x, y, width, height)` of the
/// canvas, composited with what is there (putImageData would replace it).
fn draw_image(canvas: &HtmlCanvasElement, rgba: &[u8], (w, h): (u32, u32), (x, y, width, height): (f64, f64, f64, f64)) -> Result<(), String> {
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(rgba), w, h).map_err(js_error)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let tile: HtmlCanvasElement = document.create_element("canvas").map_err(js_error)?.unchecked_into();
    tile.set_width(w);
    tile.set_height(h);
    context_2d(&tile)?.put_image_data(&image, 0.0, 0.0).map_err(js_error)?;
    context_2d(canvas)?.draw_image_with_html_canvas_element_and_dw_and_dh(&tile, x, y, width, height).map_err(js_error)
}

fn js_error(e: wasm_bindgen::JsValue) -> String {
    format!("{e:?}")
}

fn context_2d(canvas: &HtmlCanvasElement) -> Result<web_sys::CanvasRenderingContext2d, String> {
    Ok(canvas.get_context("2d").map_err(js_error)?.ok_or("no 2D context")?.unchecked_into())
}

/// Points painted as filled squares into an image the canvas's size, laid over the canvas
/// with one drawImage. A fillRect per square (a call out of wasm and a recorded canvas
/// operation each) made the redraw after each new 3D picture, ~14,000 squares, a 28–66 ms
/// main-thread task (e2e/long-tasks.mjs).
struct Dots {
    width: i32,
    height: i32,
    rgba: Vec<u8>,
}

impl Dots {
    fn new(canvas: &HtmlCanvasElement) -> Self {
        let (width, height) = (canvas.width() as i32, canvas.height() as i32);
        Self { width, height, rgba: vec![0; (width * height * 4).max(0) as usize] }
    }

    /// Squares of `corners` (as SQUARE) around pixel `centres`, source-over as a canvas
    /// would paint them: a square covers the pixels from its first corner up to its second.
    fn paint(&mut self, centres: impl Iterator<Item = (i32, i32)>, [(x0, y0), (x1, y1)]: [(i32, i32); 2], colour: RGBAColor) {
        let RGBAColor(r, g, b, alpha) = colour;
        let a = alpha.clamp(0.0, 1.0) as f32;
        if a == 0.0 {
            return;
        }
        let ink = [r, g, b].map(|c| c as f32 * a);
        for (cx, cy) in centres {
            for y in (cy + y0).max(0)..(cy + y1).min(self.height) {
                for x in (cx + x0).max(0)..(cx + x1).min(self.width) {
                    let i = ((y * self.width + x) * 4) as usize;
                    let pixel = &mut self.rgba[i..i + 4];
                    let under = pixel[3] as f32 / 255.0 * (1.0 - a);
                    let out = a + under;
                    for c in 0..3 {
                        pixel[c] = ((ink[c] + pixel[c] as f32 * under) / out).round() as u8;
                    }
                    pixel[3] = (out * 255.0).round() as u8;
                }
            }
        }
    }

    fn lay_on(self, canvas: &HtmlCanvasElement) -> Result<(), String> {
        let (w, h) = (self.width as u32, self.height as u32);
        draw_image(canvas, &self.rgba, (w, h), (0.0, 0.0, w as f64, h as f64))
    }
}

/// Draws the scene.
pub fn draw_scene(canvas: HtmlCanvasElement, pic: &Picture, view: &View) -> Result<(), String> {
    let root = area(canvas.clone())?;
    if pic.dim < 2 || pic.bounds.len() < 2 {
        return Ok(());
    }
    if pic.dim == 2 {
        draw_plane(&root, &canvas, pic, view)?;
    } else {
        draw_space(&root, &canvas, pic, view)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The picture's range along coordinate `j`.
fn scene_range(pic: &Picture, j: usize) -> std::ops::Range<f64> {
    pic.bounds.get(j).map(|&(lo, hi)| lo as f64..hi as f64).unwrap_or(-1.0..1.0)
}

/// A 2D picture: true aspect, the newest relation's value behind, contours, data and the
/// intersection over them.
fn draw_plane(root: &DrawingArea<CanvasBackend, Shift>, canvas: &HtmlCanvasElement, pic: &Picture, view: &View) -> Result<(), String> {
    let (width, height) = (canvas.width(), canvas.height());
    let range = |j: usize| scene_range(pic, j);
    let on = |j: usize| view.shown.get(j).copied().unwrap_or(true);
    let show_intersection = view.intersection;
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let ((x0, x1), (y0, y1)) = true_aspect((range(0).start, range(0).end), (range(1).start, range(1).end), width, height);
    let mut chart =
        ChartBuilder::on(root).margin(MARGIN_2D).x_label_area_size(X_LABELS_2D).y_label_area_size(Y_LABELS_2D).build_cartesian_2d(x0..x1, y0..y1).map_err(e)?;
    chart.configure_mesh().light_line_style(WHITE.mix(0.0)).x_desc("x").y_desc("y").draw().map_err(e)?;
    // The newest relation's value behind everything.
    let n = crate::core::isosurface::NODES_2D;
    if pic.heat.len() == n * n {
        let (bx, by) = (pic.bounds[0], pic.bounds[1]);
        let (left, top) = chart.backend_coord(&(bx.0 as f64, by.1 as f64));
        let (right, bottom) = chart.backend_coord(&(bx.1 as f64, by.0 as f64));
        draw_heat(canvas, &pic.heat, n, (left as f64, top as f64, (right - left) as f64, (bottom - top) as f64))?;
    }
    let area = chart.plotting_area().clone(); // the chart itself draws the contours below
    let at = |p: &[f32]| area.map_coordinate(&(p[0] as f64, p[1] as f64));
    let mut data = Dots::new(canvas);
    data.paint(pic.data.rows().map(at), SQUARE, DATA_COLOUR.to_rgba());
    data.lay_on(canvas)?;
    let mut above = Dots::new(canvas); // over the contours
    for (j, set) in pic.zero_sets.iter().enumerate().filter(|(j, _)| on(*j)) {
        let c = RELATION_COLOURS[j % RELATION_COLOURS.len()];
        match set {
            ZeroSet::Lines(lines) => {
                let seg = |s: &[[f32; 2]; 2]| PathElement::new(vec![(s[0][0] as f64, s[0][1] as f64), (s[1][0] as f64, s[1][1] as f64)], c.stroke_width(2));
                chart.draw_series(lines.iter().map(seg)).map_err(e)?;
            }
            ZeroSet::Points(points) => above.paint(points.rows().map(at), SQUARE, c.to_rgba()),
        }
    }
    if show_intersection && pic.zero_sets.len() > 1 {
        above.paint(pic.intersection.rows().map(at), BIG_SQUARE, BLACK.mix(0.75));
    }
    above.lay_on(canvas)?;
    Ok(())
}

/// A 3D picture of R³, or of three chosen coordinates of R^N.
fn draw_space(root: &DrawingArea<CanvasBackend, Shift>, canvas: &HtmlCanvasElement, pic: &Picture, view: &View) -> Result<(), String> {
    let range = |j: usize| scene_range(pic, j);
    let on = |j: usize| view.shown.get(j).copied().unwrap_or(true);
    let show_intersection = view.intersection;
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    // R^N with N > 3 is shown through the three coordinates the person chose.
    let [a, b, c] = if pic.dim == 3 { [0, 1, 2] } else { view.axes.map(|j| j.min(pic.dim - 1)) };
    let mut chart = ChartBuilder::on(root).margin(8).build_cartesian_3d(range(a), range(b), range(c)).map_err(e)?;
    chart.with_projection(|mut p| {
        p.yaw = view.yaw;
        p.pitch = view.pitch;
        p.scale = 0.8;
        p.into_matrix()
    });
    chart.configure_axes().light_grid_style(BLACK.mix(0.08)).max_light_lines(3).draw().map_err(e)?;
    // Each axis named at its far end.
    let (ra, rb, rc) = (range(a), range(b), range(c));
    let style = ("sans-serif", 16).into_font().color(&BLACK);
    let names = [
        (axis_name(pic.dim, a), (ra.end, rb.start, rc.start)),
        (axis_name(pic.dim, b), (ra.start, rb.end, rc.start)),
        (axis_name(pic.dim, c), (ra.start, rb.start, rc.end)),
    ];
    chart.draw_series(names.into_iter().map(|(name, at)| Text::new(name, at, style.clone()))).map_err(e)?;
    let area = chart.plotting_area();
    let at = |p: &[f32]| area.map_coordinate(&(p[a] as f64, p[b] as f64, p[c] as f64));
    let mut dots = Dots::new(canvas);
    dots.paint(pic.data.rows().map(at), SQUARE, DATA_COLOUR.to_rgba());
    for (j, set) in pic.zero_sets.iter().enumerate().filter(|(j, _)| on(*j)) {
        let c = RELATION_COLOURS[j % RELATION_COLOURS.len()];
        if let ZeroSet::Points(points) = set {
            dots.paint(points.rows().map(at), SQUARE, c.mix(0.35));
        }
    }
    if show_intersection && pic.zero_sets.len() > 1 {
        // Above R³ the intersection's points are a projection that covers the view:
        // drawn small and light there, so the zero sets stay visible.
        let (size, ink) = if pic.dim > 3 { (SQUARE, BLACK.mix(0.35)) } else { (BIG_SQUARE, BLACK.mix(0.75)) };
        dots.paint(pic.intersection.rows().map(at), size, ink);
    }
    dots.lay_on(canvas)?;
    Ok(())
}

/// Whole numbers for a step axis ("0.0500.01000.0" ran together as floats).
fn whole(v: &f64) -> String {
    format!("{v:.0}")
}

/// Loss against the run's step (the status shows the same count), one line per relation;
/// on a log scale when every loss is positive, so a large loss does not flatten the rest.
pub fn draw_loss(canvas: HtmlCanvasElement, history: &[(usize, usize, f64)]) -> Result<(), String> {
    let root = area(canvas)?;
    let finite: Vec<&(usize, usize, f64)> = history.iter().filter(|p| p.2.is_finite()).collect();
    if finite.is_empty() {
        return Ok(());
    }
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let first_step = finite.iter().map(|p| p.1).min().unwrap_or(0) as f64;
    let max_step = (finite.iter().map(|p| p.1).max().unwrap_or(1) as f64).max(first_step + 1.0);
    let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.2), hi.max(p.2)));
    let mut builder = ChartBuilder::on(&root);
    builder.margin(10).margin_right(18).x_label_area_size(40).y_label_area_size(52).caption("loss per relation", ("sans-serif", 14));
    // The same chart on either y axis (the two are different types to plotters).
    macro_rules! chart_on {
        ($y:expr, $y_format:expr) => {{
            let mut chart = builder.build_cartesian_2d(first_step..max_step, $y).map_err(e)?;
            chart
                .configure_mesh()
                .light_line_style(WHITE.mix(0.0))
                .x_desc("run step")
                .x_labels(5)
                .y_labels(5)
                .x_label_formatter(&whole)
                .y_label_formatter($y_format)
                .label_style(("sans-serif", 12))
                .draw()
                .map_err(e)?;
            // One line per stretch of a relation's training: the last kept relation, trained
            // again at the end against stray pieces, gets a second line, not a bridge.
            for stretch in finite.chunk_by(|a, b| a.0 == b.0) {
                let c = RELATION_COLOURS[stretch[0].0 % RELATION_COLOURS.len()];
                chart.draw_series(LineSeries::new(stretch.iter().map(|p| (p.1 as f64, p.2)), c.stroke_width(2))).map_err(e)?;
            }
        }};
    }
    if lo > 0.0 {
        chart_on!((lo / 1.5..hi * 1.5).log_scale(), &|v: &f64| format!("{v:.0e}"));
    } else {
        let pad = ((hi - lo) * 0.05).max(1e-3);
        chart_on!((lo - pad)..(hi + pad), &|v: &f64| format!("{v:.2}"));
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
    let (top, bottom) = root.split_vertically(120);
    let hi = finite.iter().map(|p| p.ratio).fold(10.0, f64::max) * 2.0;
    let mut ratio = ChartBuilder::on(&top)
        .margin(6)
        .margin_right(18)
        .y_label_area_size(44)
        .caption("off/on residual ratio (keep ≥ 5)", ("sans-serif", 13))
        .build_cartesian_2d(0f64..max_step, (0.5f64..hi).log_scale())
        .map_err(e)?;
    ratio.configure_mesh().light_line_style(WHITE.mix(0.0)).y_labels(4).x_labels(0).label_style(("sans-serif", 12)).draw().map_err(e)?;
    ratio.draw_series(DashedLineSeries::new([(0.0, RATIO_MIN), (max_step, RATIO_MIN)], 4, 3, BLACK.mix(0.5).into())).map_err(e)?;
    let mut sine = ChartBuilder::on(&bottom)
        .margin(6)
        .margin_right(18)
        .x_label_area_size(24)
        .y_label_area_size(44)
        .caption("sine to the kept span (keep ≥ 0.1)", ("sans-serif", 13))
        .build_cartesian_2d(0f64..max_step, 0f64..1.05)
        .map_err(e)?;
    sine.configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .y_labels(3)
        .x_labels(5)
        .x_label_formatter(&whole)
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(e)?;
    sine.draw_series(DashedLineSeries::new([(0.0, SIN_MIN), (max_step, SIN_MIN)], 4, 3, BLACK.mix(0.5).into())).map_err(e)?;
    for mine in finite.chunk_by(|a, b| a.relation == b.relation) {
        let c = RELATION_COLOURS[mine[0].relation % RELATION_COLOURS.len()];
        ratio.draw_series(LineSeries::new(mine.iter().map(|p| (p.step as f64, p.ratio.max(0.5))), c.stroke_width(2)).point_size(2)).map_err(e)?;
        sine.draw_series(LineSeries::new(mine.iter().map(|p| (p.step as f64, p.sin_span)), c.stroke_width(2)).point_size(2)).map_err(e)?;
    }
    root.present().map_err(|e| e.to_string())
}
