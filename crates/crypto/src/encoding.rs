//! Binary (borsh) and text (serde) encodings of keys, signatures and addresses.
//!
//! Borsh: every type is its raw fixed-length bytes, with no length prefix, so the encoding is canonical and its
//! size is known before reading. Decoding a public key checks both halves, as [`PublicKey::from_bytes`] does.
//!
//! Serde (JSON and other human-readable formats): public keys and signatures are standard padded base64 strings
//! of `to_bytes()`; addresses are 40 lowercase hex digits.

use base64::Engine as _;
use borsh::io::{Error as IoError, ErrorKind, Read, Write};
use borsh::{BorshDeserialize, BorshSerialize};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::keys::{Address, PublicKey, PublicKeyBytes};
use crate::signature::Signature;
use crate::{ADDRESS_LEN, PUBLIC_KEY_LEN, SIGNATURE_LEN};

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Length of padded base64 for `n` bytes.
const fn base64_len(n: usize) -> usize {
    n.div_ceil(3) * 4
}

fn invalid_data(error: crate::CryptoError) -> IoError {
    IoError::new(ErrorKind::InvalidData, error.to_string())
}

impl BorshSerialize for PublicKey {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(self.ml_dsa_bytes())?;
        writer.write_all(self.ed25519_bytes())
    }
}

impl BorshDeserialize for PublicKey {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let mut raw = vec![0u8; PUBLIC_KEY_LEN];
        reader.read_exact(&mut raw)?;
        PublicKey::from_bytes(&raw).map_err(invalid_data)
    }
}

impl BorshSerialize for PublicKeyBytes {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(self.as_bytes())
    }
}

impl BorshDeserialize for PublicKeyBytes {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let mut raw = [0u8; PUBLIC_KEY_LEN];
        reader.read_exact(&mut raw)?;
        Ok(PublicKeyBytes::from_raw(raw))
    }
}

impl Serialize for PublicKeyBytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&BASE64.encode(self.as_bytes()))
    }
}

impl<'de> Deserialize<'de> for PublicKeyBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as Deserialize>::deserialize(deserializer)?;
        let bytes = decode_base64_exact("hybrid public key", &text, PUBLIC_KEY_LEN).map_err(de::Error::custom)?;
        let mut raw = [0u8; PUBLIC_KEY_LEN];
        raw.copy_from_slice(&bytes);
        Ok(PublicKeyBytes::from_raw(raw))
    }
}

impl BorshSerialize for Signature {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(self.ml_dsa_bytes())?;
        writer.write_all(self.ed25519_bytes())
    }
}

impl BorshDeserialize for Signature {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let mut raw = vec![0u8; SIGNATURE_LEN];
        reader.read_exact(&mut raw)?;
        Signature::from_bytes(&raw).map_err(invalid_data)
    }
}

impl BorshSerialize for Address {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(&self.0)
    }
}

impl BorshDeserialize for Address {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let mut raw = [0u8; ADDRESS_LEN];
        reader.read_exact(&mut raw)?;
        Ok(Address(raw))
    }
}

/// Decodes a standard padded base64 string that must hold exactly `expected_bytes` bytes; the string length is
/// checked before decoding so oversized input costs nothing.
pub(crate) fn decode_base64_exact(
    what: &'static str,
    text: &str,
    expected_bytes: usize,
) -> Result<Vec<u8>, crate::CryptoError> {
    let expected_chars = base64_len(expected_bytes);
    if text.len() != expected_chars {
        return Err(crate::CryptoError::encoding(
            what,
            format!("expected {expected_chars} base64 characters ({expected_bytes} bytes), got {}", text.len()),
        ));
    }
    let bytes = BASE64.decode(text).map_err(|e| crate::CryptoError::encoding(what, e))?;
    if bytes.len() != expected_bytes {
        return Err(crate::CryptoError::InvalidLength { what, expected: expected_bytes, actual: bytes.len() });
    }
    Ok(bytes)
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// A serde visitor for a string, borrowed or owned, that is handed to `parse`.
struct StrVisitor<F> {
    expecting: &'static str,
    parse: F,
}

impl<T, F: FnOnce(&str) -> Result<T, crate::CryptoError>> de::Visitor<'_> for StrVisitor<F> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        (self.parse)(text).map_err(E::custom)
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode_base64(&self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor {
            expecting: "a base64 hybrid public key",
            parse: |text: &str| PublicKey::from_bytes(&decode_base64_exact("public key", text, PUBLIC_KEY_LEN)?),
        })
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode_base64(&self.to_bytes()))
    }
}

impl<'de> Deserialize<'de> for Signature {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor {
            expecting: "a base64 hybrid signature",
            parse: |text: &str| Signature::from_bytes(&decode_base64_exact("signature", text, SIGNATURE_LEN)?),
        })
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_str(StrVisitor { expecting: "a 40-digit hex address", parse: |text: &str| text.parse() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_len(0), 0);
        assert_eq!(base64_len(1), 4);
        assert_eq!(base64_len(3), 4);
        assert_eq!(base64_len(4), 8);
        assert_eq!(encode_base64(&[0u8; PUBLIC_KEY_LEN]).len(), base64_len(PUBLIC_KEY_LEN));
        assert_eq!(encode_base64(&[0u8; SIGNATURE_LEN]).len(), base64_len(SIGNATURE_LEN));
    }
}
