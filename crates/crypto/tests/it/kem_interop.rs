//! The hybrid sealing (`publica_crypto::kem`) checked against an independent implementation of its construction
//! (`tests/interop/hybrid.mjs`): ML-KEM-768 and XChaCha20-Poly1305 from the @noble libraries, X25519 and HKDF-SHA256
//! from Node's OpenSSL. Messages sealed here must open there to the same bytes, and messages sealed there must open
//! here; a changed byte, another context or another key must fail on both sides. Needs Node 20 and `npm ci` in
//! tests/interop (scripts/test.sh installs it); the test fails, never skips, without them.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use publica_crypto::kem::{open_hybrid, seal_hybrid, HybridSealed, RecipientSecret, MAX_HYBRID_CONTEXT_BYTES};
use serde_json::{json, Value};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Runs the independent implementation on `cases`; fails when Node or its packages are missing.
fn run(cases: &Value) -> Value {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@noble/post-quantum").is_dir() && dir.join("node_modules/@noble/ciphers").is_dir(),
        "the interop packages are not installed: run `npm ci` in {} (scripts/test.sh does) with Node 20 or later",
        dir.display()
    );
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), serde_json::to_vec(cases).unwrap()).unwrap();
    let output =
        Command::new("node").arg("hybrid.mjs").arg(input.path()).current_dir(&dir).output().unwrap_or_else(|e| {
            panic!("cannot run `node` ({e}): install Node 20 or later, then `npm ci` in {}", dir.display())
        });
    assert!(output.status.success(), "node hybrid.mjs failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

fn key_file(secret: &RecipientSecret) -> Value {
    serde_json::from_str(&secret.to_json()).unwrap()
}

/// The sealed message's JSON with the base64 member `field` changed in one byte.
fn flipped(sealed: &HybridSealed, field: &str, at: usize) -> Value {
    let mut json = serde_json::to_value(sealed).unwrap();
    let mut bytes = STANDARD.decode(json[field].as_str().unwrap()).unwrap();
    bytes[at] ^= 0x01;
    json[field] = json!(b64(&bytes));
    json
}

#[test]
fn messages_sealed_here_open_in_an_independent_implementation_and_changed_ones_do_not() {
    let alice = RecipientSecret::generate();
    let bob = RecipientSecret::generate();
    let messages: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (b"publica/data/release/v1 chain nordvik access 7".to_vec(), br#"{"fields":[]}"#.to_vec()),
        (Vec::new(), Vec::new()),
        (vec![0xc3; MAX_HYBRID_CONTEXT_BYTES], (0..=255u8).cycle().take(100_000).collect()),
    ];
    let sealed: Vec<HybridSealed> =
        messages.iter().map(|(context, message)| seal_hybrid(alice.public_key(), context, message).unwrap()).collect();
    let (context, _) = &messages[0];
    let first = &sealed[0];
    let case = |key: &RecipientSecret, context: &[u8], sealed: Value| json!({"key_file": key_file(key), "context": b64(context), "sealed": sealed});
    let first_json = serde_json::to_value(first).unwrap();
    let bad = [
        ("another recipient's key", case(&bob, context, first_json.clone())),
        ("another context", case(&alice, b"publica/data/release/v1 chain nordvik access 8", first_json)),
        ("a changed ML-KEM ciphertext", case(&alice, context, flipped(first, "ml_kem_ciphertext", 500))),
        ("a changed ephemeral key", case(&alice, context, flipped(first, "x25519_ephemeral", 3))),
        ("a changed nonce", case(&alice, context, flipped(first, "nonce", 0))),
        ("a changed ciphertext", case(&alice, context, flipped(first, "ciphertext", 0))),
    ];
    let mut open: Vec<Value> = messages
        .iter()
        .zip(&sealed)
        .map(|((context, _), s)| case(&alice, context, serde_json::to_value(s).unwrap()))
        .collect();
    open.extend(bad.iter().map(|(_, case)| case.clone()));

    let report = run(&json!({"open": open}));
    let opened = report["opened"].as_array().unwrap();
    assert_eq!(opened.len(), messages.len() + bad.len());
    for (i, (_, message)) in messages.iter().enumerate() {
        assert_eq!(opened[i]["ok"], json!(true), "message {i} opens there: {}", opened[i]);
        assert_eq!(opened[i]["plaintext"], json!(b64(message)), "message {i} opens to the bytes sealed");
    }
    for (j, (what, _)) in bad.iter().enumerate() {
        assert_eq!(opened[messages.len() + j]["ok"], json!(false), "{what} must not open there");
    }
}

#[test]
fn messages_sealed_by_an_independent_implementation_open_here_only_with_their_key_and_context() {
    let alice = RecipientSecret::generate();
    let bob = RecipientSecret::generate();
    let context = b"publica/data/release/v1 chain nordvik access 9".to_vec();
    let messages: Vec<Vec<u8>> = vec![b"{\"blood_type\":\"A+\"}".to_vec(), Vec::new(), vec![7; 70_000]];
    let seal: Vec<Value> = messages
        .iter()
        .map(|m| json!({"public_key": alice.public_key(), "context": b64(&context), "plaintext": b64(m)}))
        .collect();
    let report = run(&json!({"seal": seal}));
    let sealed: Vec<HybridSealed> = report["sealed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::from_value(s.clone()).expect("the independent implementation's message has our form"))
        .collect();
    assert_eq!(sealed.len(), messages.len());
    for (message, s) in messages.iter().zip(&sealed) {
        assert_eq!(&open_hybrid(&alice, &context, s).unwrap()[..], &message[..]);
        assert!(open_hybrid(&bob, &context, s).is_err(), "another recipient cannot open it");
        assert!(open_hybrid(&alice, b"another context", s).is_err(), "another context cannot open it");
    }
}
