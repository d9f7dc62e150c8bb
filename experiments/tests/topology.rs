//! The topology picture of every builtin: it names every service, client and edge policy, marks
//! the cascade's fault on classification, carries tooltips, and is the same bytes run after run.

use experiments::catalog::BUILTINS;
use experiments::run::{Finished, execute};

mod common;
use common::run_options;

/// Runs a builtin (the topology depends on the scenario; the run only feeds the ranking of a
/// large scenario's boxes).
fn run(name: &str) -> Finished {
    execute(&run_options(name, &[])).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The texts of the SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim()))
        .collect()
}

#[test]
fn every_builtin_names_its_services_clients_and_policies() {
    for b in BUILTINS {
        let f = run(b.name);
        let s = &f.loaded.scenario;
        let t = experiments::charts::topology(s, &f.output.report, &f.loaded.hash);
        let svg = plots::topology_svg(&t).unwrap();
        let texts = texts(&svg);
        for name in s
            .services
            .iter()
            .map(|v| &v.name)
            .chain(s.clients.iter().map(|c| &c.name))
        {
            assert!(texts.contains(&name.as_str()), "{}: {name} not drawn", b.name);
        }
        for e in &s.edges {
            let policy = &s.policies[e.policy.idx()].name;
            assert!(
                texts.contains(&policy.as_str()),
                "{}: policy {policy} not drawn",
                b.name
            );
        }
        assert_eq!(t.arrows.len(), s.edges.len(), "{}: an arrow per edge", b.name);
        for (i, _) in s.edges.iter().enumerate() {
            let edge = s.edge_name(models::ids::EdgeIdx(i as u32));
            assert!(
                svg.contains(&format!("<title>{edge}\n")),
                "{}: no tooltip for {edge}",
                b.name
            );
        }
        // Each part of a policy is named once in its tooltip ("pool: pool: …" was a slip).
        assert!(!svg.contains("pool: pool:"), "{}", b.name);
        assert!(svg.contains("\npool: "), "{}: the pool in a tooltip", b.name);
        for v in &s.services {
            assert!(
                svg.contains(&format!("<title>service {}\n", v.name)),
                "{}",
                b.name
            );
        }
    }
}

#[test]
fn the_cascade_marks_its_fault_on_classification() {
    let f = run("cascade");
    let t = experiments::charts::topology(&f.loaded.scenario, &f.output.report, &f.loaded.hash);
    for n in &t.nodes {
        if n.name == "classification" {
            assert_eq!(n.faults, ["⚠ slow (15s), from 30s"]);
            assert!(
                n.tooltip
                    .contains("fault: slow: every request takes 15s, from 30s"),
                "{}",
                n.tooltip
            );
        } else {
            assert!(n.faults.is_empty(), "{} has no fault", n.name);
        }
    }
    let svg = plots::topology_svg(&t).unwrap();
    assert!(texts(&svg).contains(&"⚠ slow (15s), from 30s"));
}

#[test]
fn the_same_scenario_gives_the_same_bytes() {
    let draw = || {
        let f = run("cascade-protected");
        let t = experiments::charts::topology(&f.loaded.scenario, &f.output.report, &f.loaded.hash);
        (plots::topology_svg(&t).unwrap(), plots::topology_png(&t).unwrap())
    };
    assert!(draw() == draw(), "the topology differs between two runs");
}
