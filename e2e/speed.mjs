// Benchmark (not a test): in the page, per backend, the time from Train to "Done" on
// default settings, the longest main-thread task while training (PerformanceObserver
// "longtask"), and the frame rate of the 3D view dragged during training.
// Run after scripts/site (the build the page ships):  node e2e/speed.mjs [cpu|gpu|all] [limit seconds]
// (AML_DIST=/other/dist measures another build, e.g. an older commit's, side by side;
// AML_CASES="m=torus m=torus&alg=syzygy" other links than the default four.)
// WebGPU here is SwiftShader, a software rasteriser: its figures prove nothing about speed.
// With gpu or all it first prints the page's calibration (both backends' steps/s).
import { serveDist, launch, openPage } from "./harness.js";

const which = process.argv[2] ?? "all";
const limit = Number(process.argv[3] ?? 240) * 1000;
const cases = process.env.AML_CASES?.split(/\s+/).filter(Boolean) ?? ["m=ellipse", "m=ellipse&alg=syzygy", "m=circle", "m=sphere"];
const longest = () => {
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: "longtask" });
};

const server = await serveDist();
const browser = await launch();
if (which !== "cpu") {
  // The page's own contest: its calibration's rates for both backends (the card's line).
  const { page } = await openPage(browser, `${server.url}?m=ellipse`, {});
  await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 240_000 });
  const rates = await page.getByTestId("calibration").innerText().catch(() => "no calibration (no WebGPU adapter)");
  console.log(`${(await page.getByTestId("backend-name").innerText()).padEnd(36)} ${rates}`);
  await page.close();
}
for (const backend of which === "all" ? ["cpu", "gpu"] : [which]) {
  for (const c of cases) {
    const link = `${server.url}?${c}&backend=${backend}`;
    const { page } = await openPage(browser, link, { init: longest });
    const status = page.getByTestId("status");
    await status.filter({ hasText: /^Ready/ }).waitFor({ timeout: 240_000 });
    const name = await page.getByTestId("backend-name").innerText();
    await page.evaluate(() => { window.__longest = 0; });
    const t0 = Date.now();
    await page.getByTestId("play").click();
    // Drag the view for ~2 s while it trains; count the frames the page paints meanwhile.
    await page.waitForTimeout(1_000);
    await page.evaluate(() => {
      window.__frames = 0;
      const tick = () => { window.__frames++; if (window.__frames < 1e6) requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    const box = await page.getByTestId("scene").boundingBox();
    const dragStart = Date.now();
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    for (let i = 0; i < 60 && Date.now() - dragStart < 2_000; i++) await page.mouse.move(box.x + 200 + 5 * i, box.y + 200 + (i % 7));
    await page.mouse.up();
    await page.waitForTimeout(Math.max(0, 2_000 - (Date.now() - dragStart)));
    const fps = await page.evaluate(() => window.__frames) / ((Date.now() - dragStart) / 1000);
    let done = true;
    try {
      await status.filter({ hasText: /^Done/ }).waitFor({ timeout: limit });
    } catch {
      done = false;
    }
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    const longTask = await page.evaluate(() => window.__longest);
    const text = await status.innerText();
    const outcome = done ? text.match(/^Done: (\d+) relation/)?.[1] + " kept" : `not done in ${limit / 1000} s (${text.slice(0, 60)})`;
    console.log(`${name.padEnd(36)} ${c.padEnd(22)} ${seconds.padStart(7)} s  longest task ${longTask.toFixed(0).padStart(5)} ms  drag ${fps.toFixed(0).padStart(3)} fps  ${outcome}`);
    await page.close();
  }
}
await browser.close();
server.close();
