// Runs the portal's browser tests: starts one `publica dev` network on a free loopback port and one headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core), then every *.test.mjs beside this file, each
// exporting `tests = [{ name, run: async (ctx) => {} }]`. Screenshots go to target/portal-screenshots/.
//
//   node crates/portal/tests/browser/run.mjs [--publica target/debug/publica] [--only SUBSTRING]
//
// It fails, never skips, when Chromium cannot start. The node and the browser are stopped and the network's home
// directory removed whatever happens.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..", "..", "..");
const web = resolve(here, "..", "..", "web");
const require = createRequire(join(web, "package.json"));
const { chromium } = require("playwright-core");
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const CHROMIUM = process.env.PUBLICA_CHROMIUM || "/usr/bin/chromium";
const READY_TIMEOUT_MS = 15 * 60 * 1000;
const TEST_TIMEOUT_MS = 5 * 60 * 1000;
const CLI_TIMEOUT_MS = 3 * 60 * 1000;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Start `publica dev` and resolve once it printed "Ready.". */
function startNode(publica, home, port) {
  const child = spawn(publica, ["dev", "--home", home, "--api", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", PUBLICA_LOG: process.env.PUBLICA_LOG || "warn" },
  });
  let out = "";
  let err = "";
  const ready = new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`publica dev was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("Ready.")) {
        clearTimeout(timer);
        ok();
      }
    });
    child.stderr.on("data", (d) => {
      err += d;
      if (err.length > 1 << 20) err = err.slice(-(1 << 19));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`publica dev exited with ${code} before it was ready:\n${out}\n${err.slice(-4000)}`));
    });
  });
  return { child, ready, log: () => err };
}

function stopNode(child) {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok();
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      ok();
    });
    child.kill("SIGTERM");
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    }),
  ]);
}

/**
 * What the page shows of its proof checks when a test fails, or that its script does not answer (busy in a loop):
 * each proof section's button (enabled, or disabled while its check runs), verdict and checks.
 */
async function pageState(page) {
  const state = page
    .evaluate(() =>
      [...document.querySelectorAll("section.proof")].map((s) => {
        const button = s.querySelector("button.verify-button");
        const checks = [...s.querySelectorAll("li.check")].map((li) => li.textContent.trim().slice(0, 200));
        return `${s.querySelector("h2, h3")?.textContent ?? "a proof"}: button ${button?.disabled ? "disabled" : "enabled"}, verdict "${s.querySelector(".verdict")?.className}", checks [${checks.join(" | ")}]`;
      }),
    )
    .then((sections) => `the page answers; its proof sections: ${sections.length ? sections.join("; ") : "none"}`);
  const busy = new Promise((resolve) => setTimeout(() => resolve("the page's script did not answer within 5 s: it is busy"), 5_000));
  return Promise.race([state, busy]).catch((e) => `the page could not be asked: ${e.message}`);
}

async function main() {
  const publica = resolve(option("--publica", join(root, "target", "debug", "publica")));
  const only = option("--only", "");
  const shots = join(root, "target", "portal-screenshots");
  mkdirSync(shots, { recursive: true });
  // Screenshots of failures are of this run only.
  for (const f of readdirSync(shots)) if (f.startsWith("failed-")) rmSync(join(shots, f), { force: true });
  if (!existsSync(publica)) throw new Error(`no publica binary at ${publica}: build it first (cargo build -p publica)`);
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium), as scripts/test.sh does`);
  }

  const files = readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort();
  const suites = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(join(here, file)).href);
    for (const test of mod.tests || []) suites.push({ file, ...test });
  }
  const selected = suites.filter((t) => !only || `${t.file} ${t.name}`.includes(only));
  if (selected.length === 0) throw new Error(`no browser test matches "${only}"`);

  const home = mkdtempSync(join(tmpdir(), "publica-portal-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const node = startNode(publica, home, port);
  let browser;
  const failures = [];
  try {
    let launchError;
    const launching = chromium
      .launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      })
      .catch((e) => {
        launchError = e;
      });
    await node.ready;
    browser = await launching;
    if (!browser) throw new Error(`Chromium (${CHROMIUM}) did not start: ${launchError?.message}`);
    console.log(`publica dev ready at ${base}; ${selected.length} browser tests`);

    const cli = (args, { api = true } = {}) => {
      const full = api ? [...args, "--api", base] : args;
      const run = spawnSync(publica, full, {
        encoding: "utf8",
        timeout: CLI_TIMEOUT_MS,
        env: { ...process.env, NO_COLOR: "1", PUBLICA_LOG: "warn" },
        maxBuffer: 64 << 20,
      });
      if (run.status !== 0) {
        throw new Error(`publica ${full.join(" ")} exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
      }
      return run.stdout;
    };
    const axe = async (page) => {
      // Evaluated through the DevTools protocol: the portal's Content-Security-Policy (rightly) refuses inline
      // scripts, and the check must not weaken it.
      if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(`${AXE_SOURCE};true`);
      const result = await page.evaluate(() =>
        window.axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
        }),
      );
      if (result.violations.length > 0) {
        const lines = result.violations.map(
          (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).join("\n    ")}`,
        );
        throw new Error(`axe-core found ${result.violations.length} accessibility violations on ${page.url()}:\n${lines.join("\n")}`);
      }
    };
    const screenshot = (page, name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    // Pin the node's genesis in the page's browser context, as a visitor does on /trust, so that proofs are checked
    // against it; returns once the pin is stored (the panel then says "yes"), never on the panel's other text.
    const pinGenesis = async (page) => {
      await page.goto(`${base}/trust`);
      await page.locator("#verify-trust-pin").click();
      await page.locator("#verify-trust-pinned", { hasText: /^yes/ }).waitFor();
    };

    for (const test of selected) {
      const context = await browser.newContext({ locale: "en-GB", timezoneId: "Europe/Stockholm" });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      // Requests the page has made and not seen finish, with when they left: a failure says which are still waiting.
      const inFlight = new Map();
      page.on("request", (r) => inFlight.set(r, Date.now()));
      const failed = [];
      page.on("requestfinished", (r) => inFlight.delete(r));
      page.on("requestfailed", (r) => {
        inFlight.delete(r);
        failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
      });
      page.on("response", (r) => {
        if (r.status() >= 500) failed.push(`${r.request().method()} ${r.url()}: answered ${r.status()}`);
      });
      page.on("console", (m) => {
        if (m.type() === "error") failed.push(`console: ${m.text()}`);
      });
      const started = Date.now();
      try {
        await withTimeout(
          test.run({ base, home, publica, page, context, browser, axe, screenshot, cli, pinGenesis: () => pinGenesis(page) }),
          TEST_TIMEOUT_MS,
          `${test.file}: ${test.name}`,
        );
        if (errors.length > 0) throw new Error(`the page threw: ${errors.join("; ")}`);
        console.log(`ok   ${test.file}: ${test.name} (${Date.now() - started} ms)`);
      } catch (e) {
        failures.push(test);
        console.log(`FAIL ${test.file}: ${test.name}\n  ${String(e?.stack || e).split("\n").join("\n  ")}`);
        for (const message of errors) console.log(`  the page threw: ${message}`);
        for (const [r, at] of inFlight) console.log(`  still waiting after ${Date.now() - at} ms: ${r.method()} ${r.url()}`);
        for (const f of failed) console.log(`  the browser reported: ${f}`);
        console.log(`  ${await pageState(page)}`);
        await screenshot(page, `failed-${test.file.replace(/\.test\.mjs$/, "")}-${failures.length}`).catch(() => {});
      } finally {
        await context.close();
      }
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopNode(node.child);
    rmSync(home, { recursive: true, force: true });
  }
  console.log(`${selected.length - failures.length} passed, ${failures.length} failed; screenshots in ${shots}`);
  if (failures.length > 0) process.exit(1);
}

main().catch((e) => {
  console.error(`browser tests: ${e?.stack || e}`);
  process.exit(1);
});
