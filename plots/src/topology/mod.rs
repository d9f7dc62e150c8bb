//! The topology: who calls whom, under which policy, and where the faults strike.
//!
//! Clients and services are boxes, calls are arrows labelled with their policy's name and a
//! compact summary; faults are printed in the box of the service they strike. The layout is a
//! pure function of the input: the call graph is layered (clients in the left column, then each
//! service one column right of its deepest caller: the longest path from a client), boxes keep
//! the input order within their column, and an arrow's label sits in the column right of its
//! caller's box, in a slot of its own, so no two boxes or labels overlap.
//!
//! **Size.** At most [`MAX_LAYERS`] columns of at most [`MAX_PER_LAYER`] boxes are drawn, each
//! box with at most [`MAX_DETAILS`] detail lines, [`MAX_FAULTS`] fault lines and
//! [`MAX_OUT`] outgoing arrows; what is left out is counted in a note. With every limit reached
//! the image stays within [`crate::MAX_PIXELS`] (`plots/tests/topology.rs` draws the worst case).
//! Long names and summaries are shortened with "…"; the full text is in the SVG's tooltips.
//!
//! **Tooltips.** plotters' SVG backend writes shapes and text only, so the SVG gets an extra
//! group after the picture ([`hover`]): a transparent rectangle over every box and arrow label,
//! and a wide transparent line along every arrow, each with a `<title>` that a browser shows on
//! hover (full names and the policy's details). The PNG is the same picture without them.

mod hover;
mod layout;
mod paint;

pub(crate) use hover::add_tooltips;
pub(crate) use layout::Layout;
pub(crate) use paint::draw;

/// Most columns (call-graph layers) drawn; deeper boxes are left out with a note.
pub const MAX_LAYERS: usize = 6;
/// Most boxes drawn in one column; the rest of the column is left out with a note.
pub const MAX_PER_LAYER: usize = 10;
/// Most detail lines printed in a box (long details wrap at spaces onto the next line).
pub const MAX_DETAILS: usize = 4;
/// Most fault lines printed in a box (the last then counts the rest).
pub const MAX_FAULTS: usize = 3;
/// Most arrows drawn out of one box; the rest are left out with a note.
pub const MAX_OUT: usize = 5;

/// A call graph to draw: boxes and the arrows between them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Topology {
    /// Title at the top of the figure.
    pub title: String,
    /// Smaller line under the title; may be empty.
    pub subtitle: String,
    /// Lines printed under the subtitle (e.g. what a caller left out); at most four are printed.
    pub notes: Vec<String>,
    /// The boxes, in the order they keep within their column.
    pub nodes: Vec<Node>,
    /// The arrows; those naming a node that does not exist are ignored.
    pub arrows: Vec<Arrow>,
}

/// What a box stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A load generator: always in the left column.
    Client,
    /// A service: placed by its depth in the call graph.
    Service,
}

/// One box.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Client or service.
    pub kind: NodeKind,
    /// Name, printed in bold at the top of the box (shortened to fit).
    pub name: String,
    /// Detail lines under the name (e.g. "3 replicas × 4 slots", "queue 50").
    pub details: Vec<String>,
    /// Faults that strike it (e.g. "slow ×10, 15 s–45 s"), printed in the fault colour; a box
    /// with faults gets a thick border in that colour.
    pub faults: Vec<String>,
    /// Tooltip text in the SVG (full name and details); lines separated by `\n`.
    pub tooltip: String,
}

/// One arrow: calls from one box to another under a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// Index of the calling node in [`Topology::nodes`].
    pub from: usize,
    /// Index of the called node.
    pub to: usize,
    /// The policy's name, printed in bold by the arrow.
    pub policy: String,
    /// Short parts of the policy's summary (e.g. "timeout 2 s", "3 tries"), joined with " · "
    /// into at most three lines under the name.
    pub summary: Vec<String>,
    /// Tooltip text in the SVG (the caller, callee and the policy's full details).
    pub tooltip: String,
}
