//! The API's one error type and its JSON form.
//!
//! Every error response, whatever produced it (a handler, an extractor, the body limit, the timeout, an unknown
//! route, a panic), has the body `{"error": {"code": "<stable string>", "number": <u16>, "message": "..."}}` with
//! a [`Code`]: a generic [`ErrorCode`] or a module's own code. The HTTP status follows from the code's class
//! ([`http_status`]), except for the three
//! request-level refusals that HTTP has its own status for: an unknown method (405) and an unsupported content
//! type (415), both with code `malformed_request`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use publica_types::{Code, ErrorCode, TxError};

pub use publica_client::api::{ErrorBody, ErrorEnvelope};

/// Seconds a client should wait before retrying a request refused with status 503.
pub const RETRY_AFTER_SECS: u32 = 1;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The node refused a transaction; the code says why.
    #[error("{}", .0.message)]
    Refused(TxError),
    /// The request is not well formed: bad JSON, bad hex, a bad path or query parameter.
    #[error("{0}")]
    Malformed(String),
    /// The request body's content type is not one this route accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The path exists, but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request (body, batch) is larger than this node accepts.
    #[error("{0}")]
    TooLarge(String),
    /// What was asked for does not exist (yet) on this node.
    #[error("{0}")]
    NotFound(String),
    /// The node cannot answer now (no block committed yet, mempool full, request timed out); retry later.
    #[error("{0}")]
    Unavailable(String),
    /// The node failed; the message says what, the node's log says more.
    #[error("{0}")]
    Internal(String),
    /// A question about a time after the last committed block: no proof covers it yet.
    #[error("{0}")]
    AfterLastBlock(String),
    /// A question about a past state this node does not keep.
    #[error("{0}")]
    NotKept(String),
}

impl ApiError {
    /// The stable code of this error.
    pub fn code(&self) -> Code {
        match self {
            Self::Refused(e) => e.code,
            Self::Malformed(_) | Self::UnsupportedMediaType(_) | Self::MethodNotAllowed(_) => {
                ErrorCode::MalformedRequest.into()
            }
            Self::TooLarge(_) => ErrorCode::RequestTooLarge.into(),
            Self::NotFound(_) => ErrorCode::NotFound.into(),
            Self::Unavailable(_) => ErrorCode::Unavailable.into(),
            Self::Internal(_) => ErrorCode::Internal.into(),
            Self::AfterLastBlock(_) => ErrorCode::TimeAfterLastBlock.into(),
            Self::NotKept(_) => ErrorCode::PastStateNotKept.into(),
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            other => http_status(other.code().class()),
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.to_string())
    }

    /// The error an error response without a JSON body stands for, keeping its meaning. Used to give responses
    /// produced outside the handlers (by a layer or the framework) the API's error shape.
    pub fn from_status(status: StatusCode, text: &str) -> Self {
        let message = |fallback: &str| {
            let text = text.trim();
            if text.is_empty() {
                fallback.to_owned()
            } else {
                // Bound what is echoed back: the text may quote the request.
                text.chars().take(MAX_MESSAGE_CHARS).collect()
            }
        };
        match status {
            StatusCode::NOT_FOUND => Self::NotFound(message("nothing is served at this path; see GET /openapi.json")),
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::MethodNotAllowed(message("this path does not take this method; see GET /openapi.json"))
            }
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge(message("the request body is too large")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::UnsupportedMediaType(message("this content type is not accepted here; see GET /openapi.json"))
            }
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
                Self::Unavailable(message("the node could not answer in time; retry later"))
            }
            s if s.is_server_error() => Self::Internal(message("the node failed to handle the request; see its log")),
            _ => Self::Malformed(message("the request is not well formed; see GET /openapi.json")),
        }
    }
}

/// Longest message echoed from a framework response.
const MAX_MESSAGE_CHARS: usize = 1024;

impl From<TxError> for ApiError {
    fn from(e: TxError) -> Self {
        Self::Refused(e)
    }
}

impl From<publica_node::NodeError> for ApiError {
    fn from(e: publica_node::NodeError) -> Self {
        match e {
            publica_node::NodeError::NotReady(m) => Self::Unavailable(m),
            publica_node::NodeError::NotKept(m) => Self::NotKept(m),
            e @ publica_node::NodeError::AfterLastBlock { .. } => Self::AfterLastBlock(e.to_string()),
            other => {
                tracing::error!(error = %other, "node failure while serving a request");
                Self::Internal(other.to_string())
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, axum::Json(ErrorEnvelope { error: self.body() })).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

/// The HTTP status that answers an error with this generic code; a module's own code is answered with the status
/// of the generic code it refines (`Code::class`).
///
/// - 400: the request or the transaction cannot be parsed or authenticated;
/// - 403: the sender may not do this;
/// - 404: no such thing;
/// - 409: conflicts with the ledger's state (nonces, duplicates, existing accounts);
/// - 413: too large;
/// - 422: well formed and signed, but unacceptable in content;
/// - 503: the node cannot take it now, retry (with a `Retry-After` header);
/// - 500: the node failed.
pub fn http_status(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    // Exhaustive on purpose: a new code must be given a status here before the crate compiles.
    match code {
        MalformedTransaction | NonCanonicalEncoding | BadSignature | MalformedRequest => StatusCode::BAD_REQUEST,
        UnknownSender | AccountInactive | MissingRole | NotPermitted => StatusCode::FORBIDDEN,
        NotFound | PastStateNotKept => StatusCode::NOT_FOUND,
        BadNonce | NonceTooFarAhead | DuplicateTransaction | AccountExists => StatusCode::CONFLICT,
        TransactionTooLarge | RequestTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        WrongChain | Expired | ExpiryTooFar | InvalidArgument | UnknownAccount | UnknownAgency | TimeAfterLastBlock => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        MempoolFull | Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_error_status() {
        for &code in ErrorCode::ALL {
            let status = http_status(code);
            assert!(status.is_client_error() || status.is_server_error(), "{code:?} -> {status}");
        }
    }

    #[test]
    fn a_past_state_not_kept_is_not_an_absence_of_the_record() {
        let e = ApiError::from(publica_node::NodeError::NotKept("past states are not kept here".into()));
        assert_eq!(e.code(), Code::from(ErrorCode::PastStateNotKept));
        assert_ne!(e.code(), Code::from(ErrorCode::NotFound), "a client must not read it as \"no such record\"");
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn framework_statuses_keep_their_meaning() {
        for (status, code) in [
            (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MalformedRequest),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::RequestTooLarge),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::MalformedRequest),
            (StatusCode::REQUEST_TIMEOUT, ErrorCode::Unavailable),
            (StatusCode::BAD_REQUEST, ErrorCode::MalformedRequest),
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::MalformedRequest),
            (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        ] {
            let e = ApiError::from_status(status, "");
            assert_eq!(e.code(), code, "{status}");
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED, "").status(), StatusCode::METHOD_NOT_ALLOWED);
        let long = "x".repeat(10_000);
        assert_eq!(ApiError::from_status(StatusCode::BAD_REQUEST, &long).to_string().len(), MAX_MESSAGE_CHARS);
    }
}
