//! Infrastructure code as input: Terraform plans (`terraform show -json`), Terraform
//! configuration directories and CloudFormation/CDK templates. The shipped examples under
//! `examples/iac/` are the fixtures.
//!
//! `examples/iac/terraform/plan.json` follows Terraform's documented JSON output format (format
//! 1.2): `resource_changes` with `after`/`after_unknown`, `configuration` with provider aliases,
//! a module called with `count` and a passed provider, a replaced and a destroyed resource,
//! values from variables, a data source read only at apply, AWS Backup plans, selections (by
//! tag and by resource reference) and vaults (a key by reference, a key by ARN, the default
//! key), and IAM. The `.tf` files beside it are the configuration behind it. Every verdict below
//! was written down from the fixtures before running.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod common;

use std::collections::BTreeMap;

use common::fsx_guard;
use serde_json::Value;

const PLAN: &str = "examples/iac/terraform/plan.json";
const POLICY: &str = "examples/iac/policy.yaml";
const NOW: &str = "2026-11-30T12:00:00Z";

fn json_report(args: &[&str]) -> (Value, i32) {
    let output = fsx_guard().args(["check", "--now", NOW, "--format", "json"]).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("no JSON report ({e}); stderr:\n{stderr}"));
    (report, output.status.code().unwrap_or(-1))
}

/// (rule, resource) → (verdict, whole result).
fn verdicts(report: &Value) -> BTreeMap<(String, String), (String, Value)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (r["rule_id"].as_str().unwrap().to_string(), r["resource"].as_str().unwrap().to_string()),
                (r["verdict"].as_str().unwrap().to_string(), r.clone()),
            )
        })
        .collect()
}

/// (rule, resource) → verdict only.
fn verdicts_only(report: &Value) -> BTreeMap<(String, String), String> {
    verdicts(report).into_iter().map(|(k, (v, _))| (k, v)).collect()
}

/// A table of expected verdicts, the resource named through `name`.
fn table(rows: &[(&str, &str, &str)], name: impl Fn(&str) -> String) -> BTreeMap<(String, String), String> {
    rows.iter().map(|(rule, resource, verdict)| ((rule.to_string(), name(resource)), verdict.to_string())).collect()
}

/// (file, trimmed line) where a result points.
fn located_line(report: &Value, rule: &str, resource: &str) -> (String, String) {
    let got = verdicts(report);
    let (_, result) = &got[&(rule.to_string(), resource.to_string())];
    let file = result["location"]["file"].as_str().unwrap().to_string();
    let n = result["location"]["line"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(&file).unwrap();
    (file, text.lines().nth(n - 1).unwrap().trim().to_string())
}

const HOME: &str = "aws_fsx_openzfs_file_system.home";
const SCRATCH: &str = "aws_fsx_openzfs_file_system.scratch";
const SHARES: &str = "aws_fsx_windows_file_system.shares";
const HPC: &str = "aws_fsx_lustre_file_system.hpc";
const RESULTS: &str = "aws_fsx_lustre_file_system.results";
const NAS: &str = "aws_fsx_ontap_file_system.nas";
const REBUILT: &str = "aws_fsx_openzfs_file_system.rebuilt";
const DR_DATA: &str = "module.dr_storage[0].aws_fsx_openzfs_file_system.this";

#[test]
fn every_verdict_of_the_plan_as_written_down() {
    let (report, code) = json_report(&["--policy", POLICY, "--inventory", PLAN]);
    let expected: &[(&str, &str, &str)] = &[
        // backup-retention: min 7, max 35, copy tags, avoid 22:00–02:00.
        ("IAC-RETENTION", HOME, "pass"),          // 14 days, copy tags, 05:00
        ("IAC-RETENTION", SCRATCH, "fail"),       // omitted: the provider's default 0; copy tags false
        ("IAC-RETENTION", SHARES, "fail"),        // var.windows_retention = 3; 23:30 in the window
        ("IAC-RETENTION", HPC, "not_applicable"), // SCRATCH_2 cannot be backed up
        ("IAC-RETENTION", RESULTS, "fail"),       // omitted and unknown in the plan: AWS's Lustre default 0
        ("IAC-RETENTION", NAS, "error"),          // from a data source read at apply
        ("IAC-RETENTION", REBUILT, "fail"),       // replaced, judged as planned: 1 day
        ("IAC-RETENTION", DR_DATA, "pass"),       // module, us-west-2, 7 days
        // backup-recency: nothing to judge before deployment.
        ("IAC-RECENT", HOME, "not_applicable"),
        ("IAC-RECENT", SCRATCH, "not_applicable"),
        ("IAC-RECENT", SHARES, "not_applicable"),
        ("IAC-RECENT", HPC, "not_applicable"),
        ("IAC-RECENT", RESULTS, "not_applicable"),
        ("IAC-RECENT", NAS, "not_applicable"),
        ("IAC-RECENT", REBUILT, "not_applicable"),
        ("IAC-RECENT", DR_DATA, "not_applicable"),
        // cross-region-copy from us-east-1 to us-west-2 within 48 hours.
        ("IAC-DR-COPY", HOME, "pass"), // tag backup=gold → plan fsx, daily: 24 + 1 + 3 = 28 h
        ("IAC-DR-COPY", SCRATCH, "fail"), // no selection covers it
        ("IAC-DR-COPY", SHARES, "fail"), // selected by reference, weekly only: 168 + 1 + 168 h
        ("IAC-DR-COPY", HPC, "not_applicable"),
        ("IAC-DR-COPY", RESULTS, "fail"),
        ("IAC-DR-COPY", NAS, "fail"), // volume logs: no selection covers it
        ("IAC-DR-COPY", REBUILT, "fail"),
        // copy-kms-consistency in us-west-2, pinned to the legacy key.
        ("IAC-DR-KEYS", HOME, "fail"), // daily → vault dr (aws_kms_key.dr), weekly → dr_legacy: two keys
        ("IAC-DR-KEYS", SHARES, "error"), // vault dr's key ARN is not known before apply
        ("IAC-DR-KEYS", SCRATCH, "not_applicable"),
        ("IAC-DR-KEYS", HPC, "not_applicable"),
        ("IAC-DR-KEYS", RESULTS, "not_applicable"),
        ("IAC-DR-KEYS", NAS, "fail"), // volume data (tag backup=gold): the daily and weekly copies use two keys
        ("IAC-DR-KEYS", REBUILT, "not_applicable"),
    ];
    assert_eq!(verdicts_only(&report), table(expected, str::to_string));
    // Destroyed resources are not judged.
    assert!(!report.to_string().contains("aws_fsx_openzfs_file_system.retired"));
    assert_eq!(code, 1);
}

#[test]
fn results_point_at_the_value_that_decides_them() {
    // No configuration under the source root: lines in the plan itself.
    let empty = tempfile::tempdir().unwrap();
    let root = empty.path().to_str().unwrap();
    let (report, _) = json_report(&["--policy", POLICY, "--inventory", PLAN, "--source-root", root]);
    let got = verdicts(&report);
    let text = std::fs::read_to_string(PLAN).unwrap();
    let line = |rule: &str, resource: &str| -> String {
        let (_, result) = &got[&(rule.to_string(), resource.to_string())];
        let n = result["location"]["line"].as_u64().unwrap() as usize;
        text.lines().nth(n - 1).unwrap().trim().to_string()
    };
    assert_eq!(line("IAC-RETENTION", REBUILT), r#""automatic_backup_retention_days": 1,"#);
    assert_eq!(line("IAC-RETENTION", SHARES), r#""automatic_backup_retention_days": 3,"#);
    // The failing copy action of the weekly-only plan.
    assert_eq!(line("IAC-DR-COPY", SHARES), "{");
    let (_, shares) = &got[&("IAC-DR-COPY".to_string(), SHARES.to_string())];
    assert!(shares["message"].as_str().unwrap().contains("337 hours"), "{shares}");
}

#[test]
fn evidence_says_what_was_a_default_and_what_is_unknown() {
    let (report, _) = json_report(&["--policy", POLICY, "--inventory", PLAN]);
    let got = verdicts(&report);
    let (_, results) = &got[&("IAC-RETENTION".to_string(), RESULTS.to_string())];
    let planned = &results["evidence"]["planned"];
    assert_eq!(planned["address"], RESULTS);
    assert_eq!(planned["input"], "terraform plan");
    assert!(planned["defaults"]["AutomaticBackupRetentionDays"].as_str().unwrap().starts_with("0: not set"));
    let (_, nas) = &got[&("IAC-RETENTION".to_string(), NAS.to_string())];
    assert!(
        nas["message"].as_str().unwrap().contains(
            "not known before apply: `automatic_backup_retention_days` comes from `data.aws_ssm_parameter.ontap_days.value`"
        ),
        "{nas}"
    );
    // An existing resource (no-op) keeps its ARN and account.
    let (_, dr) = &got[&("IAC-RETENTION".to_string(), DR_DATA.to_string())];
    assert_eq!(dr["evidence"]["planned"]["arn"], "arn:aws:fsx:us-west-2:111122223333:file-system/fs-0ccccccccccccccc3");
    assert_eq!(dr["region"], "us-west-2");
    assert_eq!(dr["account"], "111122223333");
    // New resources have no account without --account ...
    let (_, home) = &got[&("IAC-RETENTION".to_string(), HOME.to_string())];
    assert!(home["account"].is_null(), "{home}");
    // ... and take it from --account.
    let (report, _) = json_report(&["--policy", POLICY, "--inventory", PLAN, "--account", "111122223333"]);
    let (_, home) = &verdicts(&report)[&("IAC-RETENTION".to_string(), HOME.to_string())];
    assert_eq!(home["account"], "111122223333");
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// A one-resource plan whose provider names no Region.
fn plan_without_region() -> String {
    serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "resource_changes": [{
            "address": "aws_fsx_openzfs_file_system.a", "mode": "managed", "type": "aws_fsx_openzfs_file_system",
            "name": "a", "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": null,
                "after": {"automatic_backup_retention_days": 10, "copy_tags_to_backups": true,
                          "daily_automatic_backup_start_time": "05:00", "deployment_type": "SINGLE_AZ_1", "tags": {"env": "prod"}},
                "after_unknown": {"arn": true, "id": true, "tags_all": true}}
        }],
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
            "root_module": {"resources": [{"address": "aws_fsx_openzfs_file_system.a", "mode": "managed",
                "type": "aws_fsx_openzfs_file_system", "name": "a", "provider_config_key": "aws",
                "expressions": {"automatic_backup_retention_days": {"constant_value": 10}}}]}
        }
    })
    .to_string()
}

#[test]
fn a_missing_region_or_account_is_an_error_naming_the_flag_when_a_rule_needs_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = write(&dir, "plan.json", &plan_without_region());
    let policy = write(
        &dir,
        "policy.yaml",
        r#"version: 1
rules:
  - id: RET
    kind: backup-retention
    params: {min_days: 7}
  - id: DR
    kind: cross-region-copy
    select: {regions: [us-east-1]}
    params: {destinations: [us-west-2]}
  - id: ACCOUNT
    kind: backup-retention
    select: {accounts: ["111122223333"]}
    params: {min_days: 7}
"#,
    );
    let (report, code) = json_report(&["--policy", &policy, "--inventory", &plan]);
    let got = verdicts(&report);
    let a = "aws_fsx_openzfs_file_system.a";
    // Retention needs neither.
    assert_eq!(got[&("RET".to_string(), a.to_string())].0, "pass");
    // Selecting by Region or account cannot be decided: error, naming the flag.
    let (verdict, dr) = &got[&("DR".to_string(), a.to_string())];
    assert_eq!(verdict, "error");
    assert!(dr["message"].as_str().unwrap().contains("add `--region`"), "{dr}");
    let (verdict, account) = &got[&("ACCOUNT".to_string(), a.to_string())];
    assert_eq!(verdict, "error");
    assert!(account["message"].as_str().unwrap().contains("add `--account ID`"), "{account}");
    assert_eq!(code, 3);

    // Given both, it is judged: no copy plan, so cross-region-copy fails.
    let (report, code) =
        json_report(&["--policy", &policy, "--inventory", &plan, "--region", "us-east-1", "--account", "111122223333"]);
    let got = verdicts(&report);
    assert_eq!(got[&("DR".to_string(), a.to_string())].0, "fail");
    assert_eq!(got[&("ACCOUNT".to_string(), a.to_string())].0, "pass");
    assert_eq!(code, 1);
}

#[test]
fn a_plan_and_an_inventory_in_one_run() {
    let (report, _) = json_report(&[
        "--policy",
        POLICY,
        "--inventory",
        PLAN,
        "--inventory",
        "examples/inventory.json",
        "--account",
        "111122223333",
    ]);
    let resources: Vec<&str> =
        report["results"].as_array().unwrap().iter().filter_map(|r| r["resource"].as_str()).collect();
    assert!(resources.contains(&HOME));
    assert!(resources.iter().any(|r| r.starts_with("arn:aws:fsx:")), "{resources:?}");
}

#[test]
fn plans_fsx_guard_cannot_read_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let future = write(
        &dir,
        "future.json",
        r#"{"format_version": "2.0", "terraform_version": "2.0.0", "resource_changes": []}"#,
    );
    let state = write(
        &dir,
        "state.json",
        r#"{"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {}}}"#,
    );
    let broken = write(
        &dir,
        "broken.json",
        "{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.5\", \"resource_changes\": [",
    );
    for (path, says) in [(&future, "format version 2.0"), (&state, "state"), (&broken, "cannot be parsed")] {
        let output = fsx_guard().args(["check", "--policy", POLICY, "--inventory", path]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{path}: {stderr}");
        assert!(stderr.contains(says), "{path}: {stderr}");
    }
}

#[test]
fn an_empty_plan_judges_nothing_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let plan = write(
        &dir,
        "plan.json",
        r#"{"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": [],
            "configuration": {"provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}}}}"#,
    );
    let output = fsx_guard().args(["check", "--policy", POLICY, "--inventory", &plan, "--now", NOW]).output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn sarif_results_carry_the_address_and_the_line() {
    let output = fsx_guard()
        .args(["check", "--now", NOW, "--policy", POLICY, "--inventory", PLAN, "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut lines = Vec::new();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let location = &result["locations"][0];
        lines.push(format!(
            "{} {} {} {}:{}",
            result["ruleId"].as_str().unwrap(),
            result["level"].as_str().unwrap_or("-"),
            location["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap_or("-"),
            location["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap_or("-"),
            location["physicalLocation"]["region"]["startLine"].as_u64().unwrap_or(0),
        ));
    }
    snapshot!("iac_plan_sarif_locations", lines.join("\n"));
}

const TEMPLATE: &str = "examples/iac/cloudformation/fsx.yaml";

fn cfn(logical: &str) -> String {
    format!("{TEMPLATE}#{logical}")
}

#[test]
fn every_verdict_of_the_template_as_written_down() {
    let (report, code) = json_report(&[
        "--policy",
        POLICY,
        "--inventory",
        TEMPLATE,
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
    ]);
    let expected: &[(&str, &str, &str)] = &[
        ("IAC-RETENTION", "HomeFs", "pass"),              // FindInMap prod → 14
        ("IAC-RETENTION", "SharesFs", "fail"),            // parameter default 3
        ("IAC-RETENTION", "ScratchFs", "not_applicable"), // DeploymentType omitted: SCRATCH_1
        ("IAC-RETENTION", "ArchiveFs", "fail"),           // 30 by default, but CopyTagsToBackups false by default
        ("IAC-RETENTION", "ReportsFs", "pass"),           // Fn::If IsProd → 21, true; Fn::Select → 06:00
        ("IAC-RETENTION", "OntapFs", "fail"),             // ScratchVolume leaves CopyTagsToBackups out: false
        ("IAC-RECENT", "OntapFs", "not_applicable"),
        ("IAC-DR-COPY", "OntapFs", "fail"), // no selection covers its volumes
        ("IAC-DR-KEYS", "OntapFs", "not_applicable"),
        ("IAC-RECENT", "HomeFs", "not_applicable"),
        ("IAC-RECENT", "SharesFs", "not_applicable"),
        ("IAC-RECENT", "ScratchFs", "not_applicable"),
        ("IAC-RECENT", "ArchiveFs", "not_applicable"),
        ("IAC-RECENT", "ReportsFs", "not_applicable"),
        ("IAC-DR-COPY", "HomeFs", "pass"), // tag backup=gold → DailyPlan: 24 + 1 + 2 = 27 h to us-west-2
        ("IAC-DR-COPY", "SharesFs", "error"), // destination from a parameter without a value
        ("IAC-DR-COPY", "ScratchFs", "not_applicable"),
        ("IAC-DR-COPY", "ArchiveFs", "fail"), // no selection
        ("IAC-DR-COPY", "ReportsFs", "fail"),
        ("IAC-DR-KEYS", "HomeFs", "error"), // the DR vault is not in the input
        ("IAC-DR-KEYS", "SharesFs", "error"),
        ("IAC-DR-KEYS", "ScratchFs", "not_applicable"),
        ("IAC-DR-KEYS", "ArchiveFs", "not_applicable"),
        ("IAC-DR-KEYS", "ReportsFs", "not_applicable"),
    ];
    assert_eq!(verdicts_only(&report), table(expected, cfn));
    // DevFs's condition is false: not created, not judged.
    assert!(!report.to_string().contains("DevFs"));
    assert_eq!(code, 1);
}

#[test]
fn template_results_point_at_the_literal_that_set_the_value() {
    let (report, _) = json_report(&["--policy", POLICY, "--inventory", TEMPLATE, "--region", "us-east-1"]);
    let got = verdicts(&report);
    let text = std::fs::read_to_string(TEMPLATE).unwrap();
    let line = |logical: &str| -> String {
        let (_, result) = &got[&("IAC-RETENTION".to_string(), cfn(logical))];
        let n = result["location"]["line"].as_u64().unwrap() as usize;
        text.lines().nth(n - 1).unwrap().trim().to_string()
    };
    // From a parameter: its default; from a mapping: the mapping's value; from Fn::If: the branch.
    assert_eq!(line("SharesFs"), "Default: 3");
    let (_, shares) = &got[&("IAC-RETENTION".to_string(), cfn("SharesFs"))];
    let related = shares["related_location"]["line"].as_u64().unwrap() as usize;
    assert_eq!(text.lines().nth(related - 1).unwrap().trim(), "AutomaticBackupRetentionDays: !Ref RetentionDays");
    assert_eq!(line("HomeFs"), "Days: 14");
    // Values left out: the resource itself.
    assert_eq!(line("ArchiveFs"), "Type: AWS::FSx::FileSystem");
}

#[test]
fn template_parameters_and_missing_flags() {
    // --parameter Env=dev: DevFs exists (retention 0), the mapping gives HomeFs 1 day, ReportsFs 0.
    let (report, _) =
        json_report(&["--policy", POLICY, "--inventory", TEMPLATE, "--region", "us-east-1", "--parameter", "Env=dev"]);
    let got = verdicts(&report);
    for logical in ["DevFs", "HomeFs", "ReportsFs"] {
        assert_eq!(got[&("IAC-RETENTION".to_string(), cfn(logical))].0, "fail", "{logical}");
    }
    // Without --region, rules that select Regions cannot place the template's file systems.
    let (report, code) = json_report(&["--policy", POLICY, "--inventory", TEMPLATE]);
    let got = verdicts(&report);
    let (verdict, home) = &got[&("IAC-DR-COPY".to_string(), cfn("HomeFs"))];
    assert_eq!(verdict, "error");
    assert!(home["message"].as_str().unwrap().contains("add `--region`"), "{home}");
    assert_eq!(got[&("IAC-RETENTION".to_string(), cfn("HomeFs"))].0, "pass");
    assert!(got.keys().all(|(_, resource)| resource.starts_with(TEMPLATE)), "{:?}", got.keys());
    assert_eq!(code, 1);
}

#[test]
fn a_cdk_synthesized_template_is_judged() {
    let template = "examples/iac/cdk/FsxStack.template.json";
    let (report, _) = json_report(&[
        "--policy",
        POLICY,
        "--inventory",
        template,
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
    ]);
    let got = verdicts(&report);
    let fs = format!("{template}#HomeFileSystem7D3E2A0B");
    assert_eq!(got[&("IAC-RETENTION".to_string(), fs.clone())].0, "pass");
    // The selection's ARN is built with Fn::Join around `Ref HomeFileSystem`: it names the file system.
    let (verdict, copy) = &got[&("IAC-DR-COPY".to_string(), fs.clone())];
    assert_eq!(verdict, "pass", "{copy}");
    assert!(copy["message"].as_str().unwrap().contains("29 hours"), "{copy}");
    assert_eq!(got[&("IAC-DR-KEYS".to_string(), fs)].0, "error");
}

/// cfn-lint (AWS's linter) accepts the templates used here, so they are templates CloudFormation
/// would take. CI installs it; elsewhere the test says it did not run and fails only under CI.
#[test]
fn templates_pass_cfn_lint() {
    let templates = [TEMPLATE, "examples/iac/cdk/FsxStack.template.json"];
    match std::process::Command::new("cfn-lint").args(templates).current_dir(env!("CARGO_MANIFEST_DIR")).output() {
        Ok(output) => assert!(
            output.status.success(),
            "cfn-lint: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(e) if std::env::var_os("CI").is_none() => eprintln!("SKIPPED: cfn-lint is not installed ({e})"),
        Err(e) => panic!("cfn-lint is required under CI: {e}"),
    }
}

const IAM_POLICY: &str = "examples/iac/iam-policy.yaml";

#[test]
fn planned_principals_are_judged_by_the_one_evaluator() {
    let (report, code) = json_report(&["--policy", IAM_POLICY, "--inventory", PLAN, "--account", "111122223333"]);
    let want = table(
        &[
            // must_allow by address; AmazonFSxFullAccess is evaluated from the shipped document.
            ("IAC-IAM-DELETE", "aws_iam_role.backup_admin", "pass"),
            // AWSBackupServiceRolePolicyForBackup grants fsx:DeleteBackup on backup/*.
            ("IAC-IAM-DELETE", "aws_iam_role.backup_service", "fail"),
            // A customer managed policy attached by reference.
            ("IAC-IAM-DELETE", "aws_iam_user.ops", "fail"),
            // An inline policy whose document is known only at apply.
            ("IAC-IAM-DELETE", "aws_iam_role.mystery", "error"),
            // An inline_policy block allowing CopyBackup in the account.
            ("IAC-IAM-COPY", "aws_iam_role.dr_copy", "pass"),
        ],
        str::to_string,
    );
    assert_eq!(verdicts_only(&report), want);
    assert_eq!(code, 1);
    // Without --account, IAM ARNs cannot be built: error naming the flag, never a pass.
    let (report, code) = json_report(&["--policy", IAM_POLICY, "--inventory", PLAN]);
    let got = verdicts(&report);
    let (verdict, admin) = &got[&("IAC-IAM-DELETE".to_string(), "aws_iam_role.backup_admin".to_string())];
    assert_eq!(verdict, "error");
    assert!(admin["message"].as_str().unwrap().contains("add `--account ID`"), "{admin}");
    assert!(got.values().all(|(v, _)| v == "error"), "{got:?}");
    assert_eq!(code, 3);
}

#[test]
fn template_principals_are_judged_by_the_one_evaluator() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "iam.yaml",
        &format!(
            r#"version: 1
rules:
  - id: DELETE
    kind: iam-permission
    select: {{regions: [us-east-1]}}
    params:
      action: fsx:DeleteBackup
      must_allow: ["{TEMPLATE}#BackupAdminRole"]
      only: true
  - id: COPY
    kind: iam-permission
    select: {{regions: [us-east-1]}}
    params:
      action: fsx:CopyBackup
      must_allow: ["{TEMPLATE}#DrCopyRole"]
      requested_regions: [us-west-2]
"#
        ),
    );
    let (report, _) = json_report(&[
        "--policy",
        &policy,
        "--inventory",
        TEMPLATE,
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
    ]);
    let want = table(
        &[
            ("DELETE", "BackupAdminRole", "pass"), // AmazonFSxFullAccess by a !Sub ARN; no RoleName
            ("DELETE", "OpsUser", "fail"),         // an AWS::IAM::ManagedPolicy attached through `Users`
            ("DELETE", "AuditRole", "error"),      // ReadOnlyAccess: an AWS managed policy not shipped
            ("COPY", "DrCopyRole", "pass"),        // inline policy with a !Sub resource ARN
        ],
        cfn,
    );
    assert_eq!(verdicts_only(&report), want);
}

const HCL: &str = "examples/iac/terraform";

/// The same configuration as a directory and as its plan: the same verdicts wherever both can
/// decide (the plan knows the no-op resource's account from its state; the directory takes it
/// from `--account`).
#[test]
fn a_configuration_directory_judges_like_its_plan() {
    let args = |input: &'static str| ["--policy", POLICY, "--inventory", input, "--account", "111122223333"];
    let (from_plan, plan_code) = json_report(&args(PLAN));
    let (from_hcl, hcl_code) = json_report(&args(HCL));
    assert_eq!(verdicts_only(&from_hcl), verdicts_only(&from_plan));
    assert_eq!((hcl_code, plan_code), (1, 1));
    let (from_plan, _) = json_report(&["--policy", IAM_POLICY, "--inventory", PLAN, "--account", "111122223333"]);
    let (from_hcl, _) = json_report(&["--policy", IAM_POLICY, "--inventory", HCL, "--account", "111122223333"]);
    assert_eq!(verdicts_only(&from_hcl), verdicts_only(&from_plan));
    let got = verdicts(&from_hcl);
    assert_eq!(got[&("IAC-IAM-DELETE".to_string(), "aws_iam_role.backup_admin".to_string())].0, "pass");
}

#[test]
fn hcl_results_point_at_the_line_that_set_the_value() {
    let (report, _) = json_report(&["--policy", POLICY, "--inventory", HCL]);
    let line_of = |rule: &str, resource: &str| located_line(&report, rule, resource);
    // A variable's value: the tfvars line that set it.
    assert_eq!(
        line_of("IAC-RETENTION", SHARES),
        (format!("{HCL}/terraform.tfvars"), "windows_retention = 3".to_string())
    );
    // A literal in the resource.
    assert_eq!(
        line_of("IAC-RETENTION", REBUILT),
        (format!("{HCL}/main.tf"), "automatic_backup_retention_days = 1".to_string())
    );
    // A module's variable: the module call's argument.
    assert_eq!(line_of("IAC-RETENTION", DR_DATA), (format!("{HCL}/main.tf"), "retention = 7".to_string()));
    // ... and, as the related location, the attribute that reads the variable.
    let (_, shares) = &verdicts(&report)[&("IAC-RETENTION".to_string(), SHARES.to_string())];
    let related = &shares["related_location"];
    let text = std::fs::read_to_string(related["file"].as_str().unwrap()).unwrap();
    let line = text.lines().nth(related["line"].as_u64().unwrap() as usize - 1).unwrap().trim();
    assert_eq!(line, "automatic_backup_retention_days   = var.windows_retention");
    let (_, results) = &verdicts(&report)[&("IAC-RETENTION".to_string(), RESULTS.to_string())];
    assert_eq!(results["evidence"]["planned"]["input"], "terraform");
}

/// A throwaway configuration: (file name, contents).
fn configuration(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const RETENTION_ONLY: &str = r#"version: 1
rules:
  - id: RET
    kind: backup-retention
    select: {file_system_types: [OPENZFS, WINDOWS, LUSTRE, ONTAP]}
    params: {min_days: 1}
"#;

/// `(resource, verdict, retention in the evidence)` of each retention result.
fn retention(dir: &std::path::Path, extra: &[&str]) -> (BTreeMap<String, (String, Value)>, i32) {
    let policy = dir.join("policy.yaml");
    std::fs::write(&policy, RETENTION_ONLY).unwrap();
    let conf = dir.join("conf");
    let mut args =
        vec!["--policy", policy.to_str().unwrap(), "--inventory", conf.to_str().unwrap(), "--region", "us-east-1"];
    args.extend_from_slice(extra);
    let (report, code) = json_report(&args);
    let rows = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["resource"].as_str().unwrap().to_string(),
                (r["verdict"].as_str().unwrap().to_string(), r["evidence"]["AutomaticBackupRetentionDays"].clone()),
            )
        })
        .collect();
    (rows, code)
}

const FS: &str = r#"
resource "aws_fsx_openzfs_file_system" "a" {
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = ["subnet-0123456789abcdef0"]
  throughput_capacity               = 64
  automatic_backup_retention_days   = var.days
  daily_automatic_backup_start_time = "05:00"
}
"#;

#[test]
fn variables_follow_terraform_precedence() {
    let dir = configuration(&[
        ("conf/main.tf", &format!("variable \"days\" {{\n  type    = number\n  default = 1\n}}\n{FS}")),
        ("conf/terraform.tfvars", "days = 2\n"),
        ("conf/b.auto.tfvars", "days = 3\n"),
        ("conf/a.auto.tfvars", "days = 4\n"),
        ("late.tfvars", "days = 5\n"),
    ]);
    let a = "aws_fsx_openzfs_file_system.a";
    let days = |extra: &[&str]| retention(dir.path(), extra).0[a].1.clone();
    let late = dir.path().join("late.tfvars");
    // *.auto.tfvars in name order: b after a.
    assert_eq!(days(&[]), serde_json::json!(3));
    assert_eq!(days(&["--var-file", late.to_str().unwrap()]), serde_json::json!(5));
    assert_eq!(days(&["--var-file", late.to_str().unwrap(), "--var", "days=6"]), serde_json::json!(6));
    std::fs::remove_file(dir.path().join("conf/a.auto.tfvars")).unwrap();
    std::fs::remove_file(dir.path().join("conf/b.auto.tfvars")).unwrap();
    assert_eq!(days(&[]), serde_json::json!(2));
    std::fs::remove_file(dir.path().join("conf/terraform.tfvars")).unwrap();
    assert_eq!(days(&[]), serde_json::json!(1));
}

#[test]
fn a_variable_without_a_value_is_unknown_and_an_error_where_it_decides() {
    let dir = configuration(&[("conf/main.tf", &format!("variable \"days\" {{\n  type = number\n}}\n{FS}"))]);
    let (rows, code) = retention(dir.path(), &[]);
    let (verdict, _) = &rows["aws_fsx_openzfs_file_system.a"];
    assert_eq!(verdict, "error");
    assert_eq!(code, 3);
    let (rows, _) = retention(dir.path(), &["--var", "days=9"]);
    assert_eq!(rows["aws_fsx_openzfs_file_system.a"].1, serde_json::json!(9));
}

#[test]
fn count_for_each_locals_and_functions() {
    let dir = configuration(&[(
        "conf/main.tf",
        r#"
locals {
  systems = { home = 14, logs = 0 }
  prefix  = format("%s-%s", "fsx", lower("PROD"))
}

variable "extra" {
  type    = bool
  default = false
}

resource "aws_fsx_openzfs_file_system" "each" {
  for_each                          = local.systems
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = ["subnet-0123456789abcdef0"]
  throughput_capacity               = 64
  automatic_backup_retention_days   = each.value
  daily_automatic_backup_start_time = "05:00"
  tags                              = { Name = "${local.prefix}-${each.key}" }
}

resource "aws_fsx_windows_file_system" "counted" {
  count                           = length(keys(local.systems))
  deployment_type                 = "SINGLE_AZ_2"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 32
  automatic_backup_retention_days = count.index == 0 ? 30 : max(3, 5)
}

# count = 0: never created, and its unknown input gives nothing.
resource "aws_fsx_openzfs_file_system" "off" {
  count                           = var.extra ? 1 : 0
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 64
  automatic_backup_retention_days = timestamp()
}

# A function fsx-guard does not evaluate: unknown, so error.
resource "aws_fsx_openzfs_file_system" "stamped" {
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 64
  automatic_backup_retention_days = parseint(formatdate("D", timestamp()), 10)
}
"#,
    )]);
    let (rows, _) = retention(dir.path(), &[]);
    let got: BTreeMap<&str, (&str, Value)> =
        rows.iter().map(|(k, (v, d))| (k.as_str(), (v.as_str(), d.clone()))).collect();
    let want: BTreeMap<&str, (&str, Value)> = [
        (r#"aws_fsx_openzfs_file_system.each["home"]"#, ("pass", serde_json::json!(14))),
        (r#"aws_fsx_openzfs_file_system.each["logs"]"#, ("fail", serde_json::json!(0))),
        ("aws_fsx_windows_file_system.counted[0]", ("pass", serde_json::json!(30))),
        ("aws_fsx_windows_file_system.counted[1]", ("pass", serde_json::json!(5))),
        ("aws_fsx_openzfs_file_system.stamped", ("error", Value::Null)),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
}

#[test]
fn what_a_static_check_cannot_read_is_an_error_not_a_pass() {
    let dir = configuration(&[
        (
            "conf/main.tf",
            r#"
module "remote" {
  source  = "terraform-aws-modules/fsx/aws"
  version = "1.0.0"
}

variable "n" {
  type = number
}

resource "aws_fsx_openzfs_file_system" "unknown_count" {
  count               = var.n
  deployment_type     = "SINGLE_AZ_1"
  subnet_ids          = ["subnet-0123456789abcdef0"]
  throughput_capacity = 64
}
"#,
        ),
        (
            "conf/extra.tf.json",
            r#"{"resource": {"aws_fsx_openzfs_file_system": {"j": {"automatic_backup_retention_days": 0}}}}"#,
        ),
    ]);
    let (rows, code) = retention(dir.path(), &[]);
    assert_eq!(code, 3);
    let errors: Vec<&String> = rows.iter().filter(|(_, (v, _))| v == "error").map(|(k, _)| k).collect();
    assert!(errors.iter().any(|r| r.contains("module.remote")), "{rows:?}");
    assert!(errors.iter().any(|r| r.contains("unknown_count")), "{rows:?}");
    assert!(errors.iter().any(|r| r.ends_with("extra.tf.json")), "{rows:?}");
    assert!(rows.values().all(|(v, _)| v != "pass"), "{rows:?}");
}

#[test]
fn invalid_hcl_exits_2_at_its_line() {
    let dir = configuration(&[(
        "conf/main.tf",
        "resource \"aws_fsx_openzfs_file_system\" \"a\" {\n  automatic_backup_retention_days = \n}\n",
    )]);
    let output =
        fsx_guard().args(["check", "--policy", POLICY, "--inventory"]).arg(dir.path().join("conf")).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("main.tf") && stderr.contains("not valid HCL"), "{stderr}");
    assert!(stderr.contains(":2:") || stderr.contains(":3:"), "{stderr}");
}

#[test]
fn planned_ontap_volumes_join_their_file_system_through_the_svm() {
    let dir = configuration(&[(
        "conf/main.tf",
        r#"
resource "aws_fsx_ontap_file_system" "nas" {
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = ["subnet-0123456789abcdef0"]
  throughput_capacity               = 128
  automatic_backup_retention_days   = 14
  daily_automatic_backup_start_time = "03:00"
}

resource "aws_fsx_ontap_storage_virtual_machine" "svm" {
  name           = "svm1"
  file_system_id = aws_fsx_ontap_file_system.nas.id
}

resource "aws_fsx_ontap_volume" "tagged" {
  name                       = "tagged"
  storage_virtual_machine_id = aws_fsx_ontap_storage_virtual_machine.svm.id
  copy_tags_to_backups       = true
}

# copy_tags_to_backups left out: the provider's default, false.
resource "aws_fsx_ontap_volume" "plain" {
  name                       = "plain"
  storage_virtual_machine_id = aws_fsx_ontap_storage_virtual_machine.svm.id
}
"#,
    )]);
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "version: 1\nrules:\n  - id: RET\n    kind: backup-retention\n    select: {file_system_types: [ONTAP]}\n    params: {require_copy_tags_to_backups: true}\n",
    )
    .unwrap();
    let conf = dir.path().join("conf");
    let (report, _) = json_report(&[
        "--policy",
        policy.to_str().unwrap(),
        "--inventory",
        conf.to_str().unwrap(),
        "--region",
        "us-east-1",
    ]);
    let (verdict, nas) = &verdicts(&report)[&("RET".to_string(), "aws_fsx_ontap_file_system.nas".to_string())];
    assert_eq!(verdict, "fail", "{nas}");
    let message = nas["message"].as_str().unwrap();
    assert!(
        message.contains("aws_fsx_ontap_volume.plain") && !message.contains("aws_fsx_ontap_volume.tagged"),
        "{message}"
    );
}

#[test]
fn plan_results_point_at_the_tf_line_under_the_source_root() {
    let (report, _) = json_report(&["--policy", POLICY, "--inventory", PLAN, "--source-root", "."]);
    let line_of = |rule: &str, resource: &str| located_line(&report, rule, resource);
    assert_eq!(
        line_of("IAC-RETENTION", REBUILT),
        (format!("{HCL}/main.tf"), "automatic_backup_retention_days = 1".to_string())
    );
    assert_eq!(
        line_of("IAC-RETENTION", DR_DATA),
        (format!("{HCL}/modules/storage/main.tf"), "automatic_backup_retention_days   = var.retention".to_string())
    );
    // Left out of the block (the provider's default): the resource block.
    assert_eq!(
        line_of("IAC-RETENTION", SCRATCH),
        (format!("{HCL}/main.tf"), r#"resource "aws_fsx_openzfs_file_system" "scratch" {"#.to_string())
    );
}

/// The CloudFormation example as AWS would describe it once deployed (`describe-file-systems`
/// and `describe-volumes` shapes): the same retention verdicts where both can decide.
#[test]
fn a_template_judges_like_the_account_it_deploys() {
    let fs = |id: &str, kind: &str, config: serde_json::Value| {
        let block = match kind {
            "OPENZFS" => "OpenZFSConfiguration",
            "WINDOWS" => "WindowsConfiguration",
            "LUSTRE" => "LustreConfiguration",
            _ => "OntapConfiguration",
        };
        let mut value = serde_json::json!({
            "OwnerId": "111122223333",
            "CreationTime": "2026-01-01T00:00:00Z",
            "FileSystemId": id,
            "FileSystemType": kind,
            "Lifecycle": "AVAILABLE",
            "StorageType": "SSD",
            "ResourceARN": format!("arn:aws:fsx:us-east-1:111122223333:file-system/{id}"),
            "Tags": [],
        });
        value[block] = config;
        value
    };
    let inventory = serde_json::json!({
        "version": 1,
        "collected_at": "2026-11-30T12:00:00Z",
        "accounts": [{
            "account_id": "111122223333",
            "partition": "aws",
            "regions": {"us-east-1": {
                "FileSystems": [
                    fs("fs-00000000000000001", "OPENZFS", serde_json::json!({"AutomaticBackupRetentionDays": 14, "CopyTagsToBackups": true, "DailyAutomaticBackupStartTime": "05:00", "DeploymentType": "SINGLE_AZ_1"})),
                    fs("fs-00000000000000002", "WINDOWS", serde_json::json!({"AutomaticBackupRetentionDays": 3, "CopyTagsToBackups": true, "DailyAutomaticBackupStartTime": "03:00", "DeploymentType": "SINGLE_AZ_1"})),
                    fs("fs-00000000000000003", "LUSTRE", serde_json::json!({"DeploymentType": "SCRATCH_1"})),
                    fs("fs-00000000000000004", "OPENZFS", serde_json::json!({"AutomaticBackupRetentionDays": 30, "CopyTagsToBackups": false, "DailyAutomaticBackupStartTime": "04:00", "DeploymentType": "SINGLE_AZ_1"})),
                    fs("fs-00000000000000005", "OPENZFS", serde_json::json!({"AutomaticBackupRetentionDays": 21, "CopyTagsToBackups": true, "DailyAutomaticBackupStartTime": "06:00", "DeploymentType": "SINGLE_AZ_1"})),
                    fs("fs-00000000000000006", "ONTAP", serde_json::json!({"AutomaticBackupRetentionDays": 14, "DailyAutomaticBackupStartTime": "03:00", "DeploymentType": "SINGLE_AZ_1"})),
                ],
                "Volumes": [
                    {"VolumeId": "fsvol-00000000000000001", "FileSystemId": "fs-00000000000000006", "Lifecycle": "CREATED", "Name": "svm1_root", "VolumeType": "ONTAP",
                     "ResourceARN": "arn:aws:fsx:us-east-1:111122223333:volume/fs-00000000000000006/fsvol-00000000000000001",
                     "OntapConfiguration": {"StorageVirtualMachineRoot": true, "CopyTagsToBackups": false}},
                    {"VolumeId": "fsvol-00000000000000002", "FileSystemId": "fs-00000000000000006", "Lifecycle": "CREATED", "Name": "data", "VolumeType": "ONTAP",
                     "ResourceARN": "arn:aws:fsx:us-east-1:111122223333:volume/fs-00000000000000006/fsvol-00000000000000002",
                     "OntapConfiguration": {"StorageVirtualMachineRoot": false, "CopyTagsToBackups": true}},
                    {"VolumeId": "fsvol-00000000000000003", "FileSystemId": "fs-00000000000000006", "Lifecycle": "CREATED", "Name": "scratch", "VolumeType": "ONTAP",
                     "ResourceARN": "arn:aws:fsx:us-east-1:111122223333:volume/fs-00000000000000006/fsvol-00000000000000003",
                     "OntapConfiguration": {"StorageVirtualMachineRoot": false, "CopyTagsToBackups": false}}
                ],
                "Backups": []
            }}
        }]
    });
    let dir = tempfile::tempdir().unwrap();
    let live = write(&dir, "live.json", &inventory.to_string());
    let policy = write(
        &dir,
        "retention.yaml",
        "version: 1\nrules:\n  - id: RET\n    kind: backup-retention\n    select: {file_system_types: [OPENZFS, WINDOWS, LUSTRE, ONTAP]}\n    params: {min_days: 7, max_days: 35, require_copy_tags_to_backups: true, avoid_window: {start: \"22:00\", end: \"02:00\"}}\n",
    );
    let (deployed, _) = json_report(&["--policy", &policy, "--inventory", &live]);
    let (planned, _) = json_report(&[
        "--policy",
        &policy,
        "--inventory",
        TEMPLATE,
        "--region",
        "us-east-1",
        "--account",
        "111122223333",
    ]);
    let deployed = verdicts_only(&deployed);
    let planned = verdicts_only(&planned);
    for (n, logical) in ["HomeFs", "SharesFs", "ScratchFs", "ArchiveFs", "ReportsFs", "OntapFs"].iter().enumerate() {
        let arn = format!("arn:aws:fsx:us-east-1:111122223333:file-system/fs-0000000000000000{}", n + 1);
        assert_eq!(planned[&("RET".to_string(), cfn(logical))], deployed[&("RET".to_string(), arn)], "{logical}");
    }
}

#[test]
fn hostile_configurations_stay_bounded() {
    let dir = configuration(&[(
        "conf/main.tf",
        r#"
locals {
  # 10 billion values if evaluated: the evaluation budget stops it.
  big = [for i in range(100000) : [for j in range(100000) : j]]
}

resource "aws_fsx_openzfs_file_system" "a" {
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 64
  automatic_backup_retention_days = length(local.big)
}

# 3 x 100,000 instances: more than fsx-guard judges.
resource "aws_fsx_openzfs_file_system" "many" {
  count                           = 100000
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 64
  automatic_backup_retention_days = 7
}

resource "aws_fsx_openzfs_file_system" "more" {
  count                           = 100000
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 64
  automatic_backup_retention_days = 7
}

resource "aws_fsx_openzfs_file_system" "most" {
  count                           = 100000
  deployment_type                 = "SINGLE_AZ_1"
  subnet_ids                      = ["subnet-0123456789abcdef0"]
  throughput_capacity             = 64
  automatic_backup_retention_days = 7
}
"#,
    )]);
    let started = std::time::Instant::now();
    let (rows, code) = retention(dir.path(), &[]);
    assert_eq!(rows["aws_fsx_openzfs_file_system.a"].0, "error");
    assert!(
        rows.iter().any(|(r, (v, _))| r == "aws_fsx_openzfs_file_system.most" && v == "error"),
        "the cap is an error"
    );
    assert_eq!(code, 3);
    eprintln!("hostile configuration judged in {:?}", started.elapsed());
}

/// A schedule outside UTC can run an hour late across a daylight-saving change: the worst
/// recovery-point age counts that hour.
#[test]
fn schedules_outside_utc_count_a_daylight_saving_hour() {
    let conf = |zone: &str| {
        format!(
            r#"
provider "aws" {{
  region = "us-east-1"
}}

provider "aws" {{
  alias  = "dr"
  region = "us-west-2"
}}

resource "aws_fsx_openzfs_file_system" "a" {{
  deployment_type                   = "SINGLE_AZ_1"
  subnet_ids                        = ["subnet-0123456789abcdef0"]
  throughput_capacity               = 64
  automatic_backup_retention_days   = 7
  daily_automatic_backup_start_time = "05:00"
}}

resource "aws_backup_vault" "dr" {{
  provider = aws.dr
  name     = "dr"
}}

resource "aws_backup_plan" "p" {{
  name = "p"
  rule {{
    rule_name                    = "daily"
    target_vault_name            = "Default"
    schedule                     = "cron(0 5 ? * * *)"
    schedule_expression_timezone = "{zone}"
    start_window                 = 60
    completion_window            = 180
    copy_action {{
      destination_vault_arn = aws_backup_vault.dr.arn
    }}
  }}
}}

resource "aws_backup_selection" "s" {{
  name         = "s"
  iam_role_arn = "arn:aws:iam::111122223333:role/backup"
  plan_id      = aws_backup_plan.p.id
  resources    = [aws_fsx_openzfs_file_system.a.arn]
}}
"#
        )
    };
    let policy = "version: 1\nrules:\n  - id: DR\n    kind: cross-region-copy\n    select: {regions: [us-east-1]}\n    params: {destinations: [us-west-2], max_age_hours: 28}\n";
    for (zone, want) in [("Etc/UTC", "pass"), ("Europe/Berlin", "fail")] {
        let dir = configuration(&[("conf/main.tf", &conf(zone)), ("policy.yaml", policy)]);
        let conf_dir = dir.path().join("conf");
        let policy_path = dir.path().join("policy.yaml");
        let (report, _) =
            json_report(&["--policy", policy_path.to_str().unwrap(), "--inventory", conf_dir.to_str().unwrap()]);
        let (verdict, result) = &verdicts(&report)[&("DR".to_string(), "aws_fsx_openzfs_file_system.a".to_string())];
        assert_eq!(verdict, want, "{zone}: {result}");
    }
}
