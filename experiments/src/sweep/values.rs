//! Axis values: lists and ranges (numbers or durations, arithmetic or geometric), their kind,
//! their text, and their position on a chart's x axis.

use serde::{Deserialize, Serialize};

use crate::scenario::error::{ErrorKind, ReadError};
use crate::scenario::parse_duration;
use crate::scenario::reader::Item;
use crate::scenario::tree::{self, Node, Origin, Value};

/// The most values a range may produce.
pub const MAX_RANGE_VALUES: usize = 10_000;

/// What an axis's values are, which decides how charts place them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// Every value is a number: placed at its value.
    Number,
    /// Every value is a duration string: placed at its value in seconds.
    Duration,
    /// Anything else (names, booleans, tables, `"none"`): placed at its position 1, 2, 3, ….
    Text,
}

impl ValueKind {
    /// The kind shared by all `values`.
    pub fn of(values: &[AxisValue]) -> ValueKind {
        let all = |f: fn(&Node) -> bool| values.iter().all(|v| f(&v.node));
        if all(|n| matches!(n.value, Value::Int(_) | Value::Float(_))) {
            ValueKind::Number
        } else if all(|n| matches!(&n.value, Value::Str(s) if parse_duration(s).is_ok())) {
            ValueKind::Duration
        } else {
            ValueKind::Text
        }
    }
}

/// One value of an axis.
#[derive(Clone, Debug)]
pub struct AxisValue {
    /// The value as a tree node (its origin is the list element, or the `range` table).
    pub node: Node,
    /// Inline TOML, the value of the override: `"5s"`, `3`, `{ kind = "grpc" }`.
    pub text: String,
    /// Where it is in the sweep file, e.g. `axes[0].values[2]` or `axes[1].range`.
    pub at: String,
}

impl AxisValue {
    /// A value from its node.
    pub fn new(node: Node, at: String) -> AxisValue {
        AxisValue {
            text: tree::render_inline(&node),
            node,
            at,
        }
    }

    /// Where it is in the sweep file.
    pub fn origin(&self) -> Origin {
        self.node.origin
    }
}

/// How a value is shown in CSV cells, legends and ticks: strings without quotes, everything
/// else as inline TOML.
pub fn display(text: &str) -> String {
    match tree::parse_value(text, "", &|s| Origin::File(s)) {
        Some(Ok(Node {
            value: Value::Str(s), ..
        })) => s,
        _ => text.to_string(),
    }
}

/// The x coordinate of a value on a chart: numbers at their value, durations in seconds, text
/// at its 1-based position on the axis.
pub fn x_of(kind: ValueKind, text: &str, position: usize) -> f64 {
    match kind {
        ValueKind::Number => text.parse::<f64>().unwrap_or(f64::NAN),
        ValueKind::Duration => parse_duration(&display(text)).map_or(f64::NAN, |d| d.as_secs_f64()),
        ValueKind::Text => (position + 1) as f64,
    }
}

/// A duration in nanoseconds as the largest unit that divides it: `"90s"`, `"1500ms"`.
pub fn duration_text(ns: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")];
    for (size, unit) in UNITS {
        if ns / size * size == ns {
            return format!("{}{unit}", ns / size);
        }
    }
    format!("{ns}ns")
}

/// A float rounded to 12 significant digits, so `0.1 + 2 × 0.1` is `0.3`.
fn tidy(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// A bound of a range, as written.
enum Bound {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A duration, in nanoseconds.
    Nanos(u64),
}

/// The bound at `item`: a number, or a duration string.
fn bound(item: &Item<'_>) -> Result<Bound, ReadError> {
    match &item.node.value {
        Value::Int(i) => Ok(Bound::Int(*i)),
        Value::Float(_) => Ok(Bound::Float(item.as_f64()?)),
        Value::Str(_) => Ok(Bound::Nanos(item.as_duration()?.as_nanos())),
        _ => Err(item.type_error("a number, or a duration such as \"5s\"")),
    }
}

/// The values of `range = { from, to, step }` or `{ from, to, factor }`, and whether the range
/// is geometric. Bounds are numbers or durations; `to` is included when the steps land on it.
pub fn range_values(item: &Item<'_>) -> Result<(Vec<AxisValue>, bool), ReadError> {
    let mut t = item.as_table()?;
    let from_item = t.required("from")?;
    let to_item = t.required("to")?;
    let step_item = t.optional("step");
    let factor_item = t.optional("factor");
    t.finish()?;
    let range = Range {
        item,
        from: bound(&from_item)?,
        to: bound(&to_item)?,
        from_item,
        to_item,
    };
    let (out, geometric) = match (step_item, factor_item) {
        (Some(step_item), None) => (range.arithmetic(&step_item)?, false),
        (None, Some(factor_item)) => (range.geometric(&factor_item)?, true),
        (Some(_), Some(f)) => {
            return Err(f.error(ErrorKind::Rule, "either `step` or `factor`, not both", "both"));
        }
        (None, None) => {
            return Err(item.error(
                ErrorKind::Missing,
                "`step` (arithmetic range) or `factor` (geometric range)",
                "neither",
            ));
        }
    };
    let at = item.path.clone();
    Ok((
        out.into_iter().map(|n| AxisValue::new(n, at.clone())).collect(),
        geometric,
    ))
}

/// A `range` table being read: the table, its bounds and their items.
struct Range<'r, 'a> {
    /// The `range` table.
    item: &'r Item<'a>,
    /// Its `from` key.
    from_item: Item<'a>,
    /// Its `to` key.
    to_item: Item<'a>,
    /// The value of `from`.
    from: Bound,
    /// The value of `to`.
    to: Bound,
}

impl Range<'_, '_> {
    /// The error for a number and a duration as bounds.
    fn mixed(&self) -> ReadError {
        self.to_item.error(
            ErrorKind::Type,
            "the same kind of bound as `from` (both numbers or both durations)",
            self.to_item.node.describe_typed(),
        )
    }

    /// The error for a range of more than [`MAX_RANGE_VALUES`] values.
    fn too_many(&self) -> ReadError {
        self.item
            .value_error(format!("a range of at most {MAX_RANGE_VALUES} values"))
    }

    /// A value located at the `range` table.
    fn node(&self, value: Value) -> Node {
        Node {
            origin: self.item.origin(),
            value,
        }
    }

    /// The values from `from` to `to` by `step`: durations, integers (integer bounds and step)
    /// or floats.
    fn arithmetic(&self, step_item: &Item<'_>) -> Result<Vec<Node>, ReadError> {
        match (&self.from, &self.to) {
            (Bound::Nanos(a), Bound::Nanos(b)) => self.duration_steps(*a, *b, step_item),
            (Bound::Int(a), Bound::Int(b)) if matches!(step_item.node.value, Value::Int(_)) => {
                self.int_steps(*a, *b, step_item)
            }
            (Bound::Nanos(_), _) | (_, Bound::Nanos(_)) => Err(self.mixed()),
            _ => self.float_steps(step_item),
        }
    }

    /// Durations from `a` to `b` (nanoseconds) by a duration step.
    fn duration_steps(&self, a: u64, b: u64, step_item: &Item<'_>) -> Result<Vec<Node>, ReadError> {
        let step = step_item.as_positive_duration()?.as_nanos();
        check_order(&self.to_item, a <= b)?;
        let n = (b - a) / step + 1;
        if n > MAX_RANGE_VALUES as u64 {
            return Err(self.too_many());
        }
        Ok((0..n)
            .map(|k| self.node(Value::Str(duration_text(a + k * step))))
            .collect())
    }

    /// Integers from `a` to `b` by an integer step ≥ 1.
    fn int_steps(&self, a: i64, b: i64, step_item: &Item<'_>) -> Result<Vec<Node>, ReadError> {
        let step = step_item.as_u64_at_least(1)?;
        check_order(&self.to_item, a <= b)?;
        let n = (b.abs_diff(a)) / step + 1;
        if n > MAX_RANGE_VALUES as u64 {
            return Err(self.too_many());
        }
        Ok((0..n as i64)
            .map(|k| self.node(Value::Int(a + k * step as i64)))
            .collect())
    }

    /// Floats from `from` to `to` by a positive step, each tidied to 12 significant digits.
    fn float_steps(&self, step_item: &Item<'_>) -> Result<Vec<Node>, ReadError> {
        let a = number(&self.from);
        let b = number(&self.to);
        let step = step_item.as_positive()?;
        check_order(&self.to_item, a <= b)?;
        let n = ((b - a) / step + 1e-9).floor() + 1.0;
        if n > MAX_RANGE_VALUES as f64 {
            return Err(self.too_many());
        }
        Ok((0..n as usize)
            .map(|k| self.node(Value::Float(tidy(a + k as f64 * step))))
            .collect())
    }

    /// The values `from × factor^k` up to `to`: durations, or numbers.
    fn geometric(&self, factor_item: &Item<'_>) -> Result<Vec<Node>, ReadError> {
        let factor = factor_item.number_where(|f| f > 1.0, "a factor > 1")?;
        match (&self.from, &self.to) {
            (Bound::Nanos(a), Bound::Nanos(b)) => self.duration_powers(*a, *b, factor),
            (Bound::Nanos(_), _) | (_, Bound::Nanos(_)) => Err(self.mixed()),
            _ => self.number_powers(factor, factor_item),
        }
    }

    /// Durations `a × factor^k` (nanoseconds, rounded) up to `b`; `a` must be above 0.
    fn duration_powers(&self, a: u64, b: u64, factor: f64) -> Result<Vec<Node>, ReadError> {
        if a == 0 {
            return Err(self
                .from_item
                .value_error("a duration > 0 (a geometric range starts above 0)"));
        }
        check_order(&self.to_item, a <= b)?;
        let mut out = Vec::new();
        let mut k = 0;
        loop {
            let v = (a as f64 * factor.powi(k)).round();
            if v > b as f64 * (1.0 + 1e-9) {
                break;
            }
            if out.len() == MAX_RANGE_VALUES {
                return Err(self.too_many());
            }
            out.push(self.node(Value::Str(duration_text(v as u64))));
            k += 1;
        }
        Ok(out)
    }

    /// Numbers `from × factor^k` up to `to`, tidied; integers if `from` and the factor are,
    /// floats otherwise. `from` must be above 0.
    fn number_powers(&self, factor: f64, factor_item: &Item<'_>) -> Result<Vec<Node>, ReadError> {
        let a = number(&self.from);
        let b = number(&self.to);
        if a <= 0.0 {
            return Err(self
                .from_item
                .value_error("a number > 0 (a geometric range starts above 0)"));
        }
        check_order(&self.to_item, a <= b)?;
        let ints = matches!(
            (&self.from, &factor_item.node.value),
            (Bound::Int(_), Value::Int(_))
        );
        let mut out = Vec::new();
        let mut k = 0;
        loop {
            let v = tidy(a * factor.powi(k));
            if v > b * (1.0 + 1e-9) {
                break;
            }
            if out.len() == MAX_RANGE_VALUES {
                return Err(self.too_many());
            }
            out.push(self.node(if ints {
                Value::Int(v as i64)
            } else {
                Value::Float(v)
            }));
            k += 1;
        }
        Ok(out)
    }
}

/// A bound as a float (a duration in nanoseconds).
fn number(b: &Bound) -> f64 {
    match b {
        Bound::Int(i) => *i as f64,
        Bound::Float(x) => *x,
        Bound::Nanos(n) => *n as f64,
    }
}

/// An error at `to` unless `ok` (the bounds are in order).
fn check_order(to: &Item<'_>, ok: bool) -> Result<(), ReadError> {
    if ok {
        Ok(())
    } else {
        Err(to.value_error("a bound ≥ `from`"))
    }
}
