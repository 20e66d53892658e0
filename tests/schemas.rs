//! The JSON Schemas in `schemas/` stay in step with the code and the shipped files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use fsx_guard::rules::RuleKind;
use serde_json::Value;

fn load(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn compiled_in_schemas_are_the_files() {
    assert_eq!(fsx_guard::policy::POLICY_SCHEMA, std::fs::read_to_string("schemas/policy.schema.json").unwrap());
    assert_eq!(fsx_guard::INVENTORY_SCHEMA, std::fs::read_to_string("schemas/inventory.schema.json").unwrap());
}

#[test]
fn policy_schema_knows_every_rule_kind_and_its_parameters() {
    let schema = load("schemas/policy.schema.json");
    let kinds: Vec<&str> = schema["$defs"]["rule"]["properties"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let registry: Vec<&str> = RuleKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(kinds, registry);
    for kind in RuleKind::ALL {
        let params = &schema["$defs"][kind.name()];
        assert_eq!(params["additionalProperties"], false, "{kind}");
        // Every parameter the schema allows is documented and accepted by the rule kind.
        for name in params["properties"].as_object().unwrap().keys() {
            assert!(kind.doc().contains(&format!("`{name}`")), "{kind} doc lacks `{name}`");
        }
        let defaults: serde_json::Map<String, Value> = params["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(name, p)| {
                // Defaults, and an example for required parameters that have none.
                p.get("default").or_else(|| p["examples"].get(0)).map(|d| (name.clone(), d.clone()))
            })
            .collect();
        assert!(kind.parse_params(&Value::Object(defaults), "/p").is_ok(), "{kind} rejects its own defaults");
    }
}

#[test]
fn shipped_inventories_match_the_inventory_schema() {
    let schema = load("schemas/inventory.schema.json");
    let validator = jsonschema::options().should_validate_formats(true).build(&schema).unwrap();
    let mut files = vec![Path::new("examples/inventory.json").to_path_buf()];
    for entry in std::fs::read_dir("examples/raw").unwrap() {
        files.push(entry.unwrap().path());
    }
    for dir in ["tests/fixtures", "tests/fixtures/real"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            // Fixtures of resources that are meant not to fit (each is a warning and `error`).
            let odd = ["odd-backup-arn.json", "wrong-types.json", "new-region-keys.json"];
            if path.extension().is_some_and(|e| e == "json") && !odd.iter().any(|o| path.ends_with(o)) {
                files.push(path);
            }
        }
    }
    for file in files {
        let document = load(file.to_str().unwrap());
        let errors: Vec<String> =
            validator.iter_errors(&document).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", file.display());
    }
}

#[test]
fn baseline_is_valid_and_uses_the_schema() {
    let text = std::fs::read_to_string("policies/baseline.yaml").unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=../schemas/policy.schema.json"));
    let set = fsx_guard::policy::load_builtin().unwrap();
    assert_eq!(set.rules.len(), 3);
}
