//! The link's table read and written: round trips, messages, old versions.
use super::*;
use crate::core::equations::Degree;
use crate::core::frame::Normalise;
use crate::core::manifold::ManifoldKind;
use crate::core::relation::Activation;
use crate::core::transfer::{ImportMode, RelationsLabel};
use crate::core::upload::UploadLabel;

#[test]
fn default_round_trips_without_messages() {
    let c = Config::default();
    let (back, notes) = Config::from_query(&c.to_query());
    assert_eq!(back, c);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn every_field_round_trips() {
    let c = Config {
        manifold: ManifoldKind::Helix,
        samples: 777,
        noise: 0.02,
        seed: 99,
        normalise: Normalise::Axes,
        algorithm: Algorithm::Syzygy,
        hidden: vec![32, 16, 8],
        activation: Activation::Silu,
        lr: 0.0005,
        steps: 321,
        max_relations: Some(5),
        batch: 128,
        scale_term: ScaleTerm::Paper,
        independence: Independence::Pairwise,
        negatives: 0.25,
        init: Init::Plain,
        retry: Retry::Off,
        stopping: Stopping::Steps,
        conditioning: Conditioning::Off,
        pruning: Pruning::Off,
        sides: SidesRule::First,
        degree: Degree::Fixed(3),
        import_mode: ImportMode::Tune,
        imported: RelationsLabel::parse("sphere.json~0123456789abcdef"),
        upload: UploadLabel::parse("points.csv~300x4~0123456789abcdef"),
        backend: Some(BackendChoice::Gpu),
    };
    assert!(c.upload.is_some());
    let (back, notes) = Config::from_query(&format!("?{}", c.to_query()));
    assert_eq!(back, c);
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn the_table_has_one_field_per_key_and_each_choice_round_trips() {
    for (i, field) in FIELDS.iter().enumerate() {
        assert!(FIELDS[..i].iter().all(|f| f.key != field.key), "{} twice", field.key);
        if let Input::Choice(options) = field.input {
            for (key, _) in options() {
                let (c, notes) = Config::from_query(&format!("{}={key}", field.key));
                assert!(notes.is_empty(), "{notes:?}");
                assert_eq!((field.write)(&c).as_deref(), Some(key));
            }
        }
    }
}

#[test]
fn an_unknown_backend_is_dropped_with_a_message() {
    let (c, notes) = Config::from_query("backend=tpu&m=circle");
    assert_eq!(c.backend, None);
    assert!(notes[0].contains("unknown backend 'tpu'"), "{notes:?}");
    assert!(!c.to_query().contains("backend"));
    assert_eq!(Config::from_query("backend=cpu").0.backend, Some(BackendChoice::Cpu));
}

#[test]
fn bad_fields_fall_back_with_a_message_each() {
    let (c, notes) = Config::from_query("m=klein&n=abc&noise=5&hidden=64-0&lr=-1&zzz=1&v=99&seed=-3");
    let d = Config::default();
    assert_eq!(c.manifold, d.manifold);
    assert_eq!(c.samples, d.samples);
    assert_eq!(c.noise, limits::NOISE.1);
    assert_eq!(c.hidden, d.hidden);
    assert_eq!(c.lr, limits::LR.0);
    assert_eq!(c.seed, d.seed);
    assert_eq!(notes.len(), 8, "{notes:#?}");
    for needle in ["klein", "abc", "out of range", "width 0", "zzz", "version", "seed"] {
        assert!(notes.iter().any(|m| m.contains(needle)), "no message mentions {needle}: {notes:#?}");
    }
}

#[test]
fn numbers_out_of_range_say_so_and_use_the_bound() {
    // -5 and 1e12 do not fit a count, but they are numbers: out of range, not "not a number".
    for (query, field, expected) in [("n=-5", "samples", limits::SAMPLES.0), ("n=1e12", "samples", limits::SAMPLES.1)] {
        let (c, notes) = Config::from_query(query);
        assert_eq!(c.samples, expected, "{query}");
        assert_eq!(notes, [format!("{field} {} is out of range {}..{}: using {expected}", &query[2..], limits::SAMPLES.0, limits::SAMPLES.1)]);
    }
    let (c, notes) = Config::from_query("batch=1e9");
    assert_eq!(c.batch, limits::BATCH.1);
    assert!(notes[0].contains("out of range"), "{notes:?}");
    let (c, notes) = Config::from_query("n=100.5&steps=NaN");
    assert_eq!((c.samples, c.steps), (Config::default().samples, Config::default().steps));
    assert!(notes[0].contains("'100.5' is not a whole number") && notes[1].contains("'NaN' is not a number"), "{notes:?}");
}

#[test]
fn version_1_links_train_as_they_did_then() {
    // Version 1 had no warm start; it can still be asked for explicitly.
    let (old, notes) = Config::from_query("v=1&m=circle");
    assert_eq!((old.init, old.manifold), (Init::Plain, ManifoldKind::Circle));
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(Config::from_query("init=sphere&v=1").0.init, Init::Sphere);
    assert_eq!(Config::from_query("m=circle").0.init, Init::Loops, "no version: today's defaults");
    assert_eq!(Config::from_query("m=circle&v=11").0.init, Init::Sphere, "versions 2 to 11 started from a sphere");
    assert_eq!(Config::from_query("init=loops&v=11").0.init, Init::Loops);
    // Versions 1 and 2 ran every relation for all its steps.
    assert_eq!(Config::from_query("v=2&m=circle").0.stopping, Stopping::Steps);
    assert_eq!(Config::from_query("v=2&stop=early").0.stopping, Stopping::Early);
    assert_eq!(Config::from_query("v=5&m=circle").0.stopping, Stopping::Early);
    // Versions 3 to 5 never gave a loose fit more steps; today's default does.
    assert_eq!(Config::from_query("v=5&stop=tighten").0.stopping, Stopping::Tighten);
    assert_eq!(Config::from_query("v=7&m=circle").0.stopping, Stopping::Tighten);
    assert_eq!(Config::from_query("m=circle").0.stopping, Stopping::Patient);
    // Versions 1 to 3 stopped at 3 relations; today a run goes on until one is rejected.
    assert_eq!(Config::from_query("v=3&m=torus").0.max_relations, Some(3));
    assert_eq!(Config::from_query("v=3&rel=5").0.max_relations, Some(5));
    assert_eq!(Config::from_query("m=torus").0.max_relations, None);
    assert_eq!(Config::from_query("rel=4&rel=auto").0.max_relations, None);
    // A bad value keeps what was there: no cap stays no cap, with a message.
    let (bad, notes) = Config::from_query("rel=lots");
    assert_eq!((bad.max_relations, notes.len()), (None, 1), "{notes:?}");
    assert_eq!(Config::from_query("rel=4&rel=lots").0.max_relations, Some(4));
    // Versions 1 to 4 kept a syzygy relation as Eq. 3 left it.
    assert_eq!(Config::from_query("v=4&alg=syzygy").0.conditioning, Conditioning::Off);
    assert_eq!(Config::from_query("v=4&cond=transverse").0.conditioning, Conditioning::Transverse);
    assert_eq!(Config::from_query("alg=syzygy").0.conditioning, Conditioning::Transverse);
    assert_eq!(Config::from_query("v=6&m=circle").0.pruning, Pruning::Off);
    assert_eq!(Config::from_query("v=6&prune=strays").0.pruning, Pruning::Strays);
    assert_eq!(Config::from_query("m=circle").0.pruning, Pruning::Strays);
    // Versions 7 to 10 pruned only where two or more relations were kept.
    assert_eq!(Config::from_query("v=7&m=circle").0.pruning, Pruning::Several);
    assert_eq!(Config::from_query("v=10&m=circle").0.pruning, Pruning::Several);
    assert_eq!(Config::from_query("v=10&prune=strays").0.pruning, Pruning::Strays);
    assert_eq!(Config::from_query("prune=several").0.pruning, Pruning::Several);
    // The equations' degree: auto, or 1 to 6; anything else is refused with the range.
    assert_eq!(Config::from_query("degree=3").0.degree, Degree::Fixed(3));
    let (c, notes) = Config::from_query("degree=9");
    assert_eq!(c.degree, Degree::Fixed(6));
    assert_eq!(notes, ["equations degree 9 is out of range 1..6: using 6"]);
    assert!(Config::from_query("degree=x").1[0].contains("not a number: using auto"));
    // Versions 1 to 7 trained in the data's own coordinates.
    assert_eq!(Config::from_query("v=7&m=circle").0.normalise, Normalise::Off);
    assert_eq!(Config::from_query("v=7&norm=shape").0.normalise, Normalise::Shape);
    assert_eq!(Config::from_query("m=circle").0.normalise, Normalise::Auto);
    // Versions 1 to 8 rejected a relation the warm start led nowhere.
    assert_eq!(Config::from_query("v=8&init=sphere").0.retry, Retry::Off);
    assert_eq!(Config::from_query("v=8&retry=plain").0.retry, Retry::Plain);
    assert_eq!(Config::from_query("m=circle").0.retry, Retry::Plain);
    // Versions 1 to 9 gave only the first relation sides.
    assert_eq!(Config::from_query("v=9&m=circle").0.sides, SidesRule::First);
    assert_eq!(Config::from_query("v=9&sides=within").0.sides, SidesRule::Within);
    assert_eq!(Config::from_query("m=circle").0.sides, SidesRule::Within);
}

#[test]
fn nan_and_garbage_never_panic() {
    for q in ["lr=NaN", "noise=inf", "%", "a%2", "&&&=&", "hidden=", "n=99999999999999999999999", "m=%E2%82"] {
        let (c, _) = Config::from_query(q);
        assert!(c.lr.is_finite() && c.noise.is_finite(), "{q}");
    }
    // NaN is not a number, not a bound: the value in use stays.
    assert_eq!(Config::from_query("lr=NaN").0.lr, Config::default().lr);
}
