//! Wildcard matching as IAM does it.
//!
//! - Actions (`Action`, `NotAction`): case-insensitive, `*` is any run of characters, `?` any one.
//! - Resources (`Resource`, `NotResource`, `Arn*` conditions): case-sensitive, wildcards work
//!   within the colon-separated segments of an ARN, except that a `*` that ends a segment (or the
//!   pattern) may also run across colons (IAM User Guide, "IAM JSON policy elements: Resource",
//!   "Using wildcards in resource ARNs"). `Resource: "*"` matches everything.
//! - `StringLike`: case-sensitive, `*` and `?` over the whole value.

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `?`: one character (not a colon, when `segmented`).
    One,
    /// `*`: any run (not crossing a colon unless `crosses`).
    Any {
        crosses: bool,
    },
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    ignore_case: bool,
    segmented: bool,
}

impl Pattern {
    fn compile(text: &str, ignore_case: bool, segmented: bool) -> Pattern {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        for (i, c) in chars.iter().enumerate() {
            tokens.push(match c {
                '*' => {
                    let next = chars.get(i + 1);
                    Token::Any { crosses: !segmented || matches!(next, None | Some(':')) }
                }
                '?' => Token::One,
                c if ignore_case => Token::Literal(c.to_ascii_lowercase()),
                c => Token::Literal(*c),
            });
        }
        Pattern { tokens, ignore_case, segmented }
    }

    /// An `Action`/`NotAction` pattern.
    pub fn action(text: &str) -> Pattern {
        Pattern::compile(text, true, false)
    }

    /// A `Resource`/`NotResource` or `Arn*` condition pattern.
    pub fn resource(text: &str) -> Pattern {
        Pattern::compile(text, false, true)
    }

    /// A `StringLike` pattern.
    pub fn string(text: &str) -> Pattern {
        Pattern::compile(text, false, false)
    }

    /// Whether the pattern is `*` alone.
    pub fn is_any(&self) -> bool {
        matches!(self.tokens.as_slice(), [Token::Any { .. }])
    }

    /// Matches `text`: literal patterns by comparison, `*` alone at once, the rest by dynamic
    /// programming over (token, position) with two reused rows (linear in tokens × text, never
    /// exponential, two allocations per call).
    pub fn matches(&self, text: &str) -> bool {
        if self.is_any() {
            return true;
        }
        if self.tokens.iter().all(|t| matches!(t, Token::Literal(_))) {
            let mut chars = text.chars();
            for token in &self.tokens {
                let (Token::Literal(want), Some(got)) = (token, chars.next()) else { return false };
                let got = if self.ignore_case { got.to_ascii_lowercase() } else { got };
                if *want != got {
                    return false;
                }
            }
            return chars.next().is_none();
        }
        let text: Vec<char> = if self.ignore_case {
            text.chars().map(|c| c.to_ascii_lowercase()).collect()
        } else {
            text.chars().collect()
        };
        // reachable[p]: the tokens so far can consume exactly text[..p].
        let mut reachable = vec![false; text.len() + 1];
        let mut next = vec![false; text.len() + 1];
        if let Some(first) = reachable.first_mut() {
            *first = true;
        }
        for token in &self.tokens {
            next.iter_mut().for_each(|slot| *slot = false);
            match token {
                Token::Literal(c) => {
                    for (p, ch) in text.iter().enumerate() {
                        if ch == c
                            && reachable.get(p).copied().unwrap_or(false)
                            && let Some(slot) = next.get_mut(p + 1)
                        {
                            *slot = true;
                        }
                    }
                }
                Token::One => {
                    for (p, ch) in text.iter().enumerate() {
                        let ok = !self.segmented || *ch != ':';
                        if ok
                            && reachable.get(p).copied().unwrap_or(false)
                            && let Some(slot) = next.get_mut(p + 1)
                        {
                            *slot = true;
                        }
                    }
                }
                Token::Any { crosses } => {
                    let mut on = false;
                    for p in 0..=text.len() {
                        if reachable.get(p).copied().unwrap_or(false) {
                            on = true;
                        }
                        if let Some(slot) = next.get_mut(p) {
                            *slot = on;
                        }
                        // A segment-bound `*` stops at a colon.
                        if !crosses && text.get(p) == Some(&':') {
                            on = false;
                        }
                    }
                }
            }
            std::mem::swap(&mut reachable, &mut next);
            if !reachable.iter().any(|r| *r) {
                return false;
            }
        }
        reachable.last().copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    // IAM User Guide, "IAM JSON policy elements: Action": case-insensitive, wildcards.
    #[rstest]
    #[case("fsx:CopyBackup", "fsx:CopyBackup", true)]
    #[case("FSX:copybackup", "fsx:CopyBackup", true)]
    #[case("fsx:*", "fsx:DeleteBackup", true)]
    #[case("fsx:*Backup", "fsx:DeleteBackup", true)]
    #[case("fsx:*Backups", "fsx:DeleteBackup", false)]
    #[case("fsx:Delete?ackup", "fsx:DeleteBackup", true)]
    #[case("fsx:Copy*", "fsx:CreateFileSystemFromBackup", false)]
    #[case("*", "fsx:TagResource", true)]
    #[case("s3:*", "fsx:CopyBackup", false)]
    fn actions(#[case] pattern: &str, #[case] action: &str, #[case] matches: bool) {
        assert_eq!(Pattern::action(pattern).matches(action), matches);
    }

    // IAM User Guide, "IAM JSON policy elements: Resource", "Using wildcards in resource ARNs".
    #[rstest]
    #[case("*", "arn:aws:fsx:us-east-1:111122223333:backup/backup-0123456789abcdef0", true)]
    #[case("arn:aws:fsx:*:111122223333:backup/*", "arn:aws:fsx:us-east-1:111122223333:backup/backup-1", true)]
    #[case(
        "arn:aws:fsx:us-east-1:111122223333:backup/backup-?",
        "arn:aws:fsx:us-east-1:111122223333:backup/backup-1",
        true
    )]
    #[case(
        "arn:aws:fsx:us-east-1:111122223333:backup/backup-?",
        "arn:aws:fsx:us-east-1:111122223333:backup/backup-12",
        false
    )]
    #[case("arn:aws:fsx:us-east-1:*", "arn:aws:fsx:us-east-1:111122223333:backup/backup-1", true)]
    #[case("arn:aws:fsx:us-*-1:111122223333:backup/*", "arn:aws:fsx:us-east-1:111122223333:backup/b", true)]
    // A `*` inside a segment does not run across a colon.
    #[case("arn:aws:fsx:us-*1:backup/*", "arn:aws:fsx:us-east-1:111122223333:backup/b", false)]
    #[case("arn:aws:fsx:us-east-1:111122223333:BACKUP/*", "arn:aws:fsx:us-east-1:111122223333:backup/b", false)]
    #[case("arn:aws:fsx:us-east-1:111122223333:file-system/*", "arn:aws:fsx:us-east-1:111122223333:backup/b", false)]
    #[case("arn:aws:fsx:*:*:*", "arn:aws:fsx:eu-west-1:444455556666:backup/backup-9", true)]
    fn resources(#[case] pattern: &str, #[case] arn: &str, #[case] matches: bool) {
        assert_eq!(Pattern::resource(pattern).matches(arn), matches);
    }
}
