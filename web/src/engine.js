// The meso engine (web/engine, compiled to WebAssembly). Its bytes are inlined in the page
// by tools/inline.mjs as the string `__MESO_WASM__`, one character per byte (byte + 1,
// modulo 256): no fetch at run time, so the page works from file:// too, and the page
// gzips to about the size of the gzipped wasm (base64 would add a third).
import * as glue from "../build/pkg/meso_web_engine.js";

let ready = false;

function wasmBytes() {
  const s = globalThis.__MESO_WASM__;
  if (typeof s !== "string") {
    throw new Error("the engine is missing from the page: build the page with web/build.sh");
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = (s.charCodeAt(i) - 1) & 0xff;
  return out;
}

export function initEngine() {
  if (!ready) {
    glue.initSync({ module: wasmBytes() });
    globalThis.__MESO_WASM__ = undefined;
    ready = true;
  }
}

// The rule files as JSON, made again only when a name or text changed: the engine compares
// this text with the one it loaded last, so an unchanged rule set costs no re-reading.
let memo = { names: [], texts: [], json: "[]" };
function filesJson(files) {
  const same = files.length === memo.texts.length
    && files.every((f, i) => f.text === memo.texts[i] && f.name === memo.names[i]);
  if (!same) {
    memo = {
      names: files.map((f) => f.name),
      texts: files.map((f) => f.text),
      json: JSON.stringify(files.map((f) => ({ name: f.name, text: f.text }))),
    };
  }
  return memo.json;
}
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
