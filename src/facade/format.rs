//! The facade's formatter: one rule file's text → the same rules in meso's canonical
//! layout (what `meso fmt` writes), comments kept.

use crate::facade::diagnostic::{Error, ErrorKind};
use crate::source::SourceFile;
use crate::syntax::fmt::format_source;

/// Format one rule file: `name` names it in diagnostics. The result parses to the same
/// rules with the same comments (checked before it is returned); formatting it again
/// changes nothing. A file that does not parse is an [`Error`] with the parse diagnostic.
///
/// ```
/// let text = "fact firms: count {description \"Firms\"}\n";
/// let formatted = meso::format("vocabulary.meso", text)?;
/// assert_eq!(formatted, "fact firms: count {\n  description \"Firms\"\n}\n");
/// assert_eq!(meso::format("vocabulary.meso", &formatted)?, formatted);
/// # Ok::<(), meso::Error>(())
/// ```
pub fn format(name: &str, text: &str) -> Result<String, Error> {
    let source = SourceFile {
        name: name.to_string(),
        text: text.into(),
    };
    format_source(&source).map_err(|e| Error::from_diagnostic(ErrorKind::Rules, &e))
}
