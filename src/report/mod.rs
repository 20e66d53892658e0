//! Reporters: one file per format. Each only renders a `Report`; none evaluates anything.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod pretty;
pub mod sarif;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::{FailOn, SarifLocation};
use crate::engine::{Report, RuleResult};
use crate::gate::Gate;
use crate::inventory::{Inventory, Origin, Timestamp};
use crate::policy::{PolicySet, Rule};
use crate::rules::RuleKind;
use crate::{Error, Outcome};

/// Report formats (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Pretty,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [(Format, &'static str); 6] = [
        (Format::Pretty, "pretty"),
        (Format::Json, "json"),
        (Format::Sarif, "sarif"),
        (Format::Junit, "junit"),
        (Format::Markdown, "markdown"),
        (Format::Html, "html"),
    ];
}

/// Parses `--format FMT[=PATH]` options; default `pretty` to stdout. Two to stdout is an error.
/// A path as it can be compared with another: canonical when it exists (links, `..`), else
/// absolute with its parent made canonical.
pub fn comparable(path: &std::path::Path) -> PathBuf {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent().map(std::fs::canonicalize), absolute.file_name()) {
        (Some(Ok(parent)), Some(name)) => parent.join(name),
        _ => absolute,
    }
}

/// Writes `text` to `path` whole or not at all: a temporary file beside it, then a rename, so a
/// full disk or a crash never leaves half a report where the last good one was.
pub fn write_atomically(path: &std::path::Path, text: &str) -> Result<(), Error> {
    write_atomically_with(path, |out| {
        out.write_all(text.as_bytes())
            .map_err(|e| Error::Output { path: path.display().to_string(), reason: e.to_string() })
    })
}

/// As [`write_atomically`], with the content written by `write` into the temporary file as it
/// is produced (a report of 100,000 results is never one string).
pub fn write_atomically_with(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), Error>,
) -> Result<(), Error> {
    let failed = |reason: String| Error::Output { path: path.display().to_string(), reason };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let temporary = path.with_file_name(format!(".{name}.fsx-guard-{}.tmp", std::process::id()));
    let file = std::fs::File::create(&temporary)
        .map_err(|e| failed(format!("{e}; the previous file, if any, is unchanged")))?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, file);
    let written = write(&mut buffered).and_then(|()| {
        let file = buffered.into_inner().map_err(|e| failed(e.error().to_string()))?;
        file.sync_all().map_err(|e| failed(e.to_string()))
    });
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path).map_err(|e| failed(e.to_string())));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&temporary);
        return Err(match e {
            Error::Output { path, reason } => {
                Error::Output { path, reason: format!("{reason}; the previous file, if any, is unchanged") }
            }
            other => other,
        });
    }
    Ok(())
}

pub fn parse_formats(options: &[String]) -> Result<Vec<(Format, Option<PathBuf>)>, Error> {
    if options.is_empty() {
        return Ok(vec![(Format::Pretty, None)]);
    }
    let mut formats = Vec::new();
    for option in options {
        let (name, path) = match option.split_once('=') {
            // `FMT=-` is stdout, as in most tools.
            Some((name, "-")) => (name, None),
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some((name, _)) => {
                return Err(Error::Usage {
                    message: format!("`--format {option}` names no file after `=`"),
                    help: Some(format!("write `--format {name}` for stdout or `--format {name}=PATH`")),
                });
            }
            None => (option.as_str(), None),
        };
        let Some((format, _)) = Format::ALL.iter().find(|(_, n)| *n == name) else {
            let names: Vec<&str> = Format::ALL.iter().map(|(_, n)| *n).collect();
            let hint = crate::suggest::closest(name, names.iter().copied())
                .map_or_else(String::new, |near| format!("did you mean `{near}`? "));
            return Err(Error::Usage {
                message: format!("unknown report format `{name}`"),
                help: Some(format!("{hint}formats: {}", names.join(", "))),
            });
        };
        formats.push((*format, path));
    }
    let mut seen: Vec<(PathBuf, &str)> = Vec::new();
    for ((format, path), option) in formats.iter().zip(options) {
        let Some(path) = path else { continue };
        let key = comparable(path);
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == key) {
            return Err(Error::Usage {
                message: format!("`--format {option}` and `--format {first}` write the same file"),
                help: Some("give each report its own file".into()),
            });
        }
        let _ = format;
        seen.push((key, option));
    }
    if formats.iter().filter(|(_, path)| path.is_none()).count() > 1 {
        return Err(Error::Usage {
            message: "two report formats cannot both go to stdout".into(),
            help: Some("send all but one to files: `--format pretty --format sarif=results.sarif`".into()),
        });
    }
    Ok(formats)
}

/// One input of a run, as every report lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Input {
    pub path: String,
    /// `policy`, `inventory`, `waivers` or `baseline`.
    pub kind: &'static str,
    pub sha256: String,
}

impl Input {
    pub fn new(path: &str, kind: &'static str, text: &str) -> Input {
        Input::hashed(path, kind, crate::inventory::source::sha256_hex(text.as_bytes()))
    }

    pub fn hashed(path: &str, kind: &'static str, sha256: String) -> Input {
        Input { path: path.to_string(), kind, sha256 }
    }
}

/// What a run was: its inputs, its clock, its gate, its outcome (SPEC §6: every report states
/// them).
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub inputs: Vec<Input>,
    /// The real clock when the run started (`--now` is `Report::evaluated_at`).
    pub generated_at: Timestamp,
    pub fail_on: FailOn,
    pub outcome: Outcome,
    /// `sts:GetCallerIdentity` of a live run: account, arn, user_id.
    pub caller: Option<serde_json::Value>,
    /// Regions a live run read.
    pub regions_read: Vec<String>,
    pub gate: Gate,
    /// `--rule` and `--severity` as given, when the run judged only some rules.
    pub filters: Vec<String>,
}

impl RunInfo {
    /// A run of nothing but a report (tests, benches): no inputs, compliant.
    pub fn bare(report: &Report) -> RunInfo {
        RunInfo {
            inputs: Vec::new(),
            generated_at: report.evaluated_at,
            fail_on: FailOn::Error,
            outcome: Outcome::Compliant,
            caller: None,
            regions_read: Vec::new(),
            gate: Gate::default(),
            filters: Vec::new(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        self.outcome.code()
    }
}

/// Settings of the SARIF report.
#[derive(Debug, Clone)]
pub struct SarifOptions {
    pub category: Option<String>,
    /// Artifact URIs are relative to it (absolute, lexically normalised).
    pub source_root: PathBuf,
    pub location: SarifLocation,
}

impl Default for SarifOptions {
    fn default() -> Self {
        SarifOptions {
            category: None,
            source_root: std::env::current_dir().unwrap_or_default(),
            location: SarifLocation::Auto,
        }
    }
}

/// What reporters read.
pub struct Context<'a> {
    pub report: &'a Report,
    pub policies: &'a PolicySet,
    pub inventory: &'a Inventory,
    pub include_passed: bool,
    pub run: &'a RunInfo,
    pub sarif: SarifOptions,
    /// `--compact`: `None` = decide by the number of findings.
    pub compact: Option<bool>,
    /// Terminal width to wrap the pretty report to (`None`: no wrapping).
    pub width: Option<usize>,
    /// The index the rules ran on, for reports that draw each file system's backups (`None`:
    /// they build one).
    pub index: Option<&'a crate::inventory::Index<'a>>,
    /// Positions already resolved, shared by the formats of one run (each resolution reads the
    /// whole input file).
    pub resolved: std::cell::RefCell<HashMap<Origin, Position>>,
}

impl<'a> Context<'a> {
    /// A context with the defaults of `check`: passes left out of pretty, SARIF relative to the
    /// current directory with `--sarif-location auto`, compact by the number of findings.
    pub fn new(report: &'a Report, policies: &'a PolicySet, inventory: &'a Inventory, run: &'a RunInfo) -> Self {
        Context {
            report,
            policies,
            inventory,
            include_passed: false,
            run,
            sarif: SarifOptions::default(),
            compact: None,
            width: None,
            index: None,
            resolved: std::cell::RefCell::default(),
        }
    }

    pub fn rule(&self, result: &RuleResult) -> Option<&Rule> {
        self.policies.rules.get(result.rule)
    }

    /// The waiver that covers a result.
    pub fn waiver(&self, result: &RuleResult) -> Option<&crate::policy::Waiver> {
        waiver_of(self.policies, result)
    }

    /// Every waiver with its place, status and matches, for the reports' waiver lists.
    pub fn waiver_entries(&self) -> Vec<serde_json::Value> {
        self.run
            .gate
            .waivers
            .iter()
            .filter_map(|used| {
                let waiver = self.policies.waivers.get(used.waiver)?;
                Some(serde_json::json!({
                    "rule": waiver.rule,
                    "resource": waiver.resource,
                    "reason": waiver.reason,
                    "owner": waiver.owner,
                    "expires": waiver.expires,
                    "file": crate::gate::waiver_place(self.policies, waiver),
                    "status": used.status.as_str(),
                    "matched": used.matched,
                }))
            })
            .collect()
    }

    /// The run as (label, value) rows, for the reports that show it as a table (Markdown, HTML).
    pub fn run_facts(&self) -> Vec<(&'static str, String)> {
        let (report, run) = (self.report, self.run);
        let mut facts = vec![
            ("tool", format!("fsx-guard {}", env!("CARGO_PKG_VERSION"))),
            ("generated at (real clock)", run.generated_at.to_string()),
            ("evaluated at (--now)", report.evaluated_at.to_string()),
            ("collected at", report.collected_at.map_or_else(|| "—".to_string(), |t| t.to_string())),
            ("--fail-on", run.fail_on.as_str().to_string()),
            ("exit code", format!("{} ({})", run.exit_code(), outcome_text(run.outcome))),
        ];
        if let Some(caller) = &run.caller {
            facts.push(("caller (sts:GetCallerIdentity)", caller_text(caller)));
            facts.push(("Regions read", run.regions_read.join(", ")));
        }
        for collector in &self.inventory.collectors {
            facts.push(("collected by", caller_text(collector.get("caller").unwrap_or(collector))));
        }
        if !run.filters.is_empty() {
            facts.push(("filters", run.filters.join(" ")));
        }
        facts
    }

    /// Failures and errors, worst first: fail before error, then severity, then the report's
    /// order (rule id, resource). Waived ones and ones already in the baseline go last.
    pub fn worst_first(&self) -> Vec<&RuleResult> {
        let mut list: Vec<&RuleResult> = self.report.results.iter().filter(|r| crate::gate::failing(r)).collect();
        list.sort_by_key(|r| {
            let severity = self.rule(r).map_or(crate::policy::Severity::Note, |rule| rule.severity);
            (
                !crate::gate::counts(r),
                std::cmp::Reverse(r.verdict == crate::engine::Verdict::Fail),
                std::cmp::Reverse(severity),
            )
        });
        list
    }

    /// Line:column positions of the given results' resources in their inventory files: what an
    /// earlier format of the run resolved is reused, the rest is read in one pass per file.
    pub fn positions<'r>(&self, results: impl IntoIterator<Item = &'r RuleResult>) -> HashMap<Origin, Position> {
        let mut resolved = self.resolved.borrow_mut();
        let mut wanted: Vec<&Origin> = Vec::new();
        let mut by_source: HashMap<usize, Vec<&str>> = HashMap::new();
        for result in results {
            for origin in result.subject.origin.iter().chain(&result.subject.related) {
                wanted.push(origin);
                if resolved.contains_key(origin) {
                    continue;
                }
                // Found while the inventory loaded (file systems and volumes of large inputs).
                let file = self.inventory.sources.get(origin.source);
                if let Some((file, (start, end))) =
                    file.and_then(|f| Some((f, *f.located.get()?.get(origin.pointer.as_str())?)))
                {
                    resolved.insert(origin.clone(), Position::from_line_cols(&file.path, start, end));
                    continue;
                }
                by_source.entry(origin.source).or_default().push(origin.pointer.as_str());
            }
        }
        for (source, pointers) in by_source {
            let Some(file) = self.inventory.sources.get(source) else { continue };
            resolved.extend(resolve(source, file, pointers));
        }
        wanted.into_iter().filter_map(|origin| Some((origin.clone(), resolved.get(origin)?.clone()))).collect()
    }

    /// Where a rule is written: its policy file and the position of the rule.
    pub fn rule_position(&self, rule: &Rule) -> Option<Position> {
        let source = self.policies.source_of(rule)?;
        let span = self.policies.rule_span(rule)?;
        let first_line_end =
            source.text.get(span.start..).and_then(|s| s.find('\n')).map_or(span.end, |i| span.start + i);
        Some(Position::of(
            &source.path,
            &source.text,
            crate::span::ByteSpan::new(span.start, first_line_end.min(span.end)),
        ))
    }
}

/// Counts by verdict of one slice of the results (a severity, an account, a Region).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
    pub waived: usize,
}

impl Counts {
    fn add(&mut self, result: &RuleResult) {
        use crate::engine::Verdict;
        match result.verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Error => self.error += 1,
            Verdict::NotApplicable => self.not_applicable += 1,
        }
        if result.waived.is_some() && crate::gate::failing(result) {
            self.waived += 1;
        }
    }
}

/// The summary's breakdowns: by severity (of the rule), account and Region.
#[derive(Debug, Clone, Default)]
pub struct Breakdown {
    pub by_severity: std::collections::BTreeMap<&'static str, Counts>,
    pub by_account: std::collections::BTreeMap<String, Counts>,
    pub by_region: std::collections::BTreeMap<String, Counts>,
}

impl Breakdown {
    pub fn of(context: &Context<'_>) -> Breakdown {
        let mut breakdown = Breakdown::default();
        for result in &context.report.results {
            let severity = context.rule(result).map_or("note", |r| r.severity.as_str());
            breakdown.by_severity.entry(severity).or_default().add(result);
            let account = result.subject.account.clone().unwrap_or_else(|| "(unknown)".into());
            breakdown.by_account.entry(account).or_default().add(result);
            let region = result.subject.region.clone().unwrap_or_else(|| "(none)".into());
            breakdown.by_region.entry(region).or_default().add(result);
        }
        breakdown
    }
}

/// A caller identity (`sts:GetCallerIdentity`) in words: its ARN and account.
fn caller_text(caller: &serde_json::Value) -> String {
    let field = |k: &str| caller.get(k).and_then(|v| v.as_str()).unwrap_or("?").to_string();
    format!("{} (account {})", field("arn"), field("account"))
}

/// The run's fields that only some runs have, in the order reports list them: the filters, who
/// collected live and which Regions it read, and the collectors of saved inventories. JSON puts
/// them in its document, SARIF in its invocation's properties.
pub fn optional_run_fields(context: &Context<'_>) -> Vec<(&'static str, serde_json::Value)> {
    let run = context.run;
    let mut fields = Vec::new();
    if !run.filters.is_empty() {
        fields.push(("filters", serde_json::json!(run.filters)));
    }
    if let Some(caller) = &run.caller {
        fields.push(("caller", caller.clone()));
        fields.push(("regions_read", serde_json::json!(run.regions_read)));
    }
    if !context.inventory.collectors.is_empty() {
        fields.push(("collected_by", serde_json::json!(context.inventory.collectors)));
    }
    fields
}

/// The outcome in words, as reports state it beside the exit code.
pub fn outcome_text(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Compliant => "compliant",
        Outcome::Failures => "failures",
        Outcome::Undetermined => "undetermined",
    }
}

/// A region of a file, 1-based, columns in Unicode characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Positions of JSON pointers in one input file: one pass over the file for the pointers, one
/// for lines and columns.
fn resolve<'p>(
    source: usize,
    file: &crate::inventory::SourceFile,
    pointers: impl IntoIterator<Item = &'p str>,
) -> Vec<(Origin, Position)> {
    // A released text is read again; a file changed since it was loaded places nothing.
    let Some(file) = file.with_text() else { return Vec::new() };
    crate::span::places(&file.text, file.spans(pointers))
        .into_iter()
        .map(|(pointer, (start, end))| (Origin { source, pointer }, Position::from_line_cols(&file.path, start, end)))
        .collect()
}

impl Position {
    fn of(path: &str, text: &str, span: crate::span::ByteSpan) -> Position {
        let span = crate::span::first_line(text, span);
        Position::from_line_cols(path, crate::span::line_col(text, span.start), crate::span::line_col(text, span.end))
    }

    fn from_line_cols(path: &str, (line, column): (usize, usize), (end_line, end_column): (usize, usize)) -> Position {
        Position {
            path: path.to_string(),
            line,
            column,
            end_line,
            end_column: if end_line == line { end_column.max(column + 1) } else { end_column },
        }
    }
}

/// Report text written as it is produced: a buffer handed to the output each time it holds
/// 64 KiB, so a report of 100,000 results is never one string. Without an output it keeps
/// everything (a pull-request comment, measured as it is built).
pub struct Sink<'w> {
    buffer: String,
    out: Option<&'w mut dyn Write>,
    written: usize,
    error: Option<std::io::Error>,
}

const SINK_SPILL: usize = 1 << 16;

impl<'w> Sink<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        Sink { buffer: String::with_capacity(SINK_SPILL + 4096), out: Some(out), written: 0, error: None }
    }

    /// A sink that keeps its text ([`Sink::into_string`]).
    pub fn string() -> Sink<'static> {
        Sink { buffer: String::new(), out: None, written: 0, error: None }
    }

    pub fn push_str(&mut self, text: &str) {
        self.buffer.push_str(text);
        if self.buffer.len() >= SINK_SPILL {
            self.spill();
        }
    }

    pub fn push(&mut self, c: char) {
        self.buffer.push(c);
    }

    /// Bytes written so far, handed on or not.
    pub fn len(&self) -> usize {
        self.written + self.buffer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn spill(&mut self) {
        let Some(out) = self.out.as_mut() else { return };
        // After a failed write nothing more is written: `finish` reports the first error.
        if self.error.is_none()
            && let Err(e) = out.write_all(self.buffer.as_bytes())
        {
            self.error = Some(e);
        }
        self.written += self.buffer.len();
        self.buffer.clear();
    }

    /// Writes what is left; the first write error, if any.
    pub fn finish(mut self, what: &str) -> Result<(), Error> {
        self.spill();
        let failed = |e: std::io::Error| Error::Output { path: what.to_string(), reason: e.to_string() };
        match (self.error.take(), self.out.as_mut()) {
            (Some(e), _) => Err(failed(e)),
            (None, Some(out)) => out.flush().map_err(failed),
            (None, None) => Ok(()),
        }
    }

    /// The text of a sink made by [`Sink::string`] (what is left of any other).
    pub fn into_string(self) -> String {
        self.buffer
    }
}

impl std::fmt::Write for Sink<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.push_str(text);
        Ok(())
    }
}

/// A renderer that streams, run into a string (stdout, tests).
fn to_string(write: impl FnOnce(&mut dyn Write) -> Result<(), Error>) -> Result<String, Error> {
    let mut out = Vec::new();
    write(&mut out)?;
    String::from_utf8(out).map_err(|e| Error::Internal(e.to_string()))
}

/// Renders one format. `to_file`: Markdown to a file is the whole audit document, to stdout the
/// pull-request comment.
pub fn render(
    format: Format,
    context: &Context<'_>,
    color: bool,
    to_file: bool,
    err: &mut dyn Write,
) -> Result<String, Error> {
    to_string(|out| render_to(format, context, color, to_file, err, out))
}

/// Renders one format into `out` as it is produced: no format holds its whole text in memory.
pub fn render_to(
    format: Format,
    context: &Context<'_>,
    color: bool,
    to_file: bool,
    err: &mut dyn Write,
    out: &mut dyn Write,
) -> Result<(), Error> {
    match format {
        Format::Pretty => pretty::write(context, color, out),
        Format::Json => json::write(context, out),
        Format::Sarif => sarif::write(context, err, out),
        Format::Junit => junit::write(context, out),
        Format::Markdown => markdown::write(context, to_file, out),
        Format::Html => html::write(context, out),
    }
}

/// Colour on stdout: never with `NO_COLOR`; always with `FORCE_COLOR` or `CLICOLOR_FORCE`
/// (set, not `0`); else only on a terminal.
pub fn stdout_color() -> bool {
    color_for(std::io::stdout().is_terminal())
}

/// Colour on stderr, by the same rules as stdout.
pub fn stderr_color() -> bool {
    color_for(std::io::stderr().is_terminal())
}

fn color_for(terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let forced = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    if set("NO_COLOR") {
        false
    } else if forced("FORCE_COLOR") || forced("CLICOLOR_FORCE") {
        true
    } else {
        terminal
    }
}

/// The width to wrap the pretty report to on stdout: `COLUMNS`, else the terminal's; none when
/// stdout is not a terminal (files and pipes keep one line per finding whole).
pub fn stdout_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok());
    columns.or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))).map(|w| w.clamp(40, 400))
}

/// `fsx-guard rules [KIND]`: one line per kind, or one kind's whole documentation.
pub fn rules_doc(kind: Option<&str>) -> Result<String, Error> {
    match kind {
        None => {
            let mut out = String::from("Rule kinds (`fsx-guard rules KIND` for the documentation):\n\n");
            for kind in RuleKind::ALL {
                out.push_str(&format!("  {:<21} {}\n", kind.name(), kind.summary()));
            }
            Ok(out)
        }
        Some(name) => {
            let Some(kind) = RuleKind::parse(name) else {
                let names = RuleKind::ALL.map(RuleKind::name);
                let hint = crate::suggest::closest(name, names)
                    .map_or_else(String::new, |near| format!("did you mean `{near}`? "));
                return Err(Error::Usage {
                    message: format!("unknown rule kind `{name}`"),
                    help: Some(format!("{hint}kinds: {}", names.join(", "))),
                });
            };
            Ok(format!("# {}\n\n{}", kind.name(), kind.doc()))
        }
    }
}

/// The README's rule table, generated from the rule docs (a test keeps the README in step).
pub fn readme_rules_section() -> String {
    let mut out = String::from("| kind | what it checks |\n| --- | --- |\n");
    for kind in RuleKind::ALL {
        out.push_str(&format!("| [`{}`](#{}) | {} |\n", kind.name(), kind.name(), kind.summary()));
    }
    for kind in RuleKind::ALL {
        let doc = kind.doc().replace("\n## ", "\n#### ");
        let doc = doc.strip_prefix("## ").map_or(doc.clone(), |rest| format!("#### {rest}"));
        out.push_str(&format!("\n### {}\n\n{}", kind.name(), doc));
    }
    out
}

/// The waiver that covers `result`, if one does (without a [`Context`], for helper threads).
pub(crate) fn waiver_of<'p>(
    policies: &'p crate::policy::PolicySet,
    result: &RuleResult,
) -> Option<&'p crate::policy::Waiver> {
    result.waived.and_then(|i| policies.waivers.get(i))
}
