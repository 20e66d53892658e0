//! Terraform configuration directories (`*.tf`), evaluated statically as a pull-request check
//! runs: without providers, credentials or state.
//!
//! Variables (defaults < `terraform.tfvars` < `*.auto.tfvars` in name order < `--var-file` <
//! `--var`), locals, string templates, the common functions, `count`/`for_each` over known
//! values, `dynamic` blocks, references between resources, provider aliases and modules from
//! local paths are evaluated. What only `apply` knows (computed attributes such as `arn`, data
//! sources read from AWS, a variable without a value) is unknown. The configuration is turned
//! into the shape of a plan (`resource_changes` with `after`/`after_unknown`, `configuration`
//! with references), with the provider's defaults for omitted attributes, and read by the plan
//! reader, so both inputs judge alike; positions point into the `.tf` and `.tfvars` files.

mod eval;
mod functions;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl::expr::{Expression, TraversalOperator};
use hcl_edit::Span;
use serde_json::{Map, Value, json};

use super::terraform_plan::{self, Locations};
use super::{FileLoader, Options};
use crate::diag::{FileDiagnostic, Problem};
use crate::inventory::model::Origin;
use crate::inventory::{DataKind, Inventory, SourceFile, SourceFormat, Unreadable, hcl_pointer};
use crate::span::ByteSpan;
use eval::{Resolver, Scope, V};

/// One `.tf` file is at most this large (a generated file of many thousand resources is).
const FILE_LIMIT: u64 = 64 * 1024 * 1024;
/// Modules nest at most this deep, and expand to at most this many instances.
const MAX_MODULE_DEPTH: usize = 16;
const MAX_INSTANCES: usize = 4096;
/// Resource instances judged at most (`count`/`for_each` may ask for many).
const MAX_RESOURCE_INSTANCES: usize = 200_000;

/// An attribute as written: its expression, and where its value is.
#[derive(Debug, Clone)]
struct Attr {
    expr: Expression,
    origin: Origin,
}

/// A block as written.
#[derive(Debug, Clone)]
struct Block {
    ident: String,
    labels: Vec<String>,
    attrs: Vec<(String, Attr)>,
    blocks: Vec<Block>,
    origin: Origin,
}

impl Block {
    fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    fn label(&self, i: usize) -> &str {
        self.labels.get(i).map_or("", String::as_str)
    }
}

fn convert(body: &hcl_edit::structure::Body, source: usize) -> (Vec<(String, Attr)>, Vec<Block>) {
    let mut attrs = Vec::new();
    let mut blocks = Vec::new();
    for structure in body.iter() {
        if let Some(attribute) = structure.as_attribute() {
            let span = attribute.value.span().unwrap_or(0..0);
            attrs.push((
                attribute.key.as_str().to_string(),
                Attr {
                    expr: attribute.value.clone().into(),
                    origin: Origin { source, pointer: hcl_pointer(span.start, span.end) },
                },
            ));
        } else if let Some(block) = structure.as_block() {
            let (inner_attrs, inner_blocks) = convert(&block.body, source);
            let span = block.span().unwrap_or(0..0);
            // The block's first line: its header.
            blocks.push(Block {
                ident: block.ident.as_str().to_string(),
                labels: block.labels.iter().map(|l| l.as_str().to_string()).collect(),
                attrs: inner_attrs,
                blocks: inner_blocks,
                origin: Origin { source, pointer: hcl_pointer(span.start, span.start) },
            });
        }
    }
    (attrs, blocks)
}

/// One directory of configuration.
struct ModuleConfig {
    dir: PathBuf,
    display: String,
    blocks: Vec<Block>,
}

impl ModuleConfig {
    fn of<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }

    fn find(&self, ident: &str, labels: &[&str]) -> Option<&Block> {
        self.blocks.iter().find(|b| b.ident == ident && b.labels.iter().map(String::as_str).eq(labels.iter().copied()))
    }
}

/// One instance of a module: the root, or `module.a[0]`.
struct Instance {
    config: usize,
    /// `""`, `module.a[0]`, `module.a["x"].module.b`.
    address: String,
    /// The configuration path without instance keys: `""`, `module.a.module.b`.
    path: String,
    vars: HashMap<String, (V, Option<Origin>)>,
    /// Provider names in this module (`aws`, `aws.dr`) → the global configuration key.
    providers: HashMap<String, String>,
    /// Module calls: name → instances (instance key, index into `instances`).
    calls: HashMap<String, Vec<(Option<Value>, usize)>>,
    depth: usize,
}

struct Evaluator<'o> {
    options: &'o Options,
    configs: Vec<ModuleConfig>,
    instances: Vec<Instance>,
    locals: RefCell<HashMap<(usize, String), V>>,
    evaluating: RefCell<HashSet<(usize, String)>>,
    issues: Vec<Problem>,
    /// Resources that could not be expanded or modules not read: (address, why).
    unreadable: Vec<(String, String, Origin)>,
}

/// Reads a configuration directory into a loader. Parse errors become diagnostics.
pub(super) fn load(
    dir: &Path,
    display: &str,
    options: &Options,
    inventory: &mut Inventory,
    diagnostics: &mut Vec<FileDiagnostic>,
) -> Option<FileLoader> {
    let mut evaluator = Evaluator {
        options,
        configs: Vec::new(),
        instances: Vec::new(),
        locals: RefCell::new(HashMap::new()),
        evaluating: RefCell::new(HashSet::new()),
        issues: Vec::new(),
        unreadable: Vec::new(),
    };
    let first_source = inventory.sources.len();
    eval::reset_budget();
    let root = read_dir(dir, display, inventory, diagnostics, true)?;
    let root_config = evaluator.configs.len();
    let root_vars = root.tfvars.clone();
    evaluator.configs.push(root.config);
    let vars = evaluator.root_variables(root_config, &root_vars, inventory, diagnostics);
    let providers = evaluator.own_providers(root_config, "");
    evaluator.instances.push(Instance {
        config: root_config,
        address: String::new(),
        path: String::new(),
        vars,
        providers,
        calls: HashMap::new(),
        depth: 0,
    });
    evaluator.expand_modules(0, inventory, diagnostics);
    let source = if inventory.sources.len() > first_source { first_source } else { return None };
    let (plan, locations) = evaluator.synthesise();
    let mut loader = FileLoader::new(source);
    loader.issues = evaluator.issues.clone();
    for (address, why, origin) in std::mem::take(&mut evaluator.unreadable) {
        loader.unreadable.push((
            Some(options.account.clone().unwrap_or_default()),
            Unreadable {
                kind: DataKind::FileSystems,
                region: None,
                file_system: None,
                resource: Some(address),
                reason: why,
                origin,
            },
        ));
    }
    terraform_plan::read(&plan, options, &mut loader, inventory, Some(&locations), "terraform");
    Some(loader)
}

struct DirRead {
    config: ModuleConfig,
    /// `terraform.tfvars` then `*.auto.tfvars` (name order): (source, attributes).
    tfvars: Vec<(usize, Vec<(String, Attr)>)>,
}

/// Reads and parses every `.tf` file of a directory (and, for the root, its tfvars files).
fn read_dir(
    dir: &Path,
    display: &str,
    inventory: &mut Inventory,
    diagnostics: &mut Vec<FileDiagnostic>,
    root: bool,
) -> Option<DirRead> {
    let mut names: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(e) => {
            diagnostics.push(FileDiagnostic::single(
                display,
                &Arc::new(String::new()),
                format!("cannot read the Terraform configuration `{display}`: {e}"),
                ByteSpan::new(0, 0),
                "",
                None,
            ));
            return None;
        }
    };
    names.sort();
    let mut blocks = Vec::new();
    let mut tfvars = Vec::new();
    let mut auto_tfvars = Vec::new();
    let mut parsed_any = false;
    for path in names {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let kind = if name.ends_with(".tf") {
            "tf"
        } else if root && name == "terraform.tfvars" {
            "tfvars"
        } else if root && name.ends_with(".auto.tfvars") {
            "auto"
        } else if name.ends_with(".tf.json") || name.ends_with(".tfvars.json") {
            "json"
        } else {
            continue;
        };
        let shown = format!("{}/{name}", display.trim_end_matches('/'));
        if kind == "json" {
            // The JSON syntax is not read: its resources could be anything.
            let source = push_source(inventory, &shown, Arc::new(String::new()));
            blocks.push(Block {
                ident: "__unread".into(),
                labels: vec![shown.clone()],
                attrs: Vec::new(),
                blocks: Vec::new(),
                origin: Origin { source, pointer: hcl_pointer(0, 0) },
            });
            continue;
        }
        let text = match crate::diag::read_text(&path, &shown, FILE_LIMIT, "Terraform files are limited to 64 MiB") {
            Ok(text) => text,
            Err(_) => {
                diagnostics.push(FileDiagnostic::single(
                    &shown,
                    &Arc::new(String::new()),
                    format!("cannot read `{shown}`"),
                    ByteSpan::new(0, 0),
                    "",
                    None,
                ));
                continue;
            }
        };
        let source = push_source(inventory, &shown, Arc::clone(&text));
        let body: hcl_edit::structure::Body = match text.parse() {
            Ok(body) => body,
            Err(e) => {
                let e: hcl_edit::parser::Error = e;
                let location = e.location();
                let offset = crate::span::offset_of(&text, location.line(), location.column());
                diagnostics.push(FileDiagnostic::single(
                    &shown,
                    &text,
                    format!("`{shown}` is not valid HCL: {}", e.message()),
                    ByteSpan::new(offset, offset),
                    e.message(),
                    None,
                ));
                continue;
            }
        };
        parsed_any = true;
        let (attrs, file_blocks) = convert(&body, source);
        match kind {
            "tf" => blocks.extend(file_blocks),
            "tfvars" => tfvars.push((source, attrs)),
            _ => auto_tfvars.push((source, attrs)),
        }
    }
    if !parsed_any && blocks.is_empty() {
        diagnostics.push(FileDiagnostic::single(
            display,
            &Arc::new(String::new()),
            format!("`{display}` holds no Terraform configuration (`*.tf` files)"),
            ByteSpan::new(0, 0),
            "",
            Some("give a directory of `.tf` files, a plan (`terraform show -json`), a template or an inventory".into()),
        ));
        return None;
    }
    tfvars.extend(auto_tfvars);
    Some(DirRead { config: ModuleConfig { dir: dir.to_path_buf(), display: display.to_string(), blocks }, tfvars })
}

fn push_source(inventory: &mut Inventory, path: &str, text: Arc<String>) -> usize {
    inventory.sources.push(SourceFile {
        path: path.to_string(),
        text,
        format: SourceFormat::Hcl,
        code: true,
        sha256: Default::default(),
        released: false,
        located: Default::default(),
    });
    inventory.sources.len() - 1
}

/// A resolver for expressions of one module instance (and one resource instance).
struct At<'e, 'o> {
    ev: &'e Evaluator<'o>,
    inst: usize,
    count: Option<Value>,
    each: Option<(Value, Value)>,
}

impl Resolver for At<'_, '_> {
    fn resolve(&self, root: &str, ops: &[TraversalOperator], _scope: &Scope) -> (V, usize) {
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        let Some(inst) = self.ev.instances.get(self.inst) else { return (V::unknown("no module instance"), ops.len()) };
        match root {
            "var" => match attr(0) {
                Some(name) => match inst.vars.get(&name) {
                    Some((v, _)) => (v.clone(), 1),
                    None => (V::unknown(format!("`var.{name}` is not declared")), 1),
                },
                None => (V::unknown("`var` needs a name"), ops.len()),
            },
            "local" => match attr(0) {
                Some(name) => (self.ev.local(self.inst, &name), 1),
                None => (V::unknown("`local` needs a name"), ops.len()),
            },
            "count" => match (&self.count, attr(0).as_deref()) {
                (Some(i), Some("index")) => (V::Known(i.clone()), 1),
                _ => (V::unknown("`count.index` outside a resource with `count`"), ops.len()),
            },
            "each" => match (&self.each, attr(0).as_deref()) {
                (Some((k, _)), Some("key")) => (V::Known(k.clone()), 1),
                (Some((_, v)), Some("value")) => (V::Known(v.clone()), 1),
                _ => (V::unknown("`each` outside a resource with `for_each`"), ops.len()),
            },
            "path" => {
                let dir = self.ev.configs.get(inst.config).map_or(String::new(), |c| c.display.clone());
                (V::Known(Value::String(dir)), 1)
            }
            "terraform" => (V::Known(json!({"workspace": "default"})), 0),
            "data" => match (attr(0), attr(1)) {
                (Some(kind), Some(name)) => {
                    let (v, consumed) = self.ev.data(self.inst, &kind, &name, ops.get(2..).unwrap_or_default());
                    (v, 2 + consumed)
                }
                _ => (V::unknown("`data` needs a type and a name"), ops.len()),
            },
            "module" => match attr(0) {
                Some(name) => self.ev.module_output(self.inst, &name, ops.get(1..).unwrap_or_default()),
                None => (V::unknown("`module` needs a name"), ops.len()),
            },
            "self" => (V::unknown("`self` is known only in provisioners"), ops.len()),
            kind => match attr(0) {
                Some(name) => {
                    let (v, consumed) = self.ev.resource_attr(self.inst, kind, &name, ops.get(1..).unwrap_or_default());
                    (v, 1 + consumed)
                }
                None => (V::unknown(format!("`{kind}` is not a known name")), ops.len()),
            },
        }
    }
}

/// Provider defaults the plan would show for attributes the configuration leaves out
/// (the Terraform AWS provider's schema `Default`s).
fn provider_defaults(resource_type: &str) -> &'static [(&'static str, Defaulted)] {
    match resource_type {
        "aws_fsx_openzfs_file_system" => &[
            ("automatic_backup_retention_days", Defaulted::Int(0)),
            ("copy_tags_to_backups", Defaulted::Bool(false)),
            ("storage_type", Defaulted::Str("SSD")),
        ],
        "aws_fsx_ontap_file_system" => &[("automatic_backup_retention_days", Defaulted::Int(0))],
        "aws_fsx_windows_file_system" => {
            &[("automatic_backup_retention_days", Defaulted::Int(7)), ("copy_tags_to_backups", Defaulted::Bool(false))]
        }
        "aws_fsx_lustre_file_system" => {
            &[("deployment_type", Defaulted::Str("SCRATCH_1")), ("copy_tags_to_backups", Defaulted::Bool(false))]
        }
        "aws_fsx_ontap_volume" => {
            &[("copy_tags_to_backups", Defaulted::Bool(false)), ("ontap_volume_type", Defaulted::Str("RW"))]
        }
        "aws_iam_role" | "aws_iam_user" | "aws_iam_policy" | "aws_iam_group" => &[("path", Defaulted::Str("/"))],
        _ => &[],
    }
}

#[derive(Debug, Clone, Copy)]
enum Defaulted {
    Int(i64),
    Bool(bool),
    Str(&'static str),
}

impl Defaulted {
    fn value(self) -> Value {
        match self {
            Defaulted::Int(i) => Value::from(i),
            Defaulted::Bool(b) => Value::Bool(b),
            Defaulted::Str(s) => Value::String(s.to_string()),
        }
    }
}

/// Resource types the plan reader judges; others are not synthesised.
fn judged(resource_type: &str) -> bool {
    resource_type.starts_with("aws_fsx_")
        || resource_type.starts_with("aws_backup_")
        || resource_type.starts_with("aws_iam_")
}

const META_ATTRS: [&str; 4] = ["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: [&str; 3] = ["lifecycle", "provisioner", "connection"];

impl<'o> Evaluator<'o> {
    fn config(&self, inst: usize) -> Option<&ModuleConfig> {
        self.instances.get(inst).and_then(|i| self.configs.get(i.config))
    }

    fn at(&self, inst: usize) -> At<'_, 'o> {
        At { ev: self, inst, count: None, each: None }
    }

    fn local(&self, inst: usize, name: &str) -> V {
        let key = (inst, name.to_string());
        if let Some(v) = self.locals.borrow().get(&key) {
            return v.clone();
        }
        if !self.evaluating.borrow_mut().insert(key.clone()) {
            return V::unknown(format!("`local.{name}` refers to itself"));
        }
        let expr = self.config(inst).and_then(|c| c.of("locals").find_map(|b| b.attr(name)).map(|a| a.expr.clone()));
        let v = match expr {
            Some(expr) => eval::eval(&expr, &self.at(inst), &Scope::default()),
            None => V::unknown(format!("`local.{name}` is not declared")),
        };
        self.evaluating.borrow_mut().remove(&key);
        self.locals.borrow_mut().insert(key, v.clone());
        v
    }

    /// The value of `kind.name` followed by `ops` (an instance key, then an attribute).
    fn resource_attr(&self, inst: usize, kind: &str, name: &str, ops: &[TraversalOperator]) -> (V, usize) {
        let Some(block) = self.config(inst).and_then(|c| c.find("resource", &[kind, name])) else {
            return (V::unknown(format!("`{kind}.{name}` is not a resource of this module")), ops.len());
        };
        let counted = block.attr("count").is_some() || block.attr("for_each").is_some();
        let (at, rest, consumed) = if counted {
            let key = match ops.first() {
                Some(TraversalOperator::Index(e)) => eval::eval(e, &self.at(inst), &Scope::default()),
                Some(TraversalOperator::LegacyIndex(n)) => V::Known(Value::from(*n)),
                _ => {
                    return (
                        V::unknown(format!("`{kind}.{name}` has several instances: known only after apply as a whole")),
                        ops.len(),
                    );
                }
            };
            let key = match key {
                V::Known(k) => k,
                u @ V::Unknown(_) => return (u, ops.len()),
            };
            let each = if block.attr("for_each").is_some() {
                let for_each =
                    self.instances_of(inst, block).ok().and_then(|list| list.into_iter().find(|(k, _, _)| *k == key));
                match for_each {
                    Some((_, _, each)) => each,
                    None => return (V::unknown(format!("`{kind}.{name}[{key}]` is not an instance")), ops.len()),
                }
            } else {
                None
            };
            let count = if block.attr("count").is_some() { Some(key) } else { None };
            (At { ev: self, inst, count, each }, ops.get(1..).unwrap_or_default(), 1)
        } else {
            (self.at(inst), ops, 0)
        };
        let Some(TraversalOperator::GetAttr(attr)) = rest.first() else {
            return (V::unknown(format!("`{kind}.{name}` as a whole is known only after apply")), ops.len());
        };
        let attr = attr.as_str();
        let v = match block.attr(attr) {
            Some(a) => eval::eval(&a.expr, &at, &Scope::default()),
            None => match provider_defaults(kind).iter().find(|(n, _)| *n == attr) {
                Some((_, d)) => V::Known(d.value()),
                None => V::unknown(format!("`{kind}.{name}.{attr}` is known only after apply")),
            },
        };
        (v, consumed + 1)
    }

    /// `data.<kind>.<name>.<attr>`: the data sources whose values fsx-guard knows.
    fn data(&self, inst: usize, kind: &str, name: &str, ops: &[TraversalOperator]) -> (V, usize) {
        let attr = match ops.first() {
            Some(TraversalOperator::GetAttr(a)) => a.as_str().to_string(),
            _ => return (V::unknown(format!("`data.{kind}.{name}` as a whole is not evaluated")), ops.len()),
        };
        let block = self.config(inst).and_then(|c| c.find("data", &[kind, name]));
        let options = self.options;
        let region = || -> V {
            let key =
                block.map_or_else(|| self.provider_key(inst, None), |b| self.provider_key(inst, b.attr("provider")));
            self.provider_region(&key)
        };
        let v = match (kind, attr.as_str()) {
            ("aws_caller_identity", "account_id") => match &options.account {
                Some(a) => V::Known(Value::String(a.clone())),
                None => V::unknown("`data.aws_caller_identity` is the account: add `--account ID`"),
            },
            ("aws_region", "name" | "region" | "id") => region(),
            ("aws_partition", "partition") => match region() {
                V::Known(r) => match r.as_str().and_then(crate::regions::lookup) {
                    Some(region) => V::Known(Value::String(region.partition.as_str().to_string())),
                    None => V::unknown("the partition of an unknown Region"),
                },
                u => u,
            },
            ("aws_iam_policy_document", "json" | "minified_json") => match block {
                Some(b) => self.policy_document(inst, b),
                None => V::unknown(format!("`data.{kind}.{name}` is not declared")),
            },
            _ => match block.and_then(|b| b.attr(&attr)) {
                Some(a) => eval::eval(&a.expr, &self.at(inst), &Scope::default()),
                None => V::unknown(format!(
                    "`data.{kind}.{name}.{attr}` is read from AWS by Terraform, which fsx-guard does not run"
                )),
            },
        };
        (v, 1)
    }

    /// The JSON of an `aws_iam_policy_document` from its `statement` blocks.
    fn policy_document(&self, inst: usize, block: &Block) -> V {
        for unsupported in ["source_policy_documents", "override_policy_documents", "source_json", "override_json"] {
            if block.attr(unsupported).is_some() {
                return V::unknown(format!("`{unsupported}` of an `aws_iam_policy_document` is not evaluated"));
            }
        }
        let at = self.at(inst);
        let mut statements = Vec::new();
        for statement in block.blocks.iter().filter(|b| b.ident == "statement") {
            let mut out = Map::new();
            let known = |name: &str| -> Result<Option<Value>, String> {
                match statement.attr(name).map(|a| eval::eval(&a.expr, &at, &Scope::default())) {
                    Some(V::Known(v)) => Ok(Some(v)),
                    Some(V::Unknown(why)) => Err(why),
                    None => Ok(None),
                }
            };
            for (attr, key) in [
                ("sid", "Sid"),
                ("effect", "Effect"),
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
            ] {
                match known(attr) {
                    Ok(Some(v)) => {
                        out.insert(key.to_string(), v);
                    }
                    Ok(None) => {}
                    Err(why) => return V::Unknown(why),
                }
            }
            out.entry("Effect").or_insert_with(|| Value::String("Allow".into()));
            let mut conditions: Map<String, Value> = Map::new();
            for condition in statement.blocks.iter().filter(|b| b.ident == "condition") {
                let field = |name: &str| match condition.attr(name).map(|a| eval::eval(&a.expr, &at, &Scope::default()))
                {
                    Some(V::Known(v)) => Ok(v),
                    Some(V::Unknown(why)) => Err(why),
                    None => Err(format!("a condition without `{name}`")),
                };
                let (test, variable, values) = match (field("test"), field("variable"), field("values")) {
                    (Ok(t), Ok(v), Ok(vs)) => (t, v, vs),
                    (Err(why), _, _) | (_, Err(why), _) | (_, _, Err(why)) => return V::Unknown(why),
                };
                let (Some(test), Some(variable)) = (eval::text(&test), eval::text(&variable)) else {
                    return V::unknown("a condition's test or variable is not a string");
                };
                if let Some(by_key) =
                    conditions.entry(test).or_insert_with(|| Value::Object(Map::new())).as_object_mut()
                {
                    by_key.insert(variable, values);
                }
            }
            if !conditions.is_empty() {
                out.insert("Condition".into(), Value::Object(conditions));
            }
            statements.push(Value::Object(out));
        }
        let document = json!({"Version": "2012-10-17", "Statement": statements});
        V::Known(Value::String(document.to_string()))
    }

    /// `module.<name>` followed by `ops`: an output of the module instance.
    fn module_output(&self, inst: usize, name: &str, ops: &[TraversalOperator]) -> (V, usize) {
        let Some(children) = self.instances.get(inst).and_then(|i| i.calls.get(name)) else {
            return (
                V::unknown(format!("`module.{name}` is not read (not a local module, or not declared)")),
                ops.len(),
            );
        };
        let (child, rest, consumed) = match (children.as_slice(), ops.first()) {
            ([(None, child)], _) => (*child, ops, 1),
            (_, Some(TraversalOperator::Index(e))) => match eval::eval(e, &self.at(inst), &Scope::default()) {
                V::Known(key) => match children.iter().find(|(k, _)| k.as_ref() == Some(&key)) {
                    Some((_, child)) => (*child, ops.get(1..).unwrap_or_default(), 2),
                    None => return (V::unknown(format!("`module.{name}[{key}]` is not an instance")), ops.len()),
                },
                u @ V::Unknown(_) => return (u, ops.len()),
            },
            _ => return (V::unknown(format!("`module.{name}` has several instances")), ops.len()),
        };
        let Some(TraversalOperator::GetAttr(output)) = rest.first() else {
            return (V::unknown(format!("`module.{name}` as a whole is not evaluated")), ops.len());
        };
        let expr = self
            .config(child)
            .and_then(|c| c.find("output", &[output.as_str()]))
            .and_then(|b| b.attr("value"))
            .map(|a| a.expr.clone());
        let v = match expr {
            Some(expr) => eval::eval(&expr, &self.at(child), &Scope::default()),
            None => V::unknown(format!("`module.{name}.{}` is not an output", output.as_str())),
        };
        (v, consumed)
    }

    /// Root variables: defaults, then tfvars files, `--var-file`, `--var`.
    fn root_variables(
        &mut self,
        config: usize,
        tfvars: &[(usize, Vec<(String, Attr)>)],
        inventory: &mut Inventory,
        diagnostics: &mut Vec<FileDiagnostic>,
    ) -> HashMap<String, (V, Option<Origin>)> {
        let mut values: HashMap<String, (V, Option<Origin>)> = HashMap::new();
        let declared: Vec<Block> =
            self.configs.get(config).map(|c| c.of("variable").cloned().collect()).unwrap_or_default();
        let empty = EmptyResolver;
        for block in &declared {
            let name = block.label(0).to_string();
            let v = match block.attr("default") {
                Some(a) => (eval::eval(&a.expr, &empty, &Scope::default()), Some(a.origin.clone())),
                None => (V::unknown(format!("not known before apply: `var.{name}` has no value")), None),
            };
            values.insert(name, v);
        }
        let mut files: Vec<(usize, Vec<(String, Attr)>)> = tfvars.to_vec();
        for path in &self.options.var_files {
            let shown = path.to_string_lossy().into_owned();
            let text = match crate::diag::read_text(path, &shown, FILE_LIMIT, "variable files are limited to 64 MiB") {
                Ok(text) => text,
                Err(_) => {
                    diagnostics.push(FileDiagnostic::single(
                        &shown,
                        &Arc::new(String::new()),
                        format!("cannot read `--var-file {shown}`"),
                        ByteSpan::new(0, 0),
                        "",
                        None,
                    ));
                    continue;
                }
            };
            let source = push_source(inventory, &shown, Arc::clone(&text));
            match text.parse::<hcl_edit::structure::Body>() {
                Ok(body) => files.push((source, convert(&body, source).0)),
                Err(e) => diagnostics.push(FileDiagnostic::single(
                    &shown,
                    &text,
                    format!("`{shown}` is not valid HCL: {}", e.message()),
                    ByteSpan::new(0, 0),
                    "",
                    None,
                )),
            }
        }
        for (_, attrs) in &files {
            for (name, attr) in attrs {
                if !values.contains_key(name) {
                    self.issues.push(Problem::at("", format!("a value for undeclared variable `{name}` is ignored")));
                    continue;
                }
                values.insert(
                    name.clone(),
                    (eval::eval(&attr.expr, &empty, &Scope::default()), Some(attr.origin.clone())),
                );
            }
        }
        for (name, text) in &self.options.vars {
            let typed =
                declared.iter().find(|b| b.label(0) == name).and_then(|b| b.attr("type")).map(|t| type_name(&t.expr));
            let value = match typed.as_deref() {
                Some("string") | None => Value::String(text.clone()),
                Some("number") => {
                    eval::number(&Value::String(text.clone())).map_or_else(|| Value::String(text.clone()), eval::num)
                }
                Some("bool") => match text.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::String(text.clone()),
                },
                Some(_) => match text.parse::<hcl_edit::expr::Expression>() {
                    Ok(e) => match eval::eval(&e.into(), &empty, &Scope::default()) {
                        V::Known(v) => v,
                        V::Unknown(_) => Value::String(text.clone()),
                    },
                    Err(_) => Value::String(text.clone()),
                },
            };
            if !values.contains_key(name) {
                self.issues.push(Problem::at("", format!("`--var {name}=...` names an undeclared variable")));
            }
            values.insert(name.clone(), (V::Known(value), None));
        }
        values
    }

    /// Provider configurations a module declares: its name (`aws`, `aws.dr`) → global key.
    fn own_providers(&self, config: usize, path: &str) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for block in self.configs.get(config).into_iter().flat_map(|c| c.of("provider")) {
            let local = match block.attr("alias").map(|a| eval::eval(&a.expr, &EmptyResolver, &Scope::default())) {
                Some(V::Known(Value::String(alias))) => format!("{}.{alias}", block.label(0)),
                _ => block.label(0).to_string(),
            };
            let key = if path.is_empty() { local.clone() } else { format!("{path}:{local}") };
            out.insert(local, key);
        }
        out
    }

    /// The global provider key of a resource in `inst` (its `provider` argument, or `aws`).
    fn provider_key(&self, inst: usize, provider: Option<&Attr>) -> String {
        let local = match provider.map(|a| &a.expr) {
            Some(Expression::Traversal(t)) => {
                let mut name = match &t.expr {
                    Expression::Variable(v) => v.to_string(),
                    _ => "aws".into(),
                };
                if let Some(TraversalOperator::GetAttr(alias)) = t.operators.first() {
                    name = format!("{name}.{}", alias.as_str());
                }
                name
            }
            Some(Expression::Variable(v)) => v.to_string(),
            _ => "aws".to_string(),
        };
        self.instances.get(inst).and_then(|i| i.providers.get(&local)).cloned().unwrap_or(local)
    }

    /// The Region a provider configuration sets (`Unknown` when not set or not known).
    fn provider_region(&self, key: &str) -> V {
        for (inst_index, inst) in self.instances.iter().enumerate() {
            for block in self.configs.get(inst.config).into_iter().flat_map(|c| c.of("provider")) {
                let local = match block.attr("alias").map(|a| eval::eval(&a.expr, &EmptyResolver, &Scope::default())) {
                    Some(V::Known(Value::String(alias))) => format!("{}.{alias}", block.label(0)),
                    _ => block.label(0).to_string(),
                };
                let global = if inst.path.is_empty() { local } else { format!("{}:{local}", inst.path) };
                if global == key {
                    return match block.attr("region") {
                        Some(a) => eval::eval(&a.expr, &self.at(inst_index), &Scope::default()),
                        None => match &self.options.region {
                            Some(r) => V::Known(Value::String(r.clone())),
                            None => V::unknown(format!("provider `{key}` sets no `region`: add `--region`")),
                        },
                    };
                }
            }
        }
        match &self.options.region {
            Some(r) => V::Known(Value::String(r.clone())),
            None => V::unknown(format!("provider `{key}` is not configured: add `--region`")),
        }
    }

    /// Instances of a resource or module block: (key, address suffix, each).
    #[expect(clippy::type_complexity, reason = "a private triple")]
    fn instances_of(&self, inst: usize, block: &Block) -> Result<Vec<(Value, String, Option<(Value, Value)>)>, String> {
        if let Some(count) = block.attr("count") {
            return match eval::eval(&count.expr, &self.at(inst), &Scope::default()) {
                V::Known(v) => match eval::number(&v) {
                    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked range")]
                    Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 100_000.0 => {
                        Ok((0..n as u64).map(|i| (Value::from(i), format!("[{i}]"), None)).collect())
                    }
                    _ => Err(format!("`count` is {v}, not a whole number")),
                },
                V::Unknown(why) => Err(format!("`count` is not known before apply: {why}")),
            };
        }
        if let Some(for_each) = block.attr("for_each") {
            return match eval::eval(&for_each.expr, &self.at(inst), &Scope::default()) {
                V::Known(Value::Object(map)) => {
                    let mut keys: Vec<(&String, &Value)> = map.iter().collect();
                    keys.sort_by(|a, b| a.0.cmp(b.0));
                    Ok(keys
                        .into_iter()
                        .map(|(k, v)| {
                            (Value::String(k.clone()), format!("[{k:?}]"), Some((Value::String(k.clone()), v.clone())))
                        })
                        .collect())
                }
                V::Known(Value::Array(items)) => {
                    let mut keys: Vec<String> = items.iter().filter_map(eval::text).collect();
                    keys.sort();
                    keys.dedup();
                    Ok(keys
                        .into_iter()
                        .map(|k| {
                            (
                                Value::String(k.clone()),
                                format!("[{k:?}]"),
                                Some((Value::String(k.clone()), Value::String(k))),
                            )
                        })
                        .collect())
                }
                V::Known(other) => Err(format!("`for_each` is {other}, not a map or set")),
                V::Unknown(why) => Err(format!("`for_each` is not known before apply: {why}")),
            };
        }
        Ok(vec![(Value::Null, String::new(), None)])
    }

    /// Expands the module calls of `inst` (and theirs), reading local modules.
    fn expand_modules(&mut self, inst: usize, inventory: &mut Inventory, diagnostics: &mut Vec<FileDiagnostic>) {
        let Some(config_index) = self.instances.get(inst).map(|i| i.config) else { return };
        let calls: Vec<Block> =
            self.configs.get(config_index).map(|c| c.of("module").cloned().collect()).unwrap_or_default();
        let (parent_address, parent_path, depth) = match self.instances.get(inst) {
            Some(i) => (i.address.clone(), i.path.clone(), i.depth),
            None => return,
        };
        for call in calls {
            let name = call.label(0).to_string();
            let address_of = |suffix: &str| {
                if parent_address.is_empty() {
                    format!("module.{name}{suffix}")
                } else {
                    format!("{parent_address}.module.{name}{suffix}")
                }
            };
            let source = match call.attr("source").map(|a| eval::eval(&a.expr, &EmptyResolver, &Scope::default())) {
                Some(V::Known(Value::String(s))) => s,
                _ => String::new(),
            };
            let local = source.starts_with("./") || source.starts_with("../");
            if !local || depth + 1 > MAX_MODULE_DEPTH || self.instances.len() >= MAX_INSTANCES {
                let why = if local {
                    "modules nest too deeply or expand to too many instances".to_string()
                } else {
                    format!(
                        "module `{name}` comes from `{source}`, which fsx-guard does not download: its resources are not judged"
                    )
                };
                self.issues.push(Problem::at("", why.clone()));
                self.unreadable.push((address_of(""), why, call.origin.clone()));
                continue;
            }
            let instances = match self.instances_of(inst, &call) {
                Ok(list) => list,
                Err(why) => {
                    let why = format!("the instances of module `{name}` are not known: {why}");
                    self.issues.push(Problem::at("", why.clone()));
                    self.unreadable.push((address_of(""), why, call.origin.clone()));
                    continue;
                }
            };
            let dir = self.configs.get(config_index).map(|c| c.dir.join(&source)).unwrap_or_default();
            let display = self.configs.get(config_index).map(|c| join_display(&c.display, &source)).unwrap_or_default();
            // One configuration per directory, read once.
            let child_config = match self.configs.iter().position(|c| c.dir == dir) {
                Some(i) => i,
                None => match read_dir(&dir, &display, inventory, diagnostics, false) {
                    Some(read) => {
                        self.configs.push(read.config);
                        self.configs.len() - 1
                    }
                    None => continue,
                },
            };
            let path =
                if parent_path.is_empty() { format!("module.{name}") } else { format!("{parent_path}.module.{name}") };
            // Providers passed in (`providers = { aws = aws.dr }`), else the default one inherited.
            let mut providers = self.own_providers(child_config, &path);
            if let Some(Expression::Object(map)) = call.attr("providers").map(|a| &a.expr) {
                for (key, value) in map.iter() {
                    let local = match key {
                        hcl::expr::ObjectKey::Identifier(id) => id.to_string(),
                        hcl::expr::ObjectKey::Expression(e) => references_text(e),
                        _ => continue,
                    };
                    let parent_key =
                        self.provider_key(inst, Some(&Attr { expr: value.clone(), origin: call.origin.clone() }));
                    providers.insert(local, parent_key);
                }
            }
            if !providers.contains_key("aws") {
                providers.insert("aws".into(), self.provider_key(inst, None));
            }
            let mut children = Vec::new();
            for (key, suffix, each) in instances {
                let at = At {
                    ev: self,
                    inst,
                    count: each.is_none().then(|| key.clone()).filter(|k| !k.is_null()),
                    each: each.clone(),
                };
                let mut vars = HashMap::new();
                for block in self.configs.get(child_config).into_iter().flat_map(|c| c.of("variable")) {
                    let var = block.label(0).to_string();
                    let v = match call.attr(&var) {
                        Some(a) => (eval::eval(&a.expr, &at, &Scope::default()), Some(a.origin.clone())),
                        None => match block.attr("default") {
                            Some(d) => (eval::eval(&d.expr, &EmptyResolver, &Scope::default()), Some(d.origin.clone())),
                            None => (
                                V::unknown(format!(
                                    "not known before apply: `var.{var}` of module `{name}` has no value"
                                )),
                                None,
                            ),
                        },
                    };
                    vars.insert(var, v);
                }
                let child = Instance {
                    config: child_config,
                    address: address_of(&suffix),
                    path: path.clone(),
                    vars,
                    providers: providers.clone(),
                    calls: HashMap::new(),
                    depth: depth + 1,
                };
                self.instances.push(child);
                let index = self.instances.len() - 1;
                children.push(((!key.is_null()).then_some(key), index));
                self.expand_modules(index, inventory, diagnostics);
            }
            if let Some(parent) = self.instances.get_mut(inst) {
                parent.calls.insert(name, children);
            }
        }
    }

    /// The configuration as a plan: changes, configuration blocks and where each value is.
    fn synthesise(&mut self) -> (Value, Locations) {
        let mut changes = Vec::new();
        let mut locations: Locations = HashMap::new();
        let mut config_by_path: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut seen_config: HashSet<(String, String)> = HashSet::new();
        let mut providers = Map::new();
        let mut unreadable = Vec::new();
        for inst in 0..self.instances.len() {
            let Some(instance) = self.instances.get(inst) else { continue };
            let (address, path) = (instance.address.clone(), instance.path.clone());
            let Some(config) = self.configs.get(instance.config) else { continue };
            for block in config.of("__unread") {
                let why = format!("`{}` is in Terraform's JSON syntax, which fsx-guard does not read", block.label(0));
                unreadable.push((block.label(0).to_string(), why, block.origin.clone()));
            }
            for provider in config.of("provider") {
                let local = match provider.attr("alias").map(|a| eval::eval(&a.expr, &EmptyResolver, &Scope::default()))
                {
                    Some(V::Known(Value::String(alias))) => format!("{}.{alias}", provider.label(0)),
                    _ => provider.label(0).to_string(),
                };
                let key = if path.is_empty() { local } else { format!("{path}:{local}") };
                let mut expressions = Map::new();
                if let Some(region) = provider.attr("region") {
                    let expression = match eval::eval(&region.expr, &self.at(inst), &Scope::default()) {
                        V::Known(v) => json!({"constant_value": v}),
                        V::Unknown(_) => json!({"references": refs(&region.expr)}),
                    };
                    expressions.insert("region".into(), expression);
                }
                providers.insert(key, json!({"name": provider.label(0), "expressions": expressions}));
            }
            for block in config.of("resource") {
                let (kind, name) = (block.label(0).to_string(), block.label(1).to_string());
                if !judged(&kind) {
                    continue;
                }
                let local_address = format!("{kind}.{name}");
                let full = |suffix: &str| {
                    if address.is_empty() {
                        format!("{local_address}{suffix}")
                    } else {
                        format!("{address}.{local_address}{suffix}")
                    }
                };
                let list = match self.instances_of(inst, block) {
                    Ok(list) => list,
                    Err(why) => {
                        if kind.starts_with("aws_fsx_") {
                            unreadable.push((
                                full(""),
                                format!("the instances of `{}` are not known: {why}", full("")),
                                block.origin.clone(),
                            ));
                        } else {
                            self.issues
                                .push(Problem::at("", format!("the instances of `{}` are not known: {why}", full(""))));
                        }
                        continue;
                    }
                };
                let provider = self.provider_key(inst, block.attr("provider"));
                if changes.len() + list.len() > MAX_RESOURCE_INSTANCES {
                    let why = format!(
                        "`{}` would make more than {MAX_RESOURCE_INSTANCES} resource instances in all: not judged",
                        full("")
                    );
                    unreadable.push((full(""), why, block.origin.clone()));
                    continue;
                }
                for (key, suffix, each) in list {
                    let count = (each.is_none() && !key.is_null()).then(|| key.clone());
                    let at = At { ev: self, inst, count, each };
                    let mut body = Body::default();
                    self.body(block, &at, &Scope::default(), &mut body, true, &kind);
                    let index = changes.len();
                    let mut change = json!({
                        "address": full(&suffix),
                        "mode": "managed",
                        "type": kind,
                        "name": name,
                        "change": {"actions": ["create"], "before": null, "after": body.after, "after_unknown": body.unknown},
                    });
                    if let Some(map) = change.as_object_mut() {
                        if !address.is_empty() {
                            map.insert("module_address".into(), Value::String(address.clone()));
                        }
                        if !key.is_null() {
                            map.insert("index".into(), key.clone());
                        }
                    }
                    changes.push(change);
                    locations.insert(index, (block.origin.clone(), body.origins, body.related));
                    if seen_config.insert((path.clone(), local_address.clone())) {
                        config_by_path.entry(path.clone()).or_default().push(json!({
                            "address": local_address,
                            "mode": "managed",
                            "type": kind,
                            "name": name,
                            "provider_config_key": provider,
                            "expressions": body.expressions,
                        }));
                    }
                }
            }
        }
        self.unreadable.extend(unreadable);
        // `configuration.root_module` with nested `module_calls`.
        let mut root = json!({"resources": [], "module_calls": {}});
        for (path, resources) in config_by_path {
            let names: Vec<&str> =
                path.split("module.").map(|p| p.trim_end_matches('.')).filter(|p| !p.is_empty()).collect();
            insert_at(&mut root, &names, resources);
        }
        let plan = json!({
            "format_version": "1.2",
            "terraform_version": "fsx-guard static evaluation",
            "resource_changes": changes,
            "configuration": {"provider_config": providers, "root_module": root},
        });
        (plan, locations)
    }

    /// Evaluates a block's attributes and nested blocks into `after`, `after_unknown` and
    /// configuration expressions (with the provider's defaults at the top level).
    fn body(&self, block: &Block, at: &At<'_, '_>, scope: &Scope, out: &mut Body, top: bool, kind: &str) {
        for (name, attr) in &block.attrs {
            if top && META_ATTRS.contains(&name.as_str()) {
                continue;
            }
            match eval::eval(&attr.expr, at, scope) {
                V::Known(v) => {
                    out.expressions.insert(name.clone(), json!({"constant_value": v}));
                    out.after.insert(name.clone(), v);
                }
                V::Unknown(_) => {
                    out.expressions.insert(name.clone(), json!({"references": refs(&attr.expr)}));
                    out.unknown.insert(name.clone(), Value::Bool(true));
                }
            }
            if top {
                let origin = self.value_origin(at.inst, attr);
                if origin != attr.origin {
                    out.related.insert(name.clone(), attr.origin.clone());
                }
                out.origins.insert(name.clone(), origin);
            }
        }
        let mut nested: BTreeMap<String, Nested> = BTreeMap::new();
        for child in &block.blocks {
            if top && META_BLOCKS.contains(&child.ident.as_str()) {
                continue;
            }
            if child.ident == "dynamic" {
                let label = child.label(0).to_string();
                let iterator = match child.attr("iterator").map(|a| &a.expr) {
                    Some(Expression::Variable(v)) => v.to_string(),
                    _ => label.clone(),
                };
                let items = match child.attr("for_each").map(|a| eval::eval(&a.expr, at, scope)) {
                    Some(V::Known(v)) => eval::entries(&v).unwrap_or_default(),
                    _ => {
                        // Unknown blocks: the whole nested list is unknown.
                        out.unknown.insert(label.clone(), Value::Bool(true));
                        out.expressions.insert(label, json!({"references": []}));
                        continue;
                    }
                };
                for content in child.blocks.iter().filter(|b| b.ident == "content") {
                    for (key, value) in &items {
                        let inner = Scope {
                            names: scope
                                .names
                                .iter()
                                .cloned()
                                .chain([(iterator.clone(), json!({"key": key, "value": value}))])
                                .collect(),
                            depth: scope.depth + 1,
                        };
                        let mut body = Body::default();
                        self.body(content, at, &inner, &mut body, false, kind);
                        nested.entry(label.clone()).or_default().push(body);
                    }
                }
                continue;
            }
            let mut body = Body::default();
            self.body(child, at, scope, &mut body, false, kind);
            if kind == "aws_backup_plan" && child.ident == "rule" {
                // The provider's defaults for a rule's windows.
                body.after.entry("start_window").or_insert(Value::from(60));
                body.after.entry("completion_window").or_insert(Value::from(180));
            }
            nested.entry(child.ident.clone()).or_default().push(body);
        }
        for (name, list) in nested {
            out.after.insert(name.clone(), Value::Array(list.after));
            out.unknown.insert(name.clone(), Value::Array(list.unknown));
            out.expressions.insert(name, Value::Array(list.expressions));
        }
        if top {
            for (name, default) in provider_defaults(kind) {
                if !out.after.contains_key(*name) && !out.unknown.contains_key(*name) {
                    out.after.insert((*name).to_string(), default.value());
                }
            }
        }
    }

    /// Where the value of an attribute is set: for `var.x` (or `"${var.x}"`), the literal that
    /// gave the variable its value; else the attribute's own value.
    fn value_origin(&self, inst: usize, attr: &Attr) -> Origin {
        let mut names = Vec::new();
        eval::references(&attr.expr, &mut names);
        if let [one] = names.as_slice()
            && let Some(name) = one.strip_prefix("var.")
            && let Some((_, Some(origin))) = self.instances.get(inst).and_then(|i| i.vars.get(name))
        {
            return origin.clone();
        }
        attr.origin.clone()
    }
}

/// Directories not searched for the configuration behind a plan.
const SKIPPED_DIRS: [&str; 4] = [".terraform", ".git", "node_modules", "target"];
/// `.tf` files read at most when looking for the configuration behind a plan.
const MAX_SOURCE_FILES: usize = 10_000;

/// Where the resources of a plan are written: its changes' resource blocks found in the `.tf`
/// files under `--source-root` (the current directory by default), by type and name, when a
/// block is declared once there. Changes not found keep their place in the plan.
pub(super) fn locate_plan(plan: &Value, options: &Options, inventory: &mut Inventory) -> Option<Locations> {
    let changes = plan.get("resource_changes").and_then(Value::as_array)?;
    let wanted: HashSet<(&str, &str)> = changes
        .iter()
        .filter_map(|c| Some((c.get("type")?.as_str()?, c.get("name")?.as_str()?)))
        .filter(|(t, _)| judged(t))
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let root = options.source_root.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() && !SKIPPED_DIRS.contains(&name) && !path.is_symlink() {
                stack.push(path);
            } else if name.ends_with(".tf") && files.len() < MAX_SOURCE_FILES {
                files.push(path);
            }
        }
    }
    // (type, name) → every block declaring it, with its file's source index.
    let mut blocks: HashMap<(String, String), Vec<Block>> = HashMap::new();
    for path in files {
        let Ok(text) = crate::diag::read_text(&path, &path.to_string_lossy(), FILE_LIMIT, "") else { continue };
        if !wanted.iter().any(|(t, n)| text.contains(t) && text.contains(n)) {
            continue;
        }
        let Ok(body) = text.parse::<hcl_edit::structure::Body>() else { continue };
        let shown = path.strip_prefix("./").unwrap_or(&path).to_string_lossy().into_owned();
        let source = push_source(inventory, &shown, Arc::clone(&text));
        for block in convert(&body, source).1.into_iter().filter(|b| b.ident == "resource") {
            let key = (block.label(0).to_string(), block.label(1).to_string());
            if wanted.contains(&(key.0.as_str(), key.1.as_str())) {
                blocks.entry(key).or_default().push(block);
            }
        }
    }
    let mut locations: Locations = HashMap::new();
    for (index, change) in changes.iter().enumerate() {
        let (Some(kind), Some(name)) =
            (change.get("type").and_then(Value::as_str), change.get("name").and_then(Value::as_str))
        else {
            continue;
        };
        if let Some([block]) = blocks.get(&(kind.to_string(), name.to_string())).map(Vec::as_slice) {
            let attrs = block.attrs.iter().map(|(n, a)| (n.clone(), a.origin.clone())).collect();
            locations.insert(index, (block.origin.clone(), attrs, HashMap::new()));
        }
    }
    (!locations.is_empty()).then_some(locations)
}

/// Puts configuration resources at a module path of `configuration.root_module`.
fn insert_at(node: &mut Value, names: &[&str], resources: Vec<Value>) {
    match names.split_first() {
        None => {
            if let Some(list) = node.get_mut("resources").and_then(Value::as_array_mut) {
                list.extend(resources);
            }
        }
        Some((first, rest)) => {
            let calls =
                node.as_object_mut().and_then(|m| m.entry("module_calls").or_insert_with(|| json!({})).as_object_mut());
            if let Some(calls) = calls {
                let child = calls
                    .entry((*first).to_string())
                    .or_insert_with(|| json!({"module": {"resources": [], "module_calls": {}}}));
                if let Some(module) = child.get_mut("module") {
                    insert_at(module, rest, resources);
                }
            }
        }
    }
}

/// The blocks of one name inside a block, evaluated.
#[derive(Default)]
struct Nested {
    after: Vec<Value>,
    unknown: Vec<Value>,
    expressions: Vec<Value>,
}

impl Nested {
    fn push(&mut self, body: Body) {
        self.after.push(Value::Object(body.after));
        self.unknown.push(Value::Object(body.unknown));
        self.expressions.push(Value::Object(body.expressions));
    }
}

#[derive(Default)]
struct Body {
    after: Map<String, Value>,
    unknown: Map<String, Value>,
    expressions: Map<String, Value>,
    origins: HashMap<String, Origin>,
    related: HashMap<String, Origin>,
}

/// Resolves nothing: for defaults and tfvars, which may hold literals only.
struct EmptyResolver;

impl Resolver for EmptyResolver {
    fn resolve(&self, root: &str, ops: &[TraversalOperator], _scope: &Scope) -> (V, usize) {
        (V::unknown(format!("`{root}` cannot be used here (only literal values)")), ops.len())
    }
}

/// `dir` joined with a relative `source`, `.` and `..` resolved as text (for messages and
/// report paths; the files are read through the real path).
fn join_display(dir: &str, source: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let absolute = dir.starts_with('/');
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn refs(e: &Expression) -> Vec<String> {
    let mut out = Vec::new();
    eval::references(e, &mut out);
    out
}

/// `aws.dr` written as an object key.
fn references_text(e: &Expression) -> String {
    refs(e).into_iter().next().unwrap_or_default()
}

/// The primitive type a variable's `type` names, or `complex`.
fn type_name(e: &Expression) -> String {
    match e {
        Expression::Variable(v) => v.to_string(),
        _ => "complex".to_string(),
    }
}
