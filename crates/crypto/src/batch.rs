//! Verification of many hybrid signatures at once, on all cores.

use rayon::prelude::*;

use crate::error::{CryptoError, Half};
use crate::keys::PublicKey;
use crate::signature::Signature;

/// Items per Ed25519 batch. Batching saves roughly half the work per signature once a batch holds a few dozen
/// signatures; larger batches gain little and make the fallback after a failure more expensive. The chunks are also
/// the unit of parallel work, so there are plenty of them for the thread pool to balance.
const ED25519_BATCH_ITEMS: usize = 64;

/// Verifies many `(public key, message, signature)` triples; result `i` belongs to item `i`.
///
/// Every result equals what [`PublicKey::verify`] returns for the same item, including which half an error names:
/// ML-DSA-65 halves are verified one by one on all cores, Ed25519 halves in randomized batches (ZIP-215 rules, so a
/// batch accepts exactly when every member would be accepted alone), and a chunk whose batch fails is checked item
/// by item so that every item gets its own answer.
pub fn verify_batch(items: &[(&PublicKey, &[u8], &Signature)]) -> Vec<Result<(), CryptoError>> {
    let results: Vec<Result<(), CryptoError>> =
        items.par_chunks(ED25519_BATCH_ITEMS).flat_map_iter(verify_chunk).collect();
    assert_eq!(results.len(), items.len(), "verify_batch must return one result per item");
    results
}

fn verify_chunk(chunk: &[(&PublicKey, &[u8], &Signature)]) -> Vec<Result<(), CryptoError>> {
    let ed25519_ok = verify_ed25519_chunk(chunk);
    chunk
        .iter()
        .zip(ed25519_ok)
        .map(|((key, message, signature), ed25519_ok)| {
            // Same order as `PublicKey::verify`: the ML-DSA-65 verdict takes precedence.
            key.ml_dsa().verify(message, signature.ml_dsa_bytes())?;
            if ed25519_ok {
                Ok(())
            } else {
                Err(CryptoError::SignatureInvalid { half: Half::Ed25519 })
            }
        })
        .collect()
}

/// Returns, per item, whether its Ed25519 half verifies.
fn verify_ed25519_chunk(chunk: &[(&PublicKey, &[u8], &Signature)]) -> Vec<bool> {
    let items: Vec<ed25519_zebra::batch::Item> = chunk
        .iter()
        .map(|(key, message, signature)| {
            let signature = ed25519_zebra::Signature::from_bytes(signature.ed25519_bytes());
            ed25519_zebra::batch::Item::from((key.ed25519().key_bytes(), signature, message))
        })
        .collect();
    let mut batch = ed25519_zebra::batch::Verifier::new();
    for item in items.iter().cloned() {
        batch.queue(item);
    }
    // The random batch coefficients only need to be unpredictable to whoever made the signatures.
    if batch.verify(rand::thread_rng()).is_ok() {
        return vec![true; chunk.len()];
    }
    // The item keeps the precomputed message hash, so the fallback does not hash the messages again.
    items.into_iter().map(|item| item.verify_single().is_ok()).collect()
}
