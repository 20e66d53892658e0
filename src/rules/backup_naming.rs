//! `backup-naming`: backups carry a `Name` tag that AWS accepts and that follows the site's
//! pattern.

use regex::Regex;
use serde::Deserialize;
use serde_json::json;

use super::RuleContext;
use crate::diag::Problem;
use crate::finding::{Finding, Parts, Subject, Verdict};
use crate::inventory::model::BackupType;
use crate::inventory::{Collected, FileSystem};

pub const DOC: &str = r#"## What it does
Checks the `Name` tag of each backup of the selected file systems: present when required, within the limits of the API's `TagValue` (at most 256 Unicode characters of letters (`\p{L}`), separators such as spaces (`\p{Z}`: not tabs or newlines), numbers (`\p{N}`) and `_ . : / = + - @`), and matching `pattern` as a whole.

## Why is this bad?
User-initiated backups are taken before risky changes and kept by hand; without a meaningful name nobody knows, months later, which one to restore or whether it can be deleted. A name AWS would refuse breaks scripts that copy or tag backups.

## Example
```yaml
- id: FSX-NAME-1
  kind: backup-naming
  params:
    types: [USER_INITIATED]
    pattern: "(pre|post)-change-[0-9]{8}-.+"
```
Use instead: `aws fsx create-backup --file-system-id fs-... --tags Key=Name,Value=pre-change-20261125-kernel-upgrade`.

Parameters: `types` (default `[USER_INITIATED]`), `require_name` (default true), `pattern` (optional, Rust `regex` syntax, must match the whole name).

## Verdicts
- `fail`: no `Name` tag, or an empty one, while one is required; a name longer than 256 characters or with a character outside AWS's set; a name that does not match `pattern`.
- `pass`: otherwise (an unnamed backup passes when names are not required).
- `error`: the backups of the file system's Region were not collected (one result for the file system); a backup that could not be read might be one of the file system's (one result for it).
One result per backup of the selected file systems with one of `types` (the file system's own backups in its own Region; copies are not included). Backups created after `--now` are ignored.

Planned file systems (infrastructure code) are `not_applicable`: they have no backups before they are deployed.

## References
- [FSx for OpenZFS: tagging resources](https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/tag-resources.html)
- [Tag restrictions](https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html)
- [Amazon FSx API Reference: Tag (`Value`: pattern `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`, 0 to 256 characters)](https://docs.aws.amazon.com/fsx/latest/APIReference/API_Tag.html)
"#;

/// AWS's limit on a tag value, in Unicode characters.
pub const MAX_NAME_CHARS: usize = 256;

#[derive(Debug, Clone)]
pub struct Params {
    pub types: Vec<BackupType>,
    pub require_name: bool,
    pub pattern: Option<Regex>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    types: Option<Vec<String>>,
    #[serde(default = "yes")]
    require_name: bool,
    pattern: Option<String>,
}

fn yes() -> bool {
    true
}

impl Params {
    pub fn parse(value: &serde_json::Value, pointer: &str) -> Result<Params, Vec<Problem>> {
        let raw: RawParams = super::typed(value, pointer)?;
        let pattern = match raw.pattern {
            None => None,
            Some(text) => match regex::RegexBuilder::new(&format!("^(?:{text})$"))
                .size_limit(1 << 20)
                .dfa_size_limit(1 << 20)
                .build()
            {
                Ok(re) => Some(re),
                Err(e) => {
                    let reason = e.to_string().lines().last().unwrap_or("invalid").trim().to_string();
                    return Err(vec![
                        Problem::at(
                            format!("{pointer}/pattern"),
                            format!("`pattern` is not a valid regular expression: {reason}"),
                        )
                        .with_help("patterns use Rust `regex` syntax (no look-around or back-references)"),
                    ]);
                }
            },
        };
        Ok(Params {
            types: raw.types.map_or_else(|| vec![BackupType::UserInitiated], |t| super::parse_backup_types(&t)),
            require_name: raw.require_name,
            pattern,
        })
    }
}

/// One character the FSx API accepts in a tag value (`TagValue` in the API model:
/// `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`): a letter, a separator (not a tab or newline, which are
/// control characters), a number, or one of `_ . : / = + - @`.
fn tag_value_char() -> &'static Regex {
    static CHAR: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    CHAR.get_or_init(|| {
        #[expect(clippy::expect_used, reason = "a constant pattern, covered by tests")]
        Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]$").expect("the TagValue pattern compiles")
    })
}

fn bad_characters(name: &str) -> Vec<char> {
    let pattern = tag_value_char();
    let mut buffer = [0u8; 4];
    let mut bad: Vec<char> = name.chars().filter(|c| !pattern.is_match(c.encode_utf8(&mut buffer))).collect();
    bad.sort_unstable();
    bad.dedup();
    bad
}

/// Why a name fails, or `None`.
pub fn check_name(params: &Params, name: Option<&str>) -> Option<String> {
    let Some(name) = name else {
        return params.require_name.then(|| "the backup has no `Name` tag".to_string());
    };
    if name.is_empty() && params.require_name {
        return Some("the backup's `Name` tag is empty".to_string());
    }
    let chars = name.chars().count();
    let mut reasons = Vec::new();
    if chars > MAX_NAME_CHARS {
        reasons.push(format!("the name is {chars} characters long, more than AWS's {MAX_NAME_CHARS}"));
    }
    let bad = bad_characters(name);
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().map(|c| format!("`{}`", c.escape_default())).collect();
        reasons.push(format!("the name contains {} which AWS does not accept", shown.join(", ")));
    }
    if let Some(pattern) = &params.pattern
        && !pattern.is_match(name)
    {
        let shown =
            pattern.as_str().strip_prefix("^(?:").and_then(|p| p.strip_suffix(")$")).unwrap_or(pattern.as_str());
        reasons.push(format!("the name does not match `{shown}`"));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

pub fn evaluate(params: &Params, fs: &FileSystem, context: &RuleContext<'_, '_>, out: &mut Vec<Finding>) {
    if let Some(reason) = super::planned(fs) {
        let mut parts = Parts::new();
        parts.add("naming", Verdict::NotApplicable, reason);
        out.push(parts.finish(fs, json!({})));
        return;
    }
    if let Some(Collected::No(reason)) = context.account(&fs.account).map(|a| a.backups_in(fs.region)) {
        out.push(Finding {
            subject: Subject::file_system(fs),
            verdict: Verdict::Error,
            message: format!("could not evaluate: {reason}"),
            evidence: json!({}),
        });
        return;
    }
    if let Some(unreadable) = context.account(&fs.account).and_then(|a| a.unreadable_backup(fs.region, &fs.id)) {
        // Its name cannot be judged: one `error` for it, on the file system when its ARN is unknown.
        let mut subject = Subject::file_system(fs);
        if let Some(arn) = unreadable.resource.as_ref().filter(|r| r.starts_with("arn:")) {
            subject.id = arn.clone();
            subject.resource_type = crate::finding::ResourceType::Backup;
        }
        subject.origin = Some(unreadable.origin.clone());
        out.push(Finding {
            subject,
            verdict: Verdict::Error,
            message: format!("could not evaluate: {}", unreadable.describe(&context.index.inventory.sources)),
            evidence: json!({"file_system": fs.arn}),
        });
    }
    for backup in context.index.backups_of(fs).iter().filter(|b| params.types.contains(&b.backup_type)) {
        let name = backup.name();
        let evidence = json!({
            "name": name,
            "name_characters": name.map(|n| n.chars().count()),
            "type": backup.backup_type.as_str(),
            "file_system": fs.arn,
        });
        let (verdict, message) = match check_name(params, name) {
            Some(reason) => (Verdict::Fail, reason),
            None => match name {
                Some(name) => (Verdict::Pass, format!("named `{name}`")),
                None => (Verdict::Pass, "unnamed; names are not required".to_string()),
            },
        };
        out.push(Finding { subject: Subject::backup(backup), verdict, message, evidence });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn params(require: bool, pattern: Option<&str>) -> Params {
        Params::parse(&json!({"require_name": require, "pattern": pattern}), "/p").unwrap()
    }

    #[rstest]
    #[case::plain(true, None, Some("pre-change 2026/11/25 kernel:upgrade"), true)]
    #[case::missing_required(true, None, None, false)]
    #[case::missing_optional(false, None, None, true)]
    #[case::empty_name(true, Some(".+"), Some(""), false)]
    #[case::at_sign_is_in_the_api_pattern(true, None, Some("ops@example"), true)]
    #[case::empty_name_does_not_satisfy_require_name(true, None, Some(""), false)]
    #[case::empty_name_passes_when_not_required(false, None, Some(""), true)]
    #[case::newline_is_not_a_separator(true, None, Some("a\nb"), false)]
    #[case::no_break_space_is_a_separator(true, None, Some("a\u{a0}b"), true)]
    #[case::combining_mark_is_not_a_letter(true, None, Some("e\u{301}"), false)]
    #[case::unicode_letters(true, None, Some("sauvegarde-été-日本"), true)]
    #[case::pattern_whole(true, Some("pre-[0-9]+"), Some("pre-123"), true)]
    #[case::pattern_partial_is_not_enough(true, Some("pre-[0-9]+"), Some("xpre-123"), false)]
    #[case::pattern_alternation_anchored(true, Some("a|b"), Some("ab"), false)]
    #[case::tab_is_a_control_character(true, None, Some("a\tb"), false)]
    #[case::emoji(true, None, Some("backup 🚀"), false)]
    fn names(#[case] require: bool, #[case] pattern: Option<&str>, #[case] name: Option<&str>, #[case] ok: bool) {
        let result = check_name(&params(require, pattern), name);
        assert_eq!(result.is_none(), ok, "{result:?}");
    }

    #[rstest]
    #[case::multibyte_256_chars("é", 256, true)]
    #[case::ascii_256("a", 256, true)]
    #[case::ascii_257("a", 257, false)]
    #[case::ascii_300("b", 300, false)]
    #[case::cjk_257("日", 257, false)]
    fn lengths_count_characters_not_bytes(#[case] unit: &str, #[case] count: usize, #[case] ok: bool) {
        let name = unit.repeat(count);
        assert_eq!(check_name(&params(true, None), Some(&name)).is_none(), ok);
    }

    #[test]
    fn bad_patterns_are_policy_errors() {
        assert!(Params::parse(&json!({"pattern": "(unclosed"}), "/p").is_err());
        assert!(Params::parse(&json!({"pattern": "(?=look)"}), "/p").is_err());
        assert!(Params::parse(&json!({"pattern": "a{1000}{1000}{1000}"}), "/p").is_err());
    }
}
