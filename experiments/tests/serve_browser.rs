//! `meshsim serve` end to end in a real browser: the binary serves on a free port, and
//! `tests/browser/serve.mjs` (playwright-core, pinned in `tests/browser/package-lock.json`)
//! drives Debian's chromium headless: it opens the page, changes the herd's backoff select and
//! checks that the timeline and the outcome table change, that the URL reproduces the view, that
//! a bad value shows the CLI's message next to its field, and that the catalog's cascade pair
//! shows two timelines and a diff; it measures the cascade's `policies.naive.timeouts.attempt`
//! change from request to response. Screenshots go to `target/serve-e2e/`.
//!
//! Needs `node`, chromium (`$MESHSIM_CHROMIUM`, `/usr/bin/chromium`, or on the `PATH`) and
//! `npm ci` run in `experiments/tests/browser` (as `.ci/run` does). Without them the test is
//! skipped with a message, except under `CI=true`, where that is a failure.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod common;
use common::MESHSIM;

/// Hang guard for the whole browser script.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(300);

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MESHSIM_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Some(debian);
    }
    on_path("chromium").or_else(|| on_path("chromium-browser"))
}

/// The browser test's directory (package.json, the lock file, serve.mjs).
fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// node, chromium, and playwright-core installed; or `None` to skip (a failure under CI=true).
fn tools_or_skip() -> Option<(PathBuf, PathBuf)> {
    let node = on_path("node");
    let chromium = find_chromium();
    let playwright = browser_dir()
        .join("node_modules/playwright-core/package.json")
        .is_file();
    let missing: Vec<&str> = [
        (node.is_none(), "node (apt-get install nodejs npm)"),
        (chromium.is_none(), "chromium (apt-get install chromium)"),
        (
            !playwright,
            "playwright-core (npm ci --prefix experiments/tests/browser)",
        ),
    ]
    .into_iter()
    .filter_map(|(m, what)| m.then_some(what))
    .collect();
    if missing.is_empty() {
        return Some((node?, chromium?));
    }
    let what = missing.join(", ");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and the serve browser test cannot run: missing {what} (.ci/run installs them)");
    }
    eprintln!("skipping the serve browser test: missing {what}");
    None
}

/// The server, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `meshsim serve --port 0` and returns it with the URL it printed.
fn start_server() -> (Server, String) {
    let mut child = Command::new(MESHSIM)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("meshsim serve starts");
    let stdout = child.stdout.take().expect("piped");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("its first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    (server, url)
}

#[test]
fn the_page_reruns_compares_and_keeps_serving_in_chromium() {
    let Some((node, chromium)) = tools_or_skip() else {
        return;
    };
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/serve-e2e");
    std::fs::create_dir_all(&shots).unwrap();
    let (_server, url) = start_server();
    let mut script = Command::new(node)
        .arg(browser_dir().join("serve.mjs"))
        .arg(&url)
        .arg(&shots)
        .arg(&chromium)
        .current_dir(browser_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    // Polled every 100 ms: a count of polls rather than the wall clock, which clippy.toml bans.
    let mut status = None;
    for _ in 0..SCRIPT_TIMEOUT.as_millis() / 100 {
        status = script.try_wait().expect("wait");
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if status.is_none() {
        let _ = script.kill();
    }
    let out = script.wait_with_output().expect("its output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        status.is_some_and(|s| s.success()),
        "the browser script failed ({status:?}):\n{stdout}\n{stderr}"
    );
    // The measurements, for the log (`cargo test -- --nocapture`).
    eprintln!("serve e2e measurements: {}", stdout.trim());
    for shot in [
        "serve-herd-full-jitter.png",
        "serve-ab-cascade.png",
        "serve-cascade-invalid.png",
    ] {
        let meta = std::fs::metadata(shots.join(shot)).unwrap_or_else(|e| panic!("{shot}: {e}"));
        assert!(meta.len() > 10_000, "{shot} is {} bytes: blank?", meta.len());
    }
}

/// A SCENARIO that is neither a file, a directory nor a builtin is bad input (exit 2), before
/// anything listens.
#[test]
fn serve_refuses_an_unknown_scenario() {
    let o = Command::new(MESHSIM)
        .args(["serve", "no-such-scenario", "--port", "0"])
        .output()
        .expect("meshsim runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no scenario file, directory or builtin called `no-such-scenario`"),
        "{err}"
    );
}
