// The Equations panel: the default ellipse's relations read as polynomials in the data's
// own coordinates, final at Done, beside the data-only baseline; copy as text and LaTeX;
// the relations file carries them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test("the default ellipse's panel shows both its equations at Done, and they travel", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?backend=cpu`);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId("equations").innerText(), /Read once a relation is kept/);
  await page.getByTestId("play").click();
  await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
  const generators = page.getByTestId("generator");
  await generators.nth(1).waitFor({ timeout: 60_000 });
  const texts = await generators.evaluateAll((lis) => lis.map((li) => li.dataset.text));
  assert.deepEqual(texts, ["y - 2*z - 1 = 0", "x^2 + 2*z^2 + 4*z = 0"]);
  // Typeset: italic variables, raised exponents.
  assert.ok(await generators.nth(1).locator("sup").count() >= 2, "exponents are raised");
  const head = await page.getByTestId("equations-head").innerText();
  assert.match(head, /^degree ≤ 2: 2 generator\(s\) for 2 relation\(s\), explaining 2 of the 2/, head);
  assert.match(await generators.nth(0).getAttribute("title"), /residual .* confidence/);
  assert.match(await page.getByTestId("baseline").innerText(), /From the data alone: 2 generator/);

  await page.getByRole("button", { name: "Copy as LaTeX" }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "y - 2 z - 1 = 0\nx^{2} + 2 z^{2} + 4 z = 0");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-relations").click()]);
  const file = JSON.parse(await readFile(await download.path(), "utf8"));
  assert.deepEqual(file.equations.generators.map((g) => g.text), texts);
  assert.deepEqual(Object.keys(file.equations), ["degree", "variables", "generators", "baseline"]);
  assert.deepEqual(file.equations.variables, ["x", "y", "z"]);
  assert.deepEqual(file.equations.generators[0].terms[0], { coefficient: 1, exponents: [0, 1, 0] });
  assert.ok(file.equations.baseline.method.length > 10);
  await page.getByTestId("equations").scrollIntoViewIfNeeded();
  await screenshot(page, "equations-ellipse");
  assert.deepEqual(problems, []);
});
