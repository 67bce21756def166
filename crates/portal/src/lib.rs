//! The citizen portal: the pages a node serves at `/`, beside its REST API under `/v1/`.
//!
//! Every page is rendered on the server from the node's own API, called in process ([`api::Api`]): the portal
//! is a client of the API like any other and reads nothing the API does not answer, so the two cannot disagree.
//! The pages are plain HTML, readable without JavaScript. One script, `/assets/portal.js` (built from
//! `crates/portal/web`, committed), adds what needs it: checking every proof in the visitor's browser with an
//! independent implementation (the `@noble` libraries for ML-DSA, Ed25519 and SHA-256), hashing a document
//! without uploading it, and signing transactions with a key the visitor holds.
//!
//! Nothing is loaded from another host: no fonts, no CDN, no trackers; the Content-Security-Policy says so to
//! the browser. Pages speak English and Swedish ([`i18n`]); times are written in UTC and shown by the script in
//! the visitor's time zone.

pub mod api;
pub mod assets;
pub mod i18n;

mod html;
mod map;
mod pages;

use axum::extract::Request;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use crate::api::Api;

/// Path prefixes that belong to the REST API: requests under them are passed to it untouched.
const API_PREFIXES: &[&str] = &["/v1/", "/tlog/", "/openapi.json", "/metrics"];

/// The policy every page and asset is served with: everything from this origin only, no inline script, no
/// framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' \
     data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The node's router with the portal in front: the portal's pages and assets, and every other request passed
/// to `api` (whose own fallback answers unknown API paths with its JSON errors). Unknown paths outside the
/// API get the portal's HTML "not found" page.
pub fn router(api: Router) -> Router {
    let pages = Router::new()
        .route("/", get(pages::home::page))
        .route("/search", get(pages::home::search))
        .route("/verify", get(pages::services::verify))
        .route("/wallet", get(pages::services::wallet))
        .route("/credentials", get(pages::services::credentials))
        .route("/trust", get(pages::services::trust))
        .route("/blocks", get(pages::explorer::blocks))
        .route("/blocks/{height}", get(pages::explorer::block))
        .route("/tx/{id}", get(pages::explorer::transaction))
        .route("/accounts/{address}", get(pages::explorer::account))
        .route("/validators", get(pages::explorer::validators))
        .route("/consents/{id}", get(pages::explorer::consent))
        .route("/notary", get(pages::notary::log))
        .route("/notary/entries/{hash}", get(pages::notary::entry))
        .route("/parcels", get(pages::land::index))
        .route("/parcels/{id}", get(pages::land::parcel))
        .route("/applications/{id}", get(pages::land::application))
        .route("/permits/{id}", get(pages::permits::permit))
        .route("/companies", get(pages::business::index))
        .route("/companies/{number}", get(pages::business::company))
        .route("/elections", get(pages::elections::index))
        .route("/elections/{id}", get(pages::elections::election))
        .route("/elections/{id}/ballots", get(pages::elections::receipt))
        .route("/elections/{id}/ballots/{hash}", get(pages::elections::ballot))
        .route("/finance", get(pages::finance::index))
        .route("/finance/budgets/{year}/lines/{code}", get(pages::finance::line))
        .route("/finance/payments/{id}", get(pages::finance::payment))
        .route("/finance/programmes/{id}", get(pages::finance::programme))
        .route("/procurement", get(pages::procurement::index))
        .route("/procurement/tenders/{id}", get(pages::procurement::tender))
        .route("/procurement/contracts/{id}", get(pages::procurement::contract))
        .route("/contracts", get(pages::contracts::index))
        .route("/contracts/{id}", get(pages::contracts::instance))
        .route("/data", get(pages::data::index))
        .route("/data/log", get(pages::data::log))
        .route("/assets/{file}", get(assets::serve))
        .layer(middleware::from_fn(page_timeout))
        .layer(CatchPanicLayer::custom(page_panicked))
        .layer(middleware::from_fn(secure_headers));
    let api_for_pages = Api::new(api.clone());
    pages.with_state(api_for_pages).fallback_service(Fallback { api })
}

/// Sends API paths to the API and everything else to the portal's "not found" page.
#[derive(Clone)]
struct Fallback {
    api: Router,
}

impl tower::Service<Request> for Fallback {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let path = request.uri().path();
        if API_PREFIXES.iter().any(|p| path == p.trim_end_matches('/') || path.starts_with(p)) {
            let api = self.api.clone();
            Box::pin(async move { tower::ServiceExt::oneshot(api, request).await })
        } else {
            let lang = i18n::Lang::from_request_parts(request.headers(), request.uri().query());
            let path = path.to_string();
            Box::pin(async move {
                let mut response = pages::errors::not_found(lang, &path);
                add_secure_headers(&mut response);
                Ok(response)
            })
        }
    }
}

/// The longest a page may take, all its reads of the API included (each read is also bounded by the API's own
/// request timeout).
const PAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// Answer `503` with a plain page when rendering takes longer than [`PAGE_TIMEOUT`].
async fn page_timeout(request: Request, next: Next) -> Response {
    let lang = i18n::Lang::from_request_parts(request.headers(), request.uri().query());
    match tokio::time::timeout(PAGE_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => unavailable(
            lang,
            lang.t(
                "This page took too long to prepare; try again in a moment.",
                "Sidan tog för lång tid att ta fram; försök igen om en stund.",
            ),
        ),
    }
}

/// Answer `500` with a plain page when a page's handler panicked (a bug: the node's log has it).
fn page_panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a portal page failed while rendering");
    // The request (and its language) is gone by now: the page says it in both languages.
    let mut response = unavailable(
        i18n::Lang::En,
        "This page failed on the node; its log says why. Other pages still work. — Sidan misslyckades på noden; \
         dess logg säger varför. Andra sidor fungerar.",
    );
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

fn unavailable(lang: i18n::Lang, message: &str) -> Response {
    let title = lang.t("Unavailable", "Inte tillgänglig");
    let markup = maud::html! {
        (maud::DOCTYPE)
        html lang=(lang.tag()) {
            head { meta charset="utf-8"; title { (title) " — Publica" } link rel="stylesheet" href="/assets/portal.css"; }
            body { main #main {
                h1 { (title) }
                div.error role="alert" { p { (message) } }
                p { a href="/" { (lang.t("Start page", "Startsidan")) } }
            } }
        }
    };
    (StatusCode::SERVICE_UNAVAILABLE, axum::response::Html(markup.into_string())).into_response()
}

/// Adds the portal's security headers to a page or asset.
async fn secure_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_secure_headers(&mut response);
    response
}

fn add_secure_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}
