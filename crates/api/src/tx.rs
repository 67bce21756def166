//! Transaction routes: submit one, submit a batch, ask for a status.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::{FromRequest as _, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use publica_client::api::{
    BatchRequest, BatchResponse, BatchResult, SubmitRequest, SubmitResponse, TxState, TxStatusResponse,
};
use publica_node::{NodeHandle, TxStatus};
use publica_tx::Transaction;
use publica_types::{ErrorCode, TxError, MAX_TX_BYTES};

use crate::blocking;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_tx_id, Body, Json, Path};

/// Most transactions in one batch request.
pub const MAX_BATCH_TXS: usize = 10_000;
/// Longest base64 text of one transaction: the padded encoding of [`MAX_TX_BYTES`] bytes.
const MAX_TX_BASE64_CHARS: usize = MAX_TX_BYTES.div_ceil(3) * 4;
/// Largest body of `POST /v1/transactions`: one transaction in base64 and room for the JSON around it. A larger
/// body cannot hold an acceptable transaction, so it is refused before it is read whole.
pub const MAX_SUBMIT_BODY_BYTES: usize = MAX_TX_BASE64_CHARS + 1024;

// The node's configuration accepts no body limit below twice a transaction, so this route's limit is always the
// tighter one.
const _: () = assert!(MAX_TX_BYTES < MAX_SUBMIT_BODY_BYTES && MAX_SUBMIT_BODY_BYTES < 2 * MAX_TX_BYTES);

/// How a submission body is encoded, from its `Content-Type`.
enum BodyKind {
    Raw,
    Json,
}

fn body_kind(headers: &HeaderMap) -> Result<BodyKind, ApiError> {
    let hint = "set Content-Type: application/octet-stream for the transaction's raw bytes, or \
                application/json for {\"tx\": \"<base64>\"}";
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::UnsupportedMediaType(format!("the request has no Content-Type; {hint}")));
    };
    let essence = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match essence.as_str() {
        "application/octet-stream" => Ok(BodyKind::Raw),
        "application/json" => Ok(BodyKind::Json),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type {:?} is not accepted; {hint}",
            essence.chars().take(80).collect::<String>()
        ))),
    }
}

/// Decode one base64 transaction; the length is checked before decoding so an oversized text costs nothing.
fn decode_base64_tx(text: &str) -> Result<Vec<u8>, ApiError> {
    if text.len() > MAX_TX_BASE64_CHARS {
        return Err(ApiError::Refused(TxError::new(
            ErrorCode::TransactionTooLarge,
            format!(
                "the transaction's base64 text is {} characters; a transaction is at most {MAX_TX_BYTES} bytes \
                 ({MAX_TX_BASE64_CHARS} characters)",
                text.len()
            ),
        )));
    }
    BASE64.decode(text).map_err(|e| {
        ApiError::Malformed(format!("a transaction must be standard padded base64 (RFC 4648 section 4): {e}"))
    })
}

/// `POST /v1/transactions`.
pub(crate) async fn submit(State(node): State<NodeHandle>, request: Request) -> Result<Response, ApiError> {
    // The content type is checked before the body is read, so a wrong one costs no upload.
    let kind = body_kind(request.headers())?;
    let Body(body) = Body::from_request(request, &()).await?;
    let bytes = match kind {
        BodyKind::Raw => body.to_vec(),
        BodyKind::Json => {
            let request: SubmitRequest = serde_json::from_slice(&body).map_err(|e| {
                ApiError::Malformed(format!("the body is not a JSON object {{\"tx\": \"<base64>\"}}: {e}"))
            })?;
            decode_base64_tx(&request.tx)?
        }
    };
    // Admission verifies a post-quantum signature and may dry-run the transaction: keep it off the async workers.
    let tx_id = blocking(move || node.submit(&bytes)).await??;
    Ok((StatusCode::ACCEPTED, axum::Json(SubmitResponse { tx_id, status: TxState::Pending })).into_response())
}

/// `POST /v1/transactions/batch`.
pub(crate) async fn submit_batch(
    State(node): State<NodeHandle>,
    Json(request): Json<BatchRequest>,
) -> Result<axum::Json<BatchResponse>, ApiError> {
    let count = request.txs.len();
    if count > MAX_BATCH_TXS {
        return Err(ApiError::TooLarge(format!(
            "the batch holds {count} transactions, at most {MAX_BATCH_TXS} are accepted; split it"
        )));
    }
    // Dropping this handler's future (the client went away, or the request timed out) sets the flag, and
    // admission stops at the next transaction instead of working for nobody.
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(Arc::clone(&cancelled));
    let results = blocking(move || batch_results(&node, request.txs, &cancelled)).await?;
    debug_assert_eq!(results.len(), count);
    Ok(axum::Json(BatchResponse { results }))
}

/// Sets its flag when dropped: held by a request handler across its blocking work, it tells that work the answer
/// is no longer awaited.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Admit a batch and answer for each item. Items that are not base64 never reach the node; the rest go in one
/// call, which verifies signatures on every core and queues nonces of one sender in order, and stops early once
/// `cancelled` is set.
fn batch_results(node: &NodeHandle, texts: Vec<String>, cancelled: &AtomicBool) -> Vec<BatchResult> {
    // `slots[i]` is input i's position among the decoded items, or why it did not decode.
    let mut items: Vec<Vec<u8>> = Vec::with_capacity(texts.len());
    let slots: Vec<Result<usize, ApiError>> = texts
        .into_iter()
        .map(|text| {
            let bytes = decode_base64_tx(&text)?;
            items.push(bytes);
            Ok(items.len() - 1)
        })
        .collect();
    let admitted = node.submit_batch_unless(&items, cancelled);
    assert_eq!(admitted.len(), items.len(), "one admission result per item");
    slots
        .into_iter()
        .map(|slot| match slot {
            Err(e) => BatchResult { tx_id: None, error: Some(e.body()) },
            Ok(j) => match &admitted[j] {
                Ok(id) => BatchResult { tx_id: Some(*id), error: None },
                // The id helps the client match a refusal to its transaction, when the bytes have one.
                Err(e) => BatchResult {
                    tx_id: Transaction::decode(&items[j]).ok().map(|tx| tx.id()),
                    error: Some(ErrorBody::from(e)),
                },
            },
        })
        .collect()
}

/// `GET /v1/transactions/{id}`.
pub(crate) async fn status(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
) -> Result<axum::Json<TxStatusResponse>, ApiError> {
    let tx_id = parse_tx_id(&id)?;
    let status = blocking(move || node.tx_status(&tx_id)).await?;
    let base =
        TxStatusResponse { tx_id, status: TxState::Pending, height: None, index: None, outcome: None, error: None };
    let response = match status {
        TxStatus::Pending => base,
        TxStatus::Committed { height, index, outcome } => {
            TxStatusResponse { status: TxState::Committed, height: Some(height), index: Some(index), outcome, ..base }
        }
        TxStatus::Rejected { code, message } => {
            TxStatusResponse { status: TxState::Rejected, error: Some(ErrorBody::new(code, message)), ..base }
        }
        TxStatus::Unknown => {
            return Err(ApiError::NotFound(format!(
                "transaction {tx_id} is unknown to this node: it was never submitted here, or it was refused too \
                 long ago to be remembered; submit it again"
            )))
        }
    };
    Ok(axum::Json(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_limit_is_the_encoding_of_the_largest_transaction() {
        assert_eq!(BASE64.encode(vec![0u8; MAX_TX_BYTES]).len(), MAX_TX_BASE64_CHARS);
        let too_long = "A".repeat(MAX_TX_BASE64_CHARS + 4);
        assert_eq!(decode_base64_tx(&too_long).unwrap_err().code(), ErrorCode::TransactionTooLarge);
        assert_eq!(decode_base64_tx("not base64!").unwrap_err().code(), ErrorCode::MalformedRequest);
        assert_eq!(decode_base64_tx("AAE=").unwrap(), vec![0, 1]);
        // Unpadded text is refused: the API takes the standard padded alphabet only.
        assert!(decode_base64_tx("AAE").is_err());
    }

    #[test]
    fn content_types() {
        let kind = |ct: Option<&str>| {
            let mut h = HeaderMap::new();
            if let Some(ct) = ct {
                h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
            }
            body_kind(&h).map(|k| matches!(k, BodyKind::Raw))
        };
        assert_eq!(kind(Some("application/octet-stream")), Ok(true));
        assert_eq!(kind(Some("Application/JSON; charset=utf-8")), Ok(false));
        assert!(kind(Some("text/plain")).is_err());
        assert!(kind(None).is_err());
    }
}
