//! CloudFormation templates, YAML (short-form tags) or JSON, including `cdk synth` output.
//!
//! Intrinsic functions are evaluated statically: `Ref` (parameters with `--parameter` values or
//! their defaults, pseudo parameters from `--region`/`--account`, `AWS::NoValue`), `Fn::GetAtt`
//! and `Ref` of resources (kept as references), `Fn::Sub`, `Fn::Join`, `Fn::If`, `Fn::Select`,
//! `Fn::FindInMap`, and the condition functions. What cannot be known before deployment
//! (`Fn::ImportValue`, SSM parameter types, a parameter without a value, `AWS::StackName`, a
//! function fsx-guard does not evaluate) is unknown, and `error` where it decides a verdict.
//! A template's resources are in the stack's Region (`--region`) and account (`--account`).

use std::collections::HashMap;

use serde_json::Value;

use super::planned::scalar_text;
use super::planned_iam::{Attachment, Doc, Kind, Policy, Principal, Ref};
use super::{FileLoader, Options, Resource, planned};
use crate::diag::Problem;
use crate::inventory::backup_plan::{Plan, PlanRule, Selection, Target, Vault};
use crate::inventory::model::{FileSystemType, Origin, Planned, StorageType, Tags};
use crate::inventory::{DataKind, Inventory, SourceFormat, Unreadable};
use crate::regions::Partition;

const INPUT: &str = "cloudformation";

/// Nesting of intrinsic functions (and conditions) evaluated at most.
const MAX_DEPTH: usize = 64;

/// Whether `text` looks like a template: it names the template format version, or declares
/// resources with an `AWS::` type.
pub(super) fn looks_like(text: &str) -> bool {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text.get(..end).unwrap_or_default();
    head.contains("AWSTemplateFormatVersion")
        || (head.contains("Resources")
            && (head.contains("Type: AWS::")
                || head.contains("\"Type\": \"AWS::")
                || head.contains("\"Type\":\"AWS::")))
}

/// CloudFormation's short-form YAML tags, as their long forms.
fn long_form(tag: &str, value: Value) -> Value {
    let key = match tag {
        "Ref" => "Ref".to_string(),
        "Condition" => "Condition".to_string(),
        "GetAtt" => {
            // `!GetAtt Resource.Attribute` is a string; the long form is a list.
            let value = match value {
                Value::String(text) => match text.split_once('.') {
                    Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
                    None => Value::String(text),
                },
                other => other,
            };
            return serde_json::json!({"Fn::GetAtt": value});
        }
        other => format!("Fn::{other}"),
    };
    let mut map = serde_json::Map::new();
    map.insert(key, value);
    Value::Object(map)
}

/// What a template value evaluates to.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    /// A value, and the JSON pointer of the literal that set it (in this template), if any.
    Known(Value, Option<String>),
    /// A reference to a resource of the template: `Ref` (attribute `None`) or `Fn::GetAtt`.
    Resource(String, Option<String>),
    /// `AWS::NoValue`: as if the property were not written.
    NoValue,
    Unknown(String),
}

struct Template<'a> {
    root: &'a Value,
    /// The template's path as given, for addresses (`path#LogicalId`).
    path: &'a str,
    options: &'a Options,
    parameters: HashMap<&'a str, String>,
}

impl<'a> Template<'a> {
    fn section(&self, name: &str) -> Option<&'a serde_json::Map<String, Value>> {
        self.root.get(name).and_then(Value::as_object)
    }

    fn address(&self, logical: &str) -> String {
        format!("{}#{logical}", self.path)
    }

    fn eval(&self, node: &'a Value, pointer: &str, depth: usize) -> Ev {
        if depth > MAX_DEPTH {
            return Ev::Unknown("intrinsic functions nested too deeply".into());
        }
        let Some((key, arg)) = node.as_object().filter(|m| m.len() == 1).and_then(|m| m.iter().next()) else {
            return Ev::Known(node.clone(), Some(pointer.to_string()));
        };
        let at = |suffix: &str| {
            format!("{pointer}/{}", crate::span::pointer([key.as_str()]).trim_start_matches('/')) + suffix
        };
        match key.as_str() {
            "Ref" => match arg.as_str() {
                Some(name) => self.reference(name),
                None => Ev::Unknown("`Ref` needs a name".into()),
            },
            "Fn::GetAtt" => {
                let parts: Vec<&str> = match arg {
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                    Value::String(text) => text.splitn(2, '.').collect(),
                    _ => Vec::new(),
                };
                match parts.as_slice() {
                    [resource, attribute] if self.is_resource(resource) => {
                        Ev::Resource((*resource).to_string(), Some((*attribute).to_string()))
                    }
                    [resource, _] => Ev::Unknown(format!("`Fn::GetAtt` names `{resource}`, which is not a resource")),
                    _ => Ev::Unknown("`Fn::GetAtt` needs a resource and an attribute".into()),
                }
            }
            "Fn::Sub" => self.sub(arg, &at(""), depth),
            "Fn::Join" => {
                let (Some(delimiter), Some(list)) = (arg.get(0).and_then(Value::as_str), arg.get(1)) else {
                    return Ev::Unknown("`Fn::Join` needs a delimiter and a list".into());
                };
                match self.list(list, &at("/1"), depth + 1) {
                    Ok(items) => {
                        let mut texts = Vec::new();
                        for (item, _) in items {
                            match scalar_text(&item) {
                                Some(text) => texts.push(text),
                                None => return Ev::Unknown(format!("`Fn::Join` of {item}")),
                            }
                        }
                        Ev::Known(Value::String(texts.join(delimiter)), None)
                    }
                    Err(why) => Ev::Unknown(why),
                }
            }
            "Fn::If" => {
                let (Some(condition), Some(yes), Some(no)) =
                    (arg.get(0).and_then(Value::as_str), arg.get(1), arg.get(2))
                else {
                    return Ev::Unknown("`Fn::If` needs a condition and two values".into());
                };
                match self.condition(condition, depth + 1) {
                    Ok(true) => self.eval(yes, &at("/1"), depth + 1),
                    Ok(false) => self.eval(no, &at("/2"), depth + 1),
                    Err(why) => Ev::Unknown(why),
                }
            }
            "Fn::Select" => {
                let (Some(index), Some(list)) = (arg.get(0), arg.get(1)) else {
                    return Ev::Unknown("`Fn::Select` needs an index and a list".into());
                };
                let index = match self.eval(index, &at("/0"), depth + 1) {
                    Ev::Known(value, _) => scalar_text(&value).and_then(|t| t.parse::<usize>().ok()),
                    Ev::Unknown(why) => return Ev::Unknown(why),
                    _ => None,
                };
                let Some(index) = index else { return Ev::Unknown("`Fn::Select` index is not a number".into()) };
                match self.list(list, &at("/1"), depth + 1) {
                    Ok(items) => match items.into_iter().nth(index) {
                        Some((value, origin)) => Ev::Known(value, origin),
                        None => Ev::Unknown(format!("`Fn::Select` index {index} is past the end of the list")),
                    },
                    Err(why) => Ev::Unknown(why),
                }
            }
            "Fn::FindInMap" => {
                let mut keys = Vec::new();
                for (i, part) in arg.as_array().map(Vec::as_slice).unwrap_or_default().iter().take(3).enumerate() {
                    match self.eval(part, &at(&format!("/{i}")), depth + 1) {
                        Ev::Known(value, _) => match scalar_text(&value) {
                            Some(text) => keys.push(text),
                            None => return Ev::Unknown("`Fn::FindInMap` keys must be strings".into()),
                        },
                        Ev::Unknown(why) => return Ev::Unknown(why),
                        _ => return Ev::Unknown("`Fn::FindInMap` keys must be strings".into()),
                    }
                }
                let [map, first, second] = keys.as_slice() else {
                    return Ev::Unknown("`Fn::FindInMap` needs a map and two keys".into());
                };
                match self
                    .section("Mappings")
                    .and_then(|m| m.get(map))
                    .and_then(|m| m.get(first))
                    .and_then(|m| m.get(second))
                {
                    Some(value) => {
                        Ev::Known(value.clone(), Some(crate::span::pointer(["Mappings", map, first, second])))
                    }
                    None => Ev::Unknown(format!("`Fn::FindInMap` finds nothing at {map}/{first}/{second}")),
                }
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" | "Condition" => match self.boolean(node, depth + 1) {
                Ok(value) => Ev::Known(Value::Bool(value), None),
                Err(why) => Ev::Unknown(why),
            },
            "Fn::ImportValue" => Ev::Unknown("imported from another stack's export (`Fn::ImportValue`)".into()),
            other if other.starts_with("Fn::") => {
                Ev::Unknown(format!("`{other}` is not evaluated by fsx-guard before deployment"))
            }
            _ => Ev::Known(node.clone(), Some(pointer.to_string())),
        }
    }

    /// A value with every intrinsic function inside it evaluated (a policy document), or why
    /// that cannot be done before deployment.
    fn deep(&self, node: &'a Value, pointer: &str, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let value = match self.eval(node, pointer, depth) {
            Ev::Known(value, origin) if origin.as_deref() == Some(pointer) => value,
            // A value produced by a function is plain data (a parameter, a mapping entry).
            Ev::Known(value, _) => return Ok(value),
            Ev::NoValue => return Ok(Value::Null),
            Ev::Resource(resource, attribute) => {
                return Err(match attribute {
                    Some(attribute) => format!("not known before deployment: it uses `{resource}.{attribute}`"),
                    None => format!("not known before deployment: it uses `{resource}`"),
                });
            }
            Ev::Unknown(why) => return Err(why),
        };
        match (value, node) {
            (Value::Object(_), Value::Object(original)) => {
                let mut out = serde_json::Map::new();
                for (key, child) in original {
                    let child_pointer = format!("{pointer}{}", crate::span::pointer([key.as_str()]));
                    let value = self.deep(child, &child_pointer, depth + 1)?;
                    if !value.is_null() {
                        out.insert(key.clone(), value);
                    }
                }
                Ok(Value::Object(out))
            }
            (Value::Array(_), Value::Array(original)) => {
                let mut out = Vec::new();
                for (i, child) in original.iter().enumerate() {
                    let value = self.deep(child, &format!("{pointer}/{i}"), depth + 1)?;
                    if !value.is_null() {
                        out.push(value);
                    }
                }
                Ok(Value::Array(out))
            }
            (value, _) => Ok(value),
        }
    }

    /// The one `AWS::FSx::FileSystem` of the template that `node` refers to (by `Ref`,
    /// `Fn::GetAtt` or `${..}` in `Fn::Sub`), when it refers to exactly one resource.
    fn single_file_system(&self, node: &Value) -> Option<String> {
        fn walk(node: &Value, out: &mut Vec<String>, depth: usize) {
            if depth > MAX_DEPTH {
                return;
            }
            match node {
                Value::Object(map) => {
                    for (key, value) in map {
                        match (key.as_str(), value) {
                            ("Ref", Value::String(name)) => out.push(name.clone()),
                            ("Fn::GetAtt", Value::Array(items)) => {
                                out.extend(items.first().and_then(Value::as_str).map(str::to_string));
                            }
                            ("Fn::GetAtt", Value::String(text)) => {
                                out.extend(text.split('.').next().map(str::to_string));
                            }
                            ("Fn::Sub", Value::String(text)) => {
                                for part in text.split("${").skip(1) {
                                    let name = part.split('}').next().unwrap_or_default();
                                    out.extend(name.split('.').next().map(str::to_string));
                                }
                            }
                            _ => walk(value, out, depth + 1),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| walk(item, out, depth + 1)),
                _ => {}
            }
        }
        let mut names = Vec::new();
        walk(node, &mut names, 0);
        let resources = self.section("Resources")?;
        let mut found = names.into_iter().filter(|n| resources.contains_key(n.as_str()));
        let first = found.next()?;
        let is_fs =
            resources.get(&first).and_then(|r| r.get("Type")).and_then(Value::as_str) == Some("AWS::FSx::FileSystem");
        (is_fs && found.all(|other| other == first)).then_some(first)
    }

    fn is_resource(&self, name: &str) -> bool {
        self.section("Resources").is_some_and(|r| r.contains_key(name))
    }

    fn reference(&self, name: &str) -> Ev {
        let options = self.options;
        let region = options.region.as_deref().and_then(crate::regions::lookup);
        match name {
            "AWS::Region" => match &options.region {
                Some(region) => Ev::Known(Value::String(region.clone()), None),
                None => Ev::Unknown("`AWS::Region` is the stack's Region: add `--region`".into()),
            },
            "AWS::AccountId" => match &options.account {
                Some(account) => Ev::Known(Value::String(account.clone()), None),
                None => Ev::Unknown("`AWS::AccountId` is the stack's account: add `--account ID`".into()),
            },
            "AWS::Partition" => match region {
                Some(region) => Ev::Known(Value::String(region.partition.as_str().to_string()), None),
                None => Ev::Unknown("`AWS::Partition` follows the stack's Region: add `--region`".into()),
            },
            "AWS::URLSuffix" => match region.map(|r| r.partition) {
                Some(Partition::AwsCn) => Ev::Known(Value::String("amazonaws.com.cn".into()), None),
                Some(_) => Ev::Known(Value::String("amazonaws.com".into()), None),
                None => Ev::Unknown("`AWS::URLSuffix` follows the stack's Region: add `--region`".into()),
            },
            "AWS::NoValue" => Ev::NoValue,
            "AWS::StackName" | "AWS::StackId" | "AWS::NotificationARNs" => {
                Ev::Unknown(format!("`{name}` is known only when the stack is deployed"))
            }
            _ if self.is_resource(name) => Ev::Resource(name.to_string(), None),
            _ => {
                let Some(parameter) = self.section("Parameters").and_then(|p| p.get(name)) else {
                    return Ev::Unknown(format!("`{name}` is neither a parameter nor a resource of the template"));
                };
                let kind = parameter.get("Type").and_then(Value::as_str).unwrap_or("String");
                let value = match self.parameters.get(name) {
                    Some(value) => Some((Value::String(value.clone()), None)),
                    None => parameter
                        .get("Default")
                        .map(|d| (d.clone(), Some(crate::span::pointer(["Parameters", name, "Default"])))),
                };
                match value {
                    _ if kind.starts_with("AWS::SSM::Parameter::Value") => {
                        Ev::Unknown(format!("parameter `{name}` is read from SSM Parameter Store at deployment"))
                    }
                    Some((value, origin)) if kind == "CommaDelimitedList" || kind.starts_with("List<") => {
                        let items = scalar_text(&value).unwrap_or_default();
                        Ev::Known(
                            Value::Array(items.split(',').map(|s| Value::String(s.trim().to_string())).collect()),
                            origin,
                        )
                    }
                    Some((value, origin)) => Ev::Known(value, origin),
                    None => Ev::Unknown(format!("parameter `{name}` has no value: pass `--parameter {name}=...`")),
                }
            }
        }
    }

    /// `Fn::Sub`, with `${Name}`, `${Resource.Attribute}` and `${!Literal}`.
    fn sub(&self, arg: &'a Value, pointer: &str, depth: usize) -> Ev {
        let (text, variables) = match arg {
            Value::String(text) => (text.as_str(), None),
            Value::Array(items) => match (items.first().and_then(Value::as_str), items.get(1)) {
                (Some(text), variables) => (text, variables.and_then(Value::as_object)),
                _ => return Ev::Unknown("`Fn::Sub` needs a string".into()),
            },
            _ => return Ev::Unknown("`Fn::Sub` needs a string".into()),
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(rest.get(..start).unwrap_or_default());
            let after = rest.get(start + 2..).unwrap_or_default();
            let Some(end) = after.find('}') else {
                out.push_str(rest.get(start..).unwrap_or_default());
                rest = "";
                break;
            };
            let name = after.get(..end).unwrap_or_default().trim();
            rest = after.get(end + 1..).unwrap_or_default();
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|v| v.get(name)) {
                Some(node) => self.eval(node, &format!("{pointer}/1/{name}"), depth + 1),
                None => match name.split_once('.') {
                    Some((resource, attribute)) if self.is_resource(resource) => {
                        Ev::Resource(resource.to_string(), Some(attribute.to_string()))
                    }
                    _ => self.reference(name),
                },
            };
            match value {
                Ev::Known(value, _) => match scalar_text(&value) {
                    Some(text) => out.push_str(&text),
                    None => return Ev::Unknown(format!("`${{{name}}}` in `Fn::Sub` is not a string")),
                },
                Ev::Resource(resource, _) => {
                    return Ev::Unknown(format!("not known before deployment: `Fn::Sub` uses `{resource}`"));
                }
                Ev::NoValue => return Ev::Unknown(format!("`${{{name}}}` in `Fn::Sub` has no value")),
                Ev::Unknown(why) => return Ev::Unknown(why),
            }
        }
        out.push_str(rest);
        Ev::Known(Value::String(out), None)
    }

    /// A list whose items may be intrinsic functions (or the list itself one).
    fn list(&self, node: &'a Value, pointer: &str, depth: usize) -> Result<Vec<(Value, Option<String>)>, String> {
        match self.eval(node, pointer, depth) {
            Ev::Known(Value::Array(items), origin) => {
                // Items of a list written in place are evaluated one by one; a list from a
                // parameter or mapping is plain values.
                let in_place = origin.as_deref() == Some(pointer);
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if in_place && let Some(original) = node.get(i) {
                        match self.eval(original, &format!("{pointer}/{i}"), depth + 1) {
                            Ev::Known(value, origin) => out.push((value, origin)),
                            Ev::NoValue => {}
                            Ev::Resource(resource, _) => {
                                return Err(format!("not known before deployment: the list uses `{resource}`"));
                            }
                            Ev::Unknown(why) => return Err(why),
                        }
                    } else {
                        out.push((item.clone(), None));
                    }
                }
                Ok(out)
            }
            Ev::Known(other, _) => Err(format!("{other} is not a list")),
            Ev::NoValue => Ok(Vec::new()),
            Ev::Resource(resource, _) => Err(format!("not known before deployment: the list comes from `{resource}`")),
            Ev::Unknown(why) => Err(why),
        }
    }

    fn condition(&self, name: &str, depth: usize) -> Result<bool, String> {
        if depth > MAX_DEPTH {
            return Err("conditions nested too deeply (or refer to each other)".into());
        }
        match self.section("Conditions").and_then(|c| c.get(name)) {
            Some(node) => self.boolean(node, depth + 1),
            None => Err(format!("condition `{name}` is not in the template")),
        }
    }

    fn boolean(&self, node: &'a Value, depth: usize) -> Result<bool, String> {
        if depth > MAX_DEPTH {
            return Err("conditions nested too deeply".into());
        }
        let Some((key, arg)) = node.as_object().filter(|m| m.len() == 1).and_then(|m| m.iter().next()) else {
            return node.as_bool().ok_or_else(|| format!("{node} is not a condition"));
        };
        let items = arg.as_array().map(Vec::as_slice).unwrap_or_default();
        match key.as_str() {
            "Condition" => self.condition(arg.as_str().unwrap_or_default(), depth + 1),
            "Fn::Not" => {
                items.first().map_or(Err("`Fn::Not` needs a condition".into()), |c| Ok(!self.boolean(c, depth + 1)?))
            }
            "Fn::And" => items.iter().try_fold(true, |all, c| Ok(all & self.boolean(c, depth + 1)?)),
            "Fn::Or" => items.iter().try_fold(false, |any, c| Ok(any | self.boolean(c, depth + 1)?)),
            "Fn::Equals" => {
                let [a, b] = items else { return Err("`Fn::Equals` compares two values".into()) };
                let text = |v: &'a Value| match self.eval(v, "", depth + 1) {
                    Ev::Known(value, _) => scalar_text(&value).ok_or_else(|| format!("{value} is not a string")),
                    Ev::Unknown(why) => Err(why),
                    Ev::Resource(resource, _) => Err(format!("not known before deployment: `{resource}`")),
                    Ev::NoValue => Err("`AWS::NoValue` in `Fn::Equals`".into()),
                };
                Ok(text(a)? == text(b)?)
            }
            other => Err(format!("`{other}` is not a condition function")),
        }
    }
}

/// Reads a template into the loader. `Ok(false)`: not a template after all.
pub(super) fn convert(
    text: &str,
    format: SourceFormat,
    display: &str,
    options: &Options,
    loader: &mut FileLoader,
    inventory: &mut Inventory,
) -> Result<bool, (String, usize)> {
    let root: Value = match format {
        SourceFormat::Json => serde_json::from_str(text).map_err(|e| {
            let offset = crate::span::offset_of(text, e.line(), e.column());
            (e.to_string(), offset)
        })?,
        SourceFormat::Yaml | SourceFormat::Hcl => {
            crate::yaml::check_structure(text).map_err(|e| (e.message.clone(), e.offset))?;
            crate::yaml::to_json_with_tags(text, &long_form).map_err(|e| (e.message, e.offset))?
        }
    };
    let Some(resources) = root.get("Resources").and_then(Value::as_object) else { return Ok(false) };
    if !resources.values().any(|r| r.get("Type").and_then(Value::as_str).is_some_and(|t| t.contains("::"))) {
        return Ok(false);
    }
    let mut parameters = HashMap::new();
    let declared = root.get("Parameters").and_then(Value::as_object);
    for (name, value) in &options.parameters {
        if let Some((declared_name, _)) = declared.and_then(|d| d.get_key_value(name.as_str())) {
            parameters.insert(declared_name.as_str(), value.clone());
        }
    }
    let template = Template { root: &root, path: display, options, parameters };
    let mut reader = Reader { template: &template, loader, declared: planned::Declared::default() };
    for (logical, resource) in resources {
        reader.resource(logical, resource);
    }
    std::mem::take(&mut reader.declared).finish(options, reader.loader, inventory);
    // The template holds every file system of its stack, in the stack's Region (`""` when not
    // given: then only rules that need no Region can judge them).
    let account = options.account.clone().unwrap_or_default();
    let region = options.region.as_deref().and_then(crate::regions::intern).unwrap_or("");
    let partition = crate::regions::lookup(region).map_or(Partition::Aws, |r| r.partition);
    let account = inventory.account_mut(&account, partition);
    account.file_systems_collected.insert(region);
    account.volumes_collected.insert(region);
    if !region.is_empty() {
        account.regions_seen.insert(region);
    }
    Ok(true)
}

struct Reader<'t, 'a> {
    template: &'t Template<'a>,
    loader: &'t mut FileLoader,
    declared: planned::Declared,
}

/// A property of a resource, evaluated: its value (or why not), and the pointer of the literal
/// that set it.
enum Prop {
    Known(Value, Option<String>),
    Unknown(String),
    Omitted,
}

impl<'a> Reader<'_, 'a> {
    fn origin(&self, pointer: String) -> Origin {
        Origin { source: self.loader.source, pointer }
    }

    /// Follows `path` under the resource's `Properties`, evaluating every step.
    fn prop(&self, logical: &str, resource: &'a Value, path: &[&str]) -> Prop {
        let mut node = match resource.get("Properties") {
            Some(node) => node,
            None => return Prop::Omitted,
        };
        let mut pointer = crate::span::pointer(["Resources", logical, "Properties"]);
        let mut value: Option<(Value, Option<String>)> = None;
        for (i, step) in path.iter().enumerate() {
            let current = match &value {
                Some((v, _)) => v.clone(),
                None => match self.template.eval(node, &pointer, 0) {
                    Ev::Known(v, _) => v,
                    Ev::NoValue => return Prop::Omitted,
                    Ev::Unknown(why) => return Prop::Unknown(why),
                    Ev::Resource(r, _) => {
                        return Prop::Unknown(format!("not known before deployment: comes from `{r}`"));
                    }
                },
            };
            let Some(child) = current.get(step) else { return Prop::Omitted };
            crate::span::push_token(&mut pointer, step);
            // Evaluate the child written in the template (the original node, for positions).
            let original = if value.is_none() { node.get(step) } else { None };
            match original {
                Some(original) => {
                    node = original;
                    match self.template.eval(original, &pointer, 0) {
                        Ev::Known(v, origin) => value = if i + 1 == path.len() { Some((v, origin)) } else { None },
                        Ev::NoValue => return Prop::Omitted,
                        Ev::Unknown(why) => return Prop::Unknown(why),
                        Ev::Resource(r, a) => {
                            return Prop::Unknown(match a {
                                Some(a) => format!("not known before deployment: comes from `{r}.{a}`"),
                                None => format!("not known before deployment: comes from `{r}`"),
                            });
                        }
                    }
                }
                None => value = Some((child.clone(), None)),
            }
        }
        match value {
            Some((v, _)) if v.is_null() => Prop::Omitted,
            Some((v, origin)) => Prop::Known(v, origin),
            None => Prop::Omitted,
        }
    }

    fn resource(&mut self, logical: &str, resource: &'a Value) {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
        if !matches!(
            kind,
            "AWS::FSx::FileSystem"
                | "AWS::FSx::StorageVirtualMachine"
                | "AWS::FSx::Volume"
                | "AWS::Backup::BackupPlan"
                | "AWS::Backup::BackupSelection"
                | "AWS::Backup::BackupVault"
        ) && !kind.starts_with("AWS::IAM::")
        {
            return;
        }
        // A resource whose condition is false is not created.
        let condition = match resource.get("Condition").and_then(Value::as_str) {
            Some(name) => match self.template.condition(name, 0) {
                Ok(false) => return,
                Ok(true) => None,
                Err(why) => Some(format!("whether it is created (condition `{name}`) is not known: {why}")),
            },
            None => None,
        };
        let pointer = crate::span::pointer(["Resources", logical]);
        match kind {
            "AWS::FSx::FileSystem" => self.file_system(logical, resource, &pointer),
            "AWS::Backup::BackupPlan" => self.plan(logical, resource, &pointer),
            "AWS::Backup::BackupSelection" => self.selection(logical, resource, &pointer, condition),
            "AWS::Backup::BackupVault" => self.vault(logical, resource, &pointer),
            "AWS::FSx::StorageVirtualMachine" => {
                let node = resource.get("Properties").and_then(|p| p.get("FileSystemId"));
                let file_system = match self.reference(logical, node, "FileSystemId") {
                    Ref::Literal(id) => Ok(id),
                    Ref::Address(address) => Ok(address),
                    Ref::Unknown(why) => Err(why),
                };
                self.declared.svms.push(planned::PlannedSvm { address: self.template.address(logical), file_system });
            }
            "AWS::FSx::Volume" => self.volume(logical, resource, &pointer),
            iam => self.iam(iam, logical, resource),
        }
    }

    /// `AWS::FSx::Volume` of type ONTAP (OpenZFS volumes are not backed up on their own).
    fn volume(&mut self, logical: &str, resource: &'a Value, pointer: &str) {
        if let Prop::Known(kind, _) = self.prop(logical, resource, &["VolumeType"])
            && kind.as_str() != Some("ONTAP")
        {
            return;
        }
        let (account, region, _, _) = self.placement();
        let node = resource
            .get("Properties")
            .and_then(|p| p.get("OntapConfiguration"))
            .and_then(|c| c.get("StorageVirtualMachineId"));
        let svm = match self.reference(logical, node, "StorageVirtualMachineId") {
            Ref::Literal(id) => Ok(id),
            Ref::Address(address) => Ok(address),
            Ref::Unknown(why) => Err(why),
        };
        // `CopyTagsToBackups` is a string in CloudFormation ("true"/"false"); AWS's default is false.
        let copy_tags_to_backups = match self.prop(logical, resource, &["OntapConfiguration", "CopyTagsToBackups"]) {
            Prop::Known(value, _) => match scalar_text(&value).as_deref() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            Prop::Unknown(_) => None,
            Prop::Omitted => Some(false),
        };
        let text = |path: &[&str]| match self.prop(logical, resource, path) {
            Prop::Known(value, _) => scalar_text(&value),
            _ => None,
        };
        self.declared.volumes.push(planned::PlannedVolume {
            address: self.template.address(logical),
            svm,
            name: text(&["Name"]),
            copy_tags_to_backups,
            ontap_volume_type: text(&["OntapConfiguration", "OntapVolumeType"]),
            tags: {
                let mut scratch = Planned::new(String::new(), INPUT);
                self.tags(logical, resource, &mut scratch)
            },
            account,
            region,
            origin: self.origin(pointer.to_string()),
        });
    }

    /// A property that names a principal or policy: a literal, a resource of the template, or
    /// unknown.
    fn reference(&self, logical: &str, node: Option<&'a Value>, field: &str) -> Ref {
        let Some(node) = node else { return Ref::Unknown(format!("`{field}` is not set")) };
        let pointer = format!("{}/{field}", crate::span::pointer(["Resources", logical, "Properties"]));
        match self.template.eval(node, &pointer, 0) {
            Ev::Known(value, _) => match scalar_text(&value) {
                Some(text) => Ref::Literal(text),
                None => Ref::Unknown(format!("`{field}` is {value}, not a string")),
            },
            Ev::Resource(resource, _) => Ref::Address(self.template.address(&resource)),
            Ev::NoValue => Ref::Unknown(format!("`{field}` has no value")),
            Ev::Unknown(why) => Ref::Unknown(why),
        }
    }

    /// A list property of names or ARNs, each evaluated.
    fn references(&self, logical: &str, resource: &'a Value, field: &str) -> Vec<Ref> {
        let Some(node) = resource.get("Properties").and_then(|p| p.get(field)) else { return Vec::new() };
        match node.as_array() {
            Some(items) => items.iter().map(|item| self.reference(logical, Some(item), field)).collect(),
            None => vec![Ref::Unknown(format!("`{field}` is not a list the template spells out"))],
        }
    }

    fn document(&self, logical: &str, resource: &'a Value, field: &str) -> Doc {
        let Some(node) = resource.get("Properties").and_then(|p| p.get(field)) else {
            return Doc::Unknown(format!("`{field}` is not set"));
        };
        let pointer = format!("{}/{field}", crate::span::pointer(["Resources", logical, "Properties"]));
        match self.template.deep(node, &pointer, 0) {
            // CloudFormation accepts a document as a JSON string too.
            Ok(Value::String(text)) => match serde_json::from_str(&text) {
                Ok(document) => Doc::Known(document),
                Err(e) => Doc::Unknown(format!("`{field}` is not JSON: {e}")),
            },
            Ok(document) => Doc::Known(document),
            Err(why) => Doc::Unknown(why),
        }
    }

    /// `Policies: [{PolicyName, PolicyDocument}]` of a user, group or role.
    fn inline_policies(&self, logical: &str, resource: &'a Value) -> Vec<(String, Doc)> {
        let mut out = Vec::new();
        let items = resource.get("Properties").and_then(|p| p.get("Policies")).and_then(Value::as_array);
        for (i, item) in items.map(Vec::as_slice).unwrap_or_default().iter().enumerate() {
            let pointer = format!("{}/Policies/{i}", crate::span::pointer(["Resources", logical, "Properties"]));
            let name = match item.get("PolicyName").map(|n| self.template.eval(n, &format!("{pointer}/PolicyName"), 0))
            {
                Some(Ev::Known(value, _)) => scalar_text(&value).unwrap_or_else(|| format!("policy {i}")),
                _ => format!("policy {i}"),
            };
            let doc = match item.get("PolicyDocument") {
                Some(node) => match self.template.deep(node, &format!("{pointer}/PolicyDocument"), 0) {
                    Ok(document) => Doc::Known(document),
                    Err(why) => Doc::Unknown(why),
                },
                None => Doc::Unknown("no `PolicyDocument`".into()),
            };
            out.push((name, doc));
        }
        out
    }

    /// The principals a policy resource names in `Roles`, `Users` and `Groups`.
    fn attached_to(&self, logical: &str, resource: &'a Value) -> Vec<(Kind, Ref)> {
        [(Kind::Role, "Roles"), (Kind::User, "Users"), (Kind::Group, "Groups")]
            .into_iter()
            .flat_map(|(kind, field)| self.references(logical, resource, field).into_iter().map(move |p| (kind, p)))
            .collect()
    }

    /// IAM users, groups, roles, policies and their attachments.
    fn iam(&mut self, kind: &str, logical: &str, resource: &'a Value) {
        let address = self.template.address(logical);
        let text = |field: &str| match self.prop(logical, resource, &[field]) {
            Prop::Known(value, _) => scalar_text(&value),
            _ => None,
        };
        let principal_kind = match kind {
            "AWS::IAM::Role" => Some((Kind::Role, "RoleName")),
            "AWS::IAM::User" => Some((Kind::User, "UserName")),
            "AWS::IAM::Group" => Some((Kind::Group, "GroupName")),
            _ => None,
        };
        if let Some((principal_kind, name_field)) = principal_kind {
            let mut principal = Principal::new(principal_kind, address.clone(), text(name_field));
            if let Some(path) = text("Path") {
                principal.path = path;
            }
            principal.inline = self.inline_policies(logical, resource);
            principal.managed = self.references(logical, resource, "ManagedPolicyArns");
            if let Some(node) = resource.get("Properties").and_then(|p| p.get("PermissionsBoundary")) {
                principal.boundary = Some(self.reference(logical, Some(node), "PermissionsBoundary"));
            }
            principal.groups = self.references(logical, resource, "Groups");
            let mut scratch = Planned::new(address, INPUT);
            principal.tags = self.tags(logical, resource, &mut scratch);
            self.declared.iam.principals.push(principal);
            return;
        }
        match kind {
            "AWS::IAM::ManagedPolicy" => {
                self.declared.iam.policies.push(Policy {
                    address: address.clone(),
                    name: text("ManagedPolicyName"),
                    path: text("Path").unwrap_or_else(|| "/".into()),
                    doc: self.document(logical, resource, "PolicyDocument"),
                });
                for (kind, principal) in self.attached_to(logical, resource) {
                    self.declared.iam.attachments.push(Attachment::Managed {
                        kind,
                        principal,
                        policy: Ref::Address(address.clone()),
                    });
                }
            }
            "AWS::IAM::Policy" => {
                // An inline policy put on each principal it names.
                let name = text("PolicyName").unwrap_or_else(|| address.clone());
                let doc = self.document(logical, resource, "PolicyDocument");
                for (kind, principal) in self.attached_to(logical, resource) {
                    self.declared.iam.attachments.push(Attachment::Inline {
                        kind,
                        principal,
                        name: name.clone(),
                        doc: doc.clone(),
                    });
                }
            }
            "AWS::IAM::RolePolicy" | "AWS::IAM::UserPolicy" | "AWS::IAM::GroupPolicy" => {
                let (kind, field) = match kind {
                    "AWS::IAM::RolePolicy" => (Kind::Role, "RoleName"),
                    "AWS::IAM::UserPolicy" => (Kind::User, "UserName"),
                    _ => (Kind::Group, "GroupName"),
                };
                let principal = self.reference(logical, resource.get("Properties").and_then(|p| p.get(field)), field);
                self.declared.iam.attachments.push(Attachment::Inline {
                    kind,
                    principal,
                    name: text("PolicyName").unwrap_or_else(|| address.clone()),
                    doc: self.document(logical, resource, "PolicyDocument"),
                });
            }
            "AWS::IAM::UserToGroupAddition" => {
                let group =
                    self.reference(logical, resource.get("Properties").and_then(|p| p.get("GroupName")), "GroupName");
                for user in self.references(logical, resource, "Users") {
                    self.declared.iam.attachments.push(Attachment::Member { user, group: group.clone() });
                }
            }
            _ => {}
        }
    }

    fn placement(&self) -> (String, &'static str, Option<String>, Option<String>) {
        let options = self.template.options;
        let region = options.region.as_deref().and_then(crate::regions::intern);
        (
            options.account.clone().unwrap_or_default(),
            region.unwrap_or(""),
            region.is_none().then(|| "a template is deployed to the stack's Region: add `--region`".to_string()),
            options
                .account
                .is_none()
                .then(|| "a template is deployed to the stack's account: add `--account ID`".to_string()),
        )
    }

    fn file_system(&mut self, logical: &str, resource: &'a Value, pointer: &str) {
        let address = self.template.address(logical);
        let file_system_type = match self.prop(logical, resource, &["FileSystemType"]) {
            Prop::Known(value, _) => value.as_str().map(FileSystemType::parse),
            _ => None,
        };
        let Some(file_system_type) = file_system_type else {
            let reason = "an `AWS::FSx::FileSystem` whose `FileSystemType` is not known";
            self.loader.issues.push(Problem::at(pointer, format!("{reason}: left out")));
            self.loader.unreadable.push((
                Some(self.template.options.account.clone().unwrap_or_default()),
                Unreadable {
                    kind: DataKind::FileSystems,
                    region: None,
                    file_system: None,
                    resource: Some(address),
                    reason: reason.to_string(),
                    origin: self.origin(pointer.to_string()),
                },
            ));
            return;
        };
        let (account, region, region_unknown, account_unknown) = self.placement();
        let mut planned = Planned { region_unknown, account_unknown, ..Planned::new(address.clone(), INPUT) };
        let block = match &file_system_type {
            FileSystemType::Openzfs => "OpenZFSConfiguration",
            FileSystemType::Windows => "WindowsConfiguration",
            FileSystemType::Lustre => "LustreConfiguration",
            FileSystemType::Ontap => "OntapConfiguration",
            FileSystemType::Other(_) => "Configuration",
        };
        let source = self.loader.source;
        let attr = |field: &str| match self.prop(logical, resource, &[block, field]) {
            Prop::Known(value, origin) => {
                // A value set elsewhere (a parameter's default, a mapping): the property too.
                let own = format!("{}/{block}/{field}", crate::span::pointer(["Resources", logical, "Properties"]));
                let related = origin.as_ref().filter(|o| **o != own).map(|_| Origin { source, pointer: own });
                planned::Attr::Known(value, origin.map(|pointer| Origin { source, pointer }), related)
            }
            Prop::Unknown(why) => planned::Attr::Unknown(why),
            Prop::Omitted => planned::Attr::Omitted,
        };
        let settings = planned::backup_settings(&file_system_type, &planned::CLOUDFORMATION, attr, &mut planned);
        let tags = match self.prop(logical, resource, &["Tags"]) {
            Prop::Known(_, _) => self.tags(logical, resource, &mut planned),
            Prop::Unknown(why) => {
                planned.unknown.push(("Tags", why));
                Tags::new()
            }
            Prop::Omitted => Tags::new(),
        };
        let storage_type = match self.prop(logical, resource, &["StorageType"]) {
            Prop::Known(value, _) => value.as_str().map(StorageType::parse),
            _ => None,
        };
        let origin = self.origin(pointer.to_string());
        let fs =
            planned::file_system(planned, (account, region), file_system_type, storage_type, tags, settings, origin);
        self.loader.resources.push(Resource::FileSystem(fs));
    }

    /// `Tags: [{Key, Value}]`, each evaluated.
    fn tags(&self, logical: &str, resource: &'a Value, planned: &mut Planned) -> Tags {
        let mut tags = Tags::new();
        let Some(items) = resource.get("Properties").and_then(|p| p.get("Tags")).and_then(Value::as_array) else {
            return tags;
        };
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("{}/{i}", crate::span::pointer(["Resources", logical, "Properties", "Tags"]));
            let field =
                |name: &str| match item.get(name).map(|n| self.template.eval(n, &format!("{pointer}/{name}"), 0)) {
                    Some(Ev::Known(value, _)) => {
                        scalar_text(&value).ok_or_else(|| format!("tag {name} {value} is not a string"))
                    }
                    Some(Ev::Unknown(why)) => Err(why),
                    Some(Ev::Resource(r, _)) => Err(format!("not known before deployment: a tag comes from `{r}`")),
                    _ => Err(format!("a tag without `{name}`")),
                };
            match (field("Key"), field("Value")) {
                (Ok(key), Ok(value)) => {
                    tags.insert(key, value);
                }
                (Err(why), _) | (_, Err(why)) => planned.unknown.push(("Tags", why)),
            }
        }
        tags
    }

    /// A reference-valued property as a target: an ARN, a resource of this template, or unknown.
    fn target(&self, ev: Ev) -> Target {
        match ev {
            Ev::Known(value, _) => match value.as_str() {
                Some(text) => Target::Arn(text.to_string()),
                None => Target::Unknown(format!("{value} is not an ARN")),
            },
            Ev::Resource(logical, _) => Target::Address(self.template.address(&logical)),
            Ev::NoValue => Target::Unknown("no value".into()),
            Ev::Unknown(why) => Target::Unknown(why),
        }
    }

    fn plan(&mut self, logical: &str, resource: &'a Value, pointer: &str) {
        let (account, region, region_unknown, _) = self.placement();
        let base = crate::span::pointer(["Resources", logical, "Properties", "BackupPlan", "BackupPlanRule"]);
        let rules_node =
            resource.get("Properties").and_then(|p| p.get("BackupPlan")).and_then(|p| p.get("BackupPlanRule"));
        let mut rules = Vec::new();
        let list = rules_node.map(|node| self.template.list(node, &base, 0));
        for (k, (rule, _)) in list.clone().and_then(Result::ok).unwrap_or_default().into_iter().enumerate() {
            let rule_pointer = format!("{base}/{k}");
            let original = rules_node.and_then(|n| n.get(k));
            let field = |name: &str| -> Ev {
                match original.and_then(|o| o.get(name)) {
                    Some(node) => self.template.eval(node, &format!("{rule_pointer}/{name}"), 0),
                    None => match rule.get(name) {
                        Some(value) => Ev::Known(value.clone(), None),
                        None => Ev::NoValue,
                    },
                }
            };
            let name = match field("RuleName") {
                Ev::Known(value, _) => scalar_text(&value).unwrap_or_default(),
                _ => format!("#{k}"),
            };
            let schedule = match field("ScheduleExpression") {
                Ev::Known(value, _) => scalar_text(&value).ok_or_else(|| format!("{value} is not a schedule")),
                Ev::NoValue => {
                    Err(format!("rule `{name}` has no `ScheduleExpression`: it runs only when started by hand"))
                }
                Ev::Unknown(why) => Err(why),
                Ev::Resource(r, _) => Err(format!("not known before deployment: the schedule comes from `{r}`")),
            };
            let window = |name: &str, default: i64| match field(name) {
                Ev::Known(value, _) => scalar_text(&value)
                    .and_then(|t| t.parse::<i64>().ok())
                    .ok_or_else(|| format!("`{name}` {value} is not a number")),
                Ev::NoValue => Ok(default),
                Ev::Unknown(why) => Err(why),
                Ev::Resource(r, _) => Err(format!("not known before deployment: `{name}` comes from `{r}`")),
            };
            let start_window_minutes = window("StartWindowMinutes", 480);
            let completion_window_minutes = window("CompletionWindowMinutes", 10_080);
            let mut copies = Vec::new();
            let actions_node = original.and_then(|o| o.get("CopyActions"));
            let actions_pointer = format!("{rule_pointer}/CopyActions");
            let actions = match actions_node {
                Some(node) => self.template.list(node, &actions_pointer, 0),
                None => Ok(Vec::new()),
            };
            match actions {
                Ok(actions) => {
                    for (j, (action, _)) in actions.into_iter().enumerate() {
                        let copy_pointer = format!("{actions_pointer}/{j}");
                        let ev = match actions_node
                            .and_then(|a| a.get(j))
                            .and_then(|a| a.get("DestinationBackupVaultArn"))
                        {
                            Some(node) => {
                                self.template.eval(node, &format!("{copy_pointer}/DestinationBackupVaultArn"), 0)
                            }
                            None => match action.get("DestinationBackupVaultArn") {
                                Some(value) => Ev::Known(value.clone(), None),
                                None => Ev::Unknown(format!("a copy action of rule `{name}` has no destination")),
                            },
                        };
                        copies.push((self.target(ev), self.origin(copy_pointer)));
                    }
                }
                Err(why) => copies.push((Target::Unknown(why), self.origin(actions_pointer))),
            }
            let time_zone = match field("ScheduleExpressionTimezone") {
                Ev::Known(value, _) => crate::inventory::backup_plan::time_zone(value.as_str()),
                Ev::NoValue => None,
                _ => Some("a time zone not known before deployment".to_string()),
            };
            rules.push(PlanRule {
                name,
                schedule,
                start_window_minutes,
                completion_window_minutes,
                time_zone,
                copies,
                origin: self.origin(rule_pointer),
            });
        }
        if let Some(Err(why)) = list {
            rules.push(PlanRule {
                name: "?".into(),
                schedule: Err(why.clone()),
                start_window_minutes: Err(why.clone()),
                completion_window_minutes: Err(why.clone()),
                time_zone: None,
                copies: vec![(Target::Unknown(why), self.origin(base.clone()))],
                origin: self.origin(base),
            });
        }
        self.declared.backup.plans.push(Plan {
            address: self.template.address(logical),
            account,
            region,
            region_unknown,
            rules,
            origin: self.origin(pointer.to_string()),
        });
    }

    fn selection(&mut self, logical: &str, resource: &'a Value, pointer: &str, condition: Option<String>) {
        let (account, region, _, _) = self.placement();
        let properties = crate::span::pointer(["Resources", logical, "Properties"]);
        let plan = match resource.get("Properties").and_then(|p| p.get("BackupPlanId")) {
            Some(node) => self.target(self.template.eval(node, &format!("{properties}/BackupPlanId"), 0)),
            None => Target::Unknown("the selection names no plan".into()),
        };
        let selection = resource.get("Properties").and_then(|p| p.get("BackupSelection"));
        let base = format!("{properties}/BackupSelection");
        let targets = |name: &str| -> Result<Vec<Target>, String> {
            let Some(node) = selection.and_then(|s| s.get(name)) else { return Ok(Vec::new()) };
            let pointer = format!("{base}/{name}");
            let Some(items) = node.as_array() else {
                return match self.template.list(node, &pointer, 0) {
                    Ok(items) => Ok(items.into_iter().map(|(v, _)| self.target(Ev::Known(v, None))).collect()),
                    Err(why) => Err(why),
                };
            };
            Ok(items
                .iter()
                .enumerate()
                .map(|(i, item)| match self.template.eval(item, &format!("{pointer}/{i}"), 0) {
                    // An ARN built around one file system of the template (`Fn::Join` of
                    // `arn:`, `AWS::Partition`, ..., `Ref FileSystem`, as CDK writes it) names it.
                    Ev::Unknown(why) => match self.template.single_file_system(item) {
                        Some(logical) => Target::Address(self.template.address(&logical)),
                        None => Target::Unknown(why),
                    },
                    ev => self.target(ev),
                })
                .collect())
        };
        let mut resources = targets("Resources");
        let not_resources = targets("NotResources");
        let text = |node: Option<&'a Value>, pointer: String| match node.map(|n| self.template.eval(n, &pointer, 0)) {
            Some(Ev::Known(value, _)) => scalar_text(&value).ok_or_else(|| format!("{value} is not a string")),
            Some(Ev::Unknown(why)) => Err(why),
            _ => Err("not known before deployment".to_string()),
        };
        let tags: Result<Vec<(String, String)>, String> = match selection.and_then(|s| s.get("ListOfTags")) {
            None => Ok(Vec::new()),
            Some(node) => node
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, tag)| {
                    let at = |f: &str| format!("{base}/ListOfTags/{i}/{f}");
                    match text(tag.get("ConditionType"), at("ConditionType"))?.as_str() {
                        "STRINGEQUALS" => Ok((
                            text(tag.get("ConditionKey"), at("ConditionKey"))?,
                            text(tag.get("ConditionValue"), at("ConditionValue"))?,
                        )),
                        other => Err(format!("selection tag condition `{other}` is not evaluated")),
                    }
                })
                .collect(),
        };
        let mut conditions = Ok(Vec::new());
        if let Some(map) = selection.and_then(|s| s.get("Conditions")).and_then(Value::as_object) {
            let mut list = Vec::new();
            for (operator, entries) in map {
                let entries = entries.as_array().map(Vec::as_slice).unwrap_or_default();
                if entries.is_empty() {
                    continue;
                }
                if operator != "StringEquals" {
                    conditions = Err(format!("selection condition `{operator}` is not evaluated"));
                    break;
                }
                for (i, entry) in entries.iter().enumerate() {
                    let at = |f: &str| format!("{base}/Conditions/StringEquals/{i}/{f}");
                    match (
                        text(entry.get("ConditionKey"), at("ConditionKey")),
                        text(entry.get("ConditionValue"), at("ConditionValue")),
                    ) {
                        (Ok(key), Ok(value)) => match key.strip_prefix("aws:ResourceTag/") {
                            Some(tag) => list.push((tag.to_string(), value)),
                            None => conditions = Err(format!("selection condition on `{key}` is not evaluated")),
                        },
                        (Err(why), _) | (_, Err(why)) => conditions = Err(why),
                    }
                }
            }
            if conditions.is_ok() {
                conditions = Ok(list);
            }
        }
        if let Some(why) = condition {
            resources = Err(why);
        }
        self.declared.backup.selections.push(Selection {
            address: self.template.address(logical),
            account,
            region,
            plan,
            resources,
            not_resources,
            tags,
            conditions,
            origin: self.origin(pointer.to_string()),
        });
    }

    fn vault(&mut self, logical: &str, resource: &'a Value, pointer: &str) {
        let (account, region, _, _) = self.placement();
        let name = match self.prop(logical, resource, &["BackupVaultName"]) {
            Prop::Known(value, _) => scalar_text(&value),
            _ => None,
        };
        let properties = crate::span::pointer(["Resources", logical, "Properties"]);
        let kms_key = match resource.get("Properties").and_then(|p| p.get("EncryptionKeyArn")) {
            None => Ok(None),
            Some(node) => match self.template.eval(node, &format!("{properties}/EncryptionKeyArn"), 0) {
                Ev::NoValue => Ok(None),
                ev => Ok(Some(self.target(ev))),
            },
        };
        // The vault's ARN follows from its name, Region and account when all are known.
        let partition = crate::regions::lookup(region).map_or("aws", |r| r.partition.as_str());
        let arn = match (&name, region.is_empty(), account.is_empty()) {
            (Some(name), false, false) => {
                Some(format!("arn:{partition}:backup:{region}:{account}:backup-vault:{name}"))
            }
            _ => None,
        };
        self.declared.backup.vaults.push(Vault {
            address: self.template.address(logical),
            name,
            arn,
            account,
            region,
            kms_key,
            origin: self.origin(pointer.to_string()),
        });
    }
}

/// Parameter values of `--parameter KEY=VALUE`, checked for shape.
pub fn parse_parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Ok((key.to_string(), value.to_string()))
        }
        _ => Err(format!("`{text}` is not KEY=VALUE (a template parameter name and its value)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Value {
        crate::yaml::to_json_with_tags(text, &long_form).unwrap()
    }

    fn eval_at(text: &str, options: &Options, pointer: &str) -> Ev {
        let root = template(text);
        let template = Template { root: &root, path: "t.yaml", options, parameters: HashMap::new() };
        let node = root.pointer(pointer).unwrap();
        template.eval(node, pointer, 0)
    }

    const T: &str = "Parameters:\n  P: {Type: String, Default: x}\n  N: {Type: String}\n  L: {Type: CommaDelimitedList, Default: 'a,b'}\n  S: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /a/b}\nMappings:\n  M: {x: {k: 7}}\nConditions:\n  Yes: !Equals [!Ref P, x]\n  No: !Not [!Condition Yes]\n  Loop: !Condition Loop\nResources:\n  R:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      A: !Ref P\n      B: !Ref N\n      C: !Sub '${P}-${AWS::Region}-${!Lit}'\n      D: !Join ['/', [a, !Ref P]]\n      E: !If [Yes, 1, 2]\n      F: !Select [1, !Ref L]\n      G: !FindInMap [M, !Ref P, k]\n      H: !GetAtt R.ResourceARN\n      I: !ImportValue shared\n      J: !Base64 x\n      K: !Ref AWS::StackName\n      L2: !Ref S\n      M2: !If [Loop, 1, 2]\n      N2: !Sub ['${X}', {X: !Ref P}]\n      O: !If [No, 1, !Ref AWS::NoValue]\n      Q: !Ref AWS::AccountId\n";

    #[rstest::rstest]
    #[case("/Resources/R/Properties/A", Some("x"))]
    #[case("/Resources/R/Properties/C", Some("x-us-east-1-${Lit}"))]
    #[case("/Resources/R/Properties/D", Some("a/x"))]
    #[case("/Resources/R/Properties/F", Some("b"))]
    #[case("/Resources/R/Properties/N2", Some("x"))]
    #[case("/Resources/R/Properties/Q", Some("111122223333"))]
    fn intrinsics_evaluated(#[case] pointer: &str, #[case] want: Option<&str>) {
        let options =
            Options { account: Some("111122223333".into()), region: Some("us-east-1".into()), ..Options::default() };
        match eval_at(T, &options, pointer) {
            Ev::Known(value, _) => assert_eq!(value.as_str(), want, "{pointer}"),
            other => panic!("{pointer}: {other:?}"),
        }
    }

    #[test]
    fn numbers_conditions_mappings_and_no_value() {
        let options = Options::default();
        assert!(
            matches!(eval_at(T, &options, "/Resources/R/Properties/E"), Ev::Known(Value::Number(n), _) if n.as_i64() == Some(1))
        );
        assert!(
            matches!(eval_at(T, &options, "/Resources/R/Properties/G"), Ev::Known(Value::Number(n), Some(p)) if n.as_i64() == Some(7) && p == "/Mappings/M/x/k")
        );
        assert_eq!(eval_at(T, &options, "/Resources/R/Properties/O"), Ev::NoValue);
        assert_eq!(
            eval_at(T, &options, "/Resources/R/Properties/H"),
            Ev::Resource("R".into(), Some("ResourceARN".into()))
        );
        // A parameter's default points at the default.
        assert!(
            matches!(eval_at(T, &options, "/Resources/R/Properties/A"), Ev::Known(_, Some(p)) if p == "/Parameters/P/Default")
        );
    }

    #[rstest::rstest]
    #[case("/Resources/R/Properties/B", "pass `--parameter N=...`")]
    #[case("/Resources/R/Properties/C", "add `--region`")]
    #[case("/Resources/R/Properties/I", "Fn::ImportValue")]
    #[case("/Resources/R/Properties/J", "`Fn::Base64` is not evaluated")]
    #[case("/Resources/R/Properties/K", "known only when the stack is deployed")]
    #[case("/Resources/R/Properties/L2", "SSM Parameter Store")]
    #[case("/Resources/R/Properties/M2", "nested too deeply")]
    #[case("/Resources/R/Properties/Q", "add `--account ID`")]
    fn intrinsics_refused(#[case] pointer: &str, #[case] why: &str) {
        match eval_at(T, &Options::default(), pointer) {
            Ev::Unknown(text) => assert!(text.contains(why), "{pointer}: {text}"),
            other => panic!("{pointer}: {other:?}"),
        }
    }

    #[test]
    fn parameters_from_the_command_line() {
        assert_eq!(parse_parameter("Env=dev"), Ok(("Env".into(), "dev".into())));
        assert!(parse_parameter("=x").is_err());
        assert!(parse_parameter("Env").is_err());
    }
}
