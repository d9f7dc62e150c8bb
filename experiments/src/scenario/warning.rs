//! Located warnings: input that is valid but probably not what was meant, such as a
//! resilience4j `failure_rate = 0.5` (resilience4j's rates are percentages, so this is 0.5 %).
//!
//! The schema collects [`ReadWarning`]s while it reads; [`crate::scenario::load`] locates them
//! like errors into [`ScenarioWarning`]s, carried out in [`crate::scenario::Loaded::warnings`].
//! They never change the scenario: the command line prints them on stderr and goes on, so
//! stdout and the output files are the same with or without them.
//!
//! ```text
//! warning: flaky.toml:7:50: policies.p.breaker.failure_rate: 0.5 means 0.5 %: resilience4j's rate is a percentage
//!   |
//! 7 | breaker = { kind = "resilience4j", failure_rate = 0.5 }
//!   |                                                  ^^^
//!   = help: write 50 for 50 %
//! ```

use std::fmt;

use super::error::{Headline, Location, locate_origin, write_located};
use super::tree::Origin;
use super::{Override, Source};

/// A warning found while reading the tree, not yet tied to a file name and line.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadWarning {
    /// Where the suspicious node came from.
    pub origin: Origin,
    /// Its key path, e.g. `policies.p.breaker.failure_rate`.
    pub path: String,
    /// What is suspicious.
    pub message: String,
    /// What to write instead, if that was meant.
    pub help: String,
}

impl ReadWarning {
    /// A new warning.
    pub fn new(
        origin: Origin,
        path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> ReadWarning {
        ReadWarning {
            origin,
            path: path.into(),
            message: message.into(),
            help: help.into(),
        }
    }

    /// Ties the warning to the file and the `--set` arguments it came from.
    pub fn locate(&self, source: &Source, overrides: &[Override]) -> ScenarioWarning {
        ScenarioWarning {
            file: source.name.clone(),
            location: locate_origin(self.origin, source, overrides),
            path: self.path.clone(),
            message: self.message.clone(),
            help: self.help.clone(),
        }
    }
}

/// A located warning; renders like a [`super::ScenarioError`], headed `warning:`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioWarning {
    /// The scenario's file path or builtin name.
    pub file: String,
    /// Where in the file or in which `--set` argument.
    pub location: Location,
    /// Key path of the suspicious value.
    pub path: String,
    /// What is suspicious.
    pub message: String,
    /// What to write instead.
    pub help: String,
}

impl fmt::Display for ScenarioWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = format!("{}: {}", self.path, self.message);
        let headline = Headline {
            label: "warning",
            file: &self.file,
            location: &self.location,
            message: &message,
        };
        write_located(f, &headline, Some(&self.help))
    }
}
