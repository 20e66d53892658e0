//! `cargo run --release --example generate_iac -- tf 2000 DIR` writes a Terraform configuration of
//! 2,000 `.tf` files; `... -- plan 50 FILE` writes a plan of at least 50 MB.

#[path = "support/generate_iac.rs"]
mod generate_iac;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["tf", files, dir] => {
            let files: usize = files.parse().unwrap_or(2000);
            generate_iac::terraform_dir(std::path::Path::new(dir), files)
        }
        ["plan", megabytes, file] => {
            let megabytes: usize = megabytes.parse().unwrap_or(50);
            let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
            let count = generate_iac::plan(megabytes * 1024 * 1024, &mut out)?;
            eprintln!("{count} file systems");
            Ok(())
        }
        _ => {
            eprintln!("usage: generate_iac tf FILES DIR | generate_iac plan MEGABYTES FILE");
            std::process::exit(2);
        }
    }
}
