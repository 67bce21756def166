//! The governance module's rules, executed against an in-memory state.

use std::rc::Rc;

mod contracts;
mod limits;

use publica_crypto::Keypair;
use publica_governance::call::GovernanceCall;
use publica_governance::call::ValidatorChange;
use publica_governance::call::{approval_message, possession_message};
use publica_governance::{
    error, execute, operator, proposal, proposal_count, validator_set, ProposalStatus, VALIDATORS_KEY,
};
use publica_testkit::{context, keypair, keypairs, Accounts, MemoryState};
use publica_types::{
    codec, AgencyId, CallContext, ChainId, Code, ErrorCode, StateRead, StateWrite, TxError, TxOutcome, Validator,
    ValidatorSet,
};

fn chain_id() -> ChainId {
    "gov-test".parse().unwrap()
}

fn agency() -> AgencyId {
    "land".parse().unwrap()
}

/// A network of `n` validators of power 1 (`validator-0`..), one agency with an administrator.
struct Net {
    state: MemoryState,
    validators: Vec<Rc<Keypair>>,
    admin: Rc<Keypair>,
    time_ms: u64,
    height: u64,
}

impl Net {
    fn new(n: usize) -> Net {
        let keys = keypairs("validator", n);
        let set = publica_testkit::validator_set(&keys);
        let validators: Vec<Rc<Keypair>> = keys.into_iter().map(Rc::new).collect();
        let admin = Rc::new(keypair("admin"));
        let mut state = MemoryState::new();
        Accounts::new(&mut state).agency(agency().as_str(), &["registrar"]).official(
            "admin",
            agency().as_str(),
            &["admin"],
        );
        state.put(VALIDATORS_KEY.to_vec(), codec::encode(&set));
        Net { state, validators, admin, time_ms: 1_000, height: 1 }
    }

    fn ctx(&self, sender: &Keypair) -> CallContext {
        context(sender.public_key().address()).chain(&chain_id()).block(self.height, self.time_ms).build()
    }

    /// Execute `call` from `sender` in a new block; on failure the state must be exactly as before.
    fn run(&mut self, sender: &Keypair, call: GovernanceCall) -> Result<TxOutcome, TxError> {
        self.height += 1;
        self.time_ms += 1_000;
        let before = self.state.clone();
        let ctx = self.ctx(sender);
        let result = execute(&mut self.state, &ctx, &call);
        if result.is_err() {
            assert_eq!(self.state, before, "a refused call changed the state");
        }
        result
    }

    fn propose(&mut self, change: ValidatorChange) -> Result<u64, TxError> {
        let id = proposal_count(&self.state);
        let admin = self.admin.clone();
        let outcome = self.run(&admin, GovernanceCall::Propose { change, expires_at_ms: self.time_ms + 60_000 })?;
        assert_eq!(outcome, TxOutcome::Proposal { id }, "a proposal reports its number");
        Ok(id)
    }

    fn approve_with(&mut self, id: u64, signer: &Keypair) -> Result<(), TxError> {
        let change = proposal(&self.state, id).expect("proposal exists").change;
        let signature = signer.sign(&approval_message(&chain_id(), id, &change.hash()));
        let admin = self.admin.clone();
        let call = GovernanceCall::Approve { proposal: id, validator: signer.public_key().address(), signature };
        let outcome = self.run(&admin, call)?;
        assert_eq!(outcome, TxOutcome::None, "an approval creates nothing");
        Ok(())
    }

    fn approve(&mut self, id: u64, validator: usize) -> Result<(), TxError> {
        let signer = self.validators[validator].clone();
        self.approve_with(id, &signer)
    }

    fn set(&self) -> ValidatorSet {
        validator_set(&self.state).unwrap()
    }

    fn status(&self, id: u64) -> ProposalStatus {
        proposal(&self.state, id).unwrap().status(self.time_ms)
    }
}

fn add_change(new: &Keypair, power: u64) -> ValidatorChange {
    let validator = Validator::from_keypair(new, power);
    let possession = new.sign(&possession_message(&chain_id(), &agency(), &validator));
    ValidatorChange::Add { agency: agency(), validator, possession }
}

fn code(result: Result<impl std::fmt::Debug, TxError>) -> Code {
    result.expect_err("the call must be refused").code
}

#[test]
fn a_validator_joins_once_more_than_two_thirds_of_the_power_approve() {
    let mut net = Net::new(4);
    let newcomer = keypair("newcomer");
    let id = net.propose(add_change(&newcomer, 2)).unwrap();
    let before = net.set();
    net.approve(id, 0).unwrap();
    net.approve(id, 1).unwrap();
    // Two of four is not more than two thirds: nothing changes yet.
    assert_eq!(net.set(), before);
    assert_eq!(net.status(id), ProposalStatus::Open);
    net.approve(id, 2).unwrap();
    let after = net.set();
    assert_eq!(after.validators().len(), 5);
    assert_eq!(after.get(&newcomer.public_key().address()).unwrap().voting_power, 2);
    assert_eq!(net.status(id), ProposalStatus::Applied { height: net.height });
    assert_eq!(operator(&net.state, &newcomer.public_key().address()), Some(agency()));
    // Applied proposals take no more approvals.
    assert_eq!(code(net.approve(id, 3)), error::PROPOSAL_ALREADY_APPLIED);
}

#[test]
fn approvals_are_checked_signer_by_signer() {
    let mut net = Net::new(4);
    let id = net.propose(add_change(&keypair("newcomer"), 1)).unwrap();
    // Signed by a key that is not the named validator's.
    let change = proposal(&net.state, id).unwrap().change;
    let forged = keypair("intruder").sign(&approval_message(&chain_id(), id, &change.hash()));
    let admin = net.admin.clone();
    let call = GovernanceCall::Approve {
        proposal: id,
        validator: net.validators[0].public_key().address(),
        signature: forged,
    };
    assert_eq!(code(net.run(&admin, call)), error::APPROVAL_SIGNATURE_INVALID);
    // Signed for another proposal number.
    let other = net.validators[0].sign(&approval_message(&chain_id(), id + 1, &change.hash()));
    let call =
        GovernanceCall::Approve { proposal: id, validator: net.validators[0].public_key().address(), signature: other };
    assert_eq!(code(net.run(&admin, call)), error::APPROVAL_SIGNATURE_INVALID);
    // Signed by someone outside the set.
    assert_eq!(code(net.approve_with(id, &keypair("outsider"))), error::APPROVER_NOT_A_VALIDATOR);
    // Approving twice.
    net.approve(id, 0).unwrap();
    assert_eq!(code(net.approve(id, 0)), error::PROPOSAL_ALREADY_APPROVED);
    // An unknown proposal.
    let signer = net.validators[1].clone();
    let signature = signer.sign(&approval_message(&chain_id(), 99, &change.hash()));
    let call = GovernanceCall::Approve { proposal: 99, validator: signer.public_key().address(), signature };
    assert_eq!(code(net.run(&admin, call)), error::PROPOSAL_NOT_FOUND);
}

#[test]
fn proposals_need_an_administrator_a_deadline_and_a_possible_change() {
    let mut net = Net::new(4);
    let validator0 = net.validators[0].clone();
    let change = add_change(&keypair("newcomer"), 1);
    let call = GovernanceCall::Propose { change: change.clone(), expires_at_ms: net.time_ms + 60_000 };
    // A validator's key is not an account, let alone an administrator.
    assert_eq!(code(net.run(&validator0, call)), ErrorCode::UnknownAccount);
    let admin = net.admin.clone();
    let past = GovernanceCall::Propose { change: change.clone(), expires_at_ms: 10 };
    assert_eq!(code(net.run(&admin, past)), error::PROPOSAL_EXPIRY_OUT_OF_RANGE);
    let far = GovernanceCall::Propose { change: change.clone(), expires_at_ms: net.time_ms + 40 * 86_400_000 };
    assert_eq!(code(net.run(&admin, far)), error::PROPOSAL_EXPIRY_OUT_OF_RANGE);
    // A proof of possession made by another key.
    let ValidatorChange::Add { validator, .. } = change else { unreachable!() };
    let possession = keypair("other").sign(&possession_message(&chain_id(), &agency(), &validator));
    let stolen = ValidatorChange::Add { agency: agency(), validator: validator.clone(), possession };
    assert_eq!(code(net.propose(stolen)), error::VALIDATOR_POSSESSION_INVALID);
    // A possession proof for another agency.
    let possession = keypair("newcomer").sign(&possession_message(&chain_id(), &"civil".parse().unwrap(), &validator));
    let moved = ValidatorChange::Add { agency: agency(), validator, possession };
    assert_eq!(code(net.propose(moved)), error::VALIDATOR_POSSESSION_INVALID);
    // Adding a member, removing a stranger, a zero power, an unchanged power.
    assert_eq!(code(net.propose(add_change(&keypair("validator-1"), 1))), error::ALREADY_A_VALIDATOR);
    let stranger = keypair("stranger").public_key().address();
    assert_eq!(code(net.propose(ValidatorChange::Remove { address: stranger })), error::NOT_A_VALIDATOR);
    let member = net.validators[2].public_key().address();
    let zero = ValidatorChange::SetPower { address: member, voting_power: 0 };
    assert_eq!(code(net.propose(zero)), error::VOTING_POWER_ZERO);
    let same = ValidatorChange::SetPower { address: member, voting_power: 1 };
    assert_eq!(code(net.propose(same)), error::VOTING_POWER_UNCHANGED);
    assert_eq!(proposal_count(&net.state), 0, "no refused proposal was recorded");
}

#[test]
fn a_proposal_expires_at_its_deadline() {
    let mut net = Net::new(1);
    let id = net
        .propose(ValidatorChange::SetPower { address: net.validators[0].public_key().address(), voting_power: 5 })
        .unwrap();
    net.time_ms += 61_000;
    assert_eq!(net.status(id), ProposalStatus::Expired);
    assert_eq!(code(net.approve(id, 0)), error::PROPOSAL_EXPIRED);
}

#[test]
fn the_last_validator_cannot_leave_and_departed_validators_stop_counting() {
    let mut net = Net::new(1);
    let only = net.validators[0].public_key().address();
    assert_eq!(code(net.propose(ValidatorChange::Remove { address: only })), error::LAST_VALIDATOR_REMOVED);

    let mut net = Net::new(4);
    // Proposal A (raise validator 3's power) gets approvals from 0 and 1.
    let v3 = net.validators[3].public_key().address();
    let a = net.propose(ValidatorChange::SetPower { address: v3, voting_power: 3 }).unwrap();
    net.approve(a, 0).unwrap();
    net.approve(a, 1).unwrap();
    // Proposal B removes validator 0, approved by 1, 2 and 3.
    let b = net.propose(ValidatorChange::Remove { address: net.validators[0].public_key().address() }).unwrap();
    for v in 1..4 {
        net.approve(b, v).unwrap();
    }
    assert_eq!(net.set().validators().len(), 3);
    // Validator 0 left: A now has one approval (validator 1) of three members; validator 2 makes two of three,
    // which is not more than two thirds.
    net.approve(a, 2).unwrap();
    assert_eq!(net.set().get(&v3).unwrap().voting_power, 1);
    assert_eq!(net.status(a), ProposalStatus::Open);
    net.approve(a, 3).unwrap();
    assert_eq!(net.set().get(&v3).unwrap().voting_power, 3);
    assert_eq!(net.status(a), ProposalStatus::Applied { height: net.height });
}

#[test]
fn voting_power_weighs_the_approvals() {
    let mut net = Net::new(3);
    // Give validator 0 power 4 (approved by all three): the set is 4 + 1 + 1.
    let v0 = net.validators[0].public_key().address();
    let id = net.propose(ValidatorChange::SetPower { address: v0, voting_power: 4 }).unwrap();
    for v in 0..3 {
        net.approve(id, v).unwrap();
    }
    assert_eq!(net.set().total_power(), 6);
    // Validator 0 alone holds 4 of 6, exactly two thirds, not more: it needs a second approval.
    let id = net.propose(add_change(&keypair("newcomer"), 1)).unwrap();
    net.approve(id, 0).unwrap();
    assert_eq!(net.status(id), ProposalStatus::Open);
    net.approve(id, 1).unwrap();
    assert_eq!(net.status(id), ProposalStatus::Applied { height: net.height });
}

#[test]
fn an_agencys_roles_change_only_by_a_two_thirds_vote_and_a_removed_role_stops_at_once() {
    let mut net = Net::new(3);
    let registrar = Accounts::new(&mut net.state).official("registrar", "land", &["registrar"]);
    assert!(publica_accounts::require_role(&net.state, &registrar, "registrar").is_ok());
    let set_before = net.state.get(VALIDATORS_KEY).unwrap();

    // Refused proposals, each with its reason.
    let roles = |r: &[&str]| r.iter().map(|r| r.parse().unwrap()).collect::<Vec<publica_types::Role>>();
    let change =
        |agency: &str, r: &[&str]| ValidatorChange::SetAgencyRoles { agency: agency.parse().unwrap(), roles: roles(r) };
    assert_eq!(code(net.propose(change("bank", &["court"]))), ErrorCode::UnknownAgency);
    assert_eq!(code(net.propose(change("land", &["registrar"]))), error::AGENCY_ROLES_UNCHANGED, "no change");
    assert_eq!(code(net.propose(change("land", &["admin"]))), publica_accounts::error::AGENCY_ROLES_INVALID);
    assert_eq!(code(net.propose(change("land", &["court", "court"]))), publica_accounts::error::AGENCY_ROLES_INVALID);
    let too_many: Vec<String> = (0..=publica_types::MAX_AGENCY_ROLES).map(|i| format!("r{i}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    assert_eq!(code(net.propose(change("land", &too_many))), publica_accounts::error::AGENCY_ROLES_INVALID);

    // Taking `registrar` from the land registry: two of three validators are not more than two thirds.
    let id = net.propose(change("land", &["surveyor"])).unwrap();
    net.approve(id, 0).unwrap();
    net.approve(id, 1).unwrap();
    assert_eq!(net.status(id), ProposalStatus::Open);
    assert!(publica_accounts::require_role(&net.state, &registrar, "registrar").is_ok());
    net.approve(id, 2).unwrap();
    assert_eq!(net.status(id), ProposalStatus::Applied { height: net.height });
    // At once, the official's role authorises nothing, though the official still holds it.
    let e = publica_accounts::require_role(&net.state, &registrar, "registrar").unwrap_err();
    assert_eq!(e.code, publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY);
    assert!(e.message.contains("may not grant"), "{e}");
    assert_eq!(publica_accounts::agency(&net.state, &agency()).unwrap().roles, roles(&["surveyor"]));
    // The validator set was not rewritten (so no set change is reported).
    assert_eq!(net.state.get(VALIDATORS_KEY).unwrap(), set_before);
    // Granting it back restores it.
    let id = net.propose(change("land", &["registrar", "surveyor"])).unwrap();
    for v in 0..3 {
        net.approve(id, v).unwrap();
    }
    assert!(publica_accounts::require_role(&net.state, &registrar, "registrar").is_ok());
}
