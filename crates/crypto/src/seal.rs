//! Sealed messages: a small message encrypted to an account's public key, which only the holder of the key pair
//! opens (an election's credential letter to a citizen, a trustee's secrets in its key file).
//!
//! A Publica key has no encryption key of its own, so the Ed25519 half serves as an X25519 key (RFC 7748), the
//! conversion libsodium and age use:
//!
//! - the recipient's X25519 public key is the Montgomery `u` of its Ed25519 point, `u = (1 + y) / (1 - y)`;
//! - its X25519 secret is the Ed25519 secret scalar: the first 32 bytes of SHA-512 of the Ed25519 secret key
//!   (RFC 8032 §5.1.5), clamped; so `X25519(secret, 9)` is the recipient's `u`, which the tests check.
//!
//! Sealing, for a recipient `R` (its `u`), a context string `C` and a message `M`:
//!
//! ```text
//! e      = 32 random bytes (clamped by X25519), a new one for every message
//! E      = X25519(e, 9)                                  the ephemeral public key
//! Z      = X25519(e, R)                                  refused when all zero (R of low order)
//! key    = HKDF-SHA256(salt = none, ikm = Z || E || R, info = "publica/seal/v1"), 32 bytes
//! nonce  = 24 random bytes
//! sealed = XChaCha20-Poly1305(key, nonce, M, aad = "publica/seal/v1" || 0x00 || C)
//! ```
//!
//! Opening computes `Z = X25519(secret, E)`, refuses an all-zero `Z` (an ephemeral key of low order), derives the
//! same key and decrypts; a wrong key pair, a different context or any changed byte fails authentication. The
//! context names what the message is for (a chain, an election, a voter), so a sealed message cannot be moved to
//! another use and still open.
//!
//! **The secrecy is classical, not post-quantum**: X25519 falls to a quantum computer able to run Shor's algorithm,
//! which could then open messages recorded today. Signatures of Publica are hybrid (ML-DSA-65 stands if Ed25519
//! falls); sealed messages have no such second half. Seal only what may become readable in that future, or what
//! stops mattering before it (an election's credential stops mattering once the election is decided).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek_ng::constants::X25519_BASEPOINT;
use curve25519_dalek_ng::edwards::CompressedEdwardsY;
use curve25519_dalek_ng::montgomery::MontgomeryPoint;
use curve25519_dalek_ng::scalar::Scalar;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use zeroize::{Zeroize, Zeroizing};

use crate::error::CryptoError;
use crate::keys::{Keypair, PublicKey};

/// Version of the sealing scheme written and read here.
pub const SEAL_VERSION: u32 = 1;
/// Domain label of the key derivation and of the associated data.
const LABEL: &[u8] = b"publica/seal/v1";
/// Largest message [`seal`] encrypts: sealed messages are small (a credential, a few secrets).
pub const MAX_SEALED_PLAINTEXT_BYTES: usize = 64 * 1024;
/// Longest context string.
pub const MAX_CONTEXT_BYTES: usize = 1024;
/// Length of the Poly1305 tag that ends every ciphertext.
const TAG_LEN: usize = 16;
/// Length of an XChaCha20 nonce.
const NONCE_LEN: usize = 24;

/// A sealed message. Its JSON form is
/// `{"version":1,"ephemeral":"<base64, 32 bytes>","nonce":"<base64, 24 bytes>","ciphertext":"<base64>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SealedJson", into = "SealedJson")]
pub struct Sealed {
    /// The ephemeral X25519 public key `E`.
    pub ephemeral: [u8; 32],
    /// The XChaCha20-Poly1305 nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The ciphertext with its 16-byte tag.
    pub ciphertext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedJson {
    version: u32,
    ephemeral: String,
    nonce: String,
    ciphertext: String,
}

impl From<Sealed> for SealedJson {
    fn from(sealed: Sealed) -> Self {
        SealedJson {
            version: SEAL_VERSION,
            ephemeral: crate::encoding::encode_base64(&sealed.ephemeral),
            nonce: crate::encoding::encode_base64(&sealed.nonce),
            ciphertext: crate::encoding::encode_base64(&sealed.ciphertext),
        }
    }
}

impl TryFrom<SealedJson> for Sealed {
    type Error = CryptoError;

    fn try_from(json: SealedJson) -> Result<Self, CryptoError> {
        use base64::Engine as _;
        if json.version != SEAL_VERSION {
            return Err(CryptoError::Sealed {
                reason: format!("version {} is not supported; this program reads version {SEAL_VERSION}", json.version),
            });
        }
        let ephemeral = crate::encoding::decode_base64_exact("sealed message's ephemeral key", &json.ephemeral, 32)?;
        let nonce = crate::encoding::decode_base64_exact("sealed message's nonce", &json.nonce, NONCE_LEN)?;
        // The length is bounded before decoding: base64 takes 4 characters per 3 bytes.
        let most = (MAX_SEALED_PLAINTEXT_BYTES + TAG_LEN).div_ceil(3) * 4;
        if json.ciphertext.len() > most {
            return Err(CryptoError::Sealed {
                reason: format!("the ciphertext has {} base64 characters, more than {most}", json.ciphertext.len()),
            });
        }
        let ciphertext = base64::engine::general_purpose::STANDARD
            .decode(&json.ciphertext)
            .map_err(|e| CryptoError::encoding("sealed message's ciphertext", e))?;
        if ciphertext.len() < TAG_LEN {
            return Err(CryptoError::Sealed { reason: "the ciphertext is shorter than its tag".into() });
        }
        Ok(Sealed {
            ephemeral: ephemeral.try_into().expect("length checked"),
            nonce: nonce.try_into().expect("length checked"),
            ciphertext,
        })
    }
}

/// X25519 (RFC 7748 §5): the scalar `k` clamped, times the Montgomery point `u`.
pub fn x25519(k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let mut clamped = Zeroizing::new(*k);
    clamped[0] &= 248;
    clamped[31] &= 127;
    clamped[31] |= 64;
    let mut scalar = Scalar::from_bits(*clamped);
    let out = (MontgomeryPoint(*u) * scalar).to_bytes();
    scalar.zeroize();
    out
}

/// The X25519 public key of `key`: the Montgomery `u` of its Ed25519 point. The point was checked to be of large
/// order when the key was parsed.
pub fn x25519_public_key(key: &PublicKey) -> [u8; 32] {
    CompressedEdwardsY(*key.ed25519_bytes())
        .decompress()
        .expect("an Ed25519 public key was checked to be a point when parsed")
        .to_montgomery()
        .to_bytes()
}

/// The X25519 secret of `keypair`: its Ed25519 secret scalar, the first half of SHA-512 of the Ed25519 secret key,
/// clamped (RFC 8032 §5.1.5); wiped when dropped.
pub fn x25519_secret_key(keypair: &Keypair) -> Zeroizing<[u8; 32]> {
    let (_, ed25519) = keypair.component_secrets();
    let mut digest: [u8; 64] = sha2::Sha512::digest(ed25519).into();
    let mut secret = Zeroizing::new([0u8; 32]);
    secret.copy_from_slice(&digest[..32]);
    digest.zeroize();
    secret[0] &= 248;
    secret[31] &= 127;
    secret[31] |= 64;
    secret
}

fn derive_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut ikm = Zeroizing::new([0u8; 96]);
    ikm[..32].copy_from_slice(shared);
    ikm[32..64].copy_from_slice(ephemeral);
    ikm[64..].copy_from_slice(recipient);
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<sha2_010::Sha256>::new(None, &ikm[..])
        .expand(LABEL, &mut key[..])
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

fn associated_data(context: &[u8]) -> Vec<u8> {
    [LABEL, &[0], context].concat()
}

fn check_context(context: &[u8]) -> Result<(), CryptoError> {
    if context.len() > MAX_CONTEXT_BYTES {
        return Err(CryptoError::Sealed {
            reason: format!("the context has {} bytes; at most {MAX_CONTEXT_BYTES} are allowed", context.len()),
        });
    }
    Ok(())
}

/// Seal `message` to `recipient` under `context` (what the message is for; the same bytes must be given to
/// [`open`]). Refuses a message over [`MAX_SEALED_PLAINTEXT_BYTES`] and a context over [`MAX_CONTEXT_BYTES`].
pub fn seal(recipient: &PublicKey, context: &[u8], message: &[u8]) -> Result<Sealed, CryptoError> {
    check_context(context)?;
    if message.len() > MAX_SEALED_PLAINTEXT_BYTES {
        return Err(CryptoError::Sealed {
            reason: format!("the message has {} bytes; at most {MAX_SEALED_PLAINTEXT_BYTES} are sealed", message.len()),
        });
    }
    let recipient = x25519_public_key(recipient);
    let mut secret = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(&mut secret[..]);
    let ephemeral = x25519(&secret, X25519_BASEPOINT.as_bytes());
    let shared = Zeroizing::new(x25519(&secret, &recipient));
    if shared.iter().all(|&b| b == 0) {
        // Not reachable for a parsed key (its point has large order), but the rule costs nothing to keep here.
        return Err(CryptoError::Sealed { reason: "the recipient's key is of low order".into() });
    }
    let key = derive_key(&shared, &ephemeral, &recipient);
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let ciphertext = XChaCha20Poly1305::new((&*key).into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: message, aad: &associated_data(context) })
        .map_err(|_| CryptoError::Sealed { reason: "encryption failed".into() })?;
    assert_eq!(ciphertext.len(), message.len() + TAG_LEN);
    Ok(Sealed { ephemeral, nonce, ciphertext })
}

/// Open a message sealed to `keypair`'s public key under `context`. A wrong key pair, another context and a
/// modified message give the same error; an ephemeral key of low order is refused by name.
pub fn open(keypair: &Keypair, context: &[u8], sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    check_context(context)?;
    let secret = x25519_secret_key(keypair);
    let shared = Zeroizing::new(x25519(&secret, &sealed.ephemeral));
    if shared.iter().all(|&b| b == 0) {
        return Err(CryptoError::Sealed {
            reason: "the ephemeral key is of low order (the identity or a torsion point); the message was forged"
                .into(),
        });
    }
    let recipient = x25519_public_key(keypair.public_key());
    let key = derive_key(&shared, &sealed.ephemeral, &recipient);
    XChaCha20Poly1305::new((&*key).into())
        .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &associated_data(context) })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::Sealed {
            reason: format!(
                "it does not open with the key of {} for this context: it was sealed to another key or for another \
                 use, or it was changed",
                keypair.address()
            ),
        })
}
