//! The page: its layout, the backend card, the configuration panel, the controls and the
//! data files; what a run shows is in `results.rs`.

use super::browser::{query, set_query};
use super::files;
use super::protocol::{BackendState, CHUNK, Export};
use super::results::{EquationsPanel, LossChart, RelationsTable, Scene};
use super::runner::RunState;
use crate::core::config::{Choice, Config, FIELDS, Field, Input, Section, limits};
use crate::core::export::{self, RelationsFile};
use crate::core::transfer::RelationsLabel;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn App() -> impl IntoView {
    let (initial, notes) = Config::from_query(&query());
    // The page's own field: which backend the link asks for (absent: chosen on merit).
    let preference = initial.backend;
    let config = RwSignal::new(initial);
    let messages = RwSignal::new(notes);
    let run = RunState::new();

    let restart = restarter(config, messages, run);

    run.connect(preference);
    restart(); // waits in the queue until the worker runs

    // The whole configuration lives in the URL.
    Effect::new(move |_| set_query(&config.get().to_query()));

    // The message of the last refused edit, shown beside its field.
    let field_note = RwSignal::new(None::<(&'static str, String)>);
    // Change one field through the same parser a link goes through: clamps and messages alike.
    let apply = move |key: &'static str, value: String| {
        // Choosing a manifold leaves uploaded data.
        let base = match key {
            "m" => Config { upload: None, ..config.get_untracked() },
            _ => config.get_untracked(),
        };
        let (next, notes) = Config::from_query(&format!("{}&{key}={value}", base.to_query()));
        field_note.set(notes.first().map(|n| (key, n.clone())));
        messages.set(notes);
        if next != config.get_untracked() {
            config.set(next);
            restart();
        }
    };

    keyboard_shortcuts(run, restart);

    view! {
        <header class="top">
            <h1>"AML Playground"</h1>
            <p class="tagline">"Watch a neural network discover the equations that cut out a manifold: Analytic Manifold Learning (Antonova et al., 2020)."</p>
        </header>
        <main class="layout">
            <aside class="side">
                <BackendCard state=run.backend />
                <Messages messages=messages />
                <DataFiles run=run config=config restart=restart />
                <ConfigPanel config=config apply=apply field_note=field_note />
            </aside>
            <section class="stage">
                <Controls run=run restart=restart />
                <Scene run=run config=config />
                <div class="row2">
                    <RelationsTable run=run />
                    <LossChart run=run />
                </div>
                <EquationsPanel run=run />
                <About />
            </section>
        </main>
    }
}

/// A fresh run for the current config. A link naming uploaded data this page does not
/// have falls back to its manifold, with a message, rather than to a blank page.
fn restarter(config: RwSignal<Config>, messages: RwSignal<Vec<String>>, run: RunState) -> impl Fn() + Copy + Send + Sync + 'static {
    move || {
        let mut current = config.get_untracked();
        // A link importing relations this browser does not have runs without them.
        if let Some(label) = current.imported.clone() {
            let dim = current.upload.as_ref().and_then(files::uploaded).map_or(current.manifold.dim(), |c| c.dim());
            let why = match files::imported(&label).map(|f| f.input_dim()) {
                None => Some("which this browser does not have: running without them (import the file again to use it)".to_string()),
                Some(Some(n)) if n != dim => Some(format!("which take {n} coordinates where this data has {dim}: running without them")),
                _ => None,
            };
            if let Some(why) = why {
                messages.update(|m| m.push(format!("this run imports relations from {}, {why}", label.name())));
                current.imported = None;
                config.set(current.clone());
            }
        }
        if let Err(e) = run.reset(&current) {
            messages.update(|m| m.push(format!("{e}. Meanwhile: the {}.", current.manifold.label())));
            let synthetic = Config { upload: None, imported: None, ..current };
            config.set(synthetic.clone());
            let _ = run.reset(&synthetic);
        }
    }
}

/// Space trains or pauses, s steps, r resets, a adds a relation to a finished run; not
/// while typing in a field, nor with a modifier (the browser's own shortcuts).
fn keyboard_shortcuts(run: RunState, restart: impl Fn() + Copy + Send + Sync + 'static) {
    // (Dropping the handle leaves the listener in place: it lives as long as the page.)
    let _keys = window_event_listener(ev::keydown, move |e| {
        let typing = e
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        match e.key().as_str() {
            " " => {
                e.prevent_default();
                run.toggle();
            }
            "s" => run.step(),
            "r" => restart(),
            "a" if run.finished.get_untracked() => run.add_relation(),
            _ => {}
        }
    });
}

#[component]
fn BackendCard(state: RwSignal<BackendState>) -> impl IntoView {
    view! {
        <section class="card" data-testid="backend">
            {move || match state.get() {
                BackendState::Probing => view! { <p class="muted">"Choosing a backend: a few training steps on the CPU and on WebGPU, if there is one…"</p> }.into_any(),
                BackendState::Ready { description, gpu, fallback, check, calibration } => view! {
                    <p>
                        <span class=if gpu { "badge gpu" } else { "badge cpu" }>{if gpu { "GPU" } else { "CPU" }}</span>
                        " " <strong data-testid="backend-name">{description}</strong>
                    </p>
                    {fallback.map(|why| view! { <p class="notice">"Using the CPU: " {why}</p> })}
                    {calibration.map(|rates| view! { <p class="small" data-testid="calibration">{rates}</p> })}
                    <p class="small" data-testid="self-test">{check}</p>
                }.into_any(),
                BackendState::Failed(e) => view! { <p class="error">"No backend works: " {e}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Messages(messages: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <Show when=move || !messages.get().is_empty()>
            <section class="card warn" data-testid="messages">
                <p><strong>"Some settings were changed:"</strong></p>
                <ul>{move || messages.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                <button class="link" on:click=move |_| messages.set(Vec::new())>"dismiss"</button>
            </section>
        </Show>
    }
}

/// Your own data in and out: upload points, download points and relations, import
/// relations to continue or compare. A refused file changes nothing and says why.
#[component]
fn DataFiles(run: RunState, config: RwSignal<Config>, restart: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let upload = move |e: ev::Event| {
        let Some(file) = files::chosen_file(&e) else { return };
        spawn_local(async move {
            match files::upload_points(&file).await {
                Ok((table, label)) => {
                    problem.set(None);
                    let samples = table.cloud.len().clamp(limits::SAMPLES.0, limits::SAMPLES.1);
                    config.update(|c| {
                        c.upload = Some(label);
                        c.samples = samples;
                    });
                    restart();
                }
                Err(e) => problem.set(Some(format!("{}: {e}. Nothing was changed.", file.name()))),
            }
        });
    };
    let import = move |e: ev::Event| {
        let Some(file) = files::chosen_file(&e) else { return };
        spawn_local(async move {
            match read_import(&file, &config.get_untracked()).await {
                Ok(label) => {
                    problem.set(None);
                    config.update(|c| c.imported = Some(label));
                    restart();
                }
                Err(e) => problem.set(Some(format!("{}: {e}. Nothing was changed.", file.name()))),
            }
        });
    };
    let save = move |what: Export| {
        let current = config.get_untracked();
        let stem = current.upload.as_ref().map_or_else(|| current.manifold.key(), |l| l.name().trim_end_matches(".csv"));
        let name = match what {
            Export::Points => format!("{stem}-points.csv"),
            Export::Relations => format!("{stem}-relations.json"),
        };
        problem.set(None);
        run.save(what, name);
    };
    view! {
        <section class="card files">
            <h2>"Your data"</h2>
            <p class="small muted">"A CSV of points (2 to 16 numeric columns, one point per line, header optional) is learned from instead of a manifold."</p>
            <div class="file-row">
                <label class="button">"Upload points (CSV)…"
                    <input type="file" accept=".csv,.tsv,.txt,text/csv" data-testid="upload-points" on:change=upload />
                </label>
                <Show when=move || config.get().upload.is_some()>
                    <button class="link" on:click=move |_| {
                        config.update(|c| c.upload = None);
                        restart();
                    }>"back to a built-in manifold"</button>
                </Show>
            </div>
            <div class="file-row">
                <button data-testid="download-points" on:click=move |_| save(Export::Points)>"Download points (CSV)"</button>
                <button data-testid="download-relations" on:click=move |_| save(Export::Relations)>"Download relations (JSON)"</button>
            </div>
            <div class="file-row">
                <label class="button">"Import relations (JSON)…"
                    <input type="file" accept=".json,application/json" data-testid="import-relations" on:change=import />
                </label>
            </div>
            {move || problem.get().map(|p| view! { <p class="error" data-testid="file-error">{p}</p> })}
        </section>
    }
}

/// Reads a relations file chosen for import and checks it against the data in use (which
/// must have the relations' dimension), remembering it: the label the link names it by,
/// or what is wrong with it.
async fn read_import(file: &web_sys::File, current: &Config) -> Result<RelationsLabel, String> {
    let text = files::read_text(file, export::MAX_BYTES).await?;
    let relations = RelationsFile::from_json(&text).map_err(|e| e.to_string())?;
    let dim = current.upload.as_ref().and_then(files::uploaded).map_or(current.manifold.dim(), |c| c.dim());
    if let Some(inputs) = relations.input_dim().filter(|&n| n != dim) {
        return Err(format!("the relations take {inputs} coordinates but the data in use has {dim}"));
    }
    if relations.relations.iter().all(|r| !r.kept) {
        return Err("the file keeps no relation".into());
    }
    let label = RelationsLabel::new(&file.name(), &text);
    files::remember_relations(&label, &text);
    Ok(label)
}

#[component]
fn ConfigPanel(
    config: RwSignal<Config>,
    apply: impl Fn(&'static str, String) + Copy + Send + Sync + 'static,
    field_note: RwSignal<Option<(&'static str, String)>>,
) -> impl IntoView {
    let select = move |field: &'static Field, options: Vec<(&'static str, &'static str)>| {
        // While an upload is learned from, the manifold select names it, not the manifold the
        // link keeps as a fallback (picking a manifold leaves the upload).
        let uploaded = move || (field.key == "m").then(|| config.get().upload).flatten();
        view! {
            <label class="field">
                <span>{field.label}</span>
                <select data-field=field.key on:change=move |e| apply(field.key, event_target_value(&e))>
                    {move || uploaded().map(|label| view! {
                        <option value="" selected=true disabled=true>{format!("your data ({})", label.name())}</option>
                    })}
                    {options.into_iter().map(|(value, text)| view! {
                        <option value=value selected=move || uploaded().is_none() && field.shown(&config.get()) == value>{text}</option>
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any()
    };
    let text = move |field: &'static Field| {
        let key = field.key;
        view! {
            <label class="field">
                <span>{field.label}</span>
                <input data-field=key type="text" inputmode="decimal" prop:value=move || field.shown(&config.get())
                    on:change=move |e| {
                        apply(key, event_target_value(&e));
                        // A refused or clamped edit shows the value in use, not the text typed.
                        let input: web_sys::HtmlInputElement = event_target(&e);
                        input.set_value(&field.shown(&config.get_untracked()));
                    } />
            </label>
            {move || field_note.get().filter(|(k, _)| *k == key).map(|(_, note)| view! {
                <p class="small error field-note" data-testid=format!("note-{key}")>{note}</p>
            })}
        }
        .into_any()
    };
    // What the chosen data is: its equations (and advice), or the uploaded file.
    let about_data = move || {
        view! {
            <p class="small muted data-source">{move || match config.get().upload {
                Some(label) => format!("learning from your data: {label}"),
                None => config.get().manifold.equations().join(";  "),
            }}</p>
            {move || config.get().upload.is_none().then(|| config.get().manifold.hint()).flatten().map(|h| view! { <p class="small notice hint">{h}</p> })}
        }
        .into_any()
    };
    let section = move |section: Section, title: &'static str| {
        let fields = FIELDS.iter().filter(move |f| f.section == section).map(move |field| {
            let input = match field.input {
                Input::Choice(options) => select(field, options()),
                Input::Text => text(field),
            };
            match field.key {
                "m" => view! { {input} {about_data()} }.into_any(),
                _ => input,
            }
        });
        view! { <h2>{title}</h2> {fields.collect_view()} }
    };
    view! {
        <section class="card config">
            {section(Section::Data, "Data")}
            {section(Section::Relations, "Relations")}
            {section(Section::Training, "Training")}
            {section(Section::Loss, "Loss")}
        </section>
    }
}

#[component]
fn Controls(run: RunState, restart: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ready = move || matches!(run.backend.get(), BackendState::Ready { .. });
    view! {
        <section class="card controls">
            <button class="primary" data-testid="play" on:click=move |_| run.toggle()
                disabled=move || run.finished.get() || !ready()
                title=move || (!ready()).then_some("waiting for the backend to be chosen")>
                {move || if run.running.get() { "❚❚ Pause" } else { "▶ Train" }}
            </button>
            <button data-testid="step" on:click=move |_| run.step() disabled=move || run.running.get() || run.finished.get() || !ready()
                title=format!("train {CHUNK} steps, then pause")>{format!("Step ({CHUNK} steps)")}</button>
            <button on:click=move |_| restart()>"Reset"</button>
            <button data-testid="add-relation" on:click=move |_| run.add_relation() disabled=move || !run.finished.get()>"+ Add relation"</button>
            <span class="keys muted small">"space: train/pause · s: step · r: reset · a: add relation"</span>
            <div class="progress"><div class="bar" style=move || format!("width: {:.1}%", 100.0 * run.progress.get())></div></div>
            <p data-testid="status" class="status">{move || run.status.get()}</p>
            {move || run.error.get().map(|e| view! { <p class="error" data-testid="error">{e}</p> })}
        </section>
    }
}

#[component]
fn About() -> impl IntoView {
    view! {
        <section class="card about small">
            <h2>"What you are watching"</h2>
            <p>"Each relation g_k is a small network trained to vanish on the data (mean |g|/‖∇g‖ small) while its gradient stays transversal to the earlier relations' gradients. When a new relation can no longer do both, the run stops: the number of relations kept is the codimension, and N minus it the manifold's dimension. A run looks for at most N − 1 relations, or fewer if you set max relations; a run that a limit stops says so, since the dimension may then be lower. Each relation's training ends as soon as it clearly passes its tests and stops improving (from the third relation on, each must fit more tightly, since it is the relations' common zero set that must be tight); one still improving, or that would pass but is still loose, when its steps run out is given two thirds more of them, up to three times, and none is given up as unable to vanish before a third of its steps. The data are first centred and scaled (each coordinate on its own where their units differ), and everything you see is mapped back to the data's own coordinates. At the end, points of the box are moved onto the relations' common zero set; where some land far from every data point (stray pieces no data asked for), the last relation trains on against them, and keeps that training only if it still passes its tests and fewer points stray."</p>
            <p>"Departures from the paper's printed losses (each selectable above): a bounded scale term (the printed one is unbounded below), independence measured against the span of the earlier gradients (pairwise sines miss a gradient inside the span) and ramped in over a relation's first steps (at full weight from the start it tore the zero set), near-manifold negatives so the joint zero set does not grow extra pieces, on a surface (data of dimension N − 1) points beside it that teach the first relation which side is which (a sheet of its zero set is a sign change, which no penalty on |g| can move), and for data in pieces the same for the last relation within the earlier ones' zero set (circles stacked on a cylinder), a warm start that fits each relation to a sphere around the data first (from random weights its zero set wraps the data with the wrong orientation on one side and branches off into spurious pieces; where the data are closed curves in 3D off a plane, such as a knot, the first two relations are fitted instead to a pair of functions that vanish on the curves alone, from the solid angle the curves subtend, and keep to them; where the warm start leads a relation nowhere, it is trained once more from random weights before it is rejected), a measured rank test alongside the syzygy adversary, and under syzygy a relation the adversary cannot rebuild is then trained on until it is transverse to the earlier ones (Eq. 3 lets one through that is 90% an earlier relation, and their joint zero set is then loose; if no transverse relation exists, it stops vanishing and is not kept). A link reproduces data and initial networks exactly; training agrees closely, not bit for bit, across WebGPU and CPU."</p>
        </section>
    }
}
