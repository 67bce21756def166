//! Calls of the governance module and the rules they enforce: proposals by agency administrators, approvals by
//! members of the current validator set, the change applied by the approval that reaches the quorum.

use crate::call::{approval_message, possession_message, MAX_PROPOSAL_LIFETIME_MS};
use crate::call::{GovernanceCall, ValidatorChange};
use publica_types::{
    codec, Address, CallContext, ErrorCode, Role, Signature, StateRead, StateWrite, TxError, TxOutcome, ValidatorSet,
    MAX_TOTAL_VOTING_POWER,
};

use crate::error::{self, refuse};
use crate::query::{proposal, proposal_count, validator_set};
use crate::schema::{
    operator_key, proposal_key, Proposal, ProposalStatus, MAX_APPROVALS, NEXT_PROPOSAL_KEY, VALIDATORS_KEY,
};

/// Execute a governance call: a proposal reports its number, an approval nothing.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &GovernanceCall) -> Result<TxOutcome, TxError> {
    match call {
        GovernanceCall::Propose { change, expires_at_ms } => {
            let id = propose(state, ctx, change, *expires_at_ms)?;
            Ok(TxOutcome::Proposal { id })
        }
        GovernanceCall::Approve { proposal: id, validator, signature } => {
            approve(state, ctx, *id, validator, signature)?;
            Ok(TxOutcome::None)
        }
    }
}

/// Record a proposal, refusing at once a change that could not apply now; returns its number.
fn propose(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    change: &ValidatorChange,
    expires_at_ms: u64,
) -> Result<u64, TxError> {
    let admin = publica_accounts::require_role(state, &ctx.sender, Role::ADMIN)?;
    let agency = admin.agency().cloned().expect("an account with a role is an official of an agency");
    if expires_at_ms <= ctx.time_ms || expires_at_ms - ctx.time_ms > MAX_PROPOSAL_LIFETIME_MS {
        return Err(refuse(
            error::PROPOSAL_EXPIRY_OUT_OF_RANGE,
            format!(
                "a proposal stays open for up to {} days: expires_at_ms must be after the block time {} and at \
                     most {} ms later",
                MAX_PROPOSAL_LIFETIME_MS / 86_400_000,
                ctx.time_ms,
                MAX_PROPOSAL_LIFETIME_MS
            ),
        ));
    }
    let current = current_set(state)?;
    // Checked now so that a change that could never apply is refused at once, and again when applied,
    // since other changes may land in between.
    apply_change(state, ctx, &current, change)?;
    let id = proposal_count(state);
    let proposal = Proposal {
        id,
        change: change.clone(),
        proposer: ctx.sender,
        agency,
        proposed_at_height: ctx.height,
        expires_at_ms,
        approvals: Vec::new(),
        applied_at_height: None,
    };
    state.put(proposal_key(id), codec::encode(&proposal));
    state.put(NEXT_PROPOSAL_KEY.to_vec(), (id + 1).to_le_bytes().to_vec());
    Ok(id)
}

/// Record a validator's approval, and apply the change when the approvals reach the quorum of the current set.
fn approve(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    validator: &Address,
    signature: &Signature,
) -> Result<(), TxError> {
    let mut proposal = proposal(state, id)
        .ok_or_else(|| refuse(error::PROPOSAL_NOT_FOUND, format!("there is no governance proposal {id}")))?;
    match proposal.status(ctx.time_ms) {
        ProposalStatus::Open => {}
        ProposalStatus::Expired => {
            return Err(refuse(
                error::PROPOSAL_EXPIRED,
                format!(
                    "proposal {id} expired at {} ms without enough approvals; propose the change again",
                    proposal.expires_at_ms
                ),
            ))
        }
        ProposalStatus::Applied { height } => {
            return Err(refuse(
                error::PROPOSAL_ALREADY_APPLIED,
                format!("proposal {id} was already applied at height {height}"),
            ))
        }
    }
    let current = current_set(state)?;
    let member = current.get(validator).ok_or_else(|| {
        refuse(
            error::APPROVER_NOT_A_VALIDATOR,
            format!("{validator} is not a member of the current validator set; only members approve"),
        )
    })?;
    if proposal.approvals.contains(validator) {
        return Err(refuse(
            error::PROPOSAL_ALREADY_APPROVED,
            format!("validator {validator} already approved proposal {id}"),
        ));
    }
    if proposal.approvals.len() >= MAX_APPROVALS {
        return Err(refuse(
            error::PROPOSAL_APPROVALS_FULL,
            format!("proposal {id} holds the most approvals it can record"),
        ));
    }
    member.public_key.verify(&approval_message(&ctx.chain_id, id, &proposal.change.hash()), signature).map_err(
        |e| {
            refuse(
                error::APPROVAL_SIGNATURE_INVALID,
                format!(
                    "the approval is not signed by validator {validator}'s consensus key ({e}); sign the \
                             approval of proposal {id} with that key"
                ),
            )
        },
    )?;
    proposal.approvals.push(*validator);
    let approved = proposal
        .approvals
        .iter()
        .filter_map(|a| current.get(a))
        .fold(0u64, |sum, v| sum.saturating_add(v.voting_power));
    if approved >= current.quorum_power() {
        apply_approved(state, ctx, &current, id, &proposal.change)?;
        proposal.applied_at_height = Some(ctx.height);
    }
    state.put(proposal_key(id), codec::encode(&proposal));
    Ok(())
}

/// Apply a change, proposal `id`, whose approvals reached the quorum of `current`.
fn apply_approved(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    current: &ValidatorSet,
    id: u64,
    change: &ValidatorChange,
) -> Result<(), TxError> {
    let next = apply_change(state, ctx, current, change)?;
    match change {
        ValidatorChange::Add { agency, validator, .. } => {
            state.put(operator_key(&validator.address), codec::encode(agency));
        }
        ValidatorChange::SetAgencyRoles { agency, roles } => {
            publica_accounts::set_agency_roles(state, agency, roles)?;
        }
        ValidatorChange::SetContractPolicy { agency, policy } => {
            publica_contracts::tx::apply_policy(state, agency, policy)?;
        }
        ValidatorChange::DeployContract { deployment } => {
            publica_contracts::tx::apply_deploy(state, ctx, deployment, id)?;
        }
        ValidatorChange::UpgradeContract { instance, code_hash } => {
            publica_contracts::tx::apply_upgrade(state, ctx, *instance, code_hash, id)?;
        }
        ValidatorChange::SetContractFrozen { instance, frozen } => {
            publica_contracts::tx::apply_frozen(state, *instance, *frozen)?;
        }
        ValidatorChange::Remove { .. } | ValidatorChange::SetPower { .. } => {}
    }
    // A change of an agency's roles leaves the set alone: writing it would report a set change.
    if change.changes_validators() {
        state.put(VALIDATORS_KEY.to_vec(), codec::encode(&next));
    }
    Ok(())
}

fn current_set(state: &dyn StateRead) -> Result<ValidatorSet, TxError> {
    validator_set(state).ok_or_else(|| TxError::new(ErrorCode::Internal, "the state holds no validator set"))
}

/// The set after `change`, or why the change cannot apply to `current`.
// Over 70 lines: one arm per kind of change, each with its own refusals; splitting them would scatter the rules.
fn apply_change(
    state: &dyn StateRead,
    ctx: &CallContext,
    current: &ValidatorSet,
    change: &ValidatorChange,
) -> Result<ValidatorSet, TxError> {
    let mut members = current.validators().to_vec();
    match change {
        ValidatorChange::SetAgencyRoles { agency, roles } => {
            let record = publica_accounts::agency(state, agency)
                .ok_or_else(|| TxError::new(ErrorCode::UnknownAgency, format!("agency {agency} does not exist")))?;
            publica_accounts::check_agency_roles(agency, roles)?;
            if record.roles == *roles {
                return Err(refuse(
                    error::AGENCY_ROLES_UNCHANGED,
                    format!("agency {agency} already grants exactly these roles"),
                ));
            }
            // The validator set is unchanged.
            return Ok(current.clone());
        }
        // Changes of contracts leave the set alone; the contracts module checks them (again when applied).
        ValidatorChange::SetContractPolicy { agency, policy } => {
            publica_contracts::tx::check_policy(state, agency, policy)?;
            return Ok(current.clone());
        }
        ValidatorChange::DeployContract { deployment } => {
            publica_contracts::tx::check_deploy(state, deployment)?;
            return Ok(current.clone());
        }
        ValidatorChange::UpgradeContract { instance, code_hash } => {
            publica_contracts::tx::check_upgrade(state, *instance, code_hash)?;
            return Ok(current.clone());
        }
        ValidatorChange::SetContractFrozen { instance, frozen } => {
            publica_contracts::tx::check_frozen(state, *instance, *frozen)?;
            return Ok(current.clone());
        }
        ValidatorChange::Add { agency, validator, possession } => {
            publica_accounts::agency(state, agency)
                .ok_or_else(|| TxError::new(ErrorCode::UnknownAgency, format!("agency {agency} does not exist")))?;
            if validator.address != validator.public_key.address() {
                return Err(refuse(
                    error::VALIDATOR_ADDRESS_MISMATCH,
                    "the validator's address is not its consensus key's address",
                ));
            }
            if current.get(&validator.address).is_some() {
                return Err(refuse(
                    error::ALREADY_A_VALIDATOR,
                    format!("{} is already a validator", validator.address),
                ));
            }
            check_power(validator.voting_power)?;
            validator
                .log_keys
                .check()
                .map_err(|e| refuse(error::CHECKPOINT_KEYS_INVALID, format!("the validator's checkpoint keys: {e}")))?;
            validator.public_key.verify(&possession_message(&ctx.chain_id, agency, validator), possession).map_err(
                |e| {
                    refuse(
                        error::VALIDATOR_POSSESSION_INVALID,
                        format!(
                            "the proof of possession does not verify with the new validator's key ({e}); the \
                             new validator signs it with its own consensus key"
                        ),
                    )
                },
            )?;
            members.push(validator.clone());
        }
        ValidatorChange::Remove { address } => {
            if current.get(address).is_none() {
                return Err(refuse(error::NOT_A_VALIDATOR, format!("{address} is not a validator")));
            }
            members.retain(|v| v.address != *address);
            if members.is_empty() {
                return Err(refuse(
                    error::LAST_VALIDATOR_REMOVED,
                    "the last validator cannot be removed: the network would stop",
                ));
            }
        }
        ValidatorChange::SetPower { address, voting_power } => {
            if *voting_power == 0 {
                return Err(refuse(
                    error::VOTING_POWER_ZERO,
                    "a validator's voting power is at least 1; remove it instead",
                ));
            }
            check_power(*voting_power)?;
            let member = members
                .iter_mut()
                .find(|v| v.address == *address)
                .ok_or_else(|| refuse(error::NOT_A_VALIDATOR, format!("{address} is not a validator")))?;
            if member.voting_power == *voting_power {
                return Err(refuse(
                    error::VOTING_POWER_UNCHANGED,
                    format!("{address} already has voting power {voting_power}"),
                ));
            }
            member.voting_power = *voting_power;
        }
    }
    let next = ValidatorSet::new(members)
        .map_err(|e| refuse(error::VALIDATOR_SET_INVALID, format!("the change would make an invalid set: {e}")))?;
    // Key ids depend on the network's log name, known here: a new member's checkpoint key id must not be a
    // member's, or their checkpoint signatures could not be told apart.
    next.check_log_key_ids(&ctx.chain_id)
        .map_err(|e| refuse(error::CHECKPOINT_KEY_ID_TAKEN, format!("the change would make an invalid set: {e}")))?;
    Ok(next)
}

/// Refuse a voting power no set may hold: zero, or more than the total allowed to a whole set. The total is
/// checked again by `ValidatorSet::new`, with the other members' power.
fn check_power(voting_power: u64) -> Result<(), TxError> {
    if voting_power == 0 {
        return Err(refuse(error::VOTING_POWER_ZERO, "a validator's voting power is at least 1"));
    }
    if voting_power > MAX_TOTAL_VOTING_POWER {
        return Err(refuse(
            error::VOTING_POWER_TOO_LARGE,
            format!(
                "voting power {voting_power} is more than a whole validator set may hold ({MAX_TOTAL_VOTING_POWER}, \
             2^50); give the validators smaller powers in the same proportions"
            ),
        ));
    }
    Ok(())
}
