//! Refusals of the accounts module, each with a stable code.

use publica_types::{Address, AgencyId, ErrorCode, Role, TxError};

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
        ErrorCode::MissingRole,
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

pub(crate) fn invalid(message: impl Into<String>) -> TxError {
    TxError::new(ErrorCode::InvalidArgument, message)
}

pub(crate) fn not_permitted(message: impl Into<String>) -> TxError {
    TxError::new(ErrorCode::NotPermitted, message)
}

pub(crate) fn role_list(roles: &[Role]) -> String {
    roles.iter().map(Role::as_str).collect::<Vec<_>>().join(", ")
}
