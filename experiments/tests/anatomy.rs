//! The narrated anatomy: the whole of it in `anatomy.txt` (every kill, restart and breaker
//! transition the event log holds, for every builtin), the patterns read off the time series
//! (the herd's synchronized retry waves, which jitter removes; the deadline scenario's wasted
//! work), and the terminal's brief view and filter.

use experiments::catalog::BUILTINS;
use experiments::narrate::{View, anatomy, narrate, render};
use experiments::run::{Finished, execute};
use serde_json::Value;

mod common;
use common::{meshsim, ok, run_options};

fn run(name: &str, overrides: &[&str]) -> Finished {
    execute(&run_options(name, overrides)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The words an anatomy line about one logged kill, restart or breaker transition must hold
/// (besides its time), read from the `events.jsonl` object; `None` for other events.
fn must_say(event: &Value) -> Option<Vec<String>> {
    let s = |k: &str| {
        event[k]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| event[k].to_string())
    };
    match event["event"].as_str()? {
        // A probe's kill is told on the failure's line: "… failed 3/3 (…) → container killed".
        "killed" if s("reason") == "liveness" || s("reason") == "startup" => Some(vec![
            s("pod"),
            format!("{} probe failed", s("reason")),
            "→ container killed".into(),
        ]),
        "killed" => Some(vec![s("pod"), "container killed".into()]),
        "restart_scheduled" => Some(vec![s("pod"), format!("restart #{}", s("restarts"))]),
        "breaker" => Some(vec![
            format!("breaker {} at {}", s("edge"), s("owner")),
            format!("{} → {}", s("from"), s("to")).replace('_', "-"),
        ]),
        _ => None,
    }
}

/// Every builtin's `anatomy.txt` (the full view) has a line, at the event's time, for every
/// kill, restart and breaker transition in its `events.jsonl`: nothing is cut (the cascade's
/// restarts #3 and #4 were, after 80 lines).
#[test]
fn every_builtins_anatomy_holds_every_kill_restart_and_breaker_transition() {
    for b in BUILTINS {
        let f = run(b.name, &[]);
        let report = &f.output.report;
        assert_eq!(report.summary.log_dropped, 0, "{}: the log is whole", b.name);
        let text = narrate(&f.loaded.scenario, report);
        let events = experiments::output::events_jsonl(report);
        let mut checked = 0;
        for line in events.lines() {
            let event: Value = serde_json::from_str(line).expect("events.jsonl is JSON");
            let Some(words) = must_say(&event) else {
                continue;
            };
            let at = format!("t={:>8.3}s  ", event["t"].as_f64().expect("a time"));
            assert!(
                text.iter()
                    .any(|l| l.starts_with(&at) && words.iter().all(|w| l.contains(w.as_str()))),
                "{}: anatomy.txt has no line at {at}saying {words:?}",
                b.name
            );
            checked += 1;
        }
        if b.name == "cascade" || b.name == "breaker" {
            assert!(
                checked > 0,
                "{}: kills, restarts or transitions were checked",
                b.name
            );
        }
    }
}

/// The herd's fixed 1 s retry makes synchronized waves after the restart, with the accept
/// queues full; with full jitter the retries spread out and no wave is told.
#[test]
fn the_herd_narrates_its_retry_waves_and_jitter_removes_them() {
    let f = run("thundering-herd", &[]);
    let brief = render(&anatomy(&f.loaded.scenario, &f.output.report, View::Brief, None));
    let waves: Vec<&String> = brief
        .iter()
        .filter(|l| l.contains("synchronized retry waves"))
        .collect();
    assert!(!waves.is_empty(), "{brief:#?}");
    let t = |l: &str| -> f64 { l[2..10].trim().parse().expect("a time") };
    assert!(
        waves.iter().any(|l| (60.0..90.0).contains(&t(l))),
        "a wave after the restart: {waves:#?}"
    );
    assert!(
        brief
            .iter()
            .any(|l| l.contains("classification's accept queues full") && t(l) > 60.0),
        "{brief:#?}"
    );
    assert!(brief.iter().any(|l| l.contains("retry storm")), "{brief:#?}");
    let jitter = run("thundering-herd", &["policies.retry.retry.backoff=full_jitter"]);
    let full = narrate(&jitter.loaded.scenario, &jitter.output.report);
    assert!(!full.iter().any(|l| l.contains("retry waves")), "{full:#?}");
}

/// The deadline scenario's anatomy tells its wasted work: pricing keeps working for callers
/// that left.
#[test]
fn the_deadline_anatomy_tells_the_wasted_work() {
    let f = run("deadline", &[]);
    let brief = render(&anatomy(&f.loaded.scenario, &f.output.report, View::Brief, None));
    assert!(
        brief.iter().any(|l| l.contains("pricing wasted work")),
        "{brief:#?}"
    );
}

/// The terminal's brief view groups the cascade's restarts into one line with their back-off,
/// leaves out start-up noise, and `--anatomy-filter` keeps only lines about the names asked
/// for; `--anatomy full` prints what anatomy.txt holds.
#[test]
fn the_terminal_shows_a_brief_filtered_or_full_view() {
    let brief = ok(&meshsim(&["run", "cascade"]));
    assert!(
        brief.contains(
            "upload-1 and upload-0 restarted 4 times each between 80 s and 289.3 s, back-off 0 → 40 s"
        ),
        "{brief}"
    );
    assert!(!brief.contains("restart #3"), "{brief}");
    let full = ok(&meshsim(&["run", "cascade", "--anatomy", "full"]));
    assert!(
        full.contains("restart #3") && full.contains("restart #4"),
        "{full}"
    );
    let only = ok(&meshsim(&[
        "run",
        "cascade",
        "--anatomy-filter",
        "classification",
    ]));
    let lines: Vec<&str> = only
        .lines()
        .skip_while(|l| !l.starts_with("anatomy"))
        .skip(1)
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|l| l.contains("classification")),
        "{only}"
    );
    let none = ok(&meshsim(&["run", "cascade", "--anatomy", "none"]));
    assert!(!none.contains("anatomy"), "{none}");
}

/// A run whose event log reaches `limits.max_log_entries` says so in a closing line of the full
/// anatomy, and the brief view; what was logged is narrated up to the limit.
#[test]
fn the_log_limit_is_said_when_reached() {
    let f = run("cascade", &["limits.max_log_entries=10"]);
    let report = &f.output.report;
    assert!(report.summary.log_dropped > 0);
    let note = format!(
        "… the event log reached its limit (limits.max_log_entries = 10): {} later events were not logged, nor narrated",
        report.summary.log_dropped
    );
    let full = narrate(&f.loaded.scenario, report);
    assert_eq!(full.last(), Some(&note));
    let brief = render(&anatomy(&f.loaded.scenario, report, View::Brief, None));
    assert_eq!(brief.last(), Some(&note));
}
