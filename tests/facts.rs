//! Facts stage tests: facts files in each format → `Facts`, and every diagnostic.
//!
//! Input: files under `tests/cases/facts/{ok,err}/`, validated against a hand-built
//! program (the checker is not needed). Output: insta snapshots of the loaded facts or of
//! the rendered diagnostics, plus direct assertions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use meso::facts::{
    facts_to_json, fingerprint, load_facts, load_facts_file, parse_fact_value, FactsErrors,
    FactsFormat, LoadOptions, Loaded,
};
use meso::ir::{Fact, FactId, FactType, Meta, Program};
use meso::source::Span;
use meso::value::Value;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

fn fact(name: &str, ty: FactType, minimum: Option<f64>, maximum: Option<f64>) -> Fact {
    Fact {
        name: name.into(),
        ty,
        minimum,
        maximum,
        meta: Meta::default(),
        span: Span::default(),
    }
}

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// A representative vocabulary: every fact type, with bounds.
fn program() -> Program {
    let markets = names(&["local", "domestic", "international"]);
    Program {
        facts: vec![
            fact("firms", FactType::Integer, Some(0.0), None),
            fact("share_micro_small", FactType::Ratio, Some(0.0), Some(1.0)),
            fact("specialization_lq", FactType::Number, Some(0.0), None),
            fact(
                "year_founded",
                FactType::Integer,
                Some(1800.0),
                Some(2100.0),
            ),
            fact(
                "trust",
                FactType::Level {
                    levels: names(&["low", "medium", "high"]),
                    ordered: true,
                },
                None,
                None,
            ),
            fact(
                "main_market",
                FactType::Level {
                    levels: markets.clone(),
                    ordered: false,
                },
                None,
                None,
            ),
            fact(
                "markets_served",
                FactType::Set { members: markets },
                None,
                None,
            ),
            fact("country", FactType::Text, None, None),
            fact("exports", FactType::Boolean, None, None),
            fact("informality", FactType::Ratio, Some(0.0), Some(1.0)),
        ],
        ..Default::default()
    }
}

/// YAML facts `text`, loaded for `program`, as the JSON the facts print as.
fn yaml_as_json(program: &Program, text: &str) -> String {
    let loaded = load_facts(
        program,
        "f.yaml",
        text,
        FactsFormat::Yaml,
        &Default::default(),
    );
    serde_json::Value::Object(facts_to_json(program, &loaded.unwrap().facts)).to_string()
}

fn render(diagnostic: &dyn Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, diagnostic)
        .unwrap();
    out
}

fn format_of(path: &Path) -> FactsFormat {
    FactsFormat::from_path(path).unwrap()
}

/// Load a case file, naming it by its file name only so snapshots do not depend on paths.
fn load_case(path: &Path, opts: &LoadOptions) -> Result<Loaded, FactsErrors> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_str().unwrap();
    load_facts(&program(), name, &text, format_of(path), opts)
}

fn codes(errors: &FactsErrors) -> Vec<String> {
    errors
        .errors
        .iter()
        .map(|e| e.code().map(|c| c.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn ok_cases() {
    insta::glob!("cases/facts/ok/*.*", |path| {
        let loaded = load_case(path, &LoadOptions::default())
            .map_err(|e| render(&e))
            .unwrap();
        let program = program();
        let json = serde_json::Value::Object(facts_to_json(&program, &loaded.facts));
        let out = format!(
            "{}\n{}\nwarnings: {}\n",
            serde_json::to_string_pretty(&json).unwrap(),
            fingerprint(&program, &loaded.facts),
            loaded.warnings.len()
        );
        insta::assert_snapshot!(out);
    });
}

#[test]
fn err_cases() {
    insta::glob!("cases/facts/err/*.*", |path| {
        match load_case(path, &LoadOptions::default()) {
            Ok(_) => panic!("{} should fail", path.display()),
            Err(errors) => insta::assert_snapshot!(render(&errors)),
        }
    });
}

#[test]
fn good_file_in_each_format_gives_identical_facts_and_fingerprint() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/facts/ok");
    let opts = LoadOptions::default();
    let json = load_case(&dir.join("gamarra.json"), &opts).unwrap().facts;
    let yaml = load_case(&dir.join("gamarra.yaml"), &opts).unwrap().facts;
    let toml = load_case(&dir.join("gamarra.toml"), &opts).unwrap().facts;
    assert_eq!(json.values, yaml.values);
    assert_eq!(json.values, toml.values);
    let program = program();
    let print = fingerprint(&program, &json);
    assert!(
        print.starts_with("sha256:") && print.len() == 7 + 64,
        "{print}"
    );
    assert_eq!(print, fingerprint(&program, &yaml));
    assert_eq!(print, fingerprint(&program, &toml));

    assert_eq!(json.values[0], Value::Number(12000.0));
    assert_eq!(json.values[4], Value::Level(0));
    assert_eq!(json.values[5], Value::Level(1));
    assert_eq!(json.values[6], Value::Set(0b011));
    assert_eq!(json.values[7], Value::Text("Peru \"Lima\"".into()));
    assert_eq!(json.values[8], Value::Bool(false));
    assert_eq!(json.values[9], Value::Unknown);
}

#[test]
fn different_facts_give_different_fingerprints() {
    let program = program();
    let a = load_facts(
        &program,
        "a",
        "firms: 1",
        FactsFormat::Yaml,
        &LoadOptions::default(),
    )
    .unwrap();
    let b = load_facts(
        &program,
        "b",
        "firms: 2",
        FactsFormat::Yaml,
        &LoadOptions::default(),
    )
    .unwrap();
    let text = load_facts(
        &program,
        "c",
        "country: '1'",
        FactsFormat::Yaml,
        &Default::default(),
    )
    .unwrap();
    assert_ne!(
        fingerprint(&program, &a.facts),
        fingerprint(&program, &b.facts)
    );
    assert_ne!(
        fingerprint(&program, &a.facts),
        fingerprint(&program, &text.facts)
    );
}

#[test]
fn origins_name_file_key_and_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/facts/ok");
    let yaml = load_case(&dir.join("gamarra.yaml"), &LoadOptions::default())
        .unwrap()
        .facts;
    let firms = yaml.origins[0].as_ref().unwrap();
    assert_eq!(firms.source, "gamarra.yaml");
    assert_eq!(firms.key, "firms");
    assert_eq!(firms.line, Some(11));
    let toml = load_case(&dir.join("gamarra.toml"), &LoadOptions::default())
        .unwrap()
        .facts;
    assert_eq!(toml.origins[6].as_ref().unwrap().line, Some(8));
    let json = load_case(&dir.join("gamarra.json"), &LoadOptions::default())
        .unwrap()
        .facts;
    assert_eq!(json.origins[9].as_ref().unwrap().line, Some(11));
    assert_eq!(json.origins[9].as_ref().unwrap().key, "informality");
}

#[test]
fn every_error_code_is_triggered_in_each_format_that_can_express_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/facts/err");
    let cases: &[(&str, &[&str])] = &[
        ("syntax", &["json", "yaml", "toml"]),
        ("unknown_fact", &["json", "yaml", "toml"]),
        ("wrong_type", &["json", "yaml", "toml"]),
        ("not_whole_number", &["json", "yaml", "toml"]),
        ("out_of_range", &["json", "yaml", "toml"]),
        ("not_finite", &["json", "yaml", "toml"]),
        ("unknown_level", &["json", "yaml", "toml"]),
        ("duplicate_key", &["json", "yaml", "toml"]),
        ("not_a_mapping", &["json", "yaml"]),
    ];
    for (code, exts) in cases {
        for ext in *exts {
            let path = dir.join(format!("{code}.{ext}"));
            let errors = load_case(&path, &LoadOptions::default()).unwrap_err();
            let want = format!("meso::facts::{code}");
            assert!(
                codes(&errors).iter().all(|c| *c == want),
                "{}: {:?}",
                path.display(),
                codes(&errors)
            );
        }
    }
}

#[test]
fn several_errors_in_one_file_are_all_reported() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/facts/err");
    let errors = load_case(&dir.join("many_problems.yaml"), &LoadOptions::default()).unwrap_err();
    assert_eq!(
        codes(&errors),
        [
            "meso::facts::unknown_fact",
            "meso::facts::out_of_range",
            "meso::facts::unknown_level",
            "meso::facts::wrong_type",
            "meso::facts::not_whole_number",
            "meso::facts::duplicate_key",
        ]
    );
    let errors = load_case(&dir.join("many_problems.json"), &LoadOptions::default()).unwrap_err();
    assert_eq!(errors.errors.len(), 6);
    let errors = load_case(&dir.join("many_problems.toml"), &LoadOptions::default()).unwrap_err();
    assert_eq!(errors.errors.len(), 5);
}

#[test]
fn allow_unknown_facts_turns_unknown_key_into_warning() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/facts/err");
    let opts = LoadOptions {
        allow_unknown_facts: true,
    };
    for ext in ["json", "yaml", "toml"] {
        let loaded = load_case(&dir.join(format!("unknown_fact.{ext}")), &opts).unwrap();
        assert_eq!(loaded.warnings.len(), 2);
        assert_eq!(
            loaded.warnings[0].severity(),
            Some(miette::Severity::Warning)
        );
        assert_eq!(loaded.facts.values[4], Value::Level(0));
        assert_eq!(loaded.facts.values[0], Value::Unknown);
        if ext == "yaml" {
            insta::assert_snapshot!(render(&loaded.warnings[0]));
        }
    }
}

#[test]
fn unknown_key_is_still_an_error_next_to_other_errors_with_warnings_kept() {
    let opts = LoadOptions {
        allow_unknown_facts: true,
    };
    let errors = load_facts(
        &program(),
        "f.yaml",
        "frims: 1\nfirms: x\n",
        FactsFormat::Yaml,
        &opts,
    )
    .unwrap_err();
    assert_eq!(
        codes(&errors),
        ["meso::facts::unknown_fact", "meso::facts::wrong_type"]
    );
    assert_eq!(errors.errors[0].severity(), Some(miette::Severity::Warning));
}

#[test]
fn yaml_alias_bomb_is_rejected_quickly() {
    let bomb = "\
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
";
    let errors = load_facts(
        &program(),
        "bomb.yaml",
        bomb,
        FactsFormat::Yaml,
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(codes(&errors), ["meso::facts::syntax"]);
    insta::assert_snapshot!(render(&errors));
}

#[test]
fn small_yaml_aliases_still_work() {
    let text = "served: &m [local, domestic]\nmarkets_served: *m\n";
    let opts = LoadOptions {
        allow_unknown_facts: true,
    };
    let loaded = load_facts(&program(), "a.yaml", text, FactsFormat::Yaml, &opts).unwrap();
    assert_eq!(loaded.facts.values[6], Value::Set(0b011));
}

#[test]
fn missing_file_and_directory_give_io_errors() {
    // Relative paths keep the snapshots machine-independent; tests run in the crate root.
    let opts = LoadOptions::default();
    let missing = load_facts_file(
        &program(),
        Path::new("tests/cases/facts/missing.json"),
        None,
        &opts,
    )
    .unwrap_err();
    assert_eq!(codes(&missing), ["meso::facts::io"]);
    insta::assert_snapshot!("io_missing", render(&missing));
    let dir = load_facts_file(
        &program(),
        Path::new("tests/cases/facts"),
        Some(FactsFormat::Json),
        &opts,
    )
    .unwrap_err();
    assert_eq!(codes(&dir), ["meso::facts::io"]);
    insta::assert_snapshot!("io_directory", render(&dir));
}

#[test]
fn non_utf8_file_gives_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.yaml");
    std::fs::write(&path, b"country: Per\xfa\n").unwrap();
    let errors = load_facts_file(&program(), &path, None, &LoadOptions::default()).unwrap_err();
    assert_eq!(codes(&errors), ["meso::facts::io"]);
    assert!(errors.errors[0].to_string().contains("not UTF-8"));
}

#[test]
fn unknown_extension_needs_facts_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.txt");
    std::fs::write(&path, "firms: 3\n").unwrap();
    let errors = load_facts_file(&program(), &path, None, &LoadOptions::default()).unwrap_err();
    assert_eq!(codes(&errors), ["meso::facts::unknown_format"]);
    let help = errors.errors[0].help().unwrap().to_string();
    assert!(help.contains("--facts-format"), "{help}");
    let loaded = load_facts_file(
        &program(),
        &path,
        Some(FactsFormat::Yaml),
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(loaded.facts.values[0], Value::Number(3.0));
    let origin = loaded.facts.origins[0].as_ref().unwrap();
    assert_eq!(origin.source, path.display().to_string());
}

#[test]
fn format_from_path_and_name() {
    assert_eq!(
        FactsFormat::from_path(Path::new("a.json")),
        Some(FactsFormat::Json)
    );
    assert_eq!(
        FactsFormat::from_path(Path::new("a.YML")),
        Some(FactsFormat::Yaml)
    );
    assert_eq!(
        FactsFormat::from_path(Path::new("a.yaml")),
        Some(FactsFormat::Yaml)
    );
    assert_eq!(
        FactsFormat::from_path(Path::new("dir/a.toml")),
        Some(FactsFormat::Toml)
    );
    assert_eq!(FactsFormat::from_path(Path::new("a.csv")), None);
    assert_eq!(FactsFormat::from_path(Path::new("json")), None);
    assert_eq!("yml".parse::<FactsFormat>(), Ok(FactsFormat::Yaml));
    assert_eq!("toml".parse::<FactsFormat>(), Ok(FactsFormat::Toml));
    assert_eq!("json".parse::<FactsFormat>(), Ok(FactsFormat::Json));
    let err = "xml".parse::<FactsFormat>().unwrap_err();
    assert_eq!(
        err,
        "unknown facts format `xml`: use `json`, `yaml` or `toml`"
    );
}

#[test]
fn facts_to_json_uses_names_and_declaration_order() {
    let json = yaml_as_json(
        &program(),
        "markets_served: [international, local]\ntrust: high\nfirms: 7\nspecialization_lq: 1.25\n",
    );
    assert_eq!(
        json,
        r#"{"firms":7,"specialization_lq":1.25,"trust":"high","markets_served":["local","international"]}"#
    );
}

#[test]
fn parse_fact_value_accepts_command_line_values() {
    let p = program();
    let id = |name: &str| p.fact_id(name).unwrap();
    assert_eq!(
        parse_fact_value(&p, id("trust"), "medium"),
        Ok(Value::Level(1))
    );
    assert_eq!(
        parse_fact_value(&p, id("markets_served"), "local,domestic"),
        Ok(Value::Set(0b011))
    );
    assert_eq!(
        parse_fact_value(&p, id("markets_served"), "[international, local]"),
        Ok(Value::Set(0b101))
    );
    assert_eq!(
        parse_fact_value(&p, id("markets_served"), ""),
        Ok(Value::Set(0))
    );
    assert_eq!(
        parse_fact_value(&p, id("firms"), "unknown"),
        Ok(Value::Unknown)
    );
    assert_eq!(
        parse_fact_value(&p, id("firms"), "120"),
        Ok(Value::Number(120.0))
    );
    assert_eq!(
        parse_fact_value(&p, id("share_micro_small"), "17%"),
        Ok(Value::Number(0.17))
    );
    assert_eq!(
        parse_fact_value(&p, id("exports"), "true"),
        Ok(Value::Bool(true))
    );
    assert_eq!(
        parse_fact_value(&p, id("country"), "Peru"),
        Ok(Value::Text("Peru".into()))
    );
}

#[test]
fn parse_fact_value_rejects_like_facts_files() {
    let p = program();
    let id = |name: &str| p.fact_id(name).unwrap();
    assert_eq!(
        parse_fact_value(&p, id("trust"), "medum").unwrap_err(),
        "`medum` is not a level of `trust`; did you mean `medium`? allowed: `low`, `medium`, `high`"
    );
    assert_eq!(
        parse_fact_value(&p, id("firms"), "12.5").unwrap_err(),
        "`firms` must be a whole number, found `12.5`; write a whole number, e.g. `12` or `13`"
    );
    assert_eq!(
        parse_fact_value(&p, id("share_micro_small"), "17").unwrap_err(),
        "`share_micro_small` must be from 0 to 1, found `17`; a ratio goes from 0 to 1: write 0.17 for 17%"
    );
    assert_eq!(
        parse_fact_value(&p, id("firms"), "many").unwrap_err(),
        "wrong type for `firms`: expected whole number, found text `\"many\"`"
    );
    assert_eq!(
        parse_fact_value(&p, id("exports"), "yes").unwrap_err(),
        "wrong type for `exports`: expected boolean, found text `\"yes\"`; write `true` or `false`"
    );
    assert!(parse_fact_value(&p, id("specialization_lq"), "inf").is_err());
    assert!(parse_fact_value(&p, id("specialization_lq"), "NaN").is_err());
    let both = parse_fact_value(&p, id("markets_served"), "locl,globl").unwrap_err();
    assert_eq!(both.lines().count(), 2, "{both}");
    assert!(parse_fact_value(&p, FactId(99), "1").is_err());
}

#[test]
fn byte_order_mark_is_ignored() {
    for (text, format) in [
        ("\u{feff}{\"firms\": 2}", FactsFormat::Json),
        ("\u{feff}firms: 2\n", FactsFormat::Yaml),
        ("\u{feff}firms = 2\n", FactsFormat::Toml),
    ] {
        let loaded = load_facts(&program(), "bom", text, format, &Default::default()).unwrap();
        assert_eq!(loaded.facts.values[0], Value::Number(2.0), "{format}");
    }
}

#[test]
fn yaml_with_two_documents_is_a_syntax_error() {
    let errors = load_facts(
        &program(),
        "two.yaml",
        "firms: 1\n---\nfirms: 2\n",
        FactsFormat::Yaml,
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(codes(&errors), ["meso::facts::syntax"]);
    assert!(errors.errors[0]
        .to_string()
        .contains("single YAML document"));
}

#[test]
fn explicit_null_is_unknown_with_an_origin() {
    for (text, format) in [
        ("{\"trust\": null}", FactsFormat::Json),
        ("trust: ~\n", FactsFormat::Yaml),
        ("trust: null\n", FactsFormat::Yaml),
        ("trust:\n", FactsFormat::Yaml),
    ] {
        let loaded = load_facts(&program(), "n", text, format, &Default::default()).unwrap();
        assert_eq!(loaded.facts.values[4], Value::Unknown, "{text}");
        assert_eq!(loaded.facts.origins[4].as_ref().unwrap().line, Some(1));
    }
}

#[test]
fn levels_and_members_read_whatever_their_case_when_one_level_fits() {
    let program = program();
    let json = yaml_as_json(
        &program,
        "trust: High\nmain_market: LOCAL\nmarkets_served: [Domestic, international]\n",
    );
    assert_eq!(
        json,
        r#"{"trust":"high","main_market":"local","markets_served":["domestic","international"]}"#
    );
    let id = |name: &str| program.fact_id(name).unwrap();
    assert_eq!(
        parse_fact_value(&program, id("trust"), "mEdIuM"),
        Ok(Value::Level(1))
    );
    // Text cells read as CSV cells do: booleans in any case, members split on `,`, `|`, `;`.
    assert_eq!(
        parse_fact_value(&program, id("exports"), "FALSE"),
        Ok(Value::Bool(false))
    );
    for members in [
        "local|International",
        "local; international",
        "[LOCAL,international]",
    ] {
        assert_eq!(
            parse_fact_value(&program, id("markets_served"), members),
            Ok(Value::Set(0b101)),
            "{members}"
        );
    }
    // A misspelling is still one, whatever its case.
    let errors = load_facts(
        &program,
        "f.yaml",
        "trust: HGIH\n",
        FactsFormat::Yaml,
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(codes(&errors), ["meso::facts::unknown_level"]);
}

#[test]
fn a_name_two_levels_share_but_for_case_is_not_guessed() {
    let mut program = program();
    program.facts.push(fact(
        "grade",
        FactType::Level {
            levels: names(&["ab", "AB", "c"]),
            ordered: false,
        },
        None,
        None,
    ));
    let id = program.fact_id("grade").unwrap();
    let read = |text: &str| {
        load_facts(
            &program,
            "f.yaml",
            text,
            FactsFormat::Yaml,
            &Default::default(),
        )
        .map(|loaded| loaded.facts.values[id.index()].clone())
    };
    // Exact names, and a name one level alone matches but for case, are read...
    assert_eq!(read("grade: AB\n").unwrap(), Value::Level(1));
    assert_eq!(read("grade: ab\n").unwrap(), Value::Level(0));
    assert_eq!(read("grade: C\n").unwrap(), Value::Level(2));
    // ...but `Ab` could be either of two: not guessed.
    let errors = read("grade: Ab\n").unwrap_err();
    assert_eq!(codes(&errors), ["meso::facts::unknown_level"]);
}
