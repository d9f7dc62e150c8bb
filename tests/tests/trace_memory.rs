//! Exporting a trace needs about the memory of its text: the exporters write each event as
//! soon as it is built instead of building a JSON tree of the whole trace first (which took
//! about 6 KB a span, 20 times the text: 5.9 GB for a Chrome trace of thundering-herd over
//! 300 s).
//!
//! A counting global allocator (`peakmem-alloc`) measures the peak of live heap bytes during
//! each export. This file holds one test so that no other test allocates while it measures.

use experiments::run::{RunOptions, TraceFormat, TraceOptions, execute, resolve_source};
use experiments::scenario::Override;
use experiments::trace_export::{chrome, otlp};
use models::trace::TraceConfig;
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};

#[global_allocator]
static ALLOCATOR: &PeakMemAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

#[test]
fn exporting_a_trace_needs_about_the_memory_of_its_text() {
    let opts = RunOptions {
        // The first 12 s of metastable's steady load (its trigger, at 60 s, left out).
        source: resolve_source("metastable").unwrap(),
        overrides: vec![
            Override::parse("duration=\"12s\"").unwrap(),
            Override::parse("faults=[]").unwrap(),
        ],
        seed: None,
        trace: Some(TraceOptions {
            formats: vec![TraceFormat::Chrome, TraceFormat::Otlp],
            config: TraceConfig {
                sample: 1.0,
                max_spans: 1_000_000,
            },
        }),
        check_invariants: false,
    };
    let finished = execute(&opts).unwrap();
    let (scenario, report) = (&finished.loaded.scenario, &finished.output.report);
    let trace = report.trace.as_ref().unwrap();
    assert!(trace.spans.len() > 20_000, "{} spans", trace.spans.len());
    for (format, export) in [("chrome", chrome as fn(_, _, _) -> String), ("otlp", otlp)] {
        ALLOCATOR.reset_peak_memory();
        let text = export(scenario, report, trace);
        let peak = ALLOCATOR.get_peak_memory();
        let per_span = peak / trace.spans.len();
        println!(
            "{format}: {} spans, text {} B, peak {peak} B ({per_span} B a span)",
            trace.spans.len(),
            text.len()
        );
        // The text, and a growing string's old and new buffers at its last reallocation.
        assert!(
            peak <= 3 * text.len() + (1 << 20),
            "{format}: peak {peak} B for {} B of text",
            text.len()
        );
    }
}
