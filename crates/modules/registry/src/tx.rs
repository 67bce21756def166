//! Calls of the registry module: [`execute`] dispatches each call to the registry that implements it ([`land`],
//! [`permits`], [`business`], and [`workflow`] for applications and approvals).
//!
//! [`land`]: crate::land
//! [`permits`]: crate::permits
//! [`business`]: crate::business
//! [`workflow`]: crate::workflow

use crate::call::RegistryCall;
use publica_types::{CallContext, StateWrite, TxError, TxOutcome};

use crate::{business, land, permits, workflow};

/// Execute one registry call, reporting the number the chain assigned: an application opened, an encumbrance
/// registered, a company incorporated by the approval that completed its application. Every call checks before it
/// writes; on error the caller discards whatever the call wrote all the same (execution runs each transaction in an
/// overlay).
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &RegistryCall) -> Result<TxOutcome, TxError> {
    use permits::Change;
    let done = match call {
        RegistryCall::OpenApplication { action, deadline_ms } => {
            let id = workflow::open(state, ctx, action, *deadline_ms)?;
            return Ok(TxOutcome::Application { id });
        }
        RegistryCall::Approve { application, party } => return workflow::approve(state, ctx, *application, party),
        RegistryCall::RegisterEncumbrance { parcel, kind, reference } => {
            let id = land::register_encumbrance(state, ctx, parcel, *kind, reference)?;
            return Ok(TxOutcome::Encumbrance { id });
        }
        RegistryCall::RegisterParcel { parcel, owners } => land::register_parcel(state, ctx, parcel, owners),
        RegistryCall::Reject { application, party, reason } => {
            workflow::reject(state, ctx, *application, party, reason)
        }
        RegistryCall::ReleaseEncumbrance { encumbrance } => land::release_encumbrance(state, ctx, *encumbrance),
        RegistryCall::RecordInheritance { parcel, deceased, heirs, case } => {
            land::record_inheritance(state, ctx, parcel, deceased, heirs, case)
        }
        RegistryCall::CourtOrder { parcel, owners, case } => land::court_order(state, ctx, parcel, owners, case),
        RegistryCall::IssuePermit { permit, kind, holder, valid_from_ms, valid_until_ms } => {
            permits::issue(state, ctx, permit, kind, holder, *valid_from_ms, *valid_until_ms)
        }
        RegistryCall::RenewPermit { permit, valid_until_ms } => {
            permits::change(state, ctx, permit, Change::Renew(*valid_until_ms))
        }
        RegistryCall::SuspendPermit { permit, reason } => permits::change(state, ctx, permit, Change::Suspend(reason)),
        RegistryCall::ReinstatePermit { permit } => permits::change(state, ctx, permit, Change::Reinstate),
        RegistryCall::RevokePermit { permit, reason } => permits::change(state, ctx, permit, Change::Revoke(reason)),
        RegistryCall::FileCompanyChange { company, filing } => business::file(state, ctx, company, filing),
        RegistryCall::PlaceInLiquidation { company, case } => business::place_in_liquidation(state, ctx, company, case),
    };
    done.map(|()| TxOutcome::None)
}
