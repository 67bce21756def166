//! Blocks proposed for heights not yet committed, kept on disk next to the engine's WAL.
//!
//! The engine only ever handles block hashes; the blocks themselves live here from the moment this node builds or
//! accepts one until its height is committed. The store is written before the engine hears of a block, so that
//! after a crash the WAL never refers to a block this node has lost: on restart the engine replays its WAL, and
//! every block hash it replays can be found here again.
//!
//! One file per proposal, `<height>-<round>-<block hash>.proposal`, holding a borsh [`ProposalRecord`]. A file is
//! written to a temporary name, synced and renamed, so a crash leaves either the whole record or none.
//!
//! # What is kept, and what may be refused
//!
//! A Byzantine proposer can sign as many blocks as it likes, so the store cannot keep everything it is offered;
//! but a block the engine may decide must never be missing, or the node could not commit what the network decided.
//! Three kinds of entries are therefore **pinned** and always kept, whatever the bound:
//!
//! - this node's own proposals ([`ProposalStore::put_own`]): the engine may have signed a proposal for them;
//! - every received block that was (or is being) reported valid to the engine ([`ProposalStore::put_received`]
//!   with `report_now`, and [`ProposalStore::mark_reported`] when a stored block's round starts): the engine may
//!   vote for it and the network may decide it;
//! - decided blocks from value sync ([`ProposalStore::put_decided`]): they are committed right away.
//!
//! Only received blocks for **future rounds** of a height, which the engine hears of when their round starts, are
//! kept unpinned. At most [`MAX_PROPOSALS_PER_HEIGHT`] blocks are kept per height: once a height holds that many,
//! a pinned block still goes in and makes room by evicting the unpinned block of the farthest round, and an
//! unpinned block goes in only in place of one of a farther round. Pinned blocks are bounded by the rounds the
//! height really reached, because a received block is accepted only once per `(height, round, proposer)`
//! ([`ProposalStore::proposed_in`]), and the driver accepts rounds only a few ahead of the current one.
//! Blocks read back after a restart are pinned: the engine's WAL may name any of them.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use borsh::{BorshDeserialize, BorshSerialize};
use publica_crypto::{Address, Hash, Signature};
use publica_tx::Block;
use publica_types::MAX_BLOCK_BYTES;

use crate::error::ConsensusError;

/// Most blocks kept for one height before unpinned (future-round) blocks are evicted or refused; pinned blocks are
/// kept beyond it (see the module documentation).
pub const MAX_PROPOSALS_PER_HEIGHT: usize = 64;

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

/// Whether a received block was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Kept (or already held).
    Kept,
    /// Not kept, for this reason; the block must not be reported valid to the engine.
    Refused(String),
}

/// A held block and why it is held.
struct Held {
    proposal: StoredProposal,
    /// Never evicted (see the module documentation).
    pinned: bool,
    /// Came from value sync: decided by a quorum, not proposed to this node.
    decided: bool,
}

/// The proposal store.
pub struct ProposalStore {
    dir: PathBuf,
    by_key: BTreeMap<(u64, u32, Hash), Held>,
}

fn io_error(path: &Path, source: std::io::Error) -> ConsensusError {
    ConsensusError::Storage { path: path.to_path_buf(), source }
}

/// The key range of one height.
fn height_range(height: u64) -> std::ops::RangeInclusive<(u64, u32, Hash)> {
    (height, 0, [0u8; 32])..=(height, u32::MAX, [0xffu8; 32])
}

/// The key range of one round of one height.
fn round_range(height: u64, round: u32) -> std::ops::RangeInclusive<(u64, u32, Hash)> {
    (height, round, [0u8; 32])..=(height, round, [0xffu8; 32])
}

impl ProposalStore {
    /// Open (creating if needed) the store in `dir`, dropping proposals for heights at or below
    /// `committed_height`. Unreadable files are removed: they can only be the remains of a write that never
    /// completed, and the engine never learned of such a block. Every block read back is pinned, because the
    /// engine's WAL may name it.
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
                    let key = (p.record.height, p.record.round, p.block_hash);
                    store.by_key.insert(key, Held { proposal: p, pinned: true, decided: false });
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
        // Read at most one byte more than allowed, so a file that grows between a size check and the read cannot
        // make this read more.
        let mut bytes = Vec::new();
        fs::File::open(path)
            .and_then(|file| file.take(MAX_RECORD_BYTES as u64 + 1).read_to_end(&mut bytes))
            .map_err(|e| io_error(path, e))?;
        if bytes.len() > MAX_RECORD_BYTES {
            // The size for the message only.
            let len = fs::metadata(path).map_or(bytes.len(), |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
            return Err(ConsensusError::TooLarge { what: "proposal file", len, max: MAX_RECORD_BYTES });
        }
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

    fn write(&self, proposal: &StoredProposal) -> Result<(), ConsensusError> {
        let path = self.path_of(proposal.record.height, proposal.record.round, &proposal.block_hash);
        let tmp = path.with_extension("tmp");
        let bytes = borsh::to_vec(proposal.record.as_ref()).expect("encoding into a Vec does not fail");
        let mut file = fs::File::create(&tmp).map_err(|e| io_error(&tmp, e))?;
        file.write_all(&bytes).map_err(|e| io_error(&tmp, e))?;
        file.sync_all().map_err(|e| io_error(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| io_error(&path, e))
    }

    fn remove_file(&self, key: &(u64, u32, Hash)) {
        let path = self.path_of(key.0, key.1, &key.2);
        if let Err(e) = fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove a proposal file");
            }
        }
    }

    /// Blocks held for `height`.
    fn count_at(&self, height: u64) -> usize {
        self.by_key.range(height_range(height)).count()
    }

    /// The unpinned block of `height` with the farthest round, if its round is above `above` (`None`: any).
    fn farthest_unpinned(&self, height: u64, above: Option<u32>) -> Option<(u64, u32, Hash)> {
        self.by_key
            .range(height_range(height))
            .rev()
            .find(|(_, held)| !held.pinned)
            .map(|(key, _)| *key)
            .filter(|key| above.is_none_or(|round| key.1 > round))
    }

    fn evict(&mut self, key: &(u64, u32, Hash)) {
        if let Some(held) = self.by_key.remove(key) {
            tracing::debug!(
                height = key.0,
                round = key.1,
                proposer = %held.proposal.record.proposer,
                "evicting a future-round proposal to make room"
            );
            self.remove_file(key);
        }
    }

    /// Insert a pinned block, making room by evicting an unpinned one if the height is at its bound.
    fn insert_pinned(&mut self, proposal: StoredProposal, durable: bool, decided: bool) -> Result<(), ConsensusError> {
        let (height, round) = (proposal.record.height, proposal.record.round);
        let key = (height, round, proposal.block_hash);
        if let Some(held) = self.by_key.get_mut(&key) {
            held.pinned = true;
            return Ok(());
        }
        if self.count_at(height) >= MAX_PROPOSALS_PER_HEIGHT {
            if let Some(victim) = self.farthest_unpinned(height, None) {
                self.evict(&victim);
            }
        }
        if durable {
            self.write(&proposal)?;
        }
        self.by_key.insert(key, Held { proposal, pinned: true, decided });
        Ok(())
    }

    /// Keep a block this node proposed, durably (synced before returning). Always kept.
    pub fn put_own(&mut self, proposal: StoredProposal) -> Result<(), ConsensusError> {
        self.insert_pinned(proposal, true, false)
    }

    /// Keep a decided block received through value sync, in memory only (it is committed right away). Always kept.
    pub fn put_decided(&mut self, proposal: StoredProposal) {
        self.insert_pinned(proposal, false, true).expect("a block kept in memory only involves no I/O");
    }

    /// Keep a received, authenticated and valid block, durably. With `report_now` (its round has started) the
    /// caller reports it valid to the engine at once, so it is pinned and always kept; otherwise it waits for its
    /// round unpinned, and is kept only if the height has room or holds an unpinned block of a farther round.
    /// A block refused here must not be reported to the engine. The caller has checked
    /// [`ProposalStore::proposed_in`] (one block per height, round and proposer).
    pub fn put_received(&mut self, proposal: StoredProposal, report_now: bool) -> Result<Admission, ConsensusError> {
        if report_now {
            self.insert_pinned(proposal, true, false)?;
            return Ok(Admission::Kept);
        }
        let (height, round) = (proposal.record.height, proposal.record.round);
        let key = (height, round, proposal.block_hash);
        if self.by_key.contains_key(&key) {
            return Ok(Admission::Kept);
        }
        if self.count_at(height) >= MAX_PROPOSALS_PER_HEIGHT {
            match self.farthest_unpinned(height, Some(round)) {
                Some(victim) => self.evict(&victim),
                None => {
                    return Ok(Admission::Refused(format!(
                        "height {height} already holds {MAX_PROPOSALS_PER_HEIGHT} proposals and none for a later \
                         round than {round}; this block is offered again when its round starts"
                    )))
                }
            }
        }
        self.write(&proposal)?;
        self.by_key.insert(key, Held { proposal, pinned: false, decided: false });
        Ok(Admission::Kept)
    }

    /// The engine is being told of every block held for `(height, round)`: pin them.
    pub fn mark_reported(&mut self, height: u64, round: u32) {
        for (_, held) in self.by_key.range_mut(round_range(height, round)) {
            held.pinned = true;
        }
    }

    /// The block `proposer` proposed for `(height, round)` (built here or received), if one is held; blocks from
    /// value sync do not count. A proposer gets one block per round: a second one is equivocation.
    pub fn proposed_in(&self, height: u64, round: u32, proposer: &Address) -> Option<Hash> {
        self.by_key
            .range(round_range(height, round))
            .find(|(_, held)| !held.decided && &held.proposal.record.proposer == proposer)
            .map(|(key, _)| key.2)
    }

    /// Proposals first made in `round` of `height`.
    pub fn at_round(&self, height: u64, round: u32) -> impl Iterator<Item = &StoredProposal> {
        self.by_key.range(round_range(height, round)).map(|(_, held)| &held.proposal)
    }

    /// The proposal of `height` whose block has this hash, whatever its round.
    pub fn by_hash(&self, height: u64, hash: &Hash) -> Option<&StoredProposal> {
        self.by_key.range(height_range(height)).map(|(_, held)| &held.proposal).find(|p| &p.block_hash == hash)
    }

    /// Whether the block of `height` with this hash is pinned (held and known to the engine).
    #[cfg(test)]
    fn is_pinned(&self, height: u64, hash: &Hash) -> bool {
        self.by_key.range(height_range(height)).any(|(key, held)| &key.2 == hash && held.pinned)
    }

    /// Forget every proposal at or below `height` (committed heights), in memory and on disk.
    pub fn prune(&mut self, height: u64) {
        let keep = self.by_key.split_off(&(height.saturating_add(1), 0, [0u8; 32]));
        let dropped = std::mem::replace(&mut self.by_key, keep);
        for (key, _) in dropped {
            self.remove_file(&key);
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
    use publica_tx::tx_root;
    use publica_types::{BlockHeader, ChainId, HEADER_VERSION};

    fn stored(height: u64, round: u32) -> StoredProposal {
        stored_by(height, round, Address([5; 20]), 0)
    }

    /// A block of `height` first proposed in `round` by `proposer`; `variant` changes its time (and so its hash).
    fn stored_by(height: u64, round: u32, proposer: Address, variant: u64) -> StoredProposal {
        let block = Block {
            header: BlockHeader {
                version: HEADER_VERSION,
                chain_id: ChainId::new("store-test").expect("valid"),
                height,
                time_ms: 1000 + height + variant,
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
            store.put_own(stored(h, r)).expect("put");
        }
        // Decided blocks from value sync are not durable: gone after a reopen.
        store.put_decided(stored(4, 0));
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
    fn a_flood_of_future_round_proposals_cannot_evict_the_nodes_own_or_the_decided_block() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = ProposalStore::open(dir.path(), 0).expect("open");
        let attacker = Address([6; 20]);
        let me = Address([7; 20]);
        let honest = Address([8; 20]);
        // The attacker signs one valid block for each of many future rounds of height 5.
        for round in 1..=(MAX_PROPOSALS_PER_HEIGHT as u32 + 20) {
            let admission = store.put_received(stored_by(5, round, attacker, 0), false).expect("put");
            if (round as usize) <= MAX_PROPOSALS_PER_HEIGHT {
                assert_eq!(admission, Admission::Kept, "round {round}");
            } else {
                // Full of unpinned blocks of nearer rounds: the farther one is refused, nothing is evicted.
                assert!(matches!(admission, Admission::Refused(_)), "round {round}: {admission:?}");
            }
        }
        assert_eq!(store.len(), MAX_PROPOSALS_PER_HEIGHT);

        // This node's own proposal, the block reported valid in round 0 and the decided block all go in, each
        // evicting the attacker's farthest future round.
        let own = stored_by(5, 0, me, 1);
        store.put_own(own.clone()).expect("own");
        let reported = stored_by(5, 0, honest, 2);
        assert_eq!(store.put_received(reported.clone(), true).expect("reported"), Admission::Kept);
        let decided = stored_by(5, 3, honest, 3);
        store.put_decided(decided.clone());
        assert_eq!(store.len(), MAX_PROPOSALS_PER_HEIGHT);
        let farthest = MAX_PROPOSALS_PER_HEIGHT as u32;
        for round in farthest - 2..=farthest {
            assert!(store.at_round(5, round).next().is_none(), "the attacker's round {round} was not evicted");
        }

        // Pinned blocks stay, whatever else arrives: more future rounds, and more pinned blocks than the bound.
        for round in 1..=200u32 {
            let _ = store.put_received(stored_by(5, round, attacker, 10), false).expect("put");
            store.put_decided(stored_by(5, 1000 + round, honest, round as u64));
        }
        for kept in [&own, &reported, &decided] {
            assert!(store.by_hash(5, &kept.block_hash).is_some(), "a pinned block was evicted");
            assert!(store.is_pinned(5, &kept.block_hash));
        }
        assert!(store.len() > MAX_PROPOSALS_PER_HEIGHT, "pinned blocks are kept beyond the bound");
        assert_eq!(store.farthest_unpinned(5, None), None, "every unpinned block made room for a pinned one");

        // Blocks of a future round that starts are pinned when reported; a restart keeps everything written.
        let mut store = ProposalStore::open(dir.path(), 0).expect("reopen");
        assert!(store.by_hash(5, &own.block_hash).is_some() && store.by_hash(5, &reported.block_hash).is_some());
        assert!(store.by_key.values().all(|held| held.pinned), "blocks read back are pinned");
        let later = stored_by(6, 2, attacker, 0);
        assert_eq!(store.put_received(later.clone(), false).expect("put"), Admission::Kept);
        assert!(!store.is_pinned(6, &later.block_hash));
        store.mark_reported(6, 2);
        assert!(store.is_pinned(6, &later.block_hash));
    }

    #[test]
    fn one_block_per_height_round_and_proposer_is_recognised() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = ProposalStore::open(dir.path(), 0).expect("open");
        let proposer = Address([6; 20]);
        let first = stored_by(3, 1, proposer, 0);
        assert_eq!(store.proposed_in(3, 1, &proposer), None);
        store.put_received(first.clone(), true).expect("put");
        assert_eq!(store.proposed_in(3, 1, &proposer), Some(first.block_hash));
        assert_eq!(store.proposed_in(3, 2, &proposer), None);
        assert_eq!(store.proposed_in(3, 1, &Address([7; 20])), None);
        // A decided block of the same round (another value the network decided) is not a proposal to this node.
        let mut other = ProposalStore::open(&dir.path().join("b"), 0).expect("open");
        other.put_decided(first.clone());
        assert_eq!(other.proposed_in(3, 1, &proposer), None);
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
