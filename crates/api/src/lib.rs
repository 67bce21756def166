//! The REST API of a Publica node: an axum router over a [`NodeHandle`], JSON errors with stable codes, an
//! OpenAPI 3.1 description of itself and Prometheus metrics.
//!
//! Every route is listed once, in [`ROUTES`]; the router is built from that list and a test holds it equal to
//! the paths of `openapi.json`. Every answer that is not a success carries the JSON error of [`error`], including
//! the answers of the framework itself (unknown route, wrong method, body too large, timeout, panic). Handlers
//! that touch the store, the locks of the node's state or a signature run on the blocking thread pool, so a slow
//! disk or a post-quantum signature check never stalls the async workers. The server ([`server`]) bounds the
//! connections themselves: how many, from one address, and how long each may take to send a request or stay idle.
//!
//! Every JSON answer is a type of [`publica_client::api`], which clients decode, so the two cannot drift.
//!
//! A response that proves several reads carries the certified header once (`certified`: header and commit
//! certificate) and each read as a [`publica_verify::KeyProof`] naming that header's height (`proofs`); a
//! certificate holds about 4.7 KB per signer, so a page of proofs costs one certificate, not one per item.
//! `publica_verify::verify_document` (and `publica verify`) checks every proof of such a response.

pub mod cache;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod server;

mod chain;
mod contracts;
mod credentials;
mod data;
mod did;
mod elections;
mod evidence;
mod finance;
mod governance;
mod identity;
mod layers;
mod notary;
mod procurement;
mod registry;
mod state;
mod status_token;
mod tx;

use std::future::Future;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use publica_node::NodeHandle;

pub use chain::METRICS_CONTENT_TYPE;
pub use credentials::{MAX_TRUSTED_ROOT_COUNT, MAX_VERIFIER_TEXT_BYTES, MAX_VERIFY_BODY_BYTES};
pub use data::{
    MAX_DATA_READ_BODY_BYTES, MAX_STREAMS, MAX_STREAMS_PER_READER, MAX_WATCHED_PENDING, STREAM_KEEP_ALIVE,
    STREAM_LIFETIME_MS, STREAM_POLL,
};
pub use elections::{
    MAX_ELECTIONS_PAGE_BYTES, MAX_ELECTION_OBJECT_BYTES, MAX_EVENTS_PAGE_BYTES, MAX_INLINE_OBJECT_BYTES,
    MAX_OBJECTS_PER_EVENT, MAX_RESULT_OBJECT_BYTES,
};
pub use error::{http_status, ApiError, ErrorBody, ErrorEnvelope};
pub use extract::READ_REQUEST_MAX_SKEW_MS;
pub use finance::{CSV_CONTENT_TYPE, MAX_ACCOUNT_READ_BODY_BYTES, MAX_CSV_ROW_BYTES, MAX_LINES_CSV_BYTES};
pub use identity::MAX_STATUS_LIST_PAGE_CHUNKS;
pub use procurement::{MAX_RANKED_BIDS, MAX_RANKING_BYTES};
pub use publica_http::{descriptor_limit, raise_descriptor_limit, ConnectionLimits};
pub use server::connection_limits;
pub use tx::{MAX_BATCH_TXS, MAX_SUBMIT_BODY_BYTES};

/// One route of the API.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, with `{name}` parameters as in OpenAPI.
    pub path: &'static str,
    handler: fn() -> MethodRouter<NodeHandle>,
}

impl Route {
    const fn new(method: &'static str, path: &'static str, handler: fn() -> MethodRouter<NodeHandle>) -> Self {
        Self { method, path, handler }
    }
}

/// Every route the API serves. The router is built from this list, and the OpenAPI document must describe
/// exactly these.
pub const ROUTES: &[Route] = &[
    Route::new("POST", "/v1/transactions", || post(tx::submit).layer(DefaultBodyLimit::max(tx::MAX_SUBMIT_BODY_BYTES))),
    Route::new("POST", "/v1/transactions/batch", || post(tx::submit_batch)),
    Route::new("GET", "/v1/transactions/{id}", || get(tx::status)),
    Route::new("GET", "/v1/blocks/latest", || get(chain::latest_block)),
    Route::new("GET", "/v1/blocks/{height}", || get(chain::block)),
    Route::new("GET", "/v1/accounts/{address}", || get(state::account)),
    Route::new("GET", "/v1/dids/{did}", || get(did::resolve)),
    Route::new("GET", "/v1/state/{key}", || get(state::state)),
    Route::new("GET", "/v1/status", || get(chain::status)),
    Route::new("GET", "/v1/genesis", || get(chain::genesis)),
    Route::new("GET", "/v1/validators", || get(governance::validators)),
    Route::new("GET", "/v1/validators/history", || get(governance::history)),
    Route::new("GET", "/v1/governance/proposals", || get(governance::proposals)),
    Route::new("GET", "/v1/governance/proposals/{id}", || get(governance::proposal)),
    Route::new("GET", "/v1/evidence", || get(evidence::list)),
    Route::new("GET", "/v1/notary/checkpoint", || get(notary::checkpoint)),
    Route::new("GET", "/v1/notary/entries/{hash}", || get(notary::entry)),
    Route::new("GET", "/v1/notary/receipts/{hash}", || get(notary::receipt)),
    Route::new("GET", "/v1/notary/consistency", || get(notary::consistency)),
    Route::new("GET", "/v1/notary/vkeys", || get(notary::vkeys)),
    Route::new("GET", "/v1/notary/witnesses", || get(notary::witnesses)),
    Route::new("GET", "/v1/land/parcels", || get(registry::search)),
    Route::new("GET", "/v1/land/parcels/{id}", || get(registry::parcel)),
    Route::new("GET", "/v1/land/parcels/{id}/history", || get(registry::parcel_history)),
    Route::new("GET", "/v1/land/parcels/{id}/owners", || get(registry::owners)),
    Route::new("GET", "/v1/registry/applications/{id}", || get(registry::application)),
    Route::new("GET", "/v1/permits/{id}", || get(registry::permit)),
    Route::new("GET", "/v1/permits/{id}/status", || get(registry::permit_status)),
    Route::new("GET", "/v1/business/companies", || get(registry::company_by_name)),
    Route::new("GET", "/v1/business/companies/{number}", || get(registry::company)),
    Route::new("GET", "/v1/business/companies/{number}/history", || get(registry::company_history)),
    Route::new("GET", "/v1/business/companies/{number}/bods", || get(registry::company_bods)),
    Route::new("GET", "/v1/identity/schemas", || get(identity::schema_by_version)),
    Route::new("GET", "/v1/identity/schemas/{hash}", || get(identity::schema)),
    Route::new("GET", "/v1/identity/accreditations/{id}", || get(identity::accreditation)),
    Route::new("GET", "/v1/identity/issuers/{address}/accreditations", || get(identity::issuer_accreditations)),
    Route::new("GET", "/v1/identity/status-lists/{owner}/{list}", || get(identity::status_list)),
    Route::new("GET", "/v1/identity/status-lists/{owner}/{list}/entries/{index}", || get(identity::status_entry)),
    Route::new("GET", "/v1/identity/status-lists/{owner}/{list}/token", || get(status_token::token)),
    Route::new("POST", "/v1/identity/status-lists/{owner}/{list}/token", || post(status_token::publish)),
    Route::new("GET", "/v1/identity/consents/{id}", || get(identity::consent)),
    Route::new("GET", "/v1/identity/grantors/{address}/consents", || get(identity::grantor_consents)),
    Route::new("GET", "/v1/identity/grantees/{address}/consents", || get(identity::grantee_consents)),
    Route::new("POST", "/v1/credentials/verify", || {
        post(credentials::verify).layer(DefaultBodyLimit::max(credentials::MAX_VERIFY_BODY_BYTES))
    }),
    Route::new("GET", "/v1/elections", || get(elections::list)),
    Route::new("GET", "/v1/elections/{id}", || get(elections::one)),
    Route::new("GET", "/v1/elections/{id}/ballots/{hash}", || get(elections::ballot)),
    Route::new("GET", "/v1/elections/{id}/credentials/{credential}", || get(elections::credential)),
    Route::new("GET", "/v1/elections/{id}/trustees/{trustee}/messages/{step}", || get(elections::trustee_message)),
    Route::new("GET", "/v1/elections/{id}/trustees/{trustee}/input", || get(elections::trustee_input)),
    Route::new("GET", "/v1/elections/{id}/events", || get(elections::events)),
    Route::new("GET", "/v1/elections/{id}/objects/{hash}/chunks/{index}", || get(elections::object_chunk)),
    Route::new("GET", "/v1/finance/currencies/{code}", || get(finance::currency)),
    Route::new("GET", "/v1/finance/currencies/{code}/agencies/{agency}", || get(finance::agency_account)),
    Route::new("GET", "/v1/finance/budgets/{year}", || get(finance::budget)),
    Route::new("GET", "/v1/finance/budgets/{year}/lines/{code}", || get(finance::line)),
    Route::new("GET", "/v1/finance/budgets/{year}/lines.csv", || get(finance::lines_csv)),
    Route::new("GET", "/v1/finance/payments", || get(finance::payments)),
    Route::new("GET", "/v1/finance/payments/{id}", || get(finance::payment)),
    Route::new("GET", "/v1/finance/allocations", || get(finance::allocations)),
    Route::new("GET", "/v1/finance/commitments", || get(finance::commitments)),
    Route::new("GET", "/v1/finance/programmes", || get(finance::programmes)),
    Route::new("GET", "/v1/finance/programmes/{id}", || get(finance::programme)),
    Route::new("GET", "/v1/finance/nullifiers/{scheme}/{period}/{nullifier}", || get(finance::nullifier)),
    Route::new("POST", "/v1/finance/accounts/read", || {
        post(finance::read_account).layer(DefaultBodyLimit::max(finance::MAX_ACCOUNT_READ_BODY_BYTES))
    }),
    Route::new("POST", "/v1/data/read", || {
        post(data::read).layer(DefaultBodyLimit::max(data::MAX_DATA_READ_BODY_BYTES))
    }),
    Route::new("POST", "/v1/data/log/stream", || {
        post(data::log_stream).layer(DefaultBodyLimit::max(data::MAX_DATA_READ_BODY_BYTES))
    }),
    Route::new("GET", "/v1/data/studies/{id}", || get(data::study)),
    Route::new("GET", "/v1/data/emergencies", || get(data::emergencies)),
    Route::new("GET", "/v1/data/retention/{agency}", || get(data::retention)),
    Route::new("GET", "/v1/procurement/keys/{id}", || get(procurement::sealing_key)),
    Route::new("GET", "/v1/procurement/tenders", || get(procurement::tenders)),
    Route::new("GET", "/v1/procurement/tenders/{id}", || get(procurement::tender)),
    Route::new("GET", "/v1/procurement/tenders/{id}/questions", || get(procurement::questions)),
    Route::new("GET", "/v1/procurement/tenders/{id}/bids", || get(procurement::bids)),
    Route::new("GET", "/v1/procurement/tenders/{id}/lots/{index}", || get(procurement::lot)),
    Route::new("GET", "/v1/procurement/tenders/{id}/complaints", || get(procurement::complaints)),
    Route::new("GET", "/v1/procurement/contracts/{id}", || get(procurement::contract)),
    Route::new("GET", "/v1/procurement/tenders/{id}/ocds", || get(procurement::ocds)),
    Route::new("GET", "/v1/procurement/red-flags", || get(procurement::red_flags)),
    Route::new("GET", "/v1/contracts/code/{hash}", || get(contracts::code)),
    Route::new("GET", "/v1/contracts/instances", || get(contracts::instances)),
    Route::new("GET", "/v1/contracts/instances/{id}", || get(contracts::instance)),
    Route::new("GET", "/v1/contracts/instances/{id}/state/{key}", || get(contracts::state_value)),
    Route::new("GET", "/v1/contracts/instances/{id}/events", || get(contracts::events)),
    Route::new("GET", "/v1/contracts/receipts/{id}", || get(contracts::receipt)),
    Route::new("GET", "/v1/contracts/policies/{agency}", || get(contracts::policy)),
    Route::new("GET", "/tlog/checkpoint", || get(notary::tlog_checkpoint)),
    Route::new("GET", "/tlog/tile/{*path}", || get(notary::tile)),
    Route::new("GET", "/openapi.json", || get(openapi::serve_document)),
    Route::new("GET", "/metrics", || get(chain::metrics)),
];

/// The API's router over a node, with the node's body limit and request timeout applied.
pub fn router(node: NodeHandle) -> Router {
    let body_bytes_max = node.config().api.body_bytes_max;
    let timeout = Duration::from_millis(node.config().api.timeout_ms);
    let mut router = Router::new();
    for route in ROUTES {
        router = router.route(route.path, (route.handler)());
    }
    let router =
        router.fallback(layers::no_route).method_not_allowed_fallback(layers::method_not_allowed).with_state(node);
    layers::apply(router, body_bytes_max, timeout)
}

/// Serve the API on `listener` until the process ends.
pub async fn serve(node: NodeHandle, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_with_shutdown(node, listener, std::future::pending()).await
}

/// Serve the API on `listener` until `shutdown` completes; requests in flight are then allowed to finish.
///
/// Connections are bounded by the node's `[api]` settings and this process's descriptor limit
/// ([`connection_limits`] with [`descriptor_limit`]); it fails at once, saying what to change, when the limit leaves too
/// few descriptors for the API.
pub async fn serve_with_shutdown(
    node: NodeHandle,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_app_with_shutdown(router(node.clone()), node, listener, shutdown).await
}

/// Serve `app` (the API's [`router`], possibly behind other routes, such as the portal's pages) on `listener`
/// until `shutdown` completes, with the connection bounds of [`serve_with_shutdown`].
pub async fn serve_app_with_shutdown(
    app: Router,
    node: NodeHandle,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = connection_limits(&node.config().api, descriptor_limit())?;
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(
            %addr,
            connections_max = limits.connections_max,
            per_address_max = limits.per_address_max,
            "REST API listening"
        );
    }
    server::serve(app, listener, limits, node, shutdown).await
}

/// A network's identity for what the API keeps in memory across requests (verified validator sets, published
/// status list tokens): the SHA-256 of its genesis document, so that two networks served by one process never share
/// an entry.
pub(crate) fn network_id(node: &NodeHandle) -> Result<publica_types::Hash, ApiError> {
    let genesis = serde_json::to_vec(node.genesis()).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(publica_types::sha256(&genesis))
}

/// Run `f` on the blocking thread pool. A panic inside becomes an `internal` error instead of a dropped
/// connection.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "a request handler failed");
        ApiError::Internal("the node failed while handling this request; its log says why".into())
    })
}
