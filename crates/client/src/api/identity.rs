//! Answers of the identity routes (`/v1/identity/…`): credential schemas, issuers' accreditations with their chains
//! up to a trust root, status lists and their entries, citizens' consents.
//!
//! Every answer carries the proofs of what it shows: `certified` (the certified header, once) and `proofs` (one
//! [`KeyProof`] per state key read, each naming that header's height), so `publica verify` checks it offline. The
//! records shown are the proven values decoded (borsh, `publica_identity::schema`); a verifier that trusts only
//! the proofs decodes them from `proofs` itself and decides with `publica_identity::verify`.

use publica_identity::schema::{Accreditation, Consent, ConsentUse, SchemaRecord, StatusListHeader};
use publica_identity::IdentityError;
use publica_types::Address;
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Serialize};

/// A credential schema (`GET /v1/identity/schemas/{hash}`, `GET /v1/identity/schemas?type=&version=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaResponse {
    /// The registered record; its `document` is the proven bytes, hex, whose SHA-256 is `hash`.
    pub schema: SchemaRecord,
    /// The same document parsed as JSON, for reading. Its member order and spacing may differ from the proven
    /// bytes: hash and verify `schema.document`, never this.
    pub document: serde_json::Value,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the schema's key (and, when asked by type and version, first of the version's key).
    pub proofs: Vec<KeyProof>,
}

/// Whether an accreditation's issuer was accredited at a time, as `publica_identity::verify::accredited_at`
/// decides from the proven chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccreditationDecision {
    /// The time asked about, Unix milliseconds.
    pub at_ms: u64,
    /// The issuer was accredited for the type at `at_ms` through the whole chain.
    pub accredited: bool,
    /// When not: the check that failed (`not_accredited`, `accredited_only_after`, `accreditation_expired`,
    /// `revoked`, `other_type`, `broken_chain`, `chain_too_long`, `untrusted_root`).
    pub failed_check: Option<String>,
    /// When not: why, naming the link.
    pub reason: Option<String>,
}

impl AccreditationDecision {
    /// The decision at `at_ms` from the verifier's result.
    pub fn new<T>(at_ms: u64, result: Result<T, IdentityError>) -> Self {
        match result {
            Ok(_) => Self { at_ms, accredited: true, failed_check: None, reason: None },
            Err(e) => Self {
                at_ms,
                accredited: false,
                failed_check: Some(failed_check(&e).to_owned()),
                reason: Some(e.to_string()),
            },
        }
    }
}

/// The name of the check an [`IdentityError`] reports.
pub fn failed_check(e: &IdentityError) -> &'static str {
    match e {
        IdentityError::NotAccredited(_) => "not_accredited",
        IdentityError::AccreditedOnlyAfter { .. } => "accredited_only_after",
        IdentityError::AccreditationExpired { .. } => "accreditation_expired",
        IdentityError::Revoked { .. } => "revoked",
        IdentityError::OtherType { .. } => "other_type",
        IdentityError::BrokenChain(_) => "broken_chain",
        IdentityError::ChainTooLong { .. } => "chain_too_long",
        IdentityError::UntrustedRoot(_) => "untrusted_root",
        IdentityError::StatusIndexOutOfRange { .. } => "status_index_out_of_range",
        IdentityError::MalformedChunk(_) => "malformed_chunk",
    }
}

/// An accreditation with its chain up to its root (`GET /v1/identity/accreditations/{id}?at=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccreditationResponse {
    /// The accreditation asked for.
    pub accreditation: Accreditation,
    /// The accreditations above it: its parent first, up to the one a trust root made (empty when a trust root
    /// made this one).
    pub chain: Vec<Accreditation>,
    /// Whether its issuer was accredited for its type at the time asked about, through the chain.
    pub decision: AccreditationDecision,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of every record shown, the accreditation's first, then each link in turn.
    pub proofs: Vec<KeyProof>,
}

/// An issuer's accreditations for a type (`GET /v1/identity/issuers/{address}/accreditations?type=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerAccreditationsResponse {
    /// The issuer.
    pub issuer: Address,
    /// The credential type.
    pub credential_type: String,
    /// Its accreditations for the type, in the order they were made (revoked and expired ones included).
    pub accreditations: Vec<Accreditation>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the issuer's index for the type (or its absence), then of each accreditation.
    pub proofs: Vec<KeyProof>,
}

/// A status list, or a page of its chunks (`GET /v1/identity/status-lists/{owner}/{list}?from_chunk=&chunks=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusListResponse {
    /// The list's header: owner, number, bits per entry, capacity.
    pub header: StatusListHeader,
    /// The list's number of chunks (1,024 bytes each, the last one shorter).
    pub chunk_count: u32,
    /// The first chunk shown.
    pub from_chunk: u32,
    /// The number of chunks shown; the whole list when `from_chunk` is 0 and this is `chunk_count`.
    pub chunks: u32,
    /// The packed entries of those chunks, base64url without padding: the uncompressed `lst` of the IETF Token
    /// Status List (entry `i` of a `b`-bit list in byte `i·b / 8`, from the least significant bit) starting at
    /// byte `from_chunk · 1024`. An absent chunk (never updated) is zeros: every entry valid.
    pub packed: String,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the header's key, then of each chunk's key in order (an absent chunk by a non-membership proof).
    pub proofs: Vec<KeyProof>,
}

/// One entry of a status list (`GET /v1/identity/status-lists/{owner}/{list}/entries/{index}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusEntryResponse {
    /// The list's header.
    pub header: StatusListHeader,
    /// The entry asked about.
    pub index: u32,
    /// Its status: 0 valid, 1 revoked, 2 suspended (3 is not used).
    pub status: u8,
    /// The status's name: `valid`, `revoked`, `suspended` (or `reserved` for 3).
    pub status_name: String,
    /// The chunk that holds the entry.
    pub chunk: u32,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the header's key and of the one chunk's key (its absence proves every entry of it valid).
    pub proofs: Vec<KeyProof>,
}

/// The name of a status value of a Token Status List entry.
pub fn status_name(status: u8) -> &'static str {
    match status {
        0 => "valid",
        1 => "revoked",
        2 => "suspended",
        _ => "reserved",
    }
}

/// A consent with a page of its uses (`GET /v1/identity/consents/{id}?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentResponse {
    /// The consent; `consent.uses` counts every recorded use.
    pub consent: Consent,
    /// The uses on this page, in the order they were recorded.
    pub uses: Vec<ConsentUse>,
    /// The number of the first use shown (uses are numbered from 0).
    pub from: u32,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the consent's key, then of each use shown.
    pub proofs: Vec<KeyProof>,
}

/// A page of the consents a citizen granted or that were granted to an account
/// (`GET /v1/identity/grantors/{address}/consents`, `GET /v1/identity/grantees/{address}/consents`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentsResponse {
    /// The grantor or grantee.
    pub address: Address,
    /// The position of the first consent shown in the address's list (from 0, in the order they were granted).
    pub from: u64,
    /// The consents on this page; fewer than the limit asked for means the list ends here.
    pub consents: Vec<Consent>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the address's count, then for each consent of its index entry and its record.
    pub proofs: Vec<KeyProof>,
}
