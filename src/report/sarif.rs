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
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run,
    RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use super::{Context, Position};
use crate::Error;
use crate::engine::{RuleResult, Verdict};
use crate::policy::Severity;

/// GitHub code scanning keeps at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;
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

/// A URI for a path: relative paths as they are (with `/`), absolute ones under the current
/// directory made relative, other absolute ones as `file://` URIs.
pub fn artifact_uri(path: &str) -> String {
    let as_path = std::path::Path::new(path);
    let relative = if as_path.is_absolute() {
        match std::env::current_dir().ok().and_then(|cwd| as_path.strip_prefix(cwd).ok().map(|p| p.to_path_buf())) {
            Some(rel) => rel,
            None => {
                let encoded: String = path.chars().map(encode_uri_char).collect();
                return format!("file://{encoded}");
            }
        }
    } else {
        as_path.to_path_buf()
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_string();
    text.chars().map(encode_uri_char).collect()
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
    if total > MAX_RESULTS {
        reported.sort_by_key(|r| rank(r));
        reported.truncate(MAX_RESULTS);
        let _ = writeln!(
            err,
            "warning: SARIF keeps the {MAX_RESULTS} most severe of {total} results (GitHub code scanning's limit per run)"
        );
    }
    let positions = context.positions(reported.iter().copied());

    let results: Vec<SarifResult> = reported
        .iter()
        .filter_map(|result| {
            let rule = context.rule(result)?;
            let position = result
                .subject
                .origin
                .as_ref()
                .and_then(|o| positions.get(o).cloned())
                .or_else(|| context.rule_position(rule))
                .unwrap_or(Position {
                    path: crate::policy::BASELINE_PATH.to_string(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 2,
                });
            let message = match result.verdict {
                Verdict::Error if !result.message.starts_with("could not evaluate:") => {
                    format!("could not evaluate: {}", result.message)
                }
                _ => result.message.clone(),
            };
            let location = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(ArtifactLocation::builder().uri(artifact_uri(&position.path)).build())
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
            fingerprints
                .insert("primaryLocationLineHash".to_string(), format!("{}:1", print.get(..16).unwrap_or(&print)));
            let mut properties = BTreeMap::new();
            properties.insert("verdict".to_string(), json!(result.verdict.as_str()));
            properties.insert("resource_type".to_string(), json!(result.subject.resource_type.as_str()));
            properties.insert("account".to_string(), json!(result.subject.account));
            properties.insert("region".to_string(), json!(result.subject.region));
            properties.insert("evidence".to_string(), result.evidence.clone());
            let rule_index = policies.rules.iter().position(|r| r.id == rule.id).unwrap_or(0);
            let mut sarif_result = SarifResult::builder()
                .rule_id(rule.id.clone())
                .rule_index(i64::try_from(rule_index).unwrap_or(0))
                .kind(ResultKind::Fail)
                .level(level(rule.severity))
                .message(Message::builder().text(message).build())
                .locations(vec![location])
                .partial_fingerprints(fingerprints)
                .properties(PropertyBag::builder().additional_properties(properties).build())
                .build();
            // The value came from elsewhere (a variable's literal): where the resource uses it.
            if let Some(related) = result.subject.related.as_ref().and_then(|o| positions.get(o)) {
                sarif_result.related_locations = Some(vec![
                    Location::builder()
                        .id(1)
                        .physical_location(
                            PhysicalLocation::builder()
                                .artifact_location(ArtifactLocation::builder().uri(artifact_uri(&related.path)).build())
                                .region(region(related))
                                .build(),
                        )
                        .message(Message::builder().text("the attribute that uses this value").build())
                        .build(),
                ]);
            }
            Some(sarif_result)
        })
        .collect();

    let mut run_properties = BTreeMap::new();
    run_properties.insert("evaluated_at".to_string(), json!(report.evaluated_at.to_string()));
    run_properties.insert("summary".to_string(), serde_json::to_value(report.summary).unwrap_or(Value::Null));
    if total > MAX_RESULTS {
        run_properties.insert(
            "truncated".to_string(),
            json!({"kept": MAX_RESULTS, "total": total, "reason": "GitHub code scanning keeps at most 25,000 results per run; the most severe are kept"}),
        );
    }
    let driver = ToolComponent::builder()
        .name("fsx-guard")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(env!("CARGO_PKG_VERSION"))
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .automation_details(RunAutomationDetails::builder().id(format!("fsx-guard/{}", report.evaluated_at)).build())
        .column_kind(json!("unicodeCodePoints"))
        .properties(PropertyBag::builder().additional_properties(run_properties).build())
        .build();
    let log = Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build();
    let mut out = serde_json::to_string_pretty(&log).map_err(|e| Error::Internal(e.to_string()))?;
    out.push('\n');
    Ok(out)
}

fn pascal_case(kind: &str) -> String {
    kind.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}
