//! Cosignatures: exact signed-message layouts, round trips and tampering for both cosigner kinds.

use aws_lc_rs::signature::{UnparsedPublicKey, ML_DSA_44};
use publica_tlog::{
    ed25519_cosignature_message, key_id, ml_dsa_44_cosigned_message, verify_note, verify_note_timestamps, Checkpoint,
    Ed25519Cosigner, Ed25519NoteSigner, MlDsa44Cosigner, SignatureType, SignedCheckpoint, TlogError, VerifierKey,
    MAX_TIMESTAMP, ML_DSA_44_PUBLIC_KEY_LEN, ML_DSA_44_SIGNATURE_LEN,
};

use crate::checkpoint_of;

/// The spec's Ed25519 cosignature message example (c2sp.org/tlog-cosignature, "Ed25519 signed message").
#[test]
fn ed25519_cosignature_message_matches_spec_example() {
    let checkpoint = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    let message = ed25519_cosignature_message(checkpoint, 1679315147).unwrap();
    assert_eq!(
        String::from_utf8(message).unwrap(),
        "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n\
         CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    );
    assert!(ed25519_cosignature_message(checkpoint, MAX_TIMESTAMP + 1).is_err());
}

/// The ML-DSA-44 `cosigned_message`, built by hand from the spec's struct:
///
/// ```text
/// 7375627472 65652f7631 0a00   "subtree/v1\n\0"            label, 12 bytes
/// 0b 772e6578616d706c652f31     len 11, "w.example/1"       cosigner_name<1..2^8-1>
/// 0102030405060708              timestamp, u64 big-endian
/// 0f 6578616d706c652e636f6d2f6c6f67   len 15, "example.com/log"   log_origin<1..2^8-1>
/// 0000000000000000              start = 0
/// 0000000000000005              end = tree size 5
/// aa * 32                       root hash
/// ```
#[test]
fn ml_dsa_44_cosigned_message_layout() {
    let expected = hex::decode(concat!(
        "737562747265652f76310a00",
        "0b772e6578616d706c652f31",
        "0102030405060708",
        "0f6578616d706c652e636f6d2f6c6f67",
        "0000000000000000",
        "0000000000000005",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ))
    .unwrap();
    let message =
        ml_dsa_44_cosigned_message("w.example/1", 0x0102030405060708, "example.com/log", 0, 5, &[0xaa; 32]).unwrap();
    assert_eq!(hex::encode(&message), hex::encode(&expected));

    // A real cosignature is an ML-DSA-44 signature over exactly these bytes, checked with the library directly.
    let cosigner = MlDsa44Cosigner::from_seed("w.example/1", &[3; 32]).unwrap();
    let checkpoint = Checkpoint::new("example.com/log", 5, [0xaa; 32]).unwrap();
    let sig = cosigner.cosign(&checkpoint, 0x0102030405060708).unwrap();
    assert_eq!(sig.signature.len(), 8 + ML_DSA_44_SIGNATURE_LEN);
    assert_eq!(sig.signature[..8], 0x0102030405060708u64.to_be_bytes());
    let key = cosigner.verifier_key();
    assert_eq!(key.public_key.len(), ML_DSA_44_PUBLIC_KEY_LEN);
    UnparsedPublicKey::new(&ML_DSA_44, &key.public_key).verify(&expected, &sig.signature[8..]).unwrap();

    // Field rules: lengths 1..=255, timestamp at most 2^63-1, a subtree with start > 0 has timestamp 0.
    assert!(ml_dsa_44_cosigned_message("", 1, "o", 0, 1, &[0; 32]).is_err());
    assert!(ml_dsa_44_cosigned_message("n", 1, &"o".repeat(256), 0, 1, &[0; 32]).is_err());
    assert!(ml_dsa_44_cosigned_message("n", 1, &"o".repeat(255), 0, 1, &[0; 32]).is_ok());
    assert!(ml_dsa_44_cosigned_message("n", MAX_TIMESTAMP + 1, "o", 0, 1, &[0; 32]).is_err());
    assert!(ml_dsa_44_cosigned_message("n", 1, "o", 4, 8, &[0; 32]).is_err());
    assert!(ml_dsa_44_cosigned_message("n", 0, "o", 4, 8, &[0; 32]).is_ok());
}

#[test]
fn ed25519_cosignature_signs_the_spec_message() {
    let cosigner = Ed25519Cosigner::from_seed("witness.example/w1", &[4; 32]).unwrap();
    let checkpoint = checkpoint_of(10);
    let sig = cosigner.cosign(&checkpoint, 1_700_000_000).unwrap();
    let key = cosigner.verifier_key();
    assert_eq!(key.sig_type, SignatureType::CosignatureEd25519);
    assert_eq!(key.key_id, key_id("witness.example/w1", 0x04, &key.public_key));
    let message = ed25519_cosignature_message(&checkpoint.to_text(), 1_700_000_000).unwrap();
    let vk = ed25519_zebra::VerificationKey::try_from(key.public_key.as_slice()).unwrap();
    let raw: [u8; 64] = sig.signature[8..].try_into().unwrap();
    vk.verify(&ed25519_zebra::Signature::from_bytes(&raw), &message).unwrap();
}

/// Signs a checkpoint with a log key and both cosigner kinds; returns the note and the keys.
fn cosigned(size: u64) -> (SignedCheckpoint, Vec<VerifierKey>) {
    let log = Ed25519NoteSigner::from_seed("notary.publica.example/log", &[1; 32]).unwrap();
    let ed = Ed25519Cosigner::from_seed("witness.example/ed", &[2; 32]).unwrap();
    let pq = MlDsa44Cosigner::from_seed("witness.example/pq", &[3; 32]).unwrap();
    let mut signed = SignedCheckpoint::new(checkpoint_of(size)).unwrap();
    signed.add_signature(log.sign(signed.note.text()));
    signed.add_signature(ed.cosign(&signed.checkpoint, 1_700_000_001).unwrap());
    signed.add_signature(pq.cosign(&signed.checkpoint, 1_700_000_002).unwrap());
    (signed, vec![log.verifier_key(), ed.verifier_key(), pq.verifier_key()])
}

#[test]
fn cosigned_checkpoint_round_trips_and_verifies() {
    let (signed, keys) = cosigned(1000);
    let bytes = signed.to_bytes();
    let parsed = SignedCheckpoint::parse(&bytes).unwrap();
    assert_eq!(parsed, signed);
    assert_eq!(parsed.to_bytes(), bytes);
    assert_eq!(
        verify_note_timestamps(&parsed.note, &keys).unwrap(),
        vec![(0, None), (1, Some(1_700_000_001)), (2, Some(1_700_000_002))]
    );
    // vkeys round-trip for every type, ML-DSA-44 included.
    for key in &keys {
        assert_eq!(&VerifierKey::parse(&key.to_string()).unwrap(), key);
    }
    // Each key alone verifies; a policy can count witnesses.
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(parsed.verify(std::slice::from_ref(key)).unwrap(), vec![0], "key {i}");
    }
}

#[test]
fn cosignatures_reject_tampered_text_timestamp_and_signature() {
    let (signed, keys) = cosigned(77);
    let text = signed.note.text();
    for (sig, key) in signed.note.signatures().iter().zip(&keys).skip(1) {
        assert!(key.verify(text, sig).is_ok());
        // Every byte of the checkpoint text but the final newline: either it no longer parses as a checkpoint
        // or the signature fails.
        for i in 0..text.len() - 1 {
            let mut tampered = text.as_bytes().to_vec();
            tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(tampered).unwrap();
            assert!(key.verify(&tampered, sig).is_err(), "{} text byte {i}", key.name);
        }
        // Every timestamp byte.
        for i in 0..8 {
            let mut bad = sig.clone();
            bad.signature[i] ^= 0x01;
            assert!(key.verify(text, &bad).is_err(), "{} timestamp byte {i}", key.name);
        }
        // Signature bytes (every one for Ed25519, a spread for ML-DSA-44 to keep the test quick).
        let step = if key.sig_type == SignatureType::CosignatureMlDsa44 { 37 } else { 1 };
        for i in (8..sig.signature.len()).step_by(step) {
            let mut bad = sig.clone();
            bad.signature[i] ^= 0x80;
            assert!(key.verify(text, &bad).is_err(), "{} signature byte {i}", key.name);
        }
        // A timestamp above 2^63 - 1 is refused as such.
        let mut huge = sig.clone();
        huge.signature[0] = 0x80;
        assert!(matches!(key.verify(text, &huge), Err(TlogError::TimestampTooLarge(_))));
    }
}

#[test]
fn cosignature_is_bound_to_cosigner_name() {
    // The ML-DSA-44 message names the cosigner: the same key under another name does not verify.
    let (signed, keys) = cosigned(5);
    let pq_sig = signed.note.signatures()[2].clone();
    let renamed =
        VerifierKey::new("witness.example/other", SignatureType::CosignatureMlDsa44, keys[2].public_key.clone())
            .unwrap();
    let mut sig = pq_sig;
    sig.name = renamed.name.clone();
    sig.key_id = renamed.key_id;
    assert!(matches!(renamed.verify(signed.note.text(), &sig), Err(TlogError::BadSignature { .. })));
}

#[test]
fn cosignature_over_a_non_checkpoint_is_rejected() {
    let ed = Ed25519Cosigner::from_seed("witness.example/ed", &[2; 32]).unwrap();
    let sig = ed.cosign(&checkpoint_of(3), 1).unwrap();
    assert!(ed.verifier_key().verify("just some text\n", &sig).is_err());
    let mut bad_origin = checkpoint_of(3);
    bad_origin.origin = "two\nlines".to_owned();
    assert!(ed.cosign(&bad_origin, 1).is_err());
    let pq = MlDsa44Cosigner::from_seed("witness.example/pq", &[3; 32]).unwrap();
    let mut long_origin = checkpoint_of(3);
    long_origin.origin = "o".repeat(256);
    assert!(matches!(pq.cosign(&long_origin, 1), Err(TlogError::CosignFieldLength { .. })));
    assert!(pq.cosign(&checkpoint_of(3), MAX_TIMESTAMP + 1).is_err());
}

#[test]
fn signer_debug_shows_no_secret() {
    let seed = [0x5a; 32];
    let ed = Ed25519NoteSigner::from_seed("log.example", &seed).unwrap();
    let pq = MlDsa44Cosigner::from_seed("w.example", &seed).unwrap();
    for debug in [format!("{ed:?}"), format!("{pq:?}")] {
        assert!(!debug.contains("5a5a") && !debug.contains("90, 90"), "{debug}");
        assert!(debug.contains("example"), "{debug}");
    }
}

#[test]
fn witness_cosignature_lines_merge_into_the_note() {
    let (signed, keys) = cosigned(12);
    // A witness response: the cosignature lines only; the log appends them to its own checkpoint.
    let response: String = signed.note.signatures()[1..].iter().map(publica_tlog::format_signature_line).collect();
    let mut mine = SignedCheckpoint::new(signed.checkpoint.clone()).unwrap();
    mine.add_signature(signed.note.signatures()[0].clone());
    for sig in publica_tlog::parse_signature_lines(&response).unwrap() {
        mine.add_signature(sig);
    }
    assert_eq!(mine, signed);
    assert_eq!(verify_note(&mine.note, &keys).unwrap(), vec![0, 1, 2]);
}
