//! Encrypted key files.

use publica_crypto::keystore::{self, KdfParams, KeyFile, Passphrase, MAX_KEY_FILE_BYTES};
use publica_crypto::CryptoError;

use crate::keypair;

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;

#[test]
fn encrypt_decrypt_round_trip() {
    let kp = keypair(40);
    let file = keystore::encrypt(&kp, b"correct horse", "validator-1", FAST).unwrap();
    assert_eq!(file.public_key(), kp.public_key());
    assert_eq!(file.address(), kp.address());
    assert_eq!(file.label(), "validator-1");
    let decrypted = file.decrypt(b"correct horse").unwrap();
    assert_eq!(decrypted.public_key(), kp.public_key());
    assert_eq!(decrypted.to_secret_bytes(), kp.to_secret_bytes());
    // The JSON form round-trips and does not contain the secret.
    let json = file.to_json();
    assert_eq!(KeyFile::from_json(&json).unwrap(), file);
    assert!(!json.contains(&hex::encode(&kp.to_secret_bytes()[..16])));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["version"], 1);
    assert_eq!(value["kdf"]["name"], "argon2id");
    assert_eq!(value["kdf"]["m_kib"], FAST.m_kib);
    assert_eq!(value["cipher"]["name"], "xchacha20poly1305");
    assert_eq!(value["address"], kp.address().to_string());
}

#[test]
fn each_encryption_uses_fresh_salt_and_nonce() {
    let kp = keypair(41);
    let a = keystore::encrypt(&kp, b"pw", "", FAST).unwrap();
    let b = keystore::encrypt(&kp, b"pw", "", FAST).unwrap();
    assert_ne!(a, b);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&a.to_json()).unwrap(), serde_json::from_str(&b.to_json()).unwrap());
    assert_ne!(a["kdf"]["salt"], b["kdf"]["salt"]);
    assert_ne!(a["cipher"]["nonce"], b["cipher"]["nonce"]);
}

#[test]
fn default_params_are_the_documented_ones() {
    assert_eq!(KdfParams::default(), KdfParams { m_kib: 65536, t: 3, p: 1 });
}

#[test]
fn wrong_passphrase_fails_clearly() {
    let file = keystore::encrypt(&keypair(42), b"right", "", FAST).unwrap();
    let error = file.decrypt(b"wrong").unwrap_err();
    assert!(matches!(error, CryptoError::WrongPassphraseOrCorrupted));
    assert_eq!(error.to_string(), "wrong passphrase or corrupted key file");
    assert!(file.decrypt(b"").is_err());
}

fn edit(file: &KeyFile, change: impl FnOnce(&mut serde_json::Value)) -> Result<KeyFile, CryptoError> {
    let mut value: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap();
    change(&mut value);
    KeyFile::from_json(&serde_json::to_string(&value).unwrap())
}

#[test]
fn tampered_ciphertext_fails() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let file = keystore::encrypt(&keypair(43), b"pw", "", FAST).unwrap();
    for position in [0, 40, 79] {
        let tampered = edit(&file, |v| {
            let mut ciphertext = b64.decode(v["ciphertext"].as_str().unwrap()).unwrap();
            ciphertext[position] ^= 1;
            v["ciphertext"] = b64.encode(ciphertext).into();
        })
        .unwrap();
        assert!(matches!(tampered.decrypt(b"pw"), Err(CryptoError::WrongPassphraseOrCorrupted)));
    }
    let tampered = edit(&file, |v| {
        let mut nonce = b64.decode(v["cipher"]["nonce"].as_str().unwrap()).unwrap();
        nonce[0] ^= 1;
        v["cipher"]["nonce"] = b64.encode(nonce).into();
    })
    .unwrap();
    assert!(matches!(tampered.decrypt(b"pw"), Err(CryptoError::WrongPassphraseOrCorrupted)));
    // Changed KDF parameters derive another key.
    let tampered = edit(&file, |v| v["kdf"]["t"] = 2.into()).unwrap();
    assert!(matches!(tampered.decrypt(b"pw"), Err(CryptoError::WrongPassphraseOrCorrupted)));
}

#[test]
fn swapped_public_key_fails() {
    let file = keystore::encrypt(&keypair(44), b"pw", "", FAST).unwrap();
    let other = keypair(45);
    // Swapping only the key makes the address check fail at load time.
    let error = edit(&file, |v| v["public_key"] = serde_json::to_value(other.public_key()).unwrap()).unwrap_err();
    assert!(error.to_string().contains("does not belong to the public key"), "{error}");
    // Swapping key and address together loads, but the AEAD associated data no longer matches.
    let swapped = edit(&file, |v| {
        v["public_key"] = serde_json::to_value(other.public_key()).unwrap();
        v["address"] = other.address().to_string().into();
    })
    .unwrap();
    assert!(matches!(swapped.decrypt(b"pw"), Err(CryptoError::WrongPassphraseOrCorrupted)));
}

#[test]
fn structural_checks_on_load() {
    let file = keystore::encrypt(&keypair(46), b"pw", "", FAST).unwrap();
    let expect = |result: Result<KeyFile, CryptoError>, needle: &str| {
        let error = result.unwrap_err().to_string();
        assert!(error.contains(needle), "expected {needle:?} in {error:?}");
    };
    expect(edit(&file, |v| v["version"] = 2.into()), "version 2 is not supported");
    expect(edit(&file, |v| v["kdf"]["name"] = "scrypt".into()), "kdf \"scrypt\"");
    expect(edit(&file, |v| v["cipher"]["name"] = "aes".into()), "cipher \"aes\"");
    expect(edit(&file, |v| v["kdf"]["m_kib"] = (KdfParams::MAX_M_KIB + 1).into()), "m_kib");
    expect(edit(&file, |v| v["kdf"]["salt"] = "AAAA".into()), "salt");
    expect(edit(&file, |v| v["ciphertext"] = "AAAA".into()), "ciphertext");
    expect(edit(&file, |v| v["extra"] = 1.into()), "unknown field");
    expect(edit(&file, |v| v["label"] = "x".repeat(1000).into()), "label");
    expect(KeyFile::from_json(&" ".repeat(MAX_KEY_FILE_BYTES + 1)), "limit");
    expect(KeyFile::from_json("{"), "invalid key file");
}

#[test]
fn empty_passphrase_and_long_label_refused() {
    assert!(matches!(keystore::encrypt(&keypair(47), b"", "", FAST), Err(CryptoError::Passphrase { .. })));
    assert!(keystore::encrypt(&keypair(47), b"pw", &"l".repeat(257), FAST).is_err());
    assert!(keystore::encrypt(&keypair(47), b"pw", "", KdfParams { m_kib: 1, t: 1, p: 1 }).is_err());
}

#[test]
fn save_load_with_mode_0600_and_no_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("validator.key.json");
    let kp = keypair(48);
    let file = keystore::encrypt(&kp, b"pw", "v", FAST).unwrap();
    file.save(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "mode {mode:o}");
    }
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("validator.key.json")]);

    let loaded = KeyFile::load(&path).unwrap();
    assert_eq!(loaded, file);
    assert_eq!(loaded.decrypt(b"pw").unwrap().public_key(), kp.public_key());

    let other = keystore::encrypt(&keypair(49), b"pw", "v", FAST).unwrap();
    assert!(matches!(other.save(&path), Err(CryptoError::KeyFileExists { .. })));
    assert_eq!(KeyFile::load(&path).unwrap(), file, "existing file untouched");
}

#[test]
fn load_enforces_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    std::fs::write(&path, vec![b' '; MAX_KEY_FILE_BYTES + 1]).unwrap();
    assert!(KeyFile::load(&path).unwrap_err().to_string().contains("limit"));
    assert!(matches!(KeyFile::load(dir.path().join("missing")), Err(CryptoError::Io { .. })));
}

#[test]
fn passphrase_from_file_trims_one_newline() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], &[u8]); 4] = [
        (b"secret\n", b"secret"),
        (b"secret\r\n", b"secret"),
        (b"secret\n\n", b"secret\n"),
        (b" secret ", b" secret "),
    ];
    for (i, (contents, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("p{i}"));
        std::fs::write(&path, contents).unwrap();
        assert_eq!(Passphrase::from_file(&path).unwrap().as_bytes(), *expected);
    }
    let empty = dir.path().join("empty");
    std::fs::write(&empty, b"\n").unwrap();
    assert!(matches!(Passphrase::from_file(&empty), Err(CryptoError::Passphrase { .. })));
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'x'; 5000]).unwrap();
    assert!(Passphrase::from_file(&big).is_err());
}

#[test]
fn passphrase_from_env() {
    // A variable name unique to this test, so parallel tests cannot interfere.
    let var = "PUBLICA_CRYPTO_TEST_PASSPHRASE_7F3A";
    assert!(Passphrase::from_env(var).unwrap_err().to_string().contains("not set"));
    std::env::set_var(var, "from env");
    assert_eq!(Passphrase::from_env(var).unwrap().as_bytes(), b"from env");
    std::env::set_var(var, "");
    assert!(Passphrase::from_env(var).unwrap_err().to_string().contains("empty"));
    std::env::remove_var(var);
}
