//! The registry module over an in-memory state: workflows, who may act, land rules, geometry, as-of answers,
//! permits, the business register. This file holds the world every test starts from.

mod asof;
mod business;
mod encoding;
mod geometry;
mod land;
mod permits;
mod roles;
mod workflow;

use publica_registry::call::{ApplicationAction, NewParcel, Party, RegistryCall, Share};
use publica_registry::execute;
use publica_registry::query;
use publica_registry::schema::Title;
use publica_testkit::{context, Accounts, MemoryState};
use publica_types::{Address, CallContext, Code, RecordId, Role, StateRead, TxError, TxId, TxOutcome};

// ---------------------------------------------------------------------------------------------------------------
// The actors.

struct World {
    state: MemoryState,
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

/// The agencies of the tests and the roles each may grant (as genesis would write them); the civil registry
/// registers the citizens.
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
    ("building-authority", &["permit-officer"]),
];

const CIVIL_REGISTRY: (&str, &[&str]) = ("civil-registry", &["citizen-registrar"]);

impl World {
    fn new() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        for (id, roles) in AGENCIES {
            accounts.agency(id, roles);
        }
        accounts.agency_registering_citizens(CIVIL_REGISTRY.0, CIVIL_REGISTRY.1);
        World {
            registrar: accounts.official("registrar", "land-registry", &["registrar"]),
            registrar2: accounts.official("registrar-2", "land-registry", &["registrar"]),
            notary: accounts.official("notary", "notary-office", &["notary"]),
            bank: accounts.official("bank", "bank-a", &["bank"]),
            other_bank: accounts.official("other-bank", "bank-b", &["bank"]),
            court: accounts.official("court", "district-court", &["court"]),
            probate: accounts.official("probate", "probate", &["probate-court"]),
            officer: accounts.official("officer", "city-permits", &["permit-officer"]),
            other_officer: accounts.official("other-officer", "county-permits", &["permit-officer"]),
            alice: accounts.citizen("alice", CIVIL_REGISTRY.0),
            bob: accounts.citizen("bob", CIVIL_REGISTRY.0),
            carol: accounts.citizen("carol", CIVIL_REGISTRY.0),
            state,
            height: 1,
            time_ms: T0,
            skip_snapshots: false,
        }
    }

    /// A further official of `agency` holding `roles`, with the key of `name`.
    fn official(&mut self, name: &str, agency: &str, roles: &[&str]) -> Address {
        Accounts::new(&mut self.state).official(name, agency, roles)
    }

    /// A further citizen, with the key of `name`.
    fn citizen(&mut self, name: &str) -> Address {
        Accounts::new(&mut self.state).citizen(name, CIVIL_REGISTRY.0)
    }

    fn ctx(&self, sender: Address) -> CallContext {
        context(sender).block(self.height, self.time_ms).tx_id(TxId([self.height as u8; 32])).build()
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

/// Alice's parcel P-1, and her application to transfer it to bob and carol in halves; returns its number.
fn transfer_to_bob_and_carol(w: &mut World) -> u64 {
    w.register("P-1", square(0, 0, 1000), whole(w.alice)).unwrap();
    let alice = w.alice;
    w.open(
        alice,
        ApplicationAction::Transfer { parcel: rid("P-1"), new_owners: vec![share(w.bob, 1, 2), share(w.carol, 1, 2)] },
    )
}
