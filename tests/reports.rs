//! The six report formats on the shipped example, and the gate around them: waivers, baselines,
//! `--rule`/`--severity`, SARIF categories and locations. Expected verdicts for the example
//! (written down before running): 6 pass, 5 fail, 3 error; failures on fs-…0002 (recency,
//! retention), fs-…0004 (recency, retention) and backup-…a004 (naming, a warning); the three
//! errors are eu-west-1 of account 444455556666, unreadable (an SCP denies it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::fsx_guard;
use serde_json::{Value, json};

const EXAMPLE: &str = "examples/inventory.json";
/// 2026-11-30T12:00:00Z: the "real clock" of every run here, so reports are byte-identical.
const EPOCH: &str = "1796040000";

/// Snapshot filters: the tool version.
macro_rules! report_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            filters => vec![
                (r#""(semanticVersion|version)": "\d+\.\d+\.\d+""#, r#""$1": "[version]""#),
                (r"fsx-guard \d+\.\d+\.\d+", "fsx-guard [version]"),
                (r#"name="tool.version" value="\d+\.\d+\.\d+""#, r#"name="tool.version" value="[version]""#),
                (r"\| \d+ ms \|", "| [elapsed] ms |"),
            ],
        }, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

fn run(args: &[&str]) -> Output {
    fsx_guard().env("SOURCE_DATE_EPOCH", EPOCH).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn json_of(args: &[&str]) -> (Value, Output) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = run(&all);
    (serde_json::from_slice(&output.stdout).unwrap_or(Value::Null), output)
}

fn sarif_of(args: &[&str]) -> (Value, Output) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "sarif"]);
    let output = run(&all);
    (serde_json::from_slice(&output.stdout).unwrap_or(Value::Null), output)
}

fn results_where<'v>(report: &'v Value, rule: &str, resource_end: &str) -> Vec<&'v Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule_id"] == rule && r["resource"].as_str().unwrap().ends_with(resource_end))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Every format on the shipped example.

#[test]
fn the_example_renders_in_all_six_formats() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).display().to_string();
    let formats = [
        ("json", file("r.json")),
        ("sarif", file("r.sarif")),
        ("junit", file("r.xml")),
        ("markdown", file("r.md")),
        ("html", file("r.html")),
    ];
    let mut args: Vec<String> = ["check", "--inventory", EXAMPLE].iter().map(|s| s.to_string()).collect();
    for (format, path) in &formats {
        args.push("--format".into());
        args.push(format!("{format}={path}"));
    }
    args.extend(["--format".into(), "pretty".into()]);
    let output = fsx_guard().env("SOURCE_DATE_EPOCH", EPOCH).args(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    report_snapshot!("report__all__pretty", stdout(&output));
    for (format, path) in &formats {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!text.is_empty(), "{format} is empty");
        report_snapshot!(format!("report__all__{format}"), text);
    }
    // The pull-request comment is what stdout gets.
    let comment = stdout(&run(&["check", "--inventory", EXAMPLE, "--format", "markdown"]));
    report_snapshot!("report__all__markdown_comment", comment);
}

#[test]
fn every_report_states_its_inputs_clock_and_exit_code() {
    let (report, output) = json_of(&["--inventory", EXAMPLE]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(report["generated_at"], "2026-11-30T12:00:00Z");
    assert_eq!(report["evaluated_at"], "2026-11-25T06:00:00Z");
    assert_eq!(report["fail_on"], "error");
    assert_eq!(report["exit_code"], 1);
    let inputs = report["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0]["path"], "policies/baseline.yaml");
    assert_eq!(inputs[0]["kind"], "policy");
    assert_eq!(inputs[1]["path"], EXAMPLE);
    assert_eq!(inputs[1]["kind"], "inventory");
    // The hash of the file as it is on disk.
    use sha2::Digest;
    let expected: String =
        sha2::Sha256::digest(std::fs::read(EXAMPLE).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(inputs[1]["sha256"], expected);

    let (sarif, _) = sarif_of(&["--inventory", EXAMPLE]);
    let run_ = &sarif["runs"][0];
    assert_eq!(run_["invocations"][0]["exitCode"], 1);
    assert_eq!(run_["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run_["invocations"][0]["startTimeUtc"], "2026-11-30T12:00:00Z");
    assert_eq!(run_["invocations"][0]["properties"]["fail_on"], "error");
    assert_eq!(run_["artifacts"][1]["location"]["uri"], EXAMPLE);
    assert_eq!(run_["artifacts"][1]["hashes"]["sha-256"], expected);
    assert_eq!(run_["artifacts"][1]["roles"][0], "analysisTarget");
    assert_eq!(run_["artifacts"][0]["roles"][0], "policy");
    assert_eq!(common::oasis_errors(&sarif), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// JUnit against the XSD GitLab, Jenkins and Azure DevOps read.

/// A Python with `xmlschema` (`.ci/run` installs it into the moto venv on PATH).
fn xsd_python() -> Option<PathBuf> {
    let candidates = std::env::var_os("FSX_GUARD_PYTHON").map(PathBuf::from).into_iter().chain(["python3".into()]);
    for python in candidates {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import xmlschema"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    None
}

fn xsd_errors(python: &Path, xml: &Path) -> Option<String> {
    let script = "import sys, xmlschema\nschema = xmlschema.XMLSchema(sys.argv[1])\nerrors = [str(e) for e in schema.iter_errors(sys.argv[2])]\nprint('\\n'.join(errors))\nsys.exit(1 if errors else 0)";
    let output = std::process::Command::new(python)
        .args(["-c", script, "tests/data/junit.xsd"])
        .arg(xml)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (!output.status.success()).then(|| format!("{}{}", stdout(&output), stderr(&output)))
}

#[test]
fn junit_is_valid_against_the_xsd_and_counts_every_result() {
    let Some(python) = xsd_python() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have Python's xmlschema (.ci/run installs it)");
        eprintln!("SKIPPED: no Python with `xmlschema`; `pip install xmlschema==4.3.2` to run this test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("r.xml");
    let waivers = "examples/waivers.yaml";
    let output =
        run(&["check", "--inventory", EXAMPLE, "--waivers", waivers, "--format", &format!("junit={}", xml.display())]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(xsd_errors(&python, &xml), None);
    let text = std::fs::read_to_string(&xml).unwrap();
    // 14 results: 6 pass, 5 fail, 3 error; 4 of the failing ones waived (skipped).
    assert_eq!(text.matches("<testcase ").count(), 14);
    assert_eq!(text.matches("<failure ").count(), 4, "5 failures, 1 waived");
    assert_eq!(text.matches("<error ").count(), 0, "the 3 errors are waived");
    assert_eq!(text.matches("<skipped ").count(), 4);
    assert!(text.contains("type=\"waived\""));
    assert!(text.contains("<testsuites name=\"fsx-guard\" tests=\"14\" skipped=\"4\" failures=\"4\" errors=\"0\">"));
    assert!(text.contains("name=\"input.1.sha256\""));
    // The validator itself rejects what the readers would: an unknown element.
    let broken = dir.path().join("broken.xml");
    std::fs::write(&broken, text.replacen("<testcase ", "<testcas ", 1)).unwrap();
    assert!(xsd_errors(&python, &broken).is_some(), "the XSD check must be able to fail");
}

// ---------------------------------------------------------------------------------------------
// Markdown: the pull-request comment fits GitHub's limit.

fn many_failures(count: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.json");
    let file_systems: Vec<Value> = (0..count)
        .map(|i| {
            json!({"FileSystemId": format!("fs-{i:017x}"), "FileSystemType": "OPENZFS", "OpenZFSConfiguration": {
                "AutomaticBackupRetentionDays": 0, "CopyTagsToBackups": false, "DailyAutomaticBackupStartTime": "05:00"}})
        })
        .collect();
    let document = json!({"version": 1, "collected_at": "2026-11-25T06:00:00Z",
        "accounts": [{"account_id": "111122223333", "regions": {"us-east-1": {"FileSystems": file_systems, "Backups": []}}}]});
    std::fs::write(&path, serde_json::to_vec(&document).unwrap()).unwrap();
    (dir, path)
}

#[test]
fn the_pull_request_comment_fits_and_says_how_many_more() {
    let (_dir, path) = many_failures(800);
    let path = path.display().to_string();
    let output = run(&["check", "--inventory", &path, "--format", "markdown"]);
    assert_eq!(output.status.code(), Some(1));
    let comment = stdout(&output);
    let characters = comment.chars().count();
    assert!(characters <= 65_536, "{characters} characters");
    // 800 file systems × (retention, recency) fail: 1,600 failures (naming has no backup to judge).
    let rows = comment.lines().filter(|l| l.starts_with("| ❌ fail |")).count();
    assert!(rows > 50, "{rows} rows shown");
    let more: usize = comment
        .split("_… and ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("an `and N more` line");
    assert_eq!(rows + more, 1_600);
    assert!(comment.starts_with("## ❌ fsx-guard: 1600 failure(s)"));
    // As GitHub reads it (GFM tables): the findings table has a row per finding shown, 5 cells each.
    let (tables, rows) = gfm_tables(&comment);
    assert_eq!(tables, 2, "the counts and the findings");
    assert_eq!(
        rows.iter().filter(|cells| cells.first().is_some_and(|c| c.contains("fail"))).count(),
        rows_shown(&comment)
    );
    assert!(rows.iter().all(|cells| cells.len() == 5), "every row keeps its columns");
}

fn rows_shown(comment: &str) -> usize {
    comment.lines().filter(|l| l.starts_with("| ❌ fail |")).count()
}

/// The tables of a Markdown text as a GFM parser sees them: how many, and the body rows' cells.
fn gfm_tables(text: &str) -> (usize, Vec<Vec<String>>) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut tables = 0;
    let mut rows = Vec::new();
    let mut row: Option<Vec<String>> = None;
    let mut in_head = false;
    for event in Parser::new_ext(text, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) if !in_head => row = Some(Vec::new()),
            Event::End(TagEnd::TableRow) => rows.extend(row.take()),
            Event::Start(Tag::TableCell) => {
                if let Some(cells) = row.as_mut() {
                    cells.push(String::new());
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(cell) = row.as_mut().and_then(|cells| cells.last_mut()) {
                    cell.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (tables, rows)
}

#[test]
fn the_full_markdown_document_holds_every_result_and_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("r.md");
    let output = run(&["check", "--inventory", EXAMPLE, "--format", &format!("markdown={}", md.display())]);
    assert_eq!(output.status.code(), Some(1));
    let text = std::fs::read_to_string(&md).unwrap();
    for heading in ["## Summary", "## Run", "## Inputs", "## Rules", "### FSX-BASE-RETENTION", "### FSX-BASE-NAMING"] {
        assert!(text.contains(heading), "{heading}");
    }
    // Every result has a row: 14.
    let rows = text
        .lines()
        .filter(|l| !l.contains("not applicable |"))
        .filter(|l| l.starts_with("| ✅ pass |") || l.starts_with("| ❌ fail |") || l.starts_with("| ⚠️ error |"))
        .count();
    assert_eq!(rows, 14);
    assert!(text.contains("| account | pass | fail | error | not applicable | waived |"));
    // Parsed as GitHub would: a message holding `|` or `<` stays in its cell.
    let (_, rows) = gfm_tables(&text);
    let result_rows: Vec<&Vec<String>> =
        rows.iter().filter(|cells| cells.len() == 5 && cells[1].starts_with("arn:aws:fsx:")).collect();
    assert_eq!(result_rows.len(), 14);
    assert!(text.contains("| 444455556666 | 2 | 0 | 3 | 0 | 0 |"));
}

// ---------------------------------------------------------------------------------------------
// HTML in a real browser.

fn chromium() -> Option<PathBuf> {
    let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let from_env = std::env::var_os("FSX_GUARD_CHROMIUM").map(PathBuf::from);
    from_env.into_iter().chain(names.iter().map(PathBuf::from)).find(|candidate| {
        std::process::Command::new(candidate).arg("--version").output().is_ok_and(|o| o.status.success())
    })
}

fn headless(browser: &Path, profile: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn html_renders_in_a_headless_browser_with_the_expected_counts() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have Chromium (.ci/run installs it)");
        eprintln!("SKIPPED: no Chromium; `apt-get install -y chromium` to run this test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let output = run(&[
        "check",
        "--inventory",
        EXAMPLE,
        "--waivers",
        "examples/waivers.yaml",
        "--format",
        &format!("html={}", html.display()),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    // Self-contained: nothing is fetched.
    for network in ["http://", "https://", "src=", "@import", "url("] {
        let outside_svg_namespace = page.replace("http://www.w3.org/2000/svg", "");
        assert!(!outside_svg_namespace.contains(network), "the page refers to `{network}`");
    }
    let url = format!("file://{}#verdict=fail", html.display());
    let dom = headless(&browser, &dir.path().join("profile"))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", stderr(&dom));
    let dom = stdout(&dom);
    // The counts as the page shows them.
    for (id, count) in [("pass", 6), ("fail", 5), ("error", 3), ("not_applicable", 0), ("waived", 4)] {
        assert!(dom.contains(&format!("id=\"count-{id}\" data-count=\"{count}\"")), "count-{id} = {count}");
    }
    // The script ran: the `#verdict=fail` filter left the 5 failures of 14 rows.
    assert!(dom.contains("data-shown=\"5\">5 of 14 shown"), "filter in the page");
    assert_eq!(dom.matches("class=\"result fail hidden\"").count(), 0);
    assert_eq!(dom.matches("<tr class=\"result pass hidden\"").count(), 6);
    // Breakdowns by account and Region, inputs with hashes, a timeline per judged file system.
    assert!(dom.contains("<tr data-key=\"444455556666\"><td>444455556666</td><td>2</td><td class=\"fail\">0</td><td class=\"error\">3</td>"));
    assert!(dom.contains("<tr data-key=\"eu-west-1\">"));
    assert_eq!(dom.matches("<code class=\"hash\">").count(), 3, "policy, inventory, waivers");
    // Recency judged fs-…0001, 0002, 0004 and 0005: four timelines.
    assert_eq!(dom.matches("<figure class=\"timeline\"").count(), 4);
    assert!(dom.contains("Waived until 2027-01-31 by platform-security@example.com"));

    // A screenshot to look at, kept under target/.
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-report.png");
    let taken = headless(&browser, &dir.path().join("profile2"))
        .args(["--window-size=1280,3000", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(taken.status.success(), "{}", stderr(&taken));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "a real screenshot ({} bytes)", png.len());
    // Printed to PDF, as an auditor files it.
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-report.pdf");
    let printed = headless(&browser, &dir.path().join("profile3"))
        .args(["--no-pdf-header-footer"])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(printed.status.success(), "{}", stderr(&printed));
    let pdf = std::fs::read(&pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 20_000, "a real PDF ({} bytes)", pdf.len());
}

// ---------------------------------------------------------------------------------------------
// Waivers.

#[test]
fn a_waiver_marks_the_result_and_takes_it_out_of_the_exit_code() {
    let (report, output) = json_of(&["--inventory", EXAMPLE, "--waivers", "examples/waivers.yaml"]);
    // Still failing: fs-…0002 is not waived.
    assert_eq!(output.status.code(), Some(1));
    let waived = results_where(&report, "FSX-BASE-RECENCY", "fs-0b1b2c3d4e5f60004");
    assert_eq!(waived[0]["verdict"], "fail", "a waived result keeps its verdict");
    assert_eq!(waived[0]["waived"]["owner"], "storage-team@example.com");
    assert_eq!(waived[0]["waived"]["expires"], "2026-12-15");
    assert_eq!(waived[0]["waived"]["waiver"], "examples/waivers.yaml:5");
    assert!(results_where(&report, "FSX-BASE-RECENCY", "fs-0a1b2c3d4e5f60002")[0].get("waived").is_none());
    // The glob `FSX-BASE-*` over `file-system/*` waives the three eu-west-1 errors.
    for rule in ["FSX-BASE-RETENTION", "FSX-BASE-RECENCY", "FSX-BASE-NAMING"] {
        assert_eq!(
            results_where(&report, rule, "file-system/*")[0]["waived"]["owner"],
            "platform-security@example.com"
        );
    }
    assert_eq!(report["summary"]["waived"], 4);
    assert_eq!(report["summary"]["fail"], 5, "verdict counts are unchanged");
    assert_eq!(report["waivers"][0]["status"], "active");
    assert_eq!(report["waivers"][1]["matched"], 3);

    let (sarif, _) = sarif_of(&["--inventory", EXAMPLE, "--waivers", "examples/waivers.yaml"]);
    let suppressed: Vec<&Value> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), 4);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert!(suppressed[0]["suppressions"][0]["justification"].as_str().unwrap().contains("ticket"));
    assert_eq!(common::oasis_errors(&sarif), Vec::<String>::new());
    let roles: Vec<&Value> = sarif["runs"][0]["artifacts"].as_array().unwrap().iter().map(|a| &a["roles"][0]).collect();
    assert_eq!(roles, [&json!("policy"), &json!("userSpecifiedConfiguration"), &json!("analysisTarget")]);

    let pretty = stdout(&run(&["check", "--inventory", EXAMPLE, "--waivers", "examples/waivers.yaml"]));
    assert!(pretty.contains("(waived) newest available backup `backup-0b00000000000b001`"), "{pretty}");
    assert!(pretty.contains("waived until 2026-12-15 by storage-team@example.com"));
    assert!(pretty.contains(", 4 waived"));
}

#[test]
fn waiving_every_failure_and_error_makes_the_gate_pass() {
    let (report, output) = json_of(&["--inventory", EXAMPLE, "--waivers", "tests/fixtures/waivers/everything.yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(report["exit_code"], 0);
    assert_eq!(report["summary"]["waived"], 8);
    // The waiver runs through 2026-11-25, the day of `--now`; the next day it is over.
    let (_, next_day) = json_of(&[
        "--inventory",
        EXAMPLE,
        "--waivers",
        "tests/fixtures/waivers/everything.yaml",
        "--now",
        "2026-11-26T00:00:00Z",
    ]);
    assert_eq!(next_day.status.code(), Some(1));
    assert!(stderr(&next_day).contains("expired on 2026-11-25"));
}

#[test]
fn expired_and_unmatched_waivers_are_warnings_in_every_report() {
    let waivers = "tests/fixtures/waivers/expired-and-unmatched.yaml";
    let (report, output) = json_of(&["--inventory", EXAMPLE, "--waivers", waivers]);
    assert_eq!(output.status.code(), Some(1));
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2);
    assert!(warnings[0].as_str().unwrap().contains("expired on 2026-11-24"));
    assert!(warnings[0].as_str().unwrap().contains("expired-and-unmatched.yaml:3"));
    assert!(warnings[1].as_str().unwrap().contains("matched no result"));
    assert_eq!(report["waivers"][0]["status"], "expired");
    assert_eq!(report["waivers"][1]["status"], "unmatched");
    // The expired one no longer covers its result.
    assert!(results_where(&report, "FSX-BASE-RETENTION", "fs-0a1b2c3d4e5f60002")[0].get("waived").is_none());
    // On stderr too (JSON on stdout), and in SARIF, JUnit, Markdown, HTML and pretty.
    assert!(stderr(&output).contains("warning: waiver for `FSX-BASE-RETENTION`"));
    let (sarif, _) = sarif_of(&["--inventory", EXAMPLE, "--waivers", waivers]);
    assert_eq!(sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap().len(), 2);
    for format in ["junit", "markdown", "html", "pretty"] {
        let text = stdout(&run(&["check", "--inventory", EXAMPLE, "--waivers", waivers, "--format", format]));
        assert!(text.contains("expired on 2026-11-24"), "{format}");
        assert!(text.contains("matched no result"), "{format}");
    }
}

#[test]
fn waivers_in_a_policy_file_apply_like_a_waivers_file() {
    let (report, output) =
        json_of(&["--inventory", EXAMPLE, "--policy", "tests/fixtures/waivers/policy-with-waivers.yaml"]);
    // Both us-* failures waived (`?` is one character); eu-west-1's error is not: exit 3.
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(report["summary"]["waived"], 2);
    assert_eq!(report["waivers"][0]["file"], "tests/fixtures/waivers/policy-with-waivers.yaml:10");
}

#[test]
fn a_broken_waiver_stops_the_run_at_its_line() {
    for (file, message, line) in [
        ("bad-date.yaml", "`2027-02-30` is not a date", "bad-date.yaml:6:"),
        ("missing-owner.yaml", "missing required key `owner`", "missing-owner.yaml:2:"),
        ("with-rules.yaml", "`rules` does not belong in a waivers file", "with-rules.yaml:7:"),
    ] {
        let path = format!("tests/fixtures/waivers/{file}");
        let output = run(&["check", "--inventory", EXAMPLE, "--waivers", &path]);
        assert_eq!(output.status.code(), Some(2), "{file}");
        let text = stderr(&output);
        assert!(text.contains(message), "{file}: {text}");
        assert!(text.contains(line), "{file}: {text}");
    }
    // `validate` checks waivers in policy files too.
    fsx_guard().args(["validate", "tests/fixtures/waivers/policy-with-waivers.yaml"]).assert().code(0);
}

// ---------------------------------------------------------------------------------------------
// Baselines.

/// The example's JSON report, edited: the naming failure was not there before (so it is new
/// now), fs-…0001's recency failed then (fixed now), and a deleted file system failed then.
fn edited_baseline(dir: &Path) -> PathBuf {
    let (mut report, _) = json_of(&["--inventory", EXAMPLE]);
    let results = report["results"].as_array_mut().unwrap();
    results.retain(|r| !(r["rule_id"] == "FSX-BASE-NAMING" && r["verdict"] == "fail"));
    for r in results.iter_mut() {
        if r["rule_id"] == "FSX-BASE-RECENCY" && r["resource"].as_str().unwrap().ends_with("60001") {
            r["verdict"] = json!("fail");
        }
    }
    results.push(json!({"rule_id": "FSX-BASE-RETENTION", "resource": "arn:aws:fsx:us-east-1:111122223333:file-system/fs-0a1b2c3d4e5f6dead", "verdict": "fail", "message": "retention 0"}));
    let path = dir.join("baseline.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap()).unwrap();
    path
}

#[test]
fn a_baseline_counts_only_new_failures_and_lists_the_fixed() {
    let dir = tempfile::tempdir().unwrap();
    // Against its own report, nothing is new: exit 0.
    let own = dir.path().join("own.json");
    run(&["check", "--inventory", EXAMPLE, "--format", &format!("json={}", own.display())]);
    let own = own.display().to_string();
    let (report, output) = json_of(&["--inventory", EXAMPLE, "--baseline", &own]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(report["baseline"]["new"], 0);
    assert_eq!(report["baseline"]["unchanged"], 8);

    let baseline = edited_baseline(dir.path()).display().to_string();
    let (report, output) = json_of(&["--inventory", EXAMPLE, "--baseline", &baseline, "--fail-on", "warning"]);
    // The naming failure (a warning) is new: it counts with --fail-on warning.
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(report["baseline"]["new"], 1);
    assert_eq!(report["baseline"]["unchanged"], 7);
    let fixed = report["baseline"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 2);
    assert_eq!(fixed[0]["now"], "pass");
    assert_eq!(fixed[1]["now"], "absent");
    assert_eq!(results_where(&report, "FSX-BASE-NAMING", "backup-0a00000000000a004")[0]["baseline_state"], "new");
    assert_eq!(report["inputs"][2]["kind"], "baseline");
    // With the default --fail-on error, a new warning does not fail the gate.
    let (_, output) = json_of(&["--inventory", EXAMPLE, "--baseline", &baseline]);
    assert_eq!(output.status.code(), Some(0));

    let (sarif, _) = sarif_of(&["--inventory", EXAMPLE, "--baseline", &baseline]);
    let states: Vec<&str> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["baselineState"].as_str().unwrap()).collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 1);
    assert_eq!(states.iter().filter(|s| **s == "unchanged").count(), 7);
    assert_eq!(states.iter().filter(|s| **s == "absent").count(), 2);
    let absent =
        sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["baselineState"] == "absent").unwrap();
    assert_eq!(absent["kind"], "pass", "a fixed finding must not open an alert");
    // GitHub wants a file and a line for every result: the rule's.
    assert_eq!(absent["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "policies/baseline.yaml");
    assert!(absent["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap() >= 1);
    assert!(absent["partialFingerprints"]["primaryLocationLineHash"].is_string());
    assert_eq!(common::oasis_errors(&sarif), Vec::<String>::new());

    let pretty = stdout(&run(&["check", "--inventory", EXAMPLE, "--baseline", &baseline]));
    assert!(pretty.contains("Baseline: 1 new, 7 already in"), "{pretty}");
    assert!(pretty.contains("(was fail, now absent)"));
    assert!(pretty.contains("(new) the backup has no `Name` tag"));
}

#[test]
fn a_baseline_that_is_not_a_json_report_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"format_version\": 1,\n \"tool\": {\"name\": \"fsx-guard\"},\n \"results\": [{\"resource\": 3}]}",
    )
    .unwrap();
    let output = run(&["check", "--inventory", EXAMPLE, "--baseline", &bad.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("bad.json:3:"), "{}", stderr(&output));
    let output = run(&["check", "--inventory", EXAMPLE, "--baseline", "examples/inventory.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is not an fsx-guard JSON report"));
}

// ---------------------------------------------------------------------------------------------
// --rule, --severity, --compact, colour.

#[test]
fn rule_and_severity_filters_judge_only_the_rules_named() {
    let ids = |report: &Value| -> Vec<String> {
        let mut ids: Vec<String> =
            report["results"].as_array().unwrap().iter().map(|r| r["rule_id"].as_str().unwrap().to_string()).collect();
        ids.dedup();
        ids
    };
    let (report, _) = json_of(&["--inventory", EXAMPLE, "--rule", "FSX-BASE-NAMING"]);
    assert_eq!(ids(&report), ["FSX-BASE-NAMING"]);
    assert_eq!(report["filters"][0], "--rule FSX-BASE-NAMING");
    let (report, _) = json_of(&["--inventory", EXAMPLE, "--rule", "FSX-BASE-RE*"]);
    assert_eq!(ids(&report), ["FSX-BASE-RECENCY", "FSX-BASE-RETENTION"]);
    let (report, output) = json_of(&["--inventory", EXAMPLE, "--severity", "warning"]);
    assert_eq!(ids(&report), ["FSX-BASE-NAMING"]);
    // Only a warning fails now, below --fail-on error; eu-west-1 stays undecided: exit 3.
    assert_eq!(output.status.code(), Some(3));
    let (report, _) = json_of(&["--inventory", EXAMPLE, "--severity", "error,warning"]);
    assert_eq!(ids(&report).len(), 3);
    let output = run(&["check", "--inventory", EXAMPLE, "--rule", "FSX-BASE-RECENSY"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `FSX-BASE-RECENCY`?"), "{}", stderr(&output));
}

#[test]
fn pretty_is_compact_past_a_hundred_findings_and_on_request() {
    let (_dir, path) = many_failures(60);
    let path = path.display().to_string();
    let text = stdout(&run(&["check", "--inventory", &path]));
    // 120 findings: one line each, the rule's text not repeated.
    assert_eq!(text.lines().filter(|l| l.starts_with("x fail ")).count(), 120);
    assert!(text.contains("120 findings, one line each (--compact=false for the full form"));
    assert!(!text.contains("    19 |"), "no policy text in compact form");
    let full = stdout(&run(&["check", "--inventory", &path, "--compact=false"]));
    assert_eq!(full.lines().filter(|l| l.starts_with("  x fail ")).count(), 120);
    // Each rule's YAML once, not once per finding.
    assert_eq!(full.matches("  - id: FSX-BASE-RECENCY").count(), 1);
    let compact = stdout(&run(&["check", "--inventory", EXAMPLE, "--compact"]));
    assert_eq!(compact.lines().filter(|l| l.starts_with("x fail ") || l.starts_with("? error")).count(), 8);
}

#[test]
fn colour_follows_force_color_and_no_color() {
    let plain = fsx_guard().args(["check", "--inventory", EXAMPLE]).output().unwrap();
    assert!(!stdout(&plain).contains('\u{1b}'), "NO_COLOR (set by the helper)");
    let forced = assert_cmd::Command::cargo_bin("fsx-guard")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env("FORCE_COLOR", "1")
        .args(["check", "--inventory", EXAMPLE])
        .output()
        .unwrap();
    let text = stdout(&forced);
    assert!(text.contains("\u{1b}["), "FORCE_COLOR colours a pipe");
    assert!(text.contains("✗ fail"), "and uses Unicode marks");
    let both = fsx_guard().env("CLICOLOR_FORCE", "1").args(["check", "--inventory", EXAMPLE]).output().unwrap();
    assert!(!stdout(&both).contains('\u{1b}'), "NO_COLOR wins");
}

// ---------------------------------------------------------------------------------------------
// SARIF for GitHub.

#[test]
fn sarif_category_and_locations_stay_put() {
    let (sarif, _) = sarif_of(&["--inventory", EXAMPLE, "--sarif-category", "prod"]);
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "prod/");
    // A saved inventory with a policy from the repository: the rule's line (auto).
    let (sarif, _) = sarif_of(&["--inventory", EXAMPLE, "--policy", "tests/fixtures/warnings-only.yaml"]);
    let first = &sarif["runs"][0]["results"][0];
    assert_eq!(
        first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/fixtures/warnings-only.yaml"
    );
    assert!(first["message"]["text"].as_str().unwrap().contains("arn:aws:fsx:"), "the message names the resource");
    // --sarif-location inventory: the resource's line, relative to --source-root.
    let (sarif, _) = sarif_of(&[
        "--inventory",
        EXAMPLE,
        "--policy",
        "tests/fixtures/warnings-only.yaml",
        "--sarif-location",
        "inventory",
        "--source-root",
        "./examples/../examples",
    ]);
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "inventory.json");
    // A renamed copy of the inventory: the fingerprints do not move.
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("inventory-2026-11-25.json");
    std::fs::copy(EXAMPLE, &renamed).unwrap();
    let prints = |sarif: &Value| -> Vec<Value> {
        sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["partialFingerprints"].clone()).collect()
    };
    let (a, _) = sarif_of(&["--inventory", EXAMPLE, "--policy", "tests/fixtures/warnings-only.yaml"]);
    let (b, output) =
        sarif_of(&["--inventory", &renamed.display().to_string(), "--policy", "tests/fixtures/warnings-only.yaml"]);
    assert_eq!(prints(&a), prints(&b));
    // The rule's line, not the renamed file: the same place too.
    assert_eq!(
        a["runs"][0]["results"][0]["locations"][0]["physicalLocation"],
        b["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    );
    // The renamed inventory is outside the root: a file:// URI in artifacts, quietly (no result
    // points there).
    assert!(!stderr(&output).contains("is outside the source root"), "{}", stderr(&output));
    let artifact = b["runs"][0]["artifacts"][1]["location"]["uri"].as_str().unwrap();
    assert!(artifact.starts_with("file:///"), "{artifact}");
    assert_eq!(common::oasis_errors(&b), Vec::<String>::new());
    // Results pointed into it are file:// URIs GitHub cannot show: a warning says so.
    let renamed = renamed.display().to_string();
    let (c, output) = sarif_of(&["--inventory", &renamed, "--sarif-location", "inventory"]);
    assert!(stderr(&output).contains("is outside the source root"), "{}", stderr(&output));
    let uri =
        c["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with("/inventory-2026-11-25.json"), "{uri}");
}

#[test]
fn more_than_github_shows_is_a_warning() {
    let (_dir, path) = many_failures(2_600);
    let path = path.display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.sarif");
    let output = run(&["check", "--inventory", &path, "--format", &format!("sarif={}", out.display())]);
    assert!(stderr(&output).contains("GitHub code scanning shows only the top 5000"), "{}", stderr(&output));
    let sarif: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["message"]["text"].as_str().unwrap().contains("top 5000")));
}

// ---------------------------------------------------------------------------------------------
// Distribution.

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let text = stdout(&output);
        // fish writes `-l sarif-category`, the others `--sarif-category`.
        assert!(text.contains("sarif-category"), "{shell} completes the check options");
        assert!(text.contains("waivers"), "{shell}");
    }
    let output = run(&["man"]);
    assert_eq!(output.status.code(), Some(0));
    let page = stdout(&output);
    assert!(page.contains(".TH fsx-guard 1"), "roff: {page}");
    assert!(page.contains("fsx\\-guard\\-check(1)"), "the top page names the command pages");
    let check = stdout(&run(&["man", "check"]));
    assert!(check.contains(".TH fsx-guard-check 1"), "{check}");
    for needle in ["\\-\\-sarif\\-category", "\\-\\-baseline", "\\-\\-fail\\-on", "\\-\\-waivers"] {
        assert!(check.contains(needle), "fsx-guard-check(1) documents {needle}");
    }
    // Every page at once, as packagers install them.
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["man", "--dir", &dir.path().display().to_string()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for page in ["fsx-guard.1", "fsx-guard-check.1", "fsx-guard-collect.1", "fsx-guard-validate.1"] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    let output = run(&["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2));
}

/// Large inventories are let go of once loaded; reports then read the file again for positions,
/// and place nothing when it changed since (rather than a wrong line).
#[test]
fn positions_survive_releasing_the_inventory_text_and_refuse_a_changed_file() {
    use fsx_guard::report::{Context, RunInfo};
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("inventory.json");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/inventory.json"), &copy).unwrap();
    let policies = fsx_guard::policy::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies")]).unwrap();
    let kept = fsx_guard::inventory::source::load(std::slice::from_ref(&copy)).unwrap();
    let now = kept.collected_at.unwrap();
    let report = fsx_guard::engine::evaluate(&policies, &kept, now);
    let run = RunInfo::bare(&report);
    let expected = Context::new(&report, &policies, &kept, &run).positions(&report.results);
    assert_eq!(expected.len(), 3, "the three file systems the results name are placed: {expected:?}");

    let mut released = fsx_guard::inventory::source::load(std::slice::from_ref(&copy)).unwrap();
    released.release_texts(0);
    assert!(released.sources.iter().all(|s| s.released && s.text.is_empty()));
    let again = Context::new(&report, &policies, &released, &run).positions(&report.results);
    assert_eq!(again, expected, "read again, the same places");

    // The file changes after loading: its positions could be wrong, so there are none.
    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(&copy, format!("\n{text}")).unwrap();
    let changed = Context::new(&report, &policies, &released, &run).positions(&report.results);
    assert!(changed.is_empty(), "{changed:?}");
}

/// `check` lets go of a large inventory's text as soon as it is parsed: a warning or a problem
/// found while converting it reads the file again and points where it would have.
#[test]
fn warnings_and_problems_of_a_released_inventory_point_where_they_would_have() {
    use fsx_guard::inventory::source::{Options, load_with};
    let dir = tempfile::tempdir().unwrap();
    let backup = |region: &str| {
        format!(
            r#"{{"BackupId": "backup-0123456789abcdef0", "Lifecycle": "AVAILABLE", "Type": "AUTOMATIC",
        "CreationTime": "2025-05-31T05:12:09.123000+00:00",
        "ResourceARN": "arn:aws:fsx:us-east-1:111122223333:backup/backup-0123456789abcdef0",
        "FileSystem": {{"FileSystemId": "fs-0123456789abcdef0"}}, "SourceBackupRegion": "{region}"}}"#
        )
    };
    let document = |backup: String| {
        format!(
            "{{\"version\": 1, \"accounts\": [{{\"account_id\": \"111122223333\", \"regions\": {{\"us-east-1\": {{\n  \"Backups\": [\n    {backup}\n  ]}}}}}}]}}\n"
        )
    };
    // A Region that does not exist: the backup cannot be read, a warning at its field.
    let odd = dir.path().join("odd.json");
    std::fs::write(&odd, document(backup("mars-1"))).unwrap();
    let kept = load_with(std::slice::from_ref(&odd), &Options::default()).unwrap();
    let released_options = Options { release_texts_above: Some(0), ..Options::default() };
    let released = load_with(std::slice::from_ref(&odd), &released_options).unwrap();
    assert!(released.sources.iter().all(|s| s.released && s.text.is_empty()), "the text was let go");
    assert_eq!(kept.warnings.len(), 1, "{:?}", kept.warnings);
    assert_eq!(released.warnings.len(), 1, "{:?}", released.warnings);
    let (before, after) = (&kept.warnings[0], &released.warnings[0]);
    assert_eq!(before.message, after.message);
    assert_eq!(before.labels, after.labels, "the same place, read again");
    let text = std::fs::read_to_string(&odd).unwrap();
    let offset = before.labels.first().map(|l| l.offset()).unwrap();
    assert!(text[offset..].starts_with("\"mars-1\""), "at the value: {:?}", &text[offset..]);

    // The same ARN twice with different contents: an input error in both files, at each place.
    let other = dir.path().join("other.json");
    std::fs::write(&other, document(backup("us-west-2"))).unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, document(backup("eu-west-1"))).unwrap();
    let paths = [good.clone(), other.clone()];
    let kept = load_with(&paths, &Options::default()).map(|_| ()).unwrap_err();
    let released = load_with(&paths, &released_options).map(|_| ()).unwrap_err();
    let kept = format!("{kept:?}");
    assert!(kept.contains("differs from the one in"), "{kept}");
    assert_eq!(format!("{released:?}"), kept, "the same diagnostics, with the files read again");
}

/// A large saved inventory is read from its file in place (never whole in memory): what it
/// loads, where it places each file system and volume, its SHA-256, and what it says about odd
/// or broken content are what reading the same file whole gives.
#[test]
fn a_large_inventory_read_in_place_loads_as_one_read_whole() {
    use fsx_guard::inventory::source::{Options, load_with};
    let dir = tempfile::tempdir().unwrap();
    let account = "111122223333";
    let region_block = |region: &str, r: usize| {
        let file_systems: Vec<Value> = (0..30)
            .map(|f| {
                json!({"OwnerId": account, "FileSystemId": format!("fs-{r}{f:016x}"), "FileSystemType": "OPENZFS",
                       "Lifecycle": "AVAILABLE", "Tags": [{"Key": "Name", "Value": format!("caf\u{e9} \u{1f600} {f}")}],
                       "ResourceARN": format!("arn:aws:fsx:{region}:{account}:file-system/fs-{r}{f:016x}"),
                       "OpenZFSConfiguration": {"AutomaticBackupRetentionDays": 7, "CopyTagsToBackups": true}})
            })
            .collect();
        let volumes: Vec<Value> = (0..5)
            .map(|v| json!({"VolumeId": format!("fsvol-{r}{v:016x}"), "FileSystemId": format!("fs-{r}{:016x}", v), "Name": "v\u{e9}", "VolumeType": "OPENZFS"}))
            .collect();
        let backups: Vec<Value> = (0..2000)
            .map(|b| {
                let id = format!("backup-{r}{b:016x}");
                json!({"BackupId": id, "Lifecycle": "AVAILABLE", "Type": "AUTOMATIC",
                       "CreationTime": "2025-05-31T05:12:09.123000+00:00",
                       "ResourceARN": format!("arn:aws:fsx:{region}:{account}:backup/{id}"),
                       "Tags": [{"Key": "Name", "Value": format!("n\u{e9}{b}")}],
                       "FileSystem": {"FileSystemId": format!("fs-{r}{:016x}", b % 30), "FileSystemType": "OPENZFS",
                                      "DNSName": "fs.example.com", "StorageCapacity": 64}})
            })
            .collect();
        json!({"FileSystems": file_systems, "Volumes": volumes, "Backups": backups})
    };
    let regions: serde_json::Map<String, Value> = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]
        .iter()
        .enumerate()
        .map(|(r, name)| (name.to_string(), region_block(name, r)))
        .collect();
    let document = json!({"version": 1, "collected_at": "2025-06-01T12:00:00Z",
                          "accounts": [{"account_id": account, "partition": "aws", "regions": regions}]});
    let text = serde_json::to_string_pretty(&document).unwrap();
    assert!(text.len() > 5 * 1024 * 1024, "above the size read on two cores: {}", text.len());
    let in_place = Options { release_texts_above: Some(0), ..Options::default() };
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    let good = write("good.json", text.as_bytes());
    let whole = load_with(std::slice::from_ref(&good), &Options::default()).unwrap();
    let streamed = load_with(std::slice::from_ref(&good), &in_place).unwrap();
    let source = &streamed.sources[0];
    assert!(source.released && source.text.is_empty(), "never held whole");
    assert_eq!(
        source.sha256.get().map(String::as_str),
        Some(fsx_guard::inventory::source::sha256_hex(text.as_bytes()).as_str())
    );
    let (a, b) = (&whole.accounts[account], &streamed.accounts[account]);
    assert_eq!(a.backups.len(), 8000);
    assert_eq!(a.backups, b.backups);
    assert_eq!(a.file_systems, b.file_systems);
    assert_eq!(a.volumes.len(), b.volumes.len());
    // Every file system and volume placed where the whole text places it.
    let located = source.located.get().expect("placed while read");
    assert_eq!(located.len(), 4 * (30 + 5));
    let spans = whole.sources[0].spans(located.keys().map(String::as_str));
    let expected: std::collections::HashMap<String, _> =
        fsx_guard::span::places(&whole.sources[0].text, spans).into_iter().collect();
    assert_eq!(**located, expected);

    // A value of the wrong type: read whole after all, the same warning at the same place.
    let odd = write("odd.json", text.replacen("\"Type\": \"AUTOMATIC\"", "\"Type\": 7", 1).as_bytes());
    let (whole, streamed) = (
        load_with(std::slice::from_ref(&odd), &Options::default()).unwrap(),
        load_with(std::slice::from_ref(&odd), &in_place).unwrap(),
    );
    assert_eq!(whole.warnings.len(), 1, "{:?}", whole.warnings);
    assert_eq!(streamed.warnings.len(), 1);
    assert_eq!(whole.warnings[0].message, streamed.warnings[0].message);
    assert_eq!(whole.warnings[0].labels, streamed.warnings[0].labels);
    assert_eq!(streamed.accounts[account].backups.len(), 7999);

    // A field missing from one backup: read in place all the same (nothing to hand back), and
    // the warning quotes the file, which is read again only once its hash is known.
    let backup = text.find("\"BackupId\"").unwrap();
    let lacking = format!("{}{}", &text[..backup], text[backup..].replacen("\"Lifecycle\": \"AVAILABLE\",", "", 1));
    assert_eq!(lacking.len() + "\"Lifecycle\": \"AVAILABLE\",".len(), text.len());
    let lacking = write("lacking.json", lacking.as_bytes());
    let (whole, streamed) = (
        load_with(std::slice::from_ref(&lacking), &Options::default()).unwrap(),
        load_with(std::slice::from_ref(&lacking), &in_place).unwrap(),
    );
    assert!(streamed.sources[0].released, "read in place");
    assert_eq!(whole.warnings.len(), 1, "{:?}", whole.warnings);
    assert_eq!(streamed.warnings.len(), 1);
    assert!(streamed.warnings[0].message.contains("lacks `Lifecycle`"), "{:?}", streamed.warnings[0]);
    assert_eq!(whole.warnings[0].labels, streamed.warnings[0].labels);
    assert!(!streamed.warnings[0].labels.is_empty());

    // Broken JSON deep in the file, and a byte that is not UTF-8 inside a field fsx-guard skips:
    // the same error either way.
    let at = text.rfind("\"DNSName\"").unwrap();
    let mut bad_utf8 = text.clone().into_bytes();
    bad_utf8[at + 13] = 0xFF;
    for (name, bytes) in [
        (
            "syntax.json",
            text.replacen("\"Lifecycle\": \"AVAILABLE\",", "\"Lifecycle\": \"AVAILABLE\",,", 2).into_bytes(),
        ),
        ("utf8.json", bad_utf8),
        ("cut.json", text.as_bytes()[..text.len() - 10].to_vec()),
    ] {
        let path = write(name, &bytes);
        let whole = load_with(std::slice::from_ref(&path), &Options::default()).map(|_| ()).unwrap_err();
        let streamed = load_with(std::slice::from_ref(&path), &in_place).map(|_| ()).unwrap_err();
        assert_eq!(format!("{streamed:?}"), format!("{whole:?}"), "{name}");
    }
}
