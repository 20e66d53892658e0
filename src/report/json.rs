//! `--format json`: every result, sorted by rule id then resource, with what the run was: its
//! inputs and their SHA-256, the real clock beside `--now`, the gate and the exit code (SPEC §6).

use serde_json::{Value, json};

use super::Context;
use crate::Error;

pub fn render(context: &Context<'_>) -> Result<String, Error> {
    let report = context.report;
    let positions = context.positions(&report.results);
    let located = |p: &super::Position| json!({"file": p.path, "line": p.line, "column": p.column});
    let results: Vec<Value> = report
        .results
        .iter()
        .map(|result| {
            let rule = context.rule(result);
            let location = result.subject.origin.as_ref().and_then(|o| positions.get(o)).map(located);
            let mut entry = json!({
                "rule_id": rule.map(|r| r.id.as_str()),
                "rule_kind": rule.map(|r| r.kind.name()),
                "severity": rule.map(|r| r.severity.as_str()),
                "verdict": result.verdict.as_str(),
                "resource": result.subject.id,
                "resource_type": result.subject.resource_type.as_str(),
                "account": result.subject.account,
                "region": result.subject.region,
                "message": result.message,
                "evidence": result.evidence,
                "location": location,
            });
            let Some(map) = entry.as_object_mut() else { return entry };
            // Where the resource uses a value set elsewhere (a variable's literal).
            if let Some(position) = result.subject.related.as_ref().and_then(|o| positions.get(o)) {
                map.insert("related_location".into(), located(position));
            }
            if let Some(waiver) = context.waiver(result) {
                map.insert(
                    "waived".into(),
                    json!({
                        "reason": waiver.reason,
                        "owner": waiver.owner,
                        "expires": waiver.expires,
                        "waiver": crate::gate::waiver_place(context.policies, waiver),
                    }),
                );
            }
            if let Some(state) = result.baseline {
                map.insert("baseline_state".into(), json!(state.as_str()));
            }
            entry
        })
        .collect();
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
        "results": results,
    });
    if let Some(map) = document.as_object_mut() {
        if !run.filters.is_empty() {
            map.insert("filters".into(), json!(run.filters));
        }
        if let Some(caller) = &run.caller {
            map.insert("caller".into(), caller.clone());
            map.insert("regions_read".into(), json!(run.regions_read));
        }
        if !context.inventory.collectors.is_empty() {
            map.insert("collected_by".into(), json!(context.inventory.collectors));
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
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| Error::Internal(e.to_string()))?;
    text.push('\n');
    Ok(text)
}
