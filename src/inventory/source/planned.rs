//! What infrastructure-code sources share: turning a planned file system's backup attributes,
//! however each kind of input reads them, into `BackupSettings` with what is unknown and what
//! is a default recorded in `Planned`.

use serde_json::Value;

use crate::inventory::model::{
    BackupSettings, DataRepositoryConfiguration, FileSystem, FileSystemType, Origin, Planned, StorageType, Tags,
};
use crate::regions::Partition;

/// One attribute of planned code: a value (and where the literal that set it is), a value not
/// known before deployment (why), or nothing written.
pub(super) enum Attr {
    /// The value, where the literal that set it is, and where the resource uses it when that
    /// is elsewhere (a variable's default, a template parameter's default).
    Known(Value, Option<Origin>, Option<Origin>),
    Unknown(String),
    Omitted,
}

/// How a kind of input spells the backup attributes of a file system.
pub(super) struct Names {
    pub retention: &'static str,
    pub copy_tags: &'static str,
    pub start_time: &'static str,
    pub deployment_type: &'static str,
    pub import_path: &'static str,
    pub export_path: &'static str,
}

/// The Terraform AWS provider's arguments.
pub(super) const TERRAFORM: Names = Names {
    retention: "automatic_backup_retention_days",
    copy_tags: "copy_tags_to_backups",
    start_time: "daily_automatic_backup_start_time",
    deployment_type: "deployment_type",
    import_path: "import_path",
    export_path: "export_path",
};

/// CloudFormation's properties (those of the FSx API).
pub(super) const CLOUDFORMATION: Names = Names {
    retention: "AutomaticBackupRetentionDays",
    copy_tags: "CopyTagsToBackups",
    start_time: "DailyAutomaticBackupStartTime",
    deployment_type: "DeploymentType",
    import_path: "ImportPath",
    export_path: "ExportPath",
};

/// Strings, numbers and booleans as text (CloudFormation passes them alike).
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The settings the rules read, with unknowns, defaults and locations noted in `planned`.
/// Omitted attributes take the FSx API's defaults (`CreateFileSystem*Configuration`): retention
/// 0 for Lustre and 30 otherwise, `CopyTagsToBackups` false, Lustre `DeploymentType`
/// `SCRATCH_1`; an omitted start time is chosen by FSx, so it is unknown.
pub(super) fn backup_settings(
    file_system_type: &FileSystemType,
    names: &Names,
    attr: impl Fn(&str) -> Attr,
    planned: &mut Planned,
) -> BackupSettings {
    let spelling = names;
    let lustre = *file_system_type == FileSystemType::Lustre;
    let mut settings = BackupSettings::default();
    let locate = |planned: &mut Planned, field: &'static str, origin: Option<Origin>, related: Option<Origin>| {
        if let Some(origin) = origin {
            planned.locations.push((field, origin));
        }
        if let Some(related) = related {
            planned.related.push((field, related));
        }
    };
    match attr(names.retention) {
        Attr::Known(value, origin, related) => match scalar_text(&value).and_then(|t| t.parse::<i64>().ok()) {
            Some(days) => {
                settings.automatic_backup_retention_days = Some(days);
                locate(planned, "AutomaticBackupRetentionDays", origin, related);
            }
            None => {
                planned.unknown.push(("AutomaticBackupRetentionDays", format!("the retention {value} is not a number")))
            }
        },
        Attr::Unknown(why) => planned.unknown.push(("AutomaticBackupRetentionDays", why)),
        Attr::Omitted => {
            let days = if lustre { 0 } else { 30 };
            settings.automatic_backup_retention_days = Some(days);
            planned.defaulted.push(("AutomaticBackupRetentionDays", format!("{days}: not set; the FSx API's default")));
        }
    }
    if *file_system_type != FileSystemType::Ontap {
        match attr(names.copy_tags) {
            Attr::Known(value, origin, related) => match scalar_text(&value).as_deref() {
                Some(text @ ("true" | "false")) => {
                    settings.copy_tags_to_backups = Some(text == "true");
                    locate(planned, "CopyTagsToBackups", origin, related);
                }
                _ => planned
                    .unknown
                    .push(("CopyTagsToBackups", format!("`{}` {value} is not a boolean", spelling.copy_tags))),
            },
            Attr::Unknown(why) => planned.unknown.push(("CopyTagsToBackups", why)),
            Attr::Omitted => {
                settings.copy_tags_to_backups = Some(false);
                planned.defaulted.push(("CopyTagsToBackups", "false: not set; the FSx API's default".into()));
            }
        }
    }
    match attr(names.start_time) {
        Attr::Known(value, origin, related) => match value.as_str() {
            Some(text) => {
                settings.daily_automatic_backup_start_time = Some(text.to_string());
                locate(planned, "DailyAutomaticBackupStartTime", origin, related);
            }
            None => planned
                .unknown
                .push(("DailyAutomaticBackupStartTime", format!("`{}` {value} is not a string", spelling.start_time))),
        },
        Attr::Unknown(why) => planned.unknown.push(("DailyAutomaticBackupStartTime", why)),
        Attr::Omitted => planned.unknown.push((
            "DailyAutomaticBackupStartTime",
            format!(
                "not set: FSx chooses the daily backup time when it creates the file system (set `{}`)",
                spelling.start_time
            ),
        )),
    }
    match attr(names.deployment_type) {
        Attr::Known(value, origin, related) => {
            settings.deployment_type = scalar_text(&value);
            locate(planned, "DeploymentType", origin, related);
        }
        Attr::Unknown(why) => planned.unknown.push(("DeploymentType", why)),
        Attr::Omitted if lustre => {
            settings.deployment_type = Some("SCRATCH_1".into());
            planned.defaulted.push(("DeploymentType", "SCRATCH_1: not set; the FSx API's default".into()));
        }
        Attr::Omitted => {}
    }
    if lustre {
        let mut link = DataRepositoryConfiguration::default();
        for (attr, slot) in
            [(attr(names.import_path), &mut link.import_path), (attr(names.export_path), &mut link.export_path)]
        {
            match attr {
                Attr::Known(value, _, _) => *slot = scalar_text(&value).filter(|p| !p.is_empty()),
                Attr::Unknown(why) => planned.unknown.push(("DataRepositoryConfiguration", why)),
                Attr::Omitted => {}
            }
        }
        if link.import_path.is_some() || link.export_path.is_some() {
            settings.data_repository_configuration = Some(link);
        }
    }
    settings
}

/// A planned file system, named by its address (`planned.address`), in `(account, region)`
/// (either may be `""`: not known).
pub(super) fn file_system(
    planned: Planned,
    (account, region): (String, &'static str),
    file_system_type: FileSystemType,
    storage_type: Option<StorageType>,
    tags: Tags,
    settings: BackupSettings,
    origin: Origin,
) -> FileSystem {
    FileSystem {
        arn: planned.address.clone(),
        id: planned.address.clone(),
        account,
        region,
        partition: crate::regions::lookup(region).map_or(Partition::Aws, |r| r.partition),
        file_system_type,
        storage_type,
        lifecycle: None,
        creation_time: None,
        tags: tags.into(),
        backup_settings: Some(settings),
        origin,
        planned: Some(Box::new(planned)),
    }
}

/// An ONTAP storage virtual machine in code: its address and its file system (an address of
/// the same input, a literal id, or unknown: why).
pub(super) struct PlannedSvm {
    pub address: String,
    pub file_system: Result<String, String>,
}

/// An ONTAP volume in code, before it is joined to its file system through its SVM.
pub(super) struct PlannedVolume {
    pub address: String,
    /// The SVM: an address of the same input, a literal id, or unknown (why).
    pub svm: Result<String, String>,
    pub name: Option<String>,
    pub copy_tags_to_backups: Option<bool>,
    pub ontap_volume_type: Option<String>,
    pub tags: Tags,
    pub account: String,
    pub region: &'static str,
    pub origin: Origin,
}

/// Joins planned volumes to their file systems (volume → SVM → file system). A volume whose
/// file system cannot be told is unreadable for its Region: `error` for every ONTAP file system
/// there whose volumes decide a verdict.
pub(super) fn join_volumes(
    volumes: Vec<PlannedVolume>,
    svms: &[PlannedSvm],
    loader: &mut super::FileLoader,
) -> Vec<crate::inventory::model::Volume> {
    let mut out = Vec::new();
    for volume in volumes {
        let file_system = volume.svm.clone().and_then(|svm| {
            svms.iter()
                .find(|s| s.address == svm)
                .ok_or_else(|| format!("its SVM `{svm}` is not in the input"))
                .and_then(|s| s.file_system.clone())
        });
        match file_system {
            Ok(file_system_id) => out.push(crate::inventory::model::Volume {
                arn: volume.address.clone(),
                id: volume.address,
                file_system_id,
                account: volume.account,
                region: volume.region,
                partition: crate::regions::lookup(volume.region).map_or(Partition::Aws, |r| r.partition),
                name: volume.name,
                volume_type: Some("ONTAP".into()),
                lifecycle: None,
                creation_time: None,
                ontap: Some(crate::inventory::model::RawOntapVolumeConfiguration {
                    storage_virtual_machine_root: Some(false),
                    copy_tags_to_backups: volume.copy_tags_to_backups,
                    ontap_volume_type: volume.ontap_volume_type,
                    storage_virtual_machine_id: None,
                }),
                tags: volume.tags.into(),
                origin: volume.origin,
            }),
            Err(why) => {
                let reason = format!("the file system of volume `{}` is not known: {why}", volume.address);
                loader.issues.push(crate::diag::Problem::at("", format!("{reason}: left out")));
                loader.unreadable.push((
                    Some(volume.account.clone()),
                    crate::inventory::Unreadable {
                        kind: crate::inventory::DataKind::Volumes,
                        region: (!volume.region.is_empty()).then_some(volume.region),
                        file_system: None,
                        resource: Some(volume.address),
                        reason,
                        origin: volume.origin,
                    },
                ));
            }
        }
    }
    out
}

/// What an infrastructure-code reader collects beside file systems: AWS Backup, IAM, and ONTAP
/// SVMs and volumes still to be joined to their file systems.
#[derive(Default)]
pub(super) struct Declared {
    pub backup: crate::inventory::backup_plan::BackupPlans,
    pub iam: super::planned_iam::IamCode,
    pub svms: Vec<PlannedSvm>,
    pub volumes: Vec<PlannedVolume>,
}

impl Declared {
    /// Joins the volumes, installs the IAM (in `--account`) and the AWS Backup resources.
    pub fn finish(
        self,
        options: &super::Options,
        loader: &mut super::FileLoader,
        inventory: &mut crate::inventory::Inventory,
    ) {
        for volume in join_volumes(self.volumes, &self.svms, loader) {
            loader.resources.push(super::Resource::Volume(volume));
        }
        for (address, why) in super::planned_iam::install(self.iam, options, inventory) {
            loader.issues.push(crate::diag::Problem::at("", format!("`{address}`: {why}: left out")));
        }
        inventory.backup_plans.plans.extend(self.backup.plans);
        inventory.backup_plans.selections.extend(self.backup.selections);
        inventory.backup_plans.vaults.extend(self.backup.vaults);
    }
}
