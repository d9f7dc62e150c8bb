//! Durations with units, parsed exactly to integer nanoseconds.
//!
//! A duration is one or more `<number><unit>` parts with units in decreasing order: `"15s"`,
//! `"200ms"`, `"1m30s"`, `"1.5s"`, `"250us"` (or `"250µs"`), `"10ns"`, `"2h"`. Units: `h`, `m`,
//! `s`, `ms`, `us`/`µs`, `ns`. A number is digits with an optional decimal fraction (`"0.5s"`,
//! `".5s"`); the value must be a whole number of nanoseconds (`"1.5ns"` is refused rather than
//! rounded). A bare number (`"15"`) is an error whose message gives both likely readings
//! (`"15ms"` or `"15s"`), never a guess; a sign (`"-5s"`), spaces and unknown units are errors. No
//! floating point is involved: integer and fraction are exact integer arithmetic.

use sim_core::time::SimDuration;

const UNITS: &str = "h, m, s, ms, us (or µs), ns";

/// Parses a duration such as `"1m30s"` or `"1.5s"` (see the module docs). The error says what is
/// wrong, e.g. `"15": missing unit (one of h, m, s, ms, us (or µs), ns): did you mean "15ms" or
/// "15s"?`.
pub fn parse_duration(text: &str) -> Result<SimDuration, String> {
    duration_problem(text).map_err(|why| format!("{}: {why}", super::tree::quote(text)))
}

/// Parses a duration, or `"none"` (wait forever) as `None`.
pub fn parse_timeout(text: &str) -> Result<Option<SimDuration>, String> {
    if text == "none" {
        Ok(None)
    } else {
        parse_duration(text).map(Some)
    }
}

/// The duration, or what is wrong with it (without repeating the text).
pub(crate) fn duration_problem(text: &str) -> Result<SimDuration, String> {
    if text.is_empty() {
        return Err("empty".to_string());
    }
    if text.starts_with('-') {
        return Err("negative".to_string());
    }
    if text.starts_with('+') {
        return Err("a duration takes no sign".to_string());
    }
    let mut rest = text;
    let mut total: u64 = 0;
    let mut last_rank: Option<usize> = None;
    while !rest.is_empty() {
        let (int_part, frac_part, after_number) = split_number(rest)?;
        let unit_len: usize = after_number
            .chars()
            .take_while(|c| c.is_alphabetic())
            .map(char::len_utf8)
            .sum();
        let unit = &after_number[..unit_len];
        rest = &after_number[unit_len..];
        if unit.is_empty() {
            return Err(match rest.chars().next() {
                None if total == 0 && last_rank.is_none() => {
                    format!("missing unit (one of {UNITS}): {}", both_readings(text))
                }
                None => format!("missing unit after the last number (one of {UNITS})"),
                Some(c) => format!("unexpected {c:?}"),
            });
        }
        let (unit_nanos, rank) = unit_of(unit)?;
        if last_rank.is_some_and(|r| r >= rank) {
            return Err("units must go from larger to smaller, each once, as in \"1m30s\"".to_string());
        }
        last_rank = Some(rank);
        let nanos = part_nanos(int_part, frac_part, unit_nanos)?;
        total = total.checked_add(nanos).ok_or_else(too_large)?;
    }
    Ok(SimDuration::from_nanos(total))
}

/// The hint for a number written without a unit: both common readings, never a guess
/// (`"200"` is as likely 200 ms as 200 s): `did you mean "200ms" or "200s"?`.
pub(crate) fn both_readings(number: &str) -> String {
    format!("did you mean \"{number}ms\" or \"{number}s\"?")
}

/// Splits the number at the start of `text` into its integer digits, its fraction digits (after
/// a decimal point) and the rest of the text; either part may be empty, not both.
fn split_number(text: &str) -> Result<(&str, &str, &str), String> {
    let int_len = text.bytes().take_while(u8::is_ascii_digit).count();
    let int_part = &text[..int_len];
    let mut rest = &text[int_len..];
    let mut frac_part = "";
    if let Some(after) = rest.strip_prefix('.') {
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err("a decimal point must be followed by digits".to_string());
        }
        frac_part = &after[..n];
        rest = &after[n..];
    }
    if int_part.is_empty() && frac_part.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        return Err(format!("expected a number, found {c:?}"));
    }
    Ok((int_part, frac_part, rest))
}

/// A unit's length in nanoseconds and its rank (0 for hours, the largest, to 5 for nanoseconds).
fn unit_of(unit: &str) -> Result<(u64, usize), String> {
    match unit {
        "h" => Ok((3_600_000_000_000, 0)),
        "m" => Ok((60_000_000_000, 1)),
        "s" => Ok((1_000_000_000, 2)),
        "ms" => Ok((1_000_000, 3)),
        "us" | "µs" | "μs" => Ok((1_000, 4)),
        "ns" => Ok((1, 5)),
        _ => Err(format!("unknown unit `{unit}` (use {UNITS})")),
    }
}

/// The nanoseconds of one part, `int_part.frac_part` units of `unit_nanos` ns each, computed
/// exactly; an error if it overflows or is not a whole number of nanoseconds.
fn part_nanos(int_part: &str, frac_part: &str, unit_nanos: u64) -> Result<u64, String> {
    let mut whole: u64 = 0;
    for d in int_part.bytes() {
        whole = whole
            .checked_mul(10)
            .and_then(|w| w.checked_add(u64::from(d - b'0')))
            .ok_or_else(too_large)?;
    }
    let mut nanos = whole.checked_mul(unit_nanos).ok_or_else(too_large)?;
    let frac = frac_part.trim_end_matches('0');
    if !frac.is_empty() {
        if frac.len() > 24 {
            return Err("more precise than a nanosecond".to_string());
        }
        let numerator: u128 = frac.parse::<u128>().map_err(|_| "bad fraction".to_string())?;
        let scaled = numerator * u128::from(unit_nanos);
        let denominator = 10u128.pow(frac.len() as u32);
        if !scaled.is_multiple_of(denominator) {
            return Err("more precise than a nanosecond".to_string());
        }
        let extra = u64::try_from(scaled / denominator).map_err(|_| too_large())?;
        nanos = nanos.checked_add(extra).ok_or_else(too_large)?;
    }
    Ok(nanos)
}

/// The error for a duration beyond `u64` nanoseconds.
fn too_large() -> String {
    "too large (the longest is about 584 years)".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(text: &str) -> u64 {
        parse_duration(text).unwrap().as_nanos()
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(ns("1.5s"), 1_500_000_000);
        assert_eq!(ns("1m30s"), 90_000_000_000);
        assert_eq!(ns("250us"), 250_000);
        assert_eq!(ns("250µs"), 250_000);
        assert_eq!(ns("10ns"), 10);
        assert_eq!(ns("2h"), 7_200_000_000_000);
        assert_eq!(ns("200ms"), 200_000_000);
        assert_eq!(ns("15s"), 15_000_000_000);
        assert_eq!(ns("0s"), 0);
        assert_eq!(ns(".5s"), 500_000_000);
        assert_eq!(ns("0.1s"), 100_000_000);
        assert_eq!(ns("1.000000001s"), 1_000_000_001);
        assert_eq!(ns("1.5000000000000000000000000000s"), 1_500_000_000);
        assert_eq!(ns("1h2m3s4ms5us6ns"), 3_723_004_005_006);
        assert_eq!(ns("0.001h"), 3_600_000_000);
        assert_eq!(ns("18446744073709551615ns"), u64::MAX);
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "15",
            "-5s",
            "5 parsecs",
            "",
            "s",
            "1.s",
            "5parsecs",
            "+5s",
            "1s1s",
            "30s1m",
            "1.5ns",
            " 1s",
            "1s ",
            "18446744073709551616ns",
            "600000000000h",
            "1e3s",
            "0",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse_duration("15").unwrap_err(),
            "\"15\": missing unit (one of h, m, s, ms, us (or µs), ns): did you mean \"15ms\" or \"15s\"?"
        );
        assert!(
            parse_duration("0.5")
                .unwrap_err()
                .ends_with("did you mean \"0.5ms\" or \"0.5s\"?")
        );
        assert!(parse_duration("-5s").unwrap_err().contains("negative"));
        assert!(
            parse_duration("5 parsecs")
                .unwrap_err()
                .contains("unexpected ' '")
        );
        assert!(
            parse_duration("5parsecs")
                .unwrap_err()
                .contains("unknown unit `parsecs`")
        );
    }

    #[test]
    fn timeouts_accept_none() {
        assert_eq!(parse_timeout("none"), Ok(None));
        assert_eq!(parse_timeout("5s"), Ok(Some(SimDuration::from_secs(5))));
        assert!(parse_timeout("never").is_err());
    }
}
