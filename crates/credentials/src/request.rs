//! A holder's signed request for a credential: "I, the holder of this DID, ask this issuer for a credential of this
//! type", signed with the holder's hybrid key in the JWS JSON general serialisation (both signatures required), so
//! the issuer binds the credential to a key whose possession was just proven (`docs/credentials.md`, §11).
//!
//! Payload: `{"iss": <holder DID>, "aud": <issuer DID>, "vct": <type>, "iat": <seconds>, "nonce": <random>}`;
//! protected headers: `typ` [`TYP_CREDENTIAL_REQUEST`], `alg` and `kid` (the holder's DID URLs) per signature.

use serde_json::{json, Map, Value};

use publica_crypto::{Keypair, PublicKey};

use crate::error::CredentialError;
use crate::jose::HybridJws;
use crate::json::{get_str, parse_object, to_bytes};
use crate::MAX_CREDENTIAL_BYTES;

/// The `typ` of a credential request.
pub const TYP_CREDENTIAL_REQUEST: &str = "publica-credential-request+jwt";

/// How long an issuer accepts a request after it was signed, in seconds.
pub const MAX_REQUEST_AGE_SECS: u64 = 24 * 3600;

const WHAT: &str = "credential request";

/// What a holder asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRequest {
    /// The holder's DID (`iss`).
    pub holder: String,
    /// The issuer's DID (`aud`).
    pub issuer: String,
    /// The credential type (`vct`).
    pub vct: String,
    /// When it was signed, seconds since the Unix epoch (`iat`).
    pub iat: u64,
    /// A random value, so that two requests never have the same bytes.
    pub nonce: String,
}

/// Sign `request` with the holder's key; `kids` are the DID URLs of its ML-DSA-65 and Ed25519 halves.
pub fn sign_request(request: &CredentialRequest, holder: &Keypair, kids: [&str; 2]) -> String {
    let payload = Map::from_iter([
        ("aud".to_string(), json!(request.issuer)),
        ("iat".to_string(), json!(request.iat)),
        ("iss".to_string(), json!(request.holder)),
        ("nonce".to_string(), json!(request.nonce)),
        ("vct".to_string(), json!(request.vct)),
    ]);
    let header = Map::from_iter([("typ".to_string(), json!(TYP_CREDENTIAL_REQUEST))]);
    HybridJws::sign(&header, kids, &to_bytes(&payload), holder).to_json()
}

/// Read a request WITHOUT checking its signatures: to find the holder's key first. Trust nothing in it until
/// [`verify_request`] succeeds.
pub fn peek_request(text: &str) -> Result<CredentialRequest, CredentialError> {
    let jws = parse(text)?;
    let payload = crate::json::b64_decode(WHAT, &jws.payload)?;
    read(&parse_object(WHAT, &payload)?)
}

/// Check a request: both signatures under the holder's key `holder_key`, addressed to `issuer`, signed at most
/// [`MAX_REQUEST_AGE_SECS`] before `now` (and not after it, allowing `skew` seconds).
pub fn verify_request(
    text: &str,
    holder_key: &PublicKey,
    issuer: &str,
    now: u64,
    skew: u64,
) -> Result<CredentialRequest, CredentialError> {
    let jws = parse(text)?;
    let verified =
        jws.verify(WHAT, holder_key, TYP_CREDENTIAL_REQUEST, |half| CredentialError::KeyBindingSignature { half })?;
    let request = read(&parse_object(WHAT, &verified.payload)?)?;
    if request.issuer != issuer {
        return Err(CredentialError::malformed(
            WHAT,
            format!("it is addressed to {}, not to this issuer", request.issuer),
        ));
    }
    if request.iat > now.saturating_add(skew) {
        return Err(CredentialError::malformed(WHAT, "it is signed in the future: check the holder's clock"));
    }
    let exp = request.iat.saturating_add(MAX_REQUEST_AGE_SECS);
    if now >= exp {
        return Err(CredentialError::Expired { what: WHAT, exp, now });
    }
    Ok(request)
}

fn parse(text: &str) -> Result<HybridJws, CredentialError> {
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge { what: WHAT, limit: MAX_CREDENTIAL_BYTES, actual: text.len() });
    }
    HybridJws::parse(WHAT, text)
}

fn read(payload: &Map<String, Value>) -> Result<CredentialRequest, CredentialError> {
    let iat = payload
        .get("iat")
        .and_then(Value::as_u64)
        .ok_or_else(|| CredentialError::malformed(WHAT, "`iat` is missing or not a number of seconds"))?;
    Ok(CredentialRequest {
        holder: get_str(WHAT, payload, "iss")?.to_string(),
        issuer: get_str(WHAT, payload, "aud")?.to_string(),
        vct: get_str(WHAT, payload, "vct")?.to_string(),
        iat,
        nonce: get_str(WHAT, payload, "nonce")?.to_string(),
    })
}
