//! End-to-end tests of the binary: exit codes, formats, usage errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use assert_cmd::Command;
use predicates::prelude::*;

const EXAMPLE: &str = "examples/inventory.json";

fn fsx_guard() -> Command {
    let mut cmd = Command::cargo_bin("fsx-guard").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    cmd
}

#[test]
fn exit_0_when_compliant() {
    fsx_guard()
        .args(["check", "--inventory", "tests/fixtures/compliant.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No failures."))
        .stdout(predicate::str::contains("3 pass, 0 fail, 0 error"));
}

#[test]
fn exit_1_on_the_example() {
    fsx_guard()
        .args(["check", "--inventory", EXAMPLE])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("automatic backups are kept 40 days, more than `max_days` 35"));
}

#[test]
fn exit_3_when_only_undetermined() {
    fsx_guard()
        .args(["check", "--inventory", "tests/fixtures/undetermined.json"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("could not evaluate: DescribeBackups failed in us-west-2"));
}

#[test]
fn exit_2_on_usage_errors() {
    for args in [
        vec!["check", "--inventory", EXAMPLE, "--format", "json", "--format", "sarif"],
        vec!["check", "--inventory", EXAMPLE, "--format", "yaml"],
        vec!["check", "--inventory", EXAMPLE, "--format", "junit="],
        vec!["check", "--inventory", EXAMPLE, "--rule", "FSX-NOPE-*"],
        vec!["check", "--inventory", EXAMPLE, "--severity", "critical"],
        vec!["check", "--inventory", EXAMPLE, "--sarif-category", "prod/"],
        vec!["check", "--inventory", EXAMPLE, "--baseline", "does/not/exist.json"],
        vec!["check", "--inventory", EXAMPLE, "--baseline", EXAMPLE],
        vec!["check", "--inventory", EXAMPLE, "--waivers", "does/not/exist.yaml"],
        vec!["check", "--inventory", EXAMPLE, "--now", "yesterday"],
        vec!["check", "--inventory", "does/not/exist.json"],
        vec!["check", "--live"],
        vec!["check"],
        vec!["collect"],
        vec!["check", "--inventory", EXAMPLE, "--live"],
        vec!["check", "--inventory", EXAMPLE, "--policy", "tests/data"],
    ] {
        fsx_guard().args(&args).assert().code(2);
    }
}

#[test]
fn fail_on_thresholds() {
    let base = ["check", "--inventory", EXAMPLE, "--policy", "tests/fixtures/warnings-only.yaml"];
    // Naming failures are warnings: below the default threshold, so the coverage error decides.
    fsx_guard().args(base).assert().code(3);
    fsx_guard().args(base).args(["--fail-on", "warning"]).assert().code(1);
    fsx_guard().args(base).args(["--fail-on", "note"]).assert().code(1);
    fsx_guard().args(base).args(["--fail-on", "never"]).assert().code(0);
    fsx_guard().args(["check", "--inventory", EXAMPLE, "--fail-on", "never"]).assert().code(0);
}

#[test]
fn now_moves_every_age() {
    // A week later nothing is recent any more; a day earlier the backups do not exist yet.
    fsx_guard()
        .args(["check", "--inventory", "tests/fixtures/compliant.json", "--now", "2026-12-02T06:00:00Z"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FSX-BASE-RECENCY"));
    fsx_guard()
        .args(["check", "--inventory", "tests/fixtures/compliant.json", "--now", "2026-11-20T12:00:00Z"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no available backup"));
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let json = dir.path().join("out.json");
    fsx_guard()
        .args(["check", "--inventory", EXAMPLE, "--format", "pretty"])
        .arg("--format")
        .arg(format!("sarif={}", sarif.display()))
        .arg("--format")
        .arg(format!("json={}", json.display()))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Summary:"));
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(sarif).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    // 5: a name with `@` is accepted, as the FSx API's `TagValue` pattern allows it.
    assert_eq!(json["summary"]["fail"], 5);
}

#[test]
fn include_passed_lists_passes() {
    fsx_guard()
        .args(["check", "--inventory", "tests/fixtures/compliant.json", "--include-passed"])
        .assert()
        .code(0)
        // Not a terminal: plain ASCII marks, as miette's diagnostics there.
        .stdout(predicate::str::contains("+ pass  FSX-BASE-RETENTION"));
}

#[test]
fn raw_cli_output_gives_the_documents_verdicts() {
    let raw: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/raw"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut cmd = fsx_guard();
    cmd.args(["check", "--format", "json", "--now", "2026-11-25T06:00:00Z"]);
    for path in &raw {
        cmd.args(["--inventory", path]);
    }
    let out = cmd.assert().code(1).get_output().stdout.clone();
    let from_raw: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let out = fsx_guard()
        .args(["check", "--format", "json", "--inventory", EXAMPLE])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let from_document: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let verdicts = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            // Raw output cannot record the document's failed eu-west-1 collection.
            .filter(|r| r["region"] != "eu-west-1")
            .map(|r| {
                (
                    r["rule_id"].as_str().unwrap().to_string(),
                    r["resource"].as_str().unwrap().to_string(),
                    r["verdict"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&from_raw), verdicts(&from_document));
    assert!(!verdicts(&from_raw).is_empty());
}

#[test]
fn validate_rules_and_schema() {
    fsx_guard().args(["validate"]).assert().code(0).stdout(predicate::str::contains("3 rule(s): valid"));
    fsx_guard().args(["validate", "tests/fixtures/warnings-only.yaml"]).assert().code(0);
    fsx_guard().args(["rules"]).assert().code(0).stdout(predicate::str::contains("backup-retention"));
    fsx_guard().args(["rules", "backup-naming"]).assert().code(0).stdout(predicate::str::contains("## Verdicts"));
    fsx_guard().args(["rules", "backup-namin"]).assert().code(2).stderr(predicate::str::contains("did you mean"));
    let out = fsx_guard().args(["schema", "policy"]).assert().code(0).get_output().stdout.clone();
    let schema: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let out = fsx_guard().args(["schema", "inventory"]).assert().code(0).get_output().stdout.clone();
    let _: serde_json::Value = serde_json::from_slice(&out).unwrap();
}

fn verdicts_of(args: &[&str]) -> Vec<(String, String, String, Option<u64>)> {
    let out = fsx_guard().args(["check", "--format", "json"]).args(args).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap().to_string(),
                r["resource"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
                r["location"]["line"].as_u64(),
            )
        })
        .collect()
}

#[test]
fn yaml_inventories_give_the_same_verdicts_and_their_own_lines() {
    let json = verdicts_of(&["--inventory", "tests/fixtures/compliant.json"]);
    let yaml = verdicts_of(&["--inventory", "tests/fixtures/compliant.yaml"]);
    let strip = |v: &[(String, String, String, Option<u64>)]| -> Vec<(String, String, String)> {
        v.iter().map(|(a, b, c, _)| (a.clone(), b.clone(), c.clone())).collect()
    };
    assert_eq!(strip(&json), strip(&yaml));
    assert!(!yaml.is_empty());
    // Positions point into the YAML file: the file system entry is near its top.
    let fs_line = yaml.iter().find(|r| r.1.contains("file-system/")).and_then(|r| r.3).unwrap();
    assert!(fs_line > 1 && fs_line < 15, "line {fs_line}");
}

#[test]
fn wire_form_epoch_timestamps_give_the_same_verdicts() {
    let document = verdicts_of(&["--inventory", "tests/fixtures/compliant.json"]);
    let wire = verdicts_of(&[
        "--inventory",
        "tests/fixtures/wire-file-systems.json",
        "--inventory",
        "tests/fixtures/wire-backups.json",
        "--now",
        "2026-11-25T06:00:00Z",
    ]);
    let strip = |v: &[(String, String, String, Option<u64>)]| -> Vec<(String, String, String)> {
        v.iter().map(|(a, b, c, _)| (a.clone(), b.clone(), c.clone())).collect()
    };
    assert_eq!(strip(&document), strip(&wire));
}
