//! Identity routes (`/v1/identity/…`): credential schemas, accreditations with their chains up to a trust root,
//! status lists and their entries, citizens' consents (`docs/identity.md`). Every answer comes from one read of the
//! identity module's queries and carries the proofs of every key they read, under one certified header
//! (`certified`, then `proofs`), so `publica verify` checks it offline.
//!
//! Writes are ordinary signed transactions (`POST /v1/transactions` with an `identity` call); these routes only
//! read.

use std::str::FromStr;

use axum::extract::State;
use base64::Engine as _;
use serde::Deserialize;

use publica_client::api::{
    status_name, AccreditationDecision, AccreditationResponse, ConsentResponse, ConsentsResponse,
    IssuerAccreditationsResponse, SchemaResponse, StatusEntryResponse, StatusListResponse,
};
use publica_identity::call::check_type_name;
use publica_identity::error::STATUS_INDEX_OUT_OF_RANGE;
use publica_identity::query::{self, MAX_LISTED_RECORDS};
use publica_identity::schema::{SchemaRecord, StatusListHeader};
use publica_identity::{verify, IdentityError};
use publica_node::NodeHandle;
use publica_types::time::parse_time_ms;
use publica_types::{Address, TxError};
use publica_verify::CertifiedReads;

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_address, parse_hash, Path, Query};

/// Most chunks of a status list one answer carries (256 KiB of entries: 2,097,152 one-bit or 1,048,576 two-bit
/// entries, about 1.3 MB of JSON with their proofs); a larger list is read page by page (`from_chunk`, `chunks`).
pub const MAX_STATUS_LIST_PAGE_CHUNKS: u32 = 256;
/// Consents or uses listed by one answer when no `limit` is given.
const DEFAULT_PAGE: u32 = 100;

/// Most digits of a number that must fit in 32 bits, so that every number the OpenAPI pattern allows fits.
const MAX_U32_DIGITS: usize = 9;
/// Most digits of a number that must fit in 64 bits.
const MAX_U64_DIGITS: usize = 19;

/// A decimal number of 1 to `max_digits` digits (no sign, no spaces) that fits `T`.
fn parse_decimal<T: FromStr>(what: &str, text: &str, max_digits: usize) -> Result<T, ApiError> {
    let digits = !text.is_empty() && text.len() <= max_digits && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse::<T>().ok()).flatten().ok_or_else(|| {
        ApiError::Malformed(format!(
            "{what} is a decimal number of 1 to {max_digits} digits below 2^{}, got {:?}",
            std::mem::size_of::<T>() * 8,
            text.chars().take(40).collect::<String>()
        ))
    })
}

/// A page size: 1 to [`MAX_LISTED_RECORDS`], [`DEFAULT_PAGE`] when absent.
fn page_limit(limit: Option<u32>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1.. if n as usize <= MAX_LISTED_RECORDS => Ok(n as usize),
        n => Err(ApiError::Malformed(format!("limit must be 1 to {MAX_LISTED_RECORDS}, not {n}: ask page by page"))),
    }
}

/// A credential type from a query, checked as the module checks it.
fn credential_type(text: Option<String>, route: &str) -> Result<String, ApiError> {
    let text = text.ok_or_else(|| ApiError::Malformed(format!("give type=...: {route}")))?;
    check_type_name(&text).map_err(|e| ApiError::Malformed(format!("type: {e}")))?;
    Ok(text)
}

/// A read's proofs, split as the answers carry them.
pub(crate) fn split(reads: CertifiedReads) -> (publica_verify::CertifiedHeader, Vec<publica_verify::KeyProof>) {
    let CertifiedReads { certified, reads } = reads;
    (certified, reads)
}

/// The schema answer for a proven record, with its document parsed.
fn schema_answer(schema: SchemaRecord, reads: CertifiedReads) -> Result<SchemaResponse, ApiError> {
    let document = serde_json::from_slice(&schema.document).map_err(|e| {
        ApiError::Internal(format!(
            "the registered document of schema {} is not JSON ({e}); the store is damaged",
            hex::encode(schema.hash)
        ))
    })?;
    let (certified, proofs) = split(reads);
    Ok(SchemaResponse { schema, document, certified, proofs })
}

/// The query of a route that takes none: any parameter is refused, so a misspelt one is not silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoParams {}

/// `GET /v1/identity/schemas/{hash}`.
pub(crate) async fn schema(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<SchemaResponse>, ApiError> {
    let hash = parse_hash("a schema hash (the SHA-256 of its document)", &text)?;
    let response = blocking(move || -> Result<SchemaResponse, ApiError> {
        let (schema, reads) = node.read(|state| {
            let found = query::schema(state, &hash);
            let schema = found.value.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "no schema has the hash {}; a schema is named by the SHA-256 of its document",
                    hex::encode(hash)
                ))
            })?;
            Ok::<_, ApiError>((schema, found.keys))
        })?;
        schema_answer(schema, reads)
    })
    .await??;
    Ok(axum::Json(response))
}

/// The type and version of a schema lookup.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchemaQuery {
    /// The credential type.
    r#type: Option<String>,
    /// Its version.
    version: Option<String>,
}

/// `GET /v1/identity/schemas?type=&version=`.
pub(crate) async fn schema_by_version(
    State(node): State<NodeHandle>,
    Query(q): Query<SchemaQuery>,
) -> Result<axum::Json<SchemaResponse>, ApiError> {
    let route = "schemas are looked up by credential type and version (or by hash at /v1/identity/schemas/{hash})";
    let type_name = credential_type(q.r#type, route)?;
    let version: u32 = parse_decimal(
        "version",
        q.version.as_deref().ok_or_else(|| ApiError::Malformed(format!("give version=...: {route}")))?,
        // Ten digits: every u32; a larger number is refused as the OpenAPI maximum says.
        10,
    )?;
    let response = blocking(move || -> Result<SchemaResponse, ApiError> {
        let (schema, reads) = node.read(|state| {
            let found = query::schema_by_version(state, &type_name, version);
            let schema = found.value.ok_or_else(|| {
                ApiError::NotFound(format!("no schema is registered for type {type_name:?} version {version}"))
            })?;
            Ok::<_, ApiError>((schema, found.keys))
        })?;
        schema_answer(schema, reads)
    })
    .await??;
    Ok(axum::Json(response))
}

/// The time of an accreditation decision.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AtParams {
    /// Unix milliseconds, a date or an RFC 3339 date-time; the last block's time when absent.
    at: Option<String>,
}

/// `GET /v1/identity/accreditations/{id}?at=`.
pub(crate) async fn accreditation(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(q): Query<AtParams>,
) -> Result<axum::Json<AccreditationResponse>, ApiError> {
    let id: u64 = parse_decimal("an accreditation number", &text, MAX_U64_DIGITS)?;
    let at = q.at.as_deref().map(parse_time_ms).transpose().map_err(|e| ApiError::Malformed(format!("at: {e}")))?;
    let response = blocking(move || -> Result<AccreditationResponse, ApiError> {
        // The chain and the time it is judged at come from one state, under the header of that state.
        let ((mut chain, at_ms), reads) = node.read(|state| {
            let now = state.time_ms();
            let at_ms = at.unwrap_or(now);
            if at_ms > now {
                return Err(ApiError::AfterLastBlock(format!(
                    "at {at_ms} ms is after the last block's time ({now} ms): no proof covers it yet; ask again once \
                     a later block is committed"
                )));
            }
            let found = query::accreditation_chain(state, id);
            if found.value.is_empty() {
                return Err(ApiError::NotFound(format!("there is no accreditation {id}")));
            }
            Ok(((found.value, at_ms), found.keys))
        })?;
        let decision = {
            let first = &chain[0];
            AccreditationDecision::new(
                at_ms,
                verify::accredited_at(&first.issuer, &first.credential_type, at_ms, &chain, None),
            )
        };
        let accreditation = chain.remove(0);
        let (certified, proofs) = split(reads);
        Ok(AccreditationResponse { accreditation, chain, decision, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The credential type of an issuer's accreditations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypeParams {
    /// The credential type.
    r#type: Option<String>,
}

/// `GET /v1/identity/issuers/{address}/accreditations?type=`.
pub(crate) async fn issuer_accreditations(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(q): Query<TypeParams>,
) -> Result<axum::Json<IssuerAccreditationsResponse>, ApiError> {
    let issuer = parse_address(&text)?;
    let credential_type = credential_type(q.r#type, "an issuer's accreditations are listed per credential type")?;
    let response = blocking(move || -> Result<IssuerAccreditationsResponse, ApiError> {
        let type_name = credential_type.clone();
        let (accreditations, reads) = node.read(|state| {
            let found = query::issuer_accreditations(state, &issuer, &type_name);
            Ok::<_, ApiError>((found.value, found.keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(IssuerAccreditationsResponse { issuer, credential_type, accreditations, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// A status list's owner and number from the path.
fn list_of(owner: &str, list: &str) -> Result<(Address, u32), ApiError> {
    Ok((parse_address(owner)?, parse_decimal("a status list number", list, MAX_U32_DIGITS)?))
}

/// "The owner has no such list".
fn no_list(owner: &Address, list: u32) -> ApiError {
    ApiError::NotFound(format!("{owner} owns no status list {list}; an owner's lists are numbered from 0"))
}

/// A page of a status list's chunks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChunkParams {
    /// The first chunk (default 0).
    from_chunk: Option<u32>,
    /// How many chunks (default and most: [`MAX_STATUS_LIST_PAGE_CHUNKS`]).
    chunks: Option<u32>,
}

/// `GET /v1/identity/status-lists/{owner}/{list}?from_chunk=&chunks=`.
pub(crate) async fn status_list(
    State(node): State<NodeHandle>,
    Path((owner, list)): Path<(String, String)>,
    Query(q): Query<ChunkParams>,
) -> Result<axum::Json<StatusListResponse>, ApiError> {
    let (owner, list) = list_of(&owner, &list)?;
    let from_chunk = q.from_chunk.unwrap_or(0);
    let chunks = q.chunks.unwrap_or(MAX_STATUS_LIST_PAGE_CHUNKS);
    if chunks == 0 || chunks > MAX_STATUS_LIST_PAGE_CHUNKS {
        return Err(ApiError::Malformed(format!(
            "chunks must be 1 to {MAX_STATUS_LIST_PAGE_CHUNKS}, not {chunks}: read a larger list page by page, or \
             one entry at …/entries/{{index}}"
        )));
    }
    let response = blocking(move || -> Result<StatusListResponse, ApiError> {
        let ((header, packed), reads) = node.read(|state| {
            let found = query::status_list(state, &owner, list);
            let header = found.value.ok_or_else(|| no_list(&owner, list))?;
            let mut keys = found.keys;
            let packed = read_chunks(state, &header, from_chunk, chunks, &mut keys)?;
            Ok::<_, ApiError>(((header, packed), keys))
        })?;
        let shown = (reads.reads.len() - 1) as u32;
        let (certified, proofs) = split(reads);
        Ok(StatusListResponse {
            chunk_count: header.chunk_count(),
            header,
            from_chunk,
            chunks: shown,
            packed: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed),
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The packed bytes of chunks `from_chunk …` (at most `chunks`, and no further than the list's end) of a list,
/// each read through the query of one entry (its first), whose chunk key is added to `keys`.
fn read_chunks(
    state: &dyn publica_types::StateRead,
    header: &StatusListHeader,
    from_chunk: u32,
    chunks: u32,
    keys: &mut Vec<Vec<u8>>,
) -> Result<Vec<u8>, ApiError> {
    let count = header.chunk_count();
    if from_chunk >= count {
        return Err(ApiError::Malformed(format!(
            "from_chunk {from_chunk} is past the list's end: it has {count} chunks, numbered from 0"
        )));
    }
    let end = from_chunk + chunks.min(count - from_chunk);
    let mut packed = Vec::with_capacity((end - from_chunk) as usize * publica_identity::schema::STATUS_CHUNK_BYTES);
    let damaged = |e: String| {
        ApiError::Internal(format!("status list {} of {}: {e}; the store is damaged", header.number, header.owner))
    };
    for chunk in from_chunk..end {
        // The first entry of a chunk below the list's end is below its capacity.
        let found = query::status_entry(state, &header.owner, header.number, chunk * header.entries_per_chunk())
            .map_err(|e| damaged(e.to_string()))?;
        let entry = found.value.ok_or_else(|| damaged("its header vanished".into()))?;
        match entry.chunk_bytes {
            Some(bytes) => packed.extend_from_slice(&bytes),
            None => packed.resize(packed.len() + header.chunk_len(chunk), 0),
        }
        keys.extend(found.keys.into_iter().last());
    }
    Ok(packed)
}

/// `GET /v1/identity/status-lists/{owner}/{list}/entries/{index}`.
pub(crate) async fn status_entry(
    State(node): State<NodeHandle>,
    Path((owner, list, index)): Path<(String, String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<StatusEntryResponse>, ApiError> {
    let (owner, list) = list_of(&owner, &list)?;
    let index: u32 = parse_decimal("a status list index", &index, MAX_U32_DIGITS)?;
    let response = blocking(move || -> Result<StatusEntryResponse, ApiError> {
        let (entry, reads) = node.read(|state| {
            let found = query::status_entry(state, &owner, list, index).map_err(|e| match e {
                IdentityError::StatusIndexOutOfRange { index, capacity } => ApiError::Refused(TxError::new(
                    STATUS_INDEX_OUT_OF_RANGE,
                    format!(
                        "index {index} is out of range: status list {list} of {owner} has {capacity} entries, \
                         numbered 0 to {}",
                        capacity - 1
                    ),
                )),
                other => ApiError::Internal(format!("status list {list} of {owner}: {other}; the store is damaged")),
            })?;
            let entry = found.value.ok_or_else(|| no_list(&owner, list))?;
            Ok::<_, ApiError>((entry, found.keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(StatusEntryResponse {
            status_name: status_name(entry.status).to_owned(),
            header: entry.header,
            index: entry.index,
            status: entry.status,
            chunk: entry.chunk,
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// A page of a consent's uses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UseParams {
    /// The first use (from 0).
    from: Option<u32>,
    /// Most uses (1 to [`MAX_LISTED_RECORDS`]).
    limit: Option<u32>,
}

/// `GET /v1/identity/consents/{id}?from=&limit=`.
pub(crate) async fn consent(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(q): Query<UseParams>,
) -> Result<axum::Json<ConsentResponse>, ApiError> {
    let id: u64 = parse_decimal("a consent number", &text, MAX_U64_DIGITS)?;
    let (from, limit) = (q.from.unwrap_or(0), page_limit(q.limit)?);
    let response = blocking(move || -> Result<ConsentResponse, ApiError> {
        let (view, reads) = node.read(|state| {
            let found = query::consent(state, id, from, limit);
            let view = found.value.ok_or_else(|| ApiError::NotFound(format!("there is no consent {id}")))?;
            Ok::<_, ApiError>((view, found.keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ConsentResponse { consent: view.consent, uses: view.uses, from, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// A page of an address's consents.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParams {
    /// The first consent's position (from 0).
    from: Option<u64>,
    /// Most consents (1 to [`MAX_LISTED_RECORDS`]).
    limit: Option<u32>,
}

/// Which side of consents an address is listed by.
#[derive(Clone, Copy)]
enum Side {
    Grantor,
    Grantee,
}

/// The consents `address` granted or was granted, a page of them.
async fn consents(node: NodeHandle, text: String, q: ListParams, side: Side) -> Result<ConsentsResponse, ApiError> {
    let address = parse_address(&text)?;
    let (from, limit) = (q.from.unwrap_or(0), page_limit(q.limit)?);
    blocking(move || -> Result<ConsentsResponse, ApiError> {
        let (consents, reads) = node.read(|state| {
            let found = match side {
                Side::Grantor => query::consents_by_grantor(state, &address, from, limit),
                Side::Grantee => query::consents_by_grantee(state, &address, from, limit),
            };
            Ok::<_, ApiError>((found.value, found.keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ConsentsResponse { address, from, consents, certified, proofs })
    })
    .await?
}

/// `GET /v1/identity/grantors/{address}/consents?from=&limit=`.
pub(crate) async fn grantor_consents(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<ConsentsResponse>, ApiError> {
    consents(node, text, q, Side::Grantor).await.map(axum::Json)
}

/// `GET /v1/identity/grantees/{address}/consents?from=&limit=`.
pub(crate) async fn grantee_consents(
    State(node): State<NodeHandle>,
    Path(text): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<axum::Json<ConsentsResponse>, ApiError> {
    consents(node, text, q, Side::Grantee).await.map(axum::Json)
}
