//! Live collection over the AWS SDK for Rust (SPEC §4): every AWS call fsx-guard makes is here.
//!
//! Collection writes an inventory *document* (the same JSON `fsx-guard collect` prints) and the
//! offline loader reads it back, so `check --live` and `collect` + `check --inventory` share one
//! conversion and give the same verdicts by construction. Every call is read-only (the list is
//! pinned by a test against `policies/fsx-guard-readonly-iam.json`); every failed call is recorded
//! in `errors` and collection goes on.

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;

use crate::cli::AwsArgs;
use crate::inventory::Timestamp;

/// Every AWS operation the collector calls (IAM action names). Nothing else is ever called.
pub const OPERATIONS: [&str; 6] = [
    "sts:GetCallerIdentity",
    "account:ListRegions",
    "fsx:DescribeFileSystems",
    "fsx:DescribeBackups",
    "fsx:DescribeVolumes",
    "iam:GetAccountAuthorizationDetails",
];

/// Why collection could not start at all (exit code 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LiveError {
    #[error("no AWS Region to collect")]
    #[diagnostic(
        code(fsx_guard::no_region),
        help(
            "give one with `--region us-east-1` (repeatable), set AWS_REGION or a profile's `region`, or name Regions in the policies (`select.regions`, `destinations`, `keys`); fsx-guard never falls back to a Region of its own"
        )
    )]
    NoRegion,

    #[error("no AWS credentials: {reason}")]
    #[diagnostic(
        code(fsx_guard::no_credentials),
        help(
            "provide credentials the standard way: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), `--profile NAME` with ~/.aws/config, `aws sso login`, web identity, or an instance role; the permissions needed are in policies/fsx-guard-readonly-iam.json"
        )
    )]
    NoCredentials { reason: String },

    #[error("cannot reach AWS: sts:GetCallerIdentity failed: {reason}")]
    #[diagnostic(
        code(fsx_guard::unreachable),
        help("check the network, `--endpoint-url` and the credentials; nothing could be read")
    )]
    Unreachable { reason: String },

    #[error("`--region {0}` is not a known Region")]
    #[diagnostic(code(fsx_guard::unknown_region))]
    UnknownRegion(String),

    #[error("`--region all`: account:ListRegions failed: {reason}")]
    #[diagnostic(
        code(fsx_guard::region_all),
        help("allow account:ListRegions (policies/fsx-guard-readonly-iam.json), or name the Regions with `--region`")
    )]
    AllRegions { reason: String },

    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// What collection produced: the inventory document and whether every call succeeded.
/// Requests made, per operation (`fsx:DescribeBackups`: one per page), for the collector record.
#[derive(Debug, Clone, Default)]
struct Calls(Arc<std::sync::Mutex<std::collections::BTreeMap<&'static str, u64>>>);

impl Calls {
    fn add(&self, operation: &'static str) {
        if let Ok(mut map) = self.0.lock() {
            *map.entry(operation).or_default() += 1;
        }
    }

    fn to_json(&self) -> Value {
        let map = self.0.lock().map(|m| m.clone()).unwrap_or_default();
        Value::Object(map.into_iter().map(|(k, v)| (k.to_string(), Value::from(v))).collect())
    }
}

pub struct Collection {
    pub document: Value,
    pub started: Timestamp,
    pub failures: usize,
    pub reads: usize,
}

/// A paginator that hands out a new token for ever would never end: past `--max-pages` pages
/// (default 100,000, far past any real account) the call fails and is recorded.
fn too_many_pages(pages: usize, max_pages: usize) -> Result<(), String> {
    if pages > max_pages {
        Err(format!("more than {max_pages} pages (--max-pages): the paginator did not end, so the list is incomplete"))
    } else {
        Ok(())
    }
}

/// Collects an inventory: blocking wrapper around the async collector.
pub fn collect(args: &AwsArgs, policy_regions: &BTreeSet<String>) -> Result<Collection, LiveError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.concurrency.clamp(1, 8))
        .enable_all()
        .build()
        .map_err(|e| LiveError::Runtime(e.to_string()))?;
    runtime.block_on(collect_async(args, policy_regions))
}

fn error_text(e: &impl std::error::Error) -> String {
    DisplayErrorContext(e).to_string()
}

/// One failed call, as the inventory's `errors` records it.
fn failure(region: Option<&str>, service: &str, operation: &str, message: String) -> Value {
    json!({"region": region, "service": service, "operation": operation, "message": message})
}

async fn collect_async(args: &AwsArgs, policy_regions: &BTreeSet<String>) -> Result<Collection, LiveError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    // Every call has bounds: an endpoint that accepts the connection and never answers fails
    // the call (recorded in `errors`), never hangs the run.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(args.connect_timeout))
        .read_timeout(std::time::Duration::from_secs(args.read_timeout))
        .operation_attempt_timeout(std::time::Duration::from_secs(
            args.read_timeout.saturating_add(args.connect_timeout),
        ))
        .build();
    let config = loader.timeout_config(timeouts).load().await;
    collect_with(&config, args, policy_regions).await
}

/// Collects with a given `SdkConfig` (the standard chain's, or a test's with a recorded-response
/// HTTP client).
pub async fn collect_with(
    config: &aws_config::SdkConfig,
    args: &AwsArgs,
    policy_regions: &BTreeSet<String>,
) -> Result<Collection, LiveError> {
    let started = Timestamp::now();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(args.deadline);
    let max_pages = usize::try_from(args.max_pages).unwrap_or(usize::MAX);

    // Regions: --region, else the policies' plus the configured default. Never a fallback.
    let mut regions: BTreeSet<String> = BTreeSet::new();
    if args.regions.is_empty() {
        regions.extend(policy_regions.iter().cloned());
        if let Some(region) = config.region() {
            regions.insert(region.to_string());
        }
    } else {
        regions.extend(args.regions.iter().filter(|r| *r != "all").cloned());
    }
    let all = args.regions.iter().any(|r| r == "all");
    for region in &regions {
        if crate::regions::intern(region).is_none() {
            return Err(LiveError::UnknownRegion(region.clone()));
        }
    }
    let home = match regions.iter().next() {
        Some(home) => home.clone(),
        None if all => config.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".to_string()),
        None => return Err(LiveError::NoRegion),
    };

    // Who we are: the account and the partition.
    let sts_config = aws_sdk_sts::config::Builder::from(config)
        .region(config.region().cloned().or_else(|| Some(aws_config::Region::new(home.clone()))))
        .build();
    let calls = Calls::default();
    calls.add("sts:GetCallerIdentity");
    let caller = aws_sdk_sts::Client::from_conf(sts_config).get_caller_identity().send();
    let Ok(answer) = tokio::time::timeout_at(deadline, caller).await else {
        return Err(LiveError::Unreachable {
            reason: format!(
                "sts:GetCallerIdentity did not answer within the collection deadline (--deadline {}s)",
                args.deadline
            ),
        });
    };
    let identity = match answer {
        Ok(identity) => identity,
        Err(e) => {
            let reason = error_text(&e);
            let lower = reason.to_ascii_lowercase();
            return Err(if lower.contains("credential") || lower.contains("no provider") {
                LiveError::NoCredentials { reason }
            } else {
                LiveError::Unreachable { reason }
            });
        }
    };
    let account = identity.account().unwrap_or_default().to_string();
    let partition = identity
        .arn()
        .and_then(|arn| crate::arn::parse(arn).ok().map(|a| a.partition.as_str().to_string()))
        .unwrap_or_else(|| "aws".to_string());

    if all {
        // Every Region enabled for the account.
        let account_config =
            aws_sdk_account::config::Builder::from(config).region(aws_config::Region::new(home.clone())).build();
        let client = aws_sdk_account::Client::from_conf(account_config);
        let listed = tokio::time::timeout_at(deadline, enabled_regions(&client, max_pages, &calls))
            .await
            .unwrap_or_else(|_| Err("account:ListRegions did not answer within the collection deadline".to_string()));
        for region in listed.map_err(|reason| LiveError::AllRegions { reason })? {
            // A Region newer than the built-in table is read like any other.
            if crate::regions::intern(&region).is_some() {
                regions.insert(region);
            }
        }
    }

    let semaphore = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let tasks_total = regions.len() * 2 + 1;
    // Progress on stderr when it is a terminal (indicatif draws nothing otherwise).
    let progress =
        indicatif::ProgressBar::with_draw_target(Some(tasks_total as u64), indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} collecting {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut tasks = tokio::task::JoinSet::new();
    let mut clients = std::collections::BTreeMap::new();
    // What is still running, so that calls cut off by the deadline are recorded as failed.
    let mut pending: BTreeSet<(String, &'static str)> = BTreeSet::new();
    let spawn_fsx = |tasks: &mut tokio::task::JoinSet<Part>,
                     pending: &mut BTreeSet<(String, &'static str)>,
                     client: &aws_sdk_fsx::Client,
                     region: &str,
                     operation: &'static str| {
        pending.insert((region.to_string(), operation));
        let (client, region, semaphore) = (client.clone(), region.to_string(), Arc::clone(&semaphore));
        let calls = calls.clone();
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await.ok();
            let result = match operation {
                "DescribeFileSystems" => describe_file_systems(&client, max_pages, &calls).await,
                "DescribeVolumes" => describe_volumes(&client, max_pages, &calls).await,
                _ => describe_backups(&client, max_pages, &calls).await,
            };
            Part::Fsx { region, operation, result }
        });
    };
    for region in &regions {
        let fsx_config =
            aws_sdk_fsx::config::Builder::from(config).region(aws_config::Region::new(region.clone())).build();
        let client = aws_sdk_fsx::Client::from_conf(fsx_config);
        for operation in ["DescribeFileSystems", "DescribeBackups"] {
            spawn_fsx(&mut tasks, &mut pending, &client, region, operation);
        }
        clients.insert(region.clone(), client);
    }
    {
        let iam_region = if partition == "aws" { "us-east-1".to_string() } else { home.clone() };
        let iam_config = aws_sdk_iam::config::Builder::from(config).region(aws_config::Region::new(iam_region)).build();
        let client = aws_sdk_iam::Client::from_conf(iam_config);
        let semaphore = Arc::clone(&semaphore);
        let calls = calls.clone();
        pending.insert((String::new(), "GetAccountAuthorizationDetails"));
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await.ok();
            Part::Iam(authorization_details(&client, max_pages, &calls).await)
        });
    }

    let mut region_docs: Map<String, Value> = regions.iter().map(|r| (r.clone(), Value::Object(Map::new()))).collect();
    let mut errors = Vec::new();
    let mut iam = None;
    let mut reads = 0usize;
    loop {
        let joined = match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Ok(Some(joined)) => joined,
            Ok(None) => break,
            Err(_) => {
                // The whole collection's deadline: what has not answered is recorded as failed.
                tasks.abort_all();
                for (region, operation) in std::mem::take(&mut pending) {
                    let (region, service) = if region.is_empty() { (None, "iam") } else { (Some(region), "fsx") };
                    let message =
                        format!("not finished within the collection deadline (--deadline {}s)", args.deadline);
                    errors.push(failure(region.as_deref(), service, operation, message));
                }
                break;
            }
        };
        progress.inc(1);
        let part = match joined {
            Ok(part) => part,
            Err(e) => {
                errors.push(failure(None, "fsx-guard", "collect", format!("a collection task failed: {e}")));
                continue;
            }
        };
        match part {
            Part::Fsx { region, operation, result } => match (pending.remove(&(region.clone(), operation)), result) {
                (_, Ok(items)) => {
                    reads += 1;
                    // ONTAP backs up volumes, and `CopyTagsToBackups` is a volume setting there:
                    // read the volumes of every Region that has an ONTAP file system.
                    let ontap =
                        items.iter().any(|fs| fs.get("FileSystemType").and_then(Value::as_str) == Some("ONTAP"));
                    if operation == "DescribeFileSystems"
                        && ontap
                        && let Some(client) = clients.get(&region)
                    {
                        spawn_fsx(&mut tasks, &mut pending, client, &region, "DescribeVolumes");
                        progress.inc_length(1);
                    }
                    let key = match operation {
                        "DescribeFileSystems" => "FileSystems",
                        "DescribeVolumes" => "Volumes",
                        _ => "Backups",
                    };
                    if let Some(Value::Object(doc)) = region_docs.get_mut(&region) {
                        doc.insert(key.to_string(), Value::Array(items));
                    }
                }
                (_, Err(message)) => errors.push(failure(Some(&region), "fsx", operation, message)),
            },
            Part::Iam(result) => match (pending.remove(&(String::new(), "GetAccountAuthorizationDetails")), result) {
                (_, Ok(details)) => {
                    reads += 1;
                    iam = Some(details);
                }
                (_, Err(message)) => errors.push(failure(None, "iam", "GetAccountAuthorizationDetails", message)),
            },
        }
    }
    progress.finish_and_clear();
    let failures = errors.len();
    let mut account_doc =
        json!({"account_id": account, "partition": partition, "regions": region_docs, "errors": errors});
    if let (Some(iam), Some(map)) = (iam, account_doc.as_object_mut()) {
        map.insert("iam".into(), iam);
    }
    // Who collected, with what, where and how many requests: audit evidence (SPEC §4, §6).
    let collector = json!({
        "tool": "fsx-guard",
        "version": env!("CARGO_PKG_VERSION"),
        "caller": {
            "account": identity.account(),
            "arn": identity.arn(),
            "user_id": identity.user_id(),
        },
        "regions": regions.iter().collect::<Vec<_>>(),
        "calls": calls.to_json(),
        "started_at": started.to_string(),
        "finished_at": Timestamp::now().to_string(),
    });
    let document =
        json!({"version": 1, "collected_at": started.to_string(), "collector": collector, "accounts": [account_doc]});
    Ok(Collection { document, started, failures, reads })
}

/// Regions the account has enabled (opted in, or enabled by default), all pages.
async fn enabled_regions(
    client: &aws_sdk_account::Client,
    max_pages: usize,
    calls: &Calls,
) -> Result<Vec<String>, String> {
    use aws_sdk_account::types::RegionOptStatus;
    let mut regions = Vec::new();
    let mut pages = client
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send();
    let mut count = 0usize;
    while let Some(page) = pages.next().await {
        calls.add("account:ListRegions");
        count += 1;
        too_many_pages(count, max_pages)?;
        let page = page.map_err(|e| error_text(&e))?;
        regions.extend(page.regions().iter().filter_map(|r| r.region_name().map(str::to_string)));
    }
    Ok(regions)
}

enum Part {
    Fsx { region: String, operation: &'static str, result: Result<Vec<Value>, String> },
    Iam(Result<Value, String>),
}

// The SDK fills a required member that a response lacks with a default (smithy's client error
// correction: "" for strings and enums, the epoch for timestamps, an empty structure): those
// defaults are written as absent, so the loader sees a missing field, never a made-up value.

fn time(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.filter(|t| t.secs() != 0 || t.subsec_nanos() != 0)
        .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
        .map_or(Value::Null, Value::String)
}

fn text(s: Option<&str>) -> Value {
    s.filter(|s| !s.is_empty()).map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// An object, or absent when the SDK made it up empty.
fn nested(value: Option<Value>) -> Value {
    value.filter(|v| v.as_object().is_none_or(|m| !m.is_empty())).unwrap_or(Value::Null)
}

/// Drops null members, as the AWS CLI does.
fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(pairs.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_string(), v)).collect())
}

fn fsx_tags(tags: &[aws_sdk_fsx::types::Tag]) -> Value {
    Value::Array(tags.iter().map(|t| json!({"Key": t.key(), "Value": t.value()})).collect())
}

fn backup_settings(days: Option<i32>, copy_tags: Option<bool>, start: Option<&str>, deployment: Option<&str>) -> Value {
    object(vec![
        ("AutomaticBackupRetentionDays", days.map_or(Value::Null, Value::from)),
        ("CopyTagsToBackups", copy_tags.map_or(Value::Null, Value::from)),
        ("DailyAutomaticBackupStartTime", text(start)),
        ("DeploymentType", text(deployment)),
    ])
}

/// Lustre's legacy S3 link (a file system linked this way cannot be backed up).
fn data_repository(c: &aws_sdk_fsx::types::DataRepositoryConfiguration) -> Value {
    object(vec![
        ("ImportPath", text(c.import_path())),
        ("ExportPath", text(c.export_path())),
        ("Lifecycle", text(c.lifecycle().map(|l| l.as_str()))),
    ])
}

/// A `FileSystem` in the AWS CLI's shape (the fields fsx-guard reads).
pub fn file_system_json(fs: &aws_sdk_fsx::types::FileSystem) -> Value {
    let openzfs = fs.open_zfs_configuration().map(|c| {
        backup_settings(
            c.automatic_backup_retention_days(),
            c.copy_tags_to_backups(),
            c.daily_automatic_backup_start_time(),
            c.deployment_type().map(|d| d.as_str()),
        )
    });
    let windows = fs.windows_configuration().map(|c| {
        backup_settings(
            c.automatic_backup_retention_days(),
            c.copy_tags_to_backups(),
            c.daily_automatic_backup_start_time(),
            c.deployment_type().map(|d| d.as_str()),
        )
    });
    let lustre = fs.lustre_configuration().map(|c| {
        let mut settings = backup_settings(
            c.automatic_backup_retention_days(),
            c.copy_tags_to_backups(),
            c.daily_automatic_backup_start_time(),
            c.deployment_type().map(|d| d.as_str()),
        );
        if let (Some(link), Value::Object(map)) = (c.data_repository_configuration(), &mut settings) {
            map.insert("DataRepositoryConfiguration".into(), data_repository(link));
        }
        settings
    });
    let ontap = fs.ontap_configuration().map(|c| {
        backup_settings(
            c.automatic_backup_retention_days(),
            None,
            c.daily_automatic_backup_start_time(),
            c.deployment_type().map(|d| d.as_str()),
        )
    });
    object(vec![
        ("OwnerId", text(fs.owner_id())),
        ("CreationTime", time(fs.creation_time())),
        ("FileSystemId", text(fs.file_system_id())),
        ("FileSystemType", text(fs.file_system_type().map(|t| t.as_str()))),
        ("Lifecycle", text(fs.lifecycle().map(|l| l.as_str()))),
        ("StorageType", text(fs.storage_type().map(|t| t.as_str()))),
        ("KmsKeyId", text(fs.kms_key_id())),
        ("ResourceARN", text(fs.resource_arn())),
        ("Tags", fsx_tags(fs.tags())),
        ("OpenZFSConfiguration", openzfs.unwrap_or(Value::Null)),
        ("WindowsConfiguration", windows.unwrap_or(Value::Null)),
        ("LustreConfiguration", lustre.unwrap_or(Value::Null)),
        ("OntapConfiguration", ontap.unwrap_or(Value::Null)),
    ])
}

/// A `Backup` in the AWS CLI's shape (the fields fsx-guard reads).
pub fn backup_json(b: &aws_sdk_fsx::types::Backup) -> Value {
    let volume =
        b.volume().map(|v| object(vec![("FileSystemId", text(v.file_system_id())), ("VolumeId", text(v.volume_id()))]));
    let file_system = b.file_system().map(|fs| {
        object(vec![
            ("FileSystemId", text(fs.file_system_id())),
            ("FileSystemType", text(fs.file_system_type().map(|t| t.as_str()))),
            ("OwnerId", text(fs.owner_id())),
            ("StorageType", text(fs.storage_type().map(|t| t.as_str()))),
            ("ResourceARN", text(fs.resource_arn())),
        ])
    });
    object(vec![
        ("BackupId", text(b.backup_id())),
        ("Lifecycle", text(b.lifecycle().map(|l| l.as_str()))),
        ("Type", text(b.r#type().map(|t| t.as_str()))),
        ("CreationTime", time(b.creation_time())),
        ("KmsKeyId", text(b.kms_key_id())),
        ("ResourceARN", text(b.resource_arn())),
        ("Tags", fsx_tags(b.tags())),
        ("FileSystem", nested(file_system)),
        ("OwnerId", text(b.owner_id())),
        ("SourceBackupId", text(b.source_backup_id())),
        ("SourceBackupRegion", text(b.source_backup_region())),
        ("ResourceType", text(b.resource_type().map(|t| t.as_str()))),
        ("Volume", nested(volume)),
    ])
}

/// A `Volume` in the AWS CLI's shape (the fields fsx-guard reads).
pub fn volume_json(v: &aws_sdk_fsx::types::Volume) -> Value {
    let ontap = v.ontap_configuration().map(|c| {
        object(vec![
            ("StorageVirtualMachineRoot", c.storage_virtual_machine_root().map_or(Value::Null, Value::from)),
            ("CopyTagsToBackups", c.copy_tags_to_backups().map_or(Value::Null, Value::from)),
            ("OntapVolumeType", text(c.ontap_volume_type().map(|t| t.as_str()))),
            ("StorageVirtualMachineId", text(c.storage_virtual_machine_id())),
        ])
    });
    object(vec![
        ("VolumeId", text(v.volume_id())),
        ("FileSystemId", text(v.file_system_id())),
        ("Lifecycle", text(v.lifecycle().map(|l| l.as_str()))),
        ("Name", text(v.name())),
        ("VolumeType", text(v.volume_type().map(|t| t.as_str()))),
        ("ResourceARN", text(v.resource_arn())),
        ("CreationTime", time(v.creation_time())),
        ("Tags", fsx_tags(v.tags())),
        ("OntapConfiguration", ontap.unwrap_or(Value::Null)),
    ])
}

/// Fails the whole list when any item lacks a field AWS always returns: a partial list would let
/// rules pass on what they cannot see.
fn require(items: &[Value], fields: &[&str], what: &str) -> Result<(), String> {
    let id_field = fields.first().copied().unwrap_or("");
    let broken: Vec<String> = items
        .iter()
        .filter_map(|item| {
            let missing: Vec<&str> =
                fields.iter().copied().filter(|f| item.pointer(f).is_none_or(Value::is_null)).collect();
            (!missing.is_empty()).then(|| {
                let id = item.pointer(id_field).and_then(Value::as_str).unwrap_or("?");
                format!("{id} lacks {}", missing.join(", "))
            })
        })
        .collect();
    if broken.is_empty() {
        return Ok(());
    }
    let shown: Vec<&String> = broken.iter().take(3).collect();
    Err(format!(
        "malformed response: {} of {} {what} lack fields AWS always returns ({}{})",
        broken.len(),
        items.len(),
        shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; "),
        if broken.len() > 3 { "; ..." } else { "" }
    ))
}

async fn describe_file_systems(
    client: &aws_sdk_fsx::Client,
    max_pages: usize,
    calls: &Calls,
) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut pages = client.describe_file_systems().into_paginator().send();
    let mut count = 0usize;
    while let Some(page) = pages.next().await {
        calls.add("fsx:DescribeFileSystems");
        count += 1;
        too_many_pages(count, max_pages)?;
        let page = page.map_err(|e| error_text(&e))?;
        items.extend(page.file_systems().iter().map(file_system_json));
    }
    require(&items, &["/FileSystemId", "/FileSystemType", "/ResourceARN"], "file systems")?;
    Ok(items)
}

async fn describe_backups(client: &aws_sdk_fsx::Client, max_pages: usize, calls: &Calls) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut pages = client.describe_backups().into_paginator().send();
    let mut count = 0usize;
    while let Some(page) = pages.next().await {
        calls.add("fsx:DescribeBackups");
        count += 1;
        too_many_pages(count, max_pages)?;
        let page = page.map_err(|e| error_text(&e))?;
        items.extend(page.backups().iter().map(backup_json));
    }
    require(&items, &["/BackupId", "/Lifecycle", "/Type", "/CreationTime", "/ResourceARN"], "backups")?;
    // The file system: `FileSystem.FileSystemId`, or for an ONTAP volume backup (`ResourceType:
    // VOLUME`, which carries no `FileSystem`) `Volume.FileSystemId`.
    let without_file_system: Vec<Value> = items
        .iter()
        .filter(|b| {
            b.pointer("/FileSystem/FileSystemId").is_none_or(Value::is_null)
                && b.pointer("/Volume/FileSystemId").is_none_or(Value::is_null)
        })
        .cloned()
        .collect();
    require(&without_file_system, &["/BackupId", "/FileSystem/FileSystemId"], "backups")?;
    Ok(items)
}

async fn describe_volumes(client: &aws_sdk_fsx::Client, max_pages: usize, calls: &Calls) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut pages = client.describe_volumes().into_paginator().send();
    let mut count = 0usize;
    while let Some(page) = pages.next().await {
        calls.add("fsx:DescribeVolumes");
        count += 1;
        too_many_pages(count, max_pages)?;
        let page = page.map_err(|e| error_text(&e))?;
        items.extend(page.volumes().iter().map(volume_json));
    }
    require(&items, &["/VolumeId", "/FileSystemId", "/ResourceARN"], "volumes")?;
    Ok(items)
}

fn iam_tags(tags: &[aws_sdk_iam::types::Tag]) -> Value {
    Value::Array(tags.iter().map(|t| json!({"Key": t.key(), "Value": t.value()})).collect())
}

fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Value {
    // Documents arrive URL-encoded from the SDK; the loader decodes them.
    Value::Array(
        list.iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()})).collect(),
    )
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Value {
    Value::Array(list.iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()})).collect())
}

fn boundary(b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>) -> Value {
    b.map_or(Value::Null, |b| {
        json!({"PermissionsBoundaryType": b.permissions_boundary_type().map(|t| t.as_str()), "PermissionsBoundaryArn": b.permissions_boundary_arn()})
    })
}

async fn authorization_details(client: &aws_sdk_iam::Client, max_pages: usize, calls: &Calls) -> Result<Value, String> {
    let (mut users, mut groups, mut roles, mut policies) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut pages = client.get_account_authorization_details().into_paginator().send();
    let mut count = 0usize;
    while let Some(page) = pages.next().await {
        calls.add("iam:GetAccountAuthorizationDetails");
        count += 1;
        too_many_pages(count, max_pages)?;
        let page = page.map_err(|e| error_text(&e))?;
        for u in page.user_detail_list() {
            users.push(object(vec![
                ("UserName", text(u.user_name())),
                ("Arn", text(u.arn())),
                ("Path", text(u.path())),
                ("UserPolicyList", inline(u.user_policy_list())),
                ("GroupList", json!(u.group_list())),
                ("AttachedManagedPolicies", attached(u.attached_managed_policies())),
                ("PermissionsBoundary", boundary(u.permissions_boundary())),
                ("Tags", iam_tags(u.tags())),
            ]));
        }
        for g in page.group_detail_list() {
            groups.push(object(vec![
                ("GroupName", text(g.group_name())),
                ("Arn", text(g.arn())),
                ("GroupPolicyList", inline(g.group_policy_list())),
                ("AttachedManagedPolicies", attached(g.attached_managed_policies())),
            ]));
        }
        for r in page.role_detail_list() {
            roles.push(object(vec![
                ("RoleName", text(r.role_name())),
                ("Arn", text(r.arn())),
                ("Path", text(r.path())),
                ("RolePolicyList", inline(r.role_policy_list())),
                ("AttachedManagedPolicies", attached(r.attached_managed_policies())),
                ("PermissionsBoundary", boundary(r.permissions_boundary())),
                ("Tags", iam_tags(r.tags())),
            ]));
        }
        for p in page.policies() {
            let versions: Vec<Value> = p
                .policy_version_list()
                .iter()
                .map(|v| json!({"Document": v.document(), "VersionId": v.version_id(), "IsDefaultVersion": v.is_default_version()}))
                .collect();
            policies.push(object(vec![
                ("PolicyName", text(p.policy_name())),
                ("Arn", text(p.arn())),
                ("DefaultVersionId", text(p.default_version_id())),
                ("PolicyVersionList", Value::Array(versions)),
            ]));
        }
    }
    Ok(json!({"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}))
}
