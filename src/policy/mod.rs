//! Policies: the YAML files users write, loaded into typed rules.
//!
//! Loading runs in three steps: YAML (with positions), the JSON Schema in `schemas/`, then the
//! checks a schema cannot express (`lint`). Every problem of a file is reported at once.

mod lint;
mod load;
mod schema;
pub mod waiver;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

pub use load::{BASELINE_PATH, load, load_builtin, load_sources, load_with_waivers};
pub use schema::POLICY_SCHEMA;
pub use waiver::Waiver;

use crate::inventory::FileSystem;
use crate::inventory::model::FileSystemType;
use crate::rules::{Params, RuleKind};
use crate::span::ByteSpan;
use crate::yaml::NodeSpan;

/// How serious a rule's failure is; maps to SARIF levels and `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Which file systems a rule applies to. Fields are ANDed, values in a list ORed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Select {
    pub accounts: Option<Vec<String>>,
    pub regions: Option<Vec<String>>,
    #[serde(default = "default_types")]
    pub file_system_types: Vec<FileSystemType>,
    pub file_system_ids: Option<Vec<String>>,
    pub tags: Option<BTreeMap<String, String>>,
}

fn default_types() -> Vec<FileSystemType> {
    vec![FileSystemType::Openzfs]
}

impl Default for Select {
    fn default() -> Self {
        Select { accounts: None, regions: None, file_system_types: default_types(), file_system_ids: None, tags: None }
    }
}

impl Select {
    pub fn matches_account(&self, account: &str) -> bool {
        self.accounts.as_ref().is_none_or(|list| list.iter().any(|a| a == account))
    }

    pub fn matches(&self, fs: &FileSystem) -> bool {
        self.matches_account(&fs.account)
            && self.regions.as_ref().is_none_or(|list| list.iter().any(|r| r == fs.region))
            && self.file_system_types.contains(&fs.file_system_type)
            && self.file_system_ids.as_ref().is_none_or(|list| list.contains(&fs.id))
            && self.tags.as_ref().is_none_or(|tags| {
                tags.iter().all(|(key, want)| match fs.tags.get(key) {
                    Some(value) => want == "*" || value == want,
                    None => false,
                })
            })
    }
}

impl Select {
    /// Whether the backups of a file system that is no longer in the inventory could belong to
    /// a selected file system: its account, Region and id are known, its type when a backup says
    /// it (unknown counts as a match), and its tags are those the backup carries.
    pub fn matches_missing_file_system(
        &self,
        (account, region, id): (&str, &str, &str),
        file_system_type: Option<&FileSystemType>,
        tags: &crate::inventory::model::TagSet,
    ) -> bool {
        self.matches_account(account)
            && self.regions.as_ref().is_none_or(|list| list.iter().any(|r| r == region))
            && file_system_type.is_none_or(|t| self.file_system_types.contains(t))
            && self.file_system_ids.as_ref().is_none_or(|list| list.iter().any(|x| x == id))
            && self.tags.as_ref().is_none_or(|want| {
                want.iter().all(|(key, value)| tags.get(key).is_some_and(|v| value == "*" || v == value))
            })
    }
}

/// A loaded policy file, kept for snippets and locations in reports.
#[derive(Debug, Clone)]
pub struct PolicySource {
    /// The path as given, or `policies/baseline.yaml` for the built-in baseline.
    pub path: String,
    pub text: Arc<String>,
    pub builtin: bool,
    /// A `--waivers` file rather than a policy file.
    pub waivers_only: bool,
    pub name: Option<String>,
    spans: std::collections::HashMap<String, NodeSpan>,
}

impl PolicySource {
    pub fn span(&self, pointer: &str) -> Option<NodeSpan> {
        self.spans.get(pointer).copied()
    }
}

/// One rule, typed.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub kind: RuleKind,
    pub severity: Severity,
    pub description: Option<String>,
    pub select: Select,
    pub params: Params,
    /// Index into `PolicySet::sources`.
    pub source: usize,
    /// JSON pointer of the rule in its file (`/rules/3`).
    pub pointer: String,
}

/// Every loaded rule, in load order.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub sources: Vec<PolicySource>,
    pub rules: Vec<Rule>,
    /// Every waiver of every file, in load order.
    pub waivers: Vec<Waiver>,
    /// One per file with warnings; printed by `validate` and `check`, never fatal.
    pub warnings: Vec<std::sync::Arc<crate::diag::FileWarning>>,
}

impl PolicySet {
    /// Every Region the policies name: `select.regions`, copy destinations, pinned keys and
    /// requested Regions. Live collection reads these when `--region` is not given.
    pub fn regions_named(&self) -> std::collections::BTreeSet<String> {
        let mut regions = std::collections::BTreeSet::new();
        for rule in &self.rules {
            regions.extend(rule.select.regions.iter().flatten().cloned());
            match &rule.params {
                crate::rules::Params::CrossRegionCopy(p) => regions.extend(p.destinations.iter().cloned()),
                crate::rules::Params::CopyKmsConsistency(p) => {
                    regions.extend(p.destinations.iter().flatten().cloned());
                    regions.extend(p.keys.keys().cloned());
                }
                crate::rules::Params::IamPermission(p) => regions.extend(p.requested_regions.iter().flatten().cloned()),
                crate::rules::Params::BackupRetention(_)
                | crate::rules::Params::BackupRecency(_)
                | crate::rules::Params::BackupNaming(_) => {}
            }
        }
        regions
    }

    pub fn source_of(&self, rule: &Rule) -> Option<&PolicySource> {
        self.sources.get(rule.source)
    }

    /// The byte span of a rule in its policy file.
    pub fn rule_span(&self, rule: &Rule) -> Option<ByteSpan> {
        self.source_of(rule).and_then(|s| s.span(&rule.pointer)).map(|n| n.value)
    }

    /// The rule's text in its policy file, whole lines.
    pub fn rule_snippet(&self, rule: &Rule) -> Option<(usize, String)> {
        let source = self.source_of(rule)?;
        let span = self.rule_span(rule)?;
        let text = source.text.as_str();
        let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
        // A block mapping ends where the next item starts: stop at the rule's last non-blank line.
        let content_end = text.get(..span.end)?.trim_end().len().max(span.start);
        let end = text.get(content_end..).and_then(|rest| rest.find('\n')).map_or(text.len(), |i| content_end + i);
        let (line, _) = crate::span::line_col(text, start);
        // Comments after the rule introduce the next one: leave them out.
        let mut lines: Vec<&str> = text.get(start..end)?.lines().collect();
        while lines.last().is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
            lines.pop();
        }
        Some((line, lines.join("\n")))
    }
}
