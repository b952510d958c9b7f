//! Telling a CSV file's delimiter (when `--delimiter` is not given) and decimal commas
//! (when `--decimal-comma` is not given) from its first lines.
//!
//! Input: the first bytes of the file (up to [`SAMPLE_BYTES`]) and the delimiter if it is
//! given. Output: a [`Sniffed`] delimiter, one of `,` `;` tab `|`, and whether the numbers
//! are written with a decimal comma. The delimiter is the candidate that splits the header and the sample's records
//! into the same number of cells (more than one), the most cells winning; quotes are
//! respected (a `,` inside `"Belén, Heredia"` does not count). When no candidate is
//! consistent the one that splits the header most wins; a file of one column is `,`.
//! Where the delimiter is not `,` (usually `;`, the norm where the decimal comma is), cells
//! such as `0,25` mean a decimal comma: the run then reads them as numbers.

/// How much of the input is looked at.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;

/// Records of the sample compared (the header and the ones after it).
const SAMPLE_RECORDS: usize = 50;

/// The candidates, in order of preference when they tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What the first lines of a CSV file say about how it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    /// The delimiter
    pub delimiter: u8,
    /// Whether the delimiter was told from the lines (`false`: it was given, by
    /// `--delimiter` or a `.tsv` name)
    pub delimiter_sniffed: bool,
    /// Numbers are written with a decimal comma (`0,25`)
    pub decimal_comma: bool,
}

impl Sniffed {
    /// The delimiter as a user writes it for `--delimiter`: `,` `;` `|` or `tab`.
    pub fn delimiter_name(&self) -> String {
        delimiter_name(self.delimiter)
    }
}

/// A delimiter as a user writes it for `--delimiter`.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        b => char::from(b).to_string(),
    }
}

/// The delimiter (unless `given`) and number style of a CSV `sample` (the start of the
/// file; a record cut at its end is left out).
pub(crate) fn sniff(sample: &[u8], given: Option<u8>) -> Sniffed {
    let sample = sample.strip_prefix(b"\xef\xbb\xbf").unwrap_or(sample);
    // Only whole lines: the last one may be cut (unless the sample is the whole file).
    let whole = if sample.len() < SAMPLE_BYTES {
        sample
    } else {
        memchr::memrchr(b'\n', sample).map_or(sample, |k| sample.get(..=k).unwrap_or(sample))
    };
    if let Some(delimiter) = given {
        return Sniffed {
            delimiter,
            delimiter_sniffed: false,
            decimal_comma: delimiter != b',' && has_decimal_commas(whole, delimiter),
        };
    }
    let mut best: Option<(bool, usize, u8)> = None;
    for &d in &CANDIDATES {
        let widths = widths(whole, d);
        let Some(&header) = widths.first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let consistent = widths.iter().all(|&w| w == header);
        let score = (consistent, header, d);
        let better = match best {
            None => true,
            Some((c, w, _)) => (consistent, header) > (c, w),
        };
        if better {
            best = Some(score);
        }
    }
    let delimiter = best.map_or(b',', |(_, _, d)| d);
    Sniffed {
        delimiter,
        delimiter_sniffed: true,
        decimal_comma: delimiter != b',' && has_decimal_commas(whole, delimiter),
    }
}

/// The number of cells of each of the sample's first records (blank lines skipped).
fn widths(sample: &[u8], delimiter: u8) -> Vec<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(sample);
    let mut row = csv::ByteRecord::new();
    let mut widths = Vec::new();
    while widths.len() < SAMPLE_RECORDS {
        match reader.read_byte_record(&mut row) {
            Ok(true) => widths.push(row.len()),
            Ok(false) | Err(_) => break,
        }
    }
    widths
}

/// Whether the records after the header hold cells like `0,25` or `-12,5%` (and no cell
/// like `0.25`, which would say the comma means something else).
fn has_decimal_commas(sample: &[u8], delimiter: u8) -> bool {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(sample);
    let mut row = csv::ByteRecord::new();
    let (mut commas, mut dots) = (false, false);
    for _ in 0..SAMPLE_RECORDS {
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        for cell in &row {
            match decimal_mark(cell) {
                Some(b',') => commas = true,
                Some(_) => dots = true,
                None => {}
            }
        }
    }
    commas && !dots
}

/// The decimal mark of a cell written as a decimal number (`-12,5`, `0.25`, `3,5 %`):
/// digits, one `,` or `.`, digits; `None` for anything else.
fn decimal_mark(cell: &[u8]) -> Option<u8> {
    let s = std::str::from_utf8(cell).ok()?.trim();
    let s = s.strip_suffix('%').map_or(s, str::trim_end);
    let s = s.strip_prefix('-').unwrap_or(s);
    let at = s.find([',', '.'])?;
    let (int, frac) = (s.get(..at)?, s.get(at + 1..)?);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    (digits(int) && digits(frac)).then(|| s.as_bytes().get(at).copied())?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sniffed(text: &str) -> (String, bool) {
        let s = sniff(text.as_bytes(), None);
        assert!(s.delimiter_sniffed);
        (s.delimiter_name(), s.decimal_comma)
    }

    #[test]
    fn each_candidate_is_found() {
        assert_eq!(sniffed("id,firms,trust\na,10,high\n"), (",".into(), false));
        assert_eq!(sniffed("id;firms;trust\na;10;high\n"), (";".into(), false));
        assert_eq!(
            sniffed("id\tfirms\ttrust\na\t10\thigh\n"),
            ("tab".into(), false)
        );
        assert_eq!(sniffed("id|firms|trust\na|10|high\n"), ("|".into(), false));
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        // Two `;` cells, each holding commas: `;` splits every record alike, `,` does not.
        let text = "id;location\na;\"Belén, Heredia, San José\"\nb;\"Criciúma, SC\"\n";
        assert_eq!(sniffed(text), (";".into(), false));
        let text = "id,location\na,\"x; y; z\"\nb,\"w; v\"\n";
        assert_eq!(sniffed(text), (",".into(), false));
    }

    #[test]
    fn decimal_commas_go_with_a_semicolon() {
        let text = "id;share_micro;employment\na;0,25;1200\nb;-1,5;30\n";
        assert_eq!(sniffed(text), (";".into(), true));
        // Dots somewhere: the comma is not a decimal mark.
        let text = "id;share_micro;employment\na;0,25;1200\nb;0.5;30\n";
        assert_eq!(sniffed(text), (";".into(), false));
        // A comma-separated file never has decimal commas.
        assert_eq!(sniffed("id,x\na,\"0,25\"\n"), (",".into(), false));
    }

    #[test]
    fn one_column_and_empty_input_are_commas() {
        assert_eq!(sniffed("id\na\nb\n"), (",".into(), false));
        assert_eq!(sniffed(""), (",".into(), false));
        assert_eq!(sniffed("\u{feff}id;x\na;1\n"), (";".into(), false));
    }

    #[test]
    fn a_record_cut_at_the_end_of_the_sample_does_not_count() {
        let mut text = String::from("id;a;b\n");
        while text.len() < SAMPLE_BYTES {
            text.push_str("r;1;2\n");
        }
        text.push_str("r;1");
        assert_eq!(sniff(text.as_bytes(), None).delimiter, b';');
    }

    #[test]
    fn a_given_delimiter_is_kept_and_decimal_commas_still_told() {
        let text = "id;share_micro\na;0,25\n";
        let s = sniff(text.as_bytes(), Some(b';'));
        assert_eq!(
            (s.delimiter, s.delimiter_sniffed, s.decimal_comma),
            (b';', false, true)
        );
        let s = sniff(text.as_bytes(), Some(b'|'));
        assert_eq!(
            (s.delimiter, s.delimiter_sniffed, s.decimal_comma),
            (b'|', false, false)
        );
        let s = sniff("id,x\na,\"0,25\"\n".as_bytes(), Some(b','));
        assert!(!s.decimal_comma);
    }

    #[test]
    fn decimal_marks() {
        assert_eq!(decimal_mark(b"0,25"), Some(b','));
        assert_eq!(decimal_mark(b"-12.5 %"), Some(b'.'));
        assert_eq!(decimal_mark(b"12"), None);
        assert_eq!(decimal_mark(b"1,234,5"), None);
        assert_eq!(decimal_mark(b"a,b"), None);
        assert_eq!(decimal_mark(b",5"), None);
    }
}
