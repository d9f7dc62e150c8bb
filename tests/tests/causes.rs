//! The chain of causes of a failed client request: a server's `error_response` carries the
//! cause of the required call that made it fail, down to the deepest edge, and a client's
//! failures are counted by (reason, deepest reason, deepest edge).

use models::config::{FaultKind, PolicyConfig, RetryConfig, RetryOn};
use models::outcome::Failure;
use models::policy::backoff::Backoff;
use models::report::{ClientSummary, Report};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};
use tests::build::{chain, constant_rate, fault, service, work};

fn quick(name: &str) -> models::config::ServiceConfig {
    service(name, 2, 50, vec![work(Dist::constant(0.001).unwrap())])
}

/// Timeouts on every phase, so nothing hangs: connect 1 s, read 3 s.
fn timed(name: &str) -> PolicyConfig {
    let mut p = PolicyConfig::unlimited(name, None);
    p.timeouts.connect = Some(SimDuration::from_secs(1));
    p.timeouts.read = Some(SimDuration::from_secs(3));
    // A new connection per request: every attempt to a black-holed pod connects.
    p.pool.max_keepalive = 0;
    p
}

/// client → a → b → c, c black-holed from 10 s to 20 s.
fn three_services(c_policy: PolicyConfig) -> Report {
    let mut s = chain(
        constant_rate(20.0),
        vec![quick("a"), quick("b"), quick("c")],
        vec![timed("to-a"), timed("to-b"), c_policy],
        SimDuration::from_secs(40),
    );
    s.faults.push(fault(
        2,
        FaultKind::Crash { blackhole: true },
        SimTime::from_secs(10),
        Some(SimTime::from_secs(20)),
    ));
    models::run(s, 7).report
}

fn cause<'a>(c: &'a ClientSummary, chain: &str) -> Option<&'a models::causes::CauseCount> {
    c.failed_by_cause.iter().find(|x| x.chain == chain)
}

fn edge_failed(report: &Report, edge: &str, reason: Failure) -> u64 {
    let e = report
        .summary
        .edges
        .iter()
        .find(|e| e.name == edge)
        .expect("edge");
    e.counts.failed.get(reason)
}

#[test]
fn a_connect_timeout_two_hops_down_is_the_deepest_cause_of_the_clients_error_response() {
    let report = three_services(timed("to-c"));
    let client = &report.summary.clients[0];
    let timeouts = edge_failed(&report, "b→c", Failure::ConnectTimeout);
    assert!(timeouts > 100, "{timeouts} connect timeouts at b→c");
    // Without the chain the client sees only error_response (its own reason).
    assert!(client.failed_by.0["error_response"] >= timeouts);
    let c = cause(client, "error_response ← connect_timeout at b→c")
        .unwrap_or_else(|| panic!("no chain to b→c: {:?}", client.failed_by_cause));
    assert_eq!(
        (c.reason, c.deepest_reason, c.deepest_edge.as_str()),
        ("error_response", "connect_timeout", "b→c")
    );
    assert_eq!(c.depth, 2, "a→b and client→a answered 5xx above it");
    // Every connect timeout at b→c failed one client request, and nothing else did.
    assert_eq!(c.count, timeouts);
    assert_eq!(c.count, client.failed);
    // The intermediate edges fail with error_response, caused further down.
    assert_eq!(edge_failed(&report, "a→b", Failure::ErrorResponse), timeouts);
}

#[test]
fn a_retried_call_has_its_last_tries_cause() {
    // b → c retries connect timeouts once; the call's cause is its second try's.
    let mut p = timed("to-c");
    p.retry = Some(RetryConfig {
        max_attempts: 2,
        on: RetryOn {
            mask: Failure::ConnectTimeout.bit(),
        },
        backoff: Backoff::None,
        budget: None,
    });
    let report = three_services(p);
    let client = &report.summary.clients[0];
    let c = cause(client, "error_response ← connect_timeout at b→c").expect("chain");
    assert!(c.count > 50);
    assert_eq!(c.count, edge_failed(&report, "b→c", Failure::ConnectTimeout));
    let sum: u64 = client.failed_by_cause.iter().map(|c| c.count).sum();
    assert_eq!(sum, client.failed);
}

#[test]
fn a_clients_own_failure_is_its_own_cause() {
    // The client's edge times out reading before the connect timeout below: the client's
    // read timeout at client→a is the deepest thing it knows.
    let mut s = chain(
        constant_rate(20.0),
        vec![quick("a"), quick("b")],
        vec![
            {
                let mut p = timed("to-a");
                p.timeouts.read = Some(SimDuration::from_millis(500));
                p
            },
            timed("to-b"),
        ],
        SimDuration::from_secs(30),
    );
    s.faults.push(fault(
        1,
        FaultKind::Crash { blackhole: true },
        SimTime::from_secs(10),
        Some(SimTime::from_secs(20)),
    ));
    let report = models::run(s, 3).report;
    let client = &report.summary.clients[0];
    let c = cause(client, "read_timeout at client→a")
        .unwrap_or_else(|| panic!("no own cause: {:?}", client.failed_by_cause));
    assert_eq!((c.depth, c.count), (0, client.failed));
    assert!(c.count > 100);
}

#[test]
fn cause_columns_sum_to_the_failures_per_bucket() {
    let report = three_services(timed("to-c"));
    let s = &report.series;
    let by_cause = s
        .num("client.client.cause.b→c.connect_timeout")
        .expect("a column for the deepest cause");
    let failed = s.num("client.client.failed.error_response").expect("failed");
    assert_eq!(by_cause, failed);
    assert!(by_cause.iter().sum::<f64>() > 100.0);
}
