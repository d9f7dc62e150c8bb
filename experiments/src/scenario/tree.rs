//! The raw input: an owned TOML tree in which every value and key remembers where it came from.
//!
//! The text is parsed by `toml`'s spanned parser ([`toml::de::DeTable::parse`]) and converted
//! into [`Node`]s. Tables keep their keys in file order (the parser sorts them; we restore the
//! order from the key spans), datetimes are rejected, and an integer outside TOML's range (an
//! `i64`) is kept as a [`Value::BigInt`], so that the key reading it can say its own range (and
//! a `seed` can take any `u64`). `--set`
//! overrides edit this tree (see [`super::overrides`]) before the typed reader
//! ([`super::reader`]) walks it, so an override is validated exactly like the file.
//!
//! [`canonical`] renders a tree as TOML in a fixed layout, and [`hash_hex`] hashes that text: a run
//! records the hash so two runs of the same scenario (after overrides) can be recognised.

use std::fmt::Write as _;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::{ErrorKind, ReadError};

/// A byte range in the file, or in a `--set` argument.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span {
            start: r.start,
            end: r.end,
        }
    }
}

/// Where a node or key came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A byte range of the scenario file.
    File(Span),
    /// The `--set` argument number `index` (0-based); `span` is a byte range of the argument as
    /// [`super::Override::argument`] renders it (`path=value`).
    Override {
        /// Position among the `--set` arguments.
        index: usize,
        /// Byte range in the argument.
        span: Span,
    },
}

/// A value with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where it came from.
    pub origin: Origin,
    /// The value.
    pub value: Value,
}

/// A TOML value (datetimes excluded).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// An integer literal outside TOML's range (an `i64`), in decimal if it fits an `i128`,
    /// else as written. Only a `seed` accepts one (up to `u64::MAX`); every other key reports
    /// its own range.
    BigInt(String),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An array.
    Array(Vec<Node>),
    /// A table, keys in file order (keys added by overrides at the end).
    Table(Vec<Entry>),
}

/// One key of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key came from.
    pub key_origin: Origin,
    /// Its value.
    pub node: Node,
}

impl Value {
    /// "a string", "an integer", "a float", "a boolean", "an array", "a table".
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) | Value::BigInt(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

impl Node {
    /// The entry `key` of a table node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Table(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.node),
            _ => None,
        }
    }

    /// A short rendering for error messages: `-2`, `"15"`, `true`, `a table`, `an array`.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Str(s) => quote(s),
            Value::Int(i) => i.to_string(),
            Value::BigInt(s) => s.clone(),
            Value::Float(x) => float_text(*x),
            Value::Bool(b) => b.to_string(),
            Value::Array(a) if a.is_empty() => "an empty array".to_string(),
            Value::Array(_) => "an array".to_string(),
            Value::Table(_) => "a table".to_string(),
        }
    }

    /// The type and the value, for type errors: `a string "3"`, `an integer 5`, `a table`.
    pub fn describe_typed(&self) -> String {
        match &self.value {
            Value::Array(_) | Value::Table(_) => self.describe(),
            v => format!("{} {}", v.type_name(), self.describe()),
        }
    }
}

/// `parent.key`, quoting the key if it is not bare.
pub fn join_key(parent: &str, key: &str) -> String {
    let key = render_key(key);
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}

/// `parent[i]`.
pub fn join_index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

/// Parses a whole document; every origin is [`Origin::File`].
pub fn parse_document(text: &str) -> Result<Node, ReadError> {
    match DeTable::parse(text) {
        Ok(table) => {
            let span = Span::from(table.span());
            let value = DeValue::Table(table.into_inner());
            convert(&Spanned::new(span.start..span.end, value), "", &|s| {
                Origin::File(s)
            })
        }
        Err(e) => {
            let span = e.span().map(Span::from).unwrap_or_default();
            Err(ReadError::new(
                ErrorKind::Syntax,
                Origin::File(span),
                "",
                "valid TOML",
                e.message().trim(),
            ))
        }
    }
}

/// Parses one TOML value (the right-hand side of a `--set`); `None` if it is not valid TOML.
/// `origin` turns a byte range of `text` into the nodes' origin; `path` names the value in errors.
pub fn parse_value(
    text: &str,
    path: &str,
    origin: &dyn Fn(Span) -> Origin,
) -> Option<Result<Node, ReadError>> {
    let value = DeValue::parse(text).ok()?;
    Some(convert(&value, path, origin))
}

fn convert(v: &Spanned<DeValue<'_>>, path: &str, origin: &dyn Fn(Span) -> Origin) -> Result<Node, ReadError> {
    let here = origin(Span::from(v.span()));
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::BigInt(
                i128::from_str_radix(i.as_str(), i.radix()).map_or_else(|_| i.to_string(), |n| n.to_string()),
            ),
        },
        DeValue::Float(x) => match parse_float(x.as_str()) {
            Some(f) => Value::Float(f),
            None => {
                return Err(ReadError::new(
                    ErrorKind::Value,
                    here,
                    path,
                    "a float",
                    x.to_string(),
                ));
            }
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => {
            return Err(ReadError::new(
                ErrorKind::Type,
                here,
                path,
                "a string, number, boolean, array or table (datetimes are not used; write durations as \"30s\")",
                format!("the datetime {d}"),
            ));
        }
        DeValue::Array(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                nodes.push(convert(item, &join_index(path, i), origin)?);
            }
            Value::Array(nodes)
        }
        DeValue::Table(table) => {
            let mut pairs: Vec<_> = table.iter().collect();
            // The parser stores keys sorted; their spans give the order of the file.
            pairs.sort_by_key(|(k, _)| (k.span().start, k.span().end));
            let mut entries = Vec::with_capacity(pairs.len());
            for (k, val) in pairs {
                let key = k.get_ref().to_string();
                let node = convert(val, &join_key(path, &key), origin)?;
                entries.push(Entry {
                    key,
                    key_origin: origin(Span::from(k.span())),
                    node,
                });
            }
            Value::Table(entries)
        }
    };
    Ok(Node { origin: here, value })
}

fn parse_float(text: &str) -> Option<f64> {
    match text.trim_start_matches('+') {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "-nan" => Some(f64::NAN),
        t => t.parse().ok(),
    }
}

/// The hash of a text as 16 hex digits ([`sim_core::hash::fnv1a`] of its UTF-8 bytes): the
/// scenario hash of a run, a sweep's hash.
pub fn hash_hex(text: &str) -> String {
    format!("{:016x}", sim_core::hash::fnv1a(text.as_bytes()))
}

/// Renders a document tree as TOML in a fixed layout: top-level plain values first, then a
/// `[table]` section per top-level table (`[table.sub]` sections when every value of it is a
/// table, as for `[policies.NAME]`), then `[[array]]` sections for arrays of tables. Everything
/// inside a section is written inline; arrays of tables inside a section get one element per
/// line. Comments and formatting of the original are gone; keys keep their order.
pub fn canonical(root: &Node) -> String {
    let mut out = String::new();
    let Value::Table(entries) = &root.value else {
        out.push_str(&render_inline(root));
        out.push('\n');
        return out;
    };
    let is_tables = |n: &Node| matches!(&n.value, Value::Array(a) if !a.is_empty() && a.iter().all(is_table));
    let mut sections = Vec::new();
    for e in entries {
        match &e.node.value {
            Value::Table(t) if !t.is_empty() => sections.push(e),
            _ if is_tables(&e.node) => sections.push(e),
            _ => {
                let _ = writeln!(out, "{} = {}", render_key(&e.key), body_value(&e.node));
            }
        }
    }
    for e in sections {
        let key = render_key(&e.key);
        match &e.node.value {
            Value::Table(t)
                if t.iter()
                    .all(|s| matches!(&s.node.value, Value::Table(x) if !x.is_empty())) =>
            {
                for sub in t {
                    let _ = writeln!(out, "\n[{key}.{}]", render_key(&sub.key));
                    write_body(&mut out, &sub.node);
                }
            }
            Value::Table(_) => {
                let _ = writeln!(out, "\n[{key}]");
                write_body(&mut out, &e.node);
            }
            Value::Array(items) => {
                for item in items {
                    let _ = writeln!(out, "\n[[{key}]]");
                    write_body(&mut out, item);
                }
            }
            _ => {}
        }
    }
    out
}

fn is_table(n: &Node) -> bool {
    matches!(n.value, Value::Table(_))
}

fn write_body(out: &mut String, table: &Node) {
    if let Value::Table(entries) = &table.value {
        for e in entries {
            let _ = writeln!(out, "{} = {}", render_key(&e.key), body_value(&e.node));
        }
    }
}

/// A value in a section: arrays of tables one element per line, the rest inline.
fn body_value(node: &Node) -> String {
    match &node.value {
        Value::Array(items) if !items.is_empty() && items.iter().all(is_table) => {
            let mut s = String::from("[\n");
            for item in items {
                let _ = writeln!(s, "  {},", render_inline(item));
            }
            s.push(']');
            s
        }
        _ => render_inline(node),
    }
}

/// A value as inline TOML on one line: `"5s"`, `[1, 2]`, `{ kind = "grpc" }` (for building
/// `--set` arguments from values, as sweeps do).
pub fn render_inline(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => quote(s),
        Value::Int(i) => i.to_string(),
        // Written as a string, so the canonical text is TOML (a seed reads either form).
        Value::BigInt(s) => quote(s),
        Value::Float(x) => float_text(*x),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(render_inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Table(entries) if entries.is_empty() => "{}".to_string(),
        Value::Table(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|e| format!("{} = {}", render_key(&e.key), render_inline(&e.node)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

fn float_text(x: f64) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    } else {
        // Debug gives the shortest text that reads back to the same f64, with a `.0` or an
        // exponent, which TOML accepts as a float.
        format!("{x:?}")
    }
}

/// A key, bare if it can be, else a quoted string.
pub fn render_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        key.to_string()
    } else {
        quote(key)
    }
}

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_spans() {
        let root = parse_document("zeta = 1\nalpha = \"x\"\n[t]\nb = 2\na = 3\n").unwrap();
        let Value::Table(entries) = &root.value else {
            panic!()
        };
        let keys: Vec<_> = entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["zeta", "alpha", "t"]);
        let t = root.get("t").unwrap();
        let Value::Table(inner) = &t.value else { panic!() };
        assert_eq!(inner[0].key, "b");
        assert_eq!(
            root.get("alpha").unwrap().origin,
            Origin::File(Span { start: 17, end: 20 })
        );
    }

    #[test]
    fn rejects_datetimes_with_a_location() {
        let err = parse_document("a = 1\nwhen = 1979-05-27\n").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Type);
        assert_eq!(err.path, "when");
        assert_eq!(err.origin, Origin::File(Span { start: 13, end: 23 }));
    }

    #[test]
    fn canonical_rendering_reads_back_identically() {
        let text = "name = \"x\"\nseed = 3\nf = 0.1\n[[services]]\nname = \"a b\"\nsteps = [{ work = \"5ms\" }]\n\
                    [policies.p]\ntimeouts = { read = \"none\" }\n[network]\nlatency = \"1ms\"\n";
        let root = parse_document(text).unwrap();
        let once = canonical(&root);
        let again = canonical(&parse_document(&once).unwrap());
        assert_eq!(once, again);
        assert!(once.contains("[policies.p]"), "{once}");
        assert!(once.contains("[[services]]"), "{once}");
    }

    #[test]
    fn hash_hex_is_fnv1a_in_16_hex_digits() {
        assert_eq!(hash_hex(""), "cbf29ce484222325");
        assert_eq!(hash_hex("a"), "af63dc4c8601ec8c");
    }
}
