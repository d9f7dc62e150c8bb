//! The page's form: the scenario's parameters as typed fields, grouped by run, client, service,
//! policy and fault, generated from the loaded scenario and the schema's rules — numbers with
//! their units and the schema's bounds (a slider where both are known), durations and timeouts
//! (`"none"` waits forever), enums as selects with the values the schema accepts (a tagged
//! table's `kind` too), booleans as toggles, `retry.on` as checkboxes, and for what has no
//! scalar form (a handler's steps, a rate schedule, a distribution, a probe or retry budget the
//! file does not declare) the key's value as TOML, edited as text.
//!
//! A field's `path` is the `--set` path of its key, and its `value` the effective value (the
//! file's, or the schema's default), written as `--set` takes it; an empty `value` means the
//! key is absent and has no default to show (an optional probe, a burst's `every`). The page
//! sends only the fields that were changed, so a run from the page is `meshsim run NAME --set
//! ...` exactly, validated by the same reader with the same messages.

mod parts;
mod policy;

use serde::{Deserialize, Serialize};
use sim_core::time::SimDuration;

use super::{Reply, State};
use crate::scenario::tree::{Node, Value, render_inline};
use crate::scenario::{Loaded, Override, load, load_tree, parse_duration};

/// A field's input type.
#[derive(Serialize, Copy, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A duration such as `250ms`, `2s`.
    Duration,
    /// A duration or `none` (no timeout).
    Timeout,
    /// An integer (a slider too when both bounds are known).
    Int,
    /// An integer or `none` (a lesson breaker's `half_open_trials`).
    IntOrNone,
    /// A number (a slider too when both bounds are known).
    Float,
    /// One of `choices` (a select); `labels`, when given, name them (a `kind` select whose
    /// choices are whole tables).
    Enum,
    /// Any of `choices` (checkboxes); the value is a TOML array of the checked ones, in the
    /// order of `choices`.
    Multi,
    /// `true` or `false` (a toggle).
    Bool,
    /// Any other string (its reader checks it).
    Text,
    /// A TOML value edited as text (`--set PATH=VALUE` takes it as written).
    Toml,
}

/// One field of the form.
#[derive(Serialize, Clone, Debug)]
pub struct Field {
    /// The group heading: `run`, `client NAME`, `service NAME`, `policy NAME`, `fault N on S`.
    pub group: String,
    /// The `--set` path.
    pub path: String,
    /// The key below its group, shown as the label.
    pub label: String,
    /// The input type.
    pub kind: Kind,
    /// The unit shown after a number (`pods`, `slots`, `req/s`, `%`), if any.
    pub unit: &'static str,
    /// The values of an enum or a multi-select.
    pub choices: Vec<String>,
    /// What each choice is called, when the values are not words (`kind` selects).
    pub labels: Vec<String>,
    /// The schema's lower bound, when it has one (inclusive; an exclusive bound of 0 is given as
    /// 0 and the reader refuses 0 with its own message).
    pub min: Option<f64>,
    /// The schema's upper bound, when it has one.
    pub max: Option<f64>,
    /// The slider is logarithmic: its bounds span more than three decades.
    pub log: bool,
    /// The effective value, as `--set` takes it; empty when the key is absent.
    pub value: String,
    /// An override (`path=value`) sent before this field's whenever it is edited: the `kind` of
    /// a tagged table the file does not declare, which the key needs to be read.
    pub requires: Option<String>,
    /// What the field is, when the label does not say it all (shown as its tooltip).
    pub note: String,
}

/// Builds fields of one group.
pub(crate) struct Group<'a> {
    fields: &'a mut Vec<Field>,
    group: String,
    prefix: String,
    requires: Option<String>,
}

impl<'a> Group<'a> {
    fn new(fields: &'a mut Vec<Field>, group: String, prefix: String) -> Group<'a> {
        Group {
            fields,
            group,
            prefix,
            requires: None,
        }
    }

    pub(crate) fn add(&mut self, key: &str, kind: Kind, value: String) -> &mut Field {
        self.fields.push(Field {
            group: self.group.clone(),
            path: format!("{}{key}", self.prefix),
            label: key.to_string(),
            kind,
            unit: "",
            choices: Vec::new(),
            labels: Vec::new(),
            min: None,
            max: None,
            log: false,
            value,
            requires: self.requires.clone(),
            note: String::new(),
        });
        self.fields.last_mut().expect("just pushed")
    }

    pub(crate) fn int(
        &mut self,
        key: &str,
        value: u64,
        unit: &'static str,
        min: u64,
        max: Option<u64>,
    ) -> &mut Field {
        let f = self.add(key, Kind::Int, value.to_string());
        f.unit = unit;
        f.min = Some(min as f64);
        f.max = max.map(|m| m as f64);
        f.log = max.is_some_and(|m| m / min.max(1) > 1000);
        f
    }

    pub(crate) fn float(
        &mut self,
        key: &str,
        value: f64,
        unit: &'static str,
        min: f64,
        max: Option<f64>,
    ) -> &mut Field {
        let f = self.add(key, Kind::Float, number(value));
        f.unit = unit;
        f.min = Some(min);
        f.max = max;
        f
    }

    /// A part the policy does not have: `"none"` as TOML, to be replaced by a table.
    pub(crate) fn none_part(&mut self, key: &str, example: &str) {
        self.add(key, Kind::Toml, "\"none\"".into()).note = format!("none; e.g. {example}");
    }

    pub(crate) fn dur(&mut self, key: &str, d: SimDuration) -> &mut Field {
        self.add(key, Kind::Duration, duration(d))
    }

    pub(crate) fn timeout(&mut self, key: &str, t: Option<SimDuration>) -> &mut Field {
        self.add(key, Kind::Timeout, t.map_or_else(|| "none".to_string(), duration))
    }

    pub(crate) fn bool(&mut self, key: &str, b: bool) -> &mut Field {
        self.add(key, Kind::Bool, b.to_string())
    }

    pub(crate) fn choice(&mut self, key: &str, value: &str, choices: &[&str]) -> &mut Field {
        let f = self.add(key, Kind::Enum, value.to_string());
        f.choices = choices.iter().map(|c| c.to_string()).collect();
        f
    }

    /// A TOML field: the tree's value as written, or `default` (already TOML) when absent.
    pub(crate) fn toml(&mut self, key: &str, written: Option<&Node>, default: &str) -> &mut Field {
        let value = written.map_or_else(|| default.to_string(), render_inline);
        self.add(key, Kind::Toml, value)
    }

    /// A tagged table's `kind` as a select whose values are whole tables: the table as
    /// written (or `effective`, TOML, when absent) for its kind, and `{ kind = "…" }` plus
    /// `others`' keys for each other kind, so that switching it replaces the table in one
    /// `--set`.
    pub(crate) fn kind_select(
        &mut self,
        key: &str,
        current: &str,
        written: Option<&Node>,
        effective: &str,
        others: &[(&str, &str)],
    ) -> &mut Field {
        let value = written.map_or_else(|| effective.to_string(), render_inline);
        let mut choices = Vec::new();
        let mut labels = Vec::new();
        for &(kind, keys) in others {
            labels.push(kind.to_string());
            choices.push(if kind == current {
                value.clone()
            } else if keys.is_empty() {
                format!("{{ kind = \"{kind}\" }}")
            } else {
                format!("{{ kind = \"{kind}\", {keys} }}")
            });
        }
        let f = self.add(key, Kind::Enum, value);
        f.choices = choices;
        f.labels = labels;
        f.note = "switching the kind replaces the whole table with that kind and its defaults".into();
        f
    }
}

/// A duration as `--set` takes it, exactly: the shortest text when it reads back to the same
/// value, else in nanoseconds.
pub fn duration(d: SimDuration) -> String {
    if d == SimDuration::ZERO {
        return "0s".into();
    }
    let text = d.to_string();
    if parse_duration(&text) == Ok(d) {
        text
    } else {
        format!("{}ns", d.as_nanos())
    }
}

/// A number as TOML: an integer when it is one (`50`), else the shortest float text.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The node at `keys` in the tree, if there is one.
fn node<'a>(root: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(root, |n, k| n.get(k))
}

/// The element `i` of the array at `key` of the root.
fn element<'a>(root: &'a Node, key: &str, i: usize) -> Option<&'a Node> {
    match &root.get(key)?.value {
        Value::Array(items) => items.get(i),
        _ => None,
    }
}

/// Every field of a loaded scenario; `root` is its tree (what the file says as written: which
/// policies it declares, a backoff's name, steps and distributions).
pub fn fields(loaded: &Loaded, root: &Node) -> Vec<Field> {
    let s = &loaded.scenario;
    let mut out = Vec::new();
    parts::run(&mut out, loaded, root);
    let declared: Vec<&str> = match node(root, &["policies"]).map(|n| &n.value) {
        Some(Value::Table(entries)) => entries.iter().map(|e| e.key.as_str()).collect(),
        _ => Vec::new(),
    };
    for (i, c) in s.clients.iter().enumerate() {
        parts::client(&mut out, s, c, element(root, "clients", i), &declared);
    }
    for (i, v) in s.services.iter().enumerate() {
        parts::service(&mut out, v, element(root, "services", i));
    }
    for p in &s.policies {
        if let Some(written) = node(root, &["policies", &p.name]) {
            policy::policy(&mut out, p, written);
        }
    }
    for (i, f) in s.faults.iter().enumerate() {
        parts::fault(&mut out, s, i, f, element(root, "faults", i));
    }
    out
}

/// The body of `POST /api/form`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormRequest {
    scenario: String,
    /// The page's edits, as `--set` arguments: the form is that of the edited scenario (a
    /// `kind` switched shows the new kind's keys).
    #[serde(default)]
    set: Vec<String>,
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
    if req.set.len() > super::MAX_SETS {
        return Reply::error(
            400,
            format!("at most {} overrides, found {}", super::MAX_SETS, req.set.len()),
        );
    }
    let overrides: Result<Vec<Override>, _> = req.set.iter().map(|s| Override::parse(s)).collect();
    let overrides = match overrides {
        Ok(o) => o,
        Err(e) => return Reply::error(422, e.to_string()),
    };
    let loaded = match (load(&source, &overrides), load_tree(&source, &overrides)) {
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
