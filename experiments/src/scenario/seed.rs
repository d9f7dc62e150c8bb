//! Seeds: one range everywhere, every `u64`.
//!
//! TOML integers stop at 2^63 − 1, but a seed is a `u64` (`--seed` takes any, and a sweep
//! derives its replications' seeds over the whole range). So a `seed` key (a scenario's, a sweep
//! file's, or `--set seed=...`) accepts an integer from 0 to 2^64 − 1 (beyond 2^63 − 1 meshsim
//! reads the literal although it is outside TOML's range), or a string holding one in decimal
//! (`"18446744073709551615"`) or hexadecimal (`"0xffffffffffffffff"`); and meshsim writes a
//! seed of 2^63 or more as a decimal string ([`seed_toml`]), so everything it writes is TOML and
//! every seed it prints can be given back to `--seed` or `--set seed=`.

use super::reader::{Item, Result};
use super::tree::Value;

/// What a seed must be, for messages.
pub const SEED_EXPECTED: &str = "a seed: an integer from 0 to 18446744073709551615 (2^64 - 1), or a string holding one in decimal or in hexadecimal (\"0x...\")";

/// Parses a seed written in decimal or in hexadecimal with `0x`: `None` if it is neither or is
/// larger than `u64::MAX`.
pub fn parse_seed(text: &str) -> Option<u64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u64::from_str_radix(hex, 16).ok()
        }
        Some(_) => None,
        None if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t.parse().ok(),
        None => None,
    }
}

/// `seed` as a TOML value: an integer below 2^63, a decimal string from there on.
pub fn seed_toml(seed: u64) -> String {
    if i64::try_from(seed).is_ok() {
        seed.to_string()
    } else {
        format!("\"{seed}\"")
    }
}

impl Item<'_> {
    /// A seed (see the module documentation).
    pub fn as_seed(&self) -> Result<u64> {
        let parsed = match &self.node.value {
            Value::Int(i) => u64::try_from(*i).ok(),
            Value::BigInt(s) | Value::Str(s) => parse_seed(s),
            _ => return Err(self.type_error(SEED_EXPECTED)),
        };
        parsed.ok_or_else(|| self.value_error(SEED_EXPECTED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_u64_reads_back_from_what_meshsim_writes() {
        for seed in [0, 1, i64::MAX as u64, 1 << 63, u64::MAX] {
            assert_eq!(parse_seed(seed_toml(seed).trim_matches('"')), Some(seed));
        }
        assert_eq!(seed_toml(i64::MAX as u64), "9223372036854775807");
        assert_eq!(seed_toml(1 << 63), "\"9223372036854775808\"");
        assert_eq!(parse_seed("0xFFFFFFFFFFFFFFFF"), Some(u64::MAX));
        for bad in ["", "-1", "18446744073709551616", "0x", "0x1g", "1e3", "+5"] {
            assert_eq!(parse_seed(bad), None, "{bad}");
        }
    }
}
