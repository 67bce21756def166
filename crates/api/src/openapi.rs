//! The OpenAPI 3.1 description of the API, written by hand in `openapi.json` and served as it is.
//!
//! Keeping the document a plain file keeps it readable and diffable; tests hold it to the router ([`ROUTES`]),
//! to [`ErrorCode::ALL`](publica_types::ErrorCode::ALL) and to the shape OpenAPI 3.1 requires.
//!
//! [`ROUTES`]: crate::ROUTES

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The OpenAPI 3.1 document, JSON.
pub const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /openapi.json`.
pub(crate) async fn serve_document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}
