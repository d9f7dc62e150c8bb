//! `meshsim serve`: a local page to explore a scenario live — a form generated from the
//! scenario schema, every change re-run and redrawn (timeline, outcome tables, anatomy,
//! topology), an A/B comparison of a pinned configuration, and the command that reproduces it.
//!
//! The HTTP side is [`server`] (tiny_http, a pool of worker threads); everything it answers is
//! computed by [`handle`], a plain function from (method, path, body) to a [`Reply`], so routing,
//! bad requests and limits are tested without a socket. Routes:
//!
//! - `GET /`: the page (HTML, CSS and JS embedded in the binary; nothing is fetched elsewhere);
//! - `GET /api/scenarios`: the scenarios this server offers and the catalog's A/B pairs;
//! - `POST /api/form`: `{scenario}` → the form's fields ([`form`]);
//! - `POST /api/run`: `{scenario, set, seed, pin?}` → one bounded run rendered ([`run`]), with
//!   the A/B comparison ([`ab`]) when a pinned configuration is sent.
//!
//! No route reads a path from the request: scenarios are looked up by name among those listed at
//! start-up, so there is nothing to traverse.

pub mod ab;
pub mod form;
pub mod run;
pub mod server;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::catalog;
use crate::input::{self, MAX_INPUT_BYTES};
use crate::scenario::Source;

/// The largest request body: an interactive run's request is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most `--set` overrides one request may carry: more than the form of any builtin has
/// fields (a run with every field set is one of the tests), within [`MAX_BODY_BYTES`].
pub const MAX_SETS: usize = 500;
/// The most scenario files a DIR may offer.
pub const MAX_FILES: usize = 200;

/// Bounds on each interactive run (`meshsim run` has none of these beyond the scenario's own).
#[derive(Copy, Clone, Debug)]
pub struct Limits {
    /// The most events a run may process (the scenario's `limits.max_events` if lower): about
    /// 3 s of CPU at the 7–9 M events/s measured through the binary.
    pub max_events: u64,
    /// The longest simulated duration accepted, in seconds. Simulated time costs only the events
    /// it holds (capped by `max_events`) and series buckets (capped by `limits.max_buckets`); the
    /// bound refuses runs nobody explores live, and admits every builtin (`mmc`: 20 000 s).
    pub max_sim_secs: u64,
    /// Wall time after which a request gets its answer ("took too long") even if the run goes on
    /// (it is then bounded by `max_events` and its result discarded).
    pub wall: Duration,
    /// Runs computed at once (this machine's cores); further requests wait up to `wall`.
    pub concurrent_runs: usize,
}

/// The bounds `meshsim serve` uses.
pub const LIMITS: Limits = Limits {
    max_events: 20_000_000,
    max_sim_secs: 86_400,
    wall: Duration::from_secs(10),
    concurrent_runs: 2,
};

/// One scenario the server offers.
#[derive(Clone, Debug)]
pub struct Offered {
    /// The name the page uses (a builtin's name, or a file's name).
    pub name: String,
    /// Where its text is: a builtin's, or a file read again at each request (so edits show).
    pub origin: OfferedOrigin,
}

/// Where an offered scenario's text comes from.
#[derive(Clone, Debug)]
pub enum OfferedOrigin {
    /// A builtin.
    Builtin(&'static str),
    /// A file, by the path given on the command line or found in DIR.
    File(PathBuf),
}

/// What the server knows: the scenarios it offers, the one shown first, its limits, and the
/// gate that bounds concurrent runs.
pub struct State {
    /// Every scenario, builtins after the files given.
    pub offered: Vec<Offered>,
    /// The one the page opens with.
    pub first: String,
    /// Per-run bounds.
    pub limits: Limits,
    gate: Arc<Gate>,
}

impl State {
    /// A state offering the builtins and, first, `files` (already checked to be scenario files).
    pub fn new(files: Vec<PathBuf>, first: Option<String>, limits: Limits) -> State {
        let mut offered: Vec<Offered> = files
            .into_iter()
            .map(|p| Offered {
                name: p
                    .file_name()
                    .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned()),
                origin: OfferedOrigin::File(p),
            })
            .collect();
        offered.extend(catalog::BUILTINS.iter().map(|b| Offered {
            name: b.name.to_string(),
            origin: OfferedOrigin::Builtin(b.text),
        }));
        let first = first
            .or_else(|| offered.first().map(|o| o.name.clone()))
            .unwrap_or_default();
        State {
            offered,
            first,
            limits,
            gate: Arc::new(Gate::new(limits.concurrent_runs)),
        }
    }

    /// The source of the offered scenario `name`, or a message for the page.
    pub fn source(&self, name: &str) -> Result<Source, String> {
        let o = self
            .offered
            .iter()
            .find(|o| o.name == name)
            .ok_or_else(|| format!("no scenario called `{name}` is offered by this server"))?;
        match &o.origin {
            OfferedOrigin::Builtin(text) => Ok(Source::new(o.name.clone(), *text)),
            OfferedOrigin::File(p) => input::read_text(p, MAX_INPUT_BYTES)
                .map(|t| Source::new(p.display().to_string(), t))
                .map_err(|e| e.message(p)),
        }
    }
}

/// The `.toml` files of `dir` (regular files only, sorted by name, at most [`MAX_FILES`]).
pub fn scenario_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml")
            && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
        {
            files.push(path);
        }
    }
    files.sort();
    files.truncate(MAX_FILES);
    Ok(files)
}

/// A counting gate: at most `n` runs at once.
struct Gate {
    busy: Mutex<usize>,
    freed: Condvar,
    n: usize,
}

/// A place taken at the gate, given back when dropped (by the thread that runs, so a run whose
/// answer was given up on keeps its place until it ends).
pub(crate) struct Permit(Arc<Gate>);

impl Gate {
    fn new(n: usize) -> Gate {
        Gate {
            busy: Mutex::new(0),
            freed: Condvar::new(),
            n: n.max(1),
        }
    }

    /// A place, waiting at most `wait` for one.
    fn enter(self: &Arc<Self>, wait: Duration) -> Option<Permit> {
        let busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let (mut busy, timeout) = self
            .freed
            .wait_timeout_while(busy, wait, |b| *b >= self.n)
            .unwrap_or_else(|e| e.into_inner());
        if timeout.timed_out() && *busy >= self.n {
            return None;
        }
        *busy += 1;
        Some(Permit(Arc::clone(self)))
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut busy = self.0.busy.lock().unwrap_or_else(|e| e.into_inner());
        *busy -= 1;
        self.0.freed.notify_one();
    }
}

/// An answer: status, content type and body.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, value: &impl Serialize) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}").into_bytes()),
        }
    }

    /// A JSON error: `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        #[derive(Serialize)]
        struct E {
            error: String,
        }
        Reply::json(
            status,
            &E {
                error: message.into(),
            },
        )
    }
}

/// The page: HTML with its CSS and JS inlined (no request leaves the machine).
pub fn page() -> String {
    include_str!("page/index.html")
        .replace("/*REPORT_CSS*/", include_str!("../report_html/style.css"))
        .replace("/*PAGE_CSS*/", include_str!("page/app.css"))
        .replace("/*PAGE_JS*/", include_str!("page/app.js"))
}

/// One side of a catalog pair: a builtin and its overrides.
pub type PairSide = (&'static str, &'static [&'static str]);

/// The catalog's A/B pairs, one click each on the page: (label, A, B).
pub const PAIRS: &[(&str, PairSide, PairSide)] = &[
    (
        "cascade vs cascade-protected",
        ("cascade", &[]),
        ("cascade-protected", &[]),
    ),
    (
        "thundering-herd: backoff fixed vs full_jitter",
        ("thundering-herd", &["policies.retry.retry.backoff=fixed"]),
        ("thundering-herd", &["policies.retry.retry.backoff=full_jitter"]),
    ),
];

/// `GET /api/scenarios`.
fn scenarios(state: &State) -> Reply {
    #[derive(Serialize)]
    struct Side {
        scenario: &'static str,
        set: Vec<&'static str>,
    }
    #[derive(Serialize)]
    struct Pair {
        label: &'static str,
        a: Side,
        b: Side,
    }
    #[derive(Serialize)]
    struct List<'a> {
        names: Vec<&'a str>,
        first: &'a str,
        pairs: Vec<Pair>,
    }
    let side = |(scenario, set): (&'static str, &[&'static str])| Side {
        scenario,
        set: set.to_vec(),
    };
    let pairs = PAIRS
        .iter()
        .filter(|(_, a, b)| state.source(a.0).is_ok() && state.source(b.0).is_ok())
        .map(|&(label, a, b)| Pair {
            label,
            a: side(a),
            b: side(b),
        })
        .collect();
    Reply::json(
        200,
        &List {
            names: state.offered.iter().map(|o| o.name.as_str()).collect(),
            first: &state.first,
            pairs,
        },
    )
}

/// Answers one request. `path` is the request target (a query string is ignored); `body` has
/// been read up to [`MAX_BODY_BYTES`] (`None` if it was longer).
pub fn handle(state: &State, method: &str, path: &str, body: Option<&[u8]>) -> Reply {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let Some(body) = body else {
        return Reply::error(413, format!("request body larger than {MAX_BODY_BYTES} bytes"));
    };
    match (method, path) {
        ("GET" | "HEAD", "/" | "/index.html") => Reply {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: page().into_bytes(),
        },
        ("GET", "/api/scenarios") => scenarios(state),
        ("POST", "/api/form") => form::reply(state, body),
        ("POST", "/api/run") => run::reply(state, body),
        (_, "/" | "/index.html" | "/api/scenarios" | "/api/form" | "/api/run") => {
            Reply::error(405, format!("{method} is not allowed on {path}"))
        }
        _ => Reply::error(404, format!("nothing at {}", crate::text::escape_controls(path))),
    }
}
