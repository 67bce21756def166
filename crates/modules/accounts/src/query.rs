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

/// Check that `address` is an active official holding `role`, and return its record. Every module call that
/// needs a role goes through here.
pub fn require_role(state: &dyn StateRead, address: &Address, role: &str) -> Result<AccountRecord, TxError> {
    let record = account(state, address).ok_or_else(|| error::unknown_account(address))?;
    if !record.active {
        return Err(error::inactive(address));
    }
    if !record.has_role(role) {
        return Err(error::missing_role(address, role, record.agency()));
    }
    Ok(record)
}
