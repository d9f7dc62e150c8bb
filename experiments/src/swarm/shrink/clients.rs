//! Simplifications of one client: its policy and timeout dropped, then its load made smaller
//! (open loop, closed loop or bursts).

use super::super::spec::*;
use super::Edits;

/// Simplifications of client `i`: no policy, no timeout, then its load.
pub(super) fn client_edits(e: &mut Edits<'_>, i: usize) {
    e.edit(|c| c.clients[i].policy = None);
    e.edit(|c| c.clients[i].timeout = None);
    match e.base.clients[i].load.clone() {
        LoadSpec::Open {
            rate,
            constant,
            schedule,
        } => open_edits(e, i, rate, constant, &schedule),
        LoadSpec::Closed { users, think, start } => closed_edits(e, i, users, &think, start),
        LoadSpec::Burst { count, at, every } => burst_edits(e, i, count, at, every),
    }
}

/// An open loop (`rate` in requests per second): each schedule entry dropped (with a rate of 1
/// if that leaves no schedule and no rate), the rate halved (if positive), then the arrivals key
/// dropped.
fn open_edits(e: &mut Edits<'_>, i: usize, rate: f64, constant: Option<bool>, schedule: &[RateEntry]) {
    for j in 0..schedule.len() {
        let mut sch = schedule.to_vec();
        sch.remove(j);
        let rate = if sch.is_empty() && rate <= 0.0 { 1.0 } else { rate };
        e.edit(|c| {
            c.clients[i].load = LoadSpec::Open {
                rate,
                constant,
                schedule: sch,
            }
        });
    }
    if rate > 0.0 {
        e.edit(|c| {
            c.clients[i].load = LoadSpec::Open {
                rate: rate / 2.0,
                constant,
                schedule: schedule.to_vec(),
            }
        });
    }
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Open {
            rate,
            constant: None,
            schedule: schedule.to_vec(),
        }
    });
}

/// A closed loop: the users halved, one user, then no think time, then no start.
fn closed_edits(e: &mut Edits<'_>, i: usize, users: u32, think: &Option<DistSpec>, start: Option<Dur>) {
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Closed {
            users: (users / 2).max(1),
            think: think.clone(),
            start,
        }
    });
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Closed {
            users: 1,
            think: think.clone(),
            start,
        }
    });
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Closed {
            users,
            think: None,
            start,
        }
    });
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Closed {
            users,
            think: think.clone(),
            start: None,
        }
    });
}

/// Bursts: the count halved, one request a burst, then no `at`, then no `every`.
fn burst_edits(e: &mut Edits<'_>, i: usize, count: u32, at: Option<Dur>, every: Option<Dur>) {
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Burst {
            count: (count / 2).max(1),
            at,
            every,
        }
    });
    e.edit(|c| c.clients[i].load = LoadSpec::Burst { count: 1, at, every });
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Burst {
            count,
            at: None,
            every,
        }
    });
    e.edit(|c| {
        c.clients[i].load = LoadSpec::Burst {
            count,
            at,
            every: None,
        }
    });
}
