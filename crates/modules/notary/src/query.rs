//! Reads of the notary module: the log's frontier in the state, and the index of committed entries kept by the
//! node.

use publica_merkle::frontier::Frontier;
use publica_types::{Hash, StateRead};

use crate::schema::LOG_STATE_KEY;

/// Committed entries by document hash. Backed by the node's store; the same on every node that has the same log.
pub trait AnchorIndex: Sync {
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
