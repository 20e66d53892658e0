//! Loading inventories from files: the inventory document and raw AWS CLI output, JSON or YAML.
//!
//! Each file is deserialised straight into typed structs (no generic JSON tree), converted into
//! the model with every problem recorded at its JSON pointer, then merged. Problems are turned
//! into one diagnostic per file only when there are some, so the happy path never computes a
//! position.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::iam::{Iam, RawGroup, RawManagedPolicy, RawRole, RawUser};
use super::model::{
    Backup, BackupSettings, CollectionError, FileSystem, Origin, RawBackup, RawFileSystem, RawVolume, Timestamp,
    Volume, tags_from,
};
use super::{Account, DataKind, Inventory, SourceFile, SourceFormat, Unreadable};
use crate::arn;
use crate::diag::{self, FileDiagnostic, Problem};
use crate::regions::{self, Partition};
use crate::span::{self, ByteSpan};

/// Warnings about one file printed in full; the rest are counted.
const MAX_ISSUES_SHOWN: usize = 20;

/// YAML inventories are for small hand-written fixtures.
const YAML_LIMIT: u64 = 64 * 1024 * 1024;
/// JSON inventories may be large, but not larger than memory can sensibly hold.
const JSON_LIMIT: u64 = 8 * 1024 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct IamLists {
    #[serde(default)]
    user_detail_list: Vec<RawUser>,
    #[serde(default)]
    group_detail_list: Vec<RawGroup>,
    #[serde(default)]
    role_detail_list: Vec<RawRole>,
    #[serde(default)]
    policies: Vec<RawManagedPolicy>,
}

#[derive(Default)]
struct InputFile {
    version: Option<u64>,
    collected_at: Option<Timestamp>,
    accounts: Option<Vec<AccountDocument>>,
    file_systems: Option<Vec<RawFileSystem>>,
    backups: Option<Vec<RawBackup>>,
    volumes: Option<Vec<RawVolume>>,
    users: Option<Vec<RawUser>>,
    groups: Option<Vec<RawGroup>>,
    roles: Option<Vec<RawRole>>,
    policies: Option<Vec<RawManagedPolicy>>,
    /// Top-level keys fsx-guard does not read: AWS adds some to raw output (`NextToken`,
    /// `IsTruncated`), but in an inventory document each is a typo (`acounts`) that would
    /// otherwise leave the run judging nothing.
    unknown_keys: Vec<String>,
}

/// The top-level keys fsx-guard reads.
const TOP_LEVEL_KEYS: [&str; 10] = [
    "version",
    "collected_at",
    "accounts",
    "FileSystems",
    "Backups",
    "Volumes",
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

impl<'de> Deserialize<'de> for InputFile {
    /// By hand, in one pass, to keep the names of unknown keys (serde's `flatten` would buffer
    /// the whole file) and to refuse a key given twice.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = InputFile;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an inventory document or AWS CLI output (a JSON object)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<InputFile, A::Error> {
                fn set<'de, A: serde::de::MapAccess<'de>, T: Deserialize<'de>>(
                    map: &mut A,
                    slot: &mut Option<T>,
                    key: &str,
                ) -> Result<(), A::Error> {
                    if slot.is_some() {
                        return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
                    }
                    *slot = Some(map.next_value()?);
                    Ok(())
                }
                let mut file = InputFile::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "version" => set(&mut map, &mut file.version, &key)?,
                        "collected_at" => set(&mut map, &mut file.collected_at, &key)?,
                        "accounts" => set(&mut map, &mut file.accounts, &key)?,
                        "FileSystems" => set(&mut map, &mut file.file_systems, &key)?,
                        "Backups" => set(&mut map, &mut file.backups, &key)?,
                        "Volumes" => set(&mut map, &mut file.volumes, &key)?,
                        "UserDetailList" => set(&mut map, &mut file.users, &key)?,
                        "GroupDetailList" => set(&mut map, &mut file.groups, &key)?,
                        "RoleDetailList" => set(&mut map, &mut file.roles, &key)?,
                        "Policies" => set(&mut map, &mut file.policies, &key)?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            if file.unknown_keys.contains(&key) {
                                return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
                            }
                            file.unknown_keys.push(key);
                        }
                    }
                }
                Ok(file)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountDocument {
    account_id: String,
    partition: Option<String>,
    #[serde(default, deserialize_with = "unique_keys")]
    regions: BTreeMap<String, RegionDocument>,
    iam: Option<IamLists>,
    #[serde(default)]
    errors: Vec<CollectionError>,
}

/// A Region block of fsx-guard's own document format: an unknown key (`Filesystems`) is a typo
/// that would make the list look uncollected, so it is an input error naming the keys allowed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionDocument {
    #[serde(rename = "FileSystems")]
    file_systems: Option<Vec<RawFileSystem>>,
    #[serde(rename = "Backups")]
    backups: Option<Vec<RawBackup>>,
    #[serde(rename = "Volumes")]
    volumes: Option<Vec<RawVolume>>,
}

/// A map whose keys must be unique: a Region key twice in one object is an input error, never
/// "the second replaces the first".
fn unique_keys<'de, D, V>(deserializer: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Visitor<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map with unique keys")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Visitor(std::marker::PhantomData))
}

/// Where a resource must belong, when its container says so (document form).
#[derive(Clone, Copy)]
struct Placement<'a> {
    account: &'a str,
    region: &'static str,
    partition: Partition,
}

/// Where a resource was placed: its ARN, account, Region and partition.
struct Placed {
    arn: String,
    account: String,
    region: &'static str,
    partition: Partition,
}

/// What a resource says about itself, for placing it.
struct Claimed<'r> {
    arn: Option<&'r str>,
    /// `file-system`, `backup` or `volume`, as in the ARN.
    resource_type: &'r str,
    id: Option<&'r str>,
    owner: Option<&'r str>,
    /// Set when the lenient re-read replaced the resource: why.
    unreadable: Option<&'r str>,
}

/// Where a resource that could not be placed probably belongs, for the results it taints.
#[derive(Default)]
struct Whereabouts {
    account: Option<String>,
    region: Option<&'static str>,
}

/// Loads and merges inventory files.
pub fn load(paths: &[PathBuf]) -> Result<Inventory, crate::Error> {
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let display = display_path(path);
        let yaml = is_yaml(path);
        let (limit, limit_text) = if yaml {
            (YAML_LIMIT, "YAML inventories are limited to 64 MiB: save large inventories as JSON")
        } else {
            (JSON_LIMIT, "JSON inventories are limited to 8 GiB")
        };
        let text = diag::read_text(path, &display, limit, limit_text)?;
        texts.push((display, text, if yaml { SourceFormat::Yaml } else { SourceFormat::Json }));
    }
    load_texts(texts)
}

/// Loads and merges inventories already in memory: (name, text, format).
pub fn load_texts(texts: Vec<(String, Arc<String>, SourceFormat)>) -> Result<Inventory, crate::Error> {
    let mut inventory = Inventory::default();
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut first_seen: HashMap<String, Seen> = HashMap::new();
    let mut diagnostics = Vec::new();

    for (display, text, format) in texts {
        let source = inventory.sources.len();
        inventory.sources.push(SourceFile { path: display.clone(), text: Arc::clone(&text), format });
        let parsed = match format {
            SourceFormat::Yaml => parse_yaml(&text),
            SourceFormat::Json => parse_json(&text),
        };
        let file = match parsed {
            Ok(file) => file,
            Err((message, offset)) => {
                diagnostics.push(FileDiagnostic::single(
                    &display,
                    &text,
                    format!("inventory `{display}` cannot be parsed: {message}"),
                    ByteSpan::new(offset, offset),
                    &message,
                    Some("an inventory is an inventory document or the JSON output of `aws fsx describe-file-systems`, `aws fsx describe-backups` or `aws iam get-account-authorization-details`".into()),
                ));
                continue;
            }
        };
        let mut loader = FileLoader {
            source,
            problems: Vec::new(),
            issues: Vec::new(),
            unreadable: Vec::new(),
            resources: Vec::new(),
        };
        loader.convert(file, &mut inventory);
        problems.extend(loader.problems.into_iter().map(|p| (source, p)));
        if !loader.issues.is_empty()
            && let Some(file) = inventory.sources.get(source)
        {
            // One warning each (labels far apart in one diagnostic would print every line
            // between them), the first ones in full.
            let total = loader.issues.len();
            let located = locate(file, loader.issues.into_iter().take(MAX_ISSUES_SHOWN).collect());
            for one in located {
                let diagnostic =
                    FileDiagnostic::from_findings(&file.path, &file.text, "inventory", "warnings", vec![one]);
                inventory.warnings.push(Arc::new(diagnostic.into()));
            }
            if total > MAX_ISSUES_SHOWN {
                let rest = FileDiagnostic::single(
                    &file.path,
                    &file.text,
                    format!("inventory `{}`: {} more warnings are not shown", file.path, total - MAX_ISSUES_SHOWN),
                    ByteSpan::new(0, 0),
                    "",
                    None,
                );
                inventory.warnings.push(Arc::new(rest.into()));
            }
        }
        for (account, unreadable) in loader.unreadable {
            match account {
                Some(account) => {
                    // The account exists in the inventory even if this was all it held.
                    let partition = inventory.accounts.get(&account).map_or(Partition::Aws, |a| a.partition);
                    inventory.account_mut(&account, partition).unreadable.push(unreadable);
                }
                None => inventory.unplaced.push(unreadable),
            }
        }
        for resource in loader.resources {
            merge(&mut inventory, &mut first_seen, &mut problems, source, resource);
        }
    }

    // Problems found while merging may belong to an earlier file: group them by file.
    let mut by_source: BTreeMap<usize, Vec<Problem>> = BTreeMap::new();
    for (source, problem) in problems {
        by_source.entry(source).or_default().push(problem);
    }
    for (source, problems) in by_source {
        if let Some(file) = inventory.sources.get(source) {
            let located = locate(file, problems);
            diagnostics.push(FileDiagnostic::from_problems(&file.path, &file.text, "inventory", located));
        }
    }
    match diagnostics.len() {
        0 => {
            inventory.finish();
            Ok(inventory)
        }
        1 => Err(diagnostics
            .into_iter()
            .next()
            .map_or(crate::Error::Internal("lost a diagnostic".into()), |d| crate::Error::File(Box::new(d)))),
        _ => Err(crate::Error::Files { diagnostics }),
    }
}

/// Resolves problem pointers to spans (one pass over the file).
pub(crate) fn locate(file: &SourceFile, problems: Vec<Problem>) -> Vec<(Problem, ByteSpan)> {
    let spans = file.spans(problems.iter().map(|p| p.pointer.as_str()));
    problems
        .into_iter()
        .map(|problem| {
            let span =
                spans.get(&problem.pointer).map_or(ByteSpan::new(0, 0), |node| node.label(&file.text, problem.at_key));
            (problem, span)
        })
        .collect()
}

fn display_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn parse_json(text: &str) -> Result<InputFile, (String, usize)> {
    serde_json::from_str(text).or_else(|e| {
        // The label sits at the position already: drop serde_json's " at line L column C".
        let message = e.to_string();
        let message = message.rfind(" at line ").and_then(|i| message.get(..i)).unwrap_or(&message).to_string();
        let error = (message, span::offset_of(text, e.line(), e.column()));
        // A value of the wrong type inside a resource is that resource's problem, not the file's;
        // a key twice (serde's "duplicate field", or a Region twice) is always the file's.
        if e.classify() != serde_json::error::Category::Data || error.0.starts_with("duplicate") {
            return Err(error);
        }
        serde_json::from_str::<serde_json::Value>(text).ok().and_then(lenient).ok_or(error)
    })
}

fn parse_yaml(text: &str) -> Result<InputFile, (String, usize)> {
    // Depth, size and syntax first: only a well-formed file is read again leniently.
    crate::yaml::check_structure(text).map_err(|e| (e.message.clone(), e.offset))?;
    crate::yaml::from_str(text)
        .or_else(|e| crate::yaml::from_str::<serde_json::Value>(text).ok().and_then(lenient).ok_or(e))
        .map_err(|e| (e.message, e.offset))
}

/// The file again, each resource that does not fit its type replaced by a placeholder that
/// carries why (and what identifies it), so that the loader reports it where it is and goes on.
/// `None` when the file's own shape is wrong.
fn lenient(mut document: serde_json::Value) -> Option<InputFile> {
    use serde_json::Value;
    fn patch<T: serde::de::DeserializeOwned>(list: Option<&mut Value>, keep: &[&str]) {
        let Some(Value::Array(items)) = list else { return };
        for item in items.iter_mut() {
            if let Err(e) = serde_json::from_value::<T>(item.clone()) {
                let mut placeholder = serde_json::Map::new();
                for key in keep {
                    // Identifying fields, when they are strings, place the resource.
                    if let Some(Value::String(v)) = item.pointer(&format!("/{key}")) {
                        let mut at = &mut placeholder;
                        let mut parts = key.split('/').peekable();
                        while let Some(part) = parts.next() {
                            if parts.peek().is_none() {
                                at.insert(part.to_string(), Value::String(v.clone()));
                            } else {
                                let next =
                                    at.entry(part.to_string()).or_insert_with(|| Value::Object(Default::default()));
                                match next.as_object_mut() {
                                    Some(map) => at = map,
                                    None => break,
                                }
                            }
                        }
                    }
                }
                placeholder
                    .insert("__fsx_guard_unreadable".into(), Value::String(format!("a field has the wrong type: {e}")));
                *item = Value::Object(placeholder);
            }
        }
    }
    fn resources(block: &mut Value) {
        patch::<RawFileSystem>(block.get_mut("FileSystems"), &["FileSystemId", "ResourceARN", "OwnerId"]);
        patch::<RawBackup>(
            block.get_mut("Backups"),
            &["BackupId", "ResourceARN", "OwnerId", "FileSystem/FileSystemId", "Volume/FileSystemId"],
        );
        patch::<RawVolume>(block.get_mut("Volumes"), &["VolumeId", "FileSystemId", "ResourceARN"]);
    }
    fn iam(block: &mut Value) {
        patch::<RawUser>(block.get_mut("UserDetailList"), &["UserName", "Arn"]);
        patch::<RawGroup>(block.get_mut("GroupDetailList"), &["GroupName", "Arn"]);
        patch::<RawRole>(block.get_mut("RoleDetailList"), &["RoleName", "Arn"]);
        patch::<RawManagedPolicy>(block.get_mut("Policies"), &["PolicyName", "Arn"]);
    }
    resources(&mut document);
    iam(&mut document);
    if let Some(Value::Array(accounts)) = document.get_mut("accounts") {
        for account in accounts {
            if let Some(Value::Object(regions)) = account.get_mut("regions") {
                for block in regions.values_mut() {
                    resources(block);
                }
            }
            if let Some(block) = account.get_mut("iam") {
                iam(block);
            }
        }
    }
    serde_json::from_value(document).ok()
}

/// Where a merged resource went: its account and its place in that account's list.
struct Seen {
    account: String,
    kind: DataKind,
    index: usize,
}

/// A resource about to be merged into the inventory.
enum Resource {
    FileSystem(FileSystem),
    Backup(Backup),
    Volume(Volume),
}

impl Resource {
    fn arn(&self) -> &str {
        match self {
            Resource::FileSystem(fs) => &fs.arn,
            Resource::Backup(b) => &b.arn,
            Resource::Volume(v) => &v.arn,
        }
    }

    fn origin(&self) -> &Origin {
        match self {
            Resource::FileSystem(fs) => &fs.origin,
            Resource::Backup(b) => &b.origin,
            Resource::Volume(v) => &v.origin,
        }
    }

    /// Equal in every field but where it came from; `None` when `seen` does not resolve.
    fn same_content(&self, inventory: &Inventory, seen: &Seen) -> Option<(bool, Origin)> {
        let account = inventory.accounts.get(&seen.account)?;
        match self {
            Resource::FileSystem(a) if seen.kind == DataKind::FileSystems => {
                let b = account.file_systems.get(seen.index)?;
                Some((FileSystem { origin: b.origin.clone(), ..a.clone() } == *b, b.origin.clone()))
            }
            Resource::Backup(a) if seen.kind == DataKind::Backups => {
                let b = account.backups.get(seen.index)?;
                Some((Backup { origin: b.origin.clone(), ..a.clone() } == *b, b.origin.clone()))
            }
            Resource::Volume(a) if seen.kind == DataKind::Volumes => {
                let b = account.volumes.get(seen.index)?;
                Some((Volume { origin: b.origin.clone(), ..a.clone() } == *b, b.origin.clone()))
            }
            _ => Some((false, Origin { source: usize::MAX, pointer: String::new() })),
        }
    }
}

fn merge(
    inventory: &mut Inventory,
    first_seen: &mut HashMap<String, Seen>,
    problems: &mut Vec<(usize, Problem)>,
    source: usize,
    resource: Resource,
) {
    if let Some(seen) = first_seen.get(resource.arn()) {
        let (same, first_origin) = resource
            .same_content(inventory, seen)
            .unwrap_or((false, Origin { source: usize::MAX, pointer: String::new() }));
        let (first_source, first_pointer) = (&first_origin.source, &first_origin.pointer);
        if !same {
            // Both places get a label, each naming the other.
            let path_of = |i: usize| inventory.sources.get(i).map_or("?", |s| s.path.as_str()).to_string();
            let help = "the same ARN in two inputs must describe the same resource: drop one of them";
            problems.push((
                source,
                Problem::at(
                    resource.origin().pointer.clone(),
                    format!(
                        "`{}` differs from the one in `{}` at `{first_pointer}`",
                        resource.arn(),
                        path_of(*first_source)
                    ),
                )
                .with_help(help),
            ));
            problems.push((
                *first_source,
                Problem::at(
                    first_pointer.clone(),
                    format!(
                        "`{}` differs from the one in `{}` at `{}`",
                        resource.arn(),
                        path_of(source),
                        resource.origin().pointer
                    ),
                )
                .with_help(help),
            ));
        }
        return;
    }
    let (account_id, partition) = match &resource {
        Resource::FileSystem(fs) => (fs.account.clone(), fs.partition),
        Resource::Backup(b) => (b.account.clone(), b.partition),
        Resource::Volume(v) => (v.account.clone(), v.partition),
    };
    let account = inventory.account_mut(&account_id, partition);
    if account.partition != partition {
        problems.push((
            source,
            Problem::at(
                resource.origin().pointer.clone(),
                format!("account `{account_id}` is in partition `{}` elsewhere, `{partition}` here", account.partition),
            ),
        ));
        return;
    }
    let arn = resource.arn().to_string();
    let seen = match resource {
        Resource::FileSystem(fs) => {
            account.file_systems.push(fs);
            Seen { account: account_id, kind: DataKind::FileSystems, index: account.file_systems.len() - 1 }
        }
        Resource::Backup(b) => {
            account.backups.push(b);
            Seen { account: account_id, kind: DataKind::Backups, index: account.backups.len() - 1 }
        }
        Resource::Volume(v) => {
            account.volumes.push(v);
            Seen { account: account_id, kind: DataKind::Volumes, index: account.volumes.len() - 1 }
        }
    };
    first_seen.insert(arn, seen);
}

struct FileLoader {
    source: usize,
    /// What makes the whole file unusable (exit 2).
    problems: Vec<Problem>,
    /// Resources that could not be understood: warnings, with the taint in `unreadable`.
    issues: Vec<Problem>,
    /// (account, what could not be read).
    unreadable: Vec<(Option<String>, Unreadable)>,
    resources: Vec<Resource>,
}

impl FileLoader {
    fn convert(&mut self, file: InputFile, inventory: &mut Inventory) {
        let raw_keys = file.file_systems.is_some()
            || file.backups.is_some()
            || file.volumes.is_some()
            || file.users.is_some()
            || file.groups.is_some()
            || file.roles.is_some()
            || file.policies.is_some();
        let document = file.accounts.is_some() || file.version.is_some();
        if document && raw_keys {
            self.problems.push(
                Problem::at(
                    "",
                    "this file mixes an inventory document (`version`, `accounts`) with raw AWS CLI output",
                )
                .with_help("keep each in its own file and pass both with `--inventory`"),
            );
            return;
        }
        if document {
            for key in &file.unknown_keys {
                let mut pointer = String::new();
                span::push_token(&mut pointer, key);
                let problem = Problem::at(pointer, format!("unknown key `{key}` in an inventory document")).on_key();
                self.problems.push(match crate::suggest::closest(key, TOP_LEVEL_KEYS) {
                    Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                    None => problem.with_help("an inventory document holds `version`, `collected_at` and `accounts`"),
                });
            }
            match file.version {
                Some(1) => {}
                Some(other) => {
                    self.problems.push(
                        Problem::at("/version", format!("inventory format version {other} is not supported"))
                            .with_help("this fsx-guard reads version 1"),
                    );
                    return;
                }
                None => self.problems.push(Problem::at("", "an inventory document needs `version: 1`")),
            }
            if let Some(at) = file.collected_at {
                inventory.collected_at = Some(inventory.collected_at.map_or(at, |prev| prev.max(at)));
            }
            for (index, account) in file.accounts.unwrap_or_default().into_iter().enumerate() {
                self.document_account(index, account, inventory);
            }
            return;
        }
        if !raw_keys {
            let near =
                file.unknown_keys.iter().find_map(|k| crate::suggest::closest(k, TOP_LEVEL_KEYS).map(|n| (k, n)));
            let help = match near {
                Some((key, near)) => format!("`{key}`: did you mean `{near}`?"),
                None => "give an inventory document (`fsx-guard collect`) or the JSON output of describe-file-systems, describe-backups, describe-volumes or get-account-authorization-details".to_string(),
            };
            self.problems.push(
                Problem::at("", "not an inventory: no `accounts`, `FileSystems`, `Backups`, `Volumes` or IAM lists")
                    .with_help(help),
            );
            return;
        }
        for (i, raw) in file.file_systems.unwrap_or_default().into_iter().enumerate() {
            let pointer = format!("/FileSystems/{i}");
            if let Some(fs) = self.file_system(raw, &pointer, None) {
                let account = inventory.account_mut(&fs.account, fs.partition);
                account.file_systems_collected.insert(fs.region);
                account.regions_seen.insert(fs.region);
                self.resources.push(Resource::FileSystem(fs));
            }
        }
        for (i, raw) in file.backups.unwrap_or_default().into_iter().enumerate() {
            let pointer = format!("/Backups/{i}");
            if let Some(backup) = self.backup(raw, &pointer, None) {
                let account = inventory.account_mut(&backup.account, backup.partition);
                account.backups_collected.insert(backup.region);
                account.regions_seen.insert(backup.region);
                self.resources.push(Resource::Backup(backup));
            }
        }
        for (i, raw) in file.volumes.unwrap_or_default().into_iter().enumerate() {
            let pointer = format!("/Volumes/{i}");
            if let Some(volume) = self.volume(raw, &pointer, None) {
                let account = inventory.account_mut(&volume.account, volume.partition);
                account.volumes_collected.insert(volume.region);
                account.regions_seen.insert(volume.region);
                self.resources.push(Resource::Volume(volume));
            }
        }
        let iam = IamLists {
            user_detail_list: file.users.unwrap_or_default(),
            group_detail_list: file.groups.unwrap_or_default(),
            role_detail_list: file.roles.unwrap_or_default(),
            policies: file.policies.unwrap_or_default(),
        };
        self.raw_iam(iam, inventory);
    }

    fn document_account(&mut self, index: usize, doc: AccountDocument, inventory: &mut Inventory) {
        let base = format!("/accounts/{index}");
        if !arn::is_account_id(&doc.account_id) {
            self.problems.push(Problem::at(
                format!("{base}/account_id"),
                format!("`{}` is not a 12-digit account id", doc.account_id),
            ));
            return;
        }
        let partition = match doc.partition.as_deref() {
            None => None,
            Some(name) => match Partition::parse(name) {
                Some(p) => Some(p),
                None => {
                    self.problems
                        .push(Problem::at(format!("{base}/partition"), format!("`{name}` is not an AWS partition")));
                    return;
                }
            },
        };
        let mut regions_seen = Vec::new();
        for (name, region_doc) in doc.regions {
            let mut pointer = format!("{base}/regions");
            span::push_token(&mut pointer, &name);
            let region = match regions::lookup(&name) {
                Some(known) => {
                    if let Some(p) = partition.filter(|p| *p != known.partition) {
                        self.problems.push(
                            Problem::at(
                                pointer.clone(),
                                format!("region `{name}` is in partition `{}`, not `{p}`", known.partition),
                            )
                            .on_key(),
                        );
                        continue;
                    }
                    (known.name, Some(known.partition))
                }
                None => match regions::intern(&name) {
                    // A Region newer than the table: it loads; rules that need facts about it
                    // say so.
                    Some(new) => {
                        let mut issue = Problem::at(
                            pointer.clone(),
                            format!("region `{name}` is not in fsx-guard's Region table (newer than this build?): its resources are judged, but facts about the Region (partition group, opt-in) are unknown"),
                        )
                        .on_key();
                        if let Some(near) = regions::near(&name) {
                            issue = issue.with_help(format!("if it is a typo, did you mean `{near}`?"));
                        }
                        self.issues.push(issue);
                        (new, None)
                    }
                    None => {
                        let mut problem =
                            Problem::at(pointer.clone(), format!("`{name}` is not a Region name")).on_key();
                        if let Some(near) = regions::suggest(&name) {
                            problem = problem.with_help(format!("did you mean `{near}`?"));
                        }
                        self.problems.push(problem);
                        continue;
                    }
                },
            };
            regions_seen.push((region, region_doc, pointer));
        }
        let partition = partition.or_else(|| regions_seen.iter().find_map(|((_, p), ..)| *p)).unwrap_or(Partition::Aws);
        let account = inventory.account_mut(&doc.account_id, partition);
        if account.partition != partition {
            self.problems.push(Problem::at(
                format!("{base}/partition"),
                format!("account `{}` is in partition `{}` in another input", doc.account_id, account.partition),
            ));
            return;
        }
        let placement_account = doc.account_id.clone();
        for ((region, _), region_doc, pointer) in regions_seen {
            let place = Placement { account: &placement_account, region, partition };
            inventory.account_mut(&doc.account_id, partition).regions_seen.insert(region);
            if let Some(list) = region_doc.file_systems {
                inventory.account_mut(&doc.account_id, partition).file_systems_collected.insert(region);
                for (i, raw) in list.into_iter().enumerate() {
                    if let Some(fs) = self.file_system(raw, &format!("{pointer}/FileSystems/{i}"), Some(place)) {
                        self.resources.push(Resource::FileSystem(fs));
                    }
                }
            }
            if let Some(list) = region_doc.volumes {
                inventory.account_mut(&doc.account_id, partition).volumes_collected.insert(region);
                for (i, raw) in list.into_iter().enumerate() {
                    if let Some(v) = self.volume(raw, &format!("{pointer}/Volumes/{i}"), Some(place)) {
                        self.resources.push(Resource::Volume(v));
                    }
                }
            }
            if let Some(list) = region_doc.backups {
                inventory.account_mut(&doc.account_id, partition).backups_collected.insert(region);
                for (i, raw) in list.into_iter().enumerate() {
                    if let Some(b) = self.backup(raw, &format!("{pointer}/Backups/{i}"), Some(place)) {
                        self.resources.push(Resource::Backup(b));
                    }
                }
            }
        }
        let account = inventory.account_mut(&doc.account_id, partition);
        let mut errors = doc.errors;
        for (i, error) in errors.iter_mut().enumerate() {
            let at = format!("{base}/errors/{i}");
            error.origin = Some(Origin { source: self.source, pointer: at.clone() });
            if let Some(region) = &error.region
                && regions::intern(region).is_none()
            {
                self.problems.push(Problem::at(format!("{at}/region"), format!("unknown region `{region}`")));
            }
            // Understood in the API's spelling and the CLI's (`describe-backups`), or refused:
            // an entry that matched nothing would be ignored, and what it names would pass.
            if let Some(operation) = error.operation.as_deref() {
                match super::model::canonical_operation(operation) {
                    Some((service, canonical)) => {
                        error.operation = Some(canonical.to_string());
                        if error.service.is_none() {
                            error.service = Some(service.to_string());
                        }
                    }
                    None => self.problems.push(
                        Problem::at(
                            format!("{at}/operation"),
                            format!("`{operation}` is not an operation fsx-guard reads"),
                        )
                        .with_help(format!(
                            "one of {}",
                            super::model::OPERATIONS_READ
                                .iter()
                                .map(|(_, o)| format!("`{o}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    ),
                }
            }
            if let Some(service) = error.service.as_deref() {
                match ["fsx", "iam", "sts", "account", "fsx-guard"]
                    .into_iter()
                    .find(|s| s.eq_ignore_ascii_case(service))
                {
                    Some(known) => error.service = Some(known.to_string()),
                    None => self.problems.push(
                        Problem::at(format!("{at}/service"), format!("`{service}` is not a service fsx-guard reads"))
                            .with_help("one of `fsx`, `iam`, `sts`, `account`, `fsx-guard`"),
                    ),
                }
            }
        }
        account.errors.extend(errors);
        if let Some(mut iam) = doc.iam {
            self.check_iam(&mut iam, &format!("{base}/iam"), Some(&doc.account_id));
            merge_iam(account, iam);
        }
    }

    fn raw_iam(&mut self, mut lists: IamLists, inventory: &mut Inventory) {
        let empty = lists.user_detail_list.is_empty()
            && lists.group_detail_list.is_empty()
            && lists.role_detail_list.is_empty()
            && lists.policies.is_empty();
        if empty {
            return;
        }
        // Raw output carries no account id of its own: take it from the principals' ARNs.
        let arns = lists
            .user_detail_list
            .iter()
            .map(|u| u.arn.as_str())
            .chain(lists.role_detail_list.iter().map(|r| r.arn.as_str()))
            .chain(lists.group_detail_list.iter().map(|g| g.arn.as_str()))
            .chain(lists.policies.iter().map(|p| p.arn.as_str()));
        let mut owner: Option<(String, Partition)> = None;
        for text in arns {
            if let Ok(parsed) = arn::parse(text) {
                if parsed.account.is_empty() || parsed.account == "aws" {
                    continue;
                }
                match &owner {
                    None => owner = Some((parsed.account.to_string(), parsed.partition)),
                    Some((account, _)) if account != parsed.account => {
                        self.problems.push(
                            Problem::at(
                                "",
                                format!(
                                    "IAM output of two accounts (`{account}` and `{}`) in one file",
                                    parsed.account
                                ),
                            )
                            .with_help("save each account's get-account-authorization-details in its own file"),
                        );
                        return;
                    }
                    Some(_) => {}
                }
            }
        }
        let Some((account_id, partition)) = owner else {
            self.problems
                .push(Problem::at("", "cannot tell which account this IAM output belongs to: no principal ARN"));
            return;
        };
        self.check_iam(&mut lists, "", Some(&account_id));
        merge_iam(inventory.account_mut(&account_id, partition), lists);
    }

    /// Leaves out IAM entries whose ARN cannot be read, recording each as unreadable: a
    /// principal that cannot be judged is `error`, never silently absent.
    fn check_iam(&mut self, lists: &mut IamLists, base: &str, account: Option<&str>) {
        let mut bad: Vec<(String, Option<String>, String)> = Vec::new();
        let mut keep = |list: &str, i: usize, arn: &str, unreadable: &Option<String>| {
            let reason = match unreadable {
                Some(reason) => Some((format!("{base}/{list}/{i}"), reason.clone())),
                None => arn::parse(arn).err().map(|e| (format!("{base}/{list}/{i}/Arn"), e)),
            };
            match reason {
                None => true,
                Some((pointer, reason)) => {
                    bad.push((pointer, Some(arn.to_string()).filter(|a| !a.is_empty()), reason));
                    false
                }
            }
        };
        let mut i = 0;
        lists.user_detail_list.retain(|u| (keep("UserDetailList", i, &u.arn, &u.unreadable), i += 1).0);
        let mut i = 0;
        lists.role_detail_list.retain(|r| (keep("RoleDetailList", i, &r.arn, &r.unreadable), i += 1).0);
        let mut i = 0;
        lists.group_detail_list.retain(|g| (keep("GroupDetailList", i, &g.arn, &g.unreadable), i += 1).0);
        let mut i = 0;
        lists.policies.retain(|p| (keep("Policies", i, &p.arn, &p.unreadable), i += 1).0);
        for (pointer, resource, reason) in bad {
            self.unreadable(
                DataKind::Iam,
                Whereabouts { account: account.map(str::to_string), region: None },
                None,
                resource,
                Problem::at(pointer, reason),
            );
        }
    }

    /// Records a resource that could not be understood: a warning at its position, and `error`
    /// for the results it could change.
    fn unreadable(
        &mut self,
        kind: DataKind,
        whereabouts: Whereabouts,
        file_system: Option<String>,
        resource: Option<String>,
        problem: Problem,
    ) {
        let origin = Origin { source: self.source, pointer: problem.pointer.clone() };
        let left_out = "it is left out of the inventory, and the results it could change are `error`";
        let help = match &problem.help {
            Some(help) => format!("{help}; {left_out}"),
            None => left_out.to_string(),
        };
        let problem = problem.with_help(help);
        let unreadable = Unreadable {
            kind,
            region: whereabouts.region,
            file_system,
            resource,
            reason: problem.message.clone(),
            origin,
        };
        self.unreadable.push((whereabouts.account, unreadable));
        self.issues.push(problem);
    }

    fn file_system(&mut self, raw: RawFileSystem, pointer: &str, place: Option<Placement<'_>>) -> Option<FileSystem> {
        let id = raw.file_system_id.clone();
        let placed = self.place(
            Claimed {
                arn: raw.resource_arn.as_deref(),
                resource_type: "file-system",
                id: id.as_deref(),
                owner: raw.owner_id.as_deref(),
                unreadable: raw.unreadable.as_deref(),
            },
            pointer,
            place,
        );
        let (placed, file_system_type) = match (placed, id.as_ref(), raw.file_system_type.clone()) {
            (Ok(placed), Some(_), Some(file_system_type)) => (placed, file_system_type),
            (placed, _, file_system_type) => {
                let (whereabouts, problem) = match placed {
                    Err(failure) => failure,
                    Ok(placed) => {
                        let missing = if id.is_none() { "`FileSystemId`" } else { "`FileSystemType`" };
                        let _ = file_system_type;
                        (
                            Whereabouts { account: Some(placed.account), region: Some(placed.region) },
                            Problem::at(pointer, format!("file system lacks {missing}"))
                                .with_help("describe-file-systems always returns it"),
                        )
                    }
                };
                let resource = raw.resource_arn.clone().or_else(|| id.clone());
                self.unreadable(DataKind::FileSystems, whereabouts, id, resource, problem);
                return None;
            }
        };
        let id = id.unwrap_or_default();
        if !super::model::is_file_system_id(&id) {
            let problem = Problem::at(
                format!("{pointer}/FileSystemId"),
                format!(
                    "`{id}` is not a file system id AWS issues (`fs-` and at least 8 lower-case hex digits, at most 21 characters)"
                ),
            );
            let whereabouts = Whereabouts { account: Some(placed.account), region: Some(placed.region) };
            self.unreadable(DataKind::FileSystems, whereabouts, None, None, problem);
            return None;
        }
        let backup_settings = match &file_system_type {
            super::model::FileSystemType::Openzfs => raw.openzfs_configuration.clone(),
            super::model::FileSystemType::Windows => raw.windows_configuration.clone(),
            super::model::FileSystemType::Lustre => raw.lustre_configuration.clone(),
            super::model::FileSystemType::Ontap => raw.ontap_configuration.clone().map(|c| BackupSettings {
                // ONTAP has no such field: never let a stray value through.
                copy_tags_to_backups: None,
                ..c
            }),
            super::model::FileSystemType::Other(_) => None,
        };
        Some(FileSystem {
            arn: placed.arn,
            id,
            account: placed.account,
            region: placed.region,
            partition: placed.partition,
            file_system_type,
            storage_type: raw.storage_type,
            lifecycle: raw.lifecycle,
            creation_time: raw.creation_time,
            tags: tags_from(raw.tags),
            backup_settings,
            origin: Origin { source: self.source, pointer: pointer.to_string() },
        })
    }

    fn volume(&mut self, raw: RawVolume, pointer: &str, place: Option<Placement<'_>>) -> Option<Volume> {
        let id = raw.volume_id.clone();
        // Volume ARNs end in `volume/<file system id>/<volume id>`.
        let composite = match (&raw.file_system_id, &id) {
            (Some(fs), Some(volume)) => Some(format!("{fs}/{volume}")),
            _ => None,
        };
        let placed = self.place(
            Claimed {
                arn: raw.resource_arn.as_deref(),
                resource_type: "volume",
                id: composite.as_deref(),
                owner: None,
                unreadable: raw.unreadable.as_deref(),
            },
            pointer,
            place,
        );
        let failure = match (&placed, &composite) {
            (Ok(placed), None) => Some((
                Whereabouts { account: Some(placed.account.clone()), region: Some(placed.region) },
                Problem::at(pointer, "volume lacks `VolumeId` or `FileSystemId`")
                    .with_help("describe-volumes always returns them"),
            )),
            _ => None,
        };
        let placed = match (placed, failure) {
            (Err((whereabouts, problem)), _) | (Ok(_), Some((whereabouts, problem))) => {
                let resource = raw.resource_arn.clone().or_else(|| id.clone());
                self.unreadable(DataKind::Volumes, whereabouts, raw.file_system_id.clone(), resource, problem);
                return None;
            }
            (Ok(placed), None) => placed,
        };
        let (Some(id), Some(file_system_id)) = (id, raw.file_system_id) else { return None };
        if !super::model::is_volume_id(&id) || !super::model::is_file_system_id(&file_system_id) {
            let problem = Problem::at(
                pointer,
                format!("`{file_system_id}/{id}` is not a volume of a file system as AWS names them"),
            );
            let whereabouts = Whereabouts { account: Some(placed.account), region: Some(placed.region) };
            self.unreadable(DataKind::Volumes, whereabouts, None, None, problem);
            return None;
        }
        let arn = placed.arn;
        Some(Volume {
            arn,
            id,
            file_system_id,
            account: placed.account,
            region: placed.region,
            partition: placed.partition,
            name: raw.name,
            volume_type: raw.volume_type,
            lifecycle: raw.lifecycle,
            creation_time: raw.creation_time,
            ontap: raw.ontap_configuration,
            tags: tags_from(raw.tags),
            origin: Origin { source: self.source, pointer: pointer.to_string() },
        })
    }

    fn backup(&mut self, raw: RawBackup, pointer: &str, place: Option<Placement<'_>>) -> Option<Backup> {
        let id = raw.backup_id.clone();
        // An ONTAP volume backup (`ResourceType: VOLUME`) carries `Volume`, with its file system,
        // and no `FileSystem`, though the API model marks `FileSystem` required.
        let file_system_id = raw
            .file_system
            .as_ref()
            .and_then(|fs| fs.file_system_id.clone())
            .or_else(|| raw.volume.as_ref().and_then(|v| v.file_system_id.clone()));
        let volume_id = raw.volume.as_ref().and_then(|v| v.volume_id.clone());
        let placed = self.place(
            Claimed {
                arn: raw.resource_arn.as_deref(),
                resource_type: "backup",
                id: id.as_deref(),
                owner: raw.owner_id.as_deref(),
                unreadable: raw.unreadable.as_deref(),
            },
            pointer,
            place,
        );
        let mut missing = Vec::new();
        if id.is_none() {
            missing.push("`BackupId`");
        }
        if raw.lifecycle.is_none() {
            missing.push("`Lifecycle`");
        }
        if raw.backup_type.is_none() {
            missing.push("`Type`");
        }
        if raw.creation_time.is_none() {
            missing.push("`CreationTime`");
        }
        if file_system_id.is_none() {
            missing.push(if raw.volume.is_some() { "`Volume.FileSystemId`" } else { "`FileSystem.FileSystemId`" });
        }
        let source_region = match raw.source_backup_region.as_deref() {
            None => Ok(None),
            Some(name) => regions::intern(name).map(Some).ok_or(name),
        };
        let resource = raw.resource_arn.clone().or_else(|| id.clone());
        let failure = match (&placed, &source_region) {
            (Err(_), _) => None,
            (Ok(placed), _) if !missing.is_empty() => Some((
                Whereabouts { account: Some(placed.account.clone()), region: Some(placed.region) },
                Problem::at(pointer, format!("backup lacks {}", missing.join(", ")))
                    .with_help("describe-backups always returns these fields"),
            )),
            (Ok(placed), Err(name)) => Some((
                Whereabouts { account: Some(placed.account.clone()), region: Some(placed.region) },
                Problem::at(format!("{pointer}/SourceBackupRegion"), format!("`{name}` is not a Region name")),
            )),
            (Ok(_), Ok(_)) => None,
        };
        let placed = match (placed, failure) {
            (Err((whereabouts, problem)), _) | (Ok(_), Some((whereabouts, problem))) => {
                self.unreadable(DataKind::Backups, whereabouts, file_system_id, resource, problem);
                return None;
            }
            (Ok(placed), None) => placed,
        };
        let (
            Some(id),
            Some(lifecycle),
            Some(backup_type),
            Some(creation_time),
            Some(file_system_id),
            Ok(source_region),
        ) = (id, raw.lifecycle, raw.backup_type, raw.creation_time, file_system_id, source_region)
        else {
            return None;
        };
        let bad_id = [
            (!super::model::is_backup_id(&id)).then_some((
                "BackupId",
                id.as_str(),
                "a backup id (`backup-` and at least 8 lower-case hex digits)",
            )),
            (!super::model::is_file_system_id(&file_system_id)).then_some((
                "FileSystem/FileSystemId",
                file_system_id.as_str(),
                "a file system id (`fs-` and at least 8 lower-case hex digits)",
            )),
            raw.source_backup_id
                .as_deref()
                .filter(|s| !super::model::is_backup_id(s))
                .map(|s| ("SourceBackupId", s, "a backup id")),
            volume_id
                .as_deref()
                .filter(|v| !super::model::is_volume_id(v))
                .map(|v| ("Volume/VolumeId", v, "a volume id")),
        ]
        .into_iter()
        .flatten()
        .next();
        if let Some((field, value, what)) = bad_id {
            let problem = Problem::at(format!("{pointer}/{field}"), format!("`{value}` is not {what} AWS issues"));
            let whereabouts = Whereabouts { account: Some(placed.account), region: Some(placed.region) };
            // Which file system it is cannot be trusted either: it could be any in its Region.
            self.unreadable(DataKind::Backups, whereabouts, None, None, problem);
            return None;
        }
        Some(Backup {
            arn: placed.arn,
            id,
            account: placed.account,
            region: placed.region,
            partition: placed.partition,
            lifecycle,
            backup_type,
            creation_time,
            kms_key_id: raw.kms_key_id,
            tags: tags_from(raw.tags),
            file_system_id,
            file_system_type: raw
                .file_system
                .as_ref()
                .and_then(|fs| fs.file_system_type.clone())
                .or_else(|| volume_id.is_some().then_some(super::model::FileSystemType::Ontap)),
            volume_id,
            source_backup_id: raw.source_backup_id,
            source_backup_region: source_region.map(str::to_string),
            origin: Origin { source: self.source, pointer: pointer.to_string() },
        })
    }

    /// Where a resource that cannot be placed probably belongs: its container, else what its ARN
    /// still says, else its owner.
    fn whereabouts(&self, arn_text: Option<&str>, owner: Option<&str>, place: Option<Placement<'_>>) -> Whereabouts {
        match place {
            Some(place) => Whereabouts { account: Some(place.account.to_string()), region: Some(place.region) },
            None => {
                let parsed = arn_text.and_then(|t| arn::parse(t).ok());
                Whereabouts {
                    account: parsed
                        .as_ref()
                        .map(|a| a.account.to_string())
                        .filter(|a| arn::is_account_id(a))
                        .or_else(|| owner.filter(|o| arn::is_account_id(o)).map(str::to_string)),
                    region: parsed.and_then(|a| regions::intern(a.region)),
                }
            }
        }
    }

    /// The ARN, account and Region of a resource: from its ARN, checked against its container in
    /// the document form, or built from the container when the ARN is absent. On failure, the
    /// problem and where the resource probably belongs.
    fn place(
        &self,
        claimed: Claimed<'_>,
        pointer: &str,
        place: Option<Placement<'_>>,
    ) -> Result<Placed, (Whereabouts, Problem)> {
        let Claimed { arn: arn_text, resource_type, id, owner, unreadable } = claimed;
        // A resource the lenient re-read replaced (a value of the wrong type): why, where it was.
        if let Some(reason) = unreadable {
            return Err((self.whereabouts(arn_text, owner, place), Problem::at(pointer, reason)));
        }
        let arn_pointer = format!("{pointer}/ResourceARN");
        let whereabouts = || self.whereabouts(arn_text, owner, place);
        let placed = match (arn_text, place) {
            (Some(text), _) => match arn::parse_fsx(text, resource_type) {
                Ok((parsed, region, arn_id)) => {
                    if let Some(id) = id.filter(|id| *id != arn_id) {
                        return Err((
                            whereabouts(),
                            Problem::at(arn_pointer, format!("the ARN names `{arn_id}` but the id is `{id}`")),
                        ));
                    }
                    Placed {
                        arn: text.to_string(),
                        account: parsed.account.to_string(),
                        region,
                        partition: parsed.partition,
                    }
                }
                Err(e) => return Err((whereabouts(), Problem::at(arn_pointer, e))),
            },
            (None, Some(place)) => match id {
                Some(id) => Placed {
                    arn: format!("arn:{}:fsx:{}:{}:{resource_type}/{id}", place.partition, place.region, place.account),
                    account: place.account.to_string(),
                    region: place.region,
                    partition: place.partition,
                },
                None => {
                    return Err((
                        whereabouts(),
                        Problem::at(pointer, format!("a {resource_type} without an id or an ARN")),
                    ));
                }
            },
            (None, None) => {
                let name = id.unwrap_or("a resource");
                return Err((
                    whereabouts(),
                    Problem::at(pointer, format!("`{name}` has no `ResourceARN`, so its account and Region are unknown"))
                        .with_help("raw CLI output is placed by each object's ResourceARN; use an inventory document for objects without one"),
                ));
            }
        };
        if let Some(place) = place
            && (place.account != placed.account || place.region != placed.region)
        {
            let name = id.unwrap_or(resource_type);
            return Err((
                whereabouts(),
                Problem::at(
                    arn_pointer,
                    format!(
                        "the ARN places `{name}` in {}/{}, but it is listed under {}/{}",
                        placed.account, placed.region, place.account, place.region
                    ),
                ),
            ));
        }
        if let Some(owner) = owner.filter(|o| *o != placed.account) {
            let whereabouts = Whereabouts { account: Some(placed.account.clone()), region: Some(placed.region) };
            return Err((
                whereabouts,
                Problem::at(
                    format!("{pointer}/OwnerId"),
                    format!("`OwnerId` `{owner}` differs from the ARN's account `{}`", placed.account),
                )
                .with_help("AWS gives a resource's owner in both; which account holds it is unknown"),
            ));
        }
        Ok(placed)
    }
}

fn merge_iam(account: &mut Account, lists: IamLists) {
    let iam = account.iam.get_or_insert_with(Iam::default);
    iam.users.extend(lists.user_detail_list);
    iam.groups.extend(lists.group_detail_list);
    iam.roles.extend(lists.role_detail_list);
    iam.policies.extend(lists.policies);
}
