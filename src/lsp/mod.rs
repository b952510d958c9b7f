//! Language server support: what `meso lsp` tells an editor about rule files.
//!
//! Input: rule files as the editor has them (open files with unsaved edits, the rest from
//! disk). Output: diagnostics (the same parse and check diagnostics as `meso check`),
//! hover texts, definitions, completions, references, renames, outlines, quick fixes,
//! semantic tokens, inlay hints and formatting, in the Language Server Protocol's types.
//!
//! The logic lives in the modules here and is independent of the transport: [`analysis`]
//! parses and checks a rule set, `index` knows every declared name, `position` converts
//! offsets, `completion` guesses what fits at the cursor, [`symbols`] finds every place a
//! name is written and [`features`] answers formatting, references, rename, outline, quick
//! fixes, semantic tokens and inlay hints from it. `server` is the thin protocol
//! loop over stdin/stdout.

pub mod analysis;
pub(crate) mod completion;
pub mod features;
pub mod index;
pub mod position;
pub(crate) mod server;
pub mod symbols;
pub(crate) mod uri;
