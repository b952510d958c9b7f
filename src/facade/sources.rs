//! The facade's rule texts: the files a rule set is loaded from, as `(name, text)` pairs,
//! so that an embedder can ship a rule set by value (to Spark executors, to another
//! process) and load it there with [`crate::Rules::from_sources`] to the same fingerprint.
//!
//! Input: a path, or nothing for the shipped set. Output: the files' relative names and
//! texts, sorted as the loader sorts them.

use std::path::Path;

use crate::facade::diagnostic::{Error, ErrorKind};
use crate::ruleset::{self, RuleSources};

/// The rule files a rule set would be loaded from: every `.meso` file below a directory,
/// or one `.meso` file, or the shipped set when `path` is `None`; each as its path relative
/// to the rule set's root and its text.
///
/// ```
/// let files = meso::rule_sources(None::<&str>)?;
/// let rules = meso::Rules::from_sources(files)?;
/// assert_eq!(rules.fingerprint(), meso::Rules::embedded()?.fingerprint());
/// # Ok::<(), meso::Error>(())
/// ```
pub fn rule_sources(path: Option<impl AsRef<Path>>) -> Result<Vec<(String, String)>, Error> {
    let sources: RuleSources = match path {
        None => ruleset::embedded_sources(),
        Some(p) => ruleset::read_sources(p.as_ref())
            .map_err(|e| Error::from_diagnostic(ErrorKind::RulesSource, &e))?,
    };
    Ok(sources
        .files
        .into_iter()
        .map(|f| (f.relative, f.text))
        .collect())
}
