//! Random byte mutations of the cascade file never panic the loader: it returns Ok or Err.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{CASCADE, load_text, load_with};

/// Marsaglia's xorshift64: small, deterministic, no crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that make interesting TOML when dropped in.
const INTERESTING: &[u8] = b"=[]{}\",.#'\n -0123456789.sm_eE+\\\t";

fn mutate(rng: &mut XorShift, bytes: &mut Vec<u8>) {
    let pos = rng.below(bytes.len() + 1);
    match rng.below(6) {
        0 if pos < bytes.len() => bytes[pos] = rng.next() as u8,
        1 if pos < bytes.len() => bytes[pos] = INTERESTING[rng.below(INTERESTING.len())],
        2 if pos < bytes.len() => {
            let len = rng.below(16).min(bytes.len() - pos);
            bytes.drain(pos..pos + len);
        }
        3 => bytes.insert(pos, INTERESTING[rng.below(INTERESTING.len())]),
        4 => {
            let from = rng.below(bytes.len());
            let len = rng.below(40).min(bytes.len() - from);
            let chunk: Vec<u8> = bytes[from..from + len].to_vec();
            bytes.splice(pos..pos, chunk);
        }
        _ if pos < bytes.len() => {
            // Replace a digit with a large or negative number.
            let digits: &[u8] =
                [&b"-1"[..], b"0", b"99999999999999999999", b"4294967296", b"1e308"][rng.below(5)];
            bytes.splice(pos..pos + 1, digits.iter().copied());
        }
        _ => bytes.push(b'\n'),
    }
}

#[test]
fn mutated_files_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut err) = (0, 0);
    for round in 0..2_000 {
        let mut bytes = CASCADE.as_bytes().to_vec();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut bytes);
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let result = catch_unwind(AssertUnwindSafe(|| match load_text(&text) {
            Ok(_) => true,
            Err(e) => {
                let _ = e.to_string();
                false
            }
        }));
        match result {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => panic!("round {round}: the loader panicked on:\n{text}"),
        }
    }
    // Both outcomes occur, so the mutations are neither all fatal nor all harmless.
    assert!(ok > 0 && err > 0, "ok {ok}, err {err}");
}

#[test]
fn random_overrides_never_panic() {
    let mut rng = XorShift(12345);
    let paths = [
        "services.upload.replicas",
        "services[1].steps[0].work",
        "policies.naive.retry",
        "faults[0]",
        "clients.uploaders.load.schedule",
        "duration",
        "services.upload.liveness.handler",
        "limits.max_events",
    ];
    let values = [
        "3",
        "-1",
        "\"none\"",
        "{ kind = \"grpc\" }",
        "[1, 2]",
        "1s",
        "{}",
        "[]",
        "[{ call = \"upload\" }]",
        "1e400",
        "nan",
        "inf",
        "2024-01-01",
        "\"",
        "{ dist = \"mixture\", of = [] }",
    ];
    for _ in 0..500 {
        let set = format!(
            "{}={}",
            paths[rng.below(paths.len())],
            values[rng.below(values.len())]
        );
        let result = catch_unwind(|| {
            if let Err(e) = load_with(CASCADE, &[set.as_str()]) {
                let _ = e.to_string();
            }
        });
        assert!(result.is_ok(), "panicked on --set {set}");
    }
}
