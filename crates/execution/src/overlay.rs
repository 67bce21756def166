//! Write overlays: a transaction writes into its own scratch space, merged into the block's only on success.

use std::collections::{BTreeMap, HashMap};

use publica_types::{StateRead, StateWrite};

use crate::Changes;

/// The writes of the block so far, over the committed state.
pub struct BlockOverlay<'a> {
    base: &'a dyn StateRead,
    writes: HashMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a> BlockOverlay<'a> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a dyn StateRead) -> Self {
        Self { base, writes: HashMap::new() }
    }

    /// Merge the writes of a successful transaction.
    pub fn absorb(&mut self, writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>) {
        self.writes.extend(writes);
    }

    /// The block's changes, sorted by key.
    pub fn into_changes(self) -> Changes {
        self.writes.into_iter().collect()
    }
}

impl StateRead for BlockOverlay<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.writes.get(key) {
            Some(v) => v.clone(),
            None => self.base.get(key),
        }
    }
}

/// One transaction's writes, over the block's.
pub struct TxOverlay<'a, 'b> {
    block: &'b BlockOverlay<'a>,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl<'a, 'b> TxOverlay<'a, 'b> {
    /// An empty overlay over the block's.
    pub fn new(block: &'b BlockOverlay<'a>) -> Self {
        Self { block, writes: BTreeMap::new() }
    }

    /// The writes, to merge into the block on success.
    pub fn into_writes(self) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
        self.writes
    }
}

impl StateRead for TxOverlay<'_, '_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.writes.get(key) {
            Some(v) => v.clone(),
            None => self.block.get(key),
        }
    }
}

impl StateWrite for TxOverlay<'_, '_> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }
}
