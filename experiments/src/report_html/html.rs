//! Small helpers for writing HTML by hand: escaping, tables, shell quoting, base64.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double- or single-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A table cell: already-escaped HTML, and whether it holds a number (right-aligned).
pub struct Cell {
    /// Escaped HTML content.
    pub html: String,
    /// Right-align (numbers).
    pub num: bool,
}

/// A text cell (escaped here).
pub fn text(s: &str) -> Cell {
    Cell {
        html: esc(s),
        num: false,
    }
}

/// A number cell (escaped here, right-aligned).
pub fn num(s: impl ToString) -> Cell {
    Cell {
        html: esc(&s.to_string()),
        num: true,
    }
}

/// A cell of HTML that is already escaped.
pub fn raw(html: String) -> Cell {
    Cell { html, num: false }
}

/// A column header: its label and whether the column holds numbers.
pub type Head<'a> = (&'a str, bool);

/// Writes a `<table>` with a header row and zebra-striped body rows (striping is CSS).
pub fn table(out: &mut String, class: &str, head: &[Head<'_>], rows: &[Vec<Cell>]) {
    let rows: Vec<(&str, &[Cell])> = rows.iter().map(|r| ("", r.as_slice())).collect();
    classed_table(out, class, head, &rows);
}

/// [`table`] with a class on each body row (`""` for none), e.g. whether it got better.
pub fn classed_table(out: &mut String, class: &str, head: &[Head<'_>], rows: &[(&str, &[Cell])]) {
    let _ = writeln!(out, "<div class=\"table-wrap\"><table class=\"{}\">", esc(class));
    out.push_str("<thead><tr>");
    for (label, is_num) in head {
        let cls = if *is_num { " class=\"num\"" } else { "" };
        // Long dotted names (metric paths) may break after a dot or an underscore.
        let label = esc(label).replace('.', ".<wbr>").replace('_', "_<wbr>");
        let _ = write!(out, "<th scope=\"col\"{cls}>{label}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (row_class, row) in rows {
        if row_class.is_empty() {
            out.push_str("<tr>");
        } else {
            let _ = write!(out, "<tr class=\"{}\">", esc(row_class));
        }
        for (i, cell) in row.iter().enumerate() {
            let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
            let close = if i == 0 { "th" } else { "td" };
            let cls = if cell.num { " class=\"num\"" } else { "" };
            let _ = write!(out, "<{tag}{cls}>{}</{close}>", cell.html);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// Quotes a command-line argument for a POSIX shell, only when it needs it.
pub fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(esc("a\u{0}b\nc"), "a\u{fffd}b\nc");
    }

    #[test]
    fn quotes_for_the_shell_only_when_needed() {
        assert_eq!(
            shell_quote("services.upload.replicas=3"),
            "services.upload.replicas=3"
        );
        assert_eq!(
            shell_quote("faults[0].latency=\"2s\""),
            "'faults[0].latency=\"2s\"'"
        );
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
