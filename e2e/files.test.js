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
  assert.match(await page.locator(".equations").innerText(), /learning from your data/);
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

test("relations download as JSON and import into a fresh page to continue", async () => {
  const link = `${server.url}?m=ellipse&n=1024&steps=1000&rel=1&batch=256&hidden=32-32&seed=1&backend=cpu`;
  const first = await openPage(browser, link);
  await ready(first.page);
  await first.page.getByTestId("play").click();
  await done(first.page);
  // rel=1 ended the run, not a rejected relation: the page says the dimension is a bound.
  assert.equal(await first.page.getByTestId("dimension").innerText(), "Dimension at most 2 (in R^3): stopped at the relation limit (1 relation)");
  const [download] = await Promise.all([first.page.waitForEvent("download"), first.page.getByTestId("download-relations").click()]);
  assert.equal(download.suggestedFilename(), "ellipse-relations.json");
  const json = await readFile(await download.path(), "utf8");
  const file = JSON.parse(json);
  assert.equal(file.format, "aml-playground/relations");
  assert.equal(file.relations[0].kept, true);
  assert.equal(file.conclusion, "stopped at the relation limit (1 relation): the dimension is at most 2 in R^3");
  const [points] = await Promise.all([first.page.waitForEvent("download"), first.page.getByTestId("download-points").click()]);
  const csv = await readFile(await points.path(), "utf8");
  assert.equal(csv.trim().split("\n").length, 1 + 1024, "header and every point");

  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=cpu`);
  await ready(page);
  await page.getByTestId("import-relations").setInputFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from(json.slice(0, 200)) });
  await page.getByTestId("file-error").filter({ hasText: /broken\.json: not a relations file.*Nothing was changed/ }).waitFor({ timeout: 10_000 });
  assert.match(new URL(page.url()).searchParams.get("m"), /circle/);

  await page.getByTestId("import-relations").setInputFiles({ name: "ellipse.json", mimeType: "application/json", buffer: Buffer.from(json) });
  await page.getByTestId("status").filter({ hasText: /^Imported 1 relation/ }).waitFor({ timeout: 120_000 });
  assert.equal(new URL(page.url()).searchParams.get("m"), "ellipse", "the file's configuration is taken");
  assert.match((await rows(page))[0], /^g1.*imported: kept/);
  await page.getByTestId("play").click();
  await done(page);
  const found = await rows(page);
  assert.match(found[1], /^g2.*independent: kept/, found.join("\n"));
  assert.equal(await page.getByTestId("dimension").innerText(), "Estimated dimension: 1 (in R^3)");
  await screenshot(page, "imported-relations");
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
