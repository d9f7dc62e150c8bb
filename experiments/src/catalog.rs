//! The builtin catalog: scenario files embedded in the binary. `meshsim list` lists them,
//! `meshsim show NAME` prints one to copy and edit, `meshsim run NAME` runs it. Each is
//! documented in `docs/catalog.md`.

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
