//! Hash joins over the inventory, built once per run: each file system's own backups, and
//! backups by id. Rules look things up here instead of scanning.

use std::collections::HashMap;

use super::model::{Backup, FileSystem, Timestamp};
use super::{Account, Inventory};

/// Key of a file system: account, Region, file system id.
type FsKey<'a> = (&'a str, &'a str, &'a str);

pub struct Index<'a> {
    pub inventory: &'a Inventory,
    pub now: Timestamp,
    /// F's backups: in F's account and Region, `FileSystem.FileSystemId` = F, not copies,
    /// created no later than `now`; sorted by creation time, newest first.
    own_backups: HashMap<FsKey<'a>, Vec<&'a Backup>>,
    /// Every backup created no later than `now`, by (account, Region, backup id).
    by_id: HashMap<FsKey<'a>, &'a Backup>,
}

impl<'a> Index<'a> {
    pub fn build(inventory: &'a Inventory, now: Timestamp) -> Self {
        let mut own_backups: HashMap<FsKey<'a>, Vec<&'a Backup>> = HashMap::new();
        let mut by_id = HashMap::new();
        for account in inventory.accounts.values() {
            for backup in account.backups.iter().filter(|b| b.creation_time <= now) {
                by_id.insert((account.id.as_str(), backup.region, backup.id.as_str()), backup);
                if !backup.is_copy() {
                    own_backups
                        .entry((account.id.as_str(), backup.region, backup.file_system_id.as_str()))
                        .or_default()
                        .push(backup);
                }
            }
        }
        for list in own_backups.values_mut() {
            list.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then_with(|| a.arn.cmp(&b.arn)));
        }
        Index { inventory, now, own_backups, by_id }
    }

    pub fn accounts(&self) -> impl Iterator<Item = &'a Account> {
        self.inventory.accounts.values()
    }

    /// F's own backups (see the field's doc), newest first.
    pub fn backups_of<'s>(&'s self, fs: &'s FileSystem) -> &'s [&'a Backup] {
        self.own_backups.get(&(fs.account.as_str(), fs.region, fs.id.as_str())).map_or(&[], Vec::as_slice)
    }

    pub fn backup<'s>(&'s self, account: &'s str, region: &'s str, id: &'s str) -> Option<&'a Backup> {
        self.by_id.get(&(account, region, id)).copied()
    }
}
