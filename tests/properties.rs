//! Property tests: the loaders never panic on any input (a stable-toolchain stand-in for fuzzing),
//! and the small algebras (time windows, positions, wildcard-free selection) agree with naive
//! reference implementations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::{Arc, LazyLock};

use fsx_guard::iam::pattern::Pattern;
use fsx_guard::inventory::{SourceFormat, source};
use fsx_guard::policy;
use fsx_guard::rules::backup_retention::{TimeOfDay, Window};
use fsx_guard::span;
use proptest::prelude::*;

static EXAMPLE: LazyLock<String> = LazyLock::new(|| std::fs::read_to_string("examples/inventory.json").unwrap());
static BASELINE: LazyLock<String> = LazyLock::new(|| std::fs::read_to_string("policies/baseline.yaml").unwrap());

fn load_inventory(text: String, format: SourceFormat) {
    let _ = source::load_texts(vec![("fuzz".into(), Arc::new(text), format)]);
}

fn load_policy(text: String) {
    let _ = policy::load_sources(vec![("fuzz.yaml".into(), Arc::new(text), false)]);
}

/// Cuts `text` at two char boundaries and splices `insert` between the parts.
fn mutate(text: &str, a: usize, b: usize, insert: &str) -> String {
    let mut a = a % (text.len() + 1);
    let mut b = b % (text.len() + 1);
    if a > b {
        std::mem::swap(&mut a, &mut b);
    }
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    format!("{}{}{}", &text[..a], insert, &text[b..])
}

/// The naive reference: translate to a regular expression. Resource patterns: a `*` that ends a
/// segment (before `:` or at the end) may cross colons, any other `*` and `?` stay in their segment.
fn reference(pattern: &str, text: &str, ignore_case: bool, segmented: bool) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    for (i, c) in chars.iter().enumerate() {
        match c {
            '*' if !segmented || matches!(chars.get(i + 1), None | Some(':')) => re.push_str("(?s:.*)"),
            '*' => re.push_str("[^:]*"),
            '?' if segmented => re.push_str("[^:]"),
            '?' => re.push_str("(?s:.)"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::RegexBuilder::new(&re).case_insensitive(ignore_case).build().unwrap().is_match(text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn inventory_loader_survives_arbitrary_text(text in ".{0,400}") {
        load_inventory(text.clone(), SourceFormat::Json);
        load_inventory(text, SourceFormat::Yaml);
    }

    #[test]
    fn inventory_loader_survives_mutated_inventories(a in any::<usize>(), b in any::<usize>(), insert in "[\\[\\]{}\":,0-9a-zA-Z -]{0,12}") {
        load_inventory(mutate(&EXAMPLE, a, b, &insert), SourceFormat::Json);
    }

    #[test]
    fn policy_loader_survives_mutated_policies(a in any::<usize>(), b in any::<usize>(), insert in "[\\[\\]{}\":,&*!|>\\n -]{0,12}|[a-z_]{0,10}") {
        load_policy(mutate(&BASELINE, a, b, &insert));
    }

    #[test]
    fn policy_loader_survives_arbitrary_text(text in "(.|\\n){0,300}") {
        load_policy(text);
    }

    #[test]
    fn window_matches_a_minute_by_minute_reference(start in 0u16..1440, end in 0u16..1440, at in 0u16..1440) {
        prop_assume!(start != end);
        let window = Window { start: TimeOfDay(start), end: TimeOfDay(end) };
        // Reference: walk forward from start, minute by minute, until end.
        let mut inside = false;
        let mut t = start;
        while t != end {
            if t == at {
                inside = true;
            }
            t = (t + 1) % 1440;
        }
        prop_assert_eq!(window.contains(TimeOfDay(at)), inside);
    }

    #[test]
    fn many_positions_agree_with_one_at_a_time(text in "(.|\\n){0,200}", offsets in proptest::collection::vec(0usize..250, 0..20)) {
        let many = span::line_cols(&text, &offsets);
        for offset in offsets {
            let mut clamped = offset.min(text.len());
            while !text.is_char_boundary(clamped) {
                clamped -= 1;
            }
            prop_assert_eq!(many.get(&clamped).copied(), Some(span::line_col(&text, offset)));
        }
    }

    #[test]
    fn resource_wildcards_match_the_reference(pattern in "[a:*?b/-]{0,12}", text in "[a:b/-]{0,12}") {
        prop_assert_eq!(Pattern::resource(&pattern).matches(&text), reference(&pattern, &text, false, true));
    }

    #[test]
    fn action_wildcards_match_the_reference(pattern in "[aAbB:*?]{0,10}", text in "[aAbB:]{0,10}") {
        prop_assert_eq!(Pattern::action(&pattern).matches(&text), reference(&pattern, &text, true, false));
    }

    #[test]
    fn realistic_arns_match_the_reference(
        region in "(us-east-1|us-west-2|\\*|us-\\*)",
        account in "(111122223333|\\*|1111\\?2223333)",
        id in "(backup/\\*|backup/backup-0\\?|\\*|file-system/\\*|backup/backup-01)",
        target in "backup/backup-0[0-9]",
    ) {
        let pattern = format!("arn:aws:fsx:{region}:{account}:{id}");
        let arn = format!("arn:aws:fsx:us-east-1:111122223333:{target}");
        prop_assert_eq!(Pattern::resource(&pattern).matches(&arn), reference(&pattern, &arn, false, true));
    }

    #[test]
    fn pointer_resolution_survives_arbitrary_text(text in "[\\[\\]{}\":,a-z0-9 ]{0,200}", pointer in "(/[a-z0-9]{0,3}){0,4}") {
        let _ = span::resolve_json_pointers(&text, &[pointer.as_str()]);
    }
}
