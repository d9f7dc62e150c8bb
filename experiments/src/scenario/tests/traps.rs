//! Unit traps (issue "every builtin shows what it claims"): a fault after the end of the run is
//! an error, also when `--duration`/`--set` shortens the run; a resilience4j rate below 1 is a
//! located warning (the rates are percentages); a bare number where a duration belongs is refused
//! with both readings. And the `tenacity` backoff as the loader reads it.

use models::policy::backoff::{Backoff, TENACITY_MAX};
use sim_core::time::SimDuration;

use super::errors::assert_error;
use super::{BASE, at, load_text, load_with};
use crate::scenario::{ErrorKind, Location, ScenarioWarning};

fn with_fault(body: &str) -> String {
    format!("{BASE}\n[[faults]]\nservice = \"b\"\nkind = \"crash\"\n{body}\n")
}

#[test]
fn a_fault_after_the_end_of_the_run_is_refused_naming_it_its_start_and_the_duration() {
    // BASE runs for 60 s.
    let text = with_fault("name = \"late\"\nfrom = \"90s\"");
    let e = assert_error(
        &text,
        ErrorKind::Rule,
        "faults[0].from",
        "from = \"90s\"",
        "\"90s\"",
    );
    let message = e.to_string();
    for part in [
        "fault \"late\"",
        "starts at 90s",
        "end of the run, 60s",
        "the file's `duration`",
    ] {
        assert!(message.contains(part), "{part:?} missing in:\n{message}");
    }
    // Starting exactly at the end is as useless; unnamed faults are named by kind and service.
    let text = with_fault("from = \"60s\"");
    let e = assert_error(
        &text,
        ErrorKind::Rule,
        "faults[0].from",
        "from = \"60s\"",
        "\"60s\"",
    );
    assert!(e.found.contains("the crash fault on b"), "{}", e.found);
    // Just before the end is a (short) fault like any other.
    let loaded = load_text(&with_fault("from = \"59s\"")).unwrap();
    assert_eq!(loaded.scenario.faults.len(), 1);
}

#[test]
fn a_shorter_run_from_the_command_line_is_checked_against_the_faults() {
    let text = with_fault("from = \"30s\"\nuntil = \"40s\"");
    assert!(load_with(&text, &["duration=\"45s\""]).is_ok());
    // `--duration 20s` is the override `duration="20s"`: the fault stays where the file put
    // it, and the help says where the duration came from.
    let e = load_with(&text, &["duration=\"20s\""]).unwrap_err();
    assert_eq!((e.kind, e.path.as_str()), (ErrorKind::Rule, "faults[0].from"));
    let (line, column) = at(&text, "from = \"30s\"", "\"30s\"");
    assert_eq!((e.line(), e.column()), (Some(line), Some(column)));
    assert!(e.expected.contains("20s"), "{}", e.expected);
    assert!(e.help.as_deref().unwrap().contains("--duration"), "{e}");
    // Moving the fault by `--set` is checked as well, pointing at the argument.
    let e = load_with(&text, &["faults[0].from=\"61s\"", "faults[0].until=\"62s\""]).unwrap_err();
    assert_eq!(e.argument(), Some("faults[0].from=\"61s\""));
}

#[test]
fn every_builtin_loads_without_a_late_fault_or_a_warning() {
    for b in crate::catalog::BUILTINS {
        let loaded = crate::scenario::load(&crate::scenario::Source::new(b.name, b.text), &[])
            .unwrap_or_else(|e| panic!("{}: {e}", b.name));
        assert!(loaded.warnings.is_empty(), "{}: {:?}", b.name, loaded.warnings);
    }
}

/// The warnings of `text`, which must load.
fn warnings(text: &str) -> Vec<ScenarioWarning> {
    load_text(text).unwrap_or_else(|e| panic!("{e}")).warnings
}

fn policy(body: &str) -> String {
    format!("{BASE}\n[policies.p]\n{body}\n")
}

#[test]
fn a_resilience4j_rate_below_one_is_a_located_warning() {
    let text = policy("breaker = { kind = \"resilience4j\", failure_rate = 0.5, slow_call_rate = 0.25 }");
    let loaded = load_text(&text).unwrap();
    // The value is kept as written: 0.5 %, resilience4j's meaning.
    let w = &loaded.warnings;
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0].path, "policies.p.breaker.failure_rate");
    assert_eq!(
        w[0].message,
        "0.5 means 0.5 %: resilience4j's rate is a percentage"
    );
    assert_eq!(w[0].help, "if 50 % was meant, write 50");
    assert_eq!(w[1].path, "policies.p.breaker.slow_call_rate");
    assert_eq!(w[1].help, "if 25 % was meant, write 25");
    let (line, column) = at(&text, "failure_rate = 0.5", "0.5");
    let Location::File {
        line: l, column: c, ..
    } = w[0].location
    else {
        panic!("{:?}", w[0].location)
    };
    assert_eq!((l, c), (line, column));
    let rendered = w[0].to_string();
    assert!(
        rendered.starts_with(&format!(
            "warning: test.toml:{line}:{column}: policies.p.breaker.failure_rate: 0.5 means 0.5 %"
        )),
        "{rendered}"
    );
    assert!(
        rendered.ends_with("= help: if 50 % was meant, write 50"),
        "{rendered}"
    );
    // 1 and above are plainly percentages; the default and other breakers say nothing.
    for quiet in [
        "breaker = { kind = \"resilience4j\", failure_rate = 1, slow_call_rate = 50 }",
        "breaker = { kind = \"resilience4j\" }",
        "breaker = { kind = \"hystrix\" }",
    ] {
        assert_eq!(warnings(&policy(quiet)), [], "{quiet}");
    }
}

#[test]
fn a_rate_set_on_the_command_line_is_warned_about_at_the_argument() {
    let text = policy("breaker = { kind = \"resilience4j\" }");
    let loaded = load_with(&text, &["policies.p.breaker.failure_rate=0.05"]).unwrap();
    let w = &loaded.warnings;
    assert_eq!(w.len(), 1, "{w:?}");
    let Location::Override { argument, .. } = &w[0].location else {
        panic!("{:?}", w[0].location)
    };
    assert_eq!(argument, "policies.p.breaker.failure_rate=0.05");
    assert_eq!(w[0].help, "if 5 % was meant, write 5");
}

#[test]
fn bare_numbers_are_refused_with_both_readings() {
    // A bare number in a string, a TOML integer and a float; a distribution's constant too.
    for (line, context, needle) in [
        ("duration = \"200\"", "\"200\"", "\"200\""),
        ("duration = 200", "duration = 200", "200"),
        ("duration = 0.5", "duration = 0.5", "0.5"),
    ] {
        let text = BASE.replacen("duration = \"60s\"", line, 1);
        let e = super::errors::fails(&text);
        assert_eq!(e.path, "duration", "{e}");
        let (l, c) = at(&text, context, needle);
        assert_eq!((e.line(), e.column()), (Some(l), Some(c)), "{e}");
        let shown = needle.trim_matches('"');
        let both = format!("did you mean \"{shown}ms\" or \"{shown}s\"?");
        assert!(e.to_string().contains(&both), "{e}");
        assert!(!e.to_string().contains("e.g."), "a single guess: {e}");
    }
    let text = BASE.replacen("{ work = \"2ms\" }", "{ work = 15 }", 1);
    let e = super::errors::fails(&text);
    assert_eq!(e.path, "services[1].steps[0].work");
    assert_eq!(
        e.help.as_deref(),
        Some("a duration needs a unit in a string: did you mean \"15ms\" or \"15s\"?")
    );
    // A negative number is no duration in either reading: no hint.
    let text = BASE.replacen("duration = \"60s\"", "duration = -5", 1);
    assert_eq!(super::errors::fails(&text).help, None);
}

#[test]
fn tenacity_backoff_reads_the_lessons_client() {
    // The lesson: wait_random_exponential(min=0.5, max=10), tenacity's default multiplier 1.
    let text = policy("retry = { backoff = \"tenacity\", min = \"500ms\", cap = \"10s\" }");
    let loaded = load_text(&text).unwrap();
    let retry = loaded.scenario.policies[0].retry.as_ref().unwrap();
    assert_eq!(
        retry.backoff,
        Backoff::Tenacity {
            multiplier: SimDuration::from_secs(1),
            min: SimDuration::from_millis(500),
            max: SimDuration::from_secs(10),
        }
    );
    assert!(loaded.warnings.is_empty());
    // tenacity's own defaults: multiplier 1 s, min 0, max unbounded; `base` is the multiplier.
    let text = policy("retry = { backoff = \"tenacity\", base = \"250ms\" }");
    let loaded = load_text(&text).unwrap();
    assert_eq!(
        loaded.scenario.policies[0].retry.as_ref().unwrap().backoff,
        Backoff::Tenacity {
            multiplier: SimDuration::from_millis(250),
            min: SimDuration::ZERO,
            max: TENACITY_MAX,
        }
    );
    // `min` is checked (and ignored) with the other strategies, like `base` and `cap`.
    let text = policy("retry = { backoff = \"full_jitter\", min = \"1s\" }");
    assert!(load_text(&text).is_ok());
    let text = policy("retry = { backoff = \"none\", min = \"-1s\" }");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.min",
        "\"-1s\"",
        "\"-1s\"",
    );
}

#[test]
fn tenacity_refuses_a_floor_above_its_max_and_warns_about_a_multiplier() {
    let text = policy("retry = { backoff = \"tenacity\", min = \"20s\", cap = \"10s\" }");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.min",
        "min = \"20s\"",
        "\"20s\"",
    );
    assert!(
        e.found.contains("tenacity: min (20s) must not exceed max (10s)"),
        "{e}"
    );
    // A `min` above tenacity's default max (unbounded) is fine.
    assert!(load_text(&policy("retry = { backoff = \"tenacity\", min = \"1h\" }")).is_ok());
    // `multiplier` is gRPC's growth factor here, not tenacity's (a time): warned, not used.
    let text = policy("retry = { backoff = \"tenacity\", multiplier = 2 }");
    let loaded = load_text(&text).unwrap();
    let retry = loaded.scenario.policies[0].retry.as_ref().unwrap();
    assert!(
        matches!(retry.backoff, Backoff::Tenacity { multiplier, .. } if multiplier == SimDuration::from_secs(1))
    );
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(loaded.warnings[0].path, "policies.p.retry.multiplier");
    assert!(loaded.warnings[0].help.contains("write it as `base`"));
    // With gRPC it is the growth factor, and nothing to warn about.
    assert_eq!(
        warnings(&policy("retry = { backoff = \"grpc\", multiplier = 2 }")),
        []
    );
}
