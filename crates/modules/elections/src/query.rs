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

/// Elections numbered `from` onwards (at most `limit` of them), how many exist, and the keys that prove them: the
/// election counter's key, then each record's.
pub fn elections_with_keys(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<ElectionRecord>, u64, Vec<Vec<u8>>) {
    let (records, count) = elections(state, from, limit);
    let keys = std::iter::once(NEXT_ELECTION_KEY.to_vec()).chain(records.iter().map(|r| election_key(r.id))).collect();
    (records, count, keys)
}

/// A voter's receipt checked against the board: where the ballot is, the hash of its event, and its credential's
/// record (whose `last_ballot` says whether this ballot is the one counted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Where the ballot is on the board.
    pub entry: BallotEntry,
    /// The hash of the event at `entry.event_height`.
    pub event: Hash,
    /// The ballot's credential's record.
    pub credential: CredentialRecord,
}

impl Receipt {
    /// Whether the ballot `hash` is its credential's last one: the one the tally counts.
    pub fn counted(&self, hash: &Hash) -> bool {
        self.credential.last_ballot.as_ref() == Some(hash)
    }
}

/// A ballot's receipt, with the keys that prove it: those of [`ballot`], then the credential record's key.
pub fn ballot_receipt(state: &dyn StateRead, id: u64, hash: &Hash) -> Option<(Receipt, Vec<Vec<u8>>)> {
    let (entry, mut keys) = ballot(state, id, hash)?;
    let (event, _) = event(state, id, entry.event_height).expect("a ballot's event is on the board");
    let credential = credential(state, id, &entry.credential).expect("a ballot's credential is published");
    keys.push(credential_key(id, &entry.credential));
    Some((Receipt { entry, event, credential }, keys))
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

/// A credential's record and the height it was revoked at (if it was), with the keys that prove them: the
/// record's, then the revocation's (proven present or absent).
pub fn credential_with_key(
    state: &dyn StateRead,
    id: u64,
    credential: &str,
) -> Option<(CredentialRecord, Option<u64>, Vec<Vec<u8>>)> {
    self::credential(state, id, credential).map(|record| {
        let revoked = revoked_at(state, id, credential);
        (record, revoked, vec![credential_key(id, credential), revocation_key(id, credential)])
    })
}

/// A trustee's message of a step (1, 3 or 5), trustees numbered from 1.
pub fn trustee_message(state: &dyn StateRead, id: u64, step: u8, trustee: u32) -> Option<Vec<u8>> {
    state.get(&trustee_message_key(id, step, trustee))
}

/// A trustee's message of a step, with the key that proves it.
pub fn trustee_message_with_key(
    state: &dyn StateRead,
    id: u64,
    step: u8,
    trustee: u32,
) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    trustee_message(state, id, step, trustee).map(|m| (m, vec![trustee_message_key(id, step, trustee)]))
}

/// [`trustee_input`] with the keys it is built from: every trustee's polynomial (step 3), in trustee order.
pub fn trustee_input_with_keys(state: &dyn StateRead, id: u64, trustee: u32) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let input = trustee_input(state, id, trustee)?;
    let n = election(state, id)?.trustees.len() as u32;
    Some((input, (1..=n).map(|k| trustee_message_key(id, 3, k)).collect()))
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
