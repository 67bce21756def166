//! Public finance: the currency and its supply, a fiscal year's budget with what each line allocated, committed
//! and paid, the latest payments, each traced back to the budget law that allowed it, and the welfare programmes
//! with their totals by month. Each page reads the finance routes of the API (`docs/finance.md`) and offers their
//! proofs to check in the browser: the currency's record (`currency:CODE`), the budget with its lines
//! (`budget:YEAR`), a line with its months (`line:YEAR:CODE`), a payment's trace (`payment:ID`) and a programme
//! with its periods (`programme:ID`).
//!
//! Amounts are integers in the currency's smallest unit; they are written here from their digits with the
//! currency's decimals ([`amount_text`]), never through a float. A benefit is paid to a citizen's private wallet:
//! the ledger records, in place of the payee, a commitment only the citizen can open, and the pages say "a citizen
//! (private)" and never present that hash as a name.

use std::collections::HashMap;

use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::{
    format_amount, AllocationsResponse, BudgetLineResponse, BudgetResponse, CommitmentsResponse, CompanyResponse,
    CurrencyResponse, PaymentResponse, PaymentsResponse, ProgrammeResponse, ProgrammesResponse,
};
use publica_finance::call::Holder;
use publica_finance::schema::{month_of, Allocation, BudgetRecord, LineRecord, Payee, Payment, Programme};

use crate::api::{segment, Failure};
use crate::html::{account_link, hex_full, proof_section, time, Ctx, Page, ProofKind, ProofOf};
use crate::i18n::Lang;

/// Budget lines listed on one page of `/finance` (the API serves at most 100 at a time).
const LINES_PER_PAGE: u32 = 50;
/// Latest payments listed on `/finance`.
const LATEST_PAYMENTS: u64 = 10;
/// Newest programmes listed on `/finance`.
const PROGRAMMES_LISTED: u64 = 10;
/// Most extra reads a page makes to learn which currency an amount is in and whom a company number names (two per
/// commitment, one per fiscal year, currency and company): beyond it amounts are written in the smallest unit, so
/// that a page never reads more than a few dozen records.
const MAX_LOOKUPS: usize = 30;

/// A currency's code and decimals: what an amount needs to be written in the currency's unit.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unit {
    code: String,
    decimals: u8,
}

/// An amount in a currency's smallest unit, written exactly in the currency's unit with its digits grouped as the
/// language writes them: `1234567` with 2 decimals is `12,345.67` in English and `12 345,67` in Swedish (the
/// groups joined by a no-break space). Built from the integer's digits ([`format_amount`]), never through a float.
pub(crate) fn amount_text(lang: Lang, amount: u64, decimals: u8) -> String {
    let exact = format_amount(amount, decimals);
    let (whole, fraction) = match exact.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (exact.as_str(), None),
    };
    let (group, point) = match lang {
        Lang::En => (',', '.'),
        Lang::Sv => ('\u{a0}', ','),
    };
    let mut out = String::with_capacity(exact.len() + whole.len() / 3 * 2);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// An amount with its currency's code (`1,200.00 NVK`), or, when the currency is not known, the integer in the
/// smallest unit, said so.
fn money(ctx: &Ctx, amount: u64, unit: Option<&Unit>) -> Markup {
    match unit {
        Some(u) => html! { (amount_text(ctx.lang, amount, u.decimals)) "\u{a0}" (u.code) },
        None => html! {
            (amount) " " span.muted { (ctx.t("(in the currency's smallest unit)", "(i valutans minsta enhet)")) }
        },
    }
}

/// An amount in a table cell: the number alone (the column's header names the currency).
fn cell_amount(ctx: &Ctx, amount: u64, unit: Option<&Unit>) -> Markup {
    match unit {
        Some(u) => html! { td.num { (amount_text(ctx.lang, amount, u.decimals)) } },
        None => html! { td.num { (amount) } },
    }
}

/// A column header for amounts: `Paid (NVK)`.
fn amount_header(label: &str, unit: Option<&Unit>) -> Markup {
    html! { th.num scope="col" { (label) @if let Some(u) = unit { " (" (u.code) ")" } } }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// A month `YYYYMM` in words (`December 2026`, `december 2026`); a number that is no month is written as it is.
fn month_label(lang: Lang, period: u32) -> String {
    let (year, month) = (period / 100, period % 100);
    if !(1..=12).contains(&month) {
        return period.to_string();
    }
    let name = match lang {
        Lang::En => MONTHS_EN[month as usize - 1],
        Lang::Sv => MONTHS_SV[month as usize - 1],
    };
    format!("{name} {year}")
}

/// The COFOG division a function code is in (`09.1` is in `09`, education), in words.
fn cofog_division(ctx: &Ctx, cofog: &str) -> Option<&'static str> {
    let division = cofog.get(..2)?;
    Some(match division {
        "01" => ctx.t("general public services", "allmän offentlig förvaltning"),
        "02" => ctx.t("defence", "försvar"),
        "03" => ctx.t("public order and safety", "samhällsskydd och rättskipning"),
        "04" => ctx.t("economic affairs", "näringslivsfrågor"),
        "05" => ctx.t("environmental protection", "miljöskydd"),
        "06" => ctx.t("housing and community amenities", "bostadsförsörjning och samhällsutveckling"),
        "07" => ctx.t("health", "hälso- och sjukvård"),
        "08" => ctx.t("recreation, culture and religion", "fritid, kultur och religion"),
        "09" => ctx.t("education", "utbildning"),
        "10" => ctx.t("social protection", "socialt skydd"),
        _ => return None,
    })
}

/// The GFS 2014 class an economic code is in (`21`, compensation of employees), in words.
fn economic_class(ctx: &Ctx, economic: &str) -> Option<&'static str> {
    Some(match economic.get(..2).unwrap_or(economic) {
        "2" => ctx.t("expense", "utgifter"),
        "21" => ctx.t("compensation of employees", "ersättning till anställda"),
        "22" => ctx.t("use of goods and services", "förbrukning av varor och tjänster"),
        "23" => ctx.t("consumption of fixed capital", "kapitalförslitning"),
        "24" => ctx.t("interest", "räntor"),
        "25" => ctx.t("subsidies", "subventioner"),
        "26" => ctx.t("grants", "bidrag"),
        "27" => ctx.t("social benefits", "sociala förmåner"),
        "28" => ctx.t("other expense", "övriga utgifter"),
        "31" => ctx.t("non-financial assets", "icke-finansiella tillgångar"),
        _ => return None,
    })
}

/// A classification code with its meaning: `09.1 (education)`.
fn classified(code: &str, meaning: Option<&str>) -> Markup {
    html! { code { (code) } @if let Some(m) = meaning { " " span.muted { "(" (m) ")" } } }
}

/// A fiscal year as the API takes it: four digits, 1970 to 9999.
fn parse_year(text: &str) -> Option<u16> {
    let digits = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse::<u16>().ok()).flatten().filter(|y| (1970..=9999).contains(y))
}

/// The fiscal year of the ledger's last block (or of its start): the budget `/finance` shows by default.
fn ledger_year(ctx: &Ctx) -> u16 {
    let ms = ctx.status.as_ref().map(|s| s.last_block_time_ms.unwrap_or(s.genesis_time_ms)).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    });
    u16::try_from(month_of(ms) / 100).unwrap_or(9999)
}

/// What a page learns beside its main answer, each read at most once and all within [`MAX_LOOKUPS`]: which
/// allocation a commitment draws on (its fiscal year, line and agency), a year's budget, a currency's decimals and
/// a company's name.
struct Lookups<'a> {
    ctx: &'a Ctx,
    reads: usize,
    allocations: HashMap<u64, Option<Allocation>>,
    budgets: HashMap<u16, Option<BudgetRecord>>,
    units: HashMap<String, Option<Unit>>,
    companies: HashMap<String, Option<String>>,
}

impl<'a> Lookups<'a> {
    fn new(ctx: &'a Ctx) -> Self {
        Self {
            ctx,
            reads: 0,
            allocations: HashMap::new(),
            budgets: HashMap::new(),
            units: HashMap::new(),
            companies: HashMap::new(),
        }
    }

    /// Read `path` as a `T` if the page still may; a failed read is `None` (the page then says less, not
    /// something else).
    async fn read<T: serde::de::DeserializeOwned>(&mut self, path: &str) -> Option<T> {
        if self.reads >= MAX_LOOKUPS {
            return None;
        }
        self.reads += 1;
        self.ctx.api.get::<T>(path).await.ok()
    }

    /// The allocation commitment `id` draws on.
    async fn allocation_of(&mut self, commitment: u64) -> Option<Allocation> {
        if let Some(known) = self.allocations.get(&commitment) {
            return known.clone();
        }
        let path = format!("/v1/finance/commitments?from={commitment}&limit=1");
        let found = match self.read::<CommitmentsResponse>(&path).await {
            Some(r) => match r.commitments.into_iter().find(|c| c.id == commitment) {
                Some(c) => {
                    let path = format!("/v1/finance/allocations?from={}&limit=1", c.allocation);
                    self.read::<AllocationsResponse>(&path)
                        .await
                        .and_then(|r| r.allocations.into_iter().find(|a| a.id == c.allocation))
                }
                None => None,
            },
            None => None,
        };
        self.allocations.insert(commitment, found.clone());
        found
    }

    /// The budget of fiscal year `year`.
    async fn budget(&mut self, year: u16) -> Option<BudgetRecord> {
        if let Some(known) = self.budgets.get(&year) {
            return known.clone();
        }
        let found = self.read::<BudgetResponse>(&format!("/v1/finance/budgets/{year}?from=0&limit=1")).await;
        let found = found.map(|r| r.budget);
        self.budgets.insert(year, found.clone());
        found
    }

    /// The code and decimals of currency `code`.
    async fn unit(&mut self, code: &str) -> Option<Unit> {
        if let Some(known) = self.units.get(code) {
            return known.clone();
        }
        let found = self.read::<CurrencyResponse>(&format!("/v1/finance/currencies/{}", segment(code))).await;
        let found = found.map(|r| Unit { code: r.currency.code, decimals: r.currency.decimals });
        self.units.insert(code.to_string(), found.clone());
        found
    }

    /// The currency of fiscal year `year`'s budget.
    async fn unit_of_year(&mut self, year: u16) -> Option<Unit> {
        let budget = self.budget(year).await?;
        self.unit(&budget.currency).await
    }

    /// The name of the company numbered `number`.
    async fn company_name(&mut self, number: &str) -> Option<String> {
        if let Some(known) = self.companies.get(number) {
            return known.clone();
        }
        let found = self.read::<CompanyResponse>(&format!("/v1/business/companies/{}", segment(number))).await;
        let found = found.map(|r| r.company.value.name);
        self.companies.insert(number.to_string(), found.clone());
        found
    }

    /// The names of the companies among `holders`.
    async fn names_of<'h>(&mut self, holders: impl Iterator<Item = &'h Holder>) -> HashMap<String, String> {
        let mut names = HashMap::new();
        for holder in holders {
            if let Holder::Company(number) = holder {
                if let Some(name) = self.company_name(number).await {
                    names.insert(number.clone(), name);
                }
            }
        }
        names
    }
}

/// Who an account belongs to: an agency by its id, a company by its name (linking to its page), a citizen by
/// their account.
fn holder(lang: Lang, holder: &Holder, names: &HashMap<String, String>) -> Markup {
    match holder {
        Holder::Agency(agency) => {
            html! { (agency.as_str()) " " span.muted { "(" (lang.t("agency", "myndighet")) ")" } }
        }
        Holder::Company(number) => html! {
            a href={ "/companies/" (segment(number)) } { (names.get(number).map(String::as_str).unwrap_or(number)) }
        },
        Holder::Citizen(address) => account_link(&address.to_string()),
    }
}

/// Who a payment went to, as the public sees it: a named agency or company, or "a citizen (private)" for a
/// benefit (the ledger holds a commitment to the payee, never their name).
fn payee(lang: Lang, payee: &Payee, names: &HashMap<String, String>) -> Markup {
    match payee {
        Payee::Public(h) => holder(lang, h, names),
        Payee::Private(_) => html! { (lang.t("a citizen (private)", "en medborgare (privat)")) },
    }
}

/// The holders a payment names, for [`Lookups::names_of`].
fn public_payee(payment: &Payment) -> Option<&Holder> {
    match &payment.payee {
        Payee::Public(h) => Some(h),
        Payee::Private(_) => None,
    }
}

/// The link to a budget line's page.
fn line_href(year: u16, code: &str) -> String {
    format!("/finance/budgets/{year}/lines/{}", segment(code))
}

/// `GET /finance` (`?year=YYYY`: another fiscal year's budget; `?from=N`: its lines from the N-th).
pub async fn index(ctx: Ctx) -> Response {
    let title = ctx.t("Public finance", "Offentlig ekonomi").to_string();
    let year = match ctx.param("year") {
        None => ledger_year(&ctx),
        Some(text) => match parse_year(text) {
            Some(year) => year,
            None => {
                let failure = Failure {
                    status: axum::http::StatusCode::BAD_REQUEST,
                    code: "malformed_request".into(),
                    message: ctx
                        .t(
                            "A fiscal year is written with four digits, 1970 to 9999 (e.g. 2026).",
                            "Ett budgetår skrivs med fyra siffror, 1970 till 9999 (t.ex. 2026).",
                        )
                        .to_string(),
                };
                return ctx.failure(&title, failure);
            }
        },
    };
    let from: u32 = ctx.param("from").and_then(|f| f.parse().ok()).unwrap_or(0);
    let budget_path = format!("/v1/finance/budgets/{year}?from={from}&limit={LINES_PER_PAGE}");
    let budget = match ctx.api.get::<BudgetResponse>(&budget_path).await {
        Ok(b) => Some(b),
        Err(f) if f.is_not_found() => None,
        Err(f) => return ctx.failure(&title, f),
    };
    let mut look = Lookups::new(&ctx);
    let currency = match &budget {
        Some(b) => {
            let path = format!("/v1/finance/currencies/{}", segment(&b.budget.currency));
            match ctx.api.get::<CurrencyResponse>(&path).await {
                Ok(c) => Some((path, c)),
                Err(f) => return ctx.failure(&title, f),
            }
        }
        None => None,
    };
    if let (Some(b), Some((_, c))) = (&budget, &currency) {
        look.budgets.insert(year, Some(b.budget.clone()));
        let unit = Unit { code: c.currency.code.clone(), decimals: c.currency.decimals };
        look.units.insert(unit.code.clone(), Some(unit));
    }
    let unit = currency.as_ref().map(|(_, c)| Unit { code: c.currency.code.clone(), decimals: c.currency.decimals });

    // The latest payments (the first read gives the count) and the newest programmes, each with its currency.
    let payments = match latest::<PaymentsResponse>(&ctx, "/v1/finance/payments", LATEST_PAYMENTS, |r| r.count).await {
        Ok(r) => r.map(|r| r.payments).unwrap_or_default(),
        Err(f) => return ctx.failure(&title, f),
    };
    let programmes =
        match latest::<ProgrammesResponse>(&ctx, "/v1/finance/programmes", PROGRAMMES_LISTED, |r| r.count).await {
            Ok(r) => r.map(|r| r.programmes).unwrap_or_default(),
            Err(f) => return ctx.failure(&title, f),
        };
    let mut payment_rows = Vec::new();
    for p in payments.iter().rev() {
        let allocation = look.allocation_of(p.commitment).await;
        let unit = match &allocation {
            Some(a) => look.unit_of_year(a.year).await,
            None => None,
        };
        payment_rows.push((p, allocation, unit));
    }
    let names = look.names_of(payments.iter().filter_map(public_payee)).await;
    let mut programme_rows = Vec::new();
    for g in programmes.iter().rev() {
        let unit = match look.allocation_of(g.commitment).await {
            Some(a) => look.unit_of_year(a.year).await,
            None => None,
        };
        programme_rows.push((g, unit));
    }

    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("Where public money comes from and where it goes: the currency and how much of it exists, the budget the council voted with what each line has allocated, committed and paid, every payment traced back to the budget law that allowed it, and the welfare programmes. Every figure comes with a proof your browser can check.",
            "Var de offentliga pengarna kommer ifrån och vart de tar vägen: valutan och hur mycket av den som finns, budgeten som fullmäktige beslutade med vad varje anslag har fördelat, bundit och betalat, varje betalning spårad tillbaka till budgetlagen som tillät den, och välfärdsprogrammen. Varje siffra har ett bevis som din webbläsare kan kontrollera.")) }
        @if let Some((path, c)) = &currency {
            (currency_section(&ctx, path, c))
        }
        @match &budget {
            Some(b) => (budget_section(&ctx, &budget_path, b, from, unit.as_ref())),
            None => {
                h2 { (ctx.t("Budget", "Budget")) " " (year) }
                p.notice { (ctx.t("No budget has been enacted for this fiscal year on this network.", "Ingen budget har beslutats för det här budgetåret i det här nätverket.")) }
            },
        }
        p {
            a href={ "/finance?year=" (year.saturating_sub(1).max(1970)) } { (ctx.t("The previous year's budget", "Föregående års budget")) }
            " · "
            a href={ "/finance?year=" (year.saturating_add(1).min(9999)) } { (ctx.t("The next year's budget", "Nästa års budget")) }
        }
        h2 #payments { (ctx.t("Latest payments", "Senaste betalningarna")) }
        @if payment_rows.is_empty() {
            p.notice { (ctx.t("No payment has been made on this network yet.", "Ingen betalning har gjorts i det här nätverket ännu.")) }
        } @else {
            p.muted { (ctx.t("Open a payment to follow it back through its commitment and allocation to the budget line and the law that allowed it.",
                "Öppna en betalning för att följa den tillbaka via åtagandet och fördelningen till anslaget och lagen som tillät den.")) }
            div.table-wrap { table {
                caption.visually-hidden { (ctx.t("Latest payments, newest first", "Senaste betalningarna, den senaste först")) }
                thead { tr {
                    th scope="col" { (ctx.t("Payment", "Betalning")) }
                    th scope="col" { (ctx.t("Time", "Tid")) }
                    th scope="col" { (ctx.t("Paid to", "Mottagare")) }
                    th.num scope="col" { (ctx.t("Amount", "Belopp")) }
                    th scope="col" { (ctx.t("Budget line", "Anslag")) }
                    th scope="col" { (ctx.t("Reference", "Referens")) }
                } }
                tbody { @for (p, allocation, unit) in &payment_rows { tr {
                    td { a href={ "/finance/payments/" (p.id) } { (ctx.t("Payment", "Betalning")) " " (p.id) } }
                    td { (time(p.time_ms)) }
                    td { (payee(ctx.lang, &p.payee, &names)) }
                    td.num { (money(&ctx, p.amount, unit.as_ref())) }
                    td { @match allocation {
                        Some(a) => a href=(line_href(a.year, &a.line)) { (a.line) " (" (a.year) ")" },
                        None => span.muted { "—" },
                    } }
                    td { (p.reference) }
                } } }
            } }
        }
        h2 #programmes { (ctx.t("Welfare programmes", "Välfärdsprogram")) }
        @if programme_rows.is_empty() {
            p.notice { (ctx.t("No welfare programme has been opened on this network yet.", "Inget välfärdsprogram har öppnats i det här nätverket ännu.")) }
        } @else {
            div.table-wrap { table {
                caption.visually-hidden { (ctx.t("Welfare programmes, newest first", "Välfärdsprogram, det senaste först")) }
                thead { tr {
                    th scope="col" { (ctx.t("Programme", "Program")) }
                    th scope="col" { (ctx.t("Agency", "Myndighet")) }
                    th scope="col" { (ctx.t("Months", "Månader")) }
                    th.num scope="col" { (ctx.t("Per claim", "Per ansökan")) }
                    th.num scope="col" { (ctx.t("Claims paid", "Betalda ansökningar")) }
                    th.num scope="col" { (ctx.t("Paid", "Betalt")) }
                } }
                tbody { @for (g, unit) in &programme_rows { tr {
                    td { a href={ "/finance/programmes/" (g.id) } { (g.name) } }
                    td { (g.agency.as_str()) }
                    td { (month_label(ctx.lang, g.first_period)) " – " (month_label(ctx.lang, g.last_period)) }
                    td.num { (money(&ctx, g.amount, unit.as_ref())) }
                    td.num { (g.claims) }
                    td.num { (money(&ctx, g.paid, unit.as_ref())) }
                } } }
            } }
        }
    };
    ctx.render(Page { title, name: "finance", body })
}

/// The newest `count` items of a finance listing at `route` (`?from=&limit=`): one read for the number of items,
/// then one for the last `count`. `None` when there are none.
async fn latest<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    route: &str,
    count: u64,
    total: impl Fn(&T) -> u64,
) -> Result<Option<T>, Failure> {
    let first = ctx.api.get::<T>(&format!("{route}?from=0&limit=1")).await?;
    let n = total(&first);
    if n == 0 {
        return Ok(None);
    }
    let from = n.saturating_sub(count);
    ctx.api.get::<T>(&format!("{route}?from={from}&limit={count}")).await.map(Some)
}

/// The currency's supply, with the double-entry invariant in words and the record's proof.
fn currency_section(ctx: &Ctx, path: &str, c: &CurrencyResponse) -> Markup {
    let cur = &c.currency;
    let unit = Unit { code: cur.code.clone(), decimals: cur.decimals };
    let u = Some(&unit);
    let circulating = cur.issued.checked_sub(cur.redeemed);
    html! {
        h2 #currency { (ctx.t("The currency", "Valutan")) ": " (cur.name) " (" (cur.code) ")" }
        dl.facts {
            dt { (ctx.t("Issued by", "Ges ut av")) } dd { (cur.issuer.as_str()) }
            dt { (ctx.t("Smallest unit", "Minsta enhet")) } dd {
                (amount_text(ctx.lang, 1, cur.decimals)) " " (cur.code) " (" (cur.decimals) " " (ctx.t("decimals", "decimaler")) ")"
            }
            dt { (ctx.t("Issued", "Utgivet")) } dd { (money(ctx, cur.issued, u)) }
            dt { (ctx.t("Redeemed", "Inlöst")) } dd { (money(ctx, cur.redeemed, u)) }
            dt { (ctx.t("In circulation", "I omlopp")) } dd { @match circulating {
                Some(n) => (money(ctx, n, u)),
                None => span.badge.bad { (ctx.t("more redeemed than issued", "mer inlöst än utgivet")) },
            } }
            dt { (ctx.t("Held by agencies (public)", "Myndigheternas innehav (offentligt)")) } dd { (money(ctx, cur.public_balances, u)) }
            dt { (ctx.t("Held in private accounts", "På privata konton")) } dd {
                (money(ctx, cur.private_balances, u)) " " span.muted { "(" (ctx.t("the sum only: each account is private", "bara summan: varje konto är privat")) ")" }
            }
            dt { (ctx.t("Private accounts", "Privata konton")) } dd { (cur.private_accounts) }
            @if !c.tiers.is_empty() {
                dt { (ctx.t("Limits of private accounts", "Gränser för privata konton")) } dd {
                    ul { @for t in &c.tiers { li {
                        (ctx.t("tier", "nivå")) " " (t.tier) ": " (ctx.t("at most", "högst")) " " (money(ctx, t.balance_cap, u))
                        ", " (ctx.t("sending at most", "skickar högst")) " " (money(ctx, t.daily_outflow_cap, u)) " " (ctx.t("a day", "per dag"))
                    } } }
                }
            }
        }
        p {
            (ctx.t("Every unit issued and not redeemed is in exactly one account, so the money in circulation equals what the agencies hold plus what the private accounts hold:",
                "Varje enhet som getts ut och inte lösts in finns på exakt ett konto, så pengarna i omlopp är lika med det myndigheterna har plus det som finns på de privata kontona:"))
            " " (amount_text(ctx.lang, circulating.unwrap_or(0), cur.decimals)) " = "
            (amount_text(ctx.lang, cur.public_balances, cur.decimals)) " + " (amount_text(ctx.lang, cur.private_balances, cur.decimals)) " " (cur.code) ". "
            @if cur.balanced() {
                span.badge.ok { (ctx.t("holds", "stämmer")) }
            } @else {
                span.badge.bad { (ctx.t("does not hold", "stämmer inte")) }
            }
            " " (ctx.t("The ledger checks it after every transaction.", "Registret kontrollerar det efter varje transaktion."))
        }
        (proof_section(ctx.lang, &ProofOf { url: path.to_string(), kind: ProofKind::Document, record: format!("currency:{}", cur.code), at_ms: None },
            ctx.t("Proof of the currency's supply", "Bevis för valutans mängd")))
    }
}

/// A budget's law and a page of its lines, with the CSV export and the proof.
fn budget_section(ctx: &Ctx, path: &str, b: &BudgetResponse, from: u32, unit: Option<&Unit>) -> Markup {
    let budget = &b.budget;
    let year = budget.year;
    let shown = u32::try_from(b.lines.len()).unwrap_or(u32::MAX);
    let complete = from == 0 && shown == budget.lines;
    // The totals of the lines shown, when they are all the budget's lines (each sum checked).
    let sum = |f: fn(&LineRecord) -> u64| b.lines.iter().try_fold(0u64, |acc, l| acc.checked_add(f(l)));
    html! {
        h2 #budget { (ctx.t("Budget", "Budget")) " " (year) }
        dl.facts {
            dt { (ctx.t("Budget law", "Budgetlag")) } dd { (budget.reference) }
            dt { (ctx.t("Enacted", "Beslutad")) } dd { (ctx.t("in block", "i block")) " " a href={ "/blocks/" (budget.enacted_at_height) } { (budget.enacted_at_height) } }
            @if budget.amendments > 0 {
                dt { (ctx.t("Amendments", "Ändringar")) } dd {
                    (budget.amendments) @if let Some(last) = &budget.last_amendment { "; " (ctx.t("the last", "den senaste")) ": " (last) }
                }
            }
            dt { (ctx.t("Paid from the account of", "Betalas från kontot hos")) } dd { (budget.treasury.as_str()) }
            dt { (ctx.t("Appropriated in all", "Anslaget totalt")) } dd { (money(ctx, budget.appropriated, unit)) " " (ctx.t("in", "i")) " " (budget.lines) " " (ctx.t("lines", "anslag")) }
        }
        p.muted { (ctx.t("Each line is classified by its function (COFOG, the UN's Classification of the Functions of Government) and its economic class (the IMF's GFS 2014). Allocated: given to an agency to spend; committed: promised to a supplier or a programme; paid: money that left the treasury.",
            "Varje anslag klassificeras efter funktion (COFOG, FN:s klassificering av offentliga utgifter efter ändamål) och ekonomisk art (IMF:s GFS 2014). Fördelat: tilldelat en myndighet att använda; bundet: utlovat till en leverantör eller ett program; betalt: pengar som lämnat statskassan.")) }
        div.table-wrap { table #budget-lines {
            caption { (ctx.t("Budget lines", "Anslag")) " " (year)
                @if !complete && shown > 0 { " (" (from + 1) "–" (from.saturating_add(shown)) " " (ctx.t("of", "av")) " " (budget.lines) ")" } }
            thead { tr {
                th scope="col" { (ctx.t("Code", "Kod")) }
                th scope="col" { (ctx.t("Line", "Anslag")) }
                th scope="col" { "COFOG" }
                th scope="col" { (ctx.t("Economic class", "Ekonomisk art")) }
                (amount_header(ctx.t("Appropriation", "Anslaget"), unit))
                (amount_header(ctx.t("Allocated", "Fördelat"), unit))
                (amount_header(ctx.t("Committed", "Bundet"), unit))
                (amount_header(ctx.t("Paid", "Betalt"), unit))
            } }
            tbody { @for l in &b.lines { tr {
                th.nowrap scope="row" { a href=(line_href(year, &l.code)) { (l.code) } }
                td { (l.name) }
                td { (classified(&l.cofog, cofog_division(ctx, &l.cofog))) }
                td { (classified(&l.economic, economic_class(ctx, &l.economic))) }
                (cell_amount(ctx, l.appropriation, unit))
                (cell_amount(ctx, l.allocated, unit))
                (cell_amount(ctx, l.committed, unit))
                (cell_amount(ctx, l.paid, unit))
            } } }
            @if complete {
                tfoot { tr {
                    th scope="row" colspan="4" { (ctx.t("Total", "Totalt")) }
                    @for total in [Some(budget.appropriated), sum(|l| l.allocated), sum(|l| l.committed), sum(|l| l.paid)] {
                        @match total { Some(t) => (cell_amount(ctx, t, unit)), None => td.num { "—" } }
                    }
                } }
            }
        } }
        p {
            @if from > 0 { a href={ "/finance?year=" (year) "&from=" (from.saturating_sub(LINES_PER_PAGE)) } { (ctx.t("Earlier lines", "Tidigare anslag")) } " · " }
            @if from.saturating_add(shown) < budget.lines { a href={ "/finance?year=" (year) "&from=" (from.saturating_add(shown)) } { (ctx.t("More lines", "Fler anslag")) } " · " }
            a href={ "/v1/finance/budgets/" (year) "/lines.csv" } download={ "budget-" (year) "-lines.csv" } { (ctx.t("Every line as CSV (for spreadsheets)", "Alla anslag som CSV (för kalkylprogram)")) }
        }
        (proof_section(ctx.lang, &ProofOf { url: path.to_string(), kind: ProofKind::Document, record: format!("budget:{year}"), at_ms: None },
            ctx.t("Proof of the budget and its lines", "Bevis för budgeten och dess anslag")))
    }
}

/// `GET /finance/budgets/{year}/lines/{code}`: a line and what it moved each month.
pub async fn line(ctx: Ctx, Path((year, code)): Path<(String, String)>) -> Response {
    let what = format!("{} {code} ({year})", ctx.t("Budget line", "Anslag"));
    let path = format!("/v1/finance/budgets/{}/lines/{}", segment(&year), segment(&code));
    let r = match ctx.api.get::<BudgetLineResponse>(&path).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let l = &r.line;
    let mut look = Lookups::new(&ctx);
    let budget = look.budget(l.year).await;
    let unit = match &budget {
        Some(b) => look.unit(&b.currency).await,
        None => None,
    };
    let u = unit.as_ref();
    let body = html! {
        h1 { (l.code) " " (l.name) }
        p.lead {
            (ctx.t("A line of the budget for", "Ett anslag i budgeten för")) " " a href={ "/finance?year=" (l.year) } { (l.year) }
            @if let Some(b) = &budget { ": " (b.reference) } "."
        }
        dl.facts {
            dt { (ctx.t("Function (COFOG)", "Funktion (COFOG)")) } dd { (classified(&l.cofog, cofog_division(&ctx, &l.cofog))) }
            dt { (ctx.t("Economic class (GFS)", "Ekonomisk art (GFS)")) } dd { (classified(&l.economic, economic_class(&ctx, &l.economic))) }
            dt { (ctx.t("Appropriation", "Anslaget")) } dd { (money(&ctx, l.appropriation, u)) }
            dt { (ctx.t("Allocated to agencies", "Fördelat till myndigheter")) } dd {
                (money(&ctx, l.allocated, u))
                @if let Some(left) = l.appropriation.checked_sub(l.allocated) { " " span.muted { "(" (money(&ctx, left, u)) " " (ctx.t("not yet allocated", "ännu inte fördelat")) ")" } }
            }
            dt { (ctx.t("Committed", "Bundet")) } dd { (money(&ctx, l.committed, u)) }
            dt { (ctx.t("Paid", "Betalt")) } dd { (money(&ctx, l.paid, u)) }
        }
        h2 { (ctx.t("By month", "Per månad")) }
        @if r.months.is_empty() {
            p.notice { (ctx.t("Nothing has been allocated, committed or paid on this line yet.", "Inget har fördelats, bundits eller betalats på det här anslaget ännu.")) }
        } @else {
            div.table-wrap { table #line-months {
                caption { (ctx.t("What the line moved each month (UTC, by block time)", "Vad anslaget omfattade varje månad (UTC, efter blocktid)")) }
                thead { tr {
                    th scope="col" { (ctx.t("Month", "Månad")) }
                    (amount_header(ctx.t("Allocated", "Fördelat"), u))
                    (amount_header(ctx.t("Committed", "Bundet"), u))
                    (amount_header(ctx.t("Paid", "Betalt"), u))
                } }
                tbody { @for m in &r.months { tr {
                    th scope="row" { (month_label(ctx.lang, m.month)) }
                    (cell_amount(&ctx, m.allocated, u))
                    (cell_amount(&ctx, m.committed, u))
                    (cell_amount(&ctx, m.paid, u))
                } } }
                tfoot { tr {
                    th scope="row" { (ctx.t("In all", "Totalt")) }
                    (cell_amount(&ctx, l.allocated, u))
                    (cell_amount(&ctx, l.committed, u))
                    (cell_amount(&ctx, l.paid, u))
                } }
            } }
            p.muted { (ctx.t("Months of the fiscal year and of the next (late payments) in which nothing moved are left out; the proof shows each of them empty.",
                "Månader under budgetåret och nästa år (sena betalningar) då inget hände visas inte; beviset visar att var och en av dem är tom.")) }
        }
        p { a href={ "/v1/finance/budgets/" (l.year) "/lines.csv" } download={ "budget-" (l.year) "-lines.csv" } { (ctx.t("The budget's lines as CSV", "Budgetens anslag som CSV")) } }
        (proof_section(ctx.lang, &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("line:{}:{}", l.year, l.code), at_ms: None },
            ctx.t("Proof of the line and its months", "Bevis för anslaget och dess månader")))
    };
    ctx.render(Page { title: format!("{} {}", l.code, l.name), name: "finance-line", body })
}

/// The programme a benefit's payment was made by, when its reference names one (`programme N period YYYYMM`, as
/// the ledger writes it): the programme and period, read and checked to pay from the payment's commitment.
async fn benefit_of(look: &mut Lookups<'_>, payment: &Payment) -> Option<(Programme, u32)> {
    let rest = payment.reference.strip_prefix("programme ")?;
    let (id, period) = rest.split_once(" period ")?;
    let (id, period) = (id.parse::<u64>().ok()?, period.parse::<u32>().ok()?);
    let r = look.read::<ProgrammeResponse>(&format!("/v1/finance/programmes/{id}")).await?;
    (r.programme.commitment == payment.commitment).then_some((r.programme, period))
}

/// `GET /finance/payments/{id}`: a payment traced to its budget line and the law.
pub async fn payment(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Payment", "Betalning"));
    let path = format!("/v1/finance/payments/{}", segment(&id));
    let r = match ctx.api.get::<PaymentResponse>(&path).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let (p, c, a, l, b) = (&r.payment, &r.commitment, &r.allocation, &r.line, &r.budget);
    let mut look = Lookups::new(&ctx);
    let unit = look.unit(&b.currency).await;
    let u = unit.as_ref();
    let names = look.names_of(public_payee(p).into_iter().chain(c.payee.as_ref())).await;
    let benefit = match &p.payee {
        Payee::Private(_) => benefit_of(&mut look, p).await,
        Payee::Public(_) => None,
    };
    let body = html! {
        h1 { (ctx.t("Payment", "Betalning")) " " (p.id) }
        p.lead {
            (money(&ctx, p.amount, u)) " " (ctx.t("paid to", "betalt till")) " " (payee(ctx.lang, &p.payee, &names)) " "
            (ctx.t("on", "den")) " " (time(p.time_ms)) ", "
            (ctx.t("from line", "från anslag")) " " a href=(line_href(l.year, &l.code)) { (l.code) " " (l.name) } " "
            (ctx.t("of the budget for", "i budgeten för")) " " (b.year) "."
        }
        h2 { (ctx.t("From the payment back to the law", "Från betalningen tillbaka till lagen")) }
        ol.trace {
            li {
                h3 { (ctx.t("Payment", "Betalning")) " " (p.id) }
                p.step { (money(&ctx, p.amount, u)) " " (ctx.t("to", "till")) " " (payee(ctx.lang, &p.payee, &names)) }
                p.muted {
                    (p.reference) " · " (time(p.time_ms)) " · " (ctx.t("block", "block")) " " a href={ "/blocks/" (p.height) } { (p.height) }
                }
                @if let Payee::Private(hidden) = &p.payee {
                    p.muted {
                        (ctx.t("A benefit is paid to a citizen's private wallet. The ledger records, in place of the name, a commitment to the payee that only the citizen can open with their wallet:",
                            "En förmån betalas till en medborgares privata plånbok. Registret lagrar, i stället för namnet, ett åtagande om mottagaren som bara medborgaren kan öppna med sin plånbok:"))
                        " " (hex_full(&hex::encode(hidden)))
                    }
                    @if let Some((g, period)) = &benefit {
                        p { (ctx.t("Paid by the programme", "Betald av programmet")) " " a href={ "/finance/programmes/" (g.id) } { (g.name) } " " (ctx.t("for", "för")) " " (month_label(ctx.lang, *period)) "." }
                    }
                }
            }
            li {
                h3 { (ctx.t("against commitment", "mot åtagande")) " " (c.id) }
                p.step {
                    (money(&ctx, c.amount, u)) " "
                    @match &c.payee {
                        Some(h) => { (ctx.t("to", "till")) " " (holder(ctx.lang, h, &names)) },
                        None => { "(" (ctx.t("no payee named: it funds a welfare programme, whose claims it pays", "ingen mottagare: det finansierar ett välfärdsprogram, vars ansökningar det betalar")) ")" },
                    }
                    ": " (c.reference)
                }
                p.muted {
                    (money(&ctx, c.paid, u)) " " (ctx.t("of it paid so far", "av det betalt hittills")) " · "
                    (ctx.t("committed by", "bundet av")) " " (account_link(&c.by.to_string())) " " (time(c.time_ms))
                }
            }
            li {
                h3 { (ctx.t("drawn on allocation", "från fördelning")) " " (a.id) }
                p.step { (money(&ctx, a.amount, u)) " " (ctx.t("to", "till")) " " (a.agency.as_str()) ": " (a.reference) }
                p.muted {
                    (money(&ctx, a.committed, u)) " " (ctx.t("of it committed", "av den bunden")) " · "
                    (ctx.t("allocated by", "fördelad av")) " " (account_link(&a.by.to_string())) " " (time(a.time_ms))
                }
            }
            li {
                h3 { (ctx.t("of budget line", "ur anslag")) " " a href=(line_href(l.year, &l.code)) { (l.code) } }
                p.step { (l.name) ": " (money(&ctx, l.appropriation, u)) " " (ctx.t("appropriated", "anslaget")) }
                p.muted {
                    "COFOG " (classified(&l.cofog, cofog_division(&ctx, &l.cofog))) " · "
                    (ctx.t("economic class", "ekonomisk art")) " " (classified(&l.economic, economic_class(&ctx, &l.economic))) " · "
                    (money(&ctx, l.paid, u)) " " (ctx.t("paid in all", "betalt totalt"))
                }
            }
            li {
                h3 { (ctx.t("in the budget law for", "i budgetlagen för")) " " a href={ "/finance?year=" (b.year) } { (b.year) } }
                p.step { (b.reference) }
                p.muted {
                    (ctx.t("enacted in block", "beslutad i block")) " " a href={ "/blocks/" (b.enacted_at_height) } { (b.enacted_at_height) }
                    @if let Some(last) = &b.last_amendment { " · " (ctx.t("last amended by", "senast ändrad genom")) " " (last) }
                    " · " (ctx.t("paid from the account of", "betalas från kontot hos")) " " (b.treasury.as_str())
                }
            }
        }
        (proof_section(ctx.lang, &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("payment:{}", p.id), at_ms: None },
            ctx.t("Proof of the payment and its trace", "Bevis för betalningen och dess spår")))
    };
    ctx.render(Page { title: what, name: "finance-payment", body })
}

/// `GET /finance/programmes/{id}`: a welfare programme and its totals by month.
pub async fn programme(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Programme", "Program"));
    let path = format!("/v1/finance/programmes/{}", segment(&id));
    let r = match ctx.api.get::<ProgrammeResponse>(&path).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let g = &r.programme;
    let mut look = Lookups::new(&ctx);
    let allocation = look.allocation_of(g.commitment).await;
    let unit = match &allocation {
        Some(a) => look.unit_of_year(a.year).await,
        None => None,
    };
    let u = unit.as_ref();
    let body = html! {
        h1 { (g.name) }
        p.lead {
            (ctx.t("A welfare programme of", "Ett välfärdsprogram hos")) " " (g.agency.as_str()) ": "
            (money(&ctx, g.amount, u)) " " (ctx.t("per claim and month, from", "per ansökan och månad, från")) " "
            (month_label(ctx.lang, g.first_period)) " " (ctx.t("to", "till")) " " (month_label(ctx.lang, g.last_period)) "."
        }
        dl.facts {
            dt { (ctx.t("Scheme", "Förmån")) } dd {
                code { (g.scheme) } " " span.muted { "(" (ctx.t("one claim per person and month across every programme of the scheme", "en ansökan per person och månad i alla program med samma förmån")) ")" }
            }
            dt { (ctx.t("Run by", "Drivs av")) } dd { (g.agency.as_str()) }
            @if let Some(agency) = &g.registered_by {
                dt { (ctx.t("Claimants registered by", "Sökande folkbokförda av")) } dd { (agency.as_str()) }
            }
            @if !g.requires.is_empty() {
                dt { (ctx.t("Credentials checked by its officers", "Intyg som handläggarna kontrollerar")) } dd {
                    ul { @for vct in &g.requires { li { code.hex { (vct) } } } }
                }
            }
            dt { (ctx.t("Funded by", "Finansieras av")) } dd {
                (ctx.t("commitment", "åtagande")) " " (g.commitment)
                @if let Some(a) = &allocation { " " (ctx.t("on budget line", "på anslag")) " " a href=(line_href(a.year, &a.line)) { (a.line) " (" (a.year) ")" } }
            }
            dt { (ctx.t("Claims paid", "Betalda ansökningar")) } dd { (g.claims) }
            dt { (ctx.t("Paid in all", "Betalt totalt")) } dd { (money(&ctx, g.paid, u)) }
            dt { (ctx.t("Opened", "Öppnat")) } dd { (ctx.t("in block", "i block")) " " a href={ "/blocks/" (g.height) } { (g.height) } }
        }
        h2 { (ctx.t("Who was paid stays private", "Vem som fick betalt förblir privat")) }
        p { (ctx.t("Each claim records a nullifier: a number the citizen computes with their own key for this scheme and month. A second claim for the same month gives the same nullifier and is refused, whichever agency it reaches. The nullifiers hide who was paid: without the citizen's key nobody can tell whose a nullifier is, nor link one citizen's nullifiers across months. So this page shows how many claims were paid and how much, never to whom.",
            "Varje ansökan lagrar en nullifierare: ett tal som medborgaren räknar fram med sin egen nyckel för förmånen och månaden. En andra ansökan för samma månad ger samma nullifierare och avslås, vilken myndighet den än når. Nullifierarna döljer vem som fick betalt: utan medborgarens nyckel kan ingen se vems en nullifierare är, eller koppla ihop en medborgares nullifierare mellan månader. Därför visar sidan hur många ansökningar som betalades och hur mycket, aldrig till vem.")) }
        h2 { (ctx.t("By month", "Per månad")) }
        div.table-wrap { table #programme-periods {
            caption { (ctx.t("Claims paid for each month of the programme", "Betalda ansökningar för varje månad i programmet")) }
            thead { tr {
                th scope="col" { (ctx.t("Month", "Månad")) }
                th.num scope="col" { (ctx.t("Claims paid", "Betalda ansökningar")) }
                (amount_header(ctx.t("Paid", "Betalt"), u))
            } }
            tbody { @for period in &r.periods { tr {
                th scope="row" { (month_label(ctx.lang, period.period)) }
                td.num { (period.claims) }
                (cell_amount(&ctx, period.paid, u))
            } } }
            tfoot { tr {
                th scope="row" { (ctx.t("In all", "Totalt")) }
                td.num { (g.claims) }
                (cell_amount(&ctx, g.paid, u))
            } }
        } }
        (proof_section(ctx.lang, &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("programme:{}", g.id), at_ms: None },
            ctx.t("Proof of the programme and its months", "Bevis för programmet och dess månader")))
    };
    ctx.render(Page { title: g.name.clone(), name: "finance-programme", body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_exactly_with_the_languages_grouping() {
        assert_eq!(amount_text(Lang::En, 1_200_000_000, 2), "12,000,000.00");
        assert_eq!(amount_text(Lang::Sv, 1_200_000_000, 2), "12\u{a0}000\u{a0}000,00");
        assert_eq!(amount_text(Lang::En, 95_550, 2), "955.50");
        assert_eq!(amount_text(Lang::En, 5, 2), "0.05");
        assert_eq!(amount_text(Lang::En, 0, 2), "0.00");
        assert_eq!(amount_text(Lang::En, 1_000, 0), "1,000");
        assert_eq!(amount_text(Lang::En, 999, 0), "999");
        assert_eq!(amount_text(Lang::En, 123_456_789, 8), "1.23456789");
        // The largest amount, to its last digit: no float could hold it.
        assert_eq!(amount_text(Lang::En, u64::MAX, 2), "184,467,440,737,095,516.15");
        assert_eq!(amount_text(Lang::Sv, u64::MAX, 0), "18\u{a0}446\u{a0}744\u{a0}073\u{a0}709\u{a0}551\u{a0}615");
    }

    #[test]
    fn months_are_named_in_each_language() {
        assert_eq!(month_label(Lang::En, 202612), "December 2026");
        assert_eq!(month_label(Lang::Sv, 202601), "januari 2026");
        assert_eq!(month_label(Lang::En, 202613), "202613");
        assert_eq!(month_label(Lang::En, 202600), "202600");
    }

    #[test]
    fn a_private_payee_is_a_citizen_never_a_hash_and_a_company_is_named() {
        let names = HashMap::from([("55667788".to_string(), "Nordvik Sawmill AB".to_string())]);
        let hidden = payee(Lang::En, &Payee::Private([0xab; 32]), &names).into_string();
        assert_eq!(hidden, "a citizen (private)");
        assert_eq!(payee(Lang::Sv, &Payee::Private([0xab; 32]), &names).into_string(), "en medborgare (privat)");
        let company = payee(Lang::En, &Payee::Public(Holder::Company("55667788".into())), &names).into_string();
        assert_eq!(company, r#"<a href="/companies/55667788">Nordvik Sawmill AB</a>"#);
        let unnamed = payee(Lang::En, &Payee::Public(Holder::Company("1/../x".into())), &names).into_string();
        assert_eq!(
            unnamed, r#"<a href="/companies/1%2F..%2Fx">1/../x</a>"#,
            "a number is a path segment, never a path"
        );
    }

    #[test]
    fn a_fiscal_year_is_four_digits() {
        assert_eq!(parse_year("2026"), Some(2026));
        for bad in ["", "26", "02026", "1969", "20x6", "+202", "../1"] {
            assert_eq!(parse_year(bad), None, "{bad:?}");
        }
    }
}
