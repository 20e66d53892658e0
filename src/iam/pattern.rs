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

    /// Matches `text`: `*` alone at once, a literal prefix and a final `*` by comparison, ARNs
    /// and actions by a bitwise dynamic programme, the rest by [`Pattern::matches_general`]
    /// (linear in tokens × text, never exponential).
    pub fn matches(&self, text: &str) -> bool {
        if self.is_any() {
            return true;
        }
        // `fsx:Describe*`, `arn:aws:fsx:us-east-1:111122223333:backup/*`: a literal prefix.
        if let [prefix @ .., Token::Any { crosses: true }] = self.tokens.as_slice()
            && prefix.iter().all(|t| matches!(t, Token::Literal(_)))
        {
            return self.starts_with_literals(prefix, &mut text.chars());
        }
        if text.is_ascii() && text.len() < 128 {
            return self.matches_ascii(text.as_bytes());
        }
        self.matches_general(text)
    }

    /// [`Pattern::matches`] for ASCII text shorter than 128 bytes (every ARN and action): the same
    /// dynamic programming with the reachable positions as the bits of one `u128`, without
    /// allocating. Property-tested to agree with [`Pattern::matches_general`].
    fn matches_ascii(&self, text: &[u8]) -> bool {
        let len = text.len();
        // Positions 0..=len.
        let all: u128 = if len + 1 >= 128 { u128::MAX } else { (1u128 << (len + 1)) - 1 };
        let fold = |b: u8| if self.ignore_case { b.to_ascii_lowercase() } else { b };
        // From each reachable position before the end, one byte that `accepts`.
        let step = |reachable: u128, accepts: &dyn Fn(u8) -> bool| -> u128 {
            let mut next = 0u128;
            let mut bits = reachable;
            while bits != 0 {
                let p = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if text.get(p).is_some_and(|b| accepts(fold(*b))) {
                    next |= 1u128 << (p + 1);
                }
            }
            next
        };
        let mut reachable: u128 = 1;
        for token in &self.tokens {
            reachable = match token {
                Token::Literal(c) => {
                    let Ok(c) = u8::try_from(*c) else { return false };
                    step(reachable, &|b| b == c)
                }
                Token::One => step(reachable, &|b| !self.segmented || b != b':'),
                Token::Any { crosses: true } => {
                    let lowest = reachable & reachable.wrapping_neg();
                    if lowest == 0 { 0 } else { !(lowest - 1) & all }
                }
                Token::Any { crosses: false } => {
                    let mut next = 0u128;
                    let mut on = false;
                    for p in 0..=len {
                        on |= reachable & (1u128 << p) != 0;
                        if on {
                            next |= 1u128 << p;
                        }
                        if text.get(p) == Some(&b':') {
                            on = false;
                        }
                    }
                    next
                }
            } & all;
            if reachable == 0 {
                return false;
            }
        }
        reachable & (1u128 << len) != 0
    }

    /// Whether `chars` begin with `literals` (all `Token::Literal`), case folded as the pattern
    /// is; consumes what it compares.
    fn starts_with_literals(&self, literals: &[Token], chars: &mut std::str::Chars<'_>) -> bool {
        literals.iter().all(|token| match (token, chars.next()) {
            (Token::Literal(want), Some(got)) => *want == if self.ignore_case { got.to_ascii_lowercase() } else { got },
            _ => false,
        })
    }

    /// Any text: literal patterns by comparison, the rest by dynamic programming over (token,
    /// position) with two reused rows.
    fn matches_general(&self, text: &str) -> bool {
        if self.tokens.iter().all(|t| matches!(t, Token::Literal(_))) {
            let mut chars = text.chars();
            return self.starts_with_literals(&self.tokens, &mut chars) && chars.next().is_none();
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The fast paths (literal prefix, bitwise ASCII) agree with the general matcher for
        /// every kind of pattern, on texts with colons, case differences and lengths around 127.
        #[test]
        fn fast_paths_agree_with_the_general_matcher(
            pattern in "[aAb:*?]{0,12}",
            text in "[aAb:]{0,10}",
            pad in 0usize..130,
        ) {
            let text = format!("{}{text}", "a".repeat(if pad > 110 { pad } else { 0 }));
            for compiled in [Pattern::action(&pattern), Pattern::resource(&pattern), Pattern::string(&pattern)] {
                proptest::prop_assert_eq!(
                    compiled.matches(&text),
                    compiled.matches_general(&text),
                    "{:?} on {:?}", pattern, text
                );
            }
        }
    }
}
