//! Calls: success writes state and events; every failure charges its fuel and writes nothing else; limits and
//! budgets are checked before anything runs.

use super::*;
use publica_contracts::call::MAX_INPUT_BYTES;
use publica_contracts::error;

#[test]
fn a_successful_call_writes_its_state_events_receipt_and_fuel() {
    let mut w = World::new();
    let id = w.deploy("counter", &counter(1, SUCCEED));
    let alice = w.alice;
    let receipt = w.call(alice, id, b"", FUEL).unwrap();
    assert!(receipt.succeeded());
    assert_eq!(receipt.status, Some(0));
    assert_eq!(receipt.output, 1i64.to_le_bytes());
    assert_eq!(receipt.output_len, 8);
    assert_eq!(receipt.events, 1);
    assert!(receipt.fuel_used > 0 && receipt.fuel_used < FUEL);
    assert_eq!(w.counter_value(id), Some(1));
    assert_eq!(w.value(id, b"who"), Some(alice.0.to_vec()), "the contract sees the transaction's sender");
    let second = w.call(alice, id, b"", FUEL).unwrap();
    assert_eq!(w.counter_value(id), Some(2));
    let (events, keys) = query::events(&w.state, id, 0, 10);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].0, 0);
    assert_eq!(events[1].1.topic, b"inc");
    assert_eq!(events[1].1.data, 2i64.to_le_bytes());
    assert_eq!(events[1].1.height, w.height);
    assert_eq!(keys.len(), 3, "the count and each event read");
    assert_eq!(query::events(&w.state, id, 1, 10).0.len(), 1, "a page starts where asked");
    assert_eq!(w.agency_fuel(&customs()), receipt.fuel_used + second.fuel_used);
    assert_eq!(w.sender_fuel(id, &alice), receipt.fuel_used + second.fuel_used);
}

#[test]
fn a_failing_call_charges_its_fuel_and_writes_nothing_else() {
    for (end, kind) in [(RETURN_1, "status"), (TRAP, "trap"), (ABORT, "aborted"), (LOOP, "out_of_fuel")] {
        let mut w = World::new();
        let id = w.deploy("failing", &counter(1, end));
        let alice = w.alice;
        let fuel_limit = 50_000;
        let receipt = w.call(alice, id, b"", fuel_limit).unwrap();
        assert!(!receipt.succeeded(), "{kind}");
        assert_eq!(receipt.failure.as_ref().unwrap().kind, kind);
        assert_eq!(receipt.events, 0);
        if kind == "out_of_fuel" {
            assert_eq!(receipt.fuel_used, fuel_limit, "running out uses the whole limit");
        }
        if kind == "aborted" {
            assert!(receipt.failure.as_ref().unwrap().message.contains("inc"));
        }
        assert!(receipt.fuel_used > 0, "{kind}");
        assert!(w.contract_keys(id).is_empty(), "{kind}: the contract's writes were discarded");
        assert_eq!(query::event_count(&w.state, id).0, 0, "{kind}: no event was recorded");
        assert_eq!(w.agency_fuel(&customs()), receipt.fuel_used, "{kind}: the agency pays");
        assert_eq!(w.sender_fuel(id, &alice), receipt.fuel_used, "{kind}: the sender's allowance is used");
    }
}

#[test]
fn invalid_calls_are_refused_before_anything_runs() {
    let mut w = World::new();
    let id = w.deploy("counter", &counter(1, SUCCEED));
    let alice = w.alice;
    assert_eq!(code_of(w.call(alice, 42, b"", FUEL)), error::INSTANCE_NOT_FOUND);
    assert_eq!(code_of(w.call(alice, id, &vec![0; MAX_INPUT_BYTES + 1], FUEL)), error::INPUT_TOO_LARGE);
    assert_eq!(code_of(w.call(alice, id, b"", 0)), error::FUEL_LIMIT_INVALID);
    assert_eq!(code_of(w.call(alice, id, b"", FUEL + 1)), error::FUEL_ABOVE_INSTANCE_LIMIT);
    assert_eq!(w.agency_fuel(&customs()), 0);
}

#[test]
fn a_sender_has_a_daily_allowance_per_instance_and_it_renews_at_midnight_utc() {
    let mut w = World::new();
    let code_hash = w.upload(&counter(1, SUCCEED));
    let admin = w.admin;
    let call = ContractsCall::Deploy {
        name: "counter".into(),
        code_hash,
        fuel_per_call: 100_000,
        fuel_per_sender_day: 100_000,
    };
    w.run(admin, call).unwrap();
    let id = w.instance_named("counter").id;
    let (alice, bob) = (w.alice, w.bob);
    let used = w.call(alice, id, b"", 100_000).unwrap().fuel_used;
    // What is left is checked against the limit asked for, not against the fuel the call would use.
    assert_eq!(code_of(w.call(alice, id, b"", 100_000 - used + 1)), error::SENDER_DAILY_FUEL_EXHAUSTED);
    let rest = w.call(alice, id, b"", 100_000 - used).unwrap();
    assert_eq!(w.sender_fuel(id, &alice), used + rest.fuel_used);
    assert!(w.call(bob, id, b"", 100_000).is_ok(), "another sender has an allowance of their own");
    w.time_ms += schema::DAY_MS;
    assert!(w.call(alice, id, b"", 100_000).is_ok(), "a new day, a new allowance");
}

#[test]
fn an_agency_budget_per_day_bounds_all_its_instances() {
    let mut w = World::new();
    let mut small = policy();
    small.fuel_per_day = 120_000;
    tx::apply_policy(&mut w.state, &customs(), &small).unwrap();
    let first = w.deploy("first", &counter(1, SUCCEED));
    let second = w.deploy("second", &counter(2, SUCCEED));
    let (alice, bob) = (w.alice, w.bob);
    let used = w.call(alice, first, b"", 100_000).unwrap().fuel_used;
    assert_eq!(code_of(w.call(bob, second, b"", 120_000 - used + 1)), error::AGENCY_DAILY_FUEL_EXHAUSTED);
    let receipt = w.call(bob, second, b"", 120_000 - used).unwrap();
    assert_eq!(w.agency_fuel(&customs()), used + receipt.fuel_used);
    // Tax has no policy: no budget, so its instances (deployed by vote) cannot be called.
    let hash = sha256(&counter(1, SUCCEED));
    let mut fees = deployment("fees", hash);
    fees.agency = tax();
    let ctx = w.ctx(w.admin);
    let id = tx::apply_deploy(&mut w.state, &ctx, &fees, 1).unwrap();
    assert_eq!(code_of(w.call(alice, id, b"", 10_000)), error::AGENCY_DAILY_FUEL_EXHAUSTED);
    w.time_ms += schema::DAY_MS;
    assert!(w.call(alice, first, b"", 100_000).is_ok(), "the budget renews at midnight UTC");
}

#[test]
fn native_calls_answer_that_the_instance_holds_no_native_roles() {
    let mut w = World::new();
    let id = w.deploy("native", &native(1, SUCCEED));
    let alice = w.alice;
    let receipt = w.call(alice, id, b"", FUEL).unwrap();
    assert!(receipt.succeeded());
    assert_eq!(receipt.output, i32::from(error::NATIVE_CALLS_UNAVAILABLE.number()).to_le_bytes());
}

#[test]
fn a_contract_address_is_domain_separated_and_distinct_per_instance() {
    let a = publica_contracts::contract_address(0);
    let b = publica_contracts::contract_address(1);
    assert_ne!(a, b);
    assert_ne!(a, Address::ANONYMOUS);
    assert_eq!(a, publica_contracts::contract_address(0));
}
