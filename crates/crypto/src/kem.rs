//! Hybrid sealing: a message encrypted to a recipient key made of an X25519 key (RFC 7748) and an ML-KEM-768 key
//! (FIPS 203), which only the holder of both secrets opens (a vault's release of a record to the requester that
//! asked for it).
//!
//! A recipient key is made by its holder, who keeps the secret half in a key file ([`RecipientSecret`]) and hands
//! out the public half ([`RecipientPublicKey`]):
//!
//! ```text
//! x         = 32 random bytes                              the X25519 secret
//! X         = X25519(x, 9)                                 the X25519 public key
//! (ek, dk)  = ML-KEM-768.KeyGen()                          ek: 1184 bytes, dk: 2400 bytes (FIPS 203 §7.1)
//! public    = (X, ek)
//! ```
//!
//! Sealing, for a recipient `(X, ek)`, a context string `C` (at most 1006 bytes) and a message `M` (at most
//! 16 MiB):
//!
//! ```text
//! (ss_M, ct_M) = ML-KEM-768.Encaps(ek)                     ss_M: 32 bytes, ct_M: 1088 bytes
//! e      = 32 random bytes (clamped by X25519), a new one for every message
//! E      = X25519(e, 9)                                    the ephemeral public key
//! ss_X   = X25519(e, X)                                    refused when all zero (X of low order)
//! key    = HKDF-SHA256(salt = none,
//!                      ikm  = ss_M || ss_X || E || X,
//!                      info = "publica/kem/v1" || u32_be(len(C)) || C), 32 bytes
//! nonce  = 24 random bytes
//! ct     = XChaCha20-Poly1305(key, nonce, M, aad = "publica/kem/v1" || 0x00 || C)
//! sealed = (E, ct_M, nonce, ct)
//! ```
//!
//! Opening computes `ss_M = ML-KEM-768.Decaps(dk, ct_M)` and `ss_X = X25519(x, E)`, refuses an all-zero `ss_X` (an
//! ephemeral key of low order), derives the same key and decrypts. A wrong recipient key, another context or any
//! changed byte fails authentication; a changed `ct_M` decapsulates to an unrelated secret (ML-KEM's implicit
//! rejection), so it fails the same way. The context names what the message is for (a chain, an access), and is
//! bound twice: into the key and into the associated data.
//!
//! **What it protects against**: "harvest now, decrypt later". A release of personal data can be recorded today
//! and kept until a quantum computer runs Shor's algorithm, which breaks X25519 (and the classical [`crate::seal`]).
//! ML-KEM-768 is believed to resist such a computer; X25519 is kept beside it because ML-KEM is young and its
//! implementations less tried. The key depends on both shared secrets, so the message stays secret **if either
//! half holds**: an attacker has to break X25519 *and* ML-KEM-768.
//!
//! The combiner has the shape of X-Wing's (draft-connolly-cfrg-xwing-kem): the X25519 ephemeral key `E` and the
//! recipient's `X` enter the key derivation beside the two shared secrets. Without them, once ML-KEM were broken,
//! an attacker could replace `E` by another encoding of the same secret (its top bit set, or `E` plus a point of
//! small order: X25519 masks the one and its clamped scalar kills the other) and get a different sealed message
//! that opens with the same key; with them, the key commits to the whole X25519 transcript, which is what X-Wing's
//! proof of security when only X25519 holds (strong Diffie–Hellman, the hash as a random oracle) relies on. As in
//! X-Wing, ML-KEM's ciphertext is not hashed: ML-KEM-768 is ciphertext second-preimage resistant (decapsulation
//! re-encrypts and compares, and a rejected ciphertext yields `J(z || c)`), so no second ciphertext decapsulates to
//! the same secret. The key is derived with HKDF-SHA256, Publica's label and the context, where X-Wing hashes with
//! SHA3-256 and a label of its own, and secret keys are stored expanded rather than as a 32-byte seed: **this is
//! not X-Wing and not wire compatible with it**; only this construction opens these messages.
//!
//! Caveats: anyone can seal to a public key, so a sealed message says nothing about who sealed it (a release's
//! authenticity comes from the ledger, which records its hash in a signed transaction). There is no forward
//! secrecy for the recipient: whoever steals a recipient secret opens every message ever sealed to it, so a
//! recipient key should serve one request and be deleted once its release is read. The message's length is not
//! hidden.
//!
//! JSON forms: the public key is `{"x25519":"<base64, 32 bytes>","ml_kem":"<base64, 1184 bytes>"}`; a sealed
//! message is `{"version":1,"x25519_ephemeral":"<base64, 32 bytes>","ml_kem_ciphertext":"<base64, 1088 bytes>",
//! "nonce":"<base64, 24 bytes>","ciphertext":"<base64>"}`; the key file is described at [`RecipientSecret`]. Borsh
//! forms: the public key is `X || u32 length || ek`; a sealed message is
//! `u32 version || E || u32 length || ct_M || nonce || u32 length || ct` (lengths little-endian, as borsh writes a
//! byte vector).

use std::path::Path;

use aws_lc_rs::kem::{Ciphertext, DecapsulationKey, EncapsulationKey, ML_KEM_768};
use borsh::io::{Read, Write};
use borsh::{BorshDeserialize, BorshSerialize};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek_ng::constants::X25519_BASEPOINT;
use curve25519_dalek_ng::montgomery::MontgomeryPoint;
use curve25519_dalek_ng::scalar::Scalar;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::{decode_base64_exact, encode_base64};
use crate::envelope::{
    decode_base64_bounded, invalid_data, read_len_prefixed, read_secret_file, write_len_prefixed, write_secret_file,
    NONCE_LEN, TAG_LEN,
};
use crate::error::CryptoError;
use crate::seal::x25519;

/// Version of the hybrid sealing scheme written and read here.
pub const HYBRID_SEAL_VERSION: u32 = 1;
/// Version of the recipient key file written and read here.
pub const RECIPIENT_KEY_FILE_VERSION: u32 = 1;
/// Largest message [`seal_hybrid`] encrypts (16 MiB).
pub const MAX_HYBRID_PLAINTEXT_BYTES: usize = 16 * 1024 * 1024;
/// Longest context string of [`seal_hybrid`] and [`open_hybrid`]: 1006 bytes, so that HKDF's `info` (the 14-byte
/// label, the 4-byte length and the context) is at most 1024 bytes, the most OpenSSL's HKDF (and so Node's and
/// many others) accepts; RFC 5869 sets no limit, but a message other implementations cannot open is no use.
pub const MAX_HYBRID_CONTEXT_BYTES: usize = 1024 - LABEL.len() - 4;
/// Length of an X25519 public or secret key.
pub const X25519_KEY_LEN: usize = 32;
/// Length of an ML-KEM-768 encapsulation (public) key, FIPS 203 `ek`.
pub const ML_KEM_768_PUBLIC_KEY_LEN: usize = 1184;
/// Length of an ML-KEM-768 decapsulation (secret) key, FIPS 203 `dk`.
pub const ML_KEM_768_SECRET_KEY_LEN: usize = 2400;
/// Length of an ML-KEM-768 ciphertext.
pub const ML_KEM_768_CIPHERTEXT_LEN: usize = 1088;
/// Largest recipient key file [`RecipientSecret::load`] and [`RecipientSecret::from_json`] accept; real files are
/// about 5 KiB.
pub const MAX_RECIPIENT_KEY_FILE_BYTES: usize = 16 * 1024;

/// Domain label of the key derivation and of the associated data.
const LABEL: &[u8] = b"publica/kem/v1";
/// Length of an ML-KEM-768 shared secret.
const ML_KEM_SHARED_SECRET_LEN: usize = 32;
/// ML-KEM-768's module rank `k`: `ek` is `k` polynomials of 256 12-bit coefficients, then the 32-byte seed `ρ`.
const ML_KEM_768_K: usize = 3;
/// The ML-KEM modulus `q`.
const ML_KEM_Q: u16 = 3329;
/// Where `ek` sits in `dk = dk_PKE || ek || H(ek) || z` (FIPS 203, Algorithm 16).
const DK_EK_START: usize = 384 * ML_KEM_768_K;
const DK_HASH_START: usize = DK_EK_START + ML_KEM_768_PUBLIC_KEY_LEN;

const _: () = assert!(DK_HASH_START + 32 + 32 == ML_KEM_768_SECRET_KEY_LEN);
const _: () = assert!(ML_KEM_768_PUBLIC_KEY_LEN == 384 * ML_KEM_768_K + 32);
const _: () = assert!(MAX_HYBRID_PLAINTEXT_BYTES + TAG_LEN <= u32::MAX as usize, "lengths are encoded as u32");

fn sealed_error(reason: impl Into<String>) -> CryptoError {
    CryptoError::Sealed { reason: reason.into() }
}

fn key_error(reason: impl Into<String>) -> CryptoError {
    CryptoError::BadRecipientKey { reason: reason.into() }
}

fn is_all_zero(bytes: &[u8]) -> bool {
    // Every byte is read: the shared secret's value must not decide how long the check takes.
    bytes.iter().fold(0u8, |acc, &b| acc | b) == 0
}

// ---------------------------------------------------------------------------------------------------------------
// The public key.

/// The public half of a recipient key: what a requester publishes so that a release can be sealed to it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RecipientPublicKeyJson", into = "RecipientPublicKeyJson")]
pub struct RecipientPublicKey {
    /// The X25519 public key `X` (RFC 7748 `u`-coordinate, little-endian).
    pub x25519: [u8; X25519_KEY_LEN],
    /// The ML-KEM-768 encapsulation key `ek` ([`ML_KEM_768_PUBLIC_KEY_LEN`] bytes).
    pub ml_kem: Vec<u8>,
}

impl RecipientPublicKey {
    /// Checks the key before anything is sealed to it (decoding checks only the lengths):
    ///
    /// - the X25519 key is in canonical form (below 2^255 - 19) and not of low order (its multiple by the
    ///   cofactor 8 is not the identity; this covers the all-zero key);
    /// - the ML-KEM-768 key has [`ML_KEM_768_PUBLIC_KEY_LEN`] bytes, passes FIPS 203's modulus check (§7.2: every
    ///   12-bit coefficient below q = 3329) and is accepted by the ML-KEM implementation.
    pub fn validate(&self) -> Result<(), CryptoError> {
        self.encapsulation_key().map(drop)
    }

    /// SHA-256 of the borsh encoding (`x25519 || u32_le(len(ml_kem)) || ml_kem`): the key's fingerprint.
    pub fn sha256(&self) -> crate::Hash {
        let len = u32::try_from(self.ml_kem.len()).unwrap_or(u32::MAX).to_le_bytes();
        crate::sha256_concat(&[&self.x25519, &len, &self.ml_kem])
    }

    /// The validated ML-KEM-768 encapsulation key.
    fn encapsulation_key(&self) -> Result<EncapsulationKey, CryptoError> {
        check_x25519_public_key(&self.x25519)?;
        if self.ml_kem.len() != ML_KEM_768_PUBLIC_KEY_LEN {
            return Err(key_error(format!(
                "the ML-KEM-768 key has {} bytes; it must have exactly {ML_KEM_768_PUBLIC_KEY_LEN} (was it truncated \
                 or padded?)",
                self.ml_kem.len()
            )));
        }
        check_ml_kem_modulus(&self.ml_kem)?;
        EncapsulationKey::new(&ML_KEM_768, &self.ml_kem)
            .map_err(|e| key_error(format!("the ML-KEM-768 key does not decode ({e})")))
    }
}

impl std::fmt::Debug for RecipientPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipientPublicKey")
            .field("x25519", &hex::encode(self.x25519))
            .field("ml_kem_len", &self.ml_kem.len())
            .field("sha256", &hex::encode(self.sha256()))
            .finish()
    }
}

/// Refuses an X25519 public key that is not canonical (`u ≥ p = 2^255 - 19`) or of low order.
fn check_x25519_public_key(u: &[u8; X25519_KEY_LEN]) -> Result<(), CryptoError> {
    let at_least_p = u[31] & 0x80 != 0 || (u[31] == 0x7f && u[1..31].iter().all(|&b| b == 0xff) && u[0] >= 0xed);
    if at_least_p {
        return Err(key_error("the X25519 key is not in canonical form (its u-coordinate is at least 2^255 - 19)"));
    }
    // A point of low order (on the curve or its twist) times the cofactor is the identity, which encodes as 0.
    if is_all_zero(&(MontgomeryPoint(*u) * Scalar::from(8u64)).to_bytes()) {
        return Err(key_error("the X25519 key is of low order (the all-zero key, or a torsion point)"));
    }
    Ok(())
}

/// FIPS 203 §7.2's modulus check: `ek`'s polynomials, decoded 12 bits per coefficient, re-encode to the same bytes,
/// that is, every coefficient is below q.
fn check_ml_kem_modulus(ek: &[u8]) -> Result<(), CryptoError> {
    for (i, group) in ek[..DK_EK_START].chunks_exact(3).enumerate() {
        let first = u16::from(group[0]) | (u16::from(group[1] & 0x0f) << 8);
        let second = u16::from(group[1] >> 4) | (u16::from(group[2]) << 4);
        if first >= ML_KEM_Q || second >= ML_KEM_Q {
            return Err(key_error(format!(
                "the ML-KEM-768 key fails FIPS 203's modulus check (a coefficient at bytes {}..{} is not below {})",
                3 * i,
                3 * i + 3,
                ML_KEM_Q
            )));
        }
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientPublicKeyJson {
    x25519: String,
    ml_kem: String,
}

impl From<RecipientPublicKey> for RecipientPublicKeyJson {
    fn from(key: RecipientPublicKey) -> Self {
        RecipientPublicKeyJson { x25519: encode_base64(&key.x25519), ml_kem: encode_base64(&key.ml_kem) }
    }
}

impl TryFrom<RecipientPublicKeyJson> for RecipientPublicKey {
    type Error = CryptoError;

    fn try_from(json: RecipientPublicKeyJson) -> Result<Self, CryptoError> {
        let x25519 = decode_base64_exact("recipient key's X25519 key", &json.x25519, X25519_KEY_LEN)?;
        let ml_kem = decode_base64_exact("recipient key's ML-KEM-768 key", &json.ml_kem, ML_KEM_768_PUBLIC_KEY_LEN)?;
        Ok(RecipientPublicKey { x25519: x25519.try_into().expect("length checked"), ml_kem })
    }
}

impl BorshSerialize for RecipientPublicKey {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(&self.x25519)?;
        write_len_prefixed(writer, &self.ml_kem)
    }
}

impl BorshDeserialize for RecipientPublicKey {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        let x25519 = <[u8; X25519_KEY_LEN]>::deserialize_reader(reader)?;
        let ml_kem = read_len_prefixed(
            reader,
            ML_KEM_768_PUBLIC_KEY_LEN,
            ML_KEM_768_PUBLIC_KEY_LEN,
            "recipient key's ML-KEM-768 key",
        )?;
        Ok(RecipientPublicKey { x25519, ml_kem })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The secret key and its file.

/// The secret half of a recipient key: the X25519 secret and the ML-KEM-768 decapsulation key, with the public
/// key they make. Wiped when dropped; its `Debug` shows only the public key's fingerprint.
///
/// Its key file is JSON, **not encrypted** (keep it with mode 0600, as [`RecipientSecret::save`] writes it, and
/// delete it once its releases are read):
///
/// ```text
/// { "version": 1,
///   "x25519_secret": "<base64, 32 bytes>",
///   "ml_kem_secret": "<base64, 2400 bytes: FIPS 203 dk = dk_PKE || ek || H(ek) || z>",
///   "public_key": { "x25519": "<base64, 32 bytes>", "ml_kem": "<base64, 1184 bytes>" } }
/// ```
///
/// Reading a key file checks that the secrets make the stored public key, that `dk` passes FIPS 203's hash check
/// (§7.3: `H(ek)` inside `dk` is SHA3-256 of the `ek` inside it), that the public key validates, and that a test
/// encapsulation to the public key decapsulates to the same secret with the secret key.
pub struct RecipientSecret {
    x25519: Zeroizing<[u8; X25519_KEY_LEN]>,
    ml_kem: Zeroizing<Vec<u8>>,
    public: RecipientPublicKey,
}

impl RecipientSecret {
    /// A new recipient key, from the operating system's random generator.
    ///
    /// # Panics
    ///
    /// Only if the ML-KEM implementation fails to make a key or makes one that does not pass this module's own
    /// checks (a broken build, or no random source).
    pub fn generate() -> Self {
        let mut x25519 = Zeroizing::new([0u8; X25519_KEY_LEN]);
        OsRng.fill_bytes(&mut x25519[..]);
        let dk = DecapsulationKey::generate(&ML_KEM_768).expect("ML-KEM-768 key generation failed");
        let dk_bytes = Zeroizing::new(dk.key_bytes().expect("an ML-KEM-768 key has bytes").as_ref().to_vec());
        let secret = RecipientSecret::from_parts(x25519, dk_bytes).expect("a new ML-KEM-768 key passes the checks");
        // The public key taken out of `dk` by FIPS 203's layout is the one the implementation computes.
        let ek = dk.encapsulation_key().and_then(|ek| ek.key_bytes()).expect("a new key has its public key");
        assert_eq!(ek.as_ref(), &secret.public.ml_kem[..], "FIPS 203 dk layout");
        secret
    }

    /// The public key to hand out.
    pub fn public_key(&self) -> &RecipientPublicKey {
        &self.public
    }

    /// Builds a secret from its two parts, checking them (see the type's documentation).
    fn from_parts(
        x25519_secret: Zeroizing<[u8; X25519_KEY_LEN]>,
        ml_kem: Zeroizing<Vec<u8>>,
    ) -> Result<Self, CryptoError> {
        if ml_kem.len() != ML_KEM_768_SECRET_KEY_LEN {
            return Err(CryptoError::InvalidLength {
                what: "ML-KEM-768 secret key",
                expected: ML_KEM_768_SECRET_KEY_LEN,
                actual: ml_kem.len(),
            });
        }
        let ek = &ml_kem[DK_EK_START..DK_HASH_START];
        let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA3_256, ek);
        if hash.as_ref() != &ml_kem[DK_HASH_START..DK_HASH_START + 32] {
            return Err(CryptoError::key_file(
                "the ML-KEM-768 secret key fails FIPS 203's hash check (it was changed or is not a decapsulation key)",
            ));
        }
        let public =
            RecipientPublicKey { x25519: x25519(&x25519_secret, X25519_BASEPOINT.as_bytes()), ml_kem: ek.to_vec() };
        let encapsulation_key = public.encapsulation_key()?;
        let decapsulation_key = DecapsulationKey::new(&ML_KEM_768, &ml_kem)
            .map_err(|e| CryptoError::key_file(format!("the ML-KEM-768 secret key does not decode ({e})")))?;
        // A pairwise consistency test: a secret encapsulated to the public key comes back out of the secret key.
        let consistent = encapsulation_key.encapsulate().ok().and_then(|(ciphertext, shared)| {
            let again = decapsulation_key.decapsulate(Ciphertext::from(ciphertext.as_ref())).ok()?;
            Some(again.as_ref() == shared.as_ref())
        });
        if consistent != Some(true) {
            return Err(CryptoError::key_file("the ML-KEM-768 secret key does not open what its public key seals"));
        }
        Ok(RecipientSecret { x25519: x25519_secret, ml_kem, public })
    }

    /// The key file's JSON form (pretty-printed, trailing newline), in memory that is wiped when dropped.
    pub fn to_json(&self) -> Zeroizing<String> {
        let json = RecipientKeyFileJson {
            version: RECIPIENT_KEY_FILE_VERSION,
            x25519_secret: encode_base64(&self.x25519[..]),
            ml_kem_secret: encode_base64(&self.ml_kem),
            public_key: self.public.clone(),
        };
        // Reserved up front so that growing the buffer never leaves a copy of the secret behind.
        let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_RECIPIENT_KEY_FILE_BYTES));
        serde_json::to_writer_pretty(&mut *bytes, &json).expect("a recipient key file always serializes");
        bytes.push(b'\n');
        let text = String::from_utf8(std::mem::take(&mut *bytes)).expect("JSON is UTF-8");
        Zeroizing::new(text)
    }

    /// Parses and checks a key file's JSON form (see the type's documentation).
    pub fn from_json(text: &str) -> Result<Self, CryptoError> {
        if text.len() > MAX_RECIPIENT_KEY_FILE_BYTES {
            return Err(CryptoError::key_file(format!(
                "{} bytes is larger than the {MAX_RECIPIENT_KEY_FILE_BYTES}-byte limit of a recipient key file",
                text.len()
            )));
        }
        let json: RecipientKeyFileJson =
            serde_json::from_str(text).map_err(|e| CryptoError::key_file(format!("not a recipient key file ({e})")))?;
        if json.version != RECIPIENT_KEY_FILE_VERSION {
            return Err(CryptoError::key_file(format!(
                "recipient key file version {} is not supported; this program reads version \
                 {RECIPIENT_KEY_FILE_VERSION}",
                json.version
            )));
        }
        let x25519_bytes =
            Zeroizing::new(decode_base64_exact("recipient key's X25519 secret", &json.x25519_secret, X25519_KEY_LEN)?);
        let mut x25519_secret = Zeroizing::new([0u8; X25519_KEY_LEN]);
        x25519_secret.copy_from_slice(&x25519_bytes);
        let ml_kem = Zeroizing::new(decode_base64_exact(
            "recipient key's ML-KEM-768 secret",
            &json.ml_kem_secret,
            ML_KEM_768_SECRET_KEY_LEN,
        )?);
        let secret = RecipientSecret::from_parts(x25519_secret, ml_kem)?;
        if secret.public != json.public_key {
            return Err(CryptoError::key_file(format!(
                "the public key in the file ({}) is not the one its secrets make ({})",
                hex::encode(json.public_key.sha256()),
                hex::encode(secret.public.sha256())
            )));
        }
        Ok(secret)
    }

    /// Writes the key file to a new file at `path` with mode 0600, through a temporary file in the same directory
    /// that is flushed to disk and renamed into place; the file is read back and compared. An existing file is
    /// never overwritten.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CryptoError> {
        let path = path.as_ref();
        write_secret_file(path, self.to_json().as_bytes())?;
        let reloaded = RecipientSecret::load(path)?;
        if reloaded.x25519 != self.x25519 || reloaded.ml_kem != self.ml_kem {
            return Err(CryptoError::key_file(format!("{} did not read back as written", path.display())));
        }
        Ok(())
    }

    /// Reads and checks a key file (at most [`MAX_RECIPIENT_KEY_FILE_BYTES`] bytes).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CryptoError> {
        let path = path.as_ref();
        let bytes = read_secret_file(path, MAX_RECIPIENT_KEY_FILE_BYTES, "recipient key file")?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| CryptoError::key_file(format!("{} is not UTF-8", path.display())))?;
        RecipientSecret::from_json(text)
    }
}

impl std::fmt::Debug for RecipientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipientSecret")
            .field("public_key_sha256", &hex::encode(self.public.sha256()))
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientKeyFileJson {
    version: u32,
    x25519_secret: String,
    ml_kem_secret: String,
    public_key: RecipientPublicKey,
}

impl Drop for RecipientKeyFileJson {
    fn drop(&mut self) {
        self.x25519_secret.zeroize();
        self.ml_kem_secret.zeroize();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Sealing and opening.

/// A message sealed to a recipient key (see the module documentation for its JSON and borsh forms, which carry
/// the version [`HYBRID_SEAL_VERSION`]). Its `Debug` shows the lengths of the ciphertexts, not their bytes.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "HybridSealedJson", into = "HybridSealedJson")]
pub struct HybridSealed {
    /// The ephemeral X25519 public key `E`.
    pub x25519_ephemeral: [u8; X25519_KEY_LEN],
    /// The ML-KEM-768 ciphertext `ct_M` ([`ML_KEM_768_CIPHERTEXT_LEN`] bytes).
    pub ml_kem_ciphertext: Vec<u8>,
    /// The XChaCha20-Poly1305 nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The ciphertext with its 16-byte tag.
    pub ciphertext: Vec<u8>,
}

impl std::fmt::Debug for HybridSealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HybridSealed")
            .field("x25519_ephemeral", &hex::encode(self.x25519_ephemeral))
            .field("ml_kem_ciphertext_len", &self.ml_kem_ciphertext.len())
            .field("nonce", &hex::encode(self.nonce))
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

fn check_context(context: &[u8]) -> Result<(), CryptoError> {
    if context.len() > MAX_HYBRID_CONTEXT_BYTES {
        return Err(sealed_error(format!(
            "the context has {} bytes; at most {MAX_HYBRID_CONTEXT_BYTES} are allowed",
            context.len()
        )));
    }
    Ok(())
}

fn check_ml_kem_ciphertext_len(len: usize) -> Result<(), CryptoError> {
    if len != ML_KEM_768_CIPHERTEXT_LEN {
        return Err(sealed_error(format!(
            "the ML-KEM-768 ciphertext has {len} bytes; it must have exactly {ML_KEM_768_CIPHERTEXT_LEN} (was it \
             truncated or padded?)"
        )));
    }
    Ok(())
}

fn check_ciphertext_len(len: usize) -> Result<(), CryptoError> {
    if len < TAG_LEN {
        return Err(sealed_error("the ciphertext is shorter than its tag"));
    }
    if len > MAX_HYBRID_PLAINTEXT_BYTES + TAG_LEN {
        return Err(sealed_error(format!(
            "the ciphertext has {len} bytes, more than a {MAX_HYBRID_PLAINTEXT_BYTES}-byte message gives"
        )));
    }
    Ok(())
}

fn derive_key(
    ml_kem_shared: &[u8],
    x25519_shared: &[u8; 32],
    ephemeral: &[u8; 32],
    recipient: &[u8; 32],
    context: &[u8],
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    if ml_kem_shared.len() != ML_KEM_SHARED_SECRET_LEN {
        return Err(sealed_error("the ML-KEM-768 shared secret has the wrong length"));
    }
    let mut ikm = Zeroizing::new([0u8; 128]);
    ikm[..32].copy_from_slice(ml_kem_shared);
    ikm[32..64].copy_from_slice(x25519_shared);
    ikm[64..96].copy_from_slice(ephemeral);
    ikm[96..].copy_from_slice(recipient);
    let context_len = u32::try_from(context.len()).map_err(|_| sealed_error("the context is too long"))?;
    let info = [LABEL, &context_len.to_be_bytes(), context].concat();
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<sha2_010::Sha256>::new(None, &ikm[..])
        .expand(&info, &mut key[..])
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Ok(key)
}

fn associated_data(context: &[u8]) -> Vec<u8> {
    [LABEL, &[0], context].concat()
}

/// Seals `plaintext` to `recipient` under `context` (what the message is for; the same bytes must be given to
/// [`open_hybrid`]). Refuses a recipient key that does not [validate](RecipientPublicKey::validate), a message
/// over [`MAX_HYBRID_PLAINTEXT_BYTES`] and a context over [`MAX_HYBRID_CONTEXT_BYTES`].
pub fn seal_hybrid(
    recipient: &RecipientPublicKey,
    context: &[u8],
    plaintext: &[u8],
) -> Result<HybridSealed, CryptoError> {
    check_context(context)?;
    if plaintext.len() > MAX_HYBRID_PLAINTEXT_BYTES {
        return Err(sealed_error(format!(
            "the message has {} bytes; at most {MAX_HYBRID_PLAINTEXT_BYTES} are sealed",
            plaintext.len()
        )));
    }
    let encapsulation_key = recipient.encapsulation_key()?;
    let (ml_kem_ciphertext, ml_kem_shared) =
        encapsulation_key.encapsulate().map_err(|_| sealed_error("ML-KEM-768 encapsulation failed"))?;
    check_ml_kem_ciphertext_len(ml_kem_ciphertext.as_ref().len())?;

    let mut ephemeral_secret = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(&mut ephemeral_secret[..]);
    let x25519_ephemeral = x25519(&ephemeral_secret, X25519_BASEPOINT.as_bytes());
    let x25519_shared = Zeroizing::new(x25519(&ephemeral_secret, &recipient.x25519));
    if is_all_zero(&x25519_shared[..]) {
        // Not reachable for a validated key, but the rule costs nothing to keep here.
        return Err(key_error("the X25519 key is of low order"));
    }

    let key = derive_key(ml_kem_shared.as_ref(), &x25519_shared, &x25519_ephemeral, &recipient.x25519, context)?;
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ciphertext = XChaCha20Poly1305::new((&*key).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: &associated_data(context) })
        .map_err(|_| sealed_error("encryption failed"))?;
    assert_eq!(ciphertext.len(), plaintext.len() + TAG_LEN);
    Ok(HybridSealed { x25519_ephemeral, ml_kem_ciphertext: ml_kem_ciphertext.as_ref().to_vec(), nonce, ciphertext })
}

/// Opens a message sealed to `secret`'s public key under `context`. A wrong recipient key, another context and a
/// modified message give the same error; an ML-KEM ciphertext or a ciphertext of the wrong length and an
/// ephemeral key of low order are refused by name.
pub fn open_hybrid(
    secret: &RecipientSecret,
    context: &[u8],
    sealed: &HybridSealed,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_context(context)?;
    check_ml_kem_ciphertext_len(sealed.ml_kem_ciphertext.len())?;
    check_ciphertext_len(sealed.ciphertext.len())?;
    let x25519_shared = Zeroizing::new(x25519(&secret.x25519, &sealed.x25519_ephemeral));
    if is_all_zero(&x25519_shared[..]) {
        return Err(sealed_error(
            "the ephemeral X25519 key is of low order (the identity or a torsion point); the message was forged",
        ));
    }
    let decapsulation_key = DecapsulationKey::new(&ML_KEM_768, &secret.ml_kem)
        .map_err(|e| sealed_error(format!("the ML-KEM-768 secret key does not decode ({e})")))?;
    let ml_kem_shared = decapsulation_key
        .decapsulate(Ciphertext::from(&sealed.ml_kem_ciphertext[..]))
        .map_err(|_| sealed_error("ML-KEM-768 decapsulation failed"))?;
    let key =
        derive_key(ml_kem_shared.as_ref(), &x25519_shared, &sealed.x25519_ephemeral, &secret.public.x25519, context)?;
    XChaCha20Poly1305::new((&*key).into())
        .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &associated_data(context) })
        .map(Zeroizing::new)
        .map_err(|_| {
            sealed_error(format!(
                "it does not open with recipient key {} for this context: it was sealed to another key or for another \
                 use, or it was changed",
                hex::encode(secret.public.sha256())
            ))
        })
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HybridSealedJson {
    version: u32,
    x25519_ephemeral: String,
    ml_kem_ciphertext: String,
    nonce: String,
    ciphertext: String,
}

impl From<HybridSealed> for HybridSealedJson {
    fn from(sealed: HybridSealed) -> Self {
        HybridSealedJson {
            version: HYBRID_SEAL_VERSION,
            x25519_ephemeral: encode_base64(&sealed.x25519_ephemeral),
            ml_kem_ciphertext: encode_base64(&sealed.ml_kem_ciphertext),
            nonce: encode_base64(&sealed.nonce),
            ciphertext: encode_base64(&sealed.ciphertext),
        }
    }
}

fn check_version(version: u32) -> Result<(), CryptoError> {
    if version != HYBRID_SEAL_VERSION {
        return Err(sealed_error(format!(
            "hybrid sealed message version {version} is not supported; this program reads version \
             {HYBRID_SEAL_VERSION}"
        )));
    }
    Ok(())
}

impl TryFrom<HybridSealedJson> for HybridSealed {
    type Error = CryptoError;

    fn try_from(json: HybridSealedJson) -> Result<Self, CryptoError> {
        check_version(json.version)?;
        let x25519_ephemeral =
            decode_base64_exact("sealed message's X25519 ephemeral key", &json.x25519_ephemeral, X25519_KEY_LEN)?;
        let ml_kem_ciphertext = decode_base64_exact(
            "sealed message's ML-KEM-768 ciphertext",
            &json.ml_kem_ciphertext,
            ML_KEM_768_CIPHERTEXT_LEN,
        )?;
        let nonce = decode_base64_exact("sealed message's nonce", &json.nonce, NONCE_LEN)?;
        let ciphertext = decode_base64_bounded(
            "sealed message's ciphertext",
            &json.ciphertext,
            MAX_HYBRID_PLAINTEXT_BYTES + TAG_LEN,
        )?;
        check_ciphertext_len(ciphertext.len())?;
        Ok(HybridSealed {
            x25519_ephemeral: x25519_ephemeral.try_into().expect("length checked"),
            ml_kem_ciphertext,
            nonce: nonce.try_into().expect("length checked"),
            ciphertext,
        })
    }
}

impl BorshSerialize for HybridSealed {
    fn serialize<W: Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        BorshSerialize::serialize(&HYBRID_SEAL_VERSION, writer)?;
        writer.write_all(&self.x25519_ephemeral)?;
        write_len_prefixed(writer, &self.ml_kem_ciphertext)?;
        writer.write_all(&self.nonce)?;
        write_len_prefixed(writer, &self.ciphertext)
    }
}

impl BorshDeserialize for HybridSealed {
    fn deserialize_reader<R: Read>(reader: &mut R) -> borsh::io::Result<Self> {
        check_version(u32::deserialize_reader(reader)?).map_err(invalid_data)?;
        let x25519_ephemeral = <[u8; X25519_KEY_LEN]>::deserialize_reader(reader)?;
        let ml_kem_ciphertext = read_len_prefixed(
            reader,
            ML_KEM_768_CIPHERTEXT_LEN,
            ML_KEM_768_CIPHERTEXT_LEN,
            "sealed message's ML-KEM-768 ciphertext",
        )?;
        let nonce = <[u8; NONCE_LEN]>::deserialize_reader(reader)?;
        let ciphertext =
            read_len_prefixed(reader, TAG_LEN, MAX_HYBRID_PLAINTEXT_BYTES + TAG_LEN, "sealed message's ciphertext")?;
        Ok(HybridSealed { x25519_ephemeral, ml_kem_ciphertext, nonce, ciphertext })
    }
}
