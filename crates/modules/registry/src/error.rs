//! Errors of the registry module: the crate's error type for data from outside, and refusals of calls.
//!
//! Calls are refused with a [`TxError`] carrying one of the stable codes declared here, in ranges by registry:
//! land 3300 to 3399, the business register 3400 to 3499, permits 3500 to 3549, applications 3550 to 3599, and
//! what the registries share (records, authority, shares) 3600 to 3699. An unknown account and a missing role
//! are refused with the accounts codes `unknown_account` and `missing_role`.

use publica_types::{Code, TxError};

/// What can be wrong with registry data handed to this crate from outside (GeoJSON text, encoded versions,
/// as-of answers to verify).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A parcel boundary breaks a geometry rule.
    #[error("invalid parcel boundary: {0}; fix the GeoJSON Polygon and submit it again")]
    InvalidGeometry(String),
    /// Bytes do not decode as the expected value.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// A transaction would need more geometry work than it may use (`geo::MAX_GEOMETRY_WORK`).
    #[error("{0}")]
    GeometryWork(String),
    /// The versions given to an as-of check do not decide the question.
    #[error("the as-of answer does not hold: {0}")]
    AsOf(String),
}

impl RegistryError {
    /// The code of a call refused for this error.
    pub fn code(&self) -> Code {
        match self {
            Self::InvalidGeometry(_) => PARCEL_BOUNDARY_INVALID,
            Self::GeometryWork(_) => GEOMETRY_WORK_EXCEEDED,
            Self::Malformed { .. } | Self::AsOf(_) => RECORD_MALFORMED,
        }
    }
}

impl From<RegistryError> for TxError {
    fn from(e: RegistryError) -> Self {
        TxError::new(e.code(), e.to_string())
    }
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}

publica_types::module_codes! {
    // Land (3300 to 3399): parcels, titles, encumbrances, boundaries.
    /// There is no parcel with this number.
    PARCEL_NOT_FOUND = (3301, "parcel_not_found", InvalidArgument);
    /// The parcel was retired by a subdivision or a merger.
    PARCEL_RETIRED = (3302, "parcel_retired", NotPermitted);
    /// The parcel number is already used.
    PARCEL_NUMBER_USED = (3303, "parcel_number_used", InvalidArgument);
    /// An encumbrance blocks the act until its agency releases it.
    PARCEL_ENCUMBERED = (3304, "parcel_encumbered", NotPermitted);
    /// A boundary breaks a geometry rule.
    PARCEL_BOUNDARY_INVALID = (3305, "parcel_boundary_invalid", InvalidArgument);
    /// A boundary overlaps an active parcel.
    PARCEL_OVERLAP = (3306, "parcel_overlap", NotPermitted);
    /// A subdivision creates too few or too many parcels.
    SUBDIVISION_PARCEL_COUNT_OUT_OF_RANGE = (3307, "subdivision_parcel_count_out_of_range", InvalidArgument);
    /// A subdivision names a new parcel twice.
    SUBDIVISION_PARCEL_REPEATED = (3308, "subdivision_parcel_repeated", InvalidArgument);
    /// A new parcel does not lie within its parent.
    SUBDIVISION_OUTSIDE_PARENT = (3309, "subdivision_outside_parent", InvalidArgument);
    /// Two new parcels overlap.
    SUBDIVISION_PARCELS_OVERLAP = (3310, "subdivision_parcels_overlap", InvalidArgument);
    /// The new parcels do not cover their parent exactly.
    SUBDIVISION_NOT_EXACT = (3311, "subdivision_not_exact", InvalidArgument);
    /// A merger joins too few or too many parcels.
    MERGER_PARCEL_COUNT_OUT_OF_RANGE = (3312, "merger_parcel_count_out_of_range", InvalidArgument);
    /// A merger names a parcel twice.
    MERGER_PARCEL_REPEATED = (3313, "merger_parcel_repeated", InvalidArgument);
    /// The parcels to merge have different owners or shares.
    MERGER_OWNERS_DIFFER = (3314, "merger_owners_differ", NotPermitted);
    /// A parcel does not lie within the merged boundary.
    MERGER_OUTSIDE_BOUNDARY = (3315, "merger_outside_boundary", InvalidArgument);
    /// The merged boundary is not exactly the union of the parcels.
    MERGER_NOT_EXACT = (3316, "merger_not_exact", InvalidArgument);
    /// A transfer names the current owners and shares.
    TITLE_UNCHANGED = (3317, "title_unchanged", InvalidArgument);
    /// The title changed since the application was opened.
    TITLE_CHANGED_SINCE_APPLICATION = (3318, "title_changed_since_application", NotPermitted);
    /// The title carries the most encumbrances it holds.
    ENCUMBRANCES_FULL = (3319, "encumbrances_full", NotPermitted);
    /// There is no encumbrance with this number.
    ENCUMBRANCE_NOT_FOUND = (3320, "encumbrance_not_found", InvalidArgument);
    /// The encumbrance was already released.
    ENCUMBRANCE_RELEASED = (3321, "encumbrance_released", NotPermitted);
    /// The deceased is not an owner of the parcel.
    DECEASED_NOT_AN_OWNER = (3322, "deceased_not_an_owner", InvalidArgument);
    /// The deceased is among the heirs.
    DECEASED_AMONG_HEIRS = (3323, "deceased_among_heirs", InvalidArgument);
    /// A spatial index cell holds the most parcels it may.
    SPATIAL_CELL_FULL = (3324, "spatial_cell_full", NotPermitted);
    /// Checking a boundary would read too many spatial index cells.
    SPATIAL_SEARCH_TOO_WIDE = (3325, "spatial_search_too_wide", NotPermitted);
    /// The transaction would need more geometry work than it may use.
    GEOMETRY_WORK_EXCEEDED = (3326, "geometry_work_exceeded", InvalidArgument);
    // Business register (3400 to 3499).
    /// A company limited by shares lists no shareholder.
    SHAREHOLDERS_REQUIRED = (3401, "shareholders_required", InvalidArgument);
    /// A company would hold its own shares.
    COMPANY_OWNS_ITSELF = (3402, "company_owns_itself", InvalidArgument);
    /// A shareholder company is not registered.
    SHAREHOLDER_COMPANY_NOT_FOUND = (3403, "shareholder_company_not_found", InvalidArgument);
    /// A shareholder company is dissolved.
    SHAREHOLDER_COMPANY_DISSOLVED = (3404, "shareholder_company_dissolved", InvalidArgument);
    /// The name is taken by another company (ignoring case and spacing).
    COMPANY_NAME_TAKEN = (3405, "company_name_taken", NotPermitted);
    /// There is no company with this number.
    COMPANY_NOT_FOUND = (3406, "company_not_found", InvalidArgument);
    /// The company is dissolved: nothing more is filed for it.
    COMPANY_DISSOLVED = (3407, "company_dissolved", NotPermitted);
    /// The company is already dissolved.
    COMPANY_ALREADY_DISSOLVED = (3408, "company_already_dissolved", NotPermitted);
    /// A filing needs the approval of more accounts than an application may have.
    FILING_PARTIES_TOO_MANY = (3409, "filing_parties_too_many", InvalidArgument);
    /// The company changed since the application was opened, and the filing needs more approvals.
    COMPANY_CHANGED_SINCE_APPLICATION = (3410, "company_changed_since_application", NotPermitted);
    /// An annual return is for a year other than the current or the previous one.
    ANNUAL_RETURN_YEAR_INVALID = (3411, "annual_return_year_invalid", InvalidArgument);
    /// The sender is not an officer of the company.
    NOT_AN_OFFICER = (3412, "not_an_officer", NotPermitted);
    /// The filing changes someone's entry and needs their approval through an application.
    FILING_NEEDS_APPROVAL = (3413, "filing_needs_approval", NotPermitted);
    /// The company is not active.
    COMPANY_NOT_ACTIVE = (3414, "company_not_active", NotPermitted);
    /// A company name breaks the naming rule.
    COMPANY_NAME_INVALID = (3415, "company_name_invalid", InvalidArgument);
    /// A company's details (address, officers, shareholders, beneficial owners) break a rule.
    COMPANY_DETAILS_INVALID = (3416, "company_details_invalid", InvalidArgument);
    // Permits (3500 to 3549).
    /// The permit number is already used.
    PERMIT_NUMBER_USED = (3501, "permit_number_used", InvalidArgument);
    /// A permit's validity does not end after it starts.
    PERMIT_VALIDITY_INVALID = (3502, "permit_validity_invalid", InvalidArgument);
    /// There is no permit with this number.
    PERMIT_NOT_FOUND = (3503, "permit_not_found", InvalidArgument);
    /// The permit was revoked.
    PERMIT_REVOKED = (3504, "permit_revoked", NotPermitted);
    /// A renewal does not extend the permit's validity.
    PERMIT_RENEWAL_NOT_LATER = (3505, "permit_renewal_not_later", InvalidArgument);
    /// The permit is already suspended.
    PERMIT_ALREADY_SUSPENDED = (3506, "permit_already_suspended", NotPermitted);
    /// The permit is not suspended.
    PERMIT_NOT_SUSPENDED = (3507, "permit_not_suspended", NotPermitted);
    // Applications (3550 to 3599).
    /// An application's deadline is not after the block time, or too far.
    APPLICATION_DEADLINE_OUT_OF_RANGE = (3551, "application_deadline_out_of_range", InvalidArgument);
    /// The sender may not open this kind of application.
    APPLICATION_OPENER_NOT_ALLOWED = (3552, "application_opener_not_allowed", NotPermitted);
    /// The act needs nobody's approval: it is made directly.
    APPLICATION_NOT_NEEDED = (3553, "application_not_needed", InvalidArgument);
    /// There is no application with this number.
    APPLICATION_NOT_FOUND = (3554, "application_not_found", InvalidArgument);
    /// The application was approved and took effect: it is closed.
    APPLICATION_APPROVED = (3555, "application_approved", NotPermitted);
    /// The application was rejected: it is closed.
    APPLICATION_REJECTED = (3556, "application_rejected", NotPermitted);
    /// The application's deadline passed.
    APPLICATION_EXPIRED = (3557, "application_expired", NotPermitted);
    /// The application does not require this party.
    NOT_A_PARTY = (3558, "not_a_party", NotPermitted);
    /// The sender acts for another named account.
    ACTING_FOR_OTHER_ACCOUNT = (3559, "acting_for_other_account", NotPermitted);
    /// A named party of the application would also act in a role.
    NAMED_PARTY_ACTING_IN_ROLE = (3560, "named_party_acting_in_role", NotPermitted);
    /// This party already approved.
    PARTY_ALREADY_APPROVED = (3561, "party_already_approved", NotPermitted);
    /// This account already approved for another party.
    ACCOUNT_ALREADY_APPROVED = (3562, "account_already_approved", NotPermitted);
    /// The party approves only after the earlier stages.
    STAGE_NOT_REACHED = (3563, "stage_not_reached", NotPermitted);
    // Records, authority and shares, shared by the registries (3600 to 3699).
    /// A new version breaks its record's schema.
    RECORD_SCHEMA_VIOLATED = (3601, "record_schema_violated", NotPermitted);
    /// The block time precedes the record's latest version.
    RECORD_TIME_BEFORE_LATEST = (3602, "record_time_before_latest", NotPermitted);
    /// The record has reached its most versions.
    RECORD_VERSIONS_FULL = (3603, "record_versions_full", NotPermitted);
    /// Only officials of the agency that made the record may act on it.
    RECORD_OF_OTHER_AGENCY = (3604, "record_of_other_agency", NotPermitted);
    /// Registry data does not decode as the expected value.
    RECORD_MALFORMED = (3605, "record_malformed", InvalidArgument);
    /// Shares too fine for exact 64-bit fractions.
    SHARES_TOO_FINE = (3606, "shares_too_fine", InvalidArgument);
    /// A share is not a fraction in (0, 1].
    SHARE_NOT_A_FRACTION = (3607, "share_not_a_fraction", InvalidArgument);
    /// The shares do not sum to exactly one.
    SHARES_SUM_NOT_ONE = (3608, "shares_sum_not_one", InvalidArgument);
    /// Too few or too many shares.
    SHARE_COUNT_OUT_OF_RANGE = (3609, "share_count_out_of_range", InvalidArgument);
    /// An owner appears twice.
    SHARE_OWNER_REPEATED = (3610, "share_owner_repeated", InvalidArgument);
    /// A field of a record (a text, a date, a list) breaks its rule.
    RECORD_FIELD_INVALID = (3611, "record_field_invalid", InvalidArgument);
}
