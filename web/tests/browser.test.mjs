// The playground in headless Debian Chromium (playwright-core), served from web/dist by a
// local static server, and once from file://.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as yaml from "js-yaml";
import { DIST, RESULTS, ROOT, cliEval, meso, serveDist, launchChromium, openPage } from "./helpers.mjs";

let server;
let context;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  server = await serveDist();
  context = await launchChromium();
});

after(async () => {
  await context?.close();
  await server?.close();
});

const tab = (page, name) => page.locator("#tabs [role=tab]").filter({ hasText: new RegExp(`^${name.replace(/\./g, "\\.")}\\d*$`) });
const classification = (page) => page.locator("#classification-name").getAttribute("data-type");

async function chooseExample(page, name) {
  await page.selectOption("#example", name);
  await page.waitForFunction((n) => window.__meso.state.example === n, name);
}

test("the site is one file that loads nothing else, under 1 MB gzipped", () => {
  const html = readFileSync(path.join(DIST, "index.html"));
  const text = html.toString("utf8").replace(/<script>[\s\S]*?<\/script>/g, "");
  const refs = [...text.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((u) => !u.startsWith("data:") && !u.startsWith("#"));
  assert.deepEqual(refs, []);
  assert.ok(gzipSync(html, { level: 9 }).length < 1_000_000, "first load under 1 MB gzipped (docs/performance.md)");
});

test("the page loads with the shipped rules and León, with no console errors", async () => {
  const { page, errors } = await openPage(context, server.url);
  assert.equal(await classification(page), "mass_production_cluster");
  // One tab per file of the shipped rule set, whatever their number.
  const shipped = readdirSync(new URL("../../rules/", import.meta.url)).filter((f) => f.endsWith(".meso")).length;
  assert.equal(await page.locator("#tabs [role=tab]").count(), shipped);
  assert.equal(await page.locator("#diag-count").textContent(), "none");
  assert.ok((await page.locator("#facts-form .frow").count()) >= 29);
  // the HTML report of the explanation arrives
  await page.waitForFunction(() => document.querySelector("#explain-box iframe")?.srcdoc.includes("mass_production_cluster"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("a provisional classification (the `provisional` object of the eval JSON) shows as provisional", async () => {
  const { page, errors } = await openPage(context, server.url);
  const shown = await page.evaluate(() => {
    const j = JSON.parse(window.__meso.lastEval().text);
    j.classification = null;
    j.classification_label = null;
    j.provisional = {
      type: "survival_cluster", label: "Survival cluster", score: 0.5, score_max: 1,
      explanation: "survival_cluster leads; employment would settle it",
      deciding: [], unknown_facts: ["employment"], alternatives: ["mass_production_cluster"], policies: [],
    };
    window.__meso.renderVerdict(j);
    return {
      badge: document.querySelector("#classification .badge").textContent,
      name: document.querySelector("#classification-name").dataset.provisional,
      body: document.querySelector("#verdict-body").textContent,
    };
  });
  assert.equal(shown.badge, "provisional");
  assert.equal(shown.name, "survival_cluster");
  assert.match(shown.body, /employment would settle it/);
  assert.match(shown.body, /Still possible: mass_production_cluster/);
  assert.equal(await page.locator("#classification .badge").textContent(), "provisional");
  assert.deepEqual(errors, []);
  await page.close();
});

test("moving a threshold changes an example's classification, and the table says which", async () => {
  const { page, errors } = await openPage(context, server.url);
  await chooseExample(page, "examples/facts/leon.yaml");
  assert.equal(await classification(page), "mass_production_cluster");
  // León has 3,000 firms (est.): a sizable agglomeration by its firms whatever the jobs asked for.
  const slider = page.locator("#param-min_cluster_employment");
  await slider.focus();
  await slider.fill("2000"); // largest value of the slider: 4 x 500
  await page.waitForFunction(() => window.__meso.state.params.min_cluster_employment === "2000");
  assert.equal(await classification(page), "mass_production_cluster", "70,000 jobs is still above 2,000");
  await page.click('.prow[data-param="min_cluster_employment"] button');
  await page.waitForFunction(() => !("min_cluster_employment" in window.__meso.state.params));
  // Sarchí changes type when "almost exclusively micro and small firms" is read as 97%
  // (its share is 96%, est.).
  await chooseExample(page, "examples/facts/sarchi.yaml");
  const before = cliEval("examples/facts/sarchi.yaml");
  const withParam = meso(["eval", "examples/facts/sarchi.yaml", "--format", "json", "--param", "survival_min_share_micro_small=97%"]);
  const share = page.locator("#param-survival_min_share_micro_small");
  await share.focus();
  await share.fill("97");
  await page.waitForFunction(() => window.__meso.state.params.survival_min_share_micro_small === "97%");
  assert.notEqual(JSON.parse(before).classification, JSON.parse(withParam).classification);
  assert.equal(await classification(page), JSON.parse(withParam).classification ?? "");
  assert.equal((await page.evaluate(() => `${window.__meso.lastEval().text}\n`)), withParam);
  const changed = page.locator('#examples-table tr.changed[data-example="examples/facts/sarchi.yaml"]');
  await changed.waitFor();
  assert.match(await changed.textContent(), /changed/);
  // The reset button puts it back to the declared value.
  await page.click('.prow[data-param="survival_min_share_micro_small"] button');
  await page.waitForFunction(() => !("survival_min_share_micro_small" in window.__meso.state.params));
  assert.equal(await classification(page), JSON.parse(before).classification ?? "");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a misspelled fact name gets meso check's diagnostic on the right line, with the suggestion", async () => {
  const { page, errors } = await openPage(context, server.url);
  await tab(page, "types.meso").click();
  const text = readFileSync(path.join(ROOT, "rules/types.meso"), "utf8");
  const at = text.indexOf("share_micro_small");
  const line = text.slice(0, at).split("\n").length;
  // Select the fact name in the editor and type the misspelling over it.
  await page.evaluate(([from, to]) => {
    const view = window.__meso.view();
    view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
    view.focus();
  }, [at, at + "share_micro_small".length]);
  await page.keyboard.type("share_micro_smal");
  const item = page.locator('#diagnostics li[data-code="meso::check::undefined_name"]');
  await item.waitFor();
  assert.equal(await item.getAttribute("data-line"), String(line));
  assert.equal(await item.getAttribute("data-file"), "types.meso");
  assert.match(await item.textContent(), /did you mean `share_micro_small`\?/);
  // The editor underlines it, and the verdict says it is stale.
  assert.ok((await page.locator(".cm-lintRange-error").count()) >= 1);
  assert.ok(await page.locator("#verdict.stale").count());
  // Completion offers the real name.
  await page.keyboard.press("Control+Space");
  await page.locator(".cm-tooltip-autocomplete").waitFor();
  assert.match(await page.locator(".cm-tooltip-autocomplete").textContent(), /share_micro_small/);
  await page.waitForTimeout(200); // CodeMirror ignores Enter in the first moments of a completion
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#diag-count").textContent === "none");
  assert.equal(await page.locator("#verdict.stale").count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("filling in the form gives the CLI's verdict for the example", async () => {
  const { page, errors } = await openPage(context, server.url);
  const name = "examples/facts/sarchi.yaml";
  await chooseExample(page, name);
  const facts = yaml.load(readFileSync(path.join(ROOT, name), "utf8"));
  // Start from nothing, then fill every fact the example gives through the form.
  await page.fill("#facts-text", "");
  await page.waitForFunction(() => window.__meso.state.factsText === "");
  for (const [fact, value] of Object.entries(facts)) {
    const row = page.locator(`#facts-form .frow[data-fact="${fact}"]`);
    if (Array.isArray(value)) {
      await row.locator('input[data-unknown]').uncheck();
      for (const m of value) await row.locator(`input[value="${m}"]`).check();
    } else if (await row.locator("select").count()) {
      await row.locator("select").selectOption(String(value));
    } else {
      await row.locator("input[type=number], input[type=text]").fill(String(value));
    }
  }
  const text = await page.inputValue("#facts-text");
  assert.deepEqual(yaml.load(text), facts, "the YAML editor follows the form");
  assert.equal(await page.evaluate(() => `${window.__meso.lastEval().text}\n`), cliEval(name));
  // And the other way: an edit of the YAML shows in the form.
  await page.fill("#facts-text", text.replace(/^trust: .*$/m, "trust: high"));
  await page.waitForFunction(() => document.querySelector("#fact-trust").value === "high");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the share link round-trips rule edits, facts, example and what-if values", async () => {
  const { page, errors } = await openPage(context, server.url);
  await chooseExample(page, "examples/facts/gamarra.yaml");
  await tab(page, "parameters.meso").click();
  await page.evaluate(() => {
    const view = window.__meso.view();
    view.dispatch({ changes: { from: 0, insert: "# shared edit\n" } });
  });
  await page.selectOption("#fact-trust", "high");
  await page.waitForFunction(() => /^trust: high/m.test(window.__meso.state.factsText));
  await page.locator("#param-min_cluster_firms").fill("20");
  await page.waitForFunction(() => window.__meso.state.params.min_cluster_firms === "20");
  await page.click("#share");
  await page.waitForFunction(() => document.querySelector("#share-url").value.includes("#v1."));
  const url = await page.inputValue("#share-url");
  const want = await page.evaluate(() => ({
    files: window.__meso.state.files,
    facts: window.__meso.state.factsText,
    example: window.__meso.state.example,
    params: window.__meso.state.params,
    eval: `${window.__meso.lastEval().text}\n`,
  }));
  const other = await openPage(context, url);
  // The page opens on the shipped example, then applies the link and evaluates again: wait
  // for that evaluation (of the linked example) before reading it.
  await other.page.waitForFunction(
    (example) =>
      window.__meso.state.example === example &&
      window.__meso.lastEval()?.text.includes(`"facts_file": ${JSON.stringify(example)}`),
    want.example,
  );
  const got = await other.page.evaluate(() => ({
    files: window.__meso.state.files,
    facts: window.__meso.state.factsText,
    example: window.__meso.state.example,
    params: window.__meso.state.params,
    eval: `${window.__meso.lastEval().text}\n`,
  }));
  assert.deepEqual(got, want);
  assert.equal(await other.page.locator("#param-min_cluster_firms").inputValue(), "20");
  assert.match(await other.page.locator('#tabs [aria-selected="true"]').textContent(), /parameters\.meso/);
  // A damaged link says so and opens the shipped rules.
  const damaged = await openPage(context, `${server.url}#v1.AAAA`);
  assert.match(await damaged.page.locator("#notice").textContent(), /damaged/);
  assert.equal(await classification(damaged.page), "mass_production_cluster");
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
  await other.page.close();
  await damaged.page.close();
  await page.close();
});

test("the rule files' tests run with one button, as meso test", async () => {
  const { page, errors } = await openPage(context, server.url);
  await page.click("#run-tests");
  const summary = meso(["test", "rules"]).trim().split("\n").pop();
  assert.equal(await page.locator("#tests-summary").textContent(), summary);
  // The other rule set.
  await page.selectOption("#ruleset", "suzigan");
  await page.waitForFunction(() => window.__meso.state.setId === "suzigan");
  await page.click("#run-tests");
  assert.equal(await page.locator("#tests-summary").textContent(), meso(["test", "examples/rulesets/suzigan"]).trim().split("\n").pop());
  const ex = await page.evaluate(() => window.__meso.state.example);
  assert.match(ex, /^examples\/rulesets\/suzigan\/facts\//);
  assert.equal(await page.evaluate(() => `${window.__meso.lastEval().text}\n`), cliEval(ex, "examples/rulesets/suzigan"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("downloads: the verdict is the CLI's JSON file, the rule files a zip, the report HTML", async () => {
  const { page, errors } = await openPage(context, server.url);
  const save = async (button) => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    const file = await download.path();
    return { name: download.suggestedFilename(), bytes: readFileSync(file) };
  };
  const verdict = await save("#dl-eval");
  assert.equal(verdict.name, "verdict.json");
  assert.equal(verdict.bytes.toString("utf8"), cliEval("examples/facts/leon.yaml"));
  const zip = await save("#dl-rules");
  assert.equal(zip.name, "shipped-rules.zip");
  assert.equal(zip.bytes.subarray(0, 2).toString("latin1"), "PK");
  assert.ok(zip.bytes.includes(Buffer.from(readFileSync(path.join(ROOT, "rules/types.meso")))));
  const report = await save("#dl-report");
  assert.match(report.bytes.toString("utf8"), /^<!DOCTYPE html>/);
  const trace = await save("#dl-trace");
  assert.equal(JSON.parse(trace.bytes.toString("utf8")).facts?.file ?? "examples/facts/leon.yaml", "examples/facts/leon.yaml");
  const facts = await save("#dl-facts");
  assert.equal(facts.name, "leon.yaml");
  assert.equal(facts.bytes.toString("utf8"), readFileSync(path.join(ROOT, "examples/facts/leon.yaml"), "utf8"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("keyboard: tabs move with the arrow keys, the Format button formats", async () => {
  const { page, errors } = await openPage(context, server.url);
  await page.focus("#tab-0");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-1");
  assert.equal(await page.evaluate(() => window.__meso.state.active), 1);
  await page.evaluate(() => {
    const view = window.__meso.view();
    view.dispatch({ changes: { from: 0, insert: "fact   extra_fact:count{description \"x\"}\n" } });
  });
  await page.click("#format");
  const first = await page.evaluate(() => window.__meso.view().state.doc.toString().split("\n").slice(0, 3).join("\n"));
  assert.equal(first, 'fact extra_fact: count {\n  description "x"\n}');
  assert.deepEqual(errors, []);
  await page.close();
});

test("screenshots at 390, 1280 and 1440 px, and the page from file://", async () => {
  for (const width of [390, 1280, 1440]) {
    const { page, errors } = await openPage(context, server.url);
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling at ${width} px (overflow ${overflow})`);
    await page.screenshot({ path: path.join(RESULTS, `playground-${width}.png`) });
    await page.screenshot({ path: path.join(RESULTS, `playground-${width}-full.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  }
  const { page, errors } = await openPage(context, pathToFileURL(path.join(DIST, "index.html")).href);
  assert.equal(await classification(page), "mass_production_cluster");
  assert.deepEqual(errors, []);
  await page.close();
});
