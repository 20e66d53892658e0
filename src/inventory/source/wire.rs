//! The inventory's wire forms, JSON or YAML: read straight into typed structs, with a lenient
//! re-read when a value inside a resource has the wrong type.

use serde::Deserialize;

use crate::inventory::iam::{RawGroup, RawManagedPolicy, RawRole, RawUser};
use crate::inventory::model::{RawBackup, RawFileSystem, RawVolume, Timestamp};
use crate::span;

use super::document::AccountDocument;

#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[serde(rename_all = "PascalCase")]
pub(super) struct IamLists {
    #[serde(default)]
    pub(super) user_detail_list: Vec<RawUser>,
    #[serde(default)]
    pub(super) group_detail_list: Vec<RawGroup>,
    #[serde(default)]
    pub(super) role_detail_list: Vec<RawRole>,
    #[serde(default)]
    pub(super) policies: Vec<RawManagedPolicy>,
}

/// A long list read in chunks of fixed size: one vector grown by doubling would be copied, its
/// memory touched again, at every step (300,000 backups are over 100 MiB).
#[cfg_attr(test, derive(Debug))]
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

const CHUNK: usize = 4096;

impl<T> Chunked<T> {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(item),
            _ => {
                // The first chunk grows as a vector does: a short list stays small.
                let mut chunk = Vec::with_capacity(if self.len == 0 { 4 } else { CHUNK });
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    /// `other`'s items after these.
    pub(super) fn append(&mut self, other: Chunked<T>) {
        self.len += other.len;
        self.chunks.extend(other.chunks);
    }

    /// The chunks in order (at most 4,096 items each).
    pub(super) fn into_chunks(self) -> impl Iterator<Item = Vec<T>> {
        self.chunks.into_iter()
    }
}

/// The same items in the same order, however they are chunked.
#[cfg(test)]
impl<T: PartialEq> PartialEq for Chunked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.chunks.iter().flatten().eq(other.chunks.iter().flatten())
    }
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Chunked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = Chunked<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Chunked<T>, A::Error> {
                let mut list = Chunked::default();
                while let Some(item) = seq.next_element()? {
                    list.push(item);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(Visitor(std::marker::PhantomData))
    }
}

#[derive(Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct InputFile {
    pub(super) version: Option<u64>,
    pub(super) collected_at: Option<Timestamp>,
    /// Who collected it (`fsx-guard collect`): kept for reports, never judged.
    pub(super) collector: Option<serde_json::Value>,
    pub(super) accounts: Option<Vec<AccountDocument>>,
    pub(super) file_systems: Option<Vec<RawFileSystem>>,
    pub(super) backups: Option<Chunked<RawBackup>>,
    pub(super) volumes: Option<Vec<RawVolume>>,
    pub(super) users: Option<Vec<RawUser>>,
    pub(super) groups: Option<Vec<RawGroup>>,
    pub(super) roles: Option<Vec<RawRole>>,
    pub(super) policies: Option<Vec<RawManagedPolicy>>,
    /// Top-level keys fsx-guard does not read: AWS adds some to raw output (`NextToken`,
    /// `IsTruncated`), but in an inventory document each is a typo (`acounts`) that would
    /// otherwise leave the run judging nothing.
    pub(super) unknown_keys: Vec<String>,
}

/// The top-level keys fsx-guard reads.
pub(super) const TOP_LEVEL_KEYS: [&str; 11] = [
    "version",
    "collected_at",
    "collector",
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
                // Unknown keys seen, hashed: a file of a million of them must not compare each
                // with every other.
                let mut unknown: std::collections::HashSet<String, foldhash::fast::RandomState> = Default::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "version" => set(&mut map, &mut file.version, &key)?,
                        "collected_at" => set(&mut map, &mut file.collected_at, &key)?,
                        "collector" => set(&mut map, &mut file.collector, &key)?,
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
                            if !unknown.insert(key.clone()) {
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

/// Where the entries of the located lists are, when the reading found them on the way.
pub(super) type Located = Option<Vec<(String, span::ByteSpan)>>;

/// `two_cores`: whether to try the two-core reader first (not for a text it already handed back).
pub(super) fn parse_json(text: &str, two_cores: bool) -> Result<(InputFile, Located), (String, usize)> {
    if two_cores
        && text.len() >= super::two_cores::TWO_CORES_ABOVE
        && let Some(parsed) = super::two_cores::parse(text)
    {
        crate::timings::mark(format_args!("read on two cores, {} runs", parsed.runs_taken));
        return Ok((parsed.file, Some(parsed.located)));
    }
    serde_json::from_str(text)
        .or_else(|e| {
            // The label sits at the position already: drop serde_json's " at line L column C".
            let message = e.to_string();
            let message = message.rfind(" at line ").and_then(|i| message.get(..i)).unwrap_or(&message).to_string();
            let error = (message, span::offset_of(text, e.line(), e.column()));
            // A value of the wrong type inside a resource is that resource's problem, not the
            // file's; a key twice (serde's "duplicate field", or a Region twice) is always the
            // file's.
            if e.classify() != serde_json::error::Category::Data || error.0.starts_with("duplicate") {
                return Err(error);
            }
            serde_json::from_str::<serde_json::Value>(text).ok().and_then(lenient).ok_or(error)
        })
        .map(|file| (file, None))
}

pub(super) fn parse_yaml(text: &str) -> Result<InputFile, (String, usize)> {
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
