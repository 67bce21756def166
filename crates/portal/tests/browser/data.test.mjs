// The personal-data pages against the demo of `publica dev`: the public page's study (with its counters), emergencies
// and retention rules, each proof checked in the browser; citizen Ada signs in on /data/log with her key file and
// sees the doctor's access released under her consent, then (after she revokes it with the CLI) the doctor's next
// request refused, and after she has the record erased its tombstone, every answer's proofs checked in the browser.
// An answer altered on its way (a study's counter, an access's purpose) fails the check that names what was altered;
// another citizen's key sees only that citizen's log, and watching it shows his own new request as it is committed;
// an official's key is told the log is a citizen's. In Swedish
// and at a phone's width too; axe checks every page.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Open `path` and fail unless the answer has `status`. */
async function open(ctx, path, status = 200) {
  const response = await ctx.page.goto(ctx.base + path);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}`);
  return response;
}

/** Press a proof section's button and wait for its verdict; returns the failed checks' texts. */
async function runCheck(section) {
  await section.locator("button.verify-button").click();
  await section.locator(".verdict").locator("xpath=self::*[contains(@class, 'ok') or contains(@class, 'bad')]").waitFor({ timeout: 60_000 });
  return section.locator("li.check.bad").allInnerTexts();
}

/** The address a key file signs for, as `publica keys show` prints it. */
function addressOf(ctx, keyFile) {
  const match = /^address\s+([0-9a-f]{40})$/m.exec(ctx.cli(["keys", "show", keyFile], { api: false }));
  if (!match) throw new Error(`publica keys show printed no address for ${keyFile}`);
  return match[1];
}

/** Sign in on /data/log with a key file (or the one the browser keeps) and the passphrase; waits for `selector`. */
async function signIn(ctx, keyFile, { passphrase = readFileSync(join(ctx.home, "dev-passphrase"), "utf8").trim(), wait = "#data-proofs-verdict[data-done]", path = "/data/log" } = {}) {
  const { page } = ctx;
  await open(ctx, path);
  await page.waitForSelector("#wallet-passphrase");
  if (keyFile && (await page.$("#wallet-keyfile"))) await page.setInputFiles("#wallet-keyfile", keyFile);
  await page.fill("#wallet-passphrase", passphrase);
  await page.click("#wallet-signin-button");
  await page.waitForSelector(wait, { timeout: 120_000 });
}

/** The log's rows: `{id, state, text}`. */
function logRows(page) {
  return page.$$eval("#data-log-table tbody tr", (rows) => rows.map((r) => ({ id: r.dataset.access, state: r.dataset.state, text: r.textContent })));
}

/** The overall verdict of the log's proofs, and the failed checks' texts. */
async function proofVerdict(page) {
  return {
    cls: await page.getAttribute("#data-proofs-verdict", "class"),
    text: await page.textContent("#data-proofs-verdict"),
    failed: await page.locator("#data-proofs li.check.bad").allInnerTexts(),
  };
}

export const tests = [
  {
    name: "the public data page shows the study, emergencies and retention rules, and their proofs check in the browser",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/");
      await page.getByRole("link", { name: "Personal data" }).first().click();
      await page.waitForURL(`${ctx.base}/data`);
      const study = page.locator("#study-1");
      const text = await study.innerText();
      assert.match(text, /research/);
      assert.match(text, /trial_arm/);
      assert.match(text, /approved by nordvik-health-authority/);
      const retention = page.locator("#retention-nordvik-health-authority");
      assert.match(await retention.innerText(), /health\.clinical-trial\s+3650/);
      for (const section of await page.locator("main section.proof").all()) {
        assert.deepEqual(await runCheck(section), [], `a proof section of /data failed`);
      }
      const facts = await study.locator(".verdict").innerText();
      assert.match(facts, /Verified/);
      await ctx.axe(page);
      await ctx.screenshot(page, "data");

      // A study's counter altered on its way fails the check that names it.
      await page.route((url) => url.pathname === "/v1/data/studies/1", async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        json.counters.released += 1;
        await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(json) });
      });
      await page.reload();
      const failed = await runCheck(page.locator("#study-1 section.proof"));
      assert.ok(failed.some((f) => /released/.test(f)), `an altered counter showed: ${failed.join(" | ")}`);
      await page.unrouteAll();

      await open(ctx, "/data?lang=sv");
      assert.match(await page.locator("h1").innerText(), /Personuppgifter/);
      assert.match(await page.locator("#study-1").innerText(), /godkänd av/);
      await ctx.axe(page);
      await page.setViewportSize({ width: 375, height: 812 });
      await open(ctx, "/data");
      await ctx.axe(page);
      await ctx.screenshot(page, "data-phone");
    },
  },
  {
    name: "Ada sees who read her record, the refusal after she revoked her consent and the erasure, with every proof checked",
    run: async (ctx) => {
      const { page } = ctx;
      const keys = join(ctx.home, "keys");
      const pass = ["--passphrase-file", join(ctx.home, "dev-passphrase")];
      const ada = join(keys, "citizen-ada.json");
      const doctor = addressOf(ctx, join(keys, "doctor.json"));
      await ctx.pinGenesis();

      // A wrong passphrase is said in words, and nothing is read.
      await signIn(ctx, ada, { passphrase: "not the passphrase", wait: "#wallet-signin-error:not([hidden])" });
      assert.match(await page.textContent("#wallet-signin-error"), /passphrase is wrong/);

      await signIn(ctx, ada);
      let verdict = await proofVerdict(page);
      assert.deepEqual(verdict.failed, []);
      assert.match(verdict.cls, /\bok\b/, verdict.text);
      let rows = await logRows(page);
      const released = rows.find((r) => r.state === "released");
      assert.ok(released, `no released access in ${JSON.stringify(rows)}`);
      assert.ok(released.text.includes(doctor) && released.text.includes("nordvik-hospital") && released.text.includes("treatment"), released.text);
      assert.match(released.text, /your consent 1/);
      assert.match(released.text, /health\.summary/);
      assert.match(await page.textContent("#data-consents-table"), new RegExp(doctor));
      assert.equal(await page.getAttribute("#data-records-table tr[data-record='1']", "data-state"), "active");
      await ctx.axe(page);

      // She revokes her consent; the doctor's next request is refused, and the refusal is in her log.
      ctx.cli(["data", "consent", "revoke", "1", "--key", ada, ...pass]);
      const dir = mkdtempSync(join(tmpdir(), "data-log-"));
      const key2 = join(dir, "doctor-key-2.json");
      ctx.cli(["data", "key", "new", "--out", key2], { api: false });
      let refusal = "";
      try {
        ctx.cli(["data", "request", "--record", "1", "--purpose", "treatment", "--consent", "1", "--recipient-key", key2, "--key", join(keys, "doctor.json"), ...pass]);
      } catch (e) {
        refusal = e.message;
      }
      assert.match(refusal, /consent_revoked/, "the doctor's request after the revocation is refused");
      // Then she has the record erased; the vault records the tombstone within a few seconds.
      ctx.cli(["data", "erase", "--record", "1", "--key", ada, ...pass]);
      for (let i = 0; i < 60 && !/erased/.test(ctx.cli(["data", "record", "1", "--key", ada, ...pass])); i++) await page.waitForTimeout(1000);

      // The browser keeps her encrypted key file for the session: the passphrase alone unlocks it.
      await signIn(ctx, null);
      verdict = await proofVerdict(page);
      assert.deepEqual(verdict.failed, []);
      assert.match(verdict.cls, /\bok\b/, verdict.text);
      rows = await logRows(page);
      const refused = rows.find((r) => r.state === "refused");
      assert.ok(refused, `no refused access in ${JSON.stringify(rows)}`);
      assert.match(refused.text, /consent_revoked/);
      assert.ok(rows.some((r) => r.state === "released"), "the earlier release stays in the log");
      assert.equal(await page.getAttribute("#data-records-table tr[data-record='1']", "data-state"), "erased");
      assert.match(await page.textContent("#data-records-table tr[data-record='1']"), /erased \(on your order\)/);
      assert.match(await page.textContent("#data-consents-table tr[data-consent='1']"), /revoked on/);
      await ctx.axe(page);
      await ctx.screenshot(page, "data-log");

      // An access altered on its way to the browser fails the check that names the altered field.
      await page.route((url) => url.pathname === "/v1/data/read", async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        if (json.answer?.query === "owner_log" && json.answer.accesses.items.length) json.answer.accesses.items[0].purpose = "marketing";
        await route.fulfill({ status: response.status(), contentType: "application/json", body: JSON.stringify(json) });
      });
      await signIn(ctx, null);
      verdict = await proofVerdict(page);
      assert.match(verdict.cls, /\bbad\b/, verdict.text);
      assert.ok(verdict.failed.some((f) => /purpose/.test(f) && /marketing/.test(f)), `an altered purpose showed: ${verdict.failed.join(" | ")}`);
      await page.unrouteAll();

      // In Swedish, at a phone's width.
      await page.setViewportSize({ width: 375, height: 812 });
      await signIn(ctx, null, { path: "/data/log?lang=sv" });
      assert.match(await page.textContent("#data-log-heading"), /Vem har läst dina uppgifter/);
      assert.match(await page.textContent("#data-proofs-verdict"), /Kontrollerat/);
      await ctx.axe(page);
      await ctx.screenshot(page, "data-log-phone");
    },
  },
  {
    name: "another citizen sees only their own log, and an official's key is told the log is a citizen's",
    run: async (ctx) => {
      const { page } = ctx;
      const keys = join(ctx.home, "keys");
      const ada = addressOf(ctx, join(keys, "citizen-ada.json"));
      const bruno = addressOf(ctx, join(keys, "citizen-bruno.json"));
      await ctx.pinGenesis();
      await signIn(ctx, join(keys, "citizen-bruno.json"));
      const verdict = await proofVerdict(page);
      assert.deepEqual(verdict.failed, []);
      const rows = await logRows(page);
      const shown = await page.textContent("#data-log-out");
      assert.ok(!shown.includes(ada), "Bruno's log names Ada");
      const records = await page.$$eval("#data-records-table tbody tr", (trs) => trs.map((tr) => tr.textContent));
      assert.ok(records.length >= 1, "Bruno has his records");
      assert.ok(rows.every((r) => !/doctor/.test(r.text)));
      assert.equal(await page.getAttribute("#wallet-account", "data-address"), bruno);

      // Watching the log: Bruno asks for his own record with the CLI, and the page shows the new access, proven.
      const record = await page.getAttribute("#data-records-table tbody tr", "data-record");
      await page.click("#data-watch-button");
      await page.waitForFunction(() => /Watching/.test(document.querySelector("#data-watch-status")?.textContent ?? ""), null, { timeout: 30_000 });
      const dir = mkdtempSync(join(tmpdir(), "data-watch-"));
      const key = join(dir, "bruno-recipient.json");
      ctx.cli(["data", "key", "new", "--out", key], { api: false });
      ctx.cli(["data", "request", "--record", record, "--purpose", "own-copy", "--own", "--recipient-key", key, "--key", join(keys, "citizen-bruno.json"), "--passphrase-file", join(ctx.home, "dev-passphrase")]);
      await page.waitForFunction(() => [...document.querySelectorAll("#data-log-table tbody tr")].some((tr) => tr.textContent.includes("own-copy")), null, { timeout: 60_000 });
      await page.waitForSelector("#data-proofs-verdict[data-done]", { timeout: 120_000 });
      assert.match(await page.textContent("#data-watch-status"), /was written or changed/);
      assert.deepEqual((await proofVerdict(page)).failed, []);
      const own = (await logRows(page)).find((r) => r.text.includes("own-copy"));
      assert.match(own.text, /you \(or your representative\)/);
      assert.match(own.text, /the owner's own request/);
      await page.click("#data-watch-button");

      await page.click("#wallet-signout");
      await signIn(ctx, join(keys, "doctor.json"), { wait: "#data-log-error" });
      assert.match(await page.textContent("#data-log-error"), /not to a citizen's/);
      await ctx.axe(page);
    },
  },
];
