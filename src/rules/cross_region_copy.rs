//! `cross-region-copy`: each file system has a recent, available copy of its backups in every
//! destination Region.

use serde::Deserialize;
use serde_json::{Value, json};

use super::RuleContext;
use crate::diag::Problem;
use crate::finding::{Finding, Parts, Verdict};
use crate::inventory::index::Copy;
use crate::inventory::model::{BackupLifecycle, StorageType, Timestamp};
use crate::inventory::{Collected, FileSystem, Volume};
use crate::policy::Select;
use crate::regions;

pub const DOC: &str = r#"## What it does
Checks that, for each destination Region, the file system has an `AVAILABLE` copy (made with FSx `CopyBackup`, in the same account) of one of its own backups whose recovery point is at most `max_age_hours` old.

## Why is this bad?
A backup in the same Region as its file system shares that Region's fate. Disaster-recovery plans promise a recovery point in another Region, and the promise quietly breaks: a copy job stops after a key or role change, copies stay `COPYING`, or they copy an old backup again and again. The recovery point of a copy is the *source* backup's creation time: a copy made an hour ago of a five-day-old backup is a five-day-old recovery point. AWS Config and Backup Audit Manager only see AWS Backup plans; this rule looks at the copies themselves.

## Example
```yaml
- id: FSX-DR-1
  kind: cross-region-copy
  select:
    regions: [us-east-1]
  params:
    destinations: [us-west-2]
    max_age_hours: 48
```
Use instead: copy the newest backup after each daily backup, e.g. `aws fsx copy-backup --source-backup-id backup-... --source-region us-east-1 --region us-west-2 --kms-key-id <key in us-west-2>` from a scheduled job, or an AWS Backup plan with a copy rule.

Parameters: `destinations` (non-empty list of Regions; a destination equal to the file system's own Region is an in-Region copy and counts like any other, so a rule without `select.regions` demands an in-Region copy from file systems that already live in a destination: `validate` warns about it), `max_age_hours` (default 48).

## Verdicts
Per destination, in this order:
- `pass` when a copy qualifies: `AVAILABLE` (not `CREATING`, `COPYING`, `PENDING`, `TRANSFERRING`, `FAILED`, `DELETED`) with a recovery point no more than `max_age_hours` before `--now`. What AWS shows exists beats what the built-in table says cannot, so a qualifying copy passes even where the table calls copies impossible (and `copy-kms-consistency` judges the same copy);
- `fail` when no copy qualifies and the destination cannot hold copies of the file system at all: another partition group (commercial, China, GovCloud, ...), an opt-in Region on either side of a cross-Region copy, or `INTELLIGENT_TIERING` storage (also a policy warning when `select.regions` makes it certain);
- `error` when the destination's backups were not collected ("region not collected"), or a backup there that could not be read might be a copy of the file system;
- `error` when none qualifies but a copy whose source backup is gone (unknown recovery point, no later than the copy's own creation) is young enough that it might;
- `fail` otherwise (when a Region is not in fsx-guard's table, the message says so: without a copy the verdict is `fail` whether or not copies could reach it).
- `not_applicable` for file systems that cannot be backed up (Lustre scratch, Lustre linked to S3), that are `CREATING`, `DELETING` or `FAILED`, or that are too young: until their first daily backup window plus `max_age_hours` has passed.
ONTAP backs up volumes: each ONTAP volume (not the SVM root) needs its own qualifying copy in each destination, and the file system's result is the worst over its volumes and destinations; `error` when the Region's volumes were not collected. The file system's result is the worst over its destinations. Copies of copies and copies in other accounts (AWS Backup cross-account copies) never count; the evidence says how many were seen.

Planned file systems (a Terraform plan) have no copies yet; what counts is the AWS Backup plans in the same input. A rule of an `aws_backup_plan` copies a file system to a destination when an `aws_backup_selection` of that plan, in the file system's account and Region, covers it (by a reference to it or its ARN in `resources`, an ARN pattern naming every file system, or a `selection_tag` `STRINGEQUALS` its tags match; `condition` `string_equals` on `aws:ResourceTag/...` must also hold, and `not_resources` excludes), and a `copy_action` sends it to a vault in that Region (a vault of the input, or a vault ARN). The copy's worst recovery-point age is the schedule's longest gap (cron or rate) plus the start and completion windows (AWS Backup's defaults, 8 hours and 7 days, when unset), plus one hour when the schedule's time zone is not UTC (a daylight-saving change stretches one gap); `pass` when the best such rule is within `max_age_hours`, `fail` when it is not or when nothing copies the file system there, `error` when a selection, plan, destination, schedule or window is not known before apply, when the file system's Region is not known (add `--region`). ONTAP: each planned volume is judged (AWS Backup selects volumes, by reference, ARN or the volume's tags), the file system's result is the worst over them.

## References
- [AWS Backup: creating a backup plan (schedule, start and completion windows, copy to another Region)](https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html)
- [AWS Backup: assigning resources to a backup plan (resources, tags, conditions)](https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html)
- [FSx for OpenZFS: copying backups](https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/copying-backups.html)
- [CopyBackup](https://docs.aws.amazon.com/fsx/latest/APIReference/API_CopyBackup.html)
- [Opt-in Regions](https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html)
- [FSx for ONTAP: protecting your data with backups (volume backups)](https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/using-backups.html)
- [Backup: `ResourceType`, `Volume`](https://docs.aws.amazon.com/fsx/latest/APIReference/API_Backup.html) and [DescribeVolumes](https://docs.aws.amazon.com/fsx/latest/APIReference/API_DescribeVolumes.html)
- [FSx for Lustre: working with backups (persistent, not linked to S3)](https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-backups-fsx.html)
"#;

#[derive(Debug, Clone)]
pub struct Params {
    pub destinations: Vec<String>,
    pub max_age_hours: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    destinations: Vec<String>,
    #[serde(default = "default_max_age")]
    max_age_hours: f64,
}

fn default_max_age() -> f64 {
    48.0
}

impl Params {
    pub fn parse(value: &Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        let raw: RawParams = super::typed(value, pointer)?;
        let mut problems = super::lint_regions(&raw.destinations, &format!("{pointer}/destinations"));
        if raw.destinations.is_empty() {
            problems.push(
                Problem::at(format!("{pointer}/destinations"), "`destinations` is empty")
                    .with_help("name at least one Region that must hold copies"),
            );
        }
        if !(raw.max_age_hours > 0.0 && raw.max_age_hours.is_finite()) {
            problems.push(Problem::at(
                format!("{pointer}/max_age_hours"),
                format!("`max_age_hours` must be a positive number, not {}", raw.max_age_hours),
            ));
        }
        if problems.is_empty() {
            Ok(Params { destinations: raw.destinations, max_age_hours: raw.max_age_hours })
        } else {
            Err(problems)
        }
    }

    /// Warnings for destinations that `select.regions` makes certainly impossible.
    pub fn warnings(&self, select: &Select, pointer: &str) -> Vec<Problem> {
        let mut warnings = Vec::new();
        if select.regions.is_none() {
            warnings.push(
                Problem::at(
                    format!("{pointer}/params/destinations"),
                    format!(
                        "without `select.regions`, file systems that already live in {} must hold an in-Region copy there",
                        self.destinations.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(" or ")
                    ),
                )
                .with_help("name the source Regions in `select.regions` (a destination equal to a file system's own Region is an in-Region copy and counts like any other)"),
            );
        }
        for (i, destination) in self.destinations.iter().enumerate() {
            for source in select.regions.iter().flatten() {
                let (Some(from), Some(to)) = (regions::lookup(source), regions::lookup(destination)) else {
                    continue;
                };
                if let Some(reason) = regions::copy_impossible(from, to) {
                    warnings.push(
                        Problem::at(
                            format!("{pointer}/params/destinations/{i}"),
                            format!("file systems in `{source}` can never have copies in `{destination}`: {reason}"),
                        )
                        .with_help("unless AWS shows a copy there (the built-in table may be older than AWS), every selected file system there will fail this rule"),
                    );
                }
            }
        }
        warnings
    }
}

/// Why no copy of `fs` can exist in `destination`, or `None`.
pub fn impossible(fs: &FileSystem, destination: &regions::Region) -> Option<String> {
    if fs.storage_type == Some(StorageType::IntelligentTiering) {
        return Some("file systems on INTELLIGENT_TIERING storage cannot have backup copies".into());
    }
    let source = regions::lookup(fs.region)?;
    regions::copy_impossible(source, destination)
}

fn hours(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Why a copy does not qualify, found without writing it out: most copies of a file system are
/// older than the limit, and only the newest three reasons are shown.
#[derive(Clone, std::marker::Copy)]
enum Why {
    /// Not `AVAILABLE`.
    Lifecycle,
    /// Its recovery point is this many hours old.
    TooOld(f64, Timestamp),
    /// Its source backup is gone and it was made this many hours ago: too long ago (`true`),
    /// or recently enough that its recovery point might still qualify (`false`).
    SourceGone(f64, bool),
}

/// Why a copy does not qualify, or `None` when it does.
fn disqualified(copy: &Copy<'_>, max_age_hours: f64, context: &RuleContext<'_, '_>) -> Option<Why> {
    let backup = copy.backup;
    if backup.lifecycle != BackupLifecycle::Available {
        return Some(Why::Lifecycle);
    }
    let now = context.now();
    match copy.recovery_point {
        Some(point) => {
            let age = point.hours_until(now);
            (age > max_age_hours).then_some(Why::TooOld(age, point))
        }
        None => {
            let bound = backup.creation_time.hours_until(now);
            Some(Why::SourceGone(bound, bound > max_age_hours))
        }
    }
}

/// A reason written out; `Err` when the copy might qualify after all.
fn reason(copy: &Copy<'_>, why: Why) -> Result<String, String> {
    let backup = copy.backup;
    match why {
        Why::Lifecycle => Ok(format!("`{}` is {}", backup.id, backup.lifecycle)),
        Why::TooOld(age, point) => {
            Ok(format!("`{}` holds a recovery point {:.1} hours old (source created {point})", backup.id, age))
        }
        Why::SourceGone(bound, true) => Ok(format!(
            "`{}` was made {:.1} hours ago of a source backup that is gone, so its recovery point is older still",
            backup.id, bound
        )),
        Why::SourceGone(bound, false) => Err(format!(
            "`{}` was made {:.1} hours ago but its source backup is no longer in the inventory: its recovery point is unknown",
            backup.id, bound
        )),
    }
}

pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>) -> Finding {
    let mut parts = Parts::new();
    if let Some(reason) = super::no_backups(fs).or_else(|| super::too_young(fs, context.now(), params.max_age_hours)) {
        parts.add("destination", Verdict::NotApplicable, reason);
        return parts.finish(fs, json!({"max_age_hours": params.max_age_hours}));
    }
    if fs.planned.is_some() {
        return evaluate_planned(params, fs, context);
    }
    let mut destinations = Vec::new();
    let mut details = Vec::new();
    let all_copies = context.index.copies_of(fs);
    let account = context.account(&fs.account);
    let units = super::units(fs, context, Some(params.max_age_hours));
    // ONTAP backs up volumes: each volume needs its own copies. Everything else: the file system.
    let scopes: Vec<Option<&Volume>> = match units.judged("destination", &mut parts) {
        None => vec![None],
        Some(volumes) => volumes.into_iter().map(Some).collect(),
    };
    for (name, volume) in params.destinations.iter().flat_map(|d| scopes.iter().map(move |v| (d, *v))) {
        let scoped: Vec<Copy<'_>>;
        let copies = match volume {
            None => all_copies,
            Some(volume) => {
                scoped = all_copies.iter().filter(|c| c.volume == Some(volume.id.as_str())).copied().collect();
                &scoped
            }
        };
        let of = volume.map_or(String::new(), |v| format!("volume `{}`: ", v.id));
        let (verdict, message, newest) = evaluate_destination(params, name, copies, context);
        // What AWS shows exists beats what the table says cannot: the impossibility verdict
        // applies only when no copy qualifies.
        let (verdict, message, newest): (Verdict, String, Value) = if verdict == Verdict::Pass {
            (verdict, message, newest)
        } else if let Some(reason) = regions::lookup(name).and_then(|destination| impossible(fs, destination)) {
            (Verdict::Fail, format!("copies to {name} are impossible: {reason}"), Value::Null)
        } else if let Some(Collected::No(reason)) = account.map(|a| a.backups_in(name)) {
            (Verdict::Error, format!("region not collected: {reason}"), Value::Null)
        } else if let Some(reason) = context.unreadable_backup(fs, name) {
            // It might be the copy that qualifies.
            (Verdict::Error, reason, Value::Null)
        } else {
            let mut message = message;
            let elsewhere = context.index.copies_in_other_accounts(fs, Some(name));
            if elsewhere > 0 {
                message.push_str(&format!(
                    " ({elsewhere} {} in other accounts, which do not count)",
                    if elsewhere == 1 { "copy" } else { "copies" }
                ));
            }
            let unknown = [fs.region, name.as_str()].into_iter().find(|r| regions::lookup(r).is_none());
            if let Some(region) = unknown.filter(|_| name != fs.region) {
                message.push_str(&format!(
                    " (`{region}` is not in fsx-guard's Region table, so whether copies can reach {name} is not known; no copy is there)"
                ));
            }
            (verdict, message, newest)
        };
        details.push(format!("{name}: {of}{} — {message}", verdict.as_str()));
        let mut entry = json!({"destination": name, "verdict": verdict.as_str(), "detail": message, "newest_qualifying_copy": newest});
        if let (Some(volume), Some(map)) = (volume, entry.as_object_mut()) {
            map.insert("volume".into(), json!(volume.arn));
        }
        destinations.push(entry);
        parts.add("destination", verdict, format!("{name}: {of}{message}"));
    }
    let other_accounts = context.index.copies_in_other_accounts(fs, None);
    let mut evidence = json!({
        "max_age_hours": params.max_age_hours,
        "destinations": destinations,
        "details": details,
        "copies_in_other_accounts_not_counted": other_accounts,
    });
    if other_accounts > 0
        && let Some(map) = evidence.as_object_mut()
    {
        map.insert(
            "note".into(),
            json!("copies in other accounts (made by AWS Backup) are not FSx CopyBackup copies and are not counted"),
        );
    }
    parts.finish(fs, evidence)
}

fn evaluate_destination(
    params: &Params,
    destination: &str,
    copies: &[Copy<'_>],
    context: &RuleContext<'_, '_>,
) -> (Verdict, String, Value) {
    let now = context.now();
    let here: Vec<&Copy<'_>> = copies.iter().filter(|c| c.backup.region == destination).collect();
    // The newest qualifying copy by recovery point.
    let qualifying = here
        .iter()
        .filter(|c| disqualified(c, params.max_age_hours, context).is_none())
        .max_by_key(|c| (c.recovery_point, c.backup.creation_time));
    if let Some(copy) = qualifying {
        let point = copy.recovery_point.unwrap_or(copy.backup.creation_time);
        let age = point.hours_until(now);
        let evidence = json!({
            "arn": copy.backup.arn,
            "recovery_point": point.to_string(),
            "age_hours": hours(age),
            "copy_created": copy.backup.creation_time.to_string(),
        });
        return (
            Verdict::Pass,
            format!(
                "copy `{}` holds a recovery point {:.1} hours old (limit {})",
                copy.backup.id, age, params.max_age_hours
            ),
            evidence,
        );
    }
    // Newest first: the reason about the newest copy is the one a person wants to read.
    let mut reasons: Vec<(&Copy<'_>, Why)> =
        here.iter().rev().filter_map(|c| Some((*c, disqualified(c, params.max_age_hours, context)?))).collect();
    if let Some((copy, why)) = reasons.iter().find(|(_, why)| matches!(why, Why::SourceGone(_, false))).copied()
        && let Err(might) = reason(copy, why)
    {
        return (Verdict::Error, format!("no copy is known to qualify; {might}"), Value::Null);
    }
    reasons.truncate(3);
    let message = if here.is_empty() {
        format!("no copy of this file system's backups in {destination}")
    } else {
        let shown: Vec<String> = reasons.into_iter().map(|(c, why)| reason(c, why).unwrap_or_else(|e| e)).collect();
        format!("no copy qualifies ({} in {destination}; newest: {})", here.len(), shown.join("; "))
    };
    (Verdict::Fail, message, Value::Null)
}

/// A planned file system: the AWS Backup plans in the input that select it must copy it to
/// each destination often enough.
fn evaluate_planned(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>) -> Finding {
    let mut parts = Parts::new();
    if let Some(why) = super::planned_copies::region_unknown(fs) {
        parts.add("destination", Verdict::Error, why);
        return parts.finish(fs, json!({"max_age_hours": params.max_age_hours}));
    }
    let plans = &context.index.inventory.backup_plans;
    let mut destinations = Vec::new();
    let mut decisive: Option<crate::inventory::Origin> = None;
    let mut copies: Vec<Value> = Vec::new();
    let mut selections: Vec<&str> = Vec::new();
    // ONTAP: AWS Backup protects each volume; everything else: the file system.
    for (of, target) in super::planned_copies::protected(fs, context, &mut parts) {
        let found = super::planned_copies::copies(&target, plans);
        selections.extend(found.selections.iter().copied());
        for name in &params.destinations {
            let here: Vec<&super::planned_copies::PlannedCopy<'_>> =
                found.copies.iter().filter(|c| c.destination == name.as_str()).collect();
            let best = here
                .iter()
                .filter_map(|c| c.worst_age_hours.as_ref().ok().map(|age| (*age, *c)))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            let unknown_ages: Vec<&str> =
                here.iter().filter_map(|c| c.worst_age_hours.as_ref().err()).map(String::as_str).collect();
            let (verdict, message) = match best {
                Some((age, copy)) if age <= params.max_age_hours => (
                    Verdict::Pass,
                    format!(
                        "rule `{}` of `{}` copies to {name}; the newest copy's recovery point is at worst {} hours old ({}), within {}",
                        copy.rule,
                        copy.plan,
                        hours(age),
                        copy.explanation,
                        params.max_age_hours
                    ),
                ),
                _ if !found.undecided.is_empty() || !unknown_ages.is_empty() => {
                    let why: Vec<&str> =
                        found.undecided.iter().map(String::as_str).chain(unknown_ages.iter().copied()).collect();
                    (Verdict::Error, format!("could not evaluate copies to {name}: {}", why.join("; ")))
                }
                Some((age, copy)) => {
                    decisive.get_or_insert_with(|| copy.origin.clone());
                    (
                        Verdict::Fail,
                        format!(
                            "rule `{}` of `{}` copies to {name}, but the newest copy's recovery point can be {} hours old ({}), more than {}",
                            copy.rule,
                            copy.plan,
                            hours(age),
                            copy.explanation,
                            params.max_age_hours
                        ),
                    )
                }
                None => match regions::lookup(name).and_then(|destination| impossible(fs, destination)) {
                    Some(reason) => (Verdict::Fail, format!("copies to {name} are impossible: {reason}")),
                    None if found.selections.is_empty() => (
                        Verdict::Fail,
                        format!("no AWS Backup selection in the input covers it, so nothing copies it to {name}"),
                    ),
                    None => (
                        Verdict::Fail,
                        format!(
                            "the AWS Backup plans selecting it ({}) have no copy action to a vault in {name}",
                            found.selections.join(", ")
                        ),
                    ),
                },
            };
            destinations.push(
                json!({"destination": name, "of": target.address, "verdict": verdict.as_str(), "detail": message}),
            );
            parts.add("destination", verdict, format!("{name}: {of}{message}"));
        }
        copies.extend(found.copies.iter().map(|c| {
            json!({
                "of": target.address,
                "plan": c.plan,
                "rule": c.rule,
                "destination": c.destination,
                "worst_recovery_point_age_hours": c.worst_age_hours.as_ref().ok().map(|h| hours(*h)),
            })
        }));
    }
    let evidence = json!({
        "max_age_hours": params.max_age_hours,
        "destinations": destinations,
        "selections": selections,
        "planned_copies": copies,
    });
    let mut finding = parts.finish(fs, evidence);
    if let Some(origin) = decisive.filter(|_| finding.verdict == Verdict::Fail) {
        finding.subject.origin = Some(origin);
    }
    finding
}
