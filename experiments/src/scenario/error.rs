//! Located errors.
//!
//! The tree and the reader produce a [`ReadError`]: what went wrong, at which key path, and the
//! [`Origin`] of the offending node (a byte range of the file, or a span of a `--set` argument).
//! [`ReadError::locate`] turns it into the public [`ScenarioError`], which knows the file name,
//! the line and column (1-based) or the `--set` argument, and renders like rustc:
//!
//! ```text
//! error: cascade.toml:12:12: services[0].replicas: expected an integer ≥ 1, found -2
//!    |
//! 12 | replicas = -2
//!    |            ^^
//! ```

use std::fmt;
use std::ops::{Deref, Range};

use super::tree::{Origin, Span};
use super::{Override, Source};

/// What kind of mistake an error reports.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not valid TOML.
    Syntax,
    /// A key the schema does not know.
    UnknownKey,
    /// A required key is absent.
    Missing,
    /// A value of the wrong type (a string where a number belongs, a bare number for a duration).
    Type,
    /// A value of the right type that is out of range or does not parse (a negative rate, a
    /// probability above 1, `"5 parsecs"`).
    Value,
    /// A name that refers to nothing (a service, policy or client that does not exist).
    Reference,
    /// A name used twice.
    Duplicate,
    /// A cycle in the service call graph.
    Cycle,
    /// A rule of the modelled system (Kubernetes, a library) or of the schema is broken.
    Rule,
    /// A `--set` argument that is malformed or whose path leads nowhere.
    Override,
}

/// An error found while reading the tree, not yet tied to a file name and line (see
/// [`ReadError::locate`]). Boxed, so that `Result<_, ReadError>` stays one pointer wide.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError(Box<RawError>);

/// The content of a [`ReadError`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawError {
    /// What kind of mistake.
    pub kind: ErrorKind,
    /// Where the offending node (or key) came from.
    pub origin: Origin,
    /// Key path of the offending value, e.g. `services[1].steps[2].call` (empty for the document).
    pub path: String,
    /// What was expected, e.g. "an integer ≥ 1".
    pub expected: String,
    /// What was found, e.g. "-2".
    pub found: String,
    /// A hint, e.g. "did you mean `replicas`?".
    pub help: Option<String>,
}

impl ReadError {
    /// A new error.
    pub fn new(
        kind: ErrorKind,
        origin: Origin,
        path: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> ReadError {
        ReadError(Box::new(RawError {
            kind,
            origin,
            path: path.into(),
            expected: expected.into(),
            found: found.into(),
            help: None,
        }))
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> ReadError {
        self.0.help = Some(help.into());
        self
    }

    /// Adds `help`, if there is any.
    pub fn with_help_opt(self, help: Option<impl Into<String>>) -> ReadError {
        match help {
            Some(help) => self.with_help(help),
            None => self,
        }
    }

    /// Ties the error to the file and the `--set` arguments it came from.
    pub fn locate(&self, source: &Source, overrides: &[Override]) -> ScenarioError {
        let raw = &*self.0;
        let location = locate_origin(raw.origin, source, overrides);
        ScenarioError(Box::new(ErrorDetails {
            kind: raw.kind,
            file: source.name.clone(),
            location,
            path: raw.path.clone(),
            expected: raw.expected.clone(),
            found: raw.found.clone(),
            help: raw.help.clone(),
        }))
    }
}

/// Where `origin` is: a line and column of `source`, or a span of one of the `overrides`.
pub(crate) fn locate_origin(origin: Origin, source: &Source, overrides: &[Override]) -> Location {
    match origin {
        Origin::File(span) => file_location(&source.text, span),
        Origin::Override { index, span } => {
            let argument = overrides.get(index).map(Override::argument).unwrap_or_default();
            let range = clamp_span(&argument, span);
            Location::Override {
                index: Some(index),
                argument,
                span: range,
            }
        }
    }
}

impl Deref for ReadError {
    type Target = RawError;
    fn deref(&self) -> &RawError {
        &self.0
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_message(f, self.kind, &self.path, &self.expected, &self.found)
    }
}

impl std::error::Error for ReadError {}

/// A scenario that cannot be loaded: what is wrong, and exactly where. Boxed, so that
/// `Result<_, ScenarioError>` stays one pointer wide; the details are reached through `Deref`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError(Box<ErrorDetails>);

/// The content of a [`ScenarioError`].
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorDetails {
    /// What kind of mistake.
    pub kind: ErrorKind,
    /// The scenario's file path or builtin name.
    pub file: String,
    /// Where in the file or in which `--set` argument.
    pub location: Location,
    /// Key path of the offending value, e.g. `policies.naive.retry.backoff`.
    pub path: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
    /// A hint, if any.
    pub help: Option<String>,
}

/// Where an error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the file.
    File {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// Byte range in the file.
        span: Range<usize>,
        /// The text of the line (without its newline), for the snippet; a line longer than
        /// [`MAX_SNIPPET_CHARS`] is cut to that many characters around the column, with `…`
        /// where it was cut.
        line_text: String,
        /// Characters of `line_text` before the underline (`column - 1` unless the line was cut).
        underline_at: usize,
        /// Characters of the line to underline, from `column` on (at least 1).
        width: usize,
    },
    /// In a `--set` argument.
    Override {
        /// Position of the argument among the `--set` arguments (0-based), if known (not for
        /// an argument that [`super::Override::parse`] rejected).
        index: Option<usize>,
        /// The argument, `path=value`.
        argument: String,
        /// Byte range of the offending part of the argument.
        span: Range<usize>,
    },
    /// Nowhere in particular (an error made outside any file, e.g. by [`Override::parse`]).
    None,
}

impl ScenarioError {
    /// An error outside any file or tree (e.g. a malformed `--set` argument).
    pub(crate) fn bare(
        kind: ErrorKind,
        location: Location,
        expected: String,
        found: String,
    ) -> ScenarioError {
        ScenarioError(Box::new(ErrorDetails {
            kind,
            file: String::new(),
            location,
            path: String::new(),
            expected,
            found,
            help: None,
        }))
    }

    /// The details.
    pub fn details(&self) -> &ErrorDetails {
        &self.0
    }

    /// The 1-based line, if the error is in the file.
    pub fn line(&self) -> Option<usize> {
        match self.location {
            Location::File { line, .. } => Some(line),
            _ => None,
        }
    }

    /// The 1-based column, if the error is in the file.
    pub fn column(&self) -> Option<usize> {
        match self.location {
            Location::File { column, .. } => Some(column),
            _ => None,
        }
    }

    /// The `--set` argument, if the error is in one.
    pub fn argument(&self) -> Option<&str> {
        match &self.location {
            Location::Override { argument, .. } => Some(argument),
            _ => None,
        }
    }

    /// The one-line message: `services[0].replicas: expected an integer ≥ 1, found -2`.
    pub fn message(&self) -> String {
        struct Message<'a>(&'a ErrorDetails);
        impl fmt::Display for Message<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let d = self.0;
                write_message(f, d.kind, &d.path, &d.expected, &d.found)
            }
        }
        Message(self.details()).to_string()
    }
}

impl Deref for ScenarioError {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

fn write_message(
    f: &mut fmt::Formatter<'_>,
    kind: ErrorKind,
    path: &str,
    expected: &str,
    found: &str,
) -> fmt::Result {
    if !path.is_empty() {
        write!(f, "{path}: ")?;
    }
    match kind {
        ErrorKind::Syntax => write!(f, "invalid TOML: {found}"),
        _ => write!(f, "expected {expected}, found {found}"),
    }
}

/// Renders like rustc: the headline, then the line with a caret underline, then the hint.
impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.details();
        write_located(
            f,
            &Headline {
                label: "error",
                file: &d.file,
                location: &d.location,
                message: &self.message(),
            },
            d.help.as_deref(),
        )
    }
}

/// The first line of a located message: `error` or `warning`, the file, where, and what.
pub(crate) struct Headline<'a> {
    pub label: &'a str,
    pub file: &'a str,
    pub location: &'a Location,
    pub message: &'a str,
}

/// Writes a located message like rustc: the headline, then the line with a caret underline,
/// then the hint.
pub(crate) fn write_located(f: &mut fmt::Formatter<'_>, h: &Headline<'_>, help: Option<&str>) -> fmt::Result {
    write!(f, "{}: ", h.label)?;
    match h.location {
        Location::File { line, column, .. } => write!(f, "{}:{line}:{column}: ", h.file)?,
        Location::Override { argument, .. } => {
            if !h.file.is_empty() {
                write!(f, "{}: ", h.file)?;
            }
            write!(f, "--set {argument}: ")?;
        }
        Location::None => {
            if !h.file.is_empty() {
                write!(f, "{}: ", h.file)?;
            }
        }
    }
    f.write_str(h.message)?;
    let gutter;
    match h.location {
        Location::File {
            line,
            line_text,
            underline_at,
            width,
            ..
        } => {
            let number = line.to_string();
            gutter = " ".repeat(number.len());
            write!(f, "\n{gutter} |\n{number} | {line_text}\n{gutter} | ")?;
            write_underline(f, line_text, *underline_at, *width)?;
        }
        Location::Override { argument, span, .. } => {
            gutter = String::new();
            let text = format!("--set {argument}");
            let before = argument.get(..span.start).map_or(0, |s| s.chars().count()) + "--set ".len();
            let width = argument.get(span.clone()).map_or(1, |s| s.chars().count()).max(1);
            write!(f, "\n  |\n  | {text}\n  | ")?;
            write_underline(f, &text, before, width)?;
        }
        Location::None => gutter = String::new(),
    }
    if let Some(help) = help {
        let pad = if matches!(h.location, Location::Override { .. }) {
            "  ".to_string()
        } else {
            gutter
        };
        write!(f, "\n{pad} = help: {help}")?;
    }
    Ok(())
}

impl std::error::Error for ScenarioError {}

/// Writes `before` characters of padding (tabs kept as tabs so the caret lines up) and `width`
/// carets.
fn write_underline(f: &mut fmt::Formatter<'_>, line: &str, before: usize, width: usize) -> fmt::Result {
    for c in line.chars().chain(std::iter::repeat(' ')).take(before) {
        f.write_str(if c == '\t' { "\t" } else { " " })?;
    }
    f.write_str(&"^".repeat(width.max(1)))
}

/// The largest char boundary of `text` at or below `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

fn clamp_span(text: &str, span: Span) -> Range<usize> {
    let start = floor_boundary(text, span.start);
    let end = floor_boundary(text, span.end.max(start));
    start..end
}

/// Line, column and snippet of a byte range of the file.
fn file_location(text: &str, span: Span) -> Location {
    let range = clamp_span(text, span);
    let before = &text[..range.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = text[line_start..range.start].chars().count() + 1;
    let line_end = text[range.start..]
        .find('\n')
        .map_or(text.len(), |i| range.start + i);
    let full_line = text[line_start..line_end].trim_end_matches('\r');
    let visible_end = range.end.min(line_end);
    let width = text[range.start..visible_end.max(range.start)]
        .chars()
        .count()
        .max(1);
    let (line_text, underline_at, width) = snippet(full_line, column - 1, width);
    Location::File {
        line,
        column,
        span: range,
        line_text,
        underline_at,
        width,
    }
}

/// The most characters of a line shown in a snippet: a one-line file of 10 MB must not make a
/// 10 MB error message.
pub const MAX_SNIPPET_CHARS: usize = 160;

/// Characters shown before the error's column when a long line is cut.
const SNIPPET_LEAD: usize = 40;

/// The snippet of `line` (cut around character `at` if it is longer than
/// [`MAX_SNIPPET_CHARS`]), the characters before the underline and the underline's width.
fn snippet(line: &str, at: usize, width: usize) -> (String, usize, usize) {
    let chars = line.chars().count();
    if chars <= MAX_SNIPPET_CHARS {
        return (line.to_string(), at, width);
    }
    let start = at.saturating_sub(SNIPPET_LEAD).min(chars - MAX_SNIPPET_CHARS);
    let end = start + MAX_SNIPPET_CHARS;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(line.chars().skip(start).take(MAX_SNIPPET_CHARS));
    if end < chars {
        shown.push('…');
    }
    let before = at - start + usize::from(start > 0);
    (shown, before, width.min(end - at).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns_in_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let Location::File {
            line,
            column,
            line_text,
            width,
            ..
        } = file_location(text, Span { start: 12, end: 15 })
        else {
            panic!()
        };
        assert_eq!((line, column, line_text.as_str(), width), (2, 6, "bé = \"x\"", 3));
    }

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        let text = format!("name = \"{}\" x", "a".repeat(10_000_000));
        let at = text.len() - 1;
        let e = ReadError::new(
            ErrorKind::Syntax,
            Origin::File(Span {
                start: at,
                end: at + 1,
            }),
            "",
            "",
            "bad",
        );
        let shown = e.locate(&Source::new("long.toml", text.clone()), &[]).to_string();
        assert!(shown.len() < 1000, "{} bytes", shown.len());
        assert!(
            shown.starts_with(&format!("error: long.toml:1:{}: ", at + 1)),
            "{shown}"
        );
        let lines: Vec<&str> = shown.lines().collect();
        assert!(
            lines[2].starts_with("1 | …aaa") && lines[2].ends_with("\" x"),
            "{shown}"
        );
        // The caret is under the `x`.
        let caret = lines[3].find('^').unwrap();
        assert_eq!(
            lines[2][..].chars().count(),
            lines[3][..caret].chars().count() + 1
        );
    }

    #[test]
    fn clamps_spans_outside_the_text() {
        let Location::File { line, column, .. } = file_location("ab", Span { start: 10, end: 20 }) else {
            panic!()
        };
        assert_eq!((line, column), (1, 3));
    }
}
