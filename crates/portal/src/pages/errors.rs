//! The portal's own error pages.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, DOCTYPE};

use crate::i18n::Lang;

/// The page for a path the portal does not serve. It is rendered without reading the node (a mistyped path
/// costs nothing), in a plain frame.
pub fn not_found(lang: Lang, path: &str) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (lang.t("Page not found", "Sidan finns inte")) " — Publica" }
                link rel="stylesheet" href="/assets/portal.css";
            }
            body data-page="not-found" {
                header.top { div.bar { a.brand href="/" { span.logo aria-hidden="true" { "◆" } " Publica" } } }
                main #main {
                    h1 { (lang.t("Page not found", "Sidan finns inte")) }
                    div.error role="alert" {
                        p { (lang.t("There is no page at", "Det finns ingen sida på")) " " code { (path) } "." }
                        p { (lang.t("Search for a parcel, a company, a permit, an account, a block or a transaction from the start page; the REST API is under /v1/.",
                            "Sök efter en fastighet, ett företag, ett tillstånd, ett konto, ett block eller en transaktion från startsidan; REST-API:t finns under /v1/.")) }
                    }
                    p { a href="/" { (lang.t("Go to the start page", "Gå till startsidan")) } }
                }
            }
        }
    };
    (StatusCode::NOT_FOUND, axum::response::Html(markup.into_string())).into_response()
}
