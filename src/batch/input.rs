//! Batch inputs: open data files and read their records in chunks, undecoded.
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

use calamine::{Data, Reader as _};

use super::error::BatchError;

/// The format of a batch input.
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
            _ => Err(format!(
                "unknown input format `{s}`: use `csv`, `jsonl`, `json`, `xlsx` or `ods`"
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
    /// CSV field delimiter [default: `,`, tab for `.tsv`]
    pub delimiter: Option<u8>,
    /// Text encoding of CSV and JSON inputs
    pub encoding: Encoding,
    /// Sheet of a workbook [default: the first]
    pub sheet: Option<String>,
}

/// One record as read, before its cells are converted.
#[derive(Clone, Debug)]
pub(crate) struct RawRecord {
    /// Index of the input it came from
    pub source: u32,
    /// 1-based line (text inputs) or row (spreadsheets) where it starts
    pub line: u64,
    /// The cells
    pub data: RawData,
}

/// The undecoded cells of a record.
#[derive(Clone, Debug)]
pub(crate) enum RawData {
    /// A CSV row
    Csv(csv::ByteRecord),
    /// The text of one JSON object
    Json(Vec<u8>),
    /// A spreadsheet row
    Cells(Vec<Data>),
}

/// What is known about an input once it is open.
#[derive(Clone, Debug)]
pub(crate) struct SourceInfo {
    /// The path as given
    pub name: String,
    /// Column headers (CSV, spreadsheets); `None` for JSON
    pub headers: Option<Vec<String>>,
    /// Size in bytes, for progress (0 when unknown)
    pub size: u64,
}

type TextReader = Box<dyn Read + Send>;

enum Stream {
    Csv(csv::Reader<TextReader>),
    Lines {
        reader: BufReader<TextReader>,
        line: u64,
        bytes: u64,
    },
    Array(ArrayScanner<BufReader<TextReader>>),
    Sheet {
        range: calamine::Range<Data>,
        next: usize,
        first_row: u64,
    },
}

/// Reads the records of every input, in order.
pub(crate) struct Reader {
    streams: Vec<Stream>,
    names: Vec<String>,
    sizes: Vec<u64>,
    current: usize,
}

/// Open every input: headers are read now, so that columns can be resolved before any
/// record is.
pub(crate) fn open(opts: &InputOptions) -> Result<(Vec<SourceInfo>, Reader), BatchError> {
    let mut infos = Vec::new();
    let mut streams = Vec::new();
    for path in &opts.paths {
        let name = path.display().to_string();
        let stdin = path.as_os_str() == "-";
        let Some(format) = opts.format.or_else(|| InputFormat::from_path(path)) else {
            return Err(BatchError::UnknownFormat { path: name });
        };
        if !stdin && path.is_dir() {
            return Err(BatchError::Io {
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
        let (headers, stream) = match format {
            InputFormat::Sheet if stdin => {
                return Err(BatchError::BadOption {
                    message: "spreadsheets cannot be read from standard input".into(),
                    help: Some("give the path of the `.xlsx` or `.ods` file".into()),
                })
            }
            InputFormat::Sheet => open_sheet(path, opts.sheet.as_deref())?,
            InputFormat::Csv => {
                let delimiter = opts.delimiter.unwrap_or_else(|| {
                    let tsv = path
                        .extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
                    if tsv {
                        b'\t'
                    } else {
                        b','
                    }
                });
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .has_headers(true)
                    .from_reader(text_reader(path, opts.encoding)?);
                let headers = reader.byte_headers().map_err(|e| csv_error(&name, &e))?;
                let headers: Vec<String> = headers
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).trim().to_string())
                    .collect();
                if headers.is_empty() || headers.iter().all(String::is_empty) {
                    return Err(BatchError::Malformed {
                        path: name,
                        reason: "there is no header row".into(),
                        help: Some("the first line names the columns: `id,firms,trust,...`".into()),
                    });
                }
                (Some(headers), Stream::Csv(reader))
            }
            InputFormat::Jsonl => (
                None,
                Stream::Lines {
                    reader: BufReader::with_capacity(1 << 16, text_reader(path, opts.encoding)?),
                    line: 0,
                    bytes: 0,
                },
            ),
            InputFormat::Json => (
                None,
                Stream::Array(ArrayScanner::new(BufReader::with_capacity(
                    1 << 16,
                    text_reader(path, opts.encoding)?,
                ))),
            ),
        };
        infos.push(SourceInfo {
            name,
            headers,
            size,
        });
        streams.push(stream);
    }
    let reader = Reader {
        streams,
        names: infos.iter().map(|i| i.name.clone()).collect(),
        sizes: infos.iter().map(|i| i.size).collect(),
        current: 0,
    };
    Ok((infos, reader))
}

fn text_reader(path: &Path, encoding: Encoding) -> Result<TextReader, BatchError> {
    let raw: TextReader = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| BatchError::io("read", path, &e))?)
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
) -> Result<(Option<Vec<String>>, Stream), BatchError> {
    let name = path.display().to_string();
    let malformed = |reason: String, help: Option<String>| BatchError::Malformed {
        path: name.clone(),
        reason,
        help,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(io) => BatchError::io("read", path, &io),
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

fn csv_error(name: &str, e: &csv::Error) -> BatchError {
    BatchError::Malformed {
        path: name.into(),
        reason: e.to_string().to_lowercase(),
        help: None,
    }
}

impl Reader {
    /// The next chunk of at most `max` records, or `None` at the end of the last input.
    pub fn next_chunk(&mut self, max: usize) -> Result<Option<Vec<RawRecord>>, BatchError> {
        let mut chunk = Vec::with_capacity(max.min(1 << 16));
        while chunk.len() < max {
            let Some(stream) = self.streams.get_mut(self.current) else {
                break;
            };
            let source = u32::try_from(self.current).unwrap_or(u32::MAX);
            let name = self.names.get(self.current).map_or("", String::as_str);
            let got = next_record(stream, source, name)?;
            match got {
                Some(rec) => chunk.push(rec),
                None => self.current += 1,
            }
        }
        Ok((!chunk.is_empty()).then_some(chunk))
    }

    /// Bytes read so far over all inputs (approximate for decoded and spreadsheet inputs).
    pub fn position(&self) -> u64 {
        let done: u64 = self.sizes.iter().take(self.current).sum();
        let within = match self.streams.get(self.current) {
            Some(Stream::Csv(r)) => r.position().byte(),
            Some(Stream::Lines { bytes, .. }) => *bytes,
            Some(Stream::Array(a)) => a.bytes,
            Some(Stream::Sheet { range, next, .. }) => {
                let size = self.sizes.get(self.current).copied().unwrap_or(0);
                let height = range.height().max(1) as u64;
                size.saturating_mul(*next as u64) / height
            }
            None => 0,
        };
        done + within
    }

    /// Total size of the inputs in bytes (0 when unknown, e.g. standard input).
    pub fn total(&self) -> u64 {
        self.sizes.iter().sum()
    }
}

fn next_record(
    stream: &mut Stream,
    source: u32,
    name: &str,
) -> Result<Option<RawRecord>, BatchError> {
    match stream {
        Stream::Csv(reader) => {
            let mut record = csv::ByteRecord::new();
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    Ok(Some(RawRecord {
                        source,
                        line,
                        data: RawData::Csv(record),
                    }))
                }
                Ok(false) => Ok(None),
                Err(e) => Err(csv_error(name, &e)),
            }
        }
        Stream::Lines {
            reader,
            line,
            bytes,
        } => loop {
            let mut buf = Vec::new();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| BatchError::io("read", Path::new(name), &e))?;
            if n == 0 {
                return Ok(None);
            }
            *line += 1;
            *bytes += n as u64;
            if *line == 1 && buf.starts_with(b"\xef\xbb\xbf") {
                buf.drain(..3);
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(RawRecord {
                source,
                line: *line,
                data: RawData::Json(buf),
            }));
        },
        Stream::Array(scanner) => match scanner.next_element(name)? {
            Some((line, text)) => Ok(Some(RawRecord {
                source,
                line,
                data: RawData::Json(text),
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
            Ok(Some(RawRecord {
                source,
                line,
                data: RawData::Cells(row.to_vec()),
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
    fn peek(&mut self, name: &str) -> Result<Option<u8>, BatchError> {
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| BatchError::io("read", Path::new(name), &e))?;
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

    fn error(&self, name: &str, what: &str) -> BatchError {
        BatchError::Malformed {
            path: name.into(),
            reason: format!("{what} (line {})", self.line),
            help: Some(
                "a `.json` input is one array of records: [{\"id\": \"a\", \"firms\": 120}, ...]; for one record per line use `.jsonl`"
                    .into(),
            ),
        }
    }

    /// The next element's starting line and text; `None` after the closing `]`.
    fn next_element(&mut self, name: &str) -> Result<Option<(u64, Vec<u8>)>, BatchError> {
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
    fn element(&mut self, name: &str) -> Result<Vec<u8>, BatchError> {
        let mut out = Vec::new();
        let (mut depth, mut in_string, mut escape) = (0u32, false, false);
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| BatchError::io("read", Path::new(name), &e))?;
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
