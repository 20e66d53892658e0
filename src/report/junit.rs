//! `--format junit`: JUnit XML as GitLab, Jenkins and Azure DevOps read it (quick-junit).
//!
//! One `<testsuite>` per rule (its kind, severity, description and place as properties), one
//! `<testcase>` per (rule, resource): `fail` is a `<failure>`, `error` an `<error>`, `not
//! applicable` and waived results `<skipped>` (a waived result counts for nothing, as in the exit
//! code; its verdict, reason, owner and end date are in the message), `pass` a plain test case.
//! Evidence goes in the case's `<system-out>`. A first suite, `fsx-guard`, holds no test case:
//! its properties are the run (inputs and their SHA-256, clocks, `--fail-on`, exit code).

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::Context;
use crate::Error;
use crate::engine::Verdict;

pub fn render(context: &Context<'_>) -> Result<String, Error> {
    super::to_string(|out| write(context, out))
}

/// The report into `out` as quick-junit serialises it.
pub fn write(context: &Context<'_>, out: &mut dyn std::io::Write) -> Result<(), Error> {
    let report = context.report;
    let run = context.run;
    let mut junit = Report::new("fsx-guard");
    let mut about = TestSuite::new("fsx-guard");
    let mut properties = vec![
        Property::new("tool.version", env!("CARGO_PKG_VERSION")),
        Property::new("generated_at", run.generated_at.to_string()),
        Property::new("evaluated_at", report.evaluated_at.to_string()),
        Property::new("fail_on", run.fail_on.as_str()),
        Property::new("exit_code", run.exit_code().to_string()),
        Property::new("outcome", super::outcome_text(run.outcome)),
    ];
    if let Some(at) = report.collected_at {
        properties.push(Property::new("collected_at", at.to_string()));
    }
    for (i, input) in run.inputs.iter().enumerate() {
        properties.push(Property::new(format!("input.{i}.path"), input.path.as_str()));
        properties.push(Property::new(format!("input.{i}.kind"), input.kind));
        properties.push(Property::new(format!("input.{i}.sha256"), input.sha256.as_str()));
    }
    if let Some(caller) = &run.caller {
        properties.push(Property::new("caller", caller.to_string()));
        properties.push(Property::new("regions_read", run.regions_read.join(",")));
    }
    for filter in &run.filters {
        properties.push(Property::new("filter", filter.as_str()));
    }
    if let Some(path) = &run.gate.baseline_path {
        properties.push(Property::new("baseline", path.as_str()));
        properties.push(Property::new("baseline.new", run.gate.new.to_string()));
        properties.push(Property::new("baseline.unchanged", run.gate.unchanged.to_string()));
        properties.push(Property::new("baseline.fixed", run.gate.fixed.len().to_string()));
    }
    for warning in &run.gate.warnings {
        properties.push(Property::new("warning", warning.as_str()));
    }
    about.add_properties(properties);
    junit.add_test_suite(about);

    let positions = context.positions(&report.results);
    let mut suites: Vec<Option<TestSuite>> = context
        .policies
        .rules
        .iter()
        .map(|rule| {
            let mut suite = TestSuite::new(rule.id.as_str());
            suite.add_property(Property::new("kind", rule.kind.name()));
            suite.add_property(Property::new("severity", rule.severity.as_str()));
            if let Some(description) = &rule.description {
                suite.add_property(Property::new("description", description.as_str()));
            }
            if let Some(position) = context.rule_position(rule) {
                suite.add_property(Property::new("policy", format!("{}:{}", position.path, position.line)));
            }
            Some(suite)
        })
        .collect();
    for result in &report.results {
        let Some(Some(suite)) = suites.get_mut(result.rule) else { continue };
        let Some(rule) = context.rule(result) else { continue };
        let waiver = context.waiver(result);
        let status = match (result.verdict, waiver) {
            (Verdict::Pass, _) => TestCaseStatus::success(),
            (_, Some(waiver)) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(format!(
                    "waived {} until {} by {}: {} ({})",
                    result.verdict.as_str(),
                    waiver.expires,
                    waiver.owner,
                    waiver.reason,
                    result.message
                ));
                status.set_type("waived");
                status
            }
            (Verdict::NotApplicable, None) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(result.message.as_str());
                status.set_type("not_applicable");
                status
            }
            (Verdict::Fail | Verdict::Error, None) => {
                let kind =
                    if result.verdict == Verdict::Fail { NonSuccessKind::Failure } else { NonSuccessKind::Error };
                let mut status = TestCaseStatus::non_success(kind);
                let known = match result.baseline {
                    Some(crate::gate::BaselineState::Unchanged) => "already in the baseline: ",
                    _ => "",
                };
                status.set_message(format!("{known}{}", result.message));
                status.set_type(format!("{}/{}", rule.kind.name(), rule.severity.as_str()));
                let details = result.evidence.details();
                if !details.is_empty() {
                    status.set_description(details.join("\n"));
                }
                status
            }
        };
        let mut case = TestCase::new(result.subject.id.as_str(), status);
        case.set_classname(rule.id.as_str());
        let mut out = format!(
            "rule: {} ({}, {})\nresource: {} ({})\n",
            rule.id,
            rule.kind.name(),
            rule.severity.as_str(),
            result.subject.id,
            result.subject.resource_type.as_str()
        );
        if let Some(account) = &result.subject.account {
            out.push_str(&format!("account: {account}\n"));
        }
        if let Some(region) = &result.subject.region {
            out.push_str(&format!("region: {region}\n"));
        }
        if let Some(position) = result.subject.origin.as_ref().and_then(|o| positions.get(o)) {
            out.push_str(&format!("location: {}:{}:{}\n", position.path, position.line, position.column));
        }
        out.push_str(&format!("verdict: {}\nmessage: {}\n", result.verdict.as_str(), result.message));
        if let Ok(evidence) = serde_json::to_string_pretty(&result.evidence.value()) {
            out.push_str(&format!("evidence: {evidence}\n"));
        }
        case.set_system_out(out);
        suite.add_test_case(case);
    }
    junit.add_test_suites(suites.into_iter().flatten());
    let failed = |reason: String| Error::Output { path: "the JUnit report".into(), reason };
    let mut writer = LastByte { inner: std::io::BufWriter::with_capacity(1 << 16, out), last: None };
    junit.serialize(&mut writer).map_err(|e| failed(format!("JUnit: {e}")))?;
    if writer.last != Some(b'\n') {
        std::io::Write::write_all(&mut writer, b"\n").map_err(|e| failed(e.to_string()))?;
    }
    std::io::Write::flush(&mut writer).map_err(|e| failed(e.to_string()))
}

/// A writer that remembers the last byte through it (the report ends with a newline).
struct LastByte<W> {
    inner: W,
    last: Option<u8>,
}

impl<W: std::io::Write> std::io::Write for LastByte<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        if let Some(last) = bytes.get(..written).and_then(<[u8]>::last) {
            self.last = Some(*last);
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
