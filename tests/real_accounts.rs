//! Real accounts as AWS returns them (issue 8): AWS managed policies, every FSx type and
//! lifecycle, ONTAP volumes, Regions newer than the table, one odd resource among good ones.
//!
//! `tests/fixtures/real/account.json` is an inventory document in the shapes of the FSx and IAM
//! API models; `policy.yaml` holds one rule per question. The expected verdicts below were
//! written down with the fixture, before the rules were run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::time::Duration;

mod common;

use common::fsx_guard;
use fsx_guard::engine::{self, Report};
use fsx_guard::inventory::{Inventory, source};
use fsx_guard::policy::{self, PolicySet};

const ACCOUNT: &str = "111122223333";

fn fs(n: u32) -> String {
    format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/fs-0a00000000000f{n:03x}")
}

fn role(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// (rule, resource, verdict) for every result: nothing more, nothing less.
fn expected() -> Vec<(&'static str, String, &'static str)> {
    let new_region_fs = format!("arn:aws:fsx:eu-west-4:{ACCOUNT}:file-system/fs-0a00000000000f00c");
    let backup = |id: &str| format!("arn:aws:fsx:us-east-1:{ACCOUNT}:backup/{id}");
    let mut rows = Vec::new();
    // backup-retention, copy tags required: file systems that cannot be backed up, or are not
    // (or no longer) available, are not applicable; ONTAP copy-tags is per volume.
    for (n, verdict) in [
        (1, "pass"),
        (2, "not_applicable"), // Lustre SCRATCH_2
        (3, "not_applicable"), // Lustre PERSISTENT_1 linked to S3
        (4, "not_applicable"), // CREATING
        (5, "pass"),           // young, but retention is a setting
        (6, "not_applicable"), // FAILED
        (7, "pass"),           // UPDATING: judged as usual
        (8, "fail"),           // ONTAP: volume `scratch` does not copy tags
        (9, "pass"),           // ONTAP: both volumes copy tags
        (10, "pass"),
        (11, "pass"),
    ] {
        rows.push(("RET", fs(n), verdict));
    }
    rows.push(("RET", new_region_fs.clone(), "pass"));
    // backup-recency
    for (n, verdict) in [
        (1, "pass"),
        (2, "not_applicable"),
        (3, "not_applicable"),
        (4, "not_applicable"),
        (5, "not_applicable"), // younger than its first backup window + 26 h
        (6, "not_applicable"),
        (7, "fail"),   // UPDATING with no backup
        (8, "fail"),   // ONTAP: one volume fresh, one 98 hours old
        (9, "pass"),   // ONTAP: both volumes fresh
        (10, "error"), // its only backup cannot be read (OwnerId differs from the ARN)
        (11, "pass"),  // beside the odd backup, judged as usual
    ] {
        rows.push(("REC", fs(n), verdict));
    }
    rows.push(("REC", new_region_fs.clone(), "pass"));
    // cross-region-copy to us-west-2
    for (n, verdict) in [
        (1, "pass"),
        (2, "not_applicable"),
        (3, "not_applicable"),
        (4, "not_applicable"),
        (5, "not_applicable"),
        (6, "not_applicable"),
        (7, "fail"),
        (8, "fail"), // ONTAP: no volume copied
        (9, "fail"), // ONTAP: volume `data` copied, `logs` not
        (10, "fail"),
        (11, "fail"),
    ] {
        rows.push(("CRC", fs(n), verdict));
    }
    rows.push(("CRC", new_region_fs, "fail"));
    // An AVAILABLE, fresh copy in an opt-in Region: evidence beats the table, and both rules
    // agree on it.
    rows.push(("CRC-OPT-IN", fs(1), "pass"));
    rows.push(("KMS-OPT-IN", fs(1), "pass"));
    // Names follow the API's TagValue pattern: `@` is in it, a tab is not, empty is no name.
    rows.push(("NAMES", backup("backup-0a000000000001002"), "pass"));
    rows.push(("NAMES", backup("backup-0a000000000001003"), "fail"));
    rows.push(("NAMES", backup("backup-0a000000000001004"), "fail"));
    // Selected by id and found: the uncollected eu-central-1 cannot hold it.
    rows.push(("BY-ID-UNCOLLECTED-REGION", fs(1), "pass"));
    rows.push(("BY-ID-TYPO", "arn:aws:fsx:*:*:file-system/fs-0badbadbadbadbad0".to_string(), "error"));
    // IAM: AWS managed policies are evaluated like any managed policy (role and group), and the
    // DR copies of the selected file system's backups are its backups.
    rows.push(("IAM-DELETE-ONLY", role("backup-admin"), "pass"));
    rows.push(("IAM-DELETE-ONLY", role("dr-cleaner"), "fail"));
    rows.push(("IAM-DELETE-ONLY", role("fsx-operator"), "fail"));
    rows.push(("IAM-DELETE-ONLY", format!("arn:aws:iam::{ACCOUNT}:user/dana"), "fail"));
    // The backups of a deleted file system still belong to the selection.
    rows.push(("IAM-DELETE-ORPHANS", role("backup-admin"), "pass"));
    rows.push(("IAM-DELETE-ORPHANS", role("fsx-operator"), "fail"));
    rows.push(("IAM-DELETE-ORPHANS", role("orphan-cleaner"), "fail"));
    rows.push(("IAM-DELETE-ORPHANS", format!("arn:aws:iam::{ACCOUNT}:user/dana"), "fail"));
    rows.push(("IAM-COPY-MANAGED", role("fsx-operator"), "pass"));
    rows.push(("IAM-COPY-MANAGED", format!("arn:aws:iam::{ACCOUNT}:user/dana"), "pass"));
    rows
}

fn evaluate(policy: &str, inventories: &[&str]) -> (PolicySet, Inventory, Report) {
    let policies = policy::load(&[PathBuf::from(policy)]).unwrap();
    let paths: Vec<PathBuf> = inventories.iter().map(PathBuf::from).collect();
    let inventory = source::load(&paths).unwrap();
    let mut report = engine::evaluate(&policies, &inventory, inventory.collected_at.unwrap());
    report.elapsed = Duration::ZERO;
    (policies, inventory, report)
}

fn scenario() -> (PolicySet, Inventory, Report) {
    evaluate("tests/fixtures/real/policy.yaml", &["tests/fixtures/real/account.json"])
}

fn result<'r>(policies: &PolicySet, report: &'r Report, rule: &str, resource: &str) -> &'r engine::RuleResult {
    report
        .results
        .iter()
        .find(|r| policies.rules[r.rule].id == rule && r.subject.id == resource)
        .unwrap_or_else(|| panic!("no result for {rule} on {resource}"))
}

#[test]
fn every_result_of_the_real_account_is_the_expected_one() {
    let (policies, _, report) = scenario();
    let mut got: Vec<(String, String, String)> = report
        .results
        .iter()
        .map(|r| (policies.rules[r.rule].id.clone(), r.subject.id.clone(), r.verdict.as_str().to_string()))
        .collect();
    let mut want: Vec<(String, String, String)> =
        expected().into_iter().map(|(r, s, v)| (r.to_string(), s, v.to_string())).collect();
    got.sort();
    want.sort();
    let messages: Vec<String> = report
        .results
        .iter()
        .map(|r| format!("{} {} {}: {}", policies.rules[r.rule].id, r.subject.id, r.verdict.as_str(), r.message))
        .collect();
    assert_eq!(got, want, "\n{}", messages.join("\n"));
}

#[test]
fn aws_managed_policies_load_and_grant() {
    let (policies, inventory, report) = scenario();
    let iam = inventory.accounts[ACCOUNT].iam.as_ref().unwrap();
    assert!(iam.policies.iter().any(|p| p.arn == "arn:aws:iam::aws:policy/AmazonFSxFullAccess"));
    let operator = result(&policies, &report, "IAM-DELETE-ONLY", &role("fsx-operator"));
    assert!(operator.message.contains("arn:aws:iam::aws:policy/AmazonFSxFullAccess"), "{}", operator.message);
    // The read-only managed policy grants nothing that deletes.
    assert!(!report.results.iter().any(|r| r.subject.id == role("auditor")));
}

#[test]
fn raw_get_account_authorization_details_with_aws_managed_policies_is_an_inventory() {
    let output = fsx_guard()
        .args(["check", "--policy", "tests/fixtures/real/policy.yaml", "--format", "json"])
        .args(["--inventory", "tests/fixtures/real/get-account-authorization-details.json"])
        .args(["--inventory", "tests/fixtures/real/describe-file-systems.json"])
        .args(["--inventory", "tests/fixtures/real/describe-backups.json"])
        .args(["--now", "2026-11-25T06:00:00Z"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(2), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let verdict = |rule: &str, resource: &str| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == rule && r["resource"] == resource)
            .map(|r| r["verdict"].as_str().unwrap().to_string())
    };
    assert_eq!(verdict("IAM-COPY-MANAGED", &role("fsx-operator")).as_deref(), Some("pass"));
    assert_eq!(verdict("IAM-DELETE-ONLY", &role("fsx-operator")).as_deref(), Some("fail"));
    assert_eq!(verdict("IAM-DELETE-ONLY", &format!("arn:aws:iam::{ACCOUNT}:user/dana")).as_deref(), Some("fail"));
}

#[test]
fn one_odd_backup_does_not_stop_the_run_and_is_reported_where_it_is() {
    let output = fsx_guard()
        .args([
            "check",
            "--policy",
            "tests/fixtures/real/policy.yaml",
            "--inventory",
            "tests/fixtures/real/account.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Failures exist, so 1: the run went on.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`OwnerId` `444455556666` differs from the ARN's account `111122223333`"), "{stderr}");
    assert!(stderr.contains("tests/fixtures/real/account.json:"), "the warning names the file and line: {stderr}");
    assert!(stderr.contains("region `eu-west-4` is not in fsx-guard's Region table"), "{stderr}");
}

#[test]
fn a_backup_whose_arn_cannot_be_read_is_an_error_for_its_file_system_only() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("fs.json");
    // The file system of the odd backup, and another one with a good backup.
    let mut fs1 = serde_json::json!({
        "OwnerId": ACCOUNT, "CreationTime": "2025-01-01T00:00:00Z", "FileSystemId": "fs-0a1b2c3d4e5f60001",
        "FileSystemType": "OPENZFS", "Lifecycle": "AVAILABLE",
        "ResourceARN": format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/fs-0a1b2c3d4e5f60001"),
        "OpenZFSConfiguration": {"AutomaticBackupRetentionDays": 7, "CopyTagsToBackups": true, "DailyAutomaticBackupStartTime": "05:00"}
    });
    let mut fs2 = fs1.clone();
    fs2["FileSystemId"] = "fs-0a1b2c3d4e5f60002".into();
    fs2["ResourceARN"] = format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/fs-0a1b2c3d4e5f60002").into();
    fs1["Tags"] = serde_json::json!([]);
    std::fs::write(&files, serde_json::json!({"FileSystems": [fs1, fs2]}).to_string()).unwrap();
    let odd: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/real/odd-backup-arn.json").unwrap()).unwrap();
    let mut backups = odd.clone();
    // A good backup of the second file system.
    let mut good = odd["Backups"][0].clone();
    good["FileSystem"]["FileSystemId"] = "fs-0a1b2c3d4e5f60002".into();
    good["BackupId"] = "backup-0a00000000000a0ff".into();
    good["ResourceARN"] = format!("arn:aws:fsx:us-east-1:{ACCOUNT}:backup/backup-0a00000000000a0ff").into();
    backups["Backups"].as_array_mut().unwrap().push(good);
    // The first file system's only readable backup is old: without the odd one it would fail.
    backups["Backups"][0]["CreationTime"] = "2026-11-01T00:00:00Z".into();
    let backups_path = dir.path().join("backups.json");
    std::fs::write(&backups_path, backups.to_string()).unwrap();
    let output = fsx_guard()
        .args(["check", "--format", "json", "--now", "2026-11-25T06:00:00Z", "--inventory"])
        .arg(&files)
        .arg("--inventory")
        .arg(&backups_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("is not a 12-digit account id"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let recency = |id: &str| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule_id"] == "FSX-BASE-RECENCY" && r["resource"].as_str().unwrap().ends_with(id))
            .map(|r| r["verdict"].as_str().unwrap().to_string())
            .unwrap()
    };
    // The odd backup names fs-...0001: that file system's recency could change, the other's not.
    assert_eq!(recency("fs-0a1b2c3d4e5f60001"), "error");
    assert_eq!(recency("fs-0a1b2c3d4e5f60002"), "pass");
}

#[test]
fn region_keys_newer_than_the_table_load() {
    let inventory = source::load(&[PathBuf::from("tests/fixtures/real/new-region-keys.json")]).unwrap();
    let account = &inventory.accounts[ACCOUNT];
    assert!(account.file_systems_collected.contains("us-east-7"));
    assert!(account.file_systems_collected.contains("eu-wset-1"));
    let rendered = format!("{:?}", inventory.warnings);
    assert!(rendered.contains("did you mean `eu-west-1`?"), "a near name is probably a typo: {rendered}");
}

#[test]
fn ontap_volume_backups_and_raw_describe_volumes() {
    let (policies, inventory, report) = scenario();
    let account = &inventory.accounts[ACCOUNT];
    assert_eq!(account.volumes.len(), 6);
    let backup = account.backups.iter().find(|b| b.id == "backup-0a000000000008001").unwrap();
    assert_eq!(backup.file_system_id, "fs-0a00000000000f008");
    assert_eq!(backup.volume_id.as_deref(), Some("fsvol-0a00000000008000a"));
    let recency = result(&policies, &report, "REC", &fs(8));
    assert!(recency.message.contains("volume `fsvol-0a00000000008000b`"), "{}", recency.message);
    let copies = result(&policies, &report, "CRC", &fs(9));
    assert!(copies.message.contains("volume `fsvol-0a00000000009000b`"), "{}", copies.message);
    assert!(!copies.message.contains("volume `fsvol-0a00000000009000a`: no copy"), "{}", copies.message);
    // Raw `aws fsx describe-volumes` output is an inventory too.
    let raw = source::load(&[PathBuf::from("tests/fixtures/real/describe-volumes.json")]).unwrap();
    assert_eq!(raw.accounts[ACCOUNT].volumes.len(), 3);
    assert!(raw.accounts[ACCOUNT].volumes_collected.contains("us-east-1"));
}

#[test]
fn ontap_without_collected_volumes_is_an_error() {
    let text = std::fs::read_to_string("tests/fixtures/real/account.json").unwrap();
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    document["accounts"][0]["regions"]["us-east-1"].as_object_mut().unwrap().remove("Volumes");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-volumes.json");
    std::fs::write(&path, document.to_string()).unwrap();
    let (policies, _, report) = evaluate("tests/fixtures/real/policy.yaml", &[path.to_str().unwrap()]);
    let recency = result(&policies, &report, "REC", &fs(9));
    assert_eq!(recency.verdict.as_str(), "error", "{}", recency.message);
    assert!(recency.message.contains("volumes"), "{}", recency.message);
}

#[test]
fn the_iam_evidence_names_the_region_of_a_dr_copy() {
    let (policies, _, report) = scenario();
    let cleaner = result(&policies, &report, "IAM-DELETE-ONLY", &role("dr-cleaner"));
    assert!(cleaner.message.contains("in us-west-2"), "{}", cleaner.message);
    assert_eq!(cleaner.evidence.value()["example_request_region"], "us-west-2");
}

#[test]
fn lifecycle_and_no_backup_reasons_are_named() {
    let (policies, _, report) = scenario();
    for (rule, n, words) in [
        ("RET", 2, "SCRATCH_2"),
        ("RET", 3, "S3 data repository"),
        ("REC", 4, "CREATING"),
        ("REC", 5, "first daily backup window"),
        ("CRC", 6, "FAILED"),
    ] {
        let r = result(&policies, &report, rule, &fs(n));
        assert!(r.message.contains(words), "{rule} {n}: {}", r.message);
    }
}

/// A policy author's traps (point 10): every problem in one run, forms explained.
#[test]
fn validate_reports_schema_and_semantic_problems_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("traps.yaml");
    std::fs::write(
        &path,
        "version: 1\nrules:\n  - id: A\n    kind: backup-retention\n    selct: {}\n    params: {min_days: 30, max_days: 7}\n  - id: B\n    kind: cross-region-copy\n    select:\n      regions: [us-wset-2]\n    params:\n      destinations: [us-west-2]\n  - id: C\n    kind: copy-kms-consistency\n    params:\n      keys: {us-west-2: alias/dr-key}\n  - id: D\n    kind: iam-permission\n    params:\n      action: fsx:DeleteBackup\n      must_allow: [backup-admin]\n  - id: A\n    kind: backup-naming\n    params:\n      pattern: \"(unclosed\"\n",
    )
    .unwrap();
    let output = fsx_guard().arg("validate").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for expected in [
        "unknown key `selct`",                            // schema
        "`min_days` (30) is greater than `max_days` (7)", // semantic, beside it
        "unknown region `us-wset-2`",                     // a typo
        "did you mean `us-west-2`?",
        "`alias/dr-key` is an alias name", // what form, with an example
        "arn:aws:kms:us-west-2:111122223333:key/",
        "`backup-admin` is not the ARN of an IAM user or role",
        "arn:aws:iam::<account>:role/backup-admin",
        "duplicate rule id `A`",
        "not a valid regular expression",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}` in:\n{stderr}");
    }
}

#[test]
fn regions_newer_than_the_table_in_policies() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let rule = |region: &str| {
        format!("version: 1\nrules:\n  - id: R\n    kind: backup-recency\n    select:\n      regions: [{region}]\n")
    };
    // Far from every known name: accepted, with a warning.
    let far = write("far.yaml", &rule("mars-north-1"));
    let output = fsx_guard().arg("validate").arg(&far).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("region `mars-north-1` is not in fsx-guard's Region table"), "{stderr}");
    // Close to a known name: a typo, an error.
    let near = write("near.yaml", &rule("eu-west-4"));
    let output = fsx_guard().arg("validate").arg(&near).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("new_regions"));
    // Named on purpose: accepted without a word.
    let declared = write("declared.yaml", &format!("new_regions: [eu-west-4]\n{}", rule("eu-west-4")));
    let output = fsx_guard().arg("validate").arg(&declared).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("eu-west-4"), "{stderr}");
}

#[test]
fn cross_region_copy_without_source_regions_warns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-source.yaml");
    std::fs::write(
        &path,
        "version: 1\nrules:\n  - id: DR\n    kind: cross-region-copy\n    params:\n      destinations: [us-west-2]\n",
    )
    .unwrap();
    let output = fsx_guard().arg("validate").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("must hold an in-Region copy there"), "{stderr}");
    assert!(Path::new(&path).exists());
}

#[test]
fn a_field_of_the_wrong_type_is_an_error_for_its_resource_not_an_input_error() {
    let output = fsx_guard()
        .args(["check", "--format", "json", "--inventory", "tests/fixtures/real/wrong-types.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("invalid type: string \"fourteen\", expected i64"), "{stderr}");
    assert!(stderr.contains("wrong-types.json:10:13"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = json["results"].as_array().unwrap();
    assert!(!results.is_empty());
    // The file system that could not be read is `error` for every rule that selects it.
    for result in results {
        assert_eq!(result["verdict"], "error", "{result}");
        assert!(result["resource"].as_str().unwrap().ends_with("fs-0a1b2c3d4e5f60001"), "{result}");
    }
}

#[test]
fn an_iam_entry_of_the_wrong_type_is_an_error_for_only_and_must_allow() {
    let text = std::fs::read_to_string("tests/fixtures/real/account.json").unwrap();
    let mut document: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The backup admin's inline policy list is a string: that role cannot be read.
    document["accounts"][0]["iam"]["RoleDetailList"][0]["RolePolicyList"] = "oops".into();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad-role.json");
    std::fs::write(&path, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    let (policies, inventory, report) = evaluate("tests/fixtures/real/policy.yaml", &[path.to_str().unwrap()]);
    assert!(!inventory.warnings.is_empty());
    let admin = result(&policies, &report, "IAM-DELETE-ONLY", &role("backup-admin"));
    assert_eq!(admin.verdict.as_str(), "error", "{}", admin.message);
    // Everyone else is still judged.
    let operator = result(&policies, &report, "IAM-DELETE-ONLY", &role("fsx-operator"));
    assert_eq!(operator.verdict.as_str(), "fail");
}

#[test]
fn a_fresh_copy_in_an_opt_in_region_passes_both_copy_rules() {
    let (policies, _, report) = scenario();
    let copies = result(&policies, &report, "CRC-OPT-IN", &fs(1));
    let keys = result(&policies, &report, "KMS-OPT-IN", &fs(1));
    assert_eq!(
        (copies.verdict.as_str(), keys.verdict.as_str()),
        ("pass", "pass"),
        "{} / {}",
        copies.message,
        keys.message
    );
}

#[test]
fn selecting_by_id_needs_no_uncollected_region_and_a_missing_id_is_an_error() {
    let (policies, _, report) = scenario();
    let by_id: Vec<&str> = report
        .results
        .iter()
        .filter(|r| policies.rules[r.rule].id == "BY-ID-UNCOLLECTED-REGION")
        .map(|r| r.verdict.as_str())
        .collect();
    assert_eq!(by_id, ["pass"]);
    let typo = result(&policies, &report, "BY-ID-TYPO", "arn:aws:fsx:*:*:file-system/fs-0badbadbadbadbad0");
    assert!(typo.message.contains("selected file system `fs-0badbadbadbadbad0` is not in the inventory"));
}
