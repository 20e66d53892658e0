//! Benchmarks of infrastructure-code inputs: a Terraform configuration of 2,000 `.tf` files
//! (static evaluation) and a 50 MB plan, loaded and judged by the example IaC policy. The
//! inputs come from `examples/support/generate_iac.rs` (also `cargo run --release --example
//! generate_iac`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use fsx_guard::engine;
use fsx_guard::inventory::source::{self, Options};
use fsx_guard::policy;

#[path = "../examples/support/generate_iac.rs"]
mod generate_iac;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let tf = dir.path().join("tf");
    generate_iac::terraform_dir(&tf, 2000).unwrap();
    let plan = dir.path().join("plan.json");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&plan).unwrap());
    generate_iac::plan(50 * 1024 * 1024, &mut out).unwrap();
    drop(out);
    let policies = policy::load(&[PathBuf::from("examples/iac/policy.yaml")]).unwrap();
    let options = Options { account: Some("111122223333".into()), ..Options::default() };
    let now = fsx_guard::inventory::Timestamp::parse_rfc3339("2026-11-30T12:00:00Z").unwrap();

    let mut group = c.benchmark_group("iac");
    group.sample_size(10);
    group.bench_function("terraform_2000_files", |b| {
        b.iter(|| {
            let inventory = source::load_with(std::slice::from_ref(&tf), &options).unwrap();
            engine::evaluate(&policies, &inventory, now)
        })
    });
    group.bench_function("plan_50_mb", |b| {
        b.iter(|| {
            let inventory = source::load_with(std::slice::from_ref(&plan), &options).unwrap();
            engine::evaluate(&policies, &inventory, now)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
