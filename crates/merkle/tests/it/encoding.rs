//! Borsh and JSON encodings of proofs: round trips, exact layout, and limits against hostile input.

use publica_merkle::{key_hash, value_hash, ProofError, ProofTerminal, StateProof, StateTree, MAX_PROOF_SIBLINGS};

fn sample_tree() -> StateTree {
    let mut tree = StateTree::new();
    tree.apply((0..1000u32).map(|i| (key_hash(&i.to_be_bytes()), Some(value_hash(&i.to_le_bytes())))).collect());
    tree
}

#[test]
fn borsh_round_trips_with_the_documented_layout() {
    let tree = sample_tree();
    for i in [0u32, 1, 999, 5000, 77777] {
        let proof = tree.prove(&key_hash(&i.to_be_bytes()));
        let bytes = borsh::to_vec(&proof).unwrap();
        let count = proof.siblings().len();
        assert_eq!(&bytes[..4], &(count as u32).to_le_bytes());
        for (index, sibling) in proof.siblings().iter().enumerate() {
            assert_eq!(&bytes[4 + 32 * index..4 + 32 * (index + 1)], sibling);
        }
        let rest = &bytes[4 + 32 * count..];
        match proof.terminal() {
            ProofTerminal::Empty => assert_eq!(rest, [0]),
            ProofTerminal::Leaf { key_hash, value_hash } => {
                assert_eq!(rest.len(), 65);
                assert_eq!(rest[0], 1);
                assert_eq!(&rest[1..33], key_hash);
                assert_eq!(&rest[33..], value_hash);
            }
        }
        assert_eq!(borsh::from_slice::<StateProof>(&bytes).unwrap(), proof);
    }
}

#[test]
fn borsh_rejects_too_many_siblings_before_allocating() {
    // 257 siblings, fully present: refused by count.
    let mut bytes = (MAX_PROOF_SIBLINGS as u32 + 1).to_le_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(7u8, 32 * (MAX_PROOF_SIBLINGS + 1)));
    bytes.push(0);
    assert!(borsh::from_slice::<StateProof>(&bytes).is_err());

    // A hostile count with no data behind it fails at once instead of reserving 128 GiB.
    let mut bytes = u32::MAX.to_le_bytes().to_vec();
    bytes.extend([0u8; 8]);
    let err = borsh::from_slice::<StateProof>(&bytes).unwrap_err();
    assert!(err.to_string().contains("at most") || err.to_string().contains("more than"), "{err}");

    // Exactly 256 is allowed.
    let mut bytes = (MAX_PROOF_SIBLINGS as u32).to_le_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(7u8, 32 * MAX_PROOF_SIBLINGS));
    bytes.push(0);
    assert_eq!(borsh::from_slice::<StateProof>(&bytes).unwrap().siblings().len(), MAX_PROOF_SIBLINGS);
}

#[test]
fn borsh_rejects_truncated_trailing_and_unknown_terminal() {
    let tree = sample_tree();
    let bytes = borsh::to_vec(&tree.prove(&key_hash(&3u32.to_be_bytes()))).unwrap();
    for cut in 0..bytes.len() {
        assert!(borsh::from_slice::<StateProof>(&bytes[..cut]).is_err(), "truncated at {cut} decoded");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(borsh::from_slice::<StateProof>(&longer).is_err());
    let empty_terminal_tag_2 = [0, 0, 0, 0, 2];
    assert!(borsh::from_slice::<StateProof>(&empty_terminal_tag_2).is_err());
}

#[test]
fn new_refuses_too_many_siblings() {
    let err = StateProof::new(vec![[0; 32]; MAX_PROOF_SIBLINGS + 1], ProofTerminal::Empty).unwrap_err();
    assert_eq!(err, ProofError::TooManySiblings { count: 257, max: 256 });
    assert!(StateProof::new(vec![[0; 32]; MAX_PROOF_SIBLINGS], ProofTerminal::Empty).is_ok());
}

#[test]
fn json_round_trips_in_lowercase_hex() {
    let tree = sample_tree();
    for i in [4u32, 123_456] {
        let proof = tree.prove(&key_hash(&i.to_be_bytes()));
        let json = serde_json::to_string(&proof).unwrap();
        assert_eq!(json, json.to_lowercase());
        assert_eq!(serde_json::from_str::<StateProof>(&json).unwrap(), proof);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["siblings"].as_array().unwrap().len(), proof.siblings().len());
        let kind = value["terminal"]["kind"].as_str().unwrap();
        assert!(kind == "leaf" || kind == "empty");
    }
    let empty = StateProof::new(vec![], ProofTerminal::Empty).unwrap();
    assert_eq!(serde_json::to_string(&empty).unwrap(), r#"{"siblings":[],"terminal":{"kind":"empty"}}"#);
}

#[test]
fn json_rejects_bad_input() {
    let zero = "0".repeat(64);
    let leaf = format!(r#"{{"siblings":[],"terminal":{{"kind":"leaf","key_hash":"{zero}","value_hash":"{zero}"}}}}"#);
    assert!(serde_json::from_str::<StateProof>(&leaf).is_ok());
    let good = format!(r#"{{"siblings":["{zero}"],"terminal":{{"kind":"empty"}}}}"#);
    assert!(serde_json::from_str::<StateProof>(&good).is_ok());

    let bad = [
        good.replace(&zero, &"A".repeat(64)),
        good.replace(&zero, &"0".repeat(63)),
        good.replace(&zero, &"0".repeat(66)),
        good.replace(&zero, &format!("0x{}", "0".repeat(62))),
        good.replace("empty", "branch"),
        good.replace(r#""kind":"empty""#, r#""kind":"empty","extra":1"#),
        good.replace(r#""siblings""#, r#""extra":1,"siblings""#),
        format!(r#"{{"siblings":["{zero}"],"terminal":{{"kind":"leaf","key_hash":"{zero}"}}}}"#),
        format!(r#"{{"siblings":[],"terminal":{{"kind":"empty","key_hash":"{zero}","value_hash":"{zero}"}}}}"#),
        format!(r#"{{"siblings":[],"terminal":{{"kind":"leaf","key_hash":"{zero}","value_hash":"{zero}","x":1}}}}"#),
        r#"{"siblings":[]}"#.to_string(),
    ];
    for json in &bad {
        assert!(serde_json::from_str::<StateProof>(json).is_err(), "accepted {json}");
    }

    let many = vec![format!("\"{zero}\""); MAX_PROOF_SIBLINGS + 1].join(",");
    let json = format!(r#"{{"siblings":[{many}],"terminal":{{"kind":"empty"}}}}"#);
    let err = serde_json::from_str::<StateProof>(&json).unwrap_err();
    assert!(err.to_string().contains("at most 256"), "{err}");
}
