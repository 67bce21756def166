//! Hybrid post-quantum signatures (ML-DSA-65 + Ed25519), hashing and the encrypted keystore.
//!
//! A Publica key is an ML-DSA-65 key (FIPS 204, pure mode, empty context) together with an Ed25519 key (RFC 8032).
//! A Publica signature is one signature of each kind over the same bytes, and it is valid only if both halves are.
//! The bytes that get signed are built by [`signing_message`], which prefixes every payload with a version tag, a
//! purpose tag and the chain id, so a signature made for one purpose or chain can never be replayed for another.
//! `docs/signatures.md` in the repository specifies the exact bytes and encodings for independent verifiers.
//!
//! Ed25519 halves are verified with the ZIP-215 rules (`ed25519-consensus`), for which single and batch
//! verification accept exactly the same signatures; this keeps every validator's decision identical whether or not
//! it batched. [`verify_batch`] spreads work over all cores.
//!
//! [`seal`] encrypts small messages to an account's key (X25519 from its Ed25519 half: classical secrecy only).
//! [`vrf`] is RFC 9381's verifiable random function on the Ed25519 half, for nullifiers: one per key and input.
//! [`kem`] seals a message to a hybrid recipient key (X25519 + ML-KEM-768: secret if either holds), for releases of
//! personal data; [`envelope`] encrypts a vault's records under data keys wrapped by a key-encryption key.
//! [`threshold`] seals bids to a joint ristretto255 key made without a dealer, which any `t` of `n` holders open.

mod batch;
mod components;
mod encoding;
pub mod envelope;
mod error;
pub mod kem;
mod keys;
pub mod keystore;
mod log_keys;
pub mod seal;
mod signature;
pub mod threshold;
pub mod vrf;

pub use batch::verify_batch;
pub use components::{Ed25519PublicKey, MlDsa65PublicKey};
pub use error::{CryptoError, Half};
pub use keys::{Address, Keypair, PublicKey, PublicKeyBytes, SECRET_KEY_LEN};
pub use log_keys::{
    LogKeySeeds, LogPublicKeys, LOG_ED25519_SIGNATURE_TYPE, LOG_ML_DSA_44_SIGNATURE_TYPE, ML_DSA_44_PUBLIC_KEY_LEN,
};
pub use signature::{signing_message, try_signing_message, Signature, MAX_DOMAIN_FIELD_LEN, SIGNING_MESSAGE_PREFIX};

use sha2::Digest as _;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// SHA-256 of `data` (FIPS 180-4).
pub fn sha256(data: &[u8]) -> Hash {
    sha2::Sha256::digest(data).into()
}

/// SHA-256 over the concatenation of `parts`, without building the concatenation in memory.
pub fn sha256_concat(parts: &[&[u8]]) -> Hash {
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Length of a raw FIPS 204 ML-DSA-65 public key.
pub const ML_DSA_65_PUBLIC_KEY_LEN: usize = 1952;
/// Length of a FIPS 204 ML-DSA-65 signature.
pub const ML_DSA_65_SIGNATURE_LEN: usize = 3309;
/// Length of an RFC 8032 Ed25519 public key.
pub const ED25519_PUBLIC_KEY_LEN: usize = 32;
/// Length of an RFC 8032 Ed25519 signature.
pub const ED25519_SIGNATURE_LEN: usize = 64;
/// Length of an encoded hybrid public key: ML-DSA-65 public key followed by the Ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = ML_DSA_65_PUBLIC_KEY_LEN + ED25519_PUBLIC_KEY_LEN;
/// Length of an encoded hybrid signature: ML-DSA-65 signature followed by the Ed25519 signature.
pub const SIGNATURE_LEN: usize = ML_DSA_65_SIGNATURE_LEN + ED25519_SIGNATURE_LEN;
/// Length of an [`Address`].
pub const ADDRESS_LEN: usize = 20;

// The library's own view of the sizes must agree with the constants that the encodings are built on.
const _: () = assert!(PUBLIC_KEY_LEN == 1984);
const _: () = assert!(SIGNATURE_LEN == 3373);
const _: () = assert!(ADDRESS_LEN <= 32, "an address is a prefix of a SHA-256 digest");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_fips_180_example() {
        assert_eq!(hex::encode(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256_concat(&[b"a", b"", b"bc"]), sha256(b"abc"));
    }

    #[test]
    fn library_sizes_match_constants() {
        use aws_lc_rs::signature::ML_DSA_65_SIGNING;
        assert_eq!(ML_DSA_65_SIGNING.public_key_len(), ML_DSA_65_PUBLIC_KEY_LEN);
        assert_eq!(ML_DSA_65_SIGNING.signature_len(), ML_DSA_65_SIGNATURE_LEN);
        assert_eq!(ML_DSA_65_SIGNING.seed_len(), 32);
    }
}
