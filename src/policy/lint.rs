//! Checks a schema cannot express: Regions that exist, and ids unique across files.

use super::Select;
use crate::diag::Problem;
use crate::regions;

/// Problems in a rule's `select`, which sits at `pointer`.
pub fn select(select: &Select, pointer: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, name) in select.regions.iter().flatten().enumerate() {
        if regions::lookup(name).is_none() {
            let problem = Problem::at(format!("{pointer}/regions/{i}"), format!("unknown region `{name}`"));
            problems.push(match regions::suggest(name) {
                Some(near) => problem.with_help(format!("did you mean `{near}`?")),
                None => problem.with_help("fsx-guard knows every public AWS Region; `fsx-guard validate` lists none by this name"),
            });
        }
    }
    problems
}
