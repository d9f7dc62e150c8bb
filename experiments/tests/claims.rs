//! Each builtin's claim in docs/catalog.md, asserted over five seeds (`experiments::claims`).
//! A claim is a comparison between configurations of one scenario; these tests fail if the
//! mechanism behind it breaks (e.g. jitter that no longer spreads retries), not on exact
//! numbers.

use experiments::claims::{
    DEADLINE_RUNS, SEEDS, breaker, bulkhead, cascade, deadline, discovery, erlang_c_wq, herd, metastable,
    mmc_wait_s, probes, wait_ci,
};

/// The herd's restart ends (its pods start again) at 60 s.
const HERD_RESTART_END_S: f64 = 60.0;

/// thundering-herd: with the lesson's naive fixed 1 s retry the restarted service does not
/// recover within the run; with full jitter it recovers within 30 s, with a
/// lower peak arrival rate at the restarted service, no accept-queue overflow, less
/// amplification and a fraction of the wasted work. Equal and decorrelated jitter recover too.
/// Exponential backoff without jitter keeps the cohort that failed at the restart in step: its
/// retries over the restart window are bunched (their coefficient of variation per 0.5 s
/// bucket at least 1.25 times full jitter's; 1.38–1.63 times over seeds 1–20), where full
/// jitter spreads them. The anatomy's wave detector tells those waves on some seeds only (10 of
/// seeds 1–20: a wave that straddles two buckets or stands on the other workers' retries is
/// not twice its neighbour), so only that whatever it tells falls while the service is down,
/// and that the fixed retry's waves after the restart are more than twice as tall as any bucket
/// of exponential's, is asserted of them. Those waves fall on a service that is down and the
/// rest of the herd failed one worker at a time: exponential recovers as fast as jitter, at
/// about the same peak arrival rate (docs/catalog.md says why it cannot sit between them here).
/// Jitter's own mark is also checked at equal patience: its halved mean sleep makes more
/// attempts per call than exponential's (full jitter turned into plain exponential fails this
/// and the bunching check; exponential given equal jitter's draw fails the bunching check, its
/// CV falling to 0.95–1.04 times full jitter's over seeds 1–20).
#[test]
fn a_growing_backoff_lets_the_restarted_service_recover_where_a_fixed_retry_keeps_it_down() {
    for seed in SEEDS {
        let naive = herd("fixed", seed);
        let jitter = herd("full_jitter", seed);
        assert_eq!(naive.recovery_s, None, "{naive:?}");
        let rec = jitter.recovery_s.expect("full jitter recovers");
        assert!(rec < 30.0, "{jitter:?}");
        assert!(
            jitter.peak_arrivals_per_s * 3.0 < naive.peak_arrivals_per_s,
            "{naive:?}\n{jitter:?}"
        );
        assert!(
            naive.rejected > 1000 && jitter.rejected == 0,
            "{naive:?}\n{jitter:?}"
        );
        assert!(jitter.amplification * 3.0 < naive.amplification);
        // Nearly all of the naive herd's work at classification is for workers that left.
        assert!(naive.wasted_share > 0.8, "{naive:?}");
        assert!(jitter.wasted_work_s * 100.0 < naive.wasted_work_s, "{jitter:?}");
        let exponential = herd("exponential", seed);
        // Exponential's retries come in bunches while the service is down (the cohort that
        // failed at the restart, in step); full jitter spreads the same cohort out.
        assert!(
            exponential.retry_bunching_cv >= 1.25 * jitter.retry_bunching_cv,
            "{exponential:?}\n{jitter:?}"
        );
        // Full jitter draws each sleep from U(0, expo(n)): half exponential's mean, so with the
        // same patience its workers retry more often (more attempts per call) — the jitter
        // itself, which a full jitter turned into plain exponential backoff would lose.
        assert!(
            jitter.amplification > exponential.amplification + 0.03,
            "{jitter:?}\n{exponential:?}"
        );
        // The anatomy's waves: the fixed retry's after the restart, more than twice as tall as
        // any bucket of exponential's from the restart on; exponential's, where told, while the
        // service is down; none with jitter.
        assert!(
            naive.waves >= 10 && naive.wave_times_s.iter().any(|&t| t > HERD_RESTART_END_S),
            "{naive:?}"
        );
        assert!(
            exponential.wave_times_s.iter().all(|&t| t < HERD_RESTART_END_S),
            "{exponential:?}"
        );
        assert!(
            naive.largest_wave > 2.0 * exponential.largest_bucket,
            "{naive:?}\n{exponential:?}"
        );
        assert_eq!(jitter.waves, 0, "{jitter:?}");
        // Which is why exponential is no worse than jitter at the restarted service.
        assert!(
            exponential.recovery_s.is_some_and(|r| r < 30.0)
                && exponential.peak_arrivals_per_s < 1.2 * jitter.peak_arrivals_per_s,
            "{exponential:?}\n{jitter:?}"
        );
        for other in ["equal_jitter", "decorrelated_jitter"] {
            let o = herd(other, seed);
            assert!(o.recovery_s.is_some_and(|r| r < 30.0), "{o:?}");
        }
    }
}

/// cascade-protected: the lesson's client costs the healthy path nothing against the naive
/// `cascade` (its ok answers alone within 5% of the cascade's goodput before the fault), kills
/// nothing where the cascade kills repeatedly, and keeps upload available once its breaker
/// opens: from the first opening to the end of the fault, goodput averages at least 90% of its
/// level before (degraded answers are fast: above it, in fact), against under a tenth in the
/// cascade, both while the breakers are open and during their half-open trials, since the
/// builtin has at most one trial call in flight while half-open (`half_open_trials = 1`, the
/// lesson's text; a late result of a call admitted before counts as a finished trial).
/// Contrast: the lesson's code lets every call through in half-open
/// (`half_open_trials=none`), so every 40 s the trials hold the bulkhead's permits for the
/// whole 10 s attempt timeout and goodput falls to a quarter for over a fifth of the time.
/// As written, the lesson retries only "unavailable" errors, not timeouts, so the breaker sees
/// its first failures one 10 s attempt after the fault; an attempt timeout matched to the
/// callee's p99 opens it within 2 s and keeps 90%.
/// Catches: a breaker that lets calls through while open or never opens (open goodput), a
/// fallback that fails instead of degrading (open goodput), a half-open state that admits more
/// calls than its limit (trial goodput, average) or ignores a lifted one (the contrast's
/// trial goodput), a bulkhead in the healthy path's way.
#[test]
fn the_lesson_client_keeps_upload_available_where_the_naive_one_dies() {
    let matched = ["policies.classify.timeouts.attempt=1s".to_string()];
    let code = ["policies.classify.breaker.half_open_trials=none".to_string()];
    for seed in SEEDS {
        let naive = cascade("cascade", seed, &[]);
        let lesson = cascade("cascade-protected", seed, &[]);
        let admit_all = cascade("cascade-protected", seed, &code);
        let quick = cascade("cascade-protected", seed, &matched);
        assert!(naive.kills >= 4 && naive.after < 0.1 * naive.before, "{naive:?}");
        assert!(lesson.ok_before >= 0.95 * naive.before, "{lesson:?}\n{naive:?}");
        assert_eq!(lesson.kills, 0, "{lesson:?}");
        assert!(lesson.degraded > 0, "{lesson:?}");
        let open = lesson.breaker_open_s.expect("the breaker opens");
        assert!((40.0..41.0).contains(&open), "{lesson:?}");
        assert!(lesson.after >= 0.9 * lesson.before, "{lesson:?}");
        assert!(lesson.open_goodput >= 0.9 * lesson.before, "{lesson:?}");
        assert!(
            lesson.trial_share > 0.2 && lesson.trial_goodput >= 0.9 * lesson.before,
            "{lesson:?}"
        );
        assert!(
            admit_all.trial_share > 0.2 && admit_all.trial_goodput < 0.35 * admit_all.before,
            "{admit_all:?}"
        );
        assert!(admit_all.after < lesson.after, "{admit_all:?}\n{lesson:?}");
        let quick_open = quick.breaker_open_s.expect("the breaker opens");
        assert!(
            quick_open < 32.0 && quick.after >= 0.9 * quick.before,
            "{quick:?}"
        );
    }
}

/// deadline: timeout × retries lets the tail reach several attempt timeouts; a 1.5 s deadline
/// bounds it (plus checkout's 5 ms and the network). Propagated and honoured, the deadline
/// lets pricing drop queued requests nobody waits for: it wastes much less work and answers
/// again after its slowdown, where the deadline alone leaves it busy with abandoned requests.
/// Catches: a deadline not applied to the attempts or sleeps (max latency), a callee that
/// ignores a propagated deadline or drops without one (dropped_deadline), a drop that still
/// does the work (wasted work, recovery).
#[test]
fn a_deadline_bounds_the_tail_and_honoured_downstream_it_lets_the_callee_recover() {
    let [(_, plain), (_, alone), (_, told)] = DEADLINE_RUNS;
    for seed in SEEDS {
        let (p, a, t) = (deadline(seed, plain), deadline(seed, alone), deadline(seed, told));
        assert!(p.max_latency_ms > 3000.0 && p.dropped_deadline == 0, "{p:?}");
        assert!(
            a.max_latency_ms <= 1510.0 && t.max_latency_ms <= 1510.0,
            "{a:?}\n{t:?}"
        );
        assert_eq!(a.dropped_deadline, 0, "{a:?}");
        assert!(t.dropped_deadline > 100, "{t:?}");
        assert!(
            t.wasted_work_s < 0.7 * a.wasted_work_s && t.wasted_share < a.wasted_share,
            "{a:?}\n{t:?}"
        );
        assert!(t.ok_after > 80.0 && a.ok_after < 0.5 * t.ok_after, "{a:?}\n{t:?}");
    }
}

/// breaker: while the backend is down, the open breakers keep calls off the network (under
/// 5% of calls make an attempt, against every call without a breaker), at the price of
/// degraded answers for a few seconds after the backend is back, until a half-open trial
/// closes them. Catches: a breaker that never opens or lets calls through while open
/// (attempts per call), one that never closes again (degraded answers after the outage).
#[test]
fn an_open_breaker_keeps_calls_off_the_network_and_closes_after_the_outage() {
    for seed in SEEDS {
        let with = breaker(seed, &[]);
        let without = breaker(seed, &["policies.guarded.breaker=none"]);
        assert!(with.attempts_per_call_down < 0.05, "{with:?}");
        assert!(with.breaker_rejections > 1000, "{with:?}");
        assert!(without.attempts_per_call_down > 0.99, "{without:?}");
        assert_eq!(without.breaker_rejections, 0);
        // Every breaker that opened is closed again after the outage, within two open periods
        // (10 s each) of it; until then calls still degrade that, without a breaker, would
        // have been answered.
        let closed = with.closed_after_s.expect("every breaker closes");
        assert!(closed < 20.0, "{with:?}");
        assert!(
            with.degraded_after > without.degraded_after,
            "{with:?}\n{without:?}"
        );
    }
}

/// bulkhead: with classification's bulkhead no upload fails and storage keeps its share of
/// the shared pool; without it a tenth or more of storage calls fail waiting for a pool
/// connection and the uploads fail with them. Catches: a bulkhead that does not bound
/// concurrency (storage starved), a pool that is not shared or not bounded (no pool_timeout).
#[test]
fn a_bulkhead_keeps_a_slow_call_from_starving_the_others_in_a_shared_pool() {
    for seed in SEEDS {
        let with = bulkhead(seed, &[]);
        let without = bulkhead(seed, &["policies.classify.bulkhead=none"]);
        assert!(
            with.storage_failed_share < 0.005 && with.uploads_failed_share < 0.005,
            "{with:?}"
        );
        assert!(with.uploads_degraded_share > 0.2, "{with:?}");
        assert!(without.storage_failed_share >= 0.1, "{without:?}");
        // Storage's failures without the bulkhead are all waits for a pool connection.
        assert!(without.storage_pool_timeouts > 0, "{without:?}");
        assert_eq!(
            without.storage_pool_timeouts, without.storage_failed,
            "{without:?}"
        );
        assert!(without.uploads_failed_share >= 0.1, "{without:?}");
    }
}

/// probes: a liveness probe that calls the database restarts orders pods for the database's
/// outage, and their restarts outlast it (more failures in the 20 s after it); checking only
/// the process restarts nothing. Readiness takes the degraded pod out of the endpoints in
/// both. Catches: a liveness probe that does not run its handler, restarts that are instant,
/// readiness that does not gate the endpoints.
#[test]
fn a_liveness_probe_on_a_dependency_restarts_pods_for_its_outage_and_lengthens_it() {
    for seed in SEEDS {
        let checks = probes(seed, &[]);
        let plain = probes(seed, &["services.orders.liveness.handler=[]"]);
        assert!(checks.restarts >= 3, "{checks:?}");
        assert_eq!(plain.restarts, 0, "{plain:?}");
        assert!(
            checks.failed_after > 2.0 * plain.failed_after,
            "{checks:?}\n{plain:?}"
        );
        assert!(checks.failed > plain.failed, "{checks:?}\n{plain:?}");
        assert!(checks.degraded_pod_removed && plain.degraded_pod_removed);
    }
}

/// discovery: DNS caching keeps callers on the rescheduled pods' old addresses until their
/// TTL expires (hundreds of connect timeouts, requests failed); a registry watch learns within
/// its 1 s lag (ten times fewer failures at least). Catches: a cache that ignores the TTL or
/// a watch that lags like DNS.
#[test]
fn dns_caching_keeps_calling_old_addresses_a_registry_watch_does_not() {
    for seed in SEEDS {
        let dns = discovery(seed, &[]);
        let watch = discovery(
            seed,
            &["services.backend.discovery={kind=\"registry\",lag=\"1s\"}"],
        );
        assert!(dns.connect_timeouts >= 100, "hundreds: {dns:?}");
        assert!(
            dns.connect_timeouts > 5 * watch.connect_timeouts,
            "{dns:?}\n{watch:?}"
        );
        assert!(dns.failed > 10 * watch.failed.max(1), "{dns:?}\n{watch:?}");
        assert!(dns.p99_ms > 10.0 * watch.p99_ms, "{dns:?}\n{watch:?}");
    }
}

/// metastable: long after the trigger, immediate retries keep goodput under 5% of the offered
/// load with more than 3 attempts per request; with any of the four retry budgets, or a LIFO
/// queue, it is over 90% with about one attempt per request. Catches: a budget that
/// does not throttle, retries that are not counted as attempts, a timeout that cancels the
/// server's work (no sustained overload).
#[test]
fn retries_sustain_a_metastable_failure_that_a_budget_or_lifo_prevents() {
    for seed in SEEDS {
        let plain = metastable(seed, &[]);
        assert!(
            plain.goodput_share < 0.05 && plain.amplification > 3.0,
            "{plain:?}"
        );
        for kind in ["grpc", "brooker", "envoy", "finagle"] {
            let budget = format!("policies.client.retry.budget={{kind=\"{kind}\"}}");
            let b = metastable(seed, &[budget.as_str()]);
            assert!(b.goodput_share > 0.9 && b.amplification < 1.1, "{kind}: {b:?}");
        }
        let lifo = metastable(seed, &["services.api.queue.order=lifo"]);
        assert!(lifo.goodput_share > 0.9 && lifo.amplification < 1.1, "{lifo:?}");
    }
}

/// mmc: Erlang C's mean wait in queue lies inside the 99% Student-t interval of the five
/// replications' mean wait, and the interval is narrow enough (half-width under 20% of Wq)
/// for that to mean something: at 90% utilisation a service time 2% too long moves Wq from
/// 0.669 s to 0.900 s, 2% too short to 0.512 s, one slot more to 0.215 s — each outside such
/// an interval, and the mean itself must lie within 10% of Wq. Catches: a biased arrival or service-time sampler, a slot too many or too few.
#[test]
fn the_mmc_queue_waits_as_erlang_c_predicts() {
    let waits: Vec<f64> = SEEDS.iter().map(|&s| mmc_wait_s(s)).collect();
    let ci = wait_ci(&waits);
    let wq = erlang_c_wq();
    assert!(ci.contains(wq), "{ci:?} vs Erlang C {wq}");
    assert!(ci.half_width < 0.2 * wq, "{ci:?}");
    // The mean itself within 10% of Wq: a 2% service-time bias (Wq 0.512 or 0.900 s) fails
    // here even where the interval is wide enough to hold it.
    let mean = waits.iter().sum::<f64>() / waits.len() as f64;
    assert!((mean - wq).abs() < 0.1 * wq, "{mean} vs Erlang C {wq}");
}
