//! Benchmarks of the offline path: loading an inventory, evaluating the baseline, rendering SARIF.
//! The inventory comes from `examples/support/generate.rs` (the same generator as
//! `cargo run --release --example generate`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use fsx_guard::engine;
use fsx_guard::inventory::source;
use fsx_guard::policy;
use fsx_guard::report::{self, Context, Format};

#[path = "../examples/support/generate.rs"]
mod generate;

const BACKUPS: usize = 50_000;

fn inventory_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory.json");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    generate::inventory(BACKUPS, &mut file).unwrap();
    drop(file);
    (dir, path)
}

fn bench(c: &mut Criterion) {
    let (_dir, path) = inventory_file();
    let policies = policy::load_builtin().unwrap();
    let mut group = c.benchmark_group(format!("{BACKUPS}_backups"));
    group.sample_size(10);
    group.bench_function("load", |b| b.iter(|| source::load(std::slice::from_ref(&path)).unwrap()));
    let inventory = source::load(std::slice::from_ref(&path)).unwrap();
    let now = inventory.collected_at.unwrap();
    group.bench_function("evaluate", |b| b.iter(|| engine::evaluate(&policies, &inventory, now)));
    let report = engine::evaluate(&policies, &inventory, now);
    let run = fsx_guard::report::RunInfo::bare(&report);
    let context = Context::new(&report, &policies, &inventory, &run);
    group.bench_function("render_sarif", |b| {
        b.iter(|| report::render(Format::Sarif, &context, false, true, &mut Vec::new()).unwrap())
    });
    group.bench_function("render_json", |b| {
        b.iter(|| report::render(Format::Json, &context, false, true, &mut Vec::new()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
