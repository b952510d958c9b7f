//! Parser: rule file text → `ast::RuleFile`. The only file that knows about pest.

use pest_derive::Parser;

use crate::source::{FileId, SourceFile};
use crate::syntax::ast;
use crate::syntax::error::ParseError;

#[derive(Parser)]
#[grammar = "../grammar/meso.pest"]
struct MesoParser;

/// Parse one rule file.
pub fn parse_file(_file: FileId, _source: &SourceFile) -> Result<ast::RuleFile, ParseError> {
    let _ = Rule::file;
    Ok(ast::RuleFile::default())
}

/// Parse every file of a rule set; returns the files that parsed and every error.
pub fn parse_rule_set(
    sources: &crate::source::SourceMap,
) -> (Vec<(FileId, ast::RuleFile)>, Vec<ParseError>) {
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (id, file) in sources.files() {
        match parse_file(id, file) {
            Ok(ast) => parsed.push((id, ast)),
            Err(e) => errors.push(e),
        }
    }
    (parsed, errors)
}
