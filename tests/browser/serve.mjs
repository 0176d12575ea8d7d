// The browser test of `simulate serve`, in the system's headless Chromium driven by
// playwright-core: load the page, read P(operating break-even), move the partner-share control
// with the keyboard, check that the probability changed and equals what
// `simulate FILE --set capex.partner_share=V --paths N --format json` gives, check that the
// URL reproduces the view, measure the slider-to-update latency, and take a screenshot.
//
//   node tests/browser/serve.mjs SIMULATE CHROMIUM [SCREENSHOT.png]
//
// Run it through scripts/browser-test.sh, which installs what it needs.

import { spawn, execFileSync } from "node:child_process";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const [simulate, chromiumPath, screenshot] = process.argv.slice(2);
if (!simulate || !chromiumPath) {
  console.error("usage: node tests/browser/serve.mjs SIMULATE CHROMIUM [SCREENSHOT.png]");
  process.exit(2);
}
const scenario = "scenarios/openai.toml";
const key = "capex.partner_share";
const started = performance.now();

function check(condition, message) {
  if (!condition) throw new Error("FAILED: " + message);
  console.log("ok: " + message);
}

// The server, on a free port the system picks.
const server = spawn(simulate, ["serve", scenario, "--port", "0"], {
  stdio: ["ignore", "ignore", "pipe"],
});
const base = await new Promise((resolve, reject) => {
  const lines = createInterface({ input: server.stderr });
  lines.on("line", (line) => {
    const m = line.match(/^serving (http:\/\/\S+\/)/);
    if (m) resolve(m[1]);
  });
  server.on("exit", (code) => reject(new Error("simulate serve exited with " + code)));
});
const serverExit = new Promise((resolve) => server.on("exit", (code, signal) => resolve({ code, signal })));
console.log("server at " + base);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => {
    if (!r.url().includes("/api/view")) errors.push("request failed: " + r.url());
  });

  const rendered = () => page.evaluate(() => Number(document.body.dataset.rendered || 0));
  const waitRendered = (n) =>
    page.waitForFunction((n) => Number(document.body.dataset.rendered || 0) >= n, n, { timeout: 30000 });
  const probability = () =>
    page.$eval("#p-break-even", (el) => Number(el.dataset.probability));

  await page.goto(base);
  await waitRendered(1);
  const before = await probability();
  const previewPaths = await page.evaluate(() => info.preview_paths);
  console.log(`P(break-even) at first: ${before} (${previewPaths} paths)`);

  // The partner share is not among the first controls for this scenario: add it.
  const control = page.locator(`.control[data-key="${key}"]`);
  if ((await control.count()) === 0) {
    await page.selectOption("#add-control", key);
  }
  const slider = control.locator("input[type=range]");
  await slider.focus();

  // Move it with the keyboard, as a user would, and time each change until the page shows it.
  const latencies = [];
  const moves = ["Home", "ArrowRight", "ArrowRight", "ArrowRight", "End", "ArrowLeft", "Home"];
  for (const k of moves) {
    const n = await rendered();
    const t0 = performance.now();
    await page.keyboard.press(k);
    await waitRendered(n + 1);
    latencies.push(performance.now() - t0);
  }
  // Several quick moves: each newer request replaces the older, and the last one is shown.
  const n = await rendered();
  for (const k of ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight"]) {
    await page.keyboard.press(k);
  }
  await page.waitForFunction(
    (n) => Number(document.body.dataset.rendered) > n &&
      document.body.dataset.query === new URL(location.href).search.slice(1) + "&paths=" + info.preview_paths,
    n,
    { timeout: 30000 },
  );
  const url = new URL(page.url());
  const set = url.searchParams.getAll("set").find((s) => s.startsWith(key + "="));
  check(set !== undefined, `the URL carries the control's value (${url.search})`);
  const value = set.slice(key.length + 1);
  const after = await probability();
  console.log(`P(break-even) with ${key}=${value}: ${after}`);
  check(after !== before, `moving ${key} changed P(break-even) (${before} -> ${after})`);

  // The same number as the command line's, and the download is the command line's JSON.
  const cli = execFileSync(simulate, [scenario, "--set", `${key}=${value}`, "--paths", String(previewPaths), "--format", "json"], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const expected = JSON.parse(cli).break_even.operating.probability;
  check(after === expected, `P(break-even) equals the CLI's --set ${key}=${value} --paths ${previewPaths} (${expected})`);
  const download = await page.$eval("#download-json", (a) => a.href);
  const downloaded = await (await fetch(download)).text();
  check(downloaded === cli, "the JSON download is byte for byte the CLI's output");

  // The URL reproduces the view in a fresh page.
  const again = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await again.goto(url.href);
  await again.waitForFunction(() => Number(document.body.dataset.rendered || 0) >= 1, null, { timeout: 30000 });
  const reproduced = await again.$eval("#p-break-even", (el) => Number(el.dataset.probability));
  const shown = await again.$eval(`.control[data-key="${key}"] .state`, (el) => el.textContent);
  check(reproduced === after, `the link reproduces P(break-even) (${reproduced})`);
  check(shown === "fixed at " + value, `the link restores the control ("${shown}")`);

  // A full run.
  const before_full = await rendered();
  await page.click("#full-run");
  await waitRendered(before_full + 1);
  const fullPaths = await page.evaluate(() => info.default_paths.toLocaleString("en"));
  const ci = await page.$eval("#p-break-even .ci", (el) => el.textContent);
  check(ci.endsWith(" of " + fullPaths + " paths") &&
    new URL(page.url()).searchParams.get("paths") === fullPaths.replaceAll(",", ""),
    `the full run runs the scenario's ${fullPaths} paths and says so in the URL (${new URL(page.url()).search})`);

  if (screenshot) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log("wrote " + screenshot);
  }
  check(errors.length === 0, "no script errors or failed requests" + (errors.length ? ": " + errors.join("; ") : ""));

  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)];
  console.log(
    `slider-to-update latency over ${latencies.length} moves (${previewPaths} paths): ` +
      `median ${median.toFixed(0)} ms, min ${latencies[0].toFixed(0)} ms, max ${latencies.at(-1).toFixed(0)} ms`,
  );
  check(median < 1000, "the page updates in under a second (median)");
} catch (e) {
  console.error(e.message || e);
  failed = true;
} finally {
  await browser.close();
  server.kill("SIGINT");
  const { code, signal } = await serverExit;
  if (code !== 0) {
    console.error(`FAILED: simulate serve exited with ${code ?? signal} after SIGINT`);
    failed = true;
  } else {
    console.log("ok: Ctrl-C stopped the server (exit 0)");
  }
}
console.log(`browser test ${failed ? "FAILED" : "passed"} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
