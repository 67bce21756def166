//! RFC 9162 log hashing: hand-computed small trees, exhaustive proof checks over small sizes (valid proofs verify,
//! every tampering is rejected), random large sizes, and an independent bottom-up reference for the root.

use proptest::prelude::*;
use publica_merkle::log::{
    consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash, root, verify_consistency, verify_inclusion,
    LogError, MAX_LOG_PROOF_HASHES,
};
use publica_merkle::Hash;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Leaf hashes of `n` distinct entries.
fn leaves(n: usize) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(format!("anchored document {i}").as_bytes())).collect()
}

fn flip(hash: &Hash, bit: usize) -> Hash {
    let mut out = *hash;
    out[bit / 8] ^= 1 << (bit % 8);
    out
}

/// The bits to flip in each proof element: all 256 for small trees; for larger ones the first and last bit and
/// one that moves with `seed`, which keeps the exhaustive runs to seconds while every position is still hit.
fn bits_to_flip(all: bool, seed: usize) -> Vec<usize> {
    if all {
        (0..256).collect()
    } else {
        vec![0, 255, seed.wrapping_mul(37) % 256]
    }
}

fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks that the inclusion proof of `index` in the first `n` leaves verifies, and that a wrong index, size or
/// leaf, every flip of the given `bits` in every proof element, and every truncation or extension are rejected.
/// `root_of(s)` is the root of the first `s` leaves; `leaves` holds at least `n + 1` leaves.
fn check_inclusion(leaves: &[Hash], root_of: &dyn Fn(usize) -> Hash, n: usize, index: usize, bits: &[usize]) {
    let (size, idx) = (n as u64, index as u64);
    let tree_root = root_of(n);
    let leaf = &leaves[index];
    let proof = inclusion_proof(&leaves[..n], idx).unwrap();
    assert!(proof.len() <= MAX_LOG_PROOF_HASHES);
    assert_eq!(verify_inclusion(leaf, idx, size, &proof, &tree_root), Ok(()), "size {n} index {index}");

    // Wrong index: a neighbour's position, and one past the end.
    if index > 0 {
        assert!(verify_inclusion(leaf, idx - 1, size, &proof, &tree_root).is_err());
    }
    if index + 1 < n {
        assert!(verify_inclusion(leaf, idx + 1, size, &proof, &tree_root).is_err());
    }
    assert_eq!(
        verify_inclusion(leaf, size, size, &proof, &tree_root),
        Err(LogError::IndexOutOfRange { index: size, tree_size: size })
    );

    // Wrong size: the proof does not show inclusion in the log of another size (checked against that log's root).
    if n - 1 > index {
        assert!(verify_inclusion(leaf, idx, size - 1, &proof, &root_of(n - 1)).is_err());
    }
    assert!(verify_inclusion(leaf, idx, size + 1, &proof, &root_of(n + 1)).is_err());
    assert!(matches!(verify_inclusion(leaf, idx, idx, &proof, &tree_root), Err(LogError::IndexOutOfRange { .. })));

    // Wrong leaf.
    let stranger = leaf_hash(b"not in the log");
    assert!(matches!(
        verify_inclusion(&stranger, idx, size, &proof, &tree_root),
        Err(LogError::RootMismatch { which: "tree", .. })
    ));
    // A wrong root.
    assert!(verify_inclusion(leaf, idx, size, &proof, &flip(&tree_root, index % 256)).is_err());

    // Every flipped bit of every proof element.
    let mut tampered = proof.clone();
    for i in 0..proof.len() {
        for &bit in bits {
            tampered[i] = flip(&proof[i], bit);
            assert!(
                matches!(verify_inclusion(leaf, idx, size, &tampered, &tree_root), Err(LogError::RootMismatch { .. })),
                "size {n} index {index} element {i} bit {bit}"
            );
        }
        tampered[i] = proof[i];
    }

    // Every truncation, and an extension by one hash or by many.
    for len in 0..proof.len() {
        assert_eq!(verify_inclusion(leaf, idx, size, &proof[..len], &tree_root), Err(LogError::ProofTooShort { len }));
    }
    let mut extended = proof.clone();
    extended.push(stranger);
    assert_eq!(
        verify_inclusion(leaf, idx, size, &extended, &tree_root),
        Err(LogError::ProofTooLong { len: proof.len() + 1 })
    );
    extended.resize(MAX_LOG_PROOF_HASHES + 1, stranger);
    assert_eq!(
        verify_inclusion(leaf, idx, size, &extended, &tree_root),
        Err(LogError::ProofTooLong { len: MAX_LOG_PROOF_HASHES + 1 })
    );
}

/// Checks that the consistency proof from `m` to `n` leaves verifies, and that every flip of the given `bits`
/// in every proof element, a wrong old or new root, other sizes, swapped sizes, truncation and extension are
/// rejected. `leaves` holds at least `n + 1` leaves.
fn check_consistency(leaves: &[Hash], root_of: &dyn Fn(usize) -> Hash, m: usize, n: usize, bits: &[usize]) {
    let (old, new) = (m as u64, n as u64);
    let (old_root, new_root) = (root_of(m), root_of(n));
    let proof = consistency_proof(&leaves[..n], old).unwrap();
    assert!(proof.len() <= MAX_LOG_PROOF_HASHES);
    assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()), "m {m} n {n}");

    // Wrong roots.
    assert!(matches!(
        verify_consistency(old, new, &flip(&old_root, m % 256), &new_root, &proof),
        Err(LogError::RootMismatch { .. })
    ));
    assert!(matches!(
        verify_consistency(old, new, &old_root, &flip(&new_root, n % 256), &proof),
        Err(LogError::RootMismatch { which: "new", .. })
    ));

    // Swapped sizes.
    if m < n {
        assert_eq!(
            verify_consistency(new, old, &new_root, &old_root, &proof),
            Err(LogError::InvalidSizes { old_size: new, new_size: old })
        );
        assert_eq!(consistency_proof(&leaves[..m], new), Err(LogError::InvalidSizes { old_size: new, new_size: old }));
    }

    // The proof does not link other sizes (checked against their true roots).
    assert!(verify_consistency(old, new + 1, &old_root, &root_of(n + 1), &proof).is_err());
    if m + 1 < n {
        assert!(verify_consistency(old + 1, new, &root_of(m + 1), &new_root, &proof).is_err());
    }

    let stranger = leaf_hash(b"not in the log");
    if m == n {
        assert!(proof.is_empty());
        assert_eq!(
            verify_consistency(old, new, &old_root, &new_root, &[stranger]),
            Err(LogError::ProofTooLong { len: 1 })
        );
        return;
    }

    // Every flipped bit of every proof element.
    let mut tampered = proof.clone();
    for i in 0..proof.len() {
        for &bit in bits {
            tampered[i] = flip(&proof[i], bit);
            assert!(
                matches!(
                    verify_consistency(old, new, &old_root, &new_root, &tampered),
                    Err(LogError::RootMismatch { .. })
                ),
                "m {m} n {n} element {i} bit {bit}"
            );
        }
        tampered[i] = proof[i];
    }

    // Every truncation, and an extension by one hash or by many.
    for len in 0..proof.len() {
        assert_eq!(
            verify_consistency(old, new, &old_root, &new_root, &proof[..len]),
            Err(LogError::ProofTooShort { len })
        );
    }
    let mut extended = proof.clone();
    extended.push(stranger);
    assert_eq!(
        verify_consistency(old, new, &old_root, &new_root, &extended),
        Err(LogError::ProofTooLong { len: proof.len() + 1 })
    );
    extended.resize(MAX_LOG_PROOF_HASHES + 1, stranger);
    assert_eq!(
        verify_consistency(old, new, &old_root, &new_root, &extended),
        Err(LogError::ProofTooLong { len: MAX_LOG_PROOF_HASHES + 1 })
    );
}

/// An independent root: leaves are pushed onto a stack of perfect subtrees, merging equal heights as a binary
/// counter carries (a compact range); at the end the remaining subtrees are folded from the right.
fn reference_roots(leaves: &[Hash]) -> Vec<Hash> {
    let mut stack: Vec<(u32, Hash)> = Vec::new();
    let mut roots = vec![Sha256::digest(b"").into()];
    for leaf in leaves {
        stack.push((0, *leaf));
        while stack.len() >= 2 && stack[stack.len() - 1].0 == stack[stack.len() - 2].0 {
            let (height, right) = stack.pop().unwrap();
            let (_, left) = stack.pop().unwrap();
            stack.push((height + 1, node_hash(&left, &right)));
        }
        let mut subtrees = stack.iter().rev();
        let mut acc = subtrees.next().unwrap().1;
        for (_, left) in subtrees {
            acc = node_hash(left, &acc);
        }
        roots.push(acc);
    }
    roots
}

#[test]
fn empty_tree_root_is_sha256_of_nothing() {
    let expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(hex(&root(&[])), expected);
    assert_eq!(hex(&empty_root()), expected);
}

#[test]
fn leaf_and_node_hashes_are_domain_separated() {
    assert_eq!(leaf_hash(b"abc"), <[u8; 32]>::from(Sha256::digest(b"\x00abc")));
    let (a, b) = ([1u8; 32], [2u8; 32]);
    let mut preimage = vec![1u8];
    preimage.extend_from_slice(&a);
    preimage.extend_from_slice(&b);
    assert_eq!(node_hash(&a, &b), <[u8; 32]>::from(Sha256::digest(&preimage)));
    assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
}

#[test]
fn small_trees_match_hand_computation() {
    let d = leaves(7);
    let n = node_hash;
    assert_eq!(root(&d[..1]), d[0]);
    assert_eq!(root(&d[..2]), n(&d[0], &d[1]));
    assert_eq!(root(&d[..3]), n(&n(&d[0], &d[1]), &d[2]));
    assert_eq!(root(&d[..4]), n(&n(&d[0], &d[1]), &n(&d[2], &d[3])));
    let left4 = n(&n(&d[0], &d[1]), &n(&d[2], &d[3]));
    assert_eq!(root(&d[..5]), n(&left4, &d[4]));
    assert_eq!(root(&d[..6]), n(&left4, &n(&d[4], &d[5])));
    assert_eq!(root(&d[..7]), n(&left4, &n(&n(&d[4], &d[5]), &d[6])));

    // Proofs of the 7-leaf tree of RFC 9162's worked example.
    assert_eq!(inclusion_proof(&d, 0).unwrap(), vec![d[1], n(&d[2], &d[3]), n(&n(&d[4], &d[5]), &d[6])]);
    assert_eq!(inclusion_proof(&d, 3).unwrap(), vec![d[2], n(&d[0], &d[1]), n(&n(&d[4], &d[5]), &d[6])]);
    assert_eq!(inclusion_proof(&d, 4).unwrap(), vec![d[5], d[6], left4]);
    assert_eq!(inclusion_proof(&d, 6).unwrap(), vec![n(&d[4], &d[5]), left4]);
    assert_eq!(consistency_proof(&d, 3).unwrap(), vec![d[2], d[3], n(&d[0], &d[1]), n(&n(&d[4], &d[5]), &d[6])]);
    assert_eq!(consistency_proof(&d, 4).unwrap(), vec![n(&n(&d[4], &d[5]), &d[6])]);
    assert_eq!(consistency_proof(&d, 6).unwrap(), vec![n(&d[4], &d[5]), d[6], left4]);
}

#[test]
fn certificate_transparency_vectors() {
    // The leaf inputs and roots of the reference Merkle tree tests in Certificate Transparency implementations.
    let inputs: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let hashes: Vec<Hash> = inputs.iter().map(|entry| leaf_hash(entry)).collect();
    for (size, expected) in (1..=8).zip(roots) {
        assert_eq!(hex(&root(&hashes[..size])), expected, "size {size}");
    }
}

#[test]
fn empty_and_equal_sizes() {
    let d = leaves(5);
    let empty = empty_root();
    assert_eq!(inclusion_proof(&[], 0), Err(LogError::IndexOutOfRange { index: 0, tree_size: 0 }));
    assert_eq!(verify_inclusion(&d[0], 0, 0, &[], &empty), Err(LogError::IndexOutOfRange { index: 0, tree_size: 0 }));
    assert_eq!(inclusion_proof(&d, 5), Err(LogError::IndexOutOfRange { index: 5, tree_size: 5 }));
    assert_eq!(inclusion_proof(&d[..1], 0).unwrap(), Vec::<Hash>::new());

    for n in 0..=5 {
        let new_root = root(&d[..n]);
        assert_eq!(consistency_proof(&d[..n], 0).unwrap(), Vec::<Hash>::new());
        assert_eq!(verify_consistency(0, n as u64, &empty, &new_root, &[]), Ok(()));
        assert!(matches!(
            verify_consistency(0, n as u64, &d[0], &new_root, &[]),
            Err(LogError::RootMismatch { which: "old", .. })
        ));
        assert_eq!(verify_consistency(0, n as u64, &empty, &new_root, &[d[0]]), Err(LogError::ProofTooLong { len: 1 }));
        assert_eq!(consistency_proof(&d[..n], n as u64).unwrap(), Vec::<Hash>::new());
        assert_eq!(verify_consistency(n as u64, n as u64, &new_root, &new_root, &[]), Ok(()));
    }
    assert!(matches!(
        verify_consistency(3, 3, &root(&d[..3]), &root(&d[..4]), &[]),
        Err(LogError::RootMismatch { which: "new", .. })
    ));
    assert_eq!(verify_consistency(2, 3, &root(&d[..2]), &root(&d[..3]), &[]), Err(LogError::ProofTooShort { len: 0 }));
    assert_eq!(consistency_proof(&d, 6), Err(LogError::InvalidSizes { old_size: 6, new_size: 5 }));
}

#[test]
fn error_messages_say_what_is_wrong() {
    let text = LogError::IndexOutOfRange { index: 9, tree_size: 4 }.to_string();
    assert!(text.contains("index 9") && text.contains("4 leaves"), "{text}");
    let text = LogError::InvalidSizes { old_size: 7, new_size: 3 }.to_string();
    assert!(text.contains("7") && text.contains("larger"), "{text}");
    let text = LogError::RootMismatch { which: "old", computed: [0xab; 32], expected: [0xcd; 32] }.to_string();
    assert!(text.starts_with("old root mismatch") && text.contains(&"ab".repeat(32)), "{text}");
}

#[test]
fn inclusion_proofs_for_every_index_of_every_size_to_200() {
    let d = leaves(201);
    let roots: Vec<Hash> = (0..=201).map(|n| root(&d[..n])).collect();
    let root_of = |size: usize| roots[size];
    let checked: usize = (1..=200usize)
        .into_par_iter()
        .map(|n| {
            for index in 0..n {
                check_inclusion(&d, &root_of, n, index, &bits_to_flip(n <= 40, n + index));
            }
            n
        })
        .sum();
    assert_eq!(checked, 200 * 201 / 2);
}

#[test]
fn consistency_proofs_for_every_pair_of_sizes_to_130() {
    let d = leaves(131);
    let roots: Vec<Hash> = (0..=131).map(|n| root(&d[..n])).collect();
    let root_of = |size: usize| roots[size];
    let checked: usize = (1..=130usize)
        .into_par_iter()
        .map(|n| {
            for m in 1..=n {
                check_consistency(&d, &root_of, m, n, &bits_to_flip(n <= 30, n + m));
            }
            n
        })
        .sum();
    assert_eq!(checked, 130 * 131 / 2);
}

#[test]
fn root_agrees_with_bottom_up_reference_to_1000() {
    let d = leaves(1000);
    let reference = reference_roots(&d);
    assert_eq!(reference.len(), 1001);
    for (n, expected) in reference.iter().enumerate() {
        assert_eq!(root(&d[..n]), *expected, "size {n}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn proofs_for_random_large_sizes(n in 1usize..=5000, index_seed in any::<u64>(), old_seed in any::<u64>(), bit in 0usize..256) {
        let d = leaves(n + 1);
        let root_of = |size: usize| root(&d[..size]);
        let index = (index_seed % n as u64) as usize;
        let m = 1 + (old_seed % n as u64) as usize;
        check_inclusion(&d, &root_of, n, index, &[bit]);
        check_consistency(&d, &root_of, m, n, &[bit]);
    }
}
