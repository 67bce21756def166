//! A tree backed by a node store behaves exactly as the same tree in memory: roots, the nodes each batch returns,
//! reads and proofs, also after it has dropped most of itself from memory.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use proptest::prelude::*;
use publica_merkle::{key_hash, value_hash, Hash, MerkleError, NodeStore, Residency, StateTree};

/// A node store shared between the test and the tree it backs.
#[derive(Default)]
struct Shared(RwLock<HashMap<Hash, [u8; 65]>>);

impl Shared {
    fn add(&self, nodes: &[(Hash, [u8; 65])]) {
        self.0.write().unwrap().extend(nodes.iter().copied());
    }
}

impl NodeStore for Shared {
    fn get_node(&self, hash: &Hash) -> Result<Option<[u8; 65]>, MerkleError> {
        Ok(self.0.read().unwrap().get(hash).copied())
    }
}

fn key(i: u16) -> Hash {
    key_hash(&i.to_le_bytes())
}

fn sorted(mut nodes: Vec<(Hash, [u8; 65])>) -> Vec<(Hash, [u8; 65])> {
    nodes.sort();
    nodes.dedup();
    nodes
}

/// Applies the same batches to a tree in memory and to a backed one that keeps almost nothing in memory.
fn check_same(batches: Vec<Vec<(u16, Option<u8>)>>, residency: Residency) {
    let store = Arc::new(Shared::default());
    let mut memory = StateTree::new();
    // The backed tree starts from the genesis batch's root, as a node reopening its store does.
    let mut batches = batches.into_iter();
    let first: Vec<(Hash, Option<Hash>)> =
        batches.next().unwrap_or_default().iter().map(|(k, v)| (key(*k), v.map(|v| value_hash(&[v])))).collect();
    store.add(&memory.apply(first));
    let mut backed = StateTree::backed(memory.root(), memory.len(), store.clone(), residency);
    assert!(backed.is_backed());
    for batch in batches {
        let changes: Vec<(Hash, Option<Hash>)> =
            batch.iter().map(|(k, v)| (key(*k), v.map(|v| value_hash(&[v])))).collect();
        let from_memory = memory.apply(changes.clone());
        let from_backed = backed.apply(changes);
        assert_eq!(backed.root(), memory.root());
        assert_eq!(backed.len(), memory.len());
        assert_eq!(sorted(from_backed.clone()), sorted(from_memory), "the same new nodes");
        store.add(&from_backed);
        for i in (0..300u16).step_by(7) {
            assert_eq!(backed.get(&key(i)), memory.get(&key(i)), "key {i}");
            assert_eq!(backed.prove(&key(i)), memory.prove(&key(i)), "proof of key {i}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_backed_tree_matches_the_tree_in_memory(
        batches in prop::collection::vec(
            prop::collection::vec((0u16..300, prop::option::weighted(0.7, any::<u8>())), 0..80),
            1..8,
        ),
        keep_depth in 0usize..4,
        budget in 0usize..64,
    ) {
        check_same(batches, Residency { budget, keep_depth, cached: 16 });
    }
}

#[test]
fn deleting_down_to_one_key_collapses_through_stored_subtrees() {
    // Two keys, then one deleted: the survivor is stored and must move up to the root as a leaf.
    let batches = vec![vec![(1, Some(1)), (2, Some(2)), (3, Some(3))], vec![(1, None), (2, None)], vec![(3, None)]];
    check_same(batches, Residency { budget: 0, keep_depth: 0, cached: 0 });
}

#[test]
fn a_backed_tree_keeps_its_top_levels_and_drops_the_rest() {
    let store = Arc::new(Shared::default());
    let mut memory = StateTree::new();
    store.add(&memory.apply((0..5000u16).map(|i| (key(i), Some(value_hash(&[1])))).collect()));
    let residency = Residency { budget: 100, keep_depth: 4, cached: 64 };
    let mut backed = StateTree::backed(memory.root(), memory.len(), store.clone(), residency);
    assert_eq!(backed.resident_nodes(), 0, "nothing is read before it is needed");
    for round in 0..5u8 {
        let changes: Vec<(Hash, Option<Hash>)> =
            (0..5000u16).step_by(9).map(|i| (key(i), Some(value_hash(&[round, 2])))).collect();
        store.add(&backed.apply(changes));
        // Trimmed at the start of each batch: what stays is the top four levels and the last batch's paths.
        assert!(backed.resident_nodes() < 15 + 6000, "{} nodes resident", backed.resident_nodes());
    }
    // One more batch trims first: a batch touching one key leaves the top levels and one path.
    store.add(&backed.apply(vec![(key(1), Some(value_hash(&[9])))]));
    assert!(backed.resident_nodes() <= 15 + 20, "{} nodes resident after trimming", backed.resident_nodes());
    let mut check = memory.clone();
    let changes: Vec<(Hash, Option<Hash>)> = (0..5u8)
        .flat_map(|round| (0..5000u16).step_by(9).map(move |i| (key(i), Some(value_hash(&[round, 2])))))
        .chain([(key(1), Some(value_hash(&[9])))])
        .collect();
    drop(check.apply(changes));
    assert_eq!(backed.root(), check.root());
}

#[test]
#[should_panic(expected = "cannot read its node")]
fn a_node_missing_from_the_store_is_fatal() {
    let mut memory = StateTree::new();
    drop(memory.apply((0..10u16).map(|i| (key(i), Some(value_hash(&[1])))).collect()));
    // The store is empty: the first change that walks into the tree needs a node it does not have.
    let mut backed = StateTree::backed(memory.root(), memory.len(), Arc::new(Shared::default()), Residency::default());
    drop(backed.apply(vec![(key(3), None)]));
}
