//! Evaluation stage: `ir::Program` + `Facts` → `Outcome`.
//!
//! Three-valued (Kleene) logic throughout: a missing fact is unknown, never false or zero.
//! Layers, each a module that imports only the layers under it:
//!
//! - `reference/` — the interpreter, the semantics: [`evaluate`], [`evaluate_observed`]
//!   (every expression node reported to an [`Observer`], for traces),
//!   [`evaluate_expr_observed`]. It also holds what the layers above share (the score
//!   formula, the tail that finds unknown facts, decides policies and classifies).
//! - `compiled/` — the program's conditions lowered once into a flat plan, and its
//!   one-record run: the same [`Outcome`] as the reference.
//! - `summary/` — the lean batch row ([`OutcomeSummary`], [`Row`]) from the compiled plan,
//!   through layouts of it built once (word masks, straight-to-bits, a flat walk).
//! - `block/` — [`BLOCK`] records at a time, from a block layout built once from the
//!   compiled plan.
//!
//! [`Compiled`] (in `evaluator.rs`, on top) is every layer's plan built once from a
//! `Program`; an [`Evaluator`] (one record at a time) or a [`BlockEvaluator`] (runs of
//! records) holds only the working space. Fallbacks, each to the layer that answers:
//! a record the summary or block layer leaves undetermined is evaluated in full, one
//! record, by the compiled layer (its unknown facts found as everywhere else); steps that
//! read values (arithmetic, comparisons of two operands, text) run record by record inside
//! a block, through the compiled layer's one-record step; plans over 64 types or 64
//! policies are evaluated one record at a time by the summary layer; a sub-expression the
//! compiled plan has no step for runs the reference interpreter. `testing.rs` (tests
//! written in rule files) and `coverage.rs` sit on top and use the layers.

mod block;
mod compiled;
#[cfg(feature = "cli")]
pub(crate) mod coverage;
mod evaluator;
mod reference;
mod summary;
pub mod testing;
#[cfg(test)]
mod tests;

pub use block::BLOCK;
pub(crate) use block::{spread_bits, BlockRows, Lane, Lanes};
pub use evaluator::{BlockEvaluator, Compiled, Evaluator};
pub use reference::{
    evaluate, evaluate_expr_observed, evaluate_observed, verdict, NoObserver, Observer, Outcome,
    PolicyOutcome, TypeOutcome, UnknownReason,
};
pub use summary::{Applicable, ApplicableIter, OutcomeSummary, Row, TypeSummary};

/// For the unit tests of the evaluation stage: the checked program of a rule set in the
/// repository (`path` from its root: a `.meso` file, or a folder whose `.meso` files are
/// read in the order of their paths, as rule sets are loaded). Parsed and checked here
/// rather than through `ruleset`, which sits above evaluation.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn test_program(path: &str) -> std::sync::Arc<crate::ir::Program> {
    fn collect(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, found);
            } else if path.extension().is_some_and(|e| e == "meso") {
                found.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut files = Vec::new();
    if root.is_dir() {
        collect(&root, &mut files);
        files.sort();
    } else {
        files.push(root);
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    test_program_of(&texts)
}

/// For the unit tests: the checked program of rule files given as (name, text).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn test_program_of(files: &[(String, String)]) -> std::sync::Arc<crate::ir::Program> {
    let mut map = crate::source::SourceMap::new();
    for (name, text) in files {
        map.add(name.clone(), text.as_str());
    }
    let (parsed, errors) = crate::syntax::parse_rule_set(&map);
    assert!(errors.is_empty(), "{} parse errors", errors.len());
    let checked = crate::check::check_rule_set(map, &parsed, &[]);
    std::sync::Arc::new(checked.map_err(|f| f.errors.len()).unwrap().program)
}
