//! A comparison's directory (`meshsim compare A B --out DIR`), rendered in memory and read back
//! by `meshsim report DIR`.
//!
//! It holds `timeline.svg` / `timeline.png` (the two timelines side by side on shared axes),
//! `compare.txt` (the table as the terminal shows it), `compare.csv`, `compare.json`, and `a/`
//! and `b/`: each run's complete run directory (every file `meshsim run --out` writes, with its
//! own `.meshsim-run`). It is written like a run's directory, whole or not at all
//! ([`crate::outdir::write_run_dir`]); `compare.json` is what marks it as a comparison.

use std::path::Path;

use super::{Comparison, Run, table};
use crate::input::read_text;

/// The file that marks a directory as a comparison's.
pub const MARKER: &str = "compare.json";

/// Largest file of a comparison's directory that `meshsim report` reads (the side-by-side SVG
/// of two of the largest timelines fits).
pub const MAX_FILE: u64 = 256 << 20;

/// Every file of a comparison's directory: `(name, bytes)`, names relative to it. `a_files` and
/// `b_files` are the two runs' own outputs ([`crate::run::render_outputs`]), placed in `a/`
/// and `b/` with their markers.
pub fn files(
    c: &Comparison,
    (a, b): (&Run, &Run),
    a_files: &[(String, Vec<u8>)],
    b_files: &[(String, Vec<u8>)],
) -> Result<Vec<(String, Vec<u8>)>, plots::PlotError> {
    let mut out = vec![
        (
            "timeline.svg".to_string(),
            super::timeline_svg(a, b)?.into_bytes(),
        ),
        ("timeline.png".to_string(), super::timeline_png(a, b)?),
        ("compare.txt".to_string(), table::text(c).into_bytes()),
        ("compare.csv".to_string(), table::csv(c).into_bytes()),
        (MARKER.to_string(), table::json(c).into_bytes()),
    ];
    for (side, files) in [("a", a_files), ("b", b_files)] {
        for (name, bytes) in files {
            out.push((format!("{side}/{name}"), bytes.clone()));
        }
        out.push((
            format!("{side}/{}", crate::outdir::RUN_MARKER),
            crate::outdir::marker(files).into_bytes(),
        ));
    }
    Ok(out)
}

/// Whether `dir` is a comparison's directory (it holds [`MARKER`]).
pub fn is_comparison(dir: &Path) -> bool {
    dir.is_dir() && dir.join(MARKER).is_file()
}

/// A comparison's directory, read back.
#[derive(Clone, Debug)]
pub struct Read {
    /// The comparison (sides and rows) from `compare.json`.
    pub comparison: Comparison,
    /// The side-by-side timeline, `timeline.svg`.
    pub timeline_svg: String,
    /// Run A's anatomy (`a/anatomy.txt`), one line each.
    pub anatomy_a: Vec<String>,
    /// Run B's anatomy (`b/anatomy.txt`), one line each.
    pub anatomy_b: Vec<String>,
}

/// Reads the comparison's directory `dir`; the error names the file and what is wrong.
pub fn read(dir: &Path) -> Result<Read, String> {
    let text = |name: &str| {
        let path = dir.join(name);
        read_text(&path, MAX_FILE).map_err(|e| e.message(&path))
    };
    let json = text(MARKER)?;
    let comparison = table::parse(&json).ok_or_else(|| {
        format!(
            "{}: not a comparison written by `meshsim compare`",
            dir.join(MARKER).display()
        )
    })?;
    let lines = |t: String| t.lines().map(str::to_string).collect();
    Ok(Read {
        comparison,
        timeline_svg: text("timeline.svg")?,
        anatomy_a: lines(text("a/anatomy.txt")?),
        anatomy_b: lines(text("b/anatomy.txt")?),
    })
}
