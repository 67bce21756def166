//! Execution of the finance module's calls: dispatch to [`crate::treasury`], [`crate::budget`] and
//! [`crate::welfare`]. Each call checks the sender's authority first, then its arguments; a refusal's writes are
//! discarded by execution, so a refused call changes nothing.

use publica_types::{CallContext, StateWrite, TxError, TxOutcome};

use crate::call::FinanceCall;
use crate::schema::TierRecord;
use crate::{budget, treasury, welfare};

/// Execute a finance call.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &FinanceCall) -> Result<TxOutcome, TxError> {
    match call {
        FinanceCall::DefineCurrency { code, name, decimals } => {
            treasury::define_currency(state, ctx, code, name, *decimals)?
        }
        FinanceCall::SetTier { currency, tier, balance_cap, daily_outflow_cap } => {
            let limits = TierRecord { balance_cap: *balance_cap, daily_outflow_cap: *daily_outflow_cap };
            treasury::set_tier(state, ctx, currency, *tier, limits)?
        }
        FinanceCall::OpenAccount { currency, holder, operator, tier, blinding } => {
            treasury::open_account(state, ctx, currency, holder, operator.as_ref(), *tier, blinding)?
        }
        FinanceCall::SetAccountTier { currency, holder, tier } => {
            treasury::set_account_tier(state, ctx, currency, holder, *tier)?
        }
        FinanceCall::Issue { currency, to, amount } => treasury::issue(state, ctx, currency, to, *amount)?,
        FinanceCall::Redeem { currency, amount } => treasury::redeem(state, ctx, currency, *amount)?,
        FinanceCall::Transfer { currency, from, to, amount, reference } => {
            treasury::transfer(state, ctx, currency, from, to, *amount, reference)?
        }
        FinanceCall::PlaceHold { currency, holder, reason } => {
            treasury::place_hold(state, ctx, currency, holder, reason)?
        }
        FinanceCall::ReleaseHold { currency, holder } => treasury::release_hold(state, ctx, currency, holder)?,
        FinanceCall::EnactBudget { year, currency, treasury: agency, reference, lines } => {
            budget::enact(state, ctx, *year, currency, agency, reference, lines)?
        }
        FinanceCall::AmendBudget { year, reference, lines } => budget::amend(state, ctx, *year, reference, lines)?,
        FinanceCall::Allocate { year, line, agency, amount, reference } => {
            let id = budget::allocate(state, ctx, *year, line, agency, *amount, reference)?;
            return Ok(TxOutcome::Allocation { id });
        }
        FinanceCall::CommitFunds { allocation, amount, payee, reference } => {
            let id = budget::commit(state, ctx, *allocation, *amount, payee.as_ref(), reference)?;
            return Ok(TxOutcome::Commitment { id });
        }
        FinanceCall::Pay { commitment, to, amount, reference } => {
            let id = budget::pay(state, ctx, *commitment, to, *amount, reference)?;
            return Ok(TxOutcome::Payment { id });
        }
        FinanceCall::CreateProgramme {
            name,
            scheme,
            commitment,
            amount,
            first_period,
            last_period,
            registered_by,
            requires,
        } => {
            let new = welfare::NewProgramme {
                name,
                scheme,
                commitment: *commitment,
                amount: *amount,
                periods: (*first_period, *last_period),
                registered_by: registered_by.as_ref(),
                requires,
            };
            let id = welfare::create_programme(state, ctx, new)?;
            return Ok(TxOutcome::Programme { id });
        }
        FinanceCall::Claim { programme, period, citizen, proof } => {
            let id = welfare::claim(state, ctx, *programme, *period, citizen, proof)?;
            return Ok(TxOutcome::Payment { id });
        }
    }
    Ok(TxOutcome::None)
}
