//! `--format json`: every result, sorted by rule id then resource (SPEC §6).

use serde_json::{Value, json};

use super::Context;
use crate::Error;

pub fn render(context: &Context<'_>) -> Result<String, Error> {
    let report = context.report;
    let positions = context.positions(&report.results);
    let results: Vec<Value> = report
        .results
        .iter()
        .map(|result| {
            let rule = context.rule(result);
            let location = result
                .subject
                .origin
                .as_ref()
                .and_then(|o| positions.get(o))
                .map(|p| json!({"file": p.path, "line": p.line, "column": p.column}));
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
            // Where the resource uses a value set elsewhere (a variable's literal).
            if let (Some(position), Some(map)) =
                (result.subject.related.as_ref().and_then(|o| positions.get(o)), entry.as_object_mut())
            {
                map.insert(
                    "related_location".into(),
                    json!({"file": position.path, "line": position.line, "column": position.column}),
                );
            }
            entry
        })
        .collect();
    let document = json!({
        "format_version": 1,
        "tool": {"name": "fsx-guard", "version": env!("CARGO_PKG_VERSION")},
        "evaluated_at": report.evaluated_at.to_string(),
        "collected_at": report.collected_at.map(|t| t.to_string()),
        "summary": report.summary,
        "results": results,
    });
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| Error::Internal(e.to_string()))?;
    text.push('\n');
    Ok(text)
}
