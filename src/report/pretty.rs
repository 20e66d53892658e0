//! `--format pretty`: for people at a terminal. Grouped by resource; each failure with its
//! rule, severity and message; each failing rule's text from its policy file once, after the
//! findings; warnings, the baseline's news and a summary line.
//!
//! More than [`COMPACT_OVER`] findings (or `--compact`) gives one line per finding. Colour and
//! Unicode marks only on a terminal (or with `FORCE_COLOR`/`CLICOLOR_FORCE`), plain ASCII
//! otherwise, as miette does for diagnostics; long lines wrapped to the terminal's width.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use owo_colors::{OwoColorize, Style};

use super::{Context, Sink};
use crate::diag::terminal_safe;
use crate::engine::{RuleResult, Verdict};

/// Lines of a rule's policy text shown in the rules section.
const SNIPPET_LINES: usize = 12;
/// Past this many findings the report is one line per finding unless `--compact=false`.
pub const COMPACT_OVER: usize = 100;
/// Fixed findings listed one by one after a baseline run; the rest are counted.
const FIXED_LISTED: usize = 20;

struct Paint {
    color: bool,
    unicode: bool,
}

impl Paint {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color { text.style(style).to_string() } else { text.to_string() }
    }

    fn mark(&self, verdict: Verdict) -> (&'static str, Style) {
        match (verdict, self.unicode) {
            (Verdict::Fail, true) => ("✗ fail ", Style::new().red().bold()),
            (Verdict::Fail, false) => ("x fail ", Style::new().red().bold()),
            (Verdict::Error, _) => ("? error", Style::new().yellow().bold()),
            (Verdict::Pass, true) => ("✓ pass ", Style::new().green()),
            (Verdict::Pass, false) => ("+ pass ", Style::new().green()),
            (Verdict::NotApplicable, _) => ("- n/a  ", Style::new().dimmed()),
        }
    }

    fn bar(&self) -> &'static str {
        if self.unicode { "│" } else { "|" }
    }
}

pub fn render(context: &Context<'_>, color: bool) -> String {
    super::to_string(|out| write(context, color, out)).unwrap_or_default()
}

/// The report into `out`, resource by resource as it is produced.
pub fn write(context: &Context<'_>, color: bool, out: &mut dyn std::io::Write) -> Result<(), crate::Error> {
    let paint = Paint { color, unicode: color };
    let report = context.report;
    let shown = |r: &&RuleResult| matches!(r.verdict, Verdict::Fail | Verdict::Error) || context.include_passed;
    let mut by_resource: BTreeMap<&str, Vec<&RuleResult>> = BTreeMap::new();
    for result in report.results.iter().filter(shown) {
        by_resource.entry(result.subject.id.as_str()).or_default().push(result);
    }
    let findings: usize = by_resource.values().map(Vec::len).sum();
    let compact = context.compact.unwrap_or(findings > COMPACT_OVER);
    let mut out = Sink::new(out);
    if compact {
        compact_lines(context, &paint, &by_resource, &mut out);
    } else {
        full(context, &paint, &by_resource, &mut out);
    }
    if by_resource.is_empty() {
        let _ = writeln!(out, "{}\n", paint.paint("No failures.", Style::new().green().bold()));
    } else {
        rules_section(context, &paint, &by_resource, compact, &mut out);
    }
    closing(context, &paint, findings, compact, &mut out);
    out.finish("the pretty report")
}

/// A resource, then each of its results with details.
fn full(context: &Context<'_>, paint: &Paint, by_resource: &BTreeMap<&str, Vec<&RuleResult>>, out: &mut Sink<'_>) {
    let positions = context.positions(by_resource.values().flatten().copied());
    for (resource, results) in by_resource {
        let place = results
            .first()
            .and_then(|r| r.subject.origin.as_ref())
            .and_then(|o| positions.get(o))
            .map(|p| format!("  ({}:{}:{})", p.path, p.line, p.column))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{}",
            paint.paint(&terminal_safe(resource), Style::new().bold()),
            paint.paint(&place, Style::new().dimmed())
        );
        for result in results {
            let Some(rule) = context.rule(result) else { continue };
            let (mark, style) = paint.mark(result.verdict);
            let head = format!("  {mark} {} [{}] ", rule.id, rule.severity.as_str());
            let message = terminal_safe(&result.message);
            let lines = wrap(&message, context.width, head.chars().count(), 6);
            let _ = writeln!(
                out,
                "  {} {} [{}]{} {}",
                paint.paint(mark, style),
                paint.paint(&rule.id, Style::new().bold()),
                rule.severity.as_str(),
                tag(result, paint),
                lines.first().map_or("", String::as_str)
            );
            for line in lines.iter().skip(1) {
                let _ = writeln!(out, "      {line}");
            }
            if let Some(waiver) = context.waiver(result) {
                let text = format!(
                    "waived until {} by {}: {}",
                    waiver.expires,
                    terminal_safe(&waiver.owner),
                    terminal_safe(&waiver.reason)
                );
                for line in wrap(&text, context.width, 6, 6) {
                    let _ = writeln!(out, "      {}", paint.paint(&line, Style::new().cyan()));
                }
            }
            // Rule kinds with several parts (destinations, copies) list them one per line.
            let details = if matches!(result.verdict, Verdict::Fail | Verdict::Error) {
                result.evidence.details()
            } else {
                Vec::new()
            };
            if details.len() > 1 {
                for line in &details {
                    let text = format!("· {}", terminal_safe(line));
                    let text = if paint.unicode { text } else { text.replacen('·', "-", 1) };
                    for line in wrap(&text, context.width, 6, 8) {
                        let _ = writeln!(out, "      {}", paint.paint(&line, Style::new().dimmed()));
                    }
                }
            }
        }
        out.push('\n');
    }
}

/// One line per finding: mark, rule, severity, resource, message.
fn compact_lines(
    context: &Context<'_>,
    paint: &Paint,
    by_resource: &BTreeMap<&str, Vec<&RuleResult>>,
    out: &mut Sink<'_>,
) {
    for result in by_resource.values().flatten() {
        let Some(rule) = context.rule(result) else { continue };
        let (mark, style) = paint.mark(result.verdict);
        let _ = writeln!(
            out,
            "{} {} [{}]{} {} {}",
            paint.paint(mark, style),
            paint.paint(&rule.id, Style::new().bold()),
            rule.severity.as_str(),
            tag(result, paint),
            terminal_safe(&result.subject.id),
            terminal_safe(&result.message)
        );
    }
    out.push('\n');
}

/// ` (waived)`, ` (new)`, ` (known)`: how a result stands with the gate.
fn tag(result: &RuleResult, paint: &Paint) -> String {
    let mut tags = Vec::new();
    if result.waived.is_some() {
        tags.push(paint.paint("waived", Style::new().cyan().bold()));
    }
    match result.baseline {
        Some(crate::gate::BaselineState::New) => tags.push(paint.paint("new", Style::new().magenta().bold())),
        Some(crate::gate::BaselineState::Unchanged) => tags.push(paint.paint("in baseline", Style::new().dimmed())),
        None => {}
    }
    if tags.is_empty() { String::new() } else { format!(" ({})", tags.join(", ")) }
}

/// Each rule that failed or errored, once: its text from its policy file (compact: its place).
fn rules_section(
    context: &Context<'_>,
    paint: &Paint,
    by_resource: &BTreeMap<&str, Vec<&RuleResult>>,
    compact: bool,
    out: &mut Sink<'_>,
) {
    let mut rules: Vec<usize> = by_resource
        .values()
        .flatten()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .map(|r| r.rule)
        .collect();
    rules.sort_unstable();
    rules.dedup();
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint.paint("Rules with findings:", Style::new().bold()));
    for index in rules {
        let Some(rule) = context.policies.rules.get(index) else { continue };
        let path = context.policies.source_of(rule).map_or("", |s| s.path.as_str());
        let Some((line, snippet)) = context.policies.rule_snippet(rule) else { continue };
        if compact {
            let _ = writeln!(
                out,
                "  {} {}",
                paint.paint(&rule.id, Style::new().bold()),
                paint.paint(&format!("{path}:{line}"), Style::new().dimmed())
            );
            continue;
        }
        let corner = if paint.unicode { "╭─" } else { "+-" };
        let _ = writeln!(
            out,
            "  {} {}",
            paint.paint(&rule.id, Style::new().bold()),
            paint.paint(&format!("{corner}[{path}:{line}]"), Style::new().dimmed())
        );
        let lines: Vec<&str> = snippet.lines().collect();
        for (i, text) in lines.iter().take(SNIPPET_LINES).enumerate() {
            let number = format!("{:>4} {}", line + i, paint.bar());
            let _ = writeln!(out, "  {} {}", paint.paint(&number, Style::new().dimmed()), terminal_safe(text));
        }
        if lines.len() > SNIPPET_LINES {
            let _ = writeln!(out, "       {}", paint.paint(&format!("{} …", paint.bar()), Style::new().dimmed()));
        }
    }
    out.push('\n');
}

/// Warnings, the baseline's news, the summary line.
fn closing(context: &Context<'_>, paint: &Paint, findings: usize, compact: bool, out: &mut Sink<'_>) {
    let report = context.report;
    let gate = &context.run.gate;
    for warning in &gate.warnings {
        let _ = writeln!(out, "{} {}", paint.paint("warning:", Style::new().yellow().bold()), terminal_safe(warning));
    }
    if !gate.warnings.is_empty() {
        out.push('\n');
    }
    if let Some(path) = &gate.baseline_path {
        let _ = writeln!(
            out,
            "{} {} new, {} already in `{}`, {} fixed",
            paint.paint("Baseline:", Style::new().bold()),
            gate.new,
            gate.unchanged,
            terminal_safe(path),
            gate.fixed.len()
        );
        for fixed in gate.fixed.iter().take(FIXED_LISTED) {
            let mark = if paint.unicode { "✓ fixed" } else { "+ fixed" };
            let _ = writeln!(
                out,
                "  {} {} {} (was {}, now {})",
                paint.paint(mark, Style::new().green()),
                paint.paint(&fixed.rule_id, Style::new().bold()),
                terminal_safe(&fixed.resource),
                fixed.was,
                fixed.now.replace('_', " ")
            );
        }
        if gate.fixed.len() > FIXED_LISTED {
            let _ = writeln!(out, "  … and {} more fixed", gate.fixed.len() - FIXED_LISTED);
        }
        out.push('\n');
    }
    if compact && context.compact.is_none() {
        let _ = writeln!(
            out,
            "{}",
            paint.paint(
                &format!("{findings} findings, one line each (--compact=false for the full form; --format html=FILE for an audit report)"),
                Style::new().dimmed()
            )
        );
    }
    let s = report.summary;
    let mut counts =
        format!("{} pass, {} fail, {} error, {} not applicable", s.pass, s.fail, s.error, s.not_applicable);
    if gate.waived > 0 {
        let _ = write!(counts, ", {} waived", gate.waived);
    }
    let counts_style = if s.fail > 0 {
        Style::new().red().bold()
    } else if s.error > 0 {
        Style::new().yellow().bold()
    } else {
        Style::new().green().bold()
    };
    let dot = if paint.unicode { "·" } else { "|" };
    let _ = writeln!(
        out,
        "{} {} {dot} {} file systems {dot} {} accounts {dot} {} regions {dot} evaluated at {} {dot} {} ms {dot} exit {}",
        paint.paint("Summary:", Style::new().bold()),
        paint.paint(&counts, counts_style),
        report.file_systems,
        report.accounts,
        report.regions,
        report.evaluated_at,
        report.elapsed.as_millis(),
        context.run.exit_code()
    );
}

/// Word-wraps `text` so that the first line fits after `first_used` columns and the others after
/// `indent`; without a width, one line. A word longer than a line stays whole (an ARN).
fn wrap(text: &str, width: Option<usize>, first_used: usize, indent: usize) -> Vec<String> {
    let Some(width) = width else { return vec![text.to_string()] };
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut room = width.saturating_sub(first_used).max(20);
    for word in text.split(' ') {
        let used = line.chars().count();
        let needed = word.chars().count() + usize::from(used > 0);
        if used > 0 && used + needed > room {
            lines.push(std::mem::take(&mut line));
            room = width.saturating_sub(indent).max(20);
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_words_whole_and_indents_the_rest() {
        assert_eq!(wrap("a b c", None, 0, 0), vec!["a b c"]);
        let lines = wrap("the newest backup is 50.0 hours old, over the 26 hours allowed", Some(40), 10, 6);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.first().is_some_and(|l| l.chars().count() <= 30), "{lines:?}");
        assert!(lines.iter().skip(1).all(|l| l.chars().count() <= 34), "{lines:?}");
        assert_eq!(lines.join(" "), "the newest backup is 50.0 hours old, over the 26 hours allowed");
        let arn = "arn:aws:fsx:us-east-1:111122223333:file-system/fs-0123456789abcdef0";
        assert_eq!(wrap(arn, Some(40), 10, 6), vec![arn]);
    }
}
