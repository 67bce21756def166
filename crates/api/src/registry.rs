//! Registry routes: land parcels and their titles, applications, permits, companies. Every answer carries the state
//! proofs of what it shows, all under one certified header that it carries once (`certified`, then `proofs`); "as
//! of a date" answers are [`publica_verify::AsOfAnswer`]s, which a client re-decides offline with
//! [`publica_verify::verify_ownership`] / [`publica_verify::verify_permit_status`]. A date after the last
//! committed block is refused (`time_after_last_block`): no proof can cover it yet.
//!
//! Writes are ordinary signed transactions (`POST /v1/transactions` with a `registry` call); these routes only
//! read.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use publica_client::api::{
    ApplicationResponse, AtQuery, CompanyHistoryResponse, CompanyResponse, NameQuery, NameResponse,
    ParcelHistoryResponse, ParcelResponse, PermitResponse, SearchQuery, SearchResponse,
};
use publica_node::{AsOfProofs, NodeHandle, Snapshot};
use publica_registry::engine::{self, AsOf, MAX_HISTORY_PAGE};
use publica_registry::geo::BBox;
use publica_registry::query;
use publica_registry::schema::{
    geometry_key, head_key, version_key, Company, Encumbrance, FilingRecord, Parcel, Permit, Record, RecordKind, Title,
    Version,
};
use publica_registry::verify;
use publica_types::time::parse_time_ms;
use publica_types::RecordId;
use publica_types::StateRead;
use publica_verify::{CertifiedReads, OwnershipAnswer, PermitStatusAnswer};

use crate::blocking;
use crate::cache;
use crate::error::ApiError;
use crate::extract::{parse_height, Path, Query};

/// Default page of a history.
const HISTORY_PAGE: usize = 20;
/// Longest bounding box text: four numbers of 20 characters each and their commas are plenty for any precision
/// the grid index keeps.
const MAX_BBOX_TEXT: usize = 100;
/// Most parcels listed by one bounding-box search.
const MAX_SEARCH_RESULTS: usize = 1_000;

fn record_id(text: &str, what: &str) -> Result<RecordId, ApiError> {
    RecordId::new(text).map_err(|e| ApiError::Malformed(format!("{text:?} is not a {what} number: {e}")))
}

/// The version of a record in force at `at` (a date; `None`: the last block's time), with the time asked about
/// and the proofs of the answer. Without a date, the question and its proofs come from one state under the latest
/// header, whose own time it is, so no following header is needed; with one, [`NodeHandle::read_as_of`] proves
/// under the header of that time.
fn as_of_read<T>(
    node: &NodeHandle,
    at: Option<&str>,
    question: impl FnOnce(&dyn StateRead, u64) -> AsOf<T>,
) -> Result<(u64, AsOf<T>, AsOfProofs), ApiError> {
    match at {
        Some(text) => {
            let at_ms = parse_time_ms(text).map_err(ApiError::Malformed)?;
            let (as_of, proofs) = node.read_as_of(at_ms, |state| {
                let as_of = question(state, at_ms);
                let keys = as_of.keys.clone();
                (as_of, keys)
            })?;
            Ok((at_ms, as_of, proofs))
        }
        None => {
            let ((at_ms, as_of), reads) = node.read(|state| {
                let now = state.time_ms();
                let as_of = question(state, now);
                let keys = as_of.keys.clone();
                Ok::<_, ApiError>(((now, as_of), keys))
            })?;
            Ok((at_ms, as_of, AsOfProofs { reads, following: None }))
        }
    }
}

/// The latest version of a record, with the keys that prove it (its head key and that version's key) added to
/// `keys`. The caller proves all its keys at once, under one header, within the same read
/// ([`NodeHandle::read`]).
fn latest_keyed<T: Record>(state: &dyn StateRead, id: &str, keys: &mut Vec<Vec<u8>>) -> Option<Version<T>> {
    let v = engine::latest::<T>(state, id)?;
    keys.push(head_key(T::KIND, id));
    keys.push(version_key(T::KIND, id, v.version));
    Some(v)
}

/// "There is no such record", with the records of the same kind whose ids are closest to `id` (a mistyped
/// `NV-A1-1O1` suggests `NV-A1-101`).
fn not_found(state: &Snapshot<'_>, what: &str, id: &str, kind: RecordKind) -> ApiError {
    let near = near_ids(state, kind, id);
    let suggestion = match near.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    };
    ApiError::NotFound(format!("there is no {what} {id}{suggestion}"))
}

/// Most state keys a suggestion looks at (a record's head and its versions, each version at most a few KiB): a
/// city block's parcels or a year's first permits, so that a mistyped id costs the node a scan of at most a few
/// hundred small entries, however large the registry.
const MAX_SUGGESTION_KEYS: usize = 256;

/// Most ids suggested.
const MAX_SUGGESTIONS: usize = 3;

/// Ids of existing records of `kind` in the same series as `id` (exactly the same text up to its last `-`) at
/// the smallest edit distance from it, if small, ignoring case and the look-alikes `O`/`0` and `I`/`l`/`1` in what
/// follows the series. A typo in the series itself gets no suggestion.
fn near_ids(state: &Snapshot<'_>, kind: RecordKind, id: &str) -> Vec<String> {
    // Only within a series (the text up to the id's last `-`): numbers (applications, companies) and ids without
    // one get no suggestion rather than a scan of the whole kind.
    let Some(series) = id.rfind('-').map(|i| &id[..=i]) else { return Vec::new() };
    let root = format!("reg/{}/", kind.key_segment());
    let keys = state.keys_with_prefix(format!("{root}{series}").as_bytes(), MAX_SUGGESTION_KEYS);
    let wanted = comparable(id);
    let most = if wanted.len() < 6 { 1 } else { 2 };
    let mut near: Vec<(usize, String)> = keys
        .iter()
        .filter_map(|key| std::str::from_utf8(key).ok()?.strip_prefix(root.as_str())?.strip_suffix("/h"))
        .filter(|candidate| *candidate != id)
        .filter_map(|candidate| {
            let distance = edit_distance(&wanted, &comparable(candidate));
            (distance <= most).then(|| (distance, candidate.to_string()))
        })
        .collect();
    near.sort();
    // Only the closest: a look-alike (`O` for `0`) hides the ids one keystroke away.
    let closest = near.first().map_or(0, |(distance, _)| *distance);
    near.into_iter().take_while(|(d, _)| *d == closest).take(MAX_SUGGESTIONS).map(|(_, id)| id).collect()
}

/// An id as compared for suggestions: upper case, look-alike letters as the digits they resemble.
fn comparable(id: &str) -> Vec<char> {
    id.chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// Levenshtein distance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != cb)).min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// `GET /v1/land/parcels/{id}`.
pub(crate) async fn parcel(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
) -> Result<axum::Json<ParcelResponse>, ApiError> {
    let id = record_id(&id, "parcel")?;
    let response = blocking(move || -> Result<ParcelResponse, ApiError> {
        // Everything shown and its proofs come from one state, under one certified header.
        let ((parcel, title, boundary, encumbrances), reads) = node.read(|state| {
            let mut keys = Vec::new();
            let Some(parcel) = latest_keyed::<Parcel>(state, id.as_str(), &mut keys) else {
                return Err(not_found(state, "parcel", id.as_str(), RecordKind::Parcel));
            };
            let title = latest_keyed::<Title>(state, id.as_str(), &mut keys)
                .ok_or_else(|| ApiError::Internal(format!("parcel {id} has no title; the store is damaged")))?;
            let boundary = publica_registry::land::geometry(state, &id)
                .ok_or_else(|| ApiError::Internal(format!("parcel {id} has no boundary; the store is damaged")))?;
            keys.push(geometry_key(&id));
            let mut encumbrances = Vec::with_capacity(title.value.encumbrances.len());
            for e in &title.value.encumbrances {
                let v = latest_keyed::<Encumbrance>(state, &e.to_string(), &mut keys)
                    .ok_or_else(|| ApiError::Internal(format!("encumbrance {e} is missing; the store is damaged")))?;
                encumbrances.push(v);
            }
            Ok(((parcel, title, boundary, encumbrances), keys))
        })?;
        let geometry = serde_json::from_str(&boundary.to_geojson())
            .map_err(|e| ApiError::Internal(format!("the boundary of {id} does not render: {e}")))?;
        let CertifiedReads { certified, reads: proofs } = reads;
        Ok(ParcelResponse { parcel, geometry, title, encumbrances, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// Paging of a history.
#[derive(Debug, Deserialize)]
pub(crate) struct HistoryQuery {
    /// First version (1 for the first).
    from: Option<u32>,
    /// Most versions (at most 256).
    limit: Option<usize>,
}

impl HistoryQuery {
    /// The first version and the page size, or what is wrong with them.
    fn checked(&self) -> Result<(u32, usize), ApiError> {
        let (from, limit) = (self.from.unwrap_or(1), self.limit.unwrap_or(HISTORY_PAGE));
        if from == 0 {
            return Err(ApiError::Malformed("from must be 1 or more: versions are numbered from 1".into()));
        }
        if limit == 0 || limit > MAX_HISTORY_PAGE {
            return Err(ApiError::Malformed(format!("limit must be 1 to {MAX_HISTORY_PAGE}")));
        }
        Ok((from, limit))
    }
}

/// `GET /v1/land/parcels/{id}/history`.
pub(crate) async fn parcel_history(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(page): Query<HistoryQuery>,
) -> Result<axum::Json<ParcelHistoryResponse>, ApiError> {
    let id = record_id(&id, "parcel")?;
    let (from, limit) = page.checked()?;
    let response = blocking(move || -> Result<ParcelHistoryResponse, ApiError> {
        let ((parcel_versions, title_versions, parcel, title), reads) = node.read(|state| {
            let (parcel_versions, title_versions) =
                (engine::head::<Parcel>(state, id.as_str()), engine::head::<Title>(state, id.as_str()));
            if parcel_versions == 0 {
                return Err(not_found(state, "parcel", id.as_str(), RecordKind::Parcel));
            }
            let parcel = query::parcel_history(state, &id, from, limit);
            let title = query::title_history(state, &id, from, limit);
            let mut keys = vec![head_key(RecordKind::Parcel, id.as_str()), head_key(RecordKind::Title, id.as_str())];
            keys.extend(parcel.iter().map(|v| version_key(RecordKind::Parcel, id.as_str(), v.version)));
            keys.extend(title.iter().map(|v| version_key(RecordKind::Title, id.as_str(), v.version)));
            Ok(((parcel_versions, title_versions, parcel, title), keys))
        })?;
        let CertifiedReads { certified, reads: proofs } = reads;
        Ok(ParcelHistoryResponse { parcel_versions, title_versions, parcel, title, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/land/parcels/{id}/owners?at=`.
pub(crate) async fn owners(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response, ApiError> {
    let id = record_id(&id, "parcel")?;
    let answer = blocking(move || -> Result<OwnershipAnswer, ApiError> {
        let (at_ms, as_of, read) = as_of_read(&node, q.at.as_deref(), |state, at| query::title_at(state, &id, at))?;
        let decision = verify::owners_at(&id, at_ms, as_of.in_force.as_ref(), as_of.next.as_ref())
            .map_err(|e| ApiError::Internal(format!("the stored title of {id} does not decide: {e}")))?;
        Ok(OwnershipAnswer {
            record: id,
            at_ms,
            decision,
            certified: read.reads.certified,
            proofs: read.reads.reads,
            following: read.following,
        })
    })
    .await??;
    // With a following header the answer is settled: both blocks are certified and their times bracket `at`.
    let settled = answer.following.is_some();
    Ok(cache::as_of(axum::Json(answer), settled))
}

fn parse_bbox(text: &str) -> Result<BBox, ApiError> {
    let bad = |why: &str| {
        ApiError::Malformed(format!(
            "bbox {text:?}: {why}; write min_lon,min_lat,max_lon,max_lat in degrees, e.g. 18.05,59.32,18.07,59.33"
        ))
    };
    if text.len() > MAX_BBOX_TEXT {
        return Err(bad(&format!("it is {} characters long, at most {MAX_BBOX_TEXT} are read", text.len())));
    }
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() != 4 {
        return Err(bad("four numbers are needed"));
    }
    let mut units = [0i64; 4];
    for (u, p) in units.iter_mut().zip(&parts) {
        let degrees: f64 = p.parse().map_err(|_| bad("not a number"))?;
        if !degrees.is_finite() || degrees.abs() > 180.0 {
            return Err(bad("out of range"));
        }
        *u = (degrees * publica_registry::geo::UNITS_PER_DEGREE as f64).round() as i64;
    }
    let bbox = BBox { min_x: units[0], min_y: units[1], max_x: units[2], max_y: units[3] };
    if !bbox.is_valid() {
        return Err(bad("the minimum must be below the maximum, within longitude ±180 and latitude ±90"));
    }
    Ok(bbox)
}

/// `GET /v1/land/parcels?bbox=`.
pub(crate) async fn search(
    State(node): State<NodeHandle>,
    Query(q): Query<SearchQuery>,
) -> Result<axum::Json<SearchResponse>, ApiError> {
    let bbox = parse_bbox(q.bbox.as_deref().ok_or_else(|| {
        ApiError::Malformed("give bbox=min_lon,min_lat,max_lon,max_lat; parcels are found by place".into())
    })?)?;
    let response = blocking(move || -> Result<SearchResponse, ApiError> {
        let mut parcels = node
            .view(|state| query::parcels_in_bbox(state, &bbox))
            .map_err(|e| ApiError::Malformed(format!("{}: search a smaller box", e.message)))?;
        let truncated = parcels.len() > MAX_SEARCH_RESULTS;
        parcels.truncate(MAX_SEARCH_RESULTS);
        Ok(SearchResponse { bbox, parcels, truncated })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/registry/applications/{id}`.
pub(crate) async fn application(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
) -> Result<axum::Json<ApplicationResponse>, ApiError> {
    let number = parse_height(&id)
        .map_err(|_| ApiError::Malformed(format!("{id:?} is not an application number (a positive integer)")))?;
    let response = blocking(move || -> Result<ApplicationResponse, ApiError> {
        let key = number.to_string();
        // The application, the time it is judged at and the proofs come from one state.
        let ((application, action, now), reads) = node.read(|state| {
            let Some((application, action)) = query::application(state, number) else {
                return Err(not_found(state, "application", &key, RecordKind::Application));
            };
            let keys = vec![
                head_key(RecordKind::Application, &key),
                version_key(RecordKind::Application, &key, application.version),
                publica_registry::schema::action_key(number),
            ];
            Ok(((application, action, state.time_ms()), keys))
        })?;
        let CertifiedReads { certified, reads: proofs } = reads;
        Ok(ApplicationResponse {
            state: query::application_state(&application.value, now),
            application,
            action,
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The status answer of permit `id` at `at_ms` from the version in force then, with its proofs.
fn permit_decided(
    id: RecordId,
    at_ms: u64,
    as_of: &AsOf<Permit>,
    reads: CertifiedReads,
    following: Option<publica_verify::CertifiedHeader>,
) -> Result<PermitStatusAnswer, ApiError> {
    let decision = verify::permit_status(&id, at_ms, as_of.in_force.as_ref(), as_of.next.as_ref())
        .map_err(|e| ApiError::Internal(format!("the stored permit {id} does not decide: {e}")))?;
    Ok(PermitStatusAnswer { record: id, at_ms, decision, certified: reads.certified, proofs: reads.reads, following })
}

/// `GET /v1/permits/{id}`.
pub(crate) async fn permit(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
) -> Result<axum::Json<PermitResponse>, ApiError> {
    let id = record_id(&id, "permit")?;
    let response = blocking(move || -> Result<PermitResponse, ApiError> {
        // The permit, its status now (the last block's time) and every proof come from one state, under one
        // certified header: the latest, which covers its own time on its own, so no following header is needed.
        let ((permit, as_of, now, own), reads) = node.read(|state| {
            let mut keys = Vec::new();
            let Some(permit) = latest_keyed::<Permit>(state, id.as_str(), &mut keys) else {
                return Err(not_found(state, "permit", id.as_str(), RecordKind::Permit));
            };
            let now = state.time_ms();
            let as_of = query::permit_at(state, &id, now);
            let own = keys.len();
            keys.extend(as_of.keys.iter().cloned());
            Ok(((permit, as_of, now, own), keys))
        })?;
        let CertifiedReads { certified, reads: mut proofs } = reads;
        let status_proofs = proofs.split_off(own);
        let status_reads = CertifiedReads { certified: certified.clone(), reads: status_proofs };
        let status = permit_decided(id, now, &as_of, status_reads, None)?;
        Ok(PermitResponse { status, permit, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/permits/{id}/status?at=`.
pub(crate) async fn permit_status(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(q): Query<AtQuery>,
) -> Result<Response, ApiError> {
    let id = record_id(&id, "permit")?;
    let answer = blocking(move || -> Result<PermitStatusAnswer, ApiError> {
        let (at_ms, as_of, read) = as_of_read(&node, q.at.as_deref(), |state, at| query::permit_at(state, &id, at))?;
        permit_decided(id, at_ms, &as_of, read.reads, read.following)
    })
    .await??;
    let settled = answer.following.is_some();
    Ok(cache::as_of(axum::Json(answer), settled))
}

/// The publisher named in BODS exports: the register of this network, by its chain id.
fn bods_publisher(node: &NodeHandle) -> publica_registry::bods::Publisher {
    publica_registry::bods::Publisher { name: format!("Publica business register, {}", node.chain_id()), url: None }
}

/// A company number from a path. Eight digits whose check digit does not match name no company that can exist:
/// that is `not_found` (the number is well-formed, there is just nothing there), as the OpenAPI document says,
/// since a pattern can state the eight digits but not the check digit.
fn company_number(text: &str) -> Result<RecordId, ApiError> {
    publica_registry::business::validate_company_number(text).map_err(|e| {
        if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
            ApiError::NotFound(format!("there is no company {text}: {e}"))
        } else {
            ApiError::Malformed(e)
        }
    })
}

/// `GET /v1/business/companies/{number}`.
pub(crate) async fn company(
    State(node): State<NodeHandle>,
    Path(number): Path<String>,
) -> Result<axum::Json<CompanyResponse>, ApiError> {
    let number = company_number(&number)?;
    let response = blocking(move || -> Result<CompanyResponse, ApiError> {
        let (company, reads) = node.read(|state| {
            let mut keys = Vec::new();
            let company = latest_keyed::<Company>(state, number.as_str(), &mut keys)
                .ok_or_else(|| not_found(state, "company", number.as_str(), RecordKind::Company))?;
            Ok::<_, ApiError>((company, keys))
        })?;
        let CertifiedReads { certified, reads: proofs } = reads;
        Ok(CompanyResponse { company, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/business/companies/{number}/history`.
pub(crate) async fn company_history(
    State(node): State<NodeHandle>,
    Path(number): Path<String>,
    Query(page): Query<HistoryQuery>,
) -> Result<axum::Json<CompanyHistoryResponse>, ApiError> {
    let number = company_number(&number)?;
    let (from, limit) = page.checked()?;
    let response = blocking(move || -> Result<CompanyHistoryResponse, ApiError> {
        let ((versions, company, filings), reads) = node.read(|state| {
            let versions = engine::head::<Company>(state, number.as_str());
            if versions == 0 {
                return Err(not_found(state, "company", number.as_str(), RecordKind::Company));
            }
            let company = query::company_history(state, &number, from, limit);
            let filings = filings_of(state, &number, &company);
            let mut keys = vec![head_key(RecordKind::Company, number.as_str())];
            keys.extend(company.iter().map(|v| version_key(RecordKind::Company, number.as_str(), v.version)));
            keys.extend(filings.iter().map(|f| version_key(RecordKind::Filing, &f.id, f.version)));
            Ok(((versions, company, filings), keys))
        })?;
        let CertifiedReads { certified, reads: proofs } = reads;
        Ok(CompanyHistoryResponse { versions, company, filings, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// The filings made in the versions `company` lists: a version that raised the filing count made that filing,
/// and the count before the first version listed is its predecessor's.
fn filings_of(state: &dyn StateRead, number: &RecordId, company: &[Version<Company>]) -> Vec<Version<FilingRecord>> {
    let mut filings = Vec::new();
    let mut last = match company.first() {
        Some(v) if v.version > 1 => {
            engine::version::<Company>(state, number.as_str(), v.version - 1).map_or(0, |p| p.value.filings)
        }
        _ => 0,
    };
    for v in company {
        for n in last + 1..=v.value.filings {
            filings.extend(query::filing(state, number, n));
        }
        last = last.max(v.value.filings);
    }
    filings
}

/// `GET /v1/business/companies?name=`.
pub(crate) async fn company_by_name(
    State(node): State<NodeHandle>,
    Query(q): Query<NameQuery>,
) -> Result<axum::Json<NameResponse>, ApiError> {
    let name = q.name.ok_or_else(|| ApiError::Malformed("give name=...; companies are looked up by name".into()))?;
    let normalised = publica_registry::business::normalise_name(&name).map_err(ApiError::Malformed)?;
    let response = blocking(move || -> Result<NameResponse, ApiError> {
        // The holder and the proof of the name's key come from one state.
        let (company, reads) = node.read(|state| {
            let company = query::company_by_name(state, &name).map_err(ApiError::Malformed)?;
            Ok::<_, ApiError>((company, vec![publica_registry::schema::company_name_key(&normalised)]))
        })?;
        let proof = reads.reads[0].with_header(&reads.certified);
        Ok(NameResponse { normalised, company, proof })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/business/companies/{number}/bods`: the company's ownership and control as BODS 0.4 statements.
pub(crate) async fn company_bods(
    State(node): State<NodeHandle>,
    Path(number): Path<String>,
) -> Result<axum::Json<Vec<serde_json::Value>>, ApiError> {
    let number = company_number(&number)?;
    let statements = blocking(move || -> Result<Vec<serde_json::Value>, ApiError> {
        // Published at the last block's time, from that block's state.
        let publisher = bods_publisher(&node);
        node.view(|state| {
            publica_registry::bods::export(state, &number, state.time_ms(), &publisher)
                .ok_or_else(|| not_found(state, "company", number.as_str(), RecordKind::Company))
        })
    })
    .await??;
    Ok(axum::Json(statements))
}
