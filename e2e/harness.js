// Shared by the page tests: a static server for the trunk build on 127.0.0.1 and a
// headless Debian Chromium with real WebGPU (SwiftShader) and no network chatter.
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const DIST = process.env.AML_DIST ?? new URL("../dist", import.meta.url).pathname;
export const ARTIFACTS = new URL("./artifacts", import.meta.url).pathname;

const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
};

export async function serveDist() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(DIST, path.endsWith("/") ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--disable-quic", "--no-first-run",
  "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader",
];

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

// Opens a page that records every console error and uncaught exception (panics included).
// `init` runs in the page before any of its scripts.
export async function openPage(browser, url, { viewport = { width: 1400, height: 1000 }, init } = {}) {
  const page = await browser.newPage({ viewport });
  if (init) await page.addInitScript(init);
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
    if (/panicked/.test(m.text())) problems.push(`panic: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(url);
  return { page, problems };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
