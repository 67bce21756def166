//! Integration tests of `publica-crypto`: hybrid signatures, encodings, batch verification, public test vectors and
//! the keystore.

mod batch;
mod encoding;
mod keystore;
mod perf;
mod seal;
mod signatures;
mod spec_example;
mod threshold;
mod vrf;
mod wycheproof_vectors;

use publica_crypto::Keypair;

/// A deterministic key pair for test number `n`.
pub fn keypair(n: u8) -> Keypair {
    Keypair::from_seed(&[n; 32])
}
