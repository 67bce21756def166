//! Deterministic signers: the same name gives the same key in every run and every suite.

use publica_crypto::{sha256, Keypair};
use publica_types::{Validator, ValidatorSet};

/// The key pair of `name`: seeded with SHA-256 of the name, so `keypair("alice")` is the same key everywhere.
pub fn keypair(name: &str) -> Keypair {
    Keypair::from_seed(&sha256(name.as_bytes()))
}

/// The key pairs `<prefix>-0` … `<prefix>-<n-1>`, in order (`keypairs("validator", 4)`).
pub fn keypairs(prefix: &str, n: usize) -> Vec<Keypair> {
    (0..n).map(|i| keypair(&format!("{prefix}-{i}"))).collect()
}

/// The validator set of `keys`, each with voting power 1.
pub fn validator_set<'a>(keys: impl IntoIterator<Item = &'a Keypair>) -> ValidatorSet {
    ValidatorSet::new(keys.into_iter().map(|k| Validator::from_keypair(k, 1)).collect())
        .expect("distinct test keys make a valid set")
}
