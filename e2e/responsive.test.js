// The page stays usable while it works: training reports progress and pauses when asked,
// and the largest allowed data set loads without hanging the tab. Timings themselves
// are benchmarks (e2e/speed.mjs); the bounds here are loose enough for a loaded machine.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const status = (page) => page.getByTestId("status").innerText();

test("while training, the status keeps moving and Pause takes effect promptly", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=ellipse&steps=5000&stop=steps&backend=cpu`);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  await page.getByTestId("play").click();
  await page.getByTestId("status").filter({ hasText: /fit step/ }).waitFor({ timeout: 60_000 });
  const seen = new Set();
  for (let i = 0; i < 10; i++) {
    seen.add(await status(page));
    await page.waitForTimeout(200);
  }
  assert.ok(seen.size >= 3, `the status updates during training: ${[...seen].join(" | ")}`);
  const asked = Date.now();
  await page.getByTestId("play").click();
  await page.getByTestId("play").filter({ hasText: "Train" }).waitFor({ timeout: 5_000 });
  console.log(`the page showed the pause after ${Date.now() - asked} ms`);
  await page.waitForTimeout(500); // the slice in flight when Pause arrived may still report
  const paused = await status(page);
  await page.waitForTimeout(1_000);
  assert.equal(await status(page), paused, "no steps after Pause");
  assert.deepEqual(problems, []);
});

test("the progress bar never moves back, also when a loose fit is given more steps", async () => {
  // With 150 steps early stopping cannot decide, so the ellipse's g1 is still loose when
  // they run out and stop=tighten gives it 100 more: its share done drops from 150/150 to
  // 150/250, which once moved the bar back.
  const { page, problems } = await openPage(browser, `${server.url}?m=ellipse&steps=150&backend=cpu`);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  await page.evaluate(() => {
    window.seen = { widths: [], statuses: [] };
    const bar = document.querySelector(".progress .bar");
    const status = document.querySelector("[data-testid=status]");
    new MutationObserver(() => window.seen.widths.push(parseFloat(bar.style.width))).observe(bar, { attributes: true });
    new MutationObserver(() => window.seen.statuses.push(status.innerText)).observe(status, { childList: true, subtree: true, characterData: true });
  });
  await page.getByTestId("play").click();
  await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
  const { widths, statuses } = await page.evaluate(() => window.seen);
  assert.ok(statuses.some((s) => /fit step \d+\/250/.test(s)), `a fit was given more steps: ${statuses.slice(0, 8).join(" | ")}`);
  const back = widths.findIndex((w, i) => i > 0 && w < widths[i - 1] - 1e-9);
  assert.equal(back, -1, `the bar moved back at update ${back}: ${widths.join(", ")}`);
  assert.equal(widths.at(-1), 100);
  assert.deepEqual(problems, []);
});

test("the largest allowed data set loads and the page answers meanwhile", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=ellipse&n=50000&backend=cpu`);
  // While the worker samples, the page's own controls work at once.
  await page.getByTestId("status").filter({ hasText: /50000 points/ }).waitFor({ timeout: 120_000 });
  await page.locator("[data-field=seed]").fill("7");
  await page.locator("[data-field=seed]").press("Enter");
  await page.waitForFunction(() => location.search.includes("seed=7"), null, { timeout: 5_000 });
  // Brute-force distances made this take 206 s; the k-d tree makes it seconds.
  await page.getByTestId("status").filter({ hasText: /^Ready: 50000 points/ }).waitFor({ timeout: 120_000 });
  await page.locator("[data-field=alg]").selectOption("syzygy");
  await page.waitForFunction(() => location.search.includes("alg=syzygy"), null, { timeout: 60_000 });
  await screenshot(page, "largest-link");
  assert.deepEqual(problems, []);
});

test("Reset cancels a single long step", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?hidden=256-256-256-256&batch=8192&backend=cpu`);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  await page.getByRole("button", { name: "Step" }).click();
  await page.waitForTimeout(1_000); // the worker is inside the step now
  await page.getByRole("button", { name: "Reset" }).click();
  // The busy worker is replaced; the fresh run is ready long before the step would end.
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 60_000 });
  // Playwright learns of a terminated worker through an event that lags under load.
  for (let i = 0; i < 50 && page.workers().length > 1; i++) await page.waitForTimeout(200);
  assert.equal(page.workers().length, 1, "the old worker is gone");
  assert.equal(await page.getByTestId("play").innerText(), "▶ Train");
  assert.deepEqual(problems, []);
});
