//! The terminal's summary tables stay in line whatever the names' lengths.

mod common;
use common::{meshsim, ok};

/// Every row of the edges table ends its numeric columns where the header does, though the
/// client edge `uploaders→upload (uploaders-default)` is longer than the column's 32 characters.
#[test]
fn a_long_edge_name_widens_its_column_instead_of_shifting_its_row() {
    let out = ok(&meshsim(&["run", "cascade-protected", "--anatomy", "none"]));
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("edge (policy)"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        table
            .iter()
            .any(|l| l.starts_with("uploaders→upload (uploaders-default)")),
        "{out}"
    );
    // Where the `calls` and `failed` headings end, in characters.
    let end = |l: &str, word: &str| {
        l.find(word)
            .map(|b| l[..b].chars().count() + word.chars().count())
    };
    let calls = end(table[0], "calls").expect("a calls column");
    let failed = end(table[0], " failed").expect("a failed column");
    for row in &table[1..] {
        let cells: Vec<char> = row.chars().collect();
        for at in [calls, failed] {
            assert!(
                cells.get(at - 1).is_some_and(char::is_ascii_digit) && cells.get(at) == Some(&' '),
                "a number ends at column {at} in every row:\n{}",
                table.join("\n")
            );
        }
    }
}
