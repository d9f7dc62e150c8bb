//! Memory stays flat as simulated time grows: a run eight times longer needs about the same
//! heap, once its bounded parts (time-series buckets, the event log, state histories) are full.
//!
//! A counting global allocator (`peakmem-alloc`) measures the peak of live heap bytes during
//! each run. This file holds one test so that no other test allocates while it measures.

use experiments::run::resolve_source;
use experiments::scenario::{Override, load};
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Peak heap bytes while running `builtin` for `duration` with small caps, and its events.
fn peak_heap(builtin: &str, duration: &str) -> (usize, u64) {
    let overrides: Vec<Override> = [
        format!("duration=\"{duration}\""),
        "limits.max_buckets=40".into(),
        "limits.max_log_entries=500".into(),
    ]
    .iter()
    .map(|o| Override::parse(o).unwrap())
    .collect();
    let loaded = load(&resolve_source(builtin).unwrap(), &overrides).unwrap();
    ALLOCATOR.reset_peak_memory();
    let out = models::run(loaded.scenario, loaded.seed);
    assert!(out.limit.is_none(), "{builtin}: {:?}", out.limit);
    let events = out.report.summary.events;
    drop(out);
    (ALLOCATOR.get_peak_memory(), events)
}

#[test]
fn an_eight_times_longer_run_needs_about_the_same_memory() {
    // (builtin, short duration in seconds): long enough that the bounded parts have filled.
    for (builtin, short) in [
        ("cascade-protected", 2000),
        ("breaker", 2000),
        ("thundering-herd", 200),
    ] {
        let long = 8 * short;
        let (peak_short, events_short) = peak_heap(builtin, &format!("{short}s"));
        let (peak_long, events_long) = peak_heap(builtin, &format!("{long}s"));
        println!(
            "{builtin}: {short} s, {events_short} events, {peak_short} B; {long} s, {events_long} events, {peak_long} B"
        );
        assert!(events_long > 3 * events_short, "{builtin}: the long run did more");
        // Growth with the number of requests would make the long run's peak about 8× the short
        // one's. What may grow is high-water marks: the most requests in flight at once (slab
        // slots), the most pending events, the octaves the latency histograms span: the largest
        // burst seen, which grows slowly with the length of a run. Measured: +24% for
        // cascade-protected, +22% for breaker, +7% for thundering-herd.
        assert!(
            peak_long <= peak_short + peak_short / 2,
            "{builtin}: peak heap {peak_short} B for {short} s, {peak_long} B for {long} s"
        );
    }
}
