//! Evidence monotonicity (issue 9): taking data away from an inventory never makes things look
//! better. For random inventory documents and a random deletion (a field of a file system or
//! backup, a Region's list, a whole Region, the IAM block), no `fail` or `error` becomes `pass`,
//! and a run that exited 1 or 3 never exits 0.
//!
//! The policies name their Regions (`select.regions`, destinations): an absent Region is "not
//! collected" for a rule that names it. A rule that names none cannot know that a Region it never
//! heard of existed (README, "When fsx-guard says error").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use fsx_guard::cli::FailOn;
use fsx_guard::engine::{self, Verdict};
use fsx_guard::inventory::{SourceFormat, Timestamp, source};
use fsx_guard::policy::{self, PolicySet};
use proptest::prelude::*;
use serde_json::{Value, json};

const ACCOUNT: &str = "111122223333";
const REGIONS: [&str; 2] = ["us-east-1", "us-west-2"];
const NOW: &str = "2026-11-25T06:00:00Z";

static POLICIES: LazyLock<PolicySet> = LazyLock::new(|| {
    let text = r#"
version: 1
rules:
  - id: RET
    kind: backup-retention
    select: {regions: [us-east-1, us-west-2], file_system_types: [OPENZFS, LUSTRE]}
    params: {min_days: 7, max_days: 35, require_copy_tags_to_backups: true, avoid_window: {start: "22:00", end: "02:00"}}
  - id: REC
    kind: backup-recency
    select: {regions: [us-east-1, us-west-2], file_system_types: [OPENZFS, LUSTRE]}
  - id: CRC
    kind: cross-region-copy
    select: {regions: [us-east-1]}
    params: {destinations: [us-west-2]}
  - id: KMS
    kind: copy-kms-consistency
    select: {regions: [us-east-1]}
    params: {destinations: [us-west-2]}
  - id: NAMES
    kind: backup-naming
    select: {regions: [us-east-1, us-west-2]}
  - id: IAM
    kind: iam-permission
    select: {regions: [us-east-1, us-west-2]}
    params: {action: fsx:DeleteBackup, must_allow: ["arn:aws:iam::111122223333:role/admin"], only: true}
"#;
    policy::load_sources(vec![("monotonicity.yaml".into(), Arc::new(text.to_string()), false)]).unwrap()
});

fn fs_id(n: usize) -> String {
    format!("fs-0a00000000000{n:04x}")
}

fn backup_id(region: usize, n: usize) -> String {
    format!("backup-0{region}{n:015x}")
}

prop_compose! {
    fn file_system()(
        retention in prop_oneof![Just(0i64), Just(3), Just(14), Just(60)],
        copy_tags in any::<bool>(),
        start in prop_oneof![Just("05:00"), Just("23:30")],
        lifecycle in prop_oneof![Just("AVAILABLE"), Just("AVAILABLE"), Just("CREATING"), Just("UPDATING")],
        lustre_scratch in prop::bool::weighted(0.2),
    ) -> (i64, bool, &'static str, &'static str, bool) {
        (retention, copy_tags, start, lifecycle, lustre_scratch)
    }
}

prop_compose! {
    /// (file system index, age in hours, available, named, copied to us-west-2 with key 1 or 2)
    fn backup()(
        fs in 0usize..3,
        age in prop_oneof![Just(2.0f64), Just(20.0), Just(30.0), Just(100.0)],
        available in prop::bool::weighted(0.85),
        named in any::<bool>(),
        copy in prop_oneof![Just(None), Just(Some(1u8)), Just(Some(2u8))],
    ) -> (usize, f64, bool, bool, Option<u8>) {
        (fs, age, available, named, copy)
    }
}

prop_compose! {
    fn inventory()(
        file_systems in prop::collection::vec(file_system(), 1..4),
        backups in prop::collection::vec(backup(), 0..8),
        extra_role_may_delete in any::<bool>(),
    ) -> Value {
        build(&file_systems, &backups, extra_role_may_delete)
    }
}

fn build(
    file_systems: &[(i64, bool, &str, &str, bool)],
    backups: &[(usize, f64, bool, bool, Option<u8>)],
    extra: bool,
) -> Value {
    let now = Timestamp::parse_rfc3339(NOW).unwrap().0 as f64 / 1000.0;
    let fs_json: Vec<Value> = file_systems
        .iter()
        .enumerate()
        .map(|(i, (retention, copy_tags, start, lifecycle, scratch))| {
            let settings = json!({"AutomaticBackupRetentionDays": retention, "CopyTagsToBackups": copy_tags,
                "DailyAutomaticBackupStartTime": start,
                "DeploymentType": if *scratch { "SCRATCH_2" } else { "PERSISTENT_2" }});
            let (kind, key) =
                if *scratch { ("LUSTRE", "LustreConfiguration") } else { ("OPENZFS", "OpenZFSConfiguration") };
            let mut fs = json!({"OwnerId": ACCOUNT, "CreationTime": now - 400.0 * 86400.0, "FileSystemId": fs_id(i),
                "FileSystemType": kind, "Lifecycle": lifecycle, "StorageType": "SSD",
                "ResourceARN": format!("arn:aws:fsx:us-east-1:{ACCOUNT}:file-system/{}", fs_id(i)),
                "Tags": [{"Key": "env", "Value": "prod"}]});
            fs[key] = settings;
            fs
        })
        .collect();
    let mut east = Vec::new();
    let mut west = Vec::new();
    for (n, (fs, age, available, named, copy)) in backups.iter().enumerate() {
        let fs = fs_id(*fs % file_systems.len());
        let id = backup_id(1, n);
        let tags = if *named { json!([{"Key": "Name", "Value": format!("pre-change-{n}")}]) } else { json!([]) };
        let backup = |region: &str, id: &str, key: u8, source: Option<&str>| {
            let mut b = json!({"BackupId": id, "Lifecycle": if *available { "AVAILABLE" } else { "FAILED" },
                "Type": if *named { "USER_INITIATED" } else { "AUTOMATIC" }, "CreationTime": now - age * 3600.0,
                "KmsKeyId": format!("arn:aws:kms:{region}:{ACCOUNT}:key/00000000-0000-4000-8000-00000000000{key}"),
                "ResourceARN": format!("arn:aws:fsx:{region}:{ACCOUNT}:backup/{id}"), "Tags": tags,
                "FileSystem": {"FileSystemId": fs, "FileSystemType": "OPENZFS", "OwnerId": ACCOUNT},
                "OwnerId": ACCOUNT, "ResourceType": "FILE_SYSTEM"});
            if let Some(source) = source {
                b["SourceBackupId"] = json!(source);
                b["SourceBackupRegion"] = json!("us-east-1");
            }
            b
        };
        east.push(backup("us-east-1", &id, 1, None));
        if let Some(key) = copy {
            west.push(backup("us-west-2", &backup_id(2, n), *key, Some(&id)));
        }
    }
    let allow = |name: &str, resource: &str| {
        json!({"RoleName": name, "Arn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "fsx:DeleteBackup", "Resource": resource}]}}],
            "AttachedManagedPolicies": [], "Tags": []})
    };
    let mut roles = vec![allow("admin", "*")];
    if extra {
        roles.push(allow("cleaner", &format!("arn:aws:fsx:us-west-2:{ACCOUNT}:backup/*")));
    }
    json!({"version": 1, "collected_at": NOW, "accounts": [{"account_id": ACCOUNT, "partition": "aws",
        "regions": {"us-east-1": {"FileSystems": fs_json, "Backups": east}, "us-west-2": {"FileSystems": [], "Backups": west}},
        "iam": {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles, "Policies": []},
        "errors": []}]})
}

/// Every place a deletion may happen: (JSON pointer of an object, key to remove).
fn deletions(document: &Value) -> Vec<(String, String)> {
    let mut places = vec![("/accounts/0".to_string(), "iam".to_string())];
    for region in REGIONS {
        places.push(("/accounts/0/regions".into(), region.into()));
        for list in ["FileSystems", "Backups"] {
            places.push((format!("/accounts/0/regions/{region}"), list.into()));
            let items = document.pointer(&format!("/accounts/0/regions/{region}/{list}")).and_then(Value::as_array);
            for (i, item) in items.into_iter().flatten().enumerate() {
                for key in item.as_object().into_iter().flat_map(|o| o.keys()) {
                    // Tags are evidence of absence when empty (AWS omits them), not missing data.
                    if key != "Tags" {
                        places.push((format!("/accounts/0/regions/{region}/{list}/{i}"), key.clone()));
                    }
                }
            }
        }
    }
    places
}

fn judge(document: &Value) -> (BTreeMap<(String, String), Verdict>, u8) {
    let inventory =
        source::load_texts(vec![("random.json".into(), Arc::new(document.to_string()), SourceFormat::Json)]).unwrap();
    let now = Timestamp::parse_rfc3339(NOW).unwrap();
    let report = engine::evaluate(&POLICIES, &inventory, now);
    let verdicts =
        report.results.iter().map(|r| ((POLICIES.rules[r.rule].id.clone(), r.subject.id.clone()), r.verdict)).collect();
    let mut code = fsx_guard::outcome(&report, &POLICIES, FailOn::Error).code();
    if report.results.is_empty() {
        code = 3;
    }
    (verdicts, code)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn deleting_data_never_turns_a_failure_or_an_error_into_a_pass(document in inventory(), pick in any::<prop::sample::Index>()) {
        let (before, before_code) = judge(&document);
        let places = deletions(&document);
        let (object, key) = pick.get(&places).clone();
        let mut after_document = document.clone();
        if let Some(map) = after_document.pointer_mut(&object).and_then(Value::as_object_mut) {
            map.remove(&key);
        }
        let (after, after_code) = judge(&after_document);
        for (result, verdict) in &before {
            if matches!(verdict, Verdict::Fail | Verdict::Error) {
                prop_assert_ne!(after.get(result), Some(&Verdict::Pass), "{:?} became pass after deleting {}/{}", result, object, key);
            }
        }
        if before_code != 0 {
            prop_assert_ne!(after_code, 0, "exit {} became 0 after deleting {}/{}", before_code, object, key);
        }
    }
}
