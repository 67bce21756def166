//! Refusals of the identity module, each with a stable code (3700 to 3799), and the verifier's errors
//! ([`IdentityError`]), each naming the check that failed.
//!
//! Calls that need a role (a trust root registering a schema) refuse with `publica_accounts::require_role`'s
//! codes (`missing_role`, `account_inactive`, …), as every module does.

use publica_types::{Address, TxError};

publica_types::module_codes! {
    /// A credential type name is empty, too long or not made of URI characters.
    TYPE_NAME_INVALID = (3701, "type_name_invalid", InvalidArgument);
    /// A schema document is larger than `MAX_SCHEMA_DOCUMENT_BYTES`.
    SCHEMA_DOCUMENT_TOO_LARGE = (3702, "schema_document_too_large", InvalidArgument);
    /// A schema document is not a JSON object declaring JSON Schema 2020-12.
    SCHEMA_DOCUMENT_INVALID = (3703, "schema_document_invalid", InvalidArgument);
    /// The type already has a schema with this version.
    SCHEMA_VERSION_TAKEN = (3704, "schema_version_taken", InvalidArgument);
    /// The same schema document is already registered.
    SCHEMA_ALREADY_REGISTERED = (3705, "schema_already_registered", InvalidArgument);
    /// The schema named by an accreditation is not registered for its credential type.
    SCHEMA_NOT_REGISTERED_FOR_TYPE = (3706, "schema_not_registered_for_type", NotFound);
    /// The sender is neither a trust root nor accredited for the type at the block's time.
    ACCREDITOR_NOT_ACCREDITED = (3707, "accreditor_not_accredited", NotPermitted);
    /// An accreditation's window is empty (it must start before it ends).
    ACCREDITATION_WINDOW_INVALID = (3708, "accreditation_window_invalid", InvalidArgument);
    /// An accreditation's window does not lie within the window of the accreditor's own accreditation.
    ACCREDITATION_WINDOW_OUTSIDE_PARENT = (3709, "accreditation_window_outside_parent", InvalidArgument);
    /// The accredited issuer is not an active official.
    ISSUER_NOT_AN_ACTIVE_OFFICIAL = (3710, "issuer_not_an_active_official", InvalidArgument);
    /// An accreditation would make a chain longer than `MAX_ACCREDITATION_CHAIN_LINKS`.
    ACCREDITATION_CHAIN_TOO_LONG = (3711, "accreditation_chain_too_long", InvalidArgument);
    /// The issuer already holds `MAX_ACCREDITATIONS_PER_ISSUER_TYPE` accreditations for the type.
    ISSUER_ACCREDITATIONS_FULL = (3712, "issuer_accreditations_full", InvalidArgument);
    /// No accreditation has this number.
    ACCREDITATION_NOT_FOUND = (3713, "accreditation_not_found", NotFound);
    /// Only the accreditor or a trust root may revoke an accreditation.
    ACCREDITATION_REVOKE_NOT_PERMITTED = (3714, "accreditation_revoke_not_permitted", NotPermitted);
    /// The accreditation is already revoked.
    ACCREDITATION_ALREADY_REVOKED = (3715, "accreditation_already_revoked", InvalidArgument);
    /// Only an active official may own a status list.
    STATUS_LIST_OWNER_NOT_AN_OFFICIAL = (3716, "status_list_owner_not_an_official", NotPermitted);
    /// A status list has 1 or 2 bits per entry.
    STATUS_LIST_BITS_INVALID = (3717, "status_list_bits_invalid", InvalidArgument);
    /// A status list's capacity is 1 to `MAX_STATUS_LIST_ENTRIES`.
    STATUS_LIST_CAPACITY_OUT_OF_RANGE = (3718, "status_list_capacity_out_of_range", InvalidArgument);
    /// The sender owns no status list with this number.
    STATUS_LIST_NOT_FOUND = (3719, "status_list_not_found", NotFound);
    /// A status is 0 (valid), 1 (revoked) or 2 (suspended).
    STATUS_VALUE_INVALID = (3720, "status_value_invalid", InvalidArgument);
    /// Suspension needs a list of two bits per entry.
    STATUS_SUSPENSION_NEEDS_TWO_BITS = (3721, "status_suspension_needs_two_bits", InvalidArgument);
    /// A status update carries no indices or more than `MAX_STATUS_UPDATE_INDICES`.
    STATUS_INDEX_COUNT_OUT_OF_RANGE = (3722, "status_index_count_out_of_range", InvalidArgument);
    /// A status update's indices are not strictly increasing.
    STATUS_INDICES_NOT_INCREASING = (3723, "status_indices_not_increasing", InvalidArgument);
    /// A status index is not below the list's capacity.
    STATUS_INDEX_OUT_OF_RANGE = (3724, "status_index_out_of_range", InvalidArgument);
    /// A revoked entry never changes again.
    STATUS_REVOKED_IS_FINAL = (3725, "status_revoked_is_final", InvalidArgument);
    /// The sender already owns `MAX_STATUS_LISTS_PER_OWNER` status lists.
    STATUS_LISTS_FULL = (3726, "status_lists_full", InvalidArgument);
    /// Only a citizen grants consents.
    CONSENT_GRANTOR_NOT_A_CITIZEN = (3727, "consent_grantor_not_a_citizen", NotPermitted);
    /// A consent's claim names are missing, too many, too long, repeated or contain control characters.
    CONSENT_CLAIMS_INVALID = (3728, "consent_claims_invalid", InvalidArgument);
    /// A consent's purpose is empty, too long or contains control characters.
    CONSENT_PURPOSE_INVALID = (3729, "consent_purpose_invalid", InvalidArgument);
    /// A consent must end after the block's time.
    CONSENT_UNTIL_NOT_IN_FUTURE = (3730, "consent_until_not_in_future", InvalidArgument);
    /// A consent's grantee is not a registered account.
    CONSENT_GRANTEE_UNKNOWN = (3731, "consent_grantee_unknown", InvalidArgument);
    /// No consent has this number.
    CONSENT_NOT_FOUND = (3732, "consent_not_found", NotFound);
    /// Only the grantor revokes a consent.
    CONSENT_REVOKE_NOT_PERMITTED = (3733, "consent_revoke_not_permitted", NotPermitted);
    /// The consent is already revoked.
    CONSENT_ALREADY_REVOKED = (3734, "consent_already_revoked", InvalidArgument);
    /// Only the grantee records a use of a consent.
    CONSENT_USE_NOT_PERMITTED = (3735, "consent_use_not_permitted", NotPermitted);
    /// The consent was revoked: it may no longer be relied on.
    CONSENT_REVOKED = (3736, "consent_revoked", InvalidArgument);
    /// The consent has expired: it may no longer be relied on.
    CONSENT_EXPIRED = (3737, "consent_expired", InvalidArgument);
    /// The consent already records `MAX_CONSENT_USES` uses.
    CONSENT_USES_FULL = (3738, "consent_uses_full", InvalidArgument);
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: publica_types::Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}

/// Why a verifier refuses an accreditation chain or a status entry; each names the check that failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// No accreditation names the issuer (the chain is empty, or its first link names someone else).
    #[error("not accredited: {0}")]
    NotAccredited(String),
    /// A link's window starts after the time asked about.
    #[error("accredited only after: accreditation {id} starts at {valid_from_ms} ms, after {at_ms} ms")]
    AccreditedOnlyAfter {
        /// The link.
        id: u64,
        /// Its start.
        valid_from_ms: u64,
        /// The time asked about.
        at_ms: u64,
    },
    /// A link's window ended at or before the time asked about.
    #[error("accreditation expired: accreditation {id} ended at {valid_until_ms} ms, not after {at_ms} ms")]
    AccreditationExpired {
        /// The link.
        id: u64,
        /// Its end (exclusive).
        valid_until_ms: u64,
        /// The time asked about.
        at_ms: u64,
    },
    /// A link was revoked at or before the time asked about.
    #[error("revoked: accreditation {id} was revoked at {revoked_at_ms} ms, not after {at_ms} ms")]
    Revoked {
        /// The link.
        id: u64,
        /// When it was revoked.
        revoked_at_ms: u64,
        /// The time asked about.
        at_ms: u64,
    },
    /// A link is for another credential type.
    #[error("other type: accreditation {id} is for {found:?}, not {expected:?}")]
    OtherType {
        /// The link.
        id: u64,
        /// Its type.
        found: String,
        /// The type asked about.
        expected: String,
    },
    /// Consecutive links do not join (accreditor of one is not the issuer of the next, or the parent number
    /// differs), or the last link was not made by a root.
    #[error("broken chain: {0}")]
    BrokenChain(String),
    /// The chain has more links than `MAX_ACCREDITATION_CHAIN_LINKS`.
    #[error("chain too long: {links} links, at most {max} are accepted")]
    ChainTooLong {
        /// Links given.
        links: usize,
        /// The bound.
        max: usize,
    },
    /// The root accreditation was made by an account the verifier does not trust.
    #[error("untrusted root: the chain ends at an accreditation by {0}, which is not among the trusted roots")]
    UntrustedRoot(Address),
    /// A status index is not below the list's capacity.
    #[error("status index out of range: index {index} of a list of {capacity} entries")]
    StatusIndexOutOfRange {
        /// The index asked about.
        index: u32,
        /// The list's capacity.
        capacity: u32,
    },
    /// A proven status chunk does not have the length its list and position give it.
    #[error("malformed status chunk: {0}")]
    MalformedChunk(String),
}
