// The procurement pages against the demo of `publica dev`: tender 1 "Harbour road repair" (three sealed bids, opened
// two minutes after the start) and tender 2 "Library roof renewal" (open for thirty days, one sealed bid). The tests
// hold whatever the time: tender 2 stands for the sealed state, tender 1 only for what does not change. The list shows
// both tenders and says what a red flag is, tender 2's page says its bid is sealed and shows its hash, its proof is
// checked in the browser, and bad addresses get the error pages; axe checks every page.
import assert from "node:assert/strict";

/** Open `path` and fail unless the answer has `status`. */
async function open(ctx, path, status = 200) {
  const response = await ctx.page.goto(ctx.base + path);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}`);
  return response;
}

export const tests = [
  {
    name: "the procurement list shows both tenders and the red flags; tender 2's bid is sealed, its hash shown and its proof checked",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/");
      await page.locator("header nav").getByRole("link", { name: "Procurement" }).click();
      await page.waitForURL(/\/procurement$/);
      assert.equal(await page.locator("h1").innerText(), "Public procurement");
      assert.equal(await page.locator("header nav a[aria-current=page]").innerText(), "Procurement");
      const rows = page.locator("table#tenders-list tbody tr");
      assert.equal(await rows.count(), 2, "the demo's two tenders");
      assert.match(await rows.nth(0).innerText(), /Harbour road repair/);
      assert.match(await rows.nth(1).innerText(), /Library roof renewal[\s\S]*450,000\sEUR/);
      assert.match(await page.locator("main").innerText(), /A red flag is a question to ask of a tender, not a finding/);
      await ctx.axe(page);
      await ctx.screenshot(page, "procurement");

      await page.getByRole("link", { name: "Library roof renewal" }).click();
      await page.waitForURL(/\/procurement\/tenders\/2$/);
      assert.equal(await page.locator("h1").innerText(), "Library roof renewal");
      const api = await (await page.request.get(`${ctx.base}/v1/procurement/tenders/2/bids`)).json();
      assert.equal(api.bids.length, 1, "one bid");
      const bids = page.locator("ol#tender-bids > li");
      assert.equal(await bids.count(), 1);
      const bid = await bids.first().innerText();
      assert.match(bid, /sealed\s+Nobody can read this bid before the opening time/);
      assert.ok(bid.includes(api.bids[0].sealed_sha256), "the sealed box's SHA-256 is shown");
      assert.match(bid, new RegExp(`${api.bids[0].sealed_bytes.toLocaleString("en")} bytes`));
      assert.match(await page.locator("table#tender-lots").innerText(), /Library roof\s+450,000/);
      assert.match(await page.locator("table#tender-items").innerText(), /\d{8}-\d/, "the items' CPV codes");
      assert.equal(await page.getByRole("link", { name: /Open Contracting data/ }).getAttribute("href"), "/v1/procurement/tenders/2/ocds");
      await ctx.axe(page);
      await ctx.screenshot(page, "procurement-tender");

      const section = page.locator("main section.proof");
      await section.locator("button.verify-button").click();
      await section.locator(".verdict").locator("xpath=self::*[contains(@class, 'ok') or contains(@class, 'bad')]").waitFor({ timeout: 60_000 });
      const failed = await section.locator("li.check.bad").allInnerTexts();
      assert.deepEqual(failed, [], `failed checks: ${failed.join(" | ")}`);
      const passed = await section.locator("li.check.ok").allInnerTexts();
      for (const check of ["Record shown", "Every needed proof", "Page matches the proofs"]) {
        assert.ok(passed.some((c) => c.startsWith(check)), `the check "${check}" passed: ${passed.join(" | ")}`);
      }
      assert.match(await section.locator(".verdict").getAttribute("class"), /\bok\b/);
      const facts = await section.locator("div.proven-facts").innerText();
      assert.match(facts, /Library roof renewal \(2\)/);
      assert.match(facts, /Bids\s+1 standing, 0 opened/);

      // The same answer with its lot's estimate raised on its way to the browser: the check names what was altered.
      await page.route((url) => url.pathname === "/v1/procurement/tenders/2", async (route) => {
        const json = await (await route.fetch()).json();
        json.tender.spec.lots[0].value += 1;
        await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(json) });
      });
      await page.reload();
      await section.locator("button.verify-button").click();
      await section.locator(".verdict.bad").waitFor({ timeout: 60_000 });
      const bad = await section.locator("li.check.bad").allInnerTexts();
      assert.equal(bad.length, 1, bad.join(" | "));
      assert.match(bad[0], /^Page matches the proofs: failed[\s\S]*spec/);
      await page.unrouteAll();
    },
  },
  {
    name: "tender 1 lists its three bids and its lot; bad and absent tenders get the error pages",
    run: async (ctx) => {
      const { page } = ctx;
      await open(ctx, "/procurement/tenders/1");
      assert.equal(await page.locator("h1").innerText(), "Harbour road repair");
      assert.equal(await page.locator("ol#tender-bids > li").count(), 3, "three bids, sealed or opened");
      assert.match(await page.locator("table#tender-lots").innerText(), /Harbour road, km 0-4\s+1,200,000/);
      assert.equal(await page.locator("table#tender-criteria tbody tr").count() > 0, true);

      await open(ctx, "/procurement/tenders/999999", 404);
      assert.equal(await page.locator("h1").innerText(), "Not found");
      await ctx.axe(page);
      await open(ctx, "/procurement/tenders/first", 400);
      await open(ctx, "/procurement/contracts/999999", 404);
      await open(ctx, "/procurement?lang=sv");
      assert.equal(await page.locator("h1").innerText(), "Offentlig upphandling");
      assert.equal(await page.locator("header nav a[aria-current=page]").innerText(), "Upphandling");
      await open(ctx, "/procurement?lang=en");
    },
  },
];
