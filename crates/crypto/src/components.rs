//! The two standard signature schemes that make up a Publica key, each usable on its own.
//!
//! Each component is a plain standard signature: ML-DSA-65 per FIPS 204 (pure mode, empty context) and Ed25519 per
//! RFC 8032, verified with the ZIP-215 rules. Keeping them separate makes it possible to test each against public
//! test vectors and to explain to outsiders how to check a Publica signature with any standard library.

use aws_lc_rs::signature::{ParsedPublicKey, ML_DSA_65};

use crate::error::{CryptoError, Half};
use crate::{ED25519_PUBLIC_KEY_LEN, ED25519_SIGNATURE_LEN, ML_DSA_65_PUBLIC_KEY_LEN, ML_DSA_65_SIGNATURE_LEN};

/// An ML-DSA-65 public key (FIPS 204 `pkEncode` output, 1952 bytes), parsed once so verification is cheap.
#[derive(Clone)]
pub struct MlDsa65PublicKey {
    bytes: Box<[u8; ML_DSA_65_PUBLIC_KEY_LEN]>,
    parsed: ParsedPublicKey,
}

impl MlDsa65PublicKey {
    /// Parses a raw FIPS 204 ML-DSA-65 public key.
    ///
    /// Exactly 1952 bytes are required. The length is checked before the bytes reach the library because the
    /// library would also accept a DER SubjectPublicKeyInfo, and Publica has exactly one encoding per key.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let raw: [u8; ML_DSA_65_PUBLIC_KEY_LEN] = bytes.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "ML-DSA-65 public key",
            expected: ML_DSA_65_PUBLIC_KEY_LEN,
            actual: bytes.len(),
        })?;
        let parsed = ParsedPublicKey::new(&ML_DSA_65, raw).map_err(|_| CryptoError::MalformedMlDsaPublicKey)?;
        // The parsed key must be the very bytes we were given; anything else would make two encodings of one key.
        debug_assert_eq!(parsed.as_ref(), &raw[..]);
        Ok(MlDsa65PublicKey { bytes: Box::new(raw), parsed })
    }

    /// The raw 1952-byte public key.
    pub fn as_bytes(&self) -> &[u8; ML_DSA_65_PUBLIC_KEY_LEN] {
        &self.bytes
    }

    /// Verifies an ML-DSA-65 signature (3309 bytes) over `message`, pure mode with an empty context string.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        if signature.len() != ML_DSA_65_SIGNATURE_LEN {
            return Err(CryptoError::SignatureInvalid { half: Half::MlDsa65 });
        }
        self.parsed.verify_sig(message, signature).map_err(|_| CryptoError::SignatureInvalid { half: Half::MlDsa65 })
    }
}

impl PartialEq for MlDsa65PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for MlDsa65PublicKey {}

impl std::hash::Hash for MlDsa65PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

/// An Ed25519 public key accepted by Publica.
///
/// Key rule, enforced at parse time: the 32 bytes must be the canonical encoding of a curve point that is not of
/// small order (not one of the 8 torsion points). ZIP-215 verification alone would accept non-canonical and
/// small-order keys; a small-order key makes signatures that verify for many messages, so such keys are refused
/// before they can be registered. Signatures themselves are then checked with the ZIP-215 rules, for which
/// single and batch verification accept exactly the same set.
#[derive(Clone, Copy)]
pub struct Ed25519PublicKey {
    bytes: [u8; ED25519_PUBLIC_KEY_LEN],
    key: ed25519_zebra::VerificationKey,
}

// Keys compare, order and hash by their encoding: the parsed point is a cache of it.
impl PartialEq for Ed25519PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for Ed25519PublicKey {}

impl PartialOrd for Ed25519PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ed25519PublicKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes.cmp(&other.bytes)
    }
}

impl std::hash::Hash for Ed25519PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl Ed25519PublicKey {
    /// Parses a 32-byte Ed25519 public key, applying the key rule described on the type.
    pub fn from_bytes(bytes: &[u8; ED25519_PUBLIC_KEY_LEN]) -> Result<Self, CryptoError> {
        // The encoding rules are checked on the bytes, so that the point is decompressed once, by the library
        // that verifies with it (decompression is most of the cost of parsing a key).
        if !is_canonical_encoding(bytes) {
            return Err(CryptoError::BadEd25519PublicKey {
                reason: "non-canonical point encoding (y >= p or sign bit set on x = 0)",
            });
        }
        if small_order_encodings().contains(bytes) {
            return Err(CryptoError::BadEd25519PublicKey {
                reason: "small-order point (a torsion point cannot be a signing key)",
            });
        }
        let key = ed25519_zebra::VerificationKey::try_from(*bytes)
            .map_err(|_| CryptoError::BadEd25519PublicKey { reason: "the bytes do not encode a point on the curve" })?;
        Ok(Ed25519PublicKey { bytes: *bytes, key })
    }

    /// The 32-byte RFC 8032 encoding.
    pub fn as_bytes(&self) -> &[u8; ED25519_PUBLIC_KEY_LEN] {
        &self.bytes
    }

    pub(crate) fn key_bytes(&self) -> ed25519_zebra::VerificationKeyBytes {
        ed25519_zebra::VerificationKeyBytes::from(self.bytes)
    }

    /// Verifies a 64-byte Ed25519 signature over `message` with the ZIP-215 rules: `s < l`, `R` any curve point
    /// encoding, and the cofactored equation `[8][s]B = [8]R + [8][k]A`.
    pub fn verify(&self, message: &[u8], signature: &[u8; ED25519_SIGNATURE_LEN]) -> Result<(), CryptoError> {
        self.key
            .verify(&ed25519_zebra::Signature::from_bytes(signature), message)
            .map_err(|_| CryptoError::SignatureInvalid { half: Half::Ed25519 })
    }
}

impl std::fmt::Debug for MlDsa65PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MlDsa65PublicKey({}…)", hex::encode(&self.bytes[..8]))
    }
}

/// Whether 32 bytes are the one canonical encoding of the point they name, if they name one (RFC 8032 §5.1.3):
/// `y` (the low 255 bits, little-endian) below `p = 2^255 - 19`, and the sign bit of `x` clear when `x = 0`,
/// which on the curve happens exactly for `y = 1` and `y = p - 1`.
fn is_canonical_encoding(bytes: &[u8; ED25519_PUBLIC_KEY_LEN]) -> bool {
    let mut y = *bytes;
    let sign = y[31] >> 7;
    y[31] &= 0x7f;
    // p - 1, little-endian: 0xec, thirty 0xff, 0x7f. y < p unless every byte above the lowest is at its maximum
    // and the lowest is at least p's (0xed).
    let top = y[1..31].iter().all(|&b| b == 0xff) && y[31] == 0x7f;
    if top && y[0] >= 0xed {
        return false;
    }
    let one = y[0] == 1 && y[1..].iter().all(|&b| b == 0);
    let minus_one = top && y[0] == 0xec;
    sign == 0 || !(one || minus_one)
}

/// The canonical encodings of the eight points of small order (the identity, order 2, two of order 4, four of
/// order 8): a key rule refuses them, and a canonical encoding names one point, so comparing bytes is exact.
fn small_order_encodings() -> &'static [[u8; ED25519_PUBLIC_KEY_LEN]; 8] {
    static ENCODINGS: std::sync::OnceLock<[[u8; ED25519_PUBLIC_KEY_LEN]; 8]> = std::sync::OnceLock::new();
    ENCODINGS.get_or_init(|| curve25519_dalek_ng::constants::EIGHT_TORSION.map(|point| point.compress().to_bytes()))
}

impl std::fmt::Debug for Ed25519PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519PublicKey({})", hex::encode(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek_ng::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};

    #[test]
    fn all_eight_torsion_points_are_refused() {
        for point in EIGHT_TORSION.iter() {
            let bytes = point.compress().to_bytes();
            let error = Ed25519PublicKey::from_bytes(&bytes).unwrap_err();
            assert!(error.to_string().contains("small-order"), "{}: {error}", hex::encode(bytes));
        }
    }

    #[test]
    fn large_order_points_are_accepted() {
        let bytes = ED25519_BASEPOINT_POINT.compress().to_bytes();
        assert_eq!(Ed25519PublicKey::from_bytes(&bytes).unwrap().as_bytes(), &bytes);
        // A point with a torsion component is not of small order, so the key rule (which only excludes the
        // degenerate keys) accepts it; ZIP-215's cofactored equation makes the torsion part irrelevant.
        let mixed = (ED25519_BASEPOINT_POINT + EIGHT_TORSION[1]).compress().to_bytes();
        Ed25519PublicKey::from_bytes(&mixed).unwrap();
    }

    /// The key rule as it was first written, decompressing the point: the byte checks must agree with it.
    fn reference(bytes: &[u8; 32]) -> Result<(), &'static str> {
        let point = curve25519_dalek_ng::edwards::CompressedEdwardsY(*bytes).decompress().ok_or("not a point")?;
        if point.compress().to_bytes() != *bytes {
            return Err("non-canonical");
        }
        if point.is_small_order() {
            return Err("small-order");
        }
        Ok(())
    }

    fn class(bytes: &[u8; 32]) -> Result<(), &'static str> {
        Ed25519PublicKey::from_bytes(bytes).map(|_| ()).map_err(|e| match e.to_string() {
            r if r.contains("non-canonical") => "non-canonical",
            r if r.contains("small-order") => "small-order",
            r if r.contains("not encode a point") => "not a point",
            r => panic!("unexpected reason {r}"),
        })
    }

    #[test]
    fn the_byte_checks_agree_with_decompressing_the_point() {
        let mut cases: Vec<[u8; 32]> = Vec::new();
        // Every small y and every y near p, with and without the sign bit, and the torsion points.
        for low in 0u8..=255 {
            let mut small = [0u8; 32];
            small[0] = low;
            let mut near_p = [0xffu8; 32];
            near_p[0] = low;
            near_p[31] = 0x7f;
            for mut case in [small, near_p] {
                cases.push(case);
                case[31] |= 0x80;
                cases.push(case);
            }
        }
        cases.extend(EIGHT_TORSION.iter().map(|p| p.compress().to_bytes()));
        // Random bytes, and random points with and without a torsion component.
        let mut state = 0x0123_4567_89ab_cdefu64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..4000u64 {
            let mut bytes = [0u8; 32];
            for chunk in bytes.chunks_mut(8) {
                chunk.copy_from_slice(&next().to_le_bytes());
            }
            cases.push(bytes);
            let scalar = curve25519_dalek_ng::scalar::Scalar::from(next());
            let point = ED25519_BASEPOINT_POINT * scalar + EIGHT_TORSION[(i % 8) as usize];
            cases.push(point.compress().to_bytes());
        }
        for case in &cases {
            let expected = reference(case);
            // Off the curve and non-canonical at once: either reason is true; only the verdict must agree there.
            let got = class(case);
            if expected == Err("not a point") && got == Err("non-canonical") {
                continue;
            }
            assert_eq!(got, expected, "{}", hex::encode(case));
        }
    }

    #[test]
    fn ml_dsa_key_length_checked_before_parsing() {
        for len in [0, 1951, 1953, 1974] {
            assert!(matches!(
                MlDsa65PublicKey::from_bytes(&vec![0; len]),
                Err(CryptoError::InvalidLength { actual, .. }) if actual == len
            ));
        }
    }
}
