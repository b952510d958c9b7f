// Benchmark of the playground (numbers in docs/performance.md):
// - web/dist/bench.html in headless Chromium: re-check + re-evaluate of the shipped rule set
//   on one cluster per keystroke, with performance.now;
// - the real page: keystrokes typed into the rule editor, the page's own timing of each
//   update (re-check, re-evaluate, render of the verdict and the examples table);
// - first load: the size of web/dist/index.html, raw and gzipped, and the time until the page
//   is interactive from file://.
// Usage (after web/build.sh): node web/tests/bench.mjs [rounds]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, launchChromium, openPage } from "./helpers.mjs";

const rounds = Number(process.argv[2] || 200);
const html = readFileSync(path.join(DIST, "index.html"));
const size = { bytes: html.length, gzip_bytes: gzipSync(html, { level: 9 }).length };

const context = await launchChromium();
try {
  const bench = await context.newPage();
  await bench.goto(`${pathToFileURL(path.join(DIST, "bench.html")).href}?rounds=${rounds}`);
  await bench.waitForFunction(() => window.__benchResult, null, { timeout: 120000 });
  const engine = await bench.evaluate(() => window.__benchResult);

  const loads = [];
  for (let i = 0; i < 5; i++) {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(pathToFileURL(path.join(DIST, "index.html")).href);
    await page.waitForSelector("body[data-ready=true]");
    loads.push(Date.now() - t0);
    const nav = await page.evaluate(() => {
      const [n] = performance.getEntriesByType("navigation");
      const marks = Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]));
      return { dom_content_loaded_ms: Math.round(n.domContentLoadedEventEnd), load_ms: Math.round(n.loadEventEnd), marks };
    });
    loads[loads.length - 1] = { wall_ms_to_ready: loads[loads.length - 1], ...nav };
    await page.close();
  }

  const { page } = await openPage(context, pathToFileURL(path.join(DIST, "index.html")).href);
  await page.locator("#tabs [role=tab]").filter({ hasText: /^types\.meso\d*$/ }).click();
  await page.evaluate(() => {
    const view = window.__meso.view();
    view.dispatch({ selection: { anchor: 0 } });
    view.focus();
    window.__meso.timings.length = 0;
  });
  const keys = Math.min(rounds, 100);
  for (let i = 0; i < keys; i++) await page.keyboard.type(i % 2 ? "#" : " ");
  const typed = await page.evaluate(() => [...window.__meso.timings]);
  typed.sort((a, b) => a - b);
  const q = (p) => +typed[Math.min(typed.length - 1, Math.floor(p * typed.length))].toFixed(2);
  const pageKeystroke = { n: typed.length, median_ms: q(0.5), p95_ms: q(0.95), max_ms: q(1 - 1e-9) };
  console.log(JSON.stringify({ first_load: size, loads_from_file: loads, engine, page_rules_keystroke: pageKeystroke }, null, 2));
} finally {
  await context.close();
}
