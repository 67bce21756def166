//! `POST /v1/credentials/verify`: a credential presentation checked by the node against its own state, with the
//! library call an offline verifier makes ([`publica_verify::verify_credential`]), so the two cannot disagree.
//!
//! The node builds the presentation's bundle from one read of its state (the issuer's DID document version in
//! force at the credential's `iat`, the issuer's accreditation for the type in force then with its chain up to a
//! root, the credential's status entry), all proven under one certified header, and checks it with the validator
//! sets it verifies from its genesis and its validator history: the same proofs a holder would carry. A refused
//! credential is an answer (200, `valid: false`, the check that failed and why), not an error.
//!
//! The route is public, so it is bounded before any work: the body ([`MAX_VERIFY_BODY_BYTES`]), the presentation
//! ([`MAX_CREDENTIAL_BYTES`]), the audience and nonce ([`MAX_VERIFIER_TEXT_BYTES`]), the trust roots
//! ([`MAX_TRUSTED_ROOT_COUNT`]); the presentation's registered claims are read (no signature) before the state is,
//! and everything after that runs on the blocking pool.

use axum::extract::State;

use publica_accounts::did::{Did, VersionQuery, VersionState};
use publica_accounts::query::did_version;
use publica_client::api::{StatusAsOf, VerifyCredentialRequest, VerifyCredentialResponse};
use publica_credentials::{CredentialHeader, VerifyPolicy, MAX_CREDENTIAL_BYTES};
use publica_identity::query;
use publica_node::shared::now_ms;
use publica_node::NodeHandle;
use publica_types::StateRead;
use publica_verify::credential::{parse_status_uri, DEFAULT_MAX_STATUS_AGE_SECS};
use publica_verify::did::{ResolutionMetadata, DID_CONTENT_TYPE, RESOLUTION_CONTEXT};
use publica_verify::{
    verify_credential, CertifiedReads, CredentialBundle, CredentialPolicy, DidResolution, VerifiedSets,
};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::Json;

/// Longest audience or nonce, in bytes.
pub const MAX_VERIFIER_TEXT_BYTES: usize = 1024;
/// Most trust roots one request may name.
pub const MAX_TRUSTED_ROOT_COUNT: usize = 64;
/// Largest body of `POST /v1/credentials/verify`: a presentation of [`MAX_CREDENTIAL_BYTES`] whose every quote is
/// escaped in its JSON string (a hybrid presentation is JSON), and room for the audience, nonce and trust roots.
pub const MAX_VERIFY_BODY_BYTES: usize = 2 * MAX_CREDENTIAL_BYTES + 16 * 1024;

const _: () = assert!(2 * MAX_VERIFIER_TEXT_BYTES * 2 + MAX_TRUSTED_ROOT_COUNT * 48 < 16 * 1024);

/// `POST /v1/credentials/verify`.
pub(crate) async fn verify(
    State(node): State<NodeHandle>,
    Json(request): Json<VerifyCredentialRequest>,
) -> Result<axum::Json<VerifyCredentialResponse>, ApiError> {
    check_bounds(&request)?;
    // The cheap parse first: a text that is not a credential is answered without touching the state.
    let claimed = match publica_credentials::peek(&request.presentation) {
        Ok(claimed) => claimed,
        Err(e) => return Ok(axum::Json(VerifyCredentialResponse::invalid(e.check(), e.to_string()))),
    };
    let answer = blocking(move || answer(&node, &request, &claimed)).await??;
    Ok(axum::Json(answer))
}

/// Refuse a request larger than the route accepts, or one that cannot name a verifier.
fn check_bounds(request: &VerifyCredentialRequest) -> Result<(), ApiError> {
    if request.presentation.is_empty() {
        return Err(ApiError::Malformed("presentation is empty: give the presentation the holder made".into()));
    }
    if request.presentation.len() > MAX_CREDENTIAL_BYTES {
        return Err(ApiError::TooLarge(format!(
            "the presentation is {} bytes; a presentation is at most {MAX_CREDENTIAL_BYTES} bytes",
            request.presentation.len()
        )));
    }
    for (name, text) in [("audience", &request.audience), ("nonce", &request.nonce)] {
        if text.is_empty() || text.len() > MAX_VERIFIER_TEXT_BYTES {
            return Err(ApiError::Malformed(format!(
                "{name} must be 1 to {MAX_VERIFIER_TEXT_BYTES} bytes (it is {}): the one the presentation's \
                 key-binding JWT must name",
                text.len()
            )));
        }
    }
    match request.trusted_roots.as_deref() {
        Some([]) => Err(ApiError::Malformed(
            "trusted_roots is empty, which trusts no root: name at least one, or leave it out to accept any root the \
             ledger knows"
                .into(),
        )),
        Some(roots) if roots.len() > MAX_TRUSTED_ROOT_COUNT => Err(ApiError::Malformed(format!(
            "trusted_roots names {} roots; at most {MAX_TRUSTED_ROOT_COUNT}",
            roots.len()
        ))),
        _ => Ok(()),
    }
}

/// The answer for a presentation whose registered claims were read: its bundle from the node's state, checked.
fn answer(
    node: &NodeHandle,
    request: &VerifyCredentialRequest,
    claimed: &CredentialHeader,
) -> Result<VerifyCredentialResponse, ApiError> {
    let bundle = match build_bundle(node, claimed)? {
        Ok(bundle) => bundle,
        Err(reason) => return Ok(VerifyCredentialResponse::invalid("issuer key", reason)),
    };
    let sets = verified_sets(node)?;
    let policy = CredentialPolicy {
        audience: request.audience.clone(),
        nonce: request.nonce.clone(),
        now_secs: now_ms() / 1000,
        presentation: if request.accept_compact { VerifyPolicy::accepting_compact() } else { VerifyPolicy::default() },
        max_status_age_secs: DEFAULT_MAX_STATUS_AGE_SECS,
        trusted_roots: request.trusted_roots.clone(),
    };
    Ok(match verify_credential(&request.presentation, &bundle, &sets, &policy) {
        Ok(v) => VerifyCredentialResponse::valid(
            v.issuer.to_string(),
            v.presentation.credential.vct,
            v.presentation.claims,
            v.accreditation,
            v.status_as_of.map(|(height, time_ms)| StatusAsOf { height, time_ms }),
        ),
        Err(e) => VerifyCredentialResponse::invalid(e.check(), e.to_string()),
    })
}

/// What one read of the state found for a bundle: the issuer's DID version, and how many of the keys read prove
/// the DID, the accreditation and its schema (the status keys follow).
struct Parts {
    version: VersionState,
    did_keys: usize,
    accreditation_keys: usize,
    schema_keys: usize,
}

/// The credential's bundle from one read of the node's state, or why the issuer's key cannot be established (the
/// verifier's first check, so the answer names the same check it would).
///
/// Whatever the ledger lacks further on is proven absent rather than refused here (no accreditation for the type:
/// the proof of the issuer's empty index; no such status list: the proof of its absent header), so the verifier
/// refuses it in its own order, after the presentation's checks.
fn build_bundle(node: &NodeHandle, claimed: &CredentialHeader) -> Result<Result<CredentialBundle, String>, ApiError> {
    let Some(iat) = claimed.iat else {
        return Ok(Err("the credential has no `iat`: its issuer's key cannot be dated".into()));
    };
    let did = match Did::parse(&claimed.iss) {
        Ok(did) => did,
        Err(e) => return Ok(Err(format!("the credential's issuer {:?} is not a did:publica DID: {e}", claimed.iss))),
    };
    if did.chain != *node.chain_id() {
        return Ok(Err(format!(
            "the issuer {did} is an account of network {}; this node serves {}: ask a node of that network",
            did.chain,
            node.chain_id()
        )));
    }
    let at_ms = iat.saturating_mul(1000);
    let (parts, reads) = node.read(|state| {
        let Some((version, mut keys)) = did_version(state, &did.address, VersionQuery::AtTime(at_ms)) else {
            return Ok::<_, ApiError>((None, Vec::new()));
        };
        let did_keys = keys.len();
        let (accreditation, schema) = accreditation_keys(state, &did, &claimed.vct, at_ms);
        let (accreditation_keys, schema_keys) = (accreditation.len(), schema.len());
        keys.extend(accreditation);
        keys.extend(schema);
        keys.extend(status_keys(state, claimed));
        Ok((Some(Parts { version, did_keys, accreditation_keys, schema_keys }), keys))
    })?;
    let Some(parts) = parts else {
        return Ok(Err(format!("{did} is not an account of this ledger: no key of it can be established")));
    };
    let CertifiedReads { certified, reads } = reads;
    let mut reads = reads.into_iter();
    let did_proofs: Vec<_> = reads.by_ref().take(parts.did_keys).collect();
    let accreditation_proofs: Vec<_> = reads.by_ref().take(parts.accreditation_keys).collect();
    let schema_proofs: Vec<_> = reads.by_ref().take(parts.schema_keys).collect();
    let status_proofs: Vec<_> = reads.collect();
    let document = |proofs| serde_json::json!({ "certified": certified, "proofs": proofs });
    let accreditation = document(accreditation_proofs);
    let schema = document(schema_proofs);
    // A status reference the verifier refuses before reading any proof (a URI that names no list, an index past
    // 2^32) gets a document without proofs; otherwise the list's header (present or proven absent) and the chunk.
    let status = claimed.status.as_ref().map(|_| document(status_proofs));
    let issuer = DidResolution {
        context: RESOLUTION_CONTEXT.into(),
        did_document: parts.version.document(&did),
        did_resolution_metadata: ResolutionMetadata { content_type: DID_CONTENT_TYPE.into() },
        did_document_metadata: parts.version.metadata(),
        certified,
        proofs: did_proofs,
    };
    Ok(Ok(CredentialBundle { issuer, accreditation, schema, status }))
}

/// The keys proving the issuer's accreditation for `vct` in force at `at_ms` (else its latest) with its chain up
/// to a root, after the issuer's index for the type (which proves there is none when it is empty).
fn accreditation_keys(state: &dyn StateRead, did: &Did, vct: &str, at_ms: u64) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let listed = query::issuer_accreditations(state, &did.address, vct);
    let mut keys = listed.keys.into_iter().take(1).collect::<Vec<_>>();
    let records = listed.value;
    let mut schema_keys = Vec::new();
    if let Some(chosen) = publica_identity::verify::accreditation_for(&records, at_ms) {
        keys.extend(query::accreditation_chain(state, chosen.id).keys);
        schema_keys = query::schema(state, &chosen.schema).keys;
    }
    (keys, schema_keys)
}

/// The keys proving the credential's status entry: the list's header, and the chunk holding the entry when the
/// list has it; none when the credential has no status or names no list the verifier could read.
fn status_keys(state: &dyn StateRead, claimed: &CredentialHeader) -> Vec<Vec<u8>> {
    let Some(reference) = &claimed.status else { return Vec::new() };
    let (Ok((owner, list)), Ok(index)) = (parse_status_uri(&reference.uri), u32::try_from(reference.idx)) else {
        return Vec::new();
    };
    match query::status_entry(state, &owner, list, index) {
        Ok(found) => found.keys,
        // Past the list's capacity: the header alone proves it.
        Err(_) => query::status_list(state, &owner, list).keys,
    }
}

/// The node's validator sets, verified from its genesis once per change of the validator set and then kept: a
/// public route must not redo every certificate check of the history on each request.
fn verified_sets(node: &NodeHandle) -> Result<VerifiedSets, ApiError> {
    /// Networks served by this process (one, but for tests), each with its sets as of its number of changes.
    static CACHE: std::sync::Mutex<Vec<(publica_types::Hash, usize, VerifiedSets)>> = std::sync::Mutex::new(Vec::new());
    const MAX_CACHED_NETWORKS: usize = 8;
    let history = node.validator_history()?;
    let key = (crate::network_id(node)?, history.changes.len());
    let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, _, sets)) = cache.iter().find(|(g, n, _)| (*g, *n) == key) {
        return Ok(sets.clone());
    }
    let sets = history.verify(node.genesis()).map_err(|e| {
        ApiError::Internal(format!(
            "this node's validator history does not verify from its genesis ({e}); the store is damaged"
        ))
    })?;
    cache.retain(|(g, _, _)| *g != key.0);
    if cache.len() >= MAX_CACHED_NETWORKS {
        cache.remove(0);
    }
    cache.push((key.0, key.1, sets.clone()));
    Ok(sets)
}
