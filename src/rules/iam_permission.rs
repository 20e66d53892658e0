//! `iam-permission`: who may copy, delete, restore or retag the selected file systems' backups.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::{Value, json};

use super::RuleContext;
use crate::diag::Problem;
use crate::finding::{Finding, ResourceType, Subject, Verdict};
use crate::iam::decide::{Decision, IamIndex, Principal, PrincipalKind, PrincipalPolicies, RequestContext};
use crate::inventory::model::{BackupLifecycle, TagSet};
use crate::inventory::{Account, Collected, DataKind, FileSystem};
use crate::policy::Select;

pub const DOC: &str = r#"## What it does
Evaluates the account's identity-based IAM policies for one FSx action on the selected file systems' backups: every principal in `must_allow` must be allowed on every request, and with `only: true` no other user or role may be.

## Why is this bad?
"Who can delete our backups?" is the first question of a ransomware review and of an auditor. A wildcard `fsx:*` in a forgotten role, a group policy that grants `fsx:DeleteBackup`, or a missing permission on the disaster-recovery role that runs `CopyBackup` are invisible until they matter. The answer has to cover every user and role, their groups, managed policy versions and permissions boundaries, and conditions on tags and Regions.

## Example
```yaml
- id: FSX-IAM-DELETE
  kind: iam-permission
  params:
    action: fsx:DeleteBackup
    must_allow: [arn:aws:iam::111122223333:role/backup-admin]
    only: true
```
Use instead: grant `fsx:DeleteBackup` to one break-glass role only, and deny it to everyone else with a `Deny` statement or a permissions boundary.

Parameters: `action` (`fsx:CopyBackup`, `fsx:DeleteBackup`, `fsx:CreateFileSystemFromBackup`, `fsx:TagResource` or `fsx:UntagResource`), `must_allow` (list of user or role ARNs, or addresses of users and roles in infrastructure code: `aws_iam_role.dr_copy`, `template.yaml#DrCopyRole`; may be empty), `only` (default false: no other user or role may be allowed; with an empty `must_allow`, nobody may), `requested_regions` (optional list: `aws:RequestedRegion` takes each in turn), `context` (optional map of condition keys to a value or a list of values).

Requests: the action on every `AVAILABLE` backup of the selected file systems, on every `AVAILABLE` copy of one of them in any Region of the account (disaster-recovery copies are that file system's backups too: a role that may delete every copy in the DR Region is allowed on those backups), and on the backups and copies of file systems no longer in the inventory whose account, Region, id, type (when the backup gives it) and the backup's own tags match `select` (those in the principal's own account: FSx backups have no resource-based policies, so no principal can act on another account's backups) (for `fsx:CopyBackup`, the source backup), plus one backup yet to come per file system, `arn:<partition>:fsx:<region>:<account>:backup/backup-00000000000000000`, carrying the file system's tags when it copies tags to backups. `aws:RequestedRegion` is the backup's Region for every action but `fsx:CopyBackup`, which is called in the destination Region and so leaves it unknown unless `requested_regions` is given.

Condition keys are *known* (`aws:RequestedRegion` as above, `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username` for users, `aws:PrincipalTag/*`, `aws:ResourceTag/*`, `aws:ResourceAccount`, and the keys in `context`), *known absent* (a tag the principal or backup does not have, `aws:username` for a role: AWS's missing-key rules apply), or *unknown* (every other key, such as `aws:SourceIp` or `aws:MultiFactorAuthPresent`). A statement that depends on an unknown key makes the decision *undetermined*: never a silent pass.

Evaluated: inline and attached managed policies (their default version) of users and roles, the policies of a user's groups, permissions boundaries, explicit `Deny`, `Action`/`NotAction`, `Resource`/`NotResource` with wildcards, condition operators (String, Numeric, Date, Bool, Binary, IP address, ARN, Null, `...IfExists`, `ForAnyValue:`/`ForAllValues:`) and policy variables (documents with `Version` 2012-10-17). **Not evaluated yet**: service control policies, resource control policies, session policies, KMS key policies, and role sessions' session tags; a principal allowed here may still be denied by those, never the reverse.

## Verdicts
- One result per `must_allow` principal: `pass` when allowed on every request; `fail` naming the requests and the reason (no matching Allow; explicit Deny in policy P statement S; outside the permissions boundary; undetermined because of key K), or when the principal is not in the inventory; `error` when the account's IAM was not collected or one of the principal's policies is missing or unreadable.
- With `only: true`: one `fail` for every other user or role allowed, or undetermined, on any request (citing the granting policy and statement, and the Region of an example request); one `error` for every IAM entry that could not be read (it might be such a principal); one `error` per Region whose backups could not be read (copies may be there); one `error` for every other user or role whose policies cannot all be read; and, when there is neither, one `pass` per account on `arn:<partition>:iam::<account>:root`.

Infrastructure code (Terraform plans, CloudFormation templates, with `--account`): its users, groups and roles, their inline policies, attached and boundary policies, customer managed policies and standalone attachments (`aws_iam_role_policy`, `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`, group memberships, `AWS::IAM::Policy`/`ManagedPolicy`/`RolePolicy`/`UserToGroupAddition`) are judged by the same evaluator, on the backups the selected planned file systems will have. AWS managed policies are read from documents shipped with fsx-guard (AdministratorAccess, PowerUserAccess, AmazonFSxFullAccess, AmazonFSxConsoleFullAccess, AWSBackupFullAccess, AWSBackupServiceRolePolicyForBackup: their statements that can grant an FSx action, as AWS published them in February 2026); any other AWS managed policy, and a document not known before deployment, makes the principal `error`. Without `--account`, planned principals and file systems are `error` naming the flag. With `only: true`, a pass covers the principals the code declares, and says so: others in the account are judged only against the live account.

## References
- [Policy evaluation logic](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
- [IAM JSON policy elements: Condition operators](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
- [IAM policy elements: Variables and tags](https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)
- [Actions, resources, and condition keys for Amazon FSx](https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonfsx.html)
"#;

/// Whether `text` names a principal in infrastructure code rather than by ARN: a Terraform
/// address (`aws_iam_role.x`, `module.m.aws_iam_user.y["k"]`) or `<template>#<LogicalId>`.
pub fn is_address(text: &str) -> bool {
    if text.starts_with("arn:") {
        return false;
    }
    if let Some((path, logical)) = text.rsplit_once('#') {
        return !path.is_empty() && !logical.is_empty() && logical.chars().all(|c| c.is_ascii_alphanumeric());
    }
    let last = text.rsplit("aws_iam_").next().unwrap_or("");
    (text.starts_with("aws_iam_") || text.starts_with("module."))
        && (last.starts_with("role.") || last.starts_with("user."))
}

/// The FSx actions that act on a backup.
pub const BACKUP_ACTIONS: [&str; 5] =
    ["fsx:CopyBackup", "fsx:DeleteBackup", "fsx:CreateFileSystemFromBackup", "fsx:TagResource", "fsx:UntagResource"];

/// What reports say is not evaluated.
pub const NOT_EVALUATED: &str =
    "not evaluated: service control policies, resource control policies, session policies, KMS key policies";

#[derive(Debug, Clone)]
pub struct Params {
    pub action: &'static str,
    pub must_allow: Vec<String>,
    pub only: bool,
    pub requested_regions: Option<Vec<String>>,
    /// Lower-cased keys.
    pub context: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    action: String,
    #[serde(default)]
    must_allow: Vec<String>,
    #[serde(default)]
    only: bool,
    requested_regions: Option<Vec<String>>,
    #[serde(default)]
    context: BTreeMap<String, OneOrMany>,
}

impl Params {
    pub fn parse(value: &Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        let raw: RawParams = super::typed(value, pointer)?;
        let mut problems = Vec::new();
        let action = BACKUP_ACTIONS.iter().find(|a| a.eq_ignore_ascii_case(&raw.action)).copied();
        if action.is_none() {
            let near = crate::suggest::closest(&raw.action, BACKUP_ACTIONS);
            problems.push(
                Problem::at(format!("{pointer}/action"), format!("`{}` is not an FSx action on backups", raw.action))
                    .with_help(match near {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!("one of {}", BACKUP_ACTIONS.join(", ")),
                    }),
            );
        }
        for (i, arn) in raw.must_allow.iter().enumerate() {
            let ok = is_address(arn)
                || crate::arn::parse(arn).is_ok_and(|a| {
                    a.service == "iam"
                        && a.region.is_empty()
                        && (a.resource.starts_with("user/") || a.resource.starts_with("role/"))
                });
            if !ok {
                problems.push(
                    Problem::at(
                        format!("{pointer}/must_allow/{i}"),
                        format!("`{arn}` is not the ARN of an IAM user or role"),
                    )
                    .with_help("write arn:aws:iam::<account>:role/<path/name> or arn:aws:iam::<account>:user/<name>"),
                );
            }
        }
        if let Some(regions) = &raw.requested_regions {
            problems.extend(super::lint_regions(regions, &format!("{pointer}/requested_regions")));
        }
        let context = raw
            .context
            .into_iter()
            .map(|(key, value)| {
                let values = match value {
                    OneOrMany::One(v) => vec![v],
                    OneOrMany::Many(v) => v,
                };
                (key.to_ascii_lowercase(), values)
            })
            .collect();
        match action {
            Some(action) if problems.is_empty() => Ok(Params {
                action,
                must_allow: raw.must_allow,
                only: raw.only,
                requested_regions: raw.requested_regions,
                context,
            }),
            _ => Err(problems),
        }
    }
}

/// One backup (or the backup yet to come) to decide the action on.
struct Request {
    arn: String,
    account: String,
    /// `None`: the tags are unknown.
    tags: Option<TagSet>,
    requested_region: Option<String>,
}

/// Requests that no statement without backup ids can tell apart share a class.
type ClassKey = (String, Option<Vec<(String, String)>>, Option<String>);

/// `aws:RequestedRegion` values for a request on a backup in `region`.
fn requested_regions(params: &Params, region: &str) -> Vec<Option<String>> {
    match &params.requested_regions {
        Some(list) => list.iter().cloned().map(Some).collect(),
        None if params.action == "fsx:CopyBackup" => vec![None],
        None => vec![Some(region.to_string())],
    }
}

fn push_requests(
    params: &Params,
    requests: &mut Vec<Request>,
    backups: impl IntoIterator<Item = (String, &'static str, Option<TagSet>)>,
    account: &str,
) {
    for (arn, region, tags) in backups {
        for requested_region in requested_regions(params, region) {
            requests.push(Request {
                arn: arn.clone(),
                account: account.to_string(),
                tags: tags.clone(),
                requested_region,
            });
        }
    }
}

/// The requests: the action on every `AVAILABLE` backup of the selected file systems and on
/// every copy of one in any Region of the account (DR copies are that file system's backups
/// too), on the backups and copies of selected file systems no longer in the inventory, and on
/// one backup yet to come per file system.
fn requests(
    params: &Params,
    select: &Select,
    selected: &[&FileSystem],
    context: &RuleContext<'_, '_>,
    out: &mut Vec<Finding>,
) -> Vec<Request> {
    let mut requests = Vec::new();
    let could_not = |subject: Subject, reason: String| Finding {
        subject,
        verdict: Verdict::Error,
        message: format!("could not evaluate: {reason}; the requests on its backups are unknown"),
        evidence: json!({"reason": reason}),
    };
    let mut failed_regions_reported = BTreeSet::new();
    for fs in selected {
        let account = context.account(&fs.account);
        if let Some(planned) = &fs.planned {
            // Planned: no backups yet, only the ones to come; they need an account and Region.
            if let Some(why) = planned.account_unknown.as_ref().or(planned.region_unknown.as_ref()) {
                out.push(could_not(Subject::file_system(fs), why.clone()));
                continue;
            }
        } else if let Some(Collected::No(reason)) = account.map(|a| a.backups_in(fs.region)) {
            out.push(could_not(Subject::file_system(fs), reason));
        }
        // Copies may be in any Region of the account: one whose backups could not be read might
        // hold some, and a backup that could not be read might be one of them.
        if let Some(account) = account.filter(|_| fs.planned.is_none()) {
            let known: BTreeSet<&str> = account
                .failed_regions()
                .into_iter()
                .chain(account.regions_seen.iter().copied())
                .chain(std::iter::once(fs.region))
                .collect();
            let mut unreadable_reported = false;
            for region in known {
                if region != fs.region
                    && let Collected::No(reason) = account.backups_in(region)
                    && failed_regions_reported.insert((account.id.as_str(), region))
                {
                    out.push(could_not(
                        Subject::all_file_systems(account.partition.as_str(), region, &account.id),
                        format!("{reason} (copies of the selected file systems' backups may be there)"),
                    ));
                }
                if !unreadable_reported && let Some(unreadable) = account.unreadable_backup(region, &fs.id) {
                    unreadable_reported = true;
                    out.push(could_not(
                        Subject::file_system(fs),
                        unreadable.describe(&context.index.inventory.sources),
                    ));
                }
            }
        }
        let future_tags = match fs.backup_settings.as_ref().and_then(|s| s.copy_tags_to_backups) {
            Some(true) => Some(fs.tags.clone()),
            Some(false) => Some(TagSet::default()),
            None if fs.file_system_type == crate::inventory::model::FileSystemType::Ontap => Some(TagSet::default()),
            None => None,
        };
        let future = format!("arn:{}:fsx:{}:{}:backup/backup-00000000000000000", fs.partition, fs.region, fs.account);
        let own = context
            .index
            .backups_of(fs)
            .iter()
            .filter(|b| b.lifecycle == BackupLifecycle::Available)
            .map(|b| (b.arn.clone(), b.region, Some(b.tags.clone())));
        let copies = context
            .index
            .copies_of(fs)
            .iter()
            .filter(|c| c.backup.lifecycle == BackupLifecycle::Available)
            .map(|c| (c.backup.arn.clone(), c.backup.region, Some(c.backup.tags.clone())));
        let backups = own.chain(copies).chain(std::iter::once((future, fs.region, future_tags)));
        push_requests(params, &mut requests, backups, &fs.account);
    }
    for ((account, region, id), backups) in context.index.orphans() {
        let selected = backups.iter().filter(|b| b.lifecycle == BackupLifecycle::Available).filter(|b| {
            select.matches_missing_file_system((account, region, id), b.file_system_type.as_ref(), &b.tags)
        });
        let list: Vec<(String, &'static str, Option<TagSet>)> =
            selected.map(|b| (b.arn.clone(), b.region, Some(b.tags.clone()))).collect();
        push_requests(params, &mut requests, list, account);
    }
    requests
}

/// How one principal fares over every request.
struct Outcome {
    /// Requests not allowed, by group: (an example request ARN, requested Region, decision, how
    /// many requests the group holds). Never one entry per backup of a large class.
    denied: Vec<(String, Option<String>, Decision, usize)>,
    denied_count: usize,
    /// The first allowed or undetermined decision, for `only`.
    granted: Option<(String, Decision)>,
    allowed: usize,
    undetermined: usize,
    total: usize,
}

fn evaluate_principal(
    policies: &PrincipalPolicies,
    principal: &Principal,
    classes: &[Class<'_>],
    params: &Params,
) -> Outcome {
    let mut outcome =
        Outcome { denied: Vec::new(), denied_count: 0, granted: None, allowed: 0, undetermined: 0, total: 0 };
    // FSx backups have no resource-based policies: a principal can only ever act on backups of
    // its own account, so only those requests are its to decide.
    for class in classes.iter().filter(|c| c.members.first().is_some_and(|r| r.account == principal.account)) {
        // Members a backup-naming statement might single out are decided one by one; all the
        // others are alike, and one of them decides for the rest.
        let special: BTreeSet<usize> = if policies.names_backups {
            let mut special: BTreeSet<usize> = policies
                .named
                .exact
                .iter()
                .flat_map(|arn| class.by_arn.get(arn.as_str()).into_iter().flatten().copied())
                .collect();
            if policies.named.has_wildcards() {
                special.extend(
                    class
                        .members
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| policies.named.wildcard_matches(&r.arn))
                        .map(|(i, _)| i),
                );
            }
            special
        } else {
            BTreeSet::new()
        };
        // (deciding request, how many requests it decides for): each special member alone, then
        // one ordinary member for all the others. Nothing here walks a whole class unless a
        // wildcard pattern names backups.
        let mut groups: Vec<(&Request, usize)> =
            special.iter().filter_map(|i| class.members.get(*i)).map(|r| (*r, 1)).collect();
        let ordinary = class.members.len() - special.len();
        let first_ordinary = (0..class.members.len()).find(|i| !special.contains(i));
        if let Some(first) = first_ordinary.and_then(|i| class.members.get(i)) {
            groups.push((first, ordinary));
        }
        for (decider, count) in groups {
            let context = RequestContext {
                principal,
                resource_tags: decider.tags.as_ref(),
                resource_account: &decider.account,
                requested_region: decider.requested_region.as_deref(),
                extra: &params.context,
            };
            let decision = policies.decide(&decider.arn, &context);
            outcome.total += count;
            match &decision {
                Decision::Allowed(_) => outcome.allowed += count,
                other => {
                    if matches!(other, Decision::Undetermined { .. }) {
                        outcome.undetermined += count;
                    }
                    outcome.denied_count += count;
                    outcome.denied.push((
                        decider.arn.clone(),
                        decider.requested_region.clone(),
                        decision.clone(),
                        count,
                    ));
                }
            }
            if matches!(decision, Decision::Allowed(_) | Decision::Undetermined { .. }) && outcome.granted.is_none() {
                outcome.granted = Some((decider.arn.clone(), decision));
            }
        }
    }
    outcome
}

/// Requests that no statement without backup ids can tell apart, with an index by ARN.
struct Class<'r> {
    members: Vec<&'r Request>,
    by_arn: HashMap<&'r str, Vec<usize>>,
}

/// A principal's subject: its address when it is declared in infrastructure code, else its ARN.
fn principal_subject(principal: &Principal, inventory: &crate::inventory::Inventory) -> Subject {
    Subject {
        id: inventory.principal_address(&principal.arn).map_or_else(|| principal.arn.clone(), str::to_string),
        resource_type: match principal.kind {
            PrincipalKind::User => ResourceType::IamUser,
            PrincipalKind::Role => ResourceType::IamRole,
        },
        account: Some(principal.account.clone()),
        region: None,
        origin: None,
        related: None,
    }
}

fn find_principal(account: &Account, arn: &str) -> Option<Principal> {
    let iam = account.iam.as_ref()?;
    iam.users
        .iter()
        .find(|u| u.arn == arn)
        .map(|u| Principal::user(u, &account.id))
        .or_else(|| iam.roles.iter().find(|r| r.arn == arn).map(|r| Principal::role(r, &account.id)))
}

/// Why an account's IAM cannot be judged: a recorded failure (data listed in `errors` never
/// yields `pass`, even with some IAM present), or none collected.
fn iam_missing(account: Option<&Account>, account_id: &str) -> String {
    match account.and_then(Account::iam_failure) {
        Some(e) => format!(
            "{} failed for account {account_id}: {}",
            e.operation.as_deref().unwrap_or("IAM collection"),
            e.message
        ),
        None => format!("the IAM of account {account_id} was not collected"),
    }
}

fn describe(denied: &[(String, Option<String>, Decision, usize)]) -> String {
    let shown: Vec<String> = denied
        .iter()
        .take(3)
        .map(|(arn, region, decision, count)| {
            let alike = if *count > 1 { format!(" (and {} alike)", count - 1) } else { String::new() };
            match region {
                Some(region) => format!("`{arn}`{alike} in {region}: {}", decision.reason()),
                None => format!("`{arn}`{alike}: {}", decision.reason()),
            }
        })
        .collect();
    let more = denied.len().saturating_sub(3);
    if more > 0 { format!("{}; and {more} more", shown.join("; ")) } else { shown.join("; ") }
}

pub fn evaluate(
    params: &Params,
    select: &Select,
    selected: &[&FileSystem],
    context: &RuleContext<'_, '_>,
    out: &mut Vec<Finding>,
) {
    let requests = requests(params, select, selected, context, out);
    let mut by_class: BTreeMap<ClassKey, Vec<&Request>> = BTreeMap::new();
    for request in &requests {
        let (account_region, _) = request.arn.rsplit_once(':').unwrap_or((&request.arn, ""));
        let tags = request.tags.as_ref().map(|t| t.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        by_class.entry((account_region.to_string(), tags, request.requested_region.clone())).or_default().push(request);
    }
    let classes: Vec<Class<'_>> = by_class
        .into_values()
        .map(|members| {
            let mut by_arn: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, r) in members.iter().enumerate() {
                by_arn.entry(r.arn.as_str()).or_default().push(i);
            }
            Class { members, by_arn }
        })
        .collect();
    let accounts: BTreeSet<&str> = requests.iter().map(|r| r.account.as_str()).collect();
    let evidence_base = json!({"action": params.action, "requests": requests.len(), "request_classes": classes.len(), "not_evaluated": NOT_EVALUATED});
    let with = |extra: Value| {
        let mut evidence = evidence_base.clone();
        if let (Some(map), Value::Object(more)) = (evidence.as_object_mut(), extra) {
            map.extend(more);
        }
        evidence
    };

    // must_allow principals, by ARN or by their address in infrastructure code.
    let inventory = context.index.inventory;
    let mut must_allow_arns: Vec<String> = Vec::new();
    for named in &params.must_allow {
        let arn = if is_address(named) {
            match inventory.principal_arn(named) {
                Some(arn) => arn.to_string(),
                None => {
                    // IAM in code without `--account` could not be placed: that is the reason.
                    let unplaced = context.account("").and_then(Account::iam_failure);
                    let (verdict, message) = match unplaced {
                        Some(e) => (Verdict::Error, format!("could not evaluate: {}", e.message)),
                        None => (
                            Verdict::Fail,
                            format!(
                                "`{named}` is not a user or role of the infrastructure code given: it cannot be allowed {}",
                                params.action
                            ),
                        ),
                    };
                    out.push(Finding {
                        subject: Subject {
                            id: named.clone(),
                            resource_type: if named.contains("aws_iam_user") {
                                ResourceType::IamUser
                            } else {
                                ResourceType::IamRole
                            },
                            account: None,
                            region: None,
                            origin: None,
                            related: None,
                        },
                        verdict,
                        message,
                        evidence: with(json!({})),
                    });
                    continue;
                }
            }
        } else {
            named.clone()
        };
        must_allow_arns.push(arn);
    }
    for arn in &must_allow_arns {
        let account_id = crate::arn::parse(arn).map(|a| a.account.to_string()).unwrap_or_default();
        let subject = |kind| Subject {
            id: inventory.principal_address(arn).map_or_else(|| arn.clone(), str::to_string),
            resource_type: kind,
            account: Some(account_id.clone()),
            region: None,
            origin: None,
            related: None,
        };
        let kind = if arn.contains(":user/") { ResourceType::IamUser } else { ResourceType::IamRole };
        let Some(account) = context.account(&account_id).filter(|a| a.iam.is_some() && a.iam_failure().is_none())
        else {
            let reason = iam_missing(context.account(&account_id), &account_id);
            out.push(Finding {
                subject: subject(kind),
                verdict: Verdict::Error,
                message: format!("could not evaluate: {reason}"),
                evidence: with(json!({})),
            });
            continue;
        };
        let Some(principal) = find_principal(account, arn) else {
            if let Some(unreadable) =
                account.unreadable_of(DataKind::Iam, None).find(|u| u.resource.as_deref().is_none_or(|r| r == arn))
            {
                out.push(Finding {
                    subject: subject(kind),
                    verdict: Verdict::Error,
                    message: format!("could not evaluate: {}", unreadable.describe(&context.index.inventory.sources)),
                    evidence: with(json!({})),
                });
                continue;
            }
            out.push(Finding {
                subject: subject(kind),
                verdict: Verdict::Fail,
                message: format!("`{arn}` is not in the inventory: it cannot be allowed {}", params.action),
                evidence: with(json!({})),
            });
            continue;
        };
        let iam = account.iam.as_ref().map(IamIndex::new);
        let policies = match iam.map(|iam| PrincipalPolicies::gather(&iam, &principal, params.action)) {
            Some(Ok(policies)) => policies,
            Some(Err(unreadable)) => {
                out.push(Finding {
                    subject: principal_subject(&principal, inventory),
                    verdict: Verdict::Error,
                    message: format!("could not evaluate: {}", unreadable.0.join("; ")),
                    evidence: with(json!({"unreadable": unreadable.0})),
                });
                continue;
            }
            None => continue,
        };
        let outcome = evaluate_principal(&policies, &principal, &classes, params);
        let (verdict, message) = if outcome.total == 0 {
            (
                Verdict::NotApplicable,
                format!("no selected file system in account {}: nothing to decide", principal.account),
            )
        } else if outcome.denied.is_empty() {
            (Verdict::Pass, format!("allowed {} on all {} requests", params.action, outcome.total))
        } else {
            (
                Verdict::Fail,
                format!(
                    "not allowed {} on {} of {} requests: {}",
                    params.action,
                    outcome.denied_count,
                    outcome.total,
                    describe(&outcome.denied)
                ),
            )
        };
        let denied: Vec<Value> = outcome
            .denied
            .iter()
            .take(20)
            .map(|(arn, region, d, count)| {
                json!({"resource": arn, "alike": count, "requested_region": region, "reason": d.reason()})
            })
            .collect();
        out.push(Finding {
            subject: principal_subject(&principal, inventory),
            verdict,
            message,
            evidence: with(json!({"denied": denied})),
        });
    }

    if !params.only {
        return;
    }
    let must_allow: BTreeSet<&str> = must_allow_arns.iter().map(String::as_str).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for account_id in accounts {
        let Some(account) = context.account(account_id) else { continue };
        let root = Subject {
            id: format!("arn:{}:iam::{}:root", account.partition, account.id),
            resource_type: ResourceType::Account,
            account: Some(account.id.clone()),
            region: None,
            origin: None,
            related: None,
        };
        let Some(iam) = account.iam.as_ref().filter(|_| account.iam_failure().is_none()) else {
            out.push(Finding {
                subject: root,
                verdict: Verdict::Error,
                message: format!("could not evaluate: {}", iam_missing(Some(account), account_id)),
                evidence: with(json!({})),
            });
            continue;
        };
        let index = IamIndex::new(iam);
        let principals = iam
            .users
            .iter()
            .map(|u| Principal::user(u, account_id))
            .chain(iam.roles.iter().map(|r| Principal::role(r, account_id)));
        let mut flagged = 0usize;
        // An IAM entry that could not be read might be a principal that is allowed.
        for unreadable in account.unreadable_of(DataKind::Iam, None) {
            flagged += 1;
            let mut subject = root.clone();
            if let Some(arn) = unreadable.resource.as_ref().filter(|r| r.starts_with("arn:")) {
                subject.id = arn.clone();
            }
            subject.origin = Some(unreadable.origin.clone());
            out.push(Finding {
                subject,
                verdict: Verdict::Error,
                message: format!(
                    "could not evaluate (it might be allowed): {}",
                    unreadable.describe(&context.index.inventory.sources)
                ),
                evidence: with(json!({})),
            });
        }
        for principal in principals {
            if must_allow.contains(principal.arn.as_str()) || !seen.insert(principal.arn.clone()) {
                continue;
            }
            match PrincipalPolicies::gather(&index, &principal, params.action) {
                Err(unreadable) => {
                    flagged += 1;
                    out.push(Finding {
                        subject: principal_subject(&principal, inventory),
                        verdict: Verdict::Error,
                        message: format!("could not evaluate (it might be allowed): {}", unreadable.0.join("; ")),
                        evidence: with(json!({"unreadable": unreadable.0})),
                    });
                }
                Ok(policies) => {
                    let outcome = evaluate_principal(&policies, &principal, &classes, params);
                    if let Some((resource, decision)) = outcome.granted {
                        flagged += 1;
                        let what = match &decision {
                            Decision::Undetermined { .. } => "may be allowed",
                            _ => "is allowed",
                        };
                        out.push(Finding {
                            subject: principal_subject(&principal, inventory),
                            verdict: Verdict::Fail,
                            message: format!(
                                "`{}` {what} {} on {} of {} requests (e.g. `{resource}` in {}): {}",
                                principal.arn,
                                params.action,
                                outcome.allowed + outcome.undetermined,
                                outcome.total,
                                resource.split(':').nth(3).unwrap_or("?"),
                                decision.reason()
                            ),
                            evidence: with(json!({"example_request": resource, "example_request_region": resource.split(':').nth(3), "decision": decision.reason()})),
                        });
                    }
                }
            }
        }
        if flagged == 0 {
            // IAM read from infrastructure code holds only the principals the code declares.
            let from_code =
                inventory.planned_principals.iter().any(|(arn, _)| arn.split(':').nth(4) == Some(account_id));
            let scope = if from_code {
                "; principals declared in the infrastructure code given were judged, others in the account were not: run against the live account for them"
            } else {
                ""
            };
            out.push(Finding {
                subject: root,
                verdict: Verdict::Pass,
                message: format!(
                    "no user or role of account {account_id} other than `must_allow` is allowed {} ({NOT_EVALUATED}{scope})",
                    params.action
                ),
                evidence: with(json!({"users": iam.users.len(), "roles": iam.roles.len(), "from_infrastructure_code": from_code})),
            });
        }
    }
}
