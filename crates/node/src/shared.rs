//! The node's shared state: committed snapshot, mempool, signature cache, recent refusals; and admission.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::{Condvar, Mutex, RwLock};

use publica_execution::{BlockEnv, Changes, SignatureCheck};
use publica_merkle::{key_hash, value_hash, StateTree};
use publica_storage::Store;
use publica_tx::Transaction;
use publica_types::{
    Address, BlockHeader, ChainId, CommitCertificate, ErrorCode, Genesis, Hash, PublicKey, PublicKeyBytes, StateRead,
    TxError, TxId, ValidatorSet,
};

use crate::ballots::BallotPool;
use crate::config::NodeConfig;
use crate::mempool::{fingerprint, Mempool, PendingOverlay, ReadSet, Revalidation, SenderClass, Ticket, WriterPrints};
use crate::metrics::Metrics;
use crate::proposal_bound::Limits;

/// Longest accepted distance between now and a transaction's expiry.
pub const MAX_EXPIRY_AHEAD_MS: u64 = 7 * 24 * 3600 * 1000;
/// Parsed keys kept by admission; the cache starts over when full.
const MAX_PARSED_KEYS: usize = 65_536;
/// Refusals remembered for status queries.
const MAX_REFUSALS: usize = 100_000;
/// Senders whose recent refusals are counted; beyond this, the sender whose window started first is forgotten.
const MAX_REFUSAL_COUNTS: usize = 65_536;
/// Transactions (by full hash) whose failed dry run is remembered, so that each counts once and a replay at the
/// same height is answered without executing it again.
const MAX_DRY_RUNS_REMEMBERED: usize = 16_384;
/// Signatures of a batch verified between two looks at whether the request is still wanted.
const BATCH_CHUNK: usize = 256;
/// Longest wait of an admission for another admission or a revalidation of the same sender to finish.
const SENDER_BUSY_WAIT: Duration = Duration::from_secs(5);
/// A waiting admission looks again at least this often (a ticket may be given back without a signal, e.g. by a
/// direct user of the mempool).
const SENDER_BUSY_POLL: Duration = Duration::from_millis(50);
/// How long the revalidation thread waits after a commit, unless this node's proposal for the next block was
/// selected sooner: the proposal takes runs on the same state, and senders that are submitting execute their runs
/// again in their own admissions (see `Mempool::is_submitting`).
const SUBMITTING_GRACE: Duration = Duration::from_millis(10);
/// Blocks whose writers are kept, so that a sender's pending overlay can be carried over that many commits
/// without executing its run again.
pub const MAX_RECENT_WRITERS: usize = 8;

/// The last committed block and the state after it. Readers hold the lock while they read the store, and the
/// commit path holds it exclusively while it writes, so a reader never pairs a header with another block's state.
pub(crate) struct Committed {
    /// Last committed height (0 = genesis).
    pub height: u64,
    /// Its header and certificate (none at genesis).
    pub header: Option<(BlockHeader, CommitCertificate)>,
    /// The authenticated state map after it.
    pub tree: StateTree,
    /// The validator set for the next height.
    pub validators: ValidatorSet,
    /// Who wrote each key of the last [`MAX_RECENT_WRITERS`] committed blocks, by height (newest last): what
    /// carrying a sender's pending overlay to a new height checks.
    pub recent_writers: VecDeque<(u64, Arc<WriterPrints>)>,
}

impl Committed {
    /// Record who wrote the keys of the block just committed at `height` (fingerprinted by the caller, outside
    /// this state's lock).
    pub fn record_writers(&mut self, height: u64, writers: WriterPrints) {
        self.recent_writers.push_back((height, Arc::new(writers)));
        while self.recent_writers.len() > MAX_RECENT_WRITERS {
            self.recent_writers.pop_front();
        }
    }

    /// Whether `sender`'s pending `overlay`, executed on the state of its height, still holds on this state: the
    /// writers of every block since are known and none of them wrote a key the run read or wrote, other than the
    /// sender's own transactions.
    fn overlay_survives(&self, sender: &Address, overlay: &PendingOverlay) -> bool {
        (overlay.height + 1..=self.height).all(|h| {
            self.recent_writers.iter().find(|(x, _)| *x == h).is_some_and(|(_, w)| overlay.survives(sender, w))
        })
    }
}

/// Transaction status as the API reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TxStatus {
    /// Waiting in the mempool.
    Pending,
    /// Committed.
    Committed {
        /// Block height.
        height: u64,
        /// Position in the block.
        index: u32,
        /// What the transaction created; absent only for a transaction committed by a version of the node that
        /// did not record outcomes.
        #[serde(skip_serializing_if = "Option::is_none")]
        outcome: Option<publica_types::TxOutcome>,
    },
    /// Refused, or dropped before inclusion.
    Rejected {
        /// Stable code.
        code: publica_types::Code,
        /// Reason.
        message: String,
    },
    /// Never seen (or refused too long ago to be remembered).
    Unknown,
}

/// State shared by the consensus application, admission and the readers behind [`crate::NodeHandle`]; private
/// to the node: nothing outside the crate reaches its fields.
pub(crate) struct Shared {
    /// The genesis document.
    pub(crate) genesis: Genesis,
    /// Settings.
    pub(crate) config: NodeConfig,
    /// The store.
    pub(crate) store: Store,
    /// The committed snapshot.
    pub(crate) committed: RwLock<Committed>,
    /// Waiting transactions.
    pub(crate) mempool: Mutex<Mempool>,
    /// Waiting ballots (anonymous transactions, see [`crate::ballots`]).
    pub(crate) ballots: Mutex<BallotPool>,
    /// Signalled when an admission or a revalidation gives a sender's queue back to the mempool.
    sender_idle: Condvar,
    /// Hands the revalidation after each commit to its thread.
    revalidation: Arc<RevalidationSignal>,
    /// Signatures verified at admission.
    pub(crate) signatures: SignatureCache,
    /// Recently refused or dropped transactions.
    refusals: Mutex<Refusals>,
    /// Dry-run refusals per sender in the current window.
    refusal_counts: Mutex<RefusalCounts>,
    /// Senders' keys, parsed, by sender.
    parsed_keys: Mutex<HashMap<Address, SenderKey>>,
    /// Metrics.
    pub(crate) metrics: Metrics,
    /// Address of this node's validator key.
    pub(crate) address: Address,
    /// Height of the block after which the latest notary checkpoint was signed (0: none yet). Witness pushers and
    /// readers wait on it.
    pub(crate) checkpoints: tokio::sync::watch::Sender<u64>,
}

/// A view of the committed state in the store, for execution and admission.
pub(crate) struct StoreView<'a>(pub(crate) &'a Store);

impl StateRead for StoreView<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.state_get(key).unwrap_or_else(|e| panic!("reading committed state failed: {e}"))
    }
}

impl publica_execution::AnchorIndex for StoreView<'_> {
    fn lookup(&self, hash: &Hash) -> Option<u64> {
        // Like state reads: a failing store must stop the node, not look like "never anchored".
        self.0.anchor_index(hash).unwrap_or_else(|e| panic!("reading the notary index failed: {e}"))
    }
}

/// Signatures verified by this node, keyed by the transaction's full hash (signature included), with the key
/// that verified them. A key rotation between admission and execution changes the sender's key, so the cache only
/// answers for the same key bytes; and a transaction carrying another signature has another full hash, so a valid
/// cached signature never vouches for a different one. The key's bytes are shared by all the entries of one
/// sender (one allocation per key, not per transaction), and a lookup compares them rather than hashing them.
#[derive(Default)]
pub struct SignatureCache {
    verified: Mutex<HashMap<Hash, (TxId, Arc<PublicKeyBytes>)>>,
}

impl SignatureCache {
    /// Remember that the transaction `id` with this full hash verified with `key`.
    pub fn insert(&self, full_hash: Hash, id: TxId, key: Arc<PublicKeyBytes>) {
        self.verified.lock().insert(full_hash, (id, key));
    }

    /// Keep only the entries of transactions for which `keep` holds (those still waiting in the mempool), so
    /// the cache never outgrows the mempool by more than the blocks being decided.
    pub fn retain(&self, mut keep: impl FnMut(&TxId) -> bool) {
        self.verified.lock().retain(|_, (id, _)| keep(id));
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.verified.lock().len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the transaction with this full hash was verified with `key`.
    pub fn hit(&self, full_hash: &Hash, key: &PublicKeyBytes) -> bool {
        let cached = self.verified.lock().get(full_hash).map(|(_, k)| Arc::clone(k));
        cached.is_some_and(|k| *k == *key)
    }
}

impl SignatureCheck for SignatureCache {
    fn check(&self, tx: &Transaction, full_hash: &Hash, key: &PublicKeyBytes) -> Result<(), TxError> {
        if self.hit(full_hash, key) {
            return Ok(());
        }
        publica_execution::verify_signature(tx, key)
    }
}

#[derive(Default)]
struct Refusals {
    map: HashMap<TxId, TxError>,
    order: VecDeque<TxId>,
}

impl Refusals {
    fn insert(&mut self, id: TxId, error: TxError) {
        if self.map.insert(id, error).is_none() {
            self.order.push_back(id);
        }
        while self.order.len() > MAX_REFUSALS {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

/// How many of each sender's transactions failed their dry-run at admission in the sender's current window.
///
/// A refused transaction consumes no nonce, so a refusal costs its sender nothing while its dry-run costs the node
/// CPU: without a limit, one account could make the node execute expensive failing calls forever. Only dry-run
/// failures count (the other refusals cost no execution), only of transactions whose signature verified (so
/// nobody can use up another account's allowance), and each transaction only once: the failed dry runs are
/// remembered by the transaction's **full hash**, signature included, so a replay of someone's refused
/// transaction does not count again, while a copy of the body under another signature (which fails its
/// signature check and is never remembered here) cannot make the genuine transaction's dry run free. A replay at
/// the same committed height is answered from this memory without executing it again.
///
/// The table of senders is bounded ([`MAX_REFUSAL_COUNTS`]). When it is full of live windows, the sender whose
/// window started first is forgotten (eviction by age), rather than leaving new senders uncounted: to free one
/// entry an attacker must have that many other dry runs counted first, each within its own accounts' allowances,
/// so forgetting the oldest gives back at most one allowance per [`MAX_REFUSAL_COUNTS`] counted refusals, while
/// refusing every new sender's work until windows end would let the same accounts shut everybody out.
#[derive(Default)]
struct RefusalCounts {
    /// Sender → (start of its window, refusals in it), Unix ms.
    map: HashMap<Address, (u64, u32)>,
    /// (window start, sender) of every entry: the oldest first.
    by_start: BTreeSet<(u64, Address)>,
    /// Full hash → (committed height, refusal) of transactions whose failed dry run was counted.
    dry_runs: HashMap<Hash, (u64, TxError)>,
    /// The same full hashes, oldest first.
    dry_runs_order: VecDeque<Hash>,
}

impl RefusalCounts {
    /// Whether `sender` used up its refusals in the window that contains `now`; if so, when it may retry.
    fn blocked_until(&self, sender: &Address, now: u64, max: u32, window_ms: u64) -> Option<u64> {
        let &(start, count) = self.map.get(sender)?;
        let end = start.saturating_add(window_ms);
        (count >= max && now < end).then_some(end)
    }

    /// The refusal of the transaction with this full hash if its dry run failed at committed height `height`.
    fn refused_at(&self, full_hash: &Hash, height: u64) -> Option<&TxError> {
        self.dry_runs.get(full_hash).filter(|(h, _)| *h == height).map(|(_, e)| e)
    }

    /// Count the failed dry run of the transaction of `sender` with `full_hash` at committed height `height`,
    /// unless that transaction was counted already.
    fn count(&mut self, sender: Address, full_hash: Hash, height: u64, error: &TxError, now: u64, window_ms: u64) {
        let first_time = !self.dry_runs.contains_key(&full_hash);
        self.dry_runs.insert(full_hash, (height, error.clone()));
        if !first_time {
            return;
        }
        self.dry_runs_order.push_back(full_hash);
        while self.dry_runs_order.len() > MAX_DRY_RUNS_REMEMBERED {
            if let Some(old) = self.dry_runs_order.pop_front() {
                self.dry_runs.remove(&old);
            }
        }
        if !self.map.contains_key(&sender) && self.map.len() >= MAX_REFUSAL_COUNTS {
            // Ended windows first, then the oldest live one.
            while let Some(&(start, oldest)) = self.by_start.first() {
                if self.map.len() < MAX_REFUSAL_COUNTS && now < start.saturating_add(window_ms) {
                    break;
                }
                self.by_start.pop_first();
                self.map.remove(&oldest);
            }
        }
        let slot = self.map.entry(sender).or_insert((now, 0));
        if slot.1 == 0 {
            self.by_start.insert((now, sender));
        } else if now >= slot.0.saturating_add(window_ms) {
            self.by_start.remove(&(slot.0, sender));
            self.by_start.insert((now, sender));
            *slot = (now, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        debug_assert_eq!(self.map.len(), self.by_start.len());
    }
}

/// A view that notes every key read through it, as fingerprints: the keys a dry run depends on.
struct Recording<'a> {
    base: &'a dyn StateRead,
    reads: RefCell<ReadSet>,
}

impl<'a> Recording<'a> {
    fn new(base: &'a dyn StateRead) -> Self {
        Recording { base, reads: RefCell::new(ReadSet::default()) }
    }
}

impl StateRead for Recording<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.reads.borrow_mut().insert(fingerprint(key));
        self.base.get(key)
    }
}

/// A view of the committed state with a sender's pending writes on top: the state its next transaction runs on.
struct PendingView<'a> {
    base: &'a dyn StateRead,
    changes: &'a Changes,
}

impl StateRead for PendingView<'_> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.changes.get(key) {
            Some(value) => value.clone(),
            None => self.base.get(key),
        }
    }
}

/// A pending run that no longer executes on the committed state: the writes of the transactions before the
/// failing one, and the failing one with the reason.
struct RunFailure {
    prefix: Changes,
    reads: ReadSet,
    ok: usize,
    failed: (TxId, u64, TxError),
}

/// Unix time in milliseconds. Only the proposer and admission read the clock; execution never does.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Shared {
    /// Assemble the shared state.
    pub fn new(
        genesis: Genesis,
        config: NodeConfig,
        store: Store,
        committed: Committed,
        address: Address,
    ) -> Arc<Self> {
        let mempool = Mempool::new(config.mempool_limits(genesis.agencies.len()));
        let revalidation = Arc::new(RevalidationSignal::default());
        let shared = Arc::new(Self {
            genesis,
            config,
            store,
            committed: RwLock::new(committed),
            mempool: Mutex::new(mempool),
            ballots: Mutex::new(BallotPool::new()),
            sender_idle: Condvar::new(),
            revalidation: Arc::clone(&revalidation),
            signatures: SignatureCache::default(),
            refusals: Mutex::new(Refusals::default()),
            refusal_counts: Mutex::new(RefusalCounts::default()),
            parsed_keys: Mutex::new(HashMap::new()),
            metrics: Metrics::new(),
            address,
            checkpoints: tokio::sync::watch::Sender::new(0),
        });
        let weak = Arc::downgrade(&shared);
        let worker = Arc::clone(&revalidation);
        let spawned = std::thread::Builder::new()
            .name("mempool-revalidation".into())
            .spawn(move || revalidation_worker(&worker, &weak));
        match spawned {
            Ok(_) => revalidation.state.lock().worker = true,
            Err(e) => {
                tracing::warn!(error = %e, "no revalidation thread: pending transactions are executed again on the commit path")
            }
        }
        shared
    }

    /// Announce a newly stored notary checkpoint.
    pub fn checkpoint_published(&self, height: u64) {
        self.checkpoints.send_replace(height);
    }

    /// The network's chain id.
    pub fn chain_id(&self) -> &ChainId {
        &self.genesis.chain_id
    }

    /// Record that a transaction was refused or dropped.
    pub fn record_refusal(&self, id: TxId, error: TxError) {
        self.metrics.refused(error.code);
        self.refusals.lock().insert(id, error);
    }

    /// Admit one encoded transaction into the mempool: decode, check, verify, dry-run, queue.
    pub fn submit(&self, bytes: &[u8]) -> Result<TxId, TxError> {
        let (tx, id) = decode(bytes)
            .and_then(|tx| self.precheck(&tx).map(|id| (tx, id)))
            .inspect_err(|e| self.metrics.refused(e.code))?;
        // The input is the canonical encoding, so its hash is the full hash.
        let full_hash = publica_crypto::sha256(bytes);
        if is_ballot(&tx) {
            return self.admit_ballot(tx, bytes.len(), full_hash);
        }
        let signature_ok = self.verify_for_admission(&tx, id, full_hash);
        self.admit(tx, id, bytes.len(), full_hash, signature_ok)
    }

    /// Admit many encoded transactions. Decoding, the stateless checks and the key lookups run on every core;
    /// the signatures are then checked together with [`publica_crypto::verify_batch`] (Ed25519 halves in one
    /// batch equation, ML-DSA halves in parallel); the state checks and the mempool insert run last, in order, so
    /// nonces from one sender queue up correctly. Result `i` is for input `i`.
    pub fn submit_batch(&self, items: &[Vec<u8>]) -> Vec<Result<TxId, TxError>> {
        self.submit_batch_unless(items, &AtomicBool::new(false))
    }

    /// As [`Shared::submit_batch`], but the work stops as soon as `cancelled` is set (the API sets it when the
    /// client is gone or the request timed out): signatures are verified in chunks of [`BATCH_CHUNK`] and the
    /// flag is read before each chunk and before each transaction's dry-run. Transactions not reached are
    /// refused with `unavailable` and left untouched, so a batch nobody waits for costs at most one chunk more.
    pub fn submit_batch_unless(&self, items: &[Vec<u8>], cancelled: &AtomicBool) -> Vec<Result<TxId, TxError>> {
        use rayon::prelude::*;
        let gone = || {
            TxError::new(
                ErrorCode::Unavailable,
                "the request was cancelled (the client went away or it timed out) before this transaction was \
                 admitted; nothing was done with it, submit it again",
            )
        };
        // Everything that needs no order is done here on every core: decoding, the id and the full hash (the input
        // is the canonical encoding, so its hash is the full hash), and the sender's key.
        let prepared: Vec<Result<Prepared, TxError>> = items
            .par_iter()
            .map(|bytes| {
                let tx = decode(bytes)?;
                let id = self.precheck(&tx)?;
                // A ballot has no account, so no key: its credential's signature is checked by its dry run.
                let key = if is_ballot(&tx) { Err(no_account()) } else { self.sender_key(&tx) };
                Ok(Prepared { tx, id, full_hash: publica_crypto::sha256(bytes), key })
            })
            .collect();
        // Ballots are checked by their dry run, one after another below; their proofs are verified here first on
        // every core, as the signatures are. Only the ballots the ordered checks could admit: one per credential
        // (a node keeps one pending ballot per credential), none for a credential already waiting or out of its
        // allowance of refusals, so that a batch costs no more verifications than the ordered path would make.
        let now = now_ms();
        let mut credentials = std::collections::HashSet::new();
        let ballots: Vec<&publica_elections::ElectionsCall> = prepared
            .iter()
            .filter_map(|p| match p {
                Ok(p) if is_ballot(&p.tx) => Some(p),
                _ => None,
            })
            .filter(|p| {
                let Ok(key) = ballot_queue_key(&p.tx) else { return false };
                let pseudo_sender = Address(key[..20].try_into().expect("20 of 32 bytes"));
                credentials.insert(key)
                    && self.check_allowance(&pseudo_sender, now).is_ok()
                    && self.ballots.lock().check_room(&p.id, &key, 0).is_ok()
            })
            .filter_map(|p| match &p.tx.body.call {
                publica_tx::Call::Elections(call) => Some(call),
                _ => None,
            })
            .collect();
        if ballots.len() > 1 && !cancelled.load(Ordering::Relaxed) {
            let view = StoreView(&self.store);
            ballots.par_iter().for_each(|call| publica_elections::prefetch_ballot(&view, call));
        }
        let mut verdicts: Vec<Option<Result<(), TxError>>> = vec![None; prepared.len()];
        let with_keys: Vec<usize> =
            (0..prepared.len()).filter(|&i| matches!(&prepared[i], Ok(Prepared { key: Ok(_), .. }))).collect();
        for chunk in with_keys.chunks(BATCH_CHUNK) {
            if cancelled.load(Ordering::Relaxed) {
                break;
            }
            let messages: Vec<Vec<u8>> = chunk
                .par_iter()
                .map(|&i| match &prepared[i] {
                    Ok(p) => p.tx.body.signing_bytes(),
                    Err(_) => unreachable!("only transactions with a key are in the chunk"),
                })
                .collect();
            let batch: Vec<_> = chunk
                .iter()
                .zip(&messages)
                .map(|(&i, m)| match &prepared[i] {
                    Ok(Prepared { tx, key: Ok(key), .. }) => (key.parsed.as_ref(), m.as_slice(), &tx.signature),
                    _ => unreachable!("only transactions with a key are in the chunk"),
                })
                .collect();
            for (result, &i) in publica_crypto::verify_batch(&batch).into_iter().zip(chunk) {
                verdicts[i] = Some(result.map_err(bad_signature));
            }
        }
        prepared
            .into_iter()
            .zip(verdicts)
            .zip(items)
            .map(|((p, verdict), bytes)| match p {
                Ok(_) if cancelled.load(Ordering::Relaxed) => Err(gone()),
                Ok(p) if is_ballot(&p.tx) => self.admit_ballot(p.tx, bytes.len(), p.full_hash),
                Ok(Prepared { tx, id, full_hash, key }) => {
                    let signature_ok = match (key, verdict) {
                        (Err(e), _) => Err(e),
                        (Ok(key), Some(Ok(()))) => {
                            self.signatures.insert(full_hash, id, key.bytes);
                            Ok(())
                        }
                        (Ok(_), Some(Err(e))) => Err(e),
                        (Ok(_), None) => unreachable!("every transaction with a key was verified unless cancelled"),
                    };
                    self.admit(tx, id, bytes.len(), full_hash, signature_ok)
                }
                Err(e) => {
                    self.metrics.refused(e.code);
                    Err(e)
                }
            })
            .collect()
    }

    /// The checks that need no state: the chain and the expiry. They run before the signature check so that
    /// a transaction that can never be accepted costs no verification.
    fn precheck(&self, tx: &Transaction) -> Result<TxId, TxError> {
        let body = &tx.body;
        // Transactions travel to validators only through their APIs (there is no transaction gossip): an auditor's
        // mempool would never reach a block.
        if self.committed.read().validators.get(&self.address).is_none() {
            return Err(TxError::new(
                ErrorCode::Unavailable,
                "this node is an auditor (not in the validator set): it serves reads and proofs but does not take \
                 transactions; submit to a validator's API",
            ));
        }
        if &body.chain_id != self.chain_id() {
            return Err(TxError::new(
                ErrorCode::WrongChain,
                format!(
                    "transaction is for chain {}, this node serves {}; sign it for this chain",
                    body.chain_id,
                    self.chain_id()
                ),
            ));
        }
        let now = now_ms();
        if body.expires_at_ms < now {
            return Err(TxError::new(
                ErrorCode::Expired,
                format!(
                    "transaction expired at {} ms, it is now {now} ms; sign it again with a later expiry",
                    body.expires_at_ms
                ),
            ));
        }
        if body.expires_at_ms > now + MAX_EXPIRY_AHEAD_MS {
            return Err(TxError::new(
                ErrorCode::ExpiryTooFar,
                format!("expiry is more than {} days ahead; choose an earlier one", MAX_EXPIRY_AHEAD_MS / 86_400_000),
            ));
        }
        // Before any signature work: a sender whose transactions keep failing their dry-run waits out its window.
        // Only that sender's own signed transactions can have used up its allowance (see `RefusalCounts`). The
        // allowance is checked again right before the dry run, since the transactions of a batch all pass here
        // before the first is executed.
        // A ballot's allowance is its credential's, checked by `admit_ballot` (the anonymous sender is everyone's).
        if !is_ballot(tx) {
            self.check_allowance(&body.sender, now)?;
        }
        // Before any signature work, so that resubmitting a known transaction costs nothing.
        let id = tx.id();
        let pending = self.mempool.lock().contains(&id) || self.ballots.lock().contains(&id);
        if pending || self.store.tx_location(&id).ok().flatten().is_some() {
            return Err(TxError::new(
                ErrorCode::DuplicateTransaction,
                format!("transaction {id} was already submitted"),
            ));
        }
        Ok(id)
    }

    /// Refuse, unexamined, the transactions of a sender that used up its failed dry runs in its current window.
    fn check_allowance(&self, sender: &Address, now: u64) -> Result<(), TxError> {
        let limits = &self.config.mempool;
        let blocked = self.refusal_counts.lock().blocked_until(
            sender,
            now,
            limits.refused_per_sender_max,
            limits.refused_window_ms,
        );
        match blocked {
            None => Ok(()),
            Some(until) => Err(TxError::new(
                ErrorCode::Unavailable,
                format!(
                    "{} transactions of sender {sender} failed their dry-run within {} s; this node takes none of its \
                     transactions for {} s more. Find why with GET /v1/transactions/{{id}} and fix them first",
                    limits.refused_per_sender_max,
                    limits.refused_window_ms / 1000,
                    until.saturating_sub(now).div_ceil(1000)
                ),
            )),
        }
    }

    /// Verify the signature with the sender's committed key and remember the result for the transaction's id and
    /// full hash.
    fn verify_for_admission(&self, tx: &Transaction, id: TxId, full_hash: Hash) -> Result<(), TxError> {
        let key = self.sender_key(tx)?;
        key.parsed.verify(&tx.body.signing_bytes(), &tx.signature).map_err(bad_signature)?;
        self.signatures.insert(full_hash, id, key.bytes);
        Ok(())
    }

    /// The sender's current key, parsed, from the committed state. Parsed keys are cached by sender, each with
    /// the bytes it was parsed from (a rotated key differs from them): parsing costs about as much as a fifth of a
    /// verification, and busy senders send many transactions.
    fn sender_key(&self, tx: &Transaction) -> Result<SenderKey, TxError> {
        let view = StoreView(&self.store);
        let sender = publica_accounts::account(&view, &tx.body.sender).ok_or_else(|| {
            TxError::new(
                ErrorCode::UnknownSender,
                format!("sender {} is not a registered account; an agency must register it first", tx.body.sender),
            )
        })?;
        if let Some(key) = self.parsed_keys.lock().get(&tx.body.sender).filter(|k| *k.bytes == sender.public_key) {
            return Ok(key.clone());
        }
        let parsed = Arc::new(sender.public_key.parse().map_err(|e| {
            TxError::new(ErrorCode::BadSignature, format!("the sender's stored key does not parse ({e})"))
        })?);
        let key = SenderKey { bytes: Arc::new(sender.public_key), parsed };
        let mut cache = self.parsed_keys.lock();
        if cache.len() >= MAX_PARSED_KEYS {
            cache.clear();
        }
        cache.insert(tx.body.sender, key.clone());
        Ok(key)
    }

    fn admit(
        &self,
        tx: Transaction,
        id: TxId,
        len: usize,
        full_hash: Hash,
        signature_ok: Result<(), TxError>,
    ) -> Result<TxId, TxError> {
        let result = self.admit_checked(tx, id, len, full_hash, signature_ok);
        match &result {
            Ok(_) => {
                self.metrics.txs_admitted.inc();
            }
            Err(error) if error.code == ErrorCode::DuplicateTransaction => {
                // Not remembered, so a duplicate submission of a pending or committed transaction does not mask
                // its real status.
                self.metrics.refused(error.code);
            }
            Err(error) => self.record_refusal(id, error.clone()),
        }
        result
    }

    /// The state checks and the mempool insert: the nonce must be the sender's first one not pending (within the
    /// lookahead), the pool must have room for the sender, its agency and its priority, the sender must have
    /// failed dry runs left, and the transaction must execute on the pending state, that is the committed state
    /// plus the sender's pending transactions in nonce order (their writes are kept per sender by the mempool, so
    /// this executes one transaction; after a commit that touched what the run read or wrote, the run is executed
    /// again once, otherwise it is carried over, see [`crate::mempool`]). A failed dry run counts
    /// against the sender's allowance (see [`RefusalCounts`]).
    // Long because: the admission checks in their documented order under one read lock of the committed state;
    // split, the lock guard, the ticket and the sender's overlay would travel through every helper.
    fn admit_checked(
        &self,
        tx: Transaction,
        id: TxId,
        len: usize,
        full_hash: Hash,
        signature_ok: Result<(), TxError>,
    ) -> Result<TxId, TxError> {
        signature_ok?;
        let view = StoreView(&self.store);
        let sender = tx.body.sender;
        let deadline = Instant::now() + SENDER_BUSY_WAIT;
        // One sender's transactions are admitted one at a time, in turn with the revalidation after a commit.
        // The wait for the one in progress happens without the committed state's lock (a commit must never wait
        // for an idle admission, nor, with the fair lock, every reader behind it), so the state is read again
        // after each wait.
        let (committed, class, next, mut admission) = loop {
            let committed = self.committed.read();
            let account = publica_accounts::account(&view, &sender).ok_or_else(|| {
                TxError::new(
                    ErrorCode::UnknownSender,
                    format!("sender {sender} is not a registered account; an agency must register it first"),
                )
            })?;
            let class = SenderClass::of(&account);
            let next = publica_accounts::next_nonce(&view, &sender);
            let mut mempool = self.mempool.lock();
            let now = Instant::now();
            if mempool.is_busy(&sender) && now < deadline {
                drop(committed);
                self.sender_idle.wait_until(&mut mempool, deadline.min(now + SENDER_BUSY_POLL));
                continue;
            }
            let ticket = mempool.begin_admission(&tx, id, len, &class, next, committed.height, |overlay| {
                committed.overlay_survives(&sender, overlay)
            })?;
            break (committed, class, next, Admission { shared: self, ticket: Some(ticket) });
        };
        // The allowance again, now that this is the sender's only admission: the transactions of one batch all
        // passed the first look before any was executed. And a replay of a transaction whose dry run failed on
        // this very state gets the same answer without executing it again.
        let counted = self.refusal_counts.lock().refused_at(&full_hash, committed.height).cloned();
        if let Some(error) = counted {
            return Err(error);
        }
        self.check_allowance(&sender, now_ms())?;
        let env = self.admission_env(committed.height);
        let ticket = admission.ticket_mut();
        self.metrics.admission_reexecuted_txs.inc_by(ticket.run.len() as u64);
        let (origin, base, reads) = match ticket.overlay.take() {
            Some(overlay) => (overlay.origin, overlay.changes, overlay.reads),
            None => match self.execute_run(&view, &committed.tree, &env, &ticket.run) {
                Ok((changes, reads)) => (next, changes, reads),
                Err(failure) => {
                    let (failed_id, failed_nonce, reason) = failure.failed;
                    let overlay = PendingOverlay {
                        height: committed.height,
                        first: next,
                        end: next + failure.ok as u64,
                        origin: next,
                        changes: failure.prefix,
                        reads: failure.reads,
                    };
                    let error = TxError::new(
                        reason.code,
                        format!(
                            "pending transaction {failed_id} (nonce {failed_nonce}) of sender {sender} no longer \
                             executes and was dropped ({}); submit again from nonce {failed_nonce}",
                            reason.message
                        ),
                    );
                    for (id, error) in admission.abort(Some(overlay), Some((failed_id, reason))) {
                        self.record_refusal(id, error);
                    }
                    return Err(error);
                }
            },
        };
        let recording = Recording::new(&view);
        let outcome = publica_execution::execute_block_hashed(
            &PendingView { base: &recording, changes: &base },
            &committed.tree,
            &view,
            &env,
            vec![(tx.clone(), full_hash)],
            publica_execution::Mode::Admit,
            &self.signatures,
        );
        let mut reads = reads;
        reads.extend(recording.reads.into_inner());
        let mut overlay =
            PendingOverlay { height: committed.height, first: next, end: tx.body.nonce, origin, changes: base, reads };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(invalid) => {
                admission.abort(Some(overlay), None);
                let window_ms = self.config.mempool.refused_window_ms;
                self.refusal_counts.lock().count(
                    sender,
                    full_hash,
                    committed.height,
                    &invalid.error,
                    now_ms(),
                    window_ms,
                );
                return Err(invalid.error);
            }
        };
        overlay.changes.extend(outcome.changes);
        overlay.end += 1;
        // Take the mempool before letting go of the committed state (the order the proposer uses), so no block can
        // consume this nonce between the checks above and the insert.
        let ticket = admission.take();
        let mut mempool = self.mempool.lock();
        drop(committed);
        let finished = mempool.finish_admission(ticket, tx, id, full_hash, len, &class, Some(overlay));
        self.sender_idle.notify_all();
        let evicted = finished?;
        for (id, error) in evicted {
            self.record_refusal(id, error);
        }
        self.metrics.mempool_txs.set(mempool.len() as i64);
        self.metrics.mempool_bytes.set(mempool.bytes() as i64);
        Ok(id)
    }

    /// Admit a ballot ([`crate::ballots`]), counting the outcome as [`Shared::admit`] does.
    fn admit_ballot(&self, tx: Transaction, len: usize, full_hash: Hash) -> Result<TxId, TxError> {
        let id = tx.id();
        let result = self.admit_ballot_checked(tx, len, full_hash);
        match &result {
            Ok(_) => {
                self.metrics.txs_admitted.inc();
            }
            Err(error) if error.code == ErrorCode::DuplicateTransaction => self.metrics.refused(error.code),
            Err(error) => self.record_refusal(id, error.clone()),
        }
        result
    }

    /// A ballot's checks, cheapest first: its credential's allowance of failed dry runs, room in the pool (one
    /// pending ballot per credential), then its dry run on the committed state, which checks the election's
    /// window, the credential, the signature and every proof. A dry run that fails after the signature verified
    /// counts against the credential: anyone can name a public credential in a ballot, only its holder signs.
    fn admit_ballot_checked(&self, tx: Transaction, len: usize, full_hash: Hash) -> Result<TxId, TxError> {
        let id = tx.id();
        let key = ballot_queue_key(&tx)?;
        let pseudo_sender = Address(key[..20].try_into().expect("20 of 32 bytes"));
        self.check_allowance(&pseudo_sender, now_ms())?;
        self.ballots.lock().check_room(&id, &key, len)?;
        let view = StoreView(&self.store);
        let committed = self.committed.read();
        if let Some(error) = self.refusal_counts.lock().refused_at(&full_hash, committed.height).cloned() {
            return Err(error);
        }
        let env = self.admission_env(committed.height);
        let outcome = publica_execution::execute_block_hashed(
            &view,
            &committed.tree,
            &view,
            &env,
            vec![(tx.clone(), full_hash)],
            publica_execution::Mode::Admit,
            &self.signatures,
        );
        if let Err(invalid) = outcome {
            if publica_elections::refusal_counts_against_credential(invalid.error.code) {
                let window_ms = self.config.mempool.refused_window_ms;
                let height = committed.height;
                let now = now_ms();
                self.refusal_counts.lock().count(pseudo_sender, full_hash, height, &invalid.error, now, window_ms);
            }
            return Err(invalid.error);
        }
        // Taken before the committed state is let go (the order the proposer uses).
        let mut ballots = self.ballots.lock();
        drop(committed);
        ballots.insert(tx, full_hash, len, key)?;
        Ok(id)
    }

    /// Transactions for the block after the committed one, within `limits` (the proposer's bound, never above the
    /// configured `[block]` caps): the mempool's and the waiting ballots. Ballots may take
    /// up to half of the block when the mempool has more than the other half, and whatever room is left
    /// otherwise (at most [`crate::ballots::BALLOTS_PER_BLOCK_MAX`]), so that neither a flood of ballots nor one
    /// of agencies' transactions can keep the other out.
    pub(crate) fn select_for_block(&self, view: &StoreView<'_>, limits: Limits) -> Vec<(Transaction, Hash)> {
        // The bound stays under the configured caps whatever the caller asks (the caps are hard limits).
        let txs_max = limits.txs.clamp(1, self.config.block.txs_max.max(1));
        let bytes_max = limits.bytes.clamp(1, self.config.block.bytes_max.max(1));
        let next_nonce = |sender: &Address| publica_accounts::next_nonce(view, sender);
        if self.ballots.lock().is_empty() {
            return self.mempool.lock().select(txs_max, bytes_max, next_nonce);
        }
        let ballots_max = crate::ballots::BALLOTS_PER_BLOCK_MAX;
        let half = (txs_max / 2).min(ballots_max);
        let ballots = self.ballots.lock().select(half, bytes_max / 2);
        let ballot_bytes: usize = ballots.iter().map(|(tx, _)| tx.encode().len()).sum();
        let mut candidates = self.mempool.lock().select(txs_max - ballots.len(), bytes_max - ballot_bytes, next_nonce);
        let mut ballots = if ballots.len() == half || ballot_bytes >= bytes_max / 2 {
            // Ballots filled their half: they may take what the mempool left of the other.
            let used: usize = candidates.iter().map(|(tx, _)| tx.encode().len()).sum();
            let room = (txs_max - candidates.len()).min(ballots_max);
            self.ballots.lock().select(room, bytes_max - used)
        } else {
            ballots
        };
        candidates.append(&mut ballots);
        candidates
    }

    /// Where admission and revalidation execute: the next block, at the current time.
    fn admission_env(&self, committed_height: u64) -> BlockEnv {
        BlockEnv { chain_id: self.chain_id().clone(), height: committed_height + 1, time_ms: now_ms() }
    }

    /// Execute a sender's pending run (consecutive nonces from its next one) on the committed state: its writes,
    /// or the first transaction that fails with the writes of those before it.
    fn execute_run(
        &self,
        view: &StoreView<'_>,
        tree: &StateTree,
        env: &BlockEnv,
        run: &[(Transaction, Hash)],
    ) -> Result<(Changes, ReadSet), Box<RunFailure>> {
        let mut end = run.len();
        let mut failed = None;
        // The keys read by every pass: a superset of those the kept prefix depends on, which is harmless.
        let recording = Recording::new(view);
        // Execution is deterministic, so the prefix before the first failure runs through on the second pass.
        loop {
            if end == 0 {
                let reads = recording.reads.into_inner();
                return match failed {
                    None => Ok((Changes::new(), reads)),
                    Some(failed) => Err(Box::new(RunFailure { prefix: Changes::new(), reads, ok: 0, failed })),
                };
            }
            let outcome = publica_execution::execute_block_hashed(
                &recording,
                tree,
                view,
                env,
                run[..end].to_vec(),
                publica_execution::Mode::Admit,
                &self.signatures,
            );
            match outcome {
                Ok(outcome) => {
                    let reads = recording.reads.into_inner();
                    return match failed {
                        None => Ok((outcome.changes, reads)),
                        Some(failed) => Err(Box::new(RunFailure { prefix: outcome.changes, reads, ok: end, failed })),
                    };
                }
                Err(invalid) => {
                    failed.get_or_insert((invalid.tx_id, run[invalid.index].0.body.nonce, invalid.error));
                    end = invalid.index;
                }
            }
        }
    }

    /// Bring the mempool up to date after the block of `height` (at `time_ms`) was committed: remove its
    /// transactions and those it made stale, expired or stuck behind a gap for too long (`touched`: the senders of
    /// the block; `None` checks every sender), then ask the revalidation thread to execute pending runs again on
    /// the new state ([`Shared::revalidate`]). Only the removals run on the commit path: they cost a look at the
    /// block's senders, while executing transactions again may cost up to `mempool.revalidate_ms_max`.
    pub fn after_commit(&self, committed: &[TxId], touched: Option<&[Address]>, height: u64, time_ms: u64) {
        let view = StoreView(&self.store);
        {
            let mut mempool = self.mempool.lock();
            let dropped =
                mempool.prune(committed, touched, height, time_ms, |s| publica_accounts::next_nonce(&view, s));
            // Recorded before the mempool lock is released, so a status query never sees a dropped transaction as
            // unknown.
            for (id, error) in dropped {
                self.record_refusal(id, error);
            }
            self.signatures.retain(|id| mempool.contains(id));
            self.metrics.mempool_txs.set(mempool.len() as i64);
            self.metrics.mempool_bytes.set(mempool.bytes() as i64);
            let mut ballots = self.ballots.lock();
            ballots.remove_many(committed);
            for id in ballots.prune_expired(time_ms) {
                self.record_refusal(id, TxError::new(ErrorCode::Expired, "the ballot expired before a block took it"));
            }
        }
        let inline = {
            let mut state = self.revalidation.state.lock();
            state.requested = state.requested.max(height);
            self.revalidation.changed.notify_all();
            !state.worker
        };
        if inline {
            self.revalidate(height, None);
            let mut state = self.revalidation.state.lock();
            state.done = state.done.max(height);
            self.revalidation.changed.notify_all();
        }
    }

    /// Execute pending runs again on the state after the block of `height`, dropping the first transaction of a
    /// run that no longer executes (a committed block can make a pending one invalid: a suspension, a role taken
    /// away, a key rotated, a parcel transferred). Senders are taken in turn from one commit to the next, one run
    /// at a time, until `mempool.revalidate_txs_max` transactions were executed or `mempool.revalidate_ms_max`
    /// passed; runs not reached are executed again when their sender submits its next transaction, and a proposal
    /// drops whatever fails in any case. The committed state is read-locked for one run at a time, so a commit
    /// waits for at most one run, and the pass stops as soon as a newer block is committed (its own pass follows).
    ///
    /// With a `grace` (the revalidation thread's pass), the pass first waits that long, unless this node already
    /// selected its proposal for the next block: its own proposal, when this node is the next proposer, and the
    /// admissions of senders that are submitting execute runs on this same state meanwhile. Runs the proposal took
    /// whole are then left to it, and senders that are submitting come last. Without a grace (on the commit path),
    /// every sender is taken in turn.
    pub fn revalidate(&self, height: u64, grace: Option<Duration>) {
        let limits = &self.config.mempool;
        if limits.revalidate_txs_max == 0 || limits.revalidate_ms_max == 0 {
            return;
        }
        if let Some(grace) = grace {
            let deadline = Instant::now() + grace;
            while Instant::now() < deadline && !self.mempool.lock().selected_at(height) {
                std::thread::sleep(Duration::from_millis(1).min(grace));
            }
        }
        let budget = Duration::from_millis(limits.revalidate_ms_max);
        let senders = self.mempool.lock().revalidation_order();
        // Senders submitting right now come last: their own admissions may have executed their runs again first
        // (see `Mempool::is_submitting`).
        let senders: Vec<Address> = match grace {
            Some(_) => {
                let mempool = self.mempool.lock();
                let (deferred, now): (Vec<Address>, Vec<Address>) =
                    senders.into_iter().partition(|s| mempool.is_submitting(s, height));
                now.into_iter().chain(deferred).collect()
            }
            None => senders,
        };
        let started = Instant::now();
        let mut executed = 0usize;
        for sender in senders {
            // The budget bounds the time spent executing, not the grace.
            if executed >= limits.revalidate_txs_max || started.elapsed() >= budget {
                return;
            }
            match self.revalidate_sender(&sender, height, grace.is_some()) {
                Some(count) => executed += count,
                None => return,
            }
        }
    }

    /// Execute `sender`'s pending run again on the state after the block of `height` (see [`Shared::revalidate`]):
    /// how many transactions were executed, or `None` if a newer block was committed meanwhile (its own pass
    /// follows).
    /// With `leave_to_proposal`, a run this node's proposal for the next block took whole is left to it.
    fn revalidate_sender(&self, sender: &Address, height: u64, leave_to_proposal: bool) -> Option<usize> {
        let view = StoreView(&self.store);
        let state = self.committed.read();
        let run = {
            let mut mempool = self.mempool.lock();
            // A newer commit (or one whose removals have not run yet): its own pass follows.
            if state.height != height || mempool.height() != height {
                return None;
            }
            // An overlay no block since touched is carried over: its run executes as it did. One an admission
            // executed again on this state meanwhile is kept as it is.
            match mempool.rebase_overlay(sender, height, |overlay| state.overlay_survives(sender, overlay)) {
                crate::mempool::Rebased::Carried => {
                    self.metrics.carried_overlays.inc();
                    return Some(0);
                }
                crate::mempool::Rebased::Current => return Some(0),
                crate::mempool::Rebased::No => {}
            }
            if leave_to_proposal && mempool.selection_took_run(sender, height) {
                self.metrics.proposed_runs.inc();
                return Some(0);
            }
            mempool.begin_revalidation(sender)
        };
        let Some(run) = run else { return Some(0) };
        let mut hold = RevalidationHold { shared: self, run: Some(run) };
        let txs = &hold.run.as_ref().expect("held").run;
        let count = txs.len();
        let first = txs[0].0.body.nonce;
        let env = self.admission_env(state.height);
        let (changes, reads, ok, failed) = match self.execute_run(&view, &state.tree, &env, txs) {
            Ok((changes, reads)) => (changes, reads, txs.len(), None),
            Err(failure) => {
                let (id, _, error) = failure.failed;
                (failure.prefix, failure.reads, failure.ok, Some((id, error)))
            }
        };
        drop(state);
        let run = hold.run.take().expect("held");
        let overlay = PendingOverlay { height, first, end: first + ok as u64, origin: first, changes, reads };
        let mut mempool = self.mempool.lock();
        for (id, error) in mempool.finish_revalidation(run, overlay, failed) {
            self.record_refusal(id, error);
        }
        self.sender_idle.notify_all();
        self.metrics.revalidated_txs.inc_by(count as u64);
        Some(count)
    }

    /// Wait until the pending transactions were executed again after the commit of `height` (or a later one), at
    /// most `timeout`; whether they were. For tests and tools that need the mempool settled after a commit.
    pub fn wait_revalidated(&self, height: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.revalidation.state.lock();
        while state.done < height {
            if self.revalidation.changed.wait_until(&mut state, deadline).timed_out() {
                return state.done >= height;
            }
        }
        true
    }

    /// Status of a transaction.
    pub fn tx_status(&self, id: &TxId) -> TxStatus {
        // Under the committed lock: a commit stores its transactions under the write lock and only then prunes the
        // mempool, so a transaction is always found in one place or the other.
        let _committed = self.committed.read();
        if let Ok(Some((height, index))) = self.store.tx_location(id) {
            let outcome = self.store.tx_outcome(id).ok().flatten();
            return TxStatus::Committed { height, index, outcome };
        }
        if self.mempool.lock().contains(id) || self.ballots.lock().contains(id) {
            return TxStatus::Pending;
        }
        match self.refusals.lock().map.get(id) {
            Some(e) => TxStatus::Rejected { code: e.code, message: e.message.clone() },
            None => TxStatus::Unknown,
        }
    }

    /// Every change of the validator set since genesis, each with the certified header of the block that made
    /// it: what a light client needs to follow the set from the genesis set (`publica_verify::ValidatorHistory`).
    pub fn validator_history(&self) -> Result<publica_verify::ValidatorHistory, crate::NodeError> {
        let mut changes = Vec::new();
        // The first entry is the genesis set, which the client already holds.
        for (from_height, validators) in self.store.validator_set_changes()?.into_iter().skip(1) {
            let height = from_height - 1;
            let missing = || {
                crate::NodeError::from(publica_storage::StoreError::Corrupt {
                    what: "block",
                    reason: format!(
                        "block {height} changed the validator set but its header or certificate is missing"
                    ),
                })
            };
            let header = self.store.header(height)?.ok_or_else(missing)?;
            let certificate = self.store.certificate(height)?.ok_or_else(missing)?;
            changes.push(publica_verify::SetChange {
                certified: publica_verify::CertifiedHeader { header, certificate },
                validators,
            });
        }
        Ok(publica_verify::ValidatorHistory { chain_id: self.chain_id().clone(), changes })
    }
}

/// Proofs that answer a question about a past time (see [`crate::NodeHandle::read_as_of`]).
#[derive(Clone, Debug)]
pub struct AsOfProofs {
    /// One proof per key, all under the certified header of the block in force at the time asked about (the
    /// first block when the time is before it), or under the latest header when past states are not kept; the
    /// header comes once, in `reads.certified`.
    pub reads: publica_verify::CertifiedReads,
    /// The certified header of the next block, whose time is after the time asked about; `None` when the proofs'
    /// header is after that time, or is the last block and at that very time.
    pub following: Option<publica_verify::CertifiedHeader>,
}

impl Shared {
    /// The certified header of a committed height.
    pub fn certified_header(&self, height: u64) -> Result<publica_verify::CertifiedHeader, crate::NodeError> {
        let missing = |what: &str| {
            crate::NodeError::from(publica_storage::StoreError::Corrupt {
                what: "block",
                reason: format!("the {what} of committed block {height} is missing"),
            })
        };
        let header = self.store.header(height)?.ok_or_else(|| missing("header"))?;
        let certificate = self.store.certificate(height)?.ok_or_else(|| missing("certificate"))?;
        Ok(publica_verify::CertifiedHeader { header, certificate })
    }

    /// The last block among `1..=latest` whose time is at or before `at_ms`, or `None` when block 1 is later.
    /// Block times increase with height, so this is a binary search over headers.
    fn height_at_time(&self, at_ms: u64, latest: u64) -> Result<Option<u64>, crate::NodeError> {
        let time = |height: u64| -> Result<u64, crate::NodeError> { Ok(self.certified_header(height)?.header.time_ms) };
        // Invariant: blocks below `lo` are at or before `at_ms`; blocks above `hi` are after it.
        let (mut lo, mut hi) = (1u64, latest);
        let mut found = None;
        while lo <= hi {
            let mid = lo + (hi - lo) / 2;
            if time(mid)? <= at_ms {
                found = Some(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        Ok(found)
    }

    /// Answer a question about time `at_ms` with proofs under the header of that time.
    ///
    /// `question` reads the latest committed state and returns its answer with the keys that prove it; the keys
    /// must be ones that never change once written (registry versions), since the store keeps past roots' tree
    /// nodes but only the latest values. The proofs are read from the tree of the block in force at `at_ms` — the
    /// last one at or before it, whose certified header a court or an archive may already hold — and the next
    /// block's header comes along to show that no block between them was left out. A node that does not keep past
    /// states (`storage.past_states`), or lacks that block's nodes, proves under its latest header instead, whose
    /// time is at or after `at_ms`, which the verifier equally accepts (the versions' block times decide).
    /// Everything is read under the committed lock, which the caller holds (`committed`), so a commit cannot
    /// slip in between.
    ///
    /// A time after the last committed block is refused ([`crate::NodeError::AfterLastBlock`]): no header this
    /// node has can show what held then, and an answer proven only up to the last block would claim more than
    /// its proofs cover.
    pub(crate) fn read_as_of<T>(
        &self,
        committed: &Committed,
        at_ms: u64,
        question: impl FnOnce(&Committed) -> (T, Vec<Vec<u8>>),
    ) -> Result<(T, AsOfProofs), crate::NodeError> {
        let latest = committed.height;
        let Some((last, _)) = &committed.header else {
            return Err(crate::NodeError::NotReady("no block is committed yet; proofs start at height 1".into()));
        };
        if at_ms > last.time_ms {
            return Err(crate::NodeError::AfterLastBlock { at_ms, height: latest, last_ms: last.time_ms });
        }
        let (answer, keys) = question(committed);
        let height = self.height_at_time(at_ms, latest)?.unwrap_or(1);
        if height < latest && self.config.storage.past_states {
            match self.past_proofs(height, at_ms, &keys) {
                Ok(read) => return Ok((answer, read)),
                Err(e @ crate::NodeError::NotKept(_)) => {
                    tracing::debug!(height, error = %e, "proving under the latest header instead")
                }
                Err(e) => return Err(e),
            }
        }
        let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let reads = crate::handle::latest_proofs(&self.store, committed, &keys)?;
        // The latest header is at or after `at_ms` (checked above): it covers the time on its own.
        Ok((answer, AsOfProofs { reads, following: None }))
    }

    /// Proofs under the header of a past height, with the next header when that one is at or before `at_ms`
    /// (at exactly `at_ms` the header covers the time alone, as block times strictly increase, but the next header
    /// also shows the block was in force, which a reader may find plainer).
    fn past_proofs(&self, height: u64, at_ms: u64, keys: &[Vec<u8>]) -> Result<AsOfProofs, crate::NodeError> {
        let certified = self.certified_header(height)?;
        let following = if certified.header.time_ms <= at_ms { Some(self.certified_header(height + 1)?) } else { None };
        let mut reads = Vec::with_capacity(keys.len());
        for key in keys {
            reads.push(self.historic_proof(&certified, key)?);
        }
        Ok(AsOfProofs { reads: publica_verify::CertifiedReads { certified, reads }, following })
    }

    /// A proof of `key` under a past certified header, from the kept tree nodes; the value (if the key was
    /// present then) is the latest one, which must be the same bytes.
    fn historic_proof(
        &self,
        certified: &publica_verify::CertifiedHeader,
        key: &[u8],
    ) -> Result<publica_verify::KeyProof, crate::NodeError> {
        let height = certified.header.height;
        let kh = key_hash(key);
        let proof =
            publica_merkle::prove_from_store(certified.header.state_root, &kh, &self.store).map_err(|e| match e {
                publica_merkle::MerkleError::MissingNode { .. } => crate::NodeError::NotKept(format!(
                    "this node cannot prove state at block {height} ({e}): it did not keep past states then"
                )),
                other => crate::NodeError::from(publica_storage::StoreError::Corrupt {
                    what: "state tree node",
                    reason: other.to_string(),
                }),
            })?;
        let value = match proof.terminal() {
            publica_merkle::ProofTerminal::Leaf { key_hash: leaf, value_hash: then } if *leaf == kh => {
                let now = self.store.state_get(key)?;
                if now.as_deref().map(value_hash) != Some(*then) {
                    return Err(crate::NodeError::NotKept(format!(
                        "key {} has changed since block {height}, and its value then is not kept",
                        hex::encode(key)
                    )));
                }
                now
            }
            _ => None,
        };
        Ok(publica_verify::KeyProof { height, key: key.to_vec(), value, proof })
    }
}

/// An admission's hold on its sender's queue: the ticket goes back to the mempool whatever happens, a panic
/// during a dry run included, so the sender is never left busy.
struct Admission<'a> {
    shared: &'a Shared,
    ticket: Option<Ticket>,
}

impl Admission<'_> {
    fn ticket_mut(&mut self) -> &mut Ticket {
        self.ticket.as_mut().expect("the ticket is held until given back")
    }

    /// The ticket, for [`Mempool::finish_admission`], which gives it back.
    fn take(&mut self) -> Ticket {
        self.ticket.take().expect("the ticket is held until given back")
    }

    /// Give the ticket back for a refused transaction (see [`Mempool::abort`]).
    fn abort(&mut self, overlay: Option<PendingOverlay>, failed: Option<(TxId, TxError)>) -> Vec<(TxId, TxError)> {
        let ticket = self.take();
        let dropped = self.shared.mempool.lock().abort(ticket, overlay, failed);
        self.shared.sender_idle.notify_all();
        dropped
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        // The ticket is taken out before any call that holds the mempool's lock with it, so this never runs
        // with that lock held.
        if let Some(ticket) = self.ticket.take() {
            self.shared.mempool.lock().abort(ticket, None, None);
            self.shared.sender_idle.notify_all();
        }
    }
}

/// A revalidation's hold on a sender's queue, given back if its execution panics.
struct RevalidationHold<'a> {
    shared: &'a Shared,
    run: Option<Revalidation>,
}

impl Drop for RevalidationHold<'_> {
    fn drop(&mut self) {
        if let Some(run) = self.run.take() {
            self.shared.mempool.lock().cancel_revalidation(run);
            self.shared.sender_idle.notify_all();
        }
    }
}

/// What the revalidation thread is asked to do: the committed height whose pending transactions to execute
/// again, and the last one done.
#[derive(Default)]
struct RevalidationState {
    requested: u64,
    done: u64,
    stop: bool,
    /// Whether the thread runs (otherwise the commit path revalidates).
    worker: bool,
}

#[derive(Default)]
struct RevalidationSignal {
    state: Mutex<RevalidationState>,
    changed: Condvar,
}

/// The revalidation thread: after each commit, execute pending runs again on the new state
/// ([`Shared::revalidate`]), off the commit path. It holds the node only while it works, and ends when the node
/// is dropped.
fn revalidation_worker(signal: &RevalidationSignal, shared: &std::sync::Weak<Shared>) {
    loop {
        let height = {
            let mut state = signal.state.lock();
            while state.requested <= state.done && !state.stop {
                signal.changed.wait(&mut state);
            }
            if state.stop {
                return;
            }
            state.requested
        };
        let Some(node) = shared.upgrade() else { return };
        // A panic here (a failing store, which also stops the commit path) must not end revalidation for good:
        // the holds give the senders back, and the next commit asks again.
        let pass =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| node.revalidate(height, Some(SUBMITTING_GRACE))));
        if pass.is_err() {
            tracing::error!(height, "executing pending transactions again after a commit failed");
        }
        drop(node);
        let mut state = signal.state.lock();
        state.done = state.done.max(height);
        signal.changed.notify_all();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.revalidation.state.lock().stop = true;
        self.revalidation.changed.notify_all();
    }
}

/// A decoded transaction that passed the stateless checks, with its id, its full hash and its sender's key (or why
/// there is none).
struct Prepared {
    tx: Transaction,
    id: TxId,
    full_hash: Hash,
    key: Result<SenderKey, TxError>,
}

/// A sender's committed key: its bytes, shared by the signature cache's entries for every transaction it
/// verified, and the key parsed.
#[derive(Clone)]
struct SenderKey {
    bytes: Arc<PublicKeyBytes>,
    parsed: Arc<PublicKey>,
}

/// A failed signature check, as a refusal.
fn bad_signature(e: publica_crypto::CryptoError) -> TxError {
    TxError::new(
        ErrorCode::BadSignature,
        format!("signature does not verify with the sender's current key: {e}; sign the transaction body again"),
    )
}

fn decode(bytes: &[u8]) -> Result<Transaction, TxError> {
    Transaction::decode(bytes).map_err(|e| TxError::new(ErrorCode::from(&e), e.to_string()))
}

/// Whether a transaction is a ballot: sent anonymously, or carrying a call that must be (execution refuses the
/// latter from an account, and the dry run says why).
fn is_ballot(tx: &Transaction) -> bool {
    tx.is_anonymous() || tx.body.call.is_anonymous()
}

/// The error a ballot's missing account key stands for; never shown, as ballots skip the signature batch.
fn no_account() -> TxError {
    TxError::new(ErrorCode::UnknownSender, "a ballot has no sending account")
}

/// A ballot's queue key: its election and its credential (one pending ballot per credential).
fn ballot_queue_key(tx: &Transaction) -> Result<Hash, TxError> {
    match &tx.body.call {
        publica_tx::Call::Elections(publica_elections::ElectionsCall::Cast { election, ballot }) => {
            publica_elections::board::ballot_queue_key(*election, ballot)
                .map_err(|e| TxError::new(e.code(), format!("the ballot cannot be read: {e}")))
        }
        other => Err(TxError::new(
            ErrorCode::UnknownSender,
            format!("the anonymous sender may only cast ballots, not {}.{}", other.module(), other.method()),
        )),
    }
}
