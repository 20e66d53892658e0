//! The README's rule section is generated from the rule docs; this test keeps it fresh
//! (`UPDATE_README=1 cargo test --test readme` rewrites it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn readme_rule_section_is_generated_from_the_docs() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme.find(START).expect("rules:start marker") + START.len();
    let end = readme.find(END).expect("rules:end marker");
    let generated = fsx_guard::report::readme_rules_section();
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], generated, &readme[end..]);
        std::fs::write("README.md", updated).unwrap();
        return;
    }
    assert!(
        readme[start..end] == generated,
        "README.md rule section is stale: run `UPDATE_README=1 cargo test --test readme`"
    );
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let first_block = readme.split("```sh\n").nth(1).unwrap().split("```").next().unwrap();
    let lines: Vec<&str> = first_block.lines().collect();
    assert_eq!(lines, ["cargo run --release -- check --inventory examples/inventory.json", "cargo test --locked"]);
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    assert!(ci.contains(lines[1]), ".ci/run runs the README's test command");
}
