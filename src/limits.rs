//! Resource limits: the sizes past which hostile or broken input becomes a diagnostic
//! instead of a stack overflow, an hour of CPU time or all the memory of the machine.
//!
//! Input: none (constants). Output: the numbers the rule set loader, the parser, the checker
//! and the facts loader enforce. Each limit, its diagnostic code and its test are listed in
//! `docs/robustness.md`; change a number there too. Diagnostic codes are written here without
//! their `meso::` prefix.

/// Largest rule file read, in bytes (8 MiB; the shipped rule set is about 100 KiB).
/// Past it: `rules::too_large`.
pub const MAX_RULE_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Most rule files in one rule set. Past it: `rules::too_many_files`.
pub const MAX_RULE_FILES: usize = 10_000;

/// Deepest directory level searched for rule files below the rule set root; stops symbolic
/// link loops. Past it: `rules::io`.
pub const MAX_RULE_DIR_DEPTH: usize = 32;

/// Longest string in a rule file (a `"string"` or `"""text block"""`), in bytes
/// between the quotes as written (64 KiB). Past it: `parse::string_too_long`.
pub const MAX_STRING_BYTES: usize = 64 * 1024;

/// Deepest nesting of one expression as written (operators, `not`, `-`, calls, lists).
/// Past it: `parse::too_deep`.
pub const MAX_EXPR_DEPTH: u32 = 100;

/// Deepest nesting of an expression counting the expressions of the derived values it
/// reads, and theirs in turn. The checker and the evaluator walk expressions recursively
/// through derived values, so this bounds their stack. Past it: `check::too_deep`.
pub const MAX_EFFECTIVE_DEPTH: u32 = 400;

/// Most ancestors of a cluster type through `extends` (the shipped typologies use two).
/// Past it: `check::too_deep`.
pub const MAX_TYPE_DEPTH: u32 = 32;

/// Most diagnostics the command line prints in one run; the summary still counts all.
/// Rendering one costs time in the size of its file, so thousands of warnings in a large
/// file would otherwise take minutes.
pub const MAX_DIAGNOSTICS_SHOWN: usize = 200;

/// Most cluster types for which the `overlapping_types` lint runs: it compares every pair
/// of types, so 5,000 types took minutes and gigabytes (up to one warning per pair). Above
/// it the lint is skipped; typologies have a handful of types.
pub const MAX_TYPES_FOR_OVERLAPS: usize = 256;

/// Largest facts file read, in bytes (64 MiB). Past it: `facts::too_large`.
pub const MAX_FACTS_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Deepest nesting of lists and mappings in a JSON or YAML facts file (facts are flat;
/// sets are one list deep). Past it: `facts::syntax`. TOML has its own, similar
/// limit in the `toml` crate, with the same diagnostic.
pub const MAX_FACTS_NESTING: usize = 32;

/// Largest whole number accepted for a `count` or `integer` fact (2^53): above it not every
/// whole number can be represented, so a count would silently change. Past it:
/// `facts::not_finite` (the value is out of the exact range).
pub const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

// The limits fit together (checked when compiling).
const _: () = assert!(MAX_EFFECTIVE_DEPTH >= MAX_EXPR_DEPTH);
const _: () = assert!(MAX_FACTS_FILE_BYTES >= MAX_RULE_FILE_BYTES);
const _: () = assert!((MAX_STRING_BYTES as u64) < MAX_RULE_FILE_BYTES);
const _: () = assert!(MAX_EXACT_INTEGER == 9_007_199_254_740_992.0);
