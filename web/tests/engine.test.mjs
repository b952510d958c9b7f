// The engine in WebAssembly (web/build/pkg, made by web/build.sh) against the meso CLI:
// the same eval JSON, byte for byte, on every shipped example of both rule sets; the same
// diagnostics as `meso check`; the same test results as `meso test`; `meso fmt` agrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { WEB, ROOT, cliEval, meso } from "./helpers.mjs";

const glue = await import(path.join(WEB, "build/pkg/meso_web_engine.js"));
glue.initSync({ module: readFileSync(path.join(WEB, "build/pkg/meso_web_engine_bg.wasm")) });

const sets = JSON.parse(glue.shipped());
const files = (set) => JSON.stringify(set.files);

test("both rule sets and their examples are embedded", () => {
  assert.deepEqual(sets.map((s) => s.id), ["shipped", "suzigan"]);
  const shipped = sets[0];
  assert.equal(shipped.dir, "rules");
  assert.ok(shipped.examples.length >= 15, "every examples/facts/*.yaml");
  for (const s of sets) {
    for (const f of s.files) assert.equal(f.text, readFileSync(path.join(ROOT, s.dir, f.name), "utf8"));
    for (const e of s.examples) assert.equal(e.text, readFileSync(path.join(ROOT, e.name), "utf8"));
  }
});

for (const set of sets) {
  for (const example of set.examples) {
    test(`eval JSON is byte-equal to the CLI's: ${example.name}`, () => {
      const r = JSON.parse(glue.evaluate(files(set), "{}", example.name, example.text));
      assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
      // The CLI ends its output with a newline after the document.
      assert.equal(`${r.eval}\n`, cliEval(example.name, set.dir));
    });
  }
}

test("eval JSON with a parameter override is byte-equal to the CLI's --param", () => {
  const set = sets[0];
  const ex = set.examples.find((e) => e.name.endsWith("leon.yaml"));
  const r = JSON.parse(glue.evaluate(files(set), JSON.stringify({ mass_min_share_large: "5%" }), ex.name, ex.text));
  assert.equal(r.ok, true);
  const cli = meso(["eval", ex.name, "--format", "json", "--param", "mass_min_share_large=5%"]);
  assert.equal(`${r.eval}\n`, cli);
  assert.notEqual(JSON.parse(r.eval).classification, "mass_production_cluster");
});

test("a misspelled fact gives meso check's diagnostic: code, place, help", () => {
  const set = sets[0];
  const edited = set.files.map((f) => (f.name === "types.meso" ? { ...f, text: f.text.replace("share_micro_small", "share_micro_smal") } : f));
  const r = JSON.parse(glue.check(JSON.stringify(edited)));
  assert.equal(r.ok, false);
  const dir = mkdtempSync(path.join(tmpdir(), "meso-web-check-"));
  for (const f of edited) {
    mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
    writeFileSync(path.join(dir, f.name), f.text);
  }
  let cli = "";
  try {
    meso(["check", dir, "--error-format", "json"]);
  } catch (e) {
    cli = String(e.stdout) + String(e.stderr);
  }
  const cliDiags = cli.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  assert.equal(r.diagnostics.length, cliDiags.length);
  r.diagnostics.forEach((d, i) => {
    const c = cliDiags[i];
    assert.equal(d.code, c.code);
    assert.equal(d.message, c.message);
    assert.equal(d.help, c.help);
    assert.equal(d.severity, c.severity);
    assert.equal(path.join(dir, d.file), c.filename);
    assert.equal(d.labels[0].offset, c.labels[0].span.offset);
    assert.equal(d.labels[0].length, c.labels[0].span.length);
  });
  const d = r.diagnostics[0];
  assert.equal(d.code, "meso::check::undefined_name");
  assert.equal(d.help, "did you mean `share_micro_small`?");
  const types = edited.find((f) => f.name === "types.meso").text;
  assert.equal(d.line, types.slice(0, types.indexOf("share_micro_smal")).split("\n").length);
});

test("the rule files' tests give meso test's results", () => {
  for (const set of sets) {
    const r = JSON.parse(glue.run_tests(files(set)));
    assert.equal(r.ok, true);
    const cli = meso(["test", set.dir]);
    const summary = cli.trim().split("\n").pop();
    assert.equal(`${r.passed} passed, ${r.failed} failed`, summary);
    for (const t of r.tests) assert.ok(cli.includes(`test ${t.name} ... ${t.passed ? "ok" : "FAILED"}`), t.name);
  }
});

test("a failing rule-file test says which expectation failed and where", () => {
  const set = sets[0];
  const edited = set.files.map((f) => (f.name === "parameters.meso" ? { ...f, text: f.text.replace("param min_cluster_employment = 500", "param min_cluster_employment = 500000") } : f));
  const r = JSON.parse(glue.run_tests(JSON.stringify(edited)));
  assert.equal(r.ok, true);
  assert.ok(r.failed > 0);
  const failed = r.tests.find((t) => !t.passed);
  assert.match(failed.failures[0].location, /^tests-[a-z-]+\.meso:\d+:\d+$/);
  assert.match(failed.failures[0].message, /expected/);
});

test("format is meso fmt: the shipped files are already formatted, and it is idempotent", () => {
  for (const set of sets) {
    for (const f of set.files) {
      const r = JSON.parse(glue.format(f.name, f.text));
      assert.equal(r.ok, true);
      assert.equal(r.text, f.text, f.name);
    }
  }
  const messy = 'fact firms: count {description "Firms"}\n';
  const r = JSON.parse(glue.format("v.meso", messy));
  assert.equal(r.text, 'fact firms: count {\n  description "Firms"\n}\n');
  const bad = JSON.parse(glue.format("v.meso", "fact {"));
  assert.equal(bad.ok, false);
  assert.equal(bad.diagnostics[0].line, 1);
});

test("facts schema and parameters are the CLI's", () => {
  const set = sets[0];
  const r = JSON.parse(glue.facts_schema(files(set)));
  const cli = JSON.parse(meso(["schema"]));
  assert.deepEqual(r.schema.properties, cli.properties);
  const p = JSON.parse(glue.parameters(files(set), JSON.stringify({ min_cluster_firms: "50" })));
  const firms = p.parameters.find((x) => x.name === "min_cluster_firms");
  assert.equal(firms.value, 50);
  assert.equal(firms.written, "10");
  assert.equal(firms.overridden, true);
  assert.match(firms.cite, /Altenburg/);
  assert.equal(p.parameters.find((x) => x.name === "min_interfirm_linkage_ratio").written, "10%");
});

test("the explanation is meso explain's, in every format", () => {
  // The one difference: the engine's rule files are held in memory, the CLI's read from a
  // path, and the trace says where the rules came from.
  const fromPath = (t) => t.replace('"origin": "memory"', '"origin": "path"').replace(/files, memory\)/g, "files, path)").replace("</code> (memory)</td>", "</code> (path)</td>");
  for (const set of sets) {
    const ex = set.examples[0];
    for (const fmt of ["text", "json", "markdown", "html"]) {
      const r = JSON.parse(glue.explain(files(set), "{}", ex.name, ex.text, fmt, "", ""));
      assert.equal(r.ok, true);
      const cli = meso(["explain", "-r", set.dir, ex.name, "--format", fmt]);
      assert.equal(fromPath(r.trace).trimEnd(), cli.trimEnd(), `${ex.name} ${fmt}`);
    }
  }
  const set = sets[0];
  const ex = set.examples.find((e) => e.name.endsWith("leon.yaml"));
  const one = JSON.parse(glue.explain(files(set), "{}", ex.name, ex.text, "text", "survival_cluster", ""));
  const cli = meso(["explain", "-r", "rules", ex.name, "--type", "survival_cluster"]);
  assert.equal(fromPath(one.trace).trimEnd(), cli.trimEnd());
  const bad = JSON.parse(glue.explain(files(set), "{}", ex.name, ex.text, "pdf", "", ""));
  assert.equal(bad.ok, false);
  assert.match(bad.diagnostics[0].message, /unknown trace format `pdf`/);
});

test("bad input is an answer with a diagnostic, never a crash", () => {
  const r = JSON.parse(glue.check("not json"));
  assert.equal(r.ok, false);
  assert.match(r.diagnostics[0].message, /JSON list/);
  const set = sets[0];
  const f = JSON.parse(glue.evaluate(files(set), "{}", "c.yaml", "firms: [oops"));
  assert.equal(f.ok, false);
  assert.ok(f.diagnostics.length > 0);
  const p = JSON.parse(glue.evaluate(files(set), JSON.stringify({ no_such_param: "1" }), "c.yaml", "firms: 3"));
  assert.equal(p.ok, false);
  assert.ok(p.diagnostics.some((d) => /no_such_param/.test(d.message)));
});
