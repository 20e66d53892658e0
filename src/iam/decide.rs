//! Decisions for identity-based policies (IAM User Guide, "Policy evaluation logic"): the
//! principal's policies are gathered and compiled once per action, then each request is decided
//! allowed, denied (explicitly, for lack of an allow, or by the permissions boundary) or
//! undetermined, with the policy and statement that decided it.

use std::collections::BTreeMap;

use super::condition::{self, Context, KeyValue, Tri};
use super::document::{Document, DocumentField, Effect, Matcher, Statement};
use super::pattern::Pattern;
use std::collections::HashMap;

use crate::inventory::iam::{AttachedPolicy, Iam, InlinePolicy, RawGroup, RawManagedPolicy, RawRole, RawUser};
use crate::inventory::model::Tags;

/// A user or a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Role,
}

#[derive(Debug, Clone)]
pub struct Principal {
    pub arn: String,
    pub name: String,
    pub kind: PrincipalKind,
    pub account: String,
    pub tags: Tags,
}

impl Principal {
    pub fn user(user: &RawUser, account: &str) -> Principal {
        Principal {
            arn: user.arn.clone(),
            name: user.user_name.clone(),
            kind: PrincipalKind::User,
            account: account.to_string(),
            tags: user.tag_map(),
        }
    }

    pub fn role(role: &RawRole, account: &str) -> Principal {
        Principal {
            arn: role.arn.clone(),
            name: role.role_name.clone(),
            kind: PrincipalKind::Role,
            account: account.to_string(),
            tags: role.tag_map(),
        }
    }
}

/// The statement that decided: policy name (and ARN for managed policies), index, `Sid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cite {
    pub policy: String,
    pub statement: usize,
    pub sid: Option<String>,
}

impl std::fmt::Display for Cite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "policy `{}` statement {} (`{sid}`)", self.policy, self.statement),
            None => write!(f, "policy `{}` statement {}", self.policy, self.statement),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed(Cite),
    ExplicitDeny(Cite),
    NoMatchingAllow,
    OutsideBoundary,
    /// The decision depends on `key`; `cite` is the statement that would decide.
    Undetermined {
        key: String,
        cite: Cite,
    },
}

impl Decision {
    pub fn reason(&self) -> String {
        match self {
            Decision::Allowed(cite) => format!("allowed by {cite}"),
            Decision::ExplicitDeny(cite) => format!("explicit Deny in {cite}"),
            Decision::NoMatchingAllow => "no matching Allow".into(),
            Decision::OutsideBoundary => "outside the permissions boundary".into(),
            Decision::Undetermined { key, cite } => format!("undetermined because of key `{key}` ({cite})"),
        }
    }
}

/// One statement compiled for one action.
#[derive(Debug, Clone)]
struct Compiled {
    cite: Cite,
    effect: Effect,
    /// `true` for `NotResource`.
    not_resource: bool,
    resources: Vec<ResourcePattern>,
    conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    variables: bool,
}

#[derive(Debug, Clone)]
enum ResourcePattern {
    Fixed(Pattern, String),
    /// Holds policy variables: substituted per request (after the ARN's fifth colon only).
    WithVariables(String),
}

impl ResourcePattern {
    fn new(text: &str, variables: bool) -> ResourcePattern {
        let resource_part = text.splitn(6, ':').nth(5).unwrap_or("");
        if variables && resource_part.contains("${") {
            ResourcePattern::WithVariables(text.to_string())
        } else {
            ResourcePattern::Fixed(Pattern::resource(text), text.to_string())
        }
    }

    fn matches(&self, arn: &str, context: &dyn Context) -> Tri {
        match self {
            ResourcePattern::Fixed(pattern, _) => Tri::from_bool(pattern.matches(arn)),
            ResourcePattern::WithVariables(text) => {
                // Variables are substituted only in the resource part, after the fifth colon.
                let mut parts: Vec<&str> = text.splitn(6, ':').collect();
                let resource = parts.pop().unwrap_or("");
                match condition::substitute(resource, context) {
                    Ok(Some(resource)) => {
                        parts.push(&resource);
                        Tri::from_bool(Pattern::resource(&parts.join(":")).matches(arn))
                    }
                    Ok(None) => Tri::False,
                    Err(key) => Tri::Unknown(key),
                }
            }
        }
    }

    /// Whether the pattern can tell two backups of one account and Region apart.
    fn names_backups(&self) -> bool {
        let text = match self {
            ResourcePattern::Fixed(_, text) | ResourcePattern::WithVariables(text) => text,
        };
        if text == "*" {
            return false;
        }
        let resource = text.splitn(6, ':').nth(5).unwrap_or(text);
        let literal: String = resource.chars().take_while(|c| *c != '*' && *c != '?').collect();
        let rest = resource.get(literal.len()..).unwrap_or("");
        // `backup/*`, `b*`, `*`: every backup alike. `file-system/*`: no backup at all.
        let prefix_of_backup = "backup/".starts_with(literal.as_str());
        let diverges = !literal.starts_with("backup/") && !prefix_of_backup;
        !(diverges || (prefix_of_backup && rest == "*"))
    }
}

/// A principal's policies, compiled for one action.
#[derive(Debug, Clone, Default)]
pub struct CompiledSet {
    identity: Vec<Compiled>,
    boundary: Option<Vec<Compiled>>,
}

/// Why a principal's policies cannot all be read (then it might be allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub Vec<String>);

/// The principal's policies for `action`, compiled once; statements for other actions are
/// dropped here, so deciding a request only looks at statements that can apply.
#[derive(Debug, Clone)]
pub struct PrincipalPolicies {
    compiled: CompiledSet,
    /// Some statement names specific backups: requests must be decided one by one.
    pub names_backups: bool,
    /// The patterns that name backups: exact ARNs (found by hash lookup) and the rest.
    pub named: NamedBackups,
}

/// Resource patterns that can tell backups of one account and Region apart.
#[derive(Debug, Clone, Default)]
pub struct NamedBackups {
    /// Patterns without wildcards: the ARNs themselves.
    pub exact: Vec<String>,
    /// Patterns with wildcards or variables, matched one by one.
    patterns: Vec<ResourcePattern>,
}

impl NamedBackups {
    /// Whether a wildcard pattern might match `arn` (variables count as "might").
    pub fn wildcard_matches(&self, arn: &str) -> bool {
        self.patterns.iter().any(|p| match p {
            ResourcePattern::Fixed(pattern, _) => pattern.matches(arn),
            ResourcePattern::WithVariables(_) => true,
        })
    }

    pub fn has_wildcards(&self) -> bool {
        !self.patterns.is_empty()
    }
}

fn compile(document: &Document, policy: &str, action: &str, out: &mut Vec<Compiled>) {
    let variables = document.version.as_deref() == Some("2012-10-17");
    for (index, statement) in document.statements.iter().enumerate() {
        if !action_matches(statement, action) {
            continue;
        }
        let (not_resource, resources) = match &statement.resources {
            Matcher::Listed(list) => (false, list),
            Matcher::NotListed(list) => (true, list),
        };
        out.push(Compiled {
            cite: Cite { policy: policy.to_string(), statement: index, sid: statement.sid.clone() },
            effect: statement.effect,
            not_resource,
            resources: resources.iter().map(|r| ResourcePattern::new(r, variables)).collect(),
            conditions: statement.conditions.clone(),
            variables,
        });
    }
}

fn action_matches(statement: &Statement, action: &str) -> bool {
    match &statement.actions {
        Matcher::Listed(list) => list.iter().any(|p| Pattern::action(p).matches(action)),
        Matcher::NotListed(list) => !list.iter().any(|p| Pattern::action(p).matches(action)),
    }
}

fn document<'d>(field: &'d DocumentField, what: &str, problems: &mut Vec<String>) -> Option<&'d Document> {
    match field {
        DocumentField::Parsed(document) => Some(document),
        DocumentField::Invalid(reason) => {
            problems.push(format!("{what}: {reason}"));
            None
        }
    }
}

/// An account's IAM by name and ARN, built once per evaluation (lookups are then O(1), not
/// a scan per principal).
pub struct IamIndex<'i> {
    users: HashMap<&'i str, &'i RawUser>,
    roles: HashMap<&'i str, &'i RawRole>,
    groups: HashMap<&'i str, &'i RawGroup>,
    policies: HashMap<&'i str, &'i RawManagedPolicy>,
}

impl<'i> IamIndex<'i> {
    pub fn new(iam: &'i Iam) -> Self {
        IamIndex {
            users: iam.users.iter().map(|u| (u.arn.as_str(), u)).collect(),
            roles: iam.roles.iter().map(|r| (r.arn.as_str(), r)).collect(),
            groups: iam.groups.iter().map(|g| (g.group_name.as_str(), g)).collect(),
            policies: iam.policies.iter().map(|p| (p.arn.as_str(), p)).collect(),
        }
    }
}

impl PrincipalPolicies {
    /// Gathers and compiles: inline and attached managed policies (default version), the groups'
    /// for a user, and the permissions boundary.
    pub fn gather(iam: &IamIndex<'_>, principal: &Principal, action: &str) -> Result<PrincipalPolicies, Unreadable> {
        let mut problems = Vec::new();
        let mut identity = Vec::new();
        let add_inline =
            |list: &[InlinePolicy], owner: &str, identity: &mut Vec<Compiled>, problems: &mut Vec<String>| {
                for policy in list {
                    let name = format!("{owner}/{}", policy.policy_name);
                    if let Some(doc) = document(&policy.policy_document, &format!("inline policy `{name}`"), problems) {
                        compile(doc, &name, action, identity);
                    }
                }
            };
        let add_attached = |list: &[AttachedPolicy], identity: &mut Vec<Compiled>, problems: &mut Vec<String>| {
            for attached in list {
                match iam.policies.get(attached.policy_arn.as_str()).and_then(|p| p.default_document()) {
                    Some(field) => {
                        if let Some(doc) =
                            document(field, &format!("managed policy `{}`", attached.policy_arn), problems)
                        {
                            compile(doc, &attached.policy_arn, action, identity);
                        }
                    }
                    None => problems.push(format!(
                        "the default version of managed policy `{}` is not in the inventory",
                        attached.policy_arn
                    )),
                }
            }
        };
        let boundary_arn = match principal.kind {
            PrincipalKind::User => {
                let Some(user) = iam.users.get(principal.arn.as_str()) else {
                    return Err(Unreadable(vec![format!("`{}` is not in the inventory", principal.arn)]));
                };
                add_inline(&user.user_policy_list, &format!("user/{}", user.user_name), &mut identity, &mut problems);
                add_attached(&user.attached_managed_policies, &mut identity, &mut problems);
                for group_name in &user.group_list {
                    match iam.groups.get(group_name.as_str()) {
                        Some(group) => {
                            add_inline(
                                &group.group_policy_list,
                                &format!("group/{group_name}"),
                                &mut identity,
                                &mut problems,
                            );
                            add_attached(&group.attached_managed_policies, &mut identity, &mut problems);
                        }
                        None => problems.push(format!("group `{group_name}` is not in the inventory")),
                    }
                }
                user.permissions_boundary.as_ref().map(|b| b.permissions_boundary_arn.clone())
            }
            PrincipalKind::Role => {
                let Some(role) = iam.roles.get(principal.arn.as_str()) else {
                    return Err(Unreadable(vec![format!("`{}` is not in the inventory", principal.arn)]));
                };
                add_inline(&role.role_policy_list, &format!("role/{}", role.role_name), &mut identity, &mut problems);
                add_attached(&role.attached_managed_policies, &mut identity, &mut problems);
                role.permissions_boundary.as_ref().map(|b| b.permissions_boundary_arn.clone())
            }
        };
        let boundary = match boundary_arn {
            None => None,
            Some(arn) => {
                let mut statements = Vec::new();
                match iam.policies.get(arn.as_str()).and_then(|p| p.default_document()) {
                    Some(field) => {
                        if let Some(doc) = document(field, &format!("permissions boundary `{arn}`"), &mut problems) {
                            compile(doc, &arn, action, &mut statements);
                        }
                    }
                    None => problems.push(format!("the permissions boundary `{arn}` is not in the inventory")),
                }
                Some(statements)
            }
        };
        if !problems.is_empty() {
            return Err(Unreadable(problems));
        }
        let mut named = NamedBackups::default();
        for pattern in identity.iter().chain(boundary.iter().flatten()).flat_map(|s| s.resources.iter()) {
            if !pattern.names_backups() {
                continue;
            }
            match pattern {
                ResourcePattern::Fixed(_, text) if !text.contains(['*', '?']) => named.exact.push(text.clone()),
                other => named.patterns.push(other.clone()),
            }
        }
        let names_backups = !named.exact.is_empty() || named.has_wildcards();
        Ok(PrincipalPolicies { compiled: CompiledSet { identity, boundary }, names_backups, named })
    }

    /// Decides one request on `resource` (the action is the one compiled for).
    pub fn decide(&self, resource: &str, context: &dyn Context) -> Decision {
        let identity = decide_set(&self.compiled.identity, resource, context);
        if let SetDecision::Deny(cite) = identity {
            return Decision::ExplicitDeny(cite);
        }
        let boundary = self.compiled.boundary.as_ref().map(|b| decide_set(b, resource, context));
        if let Some(SetDecision::Deny(cite)) = boundary {
            return Decision::ExplicitDeny(cite);
        }
        match (identity, boundary) {
            (SetDecision::Implicit, _) => Decision::NoMatchingAllow,
            (_, Some(SetDecision::Implicit)) => Decision::OutsideBoundary,
            (SetDecision::Allow(cite), None | Some(SetDecision::Allow(_))) => Decision::Allowed(cite),
            (SetDecision::Unknown(key, cite), _) | (_, Some(SetDecision::Unknown(key, cite))) => {
                Decision::Undetermined { key, cite }
            }
            (SetDecision::Deny(cite), _) | (_, Some(SetDecision::Deny(cite))) => Decision::ExplicitDeny(cite),
        }
    }
}

#[derive(Debug, Clone)]
enum SetDecision {
    Allow(Cite),
    Deny(Cite),
    Implicit,
    Unknown(String, Cite),
}

fn statement_applies(statement: &Compiled, resource: &str, context: &dyn Context) -> Tri {
    let mut any = Tri::False;
    for pattern in &statement.resources {
        any = any.or(|| pattern.matches(resource, context));
        if any == Tri::True {
            break;
        }
    }
    let resource_matches = if statement.not_resource { any.negate() } else { any };
    resource_matches.and(|| condition::evaluate_block(&statement.conditions, context, statement.variables))
}

/// One policy set (identity, or boundary): explicit deny first, then allow.
fn decide_set(statements: &[Compiled], resource: &str, context: &dyn Context) -> SetDecision {
    let mut allow: Option<Cite> = None;
    let mut unknown_allow: Option<(String, Cite)> = None;
    let mut unknown_deny: Option<(String, Cite)> = None;
    for statement in statements {
        match (statement.effect, statement_applies(statement, resource, context)) {
            (Effect::Deny, Tri::True) => return SetDecision::Deny(statement.cite.clone()),
            (Effect::Deny, Tri::Unknown(key)) => {
                unknown_deny.get_or_insert((key, statement.cite.clone()));
            }
            (Effect::Allow, Tri::True) => {
                allow.get_or_insert(statement.cite.clone());
            }
            (Effect::Allow, Tri::Unknown(key)) => {
                unknown_allow.get_or_insert((key, statement.cite.clone()));
            }
            (_, Tri::False) => {}
        }
    }
    match (allow, unknown_deny, unknown_allow) {
        (Some(_), Some((key, cite)), _) => SetDecision::Unknown(key, cite),
        (Some(cite), None, _) => SetDecision::Allow(cite),
        (None, _, Some((key, cite))) => SetDecision::Unknown(key, cite),
        (None, _, None) => SetDecision::Implicit,
    }
}

/// The keys of one request made by one principal (SPEC §5, iam-permission).
pub struct RequestContext<'a> {
    pub principal: &'a Principal,
    /// `None`: the resource's tags are not known.
    pub resource_tags: Option<&'a crate::inventory::model::TagSet>,
    pub resource_account: &'a str,
    /// `None`: `aws:RequestedRegion` is unknown (CopyBackup is called in the destination).
    pub requested_region: Option<&'a str>,
    /// Extra keys from the rule's `context`, lower-cased.
    pub extra: &'a BTreeMap<String, Vec<String>>,
}

/// A tag's value, its key compared without case (as IAM does).
fn tag<'t>(mut tags: impl Iterator<Item = (&'t str, &'t str)>, key: &str) -> KeyValue {
    tags.find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map_or(KeyValue::Absent, |(_, v)| KeyValue::Known(vec![v.to_string()]))
}

impl Context for RequestContext<'_> {
    fn value(&self, key: &str) -> KeyValue {
        let lower = key.to_ascii_lowercase();
        if let Some(values) = self.extra.get(&lower) {
            return KeyValue::Known(values.clone());
        }
        let known = |v: &str| KeyValue::Known(vec![v.to_string()]);
        match lower.as_str() {
            "aws:requestedregion" => self.requested_region.map_or(KeyValue::Unknown, known),
            "aws:principalarn" => known(&self.principal.arn),
            "aws:principalaccount" => known(&self.principal.account),
            "aws:resourceaccount" => known(self.resource_account),
            "aws:principaltype" => known(match self.principal.kind {
                PrincipalKind::User => "User",
                PrincipalKind::Role => "AssumedRole",
            }),
            "aws:username" => match self.principal.kind {
                PrincipalKind::User => known(&self.principal.name),
                PrincipalKind::Role => KeyValue::Absent,
            },
            _ => {
                if let Some(tag_key) = lower.strip_prefix("aws:principaltag/") {
                    tag(self.principal.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())), tag_key)
                } else if let Some(tag_key) = lower.strip_prefix("aws:resourcetag/") {
                    self.resource_tags.map_or(KeyValue::Unknown, |tags| tag(tags.iter(), tag_key))
                } else {
                    KeyValue::Unknown
                }
            }
        }
    }
}
