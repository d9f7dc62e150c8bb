//! Checks of the rendered outputs: every output renders (valid JSON, no NaN or infinity in
//! any text), and tracing changes nothing.

use models::config::Scenario;

use super::{Failure, FailureKind};

/// Whether `text` has `NaN`, `inf` or `Infinity` as a word.
fn has_nonfinite_word(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| matches!(*w, "NaN" | "nan" | "inf" | "Infinity"))
}

/// `text` with every occurrence of a name of the scenario (its name and description, clients,
/// services, policies, faults; pods and edges are named after services) blanked out, so that the
/// search for non-finite numbers looks at numbers only: a client called `NaN` or a service
/// called `inf` is a string, not a number. Longer names first, so a name inside another is
/// blanked with it; names are also matched as printed, control characters escaped.
fn without_names(scenario: &Scenario, text: &str) -> String {
    let mut names: Vec<String> = [scenario.name.as_str(), scenario.description.as_str()]
        .into_iter()
        .chain(scenario.clients.iter().map(|c| c.name.as_str()))
        .chain(scenario.services.iter().map(|s| s.name.as_str()))
        .chain(scenario.policies.iter().map(|p| p.name.as_str()))
        .chain(scenario.faults.iter().filter_map(|f| f.name.as_deref()))
        .flat_map(|n| [n.to_string(), crate::text::escape_controls(n).into_owned()])
        .filter(|n| !n.is_empty())
        .collect();
    names.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    names.dedup();
    let mut out = text.to_string();
    for name in &names {
        if out.contains(name.as_str()) {
            out = out.replace(name.as_str(), " ");
        }
    }
    out
}

fn nonfinite_word(what: &str, text: &str) -> Result<(), Failure> {
    match has_nonfinite_word(text) {
        Some(w) => Err(Failure::new(
            FailureKind::NonFinite,
            format!("{what} contains `{w}`"),
        )),
        None => Ok(()),
    }
}

/// Parses `text` as JSON (a `NaN` or `Infinity` would not parse).
fn valid_json(what: &str, text: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text)
        .map_err(|e| Failure::new(FailureKind::NonFinite, format!("{what} is not valid JSON: {e}")))
}

/// Every output renders: summary.json, timeseries.csv and events.jsonl (valid, every number
/// finite), the summary table, the narrated anatomy and the timeline and topology SVGs (no NaN
/// or infinity), and both PNGs' sizes are within `plots::MAX_PIXELS`.
pub(in crate::swarm) fn check_rendering(
    scenario: &Scenario,
    report: &models::report::Report,
    hash: &str,
) -> Result<(), Failure> {
    // Its values were walked for null (NaN, infinity) by `check_finite`, which runs first.
    valid_json(
        "summary.json",
        &crate::output::summary_json(&report.summary, hash),
    )?;
    let csv = crate::output::timeseries_csv(&report.series);
    for (i, row) in crate::output::parse_csv(&csv).iter().enumerate().skip(1) {
        for cell in row.iter().map(String::as_str) {
            let state = matches!(cell, "" | "ready" | "not_ready" | "starting" | "down");
            if !state && !cell.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0) {
                return Err(Failure::new(
                    FailureKind::NonFinite,
                    format!("timeseries.csv line {}: cell `{cell}`", i + 1),
                ));
            }
        }
    }
    let events = crate::output::events_jsonl(report);
    for (i, line) in events.lines().enumerate() {
        let v = valid_json(&format!("events.jsonl line {}", i + 1), line)?;
        if let Some(path) = find_null(&v) {
            return Err(Failure::new(
                FailureKind::NonFinite,
                format!("events.jsonl line {}: {path} is null", i + 1),
            ));
        }
    }
    let table = crate::text::summary_table(&report.summary, hash);
    nonfinite_word("the summary table", &without_names(scenario, &table))?;
    let anatomy = crate::narrate::narrate(scenario, report).join("\n");
    nonfinite_word("the anatomy", &without_names(scenario, &anatomy))?;
    let timeline = crate::charts::timeline(scenario, report, hash);
    let cannot_draw =
        |e: String| Failure::new(FailureKind::Panic, format!("the timeline does not draw: {e}"));
    let svg = plots::timeline_svg(&timeline).map_err(|e| cannot_draw(e.to_string()))?;
    // The PNG is not drawn (it is slow), but its size is checked: `run --out` writes it.
    let (w, h) = plots::timeline_size(&timeline).map_err(|e| cannot_draw(e.to_string()))?;
    if u64::from(w) * u64::from(h) > plots::MAX_PIXELS {
        return Err(cannot_draw(format!("its PNG would be {w}×{h} pixels")));
    }
    nonfinite_word("timeline.svg", &without_names(scenario, &svg))?;
    let topology = crate::charts::topology(scenario, report, hash);
    let cannot_draw =
        |e: String| Failure::new(FailureKind::Panic, format!("the topology does not draw: {e}"));
    let svg = plots::topology_svg(&topology).map_err(|e| cannot_draw(e.to_string()))?;
    let (w, h) = plots::topology_size(&topology).map_err(|e| cannot_draw(e.to_string()))?;
    if u64::from(w) * u64::from(h) > plots::MAX_PIXELS {
        return Err(cannot_draw(format!("its PNG would be {w}×{h} pixels")));
    }
    nonfinite_word("topology.svg", &without_names(scenario, &svg))
}

/// The path of the first `null` in a JSON value, if any.
fn find_null(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => Some(String::new()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_null(x).map(|p| format!("[{i}]{p}"))),
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, x)| find_null(x).map(|p| format!(".{k}{p}"))),
        _ => None,
    }
}

/// Tracing never changes the results: the same run with every request traced has the same
/// summary, and both trace formats are valid JSON.
pub(in crate::swarm) fn check_traced(
    scenario: &Scenario,
    seed: u64,
    untraced: &models::report::Report,
) -> Result<(), Failure> {
    let trace = models::trace::TraceConfig {
        sample: 1.0,
        max_spans: 2_000,
    };
    let out = models::run_traced(scenario.clone(), seed, Some(trace));
    if out.report.summary != untraced.summary {
        return Err(Failure::new(
            FailureKind::Counts,
            "tracing changed the results (the traced run's summary differs)".to_string(),
        ));
    }
    if let Some(data) = &out.report.trace {
        valid_json(
            "trace.chrome.json",
            &crate::trace_export::chrome(scenario, &out.report, data),
        )?;
        valid_json(
            "trace.otlp.json",
            &crate::trace_export::otlp(scenario, &out.report, data),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Source, load};

    /// A fault called `NaN` is a name in the fault lines of the summary table, not a number.
    #[test]
    fn a_fault_named_nan_is_a_name() {
        let text = "name = \"t\"\nduration = \"20s\"\nnetwork = { latency = \"0s\" }\n\
            [[clients]]\nname = \"c\"\ntarget = \"s\"\nload = { kind = \"open\", rate = 10.0 }\n\
            [[services]]\nname = \"s\"\nreplicas = 1\nslots = 10\nsteps = [ { work = \"10ms\" } ]\n\
            [[faults]]\nname = \"NaN\"\nservice = \"s\"\nkind = \"slow\"\nlatency = \"1s\"\nfrom = \"5s\"\nuntil = \"10s\"\n";
        let loaded = load(&Source::new("t.toml", text), &[]).expect("loads");
        let out = models::run(loaded.scenario.clone(), 1);
        assert!(crate::text::summary_table(&out.report.summary, "h").contains("fault NaN: slow on s"));
        super::check_rendering(&loaded.scenario, &out.report, "h").expect("names are not numbers");
    }
}
