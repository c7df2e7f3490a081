//! What a run shows: the zero sets (2D or 3D), the relations table and the loss and
//! metric charts. They read the run's state (`RunState`) and never change it.

use super::plots::{View, axis_name, colour_css, default_axes, draw_loss, draw_metrics, draw_scene};
use super::runner::RunState;
use crate::core::config::Config;
use leptos::html::Canvas;
use leptos::prelude::*;

#[component]
pub fn Scene(run: RunState, config: RwSignal<Config>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let yaw = RwSignal::new(0.6f64);
    let pitch = RwSignal::new(0.35f64);
    let hidden = RwSignal::new(Vec::<usize>::new());
    let show_intersection = RwSignal::new(true);
    let drag = RwSignal::new(None::<(i32, i32)>);
    // Above R³: the three coordinates shown (None: those the data spreads most along).
    let chosen_axes = RwSignal::new(None::<[usize; 3]>);
    // Worked out once per picture, not on every redraw of a drag.
    let default = Memo::new(move |_| run.picture.with(default_axes));
    let axes = move || chosen_axes.get().unwrap_or_else(|| default.get());
    Effect::new(move |_| {
        let hidden = hidden.get();
        let (intersection, yaw, pitch, axes) = (show_intersection.get(), yaw.get(), pitch.get(), axes());
        // Drawn from the signal's own picture: a copy per redraw of a drag is wasted.
        let drawn = run.picture.with(|picture| {
            let shown: Vec<bool> = (0..picture.zero_sets.len()).map(|j| !hidden.contains(&j)).collect();
            let view = View { shown: &shown, intersection, yaw, pitch, axes };
            canvas.get().map(|c| draw_scene(c, picture, &view))
        });
        if let Some(Err(e)) = drawn {
            run.error.set(Some(format!("drawing failed: {e}")));
        }
    });
    // A new configuration may have another N: back to the default view.
    Effect::new(move |_| {
        config.track();
        chosen_axes.set(None);
    });
    let axis_select = move |slot: usize| {
        view! {
            <select data-testid=format!("axis-{slot}") title="the coordinate on this axis of the view"
                on:change=move |e| {
                    if let Ok(j) = event_target_value(&e).parse::<usize>() {
                        let mut current = axes();
                        current[slot] = j;
                        chosen_axes.set(Some(current));
                    }
                }>
                {move || {
                    let dim = run.picture.with(|p| p.dim);
                    (0..dim).map(|j| view! { <option value=j.to_string() selected=move || axes()[slot] == j>{axis_name(dim, j)}</option> }).collect_view()
                }}
            </select>
        }
    };
    view! {
        <section class="card scene">
            <div class="scene-head">
                <h2>"Zero sets"</h2>
                <span class="muted small">{move || legend(run)}</span>
            </div>
            <canvas node_ref=canvas width="760" height="520" data-testid="scene"
                title="the data (grey), each relation's zero set (its colour) and their intersection (black)"
                on:mousedown=move |e| drag.set(Some((e.client_x(), e.client_y())))
                on:mouseup=move |_| drag.set(None)
                on:mouseleave=move |_| drag.set(None)
                on:mousemove=move |e| {
                    // A 2D view has nothing to rotate: no redraw (heatmap and all) per move.
                    if let Some((x, y)) = drag.get_untracked().filter(|_| run.picture.with_untracked(|p| p.dim) > 2) {
                        yaw.update(|v| *v += 0.01 * (e.client_x() - x) as f64);
                        pitch.update(|v| *v = (*v + 0.01 * (e.client_y() - y) as f64).clamp(-1.5, 1.5));
                        drag.set(Some((e.client_x(), e.client_y())));
                    }
                }></canvas>
            {move || (run.picture.with(|p| p.dim) > 3).then(|| view! {
                <p class="small axes" data-testid="axes">"R^" {move || run.picture.with(|p| p.dim)} " seen through three coordinates: "
                    {axis_select(0)} " " {axis_select(1)} " " {axis_select(2)}</p>
            })}
            <Toggles run=run hidden=hidden show_intersection=show_intersection />
        </section>
    }
}

/// What the scene shows, in words: only what the picture holds (before the first
/// relation, just the data).
fn legend(run: RunState) -> String {
    let (dim, relations, heat) = run.picture.with(|p| (p.dim, !p.zero_sets.is_empty(), !p.heat.is_empty()));
    let so_far = if run.finished.get() { "" } else { " so far (interim)" };
    let sets = if relations { format!(" · colours: {{g_j = 0}} · black: their intersection{so_far}") } else { String::new() };
    let heat = if heat { " · background: the newest g's sign and size (blue < 0 < orange)" } else { "" };
    let rotate = if dim == 2 { "" } else { " · drag to rotate" };
    format!("grey: data{sets}{heat}{rotate}")
}

/// A checkbox per relation's zero set and one for their intersection.
#[component]
fn Toggles(run: RunState, hidden: RwSignal<Vec<usize>>, show_intersection: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="toggles">
            {move || (0..run.picture.with(|p| p.zero_sets.len())).map(|j| view! {
                <label style=format!("color: {}", colour_css(j))>
                    <input type="checkbox" prop:checked=move || !hidden.get().contains(&j)
                        on:change=move |_| hidden.update(|h| if let Some(i) = h.iter().position(|&x| x == j) { h.remove(i); } else { h.push(j); }) />
                    {format!(" g{}", j + 1)}
                </label>
            }).collect_view()}
            <label><input type="checkbox" prop:checked=move || show_intersection.get() on:change=move |_| show_intersection.update(|v| *v = !*v) />" intersection"</label>
        </div>
    }
}

#[component]
pub fn RelationsTable(run: RunState) -> impl IntoView {
    let fmt = |v: Option<f64>, p: usize| v.map(|v| format!("{v:.p$}")).unwrap_or_else(|| "–".into());
    view! {
        <section class="card">
            <h2>"Relations"</h2>
            // Until the run ends, every figure below is provisional, and says so.
            <p data-testid="dimension">{move || match (run.dimension.get(), run.finished.get()) {
                (Some(c), true) => c.headline(),
                (Some(c), false) => format!("Interim: {} relation(s) kept so far (in R^{}); the dimension is settled when the run ends.", c.kept, c.ambient),
                (None, _) => "No relation finished yet.".into(),
            }}</p>
            <div class="table-scroll"><table class="relations" data-testid="relations">
                <thead><tr>
                    <th title="the relation (its colour in the pictures)">"g"</th>
                    <th title="how far held-out data lies from g's zero set, to first order: |g| divided by the length of its gradient (small: g vanishes on the data; a later relation looser than the fidelity tolerance and 5 times the loosest earlier one is not kept)">"|g|/‖∇g‖ on data"</th>
                    <th title="the same at points off the data, divided by its value on the data (large: g vanishes on the data and not elsewhere; kept only above 5)">"off/on"</th>
                    <th title="median sine between ∇g and the span of the earlier relations' gradients on held-out data (0: g depends on them; kept only at 0.1 or more)">"sin(span)"</th>
                    <th title="restricted syzygies only: the error of the best rebuilding of g from the earlier relations (small: g follows from them and is dropped)">"syzygy err"</th>
                    <th title="share of random points moved onto the learned intersection that land near the manifold (the line under the table says how near, and near what), measured for the whole intersection when the run ends (one relation alone cuts out a larger set than the manifold, so its own figure would read low)">"intersection fidelity"</th>
                    <th title="kept or not, the test that decided, and why the relation stopped training">"verdict"</th>
                </tr></thead>
                <tbody>
                    {move || {
                    // Only the last kept relation's figure is the intersection's, and only once the run is over.
                    let reports = run.reports.get();
                    let last_kept = run.finished.get().then(|| reports.iter().rev().find(|r| r.verdict.is_kept()).map(|r| r.index)).flatten();
                    reports.into_iter().map(move |r| view! {
                        <tr class=if r.verdict.is_kept() { "kept" } else { "dropped" }>
                            <td style=format!("color: {}", colour_css(r.index))><strong>{format!("g{}", r.index + 1)}</strong></td>
                            <td>{format!("{:.4}", r.metrics.on_residual)}</td>
                            <td>{format!("{:.1}", r.metrics.ratio)}</td>
                            <td>{format!("{:.2}", r.metrics.sin_span)}</td>
                            <td>{fmt(r.syzygy_error, 3)}</td>
                            <td>{r.fidelity.as_ref().filter(|_| last_kept == Some(r.index)).map(|f| format!("{:.0}%", 100.0 * f.within)).unwrap_or_else(|| "–".into())}</td>
                            <td class="verdict">
                                {r.transfer.as_ref().map(|t| view! { <span class="imported" data-testid="imported-mark">{format!("imported from {}: ", t.source.file)}</span> })}
                                {r.verdict.describe()}<br /><span class="small muted">{r.how_trained()}</span>
                            </td>
                        </tr>
                    }).collect_view()}}
                </tbody>
            </table></div>
            {move || run.reports.get().iter().rev().find_map(|r| r.fidelity.clone()).map(|f| view! {
                <p class="small muted" data-testid="fidelity-meaning">{format!("Fidelity: {}.", f.meaning())}</p>
            })}
            {move || {
                let transfers = run.transfers.get();
                (!transfers.is_empty()).then(|| view! {
                    <div class="small" data-testid="transfers">
                        <p>{format!("Imported from {} (its run: {}):", transfers[0].source.file, transfers[0].source.config)}</p>
                        <ul>{transfers.iter().map(|t| view! { <li class=if t.kept { "kept" } else { "dropped" }>{format!("relation {} of the file — {}", t.position + 1, t.describe())}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
        </section>
    }
}

#[component]
pub fn LossChart(run: RunState) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let metrics = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        // The warm start's loss is a regression error, not the relation's loss: left out.
        let history: Vec<_> = run.history.get().iter().filter(|p| !p.phase.warms()).map(|p| (p.relation, p.step, p.loss)).collect();
        if let Some(c) = canvas.get() {
            let _ = draw_loss(c, &history);
        }
    });
    Effect::new(move |_| {
        let points = run.metric_history.get();
        if let Some(c) = metrics.get() {
            let _ = draw_metrics(c, &points);
        }
    });
    view! {
        <section class="card charts">
            <canvas node_ref=canvas width="420" height="220" data-testid="loss"
                title="each relation's training loss (log scale when all are positive) against the run's step, the count the status shows"></canvas>
            <canvas node_ref=metrics width="420" height="240" data-testid="metrics"
                title="per relation, when it finished: off/on (log scale; kept above 5) and sin(span) (kept at 0.1 or more)"></canvas>
        </section>
    }
}

/// The kept relations read as polynomials, beside what the data alone gives: each
/// generator typeset, its residual and the read-out's confidence on hover, copy as text
/// or LaTeX. Interim until the run ends.
#[component]
pub fn EquationsPanel(run: RunState) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |latex: bool| {
        let Some(read_out) = run.equations.get_untracked() else { return };
        let text: Vec<String> = read_out.equations.generators.iter().map(|g| if latex { g.latex.clone() } else { g.text.clone() }).collect();
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text.join("\n"));
            copied.set(Some(if latex { "LaTeX copied" } else { "text copied" }));
        }
    };
    view! {
        <section class="card equations" data-testid="equations">
            <h2>"Equations"</h2>
            {move || match run.equations.get() {
                None => view! { <p class="muted small">"Read once a relation is kept: the polynomials that vanish where the kept relations vanish, in the data's own coordinates."</p> }.into_any(),
                Some(r) => {
                    let interim = !run.finished.get();
                    let e = r.equations.clone();
                    let head = format!(
                        "{}degree ≤ {}: {} generator(s) for {} relation(s), explaining {} of the {} directions they cut",
                        if interim { "Interim, " } else { "" },
                        e.degree,
                        e.generators.len(),
                        r.relations,
                        r.explained,
                        r.relations
                    );
                    let hover = move |residual: f64| format!("residual |p|/‖∇p‖ on the data: {residual:.2e} (data units) · confidence (gap to the next polynomial): {:.0}×", r.confidence.min(1e9));
                    let baseline = e.baseline.clone();
                    view! {
                        <p class="small" data-testid="equations-head">{head}</p>
                        <ol class="generators" data-testid="generators">
                            {e.generators.iter().map(|g| view! { <li title=hover(g.residual) data-testid="generator" data-text=g.text.clone()>{typeset(&g.terms, &e.variables)}</li> }).collect_view()}
                        </ol>
                        {(e.generators.is_empty()).then(|| view! { <p class="muted">"No polynomial of this degree explains the relations."</p> })}
                        {r.notes.iter().map(|n| view! { <p class="small notice">{n.clone()}</p> }).collect_view()}
                        <p class="small muted">{format!("Read in {:.0} ms.", 1e3 * r.seconds)}</p>
                        {baseline.map(|b| {
                            let items = b.generators.iter().map(|g| view! { <li title=format!("residual {:.2e}", g.residual)>{typeset(&g.terms, &b.variables)}</li> }).collect_view();
                            view! {
                                <details class="baseline" data-testid="baseline">
                                    <summary>{format!("From the data alone: {} generator(s) ({:.0} ms)", b.generators.len(), 1e3 * r.baseline_seconds)}</summary>
                                    <p class="small muted">{b.method.clone()}</p>
                                    <ol class="generators">{items}</ol>
                                </details>
                            }
                        })}
                    }
                    .into_any()
                }
            }}
            <div class="copy">
                <button on:click=move |_| copy(false) disabled=move || run.equations.with(|e| e.as_ref().is_none_or(|r| r.equations.generators.is_empty())) title="the generators as plain text, one per line">"Copy as text"</button>
                <button on:click=move |_| copy(true) disabled=move || run.equations.with(|e| e.as_ref().is_none_or(|r| r.equations.generators.is_empty())) title="the generators as LaTeX, one per line">"Copy as LaTeX"</button>
                {move || copied.get().map(|c| view! { <span class="small muted">" " {c}</span> })}
            </div>
        </section>
    }
}

/// A generator as HTML: italic variables, exponents raised, "= 0".
fn typeset(terms: &[crate::core::equations::Term], variables: &[String]) -> impl IntoView + use<> {
    let pieces: Vec<_> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let sign = match (i, t.coefficient < 0.0) {
                (0, true) => "−",
                (0, false) => "",
                (_, true) => " − ",
                (_, false) => " + ",
            };
            let constant = t.exponents.iter().all(|&e| e == 0);
            let magnitude = crate::core::equations::coefficient_text(t.coefficient.abs());
            let coefficient = if magnitude == "1" && !constant { String::new() } else { magnitude };
            let factors = t
                .exponents
                .iter()
                .zip(variables)
                .filter(|(e, _)| **e > 0)
                .map(|(&e, name)| {
                    let (base, index) = name.split_at(1);
                    view! { <i>{base.to_string()}</i><sub>{index.to_string()}</sub>{(e > 1).then(|| view! { <sup>{e}</sup> })} }
                })
                .collect_view();
            view! { {sign}{coefficient}{factors} }
        })
        .collect_view();
    view! { <span class="equation">{pieces}" = 0"</span> }
}
