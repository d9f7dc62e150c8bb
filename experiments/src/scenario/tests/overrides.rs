//! `--set` overrides by index and by name, new keys, and bad paths.

use models::config::{FaultKind, Load};
use sim_core::time::SimDuration;

use super::{CASCADE, load_with};
use crate::scenario::{ErrorKind, Location, Override};

#[test]
fn by_name_and_by_index_change_the_same_value() {
    let by_name = load_with(CASCADE, &["services.classification.replicas=3"]).unwrap();
    let by_index = load_with(CASCADE, &["services[1].replicas=3"]).unwrap();
    assert_eq!(by_name.scenario.services[1].replicas, 3);
    assert_eq!(by_index.scenario.services[1].replicas, 3);
    assert_eq!(by_name.scenario.services[0].replicas, 2);
    assert_eq!(by_name.hash, by_index.hash);
}

#[test]
fn overrides_reach_every_kind_of_value() {
    let loaded = load_with(
        CASCADE,
        &[
            "duration=300s",
            "faults[0].latency=\"2s\"",
            "policies.naive.retry.max_attempts=5",
            "clients.uploaders.load.users=7",
            "services.upload.liveness.path=dedicated",
            "services.upload.honour_deadlines=true",
            "seed=42",
        ],
    )
    .unwrap();
    let s = &loaded.scenario;
    assert_eq!(s.duration, SimDuration::from_secs(300));
    assert_eq!(
        s.faults[0].kind,
        FaultKind::Slow {
            latency: Some(SimDuration::from_secs(2)),
            multiplier: 1.0
        }
    );
    // A path through a missing table creates it; the reader fills the other defaults.
    let retry = s.policies[0].retry.as_ref().unwrap();
    assert_eq!(retry.max_attempts, 5);
    assert_eq!(retry.backoff.name(), "exponential");
    assert!(matches!(s.clients[0].load, Load::Closed { users: 7, .. }));
    assert_eq!(
        s.services[0].lifecycle.liveness.as_ref().unwrap().path,
        models::config::ProbePath::Dedicated
    );
    assert!(s.services[0].honour_deadlines);
    assert_eq!(loaded.seed, 42);
    // Later overrides win; a bare string and a quoted one are the same.
    let a = load_with(CASCADE, &["faults[0].latency=1s", "faults[0].latency=2s"]).unwrap();
    let b = load_with(CASCADE, &["faults[0].latency=\"2s\""]).unwrap();
    assert_eq!(a.hash, b.hash);
    // A whole table.
    let c = load_with(CASCADE, &["policies.naive.breaker={ kind = \"hystrix\" }"]).unwrap();
    assert_eq!(c.scenario.policies[0].breaker.as_ref().unwrap().name(), "hystrix");
}

#[test]
fn bad_paths_name_the_argument() {
    let cases: [(&str, &str, &str); 6] = [
        ("services[7].replicas=1", "services", "[7]"),
        ("services.nope.replicas=1", "services", "nope"),
        ("name.first=1", "name", "first"),
        ("policies.naive[0]=1", "policies.naive", "[0]"),
        ("faults.x.from=1s", "faults", "x"),
        ("nothing[0].x=1", "", "nothing"),
    ];
    for (arg, path, part) in cases {
        let e = load_with(CASCADE, &[arg]).expect_err(arg);
        assert_eq!(e.kind, ErrorKind::Override, "{e}");
        assert_eq!(e.path, path, "{e}");
        assert_eq!(e.argument(), Some(arg), "{e}");
        assert_eq!(e.line(), None);
        let Location::Override { span, .. } = &e.location else {
            panic!()
        };
        assert_eq!(&arg[span.clone()], part, "{e}");
        assert!(e.to_string().contains(&format!("--set {arg}")), "{e}");
    }
    let e = load_with(CASCADE, &["services.clasification.replicas=1"]).unwrap_err();
    assert_eq!(e.help.as_deref(), Some("did you mean `classification`?"));
}

#[test]
fn values_set_by_override_are_validated_and_located_in_the_argument() {
    let e = load_with(
        CASCADE,
        &["services.upload.slots=1", "services.upload.replicas=-2"],
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Value);
    assert_eq!(e.path, "services[0].replicas");
    assert_eq!(e.found, "-2");
    let Location::Override {
        index,
        argument,
        span,
    } = &e.location
    else {
        panic!("{e}")
    };
    assert_eq!(
        (*index, argument.as_str(), &argument[span.clone()]),
        (Some(1), "services.upload.replicas=-2", "-2")
    );
    let rendered = e.to_string();
    assert!(rendered.starts_with(
        "error: test.toml: --set services.upload.replicas=-2: services[0].replicas: expected an integer ≥ 1, found -2"
    ));
    assert!(
        rendered.ends_with("  | --set services.upload.replicas=-2\n  |                                ^^"),
        "{rendered}"
    );

    // A new key is read like any other: an unknown one is refused, pointing at the argument.
    let e = load_with(CASCADE, &["services.upload.replica=3"]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownKey);
    assert_eq!(e.help.as_deref(), Some("did you mean `replicas`?"));
    let Location::Override { argument, span, .. } = &e.location else {
        panic!()
    };
    assert_eq!(&argument[span.clone()], "replica");

    let e = load_with(CASCADE, &["duration=300"]).unwrap_err();
    assert_eq!((e.kind, e.path.as_str()), (ErrorKind::Type, "duration"));
}

#[test]
fn malformed_arguments() {
    for bad in ["replicas", "=3", "a..b=1", "a[x]=1", "a.=1", "\"open=1"] {
        let e = Override::parse(bad).expect_err(bad);
        assert_eq!(e.kind, ErrorKind::Override, "{bad}");
        assert!(e.to_string().contains(bad), "{e}");
    }
}
