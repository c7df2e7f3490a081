// Diagnostic (not a test): CPU profile of the page's main thread while its worker trains
// the default ellipse on the CPU (the page itself only receives updates and draws).
//   node e2e/profile.mjs ["m=circle&..."]   (the link's query; the CPU backend is added)
import { serveDist, launch, openPage } from "./harness.js";
const server = await serveDist();
const browser = await launch();
const query = process.argv[2] ?? "m=ellipse";
const { page } = await openPage(browser, `${server.url}?${query}&backend=cpu`);
await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 1000 });
await cdp.send("Profiler.start");
await page.evaluate(() => setTimeout(() => document.querySelector("[data-testid=play]").click(), 500));
await new Promise((r) => setTimeout(r, 25000));
const { profile } = await cdp.send("Profiler.stop");
const self = new Map();
const dt = profile.timeDeltas; const byId = new Map(profile.nodes.map((n) => [n.id, n]));
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = n.callFrame.functionName || "(anon)"; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0)); });
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log("total ms", total / 1000);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / 1000).toFixed(0).padStart(7), k.slice(0, 160));

await browser.close(); server.close();
