//! The server's unit tests: routing, bad requests, validation messages, limits, A/B, the form,
//! concurrent requests, and a real socket that a malformed request does not stop.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::{LIMITS, Limits, State, handle, server};
use crate::scenario::{Override, Source, load};

fn state(limits: Limits) -> State {
    State::new(Vec::new(), None, limits)
}

fn post(s: &State, path: &str, body: &str) -> (u16, Value) {
    let r = handle(s, "POST", path, Some(body.as_bytes()));
    let v = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{path}: not JSON ({e})"));
    (r.status, v)
}

fn run(s: &State, body: &str) -> (u16, Value) {
    post(s, "/api/run", body)
}

#[test]
fn routes_and_refuses_everything_else() {
    let s = state(LIMITS);
    let page = handle(&s, "GET", "/", Some(b""));
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let html = String::from_utf8(page.body).unwrap();
    // Self-contained: every placeholder filled, nothing loaded from elsewhere.
    assert!(
        !html.contains("/*PAGE_JS*/") && !html.contains("/*PAGE_CSS*/") && !html.contains("/*REPORT_CSS*/")
    );
    for external in ["src=\"http", "href=\"http", "@import", "src=\"//"] {
        assert!(!html.contains(external), "the page loads {external}…");
    }
    assert_eq!(handle(&s, "GET", "/api/scenarios", Some(b"")).status, 200);
    assert_eq!(handle(&s, "GET", "/api/run", Some(b"")).status, 405);
    assert_eq!(handle(&s, "DELETE", "/", Some(b"")).status, 405);
    for path in [
        "/nope",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/../Cargo.toml",
        "//etc/passwd",
    ] {
        assert_eq!(handle(&s, "GET", path, Some(b"")).status, 404, "{path}");
    }
}

#[test]
fn a_scenario_is_found_by_name_only() {
    let s = state(LIMITS);
    for name in [
        "../../etc/passwd",
        "/etc/passwd",
        "experiments/catalog/cascade.toml",
        "",
    ] {
        let (status, v) = run(&s, &format!("{{\"scenario\": {name:?}}}"));
        assert_eq!(status, 404, "{name}");
        assert!(
            v["error"].as_str().unwrap().contains("is offered by this server"),
            "{v}"
        );
    }
}

#[test]
fn bad_requests_get_a_clear_error() {
    let s = state(LIMITS);
    for body in [
        "{bad",
        "[]",
        "{}",
        "{\"scenario\": 3}",
        "{\"scenario\": \"cascade\", \"sett\": []}",
    ] {
        let (status, v) = run(&s, body);
        assert_eq!(status, 400, "{body}");
        assert!(v["error"].as_str().unwrap().starts_with("bad request: "), "{v}");
    }
    let too_many: Vec<String> = (0..=super::MAX_SETS)
        .map(|_| "\"duration=10s\"".to_string())
        .collect();
    let (status, v) = run(
        &s,
        &format!("{{\"scenario\": \"cascade\", \"set\": [{}]}}", too_many.join(",")),
    );
    assert_eq!(status, 400, "{v}");
    let big = handle(&s, "POST", "/api/run", None);
    assert_eq!(big.status, 413);
    let (status, _) = run(&s, "{\"scenario\": \"cascade\", \"seed\": \"0xzz\"}");
    assert_eq!(status, 422);
}

/// A value the reader refuses: the CLI's message, the key path and the `--set` argument it is
/// about, and nothing run.
#[test]
fn a_validation_failure_carries_the_clis_message_and_its_field() {
    let s = state(LIMITS);
    let set = "policies.naive.timeouts.attempt=2x";
    let (status, v) = run(
        &s,
        &format!("{{\"scenario\": \"cascade\", \"set\": [\"duration=300s\", {set:?}]}}"),
    );
    assert_eq!(status, 422);
    let cli = load(
        &Source::new("cascade", crate::catalog::find("cascade").unwrap().text),
        &[
            Override::parse("duration=300s").unwrap(),
            Override::parse(set).unwrap(),
        ],
    )
    .unwrap_err()
    .to_string();
    assert_eq!(v["error"], cli.as_str());
    assert_eq!(v["path"], "policies.naive.timeouts.attempt");
    assert_eq!(v["set_index"], 1);
    assert_eq!(v["side"], "B");
    // A malformed `--set` argument is placed too.
    let (status, v) = run(&s, "{\"scenario\": \"cascade\", \"set\": [\"no equals sign\"]}");
    assert_eq!((status, v["set_index"].as_u64()), (422, Some(0)), "{v}");
}

#[test]
fn a_run_is_rendered_with_everything_the_page_draws() {
    let s = state(LIMITS);
    let (status, v) = run(
        &s,
        "{\"scenario\": \"cascade\", \"seed\": 7, \"set\": [\"policies.naive.timeouts.attempt=2s\"]}",
    );
    assert_eq!(status, 200, "{v}");
    let r = &v["run"];
    for key in ["timeline_svg", "topology_svg"] {
        let svg = r[key].as_str().unwrap();
        assert!(svg.starts_with("<svg role=\"img\""), "{key}");
    }
    assert!(
        r["timeline_svg"].as_str().unwrap().contains("<title>"),
        "the timeline's tooltips"
    );
    assert!(r["tables_html"].as_str().unwrap().contains("uploaders"));
    assert!(
        r["anatomy_html"]
            .as_str()
            .unwrap()
            .contains("<table class=\"anatomy\">")
    );
    let quoted = crate::report_html::shell_quote("policies.naive.timeouts.attempt=2s");
    assert_eq!(
        r["reproduce"],
        format!("meshsim run cascade --seed 7 --set {quoted}")
    );
    let toml = r["toml"].as_str().unwrap();
    assert!(
        toml.contains("seed = 7\n") && toml.contains("attempt = \"2s\""),
        "{toml}"
    );
    assert!(v["ab"].is_null());
    // The downloaded TOML holds the edits and the seed.
    let again = load(&Source::new("edited.toml", toml), &[]).unwrap();
    assert_eq!(again.seed, 7);
    assert_eq!(
        again
            .scenario
            .policies
            .iter()
            .find(|p| p.name == "naive")
            .unwrap()
            .timeouts
            .attempt,
        Some(sim_core::time::SimDuration::from_secs(2))
    );
}

#[test]
fn the_limits_refuse_or_stop_a_run_with_a_clear_message() {
    let s = state(LIMITS);
    let (status, v) = run(&s, "{\"scenario\": \"cascade\", \"set\": [\"duration=25h\"]}");
    assert_eq!(status, 422);
    assert_eq!(v["path"], "duration");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("86400 s an interactive run may simulate"),
        "{v}"
    );

    let few = state(Limits {
        max_events: 1_000,
        ..LIMITS
    });
    let (status, v) = run(&few, "{\"scenario\": \"cascade\"}");
    assert_eq!(status, 200);
    let stopped = v["run"]["stopped"].as_str().unwrap();
    assert!(
        stopped.contains("1000 events is the bound of an interactive run"),
        "{stopped}"
    );

    let hasty = state(Limits {
        wall: Duration::ZERO,
        ..LIMITS
    });
    let (status, v) = run(&hasty, "{\"scenario\": \"cascade\"}");
    assert_eq!(status, 503);
    assert!(v["error"].as_str().unwrap().contains("wall time"), "{v}");
    // The server goes on: the next request is answered.
    let (status, _) = run(&few, "{\"scenario\": \"cascade\"}");
    assert_eq!(status, 200);
}

/// The x-axis tick labels of a timeline SVG (centred numbers under the panels).
fn x_ticks(svg: &str) -> Vec<String> {
    let mut ticks: Vec<String> = svg
        .split("<text ")
        .skip(1)
        .filter(|t| t.contains("dy=\"0.76em\" text-anchor=\"middle\""))
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim().to_string()))
        .filter(|t| t.parse::<f64>().is_ok())
        .collect();
    ticks.sort();
    ticks.dedup();
    ticks
}

#[test]
fn ab_draws_both_timelines_on_one_time_axis_with_a_diff() {
    let s = state(LIMITS);
    let (status, v) = run(
        &s,
        "{\"scenario\": \"cascade\", \"set\": [\"duration=100s\"], \"pin\": {\"scenario\": \"cascade\"}}",
    );
    assert_eq!(status, 200, "{v}");
    let ab = &v["ab"];
    let (a, b) = (
        ab["a_timeline_svg"].as_str().unwrap(),
        ab["b_timeline_svg"].as_str().unwrap(),
    );
    assert!(x_ticks(a).contains(&"300".to_string()), "{:?}", x_ticks(a));
    assert_eq!(
        x_ticks(a),
        x_ticks(b),
        "one time axis for A (300 s) and B (100 s)"
    );
    assert_ne!(
        x_ticks(v["run"]["timeline_svg"].as_str().unwrap()),
        x_ticks(b),
        "B alone ends at 100 s"
    );
    let diff = ab["diff_html"].as_str().unwrap();
    assert!(
        diff.contains("<td>uploaders: answered</td>") && diff.contains("<td>container kills</td>"),
        "{diff}"
    );
    assert_eq!(ab["a_reproduce"], "meshsim run cascade --seed 1");
    // A refused pin says it is A's.
    let (status, v) = run(
        &s,
        "{\"scenario\": \"cascade\", \"pin\": {\"scenario\": \"cascade\", \"set\": [\"services.upload.replicas=0\"]}}",
    );
    assert_eq!((status, v["side"].as_str()), (422, Some("A")), "{v}");
}

/// Each of the catalog's pairs is offered and both its sides run.
#[test]
fn the_catalog_pairs_are_offered_and_run() {
    let s = state(LIMITS);
    let r = handle(&s, "GET", "/api/scenarios", Some(b""));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), super::PAIRS.len());
    for pair in pairs {
        let (status, v) = run(&s, &serde_json::json!({"scenario": pair["b"]["scenario"], "set": pair["b"]["set"], "pin": pair["a"]}).to_string());
        assert_eq!(status, 200, "{pair}: {v}");
        assert!(
            v["ab"]["diff_html"].as_str().unwrap().contains("<table"),
            "{pair}"
        );
    }
}

/// The form's fields hold the effective values: a run with every field set to its value as an
/// override gives the same figures as the scenario alone.
#[test]
fn the_form_holds_the_effective_values_with_the_schemas_types() {
    let s = state(LIMITS);
    for name in ["cascade", "thundering-herd", "cascade-protected", "breaker"] {
        let (status, v) = post(&s, "/api/form", &format!("{{\"scenario\": {name:?}}}"));
        assert_eq!(status, 200, "{v}");
        let fields = v["fields"].as_array().unwrap();
        let set: Vec<String> = fields
            .iter()
            .map(|f| format!("{}={}", f["path"].as_str().unwrap(), f["value"].as_str().unwrap()))
            .collect();
        let plain = run(&s, &format!("{{\"scenario\": {name:?}}}")).1;
        let all = run(&s, &serde_json::json!({"scenario": name, "set": set}).to_string()).1;
        assert_eq!(plain["run"]["figures"], all["run"]["figures"], "{name}: {set:?}");
        assert_eq!(plain["run"]["facts"], all["run"]["facts"], "{name}");
    }
    let (_, v) = post(&s, "/api/form", "{\"scenario\": \"thundering-herd\"}");
    let field = |path: &str| {
        v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .cloned()
            .unwrap()
    };
    let backoff = field("policies.retry.retry.backoff");
    assert_eq!(
        (backoff["kind"].as_str(), backoff["value"].as_str()),
        (Some("enum"), Some("fixed"))
    );
    assert_eq!(
        backoff["choices"].as_array().unwrap().len(),
        crate::scenario::schema::BACKOFF_NAMES.len()
    );
    assert_eq!(field("policies.retry.timeouts.attempt")["kind"], "timeout");
    assert_eq!(field("policies.retry.propagate_deadline")["kind"], "bool");
    let replicas = field("services.classification.replicas");
    assert_eq!(
        (replicas["kind"].as_str(), replicas["unit"].as_str()),
        (Some("int"), Some("pods"))
    );
    assert_eq!(replicas["max"], f64::from(crate::scenario::schema::MAX_REPLICAS));
    // Keys as the file writes them: the breaker's, nested tables included, and the backoff's.
    let (_, v) = post(&s, "/api/form", "{\"scenario\": \"breaker\"}");
    let kinds: Vec<(String, String)> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains(".breaker."))
        .map(|f| {
            (
                f["label"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (label, kind) in [
        ("breaker.window.type", "text"),
        ("breaker.window.size", "int"),
        ("breaker.failure_rate", "int"),
        ("breaker.wait_in_open", "duration"),
    ] {
        assert!(
            kinds.contains(&(label.to_string(), kind.to_string())),
            "{label}: {kinds:?}"
        );
    }
    assert!(!kinds.iter().any(|(l, _)| l == "breaker.kind"), "{kinds:?}");
}

/// Requests answered at once from several threads give what they give alone.
#[test]
fn concurrent_requests_are_answered_as_alone() {
    let s = Arc::new(state(Limits {
        concurrent_runs: 2,
        ..LIMITS
    }));
    let body = |seed: u64| format!("{{\"scenario\": \"thundering-herd\", \"seed\": {seed}}}");
    let alone: Vec<Value> = (1..=4)
        .map(|seed| run(&s, &body(seed)).1["run"]["figures"].clone())
        .collect();
    let together: Vec<Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..=4u64)
            .map(|seed| {
                let s = Arc::clone(&s);
                scope.spawn(move || run(&s, &body(seed)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let (status, v) = h.join().unwrap();
                assert_eq!(status, 200, "{v}");
                v["run"]["figures"].clone()
            })
            .collect()
    });
    assert_eq!(alone, together);
}

/// Over a socket: a malformed request, an over-limit scenario and a bad body each get an
/// error, and the server goes on answering.
#[test]
fn a_malformed_request_leaves_the_server_serving() {
    use std::io::{Read as _, Write as _};
    let serving = Arc::new(server::bind("127.0.0.1:0".parse().unwrap()).unwrap());
    let addr = serving.addr;
    let loop_ = {
        let serving = Arc::clone(&serving);
        std::thread::spawn(move || serving.run(Arc::new(state(LIMITS))))
    };
    let ask = |raw: &[u8]| -> String {
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        c.write_all(raw).unwrap();
        let mut out = String::new();
        let _ = c.read_to_string(&mut out);
        out
    };
    let garbage = ask(b"\x00\x01GARBAGE NOT HTTP\r\n\r\n");
    assert!(
        garbage.is_empty() || garbage.starts_with("HTTP/1.1 4"),
        "{garbage}"
    );
    let over = br#"{"scenario": "cascade", "set": ["duration=100h"]}"#;
    let mut req = format!(
        "POST /api/run HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        over.len()
    )
    .into_bytes();
    req.extend_from_slice(over);
    let answer = ask(&req);
    assert!(answer.starts_with("HTTP/1.1 422"), "{answer}");
    assert!(answer.contains("an interactive run may simulate"), "{answer}");
    let big = format!(
        "POST /api/run HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        super::MAX_BODY_BYTES + 1
    );
    let answer = ask(big.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let ok = ask(b"GET /api/scenarios HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(
        ok.starts_with("HTTP/1.1 200") && ok.contains("cascade-protected"),
        "{ok}"
    );
    assert!(ok.contains("Content-Security-Policy: default-src 'none'"), "{ok}");
    serving.stop();
    loop_.join().unwrap();
}

/// A directory offers its `*.toml` regular files by file name, read at each request; nothing
/// else in it, and no path, is offered.
#[test]
fn a_directory_offers_its_toml_files_by_name() {
    let dir = std::env::temp_dir().join(format!("meshsim-serve-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub.toml")).unwrap();
    std::fs::write(dir.join("mine.toml"), crate::catalog::find("mmc").unwrap().text).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a scenario").unwrap();
    let files = super::scenario_files(&dir).unwrap();
    assert_eq!(files, vec![dir.join("mine.toml")]);
    let s = State::new(files, None, LIMITS);
    assert_eq!(s.first, "mine.toml");
    let (status, v) = run(&s, "{\"scenario\": \"mine.toml\"}");
    assert_eq!(status, 200, "{v}");
    for name in [
        "notes.txt",
        "sub.toml",
        &dir.join("mine.toml").display().to_string(),
    ] {
        assert_eq!(run(&s, &format!("{{\"scenario\": {name:?}}}")).0, 404, "{name}");
    }
    // Edited on disk: the next request reads it again.
    std::fs::write(dir.join("mine.toml"), "name = 3").unwrap();
    let (status, v) = run(&s, "{\"scenario\": \"mine.toml\"}");
    assert_eq!(status, 422, "{v}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every builtin runs to its end within the bounds of an interactive run.
#[test]
fn every_builtin_runs_within_the_bounds() {
    let s = state(LIMITS);
    for b in crate::catalog::BUILTINS {
        let (status, v) = run(&s, &format!("{{\"scenario\": {:?}}}", b.name));
        assert_eq!(status, 200, "{}: {v}", b.name);
        assert!(
            v["run"]["stopped"].is_null(),
            "{}: {}",
            b.name,
            v["run"]["stopped"]
        );
    }
}
