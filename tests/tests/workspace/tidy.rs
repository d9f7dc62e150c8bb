//! Tidy rules checked over the repository's own source text, the way `clippy.toml` bans clocks
//! and hash maps: every Rust source file opens with a `//!` module doc (ARCHITECTURE.md asks for
//! one on every module); `sim-core` and `models` call no `f64` transcendental method (`.ln()`,
//! `.exp()`, `.powf()`, `.sqrt()`...) outside their integration tests: the standard library's
//! may differ between platforms and compiler versions, so they use `libm`, whose results are
//! the same everywhere (ARCHITECTURE.md, "Architecture invariants"); and no file includes
//! another crate's source with `#[path]` (ARCHITECTURE.md, "Tests").

use std::path::{Component, Path, PathBuf};

/// The workspace's crates, and the Python module's crate (its own cargo workspace), whose Rust
/// files the module-doc rule covers.
const CRATES: [&str; 6] = ["sim-core", "models", "plots", "experiments", "tests", "python"];

/// The crates that must use `libm` for transcendental math.
const LIBM_CRATES: [&str; 2] = ["sim-core", "models"];

/// Their integration tests, which may use `f64`'s methods: they compute the values a run is
/// checked against, within tolerances, and are not part of any result.
const LIBM_EXEMPT: [&str; 2] = ["sim-core/tests", "models/tests"];

/// `f64` methods computed by the platform's math library (or an LLVM intrinsic lowered to it).
const TRANSCENDENTAL: [&str; 24] = [
    "ln", "ln_1p", "log", "log2", "log10", "exp", "exp2", "exp_m1", "powf", "powi", "sqrt", "cbrt", "hypot",
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "sin_cos",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, sorted, skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files_of(crates: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for c in crates {
        rust_files(&root().join(c), &mut files);
    }
    assert!(
        files.len() > 50,
        "found only {} Rust files under {}",
        files.len(),
        root().display()
    );
    files
}

/// The calls `.name(` of a transcendental method on one line of code (comments removed).
fn transcendental_calls(line: &str) -> Vec<&'static str> {
    let code = line.split("//").next().unwrap_or("");
    TRANSCENDENTAL
        .iter()
        .filter(|name| {
            let call = format!(".{name}(");
            code.match_indices(&call).next().is_some()
        })
        .copied()
        .collect()
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let missing: Vec<String> = files_of(&CRATES)
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("readable source");
            !text.starts_with("//!")
        })
        .map(|f| f.strip_prefix(root()).unwrap_or(&f).display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "no `//!` module doc on the first line of: {missing:#?}"
    );
}

#[test]
fn sim_core_and_models_use_libm_for_transcendental_math() {
    let mut found = Vec::new();
    let exempt: Vec<PathBuf> = LIBM_EXEMPT.iter().map(|d| root().join(d)).collect();
    for f in files_of(&LIBM_CRATES) {
        if exempt.iter().any(|d| f.starts_with(d)) {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            for name in transcendental_calls(line) {
                let path = f.strip_prefix(root()).unwrap_or(&f).display().to_string();
                found.push(format!(
                    "{path}:{}: .{name}() (use libm::{name} or its libm name)",
                    i + 1
                ));
            }
        }
    }
    assert!(found.is_empty(), "std f64 transcendental calls: {found:#?}");
}

/// The file a `#[path = "..."]` attribute on `line` of `file` names, without `.` and `..`
/// (resolved relative to `file`'s directory, as for a module declared in a test's root file).
fn path_attribute_target(file: &Path, line: &str) -> Option<PathBuf> {
    let rest = line.trim_start().strip_prefix("#[path")?;
    let target = rest.split('"').nth(1)?;
    let mut out = PathBuf::new();
    for part in file.parent()?.join(target).components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[test]
fn no_file_includes_another_crates_source() {
    let mut found = Vec::new();
    for c in CRATES {
        let krate = root().join(c);
        let mut files = Vec::new();
        rust_files(&krate, &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).expect("readable source");
            for (i, line) in text.lines().enumerate() {
                if let Some(target) = path_attribute_target(&f, line)
                    && !target.starts_with(&krate)
                {
                    let path = f.strip_prefix(root()).unwrap_or(&f).display().to_string();
                    found.push(format!("{path}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "`#[path]` into another crate (make what is shared public in that crate's library, or \
         move the test to the crate it tests): {found:#?}"
    );
}

#[test]
fn the_path_scan_resolves_relative_to_the_file() {
    let file = root().join("tests/tests/sweep_runs.rs");
    let outside = path_attribute_target(&file, r#"#[path = "../../experiments/tests/common/tree.rs"]"#);
    assert_eq!(outside, Some(root().join("experiments/tests/common/tree.rs")));
    let inside = path_attribute_target(&file, r#"#[path = "common/tree.rs"]"#);
    assert_eq!(inside, Some(root().join("tests/tests/common/tree.rs")));
    assert_eq!(path_attribute_target(&file, "mod tree;"), None);
}

#[test]
fn the_scan_finds_what_it_bans_and_skips_comments() {
    assert_eq!(transcendental_calls("let s = (x / n).sqrt();"), ["sqrt"]);
    assert_eq!(
        transcendental_calls("let y = a.powi(3) + b.ln();"),
        ["ln", "powi"]
    );
    assert!(transcendental_calls("let s = libm::sqrt(x); // not x.sqrt()").is_empty());
    assert!(transcendental_calls("self.log.push(now, kind);").is_empty());
}
