//! Hybrid signatures and the domain-separated message that both halves sign.
//!
//! # Signed bytes
//!
//! ```text
//! message = "PUBLICA-SIG-V1" || u8(len(tag)) || tag || u8(len(chain_id)) || chain_id || body
//! ```
//!
//! `tag` names what is being signed (a transaction, a vote, a checkpoint...) and `chain_id` names the network, so a
//! signature is valid for one purpose on one chain only. Both are UTF-8 strings of at most 255 bytes, each preceded
//! by its length in one byte, so that no two `(tag, chain_id, body)` triples produce the same message. Both the
//! ML-DSA-65 half and the Ed25519 half sign exactly these bytes.

use crate::error::CryptoError;
use crate::{ED25519_SIGNATURE_LEN, ML_DSA_65_SIGNATURE_LEN, SIGNATURE_LEN};

/// The version prefix of every signed message.
pub const SIGNING_MESSAGE_PREFIX: &[u8] = b"PUBLICA-SIG-V1";

/// The longest `tag` or `chain_id` accepted by [`signing_message`] (its length is written in one byte).
pub const MAX_DOMAIN_FIELD_LEN: usize = u8::MAX as usize;

/// Builds the exact bytes that both halves of a hybrid signature sign (layout in the module documentation).
///
/// # Panics
/// If `tag` or `chain_id` is longer than 255 bytes. Tags are constants in the program and chain ids are checked
/// when a chain is configured, so an over-long value is a programming error; use [`try_signing_message`] for values
/// that come from outside.
pub fn signing_message(tag: &str, chain_id: &str, body: &[u8]) -> Vec<u8> {
    match try_signing_message(tag, chain_id, body) {
        Ok(message) => message,
        Err(error) => panic!("{error}"),
    }
}

/// Like [`signing_message`], but returns an error instead of panicking when `tag` or `chain_id` is too long.
pub fn try_signing_message(tag: &str, chain_id: &str, body: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let tag_len = domain_field_len("tag", tag)?;
    let chain_id_len = domain_field_len("chain id", chain_id)?;
    let mut message = Vec::with_capacity(SIGNING_MESSAGE_PREFIX.len() + 2 + tag.len() + chain_id.len() + body.len());
    message.extend_from_slice(SIGNING_MESSAGE_PREFIX);
    message.push(tag_len);
    message.extend_from_slice(tag.as_bytes());
    message.push(chain_id_len);
    message.extend_from_slice(chain_id.as_bytes());
    message.extend_from_slice(body);
    Ok(message)
}

fn domain_field_len(field: &'static str, value: &str) -> Result<u8, CryptoError> {
    u8::try_from(value.len()).map_err(|_| CryptoError::DomainFieldTooLong { field, len: value.len() })
}

/// A hybrid signature: an ML-DSA-65 signature (3309 bytes) and an Ed25519 signature (64 bytes) over the same
/// message.
///
/// Decoding checks only the lengths; whether the bytes form valid signatures is decided by verification.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    ml_dsa: Box<[u8; ML_DSA_65_SIGNATURE_LEN]>,
    ed25519: [u8; ED25519_SIGNATURE_LEN],
}

impl Signature {
    pub(crate) fn from_parts(ml_dsa: Box<[u8; ML_DSA_65_SIGNATURE_LEN]>, ed25519: [u8; ED25519_SIGNATURE_LEN]) -> Self {
        Signature { ml_dsa, ed25519 }
    }

    /// Decodes `ML-DSA-65 signature (3309 bytes) || Ed25519 signature (64 bytes)`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(CryptoError::InvalidLength {
                what: "hybrid signature",
                expected: SIGNATURE_LEN,
                actual: bytes.len(),
            });
        }
        let (ml_dsa, ed25519) = bytes.split_at(ML_DSA_65_SIGNATURE_LEN);
        let ml_dsa: Box<[u8; ML_DSA_65_SIGNATURE_LEN]> =
            ml_dsa.to_vec().into_boxed_slice().try_into().expect("length checked above");
        Ok(Signature { ml_dsa, ed25519: ed25519.try_into().expect("length checked above") })
    }

    /// Builds a hybrid signature from its two halves, checking their lengths.
    pub fn from_halves(ml_dsa: &[u8], ed25519: &[u8]) -> Result<Self, CryptoError> {
        let ml_dsa: Box<[u8; ML_DSA_65_SIGNATURE_LEN]> =
            ml_dsa.to_vec().into_boxed_slice().try_into().map_err(|rest: Box<[u8]>| CryptoError::InvalidLength {
                what: "ML-DSA-65 signature",
                expected: ML_DSA_65_SIGNATURE_LEN,
                actual: rest.len(),
            })?;
        let ed25519: [u8; ED25519_SIGNATURE_LEN] = ed25519.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "Ed25519 signature",
            expected: ED25519_SIGNATURE_LEN,
            actual: ed25519.len(),
        })?;
        Ok(Signature { ml_dsa, ed25519 })
    }

    /// Encodes the signature as `ML-DSA-65 signature || Ed25519 signature` ([`SIGNATURE_LEN`] bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIGNATURE_LEN);
        out.extend_from_slice(&self.ml_dsa[..]);
        out.extend_from_slice(&self.ed25519);
        debug_assert_eq!(out.len(), SIGNATURE_LEN);
        out
    }

    /// The signature of no one: every byte zero. It is what a transaction authenticated by its content rather than
    /// by an account carries (see `publica_tx::Transaction::anonymous`); such a transaction is never verified
    /// against a key, and any other signature on it makes it invalid, so its bytes cannot be varied.
    pub fn absent() -> Self {
        Signature { ml_dsa: Box::new([0; ML_DSA_65_SIGNATURE_LEN]), ed25519: [0; ED25519_SIGNATURE_LEN] }
    }

    /// Whether this is [`Signature::absent`].
    pub fn is_absent(&self) -> bool {
        self.ml_dsa.iter().all(|&b| b == 0) && self.ed25519.iter().all(|&b| b == 0)
    }

    /// The raw FIPS 204 ML-DSA-65 signature (3309 bytes).
    pub fn ml_dsa_bytes(&self) -> &[u8] {
        &self.ml_dsa[..]
    }

    /// The raw RFC 8032 Ed25519 signature (`R || S`).
    pub fn ed25519_bytes(&self) -> &[u8; ED25519_SIGNATURE_LEN] {
        &self.ed25519
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // 3373 bytes would drown a log line; the leading bytes of each half are enough to tell signatures apart.
        write!(f, "Signature(ml_dsa={}…, ed25519={}…)", hex::encode(&self.ml_dsa[..8]), hex::encode(&self.ed25519[..8]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_length_prefixed() {
        let message = signing_message("tx", "main", b"\x01\x02");
        let mut expected = b"PUBLICA-SIG-V1".to_vec();
        expected.extend_from_slice(b"\x02tx\x04main\x01\x02");
        assert_eq!(message, expected);
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
        // Without the length prefixes these would concatenate to the same bytes.
        assert_ne!(signing_message("ab", "c", b""), signing_message("a", "bc", b""));
        assert_ne!(signing_message("a", "b", b"c"), signing_message("a", "bc", b""));
    }

    #[test]
    fn longest_fields_accepted_and_one_more_rejected() {
        let max = "x".repeat(MAX_DOMAIN_FIELD_LEN);
        let message = try_signing_message(&max, &max, b"").unwrap();
        assert_eq!(message.len(), SIGNING_MESSAGE_PREFIX.len() + 2 + 2 * MAX_DOMAIN_FIELD_LEN);
        let long = "x".repeat(MAX_DOMAIN_FIELD_LEN + 1);
        assert!(matches!(
            try_signing_message(&long, "c", b""),
            Err(CryptoError::DomainFieldTooLong { field: "tag", len: 256 })
        ));
        assert!(matches!(
            try_signing_message("t", &long, b""),
            Err(CryptoError::DomainFieldTooLong { field: "chain id", len: 256 })
        ));
    }

    #[test]
    #[should_panic(expected = "at most 255 bytes")]
    fn signing_message_panics_on_long_tag() {
        signing_message(&"x".repeat(300), "c", b"");
    }
}
