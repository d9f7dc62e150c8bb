//! [`Spec::features`]: what a scenario uses, as words, read off its tree.

use std::collections::BTreeSet;

use crate::scenario::tree::{Node, Value};

use super::super::spec::{Spec, flag, int, text};

impl Spec {
    /// Every feature the scenario uses, as words such as `fault:crash`, `breaker:hystrix`,
    /// `probe:liveness:dedicated`: for coverage checks over many seeds and for `meshsim swarm
    /// --seed N`'s description.
    pub fn features(&self) -> BTreeSet<String> {
        let mut f = BTreeSet::new();
        let mut add = |s: String| {
            f.insert(s);
        };
        run_features(&self.root, &mut add);
        for c in self.items("clients") {
            client_features(c, &mut add);
        }
        for s in self.items("services") {
            service_features(s, &mut add);
        }
        for p in self.entries("policies") {
            policy_features(&p.node, &mut add);
            super::policies::resilience_features(&p.node, &mut add);
        }
        for fault in self.items("faults") {
            fault_features(fault, &mut add);
        }
        f
    }
}

/// `node.a.b…`, if every key is there.
fn at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, k| n.get(k))
}

/// The string at `node.a.b…`.
pub(super) fn word<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    text(at(node, path))
}

/// The elements of the array at `node.key`.
fn list<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

/// Limits and network.
fn run_features(root: &Node, add: &mut impl FnMut(String)) {
    let limit = |k: &str| int(at(root, &["limits", k]));
    if limit("max_buckets").is_some() {
        add("limits:max_buckets".into());
    }
    if limit("max_log_entries").is_some() {
        add("limits:max_log_entries".into());
    }
    if limit("max_events").is_some_and(|n| n <= 100) || limit("max_pending").is_some_and(|n| n <= 10) {
        add("limits:tiny".into());
    }
    if word(root, &["network", "latency"]) == Some("0s") {
        add("network:zero".into());
    }
}

/// A client's load and timeout.
fn client_features(c: &Node, add: &mut impl FnMut(String)) {
    match word(c, &["load", "kind"]) {
        Some("open") => {
            add("load:open".into());
            if word(c, &["load", "arrivals"]) == Some("constant") {
                add("load:open:constant".into());
            }
            for e in at(c, &["load"]).map_or(&[][..], |l| list(l, "schedule")) {
                add(if e.get("ramp_to").is_some() {
                    "schedule:ramp"
                } else if e.get("spike").is_some() {
                    "schedule:spike"
                } else {
                    "schedule:step"
                }
                .into());
            }
        }
        Some("closed") => add("load:closed".into()),
        _ => {
            add("load:burst".into());
            if at(c, &["load", "every"]).is_some() {
                add("load:burst:repeated".into());
            }
        }
    }
    if c.get("timeout").is_some() {
        add("client:timeout".into());
    }
}

/// A service's queue, start, load balancing, discovery and deadlines.
fn service_features(s: &Node, add: &mut impl FnMut(String)) {
    if int(at(s, &["queue", "capacity"])) == Some(0) {
        add("queue:zero".into());
    }
    let lifo = word(s, &["queue", "order"]) == Some("lifo");
    add(format!("queue:{}", if lifo { "lifo" } else { "fifo" }));
    let cold = flag(s.get("warm_start")) == Some(false);
    add(format!("start:{}", if cold { "cold" } else { "warm" }));
    handler_features(s, add);
    if let Some(lb) = word(s, &["lb"]) {
        add(format!("lb:{lb}"));
    }
    add(format!(
        "discovery:{}",
        word(s, &["discovery", "kind"]).unwrap_or("watch")
    ));
    if flag(s.get("honour_deadlines")) == Some(true) {
        add("honour_deadlines".into());
    }
}

/// A service's probes and steps.
fn handler_features(s: &Node, add: &mut impl FnMut(String)) {
    for (kind, key) in [
        ("liveness", "liveness"),
        ("readiness", "readiness"),
        ("startup", "startup_probe"),
    ] {
        if let Some(p) = s.get(key) {
            let path = word(p, &["path"]).unwrap_or("shared");
            add(format!("probe:{kind}:{path}"));
            if list(p, "handler").iter().any(|st| st.get("work").is_none()) {
                add("probe:handler-calls".into());
            }
        }
    }
    for st in list(s, "steps") {
        if st.get("work").is_some() {
            add("step:work".into());
        } else if st.get("call").is_some() {
            add("step:call".into());
            if flag(st.get("required")) == Some(false) {
                add("call:best-effort".into());
            }
        } else {
            add("step:parallel".into());
        }
    }
}

/// A policy's timeouts, pool, deadline, fallback and order.
fn policy_features(p: &Node, add: &mut impl FnMut(String)) {
    if let Some(Value::Table(ts)) = p.get("timeouts").map(|t| &t.value) {
        if ts.iter().any(|t| text(Some(&t.node)) == Some("none")) {
            add("timeout:none".into());
        }
        if ts.iter().any(|t| text(Some(&t.node)) == Some("1ns")) {
            add("timeout:1ns".into());
        }
    }
    if let Some(pool) = p.get("pool") {
        if pool.get("shared").is_some() {
            add("pool:shared".into());
        }
        if flag(pool.get("sticky")) == Some(true) {
            add("pool:sticky".into());
        }
        if int(pool.get("max_connections")) == Some(1) {
            add("pool:tiny".into());
        }
    }
    if p.get("deadline").is_some() {
        add("deadline".into());
    }
    if flag(p.get("propagate_deadline")) == Some(true) {
        add("deadline:propagated".into());
    }
    let fallback = p
        .get("fallback")
        .and_then(|f| text(Some(f)).or(word(f, &["kind"])));
    add(format!("fallback:{}", fallback.unwrap_or("fail")));
    add(format!("order:{}", word(p, &["order"]).unwrap_or("lesson")));
}

/// A fault's kind and extent.
fn fault_features(fault: &Node, add: &mut impl FnMut(String)) {
    let kind = word(fault, &["kind"]).unwrap_or("");
    add(format!("fault:{kind}"));
    if kind == "crash" && flag(fault.get("blackhole")) == Some(true) {
        add("fault:blackhole".into());
    }
    if word(fault, &["from"]).is_none_or(|d| d == "0s")
        && fault.get("until").is_none()
        && !matches!(kind, "restart" | "reschedule")
    {
        add("fault:whole-run".into());
    }
    if fault.get("pods").is_some() {
        add("fault:pods".into());
    }
}
