//! Hybrid signing and verification.

use publica_crypto::{
    signing_message, CryptoError, Half, Keypair, PublicKey, Signature, ML_DSA_65_SIGNATURE_LEN, SIGNATURE_LEN,
};

use crate::keypair;

fn flip(bytes: &[u8], index: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[index] ^= 0x01;
    out
}

#[test]
fn sign_verify_round_trip() {
    let kp = keypair(1);
    let message = signing_message("tx", "publica-test", b"hello");
    let signature = kp.sign(&message);
    kp.public_key().verify(&message, &signature).unwrap();
    assert_eq!(signature.to_bytes().len(), SIGNATURE_LEN);
}

#[test]
fn generated_keys_sign_and_differ() {
    let a = Keypair::generate();
    let b = Keypair::generate();
    assert_ne!(a.public_key(), b.public_key());
    let signature = a.sign(b"m");
    a.public_key().verify(b"m", &signature).unwrap();
    assert!(b.public_key().verify(b"m", &signature).is_err());
}

#[test]
fn bad_ml_dsa_half_alone_fails_and_is_named() {
    let kp = keypair(2);
    let signature = kp.sign(b"message").to_bytes();
    for index in [0, 1000, ML_DSA_65_SIGNATURE_LEN - 1] {
        let tampered = Signature::from_bytes(&flip(&signature, index)).unwrap();
        let error = kp.public_key().verify(b"message", &tampered).unwrap_err();
        assert_eq!(error.failed_half(), Some(Half::MlDsa65), "byte {index}");
        assert!(error.to_string().contains("ML-DSA-65 half"), "{error}");
    }
}

#[test]
fn bad_ed25519_half_alone_fails_and_is_named() {
    let kp = keypair(3);
    let signature = kp.sign(b"message").to_bytes();
    // First byte of R, a byte in the middle of S, and the top byte of S (which makes S >= l).
    for index in [ML_DSA_65_SIGNATURE_LEN, ML_DSA_65_SIGNATURE_LEN + 40, SIGNATURE_LEN - 1] {
        let mut tampered = flip(&signature, index);
        if index == SIGNATURE_LEN - 1 {
            tampered[index] |= 0xf0;
        }
        let tampered = Signature::from_bytes(&tampered).unwrap();
        let error = kp.public_key().verify(b"message", &tampered).unwrap_err();
        assert_eq!(error.failed_half(), Some(Half::Ed25519), "byte {index}");
        assert!(error.to_string().contains("Ed25519 half"), "{error}");
    }
}

#[test]
fn halves_from_different_signings_still_verify_but_not_across_messages() {
    // Each half is an independent standard signature, so halves of two signatures over the same message combine.
    let kp = keypair(4);
    let first = kp.sign(b"same");
    let second = kp.sign(b"same");
    let mixed = Signature::from_halves(first.ml_dsa_bytes(), second.ed25519_bytes()).unwrap();
    kp.public_key().verify(b"same", &mixed).unwrap();
    // But a half taken from a signature of another message breaks verification.
    let other = kp.sign(b"other");
    let spliced = Signature::from_halves(first.ml_dsa_bytes(), other.ed25519_bytes()).unwrap();
    assert_eq!(kp.public_key().verify(b"same", &spliced).unwrap_err().failed_half(), Some(Half::Ed25519));
}

#[test]
fn wrong_message_fails() {
    let kp = keypair(5);
    let signature = kp.sign(&signing_message("tx", "chain-a", b"body"));
    for other in [
        signing_message("tx", "chain-b", b"body"),
        signing_message("vote", "chain-a", b"body"),
        signing_message("tx", "chain-a", b"bodY"),
        b"body".to_vec(),
    ] {
        let error = kp.public_key().verify(&other, &signature).unwrap_err();
        assert_eq!(error.failed_half(), Some(Half::MlDsa65));
    }
}

#[test]
fn wrong_key_fails_and_mixed_keys_fail() {
    let a = keypair(6);
    let b = keypair(7);
    let signature = a.sign(b"m");
    assert!(b.public_key().verify(b"m", &signature).is_err());
    // A key made of a's ML-DSA half and b's Ed25519 half: the ML-DSA half passes, the Ed25519 half must not.
    let mixed = PublicKey::from_components(a.public_key().ml_dsa().clone(), *b.public_key().ed25519());
    assert_eq!(mixed.verify(b"m", &signature).unwrap_err().failed_half(), Some(Half::Ed25519));
    let mixed = PublicKey::from_components(b.public_key().ml_dsa().clone(), *a.public_key().ed25519());
    assert_eq!(mixed.verify(b"m", &signature).unwrap_err().failed_half(), Some(Half::MlDsa65));
}

#[test]
fn from_seed_is_deterministic() {
    let a = Keypair::from_seed(&[42; 32]);
    let b = Keypair::from_seed(&[42; 32]);
    assert_eq!(a.public_key(), b.public_key());
    assert_eq!(a.address(), b.address());
    // Ed25519 signing is deterministic, ML-DSA signing is hedged: the second halves match, the first need not.
    assert_eq!(a.sign(b"m").ed25519_bytes(), b.sign(b"m").ed25519_bytes());
    // Cross-verification works in both directions.
    b.public_key().verify(b"m", &a.sign(b"m")).unwrap();
    // Pinned so that an accidental change of the derivation is caught: the address of the seed [42; 32].
    assert_eq!(Keypair::from_seed(&[42; 32]).address().to_string(), PINNED_ADDRESS_SEED_42);
}

/// Address of `Keypair::from_seed(&[42; 32])`; also quoted in docs/signatures.md.
const PINNED_ADDRESS_SEED_42: &str = "4c093975c4e9bf6ea6bb7a5fdb5edc7296a2fa08";

#[test]
fn secret_bytes_round_trip() {
    let kp = keypair(8);
    let secret = kp.to_secret_bytes();
    assert_eq!(secret.len(), publica_crypto::SECRET_KEY_LEN);
    let again = Keypair::from_secret_bytes(&secret).unwrap();
    assert_eq!(again.public_key(), kp.public_key());
    again.public_key().verify(b"x", &kp.sign(b"x")).unwrap();
    kp.public_key().verify(b"x", &again.sign(b"x")).unwrap();
    for len in [0, 32, 63, 65] {
        assert!(matches!(
            Keypair::from_secret_bytes(&vec![0; len]),
            Err(CryptoError::InvalidLength { what: "secret key", expected: 64, .. })
        ));
    }
}

#[test]
fn address_is_the_documented_hash() {
    let kp = keypair(9);
    let mut input = b"publica/address/v1\x00".to_vec();
    input.extend_from_slice(&kp.public_key().to_bytes());
    assert_eq!(&kp.address().0[..], &publica_crypto::sha256(&input)[..20]);
}

#[test]
fn empty_and_large_messages() {
    let kp = keypair(10);
    for message in [Vec::new(), vec![0xab; 1 << 20]] {
        let signature = kp.sign(&message);
        kp.public_key().verify(&message, &signature).unwrap();
    }
}

#[test]
fn component_signatures_verify_under_their_own_half_only() {
    let kp = keypair(9);
    let ml_dsa = kp.sign_ml_dsa_65(b"component input");
    assert_eq!(ml_dsa.len(), ML_DSA_65_SIGNATURE_LEN);
    kp.public_key().ml_dsa().verify(b"component input", &ml_dsa).unwrap();
    assert!(kp.public_key().ml_dsa().verify(b"other input", &ml_dsa).is_err());
    assert!(keypair(10).public_key().ml_dsa().verify(b"component input", &ml_dsa).is_err());

    let ed25519 = kp.sign_ed25519(b"component input");
    kp.public_key().ed25519().verify(b"component input", &ed25519).unwrap();
    assert!(kp.public_key().ed25519().verify(b"other input", &ed25519).is_err());
    assert!(keypair(10).public_key().ed25519().verify(b"component input", &ed25519).is_err());
}

#[test]
fn component_ed25519_signature_is_the_ed25519_half_of_sign() {
    // Ed25519 is deterministic, so the component signature equals the hybrid signature's Ed25519 half byte for byte.
    let kp = keypair(11);
    let hybrid = kp.sign(b"same input").to_bytes();
    assert_eq!(&hybrid[ML_DSA_65_SIGNATURE_LEN..], &kp.sign_ed25519(b"same input")[..]);
}
