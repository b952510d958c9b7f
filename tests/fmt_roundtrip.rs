//! Formatter properties: for every shipped rule file and for generated rule sets,
//! formatting is idempotent (`fmt(fmt(x)) == fmt(x)`) and keeps the meaning
//! (`parse(fmt(x)) == parse(x)`, spans ignored), and comments survive formatting.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use meso::source::{FileId, SourceFile, Span, Spanned};
use meso::syntax::ast::*;
use meso::syntax::fmt::{format_source, print_file};
use meso::syntax::parse_file;
use meso::vocab::*;
use proptest::prelude::*;

fn source(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        text: text.into(),
    }
}

fn parse(name: &str, text: &str) -> RuleFile {
    parse_file(FileId(0), &source(name, text))
        .unwrap_or_else(|e| panic!("{name} does not parse: {e}\n{text}"))
}

fn meso_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            meso_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "meso") {
            out.push(path);
        }
    }
}

fn shipped_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        "rules",
        "examples/rulesets",
        "tests/cases/parse/ok",
        "tests/cases/check/ok",
    ] {
        meso_files(Path::new(dir), &mut files);
    }
    files.push(PathBuf::from("tests/cases/language_tour.meso"));
    files
}

/// Format `text`, check idempotence, meaning and comments; return the formatted text.
fn assert_formats_well(name: &str, text: &str) -> String {
    let once = format_source(&source(name, text))
        .unwrap_or_else(|e| panic!("{name} does not format: {e}\n{text}"));
    let twice = format_source(&source(name, &once)).unwrap();
    assert_eq!(once, twice, "formatting {name} twice differs from once");
    assert_eq!(
        parse(name, text),
        parse(name, &once),
        "formatting {name} changed its meaning"
    );
    once
}

#[test]
fn every_shipped_rule_file_formats_idempotently_and_keeps_its_meaning() {
    let files = shipped_files();
    assert!(files.len() > 15, "found only {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_formats_well(&path.display().to_string(), &text);
    }
}

#[test]
fn shipped_rules_are_formatted() {
    let mut files = Vec::new();
    meso_files(Path::new("rules"), &mut files);
    meso_files(Path::new("examples/rulesets"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = format_source(&source("x", &text)).unwrap();
        assert_eq!(text, formatted, "{} is not formatted", path.display());
    }
}

#[test]
fn comments_stay_with_their_lines() {
    let text = "# head\n\nfact a: number { unit \"x\" }  # after a\ntype t {  # on t\n  cite \"c\"\n  # before required\n  required { one: a > 1 }\n  # before close\n}\n# end\n";
    let out = assert_formats_well("c.meso", text);
    assert_eq!(
        out,
        "# head\n\nfact a: number {\n  unit \"x\"\n}  # after a\n\ntype t {  # on t\n  cite \"c\"\n  # before required\n  required {\n    one: a > 1\n  }\n  # before close\n}\n# end\n"
    );
}

#[test]
fn precedence_is_kept_with_the_fewest_parentheses() {
    let text =
        "derived d = (a or b) and not (c == 1) and -(x + y) * z - (p - q) and (u is known)\n";
    let out = assert_formats_well("p.meso", text);
    assert_eq!(
        out,
        "derived d = (a or b) and not (c == 1) and -(x + y) * z - (p - q) and u is known\n"
    );
}

// ---------------------------------------------------------------------------------------
// Generated rule sets
// ---------------------------------------------------------------------------------------

/// Names, some starting with keywords to test word boundaries.
const NAMES: &[&str] = &[
    "firms", "trust", "share", "a", "b_2", "Sarchí", "notable", "island", "android", "format",
    "fact", "type", "known", "weighted", "_x", "low", "high", "isle", "order", "formal",
];

const FUNCS: &[&str] = &["min", "max", "abs", "count", "any", "all", "mean"];

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn ident() -> impl Strategy<Value = Ident> {
    prop::sample::select(NAMES).prop_map(|n| Ident {
        name: n.to_string(),
        span: Span::default(),
    })
}

fn idents(min: usize, max: usize) -> impl Strategy<Value = Vec<Ident>> {
    prop::collection::vec(ident(), min..=max)
}

/// A string with quotes, backslashes, tabs, line breaks, `#` and non-ASCII text.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(
            &[
                "a", "word", " ", "  ", "\"", "\\", "\n", "\t", "#", "§4(a)", "é", "\"\"\"", "{",
            ][..],
        ),
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

/// A number literal as written and its value, computed as the language defines it.
fn number_literal() -> impl Strategy<Value = (f64, String)> {
    (
        prop::sample::select(&["0", "1", "12", "12_000", "3", "250"][..]),
        prop::option::of(prop::sample::select(&["5", "25", "125"][..])),
        prop::option::of(prop::sample::select(&["e3", "E-2", "e+1"][..])),
        any::<bool>(),
    )
        .prop_map(|(int, frac, exp, percent)| {
            let mut text = int.to_string();
            if let Some(f) = frac {
                text.push('.');
                text.push_str(f);
            }
            if let Some(e) = exp {
                text.push_str(e);
            }
            let digits: String = text.chars().filter(|&c| c != '_').collect();
            let mut value: f64 = digits.parse().unwrap();
            if percent {
                text.push('%');
                value /= 100.0;
            }
            (value, text)
        })
}

fn plain_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i32..1000).prop_map(f64::from),
        (-100_000i32..100_000).prop_map(|n| f64::from(n) / 1000.0),
    ]
}

fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        number_literal().prop_map(|(value, text)| e(ExprKind::Number { value, text })),
        text().prop_map(|s| e(ExprKind::Text(s))),
        any::<bool>().prop_map(|b| e(ExprKind::Bool(b))),
        ident().prop_map(|i| e(ExprKind::Name(i.name))),
    ];
    leaf.prop_recursive(5, 40, 3, |inner| {
        let b = |x: Expr| Box::new(x);
        prop_oneof![
            inner.clone().prop_map(move |x| e(ExprKind::Neg(b(x)))),
            inner.clone().prop_map(move |x| e(ExprKind::Not(b(x)))),
            (
                prop::sample::select(&[LogicOp::And, LogicOp::Or][..]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(move |(op, l, r)| e(ExprKind::Logic(op, b(l), b(r)))),
            (
                prop::sample::select(&[ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div][..]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(move |(op, l, r)| e(ExprKind::Arith(op, b(l), b(r)))),
            (
                prop::sample::select(
                    &[
                        CompareOp::Eq,
                        CompareOp::Ne,
                        CompareOp::Lt,
                        CompareOp::Le,
                        CompareOp::Gt,
                        CompareOp::Ge
                    ][..]
                ),
                inner.clone(),
                inner.clone()
            )
                .prop_map(move |(op, l, r)| e(ExprKind::Compare(op, b(l), b(r)))),
            (
                inner.clone(),
                prop::collection::vec(inner.clone(), 0..3),
                any::<bool>()
            )
                .prop_map(move |(v, list, negated)| e(ExprKind::In {
                    value: b(v),
                    list,
                    negated
                })),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(move |(v, l, h)| e(
                ExprKind::Between {
                    value: b(v),
                    low: b(l),
                    high: b(h)
                }
            )),
            (inner.clone(), any::<bool>()).prop_map(move |(v, negated)| e(ExprKind::IsKnown {
                value: b(v),
                negated
            })),
            (inner.clone(), inner.clone()).prop_map(move |(s, i)| e(ExprKind::Contains {
                set: b(s),
                item: b(i)
            })),
            (
                prop::sample::select(FUNCS),
                prop::collection::vec(inner, 0..3)
            )
                .prop_map(|(f, args)| e(ExprKind::Call {
                    func: Ident {
                        name: f.to_string(),
                        span: Span::default()
                    },
                    args
                })),
        ]
    })
}

fn opt_text() -> impl Strategy<Value = Option<Spanned<String>>> {
    prop::option::of(text().prop_map(sp))
}

fn meta() -> impl Strategy<Value = Meta> {
    (opt_text(), opt_text(), opt_text(), opt_text()).prop_map(|(label, description, cite, unit)| {
        Meta {
            label,
            description,
            cite,
            unit,
        }
    })
}

fn fact_type() -> impl Strategy<Value = FactType> {
    prop_oneof![
        Just(FactType::Number),
        Just(FactType::Count),
        Just(FactType::Integer),
        Just(FactType::Ratio),
        Just(FactType::Boolean),
        Just(FactType::Text),
        idents(2, 4).prop_map(FactType::Level),
        idents(2, 4).prop_map(FactType::OneOf),
        idents(1, 4).prop_map(FactType::SetOf),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        (number_literal(), any::<bool>()).prop_map(|((value, text), neg)| if neg {
            Literal::Number {
                value: -value,
                text: format!("-{text}"),
            }
        } else {
            Literal::Number { value, text }
        }),
        text().prop_map(Literal::Text),
        any::<bool>().prop_map(Literal::Bool),
        ident().prop_map(|i| Literal::Name(i.name)),
    ]
}

fn criterion() -> impl Strategy<Value = Criterion> {
    (
        ident(),
        expr(),
        prop::option::of(plain_number().prop_map(sp)),
        opt_text(),
    )
        .prop_map(|(name, expr, weight, note)| Criterion {
            name,
            expr,
            weight,
            note,
            span: Span::default(),
        })
}

fn fact_value() -> impl Strategy<Value = FactValue> {
    prop_oneof![
        Just(FactValue::Unknown),
        plain_number().prop_map(FactValue::Number),
        text().prop_map(FactValue::Text),
        any::<bool>().prop_map(FactValue::Bool),
        ident().prop_map(|i| FactValue::Name(i.name)),
        idents(0, 3).prop_map(FactValue::List),
    ]
}

fn expectation() -> impl Strategy<Value = Expectation> {
    let span = Span::default();
    prop_oneof![
        (ident(), any::<bool>()).prop_map(move |(name, provisional)| {
            Expectation::Classification {
                name,
                provisional,
                span,
            }
        }),
        (
            ident(),
            prop::sample::select(
                &[
                    ExpectedStatus::Matched,
                    ExpectedStatus::Undetermined,
                    ExpectedStatus::Recommended,
                    ExpectedStatus::Avoided,
                    ExpectedStatus::ProvisionallyRecommended,
                    ExpectedStatus::ProvisionallyAvoided
                ][..]
            ),
            any::<bool>()
        )
            .prop_map(move |(name, status, negated)| Expectation::Status {
                name,
                status,
                negated,
                span
            }),
        (
            ident(),
            prop::sample::select(&[CompareOp::Ge, CompareOp::Lt, CompareOp::Eq][..]),
            plain_number()
        )
            .prop_map(move |(name, op, value)| Expectation::Score {
                name,
                op,
                value,
                span
            }),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let span = Span::default();
    prop_oneof![
        (
            ident(),
            fact_type(),
            meta(),
            prop::option::of(plain_number()),
            prop::option::of(plain_number())
        )
            .prop_map(
                move |(name, ty, meta, minimum, maximum)| Item::Fact(FactDecl {
                    name,
                    ty: sp(ty),
                    meta,
                    minimum: minimum.map(sp),
                    maximum: maximum.map(sp),
                    span
                })
            ),
        (ident(), literal(), meta()).prop_map(move |(name, value, meta)| Item::Param(ParamDecl {
            name,
            value: sp(value),
            meta,
            span
        })),
        (ident(), expr(), meta()).prop_map(move |(name, expr, meta)| Item::Derived(DerivedDecl {
            name,
            expr,
            meta,
            span
        })),
        (
            ident(),
            prop::option::of(ident()),
            meta(),
            prop::collection::vec(criterion(), 0..3),
            prop::collection::vec(criterion(), 0..3),
            prop::collection::vec(criterion(), 0..2)
        )
            .prop_map(
                move |(name, extends, meta, required, indicative, excluding)| Item::Type(
                    TypeDecl {
                        name,
                        extends,
                        meta,
                        required,
                        indicative,
                        excluding,
                        span
                    }
                )
            ),
        (
            (
                prop::sample::select(&[PolicyKind::Recommend, PolicyKind::Avoid][..]),
                ident(),
                meta(),
                idents(0, 3),
                prop::option::of(expr())
            ),
            (
                prop::option::of(plain_number()),
                idents(0, 2),
                opt_text(),
                opt_text()
            )
        )
            .prop_map(
                move |((kind, name, meta, for_types, when), (phase, after, advice, rationale))| {
                    Item::Policy(PolicyDecl {
                        kind,
                        name,
                        meta,
                        for_types,
                        when,
                        phase: phase.map(sp),
                        after,
                        advice,
                        rationale,
                        span,
                    })
                }
            ),
        (
            text(),
            prop::collection::vec((ident(), fact_value()), 0..4),
            prop::collection::vec((ident(), literal()), 0..2),
            prop::collection::vec(expectation(), 0..4)
        )
            .prop_map(move |(name, given, params, expects)| Item::Test(TestDecl {
                name: sp(name),
                given: given
                    .into_iter()
                    .map(|(name, v)| Assignment { name, value: sp(v) })
                    .collect(),
                params: params
                    .into_iter()
                    .map(|(name, v)| ParamOverride { name, value: sp(v) })
                    .collect(),
                expects,
                span
            })),
    ]
}

fn rule_file() -> impl Strategy<Value = RuleFile> {
    prop::collection::vec(item(), 0..6).prop_map(|items| RuleFile { items })
}

/// Insert comments into printed text: own-line ones and ones at line ends, never inside a
/// text block.
fn with_comments(text: &str, picks: &[(usize, bool)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut inside_block = Vec::new();
    let mut open = false;
    for line in &lines {
        inside_block.push(open);
        if line.matches("\"\"\"").count() % 2 == 1 {
            open = !open;
        }
    }
    let mut out: Vec<String> = Vec::new();
    for (i, line) in lines.drain(..).enumerate() {
        let starts_inside = inside_block.get(i).copied().unwrap_or(true);
        let ends_inside = inside_block.get(i + 1).copied().unwrap_or(false);
        let pick = picks.iter().find(|(n, _)| *n == i);
        match pick {
            Some((_, true)) if !starts_inside => {
                out.push(format!("# comment {i}"));
                out.push(line);
            }
            Some((_, false)) if !ends_inside => out.push(format!("{line}  # trailing {i}")),
            _ => out.push(line),
        }
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    joined
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_rule_sets_print_parse_and_format_back(file in rule_file()) {
        let printed = print_file(&file);
        let reparsed = parse_file(FileId(0), &source("gen.meso", &printed))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{printed}")))?;
        prop_assert_eq!(&reparsed, &file, "printed:\n{}", printed);
        let formatted = format_source(&source("gen.meso", &printed))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{printed}")))?;
        prop_assert_eq!(&formatted, &printed, "printing is not the canonical layout");
    }

    #[test]
    fn generated_rule_sets_keep_their_comments(
        file in rule_file(),
        picks in prop::collection::vec((0usize..60, any::<bool>()), 0..8),
    ) {
        let commented = with_comments(&print_file(&file), &picks);
        let once = format_source(&source("gen.meso", &commented))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{commented}")))?;
        let twice = format_source(&source("gen.meso", &once))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{once}")))?;
        prop_assert_eq!(&once, &twice, "not idempotent; input:\n{}", commented);
        let before = parse_file(FileId(0), &source("a", &commented)).ok();
        let after = parse_file(FileId(0), &source("b", &once)).ok();
        prop_assert_eq!(before, after);
    }
}
