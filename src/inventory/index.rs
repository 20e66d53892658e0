//! Hash joins over the inventory, built once per run: each file system's own backups, backups by
//! id, and each file system's copies. Rules look things up here instead of scanning.

/// The index's maps are keyed by ids and ARNs from the inventory, hashed millions of times per
/// run: foldhash, seeded per process (SipHash was 5% of a large run).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use super::model::{Backup, FileSystem, Timestamp, Volume};
use super::{Account, Inventory};

/// Key of a file system: account, Region, file system id.
pub type FsKey<'a> = (&'a str, &'a str, &'a str);

/// (account, Region) of each copy, by (source Region, file system id).
type CopyAccounts<'a> = HashMap<(&'a str, &'a str), Vec<(&'a str, &'a str)>>;

/// A copy of one of F's backups (made by `CopyBackup`, in any Region of F's account).
#[derive(Debug, Clone, Copy)]
pub struct Copy<'a> {
    pub backup: &'a Backup,
    /// The source backup's `CreationTime`; `None` when the source is no longer in the inventory
    /// (then the recovery point is unknown but no later than the copy's own `CreationTime`).
    pub recovery_point: Option<Timestamp>,
    /// The ONTAP volume the copied backup was taken of, when it is a volume backup.
    pub volume: Option<&'a str>,
}

pub struct Index<'a> {
    pub inventory: &'a Inventory,
    pub now: Timestamp,
    /// F's backups: in F's account and Region, `FileSystem.FileSystemId` = F, not copies,
    /// created no later than `now`; sorted by creation time, newest first.
    own_backups: HashMap<FsKey<'a>, Vec<&'a Backup>>,
    /// Every backup created no later than `now`, by (account, Region) and then backup id.
    by_id: ById<'a>,
    /// F's copies by (account, F's Region, F's id), oldest first. A copy belongs to F through
    /// `SourceBackupId` → source backup → its file system, or, when the source is gone, through
    /// the copy's own `FileSystem.FileSystemId`. Copies of copies are left out.
    copies: HashMap<FsKey<'a>, Vec<Copy<'a>>>,
    /// Accounts holding copies of (source Region, file system id): copies that AWS Backup made in
    /// other accounts, which FSx's `CopyBackup` cannot and so never count.
    copy_accounts: CopyAccounts<'a>,
    /// Volumes by (account, Region, file system id).
    volumes: HashMap<FsKey<'a>, Vec<&'a Volume>>,
    /// Backups, and copies of backups, of file systems that are not in the inventory (deleted,
    /// or not collected), by (account, the file system's Region, its id), sorted.
    orphans: Vec<(FsKey<'a>, Vec<&'a Backup>)>,
}

/// Backups by (account, Region), then by id: a small map of a few dozen Regions, each a map of
/// ids alone (24 bytes a slot rather than 56 for one map of three-string keys: 27 MB instead of
/// 64 on `xl`, and one string hashed per lookup instead of three).
struct ById<'a> {
    regions: HashMap<(&'a str, &'a str), HashMap<&'a str, &'a Backup>>,
}

impl<'a> ById<'a> {
    /// Every backup created no later than `now`. An account's backups are sorted by ARN, so each
    /// Region's are together: counted, then put in a map sized for them.
    fn build(inventory: &'a Inventory, now: Timestamp) -> Self {
        let mut regions: HashMap<(&'a str, &'a str), HashMap<&'a str, &'a Backup>> = HashMap::default();
        for account in inventory.accounts.values() {
            let mut rest = account.backups.as_slice();
            while let Some(first) = rest.first() {
                let run = rest.iter().take_while(|b| b.region == first.region).count().max(1);
                let (same, after) = rest.split_at(run.min(rest.len()));
                let ids = regions
                    .entry((account.id.as_str(), first.region))
                    .or_insert_with(|| HashMap::with_capacity_and_hasher(same.len(), Default::default()));
                ids.extend(same.iter().filter(|b| b.creation_time <= now).map(|b| (b.id.as_str(), b)));
                rest = after;
            }
        }
        ById { regions }
    }

    fn get(&self, account: &str, region: &str, id: &str) -> Option<&'a Backup> {
        self.regions.get(&(account, region))?.get(id).copied()
    }
}

/// `other` on another core while `here` runs on this one; `other` runs here too when no thread
/// could be started or it failed (it must be repeatable).
fn on_two_cores<A: Send, B>(other: impl Fn() -> A + Sync, here: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().spawn_scoped(scope, &other).ok();
        let mine = here();
        let theirs = thread.and_then(|t| t.join().ok()).unwrap_or_else(&other);
        (theirs, mine)
    })
}

impl<'a> Index<'a> {
    pub fn build(inventory: &'a Inventory, now: Timestamp) -> Self {
        let backups = || {
            inventory
                .accounts
                .values()
                .flat_map(move |a| a.backups.iter().filter(move |b| b.creation_time <= now).map(move |b| (a, b)))
        };
        // Two independent maps over every backup: one on another core.
        let own = || {
            let mut own_backups: HashMap<FsKey<'a>, Vec<&'a Backup>> =
                HashMap::with_capacity_and_hasher(inventory.file_system_count(), Default::default());
            for (account, backup) in backups().filter(|(_, b)| !b.is_copy()) {
                own_backups
                    .entry((account.id.as_str(), backup.region, backup.file_system_id.as_str()))
                    .or_default()
                    .push(backup);
            }
            for list in own_backups.values_mut() {
                list.sort_by(|a, b| b.creation_time.cmp(&a.creation_time).then_with(|| a.arn.cmp(&b.arn)));
            }
            own_backups
        };
        let ids = || ById::build(inventory, now);
        let (own_backups, by_id) = on_two_cores(own, ids);
        crate::timings::mark("index: own and ids");
        let file_systems = inventory.file_system_count();
        // Each file system's Region, by (account, id).
        let home: HashMap<(&'a str, &'a str), &'a str> = inventory
            .accounts
            .values()
            .flat_map(|a| a.file_systems.iter().map(move |fs| ((a.id.as_str(), fs.id.as_str()), fs.region)))
            .collect();
        // Copies in other accounts are counted only when there are other accounts: with one,
        // every copy is in every file system's own account.
        let several_accounts = inventory.accounts.len() > 1;
        // Copies of one half of each account's backups (`second`: the later half). The lists are
        // sorted once both halves are in, so which half found a copy does not matter.
        let copies_in = |second: bool| {
            let mut copies: HashMap<FsKey<'a>, Vec<Copy<'a>>> =
                HashMap::with_capacity_and_hasher(file_systems, Default::default());
            let mut copy_accounts: CopyAccounts<'a> =
                HashMap::with_capacity_and_hasher(if several_accounts { file_systems } else { 0 }, Default::default());
            for account in inventory.accounts.values() {
                let (first, later) = account.backups.split_at(account.backups.len() / 2);
                let half = if second { later } else { first };
                for backup in half.iter().filter(|b| b.creation_time <= now) {
                    let Some(source_id) = &backup.source_backup_id else { continue };
                    // Without `SourceBackupRegion`, the source is taken to be in its file
                    // system's Region (where AWS backs it up); the copy is never dropped.
                    let source_region = match (
                        &backup.source_backup_region,
                        home.get(&(account.id.as_str(), backup.file_system_id.as_str())),
                    ) {
                        (Some(region), _) => region,
                        (None, Some(region)) => region,
                        (None, None) => continue,
                    };
                    let source = by_id.get(account.id.as_str(), source_region, source_id.as_str());
                    let (file_system, recovery_point, volume) = match source {
                        Some(source) if source.is_copy() => continue,
                        Some(source) => {
                            (source.file_system_id.as_str(), Some(source.creation_time), source.volume_id.as_deref())
                        }
                        None => (backup.file_system_id.as_str(), None, backup.volume_id.as_deref()),
                    };
                    copies.entry((account.id.as_str(), source_region, file_system)).or_default().push(Copy {
                        backup,
                        recovery_point,
                        volume,
                    });
                    if several_accounts {
                        copy_accounts
                            .entry((source_region, backup.file_system_id.as_str()))
                            .or_default()
                            .push((&account.id, backup.region));
                    }
                }
            }
            (copies, copy_accounts)
        };
        let ((later_copies, later_accounts), (mut copies, mut copy_accounts)) =
            on_two_cores(|| copies_in(true), || copies_in(false));
        for (key, list) in later_copies {
            copies.entry(key).or_default().extend(list);
        }
        for (key, list) in later_accounts {
            copy_accounts.entry(key).or_default().extend(list);
        }
        crate::timings::mark("index: copies");
        for list in copies.values_mut() {
            list.sort_by(|a, b| {
                a.backup.creation_time.cmp(&b.backup.creation_time).then_with(|| a.backup.arn.cmp(&b.backup.arn))
            });
        }
        let existing: std::collections::HashSet<FsKey<'a>, foldhash::fast::RandomState> = inventory
            .accounts
            .values()
            .flat_map(|a| a.file_systems.iter().map(move |fs| (a.id.as_str(), fs.region, fs.id.as_str())))
            .collect();
        // A backup in a Region other than its file system's, without `SourceBackupId`: AWS only
        // backs a file system up in its own Region, so it is a copy whose source fields are
        // missing. It counts as a copy of unknown recovery point, never as nothing at all.
        for ((account, region, file_system), list) in &own_backups {
            if let Some(home_region) = home.get(&(*account, *file_system)).filter(|h| **h != *region) {
                let entry = copies.entry((account, home_region, file_system)).or_default();
                entry.extend(list.iter().map(|b| Copy {
                    backup: b,
                    recovery_point: None,
                    volume: b.volume_id.as_deref(),
                }));
                entry.sort_by(|a, b| {
                    a.backup.creation_time.cmp(&b.backup.creation_time).then_with(|| a.backup.arn.cmp(&b.backup.arn))
                });
            }
        }
        let mut orphans: std::collections::BTreeMap<FsKey<'a>, Vec<&'a Backup>> = std::collections::BTreeMap::new();
        for (key, list) in &own_backups {
            if !existing.contains(key) && !home.contains_key(&(key.0, key.2)) {
                orphans.entry(*key).or_default().extend(list.iter().copied());
            }
        }
        for (key, list) in &copies {
            if !existing.contains(key) {
                orphans.entry(*key).or_default().extend(list.iter().map(|c| c.backup));
            }
        }
        let orphans = orphans.into_iter().collect();
        crate::timings::mark("index: orphans");
        let mut volumes: HashMap<FsKey<'a>, Vec<&'a Volume>> = HashMap::default();
        for account in inventory.accounts.values() {
            for volume in &account.volumes {
                volumes
                    .entry((account.id.as_str(), volume.region, volume.file_system_id.as_str()))
                    .or_default()
                    .push(volume);
            }
        }
        Index { inventory, now, own_backups, by_id, copies, copy_accounts, volumes, orphans }
    }

    pub fn accounts(&self) -> impl Iterator<Item = &'a Account> {
        self.inventory.accounts.values()
    }

    /// F's own backups (see the field's doc), newest first.
    pub fn backups_of<'s>(&'s self, fs: &'s FileSystem) -> &'s [&'a Backup] {
        self.own_backups.get(&(fs.account.as_str(), fs.region, fs.id.as_str())).map_or(&[], Vec::as_slice)
    }

    /// F's volumes (ONTAP, OpenZFS), sorted by ARN.
    pub fn volumes_of<'s>(&'s self, fs: &'s FileSystem) -> &'s [&'a Volume] {
        self.volumes.get(&(fs.account.as_str(), fs.region, fs.id.as_str())).map_or(&[], Vec::as_slice)
    }

    /// F's copies in every Region of F's account, oldest first.
    pub fn copies_of<'s>(&'s self, fs: &'s FileSystem) -> &'s [Copy<'a>] {
        self.copies.get(&(fs.account.as_str(), fs.region, fs.id.as_str())).map_or(&[], Vec::as_slice)
    }

    /// How many copies of F's backups exist in accounts other than F's, in `region` or (with
    /// `None`) anywhere. They never count: `CopyBackup` copies stay in their account.
    pub fn copies_in_other_accounts(&self, fs: &FileSystem, region: Option<&str>) -> usize {
        self.copy_accounts.get(&(fs.region, fs.id.as_str())).map_or(0, |copies| {
            copies.iter().filter(|(account, r)| *account != fs.account && region.is_none_or(|want| want == *r)).count()
        })
    }

    /// Backups and copies of file systems that are not in the inventory: (account, the file
    /// system's Region, its id) and its backups.
    pub fn orphans(&self) -> &[(FsKey<'a>, Vec<&'a Backup>)] {
        &self.orphans
    }

    pub fn backup<'s>(&'s self, account: &'s str, region: &'s str, id: &'s str) -> Option<&'a Backup> {
        self.by_id.get(account, region, id)
    }
}
