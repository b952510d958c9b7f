// Put a page's style, script and engine inside its HTML (one file, works from file://).
// Usage: node tools/inline.mjs page.html style.css script.js engine.wasm out.html
//
// The engine's bytes become a JS string, one character per byte: byte b is the character
// (b + 1) mod 256 (so the many zero bytes of a wasm file are U+0001, not an escape), with
// the characters that cannot stand in a <script> string escaped (NUL, CR, LF, ", \, <).
// Gzipped, that costs about what the gzipped wasm does; base64 would add about 40%.
import { readFileSync, writeFileSync } from "node:fs";

const [page, style, script, wasm, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node tools/inline.mjs page.html style.css script.js engine.wasm out.html");
  process.exit(2);
}

function wasmString(bytes) {
  const escapes = { 0x00: "\\x00", 0x0a: "\\n", 0x0d: "\\r", 0x22: '\\"', 0x3c: "\\x3c", 0x5c: "\\\\" };
  const parts = [];
  let run = [];
  for (const b of bytes) {
    const c = (b + 1) & 0xff;
    const e = escapes[c];
    if (e) {
      if (run.length) parts.push(String.fromCharCode(...run));
      run = [];
      parts.push(e);
    } else {
      run.push(c);
      if (run.length === 4096) {
        parts.push(String.fromCharCode(...run));
        run = [];
      }
    }
  }
  if (run.length) parts.push(String.fromCharCode(...run));
  return parts.join("");
}
let html = readFileSync(page, "utf8");
const css = readFileSync(style, "utf8");
// A script may not contain "</script" inside an inline <script> element.
const js = readFileSync(script, "utf8").replace(/<\/script/gi, "<\\/script");
for (const marker of ["<!--STYLE-->", "<!--SCRIPT-->"]) {
  if (!html.includes(marker)) {
    console.error(`${page}: the marker ${marker} is missing`);
    process.exit(1);
  }
}
html = html.replace("<!--STYLE-->", () => `<style>${css}</style>`);
const engine = `<script>var __MESO_WASM__="${wasmString(readFileSync(wasm))}";</script>`;
html = html.replace("<!--SCRIPT-->", () => `${engine}\n<script>${js}</script>`);
writeFileSync(out, html);
