//! Reads of the procurement module over `&dyn StateRead`. Each read returns the keys that prove it with the value:
//! the API proves them all under one certified header, so a journalist's copy of a tender, its bids or its award is
//! as good as the ledger's.

use publica_types::StateRead;

use crate::schema::*;

/// Keys to prove a read with.
pub type Keys = Vec<Vec<u8>>;

/// A sealing key, with its key.
pub fn sealing_key(state: &dyn StateRead, id: u64) -> (Option<SealingKey>, Keys) {
    let key = sealing_key_key(id);
    (get(state, &key), vec![key])
}

/// The number of sealing keys so far.
pub fn sealing_key_count(state: &dyn StateRead) -> u64 {
    get::<u64>(state, &next_key("k")).map_or(0, |next| next - 1)
}

/// The number of tenders so far.
pub fn tender_count(state: &dyn StateRead) -> u64 {
    get::<u64>(state, &next_key("t")).map_or(0, |next| next - 1)
}

/// The number of contracts so far.
pub fn contract_count(state: &dyn StateRead) -> u64 {
    get::<u64>(state, &next_key("c")).map_or(0, |next| next - 1)
}

/// A tender, with its key.
pub fn tender(state: &dyn StateRead, id: u64) -> (Option<Tender>, Keys) {
    let key = tender_key(id);
    (get(state, &key), vec![key])
}

/// A tender's amendments, from 1.
pub fn amendments(state: &dyn StateRead, tender: &Tender) -> (Vec<Amendment>, Keys) {
    collect(state, (1..=tender.amendments).map(|n| amendment_key(tender.id, n)))
}

/// A tender's questions `from` (from 1) onwards, at most `limit`.
pub fn questions(state: &dyn StateRead, tender: &Tender, from: u32, limit: usize) -> (Vec<Question>, Keys) {
    collect(state, (from.max(1)..=tender.questions).take(limit).map(|n| question_key(tender.id, n)))
}

/// A tender's bids `from` (from 1) onwards, at most `limit`: sealed boxes, and what they said once opened.
pub fn bids(state: &dyn StateRead, tender: &Tender, from: u32, limit: usize) -> (Vec<Bid>, Keys) {
    collect(state, (from.max(1)..=tender.bids).take(limit).map(|n| bid_key(tender.id, n)))
}

/// A bid's current sealed box, with its key.
pub fn sealed_box(
    state: &dyn StateRead,
    tender: u64,
    number: u32,
) -> (Option<publica_crypto::threshold::SealedBox>, Keys) {
    let key = sealed_box_key(tender, number);
    (get(state, &key), vec![key])
}

/// One bid, with its key.
pub fn bid(state: &dyn StateRead, tender: u64, number: u32) -> (Option<Bid>, Keys) {
    let key = bid_key(tender, number);
    (get(state, &key), vec![key])
}

/// A lot's awards, every round from 1 (a cancelled one names the complaint that cancelled it).
pub fn awards(state: &dyn StateRead, tender: &Tender, lot: u16) -> (Vec<Award>, Keys) {
    let rounds = tender.lots.get(usize::from(lot)).map_or(0, |l| l.round);
    collect(state, (1..=rounds).map(|round| award_key(tender.id, lot, round)))
}

/// A tender's complaints, from 1.
pub fn complaints(state: &dyn StateRead, tender: &Tender) -> (Vec<ComplaintRecord>, Keys) {
    collect(state, (1..=tender.complaints).map(|n| complaint_key(tender.id, n)))
}

/// A contract, with its key.
pub fn contract(state: &dyn StateRead, id: u64) -> (Option<Contract>, Keys) {
    let key = contract_key(id);
    (get(state, &key), vec![key])
}

/// A contract's amendments, from 1.
pub fn contract_amendments(state: &dyn StateRead, contract: &Contract) -> (Vec<ContractAmendment>, Keys) {
    collect(state, (1..=contract.amendments).map(|n| contract_amendment_key(contract.id, n)))
}

/// A lot's ranking as it stands now (before an award, it shows the committee's progress); `Err` names what is
/// missing.
pub fn ranking(state: &dyn StateRead, tender: &Tender, lot: u16) -> Result<Vec<Ranked>, String> {
    crate::award::ranking(state, tender, lot)
}

fn collect<T: borsh::BorshDeserialize + borsh::BorshSerialize>(
    state: &dyn StateRead,
    keys: impl Iterator<Item = Vec<u8>>,
) -> (Vec<T>, Keys) {
    let mut values = Vec::new();
    let mut proven = Vec::new();
    for key in keys {
        if let Some(value) = get(state, &key) {
            values.push(value);
        }
        proven.push(key);
    }
    (values, proven)
}

/// Where a tender stands at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStatus {
    /// Questions may be asked, bids submitted.
    Clarification,
    /// Questions are closed; bids are submitted until the deadline.
    Tendering,
    /// The deadline passed; the opening time has not come.
    AwaitingOpening,
    /// Key holders are publishing decryption shares: some bids are still sealed.
    Opening,
    /// Every bid is open; the committee scores and the entity awards.
    Evaluation,
    /// Every lot is awarded (or has its contract), some without a contract yet.
    Awarded,
    /// Every lot has its contract.
    Contracted,
    /// The entity cancelled it.
    Cancelled,
}

/// Where `tender` stands at `now_ms`.
pub fn status(tender: &Tender, now_ms: u64) -> TenderStatus {
    let t = &tender.spec.timeline;
    if tender.cancelled.is_some() {
        TenderStatus::Cancelled
    } else if now_ms <= t.clarifications_until_ms {
        TenderStatus::Clarification
    } else if now_ms < t.bid_deadline_ms {
        TenderStatus::Tendering
    } else if now_ms < t.opening_ms {
        TenderStatus::AwaitingOpening
    } else if !tender.all_open() {
        TenderStatus::Opening
    } else if tender.lots.iter().all(|l| l.contract.is_some()) {
        TenderStatus::Contracted
    } else if tender.lots.iter().all(|l| l.awarded || l.contract.is_some()) {
        TenderStatus::Awarded
    } else {
        TenderStatus::Evaluation
    }
}
