// Diagnostic (not a test): where the training worker's time goes while the page trains a
// link to "Done" on the CPU. V8's sampling profiler (--prof) logs every isolate of the
// browser; the busiest one is the worker. The site's module has no function names, so
// they are read from a module with its name section (wasm-bindgen's output before
// scripts/finish-site.mjs strips it; the same functions in the same order):
//   wasm-bindgen --target web --no-typescript --out-dir /tmp/wb \
//     ~/.cache/aml-playground/target/wasm32-unknown-unknown/release/aml-playground.wasm
//   AML_NAMES=/tmp/wb/aml-playground_bg.wasm node e2e/profile-worker.mjs ["m=ellipse"]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveDist, launch } from "./harness.js";

const query = process.argv[2] ?? "m=ellipse";
const logs = mkdtempSync(join(tmpdir(), "aml-v8-"));
const server = await serveDist();
const browser = await launch([`--js-flags=--prof --logfile=${join(logs, "v8.log")}`]);
const page = await browser.newPage();
await page.goto(`${server.url}?${query}&backend=cpu`);
const status = page.getByTestId("status");
await status.filter({ hasText: /^Ready/ }).waitFor({ timeout: 240_000 });
const t0 = Date.now();
await page.getByTestId("play").click();
await status.filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
console.log(`${query}: Train → Done ${((Date.now() - t0) / 1000).toFixed(1)} s`);
await browser.close();
server.close();

// Function index → name, from the wasm name section (custom section "name", subsection 1).
function wasmNames(path) {
  const names = new Map();
  if (!path) return names;
  const b = readFileSync(path);
  const leb = (i) => {
    let r = 0, s = 0, x;
    do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
    return [r, i];
  };
  for (let i = 8; i < b.length;) {
    const id = b[i];
    const [size, body] = leb(i + 1);
    const end = body + size;
    const [len, at] = leb(body);
    if (id === 0 && b.toString("utf8", at, at + len) === "name") {
      for (let k = at + len; k < end;) {
        const sub = b[k];
        const [subSize, subBody] = leb(k + 1);
        if (sub === 1) {
          let [count, m] = leb(subBody);
          while (count--) {
            const [index, m1] = leb(m);
            const [nameLen, m2] = leb(m1);
            names.set(index, b.toString("utf8", m2, m2 + nameLen));
            m = m2 + nameLen;
          }
        }
        k = subBody + subSize;
      }
    }
    i = end;
  }
  return names;
}

const busiest = readdirSync(logs).map((f) => join(logs, f)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
const report = execFileSync(process.execPath, ["--prof-process", busiest], { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
const names = wasmNames(process.env.AML_NAMES);
const total = report.match(/\((\d+) ticks/)?.[1];
console.log(`worker isolate: ${total} ticks of 1 ms`);
const lines = report.slice(report.indexOf("[JavaScript]"), report.indexOf("[C++]")).split("\n").filter((l) => /^\s+\d+/.test(l));
for (const line of lines.slice(0, 25)) {
  const [ticks, share] = line.trim().split(/\s+/);
  const fn = line.match(/wasm-function\[(\d+)\]/);
  const name = fn ? names.get(Number(fn[1])) ?? `wasm-function[${fn[1]}]` : line.trim().split(/\s+/).slice(3).join(" ");
  const short = name.replace(/::h[0-9a-f]{16}$/, "").replace(/<impl .* for ([^<>]*)>::/, "<$1>::");
  console.log(ticks.padStart(7), share.padStart(6), short.slice(0, 140));
}
