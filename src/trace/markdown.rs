//! Trace rendering, Markdown.

use crate::trace::Trace;

/// Markdown.
pub fn render(_t: &Trace) -> String { String::new() }
