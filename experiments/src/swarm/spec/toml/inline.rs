//! TOML building blocks: numbers, strings, durations, arrays and inline tables.

use std::fmt::Write as _;

use super::super::{Dur, Part, Timeout};
pub(super) use crate::scenario::tree::quote;

/// A float as TOML: always with a fraction or an exponent, so it reads as a float.
pub(super) fn num(x: f64) -> String {
    format!("{x:?}")
}

/// `key = value` pairs rendered as an inline table.
#[derive(Default)]
pub(super) struct Inline(pub(super) Vec<(String, String)>);

impl Inline {
    pub(super) fn put(&mut self, key: &str, value: String) -> &mut Inline {
        self.0.push((key.to_string(), value));
        self
    }
    pub(super) fn opt<T>(&mut self, key: &str, value: Option<T>, f: impl FnOnce(T) -> String) -> &mut Inline {
        if let Some(v) = value {
            self.put(key, f(v));
        }
        self
    }
    pub(super) fn render(&self) -> String {
        if self.0.is_empty() {
            return "{}".into();
        }
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("{{ {} }}", parts.join(", "))
    }
    /// As `key = value` lines of a table.
    pub(super) fn lines(&self, out: &mut String) {
        for (k, v) in &self.0 {
            let _ = writeln!(out, "{k} = {v}");
        }
    }
}

pub(super) fn dur(d: Dur) -> String {
    quote(&d.text())
}

pub(super) fn timeout(t: Timeout) -> String {
    quote(&t.text())
}

pub(super) fn array(items: Vec<String>) -> String {
    format!("[{}]", items.join(", "))
}

pub(super) fn part<T>(p: &Part<T>, f: impl FnOnce(&T) -> String) -> String {
    match p {
        Part::Off => quote("none"),
        Part::On(v) => f(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_floats() {
        assert_eq!(num(1.0), "1.0");
        assert_eq!(num(0.25), "0.25");
    }
}
