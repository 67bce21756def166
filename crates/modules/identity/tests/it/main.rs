//! The identity module over an in-memory state: schemas, accreditations and their chains, status lists, consents.
//! This file holds the world every test starts from.

mod accreditations;
mod consents;
mod encoding;
mod model;
mod schemas;
mod status;

use publica_identity::call::{IdentityCall, SCHEMA_DIALECT};
use publica_identity::execute;
use publica_testkit::{context, Accounts, MemoryState};
use publica_types::{sha256, Address, CallContext, Code, Hash, TxError, TxId, TxOutcome};

/// The start of every test's clock.
const T0: u64 = 1_700_000_000_000;
/// One day in milliseconds.
const DAY_MS: u64 = 86_400_000;
/// The diploma's credential type.
const DIPLOMA: &str = "https://publica.example/vct/diploma";
/// Another credential type.
const RESIDENCE: &str = "https://publica.example/vct/residence";

struct World {
    state: MemoryState,
    height: u64,
    time_ms: u64,
    /// A trust root: the ministry of education's minister.
    minister: Address,
    /// A second trust root, of another ministry.
    interior: Address,
    /// An official holding `trust-root` in an agency that may not grant it.
    pretender: Address,
    /// Officials of the university and of a faculty, accredited in the tests.
    university: Address,
    faculty: Address,
    /// An official accredited by no one.
    stranger: Address,
    /// Citizens.
    alice: Address,
    bob: Address,
    /// Banks (officials).
    bank_a: Address,
    bank_b: Address,
}

impl World {
    fn new() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency("ministry-education", &["trust-root"])
            .agency("ministry-interior", &["trust-root"])
            .agency("university", &["registrar"])
            .agency("rogue-agency", &["registrar"])
            .agency("bank-a", &["bank"])
            .agency("bank-b", &["bank"])
            .agency_registering_citizens("civil-registry", &["citizen-registrar"]);
        World {
            minister: accounts.official("minister", "ministry-education", &["trust-root"]),
            interior: accounts.official("interior", "ministry-interior", &["trust-root"]),
            pretender: accounts.official("pretender", "rogue-agency", &["trust-root"]),
            university: accounts.official("university", "university", &["registrar"]),
            faculty: accounts.official("faculty", "university", &["registrar"]),
            stranger: accounts.official("stranger", "university", &["registrar"]),
            alice: accounts.citizen("alice", "civil-registry"),
            bob: accounts.citizen("bob", "civil-registry"),
            bank_a: accounts.official("bank-a", "bank-a", &["bank"]),
            bank_b: accounts.official("bank-b", "bank-b", &["bank"]),
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
    fn call(&mut self, sender: Address, call: IdentityCall) -> Result<TxOutcome, TxError> {
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

    fn ok(&mut self, sender: Address, call: IdentityCall) -> TxOutcome {
        let m = call.method();
        self.call(sender, call).unwrap_or_else(|e| panic!("{m} refused: {e}"))
    }

    fn refused(&mut self, sender: Address, call: IdentityCall, code: impl Into<Code>, text: &str) -> TxError {
        let code = code.into();
        let e = self.call(sender, call).expect_err("the call should be refused");
        assert_eq!(e.code, code, "{e}");
        assert!(e.message.contains(text), "message {:?} lacks {text:?}", e.message);
        e
    }

    /// Register a schema for `type_name` (version `version`) as the minister; returns its hash.
    fn schema(&mut self, type_name: &str, version: u32) -> Hash {
        let document = schema_document(type_name, version);
        let hash = sha256(&document);
        let minister = self.minister;
        self.ok(minister, IdentityCall::RegisterSchema { type_name: type_name.into(), version, document });
        hash
    }

    /// Accredit `issuer` for `credential_type` by `by`, from `from_ms` until `until_ms`; returns its number.
    fn accredit(
        &mut self,
        by: Address,
        issuer: Address,
        credential_type: &str,
        schema: Hash,
        window: (u64, u64),
    ) -> u64 {
        let call = accredit_call(issuer, credential_type, schema, window);
        match self.ok(by, call) {
            TxOutcome::Accreditation { id } => id,
            other => panic!("accredit reported {other:?}"),
        }
    }
}

fn schema_document(type_name: &str, version: u32) -> Vec<u8> {
    format!(
        r#"{{"$schema":"{SCHEMA_DIALECT}","title":"{type_name} v{version}","type":"object","properties":{{"name":{{"type":"string"}}}}}}"#
    )
    .into_bytes()
}

fn accredit_call(issuer: Address, credential_type: &str, schema: Hash, (from, until): (u64, u64)) -> IdentityCall {
    IdentityCall::Accredit {
        issuer,
        credential_type: credential_type.into(),
        schema,
        valid_from_ms: from,
        valid_until_ms: until,
    }
}
