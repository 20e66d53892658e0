//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning (SPEC §6).
//!
//! One run. Every loaded rule is a `reportingDescriptor`; `fail` and `error` verdicts are
//! results (an `error` is a `kind: fail` result with the rule's level, a message starting
//! "could not evaluate:" and `properties.verdict: "error"`, because SARIF would force `level:
//! none`, which GitHub hides, on any other kind).

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    Artifact, ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultKind, ResultLevel, Run, RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::{Context, Position};
use crate::Error;
use crate::cli::SarifLocation;
use crate::engine::{RuleResult, Verdict};
use crate::policy::Severity;

/// GitHub code scanning keeps at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub code scanning shows at most this many results of one run.
pub const GITHUB_SHOWN: usize = 5_000;
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` scale: high, medium, low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "7.5",
        Severity::Warning => "5.0",
        Severity::Note => "2.0",
    }
}

/// A path made absolute (against the current directory) with `.` and `..` removed, without
/// following links (a repository checked out under a link must still be its own root).
pub fn normalise(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = std::path::PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A URI for a path: relative to `root` (with `/`, no `./` or `..`), or a `file://` URI when
/// the file is outside the root (`outside` is then true).
pub fn artifact_uri(path: &str, root: &std::path::Path) -> (String, bool) {
    let absolute = normalise(std::path::Path::new(path));
    match absolute.strip_prefix(root) {
        Ok(relative) => {
            let text = relative.to_string_lossy().replace('\\', "/");
            (text.chars().map(encode_uri_char).collect(), false)
        }
        Err(_) => {
            let text = absolute.to_string_lossy().replace('\\', "/");
            let encoded: String = text.chars().map(encode_uri_char).collect();
            let slash = if encoded.starts_with('/') { "" } else { "/" };
            (format!("file://{slash}{encoded}"), true)
        }
    }
}

fn encode_uri_char(c: char) -> String {
    if c.is_ascii_alphanumeric() || "-._~/:@!$&'()*+,;=".contains(c) {
        c.to_string()
    } else {
        let mut buf = [0u8; 4];
        c.encode_utf8(&mut buf).bytes().map(|b| format!("%{b:02X}")).collect()
    }
}

/// Stable across runs for the same (rule, resource).
fn fingerprint(rule_id: &str, resource: &str) -> String {
    let digest = Sha256::digest(format!("{rule_id}\u{0}{resource}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn region(position: &Position) -> Region {
    Region::builder()
        .start_line(i64::try_from(position.line).unwrap_or(1).max(1))
        .start_column(i64::try_from(position.column).unwrap_or(1).max(1))
        .end_line(i64::try_from(position.end_line).unwrap_or(1).max(1))
        .end_column(i64::try_from(position.end_column).unwrap_or(2).max(1))
        .build()
}

pub fn render(context: &Context<'_>, err: &mut dyn Write) -> Result<String, Error> {
    super::to_string(|out| write(context, err, out))
}

/// The log into `out`, each result serialised as it is built (at most 25,000, GitHub's limit).
pub fn write(context: &Context<'_>, err: &mut dyn Write, out: &mut dyn Write) -> Result<(), Error> {
    let report = context.report;
    let policies = context.policies;

    let descriptors: Vec<ReportingDescriptor> = policies
        .rules
        .iter()
        .map(|rule| {
            let short = rule.description.clone().unwrap_or_else(|| rule.kind.summary().to_string());
            let full = format!("{} ({}: {})", short, rule.kind.name(), rule.kind.summary());
            let help = format!("{}\n\n{}", short, rule.kind.doc());
            let mut properties = BTreeMap::new();
            properties.insert("security-severity".to_string(), json!(security_severity(rule.severity)));
            properties.insert("precision".to_string(), json!("very-high"));
            properties.insert(
                "problem.severity".to_string(),
                json!(match rule.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "recommendation",
                }),
            );
            properties.insert("kind".to_string(), json!(rule.kind.name()));
            ReportingDescriptor::builder()
                .id(rule.id.clone())
                .name(pascal_case(rule.kind.name()))
                .short_description(text(short))
                .full_description(text(full))
                .help(MultiformatMessageString::builder().text(help.clone()).markdown(help).build())
                .default_configuration(ReportingConfiguration::builder().level(json!(level(rule.severity))).build())
                .properties(
                    PropertyBag::builder()
                        .tags(vec!["fsx".to_string(), "backup".to_string(), rule.kind.name().to_string()])
                        .additional_properties(properties)
                        .build(),
                )
                .build()
        })
        .collect();

    // Fail before error, then severity; the sort is stable so ties keep the report's order.
    let mut reported: Vec<&RuleResult> =
        report.results.iter().filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error)).collect();
    let rank = |r: &RuleResult| {
        let severity = context.rule(r).map_or(Severity::Note, |rule| rule.severity);
        (std::cmp::Reverse(r.verdict == Verdict::Fail), std::cmp::Reverse(severity))
    };
    let total = reported.len();
    let mut notices: Vec<String> = context.run.gate.warnings.clone();
    if total > MAX_RESULTS {
        reported.sort_by_key(|r| rank(r));
        reported.truncate(MAX_RESULTS);
        notices.push(format!(
            "SARIF keeps the {MAX_RESULTS} most severe of {total} results (GitHub code scanning's limit per run)"
        ));
    }
    if reported.len() > GITHUB_SHOWN {
        notices.push(format!(
            "{} results in one SARIF run: GitHub code scanning shows only the top {GITHUB_SHOWN} of a run; split the run (`--rule`, `--severity`, one `--sarif-category` each) or read the JSON report",
            reported.len()
        ));
    }
    for notice in notices.iter().skip(context.run.gate.warnings.len()) {
        let _ = writeln!(err, "warning: {notice}");
    }
    let positions = context.positions(reported.iter().copied());
    let root = context.sarif.source_root.as_path();
    // Paths outside the root are kept as file:// URIs, with one warning per file.
    let mut outside: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut uri = |path: &str| -> String {
        if path == crate::policy::BASELINE_PATH && policies.sources.iter().any(|s| s.builtin && s.path == path) {
            return path.to_string();
        }
        let (uri, out) = artifact_uri(path, root);
        if out {
            outside.insert(path.to_string());
        }
        uri
    };

    let run_info = context.run;
    let artifacts: Vec<Artifact> = run_info
        .inputs
        .iter()
        .map(|input| {
            let role = match input.kind {
                "policy" => "policy",
                "waivers" => "userSpecifiedConfiguration",
                "baseline" => "resultFile",
                _ => "analysisTarget",
            };
            // An input outside the root (a baseline in a temporary directory) is named by a
            // file:// URI without a warning: GitHub shows results, not artifacts.
            let location = if input.path == "live" && input.kind == "inventory" {
                ArtifactLocation::builder()
                    .description(Message::builder().text("collected live from AWS").build())
                    .build()
            } else if input.path == crate::policy::BASELINE_PATH && input.kind == "policy" {
                ArtifactLocation::builder().uri(input.path.clone()).build()
            } else {
                ArtifactLocation::builder().uri(artifact_uri(&input.path, root).0).build()
            };
            Artifact::builder()
                .location(location)
                .roles(vec![json!(role)])
                .hashes(BTreeMap::from([("sha-256".to_string(), input.sha256.clone())]))
                .build()
        })
        .collect();

    let mut run_properties = BTreeMap::new();
    run_properties.insert("evaluated_at".to_string(), json!(report.evaluated_at.to_string()));
    run_properties.insert("summary".to_string(), serde_json::to_value(report.summary).unwrap_or(Value::Null));
    run_properties.insert("waivers".to_string(), json!(context.waiver_entries()));
    if let Some(path) = &run_info.gate.baseline_path {
        run_properties.insert(
            "baseline".to_string(),
            json!({"path": path, "new": run_info.gate.new, "unchanged": run_info.gate.unchanged, "fixed": run_info.gate.fixed.len()}),
        );
    }
    if total > MAX_RESULTS {
        run_properties.insert(
            "truncated".to_string(),
            json!({"kept": MAX_RESULTS, "total": total, "reason": "GitHub code scanning keeps at most 25,000 results per run; the most severe are kept"}),
        );
    }
    let mut invocation_properties = BTreeMap::new();
    invocation_properties.insert("now".to_string(), json!(report.evaluated_at.to_string()));
    invocation_properties.insert("fail_on".to_string(), json!(run_info.fail_on.as_str()));
    invocation_properties.insert("outcome".to_string(), json!(super::outcome_text(run_info.outcome)));
    for (key, value) in super::optional_run_fields(context) {
        invocation_properties.insert(key.to_string(), value);
    }
    let notifications: Vec<Notification> = notices
        .iter()
        .map(|text| {
            Notification::builder()
                .message(Message::builder().text(text.clone()).build())
                .level(json!("warning"))
                .build()
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(true)
        .exit_code(i64::from(run_info.exit_code()))
        .start_time_utc(run_info.generated_at.to_string())
        .properties(PropertyBag::builder().additional_properties(invocation_properties).build())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let driver = ToolComponent::builder()
        .name("fsx-guard")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(env!("CARGO_PKG_VERSION"))
        .rules(descriptors)
        .build();
    // GitHub's category is the part before the last `/`.
    let automation_id = match &context.sarif.category {
        Some(category) => format!("{category}/"),
        None => format!("fsx-guard/{}", report.evaluated_at),
    };
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .artifacts(artifacts)
        .results(Vec::new())
        .automation_details(RunAutomationDetails::builder().id(automation_id).build())
        .column_kind(json!("unicodeCodePoints"))
        .properties(PropertyBag::builder().additional_properties(run_properties).build())
        .build();
    let log = Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build();
    let failed = |reason: String| Error::Output { path: "the SARIF report".into(), reason };
    // The log without results, cut where they go: each result is serialised and written as it
    // is built, indented as the whole log's pretty form has it (JSON strings hold no line break).
    let frame = serde_json::to_string_pretty(&log).map_err(|e| Error::Internal(e.to_string()))?;
    let slot = "\"results\": []";
    let at = match (frame.find(slot), frame.matches(slot).count()) {
        (Some(at), 1) => at,
        _ => return Err(Error::Internal("SARIF: no single place for results".into())),
    };
    let (head, rest) = frame.split_at(at + slot.len() - 1);
    let tail = rest.get(1..).unwrap_or_default();
    let key_indent = head.get(..at).and_then(|h| h.rsplit('\n').next()).unwrap_or_default().to_string();
    let indent = format!("{key_indent}  ");
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
    writer.write_all(head.as_bytes()).map_err(|e| failed(e.to_string()))?;
    let mut written = 0usize;
    let mut emit = |result: &SarifResult| -> Result<(), Error> {
        let text = serde_json::to_string_pretty(result).map_err(|e| Error::Internal(e.to_string()))?;
        let mut put = |bytes: &[u8]| writer.write_all(bytes).map_err(|e| failed(e.to_string()));
        put(if written == 0 { b"\n" } else { b",\n" })?;
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                put(b"\n")?;
            }
            put(indent.as_bytes())?;
            put(line.as_bytes())?;
        }
        written += 1;
        Ok(())
    };
    for result in &reported {
        let Some(rule) = context.rule(result) else { continue };
        let resource_position = result.subject.origin.as_ref().and_then(|o| {
            let code = context.inventory.sources.get(o.source).is_some_and(|s| s.code);
            positions.get(o).cloned().map(|p| (p, code))
        });
        // auto: infrastructure code lives in the repository, so its line; a saved inventory is
        // often renamed by date, so the rule's line, unless the rule is the built-in baseline,
        // which is in no repository.
        let builtin = policies.source_of(rule).is_none_or(|s| s.builtin);
        let at_resource = match (context.sarif.location, &resource_position) {
            (SarifLocation::Inventory, Some(_)) => true,
            (SarifLocation::Auto, Some((_, code))) => *code || builtin,
            _ => false,
        };
        let position = resource_position
            .filter(|_| at_resource)
            .map(|(p, _)| p)
            .or_else(|| context.rule_position(rule))
            .unwrap_or(Position {
                path: crate::policy::BASELINE_PATH.to_string(),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
            });
        // At the rule's line many resources share one place: the message names its resource.
        let named = |text: &str| if at_resource { text.to_string() } else { format!("{}: {text}", result.subject.id) };
        let message = match result.verdict {
            Verdict::Error => {
                let rest =
                    result.message.strip_prefix("could not evaluate:").map_or(result.message.as_str(), str::trim_start);
                format!("could not evaluate: {}", named(rest))
            }
            _ => named(&result.message),
        };
        let location = Location::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(ArtifactLocation::builder().uri(uri(&position.path)).build())
                    .region(region(&position))
                    .build(),
            )
            .logical_locations(vec![
                LogicalLocation::builder().fully_qualified_name(result.subject.id.clone()).kind("resource").build(),
            ])
            .build();
        let print = fingerprint(&rule.id, &result.subject.id);
        let mut fingerprints = BTreeMap::new();
        fingerprints.insert("fsxGuardResource/v1".to_string(), print.clone());
        fingerprints.insert("primaryLocationLineHash".to_string(), format!("{}:1", print.get(..16).unwrap_or(&print)));
        let mut properties = BTreeMap::new();
        properties.insert("verdict".to_string(), json!(result.verdict.as_str()));
        properties.insert("resource_type".to_string(), json!(result.subject.resource_type.as_str()));
        properties.insert("account".to_string(), json!(result.subject.account));
        properties.insert("region".to_string(), json!(result.subject.region));
        properties.insert("evidence".to_string(), result.evidence.value());
        let mut sarif_result = SarifResult::builder()
            .rule_id(rule.id.clone())
            .rule_index(i64::try_from(result.rule).unwrap_or(0))
            .kind(ResultKind::Fail)
            .level(level(rule.severity))
            .message(Message::builder().text(message).build())
            .locations(vec![location])
            .partial_fingerprints(fingerprints)
            .properties(PropertyBag::builder().additional_properties(properties).build())
            .build();
        // The value came from elsewhere (a variable's literal): where the resource uses it.
        if let Some(related) = result.subject.related.as_ref().and_then(|o| positions.get(o)).filter(|_| at_resource) {
            sarif_result.related_locations = Some(vec![
                Location::builder()
                    .id(1)
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(ArtifactLocation::builder().uri(uri(&related.path)).build())
                            .region(region(related))
                            .build(),
                    )
                    .message(Message::builder().text("the attribute that uses this value").build())
                    .build(),
            ]);
        }
        if let Some(waiver) = context.waiver(result) {
            let mut waiver_properties = BTreeMap::new();
            waiver_properties.insert("owner".to_string(), json!(waiver.owner));
            waiver_properties.insert("expires".to_string(), json!(waiver.expires));
            waiver_properties.insert("waiver".to_string(), json!(crate::gate::waiver_place(policies, waiver)));
            sarif_result.suppressions = Some(vec![
                Suppression::builder()
                    .kind(json!("external"))
                    .status(json!("accepted"))
                    .justification(waiver.reason.clone())
                    .properties(PropertyBag::builder().additional_properties(waiver_properties).build())
                    .build(),
            ]);
        }
        if let Some(state) = result.baseline {
            sarif_result.baseline_state = Some(json!(state.as_str()));
        }
        emit(&sarif_result)?;
    }
    // Fixed since the baseline: listed as `absent`, as passes (GitHub must not open an alert).
    for fixed in &context.run.gate.fixed {
        let rule_index = policies.rules.iter().position(|r| r.id == fixed.rule_id);
        // GitHub wants a file and a line for every result: the rule's, or the first policy's.
        let position =
            rule_index.and_then(|i| policies.rules.get(i)).and_then(|rule| context.rule_position(rule)).or_else(|| {
                policies.sources.iter().find(|s| !s.waivers_only).map(|s| Position {
                    path: s.path.clone(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 2,
                })
            });
        let logical =
            vec![LogicalLocation::builder().fully_qualified_name(fixed.resource.clone()).kind("resource").build()];
        let location = match &position {
            Some(position) => Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(ArtifactLocation::builder().uri(uri(&position.path)).build())
                        .region(region(position))
                        .build(),
                )
                .logical_locations(logical)
                .build(),
            None => Location::builder().logical_locations(logical).build(),
        };
        let print = fingerprint(&fixed.rule_id, &fixed.resource);
        let mut fingerprints = BTreeMap::new();
        fingerprints.insert("primaryLocationLineHash".to_string(), format!("{}:1", print.get(..16).unwrap_or(&print)));
        fingerprints.insert("fsxGuardResource/v1".to_string(), print);
        let mut fixed_properties = BTreeMap::new();
        fixed_properties.insert("verdict_before".to_string(), json!(fixed.was));
        fixed_properties.insert("verdict_now".to_string(), json!(fixed.now));
        let mut absent = SarifResult::builder()
            .rule_id(fixed.rule_id.clone())
            .kind(ResultKind::Pass)
            .level(ResultLevel::None)
            .message(
                Message::builder()
                    .text(format!("fixed since the baseline: {}: {}", fixed.resource, fixed.message))
                    .build(),
            )
            .locations(vec![location])
            .partial_fingerprints(fingerprints)
            .properties(PropertyBag::builder().additional_properties(fixed_properties).build())
            .build();
        absent.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
        absent.baseline_state = Some(json!("absent"));
        emit(&absent)?;
    }
    if written > 0 {
        writer.write_all(format!("\n{key_indent}").as_bytes()).map_err(|e| failed(e.to_string()))?;
    }
    writer.write_all(b"]").map_err(|e| failed(e.to_string()))?;
    writer.write_all(tail.as_bytes()).map_err(|e| failed(e.to_string()))?;
    writer.write_all(b"\n").map_err(|e| failed(e.to_string()))?;
    writer.flush().map_err(|e| failed(e.to_string()))?;
    for path in &outside {
        let _ = writeln!(
            err,
            "warning: `{path}` is outside the source root `{}`: SARIF names it by a file:// URI, which GitHub cannot show; pass --source-root",
            root.display()
        );
    }
    Ok(())
}

fn pascal_case(kind: &str) -> String {
    kind.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}
