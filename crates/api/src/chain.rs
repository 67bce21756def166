//! Chain routes: blocks, the node's status, the genesis document and metrics.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use publica_client::api::{BlockQuery, BlockResponse, NodeStatus};
use publica_node::NodeHandle;
use publica_tx::Transaction;

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_height, Path, Query};

/// Content type of the Prometheus text exposition format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

fn block_response(node: &NodeHandle, height: u64, with_txs: bool) -> Result<BlockResponse, ApiError> {
    if height == 0 {
        return Err(ApiError::NotFound(
            "height 0 is the genesis, which has no block; see GET /v1/genesis. Blocks start at height 1".into(),
        ));
    }
    // The block, its certificate and the last height are read under one lock.
    let (found, last) = node.block(height)?;
    let Some((block, certificate)) = found else {
        return Err(ApiError::NotFound(format!(
            "block {height} is not committed; the last committed height is {last}"
        )));
    };
    let tx_ids = block.txs.iter().map(Transaction::id).collect();
    // A transaction about a private account, or about a citizen's personal data (a record, a consent, an access,
    // an erasure: `publica_data::DataCall::is_private`), is listed by its id (the block's `tx_root` covers the ids)
    // but its body, which names the account and the amount, or the citizen, is withheld.
    let withheld: Vec<u32> =
        block.txs.iter().enumerate().filter(|(_, tx)| tx.body.call.is_private()).map(|(i, _)| i as u32).collect();
    let hash = hex::encode(block.hash());
    let txs = with_txs.then(|| block.txs.into_iter().filter(|tx| !tx.body.call.is_private()).collect());
    Ok(BlockResponse {
        height,
        hash,
        header: block.header,
        certificate,
        tx_ids,
        txs,
        withheld,
        evidence: block.evidence,
    })
}

/// `GET /v1/blocks/latest`.
pub(crate) async fn latest_block(
    State(node): State<NodeHandle>,
    Query(query): Query<BlockQuery>,
) -> Result<axum::Json<BlockResponse>, ApiError> {
    let block = blocking(move || {
        let height = node.height();
        if height == 0 {
            return Err(ApiError::NotFound("no block is committed yet; the chain is at its genesis".into()));
        }
        block_response(&node, height, query.txs)
    })
    .await??;
    Ok(axum::Json(block))
}

/// `GET /v1/blocks/{height}`.
pub(crate) async fn block(
    State(node): State<NodeHandle>,
    Path(height): Path<String>,
    Query(query): Query<BlockQuery>,
) -> Result<axum::Json<BlockResponse>, ApiError> {
    let height = parse_height(&height)?;
    let block = blocking(move || block_response(&node, height, query.txs)).await??;
    Ok(axum::Json(block))
}

/// `GET /v1/status`.
pub(crate) async fn status(State(node): State<NodeHandle>) -> Result<axum::Json<NodeStatus>, ApiError> {
    // The committed snapshot is locked exclusively while a block is written, which may wait on the disk.
    let status = blocking(move || {
        let status = node.status();
        NodeStatus {
            chain_id: node.chain_id().clone(),
            moniker: node.config().moniker.clone(),
            node_version: env!("CARGO_PKG_VERSION").to_owned(),
            height: status.height,
            last_block_hash: status.last_block.map(|(hash, _)| hex::encode(hash)),
            last_block_time_ms: status.last_block.map(|(_, time)| time),
            state_root: hex::encode(status.state_root),
            genesis_time_ms: node.genesis().genesis_time_ms,
            mempool_txs: status.mempool_txs as u64,
            mempool_bytes: status.mempool_bytes as u64,
            validator_address: node.validator_address().to_string(),
            is_validator: status.is_validator,
            validator_count: status.validator_count as u64,
        }
    })
    .await?;
    Ok(axum::Json(status))
}

/// `GET /v1/genesis`.
pub(crate) async fn genesis(State(node): State<NodeHandle>) -> Response {
    axum::Json(node.genesis()).into_response()
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(node): State<NodeHandle>) -> Response {
    ([(header::CONTENT_TYPE, METRICS_CONTENT_TYPE)], node.render_metrics()).into_response()
}
