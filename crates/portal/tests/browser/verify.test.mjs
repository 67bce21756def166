// The verifier in a real browser: a document anchored with the CLI is checked on /verify (its SHA-256 computed by
// the page, its receipt fetched and verified with the validators' keys), a changed file and a tampered receipt
// fail in words, the trust panel pins a genesis and a pinned genesis of another network is reported, and the
// proof sections and the as-of form of a parcel page check their answers in the browser, tied to the record the page
// shows (a tampered answer fails "Page matches the proofs"), with what the proofs establish shown beside the page.
// Without a pinned genesis (or pinned witnesses) the checks resting on the node's word are "not performed".
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Anchor a new file with the demo notary's key; returns `{ dir, file, bytes, hash, receipt }`. */
function anchorFile(ctx, text) {
  const dir = mkdtempSync(join(tmpdir(), "publica-verify-"));
  const file = join(dir, "decision.txt");
  writeFileSync(file, text);
  const receipts = join(dir, "receipts");
  ctx.cli(["anchor", file, "--key", join(ctx.home, "keys", "notary.json"), "--passphrase-file", join(ctx.home, "dev-passphrase"), "--receipts", receipts]);
  const name = readdirSync(receipts).find((f) => f.endsWith(".tlog-proof"));
  if (!name) throw new Error(`publica anchor wrote no receipt in ${receipts}`);
  const bytes = readFileSync(file);
  return { dir, file, bytes, hash: createHash("sha256").update(bytes).digest("hex"), receipt: readFileSync(join(receipts, name), "utf8") };
}

/** A file for an input: name, MIME type and contents. */
function upload(name, contents) {
  return { name, mimeType: "application/octet-stream", buffer: Buffer.from(contents) };
}

/** Wait for the verdict in `scope` (a CSS selector) and return the checks' and the verdict's texts. */
async function outcome(page, scope) {
  const verdict = page.locator(`${scope} p.verdict.ok, ${scope} p.verdict.bad, ${scope} p.verdict.pending`).first();
  await verdict.waitFor({ timeout: 60_000 });
  const checks = await page.locator(`${scope} li.check`).evaluateAll((items) =>
    items.map((li) => ({ ok: li.classList.contains("ok"), bad: li.classList.contains("bad"), pending: li.classList.contains("pending"), text: li.textContent })),
  );
  const classes = await verdict.getAttribute("class");
  return { ok: classes.includes("ok"), pending: classes.includes("pending"), verdict: await verdict.textContent(), checks };
}

/** Throw unless every check passed, in words and class, but those labelled in `notPerformed`, said not performed. */
function expectAllPassed(result, what, notPerformed = []) {
  const right = (c) => {
    const label = notPerformed.find((l) => c.text.startsWith(`${l}:`));
    return label ? c.pending && c.text.startsWith(`${label}: not performed`) : c.ok && /: passed/.test(c.text);
  };
  const pendingShown = result.checks.filter((c) => c.pending).length;
  if ((notPerformed.length ? !result.pending : !result.ok) || result.checks.length < 5 || !result.checks.every(right) || pendingShown !== notPerformed.length) {
    throw new Error(`${what}: expected every check passed${notPerformed.length ? ` but ${notPerformed.join(", ")} not performed` : ""}, got ${JSON.stringify(result)}`);
  }
}

/** Throw unless the check labelled `label` failed, in words and class, and the verdict names it. */
function expectFailed(result, label, what) {
  const failed = result.checks.find((c) => c.bad);
  if (result.ok || !failed || !failed.text.startsWith(`${label}: failed`) || !result.verdict.includes(label)) {
    throw new Error(`${what}: expected "${label}: failed", got ${JSON.stringify(result)}`);
  }
}

export const tests = [
  {
    name: "an anchored document verifies on /verify, every check passed, its receipt offered for download",
    run: async (ctx) => {
      const doc = anchorFile(ctx, `Council decision ${Date.now()}: the verify page checks this file.\n`);
      const { page } = ctx;
      await page.goto(`${ctx.base}/verify`);
      await page.locator("#verify-document").setInputFiles(upload("decision.txt", doc.bytes));
      // Nothing pinned: the genesis and the witnesses are the node's word, and the verdict says so.
      const unpinned = await outcome(page, "#verify-document-part");
      expectAllPassed(unpinned, "the anchored document, nothing pinned", ["Trusted genesis", "Witnesses"]);
      if (!unpinned.verdict.includes("not pinned") || /^Verified/.test(unpinned.verdict)) throw new Error(`the verdict does not say the keys are not pinned: ${unpinned.verdict}`);
      await page.locator("#verify-trust-pin").click();
      await page.locator("#verify-trust-pinned", { hasText: "yes" }).waitFor();
      await page.locator("#verify-document").setInputFiles([]);
      await page.locator("#verify-document").setInputFiles(upload("decision.txt", doc.bytes));
      await page.locator("#verify-document-part li.check", { hasText: "you pinned" }).waitFor({ timeout: 60_000 });
      const result = await outcome(page, "#verify-document-part");
      expectAllPassed(result, "the anchored document, its genesis pinned", ["Witnesses"]);
      const shown = await page.locator("#verify-document-hash").textContent();
      if (shown !== doc.hash) throw new Error(`the page shows SHA-256 ${shown}, the file's is ${doc.hash}`);
      const link = page.locator("#verify-receipt-download");
      if ((await link.getAttribute("download")) !== `${doc.hash}.tlog-proof`) throw new Error("the receipt link has the wrong file name");
      if (!(await link.getAttribute("href")).startsWith("blob:")) throw new Error("the receipt link is not a Blob URL");
      const download = await Promise.all([page.waitForEvent("download"), link.click()]).then(([d]) => d);
      const saved = readFileSync(await download.path(), "utf8");
      if (!saved.startsWith("c2sp.org/tlog-proof@v1\n")) throw new Error("the downloaded receipt is not a tlog-proof");
      await ctx.axe(page);
      await ctx.screenshot(page, "verify");
    },
  },
  {
    name: "a changed file is reported as never anchored, in words",
    run: async (ctx) => {
      const doc = anchorFile(ctx, `Permit decision ${Date.now()}.\n`);
      const changed = Buffer.from(doc.bytes);
      changed[0] ^= 0x20;
      const { page } = ctx;
      await page.goto(`${ctx.base}/verify`);
      await page.locator("#verify-document").setInputFiles(upload("decision.txt", changed));
      const result = await outcome(page, "#verify-document-part");
      expectFailed(result, "Anchored on this network", "the changed file");
      if (!result.checks[0].text.includes("never anchored")) throw new Error(`the failure does not say "never anchored": ${result.checks[0].text}`);
      await ctx.axe(page);
      await ctx.screenshot(page, "verify-changed-file");
    },
  },
  {
    name: "a receipt file: valid with its document, the failed check named for a changed file or a tampered receipt",
    run: async (ctx) => {
      const doc = anchorFile(ctx, `Deed ${Date.now()}.\n`);
      const { page } = ctx;
      await ctx.pinGenesis();
      await page.goto(`${ctx.base}/verify`);
      const check = async (receipt, document) => {
        await page.locator("#verify-receipt-file").setInputFiles(upload(`${doc.hash}.tlog-proof`, receipt));
        await page.locator("#verify-receipt-document").setInputFiles(document ? upload("deed.txt", document) : []);
        // Forget the previous outcome, so that the next one is awaited.
        await page.evaluate(() => document.querySelector("#verify-receipt-part p.verdict").setAttribute("class", "verdict"));
        await page.locator("#verify-receipt-check").click();
        return outcome(page, "#verify-receipt-part");
      };
      expectAllPassed(await check(doc.receipt, doc.bytes), "the receipt with its document", ["Witnesses"]);
      const changed = Buffer.concat([doc.bytes, Buffer.from(" ")]);
      expectFailed(await check(doc.receipt, changed), "Document hash", "the receipt with a changed document");
      // A validator's ML-DSA-44 cosignature altered in the receipt.
      const lines = doc.receipt.split("\n");
      const sig = lines.findIndex((l) => l.startsWith("\u2014 ") && l.length > 1000);
      const forged = lines.map((l, i) => (i === sig ? l.slice(0, 400) + (l[400] === "A" ? "B" : "A") + l.slice(401) : l)).join("\n");
      expectFailed(await check(forged, doc.bytes), "Checkpoint signatures", "a receipt with a forged signature");
      // The entry's document hash altered: the inclusion proof no longer binds it to the signed root.
      const extra = lines.findIndex((l) => l.startsWith("extra "));
      const moved = lines.map((l, i) => (i === extra ? l.slice(0, 12) + (l[12] === "A" ? "B" : "A") + l.slice(13) : l)).join("\n");
      expectFailed(await check(moved, null), "Inclusion in the log", "a receipt with an altered entry");
      await ctx.axe(page);
      await ctx.screenshot(page, "verify-tampered-receipt");
    },
  },
  {
    name: "the trust panel pins the node's genesis, and a pinned genesis of another network stops verification",
    run: async (ctx) => {
      const doc = anchorFile(ctx, `Minutes ${Date.now()}.\n`);
      const { page } = ctx;
      await page.goto(`${ctx.base}/verify`);
      const genesis = readFileSync(join(ctx.home, "genesis.json"), "utf8");
      const hash = createHash("sha256").update(JSON.stringify(JSON.parse(genesis))).digest("hex");
      await page.locator("#verify-trust-hash").waitFor();
      await page.locator("#verify-trust-pin").click();
      await page.locator("#verify-trust-pinned", { hasText: "yes" }).waitFor();
      if ((await page.locator("#verify-trust-hash").textContent()) !== hash) throw new Error("the panel shows another genesis hash than the node's");
      await page.locator("#verify-document").setInputFiles(upload("minutes.txt", doc.bytes));
      const pinned = await outcome(page, "#verify-document-part");
      expectAllPassed(pinned, "with the node's genesis pinned", ["Witnesses"]);
      if (!pinned.checks[0].text.includes("you pinned")) throw new Error(`the genesis check does not say it is pinned: ${pinned.checks[0].text}`);
      // Pin another network's genesis (another chain id): the node's answers are no longer trusted.
      const other = JSON.stringify({ ...JSON.parse(genesis), chain_id: "another-network" }, null, 2);
      await page.locator("#verify-trust-file").setInputFiles(upload("genesis.json", other));
      await page.locator("#verify-trust-status", { hasText: "pinned" }).waitFor();
      await page.reload();
      await page.locator("#verify-document").setInputFiles(upload("minutes.txt", doc.bytes));
      expectFailed(await outcome(page, "#verify-document-part"), "Trusted genesis", "with another network's genesis pinned");
      await ctx.axe(page);
      await page.locator("#verify-trust-unpin").click();
      await page.locator("#verify-trust-pinned", { hasText: "no" }).waitFor();
    },
  },
  {
    name: "the /trust page pins and unpins the genesis",
    run: async (ctx) => {
      const { page } = ctx;
      await page.goto(`${ctx.base}/trust`);
      await page.locator("#trust-app #verify-trust-hash").waitFor();
      await page.locator("#verify-trust-pin").click();
      await page.locator("#verify-trust-pinned", { hasText: "yes" }).waitFor();
      await ctx.axe(page);
      await ctx.screenshot(page, "trust");
      await page.locator("#verify-trust-unpin").click();
      await page.locator("#verify-trust-pinned", { hasText: "no" }).waitFor();
    },
  },
  {
    name: "a parcel page checks its proofs tied to the parcel shown, shows what they establish, and an as-of answer",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await page.goto(`${ctx.base}/parcels/NV-A1-101`);
      const scope = "section.proof[data-verify-record='parcel:NV-A1-101']";
      await page.locator(`${scope} button.verify-button`).click();
      const result = await outcome(page, scope);
      expectAllPassed(result, "the parcel's proofs");
      for (const label of ["Record shown", "Every needed proof", "Page matches the proofs"]) {
        if (!result.checks.some((c) => c.text.startsWith(`${label}: passed`))) throw new Error(`no "${label}: passed" check: ${JSON.stringify(result.checks)}`);
      }
      const owner = await page.evaluate(async () => (await (await fetch("/v1/land/parcels/NV-A1-101")).json()).title.value.owners[0].account);
      const facts = page.locator(`${scope} dl.facts.proven`);
      if (!(await facts.textContent()).includes(owner)) throw new Error(`the proven facts do not name owner ${owner}: ${await facts.textContent()}`);
      const block = await page.evaluate(async () => (await (await fetch("/v1/blocks/latest")).json()).header.time_ms);
      await page.locator("#asof-at").fill(new Date(block - 1000).toISOString());
      await page.locator("#asof-form button[type=submit]").click();
      const asOf = await outcome(page, "#asof-result");
      expectAllPassed(asOf, "the as-of answer");
      if ((await page.locator("#asof-result ul li").count()) < 1) throw new Error("the as-of result lists no owner");
      if (!page.url().endsWith("/parcels/NV-A1-101")) throw new Error(`the form navigated to ${page.url()}: it must be handled in the page`);
      await ctx.axe(page);
      await ctx.screenshot(page, "parcel-proofs");
    },
  },
  {
    name: "a parcel's answer with an owner changed in transit fails the check that the page matches the proofs",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await page.route("**/v1/land/parcels/NV-A1-101", async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        json.title.value.owners[0].account = "0".repeat(40);
        await route.fulfill({ response, json });
      });
      await page.goto(`${ctx.base}/parcels/NV-A1-101`);
      const scope = "section.proof[data-verify-record='parcel:NV-A1-101']";
      await page.locator(`${scope} button.verify-button`).click();
      const result = await outcome(page, scope);
      expectFailed(result, "Page matches the proofs", "an answer with another owner");
      if (await page.locator(`${scope} dl.facts.proven`).count()) throw new Error("facts are shown for an answer that failed");
      await ctx.axe(page);
    },
  },
  {
    name: "a permit's status now says the time its proofs establish it for, never now; an account's page is tied to its record",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await page.goto(`${ctx.base}/permits/BP-2026-0002`);
      const permit = "section.proof[data-verify-record='permit:BP-2026-0002']";
      if (await page.locator(`${permit}[data-verify-at]`).count()) throw new Error("the permit's status now carries a time asked");
      await page.locator(`${permit} button.verify-button`).click();
      const result = await outcome(page, permit);
      expectAllPassed(result, "the permit's status");
      const time = result.checks.find((c) => c.text.startsWith("Time proven: passed"));
      if (!time || /\bnow\b/i.test(time.text) || !/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/.test(time.text)) throw new Error(`no time proven in words: ${JSON.stringify(result.checks)}`);
      const address = "b74d22a67e83017f50f00b3f79a5f87031d23b58";
      await page.goto(`${ctx.base}/accounts/${address}`);
      const account = `section.proof[data-verify-record='account:${address}']`;
      await page.locator(`${account} button.verify-button`).click();
      expectAllPassed(await outcome(page, account), "the account's proofs");
      if (!(await page.locator(`${account} dl.facts.proven`).textContent()).includes("civil-registry")) throw new Error("the account's proven agency is not shown");
      await ctx.axe(page);
    },
  },
  {
    name: "a block's, an application's and a company's pages are tied to their records, with what the proofs establish",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      const company = await page.evaluate(async () => (await (await fetch("/v1/business/companies?name=Nordvik%20Sawmill%20AB")).json()).company);
      for (const [path, record, expected] of [
        ["/blocks/5", "block:5", "5"],
        ["/applications/1", "application:1", "approved"],
        [`/companies/${company}`, `company:${company}`, "Nordvik Sawmill AB"],
      ]) {
        await page.goto(`${ctx.base}${path}`);
        const scope = `section.proof[data-verify-record='${record}']`;
        await page.locator(`${scope} button.verify-button`).click();
        expectAllPassed(await outcome(page, scope), `the proofs of ${record}`);
        const facts = await page.locator(`${scope} dl.facts.proven`).textContent();
        if (!facts.includes(expected)) throw new Error(`the proven facts of ${record} do not show ${expected}: ${facts}`);
      }
      await ctx.axe(page);
      await ctx.screenshot(page, "company-proofs");
      // In Swedish: the labels, the words "passed" and the fixed details.
      await page.goto(`${ctx.base}/blocks/5?lang=sv`);
      const scope = "section.proof[data-verify-record='block:5']";
      await page.locator(`${scope} button.verify-button`).click();
      await page.locator(`${scope} p.verdict.ok`).waitFor({ timeout: 60_000 });
      const words = await page.locator(`${scope} li.check`).allInnerTexts();
      if (!words.every((w) => /: godkänd/.test(w)) || !words.some((w) => /validerare signerade/.test(w))) throw new Error(`the checks are not in Swedish: ${JSON.stringify(words)}`);
      if (!(await page.locator(`${scope} div.proven-facts`).innerText()).includes("Vad bevisen fastställer")) throw new Error("the proven facts are not headed in Swedish");
      await ctx.axe(page);
    },
  },
  {
    name: "pinned witness keys are required on receipts: a witness that did not cosign fails the witness check",
    run: async (ctx) => {
      const doc = anchorFile(ctx, `Register extract ${Date.now()}.\n`);
      const { page } = ctx;
      await ctx.pinGenesis();
      await page.goto(`${ctx.base}/verify`);
      const box = page.getByLabel("Witness keys (one a line)");
      await box.fill("not a witness key");
      await page.locator("#verify-witness-pin").click();
      await page.locator("#verify-witness-status", { hasText: "not witness keys" }).waitFor();
      // A C2SP verifier key of an ML-DSA-44 witness (type 0x06) that never cosigned this network's checkpoints.
      const name = "witness.example.org/w1";
      const material = Buffer.concat([Buffer.from([0x06]), randomBytes(1312)]);
      const id = createHash("sha256").update(Buffer.concat([Buffer.from(`${name}\n`), material])).digest().subarray(0, 4).toString("hex");
      await box.fill(`${name}+${id}+${material.toString("base64")}`);
      await page.locator("#verify-witness-pin").click();
      await page.locator("#verify-witness-status", { hasText: "1 witness keys are pinned" }).waitFor();
      await page.locator("#verify-document").setInputFiles(upload("extract.txt", doc.bytes));
      expectFailed(await outcome(page, "#verify-document-part"), "Witnesses", "a receipt no pinned witness cosigned");
      await box.fill("");
      await page.locator("#verify-witness-pin").click();
      await page.locator("#verify-witness-status", { hasText: "No witness keys are pinned" }).waitFor();
      await ctx.axe(page);
    },
  },
  {
    name: "a file larger than one hashing slice gets its exact SHA-256, computed in the page slice by slice",
    run: async (ctx) => {
      const { page } = ctx;
      const bytes = randomBytes(9 * 1024 * 1024 + 123);
      await page.goto(`${ctx.base}/verify`);
      await page.locator("#verify-document").setInputFiles(upload("large.bin", bytes));
      const result = await outcome(page, "#verify-document-part");
      const shown = await page.locator("#verify-document-hash").textContent();
      const hash = createHash("sha256").update(bytes).digest("hex");
      if (shown !== hash) throw new Error(`the page shows SHA-256 ${shown}, the file's is ${hash}`);
      expectFailed(result, "Anchored on this network", "a file never anchored");
    },
  },
];
