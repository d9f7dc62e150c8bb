//! One-step simplifications of a scenario tree, found by walking it: nothing here knows a
//! scenario key. An edit drops a key of a table or an element of an array, puts a node's child
//! or grandchild in its place (a distribution table becomes one of its durations, a parallel
//! step one of its calls), or sets a number to zero or halves it (an integer, a float, a duration string). The
//! loader decides which of them still make a valid scenario.

use crate::scenario::parse_duration;
use crate::scenario::tree::{Node, Value};

use super::super::spec::{Dur, node};

/// The top-level keys left alone: the seed is the run's randomness, not part of its size.
const KEPT: [&str; 1] = ["seed"];

/// Keys never dropped, only made smaller: the run's bounds. Without them the loader's defaults
/// apply, a thousand times the generator's, and a candidate could run for minutes.
const BOUNDS: [&[&str]; 3] = [&["limits"], &["limits", "max_events"], &["limits", "max_pending"]];

/// An edit, with how much it removes (nodes; 1 for a number halved).
struct Edit {
    weight: usize,
    tree: Node,
}

/// The nodes of a tree.
fn size(n: &Node) -> usize {
    1 + match &n.value {
        Value::Array(items) => items.iter().map(size).sum(),
        Value::Table(entries) => entries.iter().map(|e| size(&e.node)).sum(),
        _ => 0,
    }
}

/// The children of a node: a table's values, an array's elements.
fn children(n: &Node) -> Vec<&Node> {
    match &n.value {
        Value::Array(items) => items.iter().collect(),
        Value::Table(entries) => entries.iter().map(|e| &e.node).collect(),
        _ => Vec::new(),
    }
}

/// The node at `path` (child positions) under `root`.
fn at_mut<'a>(root: &'a mut Node, path: &[usize]) -> &'a mut Node {
    path.iter().fold(root, |n, &i| match &mut n.value {
        Value::Array(items) => &mut items[i],
        Value::Table(entries) => &mut entries[i].node,
        _ => unreachable!("a path goes through arrays and tables only"),
    })
}

/// `root` with the node at `path` replaced by `by` (`None`: removed from its parent).
fn edited(root: &Node, path: &[usize], by: Option<Node>) -> Node {
    let mut out = root.clone();
    let (&last, parent) = path.split_last().expect("not the root");
    match (&mut at_mut(&mut out, parent).value, by) {
        (Value::Array(items), Some(n)) => items[last] = n,
        (Value::Array(items), None) => {
            items.remove(last);
        }
        (Value::Table(entries), Some(n)) => entries[last].node = n,
        (Value::Table(entries), None) => {
            entries.remove(last);
        }
        _ => unreachable!("a parent is an array or a table"),
    }
    out
}

/// The number `n` made simpler: zero, then halved (towards zero), whichever change it:
/// integers, floats (to 0 once tiny, so halving ends) and durations.
fn smaller(n: &Node) -> Vec<Node> {
    let values = match &n.value {
        Value::Int(i) if *i != 0 => vec![Value::Int(0), Value::Int(i / 2)],
        Value::Float(x) if *x != 0.0 && x.is_finite() => {
            vec![
                Value::Float(0.0),
                Value::Float(if x.abs() < 0.002 { 0.0 } else { x / 2.0 }),
            ]
        }
        Value::Str(s) => match parse_duration(s).map(|d| d.as_nanos()) {
            Ok(ns) if ns > 0 => vec![Value::Str(Dur(0).text()), Value::Str(Dur(ns / 2).text())],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut out: Vec<Node> = Vec::new();
    for v in values {
        if !out.iter().any(|o| o.value == v) {
            out.push(node(v));
        }
    }
    out
}

/// Every edit of the subtree at `path` (`n` is the node there, `keys` the keys on the way,
/// `""` for an array element), in pre-order.
fn walk<'a>(root: &Node, path: &mut Vec<usize>, keys: &mut Vec<&'a str>, n: &'a Node, out: &mut Vec<Edit>) {
    if !path.is_empty() {
        if !BOUNDS.contains(&keys.as_slice()) {
            out.push(Edit {
                weight: size(n),
                tree: edited(root, path, None),
            });
        }
        for child in children(n) {
            let grandchildren = children(child).into_iter().map(|g| (g, size(n) - size(g)));
            for (repl, weight) in std::iter::once((child, size(n) - size(child))).chain(grandchildren) {
                out.push(Edit {
                    weight,
                    tree: edited(root, path, Some(repl.clone())),
                });
            }
        }
        for h in smaller(n) {
            out.push(Edit {
                weight: 1,
                tree: edited(root, path, Some(h)),
            });
        }
    }
    let top = path.is_empty();
    let kept = |i: usize| match &n.value {
        Value::Table(entries) => top && KEPT.contains(&entries[i].key.as_str()),
        _ => false,
    };
    for (i, child) in children(n).into_iter().enumerate() {
        if kept(i) {
            continue;
        }
        let key = match &n.value {
            Value::Table(entries) => entries[i].key.as_str(),
            _ => "",
        };
        path.push(i);
        keys.push(key);
        walk(root, path, keys, child, out);
        keys.pop();
        path.pop();
    }
}

/// One-step simplifications of a tree, the biggest first (then in the tree's order). Each
/// is smaller than the tree (fewer nodes, or as many with a number nearer zero), so repeated
/// simplification ends.
pub(super) fn simplifications(root: &Node) -> Vec<Node> {
    let mut edits = Vec::new();
    walk(root, &mut Vec::new(), &mut Vec::new(), root, &mut edits);
    // Stable: equal weights keep the tree's order.
    edits.sort_by_key(|e| std::cmp::Reverse(e.weight));
    edits.into_iter().map(|e| e.tree).collect()
}
