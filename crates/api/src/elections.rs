//! Elections routes (`/v1/elections/…`): elections, a voter's receipt checked against the board, public
//! credentials, the trustees' key-generation messages and what each needs for step 5, and the board's events with
//! the objects they name (`docs/elections.md`). Every answer comes from one read of the elections module's queries
//! and carries the proofs of every key they read, under one certified header (`certified`, then `proofs`), so
//! `publica verify` checks it offline. The board's objects (the election, ballots, the tally, the result…) are
//! named by their SHA-256 in proven records and events: they are served as bytes, and checked by hashing them.
//!
//! Writes are transactions (`POST /v1/transactions` with an `elections` call; a ballot is an anonymous
//! transaction); these routes only read.

use std::collections::HashSet;

use axum::extract::State;
use serde::Deserialize;

use publica_client::api::{
    BallotResponse, BoardEvent, BoardObject, ElectionCredentialResponse, ElectionResponse, ElectionsResponse,
    EventsResponse, TrusteeInputResponse, TrusteeMessageResponse, MAX_ELECTIONS_PAGE, MAX_EVENTS_PAGE,
};
use publica_elections::call::{MAX_ELEMENT_DIGITS, MAX_TRUSTEES};
use publica_elections::error::ELECTION_NOT_FOUND;
use publica_elections::query;
use publica_elections::schema::{self, ElectionRecord};
use publica_node::NodeHandle;
use publica_types::{StateRead, TxError};
use publica_verify::{CertifiedHeader, CertifiedReads, KeyProof};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_hash, Path, Query};
use crate::identity::NoParams;

/// Elections listed by one answer of `GET /v1/elections` when no `limit` is given.
const DEFAULT_ELECTIONS_PAGE: u32 = 20;
/// Events in one answer of `GET /v1/elections/{id}/events` when no `limit` is given.
const DEFAULT_EVENTS_PAGE: u32 = 100;
/// Most bytes of events and objects one page of the board carries (their hex in the JSON is twice as long): a page
/// ends before the event that would pass it, so a page of large ballots holds fewer than `limit` events. The first
/// event of a page is always served, whatever its objects weigh, so that every page moves forward: the set-up's
/// credentials object alone holds about 620 bytes per voter.
pub const MAX_EVENTS_PAGE_BYTES: usize = 16 << 20;
/// Most digits of an election number: every 19-digit number fits in 64 bits.
const MAX_ID_DIGITS: usize = 19;

/// The steps of the key generation that have a message.
const STEPS: [u8; 3] = [1, 3, 5];

/// `text` shortened for quoting in a message.
fn quote(text: &str) -> String {
    let short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        format!("{short:?}...")
    } else {
        format!("{short:?}")
    }
}

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

/// A read's proofs, split as the answers carry them.
fn split(reads: CertifiedReads) -> (CertifiedHeader, Vec<KeyProof>) {
    let CertifiedReads { certified, reads } = reads;
    (certified, reads)
}

/// "The store lacks what a proven record names".
fn damaged(what: String) -> ApiError {
    ApiError::Internal(format!("{what}; the state store is damaged"))
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
            let (elections, count, keys) = query::elections_with_keys(state, from, limit);
            Ok::<_, ApiError>(((elections, count), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ElectionsResponse { elections, count, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
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
            let stored = |hash: Option<publica_types::Hash>, what: &str| {
                hash.map(|h| {
                    schema::object(state, id, &h).ok_or_else(|| {
                        damaged(format!("the {what} of election {id} ({}) is not stored", hex::encode(h)))
                    })
                })
                .transpose()
            };
            let election_object = stored(election.election_hash, "election object")?;
            let result_object = stored(election.result_hash, "result object")?;
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
            query::credential_with_key(state, id, &credential).ok_or_else(|| {
                ApiError::NotFound(format!(
                    "election {id} has no such public credential (starting {}); credentials are published by the \
                     election's credential authority before the vote",
                    quote(&credential)
                ))
            })
        })?;
        let (certified, proofs) = split(reads);
        Ok(ElectionCredentialResponse { election: id, credential, record, certified, proofs })
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
        let ((election, events, objects), reads) = node.read(|state| {
            let (election, mut keys) = query::election_with_key(state, id).ok_or_else(|| no_election(id))?;
            let end = from.saturating_add(limit).min(election.events);
            let BoardPage { events, objects, keys: event_keys } =
                board_page(from..end, MAX_EVENTS_PAGE_BYTES, |height| {
                    query::event_with_objects(state, id, height)
                        .ok_or_else(|| damaged(format!("event {height} of election {id} is not stored")))
                })?;
            keys.extend(event_keys);
            Ok::<_, ApiError>(((election, events, objects), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(EventsResponse { election, events, objects, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// A page of the board: the events of `heights` read by `read`, with the objects they name, each once, and each
/// event's key; it ends before the event whose bytes and new objects' would pass `budget_bytes`, except that the
/// first event always comes, so that every page moves forward.
fn board_page(
    heights: std::ops::Range<u64>,
    budget_bytes: usize,
    mut read: impl FnMut(u64) -> Result<(query::BoardItem, Vec<u8>), ApiError>,
) -> Result<BoardPage, ApiError> {
    let (mut events, mut objects, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    let (mut seen, mut bytes) = (HashSet::new(), 0usize);
    for height in heights {
        let (item, key) = read(height)?;
        let new: Vec<(publica_types::Hash, Vec<u8>)> =
            item.objects.into_iter().filter(|(hash, _)| !seen.contains(hash)).collect();
        let weight = item.bytes.len() + new.iter().map(|(_, b)| b.len()).sum::<usize>();
        if !events.is_empty() && bytes + weight > budget_bytes {
            break;
        }
        bytes += weight;
        for (hash, bytes) in new {
            seen.insert(hash);
            objects.push(BoardObject { hash, bytes });
        }
        events.push(BoardEvent { height, hash: item.hash, bytes: item.bytes });
        keys.push(key);
    }
    Ok(BoardPage { events, objects, keys })
}

/// A page of the board as [`board_page`] reads it.
struct BoardPage {
    events: Vec<BoardEvent>,
    objects: Vec<BoardObject>,
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

    /// An event of `len` bytes at `height` naming objects `names` (object `n` has `n` bytes).
    fn item(height: u64, len: usize, names: &[u8]) -> (query::BoardItem, Vec<u8>) {
        let objects = names.iter().map(|&n| ([n; 32], vec![n; usize::from(n)])).collect();
        (query::BoardItem { height, hash: [height as u8; 32], bytes: vec![0; len], objects }, vec![height as u8])
    }

    #[test]
    fn a_board_page_ends_before_its_budget_names_each_object_once_and_always_moves_forward() {
        // Event 0: 10 bytes and objects 50 and 40 (100); event 1: 10 and object 50 again (10: already given);
        // event 2: 10 and object 30 (40), which would make 150.
        let board = |h: u64| -> Result<(query::BoardItem, Vec<u8>), ApiError> {
            Ok([item(0, 10, &[50, 40]), item(1, 10, &[50]), item(2, 10, &[30]), item(3, 1, &[])][h as usize].clone())
        };
        let BoardPage { events, objects, keys } = board_page(0..4, 120, board).unwrap();
        assert_eq!(events.iter().map(|e| e.height).collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(objects.iter().map(|o| o.bytes.len()).collect::<Vec<_>>(), vec![50, 40], "each object once");
        assert_eq!(keys, vec![vec![0], vec![1]]);
        let events = board_page(0..4, 150, board).unwrap().events;
        assert_eq!(events.len(), 3, "a page may reach its budget exactly: 150 bytes");
        let events = board_page(0..4, 151, board).unwrap().events;
        assert_eq!(events.len(), 4);
        // A first event heavier than the budget still comes alone, so that paging moves forward.
        let BoardPage { events, objects, .. } = board_page(0..4, 5, board).unwrap();
        assert_eq!((events.len(), objects.len()), (1, 2));
        let events = board_page(2..4, 40, board).unwrap().events;
        assert_eq!(events.len(), 1, "a page starting later counts its own objects");
        assert!(board_page(4..4, 5, board).unwrap().events.is_empty());
    }
}
