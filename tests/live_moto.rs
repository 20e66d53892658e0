//! The live path end to end against moto in server mode (`.ci/run` starts it and exports its
//! URL as `FSX_GUARD_MOTO_URL`). The test seeds moto through the SDK (mutating calls are fine in
//! test code, never in the tool), then runs the binary.
//!
//! moto's FSx is thin: its backups lack `Type`, `KmsKeyId` and the nested `FileSystem`, stay
//! `CREATING`, and `CopyBackup` is not implemented. fsx-guard treats such a `DescribeBackups`
//! response as malformed (recorded in `errors`, exit 3), which this test checks too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use aws_sdk_fsx::types::{FileSystemType, OpenZfsDeploymentType, Tag};
use serde_json::Value;

const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn moto() -> Option<String> {
    match std::env::var("FSX_GUARD_MOTO_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!("FSX_GUARD_MOTO_URL is not set: .ci/run starts moto and must export it");
            }
            eprintln!("skipped: FSX_GUARD_MOTO_URL is not set (run .ci/run, which starts moto)");
            None
        }
    }
}

fn credentials() -> aws_sdk_fsx::config::Credentials {
    aws_sdk_fsx::config::Credentials::new("testing", "testing", None, None, "tests")
}

async fn seed(url: &str) {
    for region in REGIONS {
        let config = aws_sdk_fsx::config::Builder::new()
            .behavior_version(aws_sdk_fsx::config::BehaviorVersion::latest())
            .region(aws_sdk_fsx::config::Region::new(region))
            .endpoint_url(url)
            .credentials_provider(credentials())
            .build();
        let fsx = aws_sdk_fsx::Client::from_conf(config);
        for (name, days) in [("prod-home", 14), ("no-backups", 0)] {
            let created = fsx
                .create_file_system()
                .file_system_type(FileSystemType::Openzfs)
                .storage_capacity(64)
                .subnet_ids("subnet-0123456789abcdef0")
                .tags(Tag::builder().key("Name").value(format!("{name}-{region}")).build())
                .tags(Tag::builder().key("env").value("prod").build())
                .open_zfs_configuration(
                    aws_sdk_fsx::types::CreateFileSystemOpenZfsConfiguration::builder()
                        .deployment_type(OpenZfsDeploymentType::SingleAz1)
                        .throughput_capacity(64)
                        .automatic_backup_retention_days(days)
                        .copy_tags_to_backups(true)
                        .daily_automatic_backup_start_time("05:00")
                        .build(),
                )
                .send()
                .await
                .unwrap();
            if days > 0 {
                let id = created.file_system().and_then(|fs| fs.file_system_id()).unwrap();
                fsx.create_backup().file_system_id(id).send().await.unwrap();
            }
        }
    }
    let iam_config = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_iam::config::Credentials::new("testing", "testing", None, None, "tests"))
        .build();
    let iam = aws_sdk_iam::Client::from_conf(iam_config);
    let admin = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"fsx:*","Resource":"*"}]}"#;
    let describe =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"fsx:Describe*","Resource":"*"}]}"#;
    let admin_arn = iam.create_policy().policy_name("FsxAdmin").policy_document(describe).send().await.unwrap();
    let admin_arn = admin_arn.policy().and_then(|p| p.arn()).unwrap().to_string();
    // A second version becomes the default: only it counts.
    iam.create_policy_version()
        .policy_arn(&admin_arn)
        .policy_document(admin)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    let boundary = iam.create_policy().policy_name("ReadOnlyBoundary").policy_document(describe).send().await.unwrap();
    let boundary_arn = boundary.policy().and_then(|p| p.arn()).unwrap().to_string();
    iam.create_group().group_name("storage-admins").send().await.unwrap();
    iam.attach_group_policy().group_name("storage-admins").policy_arn(&admin_arn).send().await.unwrap();
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.add_user_to_group().group_name("storage-admins").user_name("alice").send().await.unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    // moto reports permissions boundaries of roles (not of users) in the authorization details.
    iam.create_role()
        .role_name("bounded")
        .assume_role_policy_document(trust)
        .permissions_boundary(&boundary_arn)
        .send()
        .await
        .unwrap();
    iam.put_role_policy().role_name("bounded").policy_name("all").policy_document(admin).send().await.unwrap();
    iam.create_role().role_name("backup-admin").assume_role_policy_document(trust).send().await.unwrap();
    iam.put_role_policy()
        .role_name("backup-admin")
        .policy_name("delete")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"fsx:DeleteBackup","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
}

/// moto's reset endpoint, through a plain TCP request (no HTTP client crate needed).
fn reset_moto(url: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(address)?;
    write!(
        stream,
        "POST /moto-api/reset HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(())
}

fn fsx_guard(url: &str) -> Command {
    let mut cmd = Command::cargo_bin("fsx-guard").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", url)
        .timeout(Duration::from_secs(120));
    cmd
}

const POLICY: &str = "tests/fixtures/live/policy.yaml";

#[test]
fn live_collection_against_moto() {
    let Some(url) = moto() else { return };
    reset_moto(&url).unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(seed(&url));
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("inventory.json");

    // collect: file systems and IAM are read; moto's backups are malformed (no Type, no
    // FileSystem), so DescribeBackups is recorded as failed in both Regions: exit 3.
    let output = fsx_guard(&url)
        .args(["collect", "--region", "us-east-1", "--region", "eu-west-1", "--output"])
        .arg(&saved)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let document: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    let account = &document["accounts"][0];
    assert_eq!(account["account_id"], "123456789012");
    for region in REGIONS {
        assert_eq!(account["regions"][region]["FileSystems"].as_array().unwrap().len(), 2, "{region}");
    }
    let errors = account["errors"].as_array().unwrap();
    assert!(errors.iter().all(|e| e["operation"] == "DescribeBackups"), "{errors:?}");
    // Who collected, where, and how many requests: audit evidence in the document.
    let collector = &document["collector"];
    assert_eq!(collector["tool"], "fsx-guard");
    assert_eq!(collector["caller"]["account"], "123456789012");
    assert!(collector["caller"]["arn"].as_str().unwrap().starts_with("arn:aws:"), "{collector}");
    assert_eq!(collector["regions"], serde_json::json!(["eu-west-1", "us-east-1"]));
    assert_eq!(collector["calls"]["sts:GetCallerIdentity"], 1);
    assert_eq!(collector["calls"]["fsx:DescribeFileSystems"], 2, "one page per Region");
    assert!(collector["calls"]["iam:GetAccountAuthorizationDetails"].as_u64().unwrap() >= 1);
    let iam = &account["iam"];
    assert_eq!(iam["UserDetailList"].as_array().unwrap().len(), 1);
    assert_eq!(iam["RoleDetailList"].as_array().unwrap().len(), 2);

    // The saved inventory and --live give the same verdicts.
    let collected_at = document["collected_at"].as_str().unwrap().to_string();
    let offline = fsx_guard(&url)
        .args(["check", "--format", "json", "--policy", POLICY, "--inventory"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(offline.status.code(), Some(1), "{}", String::from_utf8_lossy(&offline.stderr));
    let started = Instant::now();
    let live = fsx_guard(&url)
        .args([
            "check",
            "--live",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--format",
            "json",
            "--policy",
            POLICY,
        ])
        .args(["--now", &collected_at])
        .output()
        .unwrap();
    let wall = started.elapsed();
    eprintln!("two-region check --live against moto: {wall:?}");
    assert_eq!(live.status.code(), Some(1), "{}", String::from_utf8_lossy(&live.stderr));
    let verdicts = |out: &[u8]| -> Vec<(String, String, String)> {
        let report: Value = serde_json::from_slice(out).unwrap();
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["rule_id"].as_str().unwrap().into(),
                    r["resource"].as_str().unwrap().into(),
                    r["verdict"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    // A live report names its caller and the Regions read; a saved one, who collected it.
    let live_report: Value = serde_json::from_slice(&live.stdout).unwrap();
    assert_eq!(live_report["caller"]["account"], "123456789012");
    assert_eq!(live_report["regions_read"], serde_json::json!(["eu-west-1", "us-east-1"]));
    assert_eq!(live_report["inputs"][1]["path"], "live");
    let sarif_live = fsx_guard(&url)
        .args(["check", "--live", "--region", "us-east-1", "--format", "sarif", "--policy", POLICY])
        .output()
        .unwrap();
    let sarif_live: Value = serde_json::from_slice(&sarif_live.stdout).unwrap();
    let invocation = &sarif_live["runs"][0]["invocations"][0];
    assert_eq!(invocation["properties"]["caller"]["account"], "123456789012");
    assert_eq!(invocation["properties"]["regions_read"], serde_json::json!(["us-east-1"]));
    let offline_report: Value = serde_json::from_slice(&offline.stdout).unwrap();
    assert_eq!(offline_report["collected_by"][0]["caller"]["account"], "123456789012");
    let (offline, live) = (verdicts(&offline.stdout), verdicts(&live.stdout));
    assert_eq!(offline, live);
    let has = |rule: &str, suffix: &str, verdict: &str| {
        live.iter().any(|(r, res, v)| r == rule && res.ends_with(suffix) && v == verdict)
    };
    // Retention is decidable from the file systems; recency is not (backups unreadable).
    assert_eq!(live.iter().filter(|(r, _, v)| r == "RETENTION" && v == "fail").count(), 2, "{live:?}");
    assert_eq!(live.iter().filter(|(r, _, v)| r == "RETENTION" && v == "pass").count(), 2, "{live:?}");
    assert!(live.iter().filter(|(r, _, _)| r == "RECENCY").all(|(_, _, v)| v == "error"), "{live:?}");
    // IAM from moto: alice through her group's default policy version; `bounded` is held by its
    // permissions boundary.
    assert!(has("WHO-MAY-DELETE", "role/backup-admin", "pass"), "{live:?}");
    assert!(has("WHO-MAY-DELETE", "user/alice", "fail"), "{live:?}");
    assert!(!live.iter().any(|(r, res, _)| r == "WHO-MAY-DELETE" && res.ends_with("role/bounded")), "{live:?}");
    // The requests on backups are unknown where DescribeBackups failed: error, never pass.
    assert!(
        live.iter()
            .filter(|(r, res, _)| r == "WHO-MAY-DELETE" && res.contains(":file-system/"))
            .all(|(_, _, v)| v == "error")
    );
    assert!(Path::new(POLICY).exists());
}

#[test]
fn no_credentials_is_exit_2_with_a_way_out() {
    let Some(url) = moto() else { return };
    let output = fsx_guard(&url)
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["collect", "--region", "us-east-1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
    assert!(stderr.contains("AWS_ACCESS_KEY_ID"), "{stderr}");
}

#[test]
fn no_region_from_anywhere_is_exit_2() {
    let Some(url) = moto() else { return };
    let output = fsx_guard(&url).args(["collect"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS Region"), "{stderr}");
}

#[test]
fn unreachable_endpoint_is_exit_2_not_a_pass() {
    let Some(url) = moto() else { return };
    let output = fsx_guard(&url)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_MAX_ATTEMPTS", "1")
        .args(["check", "--live", "--region", "us-east-1"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot reach AWS"), "{stderr}");
}
