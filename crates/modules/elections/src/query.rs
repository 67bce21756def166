//! Reads of the elections module over `&dyn StateRead`. A read a voter or an observer may want proven (an election's
//! record, a ballot's place on the board, an event) returns the keys to prove with the value.

use publica_types::{Hash, StateRead};

use crate::board;
use crate::schema::*;

/// An election's record, with the key that proves it.
pub fn election_with_key(state: &dyn StateRead, id: u64) -> Option<(ElectionRecord, Vec<Vec<u8>>)> {
    election(state, id).map(|record| (record, vec![election_key(id)]))
}

/// Elections numbered `from` onwards, at most `limit` of them, and how many exist.
pub fn elections(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<ElectionRecord>, u64) {
    let count = election_count(state);
    let records = (from..count).take(limit).filter_map(|id| election(state, id)).collect();
    (records, count)
}

/// Where a ballot is on the board, with the keys that prove it: its entry (event height, block, credential) and
/// the event at that height, whose payload is the ballot's hash.
pub fn ballot(state: &dyn StateRead, id: u64, hash: &Hash) -> Option<(BallotEntry, Vec<Vec<u8>>)> {
    let entry: BallotEntry = read(state, &ballot_key(id, hash))?;
    let keys = vec![ballot_key(id, hash), event_key(id, entry.event_height), election_key(id)];
    Some((entry, keys))
}

/// The hash of the event at `height` and its bytes.
pub fn event(state: &dyn StateRead, id: u64, height: u64) -> Option<(Hash, Vec<u8>)> {
    let hash: Hash = state.get(&event_key(id, height))?.try_into().expect("an event hash is 32 bytes");
    let bytes = object(state, id, &hash).expect("every indexed event is stored");
    Some((hash, bytes))
}

/// A credential's record (given in decimal): its weight and the ballots cast with it.
pub fn credential(state: &dyn StateRead, id: u64, credential: &str) -> Option<CredentialRecord> {
    read(state, &credential_key(id, credential))
}

/// A trustee's message of a step (1, 3 or 5), trustees numbered from 1.
pub fn trustee_message(state: &dyn StateRead, id: u64, step: u8, trustee: u32) -> Option<Vec<u8>> {
    state.get(&trustee_message_key(id, step, trustee))
}

/// What trustee `trustee` needs for step 5 of the key generation: its own polynomial, the shares every trustee
/// encrypted to it, and everyone's signed coefficient commitments (Belenios' `vinput`). `None` until every
/// trustee's polynomial is on the ledger.
pub fn trustee_input(state: &dyn StateRead, id: u64, trustee: u32) -> Option<Vec<u8>> {
    let record = election(state, id)?;
    let n = record.trustees.len() as u32;
    if trustee == 0 || trustee > n {
        return None;
    }
    let polynomials: Option<Vec<Vec<u8>>> = (1..=n).map(|k| trustee_message(state, id, 3, k)).collect();
    board::trustee_input(&polynomials?, trustee).ok()
}

/// The election's archive: its board written out as a Belenios 2.0 `.bel` file, from the first event to the
/// head. `None` before set-up.
pub fn archive(state: &dyn StateRead, id: u64) -> Option<Vec<u8>> {
    let record = election(state, id)?;
    if record.events == 0 {
        return None;
    }
    let events: Vec<Vec<u8>> =
        (0..record.events).map(|h| event(state, id, h).expect("every event below the count").1).collect();
    let bytes = board::archive(record.created_at_ms / 1000, &events, |hash| object(state, id, hash))
        .expect("the board's events and objects were written by the ledger");
    Some(bytes)
}
