//! State layout of the procurement module (prefix `pro/`). Every value is borsh, canonical.
//!
//! | key | value |
//! |---|---|
//! | `pro/k/<key>` | [`SealingKey`]: a key ceremony, its holders, their encryption keys, and once finished the key |
//! | `pro/kd/<key>/<dealer>` | a holder's [`Deal`](publica_crypto::threshold::Deal) |
//! | `pro/kc/<key>/<dealer>/<holder>` | an upheld [`Complaint`](publica_crypto::threshold::Complaint) |
//! | `pro/t/<tender>` | [`Tender`]: the spec, the entity, the counts, the lots' state |
//! | `pro/ta/<tender>/<n>` | [`Amendment`] `n` (from 1) |
//! | `pro/q/<tender>/<n>` | [`Question`] `n` (from 1), with its answer |
//! | `pro/qa/<tender>/<address>` | how many questions this account asked (u32) |
//! | `pro/b/<tender>/<n>` | [`Bid`] `n` (from 1): the sealed box, and once opened what it said |
//! | `pro/bx/<tender>/<n>` | bid `n`'s current [`SealedBox`](publica_crypto::threshold::SealedBox) |
//! | `pro/bc/<tender>/<company>` | the number of the company's bid (u32) |
//! | `pro/r/<ephemeral key>` | the tender and bid that used a sealed box's ephemeral key ([`EphemeralUse`]) |
//! | `pro/ds/<tender>/<bid>/<holder>` | a holder's [`DecryptionShare`](publica_crypto::threshold::DecryptionShare) |
//! | `pro/sc/<tender>/<lot>/<bid>/<member>` | a committee member's [`Scores`] of a bid for a lot |
//! | `pro/aw/<tender>/<lot>/<round>` | [`Award`] of a lot (round from 1: a cancelled award is followed by another) |
//! | `pro/cp/<tender>/<n>` | [`ComplaintRecord`] `n` (from 1) |
//! | `pro/cn/<tender>/<company>` | how many complaints the company filed (u32) |
//! | `pro/c/<contract>` | [`Contract`] |
//! | `pro/ca/<contract>/<n>` | [`ContractAmendment`] `n` (from 1) |
//! | `pro/fp/<payment>` | the contract and milestone a finance payment is linked to ([`PaymentLink`]) |
//! | `pro/fc/<commitment>` | the contract a finance commitment funds (u64) |
//! | `pro/next/<kind>` | the next number of sealing keys (`k`), tenders (`t`), contracts (`c`) |
//!
//! Numbers in keys are big-endian; a member in a key is its index in the committee.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_crypto::threshold::Point;
use publica_types::{codec, Address, AgencyId, Hash, RecordId, StateRead, StateWrite, TxError, TxId};

use crate::call::{BidContent, MilestoneSpec, TenderSpec};
use crate::error;

/// Largest record the module stores, in bytes (a bid with its sealed box is the largest).
pub const MAX_RECORD_BYTES: usize = 96 * 1024;

/// Where a key ceremony stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum KeyStage {
    /// Holders register encryption keys, deal, and complain; not finished yet.
    Ceremony,
    /// Finished: bids may be sealed to it.
    Ready {
        /// The public key bids are sealed to.
        public_key: Point,
        /// Each holder's verification key (holder `j` at index `j - 1`): its decryption shares are checked against
        /// it.
        verification_keys: Vec<Point>,
        /// The dealers whose deals make the key (numbers from 1).
        qualified: Vec<u16>,
    },
}

/// A sealing key: a key ceremony among named key holders and, once finished, the key.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SealingKey {
    /// Its number.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The procurement authority's agency.
    pub authority: AgencyId,
    /// The key holders (holder `j` is at index `j - 1`).
    pub holders: Vec<Address>,
    /// How many holders open a bid.
    pub threshold: u16,
    /// Registration deadline.
    pub register_by_ms: u64,
    /// Dealing deadline.
    pub deal_by_ms: u64,
    /// Complaint deadline.
    pub complaints_by_ms: u64,
    /// Each holder's registered encryption key.
    pub encryption_keys: Vec<Option<Point>>,
    /// Whether each holder dealt.
    pub dealt: Vec<bool>,
    /// Whether each dealer was disqualified by an upheld complaint.
    pub disqualified: Vec<bool>,
    /// Where it stands.
    pub stage: KeyStage,
    /// Block time of its creation.
    pub created_ms: u64,
}

impl SealingKey {
    /// The holder number (from 1) of `address`, if it is a holder.
    pub fn holder_number(&self, address: &Address) -> Option<u16> {
        self.holders.iter().position(|h| h == address).map(|i| i as u16 + 1)
    }
}

/// Where one lot stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct LotState {
    /// The current award round (0: never awarded).
    pub round: u32,
    /// Whether the current round's award stands (not cancelled).
    pub awarded: bool,
    /// The lot's contract, once signed by the entity.
    pub contract: Option<u64>,
    /// Complaints about the lot's awards not decided yet.
    pub pending_complaints: u32,
    /// Bids opened valid with a price for the lot.
    pub valid_bids: u32,
}

/// A published tender.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Tender {
    /// Its number.
    pub id: u64,
    /// The procuring entity's agency.
    pub entity: AgencyId,
    /// The official who published it.
    pub published_by: Address,
    /// Block time of publication.
    pub published_ms: u64,
    /// The tender as it stands (amendments applied).
    pub spec: TenderSpec,
    /// Amendments recorded.
    pub amendments: u32,
    /// Questions asked.
    pub questions: u32,
    /// Bid numbers given (withdrawn bids keep theirs).
    pub bids: u32,
    /// Bids standing (submitted and not withdrawn).
    pub live_bids: u32,
    /// Bids opened so far (validly or not).
    pub opened: u32,
    /// Complaints filed.
    pub complaints: u32,
    /// Complaints not decided yet.
    pub pending_complaints: u32,
    /// The lots' state, one per lot.
    pub lots: Vec<LotState>,
    /// Why it was cancelled, and when, if it was.
    pub cancelled: Option<(String, u64)>,
    /// The bid deadline it was published with (the extension rule measures its window from it).
    pub original_deadline_ms: u64,
}

impl Tender {
    /// Whether every standing bid is open (so that evaluation may start): only after the opening time.
    pub fn all_open(&self) -> bool {
        self.opened == self.live_bids
    }
}

/// A tender amendment.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Amendment {
    /// Its number.
    pub number: u32,
    /// Why.
    pub rationale: String,
    /// The fields it changed.
    pub changed: Vec<String>,
    /// The bid deadline before it.
    pub old_deadline_ms: u64,
    /// The bid deadline after it.
    pub new_deadline_ms: u64,
    /// Who made it.
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
}

/// A question and its answer.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Question {
    /// Its number.
    pub number: u32,
    /// Who asked.
    pub asked_by: Address,
    /// The question.
    pub text: String,
    /// Block time it was asked.
    pub asked_ms: u64,
    /// The answer, by whom and when.
    pub answer: Option<Answer>,
}

/// An answer to a question.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Answer {
    /// The answer.
    pub text: String,
    /// The entity's official who answered.
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
}

/// What an opened bid said, or why it could not be read.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Opening {
    /// It decrypted to a well-formed bid.
    Valid {
        /// What it says.
        content: BidContent,
    },
    /// It did not: the bid takes no part in the evaluation.
    Invalid {
        /// Why.
        reason: String,
    },
}

/// A bid.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Bid {
    /// Its number in the tender.
    pub number: u32,
    /// The bidding company.
    pub company: RecordId,
    /// Its officer who submitted the current version.
    pub submitted_by: Address,
    /// The current version's sealed box's ephemeral key `R` (decryption shares are made for it); the box itself is
    /// stored apart ([`sealed_box_key`]), so that reading a tender's bids does not read their ciphertexts.
    pub ephemeral: Point,
    /// The length of the sealed box's encoding (borsh), bytes.
    pub sealed_bytes: u32,
    /// SHA-256 of the sealed box's encoding (borsh).
    #[serde(with = "publica_types::codec::hex_hash")]
    pub sealed_sha256: Hash,
    /// Block time of the current version.
    pub submitted_ms: u64,
    /// Block time of the first version.
    pub first_submitted_ms: u64,
    /// Versions submitted (1 for a bid never replaced).
    pub versions: u32,
    /// Whether it was withdrawn (before the deadline).
    pub withdrawn: bool,
    /// Holders whose valid decryption share is recorded (their numbers).
    pub shares: Vec<u16>,
    /// Once opened: what it said.
    pub opening: Option<Opening>,
}

/// Who used a sealed box's ephemeral key.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct EphemeralUse {
    /// The tender.
    pub tender: u64,
    /// The bid.
    pub bid: u32,
}

/// A committee member's scores of a bid for a lot.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Scores {
    /// One per quality criterion, in the criteria's order.
    pub scores: Vec<u8>,
    /// The member.
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
}

/// A bid's place in a lot's ranking.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Ranked {
    /// The bid.
    pub bid: u32,
    /// The company.
    pub company: RecordId,
    /// Its price for the lot.
    pub price: u64,
    /// Its total, in thousandths of a point (100,000 points is the most: every criterion at the top of the scale).
    pub total_millipoints: u64,
}

/// An award of a lot.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Award {
    /// The round (from 1).
    pub round: u32,
    /// The bid awarded.
    pub bid: u32,
    /// Its company.
    pub company: RecordId,
    /// Its price for the lot.
    pub price: u64,
    /// The ranking as computed when it was made, best first.
    pub ranking: Vec<Ranked>,
    /// Why it departs from the ranking, if it does.
    pub reason: Option<String>,
    /// The official who made it.
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
    /// The end of its standstill period.
    pub standstill_until_ms: u64,
    /// The complaint whose decision cancelled it, if one did.
    pub cancelled_by: Option<u32>,
}

/// How a complaint was decided.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Decision {
    /// Whether it was upheld.
    pub upheld: bool,
    /// Whether the award was cancelled.
    pub cancelled_award: bool,
    /// The reasoning.
    pub reasoning: String,
    /// The review body's official.
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
}

/// A complaint about an award.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ComplaintRecord {
    /// Its number.
    pub number: u32,
    /// The lot.
    pub lot: u16,
    /// The award round complained about.
    pub round: u32,
    /// The company.
    pub company: RecordId,
    /// Its officer who filed it.
    pub by: Address,
    /// The complaint.
    pub text: String,
    /// Block time.
    pub time_ms: u64,
    /// The decision, once made.
    pub decision: Option<Decision>,
}

/// A milestone of a contract and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Milestone {
    /// What was agreed.
    pub spec: MilestoneSpec,
    /// When its delivery was accepted, with the note.
    pub delivered: Option<(u64, String)>,
    /// Paid against it (finance payments linked).
    pub paid: u64,
    /// The finance payments linked to it.
    pub payments: Vec<u64>,
}

/// Where a contract stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Signed by the entity; waits for the supplier's countersignature of its current version.
    AwaitingSupplier,
    /// Signed by both: in force.
    Active,
}

/// A contract.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Contract {
    /// Its number.
    pub id: u64,
    /// The tender.
    pub tender: u64,
    /// The lot.
    pub lot: u16,
    /// The award round it follows.
    pub round: u32,
    /// The supplier.
    pub supplier: RecordId,
    /// The procuring entity.
    pub entity: AgencyId,
    /// SHA-256 of the current version's document.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub document: Hash,
    /// The value.
    pub value: u64,
    /// The awarded price it started from.
    pub awarded_price: u64,
    /// The milestones.
    pub milestones: Vec<Milestone>,
    /// Where it stands.
    pub status: ContractStatus,
    /// The entity's official who signed it, and when.
    pub signed_by: Address,
    /// Block time of the entity's signature.
    pub signed_ms: u64,
    /// The supplier's officer who countersigned the current version, and when.
    pub countersigned: Option<(Address, u64)>,
    /// Block time the contract first came into force.
    pub in_force_ms: Option<u64>,
    /// Amendments recorded.
    pub amendments: u32,
    /// The finance commitments that fund it (to the supplier, against the tender's allocation): they cover its
    /// value, and its milestones are paid from them.
    pub commitments: Vec<u64>,
}

/// A contract amendment.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct ContractAmendment {
    /// Its number.
    pub number: u32,
    /// The value before.
    pub old_value: u64,
    /// The value after.
    pub new_value: u64,
    /// The document before.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub old_document: Hash,
    /// The document after.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub new_document: Hash,
    /// Why.
    pub reason: String,
    /// Who made it.
    pub by: Address,
    /// Block time.
    pub time_ms: u64,
}

/// The contract and milestone a finance payment pays.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct PaymentLink {
    /// The contract.
    pub contract: u64,
    /// The milestone.
    pub milestone: u16,
    /// The transaction that linked it.
    pub tx_id: TxId,
}

fn key(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = b"pro/".to_vec();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(part);
    }
    out
}

/// Key of a sealing key.
pub fn sealing_key_key(id: u64) -> Vec<u8> {
    key(&[b"k", &id.to_be_bytes()])
}

/// Key of a dealer's deal.
pub fn deal_key(id: u64, dealer: u16) -> Vec<u8> {
    key(&[b"kd", &id.to_be_bytes(), &dealer.to_be_bytes()])
}

/// Key of an upheld complaint against a dealer.
pub fn deal_complaint_key(id: u64, dealer: u16, holder: u16) -> Vec<u8> {
    key(&[b"kc", &id.to_be_bytes(), &dealer.to_be_bytes(), &holder.to_be_bytes()])
}

/// Key of a tender.
pub fn tender_key(id: u64) -> Vec<u8> {
    key(&[b"t", &id.to_be_bytes()])
}

/// Key of a tender amendment.
pub fn amendment_key(tender: u64, n: u32) -> Vec<u8> {
    key(&[b"ta", &tender.to_be_bytes(), &n.to_be_bytes()])
}

/// Key of a question.
pub fn question_key(tender: u64, n: u32) -> Vec<u8> {
    key(&[b"q", &tender.to_be_bytes(), &n.to_be_bytes()])
}

/// Key of an account's question count for a tender.
pub fn asker_key(tender: u64, address: &Address) -> Vec<u8> {
    key(&[b"qa", &tender.to_be_bytes(), address.as_bytes()])
}

/// Key of a bid.
pub fn bid_key(tender: u64, n: u32) -> Vec<u8> {
    key(&[b"b", &tender.to_be_bytes(), &n.to_be_bytes()])
}

/// Key of a bid's current sealed box.
pub fn sealed_box_key(tender: u64, n: u32) -> Vec<u8> {
    key(&[b"bx", &tender.to_be_bytes(), &n.to_be_bytes()])
}

/// Key of a company's bid number.
pub fn bidder_key(tender: u64, company: &RecordId) -> Vec<u8> {
    key(&[b"bc", &tender.to_be_bytes(), company.as_str().as_bytes()])
}

/// Key of an ephemeral key's use.
pub fn ephemeral_key(point: &Point) -> Vec<u8> {
    key(&[b"r", &point.0])
}

/// Key of a holder's decryption share of a bid.
pub fn share_key(tender: u64, bid: u32, holder: u16) -> Vec<u8> {
    key(&[b"ds", &tender.to_be_bytes(), &bid.to_be_bytes(), &holder.to_be_bytes()])
}

/// Key of a member's scores of a bid for a lot.
pub fn scores_key(tender: u64, lot: u16, bid: u32, member: u16) -> Vec<u8> {
    key(&[b"sc", &tender.to_be_bytes(), &lot.to_be_bytes(), &bid.to_be_bytes(), &member.to_be_bytes()])
}

/// Key of a lot's award in a round.
pub fn award_key(tender: u64, lot: u16, round: u32) -> Vec<u8> {
    key(&[b"aw", &tender.to_be_bytes(), &lot.to_be_bytes(), &round.to_be_bytes()])
}

/// Key of a complaint.
pub fn complaint_key(tender: u64, n: u32) -> Vec<u8> {
    key(&[b"cp", &tender.to_be_bytes(), &n.to_be_bytes()])
}

/// Key of a company's complaint count for a tender.
pub fn complainant_key(tender: u64, company: &RecordId) -> Vec<u8> {
    key(&[b"cn", &tender.to_be_bytes(), company.as_str().as_bytes()])
}

/// Key of a contract.
pub fn contract_key(id: u64) -> Vec<u8> {
    key(&[b"c", &id.to_be_bytes()])
}

/// Key of a contract amendment.
pub fn contract_amendment_key(contract: u64, n: u32) -> Vec<u8> {
    key(&[b"ca", &contract.to_be_bytes(), &n.to_be_bytes()])
}

/// Key of a finance payment's link.
pub fn payment_link_key(payment: u64) -> Vec<u8> {
    key(&[b"fp", &payment.to_be_bytes()])
}

/// Key of a finance commitment's contract.
pub fn commitment_link_key(commitment: u64) -> Vec<u8> {
    key(&[b"fc", &commitment.to_be_bytes()])
}

/// Key of a counter.
pub fn next_key(kind: &str) -> Vec<u8> {
    key(&[b"next", kind.as_bytes()])
}

/// Read and decode a record; `None` when absent.
pub fn get<T: BorshDeserialize + BorshSerialize>(state: &dyn StateRead, key: &[u8]) -> Option<T> {
    state.get(key).and_then(|bytes| codec::decode_state("procurement record", &bytes, MAX_RECORD_BYTES).ok())
}

/// Encode and write a record.
pub fn put<T: BorshSerialize>(state: &mut dyn StateWrite, key: Vec<u8>, value: &T) -> Result<(), TxError> {
    let bytes = borsh::to_vec(value).expect("borsh encoding to memory does not fail");
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(error::refuse(
            error::TEXT_INVALID,
            format!("the record would be {} bytes, above the {MAX_RECORD_BYTES}-byte limit", bytes.len()),
        ));
    }
    state.put(key, bytes);
    Ok(())
}

/// Take the next number of `kind` (from 1).
pub fn take_next(state: &mut dyn StateWrite, kind: &str) -> u64 {
    let key = next_key(kind);
    let next = get::<u64>(state, &key).unwrap_or(1);
    state.put(key, borsh::to_vec(&(next + 1)).expect("a counter encodes"));
    next
}

/// A u32 counter's value (0 when absent).
pub fn counter(state: &dyn StateRead, key: &[u8]) -> u32 {
    get::<u32>(state, key).unwrap_or(0)
}

/// Build a [`crate::schema::Milestone`] list from specs.
pub fn milestones(specs: &[MilestoneSpec]) -> Vec<Milestone> {
    specs.iter().map(|spec| Milestone { spec: spec.clone(), delivered: None, paid: 0, payments: Vec::new() }).collect()
}
