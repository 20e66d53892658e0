//! One resource of either form: placed by its ARN and container, checked against the API
//! model's patterns, and recorded as unreadable (with where it probably belongs) when it cannot
//! be understood.

use super::FileLoader;
use super::wire::{Chunked, IamLists};
use crate::arn;
use crate::diag::Problem;
use crate::inventory::model::{
    Backup, BackupSettings, FileSystem, Origin, RawBackup, RawFileSystem, RawVolume, Volume,
};
use crate::inventory::{DataKind, Unreadable};
use crate::regions::{self, Partition};

/// Where a resource must belong, when its container says so (document form).
#[derive(Clone, Copy)]
pub(super) struct Placement<'a> {
    pub(super) account: &'a str,
    pub(super) region: &'static str,
    pub(super) partition: Partition,
}

/// Where a resource was placed: its ARN, account, Region and partition.
pub(super) struct Placed {
    /// The ARN built from the resource's place; `None`: the ARN it claims, as written (taken
    /// from the raw resource rather than copied).
    pub(super) arn: Option<String>,
    pub(super) account: crate::inventory::model::Shared,
    pub(super) region: &'static str,
    pub(super) partition: Partition,
}

impl Placed {
    /// A resource's ARN: `built` from its place, else the one it claims (`claimed`, moved out
    /// of the raw resource rather than copied).
    fn arn(built: Option<String>, claimed: Option<String>) -> String {
        built.or(claimed).unwrap_or_default()
    }

    /// Where a placed resource that turns out unreadable belongs.
    fn whereabouts(&self) -> Whereabouts {
        Whereabouts { account: Some(self.account.to_string()), region: Some(self.region) }
    }
}

/// What a resource says about itself, for placing it.
pub(super) struct Claimed<'r> {
    pub(super) arn: Option<&'r str>,
    /// `file-system`, `backup` or `volume`, as in the ARN.
    pub(super) resource_type: &'r str,
    pub(super) id: Option<&'r str>,
    pub(super) owner: Option<&'r str>,
    /// Set when the lenient re-read replaced the resource: why.
    pub(super) unreadable: Option<&'r str>,
}

/// Where a resource that could not be placed probably belongs, for the results it taints.
#[derive(Default)]
pub(super) struct Whereabouts {
    pub(super) account: Option<String>,
    pub(super) region: Option<&'static str>,
}

impl FileLoader {
    /// Leaves out IAM entries whose ARN cannot be read, recording each as unreadable: a
    /// principal that cannot be judged is `error`, never silently absent.
    pub(super) fn check_iam(&mut self, lists: &mut IamLists, base: &str, account: Option<&str>) {
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

    pub(super) fn file_system(
        &mut self,
        raw: RawFileSystem,
        pointer: &str,
        place: Option<Placement<'_>>,
    ) -> Option<FileSystem> {
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
                            placed.whereabouts(),
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
        if !crate::inventory::model::is_file_system_id(&id) {
            let problem = Problem::at(
                format!("{pointer}/FileSystemId"),
                format!(
                    "`{id}` is not a file system id AWS issues (`fs-` and at least 8 lower-case hex digits, at most 21 characters)"
                ),
            );
            let whereabouts = placed.whereabouts();
            self.unreadable(DataKind::FileSystems, whereabouts, None, None, problem);
            return None;
        }
        let backup_settings = match &file_system_type {
            crate::inventory::model::FileSystemType::Openzfs => raw.openzfs_configuration.clone(),
            crate::inventory::model::FileSystemType::Windows => raw.windows_configuration.clone(),
            crate::inventory::model::FileSystemType::Lustre => raw.lustre_configuration.clone(),
            crate::inventory::model::FileSystemType::Ontap => raw.ontap_configuration.clone().map(|c| BackupSettings {
                // ONTAP has no such field: never let a stray value through.
                copy_tags_to_backups: None,
                ..c
            }),
            crate::inventory::model::FileSystemType::Other(_) => None,
        };
        Some(FileSystem {
            arn: Placed::arn(placed.arn, raw.resource_arn),
            id,
            account: placed.account.to_string(),
            region: placed.region,
            partition: placed.partition,
            file_system_type,
            storage_type: raw.storage_type,
            lifecycle: raw.lifecycle,
            creation_time: raw.creation_time,
            tags: raw.tags.unwrap_or_default(),
            backup_settings,
            origin: Origin { source: self.source, pointer: pointer.to_string() },
            planned: None,
        })
    }

    pub(super) fn volume(&mut self, raw: RawVolume, pointer: &str, place: Option<Placement<'_>>) -> Option<Volume> {
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
                placed.whereabouts(),
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
        if !crate::inventory::model::is_volume_id(&id) || !crate::inventory::model::is_file_system_id(&file_system_id) {
            let problem = Problem::at(
                pointer,
                format!("`{file_system_id}/{id}` is not a volume of a file system as AWS names them"),
            );
            let whereabouts = placed.whereabouts();
            self.unreadable(DataKind::Volumes, whereabouts, None, None, problem);
            return None;
        }
        let arn = Placed::arn(placed.arn, raw.resource_arn);
        Some(Volume {
            arn,
            id,
            file_system_id,
            account: placed.account.to_string(),
            region: placed.region,
            partition: placed.partition,
            name: raw.name,
            volume_type: raw.volume_type,
            lifecycle: raw.lifecycle,
            creation_time: raw.creation_time,
            ontap: raw.ontap_configuration,
            tags: raw.tags.unwrap_or_default(),
            origin: Origin { source: self.source, pointer: pointer.to_string() },
        })
    }

    /// Converts a list of backups (`{base}/{i}` their pointers) on two cores, two chunks at a
    /// time, and hands each converted backup to `each` in list order; warnings keep list order.
    /// A worker that fails makes the file unusable: its backups would otherwise be missing.
    pub(super) fn backups_in_order(
        &mut self,
        list: Chunked<RawBackup>,
        base: &str,
        place: Option<Placement<'_>>,
        mut each: impl FnMut(&mut Self, Backup),
    ) {
        let convert = |loader: &mut FileLoader, chunk: Vec<RawBackup>, start: usize| -> Vec<Backup> {
            chunk
                .into_iter()
                .enumerate()
                .filter_map(|(i, raw)| loader.backup(raw, format!("{base}/{}", start + i), place))
                .collect()
        };
        let mut chunks = list.into_chunks();
        let mut at = 0usize;
        while let Some(first) = chunks.next() {
            let first_at = at;
            at += first.len();
            let Some(second) = chunks.next() else {
                for backup in convert(self, first, first_at) {
                    each(self, backup);
                }
                continue;
            };
            let second_at = at;
            at += second.len();
            // The worker takes the second chunk from here; if it cannot start, this thread does.
            let handed = std::sync::Mutex::new(Some(second));
            // A loader of its own for the worker: its findings are appended after this thread's.
            let mut helper = FileLoader::new(self.source);
            let (mine, theirs) = std::thread::scope(|scope| {
                let worker = std::thread::Builder::new()
                    .spawn_scoped(scope, || {
                        let _interner = crate::inventory::model::Interner::start();
                        let chunk = handed.lock().ok().and_then(|mut c| c.take()).unwrap_or_default();
                        convert(&mut helper, chunk, second_at)
                    })
                    .ok();
                let mine = convert(self, first, first_at);
                (mine, worker.map(|w| w.join().ok()))
            });
            let theirs = match theirs {
                Some(Some(converted)) => converted,
                Some(None) => {
                    self.problems.push(Problem::at(base, "internal error: a thread converting backups failed"));
                    return;
                }
                None => {
                    let chunk = handed.lock().ok().and_then(|mut c| c.take()).unwrap_or_default();
                    convert(&mut helper, chunk, second_at)
                }
            };
            self.problems.append(&mut helper.problems);
            self.issues.append(&mut helper.issues);
            self.unreadable.append(&mut helper.unreadable);
            for backup in mine.into_iter().chain(theirs) {
                each(self, backup);
            }
        }
    }

    /// `origin` is the backup's JSON pointer, moved into its origin (built once per backup of a
    /// large inventory).
    pub(super) fn backup(
        &mut self,
        mut raw: RawBackup,
        origin: String,
        place: Option<Placement<'_>>,
    ) -> Option<Backup> {
        let pointer = origin.as_str();
        let id = raw.backup_id.take();
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
        // What names it in a warning, built only for one that is left out.
        let resource = || raw.resource_arn.clone().or_else(|| id.clone());
        let failure = match (&placed, &source_region) {
            (Err(_), _) => None,
            (Ok(placed), _) if !missing.is_empty() => Some((
                placed.whereabouts(),
                Problem::at(pointer, format!("backup lacks {}", missing.join(", ")))
                    .with_help("describe-backups always returns these fields"),
            )),
            (Ok(placed), Err(name)) => Some((
                placed.whereabouts(),
                Problem::at(format!("{pointer}/SourceBackupRegion"), format!("`{name}` is not a Region name")),
            )),
            (Ok(_), Ok(_)) => None,
        };
        let placed = match (placed, failure) {
            (Err((whereabouts, problem)), _) | (Ok(_), Some((whereabouts, problem))) => {
                self.unreadable(
                    DataKind::Backups,
                    whereabouts,
                    file_system_id.map(|f| f.to_string()),
                    resource(),
                    problem,
                );
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
            (!crate::inventory::model::is_backup_id(&id)).then_some((
                "BackupId",
                id.as_str(),
                "a backup id (`backup-` and at least 8 lower-case hex digits)",
            )),
            (!crate::inventory::model::is_file_system_id(&file_system_id)).then_some((
                "FileSystem/FileSystemId",
                file_system_id.as_str(),
                "a file system id (`fs-` and at least 8 lower-case hex digits)",
            )),
            raw.source_backup_id
                .as_deref()
                .filter(|s| !crate::inventory::model::is_backup_id(s))
                .map(|s| ("SourceBackupId", s, "a backup id")),
            volume_id
                .as_deref()
                .filter(|v| !crate::inventory::model::is_volume_id(v))
                .map(|v| ("Volume/VolumeId", v, "a volume id")),
        ]
        .into_iter()
        .flatten()
        .next();
        if let Some((field, value, what)) = bad_id {
            let problem = Problem::at(format!("{pointer}/{field}"), format!("`{value}` is not {what} AWS issues"));
            let whereabouts = placed.whereabouts();
            // Which file system it is cannot be trusted either: it could be any in its Region.
            self.unreadable(DataKind::Backups, whereabouts, None, None, problem);
            return None;
        }
        Some(Backup {
            arn: Placed::arn(placed.arn, raw.resource_arn.take()),
            id,
            account: placed.account,
            region: placed.region,
            partition: placed.partition,
            lifecycle,
            backup_type,
            creation_time,
            kms_key_id: raw.kms_key_id,
            tags: raw.tags.unwrap_or_default(),
            file_system_id,
            file_system_type: raw
                .file_system
                .as_ref()
                .and_then(|fs| fs.file_system_type.clone())
                .or_else(|| volume_id.is_some().then_some(crate::inventory::model::FileSystemType::Ontap)),
            volume_id,
            source_backup_id: raw.source_backup_id,
            source_backup_region: source_region,
            origin: Origin { source: self.source, pointer: origin },
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
        let arn_pointer = || format!("{pointer}/ResourceARN");
        let whereabouts = || self.whereabouts(arn_text, owner, place);
        let placed = match (arn_text, place) {
            (Some(text), _) => match arn::parse_fsx(text, resource_type) {
                Ok((parsed, region, arn_id)) => {
                    if let Some(id) = id.filter(|id| *id != arn_id) {
                        return Err((
                            whereabouts(),
                            Problem::at(arn_pointer(), format!("the ARN names `{arn_id}` but the id is `{id}`")),
                        ));
                    }
                    Placed { arn: None, account: parsed.account.into(), region, partition: parsed.partition }
                }
                Err(e) => return Err((whereabouts(), Problem::at(arn_pointer(), e))),
            },
            (None, Some(place)) => match id {
                Some(id) => Placed {
                    arn: Some(format!(
                        "arn:{}:fsx:{}:{}:{resource_type}/{id}",
                        place.partition, place.region, place.account
                    )),
                    account: place.account.into(),
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
            && (place.account != placed.account.as_str() || place.region != placed.region)
        {
            let name = id.unwrap_or(resource_type);
            return Err((
                whereabouts(),
                Problem::at(
                    arn_pointer(),
                    format!(
                        "the ARN places `{name}` in {}/{}, but it is listed under {}/{}",
                        placed.account, placed.region, place.account, place.region
                    ),
                ),
            ));
        }
        if let Some(owner) = owner.filter(|o| *o != placed.account.as_str()) {
            let whereabouts = placed.whereabouts();
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
