//! Cross-Region copies of a planned file system: what the AWS Backup plans in the same input
//! will copy, before any copy exists. `cross-region-copy` and `copy-kms-consistency` judge
//! planned file systems from these.

use crate::inventory::FileSystem;
use crate::inventory::backup_plan::{BackupPlans, Protected, Target};
use crate::inventory::model::Origin;

/// One copy action that will copy the file system's backups.
pub(crate) struct PlannedCopy<'a> {
    pub plan: &'a str,
    pub rule: &'a str,
    pub destination: &'static str,
    pub vault: &'a Target,
    /// The worst recovery-point age of the copies: the schedule's longest gap plus the start
    /// and completion windows, in hours; `Err` when not known.
    pub worst_age_hours: Result<f64, String>,
    /// How the age adds up, for the message.
    pub explanation: String,
    pub origin: &'a Origin,
}

/// Copies the plans covering `fs` make, and why others might exist but cannot be told.
pub(crate) struct Copies<'a> {
    pub copies: Vec<PlannedCopy<'a>>,
    pub undecided: Vec<String>,
    /// Selections that cover the file system.
    pub selections: Vec<&'a str>,
}

/// What AWS Backup protects of a planned file system: the file system, or (ONTAP) each of its
/// judged volumes, with a prefix naming the volume for messages. Volumes not judged, or not
/// seen, become parts of `parts`.
pub(crate) fn protected<'a>(
    fs: &'a FileSystem,
    context: &super::RuleContext<'_, 'a>,
    parts: &mut crate::finding::Parts,
) -> Vec<(String, Protected<'a>)> {
    match super::units(fs, context, None).judged("destination", parts) {
        None => vec![(String::new(), Protected::file_system(fs))],
        Some(volumes) => volumes.into_iter().map(|v| (format!("volume `{}`: ", v.id), Protected::volume(v))).collect(),
    }
}

/// "could not evaluate: ..." when the planned file system's Region is not known: copies are
/// judged per destination Region, against its own.
pub(crate) fn region_unknown(fs: &FileSystem) -> Option<String> {
    let why = fs.planned.as_ref()?.region_unknown.as_ref()?;
    Some(format!("could not evaluate: the file system's Region is not known: {why}"))
}

pub(crate) fn copies<'a>(target: &Protected<'_>, plans: &'a BackupPlans) -> Copies<'a> {
    let mut out = Copies { copies: Vec::new(), undecided: Vec::new(), selections: Vec::new() };
    for covering in plans.covering(target) {
        let (selection, plan) = match covering {
            Ok(pair) => pair,
            Err(why) => {
                out.undecided.push(why);
                continue;
            }
        };
        out.selections.push(&selection.address);
        for rule in &plan.rules {
            let age = worst_age(rule, plans);
            for (vault, origin) in &rule.copies {
                match plans.vault_region(vault) {
                    Ok(destination) => out.copies.push(PlannedCopy {
                        plan: &plan.address,
                        rule: &rule.name,
                        destination,
                        vault,
                        worst_age_hours: age.clone().map(|(hours, _)| hours),
                        explanation: age.as_ref().map(|(_, text)| text.clone()).unwrap_or_default(),
                        origin,
                    }),
                    Err(why) => out.undecided.push(format!(
                        "the destination of a copy in rule `{}` of `{}` is not known: {why}",
                        rule.name, plan.address
                    )),
                }
            }
        }
    }
    out
}

fn worst_age(rule: &crate::inventory::backup_plan::PlanRule, plans: &BackupPlans) -> Result<(f64, String), String> {
    let schedule = rule.schedule.as_ref().map_err(Clone::clone)?;
    let interval = plans.schedule_gap(schedule)?;
    let start = *rule.start_window_minutes.as_ref().map_err(Clone::clone)?;
    let completion = *rule.completion_window_minutes.as_ref().map_err(Clone::clone)?;
    #[expect(clippy::cast_precision_loss, reason = "windows are at most a few years of minutes")]
    let (start_h, completion_h) = (start as f64 / 60.0, completion as f64 / 60.0);
    // Outside UTC, a daylight-saving change can stretch one gap by an hour.
    let (dst, dst_text) = match &rule.time_zone {
        Some(zone) => (1.0, format!(" + 1 h for daylight saving in {zone}")),
        None => (0.0, String::new()),
    };
    let total = interval + start_h + completion_h + dst;
    Ok((
        total,
        format!(
            "`{schedule}` runs at most {interval} hours apart, + start window {start_h} h + completion window {completion_h} h{dst_text}"
        ),
    ))
}

/// A vault's key as a name to compare: its ARN, the address of a key whose ARN is not known
/// before apply, or AWS Backup's default key.
pub(crate) fn vault_key(plans: &BackupPlans, vault: &Target) -> Result<String, String> {
    let vault = plans.vault(vault)?;
    match &vault.kms_key {
        Ok(None) => Ok("AWS Backup's default key (aws/backup)".to_string()),
        Ok(Some(Target::Arn(arn))) => Ok(arn.clone()),
        Ok(Some(Target::Address(address))) => Ok(address.clone()),
        Ok(Some(Target::Unknown(why))) | Err(why) => Err(format!("the key of vault `{}`: {why}", vault.address)),
    }
}
