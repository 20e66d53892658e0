//! What decides the exit code beyond the verdicts: waivers (accepted exceptions) and a baseline
//! (a previous JSON report whose failures are already known). Both only mark results; no verdict
//! is ever changed (SPEC §6).

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::diag::{self, FileDiagnostic};
use crate::engine::{Report, RuleResult, Verdict};
use crate::inventory::Timestamp;
use crate::policy::{PolicySet, Waiver};
use crate::span::ByteSpan;

/// Whether a failing result was already failing in the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineState {
    New,
    Unchanged,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

/// How one waiver fared in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverStatus {
    /// Applied to at least one result.
    Active,
    /// Past its `expires` day at `--now`: applied to nothing.
    Expired,
    /// In force, but no result matched it.
    Unmatched,
}

impl WaiverStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WaiverStatus::Active => "active",
            WaiverStatus::Expired => "expired",
            WaiverStatus::Unmatched => "unmatched",
        }
    }
}

/// A waiver with what it did.
#[derive(Debug, Clone)]
pub struct WaiverUse {
    /// Index into `PolicySet::waivers`.
    pub waiver: usize,
    pub status: WaiverStatus,
    /// Results it matched (for an expired one: results it would have matched).
    pub matched: usize,
}

/// A finding of the baseline that is not failing any more.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fixed {
    pub rule_id: String,
    pub resource: String,
    /// Its verdict in the baseline (`fail` or `error`).
    pub was: String,
    /// Its verdict now (`pass`, `not_applicable`), or `absent` when no result names it.
    pub now: String,
    pub message: String,
}

/// The baseline as read.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub path: String,
    pub text: Arc<String>,
    /// (rule id, resource) → (verdict, message) of every failing result.
    failing: HashMap<(String, String), (String, String)>,
}

/// Everything the gate found, for every report.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    pub waivers: Vec<WaiverUse>,
    /// Expired and unmatched waivers, as sentences (also printed on stderr).
    pub warnings: Vec<String>,
    pub baseline_path: Option<String>,
    pub fixed: Vec<Fixed>,
    /// Failing results new since the baseline / already there.
    pub new: usize,
    pub unchanged: usize,
    pub waived: usize,
}

#[derive(Deserialize)]
struct BaselineDocument {
    format_version: u64,
    tool: BaselineTool,
    results: Vec<BaselineResult>,
}

#[derive(Deserialize)]
struct BaselineTool {
    name: String,
}

#[derive(Deserialize)]
struct BaselineResult {
    rule_id: Option<String>,
    resource: String,
    verdict: String,
    #[serde(default)]
    message: String,
}

/// Reads `--baseline REPORT.json`: a JSON report written by `check --format json`. Anything else
/// stops the run (exit 2) with the place it went wrong.
pub fn read_baseline(path: &Path) -> Result<Baseline, crate::Error> {
    let display = path.to_string_lossy().into_owned();
    let text = diag::read_text(path, &display, 4 * 1024 * 1024 * 1024, "a baseline report is limited to 4 GiB")?;
    let wrong = |message: String, offset: usize, help: &str| {
        crate::Error::File(Box::new(FileDiagnostic::single(
            &display,
            &text,
            message,
            ByteSpan::new(offset, offset),
            "here",
            Some(help.to_string()),
        )))
    };
    let document: BaselineDocument = serde_json::from_str(&text).map_err(|e| {
        let offset = crate::span::offset_of(&text, e.line(), e.column());
        wrong(
            format!("the baseline `{display}` is not an fsx-guard JSON report: {e}"),
            offset,
            "write it with `fsx-guard check --format json=FILE` on the earlier run",
        )
    })?;
    if document.tool.name != "fsx-guard" || document.format_version != 1 {
        return Err(wrong(
            format!(
                "the baseline `{display}` is a report of `{}` format version {}, not an fsx-guard JSON report of format version 1",
                document.tool.name, document.format_version
            ),
            0,
            "write it with `fsx-guard check --format json=FILE` on the earlier run",
        ));
    }
    let failing = document
        .results
        .into_iter()
        .filter(|r| matches!(r.verdict.as_str(), "fail" | "error"))
        .filter_map(|r| Some(((r.rule_id?, r.resource), (r.verdict, r.message))))
        .collect();
    Ok(Baseline { path: display, text, failing })
}

/// Marks waived results and, with a baseline, new and unchanged failures; lists fixed ones.
/// `policies` holds only the rules this run judged (after `--rule`/`--severity`): a waiver for
/// none of them is not reported as unmatched.
pub fn apply(report: &mut Report, policies: &PolicySet, baseline: Option<&Baseline>, now: Timestamp) -> Gate {
    let mut gate = Gate::default();
    let rule_ids: Vec<&str> = policies.rules.iter().map(|r| r.id.as_str()).collect();
    let mut matched = vec![0usize; policies.waivers.len()];
    let mut expired_matches = vec![0usize; policies.waivers.len()];
    for result in &mut report.results {
        let Some(rule_id) = rule_ids.get(result.rule).copied() else { continue };
        for (i, waiver) in policies.waivers.iter().enumerate() {
            if !waiver.matches(rule_id, &result.subject.id) {
                continue;
            }
            if waiver.active(now) {
                if let Some(count) = matched.get_mut(i) {
                    *count += 1;
                }
                if result.waived.is_none() {
                    result.waived = Some(i);
                }
            } else if let Some(count) = expired_matches.get_mut(i) {
                *count += 1;
            }
        }
        if result.waived.is_some() && failing(result) {
            gate.waived += 1;
        }
    }
    for (i, waiver) in policies.waivers.iter().enumerate() {
        let place = waiver_place(policies, waiver);
        let (status, count) = if !waiver.active(now) {
            gate.warnings.push(format!(
                "waiver for `{}` on `{}` ({place}) expired on {}: it no longer applies{}",
                waiver.rule,
                waiver.resource,
                waiver.expires,
                match expired_matches.get(i).copied().unwrap_or(0) {
                    0 => String::new(),
                    n => format!(" ({n} result(s) it would cover count again)"),
                }
            ));
            (WaiverStatus::Expired, expired_matches.get(i).copied().unwrap_or(0))
        } else if matched.get(i).copied().unwrap_or(0) == 0 {
            // A waiver for a rule this run did not judge (`--rule`, `--severity`) says nothing.
            if rule_ids.iter().any(|id| crate::policy::waiver::glob(&waiver.rule, id)) {
                gate.warnings.push(format!(
                    "waiver for `{}` on `{}` ({place}) matched no result: check its rule and resource patterns",
                    waiver.rule, waiver.resource
                ));
            }
            (WaiverStatus::Unmatched, 0)
        } else {
            (WaiverStatus::Active, matched.get(i).copied().unwrap_or(0))
        };
        gate.waivers.push(WaiverUse { waiver: i, status, matched: count });
    }
    if let Some(baseline) = baseline {
        gate.baseline_path = Some(baseline.path.clone());
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        for result in &mut report.results {
            let Some(rule_id) = rule_ids.get(result.rule).copied() else { continue };
            let key = (rule_id.to_string(), result.subject.id.clone());
            let before = baseline.failing.get(&key);
            if before.is_some() {
                seen.insert((rule_id, result.subject.id.as_str()));
            }
            if failing(result) {
                let state = if before.is_some() { BaselineState::Unchanged } else { BaselineState::New };
                match state {
                    BaselineState::New => gate.new += 1,
                    BaselineState::Unchanged => gate.unchanged += 1,
                }
                result.baseline = Some(state);
            } else if let Some((was, message)) = before {
                gate.fixed.push(Fixed {
                    rule_id: key.0,
                    resource: key.1,
                    was: was.clone(),
                    now: result.verdict.as_str().to_string(),
                    message: message.clone(),
                });
            }
        }
        // Failing before, and no result names it now (the resource is gone, or the rule).
        let mut absent: Vec<Fixed> = baseline
            .failing
            .iter()
            .filter(|((rule, resource), _)| !seen.contains(&(rule.as_str(), resource.as_str())))
            .map(|((rule, resource), (was, message))| Fixed {
                rule_id: rule.clone(),
                resource: resource.clone(),
                was: was.clone(),
                now: "absent".into(),
                message: message.clone(),
            })
            .collect();
        absent.sort_by(|a, b| (&a.rule_id, &a.resource).cmp(&(&b.rule_id, &b.resource)));
        gate.fixed.extend(absent);
    }
    gate
}

/// Whether a result is a failure or an error (what a gate can count).
pub fn failing(result: &RuleResult) -> bool {
    matches!(result.verdict, Verdict::Fail | Verdict::Error)
}

/// Whether a result counts towards the exit code: not waived, not already in the baseline.
pub fn counts(result: &RuleResult) -> bool {
    result.waived.is_none() && result.baseline != Some(BaselineState::Unchanged)
}

/// `file:line` of a waiver.
pub fn waiver_place(policies: &PolicySet, waiver: &Waiver) -> String {
    let Some(source) = policies.sources.get(waiver.source) else { return "?".into() };
    let line = source.span(&waiver.pointer).map_or(1, |span| crate::span::line_col(&source.text, span.value.start).0);
    format!("{}:{line}", source.path)
}
