//! The inventory: file systems, backups and IAM of one or more accounts, with what could and
//! could not be collected.

pub mod backup_plan;
pub mod iam;
pub mod index;
pub mod model;
pub mod source;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use crate::regions::Partition;
use crate::span::{self, NodeSpan};
pub use index::Index;
pub use model::{Backup, CollectionError, FileSystem, Origin, Timestamp, Volume};
/// Live collection is one of the sources (`source/live.rs`); kept at its old path too.
pub use source::live;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Json,
    Yaml,
    /// Terraform's HCL: positions are byte spans written as `@start-end` (see [`hcl_pointer`]).
    Hcl,
}

/// The "pointer" of a byte span in an HCL file: HCL has no JSON pointers, so origins there
/// carry their span.
pub fn hcl_pointer(start: usize, end: usize) -> String {
    format!("@{start}-{end}")
}

/// An input file, kept for positions in reports and diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it.
    pub path: String,
    pub text: Arc<String>,
    pub format: SourceFormat,
    /// Infrastructure code (Terraform, CloudFormation), which lives in the repository; else a
    /// saved inventory or AWS CLI output.
    pub code: bool,
    /// SHA-256 of `text`, once the loader computed it (on another thread; for a file read in
    /// place, possibly after the rules ran: see [`source::Unsettled`]).
    pub sha256: OnceLock<String>,
    /// Set when `text` was let go after loading (see [`Inventory::release_texts`]): it is read
    /// again from `path` when a report needs a position, and used only if its SHA-256 is still
    /// `sha256`.
    pub released: bool,
    /// Where each file system and volume of a large JSON input is (JSON pointer → place), found
    /// on another core while the loader parsed it: reports name them, and finding them later
    /// would read the whole file again. Unset for other inputs (found when asked).
    pub located: OnceLock<Arc<HashMap<String, span::Place>>>,
}

/// The lists whose entries are located while a large input loads ([`SourceFile::located`]).
pub const LOCATED_LISTS: [&str; 4] =
    ["/accounts/*/regions/*/FileSystems/*", "/accounts/*/regions/*/Volumes/*", "/FileSystems/*", "/Volumes/*"];

impl SourceFile {
    /// This file with its text: itself, or, when the text was released, the file read again
    /// from disk; `None` when it cannot be read or is no longer what was loaded.
    pub fn with_text(&self) -> Option<std::borrow::Cow<'_, SourceFile>> {
        if !self.released {
            return Some(std::borrow::Cow::Borrowed(self));
        }
        let text = std::fs::read_to_string(&self.path).ok()?;
        if self.sha256.get().map(String::as_str) != Some(source::sha256_hex(text.as_bytes()).as_str()) {
            return None;
        }
        Some(std::borrow::Cow::Owned(SourceFile { text: Arc::new(text), released: false, ..self.clone() }))
    }

    /// As [`SourceFile::with_text`], but this file as it is (a released text is empty: nothing
    /// is placed) when the file can no longer be read as it was.
    pub fn with_text_or_released(&self) -> std::borrow::Cow<'_, SourceFile> {
        self.with_text().unwrap_or(std::borrow::Cow::Borrowed(self))
    }

    /// Byte spans of the given JSON pointers (one pass over the file).
    pub fn spans<'a>(&self, pointers: impl IntoIterator<Item = &'a str>) -> HashMap<String, NodeSpan> {
        let wanted: Vec<&str> = pointers.into_iter().collect();
        match self.format {
            SourceFormat::Json => span::resolve_json_pointers(&self.text, &wanted),
            SourceFormat::Hcl => wanted
                .into_iter()
                .filter_map(|p| {
                    let (start, end) = p.strip_prefix('@')?.split_once('-')?;
                    let span = span::ByteSpan::new(start.parse().ok()?, end.parse().ok()?);
                    Some((p.to_string(), NodeSpan { key: None, value: span }))
                })
                .collect(),
            SourceFormat::Yaml => {
                let all = crate::yaml::node_spans(&self.text).unwrap_or_default();
                wanted
                    .into_iter()
                    .filter_map(|p| {
                        // CloudFormation's short forms (`!If [..]`) have no `Fn::If` node: the
                        // pointer without the function's name finds the tagged node.
                        all.get(p).or_else(|| all.get(&without_intrinsics(p))).map(|node| (p.to_string(), *node))
                    })
                    .collect()
            }
        }
    }
}

/// Sorts an account's backups by ARN, stably (the same ARN twice keeps the order it was read
/// in: the first read is the one kept), without comparing ARNs
/// (70 bytes each, every one behind a pointer) at each of the n·log n steps and without moving
/// whole backups at each: an ARN is its Region's prefix (`arn:aws:fsx:us-east-1:111122223333:backup/`)
/// and the id, and no prefix begins another, so ARN order is (prefix, id). Each backup gets a
/// 16-byte key (its prefix's rank, the id's first 8 bytes after `backup-`), the keys are sorted,
/// ties compared whole, and the backups moved once into place (xl, 1.04M backups: 0.27 → 0.20 s).
fn sort_backups(backups: &mut [Backup]) {
    let fallback = |backups: &mut [Backup]| backups.sort_by(|a, b| a.arn.cmp(&b.arn));
    if backups.len() < 4096 || u32::try_from(backups.len()).is_err() {
        return fallback(backups);
    }
    // Each distinct prefix numbered as first seen, each backup's number kept: one lookup each.
    let mut seen: std::collections::HashMap<&str, u32, foldhash::fast::RandomState> = Default::default();
    let mut numbers: Vec<u32> = Vec::with_capacity(backups.len());
    let mut all_backup_ids = true;
    for backup in backups.iter() {
        match backup.arn.strip_suffix(backup.id.as_str()) {
            // A prefix must end where the id begins: `…:backup/`.
            Some(p) if p.ends_with('/') => {
                let next = seen.len() as u32;
                numbers.push(*seen.entry(p).or_insert(next));
                all_backup_ids &= backup.id.starts_with("backup-");
            }
            _ => return fallback(backups),
        }
    }
    let mut names: Vec<(&str, u32)> = seen.into_iter().collect();
    names.sort_unstable();
    // A prefix that begins another would break the (prefix, id) order: never for real ARNs.
    if names.windows(2).any(|w| matches!(w, [(a, _), (b, _)] if b.starts_with(a))) {
        return fallback(backups);
    }
    // Rank of each first-seen number: its prefix's place in sorted order.
    let mut rank_of = vec![0u32; names.len()];
    for (rank, (_, number)) in names.iter().enumerate() {
        if let Some(slot) = rank_of.get_mut(*number as usize) {
            *slot = rank as u32;
        }
    }
    let skip = if all_backup_ids { "backup-".len() } else { 0 };
    let head = |id: &str| {
        let mut bytes = [0u8; 8];
        for (slot, byte) in bytes.iter_mut().zip(id.as_bytes().iter().skip(skip)) {
            *slot = *byte;
        }
        u64::from_be_bytes(bytes)
    };
    let keys_of = backups.iter().zip(numbers).enumerate().map(|(i, (backup, number))| {
        (rank_of.get(number as usize).copied().unwrap_or(u32::MAX), head(&backup.id), i as u32)
    });
    let mut keys: Vec<(u32, u64, u32)> = keys_of.collect();
    sort_on_two_cores(&mut keys, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    // Equal keys (ids alike in their first 8 characters): by the whole id.
    let mut start = 0;
    while start < keys.len() {
        let key = keys.get(start).map(|k| (k.0, k.1));
        let run =
            keys.get(start..).map_or(0, |rest| rest.iter().take_while(|k| Some((k.0, k.1)) == key).count()).max(1);
        if run > 1
            && let Some(tied) = keys.get_mut(start..start + run)
        {
            tied.sort_unstable_by(|a, b| {
                let id = |k: &(u32, u64, u32)| backups.get(k.2 as usize).map(|b| b.id.as_str());
                id(a).cmp(&id(b)).then(a.2.cmp(&b.2))
            });
        }
        start += run;
    }
    // Moved into place cycle by cycle: position k takes the backup that was at `order[k]`.
    let mut order: Vec<u32> = keys.into_iter().map(|k| k.2).collect();
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        let mut k = start;
        while let Some(slot) = order.get_mut(k) {
            let from = std::mem::replace(slot, DONE);
            if from == DONE || from as usize == start {
                break;
            }
            backups.swap(k, from as usize);
            k = from as usize;
        }
    }
}

/// Sorts a long list on two cores: split in place at its median, then each half on its own
/// core (an organisation's 300,000 backups: 0.11 s on one). The order is `sort_unstable_by`'s
/// for lists whose keys are unique, as ARNs are once merged.
fn sort_on_two_cores<T: Send>(list: &mut [T], compare: impl Fn(&T, &T) -> std::cmp::Ordering + Sync) {
    const ALONE_BELOW: usize = 50_000;
    if list.len() < ALONE_BELOW {
        list.sort_unstable_by(&compare);
        return;
    }
    let middle = list.len() / 2;
    list.select_nth_unstable_by(middle, &compare);
    let (low, high) = list.split_at_mut(middle);
    let sorted = std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, || high.sort_unstable_by(&compare)).ok();
        low.sort_unstable_by(&compare);
        other.is_some_and(|t| t.join().is_ok())
    });
    // Sorted here when no thread could be started or it failed.
    if !sorted {
        high.sort_unstable_by(&compare);
    }
}

/// A JSON pointer without CloudFormation function names (`/Fn::If/1` → `/1`, `/Ref` → ``).
fn without_intrinsics(pointer: &str) -> String {
    pointer
        .split('/')
        .filter(|token| !(token.starts_with("Fn::") || *token == "Ref" || *token == "Condition"))
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether some data was collected, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collected {
    Yes,
    No(String),
}

/// Which list of an inventory a resource came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataKind {
    FileSystems,
    Backups,
    Volumes,
    Iam,
}

/// A resource fsx-guard could not understand (a missing field AWS always returns, an ARN or
/// owner that does not fit, a value of the wrong type). It is reported with its position, left
/// out of the inventory, and makes `error` of every result it could have changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub kind: DataKind,
    /// The Region it was listed in or names; `None` when even that is unknown (then it could
    /// be anywhere in its account).
    pub region: Option<&'static str>,
    /// The file system it belongs to, when known; `None`: any file system of its Region.
    pub file_system: Option<String>,
    /// Its own ARN, or its id, when known.
    pub resource: Option<String>,
    pub reason: String,
    pub origin: Origin,
}

impl Unreadable {
    /// "`backup-1` (tests/x.json /accounts/0/...) could not be read: reason".
    pub fn describe(&self, sources: &[SourceFile]) -> String {
        let file = sources.get(self.origin.source).map_or("?", |s| s.path.as_str());
        let what = match self.kind {
            DataKind::FileSystems => "a file system",
            DataKind::Backups => "a backup",
            DataKind::Volumes => "a volume",
            DataKind::Iam => "an IAM entry",
        };
        match &self.resource {
            Some(resource) => {
                format!("{what} (`{resource}`, {file} at `{}`) could not be read: {}", self.origin.pointer, self.reason)
            }
            None => format!("{what} ({file} at `{}`) could not be read: {}", self.origin.pointer, self.reason),
        }
    }
}

/// One AWS account's part of the inventory.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub partition: Partition,
    pub file_systems: Vec<FileSystem>,
    pub backups: Vec<Backup>,
    pub volumes: Vec<Volume>,
    /// Regions whose file systems were read (an empty list counts).
    pub file_systems_collected: BTreeSet<&'static str>,
    /// Regions whose backups were read.
    pub backups_collected: BTreeSet<&'static str>,
    /// Regions whose volumes were read.
    pub volumes_collected: BTreeSet<&'static str>,
    /// Every Region the inputs mention for this account (a Region block, or a resource's ARN),
    /// whatever was collected there: a Region with backups but no `FileSystems` list is one
    /// whose file systems were not collected.
    pub regions_seen: BTreeSet<&'static str>,
    pub iam: Option<iam::Iam>,
    pub errors: Vec<CollectionError>,
    /// Resources of this account that could not be understood.
    pub unreadable: Vec<Unreadable>,
    /// The first of `unreadable` by (kind, Region or any, file system or any), built once, so
    /// that asking about every file system stays linear however many resources are odd.
    unreadable_index: HashMap<(DataKind, Option<&'static str>, Option<String>), usize>,
}

impl Account {
    fn new(id: &str, partition: Partition) -> Self {
        Account {
            id: id.to_string(),
            partition,
            file_systems: Vec::new(),
            backups: Vec::new(),
            volumes: Vec::new(),
            file_systems_collected: BTreeSet::new(),
            backups_collected: BTreeSet::new(),
            volumes_collected: BTreeSet::new(),
            regions_seen: BTreeSet::new(),
            iam: None,
            errors: Vec::new(),
            unreadable: Vec::new(),
            unreadable_index: HashMap::new(),
        }
    }

    fn index_unreadable(&mut self) {
        self.unreadable_index.clear();
        for (i, u) in self.unreadable.iter().enumerate() {
            self.unreadable_index.entry((u.kind, u.region, u.file_system.clone())).or_insert(i);
        }
    }

    /// An unreadable resource of `kind` that might belong to `file_system` in `region`: one of
    /// that file system, of an unknown file system in that Region, or of an unknown Region.
    pub fn unreadable_for(&self, kind: DataKind, region: &str, file_system: &str) -> Option<&Unreadable> {
        let region = crate::regions::intern(region);
        let keys = [
            (kind, region, Some(file_system.to_string())),
            (kind, region, None),
            (kind, None, Some(file_system.to_string())),
            (kind, None, None),
        ];
        keys.iter().filter_map(|k| self.unreadable_index.get(k)).min().and_then(|i| self.unreadable.get(*i))
    }

    /// An unreadable backup that might belong to `file_system` in `region` (its own backup or a
    /// copy of one), if any.
    pub fn unreadable_backup(&self, region: &str, file_system: &str) -> Option<&Unreadable> {
        self.unreadable_for(DataKind::Backups, region, file_system)
    }

    /// Unreadable entries of one kind, in `region` or anywhere (`None`).
    pub fn unreadable_of(&self, kind: DataKind, region: Option<&str>) -> impl Iterator<Item = &Unreadable> {
        self.unreadable
            .iter()
            .filter(move |u| u.kind == kind && region.is_none_or(|want| u.region.is_none_or(|r| r == want)))
    }

    /// The recorded collection error that makes `operation` in `region` unreadable, if any.
    ///
    /// An entry without a Region stands for every Region; one without an operation for every
    /// FSx operation (the loader has already put operations in the API's spelling).
    pub fn failure(&self, region: &str, operation: &str) -> Option<&CollectionError> {
        self.errors.iter().find(|e| {
            e.region.as_deref().is_none_or(|r| r == region)
                && e.service.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("fsx") || s == "fsx-guard")
                && e.operation.as_deref().is_none_or(|op| op == operation || op == "collect")
        })
    }

    /// The recorded failure that makes this account's IAM incomplete, if any: even with some IAM
    /// present, a principal it left out might be allowed.
    pub fn iam_failure(&self) -> Option<&CollectionError> {
        self.errors.iter().find(|e| {
            e.service.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("iam"))
                || e.operation.as_deref() == Some("GetAccountAuthorizationDetails")
        })
    }

    /// Whether a recorded failure has no Region: it stands for every Region.
    pub fn failed_everywhere(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.region.is_none() && e.service.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("fsx")))
    }

    fn collected(&self, set: &BTreeSet<&'static str>, region: &str, operation: &str, what: &str) -> Collected {
        if let Some(e) = self.failure(region, operation) {
            let op = e.operation.as_deref().unwrap_or("collection");
            return Collected::No(format!("{op} failed in {region}: {}", e.message));
        }
        if set.contains(region) {
            Collected::Yes
        } else {
            Collected::No(format!("{what} of account {} in {region} were not collected", self.id))
        }
    }

    pub fn file_systems_in(&self, region: &str) -> Collected {
        self.collected(&self.file_systems_collected, region, "DescribeFileSystems", "file systems")
    }

    pub fn backups_in(&self, region: &str) -> Collected {
        self.collected(&self.backups_collected, region, "DescribeBackups", "backups")
    }

    pub fn volumes_in(&self, region: &str) -> Collected {
        self.collected(&self.volumes_collected, region, "DescribeVolumes", "volumes")
    }

    /// Regions with a recorded FSx collection error.
    pub fn failed_regions(&self) -> BTreeSet<&str> {
        self.errors
            .iter()
            .filter(|e| e.service.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("fsx")))
            .filter_map(|e| e.region.as_deref())
            .collect()
    }
}

/// Everything the rules are evaluated on.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub sources: Vec<SourceFile>,
    /// The latest `collected_at` of the documents given.
    pub collected_at: Option<Timestamp>,
    /// The `collector` records of the documents given (who collected, where, how many calls).
    pub collectors: Vec<serde_json::Value>,
    pub accounts: BTreeMap<String, Account>,
    /// Resources that could not be placed in any account: they could be anywhere.
    pub unplaced: Vec<Unreadable>,
    /// What could not be understood, one warning per file, for stderr.
    pub warnings: Vec<Arc<crate::diag::FileWarning>>,
    /// AWS Backup plans, selections and vaults declared in infrastructure code.
    pub backup_plans: backup_plan::BackupPlans,
    /// IAM users and roles declared in infrastructure code: (ARN, address).
    pub planned_principals: Vec<(String, String)>,
}

impl Inventory {
    /// The address of a principal declared in infrastructure code, by its ARN.
    pub fn principal_address(&self, arn: &str) -> Option<&str> {
        self.planned_principals.iter().find(|(a, _)| a == arn).map(|(_, address)| address.as_str())
    }

    /// The ARN of a principal declared in infrastructure code, by its address.
    pub fn principal_arn(&self, address: &str) -> Option<&str> {
        self.planned_principals.iter().find(|(_, a)| a == address).map(|(arn, _)| arn.as_str())
    }
}

impl Inventory {
    pub fn account_mut(&mut self, id: &str, partition: Partition) -> &mut Account {
        self.accounts.entry(id.to_string()).or_insert_with(|| Account::new(id, partition))
    }

    /// Sorts resources so that every later step is deterministic.
    fn finish(&mut self) {
        for account in self.accounts.values_mut() {
            account.unreadable.extend(self.unplaced.iter().cloned());
            account.index_unreadable();
            // File system and volume ARNs are unique within an account once merged: an unstable
            // sort gives the same order. Backups may still repeat (merged once sorted): theirs
            // keeps the order they were read in.
            account.file_systems.sort_unstable_by(|a, b| a.arn.cmp(&b.arn));
            sort_backups(&mut account.backups);
            account.volumes.sort_unstable_by(|a, b| a.arn.cmp(&b.arn));
        }
    }

    pub fn file_system_count(&self) -> usize {
        self.accounts.values().map(|a| a.file_systems.len()).sum()
    }

    /// Lets go of the text of saved JSON inventories of at least `min_bytes` read from files
    /// and hashed: once loaded, only reports that place a resource need it, and they read the
    /// file again ([`SourceFile::with_text`]). An organisation's inventory is most of a run's
    /// memory otherwise. Live collections and infrastructure code keep theirs.
    pub fn release_texts(&mut self, min_bytes: usize) {
        for file in &mut self.sources {
            let releasable = file.format == SourceFormat::Json
                && !file.code
                && file.sha256.get().is_some()
                && file.text.len() >= min_bytes
                && std::path::Path::new(&file.path).is_file();
            if releasable {
                file.text = Arc::new(String::new());
                file.released = true;
            }
        }
    }

    pub fn backup_count(&self) -> usize {
        self.accounts.values().map(|a| a.backups.len()).sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::engine::test_support::{NOW, backup};
    use proptest::prelude::*;

    /// Backups whose ARNs mix partitions and Regions (prefixes of different lengths), and ids
    /// alike in their first 8 hex digits (two digits only), of different lengths; the same ARN
    /// may come twice (each backup's pointer is its place in the list: which one came first).
    fn backups(specs: &[(u8, String)]) -> Vec<Backup> {
        const PREFIXES: [(&str, &str); 5] = [
            ("aws", "us-east-1"),
            ("aws", "us-east-2"),
            ("aws", "ap-southeast-1"),
            ("aws-cn", "cn-north-1"),
            ("aws-us-gov", "us-gov-west-1"),
        ];
        let mut list = Vec::new();
        for (i, (prefix, digits)) in specs.iter().enumerate() {
            let (partition, region) = PREFIXES[usize::from(*prefix) % PREFIXES.len()];
            let mut b = backup(&format!("backup-{digits}"), "fs-0123456789abcdef0", NOW, "AVAILABLE", "AUTOMATIC");
            b.arn = format!("arn:{partition}:fsx:{region}:111122223333:backup/{}", b.id);
            b.origin.pointer = i.to_string();
            list.push(b);
        }
        list
    }

    /// Each backup's ARN and the place it was read at.
    fn arns(list: &[Backup]) -> Vec<(&str, &str)> {
        list.iter().map(|b| (b.arn.as_str(), b.origin.pointer.as_str())).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn backups_sorted_by_key_are_in_arn_order_stably(specs in prop::collection::vec((0u8..5, "[01]{8,12}"), 4096..6000)) {
            let mut keyed = backups(&specs);
            let mut plain = keyed.clone();
            plain.sort_by(|a, b| a.arn.cmp(&b.arn));
            sort_backups(&mut keyed);
            prop_assert_eq!(arns(&keyed), arns(&plain));
        }
    }

    #[test]
    fn a_long_list_with_many_ties_and_an_arn_not_ending_in_its_id_sorts_by_arn() {
        // Past the two-core threshold for the keys; ids share their first 8 digits in threes, and
        // some end there (a prefix of the others), in scrambled order.
        let mut specs: Vec<(u8, String)> = (0..70_000u32)
            .map(|n| n.wrapping_mul(2_654_435_761) % 70_000)
            .map(|i| {
                (
                    ((i / 3) % 5) as u8,
                    format!("{:08x}{}", i / 3, if i % 7 == 0 { String::new() } else { (i % 3).to_string() }),
                )
            })
            .collect();
        // And 500 of them read again, later.
        specs.extend(specs[1_000..1_500].to_vec());
        let mut keyed = backups(&specs);
        let mut plain = keyed.clone();
        plain.sort_by(|a, b| a.arn.cmp(&b.arn));
        sort_backups(&mut keyed);
        assert_eq!(arns(&keyed), arns(&plain));
        assert!(keyed.windows(2).any(|w| w[0].arn == w[1].arn), "the same ARN twice, in the order read");
        // An ARN that does not end in the backup's id: the whole list is sorted by ARN.
        keyed.reverse();
        keyed[10].arn = "arn:aws:fsx:us-east-1:111122223333:backup/backup-zzz".into();
        let mut plain = keyed.clone();
        plain.sort_by(|a, b| a.arn.cmp(&b.arn));
        sort_backups(&mut keyed);
        assert_eq!(arns(&keyed), arns(&plain));
    }
}
