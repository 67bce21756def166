//! The one error type of the crate.

use publica_merkle::log::LogError;

/// Anything that can be wrong with a transparency-log artifact: malformed text, a limit exceeded, a key that does
/// not match, a signature or proof that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    /// An input is larger than the limit for its kind.
    #[error("{what} is {len} bytes, more than the limit of {max} bytes: refuse it, it is not a valid {what}")]
    TooLarge {
        /// What was being decoded.
        what: &'static str,
        /// Its size in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// An input is not valid UTF-8.
    #[error("{what} is not valid UTF-8 (first bad byte at offset {offset}): C2SP text formats are UTF-8 only")]
    NotUtf8 {
        /// What was being decoded.
        what: &'static str,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// An input contains an ASCII control character other than newline.
    #[error(
        "{what} contains control character 0x{byte:02x} at byte {offset}: only newline (0x0a) is allowed below \
         U+0020"
    )]
    ControlCharacter {
        /// What was being decoded.
        what: &'static str,
        /// The offending byte.
        byte: u8,
        /// Its offset.
        offset: usize,
    },
    /// A text structure is wrong: a missing, empty or unexpected line, a missing separator.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// What exactly was wrong.
        reason: String,
    },
    /// More items than the format or this implementation allows.
    #[error("{what} has {count} items, more than the limit of {max}")]
    TooMany {
        /// What was counted.
        what: &'static str,
        /// How many there were (or the first count over the limit).
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A key name is empty or contains a Unicode space, a plus sign or a control character.
    #[error(
        "key name `{name}` is invalid: {reason}; names must be non-empty, without spaces, `+` or control characters"
    )]
    InvalidKeyName {
        /// The rejected name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A base64 field does not decode as canonical standard base64 (RFC 4648 §4, with padding).
    #[error("{what} is not canonical standard base64 (RFC 4648 section 4, padded): {detail}")]
    Base64 {
        /// The field.
        what: &'static str,
        /// The decoder's complaint.
        detail: String,
    },
    /// A decimal field has a leading zero.
    #[error("{what} `{text}` has a leading zero: write decimals without leading zeros (zero itself is `0`)")]
    LeadingZero {
        /// The field.
        what: &'static str,
        /// The text as given.
        text: String,
    },
    /// A decimal field is empty, has a non-digit or does not fit its type.
    #[error("{what} `{text}` is not a decimal number between {min} and {max}")]
    BadNumber {
        /// The field.
        what: &'static str,
        /// The text as given.
        text: String,
        /// Smallest allowed value.
        min: u64,
        /// Largest allowed value.
        max: u64,
    },
    /// A hash field does not decode to 32 bytes.
    #[error("{what} decodes to {len} bytes, a SHA-256 hash has 32")]
    HashLength {
        /// The field.
        what: &'static str,
        /// Decoded length.
        len: usize,
    },
    /// A verifier key or signature uses a signature type this crate does not implement.
    #[error(
        "signature type 0x{0:02x} is not supported: use 0x01 (Ed25519), 0x04 (Ed25519 cosignature) or 0x06 \
         (ML-DSA-44 cosignature)"
    )]
    UnsupportedSignatureType(u8),
    /// A public key has the wrong length for its signature type.
    #[error("{sig_type} public key is {actual} bytes, expected {expected}")]
    PublicKeyLength {
        /// The signature type's name.
        sig_type: &'static str,
        /// Required length.
        expected: usize,
        /// Given length.
        actual: usize,
    },
    /// A public key of the right length is not a valid key for its algorithm.
    #[error("{0} public key is not a valid key for its algorithm")]
    InvalidPublicKey(&'static str),
    /// Key generation failed inside the cryptographic library (it accepts every seed, so this is a library fault).
    #[error("{0} key generation failed inside the cryptographic library")]
    KeyGeneration(&'static str),
    /// A verifier key states a key id other than the one computed from its name, type and key.
    #[error("verifier key {name} states key id {stated:08x} but its name, type and key give {computed:08x}")]
    KeyIdMismatch {
        /// Key name.
        name: String,
        /// Key id written in the verifier key.
        stated: u32,
        /// Key id computed per the signed-note spec.
        computed: u32,
    },
    /// A signature line was checked against a key it does not belong to.
    #[error(
        "signature by {sig_name} (key id {sig_key_id:08x}) is not for key {key_name} (key id {key_id:08x}): pick \
         the key whose name and id match"
    )]
    WrongKey {
        /// Name on the signature line.
        sig_name: String,
        /// Key id on the signature line.
        sig_key_id: u32,
        /// Name of the key.
        key_name: String,
        /// Id of the key.
        key_id: u32,
    },
    /// A signature from a known key does not verify (wrong length, tampered text or forged).
    #[error("signature from known key {name} (key id {key_id:08x}) does not verify: {reason}; reject the whole note")]
    BadSignature {
        /// Key name.
        name: String,
        /// Key id.
        key_id: u32,
        /// Why: bad length or failed verification.
        reason: String,
    },
    /// A cosignature timestamp is above 2^63 - 1.
    #[error("cosignature timestamp {0} exceeds 2^63 - 1, the largest the tlog-cosignature spec allows")]
    TimestampTooLarge(u64),
    /// No signature from any of the given keys is on the note.
    #[error("no signature from a known key is on the note: it must be signed by at least one trusted key")]
    NoKnownSignature,
    /// A field is too long or too short for a length-prefixed ML-DSA-44 cosigned message.
    #[error("{what} is {len} bytes; the ML-DSA-44 cosigned message needs 1 to 255 bytes")]
    CosignFieldLength {
        /// The field.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// A tile path is not a valid or not the canonical C2SP tlog-tiles path.
    #[error("tile path `{path}` is invalid: {reason}")]
    TilePath {
        /// The path as given.
        path: String,
        /// What is wrong, with the canonical form when there is one.
        reason: String,
    },
    /// The old size of an add-checkpoint request is larger than the checkpoint's size.
    #[error("old size {old_size} is larger than the checkpoint size {size}: a log only grows")]
    OldSizeTooLarge {
        /// Claimed previous size.
        old_size: u64,
        /// Size of the submitted checkpoint.
        size: u64,
    },
    /// A checkpoint of size zero does not carry the empty-tree root.
    #[error("checkpoint of size 0 must have the empty-tree root SHA-256(\"\")")]
    EmptyTreeRoot,
    /// A consistency proof was sent from the empty tree, where none is needed.
    #[error("old size is 0, so the consistency proof must be empty, but it has {0} hashes")]
    ProofNotEmpty(usize),
    /// A Merkle proof does not verify against the checkpoint.
    #[error("Merkle proof does not verify: {0}")]
    Proof(#[from] LogError),
}
