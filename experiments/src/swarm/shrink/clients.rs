//! Simplifications of one client: its policy and timeout dropped, then its load made smaller
//! (open loop, closed loop or bursts).

use super::super::spec::*;
use super::Edits;

/// Simplifications of client `i`: no policy, no timeout, then its load.
pub(super) fn client_edits(e: &mut Edits<'_>, i: usize) {
    e.edit(|c| c.clients[i].policy = None);
    e.edit(|c| c.clients[i].timeout = None);
    let base = e.base;
    match &base.clients[i].load {
        LoadSpec::Open { schedule, .. } => open_edits(e, i, schedule.len()),
        LoadSpec::Closed { .. } => closed_edits(e, i),
        LoadSpec::Burst { .. } => burst_edits(e, i),
    }
}

/// An edit of client `i`'s open-loop load.
fn open_edit(e: &mut Edits<'_>, i: usize, f: impl FnOnce(&mut f64, &mut Option<bool>, &mut Vec<RateEntry>)) {
    e.edit(|c| {
        if let LoadSpec::Open {
            rate,
            constant,
            schedule,
        } = &mut c.clients[i].load
        {
            f(rate, constant, schedule);
        }
    });
}

/// An open loop (`rate` in requests per second, `entries` schedule entries): each schedule entry
/// dropped (with a rate of 1 if that leaves no schedule and no rate), the rate halved (if
/// positive), then the arrivals key dropped.
fn open_edits(e: &mut Edits<'_>, i: usize, entries: usize) {
    for j in 0..entries {
        open_edit(e, i, |rate, _, schedule| {
            schedule.remove(j);
            if schedule.is_empty() && *rate <= 0.0 {
                *rate = 1.0;
            }
        });
    }
    open_edit(e, i, |rate, _, _| {
        if *rate > 0.0 {
            *rate /= 2.0;
        }
    });
    open_edit(e, i, |_, constant, _| *constant = None);
}

/// A closed loop: the users halved, one user, then no think time, no start, no ramp.
fn closed_edits(e: &mut Edits<'_>, i: usize) {
    let edit = |e: &mut Edits<'_>, f: fn(&mut u32, &mut Option<DistSpec>, &mut [Option<Dur>; 2])| {
        e.edit(|c| {
            if let LoadSpec::Closed {
                users,
                think,
                start,
                ramp,
            } = &mut c.clients[i].load
            {
                let mut times = [*start, *ramp];
                f(users, think, &mut times);
                [*start, *ramp] = times;
            }
        });
    };
    edit(e, |users, _, _| *users = (*users / 2).max(1));
    edit(e, |users, _, _| *users = 1);
    edit(e, |_, think, _| *think = None);
    edit(e, |_, _, times| times[0] = None);
    edit(e, |_, _, times| times[1] = None);
}

/// Bursts: the count halved, one request a burst, then no `at`, then no `every`.
fn burst_edits(e: &mut Edits<'_>, i: usize) {
    let edit = |e: &mut Edits<'_>, f: fn(&mut u32, &mut Option<Dur>, &mut Option<Dur>)| {
        e.edit(|c| {
            if let LoadSpec::Burst { count, at, every } = &mut c.clients[i].load {
                f(count, at, every);
            }
        });
    };
    edit(e, |count, _, _| *count = (*count / 2).max(1));
    edit(e, |count, _, _| *count = 1);
    edit(e, |_, at, _| *at = None);
    edit(e, |_, _, every| *every = None);
}
