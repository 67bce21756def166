//! The notary module: document hashes anchored in an append-only log.
//!
//! An official holding the `notary` role anchors SHA-256 hashes of documents (never their contents). Each new
//! hash becomes one [`Entry`] of a per-network log hashed as RFC 9162 prescribes (leaf = `SHA-256(0x00 ‖ entry)`,
//! node = `SHA-256(0x01 ‖ left ‖ right)`). A hash anchored before keeps its first entry: anchoring it again is
//! reported, not refused.
//!
//! What goes where:
//! - the log's compact right edge ([`Frontier`]: size and the roots of its perfect subtrees) lives in the
//!   authenticated state under [`LOG_STATE_KEY`], so every block header's state root commits to the log's size and
//!   root;
//! - the entries and the tree's hashes are too many for the state map: execution hands them out as a
//!   [`LogAppend`] and the node stores them as C2SP tiles beside the block, in the same atomic write;
//! - finding whether a hash was anchored before reads an [`AnchorIndex`] kept by the node (hash → entry index),
//!   which is a function of the log alone and therefore the same on every node.

pub mod checkpoint;
mod entry;
mod error;

use std::collections::HashMap;

use publica_merkle::frontier::Frontier;
use publica_merkle::log::leaf_hash;
use publica_types::{
    CallContext, ErrorCode, Hash, NotaryCall, Role, StateRead, StateWrite, TxError, MAX_ANCHOR_HASHES,
};
use rayon::prelude::*;

pub use entry::{check_label, Entry, ENTRY_VERSION, MAX_ENTRY_BYTES};
pub use error::NotaryError;

/// State key of the log's [`Frontier`].
pub const LOG_STATE_KEY: &[u8] = b"ntr/log";

/// Committed entries by document hash. Backed by the node's store; the same on every node that has the same log.
pub trait AnchorIndex {
    /// Index of the entry of `hash`, if it was anchored in a committed block.
    fn lookup(&self, hash: &Hash) -> Option<u64>;
}

/// An index with nothing in it: for a log that is known to be empty, and for tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct EmptyIndex;

impl AnchorIndex for EmptyIndex {
    fn lookup(&self, _hash: &Hash) -> Option<u64> {
        None
    }
}

/// The log's frontier in `state` (empty before the first anchoring).
pub fn log_frontier(state: &dyn StateRead) -> Frontier {
    match state.get(LOG_STATE_KEY) {
        Some(bytes) => Frontier::decode(&bytes)
            .unwrap_or_else(|e| panic!("stored notary log frontier does not decode ({e}); the state store is corrupt")),
        None => Frontier::new(),
    }
}

/// What a block added to the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogAppend {
    /// Index of the first new entry (the log's size before the block).
    pub first_index: u64,
    /// The new entries' bytes, in log order.
    pub entries: Vec<Vec<u8>>,
    /// Their leaf hashes.
    pub leaf_hashes: Vec<Hash>,
    /// Document hash of each new entry, for the node's [`AnchorIndex`].
    pub document_hashes: Vec<Hash>,
    /// The log's size after the block.
    pub size: u64,
    /// The log's root after the block.
    pub root: Hash,
}

impl LogAppend {
    /// Whether the block added nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The log as one block changes it: hashes anchored earlier in the block are seen by later transactions.
pub struct BlockLog<'a> {
    index: &'a dyn AnchorIndex,
    frontier: Frontier,
    first_index: u64,
    added: HashMap<Hash, u64>,
    entries: Vec<Vec<u8>>,
    document_hashes: Vec<Hash>,
}

impl std::fmt::Debug for BlockLog<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlockLog(size {} + {} new)", self.first_index, self.entries.len())
    }
}

/// The outcome of anchoring one hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchored {
    /// A new entry at this index.
    New(u64),
    /// The hash already had the entry at this index, which stays its only entry.
    Existing(u64),
}

impl<'a> BlockLog<'a> {
    /// Start a block on top of the committed `state` and `index`.
    pub fn open(state: &dyn StateRead, index: &'a dyn AnchorIndex) -> Self {
        let frontier = log_frontier(state);
        let first_index = frontier.size();
        Self { index, frontier, first_index, added: HashMap::new(), entries: Vec::new(), document_hashes: Vec::new() }
    }

    /// The entry index of `hash`, committed or added earlier in this block.
    pub fn lookup(&self, hash: &Hash) -> Option<u64> {
        self.added.get(hash).copied().or_else(|| self.index.lookup(hash))
    }

    /// Append `entry` unless its document hash already has an entry (committed or earlier in this block). The
    /// caller has checked the entry's fields (see [`execute`]).
    pub fn anchor_entry(&mut self, entry: &Entry) -> Anchored {
        if let Some(i) = self.lookup(&entry.hash) {
            return Anchored::Existing(i);
        }
        let i = self.first_index + self.entries.len() as u64;
        self.added.insert(entry.hash, i);
        self.entries.push(entry.to_bytes());
        self.document_hashes.push(entry.hash);
        Anchored::New(i)
    }

    /// Close the block: hash the new leaves, extend the frontier, store it in `state` if the log grew.
    pub fn finish(mut self, state: &mut dyn StateWrite) -> LogAppend {
        // Leaf hashing is the bulk of the work for large batches and is independent per entry.
        let leaf_hashes: Vec<Hash> = self.entries.par_iter().map(|e| leaf_hash(e)).collect();
        for h in &leaf_hashes {
            self.frontier.append(*h);
        }
        if !leaf_hashes.is_empty() {
            state.put(LOG_STATE_KEY.to_vec(), self.frontier.encode());
        }
        LogAppend {
            first_index: self.first_index,
            entries: self.entries,
            leaf_hashes,
            document_hashes: self.document_hashes,
            size: self.frontier.size(),
            root: self.frontier.root(),
        }
    }
}

/// Execute a notary call. Every check happens before the first hash is appended, so a refused call leaves the
/// log untouched.
pub fn execute(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    call: &NotaryCall,
    log: &mut BlockLog<'_>,
) -> Result<Vec<Anchored>, TxError> {
    match call {
        NotaryCall::Anchor { hashes, label } => {
            let official = publica_accounts::require_role(state, &ctx.sender, Role::NOTARY)?;
            let agency = official.agency().cloned().ok_or_else(|| {
                TxError::new(ErrorCode::NotPermitted, format!("account {} belongs to no agency", ctx.sender))
            })?;
            if hashes.is_empty() || hashes.len() > MAX_ANCHOR_HASHES {
                return Err(TxError::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "an anchoring carries 1 to {MAX_ANCHOR_HASHES} hashes, this one has {}; split the batch",
                        hashes.len()
                    ),
                ));
            }
            if let Some(label) = label {
                check_label(label).map_err(|e| TxError::new(ErrorCode::InvalidArgument, e.to_string()))?;
            }
            let mut entry = Entry {
                hash: [0; 32],
                account: ctx.sender,
                agency,
                height: ctx.height,
                time_ms: ctx.time_ms,
                label: label.clone(),
            };
            Ok(hashes
                .iter()
                .map(|h| {
                    entry.hash = *h;
                    log.anchor_entry(&entry)
                })
                .collect())
        }
    }
}
