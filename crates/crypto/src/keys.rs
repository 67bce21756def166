//! Hybrid public keys, key pairs and addresses.

use aws_lc_rs::signature::{KeyPair as _, PqdsaKeyPair, ML_DSA_65_SIGNING};
use rand_core::{OsRng, RngCore};
use zeroize::{Zeroize, Zeroizing};

use crate::components::{Ed25519PublicKey, MlDsa65PublicKey};
use crate::error::CryptoError;
use crate::signature::Signature;
use crate::{
    sha256_concat, ADDRESS_LEN, ED25519_PUBLIC_KEY_LEN, ED25519_SIGNATURE_LEN, ML_DSA_65_PUBLIC_KEY_LEN,
    ML_DSA_65_SIGNATURE_LEN, PUBLIC_KEY_LEN,
};

/// Length of the secret-key encoding produced by [`Keypair::to_secret_bytes`]: the 32-byte FIPS 204 ML-DSA-65 seed
/// `ξ` followed by the 32-byte RFC 8032 Ed25519 secret key.
pub const SECRET_KEY_LEN: usize = 64;

/// Domain tag for the address hash.
const ADDRESS_DOMAIN: &[u8] = b"publica/address/v1";
/// Domain tags for deriving the two component secrets from one seed in [`Keypair::from_seed`].
const SEED_DOMAIN_ML_DSA: &[u8] = b"publica/keygen/v1/ml-dsa-65";
const SEED_DOMAIN_ED25519: &[u8] = b"publica/keygen/v1/ed25519";

/// A hybrid public key: an ML-DSA-65 public key and an Ed25519 public key.
///
/// Both halves are validated when the key is built, so a `PublicKey` value is always usable for verification.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    ml_dsa: MlDsa65PublicKey,
    ed25519: Ed25519PublicKey,
}

impl PublicKey {
    /// Builds a hybrid key from its two already-validated halves.
    pub fn from_components(ml_dsa: MlDsa65PublicKey, ed25519: Ed25519PublicKey) -> Self {
        PublicKey { ml_dsa, ed25519 }
    }

    /// Decodes `ML-DSA-65 public key (1952 bytes) || Ed25519 public key (32 bytes)`.
    ///
    /// Rejects any other length, an ML-DSA key the FIPS 204 decoder refuses, and Ed25519 keys that are not a
    /// canonical encoding of a point of large order (see [`Ed25519PublicKey`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != PUBLIC_KEY_LEN {
            return Err(CryptoError::InvalidLength {
                what: "hybrid public key",
                expected: PUBLIC_KEY_LEN,
                actual: bytes.len(),
            });
        }
        let (ml_dsa, ed25519) = bytes.split_at(ML_DSA_65_PUBLIC_KEY_LEN);
        let ed25519: &[u8; ED25519_PUBLIC_KEY_LEN] = ed25519.try_into().expect("length checked above");
        Ok(PublicKey { ml_dsa: MlDsa65PublicKey::from_bytes(ml_dsa)?, ed25519: Ed25519PublicKey::from_bytes(ed25519)? })
    }

    /// Encodes the key as `ML-DSA-65 public key || Ed25519 public key` ([`PUBLIC_KEY_LEN`] bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PUBLIC_KEY_LEN);
        out.extend_from_slice(self.ml_dsa.as_bytes());
        out.extend_from_slice(self.ed25519.as_bytes());
        debug_assert_eq!(out.len(), PUBLIC_KEY_LEN);
        out
    }

    /// The raw FIPS 204 ML-DSA-65 public key (1952 bytes).
    pub fn ml_dsa_bytes(&self) -> &[u8] {
        self.ml_dsa.as_bytes()
    }

    /// The raw RFC 8032 Ed25519 public key.
    pub fn ed25519_bytes(&self) -> &[u8; ED25519_PUBLIC_KEY_LEN] {
        self.ed25519.as_bytes()
    }

    /// The ML-DSA-65 half.
    pub fn ml_dsa(&self) -> &MlDsa65PublicKey {
        &self.ml_dsa
    }

    /// The Ed25519 half.
    pub fn ed25519(&self) -> &Ed25519PublicKey {
        &self.ed25519
    }

    /// The account address: the first 20 bytes of `SHA-256("publica/address/v1" || 0x00 || to_bytes())`.
    pub fn address(&self) -> Address {
        address_of(&[self.ml_dsa.as_bytes(), self.ed25519.as_bytes()])
    }

    /// Verifies a hybrid signature over `message` (normally the output of [`crate::signing_message`]).
    ///
    /// Both halves must verify. The ML-DSA-65 half is checked first; the error names the half that failed.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), CryptoError> {
        self.ml_dsa.verify(message, signature.ml_dsa_bytes())?;
        self.ed25519.verify(message, signature.ed25519_bytes())
    }
}

/// The address of a key given as the parts of its encoding.
fn address_of(parts: &[&[u8]]) -> Address {
    let mut all: Vec<&[u8]> = vec![ADDRESS_DOMAIN, &[0x00]];
    all.extend_from_slice(parts);
    let digest = sha256_concat(&all);
    let mut address = [0u8; ADDRESS_LEN];
    address.copy_from_slice(&digest[..ADDRESS_LEN]);
    Address(address)
}

/// A hybrid public key kept as its raw encoding and parsed only when a signature has to be checked.
///
/// Parsing a [`PublicKey`] (ML-DSA-65 key decoding and an Ed25519 point decompression) costs about 15 µs. Keys
/// that a node stores in its own state were validated as [`PublicKey`]s when first written, so reading them back
/// needs no parse; [`PublicKeyBytes::parse`] validates fully when a signature must actually be verified. The
/// encodings (borsh: the raw 1984 bytes; serde: padded base64) are the same as [`PublicKey`]'s.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKeyBytes(Box<[u8; PUBLIC_KEY_LEN]>);

impl PublicKeyBytes {
    /// Wrap raw bytes without validating them; only [`PublicKeyBytes::parse`] validates.
    pub fn from_raw(bytes: [u8; PUBLIC_KEY_LEN]) -> Self {
        PublicKeyBytes(Box::new(bytes))
    }

    /// The raw encoding.
    pub fn as_bytes(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.0
    }

    /// The address, computed from the bytes alone (same as [`PublicKey::address`]).
    pub fn address(&self) -> Address {
        address_of(&[&self.0[..]])
    }

    /// Parse and validate the key.
    pub fn parse(&self) -> Result<PublicKey, CryptoError> {
        PublicKey::from_bytes(&self.0[..])
    }
}

impl From<&PublicKey> for PublicKeyBytes {
    fn from(key: &PublicKey) -> Self {
        let mut raw = [0u8; PUBLIC_KEY_LEN];
        raw[..ML_DSA_65_PUBLIC_KEY_LEN].copy_from_slice(key.ml_dsa_bytes());
        raw[ML_DSA_65_PUBLIC_KEY_LEN..].copy_from_slice(key.ed25519_bytes());
        PublicKeyBytes(Box::new(raw))
    }
}

impl PartialEq<PublicKey> for PublicKeyBytes {
    fn eq(&self, other: &PublicKey) -> bool {
        self.0[..ML_DSA_65_PUBLIC_KEY_LEN] == *other.ml_dsa_bytes()
            && self.0[ML_DSA_65_PUBLIC_KEY_LEN..] == other.ed25519_bytes()[..]
    }
}

impl std::fmt::Debug for PublicKeyBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKeyBytes({})", self.address())
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The full key is 1984 bytes; the address identifies it in logs.
        write!(f, "PublicKey({})", self.address())
    }
}

/// A hybrid secret key: an ML-DSA-65 key pair and an Ed25519 signing key, with the matching [`PublicKey`].
///
/// Secrets are never printed: `Debug` shows only the address. The seed copies held here are zeroized on drop; the
/// ML-DSA expanded key lives inside AWS-LC, which cleanses key memory when it frees it, and the Ed25519 signing key
/// (seed, scalar and nonce prefix) is zeroized on drop too.
pub struct Keypair {
    ml_dsa: PqdsaKeyPair,
    ml_dsa_seed: Zeroizing<[u8; 32]>,
    ed25519_seed: Zeroizing<[u8; 32]>,
    ed25519: ed25519_zebra::SigningKey,
    public: PublicKey,
}

impl Keypair {
    /// Generates a fresh key pair from operating-system randomness.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes; no key should be made without them.
    pub fn generate() -> Self {
        let mut secret = Zeroizing::new([0u8; SECRET_KEY_LEN]);
        OsRng.fill_bytes(&mut secret[..]);
        Self::from_secret_bytes(&secret[..]).expect("a 64-byte secret always makes a valid key pair")
    }

    /// Derives a key pair deterministically from a 32-byte seed.
    ///
    /// ML-DSA seed `ξ = SHA-256("publica/keygen/v1/ml-dsa-65" || 0x00 || seed)` and
    /// Ed25519 secret `= SHA-256("publica/keygen/v1/ed25519" || 0x00 || seed)`. Used for tests, development
    /// networks and reproducible fixtures; production keys come from [`Keypair::generate`].
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let ml_dsa_seed = Zeroizing::new(sha256_concat(&[SEED_DOMAIN_ML_DSA, &[0x00], seed]));
        let ed25519_seed = Zeroizing::new(sha256_concat(&[SEED_DOMAIN_ED25519, &[0x00], seed]));
        Self::from_component_secrets(&ml_dsa_seed, &ed25519_seed)
    }

    /// Rebuilds a key pair from the [`SECRET_KEY_LEN`]-byte encoding of [`Keypair::to_secret_bytes`].
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != SECRET_KEY_LEN {
            return Err(CryptoError::InvalidLength {
                what: "secret key",
                expected: SECRET_KEY_LEN,
                actual: bytes.len(),
            });
        }
        let mut ml_dsa_seed = Zeroizing::new([0u8; 32]);
        let mut ed25519_seed = Zeroizing::new([0u8; 32]);
        ml_dsa_seed.copy_from_slice(&bytes[..32]);
        ed25519_seed.copy_from_slice(&bytes[32..]);
        Ok(Self::from_component_secrets(&ml_dsa_seed, &ed25519_seed))
    }

    fn from_component_secrets(ml_dsa_seed: &[u8; 32], ed25519_seed: &[u8; 32]) -> Self {
        // Key generation from a 32-byte seed cannot fail for ML-DSA (FIPS 204 KeyGen_internal accepts every seed)
        // nor for Ed25519 (every 32-byte string is a secret key), so failures here are library faults.
        let ml_dsa = PqdsaKeyPair::from_seed(&ML_DSA_65_SIGNING, ml_dsa_seed)
            .expect("ML-DSA-65 key generation from a 32-byte seed failed inside AWS-LC");
        let ed25519 = ed25519_zebra::SigningKey::from(*ed25519_seed);
        let ml_dsa_public = MlDsa65PublicKey::from_bytes(ml_dsa.public_key().as_ref())
            .expect("AWS-LC produced an ML-DSA-65 public key it cannot parse");
        // A key derived from a secret scalar is a canonical point of large order, so it always passes the key rule;
        // going through the normal constructor keeps that an asserted fact rather than an assumption.
        let ed25519_public = Ed25519PublicKey::from_bytes(&ed25519_zebra::VerificationKeyBytes::from(&ed25519).into())
            .expect("an Ed25519 key derived from a secret is always a valid public key");
        Keypair {
            ml_dsa,
            ml_dsa_seed: Zeroizing::new(*ml_dsa_seed),
            ed25519_seed: Zeroizing::new(*ed25519_seed),
            ed25519,
            public: PublicKey { ml_dsa: ml_dsa_public, ed25519: ed25519_public },
        }
    }

    /// The two component secrets (ML-DSA-65 seed, Ed25519 secret), for deriving other keys from this one.
    pub(crate) fn component_secrets(&self) -> (&[u8; 32], &[u8; 32]) {
        (&self.ml_dsa_seed, &self.ed25519_seed)
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The address of the public key.
    pub fn address(&self) -> Address {
        self.public.address()
    }

    /// Signs `message` exactly as given with both halves (normally the output of [`crate::signing_message`]).
    ///
    /// ML-DSA-65 signing is hedged (fresh randomness mixed in, FIPS 204 default), so two signatures of the same
    /// message differ in their ML-DSA half; Ed25519 signing is deterministic.
    ///
    /// # Panics
    /// If AWS-LC fails to sign, which only happens on an internal fault (e.g. no randomness).
    pub fn sign(&self, message: &[u8]) -> Signature {
        let mut ml_dsa = Box::new([0u8; ML_DSA_65_SIGNATURE_LEN]);
        let written = self.ml_dsa.sign(message, &mut ml_dsa[..]).expect("ML-DSA-65 signing failed inside AWS-LC");
        assert_eq!(written, ML_DSA_65_SIGNATURE_LEN, "ML-DSA-65 signature has an unexpected length");
        let ed25519 = self.ed25519.sign(message).to_bytes();
        Signature::from_parts(ml_dsa, ed25519)
    }

    /// Signs `message` with the ML-DSA-65 half alone (FIPS 204 pure mode, empty context, hedged), for formats that
    /// sign each half over its own input (JOSE's `ML-DSA-65`). Verifies under [`MlDsa65PublicKey::verify`].
    ///
    /// # Panics
    /// If AWS-LC fails to sign, which only happens on an internal fault (e.g. no randomness).
    pub fn sign_ml_dsa_65(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0u8; ML_DSA_65_SIGNATURE_LEN];
        let written = self.ml_dsa.sign(message, &mut signature[..]).expect("ML-DSA-65 signing failed inside AWS-LC");
        assert_eq!(written, ML_DSA_65_SIGNATURE_LEN, "ML-DSA-65 signature has an unexpected length");
        signature
    }

    /// Signs `message` with the Ed25519 half alone (RFC 8032, deterministic), for formats that sign each half over
    /// its own input (JOSE's `EdDSA`). Verifies under [`Ed25519PublicKey::verify`].
    pub fn sign_ed25519(&self, message: &[u8]) -> [u8; ED25519_SIGNATURE_LEN] {
        self.ed25519.sign(message).to_bytes()
    }

    /// The secret key as `ML-DSA-65 seed ξ (32 bytes) || Ed25519 secret key (32 bytes)`, zeroized when dropped.
    pub fn to_secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(SECRET_KEY_LEN));
        out.extend_from_slice(&self.ml_dsa_seed[..]);
        out.extend_from_slice(&self.ed25519_seed[..]);
        out
    }
}

impl Drop for Keypair {
    fn drop(&mut self) {
        self.ed25519.zeroize();
    }
}

impl std::fmt::Debug for Keypair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keypair({}, secret redacted)", self.address())
    }
}

/// A 20-byte account address derived from a [`PublicKey`] (see [`PublicKey::address`]).
///
/// Text form: 40 lowercase hex digits (parsing also accepts upper case, but nothing else: no `0x` prefix).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(pub [u8; ADDRESS_LEN]);

impl Address {
    /// The sender of transactions that no account signs: ballots, which their credential's signature inside
    /// authenticates. Every byte is zero; an account's address is the start of a SHA-256 of its key, so finding a
    /// key with this address is a preimage search.
    pub const ANONYMOUS: Address = Address([0; ADDRESS_LEN]);

    /// The raw 20 bytes.
    pub fn as_bytes(&self) -> &[u8; ADDRESS_LEN] {
        &self.0
    }

    /// Decodes an address from exactly 20 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let raw: [u8; ADDRESS_LEN] = bytes.try_into().map_err(|_| CryptoError::InvalidLength {
            what: "address",
            expected: ADDRESS_LEN,
            actual: bytes.len(),
        })?;
        Ok(Address(raw))
    }
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Address({self})")
    }
}

impl std::str::FromStr for Address {
    type Err = CryptoError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.len() != 2 * ADDRESS_LEN {
            return Err(CryptoError::encoding(
                "address",
                format!("expected {} hex digits, got {} characters", 2 * ADDRESS_LEN, text.len()),
            ));
        }
        let mut raw = [0u8; ADDRESS_LEN];
        hex::decode_to_slice(text, &mut raw).map_err(|e| CryptoError::encoding("address", e))?;
        Ok(Address(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_seed_is_deterministic_and_seed_sensitive() {
        let a = Keypair::from_seed(&[7; 32]);
        let b = Keypair::from_seed(&[7; 32]);
        let c = Keypair::from_seed(&[8; 32]);
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(a.to_secret_bytes(), b.to_secret_bytes());
        assert_ne!(a.public_key(), c.public_key());
        // The two halves come from different derivations of the seed.
        assert_ne!(&a.to_secret_bytes()[..32], &a.to_secret_bytes()[32..]);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let kp = Keypair::from_seed(&[1; 32]);
        let shown = format!("{kp:?}");
        let secret = kp.to_secret_bytes();
        assert!(!shown.contains(&hex::encode(&secret[..32])));
        assert!(!shown.contains(&hex::encode(&secret[32..])));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn address_text_round_trip() {
        let address = Keypair::from_seed(&[2; 32]).address();
        let text = address.to_string();
        assert_eq!(text.len(), 40);
        assert_eq!(text, text.to_lowercase());
        assert_eq!(text.parse::<Address>().unwrap(), address);
        assert_eq!(text.to_uppercase().parse::<Address>().unwrap(), address);
        assert!(format!("0x{}", &text[2..]).parse::<Address>().is_err());
        assert!(text[..38].parse::<Address>().is_err());
    }
}
