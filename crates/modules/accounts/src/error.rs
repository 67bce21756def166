//! Refusals of the accounts module, each with a stable code.
//!
//! The accounts module refuses with the ledger's generic account codes (`unknown_account`, `unknown_agency`,
//! `account_exists`, `missing_role`, `account_inactive`, shared with admission) and with its own codes, numbered
//! 3000 to 3099.

use publica_types::{Address, AgencyId, Code, ErrorCode, Role, TxError};

publica_types::module_codes! {
    /// An administrator registers an official of another agency.
    OFFICIAL_OF_OTHER_AGENCY_REGISTERED = (3001, "official_of_other_agency_registered", NotPermitted);
    /// An administrator would take their own admin role away.
    OWN_ADMIN_ROLE_REMOVED = (3002, "own_admin_role_removed", NotPermitted);
    /// An administrator would suspend or reinstate their own account.
    OWN_ACCOUNT_SUSPENDED = (3003, "own_account_suspended", NotPermitted);
    /// The registrar's agency may not register citizens.
    CITIZEN_REGISTRATION_NOT_ALLOWED = (3004, "citizen_registration_not_allowed", NotPermitted);
    /// A citizen with this identifier commitment is already registered.
    ID_COMMITMENT_REGISTERED = (3005, "id_commitment_registered", AccountExists);
    /// A key rotation names the current key.
    NEW_KEY_IS_CURRENT = (3006, "new_key_is_current", InvalidArgument);
    /// The new key's proof of possession does not verify.
    KEY_POSSESSION_INVALID = (3007, "key_possession_invalid", BadSignature);
    /// An official would hold no roles or too many.
    ROLE_COUNT_OUT_OF_RANGE = (3008, "role_count_out_of_range", InvalidArgument);
    /// A list of roles names one twice.
    ROLE_REPEATED = (3009, "role_repeated", InvalidArgument);
    /// The agency may not grant a role asked for.
    ROLE_NOT_GRANTABLE = (3010, "role_not_grantable", NotPermitted);
    /// A proposed list of an agency's grantable roles breaks the genesis rule.
    AGENCY_ROLES_INVALID = (3011, "agency_roles_invalid", InvalidArgument);
    /// The account administered is an official of another agency.
    OFFICIAL_OF_OTHER_AGENCY = (3012, "official_of_other_agency", NotPermitted);
    /// The account administered is a citizen, not an official.
    NOT_AN_OFFICIAL = (3013, "not_an_official", NotPermitted);
    /// An official holds a role its agency may not (or no longer) grant: the role authorises nothing.
    ROLE_NOT_GRANTED_BY_AGENCY = (3014, "role_not_granted_by_agency", MissingRole);
}

pub(crate) fn unknown_account(address: &Address) -> TxError {
    TxError::new(ErrorCode::UnknownAccount, format!("account {address} is not registered"))
}

pub(crate) fn unknown_agency(agency: &AgencyId) -> TxError {
    TxError::new(ErrorCode::UnknownAgency, format!("agency {agency} does not exist"))
}

pub(crate) fn account_exists(address: &Address) -> TxError {
    TxError::new(
        ErrorCode::AccountExists,
        format!("account {address} is already registered; each key can back one account"),
    )
}

pub(crate) fn missing_role(address: &Address, role: &str, agency: Option<&AgencyId>) -> TxError {
    let scope = agency.map(|a| format!(" in agency {a}")).unwrap_or_default();
    TxError::new(
        ErrorCode::MissingRole,
        format!("account {address} lacks the role {role:?}{scope}; ask the agency's administrator to grant it"),
    )
}

/// An official holds a role its agency may not (or no longer) grant: the role authorises nothing.
pub(crate) fn role_not_granted(address: &Address, role: &str, agency: &AgencyId) -> TxError {
    TxError::new(
        ROLE_NOT_GRANTED_BY_AGENCY,
        format!(
            "account {address} holds the role {role:?}, but its agency {agency} may not grant that role, so it \
             authorises nothing; roles of an agency are set in genesis and changed only by a governance vote"
        ),
    )
}

pub(crate) fn inactive(address: &Address) -> TxError {
    TxError::new(
        ErrorCode::AccountInactive,
        format!("account {address} is suspended; its agency's administrator can reinstate it"),
    )
}

/// A refusal with this module's `code`.
pub(crate) fn refuse(code: Code, message: impl Into<String>) -> TxError {
    TxError::new(code, message)
}

pub(crate) fn role_list(roles: &[Role]) -> String {
    roles.iter().map(Role::as_str).collect::<Vec<_>>().join(", ")
}
