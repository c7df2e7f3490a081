// Shared by the page tests: a static server for the built site (scripts/site) on 127.0.0.1 and a
// headless Debian Chromium with real WebGPU (SwiftShader) and no network chatter.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

export const DIST = process.env.AML_DIST ?? new URL("../dist", import.meta.url).pathname;
export const ARTIFACTS = new URL("./artifacts", import.meta.url).pathname;

const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
};

// `prefix` serves the site under a subpath, as a static host would (anything outside it is
// a 404); `precompressed` answers with the .br or .gz copy the browser accepts, as hosts
// that serve precompressed files do; `throttle` sends the wasm module slowly, in chunks.
export async function serveDist({ prefix = "/", precompressed = false, throttle = false } = {}) {
  const server = createServer(async (req, res) => {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!url.startsWith(prefix)) return res.writeHead(404).end("not found");
    const path = normalize(`/${url.slice(prefix.length)}`);
    const file = join(DIST, path.endsWith("/") ? `${path}index.html` : path);
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    const accepted = req.headers["accept-encoding"] ?? "";
    const encoding = !precompressed ? null : /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : null;
    try {
      if (encoding) {
        const body = await readFile(`${file}.${encoding === "br" ? "br" : "gz"}`);
        res.writeHead(200, { "content-type": type, "content-encoding": encoding, "content-length": body.length });
        return res.end(body);
      }
      const body = await readFile(file);
      res.writeHead(200, { "content-type": type, "content-length": body.length });
      if (!(throttle && file.endsWith(".wasm"))) return res.end(body);
      for (let at = 0; at < body.length; at += 256 * 1024) {
        res.write(body.subarray(at, at + 256 * 1024));
        await new Promise((ok) => setTimeout(ok, 50));
      }
      res.end();
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}${prefix}`, close: () => server.close() };
}

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-quic", "--no-first-run",
  "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader",
];

// `extraArgs`: more Chromium flags (e2e/profile-worker.mjs adds V8's profiler).
export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

// Opens a page that records every console error and uncaught exception (panics included),
// and, apart, the console's warnings.
// `init` runs in the page before any of its scripts.
export async function openPage(browser, url, { viewport = { width: 1400, height: 1000 }, init, javaScriptEnabled = true } = {}) {
  const page = await browser.newPage({ viewport, javaScriptEnabled });
  if (init) await page.addInitScript(init);
  const problems = [];
  const warnings = [];
  page.on("console", (m) => {
    if (m.type() === "warning") warnings.push(m.text());
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
    if (/panicked/.test(m.text())) problems.push(`panic: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url);
  return { page, problems, warnings };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
