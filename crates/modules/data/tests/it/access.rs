//! Access requests: always written once the sender may ask, pending or refused; answered by the record's vault,
//! with the basis checked again; every one in the citizen's log.

use publica_data::call::{Basis, DataCall, Grantee, RecipientKey, MAX_RELEASE_BYTES, ML_KEM_768_KEY_BYTES};
use publica_data::error as codes;
use publica_data::query::{self, Order, Page};
use publica_data::schema::{self, AccessState, Refusal};
use publica_data::{QueryError, MAX_PENDING_PER_RECORD};
use publica_testkit::Accounts;
use publica_types::{Address, ErrorCode};

use crate::{fulfil, recipient, request, World, HEALTH, RESEARCH, TREATMENT, TRIAL};

fn log(w: &World, owner: &Address, page: Page) -> Vec<(u64, AccessState)> {
    let listed = query::owner_accesses(&w.state, owner, page).unwrap().value;
    listed.items.into_iter().map(|a| (a.id, a.state)).collect()
}

#[test]
fn the_citizens_log_lists_granted_and_refused_requests_and_the_vault_queues_the_granted() {
    let mut w = World::new();
    let (alice, doctor, nurse, vault) = (w.alice, w.doctor, w.nurse, w.vault);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let asked_at = w.time_ms;
    let granted = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    // The nurse is of the same hospital, but the consent names the doctor.
    let refused = w.request_refused(nurse, record, TREATMENT, Basis::Consent(consent), "wrong_grantee");
    let access = w.access(granted);
    assert_eq!((access.record, access.owner, access.agency.as_str()), (record, alice, "hospital"));
    assert_eq!((access.requester, access.requester_agency.as_ref().map(|a| a.as_str())), (doctor, Some("hospital")));
    assert_eq!(
        (access.requested_at_ms, access.fields.clone(), access.recipient.clone()),
        (asked_at, None, recipient())
    );
    let newest = Page::first(10, Order::NewestFirst);
    assert_eq!(
        log(&w, &alice, newest),
        vec![(refused, AccessState::Refused { code: Refusal::WrongGrantee }), (granted, AccessState::Pending)]
    );
    let queue = query::pending_accesses(&w.state, &"hospital".parse().unwrap(), newest).unwrap();
    assert_eq!(queue.value.items.iter().map(|a| a.id).collect::<Vec<_>>(), vec![granted]);
    let release_at = w.time_ms;
    w.fulfil(granted);
    let released =
        AccessState::Released { by: vault, at_ms: release_at, release_sha256: [0x5e; 32], release_bytes: 4_096 };
    assert_eq!(w.access(granted).state, released);
    assert!(query::pending_accesses(&w.state, &"hospital".parse().unwrap(), newest).unwrap().value.items.is_empty());
    assert_eq!(log(&w, &alice, Page::first(10, Order::OldestFirst))[0], (granted, released));
    assert!(log(&w, &w.bob.clone(), newest).is_empty());
}

#[test]
fn the_log_is_read_a_page_at_a_time_with_its_keys() {
    let mut w = World::new();
    let (alice, doctor) = (w.alice, w.doctor);
    let record = w.register(alice, HEALTH, 1);
    let ids: Vec<u64> =
        (0..5).map(|_| w.request_refused(doctor, record, TREATMENT, Basis::Consent(42), "basis_not_found")).collect();
    let first = query::owner_accesses(&w.state, &alice, Page::first(2, Order::NewestFirst)).unwrap();
    assert_eq!(first.value.items.iter().map(|a| a.id).collect::<Vec<_>>(), vec![ids[4], ids[3]]);
    assert_eq!((first.value.total, first.value.next), (5, Some(ids[3])));
    let list = schema::owner_accesses(&alice);
    assert_eq!(
        first.keys,
        vec![
            list.head_key(),
            list.node_key(ids[4]),
            list.node_key(ids[3]),
            schema::access_key(ids[4]),
            schema::access_key(ids[3])
        ]
    );
    let next = Page { after: first.value.next, limit: 2, order: Order::NewestFirst };
    let second = query::owner_accesses(&w.state, &alice, next).unwrap().value;
    assert_eq!(second.items.iter().map(|a| a.id).collect::<Vec<_>>(), vec![ids[2], ids[1]]);
    let last = query::owner_accesses(&w.state, &alice, Page { after: second.next, ..next }).unwrap().value;
    assert_eq!((last.items.iter().map(|a| a.id).collect::<Vec<_>>(), last.next), (vec![ids[0]], None));
    let oldest =
        query::owner_accesses(&w.state, &alice, Page { after: Some(ids[1]), limit: 500, order: Order::OldestFirst });
    assert_eq!(oldest.unwrap().value.items.iter().map(|a| a.id).collect::<Vec<_>>(), ids[2..].to_vec());
    let bob = w.bob;
    assert_eq!(
        query::owner_accesses(&w.state, &bob, Page { after: Some(ids[0]), limit: 5, order: Order::OldestFirst }),
        Err(QueryError::NotListed { after: ids[0] })
    );
}

#[test]
fn a_revoked_consent_refuses_the_next_request() {
    let mut w = World::new();
    let (alice, doctor) = (w.alice, w.doctor);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let first = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    w.fulfil(first);
    w.ok(alice, DataCall::RevokeConsent { consent });
    w.request_refused(doctor, record, TREATMENT, Basis::Consent(consent), "consent_revoked");
}

#[test]
fn an_access_pending_when_its_consent_is_revoked_lapses_instead_of_being_released() {
    let mut w = World::new();
    let (alice, doctor, vault) = (w.alice, w.doctor, w.vault);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Agency("hospital".parse().unwrap()), HEALTH, TREATMENT);
    let id = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    w.ok(alice, DataCall::RevokeConsent { consent });
    let at_ms = w.time_ms;
    w.ok(vault, fulfil(id));
    assert_eq!(w.access(id).state, AccessState::Lapsed { at_ms, reason: Refusal::ConsentRevoked });
    let hospital = "hospital".parse().unwrap();
    assert!(query::pending_accesses(&w.state, &hospital, Page::first(5, Order::OldestFirst))
        .unwrap()
        .value
        .items
        .is_empty());
    assert_eq!(query::record(&w.state, record).value.unwrap().id, record);
    // No longer pending: the doctor may ask again, and is refused.
    w.request_refused(doctor, record, TREATMENT, Basis::Consent(consent), "consent_revoked");
    w.refused(vault, fulfil(id), codes::ACCESS_NOT_PENDING, "lapsed");
}

#[test]
fn a_requester_has_one_pending_access_per_record() {
    let mut w = World::new();
    let (alice, doctor, nurse) = (w.alice, w.doctor, w.nurse);
    let record = w.register(alice, HEALTH, 1);
    let other = w.register(alice, HEALTH, 2);
    let consent = w.consent(alice, alice, Grantee::Agency("hospital".parse().unwrap()), HEALTH, TREATMENT);
    let basis = Basis::Consent(consent);
    let first = w.request_pending(doctor, record, TREATMENT, basis.clone());
    w.refused(doctor, request(record, TREATMENT, basis.clone()), codes::DUPLICATE_REQUEST, "still pending");
    // Another requester, or another record, is another access.
    w.request_pending(nurse, record, TREATMENT, basis.clone());
    w.request_pending(doctor, other, TREATMENT, basis.clone());
    w.fulfil(first);
    w.request_pending(doctor, record, TREATMENT, basis);
}

#[test]
fn no_authority_an_unknown_record_or_a_malformed_request_writes_nothing() {
    let mut w = World::new();
    let (alice, bob, vault, pretender, doctor) = (w.alice, w.bob, w.vault, w.pretender, w.doctor);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let basis = Basis::Consent(consent);
    w.refused(vault, request(record, TREATMENT, basis.clone()), ErrorCode::MissingRole, "data-requester");
    w.refused(alice, request(record, TREATMENT, basis.clone()), ErrorCode::MissingRole, "data-requester");
    w.refused(
        pretender,
        request(record, TREATMENT, basis.clone()),
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "may not grant",
    );
    w.refused(doctor, request(99, TREATMENT, basis.clone()), codes::RECORD_NOT_FOUND, "number 99");
    w.refused(doctor, request(record, "Treatment", basis.clone()), codes::PURPOSE_INVALID, "'T'");
    let short = RecipientKey { x25519: [9; 32], ml_kem: vec![7; ML_KEM_768_KEY_BYTES - 1] };
    let zero = RecipientKey { x25519: [0; 32], ml_kem: vec![7; ML_KEM_768_KEY_BYTES] };
    for (key, text) in [(short, "this one 1183"), (zero, "all zeros")] {
        let call = DataCall::RequestAccess { record, purpose: TREATMENT.into(), basis: basis.clone(), recipient: key };
        w.refused(doctor, call, codes::RECIPIENT_KEY_INVALID, text);
    }
    // The owner's own basis: only the owner or a representative.
    w.refused(bob, request(record, TREATMENT, Basis::Owner), codes::NOT_OWNER_OR_REPRESENTATIVE, "current appointment");
    w.refused(doctor, request(record, TREATMENT, Basis::Owner), codes::NOT_OWNER_OR_REPRESENTATIVE, "representative");
    assert!(log(&w, &alice, Page::first(10, Order::NewestFirst)).is_empty(), "none of them is an access");
}

#[test]
fn every_consent_that_does_not_hold_refuses_with_its_reason() {
    let mut w = World::new();
    let (alice, bob, doctor, clinic_doctor) = (w.alice, w.bob, w.doctor, w.clinic_doctor);
    let record = w.register(alice, HEALTH, 1);
    let trial = w.register(alice, TRIAL, 2);
    let agency = w.consent(alice, alice, Grantee::Agency("hospital".parse().unwrap()), HEALTH, TREATMENT);
    let bobs = w.consent(bob, bob, Grantee::Agency("hospital".parse().unwrap()), HEALTH, TREATMENT);
    w.request_pending(doctor, record, TREATMENT, Basis::Consent(agency));
    w.request_refused(clinic_doctor, record, TREATMENT, Basis::Consent(agency), "wrong_grantee");
    w.request_refused(doctor, trial, TREATMENT, Basis::Consent(agency), "wrong_category");
    w.request_refused(doctor, trial, RESEARCH, Basis::Consent(agency), "wrong_category");
    let nurse = w.nurse;
    w.request_refused(nurse, record, RESEARCH, Basis::Consent(agency), "wrong_purpose");
    w.request_refused(nurse, record, TREATMENT, Basis::Consent(bobs), "other_owner");
    w.request_refused(nurse, record, TREATMENT, Basis::Consent(77), "basis_not_found");
    // A consent that runs out.
    let until_ms = w.time_ms + 2_000;
    let call = DataCall::GrantConsent {
        owner: alice,
        grantee: Grantee::Account(clinic_doctor),
        category: HEALTH.into(),
        purpose: TREATMENT.into(),
        until_ms,
    };
    let publica_types::TxOutcome::DataConsent { id: short } = w.ok(alice, call) else { panic!("a consent") };
    w.request_pending(clinic_doctor, record, TREATMENT, Basis::Consent(short));
    assert_eq!(w.time_ms, until_ms);
    let other_record = w.register(alice, HEALTH, 3);
    w.request_refused(clinic_doctor, other_record, TREATMENT, Basis::Consent(short), "expired");
}

#[test]
fn the_owner_and_their_representative_read_the_owners_record() {
    let mut w = World::new();
    let (alice, guardian, judge, vault) = (w.alice, w.guardian, w.judge, w.vault);
    let record = w.register(alice, HEALTH, 1);
    let own = w.request_pending(alice, record, "personal-copy", Basis::Owner);
    assert_eq!(w.access(own).requester_agency, None);
    w.fulfil(own);
    w.ok(
        judge,
        DataCall::AppointRepresentative { citizen: alice, representative: guardian, until_ms: w.time_ms + 100_000 },
    );
    let for_her = w.request_pending(guardian, record, "personal-copy", Basis::Owner);
    // The appointment ends before the vault answers: the access lapses.
    w.ok(judge, DataCall::EndRepresentation { citizen: alice, representative: guardian });
    let at_ms = w.time_ms;
    w.ok(vault, fulfil(for_her));
    assert_eq!(w.access(for_her).state, AccessState::Lapsed { at_ms, reason: Refusal::NotOwnerOrRepresentative });
}

#[test]
fn only_a_controller_of_the_records_agency_answers_a_pending_access() {
    let mut w = World::new();
    let (alice, doctor, vault, customs, nurse) = (w.alice, w.doctor, w.vault, w.customs_vault, w.nurse);
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let id = w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
    let refused = w.request_refused(nurse, record, TREATMENT, Basis::Consent(consent), "wrong_grantee");
    w.refused(customs, fulfil(id), codes::NOT_THE_RECORDS_AGENCY, "record of hospital");
    w.refused(doctor, fulfil(id), ErrorCode::MissingRole, "data-controller");
    w.refused(vault, fulfil(404), codes::ACCESS_NOT_FOUND, "number 404");
    w.refused(vault, fulfil(refused), codes::ACCESS_NOT_PENDING, "refused: wrong_grantee");
    for release_bytes in [0, MAX_RELEASE_BYTES + 1] {
        let call = DataCall::FulfilAccess { access: id, release_sha256: [1; 32], release_bytes };
        w.refused(vault, call, codes::RELEASE_SIZE_INVALID, "a sealed release has 1 to");
    }
    let decline = |reason: &str| DataCall::DeclineAccess { access: id, reason_code: reason.into() };
    w.refused(vault, decline("Unreadable"), codes::REASON_CODE_INVALID, "'U'");
    w.refused(vault, decline(""), codes::REASON_CODE_INVALID, "1 to 64 bytes");
    w.refused(customs, decline("record_unreadable"), codes::NOT_THE_RECORDS_AGENCY, "hospital");
    let at_ms = w.time_ms;
    w.ok(vault, decline("record_unreadable"));
    let declined = AccessState::Declined { by: vault, at_ms, reason_code: "record_unreadable".into() };
    assert_eq!(w.access(id).state, declined);
    w.refused(vault, decline("record_unreadable"), codes::ACCESS_NOT_PENDING, "declined at");
    w.refused(vault, fulfil(id), codes::ACCESS_NOT_PENDING, "no longer pending");
    // Declined: the doctor may ask again.
    w.request_pending(doctor, record, TREATMENT, Basis::Consent(consent));
}

#[test]
fn a_record_has_a_bounded_number_of_pending_accesses_and_the_next_request_is_written_refused() {
    let mut w = World::new();
    let alice = w.alice;
    let record = w.register(alice, HEALTH, 1);
    let consent = w.consent(alice, alice, Grantee::Agency("hospital".parse().unwrap()), HEALTH, TREATMENT);
    let names: Vec<String> = (0..=MAX_PENDING_PER_RECORD).map(|i| format!("requester-{i}")).collect();
    let mut accounts = Accounts::new(&mut w.state);
    let requesters: Vec<Address> =
        names.iter().map(|n| accounts.official(n, "hospital", &["data-requester"])).collect();
    for requester in &requesters[..MAX_PENDING_PER_RECORD as usize] {
        w.request_pending(*requester, record, TREATMENT, Basis::Consent(consent));
    }
    let last = requesters[MAX_PENDING_PER_RECORD as usize];
    let full = w.request_refused(last, record, TREATMENT, Basis::Consent(consent), "record_queue_full");
    assert_eq!(schema::record_pending(record).head(&w.state).count, MAX_PENDING_PER_RECORD);
    assert_eq!(w.access(full).state, AccessState::Refused { code: Refusal::RecordQueueFull });
}
