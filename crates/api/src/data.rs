//! Personal data routes (`/v1/data/…`): the data module's records, accesses and legal bases read by those allowed
//! to, the citizen's log followed live, and the module's public state (studies with their counters, public-health
//! emergencies, retention rules). Writes are transactions (`POST /v1/transactions` with a `data` call); these
//! routes only read. The model is in `docs/privacy.md`, the routes in `docs/api.md` ("Personal data").
//!
//! # Signed reads
//!
//! Who holds a record at which agency, who asked for it and why are personal data: `GET /v1/state/{key}` refuses
//! the module's keys except the public ones, and every other read is a [`DataReadRequest`] its reader signs,
//! answered by `POST /v1/data/read` only to a reader with a standing for the answer:
//!
//! | standing | may read |
//! |---|---|
//! | the owner | their records, the accesses to them, their log, records and bases |
//! | their representative (appointed by a court, in office at the certified block's time) | the same |
//! | the requester of an access | that access, with its record's ledger entry |
//! | an official holding `data-controller` | its agency's records, the accesses to them, its agency's queue |
//! | an official holding [`DATA_AUDITOR_ROLE`] | everything |
//!
//! The checks run cheapest first, and nothing about the thing asked for is said before the reader is known to be
//! allowed (as `POST /v1/finance/accounts/read` does):
//!
//! 1. the body: at most [`MAX_DATA_READ_BODY_BYTES`], JSON of the expected form, page sizes of 1 to
//!    [`MAX_DATA_PAGE`], a signature of the right length;
//! 2. the time: `at_ms` within [`READ_REQUEST_MAX_SKEW_MS`](crate::extract::READ_REQUEST_MAX_SKEW_MS) (5 minutes) of the node's clock, either way;
//! 3. what the ledger says publicly of the reader: an existing, active account; its roles (an agency's queue is
//!    refused here to anyone but its controllers and auditors). Representations are personal data, so whether the
//!    reader represents someone is judged only after the signature: refusing earlier would tell whoever names a
//!    reader and a citizen whether one represents the other;
//! 4. the signature, with the reader's current key;
//! 5. one read with proofs, which checks the public standing again (a block may have changed it while the
//!    signature was checked) and then the standing for the thing read. A record, an access or a commitment that
//!    does not exist is refused exactly as one the reader may not read (403 `not_permitted`, the same message);
//!    only an auditor, who may read anything, is told it does not exist (404).
//!
//! A signed request can be replayed for as long as its time is within the window: whoever captures one sees the
//! same answer for those minutes. Send it over TLS.
//!
//! # The log stream
//!
//! `POST /v1/data/log/stream` takes the same signed body with an `owner_log` query, checked the same way, and
//! answers `text/event-stream`: a `ready` event, then one `access` event per access to the owner's records written
//! or changed in a block committed after the stream opened, in order, and an `end` event when the node ends it.
//! There is no notification inside the node to wait on, so each stream looks at the committed height every
//! [`STREAM_POLL`] and reads only when it moved: the accesses appended to the owner's log since its last look, and
//! the owner's accesses that were pending (a stream follows at most [`MAX_WATCHED_PENDING`] of them, found at its
//! start through the owner's records and as they are written). Streams are bounded: [`MAX_STREAMS`] per network
//! in this process, [`MAX_STREAMS_PER_READER`] per reader, each for [`STREAM_LIFETIME_MS`], after which the client
//! signs a new request; a comment line every few seconds keeps an idle connection from being closed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Bytes, HttpBody};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use publica_client::api::data::{
    AccessEvent, DataAnswer, DataQuery, DataReadRequest, DataReadResponse, DataStanding, EmergenciesResponse,
    EmergencyStatus, RetentionResponse, SignedDataRead, StreamEnd, StreamEndReason, StreamReady, StudyResponse,
    DATA_AUDITOR_ROLE, DEFAULT_EMERGENCIES_PAGE, MAX_DATA_PAGE, MAX_EMERGENCIES_PAGE, MAX_RETENTION_RULES,
};
use publica_crypto::SIGNATURE_LEN;
use publica_data::error::{ACCESS_NOT_FOUND, RECORD_NOT_FOUND, STUDY_NOT_FOUND};
use publica_data::query::{self, Order, Page};
use publica_data::schema::{self, Access, AccessState, Record, Representation, RetentionRule};
use publica_data::CONTROLLER_ROLE;
use publica_node::shared::now_ms;
use publica_node::NodeHandle;
use publica_types::{Address, AgencyId, Hash, PublicKey, PublicKeyBytes, Signature, StateRead};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{
    check_time, not_permitted, parse_record_number, parse_signature, quote, refused, Json, Path, Query,
};
use crate::identity::{split, NoParams};

/// Largest body of `POST /v1/data/read` and `POST /v1/data/log/stream`: a hybrid signature ([`SIGNATURE_LEN`]
/// bytes, 4,500 in base64) and a request of a few hundred bytes, with room to spare.
pub const MAX_DATA_READ_BODY_BYTES: usize = 16 * 1024;
const _: () = assert!(
    SIGNATURE_LEN.div_ceil(3) * 4 + 2 * 1024 <= MAX_DATA_READ_BODY_BYTES,
    "a signature in base64 and the largest request fit the body"
);
/// Most log streams open at once, per network served by this process.
pub const MAX_STREAMS: usize = 64;
/// Most log streams one reader keeps open at once.
pub const MAX_STREAMS_PER_READER: usize = 2;
/// How long a log stream lasts; then the client signs a new request.
pub const STREAM_LIFETIME_MS: u64 = 60 * 60 * 1000;
/// How often a stream looks at the committed height.
pub const STREAM_POLL: Duration = Duration::from_millis(200);
/// Longest silence of a stream: a comment line is sent after it (or after a quarter of the connection's idle
/// timeout, if that is shorter).
pub const STREAM_KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Most pending accesses one stream follows until they change.
pub const MAX_WATCHED_PENDING: usize = 4096;
/// Most of the owner's records a stream walks at its start to find their pending accesses.
const MAX_WATCHED_RECORDS: usize = 10_000;
/// Most new accesses of the log one look of a stream reads; the rest wait for its next look.
const MAX_NEW_PER_LOOK: usize = 1_000;
/// Events a stream may have waiting for its client.
const STREAM_BUFFER_EVENTS: usize = 64;

const _: () = assert!(STREAM_POLL.as_millis() < STREAM_KEEP_ALIVE.as_millis());

// --- Parameters ---------------------------------------------------------------------------------------------------

/// An agency's id: a slug.
fn parse_agency(text: &str) -> Result<AgencyId, ApiError> {
    AgencyId::new(text).map_err(|_| {
        ApiError::Malformed(format!(
            "an agency is named by its id: 1 to {} characters of a-z, 0-9 and '-', not starting with '-', got {}",
            AgencyId::MAX_LEN,
            quote(text)
        ))
    })
}

/// The page sizes a query names: 1 to [`MAX_DATA_PAGE`].
fn check_query(query: &DataQuery) -> Result<(), ApiError> {
    let limit = match query {
        DataQuery::OwnerLog { limit, .. }
        | DataQuery::OwnerRecords { limit, .. }
        | DataQuery::AgencyQueue { limit, .. } => *limit,
        _ => return Ok(()),
    };
    if !(1..=MAX_DATA_PAGE).contains(&limit) {
        return Err(ApiError::Malformed(format!(
            "a {} query's limit must be 1 to {MAX_DATA_PAGE}, not {limit}: ask page by page with after",
            query.name()
        )));
    }
    Ok(())
}

// --- Standing -----------------------------------------------------------------------------------------------------

/// What the ledger says publicly of a reader: its current key and the roles that give it a standing.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Reader {
    address: Address,
    key: PublicKeyBytes,
    /// Holds [`DATA_AUDITOR_ROLE`].
    auditor: bool,
    /// The agency in which it holds `data-controller`.
    controller_of: Option<AgencyId>,
}

/// The reader's public standing, before the signature is checked: refused when the reader is not an active account,
/// or asks for an agency's queue without being its controller or an auditor (roles are public).
fn public_standing(state: &dyn StateRead, request: &DataReadRequest) -> Result<Reader, ApiError> {
    let address = request.reader;
    let record = publica_accounts::account(state, &address)
        .filter(|record| record.active)
        .ok_or_else(|| not_permitted(format!("the reader {address} is not an active account of this ledger")))?;
    let auditor = publica_accounts::require_role(state, &address, DATA_AUDITOR_ROLE).is_ok();
    let controller_of =
        publica_accounts::require_role(state, &address, CONTROLLER_ROLE).ok().and_then(|r| r.agency().cloned());
    let reader = Reader { address, key: record.public_key, auditor, controller_of };
    if let DataQuery::AgencyQueue { agency, .. } = &request.query {
        if queue_standing(&reader, agency).is_none() {
            return Err(not_queue_reader(&address, agency));
        }
    }
    Ok(reader)
}

/// Whether `representative` represents `citizen` at `now_ms`.
fn represents(state: &dyn StateRead, now_ms: u64, citizen: &Address, representative: &Address) -> bool {
    schema::get::<Representation>(state, &schema::representation_key(citizen, representative))
        .is_some_and(|r| r.current_at(now_ms))
}

/// The reader's standing for what is about `owner`: the owner, their representative now, or an auditor.
fn owner_standing(state: &dyn StateRead, now_ms: u64, reader: &Reader, owner: &Address) -> Option<DataStanding> {
    if reader.address == *owner {
        Some(DataStanding::Owner)
    } else if represents(state, now_ms, owner, &reader.address) {
        Some(DataStanding::Representative)
    } else {
        reader.auditor.then_some(DataStanding::Auditor)
    }
}

/// The reader's standing for a record: as for its owner, or a controller of its agency.
fn record_standing(state: &dyn StateRead, now_ms: u64, reader: &Reader, record: &Record) -> Option<DataStanding> {
    let controller = reader.controller_of.as_ref() == Some(&record.agency);
    match owner_standing(state, now_ms, reader, &record.owner) {
        Some(DataStanding::Auditor) | None if controller => Some(DataStanding::Controller),
        standing => standing,
    }
}

/// The reader's standing for an access: as for its record's owner, its requester, or a controller of the record's
/// agency.
fn access_standing(state: &dyn StateRead, now_ms: u64, reader: &Reader, access: &Access) -> Option<DataStanding> {
    let controller = reader.controller_of.as_ref() == Some(&access.agency);
    match owner_standing(state, now_ms, reader, &access.owner) {
        Some(DataStanding::Auditor) | None if access.requester == reader.address => Some(DataStanding::Requester),
        Some(DataStanding::Auditor) | None if controller => Some(DataStanding::Controller),
        standing => standing,
    }
}

/// The reader's standing for an agency's queue: its controller, or an auditor.
fn queue_standing(reader: &Reader, agency: &AgencyId) -> Option<DataStanding> {
    if reader.controller_of.as_ref() == Some(agency) {
        Some(DataStanding::Controller)
    } else {
        reader.auditor.then_some(DataStanding::Auditor)
    }
}

/// The refusal of an agency's queue to anyone but its controllers and auditors.
fn not_queue_reader(reader: &Address, agency: &AgencyId) -> ApiError {
    not_permitted(format!(
        "{reader} may not read {agency}'s queue: it is read by the agency's officials holding {CONTROLLER_ROLE} (its \
         vault), or by an official holding {DATA_AUDITOR_ROLE}"
    ))
}

/// The refusal of a record, the same whether it does not exist or the reader may not read it.
fn not_record_reader(reader: &Address, what: &str) -> ApiError {
    not_permitted(format!(
        "{reader} may not read {what}: a record is read by its owner or their representative, an official holding \
         {CONTROLLER_ROLE} in the agency that holds it, or an official holding {DATA_AUDITOR_ROLE}; a requester \
         reads the record it asked for with its access (an access query)"
    ))
}

/// The refusal of an access, the same whether it does not exist or the reader may not read it.
fn not_access_reader(reader: &Address, id: u64) -> ApiError {
    not_permitted(format!(
        "{reader} may not read access {id}: an access is read by the record's owner or their representative, its \
         requester, an official holding {CONTROLLER_ROLE} in the record's agency, or an official holding \
         {DATA_AUDITOR_ROLE}"
    ))
}

/// The refusal of what is about an owner (their log, records, bases).
fn not_owner_reader(reader: &Address, owner: &Address) -> ApiError {
    not_permitted(format!(
        "{reader} may not read what is about {owner}: it is read by the citizen, their legal representative (in \
         office now), or an official holding {DATA_AUDITOR_ROLE}"
    ))
}

/// A page that starts after a member no longer (or never) in the list.
fn not_listed(e: publica_data::QueryError) -> ApiError {
    ApiError::NotFound(format!("after: {e}"))
}

// --- POST /v1/data/read -------------------------------------------------------------------------------------------

/// The checks that need no state: the query's bounds, the signature's form, the time.
fn check_request(request: &DataReadRequest, signature: &str) -> Result<Signature, ApiError> {
    check_query(&request.query)?;
    let signature = parse_signature(signature)?;
    check_time(request.at_ms, now_ms())?;
    Ok(signature)
}

/// The public standing, then the signature: the reader as the ledger shows it, once both hold.
fn authenticate(node: &NodeHandle, request: &DataReadRequest, signature: &Signature) -> Result<Reader, ApiError> {
    let reader = node.view(|state| public_standing(state, request))?;
    let bad_signature = || {
        not_permitted(format!(
            "the signature does not verify with the current key of the reader {}: sign the request's bytes \
             (DataReadRequest::signing_message with this network's chain id {}) with that key",
            reader.address,
            node.chain_id()
        ))
    };
    let key: PublicKey = reader.key.parse().map_err(|_| bad_signature())?;
    key.verify(&request.signing_message(node.chain_id().as_str()), signature).map_err(|_| bad_signature())?;
    Ok(reader)
}

/// The public standing again, within the read: a block may have changed it while the signature was checked.
fn standing_again(state: &dyn StateRead, request: &DataReadRequest, reader: &Reader) -> Result<(), ApiError> {
    if public_standing(state, request)? != *reader {
        return Err(not_permitted(format!(
            "the account of the reader {} changed while the request was checked: sign a new request",
            reader.address
        )));
    }
    Ok(())
}

/// `POST /v1/data/read`.
pub(crate) async fn read(
    State(node): State<NodeHandle>,
    Json(body): Json<SignedDataRead>,
) -> Result<axum::Json<DataReadResponse>, ApiError> {
    let SignedDataRead { request, signature } = body;
    let signature = check_request(&request, &signature)?;
    let response = blocking(move || answer_read(&node, &request, &signature)).await??;
    Ok(axum::Json(response))
}

/// Check a signed request and answer it with proofs.
fn answer_read(
    node: &NodeHandle,
    request: &DataReadRequest,
    signature: &Signature,
) -> Result<DataReadResponse, ApiError> {
    let reader = authenticate(node, request, signature)?;
    let ((standing, answer), reads) = node.read(|state| {
        standing_again(state, request, &reader)?;
        answer_query(state, state.time_ms(), &reader, &request.query)
    })?;
    let (certified, proofs) = split(reads);
    Ok(DataReadResponse { reader: reader.address, standing, answer, certified, proofs })
}

type Answered = ((DataStanding, DataAnswer), Vec<Vec<u8>>);

/// The answer to `query` for `reader`, with the keys that prove it; refused when the reader has no standing for it.
/// Representations are judged at `now_ms`, the time of the state's last block.
fn answer_query(state: &dyn StateRead, now_ms: u64, reader: &Reader, query: &DataQuery) -> Result<Answered, ApiError> {
    let address = &reader.address;
    let page = |after: Option<u64>, limit: u32, order| Page { after, limit: limit as usize, order };
    match query {
        DataQuery::Record { id } => {
            let found = query::record(state, *id);
            let record = proven_record(state, now_ms, reader, found.value, || {
                (refused(RECORD_NOT_FOUND, format!("no record has number {id}")), format!("record {id}"))
            })?;
            Ok(((record.0, DataAnswer::Record { record: record.1 }), found.keys))
        }
        DataQuery::RecordByCommitment { commitment } => {
            let found = query::record_by_commitment(state, commitment);
            let hex = hex::encode(commitment);
            let record = proven_record(state, now_ms, reader, found.value, || {
                let missing = refused(RECORD_NOT_FOUND, format!("no record is registered with the commitment {hex}"));
                (missing, format!("the record registered with the commitment {hex}"))
            })?;
            Ok(((record.0, DataAnswer::RecordByCommitment { record: record.1 }), found.keys))
        }
        DataQuery::Access { id } => {
            let found = query::access(state, *id);
            let standing = found.value.as_ref().and_then(|access| access_standing(state, now_ms, reader, access));
            let (access, standing) = match (found.value, standing) {
                (Some(access), Some(standing)) => (access, standing),
                (None, _) if reader.auditor => {
                    return Err(refused(ACCESS_NOT_FOUND, format!("no access has number {id}")));
                }
                _ => return Err(not_access_reader(address, *id)),
            };
            let record = query::record(state, access.record);
            let mut keys = found.keys;
            keys.extend(record.keys);
            let record = record.value.ok_or_else(|| {
                ApiError::Internal(format!("access {id} names record {}, which is not stored", access.record))
            })?;
            Ok(((standing, DataAnswer::Access { access, record }), keys))
        }
        DataQuery::OwnerLog { owner, after, limit } => {
            let standing =
                owner_standing(state, now_ms, reader, owner).ok_or_else(|| not_owner_reader(address, owner))?;
            let found =
                query::owner_accesses(state, owner, page(*after, *limit, Order::OldestFirst)).map_err(not_listed)?;
            Ok(((standing, DataAnswer::OwnerLog { accesses: found.value }), found.keys))
        }
        DataQuery::OwnerRecords { owner, after, limit } => {
            let standing =
                owner_standing(state, now_ms, reader, owner).ok_or_else(|| not_owner_reader(address, owner))?;
            let found =
                query::owner_records(state, owner, page(*after, *limit, Order::OldestFirst)).map_err(not_listed)?;
            Ok(((standing, DataAnswer::OwnerRecords { records: found.value }), found.keys))
        }
        DataQuery::OwnerBases { owner } => {
            let standing =
                owner_standing(state, now_ms, reader, owner).ok_or_else(|| not_owner_reader(address, owner))?;
            let newest = Page::first(MAX_DATA_PAGE as usize, Order::NewestFirst);
            let consents = query::owner_consents(state, owner, newest).map_err(not_listed)?;
            let orders = query::owner_court_orders(state, owner, newest).map_err(not_listed)?;
            let representatives = query::representatives(state, owner);
            let mut keys = consents.keys;
            keys.extend(orders.keys);
            keys.extend(representatives.keys);
            let answer = DataAnswer::OwnerBases {
                consents: consents.value,
                court_orders: orders.value,
                representatives: representatives.value,
            };
            Ok(((standing, answer), keys))
        }
        DataQuery::AgencyQueue { agency, after, limit } => {
            let standing = queue_standing(reader, agency).ok_or_else(|| not_queue_reader(address, agency))?;
            let accesses =
                query::pending_accesses(state, agency, page(*after, *limit, Order::OldestFirst)).map_err(not_listed)?;
            let erasures =
                query::pending_erasures(state, agency, page(None, *limit, Order::OldestFirst)).map_err(not_listed)?;
            let mut keys = accesses.keys;
            keys.extend(erasures.keys);
            Ok(((standing, DataAnswer::AgencyQueue { accesses: accesses.value, erasures: erasures.value }), keys))
        }
    }
}

/// A record found (or not) for `reader`: with the reader's standing, or refused. `missing` gives the auditor's
/// answer for a record that does not exist, and what the refusal names.
fn proven_record(
    state: &dyn StateRead,
    now_ms: u64,
    reader: &Reader,
    found: Option<Record>,
    missing: impl FnOnce() -> (ApiError, String),
) -> Result<(DataStanding, Record), ApiError> {
    let standing = found.as_ref().and_then(|record| record_standing(state, now_ms, reader, record));
    match (found, standing) {
        (Some(record), Some(standing)) => Ok((standing, record)),
        (None, _) if reader.auditor => Err(missing().0),
        _ => Err(not_record_reader(&reader.address, &missing().1)),
    }
}

// --- Public routes ------------------------------------------------------------------------------------------------

/// `GET /v1/data/studies/{id}`.
pub(crate) async fn study(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<StudyResponse>, ApiError> {
    let id = parse_record_number("study", 1, &id).map_err(|_| {
        ApiError::Malformed(format!(
            "studies are numbered from 1 in decimal, without leading zeros, below 2^64; got {}",
            quote(&id)
        ))
    })?;
    let response = blocking(move || -> Result<StudyResponse, ApiError> {
        let (view, reads) = node.read(|state| {
            let found = query::study(state, id);
            let view = found.value.ok_or_else(|| {
                refused(STUDY_NOT_FOUND, format!("there is no study {id}; studies are numbered from 1"))
            })?;
            Ok::<_, ApiError>((view, found.keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(StudyResponse { study: view.study, counters: view.counters, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The query of `GET /v1/data/emergencies`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmergencyParams {
    /// Start after this emergency (newest first).
    after: Option<u64>,
    /// How many at most.
    limit: Option<u32>,
}

/// `GET /v1/data/emergencies`.
pub(crate) async fn emergencies(
    State(node): State<NodeHandle>,
    Query(params): Query<EmergencyParams>,
) -> Result<axum::Json<EmergenciesResponse>, ApiError> {
    let limit = match params.limit.unwrap_or(DEFAULT_EMERGENCIES_PAGE) {
        n @ 1.. if n <= MAX_EMERGENCIES_PAGE => n as usize,
        n => {
            return Err(ApiError::Malformed(format!(
                "limit must be 1 to {MAX_EMERGENCIES_PAGE}, not {n}: ask page by page with after"
            )))
        }
    };
    let page = Page { after: params.after, limit, order: Order::NewestFirst };
    let response = blocking(move || -> Result<EmergenciesResponse, ApiError> {
        let ((at_ms, listing), reads) = node.read(|state| {
            let found = query::emergencies(state, page);
            Ok::<_, ApiError>(((state.time_ms(), found.value), found.keys))
        })?;
        let (certified, proofs) = split(reads);
        let emergencies = listing
            .items
            .into_iter()
            .map(|emergency| {
                let current = emergency.ended.is_none() && at_ms < emergency.until_ms;
                EmergencyStatus { emergency, current }
            })
            .collect();
        Ok(EmergenciesResponse { at_ms, emergencies, total: listing.total, next: listing.next, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The query of `GET /v1/data/retention/{agency}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetentionParams {
    /// One category's rule only.
    category: Option<String>,
}

/// `GET /v1/data/retention/{agency}`.
pub(crate) async fn retention(
    State(node): State<NodeHandle>,
    Path(agency): Path<String>,
    Query(params): Query<RetentionParams>,
) -> Result<axum::Json<RetentionResponse>, ApiError> {
    let agency = parse_agency(&agency)?;
    if let Some(category) = &params.category {
        publica_data::call::check_category(category).map_err(ApiError::Malformed)?;
    }
    let response = blocking(move || -> Result<RetentionResponse, ApiError> {
        let (rules, reads) = node.read(|state| {
            let mut keys = vec![publica_accounts::schema::agency_key(&agency)];
            let rule_keys = match &params.category {
                Some(category) => vec![schema::retention_key(&agency, category)],
                // Rules have no index: the keys under the agency's prefix are listed (each then proven present).
                None => state.keys_with_prefix(&schema::retention_key(&agency, ""), MAX_RETENTION_RULES),
            };
            let rules: Vec<RetentionRule> = rule_keys.iter().filter_map(|key| schema::get(state, key)).collect();
            keys.extend(rule_keys);
            Ok::<_, ApiError>((rules, keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(RetentionResponse { agency, rules, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

// --- POST /v1/data/log/stream -------------------------------------------------------------------------------------

/// Open streams, per network and per reader.
#[derive(Default)]
struct OpenStreams {
    per_network: HashMap<Hash, usize>,
    per_reader: HashMap<(Hash, Address), usize>,
}

static OPEN_STREAMS: Mutex<Option<OpenStreams>> = Mutex::new(None);

/// A place among the open streams, given back when dropped.
struct StreamPermit {
    network: Hash,
    reader: Address,
}

impl StreamPermit {
    /// A place for a stream of `reader`, if the bounds leave one.
    fn take(network: Hash, reader: Address) -> Result<StreamPermit, ApiError> {
        let mut open = OPEN_STREAMS.lock().unwrap_or_else(|e| e.into_inner());
        let open = open.get_or_insert_with(OpenStreams::default);
        let of_network = open.per_network.get(&network).copied().unwrap_or(0);
        let of_reader = open.per_reader.get(&(network, reader)).copied().unwrap_or(0);
        if of_reader >= MAX_STREAMS_PER_READER {
            return Err(ApiError::Unavailable(format!(
                "{reader} has {of_reader} log streams open, the most one reader may: close one, or wait for one to \
                 end"
            )));
        }
        if of_network >= MAX_STREAMS {
            return Err(ApiError::Unavailable(format!(
                "this node serves {MAX_STREAMS} log streams, the most it serves at once: retry later"
            )));
        }
        *open.per_network.entry(network).or_default() += 1;
        *open.per_reader.entry((network, reader)).or_default() += 1;
        Ok(StreamPermit { network, reader })
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut open = OPEN_STREAMS.lock().unwrap_or_else(|e| e.into_inner());
        let open = open.get_or_insert_with(OpenStreams::default);
        if let Some(n) = open.per_network.get_mut(&self.network) {
            *n -= 1;
            if *n == 0 {
                open.per_network.remove(&self.network);
            }
        }
        if let Some(n) = open.per_reader.get_mut(&(self.network, self.reader)) {
            *n -= 1;
            if *n == 0 {
                open.per_reader.remove(&(self.network, self.reader));
            }
        }
    }
}

/// What one stream follows, and what it saw last.
struct LogWatch {
    owner: Address,
    request: DataReadRequest,
    reader: Reader,
    /// The committed height of its last look.
    height: u64,
    /// The newest access of the owner's log it sent (or saw at the start).
    last: Option<u64>,
    /// Whether its last look left new accesses unread ([`MAX_NEW_PER_LOOK`]).
    behind: bool,
    /// The owner's accesses that were pending when last seen.
    pending: BTreeSet<u64>,
}

/// What a look at the committed state found.
enum Look {
    /// No block since the last look.
    Unchanged,
    /// The reader may no longer read the log.
    NotPermitted(String),
    /// The accesses written or changed since the last look (possibly none), at this height and time.
    Changed { height: u64, time_ms: u64, accesses: Vec<Access> },
}

impl LogWatch {
    /// Start following `owner`'s log at the committed state: the log's newest access, and the pending accesses of
    /// the owner's records.
    fn start(state: &publica_node::Snapshot<'_>, owner: Address, request: DataReadRequest, reader: Reader) -> LogWatch {
        let mut pending = BTreeSet::new();
        let records = schema::owner_records(&owner);
        let mut record = records.head(state).first;
        let mut walked = 0;
        while let Some(id) = record {
            if walked == MAX_WATCHED_RECORDS || pending.len() == MAX_WATCHED_PENDING {
                break;
            }
            let queue = schema::record_pending(id);
            let mut access = queue.head(state).first;
            while let Some(a) = access {
                if pending.len() == MAX_WATCHED_PENDING {
                    break;
                }
                pending.insert(a);
                access = queue.link(state, a).and_then(|link| link.next);
            }
            walked += 1;
            record = records.link(state, id).and_then(|link| link.next);
        }
        let last = schema::owner_accesses(&owner).head(state).last;
        LogWatch { owner, request, reader, height: state.height(), last, behind: false, pending }
    }

    /// Look at the committed state: nothing when no block was committed since the last look (and none of the log
    /// is left unread), else what changed.
    fn look(&mut self, node: &NodeHandle) -> Result<Look, ApiError> {
        node.view(|state| {
            if state.height() == self.height && !self.behind {
                return Ok(Look::Unchanged);
            }
            if let Err(e) = standing_again(state, &self.request, &self.reader) {
                return Ok(Look::NotPermitted(e.to_string()));
            }
            if owner_standing(state, state.time_ms(), &self.reader, &self.owner).is_none() {
                return Ok(Look::NotPermitted(not_owner_reader(&self.reader.address, &self.owner).to_string()));
            }
            let mut changed: BTreeMap<u64, Access> = BTreeMap::new();
            let log = schema::owner_accesses(&self.owner);
            let mut next = match self.last {
                Some(last) => log.link(state, last).and_then(|link| link.next),
                None => log.head(state).first,
            };
            while let Some(id) = next {
                if changed.len() == MAX_NEW_PER_LOOK {
                    break;
                }
                let access: Access = schema::get(state, &schema::access_key(id))
                    .ok_or_else(|| ApiError::Internal(format!("access {id} is in a log but not stored")))?;
                if access.state == AccessState::Pending && self.pending.len() < MAX_WATCHED_PENDING {
                    self.pending.insert(id);
                }
                changed.insert(id, access);
                self.last = Some(id);
                next = log.link(state, id).and_then(|link| link.next);
            }
            self.behind = next.is_some();
            let watched: Vec<u64> = self.pending.iter().copied().filter(|id| !changed.contains_key(id)).collect();
            for id in watched {
                let access: Access = schema::get(state, &schema::access_key(id))
                    .ok_or_else(|| ApiError::Internal(format!("access {id} was pending but is not stored")))?;
                if access.state != AccessState::Pending {
                    self.pending.remove(&id);
                    changed.insert(id, access);
                }
            }
            // A new access already answered is sent once, and not followed.
            self.pending.retain(|id| changed.get(id).is_none_or(|a| a.state == AccessState::Pending));
            self.height = state.height();
            Ok(Look::Changed {
                height: state.height(),
                time_ms: state.time_ms(),
                accesses: changed.into_values().collect(),
            })
        })
    }
}

/// One server-sent event: `event: NAME`, `data: JSON`, an empty line.
fn event(name: &str, data: &impl Serialize) -> Bytes {
    let json = serde_json::to_string(data).expect("an event's data encodes");
    Bytes::from(format!("event: {name}\ndata: {json}\n\n"))
}

/// A comment line, which keeps the connection from being idle.
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// A response body fed by a channel of events.
struct EventBody {
    events: tokio::sync::mpsc::Receiver<Bytes>,
}

impl HttpBody for EventBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        self.events.poll_recv(cx).map(|event| event.map(|bytes| Ok(hyper::body::Frame::data(bytes))))
    }
}

/// `POST /v1/data/log/stream`.
pub(crate) async fn log_stream(
    State(node): State<NodeHandle>,
    Json(body): Json<SignedDataRead>,
) -> Result<Response, ApiError> {
    let SignedDataRead { request, signature } = body;
    let DataQuery::OwnerLog { owner, .. } = request.query else {
        return Err(ApiError::Malformed(format!(
            "the stream follows a citizen's log: sign an owner_log query (its after and limit are not used), not a {} \
             query; read everything else with POST /v1/data/read",
            request.query.name()
        )));
    };
    let signature = check_request(&request, &signature)?;
    let network = crate::network_id(&node)?;
    let opened = {
        let node = node.clone();
        blocking(move || open_stream(&node, network, owner, request, &signature)).await??
    };
    let (watch, permit) = opened;
    let expires_at_ms = now_ms().saturating_add(STREAM_LIFETIME_MS);
    let (sender, events) = tokio::sync::mpsc::channel(STREAM_BUFFER_EVENTS);
    let ready = StreamReady { owner, reader: watch.reader.address, height: watch.height, expires_at_ms };
    sender.try_send(event("ready", &ready)).expect("a new stream's channel has room");
    let idle = Duration::from_millis(node.config().api.idle_timeout_ms / 4);
    tokio::spawn(run_stream(node, sender, watch, permit, expires_at_ms, STREAM_KEEP_ALIVE.min(idle)));
    let mut response = axum::body::Body::new(EventBody { events }).into_response();
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Check a stream's request (standing, signature, a place among the streams) and start following the log.
fn open_stream(
    node: &NodeHandle,
    network: Hash,
    owner: Address,
    request: DataReadRequest,
    signature: &Signature,
) -> Result<(LogWatch, StreamPermit), ApiError> {
    let reader = authenticate(node, &request, signature)?;
    let permit = StreamPermit::take(network, reader.address)?;
    let watch = node.view(|state| {
        if state.height() == 0 {
            return Err(ApiError::Unavailable("no block is committed yet: open the stream after the first".into()));
        }
        standing_again(state, &request, &reader)?;
        if owner_standing(state, state.time_ms(), &reader, &owner).is_none() {
            return Err(not_owner_reader(&reader.address, &owner));
        }
        Ok(LogWatch::start(state, owner, request, reader))
    })?;
    Ok((watch, permit))
}

/// Feed a stream until it expires, its reader loses its standing, or its client goes away.
async fn run_stream(
    node: NodeHandle,
    sender: tokio::sync::mpsc::Sender<Bytes>,
    mut watch: LogWatch,
    _permit: StreamPermit,
    expires_at_ms: u64,
    keep_alive: Duration,
) {
    let mut last_sent = Instant::now();
    loop {
        tokio::time::sleep(STREAM_POLL).await;
        if sender.is_closed() {
            return;
        }
        if now_ms() >= expires_at_ms {
            let end = StreamEnd {
                reason: StreamEndReason::Expired,
                message: format!(
                    "a log stream lasts {} minutes: sign a new request to follow the log further",
                    STREAM_LIFETIME_MS / 60_000
                ),
            };
            let _ = sender.send(event("end", &end)).await;
            return;
        }
        let node_now = node.clone();
        let looked = blocking(move || {
            let look = watch.look(&node_now);
            (watch, look)
        })
        .await;
        let look = match looked {
            Ok((back, look)) => {
                watch = back;
                look
            }
            Err(_) => return,
        };
        let mut out = Vec::new();
        match look {
            Ok(Look::Unchanged) => {}
            Ok(Look::Changed { height, time_ms, accesses }) => {
                out.extend(
                    accesses.into_iter().map(|access| event("access", &AccessEvent { height, time_ms, access })),
                );
            }
            Ok(Look::NotPermitted(message)) => {
                let end = StreamEnd { reason: StreamEndReason::NotPermitted, message };
                let _ = sender.send(event("end", &end)).await;
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "a log stream failed to read the committed state");
                return;
            }
        }
        if out.is_empty() && last_sent.elapsed() >= keep_alive {
            out.push(Bytes::from_static(KEEP_ALIVE));
        }
        for bytes in out {
            if sender.send(bytes).await.is_err() {
                return;
            }
            last_sent = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_bounded_per_reader_and_per_network() {
        let network = [0xd1; 32];
        let (alice, bob) = (Address([1; 20]), Address([2; 20]));
        let first = StreamPermit::take(network, alice).unwrap();
        let second = StreamPermit::take(network, alice).unwrap();
        let e = StreamPermit::take(network, alice).err().unwrap();
        assert!(e.to_string().contains("has 2 log streams open"), "{e}");
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        // Another network's streams are counted apart.
        let elsewhere = StreamPermit::take([0xd2; 32], alice).unwrap();
        drop(first);
        let third = StreamPermit::take(network, alice).unwrap();
        drop((second, third, elsewhere));

        let mut held = Vec::new();
        for n in 0..MAX_STREAMS {
            held.push(StreamPermit::take(network, Address([n as u8 + 10; 20])).unwrap());
        }
        let e = StreamPermit::take(network, bob).err().unwrap();
        assert!(e.to_string().contains("64 log streams"), "{e}");
        held.pop();
        let _bob = StreamPermit::take(network, bob).unwrap();
    }

    #[test]
    fn queries_are_checked_for_bounds() {
        let owner = Address([1; 20]);
        for (limit, ok) in [(0, false), (1, true), (MAX_DATA_PAGE, true), (MAX_DATA_PAGE + 1, false)] {
            let query = DataQuery::OwnerLog { owner, after: None, limit };
            assert_eq!(check_query(&query).is_ok(), ok, "{limit}");
        }
        assert!(check_query(&DataQuery::Record { id: 0 }).is_ok());
    }

    #[test]
    fn events_have_the_stream_format() {
        let bytes = event("end", &StreamEnd { reason: StreamEndReason::Expired, message: "again".into() });
        assert_eq!(&bytes[..], b"event: end\ndata: {\"reason\":\"expired\",\"message\":\"again\"}\n\n");
    }
}
