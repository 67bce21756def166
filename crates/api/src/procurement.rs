//! Procurement routes (`/v1/procurement/…`): sealing keys, tenders with their status, questions, bids, lots with
//! their ranking and awards, complaints and contracts. Every answer comes from one read of the procurement module's
//! state and carries the proofs of every key it read, under one certified header (`certified`, then `proofs`), so
//! `publica verify` checks it offline. A tender's status is `publica_procurement::query::status` at the certified
//! block's time, which the answer names (`at_ms`). Writes are transactions (`POST /v1/transactions` with a
//! `procurement` call); these routes only read. The model is in `docs/procurement.md`, the routes in `docs/api.md`.
//!
//! # Bounds
//!
//! Every answer is bounded whatever is stored. A page holds at most [`MAX_PROCUREMENT_PAGE`] records and ends
//! before the record that would take its records past [`MAX_LIST_BYTES`] (the first always comes; `next` says
//! where to go on); the lists an answer carries whole (a tender's amendments, a lot's awards, a contract's
//! amendments) stop at that size too, and the record's count says how many exist. Every record is at most
//! `publica_procurement::schema::MAX_RECORD_BYTES` (96 KiB).
//!
//! A lot's ranking reads every bid of the tender and every score of the lot, and proves them all: it is computed
//! for a tender of at most [`MAX_RANKED_BIDS`] bids whose records add up to at most [`MAX_RANKING_BYTES`];
//! otherwise the answer says so in `ranking_missing`, and each award still carries the ranking it was made on.
//!
//! # Bids
//!
//! A bid is listed with its sealed box's length and SHA-256, as its record keeps them, not the box: the module
//! stores the box under a key of its own (`pro/bx/…`, readable with a proof from `GET /v1/state/{key}`), so that a
//! page of bids does not carry ciphertexts (up to 64 KiB each) nobody can read before the opening.

use std::cell::{Cell, RefCell};

use axum::extract::State;
use borsh::{BorshDeserialize, BorshSerialize};
use serde::Deserialize;

use publica_client::api::{
    AwardSummary, BidSummary, BidsResponse, ComplaintsResponse, ContractResponse, LotResponse, LotSummary,
    QuestionsResponse, SealingKeyResponse, TenderResponse, TenderSummary, TendersResponse, DEFAULT_PROCUREMENT_PAGE,
    MAX_LIST_BYTES, MAX_PROCUREMENT_PAGE,
};
use publica_node::NodeHandle;
use publica_procurement::call::MAX_LOTS;
use publica_procurement::error::{CONTRACT_NOT_FOUND, KEY_NOT_FOUND, LOT_NOT_FOUND, TENDER_NOT_FOUND};
use publica_procurement::query::{self, Keys};
use publica_procurement::schema::{self, Award, Bid, Tender, MAX_RECORD_BYTES};
use publica_types::{codec, StateRead};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{parse_record_number, quote, refused, Path, Query};
use crate::identity::{split, NoParams};

/// Most bids a lot's ranking is computed over in one answer.
pub const MAX_RANKED_BIDS: u32 = 200;
/// Most bytes of records (bids and scores) a lot's ranking reads in one answer.
pub const MAX_RANKING_BYTES: usize = 8 << 20;

/// A lot's index: 0 to `MAX_LOTS - 1` in decimal, without leading zeros.
fn parse_lot(text: &str) -> Result<u16, ApiError> {
    let canonical = (1..=2).contains(&text.len())
        && (text == "0" || !text.starts_with('0'))
        && text.bytes().all(|b| b.is_ascii_digit());
    canonical.then(|| text.parse::<u16>().ok()).flatten().filter(|&lot| usize::from(lot) < MAX_LOTS).ok_or_else(|| {
        ApiError::Malformed(format!(
            "a lot is named by its index, 0 to {} in decimal without leading zeros (a tender has at most {MAX_LOTS} \
             lots); got {}",
            MAX_LOTS - 1,
            quote(text)
        ))
    })
}

/// A page's first number (from 1; 1 when absent) and size (1 to [`MAX_PROCUREMENT_PAGE`],
/// [`DEFAULT_PROCUREMENT_PAGE`] when absent).
fn page(q: &PageParams) -> Result<(u64, usize), ApiError> {
    let from = match q.from {
        None => 1,
        Some(0) => {
            return Err(ApiError::Malformed(
                "from is numbered from 1, as the records are: ask from=1 for the first page".into(),
            ))
        }
        Some(n) => n,
    };
    let limit = match q.limit.unwrap_or(DEFAULT_PROCUREMENT_PAGE) {
        n @ 1.. if n <= MAX_PROCUREMENT_PAGE => n as usize,
        n => {
            return Err(ApiError::Malformed(format!(
                "limit must be 1 to {MAX_PROCUREMENT_PAGE}, not {n}: ask page by page with from"
            )))
        }
    };
    Ok((from, limit))
}

/// A page of a listing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageParams {
    /// The first one's number (from 1).
    from: Option<u64>,
    /// How many at most.
    limit: Option<u32>,
}

fn no_tender(id: u64) -> ApiError {
    refused(
        TENDER_NOT_FOUND,
        format!("there is no tender {id}; tenders are numbered from 1 (GET /v1/procurement/tenders lists them)"),
    )
}

/// The tender `id`, with its key; refused when absent.
fn read_tender(state: &dyn StateRead, id: u64) -> Result<(Tender, Keys), ApiError> {
    let (tender, keys) = query::tender(state, id);
    Ok((tender.ok_or_else(|| no_tender(id))?, keys))
}

/// Decode a stored record; a record that does not decode is a damaged store.
fn decode<T: BorshDeserialize + BorshSerialize>(key: &[u8], bytes: &[u8]) -> Result<T, ApiError> {
    codec::decode_canonical("procurement record", bytes, MAX_RECORD_BYTES).map_err(|e| {
        ApiError::Internal(format!("the procurement record under key {} does not decode ({e})", hex::encode(key)))
    })
}

/// The records under `keys`, in order, until the next would take them past [`MAX_LIST_BYTES`] (the first always
/// comes): the records, the keys read (an absent record's key too, proven absent), and how many keys were taken.
fn within<T: BorshDeserialize + BorshSerialize>(
    state: &dyn StateRead,
    keys: impl IntoIterator<Item = Vec<u8>>,
) -> Result<(Vec<T>, Keys, usize), ApiError> {
    let mut records = Vec::new();
    let mut read = Vec::new();
    let mut bytes = 0usize;
    for key in keys {
        let value = state.get(&key);
        if let Some(value) = value {
            if !records.is_empty() && bytes + value.len() > MAX_LIST_BYTES {
                break;
            }
            bytes += value.len();
            records.push(decode(&key, &value)?);
        }
        read.push(key);
    }
    let taken = read.len();
    Ok((records, read, taken))
}

/// The number after a page of `taken` numbers from `from`, if there is one up to `count`.
fn next_after(from: u64, taken: usize, count: u64) -> Option<u64> {
    let next = from.saturating_add(taken as u64);
    (next <= count).then_some(next)
}

/// Numbers `from` onwards up to `count`, at most `limit`.
fn numbers(from: u64, count: u32, limit: usize) -> impl Iterator<Item = u32> {
    let first = u32::try_from(from).unwrap_or(u32::MAX);
    (first..=count).take(if from > u64::from(count) { 0 } else { limit })
}

/// The page's `next`, as the u32 numbers of a tender's lists.
fn next_number(from: u64, taken: usize, count: u32) -> Option<u32> {
    next_after(from, taken, u64::from(count)).and_then(|n| u32::try_from(n).ok())
}

/// `GET /v1/procurement/keys/{id}`.
pub(crate) async fn sealing_key(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<SealingKeyResponse>, ApiError> {
    let id = parse_record_number("sealing key", 1, &id)?;
    let response = blocking(move || -> Result<SealingKeyResponse, ApiError> {
        let (key, reads) = node.read(|state| {
            let (key, keys) = query::sealing_key(state, id);
            let key = key.ok_or_else(|| {
                refused(
                    KEY_NOT_FOUND,
                    format!("there is no sealing key {id}; sealing keys are numbered from 1, in the order made"),
                )
            })?;
            Ok::<_, ApiError>((key, keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(SealingKeyResponse { key, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/procurement/tenders?from=&limit=`.
pub(crate) async fn tenders(
    State(node): State<NodeHandle>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<TendersResponse>, ApiError> {
    let (from, limit) = page(&q)?;
    let response = blocking(move || -> Result<TendersResponse, ApiError> {
        let ((tenders, count, next, at_ms), reads) = node.read(|state| {
            let at_ms = state.time_ms();
            let count = query::tender_count(state);
            let ids = (from..=count).take(limit);
            let (records, keys, taken) = within::<Tender>(state, ids.map(schema::tender_key))?;
            let tenders = records.iter().map(|t| TenderSummary::of(t, query::status(t, at_ms))).collect();
            let mut proven = vec![schema::next_key("t")];
            proven.extend(keys);
            Ok::<_, ApiError>(((tenders, count, next_after(from, taken, count), at_ms), proven))
        })?;
        let (certified, proofs) = split(reads);
        Ok(TendersResponse { tenders, count, next, at_ms, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/procurement/tenders/{id}`.
pub(crate) async fn tender(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<TenderResponse>, ApiError> {
    let id = parse_record_number("tender", 1, &id)?;
    let response = blocking(move || -> Result<TenderResponse, ApiError> {
        let ((tender, amendments, lots, at_ms), reads) = node.read(|state| {
            let at_ms = state.time_ms();
            let (tender, mut keys) = read_tender(state, id)?;
            let (amendments, amendment_keys, _) =
                within(state, (1..=tender.amendments).map(|n| schema::amendment_key(id, n)))?;
            keys.extend(amendment_keys);
            let mut lots = Vec::with_capacity(tender.spec.lots.len());
            for (i, (spec, lot_state)) in tender.spec.lots.iter().zip(&tender.lots).enumerate() {
                let lot = i as u16;
                let mut award = None;
                if lot_state.round > 0 {
                    let key = schema::award_key(id, lot, lot_state.round);
                    if let Some(bytes) = state.get(&key) {
                        let record: Award = decode(&key, &bytes)?;
                        award = record.cancelled_by.is_none().then(|| AwardSummary::of(&record));
                    }
                    keys.push(key);
                }
                lots.push(LotSummary { lot, spec: spec.clone(), state: lot_state.clone(), award });
            }
            Ok::<_, ApiError>(((tender, amendments, lots, at_ms), keys))
        })?;
        let (certified, proofs) = split(reads);
        let status = query::status(&tender, at_ms);
        Ok(TenderResponse { tender, status, at_ms, amendments, lots, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/procurement/tenders/{id}/questions?from=&limit=`.
pub(crate) async fn questions(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<QuestionsResponse>, ApiError> {
    let id = parse_record_number("tender", 1, &id)?;
    let (from, limit) = page(&q)?;
    let response = blocking(move || -> Result<QuestionsResponse, ApiError> {
        let ((questions, count, next), reads) = node.read(|state| {
            let (tender, mut keys) = read_tender(state, id)?;
            let count = tender.questions;
            let page = numbers(from, count, limit).map(|n| schema::question_key(id, n));
            let (questions, page_keys, taken) = within(state, page)?;
            keys.extend(page_keys);
            Ok::<_, ApiError>(((questions, count, next_number(from, taken, count)), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(QuestionsResponse { tender: id, questions, count, next, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// A bid as listed.
fn bid_summary(bid: Bid) -> BidSummary {
    BidSummary {
        number: bid.number,
        company: bid.company,
        submitted_by: bid.submitted_by,
        submitted_ms: bid.submitted_ms,
        first_submitted_ms: bid.first_submitted_ms,
        versions: bid.versions,
        withdrawn: bid.withdrawn,
        sealed_bytes: u64::from(bid.sealed_bytes),
        sealed_sha256: bid.sealed_sha256,
        shares: bid.shares,
        opening: bid.opening,
    }
}

/// `GET /v1/procurement/tenders/{id}/bids?from=&limit=`.
pub(crate) async fn bids(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<BidsResponse>, ApiError> {
    let id = parse_record_number("tender", 1, &id)?;
    let (from, limit) = page(&q)?;
    let response = blocking(move || -> Result<BidsResponse, ApiError> {
        let ((bids, count, next), reads) = node.read(|state| {
            let (tender, mut keys) = read_tender(state, id)?;
            let count = tender.bids;
            let page = numbers(from, count, limit).map(|n| schema::bid_key(id, n));
            let (bids, page_keys, taken) = within::<Bid>(state, page)?;
            keys.extend(page_keys);
            Ok::<_, ApiError>(((bids, count, next_number(from, taken, count)), keys))
        })?;
        let (certified, proofs) = split(reads);
        let bids = bids.into_iter().map(bid_summary).collect();
        Ok(BidsResponse { tender: id, bids, count, next, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// A state that records the keys read and the bytes of their values.
struct Recording<'a> {
    state: &'a dyn StateRead,
    keys: RefCell<Keys>,
    bytes: Cell<usize>,
}

impl StateRead for Recording<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.state.get(key);
        self.keys.borrow_mut().push(key.to_vec());
        self.bytes.set(self.bytes.get() + value.as_ref().map_or(0, Vec::len));
        value
    }
}

/// A lot's ranking at `at_ms` with the keys it read, or why there is none.
fn ranking(
    state: &dyn StateRead,
    tender: &Tender,
    lot: u16,
    at_ms: u64,
) -> (Result<Vec<schema::Ranked>, String>, Keys) {
    if tender.bids > MAX_RANKED_BIDS {
        let why = format!(
            "tender {} has {} bids, more than the {MAX_RANKED_BIDS} a lot's answer ranks with proofs; each award \
             carries the ranking it was made on",
            tender.id, tender.bids
        );
        return (Err(why), Vec::new());
    }
    if !tender.all_open() || at_ms < tender.spec.timeline.opening_ms {
        let why = format!(
            "the bids are ranked once every bid is open: {} of {} standing bids are open",
            tender.opened, tender.live_bids
        );
        return (Err(why), Vec::new());
    }
    let recording = Recording { state, keys: RefCell::new(Vec::new()), bytes: Cell::new(0) };
    let ranked = query::ranking(&recording, tender, lot);
    if recording.bytes.get() > MAX_RANKING_BYTES {
        let why = format!(
            "the ranking of tender {}'s lot {lot} reads {} bytes of bids and scores, more than the {MAX_RANKING_BYTES} \
             one answer proves; each award carries the ranking it was made on",
            tender.id,
            recording.bytes.get()
        );
        return (Err(why), Vec::new());
    }
    (ranked, recording.keys.into_inner())
}

/// `GET /v1/procurement/tenders/{id}/lots/{index}`.
pub(crate) async fn lot(
    State(node): State<NodeHandle>,
    Path((id, lot)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<LotResponse>, ApiError> {
    let id = parse_record_number("tender", 1, &id)?;
    let lot = parse_lot(&lot)?;
    let response = blocking(move || -> Result<LotResponse, ApiError> {
        let ((tender, ranked, awards, at_ms), reads) = node.read(|state| {
            let at_ms = state.time_ms();
            let (tender, mut keys) = read_tender(state, id)?;
            let Some(lot_state) = tender.lots.get(usize::from(lot)) else {
                return Err(refused(
                    LOT_NOT_FOUND,
                    format!("tender {id} has {} lots, numbered from 0: there is no lot {lot}", tender.spec.lots.len()),
                ));
            };
            let (ranked, ranking_keys) = ranking(state, &tender, lot, at_ms);
            keys.extend(ranking_keys);
            let rounds = (1..=lot_state.round).map(|round| schema::award_key(id, lot, round));
            let (awards, award_keys, _) = within::<Award>(state, rounds)?;
            keys.extend(award_keys);
            Ok::<_, ApiError>(((tender, ranked, awards, at_ms), keys))
        })?;
        let (certified, proofs) = split(reads);
        let status = query::status(&tender, at_ms);
        let i = usize::from(lot);
        let (ranking, ranking_missing) = match ranked {
            Ok(ranking) => (Some(ranking), None),
            Err(why) => (None, Some(why)),
        };
        Ok(LotResponse {
            tender: id,
            lot,
            spec: tender.spec.lots[i].clone(),
            state: tender.lots[i].clone(),
            status,
            at_ms,
            ranking,
            ranking_missing,
            awards,
            certified,
            proofs,
        })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/procurement/tenders/{id}/complaints?from=&limit=`.
pub(crate) async fn complaints(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<ComplaintsResponse>, ApiError> {
    let id = parse_record_number("tender", 1, &id)?;
    let (from, limit) = page(&q)?;
    let response = blocking(move || -> Result<ComplaintsResponse, ApiError> {
        let ((complaints, count, next), reads) = node.read(|state| {
            let (tender, mut keys) = read_tender(state, id)?;
            let count = tender.complaints;
            let page = numbers(from, count, limit).map(|n| schema::complaint_key(id, n));
            let (complaints, page_keys, taken) = within(state, page)?;
            keys.extend(page_keys);
            Ok::<_, ApiError>(((complaints, count, next_number(from, taken, count)), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ComplaintsResponse { tender: id, complaints, count, next, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/procurement/contracts/{id}`.
pub(crate) async fn contract(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ContractResponse>, ApiError> {
    let id = parse_record_number("contract", 1, &id)?;
    let response = blocking(move || -> Result<ContractResponse, ApiError> {
        let ((contract, amendments), reads) = node.read(|state| {
            let (contract, mut keys) = query::contract(state, id);
            let contract = contract.ok_or_else(|| {
                refused(
                    CONTRACT_NOT_FOUND,
                    format!(
                        "there is no contract {id}; contracts are numbered from 1, in the order the entities signed \
                         them"
                    ),
                )
            })?;
            let rounds = (1..=contract.amendments).map(|n| schema::contract_amendment_key(id, n));
            let (amendments, amendment_keys, _) = within(state, rounds)?;
            keys.extend(amendment_keys);
            Ok::<_, ApiError>(((contract, amendments), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ContractResponse { contract, amendments, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters() {
        assert_eq!(parse_record_number("tender", 1, "1").unwrap(), 1);
        assert_eq!(parse_record_number("tender", 1, "18446744073709551615").unwrap(), u64::MAX);
        for bad in ["", "01", "+1", "-1", "1.0", " 1", "18446744073709551616", "x"] {
            assert!(parse_record_number("tender", 1, bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_lot("0").unwrap(), 0);
        assert_eq!(parse_lot("49").unwrap(), 49);
        for bad in ["", "00", "01", "50", "99", "100", "65536", "-1", "x"] {
            assert!(parse_lot(bad).is_err(), "{bad:?}");
        }
        let message = parse_record_number("tender", 1, &"9".repeat(10_000)).unwrap_err().to_string();
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn pages_start_at_1_and_are_bounded() {
        let q = |from, limit| PageParams { from, limit };
        assert_eq!(page(&q(None, None)).unwrap(), (1, 20));
        assert_eq!(page(&q(Some(7), Some(100))).unwrap(), (7, 100));
        assert!(page(&q(Some(0), None)).is_err());
        assert!(page(&q(None, Some(0))).is_err() && page(&q(None, Some(101))).is_err());
        assert_eq!(numbers(2, 5, 2).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(numbers(6, 5, 2).count(), 0);
        assert_eq!(numbers(u64::MAX, u32::MAX, 2).count(), 0);
        assert_eq!(next_number(2, 2, 5), Some(4));
        assert_eq!(next_number(4, 2, 5), None);
        assert_eq!(next_after(1, 0, 0), None);
    }
}

/// The ocid prefix of the packages this node publishes. The Open Contracting Partnership registers prefixes for
/// publishers; a deployment that registers its own puts it here.
pub const OCID_PREFIX: &str = "ocds-pblc01";

/// Which OCDS package `GET /v1/procurement/tenders/{id}/ocds` answers.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PackageKind {
    /// A release package: one release per event on the ledger.
    #[default]
    Release,
    /// A compiled record package: the releases and the compiled release.
    Record,
}

/// The query of `GET /v1/procurement/tenders/{id}/ocds`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OcdsParams {
    /// `release` (the default) or `record`.
    #[serde(default)]
    package: PackageKind,
}

/// The OCDS options of this node's packages, published at the last block's time.
fn ocds_options(node: &NodeHandle, at_ms: u64) -> publica_procurement::ocds::OcdsOptions {
    publica_procurement::ocds::OcdsOptions {
        ocid_prefix: OCID_PREFIX.into(),
        publisher: format!("Publica procurement, {}", node.chain_id()),
        uri_base: format!("urn:publica:{}:procurement", node.chain_id()),
        published_ms: at_ms,
    }
}

/// `GET /v1/procurement/tenders/{id}/ocds?package=release|record`: the tender as an OCDS 1.1 release package or
/// compiled record package, from the last block's state. The package is derived data (as a BODS export is): the
/// records it is made from are read with their proofs from the other routes.
pub(crate) async fn ocds(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(q): Query<OcdsParams>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let id = parse_record_number("tender", 1, &id)?;
    let package = blocking(move || -> Result<serde_json::Value, ApiError> {
        node.view(|state| {
            let options = ocds_options(&node, state.time_ms());
            let chain = node.chain_id();
            let package = match q.package {
                PackageKind::Release => publica_procurement::ocds::release_package(state, chain, id, &options),
                PackageKind::Record => publica_procurement::ocds::record_package(state, chain, id, &options),
            };
            package.ok_or_else(|| no_tender(id))
        })
    })
    .await??;
    Ok(axum::Json(package))
}

/// The query of `GET /v1/procurement/red-flags`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FlagParams {
    /// The first tender looked at (from 1).
    from: Option<u64>,
    /// How many tenders at most.
    limit: Option<u32>,
}

/// `GET /v1/procurement/red-flags?from=&limit=`: the red flags for integrity that tenders `from` onwards show,
/// from the last block's state, and the next tender to look at.
pub(crate) async fn red_flags(
    State(node): State<NodeHandle>,
    Query(q): Query<FlagParams>,
) -> Result<axum::Json<publica_client::api::RedFlagsResponse>, ApiError> {
    let from = match q.from {
        Some(0) => return Err(ApiError::Malformed("from is numbered from 1, as tenders are".into())),
        Some(n) => n,
        None => 1,
    };
    let max = publica_procurement::flags::MAX_TENDERS_PER_CALL as u32;
    let limit = match q.limit.unwrap_or(max) {
        n @ 1.. if n <= max => n as usize,
        n => return Err(ApiError::Malformed(format!("limit must be 1 to {max}, not {n}"))),
    };
    let response = blocking(move || {
        node.view(|state| {
            let at_ms = state.time_ms();
            let count = query::tender_count(state);
            let (flags, next) = publica_procurement::flags::red_flags(state, from, limit);
            let next = (next <= count).then_some(next);
            publica_client::api::RedFlagsResponse { flags, next, at_ms }
        })
    })
    .await?;
    Ok(axum::Json(response))
}
