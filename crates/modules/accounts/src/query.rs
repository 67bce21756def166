//! Reads of the accounts module.

use publica_types::{Address, AgencyId, StateRead, TxError};

use crate::did::{VersionQuery, VersionState};
use crate::error;
use crate::schema::{
    account_key, agency_key, decode_stored, nonce_key, retired_count_key, retired_key_key, AccountRecord, AgencyRecord,
    AgencyView, RetiredKey,
};

/// The account at `address`.
pub fn account(state: &dyn StateRead, address: &Address) -> Option<AccountRecord> {
    state.get(&account_key(address)).map(|b| decode_stored("account", &b))
}

/// The agency `id`.
pub fn agency(state: &dyn StateRead, id: &AgencyId) -> Option<AgencyRecord> {
    state.get(&agency_key(id)).map(|b| decode_stored("agency", &b))
}

/// Read agency `id` in place ([`AgencyView`], no decoding) and answer `f` with it; `None` if there is no such
/// agency.
pub fn read_agency<R>(state: &dyn StateRead, id: &AgencyId, f: impl FnOnce(&AgencyView<'_>) -> R) -> Option<R> {
    state.get(&agency_key(id)).map(|bytes| {
        let view = AgencyView::parse(&bytes)
            .unwrap_or_else(|| panic!("stored agency {id} does not decode; the state store is corrupt"));
        f(&view)
    })
}

/// Whether agency `id` exists and may grant `role` (`admin` always).
pub fn agency_grants(state: &dyn StateRead, id: &AgencyId, role: &str) -> bool {
    read_agency(state, id, |agency| agency.grants(role)).unwrap_or(false)
}

/// The nonce the account's next transaction must carry (0 for a new account).
pub fn next_nonce(state: &dyn StateRead, address: &Address) -> u64 {
    state
        .get(&nonce_key(address))
        .map(|b| u64::from_le_bytes(b.as_slice().try_into().expect("stored nonce is 8 bytes")))
        .unwrap_or(0)
}

/// How many keys the account at `address` has retired by rotation.
pub fn retired_count(state: &dyn StateRead, address: &Address) -> u64 {
    state.get(&retired_count_key(address)).map_or(0, |b| decode_count(&b).expect("a stored count is 8 bytes"))
}

/// The `n`-th key the account at `address` retired (0 = the key it was registered with).
pub fn retired_key(state: &dyn StateRead, address: &Address, n: u64) -> Option<RetiredKey> {
    state.get(&retired_key_key(address, n)).map(|b| decode_stored("retired key", &b))
}

/// A stored count of retired keys: 8 bytes, little-endian (`None` if it is not 8 bytes).
pub fn decode_count(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// The version of `address`'s DID document asked for, with the state keys that prove it (the account record, its
/// count of retired keys, and the one retired key the version needs: [`VersionState`]); `None` when the account
/// does not exist, or did not yet at the height asked for.
pub fn did_version(
    state: &dyn StateRead,
    address: &Address,
    query: VersionQuery,
) -> Option<(VersionState, Vec<Vec<u8>>)> {
    let record = account(state, address)?;
    let retired = retired_count(state, address);
    let mut keys = vec![account_key(address), retired_count_key(address)];
    // The first retired key still in force after the point asked for (retired keys are in order of their windows).
    let ends_after = |k: &RetiredKey| match query {
        VersionQuery::Latest => false,
        VersionQuery::AtHeight(h) => k.until_height > h,
        VersionQuery::AtTime(t) => k.until_ms > t,
    };
    if let VersionQuery::AtHeight(h) = query {
        if h < record.created_at_height {
            return None;
        }
    }
    let (mut low, mut high) = (0, retired);
    while low < high {
        let mid = low + (high - low) / 2;
        let key = retired_key(state, address, mid).expect("every retired key below the count is stored");
        if ends_after(&key) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    let (entry, past) = if low < retired { (low, true) } else { (retired.saturating_sub(1), false) };
    let entry = (retired > 0).then(|| {
        keys.push(retired_key_key(address, entry));
        (entry, retired_key(state, address, entry).expect("every retired key below the count is stored"))
    });
    Some((VersionState { record, retired, entry, past }, keys))
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
    if !agency_grants(state, agency_id, role) {
        return Err(error::role_not_granted(address, role, agency_id));
    }
    Ok(record)
}
