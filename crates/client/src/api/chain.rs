//! Answers of the chain routes: the node's status and committed blocks. `GET /v1/genesis` answers with
//! [`publica_types::Genesis`] itself.

use publica_tx::Transaction;
use publica_types::{BlockHeader, ChainId, CommitCertificate, Misbehavior, TxId};
use serde::{Deserialize, Serialize};

/// A node's view of the chain (`GET /v1/status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeStatus {
    /// The chain the node is on.
    pub chain_id: ChainId,
    /// The node's name in its configuration.
    pub moniker: String,
    /// The node's software version.
    pub node_version: String,
    /// The last committed height; 0 at genesis.
    pub height: u64,
    /// Hash of the last committed block, hex; `null` at genesis.
    pub last_block_hash: Option<String>,
    /// Time of the last committed block, Unix milliseconds; `null` at genesis.
    pub last_block_time_ms: Option<u64>,
    /// The state root after the last committed block, hex.
    pub state_root: String,
    /// The genesis time, Unix milliseconds.
    pub genesis_time_ms: u64,
    /// Transactions waiting in the node's mempool.
    pub mempool_txs: u64,
    /// Their canonical bytes in total.
    pub mempool_bytes: u64,
    /// The address the node signs with as a validator.
    pub validator_address: String,
    /// Whether that address is in the current validator set.
    pub is_validator: bool,
    /// Members of the current validator set.
    pub validator_count: u64,
}

/// A committed block (`GET /v1/blocks/latest`, `GET /v1/blocks/{height}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockResponse {
    /// The block's height.
    pub height: u64,
    /// The block hash, `SHA-256(borsh(header))`, hex.
    pub hash: String,
    /// The block's header.
    pub header: BlockHeader,
    /// The certificate that committed it.
    pub certificate: CommitCertificate,
    /// Ids of the block's transactions, in order; `tx_root` is the RFC 9162 root over them.
    pub tx_ids: Vec<TxId>,
    /// The transactions themselves, only when asked for with `?txs=true`: all of them but those withheld, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txs: Option<Vec<Transaction>>,
    /// Positions in `tx_ids` of the transactions whose bodies are withheld from `txs` because they concern a private
    /// account (a citizen's wallet, a company's account, a benefit claim: `docs/finance.md`); absent when none is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<u32>,
    /// The evidence of misbehaviour the block records, in order; `evidence_root` is the RFC 9162 root over it.
    pub evidence: Vec<Misbehavior>,
}
