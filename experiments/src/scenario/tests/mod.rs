//! Tests of the scenario loader: the cascade example, every error class with its location,
//! overrides, the hash, and robustness against mutated input.

mod cascade;
mod errors;
mod full;
mod fuzz;
mod hash;
mod hostile;
mod overrides;
mod traps;

use super::{Loaded, Override, ScenarioError, Source, load};

/// The cascade scenario, adapted to the schema.
pub(super) const CASCADE: &str = include_str!("../../../tests/fixtures/cascade.toml");

/// The scenario reference, whose examples must load.
pub(super) const DOCS: &str = include_str!("../../../../docs/scenarios.md");

/// A small valid scenario that the error tests break one line at a time.
pub(super) const BASE: &str = r#"name = "t"
duration = "60s"

[[clients]]
name = "c"
target = "a"
load = { kind = "open", rate = 10 }

[[services]]
name = "a"
slots = 4
steps = [ { work = "1ms" }, { call = "b" } ]

[[services]]
name = "b"
slots = 4
steps = [ { work = "2ms" } ]
"#;

/// 1-based line and column of `needle` inside `context`, which must occur exactly once in `text`
/// (the position a located error must name; the sweep tests use it too).
#[track_caller]
pub(crate) fn at(text: &str, context: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(context).count(),
        1,
        "{context:?} must occur once in:\n{text}"
    );
    let inner = context
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {context:?}"));
    let offset = text.find(context).unwrap() + inner;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..].chars().count() + 1;
    (line, column)
}

pub(super) fn load_text(text: &str) -> Result<Loaded, ScenarioError> {
    load(&Source::new("test.toml", text), &[])
}

pub(super) fn load_with(text: &str, sets: &[&str]) -> Result<Loaded, ScenarioError> {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    load(&Source::new("test.toml", text), &overrides)
}

#[test]
fn the_examples_in_the_docs_load() {
    let mut blocks = 0;
    let mut rest = DOCS;
    while let Some(start) = rest.find("```toml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("closed block");
        let block = &body[..end];
        rest = &body[end + 3..];
        if block.starts_with("name = ") {
            blocks += 1;
            if let Err(e) = load_text(block) {
                panic!("docs example #{blocks} does not load:\n{e}\n---\n{block}");
            }
        }
    }
    assert!(
        blocks >= 2,
        "found {blocks} complete examples in docs/scenarios.md"
    );
}

#[test]
fn the_cascade_example_in_the_docs_is_the_fixture() {
    let fixture_body: String = CASCADE
        .lines()
        .skip_while(|l| !l.starts_with("name = "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        DOCS.contains(&fixture_body),
        "docs/scenarios.md must include experiments/tests/fixtures/cascade.toml"
    );
}

/// Edge names are unique in outputs: a caller that calls one callee under two policies gets
/// the policy in each name.
#[test]
fn edge_names_are_unique() {
    let text = BASE.replace(
        r#"steps = [ { work = "1ms" }, { call = "b" } ]"#,
        r#"steps = [ { work = "1ms" }, { call = "b" }, { call = "b", policy = "p" } ]"#,
    ) + "\n[policies.p]\nretry = { max_attempts = 2 }\n";
    let s = load_text(&text).unwrap().scenario;
    let names: Vec<String> = (0..s.edges.len())
        .map(|i| s.edge_name(models::ids::EdgeIdx(i as u32)))
        .collect();
    assert_eq!(names, ["c→a", "a→b[default]", "a→b[p]"]);
}
