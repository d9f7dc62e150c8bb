//! Output directories as a set. A run's directory is written whole or not at all: every file
//! goes into a fresh hidden sibling (`.OUT.meshsim-tmp-PID-N`), is flushed to disk, a marker
//! (`.meshsim-run`) is written last, and the directory is renamed into place; a previous run's
//! directory at `OUT` is renamed aside first and removed after. A lock file next to the
//! directory (`.OUT.meshsim-lock`, held with `flock` through std's `File::try_lock`) keeps two
//! writers out of one directory: the second gets [`OutDirError::Busy`] before it does any work.
//! Whoever holds the lock exclusively may delete the hidden siblings a killed process left,
//! since no live process can own them. The protocol is described in docs/reliability.md
//! ("Output files").

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The marker a run directory holds, written last: a directory with it is a complete
/// `meshsim run` output, which a later run may replace.
pub const RUN_MARKER: &str = ".meshsim-run";

/// How a directory is locked.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The only writer (`meshsim run`, a whole sweep, a merge).
    Exclusive,
    /// One of several cooperating writers (sweep shards sharing a directory); excludes an
    /// exclusive writer only.
    Shared,
}

/// Why an output directory cannot be written.
#[derive(Debug)]
pub enum OutDirError {
    /// Another process holds the directory's lock.
    Busy {
        /// The output directory.
        dir: PathBuf,
        /// The holder's process id, if it wrote one.
        pid: Option<u32>,
    },
    /// The path holds something that is not a meshsim run directory (bad input: exit code 2).
    NotARun {
        /// The output directory.
        dir: PathBuf,
        /// What it holds instead.
        why: String,
    },
    /// Reading or writing failed.
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: io::Error,
    },
}

impl OutDirError {
    fn io(context: impl Into<String>, source: io::Error) -> OutDirError {
        OutDirError::Io {
            context: context.into(),
            source,
        }
    }
}

impl fmt::Display for OutDirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutDirError::Busy { dir, pid } => {
                let who = pid.map_or("another meshsim".into(), |p| {
                    format!("another meshsim (process {p})")
                });
                write!(
                    f,
                    "error: {} is being written by {who}\n  = help: wait for it to finish, or use another output directory",
                    dir.display()
                )
            }
            OutDirError::NotARun { dir, why } => write!(
                f,
                "error: {}: {why}, not the output of an earlier `meshsim run` (it has no {RUN_MARKER})\n  = help: use a new or empty directory, or delete this one",
                dir.display()
            ),
            OutDirError::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for OutDirError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OutDirError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The hidden sibling `.NAME.TAG` of `dir`, and the prefix `.NAME.` all of them share.
fn sibling(dir: &Path, tag: &str) -> Result<PathBuf, OutDirError> {
    let (parent, name) = parent_and_name(dir)?;
    Ok(parent.join(format!(".{name}.{tag}")))
}

/// The directory holding `dir` and `dir`'s own name (`.` and `..` resolved).
fn parent_and_name(dir: &Path) -> Result<(PathBuf, String), OutDirError> {
    let resolved;
    let dir = if dir.file_name().is_some() {
        dir
    } else {
        resolved =
            fs::canonicalize(dir).map_err(|e| OutDirError::io(format!("resolving {}", dir.display()), e))?;
        &resolved
    };
    let name = dir.file_name().ok_or_else(|| OutDirError::NotARun {
        dir: dir.to_path_buf(),
        why: "it is the root of the file system".into(),
    })?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok((parent.to_path_buf(), name.to_string_lossy().into_owned()))
}

/// A held lock on an output directory; released (and its file removed, if exclusive) on drop.
#[derive(Debug)]
pub struct DirLock {
    file: File,
    path: PathBuf,
    mode: Mode,
    held: bool,
}

impl DirLock {
    /// Whether this process alone writes the directory: an exclusive lock that the file system
    /// supports. Only then may it remove temporaries it did not make.
    pub fn is_sole_writer(&self) -> bool {
        self.held && self.mode == Mode::Exclusive
    }
}

/// Locks `dir` (creating its parent if needed) without waiting: [`OutDirError::Busy`] if
/// another process holds it in a conflicting mode.
pub fn lock(dir: &Path, mode: Mode) -> Result<DirLock, OutDirError> {
    let path = sibling(dir, "meshsim-lock")?;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| OutDirError::io(format!("creating {}", parent.display()), e))?;
    }
    // A releasing exclusive holder removes the file: whoever locked the removed file tries
    // again on the new one (the usual flock-and-unlink protocol).
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| OutDirError::io(format!("opening {}", path.display()), e))?;
        let locked = match mode {
            Mode::Exclusive => file.try_lock(),
            Mode::Shared => file.try_lock_shared(),
        };
        match locked {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let pid = fs::read_to_string(&path).ok().and_then(|t| t.trim().parse().ok());
                return Err(OutDirError::Busy {
                    dir: dir.to_path_buf(),
                    pid,
                });
            }
            // A file system without locks (some network and FUSE mounts): write unlocked,
            // and leave others' temporaries alone.
            Err(fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {
                return Ok(DirLock {
                    file,
                    path,
                    mode,
                    held: false,
                });
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(OutDirError::io(format!("locking {}", path.display()), e));
            }
        }
        if !still_at(&file, &path) {
            continue;
        }
        // The holder's pid, for the message a refused writer prints; shared holders are
        // several, so they leave it empty (a killed holder's pid is not kept either way).
        let mut f = &file;
        let _ = f.set_len(0).and_then(|()| match mode {
            Mode::Exclusive => writeln!(f, "{}", std::process::id()),
            Mode::Shared => Ok(()),
        });
        return Ok(DirLock {
            file,
            path,
            mode,
            held: true,
        });
    }
}

/// Readies `dir` for a run before the run starts: locks it exclusively, removes what killed
/// writers left next to it, and checks that it may be replaced ([`check_replaceable`]).
pub fn prepare_run_dir(dir: &Path) -> Result<DirLock, OutDirError> {
    let lock = lock(dir, Mode::Exclusive)?;
    remove_stale(dir, &lock)?;
    check_replaceable(dir)?;
    Ok(lock)
}

/// Whether `path` still names the open `file` (it was not removed or replaced meanwhile).
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &File, _: &Path) -> bool {
    true
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still held, so nobody can lock it between the removal and the unlock
        // without noticing (`still_at`). Shared holders leave it: another may still hold it.
        if self.is_sole_writer() && cfg!(unix) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Removes the hidden siblings of `dir` a killed process left (`.NAME.meshsim-tmp-*`,
/// `.NAME.meshsim-old-*`); returns them. Only with the exclusive lock held (else it removes
/// nothing): then no live process owns them.
pub fn remove_stale(dir: &Path, lock: &DirLock) -> Result<Vec<PathBuf>, OutDirError> {
    if !lock.is_sole_writer() {
        return Ok(Vec::new());
    }
    let (parent, name) = parent_and_name(dir)?;
    let prefixes = [format!(".{name}.meshsim-tmp-"), format!(".{name}.meshsim-old-")];
    let entries = match fs::read_dir(&parent) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(OutDirError::io(format!("reading {}", parent.display()), e)),
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let path = entry.path();
            fs::remove_dir_all(&path)
                .map_err(|e| OutDirError::io(format!("removing {}", path.display()), e))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// Checks that `dir` may be replaced by a run: it does not exist, or is an empty directory, or
/// a complete run directory (it holds [`RUN_MARKER`]).
pub fn check_replaceable(dir: &Path) -> Result<(), OutDirError> {
    let not_a_run = |why: &str| OutDirError::NotARun {
        dir: dir.to_path_buf(),
        why: why.into(),
    };
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(OutDirError::io(format!("reading {}", dir.display()), e)),
    };
    if meta.is_symlink() {
        return Err(not_a_run("it is a symbolic link"));
    }
    if !meta.is_dir() {
        return Err(not_a_run("it is a file"));
    }
    let mut entries =
        fs::read_dir(dir).map_err(|e| OutDirError::io(format!("reading {}", dir.display()), e))?;
    if entries.next().is_none() || dir.join(RUN_MARKER).is_file() {
        Ok(())
    } else {
        Err(not_a_run("it is a directory that holds other files"))
    }
}

/// Distinguishes the temporary directories of one process.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// Writes `files` (`(name, bytes)`; a name may hold directories, `a/summary.json`) as the
/// complete content of `dir`, replacing a previous
/// run's directory there; `lock` must be `dir`'s exclusive lock. On error nothing at `dir`
/// changed and the temporary directory is gone. Returns the files' final paths.
pub fn write_run_dir(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    lock: &DirLock,
) -> Result<Vec<PathBuf>, OutDirError> {
    debug_assert_eq!(lock.mode, Mode::Exclusive);
    check_replaceable(dir)?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = sibling(dir, &format!("meshsim-tmp-{}-{n}", std::process::id()))?;
    let old = sibling(dir, &format!("meshsim-old-{}-{n}", std::process::id()))?;
    let result = fill(&tmp, files).and_then(|()| swap_in(&tmp, dir, &old));
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result?;
    Ok(files.iter().map(|(name, _)| dir.join(name)).collect())
}

/// The content of the [`RUN_MARKER`] of a run directory holding `files`: the meshsim version
/// and the files' names.
pub fn marker(files: &[(String, Vec<u8>)]) -> String {
    let marker = serde_json::json!({
        "meshsim_version": crate::output::VERSION,
        "files": files.iter().map(|(name, _)| name).collect::<Vec<_>>(),
    });
    format!("{marker}\n")
}

/// Creates `tmp` and writes every file into it, each flushed to disk, then the marker, then
/// flushes the directory itself.
fn fill(tmp: &Path, files: &[(String, Vec<u8>)]) -> Result<(), OutDirError> {
    fs::create_dir(tmp).map_err(|e| OutDirError::io(format!("creating {}", tmp.display()), e))?;
    let marker = marker(files);
    let all = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain([(RUN_MARKER, marker.as_bytes())]);
    for (name, bytes) in all {
        let path = tmp.join(name);
        let write = || -> io::Result<()> {
            // A name with a directory (`a/summary.json` in a comparison's directory).
            if let Some(parent) = path.parent().filter(|p| *p != tmp) {
                fs::create_dir_all(parent)?;
            }
            let mut f = File::create(&path)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        write().map_err(|e| OutDirError::io(format!("writing {}", path.display()), e))?;
    }
    // The directories inside first (their entries), then the top.
    let mut inner: Vec<PathBuf> = files
        .iter()
        .filter_map(|(name, _)| tmp.join(name).parent().map(Path::to_path_buf))
        .filter(|p| p != tmp)
        .collect();
    inner.sort();
    inner.dedup();
    for dir in inner.iter().rev() {
        sync_dir(dir)?;
    }
    sync_dir(tmp)
}

/// Renames `tmp` to `dir`; a directory already at `dir` is first renamed to `old`, then
/// removed. Between the two renames `dir` is absent (never a mix of two runs); a crash there
/// leaves `old` and `tmp`, which the next writer removes ([`remove_stale`]).
fn swap_in(tmp: &Path, dir: &Path, old: &Path) -> Result<(), OutDirError> {
    let rename = |from: &Path, to: &Path| {
        fs::rename(from, to)
            .map_err(|e| OutDirError::io(format!("renaming {} to {}", from.display(), to.display()), e))
    };
    let replaced = fs::symlink_metadata(dir).is_ok();
    if replaced {
        rename(dir, old)?;
    }
    if let Err(e) = rename(tmp, dir) {
        if replaced {
            let _ = fs::rename(old, dir);
        }
        return Err(e);
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent)?;
    }
    if replaced {
        fs::remove_dir_all(old).map_err(|e| OutDirError::io(format!("removing {}", old.display()), e))?;
    }
    Ok(())
}

/// Flushes a directory's entries to disk (on Unix; elsewhere a directory cannot be opened).
fn sync_dir(dir: &Path) -> Result<(), OutDirError> {
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| OutDirError::io(format!("flushing {}", dir.display()), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
