//! State layout of the notary module.
//!
//! | key | value |
//! |---|---|
//! | `ntr/log` | the log's frontier (`publica_merkle::frontier::Frontier`): size and roots of its perfect subtrees |
//!
//! The entries and the tree's hashes are not in the state: the node stores them as C2SP tiles beside each block.

/// State key of the log's [`Frontier`](publica_merkle::frontier::Frontier).
pub const LOG_STATE_KEY: &[u8] = b"ntr/log";
