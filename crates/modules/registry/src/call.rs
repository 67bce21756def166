//! Calls of the registry module: land parcels and titles, encumbrances, permits and licences, the business
//! register, and the approval workflow they share.
//!
//! Personal data never appears here in clear: owners and holders are account addresses (a citizen's account holds
//! only a salted commitment to the national identifier). Parcel geometry is public and travels as GeoJSON text
//! (RFC 7946 Polygon), which the module parses with its own size limits. Enum variant order is part of the encoding:
//! new variants are only ever appended.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::{Address, RecordId, Role};

/// Largest GeoJSON text of one parcel, in bytes.
pub const MAX_GEOJSON_BYTES: usize = 64 * 1024;
/// Most owners of one title (and most heirs of one inheritance).
pub const MAX_OWNERS: usize = 64;
/// Most parcels one subdivision creates.
pub const MAX_SUBDIVISION_CHILDREN: usize = 32;
/// Most parcels one merger joins.
pub const MAX_MERGED_PARCELS: usize = 16;
/// Longest free text (a rejection reason, a court case reference, an encumbrance reference), in bytes.
pub const MAX_REGISTRY_TEXT_BYTES: usize = 512;

/// One owner's share of a title: `numerator / denominator` of the parcel. The shares of a title sum to exactly one.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Share {
    /// The owner's account.
    pub owner: Address,
    /// Numerator of the fraction, at least 1.
    pub numerator: u64,
    /// Denominator of the fraction, at least 1.
    pub denominator: u64,
}

/// Whom an approval or a rejection speaks for.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Party {
    /// A named account (a seller, a buyer, an owner): only that account may speak for it.
    Account(Address),
    /// A role (`notary`, `registrar`): any active official holding it may speak for it.
    Role(Role),
}

/// What kind of charge an encumbrance is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncumbranceKind {
    /// A mortgage securing a loan; registered by a bank.
    Mortgage,
    /// A lien (a claim for a debt or a court's attachment); registered by a bank or a court.
    Lien,
}

/// A parcel to be created, with its boundary as GeoJSON text.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct NewParcel {
    /// The new parcel's identifier, never used before.
    pub parcel: RecordId,
    /// An RFC 7946 Polygon object, at most [`MAX_GEOJSON_BYTES`] bytes.
    pub geojson: String,
}

/// What an application asks for; it takes effect when its last required approval arrives.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApplicationAction {
    /// Transfer a parcel: the current owners (sellers) give the title to `new_owners` (buyers), whose shares sum
    /// to one. A co-owner who keeps part of the parcel appears in both lists.
    Transfer { parcel: RecordId, new_owners: Vec<Share> },
    /// Divide a parcel into children whose union is exactly the parent; the children get the parent's title.
    Subdivide { parcel: RecordId, children: Vec<NewParcel> },
    /// Join adjacent parcels with the same owners into one parcel whose boundary is their union.
    Merge { parcels: Vec<RecordId>, into: NewParcel },
    /// Register a company: every founder (every person it names: its officers, the persons among its shareholders,
    /// its beneficial owners) approves, then a company registrar; the register assigns its number.
    RegisterCompany { company: CompanyDetails },
    /// Dissolve a company: opened by one of its directors, approved by a company registrar.
    DissolveCompany { company: RecordId },
    /// A filing that needs consent: opened by an officer of the company, approved by every person whose entry it
    /// adds, changes or removes (a new officer, a shareholder whose holding changes, a beneficial owner whose
    /// interests change) and, for any change of the officers, shareholders or beneficial owners, by every current
    /// director. Filings that need no one's consent but their sender's are made directly
    /// ([`RegistryCall::FileCompanyChange`]). Its workflow and JSON type are `company_filing`.
    #[serde(rename = "company_filing")]
    FileCompanyChange { company: RecordId, filing: Filing },
}

impl ApplicationAction {
    /// The workflow's name, as in the module's rule table.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Transfer { .. } => "transfer",
            Self::Subdivide { .. } => "subdivide",
            Self::Merge { .. } => "merge",
            Self::RegisterCompany { .. } => "register_company",
            Self::DissolveCompany { .. } => "dissolve_company",
            Self::FileCompanyChange { .. } => "company_filing",
        }
    }
}

/// Calls of the registry module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum RegistryCall {
    /// A registrar records a parcel for the first time, with its boundary and its owners' shares.
    RegisterParcel { parcel: NewParcel, owners: Vec<Share> },
    /// A party opens an application, which stays open until `deadline_ms` (block time).
    OpenApplication { action: ApplicationAction, deadline_ms: u64 },
    /// The sender approves an open application on behalf of `party`.
    Approve { application: u64, party: Party },
    /// The sender rejects an open application on behalf of `party`, closing it.
    Reject { application: u64, party: Party, reason: String },
    /// A bank (mortgage, lien) or a court (lien) charges a parcel; transfers, subdivisions and mergers of the
    /// parcel are refused until the same agency releases it.
    RegisterEncumbrance { parcel: RecordId, kind: EncumbranceKind, reference: String },
    /// The agency that registered an encumbrance releases it.
    ReleaseEncumbrance { encumbrance: u64 },
    /// A probate court passes a deceased owner's share to heirs; `heirs` divide that share (their fractions sum
    /// to one).
    RecordInheritance { parcel: RecordId, deceased: Address, heirs: Vec<Share>, case: String },
    /// A court sets a parcel's owners by order.
    CourtOrder { parcel: RecordId, owners: Vec<Share>, case: String },
    /// A permit officer issues a permit or licence of `kind` to `holder`, valid from `valid_from_ms` until
    /// `valid_until_ms` (exclusive).
    IssuePermit { permit: RecordId, kind: RecordId, holder: Address, valid_from_ms: u64, valid_until_ms: u64 },
    /// A permit officer of the issuing agency extends a permit's validity.
    RenewPermit { permit: RecordId, valid_until_ms: u64 },
    /// A permit officer of the issuing agency suspends an active permit.
    SuspendPermit { permit: RecordId, reason: String },
    /// A permit officer of the issuing agency reinstates a suspended permit.
    ReinstatePermit { permit: RecordId },
    /// A permit officer of the issuing agency revokes a permit for good.
    RevokePermit { permit: RecordId, reason: String },
    /// A current director, chair or secretary of a company files a change or an annual return. A filing that names
    /// a person not already in that position, or changes the officers, is refused here: it needs those persons'
    /// (and the directors') approval, through an application of [`ApplicationAction::FileCompanyChange`].
    FileCompanyChange { company: RecordId, filing: Filing },
    /// A court or a company registrar places a company in liquidation.
    PlaceInLiquidation { company: RecordId, case: String },
}

impl RegistryCall {
    /// The method's name, for logs, metrics and the module's rule table.
    pub fn method(&self) -> &'static str {
        match self {
            Self::RegisterParcel { .. } => "register_parcel",
            Self::OpenApplication { .. } => "open_application",
            Self::Approve { .. } => "approve",
            Self::Reject { .. } => "reject",
            Self::RegisterEncumbrance { .. } => "register_encumbrance",
            Self::ReleaseEncumbrance { .. } => "release_encumbrance",
            Self::RecordInheritance { .. } => "record_inheritance",
            Self::CourtOrder { .. } => "court_order",
            Self::IssuePermit { .. } => "issue_permit",
            Self::RenewPermit { .. } => "renew_permit",
            Self::SuspendPermit { .. } => "suspend_permit",
            Self::ReinstatePermit { .. } => "reinstate_permit",
            Self::RevokePermit { .. } => "revoke_permit",
            Self::FileCompanyChange { .. } => "file_company_change",
            Self::PlaceInLiquidation { .. } => "place_in_liquidation",
        }
    }
}

/// Longest company name, in bytes.
pub const MAX_COMPANY_NAME_BYTES: usize = 160;
/// Longest registered address of a company, in bytes.
pub const MAX_COMPANY_ADDRESS_BYTES: usize = 256;
/// Most officers of one company.
pub const MAX_OFFICERS: usize = 32;
/// Most shareholders of one company.
pub const MAX_SHAREHOLDERS: usize = 64;
/// Most beneficial owners of one company, and most interests of one of them.
pub const MAX_BENEFICIAL_OWNERS: usize = 32;

/// The legal form of a company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// A private company limited by shares.
    PrivateLimited,
    /// A public company limited by shares.
    PublicLimited,
    /// A general partnership.
    GeneralPartnership,
    /// A limited partnership.
    LimitedPartnership,
    /// A cooperative society.
    Cooperative,
    /// A sole trader registered as a business.
    SoleTrader,
    /// A foundation.
    Foundation,
    /// A non-profit association.
    Association,
}

/// An officer's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerRole {
    /// A director (board member); directors file changes and may open a dissolution.
    Director,
    /// The company secretary; files changes.
    Secretary,
    /// The chair of the board (also a director).
    Chair,
}

/// An officer: a person's account and position. Names of private persons stay off the ledger.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Officer {
    /// The officer's account.
    pub account: Address,
    /// The position.
    pub role: OfficerRole,
}

/// Who holds shares: a person (an account) or another company of the register (by number).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Holder {
    /// A natural person's account.
    Person(Address),
    /// A company registered here, by its number.
    Company(RecordId),
}

/// A holding of shares, counted in shares (their sum is the issued capital).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Shareholding {
    /// Who holds them.
    pub holder: Holder,
    /// How many, at least 1.
    pub shares: u64,
}

/// The nature of a beneficial owner's control, as the Beneficial Ownership Data Standard (BODS 0.4)
/// `interestType` codelist names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ControlKind {
    /// Owning shares.
    Shareholding,
    /// Holding voting rights.
    VotingRights,
    /// The right to appoint or remove board members.
    AppointmentOfBoard,
    /// A senior managing official (where no other beneficial owner is identified).
    SeniorManagingOfficial,
    /// Influence or control by other means.
    OtherInfluenceOrControl,
}

/// A share of an interest in basis points (1/100 of a percent): exact, or an inclusive range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShareOfControl {
    /// Exactly this many basis points (0 to 10,000).
    Exact { basis_points: u16 },
    /// Between these bounds, inclusive.
    Range { minimum: u16, maximum: u16 },
}

/// One interest of a beneficial owner.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Interest {
    /// Its nature.
    pub kind: ControlKind,
    /// Held directly (not through other entities).
    pub direct: bool,
    /// Its size, where it is countable.
    pub share: Option<ShareOfControl>,
}

/// A natural person who ultimately owns or controls the company.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BeneficialOwner {
    /// The person's account.
    pub person: Address,
    /// What they hold, at least one interest.
    pub interests: Vec<Interest>,
}

/// What a company registration declares. The name and registered address of a company are public.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CompanyDetails {
    /// The name, unique in the register regardless of case and spacing.
    pub name: String,
    /// The legal form.
    pub legal_form: LegalForm,
    /// The registered address.
    pub registered_address: String,
    /// Officers; at least one director.
    pub officers: Vec<Officer>,
    /// Shareholders (may be empty for forms without shares).
    pub shareholders: Vec<Shareholding>,
    /// Beneficial owners.
    pub beneficial_owners: Vec<BeneficialOwner>,
}

/// A filing of a company, by one of its directors or its secretary.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Filing {
    /// The annual return for a financial year: confirms the register's details as they stand.
    AnnualReturn { year: u16 },
    /// A new list of officers.
    Officers { officers: Vec<Officer> },
    /// A new list of shareholders.
    Shareholders { shareholders: Vec<Shareholding> },
    /// A new list of beneficial owners.
    BeneficialOwners { beneficial_owners: Vec<BeneficialOwner> },
    /// A new registered address.
    RegisteredAddress { address: String },
}

impl Filing {
    /// The filing's kind, for its record and for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AnnualReturn { .. } => "annual_return",
            Self::Officers { .. } => "officers",
            Self::Shareholders { .. } => "shareholders",
            Self::BeneficialOwners { .. } => "beneficial_owners",
            Self::RegisteredAddress { .. } => "registered_address",
        }
    }
}
