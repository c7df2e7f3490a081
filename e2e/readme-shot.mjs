// Not a test: the README's picture (docs/screenshot.png), the default ellipse at Done.
// Run after scripts/site:  node e2e/readme-shot.mjs [out.png]
import { serveDist, launch, openPage } from "./harness.js";

const out = process.argv[2] ?? new URL("../docs/screenshot.png", import.meta.url).pathname;
const server = await serveDist();
const browser = await launch();
const { page } = await openPage(browser, `${server.url}?backend=cpu`, { viewport: { width: 1400, height: 1560 } });
await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
await page.getByTestId("play").click();
await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
await page.getByTestId("generator").nth(1).waitFor({ timeout: 60_000 });
await page.waitForTimeout(500);
await page.screenshot({ path: out, fullPage: false });
console.log(`wrote ${out}`);
await browser.close();
server.close();
