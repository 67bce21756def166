//! Lowercase hex for hashes: `Display` in error messages and serde (JSON) encodings with size limits.

use core::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

use crate::Hash;

/// Displays bytes as lowercase hex.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(self.0))
    }
}

/// Lowercase hex of `bytes`, two digits per byte. Proofs of every read are encoded with it, so it is a table
/// lookup per nibble rather than a formatting call per byte.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)]);
        out.push(DIGITS[usize::from(byte & 0x0f)]);
    }
    String::from_utf8(out).expect("hex digits are ASCII")
}

fn encode(hash: &Hash) -> String {
    to_hex(hash)
}

/// Parses exactly 64 lowercase hex digits. Uppercase is rejected so that every hash has one JSON spelling.
fn decode(text: &str) -> Result<Hash, &'static str> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return Err("a hash must be exactly 64 lowercase hex digits");
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Ok(out)
}

fn digit(c: u8) -> Result<u8, &'static str> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err("a hash must contain only the lowercase hex digits 0-9 and a-f"),
    }
}

struct HashVisitor;

impl Visitor<'_> for HashVisitor {
    type Value = Hash;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a 32-byte hash as 64 lowercase hex digits")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Hash, E> {
        decode(v).map_err(E::custom)
    }
}

/// A hash that (de)serializes as lowercase hex, for use inside other serde types.
pub(crate) struct HexHash(pub(crate) Hash);

impl serde::Serialize for HexHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(&self.0))
    }
}

impl<'de> serde::Deserialize<'de> for HexHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(HashVisitor).map(HexHash)
    }
}

/// `#[serde(with = "crate::hex::siblings")]`: a list of at most [`crate::MAX_PROOF_SIBLINGS`] hex hashes.
pub(crate) mod siblings {
    use serde::ser::SerializeSeq;

    use super::*;
    use crate::MAX_PROOF_SIBLINGS;

    pub(crate) fn serialize<S: Serializer>(hashes: &[Hash], serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(hashes.len()))?;
        for hash in hashes {
            seq.serialize_element(&encode(hash))?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Hash>, D::Error> {
        deserializer.deserialize_seq(SiblingsVisitor)
    }

    struct SiblingsVisitor;

    impl<'de> Visitor<'de> for SiblingsVisitor {
        type Value = Vec<Hash>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {MAX_PROOF_SIBLINGS} hex hashes")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Hash>, A::Error> {
            // The size hint comes from the input, so it only bounds the allocation from above.
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_PROOF_SIBLINGS));
            while let Some(HexHash(hash)) = seq.next_element()? {
                if out.len() == MAX_PROOF_SIBLINGS {
                    return Err(de::Error::custom(format_args!("a proof has at most {MAX_PROOF_SIBLINGS} siblings")));
                }
                out.push(hash);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_is_strict() {
        let mut h = [0u8; 32];
        h[0] = 0xab;
        h[31] = 0x0f;
        let text = encode(&h);
        assert_eq!(&text[..2], "ab");
        assert_eq!(decode(&text), Ok(h));
        assert!(decode(&text.to_uppercase()).is_err());
        assert!(decode(&text[..62]).is_err());
        assert!(decode(&format!("{text}00")).is_err());
        assert!(decode(&text.replacen('a', "g", 1)).is_err());
    }
}
