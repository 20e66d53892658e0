//! The collector is read-only, provably: the AWS operations it calls are pinned, are all
//! Describe/Get/List, and are exactly what `policies/fsx-guard-readonly-iam.json` grants.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use fsx_guard::inventory::live::OPERATIONS;

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// Operation calls in the collector's source: methods called on an SDK client (`client.op()`,
/// `Client::from_conf(..).op()`).
fn called_operations() -> BTreeSet<String> {
    let source = std::fs::read_to_string("src/inventory/source/live.rs").unwrap();
    let re = regex::Regex::new(r"(?:client|from_conf\([a-z_]+\))\s*\.([a-z_]+)\(\)").unwrap();
    // `clone()` copies a client handle; it is not an AWS operation.
    re.captures_iter(&source).filter(|c| &c[1] != "clone").map(|c| pascal(&c[1])).collect()
}

#[test]
fn the_collector_calls_only_read_operations() {
    let called = called_operations();
    assert_eq!(
        called,
        [
            "DescribeBackups",
            "DescribeFileSystems",
            "DescribeVolumes",
            "GetAccountAuthorizationDetails",
            "GetCallerIdentity",
            "ListRegions"
        ]
        .map(String::from)
        .into_iter()
        .collect::<BTreeSet<_>>()
    );
    for op in &called {
        assert!(op.starts_with("Describe") || op.starts_with("Get") || op.starts_with("List"), "{op} is not read-only");
    }
    let pinned: BTreeSet<String> = OPERATIONS.iter().map(|o| o.split_once(':').unwrap().1.to_string()).collect();
    assert_eq!(called, pinned, "OPERATIONS must list every call");
}

#[test]
fn the_shipped_iam_policy_grants_exactly_those_operations() {
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("policies/fsx-guard-readonly-iam.json").unwrap()).unwrap();
    let mut granted = BTreeSet::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow");
        for action in statement["Action"].as_array().unwrap() {
            granted.insert(action.as_str().unwrap().to_string());
        }
    }
    let pinned: BTreeSet<String> = OPERATIONS.iter().map(|o| o.to_string()).collect();
    assert_eq!(granted, pinned);
}

#[test]
fn aws_is_reached_from_one_module_only() {
    let mut offenders = Vec::new();
    let mut stack = vec![std::path::PathBuf::from("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("inventory/source/live.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.contains("aws_sdk_") || text.contains("aws_config") {
                    offenders.push(path.display().to_string());
                }
            }
        }
    }
    assert!(offenders.is_empty(), "AWS access outside src/inventory/source/live.rs: {offenders:?}");
}
