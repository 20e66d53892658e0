//! SARIF output against the OASIS SARIF 2.1.0 schema (kept in `tests/data`) and the rules of
//! SPEC §6 that a schema cannot check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::{Value, json};

fn fsx_guard() -> Command {
    let mut cmd = Command::cargo_bin("fsx-guard").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").timeout(Duration::from_secs(120));
    cmd
}

fn sarif_of(args: &[&str]) -> Value {
    let out = fsx_guard().args(args).args(["--format", "sarif"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn example_validates_against_the_oasis_schema() {
    let sarif = sarif_of(&["check", "--inventory", "examples/inventory.json"]);
    assert_eq!(common::oasis_errors(&sarif), Vec::<String>::new());
    let compliant = sarif_of(&["check", "--inventory", "tests/fixtures/compliant.json"]);
    assert_eq!(common::oasis_errors(&compliant), Vec::<String>::new());
    assert_eq!(compliant["runs"][0]["results"], json!([]));
}

#[test]
fn results_follow_spec_section_6() {
    let sarif = sarif_of(&["check", "--inventory", "examples/inventory.json"]);
    let run = &sarif["runs"][0];
    assert_eq!(sarif["runs"].as_array().unwrap().len(), 1);
    assert!(run["automationDetails"]["id"].as_str().unwrap().starts_with("fsx-guard/"));
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3, "every loaded rule is described");
    for rule in rules {
        assert!(rule["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(rule["fullDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(rule["help"]["text"].as_str().is_some_and(|t| t.contains("## Verdicts")));
        let severity: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
        assert!(severity > 0.0 && severity <= 10.0);
        assert!(["error", "warning", "note"].contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = run["results"].as_array().unwrap();
    // 5 failures and 3 undetermined: passes and not-applicable are not results (a name with `@`
    // passes: the FSx API's TagValue pattern allows it).
    assert_eq!(results.len(), 8);
    for result in results {
        assert_eq!(result["kind"], "fail");
        let level = result["level"].as_str().unwrap();
        assert_ne!(level, "none");
        let location = &result["locations"][0];
        assert!(location["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
        let uri = location["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains("://"), "{uri} is relative");
        assert!(location["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().starts_with("arn:aws:fsx:"));
        let verdict = result["properties"]["verdict"].as_str().unwrap();
        let message = result["message"]["text"].as_str().unwrap();
        assert_eq!(verdict == "error", message.starts_with("could not evaluate:"), "{message}");
        let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[rule_index]["id"], result["ruleId"]);
    }
}

#[test]
fn fingerprints_are_stable_across_runs() {
    let fingerprints = |now: &str| -> Vec<(String, String)> {
        let sarif = sarif_of(&["check", "--inventory", "examples/inventory.json", "--now", now]);
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().to_string()
                        + " "
                        + r["ruleId"].as_str().unwrap(),
                    r["partialFingerprints"]["fsxGuardResource/v1"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let first = fingerprints("2026-11-25T06:00:00Z");
    let later = fingerprints("2026-11-25T18:00:00Z");
    for (key, print) in &first {
        if let Some((_, other)) = later.iter().find(|(k, _)| k == key) {
            assert_eq!(print, other, "{key}");
        }
    }
    let distinct: std::collections::BTreeSet<_> = first.iter().map(|(_, p)| p).collect();
    assert_eq!(distinct.len(), first.len(), "one fingerprint per (rule, resource)");
}

#[test]
fn more_results_than_github_keeps_are_cut_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.json");
    let fs = "fs-0a1b2c3d4e5f60001";
    let backups: Vec<Value> = (0..25_010)
        .map(|i| {
            json!({
                "BackupId": format!("backup-{i:017x}"),
                "Lifecycle": "AVAILABLE",
                "Type": "USER_INITIATED",
                "CreationTime": 1_795_500_000 + i,
                "FileSystem": {"FileSystemId": fs, "FileSystemType": "OPENZFS"},
                "Tags": []
            })
        })
        .collect();
    let document = json!({
        "version": 1,
        "collected_at": "2026-11-25T06:00:00Z",
        "accounts": [{"account_id": "111122223333", "regions": {"us-east-1": {
            "FileSystems": [{"FileSystemId": fs, "FileSystemType": "OPENZFS", "OpenZFSConfiguration": {
                "AutomaticBackupRetentionDays": 14, "CopyTagsToBackups": true, "DailyAutomaticBackupStartTime": "05:00"}}],
            "Backups": backups}}}]
    });
    std::fs::write(&path, serde_json::to_vec(&document).unwrap()).unwrap();
    let sarif_path = dir.path().join("out.sarif");
    let output = fsx_guard()
        .arg("check")
        .arg("--inventory")
        .arg(&path)
        .arg("--format")
        .arg(format!("sarif={}", sarif_path.display()))
        .args(["--fail-on", "warning"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("25000 most severe of 25010"));
    let sarif: Value = serde_json::from_slice(&std::fs::read(Path::new(&sarif_path)).unwrap()).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 25_000);
    assert_eq!(run["properties"]["truncated"]["total"], 25_010);
}
