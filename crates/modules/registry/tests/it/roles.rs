//! Who may act: each call's roles, and roles that count only when the official's agency may grant them.

use publica_registry::call::{ApplicationAction, EncumbranceKind, NewParcel, Party, RegistryCall};
use publica_registry::error;
use publica_types::{Address, ErrorCode};

use crate::{notary_role, registrar_role, rid, square, transfer_to_bob_and_carol, whole, World};

#[test]
fn wrong_roles_are_refused() {
    let mut w = World::new();
    let (alice, bank, notary, court, probate, officer) = (w.alice, w.bank, w.notary, w.court, w.probate, w.officer);
    for who in [alice, bank, notary] {
        w.refused(
            who,
            RegistryCall::RegisterParcel {
                parcel: NewParcel { parcel: rid("P-1"), geojson: square(0, 0, 10) },
                owners: whole(alice),
            },
            ErrorCode::MissingRole,
            "registrar",
        );
    }
    w.register("P-1", square(0, 0, 1000), whole(alice)).unwrap();
    w.refused(
        notary,
        RegistryCall::RegisterEncumbrance {
            parcel: rid("P-1"),
            kind: EncumbranceKind::Mortgage,
            reference: "L-1".into(),
        },
        ErrorCode::MissingRole,
        "bank",
    );
    w.refused(
        court,
        RegistryCall::RegisterEncumbrance {
            parcel: rid("P-1"),
            kind: EncumbranceKind::Mortgage,
            reference: "L-1".into(),
        },
        ErrorCode::MissingRole,
        "bank",
    );
    w.refused(
        notary,
        RegistryCall::RegisterEncumbrance { parcel: rid("P-1"), kind: EncumbranceKind::Lien, reference: "L-1".into() },
        ErrorCode::MissingRole,
        "bank, court",
    );
    w.refused(
        court,
        RegistryCall::RecordInheritance { parcel: rid("P-1"), deceased: alice, heirs: whole(w.bob), case: "c".into() },
        ErrorCode::MissingRole,
        "probate-court",
    );
    w.refused(
        probate,
        RegistryCall::CourtOrder { parcel: rid("P-1"), owners: whole(w.bob), case: "c".into() },
        ErrorCode::MissingRole,
        "court",
    );
    w.refused(
        court,
        RegistryCall::IssuePermit {
            permit: rid("B-1"),
            kind: rid("building"),
            holder: alice,
            valid_from_ms: 0,
            valid_until_ms: 1,
        },
        ErrorCode::MissingRole,
        "permit-officer",
    );
    w.refused(
        officer,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(w.bob) },
            deadline_ms: w.time_ms + 10_000,
        },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "may not open",
    );
    let unknown = Address([0xee; 20]);
    w.refused(
        unknown,
        RegistryCall::RegisterParcel {
            parcel: NewParcel { parcel: rid("P-2"), geojson: square(2000, 0, 10) },
            owners: whole(alice),
        },
        ErrorCode::UnknownAccount,
        "not registered",
    );
}

#[test]
fn a_bank_official_holding_court_and_registrar_roles_cannot_take_a_parcel() {
    let mut w = World::new();
    w.register("NV-A1-101", square(0, 0, 1000), whole(w.alice)).unwrap();
    // The roles a bank administrator once granted itself: the account holds them, its agency may not grant them.
    let thief =
        w.official("thief", "bank-a", &["bank", "court", "registrar", "company-registrar", "probate-court", "notary"]);
    let before = w.title("NV-A1-101");
    w.refused(
        thief,
        RegistryCall::CourtOrder { parcel: rid("NV-A1-101"), owners: whole(thief), case: "stolen".into() },
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "its agency bank-a may not grant that role",
    );
    w.refused(
        thief,
        RegistryCall::RecordInheritance {
            parcel: rid("NV-A1-101"),
            deceased: w.alice,
            heirs: whole(thief),
            case: "c".into(),
        },
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "may not grant",
    );
    let r = w.call(
        thief,
        RegistryCall::RegisterParcel {
            parcel: NewParcel { parcel: rid("NV-A1-999"), geojson: square(5000, 0, 1000) },
            owners: whole(thief),
        },
    );
    assert_eq!(r.unwrap_err().code, publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY);
    assert_eq!(w.title("NV-A1-101"), before);
    // The role the bank may grant still works: a mortgage.
    w.ok(
        thief,
        RegistryCall::RegisterEncumbrance {
            parcel: rid("NV-A1-101"),
            kind: EncumbranceKind::Mortgage,
            reference: "m".into(),
        },
    );
}

#[test]
fn a_notary_minted_by_a_building_authority_cannot_reject_a_citizens_transfer() {
    let mut w = World::new();
    let app = transfer_to_bob_and_carol(&mut w);
    let fake = w.official("fake-notary", "building-authority", &["notary"]);
    w.refused(
        fake,
        RegistryCall::Reject { application: app, party: notary_role(), reason: "closed for good".into() },
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "its agency building-authority may not grant that role",
    );
    w.refused(
        fake,
        RegistryCall::Approve { application: app, party: notary_role() },
        publica_accounts::error::ROLE_NOT_GRANTED_BY_AGENCY,
        "may not grant",
    );
    // Nor may it open a transfer as a notary.
    let deadline = w.time_ms + 3_600_000;
    w.refused(
        fake,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(w.bob) },
            deadline_ms: deadline,
        },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "may not open",
    );
    // The application is still open, and the real notary still acts on it.
    let (alice, bob, carol, notary, registrar) = (w.alice, w.bob, w.carol, w.notary, w.registrar);
    for (who, party) in [(alice, Party::Account(alice)), (bob, Party::Account(bob)), (carol, Party::Account(carol))] {
        w.approve(who, app, party).unwrap();
    }
    w.approve(notary, app, notary_role()).unwrap();
    w.approve(registrar, app, registrar_role()).unwrap();
    assert_eq!(w.title("P-1").owners.len(), 2);
}
