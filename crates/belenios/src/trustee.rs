//! Trustees of a Belenios 2.0 election: Single keys, the Pedersen distributed key generation, the `trustees`
//! record and the election public key.
//!
//! Notation: `Hq(P, [x1..xn])` is `SHA-256(P ‖ dec(x1) ‖ "," ‖ … ‖ "," ‖ dec(xn))` read as a big-endian integer
//! and reduced mod q; `dec(x)` is the decimal form of x without leading zeros. G is `BELENIOS-2048`.
//!
//! # Single trustee
//!
//! A key x uniform in [0, q), X = g^x, and its proof of knowledge, `trustee_public_key`:
//! `{"pok":{"challenge":c,"response":t},"public_key":X[,"name":…]}` with w random, A = g^w,
//! `c = Hq("pok|BELENIOS-2048|" ‖ dec(X) ‖ "|", [A])` (the hashed text is `pok|BELENIOS-2048|<X>|<A>`),
//! `t = w − x·c mod q`. Verification recomputes `A' = g^t · X^c` and checks `c = Hq(…, [A'])`, with X a group
//! member and c, t below q. belenios-tool's files: `ID.pubkey` is that JSON and a newline, `ID.privkey` the
//! JSON string `"dec(x)"` and a newline, and ID the first 8 hex digits, upper case, of SHA-256(dec(X)).
//!
//! # Pedersen trustees (threshold)
//!
//! Each trustee draws a seed of 22 base58 characters and derives `sk = SHA-256("sk|" ‖ seed)` (signing) and
//! `dk = SHA-256("dk|" ‖ seed)` (decryption), both read big-endian mod q, with `vk = g^sk`, `ek = g^dk`.
//!
//! * signed_msg `{"message":M,"signature":{"challenge":c,"response":t}}`: w random, A = g^w,
//!   `c = Hq("sigmsg|" ‖ M ‖ "|", [A])`, `t = w − sk·c mod q`; verified with `A' = g^t · vk^c`.
//! * encrypted_msg `{"alpha":α,"beta":β,"data":hex}` of M to ek: r, s random, α = g^r, K = g^s, β = ek^r · K,
//!   `key = SHA-256("key|" ‖ dec(K))`, `iv = SHA-256("iv|" ‖ dec(α))`, data = AES-256-CCM(key, nonce = the
//!   first 15 − L bytes of iv, M, no associated data, 8-byte tag) with L the length-field size (2 below 64 KiB).
//!   The recipient recovers K = β · α^(−dk).
//! * channel send(sk_from, ek_to, M) = the encrypted_msg to ek_to of the signed_msg by sk_from of
//!   `{"recipient":dec(ek_to),"message":M}`, each serialised canonically. The receiver decrypts, checks the
//!   signature with the sender's vk and that the recipient is its own ek.
//!
//! The key generation, for n trustees and a threshold of t+1 (the number of trustees needed to decrypt):
//!
//! 1. cert = signed_msg(sk, `{"verification":dec(vk),"encryption":dec(ek)}`). The certs, in the order they
//!    are given, number the trustees 1..n.
//! 2. The certs are checked (each signature with the vk inside its own message).
//! 3. Trustee i draws f_i(x) = a_i0 + … + a_it x^t over Z_q and publishes
//!    `{"polynomial":send(sk_i, ek_i, {"polynomial":[a_i0…a_it]}),"secrets":[send(sk_i, ek_j, {"secret":f_i(j)})
//!    for j = 1..n],"coefexps":signed_msg(sk_i, {"coefexps":[g^a_i0 … g^a_it]})}`.
//! 4. Trustee j receives vinput_j `{"polynomial":P_j.polynomial,"secrets":[P_1.secrets[j]…P_n.secrets[j]],
//!    "coefexps":[P_1.coefexps…P_n.coefexps]}`.
//! 5. Trustee j checks every coefexps signature and every secret: `g^s_ij = Π_k A_ik^(j^k)`; its share is
//!    `S_j = Σ_i s_ij mod q`, and it answers voutput `{"private_key":send(sk_j, ek_j, {"decryption_key":S_j}),
//!    "public_key":trustee_public_key(S_j)}`. belenios-tool writes f_i(j) and S_j without reducing them mod q
//!    (its sample shares exceed 2^256), so received values of any size are reduced here; this crate sends them
//!    reduced, which the tool accepts.
//! 6. threshold_parameters `{"threshold":t+1,"certs":[…],"coefexps":[…],"verification_keys":[voutput
//!    public keys…]}`, accepted when every signature and proof verifies, every coefexps has t+1 elements and
//!    `vk_j = Π_i Π_k A_ik^(j^k)` is the public key of verification key j.
//!
//! # The trustees record and the election key
//!
//! `[["Single",trustee_public_key]…,["Pedersen",threshold_parameters]…]`. The election public key is
//! `y = Π y_item`: a Single item's X, a Pedersen item's `Π_i A_i0`. Trustees are numbered from 1 across the
//! items in order (a Single takes one number, a Pedersen item one per verification key); a partial
//! decryption's `owner` is that number.
//!
//! Secret exponents (keys, shares, nonces, coefficients) only ever go through the constant-time
//! exponentiations and are zeroized when dropped.

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::arith::Scalar;
use crate::ccm;
use crate::error::BeleniosError;
use crate::group::{self, g, g_table, multi_exp, Elem, GROUP_NAME};
use crate::json::{self, Json, Limits};
use crate::proof::{hash_to_scalar, Proof};

/// Limits on trustee JSON documents: a threshold record of a few hundred trustees fits.
pub const TRUSTEE_JSON_LIMITS: Limits = Limits { max_bytes: 16 << 20, max_depth: 16 };
/// The most Pedersen trustees in one item, and the most coefficients in a polynomial. Checking an item costs
/// about n·t membership tests, so the bound keeps a hostile record to a few seconds of work; real elections
/// have a handful of trustees.
pub const MAX_PEDERSEN_TRUSTEES: usize = 64;
/// The most items in a trustees record.
pub const MAX_TRUSTEE_ITEMS: usize = 64;
/// The length of a Pedersen seed.
pub const SEED_CHARS: usize = 22;
/// The base58 alphabet of seeds.
const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// The CCM tag length Belenios uses.
const CCM_TAG_BYTES: usize = 8;

/// Why a trustee's message or key was refused; each check has its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrusteeError {
    /// The JSON, a number or a group element is not acceptable.
    #[error(transparent)]
    Format(#[from] BeleniosError),
    /// `what` is not in canonical form.
    #[error("{what} is not in canonical form")]
    NotCanonical {
        /// What was checked.
        what: &'static str,
    },
    /// The proof of knowledge of `what` does not verify.
    #[error("the proof of knowledge of {what} does not verify")]
    BadPok {
        /// What was checked.
        what: String,
    },
    /// The signature of certificate `index` does not verify with the key in it.
    #[error("the signature of certificate {index} does not verify with the key in it")]
    BadCertSignature {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// The coefexps of trustee `index` are not signed by its certificate's key.
    #[error("the coefexps of trustee {index} are not signed by its certificate's key")]
    BadCoefexpsSignature {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// Trustee `index` published `found` coefexps, the threshold is `expected`.
    #[error("trustee {index} published {found} coefexps, the threshold is {expected}")]
    CoefexpsCount {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
        /// What was expected.
        expected: usize,
        /// What was found.
        found: usize,
    },
    /// `what`: `found`, expected `expected`.
    #[error("{what}: {found}, expected {expected}")]
    WrongCount {
        /// What was checked.
        what: &'static str,
        /// What was expected.
        expected: usize,
        /// What was found.
        found: usize,
    },
    /// Threshold `threshold` is not between 1 and the number of trustees `trustees`.
    #[error("threshold {threshold} is not between 1 and the number of trustees {trustees}")]
    BadThreshold {
        /// The threshold.
        threshold: usize,
        /// The number of trustees.
        trustees: usize,
    },
    /// Verification key `index` is not the one the coefexps give (vk_j mismatch).
    #[error("verification key {index} is not the one the coefexps give (vk_j mismatch)")]
    VerificationKeyMismatch {
        /// Its position (entries from 0, trustees from 1).
        index: usize,
    },
    /// The secret from trustee `from` does not match its coefexps.
    #[error("the secret from trustee {from} does not match its coefexps")]
    SecretMismatch {
        /// The sending trustee, from 1.
        from: usize,
    },
    /// Seed is not `SEED_CHARS` base58 characters.
    #[error("seed is not {SEED_CHARS} base58 characters")]
    BadSeed,
    /// This trustee's certificate is not among the certificates.
    #[error("this trustee's certificate is not among the certificates")]
    UnknownCertificate,
    /// `what`: decryption failed (`detail`).
    #[error("{what}: decryption failed ({detail})")]
    Decryption {
        /// What was checked.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// `what`: the channel message is not signed by the expected sender.
    #[error("{what}: the channel message is not signed by the expected sender")]
    ChannelSignature {
        /// What was checked.
        what: &'static str,
    },
    /// `what`: the channel message is addressed to another trustee.
    #[error("{what}: the channel message is addressed to another trustee")]
    WrongRecipient {
        /// What was checked.
        what: &'static str,
    },
    /// The decrypted decryption key does not match the public key.
    #[error("the decrypted decryption key does not match the public key")]
    DecryptionKeyMismatch,
    /// Unknown trustee kind …: Single or Pedersen.
    #[error("unknown trustee kind {0:?}: Single or Pedersen")]
    UnknownKind(String),
    /// The trustees record has no trustee.
    #[error("the trustees record has no trustee")]
    NoTrustee,
}

/// Shorthand for a shape error.
fn malformed(what: &'static str, detail: impl Into<String>) -> TrusteeError {
    TrusteeError::Format(BeleniosError::Malformed { what, detail: detail.into() })
}

// ---------------------------------------------------------------------------------------------------------------
// Hashes and proofs.

/// SHA-256.
fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Parses `{"challenge":dec,"response":dec}`, each scalar below q.
pub fn parse_proof(j: &Json) -> Result<Proof, TrusteeError> {
    let fields = object(j, "proof", &["challenge", "response"])?;
    Ok(Proof {
        challenge: group::parse_scalar(string(fields[0], "proof")?, "proof challenge")?,
        response: group::parse_scalar(string(fields[1], "proof")?, "proof response")?,
    })
}

/// The response `w − x·c mod q` of a Schnorr-style proof with nonce w, secret x and challenge c; shared by the
/// pok, the signed messages and the partial decryptions. Scalar arithmetic is constant-time.
pub(crate) fn schnorr_respond(w: &Scalar, x: &Scalar, challenge: &Scalar) -> Scalar {
    w.sub(&x.mul(challenge))
}

/// The pok prefix `pok|BELENIOS-2048|<X>|`.
fn pok_prefix(public: &Elem) -> String {
    format!("pok|{GROUP_NAME}|{}|", public.to_decimal())
}

/// The proof of knowledge of `x`, with `X = g^x`.
pub fn prove_key<R: RngCore + CryptoRng>(x: &Scalar, public: &Elem, rng: &mut R) -> Proof {
    let w = Zeroizing::new(Scalar::random(rng));
    let a = g_table().pow_secret(&w);
    let challenge = hash_to_scalar(&pok_prefix(public), &[a]);
    Proof { challenge, response: schnorr_respond(&w, x, &challenge) }
}

/// Checks a proof of knowledge of log_g(X). X must already be a group member.
pub fn verify_key_proof(public: &Elem, proof: &Proof) -> bool {
    let a = multi_exp(&[(&g(), &proof.response), (public, &proof.challenge)]);
    hash_to_scalar(&pok_prefix(public), &[a]) == proof.challenge
}

// ---------------------------------------------------------------------------------------------------------------
// Reading JSON: exact key lists, strings, canonical input.

/// The values of an object that must have exactly `keys`, in that order.
fn object<'a>(j: &'a Json, what: &'static str, keys: &[&str]) -> Result<Vec<&'a Json>, TrusteeError> {
    let fields = j.as_object().ok_or_else(|| malformed(what, "not an object"))?;
    if fields.len() != keys.len() || fields.iter().zip(keys).any(|((k, _), e)| k != e) {
        return Err(malformed(what, format!("the keys must be exactly {keys:?}")));
    }
    Ok(fields.iter().map(|(_, v)| v).collect())
}

fn string<'a>(j: &'a Json, what: &'static str) -> Result<&'a str, TrusteeError> {
    j.as_str().ok_or_else(|| malformed(what, "expected a string"))
}

fn array<'a>(j: &'a Json, what: &'static str) -> Result<&'a [Json], TrusteeError> {
    j.as_array().ok_or_else(|| malformed(what, "expected an array"))
}

/// Parses `bytes` and requires them to be the canonical serialisation of what they parse to.
fn parse_canonical(bytes: &[u8], what: &'static str) -> Result<Json, TrusteeError> {
    let j = json::parse(bytes, TRUSTEE_JSON_LIMITS)?;
    if j.to_bytes() != bytes {
        return Err(TrusteeError::NotCanonical { what });
    }
    Ok(j)
}

fn elem_json(x: &Elem) -> Json {
    Json::str(x.to_decimal())
}

// ---------------------------------------------------------------------------------------------------------------
// Single trustees.

/// A trustee's private key (a Single trustee's x, or a Pedersen trustee's share S_j); zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(Scalar);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// A uniformly random key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> SecretKey {
        SecretKey(Scalar::random(rng))
    }

    /// Wraps a scalar (moved in; the caller's copy should be zeroized).
    pub fn from_scalar(x: Scalar) -> SecretKey {
        SecretKey(x)
    }

    /// The exponent, for the constant-time operations of this crate.
    pub(crate) fn scalar(&self) -> &Scalar {
        &self.0
    }

    /// g^x, computed in constant time.
    pub fn public(&self) -> Elem {
        g_table().pow_secret(&self.0)
    }

    /// belenios-tool's `.privkey` file: the JSON string `"dec(x)"` and a newline (the newline is optional).
    pub fn from_tool_file(bytes: &[u8]) -> Result<SecretKey, TrusteeError> {
        let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let j = parse_canonical(text, "private key file")?;
        let digits = Zeroizing::new(string(&j, "private key file")?.to_string());
        Ok(SecretKey(group::parse_scalar(&digits, "private key")?))
    }

    /// The `.privkey` file form.
    pub fn to_tool_file(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(format!("\"{}\"\n", self.0.to_decimal()).into_bytes())
    }
}

/// `trustee_public_key`: a public key with its proof of knowledge, and an optional name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrusteePublicKey {
    /// The proof of knowledge of the secret key.
    pub pok: Proof,
    /// X = g^x.
    pub public_key: Elem,
    /// An optional name, for people only.
    pub name: Option<String>,
}

impl TrusteePublicKey {
    /// The public key of `secret` with a fresh proof.
    pub fn new<R: RngCore + CryptoRng>(secret: &SecretKey, rng: &mut R) -> TrusteePublicKey {
        let public_key = secret.public();
        TrusteePublicKey { pok: prove_key(secret.scalar(), &public_key, rng), public_key, name: None }
    }

    /// `{"pok":…,"public_key":…[,"name":…]}`.
    pub fn to_json(&self) -> Json {
        let mut fields = vec![("pok".into(), self.pok.to_json()), ("public_key".into(), elem_json(&self.public_key))];
        if let Some(name) = &self.name {
            fields.push(("name".into(), Json::str(name.clone())));
        }
        Json::Object(fields)
    }

    /// Parses it and checks that the key is a group member (the proof is checked by [`Self::verify`]).
    pub fn from_json(j: &Json) -> Result<TrusteePublicKey, TrusteeError> {
        let fields = j.as_object().ok_or_else(|| malformed("trustee public key", "not an object"))?;
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        if keys != ["pok", "public_key"] && keys != ["pok", "public_key", "name"] {
            return Err(malformed("trustee public key", "the keys must be pok, public_key and an optional name"));
        }
        let name = match fields.get(2) {
            Some((_, n)) => Some(string(n, "trustee name")?.to_string()),
            None => None,
        };
        Ok(TrusteePublicKey {
            pok: parse_proof(&fields[0].1)?,
            public_key: Elem::parse_member(string(&fields[1].1, "trustee public key")?, "trustee public key")?,
            name,
        })
    }

    /// Checks the proof of knowledge; `what` names the key in the error.
    pub fn verify(&self, what: &str) -> Result<(), TrusteeError> {
        if !verify_key_proof(&self.public_key, &self.pok) {
            return Err(TrusteeError::BadPok { what: what.to_string() });
        }
        Ok(())
    }

    /// belenios-tool's `.pubkey` file: the canonical JSON and a newline (optional); proof checked.
    pub fn from_tool_file(bytes: &[u8]) -> Result<TrusteePublicKey, TrusteeError> {
        let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let key = TrusteePublicKey::from_json(&parse_canonical(text, "public key file")?)?;
        key.verify("the public key file")?;
        Ok(key)
    }

    /// belenios-tool's file id: the first 8 hex digits, upper case, of SHA-256(dec(X)).
    pub fn tool_id(&self) -> String {
        hex_upper(&sha256(self.public_key.to_decimal().as_bytes())[..4])
    }
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let nibble = |b: u8| if b.is_ascii_digit() { b - b'0' } else { b - b'a' + 10 };
    Some(text.as_bytes().chunks(2).map(|c| (nibble(c[0]) << 4) | nibble(c[1])).collect())
}

// ---------------------------------------------------------------------------------------------------------------
// Pedersen: seeds, keys, signed and encrypted messages, channels.

/// A Pedersen trustee's seed: 22 base58 characters; zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Seed(String);

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seed(..)")
    }
}

impl Seed {
    /// Parses a seed (belenios-tool's `.key` file, with or without its newline).
    pub fn parse(text: &str) -> Result<Seed, TrusteeError> {
        let text = text.strip_suffix('\n').unwrap_or(text);
        if text.len() != SEED_CHARS || !text.bytes().all(|b| BASE58.contains(&b)) {
            return Err(TrusteeError::BadSeed);
        }
        Ok(Seed(text.to_string()))
    }

    /// A random seed: each character uniform over the alphabet (rejection sampling of bytes below 232).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Seed {
        let mut out = String::with_capacity(SEED_CHARS);
        while out.len() < SEED_CHARS {
            let mut b = [0u8; 1];
            rng.fill_bytes(&mut b);
            if b[0] < 232 {
                out.push(char::from(BASE58[usize::from(b[0] % 58)]));
            }
            b.zeroize();
        }
        Seed(out)
    }

    /// The seed's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The keys derived from the seed.
    pub fn keys(&self) -> PkiKeys {
        let derive = |label: &str| {
            let mut input = Zeroizing::new(label.as_bytes().to_vec());
            input.extend_from_slice(self.0.as_bytes());
            let mut digest = sha256(&input);
            let x = Scalar::from_hash(&digest);
            digest.zeroize();
            x
        };
        let sk = derive("sk|");
        let dk = derive("dk|");
        let vk = g_table().pow_secret(&sk);
        let ek = g_table().pow_secret(&dk);
        PkiKeys { sk, dk, vk, ek }
    }
}

/// A Pedersen trustee's signing and decryption keys; the secrets are zeroized on drop.
pub struct PkiKeys {
    sk: Scalar,
    dk: Scalar,
    /// The verification key g^sk.
    pub vk: Elem,
    /// The encryption key g^dk.
    pub ek: Elem,
}

impl Drop for PkiKeys {
    fn drop(&mut self) {
        self.sk.zeroize();
        self.dk.zeroize();
    }
}

impl std::fmt::Debug for PkiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PkiKeys").field("vk", &self.vk).field("ek", &self.ek).finish_non_exhaustive()
    }
}

/// `signed_msg`: a message string and a signature by a verification key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMsg {
    /// The signed message (a JSON document in a string).
    pub message: String,
    /// The signature by the sender's verification key.
    pub signature: Proof,
}

impl SignedMsg {
    /// Signs `message` with `sk`.
    fn sign<R: RngCore + CryptoRng>(sk: &Scalar, message: String, rng: &mut R) -> SignedMsg {
        let w = Zeroizing::new(Scalar::random(rng));
        let a = g_table().pow_secret(&w);
        let challenge = hash_to_scalar(&format!("sigmsg|{message}|"), &[a]);
        SignedMsg { message, signature: Proof { challenge, response: schnorr_respond(&w, sk, &challenge) } }
    }

    /// Whether the signature verifies with `vk`.
    pub fn verify(&self, vk: &Elem) -> bool {
        let a = multi_exp(&[(&g(), &self.signature.response), (vk, &self.signature.challenge)]);
        hash_to_scalar(&format!("sigmsg|{}|", self.message), &[a]) == self.signature.challenge
    }

    /// `{"message":…,"signature":…}`.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("message".into(), Json::str(self.message.clone())),
            ("signature".into(), self.signature.to_json()),
        ])
    }

    /// Parses the JSON form.
    pub fn from_json(j: &Json) -> Result<SignedMsg, TrusteeError> {
        let f = object(j, "signed message", &["message", "signature"])?;
        Ok(SignedMsg { message: string(f[0], "signed message")?.to_string(), signature: parse_proof(f[1])? })
    }

    /// The message parsed as canonical JSON.
    fn inner(&self, what: &'static str) -> Result<Json, TrusteeError> {
        parse_canonical(self.message.as_bytes(), what)
    }
}

/// `encrypted_msg`: ElGamal-wrapped AES-256-CCM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedMsg {
    /// α = g^r.
    pub alpha: Elem,
    /// β = ek^r · K.
    pub beta: Elem,
    /// The CCM ciphertext and its 8-byte tag.
    pub data: Vec<u8>,
}

/// The AES key and the CCM nonce from K and α.
fn ccm_key_nonce(k: &Elem, alpha: &Elem, message_len: usize) -> (Zeroizing<[u8; 32]>, Vec<u8>) {
    let key = Zeroizing::new(sha256(format!("key|{}", k.to_decimal()).as_bytes()));
    let iv = sha256(format!("iv|{}", alpha.to_decimal()).as_bytes());
    let nonce_len = 15 - ccm::belenios_length_bytes(message_len);
    (key, iv[..nonce_len].to_vec())
}

impl EncryptedMsg {
    /// Encrypts `message` to `ek`.
    pub fn encrypt<R: RngCore + CryptoRng>(ek: &Elem, message: &[u8], rng: &mut R) -> EncryptedMsg {
        let r = Zeroizing::new(Scalar::random(rng));
        let s = Zeroizing::new(Scalar::random(rng));
        let alpha = g_table().pow_secret(&r);
        let k = g_table().pow_secret(&s);
        let beta = ek.pow_secret(&r).mul(&k);
        let (key, nonce) = ccm_key_nonce(&k, &alpha, message.len());
        let data = ccm::encrypt_aes256(&key, &nonce, message, CCM_TAG_BYTES)
            .expect("a 13-, 12- or 11-byte nonce and an 8-byte tag are valid CCM parameters");
        EncryptedMsg { alpha, beta, data }
    }

    /// Decrypts with `dk`: K = β · α^(−dk).
    pub fn decrypt(&self, dk: &Scalar, what: &'static str) -> Result<Zeroizing<Vec<u8>>, TrusteeError> {
        let neg = Zeroizing::new(dk.neg());
        let k = self.beta.mul(&self.alpha.pow_secret(&neg));
        let message_len = self.data.len().saturating_sub(CCM_TAG_BYTES);
        let (key, nonce) = ccm_key_nonce(&k, &self.alpha, message_len);
        ccm::decrypt_aes256(&key, &nonce, &self.data, CCM_TAG_BYTES)
            .map(Zeroizing::new)
            .map_err(|e| TrusteeError::Decryption { what, detail: e.to_string() })
    }

    /// `{"alpha":…,"beta":…,"data":hex}`.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("alpha".into(), elem_json(&self.alpha)),
            ("beta".into(), elem_json(&self.beta)),
            ("data".into(), Json::str(crate::archive::to_hex(&self.data))),
        ])
    }

    /// Parses the JSON form.
    pub fn from_json(j: &Json) -> Result<EncryptedMsg, TrusteeError> {
        let f = object(j, "encrypted message", &["alpha", "beta", "data"])?;
        Ok(EncryptedMsg {
            alpha: Elem::parse_member(string(f[0], "encrypted message")?, "encrypted message alpha")?,
            beta: Elem::parse_member(string(f[1], "encrypted message")?, "encrypted message beta")?,
            data: parse_hex(string(f[2], "encrypted message")?)
                .ok_or_else(|| malformed("encrypted message", "data is not lowercase hex"))?,
        })
    }
}

/// Sends `message` from the holder of `keys` to the trustee with encryption key `ek_to`.
pub fn channel_send<R: RngCore + CryptoRng>(keys: &PkiKeys, ek_to: &Elem, message: &str, rng: &mut R) -> String {
    let inner = Json::Object(vec![("recipient".into(), elem_json(ek_to)), ("message".into(), Json::str(message))]);
    let inner = String::from_utf8(inner.to_bytes()).expect("canonical JSON of strings is UTF-8");
    let signed = Zeroizing::new(SignedMsg::sign(&keys.sk, inner, rng).to_json().to_bytes());
    let sealed = EncryptedMsg::encrypt(ek_to, &signed, rng);
    String::from_utf8(sealed.to_json().to_bytes()).expect("ASCII")
}

/// Receives a channel message sent by the trustee with verification key `vk_from` to the holder of `keys`.
pub fn channel_receive(
    keys: &PkiKeys,
    vk_from: &Elem,
    sealed: &str,
    what: &'static str,
) -> Result<Zeroizing<String>, TrusteeError> {
    let enc = EncryptedMsg::from_json(&parse_canonical(sealed.as_bytes(), what)?)?;
    let plain = enc.decrypt(&keys.dk, what)?;
    let signed = SignedMsg::from_json(&parse_canonical(&plain, what)?)?;
    if !signed.verify(vk_from) {
        return Err(TrusteeError::ChannelSignature { what });
    }
    let inner = signed.inner(what)?;
    let f = object(&inner, what, &["recipient", "message"])?;
    let recipient = Elem::parse_member(string(f[0], what)?, "channel recipient")?;
    if recipient != keys.ek {
        return Err(TrusteeError::WrongRecipient { what });
    }
    Ok(Zeroizing::new(string(f[1], what)?.to_string()))
}

// ---------------------------------------------------------------------------------------------------------------
// The Pedersen key generation.

/// The keys a certificate announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertKeys {
    /// vk, which checks the trustee's signatures.
    pub verification: Elem,
    /// ek, to which other trustees encrypt.
    pub encryption: Elem,
}

/// Step 1: the certificate of the trustee holding `seed`.
pub fn make_cert<R: RngCore + CryptoRng>(seed: &Seed, rng: &mut R) -> SignedMsg {
    let keys = seed.keys();
    let message =
        Json::Object(vec![("verification".into(), elem_json(&keys.vk)), ("encryption".into(), elem_json(&keys.ek))]);
    SignedMsg::sign(&keys.sk, String::from_utf8(message.to_bytes()).expect("ASCII"), rng)
}

/// belenios-tool's name for a certificate file: the hex SHA-256 of its message.
pub fn cert_id(cert: &SignedMsg) -> String {
    crate::archive::to_hex(&sha256(cert.message.as_bytes()))
}

/// Step 2: checks certificate `index` (from 1) and returns the keys it announces.
pub fn verify_cert(cert: &SignedMsg, index: usize) -> Result<CertKeys, TrusteeError> {
    let inner = cert.inner("certificate message")?;
    let f = object(&inner, "certificate message", &["verification", "encryption"])?;
    let keys = CertKeys {
        verification: Elem::parse_member(string(f[0], "certificate")?, "certificate verification key")?,
        encryption: Elem::parse_member(string(f[1], "certificate")?, "certificate encryption key")?,
    };
    if !cert.verify(&keys.verification) {
        return Err(TrusteeError::BadCertSignature { index });
    }
    Ok(keys)
}

/// Checks every certificate (numbered from 1 in the given order).
pub fn verify_certs(certs: &[SignedMsg]) -> Result<Vec<CertKeys>, TrusteeError> {
    if certs.is_empty() || certs.len() > MAX_PEDERSEN_TRUSTEES {
        return Err(TrusteeError::WrongCount {
            what: "number of certificates",
            expected: MAX_PEDERSEN_TRUSTEES,
            found: certs.len(),
        });
    }
    certs.iter().enumerate().map(|(i, c)| verify_cert(c, i + 1)).collect()
}

/// The 1-based index of the holder of `keys` among the certificates.
fn own_index(keys: &PkiKeys, certs: &[CertKeys]) -> Result<usize, TrusteeError> {
    certs
        .iter()
        .position(|c| c.verification == keys.vk && c.encryption == keys.ek)
        .map(|i| i + 1)
        .ok_or(TrusteeError::UnknownCertificate)
}

/// A trustee's step-3 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolynomialMsg {
    /// The polynomial's coefficients, sent to the trustee itself.
    pub polynomial: String,
    /// `f_i(j)` sent to each trustee j.
    pub secrets: Vec<String>,
    /// The signed `{"coefexps":[g^a_i0…]}`.
    pub coefexps: SignedMsg,
}

impl PolynomialMsg {
    /// The JSON form.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("polynomial".into(), Json::str(self.polynomial.clone())),
            ("secrets".into(), Json::Array(self.secrets.iter().map(|s| Json::str(s.clone())).collect())),
            ("coefexps".into(), self.coefexps.to_json()),
        ])
    }

    /// Parses the JSON form.
    pub fn from_json(j: &Json) -> Result<PolynomialMsg, TrusteeError> {
        let f = object(j, "polynomial", &["polynomial", "secrets", "coefexps"])?;
        Ok(PolynomialMsg {
            polynomial: string(f[0], "polynomial")?.to_string(),
            secrets: array(f[1], "polynomial secrets")?
                .iter()
                .map(|s| string(s, "polynomial secret").map(str::to_string))
                .collect::<Result<_, _>>()?,
            coefexps: SignedMsg::from_json(f[2])?,
        })
    }
}

/// Evaluates `coefficients` (a_0 first) at `x` by Horner's rule, in constant time (no branch on values).
fn evaluate(coefficients: &[Scalar], x: u64) -> Scalar {
    let x = Scalar::from_u64(x);
    let mut acc = Scalar::ZERO;
    for a in coefficients.iter().rev() {
        acc = acc.mul(&x).add(a);
    }
    acc
}

/// Step 3: the polynomial message of the trustee holding `seed`, for `threshold` = t+1 coefficients.
pub fn make_polynomial<R: RngCore + CryptoRng>(
    seed: &Seed,
    certs: &[SignedMsg],
    threshold: usize,
    rng: &mut R,
) -> Result<PolynomialMsg, TrusteeError> {
    let cert_keys = verify_certs(certs)?;
    let n = cert_keys.len();
    if threshold == 0 || threshold > n {
        return Err(TrusteeError::BadThreshold { threshold, trustees: n });
    }
    let keys = seed.keys();
    own_index(&keys, &cert_keys)?;
    let coefficients: Zeroizing<Vec<Scalar>> = Zeroizing::new((0..threshold).map(|_| Scalar::random(rng)).collect());
    let polynomial = Zeroizing::new(
        String::from_utf8(
            Json::Object(vec![(
                "polynomial".into(),
                Json::Array(coefficients.iter().map(|a| Json::str(a.to_decimal())).collect()),
            )])
            .to_bytes(),
        )
        .expect("ASCII"),
    );
    let polynomial = channel_send(&keys, &keys.ek, &polynomial, rng);
    let secrets = cert_keys
        .iter()
        .enumerate()
        .map(|(j, c)| {
            let mut s = evaluate(&coefficients, j as u64 + 1);
            let message = Zeroizing::new(format!("{{\"secret\":\"{}\"}}", s.to_decimal()));
            s.zeroize();
            channel_send(&keys, &c.encryption, &message, rng)
        })
        .collect();
    let coefexps = Json::Object(vec![(
        "coefexps".into(),
        Json::Array(coefficients.iter().map(|a| elem_json(&g_table().pow_secret(a))).collect()),
    )]);
    let coefexps = SignedMsg::sign(&keys.sk, String::from_utf8(coefexps.to_bytes()).expect("ASCII"), rng);
    Ok(PolynomialMsg { polynomial, secrets, coefexps })
}

/// Checks coefexps `index` (from 1) against its certificate and returns the elements A_i0..A_it.
pub fn verify_coefexps(coefexps: &SignedMsg, cert: &CertKeys, index: usize) -> Result<Vec<Elem>, TrusteeError> {
    if !coefexps.verify(&cert.verification) {
        return Err(TrusteeError::BadCoefexpsSignature { index });
    }
    let inner = coefexps.inner("coefexps message")?;
    let f = object(&inner, "coefexps message", &["coefexps"])?;
    let items = array(f[0], "coefexps")?;
    if items.is_empty() || items.len() > MAX_PEDERSEN_TRUSTEES {
        return Err(malformed("coefexps", format!("between 1 and {MAX_PEDERSEN_TRUSTEES} elements")));
    }
    items.iter().map(|a| Ok(Elem::parse_member(string(a, "coefexps")?, "coefexps element")?)).collect()
}

/// The most digits of a secret value sent between trustees (far above any value the protocol produces).
const MAX_SECRET_DIGITS: usize = 1000;

/// Reads a non-negative decimal integer of any size (canonical: no sign, no leading zero) reduced mod q.
///
/// belenios-tool sends `f_i(j)` and `S_j` without reducing them mod q (a sample share was above 2^256), so a
/// received secret is reduced here. The digits are folded in with constant-time scalar operations, since they
/// are secret.
fn reduce_decimal(text: &str, what: &'static str) -> Result<Scalar, TrusteeError> {
    let canonical = !text.is_empty()
        && text.len() <= MAX_SECRET_DIGITS
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text.len() == 1 || !text.starts_with('0'));
    if !canonical {
        return Err(malformed(what, "not a canonical decimal number"));
    }
    let ten = Scalar::from_u64(10);
    let mut acc = Scalar::ZERO;
    for b in text.bytes() {
        acc = acc.mul(&ten).add(&Scalar::from_u64(u64::from(b - b'0')));
    }
    Ok(acc)
}

/// `Π_k A_k^(j^k)`: the commitment to f(j) from coefexps A_0..A_t, by Horner's rule in the exponent,
/// `((A_t^j · A_(t−1))^j · …)^j · A_0`, so that each step raises to the small public number j.
fn commitment_at(coefexps: &[Elem], j: u64) -> Elem {
    let mut acc = Elem::ONE;
    for a in coefexps.iter().rev() {
        acc = pow_small(&acc, j).mul(a);
    }
    acc
}

/// `x^e` for a small public e, by square and multiply over its bits only.
fn pow_small(x: &Elem, e: u64) -> Elem {
    let mut acc = Elem::ONE;
    for bit in (0..64 - e.leading_zeros()).rev() {
        acc = acc.sqr();
        if (e >> bit) & 1 == 1 {
            acc = acc.mul(x);
        }
    }
    acc
}

/// `C_k = Π_i A_ik`: the coefexps of the sum of all polynomials, from which `vk_j = Π_k C_k^(j^k)`.
fn sum_coefexps(all: &[Vec<Elem>]) -> Vec<Elem> {
    let t = all.iter().map(Vec::len).max().unwrap_or(0);
    (0..t).map(|k| all.iter().filter_map(|a| a.get(k)).fold(Elem::ONE, |acc, x| acc.mul(x))).collect()
}

/// What the server checks of trustee `index`'s (from 1) step-3 message before routing it: the coefexps signed
/// by its certificate's key, `threshold` of them, and one secret for every trustee. The secrets themselves are
/// encrypted; each recipient checks its own in step 5.
pub fn verify_polynomial(
    polynomial: &PolynomialMsg,
    certs: &[CertKeys],
    index: usize,
    threshold: usize,
) -> Result<Vec<Elem>, TrusteeError> {
    let cert = certs.get(index.wrapping_sub(1)).ok_or(TrusteeError::UnknownCertificate)?;
    let a = verify_coefexps(&polynomial.coefexps, cert, index)?;
    if a.len() != threshold {
        return Err(TrusteeError::CoefexpsCount { index, expected: threshold, found: a.len() });
    }
    if polynomial.secrets.len() != certs.len() {
        return Err(TrusteeError::WrongCount {
            what: "secrets in a polynomial",
            expected: certs.len(),
            found: polynomial.secrets.len(),
        });
    }
    Ok(a)
}

/// What the server checks of trustee `index`'s (from 1) step-5 answer: the proof of its public key, and that
/// the key is `vk_j = Π_i Π_k A_ik^(j^k)` from everyone's coefexps (`coefexps[i]` = A_i0..A_it, verified).
pub fn verify_voutput(voutput: &Voutput, coefexps: &[Vec<Elem>], index: usize) -> Result<(), TrusteeError> {
    voutput.public_key.verify(&format!("verification key {index}"))?;
    let expected = commitment_at(&sum_coefexps(coefexps), index as u64);
    if expected != voutput.public_key.public_key {
        return Err(TrusteeError::VerificationKeyMismatch { index });
    }
    Ok(())
}

/// Step 4: routes the polynomial messages into one vinput per trustee.
pub fn route_vinputs(polynomials: &[PolynomialMsg]) -> Result<Vec<Vinput>, TrusteeError> {
    let n = polynomials.len();
    for p in polynomials {
        if p.secrets.len() != n {
            return Err(TrusteeError::WrongCount {
                what: "secrets in a polynomial",
                expected: n,
                found: p.secrets.len(),
            });
        }
    }
    Ok((0..n)
        .map(|j| Vinput {
            polynomial: polynomials[j].polynomial.clone(),
            secrets: polynomials.iter().map(|p| p.secrets[j].clone()).collect(),
            coefexps: polynomials.iter().map(|p| p.coefexps.clone()).collect(),
        })
        .collect())
}

/// What trustee j receives in step 4.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vinput {
    /// The trustee's own polynomial, sent to itself.
    pub polynomial: String,
    /// The secrets sent to this trustee, one from each trustee in order.
    pub secrets: Vec<String>,
    /// Every trustee's signed coefexps, in order.
    pub coefexps: Vec<SignedMsg>,
}

impl Vinput {
    /// The JSON form.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("polynomial".into(), Json::str(self.polynomial.clone())),
            ("secrets".into(), Json::Array(self.secrets.iter().map(|s| Json::str(s.clone())).collect())),
            ("coefexps".into(), Json::Array(self.coefexps.iter().map(SignedMsg::to_json).collect())),
        ])
    }

    /// Parses the JSON form.
    pub fn from_json(j: &Json) -> Result<Vinput, TrusteeError> {
        let f = object(j, "vinput", &["polynomial", "secrets", "coefexps"])?;
        Ok(Vinput {
            polynomial: string(f[0], "vinput")?.to_string(),
            secrets: array(f[1], "vinput secrets")?
                .iter()
                .map(|s| string(s, "vinput secret").map(str::to_string))
                .collect::<Result<_, _>>()?,
            coefexps: array(f[2], "vinput coefexps")?.iter().map(SignedMsg::from_json).collect::<Result<_, _>>()?,
        })
    }
}

/// What trustee j answers in step 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voutput {
    /// `{"decryption_key":S_j}` sent to itself.
    pub private_key: String,
    /// g^S_j with its proof.
    pub public_key: TrusteePublicKey,
}

impl Voutput {
    /// The JSON form.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("private_key".into(), Json::str(self.private_key.clone())),
            ("public_key".into(), self.public_key.to_json()),
        ])
    }

    /// Parses the JSON form.
    pub fn from_json(j: &Json) -> Result<Voutput, TrusteeError> {
        let f = object(j, "voutput", &["private_key", "public_key"])?;
        Ok(Voutput {
            private_key: string(f[0], "voutput")?.to_string(),
            public_key: TrusteePublicKey::from_json(f[1])?,
        })
    }
}

/// Step 5: trustee j checks its vinput (every coefexps signature, every secret against the coefexps) and
/// returns its voutput and its decryption key share S_j.
pub fn process_vinput<R: RngCore + CryptoRng>(
    seed: &Seed,
    certs: &[SignedMsg],
    vinput: &Vinput,
    rng: &mut R,
) -> Result<(Voutput, SecretKey), TrusteeError> {
    let cert_keys = verify_certs(certs)?;
    let n = cert_keys.len();
    let keys = seed.keys();
    let j = own_index(&keys, &cert_keys)?;
    for (what, found) in
        [("secrets in the vinput", vinput.secrets.len()), ("coefexps in the vinput", vinput.coefexps.len())]
    {
        if found != n {
            return Err(TrusteeError::WrongCount { what, expected: n, found });
        }
    }
    // The trustee's own polynomial must be readable: it is what it would need to redo its step.
    channel_receive(&keys, &keys.vk, &vinput.polynomial, "own polynomial")?;
    let mut share = Scalar::ZERO;
    let mut threshold = None;
    for (i, (secret, coefexps)) in vinput.secrets.iter().zip(&vinput.coefexps).enumerate() {
        let a = verify_coefexps(coefexps, &cert_keys[i], i + 1)?;
        let expected = *threshold.get_or_insert(a.len());
        if a.len() != expected {
            return Err(TrusteeError::CoefexpsCount { index: i + 1, expected, found: a.len() });
        }
        let message = channel_receive(&keys, &cert_keys[i].verification, secret, "secret")?;
        let inner = parse_canonical(message.as_bytes(), "secret message")?;
        let f = object(&inner, "secret message", &["secret"])?;
        let digits = Zeroizing::new(string(f[0], "secret message")?.to_string());
        let s = Zeroizing::new(reduce_decimal(&digits, "secret")?);
        if g_table().pow_secret(&s) != commitment_at(&a, j as u64) {
            return Err(TrusteeError::SecretMismatch { from: i + 1 });
        }
        share = share.add(&s);
    }
    let secret = SecretKey::from_scalar(share);
    share.zeroize();
    let message = Zeroizing::new(format!("{{\"decryption_key\":\"{}\"}}", secret.scalar().to_decimal()));
    let private_key = channel_send(&keys, &keys.ek, &message, rng);
    let public_key = TrusteePublicKey::new(&secret, rng);
    Ok((Voutput { private_key, public_key }, secret))
}

/// Reads a Pedersen trustee's decryption key share back from its voutput's `private_key` (belenios-tool's
/// `.dkey` file holds the same encrypted message), checking it against the published verification key.
pub fn open_decryption_key(seed: &Seed, sealed: &str, verification_key: &Elem) -> Result<SecretKey, TrusteeError> {
    let keys = seed.keys();
    let message = channel_receive(&keys, &keys.vk, sealed, "decryption key")?;
    let inner = parse_canonical(message.as_bytes(), "decryption key message")?;
    let f = object(&inner, "decryption key message", &["decryption_key"])?;
    let digits = Zeroizing::new(string(f[0], "decryption key message")?.to_string());
    let key = SecretKey::from_scalar(reduce_decimal(&digits, "decryption key")?);
    if key.public() != *verification_key {
        return Err(TrusteeError::DecryptionKeyMismatch);
    }
    Ok(key)
}

/// `threshold_parameters`: the published Pedersen item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdParameters {
    /// The number of trustees needed to decrypt (the number of coefficients).
    pub threshold: usize,
    /// The certificates, in trustee order.
    pub certs: Vec<SignedMsg>,
    /// Every trustee's signed coefexps, in trustee order.
    pub coefexps: Vec<SignedMsg>,
    /// Each trustee's g^S_j with its proof, in trustee order.
    pub verification_keys: Vec<TrusteePublicKey>,
}

impl ThresholdParameters {
    /// Step 6: assembles and verifies the parameters from the certificates, the polynomials' coefexps and the
    /// voutputs (each in trustee order).
    pub fn assemble(
        certs: &[SignedMsg],
        polynomials: &[PolynomialMsg],
        voutputs: &[Voutput],
    ) -> Result<ThresholdParameters, TrusteeError> {
        let coefexps: Vec<SignedMsg> = polynomials.iter().map(|p| p.coefexps.clone()).collect();
        let threshold = match coefexps.first() {
            Some(c) => {
                let keys = verify_cert(certs.first().ok_or(TrusteeError::NoTrustee)?, 1)?;
                verify_coefexps(c, &keys, 1)?.len()
            }
            None => return Err(TrusteeError::NoTrustee),
        };
        let params = ThresholdParameters {
            threshold,
            certs: certs.to_vec(),
            coefexps,
            verification_keys: voutputs.iter().map(|v| v.public_key.clone()).collect(),
        };
        params.verify()?;
        Ok(params)
    }

    /// Every check on a Pedersen item: certificates, coefexps signatures and counts, the threshold, every
    /// verification key's proof and its agreement with the coefexps. Returns this item's part of the election
    /// key, `Π_i A_i0`.
    pub fn verify(&self) -> Result<Elem, TrusteeError> {
        let n = self.certs.len();
        let cert_keys = verify_certs(&self.certs)?;
        for (what, found) in [("coefexps", self.coefexps.len()), ("verification keys", self.verification_keys.len())] {
            if found != n {
                return Err(TrusteeError::WrongCount { what, expected: n, found });
            }
        }
        if self.threshold == 0 || self.threshold > n {
            return Err(TrusteeError::BadThreshold { threshold: self.threshold, trustees: n });
        }
        let mut all = Vec::with_capacity(n);
        for (i, (c, keys)) in self.coefexps.iter().zip(&cert_keys).enumerate() {
            let a = verify_coefexps(c, keys, i + 1)?;
            if a.len() != self.threshold {
                return Err(TrusteeError::CoefexpsCount { index: i + 1, expected: self.threshold, found: a.len() });
            }
            all.push(a);
        }
        // Π_i Π_k A_ik^(j^k) = Π_k (Π_i A_ik)^(j^k): the products over trustees are taken once.
        let sum = sum_coefexps(&all);
        for (j, vk) in self.verification_keys.iter().enumerate() {
            vk.verify(&format!("verification key {}", j + 1))?;
            let expected = commitment_at(&sum, j as u64 + 1);
            if expected != vk.public_key {
                return Err(TrusteeError::VerificationKeyMismatch { index: j + 1 });
            }
        }
        Ok(sum[0])
    }

    /// `{"threshold":…,"certs":[…],"coefexps":[…],"verification_keys":[…]}`.
    pub fn to_json(&self) -> Json {
        Json::Object(vec![
            ("threshold".into(), Json::Int(self.threshold as u64)),
            ("certs".into(), Json::Array(self.certs.iter().map(SignedMsg::to_json).collect())),
            ("coefexps".into(), Json::Array(self.coefexps.iter().map(SignedMsg::to_json).collect())),
            (
                "verification_keys".into(),
                Json::Array(self.verification_keys.iter().map(TrusteePublicKey::to_json).collect()),
            ),
        ])
    }

    /// Parses the JSON form.
    pub fn from_json(j: &Json) -> Result<ThresholdParameters, TrusteeError> {
        let f = object(j, "threshold parameters", &["threshold", "certs", "coefexps", "verification_keys"])?;
        let list = |v: &Json, what| -> Result<Vec<SignedMsg>, TrusteeError> {
            let items = array(v, what)?;
            if items.len() > MAX_PEDERSEN_TRUSTEES {
                return Err(malformed(what, format!("more than {MAX_PEDERSEN_TRUSTEES} trustees")));
            }
            items.iter().map(SignedMsg::from_json).collect()
        };
        let threshold =
            f[0].as_u64().ok_or_else(|| malformed("threshold parameters", "threshold is not an integer"))?;
        Ok(ThresholdParameters {
            threshold: usize::try_from(threshold)
                .map_err(|_| malformed("threshold parameters", "threshold too large"))?,
            certs: list(f[1], "certs")?,
            coefexps: list(f[2], "coefexps")?,
            verification_keys: array(f[3], "verification keys")?
                .iter()
                .take(MAX_PEDERSEN_TRUSTEES + 1)
                .map(TrusteePublicKey::from_json)
                .collect::<Result<_, _>>()?,
        })
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The trustees record.

/// One item of the trustees record.
// A record holds a handful of items, built once per election: the size of the Single variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrusteeItem {
    /// One trustee holding a whole key.
    Single(TrusteePublicKey),
    /// A group of trustees sharing a key with a threshold.
    Pedersen(ThresholdParameters),
}

impl TrusteeItem {
    /// How many trustee numbers the item takes.
    pub fn trustee_count(&self) -> usize {
        match self {
            TrusteeItem::Single(_) => 1,
            TrusteeItem::Pedersen(p) => p.verification_keys.len(),
        }
    }
}

/// The `trustees` record, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trustees {
    /// The items, in order.
    pub items: Vec<TrusteeItem>,
    /// The election public key `Π y_item`.
    pub public_key: Elem,
}

impl Trustees {
    /// Builds and verifies the record from items.
    pub fn new(items: Vec<TrusteeItem>) -> Result<Trustees, TrusteeError> {
        if items.is_empty() {
            return Err(TrusteeError::NoTrustee);
        }
        let mut y = Elem::ONE;
        let mut number = 1;
        for item in &items {
            let part = match item {
                TrusteeItem::Single(k) => {
                    k.verify(&format!("trustee {number}"))?;
                    k.public_key
                }
                TrusteeItem::Pedersen(p) => p.verify()?,
            };
            number += item.trustee_count();
            y = y.mul(&part);
        }
        Ok(Trustees { items, public_key: y })
    }

    /// Parses and verifies a trustees record (any valid JSON; Belenios stores this record as given).
    pub fn from_bytes(bytes: &[u8]) -> Result<Trustees, TrusteeError> {
        let j = json::parse(bytes, TRUSTEE_JSON_LIMITS)?;
        let items = array(&j, "trustees")?;
        if items.len() > MAX_TRUSTEE_ITEMS {
            return Err(malformed("trustees", format!("more than {MAX_TRUSTEE_ITEMS} items")));
        }
        let items = items
            .iter()
            .map(|item| {
                let pair = array(item, "trustee")?;
                let [kind, value] = pair else {
                    return Err(malformed("trustee", "expected [kind, value]"));
                };
                match string(kind, "trustee kind")? {
                    "Single" => Ok(TrusteeItem::Single(TrusteePublicKey::from_json(value)?)),
                    "Pedersen" => Ok(TrusteeItem::Pedersen(ThresholdParameters::from_json(value)?)),
                    other => Err(TrusteeError::UnknownKind(other.to_string())),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Trustees::new(items)
    }

    /// The canonical bytes of the record.
    pub fn to_bytes(&self) -> Vec<u8> {
        Json::Array(
            self.items
                .iter()
                .map(|item| match item {
                    TrusteeItem::Single(k) => Json::Array(vec![Json::str("Single"), k.to_json()]),
                    TrusteeItem::Pedersen(p) => Json::Array(vec![Json::str("Pedersen"), p.to_json()]),
                })
                .collect(),
        )
        .to_bytes()
    }

    /// The number of trustees (the largest owner number).
    pub fn trustee_count(&self) -> usize {
        self.items.iter().map(TrusteeItem::trustee_count).sum()
    }
}
