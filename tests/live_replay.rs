//! The SDK path with recorded responses (aws-smithy's test HTTP client), for what moto cannot
//! produce. The bodies follow botocore's service models: FSx JSON with epoch-second timestamps,
//! IAM and STS XML with URL-encoded policy documents, pagination tokens, a throttled call that
//! succeeds on retry, AccessDenied in one Region and a malformed response in another.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::test_util::infallible_client_fn;
use aws_smithy_types::body::SdkBody;
use fsx_guard::cli::AwsArgs;
use fsx_guard::engine::{self, Verdict};
use fsx_guard::inventory::{SourceFormat, live, source};
use fsx_guard::policy;
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const NOW: f64 = 1_795_586_400.0; // 2026-11-25T06:00:00Z

fn enc(document: &Value) -> String {
    percent_encoding::utf8_percent_encode(&document.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn fsx_file_system(region: &str, id: &str) -> Value {
    json!({
        "OwnerId": ACCOUNT, "CreationTime": 1.7e9, "FileSystemId": id, "FileSystemType": "OPENZFS",
        "Lifecycle": "AVAILABLE", "StorageCapacity": 1024, "StorageType": "SSD",
        "ResourceARN": format!("arn:aws:fsx:{region}:{ACCOUNT}:file-system/{id}"),
        "Tags": [{"Key": "env", "Value": "prod"}],
        "OpenZFSConfiguration": {"AutomaticBackupRetentionDays": 14, "CopyTagsToBackups": true,
            "DailyAutomaticBackupStartTime": "05:00", "DeploymentType": "SINGLE_AZ_HA_2", "ThroughputCapacity": 320}
    })
}

fn fsx_backup(region: &str, id: &str, fs: &str, hours_ago: f64, key: &str, source: Option<(&str, &str)>) -> Value {
    let mut backup = json!({
        "BackupId": id, "Lifecycle": "AVAILABLE", "Type": if source.is_some() { "USER_INITIATED" } else { "AUTOMATIC" },
        "CreationTime": NOW - hours_ago * 3600.0,
        "KmsKeyId": format!("arn:aws:kms:{region}:{ACCOUNT}:key/{key}"),
        "ResourceARN": format!("arn:aws:fsx:{region}:{ACCOUNT}:backup/{id}"),
        "Tags": [{"Key": "env", "Value": "prod"}],
        "FileSystem": {"FileSystemId": fs, "FileSystemType": "OPENZFS", "OwnerId": ACCOUNT, "StorageCapacity": 1024},
        "OwnerId": ACCOUNT, "ResourceType": "FILE_SYSTEM", "SizeInBytes": 1_000_000
    });
    if let Some((source_id, source_region)) = source {
        backup["SourceBackupId"] = json!(source_id);
        backup["SourceBackupRegion"] = json!(source_region);
    }
    backup
}

const FS: &str = "fs-0123456789abcdef0";
const KEY_1: &str = "1a2b3c4d-0000-4000-8000-000000000001";
const KEY_2: &str = "1a2b3c4d-0000-4000-8000-000000000002";

fn iam_page(marker: Option<&str>) -> String {
    let allow_delete = enc(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "fsx:DeleteBackup", "Resource": "*"}]}),
    );
    let admin =
        enc(&json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "fsx:*", "Resource": "*"}}));
    let (truncated, body) = match marker {
        None => (
            "<IsTruncated>true</IsTruncated><Marker>page-2</Marker>",
            format!(
                "<UserDetailList><member><Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLE0000000001</UserId><Arn>arn:aws:iam::{ACCOUNT}:user/alice</Arn><CreateDate>2024-02-01T10:00:00Z</CreateDate><UserPolicyList/><GroupList><member>admins</member></GroupList><AttachedManagedPolicies/><Tags/></member></UserDetailList>\
                 <GroupDetailList><member><Path>/</Path><GroupName>admins</GroupName><GroupId>AGPAEXAMPLE0000000001</GroupId><Arn>arn:aws:iam::{ACCOUNT}:group/admins</Arn><CreateDate>2024-02-01T10:00:00Z</CreateDate><GroupPolicyList/><AttachedManagedPolicies><member><PolicyName>FsxAdmin</PolicyName><PolicyArn>arn:aws:iam::{ACCOUNT}:policy/FsxAdmin</PolicyArn></member></AttachedManagedPolicies></member></GroupDetailList>\
                 <RoleDetailList/><Policies/>"
            ),
        ),
        Some(_) => (
            "<IsTruncated>false</IsTruncated>",
            format!(
                "<UserDetailList/><GroupDetailList/>\
                 <RoleDetailList><member><Path>/</Path><RoleName>backup-admin</RoleName><RoleId>AROAEXAMPLE0000000001</RoleId><Arn>arn:aws:iam::{ACCOUNT}:role/backup-admin</Arn><CreateDate>2024-02-01T10:00:00Z</CreateDate><InstanceProfileList/><RolePolicyList><member><PolicyName>delete</PolicyName><PolicyDocument>{allow_delete}</PolicyDocument></member></RolePolicyList><AttachedManagedPolicies/><Tags/></member></RoleDetailList>\
                 <Policies><member><PolicyName>FsxAdmin</PolicyName><PolicyId>ANPAEXAMPLE0000000001</PolicyId><Arn>arn:aws:iam::{ACCOUNT}:policy/FsxAdmin</Arn><Path>/</Path><DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable><PolicyVersionList><member><Document>{admin}</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2024-02-01T10:00:00Z</CreateDate></member></PolicyVersionList></member></Policies>"
            ),
        ),
    };
    format!(
        "<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult>{truncated}{body}</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>"
    )
}

/// A recorded FSx (JSON 1.1) response.
fn json_response(status: u16, value: Value) -> http::Response<String> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .body(value.to_string())
        .unwrap()
}

/// A recorded IAM or STS (XML) response.
fn xml_response(text: String) -> http::Response<String> {
    http::Response::builder().status(200).header("content-type", "text/xml").body(text).unwrap()
}

/// `sts:GetCallerIdentity` for the test account.
fn caller_identity() -> http::Response<String> {
    xml_response(format!(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/fsx-guard-audit/session</Arn><UserId>AROAEXAMPLE:session</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    ))
}

/// Answers every request from what it asks for: service, Region, operation and page token.
fn recorded_aws(
    calls: Arc<Mutex<HashMap<String, usize>>>,
    iam_denied: bool,
) -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    infallible_client_fn(move |request: http::Request<SdkBody>| {
        let host = request.uri().host().unwrap_or("").to_string();
        let target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or(&[])).to_string();
        let region = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
            .into_iter()
            .find(|r| host.contains(r))
            .unwrap_or("?");
        let key = format!("{host} {target} {}", body.contains("page-2"));
        let count = {
            let mut calls = calls.lock().unwrap();
            let count = calls.entry(key).or_insert(0);
            *count += 1;
            *count
        };
        let (json, xml) = (json_response, xml_response);
        if host.starts_with("sts.") {
            return caller_identity();
        }
        if host.starts_with("account.") {
            return json(
                200,
                json!({"Regions": [
                    {"RegionName": "us-east-1", "RegionOptStatus": "ENABLED_BY_DEFAULT"},
                    {"RegionName": "us-west-2", "RegionOptStatus": "ENABLED_BY_DEFAULT"}
                ]}),
            );
        }
        if host.starts_with("iam.") && iam_denied {
            return http::Response::builder()
                .status(403)
                .header("content-type", "text/xml")
                .body(format!("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::{ACCOUNT}:assumed-role/fsx-guard-audit/session is not authorized to perform: iam:GetAccountAuthorizationDetails</Message></Error><RequestId>r</RequestId></ErrorResponse>"))
                .unwrap();
        }
        if host.starts_with("iam.") {
            let marker = body.contains("Marker=page-2").then_some("page-2");
            return xml(iam_page(marker));
        }
        let operation = target.rsplit('.').next().unwrap_or("");
        match (region, operation) {
            ("eu-west-1", _) => json(
                400,
                json!({"__type": "com.amazonaws.fsx#AccessDeniedException", "message": "User is not authorized to perform fsx:DescribeFileSystems with an explicit deny in a service control policy"}),
            ),
            ("ap-southeast-2", "DescribeFileSystems") => http::Response::builder()
                .status(200)
                .body("{\"FileSystems\": [{\"FileSystemId\": ".to_string())
                .unwrap(),
            ("us-west-2", "DescribeBackups") if count == 1 => {
                json(400, json!({"__type": "ThrottlingException", "message": "Rate exceeded"}))
            }
            ("us-east-1", "DescribeFileSystems") => {
                json(200, json!({"FileSystems": [fsx_file_system("us-east-1", FS)]}))
            }
            ("us-east-1", "DescribeBackups") if !body.contains("page-2") => json(
                200,
                json!({
                    "Backups": [fsx_backup("us-east-1", "backup-0000000000000a001", FS, 30.0, KEY_1, None)],
                    "NextToken": "page-2"
                }),
            ),
            ("us-east-1", "DescribeBackups") => json(
                200,
                json!({"Backups": [fsx_backup("us-east-1", "backup-0000000000000a002", FS, 5.0, KEY_1, None)]}),
            ),
            ("us-west-2", "DescribeFileSystems") => json(200, json!({"FileSystems": []})),
            ("us-west-2", "DescribeBackups") => json(
                200,
                json!({"Backups": [
                    // Copies of both us-east-1 backups; the second changed keys (a full copy).
                    fsx_backup("us-west-2", "backup-0000000000000b001", FS, 29.0, KEY_1, Some(("backup-0000000000000a001", "us-east-1"))),
                    fsx_backup("us-west-2", "backup-0000000000000b002", FS, 4.0, KEY_2, Some(("backup-0000000000000a002", "us-east-1")))
                ]}),
            ),
            (_, _) => json(200, json!({"FileSystems": [], "Backups": []})),
        }
    })
}

fn config(calls: Arc<Mutex<HashMap<String, usize>>>, iam_denied: bool) -> SdkConfig {
    config_with(recorded_aws(calls, iam_denied))
}

fn config_with(http_client: aws_smithy_runtime_api::client::http::SharedHttpClient) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_credential_types::Credentials::new("AKIDEXAMPLE", "secret", None, None, "tests"),
        ))
        .http_client(http_client)
        .retry_config(RetryConfig::standard().with_max_attempts(3).with_initial_backoff(Duration::from_millis(5)))
        .sleep_impl(aws_smithy_async::rt::sleep::SharedAsyncSleep::new(aws_smithy_async::rt::sleep::TokioSleep::new()))
        .build()
}

fn collect() -> (live::Collection, HashMap<String, usize>) {
    collect_regions(&["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"])
}

fn collect_regions(regions: &[&str]) -> (live::Collection, HashMap<String, usize>) {
    collect_with_iam(regions, false)
}

fn collect_with_iam(regions: &[&str], iam_denied: bool) -> (live::Collection, HashMap<String, usize>) {
    let calls = Arc::new(Mutex::new(HashMap::new()));
    let args =
        AwsArgs { regions: regions.iter().map(|r| r.to_string()).collect(), concurrency: 4, ..AwsArgs::default() };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let collection =
        runtime.block_on(live::collect_with(&config(Arc::clone(&calls), iam_denied), &args, &BTreeSet::new())).unwrap();
    let calls = calls.lock().unwrap().clone();
    (collection, calls)
}

#[test]
fn recorded_responses_become_the_inventory_document() {
    let (collection, calls) = collect();
    let account = &collection.document["accounts"][0];
    assert_eq!(account["account_id"], ACCOUNT);
    assert_eq!(account["partition"], "aws");
    let regions = &account["regions"];
    // Both pages of us-east-1's backups, timestamps from epoch seconds.
    let backups = regions["us-east-1"]["Backups"].as_array().unwrap();
    assert_eq!(backups.len(), 2);
    assert_eq!(backups[0]["CreationTime"], "2026-11-24T00:00:00Z");
    // Throttled once, then read.
    assert_eq!(regions["us-west-2"]["Backups"].as_array().unwrap().len(), 2);
    let throttled =
        calls.iter().find(|(k, _)| k.contains("us-west-2") && k.contains("DescribeBackups")).map(|(_, n)| *n);
    assert_eq!(throttled, Some(2));
    let copy = &regions["us-west-2"]["Backups"][1];
    assert_eq!(copy["SourceBackupId"], "backup-0000000000000a002");
    assert_eq!(copy["SourceBackupRegion"], "us-east-1");
    assert!(copy["KmsKeyId"].as_str().unwrap().ends_with(KEY_2));
    assert_eq!(copy["FileSystem"]["FileSystemId"], FS);
    // AccessDenied and a malformed body are recorded, and their lists are left out.
    let errors = account["errors"].as_array().unwrap();
    let failed: BTreeSet<(String, String)> = errors
        .iter()
        .map(|e| (e["region"].as_str().unwrap().to_string(), e["operation"].as_str().unwrap().to_string()))
        .collect();
    assert!(failed.contains(&("eu-west-1".into(), "DescribeFileSystems".into())), "{errors:?}");
    assert!(failed.contains(&("eu-west-1".into(), "DescribeBackups".into())), "{errors:?}");
    assert!(failed.contains(&("ap-southeast-2".into(), "DescribeFileSystems".into())), "{errors:?}");
    assert!(regions["eu-west-1"].get("FileSystems").is_none());
    assert!(errors.iter().any(|e| e["message"].as_str().unwrap().contains("AccessDenied")), "{errors:?}");
    assert_eq!(collection.failures, 3);
    // IAM from two pages, documents still URL-encoded for the loader to decode.
    let iam = &account["iam"];
    assert_eq!(iam["UserDetailList"][0]["UserName"], "alice");
    assert_eq!(iam["RoleDetailList"][0]["RoleName"], "backup-admin");
    assert!(iam["Policies"][0]["PolicyVersionList"][0]["Document"].as_str().unwrap().starts_with("%7B"));
}

#[test]
fn recorded_responses_give_fail_closed_verdicts() {
    let (collection, _) = collect();
    let text = serde_json::to_string(&collection.document).unwrap();
    let inventory = source::load_texts(vec![("live".into(), Arc::new(text), SourceFormat::Json)]).unwrap();
    let policy = r#"
version: 1
rules:
  - id: COPY
    kind: cross-region-copy
    params: {destinations: [us-west-2, eu-west-1]}
  - id: KEYS
    kind: copy-kms-consistency
    params: {destinations: [us-west-2]}
  - id: RECENCY
    kind: backup-recency
    select: {regions: [us-east-1, eu-west-1, ap-southeast-2]}
  - id: DELETE
    kind: iam-permission
    params: {action: fsx:DeleteBackup, must_allow: ["arn:aws:iam::111122223333:role/backup-admin"], only: true}
"#;
    let policies = policy::load_sources(vec![("p.yaml".into(), Arc::new(policy.to_string()), false)]).unwrap();
    let now = fsx_guard::inventory::Timestamp::parse_rfc3339("2026-11-25T06:00:00Z").unwrap();
    let report = engine::evaluate(&policies, &inventory, now);
    let verdict = |rule: &str, resource_suffix: &str| {
        report
            .results
            .iter()
            .find(|r| policies.rules[r.rule].id == rule && r.subject.id.ends_with(resource_suffix))
            .map(|r| r.verdict)
    };
    // eu-west-1 could not be read: the copy requirement there is undetermined, not failed.
    assert_eq!(verdict("COPY", FS), Some(Verdict::Error));
    assert_eq!(verdict("KEYS", FS), Some(Verdict::Fail));
    assert_eq!(verdict("RECENCY", FS), Some(Verdict::Pass));
    assert_eq!(verdict("RECENCY", "eu-west-1:111122223333:file-system/*"), Some(Verdict::Error));
    assert_eq!(verdict("RECENCY", "ap-southeast-2:111122223333:file-system/*"), Some(Verdict::Error));
    assert_eq!(verdict("DELETE", "role/backup-admin"), Some(Verdict::Pass));
    assert_eq!(verdict("DELETE", "user/alice"), Some(Verdict::Fail));
}

#[test]
fn region_all_collects_every_enabled_region() {
    let (collection, calls) = collect_regions(&["all"]);
    let regions: Vec<&String> = collection.document["accounts"][0]["regions"].as_object().unwrap().keys().collect();
    assert_eq!(regions, ["us-east-1", "us-west-2"]);
    assert!(calls.keys().any(|k| k.starts_with("account.")), "{calls:?}");
}

#[test]
fn access_denied_on_iam_is_recorded_and_iam_rules_give_error() {
    let (collection, _) = collect_with_iam(&["us-east-1"], true);
    let account = &collection.document["accounts"][0];
    assert!(account.get("iam").is_none());
    let errors = account["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["service"] == "iam" && e["message"].as_str().unwrap().contains("AccessDenied")),
        "{errors:?}"
    );
    let text = serde_json::to_string(&collection.document).unwrap();
    let inventory = source::load_texts(vec![("live".into(), Arc::new(text), SourceFormat::Json)]).unwrap();
    let policy = "version: 1\nrules:\n  - id: DELETE\n    kind: iam-permission\n    params: {action: fsx:DeleteBackup, must_allow: [\"arn:aws:iam::111122223333:role/backup-admin\"], only: true}\n";
    let policies = policy::load_sources(vec![("p.yaml".into(), Arc::new(policy.to_string()), false)]).unwrap();
    let report = engine::evaluate(&policies, &inventory, collection.started);
    assert!(!report.results.is_empty());
    assert!(report.results.iter().all(|r| r.verdict == Verdict::Error), "{:?}", report.results);
}

/// A real account's awkward shapes, as the SDK receives them: ONTAP volume backups
/// (`ResourceType: VOLUME`, `Volume`, no `FileSystem`), a Lustre scratch and an S3-linked Lustre
/// file system, an AWS managed policy attached to a role and to a group, and a Region newer than
/// the built-in table.
fn recorded_real_account(calls: Arc<Mutex<Vec<String>>>) -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    const ONTAP: &str = "fs-0a1b2c3d4e5f6a001";
    infallible_client_fn(move |request: http::Request<SdkBody>| {
        let host = request.uri().host().unwrap_or("").to_string();
        let target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let operation = target.rsplit('.').next().unwrap_or("").to_string();
        calls.lock().unwrap().push(format!("{host} {operation}"));
        let json = |value: Value| json_response(200, value);
        let xml = xml_response;
        if host.starts_with("sts.") {
            return caller_identity();
        }
        if host.starts_with("iam.") {
            let full = enc(&json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "FullAccess", "Effect": "Allow", "Action": ["fsx:CopyBackup", "fsx:CreateBackup", "fsx:DeleteBackup", "fsx:Describe*"], "Resource": "*"}
            ]}));
            let managed = "<AttachedManagedPolicies><member><PolicyName>AmazonFSxFullAccess</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AmazonFSxFullAccess</PolicyArn></member></AttachedManagedPolicies>";
            return xml(format!(
                "<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated>\
                 <UserDetailList><member><Path>/</Path><UserName>dana</UserName><UserId>AIDAEXAMPLE0000000002</UserId><Arn>arn:aws:iam::{ACCOUNT}:user/dana</Arn><CreateDate>2024-02-01T10:00:00Z</CreateDate><UserPolicyList/><GroupList><member>storage-admins</member></GroupList><AttachedManagedPolicies/><Tags/></member></UserDetailList>\
                 <GroupDetailList><member><Path>/</Path><GroupName>storage-admins</GroupName><GroupId>AGPAEXAMPLE0000000002</GroupId><Arn>arn:aws:iam::{ACCOUNT}:group/storage-admins</Arn><CreateDate>2024-02-01T10:00:00Z</CreateDate><GroupPolicyList/>{managed}</member></GroupDetailList>\
                 <RoleDetailList><member><Path>/</Path><RoleName>fsx-operator</RoleName><RoleId>AROAEXAMPLE0000000002</RoleId><Arn>arn:aws:iam::{ACCOUNT}:role/fsx-operator</Arn><CreateDate>2024-02-01T10:00:00Z</CreateDate><InstanceProfileList/><RolePolicyList/>{managed}<Tags/></member></RoleDetailList>\
                 <Policies><member><PolicyName>AmazonFSxFullAccess</PolicyName><PolicyId>ANPAIKK6OBW5M6GXT6TCE</PolicyId><Arn>arn:aws:iam::aws:policy/AmazonFSxFullAccess</Arn><Path>/</Path><DefaultVersionId>v12</DefaultVersionId><AttachmentCount>2</AttachmentCount><IsAttachable>true</IsAttachable><PolicyVersionList><member><Document>{full}</Document><VersionId>v12</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2025-02-25T15:07:00Z</CreateDate></member></PolicyVersionList></member></Policies>\
                 </GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>"
            ));
        }
        let region = if host.contains("eu-west-4") { "eu-west-4" } else { "us-east-1" };
        let volume_arn = |id: &str| format!("arn:aws:fsx:us-east-1:{ACCOUNT}:volume/{ONTAP}/{id}");
        let volume_backup = |id: &str, volume: &str, hours_ago: f64| {
            json!({
                "BackupId": id, "Lifecycle": "AVAILABLE", "Type": "AUTOMATIC", "CreationTime": NOW - hours_ago * 3600.0,
                "KmsKeyId": format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{KEY_1}"),
                "ResourceARN": format!("arn:aws:fsx:us-east-1:{ACCOUNT}:backup/{id}"), "Tags": [],
                "OwnerId": ACCOUNT, "ResourceType": "VOLUME",
                "Volume": {"FileSystemId": ONTAP, "VolumeId": volume, "Name": "data", "VolumeType": "ONTAP",
                    "Lifecycle": "CREATED", "ResourceARN": volume_arn(volume)}
            })
        };
        match (region, operation.as_str()) {
            ("us-east-1", "DescribeFileSystems") => json(json!({"FileSystems": [
                {"OwnerId": ACCOUNT, "CreationTime": 1.7e9, "FileSystemId": ONTAP, "FileSystemType": "ONTAP",
                 "Lifecycle": "AVAILABLE", "StorageCapacity": 1024, "StorageType": "SSD",
                 "ResourceARN": format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/{ONTAP}"), "Tags": [],
                 "OntapConfiguration": {"AutomaticBackupRetentionDays": 30, "DailyAutomaticBackupStartTime": "04:00",
                    "DeploymentType": "MULTI_AZ_1", "ThroughputCapacity": 128}},
                {"OwnerId": ACCOUNT, "CreationTime": 1.7e9, "FileSystemId": "fs-0a1b2c3d4e5f6a002", "FileSystemType": "LUSTRE",
                 "Lifecycle": "AVAILABLE", "StorageCapacity": 1200, "StorageType": "SSD",
                 "ResourceARN": format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/fs-0a1b2c3d4e5f6a002"), "Tags": [],
                 "LustreConfiguration": {"DeploymentType": "SCRATCH_2", "MountName": "abcdefgh"}},
                {"OwnerId": ACCOUNT, "CreationTime": 1.7e9, "FileSystemId": "fs-0a1b2c3d4e5f6a003", "FileSystemType": "LUSTRE",
                 "Lifecycle": "AVAILABLE", "StorageCapacity": 1200, "StorageType": "SSD",
                 "ResourceARN": format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/fs-0a1b2c3d4e5f6a003"), "Tags": [],
                 "LustreConfiguration": {"DeploymentType": "PERSISTENT_1", "PerUnitStorageThroughput": 200,
                    "AutomaticBackupRetentionDays": 0, "CopyTagsToBackups": false,
                    "DataRepositoryConfiguration": {"Lifecycle": "AVAILABLE", "ImportPath": "s3://genomics-input/",
                        "ExportPath": "s3://genomics-input/FSxLustre20260110T120000Z", "ImportedFileChunkSize": 1024}}}
            ]})),
            ("us-east-1", "DescribeVolumes") => json(json!({"Volumes": [
                {"CreationTime": 1.7e9, "FileSystemId": ONTAP, "Lifecycle": "CREATED", "Name": "svm1_root",
                 "OntapConfiguration": {"StorageVirtualMachineRoot": true, "CopyTagsToBackups": false, "OntapVolumeType": "RW",
                    "StorageVirtualMachineId": "svm-0a1b2c3d4e5f60001", "JunctionPath": "/"},
                 "ResourceARN": volume_arn("fsvol-0a1b2c3d4e5f60000"), "VolumeId": "fsvol-0a1b2c3d4e5f60000", "VolumeType": "ONTAP"},
                {"CreationTime": 1.7e9, "FileSystemId": ONTAP, "Lifecycle": "CREATED", "Name": "data",
                 "OntapConfiguration": {"StorageVirtualMachineRoot": false, "CopyTagsToBackups": true, "OntapVolumeType": "RW",
                    "StorageVirtualMachineId": "svm-0a1b2c3d4e5f60001", "JunctionPath": "/data"},
                 "ResourceARN": volume_arn("fsvol-0a1b2c3d4e5f6000a"), "VolumeId": "fsvol-0a1b2c3d4e5f6000a", "VolumeType": "ONTAP"},
                {"CreationTime": 1.7e9, "FileSystemId": ONTAP, "Lifecycle": "CREATED", "Name": "logs",
                 "OntapConfiguration": {"StorageVirtualMachineRoot": false, "CopyTagsToBackups": true, "OntapVolumeType": "RW",
                    "StorageVirtualMachineId": "svm-0a1b2c3d4e5f60001", "JunctionPath": "/logs"},
                 "ResourceARN": volume_arn("fsvol-0a1b2c3d4e5f6000b"), "VolumeId": "fsvol-0a1b2c3d4e5f6000b", "VolumeType": "ONTAP"}
            ]})),
            ("us-east-1", "DescribeBackups") => json(json!({"Backups": [
                volume_backup("backup-0000000000000c001", "fsvol-0a1b2c3d4e5f6000a", 3.0),
                volume_backup("backup-0000000000000c002", "fsvol-0a1b2c3d4e5f6000b", 100.0)
            ]})),
            ("eu-west-4", "DescribeFileSystems") => json(json!({"FileSystems": [fsx_file_system("eu-west-4", FS)]})),
            ("eu-west-4", "DescribeBackups") => json(json!({"Backups": [
                fsx_backup("eu-west-4", "backup-0000000000000d001", FS, 2.0, KEY_1, None)
            ]})),
            (_, _) => http::Response::builder()
                .status(400)
                .header("content-type", "application/x-amz-json-1.1")
                .body(
                    json!({"__type": "BadRequest", "message": format!("unexpected {operation} in {region}")})
                        .to_string(),
                )
                .unwrap(),
        }
    })
}

#[test]
fn recorded_real_account_shapes_are_collected_and_judged_as_aws_defines_them() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let args = AwsArgs { regions: vec!["us-east-1".into(), "eu-west-4".into()], concurrency: 4, ..AwsArgs::default() };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let collection = runtime
        .block_on(live::collect_with(&config_with(recorded_real_account(Arc::clone(&calls))), &args, &BTreeSet::new()))
        .unwrap();
    let account = &collection.document["accounts"][0];
    assert_eq!(collection.failures, 0, "{}", account["errors"]);
    // Volumes are read where ONTAP lives, and only there.
    let calls = calls.lock().unwrap().clone();
    assert!(calls.iter().any(|c| c.contains("us-east-1") && c.ends_with("DescribeVolumes")), "{calls:?}");
    assert!(!calls.iter().any(|c| c.contains("eu-west-4") && c.ends_with("DescribeVolumes")), "{calls:?}");
    let regions = &account["regions"];
    assert_eq!(regions["us-east-1"]["Volumes"].as_array().unwrap().len(), 3);
    let backup = &regions["us-east-1"]["Backups"][0];
    assert_eq!(backup["ResourceType"], "VOLUME");
    assert_eq!(backup["Volume"]["FileSystemId"], "fs-0a1b2c3d4e5f6a001");
    assert!(backup.get("FileSystem").is_none());
    assert_eq!(
        regions["us-east-1"]["FileSystems"][2]["LustreConfiguration"]["DataRepositoryConfiguration"]["ImportPath"],
        "s3://genomics-input/"
    );
    assert_eq!(account["iam"]["Policies"][0]["Arn"], "arn:aws:iam::aws:policy/AmazonFSxFullAccess");

    let text = serde_json::to_string(&collection.document).unwrap();
    let inventory = source::load_texts(vec![("live".into(), Arc::new(text), SourceFormat::Json)]).unwrap();
    let policy = r#"
version: 1
new_regions: [eu-west-4]
rules:
  - id: RECENCY
    kind: backup-recency
    select: {file_system_types: [OPENZFS, LUSTRE, ONTAP]}
  - id: RETENTION
    kind: backup-retention
    select: {file_system_types: [OPENZFS, LUSTRE, ONTAP]}
    params: {require_copy_tags_to_backups: true}
  - id: DELETE
    kind: iam-permission
    select: {file_system_types: [ONTAP]}
    params: {action: fsx:DeleteBackup, only: true}
"#;
    let policies = policy::load_sources(vec![("p.yaml".into(), Arc::new(policy.to_string()), false)]).unwrap();
    let now = fsx_guard::inventory::Timestamp::parse_rfc3339("2026-11-25T06:00:00Z").unwrap();
    let report = engine::evaluate(&policies, &inventory, now);
    let verdict = |rule: &str, resource_suffix: &str| {
        report
            .results
            .iter()
            .find(|r| policies.rules[r.rule].id == rule && r.subject.id.ends_with(resource_suffix))
            .map(|r| (r.verdict, r.message.clone()))
    };
    // ONTAP: one volume's backup is 100 hours old, so the file system fails although the other
    // volume's is fresh.
    let (ontap, message) = verdict("RECENCY", "fs-0a1b2c3d4e5f6a001").unwrap();
    assert_eq!(ontap, Verdict::Fail, "{message}");
    assert!(message.contains("fsvol-0a1b2c3d4e5f6000b"), "{message}");
    assert_eq!(verdict("RETENTION", "fs-0a1b2c3d4e5f6a001").map(|v| v.0), Some(Verdict::Pass));
    for lustre in ["fs-0a1b2c3d4e5f6a002", "fs-0a1b2c3d4e5f6a003"] {
        assert_eq!(verdict("RECENCY", lustre).map(|v| v.0), Some(Verdict::NotApplicable), "{lustre}");
        assert_eq!(verdict("RETENTION", lustre).map(|v| v.0), Some(Verdict::NotApplicable), "{lustre}");
    }
    // The Region newer than the table is read and judged.
    assert_eq!(verdict("RECENCY", &format!("eu-west-4:{ACCOUNT}:file-system/{FS}")).map(|v| v.0), Some(Verdict::Pass));
    // The AWS managed policy grants DeleteBackup to the role and, through the group, the user.
    assert_eq!(verdict("DELETE", "role/fsx-operator").map(|v| v.0), Some(Verdict::Fail));
    assert_eq!(verdict("DELETE", "user/dana").map(|v| v.0), Some(Verdict::Fail));
}

/// A paginator that hands out a new token for ever: the call stops at `--max-pages`, is recorded
/// as failed, and the rest of the collection goes on.
#[test]
fn an_endless_paginator_stops_at_the_page_limit_and_is_recorded() {
    let pages = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&pages);
    let client = infallible_client_fn(move |request: http::Request<SdkBody>| {
        let host = request.uri().host().unwrap_or("").to_string();
        let target = request.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        if host.starts_with("sts.") {
            return caller_identity();
        }
        if host.starts_with("iam.") {
            return xml_response("<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated><UserDetailList/><GroupDetailList/><RoleDetailList/><Policies/></GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>".into());
        }
        if target.ends_with("DescribeBackups") {
            let mut n = counter.lock().unwrap();
            *n += 1;
            return json_response(200, json!({"Backups": [], "NextToken": format!("token-{n}")}));
        }
        json_response(200, json!({"FileSystems": []}))
    });
    let args = AwsArgs { regions: vec!["us-east-1".into()], max_pages: 5, ..AwsArgs::default() };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let collection = runtime.block_on(live::collect_with(&config_with(client), &args, &BTreeSet::new())).unwrap();
    let errors = collection.document["accounts"][0]["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["operation"], "DescribeBackups");
    assert!(errors[0]["message"].as_str().unwrap().contains("more than 5 pages"), "{errors:?}");
    assert_eq!(*pages.lock().unwrap(), 6, "the sixth page ends it");
    assert!(collection.document["accounts"][0]["regions"]["us-east-1"].get("Backups").is_none());
}
