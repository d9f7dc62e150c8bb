//! Simplifications of a list of steps (a service's, or a probe handler's): a step dropped, or
//! one step replaced by a simpler one.

use super::super::spec::*;

/// Simplifications of a list of steps: for each step in turn, the list without it, then the
/// list with that step replaced by each of its [`simpler_steps`].
pub(super) fn step_edits(steps: &[StepSpec]) -> Vec<Vec<StepSpec>> {
    let mut out = Vec::new();
    for i in 0..steps.len() {
        let mut v = steps.to_vec();
        v.remove(i);
        out.push(v);
        for simpler in simpler_steps(&steps[i]) {
            let mut v = steps.to_vec();
            v[i] = simpler;
            out.push(v);
        }
    }
    out
}

/// Simpler versions of one step.
fn simpler_steps(step: &StepSpec) -> Vec<StepSpec> {
    match step {
        StepSpec::Parallel(calls) => simpler_parallel(calls),
        StepSpec::Call(c) => simpler_call(c),
        StepSpec::Work(d, slope) => simpler_work(d, *slope),
    }
}

/// A parallel step: its first call alone, then (if it has more than one call) each call
/// dropped.
fn simpler_parallel(calls: &[CallSpec]) -> Vec<StepSpec> {
    let mut out = vec![StepSpec::Call(calls[0].clone())];
    for j in 0..calls.len() {
        if calls.len() > 1 {
            let mut cs = calls.to_vec();
            cs.remove(j);
            out.push(StepSpec::Parallel(cs));
        }
    }
    out
}

/// A call: without its policy, then without its `required` key.
fn simpler_call(c: &CallSpec) -> Vec<StepSpec> {
    [
        CallSpec {
            policy: None,
            ..c.clone()
        },
        CallSpec {
            required: None,
            ..c.clone()
        },
    ]
    .into_iter()
    .map(StepSpec::Call)
    .collect()
}

/// A work step: a constant 1 ms, then (if it was not constant) a constant 10 ms, then the same
/// duration without its `slope`.
fn simpler_work(d: &DistSpec, slope: Option<Dur>) -> Vec<StepSpec> {
    let mut out = vec![StepSpec::Work(DistSpec::Const(Dur::ms(1)), slope)];
    if !matches!(d, DistSpec::Const(_)) {
        out.push(StepSpec::Work(DistSpec::Const(Dur::ms(10)), slope));
    }
    out.push(StepSpec::Work(d.clone(), None));
    out
}
