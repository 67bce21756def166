//! Integration tests of `publica-crypto`: hybrid signatures, encodings, batch verification, public test vectors,
//! the keystore, sealed messages (classical and hybrid) and envelope encryption.

mod batch;
mod encoding;
mod envelope;
mod kem;
mod kem_interop;
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
