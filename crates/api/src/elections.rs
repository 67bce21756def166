//! Elections routes (`/v1/elections/…`): elections, a voter's receipt checked against the board, public
//! credentials, the trustees' key-generation messages and what each needs for step 5, and the board's events with
//! the objects they name (`docs/elections.md`). Every answer comes from one read of the elections module's queries
//! and carries the proofs of every key they read, under one certified header (`certified`, then `proofs`), so
//! `publica verify` checks it offline. The board's objects (the election, ballots, the tally, the result…) are
//! named by their SHA-256 in proven records and events: they are served as bytes, and checked by hashing them.
//!
//! Every answer is bounded whatever the caller asks. A page of the board carries objects whole only up to
//! [`MAX_INLINE_OBJECT_BYTES`] and at most [`MAX_EVENTS_PAGE_BYTES`] of them; a larger object (the public
//! credentials of a large roll: about 620 bytes per voter) is listed with its length and read one stored chunk
//! ([`CHUNK_BYTES`], 64 KiB) at a time from `GET /v1/elections/{id}/objects/{hash}/chunks/{index}`, which needs no
//! proof since the object's name is its SHA-256. A page of elections stops at [`MAX_ELECTIONS_PAGE_BYTES`] of
//! records. An election's own answer carries the election and result objects, which the module's limits keep under
//! [`MAX_ELECTION_OBJECT_BYTES`] and [`MAX_RESULT_OBJECT_BYTES`] (checked before they are read). The trustees'
//! messages are at most 96 KiB each (`publica_elections::call::MAX_TRUSTEE_MESSAGE_BYTES`; 16 of them make a
//! step-5 input).
//!
//! Writes are transactions (`POST /v1/transactions` with an `elections` call; a ballot is an anonymous
//! transaction); these routes only read.

use std::collections::HashSet;

use axum::extract::State;
use serde::Deserialize;

use publica_client::api::{
    BallotResponse, BoardEvent, BoardObject, ElectionCredentialResponse, ElectionResponse, ElectionsResponse,
    EventsResponse, LargeObject, ObjectChunkResponse, TrusteeInputResponse, TrusteeMessageResponse, MAX_ELECTIONS_PAGE,
    MAX_EVENTS_PAGE,
};
use publica_elections::board;
use publica_elections::call::{
    MAX_ANSWERS, MAX_ANSWER_BYTES, MAX_DESCRIPTION_BYTES, MAX_ELEMENT_DIGITS, MAX_NAME_BYTES, MAX_QUESTIONS,
    MAX_QUESTION_BYTES, MAX_TOTAL_WEIGHT, MAX_TRUSTEES,
};
use publica_elections::error::ELECTION_NOT_FOUND;
use publica_elections::query;
use publica_elections::schema::{self, Blob, ElectionRecord, CHUNK_BYTES};
use publica_node::NodeHandle;
use publica_types::{codec, Hash, StateRead, TxError};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_hash, quote, Path, Query};
use crate::identity::{split, NoParams};

/// Elections listed by one answer of `GET /v1/elections` when no `limit` is given.
const DEFAULT_ELECTIONS_PAGE: u32 = 20;
/// Events in one answer of `GET /v1/elections/{id}/events` when no `limit` is given.
const DEFAULT_EVENTS_PAGE: u32 = 100;
/// Most bytes of events and objects one page of the board carries whole (their hex in the JSON is twice as long):
/// a page ends before the event that would pass it, so a page of large ballots holds fewer than `limit` events.
/// Objects listed in `large_objects` do not count: their bytes are not in the page. The first event of a page is
/// always served so that every page moves forward; it weighs at most [`MAX_OBJECTS_PER_EVENT`] objects of
/// [`MAX_INLINE_OBJECT_BYTES`] and the event itself, well within the budget.
pub const MAX_EVENTS_PAGE_BYTES: usize = 16 << 20;
/// Largest object a page of the board carries whole. A larger one is listed in the page's `large_objects` with its
/// length and chunk count, and read one stored chunk at a time (`GET /v1/elections/{id}/objects/{hash}/chunks/
/// {index}`): in practice only the public credentials object of a roll of more than about 1,700 voters (about 620
/// bytes each; 620 MB at the module's limit of a million voters), since the module keeps every other object
/// smaller (a ballot and a partial decryption at most 96 KiB, the encrypted tally about 680 KB at 16 questions of
/// 33 slots, the election object under [`MAX_ELECTION_OBJECT_BYTES`]), except a trustees object of 16 trustees
/// with unusually long messages.
pub const MAX_INLINE_OBJECT_BYTES: usize = 1 << 20;
/// Most objects one event names: the set-up's election, trustees and credentials objects, and its payload.
pub const MAX_OBJECTS_PER_EVENT: usize = 4;
/// Most bytes of an event as the board writes it (`{"parent","height","type","payload"}`: two hashes in hex, a
/// height and a type name), with room to spare.
const MAX_EVENT_BYTES: usize = 1024;
const _: () = assert!(
    MAX_OBJECTS_PER_EVENT * MAX_INLINE_OBJECT_BYTES + MAX_EVENT_BYTES <= MAX_EVENTS_PAGE_BYTES,
    "the first event of a page, which always comes, fits the page's budget"
);
/// Largest election object the module can make: its texts (name, description, questions and answers) at their
/// limits, each byte written at most twice (Belenios' JSON escapes only `"`, `\` and the newline, the module refuses
/// other control characters), and 64 KiB for the rest (the group, the public key of at most 617 digits, the uuid
/// and the JSON around them).
pub const MAX_ELECTION_OBJECT_BYTES: usize = 2
    * (MAX_NAME_BYTES + MAX_DESCRIPTION_BYTES + MAX_QUESTIONS * (MAX_QUESTION_BYTES + MAX_ANSWERS * MAX_ANSWER_BYTES))
    + 64 * 1024;
/// Largest result object the module can make: a count per answer and one for the blank vote, per question, each at
/// most [`MAX_TOTAL_WEIGHT`] (its digits, quoted, and a comma), and 1 KiB for the JSON around them.
pub const MAX_RESULT_OBJECT_BYTES: usize =
    MAX_QUESTIONS * (MAX_ANSWERS + 1) * (MAX_TOTAL_WEIGHT.ilog10() as usize + 1 + 3) + 1024;
const _: () = assert!(
    MAX_ELECTION_OBJECT_BYTES <= MAX_INLINE_OBJECT_BYTES && MAX_RESULT_OBJECT_BYTES <= MAX_INLINE_OBJECT_BYTES,
    "an election's answer carries its election and result objects whole"
);
/// Most bytes of election records one page of `GET /v1/elections` carries (as the ledger stores them; their JSON
/// and the hex of their proofs' values are each at most about twice as long): a page ends before the record that
/// would pass it, so it may list fewer than `limit` elections. A record takes at most about 116 KB (113 KB of it
/// text at the module's limits), so a page holds at least 35 of them, and always its first.
pub const MAX_ELECTIONS_PAGE_BYTES: usize = 4 << 20;
/// Most digits of an object's chunk number: chunks are numbered from 0, and a billion chunks of 64 KiB is more than
/// any object of a board.
const MAX_CHUNK_DIGITS: usize = 9;
/// Most digits of an election number: every 19-digit number fits in 64 bits.
const MAX_ID_DIGITS: usize = 19;

/// The steps of the key generation that have a message.
const STEPS: [u8; 3] = [1, 3, 5];

/// An election number: 1 to 19 decimal digits.
fn parse_id(text: &str) -> Result<u64, ApiError> {
    let digits = !text.is_empty() && text.len() <= MAX_ID_DIGITS && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse().ok()).flatten().ok_or_else(|| {
        ApiError::Malformed(format!(
            "an election number is 1 to {MAX_ID_DIGITS} decimal digits (elections are numbered from 0), got {}",
            quote(text)
        ))
    })
}

/// A trustee's number: 1 to [`MAX_TRUSTEES`], in decimal without leading zeros.
fn parse_trustee(text: &str) -> Result<u32, ApiError> {
    let canonical =
        !text.is_empty() && !text.starts_with('0') && text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit());
    canonical.then(|| text.parse::<u32>().ok()).flatten().filter(|n| (1..=MAX_TRUSTEES as u32).contains(n)).ok_or_else(
        || {
            ApiError::Malformed(format!(
                "a trustee is numbered 1 to {MAX_TRUSTEES} in decimal (trustee j is the election's j-th), got {}",
                quote(text)
            ))
        },
    )
}

/// A step of the key generation that has a message: 1, 3 or 5.
fn parse_step(text: &str) -> Result<u8, ApiError> {
    STEPS.iter().copied().find(|s| text == s.to_string()).ok_or_else(|| {
        ApiError::Malformed(format!(
            "a key-generation step is 1 (certificate), 3 (polynomial) or 5 (verification key), got {}",
            quote(text)
        ))
    })
}

/// A public credential: a group element in decimal as Belenios writes it, 1 to [`MAX_ELEMENT_DIGITS`] digits with
/// no leading zero.
fn parse_credential(text: &str) -> Result<String, ApiError> {
    let canonical = !text.is_empty()
        && text.len() <= MAX_ELEMENT_DIGITS
        && !text.starts_with('0')
        && text.bytes().all(|b| b.is_ascii_digit());
    if !canonical {
        return Err(ApiError::Malformed(format!(
            "a public credential is a group element in decimal: 1 to {MAX_ELEMENT_DIGITS} digits, no leading zero, \
             got {} ({} characters)",
            quote(text),
            text.len()
        )));
    }
    Ok(text.to_owned())
}

/// A chunk's number: 0 to 999,999,999 in decimal without leading zeros.
fn parse_chunk(text: &str) -> Result<u32, ApiError> {
    let canonical = !text.is_empty()
        && text.len() <= MAX_CHUNK_DIGITS
        && (text == "0" || !text.starts_with('0'))
        && text.bytes().all(|b| b.is_ascii_digit());
    canonical.then(|| text.parse().ok()).flatten().ok_or_else(|| {
        ApiError::Malformed(format!(
            "a chunk is numbered from 0 in decimal, 1 to {MAX_CHUNK_DIGITS} digits without leading zeros (a page \
             of the board gives each large object's number of chunks), got {}",
            quote(text)
        ))
    })
}

/// A page size from 1 to `max`, `default` when absent.
fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit.unwrap_or(default) {
        n @ 1.. if n <= max => Ok(n),
        n => Err(ApiError::Malformed(format!("limit must be 1 to {max}, not {n}: ask page by page with from"))),
    }
}

/// "No election has this number", with the module's code.
fn no_election(id: u64) -> ApiError {
    ApiError::Refused(TxError::new(
        ELECTION_NOT_FOUND,
        format!("there is no election {id}; elections are numbered from 0 (GET /v1/elections lists them)"),
    ))
}

/// The election's record, or its refusal.
fn election(state: &dyn StateRead, id: u64) -> Result<ElectionRecord, ApiError> {
    schema::election(state, id).ok_or_else(|| no_election(id))
}

/// "The store lacks what a proven record names".
fn damaged(what: String) -> ApiError {
    ApiError::Internal(format!("{what}; the state store is damaged"))
}

/// A stored object's header (its length and number of chunks), without reading its bytes.
fn blob(state: &dyn StateRead, id: u64, hash: &Hash) -> Result<Option<Blob>, ApiError> {
    let Some(bytes) = state.get(&schema::blob_key(id, hash)) else { return Ok(None) };
    let header: Blob = codec::decode_canonical("an object's header", &bytes, 64).map_err(|e| {
        damaged(format!("the header of object {} of election {id} does not decode ({e})", hex::encode(hash)))
    })?;
    Ok(Some(header))
}

/// The number of chunks an object of `len` bytes is stored in (an empty object has one, empty).
fn chunks_for(len: u64) -> u64 {
    len.div_ceil(CHUNK_BYTES as u64).max(1)
}

/// The length of chunk `index` of an object of `len` bytes.
fn chunk_len(len: u64, index: u32) -> u64 {
    len.saturating_sub(u64::from(index) * CHUNK_BYTES as u64).min(CHUNK_BYTES as u64)
}

/// A stored object named by a proven record, read whole only if its header says it has at most `max_bytes`; the
/// module keeps it smaller, so a larger one means a damaged store.
fn bounded_object(
    state: &dyn StateRead,
    id: u64,
    hash: &Hash,
    max_bytes: usize,
    what: &str,
) -> Result<Vec<u8>, ApiError> {
    let missing = || damaged(format!("the {what} of election {id} ({}) is not stored", hex::encode(hash)));
    let header = blob(state, id, hash)?.ok_or_else(missing)?;
    if header.len > max_bytes as u64 {
        return Err(damaged(format!(
            "the {what} of election {id} has {} bytes, more than the {max_bytes} the module's limits allow",
            header.len
        )));
    }
    schema::object(state, id, hash).ok_or_else(missing)
}

/// A page of the elections.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageParams {
    /// The first one's number or height (from 0).
    from: Option<u64>,
    /// How many at most.
    limit: Option<u32>,
}

/// `GET /v1/elections?from=&limit=`.
pub(crate) async fn list(
    State(node): State<NodeHandle>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<ElectionsResponse>, ApiError> {
    let from = q.from.unwrap_or(0);
    let limit = page_limit(q.limit, DEFAULT_ELECTIONS_PAGE, MAX_ELECTIONS_PAGE)? as usize;
    let response = blocking(move || -> Result<ElectionsResponse, ApiError> {
        let ((elections, count), reads) = node.read(|state| {
            let (mut elections, count, mut keys) = query::elections_with_keys(state, from, limit);
            let shown = records_within(&elections, MAX_ELECTIONS_PAGE_BYTES);
            elections.truncate(shown);
            // The counter's key, then one per record shown.
            keys.truncate(1 + shown);
            Ok::<_, ApiError>(((elections, count), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ElectionsResponse { elections, count, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// How many of `records` a page of elections shows: those whose stored bytes stay within `budget_bytes`, and
/// always the first.
fn records_within(records: &[ElectionRecord], budget_bytes: usize) -> usize {
    let mut bytes = 0usize;
    for (shown, record) in records.iter().enumerate() {
        bytes += codec::encode(record).len();
        if shown > 0 && bytes > budget_bytes {
            return shown;
        }
    }
    records.len()
}

/// `GET /v1/elections/{id}`.
pub(crate) async fn one(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ElectionResponse>, ApiError> {
    let id = parse_id(&text)?;
    let response = blocking(move || -> Result<ElectionResponse, ApiError> {
        let ((election, election_object, result_object), reads) = node.read(|state| {
            let (election, keys) = query::election_with_key(state, id).ok_or_else(|| no_election(id))?;
            // Both are small by the module's limits; their headers are read first, so that a damaged store never
            // makes this answer large.
            let stored = |hash: Option<Hash>, max_bytes: usize, what: &str| {
                hash.map(|h| bounded_object(state, id, &h, max_bytes, what)).transpose()
            };
            let election_object = stored(election.election_hash, MAX_ELECTION_OBJECT_BYTES, "election object")?;
            let result_object = stored(election.result_hash, MAX_RESULT_OBJECT_BYTES, "result object")?;
            Ok::<_, ApiError>(((election, election_object, result_object), keys))
        })?;
        let result = result_object
            .as_deref()
            .map(publica_belenios::tally::parse_result)
            .transpose()
            .map_err(|e| damaged(format!("the result object of election {id} does not parse ({e})")))?;
        let (certified, proofs) = split(reads);
        Ok(ElectionResponse {
            fingerprint: election.election_hash.map(|h| publica_belenios::election::b64(&h)),
            election,
            election_object,
            result_object,
            result,
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/elections/{id}/ballots/{hash}`.
pub(crate) async fn ballot(
    State(node): State<NodeHandle>,
    Path((id, hash)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<BallotResponse>, ApiError> {
    let id = parse_id(&id)?;
    let hash = parse_hash("a ballot's hash (its SHA-256: the voter's receipt)", &hash)?;
    let response = blocking(move || -> Result<BallotResponse, ApiError> {
        let (receipt, reads) = node.read(|state| {
            election(state, id)?;
            query::ballot_receipt(state, id, &hash).ok_or_else(|| {
                ApiError::NotFound(format!(
                    "election {id} has no ballot with the hash {}: a receipt is the SHA-256 of the ballot's bytes, \
                     found once the block that accepted it is committed",
                    hex::encode(hash)
                ))
            })
        })?;
        let (certified, proofs) = split(reads);
        Ok(BallotResponse {
            election: id,
            ballot: hash,
            tracker: publica_belenios::election::b64(&hash),
            counted: receipt.counted(&hash),
            entry: receipt.entry,
            event: receipt.event,
            credential: receipt.credential,
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/elections/{id}/credentials/{credential}`.
pub(crate) async fn credential(
    State(node): State<NodeHandle>,
    Path((id, credential)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ElectionCredentialResponse>, ApiError> {
    let id = parse_id(&id)?;
    let credential = parse_credential(&credential)?;
    let response = blocking(move || -> Result<ElectionCredentialResponse, ApiError> {
        let (record, reads) = node.read(|state| {
            election(state, id)?;
            query::credential_with_key(state, id, &credential)
                .map(|(record, revoked, keys)| ((record, revoked), keys))
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "election {id} has no such public credential (starting {}); credentials are published by the \
                     election's credential authority before the vote",
                        quote(&credential)
                    ))
                })
        })?;
        let (certified, proofs) = split(reads);
        let (record, revoked_at_height) = record;
        Ok(ElectionCredentialResponse { election: id, credential, record, revoked_at_height, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/elections/{id}/trustees/{trustee}/messages/{step}`.
pub(crate) async fn trustee_message(
    State(node): State<NodeHandle>,
    Path((id, trustee, step)): Path<(String, String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<TrusteeMessageResponse>, ApiError> {
    let id = parse_id(&id)?;
    let trustee = parse_trustee(&trustee)?;
    let step = parse_step(&step)?;
    let response = blocking(move || -> Result<TrusteeMessageResponse, ApiError> {
        let (message, reads) = node.read(|state| {
            let record = election(state, id)?;
            query::trustee_message_with_key(state, id, step, trustee).ok_or_else(|| {
                ApiError::NotFound(if trustee as usize > record.trustees.len() {
                    format!(
                        "election {id} has {} trustees, numbered from 1: no trustee {trustee}",
                        record.trustees.len()
                    )
                } else {
                    format!("trustee {trustee} of election {id} has not sent its message of step {step} yet")
                })
            })
        })?;
        let (certified, proofs) = split(reads);
        Ok(TrusteeMessageResponse { election: id, trustee, step, message, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/elections/{id}/trustees/{trustee}/input`.
pub(crate) async fn trustee_input(
    State(node): State<NodeHandle>,
    Path((id, trustee)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<TrusteeInputResponse>, ApiError> {
    let id = parse_id(&id)?;
    let trustee = parse_trustee(&trustee)?;
    let response = blocking(move || -> Result<TrusteeInputResponse, ApiError> {
        let (input, reads) = node.read(|state| {
            let record = election(state, id)?;
            query::trustee_input_with_keys(state, id, trustee).ok_or_else(|| {
                ApiError::NotFound(if trustee as usize > record.trustees.len() {
                    format!(
                        "election {id} has {} trustees, numbered from 1: no trustee {trustee}",
                        record.trustees.len()
                    )
                } else {
                    format!(
                        "the input of step 5 is made from every trustee's polynomial (step 3), and election {id} does \
                         not have them all yet"
                    )
                })
            })
        })?;
        let (certified, proofs) = split(reads);
        Ok(TrusteeInputResponse { election: id, trustee, input, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/elections/{id}/events?from=&limit=`.
pub(crate) async fn events(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<EventsResponse>, ApiError> {
    let id = parse_id(&text)?;
    let from = q.from.unwrap_or(0);
    let limit = u64::from(page_limit(q.limit, DEFAULT_EVENTS_PAGE, MAX_EVENTS_PAGE)?);
    let response = blocking(move || -> Result<EventsResponse, ApiError> {
        let ((election, page), reads) = node.read(|state| {
            let (election, mut keys) = query::election_with_key(state, id).ok_or_else(|| no_election(id))?;
            let end = from.saturating_add(limit).min(election.events);
            let page = board_page(
                from..end,
                PageLimits { budget_bytes: MAX_EVENTS_PAGE_BYTES, inline_bytes_max: MAX_INLINE_OBJECT_BYTES },
                |height| board_item(state, id, height),
                |hash| {
                    schema::object(state, id, hash)
                        .ok_or_else(|| damaged(format!("object {} of election {id} is not stored", hex::encode(hash))))
                },
            )?;
            keys.extend(page.keys.iter().cloned());
            Ok::<_, ApiError>(((election, page), keys))
        })?;
        let (certified, proofs) = split(reads);
        let BoardPage { events, objects, large_objects, .. } = page;
        Ok(EventsResponse { election, events, objects, large_objects, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/elections/{id}/objects/{hash}/chunks/{index}`.
pub(crate) async fn object_chunk(
    State(node): State<NodeHandle>,
    Path((id, hash, index)): Path<(String, String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ObjectChunkResponse>, ApiError> {
    let id = parse_id(&id)?;
    let hash = parse_hash("an object's name (its SHA-256, as a page of the board lists it)", &hash)?;
    let index = parse_chunk(&index)?;
    // No proof: the object is named by its SHA-256 in a proven event, so its reader checks it by hashing it.
    let response = blocking(move || {
        node.view(|state| -> Result<ObjectChunkResponse, ApiError> {
            election(state, id)?;
            let header = blob(state, id, &hash)?.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "election {id} has no object with the SHA-256 {}: objects are named by the board's events \
                     (GET /v1/elections/{id}/events lists them)",
                    hex::encode(hash)
                ))
            })?;
            if u64::from(header.chunks) != chunks_for(header.len) {
                return Err(damaged(format!(
                    "object {} of election {id} has {} bytes in {} chunks",
                    hex::encode(hash),
                    header.len,
                    header.chunks
                )));
            }
            if index >= header.chunks {
                return Err(ApiError::NotFound(format!(
                    "object {} of election {id} has {} chunk(s), numbered from 0: there is no chunk {index}",
                    hex::encode(hash),
                    header.chunks
                )));
            }
            let bytes = state.get(&schema::chunk_key(id, &hash, index)).ok_or_else(|| {
                damaged(format!("chunk {index} of object {} of election {id} is not stored", hex::encode(hash)))
            })?;
            if bytes.len() as u64 != chunk_len(header.len, index) {
                return Err(damaged(format!(
                    "chunk {index} of object {} of election {id} has {} bytes, its header implies {}",
                    hex::encode(hash),
                    bytes.len(),
                    chunk_len(header.len, index)
                )));
            }
            Ok(ObjectChunkResponse { election: id, hash, index, len: header.len, chunks: header.chunks, bytes })
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// An object an event names, by its header: its bytes are read only if the page carries it whole.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Named {
    hash: Hash,
    len: u64,
    chunks: u32,
    /// Its bytes when they were read already (the event's payload, read to find the other objects).
    bytes: Option<Vec<u8>>,
}

/// An event of the board with the objects it names, as a page reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PageItem {
    height: u64,
    hash: Hash,
    bytes: Vec<u8>,
    /// In the order the archive writes them ([`board::event_objects`]).
    objects: Vec<Named>,
}

/// The event at `height` of election `id` with the objects it names, and its key. Only the event's payload is
/// read whole: the set-up's, the tally's and a partial decryption's name the other objects, and the module keeps
/// every payload small (a ballot at most 96 KiB, the others a few hashes). The objects it names are read by their
/// headers only.
fn board_item(state: &dyn StateRead, id: u64, height: u64) -> Result<(PageItem, Vec<u8>), ApiError> {
    let (hash, bytes) = query::event(state, id, height)
        .ok_or_else(|| damaged(format!("event {height} of election {id} is not stored")))?;
    let payload = board::event_kind_and_payload(&bytes).and_then(|(_, payload)| payload);
    // `event_objects` reads the payload to find the objects it names; the others are only checked to be stored
    // here (an empty stand-in), and their headers read below.
    let named = board::event_objects(&bytes, |h| {
        if Some(*h) == payload {
            schema::object(state, id, h)
        } else {
            state.get(&schema::blob_key(id, h)).map(|_| Vec::new())
        }
    })
    .map_err(|e| damaged(format!("event {height} of election {id}: {e}")))?;
    let objects = named
        .into_iter()
        .map(|(h, read)| {
            let header = blob(state, id, &h)?
                .ok_or_else(|| damaged(format!("object {} of election {id} is not stored", hex::encode(h))))?;
            Ok(Named { hash: h, len: header.len, chunks: header.chunks, bytes: (Some(h) == payload).then_some(read) })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok((PageItem { height, hash, bytes, objects }, schema::event_key(id, height)))
}

/// The bounds of one page of the board.
#[derive(Clone, Copy, Debug)]
struct PageLimits {
    /// Most bytes of events and whole objects ([`MAX_EVENTS_PAGE_BYTES`]).
    budget_bytes: usize,
    /// Largest object carried whole ([`MAX_INLINE_OBJECT_BYTES`]); larger ones are listed.
    inline_bytes_max: usize,
}

/// A page of the board: the events of `heights` read by `read`, with the objects they name, each once, and each
/// event's key. An object of at most `limits.inline_bytes_max` bytes comes whole (read by `object` unless `read`
/// gave its bytes); a larger one is listed with its length and chunks, and never read. The page ends before the
/// event whose bytes and new whole objects' would pass `limits.budget_bytes`, except that the first event always
/// comes, so that every page moves forward.
fn board_page(
    heights: std::ops::Range<u64>,
    limits: PageLimits,
    mut read: impl FnMut(u64) -> Result<(PageItem, Vec<u8>), ApiError>,
    mut object: impl FnMut(&Hash) -> Result<Vec<u8>, ApiError>,
) -> Result<BoardPage, ApiError> {
    let mut page = BoardPage { events: Vec::new(), objects: Vec::new(), large_objects: Vec::new(), keys: Vec::new() };
    let (mut seen, mut bytes) = (HashSet::new(), 0u64);
    let inline = |named: &Named| named.len <= limits.inline_bytes_max as u64;
    for height in heights {
        let (item, key) = read(height)?;
        let mut fresh = HashSet::new();
        let new: Vec<Named> =
            item.objects.into_iter().filter(|n| !seen.contains(&n.hash) && fresh.insert(n.hash)).collect();
        let weight = item.bytes.len() as u64 + new.iter().filter(|n| inline(n)).map(|n| n.len).sum::<u64>();
        if !page.events.is_empty() && bytes + weight > limits.budget_bytes as u64 {
            break;
        }
        bytes += weight;
        seen.extend(fresh);
        for named in new {
            if !inline(&named) {
                page.large_objects.push(LargeObject { hash: named.hash, len: named.len, chunks: named.chunks });
                continue;
            }
            let whole = match named.bytes {
                Some(read) => read,
                None => object(&named.hash)?,
            };
            if whole.len() as u64 != named.len {
                return Err(damaged(format!(
                    "object {} has {} bytes, its header says {}",
                    hex::encode(named.hash),
                    whole.len(),
                    named.len
                )));
            }
            page.objects.push(BoardObject { hash: named.hash, bytes: whole });
        }
        page.events.push(BoardEvent { height, hash: item.hash, bytes: item.bytes });
        page.keys.push(key);
    }
    Ok(page)
}

/// A page of the board as [`board_page`] reads it.
struct BoardPage {
    events: Vec<BoardEvent>,
    /// The objects carried whole.
    objects: Vec<BoardObject>,
    /// The objects listed by their sizes.
    large_objects: Vec<LargeObject>,
    /// Each event's key, in order.
    keys: Vec<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters() {
        assert_eq!(parse_id("0").unwrap(), 0);
        assert_eq!(parse_id("9999999999999999999").unwrap(), 9_999_999_999_999_999_999);
        for bad in ["", "+1", "-1", "1.0", " 1", "12345678901234567890", "0x10", "a"] {
            assert!(parse_id(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_trustee("1").unwrap(), 1);
        assert_eq!(parse_trustee("16").unwrap(), 16);
        for bad in ["", "0", "01", "17", "+1", "-1", "99", "100"] {
            assert!(parse_trustee(bad).is_err(), "{bad:?}");
        }
        for (text, step) in [("1", 1), ("3", 3), ("5", 5)] {
            assert_eq!(parse_step(text).unwrap(), step);
        }
        for bad in ["", "0", "2", "4", "6", "01", "+1", "15"] {
            assert!(parse_step(bad).is_err(), "{bad:?}");
        }
        assert!(parse_credential("1").is_ok());
        assert!(parse_credential(&"9".repeat(MAX_ELEMENT_DIGITS)).is_ok());
        for bad in ["".to_owned(), "0".to_owned(), "01".to_owned(), "1a".to_owned(), "9".repeat(MAX_ELEMENT_DIGITS + 1)]
        {
            assert!(parse_credential(&bad).is_err(), "{bad:?}");
        }
        assert!(page_limit(None, 20, 100).is_ok_and(|n| n == 20));
        assert!(page_limit(Some(0), 20, 100).is_err());
        assert!(page_limit(Some(101), 20, 100).is_err());
        let message = parse_credential(&"x".repeat(10_000)).unwrap_err().to_string();
        assert!(message.len() < 300, "{message}");
    }

    /// An event of `len` bytes at `height` naming objects `names` (object `n` has `n` bytes, in one chunk).
    fn item(height: u64, len: usize, names: &[u8]) -> (PageItem, Vec<u8>) {
        let objects =
            names.iter().map(|&n| Named { hash: [n; 32], len: u64::from(n), chunks: 1, bytes: None }).collect();
        (PageItem { height, hash: [height as u8; 32], bytes: vec![0; len], objects }, vec![height as u8])
    }

    /// Event 0: 10 bytes and objects 50 and 40 (100); event 1: 10 and object 50 again (10: already given);
    /// event 2: 10 and object 30 (40), which would make 150; event 3: 1 byte.
    fn board(h: u64) -> Result<(PageItem, Vec<u8>), ApiError> {
        Ok([item(0, 10, &[50, 40]), item(1, 10, &[50]), item(2, 10, &[30]), item(3, 1, &[])][h as usize].clone())
    }

    /// Object `n`'s bytes.
    fn object(hash: &Hash) -> Result<Vec<u8>, ApiError> {
        Ok(vec![hash[0]; usize::from(hash[0])])
    }

    /// Limits with `budget_bytes` and no object too large to carry whole.
    fn budget(budget_bytes: usize) -> PageLimits {
        PageLimits { budget_bytes, inline_bytes_max: usize::MAX }
    }

    #[test]
    fn a_board_page_ends_before_its_budget_names_each_object_once_and_always_moves_forward() {
        let BoardPage { events, objects, large_objects, keys } = board_page(0..4, budget(120), board, object).unwrap();
        assert_eq!(events.iter().map(|e| e.height).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(objects.iter().map(|o| o.bytes.len()).collect::<Vec<_>>(), vec![50, 40], "each object once");
        assert!(objects.iter().all(|o| o.bytes == object(&o.hash).unwrap()));
        assert!(large_objects.is_empty());
        assert_eq!(keys, vec![vec![0], vec![1]]);
        let events = board_page(0..4, budget(150), board, object).unwrap().events;
        assert_eq!(events.len(), 3, "a page may reach its budget exactly: 150 bytes");
        let events = board_page(0..4, budget(151), board, object).unwrap().events;
        assert_eq!(events.len(), 4);
        // A first event heavier than the budget still comes alone, so that paging moves forward.
        let BoardPage { events, objects, .. } = board_page(0..4, budget(5), board, object).unwrap();
        assert_eq!((events.len(), objects.len()), (1, 2));
        let events = board_page(2..4, budget(40), board, object).unwrap().events;
        assert_eq!(events.len(), 1, "a page starting later counts its own objects");
        assert!(board_page(4..4, budget(5), board, object).unwrap().events.is_empty());
    }

    #[test]
    fn a_board_page_lists_objects_above_its_bound_by_their_sizes_never_reads_them_and_does_not_count_them() {
        // Objects of more than 45 bytes (50) are listed, not read: a reader of object 50 would fail the page.
        let limits = PageLimits { budget_bytes: 60, inline_bytes_max: 45 };
        let only_small = |hash: &Hash| {
            assert!(hash[0] <= 45, "object {} is above the bound and must not be read", hash[0]);
            object(hash)
        };
        let BoardPage { events, objects, large_objects, keys } = board_page(0..4, limits, board, only_small).unwrap();
        // Event 0 weighs 10 + 40 (object 50 is listed); event 1 10 (object 50 once); event 2 would make 110.
        assert_eq!(events.iter().map(|e| e.height).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(objects.iter().map(|o| o.hash[0]).collect::<Vec<_>>(), vec![40]);
        assert_eq!(large_objects, vec![LargeObject { hash: [50; 32], len: 50, chunks: 1 }], "listed once");
        assert_eq!(keys.len(), 2);
        // The bound is inclusive: an object of exactly the bound comes whole.
        let limits = PageLimits { budget_bytes: 1000, inline_bytes_max: 50 };
        let page = board_page(0..4, limits, board, object).unwrap();
        assert!(page.large_objects.is_empty() && page.objects.len() == 3 && page.events.len() == 4);
        // A first event whose whole objects pass the budget still comes; its large ones are listed.
        let limits = PageLimits { budget_bytes: 1, inline_bytes_max: 45 };
        let page = board_page(0..4, limits, board, only_small).unwrap();
        assert_eq!((page.events.len(), page.objects.len(), page.large_objects.len()), (1, 1, 1));
        // Bytes given by the reader (the payload, read to find the others) are used as they are, and checked
        // against the header.
        let given = |h: u64| {
            let (mut item, key) = board(h)?;
            item.objects[0].bytes = Some(vec![7; item.objects[0].len as usize]);
            Ok((item, key))
        };
        let page = board_page(0..1, budget(1000), given, object).unwrap();
        assert_eq!(page.objects[0].bytes, vec![7; 50]);
        let short = |h: u64| {
            let (mut item, key) = board(h)?;
            item.objects[0].bytes = Some(vec![7; 3]);
            Ok((item, key))
        };
        let error = board_page(0..1, budget(1000), short, object).err().unwrap();
        assert!(matches!(&error, ApiError::Internal(m) if m.contains("its header says 50")), "{error}");
    }

    #[test]
    fn object_sizes_follow_the_stored_chunks() {
        let chunk = CHUNK_BYTES as u64;
        assert_eq!((chunks_for(0), chunks_for(1), chunks_for(chunk), chunks_for(chunk + 1)), (1, 1, 1, 2));
        assert_eq!((chunk_len(0, 0), chunk_len(chunk + 1, 0), chunk_len(chunk + 1, 1)), (0, chunk, 1));
        assert_eq!(chunk_len(chunk, 1), 0);
        assert_eq!(parse_chunk("0").unwrap(), 0);
        assert_eq!(parse_chunk("999999999").unwrap(), 999_999_999);
        for bad in ["", "00", "01", "+1", "-1", "1.0", " 1", "1000000000", "4294967296", "x"] {
            assert!(parse_chunk(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_page_of_elections_stops_before_its_budget_and_always_shows_its_first() {
        let record = |id: u64, description: usize| ElectionRecord {
            description: "d".repeat(description),
            ..record_template(id)
        };
        let records = vec![record(0, 100), record(1, 100), record(2, 100)];
        let one = codec::encode(&records[0]).len();
        assert_eq!(records_within(&records, 3 * one), 3);
        assert_eq!(records_within(&records, 3 * one - 1), 2);
        assert_eq!(records_within(&records, 1), 1, "the first always comes");
        assert_eq!(records_within(&[], 1), 0);
    }

    /// A record at the module's limits, every text made of `"` (which JSON writes as two bytes).
    fn largest_record() -> ElectionRecord {
        use publica_elections::call::Question;
        let text = |n: usize| "\"".repeat(n);
        let question = Question {
            question: text(MAX_QUESTION_BYTES),
            answers: vec![text(MAX_ANSWER_BYTES); MAX_ANSWERS],
            min: 0,
            max: MAX_ANSWERS as u32,
            blank: true,
        };
        ElectionRecord {
            name: text(MAX_NAME_BYTES),
            description: text(MAX_DESCRIPTION_BYTES),
            questions: vec![question; MAX_QUESTIONS],
            trustees: vec![publica_types::Address([3; 20]); MAX_TRUSTEES],
            // A power of the generator is a member of the group, and about as long as the largest element.
            public_key: Some((0..8).fold(publica_belenios::group::g(), |x, _| x.sqr()).to_decimal()),
            election_hash: Some([4; 32]),
            trustees_hash: Some([5; 32]),
            credentials_hash: Some([6; 32]),
            head: Some([7; 32]),
            tally_hash: Some([8; 32]),
            result_hash: Some([9; 32]),
            decrypted_by: (1..=MAX_TRUSTEES as u32).collect(),
            ..record_template(u64::MAX)
        }
    }

    #[test]
    fn the_objects_and_records_of_the_largest_election_fit_the_bounds_their_answers_state() {
        let record = largest_record();
        let stored = codec::encode(&record).len();
        assert!(stored <= MAX_ELECTIONS_PAGE_BYTES / 35, "a page of elections holds 35 of {stored} bytes");
        let json = serde_json::to_vec(&record).unwrap().len();
        assert!(json <= 2 * stored + 4096, "its JSON ({json}) is at most about twice its stored bytes ({stored})");
        let public_key = record.public_key.as_deref().unwrap();
        assert!(public_key.len() >= MAX_ELEMENT_DIGITS - 2, "{}", public_key.len());
        let object = board::election_object(&record, public_key);
        assert!(object.len() > 2 * 112_000, "every text is escaped: {}", object.len());
        assert!(object.len() <= MAX_ELECTION_OBJECT_BYTES, "{} > {MAX_ELECTION_OBJECT_BYTES}", object.len());
        let counts = vec![vec![MAX_TOTAL_WEIGHT; MAX_ANSWERS + 1]; MAX_QUESTIONS];
        let result = publica_belenios::tally::result_bytes(&counts);
        assert!(result.len() <= MAX_RESULT_OBJECT_BYTES, "{} > {MAX_RESULT_OBJECT_BYTES}", result.len());
    }

    fn record_template(id: u64) -> ElectionRecord {
        ElectionRecord {
            id,
            uuid: "MWZQPfkoMT1R3t".into(),
            agency: "election-board".parse().unwrap(),
            created_by: publica_types::Address([1; 20]),
            created_at_height: 1,
            created_at_ms: 0,
            name: "n".into(),
            description: String::new(),
            questions: Vec::new(),
            opens_at_ms: 0,
            closes_at_ms: 1,
            trustees: Vec::new(),
            threshold: 1,
            credential_authority: publica_types::Address([2; 20]),
            status: schema::ElectionStatus::Credentials,
            roll_count: 0,
            roll_hash: [0; 32],
            roll_frozen_at_height: None,
            credentials_count: 0,
            credentials_weight: 0,
            credential_batches: 0,
            public_key: None,
            election_hash: None,
            trustees_hash: None,
            credentials_hash: None,
            events: 0,
            head: None,
            ballots: 0,
            voters: 0,
            voted_weight: 0,
            tally_hash: None,
            decrypted_by: Vec::new(),
            result_hash: None,
        }
    }
}
