//! The product surface's side of each resilience policy: one room per policy part, holding all
//! that the scenario reader, the charts, the report, the topology picture and serve's form know
//! about it. The code around them is generic: it loops over [`PARTS`] where a part's key is
//! read, a panel drawn, a table column or a tooltip line written, a form field built, and asks
//! [`said`] for the words of a policy's logged change.
//!
//! The model's side lives in `models::policy::<name>` (the state machine and its typed config)
//! and `models::world::policy::<name>` (what the world does for it).
//!
//! - `bulkhead`: resilience4j's semaphore bulkhead.
//!
//! The retry (with its budget) and the circuit breaker are older and still spread over the
//! modules named in each [`Part`] field; they come before the parts here wherever both appear.

mod bulkhead;

use models::config::PolicyConfig;
use models::policy::PolicyEvent;
use models::report::Report;
use plots::Panel;

use crate::narrate::Tone;
use crate::scenario::reader::{Item, Result};
use crate::scenario::tree::Node;
use crate::scenario::warning::ReadWarning;
use crate::serve::form::Group;

/// The parts of a call policy that have a room, in the order every surface lists them.
pub(crate) const PARTS: [Part; 1] = [bulkhead::PART];

/// One edge, as a part's chart panel sees it.
pub(crate) struct EdgeView<'a> {
    /// The run's report (its time series columns).
    pub(crate) report: &'a Report,
    /// The edge's name (`caller->callee`).
    pub(crate) name: &'a str,
    /// Its caller pods (a client is one).
    pub(crate) pods: u32,
    /// Its policy.
    pub(crate) policy: &'a PolicyConfig,
}

/// Draws a part's panel for one edge.
pub(crate) type PanelOf = fn(&EdgeView<'_>) -> Panel;

/// What the product surface knows about one part of a call policy.
pub(crate) struct Part {
    /// Its key in `[policies.NAME]`, and its name in tooltips.
    pub(crate) key: &'static str,
    /// Reads the part's table into the policy (`scenario/schema/policy`); `"none"` never
    /// reaches it.
    pub(crate) read: fn(&Item<'_>, &mut Vec<ReadWarning>, &mut PolicyConfig) -> Result<()>,
    /// The report's call policies table: the column's header.
    pub(crate) header: &'static str,
    /// The part in words for that table and the topology's tooltips, `—` when the policy does
    /// not have it (`report_html/params`).
    pub(crate) words: fn(&PolicyConfig) -> String,
    /// The part in a few words for a topology arrow's label, if the policy has it
    /// (`charts/topology`).
    pub(crate) short: fn(&PolicyConfig) -> Option<String>,
    /// The part's own timeline panel for an edge with this policy, if it gets one
    /// (`charts/edges`): `None` when the policy does not have the part, or the part has no
    /// panel.
    pub(crate) panel: fn(&PolicyConfig) -> Option<PanelOf>,
    /// Serve's form fields for the part (`serve/form`): `written` is the part's table as the
    /// file writes it, `None` when the policy does not have it.
    pub(crate) form: fn(&mut Group<'_>, &PolicyConfig, Option<&Node>),
}

/// A policy's logged change as the narration tells it (`narrate/describe.rs`).
pub(crate) struct Said {
    /// How it reads.
    pub(crate) tone: Tone,
    /// The change in words, the subject's name first.
    pub(crate) text: String,
    /// The names it is about (what `--anatomy-filter` matches).
    pub(crate) subjects: Vec<String>,
    /// The brief view's group when it repeats: the subject, and what happened after it.
    pub(crate) repeat: (String, String),
    /// Whether it is start-up noise in the first seconds (left out of the brief view).
    pub(crate) startup_noise: bool,
}

/// The narration of `event`, by its policy's room.
pub(crate) fn said(event: &PolicyEvent) -> Said {
    match event {
        PolicyEvent::Bulkhead(e) => bulkhead::said(e),
    }
}
