//! Disaster-recovery scenarios for `cross-region-copy` and `copy-kms-consistency`.
//!
//! `tests/fixtures/scenarios/dr-inventory.json` holds one file system per scenario and
//! `dr-policy.yaml` one rule per scenario (selected by file system id). The expected verdicts
//! below were written down with the scenarios, before the rules were run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use fsx_guard::engine::{self, Report, Verdict};
use fsx_guard::inventory::{Inventory, source};
use fsx_guard::policy::{self, PolicySet};
use fsx_guard::report::Format;

const EXPECTED: &[(&str, Verdict)] = &[
    // cross-region-copy
    ("CRC-FRESH", Verdict::Pass),
    ("CRC-STALE-SOURCE", Verdict::Fail),
    ("CRC-EXPIRED-SOURCE-FRESH-COPY", Verdict::Error),
    ("CRC-EXPIRED-SOURCE-OLD-COPY", Verdict::Fail),
    ("CRC-COPYING-NEWEST", Verdict::Fail),
    ("CRC-COPYING-NEWEST-OLDER-OK", Verdict::Pass),
    ("CRC-TWO-DESTINATIONS-ONE-MISSING", Verdict::Fail),
    ("CRC-UNCOLLECTED-DESTINATION", Verdict::Error),
    ("CRC-OPT-IN-SOURCE", Verdict::Fail),
    ("CRC-OPT-IN-DESTINATION", Verdict::Fail),
    ("CRC-CROSS-PARTITION", Verdict::Fail),
    ("CRC-OTHER-ACCOUNT-COPY", Verdict::Fail),
    ("CRC-IN-REGION", Verdict::Pass),
    ("CRC-INTELLIGENT-TIERING", Verdict::Fail),
    ("CRC-COPY-OF-COPY", Verdict::Fail),
    ("CRC-COPY-OF-COPY-FIRST-HOP", Verdict::Pass),
    ("CRC-FAILED-COPY", Verdict::Fail),
    ("CRC-EXACTLY-MAX-AGE", Verdict::Pass),
    ("CRC-FUTURE-COPY", Verdict::Fail),
    // copy-kms-consistency
    ("KMS-ONE-KEY", Verdict::Pass),
    ("KMS-CHANGED", Verdict::Fail),
    ("KMS-K1-K2-K1", Verdict::Fail),
    ("KMS-FAILED-COPY-IGNORED", Verdict::Pass),
    ("KMS-PINNED", Verdict::Fail),
    ("KMS-NO-COPIES", Verdict::NotApplicable),
    ("KMS-UNCOLLECTED", Verdict::Error),
    ("KMS-KEYLESS-COPY", Verdict::Error),
    ("KMS-DEFAULT-DESTINATIONS", Verdict::Fail),
    ("KMS-BARE-KEY-ID", Verdict::Pass),
];

fn scenarios() -> (PolicySet, Inventory, Report) {
    let policies = policy::load(&[PathBuf::from("tests/fixtures/scenarios/dr-policy.yaml")]).unwrap();
    let inventory = source::load(&[PathBuf::from("tests/fixtures/scenarios/dr-inventory.json")]).unwrap();
    let mut report = engine::evaluate(&policies, &inventory, inventory.collected_at.unwrap());
    report.elapsed = Duration::ZERO;
    (policies, inventory, report)
}

fn result<'r>(policies: &PolicySet, report: &'r Report, id: &str) -> &'r engine::RuleResult {
    let mut matching = report.results.iter().filter(|r| policies.rules[r.rule].id == id);
    let first = matching.next().unwrap_or_else(|| panic!("no result for {id}"));
    assert!(matching.next().is_none(), "one result per file system: {id}");
    first
}

#[test]
fn every_scenario_has_its_expected_verdict() {
    let (policies, _, report) = scenarios();
    assert_eq!(policies.rules.len(), EXPECTED.len(), "a rule without an expected verdict");
    let mut wrong = Vec::new();
    for (id, expected) in EXPECTED {
        let result = result(&policies, &report, id);
        if result.verdict != *expected {
            wrong.push(format!("{id}: expected {expected:?}, got {:?}: {}", result.verdict, result.message));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn descriptions_state_the_expected_verdict() {
    let (policies, _, _) = scenarios();
    for (id, expected) in EXPECTED {
        let rule = policies.rules.iter().find(|r| r.id == *id).unwrap();
        let description = rule.description.as_deref().unwrap();
        assert!(description.starts_with(&format!("expect {}:", expected.as_str())), "{id}: {description}");
    }
}

#[test]
fn evidence_names_copies_recovery_points_and_keys() {
    let (policies, _, report) = scenarios();
    let fresh = &result(&policies, &report, "CRC-FRESH").evidence.value();
    let newest = &fresh["destinations"][0]["newest_qualifying_copy"];
    assert!(newest["arn"].as_str().unwrap().starts_with("arn:aws:fsx:us-west-2:111122223333:backup/"));
    assert_eq!(newest["recovery_point"], "2026-11-25T01:00:00Z");
    assert_eq!(newest["age_hours"], 5.0);

    let stale = result(&policies, &report, "CRC-STALE-SOURCE");
    assert!(stale.message.contains("120.0 hours old"), "{}", stale.message);

    let other = &result(&policies, &report, "CRC-OTHER-ACCOUNT-COPY").evidence.value();
    assert_eq!(other["copies_in_other_accounts_not_counted"], 1);

    let keys = &result(&policies, &report, "KMS-K1-K2-K1").evidence.value()["offending_copies"];
    assert_eq!(keys.as_array().unwrap().len(), 2);
    assert_eq!(keys[0]["key_before"], keys[1]["key"]);
    assert_eq!(keys[0]["key"], keys[1]["key_before"]);

    let pinned = &result(&policies, &report, "KMS-PINNED").evidence.value()["offending_copies"];
    assert_eq!(pinned.as_array().unwrap().len(), 2);
    assert!(pinned[0]["key_expected"].as_str().unwrap().ends_with("000000000002"));
}

fn render(format: Format) -> String {
    let (policies, inventory, report) = scenarios();
    common::render(&policies, &inventory, &report, format, true)
}

#[test]
fn pretty_report_of_the_scenarios() {
    snapshot!("rules__disaster_recovery__pretty", render(Format::Pretty));
}

#[test]
fn sarif_report_of_the_scenarios() {
    let sarif = render(Format::Sarif);
    let errors = common::oasis_errors(&serde_json::from_str(&sarif).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    snapshot!("rules__disaster_recovery__sarif", sarif);
}

#[test]
fn validate_warns_about_destinations_select_makes_impossible() {
    let output = assert_cmd::Command::cargo_bin("fsx-guard")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(["validate", "tests/fixtures/scenarios/impossible-destination.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "warnings never change the exit code: {stderr}");
    assert!(stderr.contains("can never have copies in `us-west-2`"), "{stderr}");
    assert!(stderr.contains("can never have copies in `cn-north-1`"), "{stderr}");
    assert!(!stderr.contains("`us-east-1` can never have copies in `us-west-2`"), "{stderr}");
}
