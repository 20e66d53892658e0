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
    for (i, name) in select.regions.iter().flatten().enumerate() {
        if regions::lookup(name).is_none() {
            let problem = Problem::at(format!("{pointer}/regions/{i}"), format!("unknown region `{name}`"));
            problems.push(match regions::suggest(name) {
                Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                None => problem
                    .with_help("fsx-guard knows every public AWS Region; `fsx-guard validate` lists none by this name"),
            });
        }
    }
    problems
}
