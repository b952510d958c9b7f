//! The facade's columnar path (`Rules::evaluate_columnar`, and `Rules::evaluate_columns`
//! built on it) against one cluster at a time (`Rules::facts_from_map` + `Rules::evaluate`),
//! row for row, on random tables with missing and bad cells, every column in each of the
//! forms `Column` takes (cells, Arrow-style values with a validity bitmap at a bit offset,
//! strings as offsets and bytes, dictionary keys): the same classification, type statuses
//! and scores, policies, provisional lead, and unknown facts (those that left something
//! open); a row whose cell does not fit
//! has problems (with the codes the facts loader gives), and no verdict. String columns of
//! odd cells (long cells alike but in the middle, bad UTF-8, out-of-order or negative
//! offsets, more distinct cells than the decoder's tables keep) answer as the same cells
//! given one by one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use meso::{Bitmap, Column, Columns, Keys, Offsets, Rules, VerdictColumns};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A column's kind, from the facts schema.
#[derive(Clone, Debug)]
enum Kind {
    Number { integer: bool, ratio: bool },
    Level(Vec<String>),
    Boolean,
    Text,
}

fn kinds(rules: &Rules) -> Vec<(String, Kind)> {
    let schema = rules.facts_schema();
    let mut out = Vec::new();
    for (name, f) in schema["properties"].as_object().unwrap() {
        let ty = f["type"][0].as_str().unwrap_or("");
        let kind = if let Some(levels) = f["enum"].as_array() {
            Kind::Level(
                levels
                    .iter()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect(),
            )
        } else {
            match ty {
                "number" | "integer" => Kind::Number {
                    integer: ty == "integer",
                    ratio: f["maximum"].as_f64() == Some(1.0),
                },
                "boolean" => Kind::Boolean,
                "string" => Kind::Text,
                // Sets are left out (unknown in every row).
                _ => continue,
            }
        };
        out.push((name.clone(), kind));
    }
    out
}

/// SplitMix64: the tables are drawn from a seed proptest picks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One drawn column: its cells as JSON (`Null` for missing), in every form.
struct Drawn {
    name: String,
    cells: Vec<Value>,
    form: u64,
}

fn draw(rng: &mut Rng, name: &str, kind: &Kind, rows: usize) -> Drawn {
    let cells = (0..rows)
        .map(|_| {
            let roll = rng.below(100);
            if roll < 20 {
                return Value::Null;
            }
            let bad = roll >= 96;
            match kind {
                Kind::Number { integer, ratio } => {
                    if bad {
                        json!(if *ratio { 1.5 } else { -3.0 })
                    } else if *integer {
                        json!(rng.below(6000) as f64)
                    } else if *ratio {
                        json!(rng.below(1001) as f64 / 1000.0)
                    } else {
                        json!(rng.below(500) as f64 / 100.0)
                    }
                }
                Kind::Level(levels) => {
                    if bad {
                        json!("hgih")
                    } else if roll < 23 {
                        // A gap written as text (pyarrow reads CSV gaps as ""), a level
                        // in capitals: both read as a CSV cell would be.
                        json!(["", " ", "unknown"][roll as usize - 20])
                    } else if roll < 25 {
                        json!(levels[rng.below(levels.len() as u64) as usize].to_uppercase())
                    } else {
                        json!(levels[rng.below(levels.len() as u64) as usize])
                    }
                }
                Kind::Boolean => json!(rng.below(2) == 0),
                Kind::Text => json!(format!("t{}", rng.below(5))),
            }
        })
        .collect();
    Drawn {
        name: name.to_string(),
        cells,
        form: rng.next(),
    }
}

/// The storage the columns borrow from.
#[derive(Default)]
struct Store {
    numbers: Vec<Vec<Option<f64>>>,
    floats: Vec<Vec<f64>>,
    ints: Vec<Vec<i64>>,
    bools: Vec<Vec<Option<bool>>>,
    texts: Vec<Vec<Option<String>>>,
    bitmaps: Vec<Vec<u8>>,
    offsets32: Vec<Vec<i32>>,
    offsets64: Vec<Vec<i64>>,
    data: Vec<Vec<u8>>,
    keys: Vec<Vec<i32>>,
    dicts: Vec<Vec<Option<String>>>,
}

/// Bits `present(i)` from bit `offset` on.
fn bitmap(rows: usize, offset: usize, present: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut bytes = vec![0u8; (rows + offset).div_ceil(8) + 1];
    for i in 0..rows {
        if present(i) {
            bytes[(i + offset) / 8] |= 1 << ((i + offset) % 8);
        }
    }
    bytes
}

/// The table of `drawn` as `Columns`, each column in the form `form` picks.
fn columns<'a>(
    rows: usize,
    drawn: &'a [Drawn],
    kinds: &[Kind],
    store: &'a mut Store,
) -> Columns<'a> {
    // First fill the store, then borrow it.
    let mut plan = Vec::new();
    for (d, kind) in drawn.iter().zip(kinds) {
        let offset = (d.form % 8) as usize;
        let form = d.form / 8 % 4;
        let present = |i: usize| !d.cells[i].is_null();
        match kind {
            Kind::Number { integer, .. } => {
                let cells: Vec<Option<f64>> = d.cells.iter().map(Value::as_f64).collect();
                match form {
                    0 | 3 if !integer => {
                        store.numbers.push(cells);
                        plan.push(('n', store.numbers.len() - 1, 0));
                    }
                    1 | 3 => {
                        store
                            .floats
                            .push(cells.iter().map(|c| c.unwrap_or(f64::NAN)).collect());
                        store.bitmaps.push(bitmap(rows, offset, present));
                        plan.push(('f', store.floats.len() - 1, offset));
                    }
                    2 if *integer => {
                        store
                            .ints
                            .push(cells.iter().map(|c| c.unwrap_or(7.0) as i64).collect());
                        store.bitmaps.push(bitmap(rows, offset, present));
                        plan.push(('i', store.ints.len() - 1, offset));
                    }
                    _ => {
                        store.numbers.push(cells);
                        plan.push(('n', store.numbers.len() - 1, 0));
                    }
                }
            }
            Kind::Boolean => {
                let cells: Vec<Option<bool>> = d.cells.iter().map(Value::as_bool).collect();
                if form % 2 == 0 {
                    store.bools.push(cells);
                    plan.push(('b', store.bools.len() - 1, 0));
                } else {
                    store
                        .bitmaps
                        .push(bitmap(rows, offset, |i| cells[i] == Some(true)));
                    store.bitmaps.push(bitmap(rows, offset, present));
                    plan.push(('B', store.bitmaps.len() - 2, offset));
                }
            }
            Kind::Level(_) | Kind::Text => {
                let cells: Vec<Option<String>> = d
                    .cells
                    .iter()
                    .map(|c| c.as_str().map(str::to_string))
                    .collect();
                match form {
                    0 => {
                        store.texts.push(cells);
                        plan.push(('t', store.texts.len() - 1, 0));
                    }
                    1 | 2 => {
                        let mut data = Vec::new();
                        let mut offsets = vec![0i64];
                        for c in &cells {
                            data.extend_from_slice(c.as_deref().unwrap_or("junk").as_bytes());
                            offsets.push(data.len() as i64);
                        }
                        store.data.push(data);
                        store.bitmaps.push(bitmap(rows, offset, present));
                        if form == 1 {
                            store
                                .offsets32
                                .push(offsets.iter().map(|&o| o as i32).collect());
                            plan.push(('s', store.offsets32.len() - 1, offset));
                        } else {
                            store.offsets64.push(offsets);
                            plan.push(('S', store.offsets64.len() - 1, offset));
                        }
                    }
                    _ => {
                        // A dictionary with a missing entry and an entry no row uses.
                        let mut dict: Vec<Option<String>> = vec![None, Some("unused".into())];
                        let mut keys = Vec::new();
                        for c in &cells {
                            let k = match dict.iter().position(|e| e == c) {
                                Some(k) => k,
                                None => {
                                    dict.push(c.clone());
                                    dict.len() - 1
                                }
                            };
                            keys.push(k as i32);
                        }
                        store.keys.push(keys);
                        store.dicts.push(dict);
                        // Missing cells: either the null entry or a clear validity bit.
                        store
                            .bitmaps
                            .push(bitmap(rows, offset, |i| present(i) || i % 2 == 0));
                        plan.push(('d', store.keys.len() - 1, offset));
                    }
                }
            }
        }
    }
    let store: &'a Store = store;
    let dict_refs: Vec<Vec<Option<&'a str>>> = store
        .dicts
        .iter()
        .map(|d| d.iter().map(|e| e.as_deref()).collect())
        .collect();
    let text_refs: Vec<Vec<Option<&'a str>>> = store
        .texts
        .iter()
        .map(|d| d.iter().map(|e| e.as_deref()).collect())
        .collect();
    let dict_refs: &'a [Vec<Option<&'a str>>] = Box::leak(dict_refs.into_boxed_slice());
    let text_refs: &'a [Vec<Option<&'a str>>] = Box::leak(text_refs.into_boxed_slice());
    let mut out = Columns::new(rows);
    let (mut bitmaps, mut data) = (store.bitmaps.iter(), store.data.iter());
    for (d, (form, i, offset)) in drawn.iter().zip(plan) {
        let column = match form {
            'n' => Column::Numbers(&store.numbers[i]),
            'f' => Column::Floats {
                values: &store.floats[i],
                valid: Some(Bitmap::new(bitmaps.next().unwrap(), offset)),
            },
            'i' => Column::Integers {
                values: &store.ints[i],
                valid: Some(Bitmap::new(bitmaps.next().unwrap(), offset)),
            },
            'b' => Column::Booleans(&store.bools[i]),
            'B' => Column::Bits {
                values: Bitmap::new(bitmaps.next().unwrap(), offset),
                valid: Some(Bitmap::new(bitmaps.next().unwrap(), offset)),
            },
            't' => Column::Texts(&text_refs[i]),
            's' => Column::Strings {
                offsets: Offsets::I32(&store.offsets32[i]),
                data: data.next().unwrap(),
                valid: Some(Bitmap::new(bitmaps.next().unwrap(), offset)),
            },
            'S' => Column::Strings {
                offsets: Offsets::I64(&store.offsets64[i]),
                data: data.next().unwrap(),
                valid: Some(Bitmap::new(bitmaps.next().unwrap(), offset)),
            },
            _ => Column::Dictionary {
                keys: Keys::I32(&store.keys[i]),
                valid: Some(Bitmap::new(bitmaps.next().unwrap(), offset)),
                dictionary: &dict_refs[i],
            },
        };
        out.push(&d.name, column);
    }
    out
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Row `r` of `out` against `rules.evaluate` on the same cells.
fn check_row(rules: &Rules, out: &VerdictColumns, drawn: &[Drawn], r: usize) {
    let mut map = Map::new();
    for d in drawn {
        // Text gaps are unknown facts, as missing cells are.
        let gap = d.cells[r]
            .as_str()
            .is_some_and(|t| t.trim().is_empty() || t == "unknown");
        if !d.cells[r].is_null() && !gap {
            map.insert(d.name.clone(), d.cells[r].clone());
        }
    }
    match rules.facts_from_map("row", &map) {
        Err(e) => {
            let mut want: Vec<String> = e
                .diagnostics()
                .iter()
                .filter_map(|d| d.code.clone())
                .collect();
            let mut got: Vec<String> = out
                .problems(r)
                .iter()
                .filter_map(|d| d.code.clone())
                .collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "row {r}: {map:?}");
            assert!(out
                .problems(r)
                .iter()
                .all(|d| d.message.starts_with(&format!("row {}:", r + 1))));
            assert_eq!(out.classification(r), None);
            assert!(out.policies(r).is_empty());
        }
        Ok(facts) => {
            assert!(out.problems(r).is_empty(), "row {r}: {:?}", out.problems(r));
            let one = rules.evaluate(&facts);
            let types = out.type_names();
            assert_eq!(
                out.classification(r).map(|t| types[t]),
                one.classification(),
                "row {r}: {map:?}"
            );
            for (t, report) in one.types().iter().enumerate() {
                assert_eq!(types[t], report.name);
                assert_eq!(out.status(t, r), Some(report.status), "row {r} type {t}");
                assert_eq!(
                    round4(out.score_column(t)[r]),
                    report.score,
                    "row {r} type {t}"
                );
            }
            let policies = out.policy_names();
            let got: Vec<&str> = out
                .policies(r)
                .iter()
                .map(|&p| policies[p as usize])
                .collect();
            let want: Vec<&str> = one.policies().iter().map(|p| p.policy.as_str()).collect();
            assert_eq!(got, want, "row {r}");
            let facts_names = out.fact_names();
            let mut got: Vec<&str> = out
                .unknown_facts(r)
                .iter()
                .map(|&f| facts_names[f as usize])
                .collect();
            let mut want: Vec<&str> = one.unknown_facts().iter().map(String::as_str).collect();
            got.sort();
            want.sort();
            // The evaluation lists every unknown fact a condition read; the columns (as
            // `meso batch`) those that left a type or policy undetermined.
            assert!(
                got.iter().all(|f| want.contains(f)),
                "row {r}: {got:?} {want:?}"
            );
            let open = one
                .types()
                .iter()
                .any(|t| t.status == meso::vocab::TypeStatus::Undetermined)
                || !one.undetermined_policies().is_empty();
            assert_eq!(!got.is_empty(), open, "row {r}: {got:?}");
            assert_eq!(
                out.provisional(r).map(|t| types[t]),
                one.provisional().map(|p| p.name.as_str()),
                "row {r}"
            );
        }
    }
}

fn agree(path: &str, seed: u64, rows: usize) {
    let rules = Rules::from_path(path).unwrap();
    let kinds = kinds(&rules);
    let mut rng = Rng(seed);
    // Some facts have no column (unknown in every row).
    let chosen: Vec<&(String, Kind)> = kinds.iter().filter(|_| rng.below(5) != 0).collect();
    let drawn: Vec<Drawn> = chosen
        .iter()
        .map(|(name, kind)| draw(&mut rng, name, kind, rows))
        .collect();
    let chosen_kinds: Vec<Kind> = chosen.iter().map(|(_, k)| k.clone()).collect();
    let mut store = Store::default();
    let table = columns(rows, &drawn, &chosen_kinds, &mut store);
    let out = rules.evaluate_columnar(&table).unwrap();
    assert_eq!(out.len(), rows);
    for r in 0..rows {
        check_row(&rules, &out, &drawn, r);
    }
    // The row-by-row view says the same.
    let verdicts = rules.evaluate_columns(&table).unwrap();
    for (r, v) in verdicts.iter().enumerate() {
        assert_eq!(
            v.classification().is_some(),
            out.classification(r).is_some()
        );
        assert_eq!(v.problems().len(), out.problems(r).len());
        assert_eq!(v.policies().count(), out.policies(r).len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_workload_agrees_row_for_row(seed in any::<u64>(), rows in 0usize..200) {
        agree("benches/workload/typology.meso", seed, rows);
    }

    #[test]
    fn the_shipped_rules_agree_row_for_row(seed in any::<u64>(), rows in 0usize..200) {
        agree("rules", seed, rows);
    }
}

/// A cell of a string column as bytes: level names and near misses (of the same length
/// too), long cells that share their first 16 and last 8 bytes, cells of every length
/// around 8, 16 and 24 (23 and 24 bytes alike but in their last byte, which may be 23),
/// empty, blank and NUL-padded cells, bad UTF-8, and more distinct cells than the decoder
/// keeps in its tables (16).
fn odd_cell(rng: &mut Rng, levels: &[String]) -> Vec<u8> {
    let level = |rng: &mut Rng| levels[rng.below(levels.len() as u64) as usize].clone();
    match rng.below(19) {
        // The same length as a level, other bytes.
        16 => level(rng).chars().rev().collect::<String>().into_bytes(),
        17 => b" \t  "[..1 + rng.below(4) as usize].to_vec(),
        // 22 to 25 bytes, alike but in the last (the decoder's keys take up to 23).
        18 => {
            let mut cell = "q".repeat(21 + rng.below(3) as usize).into_bytes();
            cell.push([b'a', b'b', 23][rng.below(3) as usize]);
            cell
        }
        // The same first 8 bytes (and length), a different rest: 16 and 22 bytes.
        14 => format!("eightbyt{:>8}", level(rng)).into_bytes(),
        15 => format!("eightbyt{:>8}suffix", level(rng)).into_bytes(),
        0..=4 => level(rng).into_bytes(),
        // Longer by 1 to 16 bytes: within the level's last word, or past it (the decoder
        // compares a column's cells on as many words as its longest known cell takes).
        5 => format!("{}{}", level(rng), "x".repeat(1 + rng.below(16) as usize)).into_bytes(),
        6 => format!("{}\0", level(rng)).into_bytes(),
        // 17 to 40 bytes: the same first 16 and last 8, a different middle.
        7 => {
            let middle = "0123456789abcdef"[..rng.below(17) as usize].to_string();
            let m = rng.below(3);
            format!("sixteen_bytes_ab{middle}{m}_tail_8b").into_bytes()
        }
        8 => b"abcdefghijklmnopqrstuvwxyz"[..rng.below(27) as usize].to_vec(),
        9 => Vec::new(),
        10 => vec![0xff, 0xfe, b'l', b'o', b'w'][..1 + rng.below(5) as usize].to_vec(),
        11 => {
            let mut long = level(rng).into_bytes();
            long.extend_from_slice(&[0xc3]);
            long
        }
        // Many distinct cells: past the tables the decoder keeps.
        12 => format!("junk{}", rng.below(40)).into_bytes(),
        _ => format!("{}{}", "p".repeat(rng.below(30) as usize), level(rng)).into_bytes(),
    }
}

/// A string column of `cells` (`None`: missing) as Arrow lays it out, spoiled as `form`
/// says: cells at a bit offset, bytes after the last cell or none, some offsets out of
/// order, negative or past the bytes.
struct Laid {
    data: Vec<u8>,
    offsets: Vec<i64>,
    bitmap: Vec<u8>,
    offset: usize,
}

fn lay(rng: &mut Rng, cells: &[Option<Vec<u8>>]) -> Laid {
    let mut data = Vec::new();
    let mut offsets = vec![0i64];
    for c in cells {
        // A missing cell's bytes are whatever the writer left.
        data.extend_from_slice(c.as_deref().unwrap_or(b"junk"));
        offsets.push(data.len() as i64);
    }
    if rng.below(2) == 0 {
        data.extend_from_slice(&vec![b'z'; rng.below(40) as usize]);
    }
    if rng.below(3) == 0 {
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(offsets.len() as u64) as usize;
            offsets[i] = match rng.below(3) {
                0 => -(rng.below(5) as i64) - 1,
                1 => data.len() as i64 + rng.below(30) as i64 + 1,
                _ => offsets[i] / 2,
            };
        }
    }
    let offset = rng.below(8) as usize;
    let bitmap = bitmap(cells.len(), offset, |i| cells[i].is_some());
    Laid {
        data,
        offsets,
        bitmap,
        offset,
    }
}

/// Cell `i` of a laid-out string column: the bytes between its offsets, empty when the
/// offsets are out of order, negative or past the bytes.
fn laid_cell(laid: &Laid, i: usize) -> Vec<u8> {
    let (a, b) = (laid.offsets[i], laid.offsets[i + 1]);
    if a < 0 || b < a || b as usize > laid.data.len() {
        return Vec::new();
    }
    laid.data[a as usize..b as usize].to_vec()
}

/// The level and text facts of `rules` as string columns of odd cells, in 32- and 64-bit
/// offsets: each row answers as the same cells given one by one as text (a cell that is
/// not UTF-8 is that row's problem, `meso::facts::wrong_type`).
fn strings_agree(path: &str, seed: u64, rows: usize) {
    let rules = Rules::from_path(path).unwrap();
    let mut rng = Rng(seed);
    let texts: Vec<(String, Vec<String>)> = kinds(&rules)
        .into_iter()
        .filter_map(|(name, kind)| match kind {
            Kind::Level(levels) => Some((name, levels)),
            Kind::Text => Some((name, vec!["t0".into(), "t1".into()])),
            _ => None,
        })
        .filter(|_| rng.below(3) != 0)
        .collect();
    let laid: Vec<Laid> = texts
        .iter()
        .map(|(_, levels)| {
            let cells: Vec<Option<Vec<u8>>> = (0..rows)
                .map(|_| (rng.below(10) != 0).then(|| odd_cell(&mut rng, levels)))
                .collect();
            lay(&mut rng, &cells)
        })
        .collect();
    let narrow: Vec<Vec<i32>> = laid
        .iter()
        .map(|l| l.offsets.iter().map(|&o| o as i32).collect())
        .collect();
    // The same cells one by one: the bytes each reads as (`None` missing, `Err` not UTF-8).
    let cells: Vec<Vec<Option<Result<String, ()>>>> = laid
        .iter()
        .map(|l| {
            (0..rows)
                .map(|i| {
                    let present = l.bitmap[(i + l.offset) / 8] >> ((i + l.offset) % 8) & 1 == 1;
                    present.then(|| String::from_utf8(laid_cell(l, i)).map_err(|_| ()))
                })
                .collect()
        })
        .collect();
    let one_by_one: Vec<Vec<Option<&str>>> = cells
        .iter()
        .map(|c| {
            c.iter()
                .map(|c| c.as_ref().and_then(|c| c.as_deref().ok()))
                .collect()
        })
        .collect();
    let mut reference = Columns::new(rows);
    let mut wide = Columns::new(rows);
    let mut slim = Columns::new(rows);
    for (i, ((name, _), l)) in texts.iter().zip(&laid).enumerate() {
        let valid = Some(Bitmap::new(&l.bitmap, l.offset));
        reference.push(name, Column::Texts(&one_by_one[i]));
        wide.push(
            name,
            Column::Strings {
                offsets: Offsets::I64(&l.offsets),
                data: &l.data,
                valid,
            },
        );
        slim.push(
            name,
            Column::Strings {
                offsets: Offsets::I32(&narrow[i]),
                data: &l.data,
                valid,
            },
        );
    }
    let want = rules.evaluate_columnar(&reference).unwrap();
    for table in [&wide, &slim] {
        let got = rules.evaluate_columnar(table).unwrap();
        for r in 0..rows {
            let bad_utf8: Vec<&str> = texts
                .iter()
                .zip(&cells)
                .filter(|(_, c)| matches!(c[r], Some(Err(()))))
                .map(|((name, _), _)| name.as_str())
                .collect();
            if !bad_utf8.is_empty() {
                for name in bad_utf8 {
                    let message =
                        format!("row {}: fact `{name}`: the cell is not UTF-8 text", r + 1);
                    assert!(
                        got.problems(r).iter().any(|d| d.message == message
                            && d.code.as_deref() == Some("meso::facts::wrong_type")),
                        "row {r}: {:?}",
                        got.problems(r)
                    );
                }
                assert_eq!(got.classification(r), None);
                continue;
            }
            let messages = |v: &VerdictColumns| -> Vec<(Option<String>, String)> {
                v.problems(r)
                    .iter()
                    .map(|d| (d.code.clone(), d.message.clone()))
                    .collect()
            };
            assert_eq!(messages(&got), messages(&want), "row {r}");
            assert_eq!(got.classification(r), want.classification(r), "row {r}");
            for t in 0..want.type_names().len() {
                assert_eq!(got.status(t, r), want.status(t, r), "row {r} type {t}");
                assert_eq!(
                    got.score_column(t)[r].to_bits(),
                    want.score_column(t)[r].to_bits()
                );
            }
            assert_eq!(got.policies(r), want.policies(r), "row {r}");
            assert_eq!(got.unknown_facts(r), want.unknown_facts(r), "row {r}");
            assert_eq!(got.provisional(r), want.provisional(r), "row {r}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn odd_strings_read_as_their_text(seed in any::<u64>(), rows in 0usize..300) {
        strings_agree("benches/workload/typology.meso", seed, rows);
    }

    #[test]
    fn odd_strings_of_the_shipped_rules_read_as_their_text(
        seed in any::<u64>(),
        rows in 0usize..300,
    ) {
        strings_agree("rules", seed, rows);
    }
}
