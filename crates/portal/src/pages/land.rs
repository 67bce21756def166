//! The land registry: a parcel with its map, owners, encumbrances and history, who owned it on a date, and the
//! applications that change titles.

use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::{ApplicationResponse, ParcelHistoryResponse, ParcelResponse, SearchResponse};
use publica_registry::call::{EncumbranceKind, Party};
use publica_registry::query::ApplicationState;
use publica_registry::schema::{Owner, ParcelStatus, TitleBasis};
use publica_registry::verify::OwnershipAt;
use publica_types::time::parse_time_ms;
use publica_verify::OwnershipAnswer;

use crate::api::segment;
use crate::html::{account_link, proof_section, time, Ctx, Page, ProofKind, ProofOf};
use crate::map::{self, Shape};
use crate::pages::json_name;

/// Neighbours drawn on a parcel's map at most.
const MAX_NEIGHBOURS: usize = 24;
/// How far the map reaches around the parcel, in multiples of the parcel's own size on each side.
const MAP_MARGIN: f64 = 0.8;

/// `GET /parcels`: find a parcel by number, or list those in a box.
pub async fn index(ctx: Ctx) -> Response {
    let mut listing = None;
    if let Some(bbox) = ctx.param("bbox") {
        match ctx.api.get::<SearchResponse>(&format!("/v1/land/parcels?bbox={}", segment(bbox))).await {
            Ok(found) => listing = Some(found),
            Err(f) => return ctx.failure(ctx.t("Parcels in a box", "Fastigheter inom ett område"), f),
        }
    }
    let body = html! {
        h1 { (ctx.t("Land registry", "Fastighetsregistret")) }
        p.lead { (ctx.t("Every parcel's boundary, owners, mortgages and history are on the ledger, each change signed by the agency or the people who made it. Look one up by its number.",
            "Varje fastighets gräns, ägare, inteckningar och historik finns i registret, varje ändring signerad av myndigheten eller personerna som gjorde den. Slå upp en fastighet med dess nummer.")) }
        form.card action="/search" method="get" {
            label for="parcel-q" { (ctx.t("Parcel number", "Fastighetsnummer")) }
            p { input #parcel-q name="q" type="text" maxlength="64" placeholder="NV-A1-101" autocomplete="off"; " "
                button.primary type="submit" { (ctx.t("Show the parcel", "Visa fastigheten")) } }
        }
        form.card action="/parcels" method="get" {
            label for="bbox" { (ctx.t("Parcels in an area (min lon, min lat, max lon, max lat)", "Fastigheter inom ett område (min lon, min lat, max lon, max lat)")) }
            p { input #bbox name="bbox" type="text" maxlength="120" value=[ctx.param("bbox")] placeholder="17.30,62.38,17.32,62.40"; " "
                button type="submit" { (ctx.t("List", "Lista")) } }
        }
        @if let Some(found) = listing {
            h2 { (found.parcels.len()) " " (ctx.t("parcels", "fastigheter")) }
            @if found.truncated { p.notice { (ctx.t("More parcels touch this area than are listed: search a smaller one.", "Fler fastigheter berör området än som visas: sök ett mindre.")) } }
            ul { @for id in &found.parcels { li { a href={ "/parcels/" (segment(id.as_str())) } { (id.as_str()) } } } }
        }
    };
    ctx.render(Page { title: ctx.t("Land registry", "Fastighetsregistret").into(), name: "parcels", body })
}

/// `GET /parcels/{id}` (with `?at=DATE`: who owned it then).
pub async fn parcel(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Parcel", "Fastighet"));
    let seg = segment(&id);
    let p = match ctx.api.get::<ParcelResponse>(&format!("/v1/land/parcels/{seg}")).await {
        Ok(p) => p,
        Err(f) => return ctx.failure(&what, f),
    };
    let history = ctx.api.get::<ParcelHistoryResponse>(&format!("/v1/land/parcels/{seg}/history")).await.ok();
    let at = ctx.param("at").map(str::to_string);
    let as_of = match &at {
        Some(at) => {
            Some(ctx.api.get::<OwnershipAnswer>(&format!("/v1/land/parcels/{seg}/owners?at={}", segment(at))).await)
        }
        None => None,
    };
    let map = neighbourhood(&ctx, &id, &p.geometry).await;
    let parcel = &p.parcel.value;
    let title = &p.title.value;
    let body = html! {
        h1 { (what) }
        div.two {
            div {
                (map)
            }
            div {
                dl.facts {
                    dt { (ctx.t("Status", "Status")) } dd { @match parcel.status {
                        ParcelStatus::Active => span.badge.ok { (ctx.t("active", "aktiv")) },
                        ParcelStatus::Retired => span.badge.bad { (ctx.t("retired", "avregistrerad")) },
                    } }
                    dt { (ctx.t("Area", "Area")) } dd { (parcel.area_m2) " m²" }
                    dt { (ctx.t("Boundary vertices", "Gränspunkter")) } dd { (parcel.vertices) }
                    @if !parcel.parents.is_empty() { dt { (ctx.t("Formed from", "Bildad av")) } dd { (parcel_links(&parcel.parents)) } }
                    @if !parcel.children.is_empty() { dt { (ctx.t("Divided into", "Delad i")) } dd { (parcel_links(&parcel.children)) } }
                    dt { (ctx.t("Title since", "Lagfart sedan")) } dd { (time(p.title.time_ms)) " (" (basis(&ctx, &title.basis)) ")" }
                }
                h2 { (ctx.t("Owners", "Ägare")) }
                (owners(&ctx, &title.owners))
                h2 { (ctx.t("Mortgages and liens", "Inteckningar och panträtter")) }
                @if p.encumbrances.is_empty() { p.muted { (ctx.t("None registered.", "Inga registrerade.")) } }
                @else { ul { @for e in &p.encumbrances { li {
                    strong { (match e.value.kind {
                        EncumbranceKind::Mortgage => ctx.t("Mortgage", "Inteckning"),
                        EncumbranceKind::Lien => ctx.t("Lien", "Panträtt"),
                    }) } " " (e.value.reference) " — " (e.value.agency.as_str()) ", " (time(e.time_ms))
                } } } }
            }
        }
        h2 #as-of { (ctx.t("Who owned it on a date", "Vem ägde den en viss dag")) }
        form #asof-form data-parcel=(id) action={ "/parcels/" (seg) "#as-of" } method="get" {
            label for="asof-at" { (ctx.t("Date (or date and time, UTC)", "Datum (eller datum och tid, UTC)")) }
            p { input #asof-at name="at" type="text" required maxlength="40" placeholder="2026-06-12" value=[at.as_deref()]; " "
                button.primary type="submit" { (ctx.t("Ask", "Fråga")) } }
        }
        div #asof-result aria-live="polite" {
            @if let (Some(at), Some(answer)) = (&at, &as_of) { (as_of_answer(&ctx, &id, at, answer)) }
        }
        h2 { (ctx.t("History of the title", "Lagfartens historik")) }
        @if let Some(h) = &history { (title_history(&ctx, h)) }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/land/parcels/{seg}"), kind: ProofKind::Document, record: format!("parcel:{id}"), at_ms: None }, ctx.t("Proof", "Bevis")))
    };
    ctx.render(Page { title: what, name: "parcel", body })
}

/// The map of a parcel and the parcels around it; without the neighbours when the search fails.
async fn neighbourhood(ctx: &Ctx, id: &str, geometry: &serde_json::Value) -> Markup {
    let Some(frame) = map::frame(geometry, MAP_MARGIN) else { return html! {} };
    let (a, b, c, d) = frame;
    let bbox = format!("{a:.7},{b:.7},{c:.7},{d:.7}");
    let ids = ctx
        .api
        .get::<SearchResponse>(&format!("/v1/land/parcels?bbox={}", segment(&bbox)))
        .await
        .map(|s| s.parcels)
        .unwrap_or_default();
    let mut geometries = Vec::new();
    for other in ids.iter().filter(|o| o.as_str() != id).take(MAX_NEIGHBOURS) {
        if let Ok(n) = ctx.api.get::<ParcelResponse>(&format!("/v1/land/parcels/{}", segment(other.as_str()))).await {
            if n.parcel.value.status == ParcelStatus::Active {
                geometries.push((other.as_str().to_string(), n.geometry));
            }
        }
    }
    let shapes: Vec<Shape<'_>> = geometries.iter().map(|(id, g)| Shape { id, geometry: g }).collect();
    let label = format!(
        "{} {id} {}",
        ctx.t("Map of parcel", "Karta över fastighet"),
        ctx.t("and its neighbours", "och dess grannar")
    );
    let link = |n: &str| format!("{} {n}", ctx.t("Parcel", "Fastighet"));
    html! {
        figure {
            (map::render(&Shape { id, geometry }, &shapes, frame, &label, link))
            figcaption.muted { (ctx.t("The parcel (yellow) and its neighbours; select a neighbour to open it. Boundaries as registered (GeoJSON, WGS 84).",
                "Fastigheten (gul) och dess grannar; välj en granne för att öppna den. Gränser som registrerade (GeoJSON, WGS 84).")) }
        }
    }
}

fn parcel_links(ids: &[publica_types::RecordId]) -> Markup {
    html! { @for (i, id) in ids.iter().enumerate() { @if i > 0 { ", " } a href={ "/parcels/" (segment(id.as_str())) } { (id.as_str()) } } }
}

fn owners(ctx: &Ctx, owners: &[Owner]) -> Markup {
    html! {
        @if owners.is_empty() { p.muted { (ctx.t("No owner (the parcel is retired).", "Ingen ägare (fastigheten är avregistrerad).")) } }
        @else { ul { @for o in owners { li { (account_link(&o.account.to_string())) " — " (o.numerator) "/" (o.denominator) } } } }
    }
}

fn basis(ctx: &Ctx, basis: &TitleBasis) -> String {
    match basis {
        TitleBasis::FirstRegistration => ctx.t("first registration", "första registrering").into(),
        TitleBasis::Transfer => ctx.t("transfer", "överlåtelse").into(),
        TitleBasis::Inheritance { case, .. } => format!("{} {case}", ctx.t("inheritance", "arv")),
        TitleBasis::CourtOrder { case } => format!("{} {case}", ctx.t("court order", "domstolsbeslut")),
        TitleBasis::EncumbranceRegistered { encumbrance } => {
            format!("{} #{encumbrance}", ctx.t("encumbrance registered", "inteckning registrerad"))
        }
        TitleBasis::EncumbranceReleased { encumbrance } => {
            format!("{} #{encumbrance}", ctx.t("encumbrance released", "inteckning avförd"))
        }
        TitleBasis::Subdivision { parent } => {
            format!("{} {}", ctx.t("subdivision of", "avstyckning från"), parent.as_str())
        }
        TitleBasis::Merger { .. } => ctx.t("merger", "sammanläggning").into(),
        TitleBasis::Retired { .. } => ctx.t("retired", "avregistrerad").into(),
    }
}

fn title_history(ctx: &Ctx, h: &ParcelHistoryResponse) -> Markup {
    html! {
        div.table-wrap { table {
            caption.visually-hidden { (ctx.t("Versions of the title", "Lagfartens versioner")) }
            thead { tr {
                th scope="col" { (ctx.t("Version", "Version")) }
                th scope="col" { (ctx.t("Since", "Sedan")) }
                th scope="col" { (ctx.t("Basis", "Grund")) }
                th scope="col" { (ctx.t("Owners", "Ägare")) }
                th scope="col" { (ctx.t("Transaction", "Transaktion")) }
            } }
            tbody { @for v in h.title.iter().rev() { tr {
                td { (v.version) }
                td { (time(v.time_ms)) }
                td { (basis(ctx, &v.value.basis)) }
                td { @for (i, o) in v.value.owners.iter().enumerate() { @if i > 0 { br; } (account_link(&o.account.to_string())) " " (o.numerator) "/" (o.denominator) } }
                td { a.mono href={ "/tx/" (v.tx_id) } { (crate::html::short(&v.tx_id.to_string())) } }
            } } }
        } }
    }
}

/// The server's reading of an as-of answer, with the section that checks its proofs in the browser.
fn as_of_answer(ctx: &Ctx, id: &str, at: &str, answer: &Result<OwnershipAnswer, crate::api::Failure>) -> Markup {
    let answer = match answer {
        Ok(a) => a,
        Err(f) => return html! { div.error role="alert" { p { (f.message) } } },
    };
    let at_ms = parse_time_ms(at).ok();
    html! {
        div.card {
            h3 { (ctx.t("On", "Den")) " " (time(answer.at_ms)) }
            @match &answer.decision {
                OwnershipAt::NotRegistered => p { (ctx.t("The parcel was not registered yet.", "Fastigheten var inte registrerad ännu.")) },
                OwnershipAt::Owned { owners: o, version, .. } => {
                    p { (ctx.t("Owners, by version", "Ägare, enligt version")) " " (version) " " (ctx.t("of the title:", "av lagfarten:")) }
                    (owners(ctx, o))
                },
                OwnershipAt::Retired { successors, .. } => p { (ctx.t("The parcel was retired; its land went to", "Fastigheten var avregistrerad; marken gick till")) " " (parcel_links(successors)) },
            }
            (proof_section(ctx.lang, &ProofOf { url: format!("/v1/land/parcels/{}/owners?at={}", segment(id), segment(at)), kind: ProofKind::OwnershipAsOf, record: format!("parcel:{id}"), at_ms: at_ms.or(Some(answer.at_ms)) }, ctx.t("Proof of this answer", "Bevis för svaret")))
        }
    }
}

/// `GET /applications/{id}`: an application and who has approved it.
pub async fn application(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Application", "Ansökan"));
    let a = match ctx.api.get::<ApplicationResponse>(&format!("/v1/registry/applications/{}", segment(&id))).await {
        Ok(a) => a,
        Err(f) => return ctx.failure(&what, f),
    };
    let app = &a.application.value;
    let party = |p: &Party| match p {
        Party::Account(address) => account_link(&address.to_string()),
        Party::Role(role) => {
            html! { (ctx.t("an official with the role", "en tjänsteperson med rollen")) " " code { (role.as_str()) } }
        }
    };
    let body = html! {
        h1 { (what) }
        dl.facts {
            dt { (ctx.t("What", "Vad")) } dd { code { (json_name(&a.action)) } " (" (app.workflow) ")" }
            dt { (ctx.t("Where it stands", "Läge")) } dd { @match &a.state {
                ApplicationState::Open { .. } => span.badge.pending { (ctx.t("open", "öppen")) },
                ApplicationState::Approved => span.badge.ok { (ctx.t("approved", "godkänd")) },
                ApplicationState::Rejected { reason, .. } => { span.badge.bad { (ctx.t("rejected", "avslagen")) } " " (reason) },
                ApplicationState::Expired { .. } => span.badge.bad { (ctx.t("expired", "förfallen")) },
            } }
            dt { (ctx.t("Opened by", "Öppnad av")) } dd { (account_link(&app.opened_by.to_string())) }
            dt { (ctx.t("Deadline", "Sista dag")) } dd { (time(app.deadline_ms)) }
        }
        @if let ApplicationState::Open { missing } = &a.state {
            h2 { (ctx.t("Waiting for", "Väntar på")) }
            ul { @for p in missing { li { (party(p)) } } }
            p { a.button.primary href="/wallet" { (ctx.t("Sign in to approve", "Logga in för att godkänna")) } }
        }
        h2 { (ctx.t("Approvals", "Godkännanden")) }
        @if app.approvals.is_empty() { p.muted { (ctx.t("None yet.", "Inga ännu.")) } }
        @else { ul { @for ap in &app.approvals { li {
            (party(&ap.party)) " — " (ctx.t("by", "av")) " " (account_link(&ap.by.to_string())) ", " (time(ap.time_ms))
        } } } }
        h2 { (ctx.t("The action, as proposed", "Åtgärden, som föreslagen")) }
        pre.mono { (serde_json::to_string_pretty(&a.action).unwrap_or_default()) }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/registry/applications/{}", segment(&id)), kind: ProofKind::Document, record: format!("application:{id}"), at_ms: None }, ctx.t("Proof", "Bevis")))
    };
    ctx.render(Page { title: what, name: "application", body })
}
