//! Execution of the procurement module's calls: dispatch to [`crate::keys`], [`crate::tender`], [`crate::bids`],
//! [`crate::award`] and [`crate::contract`]. Each call checks the sender's authority first, then its arguments, then
//! does any expensive work (proofs); a refusal's writes are discarded by execution, so a refused call changes nothing.

use publica_types::{CallContext, StateWrite, TxError, TxOutcome};

use crate::call::ProcurementCall;
use crate::{award, bids, contract, keys, tender};

/// Execute a procurement call.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &ProcurementCall) -> Result<TxOutcome, TxError> {
    match call {
        ProcurementCall::CreateSealingKey {
            name,
            holders,
            threshold,
            register_by_ms,
            deal_by_ms,
            complaints_by_ms,
        } => {
            let new = keys::NewCeremony {
                name,
                holders,
                threshold: *threshold,
                register_by_ms: *register_by_ms,
                deal_by_ms: *deal_by_ms,
                complaints_by_ms: *complaints_by_ms,
            };
            let id = keys::create(state, ctx, new)?;
            return Ok(TxOutcome::SealingKey { id });
        }
        ProcurementCall::RegisterHolderKey { key, encryption_key, proof } => {
            keys::register(state, ctx, *key, encryption_key, proof)?
        }
        ProcurementCall::DealShares { key, deal } => keys::deal(state, ctx, *key, deal)?,
        ProcurementCall::ComplainAboutDeal { key, dealer, complaint } => {
            keys::complain(state, ctx, *key, *dealer, complaint)?
        }
        ProcurementCall::FinishSealingKey { key } => keys::finish(state, ctx, *key)?,
        ProcurementCall::PublishTender { tender: spec } => {
            let id = tender::publish(state, ctx, spec)?;
            return Ok(TxOutcome::Tender { id });
        }
        ProcurementCall::AmendTender { tender: id, changes, rationale } => {
            tender::amend(state, ctx, *id, changes, rationale)?
        }
        ProcurementCall::CancelTender { tender: id, reason } => tender::cancel(state, ctx, *id, reason)?,
        ProcurementCall::AskQuestion { tender: id, text } => {
            let number = tender::ask(state, ctx, *id, text)?;
            return Ok(TxOutcome::Question { number });
        }
        ProcurementCall::AnswerQuestion { tender: id, question, text } => {
            tender::answer(state, ctx, *id, *question, text)?
        }
        ProcurementCall::SubmitBid { tender: id, company, sealed } => {
            let number = bids::submit(state, ctx, *id, company, sealed)?;
            return Ok(TxOutcome::Bid { number });
        }
        ProcurementCall::WithdrawBid { tender: id, company } => bids::withdraw(state, ctx, *id, company)?,
        ProcurementCall::PublishShares { tender: id, shares } => {
            bids::publish_shares(state, ctx, *id, shares)?;
        }
        ProcurementCall::ScoreBid { tender: id, lot, bid, scores } => {
            award::score(state, ctx, *id, *lot, *bid, scores)?
        }
        ProcurementCall::AwardLot { tender: id, lot, bid, reason } => {
            award::award(state, ctx, *id, *lot, *bid, reason.as_deref())?
        }
        ProcurementCall::FileComplaint { tender: id, lot, company, text } => {
            let number = award::file_complaint(state, ctx, *id, *lot, company, text)?;
            return Ok(TxOutcome::Complaint { number });
        }
        ProcurementCall::DecideComplaint { tender: id, complaint, upheld, cancel_award, reasoning } => {
            award::decide(state, ctx, *id, *complaint, *upheld, *cancel_award, reasoning)?
        }
        ProcurementCall::SignContract { tender: id, lot, document, value, milestones, commitment } => {
            let terms = contract::Terms { document, value: *value, milestones, commitment: *commitment };
            let id = contract::sign(state, ctx, *id, *lot, terms)?;
            return Ok(TxOutcome::Contract { id });
        }
        ProcurementCall::CountersignContract { contract: id, document } => {
            contract::countersign(state, ctx, *id, document)?
        }
        ProcurementCall::AmendContract { contract: id, document, value, milestones, reason, commitment } => {
            let terms = contract::Terms { document, value: *value, milestones, commitment: *commitment };
            contract::amend(state, ctx, *id, terms, reason)?
        }
        ProcurementCall::AcceptDelivery { contract: id, milestone, note } => {
            contract::accept_delivery(state, ctx, *id, *milestone, note)?
        }
        ProcurementCall::RecordPayment { contract: id, milestone, payment } => {
            contract::record_payment(state, ctx, *id, *milestone, *payment)?
        }
    }
    Ok(TxOutcome::None)
}
