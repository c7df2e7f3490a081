//! The native command line on the same core as the page (usage: `USAGE` below, `aml --help`).

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    native::main()
}

// `aml bench`, a file of its own (here rather than beside this one: every src/bin/*.rs is a binary).
#[cfg(not(target_arch = "wasm32"))]
#[path = "aml/bench.rs"]
mod bench;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use aml_playground::backend::Backend;
    use aml_playground::core::block_on;
    use aml_playground::core::config::Config;
    use aml_playground::core::csv::parse_points;
    use aml_playground::core::dataset::Dataset;
    use aml_playground::core::equations;
    use aml_playground::core::export::RelationsFile;
    use aml_playground::core::report::Event;
    use aml_playground::core::session::Session;
    use aml_playground::core::verdict::Verdict;
    use std::io::Write;
    use std::process::ExitCode;
    use std::time::Instant;

    const USAGE: &str = "usage:
      aml [QUERY] [--backend cpu|gpu] [--input POINTS.csv] [--import FILE.json]
          [--relations FILE.json] [--data FILE.csv] [--quiet]
      aml bench [--backend cpu|gpu|all] [--steps N] [--batch N] [--no-verdicts] [--cases 'LINK ..']
    QUERY is the page's URL query, e.g. 'm=ellipse&n=2048&seed=1&alg=syzygy'.
    --input learns from your own points (2 to 16 columns) instead of a manifold;
    --import starts from the relations of an earlier run and goes on from there;
    --relations and --data write this run's relations and training points.";

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let result = match args.first().map(String::as_str) {
            Some("-h" | "--help") => {
                println!("{USAGE}");
                Ok(())
            }
            Some("bench") => crate::bench::bench(&args[1..]),
            _ => run(&args),
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}\n{USAGE}");
                ExitCode::FAILURE
            }
        }
    }

    /// Any error of the core or the backend, or the CLI's own, formatted where it is printed.
    pub(super) type Failure = Box<dyn std::error::Error>;

    /// Pulls `--name value` out of `args`.
    pub(super) fn take_option(args: &mut Vec<String>, name: &str) -> Result<Option<String>, String> {
        let Some(i) = args.iter().position(|a| a == name) else { return Ok(None) };
        if i + 1 >= args.len() {
            return Err(format!("{name} needs a value"));
        }
        let value = args.remove(i + 1);
        args.remove(i);
        Ok(Some(value))
    }

    fn run(args: &[String]) -> Result<(), Failure> {
        let mut args = args.to_vec();
        let backend_name = take_option(&mut args, "--backend")?.unwrap_or_else(|| "cpu".into());
        let relations_out = take_option(&mut args, "--relations")?;
        let data_out = take_option(&mut args, "--data")?;
        let input = take_option(&mut args, "--input")?;
        let import = take_option(&mut args, "--import")?;
        let quiet = args.iter().position(|a| a == "--quiet").map(|i| args.remove(i)).is_some();
        if let Some(flag) = args.iter().find(|a| a.starts_with("--")) {
            return Err(format!("unknown option {flag}").into());
        }
        if args.len() > 1 {
            return Err("give the configuration as one query string".into());
        }
        let (mut config, notes) = Config::from_query(args.first().map(String::as_str).unwrap_or(""));
        for note in &notes {
            eprintln!("note: {note}");
        }
        let points = match &input {
            Some(path) => {
                let table = parse_points(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
                config.upload = Some(table.label(path));
                Some(table.cloud)
            }
            None => None,
        };
        let backend = block_on(Backend::by_name(&backend_name))?;
        println!("backend: {}", backend.description);
        // An upload's link keeps a manifold only to fall back to in a page without the
        // data: not what this run learns from, so not echoed.
        let learned = config.to_query().split('&').filter(|f| config.upload.is_none() || !f.starts_with("m=")).collect::<Vec<_>>().join("&");
        println!("config:  {learned}");
        match &config.upload {
            Some(label) => println!("data:    {label}"),
            None => {
                println!("truth:   {}", config.manifold.equations().join(",  "));
                if let Some(hint) = config.manifold.hint() {
                    eprintln!("note: {hint}");
                }
            }
        }
        let dataset = Dataset::for_config(&config, points.as_ref())?;
        for note in dataset.notes() {
            eprintln!("note: {note}");
        }
        if let Some(path) = &data_out {
            std::fs::write(path, dataset.train_in_data_units().to_csv()).map_err(|e| format!("writing {path}: {e}"))?;
            println!("wrote training data to {path}");
        }
        let mut session = Session::new(config.clone(), dataset.clone(), &backend.device);
        if let Some(path) = &import {
            import_into(&mut session, path)?;
        }
        let started = Instant::now();
        block_on(session.run(50, |s, event| {
            if !quiet {
                report_progress(s, event);
            }
        }))?;
        eprintln!();
        print_summary(&session, started.elapsed().as_secs_f64());
        let clock = Instant::now();
        let read_out = block_on(equations::read_out(session.kept(), session.dataset(), config.degree, &backend.device, &|| clock.elapsed().as_secs_f64()))?;
        print_equations(&read_out);
        if import.is_some() {
            compare_with_scratch(&session, &config, dataset, &backend)?;
        }
        if let Some(path) = &relations_out {
            std::fs::write(path, RelationsFile::from_session(&session).with_equations(&read_out).to_json()).map_err(|e| format!("writing {path}: {e}"))?;
            println!("wrote relations to {path}");
        }
        Ok(())
    }

    fn read(path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))
    }

    /// Judges the relations of the file at `path` on the session's data and keeps those
    /// that hold, saying which.
    fn import_into(session: &mut Session, path: &str) -> Result<(), Failure> {
        let file = RelationsFile::from_json(&read(path)?).map_err(|e| format!("{path}: {e}"))?;
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let transfers = block_on(session.import_file(&file, name)).map_err(|e| format!("{path}: {e}"))?;
        println!("imported from {path}:");
        for t in &transfers {
            println!("  relation {} of the file: {}", t.position + 1, t.describe());
        }
        if transfers.iter().all(|t| !t.kept) {
            println!("  none holds on this data: the run learns from scratch");
        }
        Ok(())
    }

    /// What an import saved: the same configuration learned from scratch.
    fn compare_with_scratch(session: &Session, config: &Config, dataset: Dataset, backend: &Backend) -> Result<(), Failure> {
        let mut scratch = Session::new(config.clone(), dataset, &backend.device);
        block_on(scratch.run(50, |_, _| {}))?;
        let steps = |s: &Session| s.reports().iter().map(|r| r.steps).sum::<usize>();
        println!(
            "steps trained: {} with the import, {} from scratch (the same configuration: {} relation(s) kept, {})",
            steps(session),
            steps(&scratch),
            scratch.kept().len(),
            scratch.conclusion().describe()
        );
        Ok(())
    }

    /// The relations as polynomials, beside the data-only baseline.
    fn print_equations(read_out: &equations::ReadOut) {
        let e = &read_out.equations;
        println!("\nequations (degree ≤ {}, in the data's coordinates, read in {:.0} ms):", e.degree, 1e3 * read_out.seconds);
        if e.generators.is_empty() {
            println!("  none");
        }
        for g in &e.generators {
            println!("  {}    (residual {:.2e})", g.text, g.residual);
        }
        for note in &read_out.notes {
            println!("  note: {note}");
        }
        if let Some(b) = &e.baseline {
            println!("baseline, from the data alone ({} generators, {:.0} ms): {}", b.generators.len(), 1e3 * read_out.baseline_seconds, b.method);
            for g in &b.generators {
                println!("  {}    (residual {:.2e})", g.text, g.residual);
            }
        }
    }

    fn report_progress(session: &Session, event: &Event) {
        match event {
            Event::Progress { relation, phase, step, of, loss } => {
                let width = 30;
                let filled = width * step / of.max(&1);
                // No loss before a phase's first step (never a NaN).
                let loss = loss.map_or(" ".repeat(14), |l| format!("loss {l:>9.4}"));
                let label = if session.retrying() { format!("{} (again)", phase.label()) } else { phase.label() };
                eprint!("\r  g{} {label:<20} [{}{}] {step:>5}/{of:<5} {loss}", relation + 1, "#".repeat(filled), ".".repeat(width - filled));
                let _ = std::io::stderr().flush();
            }
            Event::RelationFinished { relation } => {
                let r = &session.reports()[*relation];
                eprintln!("\r  g{}: {} ({}){}", relation + 1, r.verdict.describe(), r.how_trained(), " ".repeat(30));
            }
            Event::Finished => {}
        }
    }

    fn print_summary(session: &Session, seconds: f64) {
        println!("\nrelation  verdict             |g|/|v| on   off      ratio    sin(span)  syzygy err  steps  fidelity");
        for r in session.reports() {
            let m = &r.metrics;
            let verdict = match &r.verdict {
                Verdict::Independent => "independent".to_string(),
                Verdict::Dependent { test, .. } => format!("no ({})", test.label().split(' ').next().unwrap_or("")),
                Verdict::Diverged => "diverged".into(),
                Verdict::Imported => "imported".into(),
            };
            let syz = r.syzygy_error.map(|e| format!("{e:.3}")).unwrap_or_else(|| "-".into());
            let fid = r.fidelity.as_ref().map(|f| format!("{:.1}% of {}", 100.0 * f.within, f.converged)).unwrap_or_else(|| "-".into());
            println!(
                "g{:<8} {verdict:<19} {:<12.5} {:<8.4} {:<8.1} {:<10.3} {syz:<11} {:<6} {fid}",
                r.index + 1,
                m.on_residual,
                m.off_residual,
                m.ratio,
                m.sin_span,
                r.steps
            );
        }
        if let Some(f) = session.reports().iter().rev().find_map(|r| r.fidelity.as_ref()) {
            println!("fidelity: {}", f.meaning());
        }
        let conclusion = session.conclusion();
        println!("kept {} relation(s): {}  ({seconds:.1} s)", conclusion.kept, conclusion.describe());
    }
}
