//! Budgets: the law the parliament enacts (lines with their classifications and appropriations), its amendments,
//! allocations of a line to agencies, commitments against an allocation and payments against a commitment. None
//! may exceed what it draws on; each keeps its line's totals and the line's totals by month, so that a line's
//! execution is one read with its proof.

use std::collections::BTreeSet;

use publica_accounts::{require_role, AccountRecord};
use publica_types::{AgencyId, CallContext, StateRead, StateWrite, TxError};

use crate::call::{
    BudgetLineSpec, Holder, MAX_LINES, MAX_LINES_PER_CALL, MAX_LINE_CODE_BYTES, MAX_NAME_BYTES, MAX_REFERENCE_BYTES,
};
use crate::error::{self, refuse};
use crate::schema::*;
use crate::treasury::{self, check_amount};
use crate::{check_text, BUDGET_OFFICER_ROLE, PARLIAMENT_ROLE, SPENDING_OFFICER_ROLE, TREASURER_ROLE};

/// Earliest and latest fiscal years.
const YEARS: std::ops::RangeInclusive<u16> = 1970..=9999;

fn check_line(line: &BudgetLineSpec) -> Result<(), TxError> {
    let bad = |why: String| refuse(error::LINE_INVALID, format!("budget line {:?}: {why}", line.code));
    let ok_code = (1..=MAX_LINE_CODE_BYTES).contains(&line.code.len())
        && line.code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !ok_code {
        return Err(bad("its code must be 1 to 32 letters, digits, '.' or '-'".into()));
    }
    if !cofog_valid(&line.cofog) {
        return Err(bad(format!("COFOG {:?} is not a division, group or class (01 to 10, e.g. 09.1)", line.cofog)));
    }
    if !economic_valid(&line.economic) {
        return Err(bad(format!(
            "economic classification {:?} is not a GFS expense or asset class (2, 21, 211, 2111, 31…)",
            line.economic
        )));
    }
    if line.name.is_empty() || line.name.len() > MAX_NAME_BYTES {
        return Err(bad(format!("its name must be 1 to {MAX_NAME_BYTES} bytes")));
    }
    if line.appropriation == 0 {
        return Err(bad("its appropriation is zero".into()));
    }
    Ok(())
}

/// A COFOG code: a division `01`..`10`, a group `NN.N` or a class `NN.N.N` (digits 0..9).
fn cofog_valid(code: &str) -> bool {
    let mut parts = code.split('.');
    let division = parts.next().unwrap_or_default();
    let ok_division = division.len() == 2
        && division.bytes().all(|b| b.is_ascii_digit())
        && (1..=10).contains(&division.parse::<u8>().unwrap_or(0));
    let rest: Vec<&str> = parts.collect();
    ok_division && rest.len() <= 2 && rest.iter().all(|p| p.len() == 1 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// An economic classification code of the IMF GFS 2014: expense (`2`…) or non-financial assets (`31`…), 1 to 4
/// digits.
fn economic_valid(code: &str) -> bool {
    (1..=4).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
        && (code.starts_with('2') || code.starts_with("31") || code == "3")
}

fn check_lines(lines: &[BudgetLineSpec]) -> Result<(), TxError> {
    if lines.is_empty() || lines.len() > MAX_LINES_PER_CALL {
        return Err(refuse(error::LINE_INVALID, format!("give 1 to {MAX_LINES_PER_CALL} lines, not {}", lines.len())));
    }
    let mut codes = BTreeSet::new();
    for line in lines {
        check_line(line)?;
        if !codes.insert(line.code.as_str()) {
            return Err(refuse(error::LINE_INVALID, format!("budget line {:?} is given twice", line.code)));
        }
    }
    Ok(())
}

fn existing_budget(state: &dyn StateRead, year: u16) -> Result<BudgetRecord, TxError> {
    get(state, &budget_key(year))
        .ok_or_else(|| refuse(error::BUDGET_NOT_FOUND, format!("no budget was enacted for {year}")))
}

fn existing_line(state: &dyn StateRead, year: u16, code: &str) -> Result<LineRecord, TxError> {
    get(state, &line_key(year, code))
        .ok_or_else(|| refuse(error::LINE_NOT_FOUND, format!("the {year} budget has no line {code:?}")))
}

fn overflow() -> TxError {
    refuse(error::AMOUNT_OVERFLOW, "a total would overflow")
}

pub(crate) fn enact(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    year: u16,
    code: &str,
    treasury: &AgencyId,
    reference: &str,
    lines: &[BudgetLineSpec],
) -> Result<(), TxError> {
    require_role(state, &ctx.sender, PARLIAMENT_ROLE)?;
    if !YEARS.contains(&year) {
        return Err(refuse(error::LINE_INVALID, format!("fiscal year {year} is outside 1970 to 9999")));
    }
    treasury::existing_currency(state, code)?;
    if publica_accounts::agency(state, treasury).is_none() {
        return Err(refuse(error::HOLDER_INVALID, format!("no agency {treasury} to be the treasury")));
    }
    check_text("reference", reference, MAX_REFERENCE_BYTES)?;
    if state.get(&budget_key(year)).is_some() {
        return Err(refuse(error::BUDGET_EXISTS, format!("{year} has a budget: amend it instead")));
    }
    check_lines(lines)?;
    let mut appropriated = 0u64;
    for (n, line) in lines.iter().enumerate() {
        appropriated = appropriated.checked_add(line.appropriation).ok_or_else(overflow)?;
        put(state, line_key(year, &line.code), &new_line(year, line));
        put(state, line_index_key(year, n as u32), &line.code);
    }
    let budget = BudgetRecord {
        year,
        currency: code.to_owned(),
        treasury: treasury.clone(),
        reference: reference.to_owned(),
        amendments: 0,
        last_amendment: None,
        lines: lines.len() as u32,
        appropriated,
        enacted_at_height: ctx.height,
    };
    put(state, budget_key(year), &budget);
    Ok(())
}

fn new_line(year: u16, line: &BudgetLineSpec) -> LineRecord {
    LineRecord {
        year,
        code: line.code.clone(),
        cofog: line.cofog.clone(),
        economic: line.economic.clone(),
        name: line.name.clone(),
        appropriation: line.appropriation,
        allocated: 0,
        committed: 0,
        paid: 0,
    }
}

pub(crate) fn amend(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    year: u16,
    reference: &str,
    lines: &[BudgetLineSpec],
) -> Result<(), TxError> {
    require_role(state, &ctx.sender, PARLIAMENT_ROLE)?;
    let mut budget = existing_budget(state, year)?;
    check_text("reference", reference, MAX_REFERENCE_BYTES)?;
    check_lines(lines)?;
    for spec in lines {
        let key = line_key(year, &spec.code);
        let line = match get::<LineRecord>(state, &key) {
            Some(mut line) => {
                if line.cofog != spec.cofog || line.economic != spec.economic {
                    return Err(refuse(
                        error::LINE_INVALID,
                        format!(
                            "budget line {:?} keeps its classifications ({} / {})",
                            spec.code, line.cofog, line.economic
                        ),
                    ));
                }
                if spec.appropriation < line.allocated {
                    return Err(refuse(
                        error::APPROPRIATION_EXCEEDED,
                        format!(
                            "budget line {:?}: {} is allocated already, more than the {} proposed",
                            spec.code, line.allocated, spec.appropriation
                        ),
                    ));
                }
                budget.appropriated =
                    (budget.appropriated - line.appropriation).checked_add(spec.appropriation).ok_or_else(overflow)?;
                line.appropriation = spec.appropriation;
                line.name = spec.name.clone();
                line
            }
            None => {
                if budget.lines >= MAX_LINES {
                    return Err(refuse(error::LINE_INVALID, format!("a budget has at most {MAX_LINES} lines")));
                }
                put(state, line_index_key(year, budget.lines), &spec.code);
                budget.lines += 1;
                budget.appropriated = budget.appropriated.checked_add(spec.appropriation).ok_or_else(overflow)?;
                new_line(year, spec)
            }
        };
        put(state, key, &line);
    }
    budget.amendments += 1;
    budget.last_amendment = Some(reference.to_owned());
    put(state, budget_key(year), &budget);
    Ok(())
}

/// Add to a line's totals of the block's month.
fn add_month(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    year: u16,
    line: &str,
    change: impl FnOnce(&mut MonthTotals) -> Option<()>,
) -> Result<(), TxError> {
    let key = line_month_key(year, line, month_of(ctx.time_ms));
    let mut totals: MonthTotals = get(state, &key).unwrap_or_default();
    change(&mut totals).ok_or_else(overflow)?;
    put(state, key, &totals);
    Ok(())
}

pub(crate) fn allocate(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    year: u16,
    line_code: &str,
    agency: &AgencyId,
    amount: u64,
    reference: &str,
) -> Result<u64, TxError> {
    require_role(state, &ctx.sender, BUDGET_OFFICER_ROLE)?;
    existing_budget(state, year)?;
    let mut line = existing_line(state, year, line_code)?;
    if publica_accounts::agency(state, agency).is_none() {
        return Err(refuse(error::HOLDER_INVALID, format!("no agency {agency}")));
    }
    check_amount(amount)?;
    check_text("reference", reference, MAX_REFERENCE_BYTES)?;
    let allocated = line.allocated.checked_add(amount).ok_or_else(overflow)?;
    if allocated > line.appropriation {
        return Err(refuse(
            error::APPROPRIATION_EXCEEDED,
            format!(
                "line {line_code:?} has {} left of its {} appropriation, less than {amount}",
                line.appropriation - line.allocated,
                line.appropriation
            ),
        ));
    }
    line.allocated = allocated;
    put(state, line_key(year, line_code), &line);
    add_month(state, ctx, year, line_code, |m| {
        m.allocated = m.allocated.checked_add(amount)?;
        Some(())
    })?;
    let id = take_next(state, "al");
    let allocation = Allocation {
        id,
        year,
        line: line_code.to_owned(),
        agency: agency.clone(),
        amount,
        committed: 0,
        reference: reference.to_owned(),
        by: ctx.sender,
        height: ctx.height,
        time_ms: ctx.time_ms,
    };
    put(state, allocation_key(id), &allocation);
    Ok(id)
}

/// An allocation that exists.
pub(crate) fn existing_allocation(state: &dyn StateRead, id: u64) -> Result<Allocation, TxError> {
    get(state, &allocation_key(id)).ok_or_else(|| refuse(error::ALLOCATION_NOT_FOUND, format!("no allocation {id}")))
}

/// A commitment that exists.
pub(crate) fn existing_commitment(state: &dyn StateRead, id: u64) -> Result<Commitment, TxError> {
    get(state, &commitment_key(id)).ok_or_else(|| refuse(error::COMMITMENT_NOT_FOUND, format!("no commitment {id}")))
}

/// Check that `official` is of `agency`.
pub(crate) fn same_agency(official: &AccountRecord, agency: &AgencyId, what: &str) -> Result<(), TxError> {
    if official.agency() != Some(agency) {
        return Err(refuse(error::WRONG_AGENCY, format!("{what} belongs to {agency}: an official of it acts on it")));
    }
    Ok(())
}

pub(crate) fn commit(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    allocation_id: u64,
    amount: u64,
    payee: Option<&Holder>,
    reference: &str,
) -> Result<u64, TxError> {
    let official = require_role(state, &ctx.sender, SPENDING_OFFICER_ROLE)?;
    let mut allocation = existing_allocation(state, allocation_id)?;
    same_agency(&official, &allocation.agency, &format!("allocation {allocation_id}"))?;
    check_amount(amount)?;
    check_text("reference", reference, MAX_REFERENCE_BYTES)?;
    if let Some(payee) = payee {
        if matches!(payee, Holder::Citizen(_)) {
            return Err(refuse(
                error::HOLDER_INVALID,
                "a commitment does not name a citizen (it is public): pay people through a programme",
            ));
        }
        treasury::check_holder(state, payee)?;
    }
    let committed = allocation.committed.checked_add(amount).ok_or_else(overflow)?;
    if committed > allocation.amount {
        return Err(refuse(
            error::ALLOCATION_EXCEEDED,
            format!(
                "allocation {allocation_id} has {} left of {}, less than {amount}",
                allocation.amount - allocation.committed,
                allocation.amount
            ),
        ));
    }
    allocation.committed = committed;
    put(state, allocation_key(allocation_id), &allocation);
    let mut line = existing_line(state, allocation.year, &allocation.line)?;
    line.committed = line.committed.checked_add(amount).ok_or_else(overflow)?;
    put(state, line_key(allocation.year, &allocation.line), &line);
    add_month(state, ctx, allocation.year, &allocation.line, |m| {
        m.committed = m.committed.checked_add(amount)?;
        Some(())
    })?;
    let id = take_next(state, "cm");
    let commitment = Commitment {
        id,
        allocation: allocation_id,
        amount,
        paid: 0,
        payee: payee.cloned(),
        reference: reference.to_owned(),
        by: ctx.sender,
        height: ctx.height,
        time_ms: ctx.time_ms,
    };
    put(state, commitment_key(id), &commitment);
    Ok(id)
}

pub(crate) fn pay(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    commitment_id: u64,
    to: &Holder,
    amount: u64,
    reference: &str,
) -> Result<u64, TxError> {
    let official = require_role(state, &ctx.sender, TREASURER_ROLE)?;
    let commitment = existing_commitment(state, commitment_id)?;
    let allocation = existing_allocation(state, commitment.allocation)?;
    same_agency(&official, &allocation.agency, &format!("commitment {commitment_id}"))?;
    check_amount(amount)?;
    check_text("reference", reference, MAX_REFERENCE_BYTES)?;
    match &commitment.payee {
        Some(payee) if payee == to => {}
        Some(payee) => {
            return Err(refuse(error::PAYEE_MISMATCH, format!("commitment {commitment_id} pays {payee} only")))
        }
        None => {
            return Err(refuse(
                error::PAYEE_MISMATCH,
                format!("commitment {commitment_id} names no payee: it pays a programme's claims only"),
            ))
        }
    }
    let payee = Payee::Public(to.clone());
    pay_from_commitment(state, ctx, commitment, allocation, to, amount, reference, |_| payee)
}

/// Pay `amount` to `to` from the budget's treasury account against a commitment, keeping the commitment's, the
/// line's and the month's totals; returns the payment's number. `payee` says how the payment record shows the
/// payee, given the commitment to a private holder that the credit returned.
#[allow(clippy::too_many_arguments)]
pub(crate) fn pay_from_commitment(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    mut commitment: Commitment,
    allocation: Allocation,
    to: &Holder,
    amount: u64,
    reference: &str,
    payee: impl FnOnce(Option<publica_types::Hash>) -> Payee,
) -> Result<u64, TxError> {
    let paid = commitment.paid.checked_add(amount).ok_or_else(overflow)?;
    if paid > commitment.amount {
        return Err(refuse(
            error::COMMITMENT_EXCEEDED,
            format!(
                "commitment {} has {} left of {}, less than {amount}",
                commitment.id,
                commitment.amount - commitment.paid,
                commitment.amount
            ),
        ));
    }
    let budget = existing_budget(state, allocation.year)?;
    let mut currency = treasury::existing_currency(state, &budget.currency)?;
    let treasury_account = Holder::Agency(budget.treasury.clone());
    let movement = treasury::Movement { counterparty: Some(&treasury_account), reference };
    treasury::debit(state, ctx, &mut currency, &treasury_account, amount, &treasury::Movement::none())?;
    let private = treasury::credit(state, ctx, &mut currency, to, amount, &movement)?;
    put(state, currency_key(&currency.code), &currency);
    commitment.paid = paid;
    put(state, commitment_key(commitment.id), &commitment);
    let mut line = existing_line(state, allocation.year, &allocation.line)?;
    line.paid = line.paid.checked_add(amount).ok_or_else(overflow)?;
    put(state, line_key(allocation.year, &allocation.line), &line);
    add_month(state, ctx, allocation.year, &allocation.line, |m| {
        m.paid = m.paid.checked_add(amount)?;
        Some(())
    })?;
    let id = take_next(state, "p");
    let payment = Payment {
        id,
        commitment: commitment.id,
        amount,
        payee: payee(private),
        reference: reference.to_owned(),
        height: ctx.height,
        time_ms: ctx.time_ms,
    };
    put(state, payment_key(id), &payment);
    Ok(id)
}
