// The page read at a glance: true aspect in 2D, a heatmap behind the contours, named and
// chosen coordinates above R³, explanations on hover, controls that tell the truth,
// messages that name the problem, a phone layout without sideways scrolling.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, openPage, screenshot } from "./harness.js";

let server, browser;
before(async () => { server = await serveDist(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const ready = (page) => page.getByTestId("status").filter({ hasText: /^Ready/ }).waitFor({ timeout: 120_000 });

// Pixels of the scene canvas matching `test(r, g, b)`: their count and bounding box.
const inked = (page, test) => page.getByTestId("scene").evaluate((c, source) => {
  const match = new Function("r", "g", "b", `return ${source};`);
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < d.length; i += 4) {
    if (!match(d[i], d[i + 1], d[i + 2])) continue;
    const x = (i / 4) % c.width, y = Math.floor(i / 4 / c.width);
    n++; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { n, width: x1 - x0, height: y1 - y0 };
}, test);

test("the circle is drawn round, with the relation's value as a heatmap behind it", async () => {
  const { page, problems, warnings } = await openPage(browser, `${server.url}?m=circle&backend=cpu&seed=1`);
  await ready(page);
  // The data's grey squares (150, 155, 170) lie on the unit circle.
  const data = await inked(page, "r === 150 && g === 155 && b === 170");
  assert.ok(data.n > 500, `data pixels: ${data.n}`);
  const aspect = data.width / data.height;
  assert.ok(Math.abs(aspect - 1) < 0.04, `the unit circle's drawn width/height is ${aspect.toFixed(3)}`);
  assert.deepEqual(warnings, [], "no console warnings on load");

  await page.getByTestId("play").click();
  await page.getByTestId("status").filter({ hasText: /^Done/ }).waitFor({ timeout: 300_000 });
  // Tinted, not white or grey: orange (g > 0) or light blue (g < 0) cells of the heatmap
  // (the contour's own blue is darker, the data's grey is neither).
  const heat = await inked(page, "(r > 235 && r > b + 30) || (b > 235 && b > r + 30)");
  assert.ok(heat.n > 20_000, `heatmap pixels: ${heat.n}`);
  await screenshot(page, "reading-circle-heatmap");
  assert.deepEqual(problems, []);
});

test("every table heading and chart explains itself on hover", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=cpu`);
  await ready(page);
  const titles = await page.locator("[data-testid=relations] th").evaluateAll((ths) => ths.map((th) => [th.innerText, th.title]));
  assert.ok(titles.length >= 7, JSON.stringify(titles));
  for (const [heading, title] of titles) assert.ok(title.length > 10, `heading '${heading}' has no explanation`);
  for (const id of ["scene", "loss", "metrics"]) {
    assert.ok((await page.getByTestId(id).getAttribute("title"))?.length > 10, `${id} has no explanation`);
  }
  assert.deepEqual(problems, []);
});

test("controls tell the truth: Train waits for a backend, Step says how far it goes", async () => {
  // No backend in the link: the page first times both backends, and Train waits, saying why.
  const { page, problems } = await openPage(browser, `${server.url}?m=circle`);
  const play = page.getByTestId("play");
  await play.waitFor();
  assert.equal(await play.isDisabled(), true, "Train before a backend is ready");
  assert.match(await play.getAttribute("title"), /waiting for the backend/);
  await ready(page);
  assert.equal(await play.isDisabled(), false);
  assert.match(await page.getByTestId("step").innerText(), /Step \(25 steps\)/);
  await page.getByTestId("step").click();
  await page.getByTestId("status").filter({ hasText: /step 25\/.*run step 25/ }).waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId("status").innerText(), /^Training g1 of at most 1: warm start step 25\//);
  assert.deepEqual(problems, []);
});

test("a refused edit puts back the value in use, with the message beside the field", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&seed=7&backend=cpu`);
  await ready(page);
  const seed = page.locator("[data-field=seed]");
  await seed.fill("abc");
  await seed.press("Enter");
  await page.getByTestId("note-seed").waitFor();
  assert.equal(await seed.inputValue(), "7");
  assert.match(await page.getByTestId("note-seed").innerText(), /seed 'abc' is not a whole number.*using 7/);
  const steps = page.locator("[data-field=steps]");
  await steps.fill("1e12");
  await steps.press("Enter");
  await page.getByTestId("note-steps").filter({ hasText: /steps per relation 1e12 is out of range 1\.\.50000: using 50000/ }).waitFor();
  assert.equal(await steps.inputValue(), "50000");
  await screenshot(page, "reading-refused-edit");
  assert.deepEqual(problems, []);
});

test("out-of-range numbers and unknown backends are named, and leave the link", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&n=-5&batch=1e9&backend=%3Cscript%3E`);
  await ready(page);
  const messages = await page.getByTestId("messages").innerText();
  assert.match(messages, /samples -5 is out of range .*: using/);
  assert.match(messages, /batch size 1e9 is out of range .*: using/);
  assert.match(messages, /unknown backend '<script>'/);
  assert.equal(new URL(page.url()).searchParams.get("backend"), null);
  assert.deepEqual(problems, []);
});

test("above R³ the person picks the three coordinates, named on the axes", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=pendulum&backend=cpu`);
  await ready(page);
  const axes = [0, 1, 2].map((i) => page.getByTestId(`axis-${i}`));
  assert.equal(await axes[0].locator("option").count(), 7);
  const before = await page.getByTestId("scene").evaluate((c) => c.toDataURL());
  const shown = await Promise.all(axes.map((a) => a.inputValue()));
  const other = ["0", "1", "2", "3", "4", "5", "6"].find((j) => !shown.includes(j));
  await axes[2].selectOption(other);
  await page.waitForFunction((old) => document.querySelector("[data-testid=scene]").toDataURL() !== old, before);
  assert.equal(await axes[2].inputValue(), other);
  await screenshot(page, "reading-pendulum-axes");
  assert.deepEqual(problems, []);
});

test("at phone width the plot comes first and nothing scrolls sideways", async () => {
  const { page, problems } = await openPage(browser, `${server.url}?m=circle&backend=cpu`, { viewport: { width: 390, height: 844 } });
  await ready(page);
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  assert.ok(scroll <= inner, `page is ${scroll} px wide in a ${inner} px window`);
  const top = async (selector) => (await page.locator(selector).first().boundingBox()).y;
  assert.ok(await top("[data-testid=scene]") < await top(".config"), "the plot comes before the settings");
  assert.ok(await top("[data-testid=scene]") < 700, "the plot starts within the first screen");
  await screenshot(page, "reading-phone");
  assert.deepEqual(problems, []);
});
