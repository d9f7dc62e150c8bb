//! Load generators: open loop (Poisson or constant gaps under a rate schedule), closed loop
//! (users with think time) and bursts. Each client request is one call on the client's edge and
//! ends with exactly one outcome.

use sim_core::dist::ziggurat::standard_exponential;
use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::{CallOwner, Event, World};
use crate::config::{Arrivals, Load};
use crate::ids::ClientIdx;
use crate::outcome::{Cause, Outcome};

impl World {
    /// Schedules the next open-loop arrival after `from`. Poisson arrivals invert the
    /// integrated rate of the current linear piece of the schedule (one exponential draw per
    /// piece, however large the rate; a Poisson process restarted at a piece boundary is still
    /// Poisson); constant arrivals are `1/rate` apart at the current rate.
    pub(super) fn schedule_next_arrival(&mut self, client: u32, from: SimTime, sched: &mut Scheduler<Event>) {
        let Load::Open { arrivals, rate } = &self.cfg.clients[client as usize].load else {
            unreachable!("open-loop client")
        };
        let rng = &mut self.clients[client as usize].arrivals_rng;
        if let ([(_, r)], Arrivals::Poisson) = (rate.points.as_slice(), arrivals) {
            // A constant rate: plain exponential gaps.
            if *r > 0.0 {
                let gap = SimDuration::from_secs_f64(standard_exponential(rng) / r);
                sched.schedule_at(
                    from.saturating_add(gap),
                    Event::OpenArrival {
                        client: ClientIdx(client),
                    },
                );
            }
            return;
        }
        let end = SimTime::from_nanos(self.cfg.duration.as_nanos());
        let mut t = from;
        // Bounded: each round either schedules the arrival or moves t to the next piece.
        while t < end {
            let piece = rate.piece_at(t);
            let gap = match arrivals {
                Arrivals::Poisson => first_arrival(piece.rate, piece.slope, standard_exponential(rng))
                    .map(SimDuration::from_secs_f64),
                // Deterministic gaps of 1/rate at the current rate, at least 1 ns.
                Arrivals::Constant => (piece.rate > 0.0)
                    .then(|| SimDuration::from_secs_f64(1.0 / piece.rate).max(SimDuration::from_nanos(1))),
            };
            let at = gap.map(|g| t.saturating_add(g));
            match at {
                Some(at) if *arrivals == Arrivals::Constant || at < piece.end => {
                    sched.schedule_at(
                        at,
                        Event::OpenArrival {
                            client: ClientIdx(client),
                        },
                    );
                    return;
                }
                _ if piece.end == SimTime::MAX => return,
                _ => t = piece.end,
            }
        }
    }

    pub(super) fn on_open_arrival(&mut self, client: ClientIdx, sched: &mut Scheduler<Event>) {
        let client = client.0;
        let now = sched.now();
        self.start_client_request(client, CallOwner::Client { client }, sched);
        self.schedule_next_arrival(client, now, sched);
    }

    pub(super) fn on_user_wake(&mut self, client: ClientIdx, user: u32, sched: &mut Scheduler<Event>) {
        let client = client.0;
        self.start_client_request(client, CallOwner::User { client, user }, sched);
    }

    pub(super) fn on_burst(&mut self, client: ClientIdx, sched: &mut Scheduler<Event>) {
        let client = client.0;
        let Load::Burst { count, every, .. } = self.cfg.clients[client as usize].load else {
            unreachable!("burst client")
        };
        for _ in 0..count {
            self.start_client_request(client, CallOwner::Client { client }, sched);
        }
        self.clients[client as usize].bursts += 1;
        if let Some(every) = every {
            sched.schedule_in(
                every,
                Event::Burst {
                    client: ClientIdx(client),
                },
            );
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
        cause: Option<Cause>,
        started_at: SimTime,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let latency = now.saturating_since(started_at);
        let m = &mut self.clients[client as usize].metrics;
        m.on_end(now, outcome, latency);
        if let (Outcome::Failed(f), Some(cause)) = (outcome, cause) {
            m.causes.record(now, f, cause);
        }
        if let Some(user) = user {
            let Load::Closed { think, .. } = &self.cfg.clients[client as usize].load else {
                unreachable!("closed-loop client")
            };
            let pause = think.sample_duration(&mut self.clients[client as usize].think_rng);
            sched.schedule_in(
                pause,
                Event::UserWake {
                    client: ClientIdx(client),
                    user,
                },
            );
        }
    }
}

/// The time, in seconds, at which the integrated rate of a linear piece (`rate + slope × s` at
/// `s` seconds in) reaches `e` (a unit exponential draw): the first arrival of a Poisson process
/// of that rate, by inversion. `None` when the rate integrates to less than `e` for ever (a
/// zero rate, or one that falls to zero first). The form `2e / (rate + √(rate² + 2·slope·e))`
/// solves `rate·s + slope·s²/2 = e` without the cancellation of the textbook root.
fn first_arrival(rate: f64, slope: f64, e: f64) -> Option<f64> {
    if slope == 0.0 {
        return (rate > 0.0).then(|| e / rate);
    }
    let disc = rate * rate + 2.0 * slope * e;
    if disc < 0.0 {
        return None;
    }
    let s = 2.0 * e / (rate + libm::sqrt(disc));
    s.is_finite().then_some(s)
}

#[cfg(test)]
mod tests {
    use super::first_arrival;

    #[test]
    fn a_flat_piece_is_the_plain_exponential_gap() {
        // Exactly e / rate: steps and spikes keep the draws they had under thinning.
        assert_eq!(first_arrival(9.0, 0.0, 0.7), Some(0.7 / 9.0));
        assert_eq!(first_arrival(0.0, 0.0, 0.7), None);
    }

    #[test]
    fn a_ramp_is_inverted_where_its_integral_reaches_the_draw() {
        for (rate, slope, e) in [
            (9.0, 1e12, 2.5),
            (0.0, 200.0, 1.0),
            (2000.0, -200.0, 3.0),
            (1e-3, 1e-3, 1e-9),
        ] {
            let s = first_arrival(rate, slope, e).expect("a root");
            let integral = rate * s + slope * s * s / 2.0;
            assert!(
                (integral - e).abs() <= 1e-9 * e.max(1.0),
                "{rate} {slope} {e}: {s} gives {integral}"
            );
            assert!(s >= 0.0);
        }
    }

    #[test]
    fn a_rate_that_falls_to_zero_first_has_no_arrival() {
        // 10/s falling by 10/s²: 5 requests in all, never 6.
        assert_eq!(first_arrival(10.0, -10.0, 6.0), None);
        assert!(first_arrival(10.0, -10.0, 4.9).is_some());
        assert_eq!(first_arrival(0.0, -1.0, 0.1), None);
    }
}
