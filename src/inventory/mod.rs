//! The inventory: file systems, backups and IAM of one or more accounts, with what could and
//! could not be collected.

pub mod fixture;
pub mod iam;
pub mod index;
pub mod live;
pub mod model;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::regions::Partition;
use crate::span::{self, NodeSpan};
pub use index::Index;
pub use model::{Backup, CollectionError, FileSystem, Origin, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Json,
    Yaml,
}

/// An input file, kept for positions in reports and diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it.
    pub path: String,
    pub text: Arc<String>,
    pub format: SourceFormat,
}

impl SourceFile {
    /// Byte spans of the given JSON pointers (one pass over the file).
    pub fn spans<'a>(&self, pointers: impl IntoIterator<Item = &'a str>) -> HashMap<String, NodeSpan> {
        let wanted: Vec<&str> = pointers.into_iter().collect();
        match self.format {
            SourceFormat::Json => span::resolve_json_pointers(&self.text, &wanted),
            SourceFormat::Yaml => {
                let all = crate::yaml::node_spans(&self.text).unwrap_or_default();
                wanted.into_iter().filter_map(|p| all.get(p).map(|node| (p.to_string(), *node))).collect()
            }
        }
    }
}

/// Whether some data was collected, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Collected {
    Yes,
    No(String),
}

/// One AWS account's part of the inventory.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub partition: Partition,
    pub file_systems: Vec<FileSystem>,
    pub backups: Vec<Backup>,
    /// Regions whose file systems were read (an empty list counts).
    pub file_systems_collected: BTreeSet<&'static str>,
    /// Regions whose backups were read.
    pub backups_collected: BTreeSet<&'static str>,
    pub iam: Option<iam::Iam>,
    pub errors: Vec<CollectionError>,
}

impl Account {
    fn new(id: &str, partition: Partition) -> Self {
        Account {
            id: id.to_string(),
            partition,
            file_systems: Vec::new(),
            backups: Vec::new(),
            file_systems_collected: BTreeSet::new(),
            backups_collected: BTreeSet::new(),
            iam: None,
            errors: Vec::new(),
        }
    }

    /// The recorded collection error that makes `operation` in `region` unreadable, if any.
    pub fn failure(&self, region: &str, operation: &str) -> Option<&CollectionError> {
        self.errors.iter().find(|e| {
            e.region.as_deref() == Some(region)
                && e.service.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("fsx"))
                && e.operation.as_deref().is_none_or(|op| op == operation)
        })
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
    pub accounts: BTreeMap<String, Account>,
}

impl Inventory {
    pub fn account_mut(&mut self, id: &str, partition: Partition) -> &mut Account {
        self.accounts.entry(id.to_string()).or_insert_with(|| Account::new(id, partition))
    }

    /// Sorts resources so that every later step is deterministic.
    fn finish(&mut self) {
        for account in self.accounts.values_mut() {
            account.file_systems.sort_by(|a, b| a.arn.cmp(&b.arn));
            account.backups.sort_by(|a, b| a.arn.cmp(&b.arn));
        }
    }

    pub fn file_system_count(&self) -> usize {
        self.accounts.values().map(|a| a.file_systems.len()).sum()
    }

    pub fn backup_count(&self) -> usize {
        self.accounts.values().map(|a| a.backups.len()).sum()
    }
}
