//! Refusals of the data module, each with a stable code (4100 to 4199); the reasons a release fails its check
//! ([`ReleaseError`]) and a listing cannot be read ([`QueryError`]).
//!
//! Calls that need a role refuse with `publica_accounts::require_role`'s codes (`missing_role`,
//! `account_inactive`, `role_not_granted_by_agency`, …), as every module does. A request whose basis does not hold
//! is not a refusal: it is written as a refused access, with a [`crate::schema::Refusal`] naming why.

use publica_types::{Hash, TxError};

publica_types::module_codes! {
    /// A category is empty, longer than 64 bytes or not made of `[a-z0-9.-]`.
    CATEGORY_INVALID = (4101, "data_category_invalid", InvalidArgument);
    /// A purpose is empty, longer than 64 bytes or not made of `[a-z0-9.-]`.
    PURPOSE_INVALID = (4102, "data_purpose_invalid", InvalidArgument);
    /// A record with no fields or more than `MAX_FIELDS`.
    FIELD_COUNT_INVALID = (4103, "record_field_count_invalid", InvalidArgument);
    /// A record's, a consent's, a court order's owner or a represented citizen is not an active citizen.
    OWNER_NOT_A_CITIZEN = (4104, "owner_not_a_citizen", InvalidArgument);
    /// The commitment is already registered (to this or another record).
    COMMITMENT_REGISTERED = (4105, "commitment_registered", InvalidArgument);
    /// No record has this number.
    RECORD_NOT_FOUND = (4106, "data_record_not_found", NotFound);
    /// A retention longer than `MAX_RETENTION_DAYS`.
    RETENTION_OUT_OF_RANGE = (4107, "retention_out_of_range", InvalidArgument);
    /// No retention rule for the category in the agency: nothing to clear, or no retention erasure.
    RETENTION_NOT_SET = (4108, "retention_not_set", NotFound);
    /// The sender is neither the citizen nor their legal representative with a current appointment.
    NOT_OWNER_OR_REPRESENTATIVE = (4109, "not_owner_or_representative", NotPermitted);
    /// An end time at or before the block's time.
    UNTIL_NOT_IN_FUTURE = (4110, "data_until_not_in_future", InvalidArgument);
    /// An end time further ahead than `MAX_AHEAD_MS` (ten years).
    UNTIL_TOO_FAR = (4111, "data_until_too_far", InvalidArgument);
    /// A consent's or a court order's grantee agency or account is not registered.
    GRANTEE_UNKNOWN = (4112, "data_grantee_unknown", InvalidArgument);
    /// No study has this number.
    STUDY_NOT_FOUND = (4113, "study_not_found", NotFound);
    /// A consent to a study for a category the study does not read, or for another purpose than the study's.
    CONSENT_STUDY_MISMATCH = (4114, "consent_study_mismatch", InvalidArgument);
    /// No consent has this number.
    CONSENT_NOT_FOUND = (4115, "data_consent_not_found", NotFound);
    /// The consent is already revoked.
    CONSENT_ALREADY_REVOKED = (4116, "data_consent_already_revoked", InvalidArgument);
    /// A representative who is not an active account, or is the citizen themself.
    REPRESENTATIVE_INVALID = (4117, "representative_invalid", InvalidArgument);
    /// The citizen already has `MAX_REPRESENTATIVES` representatives on record.
    REPRESENTATIVES_FULL = (4118, "representatives_full", InvalidArgument);
    /// No representation of this citizen by this representative.
    REPRESENTATION_NOT_FOUND = (4119, "representation_not_found", NotFound);
    /// The representation already ended.
    REPRESENTATION_ALREADY_ENDED = (4120, "representation_already_ended", InvalidArgument);
    /// A list of categories that is empty, longer than `MAX_CATEGORIES`, repeats one or holds an invalid one.
    CATEGORIES_INVALID = (4121, "data_categories_invalid", InvalidArgument);
    /// An emergency's agencies: none, more than `MAX_EMERGENCY_GRANTEES`, one repeated or one not registered.
    GRANTEES_INVALID = (4122, "emergency_grantees_invalid", InvalidArgument);
    /// A study's fields: none, more than `MAX_FIELDS`, one repeated or one not made of `[a-z0-9_]`.
    FIELDS_INVALID = (4123, "study_fields_invalid", InvalidArgument);
    /// No emergency has this number.
    EMERGENCY_NOT_FOUND = (4124, "emergency_not_found", NotFound);
    /// The emergency already ended.
    EMERGENCY_ALREADY_ENDED = (4125, "emergency_already_ended", InvalidArgument);
    /// An emergency is ended by an official of the health authority that declared it.
    EMERGENCY_OTHER_AUTHORITY = (4126, "emergency_other_authority", NotPermitted);
    /// A study's title is empty, too long or contains control characters.
    TITLE_INVALID = (4127, "study_title_invalid", InvalidArgument);
    /// An ethics board of the study's own agency.
    ETHICS_BOARD_NOT_INDEPENDENT = (4128, "ethics_board_not_independent", NotPermitted);
    /// The study is already approved.
    STUDY_ALREADY_APPROVED = (4129, "study_already_approved", InvalidArgument);
    /// The study's end has passed: it can no longer be approved.
    STUDY_EXPIRED = (4130, "study_expired", InvalidArgument);
    /// A recipient key whose ML-KEM half is not 1184 bytes, or whose X25519 half is all zeros.
    RECIPIENT_KEY_INVALID = (4131, "recipient_key_invalid", InvalidArgument);
    /// The requester already has a pending access to this record.
    DUPLICATE_REQUEST = (4132, "duplicate_request", InvalidArgument);
    /// No access has this number.
    ACCESS_NOT_FOUND = (4133, "access_not_found", NotFound);
    /// A controller of another agency than the record's.
    NOT_THE_RECORDS_AGENCY = (4134, "not_the_records_agency", NotPermitted);
    /// The access is not pending: it was refused, released, declined or has lapsed.
    ACCESS_NOT_PENDING = (4135, "access_not_pending", InvalidArgument);
    /// A release of 0 bytes or more than `MAX_RELEASE_BYTES`.
    RELEASE_SIZE_INVALID = (4136, "release_size_invalid", InvalidArgument);
    /// A decline's reason code is empty, too long or not made of `[a-z0-9_]`.
    REASON_CODE_INVALID = (4137, "decline_reason_invalid", InvalidArgument);
    /// The record's erasure is already ordered.
    ERASURE_ALREADY_ORDERED = (4138, "erasure_already_ordered", InvalidArgument);
    /// The record is already erased.
    RECORD_ALREADY_ERASED = (4139, "record_already_erased", InvalidArgument);
    /// An erasure on the owner's order of a record whose erasure nobody ordered.
    ERASURE_NOT_ORDERED = (4140, "erasure_not_ordered", InvalidArgument);
    /// A retention erasure before the record's retention time has passed.
    RETENTION_NOT_ELAPSED = (4141, "retention_not_elapsed", InvalidArgument);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: publica_types::Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}

/// Why a release does not match the ledger: each names what failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// The release, the record and the access do not name one another.
    #[error("wrong {what}: the release names {found}, the ledger {expected}")]
    WrongSubject {
        /// What differs: `record`, `access`, `owner` or `category`.
        what: &'static str,
        /// What the ledger says.
        expected: String,
        /// What the release says.
        found: String,
    },
    /// The release lists another number of fields than the record committed to.
    #[error("field count: the record committed to {expected} fields, the release lists {found}")]
    FieldCount {
        /// Fields the record committed to.
        expected: u16,
        /// Fields the release lists.
        found: usize,
    },
    /// A field name is not made of `[a-z0-9_]` (1 to 64 bytes), or there are more than `MAX_FIELDS` fields.
    #[error("invalid field: {0}")]
    InvalidField(String),
    /// A field is listed twice.
    #[error("duplicate field: {0:?} is listed twice")]
    DuplicateField(String),
    /// Salts and fields given to [`crate::verify::commit_fields`] do not pair up.
    #[error("salts: {fields} fields and {salts} salts")]
    SaltCount {
        /// Fields given.
        fields: usize,
        /// Salts given.
        salts: usize,
    },
    /// A disclosed field's value and salt do not give the leaf the release states for it.
    #[error("leaf mismatch: field {field:?}'s value and salt do not give its stated leaf")]
    LeafMismatch {
        /// The field.
        field: String,
    },
    /// The fields' leaves do not give the commitment on the ledger.
    #[error("commitment mismatch: the release gives {computed}, the ledger holds {expected}")]
    CommitmentMismatch {
        /// The ledger's commitment (hex).
        expected: String,
        /// The release's (hex).
        computed: String,
    },
    /// Fields the access allows that the release withholds.
    #[error("allowed fields withheld: {0:?}")]
    AllowedFieldsWithheld(Vec<String>),
    /// Fields the release discloses that the access does not allow.
    #[error("fields not allowed disclosed: {0:?}")]
    FieldsNotAllowed(Vec<String>),
}

impl ReleaseError {
    pub(crate) fn commitment(expected: &Hash, computed: &Hash) -> Self {
        ReleaseError::CommitmentMismatch { expected: hex(expected), computed: hex(computed) }
    }
}

/// Why a listing cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A page starts after an entry that is not (or no longer) in the list: start again from the beginning.
    #[error("{after} is not in this list (any more); read the list again from its start")]
    NotListed {
        /// The entry named.
        after: u64,
    },
}

/// Lowercase hex of a hash, for messages.
pub(crate) fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}
