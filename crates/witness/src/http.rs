//! The witness's HTTP interface: `add-checkpoint`, the monitoring endpoint and the verifier keys, served with
//! every connection bounded in number and in time ([`publica_http`], settings in [`HttpSettings`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use publica_http::{Bounds, ConnectionLimits, SettingNames};
use publica_tlog::{format_signature_line, MAX_ADD_CHECKPOINT_BYTES};
use serde::{Deserialize, Serialize};
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

/// Serve the witness on `listener`, each connection within `limits` (see [`HttpSettings::limits`]), until
/// `shutdown` completes; requests in flight are then allowed to finish.
///
/// A client that does not send a whole request head within the header-read timeout, or on whose connection no
/// byte moves for the idle timeout, is cut off, and connections over the total or per-address cap are closed as
/// soon as they are accepted: slow or idle clients cannot take the descriptors the state files need, nor keep
/// the logs' own requests from being cosigned.
pub async fn serve(
    witness: Arc<Witness>,
    listener: tokio::net::TcpListener,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), WitnessError> {
    let addr = listener.local_addr().map_err(|e| WitnessError::Internal(format!("listener address: {e}")))?;
    tracing::info!(
        %addr,
        connections_max = limits.connections_max,
        per_address_max = limits.per_address_max,
        "witness listening"
    );
    publica_http::serve(router(witness), listener, limits, Arc::new(()), shutdown)
        .await
        .map_err(|e| WitnessError::Internal(format!("serving on {addr}: {e}")))
}

/// The bounds on the witness's HTTP connections: the `[http]` table of `witness.toml`, every key optional.
///
/// ```toml
/// [http]
/// header_read_timeout_ms = 10000
/// idle_timeout_ms = 60000
/// connections_max = 1024
/// connections_per_address_max = 64
/// fds_reserved = 256
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Longest wait for a request head (request line and headers), from the connection's opening or the end of
    /// the previous response, milliseconds; past it the connection is closed. At most the request timeout
    /// (30 s). Default 10 s.
    pub header_read_timeout_ms: u64,
    /// A connection on which no byte moves either way for this long is closed, milliseconds. Longer than the
    /// request timeout (30 s), so that a request being checked is never cut. Default 60 s.
    pub idle_timeout_ms: u64,
    /// Most connections open at once, all clients together. Default 1024.
    pub connections_max: usize,
    /// Most connections open at once from one client address (IPv6 clients: one /64 network). Default 64.
    pub connections_per_address_max: usize,
    /// File descriptors connections never take, whatever `connections_max` says: they are kept for the state
    /// files, the lock and the logs. The cap on connections is at most the process's limit (`ulimit -n`, raised
    /// to the hard limit at start) minus this. Default 256.
    pub fds_reserved: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            header_read_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
            connections_max: 1024,
            connections_per_address_max: 64,
            fds_reserved: 256,
        }
    }
}

impl HttpSettings {
    /// Check the settings against each other and the request timeout.
    pub fn check(&self) -> Result<(), WitnessError> {
        let request_ms = REQUEST_TIMEOUT.as_millis() as u64;
        let bad = |message: String| Err(WitnessError::Config(message));
        if self.header_read_timeout_ms == 0 || self.header_read_timeout_ms > request_ms {
            return bad(format!(
                "http.header_read_timeout_ms is {}; it must be 1 to {request_ms} (the request timeout); 10000 is \
                 the default",
                self.header_read_timeout_ms
            ));
        }
        if self.idle_timeout_ms <= request_ms {
            return bad(format!(
                "http.idle_timeout_ms is {}; it must be longer than the request timeout ({request_ms}), or \
                 requests being checked would be cut; 60000 is the default",
                self.idle_timeout_ms
            ));
        }
        if self.connections_max == 0 {
            return bad("http.connections_max must be positive (1024 is the default)".into());
        }
        if self.connections_per_address_max == 0 || self.connections_per_address_max > self.connections_max {
            return bad(format!(
                "http.connections_per_address_max is {}; it must be 1 to http.connections_max ({}); 64 is the \
                 default",
                self.connections_per_address_max, self.connections_max
            ));
        }
        Ok(())
    }

    /// The settings as bounds of the HTTP server, named as `witness.toml` names them.
    pub fn bounds(&self) -> Bounds {
        Bounds {
            connections_max: self.connections_max,
            per_address_max: self.connections_per_address_max,
            header_read_timeout: Duration::from_millis(self.header_read_timeout_ms),
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            fds_reserved: self.fds_reserved,
            names: SettingNames {
                fds_reserved: "http.fds_reserved",
                per_address_max: "http.connections_per_address_max",
                reserved_for: "the witness's state files",
            },
        }
    }

    /// The limits [`serve`] applies in a process that may open `descriptors` files (`None`: no known limit; see
    /// [`publica_http::raise_descriptor_limit`]). Fails, saying what to change, on settings that do not
    /// [`check`](Self::check) or when the descriptors left after `fds_reserved` cannot hold one address's
    /// connections.
    pub fn limits(&self, descriptors: Option<u64>) -> Result<ConnectionLimits, WitnessError> {
        self.check()?;
        ConnectionLimits::new(&self.bounds(), descriptors).map_err(|e| WitnessError::Config(e.to_string()))
    }
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
