//! Lexical helpers of the syntax stage, independent of pest.
//!
//! Input: raw token text (string and number literals as written) or a whole file's text.
//! Output: decoded values (unescaped strings, dedented text blocks, numbers), and, for error
//! reporting, the positions of unterminated strings and unclosed braces found by a small scan.

use std::ops::Range;

/// What went wrong decoding a literal, as a byte range relative to the literal's start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LiteralError {
    /// `\x` with an escape other than `\" \\ \n \t`
    InvalidEscape {
        /// The escape as written, e.g. `\q`
        escape: String,
        /// Where, relative to the start of the decoded text
        range: Range<usize>,
    },
}

/// Decode the inside of a `"simple string"` (without its quotes).
///
/// The escapes are `\"`, `\\`, `\n` and `\t`; anything else is an error.
pub(crate) fn unescape(inner: &str) -> Result<String, LiteralError> {
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            // A `\` before a line break is shown (and underlined) alone.
            Some((_, '\n' | '\r')) | None => {
                return Err(LiteralError::InvalidEscape {
                    escape: String::from("\\"),
                    range: i..i + 1,
                })
            }
            Some((j, other)) => {
                return Err(LiteralError::InvalidEscape {
                    escape: format!("\\{other}"),
                    range: i..j + other.len_utf8(),
                });
            }
        }
    }
    Ok(out)
}

/// Tidy the inside of a `"""text block"""` (without its quotes).
///
/// Text blocks are raw (no escapes). Line breaks become `\n`; a first line that is empty
/// (text starting on the line after the opening quotes) is dropped; a last line holding only
/// spaces (the closing quotes indented on their own line) is dropped; and the indentation
/// common to the lines after the first is removed, so indented descriptions read well.
/// When the text starts right after the opening quotes, that first line is kept as written
/// and does not count for the common indentation.
pub(crate) fn dedent(inner: &str) -> String {
    let normalized = inner.replace("\r\n", "\n");
    let mut lines: Vec<&str> = normalized.split('\n').collect();
    let mut first_is_text = true;
    if lines.len() > 1 && lines.first().is_some_and(|l| is_blank(l)) {
        lines.remove(0);
        first_is_text = false;
    }
    if lines.len() > 1 && lines.last().is_some_and(|l| is_blank(l)) {
        lines.pop();
    }
    let skip = usize::from(first_is_text);
    let indent = lines
        .iter()
        .skip(skip)
        .filter(|l| !is_blank(l))
        .map(|l| leading_space(l))
        .reduce(common_prefix)
        .unwrap_or("");
    let mut out = String::with_capacity(normalized.len());
    for (n, line) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        if n < skip {
            out.push_str(line);
        } else if is_blank(line) {
            // Whitespace-only lines inside the block become empty lines.
        } else {
            out.push_str(line.get(indent.len()..).unwrap_or(line));
        }
    }
    out
}

fn is_blank(line: &str) -> bool {
    line.chars().all(|c| c == ' ' || c == '\t' || c == '\r')
}

fn leading_space(line: &str) -> &str {
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    line.get(..end).unwrap_or("")
}

fn common_prefix<'a>(a: &'a str, b: &'a str) -> &'a str {
    let len = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    a.get(..len).unwrap_or("")
}

/// The value of a number literal as written: `_` separators are ignored, a leading `-`
/// negates, and a trailing `%` divides by 100 (`90%` is 0.9).
///
/// Returns `None` when the value is not a finite number (e.g. `1e999`).
pub(crate) fn number_value(text: &str) -> Option<f64> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (percent, rest) = match rest.strip_suffix('%') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let digits: String = rest.chars().filter(|&c| c != '_').collect();
    let mut value: f64 = digits.parse().ok()?;
    if percent {
        value /= 100.0;
    }
    if negative {
        value = -value;
    }
    value.is_finite().then_some(value)
}

/// An unterminated string found by [`scan`]: the byte range from its opening quotes to the
/// end of the line (simple strings) or of the file (text blocks).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OpenString {
    /// Byte range of the opening quote(s) and what follows on that line
    pub range: Range<usize>,
    /// True for `"""` text blocks
    pub triple: bool,
}

/// What a lexical scan of a whole file found, for error messages.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ScanReport {
    /// The first string that is never closed
    pub open_string: Option<OpenString>,
    /// Byte offsets of `{` that are never closed, outermost first
    pub open_braces: Vec<usize>,
    /// Byte offsets of `(` and `[` not closed within their block, outermost first (a `}`
    /// forgets those opened inside the block it closes)
    pub open_groups: Vec<usize>,
}

/// Scan a file for unterminated strings and unclosed braces, skipping comments and strings
/// the way the grammar does. Only used to explain parse failures.
pub(crate) fn scan(text: &str) -> ScanReport {
    let mut report = ScanReport::default();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                i = text
                    .get(i..)
                    .and_then(|s| s.find('\n'))
                    .map_or(text.len(), |n| i + n);
            }
            b'"' if text.get(i..).is_some_and(|s| s.starts_with("\"\"\"")) => {
                match text.get(i + 3..).and_then(|s| s.find("\"\"\"")) {
                    Some(n) => i += 3 + n + 3,
                    None => {
                        let end = line_end(text, i);
                        report.open_string = Some(OpenString {
                            range: i..end,
                            triple: true,
                        });
                        return report;
                    }
                }
            }
            b'"' => {
                let mut j = i + 1;
                loop {
                    match bytes.get(j) {
                        Some(b'"') => {
                            i = j + 1;
                            break;
                        }
                        Some(b'\\') if !matches!(bytes.get(j + 1), None | Some(b'\n')) => j += 2,
                        Some(b'\n') | None => {
                            let end = line_end(text, i);
                            report.open_string = Some(OpenString {
                                range: i..end,
                                triple: false,
                            });
                            return report;
                        }
                        Some(_) => j += 1,
                    }
                }
            }
            b'{' => {
                report.open_braces.push(i);
                i += 1;
            }
            b'}' => {
                if let Some(block) = report.open_braces.pop() {
                    report.open_groups.retain(|&g| g < block);
                }
                i += 1;
            }
            b'(' | b'[' => {
                report.open_groups.push(i);
                i += 1;
            }
            b')' | b']' => {
                report.open_groups.pop();
                i += 1;
            }
            _ => i += 1,
        }
    }
    report
}

/// Length of `text` up to the end of its last token, leaving out trailing whitespace and
/// comments. `text` must start at a token boundary.
///
/// pest includes the whitespace skipped before a failed optional or repetition at the end of
/// a rule in that rule's span; spans are trimmed with this so they end at the last token.
pub(crate) fn token_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                i = text
                    .get(i..)
                    .and_then(|s| s.find('\n'))
                    .map_or(text.len(), |n| i + n);
            }
            b'"' if text.get(i..).is_some_and(|s| s.starts_with("\"\"\"")) => {
                i = text
                    .get(i + 3..)
                    .and_then(|s| s.find("\"\"\""))
                    .map_or(text.len(), |n| i + 3 + n + 3);
                end = i;
            }
            b'"' => {
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    j += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
                i = j.min(text.len());
                end = i;
            }
            _ if text.get(i..).is_some_and(|s| s.starts_with('\u{FEFF}')) => i += 3,
            _ => {
                i += 1;
                end = i;
            }
        }
    }
    end.min(text.len())
}

/// Offset of the end of the line containing `at` (before `\r\n` or `\n`).
fn line_end(text: &str, at: usize) -> usize {
    let end = text
        .get(at..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |n| at + n);
    if end > at && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode() {
        assert_eq!(
            unescape(r#"a\"b\\c\nd\te"#),
            Ok("a\"b\\c\nd\te".to_string())
        );
    }

    #[test]
    fn unknown_escape_is_an_error() {
        assert_eq!(
            unescape(r"ab\qc"),
            Err(LiteralError::InvalidEscape {
                escape: r"\q".into(),
                range: 2..4
            })
        );
    }

    #[test]
    fn text_block_is_dedented() {
        assert_eq!(
            dedent("\n    one\n      two\n\n    three\n  "),
            "one\n  two\n\nthree"
        );
        assert_eq!(dedent("first\n  second\n  third"), "first\nsecond\nthird");
        assert_eq!(dedent("\r\n  a\r\n  b\r\n"), "a\nb");
        assert_eq!(dedent(""), "");
    }

    #[test]
    fn numbers_decode() {
        assert_eq!(number_value("12_000"), Some(12000.0));
        assert_eq!(number_value("90%"), Some(0.9));
        assert_eq!(number_value("-1.5e2"), Some(-150.0));
        assert_eq!(number_value("1e999"), None);
    }

    #[test]
    fn token_end_skips_trailing_space_and_comments() {
        assert_eq!(token_end("a == \"#\"  # c \"\n  "), 8);
        assert_eq!(token_end("x \"\"\"a\n#b\"\"\" \r\n"), 12);
        assert_eq!(token_end("  "), 0);
    }

    #[test]
    fn scan_finds_open_string_and_braces() {
        let r = scan("type a { label \"x\" # \"\n required { b: c == \"d");
        assert_eq!(r.open_string.map(|s| s.range), Some(43..45));
        let r = scan("type a { required { b: c }");
        assert_eq!(r.open_braces, vec![7]);
    }
}
