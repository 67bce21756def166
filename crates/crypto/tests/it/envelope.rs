//! Envelope encryption: round trips, refusals (another key, other associated data, every changed byte, a wrapped
//! key taken for data and back), the encodings, the key-encryption key file, redacted Debug and the bounds.

use base64::Engine as _;
use publica_crypto::envelope::{
    decrypt, encrypt, unwrap, wrap, DataKey, KeyEncryptionKey, Sealed, WrappedKey, MAX_ENVELOPE_AAD_BYTES,
    MAX_ENVELOPE_PLAINTEXT_BYTES,
};
use publica_crypto::CryptoError;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn refused<T: std::fmt::Debug>(result: Result<T, CryptoError>) -> String {
    match result {
        Err(CryptoError::Envelope { reason }) => reason,
        other => panic!("expected an envelope refusal, got {other:?}"),
    }
}

/// The associated data a vault gives: its agency and the record's commitment.
fn place(agency: u8, commitment: u8) -> Vec<u8> {
    [&[agency; 8][..], &[commitment; 32][..]].concat()
}

#[test]
fn a_record_decrypts_only_with_its_data_key_and_place() {
    let key = DataKey::generate();
    let record = br#"{"blood_type":"A+","allergies":["penicillin"]}"#;
    let sealed = encrypt(&key, &place(1, 1), record).unwrap();
    assert_eq!(sealed.ciphertext.len(), record.len() + 16);
    assert_eq!(&decrypt(&key, &place(1, 1), &sealed).unwrap()[..], record);
    // A second encryption uses a new nonce.
    let again = encrypt(&key, &place(1, 1), record).unwrap();
    assert_ne!(again.nonce, sealed.nonce);
    assert_ne!(again.ciphertext, sealed.ciphertext);
    // Another key, another agency, another record: refused.
    assert!(refused(decrypt(&DataKey::generate(), &place(1, 1), &sealed)).contains("does not decrypt"));
    refused(decrypt(&key, &place(2, 1), &sealed));
    refused(decrypt(&key, &place(1, 2), &sealed));
    refused(decrypt(&key, b"", &sealed));
    // The empty record and empty associated data are fine.
    let empty = encrypt(&key, b"", b"").unwrap();
    assert!(decrypt(&key, b"", &empty).unwrap().is_empty());
}

#[test]
fn a_data_key_unwraps_only_with_its_key_encryption_key_and_place() {
    let kek = KeyEncryptionKey::generate();
    let key = DataKey::generate();
    let sealed = encrypt(&key, &place(1, 1), b"record").unwrap();
    let wrapped = wrap(&kek, &place(1, 1), &key).unwrap();
    let unwrapped = unwrap(&kek, &place(1, 1), &wrapped).unwrap();
    assert_eq!(*unwrapped.to_bytes(), *key.to_bytes());
    assert_eq!(&decrypt(&unwrapped, &place(1, 1), &sealed).unwrap()[..], b"record");
    // A second wrapping uses a new nonce.
    let again = wrap(&kek, &place(1, 1), &key).unwrap();
    assert_ne!(again.nonce, wrapped.nonce);
    assert!(refused(unwrap(&KeyEncryptionKey::generate(), &place(1, 1), &wrapped)).contains("does not unwrap"));
    refused(unwrap(&kek, &place(2, 1), &wrapped));
    refused(unwrap(&kek, &place(1, 2), &wrapped));
}

#[test]
fn every_changed_byte_of_every_field_is_refused() {
    let kek = KeyEncryptionKey::generate();
    let key = DataKey::generate();
    let aad = place(3, 4);
    let sealed = encrypt(&key, &aad, b"a short record").unwrap();
    for i in 0..sealed.nonce.len() {
        let mut changed = sealed.clone();
        changed.nonce[i] ^= 0x80;
        refused(decrypt(&key, &aad, &changed));
    }
    for i in 0..sealed.ciphertext.len() {
        let mut changed = sealed.clone();
        changed.ciphertext[i] ^= 1;
        refused(decrypt(&key, &aad, &changed));
    }
    let mut cut = sealed.clone();
    cut.ciphertext.pop();
    refused(decrypt(&key, &aad, &cut));
    cut.ciphertext.truncate(15);
    assert!(refused(decrypt(&key, &aad, &cut)).contains("shorter than its tag"));

    let wrapped = wrap(&kek, &aad, &key).unwrap();
    for i in 0..wrapped.nonce.len() {
        let mut changed = wrapped.clone();
        changed.nonce[i] ^= 0x80;
        refused(unwrap(&kek, &aad, &changed));
    }
    for i in 0..wrapped.ciphertext.len() {
        let mut changed = wrapped.clone();
        changed.ciphertext[i] ^= 1;
        refused(unwrap(&kek, &aad, &changed));
    }
    for i in 0..aad.len() {
        let mut changed = aad.clone();
        changed[i] ^= 1;
        refused(decrypt(&key, &changed, &sealed));
        refused(unwrap(&kek, &changed, &wrapped));
    }
}

/// The two uses are told apart by their labels: under the same 32 bytes, a wrapped key does not decrypt as data and
/// 32 bytes of data do not unwrap as a key.
#[test]
fn a_wrapped_key_is_never_taken_for_data_nor_data_for_a_wrapped_key() {
    let bytes = [9u8; 32];
    let kek = KeyEncryptionKey::from_bytes(&bytes);
    let same_as_data_key = DataKey::from_bytes(&bytes);
    let wrapped = wrap(&kek, b"place", &DataKey::generate()).unwrap();
    let as_data = Sealed { nonce: wrapped.nonce, ciphertext: wrapped.ciphertext.to_vec() };
    refused(decrypt(&same_as_data_key, b"place", &as_data));

    let data = encrypt(&same_as_data_key, b"place", &[5u8; 32]).unwrap();
    let as_wrapped = WrappedKey { nonce: data.nonce, ciphertext: data.ciphertext.clone().try_into().unwrap() };
    refused(unwrap(&kek, b"place", &as_wrapped));
}

#[test]
fn sealed_records_and_wrapped_keys_round_trip_through_json_and_borsh() {
    let kek = KeyEncryptionKey::generate();
    let key = DataKey::generate();
    let sealed = encrypt(&key, b"aad", b"record").unwrap();
    let wrapped = wrap(&kek, b"aad", &key).unwrap();

    let json = serde_json::to_value(&sealed).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(BASE64.decode(json["nonce"].as_str().unwrap()).unwrap(), sealed.nonce);
    assert_eq!(serde_json::from_value::<Sealed>(json.clone()).unwrap(), sealed);
    let bytes = borsh::to_vec(&sealed).unwrap();
    assert_eq!(bytes.len(), 4 + 24 + 4 + sealed.ciphertext.len());
    assert_eq!(borsh::from_slice::<Sealed>(&bytes).unwrap(), sealed);

    let json_wrapped = serde_json::to_value(&wrapped).unwrap();
    assert_eq!(json_wrapped["version"], 1);
    assert_eq!(serde_json::from_value::<WrappedKey>(json_wrapped.clone()).unwrap(), wrapped);
    let bytes_wrapped = borsh::to_vec(&wrapped).unwrap();
    assert_eq!(bytes_wrapped.len(), 4 + 24 + 48);
    let back = borsh::from_slice::<WrappedKey>(&bytes_wrapped).unwrap();
    assert_eq!(*unwrap(&kek, b"aad", &back).unwrap().to_bytes(), *key.to_bytes());

    // Other versions, wrong lengths, cut encodings, unknown fields.
    let mut bad = json.clone();
    bad["version"] = 2.into();
    assert!(serde_json::from_value::<Sealed>(bad).unwrap_err().to_string().contains("version 2"));
    let mut bad = json.clone();
    bad["ciphertext"] = "AAAA".into();
    assert!(serde_json::from_value::<Sealed>(bad).unwrap_err().to_string().contains("shorter than its tag"));
    let mut bad = json;
    bad["nonce"] = "AAAA".into();
    assert!(serde_json::from_value::<Sealed>(bad).is_err());
    let mut bad = json_wrapped.clone();
    bad["ciphertext"] = BASE64.encode([0u8; 47]).into();
    assert!(serde_json::from_value::<WrappedKey>(bad).unwrap_err().to_string().contains("48 bytes"));
    let mut bad = json_wrapped;
    bad["extra"] = true.into();
    assert!(serde_json::from_value::<WrappedKey>(bad).is_err());
    let mut other_version = bytes_wrapped.clone();
    other_version[0] = 2;
    assert!(borsh::from_slice::<WrappedKey>(&other_version).unwrap_err().to_string().contains("version 2"));
    assert!(borsh::from_slice::<WrappedKey>(&bytes_wrapped[..bytes_wrapped.len() - 1]).is_err());
    assert!(borsh::from_slice::<Sealed>(&bytes[..bytes.len() - 1]).is_err());
    let mut huge = bytes[..4 + 24].to_vec();
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(borsh::from_slice::<Sealed>(&huge).unwrap_err().to_string().contains("between 16 and"));
}

#[test]
fn the_key_encryption_key_file_round_trips_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kek = KeyEncryptionKey::generate();
    let wrapped = wrap(&kek, b"aad", &DataKey::generate()).unwrap();
    let path = dir.path().join("kek");
    kek.save(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, format!("{}\n", hex::encode(*kek.to_bytes())));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let loaded = KeyEncryptionKey::load(&path).unwrap();
    assert_eq!(*loaded.to_bytes(), *kek.to_bytes());
    unwrap(&loaded, b"aad", &wrapped).unwrap();
    // An existing file is never overwritten, and no temporary file is left behind.
    assert!(matches!(KeyEncryptionKey::generate().save(&path), Err(CryptoError::KeyFileExists { .. })));
    assert_eq!(*KeyEncryptionKey::load(&path).unwrap().to_bytes(), *kek.to_bytes());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // 32 raw bytes, and hex with white space around it, are read too.
    let raw = dir.path().join("raw");
    std::fs::write(&raw, *kek.to_bytes()).unwrap();
    assert_eq!(*KeyEncryptionKey::load(&raw).unwrap().to_bytes(), *kek.to_bytes());
    let spaced = dir.path().join("spaced");
    std::fs::write(&spaced, format!("  {}\r\n\n", hex::encode(*kek.to_bytes()).to_uppercase())).unwrap();
    assert_eq!(*KeyEncryptionKey::load(&spaced).unwrap().to_bytes(), *kek.to_bytes());

    let bad = |name: &str, contents: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        match KeyEncryptionKey::load(&path) {
            Err(CryptoError::InvalidKeyFile { reason }) => reason,
            other => panic!("expected a key file refusal, got {other:?}"),
        }
    };
    assert!(bad("short", &[1u8; 31]).contains("64 hex digits or exactly 32 raw bytes"));
    assert!(bad("odd", "ab".repeat(31).as_bytes()).contains("64 hex digits"));
    assert!(bad("not-hex", "zz".repeat(32).as_bytes()).contains("not 64 hex digits"));
    assert!(bad("large", &[b'a'; 300]).contains("limit"));
    assert!(matches!(KeyEncryptionKey::load(dir.path().join("missing")), Err(CryptoError::Io { .. })));
}

#[test]
fn debug_output_shows_no_key() {
    let key = DataKey::from_bytes(&[0xab; 32]);
    let kek = KeyEncryptionKey::from_bytes(&[0xcd; 32]);
    assert_eq!(format!("{key:?}"), "DataKey(redacted)");
    assert_eq!(format!("{kek:#?}"), "KeyEncryptionKey(redacted)");
    let random = DataKey::generate();
    let debug = format!("{random:?}");
    assert!(!debug.contains(&hex::encode(*random.to_bytes())), "{debug}");
}

#[test]
fn sizes_over_the_limits_are_refused_and_the_limits_themselves_are_accepted() {
    let kek = KeyEncryptionKey::generate();
    let key = DataKey::generate();
    let reason = refused(encrypt(&key, b"", &vec![0; MAX_ENVELOPE_PLAINTEXT_BYTES + 1]));
    assert!(reason.contains("at most"), "{reason}");
    let long_aad = vec![b'a'; MAX_ENVELOPE_AAD_BYTES + 1];
    assert!(refused(encrypt(&key, &long_aad, b"")).contains("associated data"));
    assert!(refused(wrap(&kek, &long_aad, &key)).contains("associated data"));
    let wrapped = wrap(&kek, b"", &key).unwrap();
    refused(unwrap(&kek, &long_aad, &wrapped));
    let sealed = encrypt(&key, b"", b"").unwrap();
    refused(decrypt(&key, &long_aad, &sealed));

    let aad = vec![b'a'; MAX_ENVELOPE_AAD_BYTES];
    let record = vec![7u8; MAX_ENVELOPE_PLAINTEXT_BYTES];
    let sealed = encrypt(&key, &aad, &record).unwrap();
    assert!(decrypt(&key, &aad, &sealed).unwrap()[..] == record[..]);
    assert_eq!(borsh::from_slice::<Sealed>(&borsh::to_vec(&sealed).unwrap()).unwrap(), sealed);
    let wrapped = wrap(&kek, &aad, &key).unwrap();
    assert_eq!(*unwrap(&kek, &aad, &wrapped).unwrap().to_bytes(), *key.to_bytes());
}

/// The module documentation's formulas, computed here with the cipher's own crate, open what `encrypt` and `wrap`
/// made: the documentation and the code cannot drift apart.
#[test]
fn the_construction_is_exactly_the_documented_one() {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let open = |key: &[u8; 32], nonce: &[u8; 24], ciphertext: &[u8], aad: &[u8]| {
        chacha20poly1305::XChaCha20Poly1305::new(key.into()).decrypt(nonce.into(), Payload { msg: ciphertext, aad })
    };
    let kek = KeyEncryptionKey::from_bytes(&[1; 32]);
    let key = DataKey::from_bytes(&[2; 32]);
    let aad = place(5, 6);
    let sealed = encrypt(&key, &aad, b"record").unwrap();
    let data_aad = [&b"publica/envelope/v1/data"[..], &[0], &aad].concat();
    assert_eq!(open(&[2; 32], &sealed.nonce, &sealed.ciphertext, &data_aad).unwrap(), b"record");
    let wrapped = wrap(&kek, &aad, &key).unwrap();
    let wrap_aad = [&b"publica/envelope/v1/wrap"[..], &[0], &aad].concat();
    assert_eq!(open(&[1; 32], &wrapped.nonce, &wrapped.ciphertext, &wrap_aad).unwrap(), [2; 32]);
}
