//! The IETF OAuth Token Status List: a bit array of 1- or 2-bit entries, compressed with zlib, in a signed
//! `statuslist+jwt` token.
//!
//! Entry `i` of a list with `bits` bits per entry is bits `(i * bits) % 8 ..` of byte `(i * bits) / 8`, counting
//! from the least significant bit (index 0 = least significant bits of byte 0). `lst` is
//! `base64url(zlib(bytes))` (RFC 1950 around DEFLATE, best compression). Decoding is bounded: the decompressed
//! bytes may not exceed what the caller's declared capacity needs, so a small token cannot expand into gigabytes.

use std::io::{Read, Write};

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use publica_crypto::{Half, PublicKey};
use serde_json::{json, Map, Value};

use crate::error::CredentialError;
use crate::jose::{self, Alg, HybridJws, Jwk};
use crate::json::{b64_decode, b64_encode, get_str, get_time, parse_object, to_bytes};
use crate::sdjwt::{Form, Issuer, VerifyPolicy};
use crate::{MAX_STATUS_LIST_ENTRIES, MAX_STATUS_LIST_TOKEN_BYTES};

/// The `typ` of a status list token.
pub const TYP_STATUS_LIST_JWT: &str = "statuslist+jwt";
/// Status value: the credential is valid.
pub const STATUS_VALID: u8 = 0;
/// Status value: the credential is revoked (invalid), for good.
pub const STATUS_INVALID: u8 = 1;
/// Status value: the credential is suspended (2-bit lists only).
pub const STATUS_SUSPENDED: u8 = 2;

/// A status list: `len` entries of `bits` bits each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    len: usize,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of `len` entries, all [`STATUS_VALID`]; `bits` is 1 or 2; `len` at most [`MAX_STATUS_LIST_ENTRIES`].
    pub fn new(bits: u8, len: usize) -> Result<Self, CredentialError> {
        check_bits(bits)?;
        if len > MAX_STATUS_LIST_ENTRIES {
            return Err(CredentialError::TooLarge {
                what: "status list entries",
                limit: MAX_STATUS_LIST_ENTRIES,
                actual: len,
            });
        }
        Ok(StatusList { bits, len, bytes: vec![0; byte_len(bits, len)] })
    }

    /// A list of `len` entries of `bits` bits from its packed bytes (index 0 in the least significant bits of byte
    /// 0, as `lst` packs them before compression): exactly as many bytes as `len` entries take.
    pub fn from_bytes(bits: u8, len: usize, bytes: Vec<u8>) -> Result<Self, CredentialError> {
        let mut list = Self::new(bits, len)?;
        if bytes.len() != list.bytes.len() {
            return Err(CredentialError::malformed(
                "status list",
                format!("{len} entries of {bits} bits take {} bytes, not {}", list.bytes.len(), bytes.len()),
            ));
        }
        list.bytes = bytes;
        Ok(list)
    }

    /// Bits per entry (1 or 2).
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The status of entry `index`.
    pub fn get(&self, index: u64) -> Result<u8, CredentialError> {
        let (byte, shift) = self.position(index)?;
        Ok((self.bytes[byte] >> shift) & self.mask())
    }

    /// Sets the status of entry `index`; `value` must fit in `bits` bits.
    pub fn set(&mut self, index: u64, value: u8) -> Result<(), CredentialError> {
        if value > self.mask() {
            return Err(CredentialError::StatusValue {
                detail: format!(
                    "value {value} does not fit in a {}-bit entry; use a 2-bit list for suspension",
                    self.bits
                ),
            });
        }
        let (byte, shift) = self.position(index)?;
        let mask = self.mask();
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (value << shift);
        Ok(())
    }

    /// `lst`: base64url of the zlib-compressed bytes.
    pub fn to_lst(&self) -> String {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&self.bytes).expect("writing to a Vec cannot fail");
        b64_encode(&encoder.finish().expect("writing to a Vec cannot fail"))
    }

    /// Decodes `lst` for a list of `bits` bits per entry that holds at most `max_entries` entries (at most
    /// [`MAX_STATUS_LIST_ENTRIES`]): more decompressed bytes than that capacity needs are refused before they are
    /// produced, as is anything after the end of the zlib stream.
    pub fn from_lst(bits: u8, lst: &str, max_entries: usize) -> Result<Self, CredentialError> {
        const WHAT: &str = "status list `lst`";
        check_bits(bits)?;
        let max_entries = max_entries.min(MAX_STATUS_LIST_ENTRIES);
        let limit = byte_len(bits, max_entries);
        if lst.len() > MAX_STATUS_LIST_TOKEN_BYTES {
            return Err(CredentialError::TooLarge {
                what: WHAT,
                limit: MAX_STATUS_LIST_TOKEN_BYTES,
                actual: lst.len(),
            });
        }
        let compressed = b64_decode(WHAT, lst)?;
        let mut decoder = ZlibDecoder::new(compressed.as_slice());
        let mut bytes = Vec::new();
        (&mut decoder)
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| CredentialError::malformed(WHAT, format!("not a zlib stream ({e})")))?;
        if bytes.len() > limit {
            return Err(CredentialError::TooLarge {
                what: "decompressed status list bytes",
                limit,
                actual: bytes.len(),
            });
        }
        if decoder.total_in() != compressed.len() as u64 {
            return Err(CredentialError::malformed(WHAT, "bytes after the end of the zlib stream"));
        }
        let len = bytes.len() * 8 / usize::from(bits);
        Ok(StatusList { bits, len: len.min(max_entries), bytes })
    }

    fn mask(&self) -> u8 {
        (1u8 << self.bits) - 1
    }

    fn position(&self, index: u64) -> Result<(usize, u32), CredentialError> {
        let out_of_range = CredentialError::StatusIndexOutOfRange { index, len: self.len };
        let index = usize::try_from(index).map_err(|_| out_of_range.clone())?;
        if index >= self.len {
            return Err(out_of_range);
        }
        let bit = index * usize::from(self.bits);
        Ok((bit / 8, (bit % 8) as u32))
    }
}

fn check_bits(bits: u8) -> Result<(), CredentialError> {
    if bits == 1 || bits == 2 {
        Ok(())
    } else {
        Err(CredentialError::StatusValue { detail: format!("{bits} bits per entry; Publica's lists use 1 or 2") })
    }
}

fn byte_len(bits: u8, len: usize) -> usize {
    (len * usize::from(bits)).div_ceil(8)
}

/// A status list token's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusListToken {
    /// The list's URI (`sub`), the `uri` credentials name in `status.status_list`.
    pub uri: String,
    /// Issuance time (`iat`), seconds since the Unix epoch.
    pub iat: u64,
    /// Expiry (`exp`), if any.
    pub exp: Option<u64>,
    /// How long a verifier may cache the token (`ttl`, seconds), if given.
    pub ttl: Option<u64>,
    /// The list.
    pub list: StatusList,
}

fn token_payload(token: &StatusListToken) -> Map<String, Value> {
    let mut payload = Map::new();
    payload.insert("sub".into(), json!(token.uri));
    payload.insert("iat".into(), json!(token.iat));
    if let Some(exp) = token.exp {
        payload.insert("exp".into(), json!(exp));
    }
    if let Some(ttl) = token.ttl {
        payload.insert("ttl".into(), json!(ttl));
    }
    payload.insert("status_list".into(), json!({"bits": token.list.bits, "lst": token.list.to_lst()}));
    payload
}

/// Signs a status list token (`typ` `statuslist+jwt`) in `form`: hybrid JSON or compact EdDSA.
pub fn issue_status_list_token(
    issuer: &Issuer<'_>,
    token: &StatusListToken,
    form: Form,
) -> Result<String, CredentialError> {
    let payload = to_bytes(&token_payload(token));
    let header = Map::from_iter([("typ".to_string(), json!(TYP_STATUS_LIST_JWT))]);
    let text = match form {
        Form::Compact => {
            let mut header = header;
            header.insert("kid".into(), json!(issuer.kid_ed25519));
            jose::sign_compact(Alg::EdDsa, header, &payload, issuer.keypair)
        }
        Form::Hybrid => {
            HybridJws::sign(&header, [issuer.kid_ml_dsa_65, issuer.kid_ed25519], &payload, issuer.keypair).to_json()
        }
    };
    if text.len() > MAX_STATUS_LIST_TOKEN_BYTES {
        return Err(CredentialError::TooLarge {
            what: "status list token",
            limit: MAX_STATUS_LIST_TOKEN_BYTES,
            actual: text.len(),
        });
    }
    Ok(text)
}

/// Verifies a status list token against the issuer's key and the allow-list, checks that it is the list
/// `expected_uri` (the credential's `status.status_list.uri`) and not expired at `now`, and decodes the list
/// (bounded by `max_entries`).
pub fn verify_status_list_token(
    text: &str,
    issuer_key: &PublicKey,
    expected_uri: &str,
    now: u64,
    max_entries: usize,
    policy: &VerifyPolicy,
) -> Result<StatusListToken, CredentialError> {
    const WHAT: &str = "status list token";
    if text.len() > MAX_STATUS_LIST_TOKEN_BYTES {
        return Err(CredentialError::TooLarge { what: WHAT, limit: MAX_STATUS_LIST_TOKEN_BYTES, actual: text.len() });
    }
    let issuer_signature = |half: Half| CredentialError::IssuerSignature { half };
    let verified = if text.starts_with('{') {
        let jws = HybridJws::parse(WHAT, text)?;
        if jws.signatures.iter().any(|s| !s.header.is_empty()) {
            return Err(CredentialError::malformed(WHAT, "a status list token has no unprotected header"));
        }
        jws.verify(WHAT, issuer_key, TYP_STATUS_LIST_JWT, issuer_signature)?
    } else if policy.accept_compact {
        jose::verify_compact(WHAT, text, &Jwk::Okp(*issuer_key.ed25519()), TYP_STATUS_LIST_JWT, issuer_signature)?
    } else {
        return Err(CredentialError::ClassicalFormRefused { what: WHAT });
    };
    let payload = parse_object(WHAT, &verified.payload)?;
    let uri = get_str(WHAT, &payload, "sub")?;
    if uri != expected_uri {
        return Err(CredentialError::StatusListUri { expected: expected_uri.to_string(), actual: uri.to_string() });
    }
    let iat = get_time(WHAT, &payload, "iat")?.ok_or_else(|| CredentialError::malformed(WHAT, "`iat` is missing"))?;
    let (exp, ttl) = (get_time(WHAT, &payload, "exp")?, get_time(WHAT, &payload, "ttl")?);
    if let Some(exp) = exp {
        if now >= exp.saturating_add(policy.max_clock_skew_secs) {
            return Err(CredentialError::Expired { what: WHAT, exp, now });
        }
    }
    let list = payload
        .get("status_list")
        .and_then(Value::as_object)
        .ok_or_else(|| CredentialError::malformed(WHAT, "`status_list` is missing or not an object"))?;
    let bits = get_time(WHAT, list, "bits")?.ok_or_else(|| CredentialError::malformed(WHAT, "`bits` is missing"))?;
    let bits =
        u8::try_from(bits).map_err(|_| CredentialError::StatusValue { detail: format!("{bits} bits per entry") })?;
    let list = StatusList::from_lst(bits, get_str(WHAT, list, "lst")?, max_entries)?;
    Ok(StatusListToken { uri: uri.to_string(), iat, exp, ttl, list })
}
