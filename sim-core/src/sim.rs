//! The run loop: a [`Model`] reacts to its own closed event enum; the [`Simulation`] owns the
//! clock and the queue and enforces the run's [`Limits`].
//!
//! A model is a plain struct with a `match` over its event enum. The loop pops the earliest event,
//! advances the clock and calls [`Model::handle`] with a [`Scheduler`] through which the model
//! schedules and cancels further events. Everything is monomorphised: no boxed callbacks, no
//! allocation per event beyond what the model itself does.
//!
//! ```
//! use sim_core::sim::{Limits, Model, Scheduler, Simulation, Stop};
//! use sim_core::time::{SimDuration, SimTime};
//!
//! /// A clock that ticks every second and counts its ticks.
//! struct Ticker { ticks: u64 }
//! enum Event { Tick }
//!
//! impl Model for Ticker {
//!     type Event = Event;
//!     fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
//!         match event {
//!             Event::Tick => {
//!                 self.ticks += 1;
//!                 sched.schedule_in(SimDuration::from_secs(1), Event::Tick);
//!             }
//!         }
//!     }
//! }
//!
//! let limits = Limits { end: SimTime::from_secs(10), max_events: 1_000, max_pending: 100 };
//! let mut sim = Simulation::new(Ticker { ticks: 0 }, limits);
//! sim.scheduler().schedule_at(SimTime::ZERO, Event::Tick);
//! let report = sim.run().expect("within limits");
//! assert_eq!(report.stop, Stop::EndTime);
//! assert_eq!(sim.model().ticks, 10); // t = 0, 1, ..., 9: the run covers [0, 10 s)
//! ```

use std::fmt;

use crate::queue::{EventQueue, LaneId, LineId, TimerKey};
use crate::time::{SimDuration, SimTime};

/// A simulated system: state plus a reaction to each of its events.
pub trait Model {
    /// The closed set of things that can happen in this model.
    type Event;
    /// Reacts to `event` at `sched.now()`.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);

    /// Work the model holds that is not (only) a pending event, counted with the pending events
    /// against [`Limits::max_pending`] after every event: requests waiting in a queue with no
    /// timer take memory too. None by default.
    fn held(&self) -> usize {
        0
    }
}

/// The clock and the pending events, as seen by a model while it handles an event.
pub struct Scheduler<E> {
    now: SimTime,
    queue: EventQueue<E>,
}

impl<E> Scheduler<E> {
    fn new() -> Self {
        Scheduler {
            now: SimTime::ZERO,
            queue: EventQueue::new(),
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `at`.
    ///
    /// # Panics
    /// If `at` is before [`Scheduler::now`].
    #[inline]
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        self.queue.push(at, event);
    }

    /// Schedules `event` after `delay` (saturating at [`SimTime::MAX`]).
    #[inline]
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        self.queue.push(self.now.saturating_add(delay), event);
    }

    /// Schedules `event` after `delay` in a FIFO delay line: for events of one constant delay
    /// per line (a network hop at a constant latency), which then never enter the heap. Same
    /// order of events as [`Scheduler::schedule_in`].
    #[inline]
    pub fn schedule_in_line(&mut self, line: LineId, delay: SimDuration, event: E) {
        self.queue
            .push_in_line(line, self.now.saturating_add(delay), event);
    }

    /// Schedules a cancellable `event` at `at`.
    #[inline]
    pub fn timer_at(&mut self, at: SimTime, event: E) -> TimerKey {
        self.queue.push_cancellable(at, event)
    }

    /// Schedules a cancellable `event` after `delay`.
    #[inline]
    pub fn timer_in(&mut self, delay: SimDuration, event: E) -> TimerKey {
        self.queue.push_cancellable(self.now.saturating_add(delay), event)
    }

    /// Schedules a cancellable `event` after `delay` in a FIFO timer lane: for timers of one
    /// constant delay per lane (an edge's attempt timeout), which then cost the heap one entry
    /// per lane instead of one per timer. Same order of events as [`Scheduler::timer_in`].
    #[inline]
    pub fn lane_timer_in(&mut self, lane: LaneId, delay: SimDuration, event: E) -> TimerKey {
        self.queue
            .push_in_lane(lane, self.now.saturating_add(delay), event)
    }

    /// Cancels a timer in O(1); `false` if it already fired or was cancelled.
    #[inline]
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        self.queue.cancel(key)
    }

    /// Number of live pending events.
    #[inline]
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

/// Bounds on a run. Every run has all three.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The run covers simulated time `[0, end)`: events at or after `end` are not processed.
    pub end: SimTime,
    /// The most events the run may process.
    pub max_events: u64,
    /// The most events that may be pending at once, plus the work the model holds
    /// ([`Model::held`]): a runaway retry storm, or a queue that only grows, hits this.
    pub max_pending: usize,
}

/// How a run that stayed within its limits ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The clock reached [`Limits::end`] (or the time given to [`Simulation::run_until`]).
    EndTime,
    /// No event was left to process.
    Drained,
}

/// A limit that stopped a run before its end time. The model's state is intact and can be
/// reported, marked as partial.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LimitExceeded {
    /// [`Limits::max_events`] events were processed.
    MaxEvents {
        /// The configured limit.
        limit: u64,
        /// The simulated time when it was hit.
        at: SimTime,
    },
    /// More than [`Limits::max_pending`] events were pending (with the work the model holds)
    /// after an event was handled.
    MaxPending {
        /// The configured limit.
        limit: usize,
        /// The simulated time when it was hit.
        at: SimTime,
    },
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitExceeded::MaxEvents { limit, at } => {
                write!(f, "max events limit ({limit}) reached at t={at}")
            }
            LimitExceeded::MaxPending { limit, at } => {
                write!(f, "max pending events limit ({limit}) exceeded at t={at}")
            }
        }
    }
}

impl std::error::Error for LimitExceeded {}

/// What a completed run did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// Why it stopped.
    pub stop: Stop,
    /// Events processed since the simulation was created.
    pub events: u64,
    /// The clock at the stop.
    pub now: SimTime,
}

/// A model, its clock and its pending events, under limits.
pub struct Simulation<M: Model> {
    model: M,
    sched: Scheduler<M::Event>,
    limits: Limits,
    events: u64,
}

impl<M: Model> Simulation<M> {
    /// A simulation at time zero with no pending events.
    pub fn new(model: M, limits: Limits) -> Self {
        Simulation {
            model,
            sched: Scheduler::new(),
            limits,
            events: 0,
        }
    }

    /// The scheduler, to seed initial events before running.
    pub fn scheduler(&mut self) -> &mut Scheduler<M::Event> {
        &mut self.sched
    }

    /// The model and the scheduler together, e.g. for a model to seed its own first events.
    pub fn parts_mut(&mut self) -> (&mut M, &mut Scheduler<M::Event>) {
        (&mut self.model, &mut self.sched)
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model, mutably (for instrumentation between steps).
    pub fn model_mut(&mut self) -> &mut M {
        &mut self.model
    }

    /// Consumes the simulation, returning the model.
    pub fn into_model(self) -> M {
        self.model
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.sched.now
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The limits this simulation runs under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Processes the next event if it is before the end time. Returns its time, or `None` if
    /// there is no such event.
    pub fn step(&mut self) -> Result<Option<SimTime>, LimitExceeded> {
        self.step_before(self.limits.end)
    }

    /// Processes every event before `until` (capped at the end time) and leaves the clock at
    /// `until` if events remain, or at the last event's time if the queue drained.
    pub fn run_until(&mut self, until: SimTime) -> Result<Stop, LimitExceeded> {
        let until = until.min(self.limits.end);
        while self.step_before(until)?.is_some() {}
        if self.sched.queue.is_empty() {
            Ok(Stop::Drained)
        } else {
            self.sched.now = self.sched.now.max(until);
            Ok(Stop::EndTime)
        }
    }

    /// Runs to the end time (or until no event is left).
    pub fn run(&mut self) -> Result<RunReport, LimitExceeded> {
        let stop = self.run_until(self.limits.end)?;
        Ok(RunReport {
            stop,
            events: self.events,
            now: self.sched.now,
        })
    }

    #[inline]
    fn step_before(&mut self, until: SimTime) -> Result<Option<SimTime>, LimitExceeded> {
        if self.events >= self.limits.max_events {
            return match self.sched.queue.peek_time() {
                Some(t) if t < until => Err(LimitExceeded::MaxEvents {
                    limit: self.limits.max_events,
                    at: self.sched.now,
                }),
                _ => Ok(None),
            };
        }
        let Some((time, event)) = self.sched.queue.pop_before(until) else {
            return Ok(None);
        };
        debug_assert!(time >= self.sched.now, "time went backwards");
        self.sched.now = time;
        self.events += 1;
        self.model.handle(event, &mut self.sched);
        if self.sched.queue.len().saturating_add(self.model.held()) > self.limits.max_pending {
            return Err(LimitExceeded::MaxPending {
                limit: self.limits.max_pending,
                at: time,
            });
        }
        Ok(Some(time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Storm;
    impl Model for Storm {
        type Event = ();
        fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
            // Every event spawns two: a retry storm.
            sched.schedule_in(SimDuration::from_millis(1), ());
            sched.schedule_in(SimDuration::from_millis(1), ());
        }
    }

    fn storm(limits: Limits) -> Result<RunReport, LimitExceeded> {
        let mut sim = Simulation::new(Storm, limits);
        sim.scheduler().schedule_at(SimTime::ZERO, ());
        sim.run()
    }

    #[test]
    fn max_events_is_a_typed_error_not_a_hang() {
        let limits = Limits {
            end: SimTime::MAX,
            max_events: 1000,
            max_pending: usize::MAX,
        };
        assert!(matches!(
            storm(limits),
            Err(LimitExceeded::MaxEvents { limit: 1000, .. })
        ));
    }

    /// Holds one more piece of work per event, with a single event pending: a queue that grows.
    struct Hoard(usize);
    impl Model for Hoard {
        type Event = ();
        fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
            self.0 += 1;
            sched.schedule_in(SimDuration::from_secs(1), ());
        }
        fn held(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn work_held_by_the_model_counts_against_max_pending() {
        let limits = Limits {
            end: SimTime::MAX,
            max_events: 1000,
            max_pending: 64,
        };
        let mut sim = Simulation::new(Hoard(0), limits);
        sim.scheduler().schedule_at(SimTime::ZERO, ());
        // One pending event and 64 held after the 64th event.
        assert!(matches!(
            sim.run(),
            Err(LimitExceeded::MaxPending { limit: 64, at }) if at == SimTime::from_secs(63)
        ));
    }

    #[test]
    fn max_pending_is_a_typed_error() {
        let limits = Limits {
            end: SimTime::MAX,
            max_events: u64::MAX,
            max_pending: 64,
        };
        assert!(matches!(
            storm(limits),
            Err(LimitExceeded::MaxPending { limit: 64, .. })
        ));
    }

    #[test]
    fn end_time_stops_cleanly_and_run_until_composes() {
        struct Counter(u64);
        impl Model for Counter {
            type Event = ();
            fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
                self.0 += 1;
                sched.schedule_in(SimDuration::from_secs(1), ());
            }
        }
        let limits = Limits {
            end: SimTime::from_secs(10),
            max_events: 100,
            max_pending: 10,
        };
        let mut sim = Simulation::new(Counter(0), limits);
        sim.scheduler().schedule_at(SimTime::ZERO, ());
        assert_eq!(sim.run_until(SimTime::from_secs(3)), Ok(Stop::EndTime));
        assert_eq!(sim.model().0, 3);
        assert_eq!(sim.now(), SimTime::from_secs(3));
        let report = sim.run().unwrap();
        assert_eq!(
            report,
            RunReport {
                stop: Stop::EndTime,
                events: 10,
                now: SimTime::from_secs(10)
            }
        );
    }

    #[test]
    fn drained_queue_stops_at_the_last_event() {
        struct Once;
        impl Model for Once {
            type Event = ();
            fn handle(&mut self, _: (), _: &mut Scheduler<()>) {}
        }
        let limits = Limits {
            end: SimTime::from_secs(10),
            max_events: 100,
            max_pending: 10,
        };
        let mut sim = Simulation::new(Once, limits);
        sim.scheduler().schedule_at(SimTime::from_secs(2), ());
        let report = sim.run().unwrap();
        assert_eq!(
            report,
            RunReport {
                stop: Stop::Drained,
                events: 1,
                now: SimTime::from_secs(2)
            }
        );
    }
}
