//! Erasure: ordered by the owner (or their representative) or due by retention, recorded by the record's vault;
//! the record becomes a tombstone that keeps its commitment, and its pending accesses lapse.

use publica_data::call::{Basis, DataCall, ErasureOrder, Grantee, DAY_MS};
use publica_data::error as codes;
use publica_data::query::{self, Order, Page};
use publica_data::schema::{AccessState, RecordState, Refusal};
use publica_types::ErrorCode;

use crate::{fulfil, summary_commitment, World, HEALTH, TREATMENT, TRIAL};

fn erase(record: u64, order: ErasureOrder) -> DataCall {
    DataCall::RecordErasure { record, order, statement_sha256: [0xde; 32] }
}

#[test]
fn an_erasure_lapses_pending_accesses_and_the_record_keeps_its_commitment() {
    let mut w = World::new();
    let (alice, doctor, nurse, vault) = (w.alice, w.doctor, w.nurse, w.vault);
    let record = w.register(alice, HEALTH, 1);
    let before = w.record(record);
    let consent = w.consent(alice, alice, Grantee::Agency("hospital".parse().unwrap()), HEALTH, TREATMENT);
    let first = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    let second = w.request_pending(nurse, record, TREATMENT, Basis::Consent(consent));
    let ordered_at = w.time_ms;
    w.ok(alice, DataCall::OrderErasure { record });
    assert_eq!(w.record(record).state, RecordState::ErasureOrdered { at_ms: ordered_at, by: alice });
    let hospital = "hospital".parse().unwrap();
    let queue = query::pending_erasures(&w.state, &hospital, Page::first(10, Order::OldestFirst)).unwrap().value;
    assert_eq!(queue.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![record]);
    let clinic_doctor = w.clinic_doctor;
    w.request_refused(clinic_doctor, record, TREATMENT, Basis::Consent(consent), "erasure_ordered");
    let erased_at = w.time_ms;
    w.ok(vault, erase(record, ErasureOrder::Owner));
    let tombstone = w.record(record);
    assert_eq!(
        tombstone.state,
        RecordState::Erased {
            ordered_at_ms: ordered_at,
            ordered_by: Some(alice),
            erased_at_ms: erased_at,
            order: ErasureOrder::Owner,
            by: vault,
            statement_sha256: [0xde; 32],
        }
    );
    assert_eq!(
        (tombstone.commitment, tombstone.owner, tombstone.fields),
        (before.commitment, before.owner, before.fields)
    );
    assert_eq!(tombstone.commitment, summary_commitment(&alice, HEALTH, 1));
    assert_eq!(query::record_by_commitment(&w.state, &before.commitment).value.map(|r| r.id), Some(record));
    for id in [first, second] {
        assert_eq!(w.access(id).state, AccessState::Lapsed { at_ms: erased_at, reason: Refusal::RecordErased });
    }
    assert!(query::pending_accesses(&w.state, &hospital, Page::first(10, Order::OldestFirst))
        .unwrap()
        .value
        .items
        .is_empty());
    assert!(query::pending_erasures(&w.state, &hospital, Page::first(10, Order::OldestFirst))
        .unwrap()
        .value
        .items
        .is_empty());
    w.request_refused(doctor, record, TREATMENT, Basis::Consent(consent), "record_erased");
    w.refused(alice, DataCall::OrderErasure { record }, codes::RECORD_ALREADY_ERASED, "was erased at");
    w.refused(vault, erase(record, ErasureOrder::Owner), codes::RECORD_ALREADY_ERASED, "was erased at");
    w.refused(vault, fulfil(first), codes::ACCESS_NOT_PENDING, "lapsed");
}

#[test]
fn a_pending_access_lapses_at_fulfil_once_the_erasure_is_ordered() {
    let mut w = World::new();
    let (alice, doctor, vault) = (w.alice, w.doctor, w.vault);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let id = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    w.ok(alice, DataCall::OrderErasure { record });
    let at_ms = w.time_ms;
    w.ok(vault, fulfil(id));
    assert_eq!(w.access(id).state, AccessState::Lapsed { at_ms, reason: Refusal::ErasureOrdered });
}

#[test]
fn only_the_owner_or_a_representative_orders_and_only_the_records_vault_records_an_erasure() {
    let mut w = World::new();
    let (alice, bob, doctor, vault, customs, guardian, judge) =
        (w.alice, w.bob, w.doctor, w.vault, w.customs_vault, w.guardian, w.judge);
    let record = w.register(alice, HEALTH, 1);
    w.refused(bob, DataCall::OrderErasure { record }, codes::NOT_OWNER_OR_REPRESENTATIVE, "current appointment");
    w.refused(guardian, DataCall::OrderErasure { record }, codes::NOT_OWNER_OR_REPRESENTATIVE, "representative");
    w.refused(alice, DataCall::OrderErasure { record: 31 }, codes::RECORD_NOT_FOUND, "number 31");
    w.refused(vault, erase(31, ErasureOrder::Owner), codes::RECORD_NOT_FOUND, "number 31");
    w.refused(vault, erase(record, ErasureOrder::Owner), codes::ERASURE_NOT_ORDERED, "nobody ordered");
    let until = w.time_ms + DAY_MS;
    w.ok(judge, DataCall::AppointRepresentative { citizen: alice, representative: guardian, until_ms: until });
    w.ok(guardian, DataCall::OrderErasure { record });
    assert!(matches!(w.record(record).state, RecordState::ErasureOrdered { by, .. } if by == guardian));
    w.refused(alice, DataCall::OrderErasure { record }, codes::ERASURE_ALREADY_ORDERED, "vault is to erase it");
    w.refused(customs, erase(record, ErasureOrder::Owner), codes::NOT_THE_RECORDS_AGENCY, "held by hospital");
    w.refused(doctor, erase(record, ErasureOrder::Owner), ErrorCode::MissingRole, "data-controller");
    w.ok(vault, erase(record, ErasureOrder::Owner));
}

#[test]
fn retention_erases_a_record_only_once_its_time_has_passed() {
    let mut w = World::new();
    let (alice, vault) = (w.alice, w.vault);
    w.ok(vault, DataCall::SetRetention { category: TRIAL.into(), keep_days: 30 });
    let registered_at = w.time_ms;
    let record = w.register(alice, TRIAL, 1);
    let kept = w.register(alice, HEALTH, 2);
    w.refused(vault, erase(record, ErasureOrder::Retention), codes::RETENTION_NOT_ELAPSED, "kept 30 days");
    w.wait_days(29);
    w.refused(vault, erase(record, ErasureOrder::Retention), codes::RETENTION_NOT_ELAPSED, "until");
    w.wait_days(1);
    w.refused(vault, erase(kept, ErasureOrder::Retention), codes::RETENTION_NOT_SET, "no retention rule");
    let erased_at = w.time_ms;
    w.ok(vault, erase(record, ErasureOrder::Retention));
    let RecordState::Erased { ordered_at_ms, ordered_by, erased_at_ms, order, .. } = w.record(record).state else {
        panic!("erased")
    };
    assert_eq!(
        (ordered_at_ms, ordered_by, erased_at_ms, order),
        (registered_at + 30 * DAY_MS, None, erased_at, ErasureOrder::Retention)
    );
    assert_eq!(w.record(kept).state, RecordState::Active);
}
