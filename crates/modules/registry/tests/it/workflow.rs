//! Applications: approvals by parties and roles in stages, replays and impersonation, deadlines, rejection.

use publica_registry::call::{ApplicationAction, Party, RegistryCall};
use publica_registry::error;
use publica_registry::query::{self, ApplicationState};
use publica_registry::schema::TitleBasis;
use publica_types::{ErrorCode, Role};

use crate::{notary_role, registrar_role, rid, square, transfer_to_bob_and_carol, whole, World};

#[test]
fn a_transfer_takes_effect_when_sellers_buyers_notary_then_registrar_approve() {
    let mut w = World::new();
    let app = transfer_to_bob_and_carol(&mut w);
    let (alice, bob, carol, notary, registrar) = (w.alice, w.bob, w.carol, w.notary, w.registrar);
    // The registrar comes last.
    w.refused(
        registrar,
        RegistryCall::Approve { application: app, party: registrar_role() },
        error::STAGE_NOT_REACHED,
        "only after",
    );
    w.approve(alice, app, Party::Account(alice)).unwrap();
    w.approve(bob, app, Party::Account(bob)).unwrap();
    w.approve(notary, app, notary_role()).unwrap();
    w.approve(carol, app, Party::Account(carol)).unwrap();
    assert_eq!(w.title("P-1").owners[0].account, alice, "nothing changes before the last approval");
    w.approve(registrar, app, registrar_role()).unwrap();
    let title = w.title("P-1");
    let mut expected = vec![bob, carol];
    expected.sort();
    assert_eq!(title.owners.iter().map(|o| o.account).collect::<Vec<_>>(), expected);
    assert!(title.owners.iter().all(|o| (o.numerator, o.denominator) == (1, 2)));
    assert!(title.owners[0].id_commitment.is_some(), "citizens' commitments are copied into the title");
    assert_eq!(title.basis, TitleBasis::Transfer);
    let (v, _) = query::application(&w.state, app).unwrap();
    assert_eq!(query::application_state(&v.value, w.time_ms), ApplicationState::Approved);
    let history = query::title_history(&w.state, &rid("P-1"), 1, 100);
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].application, Some(app));
}

#[test]
fn each_missing_approval_blocks_the_registrar() {
    for skip in 0..4 {
        let mut w = World::new();
        let app = transfer_to_bob_and_carol(&mut w);
        let parties = [
            (w.alice, Party::Account(w.alice)),
            (w.bob, Party::Account(w.bob)),
            (w.carol, Party::Account(w.carol)),
            (w.notary, notary_role()),
        ];
        for (i, (who, party)) in parties.iter().enumerate() {
            if i != skip {
                w.approve(*who, app, party.clone()).unwrap();
            }
        }
        let registrar = w.registrar;
        let e = w.refused(
            registrar,
            RegistryCall::Approve { application: app, party: registrar_role() },
            error::STAGE_NOT_REACHED,
            "still missing",
        );
        let missing = match &parties[skip].1 {
            Party::Account(a) => a.to_string(),
            Party::Role(r) => format!("role {r}"),
        };
        assert!(e.message.contains(&missing), "{e}");
        let (v, _) = query::application(&w.state, app).unwrap();
        assert_eq!(
            query::application_state(&v.value, w.time_ms),
            ApplicationState::Open { missing: vec![parties[skip].1.clone(), registrar_role()] }
        );
    }
}

#[test]
fn replays_and_impersonation_are_refused() {
    let mut w = World::new();
    let app = transfer_to_bob_and_carol(&mut w);
    let (alice, bob, carol, notary, registrar) = (w.alice, w.bob, w.carol, w.notary, w.registrar);
    w.approve(alice, app, Party::Account(alice)).unwrap();
    w.refused(
        alice,
        RegistryCall::Approve { application: app, party: Party::Account(alice) },
        error::PARTY_ALREADY_APPROVED,
        "already approved",
    );
    w.refused(
        bob,
        RegistryCall::Approve { application: app, party: Party::Account(carol) },
        error::ACTING_FOR_OTHER_ACCOUNT,
        "only that account can",
    );
    w.refused(bob, RegistryCall::Approve { application: app, party: notary_role() }, ErrorCode::MissingRole, "notary");
    w.refused(
        notary,
        RegistryCall::Approve { application: app, party: Party::Account(notary) },
        error::NOT_A_PARTY,
        "does not require",
    );
    w.refused(
        registrar,
        RegistryCall::Approve { application: app, party: Party::Role(Role::new("bank").unwrap()) },
        error::NOT_A_PARTY,
        "does not require",
    );
    w.refused(
        alice,
        RegistryCall::Approve { application: 999, party: Party::Account(alice) },
        error::APPLICATION_NOT_FOUND,
        "does not exist",
    );
    for (who, p) in [
        (bob, Party::Account(bob)),
        (carol, Party::Account(carol)),
        (notary, notary_role()),
        (registrar, registrar_role()),
    ] {
        w.approve(who, app, p).unwrap();
    }
    w.refused(
        registrar,
        RegistryCall::Approve { application: app, party: registrar_role() },
        error::APPLICATION_APPROVED,
        "it is closed",
    );
    let registrar2 = w.registrar2;
    w.refused(
        registrar2,
        RegistryCall::Approve { application: app, party: registrar_role() },
        error::APPLICATION_APPROVED,
        "it is closed",
    );
}

#[test]
fn a_named_party_cannot_also_act_for_a_role() {
    let mut w = World::new();
    let notary_buyer = w.official("notary-buyer", "notary-office", &["notary"]);
    w.register("P-1", square(0, 0, 1000), whole(w.alice)).unwrap();
    let alice = w.alice;
    let app = w.open(alice, ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(notary_buyer) });
    w.refused(
        notary_buyer,
        RegistryCall::Approve { application: app, party: notary_role() },
        error::NAMED_PARTY_ACTING_IN_ROLE,
        "named party",
    );
    w.approve(notary_buyer, app, Party::Account(notary_buyer)).unwrap();
}

#[test]
fn an_expired_application_cannot_be_approved() {
    let mut w = World::new();
    w.register("P-1", square(0, 0, 1000), whole(w.alice)).unwrap();
    let alice = w.alice;
    let deadline = w.time_ms + 1_500;
    w.ok(
        alice,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(w.bob) },
            deadline_ms: deadline,
        },
    );
    w.approve(alice, 1, Party::Account(alice)).unwrap();
    w.time_ms += 10_000;
    let bob = w.bob;
    w.refused(
        bob,
        RegistryCall::Approve { application: 1, party: Party::Account(bob) },
        error::APPLICATION_EXPIRED,
        "expired",
    );
    let (v, _) = query::application(&w.state, 1).unwrap();
    assert_eq!(query::application_state(&v.value, w.time_ms), ApplicationState::Expired { deadline_ms: deadline });
    // Deadlines in the past or too far ahead are refused when opening.
    let now = w.time_ms;
    w.refused(
        alice,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(bob) },
            deadline_ms: now,
        },
        error::APPLICATION_DEADLINE_OUT_OF_RANGE,
        "deadline",
    );
    w.refused(
        alice,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(bob) },
            deadline_ms: now + 400 * 86_400_000,
        },
        error::APPLICATION_DEADLINE_OUT_OF_RANGE,
        "deadline",
    );
}

#[test]
fn a_rejection_closes_the_application_with_its_reason() {
    let mut w = World::new();
    let app = transfer_to_bob_and_carol(&mut w);
    let (bob, carol, registrar) = (w.bob, w.carol, w.registrar);
    w.refused(
        carol,
        RegistryCall::Reject { application: app, party: Party::Account(bob), reason: "no".into() },
        error::ACTING_FOR_OTHER_ACCOUNT,
        "only that account",
    );
    w.refused(
        bob,
        RegistryCall::Reject { application: app, party: Party::Account(bob), reason: "".into() },
        error::RECORD_FIELD_INVALID,
        "reason",
    );
    // Any required party may reject, whatever its stage.
    w.ok(
        registrar,
        RegistryCall::Reject { application: app, party: registrar_role(), reason: "survey missing".into() },
    );
    w.refused(
        bob,
        RegistryCall::Approve { application: app, party: Party::Account(bob) },
        error::APPLICATION_REJECTED,
        "survey missing",
    );
    let (v, _) = query::application(&w.state, app).unwrap();
    assert!(
        matches!(query::application_state(&v.value, w.time_ms), ApplicationState::Rejected { reason, .. } if reason == "survey missing")
    );
}
