//! `backup-recency`: a file system has a recent, available backup of its own.

use serde::Deserialize;
use serde_json::json;

use super::RuleContext;
use crate::diag::Problem;
use crate::finding::{Finding, Parts, Verdict};
use crate::inventory::model::{BackupLifecycle, BackupType};
use crate::inventory::{Backup, Collected, FileSystem, Volume};

pub const DOC: &str = r#"## What it does
Checks that each file system has an `AVAILABLE` backup of its own, of the given types, created no more than `max_age_hours` before the evaluation time.

## Why is this bad?
Retention settings say what should happen; this rule checks what did. Automatic backups fail or are skipped (the file system was busy, a KMS key was disabled, AWS Backup's plan stopped), and nobody notices until a restore is needed. The recovery point objective is only as good as the newest backup that actually exists.

## Example
```yaml
- id: FSX-REC-1
  kind: backup-recency
  params:
    max_age_hours: 26        # a daily backup plus two hours of slack
    types: [AUTOMATIC, AWS_BACKUP]
```
Use instead: fix whatever stopped the backups (retention 0, a failed AWS Backup job, a disabled key) and take a backup now with `aws fsx create-backup`.

Parameters: `max_age_hours` (default 26), `types` (subset of `AUTOMATIC`, `USER_INITIATED`, `AWS_BACKUP`; default all three).

## Verdicts
- `pass`: one of the file system's own backups (copies do not count) of those types is `AVAILABLE` and at most `max_age_hours` old at `--now`. Backups created after `--now` are ignored.
- `fail`: none is. `FAILED` backups inside the window are named in the message.
- `error`: the backups of the file system's Region were not collected, or their collection failed; or no backup passes and one that could not be read (a missing field, an ARN or owner that does not fit) might be the file system's.
- ONTAP backs up volumes, not file systems: each ONTAP volume of the file system (not the SVM root volume) needs such a backup of its own (`Volume.VolumeId` of a `ResourceType: VOLUME` backup), and the file system's result is the worst of its volumes'; `error` when the Region's volumes were not collected.
- `not_applicable`: file systems that cannot be backed up (Lustre scratch deployments, Lustre linked to an S3 data repository through `DataRepositoryConfiguration`), that are `CREATING`, `DELETING` or `FAILED`, and file systems too young to have a backup that old: until their first daily backup window (the first `DailyAutomaticBackupStartTime` after `CreationTime`, or 24 hours after it when unknown) plus `max_age_hours` has passed. `UPDATING`, `MISCONFIGURED` and `MISCONFIGURED_UNAVAILABLE` file systems are judged as usual.

Planned file systems (infrastructure code) are `not_applicable`: nothing has been backed up before they are deployed.

## References
- [FSx for OpenZFS: protecting your data with backups](https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/using-backups.html)
- [DescribeBackups](https://docs.aws.amazon.com/fsx/latest/APIReference/API_DescribeBackups.html)
- [CreateBackup: which Lustre file systems can be backed up](https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateBackup.html)
- [FileSystem: `Lifecycle`, `CreationTime`](https://docs.aws.amazon.com/fsx/latest/APIReference/API_FileSystem.html)
- [FSx for ONTAP: protecting your data with backups (volume backups)](https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/using-backups.html)
- [Backup: `ResourceType`, `Volume`](https://docs.aws.amazon.com/fsx/latest/APIReference/API_Backup.html) and [DescribeVolumes](https://docs.aws.amazon.com/fsx/latest/APIReference/API_DescribeVolumes.html)
- [FSx for Lustre: working with backups (persistent, not linked to S3)](https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-backups-fsx.html)
"#;

#[derive(Debug, Clone)]
pub struct Params {
    pub max_age_hours: f64,
    pub types: Vec<BackupType>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    #[serde(default = "default_max_age")]
    max_age_hours: f64,
    types: Option<Vec<String>>,
}

fn default_max_age() -> f64 {
    26.0
}

impl Params {
    pub fn parse(value: &serde_json::Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        let raw: RawParams = super::typed(value, pointer)?;
        if !(raw.max_age_hours > 0.0 && raw.max_age_hours.is_finite()) {
            return Err(vec![Problem::at(
                format!("{pointer}/max_age_hours"),
                format!("`max_age_hours` must be a positive number, not {}", raw.max_age_hours),
            )]);
        }
        let types = raw.types.map_or_else(
            || vec![BackupType::Automatic, BackupType::UserInitiated, BackupType::AwsBackup],
            |t| super::parse_backup_types(&t),
        );
        Ok(Params { max_age_hours: raw.max_age_hours, types })
    }
}

pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>) -> Finding {
    let mut parts = Parts::new();
    if let Some(reason) = super::no_backups(fs)
        .or_else(|| super::planned(fs))
        .or_else(|| super::too_young(fs, context.now(), params.max_age_hours))
    {
        parts.add("recency", Verdict::NotApplicable, reason);
        return parts.finish(fs, json!({}));
    }
    if let Some(Collected::No(reason)) = context.account(&fs.account).map(|a| a.backups_in(fs.region)) {
        parts.add("recency", Verdict::Error, format!("could not evaluate: {reason}"));
        return parts.finish(fs, json!({}));
    }
    let units = super::units(fs, context, Some(params.max_age_hours));
    let own = context.index.backups_of(fs);
    match units.judged("recency", &mut parts) {
        None => {
            let evidence = judge(params, fs, None, own.iter().copied(), context, &mut parts);
            parts.finish(fs, evidence)
        }
        Some(volumes) => {
            // ONTAP backs up volumes: each volume needs a recent backup of its own.
            let mut evidence = Vec::new();
            for volume in volumes {
                let of_volume = own.iter().copied().filter(|b| b.volume_id.as_deref() == Some(volume.id.as_str()));
                evidence.push(judge(params, fs, Some(volume), of_volume, context, &mut parts));
            }
            parts.finish(fs, json!({"max_age_hours": params.max_age_hours, "volumes": evidence}))
        }
    }
}

/// Judges one unit (the file system, or one ONTAP volume) on its own backups, newest first.
fn judge<'a>(
    params: &Params,
    fs: &FileSystem,
    volume: Option<&Volume>,
    backups: impl Iterator<Item = &'a Backup>,
    context: &RuleContext<'_, '_>,
    parts: &mut Parts,
) -> serde_json::Value {
    let now = context.now();
    let age = |b: &Backup| b.creation_time.hours_until(now);
    let of_types: Vec<&Backup> = backups.filter(|b| params.types.contains(&b.backup_type)).collect();
    // Newest first, so the first match is the newest one.
    let newest_available = of_types.iter().find(|b| b.lifecycle == BackupLifecycle::Available);
    let failed_in_window: Vec<&str> = of_types
        .iter()
        .filter(|b| b.lifecycle == BackupLifecycle::Failed && age(b) <= params.max_age_hours)
        .map(|b| b.id.as_str())
        .collect();
    let types: Vec<&str> = params.types.iter().map(BackupType::as_str).collect();
    // "backup" when every type counts, else "AUTOMATIC/AWS_BACKUP backup".
    let kinds = if types.len() >= 3 { String::new() } else { format!("{} ", types.join("/")) };
    let mut evidence = json!({
        "max_age_hours": params.max_age_hours,
        "types": types,
        "newest_available": newest_available.map(|b| json!({
            "arn": b.arn,
            "type": b.backup_type.as_str(),
            "creation_time": b.creation_time.to_string(),
            "age_hours": round2(age(b)),
        })),
        "failed_in_window": failed_in_window,
    });
    if let (Some(volume), Some(map)) = (volume, evidence.as_object_mut()) {
        map.insert("volume".into(), json!(volume.arn));
    }
    let failed_note = if failed_in_window.is_empty() {
        String::new()
    } else {
        format!("; {} FAILED in the window: {}", failed_in_window.len(), failed_in_window.join(", "))
    };
    let (of, unit) = match volume {
        Some(v) => (format!("volume `{}`: ", v.id), "this volume"),
        None => (String::new(), "this file system"),
    };
    let passes = newest_available.is_some_and(|b| age(b) <= params.max_age_hours);
    // A backup that could not be read can only add a recovery point: it matters when none passes.
    let unreadable = if passes { None } else { context.unreadable_backup(fs, fs.region) };
    match newest_available {
        _ if unreadable.is_some() => {
            parts.add("recency", Verdict::Error, format!("{of}{}", unreadable.unwrap_or_default()));
        }
        Some(b) if age(b) <= params.max_age_hours => parts.add(
            "recency",
            Verdict::Pass,
            format!(
                "{of}newest available backup `{}` is {:.1} hours old (limit {})",
                b.id,
                age(b),
                params.max_age_hours
            ),
        ),
        Some(b) => parts.add(
            "recency",
            Verdict::Fail,
            format!(
                "{of}newest available {kinds}backup `{}` is {:.1} hours old, more than {} hours{failed_note}",
                b.id,
                age(b),
                params.max_age_hours
            ),
        ),
        None => parts.add("recency", Verdict::Fail, format!("{of}no available {kinds}backup of {unit}{failed_note}")),
    }
    evidence
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::test_support::{World, backup};
    use rstest::rstest;

    const FS: &str = "fs-0123456789abcdef0";

    fn params(hours: f64, types: &[BackupType]) -> Params {
        Params { max_age_hours: hours, types: types.to_vec() }
    }

    /// (age in hours, lifecycle, type, is a copy)
    type Spec = (f64, &'static str, &'static str, bool);

    #[rstest]
    #[case::fresh(vec![(2.0, "AVAILABLE", "AUTOMATIC", false)], Verdict::Pass)]
    #[case::exactly_at_limit(vec![(26.0, "AVAILABLE", "AUTOMATIC", false)], Verdict::Pass)]
    #[case::just_over(vec![(26.01, "AVAILABLE", "AUTOMATIC", false)], Verdict::Fail)]
    #[case::none(vec![], Verdict::Fail)]
    #[case::only_failed(vec![(1.0, "FAILED", "AUTOMATIC", false)], Verdict::Fail)]
    #[case::creating_does_not_count(vec![(1.0, "CREATING", "AUTOMATIC", false)], Verdict::Fail)]
    #[case::copy_does_not_count(vec![(1.0, "AVAILABLE", "AUTOMATIC", true)], Verdict::Fail)]
    #[case::future_backup_ignored(vec![(-1.0, "AVAILABLE", "AUTOMATIC", false)], Verdict::Fail)]
    #[case::old_and_new(vec![(100.0, "AVAILABLE", "AUTOMATIC", false), (3.0, "AVAILABLE", "AWS_BACKUP", false)], Verdict::Pass)]
    #[case::wrong_type(vec![(1.0, "AVAILABLE", "USER_INITIATED", false)], Verdict::Fail)]
    fn verdicts(#[case] backups: Vec<Spec>, #[case] expected: Verdict) {
        let mut world = World::new();
        world.file_system(FS, "OPENZFS");
        for (i, (age, lifecycle, kind, copy)) in backups.into_iter().enumerate() {
            let mut b = backup(&format!("backup-{i:017x}"), FS, world.hours_ago(age), lifecycle, kind);
            if copy {
                b.source_backup_id = Some("backup-0fffffffffffffff0".into());
                b.source_backup_region = Some("us-west-2");
            }
            world.add_backup(b);
        }
        let finding = world.evaluate_one(FS, |fs, ctx| {
            evaluate(&params(26.0, &[BackupType::Automatic, BackupType::AwsBackup]), fs, ctx)
        });
        assert_eq!(finding.verdict, expected, "{}", finding.message);
    }

    #[test]
    fn failed_backups_are_named() {
        let mut world = World::new();
        world.file_system(FS, "OPENZFS");
        world.add_backup(backup("backup-0000000000000000a", FS, world.hours_ago(3.0), "FAILED", "AUTOMATIC"));
        let finding = world.evaluate_one(FS, |fs, ctx| evaluate(&params(26.0, &[BackupType::Automatic]), fs, ctx));
        assert_eq!(finding.verdict, Verdict::Fail);
        assert!(finding.message.contains("backup-0000000000000000a"), "{}", finding.message);
    }

    #[test]
    fn uncollected_region_is_an_error() {
        let mut world = World::new();
        world.file_system(FS, "OPENZFS");
        world.uncollect_backups();
        let finding = world.evaluate_one(FS, |fs, ctx| evaluate(&params(26.0, &[BackupType::Automatic]), fs, ctx));
        assert_eq!(finding.verdict, Verdict::Error);
    }
}
