//! Byte, borsh and serde encodings, and rejection of malformed input.

use borsh::BorshDeserialize;
use publica_crypto::{
    Address, CryptoError, PublicKey, Signature, ML_DSA_65_PUBLIC_KEY_LEN, PUBLIC_KEY_LEN, SIGNATURE_LEN,
};

use crate::keypair;

#[test]
fn bytes_round_trip() {
    let kp = keypair(20);
    let key = kp.public_key();
    let bytes = key.to_bytes();
    assert_eq!(bytes.len(), PUBLIC_KEY_LEN);
    assert_eq!(&bytes[..ML_DSA_65_PUBLIC_KEY_LEN], key.ml_dsa_bytes());
    assert_eq!(&bytes[ML_DSA_65_PUBLIC_KEY_LEN..], key.ed25519_bytes());
    assert_eq!(&PublicKey::from_bytes(&bytes).unwrap(), key);

    let signature = kp.sign(b"m");
    let bytes = signature.to_bytes();
    assert_eq!(bytes.len(), SIGNATURE_LEN);
    assert_eq!(Signature::from_bytes(&bytes).unwrap(), signature);
}

#[test]
fn truncated_and_oversized_bytes_rejected() {
    let kp = keypair(21);
    let key = kp.public_key().to_bytes();
    let signature = kp.sign(b"m").to_bytes();
    for len in [0, 1, 32, ML_DSA_65_PUBLIC_KEY_LEN, PUBLIC_KEY_LEN - 1] {
        assert!(matches!(
            PublicKey::from_bytes(&key[..len]),
            Err(CryptoError::InvalidLength { expected: PUBLIC_KEY_LEN, .. })
        ));
    }
    let mut long = key.clone();
    long.push(0);
    assert!(matches!(PublicKey::from_bytes(&long), Err(CryptoError::InvalidLength { actual: 1985, .. })));
    for len in [0, 64, SIGNATURE_LEN - 1] {
        assert!(matches!(
            Signature::from_bytes(&signature[..len]),
            Err(CryptoError::InvalidLength { expected: SIGNATURE_LEN, .. })
        ));
    }
    let mut long = signature.clone();
    long.push(0);
    assert!(Signature::from_bytes(&long).is_err());
    assert!(Signature::from_halves(&signature[..3308], &signature[3309..]).is_err());
    assert!(Signature::from_halves(&signature[..3309], &signature[3310..]).is_err());
}

#[test]
fn bad_ed25519_public_keys_rejected() {
    let key = keypair(22).public_key().to_bytes();
    let with_ed25519 = |ed: [u8; 32]| {
        let mut bytes = key[..ML_DSA_65_PUBLIC_KEY_LEN].to_vec();
        bytes.extend_from_slice(&ed);
        PublicKey::from_bytes(&bytes)
    };
    let reason = |ed: [u8; 32]| match with_ed25519(ed) {
        Err(CryptoError::BadEd25519PublicKey { reason }) => reason,
        other => panic!("expected a rejected Ed25519 key, got {other:?}"),
    };
    // The identity (order 1), canonical encoding.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert!(reason(identity).contains("small-order"));
    // y = 0: the two points of order 4.
    assert!(reason([0u8; 32]).contains("small-order"));
    // y = p - 1 = -1: the point of order 2.
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    assert!(reason(minus_one).contains("small-order"));
    // The identity again with the x sign bit set: x = 0 has no negative, so this encoding is non-canonical.
    let mut identity_signed = identity;
    identity_signed[31] |= 0x80;
    assert!(reason(identity_signed).contains("non-canonical"));
    // y = p + 1 (≡ 1): a non-canonical encoding of the identity.
    let mut p_plus_one = [0xffu8; 32];
    p_plus_one[0] = 0xee;
    p_plus_one[31] = 0x7f;
    assert!(reason(p_plus_one).contains("non-canonical"));
    // About half of all y values have no x on the curve; some small y must be among them.
    let not_points = (2u8..40)
        .filter(|&y| {
            let mut bytes = [0u8; 32];
            bytes[0] = y;
            matches!(with_ed25519(bytes), Err(CryptoError::BadEd25519PublicKey { reason }) if reason.contains("not encode a point"))
        })
        .count();
    assert!(not_points > 5, "{not_points}");
    // A real key passes.
    with_ed25519(*keypair(23).public_key().ed25519_bytes()).unwrap();
}

#[test]
fn malformed_ml_dsa_public_key_rejected() {
    // Wycheproof's vectors cover malformed ML-DSA keys in depth; here just check the error type and the order of
    // checks: a DER-encoded key of a different length is refused on length alone.
    let key = keypair(24).public_key().to_bytes();
    assert!(matches!(
        publica_crypto::MlDsa65PublicKey::from_bytes(&key[..ML_DSA_65_PUBLIC_KEY_LEN + 22]),
        Err(CryptoError::InvalidLength { what: "ML-DSA-65 public key", .. })
    ));
}

#[test]
fn borsh_is_fixed_length_raw_bytes() {
    let kp = keypair(25);
    let key = kp.public_key().clone();
    let signature = kp.sign(b"m");
    let address = kp.address();

    let encoded = borsh::to_vec(&key).unwrap();
    assert_eq!(encoded, key.to_bytes());
    assert_eq!(borsh::from_slice::<PublicKey>(&encoded).unwrap(), key);
    let encoded = borsh::to_vec(&signature).unwrap();
    assert_eq!(encoded, signature.to_bytes());
    assert_eq!(borsh::from_slice::<Signature>(&encoded).unwrap(), signature);
    let encoded = borsh::to_vec(&address).unwrap();
    assert_eq!(encoded, address.0.to_vec());
    assert_eq!(borsh::from_slice::<Address>(&encoded).unwrap(), address);

    // In a struct, the fields follow each other with no length prefixes.
    let tuple = (address, key.clone(), signature.clone());
    let encoded = borsh::to_vec(&tuple).unwrap();
    assert_eq!(encoded.len(), 20 + PUBLIC_KEY_LEN + SIGNATURE_LEN);
    assert_eq!(borsh::from_slice::<(Address, PublicKey, Signature)>(&encoded).unwrap(), tuple);
}

#[test]
fn borsh_rejects_truncated_trailing_and_invalid() {
    let key = keypair(26).public_key().to_bytes();
    assert!(borsh::from_slice::<PublicKey>(&key[..PUBLIC_KEY_LEN - 1]).is_err());
    let mut trailing = key.clone();
    trailing.push(0);
    assert!(borsh::from_slice::<PublicKey>(&trailing).is_err());
    // Identity as the Ed25519 half: right length, refused by the key rule.
    let mut bad = key[..ML_DSA_65_PUBLIC_KEY_LEN].to_vec();
    bad.push(1);
    bad.extend_from_slice(&[0; 31]);
    let error = PublicKey::try_from_slice(&bad).unwrap_err();
    assert!(error.to_string().contains("small-order"), "{error}");
    assert!(borsh::from_slice::<Address>(&[0; 19]).is_err());
}

#[test]
fn serde_json_forms() {
    let kp = keypair(27);
    let key = kp.public_key().clone();
    let signature = kp.sign(b"m");
    let address = kp.address();

    let json = serde_json::to_string(&key).unwrap();
    use base64::Engine as _;
    let standard = base64::engine::general_purpose::STANDARD;
    assert_eq!(json, format!("\"{}\"", standard.encode(key.to_bytes())));
    assert_eq!(serde_json::from_str::<PublicKey>(&json).unwrap(), key);

    let json = serde_json::to_string(&signature).unwrap();
    assert_eq!(json, format!("\"{}\"", standard.encode(signature.to_bytes())));
    assert!(json.ends_with("=\""), "3373 bytes need one padding character");
    assert_eq!(serde_json::from_str::<Signature>(&json).unwrap(), signature);

    let json = serde_json::to_string(&address).unwrap();
    assert_eq!(json, format!("\"{}\"", hex::encode(address.0)));
    assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), address);

    // Owned strings (as produced by escapes or a `Value`) decode as well as borrowed ones.
    let value = serde_json::to_value(&key).unwrap();
    assert_eq!(serde_json::from_value::<PublicKey>(value).unwrap(), key);
}

#[test]
fn serde_rejects_bad_text() {
    let kp = keypair(28);
    let key_b64 = serde_json::to_string(kp.public_key()).unwrap();
    let unpadded = key_b64.replace('=', "");
    assert!(serde_json::from_str::<PublicKey>(&unpadded).is_err());
    let url_safe = key_b64.replace('+', "-").replace('/', "_");
    if url_safe != key_b64 {
        assert!(serde_json::from_str::<PublicKey>(&url_safe).is_err());
    }
    assert!(serde_json::from_str::<PublicKey>("\"AAAA\"").is_err());
    assert!(serde_json::from_str::<PublicKey>("123").is_err());
    let huge = format!("\"{}\"", "A".repeat(1 << 20));
    assert!(serde_json::from_str::<Signature>(&huge).is_err());
    assert!(serde_json::from_str::<Address>("\"00\"").is_err());
    assert!(serde_json::from_str::<Address>(&format!("\"{}\"", "zz".repeat(20))).is_err());
}

#[test]
fn debug_is_short() {
    let kp = keypair(29);
    let key = format!("{:?}", kp.public_key());
    let signature = format!("{:?}", kp.sign(b"m"));
    assert!(key.len() < 80, "{key}");
    assert!(key.contains(&kp.address().to_string()));
    assert!(signature.len() < 80, "{signature}");
}

#[test]
fn raw_public_key_bytes_match_the_parsed_key_in_every_encoding() {
    use publica_crypto::{PublicKey, PublicKeyBytes};
    let key = crate::keypair(7).public_key().clone();
    let raw = PublicKeyBytes::from(&key);
    assert_eq!(raw.address(), key.address());
    assert_eq!(raw.parse().unwrap(), key);
    assert!(raw == key);
    assert_eq!(borsh::to_vec(&raw).unwrap(), borsh::to_vec(&key).unwrap());
    assert_eq!(serde_json::to_string(&raw).unwrap(), serde_json::to_string(&key).unwrap());
    let back: PublicKeyBytes = borsh::from_slice(&borsh::to_vec(&key).unwrap()).unwrap();
    assert_eq!(back, raw);
    let back: PublicKeyBytes = serde_json::from_str(&serde_json::to_string(&key).unwrap()).unwrap();
    assert_eq!(back, raw);
    // Raw bytes are not validated until parsed: an invalid Ed25519 half (the identity point) is caught then.
    let mut bad = *raw.as_bytes();
    bad[1952..].copy_from_slice(&{
        let mut identity = [0u8; 32];
        identity[0] = 1;
        identity
    });
    assert!(PublicKeyBytes::from_raw(bad).parse().is_err());
    assert!(PublicKey::from_bytes(&bad).is_err());
}
