// meso rule files in CodeMirror: highlighting (the keywords of
// editors/vscode/syntaxes/meso.tmLanguage.json) and completion of the rule set's names.
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

const DECL = new Set(["fact", "param", "derived", "type", "policy", "avoid", "test"]);
const CLAUSE = new Set([
  "required", "indicative", "excluding", "extends", "for", "when", "phase", "after", "advice",
  "rationale", "given", "expect", "classification", "score", "weight", "note",
]);
const META = new Set(["label", "description", "cite", "unit", "minimum", "maximum"]);
const TYPES = new Set(["number", "count", "integer", "ratio", "boolean", "text", "level", "one", "of", "set"]);
const WORDOPS = new Set(["and", "or", "not", "in", "between", "is", "contains", "known"]);
const STATUS = new Set(["matched", "undetermined", "recommended", "avoided"]);
const CONST = new Set(["true", "false", "unknown", "none"]);
const FUNCS = new Set(["min", "max", "abs", "count", "any", "all"]);

export const KEYWORDS = [...DECL, ...CLAUSE, ...META, ...TYPES, ...WORDOPS, ...STATUS, ...CONST];

const mesoStream = {
  name: "meso",
  startState: () => ({ inTriple: false, afterDecl: null }),
  token(stream, state) {
    if (state.inTriple) {
      if (stream.skipTo('"""')) {
        stream.pos += 3;
        state.inTriple = false;
      } else stream.skipToEnd();
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.peek() === "#") {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match('"""')) {
      state.inTriple = true;
      if (stream.skipTo('"""')) {
        stream.pos += 3;
        state.inTriple = false;
      } else stream.skipToEnd();
      return "string";
    }
    if (stream.peek() === '"') {
      stream.next();
      let escaped = false;
      let ch;
      while ((ch = stream.next()) != null) {
        if (ch === '"' && !escaped) break;
        escaped = !escaped && ch === "\\";
      }
      return "string";
    }
    if (stream.match(/^[0-9][0-9_]*(\.[0-9]+)?([eE][+-]?[0-9]+)?%?/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (word) {
      const w = word[0];
      const decl = state.afterDecl;
      state.afterDecl = null;
      if (decl) return decl === "type" ? "typeName" : decl === "policy" || decl === "avoid" ? "className" : "definition";
      if (DECL.has(w)) {
        state.afterDecl = w === "test" ? null : w;
        return "keyword";
      }
      if (CLAUSE.has(w)) return "controlKeyword";
      if (META.has(w)) return "meta";
      if (FUNCS.has(w) && stream.match(/^\s*\(/, false)) return "function";
      if (TYPES.has(w)) return "typeName";
      if (WORDOPS.has(w)) return "operatorKeyword";
      if (STATUS.has(w)) return "atom";
      if (CONST.has(w)) return "bool";
      if (stream.match(/^\s*:(?!:)/, false)) return "labelName";
      return "variableName";
    }
    if (stream.match(/^(>=|<=|==|!=|[<>=+\-*/])/)) return "operator";
    stream.next();
    return "punctuation";
  },
  languageData: { commentTokens: { line: "#" } },
};

export const mesoLanguage = StreamLanguage.define(mesoStream);

export const mesoHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.comment, color: "#5c6b73", fontStyle: "italic" },
    { tag: t.string, color: "#0b6e2e" },
    { tag: t.number, color: "#8a3b00" },
    { tag: t.keyword, color: "#6a1b9a", fontWeight: "bold" },
    { tag: t.controlKeyword, color: "#1a4fa0", fontWeight: "bold" },
    { tag: t.meta, color: "#1a4fa0" },
    { tag: t.typeName, color: "#8a1c4a" },
    { tag: t.className, color: "#8a1c4a", fontWeight: "bold" },
    { tag: t.definition(t.variableName), color: "#004d61", fontWeight: "bold" },
    { tag: t.definition, color: "#004d61", fontWeight: "bold" },
    { tag: t.operatorKeyword, color: "#6a1b9a" },
    { tag: t.atom, color: "#8a3b00" },
    { tag: t.bool, color: "#8a3b00" },
    { tag: t.labelName, color: "#3d5a00" },
    { tag: t.function(t.variableName), color: "#1a4fa0" },
  ]),
);

// The names a rule set declares, found in its texts (also while they do not check).
export function declaredNames(files) {
  const names = { fact: new Set(), param: new Set(), derived: new Set(), type: new Set(), policy: new Set() };
  const re = /^[ \t]*(fact|param|derived|type|policy|avoid)[ \t]+([A-Za-z_][A-Za-z0-9_]*)/gm;
  for (const f of files) {
    for (const m of f.text.matchAll(re)) {
      const kind = m[1] === "avoid" ? "policy" : m[1];
      names[kind].add(m[2]);
    }
  }
  return names;
}

// A completion source over the rule set's names; `context()` gives
// `{ files, levels: Map<level, fact> }` at the time of asking.
export function mesoCompletion(context) {
  return (cx) => {
    const word = cx.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word || (word.from === word.to && !cx.explicit)) return null;
    const { files, levels } = context();
    const names = declaredNames(files);
    const options = [];
    const add = (set, type, detail) => {
      for (const label of set) options.push({ label, type, detail });
    };
    add(names.fact, "variable", "fact");
    add(names.derived, "variable", "derived value");
    add(names.param, "constant", "parameter");
    add(names.type, "class", "type");
    add(names.policy, "function", "policy");
    for (const [level, facts] of levels) options.push({ label: level, type: "enum", detail: `level of ${facts.join(", ")}` });
    for (const k of KEYWORDS) options.push({ label: k, type: "keyword", boost: -10 });
    return { from: word.from, options, validFor: /^[A-Za-z0-9_]*$/ };
  };
}
