//! Byte offsets ↔ editor positions (0-based line, UTF-16 column), and words at an offset.
//!
//! Input: the text of one rule file. Output: `lsp_types::Position`/`Range` for byte spans
//! and back. Offsets past the end are clamped; offsets inside a character round down to it,
//! so no input can make these functions panic.

use lsp_types::{Position, Range};

/// Line starts of one text, for converting offsets to positions and back.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts (the first is 0)
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Index the lines of `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// The position of a byte offset in `text` (the text this index was built from).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset);
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let column: usize = text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        Position::new(to_u32(line), to_u32(column))
    }

    /// The range of a byte span in `text`.
    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(
            self.position(text, start),
            self.position(text, end.max(start)),
        )
    }

    /// The byte offset of a position in `text`; positions past a line's end give its end,
    /// lines past the last give the end of the text.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.line_starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let line = text.get(start..end).unwrap_or("");
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize || c == '\r' || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + line.len()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The largest character boundary at or before `offset` (clamped to the text).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Whether a character can be part of a name (`share_micro_small`, `Sarchí`).
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The name touching `offset` (under or just before the cursor): its byte span and text.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, usize, &str)> {
    let offset = floor_char_boundary(text, offset);
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = offset
        + after
            .char_indices()
            .find(|(_, c)| !is_name_char(*c))
            .map_or(after.len(), |(i, _)| i);
    let word = text.get(start..end)?;
    let starts_like_name = word.chars().next().is_some_and(|c| !c.is_ascii_digit());
    (!word.is_empty() && starts_like_name).then_some((start, end, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "fact a: text\n# Sarchí 𝄞 x\n";
        let index = LineIndex::new(text);
        let x = text.find(" x").map_or(0, |i| i + 1);
        // `# Sarchí ` is 9 units, the clef is 2 more, then a space.
        assert_eq!(index.position(text, x), Position::new(1, 12));
        assert_eq!(index.offset(text, Position::new(1, 12)), x);
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, Position::new(0, 99)), 2);
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.position(text, 999), Position::new(1, 2));
    }

    #[test]
    fn word_at_finds_the_name_under_or_before_the_cursor() {
        let text = "trust <= medium";
        assert_eq!(word_at(text, 2).map(|w| w.2), Some("trust"));
        assert_eq!(word_at(text, 5).map(|w| w.2), Some("trust"));
        assert_eq!(word_at(text, 7).map(|w| w.2), None);
        assert_eq!(word_at(text, text.len()).map(|w| w.2), Some("medium"));
        assert_eq!(word_at("x >= 90", 7), None);
    }
}
