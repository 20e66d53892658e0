//! `iam-permission` scenarios: `tests/fixtures/scenarios/iam-inventory.json` (two accounts, users,
//! a group, roles, managed policy versions, a boundary) and `iam-policy.yaml`. The expected
//! (rule, principal, verdict) rows were written down with the scenarios.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

use std::path::PathBuf;
use std::time::Duration;

use fsx_guard::engine::{self, Report};
use fsx_guard::inventory::{Inventory, source};
use fsx_guard::policy::{self, PolicySet};
use fsx_guard::report::Format;

const A: &str = "arn:aws:iam::111122223333:";

const EXPECTED: &[(&str, &str, &str)] = &[
    ("IAM-COPY-REGION-GIVEN", "role/dr-copy", "pass"),
    ("IAM-COPY-REGION-UNKNOWN", "role/dr-copy", "fail"),
    ("IAM-MFA-CONTEXT", "role/mfa-admin", "pass"),
    ("IAM-MFA-UNKNOWN", "role/mfa-admin", "fail"),
    ("IAM-MUST-BOUNDARY", "user/carol", "fail"),
    ("IAM-MUST-BROKEN", "role/broken", "error"),
    ("IAM-MUST-GROUP", "user/alice", "pass"),
    ("IAM-MUST-MISSING", "role/ghost", "fail"),
    ("IAM-MUST-PASS", "role/backup-admin", "pass"),
    ("IAM-MUST-TAG-CONDITION", "user/bob", "fail"),
    ("IAM-NAMED-BACKUP", "role/named-backup", "fail"),
    ("IAM-NOT-RESOURCE", "role/not-resource", "fail"),
    ("IAM-ONLY-CLEAN-ACCOUNT", "arn:aws:iam::222233334444:root", "pass"),
    ("IAM-ONLY-DELETE", "role/backup-admin", "pass"),
    ("IAM-ONLY-DELETE", "role/broken", "error"),
    ("IAM-ONLY-DELETE", "role/mfa-admin", "fail"),
    ("IAM-ONLY-DELETE", "role/named-backup", "fail"),
    ("IAM-ONLY-DELETE", "role/not-action", "fail"),
    ("IAM-ONLY-DELETE", "role/tagged-admin", "fail"),
    ("IAM-ONLY-DELETE", "user/alice", "fail"),
    ("IAM-ONLY-DELETE", "user/bob", "fail"),
    ("IAM-PRINCIPAL-TAG", "role/tagged-admin", "pass"),
    ("IAM-STALE-VERSION", "role/stale", "fail"),
];

fn scenarios() -> (PolicySet, Inventory, Report) {
    let policies = policy::load(&[PathBuf::from("tests/fixtures/scenarios/iam-policy.yaml")]).unwrap();
    let inventory = source::load(&[PathBuf::from("tests/fixtures/scenarios/iam-inventory.json")]).unwrap();
    let mut report = engine::evaluate(&policies, &inventory, inventory.collected_at.unwrap());
    report.elapsed = Duration::ZERO;
    (policies, inventory, report)
}

#[test]
fn every_principal_has_its_expected_verdict_and_no_other_appears() {
    let (policies, _, report) = scenarios();
    let got: Vec<(String, String, String)> = report
        .results
        .iter()
        .map(|r| (policies.rules[r.rule].id.clone(), r.subject.id.clone(), r.verdict.as_str().to_string()))
        .collect();
    let expected: Vec<(String, String, String)> = EXPECTED
        .iter()
        .map(|(rule, who, verdict)| {
            let arn = if who.starts_with("arn:") { who.to_string() } else { format!("{A}{who}") };
            (rule.to_string(), arn, verdict.to_string())
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn explanations_name_policy_statement_and_reason() {
    let (policies, _, report) = scenarios();
    let message = |rule: &str, who: &str| {
        report
            .results
            .iter()
            .find(|r| policies.rules[r.rule].id == rule && r.subject.id.ends_with(who))
            .map(|r| r.message.clone())
            .unwrap()
    };
    assert!(message("IAM-MUST-BOUNDARY", "user/carol").contains("outside the permissions boundary"));
    assert!(
        message("IAM-MFA-UNKNOWN", "role/mfa-admin")
            .contains("undetermined because of key `aws:MultiFactorAuthPresent`")
    );
    assert!(message("IAM-MFA-UNKNOWN", "role/mfa-admin").contains("statement 0 (`WithMfa`)"));
    assert!(message("IAM-COPY-REGION-UNKNOWN", "role/dr-copy").contains("`aws:RequestedRegion`"));
    assert!(
        message("IAM-ONLY-DELETE", "user/alice")
            .contains("policy `arn:aws:iam::111122223333:policy/FsxAdmin` statement 0")
    );
    assert!(message("IAM-ONLY-CLEAN-ACCOUNT", "root").contains("not evaluated: service control policies"));
    assert!(message("IAM-MUST-TAG-CONDITION", "user/bob").contains("3 of 5 requests"));
}

fn render(format: Format) -> String {
    let (policies, inventory, report) = scenarios();
    common::render(&policies, &inventory, &report, format, true)
}

#[test]
fn pretty_and_sarif_reports() {
    snapshot!("rules__iam_permission__pretty", render(Format::Pretty));
    let sarif = render(Format::Sarif);
    let errors = common::oasis_errors(&serde_json::from_str(&sarif).unwrap());
    assert!(errors.is_empty(), "{errors:?}");
    snapshot!("rules__iam_permission__sarif", sarif);
}
