//! Reads of the data module: pure functions over the state. Each returns, with its value, the state keys whose
//! proofs (presence or absence) make the answer checkable; the API proves them under one certified header.
//!
//! Lists (a citizen's accesses, consents, court orders and records; an agency's pending accesses and erasures) are
//! read a page at a time, after a member's number, newest or oldest first, at most [`MAX_PAGE`] members: the keys
//! are the list's head, the nodes walked and the members' records. Emergencies and studies are numbered from 1 and
//! paged by number.

use serde::{Deserialize, Serialize};

use publica_types::{Address, AgencyId, Hash, StateRead};

use crate::error::QueryError;
use crate::schema::*;

/// Most members one page returns.
pub const MAX_PAGE: usize = 200;

/// A value read from the state, with the keys to prove.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proven<T> {
    /// The answer.
    pub value: T,
    /// The state keys that prove it, in the order they were read.
    pub keys: Vec<Vec<u8>>,
}

impl<T> Proven<T> {
    fn new(value: T, keys: Vec<Vec<u8>>) -> Self {
        Proven { value, keys }
    }
}

/// Which end of a list a page starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// The newest member first (a log read from its end).
    #[default]
    NewestFirst,
    /// The oldest member first.
    OldestFirst,
}

/// A page of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Start after this member (its number); `None`: at the list's end named by `order`.
    pub after: Option<u64>,
    /// How many members, 1 to [`MAX_PAGE`] (other values are clamped).
    pub limit: usize,
    /// Which end first.
    pub order: Order,
}

impl Page {
    /// The first page of `limit` members in `order`.
    pub fn first(limit: usize, order: Order) -> Page {
        Page { after: None, limit, order }
    }

    fn limit(&self) -> usize {
        self.limit.clamp(1, MAX_PAGE)
    }
}

/// A page of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing<T> {
    /// The members, in the page's order.
    pub items: Vec<T>,
    /// How many members the whole list has.
    pub total: u64,
    /// The number to start the next page after; `None` when this page reaches the list's end.
    pub next: Option<u64>,
}

/// A study with its public counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyView {
    /// The study.
    pub study: Study,
    /// Its accesses in aggregate.
    pub counters: StudyCounters,
}

fn one<T: borsh::BorshDeserialize + borsh::BorshSerialize>(state: &dyn StateRead, key: Vec<u8>) -> Proven<Option<T>> {
    let value = get(state, &key);
    Proven::new(value, vec![key])
}

/// A record (a tombstone once erased).
pub fn record(state: &dyn StateRead, id: u64) -> Proven<Option<Record>> {
    one(state, record_key(id))
}

/// The record registered with a commitment (keys: the commitment's index, then the record's).
pub fn record_by_commitment(state: &dyn StateRead, commitment: &Hash) -> Proven<Option<Record>> {
    let index_key = commitment_key(commitment);
    let Some(id) = get::<u64>(state, &index_key) else { return Proven::new(None, vec![index_key]) };
    let mut found = record(state, id);
    found.keys.insert(0, index_key);
    found
}

/// A consent.
pub fn consent(state: &dyn StateRead, id: u64) -> Proven<Option<Consent>> {
    one(state, consent_key(id))
}

/// An access.
pub fn access(state: &dyn StateRead, id: u64) -> Proven<Option<Access>> {
    one(state, access_key(id))
}

/// A court order.
pub fn court_order(state: &dyn StateRead, id: u64) -> Proven<Option<CourtOrder>> {
    one(state, court_order_key(id))
}

/// An emergency.
pub fn emergency(state: &dyn StateRead, id: u64) -> Proven<Option<Emergency>> {
    one(state, emergency_key(id))
}

/// A study with its counters (keys: the study's, then the counters').
pub fn study(state: &dyn StateRead, id: u64) -> Proven<Option<StudyView>> {
    let key = study_key(id);
    let counters_key = study_counters_key(id);
    let value = get::<Study>(state, &key)
        .map(|study| StudyView { study, counters: get(state, &counters_key).unwrap_or_default() });
    Proven::new(value, vec![key, counters_key])
}

/// An agency's retention rule for a category.
pub fn retention(state: &dyn StateRead, agency: &AgencyId, category: &str) -> Proven<Option<RetentionRule>> {
    one(state, retention_key(agency, category))
}

/// A representation of `citizen` by `representative`.
pub fn representation(
    state: &dyn StateRead,
    citizen: &Address,
    representative: &Address,
) -> Proven<Option<Representation>> {
    one(state, representation_key(citizen, representative))
}

/// Every representation of a citizen on record, current or ended, in the order of first appointment (at most
/// [`MAX_REPRESENTATIVES`](crate::tx::MAX_REPRESENTATIVES)).
pub fn representatives(state: &dyn StateRead, citizen: &Address) -> Proven<Vec<Representation>> {
    let list_key = representatives_key(citizen);
    let listed: Vec<Address> = get(state, &list_key).unwrap_or_default();
    let mut keys = vec![list_key];
    let mut found = Vec::with_capacity(listed.len());
    for representative in listed {
        let key = representation_key(citizen, &representative);
        found.push(get(state, &key).expect("a listed representative's appointment is stored"));
        keys.push(key);
    }
    Proven::new(found, keys)
}

/// Every access to an owner's records, granted or refused: the citizen's log.
pub fn owner_accesses(
    state: &dyn StateRead,
    owner: &Address,
    page: Page,
) -> Result<Proven<Listing<Access>>, QueryError> {
    listed(state, &crate::schema::owner_accesses(owner), page, access_key)
}

/// An owner's consents.
pub fn owner_consents(
    state: &dyn StateRead,
    owner: &Address,
    page: Page,
) -> Result<Proven<Listing<Consent>>, QueryError> {
    listed(state, &crate::schema::owner_consents(owner), page, consent_key)
}

/// The court orders about an owner.
pub fn owner_court_orders(
    state: &dyn StateRead,
    owner: &Address,
    page: Page,
) -> Result<Proven<Listing<CourtOrder>>, QueryError> {
    listed(state, &crate::schema::owner_court_orders(owner), page, court_order_key)
}

/// An owner's records (tombstones included).
pub fn owner_records(
    state: &dyn StateRead,
    owner: &Address,
    page: Page,
) -> Result<Proven<Listing<Record>>, QueryError> {
    listed(state, &crate::schema::owner_records(owner), page, record_key)
}

/// The pending accesses to an agency's records: its vault's queue. A member leaves it when answered, so a page
/// after a member that has left fails with [`QueryError::NotListed`]: read from the start again.
pub fn pending_accesses(
    state: &dyn StateRead,
    agency: &AgencyId,
    page: Page,
) -> Result<Proven<Listing<Access>>, QueryError> {
    listed(state, &agency_pending(agency), page, access_key)
}

/// An agency's records whose erasure is ordered and not yet recorded: its vault's erasure queue.
pub fn pending_erasures(
    state: &dyn StateRead,
    agency: &AgencyId,
    page: Page,
) -> Result<Proven<Listing<Record>>, QueryError> {
    listed(state, &agency_erasures(agency), page, record_key)
}

/// Emergencies by number.
pub fn emergencies(state: &dyn StateRead, page: Page) -> Proven<Listing<Emergency>> {
    numbered(state, "e", page, emergency_key)
}

/// Studies by number (without their counters: read one with [`study`]).
pub fn studies(state: &dyn StateRead, page: Page) -> Proven<Listing<Study>> {
    numbered(state, "s", page, study_key)
}

fn listed<T: borsh::BorshDeserialize + borsh::BorshSerialize>(
    state: &dyn StateRead,
    list: &List,
    page: Page,
    member_key: fn(u64) -> Vec<u8>,
) -> Result<Proven<Listing<T>>, QueryError> {
    let step = |link: &Link| match page.order {
        Order::NewestFirst => link.prev,
        Order::OldestFirst => link.next,
    };
    let head = list.head(state);
    let mut keys = vec![list.head_key()];
    let mut cursor = match page.after {
        None => match page.order {
            Order::NewestFirst => head.last,
            Order::OldestFirst => head.first,
        },
        Some(after) => {
            let link = list.link(state, after).ok_or(QueryError::NotListed { after })?;
            keys.push(list.node_key(after));
            step(&link)
        }
    };
    let mut ids = Vec::new();
    while let Some(id) = cursor {
        if ids.len() == page.limit() {
            break;
        }
        let link = list.link(state, id).expect("a list's member has a node");
        keys.push(list.node_key(id));
        ids.push(id);
        cursor = step(&link);
    }
    let next = cursor.and(ids.last().copied());
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let key = member_key(id);
        items.push(get(state, &key).expect("a listed member is stored"));
        keys.push(key);
    }
    Ok(Proven::new(Listing { items, total: head.count, next }, keys))
}

fn numbered<T: borsh::BorshDeserialize + borsh::BorshSerialize>(
    state: &dyn StateRead,
    kind: &str,
    page: Page,
    member_key: fn(u64) -> Vec<u8>,
) -> Proven<Listing<T>> {
    let total = count(state, kind);
    let ids: Vec<u64> = match page.order {
        Order::OldestFirst => {
            let start = page.after.map_or(1, |a| a.saturating_add(1));
            (start..=total).take(page.limit()).collect()
        }
        Order::NewestFirst => {
            let start = page.after.map_or(total, |a| a.saturating_sub(1).min(total));
            (1..=start).rev().take(page.limit()).collect()
        }
    };
    let more = match (page.order, ids.last()) {
        (Order::OldestFirst, Some(&last)) => last < total,
        (Order::NewestFirst, Some(&last)) => last > 1,
        (_, None) => false,
    };
    let next = if more { ids.last().copied() } else { None };
    let mut keys = vec![next_key(kind)];
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        let key = member_key(id);
        items.push(get(state, &key).expect("a numbered record is stored"));
        keys.push(key);
    }
    Proven::new(Listing { items, total, next }, keys)
}
