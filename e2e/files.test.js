// Your own data in and out: upload a point cloud and learn from it, keep it across a
// reload, download relations and import them to continue; every bad file is refused
// with a message naming the line or field, and changes nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const ready = (page) => page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });
const done = (page) => page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 600_000 });
const rows = (page) => page.locator("[data-testid=relations] tbody tr").allInnerTexts();

// Points on the unit sphere in R^3, seeded, as a person's CSV would bring them.
function sphereCsv(n) {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ["a,b,c"];
  for (let i = 0; i < n; i++) {
    const z = 2 * rand() - 1, t = 2 * Math.PI * rand(), r = Math.sqrt(1 - z * z);
    lines.push(`${(r * Math.cos(t)).toFixed(6)},${(r * Math.sin(t)).toFixed(6)},${z.toFixed(6)}`);
  }
  return lines.join("\n") + "\n";
}
const csvFile = (name, text) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

test("an uploaded point cloud is learned from, and survives a reload", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?steps=1000&rel=2&batch=256&backend=cpu`);
  await ready(page);
  await page.getByTestId("upload-points").setInputFiles(csvFile("sphere.csv", sphereCsv(600)));
  await page.getByTestId("status").filter({ hasText: "Ready: 600 points of sphere.csv" }).waitFor();
  assert.match(new URL(page.url()).searchParams.get("data"), /^sphere\.csv~600x3~[0-9a-f]{16}$/);
  assert.match(await page.locator(".data-source").innerText(), /learning from your data/);
  // The manifold select names the upload, not the manifold the link keeps as a fallback.
  const shownManifold = () => page.locator("select[data-field=m]").evaluate((s) => s.options[s.selectedIndex]?.text);
  assert.equal(await shownManifold(), "your data (sphere.csv)");

  await page.getByTestId("play").click();
  await done(page);
  assert.equal(await page.getByTestId("dimension").innerText(), "Estimated dimension: 2 (in R^3)");
  const found = await rows(page);
  assert.match(found[0], /^g1.*independent: kept/);
  await screenshot(page, "uploaded-sphere");

  await page.reload();
  await page.getByTestId("status").filter({ hasText: "Ready: 600 points of sphere.csv" }).waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId("messages").count(), 0, "the stored upload is found: no message");
  assert.equal(await shownManifold(), "your data (sphere.csv)");
  assert.deepEqual(problems, []);
});

// The figure-eight knot in R^3, seeded: closed and off a plane, so its first two
// relations start from its loops' functions (init=loops, the default).
function knotCsv(n) {
  let s = 777;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ["x,y,z"];
  for (let i = 0; i < n; i++) {
    const t = 2 * Math.PI * rand(), r = 2 + Math.cos(2 * t);
    lines.push([r * Math.cos(3 * t) / 2, r * Math.sin(3 * t) / 2, Math.sin(4 * t) / 2].map((v) => v.toFixed(6)).join(","));
  }
  return lines.join("\n") + "\n";
}

test("a knot starts from its loops and is cut out by two relations", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?batch=256&backend=cpu`);
  await ready(page);
  await page.getByTestId("upload-points").setInputFiles(csvFile("knot.csv", knotCsv(1200)));
  await page.getByTestId("status").filter({ hasText: "Ready: 1200 points of knot.csv" }).waitFor();
  await page.getByTestId("play").click();
  await page.getByTestId("status").filter({ hasText: /Training g1 of at most 2: warm start from the data's loops step/ }).waitFor({ timeout: 120_000 });
  await done(page);
  assert.equal(await page.getByTestId("dimension").innerText(), "Estimated dimension: 1 (in R^3)");
  const found = await rows(page);
  assert.match(found[0], /^g1.*independent: kept/);
  assert.match(found[1], /^g2.*independent: kept/);
  await screenshot(page, "uploaded-knot");
  assert.deepEqual(problems, []);
});

test("a bad CSV is refused with its line and field, and nothing changes", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=cpu`);
  await ready(page);
  const before = page.url();
  const cases = [
    ["letters.csv", "x,y\n1,2\n3,4\n1,abc\n", /letters\.csv: line 4, field 2: 'abc' is not a number/],
    ["ragged.csv", "1,2,3\n4,5\n", /ragged\.csv: line 2: 2 fields, expected 3/],
    ["nan.csv", "1,2\nNaN,3\n", /nan\.csv: line 2, field 1: 'NaN' is not a finite number/],
    ["wide.csv", `${Array(17).fill(1).join(",")}\n`, /17 columns; a point needs 2 to 16/],
    ["short.csv", "1,2\n3,4\n", /2 rows of numbers; at least 32/],
    ["huge.csv", "1,2\n".repeat(4_500_000), /huge\.csv: the file is 17\.2 MB; the limit is 16 MB/],
    // Data with no manifold to learn gets a reason, not a confident answer.
    ["one-point.csv", "0.5,2\n".repeat(100), /all 100 rows are the same point \(0\.5, 2\): a single point has dimension 0/],
    ["flat.csv", Array.from({ length: 40 }, (_, i) => `${i},3,${i * i}\n`).join(""), /column 'x2' is constant \(every value is 3\)/],
  ];
  for (const [name, text, message] of cases) {
    await page.getByTestId("upload-points").setInputFiles(csvFile(name, text));
    await page.getByTestId("file-error").filter({ hasText: message }).waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId("file-error").innerText(), /Nothing was changed/);
  }
  assert.equal(page.url(), before);
  assert.match(await page.getByTestId("status").innerText(), /^Ready: \d+ points of the circle/i);
  await screenshot(page, "bad-csv");
  assert.deepEqual(problems, []);
});

test("relations download as JSON, import into data of the same dimension, are judged there and come back on reload", async () => {
  const first = await openPage(browser, `${server.url}?m=sphere&seed=1&backend=cpu`);
  await ready(first.page);
  await first.page.getByTestId("play").click();
  await done(first.page);
  const [download] = await Promise.all([first.page.waitForEvent("download"), first.page.getByTestId("download-relations").click()]);
  assert.equal(download.suggestedFilename(), "sphere-relations.json");
  const json = await readFile(await download.path(), "utf8");
  const file = JSON.parse(json);
  assert.equal(file.format, "aml-playground/relations");
  assert.equal(file.relations[0].kept, true);
  assert.equal(file.relations[0].origin, "learned");
  const [points] = await Promise.all([first.page.waitForEvent("download"), first.page.getByTestId("download-points").click()]);
  const csv = await readFile(await points.path(), "utf8");
  assert.equal(csv.trim().split("\n").length, 1 + 2048, "header and every point");
  const sphere = { name: "sphere.json", mimeType: "application/json", buffer: Buffer.from(json) };

  // Bad files and a file of another dimension are refused, each with its own message.
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=cpu`);
  await ready(page);
  const refused = async (upload, message) => {
    await page.getByTestId("import-relations").setInputFiles(upload);
    await page.getByTestId("file-error").filter({ hasText: message }).waitFor({ timeout: 10_000 });
  };
  await refused({ name: "cut.json", mimeType: "application/json", buffer: Buffer.from(json.slice(0, 200)) }, /cut\.json: the file ends early.*Nothing was changed/);
  await refused({ name: "empty.json", mimeType: "application/json", buffer: Buffer.from("") }, /empty\.json: the file is empty/);
  await refused({ name: "points.json", mimeType: "application/json", buffer: Buffer.from("{\"points\": [1, 2]}") }, /points\.json: not a relations file/);
  await refused({ name: "nan.json", mimeType: "application/json", buffer: Buffer.from(json.replace(/"weight": \[\s*[-0-9.e]+/, '"weight": [NaN')) }, /nan\.json: a weight is not a number/);
  await refused(sphere, /sphere\.json: the relations take 3 coordinates but the data in use has 2/);
  assert.equal(new URL(page.url()).searchParams.get("relations"), null, "nothing changed");

  // On a circle cut from a sphere the sphere's relation holds: kept, marked, and the
  // run learns only the plane.
  await page.goto(`${server.url}?m=sphere-circle&backend=cpu`);
  await ready(page);
  await page.getByTestId("import-relations").setInputFiles(sphere);
  await page.getByTestId("status").filter({ hasText: /^From sphere\.json: relation 1 kept \(1 of 1 hold here\)/ }).waitFor({ timeout: 120_000 });
  assert.match(new URL(page.url()).searchParams.get("relations"), /^sphere\.json~[0-9a-f]{16}$/, "the link names the import");
  assert.match(await page.getByTestId("transfers").innerText(), /relation 1 of the file — kept: vanishes here/);
  assert.match((await rows(page))[0], /^g1.*imported from sphere\.json: imported: kept/);
  await page.getByTestId("play").click();
  await done(page);
  const found = await rows(page);
  assert.match(found[1], /^g2.*independent: kept/, found.join("\n"));
  assert.equal(await page.getByTestId("dimension").innerText(), "Estimated dimension: 1 (in R^3)");
  await screenshot(page, "imported-relations");

  // A reload of the link imports the file again from this browser's storage.
  await page.reload();
  await page.getByTestId("status").filter({ hasText: /^From sphere\.json: relation 1 kept/ }).waitFor({ timeout: 120_000 });
  assert.match((await rows(page))[0], /^g1.*imported from sphere\.json/);

  // On a torus it does not vanish: dropped, and the run learns from scratch.
  await page.goto(`${server.url}?m=torus&backend=cpu`);
  await ready(page);
  await page.getByTestId("import-relations").setInputFiles(sphere);
  await page.getByTestId("status").filter({ hasText: /^None of the 1 relation\(s\) of sphere\.json holds on this data/ }).waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId("transfers").innerText(), /dropped: does not vanish here/);
  assert.equal(await page.getByTestId("relations").locator("tbody tr").count(), 0, "no relation kept");

  // A link naming an import this browser does not have runs without it, and says so.
  await page.goto(`${server.url}?m=ellipse&relations=other.json~00000000deadbeef&backend=cpu`);
  await ready(page);
  assert.match(await page.getByTestId("messages").innerText(), /imports relations from other\.json, which this browser does not have: running without them/);
  assert.equal(new URL(page.url()).searchParams.get("relations"), null);
  assert.deepEqual([...first.problems, ...problems], []);
  await first.page.close();
});

test("a link naming uploaded data this browser lacks falls back with a message", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=torus&data=other.csv~40x3~00000000deadbeef&backend=cpu`);
  await ready(page);
  assert.match(await page.getByTestId("messages").innerText(), /uploaded data \(other\.csv~40x3~00000000deadbeef\), which is not loaded here/);
  assert.equal(new URL(page.url()).searchParams.get("data"), null);
  assert.match(await page.getByTestId("status").innerText(), /points of the torus/i);
  assert.deepEqual(problems, []);
});
