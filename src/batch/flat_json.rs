//! The common JSON record, read without serde: one flat object of plain values.
//!
//! Input: the text of one JSON record. Output: its facts written into the slots (through
//! the same handlers as the serde reader), or `false` when the record is anything but the
//! common shape: a string with an escape or a control character, a nested object, a list
//! of anything but strings, a number that is not a plain decimal (`1e-3`, more than 15
//! digits, `-0`), or invalid JSON. The caller then reads the record with serde_json,
//! which gives the same values for the common shape and words every error. Census
//! extracts are nearly all of the common shape, and this reader does a third of the work.

use std::borrow::Cow;

use super::columns::Target;
use super::convert::{plain_decimal, Cell};
use super::record::{json_id, RecordParser, Scratch};

/// Read `text` into `s` and `id`; `false` when the record is not of the common shape (what
/// was written must then be discarded).
pub(super) fn read<'de>(
    parser: &RecordParser<'_>,
    text: &'de [u8],
    s: &mut Scratch,
    id: &mut Option<Cow<'de, str>>,
) -> bool {
    // One validation of the whole record; strings are then cut from it at quotes, which
    // are always character boundaries.
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let mut p = Cursor {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    p.space();
    if !p.eat(b'{') {
        return false;
    }
    p.space();
    if !p.eat(b'}') {
        let mut index = 0;
        loop {
            p.space();
            let Some(key) = p.string() else {
                return false;
            };
            p.space();
            if !p.eat(b':') {
                return false;
            }
            p.space();
            let Some(cell) = p.value() else {
                return false;
            };
            match parser.json_target(s, index, key) {
                Some(Target::Fact(fact)) => parser.json_fact(fact, key, &cell, s),
                Some(Target::Id) => *id = json_id(key, cell, s),
                Some(Target::Ignore | Target::Unnamed) => {}
                None => parser.json_unknown(key, s),
            }
            index += 1;
            p.space();
            if p.eat(b',') {
                continue;
            }
            if p.eat(b'}') {
                break;
            }
            return false;
        }
    }
    p.space();
    p.at >= p.bytes.len()
}

struct Cursor<'de> {
    text: &'de str,
    bytes: &'de [u8],
    at: usize,
}

impl<'de> Cursor<'de> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn eat_word(&mut self, word: &[u8]) -> bool {
        let found = self
            .bytes
            .get(self.at..)
            .is_some_and(|r| r.starts_with(word));
        if found {
            self.at += word.len();
        }
        found
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters. Strings are short (names, levels):
    /// a plain loop beats a vectorised search here.
    fn string(&mut self) -> Option<&'de str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.at;
        let len = self
            .bytes
            .get(start..)?
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if self.bytes.get(start + len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A plain decimal in JSON's grammar (no leading zeros, no exponent).
    fn number(&mut self) -> Option<f64> {
        let start = self.at;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.at += 1;
        }
        let span = self.bytes.get(start..self.at)?;
        let digits = span.strip_prefix(b"-").unwrap_or(span);
        if digits.first() == Some(&b'0') && digits.get(1).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let n = plain_decimal(span)?;
        // `-0` is left to serde_json, whichever way it reads it.
        (n != 0.0 || !n.is_sign_negative()).then_some(n)
    }

    fn value(&mut self) -> Option<Cell<'de>> {
        match self.peek()? {
            b'"' => self.string().map(Cell::Str),
            b'-' | b'0'..=b'9' => self.number().map(Cell::Number),
            b't' if self.eat_word(b"true") => Some(Cell::Bool(true)),
            b'f' if self.eat_word(b"false") => Some(Cell::Bool(false)),
            b'n' if self.eat_word(b"null") => Some(Cell::Empty),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.eat(b']') {
                    return Some(Cell::List(items));
                }
                loop {
                    self.space();
                    items.push(Cell::Str(self.string()?));
                    self.space();
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b']') {
                        return Some(Cell::List(items));
                    }
                    return None;
                }
            }
            _ => None,
        }
    }
}
