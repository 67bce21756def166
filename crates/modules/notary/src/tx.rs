//! Calls of the notary module: anchoring hashes in the log as one block changes it.

use std::collections::HashMap;

use crate::call::{NotaryCall, MAX_ANCHOR_HASHES};
use publica_merkle::frontier::Frontier;
use publica_merkle::log::leaf_hash;
use publica_types::{CallContext, Hash, Role, StateRead, StateWrite, TxError};
use rayon::prelude::*;

use crate::error;
use crate::query::{log_frontier, AnchorIndex};
use crate::schema::LOG_STATE_KEY;
use crate::{check_label, Entry};

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
///
/// Entries are recorded as (document hash, the anchoring's common fields) and encoded and hashed in parallel when
/// the block closes; looking hashes up in the committed index also runs in parallel, so a block of millions of
/// hashes uses every core.
pub struct BlockLog<'a> {
    index: &'a dyn AnchorIndex,
    frontier: Frontier,
    first_index: u64,
    added: HashMap<Hash, u64>,
    /// The common fields of each anchoring in the block (the hash is filled in per entry).
    templates: Vec<Entry>,
    /// New entries in order: document hash and its anchoring's template.
    pending: Vec<(Hash, u32)>,
    /// Checks only: anchorings are validated but append nothing.
    dry_run: bool,
}

impl std::fmt::Debug for BlockLog<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlockLog(size {} + {} new)", self.first_index, self.pending.len())
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
        Self {
            index,
            frontier,
            first_index,
            added: HashMap::new(),
            templates: Vec::new(),
            pending: Vec::new(),
            dry_run: false,
        }
    }

    /// A log for checking transactions only (admission): calls are validated as in a block, but anchoring appends
    /// nothing and reports nothing, and [`BlockLog::finish`] leaves the state alone. It reads nothing of the
    /// state: whether an anchoring is valid does not depend on the log's head, so a block that moves the head
    /// leaves a pending anchoring's dry run as it was.
    pub fn dry_run(index: &'a dyn AnchorIndex) -> Self {
        Self {
            index,
            frontier: Frontier::new(),
            first_index: 0,
            added: HashMap::new(),
            templates: Vec::new(),
            pending: Vec::new(),
            dry_run: true,
        }
    }

    /// The entry index of `hash`, committed or added earlier in this block.
    pub fn lookup(&self, hash: &Hash) -> Option<u64> {
        self.added.get(hash).copied().or_else(|| self.index.lookup(hash))
    }

    /// Append one entry per hash of `hashes`, with the other fields of `template`, skipping hashes that already
    /// have an entry (committed or earlier in this block, including earlier in `hashes`). The caller has checked
    /// the fields (see [`execute`]).
    pub fn anchor(&mut self, template: &Entry, hashes: &[Hash]) -> Vec<Anchored> {
        if self.dry_run {
            return Vec::new();
        }
        let added = &self.added;
        let index = self.index;
        let committed: Vec<Option<u64>> = if hashes.len() >= 256 {
            hashes.par_iter().map(|h| if added.contains_key(h) { None } else { index.lookup(h) }).collect()
        } else {
            hashes.iter().map(|h| if added.contains_key(h) { None } else { index.lookup(h) }).collect()
        };
        let template_index = self.templates.len() as u32;
        let mut results = Vec::with_capacity(hashes.len());
        let mut any_new = false;
        for (hash, committed) in hashes.iter().zip(committed) {
            if let Some(i) = self.added.get(hash).copied().or(committed) {
                results.push(Anchored::Existing(i));
                continue;
            }
            let i = self.first_index + self.pending.len() as u64;
            self.added.insert(*hash, i);
            self.pending.push((*hash, template_index));
            results.push(Anchored::New(i));
            any_new = true;
        }
        if any_new {
            self.templates.push(template.clone());
        }
        results
    }

    /// Append one entry (see [`BlockLog::anchor`]); `None` on a dry run.
    pub fn anchor_entry(&mut self, entry: &Entry) -> Option<Anchored> {
        self.anchor(entry, &[entry.hash]).first().copied()
    }

    /// Close the block: encode and hash the new entries, extend the frontier, store it in `state` if the log grew.
    pub fn finish(mut self, state: &mut dyn StateWrite) -> LogAppend {
        let templates = &self.templates;
        let (entries, leaf_hashes): (Vec<Vec<u8>>, Vec<Hash>) = self
            .pending
            .par_iter()
            .map(|(hash, t)| {
                let bytes = templates[*t as usize].to_bytes_with_hash(hash);
                let leaf = leaf_hash(&bytes);
                (bytes, leaf)
            })
            .unzip();
        for h in &leaf_hashes {
            self.frontier.append(*h);
        }
        if !leaf_hashes.is_empty() {
            state.put(LOG_STATE_KEY.to_vec(), self.frontier.encode());
        }
        LogAppend {
            first_index: self.first_index,
            entries,
            leaf_hashes,
            document_hashes: self.pending.into_iter().map(|(h, _)| h).collect(),
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
                TxError::new(error::NOTARY_NOT_AN_OFFICIAL, format!("account {} belongs to no agency", ctx.sender))
            })?;
            if hashes.is_empty() || hashes.len() > MAX_ANCHOR_HASHES {
                return Err(TxError::new(
                    error::ANCHOR_HASH_COUNT_OUT_OF_RANGE,
                    format!(
                        "an anchoring carries 1 to {MAX_ANCHOR_HASHES} hashes, this one has {}; split the batch",
                        hashes.len()
                    ),
                ));
            }
            if let Some(label) = label {
                check_label(label).map_err(|e| TxError::new(error::ANCHOR_LABEL_INVALID, e.to_string()))?;
            }
            let template = Entry {
                hash: [0; 32],
                account: ctx.sender,
                agency,
                height: ctx.height,
                time_ms: ctx.time_ms,
                label: label.clone(),
            };
            Ok(log.anchor(&template, hashes))
        }
    }
}
