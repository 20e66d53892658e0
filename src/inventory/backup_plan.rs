//! AWS Backup plans, selections and vaults declared in infrastructure code: how planned file
//! systems will be copied to other Regions before any copy exists.

use std::collections::HashMap;

use super::model::{FileSystem, Origin};
use crate::finding::Verdict;

/// A reference to another resource: its address in the same input, an ARN, or something not
/// known before apply (why).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Address(String),
    Arn(String),
    Unknown(String),
}

/// `aws_backup_plan` / `AWS::Backup::BackupPlan`.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub address: String,
    pub account: String,
    /// `""` when not known (then `region_unknown` says why).
    pub region: &'static str,
    pub region_unknown: Option<String>,
    pub rules: Vec<PlanRule>,
    pub origin: Origin,
}

/// One rule of a backup plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRule {
    pub name: String,
    /// The schedule expression, or why it is not known.
    pub schedule: Result<String, String>,
    pub start_window_minutes: Result<i64, String>,
    pub completion_window_minutes: Result<i64, String>,
    /// The schedule's time zone when it is not UTC (`None`: UTC): a daylight-saving change can
    /// stretch a gap between runs by an hour.
    pub time_zone: Option<String>,
    /// Destination vaults of its copy actions.
    pub copies: Vec<(Target, Origin)>,
    pub origin: Origin,
}

/// `aws_backup_selection` / `AWS::Backup::BackupSelection`.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub address: String,
    pub account: String,
    pub region: &'static str,
    pub plan: Target,
    /// Resources selected by ARN (or address); `Err` when not known before apply.
    pub resources: Result<Vec<Target>, String>,
    pub not_resources: Result<Vec<Target>, String>,
    /// `selection_tag` entries with `STRINGEQUALS` (any one selects: AWS ORs them).
    pub tags: Result<Vec<(String, String)>, String>,
    /// `condition` `string_equals` entries on `aws:ResourceTag/...` (all must hold).
    pub conditions: Result<Vec<(String, String)>, String>,
    pub origin: Origin,
}

/// `aws_backup_vault` / `AWS::Backup::BackupVault`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vault {
    pub address: String,
    pub name: Option<String>,
    pub arn: Option<String>,
    pub account: String,
    pub region: &'static str,
    /// The vault's KMS key; `Ok(None)` when the code sets none (AWS Backup's default key).
    pub kms_key: Result<Option<Target>, String>,
    pub origin: Origin,
}

/// A schedule time zone as a rule keeps it: `None` for UTC (and its aliases), the name
/// otherwise (an unknown one counts as not UTC).
pub fn time_zone(name: Option<&str>) -> Option<String> {
    match name.map(str::trim) {
        None
        | Some("" | "UTC" | "Etc/UTC" | "GMT" | "Etc/GMT" | "Etc/Universal" | "Universal" | "Zulu" | "Etc/Zulu") => {
            None
        }
        Some(other) => Some(other.to_string()),
    }
}

/// Everything about AWS Backup the inputs declare.
#[derive(Debug, Clone, Default)]
pub struct BackupPlans {
    pub plans: Vec<Plan>,
    pub selections: Vec<Selection>,
    pub vaults: Vec<Vault>,
    /// Hash lookups, built on first use (after loading, when nothing changes any more), so
    /// that judging every file system stays linear.
    lookup: std::sync::OnceLock<Lookup>,
}

#[derive(Debug, Clone, Default)]
struct Lookup {
    plans: HashMap<String, usize>,
    vaults_by_address: HashMap<String, usize>,
    vaults_by_arn: HashMap<String, usize>,
    /// Selections that name resources (by address or exact ARN) and select by nothing else.
    by_resource: HashMap<String, Vec<usize>>,
    /// Every other selection: by tags, wildcard ARNs, conditions, or not known.
    general: Vec<usize>,
    /// The longest gap of each schedule expression, computed once per distinct expression.
    schedules: HashMap<String, Result<f64, String>>,
}

impl BackupPlans {
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty() && self.selections.is_empty() && self.vaults.is_empty()
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| {
            let mut lookup = Lookup::default();
            for (i, plan) in self.plans.iter().enumerate() {
                lookup.plans.entry(plan.address.clone()).or_insert(i);
                for rule in &plan.rules {
                    if let Ok(schedule) = &rule.schedule
                        && !lookup.schedules.contains_key(schedule)
                    {
                        lookup.schedules.insert(schedule.clone(), crate::schedule::max_interval_hours(schedule));
                    }
                }
            }
            for (i, vault) in self.vaults.iter().enumerate() {
                lookup.vaults_by_address.entry(vault.address.clone()).or_insert(i);
                if let Some(arn) = &vault.arn {
                    lookup.vaults_by_arn.entry(arn.clone()).or_insert(i);
                }
            }
            for (i, selection) in self.selections.iter().enumerate() {
                let named: Option<Vec<&str>> = match (&selection.resources, &selection.tags, &selection.conditions) {
                    (Ok(resources), Ok(tags), Ok(conditions)) if tags.is_empty() && conditions.is_empty() => resources
                        .iter()
                        .map(|t| match t {
                            Target::Address(a) => Some(a.as_str()),
                            Target::Arn(a) if !a.contains('*') => Some(a.as_str()),
                            _ => None,
                        })
                        .collect(),
                    _ => None,
                };
                match named {
                    Some(names) => {
                        for name in names {
                            lookup.by_resource.entry(name.to_string()).or_default().push(i);
                        }
                    }
                    None => lookup.general.push(i),
                }
            }
            lookup
        })
    }

    /// The longest gap between runs of a schedule expression (memoised).
    pub fn schedule_gap(&self, expression: &str) -> Result<f64, String> {
        match self.lookup().schedules.get(expression) {
            Some(gap) => gap.clone(),
            None => crate::schedule::max_interval_hours(expression),
        }
    }

    pub fn vault(&self, target: &Target) -> Result<&Vault, String> {
        let lookup = self.lookup();
        match target {
            Target::Address(address) => lookup
                .vaults_by_address
                .get(address)
                .and_then(|i| self.vaults.get(*i))
                .ok_or_else(|| format!("vault `{address}` is not in the input")),
            Target::Arn(arn) => lookup
                .vaults_by_arn
                .get(arn)
                .and_then(|i| self.vaults.get(*i))
                .ok_or_else(|| format!("vault `{arn}` is not in the input")),
            Target::Unknown(why) => Err(why.clone()),
        }
    }

    /// The Region a copy action's destination vault is in.
    pub fn vault_region(&self, target: &Target) -> Result<&'static str, String> {
        if let Target::Arn(arn) = target
            && let Some(region) = arn.split(':').nth(3).and_then(crate::regions::intern)
        {
            return Ok(region);
        }
        let vault = self.vault(target)?;
        if vault.region.is_empty() {
            return Err(format!("the Region of vault `{}` is not known: add `--region`", vault.address));
        }
        Ok(vault.region)
    }

    fn plan(&self, target: &Target) -> Result<&Plan, String> {
        match target {
            Target::Address(address) => self
                .lookup()
                .plans
                .get(address)
                .and_then(|i| self.plans.get(*i))
                .ok_or_else(|| format!("backup plan `{address}` is not in the input")),
            Target::Arn(arn) => Err(format!("backup plan `{arn}` is not in the input")),
            Target::Unknown(why) => Err(why.clone()),
        }
    }

    /// The plans whose selections cover `target` in its Region, with the selection; `Err`
    /// entries for selections that might cover it but cannot be decided.
    pub fn covering<'s>(&'s self, target: &Protected<'_>) -> Vec<Result<(&'s Selection, &'s Plan), String>> {
        let mut out = Vec::new();
        let lookup = self.lookup();
        let mut candidates: Vec<usize> = lookup.general.clone();
        for name in std::iter::once(target.address).chain(target.arn) {
            candidates.extend(lookup.by_resource.get(name).into_iter().flatten().copied());
        }
        candidates.sort_unstable();
        candidates.dedup();
        let selections = candidates.into_iter().filter_map(|i| self.selections.get(i));
        for selection in selections.filter(|s| s.region == target.region && s.account == target.account) {
            match selection.covers(target) {
                Verdict::Pass => out.push(self.plan(&selection.plan).map(|plan| (selection, plan))),
                Verdict::Error => {
                    out.push(Err(format!("whether selection `{}` covers it is not known", selection.address)))
                }
                _ => {}
            }
        }
        out
    }
}

/// What an AWS Backup selection may cover: a planned file system, or a planned ONTAP volume
/// (AWS Backup backs up ONTAP volumes, not ONTAP file systems).
#[derive(Debug, Clone, Copy)]
pub struct Protected<'a> {
    /// Its address in the input (how references in selections name it).
    pub address: &'a str,
    /// Its ARN, when the input knows it.
    pub arn: Option<&'a str>,
    pub tags: &'a crate::inventory::model::TagSet,
    pub account: &'a str,
    pub region: &'static str,
    pub partition: crate::regions::Partition,
    /// The ARN's resource type: `file-system` or `volume`.
    pub resource: &'static str,
}

impl<'a> Protected<'a> {
    pub fn file_system(fs: &'a FileSystem) -> Self {
        Protected {
            address: &fs.arn,
            arn: fs.planned.as_ref().and_then(|p| p.arn.as_deref()),
            tags: &fs.tags,
            account: &fs.account,
            region: fs.region,
            partition: fs.partition,
            resource: "file-system",
        }
    }

    pub fn volume(volume: &'a crate::inventory::model::Volume) -> Self {
        Protected {
            address: &volume.arn,
            arn: None,
            tags: &volume.tags,
            account: &volume.account,
            region: volume.region,
            partition: volume.partition,
            resource: "volume",
        }
    }
}

impl Selection {
    /// `Pass`: covers `target`; `Fail`: does not; `Error`: cannot tell before apply.
    pub fn covers(&self, target: &Protected<'_>) -> Verdict {
        let names = |list: &[Target]| -> Verdict {
            let mut verdict = Verdict::Fail;
            for t in list {
                match t {
                    Target::Address(address) if address == target.address => return Verdict::Pass,
                    Target::Arn(pattern) if arn_matches(pattern, target) => return Verdict::Pass,
                    Target::Unknown(_) => verdict = Verdict::Error,
                    _ => {}
                }
            }
            verdict
        };
        let by_resource = match &self.resources {
            Ok(list) => names(list),
            Err(_) => Verdict::Error,
        };
        let by_tag = match &self.tags {
            Ok(tags) if tags.iter().any(|(k, v)| target.tags.get(k) == Some(v.as_str())) => Verdict::Pass,
            Ok(_) => Verdict::Fail,
            Err(_) => Verdict::Error,
        };
        let selected = match (by_resource, by_tag) {
            (Verdict::Pass, _) | (_, Verdict::Pass) => Verdict::Pass,
            (Verdict::Error, _) | (_, Verdict::Error) => Verdict::Error,
            _ => Verdict::Fail,
        };
        if selected == Verdict::Fail {
            return Verdict::Fail;
        }
        let conditions = match &self.conditions {
            Ok(list) if list.iter().all(|(k, v)| target.tags.get(k) == Some(v.as_str())) => Verdict::Pass,
            Ok(_) => return Verdict::Fail,
            Err(_) => Verdict::Error,
        };
        let excluded = match &self.not_resources {
            Ok(list) => names(list),
            Err(_) => Verdict::Error,
        };
        match (selected, conditions, excluded) {
            (_, _, Verdict::Pass) => Verdict::Fail,
            (Verdict::Pass, Verdict::Pass, Verdict::Fail) => Verdict::Pass,
            _ => Verdict::Error,
        }
    }
}

/// Whether an ARN pattern in a selection (`*` wildcards) names `target`: by its ARN when known,
/// else only patterns that name every resource of its type in its account and Region do.
fn arn_matches(pattern: &str, target: &Protected<'_>) -> bool {
    if pattern == "*" {
        return true;
    }
    match target.arn {
        Some(arn) => glob(pattern, arn),
        None => {
            let parts: Vec<&str> = pattern.splitn(6, ':').collect();
            let [_, partition, service, region, account, resource] = parts.as_slice() else { return false };
            let fits = |p: &str, v: &str| p == "*" || (!v.is_empty() && p == v);
            fits(partition, target.partition.as_str())
                && (*service == "fsx" || *service == "*")
                && fits(region, target.region)
                && fits(account, target.account)
                && (*resource == "*" || *resource == format!("{}/*", target.resource))
        }
    }
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else { return pattern == text };
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let Some(mut rest) = text.get(first.len()..text.len() - last.len()) else { return false };
    for middle in parts.iter().skip(1).take(parts.len().saturating_sub(2)) {
        match rest.find(middle).and_then(|at| rest.get(at + middle.len()..)) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("arn:aws:fsx:*:*:file-system/*", "arn:aws:fsx:us-east-1:1:file-system/fs-1"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxcyyb"));
        assert!(!glob("ab*ba", "aba"));
    }
}
