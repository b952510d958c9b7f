//! JSON facts files: text → [`Node`] tree with byte spans.
//!
//! Input: the file text. Output: the top-level [`Node`] or the syntax error.
//! `serde_json` checks the syntax (and gives the error position); a small scanner then
//! walks the already valid text to record where every key and value was written, which
//! `serde_json` does not tell, and to keep duplicate keys (which it would merge).

use super::node::{char_span, line_start, Entry, Node, NodeKind, SyntaxIssue};

/// Read a JSON facts file.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxIssue> {
    if let Err(err) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(syntax_issue(text, &err));
    }
    let mut scanner = Scanner { text, pos: 0 };
    scanner.skip_ws();
    let node = scanner.value()?;
    Ok(node)
}

/// Turn a serde_json error into a spanned issue without the "at line … column …" suffix.
fn syntax_issue(text: &str, err: &serde_json::Error) -> SyntaxIssue {
    let full = err.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full).to_string(),
        None => full,
    };
    // serde_json counts columns in bytes, ending on the offending byte.
    let offset = if err.line() == 0 {
        text.len()
    } else {
        (line_start(text, err.line()) + err.column().saturating_sub(1)).min(text.len())
    };
    let mut offset = offset;
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    SyntaxIssue {
        message,
        span: char_span(text, offset),
        duplicate_key: None,
    }
}

/// Walks JSON text that `serde_json` has already accepted.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn issue(&self, message: &str) -> SyntaxIssue {
        SyntaxIssue {
            message: message.into(),
            span: char_span(self.text, self.pos),
            duplicate_key: None,
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), SyntaxIssue> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.issue(&format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self) -> Result<Node, SyntaxIssue> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => NodeKind::Str(self.string()?),
            Some(b't') => self.literal("true", NodeKind::Bool(true))?,
            Some(b'f') => self.literal("false", NodeKind::Bool(false))?,
            Some(b'n') => self.literal("null", NodeKind::Null)?,
            _ => self.number()?,
        };
        Ok(Node::new(kind, start..self.pos))
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> Result<NodeKind, SyntaxIssue> {
        if self
            .text
            .get(self.pos..)
            .is_some_and(|r| r.starts_with(word))
        {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.issue("expected a value"))
        }
    }

    fn number(&mut self) -> Result<NodeKind, SyntaxIssue> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        let slice = self.text.get(start..self.pos).unwrap_or("");
        // Out-of-range literals such as 1e400 become infinite and are rejected by validation.
        match slice.parse::<f64>() {
            Ok(n) if !slice.is_empty() => Ok(NodeKind::Number(n)),
            _ => {
                self.pos = start;
                Err(self.issue("expected a value"))
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxIssue> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => self.pos += 2,
                Some(_) => self.pos += 1,
                None => return Err(self.issue("unterminated string")),
            }
        }
        self.pos += 1;
        let raw = self.text.get(start..self.pos).unwrap_or("\"\"");
        serde_json::from_str::<String>(raw).map_err(|_| SyntaxIssue {
            message: "invalid string".into(),
            span: start..self.pos,
            duplicate_key: None,
        })
    }

    fn array(&mut self) -> Result<NodeKind, SyntaxIssue> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(NodeKind::List(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(NodeKind::List(items));
                }
                _ => return Err(self.issue("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self) -> Result<NodeKind, SyntaxIssue> {
        self.expect(b'{')?;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(NodeKind::Map(entries));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                return Err(self.issue("expected a key"));
            }
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let value = self.value()?;
            entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(NodeKind::Map(entries));
                }
                _ => return Err(self.issue("expected `,` or `}`")),
            }
        }
    }
}
