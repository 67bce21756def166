// The /credentials page in Chromium: a credential issued and presented with the CLI is pasted, the browser checks it
// with the ledger's proofs (every check passed, the disclosed claims in a table, the proofs offered as a bundle the
// CLI's verifier accepts); a revoked or suspended one says so plainly.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { addressOf } from "../../web/src/verify/types.js";
import { fromBase64, toHex } from "../../web/src/bytes.js";

const TYPE = "https://publica.example/vct/diploma";

/** The account address of a demo key file (its public key is in the clear). */
function addressOfKeyFile(path) {
  const file = JSON.parse(readFileSync(path, "utf8"));
  return toHex(addressOf(fromBase64(file.public_key, "the key file's public key")));
}

/**
 * Issue a diploma to Ada (status entry `index` of the registrar's list 0), keep it in a fresh wallet and present
 * it with `disclose` to `aud` with `nonce`; returns the presentation's text.
 */
function issueAndPresent(ctx, { index, disclose, aud, nonce, degree }) {
  const keys = join(ctx.home, "keys");
  const pass = ["--passphrase-file", join(ctx.home, "dev-passphrase")];
  const dir = mkdtempSync(join(ctx.home, "credential-"));
  const issued = join(dir, "diploma.sdjwt");
  ctx.cli(["credential", "issue", "--key", join(keys, "university-registrar.json"), ...pass,
    "--holder", addressOfKeyFile(join(keys, "citizen-ada.json")), "--type", TYPE,
    "--claim", "given_name=Ada", "--claim", "family_name=Lovelace", "--claim", `degree=${degree}`,
    "--claim", "field=Mathematics", "--claim", "awarded=2026-06-12", "--status-list", "0", "--status-index", String(index), "--out", issued]);
  const wallet = join(dir, "wallet");
  ctx.cli(["wallet", "store", issued, "--wallet", wallet], { api: false });
  const out = join(dir, "presentation.json");
  ctx.cli(["wallet", "present", "diploma", "--key", join(keys, "citizen-ada.json"), ...pass, "--wallet", wallet,
    "--disclose", disclose, "--aud", aud, "--nonce", nonce, "--out", out], { api: false });
  return readFileSync(out, "utf8");
}

/** Wait until the page shows a verdict (passed, not confirmed or failed, not "checking"). */
async function verdictShown(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById("credential-verdict");
    return v && (v.classList.contains("ok") || v.classList.contains("bad") || v.classList.contains("pending"));
  }, null, { timeout: 120000 });
}

/** Paste a presentation with audience and nonce into /credentials, press Check, and wait for the verdict. */
async function check(ctx, text, aud, nonce) {
  const page = ctx.page;
  await page.goto(`${ctx.base}/credentials?lang=en`);
  await page.getByLabel("Presentation", { exact: true }).fill(text);
  await page.getByLabel(/Expected audience/).fill(aud);
  await page.getByLabel(/Expected nonce/).fill(nonce);
  await page.getByRole("button", { name: "Check" }).click();
  await verdictShown(page);
  return page;
}

/** The checks shown: `{ id: "passed" | "not performed" | "failed" }`, read from their words. */
async function checksShown(page) {
  return page.$$eval("#credential-checks li", (items) => Object.fromEntries(items.map((li) => {
    const words = li.querySelector("strong").textContent;
    return [li.dataset.check, words.endsWith("passed") ? "passed" : words.endsWith("not performed") ? "not performed" : "failed"];
  })));
}

export const tests = [
  {
    name: "credentials: a presentation issued by the CLI passes every check in the browser and shows its claims",
    run: async (ctx) => {
      const nonce = `n-${toHex(randomBytes(8))}`;
      const text = issueAndPresent(ctx, { index: 301, disclose: "given_name,family_name,degree", aud: ctx.base, nonce, degree: "MSc" });
      await ctx.pinGenesis();
      const page = await check(ctx, text, ctx.base, nonce);
      const verdict = await page.textContent("#credential-verdict");
      const checks = await checksShown(page);
      if (!verdict.startsWith("Valid")) throw new Error(`expected a valid credential, the page says: ${verdict} ${JSON.stringify(checks)}`);
      for (const id of ["issuer-key", "issuer-signature", "disclosures", "validity", "key-binding", "accreditation", "schema", "status"]) {
        if (checks[id] !== "passed") throw new Error(`check ${id} is not shown passed: ${JSON.stringify(checks)}`);
      }
      const claims = await page.$$eval("#credential-claims tbody tr", (rows) => rows.map((r) => r.textContent));
      for (const want of ["given_nameAda", "family_nameLovelace", "degreeMSc"]) {
        if (!claims.includes(want)) throw new Error(`the claims table lacks ${want}: ${JSON.stringify(claims)}`);
      }
      if (claims.some((c) => c.startsWith("field"))) throw new Error("a claim the holder did not disclose is shown");
      // The proofs the browser used, downloaded, are a bundle the CLI's own verifier accepts.
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#credential-bundle-download")]);
      const dir = mkdtempSync(join(ctx.home, "downloaded-"));
      const bundle = join(dir, "bundle.json");
      const presentation = join(dir, "presentation.json");
      await download.saveAs(bundle);
      writeFileSync(presentation, text);
      const verified = ctx.cli(["credential", "verify", presentation, "--bundle", bundle, "--genesis", join(ctx.home, "genesis.json"), "--aud", ctx.base, "--nonce", nonce]);
      if (!verified.startsWith("VALID")) throw new Error(`publica credential verify does not accept the downloaded bundle: ${verified}`);
      await ctx.axe(page);
      await ctx.screenshot(page, "credentials");
    },
  },
  {
    name: "credentials: a presentation loaded from a file, typed and submitted with the keyboard, with another nonce fails the key binding (Swedish page)",
    run: async (ctx) => {
      const nonce = `n-${toHex(randomBytes(8))}`;
      const text = issueAndPresent(ctx, { index: 302, disclose: "degree", aud: ctx.base, nonce, degree: "BSc" });
      const page = ctx.page;
      await page.goto(`${ctx.base}/credentials?lang=sv`);
      await page.getByLabel("Eller läs in den från en fil").setInputFiles({ name: "presentation.json", mimeType: "application/json", buffer: Buffer.from(text) });
      await page.waitForFunction(() => document.getElementById("credential-text").value.startsWith("{"));
      await page.getByLabel(/Förväntad mottagare/).focus();
      await page.keyboard.type(ctx.base);
      await page.keyboard.press("Tab");
      await page.keyboard.type("another-nonce");
      await page.keyboard.press("Enter");
      await verdictShown(page);
      const checks = await checksShown(page);
      if (checks["key-binding"] !== "failed") throw new Error(`the key binding should fail: ${JSON.stringify(checks)}`);
      const verdict = await page.textContent("#credential-verdict");
      if (!verdict.startsWith("Inte giltigt")) throw new Error(`unexpected verdict: ${verdict}`);
      const words = await page.textContent("#credential-checks li[data-check='key-binding'] strong");
      if (!words.endsWith("underkänd")) throw new Error(`the failed check is not said in words: ${words}`);
      if (await page.$("#credential-claims")) throw new Error("claims are shown for a presentation that failed");
      await ctx.axe(page);
      await ctx.screenshot(page, "credentials-failed-sv");
    },
  },
  {
    name: "credentials: a suspended credential is shown as suspended",
    run: async (ctx) => {
      const nonce = `n-${toHex(randomBytes(8))}`;
      const text = issueAndPresent(ctx, { index: 304, disclose: "degree", aud: ctx.base, nonce, degree: "MA" });
      ctx.cli(["identity", "set-status", "--key", join(ctx.home, "keys", "university-registrar.json"),
        "--passphrase-file", join(ctx.home, "dev-passphrase"), "--list", "0", "--status", "suspended", "--index", "304"]);
      const page = await check(ctx, text, ctx.base, nonce);
      const verdict = await page.textContent("#credential-verdict");
      const status = await page.getAttribute("#credential-verdict", "data-status");
      if (status !== "suspended" || !verdict.includes("SUSPENDED")) throw new Error(`expected "suspended", the page says: ${verdict}`);
    },
  },
  {
    name: "credentials: a revoked credential is shown as revoked",
    run: async (ctx) => {
      const nonce = `n-${toHex(randomBytes(8))}`;
      const text = issueAndPresent(ctx, { index: 303, disclose: "given_name,degree", aud: ctx.base, nonce, degree: "PhD" });
      ctx.cli(["identity", "set-status", "--key", join(ctx.home, "keys", "university-registrar.json"),
        "--passphrase-file", join(ctx.home, "dev-passphrase"), "--list", "0", "--status", "revoked", "--index", "303"]);
      const page = await check(ctx, text, ctx.base, nonce);
      const verdict = await page.textContent("#credential-verdict");
      const status = await page.getAttribute("#credential-verdict", "data-status");
      if (status !== "revoked" || !verdict.includes("REVOKED")) throw new Error(`expected "revoked", the page says: ${verdict}`);
      const checks = await checksShown(page);
      if (checks.status !== "failed") throw new Error(`the status check should fail: ${JSON.stringify(checks)}`);
      await ctx.axe(page);
      await ctx.screenshot(page, "credentials-revoked");
    },
  },
  {
    name: "credentials: without audience and nonce, or a pinned genesis, the presentation is not confirmed, and the page says why",
    run: async (ctx) => {
      const nonce = `n-${toHex(randomBytes(8))}`;
      const text = issueAndPresent(ctx, { index: 305, disclose: "degree", aud: ctx.base, nonce, degree: "MA" });
      const page = await check(ctx, text, "", "");
      const checks = await checksShown(page);
      const verdict = await page.textContent("#credential-verdict");
      const classes = await page.getAttribute("#credential-verdict", "class");
      if (checks["key-binding"] !== "not performed" || checks.genesis !== "not performed") throw new Error(`the key binding and the genesis should be not performed: ${JSON.stringify(checks)}`);
      if (verdict.startsWith("Valid") || !classes.includes("pending") || !/replayed copy/.test(verdict) || !/not pinned/.test(verdict)) throw new Error(`the verdict should say the presentation is not confirmed and why: ${verdict}`);
      if ((await page.getAttribute("#credential-verdict", "data-status")) !== "unconfirmed") throw new Error("the verdict's status is not `unconfirmed`");
      if ((await page.locator("#credential-checks li.check.pending").count()) !== 2) throw new Error("the checks not performed are not marked pending");
      await ctx.axe(page);
    },
  },
];
