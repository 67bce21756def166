//! A verifiable random function: ECVRF-EDWARDS25519-SHA512-TAI of RFC 9381 (suite string `0x03`).
//!
//! For a key pair and an input `alpha`, [`prove`] makes an 80-byte proof `pi`, and the output `beta` (64 bytes) is a
//! hash of the proof. Anyone holding the public key checks with [`verify`] that `pi` was made with the matching secret
//! key for this `alpha`, and gets `beta` back. For a given public key and input there is exactly one `beta` that
//! verifies (uniqueness), and nobody without the secret key can compute it or tell it from random. Public finance
//! derives a claim's nullifier this way: one per citizen and input, and checkable by everyone.
//!
//! The VRF key is the Ed25519 half of a Publica key: RFC 9381 §5.5 uses the Ed25519 key expansion of RFC 8032
//! §5.1.5, so the 32-byte Ed25519 secret key `SK` is the VRF secret key and the Ed25519 public key is the VRF public
//! key. Below, `B` is the Ed25519 base point, `L` its prime order, `8` the cofactor, `||` concatenation, points are
//! written as their 32-byte RFC 8032 encodings and integers little-endian.
//!
//! ```text
//! key expansion (RFC 8032 §5.1.5)
//!   h      = SHA-512(SK)
//!   x      = h[0..32] with bits 0, 1, 2 and 255 cleared and bit 254 set, as an integer    the secret scalar
//!   Y      = x*B                                                                           the public key
//!
//! encode to curve, try-and-increment (§5.4.1.1), for ctr = 0, 1, ..., 255:
//!   H      = 8 * decode(SHA-512(0x03 || 0x01 || Y || alpha || ctr || 0x00)[0..32])
//!            the first ctr whose bytes decode to a point and for which H is not the identity
//!
//! prove (§5.1)
//!   Gamma  = x*H
//!   k      = SHA-512(h[32..64] || H) mod L                                     nonce (§5.4.2.2, as RFC 8032)
//!   c      = SHA-512(0x03 || 0x02 || Y || H || Gamma || k*B || k*H || 0x00)[0..16]      challenge (§5.4.3)
//!   s      = (k + c*x) mod L
//!   pi     = Gamma (32) || c (16) || s (32)
//!
//! proof to hash (§5.2)
//!   beta   = SHA-512(0x03 || 0x03 || 8*Gamma || 0x00)
//!
//! verify (§5.3)
//!   Y must decode and 8*Y must not be the identity (key validation, §5.4.5)
//!   Gamma must decode, s must be below L (proof decoding, §5.4.4)
//!   U      = s*B - c*Y,   V = s*H - c*Gamma
//!   valid when SHA-512(0x03 || 0x02 || Y || H || Gamma || U || V || 0x00)[0..16] = c; the output is beta
//! ```
//!
//! Decoding a point (the RFC's `string_to_point`, which §5.5 defines as the decoding of RFC 8032 §5.1.3) refuses
//! the two non-canonical encodings RFC 8032 refuses: a `y` of `p` or more, and the sign bit set on `x = 0`. This
//! applies to the public key, to `Gamma` and to the candidates of the try-and-increment loop alike. For the last,
//! 26 of the 2^256 possible strings are concerned, so there the rule matters only for agreeing byte for byte with
//! other implementations, which follow the RFC.
//!
//! Key validation (RFC 9381 §5.4.5) is always done: with it the VRF has full uniqueness and full collision
//! resistance even for a public key chosen by an adversary (RFC 9381 §3), not only for keys made honestly.
//!
//! The secret scalar and the nonce stay in constant-time arithmetic and are wiped after use. The try-and-increment
//! loop runs a number of rounds that depends on `alpha` and the public key, so its running time reveals something
//! about `alpha` (RFC 9381's security considerations say so too): give it inputs that may be public, as a
//! nullifier's input is.

use curve25519_dalek_ng::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek_ng::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek_ng::scalar::Scalar;
use curve25519_dalek_ng::traits::{IsIdentity as _, VartimeMultiscalarMul as _};
use sha2::{Digest as _, Sha512};
use zeroize::{Zeroize as _, Zeroizing};

use crate::keys::{Keypair, PublicKey};

/// Length of a proof `pi`: `Gamma` (32 bytes), `c` (16 bytes), `s` (32 bytes).
pub const PROOF_LEN: usize = 80;
/// Length of the output `beta`: a SHA-512 digest.
pub const OUTPUT_LEN: usize = 64;

/// The suite string of ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381 §5.5).
const SUITE: u8 = 0x03;
/// Domain separators of the three hashes (RFC 9381 §5.2, §5.4.1.1, §5.4.3).
const ENCODE_TO_CURVE_FRONT: u8 = 0x01;
const CHALLENGE_FRONT: u8 = 0x02;
const PROOF_TO_HASH_FRONT: u8 = 0x03;
const DOMAIN_SEPARATOR_BACK: u8 = 0x00;
/// Length of an encoded point (`ptLen`) and of an encoded scalar (`qLen`).
const POINT_LEN: usize = 32;
/// Length of the challenge `c` (`cLen`).
const CHALLENGE_LEN: usize = 16;

const _: () = assert!(PROOF_LEN == POINT_LEN + CHALLENGE_LEN + 32);
const _: () = assert!(OUTPUT_LEN == 64, "beta is one SHA-512 digest");

/// Why a proof or a public key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VrfError {
    /// The proof does not have [`PROOF_LEN`] bytes.
    #[error("a VRF proof must be exactly {PROOF_LEN} bytes, got {actual}; check that it was not truncated or padded")]
    WrongProofLength {
        /// The length that was given.
        actual: usize,
    },

    /// The proof's `Gamma` is not the canonical encoding of a curve point (RFC 8032 §5.1.3).
    #[error("the VRF proof's Gamma (its first 32 bytes) is not the canonical encoding of a curve point")]
    GammaNotAPoint,

    /// The proof's `s` is not below the group order `L`, which RFC 9381 §5.4.4 refuses so that a proof has one
    /// encoding.
    #[error("the VRF proof's s (its last 32 bytes) is not below the group order L; a valid proof never has such an s")]
    NonCanonicalS,

    /// The public key was refused by the key validation of RFC 9381 §5.4.5.
    #[error("the VRF public key is invalid: {reason}")]
    InvalidPublicKey {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The proof is well formed but does not verify: it was made with another key, for another input, or changed.
    #[error("the VRF proof does not verify for this public key and input")]
    ProofInvalid,
}

/// The proof of `alpha` under the Ed25519 half of `keypair`. Deterministic: the same key pair and input always
/// give the same proof. The output is [`proof_to_hash`] of it.
pub fn prove(keypair: &Keypair, alpha: &[u8]) -> [u8; PROOF_LEN] {
    let (_, ed25519_seed) = keypair.component_secrets();
    let (proof, public_key) = prove_and_public_key(ed25519_seed, alpha);
    debug_assert_eq!(&public_key, keypair.public_key().ed25519_bytes(), "RFC 8032 key expansion");
    proof
}

/// The proof of `alpha` under the 32-byte Ed25519 secret key `seed` (RFC 9381's `SK`, RFC 8032's private key).
pub fn prove_with_seed(seed: &[u8; 32], alpha: &[u8]) -> [u8; PROOF_LEN] {
    prove_and_public_key(seed, alpha).0
}

/// Checks `proof` for `alpha` under the Ed25519 half of `public_key` and returns the output `beta` when it is
/// valid, and only then.
pub fn verify(public_key: &PublicKey, alpha: &[u8], proof: &[u8]) -> Result<[u8; OUTPUT_LEN], VrfError> {
    verify_with_ed25519(public_key.ed25519_bytes(), alpha, proof)
}

/// Checks `proof` for `alpha` under the 32-byte Ed25519 public key `public_key` (RFC 9381 §5.3, with key
/// validation) and returns the output `beta` when it is valid, and only then.
pub fn verify_with_ed25519(public_key: &[u8; 32], alpha: &[u8], proof: &[u8]) -> Result<[u8; OUTPUT_LEN], VrfError> {
    let y = validate_key(public_key)?;
    let decoded = decode_proof(proof)?;
    // Not reachable in practice: every round of the loop succeeds with probability about 1/2 (see `encode_to_curve`).
    let h = encode_to_curve(public_key, alpha).ok_or(VrfError::ProofInvalid)?;
    let c = challenge_scalar(&decoded.c);
    // Every value here is public, so variable-time arithmetic is fine.
    let u = EdwardsPoint::vartime_double_scalar_mul_basepoint(&-c, &y, &decoded.s);
    let v = EdwardsPoint::vartime_multiscalar_mul([decoded.s, -c], [h, decoded.gamma]);
    let expected = challenge(public_key, &h, &decoded.gamma, &u, &v);
    // Comparing the 16-byte strings compares the integers: both are the same fixed-length little-endian encoding.
    if expected != decoded.c {
        return Err(VrfError::ProofInvalid);
    }
    Ok(beta(&decoded.gamma))
}

/// The output `beta` of a proof (RFC 9381 §5.2), **without verifying it**: only decoding errors are reported.
///
/// Use it only on a proof that [`verify`] (or [`verify_with_ed25519`]) accepted, or one you made with [`prove`];
/// anyone can write a proof whose `beta` is whatever they like if it is not verified. `verify` returns the same
/// value.
pub fn proof_to_hash(proof: &[u8]) -> Result<[u8; OUTPUT_LEN], VrfError> {
    Ok(beta(&decode_proof(proof)?.gamma))
}

/// RFC 9381 §5.1 for the secret key `seed`; also returns the public key it expands to.
fn prove_and_public_key(seed: &[u8; 32], alpha: &[u8]) -> ([u8; PROOF_LEN], [u8; 32]) {
    let expanded = Zeroizing::new(<[u8; 64]>::from(Sha512::digest(seed)));
    let mut clamped = Zeroizing::new([0u8; 32]);
    clamped.copy_from_slice(&expanded[..32]);
    clamped[0] &= 248;
    clamped[31] &= 127;
    clamped[31] |= 64;
    // The scalar is used modulo L: every point it multiplies (B, and H after cofactor clearing) has order L.
    let x = Zeroizing::new(Scalar::from_bytes_mod_order(*clamped));
    let public_key = (&ED25519_BASEPOINT_TABLE * &*x).compress().to_bytes();

    let h = encode_to_curve(&public_key, alpha).expect(
        "every round of try-and-increment succeeds with probability about 1/2, so 256 failures in a row do not happen",
    );
    let h_string = h.compress().to_bytes();
    let gamma = h * *x;

    // The nonce of RFC 8032: the second half of SHA-512(SK), then the encoding of H.
    let mut k_string = Zeroizing::new([0u8; 64]);
    k_string.copy_from_slice(&Sha512::new().chain_update(&expanded[32..]).chain_update(h_string).finalize());
    let k = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&k_string));

    let c_string = challenge(&public_key, &h, &gamma, &(&ED25519_BASEPOINT_TABLE * &*k), &(h * *k));
    let mut cx = challenge_scalar(&c_string) * *x;
    let s = *k + cx;
    cx.zeroize();

    let mut proof = [0u8; PROOF_LEN];
    proof[..POINT_LEN].copy_from_slice(gamma.compress().as_bytes());
    proof[POINT_LEN..POINT_LEN + CHALLENGE_LEN].copy_from_slice(&c_string);
    proof[POINT_LEN + CHALLENGE_LEN..].copy_from_slice(s.as_bytes());
    (proof, public_key)
}

/// RFC 9381 §5.4.1.1 with `encode_to_curve_salt` = the encoded public key and `interpret_hash_value_as_a_point(s) =
/// string_to_point(s[0..32])`. `None` if all 256 counter values fail, which happens with probability about 2^-256:
/// about half of all 32-byte strings decode to a point, and only the eight points of small order give the identity.
fn encode_to_curve(public_key: &[u8; 32], alpha: &[u8]) -> Option<EdwardsPoint> {
    let prefix =
        Sha512::new().chain_update([SUITE, ENCODE_TO_CURVE_FRONT]).chain_update(public_key).chain_update(alpha);
    (0..=u8::MAX).find_map(|ctr| {
        let digest = prefix.clone().chain_update([ctr, DOMAIN_SEPARATOR_BACK]).finalize();
        let candidate: [u8; 32] = digest[..32].try_into().expect("a SHA-512 digest has 64 bytes");
        let h = decode_point(&candidate)?.mul_by_cofactor();
        (!h.is_identity()).then_some(h)
    })
}

/// RFC 9381 §5.4.3 for the five points, with the public key already encoded: the first 16 bytes of the hash.
fn challenge(
    public_key: &[u8; 32],
    h: &EdwardsPoint,
    gamma: &EdwardsPoint,
    u: &EdwardsPoint,
    v: &EdwardsPoint,
) -> [u8; CHALLENGE_LEN] {
    let mut hasher = Sha512::new().chain_update([SUITE, CHALLENGE_FRONT]).chain_update(public_key);
    for point in [h, gamma, u, v] {
        hasher.update(point.compress().as_bytes());
    }
    let digest = hasher.chain_update([DOMAIN_SEPARATOR_BACK]).finalize();
    digest[..CHALLENGE_LEN].try_into().expect("a SHA-512 digest has 64 bytes")
}

/// The challenge as a scalar. It is below 2^128, far below L, so no reduction takes place.
fn challenge_scalar(c: &[u8; CHALLENGE_LEN]) -> Scalar {
    let mut bytes = [0u8; 32];
    bytes[..CHALLENGE_LEN].copy_from_slice(c);
    Scalar::from_bytes_mod_order(bytes)
}

/// RFC 9381 §5.2 steps 4 to 7: the hash of `8*Gamma`.
fn beta(gamma: &EdwardsPoint) -> [u8; OUTPUT_LEN] {
    Sha512::new()
        .chain_update([SUITE, PROOF_TO_HASH_FRONT])
        .chain_update(gamma.mul_by_cofactor().compress().as_bytes())
        .chain_update([DOMAIN_SEPARATOR_BACK])
        .finalize()
        .into()
}

/// RFC 8032 §5.1.3 decoding: `None` for bytes that are not a point, and for the non-canonical encodings
/// (`y >= p`, or the sign bit set with `x = 0`), which the curve library would otherwise accept.
fn decode_point(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
    let point = CompressedEdwardsY(*bytes).decompress()?;
    (point.compress().as_bytes() == bytes).then_some(point)
}

/// RFC 9381 §5.4.5: the public key must decode and must not be of small order.
fn validate_key(public_key: &[u8; 32]) -> Result<EdwardsPoint, VrfError> {
    let y = decode_point(public_key)
        .ok_or(VrfError::InvalidPublicKey { reason: "the bytes are not the canonical encoding of a curve point" })?;
    if y.is_small_order() {
        return Err(VrfError::InvalidPublicKey {
            reason: "it is a point of small order (8 times it is the identity), under which proofs need no secret",
        });
    }
    Ok(y)
}

/// A proof split into its parts, decoded.
struct DecodedProof {
    gamma: EdwardsPoint,
    c: [u8; CHALLENGE_LEN],
    s: Scalar,
}

/// RFC 9381 §5.4.4.
fn decode_proof(proof: &[u8]) -> Result<DecodedProof, VrfError> {
    let proof: &[u8; PROOF_LEN] = proof.try_into().map_err(|_| VrfError::WrongProofLength { actual: proof.len() })?;
    let (gamma, rest) = proof.split_at(POINT_LEN);
    let (c, s) = rest.split_at(CHALLENGE_LEN);
    let gamma = decode_point(gamma.try_into().expect("split at 32")).ok_or(VrfError::GammaNotAPoint)?;
    let s = Scalar::from_canonical_bytes(s.try_into().expect("32 bytes remain")).ok_or(VrfError::NonCanonicalS)?;
    Ok(DecodedProof { gamma, c: c.try_into().expect("split at 16"), s })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9381 Appendix B.3, Examples 16 to 18: the public key, alpha and the encoded H that try-and-increment
    /// reaches (at ctr = 0, 1 and 0).
    #[test]
    fn encode_to_curve_reaches_the_points_of_rfc_9381_examples() {
        let cases = [
            (
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "91bbed02a99461df1ad4c6564a5f5d829d0b90cfc7903e7a5797bd658abf3318",
            ),
            (
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "5b659fc3d4e9263fd9a4ed1d022d75eaacc20df5e09f9ea937502396598dc551",
            ),
            (
                "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
                "af82",
                "bf4339376f5542811de615e3313d2b36f6f53c0acfebb482159711201192576a",
            ),
        ];
        for (public_key, alpha, expected) in cases {
            let public_key: [u8; 32] = hex::decode(public_key).unwrap().try_into().unwrap();
            let h = encode_to_curve(&public_key, &hex::decode(alpha).unwrap()).unwrap();
            assert_eq!(hex::encode(h.compress().as_bytes()), expected);
        }
    }

    #[test]
    fn decoding_refuses_the_non_canonical_encodings_of_rfc_8032() {
        // y = p + 1 encodes the same point as y = 1 (the identity) but is not canonical.
        let mut y_above_p = [0xffu8; 32];
        y_above_p[0] = 0xee;
        y_above_p[31] = 0x7f;
        assert!(CompressedEdwardsY(y_above_p).decompress().is_some(), "the library accepts it");
        assert!(decode_point(&y_above_p).is_none());
        // y = 1 with the sign bit set: x = 0 has no negative.
        let mut negative_zero = [0u8; 32];
        negative_zero[0] = 1;
        negative_zero[31] = 0x80;
        assert!(CompressedEdwardsY(negative_zero).decompress().is_some(), "the library accepts it");
        assert!(decode_point(&negative_zero).is_none());
        negative_zero[31] = 0;
        assert!(decode_point(&negative_zero).is_some());
    }
}
