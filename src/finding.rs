//! The result vocabulary: verdicts, the resources results are about, and findings. It sits
//! beneath the rules and the engine, so data flows one way: load → index → rules → engine →
//! report.

use serde_json::Value;

use crate::inventory::model::Planned;
use crate::inventory::{Backup, FileSystem, Origin};

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
    /// Where the resource uses the value `origin` points at, when `origin` is elsewhere (a
    /// variable's literal in a `.tfvars` file, a template parameter's default).
    pub related: Option<Origin>,
}

impl Subject {
    /// A file system; a planned one is named by its address, and its account or Region is
    /// `None` when the infrastructure code does not say.
    pub fn file_system(fs: &FileSystem) -> Subject {
        Subject {
            id: fs.arn.clone(),
            resource_type: ResourceType::FileSystem,
            account: (!fs.account.is_empty()).then(|| fs.account.clone()),
            region: (!fs.region.is_empty()).then(|| fs.region.to_string()),
            origin: Some(fs.origin.clone()),
            related: None,
        }
    }

    pub fn backup(backup: &Backup) -> Subject {
        Subject {
            id: backup.arn.clone(),
            resource_type: ResourceType::Backup,
            account: Some(backup.account.to_string()),
            region: Some(backup.region.to_string()),
            origin: Some(backup.origin.clone()),
            related: None,
        }
    }

    /// Every file system of an account in a Region (for "not collected" results).
    pub fn all_file_systems(partition: &str, region: &str, account: &str) -> Subject {
        Subject {
            id: format!("arn:{partition}:fsx:{region}:{account}:file-system/*"),
            resource_type: ResourceType::FileSystem,
            account: Some(account.to_string()),
            region: (region != "*").then(|| region.to_string()),
            origin: None,
            related: None,
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
        let mut subject = Subject::file_system(fs);
        if let Some(planned) = &fs.planned {
            evidence.insert("planned".into(), planned_evidence(planned));
            // Point at the line that decides the verdict: the field of the first worst part.
            let decisive = self.parts.iter().find(|(_, v, _)| *v == verdict).and_then(|(check, _, _)| field_of(check));
            if let Some(origin) = decisive.and_then(|field| planned.location(field)) {
                subject.origin = Some(origin.clone());
                subject.related = decisive.and_then(|field| planned.related(field)).cloned();
            }
        }
        Finding { subject, verdict, message: messages.join("; "), evidence: Value::Object(evidence) }
    }
}

/// The API field a part of a file-system check reads, for pointing at its line in code.
fn field_of(check: &str) -> Option<&'static str> {
    match check {
        "retention" => Some("AutomaticBackupRetentionDays"),
        "copy_tags_to_backups" => Some("CopyTagsToBackups"),
        "avoid_window" => Some("DailyAutomaticBackupStartTime"),
        _ => None,
    }
}

/// The `planned` block of a planned resource's evidence: its address, its ARN when known, and
/// which values were defaults or unknown.
pub fn planned_evidence(planned: &Planned) -> Value {
    let pairs = |list: &[(&str, String)]| -> Value {
        Value::Object(list.iter().map(|(k, v)| ((*k).to_string(), Value::String(v.clone()))).collect())
    };
    let mut block = serde_json::json!({
        "input": planned.input,
        "address": planned.address,
        "arn": planned.arn,
    });
    if let Value::Object(map) = &mut block {
        if !planned.defaulted.is_empty() {
            map.insert("defaults".into(), pairs(&planned.defaulted));
        }
        if !planned.unknown.is_empty() {
            map.insert("unknown_before_apply".into(), pairs(&planned.unknown));
        }
        if let Some(why) = &planned.region_unknown {
            map.insert("region_unknown".into(), Value::String(why.clone()));
        }
        if let Some(why) = &planned.account_unknown {
            map.insert("account_unknown".into(), Value::String(why.clone()));
        }
    }
    block
}
