// The elections pages against the demo's elections of `publica dev` (the harbour referendum, open for thirty days,
// and the library's opening hours, with a dozen ballots and one revote): the list, each election with its record's
// proof checked in the browser, a voter's receipt from the library's board with its proof checked, a receipt that
// is not one, an unknown election, the ballot's block in the explorer (sent by no account), Swedish and a phone's
// width, each page checked by axe.
import assert from "node:assert/strict";

/** Open `path` and fail unless the answer has `status`. */
async function open(ctx, path, status = 200) {
  const response = await ctx.page.goto(ctx.base + path);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}`);
  return response;
}

/** Check the page's proof section in the browser; every check must pass, and what the proofs establish is shown. */
async function checkProof(page) {
  const section = page.locator("main > section.proof");
  await section.locator("button.verify-button").click();
  const verdict = section.locator(".verdict");
  await verdict.locator("xpath=self::*[contains(@class, 'ok') or contains(@class, 'bad')]").waitFor({ timeout: 60_000 });
  const failed = await section.locator("li.check.bad").allInnerTexts();
  assert.deepEqual(failed, [], `failed checks: ${failed.join(" | ")}`);
  const passed = await section.locator("li.check.ok").allInnerTexts();
  for (const check of ["Record shown", "Every needed proof", "Page matches the proofs"]) {
    assert.ok(passed.some((c) => c.startsWith(check)), `the check "${check}" passed: ${passed.join(" | ")}`);
  }
  assert.match(await verdict.getAttribute("class"), /\bok\b/);
  return section.locator("div.proven-facts");
}

/** The hashes of the ballots on an election's board (its first page of events), read from the API. */
async function ballotHashes(ctx, id) {
  const answer = await (await ctx.page.request.get(`${ctx.base}/v1/elections/${id}/events?from=0&limit=100`)).json();
  return answer.events
    .map((e) => JSON.parse(Buffer.from(e.bytes, "hex").toString("utf8")))
    .filter((e) => e.type === "Ballot")
    .map((e) => e.payload);
}

export const tests = [
  {
    name: "the elections, a receipt of the library's vote and their proofs are checked in the browser; bad receipts and ids are said plainly",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/elections");
      assert.equal(await page.locator("h1").innerText(), "Elections");
      const rows = page.locator("main table tbody tr");
      assert.ok((await rows.count()) >= 2, "both demo elections are listed");
      await ctx.axe(page);
      await ctx.screenshot(page, "elections");

      // The harbour referendum: open for thirty days, its record proven.
      await page.getByRole("link", { name: "Nordvik harbour referendum" }).click();
      await page.waitForURL(/\/elections\/\d+$/);
      assert.equal(await page.locator("h1").innerText(), "Nordvik harbour referendum");
      assert.match(await page.locator("main").innerText(), /voting open/);
      assert.ok((await page.locator("main dd ol li a[href^='/accounts/']").count()) === 3, "its three trustees link to their accounts");
      const harbourFacts = await checkProof(page);
      assert.match(await harbourFacts.innerText(), /Nordvik harbour referendum/);
      await ctx.axe(page);

      // The library's election, with its ballots.
      await open(ctx, "/elections");
      await page.getByRole("link", { name: "Nordvik library opening hours" }).click();
      await page.waitForURL(/\/elections\/\d+$/);
      const id = page.url().split("/").pop();
      const libraryFacts = await checkProof(page);
      assert.match(await libraryFacts.innerText(), /13 ballots from 12 voters/);
      await ctx.axe(page);
      await ctx.screenshot(page, "election");

      // A voter's receipt, pasted into the election's form: its place on the board, proven.
      const hashes = await ballotHashes(ctx, id);
      assert.equal(hashes.length, 13, "the library's board has its thirteen ballots");
      await page.getByLabel(/^Receipt/).fill(hashes[0]);
      await page.getByRole("button", { name: "Check", exact: true }).click();
      await page.waitForURL(new RegExp(`/elections/${id}/ballots/${hashes[0]}$`));
      assert.equal(await page.locator("h1").innerText(), "Ballot on the board");
      assert.match(await page.locator("main dl.facts").innerText(), /counted|replaced/);
      const ballotFacts = await checkProof(page);
      assert.match(await ballotFacts.innerText(), /Nordvik library opening hours/);
      await ctx.axe(page);
      await ctx.screenshot(page, "ballot");

      // Its block in the explorer: the ballot's sender is no account.
      await page.locator("main dl.facts a[href^='/blocks/']").first().click();
      await page.waitForURL(/\/blocks\/\d+$/);
      const ballotRow = page.locator("main table tbody tr", { has: page.locator(`a[href="/elections/${id}/ballots/${hashes[0]}"]`) });
      assert.equal(await ballotRow.count(), 1, "the ballot's transaction links to its receipt");
      assert.match(await ballotRow.innerText(), /anonymous \(ballot\)/, "it is sent by no account");
      assert.equal(await ballotRow.locator("a[href^='/accounts/']").count(), 0, "and links to no account");
      assert.equal(await ballotRow.locator(`a[href="/elections/${id}"]`).count(), 1, "but to its election");

      // A receipt that is not one: the election's page again, saying why, with nothing changed.
      await open(ctx, `/elections/${id}`);
      await page.getByLabel(/^Receipt/).fill("my ballot, please");
      const [bad] = await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/elections/${id}/ballots?`)),
        page.getByRole("button", { name: "Check", exact: true }).click(),
      ]);
      assert.equal(bad.status(), 400);
      await page.waitForLoadState();
      assert.match(await page.locator("#receipt-error").innerText(), /is not a receipt.*64 digits/s);
      assert.equal(await page.getByLabel(/^Receipt/).getAttribute("aria-invalid"), "true");
      await ctx.axe(page);
      // A well-formed receipt the board does not hold, and an election that does not exist.
      await open(ctx, `/elections/${id}/ballots/${"0".repeat(64)}`, 404);
      assert.match(await page.locator("main .error").innerText(), /has no ballot with the hash/);
      await open(ctx, "/elections/999999", 404);
      assert.match(await page.locator("main .error").innerText(), /there is no election 999999/);
      await open(ctx, "/elections/harbour", 404);
      assert.match(await page.locator("main .error").innerText(), /numbered from 0/);
      await ctx.axe(page);

      // In Swedish, and on a phone.
      await open(ctx, "/elections?lang=sv");
      assert.equal(await page.locator("h1").innerText(), "Val");
      await open(ctx, `/elections/${id}`);
      assert.match(await page.locator("main section.proof h2").innerText(), /Bevis för valets uppgifter/);
      assert.ok((await page.locator("main h2").allInnerTexts()).some((h) => /^(Frågor|Resultat)$/.test(h)), "its questions are headed in Swedish");
      await ctx.axe(page);
      await page.setViewportSize({ width: 375, height: 812 });
      for (const path of ["/elections", `/elections/${id}`, `/elections/${id}/ballots/${hashes[0]}`]) {
        await open(ctx, path);
        const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path} is ${overflow} px wider than a phone's screen`);
      }
      await ctx.screenshot(page, "phone-ballot");
    },
  },
];
