//! Parser tests: file-driven cases (`tests/cases/parse/{ok,err}`) snapshotted with insta,
//! focused assertions on the syntax tree, and a mutation property test (never panic).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::path::Path;

use meso::source::{FileId, SourceMap};
use meso::syntax::ast::{
    self, Criterion, Expectation, Expr, ExprKind, FactType, FactValue, Item, Literal, Meta,
};
use meso::syntax::{parse_file, parse_rule_set, ParseError};
use proptest::prelude::*;

use common::{parse_str, render_diagnostic, source};
use meso::vocab::{ArithOp, CompareOp, LogicOp};

// -- compact tree printer --------------------------------------------------------------

/// A compact, span-aware dump of a syntax tree: one line per declaration part.
fn dump(file: &ast::RuleFile) -> String {
    let mut out = String::new();
    for item in &file.items {
        dump_item(&mut out, item);
    }
    out
}

fn dump_item(out: &mut String, item: &Item) {
    match item {
        Item::Fact(f) => {
            let _ = writeln!(
                out,
                "fact {} : {} @{}",
                f.name.name,
                fact_type(&f.ty.node),
                at(f.span)
            );
            dump_meta(out, &f.meta);
            if let Some(m) = &f.minimum {
                let _ = writeln!(out, "  minimum {}", m.node);
            }
            if let Some(m) = &f.maximum {
                let _ = writeln!(out, "  maximum {}", m.node);
            }
        }
        Item::Param(p) => {
            let _ = writeln!(
                out,
                "param {} = {} @{}",
                p.name.name,
                literal(&p.value.node),
                at(p.span)
            );
            dump_meta(out, &p.meta);
        }
        Item::Derived(d) => {
            let _ = writeln!(
                out,
                "derived {} = {} @{}",
                d.name.name,
                expr(&d.expr),
                at(d.span)
            );
            dump_meta(out, &d.meta);
        }
        Item::Type(t) => {
            let parent = t.extends.as_ref().map(|p| format!(" extends {}", p.name));
            let _ = writeln!(
                out,
                "type {}{} @{}",
                t.name.name,
                parent.unwrap_or_default(),
                at(t.span)
            );
            dump_meta(out, &t.meta);
            for (kind, list) in [
                ("required", &t.required),
                ("indicative", &t.indicative),
                ("excluding", &t.excluding),
            ] {
                for c in list {
                    dump_criterion(out, kind, c);
                }
            }
        }
        Item::Policy(p) => {
            let kind = match p.kind {
                meso::vocab::PolicyKind::Recommend => "policy",
                meso::vocab::PolicyKind::Avoid => "avoid",
            };
            let _ = writeln!(out, "{kind} {} @{}", p.name.name, at(p.span));
            dump_meta(out, &p.meta);
            if !p.for_types.is_empty() {
                let _ = writeln!(out, "  for {}", names(&p.for_types));
            }
            if let Some(w) = &p.when {
                let _ = writeln!(out, "  when {}", expr(w));
            }
            if let Some(ph) = &p.phase {
                let _ = writeln!(out, "  phase {}", ph.node);
            }
            if !p.after.is_empty() {
                let _ = writeln!(out, "  after {}", names(&p.after));
            }
            if let Some(a) = &p.advice {
                let _ = writeln!(out, "  advice {:?}", a.node);
            }
            if let Some(r) = &p.rationale {
                let _ = writeln!(out, "  rationale {:?}", r.node);
            }
        }
        Item::Test(t) => {
            let _ = writeln!(out, "test {:?} @{}", t.name.node, at(t.span));
            for g in &t.given {
                let _ = writeln!(
                    out,
                    "  given {} = {}",
                    g.name.name,
                    fact_value(&g.value.node)
                );
            }
            for p in &t.params {
                let _ = writeln!(out, "  param {} = {}", p.name.name, literal(&p.value.node));
            }
            for e in &t.expects {
                let _ = writeln!(out, "  expect {}", expectation(e));
            }
        }
    }
}

fn dump_meta(out: &mut String, meta: &Meta) {
    for (key, value) in [
        ("label", &meta.label),
        ("description", &meta.description),
        ("cite", &meta.cite),
        ("unit", &meta.unit),
    ] {
        if let Some(v) = value {
            let _ = writeln!(out, "  {key} {:?}", v.node);
        }
    }
}

fn dump_criterion(out: &mut String, kind: &str, c: &Criterion) {
    let mut line = format!("  {kind} {}: {}", c.name.name, expr(&c.expr));
    if let Some(w) = &c.weight {
        let _ = write!(line, " weight {}", w.node);
    }
    if let Some(n) = &c.note {
        let _ = write!(line, " note {:?}", n.node);
    }
    let _ = writeln!(out, "{line} @{}", at(c.span));
}

fn at(span: meso::source::Span) -> String {
    format!("{}..{}", span.start, span.end)
}

fn names(list: &[ast::Ident]) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn fact_type(t: &FactType) -> String {
    match t {
        FactType::Number => "number".into(),
        FactType::Count => "count".into(),
        FactType::Integer => "integer".into(),
        FactType::Ratio => "ratio".into(),
        FactType::Boolean => "boolean".into(),
        FactType::Text => "text".into(),
        FactType::Level(l) => format!(
            "level {}",
            l.iter()
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
                .join(" < ")
        ),
        FactType::OneOf(l) => format!("one of {}", names(l)),
        FactType::SetOf(l) => format!("set of {}", names(l)),
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Number { value, text } => format!("{value} ({text})"),
        Literal::Text(t) => format!("{t:?}"),
        Literal::Bool(b) => b.to_string(),
        Literal::Name(n) => format!("name {n}"),
    }
}

fn fact_value(v: &FactValue) -> String {
    match v {
        FactValue::Unknown => "unknown".into(),
        FactValue::Number(n) => n.to_string(),
        FactValue::Text(t) => format!("{t:?}"),
        FactValue::Bool(b) => b.to_string(),
        FactValue::Name(n) => format!("name {n}"),
        FactValue::List(l) => format!("[{}]", names(l)),
    }
}

fn expectation(e: &Expectation) -> String {
    match e {
        Expectation::Classification { name, .. } => format!("classification {}", name.name),
        Expectation::Status {
            name,
            status,
            negated,
            ..
        } => {
            format!(
                "{} {}{:?}",
                name.name,
                if *negated { "not " } else { "" },
                status
            )
        }
        Expectation::Score {
            name, op, value, ..
        } => format!("{} score {} {value}", name.name, op.as_str()),
    }
}

/// Expressions as s-expressions: `(and a (not b))`.
fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number { value, text } if value.to_string() == *text => text.clone(),
        ExprKind::Number { value, text } => format!("{value}[{text}]"),
        ExprKind::Text(t) => format!("{t:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Neg(x) => format!("(neg {})", expr(x)),
        ExprKind::Not(x) => format!("(not {})", expr(x)),
        ExprKind::Logic(op, a, b) => {
            let op = if *op == LogicOp::And { "and" } else { "or" };
            format!("({op} {} {})", expr(a), expr(b))
        }
        ExprKind::Arith(op, a, b) => format!("({} {} {})", op.as_str(), expr(a), expr(b)),
        ExprKind::Compare(op, a, b) => format!("({} {} {})", op.as_str(), expr(a), expr(b)),
        ExprKind::In {
            value,
            list,
            negated,
        } => format!(
            "({} {} [{}])",
            if *negated { "not-in" } else { "in" },
            expr(value),
            list.iter().map(expr).collect::<Vec<_>>().join(" ")
        ),
        ExprKind::Between { value, low, high } => {
            format!("(between {} {} {})", expr(value), expr(low), expr(high))
        }
        ExprKind::IsKnown { value, negated } => {
            format!(
                "({} {})",
                if *negated { "unknown?" } else { "known?" },
                expr(value)
            )
        }
        ExprKind::Contains { set, item } => format!("(contains {} {})", expr(set), expr(item)),
        ExprKind::Call { func, args } => {
            let mut parts = vec![format!("call {}", func.name)];
            parts.extend(args.iter().map(expr));
            format!("({})", parts.join(" "))
        }
    }
}

// -- file-driven cases -----------------------------------------------------------------

fn case_name(path: &Path) -> String {
    let dir = path
        .parent()
        .and_then(|p| p.file_name())
        .unwrap()
        .to_string_lossy();
    format!("{dir}/{}", path.file_name().unwrap().to_string_lossy())
}

#[test]
fn ok_cases_parse() {
    insta::glob!("cases/parse/ok/*.meso", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let file = source(&case_name(path), &text);
        match parse_file(FileId(0), &file) {
            Ok(tree) => insta::assert_snapshot!(dump(&tree)),
            Err(e) => panic!(
                "{} should parse:\n{}",
                case_name(path),
                render_diagnostic(&e)
            ),
        }
    });
}

#[test]
fn language_tour_parses() {
    let text = std::fs::read_to_string("tests/cases/language_tour.meso").unwrap();
    let tree = parse_str(&text).unwrap_or_else(|e| panic!("{}", render_diagnostic(&e)));
    insta::assert_snapshot!(dump(&tree));
}

#[test]
fn err_cases_fail_with_a_diagnostic() {
    insta::glob!("cases/parse/err/*.meso", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let file = source(&case_name(path), &text);
        match parse_file(FileId(0), &file) {
            Ok(tree) => panic!(
                "{} should fail, parsed as:\n{}",
                case_name(path),
                dump(&tree)
            ),
            Err(e) => insta::assert_snapshot!(render_diagnostic(&e)),
        }
    });
}

#[test]
fn every_error_code_has_a_failing_case() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir("tests/cases/parse/err").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = parse_str(&text) {
            seen.push(e.code_str());
        }
    }
    for code in [
        "meso::parse::unexpected_token",
        "meso::parse::unterminated_string",
        "meso::parse::invalid_number",
        "meso::parse::invalid_escape",
        "meso::parse::duplicate_clause",
        "meso::parse::reserved_word",
        "meso::parse::too_deep",
    ] {
        assert!(seen.contains(&code), "no failing case for {code}");
    }
}

// -- focused assertions ----------------------------------------------------------------

fn derived_expr(text: &str) -> Expr {
    let tree = parse_str(&format!("derived x = {text}"))
        .unwrap_or_else(|e| panic!("{}", render_diagnostic(&e)));
    match tree.items.into_iter().next() {
        Some(Item::Derived(d)) => d.expr,
        other => panic!("expected a derived value, got {other:?}"),
    }
}

fn name(n: &str) -> Box<Expr> {
    Box::new(Expr {
        kind: ExprKind::Name(n.into()),
        span: Default::default(),
    })
}

fn node(kind: ExprKind) -> Box<Expr> {
    Box::new(Expr {
        kind,
        span: Default::default(),
    })
}

#[test]
fn and_binds_tighter_than_or_and_not_tighter_than_and() {
    let e = derived_expr("a or b and not c");
    let expected = ExprKind::Logic(
        LogicOp::Or,
        name("a"),
        node(ExprKind::Logic(
            LogicOp::And,
            name("b"),
            node(ExprKind::Not(name("c"))),
        )),
    );
    assert_eq!(e.kind, expected);
}

#[test]
fn operator_chains_are_left_associative() {
    let e = derived_expr("a - b - c");
    let expected = ExprKind::Arith(
        ArithOp::Sub,
        node(ExprKind::Arith(ArithOp::Sub, name("a"), name("b"))),
        name("c"),
    );
    assert_eq!(e.kind, expected);
    let e = derived_expr("a / b * c");
    let expected = ExprKind::Arith(
        ArithOp::Mul,
        node(ExprKind::Arith(ArithOp::Div, name("a"), name("b"))),
        name("c"),
    );
    assert_eq!(e.kind, expected);
    assert_eq!(expr(&derived_expr("a or b or c")), "(or (or a b) c)");
}

#[test]
fn percent_literal_is_divided_by_one_hundred_and_keeps_its_text() {
    let tree = parse_str("param p = 90%").unwrap();
    let Some(Item::Param(p)) = tree.items.first() else {
        panic!("no param")
    };
    assert_eq!(
        p.value.node,
        Literal::Number {
            value: 0.9,
            text: "90%".into()
        }
    );
    let e = derived_expr("x >= 12_500%");
    let ExprKind::Compare(CompareOp::Ge, _, rhs) = e.kind else {
        panic!("not a comparison")
    };
    assert_eq!(
        rhs.kind,
        ExprKind::Number {
            value: 125.0,
            text: "12_500%".into()
        }
    );
}

#[test]
fn unary_minus_stays_a_negation_node() {
    let e = derived_expr("-3");
    assert_eq!(
        e.kind,
        ExprKind::Neg(node(ExprKind::Number {
            value: 3.0,
            text: "3".into()
        }))
    );
    assert_eq!((e.span.start, e.span.end), (12, 14));
}

#[test]
fn known_tests_set_negated_as_the_words_say() {
    for (text, negated) in [
        ("x is known", false),
        ("x is unknown", true),
        ("x is not known", true),
        ("x is not unknown", false),
    ] {
        let e = derived_expr(text);
        assert_eq!(
            e.kind,
            ExprKind::IsKnown {
                value: name("x"),
                negated
            },
            "{text}"
        );
    }
}

#[test]
fn is_and_is_not_compare_for_equality() {
    assert_eq!(
        derived_expr("m is low").kind,
        ExprKind::Compare(CompareOp::Eq, name("m"), name("low"))
    );
    assert_eq!(
        derived_expr("m is not low").kind,
        ExprKind::Compare(CompareOp::Ne, name("m"), name("low"))
    );
}

#[test]
fn text_block_is_dedented() {
    let text = "param p = \"\"\"\n    One.\n      Two.\n\n    Three.\n    \"\"\"";
    let tree = parse_str(text).unwrap();
    let Some(Item::Param(p)) = tree.items.first() else {
        panic!("no param")
    };
    assert_eq!(p.value.node, Literal::Text("One.\n  Two.\n\nThree.".into()));
}

#[test]
fn simple_string_escapes_are_decoded() {
    let tree = parse_str(r#"param p = "a\"b\\c\nd\te""#).unwrap();
    let Some(Item::Param(p)) = tree.items.first() else {
        panic!("no param")
    };
    assert_eq!(p.value.node, Literal::Text("a\"b\\c\nd\te".into()));
}

#[test]
fn crlf_and_byte_order_mark_keep_byte_spans() {
    let text = "\u{FEFF}fact a: number\r\nfact r\u{e9}gion: text\r\n\tderived b = r\u{e9}gion == \"x\"\r\n";
    let tree = parse_str(text).unwrap();
    let Some(Item::Fact(f)) = tree.items.get(1) else {
        panic!("no fact")
    };
    let span = f.name.span;
    assert_eq!(&text[span.start as usize..span.end as usize], "r\u{e9}gion");
    let Some(Item::Derived(d)) = tree.items.get(2) else {
        panic!("no derived")
    };
    assert_eq!(
        &text[d.expr.span.start as usize..d.expr.span.end as usize],
        "r\u{e9}gion == \"x\""
    );
    assert_eq!(
        &text[d.span.start as usize..d.span.end as usize],
        "derived b = r\u{e9}gion == \"x\""
    );
    let file = source("t.meso", text);
    assert_eq!(file.line_col(d.expr.span.start), (3, 14));
}

#[test]
fn error_position_is_right_with_crlf_and_byte_order_mark() {
    let text = "\u{FEFF}fact a: number\r\n\t# caf\u{e9}\r\nderived c = a +* b\r\n";
    let err = parse_str(text).unwrap_err();
    let start = err.span().offset();
    assert_eq!(&text[start..start + 1], "*");
    assert_eq!(source("t.meso", text).line_col(start as u32), (3, 16));
}

#[test]
fn repeated_criteria_and_given_blocks_concatenate() {
    let tree = parse_str(
        "type t { required { a: x } indicative { b: y } required { c: z } }\n\
         test \"t\" { given { x = 1 } given { y = 2 } expect classification is none }",
    )
    .unwrap();
    let Some(Item::Type(t)) = tree.items.first() else {
        panic!("no type")
    };
    let required: Vec<_> = t.required.iter().map(|c| c.name.name.as_str()).collect();
    assert_eq!(required, ["a", "c"]);
    let Some(Item::Test(test)) = tree.items.get(1) else {
        panic!("no test")
    };
    assert_eq!(test.given.len(), 2);
    assert!(
        matches!(&test.expects[..], [Expectation::Classification { name, .. }] if name.name == "none")
    );
}

#[test]
fn duplicate_clause_points_at_both_occurrences() {
    let text = "policy p { phase 1 advice \"a\" phase 2 }";
    let ParseError::DuplicateClause {
        clause,
        span,
        first,
        ..
    } = parse_str(text).unwrap_err()
    else {
        panic!("not a duplicate clause")
    };
    assert_eq!(clause, "phase");
    assert_eq!((first.offset(), span.offset()), (11, 30));
}

#[test]
fn reserved_words_cannot_be_names_but_may_start_names() {
    assert!(
        matches!(parse_str("fact note: text"), Err(ParseError::ReservedWord { word, .. }) if word == "note")
    );
    assert!(
        matches!(parse_str("fact is: text"), Err(ParseError::ReservedWord { word, .. }) if word == "is")
    );
    assert!(
        parse_str("fact notes: text fact isle: text fact inner: text fact nothing: boolean")
            .is_ok()
    );
}

#[test]
fn rule_set_collects_every_files_error() {
    let mut map = SourceMap::new();
    map.add("a.meso", "fact a: number");
    map.add("b.meso", "fact b number");
    map.add("c.meso", "derived c = a &&");
    let (files, errors) = parse_rule_set(&map);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, FileId(0));
    assert_eq!(errors.len(), 2);
    assert!(render_diagnostic(&errors[1]).contains("c.meso"));
}

#[test]
fn spans_carry_the_file_id() {
    let tree = parse_file(FileId(7), &source("x.meso", "fact a: number")).unwrap();
    let Some(Item::Fact(f)) = tree.items.first() else {
        panic!("no fact")
    };
    assert_eq!(f.name.span.file, FileId(7));
    assert_eq!((f.span.start, f.span.end), (0, 14));
}

#[test]
fn deep_nesting_is_refused_without_crashing() {
    let parens = format!("derived x = {}1{}", "(".repeat(20_000), ")".repeat(20_000));
    assert!(parse_str(&parens).is_err());
    let chain = format!("derived x = 1{}", " + 1".repeat(5_000));
    assert!(matches!(parse_str(&chain), Err(ParseError::TooDeep { .. })));
    let nots = format!("derived x = {}a", "not ".repeat(5_000));
    assert!(parse_str(&nots).is_err());
}

// -- robustness --------------------------------------------------------------------------

const INTERESTING: &[char] = &[
    '"',
    '{',
    '}',
    '(',
    ')',
    '[',
    ']',
    '\\',
    '#',
    '\n',
    '\r',
    '\t',
    ' ',
    ':',
    '=',
    '<',
    '%',
    '-',
    '_',
    '.',
    ',',
    '&',
    'a',
    'e',
    '1',
    '9',
    '\u{e9}',
    '\u{FEFF}',
    '\u{1F600}',
    '\u{0}',
];

/// Apply one edit at a byte position rounded down to a character boundary.
fn mutate(text: &mut String, op: u8, at: usize, len: usize, c: char) {
    let mut pos = at % (text.len() + 1);
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let mut end = (pos + len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match op % 3 {
        0 => text.replace_range(pos..end, ""),
        1 => text.insert(pos, c),
        _ => text.replace_range(pos..end, &c.to_string()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_language_tour_never_panics(
        edits in prop::collection::vec((0u8..3, any::<usize>(), 1usize..12, prop::sample::select(INTERESTING)), 1..6)
    ) {
        let mut text = std::fs::read_to_string("tests/cases/language_tour.meso").unwrap();
        for (op, at, len, c) in edits {
            mutate(&mut text, op, at, len, c);
        }
        match parse_str(&text) {
            Ok(_) => {}
            Err(e) => {
                let rendered = render_diagnostic(&e);
                prop_assert!(rendered.contains(e.code_str()));
            }
        }
    }
}
