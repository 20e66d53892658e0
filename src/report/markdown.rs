//! `--format markdown`: to stdout, a pull-request comment cut to fit GitHub's 65,536 characters
//! (summary, then the worst findings, then "and N more"); to a file (`markdown=FILE`), the whole
//! audit document: summary with breakdowns, the run and its inputs, waivers, warnings, the
//! baseline, then each rule with its text from the policy and every result with its evidence.

use std::fmt::Write as _;

use super::{Breakdown, Context, Counts, Sink};
use crate::engine::{RuleResult, Verdict};

/// GitHub refuses a comment longer than this (characters).
pub const COMMENT_LIMIT: usize = 65_536;
/// Room kept under the limit for the closing lines.
const COMMENT_MARGIN: usize = 1_500;

pub fn render(context: &Context<'_>, full: bool) -> String {
    super::to_string(|out| write(context, full, out)).unwrap_or_default()
}

/// The whole audit document (`full`), streamed into `out`, or the pull-request comment (at
/// most 65,536 characters, built whole to measure it).
pub fn write(context: &Context<'_>, full: bool, out: &mut dyn std::io::Write) -> Result<(), crate::Error> {
    if full {
        document(context, out)
    } else {
        out.write_all(comment(context).as_bytes())
            .map_err(|e| crate::Error::Output { path: "the Markdown comment".into(), reason: e.to_string() })
    }
}

/// The pull-request comment.
fn comment(context: &Context<'_>) -> String {
    let mut head = Sink::string();
    headline(context, "##", &mut head);
    counts_table(context, &mut head);
    run_line(context, &mut head);
    let mut out = head.into_string();
    let worst = context.worst_first();
    let mut tail = Sink::string();
    gate_notes(context, &mut tail);
    let tail = tail.into_string();
    if worst.is_empty() {
        out.push_str("\nNo failures and no undecided results.\n");
        out.push_str(&tail);
        return out;
    }
    out.push_str(
        "\n### Worst findings\n\n| verdict | rule | severity | resource | message |\n| --- | --- | --- | --- | --- |\n",
    );
    let budget = COMMENT_LIMIT.saturating_sub(COMMENT_MARGIN + tail.chars().count());
    let mut used = out.chars().count();
    let mut shown = 0usize;
    for result in &worst {
        let row = finding_row(context, result);
        let length = row.chars().count();
        if used + length > budget {
            break;
        }
        used += length;
        out.push_str(&row);
        shown += 1;
    }
    if shown < worst.len() {
        let _ = writeln!(
            out,
            "\n_… and {} more: write the whole report with `--format markdown=FILE` or `--format html=FILE`._",
            worst.len() - shown
        );
    }
    out.push_str(&tail);
    out
}

/// The whole audit document.
fn document(context: &Context<'_>, out: &mut dyn std::io::Write) -> Result<(), crate::Error> {
    let report = context.report;
    let mut out = Sink::new(out);
    headline(context, "#", &mut out);
    out.push_str("\n## Summary\n");
    counts_table(context, &mut out);
    let breakdown = Breakdown::of(context);
    for (title, rows) in [
        ("severity", breakdown.by_severity.iter().map(|(k, v)| (k.to_string(), *v)).collect::<Vec<_>>()),
        ("account", breakdown.by_account.iter().map(|(k, v)| (k.clone(), *v)).collect()),
        ("Region", breakdown.by_region.iter().map(|(k, v)| (k.clone(), *v)).collect()),
    ] {
        let _ = writeln!(
            out,
            "\n| {title} | pass | fail | error | not applicable | waived |\n| --- | --- | --- | --- | --- | --- |"
        );
        for (name, c) in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&name),
                c.pass,
                c.fail,
                c.error,
                c.not_applicable,
                c.waived
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{} file systems, {} accounts, {} Regions judged.",
        report.file_systems, report.accounts, report.regions
    );

    out.push_str("\n## Run\n\n| | |\n| --- | --- |\n");
    for (name, value) in context.run_facts() {
        let _ = writeln!(out, "| {} | {} |", cell(name), cell(&value));
    }
    inputs_table(context, &mut out);
    gate_notes(context, &mut out);

    out.push_str("\n## Rules\n");
    let mut by_rule: Vec<Vec<&RuleResult>> = vec![Vec::new(); context.policies.rules.len()];
    for result in &report.results {
        if let Some(list) = by_rule.get_mut(result.rule) {
            list.push(result);
        }
    }
    for (rule, results) in context.policies.rules.iter().zip(by_rule) {
        let mut counts = Counts::default();
        for result in &results {
            counts.add(result);
        }
        let _ = writeln!(out, "\n### {}\n", cell(&rule.id));
        if let Some(description) = &rule.description {
            let _ = writeln!(out, "{}\n", cell(description));
        }
        let place = context.rule_position(rule).map(|p| format!("{}:{}", p.path, p.line)).unwrap_or_default();
        let _ = writeln!(
            out,
            "`{}` · severity **{}** · {} pass, {} fail, {} error, {} not applicable · `{}`\n",
            rule.kind.name(),
            rule.severity.as_str(),
            counts.pass,
            counts.fail,
            counts.error,
            counts.not_applicable,
            place
        );
        if let Some((_, snippet)) = context.policies.rule_snippet(rule) {
            let fence = fence_for(&snippet);
            let _ = writeln!(
                out,
                "<details><summary>Rule as written</summary>\n\n{fence}yaml\n{snippet}\n{fence}\n\n</details>\n"
            );
        }
        if results.is_empty() {
            out.push_str("_No resource selected._\n");
            continue;
        }
        out.push_str("| verdict | resource | account | Region | message |\n| --- | --- | --- | --- | --- |\n");
        for result in &results {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} |",
                mark(result),
                code(&result.subject.id),
                result.subject.account.as_deref().unwrap_or("—"),
                result.subject.region.as_deref().unwrap_or("—"),
                cell(&result.message)
            );
        }
        let failing: Vec<&&RuleResult> = results.iter().filter(|r| crate::gate::failing(r)).collect();
        if !failing.is_empty() {
            out.push_str("\n**Evidence**\n\n");
        }
        for result in failing {
            let _ = writeln!(out, "- {} `{}`: {}", mark(result), code(&result.subject.id), cell(&result.message));
            for line in result.evidence.details() {
                let _ = writeln!(out, "  - {}", cell(&line));
            }
            if let Some(waiver) = context.waiver(result) {
                let _ = writeln!(
                    out,
                    "  - waived until {} by {}: {}",
                    waiver.expires,
                    cell(&waiver.owner),
                    cell(&waiver.reason)
                );
            }
            let evidence = serde_json::to_string_pretty(&result.evidence.value()).unwrap_or_default();
            let fence = fence_for(&evidence);
            let _ = writeln!(
                out,
                "\n  <details><summary>evidence</summary>\n\n  {fence}json\n{}\n  {fence}\n\n  </details>\n",
                evidence.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
            );
        }
    }
    out.finish("the Markdown report")
}

fn headline(context: &Context<'_>, level: &str, out: &mut Sink<'_>) {
    let run = context.run;
    let s = context.report.summary;
    let (icon, words) = match run.outcome {
        crate::Outcome::Compliant => ("✅", "compliant".to_string()),
        crate::Outcome::Failures => ("❌", format!("{} failure(s), {} undecided", s.fail, s.error)),
        crate::Outcome::Undetermined => ("⚠️", format!("{} result(s) could not be decided", s.error)),
    };
    let _ = writeln!(out, "{level} {icon} fsx-guard: {words} (exit {})", run.exit_code());
}

fn counts_table(context: &Context<'_>, out: &mut Sink<'_>) {
    let s = context.report.summary;
    let _ = writeln!(
        out,
        "\n| ✅ pass | ❌ fail | ⚠️ error | ➖ not applicable | 💤 waived |\n| --- | --- | --- | --- | --- |\n| {} | {} | {} | {} | {} |",
        s.pass, s.fail, s.error, s.not_applicable, context.run.gate.waived
    );
}

/// One line: the clocks, `--fail-on` and the inputs with short hashes.
fn run_line(context: &Context<'_>, out: &mut Sink<'_>) {
    let run = context.run;
    let inputs: Vec<String> = run
        .inputs
        .iter()
        .take(10)
        .map(|i| format!("`{}` ({}, sha256 `{}`)", code(&i.path), i.kind, i.sha256.get(..12).unwrap_or(&i.sha256)))
        .collect();
    let more = run.inputs.len().saturating_sub(10);
    let _ = writeln!(
        out,
        "\nEvaluated at {} (run {}), `--fail-on {}`, fsx-guard {}. Inputs: {}{}.",
        context.report.evaluated_at,
        run.generated_at,
        run.fail_on.as_str(),
        env!("CARGO_PKG_VERSION"),
        if inputs.is_empty() { "none".to_string() } else { inputs.join(", ") },
        if more > 0 { format!(" and {more} more") } else { String::new() }
    );
}

fn inputs_table(context: &Context<'_>, out: &mut Sink<'_>) {
    out.push_str("\n## Inputs\n\n| path | kind | SHA-256 |\n| --- | --- | --- |\n");
    for input in &context.run.inputs {
        let _ = writeln!(out, "| `{}` | {} | `{}` |", code(&input.path), input.kind, input.sha256);
    }
}

/// Waivers, warnings and the baseline: in the comment and the document alike.
fn gate_notes(context: &Context<'_>, out: &mut Sink<'_>) {
    let gate = &context.run.gate;
    let waivers = context.waiver_entries();
    if !waivers.is_empty() {
        out.push_str("\n### Waivers\n\n| rule | resource | owner | expires | status | matched | reason |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for w in &waivers {
            let text = |k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} | {} | {} |",
                code(&text("rule")),
                code(&text("resource")),
                cell(&text("owner")),
                text("expires"),
                text("status"),
                w.get("matched").and_then(serde_json::Value::as_u64).unwrap_or(0),
                cell(&text("reason"))
            );
        }
    }
    if !gate.warnings.is_empty() {
        out.push_str("\n### Warnings\n\n");
        for warning in &gate.warnings {
            let _ = writeln!(out, "- ⚠️ {}", cell(warning));
        }
    }
    if let Some(path) = &gate.baseline_path {
        let _ = writeln!(
            out,
            "\n### Baseline\n\nAgainst `{}`: **{} new**, {} already there, **{} fixed**.",
            code(path),
            gate.new,
            gate.unchanged,
            gate.fixed.len()
        );
        if !gate.fixed.is_empty() {
            out.push_str("\n| fixed | rule | resource | was | now |\n| --- | --- | --- | --- | --- |\n");
            for fixed in gate.fixed.iter().take(100) {
                let _ = writeln!(
                    out,
                    "| ✅ | {} | `{}` | {} | {} |",
                    cell(&fixed.rule_id),
                    code(&fixed.resource),
                    fixed.was,
                    fixed.now
                );
            }
            if gate.fixed.len() > 100 {
                let _ = writeln!(out, "\n_… and {} more fixed._", gate.fixed.len() - 100);
            }
        }
    }
}

fn finding_row(context: &Context<'_>, result: &RuleResult) -> String {
    let (id, severity) = context.rule(result).map_or(("?", "?"), |r| (r.id.as_str(), r.severity.as_str()));
    format!(
        "| {} | {} | {} | `{}` | {} |\n",
        mark(result),
        cell(id),
        severity,
        code(&result.subject.id),
        cell(&result.message)
    )
}

fn mark(result: &RuleResult) -> String {
    let verdict = match result.verdict {
        Verdict::Pass => "✅ pass",
        Verdict::Fail => "❌ fail",
        Verdict::Error => "⚠️ error",
        Verdict::NotApplicable => "➖ n/a",
    };
    let mut text = verdict.to_string();
    if result.waived.is_some() {
        text.push_str(" 💤 waived");
    }
    match result.baseline {
        Some(crate::gate::BaselineState::New) => text.push_str(" 🆕 new"),
        Some(crate::gate::BaselineState::Unchanged) => text.push_str(" (in baseline)"),
        None => {}
    }
    text
}

/// Text for a table cell: one line, with `|` escaped and HTML inert (GitHub renders HTML).
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span in a table cell: no backticks (they would end it), `|` escaped.
fn code(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '`' => "'".to_string(),
            '|' => "\\|".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// A code fence longer than any run of backticks in the text.
fn fence_for(text: &str) -> String {
    let mut longest = 0usize;
    let mut run = 0usize;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_stay_in_their_column_and_html_stays_text() {
        assert_eq!(cell("a|b\nc <script>&"), "a\\|b c &lt;script&gt;&amp;");
        assert_eq!(code("fs-`x`|y"), "fs-'x'\\|y");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
