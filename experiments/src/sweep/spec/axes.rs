//! The axes of a sweep file (`[[axes]]`): each one's path, values (a list or a range), labels,
//! log scale and zip group, checked against the axes before it; and the number of points.

use crate::scenario::error::{ErrorKind, ReadError};
use crate::scenario::overrides::parse_path;
use crate::scenario::reader::{Item, TableReader};
use crate::scenario::tree::{Origin, Span};

use super::super::values::{AxisValue, ValueKind, range_values};
use super::{AxisSpec, MAX_POINTS, dimensions};

/// `axes`: a non-empty array of axis tables, with at most [`MAX_POINTS`] points in all.
pub(super) fn read_axes(item: &Item<'_>) -> Result<Vec<AxisSpec>, ReadError> {
    let items = item.as_array()?;
    if items.is_empty() {
        return Err(item.value_error("at least one axis ([[axes]] with `path` and `values` or `range`)"));
    }
    let mut axes: Vec<AxisSpec> = Vec::with_capacity(items.len());
    for el in &items {
        let (axis, values_at) = read_axis(el, &axes)?;
        check_zip(&axis, &values_at, &axes)?;
        axes.push(axis);
    }
    let points = dimensions(&axes)
        .iter()
        .try_fold(1usize, |acc, d| acc.checked_mul(axes[d[0]].values.len()));
    if points.is_none_or(|n| n > MAX_POINTS) {
        return Err(item.value_error(format!(
            "at most {MAX_POINTS} points (the product of the axes' lengths)"
        )));
    }
    Ok(axes)
}

/// One `[[axes]]` table (`axes` are the ones before it), with the item of its `values` or
/// `range` key.
fn read_axis<'a>(el: &Item<'a>, axes: &[AxisSpec]) -> Result<(AxisSpec, Item<'a>), ReadError> {
    let mut t = el.as_table()?;
    let path_item = t.required("path")?;
    let path = read_axis_path(&path_item, axes)?;
    let label = match t.optional("label") {
        Some(l) => l.as_str()?.to_string(),
        None => path.clone(),
    };
    let zip = t.optional_or("zip", None, |z| Ok(Some(z.as_str()?.to_string())))?;
    let labels_item = t.optional("labels");
    let log_item = t.optional("log");
    let (values, geometric, values_at) = read_axis_values(&mut t)?;
    let log = match log_item {
        Some(l) => l.as_bool()?,
        None => geometric,
    };
    let labels = match labels_item {
        Some(l) => read_labels(&l, values.len())?,
        None => Vec::new(),
    };
    t.finish()?;
    let kind = ValueKind::of(&values);
    if log && kind == ValueKind::Text {
        return Err(values_at.error(
            ErrorKind::Rule,
            "numbers or durations for a logarithmic axis (`log = true`)",
            "values that are neither",
        ));
    }
    let axis = AxisSpec {
        path,
        path_origin: path_item.origin(),
        label,
        zip,
        log,
        kind,
        values,
        labels,
    };
    Ok((axis, values_at))
}

/// An axis's `path`: a valid scenario path that no earlier axis (`axes`) sweeps.
fn read_axis_path(path_item: &Item<'_>, axes: &[AxisSpec]) -> Result<String, ReadError> {
    let path = path_item.as_str()?.to_string();
    if let Err((why, span)) = parse_path(&path) {
        let origin = shift(path_item.origin(), span);
        return Err(ReadError::new(
            ErrorKind::Value,
            origin,
            path_item.path.clone(),
            "a scenario path such as `services.upload.replicas` or `faults[0].latency`",
            why,
        ));
    }
    if let Some(prev) = axes.iter().position(|a| a.path == path) {
        return Err(path_item.error(
            ErrorKind::Duplicate,
            "each path on one axis only",
            format!("`{path}`, already swept by axes[{prev}]"),
        ));
    }
    Ok(path)
}

/// An axis's values, from exactly one of `values` and `range`: the values (at most
/// [`MAX_POINTS`]), whether they form a geometric range, and the item they came from.
fn read_axis_values<'a>(t: &mut TableReader<'a>) -> Result<(Vec<AxisValue>, bool, Item<'a>), ReadError> {
    let values_item = t.optional("values");
    let range_item = t.optional("range");
    let (values, geometric, values_at) = match (values_item, range_item) {
        (Some(v), None) => (list_values(&v)?, false, v),
        (None, Some(r)) => {
            let (vals, geometric) = range_values(&r)?;
            (vals, geometric, r)
        }
        (Some(_), Some(r)) => {
            return Err(r.error(
                ErrorKind::Rule,
                "either `values` or `range`, not both",
                "both".to_string(),
            ));
        }
        (None, None) => {
            return Err(t.at().error(
                ErrorKind::Missing,
                "`values = [...]` or `range = { from, to, step }`",
                "neither",
            ));
        }
    };
    if values.len() > MAX_POINTS {
        return Err(values_at.value_error(format!("at most {MAX_POINTS} values")));
    }
    Ok((values, geometric, values_at))
}

/// For an axis with a `zip` name that an earlier axis (of `axes`, those read so far) has too:
/// it must have as many values as the first of them (`values_at` locates the error).
fn check_zip(axis: &AxisSpec, values_at: &Item<'_>, axes: &[AxisSpec]) -> Result<(), ReadError> {
    let Some(z) = &axis.zip else {
        return Ok(());
    };
    let Some(first) = axes.iter().position(|a| a.zip.as_ref() == Some(z)) else {
        return Ok(());
    };
    let n = axes[first].values.len();
    if axis.values.len() != n {
        return Err(values_at.error(
            ErrorKind::Rule,
            format!("{n} values, like axes[{first}] (axes zipped together vary in step)"),
            format!("{} values", axis.values.len()),
        ));
    }
    Ok(())
}

/// `labels = [...]`: one distinct string per value.
fn read_labels(item: &Item<'_>, n: usize) -> Result<Vec<String>, ReadError> {
    let items = item.as_array()?;
    if items.len() != n {
        return Err(item.error(
            ErrorKind::Rule,
            format!("one label per value ({n})"),
            format!("{} labels", items.len()),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(n);
    for el in items {
        let l = el.as_str()?.to_string();
        if let Some(i) = out.iter().position(|o| *o == l) {
            return Err(el.error(
                ErrorKind::Duplicate,
                "each label once",
                format!("{}, already labels[{i}]", el.node.describe()),
            ));
        }
        out.push(l);
    }
    Ok(out)
}

/// The values of a `values = [...]` list.
fn list_values(item: &Item<'_>) -> Result<Vec<AxisValue>, ReadError> {
    let items = item.as_array()?;
    if items.is_empty() {
        return Err(item.value_error("a non-empty array of values"));
    }
    let mut out: Vec<AxisValue> = Vec::with_capacity(items.len());
    for el in items {
        let v = AxisValue::new(el.node.clone(), el.path.clone());
        if let Some(i) = out.iter().position(|o| o.text == v.text) {
            return Err(el.error(
                ErrorKind::Duplicate,
                "each value once",
                format!("{}, already values[{i}]", el.node.describe()),
            ));
        }
        out.push(v);
    }
    Ok(out)
}

/// The origin of part `span` of a string node (its text starts after the opening quote).
fn shift(origin: Origin, span: std::ops::Range<usize>) -> Origin {
    match origin {
        Origin::File(s) if s.end >= s.start + 2 => Origin::File(Span {
            start: (s.start + 1 + span.start).min(s.end),
            end: (s.start + 1 + span.end).min(s.end),
        }),
        o => o,
    }
}
