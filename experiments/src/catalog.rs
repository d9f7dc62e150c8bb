//! The builtin catalog: scenario files embedded in the binary. `meshsim list` lists them,
//! `meshsim show NAME` prints one to copy and edit, `meshsim run NAME` runs it. Each is
//! documented in `docs/catalog.md`.

use std::path::Path;

use crate::input::{self, InputError};
use crate::scenario::Source;

/// A builtin scenario.
pub struct Builtin {
    /// Name, as given to `meshsim run`.
    pub name: &'static str,
    /// The scenario file.
    pub text: &'static str,
}

macro_rules! builtin {
    ($name:literal) => {
        Builtin {
            name: $name,
            text: include_str!(concat!("../catalog/", $name, ".toml")),
        }
    };
}

/// Every builtin, in the order `meshsim list` shows them.
pub const BUILTINS: &[Builtin] = &[
    builtin!("cascade"),
    builtin!("cascade-protected"),
    builtin!("thundering-herd"),
    builtin!("breaker"),
    builtin!("bulkhead"),
    builtin!("deadline"),
    builtin!("probes"),
    builtin!("discovery"),
    builtin!("metastable"),
    builtin!("mmc"),
];

/// The builtin called `name`.
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Every builtin's name, in the order `meshsim list` shows them.
pub fn names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

/// Where a scenario named by the user comes from: the regular file at `path` if there is one,
/// else the builtin called `name`, with `"file"` or `"builtin"`; `None` if neither exists. A
/// path that exists but is not a regular file (a directory, FIFO, device) and is not a builtin's
/// name is an error saying what it is. Files are read through [`crate::input`], bounded by
/// [`crate::input::MAX_INPUT_BYTES`].
pub fn file_or_builtin(path: &Path, name: &str) -> Option<Result<(Source, &'static str), InputError>> {
    let meta = std::fs::metadata(path).ok();
    let regular = meta.as_ref().is_some_and(|m| m.is_file());
    if !regular && let Some(b) = find(name) {
        return Some(Ok((
            Source::new(format!("builtin:{}", b.name), b.text),
            "builtin",
        )));
    }
    if meta.is_none() && std::fs::symlink_metadata(path).is_err() {
        return None;
    }
    let read = input::read_text(path, input::MAX_INPUT_BYTES)
        .map(|text| (Source::new(path.display().to_string(), text), "file"));
    Some(read)
}

/// The `description = "..."` line of a builtin (first line of it), for listings.
pub fn description(b: &Builtin) -> String {
    b.text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("description")
                .map(|rest| rest.trim_start_matches([' ', '=']).trim_matches('"').to_string())
        })
        .unwrap_or_default()
}
