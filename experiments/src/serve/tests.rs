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

/// A `<text>` element of an SVG: its `x`, `y`, `dy`, `text-anchor` and its content.
struct Text {
    x: f64,
    y: f64,
    dy: String,
    anchor: String,
    content: String,
}

/// The value of attribute `name` in an element's opening tag `open` (which starts with a space).
fn attr(open: &str, name: &str) -> Option<String> {
    let from = open.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(open[from..from + open[from..].find('"')?].to_string())
}

fn texts(svg: &str) -> Vec<Text> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| {
            let open = format!(" {}", &t[..t.find('>')?]);
            Some(Text {
                x: attr(&open, "x")?.parse().ok()?,
                y: attr(&open, "y")?.parse().ok()?,
                dy: attr(&open, "dy").unwrap_or_default(),
                anchor: attr(&open, "text-anchor").unwrap_or_default(),
                content: t[t.find('>')? + 1..t.find("</text>")?].trim().to_string(),
            })
        })
        .collect()
}

/// The x-axis tick labels of a timeline SVG (centred numbers under the panels) with `x` in
/// `from..to`.
fn x_ticks_in(svg: &str, from: f64, to: f64) -> Vec<String> {
    let mut ticks: Vec<String> = texts(svg)
        .into_iter()
        .filter(|t| t.dy == "0.76em" && t.anchor == "middle" && (from..to).contains(&t.x))
        .map(|t| t.content)
        .filter(|t| t.parse::<f64>().is_ok())
        .collect();
    ticks.sort();
    ticks.dedup();
    ticks
}

fn x_ticks(svg: &str) -> Vec<String> {
    x_ticks_in(svg, 0.0, f64::INFINITY)
}

/// The y-axis tick labels (right-aligned numbers) with `x` in `from..to`, as (their height in
/// pixels, label), in page order.
fn y_ticks_in(svg: &str, from: f64, to: f64) -> Vec<(i64, String)> {
    texts(svg)
        .into_iter()
        .filter(|t| t.anchor == "end" && (from..to).contains(&t.x))
        .filter(|t| t.content.starts_with(|c: char| c.is_ascii_digit()))
        .map(|t| (t.y.round() as i64, t.content))
        .collect()
}

#[test]
fn ab_draws_both_timelines_on_shared_axes_with_the_compare_diff() {
    let s = state(LIMITS);
    let (status, v) = run(
        &s,
        "{\"scenario\": \"cascade\", \"set\": [\"duration=100s\"], \"pin\": {\"scenario\": \"cascade\"}}",
    );
    assert_eq!(status, 200, "{v}");
    let ab = &v["ab"];
    let svg = ab["timeline_svg"].as_str().unwrap();
    // One image, both columns, each titled with its label (the names are equal, so each
    // label says what sets its run apart).
    assert_eq!(
        (ab["a_label"].as_str(), ab["b_label"].as_str()),
        (Some("cascade"), Some("cascade (duration=100s)"))
    );
    assert_eq!(svg.matches("<svg").count(), 1);
    let titles: Vec<String> = texts(svg).into_iter().map(|t| t.content).collect();
    for title in ["A: cascade", "B: cascade (duration=100s)"] {
        assert!(titles.iter().any(|t| t == title), "{title}: {titles:?}");
    }
    assert!(
        svg.contains("<title>") && svg.contains("role=\"img\""),
        "tooltips, labelled"
    );
    // The columns split the image in half: A left, B right.
    let width: f64 = attr(&svg[3..svg.find('>').unwrap()], "width")
        .unwrap()
        .parse()
        .unwrap();
    let half = width / 2.0;
    let (a_x, b_x) = (x_ticks_in(svg, 0.0, half), x_ticks_in(svg, half, f64::INFINITY));
    assert!(a_x.contains(&"300".to_string()), "{a_x:?}");
    assert_eq!(a_x, b_x, "one time axis for A (300 s) and B (100 s)");
    assert_ne!(
        x_ticks(v["run"]["timeline_svg"].as_str().unwrap()),
        b_x,
        "B alone ends at 100 s"
    );
    // Each row of panels has one y axis: the same labels at the same heights in both columns.
    let (a_y, b_y) = (y_ticks_in(svg, 0.0, half), y_ticks_in(svg, half, f64::INFINITY));
    assert!(a_y.len() > 10, "{a_y:?}");
    assert_eq!(a_y, b_y);
    // The diff table is compare's, coloured where B is better or worse.
    let diff = ab["diff_html"].as_str().unwrap();
    assert!(diff.contains("<table class=\"diff\">"), "{diff}");
    assert!(
        diff.contains("<th scope=\"row\">client uploaders</th><td>goodput/s</td>")
            && diff.contains("<td>wasted work (slot-s)</td>"),
        "{diff}"
    );
    assert!(diff.contains("<tr class=\"worse\">") || diff.contains("<tr class=\"better\">"));
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

/// The form's fields hold the effective values: a run of every builtin with every field set to
/// its value as an override (all but the empty ones: keys the file leaves out with no default
/// to show) gives the same figures as the scenario alone.
#[test]
fn the_form_holds_the_effective_values_with_the_schemas_types() {
    let s = state(LIMITS);
    for name in crate::catalog::names() {
        let (status, v) = post(&s, "/api/form", &format!("{{\"scenario\": {name:?}}}"));
        assert_eq!(status, 200, "{v}");
        let fields = v["fields"].as_array().unwrap();
        let set: Vec<String> = fields
            .iter()
            .filter(|f| f["value"] != "")
            .map(|f| format!("{}={}", f["path"].as_str().unwrap(), f["value"].as_str().unwrap()))
            .collect();
        assert!(set.len() <= super::MAX_SETS, "{name}: {} fields", set.len());
        // The pin is the scenario alone, B the same with every field set: A/B's key figures
        // are equal in every row.
        let body = serde_json::json!({"scenario": name, "set": set, "pin": {"scenario": name}});
        let (status, v) = run(&s, &body.to_string());
        assert_eq!(status, 200, "{v}");
        let diff = v["ab"]["diff_html"].as_str().unwrap();
        let rows: Vec<Vec<&str>> = diff
            .split("<tr")
            .skip(2)
            .map(|r| {
                r.split("<td")
                    .skip(1)
                    .map(|c| &c[c.find('>').unwrap() + 1..c.find("</td>").unwrap()])
                    .collect()
            })
            .collect();
        assert!(rows.len() > 5, "{diff}");
        for r in &rows {
            assert_eq!(r[1], r[2], "{name}: {r:?} with {set:?}");
        }
        let plain = run(&s, &format!("{{\"scenario\": {name:?}}}")).1;
        assert_eq!(plain["run"]["facts"], v["run"]["facts"], "{name}");
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
        ("breaker.window", "enum"),
        ("breaker.window.size", "int"),
        ("breaker.failure_rate", "float"),
        ("breaker.permitted_in_half_open", "int"),
        ("breaker.automatic_transition", "bool"),
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
        .map(|seed| run(&s, &body(seed)).1["run"]["tables_html"].clone())
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
                v["run"]["tables_html"].clone()
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

/// The keys docs/scenarios.md documents, by scope: the `| key |` tables (under their heading or
/// bold label) and the keys column of the `| kind |` tables, as (scope, kind or "", key).
fn documented_keys() -> Vec<(String, String, String)> {
    let doc = include_str!("../../../docs/scenarios.md");
    let mut out = Vec::new();
    let mut scope = String::new();
    let mut table: Option<bool> = None; // Some(true): a kind table
    for line in doc.lines() {
        if line.starts_with("## ") || line.starts_with("**") {
            scope = line.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
            table = None;
            continue;
        }
        if !line.starts_with('|') {
            table = None;
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        match table {
            None if cells[1] == "key" => table = Some(false),
            None if cells[1] == "`kind`" && cells[2].starts_with("keys") => table = Some(true),
            None | Some(_) if cells[1].starts_with("---") => {}
            Some(false) => out.push((
                scope.clone(),
                String::new(),
                cells[1].trim_matches('`').to_string(),
            )),
            Some(true) => {
                let kind = cells[1].trim_matches('`').to_string();
                for (i, tok) in cells[2].split('`').enumerate() {
                    let key: String = tok
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    let literal = ["true", "false", "none"].contains(&key.as_str());
                    let whole = key.len() == tok.len() || tok[key.len()..].starts_with(' ');
                    if i % 2 == 1 && !key.is_empty() && !literal && whole {
                        out.push((scope.clone(), kind.clone(), key));
                    }
                }
            }
            None => {}
        }
    }
    out
}

/// Every key docs/scenarios.md documents for the parts a builtin has appears in its form: as a
/// field at its path, as the keys below it (a table such as `timeouts`), or under a TOML field
/// (a probe or budget the file does not declare, a part that is `"none"`).
#[test]
fn every_documented_key_of_a_builtins_parts_is_in_its_form() {
    let docs = documented_keys();
    let scope = |s: &str, kind: &str| -> Vec<String> {
        docs.iter()
            .filter(|(sc, k, _)| sc.starts_with(s) && k == kind)
            .map(|(_, _, key)| key.clone())
            .collect()
    };
    // Sanity: the parser found the tables it is about.
    for (s, k, min) in [
        ("## Top level", "", 10),
        ("## Services", "", 15),
        ("**Probes**", "", 7),
        ("**`breaker`**", "resilience4j", 8),
        ("**`load`**", "closed", 4),
        ("## Faults", "", 6),
        ("## Faults", "capacity_cut", 2),
    ] {
        assert!(scope(s, k).len() >= min, "{s} {k}: {:?}", scope(s, k));
    }
    // Identity and structure, not parameters: names (renaming is not exploring), the seed (the
    // bar's own field), and the top-level arrays and tables whose elements are the groups.
    let not_fields = [
        "name",
        "description",
        "seed",
        "clients",
        "services",
        "policies",
        "faults",
    ];
    let s = state(LIMITS);
    for name in crate::catalog::names() {
        let (_, v) = post(&s, "/api/form", &format!("{{\"scenario\": {name:?}}}"));
        let fields: Vec<(String, String)> = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().into(),
                    f["kind"].as_str().unwrap().into(),
                )
            })
            .collect();
        let covered = |path: &str| {
            fields.iter().any(|(p, k)| {
                p == path
                    || p.starts_with(&format!("{path}."))
                    || (k == "toml" && path.starts_with(&format!("{p}.")))
            })
        };
        let loaded = load(&Source::new(name, crate::catalog::find(name).unwrap().text), &[]).unwrap();
        let sc = &loaded.scenario;
        let mut expected: Vec<String> = scope("## Top level", "");
        let field_value = |path: &str| {
            v["fields"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["path"] == path)
                .map(|f| f["value"].as_str().unwrap().to_string())
        };
        for c in &sc.clients {
            let p = format!("clients.{}.", c.name);
            let load = field_value(&format!("{p}load")).unwrap();
            let kind = load.split('"').nth(1).unwrap();
            expected.extend(
                scope("## Clients", "")
                    .iter()
                    .filter(|k| *k != "policy")
                    .map(|k| format!("{p}{k}")),
            );
            expected.extend(scope("**`load`**", kind).iter().map(|k| format!("{p}load.{k}")));
        }
        for svc in &sc.services {
            let p = format!("services.{}.", svc.name);
            expected.extend(scope("## Services", "").iter().map(|k| format!("{p}{k}")));
            for probe in ["liveness", "readiness", "startup_probe"] {
                expected.extend(scope("**Probes**", "").iter().map(|k| format!("{p}{probe}.{k}")));
            }
            let d = field_value(&format!("{p}discovery")).unwrap();
            let kind = d.split('"').nth(1).unwrap();
            expected.extend(
                scope("**Discovery**", kind)
                    .iter()
                    .map(|k| format!("{p}discovery.{k}")),
            );
        }
        let tree =
            crate::scenario::load_tree(&Source::new(name, crate::catalog::find(name).unwrap().text), &[])
                .unwrap();
        for pol in sc
            .policies
            .iter()
            .filter(|p| tree.get("policies").and_then(|t| t.get(&p.name)).is_some())
        {
            let p = format!("policies.{}.", pol.name);
            expected.extend(scope("## Policies", "").iter().map(|k| format!("{p}{k}")));
            for (label, sub) in [
                ("**`timeouts`**", "timeouts"),
                ("**`pool`**", "pool"),
                ("**`retry`**:", "retry"),
                ("**`bulkhead`**", "bulkhead"),
            ] {
                expected.extend(scope(label, "").iter().map(|k| format!("{p}{sub}.{k}")));
            }
            if let Some(b) = &pol.breaker {
                expected.extend(
                    scope("**`breaker`**", b.name())
                        .iter()
                        .map(|k| format!("{p}breaker.{k}")),
                );
            }
            if pol.retry.as_ref().is_some_and(|r| r.budget.is_some()) {
                let kind = field_value(&format!("{p}retry.budget")).unwrap();
                let kind = kind.split('"').nth(1).unwrap().to_string();
                expected.extend(
                    scope("**`retry.budget`**", &kind)
                        .iter()
                        .map(|k| format!("{p}retry.budget.{k}")),
                );
            }
        }
        for (i, f) in sc.faults.iter().enumerate() {
            let p = format!("faults[{i}].");
            let kind = field_value(&format!("faults[{i}]")).unwrap();
            let kind = kind
                .split("kind = \"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            let no_until = matches!(kind.as_str(), "restart" | "reschedule");
            expected.extend(
                scope("## Faults", "")
                    .iter()
                    .filter(|k| !(no_until && *k == "until") && *k != "kind")
                    .map(|k| format!("{p}{k}")),
            );
            // A slow fault takes exactly one of `latency` and `multiplier`.
            let one_of = matches!(f.kind, models::config::FaultKind::Slow { latency: Some(_), .. });
            expected.extend(
                scope("## Faults", &kind)
                    .iter()
                    .filter(|k| kind != "slow" || (one_of == (*k == "latency")))
                    .map(|k| format!("{p}{k}")),
            );
        }
        let missing: Vec<&String> = expected
            .iter()
            .filter(|path| {
                !not_fields
                    .iter()
                    .any(|n| path.ends_with(&format!(".{n}")) || path == n)
            })
            .filter(|path| !covered(path))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: documented keys with no field: {missing:?}"
        );
    }
}

/// The form of an edited scenario: a switched `kind` shows the new kind's keys with their
/// defaults, each a `--set` path that runs.
#[test]
fn the_form_follows_a_switched_kind() {
    let s = state(LIMITS);
    let (_, base) = post(&s, "/api/form", "{\"scenario\": \"breaker\"}");
    let kind = base["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "policies.guarded.breaker")
        .unwrap()
        .clone();
    let labels: Vec<&str> = kind["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(labels, ["lesson", "resilience4j", "hystrix"]);
    let hystrix = kind["choices"][2].as_str().unwrap();
    let switch = format!("policies.guarded.breaker={hystrix}");
    let (status, v) = post(
        &s,
        "/api/form",
        &serde_json::json!({"scenario": "breaker", "set": [switch]}).to_string(),
    );
    assert_eq!(status, 200, "{v}");
    let paths: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"policies.guarded.breaker.request_volume"),
        "{paths:?}"
    );
    assert!(
        !paths.contains(&"policies.guarded.breaker.minimum_calls"),
        "{paths:?}"
    );
    let (status, v) = run(
        &s,
        &serde_json::json!({"scenario": "breaker", "set": [switch, "policies.guarded.breaker.request_volume=5"]}).to_string(),
    );
    assert_eq!(status, 200, "{v}");
    // A slow fault's other key (exactly one of `latency` and `multiplier`) is a kind choice.
    let (_, v) = post(&s, "/api/form", "{\"scenario\": \"cascade\"}");
    let fault = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "faults[0]")
        .unwrap()
        .clone();
    let i = fault["labels"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| l == "slow (multiplier)")
        .unwrap();
    let switch = format!("faults[0]={}", fault["choices"][i].as_str().unwrap());
    let (_, v) = post(
        &s,
        "/api/form",
        &serde_json::json!({"scenario": "cascade", "set": [&switch]}).to_string(),
    );
    let paths: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"faults[0].multiplier") && !paths.contains(&"faults[0].latency"),
        "{paths:?}"
    );
    // A bad edit leaves the form to the page (422), as a run would.
    let (status, _) = post(
        &s,
        "/api/form",
        "{\"scenario\": \"breaker\", \"set\": [\"duration=2x\"]}",
    );
    assert_eq!(status, 422);
}

/// The resilience4j window select offers whole `window` tables, each accepted by the reader
/// (a bare `window.type = "time"` was refused for the count window's leftover `size`); and a
/// fault's service comes after its kind select, so an edit of it, sent in field order, is not
/// undone by the kind's whole-table value.
#[test]
fn a_window_switch_runs_and_a_faults_service_follows_its_kind() {
    let s = state(LIMITS);
    let (_, v) = post(&s, "/api/form", "{\"scenario\": \"breaker\"}");
    let fields = v["fields"].as_array().unwrap();
    let path = |f: &Value| f["path"].as_str().unwrap().to_string();
    let window = fields
        .iter()
        .find(|f| path(f).ends_with(".breaker.window"))
        .expect("a window select");
    let choices = window["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 2, "{window}");
    for choice in choices {
        let set = format!("{}={}", path(window), choice.as_str().unwrap());
        let body = serde_json::json!({"scenario": "breaker", "set": [set, "duration=40s"]});
        let (status, v) = run(&s, &body.to_string());
        assert_eq!(status, 200, "{set}: {v}");
    }
    let at = |p: &str| fields.iter().position(|f| path(f) == p).expect(p);
    assert!(at("faults[0]") < at("faults[0].service"));
}
