//! Content-addressed node stores, and proofs read directly from one (for historic roots).

use crate::node::{bit, decode, hash_node, is_empty_hash, shares_prefix, DecodedNode, MAX_TREE_DEPTH, NODE_LEN};
use crate::proof::{assemble, ProofTerminal};
use crate::{Hash, MerkleError, StateProof};

/// A content-addressed store of node encodings: `hash -> encoding`, where `hash = SHA-256(encoding)`.
///
/// The nodes returned by [`crate::StateTree::apply`] are exactly what a store must keep for the new root.
pub trait NodeStore {
    /// The encoding of the node with this hash, or `None` if the store does not have it.
    fn get_node(&self, hash: &Hash) -> Result<Option<[u8; NODE_LEN]>, MerkleError>;
}

impl<S: NodeStore + ?Sized> NodeStore for &S {
    fn get_node(&self, hash: &Hash) -> Result<Option<[u8; NODE_LEN]>, MerkleError> {
        (**self).get_node(hash)
    }
}

/// Reads a node, checking that the store returned the bytes that hash to `hash`.
pub(crate) fn fetch(store: &impl NodeStore, hash: &Hash, depth: usize) -> Result<DecodedNode, MerkleError> {
    let encoding = store.get_node(hash)?.ok_or(MerkleError::MissingNode { hash: *hash, depth })?;
    let actual = hash_node(&encoding);
    if actual != *hash {
        return Err(MerkleError::CorruptNode { expected: *hash, actual });
    }
    decode(&encoding).ok_or(MerkleError::MalformedNode { hash: *hash, depth, reason: "unknown tag byte" })
}

/// Checks a leaf found at `depth` on `path` sits where the canonical shape puts it.
pub(crate) fn check_leaf_position(hash: &Hash, leaf_key: &Hash, path: &Hash, depth: usize) -> Result<(), MerkleError> {
    if shares_prefix(leaf_key, path, depth) {
        Ok(())
    } else {
        Err(MerkleError::MalformedNode { hash: *hash, depth, reason: "leaf key is not under this node's path" })
    }
}

/// Proof for `key_hash` under a historic `root`, walking from the root through the store without loading the
/// whole tree. Every node read is checked against its hash.
pub fn prove_from_store(root: Hash, key_hash: &Hash, store: &impl NodeStore) -> Result<StateProof, MerkleError> {
    prove_below(root, 0, Vec::new(), key_hash, store)
}

/// Continue a proof for `key_hash` from the node `current` at `depth`, whose siblings above are `siblings`.
pub(crate) fn prove_below(
    mut current: Hash,
    mut depth: usize,
    mut siblings: Vec<Hash>,
    key_hash: &Hash,
    store: &impl NodeStore,
) -> Result<StateProof, MerkleError> {
    loop {
        if is_empty_hash(&current) {
            return Ok(assemble(siblings, ProofTerminal::Empty));
        }
        match fetch(store, &current, depth)? {
            DecodedNode::Leaf { key_hash: leaf_key, value_hash } => {
                // Only the prefix walked so far is known, and `key_hash` carries exactly those bits.
                check_leaf_position(&current, &leaf_key, key_hash, depth)?;
                return Ok(assemble(siblings, ProofTerminal::Leaf { key_hash: leaf_key, value_hash }));
            }
            DecodedNode::Internal { left, right } => {
                if depth == MAX_TREE_DEPTH {
                    return Err(MerkleError::MalformedNode {
                        hash: current,
                        depth,
                        reason: "internal node below the deepest possible level",
                    });
                }
                if is_empty_hash(&left) && is_empty_hash(&right) {
                    return Err(MerkleError::MalformedNode {
                        hash: current,
                        depth,
                        reason: "internal node with two empty children",
                    });
                }
                let (next, sibling) = if bit(key_hash, depth) { (right, left) } else { (left, right) };
                siblings.push(sibling);
                current = next;
                depth += 1;
            }
        }
    }
}
