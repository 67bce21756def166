//! Blocks and their headers.
//!
//! The block hash is `SHA-256(borsh(header))`. The header commits to the transactions through `tx_root` (RFC 9162
//! tree over the transactions' full hashes, signatures included), to the evidence of misbehaviour the block records
//! through `evidence_root` (RFC 9162 tree over the hashes of the pieces), to the state AFTER executing this block
//! through `state_root`, and to the validator set that must sign it. A commit certificate signs the block hash, so a certified header
//! authenticates every state read proven against its `state_root`.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::codec::{decode_canonical, encode, hex_hash, CodecError};
use crate::evidence::{evidence_root, Misbehavior, MAX_BLOCK_EVIDENCE};
use crate::{ChainId, Transaction, TypesError, MAX_BLOCK_BYTES, MAX_BLOCK_TXS};
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

/// A block: a header, the transactions and the evidence of misbehaviour it commits to.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Block {
    /// The header.
    pub header: BlockHeader,
    /// Transactions, executed in this order.
    pub txs: Vec<Transaction>,
    /// Evidence of validators' equivocation, recorded in the state after the transactions (at most
    /// [`MAX_BLOCK_EVIDENCE`]).
    pub evidence: Vec<Misbehavior>,
}

impl Block {
    /// The block hash (the header's hash).
    pub fn hash(&self) -> Hash {
        self.header.hash()
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decode a block from untrusted bytes and check that the header commits to the transactions and evidence it
    /// carries.
    pub fn decode(bytes: &[u8]) -> Result<Self, TypesError> {
        let block: Block = decode_canonical("block", bytes, MAX_BLOCK_BYTES)?;
        block.check_body()?;
        Ok(block)
    }

    /// Check the transaction count, the transaction limit and `tx_root`; the evidence limit, the shape of each
    /// piece (signatures are checked against the validator set of its height by the node), that no offence appears
    /// twice, and `evidence_root`.
    pub fn check_body(&self) -> Result<(), TypesError> {
        if self.txs.len() > MAX_BLOCK_TXS {
            return Err(CodecError::TooLarge {
                what: "block transaction list",
                len: self.txs.len(),
                max: MAX_BLOCK_TXS,
            }
            .into());
        }
        if self.txs.len() != self.header.tx_count as usize {
            return Err(CodecError::Malformed {
                what: "block",
                reason: format!("header says {} transactions, body has {}", self.header.tx_count, self.txs.len()),
            }
            .into());
        }
        if tx_root(&self.txs) != self.header.tx_root {
            return Err(CodecError::Malformed {
                what: "block",
                reason: "tx_root does not match the transactions".into(),
            }
            .into());
        }
        if self.evidence.len() > MAX_BLOCK_EVIDENCE {
            return Err(CodecError::TooLarge {
                what: "block evidence list",
                len: self.evidence.len(),
                max: MAX_BLOCK_EVIDENCE,
            }
            .into());
        }
        let mut keys = std::collections::BTreeSet::new();
        for (i, piece) in self.evidence.iter().enumerate() {
            piece.check_shape().map_err(|e| TypesError::Evidence(format!("piece {i} of the block: {e}")))?;
            if !keys.insert(piece.state_key()) {
                return Err(TypesError::Evidence(format!(
                    "piece {i} of the block is a second offence of validator {} at height {} (same offence as an \
                     earlier piece); one offence per validator and height is recorded",
                    piece.validator(),
                    piece.height(),
                )));
            }
        }
        if evidence_root(&self.evidence) != self.header.evidence_root {
            return Err(CodecError::Malformed {
                what: "block",
                reason: "evidence_root does not match the evidence".into(),
            }
            .into());
        }
        Ok(())
    }
}

/// The RFC 9162 root over the full hashes of `txs` (signatures included).
pub fn tx_root(txs: &[Transaction]) -> Hash {
    let hashes: Vec<Hash> = txs.iter().map(Transaction::full_hash).collect();
    tx_root_of_hashes(&hashes)
}

/// The RFC 9162 root over transactions' full hashes already computed.
pub fn tx_root_of_hashes(full_hashes: &[Hash]) -> Hash {
    let leaves: Vec<Hash> = full_hashes.iter().map(|h| leaf_hash(h)).collect();
    root(&leaves)
}
