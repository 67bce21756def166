//! Notary routes: the log's checkpoint and tiles (C2SP tlog-tiles, under `/tlog/`), entries, receipts (C2SP
//! tlog-proof), consistency proofs, the validators' verifier keys (C2SP vkeys) and the witnesses the node pushes
//! its checkpoints to.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use publica_client::api::{ConsistencyQuery, EntryResponse, WitnessInfo, WitnessesResponse};
use publica_node::notary::ReceiptError;
use publica_node::NodeHandle;
use publica_notary::Entry;
use publica_tlog::TilePath;

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_hash, Path, Query};

const TEXT: &str = "text/plain; charset=utf-8";
/// Full tiles never change; partial ones are replaced by longer ones, under other paths.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn text(body: impl Into<String>) -> Response {
    ([(header::CONTENT_TYPE, TEXT)], body.into()).into_response()
}

async fn checkpoint_text(node: NodeHandle) -> Result<Response, ApiError> {
    let latest = blocking(move || node.latest_checkpoint()).await??;
    let (_, bytes) = latest.ok_or_else(|| {
        ApiError::NotFound("the notary log has no signed checkpoint yet: nothing has been anchored".into())
    })?;
    Ok(([(header::CONTENT_TYPE, TEXT), (header::CACHE_CONTROL, "no-cache")], bytes).into_response())
}

/// `GET /v1/notary/checkpoint`: the latest checkpoint, signed by the validators.
pub(crate) async fn checkpoint(State(node): State<NodeHandle>) -> Result<Response, ApiError> {
    checkpoint_text(node).await
}

/// `GET /tlog/checkpoint`: the same, where C2SP tlog-tiles clients look for it.
pub(crate) async fn tlog_checkpoint(State(node): State<NodeHandle>) -> Result<Response, ApiError> {
    checkpoint_text(node).await
}

/// `GET /tlog/tile/{path}`: a hash tile or an entry bundle.
pub(crate) async fn tile(State(node): State<NodeHandle>, Path(path): Path<String>) -> Result<Response, ApiError> {
    let full = format!("tile/{path}");
    let tile = TilePath::parse(&full)
        .map_err(|e| ApiError::Malformed(format!("{full:?} is not a C2SP tlog-tiles path: {e}")))?;
    let full_width = matches!(tile, TilePath::Hash { width: 256, .. } | TilePath::Entries { width: 256, .. });
    let bytes = blocking(move || node.log_tile(&tile)).await??.ok_or_else(|| {
        ApiError::NotFound(format!("{full} is not in the log yet; read /tlog/checkpoint for the current size"))
    })?;
    let cache = if full_width { IMMUTABLE } else { "no-cache" };
    Ok(([(header::CONTENT_TYPE, "application/octet-stream"), (header::CACHE_CONTROL, cache)], bytes).into_response())
}

/// `GET /v1/notary/entries/{hash}`.
pub(crate) async fn entry(State(node): State<NodeHandle>, Path(hash): Path<String>) -> Result<Response, ApiError> {
    let hash = parse_hash("a document hash (SHA-256)", &hash)?;
    let found = blocking(move || node.log_entry(&hash)).await??;
    let found =
        found.ok_or_else(|| ApiError::NotFound(format!("document hash {} is not in the log", hex::encode(hash))))?;
    let parsed = Entry::from_bytes(&found.bytes).map_err(|e| ApiError::Internal(format!("stored entry: {e}")))?;
    Ok(axum::Json(EntryResponse {
        index: found.index,
        hash: hex::encode(parsed.hash),
        account: parsed.account,
        agency: parsed.agency,
        height: parsed.height,
        time_ms: parsed.time_ms,
        label: parsed.label,
        entry: base64::engine::general_purpose::STANDARD.encode(&found.bytes),
        leaf_hash: hex::encode(publica_merkle::log::leaf_hash(&found.bytes)),
    })
    .into_response())
}

/// `GET /v1/notary/receipts/{hash}`: a C2SP tlog-proof for the document hash.
pub(crate) async fn receipt(State(node): State<NodeHandle>, Path(hash): Path<String>) -> Result<Response, ApiError> {
    let hash = parse_hash("a document hash (SHA-256)", &hash)?;
    let proof = blocking(move || node.log_receipt(&hash)).await?.map_err(|e| match e {
        ReceiptError::NotAnchored(_) => ApiError::NotFound(e.to_string()),
        ReceiptError::NotCheckpointed { .. } => ApiError::Unavailable(e.to_string()),
        ReceiptError::Node(e) => e.into(),
    })?;
    Ok(text(String::from_utf8(proof.to_bytes()).expect("a tlog-proof is text")))
}

/// `GET /v1/notary/consistency?old=M&new=N`: RFC 9162 consistency proof, one base64 hash per line.
pub(crate) async fn consistency(
    State(node): State<NodeHandle>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Response, ApiError> {
    let proof = blocking(move || node.log_consistency(q.old, q.new)).await?.map_err(ApiError::Malformed)?;
    let mut out = String::new();
    for h in proof {
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(h));
        out.push('\n');
    }
    Ok(text(out))
}

/// `GET /v1/notary/vkeys`: the validators' checkpoint verifier keys, one C2SP vkey per line (Ed25519 note key,
/// then ML-DSA-44 cosigner key, per validator in address order).
pub(crate) async fn vkeys(State(node): State<NodeHandle>) -> Result<Response, ApiError> {
    let keys = blocking(move || node.log_vkeys()).await?;
    let mut out = String::new();
    for (_, _, [ed, ml]) in keys {
        out.push_str(&ed);
        out.push('\n');
        out.push_str(&ml);
        out.push('\n');
    }
    Ok(text(out))
}

/// `GET /v1/notary/witnesses`: the witnesses the node pushes each new checkpoint to (`[notary] witnesses`), by name
/// and verifier keys; their URLs stay private. A receipt carries a witness's cosignature once it has answered.
pub(crate) async fn witnesses(State(node): State<NodeHandle>) -> Result<axum::Json<WitnessesResponse>, ApiError> {
    let mut witnesses = Vec::new();
    for witness in &node.config().notary.witnesses {
        // The configuration was checked when the node started: every witness has at least one valid vkey.
        // The error names the witness's URL, which stays private: it goes to the log only.
        let keys = witness.parsed_vkeys().map_err(|e| {
            tracing::error!(error = %e, "a configured witness has no usable vkey");
            ApiError::Internal("a configured witness has no usable verifier key; the node's log says which".into())
        })?;
        let name = keys.first().map(|k| k.name.clone()).unwrap_or_default();
        witnesses.push(WitnessInfo { name, vkeys: witness.vkeys.clone() });
    }
    Ok(axum::Json(WitnessesResponse { witnesses }))
}
