//! Distributions of durations (values in seconds).
//!
//! A duration string is a constant; a table names the distribution with `dist`:
//!
//! | `dist` | keys |
//! |---|---|
//! | `constant` | `value` |
//! | `uniform` | `low`, `high` |
//! | `exponential` | `mean` |
//! | `normal` | `mean`, `sd` |
//! | `lognormal` | `median`, `p99` — or `mean`, `sd` |
//! | `pareto` | `scale` (a duration), `shape` (a number) |
//! | `mixture` | `of = [ { weight = 0.9, dist = …, … }, { weight = 0.1, value = "1s" } ]` |
//! | `empirical` | `quantiles = [[0.0, "10ms"], [0.5, "50ms"], [1.0, "2s"]]` |
//!
//! A table without `dist` but with `value` is a constant (handy for mixture components).

use sim_core::dist::{Dist, DistError};

use super::error::{ErrorKind, ReadError};
use super::reader::{Item, Result, TableReader};
use super::tree::Value;

#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Constant,
    Uniform,
    Exponential,
    Normal,
    LogNormal,
    Pareto,
    Mixture,
    Empirical,
}

const KINDS: [(&str, Kind); 8] = [
    ("constant", Kind::Constant),
    ("uniform", Kind::Uniform),
    ("exponential", Kind::Exponential),
    ("normal", Kind::Normal),
    ("lognormal", Kind::LogNormal),
    ("pareto", Kind::Pareto),
    ("mixture", Kind::Mixture),
    ("empirical", Kind::Empirical),
];

const EXPECTED: &str =
    "a duration such as \"5ms\", or a table such as { dist = \"exponential\", mean = \"10ms\" }";

/// Reads a distribution of durations (see the module docs).
pub fn read_dist(item: &Item<'_>) -> Result<Dist> {
    match &item.node.value {
        Value::Str(_) => {
            let d = item.as_duration()?;
            located(item, Dist::constant(d.as_secs_f64()))
        }
        Value::Table(_) => {
            let mut t = item.as_table()?;
            let dist = read_dist_table(&mut t)?;
            t.finish()?;
            Ok(dist)
        }
        Value::Int(_) | Value::Float(_) => Err(item.bare_number_error(EXPECTED)),
        _ => Err(item.type_error(EXPECTED)),
    }
}

/// Reads the distribution keys of a table (`dist` and its parameters), leaving other keys (a
/// mixture component's `weight`) to the caller; the caller calls [`TableReader::finish`].
pub fn read_dist_table(t: &mut TableReader<'_>) -> Result<Dist> {
    let kind = match t.optional("dist") {
        Some(item) => item.as_enum(&KINDS)?,
        None if t.has("value") => Kind::Constant,
        None => return Err(t.required("dist").expect_err("absent")),
    };
    let at = t.at();
    let dist = match kind {
        Kind::Constant => {
            let (v, _) = secs(t, "value")?;
            Dist::constant(v)
        }
        Kind::Uniform => read_uniform(t)?,
        Kind::Exponential => {
            let (mean, item) = secs(t, "mean")?;
            if mean <= 0.0 {
                return Err(item.value_error("a mean > 0"));
            }
            Dist::exponential(mean)
        }
        Kind::Normal => {
            let (mean, _) = secs(t, "mean")?;
            let (sd, _) = secs(t, "sd")?;
            Dist::normal(mean, sd)
        }
        Kind::LogNormal => read_lognormal(t)?,
        Kind::Pareto => {
            let (scale, scale_item) = secs(t, "scale")?;
            if scale <= 0.0 {
                return Err(scale_item.value_error("a scale > 0"));
            }
            let shape = t.required("shape")?.as_positive()?;
            Dist::pareto(scale, shape)
        }
        Kind::Mixture => read_mixture(t)?,
        Kind::Empirical => read_empirical(t)?,
    };
    located(&at, dist)
}

/// A distribution as its constructor returns it, before [`located`] turns its error into a
/// [`ReadError`].
type Built = std::result::Result<Dist, DistError>;

/// Reads a uniform distribution: `low` and `high`, in seconds.
fn read_uniform(t: &mut TableReader<'_>) -> Result<Built> {
    let (low, _) = secs(t, "low")?;
    let (high, high_item) = secs(t, "high")?;
    if high < low {
        let low_text = t.optional("low").map(|i| i.node.describe()).unwrap_or_default();
        return Err(high_item.value_error(format!("a duration ≥ low ({low_text})")));
    }
    Ok(Dist::uniform(low, high))
}

/// Reads a lognormal distribution: `median` and `p99` (also when neither form is given, so
/// that the error names them), or `mean` and `sd`.
fn read_lognormal(t: &mut TableReader<'_>) -> Result<Built> {
    if t.has("median") || t.has("p99") || !(t.has("mean") || t.has("sd")) {
        let (median, median_item) = secs(t, "median")?;
        let (p99, p99_item) = secs(t, "p99")?;
        if median <= 0.0 {
            return Err(median_item.value_error("a median > 0"));
        }
        if p99 < median {
            return Err(p99_item.value_error(format!("a p99 ≥ the median ({})", median_item.node.describe())));
        }
        Ok(Dist::lognormal_median_p99(median, p99))
    } else {
        let (mean, mean_item) = secs(t, "mean")?;
        let (sd, _) = secs(t, "sd")?;
        if mean <= 0.0 {
            return Err(mean_item.value_error("a mean > 0"));
        }
        Ok(Dist::lognormal_mean_sd(mean, sd))
    }
}

/// Reads a mixture: `of`, a non-empty array of distribution tables with a `weight` each, not all
/// zero.
fn read_mixture(t: &mut TableReader<'_>) -> Result<Built> {
    let of = t.required("of")?;
    let items = of.as_array()?;
    if items.is_empty() {
        return Err(of.value_error("at least one component"));
    }
    let mut parts = Vec::with_capacity(items.len());
    for item in &items {
        let mut c = item.as_table()?;
        let weight = c.required("weight")?.as_non_negative()?;
        let dist = read_dist_table(&mut c)?;
        c.finish()?;
        parts.push((weight, dist));
    }
    if parts.iter().all(|(w, _)| *w == 0.0) {
        return Err(of.value_error("weights that are not all zero"));
    }
    Ok(Dist::mixture(parts))
}

/// Reads an empirical distribution: `quantiles`, at least two [probability, duration] points
/// from probability 0 to 1, both growing.
fn read_empirical(t: &mut TableReader<'_>) -> Result<Built> {
    let q = t.required("quantiles")?;
    let items = q.as_array()?;
    if items.len() < 2 {
        return Err(q.value_error("at least two quantile points, from [0.0, …] to [1.0, …]"));
    }
    let mut points = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        let point = read_quantile_point(&items, i, points.last().copied())?;
        points.push(point);
    }
    Ok(Dist::empirical(points))
}

/// Reads quantile point `i` of `items` as (probability, seconds): the first at probability 0,
/// the last at 1, and both values growing from the `previous` point's.
fn read_quantile_point(items: &[Item<'_>], i: usize, previous: Option<(f64, f64)>) -> Result<(f64, f64)> {
    let item = &items[i];
    let pair = item.as_array()?;
    if pair.len() != 2 {
        return Err(item.type_error("a pair [probability, duration], e.g. [0.5, \"50ms\"]"));
    }
    let p = pair[0].as_probability()?;
    let v = pair[1].as_duration()?.as_secs_f64();
    if i == 0 && p != 0.0 {
        return Err(pair[0].value_error("0.0 (the first quantile point is the minimum)"));
    }
    if i == items.len() - 1 && p != 1.0 {
        return Err(pair[0].value_error("1.0 (the last quantile point is the maximum)"));
    }
    if let Some((p0, v0)) = previous {
        if p <= p0 {
            return Err(pair[0].value_error(format!("a probability above the previous one ({p0})")));
        }
        if v < v0 {
            let prev = items[i - 1]
                .as_array()?
                .get(1)
                .map(|x| x.node.describe())
                .unwrap_or_default();
            return Err(pair[1].value_error(format!("a duration ≥ the previous quantile's ({prev})")));
        }
    }
    Ok((p, v))
}

/// The duration at `key` (required), in seconds, with its item.
fn secs<'a>(t: &mut TableReader<'a>, key: &str) -> Result<(f64, Item<'a>)> {
    let item = t.required(key)?;
    Ok((item.as_duration()?.as_secs_f64(), item))
}

/// Turns a constructor's error into a value error located at `item`.
fn located(item: &Item<'_>, dist: std::result::Result<Dist, DistError>) -> Result<Dist> {
    dist.map_err(|e: DistError| -> ReadError {
        item.error(ErrorKind::Value, "valid distribution parameters", e.message)
    })
}
