//! Contracts: signed after the standstill with no complaint pending, never above the award without an amendment,
//! funded by finance commitments to the supplier, countersigned by the supplier, milestones delivered and paid by
//! the finance module's payments.

use super::*;
use publica_procurement::error as codes;
use publica_procurement::schema::{Contract, ContractStatus};

const DOCUMENT: [u8; 32] = [0xc0; 32];
const AMENDED: [u8; 32] = [0xc1; 32];

fn milestones(amounts: &[u64]) -> Vec<MilestoneSpec> {
    amounts
        .iter()
        .enumerate()
        .map(|(i, &amount)| MilestoneSpec { title: format!("Stage {}", i + 1), amount, due_ms: START_MS + 90 * DAY })
        .collect()
}

impl World {
    /// The scored tender, awarded to Asphalt at 900,000, past its standstill.
    fn awarded(&mut self) -> u64 {
        let tender = self.scored_tender();
        self.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None });
        tender
    }

    /// A finance commitment of `amount` against the roads allocation to `payee`.
    fn commit(&mut self, amount: u64, payee: &str) -> u64 {
        let call = FinanceCall::CommitFunds {
            allocation: self.allocation,
            amount,
            payee: Some(Holder::Company(payee.into())),
            reference: "PO 2026-17".into(),
        };
        match self.finance(SPENDER, call) {
            TxOutcome::Commitment { id } => id,
            other => panic!("a commitment: {other:?}"),
        }
    }

    fn contract(&self, id: u64) -> Contract {
        schema::get(&self.state, &schema::contract_key(id)).expect("the contract exists")
    }
}

fn sign(tender: u64, value: u64, amounts: &[u64], commitment: Option<u64>) -> ProcurementCall {
    ProcurementCall::SignContract {
        tender,
        lot: 0,
        document: DOCUMENT,
        value,
        milestones: milestones(amounts),
        commitment,
    }
}

#[test]
fn a_contract_is_signed_after_the_standstill_by_both_parties_and_paid_by_milestone() {
    let mut w = World::new();
    let tender = w.awarded();
    let funds = w.commit(900_000, ASPHALT);
    // In the standstill.
    w.err(BUYER, sign(tender, 900_000, &[400_000, 500_000], Some(funds)), codes::CONTRACT_INVALID);
    let until = publica_procurement::award::current_award(&w.state, &w.tender(tender), 0).unwrap().standstill_until_ms;
    w.at(until);
    // Bad terms.
    w.err(PARKS_BUYER, sign(tender, 900_000, &[900_000], Some(funds)), codes::NOT_THE_ENTITY);
    w.err(BUYER, sign(tender, 900_001, &[900_001], Some(funds)), codes::CONTRACT_ABOVE_AWARD);
    w.err(BUYER, sign(tender, 900_000, &[400_000, 400_000], Some(funds)), codes::CONTRACT_INVALID);
    w.err(BUYER, sign(tender, 900_000, &[900_000, 0], Some(funds)), codes::CONTRACT_INVALID);
    w.err(BUYER, sign(tender, 0, &[], Some(funds)), codes::CONTRACT_INVALID);
    // Unfunded, or funded by a commitment to someone else or too small.
    w.err(BUYER, sign(tender, 900_000, &[900_000], None), codes::CONTRACT_ABOVE_AWARD);
    let elsewhere = w.commit(900_000, BITUMEN);
    w.err(BUYER, sign(tender, 900_000, &[900_000], Some(elsewhere)), codes::CONTRACT_INVALID);
    let small = w.commit(100_000, ASPHALT);
    w.err(BUYER, sign(tender, 900_000, &[900_000], Some(small)), codes::CONTRACT_ABOVE_AWARD);
    w.err(BUYER, sign(tender, 900_000, &[900_000], Some(999)), codes::CONTRACT_INVALID);

    let outcome = w.ok(BUYER, sign(tender, 900_000, &[400_000, 500_000], Some(funds)));
    let TxOutcome::Contract { id } = outcome else { panic!("a contract: {outcome:?}") };
    assert_eq!(w.contract(id).status, ContractStatus::AwaitingSupplier);
    w.err(BUYER, sign(tender, 900_000, &[900_000], Some(small)), codes::CONTRACT_INVALID);
    // Cancelling a tender with a contract is refused.
    let call = ProcurementCall::CancelTender { tender, reason: "Too late".into() };
    w.err(BUYER, call, codes::CONTRACT_INVALID);

    // Deliveries wait for the countersignature, which only the supplier's director gives, on the same document.
    let deliver =
        |m: u16| ProcurementCall::AcceptDelivery { contract: id, milestone: m, note: "Laid and inspected".into() };
    w.err(BUYER, deliver(0), codes::CONTRACT_INVALID);
    let countersign = |document: [u8; 32]| ProcurementCall::CountersignContract { contract: id, document };
    w.err(BERT, countersign(DOCUMENT), codes::COUNTERSIGN_INVALID);
    w.err(DORA, countersign(DOCUMENT), codes::COUNTERSIGN_INVALID);
    w.err(ANNA, countersign(AMENDED), codes::COUNTERSIGN_INVALID);
    w.ok(ANNA, countersign(DOCUMENT));
    w.err(ANNA, countersign(DOCUMENT), codes::COUNTERSIGN_INVALID);
    assert_eq!(w.contract(id).status, ContractStatus::Active);

    // A payment before delivery cannot be linked; after it, one against the contract's commitment to the supplier.
    let pay = |w: &mut World, amount: u64, commitment: u64| {
        let call =
            FinanceCall::Pay { commitment, to: Holder::Company(ASPHALT.into()), amount, reference: "Invoice 1".into() };
        match w.finance(TREASURER, call) {
            TxOutcome::Payment { id } => id,
            other => panic!("a payment: {other:?}"),
        }
    };
    let first = pay(&mut w, 400_000, funds);
    let link = |payment: u64, m: u16| ProcurementCall::RecordPayment { contract: id, milestone: m, payment };
    w.err(BUYER, link(first, 0), codes::MILESTONE_INVALID);
    w.ok(BUYER, deliver(0));
    w.err(BUYER, deliver(0), codes::MILESTONE_INVALID);
    w.err(BUYER, deliver(5), codes::MILESTONE_INVALID);
    w.err(PARKS_BUYER, link(first, 0), codes::NOT_THE_ENTITY);
    w.err(BUYER, link(777, 0), codes::PAYMENT_INVALID);
    // A payment from another commitment (the small one to the same supplier, not the contract's).
    let other = pay(&mut w, 1_000, small);
    w.err(BUYER, link(other, 0), codes::PAYMENT_INVALID);
    w.ok(BUYER, link(first, 0));
    w.err(BUYER, link(first, 0), codes::PAYMENT_INVALID);
    // More than the milestone's amount.
    let extra = pay(&mut w, 1, funds);
    w.err(BUYER, link(extra, 0), codes::PAYMENT_INVALID);
    let c = w.contract(id);
    assert_eq!(c.milestones[0].paid, 400_000);
    assert_eq!(c.milestones[0].payments, vec![first]);
}

#[test]
fn a_contract_above_its_award_needs_a_recorded_amendment_and_the_funds_for_it() {
    let mut w = World::new();
    let tender = w.awarded();
    let funds = w.commit(900_000, ASPHALT);
    let until = publica_procurement::award::current_award(&w.state, &w.tender(tender), 0).unwrap().standstill_until_ms;
    w.at(until);
    let TxOutcome::Contract { id } = w.ok(BUYER, sign(tender, 900_000, &[400_000, 500_000], Some(funds))) else {
        panic!("a contract")
    };
    w.ok(ANNA, ProcurementCall::CountersignContract { contract: id, document: DOCUMENT });
    w.ok(BUYER, ProcurementCall::AcceptDelivery { contract: id, milestone: 0, note: "Stage 1".into() });
    let amend = |value: u64, amounts: &[u64], commitment: Option<u64>| ProcurementCall::AmendContract {
        contract: id,
        document: AMENDED,
        value,
        milestones: milestones(amounts),
        reason: "Drainage under the whole road, found rotten".into(),
        commitment,
    };
    // Above the funds.
    w.err(BUYER, amend(1_100_000, &[400_000, 700_000], None), codes::CONTRACT_ABOVE_AWARD);
    // A delivered milestone keeps its amount.
    let more = w.commit(200_000, ASPHALT);
    w.err(BUYER, amend(1_100_000, &[500_000, 600_000], Some(more)), codes::MILESTONE_INVALID);
    w.err(BUYER, amend(1_100_000, &[1_100_000], Some(more)), codes::MILESTONE_INVALID);
    w.ok(BUYER, amend(1_100_000, &[400_000, 700_000], Some(more)));
    let c = w.contract(id);
    assert_eq!((c.value, c.amendments, c.status), (1_100_000, 1, ContractStatus::AwaitingSupplier));
    assert_eq!(c.commitments, vec![funds, more]);
    assert!(c.milestones[0].delivered.is_some(), "the delivery stands");
    // The supplier countersigns the amended document; until then no further amendment.
    w.err(BUYER, amend(1_100_000, &[400_000, 700_000], None), codes::CONTRACT_INVALID);
    w.err(ANNA, ProcurementCall::CountersignContract { contract: id, document: DOCUMENT }, codes::COUNTERSIGN_INVALID);
    w.ok(ANNA, ProcurementCall::CountersignContract { contract: id, document: AMENDED });
    let (amendments, _) = publica_procurement::query::contract_amendments(&w.state, &w.contract(id));
    assert_eq!((amendments[0].old_value, amendments[0].new_value), (900_000, 1_100_000));
    // A commitment funds one contract.
    let amend_again = amend(1_100_000, &[400_000, 700_000], Some(more));
    w.err(BUYER, amend_again, codes::CONTRACT_INVALID);
}

#[test]
fn no_contract_while_a_complaint_is_pending_or_without_a_standing_award() {
    let mut w = World::new();
    let tender = w.awarded();
    let funds = w.commit(900_000, ASPHALT);
    let complaint = ProcurementCall::FileComplaint {
        tender,
        lot: 0,
        company: company(BITUMEN),
        text: "The award ignores our lower price.".into(),
    };
    w.ok(BERT, complaint);
    let until = publica_procurement::award::current_award(&w.state, &w.tender(tender), 0).unwrap().standstill_until_ms;
    w.at(until);
    w.err(BUYER, sign(tender, 900_000, &[900_000], Some(funds)), codes::CONTRACT_INVALID);
    let decide = ProcurementCall::DecideComplaint {
        tender,
        complaint: 1,
        upheld: true,
        cancel_award: true,
        reasoning: "The price score was computed on an old bid.".into(),
    };
    w.ok(REVIEWER, decide);
    w.err(BUYER, sign(tender, 900_000, &[900_000], Some(funds)), codes::CONTRACT_INVALID);
}
