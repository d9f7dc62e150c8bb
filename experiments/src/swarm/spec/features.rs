//! [`Spec::features`] and [`Spec::describe`]: what a scenario uses, as words and as one line.

use std::collections::BTreeSet;

use super::*;

impl Spec {
    /// Every feature the scenario uses, as words such as `fault:crash`, `breaker:hystrix`,
    /// `probe:liveness:dedicated`: for coverage checks over many seeds and for `meshsim swarm
    /// --seed N`'s description.
    pub fn features(&self) -> BTreeSet<String> {
        let mut f = BTreeSet::new();
        let mut add = |s: String| {
            f.insert(s);
        };
        self.run_features(&mut add);
        for c in &self.clients {
            client_features(c, &mut add);
        }
        for s in &self.services {
            service_features(s, &mut add);
        }
        for p in &self.policies {
            policy_features(p, &mut add);
            resilience_features(p, &mut add);
        }
        for fault in &self.faults {
            fault_features(fault, &mut add);
        }
        f
    }

    /// Limits and network.
    fn run_features(&self, add: &mut impl FnMut(String)) {
        if self.limits.max_buckets.is_some() {
            add("limits:max_buckets".into());
        }
        if self.limits.max_log_entries.is_some() {
            add("limits:max_log_entries".into());
        }
        if self.limits.max_events <= 100 || self.limits.max_pending <= 10 {
            add("limits:tiny".into());
        }
        if self.network_latency == Some(DistSpec::Const(Dur(0))) {
            add("network:zero".into());
        }
    }

    /// One line: what the scenario has.
    pub fn describe(&self) -> String {
        let pods: u32 = self.services.iter().map(ServiceSpec::pods).sum();
        format!(
            "{} over {}: {} client(s), {} service(s) with {pods} pod(s), {} policy(ies), {} fault(s)",
            self.name(),
            self.duration.text(),
            self.clients.len(),
            self.services.len(),
            self.policies.len(),
            self.faults.len()
        )
    }
}

/// A client's load and timeout.
fn client_features(c: &ClientSpec, add: &mut impl FnMut(String)) {
    match &c.load {
        LoadSpec::Open {
            constant, schedule, ..
        } => {
            add("load:open".into());
            if *constant == Some(true) {
                add("load:open:constant".into());
            }
            for e in schedule {
                add(match e {
                    RateEntry::Step(..) => "schedule:step",
                    RateEntry::Ramp(..) => "schedule:ramp",
                    RateEntry::Spike(..) => "schedule:spike",
                }
                .into());
            }
        }
        LoadSpec::Closed { .. } => add("load:closed".into()),
        LoadSpec::Burst { every, .. } => {
            add("load:burst".into());
            if every.is_some() {
                add("load:burst:repeated".into());
            }
        }
    }
    if c.timeout.is_some() {
        add("client:timeout".into());
    }
}

/// A service's queue, start, load balancing, discovery and deadlines.
fn service_features(s: &ServiceSpec, add: &mut impl FnMut(String)) {
    if s.queue_capacity == Some(0) {
        add("queue:zero".into());
    }
    add(format!(
        "queue:{}",
        if s.lifo == Some(true) { "lifo" } else { "fifo" }
    ));
    add(format!(
        "start:{}",
        if s.warm_start == Some(false) {
            "cold"
        } else {
            "warm"
        }
    ));
    handler_features(s, add);
    if let Some(lb) = s.lb {
        add(format!("lb:{lb}"));
    }
    match &s.discovery {
        Some(DiscoverySpec::Watch(_)) | None => add("discovery:watch".into()),
        Some(DiscoverySpec::Dns(..)) => add("discovery:dns".into()),
        Some(DiscoverySpec::Registry(_)) => add("discovery:registry".into()),
    }
    if s.honour_deadlines == Some(true) {
        add("honour_deadlines".into());
    }
}

/// A service's probes and steps.
fn handler_features(s: &ServiceSpec, add: &mut impl FnMut(String)) {
    for (kind, p) in [
        ("liveness", &s.liveness),
        ("readiness", &s.readiness),
        ("startup", &s.startup_probe),
    ] {
        if let Some(p) = p {
            let path = if p.dedicated == Some(true) {
                "dedicated"
            } else {
                "shared"
            };
            add(format!("probe:{kind}:{path}"));
            if p.handler.iter().any(|s| !matches!(s, StepSpec::Work(..))) {
                add("probe:handler-calls".into());
            }
        }
    }
    for st in &s.steps {
        match st {
            StepSpec::Work(..) => add("step:work".into()),
            StepSpec::Call(c) => {
                add("step:call".into());
                if c.required == Some(false) {
                    add("call:best-effort".into());
                }
            }
            StepSpec::Parallel(_) => add("step:parallel".into()),
        }
    }
}

/// A policy's timeouts, pool, deadline, fallback and order.
fn policy_features(p: &PolicySpec, add: &mut impl FnMut(String)) {
    if let Some(ts) = &p.timeouts {
        if ts.contains(&Some(Timeout::Never)) {
            add("timeout:none".into());
        }
        if ts.contains(&Some(Timeout::After(Dur(1)))) {
            add("timeout:1ns".into());
        }
    }
    if let Some(pool) = &p.pool {
        if pool.shared.is_some() {
            add("pool:shared".into());
        }
        if pool.sticky == Some(true) {
            add("pool:sticky".into());
        }
        if pool.max_connections == Some(1) {
            add("pool:tiny".into());
        }
    }
    if p.deadline.is_some() {
        add("deadline".into());
    }
    if p.propagate_deadline == Some(true) {
        add("deadline:propagated".into());
    }
    match &p.fallback {
        Some(FallbackSpec::Fail(_)) | None => add("fallback:fail".into()),
        Some(FallbackSpec::Degrade(_)) => add("fallback:degrade".into()),
        Some(FallbackSpec::Defer | FallbackSpec::DeferTable(..)) => add("fallback:defer".into()),
    }
    add(format!(
        "order:{}",
        if p.resilience4j == Some(true) {
            "resilience4j"
        } else {
            "lesson"
        }
    ));
}

/// A policy's retries, breaker and bulkhead.
fn resilience_features(p: &PolicySpec, add: &mut impl FnMut(String)) {
    match &p.retry {
        Some(Part::On(r)) => {
            add(format!("backoff:{}", r.backoff.unwrap_or("exponential")));
            match &r.budget {
                Some(BudgetSpec::Grpc(..)) => add("budget:grpc".into()),
                Some(BudgetSpec::Brooker(..)) => add("budget:brooker".into()),
                Some(BudgetSpec::Envoy(..)) => add("budget:envoy".into()),
                Some(BudgetSpec::Finagle(..)) => add("budget:finagle".into()),
                None => {}
            }
            if r.max_attempts.is_some_and(|n| n >= 1000) {
                add("retry:huge".into());
            }
        }
        Some(Part::Off) => add("retry:none".into()),
        None => {}
    }
    match &p.breaker {
        Some(Part::On(BreakerSpec::Lesson(..))) => add("breaker:lesson".into()),
        Some(Part::On(BreakerSpec::R4j(_))) => add("breaker:resilience4j".into()),
        Some(Part::On(BreakerSpec::Hystrix(..))) => add("breaker:hystrix".into()),
        Some(Part::Off) => add("breaker:none".into()),
        None => {}
    }
    if let Some(Part::On(b)) = &p.bulkhead {
        add("bulkhead".into());
        if b.max_wait == Some(Dur(0)) || (b.max_wait.is_none()) {
            add("bulkhead:no-wait".into());
        }
    }
}

/// A fault's kind and extent.
fn fault_features(fault: &FaultSpec, add: &mut impl FnMut(String)) {
    add(format!("fault:{}", fault.kind.word()));
    if let FaultKindSpec::Crash(Some(true)) = fault.kind {
        add("fault:blackhole".into());
    }
    if fault.from.is_none_or(|d| d == Dur(0))
        && fault.until.is_none()
        && !matches!(
            fault.kind,
            FaultKindSpec::Restart(_) | FaultKindSpec::Reschedule(_)
        )
    {
        add("fault:whole-run".into());
    }
    if fault.pods.is_some() {
        add("fault:pods".into());
    }
}
