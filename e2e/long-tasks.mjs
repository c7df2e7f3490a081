// Diagnostic (not a test): the page's longest main-thread tasks while a link trains to
// "Done" on the CPU, each with the trace events inside it (Chrome's timeline tracing):
// what a long task is made of (a worker message's handler, layout, paint, GC), and which
// of the worker's messages took longest.
//   node e2e/long-tasks.mjs ["m=ellipse"]
import { serveDist, launch, openPage } from "./harness.js";
const server = await serveDist();
const browser = await launch();
const query = process.argv[2] ?? "m=ellipse";
// Each message from the worker, timed from its handler's start to the end of its task
// (the next timer): the handler's own share is the decoding, the rest what it set off.
const timeMessages = () => {
  window.__slow = [];
  const own = Object.getOwnPropertyDescriptor(Worker.prototype, "onmessage");
  Object.defineProperty(Worker.prototype, "onmessage", {
    get() { return own.get.call(this); },
    set(handler) {
      own.set.call(this, (e) => {
        const t = performance.now();
        const u = e.data?.update;
        const kind = u && typeof u === "object" ? Object.keys(u)[0] : String(u);
        handler(e);
        const handled = performance.now() - t;
        setTimeout(() => {
          const whole = performance.now() - t;
          if (whole > 25) window.__slow.push(`${kind} ${handled.toFixed(0)}/${whole.toFixed(0)} ms`);
        }, 0);
      });
    },
  });
};
const { page } = await openPage(browser, `${server.url}?${query}&backend=cpu`, { init: timeMessages });
await page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
const cdp = await page.context().newCDPSession(page);
const events = [];
cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
const done = new Promise((r) => cdp.once("Tracing.tracingComplete", r));
await cdp.send("Tracing.start", { categories: "devtools.timeline,disabled-by-default-devtools.timeline", transferMode: "ReportEvents" });
await page.getByTestId("play").click();
await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 120_000 });
await cdp.send("Tracing.end");
await done;
// The renderer main thread: the thread of the most RunTask time among "CrRendererMain".
const names = new Map(events.filter((e) => e.name === "thread_name").map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
const main = events.filter((e) => names.get(`${e.pid}:${e.tid}`) === "CrRendererMain");
const tasks = main.filter((e) => e.name === "RunTask" && e.ph === "X").sort((a, b) => b.dur - a.dur).slice(0, 6);
for (const t of tasks) {
  const inside = main.filter((e) => e.ph === "X" && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur && e !== t);
  const by = new Map();
  for (const e of inside) by.set(e.name, (by.get(e.name) ?? 0) + e.dur);
  console.log(`task ${(t.dur / 1000).toFixed(1)} ms:`, [...by].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(", "));
}
console.log("worker messages over 25 ms (handler / whole task):", await page.evaluate(() => window.__slow.join("; ")));
await browser.close(); server.close();
