// The page loads, times a few training steps on the CPU and on WebGPU (SwiftShader here)
// and takes the faster, runs a burn computation on it, and the console stays clean.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test("the backend is chosen on merit: a software WebGPU adapter loses to the CPU", async () => {
  const { page, problems } = await openPage(browser, server.url);
  const name = page.getByTestId("backend-name");
  await name.waitFor({ timeout: 240_000 });
  const rates = await page.getByTestId("calibration").innerText();
  assert.match(rates, /CPU [0-9]+ steps\/s, WebGPU /, rates);
  assert.match(await name.innerText(), /^CPU/, `SwiftShader must not win: ${rates}`);
  assert.match(await page.getByTestId("backend").innerText(), /trains faster here/);
  await screenshot(page, "smoke-default");
  assert.deepEqual(problems, []);
});

test("backend=gpu runs on WebGPU with a clean console", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?backend=gpu`);
  const name = page.getByTestId("backend-name");
  await name.waitFor({ timeout: 240_000 });
  assert.match(await name.innerText(), /^WebGPU: /);
  const check = await page.getByTestId("self-test").innerText();
  // "max error 1.2e-7." : the number, not the sentence's full stop.
  const error = Number(check.match(/max error (\d+(?:\.\d+)?(?:e[+-]?\d+)?)/)[1]);
  assert.ok(error < 1e-3, `self-test error ${error}`);
  await screenshot(page, "smoke-webgpu");
  assert.deepEqual(problems, []);
});

test("backend=cpu uses the CPU fallback and says so", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?backend=cpu`);
  const name = page.getByTestId("backend-name");
  await name.waitFor({ timeout: 120_000 });
  assert.match(await name.innerText(), /CPU/);
  assert.match(await page.getByTestId("backend").innerText(), /Using the CPU: CPU chosen in the link/);
  assert.deepEqual(problems, []);
});
