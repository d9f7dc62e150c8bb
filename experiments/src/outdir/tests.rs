//! The run-directory protocol on a scratch directory: whole replacement, refusal of foreign
//! directories, nothing changed by a failed write, the lock's modes, stale siblings removed.

use super::*;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshsim-outdir-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(n, b)| (n.to_string(), b.as_bytes().to_vec()))
        .collect()
}

#[test]
fn a_previous_run_is_replaced_whole() {
    let root = scratch("replace");
    let out = root.join("out");
    {
        let lock = lock(&out, Mode::Exclusive).unwrap();
        write_run_dir(&out, &files(&[("a.txt", "one"), ("b.txt", "one")]), &lock).unwrap();
    }
    assert_eq!(names(&out), [RUN_MARKER, "a.txt", "b.txt"]);
    {
        let lock = lock(&out, Mode::Exclusive).unwrap();
        write_run_dir(&out, &files(&[("a.txt", "two")]), &lock).unwrap();
    }
    assert_eq!(
        names(&out),
        [RUN_MARKER, "a.txt"],
        "b.txt of the first run is gone"
    );
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "two");
    assert_eq!(
        names(&root),
        ["out"],
        "no lock, temporary or old directory is left"
    );
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_directory_that_is_not_a_run_is_refused_and_left_alone() {
    let root = scratch("foreign");
    let out = root.join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("thesis.tex"), "precious").unwrap();
    let lock = lock(&out, Mode::Exclusive).unwrap();
    let e = write_run_dir(&out, &files(&[("a.txt", "x")]), &lock).unwrap_err();
    assert!(matches!(e, OutDirError::NotARun { .. }), "{e}");
    assert!(e.to_string().contains(RUN_MARKER), "{e}");
    assert_eq!(names(&out), ["thesis.tex"]);
    // An empty directory is fine.
    let empty = root.join("empty");
    fs::create_dir(&empty).unwrap();
    check_replaceable(&empty).unwrap();
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_failed_write_changes_nothing() {
    let root = scratch("fail");
    let out = root.join("out");
    let lock = lock(&out, Mode::Exclusive).unwrap();
    write_run_dir(&out, &files(&[("a.txt", "one")]), &lock).unwrap();
    // A file that cannot be created (its directory would be the file a.txt) fails half-way.
    let e = write_run_dir(&out, &files(&[("a.txt", "two"), ("a.txt/x.txt", "two")]), &lock).unwrap_err();
    assert!(matches!(e, OutDirError::Io { .. }), "{e}");
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "one");
    drop(lock);
    assert_eq!(names(&root), ["out"], "the temporary directory is removed");
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn locks_exclude_a_second_writer_but_not_cooperating_shards() {
    let root = scratch("lock");
    let out = root.join("out");
    let first = lock(&out, Mode::Exclusive).unwrap();
    let e = lock(&out, Mode::Exclusive).unwrap_err();
    assert!(
        matches!(e, OutDirError::Busy { pid: Some(p), .. } if p == std::process::id()),
        "{e}"
    );
    assert!(matches!(lock(&out, Mode::Shared), Err(OutDirError::Busy { .. })));
    drop(first);
    let a = lock(&out, Mode::Shared).unwrap();
    let b = lock(&out, Mode::Shared).unwrap();
    assert!(matches!(
        lock(&out, Mode::Exclusive),
        Err(OutDirError::Busy { .. })
    ));
    drop((a, b));
    drop(lock(&out, Mode::Exclusive).unwrap());
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn stale_siblings_are_removed_and_nothing_else() {
    let root = scratch("stale");
    let out = root.join("out");
    for d in [
        ".out.meshsim-tmp-99999-0",
        ".out.meshsim-old-99999-3",
        ".other.meshsim-tmp-1-0",
    ] {
        fs::create_dir_all(root.join(d)).unwrap();
        fs::write(root.join(d).join("summary.json"), "{}").unwrap();
    }
    fs::write(root.join("out.txt"), "keep").unwrap();
    let lock = lock(&out, Mode::Exclusive).unwrap();
    let removed = remove_stale(&out, &lock).unwrap();
    assert_eq!(removed.len(), 2, "{removed:?}");
    drop(lock);
    assert_eq!(names(&root), [".other.meshsim-tmp-1-0", "out.txt"]);
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn names_with_directories_are_written_into_them() {
    let root = scratch("nested");
    let out = root.join("out");
    let lock = lock(&out, Mode::Exclusive).unwrap();
    write_run_dir(
        &out,
        &files(&[("top.txt", "t"), ("a/x.txt", "x"), ("a/b/y.txt", "y")]),
        &lock,
    )
    .unwrap();
    assert_eq!(fs::read_to_string(out.join("a/x.txt")).unwrap(), "x");
    assert_eq!(fs::read_to_string(out.join("a/b/y.txt")).unwrap(), "y");
    assert!(out.join(RUN_MARKER).is_file());
    drop(lock);
    fs::remove_dir_all(&root).unwrap();
}
