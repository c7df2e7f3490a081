//! Property tests of everything that reads outside input: the URL query, CSV point
//! clouds and relations JSON. Arbitrary input never panics; what is accepted is valid
//! and writes back to the same thing. Bounded (a few hundred cases each) so the test
//! command stays quick.

use aml_playground::backend::Backend;
use aml_playground::core::config::{Config, limits};
use aml_playground::core::csv::{DIMS, parse_points, read_points};
use aml_playground::core::export::{ExportedRelation, FORMAT, FORMAT_VERSION, RelationsFile};
use aml_playground::core::relation::{Activation, LayerWeights};
use aml_playground::core::points::PointCloud;
use proptest::prelude::*;

fn config_is_within_limits(c: &Config) -> bool {
    let within = |v: f64, (lo, hi): (f64, f64)| v >= lo && v <= hi;
    let within_n = |v: usize, (lo, hi): (usize, usize)| v >= lo && v <= hi;
    within_n(c.samples, limits::SAMPLES)
        && within(c.noise, limits::NOISE)
        && within(c.lr, limits::LR)
        && within_n(c.steps, limits::STEPS)
        && c.max_relations.is_none_or(|r| within_n(r, limits::RELATIONS))
        && within_n(c.batch, limits::BATCH)
        && within(c.negatives, limits::NEGATIVES)
        && within_n(c.hidden.len(), limits::HIDDEN_LAYERS)
        && c.hidden.iter().all(|&w| within_n(w, limits::HIDDEN_WIDTH))
}

/// Query-like text: real keys with arbitrary values, and arbitrary keys.
fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(vec!["v", "m", "n", "noise", "seed", "alg", "hidden", "act", "lr", "steps", "rel", "batch", "scale", "indep", "neg", "init", "stop", "data"])
            .prop_map(String::from),
        "[a-z%]{0,6}",
    ];
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
    fn any_text_is_read_as_points_or_refused_with_a_line(text in "([0-9eE.,;+\\- \\tNnaIif#\"x]{0,40}\n){0,60}") {
        match parse_points(&text) {
            Ok(t) => {
                prop_assert!(t.cloud.values().iter().all(|v| v.is_finite()));
                prop_assert!((DIMS.0..=DIMS.1).contains(&t.cloud.dim()) && t.cloud.len() >= limits::SAMPLES.0);
                prop_assert_eq!(parse_points(&t.cloud.to_csv()).unwrap().cloud, t.cloud);
            }
            Err(e) => prop_assert!(!e.is_empty()),
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
            Err(e) => prop_assert!(["same point", "distinct points", "column"].iter().any(|w| e.contains(w)), "{}", e),
        }
    }

    #[test]
    fn damaged_relations_files_never_panic(cut in 0usize..2000, flip in 0usize..2000, byte in 0u8..128) {
        let json = small_file().to_json();
        prop_assert!(RelationsFile::from_json(&json).is_ok(), "the undamaged file reads");
        let mut bytes = json.into_bytes();
        let at = flip % bytes.len();
        bytes[at] = byte;
        bytes.truncate(bytes.len() - cut.min(bytes.len()));
        let damaged = String::from_utf8_lossy(&bytes);
        if let Ok(file) = RelationsFile::from_json(&damaged) {
            // Accepted means usable: every kept relation builds and evaluates.
            for r in file.kept_relations(&Backend::cpu().device) {
                prop_assert_eq!(r.input_dim(), file.input_dim().unwrap());
            }
        }
    }
}
