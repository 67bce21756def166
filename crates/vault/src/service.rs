//! The vault's work: taking records in, answering its agency's queue on the ledger, and erasing.
//!
//! # Ingest ([`Service::ingest`])
//!
//! Authorised before any expensive work, cheapest check first: the signature's form, the request's time (within
//! 5 minutes of the vault's clock), the agency (the vault's own), then the controller's standing on the ledger
//! (an active official of the agency holding `data-controller`, which the agency may grant: two public reads), then
//! the signature with the controller's current key. Only then: the owner must be an active citizen, the fields
//! must follow the record rules (`crate::record`), salts are drawn, the commitment computed, the content encrypted
//! and stored (before anything is sent), and `register_record` submitted, signed by the vault's controller key.
//! The answer names the record's number once the registration is committed; if the wait runs out, the answer says
//! the registration is on its way and the loop finishes it.
//!
//! # The loop ([`Service::run`], one pass: [`Service::process_once`])
//!
//! About once a second, in this order, every step resumable from the store and the ledger:
//!
//! 1. **registrations**: records whose number is not known are looked up by commitment; one whose registration
//!    never reached the ledger is registered again if its client was told it was on its way, and discarded if
//!    its client was told it failed;
//! 2. **releases stored, not yet committed**: the access is read; still pending, `fulfil_access` is submitted again
//!    with the same hash; released with this hash, the release is served from then on; lapsed or declined, its
//!    sealed bytes are deleted;
//! 3. **erasures not yet recorded**: `record_erasure` is submitted again with the same statement;
//! 4. **the queue** (`DataQuery::AgencyQueue`): first the records whose erasure the owner ordered: the record's
//!    data key and ciphertext are destroyed (`Store::shred`), the fact stored, then `record_erasure {order:
//!    owner}` submitted with the SHA-256 of a statement of what was destroyed; then every pending access: the
//!    release is built (every field, or the study's declared ones), sealed to the access's recipient key, stored,
//!    and only then `fulfil_access` is submitted with its hash; once committed (and the ledger shows it
//!    released), it is served. An access the vault cannot answer (its record erased, not held, unreadable, a
//!    recipient key that does not validate) is declined with the reason;
//! 5. **retention** (about once a minute): records whose agency's rule for their category has run out are erased
//!    the same way, recorded with the order `retention`.
//!
//! A node that cannot be reached ends the pass; the loop retries with a growing pause (up to 30 s), logs once per
//! outage, and loses nothing: every step is taken again from what is stored.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use parking_lot::Mutex;
use publica_accounts::AccountKind;
use publica_client::api::vault::{
    IngestResponse, QueuePosition, RecordHolding, RecordStatusResponse, SignedIngest, VaultStatusResponse,
    INGEST_MAX_SKEW_MS,
};
use publica_crypto::envelope::KeyEncryptionKey;
use publica_crypto::kem::HybridSealed;
use publica_crypto::{PublicKey, Signature, SIGNATURE_LEN};
use publica_data::call::{DataCall, ErasureOrder, DAY_MS};
use publica_data::error::{ACCESS_NOT_PENDING, OWNER_NOT_A_CITIZEN, RECORD_ALREADY_ERASED};
use publica_data::schema::{Access, AccessState, Record, RecordState};
use publica_data::CONTROLLER_ROLE;
use publica_types::{AgencyId, Hash, TxId, TxOutcome};

use crate::error::VaultError;
use crate::ledger::{Ledger, LedgerError, QueuePage, TxProgress, TX_EXPIRY_MS};
use crate::record::{build_release, open_content, seal_content, seal_release, RecordContent};
use crate::store::{ErasedRecord, QueueCursor, ReleaseState, Store, StoredRecord, StoredRelease};

/// A source of the current time, Unix milliseconds.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(publica_client::now_ms)
}

/// Domain tag of an erasure statement.
pub const STATEMENT_TAG: &str = "publica/vault/erasure/v1";
/// Accesses asked for in one page of the queue.
const QUEUE_PAGE: u32 = 200;
/// Pages of the queue read in one pass (the rest in the next).
const MAX_PAGES_PER_PASS: usize = 5;
/// Records erased by retention in one sweep (the rest in the next).
const MAX_RETENTION_PER_SWEEP: usize = 64;
/// How often the same problem is logged again while it lasts.
const NOTE_EVERY: Duration = Duration::from_secs(600);
/// Refusals of a registration that no retry can change: the record is discarded.
const FINAL_REGISTRATION_REFUSALS: &[&str] =
    &["owner_not_a_citizen", "data_category_invalid", "record_field_count_invalid"];

/// How the loop paces itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopSettings {
    /// Pause between passes (about a second).
    pub interval: Duration,
    /// Longest pause after failed passes (the pause doubles from `interval` up to it).
    pub backoff_max: Duration,
    /// How often retention rules are applied.
    pub retention_every: Duration,
    /// How long a submitted transaction is waited for: longer than its validity ([`TX_EXPIRY_MS`]), so that one
    /// given up on can no longer be committed.
    pub tx_wait: Duration,
    /// Pause between two looks at a transaction's status.
    pub poll: Duration,
    /// How long after a record is taken in its registration is given to show on the ledger before the loop acts.
    pub registration_window: Duration,
    /// How long after a retention rule's end a record is erased (a margin for the ledger's block time).
    pub retention_margin: Duration,
}

impl Default for LoopSettings {
    fn default() -> Self {
        let tx_wait = Duration::from_millis(TX_EXPIRY_MS) + Duration::from_secs(15);
        LoopSettings {
            interval: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            retention_every: Duration::from_secs(60),
            tx_wait,
            poll: Duration::from_millis(200),
            registration_window: tx_wait,
            retention_margin: Duration::from_secs(60),
        }
    }
}

/// A transaction committed on the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Committed {
    /// Its id.
    pub tx: TxId,
    /// Its block's height.
    pub height: u64,
    /// What it created.
    pub outcome: TxOutcome,
}

/// Why a transaction is not committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotCommitted {
    /// The node refused it, at admission or when executed: it never will be.
    Refused {
        /// The stable code.
        code: String,
        /// The node's message.
        message: String,
    },
    /// Not known to be committed: the node could not be reached, or the wait ran out (`tx`: the transaction, if
    /// it was admitted).
    Unsettled {
        /// The transaction, if the node admitted it.
        tx: Option<TxId>,
        /// What happened.
        reason: String,
    },
}

/// What one pass of the loop did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Records whose number was learnt.
    pub registered: usize,
    /// Releases whose `fulfil_access` was committed and are now served.
    pub released: usize,
    /// Accesses declined.
    pub declined: usize,
    /// Records erased (owner's order or retention).
    pub erased: usize,
    /// Erasures whose tombstone was committed.
    pub recorded: usize,
    /// Releases withdrawn (their access lapsed or was declined).
    pub withdrawn: usize,
}

/// The vault's work, over its store and its ledger.
pub struct Service {
    agency: AgencyId,
    kek: KeyEncryptionKey,
    store: Store,
    ledger: Box<dyn Ledger>,
    clock: Clock,
    settings: LoopSettings,
    /// Held from a submission until its transaction is settled: the controller's transactions go one at a time,
    /// so the next nonce is always the committed one.
    submitting: Mutex<()>,
    /// Commitments of records being taken in right now: the loop leaves them to their ingest.
    in_flight: Mutex<BTreeSet<Hash>>,
    node_reachable: AtomicBool,
    stopping: AtomicBool,
    last_retention: Mutex<Option<Instant>>,
    noted: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("agency", &self.agency).field("store", &self.store).finish_non_exhaustive()
    }
}

/// Removes a commitment from the in-flight set when its ingest ends, however it ends.
struct InFlight<'a> {
    set: &'a Mutex<BTreeSet<Hash>>,
    commitment: Hash,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set.lock().remove(&self.commitment);
    }
}

/// What an ingest answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ingested {
    /// The answer.
    pub response: IngestResponse,
    /// Whether the registration is committed (else it is on its way).
    pub committed: bool,
}

fn ledger_error(e: LedgerError) -> VaultError {
    match e {
        LedgerError::Unavailable(message) => VaultError::Unavailable(message),
        LedgerError::Refused { code, message } => VaultError::Refused { code, message },
    }
}

impl Service {
    /// The vault of `agency`'s records in `store`, encrypted under `kek`, on `ledger`.
    pub fn new(agency: AgencyId, kek: KeyEncryptionKey, store: Store, ledger: Box<dyn Ledger>) -> Service {
        Service {
            agency,
            kek,
            store,
            ledger,
            clock: system_clock(),
            settings: LoopSettings::default(),
            submitting: Mutex::new(()),
            in_flight: Mutex::new(BTreeSet::new()),
            node_reachable: AtomicBool::new(true),
            stopping: AtomicBool::new(false),
            last_retention: Mutex::new(None),
            noted: Mutex::new(HashMap::new()),
        }
    }

    /// Take the time from `clock` instead of the system's.
    pub fn with_clock(mut self, clock: Clock) -> Service {
        self.clock = clock;
        self
    }

    /// Pace the loop as `settings` say.
    pub fn with_settings(mut self, settings: LoopSettings) -> Service {
        self.settings = settings;
        self
    }

    /// The vault's agency.
    pub fn agency(&self) -> &AgencyId {
        &self.agency
    }

    /// The vault's store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The vault's ledger.
    pub fn ledger(&self) -> &dyn Ledger {
        self.ledger.as_ref()
    }

    fn now_ms(&self) -> u64 {
        (self.clock)()
    }

    /// Ask the loop and any wait for a transaction to end soon.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Log `what` under `key` at most once per [`NOTE_EVERY`].
    fn note(&self, key: &str, what: impl FnOnce()) {
        let mut noted = self.noted.lock();
        let now = Instant::now();
        if noted.get(key).is_some_and(|at| now.duration_since(*at) < NOTE_EVERY) {
            return;
        }
        if noted.len() > 1024 {
            noted.clear();
        }
        noted.insert(key.to_owned(), now);
        what();
    }

    // --- Transactions -------------------------------------------------------------------------------------------

    /// Submit `call` and wait until it is settled: committed, refused, or not committed by the end of the wait
    /// (longer than the transaction's validity). `submitted` is told the transaction's id as soon as the node
    /// admitted it, so that it can be stored before the wait.
    pub fn commit(
        &self,
        call: DataCall,
        submitted: impl FnOnce(TxId) -> Result<(), VaultError>,
    ) -> Result<Committed, NotCommitted> {
        let _one_at_a_time = self.submitting.lock();
        let method = call.method();
        if self.stopping() {
            return Err(NotCommitted::Unsettled { tx: None, reason: format!("the vault is stopping; {method} waits") });
        }
        let tx = match self.ledger.submit(call) {
            Ok(tx) => tx,
            Err(LedgerError::Refused { code, message }) => return Err(NotCommitted::Refused { code, message }),
            Err(LedgerError::Unavailable(reason)) => return Err(NotCommitted::Unsettled { tx: None, reason }),
        };
        if let Err(e) = submitted(tx) {
            tracing::error!(%tx, error = %e, "the vault could not store the id of a transaction it submitted");
        }
        let deadline = Instant::now() + self.settings.tx_wait;
        let mut last_error = String::new();
        loop {
            match self.ledger.transaction(&tx) {
                Ok(TxProgress::Committed { height, outcome }) => return Ok(Committed { tx, height, outcome }),
                Ok(TxProgress::Rejected { code, message }) => return Err(NotCommitted::Refused { code, message }),
                Ok(TxProgress::Pending | TxProgress::Unknown) => {}
                Err(e) => last_error = e.to_string(),
            }
            if Instant::now() >= deadline || self.stopping() {
                let reason = if last_error.is_empty() {
                    format!("{method} transaction {tx} was not committed within {:?}", self.settings.tx_wait)
                } else {
                    format!("{method} transaction {tx} is not known to be committed: {last_error}")
                };
                return Err(NotCommitted::Unsettled { tx: Some(tx), reason });
            }
            std::thread::sleep(self.settings.poll);
        }
    }

    // --- Ingest -------------------------------------------------------------------------------------------------

    /// Take a record in: see the module's documentation for the order of the checks and what is done.
    pub fn ingest(&self, body: SignedIngest) -> Result<Ingested, VaultError> {
        let SignedIngest { request, signature } = body;
        let signature = parse_signature(&signature)?;
        check_time(request.at_ms, self.now_ms())?;
        if request.agency != self.agency {
            return Err(VaultError::NotPermitted(format!(
                "this vault holds the records of agency {}, not of {}: send the record to that agency's vault",
                self.agency, request.agency
            )));
        }
        let key = self.controller_key(&request.controller)?;
        key.verify(&request.signing_message(self.ledger.chain_id().as_str()), &signature).map_err(|_| {
            VaultError::NotPermitted(format!(
                "the signature does not verify with the current key of {}: sign the request's bytes \
                 (IngestRequest::signing_message with this network's chain id {}) with that key",
                request.controller,
                self.ledger.chain_id()
            ))
        })?;

        let owner = self.ledger.account(&request.owner).map_err(ledger_error)?;
        let citizen = owner.is_some_and(|a| a.active && matches!(a.kind, AccountKind::Citizen { .. }));
        if !citizen {
            return Err(VaultError::invalid(
                OWNER_NOT_A_CITIZEN,
                format!(
                    "the owner {} is not an active citizen of this ledger: a record is about a citizen",
                    request.owner
                ),
            ));
        }
        let content = RecordContent::new(request.owner, &request.category, &request.fields)?;
        let commitment = content.commitment()?;
        let (wrapped_key, sealed) = seal_content(&self.kek, &self.agency, &commitment, &content)?;
        let stored = StoredRecord {
            category: content.category.clone(),
            fields: content.field_count(),
            ingested_at_ms: self.now_ms(),
            id: None,
            registered_at_ms: None,
            register_tx: None,
            wrapped_key,
            sealed,
        };
        self.in_flight.lock().insert(commitment);
        let _in_flight = InFlight { set: &self.in_flight, commitment };
        self.store.put_record(&commitment, &stored)?;
        tracing::info!(commitment = %hex::encode(commitment), category = %content.category, fields = stored.fields, "record taken in");
        self.register(&commitment, &content, true)
    }

    /// The controller's current key, once the ledger shows them an active official of the vault's agency holding
    /// `data-controller`, which the agency may grant.
    fn controller_key(&self, controller: &publica_types::Address) -> Result<PublicKey, VaultError> {
        let account =
            self.ledger.account(controller).map_err(ledger_error)?.filter(|a| a.active).ok_or_else(|| {
                VaultError::NotPermitted(format!("{controller} is not an active account of this ledger"))
            })?;
        match &account.kind {
            AccountKind::Official { agency, .. } if *agency != self.agency => {
                return Err(VaultError::NotPermitted(format!(
                    "{controller} is an official of {agency}, not of {}: records are put into a vault by its own \
                     agency's officials holding {CONTROLLER_ROLE}",
                    self.agency
                )))
            }
            AccountKind::Official { .. } if account.has_role(CONTROLLER_ROLE) => {}
            _ => {
                return Err(VaultError::NotPermitted(format!(
                    "{controller} does not hold {CONTROLLER_ROLE} in {}: an agency administrator grants it",
                    self.agency
                )))
            }
        }
        let grants = self.ledger.agency(&self.agency).map_err(ledger_error)?.is_some_and(|a| a.grants(CONTROLLER_ROLE));
        if !grants {
            return Err(VaultError::NotPermitted(format!(
                "agency {} may not grant {CONTROLLER_ROLE} on this ledger, so no official of it holds it in effect: \
                 a governance vote gives the role to the agency",
                self.agency
            )));
        }
        account.public_key.parse().map_err(|_| {
            VaultError::NotPermitted(format!("the ledger's key of {controller} does not parse; rotate it"))
        })
    }

    /// Submit `register_record` for the stored record `commitment` and record its number. `answering`: an ingest
    /// waits on it (a refusal discards the record and is the ingest's answer); else the loop retries it.
    fn register(&self, commitment: &Hash, content: &RecordContent, answering: bool) -> Result<Ingested, VaultError> {
        let call = DataCall::RegisterRecord {
            owner: content.owner,
            category: content.category.clone(),
            commitment: *commitment,
            fields: content.field_count(),
        };
        let answer = |record: Option<u64>, tx: Option<TxId>| Ingested {
            response: IngestResponse { commitment: *commitment, record, tx },
            committed: record.is_some(),
        };
        match self.commit(call, |tx| self.store.set_register_tx(commitment, tx)) {
            Ok(committed) => {
                let id = match committed.outcome {
                    TxOutcome::DataRecord { id } => Some(id),
                    _ => None,
                };
                match self.learn_registration(commitment, id) {
                    Ok(id) => Ok(answer(id, Some(committed.tx))),
                    Err(e) => {
                        tracing::warn!(error = %e, "a registration is committed; its number is read again later");
                        Ok(answer(None, Some(committed.tx)))
                    }
                }
            }
            Err(NotCommitted::Refused { code, .. }) if code == "commitment_registered" => {
                let id = self.learn_registration(commitment, None)?;
                Ok(answer(id, self.store.record(commitment)?.and_then(|r| r.register_tx)))
            }
            Err(NotCommitted::Refused { code, message }) => {
                if answering || FINAL_REGISTRATION_REFUSALS.contains(&code.as_str()) {
                    self.store.discard_unregistered(commitment)?;
                    tracing::info!(commitment = %hex::encode(commitment), %code, "registration refused; the record is discarded");
                }
                Err(VaultError::Refused { code, message })
            }
            Err(NotCommitted::Unsettled { tx: Some(tx), reason }) => {
                tracing::warn!(%reason, "registration not settled; the loop finishes it");
                Ok(answer(None, Some(tx)))
            }
            Err(NotCommitted::Unsettled { tx: None, reason }) => Err(VaultError::Unavailable(format!(
                "the record could not be registered: {reason}. Send it again once the node answers (the vault keeps \
                 this copy only if its registration reached the ledger after all)"
            ))),
        }
    }

    /// Learn the number of the record stored under `commitment`: `id` from a committed registration's outcome, or
    /// the ledger's record with that commitment. Stores it; `None` when the ledger has no such record.
    fn learn_registration(&self, commitment: &Hash, id: Option<u64>) -> Result<Option<u64>, VaultError> {
        let on_ledger = self.ledger.record_by_commitment(commitment).map_err(ledger_error);
        let (id, registered_at_ms) = match (on_ledger, id) {
            (Ok(Some(record)), _) => {
                if record.agency != self.agency {
                    return Err(VaultError::Corrupt(format!(
                        "commitment {} is registered by {}, not by this vault's agency",
                        hex::encode(commitment),
                        record.agency
                    )));
                }
                (record.id, Some(record.registered_at_ms))
            }
            (Ok(None), None) => return Ok(None),
            (Ok(None), Some(id)) | (Err(_), Some(id)) => (id, None),
            (Err(e), None) => return Err(e),
        };
        self.store.set_registered(commitment, id, registered_at_ms)?;
        tracing::info!(commitment = %hex::encode(commitment), record = id, "record registered on the ledger");
        Ok(Some(id))
    }

    // --- The loop -----------------------------------------------------------------------------------------------

    /// Run the loop until [`Service::stop`] is called (blocking: run it on a thread of its own).
    pub fn run(&self) {
        let mut pause = self.settings.interval;
        let mut outage = false;
        while !self.stopping() {
            match self.process_once() {
                Ok(pass) => {
                    if outage {
                        tracing::info!(node = "reachable", "the node answers again; the vault resumes its queue");
                        outage = false;
                    }
                    if pass != Pass::default() {
                        tracing::debug!(?pass, "vault pass");
                    }
                    pause = self.settings.interval;
                }
                Err(VaultError::Unavailable(reason)) => {
                    if !outage {
                        tracing::warn!(%reason, "the node cannot be reached; the vault retries with a growing pause, and nothing is lost");
                        outage = true;
                    }
                    pause = (pause * 2).min(self.settings.backoff_max);
                }
                Err(e) => {
                    self.note(
                        &format!("pass:{}", e.code().as_str()),
                        || tracing::error!(error = %e, "a pass of the vault's loop failed; retrying"),
                    );
                    pause = (pause * 2).min(self.settings.backoff_max);
                }
            }
            let until = Instant::now() + pause;
            while Instant::now() < until && !self.stopping() {
                std::thread::sleep(Duration::from_millis(50).min(until.saturating_duration_since(Instant::now())));
            }
        }
    }

    /// One pass of the loop (see the module's documentation). A node that cannot be reached ends it with
    /// [`VaultError::Unavailable`].
    pub fn process_once(&self) -> Result<Pass, VaultError> {
        let result = self.pass();
        self.node_reachable.store(!matches!(result, Err(VaultError::Unavailable(_))), Ordering::SeqCst);
        result
    }

    fn pass(&self) -> Result<Pass, VaultError> {
        let mut pass = Pass::default();
        self.resume_registrations(&mut pass)?;
        self.resume_releases(&mut pass)?;
        self.resume_erasures(&mut pass)?;
        self.answer_queue(&mut pass)?;
        let due = self.last_retention.lock().is_none_or(|at| at.elapsed() >= self.settings.retention_every);
        if due {
            self.apply_retention(&mut pass)?;
            *self.last_retention.lock() = Some(Instant::now());
        }
        Ok(pass)
    }

    /// Whether some record's number may still be learnt (an ingest in flight, a registration not resolved).
    fn resolving(&self) -> Result<bool, VaultError> {
        Ok(!self.in_flight.lock().is_empty() || !self.store.unregistered()?.is_empty())
    }

    fn resume_registrations(&self, pass: &mut Pass) -> Result<(), VaultError> {
        let window_ms = self.settings.registration_window.as_millis() as u64;
        for (commitment, ingested_at_ms) in self.store.unregistered()? {
            if self.in_flight.lock().contains(&commitment) {
                continue;
            }
            if self.learn_registration(&commitment, None)?.is_some() {
                pass.registered += 1;
                continue;
            }
            let Some(record) = self.store.record(&commitment)? else { continue };
            let settled = match record.register_tx {
                Some(tx) => match self.ledger.transaction(&tx).map_err(ledger_error)? {
                    TxProgress::Pending => continue,
                    TxProgress::Committed { outcome: TxOutcome::DataRecord { id }, .. } => {
                        self.learn_registration(&commitment, Some(id))?;
                        pass.registered += 1;
                        continue;
                    }
                    _ => false,
                },
                None => false,
            };
            if settled || self.now_ms() < ingested_at_ms.saturating_add(window_ms) {
                continue;
            }
            if record.register_tx.is_none() {
                // Its client was told the registration failed, and it never reached the ledger.
                self.store.discard_unregistered(&commitment)?;
                tracing::info!(commitment = %hex::encode(commitment), "a record whose registration never reached the ledger is discarded");
                continue;
            }
            let content = match open_content(&self.kek, &self.agency, &commitment, &record.wrapped_key, &record.sealed)
            {
                Ok(content) => content,
                Err(e) => {
                    self.note(
                        &format!("unreadable:{}", hex::encode(commitment)),
                        || tracing::error!(error = %e, "a record waiting for its registration cannot be read"),
                    );
                    continue;
                }
            };
            match self.register(&commitment, &content, false) {
                Ok(ingested) if ingested.committed => pass.registered += 1,
                Ok(_) => {}
                Err(VaultError::Unavailable(reason)) => return Err(VaultError::Unavailable(reason)),
                Err(e) => self.note(
                    &format!("register:{}", hex::encode(commitment)),
                    || tracing::warn!(error = %e, "registering a record again failed; retrying later"),
                ),
            }
        }
        Ok(())
    }

    fn resume_releases(&self, pass: &mut Pass) -> Result<(), VaultError> {
        for (access, release) in self.store.unfulfilled()? {
            match self.settle_release(access, &release, pass)? {
                Settled::Pending => self.fulfil(access, &release, pass)?,
                Settled::Done => {}
            }
        }
        Ok(())
    }

    fn resume_erasures(&self, pass: &mut Pass) -> Result<(), VaultError> {
        for (record, erased) in self.store.unrecorded()? {
            if let Some(tx) = erased.tx {
                match self.ledger.transaction(&tx).map_err(ledger_error)? {
                    TxProgress::Pending => continue,
                    TxProgress::Committed { .. } => {
                        self.store.set_erasure_tx(record, Some(tx), true)?;
                        pass.recorded += 1;
                        continue;
                    }
                    TxProgress::Rejected { .. } | TxProgress::Unknown => {}
                }
            }
            self.record_erasure(record, &erased, pass)?;
        }
        Ok(())
    }

    fn answer_queue(&self, pass: &mut Pass) -> Result<(), VaultError> {
        let mut after = None;
        for page_number in 0..MAX_PAGES_PER_PASS {
            let page = match self.ledger.queue(&self.agency, after, QUEUE_PAGE) {
                Ok(page) => page,
                // A page after an access that left the queue meanwhile: the rest waits for the next pass.
                Err(e) if page_number > 0 && e.is("not_found") => break,
                Err(LedgerError::Unavailable(reason)) => return Err(VaultError::Unavailable(reason)),
                Err(LedgerError::Refused { code, message }) => {
                    return Err(VaultError::Refused {
                        code,
                        message: format!(
                            "the vault's controller {} cannot read {}'s queue: {message}",
                            self.ledger.controller(),
                            self.agency
                        ),
                    })
                }
            };
            if page_number == 0 {
                for record in &page.erasures {
                    self.erase_ordered(record, pass)?;
                }
            }
            for access in &page.accesses {
                self.answer(access, pass)?;
            }
            self.keep_cursor(&page, page_number == 0)?;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(())
    }

    fn keep_cursor(&self, page: &QueuePage, first: bool) -> Result<(), VaultError> {
        let mut cursor = self.store.cursor()?;
        cursor.height = Some(page.height.max(cursor.height.unwrap_or(0)));
        cursor.read_at_ms = Some(self.now_ms());
        if first {
            cursor.pending_accesses = page.accesses_total;
            cursor.pending_erasures = page.erasures_total;
        }
        self.store.set_cursor(&cursor)
    }

    fn answered(&self, access: u64) -> Result<(), VaultError> {
        let mut cursor = self.store.cursor()?;
        cursor.last_access = Some(cursor.last_access.map_or(access, |last| last.max(access)));
        self.store.set_cursor(&cursor)
    }

    /// Answer one pending access: its release, or a decline.
    fn answer(&self, access: &Access, pass: &mut Pass) -> Result<(), VaultError> {
        if access.agency != self.agency {
            return Ok(());
        }
        if let Some(release) = self.store.release(access.id)? {
            return match release.state {
                ReleaseState::Stored { .. } => self.fulfil(access.id, &release, pass),
                // The queue was read before the ledger dropped the access from it.
                ReleaseState::Served { .. } => Ok(()),
                ReleaseState::Withdrawn { reason, .. } => self.decline(access, &reason, pass),
            };
        }
        let Some(commitment) = self.store.commitment_of(access.record)? else {
            if self.store.erased(access.record)?.is_some() {
                return self.decline(access, "record_erased", pass);
            }
            if self.resolving()? {
                // The record may be one whose number is not learnt yet: answered in a later pass.
                return Ok(());
            }
            return self.decline(access, "record_not_held", pass);
        };
        let release = match self.seal_for(access, &commitment) {
            Ok(release) => release,
            Err((reason, e)) => {
                tracing::warn!(access = access.id, record = access.record, error = %e, reason, "declining an access");
                return self.decline(access, reason, pass);
            }
        };
        self.store.put_release(access.id, &release)?;
        self.fulfil(access.id, &release, pass)
    }

    /// The sealed release of the record under `commitment` for `access`, or why none can be made (the decline's
    /// reason code, and the error).
    fn seal_for(&self, access: &Access, commitment: &Hash) -> Result<StoredRelease, (&'static str, VaultError)> {
        let unreadable = |e| ("record_unreadable", e);
        let stored = self
            .store
            .record(commitment)
            .map_err(unreadable)?
            .ok_or_else(|| unreadable(VaultError::Corrupt("the record's entry is missing".into())))?;
        let content = open_content(&self.kek, &self.agency, commitment, &stored.wrapped_key, &stored.sealed)
            .map_err(unreadable)?;
        if content.owner != access.owner {
            return Err((
                "record_mismatch",
                VaultError::Corrupt(format!("the record's owner is not access {}'s owner", access.id)),
            ));
        }
        let release =
            build_release(&content, access.record, access.id, access.fields.as_deref()).map_err(unreadable)?;
        let sealed = seal_release(&release, &access.recipient, self.ledger.chain_id(), access.id)
            .map_err(|e| ("recipient_key_invalid", e))?;
        let bytes = borsh::to_vec(&sealed.sealed).map_err(|e| unreadable(VaultError::Internal(e.to_string())))?;
        Ok(StoredRelease {
            record: access.record,
            sha256: sealed.sha256,
            bytes: sealed.bytes,
            sealed: Some(bytes),
            state: ReleaseState::Stored { tx: None },
        })
    }

    /// Submit `fulfil_access` for a stored release, then settle it from the ledger.
    fn fulfil(&self, access: u64, release: &StoredRelease, pass: &mut Pass) -> Result<(), VaultError> {
        let call = DataCall::FulfilAccess { access, release_sha256: release.sha256, release_bytes: release.bytes };
        let stored = |tx| self.store.set_release_state(access, ReleaseState::Stored { tx: Some(tx) });
        match self.commit(call, stored) {
            Ok(_) => {
                self.settle_release(access, release, pass)?;
            }
            Err(NotCommitted::Refused { code, .. }) if code == "access_not_pending" => {
                self.settle_release(access, release, pass)?;
            }
            Err(NotCommitted::Refused { code, message }) => self.note(
                &format!("fulfil:{code}"),
                || tracing::warn!(access, %code, %message, "fulfil_access refused; retrying later"),
            ),
            Err(NotCommitted::Unsettled { tx: None, reason }) => return Err(VaultError::Unavailable(reason)),
            Err(NotCommitted::Unsettled { reason, .. }) => {
                tracing::warn!(access, %reason, "fulfil_access not settled; retrying later")
            }
        }
        Ok(())
    }

    /// Bring a stored release in line with the ledger's access: served once released with its hash, withdrawn
    /// once the access can no longer be released.
    fn settle_release(&self, access: u64, release: &StoredRelease, pass: &mut Pass) -> Result<Settled, VaultError> {
        let Some(on_ledger) = self.ledger.access(access).map_err(ledger_error)? else {
            self.note(&format!("access:{access}"), || {
                tracing::warn!(access, "a stored release's access cannot be read on the ledger; it stays unserved")
            });
            return Ok(Settled::Done);
        };
        let tx = match &release.state {
            ReleaseState::Stored { tx } => *tx,
            _ => None,
        };
        let withdraw = |reason: String| -> Result<Settled, VaultError> {
            self.store.set_release_state(access, ReleaseState::Withdrawn { reason, at_ms: self.now_ms() })?;
            Ok(Settled::Done)
        };
        match &on_ledger.state {
            AccessState::Pending => Ok(Settled::Pending),
            AccessState::Released { release_sha256, .. } if *release_sha256 == release.sha256 => {
                self.store.set_release_state(access, ReleaseState::Served { tx })?;
                self.answered(access)?;
                pass.released += 1;
                tracing::info!(access, record = release.record, "release committed; served from now on");
                Ok(Settled::Done)
            }
            AccessState::Released { .. } => {
                tracing::warn!(access, "the ledger records another release for this access; this one is withdrawn");
                pass.withdrawn += 1;
                withdraw("released_otherwise".into())
            }
            AccessState::Lapsed { reason, .. } => {
                pass.withdrawn += 1;
                withdraw(reason.as_str().to_owned())
            }
            AccessState::Declined { .. } => {
                pass.withdrawn += 1;
                withdraw("declined".into())
            }
            AccessState::Refused { code } => {
                pass.withdrawn += 1;
                withdraw(code.as_str().to_owned())
            }
        }
    }

    /// Decline a pending access with `reason`, keeping the reason for `GET /vault/v1/releases/{access}`.
    fn decline(&self, access: &Access, reason: &str, pass: &mut Pass) -> Result<(), VaultError> {
        let withdrawn = StoredRelease {
            record: access.record,
            sha256: [0; 32],
            bytes: 0,
            sealed: None,
            state: ReleaseState::Withdrawn { reason: reason.to_owned(), at_ms: self.now_ms() },
        };
        if self.store.release(access.id)?.is_none() {
            self.store.put_release(access.id, &withdrawn)?;
        }
        let call = DataCall::DeclineAccess { access: access.id, reason_code: reason.to_owned() };
        match self.commit(call, |_| Ok(())) {
            Ok(_) => {
                self.answered(access.id)?;
                pass.declined += 1;
                tracing::info!(access = access.id, reason, "access declined");
            }
            Err(NotCommitted::Refused { code, .. }) if code == "access_not_pending" => {}
            Err(NotCommitted::Refused { code, message }) => self.note(
                &format!("decline:{code}"),
                || tracing::warn!(access = access.id, %code, %message, "decline_access refused; retrying later"),
            ),
            Err(NotCommitted::Unsettled { tx: None, reason }) => return Err(VaultError::Unavailable(reason)),
            Err(NotCommitted::Unsettled { reason, .. }) => {
                tracing::warn!(access = access.id, %reason, "decline_access not settled; retrying later")
            }
        }
        Ok(())
    }

    // --- Erasure ------------------------------------------------------------------------------------------------

    /// Erase a record whose erasure its owner ordered, and record the erasure.
    fn erase_ordered(&self, record: &Record, pass: &mut Pass) -> Result<(), VaultError> {
        if record.agency != self.agency || !matches!(record.state, RecordState::ErasureOrdered { .. }) {
            return Ok(());
        }
        if let Some(erased) = self.store.erased(record.id)? {
            if !erased.recorded {
                self.record_erasure(record.id, &erased, pass)?;
            }
            return Ok(());
        }
        if self.store.commitment_of(record.id)?.is_none() && self.resolving()? {
            return Ok(());
        }
        let erased = self.erase(record.id, &record.commitment, ErasureOrder::Owner)?;
        pass.erased += 1;
        self.record_erasure(record.id, &erased, pass)
    }

    /// Destroy record `id`'s data key and ciphertext and keep the fact, with a statement of what was destroyed.
    fn erase(&self, id: u64, commitment: &Hash, order: ErasureOrder) -> Result<ErasedRecord, VaultError> {
        let now_ms = self.now_ms();
        let held = self.store.commitment_of(id)?;
        if held.is_some_and(|held| held != *commitment) {
            return Err(VaultError::Corrupt(format!(
                "record {id} is stored under another commitment than the ledger's {}",
                hex::encode(commitment)
            )));
        }
        let releases = self.store.releases_of(id)?;
        let statement = serde_json::json!({
            "statement": STATEMENT_TAG,
            "chain_id": self.ledger.chain_id().as_str(),
            "agency": self.agency.as_str(),
            "record": id,
            "commitment": hex::encode(commitment),
            "order": order,
            "erased_at_ms": now_ms,
            "held": held.is_some(),
            "destroyed": {
                "wrapped_data_key": held.is_some(),
                "ciphertext": held.is_some(),
                "sealed_releases": releases,
            },
            "note": "The vault deleted the record's wrapped data key and its ciphertext from its store, and the sealed \
                     releases it kept, then flushed and compacted the store. Copies made before (backups, replicas, \
                     disk images) and blocks the file system or disk keep are beyond its reach; rotating the \
                     key-encryption key makes any leftover wrapped key unreadable.",
        })
        .to_string();
        let erased = ErasedRecord {
            commitment: *commitment,
            order,
            erased_at_ms: now_ms,
            statement_sha256: publica_crypto::sha256(statement.as_bytes()),
            statement,
            tx: None,
            recorded: false,
        };
        self.store.shred(id, &erased, now_ms)?;
        tracing::info!(record = id, ?order, held = held.is_some(), "record erased: data key and ciphertext destroyed");
        Ok(erased)
    }

    /// Submit `record_erasure` for an erasure the vault performed, until the tombstone is committed.
    fn record_erasure(&self, id: u64, erased: &ErasedRecord, pass: &mut Pass) -> Result<(), VaultError> {
        let call =
            DataCall::RecordErasure { record: id, order: erased.order, statement_sha256: erased.statement_sha256 };
        match self.commit(call, |tx| self.store.set_erasure_tx(id, Some(tx), false)) {
            Ok(committed) => {
                self.store.set_erasure_tx(id, Some(committed.tx), true)?;
                pass.recorded += 1;
                tracing::info!(record = id, tx = %committed.tx, "erasure recorded on the ledger");
            }
            Err(NotCommitted::Refused { code, message }) if code == "record_already_erased" => {
                let on_ledger = self.ledger.record(id).map_err(ledger_error)?;
                let ours = matches!(&on_ledger, Some(Record { state: RecordState::Erased { statement_sha256, .. }, .. })
                    if *statement_sha256 == erased.statement_sha256);
                if !ours {
                    tracing::warn!(record = id, %message, "the ledger records another erasure statement for this record");
                }
                self.store.set_erasure_tx(id, None, true)?;
                pass.recorded += 1;
            }
            Err(NotCommitted::Refused { code, message }) => self.note(
                &format!("erasure:{id}:{code}"),
                || tracing::warn!(record = id, %code, %message, "record_erasure refused; retrying later"),
            ),
            Err(NotCommitted::Unsettled { tx: None, reason }) => return Err(VaultError::Unavailable(reason)),
            Err(NotCommitted::Unsettled { reason, .. }) => {
                tracing::warn!(record = id, %reason, "record_erasure not settled; retrying later")
            }
        }
        Ok(())
    }

    /// Erase the records whose retention time has run out (at most [`MAX_RETENTION_PER_SWEEP`] per sweep).
    fn apply_retention(&self, pass: &mut Pass) -> Result<(), VaultError> {
        let rules: BTreeMap<String, u32> = self
            .ledger
            .retention(&self.agency)
            .map_err(ledger_error)?
            .into_iter()
            .filter(|rule| rule.agency == self.agency && rule.keep_days > 0)
            .map(|rule| (rule.category, rule.keep_days))
            .collect();
        if rules.is_empty() {
            return Ok(());
        }
        let now_ms = self.now_ms();
        let margin_ms = self.settings.retention_margin.as_millis() as u64;
        let due = |registered_at_ms: u64, keep_days: u32| {
            registered_at_ms.saturating_add(u64::from(keep_days) * DAY_MS).saturating_add(margin_ms) <= now_ms
        };
        let mut candidates = Vec::new();
        self.store.for_each_record(|commitment, record| {
            if let (Some(id), Some(keep_days)) = (record.id, rules.get(&record.category)) {
                if record.registered_at_ms.is_none_or(|at| due(at, *keep_days)) {
                    candidates.push((id, commitment, *keep_days));
                }
            }
            candidates.len() < MAX_RETENTION_PER_SWEEP
        })?;
        for (id, commitment, keep_days) in candidates {
            // The ledger's registration time decides; it is kept for the next sweeps.
            let Some(on_ledger) = self.ledger.record(id).map_err(ledger_error)? else { continue };
            if on_ledger.commitment != commitment {
                continue;
            }
            self.store.set_registered(&commitment, id, Some(on_ledger.registered_at_ms))?;
            if !due(on_ledger.registered_at_ms, keep_days) || matches!(on_ledger.state, RecordState::Erased { .. }) {
                continue;
            }
            let erased = self.erase(id, &commitment, ErasureOrder::Retention)?;
            pass.erased += 1;
            self.record_erasure(id, &erased, pass)?;
        }
        Ok(())
    }

    // --- Answers ------------------------------------------------------------------------------------------------

    /// The sealed release of `access`, once `fulfil_access` is committed (see `GET /vault/v1/releases/{access}`).
    pub fn release(&self, access: u64) -> Result<HybridSealed, VaultError> {
        let Some(release) = self.store.release(access)? else {
            return Err(VaultError::NotFound(format!(
                "this vault has no release for access {access}: the access is still pending (ask again shortly), or \
                 it is not to a record of {}",
                self.agency
            )));
        };
        match (release.state, release.sealed) {
            (ReleaseState::Served { .. }, Some(bytes)) => borsh::from_slice(&bytes).map_err(|e| {
                VaultError::Corrupt(format!("the stored release of access {access} does not decode: {e}"))
            }),
            (ReleaseState::Stored { .. }, _) => Err(VaultError::NotFound(format!(
                "the release of access {access} is sealed, and its fulfil_access is not committed yet: ask again \
                 shortly"
            ))),
            (ReleaseState::Withdrawn { reason, .. }, _) => {
                let code = if reason == "record_erased" { RECORD_ALREADY_ERASED } else { ACCESS_NOT_PENDING };
                Err(VaultError::Gone {
                    code,
                    message: format!(
                        "this vault will never release access {access} ({reason}): ask the ledger for the access's state"
                    ),
                })
            }
            (ReleaseState::Served { .. }, None) => {
                Err(VaultError::Corrupt(format!("the served release of access {access} has no bytes")))
            }
        }
    }

    /// Whether the vault holds record `id`, or erased it (see `GET /vault/v1/records/{id}`).
    pub fn record_status(&self, id: u64) -> Result<RecordStatusResponse, VaultError> {
        if let Some(erased) = self.store.erased(id)? {
            let ErasedRecord { order, erased_at_ms, statement, statement_sha256, tx, recorded, .. } = erased;
            let tx = if recorded { tx } else { None };
            let state = RecordHolding::Erased { erased_at_ms, order, statement, statement_sha256, tx };
            return Ok(RecordStatusResponse { record: id, state });
        }
        if self.store.commitment_of(id)?.is_some() {
            return Ok(RecordStatusResponse { record: id, state: RecordHolding::Held });
        }
        Err(VaultError::NotFound(format!("this vault of {} never held record {id}", self.agency)))
    }

    /// The vault's status (see `GET /vault/v1/status`).
    pub fn status(&self) -> Result<VaultStatusResponse, VaultError> {
        let QueueCursor { last_access, height, read_at_ms, pending_accesses, pending_erasures } =
            self.store.cursor()?;
        let (records_held, records_erased, releases_waiting) = self.store.counts();
        Ok(VaultStatusResponse {
            agency: self.agency.clone(),
            chain_id: self.ledger.chain_id().clone(),
            controller: self.ledger.controller(),
            node_reachable: self.node_reachable.load(Ordering::SeqCst),
            queue: QueuePosition { last_access, pending_accesses, pending_erasures, read_at_ms },
            last_height: height,
            records_held,
            records_erased,
            releases_waiting,
        })
    }
}

/// Whether a stored release still waits for its access to be released.
enum Settled {
    /// The access is still pending: submit `fulfil_access` (again).
    Pending,
    /// Nothing more to do now.
    Done,
}

/// The controller's signature: [`SIGNATURE_LEN`] bytes in standard padded base64.
fn parse_signature(text: &str) -> Result<Signature, VaultError> {
    if text.len() > SIGNATURE_LEN.div_ceil(3) * 4 {
        return Err(VaultError::Malformed(format!(
            "signature has {} characters; a hybrid signature of {SIGNATURE_LEN} bytes is {} in base64",
            text.len(),
            SIGNATURE_LEN.div_ceil(3) * 4
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| {
        VaultError::Malformed(format!(
            "signature must be standard padded base64 ({e}): the controller's hybrid signature"
        ))
    })?;
    Signature::from_bytes(&bytes).map_err(|_| {
        VaultError::Malformed(format!(
            "signature must be a hybrid signature of {SIGNATURE_LEN} bytes (ML-DSA-65 then Ed25519), got {} bytes",
            bytes.len()
        ))
    })
}

/// Refuse a request whose time is more than [`INGEST_MAX_SKEW_MS`] from `now_ms`, saying which way.
fn check_time(at_ms: u64, now_ms: u64) -> Result<(), VaultError> {
    let window_secs = INGEST_MAX_SKEW_MS / 1000;
    if at_ms > now_ms.saturating_add(INGEST_MAX_SKEW_MS) {
        return Err(VaultError::NotPermitted(format!(
            "the request's at_ms is {} s ahead of the vault's clock; a request is accepted within {window_secs} s of \
             it either way: check the clock of the machine that signed it",
            (at_ms - now_ms) / 1000
        )));
    }
    if at_ms.saturating_add(INGEST_MAX_SKEW_MS) < now_ms {
        return Err(VaultError::NotPermitted(format!(
            "the request's at_ms is {} s behind the vault's clock, older than the {window_secs} s a signed request \
             is good for: sign a new one with the current time",
            (now_ms - at_ms) / 1000
        )));
    }
    Ok(())
}
