//! Consents, and legal representatives who act for a citizen.

use publica_data::call::{DataCall, Grantee, DAY_MS, MAX_AHEAD_MS};
use publica_data::error as codes;
use publica_data::query::{self, Order, Page};
use publica_data::schema::Act;
use publica_data::MAX_REPRESENTATIVES;
use publica_testkit::Accounts;
use publica_types::{Address, ErrorCode, TxOutcome};

use crate::{World, HEALTH, TREATMENT};

fn grant(owner: Address, grantee: Grantee, category: &str, purpose: &str, until_ms: u64) -> DataCall {
    DataCall::GrantConsent { owner, grantee, category: category.into(), purpose: purpose.into(), until_ms }
}

fn appoint(citizen: Address, representative: Address, until_ms: u64) -> DataCall {
    DataCall::AppointRepresentative { citizen, representative, until_ms }
}

#[test]
fn a_citizen_grants_and_revokes_a_consent_once() {
    let mut w = World::new();
    let (alice, doctor) = (w.alice, w.doctor);
    let granted_at = w.time_ms;
    let id = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    assert_eq!(id, 1);
    let consent = query::consent(&w.state, id).value.unwrap();
    assert_eq!(
        (consent.owner, consent.grantee.clone(), consent.purpose.as_str()),
        (alice, Grantee::Account(doctor), TREATMENT)
    );
    assert_eq!((consent.granted.clone(), consent.revoked.clone()), (Act { by: alice, at_ms: granted_at }, None));
    let second = w.consent(alice, alice, Grantee::Agency("clinic".parse().unwrap()), HEALTH, TREATMENT);
    let listed = query::owner_consents(&w.state, &alice, Page::first(10, Order::NewestFirst)).unwrap().value;
    assert_eq!(listed.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![second, id]);
    let revoked_at = w.time_ms;
    w.ok(alice, DataCall::RevokeConsent { consent: id });
    assert_eq!(query::consent(&w.state, id).value.unwrap().revoked, Some(Act { by: alice, at_ms: revoked_at }));
    w.refused(alice, DataCall::RevokeConsent { consent: id }, codes::CONSENT_ALREADY_REVOKED, "was revoked");
    w.refused(alice, DataCall::RevokeConsent { consent: 99 }, codes::CONSENT_NOT_FOUND, "number 99");
}

#[test]
fn only_the_citizen_or_their_representative_grants_and_revokes() {
    let mut w = World::new();
    let (alice, bob, doctor, judge) = (w.alice, w.bob, w.doctor, w.judge);
    let until = w.time_ms + DAY_MS;
    for stranger in [bob, doctor, judge] {
        w.refused(
            stranger,
            grant(alice, Grantee::Account(doctor), HEALTH, TREATMENT, until),
            codes::NOT_OWNER_OR_REPRESENTATIVE,
            "current appointment",
        );
    }
    let id = w.consent(alice, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    w.refused(bob, DataCall::RevokeConsent { consent: id }, codes::NOT_OWNER_OR_REPRESENTATIVE, "representative");
    // A doctor is no citizen: it cannot consent for itself.
    w.refused(
        doctor,
        grant(doctor, Grantee::Account(doctor), HEALTH, TREATMENT, until),
        codes::OWNER_NOT_A_CITIZEN,
        "citizen",
    );
}

#[test]
fn a_consent_names_a_known_grantee_a_category_a_purpose_and_an_end_within_ten_years() {
    let mut w = World::new();
    let (alice, doctor) = (w.alice, w.doctor);
    let account = Grantee::Account(doctor);
    let nowhere = Grantee::Agency("nowhere".parse().unwrap());
    let unknown = Grantee::Account(Address([0xab; 20]));
    // Each case is built at its block's time `now`.
    type Case = (Box<dyn Fn(u64) -> DataCall>, publica_types::Code, &'static str);
    let a = account.clone();
    let cases: Vec<Case> = vec![
        (
            Box::new(move |now| grant(alice, a.clone(), "Health", TREATMENT, now + DAY_MS)),
            codes::CATEGORY_INVALID,
            "category",
        ),
        (
            Box::new(move |now| grant(alice, Grantee::Account(doctor), HEALTH, "", now + DAY_MS)),
            codes::PURPOSE_INVALID,
            "purpose",
        ),
        (
            Box::new(move |now| grant(alice, Grantee::Account(doctor), HEALTH, "treat ment", now + DAY_MS)),
            codes::PURPOSE_INVALID,
            "' '",
        ),
        (
            Box::new(move |now| grant(alice, Grantee::Account(doctor), HEALTH, TREATMENT, now)),
            codes::UNTIL_NOT_IN_FUTURE,
            "after the block's",
        ),
        (
            Box::new(move |now| grant(alice, Grantee::Account(doctor), HEALTH, TREATMENT, now + MAX_AHEAD_MS + 1)),
            codes::UNTIL_TOO_FAR,
            "ten years",
        ),
        (
            Box::new(move |now| grant(alice, nowhere.clone(), HEALTH, TREATMENT, now + DAY_MS)),
            codes::GRANTEE_UNKNOWN,
            "agency nowhere",
        ),
        (
            Box::new(move |now| grant(alice, unknown.clone(), HEALTH, TREATMENT, now + DAY_MS)),
            codes::GRANTEE_UNKNOWN,
            "not a registered account",
        ),
        (
            Box::new(move |now| grant(alice, Grantee::Study(4), HEALTH, TREATMENT, now + DAY_MS)),
            codes::STUDY_NOT_FOUND,
            "number 4",
        ),
    ];
    for (call, code, text) in cases {
        let now = w.time_ms;
        w.refused(alice, call(now), code, text);
    }
    let ten_years = w.time_ms + MAX_AHEAD_MS;
    assert!(matches!(w.ok(alice, grant(alice, account, HEALTH, TREATMENT, ten_years)), TxOutcome::DataConsent { .. }));
}

#[test]
fn a_representative_acts_for_the_citizen_while_appointed_and_a_stranger_never() {
    let mut w = World::new();
    let (alice, bob, guardian, judge, doctor) = (w.alice, w.bob, w.guardian, w.judge, w.doctor);
    let until = w.time_ms + 10 * DAY_MS;
    w.ok(judge, appoint(alice, guardian, until));
    let id = w.consent(guardian, alice, Grantee::Account(doctor), HEALTH, TREATMENT);
    let consent = query::consent(&w.state, id).value.unwrap();
    assert_eq!((consent.owner, consent.granted.by), (alice, guardian));
    w.ok(guardian, DataCall::RevokeConsent { consent: id });
    assert_eq!(query::consent(&w.state, id).value.unwrap().revoked.map(|r| r.by), Some(guardian));
    // The guardian represents Alice, not Bob.
    let bobs = grant(bob, Grantee::Account(doctor), HEALTH, TREATMENT, until);
    w.refused(guardian, bobs, codes::NOT_OWNER_OR_REPRESENTATIVE, "current appointment");
    let reps = query::representatives(&w.state, &alice).value;
    assert_eq!(reps.len(), 1);
    assert_eq!((reps[0].representative, reps[0].court.as_str(), reps[0].ended.clone()), (guardian, "court", None));
    // Ended by the court: the guardian no longer acts for Alice.
    w.ok(judge, DataCall::EndRepresentation { citizen: alice, representative: guardian });
    let again = grant(alice, Grantee::Account(doctor), HEALTH, TREATMENT, until);
    w.refused(guardian, again.clone(), codes::NOT_OWNER_OR_REPRESENTATIVE, "current appointment");
    w.refused(
        judge,
        DataCall::EndRepresentation { citizen: alice, representative: guardian },
        codes::REPRESENTATION_ALREADY_ENDED,
        "ended at",
    );
    // Appointed again, until a time that then passes.
    let short = w.time_ms + 2_000;
    w.ok(judge, appoint(alice, guardian, short));
    assert_eq!(query::representatives(&w.state, &alice).value.len(), 1, "the same representative is listed once");
    w.ok(guardian, again.clone());
    assert_eq!(w.time_ms, short);
    w.refused(guardian, again, codes::NOT_OWNER_OR_REPRESENTATIVE, "current appointment");
}

#[test]
fn only_a_court_appoints_an_active_account_other_than_the_citizen() {
    let mut w = World::new();
    let (alice, guardian, judge, doctor) = (w.alice, w.guardian, w.judge, w.doctor);
    let until = w.time_ms + DAY_MS;
    w.refused(doctor, appoint(alice, guardian, until), ErrorCode::MissingRole, "court");
    w.refused(judge, appoint(alice, alice, until), codes::REPRESENTATIVE_INVALID, "another, active account");
    w.refused(judge, appoint(alice, Address([0xcd; 20]), until), codes::REPRESENTATIVE_INVALID, "cannot represent");
    w.refused(judge, appoint(doctor, guardian, until), codes::OWNER_NOT_A_CITIZEN, "not an active citizen");
    let far = w.time_ms + MAX_AHEAD_MS + DAY_MS;
    w.refused(judge, appoint(alice, guardian, far), codes::UNTIL_TOO_FAR, "ten years");
    w.refused(
        judge,
        DataCall::EndRepresentation { citizen: alice, representative: guardian },
        codes::REPRESENTATION_NOT_FOUND,
        "never appointed",
    );
    w.refused(
        doctor,
        DataCall::EndRepresentation { citizen: alice, representative: guardian },
        ErrorCode::MissingRole,
        "court",
    );
    // A doctor (an official) may represent a citizen too.
    w.ok(judge, appoint(alice, doctor, until));
}

#[test]
fn a_citizen_has_a_bounded_number_of_representatives() {
    let mut w = World::new();
    let (alice, judge) = (w.alice, w.judge);
    let names: Vec<String> = (0..=MAX_REPRESENTATIVES).map(|i| format!("representative-{i}")).collect();
    let mut accounts = Accounts::new(&mut w.state);
    let people: Vec<Address> = names.iter().map(|n| accounts.citizen(n, "civil-registry")).collect();
    let until = w.time_ms + 100 * DAY_MS;
    for person in &people[..MAX_REPRESENTATIVES] {
        w.ok(judge, appoint(alice, *person, until));
    }
    w.refused(judge, appoint(alice, people[MAX_REPRESENTATIVES], until), codes::REPRESENTATIVES_FULL, "16");
    // Appointing one already on record again is a renewal, not a new entry.
    w.ok(judge, appoint(alice, people[0], until + DAY_MS));
    assert_eq!(query::representatives(&w.state, &alice).value.len(), MAX_REPRESENTATIVES);
}
