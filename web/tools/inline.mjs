// Put a page's style and script inside its HTML (one file, works from file://).
// Usage: node tools/inline.mjs page.html style.css script.js out.html
import { readFileSync, writeFileSync } from "node:fs";

const [page, style, script, out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node tools/inline.mjs page.html style.css script.js out.html");
  process.exit(2);
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
html = html.replace("<!--SCRIPT-->", () => `<script>${js}</script>`);
writeFileSync(out, html);
