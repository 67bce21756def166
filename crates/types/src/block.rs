//! Block headers. The block itself (header, transactions, evidence) is in `publica-tx`, beside the transactions
//! it carries.
//!
//! The block hash is `SHA-256(borsh(header))`. The header commits to the transactions through `tx_root` (RFC 9162
//! tree over the transactions' full hashes, signatures included), to the evidence of misbehaviour the block records
//! through `evidence_root` (RFC 9162 tree over the hashes of the pieces), to the state AFTER executing this block
//! through `state_root`, and to the validator set that must sign it. A commit certificate signs the block hash, so a certified header
//! authenticates every state read proven against its `state_root`.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, encode, hex_hash, CodecError};
use crate::ChainId;
use publica_crypto::{sha256, Address, Hash};
use publica_merkle::log::{leaf_hash, root};

/// Version of the header layout; bumped on any change (2: `evidence_root`, and blocks carry evidence).
pub const HEADER_VERSION: u16 = 2;

/// A block header.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BlockHeader {
    /// Header layout version ([`HEADER_VERSION`]).
    pub version: u16,
    /// The network.
    pub chain_id: ChainId,
    /// Height, starting at 1.
    pub height: u64,
    /// Block time, Unix milliseconds, chosen by the proposer and strictly increasing.
    pub time_ms: u64,
    /// Hash of the previous block's header (all zeros at height 1).
    #[serde(with = "hex_hash")]
    pub parent_hash: Hash,
    /// The validator that proposed the block.
    pub proposer: Address,
    /// RFC 9162 root over the full hashes (`SHA-256(borsh(transaction))`) of the block's transactions, in order.
    #[serde(with = "hex_hash")]
    pub tx_root: Hash,
    /// Number of transactions.
    pub tx_count: u32,
    /// RFC 9162 root over the hashes (`SHA-256(borsh(misbehavior))`) of the evidence the block records, in order.
    #[serde(with = "hex_hash")]
    pub evidence_root: Hash,
    /// Root of the state map after executing this block.
    #[serde(with = "hex_hash")]
    pub state_root: Hash,
    /// Hash of the validator set that signs this block.
    #[serde(with = "hex_hash")]
    pub validator_set_hash: Hash,
    /// Hash of the validator set that signs the next block.
    #[serde(with = "hex_hash")]
    pub next_validator_set_hash: Hash,
}

impl BlockHeader {
    /// The block hash.
    pub fn hash(&self) -> Hash {
        sha256(&encode(self))
    }

    /// Decode a header from untrusted bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_canonical("block header", bytes, 4096)
    }
}

/// The RFC 9162 root over transactions' full hashes already computed.
pub fn tx_root_of_hashes(full_hashes: &[Hash]) -> Hash {
    let leaves: Vec<Hash> = full_hashes.iter().map(|h| leaf_hash(h)).collect();
    root(&leaves)
}
