//! Election uuids and voters' credentials.
//!
//! # Tokens and the uuid
//!
//! Belenios' tokens are strings over the base58 alphabet [`BASE58`] (no `0`, `O`, `I`, `l`); a digit's value is
//! its index (`1` = 0 … `z` = 57). The election uuid is such a token, 14 characters when generated, at least 14
//! when parsed ([`Uuid`]; this crate also caps it at [`MAX_UUID_CHARS`]).
//!
//! # Private credential
//!
//! `XXX-XXX-XXX-XXX-XXX`: 15 base58 characters in groups of three, 14 random ones and a checksum. With `n` the
//! first 14 read as a big-endian base-58 number, the checksum digit is `53 − (n mod 53)`, a value in 1..=53 (it is
//! not reduced mod 53 again: belenios-tool writes `v` = 53 when `n ≡ 0`).
//!
//! # Secret and public credential
//!
//! ```text
//! s = int_be(PBKDF2-HMAC-SHA256(password = the credential WITH its dashes, salt = the uuid,
//!                               iterations = 1000, length = 32 bytes)) mod q
//! public credential C = g^s, written in decimal
//! ```
//!
//! # The archive's list of public credentials
//!
//! A JSON array of strings, sorted by the numeric value of C: `"dec(C)"`, or `"dec(C),weight"` on every line when
//! the election uses weights (weight 1 included). [`credentials_json`] writes it; [`parse_public_credential`]
//! reads one line (the weight is the decimal after the first comma; absent means 1).

use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::arith::{DecimalError, Scalar};
use crate::error::BeleniosError;
use crate::group::{g_table, Elem};
use crate::json::Json;

/// The base58 alphabet of tokens and credentials.
pub const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/// Length of a generated uuid, as belenios-tool's `generate-token`.
pub const UUID_CHARS: usize = 14;
/// Longest uuid accepted.
pub const MAX_UUID_CHARS: usize = 64;
/// PBKDF2 iterations of the credential derivation.
pub const PBKDF2_ITERATIONS: u32 = 1000;
/// Largest weight accepted on a public credential.
pub const MAX_WEIGHT: u64 = 1 << 40;

fn base58_value(c: u8) -> Option<u64> {
    BASE58.iter().position(|&a| a == c).map(|v| v as u64)
}

/// A uniformly random base58 digit, by rejection (bytes of 232 and more are drawn again).
fn random_digit<R: RngCore + CryptoRng>(rng: &mut R) -> usize {
    loop {
        let mut b = [0u8; 1];
        rng.fill_bytes(&mut b);
        if b[0] < 232 {
            return usize::from(b[0] % 58);
        }
    }
}

/// An election uuid: a base58 token of 14 to 64 characters.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Uuid(String);

impl std::fmt::Debug for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Uuid({})", self.0)
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Uuid {
    /// Checks a uuid.
    pub fn parse(text: &str) -> Result<Uuid, BeleniosError> {
        let err = |detail| BeleniosError::Uuid { uuid: text.chars().take(80).collect(), detail };
        if text.len() < UUID_CHARS {
            return Err(err("shorter than 14 characters"));
        }
        if text.len() > MAX_UUID_CHARS {
            return Err(err("longer than 64 characters"));
        }
        if !text.bytes().all(|b| BASE58.contains(&b)) {
            return Err(err("not all characters are base58 (1-9, A-Z, a-z without 0, O, I, l)"));
        }
        Ok(Uuid(text.to_string()))
    }

    /// A new random uuid of 14 characters.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Uuid {
        Uuid((0..UUID_CHARS).map(|_| char::from(BASE58[random_digit(rng)])).collect())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A voter's private credential, `XXX-XXX-XXX-XXX-XXX`. The text is wiped from memory when dropped.
#[derive(Clone)]
pub struct PrivateCredential(Zeroizing<String>);

impl std::fmt::Debug for PrivateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateCredential(…)")
    }
}

fn checksum(digits: &[u8]) -> u64 {
    let n = digits.iter().fold(0u64, |n, &d| (n * 58 + u64::from(d)) % 53);
    53 - n
}

impl PrivateCredential {
    /// Checks the form `XXX-XXX-XXX-XXX-XXX`, the alphabet and the checksum.
    pub fn parse(text: &str) -> Result<PrivateCredential, BeleniosError> {
        let err = |detail: String| BeleniosError::Credential { detail };
        let bytes = text.as_bytes();
        if bytes.len() != 19 {
            return Err(err(format!(
                "it has {} characters; a credential is 19: five groups of three base58 characters joined by '-'",
                text.chars().count()
            )));
        }
        let mut digits = Zeroizing::new(Vec::with_capacity(15));
        for (i, &b) in bytes.iter().enumerate() {
            if i % 4 == 3 {
                if b != b'-' {
                    return Err(err(format!("character {} must be '-'", i + 1)));
                }
            } else {
                let v = base58_value(b).ok_or_else(|| {
                    err(format!("character {} is not base58 (1-9, A-Z, a-z without 0, O, I, l)", i + 1))
                })?;
                digits.push(v as u8);
            }
        }
        if checksum(&digits[..14]) != u64::from(digits[14]) {
            return Err(err("the checksum (last character) does not match: the credential was mistyped".into()));
        }
        Ok(PrivateCredential(Zeroizing::new(text.to_string())))
    }

    /// A new random credential.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> PrivateCredential {
        let mut digits = Zeroizing::new([0u8; 15]);
        for d in digits.iter_mut().take(14) {
            *d = random_digit(rng) as u8;
        }
        digits[14] = checksum(&digits[..14]) as u8;
        let mut text = String::with_capacity(19);
        for (i, &d) in digits.iter().enumerate() {
            if i > 0 && i % 3 == 0 {
                text.push('-');
            }
            text.push(char::from(BASE58[usize::from(d)]));
        }
        PrivateCredential(Zeroizing::new(text))
    }

    /// The text, with its dashes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The secret exponent `s` for the election `uuid`.
    pub fn secret(&self, uuid: &Uuid) -> Zeroizing<Scalar> {
        let mut key = pbkdf2_hmac_sha256(self.0.as_bytes(), uuid.as_str().as_bytes(), PBKDF2_ITERATIONS);
        let s = Zeroizing::new(Scalar::from_hash(&key));
        key.zeroize();
        s
    }

    /// The public credential `g^s` for the election `uuid`.
    pub fn public(&self, uuid: &Uuid) -> Elem {
        g_table().pow_secret(&self.secret(uuid))
    }
}

/// HMAC-SHA256's inner and outer hash states for `key`.
fn hmac_states(key: &[u8]) -> (Sha256, Sha256) {
    let mut block = Zeroizing::new([0u8; 64]);
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    let mut outer = Sha256::new();
    let mut pad = Zeroizing::new([0u8; 64]);
    for (p, b) in pad.iter_mut().zip(block.iter()) {
        *p = b ^ 0x36;
    }
    inner.update(&pad[..]);
    for (p, b) in pad.iter_mut().zip(block.iter()) {
        *p = b ^ 0x5c;
    }
    outer.update(&pad[..]);
    (inner, outer)
}

fn hmac_finish(states: &(Sha256, Sha256), data: &[&[u8]]) -> [u8; 32] {
    let mut inner = states.0.clone();
    for d in data {
        inner.update(d);
    }
    let mut outer = states.1.clone();
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// PBKDF2-HMAC-SHA256 (RFC 8018) with a 32-byte output: one block, `T1 = U1 ⊕ … ⊕ Uc`.
pub fn pbkdf2_hmac_sha256(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let states = hmac_states(password);
    let mut u = hmac_finish(&states, &[salt, &1u32.to_be_bytes()]);
    let mut t = u;
    for _ in 1..iterations {
        u = hmac_finish(&states, &[&u]);
        for (ti, ui) in t.iter_mut().zip(u.iter()) {
            *ti ^= ui;
        }
    }
    u.zeroize();
    t
}

/// One line of the public credential list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCredential {
    /// `g^s`.
    pub credential: Elem,
    /// The weight, when the election uses weights.
    pub weight: Option<u64>,
}

/// Parses one line of the archive's credential list: `dec(C)` or `dec(C),weight`; C must be a group member.
pub fn parse_public_credential(line: &str) -> Result<PublicCredential, BeleniosError> {
    let (cred, weight) = match line.split_once(',') {
        Some((c, w)) => (c, Some(w)),
        None => (line, None),
    };
    let credential = Elem::parse_member(cred, "public credential")?;
    let weight = match weight {
        None => None,
        Some(w) => {
            let v = crate::arith::parse_decimal::<1>(w)
                .map_err(|reason| BeleniosError::Number { what: "credential weight", reason })?[0];
            if v > MAX_WEIGHT {
                return Err(BeleniosError::Number { what: "credential weight", reason: DecimalError::TooLarge });
            }
            Some(v)
        }
    };
    Ok(PublicCredential { credential, weight })
}

/// The archive's credential list: sorted by the numeric value of C, weights written on every line when any
/// credential has one (a missing weight is then 1).
pub fn credentials_json(creds: &[PublicCredential]) -> Json {
    let weighted = creds.iter().any(|c| c.weight.is_some());
    let mut lines: Vec<(Vec<u8>, String)> = creds
        .iter()
        .map(|c| {
            let dec = c.credential.to_decimal();
            let line = if weighted { format!("{dec},{}", c.weight.unwrap_or(1)) } else { dec };
            (c.credential.0.to_be_bytes().to_vec(), line)
        })
        .collect();
    // Big-endian bytes of equal length sort as the numbers do.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    Json::Array(lines.into_iter().map(|(_, l)| Json::Str(l)).collect())
}
