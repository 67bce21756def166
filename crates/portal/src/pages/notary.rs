//! The notary log: its latest signed checkpoint, its witnesses, and one anchored document's entry.

use axum::extract::Path;
use axum::response::Response;
use maud::html;

use publica_client::api::{EntryResponse, WitnessesResponse};

use crate::api::segment;
use crate::html::{account_link, hex_full, time, Ctx, Page};

/// `GET /notary`.
pub async fn log(ctx: Ctx) -> Response {
    let what = ctx.t("Notary log", "Notarieloggen").to_string();
    // A log nothing was anchored in yet has no checkpoint: the page says so instead of failing.
    let checkpoint = match ctx.api.get_bytes("/v1/notary/checkpoint").await {
        Ok(c) => Some(String::from_utf8_lossy(&c).into_owned()),
        Err(f) if f.is_not_found() => None,
        Err(f) => return ctx.failure(&what, f),
    };
    let witnesses =
        ctx.api.get::<WitnessesResponse>("/v1/notary/witnesses").await.map(|w| w.witnesses).unwrap_or_default();
    let vkeys = ctx
        .api
        .get_bytes("/v1/notary/vkeys")
        .await
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default();
    let mut lines = checkpoint.as_deref().unwrap_or("").lines();
    let origin = lines.next().unwrap_or("");
    let size = lines.next().unwrap_or("");
    let root = lines.next().unwrap_or("");
    let body = html! {
        h1 { (what) }
        p.lead { (ctx.t("Agencies anchor documents here: the SHA-256 of each document, never the document itself, is appended to a transparency log (C2SP tlog). The validators sign each new size of the log, and independent witnesses cosign it, so the log cannot be rewritten without it showing.",
            "Myndigheter förankrar dokument här: varje dokuments SHA-256, aldrig dokumentet självt, läggs till i en transparenslogg (C2SP tlog). Validerarna signerar varje ny storlek på loggen och oberoende vittnen kontrasignerar den, så loggen kan inte skrivas om utan att det syns.")) }
        p { a.button.primary href="/verify" { (ctx.t("Verify a document", "Kontrollera ett dokument")) } }
        h2 { (ctx.t("Latest checkpoint", "Senaste kontrollpunkten")) }
        @if checkpoint.is_none() { p.muted { (ctx.t("Nothing has been anchored yet: the log has no checkpoint.", "Inget har förankrats ännu: loggen har ingen kontrollpunkt.")) } }
        @else { dl.facts {
            dt { (ctx.t("Log", "Logg")) } dd { code { (origin) } }
            dt { (ctx.t("Documents anchored", "Förankrade dokument")) } dd { (size) }
            dt { (ctx.t("Root hash (base64)", "Rothash (base64)")) } dd { code.hex { (root) } }
        }
        details {
            summary { (ctx.t("The signed checkpoint, as the log serves it", "Den signerade kontrollpunkten, som loggen visar den")) }
            pre.mono { (checkpoint.as_deref().unwrap_or("")) }
        } }
        h2 { (ctx.t("Witnesses", "Vittnen")) }
        @if witnesses.is_empty() {
            p.muted { (ctx.t("This node pushes its checkpoints to no witness.", "Noden skickar sina kontrollpunkter till inga vittnen.")) }
        } @else {
            ul { @for w in &witnesses { li { strong { (w.name) } @for k in &w.vkeys { br; code.hex { (k) } } } } }
        }
        h2 { (ctx.t("The log's signing keys", "Loggens signeringsnycklar")) }
        pre.mono { (vkeys) }
        p.muted { (ctx.t("Tiles of the log for C2SP clients are served under /tlog/.", "Loggens rutor för C2SP-klienter finns under /tlog/.")) }
    };
    ctx.render(Page { title: what, name: "notary", body })
}

/// `GET /notary/entries/{hash}`: what the log says about one document hash.
pub async fn entry(ctx: Ctx, Path(hash): Path<String>) -> Response {
    let what = ctx.t("Anchored document", "Förankrat dokument").to_string();
    let e = match ctx.api.get::<EntryResponse>(&format!("/v1/notary/entries/{}", segment(&hash))).await {
        Ok(e) => e,
        Err(f) => return ctx.failure(&what, f),
    };
    let body = html! {
        h1 { (what) }
        dl.facts {
            dt { "SHA-256" } dd { (hex_full(&e.hash)) }
            @if let Some(label) = &e.label { dt { (ctx.t("Label", "Etikett")) } dd { (label) } }
            dt { (ctx.t("Anchored by", "Förankrat av")) } dd { (account_link(&e.account.to_string())) " (" (e.agency.as_str()) ")" }
            dt { (ctx.t("When", "När")) } dd { (time(e.time_ms)) }
            dt { (ctx.t("Block", "Block")) } dd { a href={ "/blocks/" (e.height) } { (e.height) } }
            dt { (ctx.t("Entry in the log", "Post i loggen")) } dd { (e.index) }
        }
        p {
            a.button.primary href={ "/v1/notary/receipts/" (e.hash) } download={ (e.hash) ".tlog-proof" } { (ctx.t("Download the receipt", "Ladda ned kvittot")) }
            " "
            a.button href="/verify" { (ctx.t("Check it with the document in your browser", "Kontrollera det med dokumentet i webbläsaren")) }
        }
    };
    ctx.render(Page { title: what, name: "notary-entry", body })
}
