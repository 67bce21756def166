//! The data module over an in-memory state: records and retention, consents and representatives, court orders and
//! emergencies, accesses and the citizen's log, erasure, studies, and the offline check of a release. This file
//! holds the world every test starts from and the steps they share.

mod access;
mod bases;
mod consents;
mod encoding;
mod erasure;
mod records;
mod studies;
mod verify;

use publica_data::call::{Basis, DataCall, Grantee, RecipientKey, DAY_MS, ML_KEM_768_KEY_BYTES};
use publica_data::schema::{Access, AccessState, Record};
use publica_data::{execute, query, verify as rules};
use publica_testkit::{context, Accounts, MemoryState};
use publica_types::outcome::AccessDecision;
use publica_types::{Address, CallContext, Code, Hash, TxError, TxId, TxOutcome};

/// The start of every test's clock: 12:00 UTC on 10 March 2026.
const T0: u64 = 1_773_144_000_000;

const HEALTH: &str = "health.summary";
const TRIAL: &str = "health.clinical-trial";
const TREATMENT: &str = "treatment";
const RESEARCH: &str = "research";

/// A health summary's fields: JSON texts.
const SUMMARY: [(&str, &str); 3] =
    [("blood_type", r#""O+""#), ("allergies", r#"["penicillin"]"#), ("diagnosis", r#""asthma""#)];

struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
    /// The hospital's vault operator (`data-controller`) and a doctor (`data-requester`).
    vault: Address,
    doctor: Address,
    /// A second doctor of the same hospital.
    nurse: Address,
    /// A doctor of another hospital.
    clinic_doctor: Address,
    /// The customs' vault operator: a controller of another agency.
    customs_vault: Address,
    /// The health authority's official.
    authority: Address,
    /// An official of another health authority.
    other_authority: Address,
    /// A judge (`court`).
    judge: Address,
    /// A researcher of the research institute (also `data-requester`).
    researcher: Address,
    /// An ethics board's member, of another agency than the institute.
    board: Address,
    /// The institute's own ethics board member.
    institute_board: Address,
    /// An official holding `data-requester` in an agency that may not grant it.
    pretender: Address,
    /// Citizens.
    alice: Address,
    bob: Address,
    /// A citizen appointed to represent Alice in some tests.
    guardian: Address,
}

impl World {
    fn new() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency_registering_citizens("civil-registry", &["citizen-registrar"])
            .agency("hospital", &["data-controller", "data-requester"])
            .agency("clinic", &["data-controller", "data-requester"])
            .agency("customs", &["data-controller"])
            .agency("health-authority", &["health-authority"])
            .agency("other-authority", &["health-authority"])
            .agency("court", &["court"])
            .agency("research-institute", &["researcher", "data-requester", "research-ethics-board"])
            .agency("ethics-board", &["research-ethics-board"])
            .agency("rogue", &["registrar"]);
        World {
            vault: accounts.official("hospital-vault", "hospital", &["data-controller"]),
            doctor: accounts.official("doctor", "hospital", &["data-requester"]),
            nurse: accounts.official("nurse", "hospital", &["data-requester"]),
            clinic_doctor: accounts.official("clinic-doctor", "clinic", &["data-requester"]),
            customs_vault: accounts.official("customs-vault", "customs", &["data-controller"]),
            authority: accounts.official("authority", "health-authority", &["health-authority"]),
            other_authority: accounts.official("other-authority", "other-authority", &["health-authority"]),
            judge: accounts.official("judge", "court", &["court"]),
            researcher: accounts.official("researcher", "research-institute", &["researcher", "data-requester"]),
            board: accounts.official("board", "ethics-board", &["research-ethics-board"]),
            institute_board: accounts.official("institute-board", "research-institute", &["research-ethics-board"]),
            pretender: accounts.official("pretender", "rogue", &["data-requester"]),
            alice: accounts.citizen("alice", "civil-registry"),
            bob: accounts.citizen("bob", "civil-registry"),
            guardian: accounts.citizen("guardian", "civil-registry"),
            state,
            height: 1,
            time_ms: T0,
        }
    }

    fn ctx(&self, sender: Address) -> CallContext {
        context(sender).block(self.height, self.time_ms).tx_id(TxId([self.height as u8; 32])).build()
    }

    /// Run a call in its own block (one second after the previous one). A refused call must leave the state
    /// exactly as it was: the module checks before it writes.
    fn call(&mut self, sender: Address, call: DataCall) -> Result<TxOutcome, TxError> {
        let before = self.state.clone();
        let ctx = self.ctx(sender);
        let r = execute(&mut self.state, &ctx, &call);
        if r.is_err() {
            assert!(self.state == before, "a refused {} call changed the state", call.method());
        }
        self.height += 1;
        self.time_ms += 1_000;
        r
    }

    fn ok(&mut self, sender: Address, call: DataCall) -> TxOutcome {
        let m = call.method();
        self.call(sender, call).unwrap_or_else(|e| panic!("{m} refused: {e}"))
    }

    fn refused(&mut self, sender: Address, call: DataCall, code: impl Into<Code>, text: &str) -> TxError {
        let code = code.into();
        let e = self.call(sender, call).expect_err("the call should be refused");
        assert_eq!(e.code, code, "{e}");
        assert!(e.message.contains(text), "message {:?} lacks {text:?}", e.message);
        e
    }

    /// Let `days` pass.
    fn wait_days(&mut self, days: u64) {
        self.time_ms += days * DAY_MS;
    }

    /// The hospital's vault registers a health summary of `owner` with [`SUMMARY`]'s fields and the given salt
    /// seed; returns the record's number.
    fn register(&mut self, owner: Address, category: &str, seed: u8) -> u64 {
        let commitment = summary_commitment(&owner, category, seed);
        let vault = self.vault;
        let call = DataCall::RegisterRecord { owner, category: category.into(), commitment, fields: 3 };
        match self.ok(vault, call) {
            TxOutcome::DataRecord { id } => id,
            other => panic!("register_record reported {other:?}"),
        }
    }

    /// `by` grants a consent on `owner`'s records; returns its number.
    fn consent(&mut self, by: Address, owner: Address, grantee: Grantee, category: &str, purpose: &str) -> u64 {
        let until_ms = self.time_ms + 30 * DAY_MS;
        let call =
            DataCall::GrantConsent { owner, grantee, category: category.into(), purpose: purpose.into(), until_ms };
        match self.ok(by, call) {
            TxOutcome::DataConsent { id } => id,
            other => panic!("grant_consent reported {other:?}"),
        }
    }

    /// `by` asks for a record; returns the access's number and its decision.
    fn request(&mut self, by: Address, record: u64, purpose: &str, basis: Basis) -> (u64, AccessDecision) {
        match self.ok(by, request(record, purpose, basis)) {
            TxOutcome::Access { id, state } => (id, state),
            other => panic!("request_access reported {other:?}"),
        }
    }

    /// Ask and expect the access refused with `code`; returns its number.
    fn request_refused(&mut self, by: Address, record: u64, purpose: &str, basis: Basis, code: &str) -> u64 {
        let (id, decision) = self.request(by, record, purpose, basis);
        assert_eq!(decision, AccessDecision::Refused { code: code.into() });
        assert_eq!(self.access(id).state, AccessState::Refused { code: refusal(code) });
        id
    }

    /// Ask and expect the access pending; returns its number.
    fn request_pending(&mut self, by: Address, record: u64, purpose: &str, basis: Basis) -> u64 {
        let (id, decision) = self.request(by, record, purpose, basis);
        assert_eq!(decision, AccessDecision::Pending, "access {id}: {:?}", self.access(id).state);
        id
    }

    /// The hospital's vault reports access `id` released.
    fn fulfil(&mut self, id: u64) {
        let vault = self.vault;
        self.ok(vault, fulfil(id));
    }

    fn access(&self, id: u64) -> Access {
        query::access(&self.state, id).value.unwrap_or_else(|| panic!("access {id} is stored"))
    }

    fn record(&self, id: u64) -> Record {
        query::record(&self.state, id).value.unwrap_or_else(|| panic!("record {id} is stored"))
    }
}

/// The salts of [`SUMMARY`]'s fields for a seed.
fn salts(seed: u8) -> Vec<Hash> {
    (0..SUMMARY.len() as u8).map(|i| [seed.wrapping_mul(16).wrapping_add(i); 32]).collect()
}

/// The commitment to [`SUMMARY`] for `owner` in `category` with the salts of `seed`.
fn summary_commitment(owner: &Address, category: &str, seed: u8) -> Hash {
    let fields: Vec<(&str, &[u8])> = SUMMARY.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    rules::commit_fields(owner, category, &fields, &salts(seed)).unwrap().commitment
}

fn recipient() -> RecipientKey {
    RecipientKey { x25519: [9; 32], ml_kem: vec![7; ML_KEM_768_KEY_BYTES] }
}

fn request(record: u64, purpose: &str, basis: Basis) -> DataCall {
    DataCall::RequestAccess { record, purpose: purpose.into(), basis, recipient: recipient() }
}

fn fulfil(access: u64) -> DataCall {
    DataCall::FulfilAccess { access, release_sha256: [0x5e; 32], release_bytes: 4_096 }
}

/// The refusal whose string code is `code`.
fn refusal(code: &str) -> publica_data::schema::Refusal {
    *publica_data::schema::Refusal::ALL.iter().find(|r| r.as_str() == code).unwrap_or_else(|| panic!("no {code}"))
}
