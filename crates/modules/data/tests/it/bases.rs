//! Legal bases other than consent: court orders (visible to the citizen) and public-health emergencies (public).

use publica_data::call::{Basis, DataCall, DAY_MS, MAX_CATEGORIES, MAX_EMERGENCY_GRANTEES};
use publica_data::error as codes;
use publica_data::query::{self, Order, Page};
use publica_data::schema::{emergency_key, next_key};
use publica_types::{AgencyId, ErrorCode, TxOutcome};

use crate::{World, HEALTH, RESEARCH, TREATMENT, TRIAL};

fn agency(id: &str) -> AgencyId {
    id.parse().unwrap()
}

fn order(w: &World, grantee: &str, category: &str, until_ms: u64) -> DataCall {
    DataCall::IssueCourtOrder {
        owner: w.alice,
        category: category.into(),
        grantee: agency(grantee),
        purpose: "investigation".into(),
        until_ms,
        order_sha256: [0x0c; 32],
    }
}

fn declare(categories: &[&str], grantees: &[&str], until_ms: u64) -> DataCall {
    DataCall::DeclareEmergency {
        categories: categories.iter().map(|c| c.to_string()).collect(),
        grantees: grantees.iter().map(|g| agency(g)).collect(),
        purpose: "outbreak-response".into(),
        until_ms,
        declaration_sha256: [0xe0; 32],
    }
}

#[test]
fn a_court_order_lets_its_agency_read_the_citizens_category_and_the_citizen_sees_it() {
    let mut w = World::new();
    let (alice, bob, judge, clinic_doctor, doctor) = (w.alice, w.bob, w.judge, w.clinic_doctor, w.doctor);
    let record = w.register(alice, HEALTH, 1);
    let trial = w.register(alice, TRIAL, 2);
    let bobs = w.register(bob, HEALTH, 3);
    let until = w.time_ms + 20 * DAY_MS;
    let TxOutcome::CourtOrder { id } = w.ok(judge, order(&w, "clinic", HEALTH, until)) else { panic!("an order") };
    let seen = query::owner_court_orders(&w.state, &alice, Page::first(10, Order::NewestFirst)).unwrap().value;
    assert_eq!(
        seen.items.iter().map(|o| (o.id, o.grantee.as_str(), o.court.as_str())).collect::<Vec<_>>(),
        vec![(id, "clinic", "court")]
    );
    let basis = Basis::CourtOrder(id);
    w.request_pending(clinic_doctor, record, "investigation", basis.clone());
    w.request_refused(doctor, record, "investigation", basis.clone(), "wrong_grantee");
    w.request_refused(clinic_doctor, trial, "investigation", basis.clone(), "wrong_category");
    w.request_refused(clinic_doctor, bobs, "investigation", basis.clone(), "other_owner");
    w.request_refused(clinic_doctor, trial, TREATMENT, basis, "wrong_category");
    w.request_refused(clinic_doctor, bobs, "investigation", Basis::CourtOrder(9), "basis_not_found");
    w.wait_days(20);
    assert!(w.time_ms >= until);
    w.request_refused(doctor, record, "investigation", Basis::CourtOrder(id), "expired");
}

#[test]
fn only_a_court_issues_an_order_about_a_citizen_for_a_known_agency() {
    let mut w = World::new();
    let (judge, doctor, vault) = (w.judge, w.doctor, w.vault);
    let until = w.time_ms + DAY_MS;
    w.refused(doctor, order(&w, "clinic", HEALTH, until), ErrorCode::MissingRole, "court");
    w.refused(judge, order(&w, "nowhere", HEALTH, until), codes::GRANTEE_UNKNOWN, "agency nowhere");
    w.refused(judge, order(&w, "clinic", "", until), codes::CATEGORY_INVALID, "category");
    let past = w.time_ms - 1;
    w.refused(judge, order(&w, "clinic", HEALTH, past), codes::UNTIL_NOT_IN_FUTURE, "after the block's");
    let mut about_an_official = order(&w, "clinic", HEALTH, until);
    if let DataCall::IssueCourtOrder { owner, .. } = &mut about_an_official {
        *owner = vault;
    }
    w.refused(judge, about_an_official, codes::OWNER_NOT_A_CITIZEN, "citizen");
}

#[test]
fn an_emergency_lets_named_agencies_read_its_categories_until_it_ends() {
    let mut w = World::new();
    let (alice, authority, other, clinic_doctor, doctor, researcher) =
        (w.alice, w.authority, w.other_authority, w.clinic_doctor, w.doctor, w.researcher);
    let record = w.register(alice, HEALTH, 1);
    let trial = w.register(alice, TRIAL, 2);
    let until = w.time_ms + 30 * DAY_MS;
    let TxOutcome::Emergency { id } = w.ok(authority, declare(&[HEALTH], &["clinic", "hospital"], until)) else {
        panic!("an emergency")
    };
    let basis = Basis::Emergency(id);
    w.request_pending(clinic_doctor, record, "outbreak-response", basis.clone());
    w.request_pending(doctor, record, "outbreak-response", basis.clone());
    w.request_refused(researcher, record, "outbreak-response", basis.clone(), "wrong_grantee");
    w.request_refused(clinic_doctor, trial, "outbreak-response", basis.clone(), "wrong_category");
    w.request_refused(researcher, record, RESEARCH, basis.clone(), "wrong_purpose");
    w.refused(other, DataCall::EndEmergency { emergency: id }, codes::EMERGENCY_OTHER_AUTHORITY, "declared by");
    w.refused(doctor, DataCall::EndEmergency { emergency: id }, ErrorCode::MissingRole, "health-authority");
    w.ok(authority, DataCall::EndEmergency { emergency: id });
    let researcher_again = w.researcher;
    w.request_refused(researcher_again, record, "outbreak-response", basis, "emergency_ended");
    w.refused(authority, DataCall::EndEmergency { emergency: id }, codes::EMERGENCY_ALREADY_ENDED, "ended at");
    w.refused(authority, DataCall::EndEmergency { emergency: 7 }, codes::EMERGENCY_NOT_FOUND, "number 7");
    // A second emergency that runs out.
    let short = w.time_ms + 1_000;
    let TxOutcome::Emergency { id: second } = w.ok(other, declare(&[HEALTH, TRIAL], &["clinic"], short)) else {
        panic!("an emergency")
    };
    w.request_refused(clinic_doctor, trial, "outbreak-response", Basis::Emergency(second), "expired");
    // Both are public, newest first.
    let listed = query::emergencies(&w.state, Page::first(1, Order::NewestFirst));
    assert_eq!(listed.value.items.iter().map(|e| e.id).collect::<Vec<_>>(), vec![second]);
    assert_eq!((listed.value.total, listed.value.next), (2, Some(second)));
    assert_eq!(listed.keys, vec![next_key("e"), emergency_key(second)]);
    let rest = query::emergencies(&w.state, Page { after: Some(second), limit: 5, order: Order::NewestFirst });
    assert_eq!(rest.value.items.iter().map(|e| (e.id, e.ended.is_some())).collect::<Vec<_>>(), vec![(id, true)]);
    assert_eq!(rest.value.next, None);
    let oldest = query::emergencies(&w.state, Page::first(5, Order::OldestFirst)).value;
    assert_eq!(oldest.items.iter().map(|e| e.id).collect::<Vec<_>>(), vec![id, second]);
    assert_eq!(query::emergency(&w.state, id).value.unwrap().authority.as_str(), "health-authority");
}

#[test]
fn an_emergency_names_valid_categories_and_registered_agencies() {
    let mut w = World::new();
    let (authority, judge) = (w.authority, w.judge);
    let until = w.time_ms + 100 * DAY_MS;
    let many: Vec<String> = (0..=MAX_CATEGORIES).map(|i| format!("c{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let agencies: Vec<String> = (0..=MAX_EMERGENCY_GRANTEES).map(|i| format!("a{i}")).collect();
    let agencies: Vec<&str> = agencies.iter().map(String::as_str).collect();
    let refusals = [
        (declare(&[], &["clinic"], until), codes::CATEGORIES_INVALID, "1 to 16 categories"),
        (declare(&many, &["clinic"], until), codes::CATEGORIES_INVALID, "not 17"),
        (declare(&[HEALTH, HEALTH], &["clinic"], until), codes::CATEGORIES_INVALID, "named twice"),
        (declare(&["Health"], &["clinic"], until), codes::CATEGORIES_INVALID, "'H'"),
        (declare(&[HEALTH], &[], until), codes::GRANTEES_INVALID, "1 to 32 agencies"),
        (declare(&[HEALTH], &agencies, until), codes::GRANTEES_INVALID, "this one 33"),
        (declare(&[HEALTH], &["clinic", "clinic"], until), codes::GRANTEES_INVALID, "named twice"),
        (declare(&[HEALTH], &["nowhere"], until), codes::GRANTEES_INVALID, "not registered"),
    ];
    for (call, code, text) in refusals {
        w.refused(authority, call, code, text);
    }
    w.refused(judge, declare(&[HEALTH], &["clinic"], until), ErrorCode::MissingRole, "health-authority");
}
