//! Load generators: open loop (Poisson or constant gaps under a rate schedule), closed loop
//! (users with think time) and bursts. Each client request is one call on the client's edge and
//! ends with exactly one outcome.

use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::{CallOwner, Event, World};
use crate::config::{Arrivals, Load};
use crate::outcome::Outcome;

impl World {
    /// Schedules the next open-loop arrival after `from`, by thinning within each linear piece
    /// of the rate schedule (a Poisson process restarted at a piece boundary is still Poisson).
    pub(super) fn schedule_next_arrival(&mut self, client: u32, from: SimTime, sched: &mut Scheduler<Event>) {
        let Load::Open { arrivals, rate } = &self.cfg.clients[client as usize].load else {
            unreachable!("open-loop client")
        };
        let rng = &mut self.clients[client as usize].arrivals_rng;
        if let ([(_, r)], Arrivals::Poisson) = (rate.points.as_slice(), arrivals) {
            // A constant rate: plain exponential gaps, no thinning.
            if *r > 0.0 {
                let gap = SimDuration::from_secs_f64(-libm::log(rng.uniform_pos()) / r);
                sched.schedule_at(from.saturating_add(gap), Event::OpenArrival { client });
            }
            return;
        }
        let end = SimTime::from_nanos(self.cfg.duration.as_nanos());
        let mut t = from;
        // Bounded: each round either accepts, or moves t forward to a later piece or candidate.
        while t < end {
            let (piece_end, max_rate) = rate.piece_at(t);
            if max_rate <= 0.0 {
                if piece_end == SimTime::MAX {
                    return;
                }
                t = piece_end;
                continue;
            }
            let candidate = match arrivals {
                Arrivals::Poisson => t.saturating_add(SimDuration::from_secs_f64(
                    -libm::log(rng.uniform_pos()) / max_rate,
                )),
                Arrivals::Constant => {
                    // Deterministic gaps of 1/rate at the current rate (no thinning).
                    let r = rate.rate_at(t);
                    if r <= 0.0 {
                        t = piece_end;
                        continue;
                    }
                    let at =
                        t.saturating_add(SimDuration::from_secs_f64(1.0 / r).max(SimDuration::from_nanos(1)));
                    sched.schedule_at(at, Event::OpenArrival { client });
                    return;
                }
            };
            if candidate >= piece_end {
                t = piece_end;
                continue;
            }
            let accept = rate.rate_at(candidate) / max_rate;
            t = candidate;
            if accept >= 1.0 || rng.uniform() < accept {
                sched.schedule_at(candidate, Event::OpenArrival { client });
                return;
            }
        }
    }

    pub(super) fn on_open_arrival(&mut self, client: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.start_client_request(client, CallOwner::Client { client }, sched);
        self.schedule_next_arrival(client, now, sched);
    }

    pub(super) fn on_user_wake(&mut self, client: u32, user: u32, sched: &mut Scheduler<Event>) {
        self.start_client_request(client, CallOwner::User { client, user }, sched);
    }

    pub(super) fn on_burst(&mut self, client: u32, sched: &mut Scheduler<Event>) {
        let Load::Burst { count, every, .. } = self.cfg.clients[client as usize].load else {
            unreachable!("burst client")
        };
        for _ in 0..count {
            self.start_client_request(client, CallOwner::Client { client }, sched);
        }
        self.clients[client as usize].bursts += 1;
        if let Some(every) = every {
            sched.schedule_in(every, Event::Burst { client });
        }
    }

    fn start_client_request(&mut self, client: u32, owner: CallOwner, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.clients[client as usize].metrics.on_start(now);
        let site = self.clients[client as usize].site;
        let traced = self
            .tracer
            .as_mut()
            .is_some_and(crate::trace::Tracer::sample_root);
        let parent = if traced {
            crate::trace::NEW_ROOT
        } else {
            crate::trace::NO_SPAN
        };
        self.start_call(site, owner, true, None, parent, sched);
    }

    /// A client request ended.
    pub(super) fn on_client_outcome(
        &mut self,
        client: u32,
        user: Option<u32>,
        outcome: Outcome,
        started_at: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let latency = now.saturating_since(started_at);
        self.clients[client as usize]
            .metrics
            .on_end(now, outcome, latency);
        if let Some(user) = user {
            let Load::Closed { think, .. } = &self.cfg.clients[client as usize].load else {
                unreachable!("closed-loop client")
            };
            let pause = think.sample_duration(&mut self.clients[client as usize].think_rng);
            sched.schedule_in(pause, Event::UserWake { client, user });
        }
    }
}
