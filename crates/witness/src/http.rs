//! The witness's HTTP interface: `add-checkpoint`, the monitoring endpoint and the verifier keys.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use publica_tlog::{format_signature_line, MAX_ADD_CHECKPOINT_BYTES};
use tokio::sync::Semaphore;

use crate::{Witness, WitnessError};

/// Largest `add-checkpoint` body accepted; larger ones are answered with 413. A full-size checkpoint note plus
/// 63 proof lines fits.
pub const MAX_BODY_BYTES: usize = MAX_ADD_CHECKPOINT_BYTES;

/// How long one request may take, body upload included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Content type of plain-text answers.
const TEXT: &str = "text/plain; charset=utf-8";

/// Content type of the 409 answer, fixed by tlog-witness.
const TLOG_SIZE: &str = "text/x.tlog.size";

#[derive(Clone)]
struct AppState {
    witness: Arc<Witness>,
    /// Bounds the `add-checkpoint` requests being checked at once: each holds a blocking thread for its signature
    /// checks and disk writes, and without a bound a flood of requests would queue thousands of them.
    checks: Arc<Semaphore>,
}

/// The witness's routes, to be served at its submission prefix (or nested under it):
///
/// - `POST /add-checkpoint` (C2SP tlog-witness);
/// - `GET /{origin hash}/checkpoint`: the latest cosigned checkpoint of a log, 404 if none;
/// - `GET /vkeys`: the witness's verifier keys, one per line (ML-DSA-44, then Ed25519).
pub fn router(witness: Arc<Witness>) -> Router {
    let parallel = std::thread::available_parallelism().map_or(2, |n| n.get());
    let state = AppState { witness, checks: Arc::new(Semaphore::new(2 * parallel)) };
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/vkeys", get(vkeys))
        .route("/{origin_hash}/checkpoint", get(checkpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::new(REQUEST_TIMEOUT))
        .with_state(state)
}

/// Serve the witness on `listener` until `shutdown` completes.
pub async fn serve(
    witness: Arc<Witness>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), WitnessError> {
    let addr = listener.local_addr().map_err(|e| WitnessError::Internal(format!("listener address: {e}")))?;
    axum::serve(listener, router(witness))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| WitnessError::Internal(format!("serving on {addr}: {e}")))
}

impl IntoResponse for WitnessError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self {
            WitnessError::Conflict { size, .. } => (status, [(header::CONTENT_TYPE, TLOG_SIZE)], format!("{size}\n")),
            e => (status, [(header::CONTENT_TYPE, TEXT)], format!("{e}\n")),
        }
        .into_response()
    }
}

async fn add_checkpoint(State(state): State<AppState>, body: Bytes) -> Result<Response, WitnessError> {
    let _permit = state.checks.acquire().await.map_err(|e| WitnessError::Internal(e.to_string()))?;
    let witness = Arc::clone(&state.witness);
    let cosignatures = tokio::task::spawn_blocking(move || witness.add_checkpoint(&body))
        .await
        .map_err(|e| WitnessError::Internal(format!("the checking task failed: {e}")))??;
    let lines: String = cosignatures.iter().map(format_signature_line).collect();
    Ok(([(header::CONTENT_TYPE, TEXT)], lines).into_response())
}

async fn vkeys(State(state): State<AppState>) -> Response {
    let lines: String = state.witness.vkeys().iter().map(|k| format!("{k}\n")).collect();
    ([(header::CONTENT_TYPE, TEXT)], lines).into_response()
}

async fn checkpoint(State(state): State<AppState>, Path(origin_hash): Path<String>) -> Response {
    match state.witness.latest_by_hash(&origin_hash) {
        Some(signed) => {
            ([(header::CONTENT_TYPE, TEXT), (header::CACHE_CONTROL, "no-cache")], signed.to_bytes()).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, TEXT)],
            "this witness has cosigned no checkpoint of a log with that origin hash (lowercase hex SHA-256 of the \
             origin line)\n",
        )
            .into_response(),
    }
}
