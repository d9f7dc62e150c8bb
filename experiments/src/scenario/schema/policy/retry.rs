//! `retry`: attempts, the failures retried, the backoff between attempts and the retry budget.

use models::config::{RetryConfig, RetryOn};
use models::outcome::Failure;
use models::policy::backoff::{
    AWS_SDK_BASE_DELAY, AWS_SDK_MAX_BACKOFF, Backoff, ENVOY_BASE_INTERVAL, TENACITY_MAX, TENACITY_MULTIPLIER,
};
use sim_core::time::SimDuration;

use super::budget::read_budget;
use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader, closest, list};
use crate::scenario::warning::ReadWarning;

/// Default `retry.max_attempts` (AWS SDK standard mode, resilience4j, the SRE book): 3.
pub const DEFAULT_MAX_ATTEMPTS: u32 = models::defaults::AWS_SDK_MAX_ATTEMPTS;
/// Default `retry.on`.
pub const DEFAULT_RETRY_ON: [&str; 5] = ["timeout", "connect", "reset", "5xx", "rejected"];
/// gRPC A6 / grpc-java default `backoffMultiplier`.
pub const GRPC_MULTIPLIER: f64 = 1.6;

#[derive(Copy, Clone, PartialEq, Eq)]
enum BackoffKind {
    None,
    Fixed,
    Exponential,
    FullJitter,
    EqualJitter,
    Decorrelated,
    DecorrelatedV2,
    Envoy,
    Grpc,
    Tenacity,
}

const BACKOFFS: [(&str, BackoffKind); 10] = [
    ("none", BackoffKind::None),
    ("fixed", BackoffKind::Fixed),
    ("exponential", BackoffKind::Exponential),
    ("full_jitter", BackoffKind::FullJitter),
    ("equal_jitter", BackoffKind::EqualJitter),
    ("decorrelated_jitter", BackoffKind::Decorrelated),
    ("decorrelated_jitter_v2", BackoffKind::DecorrelatedV2),
    ("envoy", BackoffKind::Envoy),
    ("grpc", BackoffKind::Grpc),
    ("tenacity", BackoffKind::Tenacity),
];

/// The values `retry.backoff` accepts, in the order of the documentation.
pub const BACKOFF_NAMES: [&str; BACKOFFS.len()] = {
    let mut names = [""; BACKOFFS.len()];
    let mut i = 0;
    while i < BACKOFFS.len() {
        names[i] = BACKOFFS[i].0;
        i += 1;
    }
    names
};

/// Reads `retry`, adding to `warnings` what is valid but probably not meant.
pub(super) fn read_retry(item: &Item<'_>, warnings: &mut Vec<ReadWarning>) -> Result<RetryConfig> {
    let mut t = item.as_table()?;
    let max_attempts = t.optional_or("max_attempts", DEFAULT_MAX_ATTEMPTS, |i| i.as_u32_at_least(1))?;
    let on = t.optional_or("on", default_retry_on(), read_retry_on)?;
    let backoff_item = t.optional("backoff");
    let kind = backoff_item
        .as_ref()
        .map(|i| i.as_enum(&BACKOFFS))
        .transpose()?
        .unwrap_or(BackoffKind::Exponential);
    // `base`, `cap`, `min` and `multiplier` are read (and checked) whatever the strategy, so that a
    // `--set ...backoff=none` switch does not turn the file's other keys into errors; each
    // strategy uses the ones that apply to it.
    let opt_dur = |t: &mut TableReader<'_>, key: &str| -> Result<Option<SimDuration>> {
        t.optional(key).map(|i| i.as_duration()).transpose()
    };
    let base = opt_dur(&mut t, "base")?;
    let cap = opt_dur(&mut t, "cap")?;
    let min_item = t.optional("min");
    let min = min_item.as_ref().map(Item::as_duration).transpose()?;
    let multiplier_item = t.optional("multiplier");
    let multiplier = multiplier_item.as_ref().map(Item::as_positive).transpose()?;
    let backoff = build_backoff(
        kind,
        Params {
            base,
            cap,
            min,
            multiplier,
        },
    );
    if let Err(why) = backoff.validate() {
        // tenacity's only rule is on `min` (its default, 0, never breaks it): point there.
        let at = match kind {
            BackoffKind::Tenacity => min_item,
            _ => backoff_item,
        };
        let at = at.unwrap_or_else(|| t.at());
        return Err(at.error(ErrorKind::Value, "valid backoff parameters", why));
    }
    if let (BackoffKind::Tenacity, Some(m)) = (kind, &multiplier_item) {
        warnings.push(ReadWarning::new(
            m.origin(),
            m.path.clone(),
            "`multiplier` is not tenacity's multiplier and is ignored with backoff = \"tenacity\"",
            "tenacity's multiplier is a time in seconds: write it as `base`, e.g. base = \"1s\"",
        ));
    }
    let budget = t.optional("budget").map(|i| read_budget(&i)).transpose()?;
    t.finish()?;
    Ok(RetryConfig {
        max_attempts,
        on,
        backoff,
        budget,
    })
}

/// The backoff keys as read, each `None` when the file leaves it out.
struct Params {
    base: Option<SimDuration>,
    cap: Option<SimDuration>,
    min: Option<SimDuration>,
    multiplier: Option<f64>,
}

/// The backoff of strategy `kind` from the keys read, filling each parameter the strategy uses
/// but the file leaves out with its default (not yet validated).
fn build_backoff(kind: BackoffKind, p: Params) -> Backoff {
    let Params {
        base,
        cap,
        min,
        multiplier,
    } = p;
    // The AWS SDK defaults, for every strategy but Envoy's.
    let b = base.unwrap_or(AWS_SDK_BASE_DELAY);
    let c = cap.unwrap_or(AWS_SDK_MAX_BACKOFF);
    match kind {
        BackoffKind::None => Backoff::None,
        BackoffKind::Fixed => Backoff::Fixed { delay: b },
        BackoffKind::Exponential => Backoff::Exponential { base: b, cap: c },
        BackoffKind::FullJitter => Backoff::FullJitter { base: b, cap: c },
        BackoffKind::EqualJitter => Backoff::EqualJitter { base: b, cap: c },
        BackoffKind::Decorrelated => Backoff::DecorrelatedJitter { base: b, cap: c },
        BackoffKind::DecorrelatedV2 => Backoff::DecorrelatedJitterV2 {
            median_first_delay: b,
            cap: c,
        },
        BackoffKind::Envoy => {
            // Envoy's own defaults: base_interval 25 ms, max_interval 10 × base_interval.
            let base = base.unwrap_or(ENVOY_BASE_INTERVAL);
            Backoff::Envoy {
                base,
                max: cap.unwrap_or(base.saturating_mul(10)),
            }
        }
        BackoffKind::Grpc => Backoff::Grpc {
            initial: b,
            multiplier: multiplier.unwrap_or(GRPC_MULTIPLIER),
            max: c,
        },
        // tenacity's `wait_random_exponential` defaults: multiplier 1 s, min 0, max unbounded.
        BackoffKind::Tenacity => Backoff::Tenacity {
            multiplier: base.unwrap_or(TENACITY_MULTIPLIER),
            min: min.unwrap_or(SimDuration::ZERO),
            max: cap.unwrap_or(TENACITY_MAX),
        },
    }
}

/// The failures retried when `retry.on` is absent: [`DEFAULT_RETRY_ON`].
fn default_retry_on() -> RetryOn {
    let mut mask = 0;
    for name in DEFAULT_RETRY_ON {
        mask |= condition_mask(name).unwrap_or(0);
    }
    RetryOn { mask }
}

/// The failure mask of a retry condition: a group of [`Failure::groups`] or one reason's name.
fn condition_mask(name: &str) -> Option<u32> {
    if let Some((_, reasons)) = Failure::groups().iter().find(|(g, _)| *g == name) {
        return Some(reasons.iter().fold(0, |m, f| m | f.bit()));
    }
    Failure::ALL.iter().find(|f| f.name() == name).map(|f| f.bit())
}

/// Every retry condition `retry.on` accepts: the groups of [`Failure::groups`], then each
/// reason no group is named after.
pub fn retry_conditions() -> Vec<&'static str> {
    let mut names: Vec<&str> = Failure::groups().iter().map(|(g, _)| *g).collect();
    for f in Failure::ALL {
        if !names.contains(&f.name()) {
            names.push(f.name());
        }
    }
    names
}

/// Reads `retry.on`: an array of retry conditions (groups or single reasons).
fn read_retry_on(item: &Item<'_>) -> Result<RetryOn> {
    let mut mask = 0;
    for i in item.as_array()? {
        let name = i.as_str()?;
        match condition_mask(name) {
            Some(m) => mask |= m,
            None => {
                let groups: Vec<&str> = Failure::groups().iter().map(|(g, _)| *g).collect();
                let all = groups
                    .iter()
                    .copied()
                    .chain(Failure::ALL.iter().map(|f| f.name()));
                let err = i.value_error(format!(
                    "a retry condition: {} (or a single reason such as \"read_timeout\")",
                    list(&groups)
                ));
                return Err(
                    err.with_help_opt(closest(name, all).map(|best| format!("did you mean \"{best}\"?")))
                );
            }
        }
    }
    Ok(RetryOn { mask })
}
