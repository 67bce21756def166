//! Public procurement: the tenders with their deadlines and values, the red flags, a tender's whole record (its
//! timeline, lots, items, criteria, documents, questions, bids, each lot's ranking and awards, complaints) and a
//! contract with its milestones, payments and amendments. Each page reads the procurement routes of the API
//! (`docs/procurement.md`); a tender's page and a contract's offer their proofs to check in the browser
//! (`tender:ID`: the tender, its amendments and its lots' standing awards; `contract:ID`: the contract and its
//! amendments).
//!
//! Bids are sealed to a key its holders made together until the opening time: before it the pages show a bid's
//! company, size and SHA-256, and say plainly that nobody can read it. Amounts are integers in the smallest unit of
//! the tender's currency, written with the finance module's decimals for that currency when it defines it, and as
//! whole units otherwise (as the OCDS export does).

use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::{
    BidSummary, BidsResponse, CompanyResponse, ComplaintsResponse, ContractResponse, CurrencyResponse, LotResponse,
    QuestionsResponse, RedFlagsResponse, TenderResponse, TendersResponse,
};
use publica_procurement::call::{Category, CriterionKind};
use publica_procurement::flags::FlagKind;
use publica_procurement::query::TenderStatus;
use publica_procurement::schema::{ContractStatus, Opening};

use crate::api::segment;
use crate::html::{account_link, hex_full, proof_section, short, time, Ctx, Page, ProofKind, ProofOf};
use crate::i18n::Lang;
use crate::pages::finance::amount_text;

/// Tenders listed on one page of `/procurement`.
const TENDERS_PER_PAGE: u32 = 50;
/// Tenders whose red flags `/procurement` reads.
const FLAGGED_TENDERS: u32 = 200;
/// Questions, bids and complaints a tender's page lists (the API's largest page).
const LISTED: u32 = 100;
/// Lots whose ranking and awards a tender's page reads, one read each; beyond them the page links the API.
const LOTS_READ: usize = 10;

/// A currency's code and decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unit {
    code: String,
    decimals: u8,
}

/// The unit of `code`: the finance module's decimals when it defines the currency, else whole units (0 decimals,
/// as the OCDS export writes it).
async fn unit_of(ctx: &Ctx, code: &str) -> Unit {
    let decimals = match ctx.api.get::<CurrencyResponse>(&format!("/v1/finance/currencies/{}", segment(code))).await {
        Ok(r) => r.currency.decimals,
        Err(_) => 0,
    };
    Unit { code: code.to_string(), decimals }
}

/// An amount with its currency: `1,200,000 EUR`.
fn money(lang: Lang, amount: u64, unit: &Unit) -> String {
    format!("{}\u{a0}{}", amount_text(lang, amount, unit.decimals), unit.code)
}

/// A tender's status in words.
fn status_text(lang: Lang, status: TenderStatus) -> &'static str {
    match status {
        TenderStatus::Clarification => lang.t("open for questions and bids", "öppen för frågor och anbud"),
        TenderStatus::Tendering => lang.t("open for bids", "öppen för anbud"),
        TenderStatus::AwaitingOpening => {
            lang.t("closed, bids sealed until the opening", "stängd, anbuden förseglade till öppningen")
        }
        TenderStatus::Opening => lang.t("bids being opened", "anbuden öppnas"),
        TenderStatus::Evaluation => lang.t("under evaluation", "under utvärdering"),
        TenderStatus::Awarded => lang.t("awarded", "tilldelad"),
        TenderStatus::Contracted => lang.t("contracted", "avtal tecknat"),
        TenderStatus::Cancelled => lang.t("cancelled", "avbruten"),
    }
}

/// A status as a badge: cancelled in red, the rest plain.
fn status_badge(lang: Lang, status: TenderStatus) -> Markup {
    let text = status_text(lang, status);
    match status {
        TenderStatus::Cancelled => html! { span.badge.bad { (text) } },
        TenderStatus::Awarded | TenderStatus::Contracted => html! { span.badge.ok { (text) } },
        _ => html! { span.badge { (text) } },
    }
}

/// What a tender buys, in words.
fn category_text(lang: Lang, category: Category) -> &'static str {
    match category {
        Category::Goods => lang.t("goods", "varor"),
        Category::Works => lang.t("works", "byggentreprenad"),
        Category::Services => lang.t("services", "tjänster"),
    }
}

/// A red flag's kind, in words.
fn flag_text(lang: Lang, kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::SingleBidder => lang.t("Single bidder", "En enda anbudsgivare"),
        FlagKind::ShortBidWindow => lang.t("Short bid window", "Kort anbudstid"),
        FlagKind::LateRegisteredWinner => lang.t("Winner registered late", "Vinnaren registrerad sent"),
        FlagKind::ContractAboveEstimate => lang.t("Contract above the estimate", "Avtal över uppskattningen"),
        FlagKind::ManyAmendments => lang.t("Many amendments", "Många ändringar"),
        FlagKind::AwardDepartsFromRanking => {
            lang.t("Award departs from the ranking", "Tilldelning avviker från rangordningen")
        }
    }
}

/// A duration in whole days, hours or minutes (`10 days`, `2 hours`).
fn duration_text(lang: Lang, ms: u64) -> String {
    const MINUTE: u64 = 60_000;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let (n, en, sv) = if ms >= DAY && ms.is_multiple_of(DAY) {
        (ms / DAY, ("day", "days"), ("dag", "dagar"))
    } else if ms >= HOUR && ms.is_multiple_of(HOUR) {
        (ms / HOUR, ("hour", "hours"), ("timme", "timmar"))
    } else {
        (ms.div_ceil(MINUTE), ("minute", "minutes"), ("minut", "minuter"))
    };
    let word = match lang {
        Lang::En if n == 1 => en.0,
        Lang::En => en.1,
        Lang::Sv if n == 1 => sv.0,
        Lang::Sv => sv.1,
    };
    format!("{n} {word}")
}

/// A weight in per mille as a percentage (`600` is `60 %`, `125` is `12.5 %`).
fn weight_text(lang: Lang, per_mille: u16) -> String {
    let (whole, tenth) = (per_mille / 10, per_mille % 10);
    let point = match lang {
        Lang::En => '.',
        Lang::Sv => ',',
    };
    if tenth == 0 {
        format!("{whole}\u{a0}%")
    } else {
        format!("{whole}{point}{tenth}\u{a0}%")
    }
}

/// A total in thousandths of a point, as points with three decimals.
fn points_text(lang: Lang, millipoints: u64) -> String {
    amount_text(lang, millipoints, 3)
}

/// A link to a company's page, by its name when known.
fn company_link(number: &str, name: Option<&str>) -> Markup {
    html! { a href={ "/companies/" (segment(number)) } { (name.unwrap_or(number)) } }
}

/// The names of the companies numbered `numbers` (each read once, at most `LISTED` reads).
async fn company_names(ctx: &Ctx, numbers: Vec<String>) -> std::collections::HashMap<String, String> {
    let mut names = std::collections::HashMap::new();
    let mut tried = std::collections::HashSet::new();
    for number in numbers {
        if tried.len() >= LISTED as usize || !tried.insert(number.clone()) {
            continue;
        }
        let path = format!("/v1/business/companies/{}", segment(&number));
        if let Ok(r) = ctx.api.get::<CompanyResponse>(&path).await {
            names.insert(number, r.company.value.name);
        }
    }
    names
}

/// `GET /procurement` (`?from=N`: the tenders from the N-th).
pub async fn index(ctx: Ctx) -> Response {
    let title = ctx.t("Public procurement", "Offentlig upphandling").to_string();
    let from: u64 = ctx.param("from").and_then(|f| f.parse().ok()).filter(|f| *f >= 1).unwrap_or(1);
    let path = format!("/v1/procurement/tenders?from={from}&limit={TENDERS_PER_PAGE}");
    let list = match ctx.api.get::<TendersResponse>(&path).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&title, f),
    };
    let flags = ctx
        .api
        .get::<RedFlagsResponse>(&format!("/v1/procurement/red-flags?from=1&limit={FLAGGED_TENDERS}"))
        .await
        .ok();
    let mut units: Vec<Unit> = Vec::new();
    for t in &list.tenders {
        if !units.iter().any(|u| u.code == t.currency) && units.len() < 8 {
            units.push(unit_of(&ctx, &t.currency).await);
        }
    }
    let unit_for = |code: &str| {
        units.iter().find(|u| u.code == code).cloned().unwrap_or(Unit { code: code.to_string(), decimals: 0 })
    };
    let titles: std::collections::HashMap<u64, &str> = list.tenders.iter().map(|t| (t.id, t.title.as_str())).collect();

    let body = html! {
        h1 { (title) }
        p.lead { (ctx.t("What the agencies buy, from whom and for how much: each tender with its deadlines and estimated value, the bids sealed until the opening so that nobody can read them early, how each lot was ranked and awarded, and the contracts and their payments. Every tender's record comes with a proof your browser can check.",
            "Vad myndigheterna köper, av vem och för hur mycket: varje upphandling med sina tidsfrister och sitt uppskattade värde, anbuden förseglade till öppningen så att ingen kan läsa dem i förväg, hur varje del rangordnades och tilldelades, och avtalen och deras betalningar. Varje upphandlings uppgifter har ett bevis som din webbläsare kan kontrollera.")) }
        h2 #tenders { (ctx.t("Tenders", "Upphandlingar")) }
        @if list.tenders.is_empty() {
            p.notice { (ctx.t("No tender has been published on this network yet.", "Ingen upphandling har publicerats i det här nätverket ännu.")) }
        } @else {
            div.table-wrap { table #tenders-list {
                caption.visually-hidden { (ctx.t("Tenders, by number", "Upphandlingar, efter nummer")) }
                thead { tr {
                    th scope="col" { (ctx.t("Tender", "Upphandling")) }
                    th scope="col" { (ctx.t("Procuring entity", "Upphandlande myndighet")) }
                    th scope="col" { (ctx.t("Status", "Status")) }
                    th scope="col" { (ctx.t("Bids until", "Anbud senast")) }
                    th scope="col" { (ctx.t("Opening", "Öppning")) }
                    th.num scope="col" { (ctx.t("Estimated value", "Uppskattat värde")) }
                } }
                tbody { @for t in &list.tenders { tr {
                    td { a href={ "/procurement/tenders/" (t.id) } { (t.title) } " " span.muted { "(" (t.id) ")" } }
                    td { (t.entity.as_str()) }
                    td { (status_badge(ctx.lang, t.status)) }
                    td { (time(t.timeline.bid_deadline_ms)) }
                    td { (time(t.timeline.opening_ms)) }
                    td.num { @match t.value {
                        Some(v) => (money(ctx.lang, v, &unit_for(&t.currency))),
                        None => span.muted { "—" },
                    } }
                } } }
            } }
            p.muted { (ctx.t("Statuses are as of the last block", "Status enligt det senaste blocket")) " (" (time(list.at_ms)) ")." }
            @if from > 1 || list.next.is_some() {
                p {
                    @if from > 1 { a href={ "/procurement?from=" (from.saturating_sub(u64::from(TENDERS_PER_PAGE)).max(1)) } { (ctx.t("Earlier tenders", "Tidigare upphandlingar")) } }
                    @if from > 1 && list.next.is_some() { " · " }
                    @if let Some(next) = list.next { a href={ "/procurement?from=" (next) } { (ctx.t("More tenders", "Fler upphandlingar")) } }
                }
            }
        }
        h2 #red-flags { (ctx.t("Red flags", "Varningsflaggor")) }
        p { (ctx.t("A red flag is a question to ask of a tender, not a finding: a single bidder, a short bid window, a winner registered just before the deadline, a contract above its estimate, many amendments or an award that departs from the ranking can each have a good reason. The flags are computed from the ledger's records by fixed rules; open the tender to read the proven records behind each.",
            "En varningsflagga är en fråga att ställa om en upphandling, inte ett konstaterande: en enda anbudsgivare, kort anbudstid, en vinnare registrerad strax före sista dag, ett avtal över uppskattningen, många ändringar eller en tilldelning som avviker från rangordningen kan var och en ha goda skäl. Flaggorna räknas fram ur registrets uppgifter med fasta regler; öppna upphandlingen för att läsa de bevisade uppgifterna bakom var och en.")) }
        @match &flags {
            None => p.notice { (ctx.t("The red flags could not be read from the node just now.", "Varningsflaggorna kunde inte läsas från noden just nu.")) },
            Some(f) if f.flags.is_empty() => p.notice { (ctx.t("No tender raises a red flag.", "Ingen upphandling har en varningsflagga.")) },
            Some(f) => {
                ul #flags-list {
                    @for flag in &f.flags { li {
                        strong { (flag_text(ctx.lang, flag.kind)) } ": "
                        a href={ "/procurement/tenders/" (flag.tender) } {
                            @match titles.get(&flag.tender) { Some(t) => (t), None => { (ctx.t("tender", "upphandling")) " " (flag.tender) } }
                        }
                        @if let Some(lot) = flag.lot { ", " (ctx.t("lot", "del")) " " (lot) }
                        " — " (flag.detail)
                    } }
                }
                p.muted { (ctx.t("Computed at", "Beräknade vid")) " " (time(f.at_ms)) "." }
            },
        }
    };
    ctx.render(Page { title, name: "procurement", body })
}

/// A bid's opening as the page says it, at `times` (the opening time, and the certified block's time the page
/// reads at): sealed (with when it opens, or that it waits for the key holders' shares), its prices and summary, or
/// why it is invalid.
fn bid_state(lang: Lang, bid: &BidSummary, times: (u64, u64), unit: &Unit, lot_titles: &[String]) -> Markup {
    let (opening_ms, at_ms) = times;
    html! {
        @match &bid.opening {
            None if bid.withdrawn => p { span.badge { (lang.t("withdrawn", "återkallat")) } " " (lang.t("It takes no part in the evaluation and is never opened.", "Det deltar inte i utvärderingen och öppnas aldrig.")) },
            None if at_ms < opening_ms => p.sealed {
                span.badge { (lang.t("sealed", "förseglat")) } " "
                (lang.t("Nobody can read this bid before the opening time,", "Ingen kan läsa anbudet före öppningstiden,")) " " (time(opening_ms)) ": "
                (lang.t("it is encrypted to a key that only enough of the key holders together can use, and they publish their shares, checked by the ledger, only from then on. Not the agency, not the key holders alone, not this node.",
                    "det är krypterat till en nyckel som bara tillräckligt många av nyckelinnehavarna kan använda tillsammans, och de publicerar sina delar, som registret kontrollerar, först från den tiden. Inte myndigheten, inte en nyckelinnehavare ensam, inte den här noden."))
            },
            None => p.sealed {
                span.badge { (lang.t("sealed", "förseglat")) } " "
                (lang.t("The opening time has come, but this bid is still sealed: it opens when enough key holders have published their decryption shares, which the ledger checks. Shares recorded so far:",
                    "Öppningstiden har kommit, men anbudet är fortfarande förseglat: det öppnas när tillräckligt många nyckelinnehavare har publicerat sina dekrypteringsdelar, som registret kontrollerar. Delar hittills:"))
                " " (bid.shares.len()) "."
            },
            Some(Opening::Valid { content }) => {
                ul { @for p in &content.prices { li {
                    (lang.t("Lot", "Del")) " " (p.lot)
                    @if let Some(t) = lot_titles.get(usize::from(p.lot)) { " (" (t) ")" }
                    ": " strong { (money(lang, p.price, unit)) }
                } } }
                @if !content.summary.is_empty() { p { (content.summary) } }
                @if !content.documents.is_empty() {
                    ul { @for d in &content.documents { li { (d.title) ": " (hex_full(&hex::encode(d.sha256))) } } }
                }
            },
            Some(Opening::Invalid { reason }) => p {
                span.badge.bad { (lang.t("invalid", "ogiltigt")) } " " (lang.t("It could not be read as a bid and takes no part in the evaluation:", "Det kunde inte läsas som ett anbud och deltar inte i utvärderingen:")) " " (reason)
            },
        }
    }
}

/// `GET /procurement/tenders/{id}`: a tender's whole record.
pub async fn tender(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Tender", "Upphandling"));
    let base = format!("/v1/procurement/tenders/{}", segment(&id));
    let r = match ctx.api.get::<TenderResponse>(&base).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let t = &r.tender;
    let spec = &t.spec;
    let tid = t.id;
    let unit = unit_of(&ctx, &spec.currency).await;
    let questions = ctx.api.get::<QuestionsResponse>(&format!("{base}/questions?from=1&limit={LISTED}")).await.ok();
    let bids = ctx.api.get::<BidsResponse>(&format!("{base}/bids?from=1&limit={LISTED}")).await.ok();
    let complaints = ctx.api.get::<ComplaintsResponse>(&format!("{base}/complaints?from=1&limit={LISTED}")).await.ok();
    let mut lots = Vec::new();
    for i in 0..spec.lots.len().min(LOTS_READ) {
        lots.push(ctx.api.get::<LotResponse>(&format!("{base}/lots/{i}")).await.ok());
    }
    let mut numbers: Vec<String> = Vec::new();
    for b in bids.iter().flat_map(|b| &b.bids) {
        numbers.push(b.company.as_str().to_string());
    }
    for a in lots.iter().flatten().flat_map(|l| &l.awards) {
        numbers.push(a.company.as_str().to_string());
    }
    let names = company_names(&ctx, numbers).await;
    let name = |n: &str| names.get(n).map(String::as_str);
    let lot_titles: Vec<String> = spec.lots.iter().map(|l| l.title.clone()).collect();
    let tl = &spec.timeline;
    let contracts: Vec<(usize, u64)> =
        t.lots.iter().enumerate().filter_map(|(i, s)| s.contract.map(|c| (i, c))).collect();

    let body = html! {
        h1 { (spec.title) }
        p.lead {
            (ctx.t("A tender for", "En upphandling av")) " " (category_text(ctx.lang, spec.category)) " "
            (ctx.t("by", "från")) " " (t.entity.as_str()) ", "
            (ctx.t("published", "publicerad")) " " (time(t.published_ms)) ". "
            (ctx.t("Status", "Status")) ": " (status_badge(ctx.lang, r.status))
        }
        @if let Some((reason, at)) = &t.cancelled {
            div.notice role="note" { p { strong { (ctx.t("Cancelled", "Avbruten")) } " " (time(*at)) ": " (reason) } }
        }
        p { (spec.description) }
        dl.facts {
            dt { (ctx.t("Number", "Nummer")) } dd { (tid) }
            dt { (ctx.t("Status", "Status")) } dd { (status_text(ctx.lang, r.status)) " " span.muted { "(" (ctx.t("as of", "per")) " " (time(r.at_ms)) ")" } }
            dt { (ctx.t("Estimated value", "Uppskattat värde")) } dd {
                @match spec.lots.iter().try_fold(0u64, |s, l| s.checked_add(l.value)) {
                    Some(v) => (money(ctx.lang, v, &unit)),
                    None => "—",
                }
                " " span.muted { "(" (spec.lots.len()) " " (if spec.lots.len() == 1 { ctx.t("lot", "del") } else { ctx.t("lots", "delar") }) ")" }
            }
            dt { (ctx.t("Published by", "Publicerad av")) } dd { (account_link(&t.published_by.to_string())) }
            dt { (ctx.t("Sealing key", "Förseglingsnyckel")) } dd { (ctx.t("key", "nyckel")) " " (spec.sealing_key) " " a href={ "/v1/procurement/keys/" (spec.sealing_key) } { (ctx.t("(its holders and threshold, JSON)", "(dess innehavare och tröskel, JSON)")) } }
            @if let Some(a) = spec.allocation {
                dt { (ctx.t("Funded by", "Finansieras av")) } dd { (ctx.t("budget allocation", "budgetfördelning")) " " (a) }
            }
            dt { (ctx.t("Bids", "Anbud")) } dd { (t.live_bids) " " (ctx.t("standing", "gällande")) ", " (t.opened) " " (ctx.t("opened", "öppnade")) }
        }
        p {
            a href={ (base) "/ocds" } { (ctx.t("The tender as Open Contracting data (OCDS 1.1 release package, JSON)", "Upphandlingen som Open Contracting-data (OCDS 1.1, JSON)")) }
            @for (lot, c) in &contracts {
                " · " a href={ "/procurement/contracts/" (c) } { (ctx.t("Contract", "Avtal")) " " (c) " (" (ctx.t("lot", "del")) " " (lot) ")" }
            }
        }

        h2 #timeline { (ctx.t("Timeline", "Tidsplan")) }
        div.table-wrap { table #tender-timeline {
            caption.visually-hidden { (ctx.t("The tender's deadlines", "Upphandlingens tidsfrister")) }
            tbody {
                tr { th scope="row" { (ctx.t("Published", "Publicerad")) } td { (time(t.published_ms)) } }
                tr { th scope="row" { (ctx.t("Questions until", "Frågor senast")) } td { (time(tl.clarifications_until_ms)) } }
                tr { th scope="row" { (ctx.t("Bids until", "Anbud senast")) } td {
                    (time(tl.bid_deadline_ms))
                    @if tl.bid_deadline_ms != t.original_deadline_ms { " " span.muted { "(" (ctx.t("moved by amendments from", "flyttad genom ändringar från")) " " (time(t.original_deadline_ms)) ")" } }
                } }
                tr { th scope="row" { (ctx.t("Bids opened from", "Anbuden öppnas från")) } td { (time(tl.opening_ms)) } }
                tr { th scope="row" { (ctx.t("Standstill after an award", "Avtalsspärr efter tilldelning")) } td { (duration_text(ctx.lang, tl.standstill_ms)) } }
            }
        } }
        @if !r.amendments.is_empty() {
            h3 { (ctx.t("Amendments", "Ändringar")) }
            ol { @for a in &r.amendments { li {
                (time(a.time_ms)) ": " (a.rationale)
                @if !a.changed.is_empty() { " " span.muted { "(" (ctx.t("changed", "ändrat")) ": " (a.changed.join(", ")) ")" } }
                @if a.old_deadline_ms != a.new_deadline_ms { " " (ctx.t("Bid deadline moved from", "Sista anbudsdag flyttad från")) " " (time(a.old_deadline_ms)) " " (ctx.t("to", "till")) " " (time(a.new_deadline_ms)) "." }
            } } }
        }

        h2 #lots { (ctx.t("Lots", "Delar")) }
        div.table-wrap { table #tender-lots {
            caption.visually-hidden { (ctx.t("The tender's lots with their estimates", "Upphandlingens delar med uppskattat värde")) }
            thead { tr {
                th scope="col" { (ctx.t("Lot", "Del")) }
                th scope="col" { (ctx.t("Title", "Benämning")) }
                th.num scope="col" { (ctx.t("Estimate", "Uppskattning")) " (" (unit.code) ")" }
                th scope="col" { (ctx.t("Award", "Tilldelning")) }
            } }
            tbody { @for l in &r.lots { tr {
                th scope="row" { (l.lot) }
                td { (l.spec.title) }
                td.num { (amount_text(ctx.lang, l.spec.value, unit.decimals)) }
                td { @match &l.award {
                    Some(a) => { (company_link(a.company.as_str(), name(a.company.as_str()))) ", " (money(ctx.lang, a.price, &unit)) }
                    None => span.muted { (ctx.t("not awarded", "inte tilldelad")) },
                } }
            } } }
        } }

        h2 #items { (ctx.t("Items", "Artiklar")) }
        div.table-wrap { table #tender-items {
            caption.visually-hidden { (ctx.t("What the tender buys, with CPV codes", "Vad upphandlingen köper, med CPV-koder")) }
            thead { tr {
                th scope="col" { (ctx.t("Item", "Artikel")) }
                th scope="col" { abbr title="Common Procurement Vocabulary" { "CPV" } }
                th.num scope="col" { (ctx.t("Quantity", "Mängd")) }
                th scope="col" { (ctx.t("Lot", "Del")) }
            } }
            tbody { @for item in &spec.items { tr {
                td { (item.description) }
                td { code { (item.cpv) } }
                td.num { (amount_text(ctx.lang, item.quantity, 0)) " " (item.unit) }
                td { (item.lot) }
            } } }
        } }

        h2 #criteria { (ctx.t("Award criteria", "Tilldelningskriterier")) }
        div.table-wrap { table #tender-criteria {
            caption.visually-hidden { (ctx.t("The criteria bids are ranked on, with their weights", "Kriterierna som anbuden rangordnas efter, med vikter")) }
            thead { tr {
                th scope="col" { (ctx.t("Criterion", "Kriterium")) }
                th.num scope="col" { (ctx.t("Weight", "Vikt")) }
                th scope="col" { (ctx.t("Scored", "Poängsätts")) }
            } }
            tbody { @for c in &spec.criteria { tr {
                td { (c.name) }
                td.num { (weight_text(ctx.lang, c.weight)) }
                td { @match c.kind {
                    CriterionKind::Price => (ctx.t("by the price, on the ledger: the lowest price gets full marks", "efter priset, i registret: lägsta priset får full poäng")),
                    CriterionKind::Quality => (ctx.t("by the evaluation committee, the mean of its members' scores", "av utvärderingskommittén, medelvärdet av ledamöternas poäng")),
                } }
            } } }
        } }

        h2 #documents { (ctx.t("Documents", "Dokument")) }
        @if spec.documents.is_empty() {
            p.muted { (ctx.t("No documents.", "Inga dokument.")) }
        } @else {
            p.muted { (ctx.t("The agency serves each document; the ledger holds its SHA-256, so a copy from anywhere can be checked against it on the Verify page.",
                "Myndigheten tillhandahåller varje dokument; registret har dess SHA-256, så en kopia varifrån som helst kan kontrolleras mot den på sidan Kontrollera.")) }
            ul #tender-documents { @for d in &spec.documents { li {
                @if d.url.starts_with("https://") || d.url.starts_with("http://") {
                    a href=(d.url) rel="noopener noreferrer" { (d.title) }
                } @else { (d.title) }
                br; "SHA-256 " (hex_full(&hex::encode(d.sha256)))
            } } }
        }

        h2 #questions { (ctx.t("Questions and answers", "Frågor och svar")) }
        @match &questions {
            None => p.notice { (ctx.t("The questions could not be read just now.", "Frågorna kunde inte läsas just nu.")) },
            Some(q) if q.questions.is_empty() => p.muted { (ctx.t("No question has been asked.", "Ingen fråga har ställts.")) },
            Some(q) => {
                dl.qa { @for question in &q.questions {
                    dt { (ctx.t("Question", "Fråga")) " " (question.number) " (" (time(question.asked_ms)) "): " (question.text) }
                    dd { @match &question.answer {
                        Some(a) => { (ctx.t("Answer", "Svar")) " (" (time(a.time_ms)) "): " (a.text) },
                        None => span.muted { (ctx.t("not answered yet", "inte besvarad ännu")) },
                    } }
                } }
                @if q.next.is_some() { p.muted { (ctx.t("The first", "De första")) " " (q.questions.len()) " " (ctx.t("of", "av")) " " (q.count) "." } }
            },
        }

        h2 #bids { (ctx.t("Bids", "Anbud")) }
        @match &bids {
            None => p.notice { (ctx.t("The bids could not be read just now.", "Anbuden kunde inte läsas just nu.")) },
            Some(b) if b.bids.is_empty() => p.muted { (ctx.t("No bid has been submitted.", "Inget anbud har lämnats.")) },
            Some(b) => {
                ol.bids #tender-bids { @for bid in &b.bids { li {
                    h3 { (ctx.t("Bid", "Anbud")) " " (bid.number) ": " (company_link(bid.company.as_str(), name(bid.company.as_str()))) }
                    p.muted {
                        (ctx.t("Submitted", "Lämnat")) " " (time(bid.submitted_ms))
                        @if bid.versions > 1 { " (" (ctx.t("version", "version")) " " (bid.versions) ", " (ctx.t("first", "första")) " " (time(bid.first_submitted_ms)) ")" }
                        " " (ctx.t("by", "av")) " " (account_link(&bid.submitted_by.to_string()))
                    }
                    p.sealed-box { (ctx.t("Sealed box", "Förseglat paket")) ": " (amount_text(ctx.lang, bid.sealed_bytes, 0)) " " (ctx.t("bytes, SHA-256", "byte, SHA-256")) " " (hex_full(&hex::encode(bid.sealed_sha256))) }
                    (bid_state(ctx.lang, bid, (tl.opening_ms, r.at_ms), &unit, &lot_titles))
                } } }
                @if b.next.is_some() { p.muted { (ctx.t("The first", "De första")) " " (b.bids.len()) " " (ctx.t("of", "av")) " " (b.count) "." } }
            },
        }

        h2 #evaluation { (ctx.t("Ranking and awards", "Rangordning och tilldelning")) }
        @for (i, lot) in lots.iter().enumerate() {
            h3 { (ctx.t("Lot", "Del")) " " (i) ": " (lot_titles[i]) }
            @match lot {
                None => p.notice { (ctx.t("This lot could not be read just now.", "Delen kunde inte läsas just nu.")) },
                Some(l) => {
                    @match (&l.ranking, &l.ranking_missing) {
                        (Some(ranking), _) if !ranking.is_empty() => {
                            div.table-wrap { table.ranking {
                                caption { (ctx.t("The valid bids ranked by the published weights, best first", "De giltiga anbuden rangordnade efter de publicerade vikterna, bäst först")) }
                                thead { tr {
                                    th scope="col" { (ctx.t("Place", "Plats")) }
                                    th scope="col" { (ctx.t("Company", "Företag")) }
                                    th.num scope="col" { (ctx.t("Price", "Pris")) " (" (unit.code) ")" }
                                    th.num scope="col" { (ctx.t("Points", "Poäng")) }
                                } }
                                tbody { @for (place, rk) in ranking.iter().enumerate() { tr {
                                    th scope="row" { (place + 1) }
                                    td { (company_link(rk.company.as_str(), name(rk.company.as_str()))) " " span.muted { "(" (ctx.t("bid", "anbud")) " " (rk.bid) ")" } }
                                    td.num { (amount_text(ctx.lang, rk.price, unit.decimals)) }
                                    td.num { (points_text(ctx.lang, rk.total_millipoints)) }
                                } } }
                            } }
                        },
                        (Some(_), _) => p.muted { (ctx.t("No valid bid to rank.", "Inget giltigt anbud att rangordna.")) },
                        (None, Some(missing)) => p.muted { (ctx.t("No ranking yet:", "Ingen rangordning ännu:")) " " (missing) },
                        (None, None) => p.muted { (ctx.t("No ranking yet.", "Ingen rangordning ännu.")) },
                    }
                    @if l.awards.is_empty() {
                        p.muted { (ctx.t("Not awarded.", "Inte tilldelad.")) }
                    } @else {
                        ul.awards { @for a in &l.awards { li {
                            (ctx.t("Round", "Omgång")) " " (a.round) ": " (ctx.t("awarded to", "tilldelad")) " "
                            (company_link(a.company.as_str(), name(a.company.as_str()))) " (" (ctx.t("bid", "anbud")) " " (a.bid) ") "
                            (ctx.t("at", "för")) " " (money(ctx.lang, a.price, &unit)) ", " (time(a.time_ms)) "; "
                            (ctx.t("standstill until", "avtalsspärr till")) " " (time(a.standstill_until_ms)) "."
                            @if let Some(c) = a.cancelled_by { " " span.badge.bad { (ctx.t("cancelled", "upphävd")) } " " (ctx.t("by the decision on complaint", "genom beslutet om överprövning")) " " (c) "." }
                            @match &a.reason {
                                Some(reason) => p { span.badge.bad { (ctx.t("departs from the ranking", "avviker från rangordningen")) } " " (ctx.t("The entity's reason:", "Myndighetens skäl:")) " " (reason) },
                                None => { " " span.muted { (ctx.t("It follows the ranking.", "Den följer rangordningen.")) } },
                            }
                        } } }
                    }
                },
            }
        }
        @if spec.lots.len() > LOTS_READ {
            p.muted { (ctx.t("The other lots' rankings and awards are in the API:", "Övriga delars rangordning och tilldelning finns i API:t:")) " " code { (base) "/lots/{index}" } }
        }

        h2 #complaints { (ctx.t("Complaints", "Överprövningar")) }
        @match &complaints {
            None => p.notice { (ctx.t("The complaints could not be read just now.", "Överprövningarna kunde inte läsas just nu.")) },
            Some(c) if c.complaints.is_empty() => p.muted { (ctx.t("No complaint has been filed.", "Ingen överprövning har begärts.")) },
            Some(c) => {
                ol { @for cp in &c.complaints { li {
                    (company_link(cp.company.as_str(), name(cp.company.as_str()))) " " (ctx.t("about lot", "om del")) " " (cp.lot) ", " (ctx.t("round", "omgång")) " " (cp.round) " (" (time(cp.time_ms)) "): " (cp.text)
                    br;
                    @match &cp.decision {
                        Some(d) => {
                            @if d.upheld { span.badge.bad { (ctx.t("upheld", "bifallen")) } } @else { span.badge { (ctx.t("rejected", "avslagen")) } }
                            @if d.cancelled_award { " " (ctx.t("The award was cancelled.", "Tilldelningen upphävdes.")) }
                            " " (d.reasoning) " " span.muted { "(" (time(d.time_ms)) ")" }
                        },
                        None => span.muted { (ctx.t("awaiting the review body's decision", "väntar på överprövningsorganets beslut")) },
                    }
                } } }
            },
        }

        (proof_section(ctx.lang, &ProofOf { url: base.clone(), kind: ProofKind::Document, record: format!("tender:{tid}"), at_ms: None },
            ctx.t("Proof of the tender", "Bevis för upphandlingen")))
    };
    ctx.render(Page { title: spec.title.clone(), name: "procurement-tender", body })
}

/// `GET /procurement/contracts/{id}`: a contract, its milestones and payments, its amendments.
pub async fn contract(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Contract", "Avtal"));
    let path = format!("/v1/procurement/contracts/{}", segment(&id));
    let r = match ctx.api.get::<ContractResponse>(&path).await {
        Ok(r) => r,
        Err(f) => return ctx.failure(&what, f),
    };
    let c = &r.contract;
    let tender = ctx.api.get::<TenderResponse>(&format!("/v1/procurement/tenders/{}", c.tender)).await.ok();
    let unit = match &tender {
        Some(t) => unit_of(&ctx, &t.tender.spec.currency).await,
        None => Unit { code: String::new(), decimals: 0 },
    };
    let names = company_names(&ctx, vec![c.supplier.as_str().to_string()]).await;
    let supplier = company_link(c.supplier.as_str(), names.get(c.supplier.as_str()).map(String::as_str));
    let tender_title = tender.as_ref().map(|t| t.tender.spec.title.clone());
    let lot_title = tender.as_ref().and_then(|t| t.tender.spec.lots.get(usize::from(c.lot)).map(|l| l.title.clone()));
    let delta = i128::from(c.value) - i128::from(c.awarded_price);
    let body = html! {
        h1 { (ctx.t("Contract", "Avtal")) " " (c.id) }
        p.lead {
            (ctx.t("Between", "Mellan")) " " (c.entity.as_str()) " " (ctx.t("and", "och")) " " (supplier) ", "
            (ctx.t("for lot", "för del")) " " (c.lot) @if let Some(l) = &lot_title { " (" (l) ")" } " "
            (ctx.t("of the tender", "i upphandlingen")) " "
            a href={ "/procurement/tenders/" (c.tender) } { @match &tender_title { Some(t) => (t), None => (c.tender) } } "."
        }
        dl.facts {
            dt { (ctx.t("Status", "Status")) } dd { @match c.status {
                ContractStatus::Active => span.badge.ok { (ctx.t("in force", "gäller")) },
                ContractStatus::AwaitingSupplier => span.badge { (ctx.t("awaiting the supplier's signature", "väntar på leverantörens underskrift")) },
            } }
            dt { (ctx.t("Supplier", "Leverantör")) } dd { (supplier) }
            dt { (ctx.t("Value", "Värde")) } dd {
                (money(ctx.lang, c.value, &unit))
                " " span.muted { "(" (ctx.t("awarded at", "tilldelat för")) " " (money(ctx.lang, c.awarded_price, &unit))
                    @if delta > 0 { "; " (money(ctx.lang, u64::try_from(delta).unwrap_or(u64::MAX), &unit)) " " (ctx.t("more", "mer")) }
                    @if delta < 0 { "; " (money(ctx.lang, u64::try_from(-delta).unwrap_or(u64::MAX), &unit)) " " (ctx.t("less", "mindre")) }
                ")" }
            }
            dt { (ctx.t("Document", "Dokument")) } dd { "SHA-256 " (hex_full(&hex::encode(c.document))) }
            dt { (ctx.t("Signed by the entity", "Undertecknat av myndigheten")) } dd { (account_link(&c.signed_by.to_string())) " " (time(c.signed_ms)) }
            dt { (ctx.t("Countersigned by the supplier", "Kontrasignerat av leverantören")) } dd { @match &c.countersigned {
                Some((by, at)) => { (account_link(&by.to_string())) " " (time(*at)) },
                None => span.muted { (ctx.t("not yet", "inte ännu")) },
            } }
            @if let Some(at) = c.in_force_ms { dt { (ctx.t("In force since", "Gäller sedan")) } dd { (time(at)) } }
            @if !c.commitments.is_empty() {
                dt { (ctx.t("Funded by finance commitments", "Finansieras av åtaganden")) } dd {
                    @for (i, cm) in c.commitments.iter().enumerate() { @if i > 0 { ", " } (cm) }
                }
            }
        }
        h2 #milestones { (ctx.t("Milestones", "Delmål")) }
        @if c.milestones.is_empty() {
            p.muted { (ctx.t("No milestones.", "Inga delmål.")) }
        } @else {
            div.table-wrap { table #contract-milestones {
                caption.visually-hidden { (ctx.t("What is delivered and paid", "Vad som levereras och betalas")) }
                thead { tr {
                    th scope="col" { (ctx.t("Milestone", "Delmål")) }
                    th.num scope="col" { (ctx.t("Amount", "Belopp")) " (" (unit.code) ")" }
                    th scope="col" { (ctx.t("Due", "Förfaller")) }
                    th scope="col" { (ctx.t("Delivered", "Levererat")) }
                    th.num scope="col" { (ctx.t("Paid", "Betalt")) " (" (unit.code) ")" }
                    th scope="col" { (ctx.t("Payments", "Betalningar")) }
                } }
                tbody { @for m in &c.milestones { tr {
                    td { (m.spec.title) }
                    td.num { (amount_text(ctx.lang, m.spec.amount, unit.decimals)) }
                    td { (time(m.spec.due_ms)) }
                    td { @match &m.delivered {
                        Some((at, note)) => { (time(*at)) @if !note.is_empty() { ": " (note) } },
                        None => span.muted { (ctx.t("not yet", "inte ännu")) },
                    } }
                    td.num { (amount_text(ctx.lang, m.paid, unit.decimals)) }
                    td { @if m.payments.is_empty() { span.muted { "—" } } @else {
                        @for (i, p) in m.payments.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/finance/payments/" (p) } { (ctx.t("Payment", "Betalning")) " " (p) }
                        }
                    } }
                } } }
            } }
        }
        h2 #amendments { (ctx.t("Amendments", "Ändringar")) }
        @if r.amendments.is_empty() {
            p.muted { (ctx.t("The contract has not been amended.", "Avtalet har inte ändrats.")) }
        } @else {
            ol { @for a in &r.amendments { li {
                (time(a.time_ms)) ": " (a.reason) " "
                span.muted {
                    (ctx.t("value", "värde")) " " (money(ctx.lang, a.old_value, &unit)) " → " (money(ctx.lang, a.new_value, &unit))
                    @if a.old_document != a.new_document { "; " (ctx.t("document", "dokument")) " " (short(&hex::encode(a.old_document))) " → " (short(&hex::encode(a.new_document))) }
                }
            } } }
        }
        (proof_section(ctx.lang, &ProofOf { url: path.clone(), kind: ProofKind::Document, record: format!("contract:{}", c.id), at_ms: None },
            ctx.t("Proof of the contract", "Bevis för avtalet")))
    };
    ctx.render(Page { title: what, name: "procurement-contract", body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_durations_and_points_are_written_in_words() {
        assert_eq!(weight_text(Lang::En, 600), "60\u{a0}%");
        assert_eq!(weight_text(Lang::En, 125), "12.5\u{a0}%");
        assert_eq!(weight_text(Lang::Sv, 125), "12,5\u{a0}%");
        assert_eq!(duration_text(Lang::En, 10 * 86_400_000), "10 days");
        assert_eq!(duration_text(Lang::Sv, 86_400_000), "1 dag");
        assert_eq!(duration_text(Lang::En, 60_000), "1 minute");
        assert_eq!(duration_text(Lang::En, 2 * 3_600_000), "2 hours");
        assert_eq!(duration_text(Lang::En, 90_000), "2 minutes");
        assert_eq!(points_text(Lang::En, 87_500), "87.500");
        assert_eq!(money(Lang::En, 1_200_000, &Unit { code: "EUR".into(), decimals: 0 }), "1,200,000\u{a0}EUR");
    }

    #[test]
    fn a_sealed_bid_says_nobody_can_read_it_and_an_opened_one_shows_its_prices() {
        let json = serde_json::json!({
            "number": 1, "company": "10000001", "submitted_by": "00".repeat(20), "submitted_ms": 1_781_258_400_000u64,
            "first_submitted_ms": 1_781_258_400_000u64, "versions": 1, "withdrawn": false, "sealed_bytes": 1234,
            "sealed_sha256": "ab".repeat(32), "shares": [], "opening": null
        });
        let mut bid: BidSummary = serde_json::from_value(json).expect("a bid");
        let ctx_lang = Lang::En;
        let unit = Unit { code: "EUR".into(), decimals: 0 };
        let sealed = render_bid(ctx_lang, &bid, &unit);
        assert!(sealed.contains("Nobody can read this bid before the opening time"), "{sealed}");
        let waiting = bid_state(ctx_lang, &bid, (1_781_258_400_000, 1_781_258_400_000), &unit, &[]).into_string();
        assert!(waiting.contains("still sealed") && waiting.contains("Shares recorded so far: 0."), "{waiting}");
        bid.opening = Some(
            serde_json::from_value(serde_json::json!({
                "result": "valid",
                "content": {"prices": [{"lot": 0, "price": 1_150_000u64}], "documents": [], "summary": "Asphalt."}
            }))
            .expect("an opening"),
        );
        let opened = render_bid(ctx_lang, &bid, &unit);
        assert!(opened.contains("1,150,000\u{a0}EUR") && opened.contains("Asphalt."), "{opened}");
        assert!(!opened.contains("Nobody can read"), "{opened}");
        bid.opening = Some(Opening::Invalid { reason: "not a bid".into() });
        assert!(render_bid(ctx_lang, &bid, &unit).contains("not a bid"));
    }

    /// A bid's state rendered in a bare context.
    fn render_bid(lang: Lang, bid: &BidSummary, unit: &Unit) -> String {
        bid_state(lang, bid, (1_781_258_400_000, 1_781_258_000_000), unit, &["Lot".into()]).into_string()
    }
}
