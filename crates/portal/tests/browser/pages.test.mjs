// The pages the node renders: the start page in both languages, a parcel with its map and the as-of proof checked
// in the browser, a company with its ownership diagram and BODS download, a walk through the explorer from a
// block to a transaction to an account, a permit, a phone-sized screen, and the error pages.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Open `path` and fail unless the answer has `status`. */
async function open(ctx, path, status = 200) {
  const response = await ctx.page.goto(ctx.base + path);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}`);
  return response;
}

/** Click the page's "check the proof" button of `section` and wait for its verdict; every check must pass. */
async function checkProof(page, section) {
  await section.locator("button.verify-button").click();
  const verdict = section.locator(".verdict");
  await verdict.locator("xpath=self::*[contains(@class, 'ok') or contains(@class, 'bad')]").waitFor({ timeout: 60_000 });
  const failed = await section.locator("li.check.bad").allInnerTexts();
  assert.deepEqual(failed, [], `failed checks: ${failed.join(" | ")}`);
  assert.ok((await section.locator("li.check.ok").count()) >= 2, "the proof was checked in several steps");
  assert.match(await verdict.getAttribute("class"), /\bok\b/);
}

export const tests = [
  {
    name: "the start page reads in English and in Swedish, with times in the visitor's zone",
    run: async (ctx) => {
      const { page } = ctx;
      await open(ctx, "/");
      assert.equal(await page.locator("html").getAttribute("lang"), "en");
      assert.match(await page.locator("h1").innerText(), /Public records anyone can check/);
      // Times are written in UTC by the server and shown in the visitor's zone (Europe/Stockholm here) by the script.
      const time = page.locator("main time").first();
      await page.waitForFunction(() => !document.querySelector("main time").textContent.includes("UTC"));
      assert.match(await time.getAttribute("title"), /UTC$/);
      await ctx.axe(page);
      await ctx.screenshot(page, "start");
      await page.getByRole("link", { name: "Svenska" }).click();
      await page.waitForURL(/lang=sv/);
      assert.equal(await page.locator("html").getAttribute("lang"), "sv");
      assert.match(await page.locator("h1").innerText(), /Offentliga register/);
      // The choice sticks (a cookie) on the next page.
      await open(ctx, "/parcels");
      assert.match(await page.locator("h1").innerText(), /Fastighetsregistret/);
      await ctx.axe(page);
      await ctx.screenshot(page, "start-sv");
      await page.getByRole("link", { name: "English" }).click();
      await page.waitForURL(/lang=en/);
      assert.match(await page.locator("h1").innerText(), /Land registry/);
    },
  },
  {
    name: "a parcel shows its map, owners and history, and who owned it on a date with the proof checked here",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/");
      await page.getByRole("searchbox").fill("NV-A1-101");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/\/parcels\/NV-A1-101$/);
      assert.equal(await page.locator("svg.map path.subject").count(), 1, "the parcel is drawn");
      assert.ok((await page.locator("svg.map a path.neighbour").count()) >= 1, "its neighbours are drawn as links");
      assert.ok((await page.locator("main ul li a[href^='/accounts/']").count()) >= 1, "its owners are listed");
      await ctx.axe(page);
      await ctx.screenshot(page, "parcel");
      await checkProof(page, page.locator("main > section.proof"));
      // Who owned it a second after its title's latest version: the answer is fetched and its proofs checked in
      // the browser.
      const since = await page.locator("table tbody tr").first().locator("time").first().getAttribute("datetime");
      const when = new Date(Date.parse(since) + 1000).toISOString();
      await page.locator("#asof-at").fill(when);
      await page.getByRole("button", { name: "Ask" }).click();
      const result = page.locator("#asof-result");
      await result.locator(".verdict.ok, .verdict.bad").first().waitFor({ timeout: 60_000 });
      const failed = await result.locator("li.check.bad").allInnerTexts();
      assert.deepEqual(failed, [], `failed checks: ${failed.join(" | ")}`);
      assert.ok((await result.locator("a[href^='/accounts/']").count()) >= 1, "the owners then are shown");
      await ctx.axe(page);
      await ctx.screenshot(page, "parcel-as-of");
      // A neighbour opens from the map.
      await page.locator("svg.map a").first().click();
      await page.waitForURL(/\/parcels\/NV-/);
      assert.match(await page.locator("h1").innerText(), /Parcel NV-/);
    },
  },
  {
    name: "a company shows its officers, an ownership diagram, its filings and its BODS export",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/companies");
      await page.getByLabel("Company number or exact name").fill("Nordvik Sawmill AB");
      await page.getByRole("button", { name: "Find" }).click();
      await page.waitForURL(/\/companies\/\d{8}$/);
      assert.match(await page.locator("h1").innerText(), /Nordvik Sawmill AB/);
      assert.ok((await page.locator("svg.diagram g.node").count()) >= 2, "the owners are drawn");
      const href = await page.getByRole("link", { name: /BODS 0\.4/ }).getAttribute("href");
      const bods = await (await page.request.get(ctx.base + href)).json();
      assert.ok(Array.isArray(bods) && bods.length > 0 && bods[0].statementId, "the BODS export is a statement array");
      await ctx.axe(page);
      await ctx.screenshot(page, "company");
      await checkProof(page, page.locator("main > section.proof"));
    },
  },
  {
    name: "the explorer leads from a block to a transaction to its sender's account",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/blocks");
      await ctx.axe(page);
      await ctx.screenshot(page, "blocks");
      // The newest block, on the first page, holding a transaction whose sender is public: a transaction of a
      // private account (a wallet, a benefit claim) names no sender, and which demo transactions share the newest
      // blocks depends on how the node packed them.
      const rows = page.locator("tbody tr");
      const count = await rows.count();
      const blocks = [];
      for (let i = 0; i < count; i++) {
        if ((await rows.nth(i).locator("td").nth(2).innerText()) !== "0") {
          blocks.push(await rows.nth(i).locator("td a").first().getAttribute("href"));
        }
      }
      blocks.push("/blocks/2");
      let found = null;
      for (const block of blocks.slice(0, 8)) {
        await page.goto(ctx.base + block);
        const txs = await page.locator("a[href^='/tx/']").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
        for (const tx of txs.slice(0, 16)) {
          await page.goto(ctx.base + tx);
          if ((await page.locator("dd a[href^='/accounts/']").count()) > 0) {
            found = { block, tx };
            break;
          }
        }
        if (found) break;
      }
      assert.ok(found, "no block on the first page holds a transaction with a public sender");
      await page.goto(ctx.base + found.block);
      await page.waitForURL(/\/blocks\/\d+$/);
      await ctx.axe(page);
      await ctx.screenshot(page, "block");
      await checkProof(page, page.locator("main > section.proof"));
      await page.locator(`a[href='${found.tx}']`).first().click();
      await page.waitForURL(/\/tx\/[0-9a-f]{64}$/);
      assert.match(await page.locator(".badge").first().innerText(), /Committed/);
      await ctx.axe(page);
      await ctx.screenshot(page, "transaction");
      await page.locator("dd a[href^='/accounts/']").first().click();
      await page.waitForURL(/\/accounts\/[0-9a-f]{40}$/);
      assert.match(await page.locator("main").innerText(), /did:publica:/);
      await ctx.axe(page);
      await checkProof(page, page.locator("main > section.proof"));
      await ctx.screenshot(page, "account");
    },
  },
  {
    name: "a citizen's account lists her consents, and each consent who relied on it and when",
    run: async (ctx) => {
      const { page, home } = ctx;
      await ctx.pinGenesis();
      const keys = `${home}/keys`;
      const pass = ["--passphrase-file", `${home}/dev-passphrase`];
      const ada = "b75141ab8e2c3384daf0825f46243a655825e9da";
      const coastal = "cde27c4f7ffd4317ac311a29b0584b306fd0de8b";
      const dir = mkdtempSync(join(tmpdir(), "portal-consent-"));
      try {
        const kyc = join(dir, "kyc.sdjwt");
        ctx.cli(["credential", "issue", "--key", `${keys}/bank-officer.json`, ...pass, "--holder", ada,
          "--type", "https://publica.example/vct/kyc", "--claim", "given_name=Ada", "--claim", "family_name=Lovelace",
          "--claim", "birthdate=1990-12-10", "--claim", "nationality=NV", "--claim", "kyc_level=enhanced",
          "--claim", "verified_on=2026-11-30", "--status-list", "0", "--status-index", "41", "--out", kyc]);
        const until = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
        ctx.cli(["identity", "grant-consent", "--key", `${keys}/citizen-ada.json`, ...pass, "--grantee", coastal,
          "--credential", kyc, "--claims", "given_name,family_name,kyc_level", "--purpose", "account opening",
          "--until", until]);
        await open(ctx, `/accounts/${ada}`);
        const row = page.locator("main table tbody tr", { hasText: "account opening" }).first();
        await row.waitFor();
        const id = (await row.locator("td").first().innerText()).trim();
        ctx.cli(["identity", "use-consent", id, "--key", `${keys}/coastal-officer.json`, ...pass]);
        await open(ctx, `/consents/${id}`);
        assert.match(await page.locator("main").innerText(), /account opening/);
        assert.equal(await page.locator("main table tbody tr").count(), 1, "the one use is listed");
        assert.match(await page.locator("main table tbody tr td").nth(1).innerText(), /^cde27c4f/);
        await ctx.axe(page);
        await ctx.screenshot(page, "consent");
        await checkProof(page, page.locator("main > section.proof"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: "a permit shows its status now and on a date",
    run: async (ctx) => {
      const { page } = ctx;
      await open(ctx, "/permits/BP-2026-0002");
      assert.ok((await page.locator("dd .badge").count()) >= 1);
      const when = new Date(Date.now() - 60_000).toISOString();
      await page.locator("#permit-at").fill(when);
      await page.getByRole("button", { name: "Ask" }).click();
      await page.waitForURL(/at=/);
      assert.equal(await page.locator("div.card section.proof").count(), 1);
      await ctx.axe(page);
      await ctx.screenshot(page, "permit");
    },
  },
  {
    name: "pages fit a phone's width and the validators and notary pages read",
    run: async (ctx) => {
      const { page } = ctx;
      await page.setViewportSize({ width: 375, height: 812 });
      for (const path of ["/", "/parcels/NV-A1-101", "/validators", "/notary", "/blocks"]) {
        await open(ctx, path);
        const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path} is ${overflow} px wider than a phone's screen`);
      }
      await ctx.screenshot(page, "phone-blocks");
      await open(ctx, "/validators");
      await ctx.axe(page);
      await open(ctx, "/notary");
      await ctx.axe(page);
    },
  },
  {
    name: "a mistyped address or record gets a clear error page",
    run: async (ctx) => {
      const { page } = ctx;
      await open(ctx, "/no/such/page", 404);
      assert.match(await page.locator("h1").innerText(), /Page not found/);
      await ctx.axe(page);
      await open(ctx, "/parcels/NV-A1-10", 404);
      assert.match(await page.locator("[role=alert]").innerText(), /did you mean/);
      await ctx.axe(page);
      await ctx.screenshot(page, "not-found");
      await open(ctx, "/search?q=nothing-like-this", 404);
      assert.match(await page.locator("h1").innerText(), /Nothing found/);
      // The API keeps its JSON errors.
      const api = await page.request.get(ctx.base + "/v1/no-such-route");
      assert.equal(api.status(), 404);
      assert.equal((await api.json()).error.code, "not_found");
    },
  },
];
