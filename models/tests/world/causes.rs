//! The chain of causes of a failed client request: a server's `error_response` carries the
//! cause of the required call that made it fail, down to the deepest edge, and a client's
//! failures are counted by (reason, deepest reason, deepest edge).

use models::build::{chain, constant_rate, fault, service, work};
use models::config::{CallStep, Caller, EdgeConfig, FaultKind, PolicyConfig, RetryConfig, RetryOn, Step};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use models::outcome::Failure;
use models::policy::backoff::Backoff;
use models::report::{ClientSummary, Report};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

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
    // client → a retries error_response once. c is black-holed from 10 s to 20 s (b's connect
    // timeout: a 5xx up the chain after 1 s), then takes 10 s a request until 40 s. A request
    // whose first try meets the black hole just before 20 s retries into the slow c and ends
    // with the client's own read timeout (2 s, before b→c's read timeout of 3 s): the call's
    // cause must be that, not the first try's connect timeout at b→c.
    let mut to_a = timed("to-a");
    to_a.timeouts.read = Some(SimDuration::from_secs(2));
    to_a.retry = Some(RetryConfig {
        max_attempts: 2,
        on: RetryOn {
            mask: Failure::ErrorResponse.bit(),
        },
        backoff: Backoff::None,
        budget: None,
    });
    let mut s = chain(
        constant_rate(20.0),
        vec![quick("a"), quick("b"), quick("c")],
        vec![to_a, timed("to-b"), timed("to-c")],
        SimDuration::from_secs(40),
    );
    s.faults.push(fault(
        2,
        FaultKind::Crash { blackhole: true },
        SimTime::from_secs(10),
        Some(SimTime::from_secs(20)),
    ));
    s.faults.push(fault(
        2,
        FaultKind::Slow {
            latency: Some(SimDuration::from_secs(10)),
            multiplier: 1.0,
        },
        SimTime::from_secs(20),
        Some(SimTime::from_secs(40)),
    ));
    let report = models::run(s, 7).report;
    let client = &report.summary.clients[0];
    let deep = cause(client, "error_response ← connect_timeout at b→c").expect("chain");
    assert!(deep.count > 50, "{:?}", client.failed_by_cause);
    let own = cause(client, "read_timeout at client→a").expect("own chain");
    assert!(own.count > 50, "{:?}", client.failed_by_cause);
    // Every read timeout is the client's own, retried or not (20 of them came after a first
    // try that failed with the connect timeout at b→c, seed 7), and only the requests whose
    // last try met the black hole have that as their cause.
    assert_eq!(own.count, client.failed_by.0["read_timeout"]);
    assert_eq!(deep.count, client.failed_by.0["error_response"]);
    let sum: u64 = client.failed_by_cause.iter().map(|c| c.count).sum();
    assert_eq!(sum, client.failed);
}

#[test]
fn a_parallel_steps_first_required_failure_is_the_cause() {
    // b calls c and d at once, both required. From 10 s to 20 s c is black-holed (b's connect
    // timeout after 1 s) and d answers 5xx at once: d's failure comes first and is the cause,
    // although c's call is listed first and fails last.
    let mut s = chain(
        constant_rate(20.0),
        vec![quick("a"), quick("b"), quick("c")],
        vec![timed("to-a"), timed("to-b"), timed("to-c")],
        SimDuration::from_secs(30),
    );
    s.services.push(quick("d"));
    s.policies.push(timed("to-d"));
    s.edges.push(EdgeConfig {
        caller: Caller::Service(ServiceIdx(1)),
        callee: ServiceIdx(3),
        policy: PolicyIdx(3),
    });
    let call = |edge| CallStep {
        edge: EdgeIdx(edge),
        required: true,
    };
    let b_steps = &mut s.services[1].steps;
    assert!(matches!(b_steps.last(), Some(Step::Call(c)) if c.edge == EdgeIdx(2)));
    *b_steps.last_mut().unwrap() = Step::Parallel(vec![call(2), call(3)]);
    s.faults.push(fault(
        2,
        FaultKind::Crash { blackhole: true },
        SimTime::from_secs(10),
        Some(SimTime::from_secs(20)),
    ));
    s.faults.push(fault(
        3,
        FaultKind::Errors {
            rate: 1.0,
            fail_fast: true,
        },
        SimTime::from_secs(10),
        Some(SimTime::from_secs(20)),
    ));
    let report = models::run(s, 5).report;
    let client = &report.summary.clients[0];
    let timeouts = edge_failed(&report, "b→c", Failure::ConnectTimeout);
    assert!(timeouts > 100, "{timeouts} connect timeouts at b→c");
    let c = cause(client, "error_response ← error_response at b→d")
        .unwrap_or_else(|| panic!("no chain to b→d: {:?}", client.failed_by_cause));
    assert_eq!(c.count, client.failed, "{:?}", client.failed_by_cause);
    assert!(c.count > 100);
}

#[test]
fn a_deadline_spent_in_a_backoff_is_the_calls_own_cause() {
    // b → c: a 1.5 s deadline, connect timeouts retried after 1 s. The first try times out
    // connecting at 1 s; the backoff is cut to the deadline at 1.5 s and the call fails with
    // deadline_exceeded at b→c, not with its last try's connect timeout.
    let mut p = timed("to-c");
    p.deadline = Some(SimDuration::from_millis(1500));
    p.retry = Some(RetryConfig {
        max_attempts: 5,
        on: RetryOn {
            mask: Failure::ConnectTimeout.bit(),
        },
        backoff: Backoff::Fixed {
            delay: SimDuration::from_secs(1),
        },
        budget: None,
    });
    let report = three_services(p);
    let client = &report.summary.clients[0];
    let expired = edge_failed(&report, "b→c", Failure::DeadlineExceeded);
    assert!(expired > 100, "{expired} deadlines at b→c");
    assert_eq!(edge_failed(&report, "b→c", Failure::ConnectTimeout), 0);
    let c = cause(client, "error_response ← deadline_exceeded at b→c")
        .unwrap_or_else(|| panic!("no own cause at b→c: {:?}", client.failed_by_cause));
    assert_eq!((c.count, c.depth), (expired, 2));
    assert_eq!(c.count, client.failed, "{:?}", client.failed_by_cause);
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
