//! The inventory model: the fields of the AWS API shapes that rules use, typed.
//!
//! Field names follow the AWS API (PascalCase on the wire); unknown fields are ignored because
//! AWS adds fields over time. Enumerations keep values they do not know as `Other` rather than
//! failing, so a new AWS value degrades to "not applicable" or "error", never to a crash.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::regions::Partition;

/// A point in time, milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn from_unix_seconds_f64(seconds: f64) -> Option<Timestamp> {
        let millis = (seconds * 1000.0).round();
        // Years 0001..9999 are all any AWS timestamp can be.
        if millis.is_finite() && (-62_135_596_800_000.0..253_402_300_800_000.0).contains(&millis) {
            #[expect(clippy::cast_possible_truncation, reason = "range checked above")]
            Some(Timestamp(millis as i64))
        } else {
            None
        }
    }

    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let text = text.trim();
        match fast_rfc3339(text.as_bytes()) {
            Some(millis) => Some(Timestamp(millis)),
            None => Timestamp::parse_rfc3339_slow(text),
        }
    }

    /// The `time` crate's RFC 3339 parser: every form the standard allows.
    fn parse_rfc3339_slow(text: &str) -> Option<Timestamp> {
        let parsed = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
        let millis = parsed.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).ok().map(Timestamp)
    }

    pub fn now() -> Timestamp {
        let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        Timestamp(i64::try_from(nanos).unwrap_or(i64::MAX))
    }

    /// Hours from `self` to `later` (negative when `later` is earlier).
    pub fn hours_until(self, later: Timestamp) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "millisecond differences fit f64 exactly for any real age")]
        let millis = (later.0 - self.0) as f64;
        millis / 3_600_000.0
    }
}

/// The one shape AWS writes (`2025-05-31T05:12:09.123000+00:00`, `...Z`), read without the
/// general parser: every backup has one, and an organisation has hundreds of thousands. `None`
/// for anything else (other separators, leap seconds, more than nine fractional digits, times
/// before 1970), which the general parser then reads or refuses; property-tested to agree with it.
fn fast_rfc3339(b: &[u8]) -> Option<i64> {
    fn digits(b: &[u8], from: usize, len: usize) -> Option<i64> {
        let mut value = 0i64;
        for byte in b.get(from..from + len)? {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(byte - b'0');
        }
        Some(value)
    }
    let at = |i: usize| b.get(i).copied();
    if at(4) != Some(b'-')
        || at(7) != Some(b'-')
        || at(10) != Some(b'T')
        || at(13) != Some(b':')
        || at(16) != Some(b':')
    {
        return None;
    }
    let (year, month, day) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (hour, minute, second) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let max_day = usize::try_from(month - 1).ok().and_then(|m| month_days.get(m)).copied()?;
    if year < 1970 || day < 1 || day > max_day || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if at(i) == Some(b'.') {
        let start = i + 1;
        let mut end = start;
        while at(end).is_some_and(|c| c.is_ascii_digit()) {
            end += 1;
        }
        let count = end - start;
        if count == 0 || count > 9 {
            return None;
        }
        nanos = digits(b, start, count)? * 10i64.pow(u32::try_from(9 - count).ok()?);
        i = end;
    }
    let offset = match at(i)? {
        b'Z' if b.len() == i + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && at(i + 3) == Some(b':') => {
            let (h, m) = (digits(b, i + 1, 2)?, digits(b, i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            if sign == b'+' { h * 3600 + m * 60 } else { -(h * 3600 + m * 60) }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm), then seconds in UTC.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    if seconds < 0 {
        return None;
    }
    Some(seconds * 1000 + nanos / 1_000_000)
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, with milliseconds only when they are not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = i128::from(self.0) * 1_000_000;
        match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(at) => {
                let (y, mo, d) = (at.year(), u8::from(at.month()), at.day());
                let (h, mi, s, ms) = (at.hour(), at.minute(), at.second(), at.millisecond());
                if ms == 0 {
                    write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
                } else {
                    write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
                }
            }
            Err(_) => write!(f, "@{}ms", self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// ISO 8601 / RFC 3339 strings (the CLI's form) or epoch seconds (the wire form, including
    /// float notation such as `1.48E9`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp: an ISO 8601 string or epoch seconds")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse_rfc3339(v)
                    .ok_or_else(|| E::custom(format!("`{v}` is not an ISO 8601 timestamp with a time zone")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Timestamp::from_unix_seconds_f64(v).ok_or_else(|| E::custom(format!("epoch seconds {v} out of range")))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Timestamp, E> {
                v.checked_mul(1000).map(Timestamp).ok_or_else(|| E::custom(format!("epoch seconds {v} out of range")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Timestamp, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(|v| v.checked_mul(1000))
                    .map(Timestamp)
                    .ok_or_else(|| E::custom(format!("epoch seconds {v} out of range")))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Reads a string and hands it to `f` without allocating: borrowed from the text, or from the
/// deserializer's buffer when it had escapes to decode.
fn read_str<'de, D: Deserializer<'de>, T>(deserializer: D, f: impl FnOnce(&str) -> T) -> Result<T, D::Error> {
    struct Visitor<F>(F);
    impl<'de, T, F: FnOnce(&str) -> T> serde::de::Visitor<'de> for Visitor<F> {
        type Value = T;
        fn expecting(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
            out.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok((self.0)(v))
        }
    }
    deserializer.deserialize_str(Visitor(f))
}

macro_rules! aws_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant,)+
            /// A value this version of fsx-guard does not know.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }

            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                read_str(deserializer, $name::parse)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

aws_enum!(
    /// `FileSystemType`.
    FileSystemType { Openzfs = "OPENZFS", Windows = "WINDOWS", Lustre = "LUSTRE", Ontap = "ONTAP" }
);
aws_enum!(
    /// `BackupLifecycle`.
    BackupLifecycle {
        Available = "AVAILABLE",
        Creating = "CREATING",
        Transferring = "TRANSFERRING",
        Deleted = "DELETED",
        Failed = "FAILED",
        Pending = "PENDING",
        Copying = "COPYING",
    }
);
aws_enum!(
    /// `FileSystemLifecycle`.
    FileSystemLifecycle {
        Available = "AVAILABLE",
        Creating = "CREATING",
        Failed = "FAILED",
        Deleting = "DELETING",
        Misconfigured = "MISCONFIGURED",
        Updating = "UPDATING",
        MisconfiguredUnavailable = "MISCONFIGURED_UNAVAILABLE",
    }
);
aws_enum!(
    /// `VolumeLifecycle`.
    VolumeLifecycle {
        Creating = "CREATING",
        Created = "CREATED",
        Deleting = "DELETING",
        Failed = "FAILED",
        Misconfigured = "MISCONFIGURED",
        Pending = "PENDING",
        Available = "AVAILABLE",
    }
);
aws_enum!(
    /// `BackupType`.
    BackupType { Automatic = "AUTOMATIC", UserInitiated = "USER_INITIATED", AwsBackup = "AWS_BACKUP" }
);
aws_enum!(
    /// `StorageType`.
    StorageType { Ssd = "SSD", Hdd = "HDD", IntelligentTiering = "INTELLIGENT_TIERING" }
);

/// `Tags` as AWS returns them: a list of `{Key, Value}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// Tags by key. AWS forbids duplicate keys; the last one wins if a file has them anyway.
pub type Tags = BTreeMap<String, String>;

pub fn tags_from(list: Option<Vec<Tag>>) -> Tags {
    list.unwrap_or_default().into_iter().map(|tag| (tag.key, tag.value)).collect()
}

/// The tags of a file system, volume or backup: sorted by key, the last of a key given twice
/// winning (as [`Tags`] would), and shared. Backups carry their file system's tags
/// (`CopyTagsToBackups`), so an organisation's 300,000 backups hold a few thousand distinct tag
/// lists: the loader keeps one copy of each (see [`Interner`]), and a resource holds a pointer.
#[derive(Clone, Default)]
pub struct TagSet(Option<SharedTags>);

/// One tag list, shared: (key, value) sorted by key.
type SharedTags = std::sync::Arc<[(Box<str>, Box<str>)]>;

impl TagSet {
    /// From (key, value) pairs in any order; a key given twice keeps its last value.
    pub fn from_pairs<K: Into<Box<str>> + AsRef<str>, V: Into<Box<str>>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut list: Vec<(K, V)> = pairs.into_iter().collect();
        if list.is_empty() {
            return TagSet(None);
        }
        sort_last_wins(&mut list, |(k, _)| k.as_ref());
        TagSet(Some(list.into_iter().map(|(k, v)| (k.into(), v.into())).collect()))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        let list = self.0.as_deref()?;
        let at = list.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        list.get(at).map(|(_, v)| &**v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// (key, value), sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.as_deref().unwrap_or_default().iter().map(|(k, v)| (&**k, &**v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.as_deref().map_or(0, <[_]>::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// As a map (IAM's request context takes one).
    pub fn to_map(&self) -> Tags {
        self.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
}

/// Sorts by key, stable, then keeps the last of each run of equal keys.
fn sort_last_wins<T>(list: &mut Vec<T>, key: impl Fn(&T) -> &str) {
    list.sort_by(|a, b| key(a).cmp(key(b)));
    let mut out = 0;
    for i in 0..list.len() {
        let next_same = list.get(i + 1).is_some_and(|next| list.get(i).is_some_and(|this| key(this) == key(next)));
        if !next_same {
            list.swap(out, i);
            out += 1;
        }
    }
    list.truncate(out);
}

impl From<Tags> for TagSet {
    fn from(map: Tags) -> Self {
        TagSet::from_pairs(map)
    }
}

impl PartialEq for TagSet {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b) || a == b,
            (None, None) => true,
            _ => false,
        }
    }
}

impl Eq for TagSet {}

impl fmt::Debug for TagSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl serde::Serialize for TagSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// One `{Key, Value}` of an AWS tag list, borrowed from the text when it has no escapes.
#[derive(Deserialize)]
struct TagRef<'a> {
    #[serde(borrow, rename = "Key")]
    key: std::borrow::Cow<'a, str>,
    #[serde(borrow, default, rename = "Value")]
    value: std::borrow::Cow<'a, str>,
}

impl<'de> Deserialize<'de> for TagSet {
    /// AWS's list of `{Key, Value}`, read without allocating a string per tag, and interned when
    /// a [`Interner`] is active on this thread.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut list: Vec<TagRef<'de>> = Vec::deserialize(deserializer)?;
        if list.is_empty() {
            return Ok(TagSet(None));
        }
        sort_last_wins(&mut list, |t| &t.key);
        Ok(Interner::intern(&list))
    }
}

thread_local! {
    static INTERNED: std::cell::RefCell<Option<Interned>> = const { std::cell::RefCell::new(None) };
}

struct Interned {
    table: hashbrown::HashTable<(u64, SharedTags)>,
    strings: hashbrown::HashTable<std::sync::Arc<str>>,
    hasher: foldhash::fast::RandomState,
}

/// While one is alive, tag lists and [`Shared`] strings read on this thread are shared: equal
/// ones become one allocation. The loader holds one for the files it reads, so nothing outlives
/// a load.
pub struct Interner(());

impl Interner {
    pub fn start() -> Self {
        INTERNED.with(|cell| {
            *cell.borrow_mut() = Some(Interned {
                table: hashbrown::HashTable::new(),
                strings: hashbrown::HashTable::new(),
                hasher: foldhash::fast::RandomState::default(),
            });
        });
        Interner(())
    }

    fn intern(list: &[TagRef<'_>]) -> TagSet {
        let build = || -> SharedTags { list.iter().map(|t| (Box::from(&*t.key), Box::from(&*t.value))).collect() };
        let shared = INTERNED.with(|cell| {
            let mut guard = cell.borrow_mut();
            let interned = guard.as_mut()?;
            let hash = {
                use std::hash::{BuildHasher, Hasher};
                let mut h = interned.hasher.build_hasher();
                for t in list {
                    h.write(t.key.as_bytes());
                    h.write_u8(0xff);
                    h.write(t.value.as_bytes());
                    h.write_u8(0xff);
                }
                h.finish()
            };
            let same = |(h, set): &(u64, SharedTags)| {
                *h == hash
                    && set.len() == list.len()
                    && set.iter().zip(list).all(|((k, v), t)| **k == *t.key && **v == *t.value)
            };
            if let Some((_, set)) = interned.table.find(hash, same) {
                return Some(std::sync::Arc::clone(set));
            }
            let set = build();
            interned.table.insert_unique(hash, (hash, std::sync::Arc::clone(&set)), |(h, _)| *h);
            Some(set)
        });
        TagSet(Some(shared.unwrap_or_else(build)))
    }
}

impl Drop for Interner {
    fn drop(&mut self) {
        INTERNED.with(|cell| *cell.borrow_mut() = None);
    }
}

/// A string many resources repeat (an account id, a KMS key, a file system id on each of its
/// backups): read once per distinct value while an [`Interner`] is alive, then shared.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shared(std::sync::Arc<str>);

impl Shared {
    /// `text`, shared with an equal string read before when an [`Interner`] is alive.
    pub fn new(text: &str) -> Shared {
        let found = INTERNED.with(|cell| {
            let mut guard = cell.borrow_mut();
            let interned = guard.as_mut()?;
            let hash = std::hash::BuildHasher::hash_one(&interned.hasher, text);
            if let Some(found) = interned.strings.find(hash, |s| &**s == text) {
                return Some(std::sync::Arc::clone(found));
            }
            let fresh: std::sync::Arc<str> = std::sync::Arc::from(text);
            let hasher = &interned.hasher;
            interned
                .strings
                .insert_unique(hash, std::sync::Arc::clone(&fresh), |s| std::hash::BuildHasher::hash_one(hasher, &**s));
            Some(fresh)
        });
        Shared(found.unwrap_or_else(|| std::sync::Arc::from(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Shared {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Shared {
    fn from(text: &str) -> Self {
        Shared::new(text)
    }
}

impl From<String> for Shared {
    fn from(text: String) -> Self {
        Shared::new(&text)
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Shared {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Shared {
    /// Borrowed from the text when it has no escapes: no allocation for a value seen before.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_str(deserializer, Shared::new)
    }
}

/// The backup settings shared by `OpenZFSConfiguration`, `WindowsConfiguration`,
/// `LustreConfiguration` and `OntapConfiguration` (ONTAP has no `CopyTagsToBackups`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupSettings {
    pub automatic_backup_retention_days: Option<i64>,
    pub copy_tags_to_backups: Option<bool>,
    pub daily_automatic_backup_start_time: Option<String>,
    pub deployment_type: Option<String>,
    /// Lustre only: the legacy link to an S3 data repository (`ImportPath`/`ExportPath`). A file
    /// system linked this way cannot be backed up.
    pub data_repository_configuration: Option<DataRepositoryConfiguration>,
}

/// Lustre's `DataRepositoryConfiguration`: the fields that tell an S3 link exists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DataRepositoryConfiguration {
    pub import_path: Option<String>,
    pub export_path: Option<String>,
    pub lifecycle: Option<String>,
}

/// `FileSystem`, as `describe-file-systems` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawFileSystem {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    pub file_system_id: Option<String>,
    pub owner_id: Option<String>,
    pub file_system_type: Option<FileSystemType>,
    pub lifecycle: Option<FileSystemLifecycle>,
    pub storage_type: Option<StorageType>,
    #[serde(rename = "ResourceARN")]
    pub resource_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub creation_time: Option<Timestamp>,
    pub tags: Option<TagSet>,
    #[serde(rename = "OpenZFSConfiguration")]
    pub openzfs_configuration: Option<BackupSettings>,
    pub windows_configuration: Option<BackupSettings>,
    pub lustre_configuration: Option<BackupSettings>,
    pub ontap_configuration: Option<BackupSettings>,
}

/// The `FileSystem` nested in a `Backup`: only what identifies the source file system.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawBackupFileSystem {
    pub file_system_id: Option<Shared>,
    pub file_system_type: Option<FileSystemType>,
    pub owner_id: Option<Shared>,
    pub storage_type: Option<StorageType>,
}

/// The `Volume` nested in a `Backup` of an ONTAP volume (`ResourceType: VOLUME`), which carries
/// no `FileSystem`: what identifies the volume and its file system.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawBackupVolume {
    pub file_system_id: Option<Shared>,
    pub volume_id: Option<String>,
}

/// `OntapConfiguration` of a `Volume`: what decides whether and how it is backed up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawOntapVolumeConfiguration {
    pub storage_virtual_machine_root: Option<bool>,
    pub copy_tags_to_backups: Option<bool>,
    pub ontap_volume_type: Option<String>,
    pub storage_virtual_machine_id: Option<String>,
}

/// `Volume`, as `describe-volumes` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawVolume {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    pub volume_id: Option<String>,
    pub file_system_id: Option<String>,
    pub lifecycle: Option<VolumeLifecycle>,
    pub name: Option<String>,
    pub volume_type: Option<String>,
    #[serde(rename = "ResourceARN")]
    pub resource_arn: Option<String>,
    pub creation_time: Option<Timestamp>,
    pub tags: Option<TagSet>,
    pub ontap_configuration: Option<RawOntapVolumeConfiguration>,
}

/// `Backup`, as `describe-backups` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawBackup {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    pub backup_id: Option<String>,
    pub lifecycle: Option<BackupLifecycle>,
    #[serde(rename = "Type")]
    pub backup_type: Option<BackupType>,
    pub creation_time: Option<Timestamp>,
    pub kms_key_id: Option<Shared>,
    #[serde(rename = "ResourceARN")]
    pub resource_arn: Option<String>,
    pub tags: Option<TagSet>,
    pub file_system: Option<RawBackupFileSystem>,
    pub owner_id: Option<Shared>,
    pub source_backup_id: Option<String>,
    pub source_backup_region: Option<Shared>,
    pub resource_type: Option<Shared>,
    pub volume: Option<RawBackupVolume>,
}

/// Where a resource came from: an input file and a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// Index into `Inventory::sources`.
    pub source: usize,
    pub pointer: String,
}

/// A file system in the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSystem {
    pub arn: String,
    pub id: String,
    pub account: String,
    pub region: &'static str,
    pub partition: Partition,
    pub file_system_type: FileSystemType,
    pub storage_type: Option<StorageType>,
    /// `None` when the inventory lacks it (then the file system is judged as `AVAILABLE`).
    pub lifecycle: Option<FileSystemLifecycle>,
    pub creation_time: Option<Timestamp>,
    pub tags: TagSet,
    /// The type-specific configuration block, `None` when the inventory lacks it.
    pub backup_settings: Option<BackupSettings>,
    pub origin: Origin,
    /// Set for a file system read from infrastructure code: it does not exist yet (or not as
    /// planned), so it has no backups, and some of its values may be unknown before apply.
    pub planned: Option<Box<Planned>>,
}

impl FileSystem {
    /// Why `field` (an API field name such as `AutomaticBackupRetentionDays`) cannot be judged
    /// for a planned file system, if it cannot.
    pub fn unknown(&self, field: &str) -> Option<&str> {
        self.planned.as_ref()?.unknown.iter().find(|(f, _)| *f == field).map(|(_, why)| why.as_str())
    }
}

/// What infrastructure code says about a resource that rules need beyond its values: where it
/// is declared, what is not known before apply, and which values are defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The resource's address: Terraform's (`module.storage.aws_fsx_openzfs_file_system.home`)
    /// or `<template>#<LogicalId>` for CloudFormation.
    pub address: String,
    /// The kind of input: `terraform plan`, `terraform`, `cloudformation`.
    pub input: &'static str,
    /// The resource's ARN when the input knows it (a resource that already exists).
    pub arn: Option<String>,
    /// Fields (API names) whose value is not known before apply, with why.
    pub unknown: Vec<(&'static str, String)>,
    /// Fields (API names) the code leaves out, judged at a documented default: the value and
    /// whose default it is.
    pub defaulted: Vec<(&'static str, String)>,
    /// Where each field (API name) is set, for reports that point at a line.
    pub locations: Vec<(&'static str, Origin)>,
    /// Where the resource uses a field whose value is set elsewhere (`locations` points at a
    /// variable's literal; this at the attribute that reads the variable).
    pub related: Vec<(&'static str, Origin)>,
    /// Why the Region or the account is not known, when one is not.
    pub region_unknown: Option<String>,
    pub account_unknown: Option<String>,
}

impl Planned {
    /// Nothing known yet about a resource at `address` read from `input`.
    pub fn new(address: String, input: &'static str) -> Self {
        Planned {
            address,
            input,
            arn: None,
            unknown: Vec::new(),
            defaulted: Vec::new(),
            locations: Vec::new(),
            related: Vec::new(),
            region_unknown: None,
            account_unknown: None,
        }
    }

    pub fn location(&self, field: &str) -> Option<&Origin> {
        self.locations.iter().find(|(f, _)| *f == field).map(|(_, origin)| origin)
    }

    pub fn related(&self, field: &str) -> Option<&Origin> {
        self.related.iter().find(|(f, _)| *f == field).map(|(_, origin)| origin)
    }

    /// "planned resource (terraform plan `aws_fsx_openzfs_file_system.home`)".
    pub fn describe(&self) -> String {
        format!("planned resource ({} `{}`)", self.input, self.address)
    }
}

/// A volume in the inventory (ONTAP volumes are what ONTAP backs up).
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub arn: String,
    pub id: String,
    pub file_system_id: String,
    pub account: String,
    pub region: &'static str,
    pub partition: Partition,
    pub name: Option<String>,
    /// `ONTAP` or `OPENZFS`.
    pub volume_type: Option<String>,
    pub lifecycle: Option<VolumeLifecycle>,
    pub creation_time: Option<Timestamp>,
    pub ontap: Option<RawOntapVolumeConfiguration>,
    pub tags: TagSet,
    pub origin: Origin,
}

impl Volume {
    pub fn is_svm_root(&self) -> bool {
        self.ontap.as_ref().and_then(|c| c.storage_virtual_machine_root) == Some(true)
    }
}

/// A backup in the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub arn: String,
    pub id: String,
    /// Interned: every backup of an account shares it.
    pub account: Shared,
    pub region: &'static str,
    pub partition: Partition,
    pub lifecycle: BackupLifecycle,
    pub backup_type: BackupType,
    pub creation_time: Timestamp,
    pub kms_key_id: Option<Shared>,
    pub tags: TagSet,
    /// `FileSystem.FileSystemId`: the file system the backup (or, for a copy, its source) was
    /// taken of.
    pub file_system_id: Shared,
    /// `FileSystem.FileSystemType`, when given.
    pub file_system_type: Option<FileSystemType>,
    /// `Volume.VolumeId` for a backup of an ONTAP volume (`ResourceType: VOLUME`).
    pub volume_id: Option<String>,
    pub source_backup_id: Option<String>,
    pub source_backup_region: Option<&'static str>,
    pub origin: Origin,
}

impl Backup {
    /// A copy made by `CopyBackup`, in this Region or from another.
    pub fn is_copy(&self) -> bool {
        self.source_backup_id.is_some()
    }

    pub fn name(&self) -> Option<&str> {
        self.tags.get("Name")
    }
}

/// Whether `id` is one AWS could have issued, by the API model's pattern and length
/// (`FileSystemId`, `BackupId`, `VolumeId`): `prefix` and then at least `min_hex` lower-case hex
/// digits, at most `max_len` characters in all.
fn aws_id(id: &str, prefix: &str, min_hex: usize, max_len: usize) -> bool {
    id.len() <= max_len
        && id
            .strip_prefix(prefix)
            .is_some_and(|hex| hex.len() >= min_hex && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// `FileSystemId`: `^(fs-[0-9a-f]{8,})$`, 11 to 21 characters.
pub fn is_file_system_id(id: &str) -> bool {
    aws_id(id, "fs-", 8, 21)
}

/// `BackupId`: `^(backup-[0-9a-f]{8,})$`, 12 to 128 characters.
pub fn is_backup_id(id: &str) -> bool {
    aws_id(id, "backup-", 8, 128)
}

/// `VolumeId`: `^(fsvol-[0-9a-f]{17,})$`, 23 characters.
pub fn is_volume_id(id: &str) -> bool {
    aws_id(id, "fsvol-", 17, 23)
}

/// The operations whose failures `errors` records: (service, operation).
pub const OPERATIONS_READ: [(&str, &str); 7] = [
    ("fsx", "DescribeFileSystems"),
    ("fsx", "DescribeBackups"),
    ("fsx", "DescribeVolumes"),
    ("iam", "GetAccountAuthorizationDetails"),
    ("sts", "GetCallerIdentity"),
    ("account", "ListRegions"),
    ("fsx-guard", "collect"),
];

/// An operation as the API spells it (`DescribeBackups`), from that spelling or the CLI's
/// (`describe-backups`), with its service.
pub fn canonical_operation(text: &str) -> Option<(&'static str, &'static str)> {
    let squash = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let wanted = squash(text);
    OPERATIONS_READ.into_iter().find(|(_, op)| squash(op) == wanted)
}

/// An entry of the inventory's `errors`: something collection could not read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct CollectionError {
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub message: String,
    /// Where the entry is written, when it came from a file.
    #[serde(skip)]
    pub origin: Option<Origin>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_form() {
        let iso: Timestamp = serde_json::from_str("\"2026-11-25T06:00:00Z\"").unwrap();
        let offset: Timestamp = serde_json::from_str("\"2026-11-24T22:00:00.000000-08:00\"").unwrap();
        let epoch: Timestamp = serde_json::from_str("1795586400").unwrap();
        let float: Timestamp = serde_json::from_str("1.7955864E9").unwrap();
        assert_eq!(iso, offset);
        assert_eq!(iso, epoch);
        assert_eq!(iso, float);
        assert_eq!(iso.to_string(), "2026-11-25T06:00:00Z");
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
        assert!(serde_json::from_str::<Timestamp>("1e300").is_err());
        assert!(serde_json::from_str::<Timestamp>("\"2026-11-25T06:00:00\"").is_err());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// The fast reader of AWS's timestamp shape agrees with the general RFC 3339 parser on
        /// every string of about that shape: valid, invalid, and edge cases (leap days, offsets
        /// across midnight, nine and more fractional digits, years before 1970).
        #[test]
        fn fast_timestamps_agree_with_the_general_parser(
            text in "(19[0-9]{2}|20[0-9]{2}|2100|0000|9999)-(0[0-9]|1[0-3])-([0-3][0-9])[Tt ]([01][0-9]|2[0-5]):[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,12})?(Z|z|[+-]([01][0-9]|2[0-4]):[0-6][0-9]|)"
        ) {
            proptest::prop_assert_eq!(Timestamp::parse_rfc3339(&text), Timestamp::parse_rfc3339_slow(text.trim()), "{}", text);
        }
    }

    #[test]
    fn fast_timestamps_read_what_aws_writes() {
        for text in [
            "2025-05-31T05:12:09.123000+00:00",
            "2024-02-29T23:59:59Z",
            "2026-11-24T22:00:00.5-08:00",
            "1970-01-01T00:00:00Z",
        ] {
            assert!(fast_rfc3339(text.as_bytes()).is_some(), "{text}");
            assert_eq!(Timestamp::parse_rfc3339(text), Timestamp::parse_rfc3339_slow(text), "{text}");
        }
        assert_eq!(fast_rfc3339(b"2023-02-29T00:00:00Z"), None);
        assert_eq!(Timestamp::parse_rfc3339("2023-02-29T00:00:00Z"), None);
    }

    #[test]
    fn ids_follow_the_api_model_patterns() {
        assert!(is_file_system_id("fs-0123456789abcdef0"));
        assert!(is_file_system_id("fs-01234567"));
        assert!(!is_file_system_id("fs-0123456"));
        assert!(!is_file_system_id("fs-0123456789abcdef0\n::error title=ok::all good"));
        assert!(!is_file_system_id("fs-0123456789ABCDEF0"));
        assert!(!is_file_system_id("fs-0123456789abcdef0123"));
        assert!(is_backup_id("backup-0a00000000000a001"));
        assert!(!is_backup_id("backup-\u{1b}[2J"));
        assert!(is_volume_id("fsvol-0a1b2c3d4e5f60000"));
        assert!(!is_volume_id("fsvol-0a1b"));
    }

    #[test]
    fn tag_sets_sort_keep_the_last_of_a_key_and_share_equal_lists() {
        let text =
            r#"[{"Key": "b", "Value": "1"}, {"Key": "a", "Value": "x"}, {"Key": "b", "Value": "2"}, {"Key": "c"}]"#;
        let plain: TagSet = serde_json::from_str(text).unwrap();
        let map: Tags = serde_json::from_str::<Vec<Tag>>(text).map(Some).map(tags_from).unwrap();
        assert_eq!(plain.iter().collect::<Vec<_>>(), vec![("a", "x"), ("b", "2"), ("c", "")]);
        assert_eq!(plain.to_map(), map, "the same as the map the AWS list makes");
        assert_eq!(plain.get("b"), Some("2"));
        assert_eq!(plain.get("z"), None);
        assert_eq!(TagSet::from_pairs([("b", "1"), ("a", "x"), ("b", "2"), ("c", "")]), plain);
        assert!(serde_json::from_str::<TagSet>("[]").unwrap().is_empty());
        assert!(serde_json::from_str::<TagSet>(r#"[{"Value": "no key"}]"#).is_err());
        // Escaped text is decoded, not borrowed as written.
        let escaped: TagSet = serde_json::from_str(r#"[{"Key": "N\u0061me", "Value": "a\"b"}]"#).unwrap();
        assert_eq!(escaped.get("Name"), Some("a\"b"));

        let shared = |a: &TagSet, b: &TagSet| match (&a.0, &b.0) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        };
        let again: TagSet = serde_json::from_str(text).unwrap();
        assert!(!shared(&plain, &again), "no interner: separate lists");
        let interner = Interner::start();
        let one: TagSet = serde_json::from_str(text).unwrap();
        let two: TagSet = serde_json::from_str(
            r#"[{"Key": "a", "Value": "x"}, {"Key": "c", "Value": ""}, {"Key": "b", "Value": "2"}]"#,
        )
        .unwrap();
        let other: TagSet = serde_json::from_str(r#"[{"Key": "a", "Value": "y"}]"#).unwrap();
        assert!(shared(&one, &two), "equal lists are one allocation");
        assert!(!shared(&one, &other));
        assert_eq!(one, plain);
        drop(interner);
        let three: TagSet = serde_json::from_str(text).unwrap();
        assert!(!shared(&one, &three), "the interner ends with its guard");
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let lifecycle: BackupLifecycle = serde_json::from_str("\"ARCHIVED\"").unwrap();
        assert_eq!(lifecycle, BackupLifecycle::Other("ARCHIVED".into()));
    }
}
