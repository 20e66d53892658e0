//! The command line (clap derive). Names are part of the contract (SPEC §1).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "fsx-guard", version, about = "Policy-as-code checks for Amazon FSx backups", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load policies and an inventory, evaluate, report, and exit 0/1/2/3
    Check(Box<CheckArgs>),
    /// Collect a live inventory and write it as an inventory document
    Collect(CollectArgs),
    /// Load and lint policies only (schema and semantic checks)
    Validate(ValidateArgs),
    /// List rule kinds with their documentation
    Rules(RulesArgs),
    /// Print a JSON Schema
    Schema(SchemaArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print a man page (roff): fsx-guard(1), or one command's; `--dir` writes them all
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (check, collect, validate, ...); default: fsx-guard(1)
    pub command: Option<String>,
    /// Write every page (fsx-guard.1, fsx-guard-check.1, ...) into this directory
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Live collection settings (SPEC §4).
#[derive(Debug, Args, Clone)]
pub struct AwsArgs {
    /// Region to collect (repeatable; `all` = every Region enabled for the account)
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Named profile from the AWS config files
    #[arg(long)]
    pub profile: Option<String>,
    /// Endpoint for every AWS service (emulators); also AWS_ENDPOINT_URL
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Concurrent requests (1 to 256)
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = concurrency)]
    pub concurrency: usize,
    /// Seconds to establish a connection to an AWS endpoint
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub connect_timeout: u64,
    /// Seconds to wait for a response to arrive (each attempt; throttling is retried)
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub read_timeout: u64,
    /// Seconds for the whole collection; calls still running then are recorded as failed
    #[arg(long, value_name = "SECONDS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub deadline: u64,
    /// Pages read from one paginated call at most; past it the call is recorded as failed
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub max_pages: u64,
}

impl Default for AwsArgs {
    fn default() -> Self {
        AwsArgs {
            regions: Vec::new(),
            profile: None,
            endpoint_url: None,
            concurrency: 8,
            connect_timeout: 10,
            read_timeout: 60,
            deadline: 900,
            max_pages: 100_000,
        }
    }
}

/// `--concurrency`: 1 to 256 (tokio's semaphore cannot hold more than a few billion permits, and
/// no AWS account answers more in parallel anyway).
fn concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err(format!("`{text}` is not a number from 1 to 256")),
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Policy file or directory (repeatable); default: the built-in baseline
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Inventory document or raw AWS CLI output (repeatable)
    #[arg(long = "inventory", value_name = "PATH", conflicts_with = "live")]
    pub inventories: Vec<PathBuf>,
    /// Collect the inventory from AWS (the default without --inventory)
    #[arg(long)]
    pub live: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Report format, optionally to a file: pretty, json, sarif, junit, markdown, html (repeatable)
    #[arg(long = "format", value_name = "FMT[=PATH]")]
    pub formats: Vec<String>,
    /// Evaluation instant (RFC 3339); default: the inventory's latest collected_at, else now
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Lowest severity of a failure that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Also list passing results in the pretty report
    #[arg(long)]
    pub include_passed: bool,
    /// Exit 0 when the run judged nothing at all (no result), instead of 3
    #[arg(long)]
    pub allow_empty: bool,
    /// The AWS account infrastructure code (Terraform, CloudFormation) deploys to
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub account: Option<String>,
    /// A CloudFormation template parameter's value (repeatable)
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = crate::inventory::source::cloudformation::parse_parameter)]
    pub parameters: Vec<(String, String)>,
    /// A Terraform variable's value for configuration directories (repeatable; wins over files)
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = terraform_var)]
    pub vars: Vec<(String, String)>,
    /// A Terraform variables file for configuration directories (repeatable, in order)
    #[arg(long = "var-file", value_name = "PATH")]
    pub var_files: Vec<PathBuf>,
    /// The repository root: SARIF paths are relative to it, and the `.tf` files behind a plan
    /// are looked for under it (default: .)
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,
    /// A YAML file with a `waivers:` list (accepted exceptions), as in a policy file (repeatable)
    #[arg(long = "waivers", value_name = "FILE")]
    pub waivers: Vec<PathBuf>,
    /// A JSON report of an earlier run: only failures and errors not in it count
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// SARIF category (automationDetails.id `NAME/`): one per upload that must not close another's alerts
    #[arg(long, value_name = "NAME", value_parser = sarif_category)]
    pub sarif_category: Option<String>,
    /// Where SARIF results point: the resource in infrastructure code and the rule for saved
    /// inventories (auto), always the rule in its policy file, or always the resource's input
    #[arg(long, value_enum, value_name = "WHERE", default_value_t = SarifLocation::Auto)]
    pub sarif_location: SarifLocation,
    /// Only the rules with this id or glob (repeatable)
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Only the rules of this severity (repeatable, or comma-separated: error,warning)
    #[arg(long = "severity", value_name = "S", value_enum, value_delimiter = ',')]
    pub severities: Vec<SeverityArg>,
    /// One line per finding in the pretty report (default when there are more than 100);
    /// `--compact=false` always shows the full form
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub compact: Option<bool>,
}

/// `--sarif-location`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SarifLocation {
    /// The resource's line for infrastructure code (it lives in the repository), the rule's line
    /// in its policy file for inventory documents and AWS CLI output (often saved under dated
    /// names)
    Auto,
    /// The rule's line in its policy file
    Policy,
    /// The resource's line in the input it came from
    Inventory,
}

/// `--severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Error,
    Warning,
    Note,
}

impl SeverityArg {
    pub fn severity(self) -> crate::policy::Severity {
        match self {
            SeverityArg::Error => crate::policy::Severity::Error,
            SeverityArg::Warning => crate::policy::Severity::Warning,
            SeverityArg::Note => crate::policy::Severity::Note,
        }
    }
}

/// `--sarif-category`: GitHub takes the part of `automationDetails.id` before its last `/` as
/// the category, so a name must not end in `/` or be empty.
fn sarif_category(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.ends_with('/') || trimmed.chars().any(char::is_control) {
        Err(format!("`{text}` is not a category: give a name such as `prod` or `fsx/prod`"))
    } else {
        Ok(trimmed.to_string())
    }
}

/// `--var NAME=VALUE`.
fn terraform_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value))
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            Ok((name.to_string(), value.to_string()))
        }
        _ => Err(format!("`{text}` is not NAME=VALUE (a Terraform variable and its value)")),
    }
}

/// `--account`: the 12 digits of an AWS account id.
fn account_id(text: &str) -> Result<String, String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not an AWS account id (12 digits)"))
    }
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Policies whose Regions to collect
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Where to write the inventory document (default stdout)
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Policy files or directories; default: the built-in baseline
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Policy file or directory (repeatable), as for `check`
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// One rule kind to show in full
    pub kind: Option<String>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[arg(value_enum)]
    pub which: SchemaKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Policy,
    Inventory,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Note => "note",
            FailOn::Never => "never",
        }
    }
}
