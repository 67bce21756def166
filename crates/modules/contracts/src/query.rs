//! Reads of the contracts module: pure functions over the state. Each answer comes with the keys to prove it,
//! which the API proves under one certified header (an absent key is proven absent).

use publica_types::{AgencyId, Hash, StateRead, TxId};

use crate::call::Policy;
use crate::schema::{self, CodeRecord, Event, Instance, Receipt};

/// The most events one page holds.
pub const MAX_EVENTS_PAGE: usize = 100;

/// The state keys an answer rests on.
pub type Keys = Vec<Vec<u8>>;

/// Uploaded code by hash, with its key.
pub fn code(state: &dyn StateRead, hash: &Hash) -> (Option<CodeRecord>, Keys) {
    let key = schema::code_key(hash);
    (schema::get(state, &key), vec![key])
}

/// An instance by number, with its key.
pub fn instance(state: &dyn StateRead, id: u64) -> (Option<Instance>, Keys) {
    let key = schema::instance_key(id);
    (schema::get(state, &key), vec![key])
}

/// An instance by name, with the keys of the name index and (when named) of the instance.
pub fn instance_by_name(state: &dyn StateRead, name: &str) -> (Option<Instance>, Keys) {
    let key = schema::name_key(name);
    let mut keys = vec![key.clone()];
    let Some(id) = schema::get_u64_opt(state, &key) else { return (None, keys) };
    let (instance, more) = instance(state, id);
    keys.extend(more);
    (instance, keys)
}

/// A key of an instance's own state (the bytes the contract wrote under it), with its key.
pub fn state_value(state: &dyn StateRead, id: u64, key: &[u8]) -> (Option<Vec<u8>>, Keys) {
    let key = schema::state_key(id, key);
    (state.get(&key), vec![key])
}

/// How many events an instance recorded, with its key.
pub fn event_count(state: &dyn StateRead, id: u64) -> (u64, Keys) {
    let key = schema::event_count_key(id);
    (schema::get_u64(state, &key), vec![key])
}

/// Events `from ..` of an instance, at most `limit` (and [`MAX_EVENTS_PAGE`]), with their numbers, and the keys
/// of the count and of every event read.
pub fn events(state: &dyn StateRead, id: u64, from: u64, limit: usize) -> (Vec<(u64, Event)>, Keys) {
    let (count, mut keys) = event_count(state, id);
    let end = count.min(from.saturating_add(limit.min(MAX_EVENTS_PAGE) as u64));
    let mut page = Vec::new();
    for seq in from..end {
        let key = schema::event_key(id, seq);
        if let Some(event) = schema::get(state, &key) {
            page.push((seq, event));
        }
        keys.push(key);
    }
    (page, keys)
}

/// An agency's policy, with its key.
pub fn policy(state: &dyn StateRead, agency: &AgencyId) -> (Option<Policy>, Keys) {
    let key = schema::policy_key(agency);
    (schema::get(state, &key), vec![key])
}

/// The fuel an agency's instances used on the day of `time_ms` (UTC), with its key.
pub fn fuel_used_on(state: &dyn StateRead, agency: &AgencyId, time_ms: u64) -> (u64, Keys) {
    let key = schema::budget_key(agency, schema::day_of(time_ms));
    (schema::get_u64(state, &key), vec![key])
}

/// The receipt of a call, by its transaction, with its key.
pub fn receipt(state: &dyn StateRead, tx_id: &TxId) -> (Option<Receipt>, Keys) {
    let key = schema::receipt_key(tx_id);
    (schema::get(state, &key), vec![key])
}

/// The most instances one page of [`instances`] holds.
pub const MAX_INSTANCES_PAGE: usize = 100;

/// How many instances were deployed (instances are numbered from 0 and never removed, so this is also the next
/// one's number), with the counter's key (absent before the first deployment: 0).
pub fn instance_count(state: &dyn StateRead) -> (u64, Keys) {
    let key = schema::NEXT_INSTANCE_KEY.to_vec();
    (schema::get_u64(state, &key), vec![key])
}

/// Instances `from ..` by number, at most `limit` (and [`MAX_INSTANCES_PAGE`]), and the keys of the counter and of
/// every instance read.
pub fn instances(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<Instance>, Keys) {
    let (count, mut keys) = instance_count(state);
    let end = count.min(from.saturating_add(limit.min(MAX_INSTANCES_PAGE) as u64));
    let mut page = Vec::new();
    for id in from..end {
        let (found, more) = instance(state, id);
        page.extend(found);
        keys.extend(more);
    }
    (page, keys)
}
