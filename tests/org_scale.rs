//! Speed never costs correctness: the verdicts on the benchmark kit's `medium` inventory (1,000
//! file systems, 30,758 backups, 12,616 cross-Region copies, seed 42) equal the generator's
//! ground truth, rule by rule, file system by file system.
//!
//! `tests/fixtures/org-scale/medium.json.xz` is the generator's output (`--size medium`, its
//! `{"regions": ...}` layout, xz-compressed: 56 MB → 1.2 MB); `medium.truth.json` is the truth
//! file it wrote beside it (policy, counts and the violating `region/fs-id` lists). The test
//! wraps the regions into an inventory document for the truth's account, writes a policy from the
//! truth's own policy block, runs the binary and compares sets.
//!
//! Expected, written down before running (from the truth file's lists and its README):
//! - retention (`min`..`max` days and `CopyTagsToBackups`): fails = `retention_out_of_range` ∪
//!   `copy_tags_disabled` (37 ∪ 46 = 82 file systems; one has both), the other 838 OpenZFS file
//!   systems pass; non-OpenZFS file systems (the generator's decoys) are not judged at all.
//! - one cross-Region copy rule per source Region (its designated destination, 48 hours): the
//!   union of their fails = `missing_recent_copy` (59), each fail in its own Region's rule.
//! - KMS consistency: fails = `alt_kms_inconsistent` (46), not `kms_inconsistent` (28). fsx-guard
//!   attributes a copy whose source backup has expired through the copy's own
//!   `FileSystem.FileSystemId` (AWS writes the source file system there), the generator's "alt"
//!   semantics; its strict join drops those copies and misses the older keys they carry.
//! - no `error` anywhere: every Region holds both lists.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/org-scale/medium.json.xz";
const TRUTH: &str = "tests/fixtures/org-scale/medium.truth.json";

/// The fixture, decompressed with `xz` or Python's `lzma`; `None` when neither is installed.
fn decompress() -> Option<String> {
    let xz = Command::new("xz").args(["-dc", FIXTURE]).current_dir(env!("CARGO_MANIFEST_DIR")).output();
    if let Ok(out) = xz
        && out.status.success()
    {
        return Some(String::from_utf8(out.stdout).unwrap());
    }
    let script = "import lzma, sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())";
    let python = Command::new("python3").args(["-c", script, FIXTURE]).current_dir(env!("CARGO_MANIFEST_DIR")).output();
    match python {
        Ok(out) if out.status.success() => Some(String::from_utf8(out.stdout).unwrap()),
        _ => None,
    }
}

/// `region/fs-id` of each result of `rule` with `verdict`.
fn judged(report: &Value, rule: &str, verdict: &str) -> BTreeSet<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule_id"] == rule && r["verdict"] == verdict)
        .map(|r| {
            let arn = r["resource"].as_str().unwrap();
            let id = arn.rsplit('/').next().unwrap();
            format!("{}/{id}", r["region"].as_str().unwrap())
        })
        .collect()
}

fn truth_set(truth: &Value, key: &str) -> BTreeSet<String> {
    truth["violations"][key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[test]
fn medium_inventory_verdicts_equal_the_generators_truth() {
    let Some(raw) = decompress() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have `xz` or Python's lzma (.ci/run installs xz-utils)");
        eprintln!(
            "SKIPPED: neither `xz` nor Python's `lzma` is installed; `apt-get install -y xz-utils` to run this test"
        );
        return;
    };
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}/{TRUTH}", env!("CARGO_MANIFEST_DIR"))).unwrap())
            .unwrap();
    assert_eq!(
        raw.len() as u64,
        truth["files"]["medium-raw.json"].as_u64().unwrap(),
        "the fixture is the truth's file"
    );

    // The generator's `{"regions": {...}}` as one account of an inventory document.
    let account = truth["generator"]["account"].as_str().unwrap();
    let as_of = truth["policy"]["as_of"].as_str().unwrap();
    let inner = raw.trim_end().strip_prefix("{\"regions\":").and_then(|s| s.strip_suffix('}')).unwrap();
    let document = format!(
        "{{\"version\":1,\"collected_at\":\"{as_of}\",\"accounts\":[{{\"account_id\":\"{account}\",\"partition\":\"aws\",\"regions\":{inner}}}]}}"
    );

    // The truth's policy, as fsx-guard rules.
    let policy = &truth["policy"];
    let mut rules = format!(
        "version: 1\nrules:\n  - id: RETENTION\n    kind: backup-retention\n    params: {{min_days: {}, max_days: {}, require_copy_tags_to_backups: {}}}\n",
        policy["retention"]["min"], policy["retention"]["max"], policy["copy_tags_to_backups"]
    );
    let destinations = policy["destinations"].as_object().unwrap();
    for (source, destination) in destinations {
        rules.push_str(&format!(
            "  - id: DR-{source}\n    kind: cross-region-copy\n    select: {{regions: [{source}]}}\n    params: {{destinations: [{}], max_age_hours: {}}}\n",
            destination.as_str().unwrap(),
            policy["max_copy_age_hours"]
        ));
    }
    assert_eq!(policy["kms_consistency"], true);
    rules.push_str("  - id: KMS\n    kind: copy-kms-consistency\n");

    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("medium.json");
    let policy_path = dir.path().join("policy.yaml");
    let report_path = dir.path().join("report.json");
    std::fs::write(&inventory, &document).unwrap();
    std::fs::write(&policy_path, rules).unwrap();
    // `check` of an inventory with the truth's policy, a JSON report and phase timings.
    let check = |inventory: &std::path::Path, report: &std::path::Path| {
        let mut command = common::fsx_guard();
        command.args(["check", "--inventory"]).arg(inventory).arg("--policy").arg(&policy_path);
        command.args(["--now", as_of, "--format"]).arg(format!("json={}", report.display()));
        command.env("FSX_GUARD_TIMINGS", "1");
        command
    };
    let out = check(&inventory, &report_path)
        .arg("--format")
        .arg(format!("junit={}", dir.path().join("report.xml").display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "failures exist: {stderr}");
    // Read from the file in place by the two-core reader (what large inventories take), not
    // whole and not by serde_json alone.
    assert!(stderr.contains("timing: read from the file on two cores"), "{stderr}");
    assert!(!stderr.contains("timing: read whole after all"), "{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    // Its hash, found on the other core while the rules ran, is the file's.
    let inputs = report["inputs"].as_array().unwrap();
    let listed = inputs.iter().find(|i| i["kind"] == "inventory").unwrap();
    assert_eq!(listed["sha256"], fsx_guard::inventory::source::sha256_hex(document.as_bytes()));

    let counts = &truth["counts"];
    assert_eq!(report["summary"]["error"], 0, "every Region holds both lists: nothing is undecidable");

    // Retention and copy tags: one rule, both conditions.
    let mut retention = truth_set(&truth, "retention_out_of_range");
    retention.extend(truth_set(&truth, "copy_tags_disabled"));
    assert_eq!(retention.len(), 82);
    assert_eq!(judged(&report, "RETENTION", "fail"), retention);
    let judged_fs = judged(&report, "RETENTION", "pass").len() + retention.len();
    assert_eq!(
        judged_fs as u64,
        counts["openzfs_file_systems"].as_u64().unwrap(),
        "every OpenZFS file system, no other"
    );

    // Cross-Region copies: each source Region's rule, together the truth's list.
    let mut missing = BTreeSet::new();
    for source in destinations.keys() {
        let fails = judged(&report, &format!("DR-{source}"), "fail");
        assert!(fails.iter().all(|f| f.starts_with(&format!("{source}/"))), "DR-{source} judged another Region");
        missing.extend(fails);
    }
    assert_eq!(missing.len() as u64, counts["missing_recent_copy"].as_u64().unwrap());
    assert_eq!(missing, truth_set(&truth, "missing_recent_copy"));

    // KMS: attribution through the copy's own file system (the truth's "alt" list).
    let kms = judged(&report, "KMS", "fail");
    assert_eq!(kms.len() as u64, counts["alt_kms_inconsistent"].as_u64().unwrap());
    assert_eq!(kms, truth_set(&truth, "alt_kms_inconsistent"));
    assert!(truth_set(&truth, "kms_inconsistent").is_subset(&kms), "the strict join's findings are all found too");

    // JUnit is written suite by suite, 256 cases at a time: each suite's counts are its cases',
    // and the cases are the JSON report's results.
    let junit = std::fs::read_to_string(dir.path().join("report.xml")).unwrap();
    assert_eq!(junit.matches("<testsuites ").count(), 1);
    assert_eq!(junit.matches("<testsuite ").count(), junit.matches("</testsuite>").count(), "balanced");
    let attribute = |tag: &str, name: &str| -> usize {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    let mut cases = 0;
    for block in junit.split("<testsuite ").skip(1) {
        let tag = &block[..block.find('>').unwrap()];
        let name = tag.strip_prefix("name=\"").unwrap().split('"').next().unwrap();
        let body = &block[..block.find("</testsuite>").unwrap()];
        let listed = body.matches("<testcase ").count();
        cases += listed;
        assert_eq!(attribute(tag, "tests"), listed, "{name}");
        if name != "fsx-guard" {
            let results = report["results"].as_array().unwrap().iter().filter(|r| r["rule_id"] == name);
            let (total, fails) = results.fold((0, 0), |(t, f), r| (t + 1, f + usize::from(r["verdict"] == "fail")));
            assert_eq!((listed, attribute(tag, "failures")), (total, fails), "{name}");
            assert_eq!(body.matches("<failure ").count(), fails, "{name}");
        }
    }
    let head = &junit[junit.find("<testsuites ").unwrap()..];
    assert_eq!(attribute(&head[..head.find('>').unwrap()], "tests"), cases);
    assert_eq!(cases, report["results"].as_array().unwrap().len());
    assert!(junit.trim_end().ends_with("</testsuites>") && junit.ends_with('\n'));

    // A byte that is not UTF-8 in a field fsx-guard skips, near the end: the rules may have run
    // before the hashing thread got there, but nothing is reported and the run is an input error.
    let mut bad = document.clone().into_bytes();
    let at = document.rfind("\"DNSName\":\"").unwrap() + 11;
    bad[at] = 0xFF;
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, &bad).unwrap();
    let bad_report = dir.path().join("bad-report.json");
    let out = check(&bad_path, &bad_report).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("timing: read from the file on two cores"), "{stderr}");
    // (miette wraps the message to the terminal's width.)
    let unwrapped = stderr.split_whitespace().filter(|w| *w != "|").collect::<Vec<_>>().join(" ");
    assert!(unwrapped.contains(&format!("not UTF-8 text (invalid byte at offset {at})")), "{stderr}");
    assert!(!bad_report.exists(), "no report from an input that could not be read");

    // Every result is placed at its file system's object in the (one-line, ASCII) inventory: at
    // this size the places are found while reading and the text is let go of afterwards.
    assert!(document.len() > fsx_guard::RELEASE_TEXT_ABOVE && document.is_ascii() && !document.contains('\n'));
    let results = report["results"].as_array().unwrap();
    let openzfs = usize::try_from(counts["openzfs_file_systems"].as_u64().unwrap()).unwrap();
    assert_eq!(results.len(), 3 * openzfs, "retention, one copy rule and KMS for each OpenZFS file system");
    for result in results {
        let location = &result["location"];
        assert_eq!(location["line"], 1, "{result}");
        let column = usize::try_from(location["column"].as_u64().unwrap()).unwrap();
        let object = &document[column - 1..(column - 1 + 4_000).min(document.len())];
        let id = result["resource"].as_str().unwrap().rsplit('/').next().unwrap();
        assert!(object.starts_with('{'), "{result}");
        let end = object.find("\"Tags\"").unwrap_or(object.len());
        assert!(object[..end].contains(&format!("\"FileSystemId\":\"{id}\"")), "{result} at {}", &object[..200]);
    }
}
