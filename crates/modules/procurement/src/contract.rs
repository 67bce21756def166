//! Contracts: signed by the entity after the standstill and countersigned by the supplier, never above the award
//! without a recorded amendment, never above what its finance commitments to the supplier cover (when the tender
//! names an allocation); milestones delivered and paid by the finance module's payments against those commitments.

use publica_finance::call::Holder;
use publica_finance::schema::{Commitment, Payee, Payment};
use publica_types::{CallContext, Hash, RecordId, StateRead, StateWrite, TxError};

use crate::award::current_award;
use crate::call::{MilestoneSpec, MAX_MILESTONES, MAX_TEXT_BYTES, MAX_TITLE_BYTES};
use crate::check_text;
use crate::error::{self, refuse};
use crate::schema::{self, Contract, ContractAmendment, ContractStatus, PaymentLink, Tender};
use crate::tender::{not_cancelled, read as read_tender, require_entity};

/// Read a contract.
pub fn read(state: &dyn StateRead, id: u64) -> Result<Contract, TxError> {
    schema::get(state, &schema::contract_key(id))
        .ok_or_else(|| refuse(error::CONTRACT_NOT_FOUND, format!("no contract {id}")))
}

fn check_milestones(value: u64, milestones: &[MilestoneSpec]) -> Result<(), TxError> {
    if value == 0 {
        return Err(refuse(error::CONTRACT_INVALID, "a contract's value is above zero"));
    }
    if milestones.is_empty() || milestones.len() > MAX_MILESTONES {
        return Err(refuse(error::CONTRACT_INVALID, format!("a contract has 1 to {MAX_MILESTONES} milestones")));
    }
    let mut sum: u64 = 0;
    for (i, m) in milestones.iter().enumerate() {
        check_text(&format!("title of milestone {i}"), &m.title, MAX_TITLE_BYTES)?;
        if m.amount == 0 {
            return Err(refuse(error::CONTRACT_INVALID, format!("milestone {i} pays nothing")));
        }
        sum = sum
            .checked_add(m.amount)
            .ok_or_else(|| refuse(error::CONTRACT_INVALID, "the milestones' amounts overflow"))?;
    }
    if sum != value {
        return Err(refuse(
            error::CONTRACT_INVALID,
            format!("the milestones add up to {sum}, not the contract's value of {value}"),
        ));
    }
    Ok(())
}

/// A contract's terms as signed or amended.
pub struct Terms<'a> {
    /// SHA-256 of the contract document.
    pub document: &'a Hash,
    /// The value.
    pub value: u64,
    /// The milestones.
    pub milestones: &'a [MilestoneSpec],
    /// A finance commitment that funds it.
    pub commitment: Option<u64>,
}

/// Check a finance commitment for a contract: against the tender's allocation, to the supplier, funding no other
/// contract; return its amount.
fn check_commitment(state: &dyn StateRead, tender: &Tender, supplier: &RecordId, id: u64) -> Result<u64, TxError> {
    let Some(allocation) = tender.spec.allocation else {
        return Err(refuse(
            error::CONTRACT_INVALID,
            format!("tender {} names no allocation: its contracts name no commitment", tender.id),
        ));
    };
    let commitment: Commitment = publica_finance::schema::get(state, &publica_finance::schema::commitment_key(id))
        .ok_or_else(|| refuse(error::CONTRACT_INVALID, format!("the finance module has no commitment {id}")))?;
    if commitment.allocation != allocation {
        return Err(refuse(
            error::CONTRACT_INVALID,
            format!("commitment {id} draws on allocation {}, not the tender's {allocation}", commitment.allocation),
        ));
    }
    if commitment.payee != Some(Holder::Company(supplier.as_str().to_string())) {
        return Err(refuse(error::CONTRACT_INVALID, format!("commitment {id} is not to the supplier {supplier}")));
    }
    if state.get(&schema::commitment_link_key(id)).is_some() {
        return Err(refuse(error::CONTRACT_INVALID, format!("commitment {id} funds another contract already")));
    }
    Ok(commitment.amount)
}

/// The sum of the contract's commitments' amounts.
fn funded(state: &dyn StateRead, commitments: &[u64]) -> u64 {
    commitments
        .iter()
        .filter_map(|&id| {
            publica_finance::schema::get::<Commitment>(state, &publica_finance::schema::commitment_key(id))
        })
        .map(|c| c.amount)
        .fold(0u64, u64::saturating_add)
}

/// Check that a tender with an allocation has its contract's value covered by the contract's commitments.
fn check_funding(state: &dyn StateRead, tender: &Tender, commitments: &[u64], value: u64) -> Result<(), TxError> {
    if tender.spec.allocation.is_none() {
        return Ok(());
    }
    let covered = funded(state, commitments);
    if value > covered {
        return Err(refuse(
            error::CONTRACT_ABOVE_AWARD,
            format!(
                "the contract's value {value} is above what its finance commitments cover ({covered}): commit funds \
                 to the supplier and name the commitment"
            ),
        ));
    }
    Ok(())
}

/// The entity signs a lot's contract.
pub fn sign(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    tender_id: u64,
    lot: u16,
    terms: Terms<'_>,
) -> Result<u64, TxError> {
    let mut tender = read_tender(state, tender_id)?;
    require_entity(state, ctx, &tender)?;
    not_cancelled(&tender)?;
    let i = usize::from(lot);
    if i >= tender.lots.len() {
        return Err(refuse(error::LOT_NOT_FOUND, format!("tender {tender_id} has no lot {lot}")));
    }
    if tender.lots[i].contract.is_some() {
        return Err(refuse(error::CONTRACT_INVALID, format!("lot {lot} has its contract already")));
    }
    let award = current_award(state, &tender, lot)
        .ok_or_else(|| refuse(error::CONTRACT_INVALID, format!("lot {lot} has no standing award")))?;
    if ctx.time_ms < award.standstill_until_ms {
        return Err(refuse(
            error::CONTRACT_INVALID,
            format!("lot {lot}'s standstill period runs until {} ms: sign after it", award.standstill_until_ms),
        ));
    }
    if tender.lots[i].pending_complaints > 0 {
        return Err(refuse(error::CONTRACT_INVALID, format!("a complaint about lot {lot} awaits its decision")));
    }
    check_milestones(terms.value, terms.milestones)?;
    if terms.value > award.price {
        return Err(refuse(
            error::CONTRACT_ABOVE_AWARD,
            format!("the contract's value {} is above the awarded price {}", terms.value, award.price),
        ));
    }
    let mut commitments = Vec::new();
    if let Some(id) = terms.commitment {
        check_commitment(state, &tender, &award.company, id)?;
        commitments.push(id);
    }
    check_funding(state, &tender, &commitments, terms.value)?;
    let id = schema::take_next(state, "c");
    let contract = Contract {
        id,
        tender: tender_id,
        lot,
        round: award.round,
        supplier: award.company.clone(),
        entity: tender.entity.clone(),
        document: *terms.document,
        value: terms.value,
        awarded_price: award.price,
        milestones: schema::milestones(terms.milestones),
        status: ContractStatus::AwaitingSupplier,
        signed_by: ctx.sender,
        signed_ms: ctx.time_ms,
        countersigned: None,
        in_force_ms: None,
        amendments: 0,
        commitments,
    };
    for &commitment in &contract.commitments {
        schema::put(state, schema::commitment_link_key(commitment), &id)?;
    }
    tender.lots[i].contract = Some(id);
    schema::put(state, schema::contract_key(id), &contract)?;
    schema::put(state, schema::tender_key(tender_id), &tender)?;
    Ok(id)
}

/// The supplier countersigns the contract's current version.
pub fn countersign(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, document: &Hash) -> Result<(), TxError> {
    let mut contract = read(state, id)?;
    crate::bids::require_officer(state, &ctx.sender, &contract.supplier)
        .map_err(|e| refuse(error::COUNTERSIGN_INVALID, e.message))?;
    if contract.status != ContractStatus::AwaitingSupplier {
        return Err(refuse(error::COUNTERSIGN_INVALID, format!("contract {id} awaits no countersignature")));
    }
    if &contract.document != document {
        return Err(refuse(
            error::COUNTERSIGN_INVALID,
            format!("contract {id}'s current document is another: countersign the document the entity signed"),
        ));
    }
    contract.status = ContractStatus::Active;
    contract.countersigned = Some((ctx.sender, ctx.time_ms));
    contract.in_force_ms.get_or_insert(ctx.time_ms);
    schema::put(state, schema::contract_key(id), &contract)
}

/// Read a contract and check that the sender is an official of its entity.
fn as_entity(state: &dyn StateRead, ctx: &CallContext, id: u64) -> Result<(Contract, Tender), TxError> {
    let contract = read(state, id)?;
    let tender = read_tender(state, contract.tender)?;
    require_entity(state, ctx, &tender)?;
    Ok((contract, tender))
}

/// The entity amends a contract; the supplier countersigns the amendment.
pub fn amend(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    terms: Terms<'_>,
    reason: &str,
) -> Result<(), TxError> {
    let (mut contract, tender) = as_entity(state, ctx, id)?;
    if contract.status != ContractStatus::Active {
        return Err(refuse(error::CONTRACT_INVALID, format!("contract {id} awaits the supplier's countersignature")));
    }
    check_text("reason", reason, MAX_TEXT_BYTES)?;
    check_milestones(terms.value, terms.milestones)?;
    if terms.milestones.len() < contract.milestones.len() {
        let dropped = &contract.milestones[terms.milestones.len()..];
        if dropped.iter().any(|m| m.delivered.is_some() || m.paid > 0) {
            return Err(refuse(error::MILESTONE_INVALID, "a delivered or paid milestone cannot be removed"));
        }
    }
    for (i, (old, new)) in contract.milestones.iter().zip(terms.milestones).enumerate() {
        let touched = old.delivered.is_some() || old.paid > 0;
        if touched && (old.spec.title != new.title || old.spec.amount != new.amount) {
            return Err(refuse(
                error::MILESTONE_INVALID,
                format!("milestone {i} is delivered or paid: it keeps its title and amount"),
            ));
        }
    }
    if let Some(commitment) = terms.commitment {
        check_commitment(state, &tender, &contract.supplier, commitment)?;
        contract.commitments.push(commitment);
        schema::put(state, schema::commitment_link_key(commitment), &id)?;
    }
    check_funding(state, &tender, &contract.commitments, terms.value)?;
    contract.amendments += 1;
    let record = ContractAmendment {
        number: contract.amendments,
        old_value: contract.value,
        new_value: terms.value,
        old_document: contract.document,
        new_document: *terms.document,
        reason: reason.to_string(),
        by: ctx.sender,
        time_ms: ctx.time_ms,
    };
    let mut updated = schema::milestones(terms.milestones);
    for (new, old) in updated.iter_mut().zip(&contract.milestones) {
        new.delivered = old.delivered.clone();
        new.paid = old.paid;
        new.payments = old.payments.clone();
    }
    contract.milestones = updated;
    contract.value = terms.value;
    contract.document = *terms.document;
    contract.status = ContractStatus::AwaitingSupplier;
    contract.countersigned = None;
    schema::put(state, schema::contract_amendment_key(id, record.number), &record)?;
    schema::put(state, schema::contract_key(id), &contract)
}

fn milestone_index(contract: &Contract, milestone: u16) -> Result<usize, TxError> {
    let i = usize::from(milestone);
    if i >= contract.milestones.len() {
        return Err(refuse(error::MILESTONE_INVALID, format!("contract {} has no milestone {milestone}", contract.id)));
    }
    Ok(i)
}

/// The entity accepts a milestone's delivery.
pub fn accept_delivery(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    milestone: u16,
    note: &str,
) -> Result<(), TxError> {
    let (mut contract, _) = as_entity(state, ctx, id)?;
    if contract.status != ContractStatus::Active {
        return Err(refuse(error::CONTRACT_INVALID, format!("contract {id} is not in force")));
    }
    let i = milestone_index(&contract, milestone)?;
    check_text("note", note, MAX_TEXT_BYTES)?;
    if contract.milestones[i].delivered.is_some() {
        return Err(refuse(error::MILESTONE_INVALID, format!("milestone {milestone}'s delivery is accepted already")));
    }
    contract.milestones[i].delivered = Some((ctx.time_ms, note.to_string()));
    schema::put(state, schema::contract_key(id), &contract)
}

/// The entity links a finance payment to a delivered milestone.
pub fn record_payment(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    milestone: u16,
    payment_id: u64,
) -> Result<(), TxError> {
    let (mut contract, _) = as_entity(state, ctx, id)?;
    let i = milestone_index(&contract, milestone)?;
    if contract.milestones[i].delivered.is_none() {
        return Err(refuse(
            error::MILESTONE_INVALID,
            format!("milestone {milestone} is not delivered: accept it first"),
        ));
    }
    let link_key = schema::payment_link_key(payment_id);
    if state.get(&link_key).is_some() {
        return Err(refuse(error::PAYMENT_INVALID, format!("payment {payment_id} is linked already")));
    }
    let payment: Payment = publica_finance::schema::get(state, &publica_finance::schema::payment_key(payment_id))
        .ok_or_else(|| refuse(error::PAYMENT_INVALID, format!("the finance module has no payment {payment_id}")))?;
    if !contract.commitments.contains(&payment.commitment) {
        return Err(refuse(
            error::PAYMENT_INVALID,
            format!(
                "payment {payment_id} is against commitment {}, which does not fund contract {id}",
                payment.commitment
            ),
        ));
    }
    let supplier = Payee::Public(Holder::Company(contract.supplier.as_str().to_string()));
    if payment.payee != supplier {
        return Err(refuse(
            error::PAYMENT_INVALID,
            format!("payment {payment_id} was not paid to {}", contract.supplier),
        ));
    }
    let m = &mut contract.milestones[i];
    let paid = m.paid.checked_add(payment.amount).filter(|&p| p <= m.spec.amount).ok_or_else(|| {
        refuse(
            error::PAYMENT_INVALID,
            format!("milestone {milestone} would be paid more than its amount of {}", m.spec.amount),
        )
    })?;
    m.paid = paid;
    m.payments.push(payment_id);
    schema::put(state, link_key, &PaymentLink { contract: id, milestone, tx_id: ctx.tx_id })?;
    schema::put(state, schema::contract_key(id), &contract)
}
