//! `copy-kms-consistency`: consecutive copies of a file system's backups to a Region use one KMS
//! key, so that copies stay incremental.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::{Value, json};

use super::RuleContext;
use crate::arn;
use crate::diag::Problem;
use crate::finding::{Finding, Parts, Verdict};
use crate::inventory::index::Copy;
use crate::inventory::model::BackupLifecycle;
use crate::inventory::{Collected, FileSystem};

pub const DOC: &str = r#"## What it does
Checks that each copy of a file system's backups in a destination Region uses the same KMS key as the copy before it, and the key pinned for that Region in `keys` when one is given.

## Why is this bad?
FSx copies a backup to another Region incrementally only while each copy is encrypted with the same KMS key as the previous copy. One copy with another key (a rotated alias, a default key picked by a console user, a new key in an infrastructure change) makes that copy a full copy: hours longer, billed in full, and every later copy is full again until the keys line up. Pinning the key per Region also catches copies encrypted with a key the DR account cannot use.

## Example
```yaml
- id: FSX-DR-KEYS
  kind: copy-kms-consistency
  params:
    destinations: [us-west-2]
    keys:
      us-west-2: arn:aws:kms:us-west-2:111122223333:key/9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f
```
Use instead: always pass the same `--kms-key-id` (a key ARN, not an alias that may move) to `aws fsx copy-backup` for a given destination.

Parameters: `destinations` (optional list of Regions; default: every Region other than the file system's own that holds copies of it, plus Regions whose backups could not be read), `keys` (optional map of Region to KMS key ARN in that Region).

## Verdicts
For the file system (for ONTAP: each volume, whose backups are copied separately) and each destination, its copies (as `cross-region-copy` defines them, any `Lifecycle` but `FAILED` or `DELETED`) are ordered by `CreationTime`:
- `fail` for every copy whose `KmsKeyId` differs from the copy before it ("a full copy, not incremental") and for every copy whose key differs from `keys[destination]`; the evidence names each offending copy with both keys;
- `error` when a destination's backups were not collected, a copy has no `KmsKeyId`, or a backup there that could not be read might be one of the copies;
- `not_applicable` when there are no such copies in the destinations considered (whether copies must exist is `cross-region-copy`'s job);
- `pass` otherwise.
Keys are compared as ARNs (a bare key id is read as a key in the copy's account and Region).

Planned file systems (a Terraform plan): the copies the AWS Backup plans selecting it make (as `cross-region-copy` says) land in their destination vaults, encrypted with the vault's KMS key (a cross-Region copy must be re-encrypted with a key in its destination Region, and the vault's key is the one AWS Backup has there; no `kms_key_arn` means AWS Backup's default key `aws/backup`). `fail` when copies to one destination go to vaults with different keys, or the key is not the pinned one; `error` when a vault is not in the input, a key's ARN is not known before apply and must be compared with a pinned key, or a selection cannot be decided; `not_applicable` when no plan copies the file system to the destinations considered. ONTAP: each planned volume's copies are judged on their own (a volume is its own chain of incremental copies).

## References
- [FSx for OpenZFS: copying backups (incremental copies and KMS keys)](https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/copying-backups.html)
- [CopyBackup: KmsKeyId](https://docs.aws.amazon.com/fsx/latest/APIReference/API_CopyBackup.html)
- [FSx for ONTAP: protecting your data with backups (volume backups)](https://docs.aws.amazon.com/fsx/latest/ONTAPGuide/using-backups.html)
- [Backup: `ResourceType`, `Volume`](https://docs.aws.amazon.com/fsx/latest/APIReference/API_Backup.html) and [DescribeVolumes](https://docs.aws.amazon.com/fsx/latest/APIReference/API_DescribeVolumes.html)
- [FSx for Lustre: working with backups (persistent, not linked to S3)](https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-backups-fsx.html)
"#;

#[derive(Debug, Clone)]
pub struct Params {
    pub destinations: Option<Vec<String>>,
    pub keys: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    destinations: Option<Vec<String>>,
    #[serde(default)]
    keys: BTreeMap<String, String>,
}

impl Params {
    pub fn parse(value: &Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        let raw: RawParams = super::typed(value, pointer)?;
        let mut problems = Vec::new();
        if let Some(destinations) = &raw.destinations {
            problems.extend(super::lint_regions(destinations, &format!("{pointer}/destinations")));
        }
        for (region, key) in &raw.keys {
            let mut at = format!("{pointer}/keys");
            crate::span::push_token(&mut at, region);
            if !crate::regions::is_region_shaped(region) {
                let problem = Problem::at(at.clone(), format!("`{region}` is not a Region name")).on_key();
                problems.push(match crate::regions::suggest(region) {
                    Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                    None => problem
                        .with_help("`keys` maps a Region name (like `us-west-2`) to a KMS key ARN in that Region"),
                });
                continue;
            }
            match arn::parse(key) {
                Ok(parsed) if parsed.service == "kms" && parsed.resource.starts_with("key/") && parsed.region == region => {}
                Ok(parsed) if parsed.service == "kms" && parsed.resource.starts_with("alias/") => problems.push(
                    Problem::at(at, format!("`{key}` is an alias"))
                        .with_help("FSx records the key's ARN on each copy: pin the key ARN (`arn:aws:kms:<region>:<account>:key/<id>`)"),
                ),
                // A Region the table lacks is linted by the loader (a typo, or a newer Region).
                Ok(parsed) if parsed.service == "kms" && crate::regions::lookup(region).is_none() => {}
                Ok(parsed) if parsed.service == "kms" && parsed.region != region => problems.push(
                    Problem::at(at, format!("`{key}` is a key in `{}`, not in `{region}`", parsed.region))
                        .with_help("KMS keys are Regional: copies in a Region are encrypted with a key of that Region"),
                ),
                Ok(_) | Err(_) => problems.push(
                    Problem::at(at, format!("`{key}` is not a KMS key ARN"))
                        .with_help(format!("write the key's ARN, e.g. `{region}: arn:aws:kms:{region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`; `aws kms describe-key --key-id {key} --region {region}` prints it")),
                ),
            }
        }
        if problems.is_empty() { Ok(Params { destinations: raw.destinations, keys: raw.keys }) } else { Err(problems) }
    }
}

/// A key as an ARN: bare key ids are keys in the copy's account and Region.
fn key_arn<'k>(key: &'k str, partition: &str, region: &str, account: &str) -> std::borrow::Cow<'k, str> {
    if key.starts_with("arn:") {
        std::borrow::Cow::Borrowed(key)
    } else {
        std::borrow::Cow::Owned(format!("arn:{partition}:kms:{region}:{account}:key/{key}"))
    }
}

pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>) -> Finding {
    let mut parts = Parts::new();
    if let Some(reason) = super::no_backups(fs) {
        parts.add("destination", Verdict::NotApplicable, reason);
        return parts.finish(fs, json!({}));
    }
    if fs.planned.is_some() {
        return evaluate_planned(params, fs, context);
    }
    let copies = context.index.copies_of(fs);
    let account = context.account(&fs.account);
    let counted = |c: &&Copy<'_>| !matches!(c.backup.lifecycle, BackupLifecycle::Failed | BackupLifecycle::Deleted);
    let destinations: BTreeSet<&str> = match &params.destinations {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => {
            let mut set: BTreeSet<&str> =
                copies.iter().filter(counted).map(|c| c.backup.region).filter(|r| *r != fs.region).collect();
            // Regions whose backups could not be read might hold copies too.
            if let Some(account) = account {
                for region in account.failed_regions() {
                    if region != fs.region
                        && matches!(account.backups_in(region), Collected::No(_))
                        && let Some(known) = crate::regions::lookup(region)
                    {
                        set.insert(known.name);
                    }
                }
            }
            set
        }
    };
    let mut offending = Vec::new();
    let mut details = Vec::new();
    for destination in &destinations {
        if let Some(Collected::No(reason)) = account.map(|a| a.backups_in(destination)) {
            parts.add("destination", Verdict::Error, format!("{destination}: region not collected: {reason}"));
            details.push(format!("{destination}: error — region not collected"));
            continue;
        }
        if let Some(reason) = context.unreadable_backup(fs, destination) {
            // It might be a copy between two others, with another key.
            parts.add("destination", Verdict::Error, format!("{destination}: {reason}"));
            details.push(format!("{destination}: error — a backup there could not be read"));
            continue;
        }
        let here: Vec<&Copy<'_>> = copies.iter().filter(counted).filter(|c| c.backup.region == *destination).collect();
        if here.is_empty() {
            continue;
        }
        let pinned = params.keys.get(*destination);
        // Incremental copies chain per source: the file system, or each ONTAP volume. Copies are
        // oldest first; the key before a copy is the key of the one before it in its chain.
        let mut previous_by_chain: BTreeMap<Option<&str>, std::borrow::Cow<'_, str>> = BTreeMap::new();
        let mut failures = 0usize;
        for copy in &here {
            let previous = previous_by_chain.remove(&copy.volume);
            let backup = copy.backup;
            let Some(key) = backup.kms_key_id.as_deref() else {
                parts.add(
                    "key",
                    Verdict::Error,
                    format!("{destination}: copy `{}` has no `KmsKeyId` in the inventory", backup.id),
                );
                continue;
            };
            let key = key_arn(key, backup.partition.as_str(), backup.region, &backup.account);
            if let Some(before) = previous.as_ref().filter(|before| **before != key) {
                failures += 1;
                parts.add(
                    "key",
                    Verdict::Fail,
                    format!("{destination}: copy `{}` was a full copy, not incremental: its key differs from the copy before it", backup.id),
                );
                offending.push(json!({"copy": backup.arn, "destination": destination, "reason": "key changed", "key_before": before, "key": key}));
            }
            if let Some(pinned) = pinned.filter(|p| **p != key) {
                failures += 1;
                parts.add(
                    "key",
                    Verdict::Fail,
                    format!("{destination}: copy `{}` is not encrypted with the pinned key", backup.id),
                );
                offending.push(json!({"copy": backup.arn, "destination": destination, "reason": "not the pinned key", "key_expected": pinned, "key": key}));
            }
            previous_by_chain.insert(copy.volume, key);
        }
        if failures == 0 {
            let copies = if here.len() == 1 { "1 copy".to_string() } else { format!("{} copies, one key", here.len()) };
            parts.add("destination", Verdict::Pass, format!("{destination}: {copies}"));
            details.push(format!("{destination}: pass — {copies}"));
        } else {
            details.push(format!("{destination}: fail — {failures} offending of {} copies", here.len()));
        }
    }
    for item in &offending {
        if let (Some(copy), Some(key)) = (item["copy"].as_str(), item["key"].as_str()) {
            let before = item["key_before"].as_str().or(item["key_expected"].as_str()).unwrap_or("?");
            details.push(format!("  {copy}: {before} → {key}"));
        }
    }
    if parts.is_empty() {
        parts.add(
            "destination",
            Verdict::NotApplicable,
            "no copies of this file system's backups in the destinations considered",
        );
    }
    let destinations: Vec<&str> = destinations.into_iter().collect();
    parts.finish(fs, json!({"destinations": destinations, "offending_copies": offending, "details": details}))
}

/// A planned file system: the vaults the AWS Backup plans selecting it copy to, per
/// destination, must share one key (and the pinned one). AWS Backup encrypts a cross-Region copy
/// with the destination vault's key: a KMS key never leaves its Region.
fn evaluate_planned(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>) -> Finding {
    let mut parts = Parts::new();
    if let Some(why) = super::planned_copies::region_unknown(fs) {
        parts.add("destination", Verdict::Error, why);
        return parts.finish(fs, json!({}));
    }
    let plans = &context.index.inventory.backup_plans;
    let mut details = Vec::new();
    let mut selections: Vec<&str> = Vec::new();
    // ONTAP: each volume's copies form their own chain; everything else: the file system's.
    for (of, target) in super::planned_copies::protected(fs, context, &mut parts) {
        let found = super::planned_copies::copies(&target, plans);
        selections.extend(found.selections.iter().copied());
        for why in &found.undecided {
            parts.add("destination", Verdict::Error, format!("could not evaluate: {why}"));
        }
        let destinations: BTreeSet<&str> = match &params.destinations {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => found.copies.iter().map(|c| c.destination).filter(|r| *r != fs.region).collect(),
        };
        for destination in &destinations {
            let here: Vec<_> = found.copies.iter().filter(|c| c.destination == *destination).collect();
            if here.is_empty() {
                continue;
            }
            let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
            let mut unknown = Vec::new();
            for copy in &here {
                match super::planned_copies::vault_key(plans, copy.vault) {
                    Ok(key) => keys.entry(key).or_default().push(format!("rule `{}` of `{}`", copy.rule, copy.plan)),
                    Err(why) => unknown.push(why),
                }
            }
            let pinned = params.keys.get(*destination);
            let verdict = if keys.len() > 1 {
                parts.add(
                "key",
                Verdict::Fail,
                format!(
                    "{destination}: {of}copies go to vaults with {} different keys ({}): each change of key makes a full copy, not an incremental one",
                    keys.len(),
                    keys.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                ),
            );
                Verdict::Fail
            } else if !unknown.is_empty() {
                parts.add(
                    "key",
                    Verdict::Error,
                    format!("{destination}: {of}could not evaluate: {}", unknown.join("; ")),
                );
                Verdict::Error
            } else if let (Some(pinned), Some(key)) = (pinned, keys.keys().next()) {
                if key == pinned {
                    parts.add("key", Verdict::Pass, format!("{destination}: {of}every copy uses the pinned key"));
                    Verdict::Pass
                } else if key.starts_with("arn:") || key.starts_with("AWS Backup") {
                    parts.add(
                        "key",
                        Verdict::Fail,
                        format!("{destination}: {of}copies use `{key}`, not the pinned key `{pinned}`"),
                    );
                    Verdict::Fail
                } else {
                    parts.add(
                    "key",
                    Verdict::Error,
                    format!("{destination}: {of}not known before apply: the copies' key is `{key}`, whose ARN is not known yet, so it cannot be compared with the pinned key `{pinned}`"),
                );
                    Verdict::Error
                }
            } else {
                let key = keys.keys().next().map_or("?", String::as_str);
                parts.add("key", Verdict::Pass, format!("{destination}: {of}every copy uses one key (`{key}`)"));
                Verdict::Pass
            };
            details.push(
                json!({"destination": destination, "of": target.address, "verdict": verdict.as_str(), "keys": keys}),
            );
        }
    }
    if parts.is_empty() {
        parts.add(
            "destination",
            Verdict::NotApplicable,
            "no AWS Backup plan in the input copies this file system to the destinations considered",
        );
    }
    parts.finish(fs, json!({"destinations": details, "selections": selections}))
}
