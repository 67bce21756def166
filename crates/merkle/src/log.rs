//! Append-only log hashing with RFC 9162 (Certificate Transparency v2) Merkle trees: roots, inclusion proofs and
//! consistency proofs. Pure and I/O-free; the notary's log storage builds on it.
//!
//! # Specification (RFC 9162 §2.1)
//!
//! * The hash of the empty tree is `SHA-256("")` ([`empty_root`]).
//! * Leaf hash = `SHA-256(0x00 || entry)` ([`leaf_hash`]).
//! * Node hash = `SHA-256(0x01 || left || right)` ([`node_hash`]).
//! * For `n > 1` leaves, let `k` be the largest power of two smaller than `n`; then
//!   `MTH(D[0:n]) = node(MTH(D[0:k]), MTH(D[k:n]))` ([`root`]). A single leaf is its own root.
//!
//! An INCLUSION PROOF for leaf `m` of a tree of `n` leaves ([`inclusion_proof`], RFC §2.1.3.1) lists the sibling
//! hashes on the path from the leaf up to the root, leaf end first. A CONSISTENCY PROOF between an old tree of
//! `m` leaves and a new tree of `n >= m` leaves that extends it ([`consistency_proof`], RFC §2.1.4.1) lists the
//! hashes needed to compute both roots from the same data. The verifiers ([`verify_inclusion`],
//! [`verify_consistency`]) follow the RFC's algorithms (§2.1.3.2, §2.1.4.2) step by step, so that proofs made
//! by any conforming implementation verify here and vice versa.
//!
//! Edge cases the RFC leaves to the application: an old tree of size 0 is consistent with every tree, and its
//! proof is empty (its root must still be the empty-tree hash); a tree is consistent with itself when the proof
//! is empty and the roots are equal. Proofs longer than [`MAX_LOG_PROOF_HASHES`] are rejected before any hashing,
//! because no tree with a 64-bit size needs more.

use sha2::{Digest, Sha256};

use crate::hex::Hex;
use crate::Hash;

/// Domain-separation prefix of a leaf hash (RFC 9162 §2.1.1).
pub const LOG_LEAF_PREFIX: u8 = 0x00;

/// Domain-separation prefix of an interior node hash (RFC 9162 §2.1.1).
pub const LOG_NODE_PREFIX: u8 = 0x01;

/// The most hashes a proof may carry. A tree size is a `u64`, so a path from a leaf to the root has at most 64
/// levels; a longer proof is malformed and is rejected before it costs any hashing.
pub const MAX_LOG_PROOF_HASHES: usize = 64;

/// A log proof does not verify, or a proof was requested for sizes or an index the tree does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// The leaf index is not below the tree size.
    #[error(
        "leaf index {index} is out of range for a log of {tree_size} leaves: ask for an index below the tree size"
    )]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The number of leaves in the tree.
        tree_size: u64,
    },
    /// The old size of a consistency check is larger than the new size.
    #[error(
        "old tree size {old_size} is larger than new tree size {new_size}: a log only grows; pass the sizes in \
         the order (older, newer)"
    )]
    InvalidSizes {
        /// The claimed size of the older tree.
        old_size: u64,
        /// The claimed size of the newer tree.
        new_size: u64,
    },
    /// The proof has more hashes than any tree of the claimed sizes needs.
    #[error(
        "proof has {len} hashes, more than the sizes and index require: the proof is malformed or for other sizes"
    )]
    ProofTooLong {
        /// Number of hashes in the proof.
        len: usize,
    },
    /// The proof has fewer hashes than the claimed sizes and index need.
    #[error(
        "proof has {len} hashes, fewer than the sizes and index require: the proof is truncated or for other sizes"
    )]
    ProofTooShort {
        /// Number of hashes in the proof.
        len: usize,
    },
    /// The proof computes a root other than the trusted one.
    #[error(
        "{which} root mismatch: the proof computes {}, the trusted root is {}; the entry is not in this log, or \
         the proof, sizes or root are wrong",
        Hex(.computed),
        Hex(.expected)
    )]
    RootMismatch {
        /// Which root failed: `"tree"` for inclusion, `"old"` or `"new"` for consistency.
        which: &'static str,
        /// The root the proof computes.
        computed: Hash,
        /// The root the caller trusts.
        expected: Hash,
    },
    /// A tile the requested tree size needs is not in the tile store.
    #[error(
        "tile {level}/{index} is missing: the store holds fewer leaves than the tree size {tree_size}; append \
         the missing leaves first, or ask for a size the store holds"
    )]
    TileMissing {
        /// Level of the missing tile.
        level: u8,
        /// Index of the missing tile within its level.
        index: u64,
        /// The tree size that needs the tile.
        tree_size: u64,
    },
    /// A stored tile holds fewer hashes than the requested tree size needs.
    #[error(
        "tile {level}/{index} holds {width} hashes but the tree size {tree_size} needs {needed}: the store holds \
         fewer leaves than that size; append the missing leaves first, or ask for a size the store holds"
    )]
    TileTooShort {
        /// Level of the tile.
        level: u8,
        /// Index of the tile within its level.
        index: u64,
        /// Number of hashes the store returned.
        width: usize,
        /// Number of hashes the tree size needs.
        needed: usize,
        /// The tree size that needs them.
        tree_size: u64,
    },
    /// A stored tile holds more hashes than any tile can.
    #[error(
        "tile {level}/{index} holds {width} hashes, more than the 256 a tile can hold: the tile store is \
         corrupt; restore it from a backup or rebuild it from the log entries"
    )]
    TileTooWide {
        /// Level of the tile.
        level: u8,
        /// Index of the tile within its level.
        index: u64,
        /// Number of hashes the store returned.
        width: usize,
    },
    /// A tile was requested with a width the tree size does not cover, or with no hashes at all.
    #[error(
        "tile {level}/{index} of width {width} does not exist in a tree of {tree_size} leaves: ask for a width \
         from 1 to 256 that the tree size fills"
    )]
    TileNotInTree {
        /// Level of the requested tile.
        level: u8,
        /// Index of the requested tile within its level.
        index: u64,
        /// The requested width.
        width: u16,
        /// The tree size the tile was requested at.
        tree_size: u64,
    },
    /// A subtree was requested that no log with a 64-bit size can hold.
    #[error(
        "subtree of height {height} at index {index} ends beyond the largest possible log (2^64 - 1 leaves): \
         ask for a height below 64 and an index inside the log"
    )]
    SubtreeOutOfRange {
        /// The requested height (0 = a leaf).
        height: u32,
        /// The requested index among subtrees of that height.
        index: u64,
    },
    /// An append would make the log larger than a 64-bit size can count.
    #[error("appending {added} leaves to a log of {size} leaves overflows the 64-bit tree size: split the log")]
    SizeOverflow {
        /// The size before the append.
        size: u64,
        /// The number of leaves appended.
        added: u64,
    },
    /// The tile store could not be read; the message is the store's own error.
    #[error("the tile store could not be read: {0}; check the database and retry")]
    Storage(String),
    /// An encoded frontier does not have the length its size requires.
    #[error(
        "frontier encoding of {len} bytes is invalid: it must be an 8-byte big-endian size and 32 bytes per set \
         bit of that size ({expected} bytes here); the stored frontier is corrupt, rebuild it from the tiles"
    )]
    InvalidFrontier {
        /// Length of the encoding.
        len: usize,
        /// The length its size prefix requires (8 when the prefix itself is incomplete).
        expected: usize,
    },
}

/// The root of the empty log: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The leaf hash of a log entry: `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LOG_LEAF_PREFIX]);
    hasher.update(entry);
    hasher.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([LOG_NODE_PREFIX]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The Merkle tree hash (RFC 9162 `MTH`) of a log whose leaves have the given leaf hashes, in order.
pub fn root(leaf_hashes: &[Hash]) -> Hash {
    match leaf_hashes {
        [] => empty_root(),
        hashes => subtree_root(hashes),
    }
}

/// The inclusion proof (RFC 9162 `PATH`) of leaf `index` in the log of all `leaf_hashes`, leaf end first.
///
/// Fails with [`LogError::IndexOutOfRange`] when `index` is not below the number of leaves.
pub fn inclusion_proof(leaf_hashes: &[Hash], index: u64) -> Result<Vec<Hash>, LogError> {
    let tree_size = len_u64(leaf_hashes);
    if index >= tree_size {
        return Err(LogError::IndexOutOfRange { index, tree_size });
    }
    let mut proof = Vec::new();
    // `index < tree_size == leaf_hashes.len()`, so it fits a `usize`.
    path(leaf_hashes, index as usize, &mut proof);
    Ok(proof)
}

/// Checks an inclusion proof with the RFC 9162 §2.1.3.2 algorithm: the leaf with hash `leaf_hash` is leaf
/// `index` of the log of `tree_size` leaves whose root is `root`.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    tree_size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), LogError> {
    if index >= tree_size {
        return Err(LogError::IndexOutOfRange { index, tree_size });
    }
    if proof.len() > MAX_LOG_PROOF_HASHES {
        return Err(LogError::ProofTooLong { len: proof.len() });
    }
    // `fn_` is the index of the node on the path at the current level, `sn` the index of the last node at that
    // level. While `fn_` is odd, or is the last node, the path node is a right child (or has no right sibling
    // and is promoted, which the inner loop skips).
    let mut fn_ = index;
    let mut sn = tree_size - 1;
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return Err(LogError::ProofTooLong { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            // When the node is the last at its level and a left child, it has no sibling until the level where
            // it becomes a right child (or reaches index 0), so climb those levels without hashing.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(LogError::ProofTooShort { len: proof.len() });
    }
    if r != *root {
        return Err(LogError::RootMismatch { which: "tree", computed: r, expected: *root });
    }
    Ok(())
}

/// The consistency proof (RFC 9162 `PROOF(m, D[n])`) between the first `old_size` leaves and the log of all
/// `leaf_hashes`. It is empty when `old_size` is 0 or equals the number of leaves.
///
/// Fails with [`LogError::InvalidSizes`] when `old_size` is larger than the number of leaves.
pub fn consistency_proof(leaf_hashes: &[Hash], old_size: u64) -> Result<Vec<Hash>, LogError> {
    let new_size = len_u64(leaf_hashes);
    if old_size > new_size {
        return Err(LogError::InvalidSizes { old_size, new_size });
    }
    let mut proof = Vec::new();
    if old_size > 0 && old_size < new_size {
        // `old_size < new_size == leaf_hashes.len()`, so it fits a `usize`.
        subproof(old_size as usize, leaf_hashes, true, &mut proof);
    }
    Ok(proof)
}

/// Checks a consistency proof with the RFC 9162 §2.1.4.2 algorithm: the log of `new_size` leaves with root
/// `new_root` extends the log of `old_size` leaves with root `old_root`.
///
/// `old_size == 0` verifies with an empty proof when `old_root` is the empty-tree root; `old_size == new_size`
/// verifies with an empty proof when the roots are equal.
// Long because it is RFC 9162 §2.1.4.2's algorithm, step by step, and reads best beside the RFC.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), LogError> {
    if old_size > new_size {
        return Err(LogError::InvalidSizes { old_size, new_size });
    }
    if proof.len() > MAX_LOG_PROOF_HASHES {
        return Err(LogError::ProofTooLong { len: proof.len() });
    }
    if old_size == 0 || old_size == new_size {
        if !proof.is_empty() {
            return Err(LogError::ProofTooLong { len: proof.len() });
        }
        let empty = empty_root();
        if old_size == 0 && *old_root != empty {
            return Err(LogError::RootMismatch { which: "old", computed: empty, expected: *old_root });
        }
        if old_size == new_size && new_root != old_root {
            return Err(LogError::RootMismatch { which: "new", computed: *old_root, expected: *new_root });
        }
        return Ok(());
    }

    // Step 1: between distinct non-empty sizes a proof is never empty.
    let Some((first, rest)) = proof.split_first() else {
        return Err(LogError::ProofTooShort { len: 0 });
    };
    // Steps 2 and 5: when the old tree is a complete subtree (size a power of two) the proof omits its root,
    // which is then the starting point of both computations; otherwise the proof's first hash is.
    let (seed, path) = if old_size.is_power_of_two() { (old_root, proof) } else { (first, rest) };
    // Steps 3 and 4: start at the last node of the old tree and climb while it is a right child, because those
    // levels are covered by the seed hash.
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let mut fr = *seed;
    let mut sr = *seed;
    // Step 6.
    for c in path {
        if sn == 0 {
            return Err(LogError::ProofTooLong { len: proof.len() });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            // A left sibling: it is part of both trees.
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            // A right sibling: it holds only leaves appended after the old tree.
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if sn != 0 {
        return Err(LogError::ProofTooShort { len: proof.len() });
    }
    if fr != *old_root {
        return Err(LogError::RootMismatch { which: "old", computed: fr, expected: *old_root });
    }
    if sr != *new_root {
        return Err(LogError::RootMismatch { which: "new", computed: sr, expected: *new_root });
    }
    Ok(())
}

/// The number of leaves as a `u64`; a `usize` always fits on the platforms Publica runs on (at most 64-bit).
fn len_u64(leaf_hashes: &[Hash]) -> u64 {
    u64::try_from(leaf_hashes.len()).expect("a slice length fits in 64 bits")
}

/// The largest power of two strictly smaller than `n`; `n` must be at least 2.
fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// `MTH` of a non-empty run of leaves.
fn subtree_root(leaf_hashes: &[Hash]) -> Hash {
    if let [single] = leaf_hashes {
        return *single;
    }
    let (left, right) = leaf_hashes.split_at(split_point(leaf_hashes.len()));
    node_hash(&subtree_root(left), &subtree_root(right))
}

/// RFC 9162 `PATH(m, D[n])`, appended to `proof`; `m` must be below `leaf_hashes.len()`.
fn path(leaf_hashes: &[Hash], m: usize, proof: &mut Vec<Hash>) {
    if leaf_hashes.len() <= 1 {
        return;
    }
    let (left, right) = leaf_hashes.split_at(split_point(leaf_hashes.len()));
    if m < left.len() {
        path(left, m, proof);
        proof.push(subtree_root(right));
    } else {
        path(right, m - left.len(), proof);
        proof.push(subtree_root(left));
    }
}

/// RFC 9162 `SUBPROOF(m, D[n], b)`, appended to `proof`; `1 <= m <= leaf_hashes.len()`. `complete` (the RFC's
/// `b`) says whether the subtree is a complete subtree of the old tree, whose root the verifier already has.
fn subproof(m: usize, leaf_hashes: &[Hash], complete: bool, proof: &mut Vec<Hash>) {
    if m == leaf_hashes.len() {
        if !complete {
            proof.push(subtree_root(leaf_hashes));
        }
        return;
    }
    let (left, right) = leaf_hashes.split_at(split_point(leaf_hashes.len()));
    if m <= left.len() {
        subproof(m, left, complete, proof);
        proof.push(subtree_root(right));
    } else {
        subproof(m - left.len(), right, false, proof);
        proof.push(subtree_root(left));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(8), 4);
        assert_eq!(split_point(9), 8);
    }

    #[test]
    fn oversized_proofs_are_rejected_before_hashing() {
        let proof = vec![[0u8; 32]; MAX_LOG_PROOF_HASHES + 1];
        let zero = [0u8; 32];
        assert_eq!(verify_inclusion(&zero, 0, u64::MAX, &proof, &zero), Err(LogError::ProofTooLong { len: 65 }));
        assert_eq!(verify_consistency(1, u64::MAX, &zero, &zero, &proof), Err(LogError::ProofTooLong { len: 65 }));
    }
}
