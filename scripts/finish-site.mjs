// The last step of scripts/site, on trunk's output directory: drops the wasm module's
// custom sections the browser never reads (function names: a fifth of the module; the
// toolchain's producers), puts the new size where the loader's progress bar reads it, and
// writes .gz and .br copies of every text and wasm asset for hosts that serve them.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { execFileSync } from "node:child_process";

const dist = process.argv[2];
if (!dist) throw new Error("usage: node scripts/finish-site.mjs DIST");
const DROPPED = new Set(["name", "producers"]);

// A wasm module is an 8-byte header and then sections: an id byte, a LEB128 length and the
// body; a custom section (id 0) begins with its name.
function stripCustomSections(module) {
  const kept = [module.subarray(0, 8)];
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do { byte = module[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  while (at < module.length) {
    const start = at;
    const id = module[at++];
    const length = leb();
    const end = at + length;
    let name = "";
    if (id === 0) { const n = leb(); name = module.subarray(at, at + n).toString(); }
    if (!(id === 0 && DROPPED.has(name))) kept.push(module.subarray(start, end));
    at = end;
  }
  return Buffer.concat(kept);
}

const files = readdirSync(dist);
const html = join(dist, "index.html");
let page = readFileSync(html, "utf8");
for (const file of files.filter((f) => f.endsWith(".wasm"))) {
  const path = join(dist, file);
  const before = readFileSync(path);
  const after = stripCustomSections(before);
  writeFileSync(path, after);
  // trunk wrote the unstripped size as the initializer's `total` ('./file', size, ...).
  const call = new RegExp(`('(?:\\./)?${file.replace(/[.]/g, "\\.")}', )([0-9]+),`);
  if (!call.test(page)) throw new Error(`index.html does not give the loader ${file}'s size`);
  page = page.replace(call, `$1${after.length},`);
}
writeFileSync(html, page);

// GNU gzip -9 where there is one (every Debian has it): its encoder makes the module's .gz
// 25 kB smaller than zlib's level 9 does (2.98 against 3.01 MB, the same bytes inside).
function gzip(body) {
  try {
    return execFileSync("gzip", ["-9", "-n", "-c"], { input: body, maxBuffer: 1 << 28 });
  } catch {
    return gzipSync(body, { level: 9 });
  }
}

const COMPRESSED = new Set([".wasm", ".js", ".css", ".html", ".svg", ".json"]);
const rows = [];
for (const file of readdirSync(dist).filter((f) => COMPRESSED.has(extname(f)))) {
  const body = readFileSync(join(dist, file));
  const gz = gzip(body);
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  writeFileSync(join(dist, `${file}.gz`), gz);
  writeFileSync(join(dist, `${file}.br`), br);
  rows.push([file, body.length, gz.length, br.length]);
}
const mb = (n) => (n / 1e6).toFixed(2).padStart(7);
console.log(`${"file".padEnd(48)}      MB  gzip MB  brotli MB`);
for (const [file, raw, gz, br] of rows) console.log(`${file.padEnd(48)} ${mb(raw)}  ${mb(gz)}    ${mb(br)}`);
