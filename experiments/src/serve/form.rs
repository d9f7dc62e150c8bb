//! The page's form: the scenario's parameters as typed fields, grouped by client, service,
//! policy and fault, generated from the loaded scenario and the schema's rules — numbers with
//! their units and the schema's bounds, durations and timeouts (`"none"` waits forever), enums
//! as selects with the values the schema accepts, booleans as toggles.
//!
//! A field's `path` is the `--set` path of its key, and its `value` the effective value (the
//! file's, or the schema's default), written as `--set` takes it; the page sends only the
//! fields that were changed, so a run from the page is `meshsim run NAME --set ...` exactly,
//! validated by the same reader with the same messages.

use models::config::{
    ClientConfig, FaultConfig, FaultKind, Load, PolicyConfig, ProbePath, QueueOrder, ServiceConfig,
};
use serde::{Deserialize, Serialize};
use sim_core::time::SimDuration;

use super::{Reply, State};
use crate::report_html::params::at;
use crate::scenario::schema::{BACKOFF_NAMES, MAX_REPLICAS, MAX_USERS};
use crate::scenario::tree::{Node, Value, render_key};
use crate::scenario::{Loaded, load, load_tree, parse_duration};

/// A field's input type.
#[derive(Serialize, Copy, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A duration such as `250ms`, `2s`.
    Duration,
    /// A duration or `none` (no timeout).
    Timeout,
    /// An integer.
    Int,
    /// A number (a slider when both bounds are known).
    Float,
    /// One of `choices` (a select).
    Enum,
    /// `true` or `false` (a toggle).
    Bool,
    /// Any other string the file gives (its reader checks it).
    Text,
}

/// One field of the form.
#[derive(Serialize, Clone, Debug)]
pub struct Field {
    /// The group heading: `run`, `client NAME`, `service NAME`, `policy NAME`, `fault N`.
    pub group: String,
    /// The `--set` path.
    pub path: String,
    /// The key's last part, shown as the label.
    pub label: String,
    /// The input type.
    pub kind: Kind,
    /// The unit shown after a number (`pods`, `slots`, `req/s`), if any.
    pub unit: &'static str,
    /// The values of an enum.
    pub choices: Vec<String>,
    /// The schema's bounds, when it has them.
    pub min: Option<f64>,
    /// The schema's bounds, when it has them.
    pub max: Option<f64>,
    /// The effective value, as `--set` takes it.
    pub value: String,
}

/// Builds fields of one group.
struct Group<'a> {
    fields: &'a mut Vec<Field>,
    group: String,
    prefix: String,
}

impl Group<'_> {
    fn add(&mut self, key: &str, kind: Kind, value: String) -> &mut Field {
        self.fields.push(Field {
            group: self.group.clone(),
            path: format!("{}{key}", self.prefix),
            label: key.to_string(),
            kind,
            unit: "",
            choices: Vec::new(),
            min: None,
            max: None,
            value,
        });
        self.fields.last_mut().expect("just pushed")
    }

    fn int(&mut self, key: &str, value: u64, unit: &'static str, min: u64, max: Option<u64>) {
        let f = self.add(key, Kind::Int, value.to_string());
        f.unit = unit;
        f.min = Some(min as f64);
        f.max = max.map(|m| m as f64);
    }

    fn choice(&mut self, key: &str, value: &str, choices: &[&str]) {
        let f = self.add(key, Kind::Enum, value.to_string());
        f.choices = choices.iter().map(|c| c.to_string()).collect();
    }
}

fn timeout(t: Option<SimDuration>) -> String {
    t.map_or_else(|| "none".to_string(), |d| d.to_string())
}

/// The table at `keys` in the tree, if there is one.
fn node<'a>(root: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(root, |n, k| n.get(k))
}

/// Every field of a loaded scenario; `root` is its tree (for what the file says as written:
/// which policies it declares, a retry's backoff).
pub fn fields(loaded: &Loaded, root: &Node) -> Vec<Field> {
    let s = &loaded.scenario;
    let mut out = Vec::new();
    let mut g = Group {
        fields: &mut out,
        group: "run".into(),
        prefix: String::new(),
    };
    g.add("duration", Kind::Duration, s.duration.to_string());
    for (i, c) in s.clients.iter().enumerate() {
        client(
            &mut out,
            i,
            c,
            s.policies[s.edges[c.edge.idx()].policy.idx()].deadline,
        );
    }
    for v in &s.services {
        service(&mut out, v);
    }
    for p in &s.policies {
        if node(root, &["policies", &p.name]).is_some() {
            policy(&mut out, p, root);
        }
    }
    for (i, f) in s.faults.iter().enumerate() {
        fault(&mut out, i, f, &s.services[f.service.idx()].name);
    }
    out
}

fn client(out: &mut Vec<Field>, _i: usize, c: &ClientConfig, deadline: Option<SimDuration>) {
    let mut g = Group {
        fields: out,
        group: format!("client {}", c.name),
        prefix: format!("clients.{}.", render_key(&c.name)),
    };
    g.add("timeout", Kind::Timeout, timeout(deadline));
    if let Load::Closed { users, .. } = &c.load {
        g.int(
            "load.users",
            u64::from(*users),
            "users",
            1,
            Some(u64::from(MAX_USERS)),
        );
    }
}

fn service(out: &mut Vec<Field>, v: &ServiceConfig) {
    let mut g = Group {
        fields: out,
        group: format!("service {}", v.name),
        prefix: format!("services.{}.", render_key(&v.name)),
    };
    g.int(
        "replicas",
        u64::from(v.replicas),
        "pods",
        1,
        Some(u64::from(MAX_REPLICAS)),
    );
    g.int("slots", u64::from(v.slots), "slots per pod", 1, None);
    g.int(
        "queue.capacity",
        u64::from(v.queue.capacity),
        "requests per pod",
        0,
        None,
    );
    let order = match v.queue.order {
        QueueOrder::Fifo => "fifo",
        QueueOrder::Lifo => "lifo",
    };
    g.choice("queue.order", order, &["fifo", "lifo"]);
    if let Some(p) = &v.lifecycle.liveness {
        let path = match p.path {
            ProbePath::Shared => "shared",
            ProbePath::Dedicated => "dedicated",
        };
        g.choice("liveness.path", path, &["shared", "dedicated"]);
        g.add("liveness.timeout", Kind::Duration, p.timeout.to_string());
        g.add("liveness.period", Kind::Duration, p.period.to_string());
        g.int(
            "liveness.failure_threshold",
            u64::from(p.failure_threshold),
            "failures",
            1,
            None,
        );
    }
}

fn policy(out: &mut Vec<Field>, p: &PolicyConfig, root: &Node) {
    let mut g = Group {
        fields: out,
        group: format!("policy {}", p.name),
        prefix: format!("policies.{}.", render_key(&p.name)),
    };
    let t = &p.timeouts;
    for (key, v) in [
        ("timeouts.connect", t.connect),
        ("timeouts.read", t.read),
        ("timeouts.write", t.write),
        ("timeouts.pool", t.pool),
        ("timeouts.attempt", t.attempt),
        ("deadline", p.deadline),
    ] {
        g.add(key, Kind::Timeout, timeout(v));
    }
    g.add("propagate_deadline", Kind::Bool, p.propagate_deadline.to_string());
    if let Some(r) = &p.retry {
        g.int(
            "retry.max_attempts",
            u64::from(r.max_attempts),
            "attempts",
            1,
            None,
        );
        let backoff = match node(root, &["policies", &p.name, "retry", "backoff"]).map(|n| &n.value) {
            Some(Value::Str(b)) => b.as_str(),
            _ => "exponential",
        };
        g.choice("retry.backoff", backoff, &BACKOFF_NAMES);
    }
    if let Some(b) = &p.bulkhead {
        g.int(
            "bulkhead.max_concurrent",
            u64::from(b.max_concurrent),
            "calls",
            1,
            None,
        );
        g.add("bulkhead.max_wait", Kind::Duration, b.max_wait.to_string());
    }
    for part in ["retry", "breaker", "bulkhead", "pool"] {
        if let Some(table) = node(root, &["policies", &p.name, part]) {
            as_written(&mut g, part, table);
        }
    }
}

/// The scalar keys of the file's `table` (under `prefix`, nested tables included) that have no
/// typed field yet, as written: a breaker's thresholds and windows, a backoff's base and cap.
/// Their type is the value's (a string that parses as a duration is a duration); `kind` keys
/// are left out, as switching a part's kind needs its other keys too.
fn as_written(g: &mut Group<'_>, prefix: &str, table: &Node) {
    let Value::Table(entries) = &table.value else {
        return;
    };
    for e in entries {
        let key = format!("{prefix}.{}", render_key(&e.key));
        let path = format!("{}{key}", g.prefix);
        if e.key == "kind" || g.fields.iter().any(|f| f.path == path) {
            continue;
        }
        let (kind, value) = match &e.node.value {
            Value::Table(_) => {
                as_written(g, &key, &e.node);
                continue;
            }
            Value::Bool(b) => (Kind::Bool, b.to_string()),
            Value::Int(i) => (Kind::Int, i.to_string()),
            Value::Float(f) => (Kind::Float, f.to_string()),
            Value::Str(t) if parse_duration(t).is_ok() => (Kind::Duration, t.clone()),
            Value::Str(t) => (Kind::Text, t.clone()),
            Value::BigInt(_) | Value::Array(_) => continue,
        };
        g.add(&key, kind, value);
    }
}

fn fault(out: &mut Vec<Field>, i: usize, f: &FaultConfig, service: &str) {
    let mut g = Group {
        fields: out,
        group: format!("fault {i} on {service}"),
        prefix: format!("faults[{i}]."),
    };
    g.add("from", Kind::Duration, at(f.from));
    if let Some(u) = f.until {
        g.add("until", Kind::Duration, at(u));
    }
    match f.kind {
        FaultKind::Slow { latency: Some(l), .. } => {
            g.add("latency", Kind::Duration, l.to_string());
        }
        FaultKind::Errors { rate, .. } => {
            let field = g.add("rate", Kind::Float, rate.to_string());
            field.min = Some(0.0);
            field.max = Some(1.0);
        }
        _ => {}
    }
}

/// The body of `POST /api/form`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormRequest {
    scenario: String,
}

/// The answer of `POST /api/form`.
#[derive(Serialize)]
struct Form {
    scenario: String,
    description: String,
    seed: String,
    fields: Vec<Field>,
}

/// `POST /api/form`.
pub fn reply(state: &State, body: &[u8]) -> Reply {
    let req: FormRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return Reply::error(400, format!("bad request: {e}")),
    };
    let source = match state.source(&req.scenario) {
        Ok(s) => s,
        Err(e) => return Reply::error(404, e),
    };
    let loaded = match (load(&source, &[]), load_tree(&source, &[])) {
        (Ok(l), Ok(root)) => (l, root),
        (Err(e), _) | (_, Err(e)) => return Reply::error(422, e.to_string()),
    };
    let (loaded, root) = loaded;
    Reply::json(
        200,
        &Form {
            scenario: req.scenario,
            description: loaded.scenario.description.clone(),
            seed: loaded.seed.to_string(),
            fields: fields(&loaded, &root),
        },
    )
}
