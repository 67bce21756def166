//! Native calls: run by the node's dispatcher as the contract's account, an official of its agency with exactly
//! the roles governance granted, their writes kept or dropped with the contract's.

use publica_accounts::schema::account_key;
use publica_contracts::contract_address;
use publica_contracts::error;
use publica_contracts::host::MAX_NATIVE_CALLS;
use publica_types::{ErrorCode, StateWrite};

use super::*;

/// A dispatcher for the tests: every call needs `inspector`; `refuse` is refused, `half` writes then is refused,
/// `account` writes the sender's account record, any other call `c` writes `tst/{c}` with the sender.
struct Inspections;

impl NativeCalls for Inspections {
    fn submit(&self, state: &mut dyn StateWrite, ctx: &CallContext, call: &[u8]) -> Result<(), TxError> {
        publica_accounts::require_role(state, &ctx.sender, "inspector")?;
        match call {
            b"refuse" => Err(TxError::new(ErrorCode::InvalidArgument, "refused")),
            b"half" => {
                state.put(b"tst/half".to_vec(), vec![1]);
                Err(TxError::new(ErrorCode::InvalidArgument, "refused after a write"))
            }
            b"account" => {
                state.put(account_key(&ctx.sender), vec![1]);
                Ok(())
            }
            other => {
                state.put([b"tst/".as_slice(), other].concat(), ctx.sender.0.to_vec());
                Ok(())
            }
        }
    }
}

static INSPECTIONS: Inspections = Inspections;

/// A world whose native calls run on [`Inspections`], with `code` deployed by a vote holding `roles`.
fn world_with(code: &[u8], roles: &[&str]) -> (World, u64) {
    let mut w = World::new();
    w.native = &INSPECTIONS;
    let hash = w.upload(code);
    let mut vote = deployment("inspect", hash);
    vote.roles = roles.iter().map(|r| r.parse().unwrap()).collect();
    let ctx = w.ctx(w.admin);
    let id = tx::apply_deploy(&mut w.state, &ctx, &vote, 1).unwrap();
    (w, id)
}

fn answer(code: Code) -> Vec<u8> {
    i32::from(code.number()).to_le_bytes().to_vec()
}

#[test]
fn a_native_call_acts_as_the_contract_with_the_roles_governance_granted() {
    let (mut w, id) = world_with(&native(1, SUCCEED), &["inspector"]);
    let alice = w.alice;
    let receipt = w.call(alice, id, b"seal", FUEL).unwrap();
    assert!(receipt.succeeded(), "{receipt:?}");
    assert_eq!(receipt.output, 0i32.to_le_bytes(), "the native call is done");
    let contract = contract_address(id);
    assert_eq!(raw(&w.state, b"tst/seal"), Some(contract.0.to_vec()), "it ran as the contract's account");
    assert_eq!(raw(&w.state, &account_key(&contract)), None, "the contract's account is presented, never stored");
    assert_eq!(w.value(id, b"after"), Some(0i32.to_le_bytes().to_vec()));
}

#[test]
fn a_failing_contract_drops_what_its_native_calls_wrote() {
    let (mut w, id) = world_with(&native(1, RETURN_1), &["inspector"]);
    let alice = w.alice;
    let receipt = w.call(alice, id, b"seal", FUEL).unwrap();
    assert!(!receipt.succeeded());
    assert_eq!(raw(&w.state, b"tst/seal"), None);
    assert_eq!(w.value(id, b"after"), None);
    assert!(receipt.fuel_used > 5_000, "the native call's fuel is charged: {}", receipt.fuel_used);
    assert_eq!(w.sender_fuel(id, &alice), receipt.fuel_used);
}

#[test]
fn a_refused_native_call_answers_its_code_and_writes_nothing() {
    let (mut w, id) = world_with(&native(1, SUCCEED), &["inspector"]);
    let alice = w.alice;
    let receipt = w.call(alice, id, b"half", FUEL).unwrap();
    assert!(receipt.succeeded(), "the contract goes on after a refusal");
    assert_eq!(receipt.output, answer(ErrorCode::InvalidArgument.into()));
    assert_eq!(raw(&w.state, b"tst/half"), None, "a refused call's partial writes are dropped");
    assert_eq!(w.value(id, b"after"), Some(answer(ErrorCode::InvalidArgument.into())));
}

#[test]
fn a_native_call_needs_the_role_on_the_instance_not_on_the_sender() {
    // The instance holds a role, not the one the module asks for; the caller holding it changes nothing.
    let (mut w, id) = world_with(&native(1, SUCCEED), &["contract-developer"]);
    let inspector = Accounts::new(&mut w.state).official("inspector", "customs", &["inspector"]);
    let receipt = w.call(inspector, id, b"seal", FUEL).unwrap();
    assert_eq!(receipt.output, answer(ErrorCode::MissingRole.into()));
    assert_eq!(raw(&w.state, b"tst/seal"), None);
}

#[test]
fn an_instance_without_roles_submits_nothing() {
    let (mut w, id) = world_with(&native(1, SUCCEED), &[]);
    let alice = w.alice;
    let receipt = w.call(alice, id, b"seal", FUEL).unwrap();
    assert_eq!(receipt.output, answer(error::NATIVE_CALLS_UNAVAILABLE));
    assert_eq!(raw(&w.state, b"tst/seal"), None);
}

#[test]
fn a_native_call_may_not_write_the_contracts_account() {
    let (mut w, id) = world_with(&native(1, SUCCEED), &["inspector"]);
    let alice = w.alice;
    let receipt = w.call(alice, id, b"account", FUEL).unwrap();
    assert_eq!(receipt.output, answer(error::NATIVE_CALL_NOT_PERMITTED));
    assert_eq!(raw(&w.state, &account_key(&contract_address(id))), None);
}

#[test]
fn native_calls_are_bounded_per_transaction() {
    let (mut w, id) = world_with(&native(MAX_NATIVE_CALLS, SUCCEED), &["inspector"]);
    let alice = w.alice;
    let receipt = w.call(alice, id, b"seal", FUEL).unwrap();
    assert_eq!(receipt.output, 0i32.to_le_bytes(), "the limit itself is allowed");

    let (mut w, id) = world_with(&native(MAX_NATIVE_CALLS + 1, SUCCEED), &["inspector"]);
    let receipt = w.call(alice, id, b"seal", FUEL).unwrap();
    assert_eq!(receipt.output, answer(error::NATIVE_CALL_LIMIT));
}

#[test]
fn a_frozen_instances_account_is_inactive() {
    let (w, id) = world_with(&native(1, SUCCEED), &["inspector"]);
    let mut instance = w.instance(id);
    assert!(publica_contracts::host::contract_account(&instance).active);
    instance.frozen = true;
    assert!(!publica_contracts::host::contract_account(&instance).active);
}
