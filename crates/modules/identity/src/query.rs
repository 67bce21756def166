//! Reads of the identity module: pure functions over the state. Each returns, with its value, the state keys
//! whose proofs (presence or absence) make the answer checkable; the API proves them under one certified header,
//! and a verifier decodes the proven values and decides with [`crate::verify`].

use serde::{Deserialize, Serialize};

use publica_types::{Address, Hash, StateRead};

use crate::error::IdentityError;
use crate::schema::*;
use crate::tx::MAX_ACCREDITATION_CHAIN_LINKS;

/// Most records one listing returns.
pub const MAX_LISTED_RECORDS: usize = 1_000;

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

/// A schema by its hash.
pub fn schema(state: &dyn StateRead, hash: &Hash) -> Proven<Option<SchemaRecord>> {
    let key = schema_key(hash);
    let value = state.get(&key).map(|b| decode_stored("schema", &b));
    Proven::new(value, vec![key])
}

/// The schema registered for a type and version (the version key, then the schema's key when there is one).
pub fn schema_by_version(state: &dyn StateRead, type_name: &str, version: u32) -> Proven<Option<SchemaRecord>> {
    let key = schema_version_key(type_name, version);
    let Some(bytes) = state.get(&key) else { return Proven::new(None, vec![key]) };
    let hash: Hash = bytes.as_slice().try_into().expect("a stored schema hash is 32 bytes");
    let mut found = schema(state, &hash);
    found.keys.insert(0, key);
    found
}

/// An accreditation by its number.
pub fn accreditation(state: &dyn StateRead, id: u64) -> Proven<Option<Accreditation>> {
    let key = accreditation_key(id);
    let value = state.get(&key).map(|b| decode_stored("accreditation", &b));
    Proven::new(value, vec![key])
}

/// An issuer's accreditations for a type, in the order they were made (at most
/// [`MAX_ACCREDITATIONS_PER_ISSUER_TYPE`](crate::tx::MAX_ACCREDITATIONS_PER_ISSUER_TYPE)).
pub fn issuer_accreditations(
    state: &dyn StateRead,
    issuer: &Address,
    credential_type: &str,
) -> Proven<Vec<Accreditation>> {
    let index_key = issuer_index_key(issuer, credential_type);
    let ids: Vec<u64> = state.get(&index_key).map(|b| decode_stored("issuer index", &b)).unwrap_or_default();
    let mut keys = vec![index_key];
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        let found = accreditation(state, id);
        keys.extend(found.keys);
        records.extend(found.value);
    }
    Proven::new(records, keys)
}

/// The chain from accreditation `id` up to its root: the record itself, then each parent in turn, every record
/// with its key; at most [`MAX_ACCREDITATION_CHAIN_LINKS`] + 1 records (one more than a valid chain holds, so a
/// verifier sees a chain that is too long). Empty when `id` does not exist.
pub fn accreditation_chain(state: &dyn StateRead, id: u64) -> Proven<Vec<Accreditation>> {
    let mut keys = Vec::new();
    let mut chain = Vec::new();
    let mut next = Some(id);
    while let Some(id) = next {
        if chain.len() > MAX_ACCREDITATION_CHAIN_LINKS {
            break;
        }
        let found = accreditation(state, id);
        keys.extend(found.keys);
        let Some(record) = found.value else { break };
        next = record.parent;
        chain.push(record);
    }
    Proven::new(chain, keys)
}

/// A status list's header.
pub fn status_list(state: &dyn StateRead, owner: &Address, list: u32) -> Proven<Option<StatusListHeader>> {
    let key = status_list_key(owner, list);
    let value = state.get(&key).map(|b| decode_stored("status list", &b));
    Proven::new(value, vec![key])
}

/// One entry of a status list, with the chunk it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// The list's header.
    pub header: StatusListHeader,
    /// The entry's index.
    pub index: u32,
    /// Its status: 0 valid, 1 revoked, 2 suspended.
    pub status: u8,
    /// The chunk holding it.
    pub chunk: u32,
    /// The chunk's bytes (`None`: absent, every entry valid).
    pub chunk_bytes: Option<Vec<u8>>,
}

/// Entry `index` of list `list` of `owner` (keys: the header's, then the chunk's); `Ok(None)` when the list does
/// not exist.
pub fn status_entry(
    state: &dyn StateRead,
    owner: &Address,
    list: u32,
    index: u32,
) -> Result<Proven<Option<StatusEntry>>, IdentityError> {
    let mut found = status_list(state, owner, list);
    let Some(header) = found.value else { return Ok(Proven::new(None, found.keys)) };
    if index >= header.capacity {
        return Err(IdentityError::StatusIndexOutOfRange { index, capacity: header.capacity });
    }
    let chunk = header.chunk_of(index);
    let chunk_key = status_chunk_key(owner, list, chunk);
    let chunk_bytes = state.get(&chunk_key);
    let status = crate::verify::status_at(&header, index, chunk_bytes.as_deref())?;
    found.keys.push(chunk_key);
    Ok(Proven::new(Some(StatusEntry { header, index, status, chunk, chunk_bytes }), found.keys))
}

/// A whole status list: its header and its packed bytes (absent chunks filled with zeros), the uncompressed
/// `lst` of a status list token; the keys are the header's and every chunk's.
pub fn status_list_bytes(
    state: &dyn StateRead,
    owner: &Address,
    list: u32,
) -> Proven<Option<(StatusListHeader, Vec<u8>)>> {
    let mut found = status_list(state, owner, list);
    let Some(header) = found.value else { return Proven::new(None, found.keys) };
    let mut bytes = Vec::with_capacity(header.list_bytes());
    for chunk in 0..header.chunk_count() {
        let key = status_chunk_key(owner, list, chunk);
        match state.get(&key) {
            Some(stored) => bytes.extend_from_slice(&stored),
            None => bytes.resize(bytes.len() + header.chunk_len(chunk), 0),
        }
        found.keys.push(key);
    }
    Proven::new(Some((header, bytes)), found.keys)
}

/// A consent with some of its uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    /// The consent.
    pub consent: Consent,
    /// Its uses from the requested one, in order.
    pub uses: Vec<ConsentUse>,
}

/// Consent `id` with its uses `from`, at most `limit` (bounded by [`MAX_LISTED_RECORDS`]).
pub fn consent(state: &dyn StateRead, id: u64, from: u32, limit: usize) -> Proven<Option<ConsentView>> {
    let key = consent_key(id);
    let Some(bytes) = state.get(&key) else { return Proven::new(None, vec![key]) };
    let consent: Consent = decode_stored("consent", &bytes);
    let mut keys = vec![key];
    let end = u64::from(from).saturating_add(limit.min(MAX_LISTED_RECORDS) as u64).min(u64::from(consent.uses)) as u32;
    let mut uses = Vec::new();
    for n in from..end {
        let use_key = consent_use_key(id, n);
        let stored = state.get(&use_key).expect("a counted consent use is stored");
        uses.push(decode_stored("consent use", &stored));
        keys.push(use_key);
    }
    Proven::new(Some(ConsentView { consent, uses }), keys)
}

/// The consents a citizen granted, from the `from`-th, at most `limit` (bounded by [`MAX_LISTED_RECORDS`]).
pub fn consents_by_grantor(state: &dyn StateRead, grantor: &Address, from: u64, limit: usize) -> Proven<Vec<Consent>> {
    listed(state, grantor_count_key(grantor), |n| grantor_entry_key(grantor, n), from, limit)
}

/// The consents granted to a grantee, from the `from`-th, at most `limit` (bounded by [`MAX_LISTED_RECORDS`]).
pub fn consents_by_grantee(state: &dyn StateRead, grantee: &Address, from: u64, limit: usize) -> Proven<Vec<Consent>> {
    listed(state, grantee_count_key(grantee), |n| grantee_entry_key(grantee, n), from, limit)
}

fn listed(
    state: &dyn StateRead,
    count_key: Vec<u8>,
    entry_key: impl Fn(u64) -> Vec<u8>,
    from: u64,
    limit: usize,
) -> Proven<Vec<Consent>> {
    let count = state.get(&count_key).map_or(0, |b| decode_counter(&b));
    let mut keys = vec![count_key];
    let end = from.saturating_add(limit.min(MAX_LISTED_RECORDS) as u64).min(count);
    let mut consents = Vec::new();
    for n in from..end {
        let key = entry_key(n);
        let id = decode_id(&state.get(&key).expect("a counted index entry is stored"));
        keys.push(key);
        let found = consent(state, id, 0, 0);
        keys.extend(found.keys);
        consents.extend(found.value.map(|v| v.consent));
    }
    Proven::new(consents, keys)
}
