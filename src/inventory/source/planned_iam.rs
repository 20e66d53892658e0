//! IAM declared in infrastructure code (Terraform plans, CloudFormation templates), turned into
//! the shapes of `get-account-authorization-details` so that `iam-permission` judges planned
//! principals with the one evaluator.
//!
//! Standalone attachments and inline policies (`aws_iam_role_policy_attachment`,
//! `AWS::IAM::Policy`, ...) are joined to their principal by name or by reference. A policy
//! document not known before deployment makes the principal's policies unreadable (`error`),
//! and AWS managed policies are evaluated from the documents shipped with fsx-guard
//! (`src/iam/aws_managed_policies.json`), any other being missing (`error`).

use std::collections::HashMap;

use serde_json::Value;

use crate::iam::DocumentField;
use crate::inventory::iam::{
    AttachedPolicy, Iam, InlinePolicy, PermissionsBoundary, PolicyVersion, RawGroup, RawManagedPolicy, RawRole, RawUser,
};
use crate::inventory::model::Tags;

/// A reference to a principal or a policy in code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ref {
    /// A name (principals) or an ARN (policies), as written.
    Literal(String),
    /// The address of a resource of the same input.
    Address(String),
    /// Not known before deployment: why.
    Unknown(String),
}

/// A policy document in code.
#[derive(Debug, Clone)]
pub(super) enum Doc {
    Known(Value),
    Unknown(String),
}

impl Doc {
    fn field(&self) -> DocumentField {
        match self {
            Doc::Known(value) => crate::iam::document::parse_value(value.clone()),
            Doc::Unknown(why) => DocumentField::Invalid(format!("its document is not known before deployment: {why}")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    User,
    Group,
    Role,
}

/// A user, group or role in code.
#[derive(Debug, Clone)]
pub(super) struct Principal {
    pub kind: Kind,
    pub address: String,
    /// `None`: chosen at deployment (CloudFormation without `RoleName`, Terraform `name_prefix`).
    pub name: Option<String>,
    pub path: String,
    pub inline: Vec<(String, Doc)>,
    pub managed: Vec<Ref>,
    pub boundary: Option<Ref>,
    pub groups: Vec<Ref>,
    pub tags: Tags,
}

impl Principal {
    pub fn new(kind: Kind, address: String, name: Option<String>) -> Self {
        Principal {
            kind,
            address,
            name,
            path: "/".into(),
            inline: Vec::new(),
            managed: Vec::new(),
            boundary: None,
            groups: Vec::new(),
            tags: Tags::new(),
        }
    }
}

/// A customer managed policy in code.
#[derive(Debug, Clone)]
pub(super) struct Policy {
    pub address: String,
    pub name: Option<String>,
    pub path: String,
    pub doc: Doc,
}

/// Something attached to principals from outside them.
#[derive(Debug, Clone)]
pub(super) enum Attachment {
    /// An inline policy of one principal (`aws_iam_role_policy`, `AWS::IAM::RolePolicy`).
    Inline { kind: Kind, principal: Ref, name: String, doc: Doc },
    /// A managed policy attached to principals.
    Managed { kind: Kind, principal: Ref, policy: Ref },
    /// A user in a group.
    Member { user: Ref, group: Ref },
}

#[derive(Debug, Default)]
pub(super) struct IamCode {
    pub principals: Vec<Principal>,
    pub policies: Vec<Policy>,
    pub attachments: Vec<Attachment>,
    /// What could not be joined: (address, why).
    pub problems: Vec<(String, String)>,
}

impl IamCode {
    pub fn is_empty(&self) -> bool {
        self.principals.is_empty() && self.policies.is_empty() && self.attachments.is_empty()
    }

    /// The account's IAM as the evaluator reads it, and each principal's (ARN, address).
    pub fn build(mut self, account: &str, partition: &str) -> (Iam, Vec<(String, String)>) {
        let policy_arn = |policy: &Policy| match &policy.name {
            Some(name) => format!("arn:{partition}:iam::{account}:policy{}{name}", policy.path),
            None => format!("arn:{partition}:iam::{account}:policy/{}", policy.address),
        };
        let policy_arns: HashMap<String, String> =
            self.policies.iter().map(|p| (p.address.clone(), policy_arn(p))).collect();
        let resolve_policy = |r: &Ref| -> Result<String, String> {
            match r {
                Ref::Literal(arn) => Ok(arn.clone()),
                Ref::Address(address) => {
                    policy_arns.get(address).cloned().ok_or_else(|| format!("policy `{address}` is not in the input"))
                }
                Ref::Unknown(why) => Err(why.clone()),
            }
        };
        // Principals by (kind, name) and by address.
        let find = |principals: &[Principal], kind: Kind, r: &Ref| -> Result<usize, String> {
            let found = principals.iter().position(|p| {
                p.kind == kind
                    && match r {
                        Ref::Literal(name) => p.name.as_deref() == Some(name.as_str()),
                        Ref::Address(address) => p.address == *address,
                        Ref::Unknown(_) => false,
                    }
            });
            match (found, r) {
                (Some(i), _) => Ok(i),
                (None, Ref::Unknown(why)) => Err(why.clone()),
                (None, Ref::Literal(name) | Ref::Address(name)) => Err(format!("`{name}` is not in the input")),
            }
        };
        for attachment in std::mem::take(&mut self.attachments) {
            match attachment {
                Attachment::Inline { kind, principal, name, doc } => match find(&self.principals, kind, &principal) {
                    Ok(i) => {
                        if let Some(p) = self.principals.get_mut(i) {
                            p.inline.push((name, doc));
                        }
                    }
                    Err(why) => self.problems.push((name, format!("an inline policy's principal: {why}"))),
                },
                Attachment::Managed { kind, principal, policy } => match find(&self.principals, kind, &principal) {
                    Ok(i) => {
                        if let Some(p) = self.principals.get_mut(i) {
                            p.managed.push(policy);
                        }
                    }
                    Err(why) => {
                        self.problems.push((format!("{policy:?}"), format!("an attachment's principal: {why}")))
                    }
                },
                Attachment::Member { user, group } => match find(&self.principals, Kind::User, &user) {
                    Ok(i) => {
                        if let Some(p) = self.principals.get_mut(i) {
                            p.groups.push(group);
                        }
                    }
                    Err(why) => self.problems.push(("group membership".into(), why)),
                },
            }
        }
        let group_names: HashMap<String, String> = self
            .principals
            .iter()
            .filter(|p| p.kind == Kind::Group)
            .map(|p| (p.address.clone(), p.name.clone().unwrap_or_else(|| p.address.clone())))
            .collect();
        let mut iam = Iam::default();
        let mut addresses = Vec::new();
        for principal in &self.principals {
            let name = principal.name.clone().unwrap_or_else(|| principal.address.clone());
            let kind = match principal.kind {
                Kind::User => "user",
                Kind::Group => "group",
                Kind::Role => "role",
            };
            let arn = format!("arn:{partition}:iam::{account}:{kind}{}{name}", principal.path);
            let inline: Vec<InlinePolicy> = principal
                .inline
                .iter()
                .map(|(name, doc)| InlinePolicy { policy_name: name.clone(), policy_document: doc.field() })
                .collect();
            let mut attached = Vec::new();
            for r in &principal.managed {
                match resolve_policy(r) {
                    Ok(policy_arn) => attached.push(AttachedPolicy { policy_name: None, policy_arn }),
                    // Unknown: an attached policy that cannot be read makes the principal `error`.
                    Err(why) => attached.push(AttachedPolicy {
                        policy_name: None,
                        policy_arn: format!("arn:{partition}:iam::{account}:policy/unknown ({why})"),
                    }),
                }
            }
            let boundary = principal.boundary.as_ref().map(|r| PermissionsBoundary {
                permissions_boundary_type: Some("Policy".into()),
                permissions_boundary_arn: resolve_policy(r)
                    .unwrap_or_else(|why| format!("arn:{partition}:iam::{account}:policy/unknown ({why})")),
            });
            let tags = Some(
                principal
                    .tags
                    .iter()
                    .map(|(k, v)| crate::inventory::model::Tag { key: k.clone(), value: v.clone() })
                    .collect(),
            );
            match principal.kind {
                Kind::User => {
                    let group_list = principal
                        .groups
                        .iter()
                        .filter_map(|g| match g {
                            Ref::Literal(name) => Some(name.clone()),
                            Ref::Address(address) => group_names.get(address).cloned(),
                            Ref::Unknown(_) => None,
                        })
                        .collect();
                    iam.users.push(RawUser {
                        unreadable: None,
                        user_name: name,
                        arn: arn.clone(),
                        path: Some(principal.path.clone()),
                        user_policy_list: inline,
                        group_list,
                        attached_managed_policies: attached,
                        permissions_boundary: boundary,
                        tags,
                    });
                }
                Kind::Group => iam.groups.push(RawGroup {
                    unreadable: None,
                    group_name: name,
                    arn: arn.clone(),
                    group_policy_list: inline,
                    attached_managed_policies: attached,
                }),
                Kind::Role => iam.roles.push(RawRole {
                    unreadable: None,
                    role_name: name,
                    arn: arn.clone(),
                    role_policy_list: inline,
                    attached_managed_policies: attached,
                    permissions_boundary: boundary,
                    tags,
                }),
            }
            if principal.kind != Kind::Group {
                addresses.push((arn, principal.address.clone()));
            }
        }
        for policy in &self.policies {
            iam.policies.push(RawManagedPolicy {
                unreadable: None,
                policy_name: policy.name.clone(),
                arn: policy_arn(policy),
                default_version_id: Some("v1".into()),
                policy_version_list: vec![PolicyVersion {
                    document: Some(policy.doc.field()),
                    version_id: Some("v1".into()),
                    is_default_version: true,
                }],
            });
        }
        // AWS managed policies the principals attach, from the shipped documents.
        let wanted: Vec<String> = iam
            .users
            .iter()
            .flat_map(|u| u.attached_managed_policies.iter().map(|a| a.policy_arn.clone()))
            .chain(iam.roles.iter().flat_map(|r| r.attached_managed_policies.iter().map(|a| a.policy_arn.clone())))
            .chain(iam.groups.iter().flat_map(|g| g.attached_managed_policies.iter().map(|a| a.policy_arn.clone())))
            .chain(
                iam.users
                    .iter()
                    .filter_map(|u| u.permissions_boundary.as_ref().map(|b| b.permissions_boundary_arn.clone())),
            )
            .chain(
                iam.roles
                    .iter()
                    .filter_map(|r| r.permissions_boundary.as_ref().map(|b| b.permissions_boundary_arn.clone())),
            )
            .collect();
        for arn in wanted {
            if iam.policies.iter().any(|p| p.arn == arn) {
                continue;
            }
            if let Some(policy) = aws_managed(&arn) {
                iam.policies.push(policy);
            } else if arn.contains(":iam::aws:policy/") {
                // An AWS managed policy whose document fsx-guard does not ship: unreadable.
                iam.policies.push(RawManagedPolicy {
                    unreadable: None,
                    policy_name: arn.rsplit('/').next().map(str::to_string),
                    arn: arn.clone(),
                    default_version_id: Some("v1".into()),
                    policy_version_list: vec![PolicyVersion {
                        document: Some(DocumentField::Invalid(format!(
                            "its document is not known: fsx-guard ships the documents of {SHIPPED_NAMES} only (run against the live account to read it)"
                        ))),
                        version_id: Some("v1".into()),
                        is_default_version: true,
                    }],
                });
            }
        }
        (iam, addresses)
    }
}

/// Puts the IAM of one input into its account: the account `--account` names (IAM ARNs need
/// it; without it, the account's IAM is recorded as unreadable, so `iam-permission` says
/// `error` naming the flag).
pub(super) fn install(
    code: IamCode,
    options: &super::Options,
    inventory: &mut crate::inventory::Inventory,
) -> Vec<(String, String)> {
    if code.is_empty() {
        return Vec::new();
    }
    let problems = code.problems.clone();
    let Some(account_id) = options.account.clone() else {
        let account = inventory.account_mut("", crate::regions::Partition::Aws);
        account.errors.push(crate::inventory::CollectionError {
            region: None,
            service: Some("iam".into()),
            operation: Some("GetAccountAuthorizationDetails".into()),
            message: "IAM declared in infrastructure code has ARNs only in a known account: add `--account ID`".into(),
            origin: None,
        });
        return problems;
    };
    let partition = options
        .region
        .as_deref()
        .and_then(crate::regions::lookup)
        .map_or(crate::regions::Partition::Aws, |r| r.partition);
    let (iam, addresses) = code.build(&account_id, partition.as_str());
    let account = inventory.account_mut(&account_id, partition);
    let merged = account.iam.get_or_insert_with(Iam::default);
    merged.users.extend(iam.users);
    merged.groups.extend(iam.groups);
    merged.roles.extend(iam.roles);
    for policy in iam.policies {
        if !merged.policies.iter().any(|p| p.arn == policy.arn) {
            merged.policies.push(policy);
        }
    }
    inventory.planned_principals.extend(addresses);
    problems
}

/// The AWS managed policies whose documents are shipped, for messages.
const SHIPPED_NAMES: &str = "AdministratorAccess, PowerUserAccess, AmazonFSxFullAccess, AmazonFSxConsoleFullAccess, AWSBackupFullAccess and AWSBackupServiceRolePolicyForBackup";

/// The shipped document of an AWS managed policy (`arn:<partition>:iam::aws:policy/...`).
pub(super) fn aws_managed(arn: &str) -> Option<RawManagedPolicy> {
    static SHIPPED: &str = include_str!("../../iam/aws_managed_policies.json");
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if service != "iam" || account != "aws" {
        return None;
    }
    let shipped: Value = serde_json::from_str(SHIPPED).ok()?;
    let entry = shipped.get("policies")?.as_array()?.iter().find(|p| {
        p.get("arn").and_then(Value::as_str).and_then(|a| a.split_once(":iam::aws:")).map(|(_, r)| r) == Some(resource)
    })?;
    let version = entry.get("version").and_then(Value::as_str).unwrap_or("v1").to_string();
    Some(RawManagedPolicy {
        unreadable: None,
        policy_name: resource.rsplit('/').next().map(str::to_string),
        arn: arn.to_string(),
        default_version_id: Some(version.clone()),
        policy_version_list: vec![PolicyVersion {
            document: Some(crate::iam::document::parse_value(entry.get("document")?.clone())),
            version_id: Some(version),
            is_default_version: true,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_policy_parses() {
        for name in [
            "AdministratorAccess",
            "PowerUserAccess",
            "AmazonFSxFullAccess",
            "AmazonFSxConsoleFullAccess",
            "AWSBackupFullAccess",
            "service-role/AWSBackupServiceRolePolicyForBackup",
        ] {
            let policy = aws_managed(&format!("arn:aws:iam::aws:policy/{name}")).unwrap();
            let document = policy.default_document().unwrap();
            assert!(document.problem().is_none(), "{name}: {:?}", document.problem());
        }
        assert!(aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
        assert!(aws_managed("arn:aws:iam::111122223333:policy/AdministratorAccess").is_none());
    }
}
