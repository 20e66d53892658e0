//! Ways a CI gate could be subverted (issue 9), each row of the issue's table a test named after
//! it: inputs that are endless or devices, reports that would overwrite inputs or each other,
//! reports half-written on a full disk, numbers out of range.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Duration;

mod common;

use common::fsx_guard;

const EXAMPLE: &str = "examples/inventory.json";

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
    // Every Linux machine this runs on has it; a test that cannot run must not pass.
    assert!(Path::new("/dev/zero").exists(), "this test needs /dev/zero");
    usage_error(&["check", "--inventory", EXAMPLE, "--policy", "/dev/zero"], "not a text file");
    usage_error(&["check", "--inventory", "/dev/zero"], "not a text file");
}

#[test]
fn a_fifo_that_never_ends_is_capped_by_the_bytes_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("policy.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "this test needs mkfifo (coreutils)");
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
    assert!(Path::new("/bin/sh").exists(), "this test needs /bin/sh to set a file size limit");
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

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_policy_key_twice_is_an_error_at_both_places() {
    let dir = tempfile::tempdir().unwrap();
    // `rules:` twice, the second empty: before, "0 rule(s): valid" and a pass on retention 0.
    let rules_twice = write(
        dir.path(),
        "rules-twice.yaml",
        "version: 1\nrules:\n  - id: A\n    kind: backup-retention\n    params: {min_days: 7}\nrules: []\n",
    );
    let stderr = usage_error(&["validate", &rules_twice], "duplicate key `rules` (first at line 2, column 1)");
    assert!(stderr.contains("rules-twice.yaml:6:1"), "{stderr}");
    usage_error(&["check", "--inventory", EXAMPLE, "--policy", &rules_twice], "duplicate key `rules`");
    let param_twice = write(
        dir.path(),
        "param-twice.yaml",
        "version: 1\nrules:\n  - id: A\n    kind: backup-retention\n    params:\n      min_days: 7\n      min_days: 1\n",
    );
    usage_error(&["validate", &param_twice], "duplicate key `min_days`");
    let tag_twice = write(
        dir.path(),
        "tag-twice.yaml",
        "version: 1\nrules:\n  - id: A\n    kind: backup-retention\n    select: {tags: {env: prod, env: dev}}\n",
    );
    usage_error(&["validate", &tag_twice], "duplicate key `env`");
}

#[test]
fn an_inventory_key_twice_is_an_input_error_in_json_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let region_twice = write(
        dir.path(),
        "region-twice.json",
        r#"{"version": 1, "accounts": [{"account_id": "111122223333", "regions": {"us-east-1": {"FileSystems": [], "Backups": []}, "us-east-1": {"FileSystems": []}}}]}"#,
    );
    usage_error(&["check", "--inventory", &region_twice], "duplicate key `us-east-1`");
    let list_twice = write(
        dir.path(),
        "list-twice.json",
        r#"{"version": 1, "accounts": [{"account_id": "111122223333", "regions": {"us-east-1": {"FileSystems": [], "FileSystems": []}}}]}"#,
    );
    usage_error(&["check", "--inventory", &list_twice], "duplicate field `FileSystems`");
    let yaml = write(
        dir.path(),
        "region-twice.yaml",
        "version: 1\naccounts:\n  - account_id: \"111122223333\"\n    regions:\n      us-east-1: {FileSystems: []}\n      us-east-1: {Backups: []}\n",
    );
    usage_error(&["check", "--inventory", &yaml], "duplicate key `us-east-1`");
}

#[test]
fn yaml_anchors_referenced_many_times_are_refused_within_the_expansion_bound() {
    let dir = tempfile::tempdir().unwrap();
    // A 740 KB policy: 10,000 rules sharing one anchored 10,000-item list.
    let ids: Vec<String> = (0..10_000).map(|i| format!("fs-{i:017x}")).collect();
    let mut policy = format!("version: 1\nx-ids: &ids [{}]\nrules:\n", ids.join(", "));
    for i in 0..10_000 {
        policy.push_str(&format!("  - {{id: R{i}, kind: backup-recency, select: {{file_system_ids: *ids}}}}\n"));
    }
    let policy = write(dir.path(), "anchors.yaml", &policy);
    let started = std::time::Instant::now();
    usage_error(&["validate", &policy], "aliases expand to more than 1000000 nodes");
    // A 4 MB inventory: a 5,000-tag anchor used 30,000 times.
    let tags: Vec<String> = (0..5_000).map(|i| format!("{{Key: k{i}, Value: v}}")).collect();
    let mut inventory = format!("x-tags: &tags [{}]\nBackups:\n", tags.join(", "));
    for i in 0..30_000 {
        inventory.push_str(&format!("  - {{BackupId: backup-{i:017x}, Tags: *tags}}\n"));
    }
    let inventory = write(dir.path(), "anchors.yaml.yaml", &inventory);
    usage_error(&["check", "--inventory", &inventory], "aliases expand to more than");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

fn exit_code(args: &[&str]) -> (Option<i32>, String, String) {
    let output = fsx_guard().args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn inventories_that_hold_nothing_to_judge_never_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let raw_backups = std::fs::read_to_string("examples/raw/111122223333-us-east-1-describe-backups.json").unwrap();
    for (name, text) in [
        ("version-only.json", r#"{"version": 1}"#.to_string()),
        ("no-accounts.json", r#"{"version": 1, "accounts": []}"#.to_string()),
        (
            "backups-without-file-systems.json",
            r#"{"version": 1, "accounts": [{"account_id": "111122223333", "regions": {"us-east-1": {"Backups": []}}}]}"#
                .to_string(),
        ),
        ("raw-backups-only.json", raw_backups),
        ("iam-only.json", std::fs::read_to_string("tests/fixtures/real/get-account-authorization-details.json").unwrap()),
    ] {
        let path = write(dir.path(), name, &text);
        let (code, _, stderr) = exit_code(&["check", "--inventory", &path]);
        assert_eq!(code, Some(3), "{name}: {stderr}");
        let (code, stdout, _) = exit_code(&["check", "--inventory", &path, "--format", "json"]);
        assert_eq!(code, Some(3));
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert!(json["summary"]["error"].as_u64().unwrap() > 0, "{name}: {stdout}");
        assert_eq!(json["summary"]["pass"], 0, "{name}");
    }
}

#[test]
fn typos_in_an_inventory_document_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = write(dir.path(), "acounts.json", r#"{"version": 1, "acounts": [{"account_id": "111122223333"}]}"#);
    usage_error(&["check", "--inventory", &accounts], "did you mean `accounts`?");
    let lists = write(
        dir.path(),
        "filesystems.json",
        r#"{"version": 1, "accounts": [{"account_id": "111122223333", "regions": {"us-east-1": {"Filesystems": [], "Backups": []}}}]}"#,
    );
    usage_error(&["check", "--inventory", &lists], "unknown field `Filesystems`");
}

#[test]
fn a_run_that_judged_nothing_exits_3_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "lustre.yaml",
        "version: 1\nrules:\n  - id: L\n    kind: backup-recency\n    select: {accounts: [\"111122223333\"], regions: [us-east-1], tags: {no-such-tag: \"*\"}}\n",
    );
    let (code, _, stderr) = exit_code(&["check", "--inventory", EXAMPLE, "--policy", &policy]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("nothing was judged"), "{stderr}");
    let (code, _, _) = exit_code(&["check", "--inventory", EXAMPLE, "--policy", &policy, "--allow-empty"]);
    assert_eq!(code, Some(0));
}

fn example_with_errors(errors: serde_json::Value) -> (tempfile::TempDir, String) {
    let mut document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    document["accounts"][0]["errors"] = errors;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "inventory.json", &serde_json::to_string_pretty(&document).unwrap());
    (dir, path)
}

fn verdicts(path: &str, policy: &str) -> Vec<(String, String, String)> {
    let (_, stdout, stderr) = exit_code(&["check", "--inventory", path, "--policy", policy, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
    json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule_id"].as_str().unwrap().to_string(),
                r["resource"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_iam_failure_in_errors_is_never_a_pass_even_with_iam_present() {
    let (_dir, path) = example_with_errors(serde_json::json!([
        {"service": "iam", "operation": "GetAccountAuthorizationDetails", "message": "Throttling: Rate exceeded"}
    ]));
    let results = verdicts(&path, "examples/policies/who-may-delete.yaml");
    let account: Vec<_> = results.iter().filter(|(_, r, _)| r.contains("111122223333")).collect();
    assert!(!account.is_empty());
    assert!(account.iter().all(|(_, _, v)| v == "error"), "{account:?}");
}

#[test]
fn errors_without_a_region_or_in_the_cli_spelling_are_understood() {
    let policy = "policies/baseline.yaml";
    // No Region: every Region of the account.
    let (_dir, path) = example_with_errors(serde_json::json!([
        {"service": "fsx", "operation": "DescribeBackups", "message": "AccessDenied"}
    ]));
    let recency: Vec<_> = verdicts(&path, policy)
        .into_iter()
        .filter(|(rule, r, _)| rule == "FSX-BASE-RECENCY" && r.contains("111122223333"))
        .collect();
    assert!(!recency.is_empty());
    assert!(recency.iter().all(|(_, _, v)| v == "error"), "{recency:?}");
    // The CLI's spelling of the operation.
    let (_dir, path) = example_with_errors(serde_json::json!([
        {"region": "us-east-1", "service": "fsx", "operation": "describe-backups", "message": "AccessDenied"}
    ]));
    let east: Vec<_> = verdicts(&path, policy)
        .into_iter()
        .filter(|(rule, r, _)| rule == "FSX-BASE-RECENCY" && r.contains("us-east-1:111122223333"))
        .collect();
    assert!(!east.is_empty());
    assert!(east.iter().all(|(_, _, v)| v == "error"), "{east:?}");
    // An operation fsx-guard does not know is refused with its position, never ignored.
    let (_dir, path) = example_with_errors(serde_json::json!([
        {"region": "us-east-1", "service": "fsx", "operation": "DescribeBackupz", "message": "AccessDenied"}
    ]));
    usage_error(&["check", "--inventory", &path], "is not an operation fsx-guard reads");
}

/// No line of what a gate prints may start a GitHub Actions workflow command, and no escape
/// sequence may reach the terminal.
fn assert_log_safe(text: &str) {
    for line in text.lines() {
        assert!(!line.trim_start().starts_with("::"), "a workflow command could start here: {line:?}");
    }
    assert!(!text.contains('\u{1b}'), "an escape sequence reached the output");
}

#[test]
fn newlines_and_escape_sequences_in_ids_tags_and_errors_are_never_printed_raw() {
    let mut document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    let account = &mut document["accounts"][0];
    let region = account["regions"].as_object_mut().unwrap().values_mut().next().unwrap();
    // An id AWS could not have issued: an input problem at its position, not a resource.
    region["FileSystems"][0]["FileSystemId"] = "fs-0a1b2c3d4e5f60001\n::error title=ok::all good".into();
    region["FileSystems"][0]["ResourceARN"] = serde_json::Value::Null;
    // A backup name with an escape sequence, and an errors message with a workflow command.
    region["Backups"][0]["Tags"] = serde_json::json!([{"Key": "Name", "Value": "x\u{1b}[2J\n::warning::owned"}]);
    account["errors"] = serde_json::json!([
        {"region": "eu-west-1", "service": "fsx", "operation": "DescribeFileSystems", "message": "denied\n::error title=ok::all good\u{1b}]0;title\u{7}"}
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "injected.json", &serde_json::to_string_pretty(&document).unwrap());
    for format in ["pretty", "json", "sarif"] {
        let (code, stdout, stderr) =
            exit_code(&["check", "--inventory", &path, "--include-passed", "--format", format, "--fail-on", "never"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_log_safe(&stdout);
        assert_log_safe(&stderr);
        if format == "pretty" {
            assert!(stdout.contains("denied\\n::error title=ok::all good\\u{1b}]0;title\\u{7}"), "{stdout}");
            assert!(stderr.contains("is not a file system id AWS issues"), "{stderr}");
            assert!(stderr.contains("injected.json:"), "the problem is reported where it is: {stderr}");
        }
    }
}

/// A loopback endpoint that answers `sts:GetCallerIdentity` and `fsx:DescribeFileSystems` (or
/// nothing, with `sts: false`) and holds every other request open without a word. It stops by itself after `life`.
fn silent_endpoint(sts: bool, life: Duration) -> (String, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let started = std::time::Instant::now();
        let mut held = Vec::new();
        while started.elapsed() < life {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
            let mut request = Vec::new();
            let mut buffer = [0u8; 8192];
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&request).to_string();
            if sts && text.contains("GetCallerIdentity") {
                let body = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/a/s</Arn><UserId>AROAEXAMPLE:s</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
            } else if sts && text.contains("DescribeFileSystems") {
                let body = "{\"FileSystems\": []}";
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
            }
            held.push(stream);
        }
    });
    (url, handle)
}

fn collect_against(url: &str) -> (Option<i32>, String, String, Duration) {
    let started = std::time::Instant::now();
    let output = fsx_guard()
        .args(["collect", "--region", "us-east-1", "--endpoint-url", url])
        .args(["--connect-timeout", "1", "--read-timeout", "1", "--deadline", "6"])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
        started.elapsed(),
    )
}

#[test]
fn an_endpoint_that_never_answers_ends_within_the_deadline_with_each_call_recorded() {
    let (url, server) = silent_endpoint(true, Duration::from_secs(25));
    let (code, stdout, stderr, elapsed) = collect_against(&url);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    let document: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let errors = document["accounts"][0]["errors"].as_array().unwrap();
    let operations: Vec<&str> = errors.iter().filter_map(|e| e["operation"].as_str()).collect();
    for operation in ["DescribeBackups", "GetAccountAuthorizationDetails"] {
        assert!(operations.contains(&operation), "{operation} is recorded: {errors:?}");
    }
    // What did answer is kept.
    assert_eq!(document["accounts"][0]["regions"]["us-east-1"]["FileSystems"], serde_json::json!([]));
    drop(server);
}

#[test]
fn an_endpoint_that_never_answers_anything_is_exit_2_within_the_deadline() {
    let (url, server) = silent_endpoint(false, Duration::from_secs(25));
    let (code, _, stderr, elapsed) = collect_against(&url);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    drop(server);
}

#[test]
fn collect_output_over_its_policy_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.yaml");
    std::fs::copy("policies/baseline.yaml", &policy).unwrap();
    let policy = policy.to_str().unwrap().to_string();
    usage_error(
        &["collect", "--region", "us-east-1", "--policy", &policy, "--output", &policy],
        "would overwrite the policy",
    );
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), std::fs::read_to_string("policies/baseline.yaml").unwrap());
}
