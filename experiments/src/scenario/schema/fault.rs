//! `[[faults]]`: what goes wrong, where and when.

use std::collections::BTreeMap;

use models::config::{FaultConfig, FaultKind, ServiceConfig};
use sim_core::time::{SimDuration, SimTime};

use super::{Ctx, unique_name};
use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader};
use crate::scenario::tree::Origin;

#[derive(Copy, Clone, PartialEq, Eq)]
enum K {
    Slow,
    Errors,
    Crash,
    CapacityCut,
    Leak,
    Restart,
    Reschedule,
}

const KINDS: [(&str, K); 7] = [
    ("slow", K::Slow),
    ("errors", K::Errors),
    ("crash", K::Crash),
    ("capacity_cut", K::CapacityCut),
    ("leak", K::Leak),
    ("restart", K::Restart),
    ("reschedule", K::Reschedule),
];

/// The run a fault must fall within: its `duration`, after the overrides, and where that came
/// from.
#[derive(Copy, Clone, Debug)]
pub(super) struct Run {
    /// The run's duration.
    pub duration: SimDuration,
    /// Where `duration` was set: the file, or a `--set`/`--duration` argument.
    pub origin: Origin,
}

/// Reads one fault.
pub(super) fn read_fault(
    ctx: &Ctx,
    services: &[ServiceConfig],
    run: Run,
    item: &Item<'_>,
    seen: &mut BTreeMap<String, String>,
) -> Result<FaultConfig> {
    let mut t = item.as_table()?;
    let name = t.optional("name");
    if let Some(name) = &name {
        unique_name(name, "fault", seen)?;
    }
    let service_item = t.required("service")?;
    let service = ctx.service(&service_item)?;
    let kind_item = t.required("kind")?;
    let k = kind_item.as_enum(&KINDS)?;
    let (from, until) = read_window(&mut t, k, &kind_item)?;
    if from >= SimTime::ZERO.saturating_add(run.duration) {
        // `from` is present: its default, 0, is before any run's end (`duration` > 0).
        let from_item = t.optional("from").expect("a fault after the end has `from`");
        let what = match &name {
            Some(n) => format!("fault \"{}\"", n.as_str()?),
            None => format!("the {} fault on {}", kind_item.as_str()?, service_item.as_str()?),
        };
        let set_where = match run.origin {
            Origin::File(_) => "the file's `duration`",
            Origin::Override { .. } => "`--duration` or `--set duration=...`",
        };
        return Err(from_item
            .error(
                ErrorKind::Rule,
                format!("a start before the end of the run, {}", run.duration),
                format!(
                    "{} ({what} starts at {}, when the run is over, so it would never act)",
                    from_item.node.describe(),
                    SimDuration::from_nanos(from.as_nanos())
                ),
            )
            .with_help(format!(
                "the run lasts {} (set by {set_where}): run longer, or start the fault earlier",
                run.duration
            )));
    }
    let pods = read_pods(&mut t, services[service.idx()].replicas)?;
    let kind = read_kind(&mut t, k, &kind_item)?;
    t.finish()?;
    let name = name.map(|n| n.as_str().map(str::to_owned)).transpose()?;
    Ok(FaultConfig {
        name,
        service,
        kind,
        from,
        until,
        pods,
    })
}

/// Reads `from` (default 0 s) and `until` (default: never), checking that `until` comes after
/// `from` and that a restart or reschedule, which ends by itself, has none.
fn read_window(t: &mut TableReader<'_>, k: K, kind_item: &Item<'_>) -> Result<(SimTime, Option<SimTime>)> {
    let from_item = t.optional("from");
    let from = SimTime::ZERO.saturating_add(
        from_item
            .as_ref()
            .map(|i| i.as_duration())
            .transpose()?
            .unwrap_or(SimDuration::ZERO),
    );
    let until_item = t.optional("until");
    let until = until_item
        .as_ref()
        .map(|i| i.as_duration().map(|d| SimTime::ZERO.saturating_add(d)))
        .transpose()?;
    if let (Some(u), Some(ui)) = (until, &until_item) {
        if matches!(k, K::Restart | K::Reschedule) {
            return Err(ui.error(
                ErrorKind::Rule,
                format!(
                    "no `until`: a {} ends by itself after `down_for`",
                    kind_item.as_str()?
                ),
                format!("until = {}", ui.node.describe()),
            ));
        }
        if u <= from {
            let from_text = from_item
                .as_ref()
                .map_or_else(|| "\"0s\"".to_string(), |i| i.node.describe());
            return Err(ui.value_error(format!("a time after `from` ({from_text})")));
        }
    }
    Ok((from, until))
}

/// Reads `pods`: how many of the service's `replicas` the fault hits (default: all, as `None`).
fn read_pods(t: &mut TableReader<'_>, replicas: u32) -> Result<Option<u32>> {
    let Some(i) = t.optional("pods") else {
        return Ok(None);
    };
    let n = i.as_u32_at_least(1)?;
    if n > replicas {
        return Err(i.value_error(format!(
            "at most the service's {replicas} replica{}",
            if replicas == 1 { "" } else { "s" }
        )));
    }
    Ok(Some(n))
}

/// Reads the keys of fault kind `k`.
fn read_kind(t: &mut TableReader<'_>, k: K, kind_item: &Item<'_>) -> Result<FaultKind> {
    Ok(match k {
        K::Slow => read_slow(t, kind_item)?,
        K::Errors => FaultKind::Errors {
            rate: t.required("rate")?.as_probability()?,
            fail_fast: t.optional_or("fail_fast", false, Item::as_bool)?,
        },
        K::Crash => FaultKind::Crash {
            blackhole: t.optional_or("blackhole", false, Item::as_bool)?,
        },
        K::CapacityCut => read_capacity_cut(t, kind_item)?,
        K::Leak => {
            let growth: SimDuration = t.required("growth")?.as_duration()?;
            FaultKind::Leak {
                growth: growth.as_secs_f64(),
            }
        }
        K::Restart => FaultKind::Restart {
            down_for: t.required("down_for")?.as_positive_duration()?,
        },
        K::Reschedule => FaultKind::Reschedule {
            down_for: t.required("down_for")?.as_positive_duration()?,
        },
    })
}

/// Reads a slow fault: exactly one of `latency` (a fixed work time) or `multiplier`.
fn read_slow(t: &mut TableReader<'_>, kind_item: &Item<'_>) -> Result<FaultKind> {
    let latency = t.optional("latency");
    let multiplier = t.optional("multiplier");
    match (latency, multiplier) {
        (Some(l), None) => Ok(FaultKind::Slow {
            latency: Some(l.as_duration()?),
            multiplier: 1.0,
        }),
        (None, Some(m)) => Ok(FaultKind::Slow {
            latency: None,
            multiplier: m.as_positive()?,
        }),
        (Some(_), Some(m)) => Err(m.error(
            ErrorKind::Rule,
            "either `latency` or `multiplier` in a slow fault",
            "both".to_string(),
        )),
        (None, None) => Err(kind_item.error(
            ErrorKind::Missing,
            "`latency` (a fixed work time) or `multiplier` (a factor on it) with a slow fault",
            "neither",
        )),
    }
}

/// Reads a capacity cut: `slots` and/or `multiplier` (slower work, default 1).
fn read_capacity_cut(t: &mut TableReader<'_>, kind_item: &Item<'_>) -> Result<FaultKind> {
    let slots = t.optional("slots").map(|i| i.as_u32_at_least(0)).transpose()?;
    let multiplier = t.optional("multiplier").map(|i| i.as_positive()).transpose()?;
    if slots.is_none() && multiplier.is_none() {
        return Err(kind_item.error(
            ErrorKind::Missing,
            "`slots` (fewer slots) and/or `multiplier` (slower work) with a capacity cut",
            "neither",
        ));
    }
    Ok(FaultKind::CapacityCut {
        slots,
        multiplier: multiplier.unwrap_or(1.0),
    })
}
