//! Silencing warnings from the rule file: `# meso: allow(code)` comments.
//!
//! Input: the warnings found, the syntax trees and the source texts. Output: the warnings
//! that are not silenced.
//!
//! `# meso: allow(overlapping_types)` in the comment lines directly above a declaration or
//! criterion, or at the end of its first line, silences that warning for it (a criterion is
//! also silenced by its type's comment). `# meso: allow(code) file` among the comment lines
//! at the top of a file, before the first declaration, silences it for the whole file.
//! Several codes may be listed: `allow(unused_fact, missing_cite)`. Errors are never
//! silenced. Comments are found in the source text by line, since the syntax tree has none.

use super::Checker;
use crate::source::FileId;
use crate::syntax::ast;

/// The codes an allow comment names, and whether it is for the whole file.
pub(crate) fn parse_allow(comment: &str) -> Option<(Vec<String>, bool)> {
    let rest = comment.get(comment.find("meso: allow(")? + "meso: allow(".len()..)?;
    let close = rest.find(')')?;
    let codes = rest
        .get(..close)?
        .split(',')
        .map(|c| c.trim().trim_start_matches("meso::check::").to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let file = rest
        .get(close + 1..)
        .is_some_and(|r| r.trim_start().starts_with("file"));
    Some((codes, file))
}

/// Whether one of `lines` allows `code` (at declaration level).
fn allows(lines: &[&str], code: &str) -> bool {
    lines.iter().any(|l| {
        parse_allow(l).is_some_and(|(codes, file)| !file && codes.iter().any(|c| c == code))
    })
}

/// The comment lines directly above the line starting at byte `line_start`, and the rest of
/// the line from `at`.
fn comments_around(text: &str, at: usize) -> Vec<&str> {
    let before = text.get(..at).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text
        .get(at..)
        .and_then(|s| s.find('\n'))
        .map_or(text.len(), |i| at + i);
    let mut out = vec![text.get(at..line_end).unwrap_or("")];
    let above = text.get(..line_start.saturating_sub(1)).unwrap_or("");
    for line in above.lines().rev() {
        let t = line.trim();
        if !t.starts_with('#') {
            break;
        }
        out.push(t);
    }
    out
}

/// Codes allowed for a whole file by comments before its first declaration.
fn file_allows(text: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for line in text.lines() {
        let t = line.trim().trim_start_matches('\u{FEFF}');
        if t.is_empty() {
            continue;
        }
        if !t.starts_with('#') {
            break;
        }
        if let Some((c, true)) = parse_allow(t) {
            codes.extend(c);
        }
    }
    codes
}

impl<'a> Checker<'a> {
    /// Drop the warnings silenced by `# meso: allow(...)` comments.
    pub(super) fn apply_silencing(&mut self, files: &'a [(FileId, ast::RuleFile)]) {
        let diagnostics = std::mem::take(&mut self.diagnostics);
        for d in diagnostics {
            if d.is_warning() && self.silenced(&d, files) {
                continue;
            }
            self.diagnostics.push(d);
        }
    }

    fn silenced(&self, d: &super::CheckError, files: &[(FileId, ast::RuleFile)]) -> bool {
        let code = d
            .kind
            .code()
            .trim_start_matches("meso::check::")
            .to_string();
        let Some((id, source)) = self
            .sources
            .files()
            .find(|(_, f)| f.name == miette::NamedSource::name(&d.src))
        else {
            return false;
        };
        let text: &str = &source.text;
        if file_allows(text).contains(&code) {
            return true;
        }
        let at = d.span.offset() as u32;
        let Some((_, tree)) = files.iter().find(|(f, _)| *f == id) else {
            return false;
        };
        let mut starts = Vec::new();
        for item in &tree.items {
            let (span, criteria): (_, Vec<&ast::Criterion>) = match item {
                ast::Item::Fact(x) => (x.span, Vec::new()),
                ast::Item::Param(x) => (x.span, Vec::new()),
                ast::Item::Derived(x) => (x.span, Vec::new()),
                ast::Item::Type(x) => (
                    x.span,
                    x.required
                        .iter()
                        .chain(&x.indicative)
                        .chain(&x.excluding)
                        .collect(),
                ),
                ast::Item::Policy(x) => (x.span, Vec::new()),
                ast::Item::Test(x) => (x.span, Vec::new()),
            };
            if at < span.start || at >= span.end.max(span.start + 1) {
                continue;
            }
            starts.push(span.start);
            for c in criteria {
                if at >= c.span.start && at < c.span.end.max(c.span.start + 1) {
                    starts.push(c.span.start);
                }
            }
        }
        starts
            .into_iter()
            .any(|s| allows(&comments_around(text, s as usize), &code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_comments_parse() {
        assert_eq!(
            parse_allow("# meso: allow(overlapping_types)"),
            Some((vec!["overlapping_types".to_string()], false))
        );
        assert_eq!(
            parse_allow("# meso: allow(a, meso::check::b) file"),
            Some((vec!["a".to_string(), "b".to_string()], true))
        );
        assert_eq!(parse_allow("# allow(a)"), None);
    }

    #[test]
    fn comment_lines_above_are_found() {
        let text = "fact x: number\n# why\n# meso: allow(a)\ntype t { } # end\n";
        let at = text.find("type").unwrap_or(0);
        let found = comments_around(text, at);
        assert!(allows(&found, "a"));
        assert!(!allows(&comments_around(text, 0), "a"));
        assert_eq!(
            file_allows("# meso: allow(z) file\nfact a: number\n# meso: allow(y) file"),
            vec!["z".to_string()]
        );
    }
}
