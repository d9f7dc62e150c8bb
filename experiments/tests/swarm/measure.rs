//! How small shrinking gets a scenario, measured (not run in CI: it runs scenarios in the test
//! profile for minutes). `cargo test -p experiments --test swarm measure -- --ignored
//! --nocapture` prints, for a few injected failures (a property of the tree, or of the run's
//! summary), the canonical lines and bytes of the scenario before and after shrinking and the
//! tries and steps it took; `DUMP=FILE … dump_canonical` writes seeds 0..1000's canonical trees,
//! feature words and descriptions, to compare two generators.
use experiments::scenario::{Source, load, tree};
use experiments::swarm::{self, Spec, generate, shrink_with};

use super::{faults_of_kind, rich_spec};

fn canon(s: &Spec) -> String {
    tree::canonical(&tree::parse_document(&s.to_toml()).unwrap())
}
fn report(what: &str, spec: &Spec, small: &Spec, tries: usize, steps: usize) {
    assert!(loads(small), "{what}: the shrunk scenario does not load");
    let c0 = canon(spec);
    let c = canon(small);
    println!(
        "MEASURE {what}: seed {} before {} canonical lines; after {} canonical lines {} bytes, to_toml {} lines; tries {tries} steps {steps}",
        spec.seed,
        c0.lines().count(),
        c.lines().count(),
        c.len(),
        small.to_toml().lines().count()
    );
    println!("{c}");
}
fn loads(s: &Spec) -> bool {
    load(&Source::new("s.toml", s.to_toml()), &[]).is_ok()
}

#[test]
#[ignore]
fn measure() {
    let fails = |s: &Spec| faults_of_kind(s, "crash") > 0 && loads(s);
    let spec = rich_spec(|_| true);
    let (small, t, st) = shrink_with(spec.clone(), 10_000, fails);
    report("crash-fault", &spec, &small, t, st);
    let deep = |s: &Spec| {
        s.items("clients").iter().any(|c| {
            s.items("services").iter().any(|svc| {
                svc.get("name") == c.get("target")
                    && match svc.get("steps").map(|x| &x.value) {
                        Some(tree::Value::Array(steps)) => steps.iter().any(|st| st.get("work").is_none()),
                        _ => false,
                    }
            })
        }) && loads(s)
    };
    let spec = rich_spec(deep);
    let (small, t, st) = shrink_with(spec.clone(), 10_000, deep);
    report("deep-chain", &spec, &small, t, st);
    for seed in [3u64, 4, 6] {
        let spec = generate(seed);
        let limit = |s: &Spec| swarm::check_spec(s).is_ok_and(|x| x.hit_limit);
        if limit(&spec) {
            let (small, t, st) = shrink_with(spec.clone(), 400, limit);
            report("hit-limit", &spec, &small, t, st);
        }
        let busy = |s: &Spec| swarm::check_spec(s).is_ok_and(|x| x.requests >= 100);
        if busy(&spec) {
            let (small, t, st) = shrink_with(spec.clone(), 400, busy);
            report("100-requests", &spec, &small, t, st);
        }
    }
}

#[test]
#[ignore]
fn dump_canonical() {
    let mut all = String::new();
    for seed in 0..1000 {
        let s = generate(seed);
        all.push_str(&format!(
            "### {seed}\n{}\nFEATURES {:?}\nDESCRIBE {}\n",
            canon(&s),
            s.features(),
            s.describe()
        ));
    }
    std::fs::write(std::env::var("DUMP").unwrap(), all).unwrap();
}
