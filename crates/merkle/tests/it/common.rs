//! Shared helpers: an in-memory node store and an independent reference implementation of the root.

use std::collections::{BTreeMap, HashMap, HashSet};

use publica_merkle::{hash_node, Hash, MerkleError, NodeStore, StateTree, EMPTY_ROOT, INTERNAL_TAG, LEAF_TAG};
use sha2::{Digest, Sha256};

/// A content-addressed store in a `HashMap`, as the storage crate keeps one on disk.
#[derive(Default, Clone)]
pub struct MemStore {
    pub nodes: HashMap<Hash, [u8; 65]>,
}

impl MemStore {
    /// Adds the nodes returned by `apply`, checking that each is stored under its own hash.
    pub fn add(&mut self, nodes: &[(Hash, [u8; 65])]) {
        for (hash, encoding) in nodes {
            assert_eq!(*hash, hash_node(encoding), "apply returned a node under a wrong hash");
            self.nodes.insert(*hash, *encoding);
        }
    }
}

impl NodeStore for MemStore {
    fn get_node(&self, hash: &Hash) -> Result<Option<[u8; 65]>, MerkleError> {
        Ok(self.nodes.get(hash).copied())
    }
}

/// Hashes of all nodes reachable from `root` in `store` (every one must be present).
pub fn reachable(root: Hash, store: &MemStore) -> HashSet<Hash> {
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(hash) = stack.pop() {
        if hash == EMPTY_ROOT {
            continue;
        }
        let encoding = store.nodes.get(&hash).expect("reachable node is in the store");
        seen.insert(hash);
        if encoding[0] == INTERNAL_TAG {
            stack.push(encoding[1..33].try_into().unwrap());
            stack.push(encoding[33..65].try_into().unwrap());
        } else {
            assert_eq!(encoding[0], LEAF_TAG);
        }
    }
    seen
}

/// A tree built in one batch from a map of key hash to value hash.
pub fn build(entries: &BTreeMap<Hash, Hash>) -> StateTree {
    let mut tree = StateTree::new();
    tree.apply(entries.iter().map(|(k, v)| (*k, Some(*v))).collect());
    tree
}

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// The root of a set of (key hash, value hash) pairs, computed straight from the specification: expand each key
/// hash to a list of bits, and recurse over the sorted list splitting at the first key whose bit is 1.
pub fn reference_root(entries: &BTreeMap<Hash, Hash>) -> Hash {
    let items: Vec<(Vec<bool>, Hash, Hash)> = entries
        .iter()
        .map(|(k, v)| {
            let bits = k.iter().flat_map(|byte| (0..8).rev().map(move |i| (byte >> i) & 1 == 1)).collect();
            (bits, *k, *v)
        })
        .collect();
    reference_subtree(&items, 0)
}

fn reference_subtree(items: &[(Vec<bool>, Hash, Hash)], level: usize) -> Hash {
    match items {
        [] => [0u8; 32],
        [(_, key, value)] => sha256(&[&[0u8], key, value]),
        _ => {
            let cut = items.iter().position(|(bits, _, _)| bits[level]).unwrap_or(items.len());
            let (zeros, ones) = items.split_at(cut);
            sha256(&[&[1u8], &reference_subtree(zeros, level + 1), &reference_subtree(ones, level + 1)])
        }
    }
}
