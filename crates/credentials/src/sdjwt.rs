//! SD-JWT VCs (RFC 9901 SD-JWT, IETF SD-JWT VC `dc+sd-jwt`) signed by a Publica issuer, in two forms.
//!
//! * **Hybrid**: a JWS JSON general serialisation (RFC 9901 §8.1) with two signatures over one payload, entry 0
//!   `ML-DSA-65` and entry 1 `EdDSA`; the disclosures, the key-binding JWT (`kb_jwt`) and the post-quantum
//!   key-binding JWT ([`HEADER_PQ_KB_JWT`]) sit in entry 0's unprotected header. Both issuer signatures are
//!   required; the holder is bound by both halves of its key (`cnf.jwk` the Ed25519 `OKP` key, [`CNF_PQ_JWK`] the
//!   ML-DSA-65 `AKP` key) and a presentation carries two key-binding JWTs with the same payload, one signed by each.
//! * **Compact**: `<JWT>~<Disclosure>~…~<KB-JWT>` signed with `EdDSA` only, `cnf.jwk` the holder's Ed25519 key, for
//!   wallets without post-quantum support; a verifier accepts it only when its policy says so.
//!
//! Issuance discloses top-level claims only (one disclosure `[salt, name, value]` each, 128-bit random salt);
//! verification processes disclosures at any depth, as RFC 9901 §7.1 specifies. docs/credentials.md has the bytes.

use std::collections::{HashMap, HashSet};

use publica_crypto::{Ed25519PublicKey, Half, Keypair, PublicKey};
use rand_core::{OsRng, RngCore};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::CredentialError;
use crate::jose::{self, hybrid_jwks, Alg, HybridJws, Jwk};
use crate::json::{b64_decode, b64_encode, get_str, get_time, parse_object, parse_strict, to_bytes};
use crate::{MAX_CLAIM_NAME_BYTES, MAX_CREDENTIAL_BYTES, MAX_DECOY_COUNT, MAX_DISCLOSURE_COUNT};

/// The `typ` of an SD-JWT VC.
pub const TYP_SD_JWT_VC: &str = "dc+sd-jwt";
/// The `typ` of a key-binding JWT.
pub const TYP_KB_JWT: &str = "kb+jwt";
/// The `cnf` member holding the holder's ML-DSA-65 `AKP` JWK (hybrid form).
pub const CNF_PQ_JWK: &str = "pq_jwk";
/// The unprotected-header member (entry 0) holding the ML-DSA-65 key-binding JWT (hybrid form).
pub const HEADER_PQ_KB_JWT: &str = "pq_kb_jwt";
/// The only `_sd_alg`.
pub const SD_ALG: &str = "sha-256";

/// Claim names the issuer sets itself: a caller's claim may not use them, and none may be disclosed except `iat`.
const REGISTERED_CLAIMS: [&str; 10] =
    ["iss", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status", "_sd", "_sd_alg"];
/// The two names RFC 9901 reserves for its own structure.
const RESERVED_NAMES: [&str; 2] = ["_sd", "..."];

/// The two serialisations of a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// JWS JSON general serialisation, ML-DSA-65 and EdDSA signatures, post-quantum holder binding.
    Hybrid,
    /// Compact serialisation, EdDSA only.
    Compact,
}

/// The issuer: its key pair, DID (`iss`) and the DID URLs of its two verification methods (`kid`).
#[derive(Clone, Copy, Debug)]
pub struct Issuer<'a> {
    /// The issuer's hybrid key pair.
    pub keypair: &'a Keypair,
    /// The issuer's DID, the credential's `iss`.
    pub did: &'a str,
    /// The DID URL of the ML-DSA-65 verification method (`kid` of the ML-DSA-65 signature).
    pub kid_ml_dsa_65: &'a str,
    /// The DID URL of the Ed25519 verification method (`kid` of the EdDSA signature).
    pub kid_ed25519: &'a str,
}

/// Where a credential's status is kept: `{"status": {"status_list": {"idx", "uri"}}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReference {
    /// The credential's index in the list.
    pub idx: u64,
    /// The list token's URI (its `sub`).
    pub uri: String,
}

/// One claim given to [`issue`].
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// The claim name (top level of the payload).
    pub name: String,
    /// Its JSON value.
    pub value: Value,
    /// Whether it becomes a disclosure (else it is in the signed payload in the clear).
    pub disclosable: bool,
}

/// What a credential says; the issuer adds `iss`, `cnf`, `_sd_alg` and the digests.
#[derive(Clone, Debug)]
pub struct CredentialContent {
    /// The credential type (`vct`).
    pub vct: String,
    /// Issuance time (`iat`), seconds since the Unix epoch.
    pub iat: u64,
    /// Start of validity (`nbf`).
    pub nbf: u64,
    /// End of validity (`exp`).
    pub exp: u64,
    /// The holder's key, bound in `cnf`.
    pub holder: PublicKey,
    /// The status list entry, if the credential can be revoked or suspended.
    pub status: Option<StatusReference>,
    /// The claims, each disclosable or not.
    pub claims: Vec<Claim>,
    /// How many decoy digests to add (at most [`MAX_DECOY_COUNT`]).
    pub decoys: usize,
}

/// The holder key a credential is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HolderKey {
    /// Both halves (hybrid form: `cnf.jwk` and `cnf.pq_jwk`).
    Hybrid(PublicKey),
    /// The Ed25519 half only (compact form: `cnf.jwk`).
    Ed25519(Ed25519PublicKey),
}

/// What a verifier may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// Accept the classical compact form (EdDSA only). Off by default: post-quantum verifiers require the hybrid form.
    pub accept_compact: bool,
    /// How old a key-binding JWT may be, in seconds.
    pub max_key_binding_age_secs: u64,
    /// Tolerated clock difference between holder, issuer and verifier, in seconds.
    pub max_clock_skew_secs: u64,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy { accept_compact: false, max_key_binding_age_secs: 300, max_clock_skew_secs: 60 }
    }
}

impl VerifyPolicy {
    /// The default policy, also accepting the compact form.
    pub fn accepting_compact() -> Self {
        VerifyPolicy { accept_compact: true, ..Self::default() }
    }
}

/// The registered claims of a credential, read from its payload.
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialHeader {
    /// The form it was presented in.
    pub form: Form,
    /// The issuer's DID.
    pub iss: String,
    /// The credential type.
    pub vct: String,
    /// Issuance time.
    pub iat: Option<u64>,
    /// Start of validity.
    pub nbf: Option<u64>,
    /// End of validity.
    pub exp: Option<u64>,
    /// The status list entry.
    pub status: Option<StatusReference>,
    /// The holder key from `cnf`.
    pub holder: HolderKey,
    /// [`credential_digest`] of the credential.
    pub digest: [u8; 32],
}

/// A presentation that passed every check: the registered claims and the claims it discloses (plus those issued in
/// the clear).
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedPresentation {
    /// Issuer, type, times, status reference and holder key.
    pub credential: CredentialHeader,
    /// Every claim other than the registered ones: those in the clear and those disclosed.
    pub claims: Map<String, Value>,
}

/// An issued credential as its holder sees it (signatures not checked: see [`parse_issued`]).
#[derive(Clone, Debug, PartialEq)]
pub struct IssuedCredential {
    /// Issuer, type, times, status reference and holder key.
    pub credential: CredentialHeader,
    /// The claims issued in the clear.
    pub plain: Map<String, Value>,
    /// The claims the holder can choose to disclose, by name.
    pub disclosable: Map<String, Value>,
}

/// Issues a credential in `form`; returns its text (compact `<JWT>~<D1>~…~<Dn>~`, or the hybrid JSON).
pub fn issue(issuer: &Issuer<'_>, content: &CredentialContent, form: Form) -> Result<String, CredentialError> {
    check_content(content)?;
    let mut payload = Map::new();
    let mut digests = Vec::new();
    let mut disclosures = Vec::new();
    for claim in &content.claims {
        if claim.disclosable {
            let disclosure = make_disclosure(&claim.name, &claim.value);
            digests.push(disclosure_digest(&disclosure));
            disclosures.push(disclosure);
        } else {
            payload.insert(claim.name.clone(), claim.value.clone());
        }
    }
    for _ in 0..content.decoys {
        let mut random = [0u8; 32];
        OsRng.fill_bytes(&mut random);
        digests.push(b64_encode(&Sha256::digest(random)));
    }
    digests.sort();
    payload.insert("iss".into(), json!(issuer.did));
    payload.insert("vct".into(), json!(content.vct));
    payload.insert("iat".into(), json!(content.iat));
    payload.insert("nbf".into(), json!(content.nbf));
    payload.insert("exp".into(), json!(content.exp));
    payload.insert("cnf".into(), cnf_for(&content.holder, form));
    if let Some(status) = &content.status {
        payload.insert("status".into(), json!({"status_list": {"idx": status.idx, "uri": status.uri}}));
    }
    payload.insert("_sd_alg".into(), json!(SD_ALG));
    payload.insert("_sd".into(), json!(digests));
    let header = Map::from_iter([("typ".to_string(), json!(TYP_SD_JWT_VC))]);
    let text = match form {
        Form::Compact => {
            let mut header = header;
            header.insert("kid".into(), json!(issuer.kid_ed25519));
            let jwt = jose::sign_compact(Alg::EdDsa, header, &to_bytes(&payload), issuer.keypair);
            compact_text(&jwt, &disclosures, "")
        }
        Form::Hybrid => {
            let kids = [issuer.kid_ml_dsa_65, issuer.kid_ed25519];
            let mut jws = HybridJws::sign(&header, kids, &to_bytes(&payload), issuer.keypair);
            jws.signatures[0].header.insert("disclosures".into(), json!(disclosures));
            jws.to_json()
        }
    };
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge {
            what: "issued credential",
            limit: MAX_CREDENTIAL_BYTES,
            actual: text.len(),
        });
    }
    Ok(text)
}

/// Checks the caller's content before anything is signed: names, counts, times.
fn check_content(content: &CredentialContent) -> Result<(), CredentialError> {
    let disclosable = content.claims.iter().filter(|c| c.disclosable).count();
    if disclosable + content.decoys > MAX_DISCLOSURE_COUNT || content.decoys > MAX_DECOY_COUNT {
        return Err(CredentialError::TooLarge {
            what: "disclosures and decoys",
            limit: MAX_DISCLOSURE_COUNT,
            actual: disclosable + content.decoys,
        });
    }
    let mut seen = HashSet::new();
    for claim in &content.claims {
        let name = claim.name.as_str();
        let refuse = |detail| Err(CredentialError::Claim { name: name.to_string(), detail });
        if REGISTERED_CLAIMS.contains(&name) || RESERVED_NAMES.contains(&name) {
            return refuse(
                "the name is set by the issuer itself (registered or reserved) and cannot be given as a claim",
            );
        }
        if name.is_empty() || name.len() > MAX_CLAIM_NAME_BYTES {
            return refuse("a claim name must have 1 to MAX_CLAIM_NAME_BYTES bytes");
        }
        if !seen.insert(name) {
            return refuse("the claim is given twice");
        }
    }
    if content.vct.is_empty() || content.nbf > content.exp || content.iat > content.exp {
        return Err(CredentialError::Claim {
            name: "vct/nbf/exp".into(),
            detail: "`vct` must not be empty and `iat` and `nbf` must not be after `exp`",
        });
    }
    Ok(())
}

/// `cnf` for the holder: `{"jwk": OKP}` (compact) or `{"jwk": OKP, "pq_jwk": AKP}` (hybrid).
fn cnf_for(holder: &PublicKey, form: Form) -> Value {
    let (akp, okp) = hybrid_jwks(holder);
    match form {
        Form::Compact => json!({"jwk": okp.to_json()}),
        Form::Hybrid => json!({"jwk": okp.to_json(), CNF_PQ_JWK: akp.to_json()}),
    }
}

/// A disclosure `base64url([salt, name, value])` with a fresh 128-bit salt.
fn make_disclosure(name: &str, value: &Value) -> String {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    let array = json!([b64_encode(&salt), name, value]);
    b64_encode(&serde_json::to_vec(&array).expect("a JSON value always serializes"))
}

/// The digest of a disclosure: `base64url(SHA-256(ASCII(disclosure)))`.
fn disclosure_digest(disclosure: &str) -> String {
    b64_encode(&Sha256::digest(disclosure.as_bytes()))
}

/// The compact text: `<JWT>~<D1>~…~<Dn>~<KB-JWT>` (the KB-JWT may be empty).
fn compact_text(jwt: &str, disclosures: &[String], kb_jwt: &str) -> String {
    let mut text = String::from(jwt);
    text.push('~');
    for disclosure in disclosures {
        text.push_str(disclosure);
        text.push('~');
    }
    text.push_str(kb_jwt);
    text
}

/// The issuer-signed part of a credential in either form.
enum Signed {
    Compact(String),
    Hybrid(HybridJws),
}

/// A credential or presentation split into its parts, nothing verified yet.
struct Parsed {
    signed: Signed,
    disclosures: Vec<String>,
    kb_jwt: Option<String>,
    pq_kb_jwt: Option<String>,
}

impl Parsed {
    fn form(&self) -> Form {
        match self.signed {
            Signed::Compact(_) => Form::Compact,
            Signed::Hybrid(_) => Form::Hybrid,
        }
    }

    /// The base64url payload segment, covered by every issuer signature.
    fn payload_segment(&self) -> &str {
        match &self.signed {
            Signed::Compact(jwt) => jwt.split('.').nth(1).unwrap_or(""),
            Signed::Hybrid(jws) => &jws.payload,
        }
    }

    /// The `sd_hash` input of RFC 9901 §4.3.1 (compact) and §8.1 (JSON: entry 0 as compact) for `disclosures`.
    fn sd_hash(&self, disclosures: &[String]) -> String {
        let jwt = match &self.signed {
            Signed::Compact(jwt) => jwt.clone(),
            Signed::Hybrid(jws) => jws.first_as_compact(),
        };
        b64_encode(&Sha256::digest(compact_text(&jwt, disclosures, "").as_bytes()))
    }
}

/// Splits a credential or presentation (either form) and bounds its sizes.
fn parse(text: &str) -> Result<Parsed, CredentialError> {
    const WHAT: &str = "credential";
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge { what: WHAT, limit: MAX_CREDENTIAL_BYTES, actual: text.len() });
    }
    let parsed = if text.starts_with('{') {
        parse_hybrid(text)?
    } else {
        let parts: Vec<&str> = text.split('~').collect();
        if parts.len() < 2 || parts.len() > MAX_DISCLOSURE_COUNT + 2 {
            return Err(CredentialError::malformed(
                WHAT,
                "not `<JWT>~<Disclosures>~[<KB-JWT>]`, or too many disclosures",
            ));
        }
        let middle = &parts[1..parts.len() - 1];
        if middle.iter().any(|d| d.is_empty()) {
            return Err(CredentialError::malformed(WHAT, "an empty disclosure (`~~`)"));
        }
        if parts[0].split('.').count() != 3 {
            return Err(CredentialError::malformed(
                WHAT,
                "the issuer-signed JWT does not have three `.`-separated parts",
            ));
        }
        let last = parts[parts.len() - 1];
        Parsed {
            signed: Signed::Compact(parts[0].to_string()),
            disclosures: middle.iter().map(|d| d.to_string()).collect(),
            kb_jwt: (!last.is_empty()).then(|| last.to_string()),
            pq_kb_jwt: None,
        }
    };
    if parsed.disclosures.len() > MAX_DISCLOSURE_COUNT {
        return Err(CredentialError::TooLarge {
            what: "disclosures",
            limit: MAX_DISCLOSURE_COUNT,
            actual: parsed.disclosures.len(),
        });
    }
    Ok(parsed)
}

/// Splits the hybrid JSON form: disclosures and key-binding JWTs from entry 0's unprotected header, nothing in
/// entry 1's.
fn parse_hybrid(text: &str) -> Result<Parsed, CredentialError> {
    const WHAT: &str = "hybrid credential";
    let jws = HybridJws::parse(WHAT, text)?;
    let header = &jws.signatures[0].header;
    if let Some(name) = header.keys().find(|k| !["disclosures", "kb_jwt", HEADER_PQ_KB_JWT].contains(&k.as_str())) {
        return Err(CredentialError::malformed(WHAT, format!("unknown unprotected header member `{name}`")));
    }
    if !jws.signatures[1].header.is_empty() {
        return Err(CredentialError::malformed(WHAT, "the second signature must have no unprotected header"));
    }
    let disclosures = match header.get("disclosures") {
        None => Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_DISCLOSURE_COUNT => items
            .iter()
            .map(|d| {
                d.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| CredentialError::malformed(WHAT, "a disclosure is not a string"))
            })
            .collect::<Result<_, _>>()?,
        Some(Value::Array(items)) => {
            return Err(CredentialError::TooLarge {
                what: "disclosures",
                limit: MAX_DISCLOSURE_COUNT,
                actual: items.len(),
            })
        }
        Some(_) => return Err(CredentialError::malformed(WHAT, "`disclosures` is not an array")),
    };
    let optional = |name: &str| match header.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(CredentialError::malformed(WHAT, format!("`{name}` is not a string"))),
    };
    let (kb_jwt, pq_kb_jwt) = (optional("kb_jwt")?, optional(HEADER_PQ_KB_JWT)?);
    Ok(Parsed { signed: Signed::Hybrid(jws), disclosures, kb_jwt, pq_kb_jwt })
}

/// Verifies the issuer's signature(s) and returns the payload.
fn verify_issuer(
    parsed: &Parsed,
    issuer_key: &PublicKey,
    policy: &VerifyPolicy,
) -> Result<Map<String, Value>, CredentialError> {
    const WHAT: &str = "credential";
    let issuer_signature = |half| CredentialError::IssuerSignature { half };
    let verified = match &parsed.signed {
        Signed::Compact(_) if !policy.accept_compact => {
            return Err(CredentialError::ClassicalFormRefused { what: WHAT })
        }
        Signed::Compact(jwt) => {
            jose::verify_compact(WHAT, jwt, &Jwk::Okp(*issuer_key.ed25519()), TYP_SD_JWT_VC, issuer_signature)?
        }
        Signed::Hybrid(jws) => jws.verify(WHAT, issuer_key, TYP_SD_JWT_VC, issuer_signature)?,
    };
    parse_object("credential payload", &verified.payload)
}

/// Decodes the payload without checking any signature (holder side).
fn unverified_payload(parsed: &Parsed) -> Result<Map<String, Value>, CredentialError> {
    parse_object("credential payload", &b64_decode("credential payload", parsed.payload_segment())?)
}

/// A decoded disclosure: `[salt, name, value]` (object property) or `[salt, value]` (array element).
struct Disclosure {
    name: Option<String>,
    value: Value,
}

fn decode_disclosure(text: &str) -> Result<Disclosure, CredentialError> {
    const WHAT: &str = "disclosure";
    let Value::Array(mut items) = parse_strict(WHAT, &b64_decode(WHAT, text)?)? else {
        return Err(CredentialError::malformed(WHAT, "not a JSON array"));
    };
    if !items.first().is_some_and(Value::is_string) {
        return Err(CredentialError::malformed(WHAT, "the salt is not a string"));
    }
    match items.len() {
        2 => Ok(Disclosure { name: None, value: items.pop().unwrap_or(Value::Null) }),
        3 => {
            let value = items.pop().unwrap_or(Value::Null);
            let Some(Value::String(name)) = items.pop() else {
                return Err(CredentialError::malformed(WHAT, "the claim name is not a string"));
            };
            Ok(Disclosure { name: Some(name), value })
        }
        n => Err(CredentialError::malformed(WHAT, format!("{n} elements, expected 2 or 3"))),
    }
}

/// Replaces digests by the disclosed values (RFC 9901 §7.1), checking every rule; returns the processed payload.
struct Processor {
    table: HashMap<String, Disclosure>,
    used: HashSet<String>,
    seen: HashSet<String>,
}

impl Processor {
    fn new(disclosures: &[String]) -> Result<Self, CredentialError> {
        let mut table = HashMap::new();
        for text in disclosures {
            let digest = disclosure_digest(text);
            if table.contains_key(&digest) {
                return Err(CredentialError::DuplicateDisclosure { digest });
            }
            table.insert(digest, decode_disclosure(text)?);
        }
        Ok(Processor { table, used: HashSet::new(), seen: HashSet::new() })
    }

    /// Marks a digest as seen (each may appear once in the whole payload) and takes its disclosure, if presented.
    fn take(&mut self, digest: &Value) -> Result<Option<Disclosure>, CredentialError> {
        let digest = digest
            .as_str()
            .ok_or_else(|| CredentialError::malformed("credential payload", "a digest is not a string"))?;
        if !self.seen.insert(digest.to_string()) {
            return Err(CredentialError::DuplicateDigest { digest: digest.to_string() });
        }
        let found = self.table.remove(digest);
        if found.is_some() {
            self.used.insert(digest.to_string());
        }
        Ok(found)
    }

    fn object(&mut self, mut map: Map<String, Value>) -> Result<Map<String, Value>, CredentialError> {
        let digests = match map.remove("_sd") {
            None => Vec::new(),
            Some(Value::Array(digests)) => digests,
            Some(_) => return Err(CredentialError::malformed("credential payload", "`_sd` is not an array")),
        };
        let mut out = Map::new();
        for (name, value) in map {
            out.insert(name, self.value(value)?);
        }
        for digest in &digests {
            let Some(disclosure) = self.take(digest)? else { continue };
            let Some(name) = disclosure.name else {
                return Err(CredentialError::malformed(
                    "disclosure",
                    "an array-element disclosure is referenced from `_sd`",
                ));
            };
            if RESERVED_NAMES.contains(&name.as_str()) || (name != "iat" && REGISTERED_CLAIMS.contains(&name.as_str()))
            {
                return Err(CredentialError::ReservedClaimDisclosed { name });
            }
            if out.contains_key(&name) {
                return Err(CredentialError::DisclosedClaimExists { name });
            }
            let value = self.value(disclosure.value)?;
            out.insert(name, value);
        }
        Ok(out)
    }

    fn value(&mut self, value: Value) -> Result<Value, CredentialError> {
        match value {
            Value::Object(map) => Ok(Value::Object(self.object(map)?)),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::Object(map) if map.len() == 1 && map.contains_key("...") => {
                            let Some(disclosure) = self.take(&map["..."])? else { continue };
                            if disclosure.name.is_some() {
                                return Err(CredentialError::malformed(
                                    "disclosure",
                                    "a claim disclosure is referenced from an array",
                                ));
                            }
                            out.push(self.value(disclosure.value)?);
                        }
                        other => out.push(self.value(other)?),
                    }
                }
                Ok(Value::Array(out))
            }
            other => Ok(other),
        }
    }
}

/// Processes the disclosures against the payload: every disclosure must be referenced exactly once.
fn process(mut payload: Map<String, Value>, disclosures: &[String]) -> Result<Map<String, Value>, CredentialError> {
    match payload.remove("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == SD_ALG => {}
        Some(other) => return Err(CredentialError::UnsupportedHashAlg { alg: other.to_string() }),
    }
    let mut processor = Processor::new(disclosures)?;
    let claims = processor.object(payload)?;
    if let Some(digest) = processor.table.keys().next() {
        return Err(CredentialError::DisclosureNotInPayload { digest: digest.clone() });
    }
    Ok(claims)
}

/// Reads the registered claims out of a processed payload; returns them and the remaining claims.
fn split_registered(
    parsed: &Parsed,
    mut claims: Map<String, Value>,
) -> Result<(CredentialHeader, Map<String, Value>), CredentialError> {
    const WHAT: &str = "credential payload";
    let iss = get_str(WHAT, &claims, "iss")?.to_string();
    let vct = get_str(WHAT, &claims, "vct")?.to_string();
    let (iat, nbf, exp) =
        (get_time(WHAT, &claims, "iat")?, get_time(WHAT, &claims, "nbf")?, get_time(WHAT, &claims, "exp")?);
    let status = match claims.get("status") {
        None => None,
        Some(value) => Some(read_status(value)?),
    };
    let holder = read_cnf(claims.get("cnf"), parsed.form())?;
    for name in REGISTERED_CLAIMS {
        claims.remove(name);
    }
    let digest = digest_of_segment(parsed.payload_segment());
    Ok((CredentialHeader { form: parsed.form(), iss, vct, iat, nbf, exp, status, holder, digest }, claims))
}

fn read_status(value: &Value) -> Result<StatusReference, CredentialError> {
    const WHAT: &str = "credential status";
    let list = value
        .get("status_list")
        .and_then(Value::as_object)
        .ok_or_else(|| CredentialError::malformed(WHAT, "`status.status_list` is missing or not an object"))?;
    let idx = get_time(WHAT, list, "idx")?.ok_or_else(|| CredentialError::malformed(WHAT, "`idx` is missing"))?;
    Ok(StatusReference { idx, uri: get_str(WHAT, list, "uri")?.to_string() })
}

/// The holder key from `cnf`: the hybrid form needs both `jwk` (OKP) and `pq_jwk` (AKP).
fn read_cnf(cnf: Option<&Value>, form: Form) -> Result<HolderKey, CredentialError> {
    let cnf = cnf.and_then(Value::as_object).ok_or(CredentialError::HolderKeyMissing { detail: "no `cnf` object" })?;
    let okp = match Jwk::from_json(cnf.get("jwk").ok_or(CredentialError::HolderKeyMissing { detail: "no `cnf.jwk`" })?)?
    {
        Jwk::Okp(key) => key,
        Jwk::Akp(_) => {
            return Err(CredentialError::HolderKeyMissing { detail: "`cnf.jwk` must be the Ed25519 OKP key" })
        }
    };
    if form == Form::Compact {
        return Ok(HolderKey::Ed25519(okp));
    }
    let pq = cnf.get(CNF_PQ_JWK).ok_or(CredentialError::HolderKeyMissing {
        detail: "no `cnf.pq_jwk` (ML-DSA-65 key) in a hybrid credential",
    })?;
    match Jwk::from_json(pq)? {
        Jwk::Akp(ml_dsa) => Ok(HolderKey::Hybrid(PublicKey::from_components(ml_dsa, okp))),
        Jwk::Okp(_) => Err(CredentialError::HolderKeyMissing { detail: "`cnf.pq_jwk` must be the ML-DSA-65 AKP key" }),
    }
}

fn digest_of_segment(segment: &str) -> [u8; 32] {
    Sha256::digest(segment.as_bytes()).into()
}

/// The stable commitment to one credential that consents name: SHA-256 of the ASCII base64url payload segment of
/// the issuer-signed JWT (the bytes every issuer signature covers after the header). The same for the issued
/// credential and every presentation of it, in whichever disclosures.
pub fn credential_digest(text: &str) -> Result<[u8; 32], CredentialError> {
    let parsed = parse(text)?;
    unverified_payload(&parsed)?;
    Ok(digest_of_segment(parsed.payload_segment()))
}

/// The `iss` of a credential or presentation, read WITHOUT checking any signature: for finding the issuer's key
/// (resolving its DID) before [`verify_presentation`], which checks everything with that key.
pub fn issuer_of(text: &str) -> Result<String, CredentialError> {
    Ok(peek(text)?.iss)
}

/// Reads an issued credential on the holder's side: what it can disclose. The disclosures are checked against the
/// payload's digests; the issuer's signatures are NOT checked here (a verifier checks them in
/// [`verify_presentation`]).
pub fn parse_issued(text: &str) -> Result<IssuedCredential, CredentialError> {
    let parsed = parse(text)?;
    if parsed.kb_jwt.is_some() || parsed.pq_kb_jwt.is_some() {
        return Err(CredentialError::malformed(
            "credential",
            "this is a presentation (it has a key-binding JWT), not an issued credential",
        ));
    }
    let payload = unverified_payload(&parsed)?;
    let plain_payload = process(payload.clone(), &[])?;
    let (credential, plain) = split_registered(&parsed, plain_payload)?;
    let mut disclosable = Map::new();
    for text in &parsed.disclosures {
        if let Disclosure { name: Some(name), value } = decode_disclosure(text)? {
            disclosable.insert(name, value);
        }
    }
    process(payload, &parsed.disclosures)?;
    Ok(IssuedCredential { credential, plain, disclosable })
}

/// Makes a presentation of an issued credential: the disclosures of the claims named in `disclose`, and key binding
/// to `aud` and `nonce` at time `iat` signed with `holder` (EdDSA; and ML-DSA-65 as well in the hybrid form).
pub fn present(
    issued: &str,
    holder: &Keypair,
    disclose: &[&str],
    aud: &str,
    nonce: &str,
    iat: u64,
) -> Result<String, CredentialError> {
    let parsed = parse(issued)?;
    let IssuedCredential { credential, disclosable, .. } = parse_issued(issued)?;
    let bound = match &credential.holder {
        HolderKey::Hybrid(key) => key == holder.public_key(),
        HolderKey::Ed25519(key) => key == holder.public_key().ed25519(),
    };
    if !bound {
        return Err(CredentialError::HolderKeyMismatch);
    }
    if let Some(name) = disclose.iter().find(|name| !disclosable.contains_key(**name)) {
        return Err(CredentialError::Claim {
            name: name.to_string(),
            detail: "the credential has no disclosable claim of this name",
        });
    }
    let mut chosen = Vec::new();
    for text in &parsed.disclosures {
        if let Disclosure { name: Some(name), .. } = decode_disclosure(text)? {
            if disclose.contains(&name.as_str()) {
                chosen.push(text.clone());
            }
        }
    }
    let kb_payload = to_bytes(&Map::from_iter([
        ("aud".to_string(), json!(aud)),
        ("iat".to_string(), json!(iat)),
        ("nonce".to_string(), json!(nonce)),
        ("sd_hash".to_string(), json!(parsed.sd_hash(&chosen))),
    ]));
    let kb_header = Map::from_iter([("typ".to_string(), json!(TYP_KB_JWT))]);
    let kb_jwt = jose::sign_compact(Alg::EdDsa, kb_header.clone(), &kb_payload, holder);
    let text = match parsed.signed {
        Signed::Compact(jwt) => compact_text(&jwt, &chosen, &kb_jwt),
        Signed::Hybrid(mut jws) => {
            let pq_kb_jwt = jose::sign_compact(Alg::MlDsa65, kb_header, &kb_payload, holder);
            let header = &mut jws.signatures[0].header;
            header.insert("disclosures".into(), json!(chosen));
            header.insert("kb_jwt".into(), json!(kb_jwt));
            header.insert(HEADER_PQ_KB_JWT.into(), json!(pq_kb_jwt));
            jws.to_json()
        }
    };
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge {
            what: "presentation",
            limit: MAX_CREDENTIAL_BYTES,
            actual: text.len(),
        });
    }
    Ok(text)
}

/// Verifies a presentation: size and structure, the allow-list, the issuer's signature(s), every disclosure's
/// digest, validity times, and key binding (audience, nonce, age, `sd_hash`, signature by the `cnf` key(s)).
/// Returns the registered claims and the disclosed ones; the first failed check is the error.
pub fn verify_presentation(
    text: &str,
    issuer_key: &PublicKey,
    expected_aud: &str,
    expected_nonce: &str,
    now: u64,
    policy: &VerifyPolicy,
) -> Result<VerifiedPresentation, CredentialError> {
    let parsed = parse(text)?;
    let payload = verify_issuer(&parsed, issuer_key, policy)?;
    let processed = process(payload, &parsed.disclosures)?;
    let (credential, claims) = split_registered(&parsed, processed)?;
    if let Some(exp) = credential.exp {
        if now >= exp.saturating_add(policy.max_clock_skew_secs) {
            return Err(CredentialError::Expired { what: "credential", exp, now });
        }
    }
    if let Some(nbf) = credential.nbf {
        if now.saturating_add(policy.max_clock_skew_secs) < nbf {
            return Err(CredentialError::NotYetValid { nbf, now });
        }
    }
    let expected = KeyBindingExpectation {
        aud: expected_aud,
        nonce: expected_nonce,
        now,
        policy,
        sd_hash: parsed.sd_hash(&parsed.disclosures),
    };
    let kb_jwt = parsed.kb_jwt.as_deref().ok_or(CredentialError::KeyBindingMissing { detail: "no key-binding JWT" })?;
    match &credential.holder {
        HolderKey::Ed25519(key) => expected.check(kb_jwt, &Jwk::Okp(*key))?,
        HolderKey::Hybrid(key) => {
            let pq_kb_jwt = parsed.pq_kb_jwt.as_deref().ok_or(CredentialError::KeyBindingMissing {
                detail: "no ML-DSA-65 key-binding JWT (`pq_kb_jwt`) in a hybrid presentation",
            })?;
            let (akp, okp) = hybrid_jwks(key);
            expected.check(pq_kb_jwt, &akp)?;
            expected.check(kb_jwt, &okp)?;
        }
    }
    Ok(VerifiedPresentation { credential, claims })
}

/// What a key-binding JWT must say.
struct KeyBindingExpectation<'a> {
    aud: &'a str,
    nonce: &'a str,
    now: u64,
    policy: &'a VerifyPolicy,
    sd_hash: String,
}

impl KeyBindingExpectation<'_> {
    fn check(&self, kb_jwt: &str, key: &Jwk) -> Result<(), CredentialError> {
        const WHAT: &str = "key-binding JWT";
        let verified = jose::verify_compact(WHAT, kb_jwt, key, TYP_KB_JWT, |half: Half| {
            CredentialError::KeyBindingSignature { half }
        })?;
        let payload = parse_object(WHAT, &verified.payload)?;
        let aud = get_str(WHAT, &payload, "aud")?;
        if aud != self.aud {
            return Err(CredentialError::KeyBindingAudience {
                expected: self.aud.to_string(),
                actual: aud.to_string(),
            });
        }
        if get_str(WHAT, &payload, "nonce")? != self.nonce {
            return Err(CredentialError::KeyBindingNonce);
        }
        let iat =
            get_time(WHAT, &payload, "iat")?.ok_or_else(|| CredentialError::malformed(WHAT, "`iat` is missing"))?;
        let too_old = iat.saturating_add(self.policy.max_key_binding_age_secs) < self.now;
        if too_old || iat > self.now.saturating_add(self.policy.max_clock_skew_secs) {
            return Err(CredentialError::KeyBindingTime { iat, now: self.now });
        }
        if get_str(WHAT, &payload, "sd_hash")? != self.sd_hash {
            return Err(CredentialError::SdHashMismatch);
        }
        Ok(())
    }
}

/// Reads the registered claims of a credential or a presentation WITHOUT checking any signature or disclosure
/// against the issuer: what a verifier needs to find the issuer's key and the ledger proofs before calling
/// [`verify_presentation`]. Nothing it returns may be trusted until that call succeeds.
pub fn peek(text: &str) -> Result<CredentialHeader, CredentialError> {
    let parsed = parse(text)?;
    let payload = unverified_payload(&parsed)?;
    let claims = process(payload, &parsed.disclosures)?;
    Ok(split_registered(&parsed, claims)?.0)
}
