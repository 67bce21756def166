//! Blocks: a header, the transactions and the evidence of misbehaviour it commits to (the header itself, which
//! certificates sign, is `publica_types::BlockHeader`).

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::Transaction;
use publica_types::block::tx_root_of_hashes;
use publica_types::codec::{decode_canonical, encode, CodecError};
use publica_types::evidence::{evidence_root, Misbehavior, MAX_BLOCK_EVIDENCE};
use publica_types::{BlockHeader, Hash, TypesError, MAX_BLOCK_BYTES, MAX_BLOCK_TXS};

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
