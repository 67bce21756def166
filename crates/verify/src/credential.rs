//! Offline verification of a credential presentation with the ledger's proofs: the question a relying party asks
//! of an SD-JWT VC (`docs/credentials.md`): is it genuine, was its issuer entitled to issue it, and is it still in
//! force?
//!
//! The presentation comes with a [`CredentialBundle`]: three node answers that the holder carries or the verifier
//! fetched once (`publica credential bundle`), each with its certified header and state proofs. Every check uses
//! only what those proofs establish; nothing in a bundle is taken on the node's word. The checks, in order, each
//! failing with its own [`CredentialCheckError`] that names it:
//!
//! 1. **issuer key**: the bundle's DID resolution verifies ([`crate::did`]), is the credential's `iss`, and is the
//!    version of the issuer's DID document in force at the credential's issuance time (`iat`);
//! 2. **credential**: [`publica_credentials::verify_presentation`] with that key: both signatures (or EdDSA alone
//!    for the compact form, when the policy accepts it), the disclosures' digests, validity times, key binding to
//!    the verifier's audience and nonce;
//! 3. **accreditation**: the proven accreditation records chain from the issuer up to a trust root, for the
//!    credential's type (`vct`), every link in force at `iat` ([`publica_identity::verify::accredited_at`]); the
//!    proofs' header must be at or after `iat`, so that no revocation before issuance can be missing;
//!    then **schema**: the disclosed claims follow the schema that accreditation names, proven by the bundle
//!    ([`publica_identity::verify::check_claims`]);
//! 4. **status**, when the credential has one: the proven status list header and chunk give its entry: valid,
//!    revoked or suspended; the list must be the issuer's own, and the proofs no older than the policy allows (a
//!    holder could otherwise carry a proof from before a revocation).

use serde::{Deserialize, Serialize};

use publica_accounts::did::{Did, DidDocument};
use publica_credentials::jose::Jwk as JoseJwk;
use publica_credentials::{CredentialError, StatusReference, VerifiedPresentation, VerifyPolicy};
use publica_identity::error::IdentityError;
use publica_identity::schema::{
    accreditation_key, schema_key, status_chunk_key, status_list_key, Accreditation, SchemaRecord, StatusListHeader,
};
use publica_types::time::parse_time_ms;
use publica_types::{codec, Address, PublicKey};

use crate::did::{verify_resolution, DidResolution};
use crate::{verify_document, VerifiedRead, VerifiedSets, VerifyError};

/// Largest proven record decoded here (an accreditation or a status list header is well under 1 KB).
const MAX_RECORD_BYTES: usize = 16 * 1024;

/// The path a status list's URI ends with: `…/v1/identity/status-lists/<owner>/<list>`.
pub const STATUS_LIST_PATH: &str = "/v1/identity/status-lists/";

/// The ledger proofs a presentation is checked with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialBundle {
    /// The issuer's DID resolved at the credential's issuance time (`GET /v1/dids/{did}?versionTime=…`).
    pub issuer: DidResolution,
    /// An answer proving the issuer's accreditation and its chain up to a root
    /// (`GET /v1/identity/accreditations/{id}`).
    pub accreditation: serde_json::Value,
    /// An answer proving the schema the issuer's accreditation names (`GET /v1/identity/schemas/{hash}`): the
    /// disclosed claims are checked against it.
    pub schema: serde_json::Value,
    /// An answer proving the credential's status list header and the chunk of its entry
    /// (`GET /v1/identity/status-lists/{owner}/{list}/entries/{index}`); absent for a credential without status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<serde_json::Value>,
}

/// What the verifier expects, and what it accepts.
#[derive(Clone, Debug)]
pub struct CredentialPolicy {
    /// The audience the key-binding JWT must name (the verifier's own identifier).
    pub audience: String,
    /// The nonce the verifier gave the holder.
    pub nonce: String,
    /// Now, seconds since the Unix epoch.
    pub now_secs: u64,
    /// The presentation checks (forms accepted, key-binding age, clock skew).
    pub presentation: VerifyPolicy,
    /// How old the status proof's block may be, in seconds.
    pub max_status_age_secs: u64,
    /// The trust roots accepted at the top of an accreditation chain (`None`: any root the ledger knows).
    pub trusted_roots: Option<Vec<Address>>,
}

/// The default age limit of a status proof: one day.
pub const DEFAULT_MAX_STATUS_AGE_SECS: u64 = 24 * 3600;

/// Why a presentation was refused: the check that failed, and what it found.
#[derive(Debug, thiserror::Error)]
pub enum CredentialCheckError {
    /// The issuer's key could not be established from the bundle.
    #[error("issuer key: {0}")]
    IssuerKey(String),
    /// A proof of the bundle does not verify.
    #[error("ledger proof: {0}")]
    Proof(#[from] VerifyError),
    /// The presentation itself fails (signature, disclosure, time, key binding).
    #[error("credential ({check}): {error}", check = .0.check(), error = .0)]
    Credential(#[from] CredentialError),
    /// The issuer was not accredited for the type at issuance.
    #[error("accreditation: {0}")]
    Accreditation(String),
    /// The disclosed claims do not follow the type's schema, or the schema is not proven.
    #[error("schema: {0}")]
    Schema(String),
    /// The status could not be established, or the credential is not in force.
    #[error("status: {0}")]
    Status(String),
    /// The credential is revoked.
    #[error("status: revoked (entry {index} of list {list} of {owner}, as of block {height})")]
    Revoked { owner: Address, list: u32, index: u32, height: u64 },
    /// The credential is suspended.
    #[error("status: suspended (entry {index} of list {list} of {owner}, as of block {height})")]
    Suspended { owner: Address, list: u32, index: u32, height: u64 },
}

impl CredentialCheckError {
    /// The name of the check that failed.
    pub fn check(&self) -> &'static str {
        match self {
            Self::IssuerKey(_) => "issuer key",
            Self::Proof(_) => "ledger proof",
            Self::Credential(e) => e.check(),
            Self::Accreditation(_) => "accreditation",
            Self::Schema(_) => "schema",
            Self::Status(_) => "status",
            Self::Revoked { .. } => "revoked",
            Self::Suspended { .. } => "suspended",
        }
    }
}

/// A presentation that passed every check.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedCredential {
    /// The issuer's DID.
    pub issuer: Did,
    /// What the presentation discloses, with the registered claims.
    pub presentation: VerifiedPresentation,
    /// The issuer's own accreditation (the first link of the chain).
    pub accreditation: Accreditation,
    /// The number of links up to the root.
    pub chain_links: usize,
    /// When the credential has a status: the block and time the status is proven as of.
    pub status_as_of: Option<(u64, u64)>,
}

/// Check a presentation with its bundle; see the module documentation for the checks and their order.
pub fn verify_credential(
    presentation: &str,
    bundle: &CredentialBundle,
    sets: &VerifiedSets,
    policy: &CredentialPolicy,
) -> Result<VerifiedCredential, CredentialCheckError> {
    let claimed = publica_credentials::peek(presentation)?;
    let iat = claimed.iat.ok_or_else(|| {
        CredentialCheckError::IssuerKey("the credential has no `iat`: its issuer's key cannot be dated".into())
    })?;
    let (issuer, key) = issuer_key(&bundle.issuer, &claimed.iss, iat, sets)?;
    let verified = publica_credentials::verify_presentation(
        presentation,
        &key,
        &policy.audience,
        &policy.nonce,
        policy.now_secs,
        &policy.presentation,
    )?;
    let credential = &verified.credential;
    let (accreditation, chain_links) =
        accreditation(&bundle.accreditation, &issuer.address, &credential.vct, iat, sets, policy)?;
    schema(&bundle.schema, &accreditation, &verified.claims, sets)?;
    let status_as_of = match &credential.status {
        None => None,
        Some(reference) => {
            let proofs = bundle.status.as_ref().ok_or_else(|| {
                CredentialCheckError::Status(
                    "the credential has a status, but the bundle carries no status proof".into(),
                )
            })?;
            Some(status(proofs, reference, &issuer.address, sets, policy)?)
        }
    };
    Ok(VerifiedCredential { issuer, presentation: verified, accreditation, chain_links, status_as_of })
}

/// Check 1: the issuer's key in force at `iat`, from a verified resolution of the DID `iss`.
fn issuer_key(
    resolution: &DidResolution,
    iss: &str,
    iat: u64,
    sets: &VerifiedSets,
) -> Result<(Did, PublicKey), CredentialCheckError> {
    let fail = CredentialCheckError::IssuerKey;
    let verified = verify_resolution(resolution, sets)?;
    if verified.did.to_string() != iss {
        return Err(fail(format!("the bundle resolves {}, but the credential's issuer is {iss}", verified.did)));
    }
    let seconds = |text: &str| parse_time_ms(text).map(|ms| ms / 1000).map_err(|e| fail(format!("{text}: {e}")));
    let from = verified.metadata.updated.as_deref().map(seconds).transpose()?;
    let until = verified.metadata.next_update.as_deref().map(seconds).transpose()?;
    if from.is_some_and(|from| iat < from) || until.is_some_and(|until| iat >= until) {
        return Err(fail(format!(
            "the bundle's DID document version {} was not the issuer's key at the credential's issuance ({iat}); \
             resolve the DID with versionTime set to the issuance time",
            verified.metadata.version_id
        )));
    }
    let key = document_key(&verified.document)?;
    Ok((verified.did, key))
}

/// The hybrid key a DID document lists: its ML-DSA-65 (`AKP`) and Ed25519 (`OKP`) verification methods.
pub fn document_key(document: &DidDocument) -> Result<PublicKey, CredentialCheckError> {
    let fail = CredentialCheckError::IssuerKey;
    let mut ml_dsa = None;
    let mut ed25519 = None;
    for method in &document.verification_method {
        let json = serde_json::to_value(&method.public_key_jwk).map_err(|e| fail(e.to_string()))?;
        match JoseJwk::from_json(&json)? {
            JoseJwk::Akp(key) => ml_dsa = Some(key),
            JoseJwk::Okp(key) => ed25519 = Some(key),
        }
    }
    let (Some(ml_dsa), Some(ed25519)) = (ml_dsa, ed25519) else {
        return Err(fail(format!("the DID document of {} does not list both halves of the key", document.id)));
    };
    Ok(PublicKey::from_components(ml_dsa, ed25519))
}

/// The reads of a proof document, every proof verified.
fn proven_reads(document: &serde_json::Value, sets: &VerifiedSets) -> Result<Vec<VerifiedRead>, VerifyError> {
    let bytes = serde_json::to_vec(document).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    Ok(verify_document(&bytes, sets)?.reads)
}

/// Check 3: the proven accreditation chain from `issuer` for `vct`, in force at `iat` (seconds).
fn accreditation(
    document: &serde_json::Value,
    issuer: &Address,
    vct: &str,
    iat: u64,
    sets: &VerifiedSets,
    policy: &CredentialPolicy,
) -> Result<(Accreditation, usize), CredentialCheckError> {
    let fail = CredentialCheckError::Accreditation;
    let reads = proven_reads(document, sets)?;
    let at_ms = iat.saturating_mul(1000);
    // Accreditation keys are a fixed prefix and an 8-byte number; the other proofs (the issuer's index) are skipped.
    let shape = accreditation_key(0);
    let prefix = &shape[..shape.len() - 8];
    let mut records = Vec::new();
    for read in &reads {
        let Some(value) = &read.value else { continue };
        if read.key.len() != shape.len() || !read.key.starts_with(prefix) {
            continue;
        }
        let record: Accreditation = codec::decode_canonical("accreditation", value, MAX_RECORD_BYTES)
            .map_err(|e| fail(format!("a proven accreditation does not decode: {e}")))?;
        if accreditation_key(record.id) != read.key {
            return Err(fail(format!("accreditation {} is proven under another number's key", record.id)));
        }
        if read.time_ms < at_ms {
            return Err(fail(format!(
                "the accreditation proofs are of block {} ({} ms), before the credential's issuance ({at_ms} ms): a \
                 revocation before issuance could be missing; fetch them again",
                read.height, read.time_ms
            )));
        }
        records.push(record);
    }
    let by_id = |id: u64| records.iter().find(|r| r.id == id);
    let leaves: Vec<&Accreditation> =
        records.iter().filter(|r| r.issuer == *issuer && r.credential_type == vct).collect();
    let mut first_error: Option<IdentityError> = None;
    for leaf in &leaves {
        let mut chain = vec![(*leaf).clone()];
        while let Some(parent) = chain.last().and_then(|r| r.parent) {
            match by_id(parent) {
                Some(up) if chain.len() <= publica_identity::verify::MAX_ACCREDITATION_CHAIN_LINKS => {
                    chain.push(up.clone())
                }
                _ => break,
            }
        }
        let roots = policy.trusted_roots.as_deref();
        match publica_identity::verify::accredited_at(issuer, vct, at_ms, &chain, roots) {
            Ok(first) => return Ok((first.clone(), chain.len())),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(fail(match first_error {
        Some(e) => e.to_string(),
        None => format!("the bundle proves no accreditation of {issuer} for {vct:?}"),
    }))
}

/// Check 3b: the disclosed claims against the schema the issuer's accreditation names, proven.
fn schema(
    document: &serde_json::Value,
    accreditation: &Accreditation,
    claims: &serde_json::Map<String, serde_json::Value>,
    sets: &VerifiedSets,
) -> Result<(), CredentialCheckError> {
    let fail = CredentialCheckError::Schema;
    let reads = proven_reads(document, sets)?;
    let key = schema_key(&accreditation.schema);
    let read = reads
        .iter()
        .find(|r| r.key == key)
        .ok_or_else(|| fail(format!("the bundle does not prove schema {}", hex_of(&accreditation.schema))))?;
    let bytes = read.value.as_deref().ok_or_else(|| fail("the accreditation's schema is proven absent".into()))?;
    let record: SchemaRecord =
        codec::decode_canonical("schema", bytes, publica_identity::call::MAX_SCHEMA_DOCUMENT_BYTES * 2)
            .map_err(|e| fail(format!("the proven schema record does not decode: {e}")))?;
    if record.type_name != accreditation.credential_type {
        return Err(fail(format!(
            "the schema is registered for {:?}, not for the credential's type",
            record.type_name
        )));
    }
    let schema: serde_json::Value = serde_json::from_slice(&record.document)
        .map_err(|e| fail(format!("the registered schema is not JSON: {e}")))?;
    publica_identity::verify::check_claims(&schema, claims).map_err(fail)
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Check 4: the credential's status entry, from the proven list header and chunk.
fn status(
    document: &serde_json::Value,
    reference: &StatusReference,
    issuer: &Address,
    sets: &VerifiedSets,
    policy: &CredentialPolicy,
) -> Result<(u64, u64), CredentialCheckError> {
    let fail = CredentialCheckError::Status;
    let (owner, list) = parse_status_uri(&reference.uri).map_err(fail)?;
    if owner != *issuer {
        return Err(fail(format!("the status list belongs to {owner}, not to the credential's issuer {issuer}")));
    }
    let index = u32::try_from(reference.idx).map_err(|_| fail(format!("index {} is out of range", reference.idx)))?;
    let reads = proven_reads(document, sets)?;
    let find = |key: &[u8]| reads.iter().find(|r| r.key == key);
    let header_read = find(&status_list_key(&owner, list))
        .ok_or_else(|| fail(format!("the bundle does not prove status list {list} of {owner}")))?;
    let header_bytes =
        header_read.value.as_deref().ok_or_else(|| fail(format!("status list {list} of {owner} is proven absent")))?;
    let header: StatusListHeader = codec::decode_canonical("status list", header_bytes, MAX_RECORD_BYTES)
        .map_err(|e| fail(format!("the proven status list header does not decode: {e}")))?;
    if index >= header.capacity {
        return Err(fail(format!("index {index} is out of range: the list has {} entries", header.capacity)));
    }
    let chunk_read = find(&status_chunk_key(&owner, list, header.chunk_of(index)))
        .ok_or_else(|| fail(format!("the bundle does not prove the chunk holding entry {index}")))?;
    if chunk_read.height != header_read.height {
        return Err(fail("the list header and the chunk are proven under different blocks".into()));
    }
    let age = policy.now_secs.saturating_sub(chunk_read.time_ms / 1000);
    if age > policy.max_status_age_secs {
        return Err(fail(format!(
            "the status proof is of block {} ({age} s old), older than the {} s accepted: fetch a fresh one",
            chunk_read.height, policy.max_status_age_secs
        )));
    }
    let height = chunk_read.height;
    match publica_identity::verify::status_at(&header, index, chunk_read.value.as_deref())
        .map_err(|e| fail(e.to_string()))?
    {
        0 => Ok((height, chunk_read.time_ms)),
        1 => Err(CredentialCheckError::Revoked { owner, list, index, height }),
        _ => Err(CredentialCheckError::Suspended { owner, list, index, height }),
    }
}

/// The owner and number of a status list from its URI, which ends with `/v1/identity/status-lists/<owner>/<list>`.
pub fn parse_status_uri(uri: &str) -> Result<(Address, u32), String> {
    let bad = || format!("the status list URI {uri:?} does not end with {STATUS_LIST_PATH}<owner>/<list>");
    let at = uri.rfind(STATUS_LIST_PATH).ok_or_else(bad)?;
    let rest = &uri[at + STATUS_LIST_PATH.len()..];
    let (owner, list) = rest.split_once('/').ok_or_else(bad)?;
    let owner: Address = owner.parse().map_err(|_| bad())?;
    let digits = !list.is_empty() && list.len() <= 10 && list.bytes().all(|b| b.is_ascii_digit());
    let list = list.parse::<u32>().ok().filter(|_| digits).ok_or_else(bad)?;
    Ok((owner, list))
}

/// The URI of a status list, as credentials name it: the node's API followed by the list's path.
pub fn status_uri(api: &str, owner: &Address, list: u32) -> String {
    format!("{}{STATUS_LIST_PATH}{owner}/{list}", api.trim_end_matches('/'))
}
