// The playground as a person uses it: open a shared link, train, read the results;
// bad links give messages; the configuration lives in the URL.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const ready = (page) => page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });

test("a shared link trains the ellipse to two relations", async () => {
  const link = "?m=ellipse&n=1024&steps=1000&hidden=32-32&batch=256&seed=1&backend=cpu";
  const { page, problems } = await openPage(browser, server.url + link);
  await ready(page);
  await page.keyboard.press(" "); // the train/pause shortcut
  // Mid-run, what is known so far is labelled as such.
  await page.getByTestId("status").filter({ hasText: /^Training g2 of at most 2/ }).waitFor({ timeout: 300_000 });
  assert.match(await page.getByTestId("dimension").innerText(), /^Interim: 1 relation\(s\) kept so far/);
  assert.match(await page.locator(".scene-head").innerText(), /intersection so far \(interim\)/);
  await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 600_000 });
  assert.equal(await page.getByTestId("dimension").innerText(), "Estimated dimension: 1 (in R^3)");
  assert.doesNotMatch(await page.locator(".scene-head").innerText(), /interim/);
  const rows = await page.locator("[data-testid=relations] tbody tr").allInnerTexts();
  // N − 1 = 2 relations leave a curve, the least a run looks for: no third is tried.
  assert.equal(rows.length, 2, rows.join("\n"));
  assert.match(rows[0], /^g1.*independent: kept/);
  assert.match(rows[1], /^g2.*independent: kept/);
  assert.match(await page.getByTestId("fidelity-meaning").innerText(), /within 0\.05 of the true manifold/);
  const ratio = Number(rows[1].split("\t")[2]);
  assert.ok(ratio > 10, `g2 off/on ratio ${ratio}`);
  // The live metric chart was drawn (its canvas is not blank).
  const inked = await page.getByTestId("metrics").evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++;
    return n;
  });
  assert.ok(inked > 2000, `metric chart pixels drawn: ${inked}`);
  await screenshot(page, "trained-ellipse");
  assert.deepEqual(problems, []);
});

test("bad fields in a link fall back to defaults with a visible message", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=klein-bottle&n=abc&lr=-1&zzz=1&backend=cpu`);
  await ready(page);
  const messages = await page.getByTestId("messages").innerText();
  for (const needle of ["klein-bottle", "'abc'", "out of range", "zzz"]) assert.ok(messages.includes(needle), `${needle} in ${messages}`);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("m"), "ellipse");
  assert.equal(url.searchParams.get("lr"), "0.00001");
  assert.equal(url.searchParams.get("zzz"), null);
  await screenshot(page, "bad-link");
  assert.deepEqual(problems, []);
});

test("edited fields go into the URL and a reload reproduces them", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?backend=cpu`);
  await ready(page);
  await page.locator("[data-field=m]").selectOption("torus");
  assert.match(await page.locator(".hint").textContent(), /both algorithms find it/, "the torus comes with its advice");
  await page.locator("[data-field=init]").selectOption("plain");
  await page.locator("[data-field=seed]").fill("7");
  await page.locator("[data-field=seed]").press("Enter");
  await page.locator("[data-field=hidden]").fill("16-8");
  await page.locator("[data-field=hidden]").press("Enter");
  await page.waitForFunction(() => location.search.includes("hidden=16-8"));
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("m"), "torus");
  assert.equal(url.searchParams.get("seed"), "7");
  assert.equal(url.searchParams.get("init"), "plain");
  await page.reload();
  await ready(page);
  assert.equal(await page.locator("[data-field=seed]").inputValue(), "7");
  assert.equal(await page.locator("[data-field=hidden]").inputValue(), "16-8");
  assert.equal(await page.locator("[data-field=m]").inputValue(), "torus");
  assert.equal(await page.locator("[data-field=init]").inputValue(), "plain");
  assert.deepEqual(problems, []);
});
