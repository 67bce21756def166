//! Records and retention rules: registered by a controller of the vault's agency, a commitment once.

use publica_data::call::{DataCall, MAX_FIELDS, MAX_RETENTION_DAYS};
use publica_data::error as codes;
use publica_data::query::{self, Order, Page};
use publica_data::schema::{commitment_key, record_key, RecordState};
use publica_testkit::Accounts;
use publica_types::{Address, ErrorCode, TxOutcome};

use crate::{summary_commitment, World, HEALTH, TRIAL};

fn register(owner: Address, category: &str, commitment: [u8; 32], fields: u16) -> DataCall {
    DataCall::RegisterRecord { owner, category: category.into(), commitment, fields }
}

#[test]
fn a_controller_registers_a_record_and_a_commitment_only_once() {
    let mut w = World::new();
    let (alice, vault) = (w.alice, w.vault);
    let commitment = summary_commitment(&alice, HEALTH, 1);
    let registered_at = w.time_ms;
    assert_eq!(w.ok(vault, register(alice, HEALTH, commitment, 3)), TxOutcome::DataRecord { id: 1 });
    let record = w.record(1);
    assert_eq!(
        (record.owner, record.category.as_str(), record.commitment, record.fields),
        (alice, HEALTH, commitment, 3)
    );
    assert_eq!(
        (record.agency.as_str(), record.registered_by, record.registered_at_ms),
        ("hospital", vault, registered_at)
    );
    assert_eq!(record.state, RecordState::Active);
    let by_commitment = query::record_by_commitment(&w.state, &commitment);
    assert_eq!(by_commitment.value, Some(record.clone()));
    assert_eq!(by_commitment.keys, vec![commitment_key(&commitment), record_key(1)]);
    assert_eq!(query::record_by_commitment(&w.state, &[0; 32]).value, None);
    // Registered once, whoever asks again and for whichever owner.
    let bob = w.bob;
    w.refused(vault, register(alice, HEALTH, commitment, 3), codes::COMMITMENT_REGISTERED, "as record 1");
    w.refused(vault, register(bob, TRIAL, commitment, 5), codes::COMMITMENT_REGISTERED, "registered once");
    let second = w.register(alice, TRIAL, 2);
    let mine = query::owner_records(&w.state, &alice, Page::first(10, Order::OldestFirst)).unwrap();
    assert_eq!(mine.value.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1, second]);
    assert_eq!(mine.value.total, 2);
}

#[test]
fn registration_needs_a_controller_a_citizen_a_category_and_a_field_count() {
    let mut w = World::new();
    let (alice, vault, doctor) = (w.alice, w.vault, w.doctor);
    let rogue = Accounts::new(&mut w.state).official("rogue-vault", "rogue", &["data-controller"]);
    let commitment = [0x11; 32];
    w.refused(doctor, register(alice, HEALTH, commitment, 3), ErrorCode::MissingRole, "data-controller");
    w.refused(
        rogue,
        register(alice, HEALTH, commitment, 3),
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "may not grant",
    );
    let long = "c".repeat(65);
    for (category, text) in
        [("", "1 to 64 bytes"), (long.as_str(), "this one has 65"), ("Health", "'H'"), ("a/b", "'/'")]
    {
        w.refused(vault, register(alice, category, commitment, 3), codes::CATEGORY_INVALID, text);
    }
    for fields in [0, MAX_FIELDS as u16 + 1] {
        w.refused(vault, register(alice, HEALTH, commitment, fields), codes::FIELD_COUNT_INVALID, "1 to 64 fields");
    }
    for owner in [doctor, Address([0xab; 20])] {
        w.refused(vault, register(owner, HEALTH, commitment, 3), codes::OWNER_NOT_A_CITIZEN, "not an active citizen");
    }
    w.ok(vault, register(alice, HEALTH, commitment, MAX_FIELDS as u16));
}

#[test]
fn retention_rules_are_set_changed_and_cleared_by_the_agencys_controller() {
    let mut w = World::new();
    let (vault, doctor, customs) = (w.vault, w.doctor, w.customs_vault);
    let set = |keep_days| DataCall::SetRetention { category: TRIAL.into(), keep_days };
    w.ok(vault, set(3_650));
    let hospital = "hospital".parse().unwrap();
    let rule = query::retention(&w.state, &hospital, TRIAL).value.unwrap();
    assert_eq!((rule.keep_days, rule.set.by, rule.category.as_str()), (3_650, vault, TRIAL));
    w.ok(vault, set(MAX_RETENTION_DAYS));
    assert_eq!(query::retention(&w.state, &hospital, TRIAL).value.unwrap().keep_days, MAX_RETENTION_DAYS);
    // The customs' rule is its own.
    w.ok(customs, set(10));
    assert_eq!(query::retention(&w.state, &hospital, TRIAL).value.unwrap().keep_days, MAX_RETENTION_DAYS);
    w.refused(vault, set(MAX_RETENTION_DAYS + 1), codes::RETENTION_OUT_OF_RANGE, "1 to 36500 days");
    w.refused(doctor, set(10), ErrorCode::MissingRole, "data-controller");
    w.refused(vault, DataCall::SetRetention { category: "x y".into(), keep_days: 1 }, codes::CATEGORY_INVALID, "' '");
    w.ok(vault, set(0));
    assert_eq!(query::retention(&w.state, &hospital, TRIAL).value, None);
    w.refused(vault, set(0), codes::RETENTION_NOT_SET, "nothing to clear");
}
