//! `backup-retention`: automatic daily backups are on, kept long enough and not too long.

use serde::Deserialize;
use serde_json::json;

use super::RuleContext;
use crate::diag::Problem;
use crate::finding::{Finding, Parts, Verdict};
use crate::inventory::FileSystem;
use crate::inventory::model::FileSystemType;

pub const DOC: &str = r#"## What it does
Checks that a file system's automatic daily backups are enabled and kept between `min_days` and `max_days` days, optionally that tags are copied to backups and that the daily backup window avoids a busy time.

## Why is this bad?
`AutomaticBackupRetentionDays: 0` turns automatic daily backups off: the file system has no recovery point unless someone takes one by hand. Too short a retention loses the history an incident needs; too long a retention keeps data (and costs) past what the records schedule allows. Without `CopyTagsToBackups`, backups lose the tags that cost allocation and tag-based IAM conditions rely on. A daily backup that starts during the batch window competes with it for throughput.

## Example
```yaml
- id: FSX-RET-1
  kind: backup-retention
  params:
    min_days: 7
    max_days: 35
    require_copy_tags_to_backups: true
    avoid_window: {start: "22:00", end: "02:00"}   # UTC, wraps midnight
```
Use instead, on the file system (`aws fsx update-file-system`):
```yaml
OpenZFSConfiguration:
  AutomaticBackupRetentionDays: 14
  CopyTagsToBackups: true
  DailyAutomaticBackupStartTime: "05:00"
```

Parameters: `min_days` (1..90, default 1), `max_days` (1..90, default 90, at least `min_days`), `require_copy_tags_to_backups` (default false), `avoid_window` (`start`/`end` as `HH:MM` UTC; start inclusive, end exclusive; may wrap midnight; start equal to end is invalid).

## Verdicts
- `fail`: retention is 0 (automatic backups disabled), below `min_days` or above `max_days`; copy-tags required and `CopyTagsToBackups` is not true (for ONTAP, where it is a volume setting: on any volume but the SVM root, with `error` when the Region's volumes were not collected); `DailyAutomaticBackupStartTime` inside `avoid_window`.
- `error`: the type's configuration block, or a field the rule needs (including `CopyTagsToBackups` when required), is missing from the inventory.
- `not_applicable`: file systems that cannot be backed up (Lustre scratch deployments; Lustre linked to an S3 data repository through `DataRepositoryConfiguration`) and file systems that are `CREATING`, `DELETING` or `FAILED`, with the reason; the copy-tags check on ONTAP volumes that are not backed up (the SVM root volume); the window check when automatic backups are disabled.
- `pass`: otherwise. One result per file system, the worst of its parts.

Planned file systems (a Terraform plan): a value the code sets to something not known before apply is `error` where it decides ("not known before apply: `automatic_backup_retention_days` comes from `var.x`"); an attribute the code leaves out is judged at the default the provider writes into the plan (Terraform AWS provider: OpenZFS and ONTAP retention 0, Windows 7, `copy_tags_to_backups` false), else the FSx API's default (Lustre retention 0, otherwise 30; `CopyTagsToBackups` false; Lustre `DeploymentType` `SCRATCH_1`), named in the evidence (`planned.defaults`). An omitted `daily_automatic_backup_start_time` is chosen by FSx at creation, so `avoid_window` is `error` for it. Planned ONTAP volumes (`aws_fsx_ontap_volume`, `AWS::FSx::Volume`) are joined to their file system through their SVM and judged like collected ones.

## References
- [FSx for OpenZFS: working with automatic daily backups](https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/using-backups.html)
- [UpdateFileSystem: AutomaticBackupRetentionDays, DailyAutomaticBackupStartTime](https://docs.aws.amazon.com/fsx/latest/APIReference/API_UpdateFileSystemOpenZFSConfiguration.html)
- [CreateBackup: Lustre file systems that can be backed up (persistent, not linked to a data repository)](https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateBackup.html)
- [FSx for ONTAP: protecting your data with backups (volume backups)](https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/using-backups.html)
- [Backup: `ResourceType`, `Volume`](https://docs.aws.amazon.com/fsx/latest/APIReference/API_Backup.html) and [DescribeVolumes](https://docs.aws.amazon.com/fsx/latest/APIReference/API_DescribeVolumes.html)
- [FSx for Lustre: working with backups (persistent, not linked to S3)](https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-backups-fsx.html)
"#;

/// Minutes after midnight UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay(pub u16);

impl TimeOfDay {
    /// Parses `HH:MM` (00:00 to 23:59).
    pub fn parse(text: &str) -> Option<TimeOfDay> {
        let (h, m) = text.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(TimeOfDay(h * 60 + m))
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// A daily UTC window, start inclusive, end exclusive, wrapping midnight when start > end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

impl Window {
    pub fn contains(&self, at: TimeOfDay) -> bool {
        if self.start <= self.end { self.start <= at && at < self.end } else { at >= self.start || at < self.end }
    }
}

#[derive(Debug, Clone)]
pub struct Params {
    pub min_days: i64,
    pub max_days: i64,
    pub require_copy_tags_to_backups: bool,
    pub avoid_window: Option<Window>,
}

#[derive(Deserialize)]
struct RawWindow {
    start: String,
    end: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    #[serde(default = "one")]
    min_days: i64,
    #[serde(default = "ninety")]
    max_days: i64,
    #[serde(default)]
    require_copy_tags_to_backups: bool,
    avoid_window: Option<RawWindow>,
}

fn one() -> i64 {
    1
}

fn ninety() -> i64 {
    90
}

impl Params {
    pub fn parse(value: &serde_json::Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        let raw: RawParams = super::typed(value, pointer)?;
        let mut problems = Vec::new();
        for (name, days) in [("min_days", raw.min_days), ("max_days", raw.max_days)] {
            if !(1..=90).contains(&days) {
                problems.push(
                    Problem::at(format!("{pointer}/{name}"), format!("`{name}` is {days}, outside 1..90"))
                        .with_help("AWS keeps automatic backups 1 to 90 days (0 disables them)"),
                );
            }
        }
        if raw.min_days > raw.max_days {
            problems.push(
                Problem::at(
                    format!("{pointer}/min_days"),
                    format!("`min_days` ({}) is greater than `max_days` ({})", raw.min_days, raw.max_days),
                )
                .with_help("no retention can satisfy both: lower `min_days` or raise `max_days`"),
            );
        }
        let mut avoid_window = None;
        if let Some(window) = raw.avoid_window {
            let start = TimeOfDay::parse(&window.start);
            let end = TimeOfDay::parse(&window.end);
            for (name, text, parsed) in [("start", &window.start, start), ("end", &window.end, end)] {
                if parsed.is_none() {
                    problems.push(
                        Problem::at(format!("{pointer}/avoid_window/{name}"), format!("`{text}` is not a time of day"))
                            .with_help("write it as HH:MM in UTC, 00:00 to 23:59"),
                    );
                }
            }
            if let (Some(start), Some(end)) = (start, end) {
                if start == end {
                    problems.push(
                        Problem::at(
                            format!("{pointer}/avoid_window"),
                            "`avoid_window` starts and ends at the same time",
                        )
                        .with_help("an empty window avoids nothing; a whole-day window allows no backup at all"),
                    );
                }
                avoid_window = Some(Window { start, end });
            }
        }
        if problems.is_empty() {
            Ok(Params {
                min_days: raw.min_days,
                max_days: raw.max_days,
                require_copy_tags_to_backups: raw.require_copy_tags_to_backups,
                avoid_window,
            })
        } else {
            Err(problems)
        }
    }
}

fn configuration_name(fs: &FileSystem) -> &'static str {
    match fs.file_system_type {
        FileSystemType::Openzfs => "OpenZFSConfiguration",
        FileSystemType::Windows => "WindowsConfiguration",
        FileSystemType::Lustre => "LustreConfiguration",
        FileSystemType::Ontap => "OntapConfiguration",
        FileSystemType::Other(_) => "configuration",
    }
}

pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>) -> Finding {
    let mut parts = Parts::new();
    if let Some(reason) = super::no_backups(fs) {
        parts.add("retention", Verdict::NotApplicable, reason);
        return parts.finish(fs, json!({}));
    }
    let config = configuration_name(fs);
    let Some(settings) = &fs.backup_settings else {
        parts.add("retention", Verdict::Error, format!("`{config}` is missing from the inventory"));
        return parts.finish(fs, json!({}));
    };

    // A planned file system: what is not known before apply is `error` where it decides.
    if fs.file_system_type == FileSystemType::Lustre
        && let Some(why) = fs.unknown("DeploymentType").or_else(|| fs.unknown("DataRepositoryConfiguration"))
    {
        parts.add("retention", Verdict::Error, format!("whether it can be backed up is {why}"));
        return parts.finish(fs, json!({}));
    }
    let retention = settings.automatic_backup_retention_days;
    match retention {
        None if fs.unknown("AutomaticBackupRetentionDays").is_some() => {
            parts.add("retention", Verdict::Error, fs.unknown("AutomaticBackupRetentionDays").unwrap_or_default())
        }
        None => parts.add(
            "retention",
            Verdict::Error,
            format!("`{config}.AutomaticBackupRetentionDays` is missing from the inventory"),
        ),
        Some(0) => parts.add(
            "retention",
            Verdict::Fail,
            "automatic daily backups are disabled (`AutomaticBackupRetentionDays` is 0)",
        ),
        Some(days) if days < params.min_days => parts.add(
            "retention",
            Verdict::Fail,
            format!("automatic backups are kept {days} days, fewer than `min_days` {}", params.min_days),
        ),
        Some(days) if days > params.max_days => parts.add(
            "retention",
            Verdict::Fail,
            format!("automatic backups are kept {days} days, more than `max_days` {}", params.max_days),
        ),
        Some(days) => parts.add(
            "retention",
            Verdict::Pass,
            format!("automatic backups are kept {days} days ({}..{})", params.min_days, params.max_days),
        ),
    }

    if params.require_copy_tags_to_backups {
        if let Some(volumes) = super::units(fs, context, None).judged("copy_tags_to_backups", &mut parts) {
            // ONTAP sets `CopyTagsToBackups` per volume (`OntapConfiguration` of each volume).
            for volume in volumes {
                match volume.ontap.as_ref().and_then(|c| c.copy_tags_to_backups) {
                    Some(true) => parts.add(
                        "copy_tags_to_backups",
                        Verdict::Pass,
                        format!("volume `{}`: tags are copied to backups", volume.id),
                    ),
                    Some(false) => parts.add(
                        "copy_tags_to_backups",
                        Verdict::Fail,
                        format!(
                            "volume `{}`: tags are not copied to backups (`CopyTagsToBackups` is false)",
                            volume.id
                        ),
                    ),
                    None => parts.add(
                        "copy_tags_to_backups",
                        Verdict::Error,
                        format!(
                            "volume `{}`: `OntapConfiguration.CopyTagsToBackups` is missing from the inventory",
                            volume.id
                        ),
                    ),
                }
            }
        } else {
            match settings.copy_tags_to_backups {
                None if fs.unknown("CopyTagsToBackups").is_some() => parts.add(
                    "copy_tags_to_backups",
                    Verdict::Error,
                    fs.unknown("CopyTagsToBackups").unwrap_or_default(),
                ),
                Some(true) => parts.add("copy_tags_to_backups", Verdict::Pass, "tags are copied to backups"),
                Some(false) => parts.add(
                    "copy_tags_to_backups",
                    Verdict::Fail,
                    "tags are not copied to backups (`CopyTagsToBackups` is false)",
                ),
                None => parts.add(
                    "copy_tags_to_backups",
                    Verdict::Error,
                    format!("`{config}.CopyTagsToBackups` is missing from the inventory"),
                ),
            }
        }
    }

    if let Some(window) = params.avoid_window {
        let start = settings.daily_automatic_backup_start_time.as_deref();
        match (retention, start.map(|s| (s, TimeOfDay::parse(s)))) {
            (Some(0), _) => parts.add("avoid_window", Verdict::NotApplicable, "automatic backups are disabled"),
            (_, None) if fs.unknown("DailyAutomaticBackupStartTime").is_some() => parts.add(
                "avoid_window",
                Verdict::Error,
                fs.unknown("DailyAutomaticBackupStartTime").unwrap_or_default(),
            ),
            (_, None) => parts.add(
                "avoid_window",
                Verdict::Error,
                format!("`{config}.DailyAutomaticBackupStartTime` is missing from the inventory"),
            ),
            (_, Some((text, None))) => parts.add(
                "avoid_window",
                Verdict::Error,
                format!("`DailyAutomaticBackupStartTime` `{text}` is not HH:MM"),
            ),
            (_, Some((_, Some(at)))) if window.contains(at) => parts.add(
                "avoid_window",
                Verdict::Fail,
                format!(
                    "the daily backup starts at {at} UTC, inside the avoided window {}–{}",
                    window.start, window.end
                ),
            ),
            (_, Some((_, Some(at)))) => parts.add(
                "avoid_window",
                Verdict::Pass,
                format!("the daily backup starts at {at} UTC, outside {}–{}", window.start, window.end),
            ),
        }
    }

    let evidence = json!({
        "AutomaticBackupRetentionDays": retention,
        "CopyTagsToBackups": settings.copy_tags_to_backups,
        "DailyAutomaticBackupStartTime": settings.daily_automatic_backup_start_time,
    });
    parts.finish(fs, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::{World, file_system};
    use crate::inventory::model::BackupSettings;
    use rstest::rstest;

    fn params(min: i64, max: i64, tags: bool, window: Option<(&str, &str)>) -> Params {
        Params {
            min_days: min,
            max_days: max,
            require_copy_tags_to_backups: tags,
            avoid_window: window
                .map(|(s, e)| Window { start: TimeOfDay::parse(s).unwrap(), end: TimeOfDay::parse(e).unwrap() }),
        }
    }

    fn settings(days: Option<i64>, tags: Option<bool>, start: Option<&str>) -> Option<BackupSettings> {
        Some(BackupSettings {
            automatic_backup_retention_days: days,
            copy_tags_to_backups: tags,
            daily_automatic_backup_start_time: start.map(str::to_string),
            deployment_type: None,
            data_repository_configuration: None,
        })
    }

    #[rstest]
    // retention bounds, inclusive on both ends
    #[case::disabled(
        "OPENZFS",
        settings(Some(0), Some(true), Some("05:00")),
        params(1, 90, false, None),
        Verdict::Fail
    )]
    #[case::below_min("OPENZFS", settings(Some(6), None, None), params(7, 35, false, None), Verdict::Fail)]
    #[case::at_min("OPENZFS", settings(Some(7), None, None), params(7, 35, false, None), Verdict::Pass)]
    #[case::at_max("OPENZFS", settings(Some(35), None, None), params(7, 35, false, None), Verdict::Pass)]
    #[case::above_max("OPENZFS", settings(Some(36), None, None), params(7, 35, false, None), Verdict::Fail)]
    #[case::missing_days("OPENZFS", settings(None, Some(true), None), params(1, 90, false, None), Verdict::Error)]
    #[case::missing_config("OPENZFS", None, params(1, 90, false, None), Verdict::Error)]
    // copy tags
    #[case::tags_true("OPENZFS", settings(Some(7), Some(true), None), params(1, 90, true, None), Verdict::Pass)]
    #[case::tags_false("WINDOWS", settings(Some(7), Some(false), None), params(1, 90, true, None), Verdict::Fail)]
    #[case::tags_missing("OPENZFS", settings(Some(7), None, None), params(1, 90, true, None), Verdict::Error)]
    #[case::tags_not_required("OPENZFS", settings(Some(7), None, None), params(1, 90, false, None), Verdict::Pass)]
    #[case::ontap_without_volumes_has_nothing_to_tag(
        "ONTAP",
        settings(Some(7), None, None),
        params(1, 90, true, None),
        Verdict::Pass
    )]
    // fail beats error: a missing field does not hide a certain failure
    #[case::fail_over_error("OPENZFS", settings(Some(0), None, None), params(1, 90, true, None), Verdict::Fail)]
    // windows: start inclusive, end exclusive, wrapping midnight
    #[case::at_start("OPENZFS", settings(Some(7), None, Some("22:00")), params(1, 90, false, Some(("22:00", "02:00"))), Verdict::Fail)]
    #[case::wrapped_after_midnight("OPENZFS", settings(Some(7), None, Some("01:59")), params(1, 90, false, Some(("22:00", "02:00"))), Verdict::Fail)]
    #[case::at_end("OPENZFS", settings(Some(7), None, Some("02:00")), params(1, 90, false, Some(("22:00", "02:00"))), Verdict::Pass)]
    #[case::before_start("OPENZFS", settings(Some(7), None, Some("21:59")), params(1, 90, false, Some(("22:00", "02:00"))), Verdict::Pass)]
    #[case::plain_window_inside("OPENZFS", settings(Some(7), None, Some("03:30")), params(1, 90, false, Some(("03:00", "04:00"))), Verdict::Fail)]
    #[case::plain_window_outside("OPENZFS", settings(Some(7), None, Some("04:00")), params(1, 90, false, Some(("03:00", "04:00"))), Verdict::Pass)]
    #[case::window_time_missing("OPENZFS", settings(Some(7), None, None), params(1, 90, false, Some(("03:00", "04:00"))), Verdict::Error)]
    #[case::window_time_garbled("OPENZFS", settings(Some(7), None, Some("3am")), params(1, 90, false, Some(("03:00", "04:00"))), Verdict::Error)]
    #[case::window_when_disabled("OPENZFS", settings(Some(0), None, None), params(1, 90, false, Some(("03:00", "04:00"))), Verdict::Fail)]
    // other types where the fields exist
    #[case::lustre_persistent(
        "LUSTRE",
        settings(Some(3), Some(true), Some("01:00")),
        params(7, 90, false, None),
        Verdict::Fail
    )]
    #[case::ontap_ok("ONTAP", settings(Some(30), None, Some("01:00")), params(7, 90, false, None), Verdict::Pass)]
    fn verdicts(
        #[case] fs_type: &str,
        #[case] config: Option<BackupSettings>,
        #[case] params: Params,
        #[case] expected: Verdict,
    ) {
        let mut fs = file_system("fs-0123456789abcdef0", fs_type);
        fs.backup_settings = config;
        let finding = World::alone(fs, |fs, context| evaluate(&params, fs, context));
        assert_eq!(finding.verdict, expected, "{}", finding.message);
    }

    #[test]
    fn lustre_scratch_is_not_applicable() {
        let mut fs = file_system("fs-0123456789abcdef0", "LUSTRE");
        fs.backup_settings =
            Some(BackupSettings { deployment_type: Some("SCRATCH_2".into()), ..BackupSettings::default() });
        let finding = World::alone(fs, |fs, context| evaluate(&params(7, 35, true, None), fs, context));
        assert_eq!(finding.verdict, Verdict::NotApplicable);
    }

    #[rstest]
    #[case("00:00", Some(0))]
    #[case("23:59", Some(1439))]
    #[case("24:00", None)]
    #[case("12:60", None)]
    #[case("1:00", None)]
    #[case("", None)]
    #[case("ab:cd", None)]
    fn times_of_day(#[case] text: &str, #[case] minutes: Option<u16>) {
        assert_eq!(TimeOfDay::parse(text).map(|t| t.0), minutes);
    }

    #[test]
    fn lint() {
        let parse = |v: serde_json::Value| Params::parse(&v, "/rules/0/params");
        assert!(parse(json!({"min_days": 7, "max_days": 35})).is_ok());
        assert!(parse(json!(null)).is_ok());
        assert_eq!(parse(json!({"min_days": 40, "max_days": 35})).unwrap_err().len(), 1);
        assert_eq!(parse(json!({"min_days": 0, "max_days": 91})).unwrap_err().len(), 2);
        assert_eq!(parse(json!({"avoid_window": {"start": "25:00", "end": "01:00"}})).unwrap_err().len(), 1);
        assert_eq!(parse(json!({"avoid_window": {"start": "01:00", "end": "01:00"}})).unwrap_err().len(), 1);
    }
}
