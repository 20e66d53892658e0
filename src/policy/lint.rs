//! Checks a schema cannot express: Regions that exist, and ids unique across files.

use super::Select;
use crate::diag::Problem;
use crate::regions;

/// Problems in a rule's `select`, which sits at `pointer`. `quoted` tells whether the scalar at
/// a pointer was written in quotes.
pub fn select(select: &Select, pointer: &str, quoted: &dyn Fn(&str) -> bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, account) in select.accounts.iter().flatten().enumerate() {
        let at = format!("{pointer}/accounts/{i}");
        if !quoted(&at) {
            problems.push(Problem::at(at, format!("account id `{account}` is not quoted")).with_help(format!(
                "quote it: \"{account}\"; YAML 1.1 tools read unquoted 011122223333 as an octal number"
            )));
        }
    }
    problems
}

/// Region names that fsx-guard's table does not know: an error with "did you mean" when a known
/// Region is close (a typo would otherwise select nothing and pass), a warning when none is (a
/// Region newer than this build), and nothing when the file lists the name under `new_regions`
/// (named on purpose). Returns (problems, warnings).
pub fn unknown_regions(
    named: &[(String, String, bool)],
    new_regions: &std::collections::BTreeSet<String>,
) -> (Vec<Problem>, Vec<Problem>) {
    let (mut problems, mut warnings) = (Vec::new(), Vec::new());
    for (pointer, name, on_key) in named {
        if regions::lookup(name).is_some() || new_regions.contains(name) || !regions::is_region_shaped(name) {
            continue;
        }
        let mark = |p: Problem| if *on_key { p.on_key() } else { p };
        match regions::near(name) {
            Some(near) => problems.push(mark(
                Problem::at(pointer.clone(), format!("unknown region `{name}`")).with_help(format!(
                    "did you mean `{near}`? If `{name}` is a Region newer than fsx-guard's table, list it under `new_regions:` at the top of the policy file"
                )),
            )),
            None => warnings.push(mark(
                Problem::at(pointer.clone(), format!("region `{name}` is not in fsx-guard's Region table"))
                    .with_help("checked as named; facts about it (partition group, opt-in) are unknown. List it under `new_regions:` to say it is on purpose"),
            )),
        }
    }
    (problems, warnings)
}
