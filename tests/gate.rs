//! Ways a CI gate could be subverted (issue 9), each row of the table a test named after
//! it: inputs that are endless or devices, reports that would overwrite inputs or each other,
//! reports half-written on a full disk, numbers out of range.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

const EXAMPLE: &str = "examples/inventory.json";

fn fsx_guard() -> Command {
    let mut cmd = Command::cargo_bin("fsx-guard").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1").timeout(Duration::from_secs(60));
    cmd
}

fn usage_error(args: &[&str], expected: &str) -> String {
    let output = fsx_guard().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "expected `{expected}` in: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn concurrency_beyond_its_range_is_a_usage_error_naming_the_range() {
    for value in ["18446744073709551615", "0", "257", "-1", "many"] {
        let option = format!("--concurrency={value}");
        usage_error(&["check", "--inventory", EXAMPLE, &option], "from 1 to 256");
        usage_error(&["collect", "--region", "us-east-1", &option], "from 1 to 256");
    }
}

#[test]
fn dev_zero_as_a_policy_or_an_inventory_fails_at_once() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero on this system");
        return;
    }
    usage_error(&["check", "--inventory", EXAMPLE, "--policy", "/dev/zero"], "not a text file");
    usage_error(&["check", "--inventory", "/dev/zero"], "not a text file");
}

#[test]
fn a_fifo_that_never_ends_is_capped_by_the_bytes_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("policy.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // A writer that would go on for ever (a comment line at a time) until the reader stops.
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(writer_path) else { return 0u64 };
        let line = [b'#'; 1023].iter().copied().chain(std::iter::once(b'\n')).collect::<Vec<u8>>();
        let mut written = 0u64;
        while pipe.write_all(&line).is_ok() {
            written += line.len() as u64;
        }
        written
    });
    let started = std::time::Instant::now();
    usage_error(&["check", "--inventory", EXAMPLE, "--policy", fifo.to_str().unwrap()], "4 MiB");
    let written = writer.join().unwrap();
    assert!(written < 64 * 1024 * 1024, "the reader stopped near the cap, after {written} bytes");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn one_path_for_two_formats_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let json = format!("json={}", out.display());
    let sarif = format!("sarif={}", out.display());
    usage_error(&["check", "--inventory", EXAMPLE, "--format", &json, "--format", &sarif], "write the same file");
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn a_report_over_an_input_is_a_usage_error_and_the_input_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let inventory = dir.path().join("inv.json");
    std::fs::copy(EXAMPLE, &inventory).unwrap();
    let before = std::fs::read(&inventory).unwrap();
    let target = format!("json={}", inventory.display());
    usage_error(
        &["check", "--inventory", inventory.to_str().unwrap(), "--format", &target],
        "would overwrite the inventory",
    );
    assert_eq!(std::fs::read(&inventory).unwrap(), before);
    // The same file by another spelling.
    let dotted = format!("sarif={}/./inv.json", dir.path().display());
    usage_error(&["check", "--inventory", inventory.to_str().unwrap(), "--format", &dotted], "would overwrite");
    // A policy, or a YAML file inside a policy directory.
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::copy("policies/baseline.yaml", policies.join("baseline.yaml")).unwrap();
    let over_policy = format!("json={}", policies.join("baseline.yaml").display());
    usage_error(
        &["check", "--inventory", EXAMPLE, "--policy", policies.to_str().unwrap(), "--format", &over_policy],
        "would overwrite the",
    );
    assert_eq!(
        std::fs::read_to_string(policies.join("baseline.yaml")).unwrap(),
        std::fs::read_to_string("policies/baseline.yaml").unwrap()
    );
}

#[test]
fn format_dash_means_stdout() {
    let output = fsx_guard().args(["check", "--inventory", EXAMPLE, "--format", "json=-"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["format_version"], 1);
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("-").exists());
}

#[test]
fn a_report_that_cannot_be_written_whole_keeps_the_previous_one_and_exits_2() {
    if !Path::new("/bin/sh").exists() {
        eprintln!("skipped: no /bin/sh to set a file size limit");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("results.sarif");
    std::fs::write(&sarif, "the previous good report\n").unwrap();
    // A 4 KiB file size limit (as on a full disk): the SARIF report is larger. SIGXFSZ is
    // ignored so that the write fails instead of killing the process.
    let binary = assert_cmd::cargo::cargo_bin("fsx-guard");
    let script = format!(
        "trap '' XFSZ; ulimit -f 4; exec '{}' check --inventory {EXAMPLE} --format pretty --format sarif='{}'",
        binary.display(),
        sarif.display()
    );
    let output = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("results.sarif") && stderr.contains("unchanged"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&sarif).unwrap(), "the previous good report\n");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left: {leftovers:?}");
}
