//! Rule kinds: one file each, and this registry.
//!
//! The registry is one exhaustive enum: a new kind does not compile until its parameters, its
//! documentation and its evaluation exist.

pub mod backup_naming;
pub mod backup_recency;
pub mod backup_retention;
pub mod copy_kms_consistency;
pub mod cross_region_copy;
pub mod iam_permission;

use serde_json::Value;

use crate::diag::Problem;
use crate::engine::{Finding, RuleContext};
use crate::inventory::FileSystem;

/// Every rule kind fsx-guard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleKind {
    BackupRetention,
    BackupRecency,
    CrossRegionCopy,
    CopyKmsConsistency,
    IamPermission,
    BackupNaming,
}

/// What a rule kind produces results for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One result per selected file system.
    FileSystems,
    /// One result per backup of the selected file systems.
    Backups,
    /// Results per IAM principal (and account), over all selected file systems at once.
    Principals,
}

/// A rule's parameters, typed per kind.
#[derive(Debug, Clone)]
pub enum Params {
    BackupRetention(backup_retention::Params),
    BackupRecency(backup_recency::Params),
    CrossRegionCopy(cross_region_copy::Params),
    CopyKmsConsistency(copy_kms_consistency::Params),
    IamPermission(iam_permission::Params),
    BackupNaming(backup_naming::Params),
}

impl RuleKind {
    pub const ALL: [RuleKind; 6] = [
        RuleKind::BackupRetention,
        RuleKind::BackupRecency,
        RuleKind::CrossRegionCopy,
        RuleKind::CopyKmsConsistency,
        RuleKind::IamPermission,
        RuleKind::BackupNaming,
    ];

    /// The name used in policy files.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::BackupRetention => "backup-retention",
            RuleKind::BackupRecency => "backup-recency",
            RuleKind::CrossRegionCopy => "cross-region-copy",
            RuleKind::CopyKmsConsistency => "copy-kms-consistency",
            RuleKind::IamPermission => "iam-permission",
            RuleKind::BackupNaming => "backup-naming",
        }
    }

    pub fn parse(name: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The kind's documentation (Markdown, ruff's headings).
    pub fn doc(self) -> &'static str {
        match self {
            RuleKind::BackupRetention => backup_retention::DOC,
            RuleKind::BackupRecency => backup_recency::DOC,
            RuleKind::CrossRegionCopy => cross_region_copy::DOC,
            RuleKind::CopyKmsConsistency => copy_kms_consistency::DOC,
            RuleKind::IamPermission => iam_permission::DOC,
            RuleKind::BackupNaming => backup_naming::DOC,
        }
    }

    /// One line: the first sentence under "What it does".
    pub fn summary(self) -> &'static str {
        self.doc().split("## What it does").nth(1).and_then(|rest| rest.trim_start().lines().next()).unwrap_or("")
    }

    pub fn scope(self) -> Scope {
        match self {
            RuleKind::BackupRetention
            | RuleKind::BackupRecency
            | RuleKind::CrossRegionCopy
            | RuleKind::CopyKmsConsistency => Scope::FileSystems,
            RuleKind::BackupNaming => Scope::Backups,
            RuleKind::IamPermission => Scope::Principals,
        }
    }

    /// Types the parameters (already checked against the JSON Schema) and lints what a schema
    /// cannot express. `pointer` is the JSON pointer of `params` in the policy file.
    pub fn parse_params(self, value: &Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        match self {
            RuleKind::BackupRetention => backup_retention::Params::parse(value, pointer).map(Params::BackupRetention),
            RuleKind::BackupRecency => backup_recency::Params::parse(value, pointer).map(Params::BackupRecency),
            RuleKind::CrossRegionCopy => cross_region_copy::Params::parse(value, pointer).map(Params::CrossRegionCopy),
            RuleKind::CopyKmsConsistency => {
                copy_kms_consistency::Params::parse(value, pointer).map(Params::CopyKmsConsistency)
            }
            RuleKind::IamPermission => iam_permission::Params::parse(value, pointer).map(Params::IamPermission),
            RuleKind::BackupNaming => backup_naming::Params::parse(value, pointer).map(Params::BackupNaming),
        }
    }
}

impl std::fmt::Display for RuleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Params {
    /// Policy warnings: things that are valid but certainly not what the author meant. `pointer`
    /// is the rule's JSON pointer.
    pub fn warnings(&self, select: &crate::policy::Select, pointer: &str) -> Vec<Problem> {
        match self {
            Params::CrossRegionCopy(p) => p.warnings(select, pointer),
            Params::BackupRetention(_)
            | Params::BackupRecency(_)
            | Params::CopyKmsConsistency(_)
            | Params::IamPermission(_)
            | Params::BackupNaming(_) => Vec::new(),
        }
    }
}

/// Evaluates one rule on one selected file system.
pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>, out: &mut Vec<Finding>) {
    match params {
        Params::BackupRetention(p) => out.push(backup_retention::evaluate(p, fs)),
        Params::BackupRecency(p) => out.push(backup_recency::evaluate(p, fs, context)),
        Params::CrossRegionCopy(p) => out.push(cross_region_copy::evaluate(p, fs, context)),
        Params::CopyKmsConsistency(p) => out.push(copy_kms_consistency::evaluate(p, fs, context)),
        Params::BackupNaming(p) => backup_naming::evaluate(p, fs, context, out),
        // Evaluated over all selected file systems at once (`evaluate_principals`).
        Params::IamPermission(_) => {}
    }
}

/// Evaluates a principal-scoped rule over every selected file system at once.
pub fn evaluate_principals(
    params: &Params,
    selected: &[&FileSystem],
    context: &RuleContext<'_, '_>,
    out: &mut Vec<Finding>,
) {
    if let Params::IamPermission(p) = params {
        iam_permission::evaluate(p, selected, context, out);
    }
}

/// Unknown Regions in a list of Region names at `pointer`, with "did you mean" hints.
pub(crate) fn lint_regions(names: &[String], pointer: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, name) in names.iter().enumerate() {
        if crate::regions::lookup(name).is_none() {
            let problem = Problem::at(format!("{pointer}/{i}"), format!("unknown region `{name}`"));
            problems.push(match crate::regions::suggest(name) {
                Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                None => problem,
            });
        } else if !seen.insert(name) {
            problems.push(Problem::at(format!("{pointer}/{i}"), format!("`{name}` is listed twice")));
        }
    }
    problems
}

/// Deserialises checked parameters, turning the rare mismatch into a problem.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> Result<T, Vec<Problem>> {
    let value = if value.is_null() { Value::Object(serde_json::Map::new()) } else { value.clone() };
    serde_json::from_value(value).map_err(|e| vec![Problem::at(pointer, format!("invalid parameters: {e}"))])
}

/// Backup types accepted in `types`.
pub(crate) fn parse_backup_types(names: &[String]) -> Vec<crate::inventory::model::BackupType> {
    names.iter().map(|n| crate::inventory::model::BackupType::parse(n)).collect()
}

/// Is this Lustre file system a scratch deployment (which has no backups at all)?
pub(crate) fn is_lustre_scratch(fs: &FileSystem) -> bool {
    fs.file_system_type == crate::inventory::model::FileSystemType::Lustre
        && fs
            .backup_settings
            .as_ref()
            .and_then(|s| s.deployment_type.as_deref())
            .is_some_and(|d| d.starts_with("SCRATCH"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_has_the_headings() {
        for kind in RuleKind::ALL {
            for heading in ["## What it does", "## Why is this bad?", "## Example", "## Verdicts", "## References"] {
                assert!(kind.doc().contains(heading), "{kind} lacks `{heading}`");
            }
            assert!(!kind.summary().is_empty());
            assert_eq!(RuleKind::parse(kind.name()), Some(kind));
        }
    }
}
