//! Checks of the rendered outputs: every output file of the run (the run's own list,
//! [`crate::run::OUTPUT_FILES`]) renders and reads back by its kind (valid JSON, no NaN or
//! infinity in any text), and tracing changes nothing.

use models::config::Scenario;

use super::{Failure, FailureKind};
use crate::run::{FileKind, Finished, OUTPUT_FILES, OutputFile, run_files};

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

/// Every output file of the run renders and reads back by its kind
/// ([`crate::run::OUTPUT_FILES`], the list `run --out` writes): JSON parses, every line of JSON
/// lines parses without a null (a NaN or infinity), every CSV cell is a finite number ≥ 0 or a
/// state word, TOML parses, text and SVG have no NaN or infinity (names aside), and a PNG's
/// size is within `plots::MAX_PIXELS` (it is not drawn: that is slow). The summary table
/// printed by `meshsim run` is checked too.
pub(in crate::swarm) fn check_rendering(f: &Finished) -> Result<(), Failure> {
    for file in run_files(f) {
        check_file(f, file)?;
    }
    let table = crate::text::summary_table(&f.output.report.summary, &f.loaded.hash);
    nonfinite_word("the summary table", &without_names(&f.loaded.scenario, &table))
}

/// One output file renders and reads back by its kind.
fn check_file(f: &Finished, file: &OutputFile) -> Result<(), Failure> {
    let name = file.name;
    let cannot = |e: String| Failure::new(FailureKind::Panic, format!("{name} does not render: {e}"));
    if let FileKind::Png { pixels } = file.kind {
        let (w, h) = pixels(f).map_err(|e| cannot(e.to_string()))?;
        if u64::from(w) * u64::from(h) > plots::MAX_PIXELS {
            return Err(cannot(format!("it would be {w}×{h} pixels")));
        }
        return Ok(());
    }
    let bytes = file.render(f).map_err(|e| cannot(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| cannot(format!("not UTF-8: {e}")))?;
    match file.kind {
        // Its values were walked for null (NaN, infinity) by `check_finite`, which runs first.
        FileKind::Json => valid_json(name, &text).map(drop),
        FileKind::JsonLines => json_lines(name, &text),
        FileKind::Csv => finite_csv(name, &text),
        FileKind::Toml => crate::scenario::tree::parse_document(&text)
            .map(drop)
            .map_err(|e| {
                cannot(format!(
                    "it does not parse: expected {}, found {}",
                    e.expected, e.found
                ))
            }),
        FileKind::Text | FileKind::Svg | FileKind::Png { .. } => {
            nonfinite_word(name, &without_names(&f.loaded.scenario, &text))
        }
    }
}

/// Every line is valid JSON without a null.
fn json_lines(name: &str, text: &str) -> Result<(), Failure> {
    for (i, line) in text.lines().enumerate() {
        let v = valid_json(&format!("{name} line {}", i + 1), line)?;
        if let Some(path) = find_null(&v) {
            return Err(Failure::new(
                FailureKind::NonFinite,
                format!("{name} line {}: {path} is null", i + 1),
            ));
        }
    }
    Ok(())
}

/// Every cell after the header is a finite number ≥ 0, empty, or a pod state.
fn finite_csv(name: &str, text: &str) -> Result<(), Failure> {
    for (i, row) in crate::output::parse_csv(text).iter().enumerate().skip(1) {
        for cell in row.iter().map(String::as_str) {
            let state = matches!(cell, "" | "ready" | "not_ready" | "starting" | "down");
            if !state && !cell.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0) {
                return Err(Failure::new(
                    FailureKind::NonFinite,
                    format!("{name} line {}: cell `{cell}`", i + 1),
                ));
            }
        }
    }
    Ok(())
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
/// summary, and its trace files (every format of [`crate::run::OUTPUT_FILES`]) check like the
/// other outputs.
pub(in crate::swarm) fn check_traced(untraced: &Finished) -> Result<(), Failure> {
    let trace = models::trace::TraceConfig {
        sample: 1.0,
        max_spans: 2_000,
    };
    let out = models::run_traced(untraced.loaded.scenario.clone(), untraced.seed, Some(trace));
    if out.report.summary != untraced.output.report.summary {
        return Err(Failure::new(
            FailureKind::Counts,
            "tracing changed the results (the traced run's summary differs)".to_string(),
        ));
    }
    let traced = Finished {
        trace_formats: OUTPUT_FILES.iter().filter_map(|o| o.trace).collect(),
        loaded: untraced.loaded.clone(),
        seed: untraced.seed,
        output: out,
    };
    for file in run_files(&traced).into_iter().filter(|o| o.trace.is_some()) {
        check_file(&traced, file)?;
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
        let output = models::run(loaded.scenario.clone(), 1);
        assert!(
            crate::text::summary_table(&output.report.summary, &loaded.hash).contains("fault NaN: slow on s")
        );
        let f = crate::run::Finished {
            trace_formats: Vec::new(),
            loaded,
            seed: 1,
            output,
        };
        super::check_rendering(&f).expect("names are not numbers");
    }
}
