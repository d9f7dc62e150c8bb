//! Failures by chain of causes in the builtins: every failure has exactly one cause (the
//! counts and the per-bucket columns add up to the failures), and the causes name what the
//! scenario is about (`discovery`'s 5xx come from connect timeouts one hop down).

use experiments::catalog::BUILTINS;
use experiments::run::{Finished, execute};
use models::report::{ClientSummary, Report};

mod common;
use common::{meshsim, run_options, scratch};

fn run(name: &str, overrides: &[&str]) -> Finished {
    let f = execute(&run_options(name, overrides)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(f.output.limit.is_none(), "{name} hit a limit");
    f
}

/// Σ over the columns of client `c` whose names start with `prefix`, per bucket.
fn column_sums(r: &Report, c: &str, prefix: &str) -> Vec<f64> {
    let mut total = vec![0.0; r.series.buckets];
    let prefix = format!("client.{c}.{prefix}");
    for col in &r.series.columns {
        if col.name.starts_with(&prefix)
            && let Some(v) = r.series.num(&col.name)
        {
            total.iter_mut().zip(v).for_each(|(t, x)| *t += x);
        }
    }
    total
}

fn edge_failed(r: &Report, edge: &str, reason: &str) -> u64 {
    let e = r.summary.edges.iter().find(|e| e.name == edge).expect("edge");
    e.failed_by().0[reason]
}

#[test]
fn every_failure_of_every_builtin_has_one_cause() {
    let mut with_chains = 0;
    for b in BUILTINS {
        let f = run(b.name, &[]);
        let r = &f.output.report;
        for c in &r.summary.clients {
            let sum: u64 = c.failed_by_cause.iter().map(|x| x.count).sum();
            assert_eq!(sum, c.failed, "{}: {}", b.name, c.name);
            for reason in models::outcome::Failure::ALL.map(|f| f.name()) {
                let by_reason: u64 = (c.failed_by_cause.iter())
                    .filter(|x| x.reason == reason)
                    .map(|x| x.count)
                    .sum();
                assert_eq!(
                    by_reason, c.failed_by.0[reason],
                    "{}: {} {reason}",
                    b.name, c.name
                );
            }
            // Per bucket too: the cause columns hold every failure once.
            assert_eq!(
                column_sums(r, &c.name, "cause."),
                column_sums(r, &c.name, "failed."),
                "{}: {}",
                b.name,
                c.name
            );
            with_chains += c.failed_by_cause.iter().filter(|x| x.depth > 0).count();
        }
        let columns = r.series.columns.len() as u64;
        assert!(
            columns <= f.loaded.scenario.series_columns(),
            "{}: {columns} columns",
            b.name
        );
    }
    assert!(with_chains > 0, "some builtin fails below its clients");
}

fn cause<'a>(c: &'a ClientSummary, chain: &str) -> &'a models::causes::CauseCount {
    c.failed_by_cause
        .iter()
        .find(|x| x.chain == chain)
        .unwrap_or_else(|| panic!("no {chain}: {:?}", c.failed_by_cause))
}

#[test]
fn discoverys_5xx_are_connect_timeouts_one_hop_down() {
    let f = run("discovery", &[]);
    let r = &f.output.report;
    let users = &r.summary.clients[0];
    let timeouts = edge_failed(r, "api→backend", "connect_timeout");
    assert!(timeouts > 100, "{timeouts}");
    let c = cause(users, "error_response ← connect_timeout at api→backend");
    assert_eq!(
        (c.deepest_reason, c.deepest_edge.as_str(), c.depth),
        ("connect_timeout", "api→backend", 1)
    );
    // Each api→backend call that failed connecting made one users request fail.
    assert_eq!(c.count, timeouts);
    assert_eq!(users.failed_by_cause[0].chain, c.chain, "the most frequent cause");
    // The terminal says so under the clients table.
    let table = experiments::text::summary_table(&r.summary, "h");
    let line = table
        .lines()
        .find(|l| l.contains("error_response ← connect_timeout at api→backend"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(line.contains(&c.count.to_string()), "{line}");
}

#[test]
fn the_outcome_panel_stacks_failures_by_deepest_cause() {
    let f = run("discovery", &[]);
    let t = experiments::charts::timeline(&f.loaded.scenario, &f.output.report, "h");
    let plots::Panel::Stacked(p) = &t.panels[1] else {
        panic!("the second panel is the outcomes")
    };
    let labels: Vec<&str> = p.layers.iter().map(|l| l.label.as_str()).collect();
    assert!(labels.contains(&"connect timeout at api→backend"), "{labels:?}");
    // The layers hold every outcome: ok + degraded + failed, per bucket.
    let users = &f.output.report.summary.clients[0];
    let bucket = f.output.report.series.bucket_s;
    let total: f64 = p.layers.iter().flat_map(|l| &l.values).sum::<f64>() * bucket;
    let finished = (users.ok + users.degraded + users.failed) as f64;
    assert!(
        (total - finished).abs() < 1e-6 * finished,
        "{total} vs {finished}"
    );
}

#[test]
fn the_report_has_the_failure_causes_table() {
    let dir = scratch("report");
    let page = dir.join("discovery.html");
    let o = meshsim(&["report", "discovery", "-o", page.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    let at = html.find("<h3>Failure causes</h3>").expect("a causes table");
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    assert!(
        table.contains("<td>error_response ← connect_timeout at api→backend</td>"),
        "{table}"
    );
}

/// Two clients failing for the same reason on their own edges: the outcome panel names each
/// layer once (a client's own failures carry its edge when there is more than one client).
/// Before, both were labelled by the reason alone ("read timeout", "read timeout").
#[test]
fn the_outcome_panels_labels_are_unique_with_two_clients() {
    let file = scratch("two-clients").join("two.toml");
    let mut toml = String::from_utf8(meshsim(&["show", "metastable"]).stdout).unwrap();
    toml.push_str(
        "\n[[clients]]\nname = \"others\"\ntarget = \"api\"\npolicy = \"client\"\n\
         load = { kind = \"open\", rate = 300.0, arrivals = \"poisson\" }\n",
    );
    std::fs::write(&file, toml).unwrap();
    let f = run(file.to_str().unwrap(), &["duration=100s"]);
    let t = experiments::charts::timeline(&f.loaded.scenario, &f.output.report, "h");
    let plots::Panel::Stacked(p) = &t.panels[1] else {
        panic!("the second panel is the outcomes")
    };
    let labels: Vec<&str> = p.layers.iter().map(|l| l.label.as_str()).collect();
    let mut unique = labels.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "{labels:?}");
    // Both clients' own timeouts are there, each named by its edge.
    let own = labels
        .iter()
        .filter(|l| l.starts_with("read timeout at "))
        .count();
    assert!(own >= 2, "{labels:?}");
}
