// Faults a person cannot cause on purpose but will meet: the GPU device is lost in the
// middle of training. The run moves to the CPU and keeps every relation it has.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

// The training worker keeps its GPUDevices in `self.gpuDevices` (see runner.rs); destroying
// them is exactly what WebGPU reports as a lost device.
const destroyGpuDevices = (worker) => worker.evaluate(() => {
  self.gpuDevices.forEach((d) => d.destroy());
  return self.gpuDevices.length;
});

test("a lost WebGPU device moves training to the CPU and the run goes on", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=gpu`);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId("backend-name").innerText(), /^WebGPU/);

  // Lost while g1 trains (an imported g1 would leave nothing to learn in R^2: the next
  // test keeps one across the loss after "+ Add relation").
  await page.getByTestId("play").click();
  await page.getByTestId("status").filter({ hasText: /^Training g1/ }).waitFor({ timeout: 120_000 });

  assert.equal(page.workers().length, 1, "one training worker");
  assert.ok(await destroyGpuDevices(page.workers()[0]) >= 1);
  await page.getByTestId("backend").filter({ hasText: /GPU device was lost/ }).waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("backend-name").innerText(), /^CPU/);

  await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
  const rows = await page.locator("[data-testid=relations] tbody tr").allInnerTexts();
  assert.match(rows[0], /^g1.*independent: kept/, rows.join("\n"));
  assert.equal(await page.getByTestId("dimension").innerText(), "Estimated dimension: 1 (in R^2)");
  assert.equal(await page.getByTestId("error").count(), 0, "the failed GPU read is not shown as an error");
  await screenshot(page, "gpu-lost");
  assert.deepEqual(problems, []);
});

test("after + Add relation, a lost WebGPU device resumes with the raised relation limit", async () => {
  // The circle's g1, from a file whose link has no cap: in R^2 a run looks for N − 1 = 1
  // relation, so after the import the run is done and only "+ Add relation" goes on.
  const file = JSON.parse(await readFile(new URL("./fixtures/circle-g1.json", import.meta.url), "utf8"));
  file.config = file.config.replace(/^v=1&/, "v=4&").replace(/&rel=1/, "");
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=gpu`);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  await page.getByTestId("import-relations").setInputFiles({ name: "circle-g1.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
  await page.getByTestId("status").filter({ hasText: /^From circle-g1\.json: relation 1 kept/ }).waitFor({ timeout: 120_000 });
  const add = page.getByTestId("add-relation");
  await page.waitForFunction(() => !document.querySelector("[data-testid=add-relation]").disabled, null, { timeout: 30_000 });
  await add.click();
  await page.getByTestId("status").filter({ hasText: /^Training g2/ }).waitFor({ timeout: 120_000 });

  assert.ok(await destroyGpuDevices(page.workers()[0]) >= 1);
  await page.getByTestId("backend").filter({ hasText: /GPU device was lost/ }).waitFor({ timeout: 30_000 });
  // Resumed from the configuration the worker runs (limit 2), not the one it was reset with
  // (limit 1, which would end the resumed run at once with g2 never trained).
  await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
  const rows = await page.locator("[data-testid=relations] tbody tr").allInnerTexts();
  assert.equal(rows.length, 2, rows.join("\n"));
  assert.match(rows[1], /^g2.*not kept/, rows.join("\n"));
  assert.deepEqual(problems, []);
});
