//! Permits and licences: issue, renew, suspend, reinstate, revoke.
//!
//! A permit officer of any agency issues; only permit officers of the issuing agency change the permit afterwards.
//! Transitions: issued → active; active ⇄ suspended; active or suspended → revoked (final). Renewal extends the
//! end of validity of a permit that is not revoked and keeps its state. Each change is a new version, so the
//! status at any date is a pure function of the version in force then (see [`crate::verify::permit_status`]).

use publica_types::time::format_time_ms;
use publica_types::RecordId;
use publica_types::{Address, CallContext, ErrorCode, StateWrite, TxError};

use crate::engine::{self, append};
use crate::error::{self, refuse};
use crate::rules::authorize;
use crate::schema::{check_text, Permit, PermitChange, PermitState, Record, Version};

/// Issue a permit.
pub(crate) fn issue(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: &RecordId,
    kind: &RecordId,
    holder: &Address,
    valid_from_ms: u64,
    valid_until_ms: u64,
) -> Result<(), TxError> {
    let (official, _) = authorize(state, &ctx.sender, "issue_permit", None)?;
    if engine::head::<Permit>(state, id.as_str()) != 0 {
        return Err(refuse(
            error::PERMIT_NUMBER_USED,
            format!("permit number {id} is already used (permit numbers are never reused)"),
        ));
    }
    if publica_accounts::account(state, holder).is_none() {
        return Err(TxError::new(
            ErrorCode::UnknownAccount,
            format!("holder {holder} is not registered; a permit is issued to an account"),
        ));
    }
    if valid_from_ms >= valid_until_ms {
        return Err(refuse(
            error::PERMIT_VALIDITY_INVALID,
            format!(
                "validity must end after it starts: from {} until {}",
                format_time_ms(valid_from_ms),
                format_time_ms(valid_until_ms)
            ),
        ));
    }
    let permit = Permit {
        kind: kind.clone(),
        holder: *holder,
        agency: official.agency().cloned().expect("officials belong to an agency"),
        valid_from_ms,
        valid_until_ms,
        state: PermitState::Active,
        change: PermitChange::Issued,
        changed_by: ctx.sender,
    };
    permit.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    append(state, ctx, id.as_str(), None, permit)?;
    Ok(())
}

fn load(state: &dyn publica_types::StateRead, id: &RecordId) -> Result<Version<Permit>, TxError> {
    engine::latest::<Permit>(state, id.as_str())
        .ok_or_else(|| refuse(error::PERMIT_NOT_FOUND, format!("permit {id} does not exist; check the permit number")))
}

/// A change of an existing permit.
pub(crate) enum Change<'a> {
    /// Extend validity to this end.
    Renew(u64),
    /// Suspend, for this reason.
    Suspend(&'a str),
    /// Reinstate after suspension.
    Reinstate,
    /// Revoke, for this reason.
    Revoke(&'a str),
}

/// Change a permit.
pub(crate) fn change(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: &RecordId,
    change: Change<'_>,
) -> Result<(), TxError> {
    let action = match change {
        Change::Renew(_) => "renew_permit",
        Change::Suspend(_) => "suspend_permit",
        Change::Reinstate => "reinstate_permit",
        Change::Revoke(_) => "revoke_permit",
    };
    let v = load(state, id)?;
    authorize(state, &ctx.sender, action, Some(&v.value.agency))?;
    let mut p = v.value;
    if let PermitState::Revoked { reason } = &p.state {
        return Err(refuse(
            error::PERMIT_REVOKED,
            format!(
                "permit {id} was revoked at height {} ({reason}); a revoked permit cannot change, issue a new one",
                v.height
            ),
        ));
    }
    match change {
        Change::Renew(until) => {
            if until <= p.valid_until_ms {
                return Err(refuse(
                    error::PERMIT_RENEWAL_NOT_LATER,
                    format!(
                        "a renewal extends validity: permit {id} already runs until {}, the renewal asks {}",
                        format_time_ms(p.valid_until_ms),
                        format_time_ms(until)
                    ),
                ));
            }
            p.valid_until_ms = until;
            p.change = PermitChange::Renewed;
        }
        Change::Suspend(reason) => {
            check_text("reason", reason).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
            if p.state != PermitState::Active {
                return Err(refuse(error::PERMIT_ALREADY_SUSPENDED, format!("permit {id} is already suspended")));
            }
            p.state = PermitState::Suspended { reason: reason.to_owned() };
            p.change = PermitChange::Suspended;
        }
        Change::Reinstate => {
            if p.state == PermitState::Active {
                return Err(refuse(
                    error::PERMIT_NOT_SUSPENDED,
                    format!("permit {id} is not suspended; only a suspended permit is reinstated"),
                ));
            }
            p.state = PermitState::Active;
            p.change = PermitChange::Reinstated;
        }
        Change::Revoke(reason) => {
            check_text("reason", reason).map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
            p.state = PermitState::Revoked { reason: reason.to_owned() };
            p.change = PermitChange::Revoked;
        }
    }
    p.changed_by = ctx.sender;
    p.check().map_err(|m| refuse(error::RECORD_FIELD_INVALID, m))?;
    append(state, ctx, id.as_str(), None, p)?;
    Ok(())
}
