// Shared by the playground's tests: paths, the meso CLI, a static server for web/dist,
// and headless Debian Chromium (playwright-core) with the flags these machines need.
import { createServer } from "node:http";
import { readFile, mkdtemp } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(WEB, "..");
export const DIST = path.join(WEB, "dist");
export const RESULTS = path.join(WEB, "test-results");

// The meso CLI to compare with: $MESO_BIN, else target/{debug,release}/meso of the repo
// (or of $CARGO_TARGET_DIR).
export function mesoBin() {
  const candidates = [process.env.MESO_BIN];
  for (const dir of [process.env.CARGO_TARGET_DIR, path.join(ROOT, "target")]) {
    if (dir) candidates.push(path.join(dir, "debug", "meso"), path.join(dir, "release", "meso"));
  }
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) {
    throw new Error("no meso binary: build it with `cargo build --bin meso` or set MESO_BIN");
  }
  return found;
}

export function meso(args) {
  return execFileSync(mesoBin(), args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
}

// The CLI's eval JSON for an example path (relative to the repo root, as the engine names it).
export function cliEval(example, rulesDir) {
  const args = ["eval", example, "--format", "json"];
  if (rulesDir && rulesDir !== "rules") args.push("-r", rulesDir);
  return meso(args);
}

export async function serveDist() {
  const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm" };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const rel = decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname);
    const file = path.join(DIST, path.normalize(rel));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: install it with \`apt-get install -y chromium\` (or set CHROMIUM)`);
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), "meso-web-chromium-"));
  const flags = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: flags,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  return context;
}

// A page that records console errors and uncaught exceptions.
export async function openPage(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  return { page, errors };
}
