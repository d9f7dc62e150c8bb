//! Metrics: paths into a run's summary (`models::report::Summary` serialised as JSON), plus two
//! derived fields.
//!
//! A metric is `client.<name>.<field>`, `service.<name>.<field>` or `edge.<name>.<field>`,
//! where a field may be nested (`client.uploaders.latency_ms.p99`,
//! `edge.upload→classification.failed_by.reset`) and must lead to a number. Derived fields:
//!
//! - `service.<name>.kills`: containers killed, summed over the service's pods;
//! - `client.<name>.recovery_s`: time to recover, see [`recovery_s`];
//! - `client.<name>.before:<fault>.<field>`, `during:<fault>`, `after:<fault>`: the phases of
//!   `summary.json`'s `faults[]` (models::phases), plus `p99_ms` (answered p99);
//! - `client.<name>.recovery_s:<fault>`: that fault's `recovered_s`, see [`phase_fields`].
//!
//! A field is matched against the keys of its table, longest first, so a key (a fault's name)
//! may hold dots.

use models::config::Scenario;
use models::report::Report;
use serde_json::{Map, Value};

/// The entity kinds a metric can start with, and the summary arrays they name.
const KINDS: [(&str, &str); 3] = [("client", "clients"), ("service", "services"), ("edge", "edges")];

/// A bucket is healthy when its ok answers reach this share of the baseline…
pub const RECOVERY_GOODPUT_SHARE: f64 = 0.5;
/// …and at most this share of the requests finished in it failed.
pub const RECOVERY_FAILED_SHARE: f64 = 0.1;

/// Why a metric path does not lead to a number: what was expected, what was found, a hint.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricError {
    /// What a valid path looks like here.
    pub expected: String,
    /// What the path led to.
    pub found: String,
    /// A suggestion, if a valid path is close.
    pub help: Option<String>,
}

/// The summary of a run as JSON, with the derived fields added.
pub fn summary_value(report: &Report, scenario: &Scenario) -> Value {
    let mut v = serde_json::to_value(&report.summary).expect("the summary serialises");
    if let Some(Value::Array(services)) = v.get_mut("services") {
        for s in services.iter_mut() {
            let kills: u64 = s
                .get("pods")
                .and_then(Value::as_array)
                .map(|pods| {
                    pods.iter()
                        .filter_map(|p| p.get("kills").and_then(Value::as_u64))
                        .sum()
                })
                .unwrap_or(0);
            if let Value::Object(m) = s {
                m.insert("kills".into(), kills.into());
            }
        }
    }
    if let Some(Value::Array(clients)) = v.get_mut("clients") {
        for c in clients.iter_mut() {
            let name = c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let r = recovery_s(report, scenario, &name);
            if let Value::Object(m) = c {
                m.insert("recovery_s".into(), number(r));
            }
        }
        for (j, c) in clients.iter_mut().enumerate() {
            if let Value::Object(m) = c {
                phase_fields(report, j, m);
            }
        }
    }
    v
}

/// Adds client `j`'s phases of every fault `F` to its table: `before:F`, `during:F`, `after:F`
/// (the phase as in `summary.json`, plus `p99_ms`, the answered p99) and `recovery_s:F`: the
/// fault's `recovered_s`; when not recovered, the time from the fault's end to the run's end
/// (censored, as [`recovery_s`] is); NaN without a verdict.
fn phase_fields(report: &Report, j: usize, m: &mut Map<String, Value>) {
    let end = report.summary.stop.at_s;
    for f in &report.summary.faults {
        let Some(c) = f.clients.get(j) else { continue };
        for (phase, p) in [("before", &c.before), ("during", &c.during), ("after", &c.after)] {
            let mut value = serde_json::to_value(p).expect("a phase serialises");
            if let Value::Object(pm) = &mut value {
                pm.insert("p99_ms".into(), number(p.latency_answered_ms.p99));
            }
            m.insert(format!("{phase}:{}", f.name), value);
        }
        let r = match (c.verdict, c.recovered_s) {
            (_, Some(s)) => s,
            (Some(_), None) => (end - f.window.until_s).max(0.0),
            (None, None) => f64::NAN,
        };
        m.insert(format!("recovery_s:{}", f.name), number(r));
    }
}

/// `x` as a JSON number, or `null` if it is not finite.
fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// The start of the first fault, if it leaves at least one whole time-series bucket before it
/// (the baseline of [`recovery_s`]).
pub fn recovery_baseline_end(scenario: &Scenario) -> Option<f64> {
    let start = scenario.faults.iter().map(|f| f.from).min()?.as_secs_f64();
    (start >= scenario.series_bucket().as_secs_f64()).then_some(start)
}

/// Time to recover, in seconds, for client `name`: from the start of the first fault to the end
/// of the last unhealthy bucket of the client's time series. The baseline is the client's mean
/// ok answers per bucket over the whole buckets before the first fault; a bucket is healthy
/// when its ok answers reach [`RECOVERY_GOODPUT_SHARE`] of the baseline and at most
/// [`RECOVERY_FAILED_SHARE`] of the requests finished in it failed. 0 if no bucket from the
/// fault on is unhealthy; the time to the end of the run if the last one is (not recovered:
/// the value is censored). Only whole buckets count. NaN without a fault that starts after
/// the first bucket.
pub fn recovery_s(report: &Report, scenario: &Scenario, name: &str) -> f64 {
    let Some(t0) = recovery_baseline_end(scenario) else {
        return f64::NAN;
    };
    let series = &report.series;
    let w = series.bucket_s;
    let prefix = format!("client.{name}.");
    let Some(ok) = series.num(&format!("{prefix}ok")) else {
        return f64::NAN;
    };
    let degraded = series.num(&format!("{prefix}degraded"));
    let failed_cols: Vec<&[f64]> = series
        .columns
        .iter()
        .filter(|c| c.name.starts_with(&format!("{prefix}failed.")))
        .filter_map(|c| series.num(&c.name))
        .collect();
    let end = report.summary.stop.at_s;
    // Whole buckets only: bucket i covers [i·w, (i+1)·w).
    let whole = (0..series.buckets)
        .take_while(|&i| (i + 1) as f64 * w <= end + 1e-9)
        .count();
    let before = (0..whole)
        .take_while(|&i| (i + 1) as f64 * w <= t0 + 1e-9)
        .count();
    if before == 0 {
        return f64::NAN;
    }
    let baseline = ok[..before].iter().sum::<f64>() / before as f64;
    let mut last_bad = None;
    for i in before..whole {
        let failed: f64 = failed_cols.iter().map(|c| c[i]).sum();
        let finished = ok[i] + degraded.map_or(0.0, |d| d[i]) + failed;
        let healthy =
            ok[i] >= RECOVERY_GOODPUT_SHARE * baseline && failed <= RECOVERY_FAILED_SHARE * finished;
        if !healthy {
            last_bad = Some(i);
        }
    }
    match last_bad {
        None => 0.0,
        Some(i) => ((i + 1) as f64 * w - t0).max(0.0),
    }
}

/// The value of metric `path` in `summary` (from [`summary_value`]); `null` reads as NaN.
pub fn extract(summary: &Value, path: &str) -> Result<f64, MetricError> {
    let (kind, array) = kind_of(path)?;
    let rest = &path[kind.len() + 1..];
    let entities: Vec<&Map<String, Value>> = summary
        .get(array)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let (name, field, entity) = find_entity(&entities, kind, path, rest)?;
    let target = Target {
        path,
        kind,
        name,
        entity,
    };
    let mut table = entity;
    let mut rest = field;
    let at = loop {
        let (value, after) = longest_key(table, rest).ok_or_else(|| target.no_such_field(field))?;
        match (after, value) {
            (None, v) => break v,
            (Some(after), Value::Object(inner)) => (table, rest) = (inner, after),
            (Some(_), _) => return Err(target.no_such_field(field)),
        }
    };
    let what = match at {
        Value::Number(n) => return Ok(n.as_f64().unwrap_or(f64::NAN)),
        Value::Null => return Ok(f64::NAN),
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
        Value::String(_) => "a string",
        Value::Bool(_) => "a boolean",
    };
    Err(target.not_a_number(field, what))
}

/// The key of `table` that `rest` starts with, the longest (keys may hold dots), its value and
/// what follows its `.`, if anything.
fn longest_key<'t, 'r>(table: &'t Map<String, Value>, rest: &'r str) -> Option<(&'t Value, Option<&'r str>)> {
    table
        .iter()
        .filter_map(|(k, v)| match rest.strip_prefix(k.as_str())? {
            "" => Some((k.len(), v, None)),
            tail => Some((k.len(), v, Some(tail.strip_prefix('.')?))),
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, v, after)| (v, after))
}

/// The entity kind a metric path starts with (`client`, …) and the summary array it names.
fn kind_of(path: &str) -> Result<(&'static str, &'static str), MetricError> {
    match KINDS.iter().find(|(k, _)| path.starts_with(&format!("{k}."))) {
        Some(k) => Ok(*k),
        None => {
            let head = path.split('.').next().unwrap_or_default();
            let kinds: Vec<&str> = KINDS.iter().map(|k| k.0).collect();
            Err(MetricError {
                expected: "a metric starting with `client.`, `service.` or `edge.`, then a name and a field"
                    .into(),
                found: format!("`{path}`"),
                help: crate::scenario::reader::closest(head, kinds.iter().copied())
                    .map(|k| format!("did you mean `{k}.…`?")),
            })
        }
    }
}

/// The entity `rest` (the path after `kind.`) starts with, followed by `.`, and the field after
/// it: the longest such name, so names may contain dots.
fn find_entity<'e, 'p>(
    entities: &[&'e Map<String, Value>],
    kind: &str,
    path: &str,
    rest: &'p str,
) -> Result<(&'e str, &'p str, &'e Map<String, Value>), MetricError> {
    let found = entities
        .iter()
        .filter_map(|e| {
            let n = e.get("name").and_then(Value::as_str)?;
            let field = rest.strip_prefix(n)?.strip_prefix('.')?;
            Some((n, field, *e))
        })
        .max_by_key(|(n, _, _)| n.len());
    found.ok_or_else(|| unknown_entity(entities, kind, path, rest))
}

/// The error for a path whose `rest` names no entity followed by a field: the whole entity
/// without a field, or a name that is not one of the entities.
fn unknown_entity(entities: &[&Map<String, Value>], kind: &str, path: &str, rest: &str) -> MetricError {
    if let Some(e) = entities
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some(rest))
    {
        let fields = numeric_fields(e);
        let shown: Vec<&str> = fields.iter().map(String::as_str).collect();
        return MetricError {
            expected: format!(
                "a field after the name: {}",
                crate::scenario::reader::list(&shown)
            ),
            found: format!("`{path}`, which is the whole {kind}"),
            help: None,
        };
    }
    let names: Vec<&str> = entities
        .iter()
        .filter_map(|e| e.get("name").and_then(Value::as_str))
        .collect();
    let head = rest.split('.').next().unwrap_or_default();
    let expected = if names.is_empty() {
        format!("a {kind} of the scenario, but it has none")
    } else {
        format!("a {kind} name: {}", crate::scenario::reader::list(&names))
    };
    MetricError {
        expected,
        found: format!("`{path}`"),
        help: crate::scenario::reader::closest(head, names.iter().copied())
            .map(|n| format!("did you mean `{kind}.{n}.…`?")),
    }
}

/// The entity a metric path names, for the errors about its field.
struct Target<'a> {
    /// The whole metric path.
    path: &'a str,
    /// `client`, `service` or `edge`.
    kind: &'a str,
    /// The entity's name.
    name: &'a str,
    /// The entity.
    entity: &'a Map<String, Value>,
}

impl Target<'_> {
    /// What a valid field is: one of the entity's numeric fields, listed.
    fn field_list(&self) -> String {
        let fields = numeric_fields(self.entity);
        let shown: Vec<&str> = fields.iter().map(String::as_str).collect();
        format!(
            "a numeric field of `{}.{}`: {}",
            self.kind,
            self.name,
            crate::scenario::reader::list(&shown)
        )
    }

    /// The error for a `field` the entity does not have.
    fn no_such_field(&self, field: &str) -> MetricError {
        let (kind, name) = (self.kind, self.name);
        let fields = numeric_fields(self.entity);
        let help = crate::scenario::reader::closest(field, fields.iter().map(String::as_str))
            .map(|f| format!("did you mean `{kind}.{name}.{f}`?"));
        MetricError {
            expected: self.field_list(),
            found: format!("`{}`", self.path),
            help,
        }
    }

    /// The error for field `field` leading to `what` (an array, a table, …) instead of a number;
    /// the help lists the numeric fields inside it.
    fn not_a_number(&self, field: &str, what: &str) -> MetricError {
        let prefix = format!("{field}.");
        let fields = numeric_fields(self.entity);
        let inside: Vec<&str> = fields
            .iter()
            .filter(|f| f.starts_with(&prefix))
            .map(String::as_str)
            .collect();
        MetricError {
            expected: self.field_list(),
            found: format!("`{}`, which is {what}, not a number", self.path),
            help: (!inside.is_empty()).then(|| {
                format!(
                    "pick one of its fields: {}",
                    crate::scenario::reader::list(&inside)
                )
            }),
        }
    }
}

/// The paths of every numeric (or null) leaf of an entity, nested fields joined with `.`;
/// arrays (such as a service's `pods`) are not metrics.
pub fn numeric_fields(entity: &Map<String, Value>) -> Vec<String> {
    fn walk(prefix: &str, m: &Map<String, Value>, out: &mut Vec<String>) {
        for (k, v) in m {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Number(_) | Value::Null => out.push(p),
                Value::Object(inner) => walk(&p, inner, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk("", entity, &mut out);
    out
}

/// A file-name-safe slug of a metric path: ASCII letters, digits, `.`, `_` and `-` kept, `→`
/// written `-to-`, anything else `-`.
pub fn slug(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => s.push(c),
            '→' => s.push_str("-to-"),
            _ => s.push('-'),
        }
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "metric".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Slugs for all metrics, made unique by a `-2`, `-3`, … suffix where two collide.
pub fn unique_slugs(paths: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(paths.len());
    for p in paths {
        let base = slug(p);
        let mut candidate = base.clone();
        let mut n = 2;
        while out.iter().any(|o| o.eq_ignore_ascii_case(&candidate)) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        out.push(candidate);
    }
    out
}
