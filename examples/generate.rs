//! Generates a large, realistic inventory document for benchmarks and load tests.
//!
//! `cargo run --release --example generate -- 300000 > /tmp/big.json` writes an inventory with
//! about that many backups: 3 accounts × 4 Regions, one OpenZFS file system per 300 backups, a
//! mix of automatic, user-initiated and AWS Backup backups, a few failed ones, and cross-Region
//! copies. The output is deterministic for a given size.

use std::io::{BufWriter, Write};

#[path = "support/generate.rs"]
mod generate;

fn main() -> std::io::Result<()> {
    let backups: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(300_000);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    generate::inventory(backups, &mut out)?;
    out.flush()
}
