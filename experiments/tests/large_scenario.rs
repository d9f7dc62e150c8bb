//! Large and oddly named scenarios through the binary: `run --out` writes every output with a
//! timeline of bounded size that shows what is in most trouble and says what it leaves out, and
//! `meshsim report` draws the same. (Issue 19, item 3: from 83 services on, `run --out` failed
//! with "the chart would be 1600×25066 pixels" and wrote nothing.)

use std::path::Path;

mod common;
use common::{meshsim, ok, scratch};

/// Every file `meshsim run --out` writes without tracing.
const OUTPUTS: [&str; 9] = [
    "summary.json",
    "timeseries.csv",
    "events.jsonl",
    "anatomy.txt",
    "scenario.toml",
    "timeline.svg",
    "timeline.png",
    "topology.svg",
    "topology.png",
];

/// Service `i`'s name: `s000`, `s001`, ..., with `long` characters of `x` after service 0's.
fn service(i: usize, long: usize) -> String {
    if i == 0 && long > 0 {
        format!("s000-{}", "x".repeat(long))
    } else {
        format!("s{i:03}")
    }
}

/// A scenario of `services` services and `clients` open-loop clients: client `c` calls service
/// `c`, service `i` calls service `i + clients`; every seventh service has 2 slots, the rest 50.
/// The last service answers half its requests with a 5xx from 10 s, the one before restarts at
/// 20 s, and service 0 (named with `long` more characters) is slow from 20 s to 40 s.
fn scenario(services: usize, clients: usize, long: usize) -> String {
    let mut s = String::from("name = \"big\"\nduration = \"60s\"\nseed = 1\nbucket = \"1s\"\n\n");
    for c in 0..clients {
        s += &format!(
            "[[clients]]\nname = \"c{c:02}\"\ntarget = \"{}\"\n\
             load = {{ kind = \"open\", rate = 5.0, arrivals = \"poisson\" }}\n\n",
            service(c % services, long)
        );
    }
    for i in 0..services {
        let slots = if i % 7 == 3 { 2 } else { 50 };
        s += &format!(
            "[[services]]\nname = \"{}\"\nreplicas = 1\nslots = {slots}\n\
             queue = {{ capacity = 5, order = \"fifo\" }}\nsteps = [\n  {{ work = \"10ms\" }},\n",
            service(i, long)
        );
        if i + clients < services {
            s += &format!(
                "  {{ call = \"{}\", policy = \"p\" }},\n",
                service(i + clients, long)
            );
        }
        s += "]\n\n";
    }
    s += "[policies.p]\ntimeouts = { connect = \"1s\", read = \"1s\", write = \"1s\", pool = \"1s\" }\n\n";
    let faults = [
        (services - 1, "kind = \"errors\"\nrate = 0.5\nfrom = \"10s\""),
        (
            services - 2,
            "kind = \"restart\"\ndown_for = \"5s\"\nfrom = \"20s\"",
        ),
        (
            0,
            "kind = \"slow\"\nlatency = \"2s\"\nfrom = \"20s\"\nuntil = \"40s\"",
        ),
    ];
    for (i, f) in faults {
        s += &format!("[[faults]]\nservice = \"{}\"\n{f}\n\n", service(i, long));
    }
    s
}

/// Runs `meshsim run FILE --out DIR` on `toml` in a fresh directory `name`; returns the
/// output directory after checking that the run succeeded and wrote every output.
fn run(name: &str, toml: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    let file = dir.join("scenario-in.toml");
    std::fs::write(&file, toml).unwrap();
    let out = dir.join("out");
    ok(&meshsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    for f in OUTPUTS {
        let meta = std::fs::metadata(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(meta.len() > 0, "{f} is empty");
    }
    out
}

/// The (width, height) in the header of the PNG at `path`.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .unwrap();
    (reader.info().width, reader.info().height)
}

/// The row labels of the pod bands of the timeline of the scenario in `file`.
fn pod_rows(file: &Path) -> Vec<String> {
    let opts = experiments::run::RunOptions {
        source: experiments::run::resolve_source(file.to_str().unwrap()).unwrap(),
        overrides: vec![],
        seed: None,
        trace: None,
        check_invariants: false,
    };
    let f = experiments::run::execute(&opts).unwrap();
    let t = experiments::charts::timeline(&f.loaded.scenario, &f.output.report, &f.loaded.hash);
    let pods = t.panels.iter().find_map(|p| match p {
        plots::Panel::Bands(b) if b.title == "Pods" => Some(b),
        _ => None,
    });
    pods.expect("a pod panel")
        .rows
        .iter()
        .map(|r| r.label.clone())
        .collect()
}

/// The texts of the SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim()))
        .collect()
}

#[test]
fn a_scenario_of_120_services_and_40_clients_writes_every_output_with_a_bounded_timeline() {
    let out = run("big", &scenario(120, 40, 0));
    let (w, h) = png_size(&out.join("timeline.png"));
    assert!(u64::from(w) * u64::from(h) <= plots::MAX_PIXELS, "{w}×{h}");
    let svg = std::fs::read_to_string(out.join("timeline.svg")).unwrap();
    let texts = texts(&svg);
    let has = |s: &str| texts.iter().any(|t| t.contains(s));
    // Twelve service panels, among them the two services with failures and restarts, though
    // their names sort last; the note counts the rest.
    let panels: Vec<&&str> = texts
        .iter()
        .filter(|t| t.ends_with(": in flight and queued (time-averaged per bucket)"))
        .collect();
    assert_eq!(panels.len(), 12, "{panels:?}");
    assert!(has("s119: in flight") && has("s118: in flight"), "{panels:?}");
    assert!(has("and 108 more services (see timeseries.csv)"), "{texts:?}");
    // The load and latency panels and the pod bands are cut too, and say so.
    assert!(
        has("and 34 more clients, 114 more edges (see timeseries.csv)"),
        "{texts:?}"
    );
    assert!(
        has("Latency: the 6 clients in most trouble shown; and 34 more clients"),
        "{texts:?}"
    );
    assert!(
        has("Pods: the 40 in most trouble shown; and 80 more pods"),
        "{texts:?}"
    );
    // The restarted pod has its band row (pods rank by kills, restarts and time down, not by
    // errors; its label may be among the rows too short to be labelled, so the chart's data
    // is read).
    let pods = pod_rows(&out.parent().unwrap().join("scenario-in.toml"));
    assert_eq!(pods.len(), 40);
    assert!(pods.contains(&"s118-0".to_string()), "{pods:?}");

    // The same scenario gives the same chart (the choice is deterministic).
    let again = run("big-again", &scenario(120, 40, 0));
    assert_eq!(std::fs::read(again.join("timeline.svg")).unwrap(), svg.as_bytes());

    // The topology is bounded too: the 10 services in most trouble (the three struck by a
    // fault first) and 8 clients, with notes for the rest and nothing else left out, the same
    // bytes again.
    let (w, h) = png_size(&out.join("topology.png"));
    assert!(u64::from(w) * u64::from(h) <= plots::MAX_PIXELS, "{w}×{h}");
    let topo = std::fs::read_to_string(out.join("topology.svg")).unwrap();
    let ttexts = self::texts(&topo);
    let thas = |s: &str| ttexts.iter().any(|t| t.contains(s));
    assert!(
        thas("Services: the 10 in most trouble shown (struck by a fault first); and 110 more services"),
        "{ttexts:?}"
    );
    assert!(
        thas("Clients: the 8 in most trouble shown; and 32 more clients"),
        "{ttexts:?}"
    );
    assert!(!thas("not drawn"), "{ttexts:?}");
    for faulted in ["s000", "s118", "s119"] {
        assert!(ttexts.contains(&faulted), "{faulted} drawn: {ttexts:?}");
    }
    assert_eq!(
        std::fs::read(again.join("topology.svg")).unwrap(),
        topo.as_bytes()
    );

    // `meshsim report` draws the same timeline into its page.
    let page = out.join("report.html");
    let file = out.parent().unwrap().join("scenario-in.toml");
    ok(&meshsim(&[
        "report",
        file.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]));
    let page = std::fs::read_to_string(page).unwrap();
    assert!(page.contains("and 108 more services (see timeseries.csv)"));
}

#[test]
fn a_200_character_service_name_is_shortened_in_the_timeline() {
    let long = 200;
    let out = run("long-name", &scenario(6, 2, long));
    let name = service(0, long);
    let svg = std::fs::read_to_string(out.join("timeline.svg")).unwrap();
    let texts = texts(&svg);
    let shortened = texts
        .iter()
        .filter(|t| t.starts_with("s000-xxx") && t.ends_with('…'))
        .count();
    // Its panel title, its pod's row label, and in the load panel's legend its client's edge.
    assert!(shortened >= 2, "{texts:?}");
    assert!(
        !texts.iter().any(|t| t.contains(&name)),
        "the whole name is never printed"
    );
    let (w, _) = png_size(&out.join("timeline.png"));
    assert_eq!(w, 1600, "the image keeps its width");
    // The topology shortens it in its box and keeps it whole in the box's tooltip.
    let topo = std::fs::read_to_string(out.join("topology.svg")).unwrap();
    let ttexts = self::texts(&topo);
    assert!(
        ttexts
            .iter()
            .any(|t| t.starts_with("s000-xxx") && t.ends_with('…')),
        "{ttexts:?}"
    );
    assert!(!ttexts.iter().any(|t| t.contains(&name)));
    assert!(topo.contains(&format!("<title>service {name}\n")));
}
