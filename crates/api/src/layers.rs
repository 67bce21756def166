//! What wraps every route: HTTP caching, the body limit, the request timeout, JSON for every error, panics caught,
//! tracing.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, Method, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::cache::KeptAnswers;
use crate::error::ApiError;

/// Most bytes of a non-JSON error body read to carry its text over into the JSON error.
const MAX_FOREIGN_ERROR_BYTES: usize = 4096;

/// Wrap `router` in the API's layers. From the outside in: tracing, panic catching, JSON errors, timeout, body
/// limit, HTTP caching ([`crate::cache`]). The JSON-error layer sits outside the timeout so that it also shapes the
/// timeout's answer, and inside the panic catcher, whose answer is already JSON. The caching layer wraps each route
/// (so it knows the route's template) and sees only the handler's own answers; its immutable answers kept in memory
/// belong to this router, so two nodes served by one process never share them.
pub(crate) fn apply(router: Router, body_bytes_max: usize, timeout: Duration) -> Router {
    router
        .layer(middleware::from_fn_with_state(Arc::new(KeptAnswers::default()), crate::cache::conditional))
        .layer(DefaultBodyLimit::max(body_bytes_max))
        .layer(middleware::from_fn_with_state(timeout, request_timeout))
        .layer(middleware::from_fn(json_errors))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
}

/// Answer with `unavailable` when the whole request, body upload included, takes longer than `timeout`.
///
/// A submission cut off this way may still be admitted by its blocking task: the message says to check its status.
async fn request_timeout(State(timeout): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable(format!(
            "the request took longer than this node's limit of {} ms; retry later (a submitted transaction may \
             still have been admitted: ask GET /v1/transactions/{{id}})",
            timeout.as_millis()
        ))
        .into_response(),
    }
}

/// Give any error response that is not JSON (one made by the framework or a layer) the API's JSON error shape.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), MAX_FOREIGN_ERROR_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    ApiError::from_status(status, &text).into_response()
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The answer to a panic in a handler: an `internal` error. The panic message goes to the log, not the client.
fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    ApiError::Internal("the node failed while handling this request; its log says why".into()).into_response()
}

/// The fallback for paths no route serves.
pub(crate) async fn no_route(method: Method, uri: Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::NotFound(format!("no route serves {method} {path}; GET /openapi.json lists every route"))
}

/// The fallback for a served path asked with a method it does not take.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::MethodNotAllowed(format!(
        "{path} does not take {method}; GET /openapi.json lists the methods of every route"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn call(router: Router, uri: &str) -> (StatusCode, serde_json::Value) {
        let response = router.oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
        let status = response.status();
        assert!(is_json(&response), "{uri} answered without JSON");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn foreign_errors_become_json() {
        let router = apply(
            Router::new()
                .route("/plain", get(|| async { (StatusCode::BAD_REQUEST, "plain words") }))
                .route("/empty", get(|| async { StatusCode::IM_A_TEAPOT }))
                .route("/panic", get(|| async { panic!("boom") as StatusCode }))
                .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await })),
            1024,
            Duration::from_millis(50),
        );
        let (status, body) = call(router.clone(), "/plain").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "malformed_request");
        assert_eq!(body["error"]["message"], "plain words");
        let (status, body) = call(router.clone(), "/empty").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["number"], 2001);
        let (status, body) = call(router.clone(), "/panic").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal");
        assert!(!body["error"]["message"].as_str().unwrap().contains("boom"));
        let (status, body) = call(router, "/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "unavailable");
    }
}
