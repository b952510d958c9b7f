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
use super::convert::{Cell, POW10};

/// Bytes that end the plain part of a JSON string: the closing quote, a backslash (an
/// escape) and control characters (invalid inside a string).
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range would not compile"
)]
const STRING_STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        stop[b] = true;
        b += 1;
    }
    stop[b'"' as usize] = true;
    stop[b'\\' as usize] = true;
    stop
};
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
    /// a table look-up per byte beats a vectorised search here.
    fn string(&mut self) -> Option<&'de str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.at;
        let len = self
            .bytes
            .get(start..)?
            .iter()
            .position(|&b| STRING_STOP.get(usize::from(b)) == Some(&true))?;
        if self.bytes.get(start + len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A plain decimal in JSON's grammar (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, at most 15 digits),
    /// read exactly in one pass as [`plain_decimal`](super::convert::plain_decimal) reads it.
    /// `-0` is left to serde_json, whichever way it reads it.
    fn number(&mut self) -> Option<f64> {
        let negative = self.eat(b'-');
        let first = self.peek()?;
        let next = self.bytes.get(self.at + 1).copied();
        if !first.is_ascii_digit() || (first == b'0' && next.is_some_and(|b| b.is_ascii_digit())) {
            return None;
        }
        let (mut mantissa, mut digits, mut fraction) = (0u64, 0usize, None::<usize>);
        while let Some(b) = self.peek() {
            match b {
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    digits += 1;
                    if digits > 15 {
                        return None;
                    }
                }
                b'.' if fraction.is_none() => fraction = Some(digits),
                b'.' | b'e' | b'E' | b'+' | b'-' => return None,
                _ => break,
            }
            self.at += 1;
        }
        let scale = match fraction {
            Some(at) if at == digits => return None,
            Some(at) => digits - at,
            None => 0,
        };
        if negative && mantissa == 0 {
            return None;
        }
        let value = mantissa as f64 / POW10.get(scale).copied()?;
        Some(if negative { -value } else { value })
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
