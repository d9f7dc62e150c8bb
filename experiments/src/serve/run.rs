//! `POST /api/run`: one interactive run, bounded, rendered for the page.
//!
//! The request is `{"scenario": NAME, "set": ["path=value", ...], "seed": N, "pin": {...}}`
//! (`pin`, optional, is the A side of an A/B comparison, with the same three keys). A scenario
//! that fails validation is answered 422 with the CLI's message and the key path and `--set`
//! argument it is about, so the page shows it next to the field; nothing is run. Bounds
//! ([`super::Limits`]): the simulated duration is refused beyond its ceiling, the events are
//! capped (the run stops early and says so, as `meshsim run` does at its own limit), and a run
//! that has not answered within the wall time gets a 503 while it finishes in the background.

use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sim_core::time::SimDuration;

use super::{Limits, MAX_SETS, Reply, State, ab};
use crate::report_html::{anatomy, shell_quote, summary, sweep::inline_svg};
use crate::run::{Finished, RunOptions, execute_loaded};
use crate::scenario::{Location, Override, load, parse_seed};

/// A seed as JSON: a number, or a string in the forms a `seed` key takes (`"0x2a"`), since a
/// JSON number loses precision above 2^53.
#[derive(Deserialize, Clone, Debug)]
#[serde(untagged)]
pub enum SeedArg {
    /// A number.
    Number(u64),
    /// Decimal or `0x` hexadecimal text.
    Text(String),
}

/// One configuration: a scenario, its overrides and a seed.
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Side {
    /// An offered scenario's name.
    pub scenario: String,
    /// `--set` arguments, `path=value`.
    #[serde(default)]
    pub set: Vec<String>,
    /// `--seed`; the scenario's own when absent.
    #[serde(default)]
    pub seed: Option<SeedArg>,
}

/// The body of `POST /api/run`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// An offered scenario's name (B when `pin` is given).
    pub scenario: String,
    /// `--set` arguments, `path=value`.
    #[serde(default)]
    pub set: Vec<String>,
    /// `--seed`; the scenario's own when absent.
    #[serde(default)]
    pub seed: Option<SeedArg>,
    /// The pinned configuration A, to compare with.
    #[serde(default)]
    pub pin: Option<Side>,
}

/// A refusal: a status and what the page shows, with the key path and `--set` argument index
/// it is about when it is about one.
#[derive(Serialize, Debug)]
pub struct Refusal {
    /// HTTP status (not serialised).
    #[serde(skip)]
    pub status: u16,
    /// The message, as the CLI prints it.
    pub error: String,
    /// The key path, e.g. `policies.naive.timeouts.attempt`.
    pub path: Option<String>,
    /// Which `set` entry (0-based) it is about.
    pub set_index: Option<usize>,
    /// Which side of an A/B request: "A" (the pin) or "B".
    pub side: Option<&'static str>,
}

impl Refusal {
    fn new(status: u16, error: impl Into<String>) -> Refusal {
        Refusal {
            status,
            error: error.into(),
            path: None,
            set_index: None,
            side: None,
        }
    }
}

/// A configuration run to its end (or its bound), with the wall time it took.
pub struct Ran {
    /// The run.
    pub finished: Finished,
    /// Wall time of loading and running, milliseconds.
    pub run_ms: f64,
    /// The serve bound that stopped it, in words, if one did.
    pub stopped: Option<String>,
}

/// Checks and loads `side` without running it.
fn prepare(state: &State, side: &Side) -> Result<RunOptions, Refusal> {
    let source = state.source(&side.scenario).map_err(|e| Refusal::new(404, e))?;
    if side.set.len() > MAX_SETS {
        return Err(Refusal::new(
            400,
            format!("at most {MAX_SETS} overrides, found {}", side.set.len()),
        ));
    }
    let mut overrides = Vec::with_capacity(side.set.len());
    for (i, s) in side.set.iter().enumerate() {
        let o = Override::parse(s).map_err(|e| Refusal {
            set_index: Some(i),
            ..Refusal::new(422, e.to_string())
        })?;
        overrides.push(o);
    }
    let seed = match &side.seed {
        None => None,
        Some(SeedArg::Number(n)) => Some(*n),
        Some(SeedArg::Text(t)) => Some(parse_seed(t).ok_or_else(|| {
            Refusal::new(
                422,
                format!(
                    "seed: expected {}, found {t:?}",
                    crate::scenario::seed::SEED_EXPECTED
                ),
            )
        })?),
    };
    Ok(RunOptions {
        source,
        overrides,
        seed,
        trace: None,
        check_invariants: false,
    })
}

/// Loads, bounds and runs `side`; the wall time is measured here, for the page only.
#[allow(clippy::disallowed_methods)] // wall time shown on the page and bounding the wait; results do not depend on it
pub fn run_side(state: &State, side: &Side) -> Result<Ran, Refusal> {
    let started = std::time::Instant::now();
    let opts = prepare(state, side)?;
    let mut loaded = load(&opts.source, &opts.overrides).map_err(|e| {
        let index = match &e.details().location {
            Location::Override { index, .. } => *index,
            _ => None,
        };
        Refusal {
            path: Some(e.details().path.clone()).filter(|p| !p.is_empty()),
            set_index: index,
            ..Refusal::new(422, e.to_string())
        }
    })?;
    bound(&mut loaded.scenario, &state.limits)?;
    let capped = loaded.scenario.limits.max_events == state.limits.max_events;
    let permit = state.gate.enter(state.limits.wall).ok_or_else(|| {
        Refusal::new(
            503,
            format!(
                "busy: {} runs are computing; try again",
                state.limits.concurrent_runs
            ),
        )
    })?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let finished = execute_loaded(&opts, loaded);
        drop(permit);
        let _ = tx.send(finished);
    });
    let left = state.limits.wall.saturating_sub(started.elapsed());
    let finished = rx.recv_timeout(left).map_err(|_| {
        Refusal::new(
            503,
            format!(
                "the run took longer than {} s of wall time, the bound of an interactive run; \
                 its result will be discarded (run it with `meshsim run`, which has no such bound)",
                state.limits.wall.as_secs_f64()
            ),
        )
    })?;
    let stopped = finished.output.limit.map(|limit| {
        if capped && matches!(limit, sim_core::sim::LimitExceeded::MaxEvents { .. }) {
            format!(
                "stopped early: {limit} — {} events is the bound of an interactive run; results are partial \
                 (`meshsim run` has no such bound)",
                state.limits.max_events
            )
        } else {
            format!("stopped early: {limit}; results are partial")
        }
    });
    Ok(Ran {
        finished,
        run_ms: started.elapsed().as_secs_f64() * 1e3,
        stopped,
    })
}

/// Refuses a duration beyond the bound and caps the events.
fn bound(s: &mut models::config::Scenario, limits: &Limits) -> Result<(), Refusal> {
    if s.duration > SimDuration::from_secs(limits.max_sim_secs) {
        return Err(Refusal {
            path: Some("duration".into()),
            ..Refusal::new(
                422,
                format!(
                    "duration: {} is longer than the {} s an interactive run may simulate; run it with `meshsim run`",
                    s.duration, limits.max_sim_secs
                ),
            )
        });
    }
    s.limits.max_events = s.limits.max_events.min(limits.max_events);
    Ok(())
}

/// What the page draws for one run.
#[derive(Serialize)]
pub struct Rendered {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Wall time of the run, milliseconds (rendering excluded).
    pub run_ms: f64,
    /// `run facts`: simulated time, events, how it stopped.
    pub facts: String,
    /// A bound or limit that stopped the run, in words.
    pub stopped: Option<String>,
    /// Located warnings, as the CLI prints them.
    pub warnings: Vec<String>,
    /// The timeline, an inline SVG with its tooltips.
    pub timeline_svg: String,
    /// The topology, an inline SVG.
    pub topology_svg: String,
    /// Client, service and edge outcome tables (HTML).
    pub tables_html: String,
    /// The whole narrated anatomy (HTML).
    pub anatomy_html: String,
    /// The key figures A/B compares.
    pub figures: Vec<ab::Figure>,
    /// `meshsim run ...` that reproduces the run.
    pub reproduce: String,
    /// The effective scenario (after overrides, with the seed), to download.
    pub toml: String,
    /// The scenario hash.
    pub hash: String,
    /// The seed used.
    pub seed: String,
}

/// `meshsim run SCENARIO --seed N --set ...`, shell-quoted.
pub fn reproduce(side: &Side, seed: u64) -> String {
    let mut parts = vec!["meshsim".to_string(), "run".into(), shell_quote(&side.scenario)];
    parts.extend(["--seed".to_string(), seed.to_string()]);
    for s in &side.set {
        parts.push("--set".into());
        parts.push(shell_quote(s));
    }
    parts.join(" ")
}

/// Renders a run for the page.
pub fn render(side: &Side, ran: &Ran) -> Result<Rendered, plots::PlotError> {
    let f = &ran.finished;
    let s = &f.loaded.scenario;
    let report = &f.output.report;
    let timeline = crate::charts::timeline(s, report, &f.loaded.hash);
    let topology = crate::charts::topology(s, report, &f.loaded.hash);
    let mut tables_html = String::new();
    summary::write(&mut tables_html, &report.summary);
    let mut anatomy_html = String::new();
    let whole = crate::narrate::anatomy(s, report, crate::narrate::View::Full, None);
    anatomy::write(&mut anatomy_html, &whole.lines, &whole.notes);
    Ok(Rendered {
        name: s.name.clone(),
        description: s.description.clone(),
        run_ms: ran.run_ms,
        facts: crate::text::run_facts(&report.summary, "stopped early"),
        stopped: ran.stopped.clone(),
        warnings: f.loaded.warnings.iter().map(|w| w.to_string()).collect(),
        timeline_svg: inline_svg(plots::timeline_svg(&timeline)?.trim(), &timeline.title),
        topology_svg: inline_svg(plots::topology_svg(&topology)?.trim(), &topology.title),
        tables_html,
        anatomy_html,
        figures: ab::figures(&report.summary),
        reproduce: reproduce(side, f.seed),
        toml: with_seed(&f.loaded.canonical, f.seed),
        hash: f.loaded.hash.clone(),
        seed: f.seed.to_string(),
    })
}

/// The effective scenario with `seed = N` as its seed key (replacing the file's), so the
/// downloaded file runs as shown without `--seed`.
fn with_seed(canonical: &str, seed: u64) -> String {
    let line = format!("seed = {}", crate::scenario::seed_toml(seed));
    let mut out = String::with_capacity(canonical.len() + 32);
    let mut done = false;
    for l in canonical.lines() {
        if !done && l.starts_with("seed = ") {
            out.push_str(&line);
            done = true;
        } else {
            out.push_str(l);
        }
        out.push('\n');
    }
    if done { out } else { format!("{line}\n{out}") }
}

/// The answer to `POST /api/run`.
#[derive(Serialize)]
struct Answer {
    run: Rendered,
    ab: Option<ab::Comparison>,
}

/// `POST /api/run`.
pub fn reply(state: &State, body: &[u8]) -> Reply {
    let req: RunRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return Reply::error(400, format!("bad request: {e}")),
    };
    let side = Side {
        scenario: req.scenario,
        set: req.set,
        seed: req.seed,
    };
    let refused = |r: Refusal, side: &'static str| {
        let status = r.status;
        Reply::json(
            status,
            &Refusal {
                side: Some(side),
                ..r
            },
        )
    };
    let b = match run_side(state, &side) {
        Ok(b) => b,
        Err(r) => return refused(r, "B"),
    };
    let a = match req.pin.as_ref().map(|pin| run_side(state, pin)).transpose() {
        Ok(a) => a,
        Err(r) => return refused(r, "A"),
    };
    let drawn = render(&side, &b).and_then(|run| {
        let ab = match (&req.pin, &a) {
            (Some(pin), Some(a)) => Some(ab::compare(pin, a, &side, &b)?),
            _ => None,
        };
        Ok(Answer { run, ab })
    });
    match drawn {
        Ok(answer) => Reply::json(200, &answer),
        Err(e) => Reply::error(500, format!("drawing the charts failed: {e}")),
    }
}

/// How long a request may wait in total (used by the server's socket timeouts).
pub fn request_budget(limits: &Limits) -> Duration {
    limits.wall * 2 + Duration::from_secs(5)
}
