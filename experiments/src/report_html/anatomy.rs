//! The narrated anatomy ([`crate::narrate::narrate`]) as a two-column table: time, and what
//! happened, each line marked with the tone the timeline uses for it (bad: kills, lost requests,
//! faults starting, breakers opening; warn: saturation, failed probes, pods leaving the load
//! balancer; good: recoveries).

use std::fmt::Write as _;

use super::html::esc;

/// How a narrated line reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something broke.
    Bad,
    /// Something is under strain.
    Warn,
    /// Something recovered.
    Good,
    /// Neutral information.
    Info,
    /// A folded repetition or a note.
    Fold,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Bad => "bad",
            Tone::Warn => "warn",
            Tone::Good => "good",
            Tone::Info => "info",
            Tone::Fold => "fold",
        }
    }
}

/// The tone of a narrated line's words.
pub fn tone(text: &str) -> Tone {
    let has = |w: &str| text.contains(w);
    if text.starts_with('…') {
        Tone::Fold
    } else if has("killed") || has("requests lost") || has("fault starts") || has("→ open") || has("deleted")
    {
        Tone::Bad
    } else if has("probe failed")
        || has(" saturated")
        || has("not ready")
        || has("removed from")
        || has(" full:")
        || has("→ half-open")
    {
        Tone::Warn
    } else if has(" ready")
        || has("container started")
        || has("added to")
        || has("has room")
        || has("free permit")
        || has("fault ends")
        || has("→ closed")
    {
        Tone::Good
    } else {
        Tone::Info
    }
}

/// Splits a narrated line into its time (`"25.000 s"`) and its words.
pub fn split(line: &str) -> (Option<String>, String) {
    if let Some(rest) = line.strip_prefix("t=")
        && let Some((t, words)) = rest.split_once("s  ")
    {
        let t = t.trim();
        if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
            return (Some(format!("{t} s")), words.trim().to_string());
        }
    }
    (None, line.trim().to_string())
}

/// Writes the anatomy section body.
pub fn write(out: &mut String, lines: &[String]) {
    if lines.is_empty() {
        out.push_str("<p>Nothing notable happened: no faults, kills, saturation or breaker changes.</p>\n");
        return;
    }
    out.push_str(
        "<div class=\"table-wrap\"><table class=\"anatomy\">\n<thead><tr><th scope=\"col\" class=\"num\">time</th>\
         <th scope=\"col\"><span class=\"sr\">tone</span></th><th scope=\"col\">what happened</th></tr></thead>\n<tbody>\n",
    );
    for line in lines {
        let (t, words) = split(line);
        let tone = tone(&words);
        let _ = writeln!(
            out,
            "<tr class=\"{c}\"><td class=\"num\">{}</td><td class=\"tone\"><span class=\"dot {c}\"></span></td><td>{}</td></tr>",
            esc(t.as_deref().unwrap_or("")),
            esc(&words),
            c = tone.class()
        );
    }
    out.push_str("</tbody></table></div>\n");
    out.push_str(
        "<p class=\"note\"><span class=\"dot bad\"></span> broke \
         <span class=\"dot warn\"></span> under strain \
         <span class=\"dot good\"></span> recovered \
         <span class=\"dot info\"></span> information · folded lines (…) stand for repetitions of the \
         lines above them.</p>\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_times_and_folds() {
        assert_eq!(
            split("t=  25.000s  upload-0 ready"),
            (Some("25.000 s".into()), "upload-0 ready".into())
        );
        assert_eq!(
            split("           … repeated 2 more times until t=3.000s"),
            (None, "… repeated 2 more times until t=3.000s".into())
        );
    }

    #[test]
    fn tones_follow_the_words() {
        assert_eq!(
            tone("upload-0 container killed (liveness failed), 50 requests lost"),
            Tone::Bad
        );
        assert_eq!(tone("upload-0 not ready"), Tone::Warn);
        assert_eq!(tone("upload-0 ready"), Tone::Good);
        assert_eq!(tone("breaker a→b at c: closed → open (failures)"), Tone::Bad);
        assert_eq!(tone("breaker a→b at c: open → half-open (timer)"), Tone::Warn);
        assert_eq!(tone("150 uploaders users start calling upload"), Tone::Info);
        assert_eq!(tone("… repeated 3 more times until t=9.000s"), Tone::Fold);
    }
}
