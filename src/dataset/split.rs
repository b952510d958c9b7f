//! Text inputs cut into pieces of whole records, without parsing them.
//!
//! Input: a byte stream (CSV or JSON lines, already decoded to UTF-8). Output:
//! [`TextPiece`]s of about [`PIECE_BYTES`] each, every one cut just after a record's
//! final newline, with the line its first byte is on. Cutting only looks for newlines (and,
//! for CSV, quotes, because a quoted cell may hold a newline), so it is cheap enough to run
//! on one thread while the pieces are parsed and evaluated on all the others.

use std::io::Read;
use std::sync::Arc;

use super::error::DatasetError;

/// Bytes of input per piece: large enough that per-piece costs vanish, small enough that
/// every thread gets many pieces and memory stays a few megabytes.
pub(crate) const PIECE_BYTES: usize = 1024 * 1024;

/// Byte buffers handed back after use, so that pieces and output rows reuse memory instead
/// of asking the system for fresh pages at every piece.
#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

/// Buffers kept at most; more are freed.
const POOL_BUFFERS: usize = 64;

impl BufferPool {
    /// An empty buffer, with room from an earlier use when there is one.
    pub fn take(&self) -> Vec<u8> {
        self.free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    /// Hand a buffer back.
    pub fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if free.len() < POOL_BUFFERS {
            free.push(buffer);
        }
    }
}

/// How a text input separates records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One record per line (JSON lines)
    Lines,
    /// CSV rows; a newline inside a quoted cell does not end a record
    Csv {
        /// The cell delimiter
        delimiter: u8,
    },
}

/// Whole records of one text input.
#[derive(Debug)]
pub(crate) struct TextPiece {
    /// Index of the input
    pub source: u32,
    /// Name of the input, for errors
    pub name: Arc<str>,
    /// The line the first byte is on (1-based)
    pub first_line: u64,
    /// How records are separated
    pub layout: Layout,
    /// The bytes, ending just after a newline (or at the end of the input)
    pub bytes: Vec<u8>,
}

/// Where a CSV scan stands between two calls: inside a quoted cell or not, and the byte
/// before the next one (a quote opens a quoted cell only at the start of a cell).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CsvScan {
    delimiter: u8,
    quoted: bool,
    /// A quote was the last byte inside a quoted cell: the next byte says whether it was
    /// an escaped quote (`""`) or the end of the cell
    quote_pending: bool,
    prev: u8,
}

impl CsvScan {
    /// A scan at the start of a record.
    pub fn new(delimiter: u8) -> Self {
        CsvScan {
            delimiter,
            quoted: false,
            quote_pending: false,
            prev: b'\n',
        }
    }

    fn starts_cell(&self, prev: u8) -> bool {
        prev == self.delimiter || prev == b'\n' || prev == b'\r'
    }

    /// Scan `bytes[from..]`, continuing the scan that covered `bytes[..from]`; the offset
    /// just after the last newline that ends a record (the first one when `first`).
    ///
    /// The rules are those of the csv crate with its defaults: a quote at the start of a
    /// cell opens a quoted cell, `""` inside it is a quote, the next lone quote closes it;
    /// a quote anywhere else is an ordinary character.
    pub fn scan(&mut self, bytes: &[u8], from: usize, first: bool) -> Option<usize> {
        let mut cut = None;
        let mut i = from;
        while let Some(rest) = bytes.get(i..).filter(|r| !r.is_empty()) {
            if self.quote_pending {
                self.quote_pending = false;
                if rest.first() == Some(&b'"') {
                    // `""`: an escaped quote, still inside the cell.
                    self.prev = b'"';
                    i += 1;
                    continue;
                }
                self.quoted = false;
            }
            if self.quoted {
                match memchr::memchr(b'"', rest) {
                    Some(k) => {
                        i += k + 1;
                        self.quote_pending = true;
                        self.prev = b'"';
                    }
                    None => {
                        i = bytes.len();
                        self.prev = rest.last().copied().unwrap_or(self.prev);
                    }
                }
                continue;
            }
            match memchr::memchr2(b'"', b'\n', rest) {
                Some(k) => {
                    let before = match k {
                        0 => self.prev,
                        _ => rest.get(k - 1).copied().unwrap_or(self.prev),
                    };
                    let byte = rest.get(k).copied().unwrap_or(b'\n');
                    i += k + 1;
                    self.prev = byte;
                    if byte == b'\n' {
                        cut = Some(i);
                        if first {
                            return cut;
                        }
                    } else if self.starts_cell(before) {
                        self.quoted = true;
                    }
                }
                None => {
                    i = bytes.len();
                    self.prev = rest.last().copied().unwrap_or(self.prev);
                }
            }
        }
        cut
    }
}

/// Reads one text input and cuts it into pieces.
pub(crate) struct TextStream {
    reader: Box<dyn Read + Send>,
    pool: Arc<BufferPool>,
    source: u32,
    name: Arc<str>,
    layout: Layout,
    /// Read but not yet handed out; starts at a record boundary
    buf: Vec<u8>,
    /// How much of `buf` has been scanned for cuts
    scanned: usize,
    /// The last cut found in `buf[..scanned]`
    cut: Option<usize>,
    csv: CsvScan,
    /// The line `buf` starts on
    line: u64,
    started: bool,
    eof: bool,
    /// Target piece size ([`PIECE_BYTES`]; tests use tiny pieces)
    piece_bytes: usize,
}

impl TextStream {
    /// A stream over `reader`, the input number `source` called `name`.
    pub fn new(
        reader: Box<dyn Read + Send>,
        pool: Arc<BufferPool>,
        source: u32,
        name: &str,
        layout: Layout,
    ) -> Self {
        let delimiter = match layout {
            Layout::Csv { delimiter } => delimiter,
            Layout::Lines => b',',
        };
        TextStream {
            reader,
            pool,
            source,
            name: Arc::from(name),
            layout,
            buf: Vec::new(),
            scanned: 0,
            cut: None,
            csv: CsvScan::new(delimiter),
            line: 1,
            started: false,
            eof: false,
            piece_bytes: PIECE_BYTES,
        }
    }

    /// Read up to `want` more bytes; at the very start, drop a UTF-8 byte-order mark.
    fn fill(&mut self, want: usize) -> Result<(), DatasetError> {
        // Room for the whole read up front: no regrowing, no small probing reads.
        self.buf.reserve(want);
        let got = (&mut self.reader)
            .take(want as u64)
            .read_to_end(&mut self.buf)
            .map_err(|e| DatasetError::io("read", std::path::Path::new(&*self.name), &e))?;
        if got < want {
            self.eof = true;
        }
        if !self.started && (self.buf.len() >= 3 || self.eof) {
            self.started = true;
            if self.buf.starts_with(b"\xef\xbb\xbf") {
                self.buf.drain(..3);
            }
        }
        Ok(())
    }

    /// Scan what was read since the last scan.
    fn scan(&mut self, first: bool) {
        let found = match self.layout {
            Layout::Lines => {
                let new = self.buf.get(self.scanned..).unwrap_or(&[]);
                let found = if first {
                    memchr::memchr(b'\n', new)
                } else {
                    memchr::memrchr(b'\n', new)
                };
                let found = found.map(|k| self.scanned + k + 1);
                self.scanned = match (first, found) {
                    (true, Some(cut)) => cut,
                    _ => self.buf.len(),
                };
                found
            }
            Layout::Csv { .. } => {
                let found = self.csv.scan(&self.buf, self.scanned, first);
                self.scanned = match (first, found) {
                    (true, Some(cut)) => cut,
                    _ => self.buf.len(),
                };
                found
            }
        };
        if found.is_some() {
            self.cut = found;
        }
    }

    /// Hand out `buf[..cut]`.
    fn take(&mut self, cut: usize) -> Vec<u8> {
        let cut = cut.min(self.buf.len());
        let mut rest = self.pool.take();
        rest.extend_from_slice(self.buf.get(cut..).unwrap_or(&[]));
        self.buf.truncate(cut);
        let piece = std::mem::replace(&mut self.buf, rest);
        self.scanned = self.scanned.saturating_sub(piece.len());
        self.cut = None;
        self.line += memchr::memchr_iter(b'\n', &piece).count() as u64;
        piece
    }

    /// The first record's bytes (a CSV header row), or what there is when the input has
    /// no newline.
    pub fn first_record(&mut self) -> Result<Vec<u8>, DatasetError> {
        loop {
            self.scan(true);
            if let Some(cut) = self.cut {
                return Ok(self.take(cut));
            }
            if self.eof {
                let all = self.buf.len();
                return Ok(self.take(all));
            }
            self.fill(self.piece_bytes)?;
        }
    }

    /// The next piece of whole records, `None` at the end of the input.
    pub fn next_piece(&mut self) -> Result<Option<TextPiece>, DatasetError> {
        loop {
            if self.buf.len() >= self.piece_bytes || self.eof {
                self.scan(false);
                let cut = match self.cut {
                    Some(cut) => Some(cut),
                    None if self.eof => Some(self.buf.len()),
                    None => None,
                };
                if let Some(cut) = cut.filter(|&c| c > 0) {
                    let first_line = self.line;
                    let bytes = self.take(cut);
                    return Ok(Some(TextPiece {
                        source: self.source,
                        name: Arc::clone(&self.name),
                        first_line,
                        layout: self.layout,
                        bytes,
                    }));
                }
                if self.eof {
                    return Ok(None);
                }
            }
            // A record longer than a piece keeps growing the buffer until it ends.
            let want = self
                .piece_bytes
                .saturating_sub(self.buf.len())
                .max(self.piece_bytes / 4)
                .max(1);
            self.fill(want)?;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    /// Records and their lines, as the csv crate reads `bytes` starting on line `first`.
    fn csv_records(bytes: &[u8], first: u64) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut out = Vec::new();
        let mut row = csv::ByteRecord::new();
        while reader.read_byte_record(&mut row).unwrap() {
            let line = crate::dataset::input::record_line(bytes, row.position().unwrap(), first);
            out.push((row.iter().map(<[u8]>::to_vec).collect(), line));
        }
        out
    }

    /// Records of every piece a stream with `piece_bytes` cuts `text` into.
    fn piecewise(text: &[u8], piece_bytes: usize, layout: Layout) -> Vec<(Vec<Vec<u8>>, u64)> {
        let mut stream = TextStream::new(
            Box::new(std::io::Cursor::new(text.to_vec())),
            Arc::default(),
            0,
            "t",
            layout,
        );
        stream.piece_bytes = piece_bytes;
        let mut out = Vec::new();
        let mut total = 0;
        while let Some(piece) = stream.next_piece().unwrap() {
            total += piece.bytes.len();
            out.extend(csv_records(&piece.bytes, piece.first_line));
        }
        assert_eq!(total, text.len(), "every byte is handed out once");
        out
    }

    proptest! {
        /// Cutting a CSV text into pieces and reading each piece gives the records (and
        /// lines) that reading the whole text gives, whatever the quotes and newlines.
        #[test]
        fn pieces_read_like_the_whole_csv(
            text in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b' ')],
                0..200,
            ),
            piece_bytes in 1usize..40,
        ) {
            let whole = csv_records(&text, 1);
            let pieces = piecewise(&text, piece_bytes, Layout::Csv { delimiter: b',' });
            prop_assert_eq!(pieces, whole);
        }
    }

    /// Every cut `scan` reports, scanning the input in parts of `step` bytes.
    fn cuts(text: &[u8], step: usize) -> Vec<usize> {
        let mut scan = CsvScan::new(b',');
        let mut found = Vec::new();
        let mut from = 0;
        while from < text.len() {
            let to = (from + step).min(text.len());
            let part = &text[..to];
            let mut at = from;
            while let Some(cut) = scan.scan(part, at, true) {
                found.push(cut);
                at = cut;
            }
            from = to;
        }
        found
    }

    #[test]
    fn newlines_in_quoted_cells_do_not_cut() {
        let text = b"a,\"x\ny\",1\nb,\"say \"\"hi\"\"\n\",2\nc,5\" tall,3\n";
        assert_eq!(cuts(text, 1000), vec![10, 28, 40]);
        for step in 1..text.len() {
            assert_eq!(cuts(text, step), vec![10, 28, 40], "step {step}");
        }
    }

    #[test]
    fn records_after_blank_lines_have_their_own_line() {
        let text = b"a\n\n\nb\r\n\r\nc\n";
        let lines: Vec<u64> = csv_records(text, 1).iter().map(|r| r.1).collect();
        assert_eq!(lines, vec![1, 4, 6]);
    }

    #[test]
    fn a_quote_inside_an_unquoted_cell_is_an_ordinary_character() {
        // `5"` does not open a quoted cell, so the newline after it ends the record.
        let text = b"c,5\" x,1\nd,\"m\nn\",2\n";
        assert_eq!(cuts(text, 1000), vec![9, 19]);
    }
}
