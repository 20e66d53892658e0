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
    load_with_waivers(paths, &[])
}

/// Policies as `load` does, then waivers files (`--waivers FILE`: a YAML file holding only a
/// `waivers:` list, as in a policy file).
pub fn load_with_waivers(paths: &[PathBuf], waiver_paths: &[PathBuf]) -> Result<PolicySet, crate::Error> {
    let mut files = Vec::new();
    if paths.is_empty() {
        files.push(PolicyFile::builtin());
    }
    for path in paths {
        for file in expand(path)? {
            let display = file.to_string_lossy().into_owned();
            let text = diag::read_text(&file, &display, POLICY_LIMIT, "policy files are limited to 4 MiB")?;
            files.push(PolicyFile { path: display, text, builtin: false, waivers_only: false });
        }
    }
    for path in waiver_paths {
        let display = path.to_string_lossy().into_owned();
        let text = diag::read_text(path, &display, POLICY_LIMIT, "waivers files are limited to 4 MiB")?;
        files.push(PolicyFile { path: display, text, builtin: false, waivers_only: true });
    }
    load_files(files)
}

/// The baseline compiled into the binary.
pub fn load_builtin() -> Result<PolicySet, crate::Error> {
    load_files(vec![PolicyFile::builtin()])
}

/// One file to load.
struct PolicyFile {
    path: String,
    text: Arc<String>,
    builtin: bool,
    /// A `--waivers` file: only `waivers:` (and `version`) may be in it.
    waivers_only: bool,
}

impl PolicyFile {
    fn builtin() -> PolicyFile {
        PolicyFile {
            path: BASELINE_PATH.to_string(),
            text: Arc::new(BASELINE.to_string()),
            builtin: true,
            waivers_only: false,
        }
    }
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
    load_files(
        files
            .into_iter()
            .map(|(path, text, builtin)| PolicyFile { path, text, builtin, waivers_only: false })
            .collect(),
    )
}

fn load_files(files: Vec<PolicyFile>) -> Result<PolicySet, crate::Error> {
    let mut set = PolicySet::default();
    let mut problems: Vec<Vec<Problem>> = Vec::new();
    let mut warnings: Vec<Vec<Problem>> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut first_ids: HashMap<String, (usize, String)> = HashMap::new();

    for PolicyFile { path, text, builtin, waivers_only } in files {
        let index = set.sources.len();
        let mut file_problems = Vec::new();
        let mut file_warnings = Vec::new();
        let spans = match yaml::node_spans(&text) {
            Ok(spans) => spans,
            Err(e) => {
                diagnostics.push(syntax_error(&path, &text, e));
                set.sources.push(source(path, text, builtin, waivers_only, None, HashMap::new()));
                problems.push(Vec::new());
                warnings.push(Vec::new());
                continue;
            }
        };
        let document: Value = match yaml::from_str(&text) {
            Ok(document) => document,
            Err(e) => {
                diagnostics.push(syntax_error(&path, &text, e));
                set.sources.push(source(path, text, builtin, waivers_only, None, spans));
                problems.push(Vec::new());
                warnings.push(Vec::new());
                continue;
            }
        };
        let schema_problems = if waivers_only { waivers_file_problems(&document) } else { schema::check(&document) };
        // Semantic checks run on every part the schema found nothing wrong with, so that one run
        // reports every problem of the file.
        // A part is clean when no schema problem is at it, inside it, or at an object around it
        // (a missing required key); problems at the top of the file block nothing.
        let clean = |at: &str| {
            !schema_problems.iter().any(|p| {
                p.pointer == at
                    || p.pointer.starts_with(&format!("{at}/"))
                    || (!p.pointer.is_empty() && at.starts_with(&format!("{}/", p.pointer)))
            })
        };
        let name = document.get("name").and_then(Value::as_str).map(str::to_string);
        let new_regions: std::collections::BTreeSet<String> = document
            .get("new_regions")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let rules = document.get("rules").and_then(Value::as_array).cloned().unwrap_or_default();
        let schema_clean = schema_problems.is_empty();
        file_problems.extend(schema_problems.iter().cloned());
        for (i, value) in rules.into_iter().enumerate() {
            let pointer = format!("/rules/{i}");
            let Some(id) = value.get("id").and_then(Value::as_str).map(str::to_string) else { continue };
            if clean(&format!("{pointer}/id")) {
                if let Some((first_source, first_pointer)) = first_ids.get(&id) {
                    let first_path = set.sources.get(*first_source).map_or(path.as_str(), |s| s.path.as_str());
                    file_problems.push(
                        Problem::at(format!("{pointer}/id"), format!("duplicate rule id `{id}`"))
                            .with_help(format!("`{id}` is first defined in `{first_path}` at `{first_pointer}`; rule ids must be unique across all policies")),
                    );
                    let duplicate = Problem::at(
                        format!("{first_pointer}/id"),
                        format!("rule id `{id}` is defined again in `{path}` at `{pointer}`"),
                    );
                    if *first_source == index {
                        file_problems.push(duplicate);
                    } else if let Some(list) = problems.get_mut(*first_source) {
                        list.push(duplicate);
                    }
                } else {
                    first_ids.insert(id.clone(), (index, pointer.clone()));
                }
            }
            let quoted = |p: &str| {
                spans.get(p).and_then(|n| text.get(n.value.start..)).is_some_and(|t| t.starts_with(['"', '\'']))
            };
            if !clean(&format!("{pointer}/kind")) {
                continue;
            }
            let select_ok = clean(&format!("{pointer}/select"));
            let params_ok = clean(&format!("{pointer}/params"));
            // Parts the schema found wrong are left out, so the rest can still be checked.
            let mut value = value;
            if let Some(map) = value.as_object_mut() {
                for key in ["select", "params", "severity", "description"] {
                    if !clean(&format!("{pointer}/{key}")) {
                        map.remove(key);
                    }
                }
            }
            // Region names are linted from the text as written, so that a typo is reported even
            // when something else in the rule is wrong too.
            let named = regions_named(&value, &pointer);
            let (mut region_problems, region_warnings) = lint::unknown_regions(&named, &new_regions);
            file_warnings.extend(region_warnings);
            file_problems.append(&mut region_problems);
            let Ok(raw_rule) = serde_json::from_value::<RawRule>(value) else { continue };
            match rule(raw_rule, index, &pointer, &quoted, select_ok, params_ok) {
                Ok(rule) => {
                    file_warnings.extend(rule.params.warnings(&rule.select, &pointer));
                    if schema_clean {
                        set.rules.push(rule);
                    }
                }
                Err(mut more) => file_problems.append(&mut more),
            }
        }
        if clean("/waivers") {
            let (waivers, mut waiver_problems) = super::waiver::parse(&document, index);
            file_problems.append(&mut waiver_problems);
            set.waivers.extend(waivers);
        }
        set.sources.push(source(path, text, builtin, waivers_only, name, spans));
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
    waivers_only: bool,
    name: Option<String>,
    spans: HashMap<String, NodeSpan>,
) -> PolicySource {
    PolicySource { path, text, builtin, waivers_only, name, spans }
}

/// A `--waivers` file is checked as a policy file that holds only `waivers:` (and maybe
/// `version: 1`); anything else in it is a problem at its key.
fn waivers_file_problems(document: &Value) -> Vec<Problem> {
    let Some(map) = document.as_object() else {
        return vec![
            Problem::at("", "a waivers file is a mapping with a `waivers:` list")
                .with_help("write `waivers:` and a list of waivers under it, as in a policy file"),
        ];
    };
    let mut problems = Vec::new();
    if !map.contains_key("waivers") {
        problems.push(Problem::at("", "a waivers file needs a `waivers:` list"));
    }
    let mut wrapped = serde_json::Map::new();
    wrapped.insert("version".into(), Value::from(1));
    wrapped.insert("rules".into(), Value::Array(Vec::new()));
    for (key, value) in map {
        match key.as_str() {
            "waivers" | "version" => {
                wrapped.insert(key.clone(), value.clone());
            }
            other => {
                let mut at = String::new();
                crate::span::push_token(&mut at, other);
                problems.push(
                    Problem::at(at, format!("`{other}` does not belong in a waivers file"))
                        .on_key()
                        .with_help("a waivers file holds only `waivers:`; rules go in policy files"),
                );
            }
        }
    }
    problems.extend(schema::check(&Value::Object(wrapped)));
    problems
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

/// Every Region a rule names, as (JSON pointer, name, whether the name is a mapping key):
/// `select.regions`, and the parameters `destinations`, `requested_regions` and `keys`.
fn regions_named(rule: &Value, pointer: &str) -> Vec<(String, String, bool)> {
    let mut named = Vec::new();
    for field in ["select/regions", "params/destinations", "params/requested_regions"] {
        let list = rule.pointer(&format!("/{field}")).and_then(Value::as_array);
        for (i, name) in list.into_iter().flatten().enumerate() {
            if let Some(name) = name.as_str() {
                named.push((format!("{pointer}/{field}/{i}"), name.to_string(), false));
            }
        }
    }
    if let Some(keys) = rule.pointer("/params/keys").and_then(Value::as_object) {
        for region in keys.keys() {
            let mut at = format!("{pointer}/params/keys");
            crate::span::push_token(&mut at, region);
            named.push((at, region.clone(), true));
        }
    }
    named
}

/// Types one rule. `select_ok` and `params_ok` say whether the schema found those parts
/// sound; a part it found wrong is not checked again (its problems are already reported).
fn rule(
    raw: RawRule,
    source: usize,
    pointer: &str,
    quoted: &dyn Fn(&str) -> bool,
    select_ok: bool,
    params_ok: bool,
) -> Result<Rule, Vec<Problem>> {
    let Some(kind) = RuleKind::parse(&raw.kind) else {
        return Err(vec![Problem::at(format!("{pointer}/kind"), format!("unknown rule kind `{}`", raw.kind))]);
    };
    let mut problems = Vec::new();
    let select = if select_ok {
        let select = raw.select.unwrap_or_default();
        problems.extend(lint::select(&select, &format!("{pointer}/select"), quoted));
        Some(select)
    } else {
        None
    };
    let params = if params_ok {
        match kind.parse_params(&raw.params, &format!("{pointer}/params")) {
            Ok(params) => Some(params),
            Err(mut more) => {
                problems.append(&mut more);
                None
            }
        }
    } else {
        None
    };
    match (select, params) {
        (Some(select), Some(params)) if problems.is_empty() => Ok(Rule {
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
