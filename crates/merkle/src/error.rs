//! Errors: [`MerkleError`] for reading trees from a node store, [`ProofError`] for proofs that do not verify.

use crate::hex::Hex;
use crate::Hash;

/// A tree or proof could not be read from a node store.
#[derive(Debug, thiserror::Error)]
pub enum MerkleError {
    /// The store has no node under a hash that a parent node (or the requested root) refers to.
    #[error(
        "node {} at depth {depth} is missing from the node store: the store is incomplete, or the root is \
         not one this store has persisted",
        Hex(.hash)
    )]
    MissingNode {
        /// Hash of the missing node.
        hash: Hash,
        /// Depth at which the node was expected (0 = root).
        depth: usize,
    },
    /// The store returned bytes whose hash is not the hash they were stored under.
    #[error(
        "node stored under {} hashes to {}: the node store is corrupt; restore it from a backup or resync \
         the state",
        Hex(.expected),
        Hex(.actual)
    )]
    CorruptNode {
        /// The hash the node was requested by.
        expected: Hash,
        /// The hash of the bytes the store returned.
        actual: Hash,
    },
    /// A node hashes correctly but cannot be part of a canonical tree (bad tag, wrong place, too deep).
    #[error("node {} at depth {depth} is malformed: {reason}", Hex(.hash))]
    MalformedNode {
        /// Hash of the offending node.
        hash: Hash,
        /// Depth at which the node was found (0 = root).
        depth: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The node store itself failed (I/O, database error).
    #[error("node store read failed: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync + 'static>),
}

/// A [`crate::StateProof`] does not establish the claimed fact under the given root.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// More siblings than a 256-bit path can have.
    #[error("proof has {count} siblings, more than the {max} a 256-bit key path allows: the proof is malformed")]
    TooManySiblings {
        /// Number of siblings in the proof.
        count: usize,
        /// The maximum allowed.
        max: usize,
    },
    /// The proof hashes to a root other than the trusted one.
    #[error(
        "proof leads to root {} but the trusted root is {}: the proof is for another state or was altered",
        Hex(.computed),
        Hex(.expected)
    )]
    RootMismatch {
        /// The trusted root passed to the verifier.
        expected: Hash,
        /// The root the proof hashes to.
        computed: Hash,
    },
    /// The proof ends in a leaf that is not on the queried key's path.
    #[error(
        "proof ends at the leaf of key hash {} at depth {depth}, which is not on the path of key hash {}: \
         the proof is malformed",
        Hex(.leaf_key_hash),
        Hex(.key_hash)
    )]
    LeafOffPath {
        /// The queried key hash.
        key_hash: Hash,
        /// The key hash of the leaf in the proof.
        leaf_key_hash: Hash,
        /// Depth of that leaf.
        depth: usize,
    },
    /// Membership was claimed but the proof ends at an empty subtree.
    #[error("proof shows key hash {} is absent (its path ends at an empty subtree), but membership was claimed", Hex(.key_hash))]
    KeyAbsent {
        /// The queried key hash.
        key_hash: Hash,
    },
    /// Membership was claimed but the proof ends at the leaf of another key (a non-membership proof).
    #[error(
        "proof ends at the leaf of another key (key hash {}), so key hash {} is absent, but membership was \
         claimed",
        Hex(.leaf_key_hash),
        Hex(.key_hash)
    )]
    LeafForAnotherKey {
        /// The queried key hash.
        key_hash: Hash,
        /// The key hash of the leaf in the proof.
        leaf_key_hash: Hash,
    },
    /// The key is present but with another value than the claimed one.
    #[error("key hash {} maps to value hash {}, not to the claimed value hash {}", Hex(.key_hash), Hex(.actual), Hex(.claimed))]
    ValueMismatch {
        /// The queried key hash.
        key_hash: Hash,
        /// The value hash the caller claimed.
        claimed: Hash,
        /// The value hash in the proof.
        actual: Hash,
    },
    /// Absence was claimed but the proof ends at the leaf of the queried key.
    #[error("proof shows key hash {} is present (value hash {}), but absence was claimed", Hex(.key_hash), Hex(.value_hash))]
    KeyPresent {
        /// The queried key hash.
        key_hash: Hash,
        /// The value hash the proof shows for it.
        value_hash: Hash,
    },
}
