//! Durable block and state store on fjall; one atomic batch per committed block.
//!
//! Keyspaces:
//!
//! | keyspace | key | value |
//! |---|---|---|
//! | `meta` | `height`, `genesis` | last committed height (u64 BE); the genesis document (JSON) |
//! | `headers` | height (u64 BE) | borsh header |
//! | `blocks` | height | borsh block (header and transactions) |
//! | `certs` | height | borsh commit certificate |
//! | `hashes` | block hash | height |
//! | `txs` | transaction id | height (u64 BE) ‖ index in block (u32 BE) |
//! | `outcomes` | transaction id | borsh `TxOutcome`: what the committed transaction created |
//! | `state` | state key | state value (the latest committed state) |
//! | `extensions` | height | borsh `DecidedExtensions` (the deciding precommits' vote extensions, for value sync) |
//! | `log_tiles` | level (u8) ‖ tile index (u64 BE) | the tile's hashes (C2SP tlog-tiles hash tile, full or partial) |
//! | `log_entries` | bundle index (u64 BE) | the entry bundle (C2SP tlog-tiles, full or partial) |
//! | `log_index` | document hash | index of its log entry (u64 BE) |
//! | `checkpoints` | height (u64 BE) | the signed checkpoint of the log after that block (C2SP signed note) |
//! | `validator_sets` | first height (u64 BE) | borsh validator set signing from that height until the next entry |
//! | `state_nodes` | node hash | the state tree node's encoding (65 bytes): every node of every committed root |
//!
//! A block, its certificate, its extensions, its index entries, its transactions' outcomes, its state changes, its
//! notary log tiles and the new last height are written in ONE fjall batch, persisted with `fdatasync` before
//! [`Store::commit_block`] returns. After a crash the store is either before the block or after it, never in between. A writer that must
//! publish the block to readers at the moment it becomes visible, without making them wait for the disk, splits
//! the commit in three: [`Store::stage_block`] builds and checks the batch, [`Store::write_staged`] makes it
//! visible at once (journal written, not yet synced), [`Store::persist`] syncs the journal. A block is only final
//! for the writer once `persist` returns; a crash between the last two leaves the store before the block. Checkpoints are
//! written right after (they are assembled from the block's extensions) and can be rebuilt from them.
//!
//! A writer applying blocks it can fetch again (a node catching up by value sync) may sync less often:
//! [`Store::persist_if_due`] syncs only once `blocks_max` blocks were written since the last sync, or the oldest of
//! them is older than `age_max`. A crash then leaves the store at an earlier block, still a whole one: the journal
//! replays whole batches in order, so the store is at the last block whose batch reached the disk.
//!
//! A filter in memory holds every document hash of `log_index` ([`anchor_filter`]), built when the store opens and
//! extended when a block is staged, so that looking up a hash never anchored does not reach the store.
//!
//! `state_nodes` is content-addressed and only grows: a block adds the nodes its new state root needs, so the
//! root of every header stays provable ([`Store`] is a [`NodeStore`]). Nodes are never removed: public records
//! are archives, and a proof under a header of any past date must remain possible.

pub mod anchor_filter;

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};

use anchor_filter::AnchorFilter;
use publica_merkle::log::LogError;
use publica_merkle::tiles::{self, TileSource};
use publica_merkle::{MerkleError, NodeStore, NODE_LEN};
use publica_tx::Block;
use publica_types::{codec, BlockHeader, CommitCertificate, Genesis, Hash, TxId, TxOutcome, ValidatorSet};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("storage failure: {0}; check the disk and the data directory's permissions")]
    Db(#[from] fjall::Error),
    /// Stored bytes do not decode: the data directory is damaged or from an incompatible version.
    #[error("stored {what} is corrupt: {reason}; restore the data directory from a backup or resync the node")]
    Corrupt { what: &'static str, reason: String },
    /// A commit out of order.
    #[error("cannot commit height {got}: the next height is {expected}")]
    OutOfOrder { expected: u64, got: u64 },
    /// The store holds another network.
    #[error("the data directory belongs to another network (genesis differs); use a fresh directory")]
    GenesisMismatch,
    /// The notary log's tiles do not fit the log being appended.
    #[error("notary log store: {0}")]
    Log(#[from] LogError),
}

type Result<T> = std::result::Result<T, StoreError>;

/// What one committed block writes.
pub struct BlockCommit<'a> {
    /// The block.
    pub block: &'a Block,
    /// Its commit certificate.
    pub certificate: &'a CommitCertificate,
    /// What each of its transactions created, in block order (`publica_execution::Outcome::outcomes`): one per
    /// transaction.
    pub outcomes: &'a [TxOutcome],
    /// State changes, `None` deletes.
    pub changes: &'a [(Vec<u8>, Option<Vec<u8>>)],
    /// Encoded vote extensions of the deciding precommits.
    pub extensions: &'a [u8],
    /// What the block added to the notary log.
    pub log: Option<LogBatch<'a>>,
    /// The validator set signing from the next height on, when the block changed it.
    pub next_validators: Option<&'a ValidatorSet>,
    /// The state tree nodes the block created (`publica_merkle::StateTree::apply`); empty on a node that does not
    /// keep past states.
    pub nodes: &'a [(Hash, [u8; NODE_LEN])],
    /// Keys in the state after the block (`publica_merkle::StateTree::len`), kept so that a node reopening its
    /// store can use its tree from the store without counting the state.
    pub state_entries: u64,
}

/// Entries a block appends to the notary log.
#[derive(Clone, Copy, Debug)]
pub struct LogBatch<'a> {
    /// The log's size before the block.
    pub first_index: u64,
    /// The new entries' bytes, in order.
    pub entries: &'a [Vec<u8>],
    /// Their leaf hashes.
    pub leaf_hashes: &'a [Hash],
    /// Their document hashes (for the anchor index).
    pub document_hashes: &'a [Hash],
    /// The log's root after the block, as execution computed it; the tiles must give the same.
    pub root: Hash,
}

/// A block's batch, built and checked by [`Store::stage_block`], not yet written.
#[must_use = "a staged block is written by Store::write_staged"]
pub struct StagedBlock {
    batch: fjall::OwnedWriteBatch,
    height: u64,
}

/// The node's durable store.
pub struct Store {
    db: Database,
    meta: Keyspace,
    headers: Keyspace,
    blocks: Keyspace,
    certs: Keyspace,
    hashes: Keyspace,
    txs: Keyspace,
    outcomes: Keyspace,
    state: Keyspace,
    extensions: Keyspace,
    log_tiles: Keyspace,
    log_entries: Keyspace,
    log_index: Keyspace,
    checkpoints: Keyspace,
    validator_sets: Keyspace,
    state_nodes: Keyspace,
    checkpoint_lock: std::sync::Mutex<()>,
    /// Every document hash of `log_index`, in memory, so that a lookup of a new hash never reaches the store.
    anchor_filter: AnchorFilter,
    /// Blocks made visible by [`Store::write_staged`] and not yet synced by [`Store::persist`].
    unsynced: Mutex<Unsynced>,
}

/// Blocks written and not yet synced: how many, and since when.
#[derive(Debug, Default)]
struct Unsynced {
    blocks: u64,
    oldest: Option<Instant>,
}

const LOG_SIZE_KEY: &[u8] = b"log-size";
const CHECKPOINT_KEY: &[u8] = b"checkpoint";
const HEIGHT_KEY: &[u8] = b"height";
const STATE_ENTRIES_KEY: &[u8] = b"state-entries";
const GENESIS_KEY: &[u8] = b"genesis";

impl Store {
    /// Open (or create) the store in `path`.
    pub fn open(path: &Path) -> Result<Self> {
        // A block cache of 256 MiB (fjall's default is 32): a node whose state tree is read from the store
        // (`publica_merkle::StateTree::backed`) reads tree nodes on every proof and every block.
        let db = Database::builder(path).cache_size(256 << 20).open()?;
        let ks = |name: &str| db.keyspace(name, KeyspaceCreateOptions::default);
        let store = Self {
            meta: ks("meta")?,
            headers: ks("headers")?,
            blocks: ks("blocks")?,
            certs: ks("certs")?,
            hashes: ks("hashes")?,
            txs: ks("txs")?,
            outcomes: ks("outcomes")?,
            state: ks("state")?,
            extensions: ks("extensions")?,
            log_tiles: ks("log_tiles")?,
            log_entries: ks("log_entries")?,
            log_index: ks("log_index")?,
            checkpoints: ks("checkpoints")?,
            validator_sets: ks("validator_sets")?,
            // Node hashes are random, so compression gains nothing, and proofs read only nodes that exist.
            state_nodes: db.keyspace("state_nodes", || {
                KeyspaceCreateOptions::default()
                    .data_block_compression_policy(fjall::config::CompressionPolicy::disabled())
                    .expect_point_read_hits(true)
                    .compaction_strategy(std::sync::Arc::new(
                        fjall::compaction::Leveled::default().with_l0_threshold(8).with_table_target_size(128 << 20),
                    ))
            })?,
            checkpoint_lock: std::sync::Mutex::new(()),
            anchor_filter: AnchorFilter::new(),
            unsynced: Mutex::new(Unsynced::default()),
            db,
        };
        store.load_anchor_filter()?;
        Ok(store)
    }

    /// Fill the anchor filter from the index (at open).
    fn load_anchor_filter(&self) -> Result<()> {
        let mut keys: Vec<fjall::Slice> = Vec::with_capacity(1 << 16);
        for item in self.log_index.iter() {
            keys.push(item.key()?);
            if keys.len() == keys.capacity() {
                self.anchor_filter.insert_all(keys.iter().map(|k| &k[..]));
                keys.clear();
            }
        }
        self.anchor_filter.insert_all(keys.iter().map(|k| &k[..]));
        Ok(())
    }

    /// The genesis stored at initialisation, if any.
    pub fn genesis(&self) -> Result<Option<Genesis>> {
        match self.meta.get(GENESIS_KEY)? {
            None => Ok(None),
            Some(bytes) => Genesis::from_json(&bytes)
                .map(Some)
                .map_err(|e| StoreError::Corrupt { what: "genesis", reason: e.to_string() }),
        }
    }

    /// Write the genesis state, once. A store already initialised with the same genesis is left as it is; one
    /// initialised with another genesis is refused.
    pub fn init_genesis(&self, genesis: &Genesis, changes: &[(Vec<u8>, Option<Vec<u8>>)]) -> Result<()> {
        if let Some(existing) = self.genesis()? {
            if existing.hash() != genesis.hash() {
                return Err(StoreError::GenesisMismatch);
            }
            // Stores initialised before validator sets were kept per height hold only the genesis set.
            if self.validator_sets.is_empty()? {
                self.validator_sets.insert(1u64.to_be_bytes(), codec::encode(&genesis.validators))?;
            }
            return Ok(());
        }
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncData));
        batch.insert(&self.validator_sets, 1u64.to_be_bytes().as_slice(), codec::encode(&genesis.validators));
        for (k, v) in changes {
            match v {
                Some(v) => batch.insert(&self.state, k.as_slice(), v.as_slice()),
                None => batch.remove(&self.state, k.as_slice()),
            }
        }
        batch.insert(&self.meta, HEIGHT_KEY, 0u64.to_be_bytes().as_slice());
        batch.insert(&self.meta, GENESIS_KEY, genesis.to_json().as_bytes());
        batch.commit()?;
        Ok(())
    }

    /// Keys in the state after the last committed block, if the store has counted them (written with every block).
    pub fn state_entries(&self) -> Result<Option<u64>> {
        self.meta.get(STATE_ENTRIES_KEY)?.map(|b| decode_u64("state entries", &b)).transpose()
    }

    /// The state tree nodes as a node store of their own, which a tree backed by the store can hold.
    pub fn state_nodes(&self) -> StateNodes {
        StateNodes(self.state_nodes.clone())
    }

    /// Whether the node store holds the node with this hash (a root: then it holds the whole tree under it).
    pub fn has_state_node(&self, hash: &Hash) -> Result<bool> {
        Ok(self.state_nodes.contains_key(hash)?)
    }

    /// Add state tree nodes, durably: the genesis tree, or the whole current tree of a store written before nodes
    /// were kept (its older roots stay unprovable).
    pub fn put_state_nodes(&self, nodes: &[(Hash, [u8; NODE_LEN])]) -> Result<()> {
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncData));
        for (hash, encoding) in nodes {
            batch.insert(&self.state_nodes, hash.as_slice(), encoding.as_slice());
        }
        batch.commit()?;
        Ok(())
    }

    /// The last committed height (0 when only genesis is committed).
    pub fn last_height(&self) -> Result<u64> {
        match self.meta.get(HEIGHT_KEY)? {
            None => Ok(0),
            Some(b) => Ok(u64::from_be_bytes(
                b.as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt { what: "height", reason: "not 8 bytes".into() })?,
            )),
        }
    }

    /// Commit a block atomically and durably: [`Store::stage_block`], [`Store::write_staged`], [`Store::persist`].
    pub fn commit_block(&self, commit: BlockCommit<'_>) -> Result<()> {
        let staged = self.stage_block(commit)?;
        self.write_staged(staged)?;
        self.persist()
    }

    /// Make a staged block visible to readers, atomically. Its journal entry is written but not synced: call
    /// [`Store::persist`] before treating the block as durable. Only one writer may stage and write blocks.
    pub fn write_staged(&self, staged: StagedBlock) -> Result<()> {
        if self.last_height()? + 1 != staged.height {
            return Err(StoreError::OutOfOrder { expected: self.last_height()? + 1, got: staged.height });
        }
        staged.batch.commit()?;
        let mut unsynced = self.unsynced.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        unsynced.blocks += 1;
        unsynced.oldest.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// Sync the journal to the disk (`fdatasync`): every block written before is durable when this returns.
    pub fn persist(&self) -> Result<()> {
        // Taken before the sync: a block written while it runs is counted again by the next one, never lost.
        let pending = std::mem::take(&mut *self.unsynced.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
        if let Err(e) = self.db.persist(PersistMode::SyncData) {
            let mut unsynced = self.unsynced.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            unsynced.blocks += pending.blocks;
            unsynced.oldest = match (unsynced.oldest, pending.oldest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            return Err(e.into());
        }
        Ok(())
    }

    /// [`Store::persist`], but only when it is due: `blocks_max` blocks or more were written since the last sync, or
    /// the oldest of them was written `age_max` ago or more. Returns whether it synced.
    ///
    /// For blocks the writer can fetch again after a crash (blocks decided by others, applied while catching up):
    /// a crash loses at most the blocks written since the last sync, and leaves the store at an earlier whole block.
    /// The age is checked when this is called: a writer that stops writing keeps its last blocks unsynced until it
    /// calls [`Store::persist`] (or this) again.
    pub fn persist_if_due(&self, blocks_max: u64, age_max: Duration) -> Result<bool> {
        let due = {
            let unsynced = self.unsynced.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            unsynced.blocks >= blocks_max.max(1) || unsynced.oldest.is_some_and(|t| t.elapsed() >= age_max)
        };
        if due {
            self.persist()?;
        }
        Ok(due)
    }

    /// Blocks written by [`Store::write_staged`] and not yet synced.
    pub fn unsynced_blocks(&self) -> u64 {
        self.unsynced.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).blocks
    }

    /// Build and check the batch that commits a block, without writing it: the expensive part of a commit (encoding,
    /// index entries, the notary log's tiles), done while readers still see the previous block.
    pub fn stage_block(&self, commit: BlockCommit<'_>) -> Result<StagedBlock> {
        let header = &commit.block.header;
        let expected = self.last_height()? + 1;
        if header.height != expected {
            return Err(StoreError::OutOfOrder { expected, got: header.height });
        }
        let height = header.height.to_be_bytes();
        let mut batch = self.db.batch().durability(Some(PersistMode::Buffer));
        batch.insert(&self.headers, height.as_slice(), codec::encode(header));
        batch.insert(&self.blocks, height.as_slice(), commit.block.encode());
        batch.insert(&self.certs, height.as_slice(), codec::encode(commit.certificate));
        batch.insert(&self.hashes, commit.block.hash().as_slice(), height.as_slice());
        assert_eq!(commit.outcomes.len(), commit.block.txs.len(), "a block commit carries one outcome per transaction");
        for (index, (tx, outcome)) in commit.block.txs.iter().zip(commit.outcomes).enumerate() {
            let id = tx.id();
            let mut location = [0u8; 12];
            location[..8].copy_from_slice(&height);
            location[8..].copy_from_slice(&(index as u32).to_be_bytes());
            batch.insert(&self.txs, id.0.as_slice(), location.as_slice());
            batch.insert(&self.outcomes, id.0.as_slice(), codec::encode(outcome));
        }
        for (k, v) in commit.changes {
            match v {
                Some(v) => batch.insert(&self.state, k.as_slice(), v.as_slice()),
                None => batch.remove(&self.state, k.as_slice()),
            }
        }
        // In key order, as the anchor index below: node hashes are random, and sorted inserts walk the memtable's
        // skip list forwards.
        let mut nodes: Vec<&(Hash, [u8; NODE_LEN])> = commit.nodes.iter().collect();
        nodes.sort_unstable_by_key(|(hash, _)| *hash);
        for (hash, encoding) in nodes {
            batch.insert(&self.state_nodes, hash.as_slice(), encoding.as_slice());
        }
        batch.insert(&self.extensions, height.as_slice(), commit.extensions);
        if let Some(next) = commit.next_validators {
            batch.insert(&self.validator_sets, (header.height + 1).to_be_bytes().as_slice(), codec::encode(next));
        }
        if let Some(log) = commit.log.filter(|l| !l.entries.is_empty()) {
            let size = self.log_size()?;
            if size != log.first_index {
                return Err(StoreError::Corrupt {
                    what: "notary log",
                    reason: format!(
                        "the store holds {size} entries but the block appends from index {}",
                        log.first_index
                    ),
                });
            }
            let update = tiles::append(self, size, log.leaf_hashes)?;
            if update.root != log.root {
                return Err(StoreError::Corrupt {
                    what: "notary log",
                    reason: "the stored tiles give another root than execution computed".into(),
                });
            }
            for (level, index, hashes) in &update.tiles {
                batch.insert(&self.log_tiles, tile_key(*level, *index), hashes.concat());
            }
            for (index, bundle) in self.entry_bundles(size, log.entries)? {
                batch.insert(&self.log_entries, index.to_be_bytes().as_slice(), bundle);
            }
            // In the filter before the store can answer for them: the filter must never say "never anchored" of a
            // hash the index holds (a failed write only leaves harmless false positives).
            self.anchor_filter.insert_all(log.document_hashes.iter().map(|h| h.as_slice()));
            // In key order: the memtable's inserts then walk its skip list forwards instead of jumping around it.
            let mut index: Vec<(&Hash, u64)> =
                log.document_hashes.iter().enumerate().map(|(i, h)| (h, log.first_index + i as u64)).collect();
            index.sort_unstable_by_key(|(hash, _)| *hash);
            for (hash, i) in index {
                batch.insert(&self.log_index, hash.as_slice(), i.to_be_bytes().as_slice());
            }
            batch.insert(&self.meta, LOG_SIZE_KEY, update.size.to_be_bytes().as_slice());
        }
        batch.insert(&self.meta, STATE_ENTRIES_KEY, commit.state_entries.to_be_bytes().as_slice());
        batch.insert(&self.meta, HEIGHT_KEY, height.as_slice());
        Ok(StagedBlock { batch, height: header.height })
    }

    /// The bundles that change when `entries` are appended to a log of `size` entries: the partial last bundle
    /// completed or extended, then new ones.
    fn entry_bundles(&self, size: u64, entries: &[Vec<u8>]) -> Result<Vec<(u64, Vec<u8>)>> {
        let width = publica_tlog::TILE_WIDTH;
        let first_bundle = size / width;
        // The stored partial bundle at the right edge, if any, is extended first.
        let partial: Vec<Vec<u8>> = if size.is_multiple_of(width) {
            Vec::new()
        } else {
            let stored = self.log_entries.get(first_bundle.to_be_bytes())?.ok_or_else(|| StoreError::Corrupt {
                what: "notary log",
                reason: format!("entry bundle {first_bundle} is missing"),
            })?;
            publica_tlog::decode_entry_bundle(&stored)
                .map_err(|e| StoreError::Corrupt { what: "entry bundle", reason: e.to_string() })?
        };
        let all: Vec<&[u8]> = partial.iter().chain(entries).map(|e| e.as_slice()).collect();
        all.chunks(width as usize)
            .enumerate()
            .map(|(i, chunk)| {
                let bundle = publica_tlog::encode_entry_bundle(chunk)
                    .map_err(|e| StoreError::Corrupt { what: "log entry", reason: e.to_string() })?;
                Ok((first_bundle + i as u64, bundle))
            })
            .collect()
    }

    /// Number of entries in the committed notary log.
    pub fn log_size(&self) -> Result<u64> {
        self.meta.get(LOG_SIZE_KEY)?.map(|b| decode_u64("log size", &b)).transpose().map(|s| s.unwrap_or(0))
    }

    /// Document hashes in the anchor index's filter in memory, and the filter's bytes (see `anchor_filter`).
    pub fn anchor_filter_stats(&self) -> (usize, usize) {
        self.anchor_filter.stats()
    }

    /// Index of the log entry of a document hash: answered from memory for a hash never anchored (the common
    /// case), from the index otherwise.
    pub fn anchor_index(&self, hash: &Hash) -> Result<Option<u64>> {
        if !self.anchor_filter.may_contain(hash) {
            return Ok(None);
        }
        self.log_index.get(hash)?.map(|b| decode_u64("anchor index", &b)).transpose()
    }

    /// The stored hash tile (level, index) as raw bytes (32 bytes per hash), full or partial.
    pub fn log_tile(&self, level: u8, index: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.log_tiles.get(tile_key(level, index))?.map(|v| v.to_vec()))
    }

    /// The stored entry bundle `index` (C2SP encoding), full or partial.
    pub fn entry_bundle(&self, index: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.log_entries.get(index.to_be_bytes())?.map(|v| v.to_vec()))
    }

    /// The bytes of log entry `index`, if committed.
    pub fn log_entry(&self, index: u64) -> Result<Option<Vec<u8>>> {
        let width = publica_tlog::TILE_WIDTH;
        let Some(bundle) = self.entry_bundle(index / width)? else { return Ok(None) };
        let entries = publica_tlog::decode_entry_bundle(&bundle)
            .map_err(|e| StoreError::Corrupt { what: "entry bundle", reason: e.to_string() })?;
        Ok(entries.into_iter().nth((index % width) as usize))
    }

    /// The encoded vote extensions stored with the block at `height`.
    pub fn extensions(&self, height: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.extensions.get(height.to_be_bytes())?.map(|v| v.to_vec()))
    }

    /// Store the signed checkpoint of the log after the block at `height`; it becomes the latest unless a later
    /// height's checkpoint is already stored (a witness's cosignatures may arrive after the next checkpoint).
    pub fn put_checkpoint(&self, height: u64, checkpoint: &[u8]) -> Result<()> {
        // Read-then-write of the "latest" pointer, serialized so two writers never move it backwards.
        let _guard = self.checkpoint_lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let latest = self.meta.get(CHECKPOINT_KEY)?.map(|b| decode_u64("checkpoint height", &b)).transpose()?;
        let mut batch = self.db.batch().durability(Some(PersistMode::SyncData));
        batch.insert(&self.checkpoints, height.to_be_bytes().as_slice(), checkpoint);
        if latest.is_none_or(|l| l <= height) {
            batch.insert(&self.meta, CHECKPOINT_KEY, height.to_be_bytes().as_slice());
        }
        batch.commit()?;
        Ok(())
    }

    /// The checkpoint stored for `height`.
    pub fn checkpoint(&self, height: u64) -> Result<Option<Vec<u8>>> {
        Ok(self.checkpoints.get(height.to_be_bytes())?.map(|v| v.to_vec()))
    }

    /// The latest signed checkpoint and the height it follows.
    pub fn latest_checkpoint(&self) -> Result<Option<(u64, Vec<u8>)>> {
        let Some(height) = self.meta.get(CHECKPOINT_KEY)?.map(|b| decode_u64("checkpoint height", &b)).transpose()?
        else {
            return Ok(None);
        };
        Ok(self.checkpoint(height)?.map(|c| (height, c)))
    }

    /// The validator set that signs the block at `height` (the last change at or below it), if the store knows it.
    /// Known for every height up to the next one to commit.
    pub fn validator_set_at(&self, height: u64) -> Result<Option<ValidatorSet>> {
        match self.validator_sets.range(..=height.to_be_bytes()).next_back() {
            None => Ok(None),
            Some(item) => {
                let (_, v) = item.into_inner()?;
                Ok(Some(decode_set(&v)?))
            }
        }
    }

    /// Every validator set of the chain with the first height it signs, in height order: the genesis set at 1, then
    /// one entry per change.
    pub fn validator_set_changes(&self) -> Result<Vec<(u64, ValidatorSet)>> {
        let mut out = Vec::new();
        for item in self.validator_sets.iter() {
            let (k, v) = item.into_inner()?;
            out.push((decode_u64("validator set height", &k)?, decode_set(&v)?));
        }
        Ok(out)
    }

    /// The header at `height`.
    pub fn header(&self, height: u64) -> Result<Option<BlockHeader>> {
        self.headers
            .get(height.to_be_bytes())?
            .map(|b| BlockHeader::decode(&b).map_err(|e| StoreError::Corrupt { what: "header", reason: e.to_string() }))
            .transpose()
    }

    /// The block at `height`.
    pub fn block(&self, height: u64) -> Result<Option<Block>> {
        self.blocks
            .get(height.to_be_bytes())?
            .map(|b| Block::decode(&b).map_err(|e| StoreError::Corrupt { what: "block", reason: e.to_string() }))
            .transpose()
    }

    /// The commit certificate of the block at `height`.
    pub fn certificate(&self, height: u64) -> Result<Option<CommitCertificate>> {
        self.certs
            .get(height.to_be_bytes())?
            .map(|b| {
                CommitCertificate::decode(&b)
                    .map_err(|e| StoreError::Corrupt { what: "certificate", reason: e.to_string() })
            })
            .transpose()
    }

    /// The height of the block with this hash.
    pub fn height_of(&self, hash: &Hash) -> Result<Option<u64>> {
        self.hashes.get(hash)?.map(|b| decode_u64("block hash index", &b)).transpose()
    }

    /// Where a committed transaction is: (height, index in block).
    pub fn tx_location(&self, id: &TxId) -> Result<Option<(u64, u32)>> {
        self.txs
            .get(id.0)?
            .map(|b| {
                if b.len() != 12 {
                    return Err(StoreError::Corrupt { what: "transaction index", reason: "not 12 bytes".into() });
                }
                let height = u64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
                let index = u32::from_be_bytes(b[8..].try_into().expect("4 bytes"));
                Ok((height, index))
            })
            .transpose()
    }

    /// What a committed transaction created; `None` for a transaction not committed, or committed by a version
    /// of the node that did not record outcomes.
    pub fn tx_outcome(&self, id: &TxId) -> Result<Option<TxOutcome>> {
        self.outcomes
            .get(id.0)?
            .map(|b| {
                TxOutcome::decode(&b)
                    .map_err(|e| StoreError::Corrupt { what: "transaction outcome", reason: e.to_string() })
            })
            .transpose()
    }

    /// The committed value under a state key.
    pub fn state_get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.state.get(key)?.map(|v| v.to_vec()))
    }

    /// Up to `limit` committed state entries whose keys start with `prefix`, in key order.
    pub fn state_scan(&self, prefix: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let mut out = Vec::new();
        for item in self.state.prefix(prefix).take(limit) {
            let (k, v) = item.into_inner()?;
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    /// Up to `limit` committed state keys that start with `prefix`, in key order, without their values.
    pub fn state_keys(&self, prefix: &[u8], limit: usize) -> Result<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        for item in self.state.prefix(prefix).take(limit) {
            out.push(item.key()?.to_vec());
        }
        Ok(out)
    }

    /// Visit every committed state entry in key order (to rebuild the state tree at start-up).
    pub fn state_for_each(&self, mut f: impl FnMut(&[u8], &[u8])) -> Result<()> {
        for item in self.state.iter() {
            let (k, v) = item.into_inner()?;
            f(&k, &v);
        }
        Ok(())
    }

    /// Bytes on disk.
    pub fn disk_space(&self) -> u64 {
        self.db.disk_space().unwrap_or(0)
    }

    /// Bytes on disk of the kept state tree nodes (part of [`Store::disk_space`]; flushed tables only).
    pub fn state_nodes_disk_space(&self) -> u64 {
        self.state_nodes.disk_space()
    }
}

fn tile_key(level: u8, index: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = level;
    key[1..].copy_from_slice(&index.to_be_bytes());
    key
}

impl TileSource for Store {
    fn tile(&self, level: u8, index: u64) -> std::result::Result<Option<Vec<Hash>>, LogError> {
        let Some(bytes) = self.log_tiles.get(tile_key(level, index)).map_err(|e| LogError::Storage(e.to_string()))?
        else {
            return Ok(None);
        };
        if bytes.is_empty() || bytes.len() % 32 != 0 || bytes.len() > 32 * publica_tlog::TILE_WIDTH as usize {
            return Err(LogError::Storage(format!(
                "stored tile {level}/{index} is {} bytes, not 1 to 256 hashes of 32 bytes; the data directory is damaged",
                bytes.len()
            )));
        }
        Ok(Some(bytes.chunks_exact(32).map(|c| c.try_into().expect("32-byte chunk")).collect()))
    }
}

fn decode_u64(what: &'static str, bytes: &[u8]) -> Result<u64> {
    Ok(u64::from_be_bytes(bytes.try_into().map_err(|_| StoreError::Corrupt { what, reason: "not 8 bytes".into() })?))
}

fn decode_set(bytes: &[u8]) -> Result<ValidatorSet> {
    ValidatorSet::decode(bytes).map_err(|e| StoreError::Corrupt { what: "validator set", reason: e.to_string() })
}

impl NodeStore for Store {
    fn get_node(&self, hash: &Hash) -> std::result::Result<Option<[u8; NODE_LEN]>, MerkleError> {
        get_node(&self.state_nodes, hash)
    }
}

/// The `state_nodes` keyspace of a [`Store`] as a node store of its own ([`Store::state_nodes`]).
#[derive(Clone)]
pub struct StateNodes(Keyspace);

impl NodeStore for StateNodes {
    fn get_node(&self, hash: &Hash) -> std::result::Result<Option<[u8; NODE_LEN]>, MerkleError> {
        get_node(&self.0, hash)
    }
}

fn get_node(state_nodes: &Keyspace, hash: &Hash) -> std::result::Result<Option<[u8; NODE_LEN]>, MerkleError> {
    let Some(bytes) = state_nodes.get(hash).map_err(|e| MerkleError::Store(Box::new(e)))? else {
        return Ok(None);
    };
    let mut encoding = [0u8; NODE_LEN];
    if bytes.len() != NODE_LEN {
        return Err(MerkleError::Store(
            format!("a stored state node is {} bytes, not {NODE_LEN}; the data directory is damaged", bytes.len())
                .into(),
        ));
    }
    encoding.copy_from_slice(&bytes);
    Ok(Some(encoding))
}
