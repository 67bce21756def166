//! The governance module: agencies join and leave the validator set, and the roles each agency may grant change,
//! by a vote of the validators.
//!
//! An agency administrator proposes a [`ValidatorChange`] (a change of the validator set, or `SetAgencyRoles`: a
//! new list of the roles an agency may grant); members of the current validator set approve it with their
//! consensus keys. The transaction whose approval brings the approving members of the CURRENT set above two thirds
//! of its voting power applies the change: a new set is written under [`VALIDATORS_KEY`] at the end of that
//! transaction, and signs from the next height on; new agency roles are written to the agency's record
//! (`publica_accounts::set_agency_roles`) and bind every later transaction, the rest of that block included. Approvals by validators that have meanwhile left the
//! set no longer count.
//!
//! State layout:
//!
//! | key | value |
//! |---|---|
//! | `sys/validators` | borsh `ValidatorSet`: the set that signs the next block |
//! | `gov/next` | next proposal number, u64 little-endian |
//! | `gov/p/` ‖ number (u64 big-endian) | borsh [`Proposal`] |
//! | `gov/op/` ‖ validator address | borsh `AgencyId`: the agency that runs a validator added by vote |

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_types::governance::{approval_message, possession_message, PROPOSAL_LIFETIME_MAX_MS};
use publica_types::{
    codec, Address, AgencyId, CallContext, ErrorCode, GovernanceCall, Role, StateRead, StateWrite, TxError,
    ValidatorChange, ValidatorSet, MAX_TOTAL_VOTING_POWER,
};

/// State key of the validator set that signs the next block.
pub const VALIDATORS_KEY: &[u8] = b"sys/validators";
/// State key of the next proposal number.
pub const NEXT_PROPOSAL_KEY: &[u8] = b"gov/next";
/// Most approvals a proposal records: every member of the largest set.
const APPROVALS_MAX: usize = publica_types::MAX_VALIDATORS;

/// A proposal and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Proposal {
    /// Its number, from 0 in the order proposed.
    pub id: u64,
    /// The change.
    pub change: ValidatorChange,
    /// The administrator who proposed it.
    pub proposer: Address,
    /// The proposer's agency.
    pub agency: AgencyId,
    /// Height of the proposing block.
    pub proposed_at_height: u64,
    /// Block time after which approvals are refused, Unix milliseconds.
    pub expires_at_ms: u64,
    /// Validators that approved, in the order their approvals were executed.
    pub approvals: Vec<Address>,
    /// Height of the block that applied the change, once applied.
    pub applied_at_height: Option<u64>,
}

impl Proposal {
    /// Where the proposal stands at block time `now_ms`.
    pub fn status(&self, now_ms: u64) -> ProposalStatus {
        match self.applied_at_height {
            Some(height) => ProposalStatus::Applied { height },
            None if now_ms > self.expires_at_ms => ProposalStatus::Expired,
            None => ProposalStatus::Open,
        }
    }
}

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Collecting approvals.
    Open,
    /// Its deadline passed without enough approvals.
    Expired,
    /// Applied at the end of block `height`; the new set signs from `height + 1` on.
    Applied {
        /// The applying block's height.
        height: u64,
    },
}

/// State key of proposal `id`.
pub fn proposal_key(id: u64) -> Vec<u8> {
    let mut key = b"gov/p/".to_vec();
    key.extend_from_slice(&id.to_be_bytes());
    key
}

/// State key of the operating agency of a validator added by vote.
pub fn operator_key(address: &Address) -> Vec<u8> {
    let mut key = b"gov/op/".to_vec();
    key.extend_from_slice(address.as_bytes());
    key
}

/// The set that signs the block after the state `state` (the genesis set until a change is applied).
pub fn validator_set(state: &dyn StateRead) -> Option<ValidatorSet> {
    state.get(VALIDATORS_KEY).map(|b| {
        ValidatorSet::decode(&b)
            .unwrap_or_else(|e| panic!("stored validator set does not decode ({e}); the state store is corrupt"))
    })
}

/// Proposal `id`.
pub fn proposal(state: &dyn StateRead, id: u64) -> Option<Proposal> {
    state.get(&proposal_key(id)).map(|b| {
        codec::decode_canonical("governance proposal", &b, usize::MAX)
            .unwrap_or_else(|e| panic!("stored proposal {id} does not decode ({e}); the state store is corrupt"))
    })
}

/// Number of proposals made so far (their numbers are `0..count`).
pub fn proposal_count(state: &dyn StateRead) -> u64 {
    state
        .get(NEXT_PROPOSAL_KEY)
        .map(|b| u64::from_le_bytes(b.as_slice().try_into().expect("stored proposal counter is 8 bytes")))
        .unwrap_or(0)
}

/// The agency operating `address`, if it joined by vote.
pub fn operator(state: &dyn StateRead, address: &Address) -> Option<AgencyId> {
    state.get(&operator_key(address)).map(|b| {
        codec::decode_canonical("operator agency", &b, 1024).unwrap_or_else(|e| {
            panic!("stored operator of {address} does not decode ({e}); the state store is corrupt")
        })
    })
}

/// Execute a governance call.
pub fn execute(state: &mut dyn StateWrite, ctx: &CallContext, call: &GovernanceCall) -> Result<(), TxError> {
    match call {
        GovernanceCall::Propose { change, expires_at_ms } => {
            let admin = publica_accounts::require_role(state, &ctx.sender, Role::ADMIN)?;
            let agency = admin.agency().cloned().expect("an account with a role is an official of an agency");
            if *expires_at_ms <= ctx.time_ms || *expires_at_ms - ctx.time_ms > PROPOSAL_LIFETIME_MAX_MS {
                return Err(invalid(format!(
                    "a proposal stays open for up to {} days: expires_at_ms must be after the block time {} and at \
                     most {} ms later",
                    PROPOSAL_LIFETIME_MAX_MS / 86_400_000,
                    ctx.time_ms,
                    PROPOSAL_LIFETIME_MAX_MS
                )));
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
                expires_at_ms: *expires_at_ms,
                approvals: Vec::new(),
                applied_at_height: None,
            };
            state.put(proposal_key(id), codec::encode(&proposal));
            state.put(NEXT_PROPOSAL_KEY.to_vec(), (id + 1).to_le_bytes().to_vec());
            Ok(())
        }
        GovernanceCall::Approve { proposal: id, validator, signature } => {
            let mut proposal = proposal(state, *id)
                .ok_or_else(|| TxError::new(ErrorCode::NotFound, format!("there is no governance proposal {id}")))?;
            match proposal.status(ctx.time_ms) {
                ProposalStatus::Open => {}
                ProposalStatus::Expired => {
                    return Err(not_permitted(format!(
                        "proposal {id} expired at {} ms without enough approvals; propose the change again",
                        proposal.expires_at_ms
                    )))
                }
                ProposalStatus::Applied { height } => {
                    return Err(not_permitted(format!("proposal {id} was already applied at height {height}")))
                }
            }
            let current = current_set(state)?;
            let member = current.get(validator).ok_or_else(|| {
                not_permitted(format!("{validator} is not a member of the current validator set; only members approve"))
            })?;
            if proposal.approvals.contains(validator) {
                return Err(TxError::new(
                    ErrorCode::DuplicateTransaction,
                    format!("validator {validator} already approved proposal {id}"),
                ));
            }
            if proposal.approvals.len() >= APPROVALS_MAX {
                return Err(not_permitted(format!("proposal {id} holds the most approvals it can record")));
            }
            member
                .public_key
                .verify(&approval_message(&ctx.chain_id, *id, &proposal.change.hash()), signature)
                .map_err(|e| {
                    TxError::new(
                        ErrorCode::BadSignature,
                        format!(
                            "the approval is not signed by validator {validator}'s consensus key ({e}); sign the \
                             approval of proposal {id} with that key"
                        ),
                    )
                })?;
            proposal.approvals.push(*validator);
            let approved = proposal
                .approvals
                .iter()
                .filter_map(|a| current.get(a))
                .fold(0u64, |sum, v| sum.saturating_add(v.voting_power));
            if approved >= current.quorum_power() {
                let next = apply_change(state, ctx, &current, &proposal.change)?;
                match &proposal.change {
                    ValidatorChange::Add { agency, validator, .. } => {
                        state.put(operator_key(&validator.address), codec::encode(agency));
                    }
                    ValidatorChange::SetAgencyRoles { agency, roles } => {
                        publica_accounts::set_agency_roles(state, agency, roles)?;
                    }
                    ValidatorChange::Remove { .. } | ValidatorChange::SetPower { .. } => {}
                }
                // A change of an agency's roles leaves the set alone: writing it would report a set change.
                if proposal.change.changes_validators() {
                    state.put(VALIDATORS_KEY.to_vec(), codec::encode(&next));
                }
                proposal.applied_at_height = Some(ctx.height);
            }
            state.put(proposal_key(*id), codec::encode(&proposal));
            Ok(())
        }
    }
}

fn current_set(state: &dyn StateRead) -> Result<ValidatorSet, TxError> {
    validator_set(state).ok_or_else(|| TxError::new(ErrorCode::Internal, "the state holds no validator set"))
}

/// The set after `change`, or why the change cannot apply to `current`.
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
                return Err(invalid(format!("agency {agency} already grants exactly these roles")));
            }
            // The validator set is unchanged.
            return Ok(current.clone());
        }
        ValidatorChange::Add { agency, validator, possession } => {
            publica_accounts::agency(state, agency)
                .ok_or_else(|| TxError::new(ErrorCode::UnknownAgency, format!("agency {agency} does not exist")))?;
            if validator.address != validator.public_key.address() {
                return Err(invalid("the validator's address is not its consensus key's address"));
            }
            if current.get(&validator.address).is_some() {
                return Err(not_permitted(format!("{} is already a validator", validator.address)));
            }
            check_power(validator.voting_power)?;
            validator.log_keys.check().map_err(|e| invalid(format!("the validator's checkpoint keys: {e}")))?;
            validator.public_key.verify(&possession_message(&ctx.chain_id, agency, validator), possession).map_err(
                |e| {
                    TxError::new(
                        ErrorCode::BadSignature,
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
                return Err(not_permitted(format!("{address} is not a validator")));
            }
            members.retain(|v| v.address != *address);
            if members.is_empty() {
                return Err(not_permitted("the last validator cannot be removed: the network would stop"));
            }
        }
        ValidatorChange::SetPower { address, voting_power } => {
            if *voting_power == 0 {
                return Err(invalid("a validator's voting power is at least 1; remove it instead"));
            }
            check_power(*voting_power)?;
            let member = members
                .iter_mut()
                .find(|v| v.address == *address)
                .ok_or_else(|| not_permitted(format!("{address} is not a validator")))?;
            if member.voting_power == *voting_power {
                return Err(invalid(format!("{address} already has voting power {voting_power}")));
            }
            member.voting_power = *voting_power;
        }
    }
    let next =
        ValidatorSet::new(members).map_err(|e| not_permitted(format!("the change would make an invalid set: {e}")))?;
    // Key ids depend on the network's log name, known here: a new member's checkpoint key id must not be a
    // member's, or their checkpoint signatures could not be told apart.
    next.check_log_key_ids(&ctx.chain_id).map_err(|e| invalid(format!("the change would make an invalid set: {e}")))?;
    Ok(next)
}

/// Refuse a voting power no set may hold: zero, or more than the total allowed to a whole set. The total is
/// checked again by `ValidatorSet::new`, with the other members' power.
fn check_power(voting_power: u64) -> Result<(), TxError> {
    if voting_power == 0 {
        return Err(invalid("a validator's voting power is at least 1"));
    }
    if voting_power > MAX_TOTAL_VOTING_POWER {
        return Err(invalid(format!(
            "voting power {voting_power} is more than a whole validator set may hold ({MAX_TOTAL_VOTING_POWER}, \
             2^50); give the validators smaller powers in the same proportions"
        )));
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> TxError {
    TxError::new(ErrorCode::InvalidArgument, message)
}

fn not_permitted(message: impl Into<String>) -> TxError {
    TxError::new(ErrorCode::NotPermitted, message)
}
