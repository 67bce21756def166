//! The vault's work against the data module's rules: ingest and its refusals, releases checked as a requester
//! checks them, studies, erasure on the owner's order and by retention, a node that is down, and restarts in the
//! middle of each step.

use std::sync::atomic::Ordering;

use publica_client::api::vault::RecordHolding;
use publica_client::data::{check_sealed_release, open_release, release_digest};
use publica_data::call::{Basis, DataCall, ErasureOrder, Grantee, DAY_MS};
use publica_data::schema::{AccessState, RecordState, Refusal};
use publica_types::TxOutcome;
use publica_vault::service::Pass;
use publica_vault::store::ReleaseState;
use publica_vault::{Ledger as _, VaultError};
use serde_json::json;

use crate::{World, HEALTH, RESEARCH, TREATMENT};

fn summary() -> serde_json::Value {
    json!({"blood_type": "O+", "allergies": ["penicillin"], "diagnosis": "asthma"})
}

/// Alice's health summary taken in and registered; its number.
fn ingested(w: &World, service: &publica_vault::Service) -> u64 {
    let ingested = service.ingest(w.ingest_request(w.alice, summary())).unwrap();
    assert!(ingested.committed);
    ingested.response.record.unwrap()
}

#[test]
fn a_record_is_taken_in_encrypted_and_registered_by_its_commitment() {
    let w = World::new();
    let service = w.service();
    let ingested = service.ingest(w.ingest_request(w.alice, summary())).unwrap();
    let id = ingested.response.record.expect("the registration is committed");
    assert!(ingested.committed && ingested.response.tx.is_some());
    let record = w.record(id);
    assert_eq!(record.commitment, ingested.response.commitment);
    assert_eq!((record.owner, record.fields, record.category.as_str()), (w.alice, 3, HEALTH));
    assert_eq!(record.registered_by, w.vault, "the vault's controller registers, whoever put the record in");
    assert_eq!(service.record_status(id).unwrap().state, RecordHolding::Held);
    let stored = service.store().record(&record.commitment).unwrap().unwrap();
    assert_eq!((stored.id, stored.registered_at_ms), (Some(id), Some(record.registered_at_ms)));
    let status = service.status().unwrap();
    assert_eq!((status.agency.as_str(), status.controller), ("hospital", w.vault));
}

#[test]
fn an_ingest_is_authorised_before_any_work_and_its_refusals_say_why() {
    let w = World::new();
    let service = w.service();
    let before = w.ledger.submitted.load(Ordering::SeqCst);
    let refused = |body| service.ingest(body).unwrap_err();

    // Stale, or from the future.
    let mut stale = w.ingest_request(w.alice, summary());
    stale.request.at_ms -= 6 * 60 * 1000;
    let e = refused(stale);
    assert!(matches!(e, VaultError::NotPermitted(_)) && e.to_string().contains("behind the vault's clock"), "{e}");
    // For another agency.
    let mut elsewhere = w.ingest_request(w.alice, summary());
    elsewhere.request.agency = "clinic".parse().unwrap();
    assert!(refused(elsewhere).to_string().contains("holds the records of agency hospital"));
    // Signed by a doctor, by a controller of another agency, or by someone not on the ledger: no standing, even
    // with fields that break the rules (the standing is judged first).
    let e = refused(w.ingest_by("doctor", w.doctor, w.alice, HEALTH, json!({"Bad Name": 1})));
    assert!(matches!(e, VaultError::NotPermitted(_)) && e.to_string().contains("official of clinic"), "{e}");
    let e = refused(w.ingest_by("other-vault", w.other_controller, w.alice, HEALTH, summary()));
    assert!(e.to_string().contains("not of hospital"), "{e}");
    let stranger = publica_testkit::keypair("stranger").address();
    let e = refused(w.ingest_by("stranger", stranger, w.alice, HEALTH, summary()));
    assert!(e.to_string().contains("not an active account"), "{e}");
    // Signed by another key than the controller's.
    let e = refused(w.ingest_by("doctor", w.registrar, w.alice, HEALTH, summary()));
    assert!(e.to_string().contains("signature does not verify"), "{e}");
    // A signature that is not one.
    let mut garbled = w.ingest_request(w.alice, summary());
    garbled.signature = "AAAA".into();
    assert!(matches!(refused(garbled), VaultError::Malformed(_)));
    // Well signed, but about someone who is not a citizen, or breaking the record rules.
    let e = refused(w.ingest_request(w.doctor, summary()));
    assert_eq!(e.code().as_str(), "owner_not_a_citizen", "{e}");
    let e = refused(w.ingest_by("registrar", w.registrar, w.alice, "Health", summary()));
    assert_eq!(e.code().as_str(), "data_category_invalid", "{e}");
    let e = refused(w.ingest_request(w.alice, json!({})));
    assert_eq!(e.code().as_str(), "record_field_count_invalid", "{e}");
    let e = refused(w.ingest_request(w.alice, json!({"Blood Type": "O+"})));
    assert!(e.to_string().contains("field name"), "{e}");

    assert_eq!(w.ledger.submitted.load(Ordering::SeqCst), before, "no refused ingest reached the ledger");
    assert_eq!(service.store().counts().0, 0, "nor the store");
}

#[test]
fn a_consented_access_is_released_sealed_and_passes_the_requesters_check() {
    let w = World::new();
    let service = w.service();
    let record = ingested(&w, &service);
    let consent = w.consent_to_doctor(w.alice);
    let (access, secret) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    assert!(matches!(service.release(access), Err(VaultError::NotFound(_))), "nothing before the queue is read");

    let pass = service.process_once().unwrap();
    assert_eq!(pass, Pass { released: 1, ..Pass::default() });
    let on_ledger = w.access(access);
    let AccessState::Released { release_sha256, release_bytes, by, .. } = on_ledger.state.clone() else {
        panic!("access {access} is {:?}", on_ledger.state)
    };
    assert_eq!(by, w.vault);
    let sealed = service.release(access).unwrap();
    assert_eq!(release_digest(&sealed), (release_sha256, release_bytes));

    // What the doctor does with it.
    let chain = w.ledger.chain_id.clone();
    let release = open_release(&secret, &chain, access, &sealed).unwrap();
    let fields = check_sealed_release(&on_ledger, &w.record(record), &sealed, &release).unwrap();
    assert_eq!(fields["blood_type"], r#""O+""#);
    assert_eq!(fields["allergies"], r#"["penicillin"]"#);
    assert_eq!(fields.len(), 3);

    // The next pass has nothing to do; the status says where the vault stands.
    assert_eq!(service.process_once().unwrap(), Pass::default());
    let status = service.status().unwrap();
    assert_eq!((status.queue.last_access, status.queue.pending_accesses), (Some(access), 0));
    assert!(status.node_reachable && status.last_height.is_some());
}

#[test]
fn a_researcher_gets_only_the_studys_declared_fields() {
    let w = World::new();
    let service = w.service();
    let record = ingested(&w, &service);
    let propose = DataCall::ProposeStudy {
        title: "Asthma and blood types".into(),
        categories: vec![HEALTH.into()],
        fields: vec!["blood_type".into(), "age".into()],
        purpose: RESEARCH.into(),
        until_ms: w.now() + 365 * DAY_MS,
        protocol_sha256: [0x57; 32],
    };
    let TxOutcome::Study { id: study } = w.ok(w.researcher, propose) else { panic!("a study") };
    w.ok(w.board, DataCall::ApproveStudy { study });
    let consent = match w.ok(
        w.alice,
        DataCall::GrantConsent {
            owner: w.alice,
            grantee: Grantee::Study(study),
            category: HEALTH.into(),
            purpose: RESEARCH.into(),
            until_ms: w.now() + 30 * DAY_MS,
        },
    ) {
        TxOutcome::DataConsent { id } => id,
        other => panic!("{other:?}"),
    };
    let (access, secret) = w.request(w.researcher, record, RESEARCH, Basis::Consent(consent));
    assert_eq!(service.process_once().unwrap().released, 1);
    let sealed = service.release(access).unwrap();
    let release = open_release(&secret, &w.ledger.chain_id, access, &sealed).unwrap();
    let fields = check_sealed_release(&w.access(access), &w.record(record), &sealed, &release).unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["blood_type"], "age is declared but not in the record");
}

#[test]
fn an_access_revoked_before_the_vault_answers_lapses_and_its_release_is_never_served() {
    let w = World::new();
    let service = w.service();
    let record = ingested(&w, &service);
    let consent = w.consent_to_doctor(w.alice);
    let (access, _) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    w.ok(w.alice, DataCall::RevokeConsent { consent });
    let pass = service.process_once().unwrap();
    assert_eq!(pass.withdrawn, 1);
    assert!(matches!(w.access(access).state, AccessState::Lapsed { reason: Refusal::ConsentRevoked, .. }));
    let e = service.release(access).unwrap_err();
    assert!(matches!(e, VaultError::Gone { .. }) && e.to_string().contains("consent_revoked"), "{e}");
    assert_eq!((e.status(), e.code().as_str()), (410, "access_not_pending"));
    assert_eq!(service.store().release(access).unwrap().unwrap().sealed, None, "the sealed bytes are deleted");
}

#[test]
fn an_access_to_a_record_the_vault_does_not_hold_is_declined() {
    let w = World::new();
    let service = w.service();
    // A record registered on the ledger without the vault (by the vault's key, from elsewhere).
    let call = DataCall::RegisterRecord { owner: w.alice, category: HEALTH.into(), commitment: [7; 32], fields: 1 };
    let TxOutcome::DataRecord { id: record } = w.ok(w.vault, call) else { panic!("a record") };
    let consent = w.consent_to_doctor(w.alice);
    let (access, _) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    assert_eq!(service.process_once().unwrap().declined, 1);
    assert!(
        matches!(&w.access(access).state, AccessState::Declined { reason_code, .. } if reason_code == "record_not_held")
    );
    assert!(matches!(service.release(access), Err(VaultError::Gone { .. })));
    assert!(matches!(service.record_status(record), Err(VaultError::NotFound(_))));
}

#[test]
fn an_ordered_erasure_destroys_the_record_and_leaves_a_tombstone_with_the_statement() {
    let w = World::new();
    let service = w.service();
    let record = ingested(&w, &service);
    let commitment = w.record(record).commitment;
    // An access released before, and one still pending when the erasure is ordered.
    let consent = w.consent_to_doctor(w.alice);
    let (released, _) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    service.process_once().unwrap();
    w.ok(w.alice, DataCall::OrderErasure { record });

    let pass = service.process_once().unwrap();
    assert_eq!((pass.erased, pass.recorded), (1, 1));
    let RecordState::Erased { order, statement_sha256, by, .. } = w.record(record).state else {
        panic!("record {record} is {:?}", w.record(record).state)
    };
    assert_eq!((order, by), (ErasureOrder::Owner, w.vault));
    assert_eq!(w.record(record).commitment, commitment, "the commitment stays on the ledger");

    let status = service.record_status(record).unwrap();
    let RecordHolding::Erased { statement, statement_sha256: stated, tx, order, .. } = status.state else {
        panic!("{status:?}")
    };
    assert_eq!((stated, order), (statement_sha256, ErasureOrder::Owner));
    assert_eq!(publica_crypto::sha256(statement.as_bytes()), statement_sha256);
    assert!(tx.is_some(), "the tombstone's transaction is named");
    let statement: serde_json::Value = serde_json::from_str(&statement).unwrap();
    assert_eq!(statement["record"], record);
    assert_eq!(statement["commitment"], hex::encode(commitment));
    assert_eq!(statement["destroyed"]["wrapped_data_key"], true);
    assert_eq!(statement["destroyed"]["sealed_releases"], json!([released]));

    assert!(service.store().record(&commitment).unwrap().is_none());
    let e = service.release(released).unwrap_err();
    assert!(matches!(e, VaultError::Gone { .. }) && e.to_string().contains("record_erased"), "{e}");
    assert_eq!(e.code().as_str(), "record_already_erased");
    // A request after the erasure is refused by the ledger itself; nothing reaches the vault.
    let (after, _) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    assert!(matches!(w.access(after).state, AccessState::Refused { code: Refusal::RecordErased }));
    assert_eq!(service.process_once().unwrap(), Pass::default());
}

#[test]
fn records_are_erased_when_their_retention_runs_out() {
    let w = World::new();
    let service = w.service();
    let record = ingested(&w, &service);
    let other = service.ingest(w.ingest_by("registrar", w.registrar, w.bob, "customs.declaration", summary())).unwrap();
    w.ok(w.vault, DataCall::SetRetention { category: HEALTH.into(), keep_days: 1 });
    assert_eq!(service.process_once().unwrap(), Pass::default(), "not yet");
    w.advance(DAY_MS + 2 * 60 * 1000);
    let pass = service.process_once().unwrap();
    assert_eq!((pass.erased, pass.recorded), (1, 1));
    assert!(matches!(w.record(record).state, RecordState::Erased { order: ErasureOrder::Retention, .. }));
    assert!(matches!(
        service.record_status(record).unwrap().state,
        RecordHolding::Erased { order: ErasureOrder::Retention, .. }
    ));
    let other = other.response.record.unwrap();
    assert_eq!(service.record_status(other).unwrap().state, RecordHolding::Held, "another category is kept");
}

#[test]
fn a_node_that_is_down_loses_nothing_and_the_vault_answers_when_it_returns() {
    let w = World::new();
    let service = w.service();
    let record = ingested(&w, &service);
    let consent = w.consent_to_doctor(w.alice);
    let (access, _) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    w.ledger.down.store(true, Ordering::SeqCst);
    assert!(matches!(service.process_once(), Err(VaultError::Unavailable(_))));
    assert!(!service.status().unwrap().node_reachable);
    let e = service.ingest(w.ingest_request(w.alice, summary())).unwrap_err();
    assert!(matches!(e, VaultError::Unavailable(_)), "{e}");
    assert_eq!(w.access(access).state, AccessState::Pending, "the access waits");
    w.ledger.down.store(false, Ordering::SeqCst);
    assert_eq!(service.process_once().unwrap().released, 1);
    assert!(service.status().unwrap().node_reachable);
}

#[test]
fn a_release_committed_while_the_vault_lost_the_node_is_served_after_a_restart_with_the_same_hash() {
    let w = World::new();
    let record = {
        let service = w.service();
        ingested(&w, &service)
    };
    let consent = w.consent_to_doctor(w.alice);
    let (access, secret) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    let stored_sha256 = {
        let service = w.service();
        // fulfil_access is committed, but the vault never learns it: every status read fails until it gives up.
        w.ledger.lose_statuses.store(1_000, Ordering::SeqCst);
        let pass = service.process_once().unwrap();
        assert_eq!(pass.released, 0);
        let stored = service.store().release(access).unwrap().unwrap();
        assert!(matches!(stored.state, ReleaseState::Stored { tx: Some(_) }));
        assert!(
            matches!(service.release(access), Err(VaultError::NotFound(_))),
            "not served before it is known committed"
        );
        w.ledger.lose_statuses.store(0, Ordering::SeqCst);
        stored.sha256
    };
    assert!(
        matches!(w.access(access).state, AccessState::Released { release_sha256, .. } if release_sha256 == stored_sha256)
    );
    // The vault restarts: it finds the release stored, the ledger released with its hash, and serves it.
    let service = w.service();
    assert_eq!(service.process_once().unwrap().released, 1);
    let sealed = service.release(access).unwrap();
    assert_eq!(release_digest(&sealed).0, stored_sha256);
    let release = open_release(&secret, &w.ledger.chain_id, access, &sealed).unwrap();
    check_sealed_release(&w.access(access), &w.record(record), &sealed, &release).unwrap();
}

#[test]
fn a_release_stored_but_never_submitted_is_submitted_after_a_restart_with_the_same_hash() {
    let w = World::new();
    let record = {
        let service = w.service();
        ingested(&w, &service)
    };
    let consent = w.consent_to_doctor(w.alice);
    let (access, _) = w.request(w.doctor, record, TREATMENT, Basis::Consent(consent));
    let stored_sha256 = {
        let service = w.service();
        // The node stops answering between the queue's reading and the submission of fulfil_access.
        w.ledger.fail_submits.store(1, Ordering::SeqCst);
        assert!(matches!(service.process_once(), Err(VaultError::Unavailable(_))));
        let stored = service.store().release(access).unwrap().expect("the release is stored before it is reported");
        assert_eq!(stored.state, ReleaseState::Stored { tx: None });
        stored.sha256
    };
    assert_eq!(w.access(access).state, AccessState::Pending);
    let service = w.service();
    assert_eq!(service.process_once().unwrap().released, 1);
    assert!(
        matches!(w.access(access).state, AccessState::Released { release_sha256, .. } if release_sha256 == stored_sha256)
    );
    assert_eq!(release_digest(&service.release(access).unwrap()).0, stored_sha256);
}

#[test]
fn an_ingest_whose_registration_committed_unseen_learns_its_number_later() {
    let w = World::new();
    let service = w.service();
    w.ledger.lose_statuses.store(1_000, Ordering::SeqCst);
    let ingested = service.ingest(w.ingest_request(w.alice, summary())).unwrap();
    w.ledger.lose_statuses.store(0, Ordering::SeqCst);
    assert!(!ingested.committed && ingested.response.record.is_none() && ingested.response.tx.is_some());
    let commitment = ingested.response.commitment;
    // The vault restarts before it learns the number; the loop finds it by commitment.
    drop(service);
    let service = w.service();
    assert_eq!(service.store().unregistered().unwrap().len(), 1);
    assert_eq!(service.process_once().unwrap().registered, 1);
    let id = w.ledger.record_by_commitment(&commitment).unwrap().unwrap().id;
    assert_eq!(service.store().commitment_of(id).unwrap(), Some(commitment));
    assert!(service.store().unregistered().unwrap().is_empty());
}

#[test]
fn an_erasure_interrupted_before_its_tombstone_is_recorded_after_a_restart() {
    let w = World::new();
    let record = {
        let service = w.service();
        ingested(&w, &service)
    };
    w.ok(w.alice, DataCall::OrderErasure { record });
    {
        let service = w.service();
        w.ledger.lose_statuses.store(1_000, Ordering::SeqCst);
        let pass = service.process_once().unwrap();
        assert_eq!((pass.erased, pass.recorded), (1, 0));
        w.ledger.lose_statuses.store(0, Ordering::SeqCst);
        let RecordHolding::Erased { tx, .. } = service.record_status(record).unwrap().state else { panic!("erased") };
        assert_eq!(tx, None, "the tombstone is not known committed yet");
    }
    let service = w.service();
    assert_eq!(service.process_once().unwrap().recorded, 1);
    let RecordHolding::Erased { tx, statement_sha256, .. } = service.record_status(record).unwrap().state else {
        panic!("erased")
    };
    assert!(tx.is_some());
    assert!(matches!(w.record(record).state, RecordState::Erased { statement_sha256: s, .. } if s == statement_sha256));
}
