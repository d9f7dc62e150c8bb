//! Every error class: kind, key path, line and column.

use super::{BASE, at, load_text};
use crate::scenario::{ErrorKind, ScenarioError};

/// Loads `text`, which must fail.
pub(super) fn fails(text: &str) -> ScenarioError {
    match load_text(text) {
        Ok(_) => panic!("should not load:\n{text}"),
        Err(e) => e,
    }
}

/// `BASE` with `from` replaced by `to` (which must occur).
fn base_with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} not in BASE");
    BASE.replacen(from, to, 1)
}

/// Asserts the error's kind, path and position (`needle` inside the unique `context`).
#[track_caller]
pub(super) fn assert_error(
    text: &str,
    kind: ErrorKind,
    path: &str,
    context: &str,
    needle: &str,
) -> ScenarioError {
    let e = fails(text);
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.path, path, "{e}");
    let (line, column) = at(text, context, needle);
    assert_eq!((e.line(), e.column()), (Some(line), Some(column)), "{e}");
    e
}

#[test]
fn renders_like_rustc() {
    let text = base_with(
        "slots = 4\nsteps = [ { work = \"1ms\" }",
        "replicas = -2\nslots = 4\nsteps = [ { work = \"1ms\" }",
    );
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "services[0].replicas",
        "replicas = -2",
        "-2",
    );
    assert_eq!(e.expected, "an integer ≥ 1");
    assert_eq!(e.found, "-2");
    let (line, col) = at(&text, "replicas = -2", "-2");
    let expected = format!(
        "error: test.toml:{line}:{col}: services[0].replicas: expected an integer ≥ 1, found -2\n   |\n{line} | replicas = -2\n   |            ^^"
    );
    assert_eq!(e.to_string(), expected);
}

#[test]
fn unknown_keys_point_at_the_key_and_suggest_the_closest() {
    let text = base_with(
        "slots = 4\nsteps = [ { work = \"1ms\" }",
        "replica = 3\nslots = 4\nsteps = [ { work = \"1ms\" }",
    );
    let e = assert_error(
        &text,
        ErrorKind::UnknownKey,
        "services[0].replica",
        "replica =",
        "replica",
    );
    assert!(e.expected.contains("`replicas`"), "{}", e.expected);
    assert_eq!(e.help.as_deref(), Some("did you mean `replicas`?"));
    assert!(e.to_string().contains("= help: did you mean `replicas`?"));

    let text = format!("{BASE}colour = \"red\"\n");
    // A key after [[services]] belongs to the last service.
    assert_error(
        &text,
        ErrorKind::UnknownKey,
        "services[1].colour",
        "colour",
        "colour",
    );
    let text = format!("bogus = 1\n{BASE}");
    let e = assert_error(&text, ErrorKind::UnknownKey, "bogus", "bogus", "bogus");
    assert!(e.expected.contains("`duration`"));

    let text = base_with("{ work = \"2ms\" }", "{ work = \"2ms\", slop = \"1ms\" }");
    assert_error(
        &text,
        ErrorKind::UnknownKey,
        "services[1].steps[0].slop",
        "slop",
        "slop",
    );
    let text = base_with(
        "{ work = \"2ms\" }",
        "{ work = { dist = \"uniform\", low = \"1ms\", high = \"2ms\", mean = \"2ms\" } }",
    );
    let e = assert_error(
        &text,
        ErrorKind::UnknownKey,
        "services[1].steps[0].work.mean",
        "mean",
        "mean",
    );
    assert_eq!(e.expected, "one of the keys `dist`, `low` or `high`");
}

#[test]
fn missing_keys_point_at_the_table_and_notice_typos() {
    let text = base_with(
        "slots = 4\nsteps = [ { work = \"2ms\" } ]",
        "slot = 4\nsteps = [ { work = \"2ms\" } ]",
    );
    let e = assert_error(
        &text,
        ErrorKind::Missing,
        "services[1]",
        "[[services]]\nname = \"b\"",
        "[[",
    );
    assert_eq!(e.expected, "the required key `slots`");
    assert_eq!(e.help.as_deref(), Some("found `slot`: did you mean `slots`?"));
    let text = BASE.replacen("duration = \"60s\"\n", "", 1);
    let e = assert_error(&text, ErrorKind::Missing, "", "name = \"t\"", "name");
    assert_eq!(e.expected, "the required key `duration`");
    let text = base_with("{ work = \"2ms\" }", "{ wrok = \"2ms\" }");
    let e = assert_error(&text, ErrorKind::Missing, "services[1].steps[0]", "{ wrok", "{");
    assert_eq!(e.help.as_deref(), Some("found `wrok`: did you mean `work`?"));
    let text = BASE.replacen("target = \"a\"\n", "", 1);
    assert_error(&text, ErrorKind::Missing, "clients[0]", "[[clients]]", "[[");
}

#[test]
fn wrong_types() {
    let text = base_with("slots = 4", "slots = \"4\"");
    let e = assert_error(&text, ErrorKind::Type, "services[0].slots", "\"4\"", "\"4\"");
    assert_eq!(e.found, "a string \"4\"");
    let text = base_with("duration = \"60s\"", "duration = 60");
    let e = assert_error(&text, ErrorKind::Type, "duration", "duration = 60", "60");
    assert!(e.help.as_deref().unwrap().contains("\"60s\""));
    let text = base_with("steps = [ { work = \"2ms\" } ]", "steps = { work = \"2ms\" }");
    assert_error(&text, ErrorKind::Type, "services[1].steps", "steps = { work", "{");
    let text = base_with("name = \"t\"", "name = true");
    assert_error(&text, ErrorKind::Type, "name", "true", "true");
    let text = base_with("{ call = \"b\" }", "{ call = \"b\", required = \"yes\" }");
    assert_error(
        &text,
        ErrorKind::Type,
        "services[0].steps[1].required",
        "\"yes\"",
        "\"yes\"",
    );
}

#[test]
fn datetimes_are_rejected_with_a_location() {
    let text = base_with("duration = \"60s\"", "duration = 2024-01-01");
    assert_error(&text, ErrorKind::Type, "duration", "2024-01-01", "2024");
}

#[test]
fn syntax_errors_are_located() {
    let text = base_with("slots = 4", "slots = = 4");
    let e = fails(&text);
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.line(), Some(at(&text, "slots = = 4", "slots").0));
    assert!(e.to_string().contains("invalid TOML"), "{e}");
}

#[test]
fn negative_and_zero_values_where_meaningless() {
    let cases: [(&str, &str, &str, &str, &str); 7] = [
        ("rate = 10", "rate = 0", "clients[0].load.rate", "rate = 0", "0"),
        ("rate = 10", "rate = -1.5", "clients[0].load.rate", "-1.5", "-1.5"),
        ("slots = 4", "slots = 0", "services[0].slots", "slots = 0", "0"),
        (
            "duration = \"60s\"",
            "duration = \"0s\"",
            "duration",
            "\"0s\"",
            "\"0s\"",
        ),
        (
            "load = { kind = \"open\", rate = 10 }",
            "load = { kind = \"closed\", users = 0 }",
            "clients[0].load.users",
            "users = 0",
            "0",
        ),
        (
            "name = \"t\"",
            "name = \"t\"\nbucket = \"0s\"",
            "bucket",
            "\"0s\"",
            "\"0s\"",
        ),
        (
            "slots = 4",
            "slots = 4\nreplicas = 0",
            "services[0].replicas",
            "replicas = 0",
            "0",
        ),
    ];
    for (i, (from, to, path, context, needle)) in cases.into_iter().enumerate() {
        let text = base_with(from, to);
        let e = fails(&text);
        assert_eq!(e.path, path, "case {i}: {e}");
        let (l, c) = at(&text, context, needle);
        assert_eq!((e.line(), e.column()), (Some(l), Some(c)), "case {i}: {e}");
    }
    let text = format!("{BASE}\n[policies.p]\nretry = {{ max_attempts = 0 }}\n");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.max_attempts",
        "max_attempts = 0",
        "0",
    );
    let text = format!("{BASE}\n[policies.p]\npool = {{ max_connections = 0 }}\n");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.pool.max_connections",
        "max_connections = 0",
        "0",
    );
    let text = format!("{BASE}\n[policies.p]\nbreaker = {{ kind = \"lesson\", failure_threshold = 0 }}\n");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.breaker.failure_threshold",
        "failure_threshold = 0",
        "0",
    );
    let text = format!("{BASE}\n[policies.p]\nbulkhead = {{ max_concurrent = -3 }}\n");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.bulkhead.max_concurrent",
        "-3",
        "-3",
    );
    let text = format!("{BASE}\n[policies.p]\ntimeouts = {{ read = \"0s\" }}\n");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.timeouts.read",
        "\"0s\"",
        "\"0s\"",
    );
    assert!(e.expected.contains("\"none\""));
    let text = base_with("slots = 4", "slots = 4\nliveness = { period = \"0s\" }");
    assert_error(
        &text,
        ErrorKind::Value,
        "services[0].liveness.period",
        "\"0s\"",
        "\"0s\"",
    );
    let text = base_with("name = \"t\"", "name = \"t\"\nlimits = { max_events = 0 }");
    assert_error(
        &text,
        ErrorKind::Value,
        "limits.max_events",
        "max_events = 0",
        "0",
    );
    // A zero accept queue is allowed (reject whenever all slots are busy).
    let text = base_with("slots = 4", "slots = 4\nqueue = { capacity = 0 }");
    assert_eq!(load_text(&text).unwrap().scenario.services[0].queue.capacity, 0);
}

#[test]
fn probabilities_outside_zero_one() {
    let text = format!("{BASE}\n[[faults]]\nservice = \"b\"\nkind = \"errors\"\nrate = 1.5\n");
    let e = assert_error(&text, ErrorKind::Value, "faults[0].rate", "1.5", "1.5");
    assert_eq!(e.expected, "a probability between 0 and 1");
    let text = format!("{BASE}\n[[faults]]\nservice = \"b\"\nkind = \"errors\"\nrate = -0.1\n");
    assert_error(&text, ErrorKind::Value, "faults[0].rate", "-0.1", "-0.1");
    let text = base_with(
        "{ work = \"2ms\" }",
        "{ work = { dist = \"empirical\", quantiles = [[0.0, \"1ms\"], [1.2, \"2ms\"]] } }",
    );
    assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.quantiles[1][0]",
        "1.2",
        "1.2",
    );
}

#[test]
fn references_to_things_that_do_not_exist() {
    let text = base_with("{ call = \"b\" }", "{ call = \"bb\" }");
    let e = assert_error(
        &text,
        ErrorKind::Reference,
        "services[0].steps[1].call",
        "\"bb\"",
        "\"bb\"",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean \"b\"?"));
    let text = base_with("target = \"a\"", "target = \"nope\"");
    assert_error(
        &text,
        ErrorKind::Reference,
        "clients[0].target",
        "\"nope\"",
        "\"nope\"",
    );
    let text = base_with("target = \"a\"", "target = \"a\"\npolicy = \"fast\"");
    assert_error(
        &text,
        ErrorKind::Reference,
        "clients[0].policy",
        "\"fast\"",
        "\"fast\"",
    );
    let text = base_with("{ call = \"b\" }", "{ call = \"b\", policy = \"p\" }");
    assert_error(
        &text,
        ErrorKind::Reference,
        "services[0].steps[1].policy",
        "\"p\"",
        "\"p\"",
    );
    let text = format!("{BASE}\n[[faults]]\nservice = \"c\"\nkind = \"crash\"\n");
    assert_error(
        &text,
        ErrorKind::Reference,
        "faults[0].service",
        "service = \"c\"",
        "\"c\"",
    );
}

#[test]
fn duplicate_names() {
    let text = base_with("name = \"b\"", "name = \"a\"");
    let e = assert_error(
        &text,
        ErrorKind::Duplicate,
        "services[1].name",
        "name = \"a\"\nslots = 4\nsteps = [ { work = \"2ms\"",
        "\"a\"",
    );
    assert!(e.found.contains("services[0]"), "{}", e.found);
    let text = format!(
        "{BASE}\n[[clients]]\nname = \"c\"\ntarget = \"b\"\nload = {{ kind = \"burst\", count = 5 }}\n"
    );
    assert_error(
        &text,
        ErrorKind::Duplicate,
        "clients[1].name",
        "name = \"c\"\ntarget = \"b\"",
        "\"c\"",
    );
    let text = format!(
        "{BASE}\n[[faults]]\nname = \"f\"\nservice = \"b\"\nkind = \"crash\"\n[[faults]]\nname = \"f\"\nservice = \"a\"\nkind = \"crash\"\n"
    );
    assert_error(
        &text,
        ErrorKind::Duplicate,
        "faults[1].name",
        "name = \"f\"\nservice = \"a\"",
        "\"f\"",
    );
}

#[test]
fn cycles_in_the_call_graph_name_the_cycle_and_point_at_the_closing_call() {
    let text = base_with(
        "steps = [ { work = \"2ms\" } ]",
        "steps = [ { work = \"2ms\" }, { call = \"a\" } ]",
    );
    let e = assert_error(
        &text,
        ErrorKind::Cycle,
        "services[1].steps[1].call",
        "{ call = \"a\" }",
        "\"a\"",
    );
    assert_eq!(e.found, "the cycle a → b → a");
    let text = base_with("{ call = \"b\" }", "{ call = \"a\" }");
    let e = assert_error(
        &text,
        ErrorKind::Cycle,
        "services[0].steps[1].call",
        "{ call = \"a\" }",
        "\"a\"",
    );
    assert_eq!(e.found, "the cycle a → a");
    // Through a probe handler, inside a parallel step.
    let text = base_with(
        "steps = [ { work = \"2ms\" } ]",
        "steps = [ { work = \"2ms\" } ]\nliveness = { handler = [ { parallel = [ { call = \"a\" } ] } ] }",
    );
    let e = assert_error(
        &text,
        ErrorKind::Cycle,
        "services[1].liveness.handler[0].parallel[0].call",
        "{ call = \"a\" }",
        "\"a\"",
    );
    assert_eq!(e.found, "the cycle a → b → a");
}

#[test]
fn kubernetes_requires_success_threshold_one_for_liveness_and_startup() {
    let text = base_with("slots = 4", "slots = 4\nliveness = { success_threshold = 2 }");
    let e = assert_error(
        &text,
        ErrorKind::Rule,
        "services[0].liveness.success_threshold",
        "success_threshold = 2",
        "2",
    );
    assert!(e.expected.starts_with('1'));
    let text = base_with(
        "slots = 4",
        "slots = 4\nstartup_probe = { success_threshold = 3 }",
    );
    assert_error(
        &text,
        ErrorKind::Rule,
        "services[0].startup_probe.success_threshold",
        "success_threshold = 3",
        "3",
    );
    let text = base_with("slots = 4", "slots = 4\nreadiness = { success_threshold = 2 }");
    let s = load_text(&text).unwrap().scenario;
    assert_eq!(
        s.services[0]
            .lifecycle
            .readiness
            .as_ref()
            .unwrap()
            .success_threshold,
        2
    );
}

#[test]
fn fault_windows() {
    let fault = |body: &str| format!("{BASE}\n[[faults]]\nservice = \"b\"\n{body}\n");
    let text = fault("kind = \"crash\"\nfrom = \"30s\"\nuntil = \"30s\"");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "faults[0].until",
        "until = \"30s\"",
        "\"30s\"",
    );
    assert!(e.expected.contains("after `from`"));
    let text = fault("kind = \"crash\"\nfrom = \"30s\"\nuntil = \"10s\"");
    assert_error(
        &text,
        ErrorKind::Value,
        "faults[0].until",
        "until = \"10s\"",
        "\"10s\"",
    );
    let text = fault("kind = \"restart\"\ndown_for = \"10s\"\nfrom = \"5s\"\nuntil = \"70s\"");
    assert_error(
        &text,
        ErrorKind::Rule,
        "faults[0].until",
        "until = \"70s\"",
        "\"70s\"",
    );
    let text = fault("kind = \"reschedule\"\nuntil = \"70s\"\ndown_for = \"10s\"");
    assert_error(
        &text,
        ErrorKind::Rule,
        "faults[0].until",
        "until = \"70s\"",
        "\"70s\"",
    );
    let text = fault("kind = \"restart\"");
    assert_error(&text, ErrorKind::Missing, "faults[0]", "[[faults]]", "[[");
    let text = fault("kind = \"slow\"\nlatency = \"1s\"\nmultiplier = 2");
    assert_error(
        &text,
        ErrorKind::Rule,
        "faults[0].multiplier",
        "multiplier = 2",
        "2",
    );
    let text = fault("kind = \"crash\"\npods = 2");
    assert_error(&text, ErrorKind::Value, "faults[0].pods", "pods = 2", "2");
    let text = fault("kind = \"melt\"");
    assert_error(&text, ErrorKind::Value, "faults[0].kind", "\"melt\"", "\"melt\"");
}

#[test]
fn distributions() {
    let work = |w: &str| base_with("{ work = \"2ms\" }", &format!("{{ work = {w} }}"));
    let text = work("{ dist = \"lognormal\", median = \"200ms\", p99 = \"100ms\" }");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.p99",
        "\"100ms\"",
        "\"100ms\"",
    );
    assert!(e.expected.contains("median"));
    let text = work("{ dist = \"empirical\", quantiles = [[0.0, \"10ms\"], [0.5, \"5ms\"], [1.0, \"2s\"]] }");
    assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.quantiles[1][1]",
        "\"5ms\"",
        "\"5ms\"",
    );
    let text = work(
        "{ dist = \"empirical\", quantiles = [[0.0, \"10ms\"], [0.5, \"50ms\"], [0.5, \"2s\"], [1.0, \"3s\"]] }",
    );
    assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.quantiles[2][0]",
        "[0.5, \"2s\"]",
        "0.5",
    );
    let text = work("{ dist = \"uniform\", low = \"2ms\", high = \"1ms\" }");
    assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.high",
        "high = \"1ms\"",
        "\"1ms\"",
    );
    let text = work("{ dist = \"gamma\", mean = \"1ms\" }");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.dist",
        "\"gamma\"",
        "\"gamma\"",
    );
    assert!(e.expected.contains("`lognormal`"), "{}", e.expected);
    let text = work("{ dist = \"mixture\", of = [ { weight = -1, value = \"1ms\" } ] }");
    assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.of[0].weight",
        "-1",
        "-1",
    );
    let text = work("{ dist = \"pareto\", scale = \"1ms\", shape = 0 }");
    assert_error(
        &text,
        ErrorKind::Value,
        "services[1].steps[0].work.shape",
        "shape = 0",
        "0",
    );
    let text = work("{ mean = \"1ms\" }");
    assert_error(
        &text,
        ErrorKind::Missing,
        "services[1].steps[0].work",
        "{ mean",
        "{",
    );
    let text = work("15");
    assert_error(
        &text,
        ErrorKind::Type,
        "services[1].steps[0].work",
        "work = 15",
        "15",
    );
}

#[test]
fn durations_that_do_not_parse() {
    for (bad, found) in [
        ("\"15\"", "\"15\" (missing unit"),
        ("\"-5s\"", "\"-5s\" (negative"),
        ("\"5 parsecs\"", "\"5 parsecs\" (unexpected ' '"),
    ] {
        let text = base_with("\"60s\"", bad);
        let e = assert_error(&text, ErrorKind::Value, "duration", bad, bad);
        assert!(e.found.starts_with(found), "{}", e.found);
    }
}

#[test]
fn retry_conditions_backoffs_budgets_and_breakers() {
    let policy = |body: &str| format!("{BASE}\n[policies.p]\n{body}\n");
    let text = policy("retry = { on = [\"timeout\", \"5xxx\"] }");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.on[1]",
        "\"5xxx\"",
        "\"5xxx\"",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean \"5xx\"?"));
    let text = policy("retry = { backoff = \"decorrelated_jitter\", base = \"2s\", cap = \"1s\" }");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.backoff",
        "\"decorrelated_jitter\"",
        "\"",
    );
    // A key the strategy does not use is still checked (a bad duration is an error)...
    let text = policy("retry = { backoff = \"none\", base = \"-1s\" }");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.base",
        "\"-1s\"",
        "\"-1s\"",
    );
    let text = policy("retry = { budget = { kind = \"finagle\", ttl = \"2m\" } }");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.retry.budget.ttl",
        "\"2m\"",
        "\"2m\"",
    );
    let text = policy("breaker = { kind = \"resilience4j\", failure_rate = 0 }");
    assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.breaker.failure_rate",
        "failure_rate = 0",
        "0",
    );
    let text = policy("breaker = { kind = \"resilience4j\", window = { type = \"time\", size = 10 } }");
    assert_error(
        &text,
        ErrorKind::UnknownKey,
        "policies.p.breaker.window.size",
        "size",
        "size",
    );
    let text = policy("breaker = { failure_threshold = 3 }");
    assert_error(&text, ErrorKind::Missing, "policies.p.breaker", "{ failure", "{");
    let text = policy("fallback = { kind = \"degrade\", answer = \"pending\" }");
    assert_error(
        &text,
        ErrorKind::UnknownKey,
        "policies.p.fallback.answer",
        "answer",
        "answer",
    );
    let text = policy("order = \"resilience\"");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "policies.p.order",
        "\"resilience\"",
        "\"resilience\"",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean \"resilience4j\"?"));
}

#[test]
fn schedules_must_be_in_order_and_not_overlap() {
    let load = |sched: &str| {
        base_with(
            "load = { kind = \"open\", rate = 10 }",
            &format!("load = {{ kind = \"open\", rate = 10, schedule = {sched} }}"),
        )
    };
    let text = load("[ { at = \"10s\", ramp_to = 50, until = \"30s\" }, { at = \"20s\", rate = 5 } ]");
    let e = assert_error(
        &text,
        ErrorKind::Value,
        "clients[0].load.schedule[1].at",
        "\"20s\"",
        "\"20s\"",
    );
    assert!(e.expected.contains("≥ 30s"), "{}", e.expected);
    let text = load("[ { at = \"10s\", ramp_to = 50, until = \"5s\" } ]");
    assert_error(
        &text,
        ErrorKind::Value,
        "clients[0].load.schedule[0].until",
        "\"5s\"",
        "\"5s\"",
    );
    let text = load("[ { at = \"10s\", rate = 50, spike = 100, for = \"1s\" } ]");
    assert_error(
        &text,
        ErrorKind::Rule,
        "clients[0].load.schedule[0].spike",
        "spike = 100",
        "100",
    );
}

/// Sizes that would allocate in proportion before the first event are bounded at load time:
/// the error names the bound.
#[test]
fn sizes_that_allocate_are_bounded() {
    let cases: [(&str, &str, &str, &str, &str); 3] = [
        (
            "slots = 4\nsteps = [ { work = \"2ms\" } ]",
            "slots = 4\nsteps = [ { work = \"2ms\" } ]\nreplicas = 1001",
            "services[1].replicas",
            "replicas = 1001",
            "1001",
        ),
        (
            "load = { kind = \"open\", rate = 10 }",
            "load = { kind = \"closed\", users = 1000001 }",
            "clients[0].load.users",
            "users = 1000001",
            "1000001",
        ),
        (
            "load = { kind = \"open\", rate = 10 }",
            "load = { kind = \"burst\", count = 4294967295 }",
            "clients[0].load.count",
            "count = 4294967295",
            "4294967295",
        ),
    ];
    for (i, (from, to, path, context, needle)) in cases.into_iter().enumerate() {
        let text = base_with(from, to);
        let e = assert_error(&text, ErrorKind::Value, path, context, needle);
        assert!(e.to_string().contains("between 1 and"), "case {i}: {e}");
    }
    for (breaker, path, needle) in [
        (
            "{ kind = \"lesson\", failure_threshold = 4294967295 }",
            "policies.p.breaker.failure_threshold",
            "4294967295",
        ),
        (
            "{ kind = \"lesson\", half_open_trials = 1000001 }",
            "policies.p.breaker.half_open_trials",
            "1000001",
        ),
        (
            "{ kind = \"resilience4j\", window = { type = \"count\", size = 1000001 } }",
            "policies.p.breaker.window.size",
            "1000001",
        ),
        (
            "{ kind = \"resilience4j\", window = { type = \"time\", seconds = 86401 } }",
            "policies.p.breaker.window.seconds",
            "86401",
        ),
    ] {
        let text = format!("{BASE}\n[policies.p]\nbreaker = {breaker}\n");
        let e = assert_error(&text, ErrorKind::Value, path, breaker, needle);
        assert!(e.to_string().contains("between 1 and"), "{e}");
    }
    // No half-open trial at all would leave a half-open breaker rejecting every call for good.
    let breaker = "{ kind = \"lesson\", half_open_trials = 0 }";
    let text = format!("{BASE}\n[policies.p]\nbreaker = {breaker}\n");
    let path = "policies.p.breaker.half_open_trials";
    let e = assert_error(&text, ErrorKind::Value, path, breaker, "0");
    assert!(e.to_string().contains("≥ 1"), "{e}");
}
