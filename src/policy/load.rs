//! Policy files → `PolicySet`, with every problem of every file collected before giving up.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::{PolicySet, PolicySource, Rule, Select, Severity, lint, schema};
use crate::diag::{self, FileDiagnostic, Problem};
use crate::rules::RuleKind;
use crate::span::ByteSpan;
use crate::yaml::{self, NodeSpan};

/// Where the built-in baseline is reported from.
pub const BASELINE_PATH: &str = "policies/baseline.yaml";
const BASELINE: &str = include_str!("../../policies/baseline.yaml");
const POLICY_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Deserialize)]
struct RawPolicy {
    name: Option<String>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
struct RawRule {
    id: String,
    kind: String,
    severity: Option<Severity>,
    description: Option<String>,
    select: Option<Select>,
    #[serde(default)]
    params: Value,
}

/// Loads policy files and directories; with none, the built-in baseline.
pub fn load(paths: &[PathBuf]) -> Result<PolicySet, crate::Error> {
    if paths.is_empty() {
        return load_builtin();
    }
    let mut files = Vec::new();
    for path in paths {
        for file in expand(path)? {
            let display = file.to_string_lossy().into_owned();
            let text = diag::read_text(&file, &display, POLICY_LIMIT, "policy files are limited to 4 MiB")?;
            files.push((display, text, false));
        }
    }
    load_sources(files)
}

/// The baseline compiled into the binary.
pub fn load_builtin() -> Result<PolicySet, crate::Error> {
    load_sources(vec![(BASELINE_PATH.to_string(), Arc::new(BASELINE.to_string()), true)])
}

/// A file as given, or every `*.yaml`/`*.yml` of a directory sorted by name.
fn expand(path: &Path) -> Result<Vec<PathBuf>, crate::Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| diag::InputError::Unreadable {
        path: path.to_string_lossy().into_owned(),
        reason: e.to_string(),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(crate::Error::Usage {
            message: format!("no policy files (*.yaml, *.yml) in `{}`", path.display()),
            help: None,
        });
    }
    Ok(files)
}

/// Loads policies from (path, text, built-in) triples.
pub fn load_sources(files: Vec<(String, Arc<String>, bool)>) -> Result<PolicySet, crate::Error> {
    let mut set = PolicySet::default();
    let mut problems: Vec<Vec<Problem>> = Vec::new();
    let mut warnings: Vec<Vec<Problem>> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut first_ids: HashMap<String, (usize, String)> = HashMap::new();

    for (path, text, builtin) in files {
        let index = set.sources.len();
        let mut file_problems = Vec::new();
        let mut file_warnings = Vec::new();
        let spans = match yaml::node_spans(&text) {
            Ok(spans) => spans,
            Err(e) => {
                diagnostics.push(syntax_error(&path, &text, e));
                set.sources.push(source(path, text, builtin, None, HashMap::new()));
                problems.push(Vec::new());
                warnings.push(Vec::new());
                continue;
            }
        };
        let document: Value = match yaml::from_str(&text) {
            Ok(document) => document,
            Err(e) => {
                diagnostics.push(syntax_error(&path, &text, e));
                set.sources.push(source(path, text, builtin, None, spans));
                problems.push(Vec::new());
                warnings.push(Vec::new());
                continue;
            }
        };
        file_problems.extend(schema::check(&document));
        let mut name = None;
        if file_problems.is_empty() {
            match serde_json::from_value::<RawPolicy>(document) {
                Ok(raw) => {
                    name = raw.name.clone();
                    for (i, raw_rule) in raw.rules.into_iter().enumerate() {
                        let pointer = format!("/rules/{i}");
                        if let Some((first_source, first_pointer)) = first_ids.get(&raw_rule.id) {
                            let first_path = set.sources.get(*first_source).map_or(path.as_str(), |s| s.path.as_str());
                            file_problems.push(
                                Problem::at(format!("{pointer}/id"), format!("duplicate rule id `{}`", raw_rule.id))
                                    .with_help(format!("`{}` is first defined in `{first_path}` at `{first_pointer}`; rule ids must be unique across all policies", raw_rule.id)),
                            );
                            let duplicate = Problem::at(
                                format!("{first_pointer}/id"),
                                format!("rule id `{}` is defined again in `{path}` at `{pointer}`", raw_rule.id),
                            );
                            if *first_source == index {
                                file_problems.push(duplicate);
                            } else if let Some(list) = problems.get_mut(*first_source) {
                                list.push(duplicate);
                            }
                        } else {
                            first_ids.insert(raw_rule.id.clone(), (index, pointer.clone()));
                        }
                        let quoted = |p: &str| {
                            spans
                                .get(p)
                                .and_then(|n| text.get(n.value.start..))
                                .is_some_and(|t| t.starts_with(['"', '\'']))
                        };
                        match rule(raw_rule, index, &pointer, &quoted) {
                            Ok(rule) => {
                                file_warnings.extend(rule.params.warnings(&rule.select, &pointer));
                                set.rules.push(rule);
                            }
                            Err(mut more) => file_problems.append(&mut more),
                        }
                    }
                }
                Err(e) => file_problems.push(Problem::at("", format!("invalid policy: {e}"))),
            }
        }
        set.sources.push(source(path, text, builtin, name, spans));
        problems.push(file_problems);
        warnings.push(file_warnings);
    }

    let warnings = per_file(&set.sources, warnings, "warnings");
    set.warnings.extend(warnings.into_iter().map(|w| std::sync::Arc::new(w.into())));
    diagnostics.extend(per_file(&set.sources, problems, "problems"));
    match diagnostics.len() {
        0 => Ok(set),
        1 => Err(diagnostics
            .into_iter()
            .next()
            .map_or(crate::Error::Internal("lost a diagnostic".into()), |d| crate::Error::File(Box::new(d)))),
        _ => Err(crate::Error::Files { diagnostics }),
    }
}

/// One diagnostic per file that has findings, each finding labelled where its pointer leads.
fn per_file(sources: &[PolicySource], findings: Vec<Vec<Problem>>, noun: &str) -> Vec<FileDiagnostic> {
    sources
        .iter()
        .zip(findings)
        .filter(|(_, list)| !list.is_empty())
        .map(|(source, list)| {
            let located = list
                .into_iter()
                .map(|problem| {
                    let span = locate(source.span(&problem.pointer), problem.at_key, &source.text);
                    (problem, span)
                })
                .collect();
            FileDiagnostic::from_findings(&source.path, &source.text, "policy", noun, located)
        })
        .collect()
}

fn source(
    path: String,
    text: Arc<String>,
    builtin: bool,
    name: Option<String>,
    spans: HashMap<String, NodeSpan>,
) -> PolicySource {
    PolicySource { path, text, builtin, name, spans }
}

fn syntax_error(path: &str, text: &Arc<String>, error: yaml::YamlError) -> FileDiagnostic {
    FileDiagnostic::single(
        path,
        text,
        format!("policy `{path}` is not valid YAML: {}", error.message),
        ByteSpan::new(error.offset, error.offset),
        &error.message,
        Some("policy files are YAML; see `fsx-guard schema policy`".into()),
    )
}

/// The span to label: the key for unknown keys, else the value's first line.
fn locate(node: Option<NodeSpan>, at_key: bool, text: &str) -> ByteSpan {
    node.map_or(ByteSpan::new(0, 0), |node| node.label(text, at_key))
}

fn rule(raw: RawRule, source: usize, pointer: &str, quoted: &dyn Fn(&str) -> bool) -> Result<Rule, Vec<Problem>> {
    let Some(kind) = RuleKind::parse(&raw.kind) else {
        return Err(vec![Problem::at(format!("{pointer}/kind"), format!("unknown rule kind `{}`", raw.kind))]);
    };
    let select = raw.select.unwrap_or_default();
    let mut problems = lint::select(&select, &format!("{pointer}/select"), quoted);
    let params = match kind.parse_params(&raw.params, &format!("{pointer}/params")) {
        Ok(params) => Some(params),
        Err(mut more) => {
            problems.append(&mut more);
            None
        }
    };
    match params {
        Some(params) if problems.is_empty() => Ok(Rule {
            id: raw.id,
            kind,
            severity: raw.severity.unwrap_or(Severity::Error),
            description: raw.description,
            select,
            params,
            source,
            pointer: pointer.to_string(),
        }),
        _ => Err(problems),
    }
}
