//! Offline check of a DID resolution (`GET /v1/dids/{did}`, `publica did resolve --out`): the document and its
//! metadata must be exactly what the proven state of the account gives (`docs/did-publica.md`).
//!
//! A resolution proves two or three state keys under one certified header: the account record, its count of
//! retired keys, and the retired key the version needs (the version's own key for a past version, the last one
//! retired for the current version; none when the account never rotated). The verifier checks the header and the
//! proofs, insists that the keys are exactly those, rebuilds the document and its metadata from the proven values
//! with the accounts module's own builder, and compares: a node cannot show another key, hide a rotation or a
//! suspension, or dress a past version as the current one.

use serde::{Deserialize, Serialize};

use publica_accounts::did::{Did, DidDocument, DocumentMetadata, VersionState};
use publica_accounts::query::decode_count;
use publica_accounts::schema::{account_key, retired_count_key, retired_key_key, AccountRecord, RetiredKey};
use publica_types::codec;

use crate::{CertifiedHeader, KeyProof, VerifiedSets, VerifyError};

/// The JSON-LD context of a resolution result.
pub const RESOLUTION_CONTEXT: &str = "https://w3id.org/did-resolution/v1";

/// The media type of a DID document in JSON.
pub const DID_CONTENT_TYPE: &str = "application/did+json";

/// Largest stored account record or retired key accepted when decoding a proven value: a key is about 2 KB.
const MAX_RECORD_BYTES: usize = 64 * 1024;

/// A DID resolution result with the proofs of the state it is built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DidResolution {
    /// [`RESOLUTION_CONTEXT`].
    #[serde(rename = "@context")]
    pub context: String,
    /// The document.
    pub did_document: DidDocument,
    /// How it was resolved.
    pub did_resolution_metadata: ResolutionMetadata,
    /// Its version, and whether the account is deactivated.
    pub did_document_metadata: DocumentMetadata,
    /// The certified header the proofs lead to.
    pub certified: CertifiedHeader,
    /// The account record, its count of retired keys and, when it rotated, the retired key the version needs.
    pub proofs: Vec<KeyProof>,
}

/// The resolution metadata (DID Resolution, `didResolutionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolutionMetadata {
    /// [`DID_CONTENT_TYPE`].
    pub content_type: String,
}

/// What a verified resolution establishes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedDid {
    /// The DID.
    pub did: Did,
    /// The document, as rebuilt from the proven state (equal to the one served).
    pub document: DidDocument,
    /// Its metadata, as rebuilt.
    pub metadata: DocumentMetadata,
    /// Height of the certified header.
    pub height: u64,
    /// Its block time, Unix milliseconds.
    pub time_ms: u64,
    /// How many validators signed it.
    pub signers: usize,
}

/// Check a resolution against the validator sets, and that its document and metadata follow from its proofs.
pub fn verify_resolution(resolution: &DidResolution, sets: &VerifiedSets) -> Result<VerifiedDid, VerifyError> {
    let answer = |why: String| VerifyError::Answer(why);
    let did = Did::parse(&resolution.did_document.id)
        .map_err(|e| answer(format!("the document's id is not a did:publica identifier: {e}")))?;
    if did.chain != *sets.chain_id() {
        return Err(VerifyError::WrongChain { expected: sets.chain_id().clone(), got: did.chain });
    }
    if resolution.context != RESOLUTION_CONTEXT || resolution.did_resolution_metadata.content_type != DID_CONTENT_TYPE {
        return Err(answer(format!(
            "a resolution names the context {RESOLUTION_CONTEXT} and the content type {DID_CONTENT_TYPE}"
        )));
    }
    sets.verify_header(&resolution.certified)?;
    let reads =
        resolution.proofs.iter().map(|p| p.verify_under(&resolution.certified)).collect::<Result<Vec<_>, _>>()?;
    let address = &did.address;
    let [record, count, rest @ ..] = reads.as_slice() else {
        return Err(answer("a resolution proves the account record and its count of retired keys".into()));
    };
    if record.key != account_key(address) || count.key != retired_count_key(address) {
        return Err(answer(format!("the first two proofs are not of the account record and key count of {did}")));
    }
    let record_bytes = record.value.as_deref().ok_or_else(|| answer(format!("the proofs show no account {did}")))?;
    let record: AccountRecord = codec::decode_canonical("account record", record_bytes, MAX_RECORD_BYTES)
        .map_err(|e| answer(format!("the proven account record does not decode: {e}")))?;
    let retired = match count.value.as_deref() {
        None => 0,
        Some(bytes) => decode_count(bytes).ok_or_else(|| answer("the proven key count is not 8 bytes".into()))?,
    };
    let entry = match rest {
        [] => None,
        [one] => Some(retired_entry(one, address, retired)?),
        _ => return Err(answer("a resolution proves at most one retired key".into())),
    };
    let past = resolution.did_document_metadata.next_version_id.is_some();
    let version = VersionState { record, retired, entry, past };
    version.check().map_err(answer)?;
    let (document, metadata) = (version.document(&did), version.metadata());
    if document != resolution.did_document {
        return Err(answer("the document is not the one the proven account state gives".into()));
    }
    if metadata != resolution.did_document_metadata {
        return Err(answer("the document metadata is not what the proven account state gives".into()));
    }
    let header = &resolution.certified;
    Ok(VerifiedDid {
        did,
        document,
        metadata,
        height: header.header.height,
        time_ms: header.header.time_ms,
        signers: header.certificate.signatures.len(),
    })
}

/// The retired key a proof shows: its key must be one of the account's retired keys, below the count.
fn retired_entry(
    read: &crate::VerifiedRead,
    address: &publica_types::Address,
    retired: u64,
) -> Result<(u64, RetiredKey), VerifyError> {
    let answer = |why: String| VerifyError::Answer(why);
    let prefix = retired_key_key(address, 0);
    let prefix = &prefix[..prefix.len() - 8];
    let number = read
        .key
        .strip_prefix(prefix)
        .and_then(|n| <[u8; 8]>::try_from(n).ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| answer("the third proof is not of one of the account's retired keys".into()))?;
    if number >= retired {
        return Err(answer(format!("retired key {number} is proven, but the account retired only {retired}")));
    }
    let bytes = read.value.as_deref().ok_or_else(|| answer(format!("retired key {number} is proven absent")))?;
    let key: RetiredKey = codec::decode_canonical("retired key", bytes, MAX_RECORD_BYTES)
        .map_err(|e| answer(format!("the proven retired key {number} does not decode: {e}")))?;
    Ok((number, key))
}

/// Whether a JSON document is a DID resolution (has a `didDocument`), so `publica verify` can route it here.
pub fn is_resolution(value: &serde_json::Value) -> bool {
    value.get("didDocument").is_some() && value.get("didDocumentMetadata").is_some()
}
