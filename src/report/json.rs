//! `--format json`: every result, sorted by rule id then resource, with what the run was: its
//! inputs and their SHA-256, the real clock beside `--now`, the gate and the exit code (SPEC §6).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Context;
use crate::Error;

pub fn render(context: &Context<'_>) -> Result<String, Error> {
    let mut out = Vec::new();
    write(context, &mut out)?;
    String::from_utf8(out).map_err(|e| Error::Internal(e.to_string()))
}

/// One result as the report writes it (the key order is the format's).
#[derive(serde::Serialize)]
struct Entry<'a> {
    rule_id: Option<&'a str>,
    rule_kind: Option<&'a str>,
    severity: Option<&'a str>,
    verdict: &'a str,
    resource: &'a str,
    resource_type: &'a str,
    account: &'a Option<String>,
    region: &'a Option<String>,
    message: &'a str,
    evidence: Value,
    location: Option<Value>,
    /// Where the resource uses a value set elsewhere (a variable's literal).
    #[serde(skip_serializing_if = "Option::is_none")]
    related_location: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'a str>,
}

/// The results, serialised one at a time as the document is written.
struct Results<'c, 'a> {
    context: &'c Context<'a>,
    positions: &'c HashMap<crate::inventory::Origin, super::Position>,
}

impl serde::Serialize for Results<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let context = self.context;
        let located = |p: &super::Position| json!({"file": p.path, "line": p.line, "column": p.column});
        serializer.collect_seq(context.report.results.iter().map(|result| {
            let rule = context.rule(result);
            let position = |origin: Option<&crate::inventory::Origin>| origin.and_then(|o| self.positions.get(o));
            Entry {
                rule_id: rule.map(|r| r.id.as_str()),
                rule_kind: rule.map(|r| r.kind.name()),
                severity: rule.map(|r| r.severity.as_str()),
                verdict: result.verdict.as_str(),
                resource: &result.subject.id,
                resource_type: result.subject.resource_type.as_str(),
                account: &result.subject.account,
                region: &result.subject.region,
                message: &result.message,
                evidence: result.evidence.value(),
                location: position(result.subject.origin.as_ref()).map(located),
                related_location: position(result.subject.related.as_ref()).map(located),
                waived: context.waiver(result).map(|waiver| {
                    json!({
                        "reason": waiver.reason,
                        "owner": waiver.owner,
                        "expires": waiver.expires,
                        "waiver": crate::gate::waiver_place(context.policies, waiver),
                    })
                }),
                baseline_state: result.baseline.map(|state| state.as_str()),
            }
        }))
    }
}

/// The document with its `results` written from [`Results`] in place of the placeholder.
struct Document<'c, 'a> {
    head: &'c serde_json::Map<String, Value>,
    results: Results<'c, 'a>,
}

impl serde::Serialize for Document<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.head.len()))?;
        for (key, value) in self.head {
            if key == "results" {
                map.serialize_entry(key, &self.results)?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

/// Writes the report to `out` result by result: at 100,000 results neither the whole document
/// as a value nor as a string is ever held.
pub fn write(context: &Context<'_>, out: &mut dyn std::io::Write) -> Result<(), Error> {
    let report = context.report;
    let positions = context.positions(&report.results);
    let run = context.run;
    let mut summary = serde_json::to_value(report.summary).unwrap_or(Value::Null);
    if let Some(map) = summary.as_object_mut() {
        map.insert("waived".into(), json!(run.gate.waived));
    }
    let mut document = json!({
        "format_version": 1,
        "tool": {"name": "fsx-guard", "version": env!("CARGO_PKG_VERSION")},
        "generated_at": run.generated_at.to_string(),
        "evaluated_at": report.evaluated_at.to_string(),
        "collected_at": report.collected_at.map(|t| t.to_string()),
        "inputs": run.inputs,
        "fail_on": run.fail_on.as_str(),
        "exit_code": run.exit_code(),
        "outcome": super::outcome_text(run.outcome),
        "summary": summary,
        "waivers": context.waiver_entries(),
        "warnings": run.gate.warnings,
        "results": Value::Null,
    });
    if let Some(map) = document.as_object_mut() {
        for (key, value) in super::optional_run_fields(context) {
            map.insert(key.into(), value);
        }
        if let Some(path) = &run.gate.baseline_path {
            map.insert(
                "baseline".into(),
                json!({
                    "path": path,
                    "new": run.gate.new,
                    "unchanged": run.gate.unchanged,
                    "fixed": run.gate.fixed,
                }),
            );
        }
    }
    let Some(head) = document.as_object() else {
        return Err(Error::Internal("the JSON report is not an object".into()));
    };
    let failed = |e: String| Error::Output { path: "the JSON report".into(), reason: e };
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut writer, &Document { head, results: Results { context, positions: &positions } })
        .map_err(|e| failed(e.to_string()))?;
    std::io::Write::write_all(&mut writer, b"\n").map_err(|e| failed(e.to_string()))?;
    std::io::Write::flush(&mut writer).map_err(|e| failed(e.to_string()))
}
