// The static site scripts/site builds: small, precompressed, relative, and it works from a
// subpath of a plain static file server (not trunk), loading visibly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { serveDist, launch, openPage, screenshot, DIST } from "./harness.js";

// The wasm module's download, gzip -9: at most 3 MB (it was 5.34 MB; README, "A static site").
const WASM_GZIP_BUDGET = 3_000_000;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const files = readdirSync(DIST);
const wasm = files.find((f) => f.endsWith("_bg.wasm"));

test("the module is within its size budget and carries no names section", () => {
  assert.ok(wasm, `no module in ${DIST}: ${files}`);
  const gzip = readFileSync(join(DIST, `${wasm}.gz`)).length;
  assert.ok(gzip <= WASM_GZIP_BUDGET, `${wasm}.gz is ${gzip} bytes, over the ${WASM_GZIP_BUDGET} budget`);
  assert.ok(!readFileSync(join(DIST, wasm)).includes("\u0004name"), "the name section is still there");
});

test("every asset has .gz and .br copies holding the same bytes", () => {
  const assets = files.filter((f) => /\.(wasm|js|css|html|svg)$/.test(f));
  assert.ok(assets.length >= 5, `assets: ${assets}`);
  for (const f of assets) {
    const body = readFileSync(join(DIST, f));
    assert.ok(gunzipSync(readFileSync(join(DIST, `${f}.gz`))).equals(body), `${f}.gz`);
    assert.ok(brotliDecompressSync(readFileSync(join(DIST, `${f}.br`))).equals(body), `${f}.br`);
  }
});

test("index.html names its assets by relative paths and gives the loader the module's size", () => {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  assert.doesNotMatch(html, /(href|src)="\//, "an absolute asset path");
  assert.doesNotMatch(html, /from '\//, "an absolute module import");
  const size = Number(html.match(new RegExp(`'\\./${wasm}', ([0-9]+),`))?.[1]);
  assert.equal(size, readFileSync(join(DIST, wasm)).length, "the progress bar's total");
});

test("served from a subpath, precompressed, it loads, trains on the CPU and keeps a clean console", async () => {
  const server = await serveDist({ prefix: "/some/path/", precompressed: true });
  try {
    const { page, problems, warnings } = await openPage(browser, `${server.url}?m=circle&backend=cpu&seed=3`);
    await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
    assert.equal(await page.locator("#loading").count(), 0, "the loading notice is gone");
    await page.getByRole("button", { name: /^Step/ }).click();
    await page.getByTestId("status").filter({ hasText: /step [1-9]/ }).waitFor({ timeout: 60_000 });
    assert.match(page.url(), /\/some\/path\/\?/, "the link stays under the subpath");
    await screenshot(page, "site-subpath");
    assert.deepEqual(problems, []);
    assert.deepEqual(warnings, []);
  } finally {
    server.close();
  }
});

test("while the module downloads, the page says what it is and how much has arrived", async () => {
  const server = await serveDist({ throttle: true });
  try {
    const { page, problems } = await openPage(browser, `${server.url}?backend=cpu`);
    const text = page.locator("#loading-text");
    await text.filter({ hasText: /Downloading the playground: [0-9.]+ of [0-9.]+ MB/ }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator("#loading h1").innerText(), /AML Playground/);
    const [got, total] = (await text.innerText()).match(/([0-9.]+) of ([0-9.]+)/).slice(1).map(Number);
    assert.ok(got <= total && total > 1, `${got} of ${total} MB`);
    await screenshot(page, "site-loading");
    await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
    assert.deepEqual(problems, []);
  } finally {
    server.close();
  }
});

test("without WebAssembly or JavaScript the page says what it needs", async () => {
  const server = await serveDist();
  try {
    const { page } = await openPage(browser, server.url, { init: () => { delete globalThis.WebAssembly; } });
    await page.locator("#loading-text").filter({ hasText: /needs WebAssembly/ }).waitFor({ timeout: 10_000 });
    await screenshot(page, "site-no-wasm");
    const off = await openPage(browser, server.url, { javaScriptEnabled: false });
    assert.match(await off.page.locator("#loading").innerText(), /needs JavaScript/);
  } finally {
    server.close();
  }
});
