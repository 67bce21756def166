//! The registry module over an in-memory state: workflows, land rules, geometry, as-of answers, permits.

mod business;

use std::collections::BTreeMap;
use std::time::Instant;

use proptest::prelude::*;
use publica_accounts::schema::{account_key, agency_key};
use publica_accounts::{AccountKind, AccountRecord, AgencyRecord};
use publica_crypto::Keypair;
use publica_registry::call::{ApplicationAction, EncumbranceKind, NewParcel, Party, RegistryCall, Share};
use publica_registry::engine::{self, as_of_keys};
use publica_registry::geo::{Point, Polygon};
use publica_registry::query::{self, ApplicationState};
use publica_registry::rules::{DIRECT_RULES, WORKFLOW_RULES};
use publica_registry::schema::{RecordKind, Title, TitleBasis};
use publica_registry::verify::{self, OwnershipAt, PermitStatus};
use publica_registry::{error, execute, RegistryError};
use publica_types::RecordId;
use publica_types::{
    codec, Address, CallContext, Code, ErrorCode, PublicKeyBytes, Role, StateRead, StateWrite, TxError, TxId, TxOutcome,
};

// ---------------------------------------------------------------------------------------------------------------
// An in-memory state and the actors.

#[derive(Default, Clone, PartialEq, Eq)]
struct Map(BTreeMap<Vec<u8>, Vec<u8>>);

impl StateRead for Map {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key).cloned()
    }
}

impl StateWrite for Map {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.0.insert(key, value);
    }
    fn delete(&mut self, key: Vec<u8>) {
        self.0.remove(key.as_slice());
    }
}

struct World {
    state: Map,
    height: u64,
    time_ms: u64,
    skip_snapshots: bool,
    registrar: Address,
    registrar2: Address,
    notary: Address,
    bank: Address,
    other_bank: Address,
    court: Address,
    probate: Address,
    officer: Address,
    other_officer: Address,
    alice: Address,
    bob: Address,
    carol: Address,
}

const T0: u64 = 1_700_000_000_000;

fn add_account(state: &mut Map, seed: u8, kind: AccountKind) -> Address {
    let key = Keypair::from_seed(&[seed; 32]);
    let address = key.address();
    let record = AccountRecord {
        address,
        public_key: PublicKeyBytes::from(key.public_key()),
        kind,
        active: true,
        created_at_height: 0,
        registered_by: None,
    };
    state.put(account_key(&address), codec::encode(&record));
    address
}

/// The agencies of the tests and the roles each may grant (as genesis would write them).
const AGENCIES: &[(&str, &[&str])] = &[
    ("land-registry", &["registrar"]),
    ("notary-office", &["notary"]),
    ("bank-a", &["bank"]),
    ("bank-b", &["bank"]),
    ("district-court", &["court"]),
    ("probate", &["probate-court"]),
    ("city-permits", &["permit-officer"]),
    ("county-permits", &["permit-officer"]),
    ("business-registry", &["company-registrar"]),
    ("civil-registry", &["citizen-registrar"]),
    ("building-authority", &["permit-officer"]),
];

fn agencies(state: &mut Map) {
    for (id, roles) in AGENCIES {
        let record = AgencyRecord {
            id: id.parse().unwrap(),
            name: (*id).to_owned(),
            can_register_citizens: *id == "civil-registry",
            roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
        };
        state.put(agency_key(&record.id), codec::encode(&record));
    }
}

fn official(state: &mut Map, seed: u8, agency: &str, roles: &[&str]) -> Address {
    add_account(
        state,
        seed,
        AccountKind::Official {
            agency: agency.parse().unwrap(),
            roles: roles.iter().map(|r| Role::new(*r).unwrap()).collect(),
        },
    )
}

fn citizen(state: &mut Map, seed: u8) -> Address {
    add_account(
        state,
        seed,
        AccountKind::Citizen { registered_by_agency: "civil-registry".parse().unwrap(), id_commitment: [seed; 32] },
    )
}

impl World {
    fn new() -> World {
        let mut s = Map::default();
        agencies(&mut s);
        World {
            registrar: official(&mut s, 1, "land-registry", &["registrar"]),
            registrar2: official(&mut s, 2, "land-registry", &["registrar"]),
            notary: official(&mut s, 3, "notary-office", &["notary"]),
            bank: official(&mut s, 4, "bank-a", &["bank"]),
            other_bank: official(&mut s, 5, "bank-b", &["bank"]),
            court: official(&mut s, 6, "district-court", &["court"]),
            probate: official(&mut s, 7, "probate", &["probate-court"]),
            officer: official(&mut s, 8, "city-permits", &["permit-officer"]),
            other_officer: official(&mut s, 9, "county-permits", &["permit-officer"]),
            alice: citizen(&mut s, 20),
            bob: citizen(&mut s, 21),
            carol: citizen(&mut s, 22),
            state: s,
            height: 1,
            time_ms: T0,
            skip_snapshots: false,
        }
    }

    fn ctx(&self, sender: Address) -> CallContext {
        CallContext {
            chain_id: "test".parse().unwrap(),
            height: self.height,
            time_ms: self.time_ms,
            tx_id: TxId([self.height as u8; 32]),
            sender,
            nonce: 0,
        }
    }

    /// Run a call in its own block. A refused call must leave the state exactly as it was: the module checks
    /// before it writes (execution would discard the writes anyway, but the module must not rely on it).
    fn call(&mut self, sender: Address, call: RegistryCall) -> Result<TxOutcome, TxError> {
        // The snapshot costs a copy of the state; the scale test, which has 10^5 parcels, skips it.
        let before = (!self.skip_snapshots).then(|| self.state.clone());
        let ctx = self.ctx(sender);
        let r = execute(&mut self.state, &ctx, &call);
        if let (Err(_), Some(before)) = (&r, before) {
            assert!(self.state == before, "a refused {} call changed the state", call.method());
        }
        self.height += 1;
        self.time_ms += 1_000;
        r
    }

    fn ok(&mut self, sender: Address, call: RegistryCall) -> TxOutcome {
        let m = call.method();
        self.call(sender, call).unwrap_or_else(|e| panic!("{m} refused: {e}"))
    }

    fn refused(&mut self, sender: Address, call: RegistryCall, code: impl Into<Code>, text: &str) -> TxError {
        let code = code.into();
        let e = self.call(sender, call).expect_err("the call should be refused");
        assert_eq!(e.code, code, "{e}");
        assert!(e.message.contains(text), "message {:?} lacks {text:?}", e.message);
        e
    }

    fn register(&mut self, id: &str, geojson: String, owners: Vec<Share>) -> Result<TxOutcome, TxError> {
        let r = self.registrar;
        self.call(r, RegistryCall::RegisterParcel { parcel: NewParcel { parcel: rid(id), geojson }, owners })
    }

    fn title(&self, id: &str) -> Title {
        query::parcel(&self.state, &rid(id)).unwrap().title.value
    }

    /// Open an application; returns the number its outcome reports, checked against the registry's counter.
    fn open(&mut self, sender: Address, action: ApplicationAction) -> u64 {
        let deadline = self.time_ms + 3_600_000;
        let outcome = self.ok(sender, RegistryCall::OpenApplication { action, deadline_ms: deadline });
        let counted = self.state.get(b"reg/next/app").map(|b| u64::from_le_bytes(b.try_into().unwrap())).unwrap() - 1;
        assert_eq!(outcome, TxOutcome::Application { id: counted });
        counted
    }

    fn approve(&mut self, sender: Address, app: u64, party: Party) -> Result<TxOutcome, TxError> {
        self.call(sender, RegistryCall::Approve { application: app, party })
    }
}

fn rid(s: &str) -> RecordId {
    RecordId::new(s).unwrap()
}

fn share(owner: Address, numerator: u64, denominator: u64) -> Share {
    Share { owner, numerator, denominator }
}

fn whole(owner: Address) -> Vec<Share> {
    vec![share(owner, 1, 1)]
}

fn notary_role() -> Party {
    Party::Role(Role::new("notary").unwrap())
}

fn registrar_role() -> Party {
    Party::Role(Role::new("registrar").unwrap())
}

// ---------------------------------------------------------------------------------------------------------------
// Geometry helpers: squares near Tbilisi, in 1e-7 degree units.

const X0: i64 = 448_000_000;
const Y0: i64 = 417_000_000;

fn deg(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:07}", v.abs() / 10_000_000, v.abs() % 10_000_000)
}

fn ring_json(points: &[(i64, i64)]) -> String {
    let pts: Vec<String> = points.iter().map(|(x, y)| format!("[{},{}]", deg(*x), deg(*y))).collect();
    format!("[{}]", pts.join(","))
}

fn polygon_json(rings: &[Vec<(i64, i64)>]) -> String {
    let rs: Vec<String> = rings.iter().map(|r| ring_json(r)).collect();
    format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, rs.join(","))
}

fn rect_ring(x: i64, y: i64, w: i64, h: i64) -> Vec<(i64, i64)> {
    vec![(X0 + x, Y0 + y), (X0 + x + w, Y0 + y), (X0 + x + w, Y0 + y + h), (X0 + x, Y0 + y + h), (X0 + x, Y0 + y)]
}

fn rect(x: i64, y: i64, w: i64, h: i64) -> String {
    polygon_json(&[rect_ring(x, y, w, h)])
}

fn square(x: i64, y: i64, s: i64) -> String {
    rect(x, y, s, s)
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows.

fn transfer_to_bob_and_carol(w: &mut World) -> u64 {
    w.register("P-1", square(0, 0, 1000), whole(w.alice)).unwrap();
    let alice = w.alice;
    w.open(
        alice,
        ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: vec![share(w.bob, 1, 2), share(w.carol, 1, 2)] },
    )
}

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
    let mut s = w.state.clone();
    let notary_buyer = official(&mut s, 30, "notary-office", &["notary"]);
    w.state = s;
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

// ---------------------------------------------------------------------------------------------------------------
// Geometry.

#[test]
fn invalid_boundaries_are_refused() {
    let mut w = World::new();
    let alice = w.alice;
    let open_ring = format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, ring_json(&rect_ring(0, 0, 10, 10)[..4]));
    let bowtie = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10), (X0, Y0)]]);
    let self_touch =
        polygon_json(&[vec![(X0, Y0), (X0 + 20, Y0), (X0 + 20, Y0 + 20), (X0 + 10, Y0), (X0, Y0 + 20), (X0, Y0)]]);
    let spike = polygon_json(&[vec![(X0, Y0), (X0 + 20, Y0), (X0 + 10, Y0), (X0 + 10, Y0 + 10), (X0, Y0)]]);
    let too_few = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0), (X0, Y0)]]);
    let collinear = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0), (X0 + 20, Y0), (X0, Y0)]]);
    let out_of_range = r#"{"type":"Polygon","coordinates":[[[179.9,0],[180.1,0],[180,1],[179.9,0]]]}"#.to_owned();
    let lat_out = r#"{"type":"Polygon","coordinates":[[[0,89.9],[1,89.9],[1,90.5],[0,89.9]]]}"#.to_owned();
    let hole_outside = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(200, 200, 10, 10)]);
    let hole_crossing = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(50, 50, 100, 10)]);
    let hole_touching = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(0, 10, 10, 10)]);
    let nested_holes = polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(10, 10, 80, 80), rect_ring(20, 20, 10, 10)]);
    let dup = polygon_json(&[vec![(X0, Y0), (X0 + 10, Y0), (X0 + 10, Y0), (X0 + 10, Y0 + 10), (X0, Y0)]]);
    let many: Vec<(i64, i64)> = (0..1001).map(|i| (X0 + i, Y0 + (i % 2))).collect();
    let too_many = polygon_json(&[many]);
    let huge = format!(r#"{{"type":"Polygon","pad":"{}","coordinates":[]}}"#, "x".repeat(70_000));
    let cases: Vec<(String, &str)> = vec![
        (open_ring, "not closed"),
        (bowtie, "intersects itself"),
        (self_touch, "intersects itself"),
        (spike, "doubles back"),
        (too_few, "at least 4"),
        (collinear, "doubles back"),
        (out_of_range, "out of range"),
        (lat_out, "out of range"),
        (hole_outside, "outside the exterior"),
        (hole_crossing, "cross or touch"),
        (hole_touching, "cross or touch"),
        (nested_holes, "inside hole"),
        (dup, "repeats position"),
        (too_many, "more than 1000"),
        (huge, "the limit is 65536"),
        (r#"{"type":"MultiPolygon","coordinates":[]}"#.into(), "must be \"Polygon\""),
        (r#"{"type":"Polygon"}"#.into(), "no \"coordinates\""),
        (r#"{"type":"Polygon","type":"Polygon","coordinates":[]}"#.into(), "two \"type\""),
        (r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"1"],[0,0]]]}"#.into(), "must be a number"),
        (r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]"#.into(), "expected"),
        ("[]".into(), "Polygon geometry object"),
    ];
    for (json, text) in cases {
        let e = w.register("P-1", json.clone(), whole(alice)).unwrap_err();
        assert_eq!(e.code, error::PARCEL_BOUNDARY_INVALID, "{json}");
        assert!(e.message.contains(text), "{:?} lacks {text:?} for {}", e.message, &json[..json.len().min(120)]);
    }
}

#[test]
fn orientation_is_normalised_and_holes_are_kept() {
    // A clockwise exterior and a counter-clockwise hole are accepted and stored in RFC 7946 orientation.
    let mut shell = rect_ring(0, 0, 100, 100);
    shell.reverse();
    let mut hole = rect_ring(40, 40, 20, 20);
    hole.reverse();
    let p = Polygon::from_geojson(&polygon_json(&[shell, hole])).unwrap();
    assert!(publica_registry::geo::ring_doubled_area(&p.rings()[0]) > 0);
    assert!(publica_registry::geo::ring_doubled_area(&p.rings()[1]) < 0);
    assert_eq!(p.doubled_area(), 2 * (100 * 100 - 20 * 20));
    // Altitudes and foreign members are ignored; the text form round-trips.
    let with_alt =
        r#"{"bbox":[0,0,1,1],"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]],"x":{"y":[1]}}"#;
    let q = Polygon::from_geojson(with_alt).unwrap();
    assert_eq!(Polygon::from_geojson(&q.to_geojson()).unwrap(), q);
    assert_eq!(q.rings()[0][1], Point { x: 10_000_000, y: 0 });
    // Decoders validate too: a bow-tie cannot be smuggled in through borsh or serde.
    let bowtie: Vec<Vec<Point>> =
        vec![vec![Point { x: 0, y: 0 }, Point { x: 10, y: 10 }, Point { x: 10, y: 0 }, Point { x: 0, y: 10 }]];
    assert!(codec::decode_canonical::<Polygon>("polygon", &codec::encode(&bowtie), 1 << 16).is_err());
    assert!(serde_json::from_value::<Polygon>(serde_json::json!({ "rings": bowtie })).is_err());
    let good = codec::encode(&p);
    assert_eq!(codec::decode_canonical::<Polygon>("polygon", &good, 1 << 16).unwrap(), p);
    assert_eq!(serde_json::from_str::<Polygon>(&serde_json::to_string(&p).unwrap()).unwrap(), p);
    // A parcel inside another's hole does not overlap it.
    let mut w = World::new();
    let alice = w.alice;
    w.register("RING", polygon_json(&[rect_ring(0, 0, 100, 100), rect_ring(40, 40, 20, 20)]), whole(alice)).unwrap();
    w.register("ISLAND", square(40, 40, 20), whole(alice)).unwrap();
    assert!(w.register("OVER", square(35, 35, 10), whole(alice)).is_err());
}

#[test]
fn overlapping_parcels_are_refused_and_touching_ones_accepted() {
    let mut w = World::new();
    let alice = w.alice;
    w.register("A", square(0, 0, 1000), whole(alice)).unwrap();
    for (id, json) in [
        ("same", square(0, 0, 1000)),
        ("inside", square(100, 100, 10)),
        ("around", square(-10, -10, 2000)),
        ("partial", square(500, 500, 1000)),
        ("sliver", rect(999, 0, 100, 1000)),
        ("cross", rect(-100, 400, 1200, 10)),
        (
            "vertex-in",
            polygon_json(&[vec![
                (X0 + 500, Y0 + 500),
                (X0 + 1500, Y0 + 500),
                (X0 + 1500, Y0 + 1500),
                (X0 + 500, Y0 + 500),
            ]]),
        ),
    ] {
        let e = w.register(id, json, whole(alice)).unwrap_err();
        assert_eq!(e.code, error::PARCEL_OVERLAP, "{id}: {e}");
        assert!(e.message.contains("overlaps active parcel A"), "{e}");
    }
    w.register("edge", square(1000, 0, 1000), whole(alice)).unwrap();
    w.register("corner", square(1000, 1000, 500), whole(alice)).unwrap();
    w.register("half-edge", rect(0, 1000, 500, 300), whole(alice)).unwrap();
    // A triangle whose edge lies along part of A's left edge.
    w.register(
        "triangle",
        polygon_json(&[vec![(X0 - 100, Y0 + 500), (X0, Y0 + 400), (X0, Y0 + 600), (X0 - 100, Y0 + 500)]]),
        whole(alice),
    )
    .unwrap();
    // A triangle whose apex rests on A's bottom edge.
    w.register(
        "apex",
        polygon_json(&[vec![(X0 + 400, Y0 - 100), (X0 + 600, Y0 - 100), (X0 + 500, Y0), (X0 + 400, Y0 - 100)]]),
        whole(alice),
    )
    .unwrap();
    let found = query::parcels_in_bbox(&w.state, &Polygon::from_geojson(&square(0, 0, 1000)).unwrap().bbox()).unwrap();
    assert!(found.contains(&rid("A")) && found.contains(&rid("edge")) && found.contains(&rid("corner")));
    assert!(w.register("A", square(5000, 5000, 10), whole(alice)).unwrap_err().message.contains("already used"));
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

// ---------------------------------------------------------------------------------------------------------------
// As of a date.

#[test]
fn owners_as_of_any_date_across_many_versions() {
    let mut w = World::new();
    let people = [w.alice, w.bob, w.carol];
    let court = w.court;
    let before_registration = w.time_ms - 1;
    w.register("P", square(0, 0, 1000), whole(people[0])).unwrap();
    // Model: (time, owner) of every title version, in order.
    let mut model: Vec<(u64, Address)> = vec![(w.time_ms - 1_000, people[0])];
    for i in 1..60u64 {
        let owner = people[(i % 3) as usize];
        // Several versions share a block time now and then (same block).
        if i % 7 == 0 {
            w.time_ms -= 1_000;
        }
        let t = w.time_ms;
        w.ok(court, RegistryCall::CourtOrder { parcel: rid("P"), owners: whole(owner), case: format!("case {i}") });
        model.push((t, owner));
    }
    let end = w.time_ms + 5_000;
    let mut probes: Vec<u64> = vec![before_registration, end];
    probes.extend(model.iter().flat_map(|(t, _)| [*t - 1, *t, *t + 1]));
    for d in probes {
        let expected = model.iter().rposition(|(t, _)| *t <= d);
        let answer = query::title_at(&w.state, &rid("P"), d);
        let decided = verify::owners_at(&rid("P"), d, answer.in_force.as_ref(), answer.next.as_ref()).unwrap();
        match expected {
            None => {
                assert_eq!(decided, OwnershipAt::NotRegistered);
                assert_eq!(answer.keys, as_of_keys(RecordKind::Title, "P", None));
            }
            Some(i) => {
                let OwnershipAt::Owned { version, owners, .. } = decided else { panic!("{decided:?}") };
                assert_eq!(version as usize, i + 1);
                assert_eq!(owners[0].account, model[i].1);
                assert_eq!(answer.keys, as_of_keys(RecordKind::Title, "P", Some(version)));
                // The keys are the versions themselves: present for `version`, and for `version + 1` exactly when
                // a later version exists.
                assert!(w.state.get(&answer.keys[0]).is_some());
                assert_eq!(w.state.get(&answer.keys[1]).is_some(), i + 1 < model.len());
            }
        }
    }
    // The verifier refuses answers that do not decide.
    let d = model[10].0;
    let a = query::title_at(&w.state, &rid("P"), d);
    let (v, n) = (a.in_force.clone().unwrap(), a.next.clone().unwrap());
    let older = engine::version::<Title>(&w.state, "P", v.version - 1).unwrap();
    assert!(
        matches!(verify::owners_at(&rid("P"), d, Some(&older), Some(&v)), Err(RegistryError::AsOf(_))),
        "skipping a later version in force"
    );
    assert!(verify::owners_at(&rid("P"), d, Some(&older), None).is_ok(), "absence proofs are the verifier's part");
    assert!(verify::owners_at(&rid("P"), d, Some(&n), None).is_err(), "a version after the date");
    assert!(verify::owners_at(&rid("P"), d, Some(&v), Some(&older)).is_err(), "the wrong following version");
    assert!(verify::owners_at(&rid("Q"), d, Some(&v), Some(&n)).is_err(), "another record's versions");
    assert!(verify::owners_at(&rid("P"), d, None, Some(&v)).is_err(), "claiming absence with a later version 1");
    // Encoded versions decode with their size limit and schema.
    let bytes = w.state.get(&a.keys[0]).unwrap();
    assert_eq!(engine::decode_version::<Title>(&bytes).unwrap(), v);
    assert!(engine::decode_version::<Title>(&bytes[..bytes.len() - 1]).is_err());
    assert!(engine::decode_version::<publica_registry::schema::Permit>(&bytes).is_err());
}

// ---------------------------------------------------------------------------------------------------------------
// Permits.

#[test]
fn permit_life_cycle_and_status_at_dates() {
    let mut w = World::new();
    let (alice, officer, other) = (w.alice, w.officer, w.other_officer);
    let from = T0 + 100_000;
    let until = T0 + 200_000;
    let issue = |until| RegistryCall::IssuePermit {
        permit: rid("B-7"),
        kind: rid("building"),
        holder: alice,
        valid_from_ms: from,
        valid_until_ms: until,
    };
    w.refused(officer, issue(from), error::PERMIT_VALIDITY_INVALID, "must end after");
    w.ok(officer, issue(until));
    let t_issued = w.time_ms - 1_000;
    w.refused(officer, issue(until), error::PERMIT_NUMBER_USED, "already used");
    w.refused(
        other,
        RegistryCall::SuspendPermit { permit: rid("B-7"), reason: "x".into() },
        error::RECORD_OF_OTHER_AGENCY,
        "city-permits",
    );
    w.refused(
        officer,
        RegistryCall::ReinstatePermit { permit: rid("B-7") },
        error::PERMIT_NOT_SUSPENDED,
        "not suspended",
    );
    w.refused(
        officer,
        RegistryCall::RenewPermit { permit: rid("B-7"), valid_until_ms: until },
        error::PERMIT_RENEWAL_NOT_LATER,
        "extends",
    );
    w.time_ms = from + 10_000;
    w.ok(officer, RegistryCall::SuspendPermit { permit: rid("B-7"), reason: "unsafe scaffolding".into() });
    let t_suspended = w.time_ms - 1_000;
    w.refused(
        officer,
        RegistryCall::SuspendPermit { permit: rid("B-7"), reason: "again".into() },
        error::PERMIT_ALREADY_SUSPENDED,
        "already suspended",
    );
    w.ok(officer, RegistryCall::ReinstatePermit { permit: rid("B-7") });
    let t_reinstated = w.time_ms - 1_000;
    w.ok(officer, RegistryCall::RenewPermit { permit: rid("B-7"), valid_until_ms: until + 100_000 });
    w.time_ms = until + 50_000;
    w.ok(officer, RegistryCall::RevokePermit { permit: rid("B-7"), reason: "fraud".into() });
    let t_revoked = w.time_ms - 1_000;
    w.refused(officer, RegistryCall::ReinstatePermit { permit: rid("B-7") }, error::PERMIT_REVOKED, "revoked");
    let status = |d: u64| {
        let a = query::permit_at(&w.state, &rid("B-7"), d);
        verify::permit_status(&rid("B-7"), d, a.in_force.as_ref(), a.next.as_ref()).unwrap()
    };
    assert_eq!(status(t_issued - 1), PermitStatus::NotIssued);
    assert_eq!(status(t_issued), PermitStatus::NotYetValid);
    assert_eq!(status(from), PermitStatus::Valid);
    assert_eq!(status(t_suspended), PermitStatus::Suspended { reason: "unsafe scaffolding".into() });
    assert_eq!(status(t_reinstated), PermitStatus::Valid);
    assert_eq!(status(until + 10_000), PermitStatus::Valid, "the renewal extended validity");
    assert_eq!(status(t_revoked), PermitStatus::Revoked { reason: "fraud".into() });
    assert_eq!(query::permit_history(&w.state, &rid("B-7"), 1, 100).len(), 5);
    // Without the renewal, the permit would have expired: check the dates rule on the issued version alone.
    let v1 = engine::version::<publica_registry::schema::Permit>(&w.state, "B-7", 1).unwrap();
    assert_eq!(verify::permit_status(&rid("B-7"), until, Some(&v1), None).unwrap(), PermitStatus::Expired);
}

// ---------------------------------------------------------------------------------------------------------------
// Encodings and tables.

#[test]
fn calls_round_trip_in_borsh_and_json() {
    let w = World::new();
    let calls = vec![
        RegistryCall::RegisterParcel {
            parcel: NewParcel { parcel: rid("GE-01.10.12.003"), geojson: square(0, 0, 10) },
            owners: whole(w.alice),
        },
        RegistryCall::OpenApplication {
            action: ApplicationAction::Merge {
                parcels: vec![rid("A"), rid("B")],
                into: NewParcel { parcel: rid("AB"), geojson: "{}".into() },
            },
            deadline_ms: 5,
        },
        RegistryCall::Approve { application: 3, party: notary_role() },
        RegistryCall::Reject { application: 3, party: Party::Account(w.bob), reason: "r".into() },
        RegistryCall::RegisterEncumbrance { parcel: rid("A"), kind: EncumbranceKind::Lien, reference: "x".into() },
        RegistryCall::RevokePermit { permit: rid("B-1"), reason: "y".into() },
    ];
    for c in calls {
        let bytes = codec::encode(&c);
        assert_eq!(codec::decode_canonical::<RegistryCall>("call", &bytes, 1 << 20).unwrap(), c);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<RegistryCall>(&json).unwrap(), c);
    }
    assert!(RecordId::new("a/b").is_err() && RecordId::new("-a").is_err() && RecordId::new("x".repeat(65)).is_err());
    let bad_id = codec::encode(&"a/b".to_owned());
    assert!(codec::decode_canonical::<RecordId>("id", &bad_id, 100).is_err());
}

#[test]
fn the_rule_tables_name_valid_roles() {
    for r in DIRECT_RULES {
        for role in r.roles {
            Role::new(*role).unwrap();
        }
    }
    for r in WORKFLOW_RULES {
        assert!(!r.stages.is_empty());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Property tests and scale.

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Squares on a grid never overlap (they share edges and corners) and are all accepted; then a square at any
    /// position is refused exactly when it overlaps a registered one (interval model), and kept when accepted.
    #[test]
    fn grid_squares_against_an_interval_model(
        cells in proptest::collection::btree_set((0i64..12, 0i64..12), 1..40),
        probes in proptest::collection::vec((-200i64..1400, -200i64..1400, 1i64..300), 1..16),
    ) {
        let mut w = World::new();
        let alice = w.alice;
        let mut model: Vec<(i64, i64, i64)> = Vec::new();
        for (i, (cx, cy)) in cells.iter().enumerate() {
            w.register(&format!("G{i}"), square(cx * 100, cy * 100, 100), whole(alice)).unwrap();
            model.push((cx * 100, cy * 100, 100));
        }
        for (j, (x, y, s)) in probes.into_iter().enumerate() {
            let overlaps = model.iter().any(|&(mx, my, ms)| x < mx + ms && mx < x + s && y < my + ms && my < y + s);
            let r = w.register(&format!("Q{j}"), square(x, y, s), whole(alice));
            prop_assert_eq!(r.is_err(), overlaps, "probe {} {} {}: {:?}", x, y, s, r);
            if overlaps {
                prop_assert!(r.unwrap_err().message.contains("overlaps"));
            } else {
                model.push((x, y, s));
            }
        }
    }

    /// Any square overlapping one registered grid square is refused.
    #[test]
    fn any_square_overlapping_a_grid_square_is_refused(
        cells in proptest::collection::btree_set((0i64..10, 0i64..10), 1..30),
        pick in any::<prop::sample::Index>(),
        dx in -99i64..100, dy in -99i64..100, s in 1i64..250,
    ) {
        let mut w = World::new();
        let alice = w.alice;
        for (i, (cx, cy)) in cells.iter().enumerate() {
            w.register(&format!("G{i}"), square(cx * 100, cy * 100, 100), whole(alice)).unwrap();
        }
        let cells: Vec<_> = cells.into_iter().collect();
        let (cx, cy) = cells[pick.index(cells.len())];
        // A square whose interior meets the picked cell's interior: its lower-left corner lies strictly within
        // (−s, 100) of the cell's on both axes.
        let (x, y) = (cx * 100 + dx.clamp(-s + 1, 99), cy * 100 + dy.clamp(-s + 1, 99));
        let e = w.register("Q", square(x, y, s), whole(alice)).unwrap_err();
        prop_assert_eq!(e.code, error::PARCEL_OVERLAP);
    }
}

/// Registration time with 10^5 parcels present. Run with
/// `cargo test -p publica-registry --release -- --ignored --nocapture spatial_index_scales`.
#[test]
#[ignore]
fn spatial_index_scales_to_a_hundred_thousand_parcels() {
    let mut w = World::new();
    w.skip_snapshots = true;
    let alice = w.alice;
    let side = 317i64; // 317² = 100,489 parcels
    let size = 900; // about 100 m × 75 m near Tbilisi
    let start = Instant::now();
    for i in 0..side {
        for j in 0..side {
            w.register(&format!("L-{i}-{j}"), square(i * size, j * size, size), whole(alice)).unwrap();
        }
    }
    let fill = start.elapsed();
    let n = (side * side) as f64;
    println!(
        "registered {} parcels in {:.2?} ({:.1} µs each), {} state keys",
        side * side,
        fill,
        fill.as_micros() as f64 / n,
        w.state.0.len()
    );
    let start = Instant::now();
    let extra = 1_000;
    for k in 0..extra {
        // New parcels to the east, touching the block's edge, and refused ones inside the block.
        w.register(&format!("E-{k}"), square(side * size, k * size / 2, size / 2), whole(alice)).unwrap();
    }
    let per_new = start.elapsed() / extra as u32;
    let start = Instant::now();
    for k in 0..extra {
        let x = (k * 7919) % (side * size - size);
        assert!(w.register("R", square(x, (k * 104_729) % (side * size - size), size), whole(alice)).is_err());
    }
    let per_refused = start.elapsed() / extra as u32;
    let (_, reads) = publica_registry::geo::index::search(
        &w.state,
        &Polygon::from_geojson(&square(5 * size, 5 * size, size)).unwrap().bbox(),
        |_| true,
    )
    .unwrap();
    println!("with 10^5 parcels present: accepted registration {per_new:.2?}, refused overlapping one {per_refused:.2?}, index cells read per search {reads}");
    let _ = &mut w;
}

// ---------------------------------------------------------------------------------------------------------------
// Roles are tied to agencies; authority before geometry; a geometry budget per transaction.

#[test]
fn a_bank_official_holding_court_and_registrar_roles_cannot_take_a_parcel() {
    let mut w = World::new();
    w.register("NV-A1-101", square(0, 0, 1000), whole(w.alice)).unwrap();
    // The roles a bank administrator once granted itself: the account holds them, its agency may not grant them.
    let thief = official(
        &mut w.state,
        60,
        "bank-a",
        &["bank", "court", "registrar", "company-registrar", "probate-court", "notary"],
    );
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
    let fake = official(&mut w.state, 61, "building-authority", &["notary"]);
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

/// A rectangle of `w` × `h` at (`x`, `y`) whose top edge carries `extra` collinear vertices: a valid boundary
/// with many vertices, as costly to check as any.
fn dense_rect(x: i64, y: i64, w: i64, h: i64, extra: i64) -> String {
    let mut ring = vec![(X0 + x, Y0 + y), (X0 + x + w, Y0 + y), (X0 + x + w, Y0 + y + h)];
    let step = w / (extra + 1);
    assert!(step > 0);
    for j in 1..=extra {
        ring.push((X0 + x + w - j * step, Y0 + y + h));
    }
    ring.push((X0 + x, Y0 + y + h));
    ring.push((X0 + x, Y0 + y));
    polygon_json(&[ring])
}

/// A subdivision of `P-1` (a 8·9910 × 1000 rectangle) into 8 strips of 994 vertices each: valid, and more
/// geometry work than one transaction may use.
fn costly_subdivision(w: &mut World) -> ApplicationAction {
    let (width, strips) = (9_910, 8);
    w.register("P-1", rect(0, 0, width * strips, 1000), whole(w.alice)).unwrap();
    let children = (0..strips)
        .map(|i| NewParcel { parcel: rid(&format!("P-1-{i}")), geojson: dense_rect(i * width, 0, width, 1000, 990) })
        .collect();
    ApplicationAction::Subdivide { parcel: rid("P-1"), children }
}

#[test]
fn a_non_owner_is_refused_for_authority_before_any_geometry_work() {
    let mut w = World::new();
    let costly = costly_subdivision(&mut w);
    let deadline = w.time_ms + 3_600_000;
    let bob = w.bob;
    // Oversize work from a non-owner: the refusal is about authority, so no boundary was parsed or compared.
    w.refused(
        bob,
        RegistryCall::OpenApplication { action: costly, deadline_ms: deadline },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "may not open a subdivide application",
    );
    // Malformed boundaries from a non-owner: the same refusal, not a geometry error.
    let malformed = ApplicationAction::Subdivide {
        parcel: rid("P-1"),
        children: vec![
            NewParcel { parcel: rid("X-1"), geojson: "not json at all".into() },
            NewParcel { parcel: rid("X-2"), geojson: "{\"type\":\"Polygon\"}".into() },
        ],
    };
    w.refused(
        bob,
        RegistryCall::OpenApplication { action: malformed.clone(), deadline_ms: deadline },
        error::APPLICATION_OPENER_NOT_ALLOWED,
        "may not open",
    );
    let merge = ApplicationAction::Merge {
        parcels: vec![rid("P-1"), rid("P-1")],
        into: NewParcel { parcel: rid("M"), geojson: "[".into() },
    };
    w.refused(
        bob,
        RegistryCall::OpenApplication { action: merge, deadline_ms: deadline },
        error::MERGER_PARCEL_REPEATED,
        "appears twice",
    );
    // The owner gets the geometry error for the same malformed action.
    let alice = w.alice;
    w.refused(
        alice,
        RegistryCall::OpenApplication { action: malformed, deadline_ms: deadline },
        error::PARCEL_BOUNDARY_INVALID,
        "invalid parcel boundary",
    );
}

#[test]
fn geometry_work_per_transaction_is_bounded_with_a_clear_error() {
    let mut w = World::new();
    let costly = costly_subdivision(&mut w);
    let deadline = w.time_ms + 3_600_000;
    let alice = w.alice;
    let e = w.refused(
        alice,
        RegistryCall::OpenApplication { action: costly, deadline_ms: deadline },
        error::GEOMETRY_WORK_EXCEEDED,
        "units of geometry work",
    );
    assert!(e.message.contains("fewer vertices"), "{e}");
    // Two of the same strips are within the budget: the bound refuses only outsize transactions.
    let mut w = World::new();
    w.register("Q", rect(0, 0, 2 * 9_910, 1000), whole(w.alice)).unwrap();
    let children = (0..2)
        .map(|i| NewParcel { parcel: rid(&format!("Q-{i}")), geojson: dense_rect(i * 9_910, 0, 9_910, 1000, 990) })
        .collect();
    let app = w.open(alice, ApplicationAction::Subdivide { parcel: rid("Q"), children });
    w.approve(alice, app, Party::Account(alice)).unwrap();
    let registrar = w.registrar;
    w.approve(registrar, app, registrar_role()).unwrap();
    assert_eq!(query::parcel(&w.state, &rid("Q-1")).unwrap().parcel.value.vertices, 994);
}
