//! `--format pretty`: for people at a terminal. Grouped by resource; each failure with its
//! rule, severity, message and the rule's text from its policy file; a summary line.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use owo_colors::{OwoColorize, Style};

use super::Context;
use crate::diag::terminal_safe;
use crate::engine::{RuleResult, Verdict};

/// Lines of a rule's policy text shown under a failure.
const SNIPPET_LINES: usize = 12;

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, text: &str, style: Style) -> String {
        if self.color { text.style(style).to_string() } else { text.to_string() }
    }
}

pub fn render(context: &Context<'_>, color: bool) -> String {
    let paint = Paint { color };
    let report = context.report;
    let shown = |r: &&RuleResult| matches!(r.verdict, Verdict::Fail | Verdict::Error) || context.include_passed;
    let mut by_resource: BTreeMap<&str, Vec<&RuleResult>> = BTreeMap::new();
    for result in report.results.iter().filter(shown) {
        by_resource.entry(result.subject.id.as_str()).or_default().push(result);
    }
    let positions = context.positions(by_resource.values().flatten().copied());

    let mut out = String::new();
    for (resource, results) in &by_resource {
        let first = results.first().map(|r| &r.subject);
        let place = first
            .and_then(|s| s.origin.as_ref())
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
            let (mark, style) = match result.verdict {
                Verdict::Fail => ("✗ fail ", Style::new().red().bold()),
                Verdict::Error => ("? error", Style::new().yellow().bold()),
                Verdict::Pass => ("✓ pass ", Style::new().green()),
                Verdict::NotApplicable => ("- n/a  ", Style::new().dimmed()),
            };
            let _ = writeln!(
                out,
                "  {} {} [{}] {}",
                paint.paint(mark, style),
                paint.paint(&rule.id, Style::new().bold()),
                rule.severity.as_str(),
                terminal_safe(&result.message)
            );
            // Rule kinds with several parts (destinations, copies) list them one per line.
            let details = result.evidence.get("details").and_then(|d| d.as_array());
            if matches!(result.verdict, Verdict::Fail | Verdict::Error) && details.is_some_and(|d| d.len() > 1) {
                for line in details.into_iter().flatten().filter_map(|d| d.as_str()) {
                    let line = terminal_safe(line);
                    let _ = writeln!(out, "      {}", paint.paint(&format!("· {line}"), Style::new().dimmed()));
                }
            }
            if matches!(result.verdict, Verdict::Fail | Verdict::Error)
                && let Some((line, snippet)) = context.policies.rule_snippet(rule)
            {
                let path = context.policies.source_of(rule).map_or("", |s| s.path.as_str());
                let _ = writeln!(out, "      {}", paint.paint(&format!("╭─[{path}:{line}]"), Style::new().dimmed()));
                let lines: Vec<&str> = snippet.lines().collect();
                for (i, text) in lines.iter().take(SNIPPET_LINES).enumerate() {
                    let number = format!("{:>4} │", line + i);
                    let _ = writeln!(out, "  {} {text}", paint.paint(&number, Style::new().dimmed()));
                }
                if lines.len() > SNIPPET_LINES {
                    let _ = writeln!(out, "       {}", paint.paint("│ …", Style::new().dimmed()));
                }
            }
        }
        out.push('\n');
    }
    if by_resource.is_empty() {
        let _ = writeln!(out, "{}\n", paint.paint("No failures.", Style::new().green().bold()));
    }
    let s = report.summary;
    let counts = format!("{} pass, {} fail, {} error, {} not applicable", s.pass, s.fail, s.error, s.not_applicable);
    let counts_style = if s.fail > 0 {
        Style::new().red().bold()
    } else if s.error > 0 {
        Style::new().yellow().bold()
    } else {
        Style::new().green().bold()
    };
    let _ = writeln!(
        out,
        "{} {} · {} file systems · {} accounts · {} regions · evaluated at {} · {} ms",
        paint.paint("Summary:", Style::new().bold()),
        paint.paint(&counts, counts_style),
        report.file_systems,
        report.accounts,
        report.regions,
        report.evaluated_at,
        report.elapsed.as_millis()
    );
    out
}
