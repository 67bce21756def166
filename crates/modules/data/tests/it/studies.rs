//! Studies: proposed by researchers, approved by an independent ethics board, reading only their declared fields of
//! consenting citizens' records, counted in public.

use publica_data::call::{Basis, DataCall, Grantee, DAY_MS, MAX_FIELDS};
use publica_data::error as codes;
use publica_data::query::{self, Order, Page};
use publica_data::schema::{study_counters_key, study_key, CategoryCount, StudyCounters};
use publica_types::{ErrorCode, TxOutcome};

use crate::{World, HEALTH, RESEARCH, TREATMENT, TRIAL};

fn propose(categories: &[&str], fields: &[&str], until_ms: u64) -> DataCall {
    DataCall::ProposeStudy {
        title: "Asthma and blood types".into(),
        categories: categories.iter().map(|c| c.to_string()).collect(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        purpose: RESEARCH.into(),
        until_ms,
        protocol_sha256: [0x57; 32],
    }
}

/// A study of health summaries reading `blood_type` and `age` (a field the summaries do not have), approved;
/// returns its number.
fn approved_study(w: &mut World) -> u64 {
    let (researcher, board) = (w.researcher, w.board);
    let until = w.time_ms + 365 * DAY_MS;
    let TxOutcome::Study { id } = w.ok(researcher, propose(&[HEALTH, TRIAL], &["blood_type", "age"], until)) else {
        panic!("a study")
    };
    w.ok(board, DataCall::ApproveStudy { study: id });
    id
}

#[test]
fn a_study_reads_only_its_declared_fields_of_consenting_citizens_and_is_counted_in_public() {
    let mut w = World::new();
    let (alice, bob, researcher, doctor, board) = (w.alice, w.bob, w.researcher, w.doctor, w.board);
    let study = approved_study(&mut w);
    let record = w.register(alice, HEALTH, 1);
    let second = w.register(alice, HEALTH, 2);
    let bobs = w.register(bob, HEALTH, 3);
    let consent = w.consent(alice, alice, Grantee::Study(study), HEALTH, RESEARCH);
    let id = w.request_pending(researcher, record, RESEARCH, Basis::Consent(consent));
    let access = w.access(id);
    assert_eq!((access.study, access.fields.clone()), (Some(study), Some(vec!["age".into(), "blood_type".into()])));
    // Only the study's researchers, only for the consenting citizen.
    w.request_refused(doctor, record, RESEARCH, Basis::Consent(consent), "wrong_grantee");
    w.request_refused(researcher, bobs, RESEARCH, Basis::Consent(consent), "other_owner");
    w.fulfil(id);
    let other = w.request_pending(researcher, second, RESEARCH, Basis::Consent(consent));
    w.fulfil(other);
    let view = query::study(&w.state, study);
    assert_eq!(view.keys, vec![study_key(study), study_counters_key(study)]);
    let view = view.value.unwrap();
    assert_eq!(view.study.approval.as_ref().map(|a| (a.board.as_str(), a.approved.by)), Some(("ethics-board", board)));
    assert_eq!(
        view.counters,
        StudyCounters {
            requests: 4,
            refused: 2,
            released: 2,
            citizens: 1,
            by_category: vec![
                CategoryCount { category: HEALTH.into(), released: 2 },
                CategoryCount { category: TRIAL.into(), released: 0 }
            ],
        }
    );
    assert_eq!(query::studies(&w.state, Page::first(5, Order::OldestFirst)).value.items[0].id, study);
}

#[test]
fn a_study_not_approved_or_ended_is_no_basis() {
    let mut w = World::new();
    let (alice, researcher, board) = (w.alice, w.researcher, w.board);
    let record = w.register(alice, HEALTH, 1);
    let until = w.time_ms + 5_000;
    let TxOutcome::Study { id } = w.ok(researcher, propose(&[HEALTH], &["blood_type"], until)) else { panic!() };
    let consent = w.consent(alice, alice, Grantee::Study(id), HEALTH, RESEARCH);
    w.request_refused(researcher, record, RESEARCH, Basis::Consent(consent), "study_not_approved");
    w.ok(board, DataCall::ApproveStudy { study: id });
    let pending = w.request_pending(researcher, record, RESEARCH, Basis::Consent(consent));
    assert!(w.time_ms >= until, "the study has ended, the consent has not");
    let vault = w.vault;
    let at_ms = w.time_ms;
    w.ok(vault, crate::fulfil(pending));
    let lapsed = publica_data::schema::AccessState::Lapsed { at_ms, reason: publica_data::schema::Refusal::StudyEnded };
    assert_eq!(w.access(pending).state, lapsed);
    w.request_refused(researcher, record, RESEARCH, Basis::Consent(consent), "study_ended");
    w.refused(board, DataCall::ApproveStudy { study: id }, codes::STUDY_ALREADY_APPROVED, "was approved");
}

#[test]
fn a_study_is_proposed_by_a_researcher_with_bounded_declarations_and_approved_by_another_agencys_board() {
    let mut w = World::new();
    let (alice, researcher, doctor, board, institute_board) =
        (w.alice, w.researcher, w.doctor, w.board, w.institute_board);
    let until = w.time_ms + 100 * DAY_MS;
    w.refused(doctor, propose(&[HEALTH], &["blood_type"], until), ErrorCode::MissingRole, "researcher");
    let too_many: Vec<String> = (0..=MAX_FIELDS).map(|i| format!("f{i}")).collect();
    let too_many: Vec<&str> = too_many.iter().map(String::as_str).collect();
    let refusals = [
        (propose(&[HEALTH], &[], until), codes::FIELDS_INVALID, "1 to 64 fields"),
        (propose(&[HEALTH], &too_many, until), codes::FIELDS_INVALID, "this one 65"),
        (propose(&[HEALTH], &["age", "age"], until), codes::FIELDS_INVALID, "declared twice"),
        (propose(&[HEALTH], &["blood-type"], until), codes::FIELDS_INVALID, "'-'"),
        (propose(&[], &["age"], until), codes::CATEGORIES_INVALID, "categories"),
    ];
    for (call, code, text) in refusals {
        w.refused(researcher, call, code, text);
    }
    let mut untitled = propose(&[HEALTH], &["age"], until);
    if let DataCall::ProposeStudy { title, .. } = &mut untitled {
        *title = "two\nlines".into();
    }
    w.refused(researcher, untitled, codes::TITLE_INVALID, "control characters");
    let short = w.time_ms + 2_000;
    let TxOutcome::Study { id } = w.ok(researcher, propose(&[HEALTH], &["age"], short)) else { panic!() };
    w.refused(
        institute_board,
        DataCall::ApproveStudy { study: id },
        codes::ETHICS_BOARD_NOT_INDEPENDENT,
        "another agency",
    );
    w.refused(researcher, DataCall::ApproveStudy { study: id }, ErrorCode::MissingRole, "research-ethics-board");
    w.refused(board, DataCall::ApproveStudy { study: 8 }, codes::STUDY_NOT_FOUND, "number 8");
    w.refused(board, DataCall::ApproveStudy { study: id }, codes::STUDY_EXPIRED, "can no longer be approved");
    // A consent to a study names one of its categories and its purpose.
    let grant = |category: &str, purpose: &str, until_ms| DataCall::GrantConsent {
        owner: alice,
        grantee: Grantee::Study(id),
        category: category.into(),
        purpose: purpose.into(),
        until_ms,
    };
    let until = w.time_ms + DAY_MS;
    w.refused(alice, grant(TRIAL, RESEARCH, until), codes::CONSENT_STUDY_MISMATCH, "reads");
    w.refused(alice, grant(HEALTH, TREATMENT, until), codes::CONSENT_STUDY_MISMATCH, "that purpose");
}
