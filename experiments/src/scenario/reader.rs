//! A typed reader over the [`Node`] tree: every accessor either returns a typed value or a
//! [`ReadError`] that points at the node and names its key path.
//!
//! ```
//! # use experiments::scenario::reader::{Result, TableReader};
//! # use experiments::scenario::tree::Node;
//! fn read(node: &Node) -> Result<(String, u32)> {
//!     let mut t = TableReader::new(node, "services[0]")?;
//!     let name = t.required("name")?.as_str()?.to_string();
//!     let replicas = t.optional_or("replicas", 1, |n| n.as_u32_at_least(1))?;
//!     t.finish()?; // rejects keys nobody asked for, suggesting the closest accepted one
//!     Ok((name, replicas))
//! }
//! ```

use sim_core::time::SimDuration;

use super::duration::{both_readings, duration_problem};
use super::error::{ErrorKind, ReadError};
use super::tree::{Entry, Node, Origin, Value, join_index, join_key};

/// The result of reading.
pub type Result<T> = std::result::Result<T, ReadError>;

/// A node with its key path.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    /// The node.
    pub node: &'a Node,
    /// Its key path, e.g. `services[0].queue.capacity`.
    pub path: String,
}

impl<'a> Item<'a> {
    /// An item for `node` at `path`.
    pub fn new(node: &'a Node, path: impl Into<String>) -> Item<'a> {
        Item {
            node,
            path: path.into(),
        }
    }

    /// Where the node came from.
    pub fn origin(&self) -> Origin {
        self.node.origin
    }

    /// An error located at this node.
    pub fn error(&self, kind: ErrorKind, expected: impl Into<String>, found: impl Into<String>) -> ReadError {
        ReadError::new(kind, self.node.origin, self.path.clone(), expected, found)
    }

    /// A value error: `expected …, found <the value>`.
    pub fn value_error(&self, expected: impl Into<String>) -> ReadError {
        self.error(ErrorKind::Value, expected, self.node.describe())
    }

    /// A type error: `expected …, found <type> <value>`.
    pub fn type_error(&self, expected: impl Into<String>) -> ReadError {
        self.error(ErrorKind::Type, expected, self.node.describe_typed())
    }

    /// A string.
    pub fn as_str(&self) -> Result<&'a str> {
        match &self.node.value {
            Value::Str(s) => Ok(s),
            _ => Err(self.type_error("a string")),
        }
    }

    /// A boolean.
    pub fn as_bool(&self) -> Result<bool> {
        match self.node.value {
            Value::Bool(b) => Ok(b),
            _ => Err(self.type_error("a boolean (true or false)")),
        }
    }

    /// An integer in `[min, max]`, where `max` is the largest value the target type holds.
    fn int_in(&self, min: i64, max: i64) -> Result<i64> {
        let expected = format!("an integer ≥ {min}");
        match self.node.value {
            Value::Int(i) if (min..=max).contains(&i) => Ok(i),
            Value::Int(i) if i > max => Err(self.value_error(format!("an integer between {min} and {max}"))),
            Value::Int(_) => Err(self.value_error(expected)),
            // Outside TOML's range: the key's own range says what would do.
            Value::BigInt(ref s) if s.starts_with('-') => Err(self.value_error(expected)),
            Value::BigInt(_) => Err(self.value_error(format!("an integer between {min} and {max}"))),
            _ => Err(self.type_error(expected)),
        }
    }

    /// An integer ≥ `min` that fits a `u32`.
    pub fn as_u32_at_least(&self, min: u32) -> Result<u32> {
        self.int_in(i64::from(min), i64::from(u32::MAX)).map(|i| i as u32)
    }

    /// An integer in `min..=max`.
    pub fn as_u32_in(&self, min: u32, max: u32) -> Result<u32> {
        self.int_in(i64::from(min), i64::from(max)).map(|i| i as u32)
    }

    /// An integer ≥ `min` (at most `i64::MAX`).
    pub fn as_u64_at_least(&self, min: u64) -> Result<u64> {
        let min = i64::try_from(min).unwrap_or(i64::MAX);
        self.int_in(min, i64::MAX).map(|i| i as u64)
    }

    /// An integer in `min..=max` (`max` at most `i64::MAX`).
    pub fn as_u64_in(&self, min: u64, max: u64) -> Result<u64> {
        let min = i64::try_from(min).unwrap_or(i64::MAX);
        self.int_in(min, i64::try_from(max).unwrap_or(i64::MAX))
            .map(|i| i as u64)
    }

    /// An integer ≥ `min` as a `usize`.
    pub fn as_usize_at_least(&self, min: usize) -> Result<usize> {
        let max = i64::try_from(usize::MAX).unwrap_or(i64::MAX);
        self.int_in(i64::try_from(min).unwrap_or(i64::MAX), max)
            .map(|i| i as usize)
    }

    /// A finite number (an integer or a float).
    pub fn as_f64(&self) -> Result<f64> {
        match self.node.value {
            Value::Int(i) => Ok(i as f64),
            Value::BigInt(ref s) => s.parse::<f64>().map_err(|_| self.value_error("a finite number")),
            Value::Float(x) if x.is_finite() => Ok(x),
            Value::Float(_) => Err(self.value_error("a finite number")),
            _ => Err(self.type_error("a number")),
        }
    }

    /// A number > 0.
    pub fn as_positive(&self) -> Result<f64> {
        self.number_where(|x| x > 0.0, "a number > 0")
    }

    /// A number ≥ 0.
    pub fn as_non_negative(&self) -> Result<f64> {
        self.number_where(|x| x >= 0.0, "a number ≥ 0")
    }

    /// A probability, in [0, 1].
    pub fn as_probability(&self) -> Result<f64> {
        self.number_where(|x| (0.0..=1.0).contains(&x), "a probability between 0 and 1")
    }

    /// A percentage, in (0, 100] if `zero_ok` is false, else [0, 100].
    pub fn as_percent(&self, zero_ok: bool) -> Result<f64> {
        if zero_ok {
            self.number_where(|x| (0.0..=100.0).contains(&x), "a percentage between 0 and 100")
        } else {
            self.number_where(|x| x > 0.0 && x <= 100.0, "a percentage > 0 and ≤ 100")
        }
    }

    /// A finite number satisfying `ok`, described by `expected`.
    pub fn number_where(&self, ok: impl Fn(f64) -> bool, expected: &str) -> Result<f64> {
        match self.node.value {
            Value::Int(_) | Value::BigInt(_) | Value::Float(_) => {
                let x = self.as_f64().map_err(|_| self.value_error(expected))?;
                if ok(x) {
                    Ok(x)
                } else {
                    Err(self.value_error(expected))
                }
            }
            _ => Err(self.type_error(expected)),
        }
    }

    /// A duration string such as `"1m30s"`.
    pub fn as_duration(&self) -> Result<SimDuration> {
        const EXPECTED: &str = "a duration such as \"30s\", \"250ms\" or \"1m30s\"";
        match &self.node.value {
            Value::Str(s) => duration_problem(s).map_err(|why| {
                self.error(
                    ErrorKind::Value,
                    EXPECTED,
                    format!("{} ({why})", self.node.describe()),
                )
            }),
            Value::Int(_) | Value::Float(_) => Err(self.bare_number_error(EXPECTED)),
            _ => Err(self.type_error(EXPECTED)),
        }
    }

    /// The error for a number where a duration belongs: a type error whose hint gives both
    /// readings (`200` → `"200ms"` or `"200s"`), never a single guess in seconds; a negative
    /// number gets no hint, as no duration is negative.
    pub fn bare_number_error(&self, expected: &str) -> ReadError {
        let err = self.error(ErrorKind::Type, expected, self.node.describe_typed());
        let number = self.node.describe();
        if number.starts_with('-') {
            return err;
        }
        err.with_help(format!(
            "a duration needs a unit in a string: {}",
            both_readings(&number)
        ))
    }

    /// A duration > 0.
    pub fn as_positive_duration(&self) -> Result<SimDuration> {
        let d = self.as_duration()?;
        if d.is_zero() {
            Err(self.value_error("a duration > 0"))
        } else {
            Ok(d)
        }
    }

    /// A duration > 0, or `"none"` (wait forever) as `None`.
    pub fn as_timeout(&self) -> Result<Option<SimDuration>> {
        const EXPECTED: &str = "a duration such as \"5s\", or \"none\" (wait forever)";
        if matches!(&self.node.value, Value::Str(s) if s == "none") {
            return Ok(None);
        }
        let d = self.as_duration().map_err(|e| {
            let fixed = ReadError::new(e.kind, e.origin, e.path.clone(), EXPECTED, e.found.clone());
            fixed.with_help_opt(e.help.clone())
        })?;
        if d.is_zero() {
            return Err(self.value_error("a duration > 0, or \"none\" (wait forever)"));
        }
        Ok(Some(d))
    }

    /// One of the names in `choices`, mapped to its value.
    pub fn as_enum<T: Copy>(&self, choices: &[(&str, T)]) -> Result<T> {
        let names: Vec<&str> = choices.iter().map(|c| c.0).collect();
        let expected = format!("one of {}", list(&names));
        let s = match &self.node.value {
            Value::Str(s) => s,
            _ => return Err(self.type_error(expected)),
        };
        match choices.iter().find(|c| c.0 == s) {
            Some(c) => Ok(c.1),
            None => {
                let err = self.value_error(expected);
                Err(err.with_help_opt(
                    closest(s, names.iter().copied()).map(|best| format!("did you mean \"{best}\"?")),
                ))
            }
        }
    }

    /// The elements of an array.
    pub fn as_array(&self) -> Result<Vec<Item<'a>>> {
        match &self.node.value {
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, n)| Item::new(n, join_index(&self.path, i)))
                .collect()),
            _ => Err(self.type_error("an array")),
        }
    }

    /// A table reader.
    pub fn as_table(&self) -> Result<TableReader<'a>> {
        TableReader::new(self.node, self.path.clone())
    }

    /// Whether this node is a string.
    pub fn is_str(&self) -> bool {
        matches!(self.node.value, Value::Str(_))
    }

    /// Whether this node is a table.
    pub fn is_table(&self) -> bool {
        matches!(self.node.value, Value::Table(_))
    }
}

/// Reads the keys of one table, remembering which ones were asked for; [`TableReader::finish`]
/// rejects the others.
#[derive(Debug)]
pub struct TableReader<'a> {
    node: &'a Node,
    entries: &'a [Entry],
    path: String,
    used: Vec<bool>,
    accepted: Vec<String>,
}

impl<'a> TableReader<'a> {
    /// A reader over `node`, which must be a table.
    pub fn new(node: &'a Node, path: impl Into<String>) -> Result<TableReader<'a>> {
        let path = path.into();
        match &node.value {
            Value::Table(entries) => Ok(TableReader {
                node,
                entries,
                path,
                used: vec![false; entries.len()],
                accepted: Vec::new(),
            }),
            _ => Err(Item::new(node, path).type_error("a table")),
        }
    }

    /// The table's key path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The table itself, for errors about it as a whole.
    pub fn at(&self) -> Item<'a> {
        Item::new(self.node, self.path.clone())
    }

    /// Whether `key` is present (does not mark it as read).
    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|e| e.key == key)
    }

    /// The key `key`, if present.
    pub fn optional(&mut self, key: &str) -> Option<Item<'a>> {
        if !self.accepted.iter().any(|k| k == key) {
            self.accepted.push(key.to_string());
        }
        let i = self.entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        Some(Item::new(&self.entries[i].node, join_key(&self.path, key)))
    }

    /// The key `key` read by `read` if present, else `default`.
    pub fn optional_or<T>(
        &mut self,
        key: &str,
        default: T,
        read: impl FnOnce(&Item<'a>) -> Result<T>,
    ) -> Result<T> {
        match self.optional(key) {
            Some(item) => read(&item),
            None => Ok(default),
        }
    }

    /// The key `key`, which must be present.
    pub fn required(&mut self, key: &str) -> Result<Item<'a>> {
        match self.optional(key) {
            Some(item) => Ok(item),
            None => {
                let err = ReadError::new(
                    ErrorKind::Missing,
                    self.node.origin,
                    self.path.clone(),
                    format!("the required key `{key}`"),
                    "none",
                );
                let unused = self
                    .entries
                    .iter()
                    .zip(&self.used)
                    .filter(|(_, u)| !**u)
                    .map(|(e, _)| e.key.as_str());
                Err(err.with_help_opt(
                    closest(key, unused).map(|typo| format!("found `{typo}`: did you mean `{key}`?")),
                ))
            }
        }
    }

    /// Every entry, marking all as read (for tables whose keys are names, like `[policies]`).
    pub fn entries(&mut self) -> Vec<(&'a Entry, Item<'a>)> {
        self.used.iter_mut().for_each(|u| *u = true);
        self.entries
            .iter()
            .map(|e| (e, Item::new(&e.node, join_key(&self.path, &e.key))))
            .collect()
    }

    /// Fails on the first key that was never asked for, listing the accepted keys and
    /// suggesting the closest.
    pub fn finish(self) -> Result<()> {
        let Some(i) = self.used.iter().position(|u| !u) else {
            return Ok(());
        };
        let entry = &self.entries[i];
        let accepted: Vec<&str> = self.accepted.iter().map(String::as_str).collect();
        let expected = if accepted.is_empty() {
            "no keys here".to_string()
        } else {
            format!("one of the keys {}", list(&accepted))
        };
        let err = ReadError::new(
            ErrorKind::UnknownKey,
            entry.key_origin,
            join_key(&self.path, &entry.key),
            expected,
            format!("unknown key `{}`", entry.key),
        );
        Err(err.with_help_opt(
            closest(&entry.key, accepted.iter().copied()).map(|best| format!("did you mean `{best}`?")),
        ))
    }
}

/// `a`, `b` or `c` — a list for messages.
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance in characters, counting insertions, deletions, substitutions and transpositions
/// of adjacent characters (optimal string alignment), so `wrok` is one edit from `work`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j - 1] + cost)
                .min(d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("replica", "replicas"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("wrok", "work"), 1);
        assert_eq!(
            closest("replica", ["name", "replicas", "slots"]),
            Some("replicas")
        );
        assert_eq!(closest("xyz", ["name", "replicas", "slots"]), None);
    }
}
