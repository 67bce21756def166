//! The vault over an in-memory ledger: the data module's own execution and queries on a memory state stand in for
//! the node, so every rule the ledger applies to the vault's transactions is the real one. This file holds the
//! ledger, the world every test starts from and the steps they share.

mod home;
mod records;
mod server;
mod service;
mod store;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use publica_accounts::{AccountRecord, AgencyRecord};
use publica_client::api::vault::{IngestRequest, RecordFields, SignedIngest};
use publica_client::vault::signed_ingest;
use publica_crypto::envelope::KeyEncryptionKey;
use publica_crypto::kem::RecipientSecret;
use publica_data::call::{Basis, DataCall, Grantee, RecipientKey, DAY_MS};
use publica_data::query::{self, Order, Page};
use publica_data::schema::{Access, Record, RetentionRule};
use publica_testkit::{context, keypair, Accounts, MemoryState};
use publica_types::{codec, Address, AgencyId, ChainId, Hash, TxError, TxId, TxOutcome};
use publica_vault::ledger::{QueuePage, TxProgress};
use publica_vault::service::Clock;
use publica_vault::{Ledger, LedgerError, LoopSettings, Service, Store};
use tempfile::TempDir;

/// The start of every test's clock: 12:00 UTC on 10 March 2026.
const T0: u64 = 1_773_144_000_000;
const HEALTH: &str = "health.summary";
const TREATMENT: &str = "treatment";
const RESEARCH: &str = "research";

/// The chain and the ledger's state, advanced one block per transaction.
struct Chain {
    state: MemoryState,
    height: u64,
    txs: HashMap<TxId, TxProgress>,
}

/// The ledger, in memory. Faults can be switched on: the node down, transactions committed but their status not
/// answered (a vault that crashes before it learns the outcome).
struct MemoryLedger {
    chain: Mutex<Chain>,
    chain_id: ChainId,
    controller: Address,
    time_ms: Arc<AtomicU64>,
    /// Every request fails as if the node could not be reached.
    down: AtomicBool,
    /// This many next status reads of a transaction fail as if the node could not be reached.
    lose_statuses: AtomicUsize,
    /// This many next submissions fail as if the node could not be reached.
    fail_submits: AtomicUsize,
    submitted: AtomicUsize,
}

impl MemoryLedger {
    fn check(&self) -> Result<(), LedgerError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(LedgerError::Unavailable("cannot reach the node at memory:// (switched off)".into()));
        }
        Ok(())
    }

    /// Run `call` signed by `sender` in the next block; a refused call changes nothing.
    fn execute(&self, sender: Address, call: &DataCall) -> Result<(TxId, TxOutcome), TxError> {
        let mut chain = self.chain.lock();
        let height = chain.height;
        let tx = TxId(publica_crypto::sha256(&codec::encode(&(height, sender, call.clone()))));
        let ctx =
            context(sender).chain(&self.chain_id).block(height, self.time_ms.load(Ordering::SeqCst)).tx_id(tx).build();
        let before = chain.state.clone();
        match publica_data::execute(&mut chain.state, &ctx, call) {
            Ok(outcome) => {
                chain.txs.insert(tx, TxProgress::Committed { height, outcome: outcome.clone() });
                chain.height += 1;
                Ok((tx, outcome))
            }
            Err(e) => {
                chain.state = before;
                Err(e)
            }
        }
    }

    fn read<T>(&self, f: impl FnOnce(&MemoryState) -> T) -> T {
        f(&self.chain.lock().state)
    }
}

impl Ledger for MemoryLedger {
    fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }

    fn controller(&self) -> Address {
        self.controller
    }

    fn account(&self, address: &Address) -> Result<Option<AccountRecord>, LedgerError> {
        self.check()?;
        Ok(self.read(|state| publica_accounts::account(state, address)))
    }

    fn agency(&self, id: &AgencyId) -> Result<Option<AgencyRecord>, LedgerError> {
        self.check()?;
        Ok(self.read(|state| publica_accounts::agency(state, id)))
    }

    fn queue(&self, agency: &AgencyId, after: Option<u64>, limit: u32) -> Result<QueuePage, LedgerError> {
        self.check()?;
        let not_listed =
            |e: publica_data::QueryError| LedgerError::Refused { code: "not_found".into(), message: e.to_string() };
        let chain = self.chain.lock();
        let page = Page { after, limit: limit as usize, order: Order::OldestFirst };
        let accesses = query::pending_accesses(&chain.state, agency, page).map_err(not_listed)?.value;
        let first = Page { after: None, limit: limit as usize, order: Order::OldestFirst };
        let erasures = query::pending_erasures(&chain.state, agency, first).map_err(not_listed)?.value;
        Ok(QueuePage {
            accesses: accesses.items,
            next: accesses.next,
            accesses_total: accesses.total,
            erasures: erasures.items,
            erasures_total: erasures.total,
            height: chain.height - 1,
        })
    }

    fn record(&self, id: u64) -> Result<Option<Record>, LedgerError> {
        self.check()?;
        Ok(self.read(|state| query::record(state, id).value))
    }

    fn record_by_commitment(&self, commitment: &Hash) -> Result<Option<Record>, LedgerError> {
        self.check()?;
        Ok(self.read(|state| query::record_by_commitment(state, commitment).value))
    }

    fn access(&self, id: u64) -> Result<Option<Access>, LedgerError> {
        self.check()?;
        Ok(self.read(|state| query::access(state, id).value))
    }

    fn retention(&self, agency: &AgencyId) -> Result<Vec<RetentionRule>, LedgerError> {
        self.check()?;
        let prefix = [b"dat/ret/".as_slice(), agency.as_str().as_bytes(), b"/"].concat();
        Ok(self.read(|state| {
            state
                .keys_with_prefix(&prefix)
                .filter_map(|key| publica_data::schema::get::<RetentionRule>(state, key))
                .collect()
        }))
    }

    fn submit(&self, call: DataCall) -> Result<TxId, LedgerError> {
        self.check()?;
        if self.fail_submits.load(Ordering::SeqCst) > 0 {
            self.fail_submits.fetch_sub(1, Ordering::SeqCst);
            return Err(LedgerError::Unavailable("the node stopped answering".into()));
        }
        self.submitted.fetch_add(1, Ordering::SeqCst);
        self.execute(self.controller, &call)
            .map(|(tx, _)| tx)
            .map_err(|e| LedgerError::Refused { code: e.code.as_str().to_owned(), message: e.message })
    }

    fn transaction(&self, id: &TxId) -> Result<TxProgress, LedgerError> {
        self.check()?;
        if self.lose_statuses.load(Ordering::SeqCst) > 0 {
            self.lose_statuses.fetch_sub(1, Ordering::SeqCst);
            return Err(LedgerError::Unavailable("the node stopped answering".into()));
        }
        Ok(self.chain.lock().txs.get(id).cloned().unwrap_or(TxProgress::Unknown))
    }
}

/// A shared ledger handle: the vault owns one box, the test keeps the other to act as the citizens and officials.
#[derive(Clone)]
struct SharedLedger(Arc<MemoryLedger>);

impl Ledger for SharedLedger {
    fn chain_id(&self) -> &ChainId {
        self.0.chain_id()
    }
    fn controller(&self) -> Address {
        self.0.controller()
    }
    fn account(&self, address: &Address) -> Result<Option<AccountRecord>, LedgerError> {
        self.0.account(address)
    }
    fn agency(&self, id: &AgencyId) -> Result<Option<AgencyRecord>, LedgerError> {
        self.0.agency(id)
    }
    fn queue(&self, agency: &AgencyId, after: Option<u64>, limit: u32) -> Result<QueuePage, LedgerError> {
        self.0.queue(agency, after, limit)
    }
    fn record(&self, id: u64) -> Result<Option<Record>, LedgerError> {
        self.0.record(id)
    }
    fn record_by_commitment(&self, commitment: &Hash) -> Result<Option<Record>, LedgerError> {
        self.0.record_by_commitment(commitment)
    }
    fn access(&self, id: u64) -> Result<Option<Access>, LedgerError> {
        self.0.access(id)
    }
    fn retention(&self, agency: &AgencyId) -> Result<Vec<RetentionRule>, LedgerError> {
        self.0.retention(agency)
    }
    fn submit(&self, call: DataCall) -> Result<TxId, LedgerError> {
        self.0.submit(call)
    }
    fn transaction(&self, id: &TxId) -> Result<TxProgress, LedgerError> {
        self.0.transaction(id)
    }
}

/// The hospital's vault on an in-memory ledger, with the people around it.
struct World {
    ledger: Arc<MemoryLedger>,
    time_ms: Arc<AtomicU64>,
    dir: TempDir,
    kek: [u8; 32],
    agency: AgencyId,
    /// The vault's own controller key (`data-controller` of the hospital).
    vault: Address,
    /// Another official of the hospital holding `data-controller`, who puts records in.
    registrar: Address,
    /// A doctor of a clinic (`data-requester`).
    doctor: Address,
    /// A researcher of the research institute and an ethics board member of another agency.
    researcher: Address,
    board: Address,
    /// An official of another hospital holding `data-controller` there.
    other_controller: Address,
    /// Citizens.
    alice: Address,
    bob: Address,
}

impl World {
    fn new() -> World {
        let mut state = MemoryState::new();
        let mut accounts = Accounts::new(&mut state);
        accounts
            .agency_registering_citizens("civil-registry", &["citizen-registrar"])
            .agency("hospital", &["data-controller", "data-requester"])
            .agency("other-hospital", &["data-controller"])
            .agency("clinic", &["data-requester"])
            .agency("research-institute", &["researcher", "data-requester"])
            .agency("ethics-board", &["research-ethics-board"]);
        let vault = accounts.official("hospital-vault", "hospital", &["data-controller"]);
        let registrar = accounts.official("registrar", "hospital", &["data-controller"]);
        let doctor = accounts.official("doctor", "clinic", &["data-requester"]);
        let researcher = accounts.official("researcher", "research-institute", &["researcher", "data-requester"]);
        let board = accounts.official("board", "ethics-board", &["research-ethics-board"]);
        let other_controller = accounts.official("other-vault", "other-hospital", &["data-controller"]);
        let alice = accounts.citizen("alice", "civil-registry");
        let bob = accounts.citizen("bob", "civil-registry");
        let time_ms = Arc::new(AtomicU64::new(T0));
        let ledger = Arc::new(MemoryLedger {
            chain: Mutex::new(Chain { state, height: 1, txs: HashMap::new() }),
            chain_id: "test".parse().unwrap(),
            controller: vault,
            time_ms: Arc::clone(&time_ms),
            down: AtomicBool::new(false),
            lose_statuses: AtomicUsize::new(0),
            fail_submits: AtomicUsize::new(0),
            submitted: AtomicUsize::new(0),
        });
        World {
            ledger,
            time_ms,
            dir: tempfile::tempdir().unwrap(),
            kek: [0x4b; 32],
            agency: "hospital".parse().unwrap(),
            vault,
            registrar,
            doctor,
            researcher,
            board,
            other_controller,
            alice,
            bob,
        }
    }

    fn now(&self) -> u64 {
        self.time_ms.load(Ordering::SeqCst)
    }

    fn advance(&self, ms: u64) {
        self.time_ms.fetch_add(ms, Ordering::SeqCst);
    }

    fn store_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("store")
    }

    /// The vault's service over this world's ledger and store (opened anew: a restart).
    fn service(&self) -> Service {
        let store = Store::open(&self.store_dir(), &self.agency, &self.ledger.chain_id).unwrap();
        let time = Arc::clone(&self.time_ms);
        let clock: Clock = Arc::new(move || time.load(Ordering::SeqCst));
        let settings = LoopSettings {
            tx_wait: Duration::from_millis(50),
            poll: Duration::from_millis(5),
            registration_window: Duration::from_secs(75),
            retention_every: Duration::ZERO,
            ..LoopSettings::default()
        };
        Service::new(
            self.agency.clone(),
            KeyEncryptionKey::from_bytes(&self.kek),
            store,
            Box::new(SharedLedger(Arc::clone(&self.ledger))),
        )
        .with_clock(clock)
        .with_settings(settings)
    }

    /// Run `call` as `sender` on the ledger.
    fn act(&self, sender: Address, call: DataCall) -> Result<TxOutcome, TxError> {
        self.ledger.execute(sender, &call).map(|(_, outcome)| outcome)
    }

    fn ok(&self, sender: Address, call: DataCall) -> TxOutcome {
        let method = call.method();
        self.act(sender, call).unwrap_or_else(|e| panic!("{method} refused: {e}"))
    }

    /// A signed ingest of `fields` (JSON object) about `owner`, by the hospital's registrar, made now.
    fn ingest_request(&self, owner: Address, fields: serde_json::Value) -> SignedIngest {
        self.ingest_by("registrar", self.registrar, owner, HEALTH, fields)
    }

    fn ingest_by(
        &self,
        name: &str,
        controller: Address,
        owner: Address,
        category: &str,
        fields: serde_json::Value,
    ) -> SignedIngest {
        let fields: RecordFields = serde_json::from_value(fields).unwrap();
        let request = IngestRequest {
            agency: self.agency.clone(),
            owner,
            category: category.into(),
            fields,
            controller,
            at_ms: self.now(),
        };
        signed_ingest(&keypair(name), &self.ledger.chain_id, request)
    }

    /// Alice consents to the doctor reading her health records for treatment, 30 days.
    fn consent_to_doctor(&self, owner: Address) -> u64 {
        let call = DataCall::GrantConsent {
            owner,
            grantee: Grantee::Account(self.doctor),
            category: HEALTH.into(),
            purpose: TREATMENT.into(),
            until_ms: self.now() + 30 * DAY_MS,
        };
        match self.ok(owner, call) {
            TxOutcome::DataConsent { id } => id,
            other => panic!("grant_consent reported {other:?}"),
        }
    }

    /// `by` asks for `record` with a new recipient key; the access's number and the key's secret.
    fn request(&self, by: Address, record: u64, purpose: &str, basis: Basis) -> (u64, RecipientSecret) {
        let secret = RecipientSecret::generate();
        let recipient = RecipientKey { x25519: secret.public_key().x25519, ml_kem: secret.public_key().ml_kem.clone() };
        let call = DataCall::RequestAccess { record, purpose: purpose.into(), basis, recipient };
        match self.ok(by, call) {
            TxOutcome::Access { id, .. } => (id, secret),
            other => panic!("request_access reported {other:?}"),
        }
    }

    /// Access `id` as the ledger holds it (read whether the node is up or not).
    fn access(&self, id: u64) -> Access {
        self.ledger.read(|state| query::access(state, id).value).unwrap_or_else(|| panic!("access {id} is stored"))
    }

    /// Record `id` as the ledger holds it.
    fn record(&self, id: u64) -> Record {
        self.ledger.read(|state| query::record(state, id).value).unwrap_or_else(|| panic!("record {id} is stored"))
    }
}
