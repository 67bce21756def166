//! Shared lexical rules of the C2SP text formats: UTF-8 without control characters, canonical decimals, canonical
//! standard base64.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::{Hash, TlogError};

/// Checks that `bytes` are valid UTF-8 without ASCII control characters other than newline (signed-note §Format)
/// and returns them as text. `limit` bounds the size before any other work is done.
pub(crate) fn checked_text<'a>(what: &'static str, bytes: &'a [u8], limit: usize) -> Result<&'a str, TlogError> {
    if bytes.len() > limit {
        return Err(TlogError::TooLarge { what, len: bytes.len(), max: limit });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| TlogError::NotUtf8 { what, offset: e.valid_up_to() })?;
    check_controls(what, text, true)?;
    Ok(text)
}

/// Rejects ASCII control characters (below U+0020); newline is allowed only when `allow_newline`.
pub(crate) fn check_controls(what: &'static str, text: &str, allow_newline: bool) -> Result<(), TlogError> {
    match text.bytes().enumerate().find(|&(_, b)| b < 0x20 && !(allow_newline && b == b'\n')) {
        Some((offset, byte)) => Err(TlogError::ControlCharacter { what, byte, offset }),
        None => Ok(()),
    }
}

/// Parses an ASCII decimal with no leading zeros (except `0` itself) in `min..=max`.
///
/// `u64::from_str` alone is not enough: it accepts a leading `+`, which none of the formats allow.
pub(crate) fn parse_decimal(what: &'static str, text: &str, min: u64, max: u64) -> Result<u64, TlogError> {
    let bad = || TlogError::BadNumber { what, text: text.to_owned(), min, max };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(TlogError::LeadingZero { what, text: text.to_owned() });
    }
    let value: u64 = text.parse().map_err(|_| bad())?;
    if value < min || value > max {
        return Err(bad());
    }
    Ok(value)
}

/// Decodes canonical, padded standard base64 (RFC 4648 §4). Non-zero trailing bits and missing padding are
/// refused so that every value has exactly one encoding.
pub(crate) fn decode_base64(what: &'static str, text: &str) -> Result<Vec<u8>, TlogError> {
    STANDARD.decode(text).map_err(|e| TlogError::Base64 { what, detail: e.to_string() })
}

/// Encodes standard padded base64.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes a base64 line holding exactly one SHA-256 hash.
pub(crate) fn decode_hash(what: &'static str, text: &str) -> Result<Hash, TlogError> {
    let bytes = decode_base64(what, text)?;
    bytes.as_slice().try_into().map_err(|_| TlogError::HashLength { what, len: bytes.len() })
}

/// Builds a [`TlogError::Malformed`].
pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> TlogError {
    TlogError::Malformed { what, reason: reason.into() }
}

/// Splits a body of the shape `header lines \n \n rest` (tlog-proof, add-checkpoint) at its FIRST empty line: the
/// header lines are never empty, while the rest (a signed note) contains its own empty line.
pub(crate) fn split_header<'a>(what: &'static str, text: &'a str) -> Result<(Vec<&'a str>, &'a str), TlogError> {
    let (header, rest) =
        text.split_once("\n\n").ok_or_else(|| malformed(what, "no empty line before the checkpoint"))?;
    Ok((header.split('\n').collect(), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_canonical() {
        assert_eq!(parse_decimal("n", "0", 0, u64::MAX), Ok(0));
        assert_eq!(parse_decimal("n", "18446744073709551615", 0, u64::MAX), Ok(u64::MAX));
        assert!(matches!(parse_decimal("n", "012", 0, u64::MAX), Err(TlogError::LeadingZero { .. })));
        for bad in ["", "+1", "-1", " 1", "1 ", "18446744073709551616", "1e3"] {
            assert!(matches!(parse_decimal("n", bad, 0, u64::MAX), Err(TlogError::BadNumber { .. })), "{bad}");
        }
        assert!(parse_decimal("n", "64", 0, 63).is_err());
    }

    #[test]
    fn base64_must_be_canonical() {
        assert_eq!(decode_base64("b", "AA==").unwrap(), vec![0]);
        for bad in ["AB==", "AA", "AA=", "A A=", "AA==\n"] {
            assert!(decode_base64("b", bad).is_err(), "{bad}");
        }
    }
}
