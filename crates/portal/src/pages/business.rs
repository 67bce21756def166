//! The business register: find a company, and its officers, owners (as a diagram), beneficial owners and
//! filings, with its BODS export.

use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::{CompanyHistoryResponse, CompanyResponse};
use publica_registry::call::{ControlKind, Holder, LegalForm, OfficerRole, Shareholding};
use publica_registry::schema::CompanyStatus;

use crate::api::segment;
use crate::html::{account_link, proof_section, short, time, Ctx, Page, ProofKind, ProofOf};
use crate::pages::json_name;

/// Shareholders drawn in the ownership diagram at most (the table lists them all).
const MAX_DIAGRAM_HOLDERS: usize = 12;

/// `GET /companies`.
pub async fn index(ctx: Ctx) -> Response {
    let body = html! {
        h1 { (ctx.t("Business register", "Företagsregistret")) }
        p.lead { (ctx.t("Companies, their officers and owners, every filing, and who ultimately controls them, published as the Beneficial Ownership Data Standard. Private persons appear by their ledger account only.",
            "Företag, deras styrelse och ägare, varje anmälan och vem som ytterst kontrollerar dem, publicerat enligt Beneficial Ownership Data Standard. Privatpersoner visas endast med sitt konto i registret.")) }
        form.card action="/search" method="get" {
            label for="company-q" { (ctx.t("Company number or exact name", "Organisationsnummer eller exakt namn")) }
            p { input #company-q name="q" type="text" maxlength="200" autocomplete="off"; " "
                button.primary type="submit" { (ctx.t("Find", "Sök")) } }
        }
    };
    ctx.render(Page { title: ctx.t("Business register", "Företagsregistret").into(), name: "companies", body })
}

/// `GET /companies/{number}`.
pub async fn company(ctx: Ctx, Path(number): Path<String>) -> Response {
    let what = format!("{} {number}", ctx.t("Company", "Företag"));
    let seg = segment(&number);
    let c = match ctx.api.get::<CompanyResponse>(&format!("/v1/business/companies/{seg}")).await {
        Ok(c) => c,
        Err(f) => return ctx.failure(&what, f),
    };
    let history = ctx.api.get::<CompanyHistoryResponse>(&format!("/v1/business/companies/{seg}/history")).await.ok();
    let co = &c.company.value;
    let total: u64 = co.shareholders.iter().map(|s| s.shares).sum();
    // Companies among the shareholders are named by their own records (at most the diagram's holders).
    let mut names = std::collections::HashMap::new();
    for s in co.shareholders.iter().take(MAX_DIAGRAM_HOLDERS) {
        if let Holder::Company(n) = &s.holder {
            if let Ok(other) =
                ctx.api.get::<CompanyResponse>(&format!("/v1/business/companies/{}", segment(n.as_str()))).await
            {
                names.insert(n.as_str().to_string(), other.company.value.name);
            }
        }
    }
    let body = html! {
        h1 { (co.name) }
        dl.facts {
            dt { (ctx.t("Number", "Nummer")) } dd { code { (number) } }
            dt { (ctx.t("Status", "Status")) } dd { @match &co.status {
                CompanyStatus::Active => span.badge.ok { (ctx.t("active", "aktivt")) },
                CompanyStatus::InLiquidation { case } => { span.badge.bad { (ctx.t("in liquidation", "i likvidation")) } " " (case) },
                CompanyStatus::Dissolved => span.badge.bad { (ctx.t("dissolved", "upplöst")) },
            } }
            dt { (ctx.t("Legal form", "Bolagsform")) } dd { (legal_form(&ctx, co.legal_form)) }
            dt { (ctx.t("Registered address", "Registrerad adress")) } dd { (co.registered_address) }
            dt { (ctx.t("Registered", "Registrerat")) } dd { (time(co.registered_ms)) }
            @if let Some(ms) = co.dissolved_ms { dt { (ctx.t("Dissolved", "Upplöst")) } dd { (time(ms)) } }
        }
        h2 { (ctx.t("Officers", "Befattningshavare")) }
        ul { @for o in &co.officers { li { (account_link(&o.account.to_string())) " — " (role(&ctx, o.role)) } } }
        h2 { (ctx.t("Owners", "Ägare")) }
        (diagram(&ctx, &co.name, &co.shareholders, total, &names))
        div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Shareholders", "Aktieägare")) }
            thead { tr { th scope="col" { (ctx.t("Shareholder", "Aktieägare")) } th scope="col" { (ctx.t("Shares", "Aktier")) } th scope="col" { "%" } } }
            tbody { @for s in &co.shareholders { tr {
                td { (holder_link(&s.holder)) @if let Holder::Company(n) = &s.holder { @if let Some(name) = names.get(n.as_str()) { " " (name) } } }
                td { (s.shares) }
                td { (percent(s.shares, total)) }
            } } }
        } }
        h2 { (ctx.t("Beneficial owners", "Verkliga huvudmän")) }
        @if co.beneficial_owners.is_empty() { p.muted { (ctx.t("None declared.", "Inga anmälda.")) } }
        @else { ul { @for b in &co.beneficial_owners { li {
            (account_link(&b.person.to_string())) " — "
            @for (i, interest) in b.interests.iter().enumerate() { @if i > 0 { ", " } (control(&ctx, interest.kind)) @if !interest.direct { " (" (ctx.t("indirect", "indirekt")) ")" } }
        } } } }
        p { a.button href={ "/v1/business/companies/" (seg) "/bods" } download={ (number) "-bods.json" } { (ctx.t("Download beneficial ownership (BODS 0.4 JSON)", "Ladda ned verkligt huvudmannaskap (BODS 0.4 JSON)")) } }
        h2 { (ctx.t("Filings", "Anmälningar")) }
        @if let Some(h) = &history { (filings(&ctx, h)) }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/business/companies/{seg}"), kind: ProofKind::Document, record: format!("company:{number}"), at_ms: None }, ctx.t("Proof", "Bevis")))
    };
    ctx.render(Page { title: co.name.clone(), name: "company", body })
}

fn role(ctx: &Ctx, role: OfficerRole) -> &'static str {
    match role {
        OfficerRole::Director => ctx.lang.t("director", "styrelseledamot"),
        OfficerRole::Secretary => ctx.lang.t("secretary", "sekreterare"),
        OfficerRole::Chair => ctx.lang.t("chair", "ordförande"),
    }
}

fn legal_form(ctx: &Ctx, form: LegalForm) -> &'static str {
    match form {
        LegalForm::PrivateLimited => ctx.lang.t("private limited company", "privat aktiebolag"),
        LegalForm::PublicLimited => ctx.lang.t("public limited company", "publikt aktiebolag"),
        LegalForm::GeneralPartnership => ctx.lang.t("general partnership", "handelsbolag"),
        LegalForm::LimitedPartnership => ctx.lang.t("limited partnership", "kommanditbolag"),
        LegalForm::Cooperative => ctx.lang.t("cooperative", "ekonomisk förening"),
        LegalForm::SoleTrader => ctx.lang.t("sole trader", "enskild näringsidkare"),
        LegalForm::Foundation => ctx.lang.t("foundation", "stiftelse"),
        LegalForm::Association => ctx.lang.t("association", "ideell förening"),
    }
}

/// A kind of control, in words (BODS 0.4's `interestType` names it in camelCase).
fn control(ctx: &Ctx, kind: ControlKind) -> &'static str {
    match kind {
        ControlKind::Shareholding => ctx.lang.t("shareholding", "aktieinnehav"),
        ControlKind::VotingRights => ctx.lang.t("voting rights", "rösträtt"),
        ControlKind::AppointmentOfBoard => ctx.lang.t("appoints the board", "utser styrelsen"),
        ControlKind::SeniorManagingOfficial => ctx.lang.t("senior managing official", "ledande befattningshavare"),
        ControlKind::OtherInfluenceOrControl => {
            ctx.lang.t("other influence or control", "annat inflytande eller kontroll")
        }
    }
}

fn holder_link(holder: &Holder) -> Markup {
    match holder {
        Holder::Person(address) => account_link(&address.to_string()),
        Holder::Company(number) => html! { a href={ "/companies/" (segment(number.as_str())) } { (number.as_str()) } },
    }
}

fn holder_href(holder: &Holder) -> String {
    match holder {
        Holder::Person(address) => format!("/accounts/{address}"),
        Holder::Company(number) => format!("/companies/{}", segment(number.as_str())),
    }
}

fn percent(shares: u64, total: u64) -> String {
    if total == 0 {
        return "—".into();
    }
    format!("{:.1}", shares as f64 * 100.0 / total as f64)
}

/// Owners as a diagram: the company at the bottom, each shareholder a box above it with an arrow and its share.
fn diagram(
    ctx: &Ctx,
    name: &str,
    holders: &[Shareholding],
    total: u64,
    names: &std::collections::HashMap<String, String>,
) -> Markup {
    let shown = &holders[..holders.len().min(MAX_DIAGRAM_HOLDERS)];
    if shown.is_empty() {
        return html! { p.muted { (ctx.t("No shareholders registered.", "Inga aktieägare registrerade.")) } };
    }
    let box_w = 150.0;
    let gap = 16.0;
    let width = (shown.len() as f64 * (box_w + gap) + gap).max(360.0);
    let company_x = width / 2.0 - 110.0;
    let label = format!("{} {name}", ctx.t("Who owns", "Vem som äger"));
    html! {
        svg.diagram xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (width) " 230" } width=(width) role="group" aria-label=(label) {
            title { (label) }
            defs { marker #arrow viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" { path d="M0 0L10 5L0 10z" fill="#4a5360" {} } }
            @for (i, s) in shown.iter().enumerate() {
                @let x = gap + i as f64 * (box_w + gap);
                @let (text, is_company) = match &s.holder { Holder::Person(a) => (short(&a.to_string()), false), Holder::Company(n) => (names.get(n.as_str()).map(|s| s.chars().take(22).collect()).unwrap_or_else(|| n.as_str().to_string()), true) };
                a href=(holder_href(&s.holder)) {
                    g class={ "node" @if is_company { " company" } } {
                        rect x=(x) y="10" width=(box_w) height="44" rx="6" {}
                        text x=(x + box_w / 2.0) y="30" text-anchor="middle" { (text) }
                        text x=(x + box_w / 2.0) y="46" text-anchor="middle" { (percent(s.shares, total)) " %" }
                    }
                }
                path.edge d={ "M" (x + box_w / 2.0) " 54 L" (width / 2.0) " 168" } marker-end="url(#arrow)" {}
            }
            g.node.company {
                rect x=(company_x) y="170" width="220" height="44" rx="6" {}
                text x=(width / 2.0) y="197" text-anchor="middle" { (name.chars().take(30).collect::<String>()) }
            }
        }
    }
}

fn filings(ctx: &Ctx, h: &CompanyHistoryResponse) -> Markup {
    html! {
        @if h.filings.is_empty() { p.muted { (ctx.t("No filings yet.", "Inga anmälningar ännu.")) } }
        @else { div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Filings", "Anmälningar")) }
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (ctx.t("Filing", "Anmälan")) }
                th scope="col" { (ctx.t("Filed", "Inlämnad")) }
                th scope="col" { (ctx.t("By", "Av")) }
            } }
            tbody { @for f in h.filings.iter().rev() { tr {
                td { (f.value.number) }
                td { code { (json_name(&f.value.filing)) } }
                td { (time(f.time_ms)) }
                td { (account_link(&f.value.filed_by.to_string())) }
            } } }
        } } }
    }
}
