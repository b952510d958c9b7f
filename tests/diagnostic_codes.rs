//! The error catalogue: every diagnostic code in the source has an entry in
//! `docs/diagnostics.md` and a test that triggers it, and the catalogue's examples are real.
//!
//! `docs/diagnostics.md` is generated from [`ENTRIES`]: each example input is loaded for
//! real and its diagnostic rendered as a person sees it. After changing a message or an
//! entry, regenerate with
//! `cargo test --test diagnostic_codes -- --ignored regenerate` and read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use meso::dataset::DatasetError;
use meso::facts::{self, FactsError, FactsFormat, LoadOptions};
use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset::{self, RuleOrigin, RuleSources, RuleText, SourceError};
use miette::Diagnostic;

/// Where an example comes from.
enum Example {
    /// A rule file in `tests/cases/`
    RuleCase(&'static str),
    /// Rule text built by a function (too long to keep as a case), with a description
    RuleText(fn() -> String, &'static str),
    /// A facts file (YAML) checked against the shipped rule set
    Facts(&'static str),
    /// A diagnostic made directly (file system situations), with the situation in words
    Made(fn() -> Box<dyn Diagnostic>, &'static str),
    /// A problem with one record of `meso batch`, written to the reject file (not printed as
    /// a diagnostic): the situation and the reason column as written
    Reject(&'static str, &'static str),
}

struct Entry {
    code: &'static str,
    example: Example,
    fix: &'static str,
}

use Example::*;

const fn e(code: &'static str, example: Example, fix: &'static str) -> Entry {
    Entry { code, example, fix }
}

fn long_string() -> String {
    format!("param notes = \"{}\"\n", "a".repeat(70_000))
}

fn missing_rules() -> Box<dyn Diagnostic> {
    Box::new(ruleset::read_sources(Path::new("does-not-exist")).unwrap_err())
}

/// A project marker whose `rules` is not a path, found from a folder below it.
fn bad_project_file() -> Box<dyn Diagnostic> {
    let dir = std::env::temp_dir().join(format!("meso-project-{}", std::process::id()));
    fs::create_dir_all(dir.join("data")).unwrap();
    fs::write(dir.join("meso.toml"), "rules = 5\n").unwrap();
    let err = ruleset::discover(&dir.join("data")).unwrap_err();
    fs::remove_dir_all(&dir).unwrap();
    // The catalogue shows a path that does not depend on the machine.
    let SourceError::Project { reason, .. } = err else {
        panic!("expected a project error")
    };
    Box::new(SourceError::Project {
        path: "my-project/meso.toml".into(),
        reason,
    })
}

fn empty_rules() -> Box<dyn Diagnostic> {
    Box::new(SourceError::Empty {
        path: "my-rules".into(),
    })
}

fn rules_too_large() -> Box<dyn Diagnostic> {
    Box::new(SourceError::TooLarge {
        path: "rules/huge.meso".into(),
        limit_mib: meso::limits::MAX_RULE_FILE_BYTES / (1024 * 1024),
    })
}

fn too_many_files() -> Box<dyn Diagnostic> {
    Box::new(SourceError::TooManyFiles {
        path: "/home".into(),
        limit: meso::limits::MAX_RULE_FILES,
    })
}

fn not_utf8() -> Box<dyn Diagnostic> {
    Box::new(SourceError::NotUtf8 {
        path: "rules/latin1.meso".into(),
        offset: 25,
        line: 2,
    })
}

fn missing_facts() -> Box<dyn Diagnostic> {
    let rules = shipped();
    let err = facts::load_facts_file(
        &rules.program,
        Path::new("does-not-exist.yaml"),
        None,
        &LoadOptions::default(),
    )
    .unwrap_err();
    Box::new(err.errors.into_iter().next().unwrap())
}

fn unknown_format() -> Box<dyn Diagnostic> {
    Box::new(FactsError::unknown_format("cluster.txt"))
}

fn facts_too_large() -> Box<dyn Diagnostic> {
    Box::new(FactsError::TooLarge {
        path: "census-export.json".into(),
        limit_mib: meso::limits::MAX_FACTS_FILE_BYTES / (1024 * 1024),
    })
}

/// Every code meso can emit, in catalogue order.
const ENTRIES: &[Entry] = &[
    // -- rule sets on disk
    e("meso::rules::io", Made(missing_rules, "`meso check does-not-exist`"),
      "Check the path given to `-r` (or to `check`/`test`): a directory of `.meso` files or one `.meso` file. Also reported for a directory tree deeper than 32 levels (a symbolic link loop)."),
    e("meso::rules::empty", Made(empty_rules, "`meso check my-rules` on a directory without `.meso` files"),
      "Point at the directory holding the rule files, or create one with `meso rules export DIR`."),
    e("meso::rules::project", Made(bad_project_file, "`meso eval data.csv` in a folder below a `meso.toml` holding `rules = 5`"),
      "Name the rule folder in quotes, relative to the `meso.toml` (`rules = \"rules\"`; `.` for its own folder), or pass `-r`."),
    e("meso::rules::too_large", Made(rules_too_large, "a rule file over 8 MiB (also `/dev/zero`)"),
      "Split the rules into several files; check that `-r` names a rule file and not a data file."),
    e("meso::rules::too_many_files", Made(too_many_files, "`meso check /home`: more than 10,000 `.meso` files below the path"),
      "Point `-r` at the rule set's own directory."),
    e("meso::rules::not_utf8", Made(not_utf8, "a rule file saved as Latin-1 (`Sarchí` with `í` as the single byte 0xED)"),
      "Save the file as UTF-8 (the error gives the byte offset and line of the first bad byte)."),
    // -- parse
    e("meso::parse::unexpected_token", RuleCase("parse/err/misspelled_fact_type.meso"),
      "Write what the message expects at the underlined place; the help often names the intended word."),
    e("meso::parse::unclosed", RuleCase("parse/err/required_block_not_closed.meso"),
      "Add the missing `}` (or `)`) where the help says: before the clause or declaration that starts too early."),
    e("meso::parse::unterminated_string", RuleCase("parse/err/unterminated_string.meso"),
      "Close the string with `\"` on the same line, or use a `\"\"\"text block\"\"\"` for text over several lines."),
    e("meso::parse::invalid_number", RuleCase("parse/err/number_too_large.meso"),
      "Write a finite number (at most about 1.8e308) with no letters run into its digits."),
    e("meso::parse::invalid_escape", RuleCase("parse/err/invalid_escape.meso"),
      "Use only `\\\"`, `\\\\`, `\\n` and `\\t` in strings; write `\\\\` for a backslash."),
    e("meso::parse::duplicate_clause", RuleCase("parse/err/duplicate_label.meso"),
      "Keep one of the two clauses."),
    e("meso::parse::reserved_word", RuleCase("parse/err/reserved_word_as_fact_name.meso"),
      "Choose another name; reserved words are `and or not in between is true false contains weight note unknown`."),
    e("meso::parse::too_deep", RuleCase("parse/err/expression_nested_too_deeply.meso"),
      "At most 100 levels of nesting in one expression: split it into `derived` values."),
    e("meso::parse::string_too_long", RuleText(long_string, "a `param` whose string is 70,000 characters long"),
      "Strings and text blocks hold at most 64 KiB; keep long texts outside the rules and `cite` them."),
    // -- check
    e("meso::check::undefined_name", RuleCase("check/err/undefined_name.meso"),
      "Declare the name (`fact`, `param` or `derived`) or correct its spelling, as the help suggests."),
    e("meso::check::duplicate_name", RuleCase("check/err/duplicate_name.meso"),
      "Rename or remove one of the declarations; names are shared by facts, parameters, derived values, types and policies."),
    e("meso::check::duplicate_criterion", RuleCase("check/err/duplicate_criterion.meso"),
      "Give each criterion of a type its own name."),
    e("meso::check::type_mismatch", RuleCase("check/err/type_mismatch.meso"),
      "Compare like with like: numbers with numbers, levels with level names of the same fact."),
    e("meso::check::unknown_level", RuleCase("check/err/unknown_level.meso"),
      "Use one of the levels the fact declares (the help lists them), or add the level to the fact."),
    e("meso::check::not_ordered", RuleCase("check/err/not_ordered.meso"),
      "Use `==`, `!=` or `in` on unordered alternatives and text, or declare the fact as `level a < b < c`."),
    e("meso::check::not_a_condition", RuleCase("check/err/not_a_condition.meso"),
      "Write a comparison that is true or false, e.g. `firms >= min_firms`."),
    e("meso::check::derived_cycle", RuleCase("check/err/derived_cycle.meso"),
      "Break the loop: a derived value cannot depend on itself."),
    e("meso::check::after_cycle", RuleCase("check/err/after_cycle.meso"),
      "Remove one `after` of the loop."),
    e("meso::check::extends_cycle", RuleCase("check/err/extends_cycle.meso"),
      "Make the chain of `extends` end at a type that extends nothing."),
    e("meso::check::after_later_phase", RuleCase("check/err/after_later_phase.meso"),
      "Move the prerequisite to the same or an earlier phase, or drop the `after`."),
    e("meso::check::invalid_weight", RuleCase("check/err/invalid_weight.meso"),
      "Weights are positive finite numbers."),
    e("meso::check::weight_not_indicative", RuleCase("check/err/weight_not_indicative.meso"),
      "Move the criterion to `indicative`, or drop the `weight`."),
    e("meso::check::no_required_criteria", RuleCase("check/err/no_required_criteria.meso"),
      "Give the type at least one `required` criterion (or extend a type that has one)."),
    e("meso::check::unknown_type", RuleCase("check/err/unknown_type.meso"),
      "Name a declared cluster type, as the help suggests."),
    e("meso::check::unknown_policy", RuleCase("check/err/unknown_policy.meso"),
      "Name a declared policy or avoid item."),
    e("meso::check::missing_for", RuleCase("check/err/missing_for.meso"),
      "Add `for TYPE, ...` naming the types the policy is for."),
    e("meso::check::invalid_phase", RuleCase("check/err/invalid_phase.meso"),
      "Phases are whole numbers, 1 or more."),
    e("meso::check::unknown_function", RuleCase("check/err/unknown_function.meso"),
      "Use one of `min`, `max`, `abs`, `count`, `any`, `all`."),
    e("meso::check::wrong_arguments", RuleCase("check/err/wrong_arguments.meso"),
      "Give the function the number and kind of arguments the message names."),
    e("meso::check::invalid_range", RuleCase("check/err/invalid_range.meso"),
      "Put `minimum` at or below `maximum`, and only on number facts."),
    e("meso::check::invalid_levels", RuleCase("check/err/invalid_levels.meso"),
      "List each level once; a set has at most 64 members."),
    e("meso::check::invalid_param", RuleCase("check/err/invalid_param.meso"),
      "Override only declared parameters, with a value of the same kind (number, boolean, text, level)."),
    e("meso::check::invalid_test_value", RuleCase("check/err/invalid_test_value.meso"),
      "Give the fact a value of its type in the test's `given`."),
    e("meso::check::invalid_expectation", RuleCase("check/err/invalid_expectation.meso"),
      "Types are `matched`, policies `recommended`, avoid items `avoided`: use the status that fits the name."),
    e("meso::check::too_deep", RuleCase("check/err/too_deep.meso"),
      "At most 400 levels counting through the derived values an expression reads, and 32 ancestors through `extends`: shorten the chain."),
    e("meso::check::unused_fact", RuleCase("check/err/unused_fact.meso"),
      "Warning. Use the fact in a rule, or remove it."),
    e("meso::check::unused_derived", RuleCase("check/err/unused_derived.meso"),
      "Warning. Use the derived value, or remove it."),
    e("meso::check::unused_param", RuleCase("check/err/unused_param.meso"),
      "Warning. Use the parameter, or remove it."),
    e("meso::check::unreachable_type", RuleCase("check/err/unreachable_type.meso"),
      "Warning. Make the required criteria compatible; as written no cluster can match the type."),
    e("meso::check::literal_threshold", RuleCase("check/err/literal_threshold.meso"),
      "Warning. Name the threshold with a cited `param`, so it can be checked and overridden."),
    e("meso::check::missing_cite", RuleCase("check/err/missing_cite.meso"),
      "Warning. Add `cite \"Author Year, §section\"`."),
    e("meso::check::missing_advice", RuleCase("check/err/missing_advice.meso"),
      "Warning. Add `advice \"...\"` saying what to do."),
    e("meso::check::overlapping_types", RuleCase("check/err/overlapping_types.meso"),
      "Information. Two types can match the same cluster; if they should not, add a criterion that tells them apart (or an `excluding` one)."),
    e("meso::check::indicative_never_holds", RuleCase("check/err/indicative_never_holds.meso"),
      "Warning. The indicative criterion contradicts the required ones, so it never adds to the score: correct or remove it."),
    e("meso::check::policy_never_applies", RuleCase("check/err/policy_never_applies.meso"),
      "Warning. The `when` condition contradicts every `for` type's required criteria: correct the condition or the types."),
    e("meso::check::threshold_out_of_range", RuleCase("check/err/threshold_out_of_range.meso"),
      "Warning. Compare with a value inside the fact's range (ratios go from 0 to 1: `50%` or `0.5`)."),
    // -- facts
    e("meso::facts::syntax", Facts("firms: [12000\ntrust: low\n"),
      "Fix the JSON/YAML/TOML syntax at the place shown. Also reported for lists and mappings nested more than 32 levels deep and for YAML alias bombs."),
    e("meso::facts::unknown_fact", Facts("firm: 12000\n"),
      "Correct the key as the help suggests, or pass `--allow-unknown-facts` to make it a warning."),
    e("meso::facts::wrong_type", Facts("firms: many\n"),
      "Give a value of the fact's type (the message names it)."),
    e("meso::facts::not_whole_number", Facts("firms: 120.5\n"),
      "Counts and integers are whole numbers."),
    e("meso::facts::out_of_range", Facts("share_micro_small: 1.7\n"),
      "Ratios go from 0 to 1 (write 0.17 for 17%); respect the fact's minimum and maximum; counts are at most 2^53."),
    e("meso::facts::not_finite", Facts("specialization_lq: .nan\n"),
      "Write a finite number, or `null` when the value is unknown."),
    e("meso::facts::unknown_level", Facts("trust: hihg\n"),
      "Use one of the declared level names (the help lists them)."),
    e("meso::facts::duplicate_key", Facts("trust: low\nfirms: 120\ntrust: high\n"),
      "Give each fact once."),
    e("meso::facts::not_a_mapping", Facts("- firms: 120\n- trust: low\n"),
      "A facts file is one mapping from fact names to values (one cluster per file)."),
    e("meso::facts::io", Made(missing_facts, "`meso eval does-not-exist.yaml`"),
      "Check the path; a directory, an unreadable file or text that is not UTF-8 are reported the same way."),
    e("meso::facts::unknown_format", Made(unknown_format, "`meso eval cluster.txt`"),
      "Name the file `.json`, `.yaml`/`.yml` or `.toml`, or pass `--facts-format`."),
    e("meso::facts::too_large", Made(facts_too_large, "a facts file over 64 MiB (also `/dev/zero` or endless standard input)"),
      "One facts file describes one cluster; split large exports."),
    // -- batch (whole run)
    e("meso::batch::io", Made(|| Box::new(DatasetError::Io { action: "read", path: "missing.csv".into(), reason: "no such file or directory".into(), help: Some("check the path".into()) }), "`meso batch missing.csv --out out.csv`"),
      "Check the input, column map and output paths; the output's directory must exist."),
    e("meso::batch::unknown_format", Made(|| Box::new(DatasetError::UnknownFormat { path: "data.txt".into() }), "`meso batch data.txt --out out.csv`"),
      "Name the input `.csv`, `.tsv`, `.jsonl`, `.json`, `.xlsx` or `.ods`, or pass `--input-format`."),
    e("meso::batch::unknown_column", Made(|| Box::new(DatasetError::UnknownColumn { path: "census.csv".into(), column: "`frims`, `emplyment`".into(), count: 2, help: Some("did you mean `firms` for `frims`, `employment` for `emplyment`? map census headers to facts with `--columns map.toml`, or skip other columns with `--allow-unknown-facts`".into()) }), "CSV headers `frims` and `emplyment` (all such columns of an input are named at once)"),
      "Rename the column, map it with `--columns`, or skip columns that are not facts as the help says."),
    e("meso::batch::duplicate_column", Made(|| Box::new(DatasetError::DuplicateColumn { path: "census.csv".into(), fact: "firms".into(), first: "firms".into(), second: "FIRMS".into() }), "headers `firms` and `FIRMS` both mapped to `firms`"),
      "Keep one of the columns, or map one of them to another fact."),
    e("meso::batch::malformed", Made(|| Box::new(DatasetError::Malformed { path: "clusters.json".into(), reason: "the file is not a JSON array of objects".into(), help: Some("write `[{\"id\": \"a\", ...}, ...]` or use `.jsonl`".into()) }), "a `.json` input that is not an array"),
      "Give the input the expected shape (a header row, an array of objects, the named sheet)."),
    e("meso::batch::column_map", Made(|| Box::new(DatasetError::ColumnMap { path: "map.toml".into(), reason: "`firms` must map to a fact name".into() }), "`--columns map.toml` with a value that is not a fact name"),
      "Write one `\"census header\" = \"fact_name\"` per line."),
    e(
        "meso::batch::bad_option",
        Made(
            || {
                Box::new(DatasetError::BadOption {
                    message: "spreadsheets cannot be read from standard input".into(),
                    help: Some("give the path of the `.xlsx` or `.ods` file".into()),
                })
            },
            "`meso batch - --input-format xlsx --out out.csv`",
        ),
        "Correct the option value as the message says."),
    e("meso::batch::column_type", Made(|| Box::new(DatasetError::ColumnType { path: "census.parquet".into(), column: "export_share".into(), found: "Timestamp(Millisecond, None)".into(), what: "fact `export_share` (a ratio)".into(), accepted: "integers (int8 to uint64), floats (float32, float64), or text read as CSV cells are".into() }), "a Parquet or Arrow column whose type cannot hold its fact: a timestamp for a ratio"),
      "Cast the column to a type the fact accepts when writing the file, or map another column to the fact."),
    // -- batch (one record, in the reject file)
    e("meso::batch::cell_count", Reject("a CSV row with more or fewer cells than the header", "the row has 5 cells, the header has 4; quote cells that contain the delimiter"),
      "Quote cells that contain the delimiter, or fix the row."),
    e("meso::batch::encoding", Reject("a cell that is not UTF-8", "the cell is not UTF-8 text; pass `--encoding latin1` or `--encoding windows-1252` for census exports in those encodings"),
      "Pass `--encoding latin1` or `--encoding windows-1252`, or save the input as UTF-8."),
    e("meso::batch::json", Reject("a `.jsonl` line that is not a JSON object", "not valid JSON: expected value"),
      "Write one JSON object per line."),
    e("meso::batch::bad_id", Reject("an id cell that is a list or a boolean", "the id must be text or a number"),
      "Give each record a text or number id."),
    e("meso::batch::no_header", Reject("a value in a column without a header", "column 5 has a value but no header; name the column or empty it"),
      "Name the column or empty it."),
    // -- fmt
    e("meso::fmt::changed_meaning", Made(changed_meaning, "none known: `meso fmt` reports this instead of writing a file when its output would parse to different rules or lose a comment (a formatter bug)"),
      "Report the file; format it by hand meanwhile. The file is left untouched."),
];

fn changed_meaning() -> Box<dyn Diagnostic> {
    Box::new(meso::syntax::fmt::FmtError::ChangedMeaning {
        file: "rules/types.meso".into(),
        what: "its rules".into(),
    })
}

fn shipped() -> ruleset::RuleSet {
    ruleset::load(ruleset::embedded_sources(), &[]).unwrap()
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Lines past this many characters are cut in the catalogue (the text stays real).
const MAX_LINE: usize = 110;

fn cut_long_lines(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.chars().count() > MAX_LINE {
                let head: String = l.chars().take(MAX_LINE).collect();
                format!("{head}…")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn rule_diagnostic(name: &str, text: &str, code: &str) -> String {
    let sources = RuleSources {
        origin: RuleOrigin::Embedded,
        files: vec![RuleText {
            relative: name.into(),
            display: name.into(),
            text: text.into(),
        }],
    };
    let (errors, warnings) = match ruleset::load(sources, &[]) {
        Ok(rules) => (Vec::new(), rules.warnings),
        Err(f) => (f.errors, f.warnings),
    };
    let found = errors
        .iter()
        .map(|e| e as &dyn Diagnostic)
        .chain(warnings.iter().map(|w| w as &dyn Diagnostic))
        .find(|d| d.code().is_some_and(|c| c.to_string() == code));
    match found {
        Some(d) => render(d, ErrorFormat::Human, false),
        None => panic!("the example {name} does not report {code}"),
    }
}

fn facts_diagnostic(text: &str, code: &str) -> String {
    let rules = shipped();
    let errors = match facts::load_facts(
        &rules.program,
        "cluster.yaml",
        text,
        FactsFormat::Yaml,
        &LoadOptions::default(),
    ) {
        Ok(_) => panic!("the facts example for {code} loads without error"),
        Err(e) => e.errors,
    };
    let found = errors
        .iter()
        .find(|d| d.code().is_some_and(|c| c.to_string() == code));
    match found {
        Some(d) => render(d, ErrorFormat::Human, false),
        None => panic!("the facts example does not report {code}"),
    }
}

fn stage_title(stage: &str) -> &'static str {
    match stage {
        "rules" => "Rule sets on disk (`meso::rules::*`, exit code 2)",
        "parse" => "Parsing rule files (`meso::parse::*`, exit code 1)",
        "check" => "Checking rule sets (`meso::check::*`, exit code 1; warnings exit 0 unless `--deny-warnings`)",
        "fmt" => "Formatting rule files (`meso::fmt::*`, exit code 1)",
        "batch" => "Batch runs (`meso::batch::*`: whole-run errors exit 2; record problems go to the reject file)",
        _ => "Facts files (`meso::facts::*`, exit code 2)",
    }
}

/// The catalogue, as generated from [`ENTRIES`].
fn catalogue() -> String {
    let mut out = String::from(
        "# Diagnostics\n\n\
         <!-- Generated by tests/diagnostic_codes.rs from real runs: do not edit by hand.\n     \
         Regenerate: cargo test --test diagnostic_codes -- --ignored regenerate -->\n\n\
         Every diagnostic meso can give, by stage: its code, an input that triggers it, the\n\
         message as `meso` prints it (`--error-format human`, without colour), and the fix.\n\
         Codes are stable: a code never changes meaning once released. Lines longer than\n\
         110 characters are cut with `…` here. Exit codes: see [cli.md](cli.md); limits: see\n\
         [robustness.md](robustness.md).\n",
    );
    let mut stage = "";
    for entry in ENTRIES {
        let this_stage = entry.code.split("::").nth(1).unwrap_or("");
        if this_stage != stage {
            stage = this_stage;
            out.push_str(&format!("\n## {}\n", stage_title(stage)));
        }
        let (input, rendered) = match &entry.example {
            RuleCase(path) => {
                let text = fs::read_to_string(cases_dir().join(path)).unwrap();
                let name = Path::new(path).file_name().unwrap().to_string_lossy();
                let rendered = rule_diagnostic(&name, &text, entry.code);
                (
                    format!(
                        "`tests/cases/{path}`:\n\n```meso\n{}\n```",
                        cut_long_lines(text.trim_end())
                    ),
                    rendered,
                )
            }
            RuleText(make, what) => {
                let text = make();
                (
                    format!("{what}."),
                    rule_diagnostic("notes.meso", &text, entry.code),
                )
            }
            Facts(text) => (
                format!(
                    "`cluster.yaml`, checked against the shipped rule set:\n\n```yaml\n{}\n```",
                    text.trim_end()
                ),
                facts_diagnostic(text, entry.code),
            ),
            Made(make, what) => {
                let d = make();
                let code = d.code().map(|c| c.to_string()).unwrap_or_default();
                assert_eq!(code, entry.code, "example for {}", entry.code);
                (
                    format!("{what}."),
                    render(d.as_ref(), ErrorFormat::Human, false),
                )
            }
            Reject(what, reason) => {
                // Codes of the `batch` family are written as `batch_code!("name")` (see
                // src/dataset/error.rs); the others as the whole quoted code.
                let quoted = match entry.code.strip_prefix("meso::batch::") {
                    Some(name) => format!("batch_code!(\"{name}\")"),
                    None => format!("\"{}\"", entry.code),
                };
                assert!(
                    source_text().contains(&quoted),
                    "{} is not in src/",
                    entry.code
                );
                (
                    format!(
                        "{what}. The record goes to the reject file with this code and reason; the run goes on."
                    ),
                    format!("{}: {reason}", entry.code),
                )
            }
        };
        out.push_str(&format!(
            "\n### `{}`\n\nInput: {input}\n\nMessage:\n\n```text\n{}\n```\n\nFix: {}\n",
            entry.code,
            cut_long_lines(rendered.trim_end()),
            entry.fix
        ));
    }
    out
}

fn doc_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md")
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Diagnostic codes written in `text`: `meso::<stage>::<name>` right after `code(` or `"`.
fn codes_in(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices("meso::") {
        let before = text.get(..i).unwrap_or("");
        if !(before.ends_with('"') || before.ends_with("code(")) {
            continue;
        }
        let rest = text.get(i..).unwrap_or("");
        let code: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == ':')
            .collect();
        let parts: Vec<&str> = code.split("::").collect();
        if parts.len() == 3
            && parts.get(2).is_some_and(|n| !n.is_empty())
            && ["parse", "check", "facts", "rules", "eval", "fmt", "batch"]
                .contains(parts.get(1).unwrap_or(&""))
        {
            found.insert(code);
        }
    }
    // The `batch` family, written `batch_code!("name")` (src/dataset/error.rs).
    for (i, _) in text.match_indices("batch_code!(\"") {
        let rest = text.get(i + "batch_code!(\"".len()..).unwrap_or("");
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() && rest.get(name.len()..).is_some_and(|r| r.starts_with('"')) {
            found.insert(format!("meso::batch::{name}"));
        }
    }
    found
}

/// All of `src/`, for entries that check a code is written there.
fn source_text() -> String {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files.sort();
    files
        .iter()
        .map(|f| fs::read_to_string(f).unwrap())
        .collect()
}

fn source_codes() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut codes = BTreeSet::new();
    for f in files {
        codes.extend(codes_in(&fs::read_to_string(f).unwrap()));
    }
    codes
}

#[test]
fn the_source_scan_finds_every_check_kind() {
    let codes = source_codes();
    for kind in meso::check::CheckKind::ALL {
        assert!(codes.contains(kind.code()), "{}", kind.code());
    }
    assert!(codes.contains("meso::parse::unexpected_token"));
    assert!(codes.contains("meso::rules::not_utf8"));
    assert!(codes.len() > 50, "{codes:?}");
}

#[test]
fn every_code_in_the_source_has_a_catalogue_entry() {
    let catalogue: BTreeSet<String> = ENTRIES.iter().map(|e| e.code.to_string()).collect();
    let source = source_codes();
    let missing: Vec<_> = source.difference(&catalogue).collect();
    assert!(
        missing.is_empty(),
        "codes without an entry in ENTRIES (and docs/diagnostics.md): {missing:?}"
    );
    let stale: Vec<_> = catalogue.difference(&source).collect();
    assert!(
        stale.is_empty(),
        "entries for codes the source no longer has: {stale:?}"
    );
    let doc = fs::read_to_string(doc_path()).unwrap();
    for code in &source {
        assert!(
            doc.contains(&format!("### `{code}`")),
            "docs/diagnostics.md lacks {code}"
        );
    }
}

#[test]
fn every_code_has_a_test_that_triggers_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut evidence = String::new();
    for entry in fs::read_dir(root.join("tests/snapshots")).unwrap() {
        evidence.push_str(&fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    let mut tests = Vec::new();
    rust_files(&root.join("tests"), &mut tests);
    for t in tests {
        // This file names every code; it is not evidence that a test triggers one.
        if t.file_name().is_some_and(|n| n == "diagnostic_codes.rs") {
            continue;
        }
        evidence.push_str(&fs::read_to_string(t).unwrap());
    }
    let untested: Vec<_> = source_codes()
        .into_iter()
        .filter(|code| !evidence.contains(code.as_str()))
        .collect();
    assert!(
        untested.is_empty(),
        "codes no snapshot or test mentions: {untested:?}"
    );
}

#[test]
fn the_catalogue_is_up_to_date() {
    let doc = fs::read_to_string(doc_path()).unwrap_or_default();
    assert!(
        doc == catalogue(),
        "docs/diagnostics.md is stale: run `cargo test --test diagnostic_codes -- --ignored regenerate`"
    );
}

#[test]
#[ignore = "writes docs/diagnostics.md"]
fn regenerate() {
    fs::write(doc_path(), catalogue()).unwrap();
}
