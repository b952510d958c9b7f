//! Dataset inputs: open data files and read their records in chunks, undecoded.
//!
//! Input: paths (CSV, JSONL, JSON array, `.xlsx`/`.ods` sheets) and reading options.
//! Output: the headers of each input (for column resolution) and a [`Reader`] that yields
//! chunks of [`RawRecord`]s in input order. Text is streamed; a JSON array is split into
//! its elements without building a tree; spreadsheets are loaded whole (calamine reads
//! the whole sheet).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use calamine::{Data, Reader as _};

use super::error::DatasetError;
use super::sniff::{self, Sniffed};
use super::split::{BufferPool, Layout, TextPiece, TextStream};

/// The format of a dataset input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// Comma- (or `--delimiter`-) separated values with a header row
    Csv,
    /// One JSON object per line
    Jsonl,
    /// A JSON array of objects
    Json,
    /// An Excel or OpenDocument workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`)
    Sheet,
    /// Apache Parquet (`.parquet`, `.pq`)
    Parquet,
    /// Arrow IPC, file or stream format (`.arrow`, `.feather`, `.ipc`, `.arrows`)
    Arrow,
}

impl InputFormat {
    /// The format a file name's extension stands for.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" | "tsv" | "tab" | "txt" => InputFormat::Csv,
            "jsonl" | "ndjson" => InputFormat::Jsonl,
            "json" => InputFormat::Json,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => InputFormat::Sheet,
            "parquet" | "pq" => InputFormat::Parquet,
            "arrow" | "arrows" | "feather" | "ipc" => InputFormat::Arrow,
            _ => return None,
        })
    }
}

impl FromStr for InputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(InputFormat::Csv),
            "jsonl" | "ndjson" => Ok(InputFormat::Jsonl),
            "json" => Ok(InputFormat::Json),
            "xlsx" | "ods" | "sheet" => Ok(InputFormat::Sheet),
            "parquet" => Ok(InputFormat::Parquet),
            "arrow" | "ipc" | "feather" | "arrow-stream" | "arrows" => Ok(InputFormat::Arrow),
            _ => Err(format!(
                "unknown input format `{s}`: use `csv`, `jsonl`, `json`, `xlsx`, `ods`, `parquet` or `arrow`"
            )),
        }
    }
}

/// The character encoding of text inputs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is skipped)
    #[default]
    Utf8,
    /// ISO-8859-1, decoded as Windows-1252 (its superset, as browsers do)
    Latin1,
    /// Windows-1252
    Windows1252,
}

impl FromStr for Encoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" => Ok(Encoding::Latin1),
            "windows-1252" | "cp1252" | "win1252" => Ok(Encoding::Windows1252),
            _ => Err(format!(
                "unknown encoding `{s}`: use `utf-8`, `latin1` or `windows-1252`"
            )),
        }
    }
}

/// How inputs are read.
#[derive(Clone, Debug, Default)]
pub struct InputOptions {
    /// Data files; `-` is standard input (needs `format`)
    pub paths: Vec<PathBuf>,
    /// Format of every input, instead of telling it from the extension
    pub format: Option<InputFormat>,
    /// CSV field delimiter [default: sniffed from the first lines (`,` `;` tab `|`), tab for
    /// `.tsv`]
    pub delimiter: Option<u8>,
    /// Text encoding of CSV and JSON inputs
    pub encoding: Encoding,
    /// Sheet of a workbook [default: the first]
    pub sheet: Option<String>,
    /// `--decimal-comma` was given: decimal commas are not sniffed
    pub decimal_comma: bool,
}

/// One record as read, before its cells are converted; borrowed from its [`Piece`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawRecord<'a> {
    /// Index of the input it came from
    pub source: u32,
    /// 1-based line (text inputs) or row (spreadsheets) where it starts
    pub line: u64,
    /// The cells
    pub data: RawData<'a>,
}

/// The undecoded cells of a record.
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawData<'a> {
    /// A CSV row
    Csv(&'a csv::ByteRecord),
    /// The text of one JSON object
    Json(&'a [u8]),
    /// A spreadsheet row
    Cells(&'a [Data]),
    /// A row of a Parquet or Arrow batch
    Arrow {
        /// The batch
        batch: &'a arrow_array::RecordBatch,
        /// The row in it
        row: usize,
    },
}

/// A record read on its own (an element of a JSON array, a spreadsheet row).
#[derive(Clone, Debug)]
pub(crate) struct OwnedRecord {
    source: u32,
    line: u64,
    data: OwnedData,
}

#[derive(Clone, Debug)]
enum OwnedData {
    Json(Vec<u8>),
    Cells(Vec<Data>),
}

/// Records per piece for inputs read record by record.
const RECORDS_PER_PIECE: usize = 256;

/// A unit of work: whole records of one input, processed by one worker.
#[derive(Debug)]
pub(crate) enum Piece {
    /// Whole records of a CSV or JSON lines input, not yet split
    Text(TextPiece),
    /// Records read one by one
    Records(Vec<OwnedRecord>),
    /// Rows of a Parquet or Arrow input, still in columns
    Columns(ColumnPiece),
}

/// Rows of a Parquet or Arrow input.
#[derive(Debug)]
pub(crate) struct ColumnPiece {
    /// Input index
    pub source: u32,
    /// Row number (1-based) of the batch's first row
    pub first_row: u64,
    /// The rows
    pub batch: arrow_array::RecordBatch,
}

impl Piece {
    /// Call `each` on every record of the piece, in order.
    pub fn for_each_record(
        &self,
        mut each: impl FnMut(&RawRecord<'_>),
    ) -> Result<(), DatasetError> {
        match self {
            Piece::Columns(piece) => {
                for row in 0..piece.batch.num_rows() {
                    each(&RawRecord {
                        source: piece.source,
                        line: piece.first_row + row as u64,
                        data: RawData::Arrow {
                            batch: &piece.batch,
                            row,
                        },
                    });
                }
                Ok(())
            }
            Piece::Records(records) => {
                for r in records {
                    let data = match &r.data {
                        OwnedData::Json(text) => RawData::Json(text),
                        OwnedData::Cells(cells) => RawData::Cells(cells),
                    };
                    each(&RawRecord {
                        source: r.source,
                        line: r.line,
                        data,
                    });
                }
                Ok(())
            }
            Piece::Text(piece) => match piece.layout {
                Layout::Lines => {
                    each_line(piece, each);
                    Ok(())
                }
                Layout::Csv { delimiter } => {
                    let mut reader = csv::ReaderBuilder::new()
                        .delimiter(delimiter)
                        .flexible(true)
                        .has_headers(false)
                        .from_reader(piece.bytes.as_slice());
                    let mut row = csv::ByteRecord::new();
                    while reader
                        .read_byte_record(&mut row)
                        .map_err(|e| csv_error(&piece.name, &e))?
                    {
                        let line = row.position().map_or(piece.first_line, |p| {
                            record_line(&piece.bytes, p, piece.first_line)
                        });
                        each(&RawRecord {
                            source: piece.source,
                            line,
                            data: RawData::Csv(&row),
                        });
                    }
                    Ok(())
                }
            },
        }
    }

    /// Hand the piece's buffer back for the next one.
    pub fn recycle(self, pool: &BufferPool) {
        if let Piece::Text(piece) = self {
            pool.give(piece.bytes);
        }
    }

    /// How many bytes of input the piece holds (0 for records read one by one).
    pub fn len_bytes(&self) -> usize {
        match self {
            Piece::Text(piece) => piece.bytes.len(),
            Piece::Records(_) => 0,
            Piece::Columns(piece) => piece.batch.num_rows() * 64,
        }
    }
}

/// The line a CSV record's first byte is on, for a record at `position` in `bytes`, which
/// start on line `first`. The csv crate gives the position where it started reading,
/// before any blank lines it skipped; those are counted here.
pub(crate) fn record_line(bytes: &[u8], position: &csv::Position, first: u64) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let blank = bytes
        .get(start..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count() as u64;
    first + position.line() - 1 + blank
}

/// The non-blank lines of a JSON lines piece, each with its line number.
fn each_line(piece: &TextPiece, mut each: impl FnMut(&RawRecord<'_>)) {
    let bytes = piece.bytes.as_slice();
    let mut line = piece.first_line;
    let mut rest = bytes;
    while !rest.is_empty() {
        let (text, next) = match memchr::memchr(b'\n', rest) {
            Some(k) => (
                rest.get(..k).unwrap_or(&[]),
                rest.get(k + 1..).unwrap_or(&[]),
            ),
            None => (rest, &[][..]),
        };
        if !text.iter().all(u8::is_ascii_whitespace) {
            each(&RawRecord {
                source: piece.source,
                line,
                data: RawData::Json(text),
            });
        }
        line += 1;
        rest = next;
    }
}

/// What is known about an input once it is open.
#[derive(Clone, Debug)]
pub(crate) struct SourceInfo {
    /// The path as given
    pub name: String,
    /// Column headers (CSV, spreadsheets, Parquet, Arrow); `None` for JSON
    pub headers: Option<Vec<String>>,
    /// The Arrow schema of a Parquet or Arrow input
    pub schema: Option<arrow_schema::Schema>,
    /// Size in bytes, for progress (0 when unknown)
    pub size: u64,
    /// What the first lines of a CSV input told: its delimiter when none was given (by
    /// `--delimiter` or a `.tsv` name), decimal commas unless `--decimal-comma` was given
    pub sniffed: Option<Sniffed>,
}

type TextReader = Box<dyn Read + Send>;

enum Stream {
    Text(TextStream),
    Array(ArrayScanner<BufReader<TextReader>>),
    Sheet {
        range: calamine::Range<Data>,
        next: usize,
        first_row: u64,
    },
    Columnar(super::columnar::Batches),
}

/// Reads the records of every input, in order.
pub(crate) struct Reader {
    /// Buffers shared with the workers and the writer
    pool: Arc<BufferPool>,
    streams: Vec<Stream>,
    names: Vec<String>,
    sizes: Vec<u64>,
    /// Bytes read from each input's file (before decoding), for progress
    raw: Vec<Arc<AtomicU64>>,
    /// Whether every input's size is known (standard input's is not)
    sized: bool,
    current: usize,
}

/// Open every input: headers are read now, so that columns can be resolved before any
/// record is.
pub(crate) fn open(opts: &InputOptions) -> Result<(Vec<SourceInfo>, Reader), DatasetError> {
    let pool = Arc::new(BufferPool::default());
    let mut infos = Vec::new();
    let mut streams = Vec::new();
    let mut raw = Vec::new();
    for path in &opts.paths {
        let counter = Arc::new(AtomicU64::new(0));
        raw.push(Arc::clone(&counter));
        let name = path.display().to_string();
        let stdin = path.as_os_str() == "-";
        let Some(format) = opts.format.or_else(|| InputFormat::from_path(path)) else {
            return Err(DatasetError::UnknownFormat { path: name });
        };
        if !stdin && path.is_dir() {
            return Err(DatasetError::Io {
                action: "read",
                path: name,
                reason: "it is a directory".into(),
                help: Some("give the path of a data file".into()),
            });
        }
        let size = if stdin {
            0
        } else {
            std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
        };
        let mut schema = None;
        let mut sniffed = None;
        let (headers, stream) = match format {
            InputFormat::Parquet | InputFormat::Arrow => {
                let kind = match format {
                    InputFormat::Parquet => super::columnar::Kind::Parquet,
                    _ => super::columnar::Kind::Arrow,
                };
                let (s, batches) = super::columnar::open(path, kind)?;
                let headers = s.fields().iter().map(|f| f.name().clone()).collect();
                schema = Some(s);
                (Some(headers), Stream::Columnar(batches))
            }
            InputFormat::Sheet if stdin => {
                return Err(DatasetError::BadOption {
                    message: "spreadsheets cannot be read from standard input".into(),
                    help: Some("give the path of the `.xlsx` or `.ods` file".into()),
                })
            }
            InputFormat::Sheet => open_sheet(path, opts.sheet.as_deref())?,
            InputFormat::Csv => {
                let tsv = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
                let mut reader = text_reader(path, opts.encoding, &counter)?;
                let given = opts.delimiter.or(tsv.then_some(b'\t'));
                // The first lines tell the delimiter when it is not given, and whether
                // numbers have decimal commas when `--decimal-comma` does not say so.
                let delimiter = match given {
                    Some(d) if opts.decimal_comma => d,
                    _ => {
                        let mut sample = Vec::with_capacity(sniff::SAMPLE_BYTES);
                        (&mut reader)
                            .take(sniff::SAMPLE_BYTES as u64)
                            .read_to_end(&mut sample)
                            .map_err(|e| DatasetError::io("read", path, &e))?;
                        let found = sniff::sniff(&sample, given);
                        sniffed = Some(found);
                        reader = Box::new(std::io::Cursor::new(sample).chain(reader));
                        found.delimiter
                    }
                };
                let source = u32::try_from(streams.len()).unwrap_or(u32::MAX);
                let mut stream = TextStream::new(
                    reader,
                    Arc::clone(&pool),
                    source,
                    &name,
                    Layout::Csv { delimiter },
                );
                let header_row = stream.first_record()?;
                let mut header_reader = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .has_headers(false)
                    .from_reader(header_row.as_slice());
                let mut headers = csv::ByteRecord::new();
                header_reader
                    .read_byte_record(&mut headers)
                    .map_err(|e| csv_error(&name, &e))?;
                let headers: Vec<String> = headers
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).trim().to_string())
                    .collect();
                if headers.is_empty() || headers.iter().all(String::is_empty) {
                    return Err(DatasetError::Malformed {
                        path: name,
                        reason: "there is no header row".into(),
                        help: Some("the first line names the columns: `id,firms,trust,...`".into()),
                    });
                }
                (Some(headers), Stream::Text(stream))
            }
            InputFormat::Jsonl => {
                let source = u32::try_from(streams.len()).unwrap_or(u32::MAX);
                (
                    None,
                    Stream::Text(TextStream::new(
                        text_reader(path, opts.encoding, &counter)?,
                        Arc::clone(&pool),
                        source,
                        &name,
                        Layout::Lines,
                    )),
                )
            }
            InputFormat::Json => (
                None,
                Stream::Array(ArrayScanner::new(BufReader::with_capacity(
                    1 << 16,
                    text_reader(path, opts.encoding, &counter)?,
                ))),
            ),
        };
        infos.push(SourceInfo {
            name,
            headers,
            schema,
            size,
            sniffed,
        });
        streams.push(stream);
    }
    let reader = Reader {
        streams,
        names: infos.iter().map(|i| i.name.clone()).collect(),
        sizes: infos.iter().map(|i| i.size).collect(),
        raw,
        sized: !opts.paths.iter().any(|p| p.as_os_str() == "-"),
        current: 0,
        pool,
    };
    Ok((infos, reader))
}

/// Counts the bytes read through it (the file's bytes, before decoding), for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The text of `path` (`-`: standard input), decoded to UTF-8; the bytes read from the
/// file are counted in `count`.
fn text_reader(
    path: &Path,
    encoding: Encoding,
    count: &Arc<AtomicU64>,
) -> Result<TextReader, DatasetError> {
    let count = Arc::clone(count);
    let raw: TextReader = if path.as_os_str() == "-" {
        Box::new(Counting {
            inner: std::io::stdin(),
            count,
        })
    } else {
        let file = File::open(path).map_err(|e| DatasetError::io("read", path, &e))?;
        Box::new(Counting { inner: file, count })
    };
    Ok(match encoding {
        Encoding::Utf8 => raw,
        Encoding::Latin1 | Encoding::Windows1252 => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding_rs::WINDOWS_1252))
                .build(raw),
        ),
    })
}

fn open_sheet(
    path: &Path,
    sheet: Option<&str>,
) -> Result<(Option<Vec<String>>, Stream), DatasetError> {
    let name = path.display().to_string();
    let malformed = |reason: String, help: Option<String>| DatasetError::Malformed {
        path: name.clone(),
        reason,
        help,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(io) => DatasetError::io("read", path, &io),
        other => malformed(
            format!(
                "not a readable workbook ({})",
                other.to_string().to_lowercase()
            ),
            None,
        ),
    })?;
    let names = book.sheet_names();
    let chosen = match sheet {
        Some(s) if names.iter().any(|n| n == s) => s.to_string(),
        Some(s) => {
            return Err(malformed(
                format!("there is no sheet `{s}`"),
                Some(format!("sheets: {}", quoted(&names))),
            ))
        }
        None => match names.first() {
            Some(first) => first.clone(),
            None => return Err(malformed("the workbook has no sheets".into(), None)),
        },
    };
    let range = book
        .worksheet_range(&chosen)
        .map_err(|e| malformed(format!("cannot read sheet `{chosen}`: {e}"), None))?;
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row)) + 1;
    let Some(header_row) = range.rows().next() else {
        return Err(malformed(
            format!("sheet `{chosen}` is empty"),
            Some("the first row names the columns: `id`, `firms`, `trust`, ...".into()),
        ));
    };
    let headers: Vec<String> = header_row
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    Ok((
        Some(headers),
        Stream::Sheet {
            range,
            next: 1,
            first_row,
        },
    ))
}

fn quoted(names: &[String]) -> String {
    let parts: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    parts.join(", ")
}

fn csv_error(name: &str, e: &csv::Error) -> DatasetError {
    DatasetError::Malformed {
        path: name.into(),
        reason: e.to_string().to_lowercase(),
        help: None,
    }
}

impl Reader {
    /// The next piece of work, or `None` at the end of the last input.
    pub fn next_piece(&mut self) -> Result<Option<Piece>, DatasetError> {
        while let Some(stream) = self.streams.get_mut(self.current) {
            let source = u32::try_from(self.current).unwrap_or(u32::MAX);
            let name = self.names.get(self.current).map_or("", String::as_str);
            let piece = match stream {
                Stream::Text(text) => text.next_piece()?.map(Piece::Text),
                Stream::Columnar(batches) => batches.next_piece()?.map(|(first_row, batch)| {
                    Piece::Columns(ColumnPiece {
                        source,
                        first_row,
                        batch,
                    })
                }),
                _ => {
                    let mut records = Vec::new();
                    while records.len() < RECORDS_PER_PIECE {
                        match next_record(stream, source, name)? {
                            Some(r) => records.push(r),
                            None => break,
                        }
                    }
                    (!records.is_empty()).then_some(Piece::Records(records))
                }
            };
            match piece {
                Some(piece) => return Ok(Some(piece)),
                None => self.current += 1,
            }
        }
        Ok(None)
    }

    /// The buffers pieces are read into; hand them back with [`Piece::recycle`].
    pub fn pool(&self) -> Arc<BufferPool> {
        Arc::clone(&self.pool)
    }

    /// Bytes of the input files read so far: counted before decoding (a Latin-1 `é` is one
    /// byte of the file, two once decoded), estimated from the rows for spreadsheets; never
    /// more than [`Reader::total`] when that is known.
    pub fn position(&self) -> u64 {
        let done: u64 = self.sizes.iter().take(self.current).sum();
        let within = match self.streams.get(self.current) {
            Some(Stream::Text(_) | Stream::Array(_)) => self
                .raw
                .get(self.current)
                .map_or(0, |c| c.load(Ordering::Relaxed)),
            Some(Stream::Columnar(b)) if b.total_rows > 0 => {
                let size = self.sizes.get(self.current).copied().unwrap_or(0);
                size.saturating_mul(b.rows) / b.total_rows
            }
            Some(Stream::Columnar(_)) => 0,
            Some(Stream::Sheet { range, next, .. }) => {
                let size = self.sizes.get(self.current).copied().unwrap_or(0);
                let height = range.height().max(1) as u64;
                size.saturating_mul(*next as u64) / height
            }
            None => 0,
        };
        if self.sized {
            (done + within).min(self.total())
        } else {
            self.raw.iter().map(|c| c.load(Ordering::Relaxed)).sum()
        }
    }

    /// Total size of the inputs in bytes (0 when unknown: one of them is standard input).
    pub fn total(&self) -> u64 {
        if self.sized {
            self.sizes.iter().sum()
        } else {
            0
        }
    }
}

fn next_record(
    stream: &mut Stream,
    source: u32,
    name: &str,
) -> Result<Option<OwnedRecord>, DatasetError> {
    match stream {
        Stream::Text(_) | Stream::Columnar(_) => Ok(None),
        Stream::Array(scanner) => match scanner.next_element(name)? {
            Some((line, text)) => Ok(Some(OwnedRecord {
                source,
                line,
                data: OwnedData::Json(text),
            })),
            None => Ok(None),
        },
        Stream::Sheet {
            range,
            next,
            first_row,
        } => {
            let Some(row) = range.rows().nth(*next) else {
                return Ok(None);
            };
            let line = *first_row + *next as u64;
            *next += 1;
            Ok(Some(OwnedRecord {
                source,
                line,
                data: OwnedData::Cells(row.to_vec()),
            }))
        }
    }
}

/// Splits a JSON array into the text of its elements, without parsing them: only strings
/// and bracket depth are tracked, so memory holds one element at a time.
pub(crate) struct ArrayScanner<R> {
    reader: R,
    state: ArrayState,
    line: u64,
    bytes: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    Start,
    First,
    Next,
    Done,
}

impl<R: BufRead> ArrayScanner<R> {
    fn new(reader: R) -> Self {
        ArrayScanner {
            reader,
            state: ArrayState::Start,
            line: 1,
            bytes: 0,
        }
    }

    /// Skip whitespace (and a byte-order mark at the start); the next byte, not consumed.
    fn peek(&mut self, name: &str) -> Result<Option<u8>, DatasetError> {
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| DatasetError::io("read", Path::new(name), &e))?;
            let Some(&b) = buf.first() else {
                return Ok(None);
            };
            if self.bytes == 0 && buf.starts_with(b"\xef\xbb\xbf") {
                self.reader.consume(3);
                self.bytes += 3;
                continue;
            }
            if b.is_ascii_whitespace() {
                if b == b'\n' {
                    self.line += 1;
                }
                self.reader.consume(1);
                self.bytes += 1;
                continue;
            }
            return Ok(Some(b));
        }
    }

    fn bump(&mut self) {
        self.reader.consume(1);
        self.bytes += 1;
    }

    fn error(&self, name: &str, what: &str) -> DatasetError {
        DatasetError::Malformed {
            path: name.into(),
            reason: format!("{what} (line {})", self.line),
            help: Some(
                "a `.json` input is one array of records: [{\"id\": \"a\", \"firms\": 120}, ...]; for one record per line use `.jsonl`"
                    .into(),
            ),
        }
    }

    /// The next element's starting line and text; `None` after the closing `]`.
    fn next_element(&mut self, name: &str) -> Result<Option<(u64, Vec<u8>)>, DatasetError> {
        loop {
            match self.state {
                ArrayState::Done => return Ok(None),
                ArrayState::Start => match self.peek(name)? {
                    Some(b'[') => {
                        self.bump();
                        self.state = ArrayState::First;
                    }
                    Some(_) => return Err(self.error(name, "expected `[` at the start")),
                    None => return Err(self.error(name, "the file is empty")),
                },
                ArrayState::First | ArrayState::Next => {
                    match self.peek(name)? {
                        None => return Err(self.error(name, "the array is not closed with `]`")),
                        Some(b']') => {
                            self.bump();
                            self.state = ArrayState::Done;
                            if self.peek(name)?.is_some() {
                                return Err(self.error(name, "text after the closing `]`"));
                            }
                            return Ok(None);
                        }
                        Some(b',') if self.state == ArrayState::Next => {
                            self.bump();
                            if matches!(self.peek(name)?, Some(b']') | None) {
                                return Err(self.error(name, "a `,` without a record after it"));
                            }
                        }
                        Some(_) if self.state == ArrayState::Next => {
                            return Err(self.error(name, "expected `,` or `]` between records"))
                        }
                        Some(_) => {}
                    }
                    let line = self.line;
                    let text = self.element(name)?;
                    self.state = ArrayState::Next;
                    return Ok(Some((line, text)));
                }
            }
        }
    }

    /// The text of one element, up to (not including) the `,` or `]` that ends it.
    fn element(&mut self, name: &str) -> Result<Vec<u8>, DatasetError> {
        let mut out = Vec::new();
        let (mut depth, mut in_string, mut escape) = (0u32, false, false);
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| DatasetError::io("read", Path::new(name), &e))?;
            if buf.is_empty() {
                return Err(self.error(name, "the array is not closed with `]`"));
            }
            let mut used = 0;
            let mut end = false;
            for &b in buf {
                if in_string {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' if depth > 0 => depth -= 1,
                        b',' | b']' if depth == 0 => {
                            end = true;
                            break;
                        }
                        _ => {}
                    }
                }
                if b == b'\n' {
                    self.line += 1;
                }
                used += 1;
            }
            out.extend_from_slice(buf.get(..used).unwrap_or(&[]));
            self.reader.consume(used);
            self.bytes += used as u64;
            if end {
                while out.last().is_some_and(u8::is_ascii_whitespace) {
                    out.pop();
                }
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Open `paths` and read every piece: what [`open`] found, the positions seen along the
    /// way (before the first piece and after each) and the total.
    fn read_all(opts: &InputOptions) -> (Vec<SourceInfo>, Vec<u64>, u64) {
        let (infos, mut reader) = open(opts).unwrap();
        let pool = reader.pool();
        let mut seen = vec![reader.position()];
        while let Some(piece) = reader.next_piece().unwrap() {
            seen.push(reader.position());
            piece.recycle(&pool);
        }
        seen.push(reader.position());
        (infos, seen, reader.total())
    }

    fn csv_opts(paths: Vec<PathBuf>, encoding: Encoding) -> InputOptions {
        InputOptions {
            paths,
            encoding,
            ..InputOptions::default()
        }
    }

    #[test]
    fn progress_never_passes_the_size_of_the_files() {
        let dir = tempfile::tempdir().unwrap();
        // Latin-1: every `é` is one byte of the file and two once decoded.
        let latin1 = dir.path().join("latin1.csv");
        let mut bytes = b"id;name\n".to_vec();
        let mut i = 0;
        while bytes.len() < 3 << 20 {
            bytes.extend_from_slice(format!("r{i};").as_bytes());
            bytes.extend_from_slice(&[0xe9; 40]);
            bytes.push(b'\n');
            i += 1;
        }
        std::fs::write(&latin1, &bytes).unwrap();
        // UTF-8 with a byte-order mark, a second input.
        let utf8 = dir.path().join("utf8.csv");
        std::fs::write(&utf8, "\u{feff}id,name\na,é\nb,è\n").unwrap();
        let size = bytes.len() as u64 + std::fs::metadata(&utf8).unwrap().len();
        let (_, seen, total) = read_all(&csv_opts(vec![latin1, utf8], Encoding::Latin1));
        assert_eq!(total, size);
        assert!(seen.iter().all(|&p| p <= total), "{seen:?} over {total}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(seen.last(), Some(&total), "all read at the end");
    }

    #[test]
    fn the_delimiter_is_sniffed_unless_given() {
        let dir = tempfile::tempdir().unwrap();
        let semi = dir.path().join("semi.csv");
        std::fs::write(&semi, "id;firms;share_micro\na;10;0,25\n").unwrap();
        let (infos, _, _) = read_all(&csv_opts(vec![semi.clone()], Encoding::Utf8));
        let sniffed = infos[0].sniffed.expect("sniffed");
        assert_eq!((sniffed.delimiter, sniffed.decimal_comma), (b';', true));
        assert!(sniffed.delimiter_sniffed);
        assert_eq!(
            infos[0].headers.as_deref().unwrap(),
            ["id", "firms", "share_micro"]
        );
        let given = InputOptions {
            delimiter: Some(b','),
            ..csv_opts(vec![semi], Encoding::Utf8)
        };
        let (infos, _, _) = read_all(&given);
        assert!(infos[0].sniffed.is_some_and(|s| !s.delimiter_sniffed));
        assert_eq!(
            infos[0].headers.as_deref().unwrap(),
            ["id;firms;share_micro"]
        );
    }
}
