//! Output files: `summary.json`, `timeseries.csv`, `events.jsonl`, plots, rendered in memory;
//! CSV through the `csv` crate ([`Csv`], [`parse_csv`]). A run's directory is written as a
//! whole by [`crate::outdir`]; single files (a sweep's run and final files, the report) by
//! [`write_atomic`]: a temporary file in the same directory, then a rename, so a reader never
//! sees half a file and a failed write leaves no temporary behind.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use models::report::{Report, Summary, TimeSeries, Values};
use serde::Serialize;

/// Checks an output directory before anything runs: it may be absent (it is created) or a
/// directory (or a symbolic link to one); a file, a FIFO or a symbolic link to nothing is bad
/// input, told as such (`create_dir_all` would only say "File exists"). `flag` names the
/// argument in the message.
pub fn check_out_dir(flag: &str, dir: &Path) -> Result<(), String> {
    let Ok(link) = std::fs::symlink_metadata(dir) else {
        return Ok(());
    };
    let shown = dir.display();
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(meta) => {
            let kind = crate::input::special_kind(&meta).unwrap_or("a file");
            Err(format!(
                "error: {flag} {shown}: it is {kind}, not a directory (outputs are written into a directory)"
            ))
        }
        Err(_) if link.file_type().is_symlink() => {
            let target = std::fs::read_link(dir).map_or_else(|_| "?".into(), |t| t.display().to_string());
            Err(format!(
                "error: {flag} {shown}: it is a symbolic link to {target}, which does not exist; give a directory"
            ))
        }
        Err(e) => Err(format!("error: {flag} {shown}: {e}")),
    }
}

/// `summary.json`: the models' summary plus what identifies the run.
#[derive(Serialize)]
pub struct SummaryFile<'a> {
    /// The version of meshsim that produced it.
    pub meshsim_version: &'static str,
    /// Stable hash of the effective scenario (after overrides).
    pub scenario_hash: &'a str,
    /// The summary.
    #[serde(flatten)]
    pub summary: &'a Summary,
}

/// The `meshsim` version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, named after the
/// target and this process, then a rename. Readers never see half a file, and processes sharing
/// a directory (sweep shards on one volume) never share a temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("output path has no file name"))?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        // A full disk or a failed rename leaves no temporary behind.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The summary as pretty JSON (stable key order: struct order, maps sorted).
pub fn summary_json(summary: &Summary, hash: &str) -> String {
    let file = SummaryFile {
        meshsim_version: VERSION,
        scenario_hash: hash,
        summary,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("summary serialises");
    text.push('\n');
    text
}

/// Formats a number for CSV: integers without a fraction, NaN (no value) as an empty cell,
/// others with Rust's shortest round-trip representation (platform-independent). Used by run
/// and sweep outputs alike.
pub fn cell(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A CSV document written in memory by the `csv` crate: RFC 4180 quoting (a field holding a
/// comma, a quote or a line break is quoted, its quotes doubled; every other field is written
/// as is) and `\n` line ends. Every CSV meshsim writes goes through it, so a name with a comma
/// or a quote cannot shift a column.
pub struct Csv(csv::Writer<Vec<u8>>);

impl Csv {
    /// An empty document.
    pub fn new() -> Csv {
        Csv(csv::WriterBuilder::new().from_writer(Vec::new()))
    }

    /// Appends one field to the current row.
    pub fn field(&mut self, text: &str) {
        self.0.write_field(text).expect("writing CSV to memory");
    }

    /// Appends a number ([`cell`]) to the current row.
    pub fn num(&mut self, v: f64) {
        self.field(&cell(v));
    }

    /// Ends the current row.
    pub fn end_row(&mut self) {
        self.0
            .write_record(std::iter::empty::<&[u8]>())
            .expect("writing CSV to memory (every row has as many fields as the header)");
    }

    /// The document's text.
    pub fn finish(self) -> String {
        let bytes = self.0.into_inner().expect("flushing CSV to memory");
        String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
    }
}

impl Default for Csv {
    fn default() -> Csv {
        Csv::new()
    }
}

/// The time series as CSV: a `time_s` column (bucket start) then one column per metric.
pub fn timeseries_csv(series: &TimeSeries) -> String {
    let mut out = Csv::new();
    out.field("time_s");
    for c in &series.columns {
        out.field(&c.name);
    }
    out.end_row();
    for b in 0..series.buckets {
        out.num(b as f64 * series.bucket_s);
        for c in &series.columns {
            match &c.values {
                Values::Num(v) => out.num(v[b]),
                Values::Text(v) => out.field(v[b]),
            }
        }
        out.end_row();
    }
    out.finish()
}

/// Parses CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF) with the `csv` crate, the
/// one that wrote it; rows may differ in length, and reading stops at the first malformed row.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// The event log as JSON lines.
pub fn events_jsonl(report: &Report) -> String {
    let mut out = String::new();
    for entry in &report.log {
        let line = serde_json::to_string(entry).expect("log entry serialises");
        let _ = writeln!(out, "{line}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_stable() {
        assert_eq!(cell(3.0), "3");
        assert_eq!(cell(0.5), "0.5");
        assert_eq!(cell(f64::NAN), "");
        assert_eq!(cell(1.0 / 3.0), "0.3333333333333333");
    }

    #[test]
    fn atomic_write_replaces_whole_files() {
        let dir = std::env::temp_dir().join(format!("meshsim-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.txt");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["x.txt"], "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_atomic_write_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("meshsim-atomic-fail-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("taken/inside")).unwrap();
        // The rename fails: a non-empty directory holds the target's name.
        assert!(write_atomic(&dir.join("taken"), b"x").is_err());
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["taken"], "the temporary file is removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
