//! [`Spec`]: a generated scenario as the scenario tree ([`crate::scenario::tree`]) that the
//! loader reads, with the swarm seed it came from. The generator builds it, the shrinker
//! simplifies it, and [`Spec::to_toml`] writes it with the tree's one canonical writer
//! ([`tree::canonical`]), so the swarm knows the file format only through the schema: a new
//! scenario key needs the schema and the generator, nothing else.
//!
//! An optional key the generator leaves out is simply absent from its table, so the loader's
//! default applies (the generator exercises the defaults as much as the values). [`Table`] and
//! [`IntoNode`] build the tree; [`Dur`] writes a duration exactly.

use crate::scenario::tree::{self, Entry, Node, Origin, Span, Value};

/// A duration in integer nanoseconds, written with the largest unit that divides it exactly
/// (`"1500ms"`, `"1ns"`, `"2m"`), so the file says exactly the generated value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub u64);

impl Dur {
    /// `n` milliseconds.
    pub const fn ms(n: u64) -> Dur {
        Dur(n * 1_000_000)
    }
    /// `n` seconds.
    pub const fn secs(n: u64) -> Dur {
        Dur(n * 1_000_000_000)
    }

    /// The scenario-file spelling, e.g. `"250us"`.
    pub fn text(self) -> String {
        const UNITS: [(u64, &str); 6] = [
            (3_600_000_000_000, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ];
        if self.0 == 0 {
            return "0s".into();
        }
        let (unit, name) = UNITS
            .iter()
            .find(|(u, _)| self.0.is_multiple_of(*u))
            .copied()
            .unwrap_or((1, "ns"));
        format!("{}{name}", self.0 / unit)
    }
}

/// The origin of a generated node: it has no place in a file.
const GENERATED: Origin = Origin::File(Span { start: 0, end: 0 });

/// A node holding `value`.
pub fn node(value: Value) -> Node {
    Node {
        origin: GENERATED,
        value,
    }
}

/// What a tree node can be built from: strings, integers, floats, booleans, durations, lists of
/// nodes and nodes themselves.
pub trait IntoNode {
    /// The node.
    fn into_node(self) -> Node;
}

impl IntoNode for Node {
    fn into_node(self) -> Node {
        self
    }
}
impl IntoNode for &str {
    fn into_node(self) -> Node {
        node(Value::Str(self.to_string()))
    }
}
impl IntoNode for String {
    fn into_node(self) -> Node {
        node(Value::Str(self))
    }
}
impl IntoNode for u32 {
    fn into_node(self) -> Node {
        node(Value::Int(i64::from(self)))
    }
}
impl IntoNode for u64 {
    fn into_node(self) -> Node {
        match i64::try_from(self) {
            Ok(n) => node(Value::Int(n)),
            // Beyond TOML's integers (only a seed can be): a string, as the loader reads it.
            Err(_) => node(Value::Str(self.to_string())),
        }
    }
}
impl IntoNode for f64 {
    fn into_node(self) -> Node {
        node(Value::Float(self))
    }
}
impl IntoNode for bool {
    fn into_node(self) -> Node {
        node(Value::Bool(self))
    }
}
impl IntoNode for Dur {
    fn into_node(self) -> Node {
        node(Value::Str(self.text()))
    }
}
impl IntoNode for Table {
    fn into_node(self) -> Node {
        node(Value::Table(self.0))
    }
}
impl<T: IntoNode> IntoNode for Vec<T> {
    fn into_node(self) -> Node {
        node(Value::Array(self.into_iter().map(IntoNode::into_node).collect()))
    }
}

/// A table under construction, keys in the order they are put.
#[derive(Clone, Debug, Default)]
pub struct Table(Vec<Entry>);

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table(Vec::new())
    }
    /// Adds `key = value`.
    pub fn put(mut self, key: &str, value: impl IntoNode) -> Table {
        self.0.push(Entry {
            key: key.to_string(),
            key_origin: GENERATED,
            node: value.into_node(),
        });
        self
    }
    /// Adds `key = value` if there is a value.
    pub fn opt(self, key: &str, value: Option<impl IntoNode>) -> Table {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }
    /// Adds `key = [items]` unless there are none (an empty list is left out).
    pub fn list(self, key: &str, items: Vec<impl IntoNode>) -> Table {
        if items.is_empty() {
            self
        } else {
            self.put(key, items)
        }
    }
    /// Adds the keys of `other`.
    pub fn extend(mut self, other: Table) -> Table {
        self.0.extend(other.0);
        self
    }
}

/// A generated scenario: its swarm seed and its tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The swarm seed it was generated from; also the file's `seed`.
    pub seed: u64,
    /// The scenario file's tree.
    pub root: Node,
}

impl Spec {
    /// The scenario's name: `swarm-SEED`.
    pub fn name(&self) -> String {
        format!("swarm-{}", self.seed)
    }

    /// The scenario file (`docs/scenarios.md`): a comment saying where it came from, then the
    /// tree in the canonical layout of [`tree::canonical`].
    pub fn to_toml(&self) -> String {
        format!(
            "# Generated by `meshsim swarm --seed {}` (a random scenario for swarm testing).\n{}",
            self.seed,
            tree::canonical(&self.root)
        )
    }

    /// The elements of the top-level array `key` (`clients`, `services`, `faults`), none if
    /// absent.
    pub fn items(&self, key: &str) -> &[Node] {
        match self.root.get(key).map(|n| &n.value) {
            Some(Value::Array(items)) => items,
            _ => &[],
        }
    }

    /// The entries of the top-level table `key` (`policies`), none if absent.
    pub fn entries(&self, key: &str) -> &[Entry] {
        match self.root.get(key).map(|n| &n.value) {
            Some(Value::Table(entries)) => entries,
            _ => &[],
        }
    }

    /// One line: what the scenario has.
    pub fn describe(&self) -> String {
        let services = self.items("services");
        let pods: i64 = services.iter().map(|s| int(s.get("replicas")).unwrap_or(1)).sum();
        let duration = match self.root.get("duration").map(|n| &n.value) {
            Some(Value::Str(d)) => d.clone(),
            _ => "?".into(),
        };
        format!(
            "{} over {duration}: {} client(s), {} service(s) with {pods} pod(s), {} policy(ies), {} fault(s)",
            self.name(),
            self.items("clients").len(),
            services.len(),
            self.entries("policies").len(),
            self.items("faults").len()
        )
    }
}

/// The string at `node`, if it is one.
pub fn text(node: Option<&Node>) -> Option<&str> {
    match node.map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// The integer at `node`, if it is one.
pub fn int(node: Option<&Node>) -> Option<i64> {
    match node.map(|n| &n.value) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

/// The boolean at `node`, if it is one.
pub fn flag(node: Option<&Node>) -> Option<bool> {
    match node.map(|n| &n.value) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(Dur(0).text(), "0s");
        assert_eq!(Dur(1).text(), "1ns");
        assert_eq!(Dur(1_500).text(), "1500ns");
        assert_eq!(Dur::ms(1500).text(), "1500ms");
        assert_eq!(Dur::secs(120).text(), "2m");
        assert_eq!(Dur::secs(7200).text(), "2h");
        assert_eq!(Dur(250_000).text(), "250us");
    }

    #[test]
    fn tables_keep_their_order_and_leave_out_what_is_absent() {
        let t = Table::new()
            .put("b", 1u32)
            .opt("none", None::<u32>)
            .list("empty", Vec::<u32>::new())
            .put("a", Dur::ms(5))
            .into_node();
        assert_eq!(tree::render_inline(&t), "{ b = 1, a = \"5ms\" }");
    }
}
