//! JOSE for Publica keys: JWKs for each half (RFC 9964 `AKP`, RFC 8037 `OKP`), JWS compact serialisation and JWS
//! JSON general serialisation with two signatures (RFC 7515), and the allow-list every header is checked against.
//!
//! Only two algorithms exist here: `ML-DSA-65` (RFC 9964: pure ML-DSA-65, empty context, over the JWS signing
//! input) and `EdDSA` (RFC 8037: Ed25519 over the JWS signing input). `none`, every `HS*` and every other name are
//! refused, as is any `crit` (no extension is understood). The JWS signing input of every signature is the ASCII
//! text `BASE64URL(protected header) || '.' || BASE64URL(payload)`.

use publica_crypto::{Ed25519PublicKey, Half, Keypair, MlDsa65PublicKey, PublicKey, ED25519_SIGNATURE_LEN};
use serde_json::{json, Map, Value};

use crate::error::CredentialError;
use crate::json::{b64_decode, b64_encode, b64_object, get_str, parse_object, to_bytes};

/// The JOSE name of ML-DSA-65 (RFC 9964).
pub const ALG_ML_DSA_65: &str = "ML-DSA-65";
/// The JOSE name of Ed25519 signatures (RFC 8037).
pub const ALG_EDDSA: &str = "EdDSA";

/// A signature algorithm of the allow-list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// `ML-DSA-65`.
    MlDsa65,
    /// `EdDSA` with Ed25519.
    EdDsa,
}

impl Alg {
    /// The JOSE `alg` value.
    pub fn name(self) -> &'static str {
        match self {
            Alg::MlDsa65 => ALG_ML_DSA_65,
            Alg::EdDsa => ALG_EDDSA,
        }
    }

    /// The half of a Publica key this algorithm uses.
    pub fn half(self) -> Half {
        match self {
            Alg::MlDsa65 => Half::MlDsa65,
            Alg::EdDsa => Half::Ed25519,
        }
    }
}

/// A public JWK holding one half of a Publica key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jwk {
    /// `{"kty":"AKP","alg":"ML-DSA-65","pub":…}` (RFC 9964).
    Akp(MlDsa65PublicKey),
    /// `{"kty":"OKP","crv":"Ed25519","x":…}` (RFC 8037).
    Okp(Ed25519PublicKey),
}

impl Jwk {
    /// The JWK's JSON object (public members only).
    pub fn to_json(&self) -> Value {
        match self {
            Jwk::Akp(key) => json!({"kty": "AKP", "alg": ALG_ML_DSA_65, "pub": b64_encode(key.as_bytes())}),
            Jwk::Okp(key) => json!({"kty": "OKP", "crv": "Ed25519", "x": b64_encode(key.as_bytes())}),
        }
    }

    /// Reads a public JWK; refuses private members (`priv`, `d`), other key types and other curves or algorithms.
    pub fn from_json(value: &Value) -> Result<Self, CredentialError> {
        const WHAT: &str = "JWK";
        let map = value.as_object().ok_or_else(|| CredentialError::malformed(WHAT, "not a JSON object"))?;
        match get_str(WHAT, map, "kty")? {
            "AKP" => {
                if map.contains_key("priv") {
                    return Err(CredentialError::malformed(WHAT, "an AKP key with `priv` is a private key"));
                }
                let alg = get_str(WHAT, map, "alg")?;
                if alg != ALG_ML_DSA_65 {
                    return Err(CredentialError::malformed(WHAT, format!("AKP `alg` is `{alg}`, expected ML-DSA-65")));
                }
                let bytes = b64_decode(WHAT, get_str(WHAT, map, "pub")?)?;
                let key = MlDsa65PublicKey::from_bytes(&bytes)
                    .map_err(|e| CredentialError::malformed(WHAT, e.to_string()))?;
                Ok(Jwk::Akp(key))
            }
            "OKP" => {
                if map.contains_key("d") {
                    return Err(CredentialError::malformed(WHAT, "an OKP key with `d` is a private key"));
                }
                let crv = get_str(WHAT, map, "crv")?;
                if crv != "Ed25519" {
                    return Err(CredentialError::malformed(WHAT, format!("OKP `crv` is `{crv}`, expected Ed25519")));
                }
                let bytes = b64_decode(WHAT, get_str(WHAT, map, "x")?)?;
                let raw: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| CredentialError::malformed(WHAT, "Ed25519 `x` must be 32 bytes"))?;
                let key =
                    Ed25519PublicKey::from_bytes(&raw).map_err(|e| CredentialError::malformed(WHAT, e.to_string()))?;
                Ok(Jwk::Okp(key))
            }
            other => Err(CredentialError::malformed(WHAT, format!("`kty` `{other}` is not AKP or OKP"))),
        }
    }

    /// The algorithm this key verifies.
    pub fn alg(&self) -> Alg {
        match self {
            Jwk::Akp(_) => Alg::MlDsa65,
            Jwk::Okp(_) => Alg::EdDsa,
        }
    }

    /// Verifies `signature` over `input` with this key.
    fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        match self {
            Jwk::Akp(key) => key.verify(input, signature).is_ok(),
            Jwk::Okp(key) => match <&[u8; ED25519_SIGNATURE_LEN]>::try_from(signature) {
                Ok(signature) => key.verify(input, signature).is_ok(),
                Err(_) => false,
            },
        }
    }
}

/// The two JWKs of a hybrid key: (`AKP` ML-DSA-65, `OKP` Ed25519).
pub fn hybrid_jwks(key: &PublicKey) -> (Jwk, Jwk) {
    (Jwk::Akp(key.ml_dsa().clone()), Jwk::Okp(*key.ed25519()))
}

/// Signs `input` with one half of `keypair`.
fn sign_with(alg: Alg, keypair: &Keypair, input: &[u8]) -> Vec<u8> {
    match alg {
        Alg::MlDsa65 => keypair.sign_ml_dsa_65(input),
        Alg::EdDsa => keypair.sign_ed25519(input).to_vec(),
    }
}

/// Checks a protected header against the allow-list: `alg` is exactly `expected`, no `crit`, `typ` is `typ`.
pub(crate) fn check_header(
    at: &'static str,
    header: &Map<String, Value>,
    expected: Alg,
    typ: &'static str,
) -> Result<(), CredentialError> {
    let alg = get_str(at, header, "alg")?;
    if alg.eq_ignore_ascii_case("none") {
        return Err(CredentialError::AlgNone { at });
    }
    if alg.starts_with("HS") {
        return Err(CredentialError::SymmetricAlg { at, alg: alg.to_string() });
    }
    if alg != expected.name() {
        return Err(CredentialError::AlgNotAllowed { at, alg: alg.to_string(), expected: expected.name() });
    }
    if header.contains_key("crit") {
        return Err(CredentialError::CritNotUnderstood { at });
    }
    match header.get("typ") {
        Some(Value::String(actual)) if actual == typ => Ok(()),
        Some(Value::String(actual)) => Err(CredentialError::WrongType { at, expected: typ, actual: actual.clone() }),
        _ => Err(CredentialError::WrongType { at, expected: typ, actual: String::new() }),
    }
}

/// Makes a JWS in compact serialisation: `header` gets `alg` (and keeps every other member the caller put in it).
pub fn sign_compact(alg: Alg, mut header: Map<String, Value>, payload: &[u8], keypair: &Keypair) -> String {
    header.insert("alg".into(), Value::String(alg.name().into()));
    let input = format!("{}.{}", b64_encode(&to_bytes(&header)), b64_encode(payload));
    let signature = sign_with(alg, keypair, input.as_bytes());
    format!("{input}.{}", b64_encode(&signature))
}

/// A JWS whose signature(s) verified: its protected header(s) and payload.
#[derive(Clone, Debug)]
pub struct VerifiedJws {
    /// The protected header (of the first signature, in the JSON serialisation).
    pub header: Map<String, Value>,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

/// Verifies a compact JWS with `key`: the header must pass the allow-list for `key`'s algorithm and `typ`.
/// A bad signature is reported as `bad_signature(half)`.
pub fn verify_compact(
    at: &'static str,
    text: &str,
    key: &Jwk,
    typ: &'static str,
    bad_signature: fn(Half) -> CredentialError,
) -> Result<VerifiedJws, CredentialError> {
    let mut parts = text.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(CredentialError::malformed(at, "a compact JWS has exactly three `.`-separated parts"));
    };
    let header = b64_object(at, h)?;
    check_header(at, &header, key.alg(), typ)?;
    let payload = b64_decode(at, p)?;
    let signature = b64_decode(at, s)?;
    let input_len = h.len() + 1 + p.len();
    if !key.verify(&text.as_bytes()[..input_len], &signature) {
        return Err(bad_signature(key.alg().half()));
    }
    Ok(VerifiedJws { header, payload })
}

/// One signature entry of a JWS JSON general serialisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureEntry {
    /// The protected header, base64url-encoded exactly as signed.
    pub protected: String,
    /// The unprotected header (may be empty).
    pub header: Map<String, Value>,
    /// The signature, base64url-encoded.
    pub signature: String,
}

/// A hybrid JWS in JSON general serialisation: entry 0 signed with `ML-DSA-65`, entry 1 with `EdDSA`, over one
/// payload, each with its own protected header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HybridJws {
    /// The payload, base64url-encoded exactly as signed.
    pub payload: String,
    /// The two signature entries, ML-DSA-65 first.
    pub signatures: [SignatureEntry; 2],
}

impl HybridJws {
    /// Signs `payload` with both halves; `header` (without `alg`) is the protected header of both entries, each
    /// getting its own `alg` and `kid`.
    pub fn sign(header: &Map<String, Value>, kids: [&str; 2], payload: &[u8], keypair: &Keypair) -> Self {
        let payload = b64_encode(payload);
        let entry = |alg: Alg, kid: &str| {
            let mut protected = header.clone();
            protected.insert("alg".into(), Value::String(alg.name().into()));
            protected.insert("kid".into(), Value::String(kid.into()));
            let protected = b64_encode(&to_bytes(&protected));
            let signature = sign_with(alg, keypair, format!("{protected}.{payload}").as_bytes());
            SignatureEntry { protected, header: Map::new(), signature: b64_encode(&signature) }
        };
        let signatures = [entry(Alg::MlDsa65, kids[0]), entry(Alg::EdDsa, kids[1])];
        HybridJws { payload, signatures }
    }

    /// The JSON text: `{"payload":…,"signatures":[{"protected":…,"header":{…},"signature":…},…]}` (an empty
    /// unprotected header is left out).
    pub fn to_json(&self) -> String {
        let entries: Vec<Value> = self
            .signatures
            .iter()
            .map(|entry| {
                let mut map = Map::new();
                if !entry.header.is_empty() {
                    map.insert("header".into(), Value::Object(entry.header.clone()));
                }
                map.insert("protected".into(), Value::String(entry.protected.clone()));
                map.insert("signature".into(), Value::String(entry.signature.clone()));
                Value::Object(map)
            })
            .collect();
        serde_json::to_string(&json!({"payload": self.payload, "signatures": entries}))
            .expect("a JSON value always serializes")
    }

    /// Parses the JSON text: exactly two entries, no member other than `payload` and `signatures` at the top and
    /// `protected`, `header`, `signature` in an entry.
    pub fn parse(at: &'static str, text: &str) -> Result<Self, CredentialError> {
        let top = parse_object(at, text.as_bytes())?;
        if let Some(name) = top.keys().find(|k| *k != "payload" && *k != "signatures") {
            return Err(CredentialError::malformed(at, format!("unknown member `{name}`")));
        }
        let payload = get_str(at, &top, "payload")?.to_string();
        let Some(Value::Array(entries)) = top.get("signatures") else {
            return Err(CredentialError::malformed(at, "`signatures` is missing or not an array"));
        };
        if entries.len() != 2 {
            return Err(CredentialError::malformed(
                at,
                format!("a hybrid JWS has exactly two signatures (ML-DSA-65, EdDSA), found {}", entries.len()),
            ));
        }
        let entry = |value: &Value| -> Result<SignatureEntry, CredentialError> {
            let map =
                value.as_object().ok_or_else(|| CredentialError::malformed(at, "a signature is not an object"))?;
            if let Some(name) = map.keys().find(|k| !["protected", "header", "signature"].contains(&k.as_str())) {
                return Err(CredentialError::malformed(at, format!("unknown member `{name}` in a signature")));
            }
            let header = match map.get("header") {
                None => Map::new(),
                Some(Value::Object(header)) => header.clone(),
                Some(_) => return Err(CredentialError::malformed(at, "`header` is not an object")),
            };
            Ok(SignatureEntry {
                protected: get_str(at, map, "protected")?.to_string(),
                header,
                signature: get_str(at, map, "signature")?.to_string(),
            })
        };
        Ok(HybridJws { payload, signatures: [entry(&entries[0])?, entry(&entries[1])?] })
    }

    /// Verifies both signatures under `key` (ML-DSA-65 entry first); both must be valid. Returns the first entry's
    /// protected header and the payload. A bad signature is reported as `bad_signature(half)`.
    pub fn verify(
        &self,
        at: &'static str,
        key: &PublicKey,
        typ: &'static str,
        bad_signature: fn(Half) -> CredentialError,
    ) -> Result<VerifiedJws, CredentialError> {
        let (ml_dsa, ed25519) = hybrid_jwks(key);
        let mut headers = Vec::with_capacity(2);
        for (entry, jwk) in self.signatures.iter().zip([ml_dsa, ed25519]) {
            let header = b64_object(at, &entry.protected)?;
            check_header(at, &header, jwk.alg(), typ)?;
            if let Some(name) = entry.header.keys().find(|k| header.contains_key(*k)) {
                return Err(CredentialError::malformed(
                    at,
                    format!("`{name}` is in both the protected and the unprotected header"),
                ));
            }
            let signature = b64_decode(at, &entry.signature)?;
            if !jwk.verify(format!("{}.{}", entry.protected, self.payload).as_bytes(), &signature) {
                return Err(bad_signature(jwk.alg().half()));
            }
            headers.push(header);
        }
        let payload = b64_decode(at, &self.payload)?;
        Ok(VerifiedJws { header: headers.swap_remove(0), payload })
    }

    /// The compact serialisation of entry 0 (`protected.payload.signature`), the "Issuer-signed JWT" that RFC 9901
    /// §8.1 hashes into `sd_hash` for the JSON serialisation.
    pub fn first_as_compact(&self) -> String {
        let first = &self.signatures[0];
        format!("{}.{}.{}", first.protected, self.payload, first.signature)
    }
}
