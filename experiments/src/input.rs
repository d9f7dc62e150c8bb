//! Reading input files, bounded: every file meshsim reads (scenario and sweep files, and a
//! sweep's run files, manifests and tables read back by `--resume`, `merge` and `report`) goes
//! through [`read_text`] or [`read_bytes`], which accept regular files only and refuse one
//! larger than its ceiling before reading it.
//!
//! Without this, `/dev/zero` or `/dev/urandom` would be read until memory ran out, a FIFO would
//! block forever, a directory would fail with an OS error that does not say what was expected,
//! and a 1 GB file would be read whole (about 4 GB of memory and 24 s) before being rejected.
//! The size is checked twice: from the file's metadata before reading (the cheap refusal) and
//! while reading, through [`Read::take`], so a file that grows while it is read (or a special
//! file that reports a size of 0) still cannot exceed the ceiling.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The largest scenario or sweep file: 4 MiB. The builtins are 2 to 6 KiB; an empirical
/// distribution of 100 000 samples written out is about 1 MiB.
pub const MAX_INPUT_BYTES: u64 = 4 << 20;

/// The largest file a sweep writes and reads back (`runs.csv`, `points.csv`, `sweep.json`, a
/// shard manifest, a run file): 256 MiB, about two million runs' rows of `runs.csv`.
pub const MAX_SWEEP_FILE_BYTES: u64 = 256 << 20;

/// Why an input file cannot be read.
#[derive(Debug)]
pub enum InputError {
    /// The path exists but is not a regular file: a directory, FIFO, socket or device.
    NotAFile {
        /// What it is instead, e.g. "a directory".
        kind: &'static str,
    },
    /// Larger than the ceiling.
    TooLarge {
        /// Its size in bytes (from the metadata, or at least `limit + 1` when read).
        size: u64,
        /// The ceiling.
        limit: u64,
    },
    /// Not UTF-8 (text files only).
    NotUtf8 {
        /// Byte offset (0-based) of the first bad byte.
        offset: usize,
        /// Its line (1-based).
        line: usize,
        /// Its column on that line (1-based, in characters).
        column: usize,
    },
    /// The operating system's error (no such file, permission denied, ...).
    Io(io::Error),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotAFile { kind } => write!(f, "it is {kind}, not a regular file"),
            InputError::TooLarge { size, limit } => write!(
                f,
                "it is {} bytes, larger than the {} bytes (the ceiling) meshsim reads",
                size, limit
            ),
            InputError::NotUtf8 { offset, line, column } => write!(
                f,
                "it is not UTF-8 text: the first invalid byte is at byte offset {offset} (line {line}, column {column})"
            ),
            InputError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for InputError {}

impl InputError {
    /// The whole message for the file at `path`: `error: FILE:LINE:COLUMN: ...` for text that
    /// is not UTF-8, `error: cannot read FILE: ...` otherwise.
    pub fn message(&self, path: &Path) -> String {
        match self {
            InputError::NotUtf8 { offset, line, column } => format!(
                "error: {}:{line}:{column}: not UTF-8 text: the first invalid byte is at byte offset {offset}",
                path.display()
            ),
            _ => format!("error: cannot read {}: {self}", path.display()),
        }
    }
}

impl From<io::Error> for InputError {
    fn from(e: io::Error) -> InputError {
        InputError::Io(e)
    }
}

/// What a path that is not a regular file is, for messages: "a directory", "a FIFO (named
/// pipe)", "a character device", ...; `None` for a regular file.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path)?;
    if let Some(kind) = special_kind(&meta) {
        return Err(InputError::NotAFile { kind });
    }
    let file = File::open(path)?;
    // Checked again on the open file, in case the path was replaced in between.
    let meta = file.metadata()?;
    if let Some(kind) = special_kind(&meta) {
        return Err(InputError::NotAFile { kind });
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// The text of the regular file at `path`, at most `limit` bytes of UTF-8.
pub fn read_text(path: &Path, limit: u64) -> Result<String, InputError> {
    utf8(read_bytes(path, limit)?)
}

/// `bytes` as a string, or where the first byte that is not UTF-8 is.
pub fn utf8(bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..offset];
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        // The prefix is valid UTF-8, so its characters can be counted.
        let column = std::str::from_utf8(&valid[line_start..]).map_or(0, |s| s.chars().count()) + 1;
        InputError::NotUtf8 { offset, line, column }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("meshsim-input-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_over_the_ceiling_is_refused_from_its_size() {
        let dir = scratch("large");
        let path = dir.join("big.toml");
        std::fs::write(&path, vec![b'#'; 101]).unwrap();
        let err = read_text(&path, 100).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::TooLarge {
                    size: 101,
                    limit: 100
                }
            ),
            "{err}"
        );
        assert_eq!(read_text(&path, 101).unwrap().len(), 101);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        let err = read_bytes(Path::new("/dev/zero"), MAX_INPUT_BYTES).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::NotAFile {
                    kind: "a character device"
                }
            ),
            "{err}"
        );
        let err = read_bytes(&std::env::temp_dir(), MAX_INPUT_BYTES).unwrap_err();
        assert!(
            matches!(err, InputError::NotAFile { kind: "a directory" }),
            "{err}"
        );
    }

    #[test]
    fn the_first_bad_byte_is_located() {
        let err = utf8(b"name = \"x\"\nab\xc3\xa9c\xff\n".to_vec()).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::NotUtf8 {
                    offset: 16,
                    line: 2,
                    column: 5
                }
            ),
            "{err}"
        );
    }
}
