//! Whole output trees compared file by file, with the library's own walker and comparison
//! ([`experiments::determinism`]).

use std::collections::BTreeMap;
use std::path::Path;

use experiments::determinism::{SweepVerdict, compare_trees};

/// Every file under `dir` with its bytes, by relative path with `/` separators.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let files =
        experiments::determinism::tree(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    files.into_iter().collect()
}

/// Asserts that `a` and `b` hold the same files with the same bytes, naming the first file that
/// differs (and its first differing line, 0 when a file is missing or binary).
#[track_caller]
pub fn assert_same_tree(a: &Path, b: &Path) {
    let read = |d: &Path| {
        experiments::determinism::tree(d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()))
    };
    if let SweepVerdict::Diverges { file, line } = compare_trees(&read(a), &read(b)) {
        panic!(
            "{file} differs (line {line}) between {} and {}",
            a.display(),
            b.display()
        );
    }
}
