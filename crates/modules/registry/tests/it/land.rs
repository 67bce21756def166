//! Titles: encumbrances, liens, inheritance and court orders, exact shares, subdivision and merger.

use publica_registry::call::{ApplicationAction, EncumbranceKind, NewParcel, Party, RegistryCall};
use publica_registry::error;
use publica_registry::query;
use publica_registry::schema::TitleBasis;
use publica_types::{Address, TxOutcome};

use crate::{
    notary_role, polygon_json, rect, registrar_role, rid, share, square, transfer_to_bob_and_carol, whole, World, X0,
    Y0,
};

#[test]
fn an_encumbrance_blocks_the_transfer_until_its_agency_releases_it() {
    let mut w = World::new();
    let app = transfer_to_bob_and_carol(&mut w);
    let (alice, bob, carol, notary, registrar, bank, other_bank, court) =
        (w.alice, w.bob, w.carol, w.notary, w.registrar, w.bank, w.other_bank, w.court);
    let outcome = w.ok(
        bank,
        RegistryCall::RegisterEncumbrance {
            parcel: rid("P-1"),
            kind: EncumbranceKind::Mortgage,
            reference: "loan 77".into(),
        },
    );
    assert_eq!(outcome, TxOutcome::Encumbrance { id: 1 });
    for (who, p) in [
        (alice, Party::Account(alice)),
        (bob, Party::Account(bob)),
        (carol, Party::Account(carol)),
        (notary, notary_role()),
    ] {
        w.approve(who, app, p).unwrap();
    }
    // The title changed (an encumbrance version) since the application was opened, and the parcel is charged.
    w.refused(
        registrar,
        RegistryCall::Approve { application: app, party: registrar_role() },
        error::TITLE_CHANGED_SINCE_APPLICATION,
        "changed since the application was opened",
    );
    let app2 = w.open(alice, ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(bob) });
    for (who, p) in [(alice, Party::Account(alice)), (bob, Party::Account(bob)), (notary, notary_role())] {
        w.approve(who, app2, p).unwrap();
    }
    w.refused(
        registrar,
        RegistryCall::Approve { application: app2, party: registrar_role() },
        error::PARCEL_ENCUMBERED,
        "encumbered",
    );
    w.refused(other_bank, RegistryCall::ReleaseEncumbrance { encumbrance: 1 }, error::RECORD_OF_OTHER_AGENCY, "bank-a");
    w.refused(court, RegistryCall::ReleaseEncumbrance { encumbrance: 1 }, error::RECORD_OF_OTHER_AGENCY, "bank-a");
    assert_eq!(w.ok(bank, RegistryCall::ReleaseEncumbrance { encumbrance: 1 }), TxOutcome::None);
    w.refused(
        bank,
        RegistryCall::ReleaseEncumbrance { encumbrance: 1 },
        error::ENCUMBRANCE_RELEASED,
        "already released",
    );
    // Releasing changed the title again: the parties approved an encumbered state, so they start over.
    w.refused(
        registrar,
        RegistryCall::Approve { application: app2, party: registrar_role() },
        error::TITLE_CHANGED_SINCE_APPLICATION,
        "changed since",
    );
    let app3 = w.open(alice, ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: whole(bob) });
    for (who, p) in [
        (alice, Party::Account(alice)),
        (bob, Party::Account(bob)),
        (notary, notary_role()),
        (registrar, registrar_role()),
    ] {
        w.approve(who, app3, p).unwrap();
    }
    assert_eq!(w.title("P-1").owners[0].account, bob);
    let e = query::encumbrance(&w.state, 1).unwrap();
    assert_eq!(e.value.released_by, Some(bank));
    assert_eq!(e.version, 2);
}

#[test]
fn a_court_lien_survives_a_court_order_and_inheritance() {
    let mut w = World::new();
    let (alice, bob, carol, court, probate) = (w.alice, w.bob, w.carol, w.court, w.probate);
    w.register("P-1", square(0, 0, 1000), vec![share(alice, 1, 2), share(bob, 1, 2)]).unwrap();
    w.ok(
        court,
        RegistryCall::RegisterEncumbrance {
            parcel: rid("P-1"),
            kind: EncumbranceKind::Lien,
            reference: "case 5".into(),
        },
    );
    w.refused(
        probate,
        RegistryCall::RecordInheritance { parcel: rid("P-1"), deceased: carol, heirs: whole(bob), case: "p-1".into() },
        error::DECEASED_NOT_AN_OWNER,
        "not an owner",
    );
    w.refused(
        probate,
        RegistryCall::RecordInheritance {
            parcel: rid("P-1"),
            deceased: alice,
            heirs: vec![share(bob, 1, 2), share(carol, 1, 3)],
            case: "p-1".into(),
        },
        error::SHARES_SUM_NOT_ONE,
        "exactly one",
    );
    w.ok(
        probate,
        RegistryCall::RecordInheritance {
            parcel: rid("P-1"),
            deceased: alice,
            heirs: vec![share(bob, 1, 2), share(carol, 1, 2)],
            case: "probate 12/2026".into(),
        },
    );
    let t = w.title("P-1");
    let got: Vec<(Address, u64, u64)> = t.owners.iter().map(|o| (o.account, o.numerator, o.denominator)).collect();
    let mut expected = vec![(bob, 3, 4), (carol, 1, 4)];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(t.encumbrances, vec![1]);
    w.ok(court, RegistryCall::CourtOrder { parcel: rid("P-1"), owners: whole(carol), case: "case 9".into() });
    let t = w.title("P-1");
    assert_eq!(t.owners.len(), 1);
    assert_eq!(t.encumbrances, vec![1]);
}

#[test]
fn shares_must_sum_to_exactly_one() {
    let mut w = World::new();
    let (alice, bob, carol) = (w.alice, w.bob, w.carol);
    for (owners, code, text) in [
        (vec![share(alice, 1, 2), share(bob, 1, 3)], error::SHARES_SUM_NOT_ONE, "not to exactly one"),
        (vec![share(alice, 2, 3), share(bob, 2, 3)], error::SHARES_SUM_NOT_ONE, "not to exactly one"),
        (vec![share(alice, 0, 1), share(bob, 1, 1)], error::SHARE_NOT_A_FRACTION, "greater than 0"),
        (vec![share(alice, 1, 0)], error::SHARE_NOT_A_FRACTION, "greater than 0"),
        (vec![share(alice, 1, 2), share(alice, 1, 2)], error::SHARE_OWNER_REPEATED, "appears twice"),
        (vec![], error::SHARE_COUNT_OUT_OF_RANGE, "1 to 64 shares"),
    ] {
        let e = w.register("P-1", square(0, 0, 1000), owners).unwrap_err();
        assert_eq!(e.code, code, "{e}");
        assert!(e.message.contains(text), "{e}");
    }
    w.register("P-1", square(0, 0, 1000), vec![share(alice, 1, 3), share(bob, 2, 6), share(carol, 1, 3)]).unwrap();
    assert_eq!(w.title("P-1").owners.iter().map(|o| (o.numerator, o.denominator)).collect::<Vec<_>>(), vec![(1, 3); 3]);
    w.refused(
        alice,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: vec![share(bob, 1, 2)] },
            deadline_ms: w.time_ms + 10_000,
        },
        error::SHARES_SUM_NOT_ONE,
        "exactly one",
    );
}

#[test]
fn subdivision_needs_children_that_exactly_cover_the_parent() {
    let mut w = World::new();
    let (alice, bob, registrar) = (w.alice, w.bob, w.registrar);
    w.register("P", square(0, 0, 2000), vec![share(alice, 1, 2), share(bob, 1, 2)]).unwrap();
    let child = |id: &str, json: String| NewParcel { parcel: rid(id), geojson: json };
    let deadline = w.time_ms + 1_000_000;
    let open = |w: &mut World, children: Vec<NewParcel>| {
        w.call(
            alice,
            RegistryCall::OpenApplication {
                action: ApplicationAction::Subdivide { parcel: rid("P"), children },
                deadline_ms: deadline,
            },
        )
    };
    let gap =
        open(&mut w, vec![child("C1", rect(0, 0, 1000, 2000)), child("C2", rect(1000, 0, 999, 2000))]).unwrap_err();
    assert!(gap.message.contains("exactly the parent"), "{gap}");
    let outside =
        open(&mut w, vec![child("C1", rect(0, 0, 1000, 2000)), child("C2", rect(1000, 0, 1001, 2000))]).unwrap_err();
    assert!(outside.message.contains("does not lie within"), "{outside}");
    let overlapping =
        open(&mut w, vec![child("C1", rect(0, 0, 1500, 2000)), child("C2", rect(500, 0, 1500, 2000))]).unwrap_err();
    assert!(overlapping.message.contains("overlap"), "{overlapping}");
    let one = open(&mut w, vec![child("C1", square(0, 0, 2000))]).unwrap_err();
    assert!(one.message.contains("2 to 32"), "{one}");
    // An L-shaped child and a square child make the parent exactly.
    let l_shape = polygon_json(&[vec![
        (X0, Y0),
        (X0 + 2000, Y0),
        (X0 + 2000, Y0 + 1000),
        (X0 + 1000, Y0 + 1000),
        (X0 + 1000, Y0 + 2000),
        (X0, Y0 + 2000),
        (X0, Y0),
    ]]);
    open(&mut w, vec![child("C1", l_shape), child("C2", square(1000, 1000, 1000))]).unwrap();
    let app = 1;
    w.refused(
        registrar,
        RegistryCall::Approve { application: app, party: registrar_role() },
        error::STAGE_NOT_REACHED,
        "still missing",
    );
    w.approve(alice, app, Party::Account(alice)).unwrap();
    w.approve(bob, app, Party::Account(bob)).unwrap();
    w.approve(registrar, app, registrar_role()).unwrap();
    let parent = query::parcel(&w.state, &rid("P")).unwrap();
    assert_eq!(parent.parcel.value.children, vec![rid("C1"), rid("C2")]);
    assert!(!parent.title.value.in_force());
    for c in ["C1", "C2"] {
        let v = query::parcel(&w.state, &rid(c)).unwrap();
        assert_eq!(v.parcel.value.parents, vec![rid("P")]);
        assert_eq!(v.title.value.owners, w.title_owners_of_history("P"));
        assert_eq!(v.parcel.application, Some(app));
    }
    // The index now holds the children, not the parent: a square over the parent's area still overlaps C1/C2,
    // and acting on the retired parent is refused.
    assert!(w
        .register("X", square(100, 100, 10), whole(alice))
        .unwrap_err()
        .message
        .contains("overlaps active parcel C1"));
    w.refused(
        alice,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Transfer { parcel: rid("P"), new_owners: whole(bob) },
            deadline_ms: w.time_ms + 10_000,
        },
        error::PARCEL_RETIRED,
        "retired",
    );
    let parent_area = parent.parcel.value.area_m2;
    let children_area: u64 =
        ["C1", "C2"].iter().map(|c| query::parcel(&w.state, &rid(c)).unwrap().parcel.value.area_m2).sum();
    assert!(parent_area.abs_diff(children_area) <= 1, "{parent_area} vs {children_area}");
}

impl World {
    /// The owners of a parcel's first title version.
    fn title_owners_of_history(&self, id: &str) -> Vec<publica_registry::schema::Owner> {
        query::title_history(&self.state, &rid(id), 1, 1)[0].value.owners.clone()
    }
}

#[test]
fn merger_joins_adjacent_parcels_with_the_same_owners() {
    let mut w = World::new();
    let (alice, bob, registrar) = (w.alice, w.bob, w.registrar);
    w.register("A", square(0, 0, 1000), whole(alice)).unwrap();
    w.register("B", square(1000, 0, 1000), whole(alice)).unwrap();
    w.register("C", square(2000, 0, 1000), whole(bob)).unwrap();
    let deadline = w.time_ms + 1_000_000;
    let e = w
        .call(
            alice,
            RegistryCall::OpenApplication {
                action: ApplicationAction::Merge {
                    parcels: vec![rid("B"), rid("C")],
                    into: NewParcel { parcel: rid("BC"), geojson: rect(1000, 0, 2000, 1000) },
                },
                deadline_ms: deadline,
            },
        )
        .unwrap_err();
    assert!(e.message.contains("different owners"), "{e}");
    let e = w
        .call(
            alice,
            RegistryCall::OpenApplication {
                action: ApplicationAction::Merge {
                    parcels: vec![rid("A"), rid("B")],
                    into: NewParcel { parcel: rid("AB"), geojson: rect(0, 0, 2000, 1001) },
                },
                deadline_ms: deadline,
            },
        )
        .unwrap_err();
    assert!(e.message.contains("exactly their union"), "{e}");
    w.ok(
        alice,
        RegistryCall::OpenApplication {
            action: ApplicationAction::Merge {
                parcels: vec![rid("A"), rid("B")],
                into: NewParcel { parcel: rid("AB"), geojson: rect(0, 0, 2000, 1000) },
            },
            deadline_ms: deadline,
        },
    );
    w.approve(alice, 1, Party::Account(alice)).unwrap();
    w.approve(registrar, 1, registrar_role()).unwrap();
    let ab = query::parcel(&w.state, &rid("AB")).unwrap();
    assert_eq!(ab.parcel.value.parents, vec![rid("A"), rid("B")]);
    assert_eq!(ab.title.value.basis, TitleBasis::Merger { parents: vec![rid("A"), rid("B")] });
    for p in ["A", "B"] {
        assert_eq!(query::parcel(&w.state, &rid(p)).unwrap().parcel.value.children, vec![rid("AB")]);
    }
    // C touches AB along an edge; a new parcel over A's old area overlaps AB.
    assert!(w
        .register("X", square(10, 10, 10), whole(alice))
        .unwrap_err()
        .message
        .contains("overlaps active parcel AB"));
}
