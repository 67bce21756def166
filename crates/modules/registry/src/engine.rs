//! The registry engine: versioned records, shared by every registry.
//!
//! A record (a parcel, a title, a permit...) is a sequence of versions under keys `reg/<kind>/<id>/v/<n>`, plus a
//! head key holding the latest `n`. Versions are only ever added, never overwritten or deleted, so the state root
//! in every signed header commits to each record's whole history. Every version names the height, block time,
//! transaction and application that made it.
//!
//! **As of a date.** Versions are written in block order and block time never decreases, so their times are
//! non-decreasing. The version in force at time `D` is the last one with `time_ms <= D`. It is found with a binary
//! search over point reads, and proven with two keys: version `n` (time ≤ D) and version `n + 1` (present with
//! time > D, or proven absent). [`decide_as_of`] is the verifier's side of that argument.

use publica_types::{codec, CallContext, StateRead, StateWrite, TxError};

use crate::error::{self, refuse, RegistryError};
use crate::schema::{decode_stored, head_key, version_key, Record, RecordKind, Version};

/// Most versions returned by one [`history`] call.
pub const MAX_HISTORY_PAGE: usize = 256;

/// The latest version number of a record (0 if it does not exist).
pub fn head<T: Record>(state: &dyn StateRead, id: &str) -> u32 {
    match state.get(&head_key(T::KIND, id)) {
        Some(b) => u32::from_le_bytes(b.as_slice().try_into().expect("a stored head is 4 bytes; the store is corrupt")),
        None => 0,
    }
}

/// One version of a record.
pub fn version<T: Record>(state: &dyn StateRead, id: &str, version: u32) -> Option<Version<T>> {
    let bytes = state.get(&version_key(T::KIND, id, version))?;
    let v: Version<T> = decode_stored("record version", &bytes);
    // Read-back check, paired with the check before writing.
    assert!(
        v.kind == T::KIND && v.id == id && v.version == version && v.value.check().is_ok(),
        "stored version {version} of {:?} {id} breaks its schema; the state store is corrupt",
        T::KIND
    );
    Some(v)
}

/// The latest version of a record.
pub fn latest<T: Record>(state: &dyn StateRead, id: &str) -> Option<Version<T>> {
    match head::<T>(state, id) {
        0 => None,
        n => version(state, id, n),
    }
}

/// Up to `limit` (at most [`MAX_HISTORY_PAGE`]) versions of a record starting at `from` (1 for the first).
pub fn history<T: Record>(state: &dyn StateRead, id: &str, from: u32, limit: usize) -> Vec<Version<T>> {
    let last = head::<T>(state, id);
    let from = from.max(1);
    let limit = limit.min(MAX_HISTORY_PAGE) as u32;
    (from..=last).take(limit as usize).filter_map(|n| version(state, id, n)).collect()
}

/// Add a version to a record (creating it if `id` has none). The value passes its schema check first, and the
/// block time must not precede the record's latest version (the as-of search relies on it). Returns the new
/// version number.
pub(crate) fn append<T: Record>(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: &str,
    application: Option<u64>,
    value: T,
) -> Result<u32, TxError> {
    value.check().map_err(|e| {
        refuse(error::RECORD_SCHEMA_VIOLATED, format!("the new {:?} version breaks the schema: {e}", T::KIND))
    })?;
    let last = head::<T>(state, id);
    if let Some(prev) = (last > 0).then(|| version::<T>(state, id, last)).flatten() {
        if prev.time_ms > ctx.time_ms {
            return Err(refuse(
                error::RECORD_TIME_BEFORE_LATEST,
                format!(
                    "block time {} ms precedes the latest version of {:?} {id} ({} ms); block time must not go back",
                    ctx.time_ms,
                    T::KIND,
                    prev.time_ms
                ),
            ));
        }
    }
    let n = last
        .checked_add(1)
        .ok_or_else(|| refuse(error::RECORD_VERSIONS_FULL, "the record has reached its maximum version count"))?;
    let v = Version {
        kind: T::KIND,
        id: id.to_owned(),
        version: n,
        height: ctx.height,
        time_ms: ctx.time_ms,
        tx_id: ctx.tx_id,
        application,
        value,
    };
    let bytes = codec::encode(&v);
    assert!(bytes.len() <= T::MAX_VERSION_BYTES, "a {:?} version exceeds its size bound; the bound is wrong", T::KIND);
    state.put(version_key(T::KIND, id, n), bytes);
    state.put(head_key(T::KIND, id), n.to_le_bytes().to_vec());
    Ok(n)
}

/// Take the next number from a counter (starting at 1).
pub(crate) fn next_number(state: &mut dyn StateWrite, key: &[u8]) -> u64 {
    let n = state
        .get(key)
        .map(|b| {
            u64::from_le_bytes(b.as_slice().try_into().expect("a stored counter is 8 bytes; the store is corrupt"))
        })
        .unwrap_or(1);
    state.put(key.to_vec(), (n + 1).to_le_bytes().to_vec());
    n
}

/// The version of a record in force at a time, with the state keys that prove it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsOf<T> {
    /// The last version with `time_ms <= at_ms`; `None` if the record did not exist yet (or never).
    pub in_force: Option<Version<T>>,
    /// The version after it, if any (its time is after `at_ms`).
    pub next: Option<Version<T>>,
    /// The keys whose state proofs (presence or absence) make the answer checkable: see [`as_of_keys`].
    pub keys: Vec<Vec<u8>>,
}

/// The keys that prove which version of a record was in force at a time: version `n` and version `n + 1` when
/// version `n` was in force, or version 1 when none was.
pub fn as_of_keys(kind: RecordKind, id: &str, in_force_version: Option<u32>) -> Vec<Vec<u8>> {
    match in_force_version {
        Some(n) => vec![version_key(kind, id, n), version_key(kind, id, n.saturating_add(1))],
        None => vec![version_key(kind, id, 1)],
    }
}

/// Find the version of a record in force at `at_ms` (binary search over point reads: O(log versions)).
pub fn as_of<T: Record>(state: &dyn StateRead, id: &str, at_ms: u64) -> AsOf<T> {
    let last = head::<T>(state, id);
    // Invariant: versions 1..lo are at or before `at_ms`, versions hi+1..=last are after it.
    let (mut lo, mut hi) = (1u32, last);
    let mut found = 0u32;
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        let v = version::<T>(state, id, mid).expect("versions up to the head exist");
        if v.time_ms <= at_ms {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    let in_force = (found > 0).then(|| version::<T>(state, id, found)).flatten();
    let next = version::<T>(state, id, found + 1);
    AsOf { keys: as_of_keys(T::KIND, id, in_force.as_ref().map(|v| v.version)), in_force, next }
}

/// The verifier's check of an as-of answer: given the versions read from proven keys (see [`as_of_keys`]) —
/// `in_force` at the first key and `next` at the second (or at version 1 when `in_force` is `None`), each `None`
/// where the proof shows the key absent — decide which version was in force at `at_ms`.
///
/// Returns `Ok(None)` when the record did not exist at `at_ms`.
pub fn decide_as_of<'a, T: Record>(
    id: &str,
    at_ms: u64,
    in_force: Option<&'a Version<T>>,
    next: Option<&'a Version<T>>,
) -> Result<Option<&'a Version<T>>, RegistryError> {
    let fail = |m: String| Err(RegistryError::AsOf(m));
    for v in in_force.iter().chain(next.iter()) {
        if v.kind != T::KIND || v.id != id {
            return fail(format!("a version of {:?} {} was given for {:?} {id}", v.kind, v.id, T::KIND));
        }
        if let Err(e) = v.value.check() {
            return fail(format!("version {} breaks the schema: {e}", v.version));
        }
    }
    let expected_next = match in_force {
        Some(v) => {
            if v.time_ms > at_ms {
                return fail(format!(
                    "version {} was written at {}, after {}",
                    v.version,
                    publica_types::time::format_time_ms(v.time_ms),
                    publica_types::time::format_time_ms(at_ms)
                ));
            }
            v.version.checked_add(1)
        }
        None => Some(1),
    };
    if let Some(w) = next {
        if Some(w.version) != expected_next {
            return fail(format!("the following version is {}, expected {expected_next:?}", w.version));
        }
        if w.time_ms <= at_ms {
            return fail(format!(
                "version {} was already written at {} ms, not after {at_ms} ms; it is the one in force",
                w.version, w.time_ms
            ));
        }
    }
    Ok(in_force)
}

/// Decode one version from outside bytes (an API answer, a proof's value), with the type's size limit and schema
/// check.
pub fn decode_version<T: Record>(bytes: &[u8]) -> Result<Version<T>, RegistryError> {
    let v: Version<T> = codec::decode_canonical("record version", bytes, T::MAX_VERSION_BYTES)
        .map_err(|e| RegistryError::Malformed { what: "record version", reason: e.to_string() })?;
    if v.kind != T::KIND {
        return Err(RegistryError::Malformed {
            what: "record version",
            reason: format!("a {:?} version was expected, this is a {:?}", T::KIND, v.kind),
        });
    }
    v.value.check().map_err(|reason| RegistryError::Malformed { what: "record version", reason })?;
    Ok(v)
}
