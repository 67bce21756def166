//! `verify_batch` against per-item `verify`.

use proptest::prelude::*;
use publica_crypto::{
    verify_batch, CryptoError, Half, Keypair, PublicKey, Signature, ML_DSA_65_SIGNATURE_LEN, SIGNATURE_LEN,
};

use crate::keypair;

struct Fixture {
    keys: Vec<PublicKey>,
    messages: Vec<Vec<u8>>,
    signatures: Vec<Signature>,
}

impl Fixture {
    /// `n` items signed by 5 keys (so batches contain repeated keys, which the Ed25519 batch coalesces).
    fn new(n: usize) -> Self {
        let signers: Vec<Keypair> = (0..5).map(|i| keypair(100 + i)).collect();
        let mut fixture = Fixture { keys: Vec::new(), messages: Vec::new(), signatures: Vec::new() };
        for i in 0..n {
            let signer = &signers[i % signers.len()];
            let message = publica_crypto::signing_message("test", "batch", &(i as u64).to_le_bytes());
            fixture.signatures.push(signer.sign(&message));
            fixture.keys.push(signer.public_key().clone());
            fixture.messages.push(message);
        }
        fixture
    }

    fn items(&self) -> Vec<(&PublicKey, &[u8], &Signature)> {
        (0..self.keys.len()).map(|i| (&self.keys[i], &self.messages[i][..], &self.signatures[i])).collect()
    }
}

fn same_verdict(a: &Result<(), CryptoError>, b: &Result<(), CryptoError>) -> bool {
    match (a, b) {
        (Ok(()), Ok(())) => true,
        (Err(x), Err(y)) => x.failed_half() == y.failed_half() && x.to_string() == y.to_string(),
        _ => false,
    }
}

#[test]
fn all_good() {
    let fixture = Fixture::new(200);
    let results = verify_batch(&fixture.items());
    assert_eq!(results.len(), 200);
    assert!(results.iter().all(Result::is_ok));
    assert!(verify_batch(&[]).is_empty());
}

#[test]
fn one_bad_among_many_is_flagged_exactly() {
    let mut fixture = Fixture::new(300);
    // Index 131 is in the middle of the third Ed25519 batch; break only its Ed25519 half.
    let mut bytes = fixture.signatures[131].to_bytes();
    bytes[SIGNATURE_LEN - 10] ^= 0x40;
    fixture.signatures[131] = Signature::from_bytes(&bytes).unwrap();
    // Index 7: break only the ML-DSA half.
    let mut bytes = fixture.signatures[7].to_bytes();
    bytes[100] ^= 0x01;
    fixture.signatures[7] = Signature::from_bytes(&bytes).unwrap();
    // Index 299: a message that was not signed.
    fixture.messages[299].push(0);

    let results = verify_batch(&fixture.items());
    for (i, result) in results.iter().enumerate() {
        match i {
            7 | 299 => assert_eq!(result.as_ref().unwrap_err().failed_half(), Some(Half::MlDsa65), "item {i}"),
            131 => assert_eq!(result.as_ref().unwrap_err().failed_half(), Some(Half::Ed25519), "item {i}"),
            _ => assert!(result.is_ok(), "item {i}: {result:?}"),
        }
    }
}

#[test]
fn swapped_ed25519_halves_within_a_batch_are_caught() {
    // Two valid Ed25519 signatures swapped between items: each is valid for some item, but not for its own.
    let mut fixture = Fixture::new(10);
    let ml_3 = fixture.signatures[3].ml_dsa_bytes().to_vec();
    let ml_4 = fixture.signatures[4].ml_dsa_bytes().to_vec();
    let ed_3 = *fixture.signatures[3].ed25519_bytes();
    let ed_4 = *fixture.signatures[4].ed25519_bytes();
    fixture.signatures[3] = Signature::from_halves(&ml_3, &ed_4).unwrap();
    fixture.signatures[4] = Signature::from_halves(&ml_4, &ed_3).unwrap();
    let results = verify_batch(&fixture.items());
    let bad: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
    assert_eq!(bad, vec![3, 4]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Random corruptions of signatures and messages: each batch result equals the per-item result.
    #[test]
    fn batch_equals_per_item(corruptions in proptest::collection::vec((0usize..150, 0usize..SIGNATURE_LEN + 1, 1u8..=255), 0..6)) {
        let mut fixture = Fixture::new(150);
        for (item, position, mask) in corruptions {
            if position == SIGNATURE_LEN {
                fixture.messages[item].push(mask);
            } else {
                let mut bytes = fixture.signatures[item].to_bytes();
                bytes[position] ^= mask;
                fixture.signatures[item] = Signature::from_bytes(&bytes).unwrap();
            }
        }
        let items = fixture.items();
        let batch = verify_batch(&items);
        prop_assert_eq!(batch.len(), items.len());
        for (i, (key, message, signature)) in items.iter().enumerate() {
            let single = key.verify(message, signature);
            prop_assert!(same_verdict(&batch[i], &single), "item {}: batch {:?} single {:?}", i, batch[i], single);
        }
    }
}

#[test]
fn ml_dsa_corruption_anywhere_is_detected() {
    let kp = keypair(30);
    let signature = kp.sign(b"m").to_bytes();
    // A sample of positions across the ML-DSA signature (c~, z, hints).
    for position in (0..ML_DSA_65_SIGNATURE_LEN).step_by(97) {
        let mut bytes = signature.clone();
        bytes[position] ^= 0x80;
        let tampered = Signature::from_bytes(&bytes).unwrap();
        assert!(kp.public_key().verify(b"m", &tampered).is_err(), "position {position}");
    }
}
