//! Helpers shared by the integration tests.

#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use fsx_guard::engine::Report;
use fsx_guard::inventory::Inventory;
use fsx_guard::policy::PolicySet;
use fsx_guard::report::{self, Context, Format};

/// An insta snapshot in `snapshots/`, named flat, with the tool version redacted.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            filters => vec![(r#""(semanticVersion|version)": "\d+\.\d+\.\d+""#, r#""$1": "[version]""#)],
        }, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

/// The binary, run from the crate root without colour, killed after a minute.
pub fn fsx_guard() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("fsx-guard").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").timeout(std::time::Duration::from_secs(60));
    cmd
}

/// Renders a report in one format, without colour.
pub fn render(
    policies: &PolicySet,
    inventory: &Inventory,
    report: &Report,
    format: Format,
    include_passed: bool,
) -> String {
    let run = report::RunInfo::bare(report);
    let mut context = Context::new(report, policies, inventory, &run);
    context.include_passed = include_passed;
    report::render(format, &context, false, true, &mut Vec::new()).unwrap()
}

/// Errors of a SARIF document against the OASIS SARIF 2.1.0 schema kept in `tests/data`.
pub fn oasis_errors(sarif: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").unwrap()).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    validator.iter_errors(sarif).map(|e| format!("{}: {e}", e.instance_path())).collect()
}
