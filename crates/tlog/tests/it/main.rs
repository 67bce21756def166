//! Integration tests of publica-tlog: the C2SP spec examples, sign/verify round trips with tampering, exact
//! message layouts, encodings of proofs and witness bodies, and decoders fed garbage.

mod cosign;
mod formats;
mod fuzz;
mod note;

use publica_merkle::log::{leaf_hash, root};
use publica_tlog::{Checkpoint, Hash};

/// A log of `n` leaves with distinct entries; returns the leaf hashes.
pub fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(format!("document {i}").as_bytes())).collect()
}

/// The checkpoint of the first `n` leaves of [`leaves`].
pub fn checkpoint_of(n: u64) -> Checkpoint {
    Checkpoint::new("notary.publica.example/log", n, root(&leaves(n))).unwrap()
}
