//! Snapshot tests (insta, files in `snapshots/`): every report format on the shipped example,
//! and the diagnostics people see for broken policies and inventories. Review changes by eye
//! with `cargo insta review`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use fsx_guard::engine::{self, Report};
use fsx_guard::inventory::{Inventory, Timestamp, source};
use fsx_guard::policy::{self, PolicySet};
use fsx_guard::report::{self, Context, Format};
use miette::{GraphicalReportHandler, GraphicalTheme};

fn example() -> (PolicySet, Inventory, Report) {
    let policies = policy::load_builtin().unwrap();
    let inventory = source::load(&[PathBuf::from("examples/inventory.json")]).unwrap();
    let now = inventory.collected_at.unwrap();
    let mut report = engine::evaluate(&policies, &inventory, now);
    report.elapsed = Duration::ZERO;
    (policies, inventory, report)
}

fn render(format: Format, include_passed: bool) -> String {
    let (policies, inventory, report) = example();
    common::render(&policies, &inventory, &report, format, include_passed)
}

#[test]
fn report_pretty_example() {
    snapshot!("report__pretty__example", render(Format::Pretty, false));
}

#[test]
fn report_pretty_example_with_passes() {
    snapshot!("report__pretty__example_include_passed", render(Format::Pretty, true));
}

#[test]
fn report_json_example() {
    snapshot!("report__json__example", render(Format::Json, false));
}

#[test]
fn report_sarif_example() {
    snapshot!("report__sarif__example", render(Format::Sarif, false));
}

#[test]
fn report_pretty_in_colour_only_when_asked() {
    let (policies, inventory, report) = example();
    let run = report::RunInfo::bare(&report);
    let context = Context::new(&report, &policies, &inventory, &run);
    let plain = report::render(Format::Pretty, &context, false, false, &mut Vec::new()).unwrap();
    let coloured = report::render(Format::Pretty, &context, true, false, &mut Vec::new()).unwrap();
    assert!(!plain.contains('\u{1b}'));
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn evaluation_is_deterministic() {
    let a = render(Format::Json, false);
    let b = render(Format::Json, false);
    assert_eq!(a, b);
    let (_, _, report) = example();
    assert_eq!(report.evaluated_at, Timestamp::parse_rfc3339("2026-11-25T06:00:00Z").unwrap());
}

fn diagnostic(error: fsx_guard::Error) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, &error)
        .unwrap();
    out
}

fn policy_diagnostic(files: &[(&str, &str)]) -> String {
    let sources = files.iter().map(|(name, text)| (name.to_string(), Arc::new(text.to_string()), false)).collect();
    match policy::load_sources(sources) {
        Ok(_) => panic!("policy unexpectedly valid"),
        Err(e) => diagnostic(e),
    }
}

/// Each case: the broken policy and what the person must be told.
const POLICY_CASES: &[(&str, &str)] = &[
    (
        "unknown_param_key",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-retention\n    params:\n      min_dayz: 7\n",
    ),
    ("unknown_rule_kind", "version: 1\nrules:\n  - id: R1\n    kind: backup-retension\n"),
    ("unknown_top_key", "version: 1\nrulez: []\nrules: []\n"),
    (
        "duplicate_id_in_one_file",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-recency\n  - id: R1\n    kind: backup-naming\n",
    ),
    (
        "unknown_region",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-recency\n    select:\n      regions: [us-east-1, us-west-22]\n",
    ),
    (
        "unquoted_account",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-recency\n    select:\n      accounts: [011122223333]\n",
    ),
    (
        "short_account",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-recency\n    select:\n      accounts: [\"1234\"]\n",
    ),
    (
        "retention_out_of_range",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-retention\n    params:\n      min_days: 0\n      max_days: 120\n",
    ),
    (
        "min_above_max",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-retention\n    params:\n      min_days: 30\n      max_days: 7\n",
    ),
    (
        "bad_time_of_day",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-retention\n    params:\n      avoid_window: {start: \"25:00\", end: \"02:00\"}\n",
    ),
    (
        "empty_window",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-retention\n    params:\n      avoid_window: {start: \"02:00\", end: \"02:00\"}\n",
    ),
    (
        "bad_regex",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-naming\n    params:\n      pattern: \"(pre|post\"\n",
    ),
    ("yaml_syntax", "version: 1\nrules:\n  - id: R1\n    kind: [backup-naming\n"),
    ("wrong_version_and_missing_rules", "version: 2\n"),
    (
        "many_problems_at_once",
        "version: 1\nrules:\n  - id: 1bad\n    kind: backup-recency\n    severity: critical\n    select:\n      file_system_types: [ZFS]\n      file_system_ids: [fs-xyz]\n    params:\n      max_age_hours: -1\n      types: [DAILY]\n",
    ),
    (
        "unknown_destination",
        "version: 1\nrules:\n  - id: R1\n    kind: cross-region-copy\n    params:\n      destinations: [us-wset-2, us-west-2, us-west-2]\n",
    ),
    (
        "missing_destinations",
        "version: 1\nrules:\n  - id: R1\n    kind: cross-region-copy\n    params:\n      max_age_hours: 24\n",
    ),
    (
        "kms_keys",
        "version: 1\nrules:\n  - id: R1\n    kind: copy-kms-consistency\n    params:\n      keys:\n        us-west-2: arn:aws:kms:us-west-2:111122223333:alias/dr\n        eu-west-1: arn:aws:kms:us-west-2:111122223333:key/1a2b3c4d-0000-4000-8000-000000000002\n        us-wset-1: arn:aws:kms:us-west-1:111122223333:key/1a2b3c4d-0000-4000-8000-000000000002\n",
    ),
    (
        "wrong_type",
        "version: 1\nrules:\n  - id: R1\n    kind: backup-naming\n    params:\n      require_name: \"yes please\"\n",
    ),
];

#[test]
fn policy_diagnostics() {
    for (name, text) in POLICY_CASES {
        let rendered = policy_diagnostic(&[(&format!("{name}.yaml"), text)]);
        snapshot!(format!("policy__{name}"), rendered);
    }
}

#[test]
fn duplicate_ids_across_files_show_both_places() {
    let rendered = policy_diagnostic(&[
        ("team-a.yaml", "version: 1\nrules:\n  - id: SHARED\n    kind: backup-recency\n"),
        (
            "team-b.yaml",
            "version: 1\nrules:\n  - id: OTHER\n    kind: backup-naming\n  - id: SHARED\n    kind: backup-retention\n",
        ),
    ]);
    assert!(rendered.contains("team-a.yaml") && rendered.contains("team-b.yaml"));
    snapshot!("policy__duplicate_id_across_files", rendered);
}

fn inventory_diagnostic(files: &[&str]) -> String {
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    match source::load(&paths) {
        Ok(_) => panic!("inventory unexpectedly valid"),
        Err(e) => diagnostic(e),
    }
}

/// Resources that could not be read are warnings (each `error` for what it could change), not
/// the end of the run.
#[test]
fn inventory_warnings() {
    for (name, file) in [
        ("odd_backup_arn", "tests/fixtures/real/odd-backup-arn.json"),
        ("new_region_keys", "tests/fixtures/real/new-region-keys.json"),
        ("real_account", "tests/fixtures/real/account.json"),
        ("wrong_types", "tests/fixtures/real/wrong-types.json"),
    ] {
        let inventory = source::load(&[PathBuf::from(file)]).unwrap();
        assert!(!inventory.warnings.is_empty(), "{file} has resources that cannot be read");
        let mut out = String::new();
        for warning in &inventory.warnings {
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
                .with_width(100)
                .render_report(&mut out, warning.as_ref())
                .unwrap();
        }
        snapshot!(format!("inventory__warnings__{name}"), out);
    }
}

#[test]
fn inventory_diagnostics() {
    for (name, files) in [
        (
            "conflicting_duplicate",
            &["tests/fixtures/compliant.json", "tests/fixtures/malformed/conflicting-duplicate.json"][..],
        ),
        ("broken_json", &["tests/fixtures/malformed/broken.json"][..]),
    ] {
        snapshot!(format!("inventory__{name}"), inventory_diagnostic(files));
    }
}
