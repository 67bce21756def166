//! The one error type of this crate.

use std::path::PathBuf;

/// Which half of a hybrid signature or key an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Half {
    /// The ML-DSA-65 (FIPS 204) component.
    MlDsa65,
    /// The Ed25519 (RFC 8032, verified under ZIP-215 rules) component.
    Ed25519,
}

impl std::fmt::Display for Half {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Half::MlDsa65 => "ML-DSA-65",
            Half::Ed25519 => "Ed25519",
        })
    }
}

/// Everything that can go wrong in `publica-crypto`.
///
/// Messages say what was wrong and, where the caller can act, what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A fixed-size value (key, signature, secret, address) had the wrong number of bytes.
    #[error("{what} must be exactly {expected} bytes, got {actual}; check that the value was not truncated or padded")]
    InvalidLength {
        /// What was being decoded.
        what: &'static str,
        /// The only accepted length.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },

    /// The ML-DSA-65 public key bytes do not decode as a FIPS 204 public key.
    #[error("ML-DSA-65 public key is malformed (rejected by the FIPS 204 decoder)")]
    MalformedMlDsaPublicKey,

    /// The Ed25519 public key is not acceptable as a Publica key (see `Ed25519PublicKey`).
    #[error("Ed25519 public key rejected: {reason}")]
    BadEd25519PublicKey {
        /// Which rule the key broke.
        reason: &'static str,
    },

    /// A validator's checkpoint (notary log) public key does not parse.
    #[error("{key} rejected: {reason}; derive checkpoint keys from the validator's consensus key")]
    BadLogPublicKey {
        /// Which of the two checkpoint keys.
        key: &'static str,
        /// Why.
        reason: String,
    },

    /// One half of a hybrid signature did not verify. ML-DSA-65 is checked first, so when both halves are bad the
    /// error names ML-DSA-65.
    #[error("{half} half of the hybrid signature does not verify for this public key and message")]
    SignatureInvalid {
        /// The half that failed.
        half: Half,
    },

    /// A domain-separation field of the signed message was longer than its one-byte length prefix allows.
    #[error("signing-message {field} is {len} bytes long; at most 255 bytes are allowed")]
    DomainFieldTooLong {
        /// `"tag"` or `"chain id"`.
        field: &'static str,
        /// The given length in bytes.
        len: usize,
    },

    /// A textual encoding (hex, base64, JSON) could not be decoded.
    #[error("invalid {what}: {detail}")]
    InvalidEncoding {
        /// What was being decoded.
        what: &'static str,
        /// What the decoder complained about.
        detail: String,
    },

    /// Decryption of a key file failed: the passphrase is wrong or the file was modified.
    #[error("wrong passphrase or corrupted key file")]
    WrongPassphraseOrCorrupted,

    /// A key file is structurally invalid (unknown version, unsupported algorithm, mismatching fields, too large).
    #[error("invalid key file: {reason}")]
    InvalidKeyFile {
        /// What is wrong with it.
        reason: String,
    },

    /// The key-derivation parameters are out of the accepted range.
    #[error("invalid argon2id parameters: {reason}")]
    InvalidKdfParams {
        /// What is out of range.
        reason: String,
    },

    /// Refused to overwrite an existing key file.
    #[error("key file {path} already exists; remove it or choose another path (existing keys are never overwritten)")]
    KeyFileExists {
        /// The path that already exists.
        path: PathBuf,
    },

    /// A sealed message could not be made or opened: a recipient key or an ephemeral key of low order, a wrong key,
    /// a wrong context, or a modified message (authenticated encryption cannot tell the last three apart).
    #[error("sealed message: {reason}")]
    Sealed {
        /// What went wrong.
        reason: String,
    },

    /// A hybrid recipient key (X25519 + ML-KEM-768) is not acceptable: a part of the wrong length, an X25519 key of
    /// low order or not in canonical form, or ML-KEM-768 bytes that do not decode as a FIPS 203 encapsulation key.
    #[error("recipient key rejected: {reason}; ask its holder for a new recipient key")]
    BadRecipientKey {
        /// Which rule the key broke.
        reason: String,
    },

    /// Envelope encryption failed: a record or a wrapped data key does not open with the key and associated data
    /// given (a wrong key, another place, or a modified value), or a size is out of bounds.
    #[error("envelope encryption: {reason}")]
    Envelope {
        /// What went wrong.
        reason: String,
    },

    /// A passphrase could not be obtained or was unacceptable.
    #[error("passphrase: {reason}")]
    Passphrase {
        /// What went wrong.
        reason: String,
    },

    /// An I/O operation on a file failed. The I/O error is part of the message, not a separate source, so that a
    /// report of the whole chain says it once.
    #[error("{action} {path}: {error}")]
    Io {
        /// What was being done (`"reading"`, `"writing"`, ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
}

impl CryptoError {
    pub(crate) fn encoding(what: &'static str, detail: impl std::fmt::Display) -> Self {
        CryptoError::InvalidEncoding { what, detail: detail.to_string() }
    }

    pub(crate) fn key_file(reason: impl Into<String>) -> Self {
        CryptoError::InvalidKeyFile { reason: reason.into() }
    }

    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        CryptoError::Io { action, path: path.to_path_buf(), error: source }
    }

    /// The half of a hybrid signature that failed verification, if this is a verification failure.
    pub fn failed_half(&self) -> Option<Half> {
        match self {
            CryptoError::SignatureInvalid { half } => Some(*half),
            _ => None,
        }
    }
}
