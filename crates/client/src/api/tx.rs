//! Answers of the transaction routes: a submission, a batch, a transaction's status.

use publica_types::{TxId, TxOutcome};
use serde::{Deserialize, Serialize};

use super::ErrorBody;

/// Where a transaction stands on the node asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// Admitted to the mempool, not yet in a block.
    Pending,
    /// In a committed block.
    Committed,
    /// Refused after admission (at proposal or execution); the error says why.
    Rejected,
}

/// Answer to an accepted submission (`POST /v1/transactions`, status 202).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitResponse {
    /// The transaction's id.
    pub tx_id: TxId,
    /// Always [`TxState::Pending`]: admitted, not yet committed.
    pub status: TxState,
}

/// Answer to a batch submission (`POST /v1/transactions/batch`): one result per transaction, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchResponse {
    /// One result per submitted transaction, in the order submitted.
    pub results: Vec<BatchResult>,
}

/// One entry of a batch answer: the id, or the error (with the id when the bytes decoded far enough to have one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchResult {
    /// The transaction's id; absent when its bytes do not decode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx_id: Option<TxId>,
    /// Why it was refused; absent when it was admitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// A transaction's status (`GET /v1/transactions/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxStatusResponse {
    /// The transaction's id.
    pub tx_id: TxId,
    /// Pending, committed or rejected.
    pub status: TxState,
    /// Height of its block; only when committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Its position in that block; only when committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u32>,
    /// What it created; only when committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<TxOutcome>,
    /// Why it was rejected; only when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}
