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
