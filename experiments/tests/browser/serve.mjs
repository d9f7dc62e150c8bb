// End-to-end test of `meshsim serve` in Debian's chromium, driven by playwright-core (no browser
// download). Run by experiments/tests/serve_browser.rs: node serve.mjs URL OUT_DIR CHROMIUM.
// Prints one JSON line of measurements on success; throws (exit 1) on the first failed check.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";

const [url, outDir, executablePath] = process.argv.slice(2);
const shot = (page, name) => page.screenshot({ path: path.join(outDir, name), fullPage: false });

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
});
const results = {};
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  // The seq of the last drawn answer (0 before any).
  const seq = () => page.evaluate(() => (window.meshsimLast ? window.meshsimLast.seq : 0));
  const drawnAfter = (n) =>
    page.waitForFunction((n) => window.meshsimLast && window.meshsimLast.seq > n, n, { timeout: 60000 });
  const timeline = () => page.locator("#timeline").innerHTML();
  const tables = () => page.locator("#tables").innerHTML();

  // 1. The herd opens, with the fixed backoff of the file.
  await page.goto(url + "?scenario=thundering-herd");
  await drawnAfter(0);
  const backoff = page.locator('select[data-path="policies.retry.retry.backoff"]');
  assert.equal(await backoff.inputValue(), "fixed");
  assert.ok((await page.locator("#timeline svg title").count()) > 0, "the timeline has tooltips");
  const before = { timeline: await timeline(), tables: await tables() };
  await shot(page, "serve-herd-fixed.png");

  // 2. The backoff select re-runs: the timeline and the outcome table change, the URL holds it.
  let n = await seq();
  await backoff.selectOption("full_jitter");
  await drawnAfter(n);
  assert.equal((await page.evaluate(() => window.meshsimLast)).ok, true);
  assert.notEqual(await timeline(), before.timeline, "the timeline changed");
  assert.notEqual(await tables(), before.tables, "the outcome table changed");
  assert.match(decodeURIComponent(page.url()), /set=policies\.retry\.retry\.backoff=full_jitter/);
  assert.match(await page.locator("#reproduce").innerText(), /--set policies\.retry\.retry\.backoff=full_jitter/);
  await shot(page, "serve-herd-full-jitter.png");

  // 3. The URL reproduces the view.
  const link = page.url();
  const page2 = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  await page2.goto(link);
  await page2.waitForFunction(() => window.meshsimLast && window.meshsimLast.ok, null, { timeout: 60000 });
  assert.equal(await page2.locator('select[data-path="policies.retry.retry.backoff"]').inputValue(), "full_jitter");
  assert.equal(await page2.locator("#tables").innerHTML(), await tables(), "the link shows the same outcomes");
  await page2.close();

  // 4. Cascade: changing policies.naive.timeouts.attempt re-runs and redraws; measured.
  await page.goto(url + "?scenario=cascade");
  await drawnAfter(0);
  const attempt = page.locator('input[data-path="policies.naive.timeouts.attempt"]');
  assert.equal(await attempt.inputValue(), "none");
  const cascade = await tables();
  n = await seq();
  const typed = Date.now();
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/run"));
  await attempt.fill("2s");
  const response = await answered;
  await drawnAfter(n);
  const redrawn = Date.now();
  const timing = response.request().timing();
  results.attempt_request_to_response_ms = Math.round(timing.responseEnd);
  results.attempt_input_to_redraw_ms = redrawn - typed;
  const last = await page.evaluate(() => window.meshsimLast);
  results.attempt_server_run_ms = Math.round(last.runMs);
  results.attempt_draw_ms = Math.round(last.drawMs);
  // From the input event to the new run laid out in the page (debounce included), as the page measures it.
  results.attempt_page_input_to_drawn_ms = Math.round(last.inputToDrawnMs);
  assert.notEqual(await tables(), cascade, "a 2 s attempt timeout changes the cascade's outcomes");
  await shot(page, "serve-cascade-attempt-2s.png");
  // The edited scenario downloads as TOML, with the edit and the seed.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
  const toml = await new Promise((resolve, reject) => {
    download.createReadStream().then((s) => {
      let text = "";
      s.on("data", (c) => (text += c));
      s.on("end", () => resolve(text));
      s.on("error", reject);
    }, reject);
  });
  assert.equal(download.suggestedFilename(), "cascade-edited.toml");
  assert.match(toml, /attempt = "2s"/);
  assert.match(toml, /^seed = 1$/m);

  // 4b. Two edits in flight: the older answer never replaces the newer one.
  n = await seq();
  const sent = page.waitForRequest((r) => r.url().endsWith("/api/run"));
  await attempt.fill("1s");
  await sent; // the 1 s run is in flight (a run takes longer than the debounce)
  await attempt.fill("3s");
  await page.waitForFunction(() => /attempt=3s/.test(document.getElementById("reproduce").textContent), null, { timeout: 60000 });
  await page.waitForTimeout(1500);
  assert.match(await page.locator("#reproduce").innerText(), /attempt=3s/, "the newest edit stays shown");
  assert.match(decodeURIComponent(page.url()), /attempt=3s/);
  await attempt.fill("2s");
  await drawnAfter(await seq());

  // 5. A bad value: the CLI's message next to the field, and the server goes on serving.
  n = await seq();
  await attempt.fill("2x");
  await page.waitForSelector('.field.invalid[data-path="policies.naive.timeouts.attempt"] .err', { timeout: 60000 });
  const message = await page.locator('.field[data-path="policies.naive.timeouts.attempt"] .err').innerText();
  assert.match(message, /expected a duration/);
  await shot(page, "serve-cascade-invalid.png");
  await attempt.fill("2s");
  await drawnAfter(n);

  // 6. A/B: the catalog's pair, one click; one image with both timelines on shared axes (A's
  // column and B's, each titled) and compare's diff of the key figures, coloured.
  n = await seq();
  await page.locator("button.pair", { hasText: "cascade vs cascade-protected" }).click();
  await page.waitForFunction(
    (n) => window.meshsimLast && window.meshsimLast.ok && window.meshsimLast.seq > n && !document.getElementById("ab").hidden,
    n,
    { timeout: 60000 },
  );
  assert.equal(await page.locator("#ab svg").count(), 1, "A/B shows one image");
  const columns = await page.locator("#ab-timeline svg text").evaluateAll((ts) =>
    ts.map((t) => t.textContent.trim()).filter((t) => /^[AB]: /.test(t)));
  assert.deepEqual(columns, ["A: cascade", "B: cascade-protected"], "both columns, titled, in the one SVG");
  assert.ok((await page.locator("#ab-timeline svg title").count()) > 10, "A/B keeps the tooltips");
  const fits = await page.locator("#ab-timeline svg").evaluate((s) => s.getBoundingClientRect().width <= s.parentElement.getBoundingClientRect().width + 1);
  assert.ok(fits, "the pair is scaled to the page width");
  assert.ok((await page.locator("#ab table.diff tbody tr").count()) > 3, "A/B has compare's diff table");
  assert.ok((await page.locator("#ab table.diff tr.better").count()) > 0, "B's better figures are marked");
  assert.equal(await page.locator("#scenario").inputValue(), "cascade-protected");
  await page.evaluate(() => document.getElementById("ab").scrollIntoView());
  await shot(page, "serve-ab-cascade.png");
  await page.locator("#ab").screenshot({ path: path.join(outDir, "serve-ab-section.png") });

  // 7. The form covers the schema: retry.on as checkboxes, sliders where both bounds are known,
  // a handler's steps as TOML, collapsible groups; an edit through each re-runs.
  await page.goto(url + "?scenario=cascade-protected");
  await drawnAfter(0);
  const on = page.locator('.multi[data-path="policies.classify.retry.on"] input[type=checkbox]');
  assert.ok((await on.count()) >= 10, "retry.on offers every retry condition");
  assert.equal(await page.locator('.multi[data-path="policies.classify.retry.on"] input[value="connect"]').isChecked(), true);
  n = await seq();
  await page.locator('.multi[data-path="policies.classify.retry.on"] input[value="timeout"]').check();
  await drawnAfter(n);
  assert.equal((await page.evaluate(() => window.meshsimLast)).ok, true, "the retry.on edit runs");
  assert.match(await page.locator("#reproduce").innerText(), /retry\.on=\["timeout", "connect"/);
  assert.equal(await page.locator('input[data-path="policies.classify.breaker.half_open_trials"]').inputValue(), "1");
  assert.ok(await page.locator('input.slider[data-slider="services.upload.replicas"]').count() === 1, "replicas has a slider");
  const steps = await page.locator('textarea[data-path="services.upload.steps"]').inputValue();
  assert.match(steps, /call = "classification"/, "the handler's steps as TOML");
  assert.equal(await page.locator('details.group:has(> summary:text-is("service upload"))').evaluate((d) => d.open), false, "services start collapsed");
  await page.locator('details.group > summary:text-is("service upload")').click();
  n = await seq();
  await page.locator('input[data-path="services.upload.liveness.failure_threshold"]').fill("1");
  await drawnAfter(n);
  assert.equal((await page.evaluate(() => window.meshsimLast)).ok, true, "a probe edit runs");
  await page.locator("aside.form").screenshot({ path: path.join(outDir, "serve-form.png") });
  // A percentage slider moves the breaker's threshold.
  await page.goto(url + "?scenario=breaker");
  await drawnAfter(0);
  const rate = page.locator('input.slider[data-slider="policies.guarded.breaker.failure_rate"]');
  assert.equal(await rate.count(), 1, "failure_rate has a slider");
  n = await seq();
  await rate.fill("200");
  await drawnAfter(n);
  assert.equal(await page.locator('input[data-path="policies.guarded.breaker.failure_rate"]').inputValue(), "20");
  assert.match(await page.locator("#reproduce").innerText(), /failure_rate=20/);
  await shot(page, "serve-breaker-slider.png");
  // Switching the breaker's kind shows the new kind's keys; editing one runs.
  const kindSel = page.locator('select[data-path="policies.guarded.breaker"]');
  n = await seq();
  await kindSel.selectOption({ label: "hystrix" });
  await page.waitForSelector('input[data-path="policies.guarded.breaker.request_volume"]', { timeout: 60000 });
  await drawnAfter(n);
  n = await seq();
  await page.locator('input[data-path="policies.guarded.breaker.request_volume"]').fill("5");
  await drawnAfter(n);
  assert.equal((await page.evaluate(() => window.meshsimLast)).ok, true, "a hystrix key edit runs");
  assert.match(await page.locator("#reproduce").innerText(), /request_volume=5/);

  assert.deepEqual(errors, [], "no script errors");
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
}
