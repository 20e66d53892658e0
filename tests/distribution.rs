//! The ways fsx-guard reaches users besides `cargo install`: the GitHub Action (its check step
//! run here as GitHub would run it), the pre-commit hook, the Dockerfile.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml(path: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

#[test]
fn the_action_declares_what_it_uses() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_mapping().unwrap();
    for (name, input) in inputs {
        assert!(input["description"].as_str().is_some_and(|d| !d.is_empty()), "{name:?} has a description");
    }
    assert_eq!(action["inputs"]["inventory"]["required"], serde_yaml::Value::Bool(true));
    // Every `${{ inputs.X }}` is a declared input.
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for used in text.split("inputs.").skip(1) {
        let name: String = used.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        assert!(inputs.contains_key(serde_yaml::Value::String(name.clone())), "`inputs.{name}` is not declared");
    }
    // SARIF goes to code scanning with the category.
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let upload = steps
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")))
        .unwrap();
    assert_eq!(upload["with"]["category"], "${{ inputs.sarif-category }}");
}

/// The action's check step, run by bash with the environment GitHub gives it.
#[test]
fn the_action_check_step_gates_and_writes_sarif_and_a_summary() {
    let action = yaml("action.yml");
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    let check = steps.iter().find(|s| s["id"] == "check").unwrap();
    let script = check["run"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let output_file = dir.path().join("github-output");
    let summary = dir.path().join("step-summary.md");
    let sarif = dir.path().join("fsx-guard.sarif");
    let run = |inventory: &str, extra: &str, fail_on: &str| {
        std::fs::write(&output_file, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        let status = Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(root())
            .env("FSX_GUARD_BIN", env!("CARGO_BIN_EXE_fsx-guard"))
            .env("NO_COLOR", "1")
            .env("RUNNER_TEMP", dir.path())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("FSX_GUARD_INVENTORY", inventory)
            .env("FSX_GUARD_POLICY", "")
            .env("FSX_GUARD_WAIVERS", "examples/waivers.yaml\n")
            .env("FSX_GUARD_BASELINE", "")
            .env("FSX_GUARD_FAIL_ON", fail_on)
            .env("FSX_GUARD_REGION", "")
            .env("FSX_GUARD_ACCOUNT", "")
            .env("FSX_GUARD_CATEGORY", "prod")
            .env("FSX_GUARD_SARIF", &sarif)
            .env("FSX_GUARD_ARGS", extra)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "the step itself never fails: the gate step does\n{}",
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read_to_string(&output_file).unwrap()
    };
    // The example fails: exit-code=1 for the gate step; SARIF and summary written.
    assert_eq!(run("examples/inventory.json\n", "", "error"), "exit-code=1\n");
    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "prod/");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("# ❌ fsx-guard:"), "{text}");
    // Extra options pass through: only the naming rule, whose failure is a warning → exit 0
    // (its eu-west-1 error is waived).
    assert_eq!(run("examples/inventory.json", "--rule FSX-BASE-NAMING", "error"), "exit-code=0\n");
    // A missing inventory cannot start: 2.
    assert_eq!(run("does/not/exist.json", "", "error"), "exit-code=2\n");
}

#[test]
fn the_pre_commit_hook_validates_policy_files() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = &hooks[0];
    assert_eq!(hook["id"], "fsx-guard-validate");
    assert_eq!(hook["language"], "rust");
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry, ["fsx-guard", "validate"]);
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    for matched in ["policies/baseline.yaml", "examples/policies/disaster-recovery.yaml", "infra/policies/x.yml"] {
        assert!(files.is_match(matched), "{matched}");
    }
    for skipped in ["examples/waivers.yaml", ".github/workflows/ci.yaml"] {
        assert!(!files.is_match(skipped), "{skipped}");
    }
    // What pre-commit runs: the entry with the matched file names.
    let output = Command::new(env!("CARGO_BIN_EXE_fsx-guard"))
        .current_dir(root())
        .args([
            "validate",
            "policies/baseline.yaml",
            "examples/policies/disaster-recovery.yaml",
            "examples/policies/who-may-delete.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let bad = Command::new(env!("CARGO_BIN_EXE_fsx-guard"))
        .current_dir(root())
        .args(["validate", "tests/fixtures/waivers/bad-date.yaml"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "a broken file fails the hook");
}

#[test]
fn the_dockerfile_builds_where_a_container_engine_runs() {
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    // Everything it copies exists in the repository.
    for line in dockerfile.lines().filter(|l| l.starts_with("COPY ") && !l.contains("--from=")) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        for source in &parts[1..parts.len() - 1] {
            assert!(root().join(source).exists(), "Dockerfile copies `{source}`, which is missing");
        }
    }
    assert!(dockerfile.contains("--locked"), "the image is built from Cargo.lock");
    let engine = ["docker", "podman"]
        .into_iter()
        .find(|engine| Command::new(engine).arg("info").output().is_ok_and(|o| o.status.success()));
    let Some(engine) = engine else {
        eprintln!("SKIPPED: no running container engine (`docker info` fails); the image is not built here");
        return;
    };
    let tag = "fsx-guard-test:latest";
    let built = Command::new(engine).args(["build", "-t", tag, "."]).current_dir(root()).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let version = Command::new(engine).args(["run", "--rm", tag, "--version"]).output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("fsx-guard "));
}
