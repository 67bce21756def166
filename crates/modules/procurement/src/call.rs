//! The procurement module's calls: their wire form (borsh for signing, JSON for the API), owned by the module and
//! gathered into the transaction envelope by `publica-tx`. Variant order is part of the encoding: new variants are
//! only ever appended.
//!
//! Amounts are integers in the tender currency's smallest unit, never floats; times are Unix milliseconds.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_crypto::threshold::{Complaint as ShareComplaint, Deal, DecryptionShare, Point, SchnorrProof, SealedBox};
use publica_types::{Address, Hash, RecordId};

/// Most key holders of a sealing key.
pub const MAX_HOLDERS: usize = 16;
/// Longest name or title, in bytes.
pub const MAX_TITLE_BYTES: usize = 200;
/// Longest description, question, answer, reason or complaint, in bytes.
pub const MAX_TEXT_BYTES: usize = 4_000;
/// Longest currency code, in bytes.
pub const MAX_CURRENCY_BYTES: usize = 8;
/// Most items of a tender.
pub const MAX_ITEMS: usize = 100;
/// Most lots of a tender.
pub const MAX_LOTS: usize = 50;
/// Most award criteria of a tender (the price criterion included).
pub const MAX_CRITERIA: usize = 10;
/// Most documents of a tender or a bid.
pub const MAX_DOCUMENTS: usize = 20;
/// Longest document URL, in bytes.
pub const MAX_URL_BYTES: usize = 400;
/// Most members of an evaluation committee.
pub const MAX_EVALUATORS: usize = 9;
/// Most milestones of a contract.
pub const MAX_MILESTONES: usize = 50;
/// Largest sealed bid (its ciphertext), in bytes.
pub const MAX_SEALED_BID_BYTES: usize = 64 * 1024;
/// Most decryption shares in one call.
pub const MAX_SHARES_PER_CALL: usize = 1_000;
/// Most versions of one company's bid in one tender (each replacement records its box's ephemeral key for good).
pub const MAX_BID_VERSIONS: u32 = 20;
/// Most bids one tender takes.
pub const MAX_BIDS: u32 = 10_000;
/// Most questions one tender takes, and most one account asks about it.
pub const MAX_QUESTIONS: u32 = 1_000;
/// Most questions one account asks about one tender.
pub const MAX_QUESTIONS_PER_ASKER: u32 = 10;
/// Most complaints one company files about one tender.
pub const MAX_COMPLAINTS_PER_COMPANY: u32 = 3;
/// Highest score a member of an evaluation committee gives on a criterion (scores are 0 to this).
pub const MAX_SCORE: u8 = 100;
/// The criteria's weights add up to this (per mille).
pub const WEIGHT_TOTAL: u32 = 1_000;
/// Shortest standstill period after an award, in milliseconds (one minute; a procurement law sets its own,
/// typically ten days, which the entity declares in the tender).
pub const MIN_STANDSTILL_MS: u64 = 60_000;
/// Longest any period of a tender or a ceremony may be, in milliseconds (two years).
pub const MAX_PERIOD_MS: u64 = 2 * 366 * 86_400_000;
/// Shortest reason for an award that departs from the ranking, in bytes.
pub const MIN_DEVIATION_REASON_BYTES: usize = 20;

/// What a tender buys (OCDS `mainProcurementCategory`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Physical goods.
    Goods,
    /// Construction work.
    Works,
    /// Services.
    Services,
}

/// One item the tender buys.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Item {
    /// What it is.
    pub description: String,
    /// Its CPV 2008 code (Common Procurement Vocabulary): eight digits, a hyphen and the check digit, as
    /// `45233141-9` (road-maintenance works).
    pub cpv: String,
    /// How many.
    pub quantity: u64,
    /// The unit (`km`, `piece`, `hour`), as the CEFACT-free text OCDS accepts.
    pub unit: String,
    /// The lot it belongs to (its index, from 0).
    pub lot: u16,
}

/// A lot: a part of the tender awarded on its own.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Lot {
    /// Its title.
    pub title: String,
    /// The estimated value.
    pub value: u64,
}

/// How a criterion is scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// By the bid's price, on the ledger: the lowest valid price gets [`MAX_SCORE`], a price `p` gets
    /// `MAX_SCORE * lowest / p`.
    Price,
    /// By the evaluation committee: each member gives 0 to [`MAX_SCORE`]; the criterion's score is their mean.
    Quality,
}

/// An award criterion with its weight.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Criterion {
    /// What is judged.
    pub name: String,
    /// Its weight, per mille: the weights of a tender add up to [`WEIGHT_TOTAL`].
    pub weight: u16,
    /// How it is scored.
    pub kind: CriterionKind,
}

/// A document by its hash: the document is served by the agency; its SHA-256 is on the ledger.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Document {
    /// Its title.
    pub title: String,
    /// SHA-256 of its bytes.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub sha256: Hash,
    /// Where the agency serves it (`https://…`), or empty.
    pub url: String,
}

/// The tender's timeline, Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Timeline {
    /// Questions are asked until then.
    pub clarifications_until_ms: u64,
    /// Bids are submitted, replaced and withdrawn until then.
    pub bid_deadline_ms: u64,
    /// Key holders publish their decryption shares from then on.
    pub opening_ms: u64,
    /// How long after an award complaints may be filed and no contract may be signed.
    pub standstill_ms: u64,
}

/// A tender as its procuring entity publishes it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct TenderSpec {
    /// Its title.
    pub title: String,
    /// What is bought and why.
    pub description: String,
    /// Goods, works or services.
    pub category: Category,
    /// The currency of its values and of every bid (a currency code; the finance module's when a commitment
    /// funds it).
    pub currency: String,
    /// The items.
    pub items: Vec<Item>,
    /// The lots (at least one).
    pub lots: Vec<Lot>,
    /// The award criteria: at most one of kind price; weights add up to [`WEIGHT_TOTAL`].
    pub criteria: Vec<Criterion>,
    /// The tender documents.
    pub documents: Vec<Document>,
    /// The timeline.
    pub timeline: Timeline,
    /// The sealing key bids are encrypted to (a ready key of the procurement authority).
    pub sealing_key: u64,
    /// The evaluation committee: officials of the entity's agency holding `evaluator`.
    pub evaluators: Vec<Address>,
    /// The finance module's allocation that funds the tender, if any: the entity's agency's, in the tender's
    /// currency. Each contract of the tender then names commitments against it to its supplier, which cover its
    /// value and which its milestones are paid from.
    pub allocation: Option<u64>,
}

/// A change to a tender before its bid deadline: each field given replaces the tender's.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct TenderChanges {
    /// A new description.
    pub description: Option<String>,
    /// New items.
    pub items: Option<Vec<Item>>,
    /// New lots (as many as before: lots are not added or removed once bids may exist).
    pub lots: Option<Vec<Lot>>,
    /// New criteria.
    pub criteria: Option<Vec<Criterion>>,
    /// New documents.
    pub documents: Option<Vec<Document>>,
}

/// A bid's price for one lot.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct LotPrice {
    /// The lot (its index).
    pub lot: u16,
    /// The price.
    pub price: u64,
}

/// What a bid says, sealed until the opening: the borsh bytes of this are the sealed box's plaintext.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BidContent {
    /// The prices, one per lot bid for, in lot order.
    pub prices: Vec<LotPrice>,
    /// The bid's documents (technical offer, guarantees), by hash.
    pub documents: Vec<Document>,
    /// A short summary of the offer.
    pub summary: String,
}

/// One decryption share for one bid.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BidShare {
    /// The bid's number in the tender.
    pub bid: u32,
    /// The share, with its proof.
    pub share: DecryptionShare,
}

/// A milestone of a contract.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct MilestoneSpec {
    /// What is delivered.
    pub title: String,
    /// What is paid for it.
    pub amount: u64,
    /// When it is due.
    pub due_ms: u64,
}

/// Calls of the procurement module.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ProcurementCall {
    /// An official holding `procurement-authority` starts a key ceremony: named key holders (officials holding
    /// `key-holder`) make a sealing key together, any `threshold` of whom can open what is sealed to it.
    CreateSealingKey {
        /// Its name.
        name: String,
        /// The key holders, in order (holder `j` is the `j`-th, from 1).
        holders: Vec<Address>,
        /// How many holders open a bid (at least 2, at most the number of holders).
        threshold: u16,
        /// Holders register their encryption keys until then.
        register_by_ms: u64,
        /// Holders deal until then.
        deal_by_ms: u64,
        /// Holders complain about bad shares until then; after it the key can be finished.
        complaints_by_ms: u64,
    },
    /// A key holder registers the key the other holders encrypt its shares to, with a proof that it holds it.
    RegisterHolderKey {
        /// The sealing key.
        key: u64,
        /// The encryption key.
        encryption_key: Point,
        /// Proof of knowledge of its secret.
        proof: SchnorrProof,
    },
    /// A key holder deals: commitments to its polynomial and a share encrypted to each holder.
    DealShares {
        /// The sealing key.
        key: u64,
        /// The deal.
        deal: Deal,
    },
    /// A key holder shows that a dealer's share to it is bad; if the ledger agrees, the dealer is disqualified.
    ComplainAboutDeal {
        /// The sealing key.
        key: u64,
        /// The dealer's number (from 1).
        dealer: u16,
        /// The revealed decryption with its proof.
        complaint: ShareComplaint,
    },
    /// After the complaint period, anyone finishes the key: the qualified dealers' commitments make the public
    /// key and each holder's verification key.
    FinishSealingKey {
        /// The sealing key.
        key: u64,
    },
    /// An official holding `procuring-entity` publishes a tender for its agency.
    PublishTender {
        /// The tender.
        tender: TenderSpec,
    },
    /// The entity changes a tender before its bid deadline; the deadlines move by the extension rule.
    AmendTender {
        /// The tender.
        tender: u64,
        /// What changes.
        changes: TenderChanges,
        /// Why.
        rationale: String,
    },
    /// The entity cancels a tender before any contract of it is signed.
    CancelTender {
        /// The tender.
        tender: u64,
        /// Why.
        reason: String,
    },
    /// Anyone with an active account asks a question about a tender before its clarification deadline.
    AskQuestion {
        /// The tender.
        tender: u64,
        /// The question.
        text: String,
    },
    /// The entity answers a question before the bid deadline.
    AnswerQuestion {
        /// The tender.
        tender: u64,
        /// The question's number (from 1).
        question: u32,
        /// The answer.
        text: String,
    },
    /// A director or the chair of a registered, active company submits (or replaces) its sealed bid before the
    /// deadline.
    SubmitBid {
        /// The tender.
        tender: u64,
        /// The company's number in the business register.
        company: RecordId,
        /// The bid, sealed to the tender's sealing key with the tender and company as associated data.
        sealed: SealedBox,
    },
    /// A director or the chair withdraws the company's bid before the deadline.
    WithdrawBid {
        /// The tender.
        tender: u64,
        /// The company.
        company: RecordId,
    },
    /// A key holder publishes its decryption shares for a tender's bids after the opening time; each bid opens
    /// when its `threshold`-th valid share is recorded.
    PublishShares {
        /// The tender.
        tender: u64,
        /// The shares, one per bid, by bid number ascending.
        shares: Vec<BidShare>,
    },
    /// A member of the evaluation committee scores a bid's quality criteria for a lot, once every bid is open.
    ScoreBid {
        /// The tender.
        tender: u64,
        /// The lot.
        lot: u16,
        /// The bid's number.
        bid: u32,
        /// One score per quality criterion, in the criteria's order, 0 to [`MAX_SCORE`].
        scores: Vec<u8>,
    },
    /// The entity awards a lot: to the best-ranked bid, or to another with a recorded reason.
    AwardLot {
        /// The tender.
        tender: u64,
        /// The lot.
        lot: u16,
        /// The bid awarded.
        bid: u32,
        /// Why the award departs from the ranking (required when it does, at least
        /// [`MIN_DEVIATION_REASON_BYTES`]).
        reason: Option<String>,
    },
    /// A director or the chair of a company that bid files a complaint about a lot's award in its standstill
    /// period.
    FileComplaint {
        /// The tender.
        tender: u64,
        /// The lot.
        lot: u16,
        /// The complaining company.
        company: RecordId,
        /// The complaint.
        text: String,
    },
    /// An official holding `review-body` (of an agency other than the entity's) decides a complaint; an upheld
    /// complaint may cancel the award.
    DecideComplaint {
        /// The tender.
        tender: u64,
        /// The complaint's number (from 1).
        complaint: u32,
        /// Whether the complaint is upheld.
        upheld: bool,
        /// Whether the award is cancelled (only for an upheld complaint).
        cancel_award: bool,
        /// The reasoning.
        reasoning: String,
    },
    /// The entity signs a lot's contract after the standstill: the contract document's hash, its value (not above
    /// the awarded price) and milestones. It binds once the supplier countersigns.
    SignContract {
        /// The tender.
        tender: u64,
        /// The lot.
        lot: u16,
        /// SHA-256 of the contract document.
        #[serde(with = "publica_types::codec::hex_hash")]
        document: Hash,
        /// The value.
        value: u64,
        /// The milestones; their amounts add up to the value.
        milestones: Vec<MilestoneSpec>,
        /// The finance commitment against the tender's allocation to the supplier that funds it (required when the
        /// tender names an allocation).
        commitment: Option<u64>,
    },
    /// A director or the chair of the supplier countersigns the contract's current version (its document hash).
    CountersignContract {
        /// The contract.
        contract: u64,
        /// SHA-256 of the contract document, as signed by the entity.
        #[serde(with = "publica_types::codec::hex_hash")]
        document: Hash,
    },
    /// The entity amends a contract (a new document, value or milestones) with a reason; the supplier countersigns
    /// the amendment.
    AmendContract {
        /// The contract.
        contract: u64,
        /// SHA-256 of the amended contract document.
        #[serde(with = "publica_types::codec::hex_hash")]
        document: Hash,
        /// The new value.
        value: u64,
        /// The new milestones; the ones already delivered keep their amounts.
        milestones: Vec<MilestoneSpec>,
        /// Why.
        reason: String,
        /// A further finance commitment to the supplier, when the new value needs more funds than the contract's
        /// commitments cover.
        commitment: Option<u64>,
    },
    /// The entity accepts a milestone's delivery.
    AcceptDelivery {
        /// The contract.
        contract: u64,
        /// The milestone (its index).
        milestone: u16,
        /// What was delivered, as accepted.
        note: String,
    },
    /// The entity links a payment of the finance module to a delivered milestone.
    RecordPayment {
        /// The contract.
        contract: u64,
        /// The milestone.
        milestone: u16,
        /// The finance module's payment number.
        payment: u64,
    },
}

impl ProcurementCall {
    /// The method's name, for logs and metrics.
    pub fn method(&self) -> &'static str {
        match self {
            ProcurementCall::CreateSealingKey { .. } => "create_sealing_key",
            ProcurementCall::RegisterHolderKey { .. } => "register_holder_key",
            ProcurementCall::DealShares { .. } => "deal_shares",
            ProcurementCall::ComplainAboutDeal { .. } => "complain_about_deal",
            ProcurementCall::FinishSealingKey { .. } => "finish_sealing_key",
            ProcurementCall::PublishTender { .. } => "publish_tender",
            ProcurementCall::AmendTender { .. } => "amend_tender",
            ProcurementCall::CancelTender { .. } => "cancel_tender",
            ProcurementCall::AskQuestion { .. } => "ask_question",
            ProcurementCall::AnswerQuestion { .. } => "answer_question",
            ProcurementCall::SubmitBid { .. } => "submit_bid",
            ProcurementCall::WithdrawBid { .. } => "withdraw_bid",
            ProcurementCall::PublishShares { .. } => "publish_shares",
            ProcurementCall::ScoreBid { .. } => "score_bid",
            ProcurementCall::AwardLot { .. } => "award_lot",
            ProcurementCall::FileComplaint { .. } => "file_complaint",
            ProcurementCall::DecideComplaint { .. } => "decide_complaint",
            ProcurementCall::SignContract { .. } => "sign_contract",
            ProcurementCall::CountersignContract { .. } => "countersign_contract",
            ProcurementCall::AmendContract { .. } => "amend_contract",
            ProcurementCall::AcceptDelivery { .. } => "accept_delivery",
            ProcurementCall::RecordPayment { .. } => "record_payment",
        }
    }
}

/// The context every proof and sealed box of a sealing key is bound to: the chain and the key's number.
pub fn key_context(chain_id: &publica_types::ChainId, key: u64) -> Vec<u8> {
    let mut out = b"publica/procurement/sealing-key/v1".to_vec();
    out.push(0);
    out.extend_from_slice(chain_id.as_str().as_bytes());
    out.push(0);
    out.extend_from_slice(&key.to_be_bytes());
    out
}

/// The associated data a bid is sealed with: the tender and the company, so a sealed bid cannot be moved to another
/// tender or submitted in another company's name and still open.
pub fn bid_aad(tender: u64, company: &RecordId) -> Vec<u8> {
    let mut out = b"publica/procurement/bid/v1".to_vec();
    out.push(0);
    out.extend_from_slice(&tender.to_be_bytes());
    out.extend_from_slice(company.as_str().as_bytes());
    out
}
