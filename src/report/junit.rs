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
use crate::engine::{RuleResult, Verdict};
use std::io::Write as _;

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

    let positions = context.positions(&report.results);
    // Each rule's results, its counts first: the suite's tag carries them, and the cases are then
    // written 256 at a time.
    let mut by_rule: Vec<Vec<&RuleResult>> = vec![Vec::new(); context.policies.rules.len()];
    for result in &report.results {
        if context.rule(result).is_some()
            && let Some(list) = by_rule.get_mut(result.rule)
        {
            list.push(result);
        }
    }
    let mut totals = Counts::default();
    let counts: Vec<Counts> = by_rule
        .iter()
        .map(|results| {
            let mut counts = Counts::default();
            for result in results {
                counts.add(result, context.policies);
            }
            totals.tests += counts.tests;
            totals.skipped += counts.skipped;
            totals.failures += counts.failures;
            totals.errors += counts.errors;
            counts
        })
        .collect();
    junit.tests = totals.tests;
    junit.skipped = totals.skipped;
    junit.failures = totals.failures;
    junit.errors = totals.errors;

    let failed = |reason: String| Error::Output { path: "the JUnit report".into(), reason };
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut put = |text: &str| writer.write_all(text.as_bytes()).map_err(|e| failed(e.to_string()));
    // The document without suites, cut where they go; each suite is serialised alone and its
    // text between `<testsuites>` and `</testsuites>` put in its place: the bytes quick-junit
    // writes for the whole report, never all in memory.
    let frame = serialised(&junit)?;
    let (head, tail) = frame.rsplit_once(CLOSE).ok_or_else(|| Error::Internal("JUnit: no </testsuites>".into()))?;
    put(head)?;
    let mut alone = Report::new("fsx-guard");
    alone.test_suites.push(about);
    put(&inner(&alone)?)?;
    // Building the cases is nine tenths of the cost (quick-junit filters every string for ANSI
    // escapes; the evidence is pretty-printed): another core builds every other chunk, in the
    // order they are written, while this one builds the rest and writes. If that thread fails,
    // its chunks are built here.
    let rules = || context.policies.rules.iter().zip(&by_rule);
    let build = |rule: &crate::policy::Rule, chunk: &[&RuleResult]| -> Vec<TestCase> {
        chunk.iter().map(|result| case(context.policies, result, rule, &positions)).collect()
    };
    std::thread::scope(|scope| -> Result<(), Error> {
        let (sender, built) = std::sync::mpsc::sync_channel::<Vec<TestCase>>(2);
        let builder = std::thread::Builder::new().spawn_scoped(scope, move || {
            let chunks = rules().flat_map(|(rule, results)| chunks_of(results).map(move |chunk| (rule, chunk)));
            for (rule, chunk) in chunks.step_by(2) {
                if sender.send(build(rule, chunk)).is_err() {
                    return;
                }
            }
        });
        let mut built = builder.as_ref().is_ok().then_some(built);
        let mut sequence = 0usize;
        let mut written = || -> Result<(), Error> {
            for ((rule, results), counts) in rules().zip(&counts) {
                let mut suite = TestSuite::new(rule.id.as_str());
                suite.add_property(Property::new("kind", rule.kind.name()));
                suite.add_property(Property::new("severity", rule.severity.as_str()));
                if let Some(description) = &rule.description {
                    suite.add_property(Property::new("description", description.as_str()));
                }
                if let Some(position) = context.rule_position(rule) {
                    suite.add_property(Property::new("policy", format!("{}:{}", position.path, position.line)));
                }
                (suite.tests, suite.skipped, suite.failures, suite.errors) =
                    (counts.tests, counts.skipped, counts.failures, counts.errors);
                alone.test_suites = vec![suite];
                let mut chunks = chunks_of(results).peekable();
                let mut first = true;
                while let Some(chunk) = chunks.next() {
                    let last = chunks.peek().is_none();
                    let theirs = sequence.is_multiple_of(2);
                    sequence += 1;
                    let cases = match built.as_ref().filter(|_| theirs).map(std::sync::mpsc::Receiver::recv) {
                        Some(Ok(cases)) => cases,
                        Some(Err(_)) => {
                            built = None;
                            build(rule, chunk)
                        }
                        None => build(rule, chunk),
                    };
                    if let Some(suite) = alone.test_suites.first_mut() {
                        suite.test_cases = cases;
                    }
                    let text = inner(&alone)?;
                    // The suite's opening (with its properties) once; its closing after the last chunk.
                    let text = if first { text.as_str() } else { after_first_line(&text) };
                    let text = if last { text } else { text.strip_suffix(SUITE_CLOSE).unwrap_or(text) };
                    put(text)?;
                    if let Some(suite) = alone.test_suites.first_mut() {
                        suite.properties.clear();
                    }
                    first = false;
                }
            }
            Ok(())
        };
        let written = written();
        // Dropping the receiver stops the builder if this side failed early; joined here, a
        // builder that panicked is not the scope's panic (its chunks were built here).
        drop(built);
        if let Ok(builder) = builder {
            let _ = builder.join();
        }
        written
    })?;
    put(CLOSE)?;
    put(tail)?;
    if !tail.ends_with('\n') {
        put("\n")?;
    }
    writer.flush().map_err(|e| failed(e.to_string()))
}

const CLOSE: &str = "\n</testsuites>";
const SUITE_CLOSE: &str = "\n    </testsuite>";
/// Test cases serialised at a time.
const CASES_AT_ONCE: usize = 256;

/// A rule's results in the chunks its cases are built and written in: one empty chunk for a
/// rule without results (its suite is still written).
fn chunks_of<'r, 'c>(results: &'r [&'c RuleResult]) -> impl Iterator<Item = &'r [&'c RuleResult]> {
    let empty: &'r [&'c RuleResult] = &[];
    results.chunks(CASES_AT_ONCE).chain(results.is_empty().then_some(empty))
}

/// A report as quick-junit writes it.
fn serialised(report: &Report) -> Result<String, Error> {
    report.to_string().map_err(|e| Error::Internal(format!("JUnit: {e}")))
}

/// One suite (`alone`'s only one) as quick-junit writes it inside `<testsuites>`: from the line break before its
/// `<testsuite>` to its `</testsuite>`.
fn inner(alone: &Report) -> Result<String, Error> {
    let text = serialised(alone)?;
    let start = text.find("\n    <testsuite").ok_or_else(|| Error::Internal("JUnit: no <testsuite>".into()))?;
    let end = text.rfind(CLOSE).ok_or_else(|| Error::Internal("JUnit: no </testsuites>".into()))?;
    Ok(text.get(start..end).unwrap_or_default().to_string())
}

/// A continuation chunk without its `<testsuite>` line (and properties, which it has none of).
fn after_first_line(text: &str) -> &str {
    text.get(1..).and_then(|rest| rest.find('\n').and_then(|i| rest.get(i..))).unwrap_or_default()
}

/// A suite's `tests`, `skipped`, `failures` and `errors`, as quick-junit counts its cases.
#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
}

impl Counts {
    fn add(&mut self, result: &RuleResult, policies: &crate::policy::PolicySet) {
        self.tests += 1;
        match Outcome::of(result, policies) {
            Outcome::Passed => {}
            Outcome::Waived(_) | Outcome::NotApplicable => self.skipped += 1,
            Outcome::Failure => self.failures += 1,
            Outcome::Error => self.errors += 1,
        }
    }
}

/// What a result is as a JUnit test case: a waived result is skipped, whatever its verdict.
/// The suites' counts and the cases both come from here, so they always agree.
enum Outcome<'c> {
    Passed,
    Waived(&'c crate::policy::Waiver),
    NotApplicable,
    Failure,
    Error,
}

impl<'c> Outcome<'c> {
    fn of(result: &RuleResult, policies: &'c crate::policy::PolicySet) -> Self {
        match (result.verdict, super::waiver_of(policies, result)) {
            (Verdict::Pass, _) => Outcome::Passed,
            (_, Some(waiver)) => Outcome::Waived(waiver),
            (Verdict::NotApplicable, None) => Outcome::NotApplicable,
            (Verdict::Fail, None) => Outcome::Failure,
            (Verdict::Error, None) => Outcome::Error,
        }
    }
}

/// One result's test case.
fn case(
    policies: &crate::policy::PolicySet,
    result: &RuleResult,
    rule: &crate::policy::Rule,
    positions: &std::collections::HashMap<crate::inventory::Origin, super::Position>,
) -> TestCase {
    let status = match Outcome::of(result, policies) {
        Outcome::Passed => TestCaseStatus::success(),
        Outcome::Waived(waiver) => {
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
        Outcome::NotApplicable => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(result.message.as_str());
            status.set_type("not_applicable");
            status
        }
        outcome @ (Outcome::Failure | Outcome::Error) => {
            let kind =
                if matches!(outcome, Outcome::Failure) { NonSuccessKind::Failure } else { NonSuccessKind::Error };
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
    case
}
