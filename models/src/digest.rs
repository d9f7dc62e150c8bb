//! Event digests, for the determinism self-check (`meshsim run --check-determinism`): a
//! rolling hash of every event (its time and its full description), checkpointed every
//! `every` events, and optionally the events themselves over a window, to show the first
//! divergence between two runs that should be identical.

use sim_core::hash::{FNV1A_OFFSET, fnv1a_extend};
use sim_core::time::SimTime;

/// What to record.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct DigestConfig {
    /// Checkpoint the rolling hash every this many events.
    pub every: u64,
    /// Record event descriptions for event numbers in `record_from..record_to`.
    pub record_from: u64,
    /// See `record_from`.
    pub record_to: u64,
}

/// What was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// `(events so far, time, rolling hash)` every `every` events, and at the end.
    pub checkpoints: Vec<(u64, SimTime, u64)>,
    /// `(event number, time, description)` in the recorded window.
    pub events: Vec<(u64, SimTime, String)>,
}

/// The recorder.
pub(crate) struct Digester {
    config: DigestConfig,
    hash: u64,
    count: u64,
    digest: Digest,
    scratch: String,
}

impl Digester {
    pub(crate) fn new(config: DigestConfig) -> Digester {
        Digester {
            config,
            hash: FNV1A_OFFSET,
            count: 0,
            digest: Digest {
                checkpoints: Vec::new(),
                events: Vec::new(),
            },
            scratch: String::new(),
        }
    }

    /// Folds one event into the hash.
    pub(crate) fn record(&mut self, now: SimTime, event: &impl std::fmt::Debug) {
        use std::fmt::Write as _;
        self.scratch.clear();
        let _ = write!(self.scratch, "{event:?}");
        self.hash = fnv1a_extend(
            fnv1a_extend(self.hash, &now.as_nanos().to_le_bytes()),
            self.scratch.as_bytes(),
        );
        if (self.config.record_from..self.config.record_to).contains(&self.count) {
            self.digest.events.push((self.count, now, self.scratch.clone()));
        }
        self.count += 1;
        if self.count.is_multiple_of(self.config.every) {
            self.digest.checkpoints.push((self.count, now, self.hash));
        }
    }

    pub(crate) fn finish(&self, now: SimTime) -> Digest {
        let mut d = self.digest.clone();
        d.checkpoints.push((self.count, now, self.hash));
        d
    }
}
