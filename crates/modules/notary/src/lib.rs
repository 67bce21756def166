//! The notary module: document hashes anchored in an append-only log.
//!
//! An official holding the `notary` role anchors SHA-256 hashes of documents (never their contents). Each new
//! hash becomes one [`Entry`] of a per-network log hashed as RFC 9162 prescribes (leaf = `SHA-256(0x00 ‖ entry)`,
//! node = `SHA-256(0x01 ‖ left ‖ right)`). A hash anchored before keeps its first entry: anchoring it again is
//! reported, not refused.
//!
//! What goes where:
//! - the log's compact right edge (a [`Frontier`](publica_merkle::frontier::Frontier): size and the roots of its
//!   perfect subtrees) lives in the authenticated state under [`LOG_STATE_KEY`], so every block header's state root
//!   commits to the log's size and root;
//! - the entries and the tree's hashes are too many for the state map: execution hands them out as a
//!   [`LogAppend`] and the node stores them as C2SP tiles beside the block, in the same atomic write;
//! - finding whether a hash was anchored before reads an [`AnchorIndex`] kept by the node (hash → entry index),
//!   which is a function of the log alone and therefore the same on every node.
//!
//! The module has the shape every module shares: [`call`], [`schema`], [`tx`], [`query`], [`error`] (codes 3200 to 3299);
//! its offline rules (entries, checkpoints) are `publica-notary-log`, re-exported here.

pub mod call;
pub mod error;
pub mod query;
pub mod schema;
pub mod tx;

pub use error::NotaryError;
/// The log's checkpoints and the validators' votes on them, which need no state machine: they live in
/// `publica-notary-log`, where the verifier and the witness use them.
pub use publica_notary_log::checkpoint;
pub use publica_notary_log::{check_label, Entry, ENTRY_VERSION, MAX_ENTRY_BYTES};
pub use query::{log_frontier, AnchorIndex, EmptyIndex};
pub use schema::LOG_STATE_KEY;
pub use tx::{execute, Anchored, BlockLog, LogAppend};
