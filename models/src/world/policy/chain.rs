//! The composition of a call's policies, as data: one `[Stage; 4]` per `PolicyOrder` and a
//! single `next_stage`.
//!
//! The stages before `Retry` run once per call; the stages after it run once per try, inside
//! the retry loop. So in the lesson's order (bulkhead → breaker → retry → attempt) a call takes
//! one bulkhead permit and asks the breaker once, and the breaker records the call's final
//! result; in resilience4j's order (retry → breaker → bulkhead → attempt) every try asks the
//! breaker and the bulkhead, their refusals are retryable, and the breaker records each try.
//!
//! A new policy that wraps calls adds a `Stage`, its place in each order here, and one arm in
//! `World::run_stage`.
//!
//! A stage whose policy the call's site does not have (no bulkhead, no breaker) would only pass
//! the call on: the chain skips it (`absent_stages`, `present_from`), one call less per stage.

use sim_core::sim::Scheduler;

use crate::config::{PolicyConfig, PolicyOrder};
use crate::outcome::Failure;
use crate::policy::Refusal;
use crate::slab::Key;
use crate::world::{Event, World};

/// One step of a call's way to the network.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Take a bulkhead permit (`policy/bulkhead.rs`), possibly after waiting.
    Bulkhead,
    /// Ask the circuit breaker (`policy/breaker.rs`).
    Breaker,
    /// A new iteration of the retry loop begins (`policy/retry.rs`): the stages after it run
    /// per try.
    Retry,
    /// The attempt itself (`attempt.rs`): always last.
    Attempt,
}

impl Stage {
    /// The stage's name in words ("retry → breaker → bulkhead").
    const fn name(self) -> &'static str {
        match self {
            Stage::Bulkhead => "bulkhead",
            Stage::Breaker => "breaker",
            Stage::Retry => "retry",
            Stage::Attempt => "attempt",
        }
    }
}

/// The lesson's order: bulkhead → breaker → retry → attempt.
const LESSON: [Stage; 4] = [Stage::Bulkhead, Stage::Breaker, Stage::Retry, Stage::Attempt];

/// Resilience4j's order (its decorators' default): retry → breaker → bulkhead → attempt.
const RESILIENCE4J: [Stage; 4] = [Stage::Retry, Stage::Breaker, Stage::Bulkhead, Stage::Attempt];

/// The stages of `order`, outermost first.
fn stages(order: PolicyOrder) -> &'static [Stage; 4] {
    match order {
        PolicyOrder::Lesson => &LESSON,
        PolicyOrder::Resilience4j => &RESILIENCE4J,
    }
}

/// Where each stage stands in `order` (indexed by `Stage as usize`), computed once at compile
/// time: `position` is on every stage of every call.
const fn positions(order: &[Stage; 4]) -> [usize; 4] {
    let mut at = [usize::MAX; 4];
    let mut i = 0;
    while i < 4 {
        at[order[i] as usize] = i;
        i += 1;
    }
    at
}

const LESSON_AT: [usize; 4] = positions(&LESSON);
const RESILIENCE4J_AT: [usize; 4] = positions(&RESILIENCE4J);

fn position(order: PolicyOrder, stage: Stage) -> usize {
    match order {
        PolicyOrder::Lesson => LESSON_AT[stage as usize],
        PolicyOrder::Resilience4j => RESILIENCE4J_AT[stage as usize],
    }
}

/// The policies of `order`, outermost first, in words: "retry → breaker → bulkhead" (the
/// attempt, always last, is left out).
pub fn order_words(order: PolicyOrder) -> String {
    let names: Vec<&str> = stages(order)
        .iter()
        .filter(|&&s| s != Stage::Attempt)
        .map(|s| s.name())
        .collect();
    names.join(" → ")
}

/// The first stage of a call.
pub(crate) fn first_stage(order: PolicyOrder) -> Stage {
    stages(order)[0]
}

/// The stage after `stage` (`Attempt` has none).
pub(crate) fn next_stage(order: PolicyOrder, stage: Stage) -> Stage {
    stages(order)[position(order, stage) + 1]
}

/// The stages a call's site does not have under `policy` (a bit per `Stage as u8`): the
/// bulkhead and the breaker without their part would only pass the call on, so the chain skips
/// them. A new stage that may be absent adds its bit here.
pub(crate) fn absent_stages(policy: &PolicyConfig) -> u8 {
    absent_bits(policy.bulkhead.is_some(), policy.breaker.is_some())
}

/// The absent-stage bits for a site with or without a bulkhead and a breaker.
fn absent_bits(bulkhead: bool, breaker: bool) -> u8 {
    let absent = |present: bool, stage: Stage| u8::from(!present) << stage as u8;
    absent(bulkhead, Stage::Bulkhead) | absent(breaker, Stage::Breaker)
}

/// `stage` if the site has it, otherwise the first one after it that it has (`Retry` and
/// `Attempt` are never absent).
pub(crate) fn present_from(order: PolicyOrder, stage: Stage, absent: u8) -> Stage {
    let mut stage = stage;
    while absent & (1 << stage as u8) != 0 {
        stage = next_stage(order, stage);
    }
    stage
}

/// Whether `stage` runs once per try (inside the retry loop) rather than once per call.
pub(crate) fn per_try(order: PolicyOrder, stage: Stage) -> bool {
    position(order, stage) > position(order, Stage::Retry)
}

/// The stage whose refusal `failure` is, if any.
pub(crate) fn refused_by(failure: Failure) -> Option<Stage> {
    match failure {
        Failure::Refused(Refusal::Breaker) => Some(Stage::Breaker),
        Failure::Refused(Refusal::Bulkhead) => Some(Stage::Bulkhead),
        _ => None,
    }
}

/// What a call's or an attempt's stages hold until it ends: a bulkhead permit to give back, a
/// breaker's permission whose result it must record.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Held {
    /// A bulkhead permit (`policy/bulkhead.rs`).
    pub(crate) bulkhead: bool,
    /// The breaker's permission (`policy/breaker.rs`).
    pub(crate) breaker: bool,
}

impl Held {
    /// Nothing held.
    pub(crate) const NOTHING: Held = Held {
        bulkhead: false,
        breaker: false,
    };

    /// Takes from a call what its per-try stages hold in `order`: it belongs to the try (what
    /// the per-call stages hold stays with the call).
    pub(crate) fn take_per_try(&mut self, order: PolicyOrder) -> Held {
        let bulkhead = per_try(order, Stage::Bulkhead) && std::mem::take(&mut self.bulkhead);
        let breaker = per_try(order, Stage::Breaker) && std::mem::take(&mut self.breaker);
        Held { bulkhead, breaker }
    }
}

impl World {
    /// Gives back what `held` holds at `site` when its call or attempt ends: the bulkhead
    /// permit, then the breaker's record of the result (`duration`: for slow-call rates).
    pub(in crate::world) fn release_held(
        &mut self,
        site: u32,
        held: Held,
        success: bool,
        duration: sim_core::time::SimDuration,
        sched: &mut Scheduler<Event>,
    ) {
        if held.bulkhead {
            self.release_bulkhead(site, sched);
        }
        if held.breaker {
            self.record_breaker(site, success, duration, sched);
        }
    }

    /// Runs `stage` of `call`.
    pub(in crate::world) fn run_stage(&mut self, call: Key, stage: Stage, sched: &mut Scheduler<Event>) {
        match stage {
            Stage::Bulkhead => self.acquire_bulkhead(call, sched),
            Stage::Breaker => self.ask_breaker(call, sched),
            Stage::Retry => {
                self.count_try(call, sched.now());
                self.after_stage(call, Stage::Retry, sched);
            }
            Stage::Attempt => self.begin_attempt(call, sched),
        }
    }

    /// The wait of `call` at `stage` ended (its `CallTimer`; `expired`: at the call's
    /// deadline): the stage's room goes on with the call or refuses it.
    pub(in crate::world) fn on_stage_wait_over(
        &mut self,
        stage: Stage,
        call: Key,
        expired: bool,
        sched: &mut Scheduler<Event>,
    ) {
        match stage {
            Stage::Bulkhead => self.on_bulkhead_wait_over(call, expired, sched),
            Stage::Breaker | Stage::Retry | Stage::Attempt => unreachable!("{stage:?} never waits"),
        }
    }

    /// `call` passed `stage`: runs the next one.
    pub(in crate::world) fn after_stage(&mut self, call: Key, stage: Stage, sched: &mut Scheduler<Event>) {
        let c = self.calls.get(call).expect("live call");
        let next = present_from(c.order, next_stage(c.order, stage), c.absent);
        self.run_stage(call, next, sched);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_runs_every_stage_once_and_ends_with_the_attempt() {
        for order in [PolicyOrder::Lesson, PolicyOrder::Resilience4j] {
            let s = stages(order);
            for stage in [Stage::Bulkhead, Stage::Breaker, Stage::Retry, Stage::Attempt] {
                assert_eq!(
                    s.iter().filter(|&&x| x == stage).count(),
                    1,
                    "{order:?} {stage:?}"
                );
            }
            assert_eq!(s[3], Stage::Attempt);
        }
    }

    #[test]
    fn a_site_without_bulkhead_or_breaker_skips_their_stages() {
        let none = absent_stages(&PolicyConfig::unlimited("none", None));
        assert_eq!(none, absent_bits(false, false));
        assert_eq!(
            present_from(PolicyOrder::Lesson, Stage::Bulkhead, none),
            Stage::Retry
        );
        assert_eq!(
            present_from(PolicyOrder::Resilience4j, Stage::Breaker, none),
            Stage::Attempt
        );
        let breaker_only = absent_bits(false, true);
        assert_eq!(
            present_from(PolicyOrder::Lesson, Stage::Bulkhead, breaker_only),
            Stage::Breaker
        );
        let both = absent_bits(true, true);
        for stage in [Stage::Bulkhead, Stage::Breaker, Stage::Retry, Stage::Attempt] {
            assert_eq!(present_from(PolicyOrder::Resilience4j, stage, both), stage);
        }
    }

    #[test]
    fn lesson_guards_the_call_and_resilience4j_every_try() {
        assert!(!per_try(PolicyOrder::Lesson, Stage::Bulkhead));
        assert!(!per_try(PolicyOrder::Lesson, Stage::Breaker));
        assert!(per_try(PolicyOrder::Resilience4j, Stage::Bulkhead));
        assert!(per_try(PolicyOrder::Resilience4j, Stage::Breaker));
        assert_eq!(next_stage(PolicyOrder::Lesson, Stage::Breaker), Stage::Retry);
        assert_eq!(
            next_stage(PolicyOrder::Resilience4j, Stage::Breaker),
            Stage::Bulkhead
        );
    }

    #[test]
    fn a_try_takes_what_its_per_try_stages_hold_and_leaves_the_calls() {
        let both = Held {
            bulkhead: true,
            breaker: true,
        };
        let mut call = both;
        assert_eq!(call.take_per_try(PolicyOrder::Lesson), Held::NOTHING);
        assert_eq!(call, both, "the lesson's call keeps its permit and permission");
        assert_eq!(call.take_per_try(PolicyOrder::Resilience4j), both);
        assert_eq!(call, Held::NOTHING, "resilience4j's try takes both");
    }

    #[test]
    fn an_order_in_words_lists_its_policies_outermost_first() {
        assert_eq!(order_words(PolicyOrder::Lesson), "bulkhead → breaker → retry");
        assert_eq!(
            order_words(PolicyOrder::Resilience4j),
            "retry → breaker → bulkhead"
        );
    }
}
