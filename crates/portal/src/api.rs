//! The node's REST API, called in process: every page reads through here, so a page shows exactly what the
//! API answers (and what its proofs prove), never a second reading of the store.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use publica_client::api::ErrorEnvelope;

/// Largest API answer a page reads, bytes (a page of a status list with its proofs is about 1.1 MB).
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// The API router, shared by every page.
#[derive(Clone)]
pub struct Api {
    router: Router,
}

/// Why an API read failed, as a page shows it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The API's HTTP status.
    pub status: StatusCode,
    /// The API's stable error code (`not_found`, `malformed_request`, ...), or `internal` for a failure of the
    /// call itself.
    pub code: String,
    /// The API's message: what was wrong and what to do.
    pub message: String,
}

impl Failure {
    fn internal(message: impl Into<String>) -> Self {
        Self { status: StatusCode::INTERNAL_SERVER_ERROR, code: "internal".into(), message: message.into() }
    }

    /// Whether the API said the record does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }
}

impl Api {
    /// Pages over `router`, the node's API.
    pub fn new(router: Router) -> Self {
        Self { router }
    }

    /// `GET path` (path and query, already encoded: build it with [`segment`] and [`query_value`]) and decode the
    /// JSON answer as a `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Failure> {
        let bytes = self.get_bytes(path).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Failure::internal(format!("the API's answer to {path} could not be read: {e}")))
    }

    /// `GET path` and its body, bytes.
    pub async fn get_bytes(&self, path: &str) -> Result<Vec<u8>, Failure> {
        let request = Request::get(path)
            .header("accept", "application/json")
            .body(Body::empty())
            .map_err(|e| Failure::internal(format!("cannot build a request for {path}: {e}")))?;
        let response = self.router.clone().oneshot(request).await.map_err(|e| match e {})?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| Failure::internal(format!("the API's answer to {path} could not be read: {e}")))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        match serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            Ok(envelope) => Err(Failure { status, code: envelope.error.code, message: envelope.error.message }),
            Err(_) => Err(Failure::internal(format!("the API answered {status} to {path}"))),
        }
    }
}

/// One path segment or query value, percent-encoded: everything but RFC 3986's unreserved characters, so that text
/// a visitor typed can never change which API route is called or which parameters it gets.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_climb_out_of_their_route() {
        assert_eq!(segment("NV-A1-101"), "NV-A1-101");
        assert_eq!(segment("../../v1/status"), "..%2F..%2Fv1%2Fstatus");
        assert_eq!(segment("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(segment("Å"), "%C3%85");
    }
}
