//! Answers of the registry routes: land parcels and their titles, applications, permits, companies.
//!
//! Every answer carries the proofs of what it shows: `certified` (the certified header, once) and `proofs` (one
//! [`KeyProof`] per key read, each naming that header's height). "As of a date" answers
//! (`GET /v1/land/parcels/{id}/owners`, `GET /v1/permits/{id}/status`) are [`publica_verify::OwnershipAnswer`] and
//! [`PermitStatusAnswer`] themselves. `GET /v1/business/companies/{number}/bods` answers with a list of BODS 0.4
//! statements, JSON objects of that standard.

use publica_registry::call::ApplicationAction;
use publica_registry::geo::BBox;
use publica_registry::query::ApplicationState;
use publica_registry::schema::{Application, Company, Encumbrance, FilingRecord, Parcel, Permit, Title, Version};
use publica_types::RecordId;
use publica_verify::{CertifiedHeader, KeyProof, PermitStatusAnswer, ReadProof};
use serde::{Deserialize, Serialize};

/// A parcel's current record (`GET /v1/land/parcels/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParcelResponse {
    /// The parcel's latest version.
    pub parcel: Version<Parcel>,
    /// The boundary, an RFC 7946 Polygon.
    pub geometry: serde_json::Value,
    /// The title's latest version: who owns the parcel.
    pub title: Version<Title>,
    /// The encumbrances in force, latest versions.
    pub encumbrances: Vec<Version<Encumbrance>>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of every key read: the parcel's, the boundary's, the title's and each encumbrance's head and latest
    /// version.
    pub proofs: Vec<KeyProof>,
}

/// A page of a parcel's history (`GET /v1/land/parcels/{id}/history`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParcelHistoryResponse {
    /// The parcel's latest version number.
    pub parcel_versions: u32,
    /// The title's latest version number.
    pub title_versions: u32,
    /// The parcel's versions on this page.
    pub parcel: Vec<Version<Parcel>>,
    /// The title's versions on this page.
    pub title: Vec<Version<Title>>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the two head keys and of every version listed.
    pub proofs: Vec<KeyProof>,
}

/// The parcels a bounding box touches (`GET /v1/land/parcels?bbox=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchResponse {
    /// The box searched, 1e-7 degree.
    pub bbox: BBox,
    /// Parcel numbers, at most 1,000; each parcel's own route proves it.
    pub parcels: Vec<RecordId>,
    /// More parcels touch the box than are listed: search a smaller one.
    pub truncated: bool,
}

/// An application and its approvals (`GET /v1/registry/applications/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationResponse {
    /// The application's latest version.
    pub application: Version<Application>,
    /// What it does once every stage approved it.
    pub action: ApplicationAction,
    /// Where it stands at the last block's time (an open application past its deadline has expired).
    pub state: ApplicationState,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of its head key, its latest version and its action.
    pub proofs: Vec<KeyProof>,
}

/// A permit's current record and its status now (`GET /v1/permits/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermitResponse {
    /// The permit's latest version.
    pub permit: Version<Permit>,
    /// Its status at the last block's time, with the proofs to check it: a document of its own (with its own
    /// certified header, the same block unless one was committed in between), which `publica verify` checks.
    pub status: PermitStatusAnswer,
    /// The certified header the proofs of `permit` lead to.
    pub certified: CertifiedHeader,
    /// Proofs of its head key and latest version.
    pub proofs: Vec<KeyProof>,
}

/// A company's current record (`GET /v1/business/companies/{number}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyResponse {
    /// The company's latest version.
    pub company: Version<Company>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of its head key and latest version.
    pub proofs: Vec<KeyProof>,
}

/// A page of a company's history (`GET /v1/business/companies/{number}/history`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyHistoryResponse {
    /// The company's latest version number.
    pub versions: u32,
    /// The company's versions on this page.
    pub company: Vec<Version<Company>>,
    /// The filings made in the versions listed.
    pub filings: Vec<Version<FilingRecord>>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the head key, of every version and of every filing listed.
    pub proofs: Vec<KeyProof>,
}

/// Who holds a company name (`GET /v1/business/companies?name=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameResponse {
    /// The name's normalised form.
    pub normalised: String,
    /// The company holding it, or `null` when it is free.
    pub company: Option<RecordId>,
    /// Proof of the name's key (membership: taken; non-membership: free).
    pub proof: ReadProof,
}
