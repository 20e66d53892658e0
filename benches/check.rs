//! Benchmarks of the offline path at 3k / 30k / 300k backups: loading an inventory, evaluating
//! each rule kind on its own, and rendering each report format. The inventory comes from
//! `examples/support/generate.rs` (the same generator as `cargo run --release --example
//! generate`). Each render starts from a fresh report context, so positions are resolved inside
//! the measurement as in a real run. IAM at scale is `benches/iam.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use fsx_guard::engine;
use fsx_guard::inventory::source;
use fsx_guard::policy;
use fsx_guard::report::{self, Context, Format};

#[path = "../examples/support/generate.rs"]
mod generate;

const SIZES: [usize; 3] = [3_000, 30_000, 300_000];

/// One rule of each kind that judges file systems or backups.
const KINDS: [(&str, &str); 5] = [
    ("backup-retention", "params: {min_days: 7, max_days: 35, require_copy_tags_to_backups: true}"),
    ("backup-recency", "params: {max_age_hours: 26}"),
    ("cross-region-copy", "select: {regions: [us-east-1]}\n    params: {destinations: [us-west-2], max_age_hours: 48}"),
    ("copy-kms-consistency", "params: {}"),
    ("backup-naming", "params: {types: [USER_INITIATED], require_name: true}"),
];

fn inventory_file(backups: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    generate::inventory(backups, &mut file).unwrap();
    drop(file);
    (dir, path)
}

fn one_rule(kind: &str, body: &str) -> policy::PolicySet {
    let text = format!("version: 1\nrules:\n  - id: BENCH\n    kind: {kind}\n    {body}\n");
    policy::load_sources(vec![("bench.yaml".into(), Arc::new(text), false)]).unwrap()
}

fn bench(c: &mut Criterion) {
    let policies = policy::load_builtin().unwrap();
    for backups in SIZES {
        let (_dir, path) = inventory_file(backups);
        let mut group = c.benchmark_group(format!("{backups}_backups"));
        group.sample_size(10);
        group.bench_function("load", |b| b.iter(|| source::load(std::slice::from_ref(&path)).unwrap()));
        let inventory = source::load(std::slice::from_ref(&path)).unwrap();
        let now = inventory.collected_at.unwrap();
        group.bench_function("evaluate_baseline", |b| b.iter(|| engine::evaluate(&policies, &inventory, now)));
        for (kind, body) in KINDS {
            let one = one_rule(kind, body);
            group.bench_function(format!("evaluate_{kind}"), |b| b.iter(|| engine::evaluate(&one, &inventory, now)));
        }
        let report = engine::evaluate(&policies, &inventory, now);
        let run = report::RunInfo::bare(&report);
        for (format, name) in Format::ALL {
            group.bench_function(format!("render_{name}"), |b| {
                b.iter(|| {
                    let context = Context::new(&report, &policies, &inventory, &run);
                    report::render(format, &context, false, true, &mut Vec::new()).unwrap()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
