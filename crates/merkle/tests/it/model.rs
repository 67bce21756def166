//! The state tree against a plain `BTreeMap` model, over random batches of inserts, updates and deletes.

use std::collections::{BTreeMap, HashSet};

use proptest::prelude::*;
use publica_merkle::{key_hash, prove_from_store, value_hash, Hash, ProofError, ProofTerminal, StateTree, EMPTY_ROOT};

use crate::common::{build, reachable, reference_root, MemStore};

/// Bit positions where crafted key hashes differ. Everything else is zero, so keys share long prefixes and the
/// tree gets long chains of internal nodes, leaves at depth 256, and proofs with the maximum 256 siblings.
const CRAFTED_BITS: [usize; 6] = [0, 9, 128, 200, 254, 255];

fn crafted_key(mask: u8) -> Hash {
    let mut hash = [0u8; 32];
    for (i, position) in CRAFTED_BITS.iter().enumerate() {
        if mask & (1 << i) != 0 {
            hash[position / 8] |= 0x80 >> (position % 8);
        }
    }
    hash
}

fn crafted_value(v: u8) -> Hash {
    value_hash(&[v])
}

/// A batch: (key index, new value or `None` to delete).
type Batch = Vec<(u8, Option<u8>)>;

fn batches(key_count: u8) -> impl Strategy<Value = Vec<Batch>> {
    let change = (0..key_count, proptest::option::weighted(0.7, 0u8..4));
    proptest::collection::vec(proptest::collection::vec(change, 0..40), 1..7)
}

/// Checks the tree against the model for every key of the universe, and the store against the tree.
fn check(tree: &StateTree, model: &BTreeMap<Hash, Hash>, universe: &[Hash]) {
    let root = tree.root();
    assert_eq!(tree.len(), model.len());
    assert_eq!(root, reference_root(model), "root differs from the reference implementation");
    assert_eq!(root, build(model).root(), "root depends on the order of changes");
    for key in universe {
        let expected = model.get(key).copied();
        assert_eq!(tree.get(key), expected);
        let proof = tree.prove(key);
        assert!(proof.siblings().len() <= 256);
        match expected {
            Some(value) => {
                proof.verify_hashed(&root, key, Some(&value)).unwrap();
                let wrong = value_hash(b"a value that is never stored");
                assert!(matches!(proof.verify_hashed(&root, key, Some(&wrong)), Err(ProofError::ValueMismatch { .. })));
                assert!(matches!(proof.verify_hashed(&root, key, None), Err(ProofError::KeyPresent { .. })));
            }
            None => {
                proof.verify_hashed(&root, key, None).unwrap();
                let claim = value_hash(&[0]);
                let err = proof.verify_hashed(&root, key, Some(&claim)).unwrap_err();
                assert!(matches!(err, ProofError::KeyAbsent { .. } | ProofError::LeafForAnotherKey { .. }), "{err}");
            }
        }
    }
}

/// Applies the batches to a tree, a model and a store, checking everything after each batch, then checks
/// historic roots through the store and finally deletes every key.
fn run(batches: &[Batch], key_of: impl Fn(u8) -> Hash, value_of: impl Fn(u8) -> Hash, universe: &[Hash]) {
    let mut tree = StateTree::new();
    let mut model = BTreeMap::new();
    let mut store = MemStore::default();
    let mut history = vec![(EMPTY_ROOT, model.clone())];

    for batch in batches {
        let changes: Vec<(Hash, Option<Hash>)> = batch.iter().map(|(k, v)| (key_of(*k), v.map(&value_of))).collect();
        for (key, value) in &changes {
            match value {
                Some(value) => model.insert(*key, *value),
                None => model.remove(key),
            };
        }
        let old_reachable = reachable(tree.root(), &store);
        let snapshot = tree.clone();
        let nodes = tree.apply(changes);
        assert_eq!(snapshot.root(), history.last().unwrap().0, "apply on a clone changed the original");
        store.add(&nodes);

        // Exactly the needed nodes: each returned node is new, distinct and part of the new tree.
        let new_reachable = reachable(tree.root(), &store);
        let returned: HashSet<Hash> = nodes.iter().map(|(hash, _)| *hash).collect();
        assert_eq!(returned.len(), nodes.len(), "apply returned a node twice");
        assert!(returned.is_subset(&new_reachable), "apply returned a node that is not in the new tree");
        assert!(returned.is_disjoint(&old_reachable), "apply returned a node the old tree already had");
        assert!(new_reachable.difference(&old_reachable).all(|h| returned.contains(h)));

        check(&tree, &model, universe);
        let loaded = StateTree::load(tree.root(), &store).unwrap();
        assert_eq!(loaded.root(), tree.root());
        assert_eq!(loaded.len(), tree.len());
        history.push((tree.root(), model.clone()));
    }

    // Proofs against every historic root, read from the store after all later batches.
    for (root, old_model) in &history {
        let loaded = StateTree::load(*root, &store).unwrap();
        for key in universe {
            let proof = prove_from_store(*root, key, &store).unwrap();
            proof.verify_hashed(root, key, old_model.get(key)).unwrap();
            assert_eq!(loaded.get(key), old_model.get(key).copied());
        }
    }

    let nodes = tree.apply(universe.iter().map(|key| (*key, None)).collect());
    assert!(nodes.is_empty(), "deleting everything creates no node");
    assert_eq!(tree.root(), EMPTY_ROOT);
    assert_eq!(tree.len(), 0);
    let proof = tree.prove(&universe[0]);
    assert_eq!(proof.siblings().len(), 0);
    assert_eq!(*proof.terminal(), ProofTerminal::Empty);
    proof.verify_hashed(&EMPTY_ROOT, &universe[0], None).unwrap();
}

fn byte_key(k: u8) -> Vec<u8> {
    format!("key-{k}").into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Real SHA-256 key hashes of a few dozen keys: prefixes of a few bits collide often.
    #[test]
    fn hashed_keys_agree_with_model(batches in batches(48)) {
        let universe: Vec<Hash> = (0..48).map(|k| key_hash(&byte_key(k))).collect();
        run(&batches, |k| key_hash(&byte_key(k)), |v| value_hash(&[v]), &universe);

        // The byte-level API on the final state of the same batches.
        let mut tree = StateTree::new();
        for batch in &batches {
            tree.apply(batch.iter().map(|(k, v)| (key_hash(&byte_key(*k)), v.map(|v| value_hash(&[v])))).collect());
        }
        let mut model = BTreeMap::new();
        for (k, v) in batches.iter().flatten() {
            match v {
                Some(v) => model.insert(*k, *v),
                None => model.remove(k),
            };
        }
        for k in 0..48u8 {
            let proof = tree.prove(&key_hash(&byte_key(k)));
            match model.get(&k) {
                Some(v) => {
                    proof.verify(&tree.root(), &byte_key(k), Some(&[*v])).unwrap();
                    prop_assert!(proof.verify(&tree.root(), &byte_key(k), Some(&[v + 1])).is_err());
                    prop_assert!(proof.verify(&tree.root(), &byte_key(k), None).is_err());
                }
                None => {
                    proof.verify(&tree.root(), &byte_key(k), None).unwrap();
                    prop_assert!(proof.verify(&tree.root(), &byte_key(k), Some(&[0])).is_err());
                }
            }
        }
    }

    /// The root of random sets equals the reference implementation's, whatever order the keys arrive in.
    #[test]
    fn root_matches_reference(keys in proptest::collection::btree_set(any::<[u8; 4]>(), 0..200), seed in any::<u64>()) {
        let model: BTreeMap<Hash, Hash> = keys.iter().map(|k| (key_hash(k), value_hash(&k[..2]))).collect();
        let mut changes: Vec<(Hash, Option<Hash>)> = model.iter().map(|(k, v)| (*k, Some(*v))).collect();
        // A deterministic shuffle, and one key at a time, must give the same root as the reference.
        changes.sort_by_key(|(k, _)| k.iter().fold(seed, |acc, b| acc.rotate_left(5) ^ u64::from(*b)));
        let mut tree = StateTree::new();
        for change in &changes {
            tree.apply(vec![*change]);
        }
        prop_assert_eq!(tree.root(), reference_root(&model));
        prop_assert_eq!(tree.len(), model.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Crafted key hashes that share long prefixes: deep chains, leaves at depth 256, 256-sibling proofs.
    /// Each case checks 64 keys through proofs of up to 256 levels, hence fewer cases.
    #[test]
    fn crafted_keys_agree_with_model(batches in batches(64)) {
        let universe: Vec<Hash> = (0..64).map(crafted_key).collect();
        run(&batches, crafted_key, crafted_value, &universe);
    }
}

#[test]
fn two_keys_differing_in_the_last_bit_give_a_256_sibling_proof() {
    let (a, b) = (crafted_key(0), crafted_key(1 << 5));
    let mut tree = StateTree::new();
    tree.apply(vec![(a, Some(crafted_value(1))), (b, Some(crafted_value(2)))]);
    let proof = tree.prove(&b);
    assert_eq!(proof.siblings().len(), 256);
    assert!(proof.siblings()[..255].iter().all(|s| *s == EMPTY_ROOT));
    proof.verify_hashed(&tree.root(), &b, Some(&crafted_value(2))).unwrap();
    let mut model = BTreeMap::new();
    model.insert(a, crafted_value(1));
    model.insert(b, crafted_value(2));
    assert_eq!(tree.root(), reference_root(&model));

    // Deleting one collapses the whole chain: the survivor becomes the root leaf.
    tree.apply(vec![(a, None)]);
    assert_eq!(tree.prove(&b).siblings().len(), 0);
    model.remove(&a);
    assert_eq!(tree.root(), reference_root(&model));
}

#[test]
fn repeated_keys_in_a_batch_last_change_wins() {
    let key = key_hash(b"k");
    let mut tree = StateTree::new();
    tree.apply(vec![(key, Some(value_hash(b"1"))), (key, None), (key, Some(value_hash(b"3")))]);
    assert_eq!(tree.get(&key), Some(value_hash(b"3")));
    assert_eq!(tree.len(), 1);
    tree.apply(vec![(key, Some(value_hash(b"4"))), (key, None)]);
    assert_eq!(tree.get(&key), None);
    assert_eq!(tree.root(), EMPTY_ROOT);
}

#[test]
fn large_parallel_batch_matches_reference() {
    // Large enough to take the parallel path in apply.
    let mut model = BTreeMap::new();
    let mut tree = StateTree::new();
    for round in 0..3u32 {
        let changes: Vec<(Hash, Option<Hash>)> = (0..20_000u32)
            .map(|i| {
                let key = key_hash(&(i * 7 + round).to_le_bytes());
                let value = (i % 5 != round).then(|| value_hash(&(i ^ round).to_le_bytes()));
                (key, value)
            })
            .collect();
        for (k, v) in &changes {
            match v {
                Some(v) => model.insert(*k, *v),
                None => model.remove(k),
            };
        }
        tree.apply(changes);
        assert_eq!(tree.root(), reference_root(&model));
        assert_eq!(tree.len(), model.len());
    }
}
