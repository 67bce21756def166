//! Authenticated state map with membership and non-membership proofs, and RFC 9162 log hashing ([`log`]).
//!
//! The [`log`] module holds the RFC 9162 Merkle tree hash with inclusion and consistency proofs, used for the
//! transaction list of each block and for the notary's append-only log (with its C2SP tiles in [`tiles`]).
//!
//! Publica's state is a map from byte-string keys to byte-string values. The STATE ROOT in every block header is
//! the root hash of the structure specified here, and any read can come with a [`StateProof`] that anyone can
//! check offline against a root. The same specification is in `docs/state-proofs.md` so that other
//! implementations can verify proofs with their own code.
//!
//! # Structure: a binary Merkle radix tree with compressed subtrees
//!
//! * `key_hash = SHA-256(key)`, `value_hash = SHA-256(value)`. A key is addressed by the 256 bits of its
//!   `key_hash`, most significant bit of byte 0 first. At depth `d` (the root is depth 0) bit `d` chooses the
//!   child: `0` = left, `1` = right. Bit `d` is `(key_hash[d / 8] >> (7 - d % 8)) & 1`.
//! * The hash of an empty subtree is 32 zero bytes ([`EMPTY_ROOT`]).
//! * Leaf hash = `SHA-256(0x00 || key_hash || value_hash)`.
//! * Internal node hash = `SHA-256(0x01 || left_hash || right_hash)`; either child may be empty (32 zero bytes).
//! * Canonical shape: a subtree that holds no key is empty; a subtree that holds exactly one key IS that key's
//!   leaf, placed at the shallowest depth where the key is alone; a subtree that holds two or more keys is an
//!   internal node. The root therefore depends only on the set of `(key, value)` pairs, never on the order of
//!   changes or on history, and deleting a key collapses its path back.
//! * The encoding of a node is the exact 65-byte preimage of its hash (tag byte, then two 32-byte hashes), so a
//!   node store is content-addressed: `hash -> encoding` ([`NodeStore`]).
//!
//! # Proofs
//!
//! A [`StateProof`] for a key lists the sibling hashes along the key's path, from the root downwards, and says
//! what terminates the path at depth `siblings.len()`: an empty subtree, or a leaf (its `key_hash` and
//! `value_hash`). A leaf of the queried key proves membership; an empty subtree, or the leaf of ANOTHER key
//! that sits on the queried key's path, proves non-membership. The verifier hashes the terminal, folds the
//! siblings back up to the root using the key's bits, and compares with the trusted root. A proof has at most
//! [`MAX_PROOF_SIBLINGS`] siblings.
//!
//! Borsh encoding of a proof: `u32` little-endian sibling count, the siblings (32 bytes each, root end first),
//! then the terminal: byte `0x00` for an empty subtree, or byte `0x01` followed by `key_hash` and `value_hash`.

mod error;
pub mod frontier;
mod hex;
pub mod log;
mod node;
mod proof;
mod store;
pub mod tiles;
mod tree;

pub use error::{MerkleError, ProofError};
pub use hex::to_hex;
pub use node::{hash_node, INTERNAL_TAG, LEAF_TAG, NODE_LEN};
pub use proof::{ProofTerminal, StateProof, MAX_PROOF_SIBLINGS};
pub use store::{prove_from_store, NodeStore};
pub use tree::{Residency, StateTree};

use sha2::{Digest, Sha256};

/// A SHA-256 digest: a key hash, a value hash, a node hash or a root.
pub type Hash = [u8; 32];

/// The root of the empty map, and the hash of every empty subtree: 32 zero bytes.
pub const EMPTY_ROOT: Hash = [0; 32];

/// The 256-bit address of a key in the tree: `SHA-256(key)`.
pub fn key_hash(key: &[u8]) -> Hash {
    Sha256::digest(key).into()
}

/// The commitment to a value stored in the tree: `SHA-256(value)`.
pub fn value_hash(value: &[u8]) -> Hash {
    Sha256::digest(value).into()
}
