//! Evaluation: every rule over the index, in one pass per rule, into one sorted report.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

pub use crate::finding::{Finding, Parts, ResourceType, Subject, Verdict};
#[cfg(test)]
use crate::inventory::{Account, Backup, Origin};
use crate::inventory::{Collected, FileSystem, Index, Inventory, Timestamp};
use crate::policy::{PolicySet, Rule};
use crate::rules;
pub use crate::rules::RuleContext;

/// One result of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// Index into `PolicySet::rules`.
    pub rule: usize,
    pub subject: Subject,
    pub verdict: Verdict,
    pub message: String,
    pub evidence: Evidence,
    /// Index into `PolicySet::waivers` of the waiver that covers it (`gate::apply`).
    pub waived: Option<usize>,
    /// With `--baseline`: whether a failing result was failing there too.
    pub baseline: Option<crate::gate::BaselineState>,
}

/// A result's evidence, kept as compact JSON text: a `serde_json::Value` tree of the same
/// evidence takes about five times the memory, and an organisation's run holds tens of thousands
/// of results (most of them passes no report but JSON prints). Reports that look inside parse
/// what they show; JSON and SARIF write the text as it is.
#[derive(Debug, Clone)]
pub struct Evidence(Box<serde_json::value::RawValue>);

impl Evidence {
    pub fn new(value: &Value) -> Evidence {
        // Serialising a `Value` cannot fail (its keys are strings); `null` stands in if it did.
        Evidence(serde_json::value::to_raw_value(value).unwrap_or_else(|_| {
            serde_json::value::RawValue::from_string("null".into()).unwrap_or_else(|_| Box::default())
        }))
    }

    /// The evidence as a JSON value.
    pub fn value(&self) -> Value {
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }

    /// The compact JSON text.
    pub fn text(&self) -> &str {
        self.0.get()
    }

    /// The `details` lines (one per destination, copy, request group), when it has them.
    pub fn details(&self) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct Details {
            #[serde(default)]
            details: Vec<String>,
        }
        serde_json::from_str::<Details>(self.0.get()).map(|d| d.details).unwrap_or_default()
    }
}

impl PartialEq for Evidence {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl serde::Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
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
    crate::timings::mark("index built");
    evaluate_with(policies, &index, started)
}

/// As [`evaluate`], on an index already built (reports that draw backups reuse it); `started`
/// is when the run's evaluation began, for the report's elapsed time.
pub fn evaluate_with(policies: &PolicySet, index: &Index<'_>, started: std::time::Instant) -> Report {
    let (inventory, now) = (index.inventory, index.now);
    let context = RuleContext { index };
    // Rules are independent and read only the index: they run on every core, each worker taking
    // the next rule, and their results are put back in rule order (the sort below makes the
    // report's order whatever the threads did).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<RuleResult>, Vec<&str>)> = Vec::new();
        loop {
            let rule_index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = policies.rules.get(rule_index) else { break };
            let (results, judged) = evaluate_rule(rule_index, rule, inventory, &context);
            done.push((rule_index, results, judged));
        }
        done
    };
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(policies.rules.len());
    let mut per_rule: Vec<Option<(Vec<RuleResult>, Vec<&str>)>> = (0..policies.rules.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> =
            (1..workers).filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, work).ok()).collect();
        let mut all = work();
        // A worker that panicked took its rules' results with it: those are evaluated below.
        all.extend(helpers.into_iter().filter_map(|helper| helper.join().ok()).flatten());
        for (rule_index, results, judged) in all {
            if let Some(slot) = per_rule.get_mut(rule_index) {
                *slot = Some((results, judged));
            }
        }
    });
    let mut results = Vec::new();
    let mut file_systems = BTreeSet::new();
    for ((rule_index, rule), done) in policies.rules.iter().enumerate().zip(per_rule) {
        let (rule_results, judged) = done.unwrap_or_else(|| evaluate_rule(rule_index, rule, inventory, &context));
        results.extend(rule_results);
        file_systems.extend(judged);
    }
    crate::timings::mark("rules evaluated");
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

/// One rule's results, and the ARNs of the file systems it selected.
fn evaluate_rule<'i>(
    rule_index: usize,
    rule: &Rule,
    inventory: &'i Inventory,
    context: &RuleContext<'_, '_>,
) -> (Vec<RuleResult>, Vec<&'i str>) {
    let mut findings = Vec::new();
    let mut judged = Vec::new();
    coverage(rule, inventory, &mut findings);
    let selected = inventory
        .accounts
        .values()
        .filter(|a| rule.select.matches_account(&a.id))
        .flat_map(|a| a.file_systems.iter().filter(|fs| rule.select.matches(fs)));
    match rule.kind.scope() {
        rules::Scope::FileSystems | rules::Scope::Backups => {
            for fs in selected {
                judged.push(fs.arn.as_str());
                rules::evaluate(&rule.params, fs, context, &mut findings);
            }
        }
        rules::Scope::Principals => {
            let selected: Vec<&FileSystem> = selected.collect();
            judged.extend(selected.iter().map(|fs| fs.arn.as_str()));
            rules::evaluate_principals(&rule.params, &rule.select, &selected, context, &mut findings);
        }
    }
    let results = findings
        .into_iter()
        .map(|f| RuleResult {
            rule: rule_index,
            subject: f.subject,
            verdict: f.verdict,
            message: f.message,
            evidence: Evidence::new(&f.evidence),
            waived: None,
            baseline: None,
        })
        .collect();
    (results, judged)
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
    // A planned file system whose account or Region the code does not say might be one this
    // rule selects: never dropped in silence.
    for fs in inventory.accounts.values().flat_map(|a| a.file_systems.iter()) {
        let Some(planned) = &fs.planned else { continue };
        let unknown = [
            (select.accounts.is_some(), planned.account_unknown.as_ref()),
            (select.regions.is_some(), planned.region_unknown.as_ref()),
        ];
        let Some(why) = unknown.into_iter().find_map(|(asked, why)| why.filter(|_| asked)) else { continue };
        // Would it be selected if its unknown account or Region were the selected one?
        let mut placeholder = fs.clone();
        if planned.account_unknown.is_some()
            && let Some(account) = select.accounts.iter().flatten().next()
        {
            placeholder.account = account.clone();
        }
        if planned.region_unknown.is_some()
            && let Some(region) = select.regions.iter().flatten().find_map(|r| crate::regions::intern(r))
        {
            placeholder.region = region;
        }
        if select.matches(&placeholder) {
            out.push(missing_result(
                Subject::file_system(fs),
                format!("whether the rule selects it is not known: {why}"),
            ));
        }
    }
    // A file system that could not be read might be one this rule selects.
    for account in inventory.accounts.values().filter(|a| select.matches_account(&a.id)) {
        for unreadable in account.unreadable_of(crate::inventory::DataKind::FileSystems, None) {
            let region_ok =
                unreadable.region.is_none_or(|r| select.regions.as_ref().is_none_or(|l| l.iter().any(|x| x == r)));
            let id_ok = unreadable
                .file_system
                .as_ref()
                .is_none_or(|id| select.file_system_ids.as_ref().is_none_or(|ids| ids.contains(id)));
            if !(region_ok && id_ok) {
                continue;
            }
            let mut subject =
                Subject::all_file_systems(account.partition.as_str(), unreadable.region.unwrap_or("*"), &account.id);
            // Its ARN, or its address in infrastructure code.
            if let Some(name) = unreadable.resource.as_ref().filter(|r| r.starts_with("arn:") || !r.starts_with("fs-"))
            {
                subject.id = name.clone();
            }
            subject.origin = Some(unreadable.origin.clone());
            out.push(missing_result(subject, unreadable.describe(&inventory.sources)));
        }
    }
    // File system ids are unique: when every selected id was found, an uncollected Region
    // cannot hold anything this rule selects.
    let missing_ids: Option<Vec<&str>> = select.file_system_ids.as_ref().map(|ids| {
        let found: std::collections::HashSet<&str> = inventory
            .accounts
            .values()
            .filter(|a| select.matches_account(&a.id))
            .flat_map(|a| a.file_systems.iter().map(|fs| fs.id.as_str()))
            .collect();
        ids.iter().map(String::as_str).filter(|id| !found.contains(id)).collect()
    });
    if missing_ids.as_ref().is_some_and(Vec::is_empty) {
        return;
    }
    let mut uncollected = 0usize;
    for account in inventory.accounts.values().filter(|a| select.matches_account(&a.id)) {
        // Infrastructure code whose Region is not given: its file systems are errors of their
        // own above, not Regions left uncollected.
        if account.file_systems_collected.contains("") {
            continue;
        }
        let regions: BTreeSet<&str> = match &select.regions {
            Some(regions) => regions
                .iter()
                .map(String::as_str)
                .filter(|r| crate::regions::lookup(r).is_none_or(|r| r.partition == account.partition))
                .collect(),
            // Every Region the inputs mention or a failure names: one with backups but no
            // `FileSystems` list is one whose file systems were not collected.
            None => account.failed_regions().into_iter().chain(account.regions_seen.iter().copied()).collect(),
        };
        for region in regions {
            if let Collected::No(reason) = account.file_systems_in(region) {
                uncollected += 1;
                let mut subject = Subject::all_file_systems(account.partition.as_str(), region, &account.id);
                // Point at the recorded error, where there is one.
                subject.origin = account.failure(region, "DescribeFileSystems").and_then(|e| e.origin.clone());
                out.push(missing_result(subject, reason));
            }
        }
    }
    // No Region whose file systems were read could hold what the rule selects: its scope could
    // not be established (IAM-only or backups-only input, an empty document, a failure without
    // a Region), which is never a pass by default.
    let established = inventory.accounts.values().filter(|a| select.matches_account(&a.id)).any(|a| {
        a.file_systems_collected.iter().any(|r| select.regions.as_ref().is_none_or(|list| list.iter().any(|x| x == r)))
    });
    if !established && uncollected == 0 && out.is_empty() {
        let account = only_one(select.accounts.as_ref());
        let reason = match inventory.accounts.values().find_map(|a| a.errors.iter().find(|e| e.region.is_none())) {
            Some(e) => format!(
                "{} failed: {}; no file systems the rule could select were read, so its scope could not be established",
                e.operation.as_deref().unwrap_or("collection"),
                e.message
            ),
            None => "no file systems the rule could select were collected (the inventory has no `FileSystems` for the selected accounts and Regions), so its scope could not be established".to_string(),
        };
        out.push(missing_result(Subject::all_file_systems("aws", "*", account), reason));
        return;
    }
    // Ids that are nowhere, while every Region they could be in was read: a typo, or a file
    // system that no longer exists. Never a silent pass.
    if uncollected == 0 {
        for id in missing_ids.into_iter().flatten() {
            let (account, region) = (only_one(select.accounts.as_ref()), only_one(select.regions.as_ref()));
            let partition = crate::regions::lookup(region).map_or("aws", |r| r.partition.as_str());
            out.push(missing_result(
                Subject {
                    id: format!("arn:{partition}:fsx:{region}:{account}:file-system/{id}"),
                    resource_type: ResourceType::FileSystem,
                    account: (account != "*").then(|| account.to_string()),
                    region: (region != "*").then(|| region.to_string()),
                    origin: None,
                    related: None,
                },
                format!("selected file system `{id}` is not in the inventory"),
            ));
        }
    }
}

/// The one value a selection list holds, or `*` (none or several).
fn only_one(list: Option<&Vec<String>>) -> &str {
    match list.map(Vec::as_slice) {
        Some([one]) => one.as_str(),
        _ => "*",
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
            lifecycle: Some(crate::inventory::model::FileSystemLifecycle::Available),
            creation_time: Some(Timestamp(NOW.0 - 400 * 86_400_000)),
            tags: Default::default(),
            backup_settings: Some(BackupSettings {
                automatic_backup_retention_days: Some(7),
                copy_tags_to_backups: Some(true),
                daily_automatic_backup_start_time: Some("05:00".into()),
                deployment_type: None,
                data_repository_configuration: None,
            }),
            origin: Origin { source: 0, pointer: String::new() },
            planned: None,
        }
    }

    pub fn backup(id: &str, fs_id: &str, created: Timestamp, lifecycle: &str, kind: &str) -> Backup {
        Backup {
            arn: format!("arn:aws:fsx:{REGION}:{ACCOUNT}:backup/{id}"),
            id: id.to_string(),
            account: ACCOUNT.into(),
            region: REGION,
            partition: Partition::Aws,
            lifecycle: BackupLifecycle::parse(lifecycle),
            backup_type: BackupType::parse(kind),
            creation_time: created,
            kms_key_id: None,
            tags: Default::default(),
            file_system_id: fs_id.into(),
            file_system_type: None,
            volume_id: None,
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
            account.volumes_collected.insert(REGION);
            World { inventory }
        }

        /// Evaluates with a world holding only `fs`.
        pub fn alone<R>(fs: FileSystem, f: impl FnOnce(&FileSystem, &RuleContext<'_, '_>) -> R) -> R {
            let mut world = World::new();
            let id = fs.id.clone();
            world.account().file_systems.push(fs);
            let index = Index::build(&world.inventory, NOW);
            let context = RuleContext { index: &index };
            let fs =
                world.inventory.accounts.values().flat_map(|a| a.file_systems.iter()).find(|f| f.id == id).unwrap();
            f(fs, &context)
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
