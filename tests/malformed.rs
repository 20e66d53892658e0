//! Malformed input must give exit code 2 and a diagnostic: never a panic, a hang or unbounded
//! output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn fsx_guard() -> Command {
    let mut cmd = Command::cargo_bin("fsx-guard").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").timeout(Duration::from_secs(30));
    cmd
}

/// Runs `check` on the inventory and the policy given, expecting exit 2 and a short diagnostic
/// that names the file.
fn rejects(inventory: &Path, policy: Option<&Path>, expected: &str) {
    let mut cmd = fsx_guard();
    cmd.arg("check").arg("--inventory").arg(inventory);
    if let Some(policy) = policy {
        cmd.arg("--policy").arg(policy);
    }
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{}: {stderr}", inventory.display());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(expected), "expected `{expected}` in:\n{stderr}");
    assert!(stderr.len() < 20_000, "diagnostic of {} bytes", stderr.len());
    assert!(output.stdout.is_empty(), "nothing is evaluated, so nothing is reported");
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new("tests/fixtures/malformed").join(name)
}

#[test]
fn broken_json() {
    rejects(&fixture("broken.json"), None, "broken.json");
}

#[test]
fn a_list_where_an_object_is_expected_is_the_file_s_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shape.json");
    std::fs::write(&path, r#"{"version": 1, "accounts": {"account_id": "111122223333"}}"#).unwrap();
    rejects(&path, None, "shape.json");
}

#[test]
fn not_utf8() {
    rejects(&fixture("not-utf8.json"), None, "not UTF-8");
}

#[test]
fn a_region_key_that_is_not_a_region_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("not-a-region.json");
    std::fs::write(
        &path,
        r#"{"version": 1, "accounts": [{"account_id": "111122223333", "regions": {"Backups": {"Backups": []}}}]}"#,
    )
    .unwrap();
    rejects(&path, None, "`Backups` is not a Region name");
}

#[test]
fn same_arn_different_contents() {
    let mut cmd = fsx_guard();
    let output = cmd
        .args(["check", "--inventory", "tests/fixtures/compliant.json", "--inventory"])
        .arg(fixture("conflicting-duplicate.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("compliant.json") && stderr.contains("conflicting-duplicate.json"), "{stderr}");
}

#[test]
fn same_arn_same_contents_is_merged() {
    fsx_guard()
        .args(["check", "--inventory", "tests/fixtures/compliant.json", "--inventory", "tests/fixtures/compliant.json"])
        .assert()
        .code(0);
}

#[test]
fn deep_nesting_json_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("deep.json");
    std::fs::write(&json, format!("{{\"Backups\": {}", "[".repeat(100_000))).unwrap();
    rejects(&json, None, "deep.json");
    let yaml = dir.path().join("deep.yaml");
    std::fs::write(&yaml, format!("Backups: {}", "[".repeat(100_000))).unwrap();
    rejects(&yaml, None, "deep.yaml");
    let policy = dir.path().join("deep-policy.yaml");
    std::fs::write(&policy, format!("version: 1\nrules: {}", "- ".repeat(100_000))).unwrap();
    rejects(Path::new("tests/fixtures/compliant.json"), Some(&policy), "deep-policy.yaml");
}

#[test]
fn yaml_alias_bomb() {
    let mut bomb =
        String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
    }
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("bomb.yaml");
    std::fs::write(&inventory, format!("{bomb}Backups: *a11\n")).unwrap();
    rejects(&inventory, None, "bomb.yaml");
    let policy = dir.path().join("bomb-policy.yaml");
    std::fs::write(&policy, format!("{bomb}version: 1\nrules: *a11\n")).unwrap();
    rejects(Path::new("tests/fixtures/compliant.json"), Some(&policy), "bomb-policy.yaml");
}

#[test]
fn minified_json_gives_a_short_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minified.json");
    let mut text = String::from("{\"Backups\":[");
    for i in 0..5000 {
        text.push_str(&format!("{{\"BackupId\":\"backup-{i:017x}\",\"Lifecycle\":\"AVAILABLE\"}},"));
    }
    text.push_str("oops]}");
    std::fs::write(&path, text).unwrap();
    rejects(&path, None, "minified.json");
}

#[test]
fn policy_that_is_not_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("list.yaml", "- a\n- b\n"),
        ("scalar.yaml", "hello\n"),
        ("empty.yaml", ""),
        ("binary.yaml", "\u{0}\u{1}\u{2}"),
    ] {
        let policy = dir.path().join(name);
        std::fs::write(&policy, text).unwrap();
        rejects(Path::new("tests/fixtures/compliant.json"), Some(&policy), name);
    }
}

#[test]
fn a_300_character_name_is_a_finding_not_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string("tests/fixtures/compliant.json").unwrap();
    let long = "n".repeat(300);
    let text = source.replace("pre-change-20261120-kernel-upgrade", &long);
    assert_ne!(text, source);
    let path = dir.path().join("long-name.json");
    std::fs::write(&path, text).unwrap();
    let output = fsx_guard().arg("check").arg("--inventory").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "backup-naming is a warning in the baseline");
    let output =
        fsx_guard().arg("check").arg("--inventory").arg(&path).args(["--fail-on", "warning"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("300 characters long"));
}

/// Long lists of backups are converted two chunks of 4,096 at a time on two threads: every
/// backup keeps its own pointer, and the warnings about odd ones come in list order, in both
/// forms (a document's Region block and raw `describe-backups` output).
#[test]
fn odd_backups_in_a_long_list_are_reported_in_order_and_the_rest_keep_their_places() {
    let dir = tempfile::tempdir().unwrap();
    let odd = [10usize, 4_100, 5_000, 8_500, 12_290];
    let backup = |i: usize| {
        let id = format!("backup-{i:017x}");
        let region = if odd.contains(&i) { "mars-1" } else { "us-west-2" };
        format!(
            r#"{{"BackupId": "{id}", "Lifecycle": "AVAILABLE", "Type": "AUTOMATIC", "CreationTime": "2025-05-31T05:12:09.123000+00:00", "ResourceARN": "arn:aws:fsx:us-east-1:111122223333:backup/{id}", "OwnerId": "111122223333", "FileSystem": {{"FileSystemId": "fs-0123456789abcdef0"}}, "SourceBackupId": "backup-0fffffffffffffff0", "SourceBackupRegion": "{region}"}}"#
        )
    };
    let count = 12_300;
    let list = (0..count).map(backup).collect::<Vec<_>>().join(",\n    ");
    let forms = [
        (
            "document.json",
            format!(
                "{{\"version\": 1, \"accounts\": [{{\"account_id\": \"111122223333\", \"regions\": {{\"us-east-1\": {{\n  \"Backups\": [\n    {list}\n  ]}}}}}}]}}\n"
            ),
            "/accounts/0/regions/us-east-1/Backups",
        ),
        ("describe-backups.json", format!("{{\"Backups\": [\n    {list}\n]}}\n"), "/Backups"),
    ];
    for (name, text, base) in forms {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let inventory = fsx_guard::inventory::source::load(std::slice::from_ref(&path)).unwrap();
        let account = &inventory.accounts["111122223333"];
        assert_eq!(account.backups.len(), count - odd.len(), "{name}");
        for backup in &account.backups {
            let i: usize = backup.origin.pointer.strip_prefix(&format!("{base}/")).unwrap().parse().unwrap();
            assert_eq!(backup.id, format!("backup-{i:017x}"), "{name}: {} at the wrong pointer", backup.id);
        }
        let places: Vec<usize> = inventory.warnings.iter().map(|w| w.labels[0].offset()).collect();
        assert_eq!(places.len(), odd.len(), "{name}: {:?}", inventory.warnings);
        for (offset, i) in places.iter().zip(odd) {
            let line = text[..*offset].lines().count();
            // Line 1 (or 3 in the document) holds the list's opening; backup i is on the line after.
            let first = if base == "/Backups" { 2 } else { 3 };
            assert_eq!(line, first + i, "{name}: the warning for backup {i} is on line {line}");
        }
        assert_eq!(account.unreadable.len(), odd.len(), "{name}");
    }
}
