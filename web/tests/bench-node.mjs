// The cost of one keystroke in the engine, in CPU time (process.cpuUsage), which a busy
// machine disturbs less than wall time: re-check + re-evaluate of the shipped rule set on
// one cluster, in Node's V8 (the same JavaScript and WebAssembly engine as Chromium).
// Usage (after web/build.sh): node web/tests/bench-node.mjs [rounds]
import { readFileSync } from "node:fs";
import path from "node:path";
import { WEB } from "./helpers.mjs";

const glue = await import(path.join(WEB, "build/pkg/meso_web_engine.js"));
glue.initSync({ module: readFileSync(path.join(WEB, "build/pkg/meso_web_engine_bg.wasm")) });
const rounds = Number(process.argv[2] || 200);
const set = JSON.parse(glue.shipped())[0];
const ex = set.examples.find((e) => e.name.endsWith("leon.yaml"));
const files = set.files.map((f) => ({ ...f }));
const target = files.findIndex((f) => f.name === "types.meso");
const base = files[target].text;

function measure(label, body) {
  for (let i = 0; i < 10; i++) body(i); // warm-up
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < rounds; i++) body(i + 10);
  const used = process.cpuUsage(cpu);
  return {
    label,
    cpu_ms_per_round: +((used.user + used.system) / 1000 / rounds).toFixed(2),
    wall_ms_per_round: +((performance.now() - wall) / rounds).toFixed(2),
  };
}

const results = [
  measure("rules keystroke: check + evaluate", (i) => {
    files[target] = { name: "types.meso", text: `# keystroke ${i}\n${base}` };
    const json = JSON.stringify(files);
    JSON.parse(glue.check(json));
    JSON.parse(glue.evaluate(json, "{}", ex.name, ex.text));
  }),
  measure("facts keystroke: evaluate (rules cached)", (i) => {
    glue.evaluate(JSON.stringify(files), "{}", ex.name, `${ex.text}\n# ${i}\n`);
  }),
  measure("what-if: evaluate with a new parameter value", (i) => {
    glue.evaluate(JSON.stringify(files), JSON.stringify({ min_cluster_firms: String(10 + (i % 50)) }), ex.name, ex.text);
  }),
];
console.log(JSON.stringify({ rounds, example: ex.name, node: process.version, results }, null, 2));
