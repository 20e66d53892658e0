//! `--format html`: one self-contained audit report (inline CSS and script, no network, opens
//! from a file:// URL, prints to PDF): the outcome; counts by verdict, severity, account and
//! Region; the run and its inputs with SHA-256; waivers, warnings and the baseline; every result
//! in one table that filters and sorts in the page; a section per rule with its text and its
//! results with evidence; per file system a timeline of backups and cross-Region copies against
//! the policy's windows (recovery-point age against `max_age_hours`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::{Breakdown, Context, Counts, Sink};
use crate::engine::{RuleResult, Verdict};
use crate::inventory::{FileSystem, Index, Timestamp};
use crate::rules::Params;

/// File systems drawn at most (the rest are counted): a timeline is a few kilobytes.
const TIMELINES: usize = 200;
/// Backups drawn per lane at most (the newest).
const MARKS_PER_LANE: usize = 400;

pub fn render(context: &Context<'_>) -> String {
    super::to_string(|out| write(context, out)).unwrap_or_default()
}

/// The report into `out`, section by section and row by row as it is produced.
pub fn write(context: &Context<'_>, out: &mut dyn std::io::Write) -> Result<(), crate::Error> {
    let report = context.report;
    let run = context.run;
    let s = report.summary;
    let mut out = Sink::new(out);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"fsx-guard {}\">\n<title>fsx-guard report — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&report.evaluated_at.to_string())
    );
    let (class, words) = match run.outcome {
        crate::Outcome::Compliant => ("compliant", "Compliant".to_string()),
        crate::Outcome::Failures => ("failures", format!("{} failure(s), {} undecided", s.fail, s.error)),
        crate::Outcome::Undetermined => ("undetermined", format!("{} result(s) could not be decided", s.error)),
    };
    let _ = write!(
        out,
        "<header><h1>fsx-guard audit report</h1><p id=\"outcome\" class=\"outcome {class}\" data-exit-code=\"{}\">{} — exit code {}</p><p class=\"muted\">Evaluated at {} (<code>--now</code>) · generated {} · fsx-guard {}</p></header>",
        run.exit_code(),
        escape(&words),
        run.exit_code(),
        escape(&report.evaluated_at.to_string()),
        escape(&run.generated_at.to_string()),
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("\n<nav><a href=\"#summary\">Summary</a> <a href=\"#run\">Run and inputs</a> <a href=\"#results\">Results</a> <a href=\"#rules\">Rules</a> <a href=\"#timelines\">Timelines</a></nav>\n<main>\n");
    summary(context, &mut out);
    run_section(context, &mut out);
    gate_section(context, &mut out);
    results_section(context, &mut out);
    rules_section(context, &mut out);
    timelines(context, &mut out);
    let _ = write!(out, "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out.finish("the HTML report")
}

fn summary(context: &Context<'_>, out: &mut Sink<'_>) {
    let report = context.report;
    let s = report.summary;
    out.push_str("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">");
    for (id, label, count) in [
        ("pass", "pass", s.pass),
        ("fail", "fail", s.fail),
        ("error", "error", s.error),
        ("not_applicable", "not applicable", s.not_applicable),
        ("waived", "waived", context.run.gate.waived),
    ] {
        let _ = write!(
            out,
            "<div class=\"card {id}\" id=\"count-{id}\" data-count=\"{count}\"><span class=\"n\">{count}</span><span class=\"l\">{label}</span></div>"
        );
    }
    let _ = writeln!(
        out,
        "</div>\n<p>{} file systems, {} accounts, {} Regions judged.</p>",
        report.file_systems, report.accounts, report.regions
    );
    let breakdown = Breakdown::of(context);
    out.push_str("<div class=\"breakdowns\">");
    breakdown_table("severity", breakdown.by_severity.iter().map(|(k, v)| ((*k).to_string(), *v)), out);
    breakdown_table("account", breakdown.by_account.iter().map(|(k, v)| (k.clone(), *v)), out);
    breakdown_table("region", breakdown.by_region.iter().map(|(k, v)| (k.clone(), *v)), out);
    out.push_str("</div></section>\n");
}

fn breakdown_table(name: &str, rows: impl Iterator<Item = (String, Counts)>, out: &mut Sink<'_>) {
    let _ = write!(
        out,
        "<table class=\"breakdown\" id=\"by-{name}\"><thead><tr><th>{name}</th><th>pass</th><th>fail</th><th>error</th><th>n/a</th><th>waived</th></tr></thead><tbody>"
    );
    for (key, c) in rows {
        let _ = write!(
            out,
            "<tr data-key=\"{}\"><td>{}</td><td>{}</td><td class=\"fail\">{}</td><td class=\"error\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&key),
            escape(&key),
            c.pass,
            c.fail,
            c.error,
            c.not_applicable,
            c.waived
        );
    }
    out.push_str("</tbody></table>");
}

fn run_section(context: &Context<'_>, out: &mut Sink<'_>) {
    let run = context.run;
    out.push_str("<section id=\"run\"><h2>Run and inputs</h2>\n<table class=\"facts\"><tbody>");
    for (name, value) in context.run_facts() {
        let _ = write!(out, "<tr><th>{}</th><td>{}</td></tr>", escape(name), escape(&value));
    }
    out.push_str("</tbody></table>\n<h3>Inputs</h3><table id=\"inputs\"><thead><tr><th>path</th><th>kind</th><th>SHA-256</th></tr></thead><tbody>");
    for input in &run.inputs {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td><code class=\"hash\">{}</code></td></tr>",
            escape(&input.path),
            input.kind,
            input.sha256
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn gate_section(context: &Context<'_>, out: &mut Sink<'_>) {
    let gate = &context.run.gate;
    let waivers = context.waiver_entries();
    if waivers.is_empty() && gate.warnings.is_empty() && gate.baseline_path.is_none() {
        return;
    }
    out.push_str("<section id=\"gate\"><h2>Waivers, warnings, baseline</h2>\n");
    if !waivers.is_empty() {
        out.push_str("<table id=\"waivers\"><thead><tr><th>rule</th><th>resource</th><th>owner</th><th>expires</th><th>status</th><th>matched</th><th>reason</th><th>where</th></tr></thead><tbody>");
        for w in &waivers {
            let text = |k: &str| escape(w.get(k).and_then(|v| v.as_str()).unwrap_or(""));
            let _ = write!(
                out,
                "<tr class=\"waiver {}\"><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                text("status"),
                text("rule"),
                text("resource"),
                text("owner"),
                text("expires"),
                text("status"),
                w.get("matched").and_then(serde_json::Value::as_u64).unwrap_or(0),
                text("reason"),
                text("file")
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !gate.warnings.is_empty() {
        out.push_str("<ul id=\"warnings\">");
        for warning in &gate.warnings {
            let _ = write!(out, "<li class=\"warning\">{}</li>", escape(warning));
        }
        out.push_str("</ul>\n");
    }
    if let Some(path) = &gate.baseline_path {
        let _ = write!(
            out,
            "<p id=\"baseline\" data-new=\"{}\" data-unchanged=\"{}\" data-fixed=\"{}\">Against baseline <code>{}</code>: <b>{} new</b>, {} already there, <b>{} fixed</b>.</p>",
            gate.new,
            gate.unchanged,
            gate.fixed.len(),
            escape(path),
            gate.new,
            gate.unchanged,
            gate.fixed.len()
        );
        if !gate.fixed.is_empty() {
            out.push_str("<table id=\"fixed\"><thead><tr><th>rule</th><th>resource</th><th>was</th><th>now</th></tr></thead><tbody>");
            for fixed in &gate.fixed {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    escape(&fixed.rule_id),
                    escape(&fixed.resource),
                    escape(&fixed.was),
                    escape(&fixed.now)
                );
            }
            out.push_str("</tbody></table>");
        }
    }
    out.push_str("</section>\n");
}

/// Every result in one table: the filter and the column sort act on it.
fn results_section(context: &Context<'_>, out: &mut Sink<'_>) {
    let positions = context.positions(&context.report.results);
    out.push_str("<section id=\"results\"><h2>Results</h2>\n<div class=\"controls\"><label>Filter <input id=\"filter\" type=\"search\" placeholder=\"rule, resource, message…\"></label> <label>Verdict <select id=\"verdict\"><option value=\"\">all</option><option value=\"fail\">fail</option><option value=\"error\">error</option><option value=\"failing\">fail or error</option><option value=\"pass\">pass</option><option value=\"not_applicable\">not applicable</option><option value=\"waived\">waived</option></select></label> <span id=\"shown\"></span></div>\n");
    out.push_str("<table id=\"results-table\" class=\"results sortable\"><thead><tr><th data-sort=\"rank\">verdict</th><th>rule</th><th data-sort=\"rank\">severity</th><th>resource</th><th>account</th><th>Region</th><th>message and evidence</th></tr></thead><tbody>\n");
    for result in &context.report.results {
        result_row(context, result, &positions, out);
    }
    out.push_str("</tbody></table></section>\n");
}

fn result_row(
    context: &Context<'_>,
    result: &RuleResult,
    positions: &HashMap<crate::inventory::Origin, super::Position>,
    out: &mut Sink<'_>,
) {
    let (rule_id, severity, severity_rank) =
        context.rule(result).map_or(("?", "?", 0), |r| (r.id.as_str(), r.severity.as_str(), r.severity as u8 + 1));
    let verdict = result.verdict.as_str();
    let verdict_rank = match result.verdict {
        Verdict::Fail => 4,
        Verdict::Error => 3,
        Verdict::NotApplicable => 2,
        Verdict::Pass => 1,
    };
    let waived = context.waiver(result);
    let mut tags = String::new();
    if waived.is_some() {
        tags.push_str(" <span class=\"tag waived\">waived</span>");
    }
    match result.baseline {
        Some(crate::gate::BaselineState::New) => tags.push_str(" <span class=\"tag new\">new</span>"),
        Some(crate::gate::BaselineState::Unchanged) => tags.push_str(" <span class=\"tag known\">in baseline</span>"),
        None => {}
    }
    let _ = write!(
        out,
        "<tr class=\"result {verdict}\" data-verdict=\"{verdict}\" data-waived=\"{}\" data-rule=\"{}\"><td data-rank=\"{verdict_rank}\"><span class=\"verdict {verdict}\">{}</span>{tags}</td><td>{}</td><td data-rank=\"{severity_rank}\">{severity}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td><details><summary>{}</summary>",
        u8::from(waived.is_some()),
        escape(rule_id),
        verdict.replace('_', " "),
        escape(rule_id),
        escape(&result.subject.id),
        escape(result.subject.account.as_deref().unwrap_or("—")),
        escape(result.subject.region.as_deref().unwrap_or("—")),
        escape(&result.message)
    );
    let lines = result.evidence.details();
    if !lines.is_empty() {
        out.push_str("<ul>");
        for line in lines {
            let _ = write!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul>");
    }
    if let Some(waiver) = waived {
        let _ = write!(
            out,
            "<p class=\"waived\">Waived until {} by {}: {}</p>",
            escape(&waiver.expires),
            escape(&waiver.owner),
            escape(&waiver.reason)
        );
    }
    if let Some(position) = result.subject.origin.as_ref().and_then(|o| positions.get(o)) {
        let _ = write!(out, "<p class=\"muted\">{}:{}:{}</p>", escape(&position.path), position.line, position.column);
    }
    let evidence = serde_json::to_string_pretty(&result.evidence.value()).unwrap_or_default();
    let _ = writeln!(out, "<pre>{}</pre></details></td></tr>", escape(&evidence));
}

fn rules_section(context: &Context<'_>, out: &mut Sink<'_>) {
    out.push_str("<section id=\"rules\"><h2>Rules</h2>\n");
    let mut by_rule: BTreeMap<usize, Vec<&RuleResult>> = BTreeMap::new();
    for result in &context.report.results {
        by_rule.entry(result.rule).or_default().push(result);
    }
    for (index, rule) in context.policies.rules.iter().enumerate() {
        let results = by_rule.get(&index).map_or(&[][..], Vec::as_slice);
        let mut counts = Counts::default();
        for result in results {
            counts.add(result);
        }
        let place = context.rule_position(rule).map(|p| format!("{}:{}", p.path, p.line)).unwrap_or_default();
        let _ = write!(
            out,
            "<article class=\"rule\" id=\"rule-{}\" data-fail=\"{}\" data-error=\"{}\"><h3>{}</h3><p>{}</p><p class=\"muted\"><code>{}</code> · severity <b>{}</b> · {} pass, {} fail, {} error, {} not applicable · <code>{}</code></p>",
            escape(&rule.id),
            counts.fail,
            counts.error,
            escape(&rule.id),
            escape(rule.description.as_deref().unwrap_or_else(|| rule.kind.summary())),
            rule.kind.name(),
            rule.severity.as_str(),
            counts.pass,
            counts.fail,
            counts.error,
            counts.not_applicable,
            escape(&place)
        );
        if let Some((_, snippet)) = context.policies.rule_snippet(rule) {
            let _ = write!(
                out,
                "<details class=\"params\"><summary>Parameters (the rule as written)</summary><pre>{}</pre></details>",
                escape(&snippet)
            );
        }
        if results.is_empty() {
            out.push_str("<p class=\"muted\">No resource selected.</p></article>\n");
            continue;
        }
        out.push_str("<table class=\"results sortable\"><thead><tr><th data-sort=\"rank\">verdict</th><th>resource</th><th>message</th></tr></thead><tbody>");
        for result in results {
            let verdict = result.verdict.as_str();
            let waived = if result.waived.is_some() { " <span class=\"tag waived\">waived</span>" } else { "" };
            let rank = match result.verdict {
                Verdict::Fail => 4,
                Verdict::Error => 3,
                Verdict::NotApplicable => 2,
                Verdict::Pass => 1,
            };
            let _ = write!(
                out,
                "<tr class=\"result {verdict}\" data-verdict=\"{verdict}\" data-waived=\"{}\"><td data-rank=\"{rank}\"><span class=\"verdict {verdict}\">{}</span>{waived}</td><td><code>{}</code></td><td>{}</td></tr>",
                u8::from(result.waived.is_some()),
                verdict.replace('_', " "),
                escape(&result.subject.id),
                escape(&result.message)
            );
        }
        out.push_str("</tbody></table></article>\n");
    }
    out.push_str("</section>\n");
}

/// The windows a file system is held to: (destination Region, or `None` for its own; hours; rule).
type Windows = Vec<(Option<String>, f64, String)>;

/// A lane of a timeline: one Region's backups or copies of one file system.
struct Lane {
    label: String,
    /// (x time, recovery point when it differs, available, id)
    marks: Vec<(Timestamp, Option<Timestamp>, bool, String)>,
    /// Allowed recovery-point age (hours) and the rule that sets it.
    windows: Vec<(f64, String)>,
}

/// Per file system judged by a recency or cross-Region copy rule: its backups in its Region and
/// its copies in each destination, against each rule's `max_age_hours`.
fn timelines(context: &Context<'_>, out: &mut Sink<'_>) {
    let report = context.report;
    let now = report.evaluated_at;
    let mut windows: BTreeMap<&str, Windows> = BTreeMap::new();
    for result in &report.results {
        let Some(rule) = context.rule(result) else { continue };
        match &rule.params {
            Params::BackupRecency(p) => {
                windows.entry(result.subject.id.as_str()).or_default().push((None, p.max_age_hours, rule.id.clone()));
            }
            Params::CrossRegionCopy(p) => {
                for destination in &p.destinations {
                    windows.entry(result.subject.id.as_str()).or_default().push((
                        Some(destination.clone()),
                        p.max_age_hours,
                        rule.id.clone(),
                    ));
                }
            }
            _ => {}
        }
    }
    let file_systems: HashMap<&str, &FileSystem> = context
        .inventory
        .accounts
        .values()
        .flat_map(|a| a.file_systems.iter())
        .filter(|fs| fs.planned.is_none())
        .map(|fs| (fs.arn.as_str(), fs))
        .collect();
    let drawn: Vec<(&FileSystem, &Windows)> =
        windows.iter().filter_map(|(arn, w)| file_systems.get(arn).map(|fs| (*fs, w))).collect();
    out.push_str("<section id=\"timelines\"><h2>Backup timelines</h2>\n");
    if drawn.is_empty() {
        out.push_str("<p class=\"muted\">No file system was judged by a backup-recency or cross-region-copy rule.</p></section>\n");
        return;
    }
    out.push_str("<p class=\"muted\">Each lane is a Region. Dots are backups (filled: available; hollow: not available); a copy is drawn at its recovery point (the source backup's creation time). The shaded band is the age the rule allows, ending at <code>--now</code>.</p>\n");
    let built;
    let index = match context.index.filter(|i| i.now == now) {
        Some(index) => index,
        None => {
            built = Index::build(context.inventory, now);
            &built
        }
    };
    for (fs, fs_windows) in drawn.iter().take(TIMELINES) {
        let mut lanes: BTreeMap<String, Lane> = BTreeMap::new();
        let source = fs.region.to_string();
        let own = index.backups_of(fs);
        let lane = lanes.entry(source.clone()).or_insert_with(|| Lane {
            label: format!("{source} (source)"),
            marks: Vec::new(),
            windows: Vec::new(),
        });
        for backup in own.iter().take(MARKS_PER_LANE) {
            lane.marks.push((
                backup.creation_time,
                None,
                backup.lifecycle == crate::inventory::model::BackupLifecycle::Available,
                backup.id.clone(),
            ));
        }
        for copy in index.copies_of(fs).iter().rev().take(MARKS_PER_LANE) {
            let region = copy.backup.region.to_string();
            let lane = lanes.entry(region.clone()).or_insert_with(|| Lane {
                label: region.clone(),
                marks: Vec::new(),
                windows: Vec::new(),
            });
            lane.marks.push((
                copy.recovery_point.unwrap_or(copy.backup.creation_time),
                Some(copy.backup.creation_time),
                copy.backup.lifecycle == crate::inventory::model::BackupLifecycle::Available,
                copy.backup.id.clone(),
            ));
        }
        for (destination, hours, rule) in fs_windows.iter() {
            let region = destination.clone().unwrap_or_else(|| source.clone());
            let lane = lanes.entry(region.clone()).or_insert_with(|| Lane {
                label: region.clone(),
                marks: Vec::new(),
                windows: Vec::new(),
            });
            lane.windows.push((*hours, rule.clone()));
        }
        let longest = fs_windows.iter().map(|(_, h, _)| *h).fold(24.0_f64, f64::max);
        let span_hours = (longest * 3.0).clamp(48.0, 24.0 * 45.0);
        svg(fs, &lanes, now, span_hours, out);
    }
    if drawn.len() > TIMELINES {
        let _ =
            writeln!(out, "<p class=\"muted\">… and {} more file systems (not drawn).</p>", drawn.len() - TIMELINES);
    }
    out.push_str("</section>\n");
}

fn svg(fs: &FileSystem, lanes: &BTreeMap<String, Lane>, now: Timestamp, span_hours: f64, out: &mut Sink<'_>) {
    const WIDTH: f64 = 900.0;
    const LEFT: f64 = 170.0;
    const LANE: f64 = 34.0;
    let plot = WIDTH - LEFT - 20.0;
    let height = LANE * lanes.len() as f64 + 30.0;
    let x = |t: Timestamp| {
        let age = t.hours_until(now).clamp(0.0, span_hours);
        LEFT + plot * (1.0 - age / span_hours)
    };
    let _ = write!(
        out,
        "<figure class=\"timeline\" data-fs=\"{}\"><figcaption><code>{}</code></figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"backups of {}\">",
        escape(&fs.arn),
        escape(&fs.arn),
        escape(&fs.id)
    );
    for (row, lane) in lanes.values().enumerate() {
        let y = 10.0 + LANE * row as f64;
        let middle = y + LANE / 2.0;
        for (hours, rule) in &lane.windows {
            let start = LEFT + plot * (1.0 - (hours / span_hours).min(1.0));
            let _ = write!(
                out,
                "<rect class=\"window\" x=\"{start:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}: recovery point at most {hours} h old</title></rect>",
                y + 4.0,
                LEFT + plot - start,
                LANE - 8.0,
                escape(rule)
            );
        }
        let _ = write!(
            out,
            "<text class=\"lane\" x=\"4\" y=\"{:.1}\">{}</text><line class=\"axis\" x1=\"{LEFT}\" y1=\"{middle:.1}\" x2=\"{:.1}\" y2=\"{middle:.1}\"/>",
            middle + 4.0,
            escape(&lane.label),
            LEFT + plot
        );
        let newest = lane.marks.iter().filter(|m| m.2).map(|m| m.0).max();
        for (at, made, available, id) in &lane.marks {
            let cx = x(*at);
            if let Some(made) = made {
                let _ = write!(
                    out,
                    "<line class=\"copied\" x1=\"{cx:.1}\" y1=\"{middle:.1}\" x2=\"{:.1}\" y2=\"{middle:.1}\"/>",
                    x(*made)
                );
            }
            let _ = write!(
                out,
                "<circle class=\"{}\" cx=\"{cx:.1}\" cy=\"{middle:.1}\" r=\"4\"><title>{}: recovery point {} ({:.1} h old)</title></circle>",
                if *available { "backup" } else { "backup unavailable" },
                escape(id),
                at,
                at.hours_until(now)
            );
        }
        let age =
            newest.map_or_else(|| "no available backup".to_string(), |t| format!("newest {:.1} h", t.hours_until(now)));
        let limits: Vec<String> = lane.windows.iter().map(|(h, _)| format!("limit {h} h")).collect();
        let _ = write!(
            out,
            "<text class=\"age\" x=\"4\" y=\"{:.1}\">{}{}</text>",
            middle + 15.0,
            escape(&age),
            if limits.is_empty() { String::new() } else { format!(" · {}", limits.join(", ")) }
        );
    }
    let axis_y = height - 8.0;
    let _ = write!(
        out,
        "<text class=\"tick\" x=\"{LEFT}\" y=\"{axis_y:.1}\">{span_hours:.0} h before</text><text class=\"tick end\" x=\"{:.1}\" y=\"{axis_y:.1}\" text-anchor=\"end\">{}</text></svg></figure>",
        LEFT + plot,
        now
    );
    out.push('\n');
}

/// Text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root{--fail:#b42318;--error:#b54708;--pass:#067647;--na:#667085;--waived:#175cd3;--bg:#fff;--fg:#101828;--muted:#667085;--line:#eaecf0}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:16px 24px}
h1{margin:0 0 4px}h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;border:1px solid var(--line);padding:8px;border-radius:4px}
.muted{color:var(--muted)}nav a{margin-right:12px}.outcome{font-size:18px;font-weight:600}.outcome.failures{color:var(--fail)}.outcome.undetermined{color:var(--error)}.outcome.compliant{color:var(--pass)}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:110px}.card .n{display:block;font-size:26px;font-weight:700}.card.fail .n{color:var(--fail)}.card.error .n{color:var(--error)}.card.pass .n{color:var(--pass)}.card.waived .n{color:var(--waived)}
.breakdowns{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:#f9fafb}table.breakdown{width:auto}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[aria-sort=ascending]::after{content:" ▲"}table.sortable th[aria-sort=descending]::after{content:" ▼"}
.verdict{font-weight:600}.verdict.fail{color:var(--fail)}.verdict.error{color:var(--error)}.verdict.pass{color:var(--pass)}.verdict.not_applicable{color:var(--na)}
.tag{font-size:11px;border-radius:8px;padding:0 6px;border:1px solid currentColor}.tag.waived{color:var(--waived)}.tag.new{color:#7a2e0e}.tag.known{color:var(--muted)}
tr.hidden{display:none}.controls{display:flex;gap:12px;align-items:center;flex-wrap:wrap}.controls input{min-width:280px}
.warning{color:var(--error)}p.waived{color:var(--waived)}
figure.timeline{margin:12px 0;border:1px solid var(--line);border-radius:6px;padding:6px}figure.timeline svg{width:100%;height:auto}
svg .window{fill:#d1fadf}svg .axis{stroke:#98a2b3}svg .backup{fill:#175cd3}svg .backup.unavailable{fill:#fff;stroke:var(--fail);stroke-width:1.5}svg .copied{stroke:#98a2b3;stroke-dasharray:3 2}svg text{font:11px system-ui,sans-serif;fill:var(--fg)}svg .age,svg .tick{fill:var(--muted)}
@media print{nav,.controls{display:none}body{max-width:none;padding:0}tr.hidden{display:table-row}section{break-inside:auto}figure.timeline,article.rule{break-inside:avoid}a{color:inherit}}
"#;

const SCRIPT: &str = r#"
(function(){
  var filter=document.getElementById('filter'),verdict=document.getElementById('verdict'),shown=document.getElementById('shown');
  var rows=Array.prototype.slice.call(document.querySelectorAll('#results-table tbody tr'));
  function apply(){
    var q=(filter.value||'').toLowerCase(),v=verdict.value,n=0;
    rows.forEach(function(r){
      var d=r.getAttribute('data-verdict'),w=r.getAttribute('data-waived')==='1';
      var ok=(!v||(v==='waived'?w:(v==='failing'?(d==='fail'||d==='error'):d===v)))&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);
      r.classList.toggle('hidden',!ok);if(ok)n++;
    });
    shown.textContent=n+' of '+rows.length+' shown';shown.setAttribute('data-shown',n);
  }
  filter.addEventListener('input',apply);verdict.addEventListener('change',apply);
  var params=new URLSearchParams(location.hash.slice(1));
  if(params.get('verdict'))verdict.value=params.get('verdict');
  if(params.get('q'))filter.value=params.get('q');
  apply();
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(table){
    Array.prototype.forEach.call(table.querySelectorAll('th'),function(th,col){
      th.addEventListener('click',function(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(table.querySelectorAll('th'),function(o){o.removeAttribute('aria-sort')});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var body=table.tBodies[0],list=Array.prototype.slice.call(body.rows);
        var key=function(r){var c=r.cells[col];return c.hasAttribute('data-rank')?Number(c.getAttribute('data-rank')):c.textContent.trim().toLowerCase()};
        list.sort(function(a,b){var x=key(a),y=key(b);return (x<y?-1:x>y?1:0)*(asc?1:-1)});
        list.forEach(function(r){body.appendChild(r)});
      });
    });
  });
  window.addEventListener('beforeprint',function(){Array.prototype.forEach.call(document.querySelectorAll('details'),function(d){d.open=true})});
})();
"#;
