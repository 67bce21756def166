//! Nested calls: the callee's writes merge into the caller's on success, and are discarded on failure.

use super::*;

#[test]
fn a_successful_callee_writes_with_its_caller_and_sees_the_caller_as_sender() {
    let mut w = World::new();
    let callee = w.deploy("callee", &counter(1, SUCCEED));
    let caller_id = w.deploy("caller", &caller());
    let alice = w.alice;
    let receipt = w.call(alice, caller_id, b"callee", FUEL).unwrap();
    assert!(receipt.succeeded());
    assert_eq!(receipt.events, 1, "the callee's event is kept");
    assert_eq!(w.value(caller_id, b"r"), Some(8i64.to_le_bytes().to_vec()), "the callee's output length");
    assert_eq!(w.counter_value(callee), Some(1));
    let caller_address = publica_contracts::contract_address(caller_id);
    assert_eq!(w.value(callee, b"who"), Some(caller_address.0.to_vec()));
    assert_eq!(query::events(&w.state, callee, 0, 10).0.len(), 1, "the event is the callee's");
}

#[test]
fn a_failing_callee_is_rolled_back_while_its_caller_goes_on() {
    let mut w = World::new();
    let callee = w.deploy("callee", &counter(1, RETURN_1));
    let caller_id = w.deploy("caller", &caller());
    let alice = w.alice;
    let receipt = w.call(alice, caller_id, b"callee", FUEL).unwrap();
    assert!(receipt.succeeded());
    assert_eq!(receipt.events, 0);
    assert_eq!(w.value(caller_id, b"r"), Some((-1i64).to_le_bytes().to_vec()));
    assert!(w.contract_keys(callee).is_empty(), "the failed callee wrote nothing");
}

#[test]
fn an_unknown_or_frozen_callee_is_refused_to_the_caller() {
    let mut w = World::new();
    let callee = w.deploy("callee", &counter(1, SUCCEED));
    let caller_id = w.deploy("caller", &caller());
    let (alice, admin) = (w.alice, w.admin);
    w.call(alice, caller_id, b"nobody", FUEL).unwrap();
    assert_eq!(w.value(caller_id, b"r"), Some((-2i64).to_le_bytes().to_vec()));
    w.run(admin, ContractsCall::Freeze { instance: callee }).unwrap();
    w.call(alice, caller_id, b"callee", FUEL).unwrap();
    assert_eq!(w.value(caller_id, b"r"), Some((-2i64).to_le_bytes().to_vec()));
    assert!(w.contract_keys(callee).is_empty());
}

#[test]
fn a_caller_that_fails_after_its_callee_succeeded_discards_both() {
    let mut w = World::new();
    let callee = w.deploy("callee", &counter(1, SUCCEED));
    // A caller that calls "callee" and then traps.
    let failing = wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 1)
          (data (i32.const 100) "callee")
          (func (export "call") (result i32)
            (drop (call $call_contract (i32.const 100) (i32.const 6) (i32.const 0) (i32.const 0) (i32.const 200)
              (i32.const 64)))
            unreachable))"#
    ))
    .unwrap();
    let caller_id = w.deploy("caller", &failing);
    let alice = w.alice;
    let receipt = w.call(alice, caller_id, b"", FUEL).unwrap();
    assert_eq!(receipt.failure.unwrap().kind, "trap");
    assert!(w.contract_keys(callee).is_empty());
    assert_eq!(query::event_count(&w.state, callee).0, 0);
}

#[test]
fn a_callee_sees_its_calling_contracts_roles_only_while_the_agency_may_grant_them() {
    let mut w = World::new();
    // Writes `has_role("inspector")` under its key `h`.
    let reader = wat::parse_str(format!(
        r#"(module {IMPORTS}
          (memory (export "memory") 1)
          (data (i32.const 0) "h")
          (data (i32.const 16) "inspector")
          (func (export "call") (result i32)
            (i32.store (i32.const 32) (call $has_role (i32.const 16) (i32.const 9)))
            (call $state_set (i32.const 0) (i32.const 1) (i32.const 32) (i32.const 4))
            (i32.const 0)))"#
    ))
    .unwrap();
    let reader_id = w.deploy("reader", &reader);
    let hash = w.upload(&caller());
    let mut vote = deployment("caller", hash);
    vote.roles = vec!["inspector".parse().unwrap()];
    let ctx = w.ctx(w.admin);
    let caller_id = tx::apply_deploy(&mut w.state, &ctx, &vote, 1).unwrap();
    let alice = w.alice;
    w.call(alice, caller_id, b"reader", FUEL).unwrap();
    assert_eq!(w.value(reader_id, b"h"), Some(1i32.to_le_bytes().to_vec()), "the caller's granted role");
    // The agency may no longer grant the role: its instance's grant no longer counts, as for an official.
    Accounts::new(&mut w.state).agency_registering_citizens("customs", &["contract-developer"]);
    w.call(alice, caller_id, b"reader", FUEL).unwrap();
    assert_eq!(w.value(reader_id, b"h"), Some(0i32.to_le_bytes().to_vec()));
}
