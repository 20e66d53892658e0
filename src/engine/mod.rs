//! Evaluation: every rule over the index, in one pass per rule, into one sorted report.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::inventory::{Account, Backup, Collected, FileSystem, Index, Inventory, Origin, Timestamp};
use crate::policy::{PolicySet, Rule};
use crate::rules;

/// The outcome of one check on one resource. Four states and no default: missing data is
/// `Error`, never `Pass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Error,
    NotApplicable,
}

impl Verdict {
    /// How bad a verdict is when parts are combined: fail over error over pass over
    /// not applicable.
    pub fn badness(self) -> u8 {
        match self {
            Verdict::Fail => 3,
            Verdict::Error => 2,
            Verdict::Pass => 1,
            Verdict::NotApplicable => 0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
            Verdict::NotApplicable => "not_applicable",
        }
    }
}

/// What kind of resource a result is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    FileSystem,
    Backup,
    IamUser,
    IamRole,
    Account,
}

impl ResourceType {
    /// CloudFormation's type names, as AWS Config and Security Hub use them.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::FileSystem => "AWS::FSx::FileSystem",
            ResourceType::Backup => "AWS::FSx::Backup",
            ResourceType::IamUser => "AWS::IAM::User",
            ResourceType::IamRole => "AWS::IAM::Role",
            ResourceType::Account => "AWS::::Account",
        }
    }
}

/// The resource a result is about: an ARN (or, for resources without one, an address in their
/// source), and where it came from when it came from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub id: String,
    pub resource_type: ResourceType,
    pub account: Option<String>,
    pub region: Option<String>,
    pub origin: Option<Origin>,
}

impl Subject {
    pub fn file_system(fs: &FileSystem) -> Subject {
        Subject {
            id: fs.arn.clone(),
            resource_type: ResourceType::FileSystem,
            account: Some(fs.account.clone()),
            region: Some(fs.region.to_string()),
            origin: Some(fs.origin.clone()),
        }
    }

    pub fn backup(backup: &Backup) -> Subject {
        Subject {
            id: backup.arn.clone(),
            resource_type: ResourceType::Backup,
            account: Some(backup.account.clone()),
            region: Some(backup.region.to_string()),
            origin: Some(backup.origin.clone()),
        }
    }

    /// Every file system of an account in a Region (for "not collected" results).
    fn all_file_systems(partition: &str, region: &str, account: &str) -> Subject {
        Subject {
            id: format!("arn:{partition}:fsx:{region}:{account}:file-system/*"),
            resource_type: ResourceType::FileSystem,
            account: Some(account.to_string()),
            region: (region != "*").then(|| region.to_string()),
            origin: None,
        }
    }
}

/// What a rule kind says about one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub subject: Subject,
    pub verdict: Verdict,
    pub message: String,
    pub evidence: Value,
}

/// The parts of a file-system check; the result is the worst of them.
#[derive(Debug, Default)]
pub struct Parts {
    parts: Vec<(&'static str, Verdict, String)>,
}

impl Parts {
    pub fn new() -> Self {
        Parts::default()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    pub fn add(&mut self, check: &'static str, verdict: Verdict, detail: impl Into<String>) {
        self.parts.push((check, verdict, detail.into()));
    }

    /// One finding for the file system: the worst verdict, the messages of the parts that have
    /// it, and every part in the evidence next to `extra`.
    pub fn finish(self, fs: &FileSystem, extra: Value) -> Finding {
        let verdict = self.parts.iter().map(|(_, v, _)| *v).max_by_key(|v| v.badness()).unwrap_or(Verdict::Error);
        let mut messages: Vec<&str> =
            self.parts.iter().filter(|(_, v, _)| *v == verdict).map(|(_, _, m)| m.as_str()).collect();
        if messages.is_empty() {
            messages.push("no check ran");
        }
        let parts: Vec<Value> = self
            .parts
            .iter()
            .map(|(check, v, detail)| serde_json::json!({"check": check, "verdict": v.as_str(), "detail": detail}))
            .collect();
        let mut evidence = match extra {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        evidence.insert("parts".into(), Value::Array(parts));
        Finding {
            subject: Subject::file_system(fs),
            verdict,
            message: messages.join("; "),
            evidence: Value::Object(evidence),
        }
    }
}

/// What a rule kind may look at while it evaluates.
pub struct RuleContext<'i, 'a> {
    pub index: &'i Index<'a>,
}

impl<'a> RuleContext<'_, 'a> {
    pub fn now(&self) -> Timestamp {
        self.index.now
    }

    pub fn account(&self, id: &str) -> Option<&'a Account> {
        self.index.inventory.accounts.get(id)
    }
}

/// One result of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// Index into `PolicySet::rules`.
    pub rule: usize,
    pub subject: Subject,
    pub verdict: Verdict,
    pub message: String,
    pub evidence: Value,
}

/// Counts by verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub not_applicable: usize,
}

/// Everything a reporter renders.
#[derive(Debug, Clone)]
pub struct Report {
    pub evaluated_at: Timestamp,
    pub collected_at: Option<Timestamp>,
    /// Sorted by rule id, then resource.
    pub results: Vec<RuleResult>,
    pub summary: Summary,
    pub file_systems: usize,
    pub accounts: usize,
    pub regions: usize,
    pub elapsed: Duration,
}

/// Evaluates every rule over the inventory at `now`.
pub fn evaluate(policies: &PolicySet, inventory: &Inventory, now: Timestamp) -> Report {
    let started = std::time::Instant::now();
    let index = Index::build(inventory, now);
    let context = RuleContext { index: &index };
    let mut results = Vec::new();
    let mut file_systems = BTreeSet::new();
    let mut findings = Vec::new();
    for (rule_index, rule) in policies.rules.iter().enumerate() {
        findings.clear();
        coverage(rule, inventory, &mut findings);
        let selected = inventory
            .accounts
            .values()
            .filter(|a| rule.select.matches_account(&a.id))
            .flat_map(|a| a.file_systems.iter().filter(|fs| rule.select.matches(fs)));
        match rule.kind.scope() {
            rules::Scope::FileSystems | rules::Scope::Backups => {
                for fs in selected {
                    file_systems.insert(fs.arn.as_str());
                    rules::evaluate(&rule.params, fs, &context, &mut findings);
                }
            }
            rules::Scope::Principals => {
                let selected: Vec<&FileSystem> = selected.collect();
                file_systems.extend(selected.iter().map(|fs| fs.arn.as_str()));
                rules::evaluate_principals(&rule.params, &selected, &context, &mut findings);
            }
        }
        results.extend(findings.drain(..).map(|f| RuleResult {
            rule: rule_index,
            subject: f.subject,
            verdict: f.verdict,
            message: f.message,
            evidence: f.evidence,
        }));
    }
    let rule_id = |r: &RuleResult| policies.rules.get(r.rule).map_or("", |rule| rule.id.as_str());
    results.sort_by(|a, b| rule_id(a).cmp(rule_id(b)).then_with(|| a.subject.id.cmp(&b.subject.id)));
    let mut summary = Summary::default();
    for result in &results {
        match result.verdict {
            Verdict::Pass => summary.pass += 1,
            Verdict::Fail => summary.fail += 1,
            Verdict::Error => summary.error += 1,
            Verdict::NotApplicable => summary.not_applicable += 1,
        }
    }
    let accounts: BTreeSet<&str> = results.iter().filter_map(|r| r.subject.account.as_deref()).collect();
    let regions: BTreeSet<&str> = results.iter().filter_map(|r| r.subject.region.as_deref()).collect();
    let (accounts, regions) = (accounts.len(), regions.len());
    Report {
        evaluated_at: now,
        collected_at: inventory.collected_at,
        summary,
        file_systems: file_systems.len(),
        accounts,
        regions,
        results,
        elapsed: started.elapsed(),
    }
}

/// `error` results for what the rule selects but the inventory does not hold: selected
/// accounts that are absent, selected Regions whose file systems were not collected, and
/// Regions whose collection failed. Nothing selected is skipped in silence.
fn coverage(rule: &Rule, inventory: &Inventory, out: &mut Vec<Finding>) {
    let select = &rule.select;
    let missing_result = |subject: Subject, reason: String| Finding {
        subject,
        verdict: Verdict::Error,
        message: format!("could not evaluate: {reason}"),
        evidence: serde_json::json!({"reason": reason}),
    };
    for account in select.accounts.iter().flatten() {
        if !inventory.accounts.contains_key(account) {
            let regions: Vec<&str> = select.regions.iter().flatten().map(String::as_str).collect();
            let partition =
                regions.first().and_then(|r| crate::regions::lookup(r)).map_or("aws", |r| r.partition.as_str());
            if regions.is_empty() {
                out.push(missing_result(
                    Subject::all_file_systems(partition, "*", account),
                    format!("account {account} is not in the inventory"),
                ));
            }
            for region in regions {
                out.push(missing_result(
                    Subject::all_file_systems(partition, region, account),
                    format!("account {account} is not in the inventory"),
                ));
            }
        }
    }
    for account in inventory.accounts.values().filter(|a| select.matches_account(&a.id)) {
        let regions: BTreeSet<&str> = match &select.regions {
            Some(regions) => regions
                .iter()
                .map(String::as_str)
                .filter(|r| crate::regions::lookup(r).is_some_and(|r| r.partition == account.partition))
                .collect(),
            None => account.failed_regions(),
        };
        for region in regions {
            if let Collected::No(reason) = account.file_systems_in(region) {
                let mut subject = Subject::all_file_systems(account.partition.as_str(), region, &account.id);
                // Point at the recorded error, where there is one.
                subject.origin = account.failure(region, "DescribeFileSystems").and_then(|e| e.origin.clone());
                out.push(missing_result(subject, reason));
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::cast_possible_truncation)]
pub(crate) mod test_support {
    //! Small worlds for rule tests: one account, one Region, a few resources.
    use super::*;
    use crate::inventory::model::{BackupLifecycle, BackupSettings, BackupType, FileSystemType};
    use crate::regions::Partition;

    pub const ACCOUNT: &str = "111122223333";
    pub const REGION: &str = "us-east-1";
    pub const NOW: Timestamp = Timestamp(1_795_586_400_000); // 2026-11-25T06:00:00Z

    pub fn file_system(id: &str, fs_type: &str) -> FileSystem {
        FileSystem {
            arn: format!("arn:aws:fsx:{REGION}:{ACCOUNT}:file-system/{id}"),
            id: id.to_string(),
            account: ACCOUNT.to_string(),
            region: REGION,
            partition: Partition::Aws,
            file_system_type: FileSystemType::parse(fs_type),
            storage_type: None,
            tags: Default::default(),
            backup_settings: Some(BackupSettings {
                automatic_backup_retention_days: Some(7),
                copy_tags_to_backups: Some(true),
                daily_automatic_backup_start_time: Some("05:00".into()),
                deployment_type: None,
            }),
            origin: Origin { source: 0, pointer: String::new() },
        }
    }

    pub fn backup(id: &str, fs_id: &str, created: Timestamp, lifecycle: &str, kind: &str) -> Backup {
        Backup {
            arn: format!("arn:aws:fsx:{REGION}:{ACCOUNT}:backup/{id}"),
            id: id.to_string(),
            account: ACCOUNT.to_string(),
            region: REGION,
            partition: Partition::Aws,
            lifecycle: BackupLifecycle::parse(lifecycle),
            backup_type: BackupType::parse(kind),
            creation_time: created,
            kms_key_id: None,
            tags: Default::default(),
            file_system_id: fs_id.to_string(),
            source_backup_id: None,
            source_backup_region: None,
            origin: Origin { source: 0, pointer: String::new() },
        }
    }

    pub struct World {
        pub inventory: Inventory,
    }

    impl World {
        pub fn new() -> Self {
            let mut inventory = Inventory::default();
            let account = inventory.account_mut(ACCOUNT, Partition::Aws);
            account.file_systems_collected.insert(REGION);
            account.backups_collected.insert(REGION);
            World { inventory }
        }

        fn account(&mut self) -> &mut Account {
            self.inventory.account_mut(ACCOUNT, Partition::Aws)
        }

        pub fn hours_ago(&self, hours: f64) -> Timestamp {
            Timestamp(NOW.0 - (hours * 3_600_000.0).round() as i64)
        }

        pub fn file_system(&mut self, id: &str, fs_type: &str) {
            let fs = file_system(id, fs_type);
            self.account().file_systems.push(fs);
        }

        pub fn add_backup(&mut self, backup: Backup) {
            self.account().backups.push(backup);
        }

        pub fn uncollect_backups(&mut self) {
            self.account().backups_collected.clear();
        }

        pub fn evaluate_one(
            &self,
            fs_id: &str,
            f: impl FnOnce(&FileSystem, &RuleContext<'_, '_>) -> Finding,
        ) -> Finding {
            let index = Index::build(&self.inventory, NOW);
            let context = RuleContext { index: &index };
            let fs =
                self.inventory.accounts.values().flat_map(|a| a.file_systems.iter()).find(|fs| fs.id == fs_id).unwrap();
            f(fs, &context)
        }
    }
}
