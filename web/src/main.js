// The meso playground: rule editor, facts form and text, verdict, explanation, what-if
// parameters, share links and downloads, all on the engine in WebAssembly (engine.js).
import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { indentOnInput, bracketMatching, foldGutter } from "@codemirror/language";
import { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { setDiagnostics, lintGutter, lintKeymap } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import * as yaml from "js-yaml";

import { engine, initEngine } from "./engine.js";
import { mesoLanguage, mesoHighlight, mesoCompletion } from "./meso-lang.js";
import { encodeState, decodeState } from "./share.js";
import { zipFiles } from "./zip.js";

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
};

// ---------------------------------------------------------------- state
let SETS = [];
const state = {
  setId: "shipped",
  files: [], // [{name, text}] of the current rule set (edited)
  edits: {}, // setId -> files, so switching rule sets keeps edits
  active: 0,
  example: "", // path of the chosen example ("" = own facts)
  factsName: "facts.yaml",
  factsText: "",
  params: {}, // what-if overrides: name -> value as written
  explainFormat: "html",
};
let checkResult = null; // last engine.check
let lastEval = null; // last good evaluation (parsed) and its text
let schemaKey = "";
let schema = null;
let declaredParams = [];
let timings = []; // per update: ms for re-check + re-evaluate + render
window.__meso = {
  timings, state, engine: () => engine, lastEval: () => lastEval, view: () => view,
  renderVerdict: (j) => renderVerdict(j),
};

const currentSet = () => SETS.find((s) => s.id === state.setId) || SETS[0];

// ---------------------------------------------------------------- byte offsets
// The engine's label offsets are UTF-8 byte offsets; CodeMirror counts UTF-16 units.
function byteToUtf16(text, bytes, offset) {
  if (offset <= 0) return 0;
  return new TextDecoder().decode(bytes.subarray(0, Math.min(offset, bytes.length))).length;
}

// ---------------------------------------------------------------- editor
const languageConf = new Compartment();
const editorStates = []; // one EditorState per file
let view = null;
let switching = false;

function editorExtensions() {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    lintGutter(),
    languageConf.of(mesoLanguage),
    mesoHighlight,
    autocompletion({ override: [mesoCompletion(completionContext)] }),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": "Rule file editor" }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged && !switching) {
        const f = state.files[state.active];
        if (f) f.text = u.state.doc.toString();
        editorStates[state.active] = u.state;
        onRulesChanged();
      }
    }),
  ];
}

function completionContext() {
  const levels = new Map();
  if (schema && schema.properties) {
    for (const [fact, s] of Object.entries(schema.properties)) {
      const names = s.enum || (s.items && s.items.enum) || [];
      for (const n of names) if (n !== null) levels.set(n, [...(levels.get(n) || []), fact]);
    }
  }
  return { files: state.files, levels };
}

function makeEditorStates() {
  editorStates.length = 0;
  for (const f of state.files) editorStates.push(EditorState.create({ doc: f.text, extensions: editorExtensions() }));
}

function showFile(i) {
  state.active = Math.max(0, Math.min(i, state.files.length - 1));
  switching = true;
  view.setState(editorStates[state.active]);
  switching = false;
  renderTabs();
  applyDiagnostics();
}

function renderTabs() {
  const tabs = $("tabs");
  tabs.replaceChildren();
  const counts = diagnosticCounts();
  state.files.forEach((f, i) => {
    const n = counts.get(f.name) || 0;
    const b = el(
      "button",
      {
        type: "button", role: "tab", id: `tab-${i}`, "aria-selected": i === state.active ? "true" : "false",
        "aria-controls": "editor", tabindex: i === state.active ? "0" : "-1",
        class: n ? "has-problems" : "",
        onclick: () => showFile(i),
      },
      f.name,
      n ? el("span", { class: "badge", "aria-label": `${n} problems` , text: String(n) }) : null,
    );
    tabs.append(b);
  });
  $("editor").setAttribute("aria-labelledby", `tab-${state.active}`);
}

function tabKeys(container, activate) {
  container.addEventListener("keydown", (e) => {
    const tabs = [...container.querySelectorAll('[role="tab"]')];
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = tabs.length - 1;
    if (j === null) return;
    e.preventDefault();
    activate(j);
    container.querySelectorAll('[role="tab"]')[j]?.focus();
  });
}

// ---------------------------------------------------------------- diagnostics
function allDiagnostics() {
  return checkResult ? checkResult.diagnostics || [] : [];
}

function diagnosticCounts() {
  const m = new Map();
  for (const d of allDiagnostics()) if (d.file) m.set(d.file, (m.get(d.file) || 0) + 1);
  return m;
}

function cmDiagnostics(file, text) {
  const bytes = new TextEncoder().encode(text);
  const out = [];
  for (const d of allDiagnostics()) {
    if (d.file !== file) continue;
    const label = d.labels && d.labels[0];
    let from = 0;
    let to = 0;
    if (label) {
      from = byteToUtf16(text, bytes, label.offset);
      to = byteToUtf16(text, bytes, label.offset + label.length);
    }
    from = Math.min(from, text.length);
    to = Math.max(from, Math.min(to, text.length));
    const parts = [d.message];
    if (label && label.message && label.message !== d.message) parts.push(label.message);
    if (d.help) parts.push(`help: ${d.help}`);
    out.push({
      from, to,
      severity: d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info",
      source: d.code || "meso",
      message: parts.join("\n"),
    });
  }
  return out;
}

function applyDiagnostics() {
  const f = state.files[state.active];
  if (!f || !view) return;
  view.dispatch(setDiagnostics(view.state, cmDiagnostics(f.name, f.text)));
  editorStates[state.active] = view.state;
}

function renderDiagnosticList() {
  const list = $("diagnostics");
  list.replaceChildren();
  const ds = allDiagnostics();
  const errors = ds.filter((d) => d.severity === "error").length;
  $("diag-count").textContent = ds.length
    ? `${errors} error${errors === 1 ? "" : "s"}, ${ds.length - errors} warning${ds.length - errors === 1 ? "" : "s"}`
    : "none";
  for (const d of ds) {
    const where = d.file ? `${d.file}:${d.line ?? "?"}:${d.column ?? "?"}` : "";
    const item = el(
      "li",
      { class: `diag ${d.severity}`, "data-code": d.code || "", "data-file": d.file || "", "data-line": d.line ?? "" },
      el("button", {
        type: "button", class: "goto", text: where || "(no place)",
        "aria-label": `Go to ${where}`,
        onclick: () => gotoDiagnostic(d),
      }),
      " ",
      el("span", { class: "sev", text: d.severity }),
      " ",
      el("code", { class: "code", text: d.code || "" }),
      " ",
      el("span", { class: "msg", text: d.message }),
      d.labels && d.labels[0] && d.labels[0].message ? el("div", { class: "label", text: d.labels[0].message }) : null,
      d.help ? el("div", { class: "help", text: `help: ${d.help}` }) : null,
    );
    list.append(item);
  }
}

function gotoDiagnostic(d) {
  const i = state.files.findIndex((f) => f.name === d.file);
  if (i < 0) return;
  showFile(i);
  const line = view.state.doc.line(Math.min(Math.max(d.line || 1, 1), view.state.doc.lines));
  const pos = Math.min(line.from + Math.max((d.column || 1) - 1, 0), line.to);
  view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
  view.focus();
}

// ---------------------------------------------------------------- the update cycle
function onRulesChanged() {
  const t0 = performance.now();
  checkResult = engine.check(state.files);
  applyDiagnostics();
  renderTabs();
  renderDiagnosticList();
  if (checkResult.ok) {
    if (schemaKey) scheduleVocabulary();
    else refreshVocabulary(); // a new rule set: the form and the sliders now
    evaluateNow();
  } else {
    markStale("The rules have errors: the verdict below is from the last rules that checked.");
  }
  timings.push(performance.now() - t0);
  if (timings.length > 1000) timings.shift();
  scheduleShare();
}

// The form and the what-if controls follow the rule set's vocabulary a moment after the
// typing stops: they are not needed for the verdict of this keystroke.
let vocabularyTimer = 0;
function scheduleVocabulary() {
  clearTimeout(vocabularyTimer);
  vocabularyTimer = setTimeout(refreshVocabulary, 200);
}

function refreshVocabulary() {
  const s = engine.schema(state.files);
  if (s.ok) {
    const key = JSON.stringify(s.schema.properties);
    if (key !== schemaKey) {
      schemaKey = key;
      schema = s.schema;
      renderForm();
    }
  }
  const p = engine.parameters(state.files, {});
  if (p.ok) {
    const key = JSON.stringify(p.parameters.map((x) => [x.name, x.written, x.kind, x.choices]));
    if (key !== JSON.stringify(declaredParams.map((x) => [x.name, x.written, x.kind, x.choices]))) {
      declaredParams = p.parameters;
      for (const name of Object.keys(state.params)) {
        if (!declaredParams.some((x) => x.name === name)) delete state.params[name];
      }
      renderWhatIf();
    }
  }
}

function onFactsChanged({ fromForm = false } = {}) {
  const t0 = performance.now();
  if (!fromForm) syncFormFromText();
  evaluateNow();
  timings.push(performance.now() - t0);
  scheduleShare();
}

function markStale(message) {
  $("verdict").classList.add("stale");
  $("classification").dataset.stale = "true";
  const n = $("verdict-body").querySelector(".stale-note");
  if (n) n.textContent = message;
  else $("verdict-body").prepend(el("p", { class: "stale-note", role: "note", text: message }));
}

function evaluateNow() {
  const r = engine.evaluate(state.files, state.params, state.factsName, state.factsText);
  renderFactsDiagnostics(r);
  if (!r.ok) {
    const paramProblem = (r.diagnostics || []).some((d) => d.file === null && /param/i.test(d.message));
    markStale(paramProblem ? "A what-if value is not valid for its parameter." : "The facts have problems: the verdict below is from the last facts that loaded.");
    return;
  }
  lastEval = { text: r.eval, json: JSON.parse(r.eval) };
  $("verdict").classList.remove("stale");
  delete $("classification").dataset.stale;
  renderVerdict(lastEval.json);
  scheduleExamplesTable();
  scheduleExplain();
}

// ---------------------------------------------------------------- verdict
const pct = (x) => (typeof x === "number" ? x.toFixed(2) : "–");

function renderVerdict(j) {
  const c = $("classification");
  c.replaceChildren();
  const prov = j.provisional && typeof j.provisional === "object" ? j.provisional : null;
  if (j.classification) {
    c.append(
      el("span", { class: "badge firm", text: "firm" }),
      " ",
      el("strong", { id: "classification-name", "data-type": j.classification, text: j.classification_label || j.classification }),
      " ",
      el("code", { text: j.classification }),
    );
  } else if (prov || j.provisional === true) {
    const name = prov ? prov.type : "";
    c.append(
      el("span", { class: "badge provisional", text: "provisional" }),
      " ",
      el("strong", { id: "classification-name", "data-type": "", "data-provisional": name, text: prov ? prov.label || prov.type : "provisional" }),
      prov ? el("code", { text: prov.type }) : null,
    );
  } else {
    c.append(el("strong", { id: "classification-name", "data-type": "", text: "No type matched" }), j.unknown_facts && j.unknown_facts.length ? " (some facts are unknown)" : "");
  }
  const body = $("verdict-body");
  body.replaceChildren();
  if (prov) {
    body.append(
      el("div", { class: "provisional-box" },
        el("p", { text: prov.explanation || `Provisionally ${prov.type}` }),
        prov.unknown_facts && prov.unknown_facts.length ? el("p", { text: `Would be settled by: ${prov.unknown_facts.join(", ")}` }) : null,
        prov.alternatives && prov.alternatives.length ? el("p", { text: `Still possible: ${prov.alternatives.join(", ")}` }) : null,
      ),
    );
  }
  if (j.tied && j.tied.length) body.append(el("p", { text: `Tied with: ${j.tied.join(", ")}` }));
  if (j.hybrids && j.hybrids.length) body.append(el("p", { text: `Hybrid, also: ${j.hybrids.join(", ")}` }));
  if (Object.keys(j.params || {}).length) {
    body.append(el("p", { class: "hint", text: `What-if values in force: ${Object.entries(j.params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(", ")}` }));
  }

  // Types
  const types = el("table", { class: "types" },
    el("caption", { text: "Cluster types" }),
    el("thead", {}, el("tr", {}, ...["Type", "Status", "Score", "Why / what is missing"].map((h) => el("th", { scope: "col", text: h })))),
  );
  const tb = el("tbody");
  for (const t of j.types || []) {
    const why = [];
    if (t.failed_required && t.failed_required.length) why.push(`fails ${t.failed_required.join(", ")}`);
    if (t.excluded_by && t.excluded_by.length) why.push(`excluded by ${t.excluded_by.join(", ")}`);
    if (t.unknown_facts && t.unknown_facts.length) why.push(`missing ${t.unknown_facts.join(", ")}`);
    const score = t.total_weight ? (t.score_max !== t.score ? `${pct(t.score)}–${pct(t.score_max)}` : pct(t.score)) : "–";
    tb.append(el("tr", { class: `status-${t.status}`, "data-type": t.type },
      el("th", { scope: "row" }, el("span", { text: t.label || t.type }), el("br"), el("code", { text: t.type })),
      el("td", { class: "status", text: String(t.status).replace(/_/g, " ") }),
      el("td", { class: "num", text: score }),
      el("td", { text: why.join("; ") }),
    ));
  }
  types.append(tb);
  body.append(el("div", { class: "scroll" }, types));

  // Policies in order, avoid items apart
  const pols = (j.policies || []).filter((p) => p.kind !== "avoid");
  const avoids = (j.policies || []).filter((p) => p.kind === "avoid");
  const polItem = (p) => el("li", { "data-policy": p.policy, value: p.order },
    el("details", {},
      el("summary", {},
        el("span", { class: "phase", text: p.phase !== undefined && p.phase !== null ? `phase ${p.phase} · ` : "" }),
        el("strong", { text: p.label || p.policy }),
        " ",
        el("code", { text: p.policy })),
      p.advice ? el("p", { class: "advice", text: p.advice }) : null,
      p.rationale ? el("p", { class: "advice", text: `Why: ${p.rationale}` }) : null,
      p.cite ? el("p", { class: "advice", text: `Source: ${p.cite}` }) : null,
      p.after && p.after.length ? el("p", { class: "advice", text: `After: ${p.after.join(", ")}` }) : null));
  body.append(el("h3", { text: `Policies, in order (${pols.length})` }));
  body.append(pols.length ? el("ol", { class: "policies" }, pols.map(polItem)) : el("p", { class: "hint", text: "None apply." }));
  body.append(el("h3", { text: `Avoid (${avoids.length})` }));
  body.append(avoids.length ? el("ol", { class: "policies avoid" }, avoids.map(polItem)) : el("p", { class: "hint", text: "Nothing to avoid." }));
  if (j.undetermined_policies && j.undetermined_policies.length) {
    body.append(el("h3", { text: "Open until more facts are known" }));
    body.append(el("ul", {}, j.undetermined_policies.map((u) =>
      el("li", {}, el("code", { text: u.policy || u.name || JSON.stringify(u) }), u.unknown_facts ? ` needs ${u.unknown_facts.join(", ")}` : ""))));
  }
  if (j.unknown_facts && j.unknown_facts.length) {
    body.append(el("p", { class: "hint", text: `Unknown facts: ${j.unknown_facts.join(", ")}` }));
  }
}

// Every example of the rule set under the current rules and what-if values, and what it
// was under the declared parameters: which clusters change type. Made again only when the
// rules or the what-if values changed, a moment after the typing or sliding stops.
let examplesTimer = 0;
let examplesKey = "";
function scheduleExamplesTable() {
  clearTimeout(examplesTimer);
  examplesTimer = setTimeout(renderExamplesTable, 120);
}

function renderExamplesTable() {
  const key = JSON.stringify([state.setId, state.params, state.files.map((f) => f.text)]);
  if (key === examplesKey) return;
  examplesKey = key;
  const set = currentSet();
  const box = $("examples-table");
  if (!set || !set.examples.length) {
    box.replaceChildren(el("p", { class: "hint", text: "This rule set ships no examples." }));
    return;
  }
  const whatIf = Object.keys(state.params).length > 0;
  const table = el("table", { class: "examples" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Example" }), el("th", { scope: "col", text: whatIf ? "With the what-if values" : "Classification" }), whatIf ? el("th", { scope: "col", text: "Declared values" }) : null)));
  const tb = el("tbody");
  const cls = (r) => {
    if (!r.ok) return "(facts do not load)";
    const j = JSON.parse(r.eval);
    return j.classification || (j.provisional && j.provisional.type ? `provisionally ${j.provisional.type}` : "none");
  };
  for (const ex of set.examples) {
    const now = cls(engine.evaluate(state.files, state.params, ex.name, ex.text));
    const before = whatIf ? cls(engine.evaluate(state.files, {}, ex.name, ex.text)) : now;
    const changed = now !== before;
    tb.append(el("tr", { class: changed ? "changed" : "", "data-example": ex.name },
      el("th", { scope: "row" }, el("button", { type: "button", class: "link", text: shortName(ex.name), onclick: () => chooseExample(ex.name) })),
      el("td", { class: "cls", text: now + (changed ? " (changed)" : "") }),
      whatIf ? el("td", { text: before }) : null));
  }
  table.append(tb);
  box.replaceChildren(el("div", { class: "scroll" }, table));
}

const shortName = (p) => p.split("/").pop();

// ---------------------------------------------------------------- explanation
let explainTimer = 0;
function scheduleExplain() {
  clearTimeout(explainTimer);
  explainTimer = setTimeout(renderExplain, 150);
}

function renderExplain() {
  const fmt = state.explainFormat;
  const r = engine.explain(state.files, state.params, state.factsName, state.factsText, fmt);
  const box = $("explain-box");
  if (!r.ok) return;
  if (fmt === "html") {
    let frame = box.querySelector("iframe");
    if (!frame) {
      box.replaceChildren();
      frame = el("iframe", { title: "Explanation report", sandbox: "allow-scripts", class: "report" });
      box.append(frame);
    }
    frame.srcdoc = r.trace;
  } else {
    box.replaceChildren(el("pre", { class: "trace", tabindex: "0", text: r.trace }));
  }
}

function setExplainFormat(fmt) {
  state.explainFormat = fmt;
  for (const f of ["html", "markdown", "text"]) {
    const b = $(`ex-${f}`);
    b.setAttribute("aria-selected", f === fmt ? "true" : "false");
    b.tabIndex = f === fmt ? 0 : -1;
  }
  renderExplain();
}

// ---------------------------------------------------------------- facts: text and form
function parseFactsText() {
  const text = state.factsText;
  if (!text.trim()) return {};
  try {
    const v = /\.json$/i.test(state.factsName) || text.trim().startsWith("{") ? JSON.parse(text) : yaml.load(text);
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

function renderFactsDiagnostics(r) {
  const list = $("facts-diagnostics");
  list.replaceChildren();
  const ds = r.ok ? r.warnings || [] : (r.diagnostics || []).filter((d) => d.file === state.factsName || !d.file);
  for (const d of ds) {
    list.append(el("li", { class: `diag ${d.severity}`, "data-code": d.code || "" },
      d.line ? el("span", { class: "where", text: `line ${d.line}: ` }) : null,
      el("code", { class: "code", text: d.code || "" }), " ",
      el("span", { class: "msg", text: d.message }),
      d.help ? el("div", { class: "help", text: `help: ${d.help}` }) : null));
  }
}

const factId = (name) => `fact-${name}`;

function rangeText(s) {
  const lo = s.minimum;
  const hi = s.maximum;
  if (lo !== undefined && hi !== undefined) return `${lo} to ${hi}`;
  if (lo !== undefined) return `at least ${lo}`;
  if (hi !== undefined) return `at most ${hi}`;
  return "";
}

function renderForm() {
  const form = $("facts-form");
  form.replaceChildren();
  if (!schema) return;
  for (const [name, s] of Object.entries(schema.properties || {})) {
    const id = factId(name);
    const unit = s["x-meso-unit"];
    const type = s["x-meso-type"] || "";
    const label = el("label", { for: id }, el("span", { class: "fl", text: s.title || name }), " ", el("code", { text: name }), unit ? el("span", { class: "unit", text: ` (${unit})` }) : null);
    const desc = el("div", { class: "fdesc", id: `${id}-desc`, text: (s.description || "").split("\n")[0].slice(0, 220) });
    let control;
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (s.enum) {
      control = el("select", { id, name, "aria-describedby": `${id}-desc` },
        el("option", { value: "", text: "unknown" }),
        s.enum.filter((x) => x !== null).map((v) => el("option", { value: v, text: v })));
    } else if (types.includes("boolean")) {
      control = el("select", { id, name, "aria-describedby": `${id}-desc` },
        el("option", { value: "", text: "unknown" }), el("option", { value: "true", text: "true" }), el("option", { value: "false", text: "false" }));
    } else if (types.includes("array")) {
      const members = (s.items && s.items.enum) || [];
      control = el("fieldset", { id, class: "set", "aria-describedby": `${id}-desc` },
        el("legend", { class: "sr-only", text: name }),
        el("label", {}, el("input", { type: "checkbox", "data-unknown": "1", name: `${name}__unknown` }), " unknown"),
        members.map((m) => el("label", {}, el("input", { type: "checkbox", value: m, name }), ` ${m}`)));
    } else if (types.includes("number") || types.includes("integer")) {
      const isRatio = /ratio/.test(type);
      control = el("span", { class: "numrow" },
        el("input", {
          id, name, type: "number", inputmode: "decimal", "aria-describedby": `${id}-desc`,
          min: s.minimum, max: s.maximum, step: types.includes("integer") ? "1" : isRatio ? "0.01" : "any", placeholder: "unknown",
        }),
        el("label", { class: "unk" }, el("input", { type: "checkbox", "data-unknown": "1", name: `${name}__unknown`, "aria-label": `${name} unknown` }), " unknown"),
        rangeText(s) ? el("span", { class: "range", text: rangeText(s) }) : null);
    } else {
      control = el("span", { class: "numrow" },
        el("input", { id, name, type: "text", placeholder: "unknown", "aria-describedby": `${id}-desc` }),
        el("label", { class: "unk" }, el("input", { type: "checkbox", "data-unknown": "1", name: `${name}__unknown`, "aria-label": `${name} unknown` }), " unknown"));
    }
    const row = el("div", { class: "frow", "data-fact": name }, label, control, desc);
    form.append(row);
  }
  syncFormFromText();
}

function syncFormFromText() {
  const v = parseFactsText();
  const form = $("facts-form");
  form.classList.toggle("unsynced", v === null);
  if (v === null || !schema) return;
  for (const name of Object.keys(schema.properties || {})) {
    const row = form.querySelector(`[data-fact="${CSS.escape(name)}"]`);
    if (!row) continue;
    const value = v[name];
    const known = value !== undefined && value !== null;
    const unk = row.querySelector('input[data-unknown]');
    if (unk) unk.checked = !known;
    const sel = row.querySelector("select");
    if (sel) sel.value = known ? String(value) : "";
    const input = row.querySelector('input[type="number"], input[type="text"]');
    if (input && document.activeElement !== input) input.value = known ? String(value) : "";
    for (const cb of row.querySelectorAll('input[type="checkbox"]:not([data-unknown])')) {
      cb.checked = known && Array.isArray(value) && value.includes(cb.value);
    }
  }
}

function formValue(row) {
  const name = row.dataset.fact;
  const s = schema.properties[name];
  const unk = row.querySelector("input[data-unknown]");
  const sel = row.querySelector("select");
  if (sel) {
    if (sel.value === "") return null;
    if (sel.value === "true" || sel.value === "false") return sel.value === "true";
    return sel.value;
  }
  const members = row.querySelectorAll('input[type="checkbox"]:not([data-unknown])');
  if (members.length) {
    if (unk && unk.checked) return null;
    return [...members].filter((c) => c.checked).map((c) => c.value);
  }
  if (unk && unk.checked) return null;
  const input = row.querySelector("input[type=number], input[type=text]");
  if (!input || input.value.trim() === "") return null;
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes("number") || types.includes("integer")) {
    const n = Number(input.value);
    return Number.isFinite(n) ? n : input.value;
  }
  return input.value;
}

function yamlScalar(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(yamlScalar).join(", ")}]`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return /^[A-Za-z_][A-Za-z0-9_ .,'()-]*$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) && !/[:#]/.test(v) ? v : JSON.stringify(v);
}

// Set one fact in the facts text, keeping the rest (comments, order) as written.
function setFactInText(name, value) {
  const text = state.factsText;
  const isJson = /\.json$/i.test(state.factsName) || text.trim().startsWith("{");
  if (isJson) {
    let obj = {};
    try { obj = JSON.parse(text || "{}"); } catch { return false; }
    obj[name] = value;
    state.factsText = JSON.stringify(obj, null, 2) + "\n";
    return true;
  }
  const lines = text.split("\n");
  const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*:(.*)$`);
  const i = lines.findIndex((l) => re.test(l));
  const scalar = yamlScalar(value);
  if (i >= 0) {
    const rest = lines[i].replace(re, "$1");
    const comment = /\s#.*$/.exec(rest);
    // A block list below the key goes: the value is written in flow style.
    let j = i + 1;
    if (rest.trim() === "" || rest.trim().startsWith("#")) while (j < lines.length && /^\s+(-|\S)/.test(lines[j]) && /^\s/.test(lines[j])) j++;
    const pad = comment ? " ".repeat(Math.max(1, 32 - name.length - 2 - scalar.length)) : "";
    lines.splice(i, j - i, `${name}: ${scalar}${comment ? pad + comment[0].trim() : ""}`);
  } else {
    while (lines.length && lines[lines.length - 1] === "") lines.pop();
    lines.push(`${name}: ${scalar}`, "");
  }
  state.factsText = lines.join("\n");
  return true;
}

function onFormInput(e) {
  const row = e.target.closest(".frow");
  if (!row || !schema) return;
  const unk = row.querySelector("input[data-unknown]");
  if (e.target !== unk && unk && e.target.type !== "checkbox") unk.checked = false;
  if (e.target.type === "checkbox" && !e.target.dataset.unknown && unk) unk.checked = false;
  if (!setFactInText(row.dataset.fact, formValue(row))) return;
  $("facts-text").value = state.factsText;
  onFactsChanged({ fromForm: true });
}

// ---------------------------------------------------------------- what-if parameters
function sliderSpec(p) {
  const v = typeof p.value === "number" ? p.value : Number(p.value);
  if (/%$/.test(p.written)) return { min: 0, max: 100, step: 1, scale: 100, suffix: "%" };
  if (Number.isInteger(v)) {
    const max = Math.max(10, Math.ceil(v * 4));
    const step = max > 2000 ? Math.pow(10, Math.floor(Math.log10(max)) - 2) : 1;
    return { min: 0, max, step, scale: 1, suffix: "" };
  }
  const max = v <= 1 ? 1 : Math.ceil(v * 4);
  return { min: 0, max, step: max / 100, scale: 1, suffix: "" };
}

function renderWhatIf() {
  const box = $("whatif");
  box.replaceChildren();
  for (const p of declaredParams) {
    const id = `param-${p.name}`;
    const current = state.params[p.name];
    const head = el("label", { for: id }, el("span", { class: "fl", text: p.label || p.name }), " ", el("code", { text: p.name }));
    const cite = el("div", { class: "fdesc", id: `${id}-desc`, text: [p.cite ? `Source: ${p.cite}.` : "", (p.description || "").split("\n")[0].slice(0, 200)].filter(Boolean).join(" ") });
    let control;
    let out = null;
    if (p.kind === "number") {
      const spec = sliderSpec(p);
      const written = current ?? p.written;
      const val = parseFloat(written) * (/%$/.test(written) ? 1 : spec.scale);
      out = el("output", { for: id, id: `${id}-out`, text: written });
      control = el("input", {
        type: "range", id, min: spec.min, max: spec.max, step: spec.step, value: String(val),
        "aria-describedby": `${id}-desc`, "aria-valuetext": written, "data-param": p.name,
        oninput: (e) => {
          const x = Number(e.target.value);
          const w = spec.suffix ? `${x}${spec.suffix}` : String(Number(x.toFixed(6)));
          setParam(p.name, w === p.written || Number(w) === Number(p.written) ? null : w);
          out.textContent = w;
          e.target.setAttribute("aria-valuetext", w);
        },
      });
    } else if (p.kind === "level" || p.kind === "boolean") {
      const choices = p.kind === "boolean" ? ["true", "false"] : p.choices;
      control = el("select", {
        id, "aria-describedby": `${id}-desc`, "data-param": p.name,
        onchange: (e) => setParam(p.name, e.target.value === p.written ? null : e.target.value),
      }, choices.map((c) => el("option", { value: c, text: c, selected: (current ?? p.written) === c })));
    } else {
      continue;
    }
    const reset = el("button", { type: "button", class: "small", "aria-label": `Reset ${p.name} to ${p.written}`, text: `reset (${p.written})`,
      onclick: () => { setParam(p.name, null); renderWhatIf(); } });
    box.append(el("div", { class: `prow${current !== undefined ? " changed" : ""}`, "data-param": p.name }, head, el("div", { class: "numrow" }, control, out, reset), cite));
  }
}

function setParam(name, written) {
  if (written === null) delete state.params[name];
  else state.params[name] = written;
  const row = document.querySelector(`.prow[data-param="${CSS.escape(name)}"]`);
  if (row) row.classList.toggle("changed", written !== null);
  const t0 = performance.now();
  evaluateNow();
  timings.push(performance.now() - t0);
  scheduleShare();
}

// ---------------------------------------------------------------- rule sets and examples
function loadSet(id, { files = null } = {}) {
  if (state.files.length) state.edits[state.setId] = state.files;
  state.setId = id;
  const set = currentSet();
  state.setId = set.id;
  state.files = files || state.edits[set.id] || set.files.map((f) => ({ ...f }));
  state.active = 0;
  state.params = {};
  schemaKey = "";
  declaredParams = [];
  makeEditorStates();
  $("ruleset").value = set.id;
  showFile(0);
}

function renderPickers() {
  const rs = $("ruleset");
  rs.replaceChildren(...SETS.map((s) => el("option", { value: s.id, text: s.title })));
  const ex = $("example");
  ex.replaceChildren(el("option", { value: "", text: "(your own facts)" }));
  for (const s of SETS) {
    ex.append(el("optgroup", { label: s.title }, s.examples.map((e) => el("option", { value: e.name, text: shortName(e.name).replace(/\.(ya?ml|json|toml)$/, "") }))));
  }
}

function findExample(name) {
  for (const s of SETS) {
    const e = s.examples.find((x) => x.name === name);
    if (e) return { set: s, example: e };
  }
  return null;
}

function chooseExample(name) {
  const found = findExample(name);
  if (!found) {
    state.example = "";
    $("example").value = "";
    return;
  }
  if (found.set.id !== state.setId) loadSet(found.set.id);
  state.example = name;
  state.factsName = name;
  state.factsText = found.example.text;
  $("example").value = name;
  $("facts-text").value = state.factsText;
  $("facts-name").textContent = `(${name})`;
  onRulesChanged();
  syncFormFromText();
}

// ---------------------------------------------------------------- share
let shareTimer = 0;
function shareState() {
  const set = currentSet();
  const changed = {};
  for (const f of state.files) {
    const orig = set.files.find((x) => x.name === f.name);
    if (!orig || orig.text !== f.text) changed[f.name] = f.text;
  }
  const removed = set.files.filter((o) => !state.files.some((f) => f.name === o.name)).map((o) => o.name);
  const ex = findExample(state.example);
  return {
    set: state.setId,
    files: changed,
    removed,
    example: state.example,
    factsName: state.factsName,
    facts: ex && ex.example.text === state.factsText ? undefined : state.factsText,
    params: state.params,
    active: state.active,
    explain: state.explainFormat,
  };
}

function scheduleShare() {
  clearTimeout(shareTimer);
  shareTimer = setTimeout(updateShareLink, 400);
}

async function updateShareLink() {
  const frag = await encodeState(shareState());
  const url = `${location.href.split("#")[0]}#${frag}`;
  window.history.replaceState(null, "", `#${frag}`);
  $("share-url").value = url;
  return url;
}

async function applySharedState(s) {
  const set = SETS.find((x) => x.id === s.set) || SETS[0];
  const files = set.files.filter((f) => !(s.removed || []).includes(f.name)).map((f) => ({ name: f.name, text: s.files && s.files[f.name] !== undefined ? s.files[f.name] : f.text }));
  for (const [name, text] of Object.entries(s.files || {})) if (!files.some((f) => f.name === name)) files.push({ name, text });
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  state.files = [];
  loadSet(set.id, { files });
  const ex = findExample(s.example);
  state.example = ex ? s.example : "";
  state.factsName = s.factsName || (ex ? s.example : "facts.yaml");
  state.factsText = s.facts !== undefined ? s.facts : ex ? ex.example.text : "";
  state.params = { ...(s.params || {}) };
  state.explainFormat = ["html", "markdown", "text"].includes(s.explain) ? s.explain : "html";
  $("example").value = state.example;
  $("facts-text").value = state.factsText;
  $("facts-name").textContent = `(${state.factsName})`;
  showFile(s.active || 0);
  onRulesChanged();
  renderWhatIf();
  syncFormFromText();
  setExplainFormat(state.explainFormat);
}

// ---------------------------------------------------------------- downloads
function download(name, blobOrText, type = "text/plain") {
  const blob = blobOrText instanceof Blob ? blobOrText : new Blob([blobOrText], { type });
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// ---------------------------------------------------------------- start
function notice(text) {
  const n = $("notice");
  n.textContent = text;
  n.hidden = !text;
}

async function start() {
  performance.mark("meso:start");
  initEngine();
  performance.mark("meso:engine");
  SETS = engine.shipped();
  $("version").textContent = `meso ${engine.version()}`;
  renderPickers();
  view = new EditorView({ parent: $("editor") });
  performance.mark("meso:editor");

  $("ruleset").addEventListener("change", (e) => {
    loadSet(e.target.value);
    const first = currentSet().examples[0];
    if (first) chooseExample(first.name);
    else onRulesChanged();
  });
  $("example").addEventListener("change", (e) => {
    if (e.target.value) chooseExample(e.target.value);
    else {
      state.example = "";
      scheduleShare();
    }
  });
  $("facts-text").addEventListener("input", (e) => {
    state.factsText = e.target.value;
    const ex = findExample(state.example);
    if (ex && ex.example.text !== state.factsText) {
      // Still named after the example it started from; the picker shows it was edited.
      $("facts-name").textContent = `(${state.factsName}, edited)`;
    }
    onFactsChanged();
  });
  $("facts-form").addEventListener("input", onFormInput);
  $("facts-form").addEventListener("change", (e) => { if (e.target.tagName === "SELECT" || e.target.type === "checkbox") onFormInput(e); });
  $("format").addEventListener("click", () => {
    const f = state.files[state.active];
    const r = engine.format(f.name, f.text);
    if (r.ok) {
      if (r.text !== f.text) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: r.text } });
      notice("");
    } else notice(`Cannot format ${f.name}: ${r.diagnostics.map((d) => `line ${d.line}: ${d.message}`).join("; ")}`);
  });
  $("run-tests").addEventListener("click", () => {
    const r = engine.runTests(state.files);
    $("tests").hidden = false;
    const list = $("tests-list");
    list.replaceChildren();
    if (!r.ok) {
      $("tests-summary").textContent = "the rules have errors; fix them first";
      return;
    }
    $("tests-summary").textContent = `${r.passed} passed, ${r.failed} failed`;
    const failed = r.tests.filter((t) => !t.passed);
    for (const t of [...failed, ...r.tests.filter((t) => t.passed)]) {
      list.append(el("li", { class: t.passed ? "pass" : "fail" },
        el("span", { class: "badge", text: t.passed ? "ok" : "FAILED" }), " ", t.name, " ",
        el("span", { class: "hint", text: t.location }),
        t.failures.length ? el("ul", {}, t.failures.map((f) => el("li", { text: `${f.location}: ${f.message}` }))) : null));
    }
  });
  $("dl-rules").addEventListener("click", () => download(`${state.setId}-rules.zip`, zipFiles(state.files)));
  $("dl-file").addEventListener("click", () => { const f = state.files[state.active]; download(shortName(f.name), f.text); });
  $("dl-facts").addEventListener("click", () => download(shortName(state.factsName), state.factsText));
  $("dl-eval").addEventListener("click", () => lastEval && download("verdict.json", `${lastEval.text}\n`, "application/json"));
  $("dl-trace").addEventListener("click", () => {
    const r = engine.explain(state.files, state.params, state.factsName, state.factsText, "json");
    if (r.ok) download("trace.json", r.trace, "application/json");
  });
  $("dl-report").addEventListener("click", () => {
    const r = engine.explain(state.files, state.params, state.factsName, state.factsText, "html");
    if (r.ok) download("report.html", r.trace, "text/html");
  });
  $("whatif-reset").addEventListener("click", () => { state.params = {}; renderWhatIf(); evaluateNow(); scheduleShare(); });
  $("share").addEventListener("click", async () => {
    const url = await updateShareLink();
    $("share-box").hidden = false;
    $("share-url").select();
    try {
      await navigator.clipboard.writeText(url);
      $("share-status").textContent = "Copied to the clipboard.";
    } catch {
      $("share-status").textContent = "Copy the link above.";
    }
  });
  $("reset").addEventListener("click", () => {
    state.edits = {};
    state.files = [];
    loadSet(state.setId);
    const first = currentSet().examples[0];
    if (first) chooseExample(first.name);
  });
  for (const f of ["html", "markdown", "text"]) $(`ex-${f}`).addEventListener("click", () => setExplainFormat(f));
  tabKeys($("tabs"), (j) => showFile(j));
  tabKeys($("explain-tabs"), (j) => setExplainFormat(["html", "markdown", "text"][j]));
  window.addEventListener("hashchange", async () => {
    const frag = location.hash.slice(1);
    if (frag === $("share-url").value.split("#")[1]) return;
    try {
      const s = await decodeState(frag);
      if (s) await applySharedState(s);
    } catch (e) {
      notice(e.message);
    }
  });

  let shared = null;
  try {
    shared = await decodeState(location.hash.slice(1));
  } catch (e) {
    notice(e.message);
  }
  if (shared) await applySharedState(shared);
  else {
    loadSet("shipped");
    const leon = currentSet().examples.find((e) => e.name.endsWith("leon.yaml")) || currentSet().examples[0];
    chooseExample(leon.name); // the explanation follows a moment later (scheduleExplain)
  }
  performance.mark("meso:ready");
  document.body.dataset.ready = "true";
}

start().catch((e) => {
  notice(`The playground could not start: ${e.message}`);
  console.error(e);
});
