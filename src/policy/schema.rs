//! The policy JSON Schema, and its errors turned into problems a person can act on.

use std::sync::LazyLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::diag::Problem;
use crate::regions;
use crate::suggest;

/// `schemas/policy.schema.json`, compiled in.
pub const POLICY_SCHEMA: &str = include_str!("../../schemas/policy.schema.json");

static SCHEMA: LazyLock<Result<(Value, jsonschema::Validator), String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(POLICY_SCHEMA).map_err(|e| e.to_string())?;
    let validator = jsonschema::draft202012::new(&schema).map_err(|e| e.to_string())?;
    Ok((schema, validator))
});

/// Validates a policy document against the schema.
pub fn check(document: &Value) -> Vec<Problem> {
    let (schema, validator) = match &*SCHEMA {
        Ok(pair) => pair,
        Err(e) => return vec![Problem::at("", format!("internal error: the built-in policy schema is invalid: {e}"))],
    };
    let mut problems: Vec<Problem> = Vec::new();
    for error in validator.iter_errors(document) {
        let pointer = error.instance_path().as_str().to_string();
        let instance = error.instance();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let allowed = allowed_keys(schema, error.evaluation_path().as_str());
                for key in unexpected {
                    let mut at = pointer.clone();
                    crate::span::push_token(&mut at, key);
                    let mut problem = Problem::at(at, format!("unknown key `{key}`")).on_key();
                    problem = match suggest::closest(key, allowed.iter().map(String::as_str)) {
                        Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                        None if !allowed.is_empty() => {
                            problem.with_help(format!("allowed keys here: {}", quoted(&allowed)))
                        }
                        None => problem,
                    };
                    problems.push(problem);
                }
            }
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map(|o| o.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                let given = display(instance);
                let what = if pointer.ends_with("/kind") { "unknown rule kind" } else { "unknown value" };
                let mut problem = Problem::at(pointer.clone(), format!("{what} `{given}`"));
                problem = match instance.as_str().and_then(|s| suggest::closest(s, options.iter().map(String::as_str)))
                {
                    Some(near) => {
                        problem.with_help(format!("did you mean `{near}`? expected one of {}", quoted(&options)))
                    }
                    None => problem.with_help(format!("expected one of {}", quoted(&options))),
                };
                problems.push(problem);
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or("?");
                problems.push(Problem::at(pointer.clone(), format!("missing required key `{name}`")));
            }
            ValidationErrorKind::Constant { expected_value } if pointer == "/version" => {
                problems.push(
                    Problem::at(pointer.clone(), format!("unsupported policy version `{}`", display(instance)))
                        .with_help(format!("this fsx-guard reads `version: {expected_value}`")),
                );
            }
            ValidationErrorKind::Type { .. } if is_account(&pointer) && instance.is_number() => {
                problems.push(
                    Problem::at(
                        pointer.clone(),
                        format!("account id {} is a number, not a string", display(instance)),
                    )
                    .with_help(
                        "quote it: YAML reads unquoted digits as a number, and a leading 0 is lost or read as octal",
                    ),
                );
            }
            ValidationErrorKind::Pattern { .. } => problems.push(pattern_problem(&pointer, instance)),
            ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. }
                if pointer.ends_with("/min_days") || pointer.ends_with("/max_days") =>
            {
                let name = pointer.rsplit('/').next().unwrap_or("days");
                problems.push(
                    Problem::at(pointer.clone(), format!("`{name}` is {}, outside 1..90", display(instance)))
                        .with_help("AWS keeps automatic backups 1 to 90 days (0 disables them)"),
                );
            }
            _ => problems.push(Problem::at(pointer.clone(), error.to_string())),
        }
    }
    problems
}

fn is_account(pointer: &str) -> bool {
    pointer.contains("/select/accounts/")
}

fn pattern_problem(pointer: &str, instance: &Value) -> Problem {
    let value = display(instance);
    if is_account(pointer) {
        return Problem::at(pointer, format!("`{value}` is not a 12-digit account id"))
            .with_help("account ids are 12 digits, quoted, e.g. \"011122223333\"");
    }
    if pointer.contains("/regions/") || pointer.contains("/destinations/") || pointer.contains("/requested_regions/") {
        let problem = Problem::at(pointer, format!("`{value}` is not a Region name"));
        return match regions::suggest(&value) {
            Some(near) => problem.with_help(format!("did you mean `{near}`?")),
            None => problem.with_help("Region names look like `us-east-1`"),
        };
    }
    if let Some(region) = pointer.split_once("/params/keys/").map(|(_, r)| r.replace("~1", "/").replace("~0", "~")) {
        let what = if value.starts_with("alias/") { "an alias name" } else { "not a KMS key ARN" };
        return Problem::at(pointer, format!("`{value}` is {what}")).with_help(format!(
            "`keys` maps a Region to the ARN of a KMS key in that Region (FSx records the key's ARN on each copy, not an alias), e.g. `{region}: arn:aws:kms:{region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`; `aws kms describe-key --key-id {value} --region {region}` prints it"
        ));
    }
    if pointer.contains("/must_allow/") {
        let example = if value.contains(':') || value.contains('/') {
            "arn:aws:iam::111122223333:role/backup-admin".to_string()
        } else {
            format!("arn:aws:iam::<account>:role/{value}")
        };
        return Problem::at(pointer, format!("`{value}` is not the ARN of an IAM user or role")).with_help(format!(
            "`must_allow` lists user or role ARNs, e.g. `{example}` (a role with a path: `arn:aws:iam::<account>:role/<path>/<name>`), or the address of one in infrastructure code (`aws_iam_role.dr_copy`, `template.yaml#DrCopyRole`)"
        ));
    }
    if pointer.contains("/select/file_system_ids/") {
        return Problem::at(pointer, format!("`{value}` is not a file system id"))
            .with_help("file system ids look like fs-0123456789abcdef0");
    }
    if pointer.ends_with("/id") {
        return Problem::at(pointer, format!("invalid rule id `{value}`"))
            .with_help("a rule id starts with a letter and holds up to 64 letters, digits, `.`, `_` and `-`");
    }
    if pointer.contains("/avoid_window/") {
        return Problem::at(pointer, format!("`{value}` is not a time of day"))
            .with_help("write it as HH:MM in UTC, 00:00 to 23:59");
    }
    Problem::at(pointer, format!("`{value}` has the wrong form"))
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn quoted(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// The property names allowed where an `additionalProperties` error was raised, found by
/// walking the schema along the evaluation path (following local `$ref`s).
fn allowed_keys(schema: &Value, evaluation_path: &str) -> Vec<String> {
    let mut tokens: Vec<String> =
        evaluation_path.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    tokens.pop(); // "additionalProperties"
    let mut node = schema;
    for token in tokens {
        if token == "$ref" {
            let Some(target) = node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) else {
                return Vec::new();
            };
            match schema.pointer(target) {
                Some(next) => node = next,
                None => return Vec::new(),
            }
            continue;
        }
        let next = match node {
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) => map.get(&token),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return Vec::new(),
        }
    }
    node.get("properties").and_then(Value::as_object).map(|props| props.keys().cloned().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_keys_get_suggestions_at_every_level() {
        let doc = json!({
            "version": 1,
            "rulez": [],
            "rules": [{"id": "A", "kind": "backup-retention", "selct": {}, "params": {"min_dayz": 3}}]
        });
        let problems = check(&doc);
        let find = |p: &str| problems.iter().find(|x| x.pointer == p).and_then(|x| x.help.clone());
        assert_eq!(find("/rulez").as_deref(), Some("did you mean `rules`?"));
        assert_eq!(find("/rules/0/selct").as_deref(), Some("did you mean `select`?"));
        assert_eq!(find("/rules/0/params/min_dayz").as_deref(), Some("did you mean `min_days`?"));
    }

    #[test]
    fn the_schema_compiles() {
        assert!(SCHEMA.is_ok());
    }
}
