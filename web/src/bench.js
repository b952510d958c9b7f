// Benchmark page (web/dist/bench.html): the cost of one keystroke in the playground,
// re-check + re-evaluate of the shipped rule set on one cluster, with performance.now.
import { engine, initEngine } from "./engine.js";

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median_ms: +q(0.5).toFixed(3), p95_ms: +q(0.95).toFixed(3), max_ms: +s[s.length - 1].toFixed(3) };
}

function run() {
  const t0 = performance.now();
  initEngine();
  const init = performance.now() - t0;
  const set = engine.shipped()[0];
  const files = set.files.map((f) => ({ ...f }));
  const ex = set.examples.find((e) => e.name.endsWith("leon.yaml")) || set.examples[0];
  const target = files.findIndex((f) => f.name === "types.meso");
  const base = files[target].text;
  const rounds = Number(new URLSearchParams(location.search).get("rounds") || 200);
  const check = [];
  const evaluate = [];
  const both = [];
  let classification = null;
  for (let i = 0; i < rounds + 10; i++) {
    files[target] = { name: "types.meso", text: `# keystroke ${i}\n${base}` };
    const a = performance.now();
    const c = engine.check(files);
    const b = performance.now();
    const r = engine.evaluate(files, {}, ex.name, ex.text);
    const e = performance.now();
    if (!c.ok || !r.ok) throw new Error("the shipped rules or example did not load");
    classification = JSON.parse(r.eval).classification;
    if (i >= 10) { // the first rounds warm up
      check.push(b - a);
      evaluate.push(e - b);
      both.push(e - a);
    }
  }
  // Facts keystroke: the rules are unchanged (cached), only the facts are re-read.
  const factsOnly = [];
  for (let i = 0; i < rounds; i++) {
    const a = performance.now();
    engine.evaluate(files, {}, ex.name, `${ex.text}\n# ${i}\n`);
    factsOnly.push(performance.now() - a);
  }
  const result = {
    example: ex.name, classification, engine_init_ms: +init.toFixed(1),
    rules_keystroke_check_plus_evaluate: stats(both), check: stats(check), evaluate: stats(evaluate),
    facts_keystroke_evaluate: stats(factsOnly), user_agent: navigator.userAgent,
  };
  document.getElementById("result").textContent = JSON.stringify(result, null, 2);
  window.__benchResult = result;
}

try {
  run();
} catch (e) {
  document.getElementById("result").textContent = `error: ${e.message}`;
  window.__benchResult = { error: e.message };
}
