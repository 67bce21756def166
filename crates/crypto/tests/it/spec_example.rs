//! The worked example in docs/signatures.md, recomputed so the document stays true.

use publica_crypto::{sha256, signing_message, Keypair};

/// Values of the worked example: (name, lowercase hex). The document must quote each of them.
fn example() -> Vec<(&'static str, String)> {
    let seed = [42u8; 32];
    let kp = Keypair::from_seed(&seed);
    let message = signing_message("tx", "publica-devnet", &[0x01, 0x02, 0x03]);
    let secret = kp.to_secret_bytes();
    let signature = kp.sign(&message);
    // The ML-DSA half is hedged (randomized) and therefore not quotable, but it must verify like any other.
    kp.public_key().ml_dsa().verify(&message, signature.ml_dsa_bytes()).unwrap();
    vec![
        ("signing message", hex::encode(&message)),
        ("ML-DSA-65 seed xi", hex::encode(&secret[..32])),
        ("Ed25519 secret key", hex::encode(&secret[32..])),
        ("SHA-256 of the ML-DSA-65 public key", hex::encode(sha256(kp.public_key().ml_dsa_bytes()))),
        ("Ed25519 public key", hex::encode(kp.public_key().ed25519_bytes())),
        ("address", kp.address().to_string()),
        ("Ed25519 signature", hex::encode(signature.ed25519_bytes())),
    ]
}

#[test]
fn docs_quote_the_worked_example() {
    let example = example();
    for (name, value) in &example {
        println!("{name}: {value}");
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/signatures.md");
    let doc = std::fs::read_to_string(&path).expect("docs/signatures.md exists");
    // Hex in the document may be wrapped over several lines; compare with whitespace removed.
    let doc: String = doc.chars().filter(|c| !c.is_whitespace()).collect();
    for (name, value) in example {
        assert!(doc.contains(&value), "docs/signatures.md must quote the {name} {value}");
    }
}

#[test]
fn worked_message_layout() {
    let message = signing_message("tx", "publica-devnet", &[0x01, 0x02, 0x03]);
    let mut expected = b"PUBLICA-SIG-V1".to_vec();
    expected.push(2);
    expected.extend_from_slice(b"tx");
    expected.push(14);
    expected.extend_from_slice(b"publica-devnet");
    expected.extend_from_slice(&[1, 2, 3]);
    assert_eq!(message, expected);
}
