//! `meso batch`: classify every record of a dataset; options shared with `meso diff`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::batch::{self, BatchOptions, Explain, ExplainFormat, OutputFormat, Summary};
use crate::dataset::{
    ColumnOptions, Encoding, InputFormat, InputOptions, NumberStyle, ReadOptions,
};

use super::output::Output;
use super::{Exit, Ran, RulesArgs};

/// How to read the data files (shared by `batch` and `diff`).
#[derive(Debug, Args, Clone)]
pub struct DataArgs {
    /// Input format for every file [default: from the extension: .csv .tsv .jsonl .json .xlsx .ods .parquet .arrow]
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    pub input_format: Option<InputFormat>,

    /// CSV delimiter: one character, or `tab` [default: sniffed: `,` `;` tab `|`; tab for .tsv]
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Numbers in text cells use a decimal comma: `0,25` [default: sniffed for `;` files]
    #[arg(long)]
    pub decimal_comma: bool,

    /// Text encoding of CSV and JSON inputs: utf-8, latin1, windows-1252
    #[arg(long, value_name = "ENCODING", default_value = "utf-8", value_parser = parse_encoding)]
    pub encoding: Encoding,

    /// Sheet of an .xlsx/.ods workbook [default: the first]
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// Column-alias map: a TOML file of `"CENSUS_HEADER" = "fact_name"` lines
    #[arg(long, value_name = "MAP")]
    pub columns: Option<PathBuf>,

    /// Column (or JSON key) holding the record id [default: id; else the line/row number]
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// Ignore columns and keys that are not facts instead of refusing them
    #[arg(long)]
    pub allow_unknown_facts: bool,

    /// Worker threads [default: every core]
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

impl DataArgs {
    /// Reading options for these paths.
    pub fn read_options(&self, paths: Vec<PathBuf>) -> ReadOptions {
        ReadOptions {
            input: InputOptions {
                paths,
                format: self.input_format,
                delimiter: self.delimiter,
                encoding: self.encoding,
                sheet: self.sheet.clone(),
                decimal_comma: self.decimal_comma,
            },
            columns: ColumnOptions {
                map: self.columns.clone(),
                id_column: self.id_column.clone(),
                allow_unknown_facts: self.allow_unknown_facts,
            },
            numbers: NumberStyle {
                decimal_comma: self.decimal_comma,
            },
            threads: self.threads,
            progress: std::io::stderr().is_terminal(),
        }
    }
}

fn parse_input_format(s: &str) -> Result<InputFormat, String> {
    s.parse()
}

fn parse_encoding(s: &str) -> Result<Encoding, String> {
    s.parse()
}

fn parse_explain_format(s: &str) -> Result<ExplainFormat, String> {
    s.parse()
}

fn parse_output_format(s: &str) -> Result<OutputFormat, String> {
    s.parse()
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match s.as_bytes() {
            [b] if b.is_ascii() && *b != b'"' && *b != b'\n' => Ok(*b),
            _ => Err(format!(
                "the delimiter must be one ASCII character (or `tab`), found `{s}`"
            )),
        },
    }
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Data files: .csv, .tsv, .jsonl, .json (an array), .xlsx, .ods, .parquet, .arrow/.feather (Arrow IPC); `-` for standard input
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,

    #[command(flatten)]
    pub rules: RulesArgs,

    #[command(flatten)]
    pub unknowns: super::UnknownsArgs,

    /// Output file (written to a temporary file and renamed when complete)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Output format: csv, jsonl, json, parquet, arrow, arrow-stream [default: from the extension of --out, else csv]
    #[arg(long, value_name = "FORMAT", value_parser = parse_output_format)]
    pub format: Option<OutputFormat>,

    /// Reject file (CSV) [default: <out>.rejects.csv]
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Write each record's trace (as `meso explain` does) into this directory, one file per record id
    #[arg(long, value_name = "DIR")]
    pub explain_dir: Option<PathBuf>,

    /// With --explain-dir: only records with this classification (`classification=TYPE`, or `=none`)
    #[arg(long = "where", value_name = "FILTER", requires = "explain_dir")]
    pub where_: Option<String>,

    /// With --explain-dir: trace format, as `meso explain` writes it: json, text, markdown, html
    #[arg(long, value_name = "FORMAT", default_value = "json", value_parser = parse_explain_format, requires = "explain_dir")]
    pub explain_format: ExplainFormat,

    /// Copy these input columns to every output and reject row, after the id, in this order: `--keep name,region_code`
    #[arg(long, value_name = "COLUMNS", value_delimiter = ',')]
    pub keep: Vec<String>,

    #[command(flatten)]
    pub data_args: DataArgs,
}

pub fn run(out: &Output, args: BatchArgs) -> Ran {
    let rules = args.rules.load(out, false)?;
    let explain = match &args.explain_dir {
        Some(dir) => {
            let only = match args.where_.as_deref() {
                Some(filter) => match batch::parse_where(&rules.program, filter) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        out.diagnostic(&e);
                        return Err(Exit::Input);
                    }
                },
                None => None,
            };
            Some(Explain {
                dir: dir.clone(),
                only,
                format: args.explain_format,
            })
        }
        None => None,
    };
    let format = args
        .format
        .or_else(|| OutputFormat::from_path(&args.out))
        .unwrap_or(OutputFormat::Csv);
    let rejects = args
        .rejects
        .clone()
        .or_else(|| batch::default_rejects_path(&args.out));
    let opts = BatchOptions {
        read: args.data_args.read_options(args.data.clone()),
        out: args.out.clone(),
        format,
        rejects: rejects.clone(),
        explain,
        strict_unknowns: args.unknowns.strict_unknowns,
        keep: args.keep.iter().map(|k| k.trim().to_string()).collect(),
    };
    match batch::run_batch(&rules, &opts, &mut |message| out.note(message)) {
        Ok(summary) => {
            print_summary(out, &summary, &args.out, rejects.as_deref());
            if summary.rejected > 0 {
                Ok(Exit::Rejects)
            } else {
                Ok(Exit::Ok)
            }
        }
        Err(e) => {
            out.diagnostic(&e);
            Err(Exit::Input)
        }
    }
}

/// Reject reasons shown in the summary; the rest are counted in one line.
const TOP_REASONS: usize = 5;

/// The summary on stderr: delimiters sniffed, counts, the reasons for rejects (the most
/// frequent), then records per classification.
pub fn print_summary(
    out: &Output,
    s: &Summary,
    path: &std::path::Path,
    rejects: Option<&std::path::Path>,
) {
    for (input, columns) in &s.ignored_columns {
        let list: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
        out.note(&format!(
            "warning: ignored columns of `{input}` that are not facts: {}",
            list.join(", ")
        ));
    }
    // Only where sniffing found something else than the default `,` and decimal points.
    for (input, f) in &s.sniffed {
        let commas = " decimal commas (`0,25`)";
        let told = match (f.delimiter_sniffed && f.delimiter != b',', f.decimal_comma) {
            (true, true) => format!("delimiter `{}` and{commas}", f.delimiter_name()),
            (true, false) => format!("delimiter `{}`", f.delimiter_name()),
            (false, true) => commas.trim_start().to_string(),
            (false, false) => continue,
        };
        out.note(&format!(
            "read `{input}` with {told}, told from its first lines (`--delimiter` and `--decimal-comma` choose)"
        ));
    }
    let rejected = if s.rejected > 0 {
        match rejects {
            Some(r) => format!(", {} rejected (see `{}`)", s.rejected, r.display()),
            None => format!(", {} rejected (listed on standard error)", s.rejected),
        }
    } else {
        ", 0 rejected".into()
    };
    let wrote = if crate::atomic::is_stdout(path) {
        "standard output".to_string()
    } else {
        format!("`{}`", path.display())
    };
    out.note(&format!(
        "{} records read, {} evaluated{rejected}; wrote {wrote}",
        s.read, s.evaluated,
    ));
    let width = s
        .by_classification
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0);
    for (name, n) in &s.by_classification {
        out.note(&format!("  {name:<width$}  {n}"));
    }
    if !s.reject_reasons.is_empty() {
        out.note("rejected records, problems by reason (all in the reject file):");
        for line in batch::reason_lines(&s.reject_reasons, TOP_REASONS) {
            out.note(&line);
        }
    }
}
