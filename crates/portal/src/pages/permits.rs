//! Permits and licences: the record, its status now, and its status at a date.

use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};

use publica_client::api::PermitResponse;
use publica_registry::verify::PermitStatus;
use publica_types::time::parse_time_ms;
use publica_verify::PermitStatusAnswer;

use crate::api::segment;
use crate::html::{account_link, proof_section, time, Ctx, Page, ProofKind, ProofOf};
use crate::pages::json_name;

/// `GET /permits/{id}` (with `?at=DATE`: its status then).
pub async fn permit(ctx: Ctx, Path(id): Path<String>) -> Response {
    let what = format!("{} {id}", ctx.t("Permit", "Tillstånd"));
    let seg = segment(&id);
    let p = match ctx.api.get::<PermitResponse>(&format!("/v1/permits/{seg}")).await {
        Ok(p) => p,
        Err(f) => return ctx.failure(&what, f),
    };
    let at = ctx.param("at").map(str::to_string);
    let as_of = match &at {
        Some(at) => {
            Some(ctx.api.get::<PermitStatusAnswer>(&format!("/v1/permits/{seg}/status?at={}", segment(at))).await)
        }
        None => None,
    };
    let permit = &p.permit.value;
    let body = html! {
        h1 { (what) }
        dl.facts {
            dt { (ctx.t("Status now", "Status nu")) } dd { (status(&ctx, &p.status.decision)) }
            dt { (ctx.t("Kind", "Slag")) } dd { (permit.kind.as_str()) }
            dt { (ctx.t("Holder", "Innehavare")) } dd { (account_link(&permit.holder.to_string())) }
            dt { (ctx.t("Issued by", "Utfärdat av")) } dd { (permit.agency.as_str()) }
            dt { (ctx.t("Valid from", "Giltigt från")) } dd { (time(permit.valid_from_ms)) }
            dt { (ctx.t("Valid until", "Giltigt till")) } dd { (time(permit.valid_until_ms)) }
            dt { (ctx.t("Last change", "Senaste ändring")) } dd { code { (json_name(&permit.change)) } ", " (time(p.permit.time_ms)) " " (ctx.t("by", "av")) " " (account_link(&permit.changed_by.to_string())) }
        }
        h2 #as-of { (ctx.t("Its status on a date", "Status en viss dag")) }
        form action={ "/permits/" (seg) "#as-of" } method="get" {
            label for="permit-at" { (ctx.t("Date (or date and time, UTC)", "Datum (eller datum och tid, UTC)")) }
            p { input #permit-at name="at" type="text" required maxlength="40" placeholder="2026-06-12" value=[at.as_deref()]; " "
                button.primary type="submit" { (ctx.t("Ask", "Fråga")) } }
        }
        @if let (Some(at), Some(answer)) = (&at, &as_of) {
            @match answer {
                Ok(a) => div.card {
                    h3 { (ctx.t("On", "Den")) " " (time(a.at_ms)) ": " (status(&ctx, &a.decision)) }
                    (proof_section(ctx.lang, &ProofOf { url: format!("/v1/permits/{seg}/status?at={}", segment(at)), kind: ProofKind::PermitAsOf, record: format!("permit:{id}"), at_ms: parse_time_ms(at).ok().or(Some(a.at_ms)) }, ctx.t("Proof of this answer", "Bevis för svaret")))
                },
                Err(f) => div.error role="alert" { p { (f.message) } },
            }
        }
        (proof_section(ctx.lang, &ProofOf { url: format!("/v1/permits/{seg}/status"), kind: ProofKind::PermitAsOf, record: format!("permit:{id}"), at_ms: None }, ctx.t("Proof of its status now", "Bevis för status nu")))
    };
    ctx.render(Page { title: what, name: "permit", body })
}

fn status(ctx: &Ctx, s: &PermitStatus) -> Markup {
    match s {
        PermitStatus::NotIssued => html! { span.badge.bad { (ctx.t("not issued", "inte utfärdat")) } },
        PermitStatus::NotYetValid => html! { span.badge.pending { (ctx.t("not yet valid", "ännu inte giltigt")) } },
        PermitStatus::Valid => html! { span.badge.ok { (ctx.t("valid", "giltigt")) } },
        PermitStatus::Expired => html! { span.badge.bad { (ctx.t("expired", "utgånget")) } },
        PermitStatus::Suspended { reason } => {
            html! { span.badge.bad { (ctx.t("suspended", "indraget tills vidare")) } " " (reason) }
        }
        PermitStatus::Revoked { reason } => html! { span.badge.bad { (ctx.t("revoked", "återkallat")) } " " (reason) },
    }
}
