//! The vault's HTTP interface (`/vault/v1/…`; request and answer types in `publica_client::api::vault`), served
//! with every connection bounded in number and in time ([`publica_http`]).
//!
//! | route | answer |
//! |---|---|
//! | `POST /vault/v1/records` | 201 with the record's number once its registration is committed, 202 while it is on its way; the body at most [`MAX_INGEST_BODY_BYTES`] (413 beyond) |
//! | `GET /vault/v1/releases/{access}` | 200 with the sealed release (`HybridSealed` JSON) once `fulfil_access` is committed; 404 before; 410 when it will never be served |
//! | `GET /vault/v1/records/{id}` | 200 `held`; 410 `erased` with the statement and the tombstone's transaction; 404 for a record never held |
//! | `GET /vault/v1/status` | 200 |
//!
//! Every refusal is a JSON [`ErrorEnvelope`] with the stable code and a message that says what to do. An ingest
//! is authorised before any expensive work (`crate::service`); at most [`MAX_CONCURRENT_INGESTS`] are worked on at
//! once, the others wait their turn.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use publica_client::api::vault::{RecordHolding, SignedIngest, MAX_INGEST_BODY_BYTES};
use publica_client::api::{ErrorBody, ErrorEnvelope};
use publica_http::{Bounds, ConnectionLimits, SettingNames};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::error::VaultError;
use crate::service::Service;

/// Most ingests worked on at once (each holds a blocking thread while it waits for its registration).
pub const MAX_CONCURRENT_INGESTS: usize = 8;
/// How long one request may take: an ingest waits for its registration, at most a little over a minute.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(110);

#[derive(Clone)]
struct AppState {
    service: Arc<Service>,
    ingests: Arc<Semaphore>,
}

/// The vault's routes.
pub fn router(service: Arc<Service>) -> Router {
    let state = AppState { service, ingests: Arc::new(Semaphore::new(MAX_CONCURRENT_INGESTS)) };
    Router::new()
        .route("/vault/v1/records", post(ingest))
        .route("/vault/v1/records/{id}", get(record))
        .route("/vault/v1/releases/{access}", get(release))
        .route("/vault/v1/status", get(status))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(tower_http::timeout::TimeoutLayer::new(REQUEST_TIMEOUT))
        .with_state(state)
}

/// The bounds of the vault's connections: few clients (its agency's own programs and the requesters' vault
/// clients), each request short but for an ingest's wait.
pub fn bounds() -> Bounds {
    Bounds {
        connections_max: 512,
        per_address_max: 64,
        header_read_timeout: Duration::from_secs(10),
        idle_timeout: REQUEST_TIMEOUT + Duration::from_secs(30),
        fds_reserved: 128,
        names: SettingNames {
            fds_reserved: "the vault's reserved descriptors (128)",
            per_address_max: "the vault's connections per address (64)",
            reserved_for: "the vault's store",
        },
    }
}

/// The connection limits the vault applies in a process that may open `descriptors` files (`None`: no known
/// limit).
pub fn connection_limits(descriptors: Option<u64>) -> Result<ConnectionLimits, VaultError> {
    ConnectionLimits::new(&bounds(), descriptors).map_err(|e| VaultError::Config(e.to_string()))
}

/// Serve the vault on `listener` within `limits` until `shutdown` completes.
pub async fn serve(
    service: Arc<Service>,
    listener: TcpListener,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    publica_http::serve(router(service), listener, limits, Arc::new(()), shutdown).await
}

impl IntoResponse for VaultError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %self, "a request to the vault failed");
        }
        let code = self.code();
        let body = match self {
            // The node's own code is kept as it said it, with the number of the code it names.
            VaultError::Refused { code: name, message } => {
                ErrorBody { code: name, number: code.number(), message: format!("the ledger refused it: {message}") }
            }
            other => ErrorBody::new(code, other.to_string()),
        };
        json(status, &ErrorEnvelope { error: body })
    }
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("the vault could not write its answer: {e}")).into_response()
        }
    }
}

/// Run `work` on a blocking thread (the store, the node's client and the signatures all block).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| VaultError::Internal(format!("a vault task failed: {e}")))?
}

fn number(what: &str, text: &str) -> Result<u64, VaultError> {
    text.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        VaultError::Malformed(format!("{what} must be a positive decimal number (numbered from 1), not {text:?}"))
    })
}

async fn ingest(State(state): State<AppState>, body: Body) -> Result<Response, VaultError> {
    let bytes = axum::body::to_bytes(body, MAX_INGEST_BODY_BYTES).await.map_err(|_| {
        VaultError::TooLarge(format!(
            "the request body could not be read whole within {MAX_INGEST_BODY_BYTES} bytes: a record (its fields as \
             JSON, with the signature) must fit in 1 MiB; keep large documents elsewhere and record their hashes"
        ))
    })?;
    let body: SignedIngest = serde_json::from_slice(&bytes).map_err(|e| {
        VaultError::Malformed(format!(
            "the body is not an ingest request ({e}): {{\"request\": {{\"agency\", \"owner\", \"category\", \
             \"fields\": {{…}}, \"controller\", \"at_ms\"}}, \"signature\"}}"
        ))
    })?;
    let _turn = state.ingests.acquire().await.map_err(|e| VaultError::Internal(e.to_string()))?;
    let service = Arc::clone(&state.service);
    let ingested = blocking(move || service.ingest(body)).await?;
    let status = if ingested.committed { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    Ok(json(status, &ingested.response))
}

async fn release(State(state): State<AppState>, Path(access): Path<String>) -> Result<Response, VaultError> {
    let access = number("the access", &access)?;
    let service = Arc::clone(&state.service);
    let sealed = blocking(move || service.release(access)).await?;
    Ok(json(StatusCode::OK, &sealed))
}

async fn record(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, VaultError> {
    let id = number("the record", &id)?;
    let service = Arc::clone(&state.service);
    let answer = blocking(move || service.record_status(id)).await?;
    let status = match answer.state {
        RecordHolding::Held => StatusCode::OK,
        RecordHolding::Erased { .. } => StatusCode::GONE,
    };
    Ok(json(status, &answer))
}

async fn status(State(state): State<AppState>) -> Result<Response, VaultError> {
    let service = Arc::clone(&state.service);
    let answer = blocking(move || service.status()).await?;
    Ok(json(StatusCode::OK, &answer))
}

async fn method_not_allowed() -> Response {
    let body = ErrorBody::new(
        publica_types::ErrorCode::MalformedRequest,
        "this path does not take this method: records are put with POST /vault/v1/records and read with GET",
    );
    json(StatusCode::METHOD_NOT_ALLOWED, &ErrorEnvelope { error: body })
}

async fn not_found() -> VaultError {
    VaultError::NotFound(
        "nothing is served at this path: the vault serves POST /vault/v1/records, GET /vault/v1/releases/{access}, \
         GET /vault/v1/records/{id} and GET /vault/v1/status"
            .into(),
    )
}
