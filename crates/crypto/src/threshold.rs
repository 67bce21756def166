//! Threshold decryption for sealed bids: a joint key made without a dealer, and `t` of `n` key holders to open.
//!
//! A bid in a public tender is sealed to a joint public key whose secret nobody holds. Each of `n` named key holders
//! holds a share of it; after the tender's opening time, any `t` of them publish decryption shares with proofs, and
//! anyone combines them and opens every bid of the tender. Fewer than `t` holders learn nothing about a sealed bid,
//! and no single party can open one early. The joint key is made once by a distributed key generation with no
//! dealer (the joint-Feldman protocol of Pedersen, as in Gennaro, Jarecki, Krawczyk and Rabin, "Secure Distributed
//! Key Generation for Discrete-Log Based Cryptosystems"), run through ledger transactions, and serves many tenders:
//! its secret is never reconstructed, only per-ciphertext decryption shares are published.
//!
//! # Notation
//!
//! The group is ristretto255 (RFC 9496) with generator `G` (the ristretto basepoint) and prime order `ℓ`.
//! `enc(P)` is the 32-byte canonical encoding of a point; decoding refuses non-canonical encodings, and refuses the
//! identity where the text below says "not the identity". Scalars are 32 bytes little-endian and must be below `ℓ`
//! when decoded. `u16be(i)` is a holder or dealer index as two bytes big-endian; indices run from 1 to `n`, and
//! `n <= MAX_HOLDERS` (64). `lp(b) = u32be(len(b)) || b` prefixes a variable-length field with its length.
//! `context` is given by the caller to every function (the ledger passes its chain id, the ceremony or tender id and
//! so on; at most [`MAX_CONTEXT_BYTES`]): every hash includes it, so nothing carries over to another ceremony or
//! tender.
//!
//! ```text
//! label(L)                   = "publica/threshold/" || L || "/v1"
//! Hs(L, context, f1 .. fm)   = SHA-512(lp(label(L)) || lp(context) || f1 || ... || fm) mod ℓ     (64 bytes reduced)
//! ```
//!
//! The fields `f` are fixed-length (`enc(P)`, `u16be(i)`) or written as `lp(..)`, so every message parses one way.
//!
//! # Proofs (Fiat-Shamir, 64 bytes: `enc(c) || enc(s)`)
//!
//! A Schnorr proof of knowledge of `x` with `X = x·G`, for a label `L` and statement fields `F` (listed per use
//! below):
//!
//! ```text
//! k  = SHA-512(lp(label(L)) || lp(context) || F || lp("publica/threshold/nonce/v1") || enc(x) || ρ) mod ℓ,
//!      ρ = 32 fresh random bytes: k differs between two proofs of one statement, and stays secret even when the
//!      random generator is weak, because x is hashed in
//! A  = k·G
//! c  = Hs(L, context, F, enc(A))
//! s  = k + c·x
//! verify: c, s canonical; A' = s·G - c·X; accept iff Hs(L, context, F, enc(A')) = c
//! ```
//!
//! A Chaum-Pedersen proof that `log_G(X) = log_H(Y)` (`X = x·G`, `Y = x·H`), with `F` ending in
//! `enc(X) || enc(H) || enc(Y)`:
//!
//! ```text
//! k  = as above;  A = k·G;  B = k·H
//! c  = Hs(L, context, F, enc(A), enc(B))
//! s  = k + c·x
//! verify: c, s canonical; A' = s·G - c·X; B' = s·H - c·Y; accept iff Hs(L, context, F, enc(A'), enc(B')) = c
//! ```
//!
//! # Key generation
//!
//! ```text
//! 1. holder key       holder j picks e_j, publishes E_j = e_j·G (not the identity) and a Schnorr proof,
//!                     label "encryption-key", F = u16be(j) || enc(E_j)
//! 2. deal             dealer i picks a_i0 .. a_i(t-1) at random, f_i(z) = Σ_k a_ik·z^k, and publishes
//!                       commitments  C_ik = a_ik·G                    for k = 0 .. t-1
//!                       a Schnorr proof of a_i0, label "constant-term", F = u16be(i) || enc(C_i0)
//!                       for every holder j = 1 .. n, an encrypted share:
//!                         r_ij random,  K_ij = r_ij·G  (not the identity),  Z_ij = r_ij·E_j
//!                         m_ij      = Hs("share", context, u16be(i), u16be(j), enc(E_j), enc(K_ij), enc(Z_ij))
//!                         masked_ij = f_i(j) + m_ij
//!    open             holder j computes Z_ij = e_j·K_ij, then m_ij, s_ij = masked_ij - m_ij, and accepts s_ij iff
//!                       s_ij·G = Σ_k j^k·C_ik
//! 3. complaint        holder j whose share fails publishes D = e_j·K_ij with a Chaum-Pedersen proof of
//!                     log_G(E_j) = log_K_ij(D), label "complaint", F = u16be(i) || u16be(j) || enc(E_j) ||
//!                     enc(K_ij) || enc(D). Anyone recomputes s_ij from D (Z_ij = D) and checks it against the
//!                     commitments: the complaint is upheld, and dealer i disqualified, iff the check fails.
//! 4. result           over the set QUAL of qualified dealers (all deals whose public check passed and against
//!                     which no complaint was upheld; at least one):
//!                       joint public key     PK  = Σ_{i∈QUAL} C_i0                    (not the identity)
//!                       verification key     V_j = Σ_{i∈QUAL} Σ_k j^k·C_ik           (= x_j·G)
//!                       secret share         x_j = Σ_{i∈QUAL} s_ij                   (kept by holder j)
//! ```
//!
//! The joint secret `x = Σ_{i∈QUAL} a_i0` is never computed; `x_j = f(j)` for `f = Σ_{i∈QUAL} f_i`, a polynomial
//! of degree `t - 1`, so any `t` shares determine it and fewer reveal nothing.
//!
//! # Sealing and opening
//!
//! Hashed ElGamal (a KEM, as in DHIES) with ChaCha20-Poly1305 (RFC 8439), and a Schnorr proof of knowledge of the
//! ephemeral secret so that a sealed box cannot be decrypted by the holders under any context but its own:
//!
//! ```text
//! seal      r random,  R = r·G,  Z = r·PK                         PK not the identity
//!           key   = HKDF-SHA256(salt = none, ikm = enc(Z) || enc(R),
//!                               info = "publica/threshold/seal/v1" || lp(context)), 32 bytes
//!           ct    = ChaCha20-Poly1305(key, nonce = 12 zero bytes, plaintext, aad = lp(context) || aad)
//!           proof = Schnorr proof of r, label "ephemeral", F = enc(R) || lp(aad) || lp(ct)
//!           sealed box = (R, ct, proof)
//! check     R not the identity, ct at least 16 bytes, the proof verifies
//! share     holder j: D_j = x_j·R with a Chaum-Pedersen proof of log_G(V_j) = log_R(D_j),
//!           label "decryption-share", F = enc(V_j) || enc(R) || enc(D_j)
//! combine   for t distinct indices S:  Z = Σ_{j∈S} λ_j·D_j,  λ_j = Π_{m∈S, m≠j} m / (m - j)   (= x·R = r·PK)
//! open      the key from Z and R as above, then ChaCha20-Poly1305 decryption
//! ```
//!
//! The all-zero nonce is safe because every key is used once: it depends on `R`, which is new for every box.
//!
//! # Rules for callers
//!
//! - **Produce decryption shares only for sealed boxes that passed [`SealedBox::verify`] under the tender's own
//!   context and associated data**, that is, boxes the ledger accepted into that tender. The joint key is
//!   long-lived, so without the proof of knowledge of `r`, a bidder in a tender opening today could copy the `R` of
//!   a bid in a tender opening next month into their own box and have the holders decrypt it early. With the proof,
//!   a box whose `R` the sender did not make cannot be accepted.
//! - Verify every holder's encryption key proof before it is used, every deal with [`Deal::check_public`] when it
//!   arrives, every complaint with [`Complaint::judge`], and every decryption share with
//!   [`DecryptionShare::verify`] (or [`verify_decryption_shares_batch`]) before combining.
//! - Joint-Feldman lets a corrupt dealer, by getting itself disqualified or not, bias the distribution of the joint
//!   public key somewhat (the paper above explains how, and gives a costlier protocol without the bias). The secret
//!   remains unknown to every coalition of fewer than `t` holders; the bias only makes the key not quite uniform.
//! - Fewer than `t` corrupt holders learn nothing; `t` or more holders together can open any box at any time, so the
//!   opening time is enforced by the holders' honesty, and `n - t` holders may be absent at an opening.
//!
//! Secret scalars live in [`SecretScalar`] and [`EncryptionSecret`], which wipe them when dropped. Scalar
//! multiplications by secrets use the curve library's constant-time code; verification, whose inputs are public,
//! uses its variable-time code.

use std::collections::BTreeSet;
use std::fmt;

use borsh::{BorshDeserialize, BorshSerialize};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use curve25519_dalek_ng::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek_ng::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek_ng::scalar::Scalar;
use curve25519_dalek_ng::traits::{IsIdentity as _, VartimeMultiscalarMul as _};
use rand_core::{CryptoRng, RngCore};
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha512};
use zeroize::{Zeroize as _, Zeroizing};

/// Most key holders a joint key can have.
pub const MAX_HOLDERS: u16 = 64;
/// Length of an encoded point.
pub const POINT_LEN: usize = 32;
/// Length of an encoded scalar.
pub const SCALAR_LEN: usize = 32;
/// Length of an encoded proof: the challenge `c`, then the response `s`.
pub const PROOF_LEN: usize = 2 * SCALAR_LEN;
/// Longest context string.
pub const MAX_CONTEXT_BYTES: usize = 1024;
/// Longest associated data of a sealed box.
pub const MAX_AAD_BYTES: usize = 64 * 1024;
/// Largest plaintext [`seal`] encrypts.
pub const MAX_PLAINTEXT_BYTES: usize = 16 * 1024 * 1024;
/// Length of the Poly1305 tag that ends every ciphertext.
pub const TAG_LEN: usize = 16;

const ENCRYPTION_KEY_LABEL: &[u8] = b"publica/threshold/encryption-key/v1";
const CONSTANT_TERM_LABEL: &[u8] = b"publica/threshold/constant-term/v1";
const SHARE_LABEL: &[u8] = b"publica/threshold/share/v1";
const COMPLAINT_LABEL: &[u8] = b"publica/threshold/complaint/v1";
const EPHEMERAL_LABEL: &[u8] = b"publica/threshold/ephemeral/v1";
const DECRYPTION_SHARE_LABEL: &[u8] = b"publica/threshold/decryption-share/v1";
const SEAL_LABEL: &[u8] = b"publica/threshold/seal/v1";
const NONCE_LABEL: &[u8] = b"publica/threshold/nonce/v1";

// Every variable-length field is prefixed with a u32 length, so each bound must fit one.
const _: () = assert!(MAX_CONTEXT_BYTES <= u32::MAX as usize);
const _: () = assert!(MAX_AAD_BYTES <= u32::MAX as usize);
const _: () = assert!(MAX_PLAINTEXT_BYTES + TAG_LEN <= u32::MAX as usize);
const _: () = assert!(MAX_HOLDERS >= 1 && (MAX_HOLDERS as usize) < (1 << 16));

/// Why a threshold operation refused its input. Each variant names the value that was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThresholdError {
    /// Bytes that should encode a ristretto255 point do not (or not canonically).
    #[error(
        "{field} is not the canonical encoding of a ristretto255 point; it was corrupted or made by other software"
    )]
    NotAPoint {
        /// Which value.
        field: String,
    },

    /// A point that must not be the identity is the identity.
    #[error("{field} is the identity point, which is not allowed there (it would make the secret part irrelevant)")]
    IdentityPoint {
        /// Which value.
        field: String,
    },

    /// Bytes that should encode a scalar are not below the group order `ℓ`.
    #[error("{field} is not a canonical scalar (32 bytes little-endian, below the group order)")]
    NonCanonicalScalar {
        /// Which value.
        field: String,
    },

    /// A proof is well formed but does not verify.
    #[error("the {proof} does not verify: it was made for another context or index, with another key, or changed")]
    BadProof {
        /// Which proof.
        proof: &'static str,
    },

    /// A list has the wrong number of entries.
    #[error("{what} has {actual} entries; {expected} were expected")]
    WrongLength {
        /// Which list.
        what: &'static str,
        /// The number required.
        expected: usize,
        /// The number given.
        actual: usize,
    },

    /// The threshold or the number of holders is out of range.
    #[error("invalid parameters: {reason}")]
    InvalidParameters {
        /// What is wrong.
        reason: String,
    },

    /// An index of a holder or dealer is out of range.
    #[error("index {index} is not valid here: {reason}")]
    InvalidIndex {
        /// The index given.
        index: u16,
        /// Why it is refused.
        reason: &'static str,
    },

    /// An encrypted share does not match its dealer's commitments.
    #[error(
        "the share that dealer {dealer} encrypted to holder {holder} does not match the dealer's commitments; \
         holder {holder} should publish a complaint against dealer {dealer}"
    )]
    BadShare {
        /// The dealer.
        dealer: u16,
        /// The holder the share was for.
        holder: u16,
    },

    /// The same index appears twice in a list that needs distinct ones.
    #[error("index {index} appears more than once; each holder or dealer may appear only once")]
    DuplicateIndex {
        /// The repeated index.
        index: u16,
    },

    /// Fewer decryption shares than the threshold.
    #[error("{got} decryption shares were given but {needed} are needed; wait for more holders")]
    TooFewShares {
        /// The threshold.
        needed: u16,
        /// The number given.
        got: usize,
    },

    /// A secret does not belong to the public key it was given with.
    #[error("the secret share does not belong to the {what} given with it; use the holder's own share and key")]
    KeyMismatch {
        /// Which public key.
        what: &'static str,
    },

    /// A byte string is longer than its limit.
    #[error("{what} has {len} bytes; at most {max} are allowed")]
    TooLong {
        /// Which value.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },

    /// A sealed box does not open.
    #[error(
        "the sealed box does not open: the combined decryption point, the context or the associated data is \
         wrong, or the box was changed"
    )]
    Undecryptable,
}

type Result<T> = std::result::Result<T, ThresholdError>;

// ---------------------------------------------------------------------------------------------------------------
// Encodings.

/// An encoded ristretto255 point: 32 bytes, borsh as the raw bytes, JSON as a hex string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, BorshSerialize, BorshDeserialize)]
pub struct Point(pub [u8; POINT_LEN]);

/// An encoded scalar: 32 bytes little-endian, borsh as the raw bytes, JSON as a hex string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct ScalarBytes(pub [u8; SCALAR_LEN]);

impl Point {
    /// The point, refusing non-canonical encodings (the identity is accepted).
    pub fn decode(&self) -> Result<RistrettoPoint> {
        decode_point(self, || "the point".to_string())
    }

    /// The point, refusing non-canonical encodings and the identity.
    pub fn decode_not_identity(&self) -> Result<RistrettoPoint> {
        decode_point_not_identity(self, || "the point".to_string())
    }

    /// The encoding of `point`.
    pub fn from_point(point: &RistrettoPoint) -> Self {
        Point(point.compress().to_bytes())
    }
}

impl From<RistrettoPoint> for Point {
    fn from(point: RistrettoPoint) -> Self {
        Point::from_point(&point)
    }
}

impl ScalarBytes {
    /// The scalar, refusing encodings of `ℓ` or more.
    pub fn decode(&self) -> Result<Scalar> {
        decode_scalar(self, || "the scalar".to_string())
    }
}

impl From<Scalar> for ScalarBytes {
    fn from(scalar: Scalar) -> Self {
        ScalarBytes(scalar.to_bytes())
    }
}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point({})", hex::encode(self.0))
    }
}

impl fmt::Debug for ScalarBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScalarBytes({})", hex::encode(self.0))
    }
}

fn serialize_hex<S: Serializer>(bytes: &[u8; 32], serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(&hex::encode(bytes))
}

fn deserialize_hex<'de, D: Deserializer<'de>>(deserializer: D) -> std::result::Result<[u8; 32], D::Error> {
    use serde::de::Error as _;
    let text = <String as Deserialize>::deserialize(deserializer)?;
    if text.len() != 64 {
        return Err(D::Error::custom(format!("expected 64 hex characters (32 bytes), got {}", text.len())));
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(&text, &mut bytes).map_err(|e| D::Error::custom(format!("invalid hex: {e}")))?;
    Ok(bytes)
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serialize_hex(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserialize_hex(deserializer).map(Point)
    }
}

impl Serialize for ScalarBytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serialize_hex(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for ScalarBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserialize_hex(deserializer).map(ScalarBytes)
    }
}

fn decode_point(point: &Point, field: impl FnOnce() -> String) -> Result<RistrettoPoint> {
    // The library's decoding is RFC 9496's: it refuses every non-canonical encoding.
    CompressedRistretto(point.0).decompress().ok_or_else(|| ThresholdError::NotAPoint { field: field() })
}

fn decode_point_not_identity(point: &Point, field: impl FnOnce() -> String) -> Result<RistrettoPoint> {
    // The identity encodes as 32 zero bytes and only so, which is cheaper to test than the decoded point.
    if point.0 == [0u8; POINT_LEN] {
        return Err(ThresholdError::IdentityPoint { field: field() });
    }
    decode_point(point, field)
}

fn decode_scalar(scalar: &ScalarBytes, field: impl FnOnce() -> String) -> Result<Scalar> {
    Scalar::from_canonical_bytes(scalar.0).ok_or_else(|| ThresholdError::NonCanonicalScalar { field: field() })
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets.

/// A secret scalar (a holder's share of the joint secret), wiped when dropped.
pub struct SecretScalar(Scalar);

impl SecretScalar {
    /// A scalar from its 32-byte little-endian encoding, which must be below `ℓ`.
    pub fn from_bytes(bytes: &[u8; SCALAR_LEN]) -> Result<Self> {
        Scalar::from_canonical_bytes(*bytes)
            .map(SecretScalar)
            .ok_or_else(|| ThresholdError::NonCanonicalScalar { field: "the secret scalar".into() })
    }

    /// The 32-byte encoding, wiped when dropped: for storing it in a keystore.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The matching public point: the secret times `G` (for a secret share, the holder's verification key).
    pub fn public(&self) -> Point {
        Point::from_point(&(&self.0 * &RISTRETTO_BASEPOINT_TABLE))
    }

    fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        SecretScalar(*random_scalar(rng))
    }
}

impl Drop for SecretScalar {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretScalar(<secret>)")
    }
}

/// A key holder's encryption secret `e_j`, under which dealers encrypt its shares; wiped when dropped.
#[derive(Debug)]
pub struct EncryptionSecret(SecretScalar);

impl EncryptionSecret {
    /// A new secret from 64 bytes of `rng` (pass `rand_core::OsRng`).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        EncryptionSecret(SecretScalar::random(rng))
    }

    /// The secret from its 32-byte encoding, which must be below `ℓ` and not zero.
    pub fn from_bytes(bytes: &[u8; SCALAR_LEN]) -> Result<Self> {
        let secret = SecretScalar::from_bytes(bytes)?;
        if secret.0 == Scalar::zero() {
            return Err(ThresholdError::InvalidParameters { reason: "an encryption secret must not be zero".into() });
        }
        Ok(EncryptionSecret(secret))
    }

    /// The 32-byte encoding, wiped when dropped.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        self.0.to_bytes()
    }

    /// The public encryption key `E_j = e_j·G`.
    pub fn public(&self) -> Point {
        self.0.public()
    }
}

/// A scalar from 64 random bytes reduced modulo `ℓ`: uniform up to a bias of about 2^-259.
fn random_scalar<R: RngCore + CryptoRng>(rng: &mut R) -> Zeroizing<Scalar> {
    let mut wide = Zeroizing::new([0u8; 64]);
    rng.fill_bytes(&mut wide[..]);
    Zeroizing::new(Scalar::from_bytes_mod_order_wide(&wide))
}

// ---------------------------------------------------------------------------------------------------------------
// Hashing and proofs.

/// The hash input `lp(label) || lp(context) || fields`, written as it is built.
#[derive(Clone)]
struct Transcript(Sha512);

impl Transcript {
    /// Callers have checked that `context` is at most [`MAX_CONTEXT_BYTES`].
    fn new(label: &[u8], context: &[u8]) -> Self {
        let mut transcript = Transcript(Sha512::new());
        transcript.bytes(label);
        transcript.bytes(context);
        transcript
    }

    /// `lp(data)`; every caller bounds the length far below 2^32.
    fn bytes(&mut self, data: &[u8]) {
        let len = u32::try_from(data.len()).expect("every variable field is bounded below 2^32 bytes");
        self.0.update(len.to_be_bytes());
        self.0.update(data);
    }

    fn index(&mut self, index: u16) {
        self.0.update(index.to_be_bytes());
    }

    fn point(&mut self, point: &[u8; POINT_LEN]) {
        self.0.update(point);
    }

    fn scalar(self) -> Scalar {
        let digest: [u8; 64] = self.0.finalize().into();
        Scalar::from_bytes_mod_order_wide(&digest)
    }

    /// The proof nonce for `secret` over this statement, with 32 fresh random bytes.
    fn nonce<R: RngCore + CryptoRng>(&self, secret: &Scalar, rng: &mut R) -> Zeroizing<Scalar> {
        let mut random = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut random[..]);
        let mut secret_bytes = Zeroizing::new(secret.to_bytes());
        let mut transcript = self.clone();
        transcript.bytes(NONCE_LABEL);
        transcript.0.update(&secret_bytes[..]);
        transcript.0.update(&random[..]);
        secret_bytes.zeroize();
        let digest = Zeroizing::new(<[u8; 64]>::from(transcript.0.finalize()));
        Zeroizing::new(Scalar::from_bytes_mod_order_wide(&digest))
    }
}

/// A Schnorr proof of knowledge of a discrete logarithm: challenge `c`, then response `s`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchnorrProof {
    /// The challenge.
    pub c: ScalarBytes,
    /// The response.
    pub s: ScalarBytes,
}

/// A Chaum-Pedersen proof that two discrete logarithms are equal: challenge `c`, then response `s`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DleqProof {
    /// The challenge.
    pub c: ScalarBytes,
    /// The response.
    pub s: ScalarBytes,
}

impl SchnorrProof {
    /// The 64 bytes `c || s`.
    pub fn to_bytes(&self) -> [u8; PROOF_LEN] {
        proof_bytes(&self.c, &self.s)
    }
}

impl DleqProof {
    /// The 64 bytes `c || s`.
    pub fn to_bytes(&self) -> [u8; PROOF_LEN] {
        proof_bytes(&self.c, &self.s)
    }
}

fn proof_bytes(c: &ScalarBytes, s: &ScalarBytes) -> [u8; PROOF_LEN] {
    let mut bytes = [0u8; PROOF_LEN];
    bytes[..SCALAR_LEN].copy_from_slice(&c.0);
    bytes[SCALAR_LEN..].copy_from_slice(&s.0);
    bytes
}

/// `k + c·x`, with the product wiped.
fn response(k: &Scalar, c: &Scalar, x: &Scalar) -> Scalar {
    let mut cx = c * x;
    let s = k + cx;
    cx.zeroize();
    s
}

fn schnorr_prove<R: RngCore + CryptoRng>(statement: Transcript, x: &Scalar, rng: &mut R) -> SchnorrProof {
    let k = statement.nonce(x, rng);
    let a = (&*k * &RISTRETTO_BASEPOINT_TABLE).compress();
    let mut transcript = statement;
    transcript.point(a.as_bytes());
    let c = transcript.scalar();
    SchnorrProof { c: c.into(), s: response(&k, &c, x).into() }
}

fn schnorr_verify(
    statement: Transcript,
    public: &RistrettoPoint,
    proof: &SchnorrProof,
    what: &'static str,
) -> Result<()> {
    let c = decode_scalar(&proof.c, || format!("the challenge of the {what}"))?;
    let s = decode_scalar(&proof.s, || format!("the response of the {what}"))?;
    let a = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, public, &s);
    let mut transcript = statement;
    transcript.point(a.compress().as_bytes());
    if transcript.scalar() == c {
        Ok(())
    } else {
        Err(ThresholdError::BadProof { proof: what })
    }
}

/// `statement` must already hold `enc(X) || enc(H) || enc(Y)`.
fn dleq_prove<R: RngCore + CryptoRng>(statement: Transcript, x: &Scalar, h: &RistrettoPoint, rng: &mut R) -> DleqProof {
    let k = statement.nonce(x, rng);
    let a = (&*k * &RISTRETTO_BASEPOINT_TABLE).compress();
    let b = (h * *k).compress();
    let mut transcript = statement;
    transcript.point(a.as_bytes());
    transcript.point(b.as_bytes());
    let c = transcript.scalar();
    DleqProof { c: c.into(), s: response(&k, &c, x).into() }
}

fn dleq_verify(
    statement: Transcript,
    x: &RistrettoPoint,
    h: &RistrettoPoint,
    y: &RistrettoPoint,
    proof: &DleqProof,
    what: &'static str,
) -> Result<()> {
    let c = decode_scalar(&proof.c, || format!("the challenge of the {what}"))?;
    let s = decode_scalar(&proof.s, || format!("the response of the {what}"))?;
    let minus_c = -c;
    let a = RistrettoPoint::vartime_double_scalar_mul_basepoint(&minus_c, x, &s);
    let b = RistrettoPoint::vartime_multiscalar_mul([s, minus_c], [h, y]);
    let mut transcript = statement;
    transcript.point(a.compress().as_bytes());
    transcript.point(b.compress().as_bytes());
    if transcript.scalar() == c {
        Ok(())
    } else {
        Err(ThresholdError::BadProof { proof: what })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Checks of parameters.

fn check_context(context: &[u8]) -> Result<()> {
    if context.len() > MAX_CONTEXT_BYTES {
        return Err(ThresholdError::TooLong { what: "the context", len: context.len(), max: MAX_CONTEXT_BYTES });
    }
    Ok(())
}

/// Checks `1 <= threshold <= n <= MAX_HOLDERS` and returns `n`.
fn check_parameters(threshold: u16, n: usize) -> Result<u16> {
    let n = match u16::try_from(n) {
        Ok(n) if (1..=MAX_HOLDERS).contains(&n) => n,
        _ => {
            return Err(ThresholdError::InvalidParameters {
                reason: format!("there are {n} holders; between 1 and {MAX_HOLDERS} are supported"),
            })
        }
    };
    if threshold == 0 || threshold > n {
        return Err(ThresholdError::InvalidParameters {
            reason: format!("the threshold is {threshold}; it must be between 1 and the number of holders, {n}"),
        });
    }
    Ok(n)
}

/// Checks `1 <= index <= n`.
fn check_index(index: u16, n: u16) -> Result<()> {
    if index == 0 {
        return Err(ThresholdError::InvalidIndex { index, reason: "indices start at 1" });
    }
    if index > n {
        return Err(ThresholdError::InvalidIndex { index, reason: "it is above the number of holders" });
    }
    Ok(())
}

/// `Σ_k j^k·C_k`: the public image of the polynomial committed to by `commitments`, at `j`.
fn evaluate_in_exponent(commitments: &[RistrettoPoint], j: u16) -> RistrettoPoint {
    let x = Scalar::from(u64::from(j));
    // The library requires iterators whose length is known exactly, which `successors` does not report.
    let powers: Vec<Scalar> =
        std::iter::successors(Some(Scalar::one()), |power| Some(power * x)).take(commitments.len()).collect();
    RistrettoPoint::vartime_multiscalar_mul(powers, commitments)
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Holder encryption keys.

fn encryption_key_statement(context: &[u8], holder: u16, key: &Point) -> Transcript {
    let mut transcript = Transcript::new(ENCRYPTION_KEY_LABEL, context);
    transcript.index(holder);
    transcript.point(&key.0);
    transcript
}

/// Proves that holder `holder` knows the secret of its encryption key, for `context`.
pub fn prove_encryption_key<R: RngCore + CryptoRng>(
    secret: &EncryptionSecret,
    context: &[u8],
    holder: u16,
    rng: &mut R,
) -> Result<SchnorrProof> {
    check_context(context)?;
    check_index(holder, MAX_HOLDERS)?;
    let statement = encryption_key_statement(context, holder, &secret.public());
    Ok(schnorr_prove(statement, &secret.0 .0, rng))
}

/// Checks holder `holder`'s encryption key `key` (canonical, not the identity) and its proof for `context`.
pub fn verify_encryption_key(key: &Point, proof: &SchnorrProof, context: &[u8], holder: u16) -> Result<()> {
    check_context(context)?;
    check_index(holder, MAX_HOLDERS)?;
    let point = decode_point_not_identity(key, || format!("holder {holder}'s encryption key"))?;
    schnorr_verify(encryption_key_statement(context, holder, key), &point, proof, "proof of the encryption key")
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Deals.

/// One share of a deal, encrypted to one holder.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedShare {
    /// `K_ij = r_ij·G`.
    pub ephemeral: Point,
    /// `f_i(j)` plus the mask derived from `r_ij·E_j`.
    pub masked: ScalarBytes,
}

/// A dealer's contribution to the joint key: commitments to its polynomial, a proof of its constant term, and one
/// encrypted share per holder (holder `j` at position `j - 1`).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// `C_ik = a_ik·G` for `k = 0 .. t-1`.
    pub commitments: Vec<Point>,
    /// Proof of knowledge of `a_i0`.
    pub proof: SchnorrProof,
    /// The encrypted shares, for holders `1 ..= n` in order.
    pub shares: Vec<EncryptedShare>,
}

fn share_mask(
    context: &[u8],
    dealer: u16,
    holder: u16,
    key: &Point,
    ephemeral: &Point,
    shared: &[u8; POINT_LEN],
) -> Zeroizing<Scalar> {
    let mut transcript = Transcript::new(SHARE_LABEL, context);
    transcript.index(dealer);
    transcript.index(holder);
    transcript.point(&key.0);
    transcript.point(&ephemeral.0);
    transcript.point(shared);
    Zeroizing::new(transcript.scalar())
}

fn constant_term_statement(context: &[u8], dealer: u16, constant: &Point) -> Transcript {
    let mut transcript = Transcript::new(CONSTANT_TERM_LABEL, context);
    transcript.index(dealer);
    transcript.point(&constant.0);
    transcript
}

impl Deal {
    /// Dealer `dealer`'s deal for a key of threshold `threshold` among the holders whose encryption keys are
    /// `recipients` (holder `j` at position `j - 1`; the keys' proofs must have been checked already).
    pub fn make<R: RngCore + CryptoRng>(
        rng: &mut R,
        context: &[u8],
        dealer: u16,
        threshold: u16,
        recipients: &[Point],
    ) -> Result<Deal> {
        check_context(context)?;
        let n = check_parameters(threshold, recipients.len())?;
        check_index(dealer, n)?;
        let keys = recipients
            .iter()
            .zip(1u16..)
            .map(|(key, j)| decode_point_not_identity(key, || format!("holder {j}'s encryption key")))
            .collect::<Result<Vec<_>>>()?;

        let coefficients: Zeroizing<Vec<Scalar>> =
            Zeroizing::new((0..threshold).map(|_| *random_scalar(rng)).collect());
        let commitments: Vec<Point> =
            coefficients.iter().map(|a| Point::from_point(&(a * &RISTRETTO_BASEPOINT_TABLE))).collect();
        let proof = schnorr_prove(constant_term_statement(context, dealer, &commitments[0]), &coefficients[0], rng);

        let shares = keys
            .iter()
            .zip(recipients)
            .zip(1u16..)
            .map(|((key, key_bytes), j)| {
                let x = Scalar::from(u64::from(j));
                let share = Zeroizing::new(coefficients.iter().rev().fold(Scalar::zero(), |acc, a| acc * x + a));
                let r = random_scalar(rng);
                let ephemeral = Point::from_point(&(&*r * &RISTRETTO_BASEPOINT_TABLE));
                let shared = Zeroizing::new((key * *r).compress().to_bytes());
                let mask = share_mask(context, dealer, j, key_bytes, &ephemeral, &shared);
                EncryptedShare { ephemeral, masked: (*share + *mask).into() }
            })
            .collect();
        Ok(Deal { commitments, proof, shares })
    }

    /// The checks anyone can make on a deal as it arrives: `dealer` is in `1..=n`, there are `threshold`
    /// commitments and `n` shares, every point and scalar is canonical (the shares' ephemeral keys not the
    /// identity), and the proof of the constant term verifies. Whether each share is right only its holder can
    /// tell ([`Deal::open_share`]).
    pub fn check_public(&self, context: &[u8], dealer: u16, threshold: u16, n: u16) -> Result<()> {
        check_context(context)?;
        let n = check_parameters(threshold, usize::from(n))?;
        check_index(dealer, n)?;
        if self.commitments.len() != usize::from(threshold) {
            return Err(ThresholdError::WrongLength {
                what: "the deal's commitments",
                expected: usize::from(threshold),
                actual: self.commitments.len(),
            });
        }
        if self.shares.len() != usize::from(n) {
            return Err(ThresholdError::WrongLength {
                what: "the deal's encrypted shares",
                expected: usize::from(n),
                actual: self.shares.len(),
            });
        }
        let commitments = self.decode_commitments(dealer)?;
        for (share, j) in self.shares.iter().zip(1u16..) {
            decode_point_not_identity(&share.ephemeral, || {
                format!("the ephemeral key of dealer {dealer}'s share for holder {j}")
            })?;
            decode_scalar(&share.masked, || format!("dealer {dealer}'s masked share for holder {j}"))?;
        }
        schnorr_verify(
            constant_term_statement(context, dealer, &self.commitments[0]),
            &commitments[0],
            &self.proof,
            "proof of the deal's constant term",
        )
    }

    /// Holder `holder`'s share of this deal by dealer `dealer`, decrypted with the holder's encryption secret and
    /// checked against the commitments. [`ThresholdError::BadShare`] means the holder should publish a
    /// [`Complaint`].
    pub fn open_share(
        &self,
        context: &[u8],
        dealer: u16,
        holder: u16,
        secret: &EncryptionSecret,
    ) -> Result<SecretScalar> {
        check_context(context)?;
        let (encrypted, ephemeral) = self.share_for(dealer, holder)?;
        let commitments = self.decode_commitments(dealer)?;
        let masked =
            decode_scalar(&encrypted.masked, || format!("dealer {dealer}'s masked share for holder {holder}"))?;
        let shared = Zeroizing::new((ephemeral * secret.0 .0).compress().to_bytes());
        let mask = share_mask(context, dealer, holder, &secret.public(), &encrypted.ephemeral, &shared);
        let share = SecretScalar(masked - *mask);
        if &share.0 * &RISTRETTO_BASEPOINT_TABLE != evaluate_in_exponent(&commitments, holder) {
            return Err(ThresholdError::BadShare { dealer, holder });
        }
        Ok(share)
    }

    /// The share for `holder` and its decoded ephemeral key.
    fn share_for(&self, dealer: u16, holder: u16) -> Result<(&EncryptedShare, RistrettoPoint)> {
        let n = u16::try_from(self.shares.len()).unwrap_or(u16::MAX);
        check_index(holder, n.min(MAX_HOLDERS))?;
        let encrypted = &self.shares[usize::from(holder) - 1];
        let ephemeral = decode_point_not_identity(&encrypted.ephemeral, || {
            format!("the ephemeral key of dealer {dealer}'s share for holder {holder}")
        })?;
        Ok((encrypted, ephemeral))
    }

    fn decode_commitments(&self, dealer: u16) -> Result<Vec<RistrettoPoint>> {
        if self.commitments.is_empty() || self.commitments.len() > usize::from(MAX_HOLDERS) {
            return Err(ThresholdError::InvalidParameters {
                reason: format!(
                    "dealer {dealer}'s deal has {} commitments; between 1 and {MAX_HOLDERS} are supported",
                    self.commitments.len()
                ),
            });
        }
        self.commitments
            .iter()
            .enumerate()
            .map(|(k, c)| decode_point(c, || format!("commitment {k} of dealer {dealer}'s deal")))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Complaints.

/// Holder `j`'s complaint against dealer `i`: the Diffie-Hellman value `D = e_j·K_ij` that decrypts its share, with
/// a proof that it is right. Anyone can then decrypt that one share and check it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Complaint {
    /// `D = e_j·K_ij`.
    pub shared: Point,
    /// Proof that `log_G(E_j) = log_K_ij(D)`.
    pub proof: DleqProof,
}

fn complaint_statement(
    context: &[u8],
    dealer: u16,
    holder: u16,
    key: &Point,
    ephemeral: &Point,
    shared: &Point,
) -> Transcript {
    let mut transcript = Transcript::new(COMPLAINT_LABEL, context);
    transcript.index(dealer);
    transcript.index(holder);
    transcript.point(&key.0);
    transcript.point(&ephemeral.0);
    transcript.point(&shared.0);
    transcript
}

impl Complaint {
    /// Holder `holder`'s complaint against `deal` by dealer `dealer`. Publish it when [`Deal::open_share`]
    /// returned [`ThresholdError::BadShare`]: it reveals that one share (already known to be useless) and nothing
    /// about the holder's encryption secret.
    pub fn make<R: RngCore + CryptoRng>(
        rng: &mut R,
        context: &[u8],
        dealer: u16,
        holder: u16,
        deal: &Deal,
        secret: &EncryptionSecret,
    ) -> Result<Complaint> {
        check_context(context)?;
        let (encrypted, ephemeral) = deal.share_for(dealer, holder)?;
        let shared = Point::from_point(&(ephemeral * secret.0 .0));
        let statement = complaint_statement(context, dealer, holder, &secret.public(), &encrypted.ephemeral, &shared);
        let proof = dleq_prove(statement, &secret.0 .0, &ephemeral, rng);
        Ok(Complaint { shared, proof })
    }

    /// Judges this complaint by holder `holder` (encryption key `key`) against `deal` by dealer `dealer`:
    /// `Ok(true)` when it is upheld (the share is bad, and the dealer is disqualified), `Ok(false)` when the share
    /// was good after all, and an error when the complaint's proof or encodings are bad (it then counts for
    /// nothing).
    pub fn judge(&self, deal: &Deal, context: &[u8], dealer: u16, holder: u16, key: &Point) -> Result<bool> {
        check_context(context)?;
        let key_point = decode_point_not_identity(key, || format!("holder {holder}'s encryption key"))?;
        let (encrypted, ephemeral) = deal.share_for(dealer, holder)?;
        let shared = decode_point(&self.shared, || format!("the shared value of holder {holder}'s complaint"))?;
        let statement = complaint_statement(context, dealer, holder, key, &encrypted.ephemeral, &self.shared);
        dleq_verify(statement, &key_point, &ephemeral, &shared, &self.proof, "proof of the complaint")?;
        let commitments = deal.decode_commitments(dealer)?;
        let masked =
            decode_scalar(&encrypted.masked, || format!("dealer {dealer}'s masked share for holder {holder}"))?;
        let mask = share_mask(context, dealer, holder, key, &encrypted.ephemeral, &self.shared.0);
        let share = masked - *mask;
        Ok(&share * &RISTRETTO_BASEPOINT_TABLE != evaluate_in_exponent(&commitments, holder))
    }
}

// ---------------------------------------------------------------------------------------------------------------
// 4. The result of the key generation.

/// Checks the qualified deals (at least one, distinct dealers, all with the same numbers of commitments and of
/// shares) and returns `(t, n)`.
fn check_qualified(deals: &[(u16, &Deal)]) -> Result<(usize, usize)> {
    let Some((_, first)) = deals.first() else {
        return Err(ThresholdError::InvalidParameters { reason: "no qualified deal was given".into() });
    };
    let (t, n) = (first.commitments.len(), first.shares.len());
    let n16 = check_parameters(u16::try_from(t).unwrap_or(u16::MAX), n)?;
    let mut seen = BTreeSet::new();
    for (dealer, deal) in deals {
        check_index(*dealer, n16)?;
        if !seen.insert(*dealer) {
            return Err(ThresholdError::DuplicateIndex { index: *dealer });
        }
        if deal.commitments.len() != t {
            return Err(ThresholdError::WrongLength {
                what: "a qualified deal's commitments",
                expected: t,
                actual: deal.commitments.len(),
            });
        }
        if deal.shares.len() != n {
            return Err(ThresholdError::WrongLength {
                what: "a qualified deal's encrypted shares",
                expected: n,
                actual: deal.shares.len(),
            });
        }
    }
    Ok((t, n))
}

/// `Σ_i C_ik` for every `k`: the commitments to the joint polynomial.
fn joint_commitments(deals: &[(u16, &Deal)]) -> Result<Vec<RistrettoPoint>> {
    let (t, _) = check_qualified(deals)?;
    let mut sums = vec![RistrettoPoint::default(); t];
    for (dealer, deal) in deals {
        for (sum, commitment) in sums.iter_mut().zip(deal.decode_commitments(*dealer)?) {
            *sum += commitment;
        }
    }
    Ok(sums)
}

/// The joint public key `PK = Σ C_i0` over the qualified deals `(dealer, deal)`; refused if it is the identity.
pub fn joint_public_key(deals: &[(u16, &Deal)]) -> Result<Point> {
    let key = joint_commitments(deals)?[0];
    if key.is_identity() {
        return Err(ThresholdError::IdentityPoint { field: "the joint public key".into() });
    }
    Ok(Point::from_point(&key))
}

/// Holder `holder`'s verification key `V_j = Σ_i Σ_k j^k·C_ik` over the qualified deals: its secret share times
/// `G`, against which its decryption shares are checked.
pub fn verification_key(deals: &[(u16, &Deal)], holder: u16) -> Result<Point> {
    let (_, n) = check_qualified(deals)?;
    check_index(holder, u16::try_from(n).unwrap_or(u16::MAX))?;
    Ok(Point::from_point(&evaluate_in_exponent(&joint_commitments(deals)?, holder)))
}

/// Every holder's verification key, holder `j` at position `j - 1`, over the qualified deals.
pub fn verification_keys(deals: &[(u16, &Deal)]) -> Result<Vec<Point>> {
    let (_, n) = check_qualified(deals)?;
    let commitments = joint_commitments(deals)?;
    let n = u16::try_from(n).expect("checked to be at most MAX_HOLDERS");
    Ok((1..=n).map(|j| Point::from_point(&evaluate_in_exponent(&commitments, j))).collect())
}

/// Holder `holder`'s secret share `x_j`: the sum of its shares of the qualified deals. Fails with
/// [`ThresholdError::BadShare`] if any of them is bad (a complaint should have disqualified that dealer).
pub fn secret_share(
    deals: &[(u16, &Deal)],
    context: &[u8],
    holder: u16,
    secret: &EncryptionSecret,
) -> Result<SecretScalar> {
    check_qualified(deals)?;
    let mut sum = SecretScalar(Scalar::zero());
    for (dealer, deal) in deals {
        let share = deal.open_share(context, *dealer, holder, secret)?;
        sum.0 += share.0;
    }
    Ok(sum)
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Sealing.

/// A plaintext sealed to the joint public key.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedBox {
    /// `R = r·G`.
    pub ephemeral: Point,
    /// The ChaCha20-Poly1305 ciphertext, ending in its 16-byte tag.
    #[serde(with = "hex_vec")]
    pub ciphertext: Vec<u8>,
    /// Proof of knowledge of `r`, bound to the context, the associated data and the ciphertext.
    pub proof: SchnorrProof,
}

mod hex_vec {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        use serde::de::Error as _;
        hex::decode(String::deserialize(deserializer)?).map_err(|e| D::Error::custom(format!("invalid hex: {e}")))
    }
}

fn check_aad(aad: &[u8]) -> Result<()> {
    if aad.len() > MAX_AAD_BYTES {
        return Err(ThresholdError::TooLong { what: "the associated data", len: aad.len(), max: MAX_AAD_BYTES });
    }
    Ok(())
}

fn ephemeral_statement(context: &[u8], ephemeral: &Point, aad: &[u8], ciphertext: &[u8]) -> Transcript {
    let mut transcript = Transcript::new(EPHEMERAL_LABEL, context);
    transcript.point(&ephemeral.0);
    transcript.bytes(aad);
    transcript.bytes(ciphertext);
    transcript
}

fn length_prefixed(data: &[u8]) -> Vec<u8> {
    let len = u32::try_from(data.len()).expect("the context is bounded below 2^32 bytes");
    [&len.to_be_bytes()[..], data].concat()
}

fn aead(shared: &[u8; POINT_LEN], ephemeral: &Point, context: &[u8]) -> ChaCha20Poly1305 {
    let mut ikm = Zeroizing::new([0u8; 2 * POINT_LEN]);
    ikm[..POINT_LEN].copy_from_slice(shared);
    ikm[POINT_LEN..].copy_from_slice(&ephemeral.0);
    let info = [SEAL_LABEL, &length_prefixed(context)].concat();
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<sha2_010::Sha256>::new(None, &ikm[..])
        .expand(&info, &mut key[..])
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    ChaCha20Poly1305::new((&*key).into())
}

fn associated_data(context: &[u8], aad: &[u8]) -> Vec<u8> {
    [length_prefixed(context), aad.to_vec()].concat()
}

/// Seals `plaintext` to `joint_public_key` (not the identity) for `context`, with associated data `aad` (what the
/// box is, for example the tender and the bidder; the same bytes are needed to open it).
pub fn seal<R: RngCore + CryptoRng>(
    rng: &mut R,
    joint_public_key: &Point,
    context: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<SealedBox> {
    check_context(context)?;
    check_aad(aad)?;
    if plaintext.len() > MAX_PLAINTEXT_BYTES {
        return Err(ThresholdError::TooLong { what: "the plaintext", len: plaintext.len(), max: MAX_PLAINTEXT_BYTES });
    }
    let key = decode_point_not_identity(joint_public_key, || "the joint public key".to_string())?;
    let r = random_scalar(rng);
    let ephemeral = Point::from_point(&(&*r * &RISTRETTO_BASEPOINT_TABLE));
    let shared = Zeroizing::new((key * *r).compress().to_bytes());
    let ciphertext = aead(&shared, &ephemeral, context)
        .encrypt(&Nonce::default(), Payload { msg: plaintext, aad: &associated_data(context, aad) })
        .map_err(|_| ThresholdError::TooLong {
            what: "the plaintext",
            len: plaintext.len(),
            max: MAX_PLAINTEXT_BYTES,
        })?;
    let proof = schnorr_prove(ephemeral_statement(context, &ephemeral, aad, &ciphertext), &r, rng);
    Ok(SealedBox { ephemeral, ciphertext, proof })
}

impl SealedBox {
    /// The check the ledger makes when a box arrives, and holders before they make decryption shares for it:
    /// lengths, the ephemeral key (canonical, not the identity), and the proof of knowledge of `r` for this
    /// `context` and `aad`.
    pub fn verify(&self, context: &[u8], aad: &[u8]) -> Result<()> {
        check_context(context)?;
        check_aad(aad)?;
        self.check_ciphertext_length()?;
        let ephemeral = decode_point_not_identity(&self.ephemeral, || "the sealed box's ephemeral key".to_string())?;
        schnorr_verify(
            ephemeral_statement(context, &self.ephemeral, aad, &self.ciphertext),
            &ephemeral,
            &self.proof,
            "proof of the sealed box's ephemeral key",
        )
    }

    fn check_ciphertext_length(&self) -> Result<()> {
        let max = MAX_PLAINTEXT_BYTES + TAG_LEN;
        if self.ciphertext.len() > max {
            return Err(ThresholdError::TooLong { what: "the ciphertext", len: self.ciphertext.len(), max });
        }
        if self.ciphertext.len() < TAG_LEN {
            return Err(ThresholdError::WrongLength {
                what: "the ciphertext (shorter than its tag)",
                expected: TAG_LEN,
                actual: self.ciphertext.len(),
            });
        }
        Ok(())
    }
}

/// Opens `sealed` with the combined decryption point `x·R` from [`combine`], for `context` and `aad`. Any wrong
/// input gives [`ThresholdError::Undecryptable`]. The box's proof is not checked again here.
pub fn open(sealed: &SealedBox, combined: &Point, context: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    check_context(context)?;
    check_aad(aad)?;
    sealed.check_ciphertext_length()?;
    aead(&combined.0, &sealed.ephemeral, context)
        .decrypt(&Nonce::default(), Payload { msg: &sealed.ciphertext, aad: &associated_data(context, aad) })
        .map_err(|_| ThresholdError::Undecryptable)
}

// ---------------------------------------------------------------------------------------------------------------
// 6. Decryption shares.

/// Holder `j`'s decryption share of one sealed box: `D_j = x_j·R` and a proof that it is right.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionShare {
    /// `D_j = x_j·R`.
    pub share: Point,
    /// Proof that `log_G(V_j) = log_R(D_j)`.
    pub proof: DleqProof,
}

fn decryption_share_statement(context: &[u8], key: &Point, ephemeral: &Point, share: &Point) -> Transcript {
    let mut transcript = Transcript::new(DECRYPTION_SHARE_LABEL, context);
    transcript.point(&key.0);
    transcript.point(&ephemeral.0);
    transcript.point(&share.0);
    transcript
}

impl DecryptionShare {
    /// The decryption share of the holder with secret share `secret` and verification key `verification_key`
    /// for a box with ephemeral key `ephemeral`. Make it only for a box that passed [`SealedBox::verify`] under this
    /// tender's context (see the module documentation).
    pub fn make<R: RngCore + CryptoRng>(
        secret: &SecretScalar,
        verification_key: &Point,
        ephemeral: &Point,
        context: &[u8],
        rng: &mut R,
    ) -> Result<DecryptionShare> {
        check_context(context)?;
        decode_point_not_identity(verification_key, || "the verification key".to_string())?;
        let r = decode_point_not_identity(ephemeral, || "the sealed box's ephemeral key".to_string())?;
        if secret.public() != *verification_key {
            return Err(ThresholdError::KeyMismatch { what: "verification key" });
        }
        let share = Point::from_point(&(r * secret.0));
        let statement = decryption_share_statement(context, verification_key, ephemeral, &share);
        let proof = dleq_prove(statement, &secret.0, &r, rng);
        Ok(DecryptionShare { share, proof })
    }

    /// Checks this share against the holder's verification key and the box's ephemeral key, for `context`.
    pub fn verify(&self, verification_key: &Point, ephemeral: &Point, context: &[u8]) -> Result<()> {
        check_context(context)?;
        let v = decode_point_not_identity(verification_key, || "the verification key".to_string())?;
        let r = decode_point_not_identity(ephemeral, || "the sealed box's ephemeral key".to_string())?;
        let d = decode_point(&self.share, || "the decryption share".to_string())?;
        let statement = decryption_share_statement(context, verification_key, ephemeral, &self.share);
        dleq_verify(statement, &v, &r, &d, &self.proof, "proof of the decryption share")
    }
}

/// Verifies many `(share, verification key, ephemeral key, context)` items on all cores; result `i` belongs to
/// item `i` and equals what [`DecryptionShare::verify`] returns for it.
pub fn verify_decryption_shares_batch(items: &[(&DecryptionShare, &Point, &Point, &[u8])]) -> Vec<Result<()>> {
    let results: Vec<Result<()>> =
        items.par_iter().map(|(share, key, ephemeral, context)| share.verify(key, ephemeral, context)).collect();
    assert_eq!(results.len(), items.len(), "one result per item");
    results
}

/// Combines decryption shares `(holder index, D_j)` into `x·R` by Lagrange interpolation at 0 over the first
/// `threshold` of them. All indices must be distinct and in `1..=MAX_HOLDERS`, and at least `threshold` shares
/// are needed; the shares must have been verified.
pub fn combine(shares: &[(u16, Point)], threshold: u16) -> Result<Point> {
    if threshold == 0 || threshold > MAX_HOLDERS {
        return Err(ThresholdError::InvalidParameters {
            reason: format!("the threshold is {threshold}; it must be between 1 and {MAX_HOLDERS}"),
        });
    }
    let mut seen = BTreeSet::new();
    for (index, _) in shares {
        check_index(*index, MAX_HOLDERS)?;
        if !seen.insert(*index) {
            return Err(ThresholdError::DuplicateIndex { index: *index });
        }
    }
    if shares.len() < usize::from(threshold) {
        return Err(ThresholdError::TooFewShares { needed: threshold, got: shares.len() });
    }
    let used = &shares[..usize::from(threshold)];
    let points = used
        .iter()
        .map(|(index, point)| decode_point(point, || format!("holder {index}'s decryption share")))
        .collect::<Result<Vec<_>>>()?;
    let xs: Vec<Scalar> = used.iter().map(|(index, _)| Scalar::from(u64::from(*index))).collect();
    // λ_j = Π_{m≠j} x_m / (x_m - x_j); the denominators are non-zero because the indices are distinct and below ℓ.
    let mut numerators = Vec::with_capacity(xs.len());
    let mut denominators = Vec::with_capacity(xs.len());
    for (j, xj) in xs.iter().enumerate() {
        let (mut numerator, mut denominator) = (Scalar::one(), Scalar::one());
        for (m, xm) in xs.iter().enumerate() {
            if m != j {
                numerator *= xm;
                denominator *= xm - xj;
            }
        }
        numerators.push(numerator);
        denominators.push(denominator);
    }
    Scalar::batch_invert(&mut denominators);
    let coefficients = numerators.iter().zip(&denominators).map(|(n, d)| n * d);
    Ok(Point::from_point(&RistrettoPoint::vartime_multiscalar_mul(coefficients, &points)))
}
