//! The facade's parameters: every `param` of a loaded rule set with its current value, its
//! value as written in the rule file, and its label, description, citation and unit — what
//! a what-if control needs to show a threshold and change it (with [`crate::RulesBuilder::param`]).
//!
//! Input: a [`Rules`]. Output: one [`Parameter`] per `param`, in declaration order.

use serde::Serialize;

use crate::facade::rules::Rules;
use crate::ir::ValueType;
use crate::render::report::value_json;

/// One parameter of a rule set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parameter {
    /// The name (`min_cluster_firms`)
    pub name: String,
    /// The value in force, as JSON: a number, a boolean, a level name, a list of members
    pub value: serde_json::Value,
    /// The value as the rule file writes it (`10%`, `dense`), before any override
    pub written: String,
    /// `number`, `boolean`, `text`, `level` or `set`
    pub kind: &'static str,
    /// The level names (for `level`) or members (for `set`), in declaration order
    pub choices: Vec<String>,
    /// Whether an override replaced the written value
    pub overridden: bool,
    /// Human label
    pub label: Option<String>,
    /// Description
    pub description: Option<String>,
    /// Source citation
    pub cite: Option<String>,
    /// Unit of measurement
    pub unit: Option<String>,
    /// `file:line:column` of the declaration
    pub location: String,
}

impl Rules {
    /// Every parameter of the rule set, in declaration order, with its value in force.
    ///
    /// ```
    /// let rules = meso::Rules::builder().param("min_cluster_firms", "50").embedded()?;
    /// let p = rules.parameters().into_iter().find(|p| p.name == "min_cluster_firms").unwrap();
    /// assert_eq!((p.value.as_f64(), p.written.as_str(), p.overridden), (Some(50.0), "10", true));
    /// assert!(p.cite.is_some());
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn parameters(&self) -> Vec<Parameter> {
        let program = &self.rule_set().program;
        program
            .params
            .iter()
            .map(|p| {
                let declaration = program
                    .sources
                    .get(p.span.file)
                    .map(|f| f.snippet(p.span))
                    .unwrap_or("");
                let (kind, choices) = match &p.ty {
                    ValueType::Number => ("number", Vec::new()),
                    ValueType::Boolean => ("boolean", Vec::new()),
                    ValueType::Text => ("text", Vec::new()),
                    ValueType::Level { levels, .. } => ("level", levels.clone()),
                    ValueType::Set { members } => ("set", members.clone()),
                };
                Parameter {
                    name: p.name.clone(),
                    value: value_json(&p.value, &p.ty),
                    written: written_value(declaration),
                    kind,
                    choices,
                    overridden: p.overridden,
                    label: p.meta.label.clone(),
                    description: p.meta.description.clone(),
                    cite: p.meta.cite.clone(),
                    unit: p.meta.unit.clone(),
                    location: program.sources.location(p.span),
                }
            })
            .collect()
    }
}

/// The literal of `param name = <literal> { ... }`: the text after the first `=`, up to
/// the `{` of the metadata block (or the end), trimmed.
fn written_value(declaration: &str) -> String {
    let after = declaration.split_once('=').map_or("", |(_, rest)| rest);
    let literal = after.split_once('{').map_or(after, |(value, _)| value);
    literal.trim().to_string()
}
