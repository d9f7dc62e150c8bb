//! Probe failures on their workers' tickers (kubelet `pkg/kubelet/prober/worker.go`): a worker
//! per pod and probe ticks every period from the pod's creation, across container restarts,
//! and probes a container only from its initial delay on. A failure comes at its probe's tick
//! (refused, rejected), at the tick plus the timeout (timeout), or in between (an error
//! answer, a reset). With a timeout of a period or more a probe can outlast a tick, and the
//! tick's probe follows it at once: such workers are not checked here.

use super::super::{Check, FailureKind, fail};
use super::{LogWalk, track};

impl LogWalk<'_> {
    /// A probe failure at `t` (ns) came from a tick of its worker, past its container's initial
    /// delay. A worker whose phase the log does not give (a warm pod's, started before the run;
    /// a recreated pod's) takes it from its first failure with an exact tick.
    pub(super) fn on_ticker(
        &mut self,
        at: &str,
        t: u64,
        pod: &str,
        probe: &'static str,
        cause: &str,
    ) -> Check {
        let lk = FailureKind::Lifecycle;
        let scenario = self.scenario;
        let p = track(&mut self.pods, at, pod)?;
        let lifecycle = &scenario.services[p.service].lifecycle;
        let Some(cfg) = (match probe {
            "liveness" => lifecycle.liveness.as_ref(),
            "readiness" => lifecycle.readiness.as_ref(),
            _ => lifecycle.startup_probe.as_ref(),
        }) else {
            return Ok(()); // reported by `probe_failed`
        };
        let (period, timeout) = (cfg.period.as_nanos(), cfg.timeout.as_nanos());
        if timeout >= period {
            // A probe can then outlast a tick, which waits in the ticker's channel and is taken
            // the moment that probe ends: off the ticker, at a time the log does not give (a
            // probe that passed is not logged).
            return Ok(());
        }
        let exact = match cause {
            "refused" | "rejected: accept queue full" => Some(t),
            "timeout" => t.checked_sub(timeout),
            _ => None,
        };
        let residue = match (p.tick_residue.get(probe), exact) {
            (Some(&r), _) => r,
            (None, Some(tick)) => *p.tick_residue.entry(probe).or_insert(tick % period),
            (None, None) => return Ok(()), // not yet known
        };
        // The probe's tick: the exact one, or the latest at or before t, within the timeout.
        let tick = match exact {
            Some(e) => (e % period == residue).then_some(e),
            None => t
                .checked_sub((t % period + period - residue) % period)
                .filter(|tick| tick.saturating_add(timeout) >= t),
        };
        let Some(tick) = tick else {
            return fail(
                lk,
                format!(
                    "{at}: {pod} {probe} probe failed ({cause}) off its worker's ticker (every {} s at phase {} s)",
                    period as f64 / 1e9,
                    residue as f64 / 1e9
                ),
            );
        };
        let delay_over = p.started_at.saturating_add(cfg.initial_delay).as_nanos();
        if !p.warm && tick < delay_over {
            return fail(
                lk,
                format!(
                    "{at}: {pod} {probe} probed at {} s, before its initial delay after the container's start at {} ended",
                    tick as f64 / 1e9,
                    p.started_at
                ),
            );
        }
        Ok(())
    }
}
