//! Key paths of `--set` arguments (`services[1].replicas`, `policies."my p".deadline`): split
//! into key and index segments, each with its byte range in the path for error messages.

use crate::scenario::tree::Span;

/// The most segments a path may have (deeper trees are refused by the TOML parser anyway).
pub const MAX_PATH_SEGMENTS: usize = 64;

/// A parsed path: its segments with their byte ranges in the path.
pub type Path = Vec<(Segment, Span)>;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A key of a table (or the name of an element of `clients`, `services`, `faults`).
    Key(String),
    /// An index into an array.
    Index(usize),
}

/// What is wrong with a path, and the byte range of the path it concerns.
type PathError = (String, std::ops::Range<usize>);

/// Splits a path into segments with their byte ranges, or says what is wrong and where.
pub fn parse_path(path: &str) -> Result<Path, (String, std::ops::Range<usize>)> {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut expect_key = true;
    while i < bytes.len() {
        if expect_key {
            let start = i;
            let (key, end) = parse_key(path, i)?;
            i = end;
            out.push((Segment::Key(key), Span { start, end: i }));
            expect_key = false;
        } else if bytes[i] == b'.' {
            i += 1;
            expect_key = true;
            if i == bytes.len() {
                return Err(("a trailing `.`".into(), i - 1..i));
            }
        } else if bytes[i] == b'[' {
            let start = i;
            let (index, end) = parse_index(path, i)?;
            i = end;
            out.push((Segment::Index(index), Span { start, end: i }));
        } else {
            let c = path[i..].chars().next().unwrap_or(' ');
            return Err((
                format!("{c:?} after a key (expected `.` or `[`)"),
                i..i + c.len_utf8(),
            ));
        }
    }
    if out.is_empty() {
        return Err(("an empty path".into(), 0..path.len()));
    }
    if out.len() > MAX_PATH_SEGMENTS {
        return Err((
            format!("a path of {} segments (at most {MAX_PATH_SEGMENTS})", out.len()),
            0..path.len(),
        ));
    }
    Ok(out)
}

/// Reads the key starting at byte `start` of `path`: a quoted key, or a bare one (ASCII
/// letters, digits, `_` and `-`); returns it and the byte offset just after it.
fn parse_key(path: &str, start: usize) -> Result<(String, usize), PathError> {
    if path.as_bytes()[start] == b'"' {
        return parse_quoted_key(path, start);
    }
    let n = path.as_bytes()[start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
        .count();
    if n == 0 {
        let c = path[start..].chars().next().unwrap_or(' ');
        return Err((
            format!("{c:?} where a key should start"),
            start..start + c.len_utf8(),
        ));
    }
    Ok((path[start..start + n].to_string(), start + n))
}

/// Reads the quoted key whose opening `"` is at byte `start` of `path` (a `\` escapes the next
/// character); returns it unquoted and the byte offset just after the closing `"`.
fn parse_quoted_key(path: &str, start: usize) -> Result<(String, usize), PathError> {
    let mut key = String::new();
    let mut chars = path[start + 1..].char_indices();
    let mut closed = None;
    while let Some((j, c)) = chars.next() {
        match c {
            '"' => {
                closed = Some(start + 1 + j + 1);
                break;
            }
            '\\' => match chars.next() {
                Some((_, e)) => key.push(e),
                None => break,
            },
            c => key.push(c),
        }
    }
    let Some(end) = closed else {
        return Err(("an unterminated quoted key".into(), start..path.len()));
    };
    Ok((key, end))
}

/// Reads the index `[n]` whose `[` is at byte `start` of `path`; returns it and the byte offset
/// just after the `]`.
fn parse_index(path: &str, start: usize) -> Result<(usize, usize), PathError> {
    let bytes = path.as_bytes();
    let n = bytes[start + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = start + 1 + n;
    if n == 0 || bytes.get(end) != Some(&b']') {
        return Err((
            "`[` not followed by a number and `]`".into(),
            start..(end + 1).min(path.len()),
        ));
    }
    let index = path[start + 1..end]
        .parse::<usize>()
        .map_err(|_| ("an index too large".to_string(), start..end + 1))?;
    Ok((index, end + 1))
}
