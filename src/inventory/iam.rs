//! The shapes of `get-account-authorization-details`, with the fields IAM evaluation uses.

use serde::Deserialize;

use super::model::{Tag, Tags, tags_from};
use crate::iam::DocumentField;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: DocumentField,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: Option<String>,
    pub policy_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundary {
    pub permissions_boundary_type: Option<String>,
    pub permissions_boundary_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawUser {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawGroup {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    #[serde(default)]
    pub group_name: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawRole {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    #[serde(default)]
    pub role_name: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    pub document: Option<DocumentField>,
    pub version_id: Option<String>,
    #[serde(default)]
    pub is_default_version: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RawManagedPolicy {
    /// Set by the loader in place of a resource whose fields have the wrong type: why.
    #[serde(default, rename = "__fsx_guard_unreadable")]
    pub unreadable: Option<String>,

    pub policy_name: Option<String>,
    #[serde(default)]
    pub arn: String,
    pub default_version_id: Option<String>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

/// One account's IAM, merged from every input that carried it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Iam {
    pub users: Vec<RawUser>,
    pub groups: Vec<RawGroup>,
    pub roles: Vec<RawRole>,
    pub policies: Vec<RawManagedPolicy>,
}

impl RawUser {
    pub fn tag_map(&self) -> Tags {
        tags_from(self.tags.clone())
    }
}

impl RawRole {
    pub fn tag_map(&self) -> Tags {
        tags_from(self.tags.clone())
    }
}

impl RawManagedPolicy {
    /// The document of the default version, when the inventory has it.
    pub fn default_document(&self) -> Option<&DocumentField> {
        let by_flag = self.policy_version_list.iter().find(|v| v.is_default_version);
        let by_id = || {
            self.policy_version_list.iter().find(|v| v.version_id.is_some() && v.version_id == self.default_version_id)
        };
        by_flag.or_else(by_id).and_then(|v| v.document.as_ref())
    }
}
