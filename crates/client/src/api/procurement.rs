//! Answers of the procurement routes (`/v1/procurement/…`): sealing keys, tenders with their status, amendments,
//! questions, bids, lots with their ranking and awards, complaints, and contracts (the records are
//! `publica_procurement::schema`'s; `docs/procurement.md`).
//!
//! Every answer carries the proofs of what it shows: `certified` (the certified header, once) and `proofs` (one
//! [`KeyProof`] per state key read, each naming that header's height), so `publica verify` checks it offline. A
//! tender's status is [`publica_procurement::query::status`] at `at_ms`, the certified block's time. Amounts are
//! integers in the smallest unit of the tender's currency, never floats: the currency is a code the procuring entity
//! names, whose decimals the ledger knows only when the finance module defines it
//! (`GET /v1/finance/currencies/{code}`, then [`crate::api::format_amount`]).

use publica_procurement::call::{Category, Lot, Timeline};
use publica_procurement::query::TenderStatus;
use publica_procurement::schema::{
    Amendment, Award, ComplaintRecord, Contract, ContractAmendment, LotState, Opening, Question, Ranked, SealingKey,
    Tender,
};
use publica_types::{Address, AgencyId, Hash, RecordId};
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Serialize};

/// Most items one page of a procurement listing carries (`limit`); [`DEFAULT_PROCUREMENT_PAGE`] without one.
pub const MAX_PROCUREMENT_PAGE: u32 = 100;
/// Items in one page of a procurement listing when no `limit` is given.
pub const DEFAULT_PROCUREMENT_PAGE: u32 = 20;

/// A sealing key (`GET /v1/procurement/keys/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealingKeyResponse {
    /// The key ceremony: its holders, threshold and deadlines, each holder's registered encryption key, who dealt
    /// and who was disqualified, and its stage (once `ready`, the public key bids are sealed to and each holder's
    /// verification key).
    pub key: SealingKey,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proof of the key's record.
    pub proofs: Vec<KeyProof>,
}

/// A tender in a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenderSummary {
    /// Its number.
    pub id: u64,
    /// Where it stands at the certified block's time.
    pub status: TenderStatus,
    /// Its title.
    pub title: String,
    /// The procuring entity's agency.
    pub entity: AgencyId,
    /// Goods, works or services.
    pub category: Category,
    /// The currency of its values and bids.
    pub currency: String,
    /// The lots' estimated values added up; absent when they add up to more than 2^64 - 1.
    pub value: Option<u64>,
    /// How many lots.
    pub lots: u32,
    /// Block time of publication.
    pub published_ms: u64,
    /// The deadlines as they stand (amendments applied).
    pub timeline: Timeline,
    /// Amendments recorded.
    pub amendments: u32,
    /// Questions asked.
    pub questions: u32,
    /// Bid numbers given (withdrawn bids keep theirs).
    pub bids: u32,
    /// Bids standing.
    pub live_bids: u32,
    /// Bids opened so far.
    pub opened: u32,
    /// Complaints filed.
    pub complaints: u32,
}

impl TenderSummary {
    /// The summary of `tender` with its status.
    pub fn of(tender: &Tender, status: TenderStatus) -> Self {
        let spec = &tender.spec;
        Self {
            id: tender.id,
            status,
            title: spec.title.clone(),
            entity: tender.entity.clone(),
            category: spec.category,
            currency: spec.currency.clone(),
            value: spec.lots.iter().try_fold(0u64, |sum, lot| sum.checked_add(lot.value)),
            lots: spec.lots.len() as u32,
            published_ms: tender.published_ms,
            timeline: spec.timeline,
            amendments: tender.amendments,
            questions: tender.questions,
            bids: tender.bids,
            live_bids: tender.live_bids,
            opened: tender.opened,
            complaints: tender.complaints,
        }
    }
}

/// A page of the tenders (`GET /v1/procurement/tenders?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TendersResponse {
    /// The tenders numbered `from` onwards, at most `limit`, each with its status at `at_ms`.
    pub tenders: Vec<TenderSummary>,
    /// How many tenders exist (numbered 1 to `count`).
    pub count: u64,
    /// The number to ask `from` for the next page; absent after the last tender.
    pub next: Option<u64>,
    /// The certified block's time, at which each status is given.
    pub at_ms: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the tender counter's key, then of each tender's.
    pub proofs: Vec<KeyProof>,
}

/// The standing award of a lot, in short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardSummary {
    /// The award round.
    pub round: u32,
    /// The bid awarded.
    pub bid: u32,
    /// Its company.
    pub company: RecordId,
    /// Its price for the lot.
    pub price: u64,
    /// Whether it departs from the ranking (its reason is in the lot's answer).
    pub departs_from_ranking: bool,
    /// Block time of the award.
    pub time_ms: u64,
    /// The end of its standstill period.
    pub standstill_until_ms: u64,
}

impl AwardSummary {
    /// The summary of `award`.
    pub fn of(award: &Award) -> Self {
        Self {
            round: award.round,
            bid: award.bid,
            company: award.company.clone(),
            price: award.price,
            departs_from_ranking: award.reason.is_some(),
            time_ms: award.time_ms,
            standstill_until_ms: award.standstill_until_ms,
        }
    }
}

/// A lot of a tender and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotSummary {
    /// Its index (from 0).
    pub lot: u16,
    /// Its title and estimated value.
    pub spec: Lot,
    /// Its award round, whether the award stands, its contract, its pending complaints.
    pub state: LotState,
    /// The standing award, if there is one.
    pub award: Option<AwardSummary>,
}

/// A tender (`GET /v1/procurement/tenders/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenderResponse {
    /// The tender as it stands: its spec (amendments applied), entity, counts, lots' state, cancellation.
    pub tender: Tender,
    /// Where it stands at `at_ms`.
    pub status: TenderStatus,
    /// The certified block's time.
    pub at_ms: u64,
    /// Its amendments from 1, as many as fit [`MAX_LIST_BYTES`] (`tender.amendments` says how many exist).
    pub amendments: Vec<Amendment>,
    /// Each lot with its state and standing award.
    pub lots: Vec<LotSummary>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the tender's key, then of each amendment's, then of each standing award's.
    pub proofs: Vec<KeyProof>,
}

/// Most bytes of records one list of an answer carries (the records as stored; their proofs carry them again):
/// a page or a list ends before the record that would pass it, the first always comes.
pub const MAX_LIST_BYTES: usize = 4 << 20;

/// A page of a tender's questions with their answers (`GET /v1/procurement/tenders/{id}/questions?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionsResponse {
    /// The tender.
    pub tender: u64,
    /// The questions numbered `from` onwards, at most `limit`.
    pub questions: Vec<Question>,
    /// How many questions were asked (numbered 1 to `count`).
    pub count: u32,
    /// The number to ask `from` for the next page; absent after the last.
    pub next: Option<u32>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the tender's key (its count), then of each question's.
    pub proofs: Vec<KeyProof>,
}

/// A bid as listed: the sealed box by its size and hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidSummary {
    /// Its number in the tender.
    pub number: u32,
    /// The bidding company.
    pub company: RecordId,
    /// Its officer who submitted the current version.
    pub submitted_by: Address,
    /// Block time of the current version.
    pub submitted_ms: u64,
    /// Block time of the first version.
    pub first_submitted_ms: u64,
    /// Versions submitted.
    pub versions: u32,
    /// Whether it was withdrawn.
    pub withdrawn: bool,
    /// Length of the sealed box's borsh encoding (ephemeral key, ciphertext, proof), bytes.
    pub sealed_bytes: u64,
    /// SHA-256 of the sealed box's borsh encoding: the box itself is in the proof of the bid's key.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub sealed_sha256: Hash,
    /// Holders whose valid decryption share is recorded.
    pub shares: Vec<u16>,
    /// Once opened: what it said, or why it could not be read.
    pub opening: Option<Opening>,
}

/// A page of a tender's bids (`GET /v1/procurement/tenders/{id}/bids?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BidsResponse {
    /// The tender.
    pub tender: u64,
    /// The bids numbered `from` onwards, at most `limit`.
    pub bids: Vec<BidSummary>,
    /// How many bid numbers were given (numbered 1 to `count`).
    pub count: u32,
    /// The number to ask `from` for the next page; absent after the last.
    pub next: Option<u32>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the tender's key, then of each bid's (whose value holds the sealed box).
    pub proofs: Vec<KeyProof>,
}

/// A lot with its current ranking and every award round (`GET /v1/procurement/tenders/{id}/lots/{index}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotResponse {
    /// The tender.
    pub tender: u64,
    /// The lot's index.
    pub lot: u16,
    /// Its title and estimated value.
    pub spec: Lot,
    /// Its state.
    pub state: LotState,
    /// The tender's status at `at_ms`.
    pub status: TenderStatus,
    /// The certified block's time.
    pub at_ms: u64,
    /// The valid bids ranked as the ledger computes them now, best first; absent when it cannot be computed.
    pub ranking: Option<Vec<Ranked>>,
    /// Why there is no ranking: what is missing (a bid not open, a member's scores), or a tender with too many bids
    /// to rank in one answer.
    pub ranking_missing: Option<String>,
    /// Its awards from round 1 (a cancelled one names the complaint that cancelled it), as many as fit
    /// [`MAX_LIST_BYTES`].
    pub awards: Vec<Award>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the tender's key, of every key the ranking read (bids and scores), then of each award's.
    pub proofs: Vec<KeyProof>,
}

/// A page of a tender's complaints (`GET /v1/procurement/tenders/{id}/complaints?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsResponse {
    /// The tender.
    pub tender: u64,
    /// The complaints numbered `from` onwards, at most `limit`, each with its decision once made.
    pub complaints: Vec<ComplaintRecord>,
    /// How many complaints were filed (numbered 1 to `count`).
    pub count: u32,
    /// The number to ask `from` for the next page; absent after the last.
    pub next: Option<u32>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the tender's key, then of each complaint's.
    pub proofs: Vec<KeyProof>,
}

/// A contract with its amendments (`GET /v1/procurement/contracts/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractResponse {
    /// The contract: tender, lot, supplier, document, value, milestones, signatures, funding.
    pub contract: Contract,
    /// Its amendments from 1, as many as fit [`MAX_LIST_BYTES`] (`contract.amendments` says how many exist).
    pub amendments: Vec<ContractAmendment>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the contract's key, then of each amendment's.
    pub proofs: Vec<KeyProof>,
}

/// `GET /v1/procurement/red-flags`: the red flags for integrity the tenders show (derived data, from the last
/// block's state; the records behind each flag are read with proofs from the other routes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlagsResponse {
    /// The flags, by tender.
    pub flags: Vec<publica_procurement::flags::Flag>,
    /// The next tender to look at, if any are left.
    pub next: Option<u64>,
    /// The block time the flags were computed at.
    pub at_ms: u64,
}
