//! Reads of the notary log for the API: checkpoints, tiles, entries, receipts and consistency proofs.
//!
//! Everything here is served from the store: tiles and entry bundles as committed with their blocks, checkpoints
//! as assembled from the validators' vote extensions (plus witness cosignatures, when witnesses are configured).

use publica_merkle::tiles;
use publica_notary::checkpoint;
use publica_tlog::{SignedCheckpoint, TilePath, TlogProof};
use publica_types::Hash;

use crate::shared::Shared;
use crate::NodeError;

/// A document hash's entry in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Position in the log.
    pub index: u64,
    /// The entry's bytes (see `publica_notary::Entry`).
    pub bytes: Vec<u8>,
}

/// Why a receipt cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The hash was never anchored.
    #[error("document hash {0} is not in the log; anchor it first")]
    NotAnchored(String),
    /// The entry's block has no signed checkpoint yet.
    #[error("entry {index} is in the log but no signed checkpoint covers it yet; ask again after the next block")]
    NotCheckpointed {
        /// The entry.
        index: u64,
    },
    /// The node failed.
    #[error(transparent)]
    Node(#[from] NodeError),
}

impl Shared {
    /// The origin line of this network's log.
    pub fn log_origin(&self) -> String {
        checkpoint::origin(self.chain_id())
    }

    /// The latest signed checkpoint, as stored (C2SP signed note bytes), with the height it follows.
    pub fn latest_checkpoint(&self) -> Result<Option<(u64, Vec<u8>)>, NodeError> {
        Ok(self.store.latest_checkpoint()?)
    }

    fn latest_signed_checkpoint(&self) -> Result<Option<SignedCheckpoint>, NodeError> {
        self.latest_checkpoint()?
            .map(|(height, bytes)| {
                SignedCheckpoint::parse(&bytes).map_err(|e| {
                    NodeError::Store(publica_storage::StoreError::Corrupt {
                        what: "checkpoint",
                        reason: format!("checkpoint of height {height}: {e}"),
                    })
                })
            })
            .transpose()
    }

    /// The entry of a document hash.
    pub fn log_entry(&self, hash: &Hash) -> Result<Option<LogEntry>, NodeError> {
        let Some(index) = self.store.anchor_index(hash)? else { return Ok(None) };
        let bytes = self.store.log_entry(index)?.ok_or_else(|| {
            NodeError::Store(publica_storage::StoreError::Corrupt {
                what: "notary log",
                reason: format!("entry {index} is indexed but missing from its bundle"),
            })
        })?;
        Ok(Some(LogEntry { index, bytes }))
    }

    /// A C2SP tlog-proof receipt for a document hash, against the latest signed checkpoint. The entry's bytes are
    /// the proof's `extra` data, so the receipt alone recomputes the leaf.
    pub fn log_receipt(&self, hash: &Hash) -> Result<TlogProof, ReceiptError> {
        let entry = self.log_entry(hash)?.ok_or_else(|| ReceiptError::NotAnchored(hex::encode(hash)))?;
        let signed = self.latest_signed_checkpoint()?.ok_or(ReceiptError::NotCheckpointed { index: entry.index })?;
        if signed.checkpoint.size <= entry.index {
            return Err(ReceiptError::NotCheckpointed { index: entry.index });
        }
        let proof = tiles::inclusion_proof(&self.store, entry.index, signed.checkpoint.size).map_err(log_error)?;
        Ok(TlogProof { extra: Some(entry.bytes), index: entry.index, proof, checkpoint: signed })
    }

    /// A consistency proof between two sizes of the log (RFC 9162), `old <= new <= ` the committed size.
    pub fn log_consistency(&self, old: u64, new: u64) -> Result<Vec<Hash>, String> {
        let size = self.store.log_size().map_err(|e| e.to_string())?;
        if old > new || new > size {
            return Err(format!("sizes must satisfy old <= new <= {size} (the log's size); got old {old}, new {new}"));
        }
        tiles::consistency_proof(&self.store, old, new).map_err(|e| e.to_string())
    }

    /// A C2SP tlog-tiles resource: a hash tile or an entry bundle, full or partial. `None` if the log does not
    /// hold it (yet).
    pub fn log_tile(&self, path: &TilePath) -> Result<Option<Vec<u8>>, NodeError> {
        match *path {
            TilePath::Hash { level, index, width } => {
                let Some(tile) = self.store.log_tile(level, index)? else { return Ok(None) };
                let want = usize::from(width) * 32;
                // A full tile is served only once complete; a partial one only as a prefix of what is stored.
                Ok((tile.len() >= want).then(|| tile[..want].to_vec()))
            }
            TilePath::Entries { index, width } => {
                let Some(bundle) = self.store.entry_bundle(index)? else { return Ok(None) };
                let entries = publica_tlog::decode_entry_bundle(&bundle).map_err(|e| {
                    NodeError::Store(publica_storage::StoreError::Corrupt {
                        what: "entry bundle",
                        reason: e.to_string(),
                    })
                })?;
                let width = usize::from(width);
                if entries.len() < width {
                    return Ok(None);
                }
                if entries.len() == width {
                    return Ok(Some(bundle));
                }
                let refs: Vec<&[u8]> = entries[..width].iter().map(|e| e.as_slice()).collect();
                Ok(Some(publica_tlog::encode_entry_bundle(&refs).expect("entries that decoded encode again")))
            }
        }
    }

    /// The validators' checkpoint verifier keys (C2SP vkeys), two per validator, in validator order.
    pub fn log_vkeys(&self) -> Vec<(publica_types::Address, u64, [String; 2])> {
        let origin = self.log_origin();
        let validators = self.committed.read().validators.clone();
        validators
            .validators()
            .iter()
            .filter_map(|v| {
                checkpoint::validator_vkeys(&origin, v)
                    .ok()
                    .map(|[a, b]| (v.address, v.voting_power, [a.to_string(), b.to_string()]))
            })
            .collect()
    }
}

fn log_error(e: publica_merkle::log::LogError) -> ReceiptError {
    ReceiptError::Node(NodeError::Store(publica_storage::StoreError::Log(e)))
}
