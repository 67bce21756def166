//! Hybrid sealing (X25519 + ML-KEM-768): round trips, refusals (another key, another context, every changed byte,
//! truncated parts, low-order and malformed keys), the encodings, the key file and the bounds.

use base64::Engine as _;
use publica_crypto::kem::{
    open_hybrid, seal_hybrid, HybridSealed, RecipientPublicKey, RecipientSecret, MAX_HYBRID_CONTEXT_BYTES,
    MAX_HYBRID_PLAINTEXT_BYTES, ML_KEM_768_CIPHERTEXT_LEN, ML_KEM_768_PUBLIC_KEY_LEN,
};
use publica_crypto::CryptoError;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn refused_as_sealed<T: std::fmt::Debug>(result: Result<T, CryptoError>) -> String {
    match result {
        Err(CryptoError::Sealed { reason }) => reason,
        other => panic!("expected a sealed-message refusal, got {other:?}"),
    }
}

fn refused_as_bad_key<T: std::fmt::Debug>(result: Result<T, CryptoError>) -> String {
    match result {
        Err(error @ CryptoError::BadRecipientKey { .. }) => error.to_string(),
        other => panic!("expected a recipient key refusal, got {other:?}"),
    }
}

fn refused_as_key_file<T: std::fmt::Debug>(result: Result<T, CryptoError>) -> String {
    match result {
        Err(CryptoError::InvalidKeyFile { reason }) => reason,
        other => panic!("expected a key file refusal, got {other:?}"),
    }
}

/// The X25519 u-coordinates of low order: 0, 1, p - 1 and the two points of order 8 (as libsodium lists them).
fn low_order_points() -> Vec<[u8; 32]> {
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut p_minus_1 = [0xffu8; 32];
    p_minus_1[0] = 0xec;
    p_minus_1[31] = 0x7f;
    let order_8_a: [u8; 32] =
        hex::decode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800").unwrap().try_into().unwrap();
    let order_8_b: [u8; 32] =
        hex::decode("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157").unwrap().try_into().unwrap();
    vec![[0u8; 32], one, p_minus_1, order_8_a, order_8_b]
}

#[test]
fn a_sealed_message_opens_only_with_its_key_and_context() {
    let alice = RecipientSecret::generate();
    let bob = RecipientSecret::generate();
    let message = br#"{"record":7,"fields":{"blood_type":"A+"}}"#;
    let context = b"publica-dev/access/42";
    let sealed = seal_hybrid(alice.public_key(), context, message).unwrap();
    assert_eq!(sealed.ml_kem_ciphertext.len(), ML_KEM_768_CIPHERTEXT_LEN);
    assert_eq!(sealed.ciphertext.len(), message.len() + 16);
    assert_eq!(&open_hybrid(&alice, context, &sealed).unwrap()[..], message);
    // Two seals of one message differ everywhere (new ephemeral keys, encapsulation and nonce), and both open.
    let again = seal_hybrid(alice.public_key(), context, message).unwrap();
    assert_ne!(again.x25519_ephemeral, sealed.x25519_ephemeral);
    assert_ne!(again.ml_kem_ciphertext, sealed.ml_kem_ciphertext);
    assert_ne!(again.nonce, sealed.nonce);
    assert_ne!(again.ciphertext, sealed.ciphertext);
    assert_eq!(&open_hybrid(&alice, context, &again).unwrap()[..], message);
    // Another recipient, another context: refused, and the refusal names the key it tried.
    let reason = refused_as_sealed(open_hybrid(&bob, context, &sealed));
    assert!(reason.contains(&hex::encode(bob.public_key().sha256())), "{reason}");
    refused_as_sealed(open_hybrid(&alice, b"publica-dev/access/43", &sealed));
    refused_as_sealed(open_hybrid(&alice, b"", &sealed));
    // The empty message and the empty context are fine.
    let empty = seal_hybrid(bob.public_key(), b"", b"").unwrap();
    assert!(open_hybrid(&bob, b"", &empty).unwrap().is_empty());
}

#[test]
fn every_changed_byte_of_every_field_is_refused() {
    let key = RecipientSecret::generate();
    let sealed = seal_hybrid(key.public_key(), b"ctx", b"a short secret").unwrap();
    for i in 0..sealed.x25519_ephemeral.len() {
        let mut changed = sealed.clone();
        changed.x25519_ephemeral[i] ^= 1;
        refused_as_sealed(open_hybrid(&key, b"ctx", &changed));
    }
    // X25519 ignores the top bit of a u-coordinate, so this ephemeral key gives the same X25519 secret: only its
    // place in the key derivation makes the message fail.
    let mut top_bit = sealed.clone();
    top_bit.x25519_ephemeral[31] ^= 0x80;
    refused_as_sealed(open_hybrid(&key, b"ctx", &top_bit));
    for i in 0..sealed.ml_kem_ciphertext.len() {
        let mut changed = sealed.clone();
        changed.ml_kem_ciphertext[i] ^= 0x10;
        refused_as_sealed(open_hybrid(&key, b"ctx", &changed));
    }
    for i in 0..sealed.nonce.len() {
        let mut changed = sealed.clone();
        changed.nonce[i] ^= 0x80;
        refused_as_sealed(open_hybrid(&key, b"ctx", &changed));
    }
    for i in 0..sealed.ciphertext.len() {
        let mut changed = sealed.clone();
        changed.ciphertext[i] ^= 1;
        refused_as_sealed(open_hybrid(&key, b"ctx", &changed));
    }
    let mut cut = sealed.clone();
    cut.ciphertext.pop();
    refused_as_sealed(open_hybrid(&key, b"ctx", &cut));
    let mut longer = sealed.clone();
    longer.ciphertext.push(0);
    refused_as_sealed(open_hybrid(&key, b"ctx", &longer));
    // The untouched message still opens.
    assert_eq!(&open_hybrid(&key, b"ctx", &sealed).unwrap()[..], b"a short secret");
}

#[test]
fn a_truncated_or_padded_ml_kem_ciphertext_is_refused_by_name() {
    let key = RecipientSecret::generate();
    let sealed = seal_hybrid(key.public_key(), b"ctx", b"secret").unwrap();
    for len in [0, 1, ML_KEM_768_CIPHERTEXT_LEN - 1, ML_KEM_768_CIPHERTEXT_LEN + 1] {
        let mut changed = sealed.clone();
        changed.ml_kem_ciphertext.resize(len, 0);
        let reason = refused_as_sealed(open_hybrid(&key, b"ctx", &changed));
        assert!(reason.contains(&format!("has {len} bytes")) && reason.contains("1088"), "{reason}");
    }
    let mut short = sealed.clone();
    short.ciphertext.truncate(15);
    assert!(refused_as_sealed(open_hybrid(&key, b"ctx", &short)).contains("shorter than its tag"));
}

#[test]
fn an_ephemeral_key_of_low_order_is_refused_by_name() {
    let key = RecipientSecret::generate();
    let sealed = seal_hybrid(key.public_key(), b"ctx", b"secret").unwrap();
    for point in low_order_points() {
        let forged = HybridSealed { x25519_ephemeral: point, ..sealed.clone() };
        let reason = refused_as_sealed(open_hybrid(&key, b"ctx", &forged));
        assert!(reason.contains("low order"), "{reason}");
    }
}

#[test]
fn recipient_keys_of_the_wrong_shape_are_refused_before_any_sealing() {
    let good = RecipientSecret::generate().public_key().clone();
    good.validate().unwrap();
    // A truncated or padded ML-KEM key.
    for len in [0, 1, ML_KEM_768_PUBLIC_KEY_LEN - 1, ML_KEM_768_PUBLIC_KEY_LEN + 1] {
        let mut bad = good.clone();
        bad.ml_kem.resize(len, 0);
        let reason = refused_as_bad_key(bad.validate());
        assert!(reason.contains(&format!("has {len} bytes")) && reason.contains("1184"), "{reason}");
        refused_as_bad_key(seal_hybrid(&bad, b"ctx", b"secret"));
    }
    // An ML-KEM coefficient of 4095, not below q = 3329 (FIPS 203's modulus check).
    let mut bad = good.clone();
    bad.ml_kem[300] = 0xff;
    bad.ml_kem[301] |= 0x0f;
    let reason = refused_as_bad_key(bad.validate());
    assert!(reason.contains("modulus check") && reason.contains("300..303"), "{reason}");
    refused_as_bad_key(seal_hybrid(&bad, b"ctx", b"secret"));
    // X25519 keys of low order, and encodings that are not canonical.
    for point in low_order_points() {
        let bad = RecipientPublicKey { x25519: point, ..good.clone() };
        assert!(refused_as_bad_key(bad.validate()).contains("low order"));
        refused_as_bad_key(seal_hybrid(&bad, b"ctx", b"secret"));
    }
    let mut p_plus_2 = [0xffu8; 32];
    p_plus_2[0] = 0xef;
    p_plus_2[31] = 0x7f;
    let mut top_bit = good.x25519;
    top_bit[31] |= 0x80;
    for point in [p_plus_2, top_bit] {
        let bad = RecipientPublicKey { x25519: point, ..good.clone() };
        assert!(refused_as_bad_key(bad.validate()).contains("canonical"));
        refused_as_bad_key(seal_hybrid(&bad, b"ctx", b"secret"));
    }
}

#[test]
fn the_public_key_round_trips_through_json_and_borsh_and_bad_forms_are_refused() {
    let key = RecipientSecret::generate().public_key().clone();
    let json = serde_json::to_value(&key).unwrap();
    assert_eq!(BASE64.decode(json["x25519"].as_str().unwrap()).unwrap(), key.x25519);
    assert_eq!(BASE64.decode(json["ml_kem"].as_str().unwrap()).unwrap(), key.ml_kem);
    assert_eq!(serde_json::from_value::<RecipientPublicKey>(json.clone()).unwrap(), key);
    let bytes = borsh::to_vec(&key).unwrap();
    assert_eq!(bytes.len(), 32 + 4 + ML_KEM_768_PUBLIC_KEY_LEN);
    assert_eq!(borsh::from_slice::<RecipientPublicKey>(&bytes).unwrap(), key);
    // The fingerprint is SHA-256 of the borsh form.
    assert_eq!(key.sha256(), publica_crypto::sha256(&bytes));
    assert_ne!(key.sha256(), RecipientSecret::generate().public_key().sha256());

    // A truncated ML-KEM key in either form.
    let mut bad = json.clone();
    bad["ml_kem"] = BASE64.encode(&key.ml_kem[..ML_KEM_768_PUBLIC_KEY_LEN - 1]).into();
    let error = serde_json::from_value::<RecipientPublicKey>(bad).unwrap_err().to_string();
    assert!(error.contains("ML-KEM-768 key") && error.contains("1184 bytes"), "{error}");
    let mut short = key.clone();
    short.ml_kem.pop();
    let error = borsh::from_slice::<RecipientPublicKey>(&borsh::to_vec(&short).unwrap()).unwrap_err().to_string();
    assert!(error.contains("1183 bytes") && error.contains("exactly 1184"), "{error}");
    // A cut borsh form, an unknown JSON field.
    assert!(borsh::from_slice::<RecipientPublicKey>(&bytes[..bytes.len() - 1]).is_err());
    let mut bad = json;
    bad["extra"] = 1.into();
    assert!(serde_json::from_value::<RecipientPublicKey>(bad).is_err());
}

#[test]
fn a_sealed_message_round_trips_through_json_and_borsh_and_bad_forms_are_refused() {
    let key = RecipientSecret::generate();
    let sealed = seal_hybrid(key.public_key(), b"ctx", b"secret").unwrap();
    let json = serde_json::to_value(&sealed).unwrap();
    assert_eq!(json["version"], 1);
    let back: HybridSealed = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, sealed);
    assert_eq!(&open_hybrid(&key, b"ctx", &back).unwrap()[..], b"secret");
    let bytes = borsh::to_vec(&sealed).unwrap();
    assert_eq!(bytes.len(), 4 + 32 + 4 + ML_KEM_768_CIPHERTEXT_LEN + 24 + 4 + sealed.ciphertext.len());
    assert_eq!(borsh::from_slice::<HybridSealed>(&bytes).unwrap(), sealed);

    let mut bad = json.clone();
    bad["version"] = 2.into();
    assert!(serde_json::from_value::<HybridSealed>(bad).unwrap_err().to_string().contains("version 2"));
    let mut bad = json.clone();
    bad["ml_kem_ciphertext"] = BASE64.encode(&sealed.ml_kem_ciphertext[..1000]).into();
    let error = serde_json::from_value::<HybridSealed>(bad).unwrap_err().to_string();
    assert!(error.contains("ML-KEM-768 ciphertext") && error.contains("1088 bytes"), "{error}");
    let mut bad = json.clone();
    bad["ciphertext"] = "AAAA".into();
    assert!(serde_json::from_value::<HybridSealed>(bad).unwrap_err().to_string().contains("shorter than its tag"));
    let mut bad = json;
    bad["x25519_ephemeral"] = "AAAA".into();
    assert!(serde_json::from_value::<HybridSealed>(bad).is_err());

    let mut other_version = bytes.clone();
    other_version[0] = 2;
    assert!(borsh::from_slice::<HybridSealed>(&other_version).unwrap_err().to_string().contains("version 2"));
    let mut truncated = sealed.clone();
    truncated.ml_kem_ciphertext.truncate(ML_KEM_768_CIPHERTEXT_LEN - 1);
    let error = borsh::from_slice::<HybridSealed>(&borsh::to_vec(&truncated).unwrap()).unwrap_err().to_string();
    assert!(error.contains("1087 bytes") && error.contains("exactly 1088"), "{error}");
    assert!(borsh::from_slice::<HybridSealed>(&bytes[..bytes.len() - 1]).is_err());
    // A huge length prefix is refused before anything is allocated.
    let mut huge = bytes[..4 + 32 + 4 + ML_KEM_768_CIPHERTEXT_LEN + 24].to_vec();
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(borsh::from_slice::<HybridSealed>(&huge).unwrap_err().to_string().contains("between 16 and"));
}

#[test]
fn the_key_file_round_trips_and_opens_what_was_sealed_to_it() {
    let key = RecipientSecret::generate();
    let sealed = seal_hybrid(key.public_key(), b"ctx", b"secret").unwrap();
    let text = key.to_json();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(serde_json::from_value::<RecipientPublicKey>(json["public_key"].clone()).unwrap(), *key.public_key());
    let back = RecipientSecret::from_json(&text).unwrap();
    assert_eq!(back.public_key(), key.public_key());
    assert_eq!(&open_hybrid(&back, b"ctx", &sealed).unwrap()[..], b"secret");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("recipient.json");
    key.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let loaded = RecipientSecret::load(&path).unwrap();
    assert_eq!(&open_hybrid(&loaded, b"ctx", &sealed).unwrap()[..], b"secret");
    // An existing file is never overwritten.
    let other = RecipientSecret::generate();
    assert!(matches!(other.save(&path), Err(CryptoError::KeyFileExists { .. })));
    assert_eq!(RecipientSecret::load(&path).unwrap().public_key(), key.public_key());
    // Only the key file and no temporary file is left in the directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn changed_or_malformed_key_files_are_refused() {
    let key = RecipientSecret::generate();
    let json: serde_json::Value = serde_json::from_str(&key.to_json()).unwrap();
    let ml_kem_secret = BASE64.decode(json["ml_kem_secret"].as_str().unwrap()).unwrap();
    assert_eq!(ml_kem_secret.len(), 2400);
    let with_ml_kem = |bytes: &[u8]| {
        let mut changed = json.clone();
        changed["ml_kem_secret"] = BASE64.encode(bytes).into();
        changed.to_string()
    };

    // Another key's public key.
    let mut other = json.clone();
    other["public_key"] = serde_json::to_value(RecipientSecret::generate().public_key()).unwrap();
    assert!(refused_as_key_file(RecipientSecret::from_json(&other.to_string())).contains("not the one its secrets"));
    // Another X25519 secret: the public key no longer matches.
    let mut other = json.clone();
    other["x25519_secret"] = BASE64.encode([7u8; 32]).into();
    assert!(refused_as_key_file(RecipientSecret::from_json(&other.to_string())).contains("not the one its secrets"));
    // A changed byte of the ML-KEM public key inside dk: FIPS 203's hash check.
    let mut changed = ml_kem_secret.clone();
    changed[1152 + 5] ^= 1;
    assert!(refused_as_key_file(RecipientSecret::from_json(&with_ml_kem(&changed))).contains("hash check"));
    // A changed byte of the secret polynomials: what is sealed to the public key no longer opens.
    let mut changed = ml_kem_secret.clone();
    changed[5] ^= 1;
    refused_as_key_file(RecipientSecret::from_json(&with_ml_kem(&changed)));
    // A truncated ML-KEM secret.
    let error = RecipientSecret::from_json(&with_ml_kem(&ml_kem_secret[..2399])).unwrap_err().to_string();
    assert!(error.contains("2400 bytes"), "{error}");
    // Another version, unknown fields, no JSON at all, too large.
    let mut other = json.clone();
    other["version"] = 2.into();
    assert!(refused_as_key_file(RecipientSecret::from_json(&other.to_string())).contains("version 2"));
    let mut other = json;
    other["label"] = "x".into();
    refused_as_key_file(RecipientSecret::from_json(&other.to_string()));
    refused_as_key_file(RecipientSecret::from_json("not json"));
    assert!(refused_as_key_file(RecipientSecret::from_json(&" ".repeat(17 * 1024))).contains("limit"));
}

#[test]
fn debug_output_shows_no_secret() {
    let key = RecipientSecret::generate();
    let json: serde_json::Value = serde_json::from_str(&key.to_json()).unwrap();
    let x25519_secret = BASE64.decode(json["x25519_secret"].as_str().unwrap()).unwrap();
    let ml_kem_secret = BASE64.decode(json["ml_kem_secret"].as_str().unwrap()).unwrap();
    let debug = format!("{key:?}");
    assert!(debug.contains(&hex::encode(key.public_key().sha256())), "{debug}");
    assert!(debug.len() < 200, "{debug}");
    for secret in [&x25519_secret[..], &ml_kem_secret[..16], &ml_kem_secret[2368..]] {
        assert!(!debug.contains(&hex::encode(secret)), "{debug}");
        assert!(!debug.contains(&BASE64.encode(secret)), "{debug}");
    }
    let pretty = format!("{key:#?}");
    assert!(!pretty.contains(&hex::encode(&x25519_secret)));
}

#[test]
fn sizes_over_the_limits_are_refused_and_the_limits_themselves_are_accepted() {
    let key = RecipientSecret::generate();
    let reason = refused_as_sealed(seal_hybrid(key.public_key(), b"", &vec![0; MAX_HYBRID_PLAINTEXT_BYTES + 1]));
    assert!(reason.contains("at most"), "{reason}");
    let long_context = vec![b'c'; MAX_HYBRID_CONTEXT_BYTES + 1];
    assert!(refused_as_sealed(seal_hybrid(key.public_key(), &long_context, b"")).contains("context"));
    let sealed = seal_hybrid(key.public_key(), b"", b"").unwrap();
    refused_as_sealed(open_hybrid(&key, &long_context, &sealed));

    let context = vec![b'c'; MAX_HYBRID_CONTEXT_BYTES];
    let message = vec![7u8; MAX_HYBRID_PLAINTEXT_BYTES];
    let sealed = seal_hybrid(key.public_key(), &context, &message).unwrap();
    let opened = open_hybrid(&key, &context, &sealed).unwrap();
    assert!(opened[..] == message[..]);
    // The largest message survives both encodings.
    let bytes = borsh::to_vec(&sealed).unwrap();
    assert_eq!(borsh::from_slice::<HybridSealed>(&bytes).unwrap(), sealed);
    let json = serde_json::to_string(&sealed).unwrap();
    assert_eq!(serde_json::from_str::<HybridSealed>(&json).unwrap(), sealed);
}

/// The module documentation's formulas, computed here from their parts with the primitives' own crates, open
/// what `seal_hybrid` sealed: the documentation and the code cannot drift apart.
#[test]
fn the_construction_is_exactly_the_documented_one() {
    use aws_lc_rs::kem::{Ciphertext, DecapsulationKey, ML_KEM_768};
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};

    let key = RecipientSecret::generate();
    let json: serde_json::Value = serde_json::from_str(&key.to_json()).unwrap();
    let x: [u8; 32] = BASE64.decode(json["x25519_secret"].as_str().unwrap()).unwrap().try_into().unwrap();
    let dk = BASE64.decode(json["ml_kem_secret"].as_str().unwrap()).unwrap();
    // dk = dk_PKE || ek || H(ek) || z.
    assert_eq!(&dk[1152..2336], &key.public_key().ml_kem[..]);
    let mut base = [0u8; 32];
    base[0] = 9;
    assert_eq!(publica_crypto::seal::x25519(&x, &base), key.public_key().x25519);

    let context = b"publica-dev/access/7";
    let sealed = seal_hybrid(key.public_key(), context, b"the documented bytes").unwrap();
    let decapsulation_key = DecapsulationKey::new(&ML_KEM_768, &dk).unwrap();
    let ss_m = decapsulation_key.decapsulate(Ciphertext::from(&sealed.ml_kem_ciphertext[..])).unwrap();
    let ss_x = publica_crypto::seal::x25519(&x, &sealed.x25519_ephemeral);
    let ikm = [ss_m.as_ref(), &ss_x, &sealed.x25519_ephemeral, &key.public_key().x25519].concat();
    let info = [&b"publica/kem/v1"[..], &(context.len() as u32).to_be_bytes(), context].concat();
    let mut aead_key = [0u8; 32];
    hkdf::Hkdf::<sha2_010::Sha256>::new(None, &ikm).expand(&info, &mut aead_key).unwrap();
    let aad = [&b"publica/kem/v1"[..], &[0], context].concat();
    let plaintext = chacha20poly1305::XChaCha20Poly1305::new(&aead_key.into())
        .decrypt(&sealed.nonce.into(), Payload { msg: &sealed.ciphertext, aad: &aad })
        .unwrap();
    assert_eq!(plaintext, b"the documented bytes");
}

#[test]
fn a_sealed_message_prints_its_lengths_not_its_bytes() {
    let key = RecipientSecret::generate();
    let sealed = seal_hybrid(key.public_key(), b"", &[0x5a; 1000]).unwrap();
    let debug = format!("{sealed:?}");
    assert!(debug.contains("ml_kem_ciphertext_len: 1088") && debug.contains("ciphertext_len: 1016"), "{debug}");
    assert!(debug.len() < 300, "{debug}");
}
