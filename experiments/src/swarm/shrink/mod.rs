//! Shrinking: greedily simplify a failing [`Spec`] while it keeps failing.
//!
//! [`candidates`] lists the one-step simplifications of a spec's tree (`edits`: a key or an
//! element dropped, a node replaced by a part of it, a number halved), the biggest first. It
//! works on the tree alone, so it knows no scenario key: a candidate the loader refuses (a
//! required key dropped, a service still called, a fault after the end of a shorter run) is
//! simply passed over. [`shrink_with`] walks the candidates and keeps the first that still
//! fails, then goes on from the same place among the candidates of the simpler spec, until a
//! whole round of them keeps nothing or the number of tries runs out. [`shrink`] uses "fails
//! with the same [`FailureKind`]" as the test, so a simplification that trades the bug for
//! another is not kept.

mod edits;

use super::checks::{Failure, FailureKind};
use super::spec::Spec;

/// Default bound on the scenarios tried while shrinking.
pub const DEFAULT_SHRINK_TRIES: usize = 1000;

/// The result of shrinking.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest failing spec found.
    pub spec: Spec,
    /// Its failure.
    pub failure: Failure,
    /// Scenarios tried.
    pub tries: usize,
    /// Simplifications kept.
    pub steps: usize,
}

/// Shrinks `spec`, which fails with `failure`, keeping simplifications that fail with the same
/// kind, trying at most `max_tries` scenarios.
pub fn shrink(spec: &Spec, failure: &Failure, max_tries: usize) -> Shrunk {
    let kind: FailureKind = failure.kind;
    let mut last = failure.clone();
    let (spec, tries, steps) = shrink_with(spec.clone(), max_tries, |candidate| {
        match super::check_spec(candidate) {
            Err(f) if f.kind == kind => {
                last = f;
                true
            }
            _ => false,
        }
    });
    // `last` is the failure of the last candidate kept (or the original failure).
    Shrunk {
        spec,
        failure: last,
        tries,
        steps,
    }
}

/// Shrinks `spec` with a test of its own: `still_fails(candidate)` says whether a simplified
/// spec still shows the problem; it is asked only about candidates that load. Returns the
/// smallest spec found, the candidates tried (those that load) and the simplifications kept.
pub fn shrink_with(
    spec: Spec,
    max_tries: usize,
    mut still_fails: impl FnMut(&Spec) -> bool,
) -> (Spec, usize, usize) {
    let mut current = spec;
    let mut list = candidates(&current);
    let (mut tries, mut steps) = (0, 0);
    // The next candidate, and how many in a row were passed over.
    let (mut next, mut misses) = (0, 0);
    while misses < list.len() && tries < max_tries {
        let at = next % list.len();
        next = at + 1;
        misses += 1;
        if !loads(&list[at]) {
            continue;
        }
        tries += 1;
        if still_fails(&list[at]) {
            current = list.swap_remove(at);
            steps += 1;
            list = candidates(&current);
            (next, misses) = (at, 0);
        }
    }
    (current, tries, steps)
}

/// Whether the loader accepts a spec's tree.
fn loads(spec: &Spec) -> bool {
    crate::scenario::schema::read_scenario(&spec.root).is_ok()
}

/// One-step simplifications of `s`, the biggest first (whether they load or not).
pub fn candidates(s: &Spec) -> Vec<Spec> {
    edits::simplifications(&s.root)
        .into_iter()
        .map(|root| Spec { seed: s.seed, root })
        .collect()
}
