//! Parser, continued: the tokens pest would have accepted, grouped into readable phrases.
//!
//! Input: pest's expected tokens at the error position (as text). Output: a phrase such as
//! "a name, `}` or a policy clause (`for`, `when`, ...)"; raw rule names never appear.

pub(super) const DECLARATIONS: &[&str] = &[
    "fact", "param", "derived", "type", "policy", "avoid", "test",
];
pub(super) const POLICY_CLAUSES: &[&str] = &[
    "for",
    "when",
    "phase",
    "after",
    "advice",
    "rationale",
    "label",
    "description",
    "cite",
];
pub(super) const TYPE_CLAUSES: &[&str] = &[
    "required",
    "indicative",
    "excluding",
    "label",
    "description",
    "cite",
];
pub(super) const FACT_CLAUSES: &[&str] =
    &["minimum", "maximum", "label", "description", "cite", "unit"];
pub(super) const META_CLAUSES: &[&str] = &["label", "description", "cite", "unit"];
pub(super) const TEST_CLAUSES: &[&str] = &["given", "param", "expect"];
pub(super) const FACT_TYPES: &[&str] = &[
    "number", "count", "integer", "ratio", "boolean", "text", "level", "one", "set",
];
pub(super) const STATUSES: &[&str] = &[
    "matched",
    "undetermined",
    "recommended",
    "avoided",
    "provisionally recommended",
    "provisionally avoided",
];
pub(super) const COMPARISONS: &[&str] = &["==", "!=", "<=", ">=", "<", ">"];

/// The tokens pest would have accepted, grouped.
#[derive(Default)]
pub(super) struct Expected {
    /// Literal tokens (`{`, `label`, `==`, ...)
    pub(super) tokens: Vec<String>,
    /// A name could start here
    pub(super) name: bool,
    /// A number could start here
    pub(super) number: bool,
    /// The error is inside a `required`, `indicative` or `excluding` block
    pub(super) in_criteria: bool,
    /// An expression could start here
    pub(super) expression: bool,
}

impl Expected {
    pub(super) fn add_token(&mut self, t: &str) {
        match t {
            " " | "\t" | "\r" | "\n" | "\u{feff}" | "#" => {}
            "_" | "BUILTIN_RULE" => self.name = true,
            "0..9" => self.number = true,
            _ if !self.has(t) => self.tokens.push(t.to_string()),
            _ => {}
        }
    }

    /// Call once all tokens are added.
    pub(super) fn finish(&mut self) {
        self.expression = self.number && self.has("(") && self.has("\"");
    }

    fn has(&self, t: &str) -> bool {
        self.tokens.iter().any(|x| x == t)
    }

    /// The accepted tokens as one phrase: "a name, `}` or a policy clause (...)".
    pub(super) fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut used: Vec<String> = Vec::new();
        let group =
            |words: &[&str], phrase: String, parts: &mut Vec<String>, used: &mut Vec<String>| {
                if words.iter().all(|w| self.has(w))
                    && !words.iter().all(|w| used.iter().any(|u| u == w))
                {
                    parts.push(phrase);
                    used.extend(words.iter().map(|w| w.to_string()));
                    true
                } else {
                    false
                }
            };
        if self.expression {
            parts.push(String::from("an expression"));
            used.extend(["(", "\"", "\"\"\"", "-", "true", "false", "not"].map(String::from));
        } else if self.number && self.has("[") {
            parts.push(String::from(
                "a value (a number, a string, `true`, `false`, a name, a list `[a, b]` or `unknown`)",
            ));
            used.extend(["[", "\"", "\"\"\"", "-", "true", "false", "unknown"].map(String::from));
        } else if self.number && self.has("\"") {
            parts.push(String::from(
                "a value (a number, a string, `true`, `false` or a name)",
            ));
            used.extend(["\"", "\"\"\"", "-", "true", "false"].map(String::from));
        } else if self.number {
            parts.push(String::from("a number"));
            used.push(String::from("-"));
        } else if self.has("\"") {
            parts.push(String::from("a string in double quotes"));
            used.push(String::from("\"\"\""));
            used.push(String::from("\""));
        }
        let name_phrase = if self.in_criteria && self.has("}") {
            "a criterion (`name: condition`)"
        } else {
            "a name"
        };
        if self.name && !self.expression && !(self.number && self.has("\"")) {
            parts.push(name_phrase.to_string());
        }
        if COMPARISONS.iter().all(|c| self.has(c)) {
            if self.has("+") && self.has("*") {
                parts.push(String::from("an operator"));
                used.extend(
                    [
                        "+", "-", "*", "/", "(", "is", "not", "in", "between", "contains",
                    ]
                    .map(String::from),
                );
            } else {
                parts.push(String::from("a comparison operator"));
            }
            used.extend(COMPARISONS.iter().map(|c| c.to_string()));
        }
        let decls = format!(
            "a declaration ({})",
            list(
                DECLARATIONS.iter().map(|d| format!("`{d}`")).collect(),
                "or"
            )
        );
        let clause = |what: &str, words: &[&str]| {
            format!(
                "{what} ({})",
                list(words.iter().map(|d| format!("`{d}`")).collect(), "or")
            )
        };
        group(DECLARATIONS, decls, &mut parts, &mut used);
        if group(
            &["required"],
            clause("a type clause", TYPE_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(
                TYPE_CLAUSES
                    .iter()
                    .chain(META_CLAUSES)
                    .map(|w| w.to_string()),
            );
        }
        if group(
            &["for"],
            clause("a policy clause", POLICY_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(
                POLICY_CLAUSES
                    .iter()
                    .chain(META_CLAUSES)
                    .map(|w| w.to_string()),
            );
        }
        if group(
            &["minimum"],
            clause("a fact clause", FACT_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(
                FACT_CLAUSES
                    .iter()
                    .chain(META_CLAUSES)
                    .map(|w| w.to_string()),
            );
        }
        if group(
            &["given"],
            clause("a test clause", TEST_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(TEST_CLAUSES.iter().map(|w| w.to_string()));
        }
        group(
            META_CLAUSES,
            clause("a descriptive clause", META_CLAUSES),
            &mut parts,
            &mut used,
        );
        if group(
            &["number", "level"],
            clause("a type", FACT_TYPES),
            &mut parts,
            &mut used,
        ) {
            used.extend(FACT_TYPES.iter().map(|w| w.to_string()));
        }
        group(
            STATUSES,
            clause("a status", STATUSES),
            &mut parts,
            &mut used,
        );
        for t in &self.tokens {
            if !used.contains(t) {
                parts.push(format!("`{t}`"));
                used.push(t.clone());
            }
        }
        if parts.is_empty() {
            return String::from("something else");
        }
        list(parts, "or")
    }
}

/// `a`, `a or b`, `a, b or c`.
fn list(mut items: Vec<String>, last_joiner: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} {last_joiner} {last}", items.join(", "))
        }
    }
}
