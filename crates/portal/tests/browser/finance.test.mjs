// The public finance pages against the demo's Nordvik krona of `publica dev` (NVK, 2 decimals): this year's budget
// with its five lines (the harbour road's allocated, committed to the sawmill and paid in two invoices; the child
// benefit's paid to three citizens; the start-up grants line, from which the grant rule contract committed a grant),
// its payments and the child benefit programme. Each page's proofs are checked in the browser, the amounts shown are
// compared digit for digit with the CSV export, a payment is followed back to its budget law, and answers altered on
// their way to the browser (an amount, a payee, a month, a proof left out) fail the check that names what was
// altered. In Swedish and at a phone's width too; axe checks every page.
import assert from "node:assert/strict";

/** Open `path` and fail unless the answer has `status`. */
async function open(ctx, path, status = 200) {
  const response = await ctx.page.goto(ctx.base + path);
  assert.equal(response.status(), status, `GET ${path} answered ${response.status()}`);
  return response;
}

/** The proof section headed `heading`, or the page's only one. */
function proofSection(page, heading) {
  const sections = page.locator("main section.proof");
  return heading ? sections.filter({ has: page.getByRole("heading", { name: heading }) }) : sections;
}

/** Press the section's "check the proof" button and wait for its verdict; returns the section. */
async function runCheck(section) {
  await section.locator("button.verify-button").click();
  await section.locator(".verdict").locator("xpath=self::*[contains(@class, 'ok') or contains(@class, 'bad')]").waitFor({ timeout: 60_000 });
  return section;
}

/** Check the section's proof in the browser: every check passes, the record is tied to the page; returns its facts. */
async function checkProof(section) {
  await runCheck(section);
  const failed = await section.locator("li.check.bad").allInnerTexts();
  assert.deepEqual(failed, [], `failed checks: ${failed.join(" | ")}`);
  const passed = await section.locator("li.check.ok").allInnerTexts();
  for (const check of ["Record shown", "Every needed proof", "Page matches the proofs"]) {
    assert.ok(passed.some((c) => c.startsWith(check)), `the check "${check}" passed: ${passed.join(" | ")}`);
  }
  assert.match(await section.locator(".verdict").getAttribute("class"), /\bok\b/);
  return section.locator("div.proven-facts");
}

/** Check the section's proof expecting the check `label` to fail; returns the failure's text. */
async function checkFails(section, label) {
  await runCheck(section);
  assert.match(await section.locator(".verdict").getAttribute("class"), /\bbad\b/, "the verdict is a failure");
  const failed = await section.locator("li.check.bad").allInnerTexts();
  assert.equal(failed.length, 1, `one check failed: ${failed.join(" | ")}`);
  assert.ok(failed[0].startsWith(`${label}: failed`), `the check "${label}" failed, not: ${failed[0]}`);
  assert.equal(await section.locator("div.proven-facts").count(), 0, "nothing is said to be proven");
  return failed[0];
}

/**
 * Serve the API's answer to `path` changed by `alter(json)` (in place) to this page's script, as a lying node
 * would: the page itself is the honest one, the answer its button fetches is not.
 */
async function tamper(page, path, alter) {
  await page.route((url) => url.pathname === path, async (route) => {
    const response = await route.fetch();
    const json = await response.json();
    alter(json);
    await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(json) });
  });
}

/** `12000000.00` (the CSV's exact decimal) as the English pages write it: `12,000,000.00`. */
function english(decimal) {
  const [whole, fraction] = decimal.split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
}

/** The rows of an RFC 4180 CSV whose fields hold no quotes, commas or line breaks (the demo's lines). */
function csvRows(text) {
  assert.ok(text.endsWith("\r\n"), "the CSV's lines end with CRLF");
  return text.slice(0, -2).split("\r\n").map((line) => line.split(","));
}

export const tests = [
  {
    name: "the finance page shows the currency, this year's budget to the cent, its payments and programmes, with their proofs checked",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/");
      await page.locator("main ul.cards").getByRole("link", { name: "Public finance" }).click();
      await page.waitForURL(/\/finance$/);
      assert.equal(await page.locator("h1").innerText(), "Public finance");
      assert.equal(await page.locator("header nav a[aria-current=page]").innerText(), "Finance");

      // The currency: its supply and the double-entry invariant, holding.
      const currency = page.locator("main dl.facts").first();
      assert.match(await page.locator("main h2#currency").innerText(), /Nordvik krona \(NVK\)/);
      assert.match(await currency.innerText(), /Issued\s+20,000,000\.00\sNVK/);
      assert.match(await page.locator("main p", { hasText: "Every unit issued" }).innerText(), /= .* \+ .* NVK\. holds/);

      // The budget: the budget act's four lines and the start-up grants line of the supplementary budget (the grant
      // rule contract commits from it), every amount exactly the CSV export's.
      const year = (await page.locator("main h2#budget").innerText()).replace(/\D/g, "");
      assert.match(year, /^\d{4}$/);
      const rows = page.locator("table#budget-lines tbody tr");
      assert.equal(await rows.count(), 5, "the five lines of the demo's budget");
      const csvLink = page.getByRole("link", { name: /Every line as CSV/ });
      assert.equal(await csvLink.getAttribute("href"), `/v1/finance/budgets/${year}/lines.csv`);
      const csv = await page.request.get(ctx.base + (await csvLink.getAttribute("href")));
      assert.match(csv.headers()["content-type"], /^text\/csv/);
      const [header, ...lines] = csvRows(await csv.text());
      assert.deepEqual(header, ["code", "cofog", "economic", "name", "appropriation", "allocated", "committed", "paid"]);
      assert.deepEqual(lines.map((l) => l[0]), ["ED-01", "RD-01", "SP-01", "AD-01", "EC-01"]);
      for (let i = 0; i < lines.length; i++) {
        const [code, cofog, economic, name, ...amounts] = lines[i];
        const cells = await rows.nth(i).locator("th, td").allInnerTexts();
        assert.equal(cells[0], code);
        assert.equal(cells[1], name);
        assert.ok(cells[2].startsWith(cofog) && cells[3].startsWith(economic), `${code}'s classifications: ${cells[2]}, ${cells[3]}`);
        assert.deepEqual(cells.slice(4), amounts.map(english), `${code}'s amounts are the CSV's, to the cent`);
      }
      // The demo's figures, written out: the harbour road's two invoices and the child benefit paid to three citizens.
      const cellsOf = async (code) => (await rows.filter({ hasText: code }).locator("td.num").allInnerTexts());
      assert.deepEqual(await cellsOf("ED-01"), ["12,000,000.00", "0.00", "0.00", "0.00"]);
      assert.deepEqual(await cellsOf("RD-01"), ["3,000,000.00", "2,500,000.00", "480,000.00", "120,955.50"]);
      assert.deepEqual(await cellsOf("SP-01"), ["1,200,000.00", "1,200,000.00", "1,200,000.00", "3,750.00"]);
      assert.deepEqual(await cellsOf("AD-01"), ["800,000.00", "0.00", "0.00", "0.00"]);
      assert.deepEqual(await cellsOf("EC-01"), ["1,000,000.00", "500,000.00", "2,500.00", "0.00"]);
      assert.deepEqual(await page.locator("table#budget-lines tfoot td.num").allInnerTexts(),
        ["18,000,000.00", "4,200,000.00", "1,682,500.00", "124,705.50"]);
      assert.match(await page.locator("table#budget-lines thead").innerText(), /Appropriation \(NVK\)/);
      await ctx.axe(page);
      await ctx.screenshot(page, "finance");

      // Both proofs on the page: the currency's supply and the budget with its lines.
      const supply = await checkProof(proofSection(page, "Proof of the currency's supply"));
      const supplyText = await supply.innerText();
      assert.match(supplyText, /Issued\s+20,000,000\.00 NVK/);
      assert.match(supplyText, /holds, computed in this browser/);
      const budgetFacts = await checkProof(proofSection(page, "Proof of the budget and its lines"));
      assert.match(await budgetFacts.innerText(), /Nordvik Budget Act/);
      assert.match(await budgetFacts.innerText(), /appropriation 300,000,000, paid 12,095,550/);

      // The latest payments: the sawmill's two invoices and three benefits, whose payee is private.
      const payments = page.locator("main table", { has: page.locator("caption", { hasText: "Latest payments" }) }).locator("tbody tr");
      assert.equal(await payments.count(), 5);
      const transport = payments.filter({ hasText: "Invoice 5540 (transport)" });
      assert.match(await transport.innerText(), /Nordvik Sawmill AB\s+955\.50\sNVK\s+RD-01/);
      const benefits = payments.filter({ hasText: "a citizen (private)" });
      assert.equal(await benefits.count(), 3);
      assert.doesNotMatch(await benefits.first().innerText(), /[0-9a-f]{16}/, "no hash is shown in place of a name");
      const programmes = page.locator("main table", { has: page.locator("caption", { hasText: "Welfare programmes" }) }).locator("tbody tr");
      assert.match(await programmes.first().innerText(), /Nordvik child benefit\s+nordvik-social-services.*1,250\.00\sNVK\s+3\s+3,750\.00\sNVK/s);
    },
  },
  {
    name: "a payment is traced back to its budget law, and its proofs, of the five records, are checked in the browser",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/finance");
      await page.locator("main table tbody tr", { hasText: "Invoice 5540 (transport)" }).getByRole("link", { name: /^Payment \d+$/ }).click();
      await page.waitForURL(/\/finance\/payments\/\d+$/);
      const id = page.url().split("/").pop();
      assert.equal(await page.locator("h1").innerText(), `Payment ${id}`);
      assert.match(await page.locator("main p.lead").innerText(), /^955\.50\sNVK paid to Nordvik Sawmill AB on .*, from line RD-01 Harbour road and boardwalk renewal of the budget for \d{4}\.$/);
      // The chain: payment, commitment, allocation, line, law, each step saying what it is.
      const steps = page.locator("main ol.trace > li");
      assert.equal(await steps.count(), 5);
      const headings = await steps.locator("h3").allInnerTexts();
      assert.match(headings[0], /^Payment \d+$/);
      assert.match(headings[1], /^against commitment 0$/);
      assert.match(headings[2], /^drawn on allocation 0$/);
      assert.match(headings[3], /^of budget line RD-01$/);
      assert.match(headings[4], /^in the budget law for \d{4}$/);
      assert.match(await steps.nth(1).innerText(), /480,000\.00\sNVK to Nordvik Sawmill AB: Purchase order PO-117/);
      assert.match(await steps.nth(1).innerText(), /120,955\.50\sNVK of it paid so far/);
      assert.match(await steps.nth(2).innerText(), /2,500,000\.00\sNVK to building-authority: Allocation decision FO-2-14/);
      assert.match(await steps.nth(4).innerText(), /Nordvik Budget Act \d{4} \(council decision KF-\d{4}-112\)/);
      await ctx.axe(page);
      await ctx.screenshot(page, "finance-payment");
      const facts = (await (await checkProof(proofSection(page))).innerText());
      assert.match(facts, /Amount\s+95,550 in the smallest unit of NVK/);
      assert.match(facts, /Paid to\s+company \d+/);
      assert.match(facts, /Invoice 5540 \(transport\)/);
      assert.match(facts, /Budget line\s+RD-01 Harbour road and boardwalk renewal/);
      await ctx.screenshot(page, "finance-payment-checked");
      const checks = await proofSection(page).locator("li.check.ok").allInnerTexts();
      assert.ok(checks.some((c) => /^Every needed proof: passed\s+the payment, its commitment, allocation, budget line and budget law are proven/.test(c)), checks.join(" | "));
      // Up the chain: the budget line's page.
      await page.locator("main ol.trace").getByRole("link", { name: "RD-01", exact: true }).click();
      await page.waitForURL(/\/finance\/budgets\/\d{4}\/lines\/RD-01$/);

      // A benefit: paid to a citizen whose name the ledger does not hold.
      const list = await (await page.request.get(`${ctx.base}/v1/finance/payments?from=0&limit=10`)).json();
      const benefit = list.payments.find((p) => p.payee.private);
      assert.ok(benefit, "the demo paid benefits");
      await open(ctx, `/finance/payments/${benefit.id}`);
      const lead = await page.locator("main p.lead").innerText();
      assert.match(lead, /^1,250\.00\sNVK paid to a citizen \(private\) on .*, from line SP-01 Child benefit/);
      assert.ok(!lead.includes(benefit.payee.private), "the payee's commitment is not presented as a name");
      assert.match(await page.locator("main ol.trace > li").first().innerText(), new RegExp(`only the citizen can open with their wallet: ${benefit.payee.private}`));
      assert.match(await page.locator("main ol.trace > li").nth(1).innerText(), /no payee named: it funds a welfare programme/);
      await page.locator("main ol.trace").getByRole("link", { name: "Nordvik child benefit" }).waitFor();
      await ctx.axe(page);
      const benefitFacts = await (await checkProof(proofSection(page))).innerText();
      assert.match(benefitFacts, /Paid to\s+a citizen \(private\): the ledger holds a commitment to the payee, not a name/);
      assert.match(benefitFacts, /Amount\s+125,000 in the smallest unit of NVK/);
    },
  },
  {
    name: "a budget line's months and the child benefit's periods are shown and proven; the programme says what its nullifiers hide",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      await open(ctx, "/finance");
      await page.locator("table#budget-lines").getByRole("link", { name: "RD-01" }).click();
      await page.waitForURL(/\/finance\/budgets\/\d{4}\/lines\/RD-01$/);
      assert.equal(await page.locator("h1").innerText(), "RD-01 Harbour road and boardwalk renewal");
      assert.match(await page.locator("main dl.facts").innerText(), /Function \(COFOG\)\s+04\.5 \(economic affairs\)/);
      assert.match(await page.locator("main dl.facts").innerText(), /Paid\s+120,955\.50\sNVK/);
      // Everything happened while the demo was seeded: one month (two if it was seeded across a month's end).
      const months = page.locator("table#line-months tbody tr");
      assert.ok([1, 2].includes(await months.count()), "the months the line moved in");
      assert.deepEqual(await page.locator("table#line-months tfoot td").allInnerTexts(), ["2,500,000.00", "480,000.00", "120,955.50"]);
      await ctx.axe(page);
      await ctx.screenshot(page, "finance-line");
      const lineFacts = await (await checkProof(proofSection(page))).innerText();
      assert.match(lineFacts, /RD-01 Harbour road and boardwalk renewal/);
      assert.match(lineFacts, /Paid\s+12,095,550/);

      await open(ctx, "/finance");
      await page.getByRole("link", { name: "Nordvik child benefit" }).click();
      await page.waitForURL(/\/finance\/programmes\/\d+$/);
      assert.equal(await page.locator("h1").innerText(), "Nordvik child benefit");
      assert.match(await page.locator("main p.lead").innerText(), /1,250\.00\sNVK per claim and month/);
      assert.match(await page.locator("main").innerText(), /The nullifiers hide who was paid/);
      const periods = page.locator("table#programme-periods tbody tr");
      assert.equal(await periods.count(), 12, "its twelve months");
      const paid = periods.filter({ has: page.locator("td.num", { hasText: /^3$/ }) });
      assert.equal(await paid.count(), 1, "one month with the three claims");
      assert.equal(await paid.locator("td.num").nth(1).innerText(), "3,750.00");
      await ctx.axe(page);
      await ctx.screenshot(page, "finance-programme");
      const programmeFacts = await (await checkProof(proofSection(page))).innerText();
      assert.match(programmeFacts, /Claims paid\s+3 claims, 375,000/);
      assert.match(programmeFacts, /Who was paid\s+not in the proofs/);
    },
  },
  {
    name: "answers altered on their way to the browser fail the check that names what was altered",
    run: async (ctx) => {
      const { page } = ctx;
      await ctx.pinGenesis();
      const list = await (await page.request.get(`${ctx.base}/v1/finance/payments?from=0&limit=10`)).json();
      const invoice = list.payments.find((p) => p.reference === "Invoice 5540 (transport)");
      const benefit = list.payments.find((p) => p.payee.private);
      const path = (id) => `/v1/finance/payments/${id}`;

      // An amount raised by a cent.
      await tamper(page, path(invoice.id), (j) => (j.payment.amount += 1));
      await open(ctx, `/finance/payments/${invoice.id}`);
      assert.match(await checkFails(proofSection(page), "Page matches the proofs"), /payment's amount = 95551.*establish 95550/);
      await page.unrouteAll();
      // A benefit shown as paid to a named company instead.
      await tamper(page, path(benefit.id), (j) => (j.payment.payee = { public: { company: "10000001" } }));
      await open(ctx, `/finance/payments/${benefit.id}`);
      assert.match(await checkFails(proofSection(page), "Page matches the proofs"), /payee/);
      await page.unrouteAll();
      // The budget line's proof left out: the trace cannot be tied to the law.
      await tamper(page, path(invoice.id), (j) => (j.proofs = j.proofs.filter((_, i) => i !== 3)));
      await open(ctx, `/finance/payments/${invoice.id}`);
      assert.match(await checkFails(proofSection(page), "Every needed proof"), /fin\/l\//);
      await page.unrouteAll();
      // Another payment's answer behind this payment's page.
      await tamper(page, path(invoice.id), (j) => (j.payment.id = benefit.id));
      await open(ctx, `/finance/payments/${invoice.id}`);
      await checkFails(proofSection(page), "Record shown");
      await page.unrouteAll();

      // A line whose month says more was paid; a programme with a claim more in a month.
      await open(ctx, "/finance");
      const linePath = await page.locator("table#budget-lines").getByRole("link", { name: "RD-01" }).getAttribute("href");
      await tamper(page, `/v1${linePath}`, (j) => (j.months[0].paid += 100));
      await open(ctx, linePath);
      assert.match(await checkFails(proofSection(page), "Page matches the proofs"), /months/);
      await page.unrouteAll();
      await tamper(page, "/v1/finance/programmes/0", (j) => (j.periods.find((p) => p.claims > 0).claims += 1));
      await open(ctx, "/finance/programmes/0");
      assert.match(await checkFails(proofSection(page), "Page matches the proofs"), /periods/);
      await page.unrouteAll();
      // A currency whose private sum was lowered (the invariant would then fail too), and a budget line renamed.
      await tamper(page, "/v1/finance/currencies/NVK", (j) => (j.currency.private_balances -= 1));
      await open(ctx, "/finance");
      assert.match(await checkFails(proofSection(page, "Proof of the currency's supply"), "Page matches the proofs"), /private_balances/);
      await page.unrouteAll();
    },
  },
  {
    name: "the finance pages read in Swedish, fit a phone's width, and say plainly what does not exist",
    run: async (ctx) => {
      const { page } = ctx;
      await open(ctx, "/finance?lang=sv");
      assert.equal(await page.locator("h1").innerText(), "Offentlig ekonomi");
      assert.equal(await page.locator("header nav a[aria-current=page]").innerText(), "Ekonomi");
      const ed = page.locator("table#budget-lines tbody tr", { hasText: "ED-01" }).locator("td.num").first();
      assert.equal(await ed.textContent(), "12\u00a0000\u00a0000,00");
      assert.match(await page.locator("main").innerText(), /Senaste betalningarna/);
      await ctx.axe(page);
      await page.getByRole("link", { name: "Nordvik child benefit" }).click();
      await page.waitForURL(/\/finance\/programmes\/\d+$/);
      assert.match(await page.locator("main").innerText(), /Nullifierarna döljer vem som fick betalt/);
      assert.match(await page.locator("main section.proof h2").innerText(), /Bevis för programmet och dess månader/);
      await ctx.axe(page);
      await open(ctx, "/finance/payments/0");
      assert.match(await page.locator("main h2").first().innerText(), /Från betalningen tillbaka till lagen/);
      await ctx.axe(page);
      await open(ctx, "/finance?lang=en");

      await page.setViewportSize({ width: 375, height: 812 });
      const year = (await page.locator("main h2#budget").innerText()).replace(/\D/g, "");
      for (const path of ["/finance", "/finance/payments/0", `/finance/budgets/${year}/lines/SP-01`, "/finance/programmes/0"]) {
        await open(ctx, path);
        const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 1, `${path} is ${overflow} px wider than a phone's screen`);
      }
      await ctx.screenshot(page, "phone-finance");

      await open(ctx, "/finance/payments/999999", 404);
      assert.match(await page.locator("main .error").innerText(), /there is no payment 999999/);
      await open(ctx, `/finance/budgets/${year}/lines/XX-99`, 404);
      assert.match(await page.locator("main .error").innerText(), /has no line "XX-99"/);
      await open(ctx, "/finance/programmes/42", 404);
      await open(ctx, "/finance/payments/first", 400);
      await open(ctx, "/finance?year=26", 400);
      assert.match(await page.locator("main .error").innerText(), /four digits/);
      await ctx.axe(page);
      await open(ctx, "/finance?year=1999");
      assert.match(await page.locator("main").innerText(), /No budget has been enacted for this fiscal year/);
      await ctx.axe(page);
    },
  },
];
