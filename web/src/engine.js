// The meso engine (web/engine, compiled to WebAssembly) with its bytes inlined in the
// bundle: no fetch at run time, so the page works from file:// too.
import wasmBytes from "../build/pkg/meso_web_engine_bg.wasm";
import * as glue from "../build/pkg/meso_web_engine.js";

let ready = false;

export function initEngine() {
  if (!ready) {
    glue.initSync({ module: wasmBytes });
    ready = true;
  }
}

const filesJson = (files) => JSON.stringify(files.map((f) => ({ name: f.name, text: f.text })));
const paramsJson = (params) => JSON.stringify(params || {});

export const engine = {
  version: () => glue.version(),
  shipped: () => JSON.parse(glue.shipped()),
  check: (files) => JSON.parse(glue.check(filesJson(files))),
  format: (name, text) => JSON.parse(glue.format(name, text)),
  // `eval` in the answer is the engine's JSON text, byte for byte `meso eval --format json`.
  evaluate: (files, params, factsName, factsText) =>
    JSON.parse(glue.evaluate(filesJson(files), paramsJson(params), factsName, factsText)),
  explain: (files, params, factsName, factsText, format, onlyType = "", onlyPolicy = "") =>
    JSON.parse(
      glue.explain(filesJson(files), paramsJson(params), factsName, factsText, format, onlyType, onlyPolicy),
    ),
  schema: (files) => JSON.parse(glue.facts_schema(filesJson(files))),
  parameters: (files, params) => JSON.parse(glue.parameters(filesJson(files), paramsJson(params))),
  runTests: (files) => JSON.parse(glue.run_tests(filesJson(files))),
};
