//! Signers: Ed25519 note signatures (signed-note) and the two tlog-cosignature v1 cosigners, with the exact
//! messages they sign.
//!
//! Secret keys never leave their holders: `Debug` shows the name and key id only; the Ed25519 seed and scalar
//! are zeroized on drop, and AWS-LC cleanses the ML-DSA key when it frees it.

use std::fmt;

use aws_lc_rs::signature::{KeyPair as _, PqdsaKeyPair, ML_DSA_44_SIGNING};
use zeroize::Zeroize as _;

use crate::checkpoint::Checkpoint;
use crate::note::{check_key_name, key_id, NoteSignature, SignatureType, VerifierKey, ML_DSA_44_SIGNATURE_LEN};
use crate::{Hash, TlogError};

/// The largest cosignature timestamp the spec allows: 2^63 - 1.
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// The header line of the Ed25519 cosignature message.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1\n";

/// The 12-byte label that starts the ML-DSA-44 `cosigned_message`.
pub const SUBTREE_V1_LABEL: &[u8; 12] = b"subtree/v1\n\0";

fn check_timestamp(timestamp: u64) -> Result<(), TlogError> {
    if timestamp > MAX_TIMESTAMP {
        return Err(TlogError::TimestampTooLarge(timestamp));
    }
    Ok(())
}

/// The message an Ed25519 (`0x04`) cosigner signs: `cosignature/v1\n`, `time <timestamp>\n`, then the whole
/// checkpoint note text (final newline included, no signature lines).
pub fn ed25519_cosignature_message(checkpoint_text: &str, timestamp: u64) -> Result<Vec<u8>, TlogError> {
    check_timestamp(timestamp)?;
    Ok(format!("{COSIGNATURE_V1_HEADER}time {timestamp}\n{checkpoint_text}").into_bytes())
}

/// The `cosigned_message` an ML-DSA-44 (`0x06`) cosigner signs (TLS presentation language, RFC 8446 §3):
///
/// ```text
/// "subtree/v1\n\0" (12 bytes) || u8 len || cosigner_name || u64 timestamp
///   || u8 len || log_origin || u64 start || u64 end || hash (32 bytes)
/// ```
///
/// Integers are big-endian. Name and origin must be 1 to 255 bytes; a subtree with `start > 0` must have
/// timestamp 0. A checkpoint is the subtree `[0, size)`.
pub fn ml_dsa_44_cosigned_message(
    cosigner_name: &str,
    timestamp: u64,
    origin: &str,
    start: u64,
    end: u64,
    hash: &Hash,
) -> Result<Vec<u8>, TlogError> {
    check_timestamp(timestamp)?;
    if start != 0 && timestamp != 0 {
        return Err(crate::text::malformed(
            "cosigned message",
            "a subtree with a non-zero start must have timestamp 0",
        ));
    }
    let name_len = length_prefix("cosigner name", cosigner_name)?;
    let origin_len = length_prefix("log origin", origin)?;
    let mut out = Vec::with_capacity(12 + 1 + cosigner_name.len() + 8 + 1 + origin.len() + 8 + 8 + 32);
    out.extend_from_slice(SUBTREE_V1_LABEL);
    out.push(name_len);
    out.extend_from_slice(cosigner_name.as_bytes());
    out.extend_from_slice(&timestamp.to_be_bytes());
    out.push(origin_len);
    out.extend_from_slice(origin.as_bytes());
    out.extend_from_slice(&start.to_be_bytes());
    out.extend_from_slice(&end.to_be_bytes());
    out.extend_from_slice(hash);
    Ok(out)
}

fn length_prefix(what: &'static str, field: &str) -> Result<u8, TlogError> {
    match u8::try_from(field.len()) {
        Ok(len) if len > 0 => Ok(len),
        _ => Err(TlogError::CosignFieldLength { what, len: field.len() }),
    }
}

/// A `timestamped_signature`: the big-endian timestamp, then the signature.
fn timestamped(timestamp: u64, signature: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + signature.len());
    out.extend_from_slice(&timestamp.to_be_bytes());
    out.extend_from_slice(signature);
    out
}

/// An Ed25519 key with its name, as the three Ed25519-based signers hold it.
struct Ed25519Key {
    name: String,
    key_id: u32,
    sig_type: SignatureType,
    key: ed25519_zebra::SigningKey,
}

impl Ed25519Key {
    fn new(name: &str, seed: &[u8; 32], sig_type: SignatureType) -> Result<Self, TlogError> {
        check_key_name(name)?;
        let key = ed25519_zebra::SigningKey::from(*seed);
        let key_id = key_id(name, sig_type.byte(), ed25519_zebra::VerificationKeyBytes::from(&key).as_ref());
        Ok(Ed25519Key { name: name.to_owned(), key_id, sig_type, key })
    }

    fn verifier_key(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            sig_type: self.sig_type,
            public_key: ed25519_zebra::VerificationKeyBytes::from(&self.key).as_ref().to_vec(),
        }
    }

    fn signature(&self, signature: Vec<u8>) -> NoteSignature {
        NoteSignature { name: self.name.clone(), key_id: self.key_id, signature }
    }
}

impl Drop for Ed25519Key {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} key {} ({:08x})", self.sig_type.name(), self.name, self.key_id)
    }
}

/// Signs note texts with Ed25519 (signature type `0x01`), as a log signs its checkpoints.
#[derive(Debug)]
pub struct Ed25519NoteSigner(Ed25519Key);

impl Ed25519NoteSigner {
    /// The signer named `name` whose RFC 8032 secret key is `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, TlogError> {
        Ed25519Key::new(name, seed, SignatureType::Ed25519).map(Self)
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        self.0.verifier_key()
    }

    /// Signs `text` (a note text, final newline included) and returns the signature line.
    pub fn sign(&self, text: &str) -> NoteSignature {
        self.0.signature(self.0.key.sign(text.as_bytes()).to_bytes().to_vec())
    }
}

/// Cosigns checkpoints with a timestamped Ed25519 `cosignature/v1` (signature type `0x04`).
///
/// The message does not name the cosigner, so one key must never serve two cosigners.
#[derive(Debug)]
pub struct Ed25519Cosigner(Ed25519Key);

impl Ed25519Cosigner {
    /// The cosigner named `name` whose RFC 8032 secret key is `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, TlogError> {
        Ed25519Key::new(name, seed, SignatureType::CosignatureEd25519).map(Self)
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        self.0.verifier_key()
    }

    /// Cosigns `checkpoint` (extension lines included) at POSIX time `timestamp`. Fails if the checkpoint is not
    /// well formed or the timestamp exceeds [`MAX_TIMESTAMP`].
    pub fn cosign(&self, checkpoint: &Checkpoint, timestamp: u64) -> Result<NoteSignature, TlogError> {
        checkpoint.validate()?;
        let message = ed25519_cosignature_message(&checkpoint.to_text(), timestamp)?;
        Ok(self.0.signature(timestamped(timestamp, &self.0.key.sign(&message).to_bytes())))
    }
}

/// Cosigns checkpoints with a timestamped ML-DSA-44 `subtree/v1` cosignature (signature type `0x06`).
pub struct MlDsa44Cosigner {
    name: String,
    key_id: u32,
    key: PqdsaKeyPair,
}

impl MlDsa44Cosigner {
    /// The cosigner named `name` (1 to 255 bytes) whose FIPS 204 key generation seed `ξ` is `seed`.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Self, TlogError> {
        check_key_name(name)?;
        length_prefix("cosigner name", name)?;
        // Key generation accepts every 32-byte seed, so a failure is a fault inside the library.
        let key =
            PqdsaKeyPair::from_seed(&ML_DSA_44_SIGNING, seed).map_err(|_| TlogError::KeyGeneration("ML-DSA-44"))?;
        let key_id = key_id(name, SignatureType::CosignatureMlDsa44.byte(), key.public_key().as_ref());
        Ok(MlDsa44Cosigner { name: name.to_owned(), key_id, key })
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            sig_type: SignatureType::CosignatureMlDsa44,
            public_key: self.key.public_key().as_ref().to_vec(),
        }
    }

    /// Cosigns the whole tree of `checkpoint` (`start = 0`, `end = size`) at POSIX time `timestamp`. Extension
    /// lines are not covered by this signature type. Fails if the origin is not 1 to 255 bytes or the timestamp
    /// exceeds [`MAX_TIMESTAMP`].
    ///
    /// Signing is hedged (FIPS 204 default): two cosignatures of the same checkpoint differ.
    pub fn cosign(&self, checkpoint: &Checkpoint, timestamp: u64) -> Result<NoteSignature, TlogError> {
        checkpoint.validate()?;
        let message = ml_dsa_44_cosigned_message(
            &self.name,
            timestamp,
            &checkpoint.origin,
            0,
            checkpoint.size,
            &checkpoint.root,
        )?;
        let mut signature = vec![0u8; ML_DSA_44_SIGNATURE_LEN];
        let written = self.key.sign(&message, &mut signature).expect("ML-DSA-44 signing failed inside AWS-LC");
        assert_eq!(written, ML_DSA_44_SIGNATURE_LEN, "ML-DSA-44 signature has an unexpected length");
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            signature: timestamped(timestamp, &signature),
        })
    }
}

impl fmt::Debug for MlDsa44Cosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ML-DSA-44 cosigner {} ({:08x})", self.name, self.key_id)
    }
}
