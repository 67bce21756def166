//! The view of the state that modules execute against.
//!
//! Modules read and write plain key/value pairs through these traits; the execution crate implements them over
//! the authenticated state map with a write overlay, so a failed transaction's writes are simply dropped. Reads
//! are infallible by design: a storage failure under execution is not a property of the transaction and must
//! stop the node rather than turn into a deterministic-looking result.

use crate::{ChainId, TxId};
use publica_crypto::Address;

/// Read access to the state.
pub trait StateRead {
    /// The value under `key`, if any.
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
}

/// Write access to the state.
pub trait StateWrite: StateRead {
    /// Set `key` to `value`.
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Remove `key`.
    fn delete(&mut self, key: Vec<u8>);
}

/// Everything a module may know about the transaction being executed. Time comes from the block header, never
/// from a clock.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The network.
    pub chain_id: ChainId,
    /// Height of the block being executed.
    pub height: u64,
    /// Time of the block being executed, Unix milliseconds.
    pub time_ms: u64,
    /// The transaction.
    pub tx_id: TxId,
    /// The authenticated sender.
    pub sender: Address,
    /// The sender's nonce in this transaction.
    pub nonce: u64,
}

/// The changes buffered over a state: each key's new value, `None` for a removal.
pub type Writes = std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Writes kept over a read-only state, for the caller to keep or drop: reads see the writes first, then the state.
pub struct Overlay<'a> {
    base: &'a dyn StateRead,
    writes: Writes,
}

impl<'a> Overlay<'a> {
    /// No writes yet over `base`.
    pub fn new(base: &'a dyn StateRead) -> Self {
        Overlay { base, writes: Writes::new() }
    }

    /// `writes` already made over `base`.
    pub fn with_writes(base: &'a dyn StateRead, writes: Writes) -> Self {
        Overlay { base, writes }
    }

    /// The writes made.
    pub fn writes(&self) -> &Writes {
        &self.writes
    }

    /// The writes, to apply or drop.
    pub fn into_writes(self) -> Writes {
        self.writes
    }
}

impl StateRead for Overlay<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.writes.get(key) {
            Some(value) => value.clone(),
            None => self.base.get(key),
        }
    }
}

impl StateWrite for Overlay<'_> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }
}
