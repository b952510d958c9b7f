//! Render stage, verification: a [`Verdict`] (from `trace::verify`) → what `meso verify`
//! prints: that the stored trace is reproduced, with the fingerprints, or what differs first.
//! Each [`Difference`] reads as one sentence (its `Display`); changed facts follow it, one
//! indented line each.

use std::fmt;

use crate::trace::verify::{Difference, Verdict};
use crate::trace::Trace;

/// The verdict as printed: `verified: ...` or `not verified: ...` and one line per difference.
/// `trace_file`: the stored trace as the user named it; `fresh`: the trace made again.
pub fn render(verdict: &Verdict, trace_file: &str, fresh: &Trace) -> String {
    if verdict.reproduced {
        return format!(
            "verified: `{trace_file}` is reproduced exactly by these rules ({}) and facts ({})\n",
            fresh.header.rules.fingerprint, fresh.header.facts.fingerprint
        );
    }
    let mut out = format!("not verified: `{trace_file}` is not reproduced\n");
    for d in &verdict.differences {
        out.push_str(&format!("  - {d}\n"));
    }
    out
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Rules(files) => {
                let list: Vec<String> = files
                    .iter()
                    .map(|(p, how)| format!("`{p}` ({how})"))
                    .collect();
                write!(f, "the rules changed: {}", list.join(", "))
            }
            Difference::Facts {
                recorded,
                current,
                changed,
            } => {
                if recorded == current {
                    write!(f, "the facts changed (fingerprint {recorded})")?;
                } else {
                    write!(
                        f,
                        "the facts changed: fingerprint was {recorded}, is now {current}"
                    )?;
                }
                match changed.len() {
                    0 => Ok(()),
                    n => {
                        write!(
                            f,
                            "; {n} {} a different value:",
                            if n == 1 { "fact has" } else { "facts have" }
                        )?;
                        for c in changed {
                            write!(
                                f,
                                "\n      `{}`: was {}, is now {}",
                                c.name, c.recorded, c.current
                            )?;
                        }
                        Ok(())
                    }
                }
            }
            Difference::Version { recorded, current } => write!(
                f,
                "the trace was made by meso {recorded}; this is meso {current}"
            ),
            Difference::Result {
                node,
                recorded,
                current,
            } => write!(
                f,
                "a result changed at {node}: was {recorded}, is now {current}"
            ),
        }
    }
}
