//! Rule kinds: one file each, and this registry.
//!
//! The registry is one exhaustive enum: a new kind does not compile until its parameters, its
//! documentation and its evaluation exist.

pub mod backup_naming;
pub mod backup_recency;
pub mod backup_retention;
pub mod copy_kms_consistency;
pub mod cross_region_copy;
pub mod iam_permission;
pub(crate) mod planned_copies;

use serde_json::Value;

use crate::diag::Problem;
use crate::finding::Finding;
use crate::inventory::{Account, Index, Timestamp};
use crate::inventory::{FileSystem, Volume};

/// What a rule kind may look at while it evaluates.
pub struct RuleContext<'i, 'a> {
    pub index: &'i Index<'a>,
}

impl<'a> RuleContext<'_, 'a> {
    pub fn now(&self) -> Timestamp {
        self.index.now
    }

    /// "could not evaluate: a backup (...) could not be read: ..." when a backup that could not
    /// be read might belong to `fs` (its own, or a copy in `region`). Rules ask this only for
    /// verdicts such a backup could change.
    pub fn unreadable_backup(&self, fs: &FileSystem, region: &str) -> Option<String> {
        let unreadable = self.account(&fs.account)?.unreadable_backup(region, &fs.id)?;
        Some(format!("could not evaluate: {}", unreadable.describe(&self.index.inventory.sources)))
    }

    pub fn account(&self, id: &str) -> Option<&'a Account> {
        self.index.inventory.accounts.get(id)
    }
}

/// Every rule kind fsx-guard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    BackupRetention,
    BackupRecency,
    CrossRegionCopy,
    CopyKmsConsistency,
    IamPermission,
    BackupNaming,
}

/// What a rule kind produces results for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One result per selected file system.
    FileSystems,
    /// One result per backup of the selected file systems.
    Backups,
    /// Results per IAM principal (and account), over all selected file systems at once.
    Principals,
}

/// A rule's parameters, typed per kind.
#[derive(Debug, Clone)]
pub enum Params {
    BackupRetention(backup_retention::Params),
    BackupRecency(backup_recency::Params),
    CrossRegionCopy(cross_region_copy::Params),
    CopyKmsConsistency(copy_kms_consistency::Params),
    IamPermission(iam_permission::Params),
    BackupNaming(backup_naming::Params),
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::BackupRetention,
        RuleKind::BackupRecency,
        RuleKind::CrossRegionCopy,
        RuleKind::CopyKmsConsistency,
        RuleKind::IamPermission,
        RuleKind::BackupNaming,
    ];

    /// The name used in policy files.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::BackupRetention => "backup-retention",
            RuleKind::BackupRecency => "backup-recency",
            RuleKind::CrossRegionCopy => "cross-region-copy",
            RuleKind::CopyKmsConsistency => "copy-kms-consistency",
            RuleKind::IamPermission => "iam-permission",
            RuleKind::BackupNaming => "backup-naming",
        }
    }

    pub fn parse(name: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind's documentation (Markdown, ruff's headings).
    pub fn doc(self) -> &'static str {
        match self {
            RuleKind::BackupRetention => backup_retention::DOC,
            RuleKind::BackupRecency => backup_recency::DOC,
            RuleKind::CrossRegionCopy => cross_region_copy::DOC,
            RuleKind::CopyKmsConsistency => copy_kms_consistency::DOC,
            RuleKind::IamPermission => iam_permission::DOC,
            RuleKind::BackupNaming => backup_naming::DOC,
        }
    }

    /// One line: the first sentence under "What it does".
    pub fn summary(self) -> &'static str {
        self.doc().split("## What it does").nth(1).and_then(|rest| rest.trim_start().lines().next()).unwrap_or("")
    }

    pub fn scope(self) -> Scope {
        match self {
            RuleKind::BackupRetention
            | RuleKind::BackupRecency
            | RuleKind::CrossRegionCopy
            | RuleKind::CopyKmsConsistency => Scope::FileSystems,
            RuleKind::BackupNaming => Scope::Backups,
            RuleKind::IamPermission => Scope::Principals,
        }
    }

    /// Types the parameters (already checked against the JSON Schema) and lints what a schema
    /// cannot express. `pointer` is the JSON pointer of `params` in the policy file.
    pub fn parse_params(self, value: &Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        match self {
            RuleKind::BackupRetention => backup_retention::Params::parse(value, pointer).map(Params::BackupRetention),
            RuleKind::BackupRecency => backup_recency::Params::parse(value, pointer).map(Params::BackupRecency),
            RuleKind::CrossRegionCopy => cross_region_copy::Params::parse(value, pointer).map(Params::CrossRegionCopy),
            RuleKind::CopyKmsConsistency => {
                copy_kms_consistency::Params::parse(value, pointer).map(Params::CopyKmsConsistency)
            }
            RuleKind::IamPermission => iam_permission::Params::parse(value, pointer).map(Params::IamPermission),
            RuleKind::BackupNaming => backup_naming::Params::parse(value, pointer).map(Params::BackupNaming),
        }
    }
}

impl std::fmt::Display for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Params {
    /// Policy warnings: things that are valid but certainly not what the author meant. `pointer`
    /// is the rule's JSON pointer.
    pub fn warnings(&self, select: &crate::policy::Select, pointer: &str) -> Vec<Problem> {
        match self {
            Params::CrossRegionCopy(p) => p.warnings(select, pointer),
            Params::BackupRetention(_)
            | Params::BackupRecency(_)
            | Params::CopyKmsConsistency(_)
            | Params::IamPermission(_)
            | Params::BackupNaming(_) => Vec::new(),
        }
    }
}

/// Evaluates one rule on one selected file system.
pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>, out: &mut Vec<Finding>) {
    match params {
        Params::BackupRetention(p) => out.push(backup_retention::evaluate(p, fs, context)),
        Params::BackupRecency(p) => out.push(backup_recency::evaluate(p, fs, context)),
        Params::CrossRegionCopy(p) => out.push(cross_region_copy::evaluate(p, fs, context)),
        Params::CopyKmsConsistency(p) => out.push(copy_kms_consistency::evaluate(p, fs, context)),
        Params::BackupNaming(p) => backup_naming::evaluate(p, fs, context, out),
        // Evaluated over all selected file systems at once (`evaluate_principals`).
        Params::IamPermission(_) => {}
    }
}

/// Evaluates a principal-scoped rule over every selected file system at once.
pub fn evaluate_principals(
    params: &Params,
    select: &crate::policy::Select,
    selected: &[&FileSystem],
    context: &RuleContext<'_, '_>,
    out: &mut Vec<Finding>,
) {
    if let Params::IamPermission(p) = params {
        iam_permission::evaluate(p, select, selected, context, out);
    }
}

/// Region names listed twice, or not shaped like a Region, in a list at `pointer`. Whether a
/// well-shaped name is a known Region is the policy loader's question (`policy::lint::regions`),
/// which knows the file's `new_regions`.
pub(crate) fn lint_regions(names: &[String], pointer: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        if !crate::regions::is_region_shaped(name) {
            let problem = Problem::at(format!("{pointer}/{i}"), format!("`{name}` is not a Region name"));
            problems.push(match crate::regions::suggest(name) {
                Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                None => problem.with_help("Region names look like `us-east-1`"),
            });
        } else if !seen.insert(name) {
            problems.push(Problem::at(format!("{pointer}/{i}"), format!("`{name}` is listed twice")));
        }
    }
    problems
}

/// Deserialises checked parameters, turning the rare mismatch into a problem.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> Result<T, Vec<Problem>> {
    let value = if value.is_null() { Value::Object(serde_json::Map::new()) } else { value.clone() };
    serde_json::from_value(value).map_err(|e| vec![Problem::at(pointer, format!("invalid parameters: {e}"))])
}

/// Backup types accepted in `types`.
pub(crate) fn parse_backup_types(names: &[String]) -> Vec<crate::inventory::model::BackupType> {
    names.iter().map(|n| crate::inventory::model::BackupType::parse(n)).collect()
}

/// Why no backup of `fs` can exist, so that every backup rule is `not_applicable`, or `None`.
///
/// - Lustre scratch deployments and Lustre file systems linked to an S3 data repository
///   (`DataRepositoryConfiguration`) cannot be backed up (FSx API Reference, `CreateBackup`;
///   FSx for Lustre User Guide, "Working with backups").
/// - A file system that is `CREATING`, `DELETING` or `FAILED` (it never became available) has
///   no backup schedule to judge.
pub(crate) fn no_backups(fs: &FileSystem) -> Option<String> {
    use crate::inventory::model::{FileSystemLifecycle, FileSystemType};
    if fs.file_system_type == FileSystemType::Lustre {
        let settings = fs.backup_settings.as_ref();
        if let Some(deployment) =
            settings.and_then(|s| s.deployment_type.as_deref()).filter(|d| d.starts_with("SCRATCH"))
        {
            return Some(format!("Lustre scratch file systems ({deployment}) cannot be backed up"));
        }
        if let Some(link) = settings.and_then(|s| s.data_repository_configuration.as_ref()) {
            let path = link.import_path.as_deref().or(link.export_path.as_deref()).unwrap_or("an S3 bucket");
            return Some(format!(
                "Lustre file systems linked to an S3 data repository (`DataRepositoryConfiguration`, {path}) cannot be backed up"
            ));
        }
    }
    match &fs.lifecycle {
        Some(FileSystemLifecycle::Creating) => Some("the file system is CREATING: it has no backups yet".into()),
        Some(FileSystemLifecycle::Deleting) => Some("the file system is DELETING".into()),
        Some(FileSystemLifecycle::Failed) => Some("the file system is FAILED: it never became available".into()),
        _ => None,
    }
}

/// Why rules about existing backups do not apply to `fs`: it is planned in infrastructure code
/// and has no backups before it is created.
pub(crate) fn planned(fs: &FileSystem) -> Option<String> {
    fs.planned.as_ref().map(|p| format!("{}: it has no backups before it is deployed", p.describe()))
}

/// Why `fs` is too young to be held to a backup (or copy) at most `max_age_hours` old, or
/// `None`. Its first automatic backup starts at the first `DailyAutomaticBackupStartTime` after
/// its `CreationTime` (within 24 hours when the time is unknown); until that moment plus
/// `max_age_hours` has passed, no backup could be that recent.
pub(crate) fn too_young(fs: &FileSystem, now: Timestamp, max_age_hours: f64) -> Option<String> {
    too_young_since(fs.creation_time, fs, now, max_age_hours).map(|r| format!("the file system {r}"))
}

/// As [`too_young`], for something created at `created` on `fs` (an ONTAP volume).
fn too_young_since(created: Option<Timestamp>, fs: &FileSystem, now: Timestamp, max_age_hours: f64) -> Option<String> {
    const DAY: i64 = 86_400_000;
    let created = created?;
    let start = fs
        .backup_settings
        .as_ref()
        .and_then(|s| s.daily_automatic_backup_start_time.as_deref())
        .and_then(backup_retention::TimeOfDay::parse);
    let first_window = match start {
        Some(start) => {
            let midnight = created.0.div_euclid(DAY) * DAY;
            let today = midnight + i64::from(start.0) * 60_000;
            if today > created.0 { today } else { today + DAY }
        }
        None => created.0.saturating_add(DAY),
    };
    #[expect(clippy::cast_possible_truncation, reason = "max_age_hours is a checked, finite policy value")]
    let deadline = first_window.saturating_add((max_age_hours * 3_600_000.0).round() as i64);
    (now.0 < deadline).then(|| {
        format!(
            "was created at {created}, and its first daily backup window ({}) plus {max_age_hours} hours has not passed yet",
            Timestamp(first_window)
        )
    })
}

/// What a file-system rule judges the backups of: the file system itself, or, for ONTAP, whose
/// backups are per volume, each of its volumes.
pub(crate) struct Units<'a> {
    /// `None`: the file system itself. `Some`: ONTAP volumes, each with the reason it is not
    /// judged (`None`: judged).
    pub volumes: Option<Vec<(&'a Volume, Option<String>)>>,
    /// Why volumes that might be the file system's could not be seen (not collected, or one
    /// could not be read): an `error` part beside the volumes that were judged.
    pub unseen: Option<String>,
}

impl<'a> Units<'a> {
    /// The parts for ONTAP volumes that are not judged and for volumes not seen; `None` for a
    /// file system that is judged as a whole.
    pub fn judged(&self, check: &'static str, parts: &mut crate::finding::Parts) -> Option<Vec<&'a Volume>> {
        let volumes = self.volumes.as_ref()?;
        if let Some(reason) = &self.unseen {
            parts.add(check, crate::finding::Verdict::Error, format!("could not evaluate: {reason}"));
        }
        let mut judged = Vec::new();
        for (volume, skip) in volumes {
            match skip {
                Some(reason) => parts.add(
                    check,
                    crate::finding::Verdict::NotApplicable,
                    format!("volume `{}`: {reason}", volume.id),
                ),
                None => judged.push(*volume),
            }
        }
        if judged.is_empty() && self.unseen.is_none() && volumes.iter().all(|(_, skip)| skip.is_some()) {
            parts.add(
                check,
                crate::finding::Verdict::NotApplicable,
                "no volume of this ONTAP file system is backed up (only the SVM root volume, or none)",
            );
        }
        Some(judged)
    }
}

/// The units of `fs` for a rule that looks back `max_age_hours` (`None`: no age involved).
pub(crate) fn units<'a>(fs: &FileSystem, context: &RuleContext<'_, 'a>, max_age_hours: Option<f64>) -> Units<'a> {
    use crate::inventory::model::{FileSystemType, VolumeLifecycle};
    if fs.file_system_type != FileSystemType::Ontap {
        return Units { volumes: None, unseen: None };
    }
    let account = context.account(&fs.account);
    let mut unseen = match account.map(|a| a.volumes_in(fs.region)) {
        Some(crate::inventory::Collected::No(reason)) => Some(reason),
        _ => None,
    };
    if unseen.is_none()
        && let Some(unreadable) =
            account.and_then(|a| a.unreadable_for(crate::inventory::DataKind::Volumes, fs.region, &fs.id))
    {
        unseen = Some(unreadable.describe(&context.index.inventory.sources));
    }
    let volumes = context
        .index
        .volumes_of(fs)
        .iter()
        .map(|volume| {
            let skip = if volume.is_svm_root() {
                Some("the SVM root volume is not backed up".to_string())
            } else {
                match &volume.lifecycle {
                    Some(VolumeLifecycle::Creating) | Some(VolumeLifecycle::Pending) => Some(format!(
                        "the volume is {}: it has no backups yet",
                        volume.lifecycle.as_ref().map_or("", |l| l.as_str())
                    )),
                    Some(VolumeLifecycle::Deleting) => Some("the volume is DELETING".to_string()),
                    Some(VolumeLifecycle::Failed) => Some("the volume is FAILED".to_string()),
                    _ => max_age_hours
                        .and_then(|max| too_young_since(volume.creation_time, fs, context.now(), max))
                        .map(|r| format!("the volume {r}")),
                }
            };
            (*volume, skip)
        })
        .collect();
    Units { volumes: Some(volumes), unseen }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_has_the_headings() {
        for kind in RuleKind::ALL {
            for heading in ["## What it does", "## Why is this bad?", "## Example", "## Verdicts", "## References"] {
                assert!(kind.doc().contains(heading), "{kind} lacks `{heading}`");
            }
            assert!(!kind.summary().is_empty());
            assert_eq!(RuleKind::parse(kind.name()), Some(kind));
        }
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[rstest::rstest]
    // Created at 03:00, window at 05:00: the first backup is due at 05:00 the same day.
    #[case("2026-11-25T03:00:00Z", Some("05:00"), "2026-11-26T06:59:00Z", true)]
    #[case("2026-11-25T03:00:00Z", Some("05:00"), "2026-11-26T07:00:00Z", false)]
    // Created at 06:00, after the window: the first backup is due the next day at 05:00.
    #[case("2026-11-25T06:00:00Z", Some("05:00"), "2026-11-27T06:59:00Z", true)]
    #[case("2026-11-25T06:00:00Z", Some("05:00"), "2026-11-27T07:00:00Z", false)]
    // Created exactly at the window's start: that window has passed.
    #[case("2026-11-25T05:00:00Z", Some("05:00"), "2026-11-27T06:59:00Z", true)]
    // No window known: within 24 hours of creation.
    #[case("2026-11-25T03:00:00Z", None, "2026-11-27T04:59:00Z", true)]
    #[case("2026-11-25T03:00:00Z", None, "2026-11-27T05:00:00Z", false)]
    fn a_file_system_is_too_young_until_its_first_window_plus_max_age(
        #[case] created: &str,
        #[case] start: Option<&str>,
        #[case] now: &str,
        #[case] young: bool,
    ) {
        let mut fs = crate::engine::test_support::file_system("fs-0123456789abcdef0", "OPENZFS");
        fs.creation_time = Some(at(created));
        if let Some(settings) = fs.backup_settings.as_mut() {
            settings.daily_automatic_backup_start_time = start.map(str::to_string);
        }
        assert_eq!(too_young(&fs, at(now), 26.0).is_some(), young);
    }

    #[test]
    fn no_creation_time_is_never_too_young() {
        let mut fs = crate::engine::test_support::file_system("fs-0123456789abcdef0", "OPENZFS");
        fs.creation_time = None;
        assert_eq!(too_young(&fs, at("2026-11-25T06:00:00Z"), 26.0), None);
    }

    #[rstest::rstest]
    #[case("CREATING", true)]
    #[case("DELETING", true)]
    #[case("FAILED", true)]
    #[case("AVAILABLE", false)]
    #[case("UPDATING", false)]
    #[case("MISCONFIGURED", false)]
    #[case("MISCONFIGURED_UNAVAILABLE", false)]
    fn lifecycles_without_backups(#[case] lifecycle: &str, #[case] none: bool) {
        let mut fs = crate::engine::test_support::file_system("fs-0123456789abcdef0", "OPENZFS");
        fs.lifecycle = Some(crate::inventory::model::FileSystemLifecycle::parse(lifecycle));
        assert_eq!(no_backups(&fs).is_some(), none, "{lifecycle}");
    }
}
