//! Prints a hybrid signature as JSON, for checking Publica signatures with other libraries.
//!
//! `cargo run -p publica-crypto --example sign -- <seed-hex-32-bytes> <tag> <chain-id> <body-hex>`
//!
//! The key comes from `Keypair::from_seed`, so never use this with a real key's seed.

use base64::Engine as _;
use publica_crypto::{signing_message, Keypair};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [seed, tag, chain_id, body] = args.as_slice() else {
        eprintln!("usage: sign <seed-hex-32-bytes> <tag> <chain-id> <body-hex>");
        std::process::exit(2);
    };
    let seed: [u8; 32] = hex::decode(seed).ok().and_then(|bytes| bytes.try_into().ok()).unwrap_or_else(|| {
        eprintln!("the seed must be 64 hex digits");
        std::process::exit(2);
    });
    let body = hex::decode(body).unwrap_or_else(|e| {
        eprintln!("the body must be hex: {e}");
        std::process::exit(2);
    });
    let keypair = Keypair::from_seed(&seed);
    let message = signing_message(tag, chain_id, &body);
    let signature = keypair.sign(&message);
    keypair.public_key().verify(&message, &signature).expect("a fresh signature verifies");
    let b64 = base64::engine::general_purpose::STANDARD;
    let output = serde_json::json!({
        "public_key": b64.encode(keypair.public_key().to_bytes()),
        "address": keypair.address().to_string(),
        "message_hex": hex::encode(&message),
        "signature": b64.encode(signature.to_bytes()),
    });
    println!("{}", serde_json::to_string_pretty(&output).expect("JSON values always serialize"));
}
