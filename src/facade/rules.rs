//! The facade's rule set: load rule files once (a directory, sources held in memory, or the
//! shipped set embedded in the library), then evaluate and explain clusters with them.
//!
//! Input: rule file texts and `--param`-style overrides. Output: [`Rules`], an immutable,
//! `Send + Sync` handle that is cheap to clone and share across threads; the checked
//! program and its compiled form are built once, when it is loaded.

use std::path::Path;
use std::sync::Arc;

use crate::facade::diagnostic::{Diagnostic, Error, ErrorKind};
use crate::facade::facts::{Facts, FactsFormat};
use crate::facts;
use crate::ir::ParamOverride;
use crate::ruleset::{self, RuleOrigin, RuleSet, RuleSources, RuleText};

/// A loaded, checked rule set, ready to evaluate clusters.
///
/// Loading parses and checks every file and compiles the conditions once; evaluating
/// afterwards allocates only the result. Clones share the same rule set.
///
/// ```
/// let rules = meso::Rules::embedded()?;
/// let facts = rules.facts_from_str("leon.yaml", "
/// firms: 1500
/// employment: 60000
/// spatial_scale: city
/// ", meso::FactsFormat::Yaml)?;
/// let verdict = rules.evaluate(&facts);
/// println!("{:?}", verdict.classification());
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Rules {
    inner: Arc<Loaded>,
}

#[derive(Debug)]
struct Loaded {
    rules: RuleSet,
    params: Vec<ParamOverride>,
    warnings: Vec<Diagnostic>,
    strict_unknowns: bool,
}

/// How to load a rule set: parameter overrides, then the source.
///
/// ```
/// let rules = meso::Rules::builder()
///     .param("min_cluster_firms", "50")
///     .embedded()?;
/// assert_eq!(rules.params().len(), 1);
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct RulesBuilder {
    params: Vec<ParamOverride>,
    strict_unknowns: bool,
}

impl RulesBuilder {
    /// Override a parameter's value, written as in a rule file (`--param name=value` on the
    /// command line). The checker rejects names that are not parameters and values of the
    /// wrong kind, with a diagnostic.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push(ParamOverride {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Only what the facts settle (`--strict-unknowns`): no provisional classification when
    /// missing facts leave the most specific types open. By default the leading type is
    /// reported provisionally, apart from the firm classification.
    pub fn strict_unknowns(mut self, strict: bool) -> Self {
        self.strict_unknowns = strict;
        self
    }

    /// The rule set shipped with meso (Altenburg & Meyer-Stamer 1999), embedded in the
    /// library.
    pub fn embedded(self) -> Result<Rules, Error> {
        self.load(ruleset::embedded_sources())
    }

    /// Every `.meso` file below a directory (sorted by relative path), or one `.meso` file.
    pub fn path(self, path: impl AsRef<Path>) -> Result<Rules, Error> {
        let sources = ruleset::read_sources(path.as_ref())
            .map_err(|e| Error::from_diagnostic(ErrorKind::RulesSource, &e))?;
        self.load(sources)
    }

    /// Rule files held in memory, as `(name, text)` pairs; the names are paths relative
    /// to the rule set's root (`types.meso`, `policies/survival.meso`), shown in
    /// diagnostics and traces and part of the fingerprint.
    pub fn sources<I, N, T>(self, files: I) -> Result<Rules, Error>
    where
        I: IntoIterator<Item = (N, T)>,
        N: Into<String>,
        T: Into<String>,
    {
        let mut files: Vec<RuleText> = files
            .into_iter()
            .map(|(name, text)| {
                let relative: String = name.into();
                RuleText {
                    display: relative.clone(),
                    relative,
                    text: text.into(),
                }
            })
            .collect();
        files.sort_by(|a, b| a.relative.cmp(&b.relative));
        self.load(RuleSources {
            origin: RuleOrigin::Memory,
            files,
        })
    }

    fn load(self, sources: RuleSources) -> Result<Rules, Error> {
        match ruleset::load(sources, &self.params) {
            Ok(rules) => {
                let mut warnings = Vec::new();
                for w in &rules.warnings {
                    Diagnostic::collect(w, &mut warnings);
                }
                Ok(Rules {
                    inner: Arc::new(Loaded {
                        rules,
                        params: self.params,
                        warnings,
                        strict_unknowns: self.strict_unknowns,
                    }),
                })
            }
            Err(failure) => {
                let mut diagnostics = Vec::new();
                for e in &failure.errors {
                    Diagnostic::collect(e, &mut diagnostics);
                }
                for w in &failure.warnings {
                    Diagnostic::collect(w, &mut diagnostics);
                }
                Err(Error::new(ErrorKind::Rules, diagnostics))
            }
        }
    }
}

impl Rules {
    /// Options for loading: parameter overrides, then the source.
    pub fn builder() -> RulesBuilder {
        RulesBuilder::default()
    }

    /// The rule set shipped with meso, embedded in the library.
    pub fn embedded() -> Result<Rules, Error> {
        RulesBuilder::default().embedded()
    }

    /// The rule files at `path`: every `.meso` file below a directory, or one file.
    ///
    /// ```
    /// let rules = meso::Rules::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"))?;
    /// assert_eq!(rules.fingerprint(), meso::Rules::embedded()?.fingerprint());
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Rules, Error> {
        RulesBuilder::default().path(path)
    }

    /// Rule files held in memory, as `(name, text)` pairs.
    ///
    /// ```
    /// let rules = meso::Rules::from_sources([("typology.meso", r#"
    /// fact firms: count { description "Number of firms" }
    /// param many_firms = 100 { description "Firms of a big cluster" cite "example" }
    /// type big {
    ///   label "Big cluster"
    ///   cite "example"
    ///   required { many: firms >= many_firms }
    /// }
    /// "#)])?;
    /// let facts = rules.facts_from_str("c.json", r#"{"firms": 250}"#, meso::FactsFormat::Json)?;
    /// assert_eq!(rules.evaluate(&facts).classification(), Some("big"));
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn from_sources<I, N, T>(files: I) -> Result<Rules, Error>
    where
        I: IntoIterator<Item = (N, T)>,
        N: Into<String>,
        T: Into<String>,
    {
        RulesBuilder::default().sources(files)
    }

    /// `sha256:<hex>` over the sorted relative paths and contents of the rule files: the
    /// same rule set gives the same fingerprint wherever it is loaded from.
    pub fn fingerprint(&self) -> &str {
        &self.inner.rules.fingerprint
    }

    /// The checker's warnings (lints); a rule set with warnings still evaluates.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.inner.warnings
    }

    /// Whether it reports only what the facts settle (see
    /// [`RulesBuilder::strict_unknowns`]).
    pub fn strict_unknowns(&self) -> bool {
        self.inner.strict_unknowns
    }

    /// The parameter overrides the rule set was loaded with, in the order given.
    pub fn params(&self) -> &[ParamOverride] {
        &self.inner.params
    }

    /// A JSON Schema (2020-12) of the facts this rule set reads, as `meso schema` prints
    /// it: each fact's type, unit, range and levels, for editors, forms and validators.
    ///
    /// ```
    /// let schema = meso::Rules::embedded()?.facts_schema();
    /// assert_eq!(schema["properties"]["trust"]["enum"][0], "low");
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn facts_schema(&self) -> serde_json::Value {
        let rules = &self.inner.rules;
        crate::schema::facts_schema(&rules.program, &rules.origin.describe())
    }

    /// The rule set's types, in declaration order: what the type indexes of
    /// [`crate::VerdictColumns`] and [`crate::VerdictBlock`] count.
    ///
    /// ```
    /// let rules = meso::Rules::embedded()?;
    /// assert!(rules.type_names().contains(&"survival_cluster"));
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn type_names(&self) -> Vec<&str> {
        let program = &self.inner.rules.program;
        program.types.iter().map(|t| t.name.as_str()).collect()
    }

    /// The rule set's policies and avoid items, in declaration order: what policy indexes
    /// count.
    pub fn policy_names(&self) -> Vec<&str> {
        let program = &self.inner.rules.program;
        program.policies.iter().map(|p| p.name.as_str()).collect()
    }

    /// The rule set's facts, in declaration order: what fact indexes count.
    pub fn fact_names(&self) -> Vec<&str> {
        let program = &self.inner.rules.program;
        program.facts.iter().map(|f| f.name.as_str()).collect()
    }

    /// The loaded rule set: the checked program, its compiled form, fingerprints.
    pub(crate) fn rule_set(&self) -> &RuleSet {
        &self.inner.rules
    }

    /// Read and validate facts about one cluster from JSON, YAML or TOML text. `name`
    /// names the facts in diagnostics, traces and the evaluation's `facts_file`. Every
    /// problem of the text is reported at once; facts the rule set does not declare are
    /// errors (see [`Rules::facts_from_str_allowing_unknown`]).
    pub fn facts_from_str(
        &self,
        name: &str,
        text: &str,
        format: FactsFormat,
    ) -> Result<Facts, Error> {
        self.load_facts(name, text, format, false)
    }

    /// As [`Rules::facts_from_str`], but keys that are not facts of the rule set are
    /// warnings ([`Facts::warnings`]) instead of errors (`--allow-unknown-facts`).
    pub fn facts_from_str_allowing_unknown(
        &self,
        name: &str,
        text: &str,
        format: FactsFormat,
    ) -> Result<Facts, Error> {
        self.load_facts(name, text, format, true)
    }

    /// Facts from a map of values (as a JSON object would hold them: numbers, booleans,
    /// level names, lists of level names for sets; `null` for unknown).
    ///
    /// ```
    /// use serde_json::json;
    /// let rules = meso::Rules::embedded()?;
    /// let map = json!({"firms": 400, "trust": "low"});
    /// let facts = rules.facts_from_map("survey-2024", map.as_object().unwrap())?;
    /// assert_eq!(facts.name(), "survey-2024");
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn facts_from_map(
        &self,
        name: &str,
        map: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Facts, Error> {
        let text = serde_json::to_string(map).unwrap_or_default();
        self.load_facts(name, &text, FactsFormat::Json, false)
    }

    fn load_facts(
        &self,
        name: &str,
        text: &str,
        format: FactsFormat,
        allow_unknown_facts: bool,
    ) -> Result<Facts, Error> {
        let opts = facts::LoadOptions {
            allow_unknown_facts,
        };
        match facts::load_facts(&self.inner.rules.program, name, text, format, &opts) {
            Ok(loaded) => {
                let mut warnings = Vec::new();
                for w in &loaded.warnings {
                    Diagnostic::collect(w, &mut warnings);
                }
                let fingerprint = facts::fingerprint(&self.inner.rules.program, &loaded.facts);
                Ok(Facts::new(
                    name,
                    fingerprint,
                    loaded.facts,
                    warnings,
                    allow_unknown_facts,
                ))
            }
            Err(errors) => Err(Error::from_diagnostic(ErrorKind::Facts, &errors)),
        }
    }
}
