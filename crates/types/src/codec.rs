//! The canonical codec: borsh with a size limit and a re-encoding check.
//!
//! Borsh is canonical for the types used on the ledger (no maps, no floats), but a decoder can still be handed
//! bytes with trailing garbage or, for enums and booleans, values that a lax decoder would accept. Requiring that
//! `encode(decode(bytes)) == bytes` closes every such gap at once: two different byte strings never decode to the
//! same value, so hashes identify values.

use borsh::{BorshDeserialize, BorshSerialize};

/// Why bytes were refused by the canonical decoder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The input is larger than the limit for this kind of value.
    #[error("{what} is {len} bytes, larger than the limit of {max} bytes")]
    TooLarge { what: &'static str, len: usize, max: usize },
    /// The input is not a valid encoding.
    #[error("{what} is malformed: {reason}")]
    Malformed { what: &'static str, reason: String },
    /// The input decodes, but is not the canonical encoding of what it decodes to.
    #[error("{what} is not canonically encoded (re-encoding gives different bytes)")]
    NonCanonical { what: &'static str },
}

/// Encode a value with borsh. Encoding into a `Vec` cannot fail for the ledger's types.
pub fn encode<T: BorshSerialize>(value: &T) -> Vec<u8> {
    borsh::to_vec(value).expect("borsh encoding into a Vec does not fail")
}

/// Decode `bytes` as a `T`, refusing inputs over `max_bytes`, malformed inputs, trailing bytes and non-canonical
/// encodings. `what` names the value in error messages ("transaction", "block", ...).
pub fn decode_canonical<T: BorshDeserialize + BorshSerialize>(
    what: &'static str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<T, CodecError> {
    if bytes.len() > max_bytes {
        return Err(CodecError::TooLarge { what, len: bytes.len(), max: max_bytes });
    }
    let value = T::try_from_slice(bytes).map_err(|e| CodecError::Malformed { what, reason: e.to_string() })?;
    if encode(&value) != bytes {
        return Err(CodecError::NonCanonical { what });
    }
    Ok(value)
}

/// Decode a value a module stored in the state, refusing inputs over `max_bytes`, malformed inputs and trailing
/// bytes, but without encoding the value again to compare, as [`decode_canonical`] does. State values are written
/// only by execution, through [`encode`], so they are canonical by construction, and the state tree commits to
/// these very bytes: the check would only cost an encoding at every read of the state (an account is read several
/// times by every transaction). Bytes from outside the node (transactions, blocks, proofs, API answers) go through
/// [`decode_canonical`].
pub fn decode_state<T: BorshDeserialize>(what: &'static str, bytes: &[u8], max_bytes: usize) -> Result<T, CodecError> {
    if bytes.len() > max_bytes {
        return Err(CodecError::TooLarge { what, len: bytes.len(), max: max_bytes });
    }
    T::try_from_slice(bytes).map_err(|e| CodecError::Malformed { what, reason: e.to_string() })
}

/// Serde helpers for byte strings in JSON: lowercase hex.
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialize bytes as lowercase hex.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    /// Deserialize bytes from hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for optional byte strings in JSON: lowercase hex or null.
pub mod hex_bytes_opt {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialize optional bytes as hex or null.
    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        bytes.as_ref().map(hex::encode).serialize(s)
    }

    /// Deserialize optional bytes from hex or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| hex::decode(&s).map_err(serde::de::Error::custom)).transpose()
    }
}

/// Serde helpers for 32-byte hashes in JSON: lowercase hex.
pub mod hex_hash {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialize a hash as 64 lowercase hex characters.
    pub fn serialize<S: Serializer>(hash: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(hash))
    }

    /// Deserialize a hash from 64 hex characters.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out)
            .map_err(|e| serde::de::Error::custom(format!("expected 64 hex characters: {e}")))?;
        Ok(out)
    }
}

/// Serde helpers for lists of 32-byte hashes in JSON: an array of lowercase hex strings.
pub mod hex_hash_vec {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialize hashes as an array of hex strings.
    pub fn serialize<S: Serializer>(hashes: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(hex::encode))
    }

    /// Deserialize an array of 64-hex-character strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        let strings: Vec<String> = Vec::deserialize(d)?;
        strings
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out)
                    .map_err(|e| serde::de::Error::custom(format!("hash {i}: expected 64 hex characters: {e}")))?;
                Ok(out)
            })
            .collect()
    }
}

/// Serde helpers for optional 32-byte hashes in JSON.
pub mod hex_hash_opt {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialize an optional hash as hex or null.
    pub fn serialize<S: Serializer>(hash: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        hash.map(hex::encode).serialize(s)
    }

    /// Deserialize an optional hash from hex or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            let mut out = [0u8; 32];
            hex::decode_to_slice(&s, &mut out)
                .map_err(|e| serde::de::Error::custom(format!("expected 64 hex characters: {e}")))?;
            Ok(out)
        })
        .transpose()
    }
}
