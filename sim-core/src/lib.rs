//! # sim-core
//!
//! The deterministic discrete-event engine under meshsim. It knows nothing about pods or
//! services: it gives models integer [time](time), an [event queue](queue) and a
//! [run loop](sim) with limits, [named random streams](rng), [distributions](dist) and
//! [streaming statistics](stats).
//!
//! Determinism contract: for the same model, seed and inputs, a run processes the same events in
//! the same order and produces the same numbers, bit for bit, on any machine and thread count.
//! Time is `u64` nanoseconds; ties are broken by insertion order; each random consumer has its
//! own ChaCha stream; transcendental functions come from `libm`.

pub mod dist;
pub mod hash;
pub mod queue;
pub mod rng;
pub mod sim;
pub mod station;
pub mod stats;
pub mod time;
