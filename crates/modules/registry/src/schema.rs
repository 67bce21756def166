//! State layout of the registry module. Every key starts with `reg/`.
//!
//! | key | value |
//! |---|---|
//! | `reg/<kind>/<id>/h` | latest version number of a record, u32 little-endian |
//! | `reg/<kind>/<id>/v/` ‖ version (u32 big-endian) | borsh [`Version`] of that record: one key per version, never overwritten |
//! | `reg/geom/<parcel id>` | borsh [`Polygon`](crate::geo::Polygon), written once when the parcel is created |
//! | `reg/appx/<application id>` | borsh `crate::call::ApplicationAction`, written once when the application is opened |
//! | `reg/grid/` ‖ level (u8) ‖ x (u32 BE) ‖ y (u32 BE) | borsh [`Cell`] of the spatial index |
//! | `reg/next/app`, `reg/next/enc`, `reg/next/company` | next application / encumbrance number / company serial, u64 little-endian |
//! | `reg/company-name/<normalised name>` | the number of the company holding that name (kept after dissolution) |
//!
//! `<kind>` is one of `parcel`, `title`, `enc`, `app`, `permit`, `company`, `filing` ([`RecordKind`]); `<id>` is a
//! [`RecordId`] (parcels, titles, permits, companies by number, filings as `<company>.<n>`; a title shares its
//! parcel's id) or a decimal number (applications, encumbrances). Neither
//! contains `/`, so keys never collide. Every version carries the height, block time, transaction and
//! application that made it, so a record's full history, and the version in force at any date, can be proven from
//! the state root in a signed header.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use crate::call::{EncumbranceKind, Party, MAX_OWNERS, MAX_REGISTRY_TEXT_BYTES};
use publica_types::RecordId;
use publica_types::{codec, Address, AgencyId, Hash, Role, TxId};

use crate::geo::BBox;

/// The kinds of versioned records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A land parcel: status, lineage, area.
    Parcel,
    /// The title of a parcel: owners and shares, encumbrances.
    Title,
    /// A mortgage or lien.
    Encumbrance,
    /// An application going through a workflow.
    Application,
    /// A permit or licence.
    Permit,
    /// A company of the business register.
    Company,
    /// A filing of a company (annual return, change of officers, ...).
    Filing,
}

impl RecordKind {
    /// The kind's segment in state keys.
    pub fn key_segment(self) -> &'static str {
        match self {
            Self::Parcel => "parcel",
            Self::Title => "title",
            Self::Encumbrance => "enc",
            Self::Application => "app",
            Self::Permit => "permit",
            Self::Company => "company",
            Self::Filing => "filing",
        }
    }
}

/// A record type of the engine: its kind, the largest encoding of one version, and the validation every version
/// passes before it is written and again when it is read back.
pub trait Record: BorshSerialize + BorshDeserialize + Clone + std::fmt::Debug {
    /// The kind, which names the record's keys.
    const KIND: RecordKind;
    /// Largest encoded [`Version`] of this type, in bytes; decoding outside bytes refuses anything longer.
    const MAX_VERSION_BYTES: usize;
    /// The schema's rules; a message that says what is wrong.
    fn check(&self) -> Result<(), String>;
}

/// One version of a record, as stored under its own key.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Version<T> {
    /// The record's kind (repeated in the value so a decoded version names its own key).
    pub kind: RecordKind,
    /// The record's identifier.
    pub id: String,
    /// Version number, from 1.
    pub version: u32,
    /// Height of the block that wrote it.
    pub height: u64,
    /// Block time of that block, Unix milliseconds. Non-decreasing from one version to the next.
    pub time_ms: u64,
    /// The transaction that wrote it.
    pub tx_id: TxId,
    /// The application whose final approval wrote it, if any.
    pub application: Option<u64>,
    /// The record's content at this version.
    pub value: T,
}

/// The life-cycle state of a parcel.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    /// On the map; its title is in force.
    Active,
    /// Replaced by subdivision or merger; kept for history. Its successors are in `children`.
    Retired,
}

/// A land parcel. Its boundary is stored once under `reg/geom/<id>`; versions record status and lineage.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Parcel {
    /// Life-cycle state.
    pub status: ParcelStatus,
    /// Bounding box of the boundary, 1e-7 degree.
    pub bbox: BBox,
    /// Area in square metres (see [`crate::geo::area_m2`]).
    pub area_m2: u64,
    /// Twice the area in the lon/lat plane, square 1e-7 degree; exact, compared by subdivisions and mergers.
    pub doubled_area: u128,
    /// Number of boundary vertices.
    pub vertices: u32,
    /// The parcels this one was made from (one for a subdivision, several for a merger, none at first
    /// registration).
    pub parents: Vec<RecordId>,
    /// The parcels that replaced this one (set when it is retired).
    pub children: Vec<RecordId>,
}

impl Record for Parcel {
    const KIND: RecordKind = RecordKind::Parcel;
    const MAX_VERSION_BYTES: usize = 8 * 1024;
    fn check(&self) -> Result<(), String> {
        if !self.bbox.is_valid() || self.doubled_area == 0 || self.vertices < 3 {
            return Err("a parcel needs a valid bounding box, a positive area and at least 3 vertices".into());
        }
        if self.parents.len() > 64 || self.children.len() > 64 {
            return Err("a parcel has at most 64 parents and 64 children".into());
        }
        if (self.status == ParcelStatus::Retired) == self.children.is_empty() {
            return Err("a parcel has children exactly when it is retired".into());
        }
        Ok(())
    }
}

/// One owner of a title.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Owner {
    /// The owner's account.
    pub account: Address,
    /// For a citizen, the salted commitment to the national identifier that the citizen's account holds, so that
    /// the title alone lets the citizen prove ownership by opening the commitment. `None` for agencies' accounts.
    /// Hex in JSON, like every hash.
    #[serde(with = "codec::hex_hash_opt")]
    pub id_commitment: Option<Hash>,
    /// Numerator of the share, in lowest terms with `denominator`.
    pub numerator: u64,
    /// Denominator of the share.
    pub denominator: u64,
}

/// Why a title version exists.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TitleBasis {
    /// First registration by a registrar.
    FirstRegistration,
    /// A transfer application took effect (its number is the version's `application`).
    Transfer,
    /// A probate court passed a deceased owner's share to heirs.
    Inheritance {
        /// The deceased owner.
        deceased: Address,
        /// The court's case reference.
        case: String,
    },
    /// A court set the owners.
    CourtOrder {
        /// The court's case reference.
        case: String,
    },
    /// An encumbrance was registered.
    EncumbranceRegistered {
        /// Its number.
        encumbrance: u64,
    },
    /// An encumbrance was released.
    EncumbranceReleased {
        /// Its number.
        encumbrance: u64,
    },
    /// The parcel was created by subdividing `parent`; the owners are the parent's.
    Subdivision {
        /// The parent parcel.
        parent: RecordId,
    },
    /// The parcel was created by merging `parents`; the owners are theirs.
    Merger {
        /// The merged parcels.
        parents: Vec<RecordId>,
    },
    /// The parcel was retired by subdivision or merger; the title is no longer in force.
    Retired {
        /// The parcels that replaced it.
        successors: Vec<RecordId>,
    },
}

/// The title of a parcel (same id as the parcel).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Title {
    /// Owners sorted by account; shares sum to exactly one (empty once retired).
    pub owners: Vec<Owner>,
    /// Numbers of the encumbrances in force, ascending.
    pub encumbrances: Vec<u64>,
    /// Why this version exists.
    pub basis: TitleBasis,
}

/// Most encumbrances in force on one parcel.
pub const MAX_ENCUMBRANCES: usize = 32;

impl Title {
    /// Whether the title is in force (its parcel is not retired).
    pub fn in_force(&self) -> bool {
        !matches!(self.basis, TitleBasis::Retired { .. })
    }
}

impl Record for Title {
    const KIND: RecordKind = RecordKind::Title;
    const MAX_VERSION_BYTES: usize = 16 * 1024;
    fn check(&self) -> Result<(), String> {
        if self.encumbrances.len() > MAX_ENCUMBRANCES || !self.encumbrances.windows(2).all(|w| w[0] < w[1]) {
            return Err(format!("a title has at most {MAX_ENCUMBRANCES} encumbrances, in ascending order"));
        }
        match &self.basis {
            TitleBasis::Inheritance { case, .. } | TitleBasis::CourtOrder { case } => {
                check_text("case reference", case)?
            }
            _ => {}
        }
        if !self.in_force() {
            return if self.owners.is_empty() && self.encumbrances.is_empty() {
                Ok(())
            } else {
                Err("a retired title has no owners and no encumbrances".into())
            };
        }
        if self.owners.is_empty() || self.owners.len() > MAX_OWNERS {
            return Err(format!("a title has 1 to {MAX_OWNERS} owners"));
        }
        if !self.owners.windows(2).all(|w| w[0].account < w[1].account) {
            return Err("a title's owners are distinct and sorted by account".into());
        }
        let shares: Vec<(u64, u64)> = self.owners.iter().map(|o| (o.numerator, o.denominator)).collect();
        crate::shares::check_sum_one(&shares).map_err(|e| e.message)
    }
}

/// A mortgage or lien.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Encumbrance {
    /// The encumbered parcel.
    pub parcel: RecordId,
    /// Mortgage or lien.
    pub kind: EncumbranceKind,
    /// The agency that registered it; only its officials may release it.
    pub agency: AgencyId,
    /// The role under which it was registered (`bank` or `court`); releasing needs the same role.
    pub role: Role,
    /// The official who registered it.
    pub registered_by: Address,
    /// The holder's public reference (loan or case number), printable text.
    pub reference: String,
    /// The official who released it; `None` while in force.
    pub released_by: Option<Address>,
}

impl Record for Encumbrance {
    const KIND: RecordKind = RecordKind::Encumbrance;
    const MAX_VERSION_BYTES: usize = 4 * 1024;
    fn check(&self) -> Result<(), String> {
        check_text("reference", &self.reference)
    }
}

/// An approval recorded on an application.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Approval {
    /// Whom it speaks for.
    pub party: Party,
    /// The account that approved.
    pub by: Address,
    /// Height of the approving transaction's block.
    pub height: u64,
    /// Its block time.
    pub time_ms: u64,
    /// The approving transaction.
    pub tx_id: TxId,
}

/// Where an application stands, as stored. An open application past its deadline is expired; see
/// [`crate::query::application_state`].
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for approvals.
    Open,
    /// Every required party approved and the action took effect.
    Approved,
    /// A required party rejected it.
    Rejected {
        /// Whom the rejection spoke for.
        party: Party,
        /// The account that rejected.
        by: Address,
        /// Why, in the rejecting party's words.
        reason: String,
    },
}

/// An application: an action that takes effect when every required party has approved, stage after stage.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Application {
    /// The workflow (`transfer`, `subdivide`, `merge`).
    pub workflow: String,
    /// SHA-256 of the borsh action stored under `reg/appx/<id>`; hex in JSON, like every hash.
    #[serde(with = "codec::hex_hash")]
    pub action_hash: Hash,
    /// The account that opened it.
    pub opened_by: Address,
    /// Block time after which it can no longer be approved.
    pub deadline_ms: u64,
    /// Required parties, stage by stage: every party of a stage approves before any party of the next one.
    pub stages: Vec<Vec<Party>>,
    /// The title versions of the parcels concerned when it was opened; the action is refused at the end if any
    /// title changed since (the parties approved a state of affairs that no longer holds).
    pub title_versions: Vec<(RecordId, u32)>,
    /// Approvals so far, in order.
    pub approvals: Vec<Approval>,
    /// Where it stands.
    pub status: ApplicationStatus,
}

impl Record for Application {
    const KIND: RecordKind = RecordKind::Application;
    const MAX_VERSION_BYTES: usize = 64 * 1024;
    fn check(&self) -> Result<(), String> {
        let parties: usize = self.stages.iter().map(Vec::len).sum();
        if self.stages.is_empty() || self.stages.iter().any(Vec::is_empty) || parties > 2 * MAX_OWNERS + 8 {
            return Err("an application has non-empty stages and a bounded number of parties".into());
        }
        if self.approvals.len() > parties {
            return Err("an application has at most one approval per party".into());
        }
        if let ApplicationStatus::Rejected { reason, .. } = &self.status {
            check_text("reason", reason)?;
        }
        Ok(())
    }
}

/// Where a permit stands, as last changed.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PermitState {
    /// In force within its validity dates.
    Active,
    /// Suspended until reinstated.
    Suspended {
        /// Why.
        reason: String,
    },
    /// Revoked for good.
    Revoked {
        /// Why.
        reason: String,
    },
}

/// What a permit version changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitChange {
    /// First version.
    Issued,
    /// Validity extended.
    Renewed,
    /// Suspended.
    Suspended,
    /// Reinstated after a suspension.
    Reinstated,
    /// Revoked.
    Revoked,
}

/// A permit or licence.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Permit {
    /// What it permits (`building`, `liquor-licence`, ...).
    pub kind: RecordId,
    /// The holder's account.
    pub holder: Address,
    /// The issuing agency; only its permit officers change the permit.
    pub agency: AgencyId,
    /// Start of validity, Unix milliseconds.
    pub valid_from_ms: u64,
    /// End of validity (exclusive), Unix milliseconds.
    pub valid_until_ms: u64,
    /// Where it stands.
    pub state: PermitState,
    /// What this version changed.
    pub change: PermitChange,
    /// The officer who made this version.
    pub changed_by: Address,
}

impl Record for Permit {
    const KIND: RecordKind = RecordKind::Permit;
    const MAX_VERSION_BYTES: usize = 4 * 1024;
    fn check(&self) -> Result<(), String> {
        if self.valid_from_ms >= self.valid_until_ms {
            return Err("a permit's validity ends after it starts".into());
        }
        match &self.state {
            PermitState::Active => Ok(()),
            PermitState::Suspended { reason } | PermitState::Revoked { reason } => check_text("reason", reason),
        }
    }
}

/// Where a company stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CompanyStatus {
    /// Trading.
    Active,
    /// Being wound up, by a court's or the registrar's decision.
    InLiquidation {
        /// The case or decision reference.
        case: String,
    },
    /// Dissolved: it no longer exists; its record and name stay.
    Dissolved,
}

/// A company of the business register.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Company {
    /// The name, as registered (public).
    pub name: String,
    /// The legal form.
    pub legal_form: crate::call::LegalForm,
    /// The registered address (public).
    pub registered_address: String,
    /// Where it stands.
    pub status: CompanyStatus,
    /// Officers.
    pub officers: Vec<crate::call::Officer>,
    /// Shareholders.
    pub shareholders: Vec<crate::call::Shareholding>,
    /// Beneficial owners.
    pub beneficial_owners: Vec<crate::call::BeneficialOwner>,
    /// Block time of its registration, Unix milliseconds.
    pub registered_ms: u64,
    /// Block time of its dissolution.
    pub dissolved_ms: Option<u64>,
    /// Number of filings so far (filing `n` is record `<number>.<n>`, from 1).
    pub filings: u32,
}

impl Record for Company {
    const KIND: RecordKind = RecordKind::Company;
    const MAX_VERSION_BYTES: usize = 32 * 1024;
    fn check(&self) -> Result<(), String> {
        crate::business::check_details(
            &self.name,
            &self.registered_address,
            &self.officers,
            &self.shareholders,
            &self.beneficial_owners,
        )?;
        if let CompanyStatus::InLiquidation { case } = &self.status {
            check_text("case", case)?;
        }
        if matches!(self.status, CompanyStatus::Dissolved) != self.dissolved_ms.is_some() {
            return Err("a dissolved company has a dissolution time, and only a dissolved one".into());
        }
        Ok(())
    }
}

/// A filing, kept as its own record.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct FilingRecord {
    /// The company.
    pub company: RecordId,
    /// The filing's number for this company, from 1.
    pub number: u32,
    /// What was filed.
    pub filing: crate::call::Filing,
    /// The officer who filed it.
    pub filed_by: Address,
}

impl Record for FilingRecord {
    const KIND: RecordKind = RecordKind::Filing;
    const MAX_VERSION_BYTES: usize = 32 * 1024;
    fn check(&self) -> Result<(), String> {
        if self.number == 0 {
            return Err("filings are numbered from 1".into());
        }
        Ok(())
    }
}

/// One entry of a spatial-index cell: a parcel and its bounding box (so most candidates are ruled out without
/// reading their boundary).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CellEntry {
    /// The parcel.
    pub parcel: RecordId,
    /// Its bounding box.
    pub bbox: BBox,
}

/// A cell of the spatial index: the active parcels indexed at this cell, and how many are indexed in cells below.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Cell {
    /// Parcels indexed here, sorted by id.
    pub entries: Vec<CellEntry>,
    /// Number of (parcel, cell) entries in the cells below this one; the search descends only where it is not 0.
    pub below: u64,
}

/// Check free text: 1 to [`MAX_REGISTRY_TEXT_BYTES`] bytes, no control characters.
pub fn check_text(what: &str, text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > MAX_REGISTRY_TEXT_BYTES {
        return Err(format!("the {what} must be 1 to {MAX_REGISTRY_TEXT_BYTES} bytes, it is {}", text.len()));
    }
    if text.chars().any(char::is_control) {
        return Err(format!("the {what} must not contain control characters (newlines, tabs)"));
    }
    Ok(())
}

/// Key of a record's latest version number.
pub fn head_key(kind: RecordKind, id: &str) -> Vec<u8> {
    format!("reg/{}/{id}/h", kind.key_segment()).into_bytes()
}

/// Key of one version of a record.
pub fn version_key(kind: RecordKind, id: &str, version: u32) -> Vec<u8> {
    let mut k = format!("reg/{}/{id}/v/", kind.key_segment()).into_bytes();
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// Key of a parcel's boundary.
pub fn geometry_key(parcel: &RecordId) -> Vec<u8> {
    format!("reg/geom/{parcel}").into_bytes()
}

/// Key of an application's action.
pub fn action_key(application: u64) -> Vec<u8> {
    format!("reg/appx/{application}").into_bytes()
}

/// Key of a spatial-index cell.
pub fn cell_key(level: u8, x: u32, y: u32) -> Vec<u8> {
    let mut k = b"reg/grid/".to_vec();
    k.push(level);
    k.extend_from_slice(&x.to_be_bytes());
    k.extend_from_slice(&y.to_be_bytes());
    k
}

/// Key of the next application number.
pub const NEXT_APPLICATION_KEY: &[u8] = b"reg/next/app";
/// Key of the next encumbrance number.
pub const NEXT_ENCUMBRANCE_KEY: &[u8] = b"reg/next/enc";
/// Key of the next company serial (the number without its check digit).
pub const NEXT_COMPANY_KEY: &[u8] = b"reg/next/company";

/// Key of a company name's holder, by the name's normalised form (see `business::normalise_name`).
pub fn company_name_key(normalised: &str) -> Vec<u8> {
    format!("reg/company-name/{normalised}").into_bytes()
}

/// Decode a value this module wrote. A failure means the store is corrupt, which must stop the node.
pub(crate) fn decode_stored<T: BorshDeserialize + BorshSerialize>(what: &'static str, bytes: &[u8]) -> T {
    codec::decode_state(what, bytes, usize::MAX)
        .unwrap_or_else(|e| panic!("stored {what} does not decode ({e}); the state store is corrupt"))
}
