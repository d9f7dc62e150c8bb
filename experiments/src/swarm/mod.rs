//! Swarm testing: random but valid scenarios from a seed, run with every invariant checker on.
//!
//! A simulator whose users make design decisions from its numbers must never panic, hang,
//! produce NaN or silently break its own rules, whatever scenario it is given. For a seed,
//! [`generate`] builds a random [`Spec`] (services in a DAG up to four deep, clients, policies,
//! faults, probes, extreme values), [`check`] writes it as a scenario file, loads it through
//! [`crate::scenario::load`] like `meshsim run` would, runs it with the world's own invariant
//! checker on (`models::RunConfig::check_invariants`), renders every output in memory, and
//! checks the outputs ([`checks::check_run`]). A failure comes back as a [`Failure`];
//! [`shrink`] then simplifies the scenario while it keeps failing the same way.
//!
//! `meshsim swarm --seed N` reproduces one seed; `meshsim swarm --count N` runs many in
//! parallel. `docs/reliability.md` lists every invariant and limit.
//!
//! Everything here is deterministic: the generator draws only from
//! `RngStreams::new(seed).stream("swarm")`, and a run is a pure function of its scenario and
//! seed, so a seed reproduces its failure on any machine and thread count.

pub mod checks;
mod generate;
mod shrink;
pub mod spec;

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use models::RunConfig;

use crate::run::Finished;
use crate::scenario::{Source, load};

use checks::outputs::{check_rendering, check_traced};
pub use checks::{Failure, FailureKind, check_run};
pub use generate::generate;
pub use shrink::{DEFAULT_SHRINK_TRIES, Shrunk, candidates, shrink, shrink_with};
pub use spec::Spec;

/// What a passing seed did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The seed.
    pub seed: u64,
    /// Events processed.
    pub events: u64,
    /// `stop.reason`: `end_time`, `drained`, `max_events` or `max_pending`.
    pub stop: String,
    /// Whether a limit stopped the run (allowed: it is reported as partial).
    pub hit_limit: bool,
    /// Client requests started.
    pub requests: u64,
}

/// "ok: N events, stopped by REASON[ (a limit: partial, as allowed)], M client requests; every
/// check passed".
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let limit = if self.hit_limit {
            " (a limit: partial, as allowed)"
        } else {
            ""
        };
        write!(
            f,
            "ok: {} events, stopped by {}{limit}, {} client requests; every check passed",
            self.events, self.stop, self.requests
        )
    }
}

thread_local! {
    /// `Some` while this thread runs swarm code: the panic hook stores the message here instead
    /// of printing it.
    static CAPTURE: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Installs (once per process) a panic hook that stays silent on threads running swarm code
/// and keeps their message and location, and defers to the previous hook everywhere else.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let captured = CAPTURE.with(|c| match c.borrow_mut().as_mut() {
                Some(slot) => {
                    *slot = Some(info.to_string());
                    true
                }
                None => false,
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into its message (with its location).
pub fn catching<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    CAPTURE.with(|c| *c.borrow_mut() = Some(None));
    let result = catch_unwind(AssertUnwindSafe(f));
    let message = CAPTURE.with(|c| c.borrow_mut().take()).flatten();
    result.map_err(|payload| {
        message.unwrap_or_else(|| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "a panic without a message".into())
        })
    })
}

/// Runs `f`, turning a panic into a [`FailureKind::Panic`] failure saying "`what` panicked".
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, Failure> {
    catching(f).map_err(|p| Failure::new(FailureKind::Panic, format!("{what} panicked: {p}")))
}

/// Generates, runs and checks seed `seed`.
pub fn check(seed: u64) -> Result<Summary, Failure> {
    let spec = guarded("the generator", || generate(seed))?;
    check_spec(&spec)
}

/// Runs and checks a scenario described by `spec`.
pub fn check_spec(spec: &Spec) -> Result<Summary, Failure> {
    check_text(&format!("{}.toml", spec.name()), &spec.to_toml())
}

/// Loads a scenario file's text, runs it with its own seed and every check on, renders every
/// output in memory and checks them.
pub fn check_text(name: &str, text: &str) -> Result<Summary, Failure> {
    let source = Source::new(name, text);
    let loaded = guarded("the loader", || load(&source, &[]))?
        .map_err(|e| Failure::new(FailureKind::Load, format!("the scenario does not load:\n{e}")))?;
    let scenario = loaded.scenario.clone();
    let seed = loaded.seed;
    let config = RunConfig {
        trace: None,
        check_invariants: true,
        digest: None,
    };
    let output = guarded("the run", || models::run_with(scenario.clone(), seed, &config))?;
    guarded("a check", || check_run(&scenario, &output))??;
    let finished = Finished {
        trace_formats: Vec::new(),
        loaded,
        seed,
        output,
    };
    guarded("rendering the outputs", || check_rendering(&finished))??;
    if seed.is_multiple_of(5) {
        guarded("the traced run", || check_traced(&finished))??;
    }
    let s = &finished.output.report.summary;
    Ok(Summary {
        seed,
        events: s.events,
        stop: s.stop.reason.clone(),
        hit_limit: finished.output.limit.is_some(),
        requests: s.clients.iter().map(|c| c.requests).sum(),
    })
}

/// The command that reproduces seed `seed`.
pub fn reproduce_command(seed: u64) -> String {
    format!("meshsim swarm --seed {seed}")
}
