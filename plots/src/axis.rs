//! Value ranges, pixel mapping, tick positions and tick labels.
//!
//! Everything here is plain arithmetic on finite `f64`s with stable formatting (fixed decimals),
//! so the same data always gives the same ticks and labels.

/// Largest magnitude accepted for plotted values; larger finite values are clamped to it so
/// that ranges and their differences stay finite.
pub(crate) const MAX_ABS: f64 = 1e300;

/// A value if it is finite (clamped to ±[`MAX_ABS`]), `None` for NaN and infinities.
pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then(|| v.clamp(-MAX_ABS, MAX_ABS))
}

/// 10^k by repeated multiplication (exact for small k, identical on every platform).
pub(crate) fn pow10(k: i32) -> f64 {
    let mut v = 1.0;
    if k >= 0 {
        for _ in 0..k.min(308) {
            v *= 10.0;
        }
    } else {
        for _ in 0..(-k).min(323) {
            v /= 10.0;
        }
    }
    v
}

/// floor(log10(v)) for a positive finite v, computed without the platform's log.
pub(crate) fn exponent(v: f64) -> i32 {
    if !(v.is_finite() && v > 0.0) {
        return 0;
    }
    let mut k = 0;
    let mut x = v;
    while x >= 10.0 && k < 400 {
        x /= 10.0;
        k += 1;
    }
    while x < 1.0 && k > -400 {
        x *= 10.0;
        k -= 1;
    }
    k
}

/// A mapping from values to pixels along one axis.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    /// Value at pixel `p0` (for log scales, the decade exponent).
    lo: f64,
    /// Value at pixel `p1` (for log scales, the decade exponent).
    hi: f64,
    log: bool,
    p0: f64,
    p1: f64,
}

impl Scale {
    /// A linear scale; `lo < hi` must hold (ranges built here guarantee it).
    pub(crate) fn linear(lo: f64, hi: f64, p0: i32, p1: i32) -> Self {
        Scale {
            lo,
            hi,
            log: false,
            p0: f64::from(p0),
            p1: f64::from(p1),
        }
    }

    /// A logarithmic scale from 10^`lo_exp` to 10^`hi_exp`.
    pub(crate) fn log(lo_exp: f64, hi_exp: f64, p0: i32, p1: i32) -> Self {
        Scale {
            lo: lo_exp,
            hi: hi_exp,
            log: true,
            p0: f64::from(p0),
            p1: f64::from(p1),
        }
    }

    /// Whether `v` can be placed on this scale (finite, and positive on a log scale).
    pub(crate) fn accepts(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }

    /// Pixel position of `v` as f64 (values outside the range extrapolate).
    pub(crate) fn pos(&self, v: f64) -> f64 {
        let v = v.clamp(-MAX_ABS, MAX_ABS);
        let u = if self.log {
            v.max(f64::MIN_POSITIVE).log10()
        } else {
            v
        };
        let span = self.hi - self.lo;
        let f = if span > 0.0 && span.is_finite() {
            (u - self.lo) / span
        } else {
            0.5
        };
        self.p0 + f * (self.p1 - self.p0)
    }

    /// Pixel position of `v`, clamped into the scale's pixel range and rounded.
    pub(crate) fn px(&self, v: f64) -> i32 {
        let (a, b) = if self.p0 <= self.p1 {
            (self.p0, self.p1)
        } else {
            (self.p1, self.p0)
        };
        let p = self.pos(v);
        let p = if p.is_finite() { p.clamp(a, b) } else { a };
        p.round() as i32
    }
}

/// Tick marks of an axis: labelled major ticks and unlabelled minor grid lines.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ticks {
    /// (value, label).
    pub(crate) major: Vec<(f64, String)>,
    /// Values of minor grid lines.
    pub(crate) minor: Vec<f64>,
}

/// A "nice" step (1, 2, 2.5 or 5 × 10^k) giving at most about `count` intervals over `span`.
fn nice_step(span: f64, count: usize) -> f64 {
    let raw = span / count.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = pow10(exponent(raw));
    let norm = raw / mag;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// A linear axis range that contains `lo..hi`, extended to whole steps, with its ticks.
/// Returns (nice_lo, nice_hi, ticks).
pub(crate) fn linear_axis(lo: f64, hi: f64, count: usize) -> (f64, f64, Ticks) {
    let (mut lo, mut hi) = (finite(lo).unwrap_or(0.0), finite(hi).unwrap_or(1.0));
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 || hi - lo <= f64::MIN_POSITIVE {
        // A flat range: open it around the value.
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        if lo >= 0.0 && lo - pad < 0.0 {
            lo = 0.0;
            hi += pad.max(1.0);
        } else {
            lo -= pad;
            hi += pad;
        }
    }
    let step = nice_step(hi - lo, count);
    let k0 = (lo / step).floor();
    let k1 = (hi / step).ceil();
    let (nlo, nhi) = (k0 * step, k1 * step);
    let (nlo, nhi) = if nlo.is_finite() && nhi.is_finite() && nhi > nlo {
        (nlo, nhi)
    } else {
        (lo, hi)
    };
    let fmt = LinearFormat::new(nlo, nhi, step);
    let mut ticks = Ticks::default();
    let n = ((k1 - k0).max(0.0) as usize).min(100);
    for i in 0..=n {
        let v = (k0 + i as f64) * step;
        if v.is_finite() {
            ticks.major.push((v, fmt.label(v)));
        }
    }
    (nlo, nhi, ticks)
}

/// Decade exponents covering `lo..hi` (both positive), with ticks: decades labelled, and
/// 2× and 5× labelled too when the range spans at most `dense_decades` decades.
pub(crate) fn log_axis(lo: f64, hi: f64, dense_decades: i32) -> (i32, i32, Ticks) {
    let lo = if lo.is_finite() && lo > 0.0 { lo } else { 1.0 };
    let hi = if hi.is_finite() && hi >= lo { hi } else { lo * 10.0 };
    let e0 = exponent(lo).clamp(-300, 299);
    let mut e1 = exponent(hi);
    if pow10(e1) < hi {
        e1 += 1;
    }
    let e1 = e1.clamp(e0 + 1, 300);
    let decades = e1 - e0;
    let stride = (decades + 7) / 8; // at most 8 labelled decades
    let mut ticks = Ticks::default();
    for e in e0..=e1 {
        let v = pow10(e);
        if (e - e0) % stride == 0 {
            ticks.major.push((v, log_label(v, e)));
        } else {
            ticks.minor.push(v);
        }
        if e < e1 && decades <= 4 {
            for m in 2..10 {
                let mv = f64::from(m) * v;
                if decades <= dense_decades && (m == 2 || m == 5) {
                    ticks.major.push((mv, log_label(mv, e)));
                } else {
                    ticks.minor.push(mv);
                }
            }
        }
    }
    (e0, e1, ticks)
}

/// Label of a tick on a log axis: plain numbers from 0.0001 to 9999, then k/M/G/T, then 1e15.
fn log_label(v: f64, e: i32) -> String {
    if (-4..3).contains(&e) {
        fixed(v, (-e).max(0) as usize)
    } else if (3..15).contains(&e) {
        let (unit, suffix) = si_unit(v);
        format!("{}{}", fixed(v / unit, 0), suffix)
    } else {
        format!("{:.0e}", v)
    }
}

/// Thousands unit for a magnitude: (divisor, suffix).
fn si_unit(max_abs: f64) -> (f64, &'static str) {
    if max_abs >= 1e12 {
        (1e12, "T")
    } else if max_abs >= 1e9 {
        (1e9, "G")
    } else if max_abs >= 1e6 {
        (1e6, "M")
    } else {
        (1e3, "k")
    }
}

/// Fixed-point formatting without a negative zero.
pub(crate) fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals.min(20), v);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Decimals needed to write multiples of `step` exactly (at most 12).
fn decimals_for(step: f64) -> usize {
    for d in 0..12 {
        let m = step * pow10(d as i32);
        if (m - m.round()).abs() < 1e-6 * m.abs().max(1.0) {
            return d;
        }
    }
    12
}

/// How the ticks of one linear axis are written: all with the same unit and decimals.
struct LinearFormat {
    unit: f64,
    suffix: &'static str,
    decimals: usize,
    scientific: bool,
}

impl LinearFormat {
    fn new(lo: f64, hi: f64, step: f64) -> Self {
        let max_abs = lo.abs().max(hi.abs());
        if max_abs >= 1e15 || (max_abs > 0.0 && max_abs < 1e-4) {
            return LinearFormat {
                unit: 1.0,
                suffix: "",
                decimals: 1,
                scientific: true,
            };
        }
        if max_abs >= 1e4 {
            let (unit, suffix) = si_unit(max_abs);
            return LinearFormat {
                unit,
                suffix,
                decimals: decimals_for(step / unit),
                scientific: false,
            };
        }
        LinearFormat {
            unit: 1.0,
            suffix: "",
            decimals: decimals_for(step),
            scientific: false,
        }
    }

    fn label(&self, v: f64) -> String {
        if v == 0.0 {
            return "0".to_string();
        }
        if self.scientific {
            return format!("{:.*e}", self.decimals, v);
        }
        format!("{}{}", fixed(v / self.unit, self.decimals), self.suffix)
    }
}

/// Writes the values of one chart (heatmap cells) with the same number of decimals: about three
/// significant digits for the largest magnitude `max_abs`.
pub(crate) fn uniform_number(v: f64, max_abs: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if !(1e-3..1e4).contains(&max_abs) {
        return short_number(v);
    }
    let d = if max_abs >= 100.0 {
        0
    } else if max_abs >= 10.0 {
        1
    } else if max_abs >= 1.0 {
        2
    } else {
        3
    };
    fixed(v, d)
}

/// A value written with about three significant digits (heatmap cells, reference lines).
pub(crate) fn short_number(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    if a >= 1e15 || (a > 0.0 && a < 1e-3) {
        return format!("{:.2e}", v);
    }
    if a >= 1e4 {
        let (unit, suffix) = si_unit(a);
        let s = v / unit;
        let d = if s.abs() >= 100.0 {
            0
        } else if s.abs() >= 10.0 {
            1
        } else {
            2
        };
        return format!("{}{}", trim_zeros(fixed(s, d)), suffix);
    }
    let d = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        3
    };
    trim_zeros(fixed(v, d))
}

/// Drops trailing zeros after the decimal point ("2.50" -> "2.5", "3.00" -> "3").
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &Ticks) -> Vec<&str> {
        t.major.iter().map(|(_, s)| s.as_str()).collect()
    }

    #[test]
    fn linear_ticks_are_nice() {
        let (lo, hi, t) = linear_axis(0.0, 117.0, 6);
        assert_eq!((lo, hi), (0.0, 120.0));
        assert_eq!(labels(&t), ["0", "20", "40", "60", "80", "100", "120"]);
        let (_, _, t) = linear_axis(0.0, 0.35, 4);
        assert_eq!(labels(&t), ["0", "0.1", "0.2", "0.3", "0.4"]);
        let (_, _, t) = linear_axis(0.0, 25_000.0, 5);
        assert_eq!(labels(&t), ["0", "5k", "10k", "15k", "20k", "25k"]);
        let (_, _, t) = linear_axis(-3.0, 3.0, 6);
        assert_eq!(labels(&t), ["-3", "-2", "-1", "0", "1", "2", "3"]);
    }

    #[test]
    fn flat_and_invalid_ranges_open_up() {
        let (lo, hi, t) = linear_axis(0.0, 0.0, 5);
        assert!(hi > lo && !t.major.is_empty());
        let (lo, hi, _) = linear_axis(f64::NAN, f64::INFINITY, 5);
        assert!(hi > lo);
        let (lo, hi, _) = linear_axis(-1e300, 1e300, 5);
        assert!(lo.is_finite() && hi.is_finite() && hi > lo);
        let (lo, hi, _) = linear_axis(7.0, 7.0, 5);
        assert!(lo <= 7.0 && hi > 7.0);
    }

    #[test]
    fn log_ticks_are_decades() {
        let (e0, e1, t) = log_axis(3.0, 4000.0, 2);
        assert_eq!((e0, e1), (0, 4));
        assert_eq!(labels(&t), ["1", "10", "100", "1k", "10k"]);
        let (_, _, t) = log_axis(3.0, 4e6, 2);
        assert_eq!(labels(&t), ["1", "10", "100", "1k", "10k", "100k", "1M", "10M"]);
        let (_, _, t) = log_axis(0.02, 0.9, 2);
        assert_eq!(labels(&t), ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]);
    }

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(short_number(0.5), "0.5");
        assert_eq!(short_number(12.345), "12.3");
        assert_eq!(short_number(1234.0), "1234");
        assert_eq!(short_number(45_678.0), "45.7k");
        assert_eq!(short_number(10_000.0), "10k");
        assert_eq!(short_number(-0.0), "0");
        assert_eq!(fixed(-0.0001, 2), "0.00");
    }
}
