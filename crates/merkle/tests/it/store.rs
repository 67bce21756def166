//! Loading trees and proving from a content-addressed node store, including historic roots and damaged stores.

use std::collections::BTreeMap;

use publica_merkle::{
    hash_node, key_hash, prove_from_store, value_hash, Hash, MerkleError, NodeStore, StateTree, EMPTY_ROOT,
};

use crate::common::{build, MemStore};

fn entry(i: u32, version: u32) -> (Hash, Option<Hash>) {
    (key_hash(&i.to_le_bytes()), Some(value_hash(&[i.to_le_bytes(), version.to_le_bytes()].concat())))
}

#[test]
fn historic_roots_remain_provable_and_loadable() {
    let mut tree = StateTree::new();
    let mut store = MemStore::default();
    let mut history: Vec<(Hash, BTreeMap<Hash, Hash>)> = Vec::new();
    let mut model = BTreeMap::new();
    for version in 0..4u32 {
        // Each batch updates a third of the keys, adds new ones and deletes some old ones.
        let mut changes: Vec<(Hash, Option<Hash>)> =
            (0..3000).filter(|i| i % 3 == version % 3).map(|i| entry(i, version)).collect();
        changes.extend((3000 + version * 500..3500 + version * 500).map(|i| entry(i, version)));
        changes.extend((0..3000).filter(|i| i % 17 == version).map(|i| (key_hash(&i.to_le_bytes()), None)));
        for (k, v) in &changes {
            match v {
                Some(v) => model.insert(*k, *v),
                None => model.remove(k),
            };
        }
        store.add(&tree.apply(changes));
        history.push((tree.root(), model.clone()));
    }
    for (root, old) in &history {
        let loaded = StateTree::load(*root, &store).unwrap();
        assert_eq!(loaded.root(), *root);
        assert_eq!(loaded.len(), old.len());
        for i in (0..5000u32).step_by(7) {
            let key = key_hash(&i.to_le_bytes());
            assert_eq!(loaded.get(&key), old.get(&key).copied());
            let proof = prove_from_store(*root, &key, &store).unwrap();
            assert_eq!(proof, loaded.prove(&key));
            proof.verify_hashed(root, &key, old.get(&key)).unwrap();
        }
        // A loaded tree keeps working: applying to it gives the same root as a fresh build.
        let mut next = loaded.clone();
        let mut next_model = old.clone();
        let (k, v) = entry(999_999, 9);
        next.apply(vec![(k, v)]);
        next_model.insert(k, v.unwrap());
        assert_eq!(next.root(), build(&next_model).root());
        assert_eq!(loaded.root(), *root, "apply on a clone changed the original");
    }
}

#[test]
fn empty_root_needs_no_store() {
    let tree = StateTree::load(EMPTY_ROOT, &MemStore::default()).unwrap();
    assert_eq!(tree.root(), EMPTY_ROOT);
    assert!(tree.is_empty());
    let proof = prove_from_store(EMPTY_ROOT, &key_hash(b"x"), &MemStore::default()).unwrap();
    proof.verify(&EMPTY_ROOT, b"x", None).unwrap();
}

fn populated() -> (StateTree, MemStore) {
    let mut tree = StateTree::new();
    let mut store = MemStore::default();
    store.add(&tree.apply((0..200).map(|i| entry(i, 0)).collect()));
    (tree, store)
}

#[test]
fn missing_node_is_reported() {
    let (tree, mut store) = populated();
    let victim = *store.nodes.keys().find(|h| **h != tree.root()).unwrap();
    store.nodes.remove(&victim);
    let err = StateTree::load(tree.root(), &store).unwrap_err();
    assert!(matches!(err, MerkleError::MissingNode { hash, .. } if hash == victim), "{err}");
    let err = StateTree::load([9; 32], &store).unwrap_err();
    assert!(matches!(err, MerkleError::MissingNode { depth: 0, .. }), "{err}");
}

#[test]
fn corrupt_node_is_reported() {
    let (tree, mut store) = populated();
    let victim = tree.root();
    store.nodes.get_mut(&victim).unwrap()[40] ^= 1;
    let err = StateTree::load(victim, &store).unwrap_err();
    assert!(matches!(err, MerkleError::CorruptNode { expected, .. } if expected == victim), "{err}");
    let err = prove_from_store(victim, &key_hash(b"x"), &store).unwrap_err();
    assert!(matches!(err, MerkleError::CorruptNode { .. }), "{err}");
}

/// Stores one hand-made node and returns its hash.
fn put(store: &mut MemStore, encoding: [u8; 65]) -> Hash {
    let hash = hash_node(&encoding);
    store.nodes.insert(hash, encoding);
    hash
}

fn node(tag: u8, a: &Hash, b: &Hash) -> [u8; 65] {
    let mut out = [tag; 65];
    out[1..33].copy_from_slice(a);
    out[33..].copy_from_slice(b);
    out
}

#[test]
fn non_canonical_nodes_are_rejected() {
    let mut store = MemStore::default();
    // A leaf whose key starts with bit 1, placed as a left child (bit 0).
    let mut right_key = [0u8; 32];
    right_key[0] = 0x80;
    let left_key = [0u8; 32];
    let misplaced = put(&mut store, node(0, &right_key, &[1; 32]));
    let fine = put(&mut store, node(0, &left_key, &[1; 32]));
    let root = put(&mut store, node(1, &misplaced, &fine));
    let err = StateTree::load(root, &store).unwrap_err();
    assert!(matches!(err, MerkleError::MalformedNode { depth: 1, .. }), "{err}");

    // An internal node holding one leaf and an empty subtree must have collapsed into the leaf.
    let root = put(&mut store, node(1, &fine, &EMPTY_ROOT));
    let err = StateTree::load(root, &store).unwrap_err();
    assert!(matches!(err, MerkleError::MalformedNode { depth: 0, .. }), "{err}");

    // Two empty children, and an unknown tag.
    let root = put(&mut store, node(1, &EMPTY_ROOT, &EMPTY_ROOT));
    assert!(matches!(StateTree::load(root, &store), Err(MerkleError::MalformedNode { .. })));
    assert!(matches!(prove_from_store(root, &left_key, &store), Err(MerkleError::MalformedNode { .. })));
    let root = put(&mut store, node(7, &left_key, &left_key));
    assert!(matches!(StateTree::load(root, &store), Err(MerkleError::MalformedNode { .. })));

    // The canonical two-leaf tree built by hand loads, and matches the tree built by apply.
    let leaf_right = put(&mut store, node(0, &right_key, &[2; 32]));
    let root = put(&mut store, node(1, &fine, &leaf_right));
    let loaded = StateTree::load(root, &store).unwrap();
    let mut built = StateTree::new();
    built.apply(vec![(left_key, Some([1; 32])), (right_key, Some([2; 32]))]);
    assert_eq!(loaded.root(), built.root());
    assert_eq!(loaded.len(), 2);
}

struct FailingStore;

impl NodeStore for FailingStore {
    fn get_node(&self, _hash: &Hash) -> Result<Option<[u8; 65]>, MerkleError> {
        Err(MerkleError::Store("disk on fire".into()))
    }
}

#[test]
fn store_failures_pass_through() {
    let err = StateTree::load([1; 32], &FailingStore).unwrap_err();
    assert!(err.to_string().contains("disk on fire"), "{err}");
    assert!(matches!(prove_from_store([1; 32], &[0; 32], &FailingStore), Err(MerkleError::Store(_))));
}

#[test]
fn speculative_clone_leaves_the_original_alone() {
    let (tree, _) = populated();
    let root = tree.root();
    let mut speculative = tree.clone();
    speculative.apply((0..100).map(|i| (key_hash(&(i as u32).to_le_bytes()), None)).collect());
    assert_ne!(speculative.root(), root);
    assert_eq!(speculative.len(), 100);
    assert_eq!(tree.root(), root);
    assert_eq!(tree.len(), 200);
    assert_eq!(tree.get(&key_hash(&0u32.to_le_bytes())), entry(0, 0).1);
}
