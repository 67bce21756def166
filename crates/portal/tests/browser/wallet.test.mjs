// The wallet in a real browser against `publica dev`: a notary signs in with the demo key file (kept for the browser
// session, or on the computer when asked), anchors a document signed in the browser, and the receipt verifies with
// the CLI; a citizen approves a land transfer that a demo seller opened with the CLI, and the application shows the
// approval. A node that answers about another application, alters an application, or claims a clock a year ahead
// gets nothing signed.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CITIZENS = ["citizen-ada", "citizen-bruno", "citizen-chiara", "citizen-dmitri", "citizen-eun-ji"];
/** Demo lots tried for the transfer, far from the ones the demo itself transfers or mortgages. */
const CANDIDATE_PARCELS = ["NV-E4-102", "NV-E4-103", "NV-E4-202", "NV-F3-102", "NV-F3-103", "NV-D4-102", "NV-D4-103"];

/** The address a key file signs for, as `publica keys show` prints it. */
function addressOf(ctx, keyFile) {
  const out = ctx.cli(["keys", "show", keyFile], { api: false });
  const match = /^address\s+([0-9a-f]{40})$/m.exec(out);
  if (!match) throw new Error(`publica keys show printed no address:\n${out}`);
  return match[1];
}

/** Signs in on the wallet page with a key file and the demo passphrase; returns once the account is shown. */
async function signIn(ctx, page, keyFile) {
  await page.goto(`${ctx.base}/wallet`);
  await page.waitForSelector("#wallet-keyfile");
  await page.setInputFiles("#wallet-keyfile", keyFile);
  await page.fill("#wallet-passphrase", readFileSync(join(ctx.home, "dev-passphrase"), "utf8").trim());
  await page.click("#wallet-signin-button");
  await page.waitForSelector("#wallet-account", { timeout: 60_000 });
}

/** The key file as this page's browser keeps it, for the session and on the computer, and sessionStorage's keys. */
function storedFiles(page) {
  return page.evaluate(() => ({
    session: sessionStorage.getItem("publica.wallet.keyfile"),
    local: localStorage.getItem("publica.wallet.keyfile"),
    sessionKeys: Object.keys(sessionStorage),
  }));
}

/**
 * Looks application `number` up while the node's answer is changed by `change(json)`; returns the refusal shown,
 * after checking that nothing is offered for signing.
 */
async function lookUpAltered(ctx, page, number, change) {
  const url = `${ctx.base}/v1/registry/applications/${number}`;
  await page.route(url, async (route) => {
    const response = await route.fetch();
    const json = await response.json();
    change(json);
    await route.fulfill({ response, json });
  });
  try {
    await page.fill("#wallet-app-number", number);
    await page.click("#wallet-app-lookup-button");
    await page.waitForSelector("#wallet-app-error:not([hidden])", { timeout: 60_000 });
    if ((await page.$("#wallet-app-approve")) !== null) throw new Error("an altered application answer still offers Approve");
    return page.textContent("#wallet-app-error");
  } finally {
    await page.unroute(url);
  }
}

/** Waits for an action's verdict and returns its class and text. */
async function verdict(page, id) {
  await page.waitForSelector(`#${id}:not([hidden])`, { timeout: 120_000 });
  return page.$eval(`#${id}`, (el) => ({ cls: el.className, text: el.textContent }));
}

/** A demo parcel owned whole by one demo citizen, without encumbrances, and the seller's and a buyer's key names. */
async function pickTransfer(ctx, addresses) {
  for (const parcel of CANDIDATE_PARCELS) {
    const response = await fetch(`${ctx.base}/v1/land/parcels/${parcel}`);
    if (!response.ok) continue;
    const answer = await response.json();
    const owners = answer.title?.value?.owners ?? [];
    if (owners.length !== 1 || (answer.encumbrances ?? []).length > 0) continue;
    const seller = CITIZENS.find((name) => addresses[name] === owners[0].account);
    if (!seller) continue;
    const buyer = CITIZENS[(CITIZENS.indexOf(seller) + 1) % CITIZENS.length];
    return { parcel, seller, buyer };
  }
  throw new Error(`none of ${CANDIDATE_PARCELS.join(", ")} is owned whole by one demo citizen without encumbrances`);
}

export const tests = [
  {
    name: "a notary signs in, anchors a document from the browser, and the receipt verifies with the CLI",
    run: async (ctx) => {
      const { page } = ctx;
      const keyFile = join(ctx.home, "keys", "notary.json");
      const address = addressOf(ctx, keyFile);

      await page.goto(`${ctx.base}/wallet`);
      await page.waitForSelector("#wallet-keyfile");
      await page.fill("#wallet-passphrase", "wrong passphrase");
      await page.setInputFiles("#wallet-keyfile", keyFile);
      await page.click("#wallet-signin-button");
      await page.waitForSelector("#wallet-signin-error:not([hidden])", { timeout: 60_000 });
      const refusal = await page.textContent("#wallet-signin-error");
      if (!/passphrase is wrong/.test(refusal)) throw new Error(`a wrong passphrase showed: ${refusal}`);
      if ((await page.inputValue("#wallet-passphrase")) !== "") throw new Error("the passphrase field keeps a failed passphrase");
      await ctx.axe(page);

      await signIn(ctx, page, keyFile);
      const shown = await page.textContent("#wallet-account");
      if (!shown.includes(address) || !shown.includes("notary")) throw new Error(`the account card shows: ${shown}`);
      const stored = await storedFiles(page);
      if (stored.session !== readFileSync(keyFile, "utf8")) throw new Error("the browser does not keep the key file exactly as given (encrypted) for the session");
      if (stored.local !== null) throw new Error("the key file is kept on the computer (localStorage) though nobody asked");
      if (stored.sessionKeys.join() !== "publica.wallet.keyfile") throw new Error(`sessionStorage holds ${stored.sessionKeys}`);
      const chainId = (await (await fetch(`${ctx.base}/v1/status`)).json()).chain_id;
      await page.waitForSelector(`#wallet-anchor-terms[data-chain="${chainId}"]`);
      const terms = await page.textContent("#wallet-anchor-terms");
      if (!terms.includes(chainId) || !/not pinned/.test(terms)) throw new Error(`the anchoring form says: ${terms}`);

      const dir = mkdtempSync(join(tmpdir(), "wallet-doc-"));
      const doc = join(dir, "minutes.txt");
      const content = `Minutes of the council meeting, anchored from the browser at ${new Date().toISOString()}\n`;
      writeFileSync(doc, content);
      const hash = createHash("sha256").update(content).digest("hex");
      // The document is dropped on the drop zone, as a visitor would drag it from their desktop.
      await page.evaluate((text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "minutes.txt", { type: "text/plain" }));
        document.querySelector("#wallet-anchor .dropzone").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, content);
      await page.fill("#wallet-anchor-label", "council minutes");
      await page.click("#wallet-anchor-button");
      const result = await verdict(page, "wallet-anchor-verdict");
      if (!result.cls.includes("ok") || !/committed/.test(result.text)) throw new Error(`anchoring ended with: ${result.text}`);
      const checked = await page.textContent("#wallet-anchor-steps li:first-child");
      if (!checked.includes(chainId) || !/passed/.test(checked) || !/valid until/.test(checked)) throw new Error(`the first step says: ${checked}`);
      const link = await page.getAttribute("#wallet-anchor-receipt-link", "href");
      if (link !== `/v1/notary/receipts/${hash}`) throw new Error(`the receipt link is ${link}, not for ${hash}`);
      await ctx.axe(page);
      await ctx.screenshot(page, "wallet");

      const receipt = join(dir, "minutes.txt.tlog-proof");
      ctx.cli(["notary", "receipt", hash, "--out", receipt, "--witness-wait", "0"]);
      ctx.cli(["verify", receipt, doc, "--genesis", join(ctx.home, "genesis.json")]);

      // The decrypted key is gone on reload; the stored file asks for its passphrase again.
      await page.reload();
      await page.waitForSelector("#wallet-stored-note");
      await page.fill("#wallet-passphrase", readFileSync(join(ctx.home, "dev-passphrase"), "utf8").trim());
      await page.click("#wallet-signin-button");
      await page.waitForSelector("#wallet-account", { timeout: 60_000 });
      await page.click("#wallet-signout");
      await page.waitForSelector("#wallet-keyfile");
      const after = await storedFiles(page);
      if (after.session !== null || after.local !== null) throw new Error("signing out left the key file stored");

      // Asked to, the browser keeps the file on this computer instead, and signing out forgets it there too.
      await page.setInputFiles("#wallet-keyfile", keyFile);
      await page.fill("#wallet-passphrase", readFileSync(join(ctx.home, "dev-passphrase"), "utf8").trim());
      await page.check("#wallet-remember");
      await page.click("#wallet-signin-button");
      await page.waitForSelector("#wallet-account", { timeout: 60_000 });
      const remembered = await storedFiles(page);
      if (remembered.local !== readFileSync(keyFile, "utf8") || remembered.session !== null) {
        throw new Error("with \"Remember this key file on this computer\" ticked, the file is not (only) in localStorage");
      }
      await page.click("#wallet-signout");
      await page.waitForSelector("#wallet-keyfile");
      const forgotten = await storedFiles(page);
      if (forgotten.session !== null || forgotten.local !== null) throw new Error("signing out left the remembered key file stored");
    },
  },
  {
    name: "a citizen approves, from the browser, a land transfer a seller opened with the CLI",
    run: async (ctx) => {
      const { page } = ctx;
      const key = (name) => join(ctx.home, "keys", `${name}.json`);
      const addresses = Object.fromEntries(CITIZENS.map((name) => [name, addressOf(ctx, key(name))]));
      const { parcel, seller, buyer } = await pickTransfer(ctx, addresses);
      const opened = ctx.cli([
        "land", "transfer", "--key", key(seller), "--passphrase-file", join(ctx.home, "dev-passphrase"),
        "--parcel", parcel, "--to", addresses[buyer],
      ]);
      const number = /opened application (\d+)/.exec(opened)?.[1];
      if (!number) throw new Error(`publica land transfer printed no application number:\n${opened}`);

      // A registrar acting before the first stage is complete: the node refuses, and the page says why.
      await signIn(ctx, page, join(ctx.home, "keys", "land-registrar.json"));
      await page.fill("#wallet-app-number", number);
      await page.click("#wallet-app-lookup-button");
      await page.waitForSelector("#wallet-app-decide");
      await page.selectOption("#wallet-app-party", { label: "role registrar" });
      await page.click("#wallet-app-approve");
      const refused = await verdict(page, "wallet-app-verdict");
      if (!refused.cls.includes("bad") || !/Rejected: stage_not_reached\. \S/.test(refused.text)) {
        throw new Error(`an early registrar approval ended with: ${refused.text}`);
      }
      await page.click("#wallet-signout");

      await signIn(ctx, page, key(buyer));
      const other = await lookUpAltered(ctx, page, number, (json) => (json.application.id = String(Number(number) + 1)));
      if (!new RegExp(`asked for application ${number}, but the node answered about application ${Number(number) + 1}`).test(other)) {
        throw new Error(`an answer about another application showed: ${other}`);
      }
      const altered = await lookUpAltered(ctx, page, number, (json) => {
        json.application.value.stages[0][1] = { type: "account", value: "00".repeat(20) };
      });
      if (!/does not match its proofs: .*value\.stages\[0\]\[1\]\.value/.test(altered)) throw new Error(`an altered application showed: ${altered}`);
      await ctx.axe(page);

      await page.fill("#wallet-app-number", number);
      await page.click("#wallet-app-lookup-button");
      await page.waitForSelector("#wallet-app-decide", { timeout: 60_000 });
      const proof = await page.textContent("#wallet-app-proof");
      if (!/Proven in this browser/.test(proof)) throw new Error(`the application's proof line says: ${proof}`);
      const chainId = (await (await fetch(`${ctx.base}/v1/status`)).json()).chain_id;
      const terms = await page.textContent("#wallet-app-terms");
      if (!terms.includes(chainId)) throw new Error(`the decision form does not name network ${chainId}: ${terms}`);

      // A node claiming a block time a year ahead gets no signature.
      const statusUrl = `${ctx.base}/v1/status`;
      await page.route(statusUrl, async (route) => {
        const response = await route.fetch();
        const text = await response.text();
        const ahead = text.replace(/"last_block_time_ms":(\d+)/, (_, ms) => `"last_block_time_ms":${Number(ms) + 365 * 24 * 3600 * 1000}`);
        await route.fulfill({ response, body: ahead });
      });
      await page.click("#wallet-app-approve");
      const skewed = await verdict(page, "wallet-app-verdict");
      await page.unroute(statusUrl);
      if (!skewed.cls.includes("bad") || !/clock and the node's disagree: .*ahead of this computer's clock.*Nothing was signed/.test(skewed.text)) {
        throw new Error(`a node a year ahead ended with: ${skewed.text}`);
      }
      const party = `account:${addresses[buyer]}`;
      const options = await page.$$eval("#wallet-app-party option", (os) => os.map((o) => o.textContent));
      if (!options.some((o) => o.includes(addresses[buyer]))) throw new Error(`the buyer cannot act for themself: ${options}`);
      await ctx.axe(page);
      await page.click("#wallet-app-approve");
      const result = await verdict(page, "wallet-app-verdict");
      if (!result.cls.includes("ok") || !/committed/.test(result.text)) throw new Error(`approving ended with: ${result.text}`);
      await page.waitForSelector(`#wallet-app-parties li.check.ok[data-party="${party}"]`);
      await ctx.screenshot(page, "wallet-approve");

      const answer = await (await fetch(`${ctx.base}/v1/registry/applications/${number}`)).json();
      const approvals = answer.application.value.approvals;
      if (!approvals.some((a) => a.party.type === "account" && a.party.value === addresses[buyer] && a.by === addresses[buyer])) {
        throw new Error(`application ${number} shows no approval by the buyer: ${JSON.stringify(approvals)}`);
      }
      const shown = ctx.cli(["land", "application", number]);
      if (!shown.includes(addresses[buyer])) throw new Error(`publica land application ${number} does not name the buyer:\n${shown}`);
    },
  },
];
