//! Blocks proposed for heights not yet committed, kept on disk next to the engine's WAL.
//!
//! The engine only ever handles block hashes; the blocks themselves live here from the moment this node builds or
//! accepts one until its height is committed. The store is written before the engine hears of a block, so that
//! after a crash the WAL never refers to a block this node has lost: on restart the engine replays its WAL, and
//! every block hash it replays can be found here again.
//!
//! One file per proposal, `<height>-<round>-<block hash>.proposal`, holding a borsh [`ProposalRecord`]. A file is
//! written to a temporary name, synced and renamed, so a crash leaves either the whole record or none.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use borsh::{BorshDeserialize, BorshSerialize};
use publica_crypto::{Address, Hash, Signature};
use publica_types::{Block, MAX_BLOCK_BYTES};

use crate::error::ConsensusError;

/// Most proposals kept for one height; rounds beyond this many proposals are not stored.
const MAX_PROPOSALS_PER_HEIGHT: usize = 64;

/// Largest proposal file accepted when reading the store back.
const MAX_RECORD_BYTES: usize = MAX_BLOCK_BYTES + 16 * 1024;

const EXTENSION: &str = "proposal";

/// What one proposal file holds.
#[derive(Clone, Debug, BorshSerialize, BorshDeserialize)]
pub struct ProposalRecord {
    /// Height of the block.
    pub height: u64,
    /// Round it was first proposed in.
    pub round: u32,
    /// The proposer.
    pub proposer: Address,
    /// The proposer's stream signature, so the proposal can be streamed again unchanged; `None` for blocks
    /// received through value sync, which are never restreamed.
    pub signature: Option<Signature>,
    /// The canonical encoding of the block.
    pub block_bytes: Vec<u8>,
}

/// A stored proposal with its decoded block.
#[derive(Clone, Debug)]
pub struct StoredProposal {
    /// The record as stored.
    pub record: Arc<ProposalRecord>,
    /// The decoded block.
    pub block: Arc<Block>,
    /// The block hash.
    pub block_hash: Hash,
}

/// The proposal store.
pub struct ProposalStore {
    dir: PathBuf,
    by_key: BTreeMap<(u64, u32, Hash), StoredProposal>,
}

fn io_error(path: &Path, source: std::io::Error) -> ConsensusError {
    ConsensusError::Storage { path: path.to_path_buf(), source }
}

impl ProposalStore {
    /// Open (creating if needed) the store in `dir`, dropping proposals for heights at or below
    /// `committed_height`. Unreadable files are removed: they can only be the remains of a write that never
    /// completed, and the engine never learned of such a block.
    pub fn open(dir: &Path, committed_height: u64) -> Result<Self, ConsensusError> {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let mut store = Self { dir: dir.to_path_buf(), by_key: BTreeMap::new() };
        for entry in fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
            let path = entry.map_err(|e| io_error(dir, e))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
                // Temporary files of interrupted writes.
                if path.extension().and_then(|e| e.to_str()) == Some("tmp") {
                    let _ = fs::remove_file(&path);
                }
                continue;
            }
            match Self::read(&path) {
                Ok(p) if p.record.height > committed_height => {
                    store.by_key.insert((p.record.height, p.record.round, p.block_hash), p);
                }
                Ok(_) => {
                    let _ = fs::remove_file(&path);
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "removing unreadable proposal file");
                    let _ = fs::remove_file(&path);
                }
            }
        }
        Ok(store)
    }

    fn read(path: &Path) -> Result<StoredProposal, ConsensusError> {
        let len = fs::metadata(path).map_err(|e| io_error(path, e))?.len();
        if len > MAX_RECORD_BYTES as u64 {
            return Err(ConsensusError::TooLarge {
                what: "proposal file",
                len: usize::try_from(len).unwrap_or(usize::MAX),
                max: MAX_RECORD_BYTES,
            });
        }
        let bytes = fs::read(path).map_err(|e| io_error(path, e))?;
        let record: ProposalRecord =
            borsh::from_slice(&bytes).map_err(|e| ConsensusError::decode("proposal file", e))?;
        Self::decode_record(record)
    }

    /// Decode the block of a record and check that it belongs to the record's height and proposer.
    pub fn decode_record(record: ProposalRecord) -> Result<StoredProposal, ConsensusError> {
        let block = Block::decode(&record.block_bytes).map_err(|e| ConsensusError::decode("block", e))?;
        if block.header.height != record.height || block.header.proposer != record.proposer {
            return Err(ConsensusError::decode(
                "proposal file",
                "the block's height or proposer differs from the record's",
            ));
        }
        Ok(StoredProposal { block_hash: block.hash(), block: Arc::new(block), record: Arc::new(record) })
    }

    fn path_of(&self, height: u64, round: u32, hash: &Hash) -> PathBuf {
        let mut name = format!("{height:020}-{round:010}-");
        for b in hash {
            name.push_str(&format!("{b:02x}"));
        }
        name.push('.');
        name.push_str(EXTENSION);
        self.dir.join(name)
    }

    /// Keep a proposal; with `durable`, write it to disk (synced) before returning. Returns `false` if the
    /// height already holds the most proposals allowed.
    pub fn put(&mut self, proposal: StoredProposal, durable: bool) -> Result<bool, ConsensusError> {
        let (height, round) = (proposal.record.height, proposal.record.round);
        let key = (height, round, proposal.block_hash);
        if self.by_key.contains_key(&key) {
            return Ok(true);
        }
        let at_height = self.by_key.range((height, 0, [0u8; 32])..=(height, u32::MAX, [0xffu8; 32])).count();
        if at_height >= MAX_PROPOSALS_PER_HEIGHT {
            return Ok(false);
        }
        if durable {
            let path = self.path_of(height, round, &proposal.block_hash);
            let tmp = path.with_extension("tmp");
            let bytes = borsh::to_vec(proposal.record.as_ref()).expect("encoding into a Vec does not fail");
            let mut file = fs::File::create(&tmp).map_err(|e| io_error(&tmp, e))?;
            file.write_all(&bytes).map_err(|e| io_error(&tmp, e))?;
            file.sync_all().map_err(|e| io_error(&tmp, e))?;
            fs::rename(&tmp, &path).map_err(|e| io_error(&path, e))?;
        }
        self.by_key.insert(key, proposal);
        Ok(true)
    }

    /// Proposals first made in `round` of `height`.
    pub fn at_round(&self, height: u64, round: u32) -> impl Iterator<Item = &StoredProposal> {
        self.by_key.range((height, round, [0u8; 32])..=(height, round, [0xffu8; 32])).map(|(_, p)| p)
    }

    /// The proposal of `height` whose block has this hash, whatever its round.
    pub fn by_hash(&self, height: u64, hash: &Hash) -> Option<&StoredProposal> {
        self.by_key
            .range((height, 0, [0u8; 32])..=(height, u32::MAX, [0xffu8; 32]))
            .map(|(_, p)| p)
            .find(|p| &p.block_hash == hash)
    }

    /// Forget every proposal at or below `height` (committed heights), in memory and on disk.
    pub fn prune(&mut self, height: u64) {
        let keep = self.by_key.split_off(&(height.saturating_add(1), 0, [0u8; 32]));
        let dropped = std::mem::replace(&mut self.by_key, keep);
        for ((h, r, hash), _) in dropped {
            let path = self.path_of(h, r, &hash);
            if let Err(e) = fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove committed proposal file");
                }
            }
        }
    }

    /// Number of proposals held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_types::block::tx_root;
    use publica_types::{BlockHeader, ChainId, HEADER_VERSION};

    fn stored(height: u64, round: u32) -> StoredProposal {
        let proposer = Address([5; 20]);
        let block = Block {
            header: BlockHeader {
                version: HEADER_VERSION,
                chain_id: ChainId::new("store-test").expect("valid"),
                height,
                time_ms: 1000 + height,
                parent_hash: [0; 32],
                proposer,
                tx_root: tx_root(&[]),
                tx_count: 0,
                evidence_root: publica_types::evidence::evidence_root(&[]),
                state_root: [round as u8; 32],
                validator_set_hash: [0; 32],
                next_validator_set_hash: [0; 32],
            },
            txs: vec![],
            evidence: vec![],
        };
        ProposalStore::decode_record(ProposalRecord {
            height,
            round,
            proposer,
            signature: None,
            block_bytes: block.encode(),
        })
        .expect("valid record")
    }

    #[test]
    fn proposals_survive_reopen_and_are_pruned_on_commit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = ProposalStore::open(dir.path(), 0).expect("open");
        for (h, r) in [(1, 0), (2, 0), (2, 1), (3, 0)] {
            assert!(store.put(stored(h, r), true).expect("put"));
        }
        // Not durable: gone after a reopen.
        assert!(store.put(stored(4, 0), false).expect("put"));
        let hash = stored(2, 1).block_hash;
        drop(store);

        let mut store = ProposalStore::open(dir.path(), 1).expect("reopen");
        assert_eq!(store.len(), 3, "height 1 is committed, height 4 was never written");
        assert_eq!(store.by_hash(2, &hash).map(|p| p.record.round), Some(1));
        assert_eq!(store.at_round(2, 0).count(), 1);
        store.prune(2);
        assert_eq!(store.len(), 1);
        drop(store);
        assert_eq!(ProposalStore::open(dir.path(), 0).expect("reopen").len(), 1);
    }

    #[test]
    fn corrupt_files_are_removed_not_trusted() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("x.proposal"), b"not a record").expect("write");
        std::fs::write(dir.path().join("y.tmp"), b"half").expect("write");
        let store = ProposalStore::open(dir.path(), 0).expect("open");
        assert_eq!(store.len(), 0);
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn a_record_must_match_its_block() {
        let mut record = (*stored(3, 0).record).clone();
        record.height = 4;
        assert!(ProposalStore::decode_record(record).is_err());
    }
}
