//! Scenario files: TOML in, a validated [`models::config::Scenario`] out, or one located error.
//!
//! The loader is built like ripgrep's argument handling: the raw input is kept apart from the
//! validated options.
//!
//! 1. [`tree`]: the text is parsed into an owned tree of [`tree::Node`]s, each remembering its
//!    origin (a byte range of the file, or a `--set` argument).
//! 2. [`overrides`]: `--set path=value` arguments edit that tree.
//! 3. [`schema`] walks the tree with the typed [`reader`] into a [`Scenario`], filling every
//!    documented default and checking every rule; the first problem becomes a
//!    [`ScenarioError`] that names the file, line and column (or the `--set` argument), the key
//!    path, what was expected and what was found. Valid values that are probably not meant
//!    (a resilience4j rate of 0.5 %) become located [`ScenarioWarning`]s instead.
//!
//! The schema is documented key by key in `docs/scenarios.md`.
//!
//! ```
//! use experiments::scenario::{Override, Source, load};
//!
//! let text = experiments::catalog::find("cascade").unwrap().text; // or a file's contents
//! let source = Source::new("cascade.toml", text);
//! let overrides = [Override::parse("services.upload.replicas=3").unwrap()];
//! let loaded = load(&source, &overrides).unwrap();
//! assert_eq!(loaded.scenario.services[0].replicas, 3);
//! println!("{} (hash {})", loaded.scenario.name, loaded.hash);
//! ```

pub mod dist;
pub mod duration;
pub mod error;
pub mod overrides;
pub mod reader;
pub mod schema;
pub mod seed;
pub mod tree;
pub mod warning;

#[cfg(test)]
pub(crate) mod tests;

use models::config::Scenario;

pub use duration::{parse_duration, parse_timeout};
pub use error::{ErrorDetails, ErrorKind, Location, ReadError, ScenarioError};
pub use overrides::Override;
pub use seed::{parse_seed, seed_toml};
pub use warning::{ReadWarning, ScenarioWarning};

/// A scenario's text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The file path, or the builtin's name.
    pub name: String,
    /// The TOML text.
    pub text: String,
}

impl Source {
    /// A source named `name` with text `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A loaded scenario.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The file's `seed` (default 1); the command line's `--seed` takes precedence.
    pub seed: u64,
    /// 16 hex digits: the FNV-1a 64-bit hash of [`Loaded::canonical`].
    pub hash: String,
    /// The tree after overrides, rendered as TOML in a fixed layout (comments and formatting
    /// dropped, key order kept).
    pub canonical: String,
    /// What is valid but probably not meant (see [`warning`]), in reading order; the scenario
    /// is the same with or without them.
    pub warnings: Vec<ScenarioWarning>,
}

/// Parses `source`, applies `overrides` in order, and reads the result into a scenario.
pub fn load(source: &Source, overrides: &[Override]) -> Result<Loaded, ScenarioError> {
    let locate = |e: ReadError| e.locate(source, overrides);
    let root = load_tree(source, overrides)?;
    let canonical = tree::canonical(&root);
    let hash = tree::hash_hex(&canonical);
    let read = schema::read_scenario(&root).map_err(locate)?;
    Ok(Loaded {
        scenario: read.scenario,
        seed: read.seed,
        hash,
        canonical,
        warnings: read
            .warnings
            .iter()
            .map(|w| w.locate(source, overrides))
            .collect(),
    })
}

/// Parses `source` and applies `overrides`, without reading the schema (for tools, such as
/// sweeps, that edit the tree further before [`schema::read_scenario`]).
pub fn load_tree(source: &Source, overrides: &[Override]) -> Result<tree::Node, ScenarioError> {
    let locate = |e: ReadError| e.locate(source, overrides);
    let mut root = tree::parse_document(&source.text).map_err(locate)?;
    for (i, o) in overrides.iter().enumerate() {
        overrides::apply(&mut root, o, i).map_err(locate)?;
    }
    Ok(root)
}
