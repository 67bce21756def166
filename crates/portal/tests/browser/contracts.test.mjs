// The contracts pages against the demo of `publica dev`: the Nordvik Finance Office's three instances
// (customs-clearance, grant-rule, fee-schedule), a cleared customs declaration and a refused one, a fee set and a
// quote, a grant application. The list shows the three with its proofs checked in the browser; the customs instance's
// page shows the cleared declaration's event and, from it, the call's receipt, which the explorer links too; a key of its state is looked up; an
// answer altered on its way fails naming the field; bad input in the forms is told plainly; axe checks every page.
import assert from "node:assert/strict";

/** The demo's cleared declaration: the event's data and the state key the contract wrote. */
const CLEARED = "NV-DECL-2026-0001";

/** Open `path` and fail unless the answer has `status`. */
async function open(ctx, path, status = 200) {
  const response = await ctx.page.goto(ctx.base + path);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}`);
  return response;
}

/** The proof section headed `heading`. */
function proofSection(page, heading) {
  return page.locator("section.proof", { has: page.locator("h2", { hasText: heading }) });
}

/** Check the section's proof in the browser; the checks that failed and the facts shown. */
async function check(section) {
  await section.locator("button.verify-button").click();
  await section.locator(".verdict").locator("xpath=self::*[contains(@class, 'ok') or contains(@class, 'bad')]").waitFor({ timeout: 60_000 });
  const failed = await section.locator("li.check.bad").allInnerTexts();
  const passed = await section.locator("li.check.ok").allInnerTexts();
  const facts = (await section.locator("div.proven-facts").count()) ? await section.locator("div.proven-facts").innerText() : "";
  return { failed, passed, facts };
}

/** Check the section's proof and fail unless every check passed, those tying it to the page among them. */
async function checkPasses(section, what) {
  const { failed, passed, facts } = await check(section);
  assert.deepEqual(failed, [], `${what}: failed checks: ${failed.join(" | ")}`);
  for (const name of ["Record shown", "Every needed proof", "Page matches the proofs"]) {
    assert.ok(passed.some((c) => c.startsWith(name)), `${what}: the check "${name}" passed: ${passed.join(" | ")}`);
  }
  assert.match(await section.locator(".verdict").getAttribute("class"), /\bok\b/, what);
  return facts;
}

export const tests = [
  {
    name: "the contracts list shows the demo's three instances and its agency's policy, each proof checked in the browser",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/");
      await page.locator("header nav").getByRole("link", { name: "Contracts" }).click();
      await page.waitForURL(/\/contracts$/);
      assert.equal(await page.locator("h1").innerText(), "Contracts");
      assert.equal(await page.locator("header nav a[aria-current=page]").innerText(), "Contracts");
      const list = await page.locator("table#instances-list tbody").innerText();
      for (const name of ["customs-clearance", "grant-rule", "fee-schedule"]) {
        assert.match(list, new RegExp(`${name}\\s+nordvik-finance-office`), `${name} is listed with its agency`);
      }
      assert.equal(await page.locator("table#instances-list tbody tr").count(), 3);
      await ctx.axe(page);
      await ctx.screenshot(page, "contracts");

      const facts = await checkPasses(proofSection(page, "Proof of the list"), "the list");
      assert.match(facts, /Instances deployed\s+3/);
      assert.match(facts, /customs-clearance/);
      const policy = await checkPasses(proofSection(page, "Proof of the policy of nordvik-finance-office"), "the policy");
      assert.match(policy, /Administrators may deploy without a vote\s+yes/);

      // The list with an instance's fuel limit changed on its way: the check names the field.
      await page.route((url) => url.pathname === "/v1/contracts/instances", async (route) => {
        const json = await (await route.fetch()).json();
        json.instances[1].fuel_per_call += 1;
        await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(json) });
      });
      await page.reload();
      const altered = await check(proofSection(page, "Proof of the list"));
      assert.equal(altered.failed.length, 1, altered.failed.join(" | "));
      assert.match(altered.failed[0], /^Page matches the proofs: failed[\s\S]*fuel_per_call/);
      await page.unrouteAll();
    },
  },
  {
    name: "the customs instance shows the cleared declaration's event and its receipt; a state key is looked up; an altered receipt fails",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/contracts");
      await page.getByRole("link", { name: "customs-clearance" }).click();
      await page.waitForURL(/\/contracts\/\d+$/);
      const base = new URL(page.url()).pathname;
      assert.equal(await page.locator("h1").innerText(), "Contract customs-clearance");
      assert.match(await page.locator("dl#instance-record").innerText(), /Agency\s+nordvik-finance-office/);
      assert.equal(await page.locator("table#code-history tbody tr").count(), 1);
      const row = page.locator("table#events-list tbody tr", { hasText: CLEARED });
      assert.equal(await row.count(), 1, "the cleared declaration's event");
      assert.match(await row.innerText(), new RegExp(`cleared\\s+${CLEARED}`));
      await ctx.axe(page);
      await ctx.screenshot(page, "contracts-instance");
      const instance = await checkPasses(proofSection(page, "Proof of the instance"), "the instance");
      assert.match(instance, /customs-clearance/);
      const events = await checkPasses(proofSection(page, "Proof of the events"), "the events");
      assert.match(events, new RegExp(`“cleared”: “${CLEARED}”`));

      // The event's receipt: the call that cleared it.
      await row.getByRole("link", { name: "receipt" }).click();
      await page.waitForURL(/\?tx=[0-9a-f]{64}#receipt$/);
      const tx = new URL(page.url()).searchParams.get("tx");
      const receipt = await page.locator("dl#receipt-answer").innerText();
      assert.match(receipt, /Result\s+succeeded/);
      assert.match(receipt, /Status returned\s+0/);
      assert.match(receipt, /Output\s+cleared/);
      assert.match(receipt, /Events recorded\s+1/);
      await ctx.axe(page);
      const proven = await checkPasses(proofSection(page, "Proof of the receipt"), "the receipt");
      assert.match(proven, /Result\s+succeeded/);

      // The same receipt with its fuel lowered on its way to the browser: the check names the field.
      await page.route((url) => url.pathname === `/v1/contracts/receipts/${tx}`, async (route) => {
        const json = await (await route.fetch()).json();
        json.receipt.fuel_used -= 1;
        await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(json) });
      });
      await page.reload();
      const altered = await check(proofSection(page, "Proof of the receipt"));
      assert.equal(altered.failed.length, 1, altered.failed.join(" | "));
      assert.match(altered.failed[0], /^Page matches the proofs: failed[\s\S]*fuel_used/);
      await page.unrouteAll();

      // The explorer's page of the call links back to the instance and to the call's receipt.
      await open(ctx, `/tx/${tx}`);
      assert.equal(await page.getByRole("link", { name: "the call's receipt" }).getAttribute("href"), `${base}?tx=${tx}#receipt`);
      await ctx.axe(page);

      // A key of its state: the declaration the contract recorded, then one it never wrote (proven absent).
      await open(ctx, base);
      await page.locator("#state-key").fill(`declaration/${CLEARED}`);
      await page.locator("#state-form button[type=submit]").click();
      await page.waitForURL(/key=/);
      const state = await page.locator("dl#state-answer").innerText();
      assert.match(state, new RegExp(`Key\\s+declaration/${CLEARED}`));
      assert.match(state, /Value\s+[0-9a-f]+\s+\(\d+ bytes\)/);
      await checkPasses(proofSection(page, "Proof of the key"), "the state key");
      await page.locator("#state-key").fill("declaration/NV-DECL-1999-9999");
      await page.locator("#state-form button[type=submit]").click();
      await page.waitForURL(/1999/);
      assert.match(await page.locator("dl#state-answer").innerText(), /proven absent/);
      const absent = await checkPasses(proofSection(page, "Proof of the key"), "the absent key");
      assert.match(absent, /none \(proven absent\)/);
      await ctx.axe(page);
    },
  },
  {
    name: "bad input in the contracts forms and addresses is told plainly",
    run: async (ctx) => {
      const { page } = ctx;
      await open(ctx, "/contracts/customs-clearance");
      await page.locator("#state-key").fill("abc");
      await page.locator("#state-as").selectOption("hex");
      await page.locator("#state-form button[type=submit]").click();
      await page.waitForURL(/as=hex/);
      assert.match(await page.locator("#state-error").innerText(), /even number of hex digits/);
      assert.equal(await page.locator("#state-key").inputValue(), "abc", "the form keeps what was typed");
      await page.locator("#receipt-tx").fill("not-a-transaction");
      await page.locator("#receipt-form button[type=submit]").click();
      await page.waitForURL(/tx=not/);
      assert.match(await page.locator("#receipt-error").innerText(), /64 hex digits/);
      await page.locator("#receipt-tx").fill("ab".repeat(32));
      await page.locator("#receipt-form button[type=submit]").click();
      await page.waitForURL(/tx=abab/);
      assert.match(await page.locator("#receipt-error").innerText(), /no contract call with this transaction id/);
      await ctx.axe(page);

      await open(ctx, "/contracts/no-such-contract", 404);
      assert.equal(await page.locator("h1").innerText(), "Not found");
      await open(ctx, "/contracts/01", 400);
      await open(ctx, "/contracts/Customs", 400);
      await open(ctx, "/contracts?lang=sv");
      assert.equal(await page.locator("h1").innerText(), "Kontrakt");
      assert.equal(await page.locator("header nav a[aria-current=page]").innerText(), "Kontrakt");
      await open(ctx, "/contracts?lang=en");
    },
  },
];
