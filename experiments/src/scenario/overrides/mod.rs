//! `--set path=value` overrides, applied to the tree before it is read.
//!
//! A path uses the file's keys: dotted keys (`policies.naive.retry.max_attempts`), `[i]` indexes
//! into arrays (`services[1].replicas`, `faults[0].latency`), and for the top-level arrays of
//! tables `clients`, `services` and `faults` also the element's `name` as a key
//! (`services.classification.replicas`). A key that is not bare is quoted: `policies."my p".deadline`.
//!
//! The value is parsed as a TOML value (`3`, `"none"`, `{ kind = "grpc" }`, `[1, 2]`); if it is
//! not valid TOML it is taken as a bare string, so `--set duration=300s` works. Setting a key
//! absent from the file is allowed when its parent exists (the reader then validates it like any
//! key), and a path through a missing table creates it. A path that leads nowhere (an index out
//! of range, no element with that name, a step into a value that is not a table) is an error
//! naming the `--set` argument.

mod path;

pub use path::{MAX_PATH_SEGMENTS, Path, Segment, parse_path};

use super::error::{ErrorKind, Location, ReadError, ScenarioError};
use super::reader::closest;
use super::tree::{Entry, Node, Origin, Span, Value, join_index, join_key, parse_value};

/// Top-level arrays of tables whose elements can be addressed by their `name`.
pub const NAMED_ARRAYS: [&str; 3] = ["clients", "services", "faults"];

/// One `--set path=value` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The key path, e.g. `services.upload.replicas`.
    pub path: String,
    /// The value text, e.g. `3` or `300s`.
    pub value: String,
}

impl Override {
    /// Parses `path=value` (split at the first `=` outside quotes; spaces around both sides
    /// are dropped).
    pub fn parse(arg: &str) -> Result<Override, ScenarioError> {
        let mut in_quotes = false;
        let mut escaped = false;
        let mut split = None;
        for (i, c) in arg.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_quotes => escaped = true,
                '"' => in_quotes = !in_quotes,
                '=' if !in_quotes => {
                    split = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let bad = |expected: &str, found: String, span: std::ops::Range<usize>| {
            ScenarioError::bare(
                ErrorKind::Override,
                Location::Override {
                    index: None,
                    argument: arg.to_string(),
                    span,
                },
                expected.to_string(),
                found,
            )
        };
        let Some(i) = split else {
            return Err(bad(
                "`path=value`, e.g. `services.upload.replicas=3`",
                "no `=`".into(),
                0..arg.len(),
            ));
        };
        let path = arg[..i].trim();
        if path.is_empty() {
            return Err(bad("a key path before `=`", "nothing".into(), 0..i));
        }
        let o = Override {
            path: path.to_string(),
            value: arg[i + 1..].trim().to_string(),
        };
        if let Err((why, span)) = parse_path(&o.path) {
            return Err(bad(
                "a key path such as `services.upload.replicas` or `faults[0].from`",
                why,
                span,
            ));
        }
        Ok(o)
    }

    /// The argument as shown in messages: `path=value`.
    pub fn argument(&self) -> String {
        format!("{}={}", self.path, self.value)
    }
}

/// Applies override number `index` to the document `root`.
pub fn apply(root: &mut Node, o: &Override, index: usize) -> Result<(), ReadError> {
    let at = |span: Span| Origin::Override { index, span };
    let segments = parse_path(&o.path).map_err(|(why, span)| {
        ReadError::new(
            ErrorKind::Override,
            at(span.into()),
            "",
            "a key path such as `services.upload.replicas`",
            why,
        )
    })?;
    let offset = o.path.len() + 1;
    let value_span = Span {
        start: offset,
        end: offset + o.value.len(),
    };
    let shifted = |s: Span| {
        at(Span {
            start: s.start + offset,
            end: s.end + offset,
        })
    };
    let target_path = render_path(&segments);
    let value = match parse_value(&o.value, &target_path, &shifted) {
        Some(parsed) => parsed?,
        None => Node {
            origin: at(value_span),
            value: Value::Str(o.value.clone()),
        },
    };
    set(root, &segments, value, index)
}

/// The path as the reader would name it (indexes kept, names kept as keys).
fn render_path(segments: &[(Segment, Span)]) -> String {
    let mut path = String::new();
    for (seg, _) in segments {
        path = match seg {
            Segment::Key(k) => join_key(&path, k),
            Segment::Index(i) => join_index(&path, *i),
        };
    }
    path
}

/// Sets the node at `segments` (relative to `root`) to `value`, creating missing tables on the
/// way; `index` is the `--set` argument's position, for errors.
pub fn set(
    root: &mut Node,
    segments: &[(Segment, Span)],
    value: Node,
    index: usize,
) -> Result<(), ReadError> {
    set_at(root, segments, 0, value, index, String::new())
}

/// Sets the node at `segments[depth..]` below `node`, whose key path is `path`, to `value`.
fn set_at(
    node: &mut Node,
    segments: &[(Segment, Span)],
    depth: usize,
    value: Node,
    index: usize,
    path: String,
) -> Result<(), ReadError> {
    let Some((seg, span)) = segments.get(depth) else {
        *node = value;
        return Ok(());
    };
    let origin = Origin::Override { index, span: *span };
    let err = |expected: String, found: String| {
        ReadError::new(ErrorKind::Override, origin, path.clone(), expected, found)
    };
    let named_array =
        depth == 1 && matches!(&segments[0].0, Segment::Key(k) if NAMED_ARRAYS.contains(&k.as_str()));
    let (child, child_path) = match (seg, &mut node.value) {
        (Segment::Key(key), Value::Table(entries)) => {
            let next = segments.get(depth + 1).map(|(s, _)| s);
            let i = entry_for(entries, key, next, depth, origin, &err)?;
            (&mut entries[i].node, join_key(&path, key))
        }
        (Segment::Key(name), Value::Array(items)) if named_array => {
            let i = element_named(items, name, &path, &err)?;
            (&mut items[i], join_index(&path, i))
        }
        (Segment::Key(key), Value::Array(_)) => {
            return Err(err(
                format!(
                    "an index like `{path}[0]` (only {} are indexed by name)",
                    NAMED_ARRAYS.join(", ")
                ),
                format!("the key `{key}`"),
            ));
        }
        (Segment::Index(i), Value::Array(items)) => {
            check_index(*i, items.len(), &path, &err)?;
            (&mut items[*i], join_index(&path, *i))
        }
        (Segment::Index(i), other) => {
            let found = format!("{} (cannot index it with [{i}])", other.type_name());
            return Err(err(format!("an array at `{path}`"), found));
        }
        (Segment::Key(key), other) => {
            let found = format!("{} (cannot look up `{key}` in it)", other.type_name());
            return Err(err(format!("a table at `{path}`"), found));
        }
    };
    set_at(child, segments, depth + 1, value, index, child_path)
}

/// The position of `key` among a table's `entries`. An absent key is added with an empty table
/// (located at `origin`) for the rest of the path to fill, unless the `next` segment indexes
/// into it: that is an error made by `err`.
fn entry_for(
    entries: &mut Vec<Entry>,
    key: &str,
    next: Option<&Segment>,
    depth: usize,
    origin: Origin,
    err: &impl Fn(String, String) -> ReadError,
) -> Result<usize, ReadError> {
    if let Some(i) = entries.iter().position(|e| e.key == key) {
        return Ok(i);
    }
    if matches!(next, Some(Segment::Index(_))) {
        let what = if depth == 0 { "the document" } else { "this table" };
        return Err(err(
            format!("an array `{key}` to index into"),
            format!("no key `{key}` in {what}"),
        ));
    }
    let placeholder = Node {
        origin,
        value: Value::Table(Vec::new()),
    };
    entries.push(Entry {
        key: key.to_string(),
        key_origin: origin,
        node: placeholder,
    });
    Ok(entries.len() - 1)
}

/// The position of the element named `name` in `items`, the array at `path`; else an error made
/// by `err` that lists the names and suggests the closest.
fn element_named(
    items: &[Node],
    name: &str,
    path: &str,
    err: &impl Fn(String, String) -> ReadError,
) -> Result<usize, ReadError> {
    let names: Vec<Option<&str>> = items
        .iter()
        .map(|n| match n.get("name").map(|v| &v.value) {
            Some(Value::Str(s)) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    if let Some(i) = names.iter().position(|n| *n == Some(name)) {
        return Ok(i);
    }
    let known: Vec<&str> = names.iter().flatten().copied().collect();
    let expected = if known.is_empty() {
        format!("an index like `{path}[0]` (no element of `{path}` has a name)")
    } else {
        format!(
            "the name of an element of `{path}`: {}",
            super::reader::list(&known)
        )
    };
    let e = err(expected, format!("`{name}`"));
    Err(e.with_help_opt(closest(name, known.iter().copied()).map(|best| format!("did you mean `{best}`?"))))
}

/// Fails, with an error made by `err`, unless `i` is below `len`, the length of the array at
/// `path`.
fn check_index(
    i: usize,
    len: usize,
    path: &str,
    err: &impl Fn(String, String) -> ReadError,
) -> Result<(), ReadError> {
    if i < len {
        return Ok(());
    }
    let expected = if len == 0 {
        format!("an element of `{path}`")
    } else {
        format!(
            "an index below {len} (`{path}` has {len} element{})",
            if len == 1 { "" } else { "s" }
        )
    };
    let found = if len == 0 {
        "an empty array".to_string()
    } else {
        format!("index {i}")
    };
    Err(err(expected, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arguments_and_paths() {
        let o = Override::parse("services.upload.replicas = 3").unwrap();
        assert_eq!(
            o,
            Override {
                path: "services.upload.replicas".into(),
                value: "3".into()
            }
        );
        let o = Override::parse("policies.\"a=b\".deadline=5s").unwrap();
        assert_eq!(o.path, "policies.\"a=b\".deadline");
        let segs: Vec<Segment> = parse_path("services[1].steps[0].call")
            .unwrap()
            .into_iter()
            .map(|s| s.0)
            .collect();
        assert_eq!(
            segs,
            [
                Segment::Key("services".into()),
                Segment::Index(1),
                Segment::Key("steps".into()),
                Segment::Index(0),
                Segment::Key("call".into())
            ]
        );
        assert!(Override::parse("replicas").is_err());
        assert!(Override::parse("=3").is_err());
        assert!(Override::parse("a..b=3").is_err());
        assert!(Override::parse("a[x]=3").is_err());
        assert!(Override::parse("a.=3").is_err());
        let deep = format!("{}=1", vec!["a"; MAX_PATH_SEGMENTS + 1].join("."));
        assert!(Override::parse(&deep).is_err());
    }
}
