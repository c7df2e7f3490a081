//! Property tests of everything that reads outside input: the URL query, CSV point
//! clouds and relations JSON. Arbitrary input never panics; what is accepted is valid
//! and writes back to the same thing; what is refused says where. Bounded (a few hundred
//! cases each) so the test command stays quick. The damage tests count which of their
//! assertions each case reached, and fail when one branch is left mostly untested.
#![cfg(not(target_arch = "wasm32"))]

use aml_playground::backend::Backend;
use aml_playground::core::block_on;
use aml_playground::core::config::{Config, FIELDS, limits};
use aml_playground::core::csv::{DIMS, parse_points, read_points};
use aml_playground::core::error::DataError;
use aml_playground::core::export::{ExportedRelation, FORMAT, FORMAT_VERSION, RelationsFile};
use aml_playground::core::points::PointCloud;
use aml_playground::core::relation::read_vec;
use aml_playground::core::relation::{Activation, LayerWeights};
use burn::tensor::{Tensor, TensorData};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use std::cell::Cell;

/// Every number a field writes lies in the field's range (the table says which).
// A number field may also read "auto" (the equations' degree).
fn config_is_within_limits(c: &Config) -> bool {
    let layers = c.hidden.len();
    let numbers_within = FIELDS
        .iter()
        .filter_map(|f| Some(((f.write)(c)?, f.range?)))
        .all(|(value, (lo, hi))| value == "auto" || value.split('-').all(|n| n.parse::<f64>().is_ok_and(|v| v >= lo && v <= hi)));
    numbers_within && layers >= limits::HIDDEN_LAYERS.0 && layers <= limits::HIDDEN_LAYERS.1
}

/// Query-like text: real keys with arbitrary values, and arbitrary keys.
fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![prop::sample::select(FIELDS.iter().map(|f| f.key).collect::<Vec<_>>()).prop_map(String::from), "[a-z%]{0,6}",];
    prop::collection::vec((key, "[ -~]{0,12}|\\PC{0,6}"), 0..8)
        .prop_map(|pairs| pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
}

fn cloud() -> impl Strategy<Value = PointCloud> {
    (DIMS.0..=5usize, 32usize..60).prop_flat_map(|(dim, rows)| {
        prop::collection::vec(prop::num::f32::NORMAL | prop::num::f32::ZERO | prop::num::f32::SUBNORMAL, dim * rows)
            .prop_map(move |values| PointCloud::new(dim, values).expect("finite"))
    })
}

/// A valid file with one kept 2-3-1 relation.
fn small_file() -> RelationsFile {
    let layer = |inputs, outputs| LayerWeights { inputs, outputs, weight: vec![0.25; inputs * outputs], bias: vec![0.0; outputs] };
    RelationsFile {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        config: "m=circle".into(),
        activation: Activation::Tanh,
        estimated_dimension: 1,
        conclusion: None,
        fidelity_measured_against: None,
        frame: Some(aml_playground::core::frame::Frame { centre: vec![0.1, -0.2], scale: vec![1.5, 1.5] }),
        equations: None,
        equations_notes: Vec::new(),
        relations: vec![ExportedRelation {
            index: 0,
            kept: true,
            verdict: "independent: kept".into(),
            decided_by: None,
            stopped: None,
            on_residual: Some(0.1),
            off_residual: None,
            sin_span: Some(1.0),
            syzygy_error: None,
            fidelity: None,
            origin: "learned".into(),
            source: None,
            transfer: None,
            layers: vec![layer(2, 3), layer(3, 1)],
        }],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_query_gives_a_config_within_limits_that_round_trips(q in query()) {
        let (c, _) = Config::from_query(&q);
        prop_assert!(config_is_within_limits(&c), "{c:?} from {q:?}");
        let (back, notes) = Config::from_query(&c.to_query());
        prop_assert_eq!(back, c);
        prop_assert!(notes.is_empty(), "{:?}", notes);
    }

    #[test]
    fn any_text_is_read_as_points_or_refused_with_a_message(text in "([0-9eE.,;+\\- \\tNnaIif#\"x]{0,40}\n){0,60}") {
        match parse_points(&text) {
            Ok(t) => {
                prop_assert!(t.cloud.values().iter().all(|v| v.is_finite()));
                prop_assert!((DIMS.0..=DIMS.1).contains(&t.cloud.dim()) && t.cloud.len() >= limits::SAMPLES.0);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn any_cloud_written_as_csv_reads_back_exactly(c in cloud()) {
        let csv = c.to_csv();
        prop_assert_eq!(&read_points(&csv).unwrap().cloud, &c);
        // Learning takes it as read, or refuses it with a reason (one repeated point, too
        // few distinct points, a column that does not vary enough to learn from).
        match parse_points(&csv) {
            Ok(t) => prop_assert_eq!(t.cloud, c),
            Err(e) => prop_assert!(
                matches!(e, DataError::NotLearnable(_)) && ["same point", "distinct points", "column"].iter().any(|w| e.to_string().contains(w)),
                "{}",
                e
            ),
        }
    }
}

/// A CSV file of a random cloud (header or not, comma or whitespace separated) and, when
/// `damage` says so, one data line spoilt: a field that is not a number, not finite, or
/// missing. Returns the text and the spoilt line's number.
fn csv_file() -> impl Strategy<Value = (String, Option<usize>)> {
    let rows = (2usize..=5, 32usize..60).prop_flat_map(|(dim, n)| prop::collection::vec(prop::collection::vec(-100f32..100f32, dim), n));
    (rows, any::<bool>(), any::<bool>(), 0usize..4, any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(
        |(rows, header, commas, damage, line, field)| {
            let sep = if commas { "," } else { " " };
            let mut lines: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|v| v.to_string()).collect()).collect();
            // The first data line decides the width when there is no header: spoil a later one.
            let spoilt = (damage > 0).then(|| 1 + line.index(lines.len() - 1));
            if let Some(i) = spoilt {
                let j = field.index(lines[i].len());
                match damage {
                    1 => lines[i][j] = "abc".into(),
                    2 => lines[i][j] = "inf".into(),
                    _ => drop(lines[i].remove(j)),
                }
            }
            let mut text = String::new();
            if header {
                text.push_str(&(1..=rows[0].len()).map(|j| format!("c{j}")).collect::<Vec<_>>().join(sep));
                text.push('\n');
            }
            for l in &lines {
                text.push_str(&l.join(sep));
                text.push('\n');
            }
            (text, spoilt.map(|i| i + 1 + header as usize))
        },
    )
}

#[test]
fn a_csv_file_is_read_exactly_or_refused_naming_its_bad_line() {
    let (read, refused) = (Cell::new(0), Cell::new(0));
    let mut runner = TestRunner::new(RunnerConfig { cases: 300, failure_persistence: None, ..RunnerConfig::default() });
    runner
        .run(&csv_file(), |(text, spoilt)| {
            match (parse_points(&text), spoilt) {
                (Ok(t), None) => {
                    read.set(read.get() + 1);
                    prop_assert_eq!(parse_points(&t.cloud.to_csv()).unwrap().cloud, t.cloud);
                }
                (Err(e), Some(line)) => {
                    refused.set(refused.get() + 1);
                    prop_assert!(
                        matches!(e, DataError::Unreadable(_)) && e.to_string().starts_with(&format!("line {line}")),
                        "{} should name line {}",
                        e,
                        line
                    );
                }
                (outcome, spoilt) => prop_assert!(false, "{:?} for a file spoilt at {:?}", outcome.map(|t| t.cloud.len()), spoilt),
            }
            Ok(())
        })
        .unwrap();
    let (read, refused) = (read.get(), refused.get());
    eprintln!("csv files: {read} read back exactly, {refused} refused naming the bad line");
    assert!(read >= 40 && refused >= 150, "{read} read, {refused} refused: a branch is mostly untested");
}

/// The relations file with one value somewhere replaced: a number by another (huge,
/// negative, fractional), or anything by a string, null or an empty list.
fn damaged_file() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just(serde_json::json!(0)),
        Just(serde_json::json!(3)),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(0.7)),
        Just(serde_json::json!(1e30)),
        Just(serde_json::json!(1e40)),
        Just(serde_json::json!("x")),
        Just(serde_json::Value::Null),
        Just(serde_json::json!([])),
    ];
    (any::<prop::sample::Index>(), value).prop_map(|(at, value)| {
        let mut json: serde_json::Value = serde_json::from_str(&small_file().to_json()).unwrap();
        let mut leaves = Vec::new();
        collect_leaves(&json, String::new(), &mut leaves);
        *json.pointer_mut(&leaves[at.index(leaves.len())]).unwrap() = value;
        json.to_string()
    })
}

fn collect_leaves(v: &serde_json::Value, path: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| collect_leaves(v, format!("{path}/{k}"), out)),
        serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, v)| collect_leaves(v, format!("{path}/{i}"), out)),
        _ => out.push(path),
    }
}

#[test]
fn a_damaged_relations_file_is_usable_or_refused() {
    let (usable, refused) = (Cell::new(0), Cell::new(0));
    let device = Backend::cpu().device;
    let mut runner = TestRunner::new(RunnerConfig { cases: 400, failure_persistence: None, ..RunnerConfig::default() });
    runner
        .run(&damaged_file(), |text| {
            match RelationsFile::from_json(&text) {
                Ok(file) => {
                    usable.set(usable.get() + 1);
                    // Accepted means usable: every kept relation builds and gives a finite value.
                    for r in file.kept_relations(&aml_playground::core::frame::Frame::identity(file.input_dim().unwrap_or(2)), &device) {
                        prop_assert_eq!(r.input_dim(), file.input_dim().unwrap());
                        let x = Tensor::<2>::from_data(TensorData::new(vec![0.5f32; r.input_dim()], [1, r.input_dim()]), &device);
                        let g = block_on(read_vec(r.value(x))).unwrap()[0];
                        prop_assert!(g.is_finite(), "g = {}", g);
                    }
                }
                Err(e) => {
                    refused.set(refused.get() + 1);
                    prop_assert!(!e.to_string().is_empty());
                }
            }
            Ok(())
        })
        .unwrap();
    let (usable, refused) = (usable.get(), refused.get());
    eprintln!("damaged relations files: {usable} usable, {refused} refused with a message");
    assert!(usable >= 100 && refused >= 100, "{usable} usable, {refused} refused: a branch is mostly untested");
}
