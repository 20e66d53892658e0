//! The inventory document (what `collect` writes): accounts, Region blocks and `errors`, each
//! resource checked against the place it is listed in.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::resource::Placement;
use super::wire::{Chunked, IamLists};
use super::{FileLoader, Resource, merge_iam};
use crate::arn;
use crate::diag::Problem;
use crate::inventory::Inventory;
use crate::inventory::model::{CollectionError, Origin, RawBackup, RawFileSystem, RawVolume};
use crate::regions::{self, Partition};
use crate::span;

#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[serde(deny_unknown_fields)]
pub(super) struct AccountDocument {
    pub(super) account_id: String,
    pub(super) partition: Option<String>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub(super) regions: BTreeMap<String, RegionDocument>,
    pub(super) iam: Option<IamLists>,
    #[serde(default)]
    pub(super) errors: Vec<CollectionError>,
}

/// A Region block of fsx-guard's own document format: an unknown key (`Filesystems`) is a typo
/// that would make the list look uncollected, so it is an input error naming the keys allowed.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[serde(deny_unknown_fields)]
pub(super) struct RegionDocument {
    #[serde(rename = "FileSystems")]
    pub(super) file_systems: Option<Vec<RawFileSystem>>,
    #[serde(rename = "Backups")]
    pub(super) backups: Option<Chunked<RawBackup>>,
    #[serde(rename = "Volumes")]
    pub(super) volumes: Option<Vec<RawVolume>>,
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

impl FileLoader {
    pub(super) fn document_account(&mut self, index: usize, doc: AccountDocument, inventory: &mut Inventory) {
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
        // Sized once for every Region: 300,000 backups grown list by list would be copied (and
        // their memory touched) several times.
        let (file_systems, backups) = regions_seen.iter().fold((0, 0), |(f, b), (_, region_doc, _)| {
            (
                f + region_doc.file_systems.as_ref().map_or(0, Vec::len),
                b + region_doc.backups.as_ref().map_or(0, Chunked::len),
            )
        });
        account.file_systems.reserve(file_systems);
        account.backups.reserve(backups);
        self.merged.seen.reserve(file_systems);
        for ((region, _), region_doc, pointer) in regions_seen {
            let place = Placement { account: &placement_account, region, partition };
            inventory.account_mut(&doc.account_id, partition).regions_seen.insert(region);
            if let Some(list) = region_doc.file_systems {
                inventory.account_mut(&doc.account_id, partition).file_systems_collected.insert(region);
                for (i, raw) in list.into_iter().enumerate() {
                    if let Some(fs) = self.file_system(raw, &format!("{pointer}/FileSystems/{i}"), Some(place)) {
                        self.add(inventory, Resource::FileSystem(fs));
                    }
                }
            }
            if let Some(list) = region_doc.volumes {
                inventory.account_mut(&doc.account_id, partition).volumes_collected.insert(region);
                for (i, raw) in list.into_iter().enumerate() {
                    if let Some(v) = self.volume(raw, &format!("{pointer}/Volumes/{i}"), Some(place)) {
                        self.add(inventory, Resource::Volume(v));
                    }
                }
            }
            if let Some(list) = region_doc.backups {
                inventory.account_mut(&doc.account_id, partition).backups_collected.insert(region);
                self.backups_in_order(list, &format!("{pointer}/Backups"), Some(place), |loader, b| {
                    loader.add(inventory, Resource::Backup(b));
                });
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
                match crate::inventory::model::canonical_operation(operation) {
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
                            crate::inventory::model::OPERATIONS_READ
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
}
