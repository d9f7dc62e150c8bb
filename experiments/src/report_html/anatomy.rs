//! The whole narrated anatomy ([`crate::narrate::anatomy`], its full view) as a two-column table: time, and
//! what happened, each line marked with the tone narrate gives it from what was logged (bad:
//! kills, lost requests, faults starting, breakers opening; warn: saturation, failed probes,
//! pods leaving the load balancer, breakers half-open; good: recoveries).

use std::fmt::Write as _;

use super::html::esc;
use crate::narrate::{Line, Tone};

/// The CSS class of a tone.
fn class(tone: Tone) -> &'static str {
    match tone {
        Tone::Bad => "bad",
        Tone::Warn => "warn",
        Tone::Good => "good",
        Tone::Info => "info",
        Tone::Fold => "fold",
    }
}

/// One row: the time (none for folds and notes), the tone's dot, the words.
fn row(out: &mut String, t: Option<f64>, tone: Tone, words: &str) {
    let t = t.map(|t| format!("{t:.3} s")).unwrap_or_default();
    let _ = writeln!(
        out,
        "<tr class=\"{c}\"><td class=\"num\">{}</td><td class=\"tone\"><span class=\"dot {c}\"></span></td><td>{}</td></tr>",
        esc(&t),
        esc(words),
        c = class(tone)
    );
}

/// Writes the anatomy section body.
pub fn write(out: &mut String, lines: &[Line], notes: &[String]) {
    if lines.is_empty() && notes.is_empty() {
        out.push_str("<p>Nothing notable happened: no faults, kills, saturation or breaker changes.</p>\n");
        return;
    }
    out.push_str(
        "<div class=\"table-wrap\"><table class=\"anatomy\">\n<thead><tr><th scope=\"col\" class=\"num\">time</th>\
         <th scope=\"col\"><span class=\"sr\">tone</span></th><th scope=\"col\">what happened</th></tr></thead>\n<tbody>\n",
    );
    for line in lines {
        row(out, Some(line.t), line.tone, &line.text);
    }
    for note in notes {
        row(out, None, Tone::Fold, note);
    }
    out.push_str("</tbody></table></div>\n");
    out.push_str(
        "<p class=\"note\"><span class=\"dot bad\"></span> broke \
         <span class=\"dot warn\"></span> under strain \
         <span class=\"dot good\"></span> recovered \
         <span class=\"dot info\"></span> information · lines marked … are notes.</p>\n",
    );
}
