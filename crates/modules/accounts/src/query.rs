//! Reads of the accounts module.

use publica_types::{Address, AgencyId, StateRead, TxError};

use crate::error;
use crate::schema::{account_key, agency_key, decode_stored, nonce_key, AccountRecord, AgencyRecord};

/// The account at `address`.
pub fn account(state: &dyn StateRead, address: &Address) -> Option<AccountRecord> {
    state.get(&account_key(address)).map(|b| decode_stored("account", &b))
}

/// The agency `id`.
pub fn agency(state: &dyn StateRead, id: &AgencyId) -> Option<AgencyRecord> {
    state.get(&agency_key(id)).map(|b| decode_stored("agency", &b))
}

/// The nonce the account's next transaction must carry (0 for a new account).
pub fn next_nonce(state: &dyn StateRead, address: &Address) -> u64 {
    state
        .get(&nonce_key(address))
        .map(|b| u64::from_le_bytes(b.as_slice().try_into().expect("stored nonce is 8 bytes")))
        .unwrap_or(0)
}

/// Check that `address` is an active official holding `role`, and that the official's agency may grant `role`
/// now; return its record. Every module call that needs a role goes through here.
///
/// The agency check is made on every use, not only when the role is granted: a role is worth exactly what the
/// agency may do, so a role held by an official of an agency that may not grant it (a `court` role in a bank)
/// authorises nothing, and a governance vote that takes a role from an agency disables it for all its officials
/// in the same block.
pub fn require_role(state: &dyn StateRead, address: &Address, role: &str) -> Result<AccountRecord, TxError> {
    let record = account(state, address).ok_or_else(|| error::unknown_account(address))?;
    if !record.active {
        return Err(error::inactive(address));
    }
    if !record.has_role(role) {
        return Err(error::missing_role(address, role, record.agency()));
    }
    let agency_id = record.agency().expect("an account holding a role is an official of an agency");
    let grants = agency(state, agency_id).is_some_and(|a| a.grants(role));
    if !grants {
        return Err(error::role_not_granted(address, role, agency_id));
    }
    Ok(record)
}
