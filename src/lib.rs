//! fsx-guard: policy-as-code checks for Amazon FSx backups.
//!
//! Data flows one way: policies and inventory are loaded and validated, the index is built once,
//! the engine asks each rule kind for results, one sorted [`engine::Report`] comes out, each
//! reporter renders it, and the outcome becomes the exit code.

pub mod arn;
pub mod cli;
pub mod diag;
pub mod engine;
pub mod finding;
pub mod gate;
pub mod iam;
pub mod inventory;
pub mod policy;
pub mod regions;
pub mod report;
pub mod rules;
pub mod schedule;
pub mod span;
pub mod suggest;
pub mod timings;
pub mod yaml;

use std::io::Write;
use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use cli::{CheckArgs, Cli, Command, FailOn};
use engine::Verdict;
use inventory::Timestamp;
use policy::Severity;

/// `schemas/inventory.schema.json`, compiled in.
pub const INVENTORY_SCHEMA: &str = include_str!("../schemas/inventory.schema.json");

/// Saved inventories at least this large are let go of once loaded (see
/// [`inventory::Inventory::release_texts`]): a smaller one costs less to keep than to read again.
pub const RELEASE_TEXT_ABOVE: usize = 32 * 1024 * 1024;

/// Set by the binary: the process ends right after the command, so the inventory and the report
/// (hundreds of megabytes in millions of allocations at organisation scale) are left for the
/// operating system to reclaim instead of being freed one by one. Library callers (tests) free
/// them as usual.
pub static PROCESS_EXITS_AFTER_RUN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Why a run could not start (exit code 2).
#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("{message}")]
    #[diagnostic(code(fsx_guard::usage))]
    Usage {
        message: String,
        #[help]
        help: Option<String>,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Input(#[from] diag::InputError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    File(Box<diag::FileDiagnostic>),

    #[error("{} inputs are invalid", diagnostics.len())]
    Files {
        #[related]
        diagnostics: Vec<diag::FileDiagnostic>,
    },

    #[error("cannot write `{path}`: {reason}")]
    Output { path: String, reason: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Live(#[from] inventory::live::LiveError),

    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage { message: message.into(), help: Some(help.into()) }
    }
}

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing at or above `--fail-on` failed and nothing was undetermined.
    Compliant,
    /// At least one failure at or above `--fail-on`.
    Failures,
    /// No such failure, but at least one result could not be decided.
    Undetermined,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Compliant => 0,
            Outcome::Failures => 1,
            Outcome::Undetermined => 3,
        }
    }
}

/// Runs a command, writing reports to stdout or files and messages to stderr.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    match cli.command {
        Command::Check(args) => check(&args, &mut out, &mut err, report::stdout_color()),
        Command::Collect(args) => collect(&args, &mut out, &mut err),
        Command::Validate(args) => {
            let paths: Vec<PathBuf> = args.paths.into_iter().chain(args.policies).collect();
            let policies = policy::load(&paths)?;
            print_warnings(&policies, &mut err);
            let files = policies.sources.len();
            let rules = policies.rules.len();
            write_out(&mut out, &format!("{files} policy file(s), {rules} rule(s): valid\n"))?;
            Ok(Outcome::Compliant)
        }
        Command::Rules(args) => {
            let text = report::rules_doc(args.kind.as_deref())?;
            write_out(&mut out, &text)?;
            Ok(Outcome::Compliant)
        }
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut buffer = Vec::new();
            clap_complete::generate(args.shell, &mut command, "fsx-guard", &mut buffer);
            out.write_all(&buffer).map_err(|e| Error::Output { path: "stdout".into(), reason: e.to_string() })?;
            Ok(Outcome::Compliant)
        }
        Command::Man(args) => {
            man(&args, &mut out)?;
            Ok(Outcome::Compliant)
        }
        Command::Schema(args) => {
            let text = match args.which {
                cli::SchemaKind::Policy => policy::POLICY_SCHEMA,
                cli::SchemaKind::Inventory => INVENTORY_SCHEMA,
            };
            write_out(&mut out, text)?;
            Ok(Outcome::Compliant)
        }
    }
}

/// `fsx-guard man`: pages generated from the clap definitions, one per command as git does.
fn man(args: &cli::ManArgs, out: &mut dyn Write) -> Result<(), Error> {
    let top = <Cli as clap::CommandFactory>::command();
    let page = |command: clap::Command, name: &str| -> Result<Vec<u8>, Error> {
        let mut buffer = Vec::new();
        let command = command
            .name(name.to_string())
            .bin_name(name.replace("fsx-guard-", "fsx-guard "))
            .version(env!("CARGO_PKG_VERSION"));
        clap_mangen::Man::new(command)
            .title(name.to_string())
            .section("1")
            .render(&mut buffer)
            .map_err(|e| Error::Internal(format!("man page: {e}")))?;
        Ok(buffer)
    };
    let mut pages = vec![("fsx-guard".to_string(), top.clone())];
    for sub in top.get_subcommands() {
        pages.push((format!("fsx-guard-{}", sub.get_name()), sub.clone()));
    }
    if let Some(dir) = &args.dir {
        for (name, command) in pages {
            let path = dir.join(format!("{name}.1"));
            let text = String::from_utf8_lossy(&page(command, &name)?).into_owned();
            report::write_atomically(&path, &text)?;
        }
        return Ok(());
    }
    let wanted = args.command.as_deref().map_or_else(|| "fsx-guard".to_string(), |c| format!("fsx-guard-{c}"));
    let Some((name, command)) = pages.into_iter().find(|(name, _)| *name == wanted) else {
        let names: Vec<String> = top.get_subcommands().map(|c| c.get_name().to_string()).collect();
        return Err(Error::usage(
            format!("no man page for `{}`", args.command.as_deref().unwrap_or_default()),
            format!("commands: {}", names.join(", ")),
        ));
    };
    let text = page(command, &name)?;
    out.write_all(&text).map_err(|e| Error::Output { path: "stdout".into(), reason: e.to_string() })
}

/// Policy warnings go to stderr and never change the exit code.
fn print_warnings(policies: &policy::PolicySet, err: &mut dyn Write) {
    print_file_warnings(&policies.warnings, err);
}

/// Warnings about input files (policies, or inventory resources that could not be read, which
/// are `error` for the results they could change).
fn print_file_warnings(warnings: &[std::sync::Arc<diag::FileWarning>], err: &mut dyn Write) {
    for warning in warnings {
        let report = miette::Report::new(WarningRef(std::sync::Arc::clone(warning)));
        let _ = writeln!(err, "{report:?}");
    }
}

/// A shared warning as a diagnostic of its own (miette reports take ownership).
#[derive(Debug)]
struct WarningRef(std::sync::Arc<diag::FileWarning>);

impl std::fmt::Display for WarningRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for WarningRef {}

impl Diagnostic for WarningRef {
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
}

fn write_out(out: &mut dyn Write, text: &str) -> Result<(), Error> {
    out.write_all(text.as_bytes()).map_err(|e| Error::Output { path: "stdout".into(), reason: e.to_string() })
}

/// `fsx-guard check`: callable in-process by tests.
pub fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write, color: bool) -> Result<Outcome, Error> {
    let generated_at = run_clock();
    timings::mark("start");
    let formats = report::parse_formats(&args.formats)?;
    refuse_overwriting_inputs(&formats, args)?;
    let explicit_now = args
        .now
        .as_deref()
        .map(|text| {
            Timestamp::parse_rfc3339(text).ok_or_else(|| {
                Error::usage(
                    format!("`--now {text}` is not an RFC 3339 timestamp"),
                    "write it like 2026-11-25T06:00:00Z",
                )
            })
        })
        .transpose()?;
    let mut policies = policy::load_with_waivers(&args.policies, &args.waivers)?;
    print_warnings(&policies, err);
    let filters = filter_rules(&mut policies, args)?;
    let baseline = args.baseline.as_deref().map(gate::read_baseline).transpose()?;
    let mut caller = None;
    let mut regions_read = Vec::new();
    let (mut inventory, unsettled) = if args.live || args.inventories.is_empty() {
        // Collect, then read the document back through the one loader (same verdicts as
        // `collect` followed by `check --inventory`).
        let collection = inventory::live::collect(&args.aws, &policies.regions_named())?;
        report_collection(&collection, err);
        caller = collection.document.pointer("/collector/caller").cloned();
        regions_read = collection
            .document
            .pointer("/collector/regions")
            .and_then(serde_json::Value::as_array)
            .map(|list| list.iter().filter_map(|r| r.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let text = serde_json::to_string(&collection.document).map_err(|e| Error::Internal(e.to_string()))?;
        let live = vec![("live".into(), std::sync::Arc::new(text), inventory::SourceFormat::Json)];
        (inventory::source::load_texts(live)?, None)
    } else {
        // A large saved inventory's hash and the proof it was read as it is on disk come while
        // the rules run: settled below, before anything is reported.
        let (inventory, unsettled) = inventory::source::load_unsettled(&args.inventories, &iac_options(args)?)?;
        (inventory, Some(unsettled))
    };
    print_file_warnings(&inventory.warnings, err);
    timings::mark("inventory loaded");
    // Once loaded, rules and reports need the model and the places found while loading.
    inventory.release_texts(RELEASE_TEXT_ABOVE);
    let now = explicit_now.or(inventory.collected_at).unwrap_or_else(Timestamp::now);
    let started = std::time::Instant::now();
    let index = inventory::Index::build(&inventory, now);
    timings::mark("index built");
    let mut report = engine::evaluate_with(&policies, &index, started);
    timings::mark("evaluated");
    if let Some(unsettled) = unsettled {
        unsettled.settle(&inventory)?;
    }
    let gate = gate::apply(&mut report, &policies, baseline.as_ref(), now);
    // The pretty report on stdout lists them itself; else stderr tells the person at the terminal.
    if !formats.iter().any(|(format, path)| *format == report::Format::Pretty && path.is_none()) {
        for warning in &gate.warnings {
            let _ = writeln!(err, "warning: {warning}");
        }
    }
    let empty = report.results.is_empty() && !args.allow_empty;
    let outcome = if empty {
        match args.fail_on {
            FailOn::Never => Outcome::Compliant,
            _ => Outcome::Undetermined,
        }
    } else {
        outcome(&report, &policies, args.fail_on)
    };
    let mut inputs: Vec<report::Input> = policies
        .sources
        .iter()
        .map(|s| report::Input::new(&s.path, if s.waivers_only { "waivers" } else { "policy" }, &s.text))
        .collect();
    inputs.extend(inventory.sources.iter().map(|s| match s.sha256.get() {
        Some(hash) => report::Input::hashed(&s.path, "inventory", hash.clone()),
        None => report::Input::new(&s.path, "inventory", &s.text),
    }));
    if let Some(baseline) = &baseline {
        inputs.push(report::Input::new(&baseline.path, "baseline", &baseline.text));
    }
    let run =
        report::RunInfo { inputs, generated_at, fail_on: args.fail_on, outcome, caller, regions_read, gate, filters };
    let source_root = args.source_root.clone().unwrap_or_else(|| PathBuf::from("."));
    let context = report::Context {
        report: &report,
        policies: &policies,
        inventory: &inventory,
        include_passed: args.include_passed,
        run: &run,
        sarif: report::SarifOptions {
            category: args.sarif_category.clone(),
            source_root: report::sarif::normalise(&source_root),
            location: args.sarif_location,
        },
        compact: args.compact,
        width: report::stdout_width(),
        index: Some(&index),
        resolved: std::cell::RefCell::default(),
    };
    for (format, path) in &formats {
        match path {
            None => report::render_to(*format, &context, color, false, err, out).map_err(|e| match e {
                Error::Output { reason, .. } => Error::Output { path: "stdout".into(), reason },
                other => other,
            })?,
            Some(path) => report::write_atomically_with(path, |file| {
                report::render_to(*format, &context, false, true, err, file).map_err(|e| match e {
                    // A failed write is the report file's, named as such.
                    Error::Output { reason, .. } => Error::Output { path: path.display().to_string(), reason },
                    other => other,
                })
            })?,
        }
        timings::mark(format_args!("rendered {format:?}"));
    }
    if empty {
        // A run that judged nothing is not "compliant".
        let _ = writeln!(
            err,
            "error: nothing was judged: no rule selected anything in the inventory (exit 3); pass `--allow-empty` if that is expected"
        );
    }
    drop(context);
    if PROCESS_EXITS_AFTER_RUN.load(std::sync::atomic::Ordering::Relaxed) {
        std::mem::forget(report);
        std::mem::forget(index);
        std::mem::forget(inventory);
    }
    Ok(outcome)
}

/// The real time of the run, or `SOURCE_DATE_EPOCH` (seconds) when set, as reproducible builds
/// use it: the same inputs then give byte-identical reports.
fn run_clock() -> Timestamp {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|seconds| seconds.checked_mul(1000))
        .map_or_else(Timestamp::now, Timestamp)
}

/// `--rule` and `--severity`: only the rules they name are judged. A `--rule` that names no
/// loaded rule is a usage error (a typo would otherwise make a gate that checks nothing).
fn filter_rules(policies: &mut policy::PolicySet, args: &CheckArgs) -> Result<Vec<String>, Error> {
    let mut filters = Vec::new();
    for pattern in &args.rules {
        if !policies.rules.iter().any(|r| policy::waiver::glob(pattern, &r.id)) {
            let ids: Vec<&str> = policies.rules.iter().map(|r| r.id.as_str()).collect();
            let hint = suggest::closest(pattern, ids.iter().copied())
                .map_or_else(String::new, |near| format!("did you mean `{near}`? "));
            return Err(Error::usage(
                format!("`--rule {pattern}` names no loaded rule"),
                format!("{hint}rules: {}", ids.join(", ")),
            ));
        }
        filters.push(format!("--rule {pattern}"));
    }
    if !args.rules.is_empty() {
        policies.rules.retain(|r| args.rules.iter().any(|p| policy::waiver::glob(p, &r.id)));
    }
    if !args.severities.is_empty() {
        let wanted: Vec<Severity> = args.severities.iter().map(|s| s.severity()).collect();
        policies.rules.retain(|r| wanted.contains(&r.severity));
        let names: Vec<&str> = wanted.iter().map(|s| s.as_str()).collect();
        filters.push(format!("--severity {}", names.join(",")));
    }
    Ok(filters)
}

/// `--account` and `--region` for infrastructure code read with `--inventory`: one Region, the
/// default of providers and stacks that name none.
fn iac_options(args: &CheckArgs) -> Result<inventory::source::Options, Error> {
    let region = match args.aws.regions.as_slice() {
        [] => None,
        [one] if crate::regions::is_region_shaped(one) => Some(one.clone()),
        [one] => {
            return Err(Error::usage(
                format!("`--region {one}` is not a Region name"),
                "with --inventory, --region names the Region infrastructure code deploys to when it names none, e.g. `--region us-east-1`",
            ));
        }
        _ => {
            return Err(Error::usage(
                "--region is given more than once with --inventory",
                "with --inventory, --region names the one Region infrastructure code deploys to when it names none",
            ));
        }
    };
    Ok(inventory::source::Options {
        account: args.account.clone(),
        region,
        parameters: args.parameters.clone(),
        vars: args.vars.clone(),
        var_files: args.var_files.clone(),
        source_root: args.source_root.clone(),
        release_texts_above: Some(RELEASE_TEXT_ABOVE),
    })
}

/// A report path that is one of the inputs would overwrite it: a usage error before anything
/// is read.
fn refuse_overwriting_inputs(formats: &[(report::Format, Option<PathBuf>)], args: &CheckArgs) -> Result<(), Error> {
    for path in formats.iter().filter_map(|(_, path)| path.as_ref()) {
        let target = report::comparable(path);
        let inputs = args.policies.iter().map(|p| ("policy", p));
        let inputs = inputs.chain(args.inventories.iter().map(|p| ("inventory", p)));
        let inputs = inputs.chain(args.waivers.iter().map(|p| ("waivers file", p)));
        for (kind, input) in inputs.chain(args.baseline.iter().map(|p| ("baseline", p))) {
            let input_path = report::comparable(input);
            // A policy directory loads every *.yaml/*.yml in it.
            let inside = input.is_dir()
                && target.parent() == Some(input_path.as_path())
                && matches!(target.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"));
            if target == input_path || inside {
                return Err(Error::usage(
                    format!("the report `{}` would overwrite the {kind} `{}`", path.display(), input.display()),
                    "write reports to files that are not inputs",
                ));
            }
        }
    }
    Ok(())
}

/// Tells stderr what collection could not read.
fn report_collection(collection: &inventory::live::Collection, err: &mut dyn Write) {
    if collection.failures > 0 {
        let _ = writeln!(
            err,
            "warning: {} of {} AWS reads failed; they are recorded in the inventory's `errors` and what depends on them is `error`",
            collection.failures,
            collection.failures + collection.reads
        );
    }
}

/// `fsx-guard collect`: 0 everything read, 3 some reads failed, 2 nothing could be read.
pub fn collect(args: &cli::CollectArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, Error> {
    if let Some(output) = &args.output {
        let target = report::comparable(output);
        if let Some(policy) = args.policies.iter().find(|p| report::comparable(p) == target) {
            return Err(Error::usage(
                format!("the inventory `{}` would overwrite the policy `{}`", output.display(), policy.display()),
                "write the inventory to a file that is not an input",
            ));
        }
    }
    let policies = if args.policies.is_empty() { None } else { Some(policy::load(&args.policies)?) };
    let regions = policies.as_ref().map(policy::PolicySet::regions_named).unwrap_or_default();
    let collection = inventory::live::collect(&args.aws, &regions)?;
    report_collection(&collection, err);
    let mut text = serde_json::to_string_pretty(&collection.document).map_err(|e| Error::Internal(e.to_string()))?;
    text.push('\n');
    match &args.output {
        None => write_out(out, &text)?,
        Some(path) => report::write_atomically(path, &text)?,
    }
    if collection.reads == 0 {
        return Err(Error::usage("nothing could be read from AWS", "see the recorded errors in the inventory written"));
    }
    Ok(if collection.failures > 0 { Outcome::Undetermined } else { Outcome::Compliant })
}

/// The exit outcome: failures at or above `fail_on` first, then undetermined results.
pub fn outcome(report: &engine::Report, policies: &policy::PolicySet, fail_on: FailOn) -> Outcome {
    let threshold = match fail_on {
        FailOn::Never => return Outcome::Compliant,
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
    };
    // Waived results and failures already in the baseline do not count.
    let counted = || report.results.iter().filter(|r| gate::counts(r));
    let failing = counted().any(|r| {
        r.verdict == Verdict::Fail && policies.rules.get(r.rule).is_some_and(|rule| rule.severity >= threshold)
    });
    if failing {
        Outcome::Failures
    } else if counted().any(|r| r.verdict == Verdict::Error) {
        Outcome::Undetermined
    } else {
        Outcome::Compliant
    }
}
