//! The `aml` command line: runs a URL-style config, exports data and relations.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

#[test]
fn cli_runs_a_config_and_exports_data_and_relations() {
    let dir = std::env::temp_dir().join(format!("aml-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (json, csv) = (dir.join("relations.json"), dir.join("data.csv"));
    let out = Command::new(env!("CARGO_BIN_EXE_aml"))
        .args(["m=circle&n=400&steps=800&rel=1&batch=128", "--quiet", "--relations"])
        .arg(&json)
        .arg("--data")
        .arg(&csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // N − 1 = 1 relation in R²: the limit leaves no doubt, so the estimate is plain.
    assert!(stdout.contains("kept 1 relation(s): estimated dimension 1 in R^2"), "{stdout}");

    let data = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(data.lines().next(), Some("x1,x2"));
    assert_eq!(data.lines().count(), 1 + 320, "header + the 80% training split");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(file["format"], "aml-playground/relations");
    assert!(file["config"].as_str().unwrap().contains("m=circle"));
    assert_eq!(file["relations"][0]["layers"][0]["inputs"], 2);
    assert_eq!(file["relations"][0]["kept"], true, "the circle's one relation");

    // The exported points and relations go back in: learn from the CSV, continuing
    // from the relations file.
    let out = Command::new(env!("CARGO_BIN_EXE_aml"))
        .args(["n=400&steps=60&rel=2&batch=128", "--quiet", "--input"])
        .arg(&csv)
        .arg("--import")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("data:    data.csv~320x2~"), "{stdout}");
    assert!(!stdout.contains("m=ellipse") && !stdout.contains("m=circle"), "an upload's config names no manifold: {stdout}");
    // Judged on the CSV (the data in its own units, as exported), the circle still holds.
    assert!(stdout.contains("relation 1 of the file: kept: vanishes here"), "{stdout}");
    assert!(stdout.contains("kept 1 relation(s): estimated dimension 1 in R^2"), "{stdout}");

    // A damaged file is refused with its line.
    std::fs::write(&csv, format!("{data}1,oops\n")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aml")).arg("--input").arg(&csv).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 322, field 2: 'oops' is not a number"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn cli_says_when_the_relation_limit_ended_a_run_and_shows_no_nan_loss() {
    let dir = std::env::temp_dir().join(format!("aml-cli-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("relations.json");
    // Progress shown (no --quiet): each phase starts without a loss, never with "NaN".
    let out = Command::new(env!("CARGO_BIN_EXE_aml")).args(["m=ellipse&n=512&steps=300&rel=1&batch=128", "--relations"]).arg(&json).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stderr.contains("NaN") && stderr.contains("0/300   ") && stderr.contains("loss"), "{stderr}");
    let limit = "stopped at the relation limit (1 relation): the dimension is at most 2 in R^3";
    assert!(stdout.contains(limit), "{stdout}");
    assert!(!stdout.contains("estimated dimension"), "no bare estimate when the cap ended the run: {stdout}");
    assert!(stdout.contains("fidelity: share of random points moved onto the learned intersection that land within 0.05 of the true manifold"), "{stdout}");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(file["conclusion"], limit);
    // The share inside the data's box follows where it differs from the whole figure.
    let meaning = file["fidelity_measured_against"].as_str().unwrap_or_default();
    assert!(meaning.starts_with("share of random points moved onto the learned intersection that land within 0.05 of the true manifold"), "{meaning}");
}

#[test]
fn cli_refuses_data_with_no_manifold_to_learn() {
    let dir = std::env::temp_dir().join(format!("aml-cli-degenerate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("one-point.csv");
    std::fs::write(&csv, "0.5,2\n".repeat(200)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aml")).arg("--input").arg(&csv).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("all 200 rows are the same point (0.5, 2): a single point has dimension 0"), "{stderr}");
}

#[test]
fn cli_rejects_bad_arguments_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_aml")).args(["--backend", "tpu"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown backend 'tpu'"));
    let out = Command::new(env!("CARGO_BIN_EXE_aml")).args(["--frobnicate"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown option --frobnicate"));
}
