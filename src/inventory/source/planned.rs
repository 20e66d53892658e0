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
    Known(Value, Option<Origin>),
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
    let locate = |planned: &mut Planned, field: &'static str, origin: Option<Origin>| {
        if let Some(origin) = origin {
            planned.locations.push((field, origin));
        }
    };
    match attr(names.retention) {
        Attr::Known(value, origin) => match scalar_text(&value).and_then(|t| t.parse::<i64>().ok()) {
            Some(days) => {
                settings.automatic_backup_retention_days = Some(days);
                locate(planned, "AutomaticBackupRetentionDays", origin);
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
            Attr::Known(value, origin) => match scalar_text(&value).as_deref() {
                Some(text @ ("true" | "false")) => {
                    settings.copy_tags_to_backups = Some(text == "true");
                    locate(planned, "CopyTagsToBackups", origin);
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
        Attr::Known(value, origin) => match value.as_str() {
            Some(text) => {
                settings.daily_automatic_backup_start_time = Some(text.to_string());
                locate(planned, "DailyAutomaticBackupStartTime", origin);
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
        Attr::Known(value, origin) => {
            settings.deployment_type = scalar_text(&value);
            locate(planned, "DeploymentType", origin);
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
                Attr::Known(value, _) => *slot = scalar_text(&value).filter(|p| !p.is_empty()),
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
        tags,
        backup_settings: Some(settings),
        origin,
        planned: Some(Box::new(planned)),
    }
}
