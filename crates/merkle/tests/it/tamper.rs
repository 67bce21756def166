//! Altered proofs, roots and claims must fail: every single bit matters.

use publica_merkle::{key_hash, value_hash, Hash, ProofError, ProofTerminal, StateProof, StateTree};

fn tree_of(count: u32) -> StateTree {
    let mut tree = StateTree::new();
    tree.apply(
        (0..count)
            .map(|i| (key_hash(format!("key-{i}").as_bytes()), Some(value_hash(format!("value-{i}").as_bytes()))))
            .collect(),
    );
    tree
}

/// Every proof obtained by flipping one bit of one sibling, of the terminal leaf's fields, in turn.
fn bit_flips(proof: &StateProof) -> Vec<StateProof> {
    let mut out = Vec::new();
    for index in 0..proof.siblings().len() {
        for bit in 0..256 {
            let mut siblings = proof.siblings().to_vec();
            siblings[index][bit / 8] ^= 1 << (bit % 8);
            out.push(StateProof::new(siblings, *proof.terminal()).unwrap());
        }
    }
    if let ProofTerminal::Leaf { key_hash, value_hash } = *proof.terminal() {
        for bit in 0..256 {
            let mut flipped_key = key_hash;
            flipped_key[bit / 8] ^= 1 << (bit % 8);
            let mut flipped_value = value_hash;
            flipped_value[bit / 8] ^= 1 << (bit % 8);
            for terminal in [
                ProofTerminal::Leaf { key_hash: flipped_key, value_hash },
                ProofTerminal::Leaf { key_hash, value_hash: flipped_value },
            ] {
                out.push(StateProof::new(proof.siblings().to_vec(), terminal).unwrap());
            }
        }
    }
    out
}

fn flipped_roots(root: &Hash) -> impl Iterator<Item = Hash> + '_ {
    (0..256).map(move |bit| {
        let mut flipped = *root;
        flipped[bit / 8] ^= 1 << (bit % 8);
        flipped
    })
}

/// Finds absent keys whose proofs end at an empty subtree and at another key's leaf.
fn absent_keys(tree: &StateTree) -> (Vec<u8>, Vec<u8>) {
    let mut ends_empty = None;
    let mut ends_leaf = None;
    for j in 0..100_000 {
        let key = format!("absent-{j}").into_bytes();
        match tree.prove(&key_hash(&key)).terminal() {
            ProofTerminal::Empty if ends_empty.is_none() => ends_empty = Some(key),
            ProofTerminal::Leaf { .. } if ends_leaf.is_none() => ends_leaf = Some(key),
            _ => {}
        }
        if ends_empty.is_some() && ends_leaf.is_some() {
            break;
        }
    }
    (ends_empty.expect("an absent key ending at an empty subtree"), ends_leaf.expect("an absent key ending at a leaf"))
}

#[test]
fn membership_proof_fails_after_any_bit_flip() {
    let tree = tree_of(300);
    let root = tree.root();
    let (key, value) = (b"key-7".as_slice(), b"value-7".as_slice());
    let proof = tree.prove(&key_hash(key));
    proof.verify(&root, key, Some(value)).unwrap();
    assert!(proof.siblings().len() >= 5);

    let flips = bit_flips(&proof);
    assert_eq!(flips.len(), proof.siblings().len() * 256 + 512);
    for tampered in &flips {
        assert!(tampered.verify(&root, key, Some(value)).is_err());
        assert!(tampered.verify(&root, key, None).is_err());
    }
    for bad_root in flipped_roots(&root) {
        assert!(matches!(proof.verify(&bad_root, key, Some(value)), Err(ProofError::RootMismatch { .. })));
    }
}

#[test]
fn non_membership_proofs_fail_after_any_bit_flip() {
    let tree = tree_of(300);
    let root = tree.root();
    let (ends_empty, ends_leaf) = absent_keys(&tree);
    for key in [&ends_empty, &ends_leaf] {
        let proof = tree.prove(&key_hash(key));
        proof.verify(&root, key, None).unwrap();
        for tampered in bit_flips(&proof) {
            assert!(tampered.verify(&root, key, None).is_err());
        }
        for bad_root in flipped_roots(&root) {
            assert!(proof.verify(&bad_root, key, None).is_err());
        }
    }
}

#[test]
fn membership_and_non_membership_are_not_interchangeable() {
    let tree = tree_of(300);
    let root = tree.root();
    let member = tree.prove(&key_hash(b"key-11"));
    assert_eq!(
        member.verify(&root, b"key-11", None),
        Err(ProofError::KeyPresent { key_hash: key_hash(b"key-11"), value_hash: value_hash(b"value-11") })
    );

    let (ends_empty, ends_leaf) = absent_keys(&tree);
    let proof = tree.prove(&key_hash(&ends_empty));
    assert_eq!(
        proof.verify(&root, &ends_empty, Some(b"anything")),
        Err(ProofError::KeyAbsent { key_hash: key_hash(&ends_empty) })
    );
    let proof = tree.prove(&key_hash(&ends_leaf));
    let err = proof.verify(&root, &ends_leaf, Some(b"anything")).unwrap_err();
    assert!(matches!(err, ProofError::LeafForAnotherKey { .. }), "{err}");

    // A member's proof says nothing about a different key: its leaf is off that key's path or another key's.
    let err = member.verify(&root, b"key-12", Some(b"value-12")).unwrap_err();
    assert!(
        matches!(
            err,
            ProofError::LeafOffPath { .. } | ProofError::RootMismatch { .. } | ProofError::LeafForAnotherKey { .. }
        ),
        "{err}"
    );
}

#[test]
fn adding_or_removing_siblings_fails() {
    let tree = tree_of(300);
    let root = tree.root();
    let proof = tree.prove(&key_hash(b"key-3"));
    let mut longer = proof.siblings().to_vec();
    longer.push([0; 32]);
    let longer = StateProof::new(longer, *proof.terminal()).unwrap();
    assert!(longer.verify(&root, b"key-3", Some(b"value-3")).is_err());
    let shorter = StateProof::new(proof.siblings()[1..].to_vec(), *proof.terminal()).unwrap();
    assert!(shorter.verify(&root, b"key-3", Some(b"value-3")).is_err());
    let shorter = StateProof::new(proof.siblings()[..proof.siblings().len() - 1].to_vec(), *proof.terminal()).unwrap();
    assert!(shorter.verify(&root, b"key-3", Some(b"value-3")).is_err());
}

#[test]
fn any_bit_flip_in_the_encoded_proof_fails() {
    let tree = tree_of(300);
    let root = tree.root();
    for (key, value) in [(b"key-5".as_slice(), Some(b"value-5".as_slice())), (b"absent-1".as_slice(), None)] {
        let proof = tree.prove(&key_hash(key));
        proof.verify(&root, key, value).unwrap();
        let bytes = borsh::to_vec(&proof).unwrap();
        for bit in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            if let Ok(decoded) = borsh::from_slice::<StateProof>(&flipped) {
                assert!(decoded.verify(&root, key, value).is_err(), "bit {bit} flipped and still verified");
            }
        }
    }
}
