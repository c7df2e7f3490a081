// Benchmark (not a test): training steps per second in the page, on WebGPU and on the
// CPU fallback, for the default network (3-64-64-1, batch 512) on the ellipse.
// Run after a trunk build:  node e2e/speed.mjs
import { serveDist, launch, openPage } from "./harness.js";

const server = await serveDist();
const browser = await launch();
for (const backend of ["gpu", "cpu"]) {
  // init=plain: the fit's steps only (a warm start would reset the step count midway).
  const link = `${server.url}?m=ellipse&steps=5000&rel=1&init=plain${backend === "cpu" ? "&backend=cpu" : ""}`;
  const { page } = await openPage(browser, link);
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
  const name = await page.getByTestId("backend-name").innerText();
  await page.getByTestId("play").click();
  const step = async () => Number((await page.getByTestId("status").innerText()).match(/step (\d+)\//)?.[1] ?? 0);
  while ((await step()) < 50) await page.waitForTimeout(200); // past kernel compilation
  const [s0, t0] = [await step(), Date.now()];
  await page.waitForTimeout(20_000);
  const [s1, t1] = [await step(), Date.now()];
  console.log(`${name}: ${((s1 - s0) / ((t1 - t0) / 1000)).toFixed(1)} steps/s (${s1 - s0} steps in ${((t1 - t0) / 1000).toFixed(1)} s)`);
  await page.close();
}
await browser.close();
server.close();
