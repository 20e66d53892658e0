//! `iam-permission` at scale: 5,000 roles against 300,000 backups, `only: true` (every role is
//! decided on every request class). Statements are compiled once per principal and action, and
//! requests no statement can tell apart are decided once per class.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use fsx_guard::engine;
use fsx_guard::inventory::iam::Iam;
use fsx_guard::inventory::{SourceFormat, source};
use fsx_guard::policy;
use serde_json::{Value, json};

#[path = "../examples/support/generate.rs"]
mod generate;

const BACKUPS: usize = 300_000;
const ROLES: usize = 5_000;

fn role(i: usize) -> Value {
    let account = "111122223333";
    let statements = match i % 6 {
        0 => json!([{"Effect": "Allow", "Action": ["fsx:Describe*", "fsx:ListTagsForResource"], "Resource": "*"}]),
        1 => json!([{"Effect": "Allow", "Action": "fsx:*", "Resource": "*"}]),
        2 => {
            json!([{"Effect": "Allow", "Action": "fsx:DeleteBackup", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}}])
        }
        // Names one backup: decided per request for the backups it names, once for the rest.
        3 => {
            json!([{"Effect": "Allow", "Action": "fsx:DeleteBackup", "Resource": format!("arn:aws:fsx:us-east-1:{account}:backup/backup-{:017x}", i + 1)}])
        }
        4 => json!([
            {"Effect": "Allow", "Action": "fsx:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "fsx:DeleteBackup", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/role": "backup-admin"}}}
        ]),
        _ => {
            json!([{"Effect": "Allow", "Action": "fsx:DeleteBackup", "Resource": format!("arn:aws:fsx:*:{account}:backup/*"), "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}])
        }
    };
    json!({
        "RoleName": format!("role-{i}"),
        "Arn": format!("arn:aws:iam::{account}:role/team/role-{i}"),
        "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "team", "Value": format!("t{}", i % 10)}]
    })
}

fn bench(c: &mut Criterion) {
    let mut text = Vec::new();
    generate::inventory(BACKUPS, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let mut inventory =
        source::load_texts(vec![("generated.json".into(), Arc::new(text), SourceFormat::Json)]).unwrap();
    let roles: Vec<_> = (0..ROLES).map(|i| serde_json::from_value(role(i)).unwrap()).collect();
    inventory.accounts.get_mut("111122223333").unwrap().iam =
        Some(Iam { users: Vec::new(), groups: Vec::new(), roles, policies: Vec::new() });
    let policy = "version: 1\nrules:\n  - id: WHO-MAY-DELETE\n    kind: iam-permission\n    select:\n      accounts: [\"111122223333\"]\n    params:\n      action: fsx:DeleteBackup\n      must_allow: [arn:aws:iam::111122223333:role/team/role-1]\n      only: true\n";
    let policies = policy::load_sources(vec![("bench.yaml".into(), Arc::new(policy.to_string()), false)]).unwrap();
    let now = inventory.collected_at.unwrap();
    let mut group = c.benchmark_group(format!("iam_{ROLES}_roles_{BACKUPS}_backups"));
    group.sample_size(10);
    group.bench_function("evaluate", |b| b.iter(|| engine::evaluate(&policies, &inventory, now)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
