//! Waivers: accepted exceptions, each with a reason, an owner and an end date (SPEC §6).
//!
//! A waiver names a rule (id or glob) and a resource (ARN or address glob). A result it matches
//! keeps its verdict, is marked waived in every report and does not count towards the exit code.
//! It applies through its `expires` day (UTC); after that it is a warning, as is a waiver that
//! matched no result at all.

use serde_json::Value;

use crate::diag::Problem;
use crate::inventory::Timestamp;

/// One waiver, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    pub resource: String,
    pub reason: String,
    pub owner: String,
    /// `YYYY-MM-DD`; the waiver applies through that day (UTC).
    pub expires: String,
    /// The first instant it no longer applies: the day after `expires`, 00:00 UTC.
    pub ends: Timestamp,
    /// Index into `PolicySet::sources`.
    pub source: usize,
    /// JSON pointer of the waiver in its file (`/waivers/0`).
    pub pointer: String,
}

impl Waiver {
    /// Whether it still applies at `now`.
    pub fn active(&self, now: Timestamp) -> bool {
        now.0 < self.ends.0
    }

    pub fn matches(&self, rule_id: &str, resource: &str) -> bool {
        glob(&self.rule, rule_id) && glob(&self.resource, resource)
    }
}

/// Reads the `waivers` list of a document the schema found sound; a date that does not exist
/// (2027-02-30) is a problem at its line.
pub fn parse(document: &Value, source: usize) -> (Vec<Waiver>, Vec<Problem>) {
    let mut waivers = Vec::new();
    let mut problems = Vec::new();
    let list = document.get("waivers").and_then(Value::as_array);
    for (i, entry) in list.into_iter().flatten().enumerate() {
        let pointer = format!("/waivers/{i}");
        let field = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_string);
        let (Some(rule), Some(resource), Some(reason), Some(owner), Some(expires)) =
            (field("rule"), field("resource"), field("reason"), field("owner"), field("expires"))
        else {
            continue;
        };
        let Some(ends) = day_after(&expires) else {
            problems.push(
                Problem::at(format!("{pointer}/expires"), format!("`{expires}` is not a date"))
                    .with_help("write the last day the waiver applies as YYYY-MM-DD, e.g. 2027-01-31"),
            );
            continue;
        };
        waivers.push(Waiver { rule, resource, reason, owner, expires, ends, source, pointer });
    }
    (waivers, problems)
}

/// 00:00 UTC of the day after a `YYYY-MM-DD` date.
fn day_after(text: &str) -> Option<Timestamp> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text, &format).ok()?;
    let next = date.next_day()?;
    let seconds = next.midnight().assume_utc().unix_timestamp();
    Some(Timestamp(seconds.checked_mul(1000)?))
}

/// Whole-string glob: `*` any run of characters (`/` and `:` included), `?` exactly one; every
/// other character stands for itself. Linear backtracking over the last `*`, so no pattern can
/// take more than |pattern| × |text| steps; ASCII (ARNs, rule ids) is matched byte by byte
/// without allocating.
pub fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    if pattern.is_ascii() && text.is_ascii() {
        return glob_slice(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    glob_slice(&pattern, &text, '*', '?')
}

fn glob_slice<T: PartialEq + Copy>(pattern: &[T], text: &[T], star: T, one: T) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p).copied() {
            Some(c) if c == star => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(c) if c == one || Some(c) == text.get(t).copied() => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    last_star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).is_some_and(|rest| rest.iter().all(|c| *c == star))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_strings() {
        let table = [
            ("FSX-DR-*", "FSX-DR-1", true),
            ("FSX-DR-*", "FSX-DR-", true),
            ("FSX-DR-*", "XFSX-DR-1", false),
            ("FSX-DR-?", "FSX-DR-12", false),
            ("FSX-DR-??", "FSX-DR-12", true),
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            (
                "arn:aws:fsx:us-east-1:111122223333:file-system/fs-0123*",
                "arn:aws:fsx:us-east-1:111122223333:file-system/fs-0123456789abcdef0",
                true,
            ),
            ("arn:aws:fsx:*:file-system/fs-1", "arn:aws:fsx:us-east-1:111122223333:file-system/fs-1", true),
            ("arn:aws:fsx:*:file-system/fs-1", "arn:aws:fsx:us-east-1:111122223333:file-system/fs-12", false),
            ("*fs-1*", "arn:aws:fsx:us-east-1:1:file-system/fs-1x", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("module.*.aws_fsx_openzfs_file_system.main", "module.dr[0].aws_fsx_openzfs_file_system.main", true),
            ("[abc]", "a", false),
            ("[abc]", "[abc]", true),
            ("fsx-é?", "fsx-éx", true),
        ];
        for (pattern, text, expected) in table {
            assert_eq!(glob(pattern, text), expected, "{pattern} vs {text}");
        }
    }

    proptest::proptest! {
        /// The matcher agrees with the regular expression the glob stands for (`*` → `.*`, `?` →
        /// `.`, everything else literal, anchored at both ends), on ASCII and beyond.
        #[test]
        fn glob_agrees_with_its_regular_expression(
            pattern in "[ab*?:/é]{0,8}",
            text in "[ab:/é]{0,12}",
        ) {
            let mut expression = String::from("^");
            for c in pattern.chars() {
                match c {
                    '*' => expression.push_str("(?s:.*)"),
                    '?' => expression.push_str("(?s:.)"),
                    c => expression.push_str(&regex::escape(&c.to_string())),
                }
            }
            expression.push('$');
            let expected = regex::Regex::new(&expression).unwrap().is_match(&text);
            proptest::prop_assert_eq!(glob(&pattern, &text), expected, "{} vs {}", pattern, text);
        }
    }

    #[test]
    fn a_hostile_pattern_stays_linear() {
        let pattern = "*a".repeat(500) + "b";
        let text = "a".repeat(20_000);
        let started = std::time::Instant::now();
        assert!(!glob(&pattern, &text));
        assert!(started.elapsed().as_secs() < 5);
    }

    #[test]
    fn expiry_is_inclusive_of_the_day() {
        let ends = day_after("2027-01-31").unwrap();
        let at = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let waiver = Waiver {
            rule: "*".into(),
            resource: "*".into(),
            reason: "r".into(),
            owner: "o".into(),
            expires: "2027-01-31".into(),
            ends,
            source: 0,
            pointer: "/waivers/0".into(),
        };
        assert!(waiver.active(at("2027-01-31T23:59:59Z")));
        assert!(!waiver.active(at("2027-02-01T00:00:00Z")));
        assert!(day_after("2027-02-30").is_none());
        assert!(day_after("2027-1-3").is_none());
        assert!(day_after("9999-12-31").is_none(), "past the last date time knows");
    }
}
