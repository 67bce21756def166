//! The bounded mempool: admitted transactions waiting for a block.
//!
//! Transactions are deduplicated by id and queued per sender in nonce order. A block is filled round-robin across
//! senders, taking from each sender only a run of consecutive nonces that starts at the sender's next nonce, so
//! one busy sender cannot starve the others and no transaction is proposed before its predecessor.
//!
//! What bounds the pool, and why (admission in `shared.rs` enforces the rules that need the state):
//!
//! - **Per sender**: at most `per_sender_max` transactions (the nonce lookahead) and `sender_bytes_max` bytes. A
//!   nonce is admitted only when every lower nonce from the sender's committed next nonce is pending, so a sender's
//!   queue is a run of consecutive nonces: it never holds transactions that cannot be proposed, except after a
//!   transaction in the middle of the run is dropped (it failed in a proposal, expired, or a commit made it
//!   invalid). Those waiting behind such a gap are evicted after `gap_blocks_max` blocks, so the sender has a few
//!   blocks to fill the gap but cannot park transactions until they expire.
//! - **Per agency**: the officials of one agency, all together, hold at most `agency_txs_max` transactions and
//!   `agency_bytes_max` bytes (by default the pool divided equally among the genesis agencies, see
//!   `NodeConfig::mempool_limits`). An agency's administrator can register any number of officials and give
//!   them the administrator's priority, so without this budget one agency could fill the pool and evict every
//!   other agency's officials. The budget is applied before the pool's eviction by priority: an official of an
//!   agency at its budget may only take the place of its own agency's transactions of a lower priority (so an
//!   administrator still gets through a flood by the agency's own officials). As the budgets add up to at most
//!   the pool, an agency below its budget always finds room, or citizens' transactions to evict. Citizens belong
//!   to no agency's budget: they have the lowest priority and are limited per sender.
//! - **In total**: `txs_max` transactions and `bytes_max` bytes. When the pool is full, a transaction may take the
//!   place of transactions of a lower [`Priority`] (account kind): the newest admitted transaction of the lowest
//!   priority leaves first, with its sender's later nonces (which could not run without it). Transactions of equal
//!   priority are first come, first served: an agency's official gets through a flood by citizens' accounts, an
//!   administrator through a flood by officials, and nobody through a flood of their own kind (those accounts
//!   are registered by agencies, which answer for them, and are limited per sender and per agency above).
//!
//! Each sender's queue also keeps the state changes of its pending run executed in nonce order
//! ([`PendingOverlay`]), so that admission dry-runs a new transaction against the pending state (the committed
//! state plus the sender's earlier pending transactions) at the cost of executing that one transaction.
//!
//! A commit does not throw these overlays away: an overlay records the keys its run read from the committed
//! state, and the block records who wrote each key it changed (`publica_execution::Writers`). When the block
//! committed exactly the first transactions of the sender's run (the same transactions, removed from the pool as
//! committed) and no other sender's transaction, no evidence and no log head wrote a key the run read or wrote,
//! the run's remaining transactions execute on the new state exactly as they did, and the overlay is carried to
//! the new height ([`Mempool::begin_admission`], [`Mempool::rebase_overlay`]); rules that depend on the block time
//! are left to the proposal, which drops what fails. Otherwise it is executed again. An
//! overlay keeps the writes of the committed transactions it was carried over, so it is rebuilt once those
//! outnumber the pending ones by the lookahead: its size stays proportional to the sender's run.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use publica_execution::Changes;
use publica_tx::Transaction;
use publica_types::{Address, AgencyId, ErrorCode, Hash, TxError, TxId};

/// Default nonce lookahead: how many transactions of one sender may wait (consecutive nonces from its next one).
pub const NONCE_LOOKAHEAD_DEFAULT: usize = 16;
/// Largest nonce lookahead a configuration may set (benchmarks load one sender with many transactions).
pub const MAX_NONCE_LOOKAHEAD: usize = 1_000;
/// Default most bytes pending for one sender: eight transactions of the largest size.
pub const SENDER_BYTES_DEFAULT: usize = 8 * publica_types::MAX_TX_BYTES;
/// Default number of blocks a transaction may wait behind a gap in its sender's nonces before it is evicted.
pub const GAP_BLOCKS_DEFAULT: u64 = 3;

// A sender must be able to hold at least one transaction of the largest size.
const _: () = assert!(SENDER_BYTES_DEFAULT >= publica_types::MAX_TX_BYTES);
const _: () = assert!(NONCE_LOOKAHEAD_DEFAULT <= MAX_NONCE_LOOKAHEAD);

/// Limits of the mempool.
#[derive(Clone, Copy, Debug)]
pub struct MempoolLimits {
    /// Most transactions held.
    pub txs_max: usize,
    /// Most bytes (encoded transactions) held.
    pub bytes_max: usize,
    /// Most transactions held for one sender, which is also how far ahead of its next nonce a nonce may be.
    pub per_sender_max: usize,
    /// Most bytes held for one sender.
    pub sender_bytes_max: usize,
    /// Blocks after which transactions waiting behind a gap in their sender's nonces are evicted.
    pub gap_blocks_max: u64,
    /// Most transactions held for the officials of one agency, all together.
    pub agency_txs_max: usize,
    /// Most bytes held for the officials of one agency, all together.
    pub agency_bytes_max: usize,
}

impl Default for MempoolLimits {
    fn default() -> Self {
        Self {
            txs_max: 200_000,
            bytes_max: 1 << 30,
            per_sender_max: NONCE_LOOKAHEAD_DEFAULT,
            sender_bytes_max: SENDER_BYTES_DEFAULT,
            gap_blocks_max: GAP_BLOCKS_DEFAULT,
            // One agency: the whole pool.
            agency_txs_max: 200_000,
            agency_bytes_max: 1 << 30,
        }
    }
}

/// Who may take whose place in a full pool: the sender's account kind at admission, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// A citizen's account.
    Citizen,
    /// An agency's official.
    Official,
    /// An official holding the administrator role: the one who can suspend a misbehaving official.
    Administrator,
}

impl Priority {
    /// The priority of an account.
    pub fn of(account: &publica_accounts::AccountRecord) -> Self {
        match &account.kind {
            publica_accounts::AccountKind::Citizen { .. } => Self::Citizen,
            publica_accounts::AccountKind::Official { .. } if account.has_role(publica_types::Role::ADMIN) => {
                Self::Administrator
            }
            publica_accounts::AccountKind::Official { .. } => Self::Official,
        }
    }
}

/// Who a sender is, for the pool's limits: its [`Priority`] and the agency whose budget its transactions count
/// against (`None` for citizens, who belong to no agency's budget).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenderClass {
    /// Who may take whose place in a full pool.
    pub priority: Priority,
    /// The agency of an official.
    pub agency: Option<AgencyId>,
}

impl SenderClass {
    /// The class of an account.
    pub fn of(account: &publica_accounts::AccountRecord) -> Self {
        Self { priority: Priority::of(account), agency: account.agency().cloned() }
    }
}

/// A priority alone: a sender of no agency (tests of the priority rules).
impl From<Priority> for SenderClass {
    fn from(priority: Priority) -> Self {
        Self { priority, agency: None }
    }
}

struct Entry {
    tx: Transaction,
    /// [`Transaction::full_hash`], computed once at admission.
    full_hash: Hash,
    len: usize,
    priority: Priority,
    agency: Option<AgencyId>,
    /// Admission order, for eviction (newest first among equals).
    seq: u64,
}

impl Entry {
    /// The transaction with its full hash, as execution takes it.
    fn hashed(&self) -> (Transaction, Hash) {
        (self.tx.clone(), self.full_hash)
    }
}

/// The state changes of a sender's pending run, executed in nonce order over the committed state of `height`.
#[derive(Debug)]
pub struct PendingOverlay {
    /// The committed height the run was executed on.
    pub height: u64,
    /// The run's first nonce (the sender's next nonce at `height`).
    pub first: u64,
    /// One past the run's last nonce.
    pub end: u64,
    /// The first nonce of the run when it was last executed in full: `changes` holds the writes of `origin..end`,
    /// of which `origin..first` were committed since.
    pub origin: u64,
    /// The writes of the run, over the committed state.
    pub changes: Changes,
    /// Every key the run read from the committed state, as [`fingerprint`]s (a superset is harmless).
    pub reads: ReadSet,
}

/// The seed of [`fingerprint`]: random, once per process.
static FINGERPRINT_SEED: std::sync::OnceLock<foldhash::fast::RandomState> = std::sync::OnceLock::new();

/// A state key's 64-bit fingerprint, under a seed drawn once per process: what a pending run records of the keys
/// it read, and what a block's writers are looked up by. Equal keys have equal fingerprints, so a conflict is
/// never missed; two different keys share one with a chance of about 2^-64 per pair, which nobody can steer
/// without the seed, and which only makes a run execute again. Recording a read costs one hash and no
/// allocation, where keeping the key itself cost a copy and two hashes.
pub fn fingerprint(key: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    FINGERPRINT_SEED.get_or_init(foldhash::fast::RandomState::default).hash_one(key)
}

/// A hasher for keys that are already [`fingerprint`]s: it passes them through.
#[derive(Default)]
pub struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64`s are hashed with it; anything else still hashes correctly, just slowly.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The [`fingerprint`]s of the keys a run read.
pub type ReadSet = HashSet<u64, std::hash::BuildHasherDefault<Prehashed>>;

/// Who wrote each key of a committed block, by the key's [`fingerprint`]: `Some(sender)` when only that sender's
/// transactions wrote it (and every key sharing its fingerprint), `None` otherwise. Built once per block from
/// [`publica_execution::Writers`].
#[derive(Debug, Default)]
pub struct WriterPrints(HashMap<u64, Option<Address>, std::hash::BuildHasherDefault<Prehashed>>);

impl WriterPrints {
    /// The fingerprints of a block's writers.
    pub fn of(writers: &publica_execution::Writers) -> Self {
        let mut map = HashMap::with_capacity_and_hasher(writers.len(), Default::default());
        for (key, writer) in writers {
            map.entry(fingerprint(key))
                .and_modify(|w: &mut Option<Address>| {
                    if *w != *writer {
                        *w = None;
                    }
                })
                .or_insert(*writer);
        }
        Self(map)
    }

    /// Keys written, counting keys that share a fingerprint once.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the block wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl PendingOverlay {
    /// Whether this overlay, carried from its height to `height` where the sender's next nonce is `next`, would
    /// hold more writes of committed transactions than `slack` beyond those of its pending ones: then it is
    /// rebuilt rather than carried, which bounds its size.
    fn too_large_to_carry(&self, next: u64, slack: u64) -> bool {
        next.saturating_sub(self.origin) > self.end.saturating_sub(next).saturating_add(slack)
    }

    /// Whether a block whose writers are `writers` left this overlay's run of `sender` valid: no key the run read
    /// or wrote was written by anything else than the sender's own transactions.
    pub fn survives(&self, sender: &Address, writers: &WriterPrints) -> bool {
        let foreign = |print: u64| writers.0.get(&print).is_some_and(|w| *w != Some(*sender));
        if writers.len() < self.reads.len() + self.changes.len() {
            let written: ReadSet = self.changes.keys().map(|k| fingerprint(k)).collect();
            !writers
                .0
                .iter()
                .any(|(print, w)| *w != Some(*sender) && (self.reads.contains(print) || written.contains(print)))
        } else {
            !self.reads.iter().any(|print| foreign(*print)) && !self.changes.keys().any(|k| foreign(fingerprint(k)))
        }
    }
}

/// What [`Mempool::rebase_overlay`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rebased {
    /// The overlay was already executed on that state (an admission did it meanwhile).
    Current,
    /// It was carried from an earlier state that no block since touched.
    Carried,
    /// It was not kept, or does not hold on the new state: its run must be executed again.
    No,
}

/// The state of a sender's overlay.
#[derive(Debug, Default)]
enum Overlay {
    /// None kept (it is rebuilt when needed).
    #[default]
    None,
    /// Kept.
    Ready(PendingOverlay),
    /// Taken by an admission or a revalidation in progress, which will put it back.
    Busy,
}

/// One sender's waiting transactions, by nonce, and the sender's next nonce as last seen in committed state.
#[derive(Default)]
struct SenderQueue {
    next: u64,
    txs: BTreeMap<u64, TxId>,
    bytes: usize,
    /// Bumped at every change of `txs`, so that work done outside the lock can tell whether the run it executed
    /// is still the queue's.
    version: u64,
    overlay: Overlay,
    /// The height at which transactions of this sender were first seen waiting behind a gap.
    stuck_since: Option<u64>,
    /// The committed height on which the sender's latest admission ran.
    admitted_at: Option<u64>,
}

impl SenderQueue {
    /// The lowest nonce from `next` that is not pending.
    fn first_missing(&self) -> u64 {
        first_missing_from(self, self.next)
    }

    /// Whether some transaction waits behind a gap.
    fn has_stuck(&self) -> bool {
        self.txs.range(self.first_missing()..).next().is_some()
    }
}

/// What an admission needs to dry-run a transaction against the pending state, handed out by
/// [`Mempool::begin_admission`] and returned through [`Mempool::finish_admission`] or [`Mempool::abort`].
#[derive(Debug)]
pub struct Ticket {
    /// The sender.
    pub sender: Address,
    /// The sender's next nonce in committed state.
    pub next: u64,
    /// The transaction's nonce.
    pub nonce: u64,
    /// The state changes of the pending run `next..nonce` executed on the current committed state, when kept.
    pub overlay: Option<PendingOverlay>,
    /// Otherwise, the run `next..nonce` to execute again, each transaction with its full hash.
    pub run: Vec<(Transaction, Hash)>,
    version: u64,
}

/// A sender's run, taken for revalidation after a commit.
#[derive(Debug)]
pub struct Revalidation {
    /// The sender.
    pub sender: Address,
    /// The run of consecutive pending nonces from the sender's next nonce, each transaction with its full hash.
    pub run: Vec<(Transaction, Hash)>,
    version: u64,
}

/// The mempool.
pub struct Mempool {
    limits: MempoolLimits,
    entries: HashMap<TxId, Entry>,
    by_sender: HashMap<Address, SenderQueue>,
    /// Every entry by eviction order: lowest priority first, then newest first.
    eviction: BTreeSet<(Priority, Reverse<u64>, TxId)>,
    /// Senders with transactions waiting behind a gap.
    gapped: BTreeSet<Address>,
    /// Advances with every block built, so that each block starts its round-robin at a different sender.
    rotation: usize,
    /// Where the revalidation after a commit starts: the senders after this one come first.
    revalidate_cursor: Option<Address>,
    /// Transactions and bytes held for each agency's officials.
    by_agency: HashMap<AgencyId, (usize, usize)>,
    /// Last committed height seen by [`Mempool::prune`].
    height: u64,
    /// The last selection for a block ([`Mempool::select`]): the committed height it was made on, and for each
    /// sender it took from, one past the last nonce it took.
    selected: Option<(u64, HashMap<Address, u64>)>,
    seq: u64,
    bytes: usize,
}

/// The refusal of a transaction that cannot wait in a full pool.
fn pool_full(txs: usize, bytes: usize) -> TxError {
    TxError::new(
        ErrorCode::MempoolFull,
        format!(
            "the mempool is full ({txs} transactions, {bytes} bytes) of transactions of equal or higher priority; \
             retry after the next blocks"
        ),
    )
}

impl Mempool {
    /// An empty mempool.
    pub fn new(limits: MempoolLimits) -> Self {
        Self {
            limits,
            entries: HashMap::new(),
            by_sender: HashMap::new(),
            eviction: BTreeSet::new(),
            gapped: BTreeSet::new(),
            rotation: 0,
            selected: None,
            revalidate_cursor: None,
            by_agency: HashMap::new(),
            height: 0,
            seq: 0,
            bytes: 0,
        }
    }

    /// The limits.
    pub fn limits(&self) -> &MempoolLimits {
        &self.limits
    }

    /// Transactions held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The last committed height [`Mempool::prune`] saw.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// Transactions and bytes held for the officials of `agency`.
    pub fn agency_usage(&self, agency: &AgencyId) -> (usize, usize) {
        self.by_agency.get(agency).copied().unwrap_or_default()
    }

    /// Whether a transaction is held.
    pub fn contains(&self, id: &TxId) -> bool {
        self.entries.contains_key(id)
    }

    /// Transactions held for one sender.
    pub fn sender_len(&self, sender: &Address) -> usize {
        self.by_sender.get(sender).map_or(0, |q| q.txs.len())
    }

    /// Whether an admission or a revalidation of `sender`'s transactions is in progress.
    pub fn is_busy(&self, sender: &Address) -> bool {
        self.by_sender.get(sender).is_some_and(|q| matches!(q.overlay, Overlay::Busy))
    }

    /// Whether some transaction can go into the next block: a sender's queue holds its next nonce. Transactions
    /// waiting behind a nonce gap do not count, so they cannot make the proposer skip the empty-block pause.
    pub fn has_ready(&self) -> bool {
        self.by_sender.values().any(|q| q.txs.contains_key(&q.next))
    }

    /// Add a transaction of `len` encoded bytes without a dry-run (admission uses [`Mempool::begin_admission`]
    /// and [`Mempool::finish_admission`]); `sender_next_nonce` is the sender's next nonce in committed state.
    /// The per-sender and nonce rules apply; when the pool is full, transactions of a lower priority are evicted
    /// and returned with the reason.
    pub fn insert(
        &mut self,
        tx: Transaction,
        len: usize,
        class: impl Into<SenderClass>,
        sender_next_nonce: u64,
    ) -> Result<Vec<(TxId, TxError)>, TxError> {
        let class = class.into();
        let id = tx.id();
        let ticket = self.begin_admission(&tx, id, len, &class, sender_next_nonce, self.height, |_| false)?;
        let full_hash = tx.full_hash();
        self.finish_admission(ticket, tx, id, full_hash, len, &class, None)
    }

    /// Check that `tx` (whose id is `id`) may wait in the pool (not a duplicate, its nonce the sender's first one not pending and
    /// within the lookahead, within the sender's and its agency's budgets, room in the pool or lower-priority
    /// transactions to evict) and take the sender's pending overlay for its dry-run. The caller holds the
    /// committed state of `height` (read-locked) until [`Mempool::finish_admission`] or [`Mempool::abort`], which
    /// it must call: until then the sender is busy.
    ///
    /// An overlay of an earlier height is carried to `height` when the pool was brought up to `height` (its
    /// committed transactions removed) and `survives` says every block since left it valid (see the module's
    /// documentation); otherwise the run is handed out to execute again.
    // Long because: the pool's admission rules in the order documented above, all on the sender's one entry.
    // The transaction's facts (its id and length, computed once by the caller) and the committed state's (the
    // sender's next nonce, the height, the overlay's test) are each the caller's; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn begin_admission(
        &mut self,
        tx: &Transaction,
        id: TxId,
        len: usize,
        class: &SenderClass,
        sender_next_nonce: u64,
        height: u64,
        survives: impl FnOnce(&PendingOverlay) -> bool,
    ) -> Result<Ticket, TxError> {
        debug_assert_eq!(id, tx.id(), "the id given is the transaction's");
        if self.entries.contains_key(&id) {
            return Err(TxError::new(ErrorCode::DuplicateTransaction, format!("transaction {id} is already pending")));
        }
        let sender = tx.body.sender;
        let nonce = tx.body.nonce;
        let lookahead = self.limits.per_sender_max as u64;
        if nonce < sender_next_nonce {
            return Err(TxError::new(
                ErrorCode::BadNonce,
                format!(
                    "nonce {nonce} of sender {sender} is already used (next is {sender_next_nonce}); a transaction \
                     cannot be replayed"
                ),
            ));
        }
        if nonce >= sender_next_nonce.saturating_add(lookahead) {
            return Err(TxError::new(
                ErrorCode::NonceTooFarAhead,
                format!(
                    "nonce {nonce} is too far ahead of the next nonce {sender_next_nonce}: at most {lookahead} \
                     transactions of one sender may wait; submit again after the next blocks"
                ),
            ));
        }
        let empty = SenderQueue::default();
        let queue = self.by_sender.get(&sender).unwrap_or(&empty);
        let first_missing = first_missing_from(queue, sender_next_nonce);
        if let Some(other) = queue.txs.get(&nonce) {
            return Err(TxError::new(
                ErrorCode::BadNonce,
                format!("nonce {nonce} of sender {sender} is already used by pending transaction {other}"),
            ));
        }
        if nonce > first_missing {
            return Err(TxError::new(
                ErrorCode::NonceTooFarAhead,
                format!(
                    "nonce {nonce} cannot wait: nonce {first_missing} of sender {sender} is not pending, and a \
                     transaction is admitted only when every lower nonce is; submit nonce {first_missing} first"
                ),
            ));
        }
        let sender_bytes: usize = queue.bytes;
        if sender_bytes + len > self.limits.sender_bytes_max {
            return Err(TxError::new(
                ErrorCode::MempoolFull,
                format!(
                    "sender {sender} already has {sender_bytes} bytes pending and this transaction has {len}; at \
                     most {} bytes of one sender may wait, retry after the next blocks",
                    self.limits.sender_bytes_max
                ),
            ));
        }
        if matches!(queue.overlay, Overlay::Busy) {
            return Err(TxError::new(
                ErrorCode::Unavailable,
                format!(
                    "another transaction of sender {sender} is being admitted right now; submit one sender's \
                     transactions in nonce order, one request at a time"
                ),
            ));
        }
        self.victims(&sender, len, class)?;
        let pruned_to_height = self.height == height;
        let slack = lookahead;
        let queue = self.by_sender.entry(sender).or_default();
        queue.next = sender_next_nonce;
        queue.admitted_at = Some(height);
        let overlay = match std::mem::replace(&mut queue.overlay, Overlay::Busy) {
            Overlay::Ready(o) if o.height == height && o.first == sender_next_nonce && o.end == nonce => Some(o),
            Overlay::Ready(mut o)
                if o.height < height
                    && pruned_to_height
                    && o.first <= sender_next_nonce
                    && o.end == nonce
                    && !o.too_large_to_carry(sender_next_nonce, slack)
                    && survives(&o) =>
            {
                o.height = height;
                o.first = sender_next_nonce;
                Some(o)
            }
            _ => None,
        };
        let run = match overlay {
            Some(_) => Vec::new(),
            None => queue.txs.range(sender_next_nonce..nonce).map(|(_, id)| self.entries[id].hashed()).collect(),
        };
        Ok(Ticket { sender, next: sender_next_nonce, nonce, overlay, run, version: queue.version })
    }

    /// Give back a ticket whose transaction was refused. `overlay` is the run's overlay if the caller still holds
    /// a valid one (`None` drops it, to be rebuilt later); `failed` names a pending transaction of the run that
    /// no longer executes, which is dropped with the reason (its later nonces wait behind the gap).
    pub fn abort(
        &mut self,
        ticket: Ticket,
        overlay: Option<PendingOverlay>,
        failed: Option<(TxId, TxError)>,
    ) -> Vec<(TxId, TxError)> {
        let mut dropped = Vec::new();
        if let Some(queue) = self.by_sender.get_mut(&ticket.sender) {
            queue.overlay = match overlay {
                Some(o) if queue.version == ticket.version => Overlay::Ready(o),
                _ => Overlay::None,
            };
        }
        if let Some((id, error)) = failed {
            if self.remove(&id) {
                dropped.push((id, error));
            }
        }
        self.forget_if_empty(&ticket.sender);
        dropped
    }

    /// Insert a transaction that passed its dry-run (with its id and full hash), with the run's overlay extended by it
    /// (`None`: none kept). The sender's run below it must still be pending, and lower-priority transactions are
    /// evicted if the pool is full; the evicted ones are returned with the reason.
    // The transaction with its id and full hash, as the caller computed them once, and what the admission found.
    #[allow(clippy::too_many_arguments)]
    pub fn finish_admission(
        &mut self,
        ticket: Ticket,
        tx: Transaction,
        id: TxId,
        full_hash: Hash,
        len: usize,
        class: &SenderClass,
        overlay: Option<PendingOverlay>,
    ) -> Result<Vec<(TxId, TxError)>, TxError> {
        let sender = ticket.sender;
        let result = self.finish_inner(&ticket, tx, id, full_hash, len, class);
        let queue = self.by_sender.get_mut(&sender).expect("begin_admission made the queue");
        queue.overlay = match (overlay, &result) {
            (Some(o), Ok(_)) if queue.version == ticket.version + 1 => Overlay::Ready(o),
            _ => Overlay::None,
        };
        self.forget_if_empty(&sender);
        result
    }

    // Long because: an admitted transaction enters the pool in one place: the gap check, the evictions it
    // causes (with their senders' later nonces) and the indexes it joins.
    fn finish_inner(
        &mut self,
        ticket: &Ticket,
        tx: Transaction,
        id: TxId,
        full_hash: Hash,
        len: usize,
        class: &SenderClass,
    ) -> Result<Vec<(TxId, TxError)>, TxError> {
        let sender = ticket.sender;
        if self.entries.contains_key(&id) {
            return Err(TxError::new(ErrorCode::DuplicateTransaction, format!("transaction {id} is already pending")));
        }
        let queue = &self.by_sender[&sender];
        // The run below may have lost a transaction while this one was checked (a proposal dropped it, or a
        // fuller pool evicted it): then this one would wait behind a gap, so it is refused instead.
        if queue.version != ticket.version && first_missing_from(queue, ticket.next) != ticket.nonce {
            return Err(TxError::new(
                ErrorCode::BadNonce,
                format!(
                    "a pending transaction of sender {sender} below nonce {} left the mempool while this one was \
                     checked; submit again from the sender's first missing nonce",
                    ticket.nonce
                ),
            ));
        }
        if queue.bytes + len > self.limits.sender_bytes_max {
            return Err(TxError::new(
                ErrorCode::MempoolFull,
                format!(
                    "sender {sender} has too many bytes pending (at most {}); retry after the next blocks",
                    self.limits.sender_bytes_max
                ),
            ));
        }
        let victims = self.victims(&sender, len, class)?;
        let mut evicted = Vec::new();
        for victim in victims {
            // Its sender's later nonces go with it: they could not run without it.
            let Some(entry) = self.entries.get(&victim) else { continue };
            let (victim_sender, victim_nonce) = (entry.tx.body.sender, entry.tx.body.nonce);
            let later: Vec<TxId> =
                self.by_sender[&victim_sender].txs.range(victim_nonce..).map(|(_, id)| *id).collect();
            for id in later {
                if self.remove(&id) {
                    evicted.push((
                        id,
                        TxError::new(
                            ErrorCode::MempoolFull,
                            "evicted from a full mempool (or its agency's full share of it) by transactions of a \
                             higher priority (an official's or an administrator's); submit it again later",
                        ),
                    ));
                }
            }
            self.forget_if_empty(&victim_sender);
        }
        self.seq += 1;
        let queue = self.by_sender.get_mut(&sender).expect("the sender's queue is kept while it is busy");
        queue.txs.insert(ticket.nonce, id);
        queue.bytes += len;
        queue.version += 1;
        self.bytes += len;
        if let Some(agency) = &class.agency {
            let usage = self.by_agency.entry(agency.clone()).or_default();
            usage.0 += 1;
            usage.1 += len;
        }
        let priority = class.priority;
        self.eviction.insert((priority, Reverse(self.seq), id));
        self.entries.insert(id, Entry { tx, full_hash, len, priority, agency: class.agency.clone(), seq: self.seq });
        self.update_gap(&sender);
        Ok(evicted)
    }

    /// The transactions to evict so that one more transaction of `len` bytes fits, first in its agency's budget,
    /// then in the pool: the newest of the lowest priority first, only of a priority below the sender's and of
    /// other senders; within the agency's budget, only the agency's own. The refusal says which limit is reached.
    fn victims(&self, sender: &Address, len: usize, class: &SenderClass) -> Result<Vec<TxId>, TxError> {
        let priority = class.priority;
        let mut txs = self.entries.len();
        let mut bytes = self.bytes;
        let mut victims = Vec::new();
        let lower = |p: &Priority, id: &TxId| {
            *p < priority && self.entries.get(id).is_some_and(|e| e.tx.body.sender != *sender)
        };
        if let Some(agency) = &class.agency {
            let (mut agency_txs, mut agency_bytes) = self.agency_usage(agency);
            let mut own = self
                .eviction
                .iter()
                .filter(|(p, _, id)| lower(p, id) && self.entries[id].agency.as_ref() == Some(agency));
            while agency_txs >= self.limits.agency_txs_max || agency_bytes + len > self.limits.agency_bytes_max {
                let Some((_, _, id)) = own.next() else {
                    return Err(TxError::new(
                        ErrorCode::MempoolFull,
                        format!(
                            "the officials of agency {agency} already have {agency_txs} transactions ({agency_bytes} \
                             bytes) waiting, the agency's share of the mempool (at most {} transactions and {} \
                             bytes), and this one ({len} bytes) may not take the place of any; retry after the \
                             next blocks",
                            self.limits.agency_txs_max, self.limits.agency_bytes_max
                        ),
                    ));
                };
                let victim_len = self.entries[id].len;
                agency_txs -= 1;
                agency_bytes -= victim_len;
                txs -= 1;
                bytes -= victim_len;
                victims.push(*id);
            }
        }
        let chosen: Vec<TxId> = victims.clone();
        let mut candidates = self.eviction.iter().filter(|(p, _, id)| lower(p, id) && !chosen.contains(id));
        while txs >= self.limits.txs_max || bytes + len > self.limits.bytes_max {
            let Some((_, _, id)) = candidates.next() else { return Err(pool_full(self.entries.len(), self.bytes)) };
            txs -= 1;
            bytes -= self.entries[id].len;
            victims.push(*id);
        }
        Ok(victims)
    }

    /// Choose transactions for a block, with their full hashes: at most `txs_max` and `bytes_max`, round-robin across senders, each
    /// sender contributing consecutive nonces from `next_nonce(sender)`. Transactions stay in the pool until
    /// committed, so a block that fails to be decided loses nothing.
    pub fn select(
        &mut self,
        txs_max: usize,
        bytes_max: usize,
        mut next_nonce: impl FnMut(&Address) -> u64,
    ) -> Vec<(Transaction, Hash)> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        // Cursor per sender: the next nonce to take.
        let mut senders: Vec<Address> = self.by_sender.keys().copied().collect();
        senders.sort_unstable();
        if !senders.is_empty() {
            self.rotation = self.rotation.wrapping_add(1);
            let start = self.rotation % senders.len();
            senders.rotate_left(start);
        }
        let mut cursors: Vec<(Address, u64)> = senders
            .into_iter()
            .map(|s| {
                let n = next_nonce(&s);
                (s, n)
            })
            .collect();
        // Each pass takes at most one transaction per sender; senders with nothing more to give leave the
        // rotation, so the work is proportional to the transactions taken plus the number of senders.
        let mut taken: HashMap<Address, u64> = HashMap::new();
        while !cursors.is_empty() && out.len() < txs_max {
            cursors.retain_mut(|(sender, cursor)| {
                if out.len() >= txs_max {
                    return false;
                }
                let Some(id) = self.by_sender.get(sender).and_then(|q| q.txs.get(cursor)) else { return false };
                let entry = &self.entries[id];
                if bytes + entry.len > bytes_max {
                    return false;
                }
                bytes += entry.len;
                out.push(entry.hashed());
                *cursor += 1;
                taken.insert(*sender, *cursor);
                true
            });
        }
        self.selected = Some((self.height, taken));
        out
    }

    /// Whether the last selection for a block, made on the committed state of `height`, took every transaction
    /// of `sender`'s pending run: the proposal executes them on that state and drops any that fail, so executing
    /// them again beside it would only repeat its work.
    pub fn selection_took_run(&self, sender: &Address, height: u64) -> bool {
        let Some((at, taken)) = &self.selected else { return false };
        *at == height
            && self.height == height
            && self
                .by_sender
                .get(sender)
                .is_some_and(|q| taken.get(sender).is_some_and(|end| *end >= q.first_missing()))
    }

    /// Whether a selection for a block was made on the committed state of `height`.
    pub fn selected_at(&self, height: u64) -> bool {
        self.selected.as_ref().is_some_and(|(at, _)| *at == height)
    }

    /// After the block of `height` was committed: remove transactions that are committed, or can never be (nonce
    /// below the sender's next nonce, or expired at `time_ms`), and those that waited behind a gap in their
    /// sender's nonces for `gap_blocks_max` blocks. `touched` lists the senders whose nonces changed; expired
    /// transactions of other senders are found by a full pass only every so often by the caller (pass `None` to
    /// check everyone).
    pub fn prune(
        &mut self,
        committed: &[TxId],
        touched: Option<&[Address]>,
        height: u64,
        time_ms: u64,
        mut next_nonce: impl FnMut(&Address) -> u64,
    ) -> Vec<(TxId, TxError)> {
        self.height = self.height.max(height);
        let mut dropped = Vec::new();
        for id in committed {
            self.remove_entry(id, true);
        }
        let mut senders: BTreeSet<Address> = match touched {
            Some(t) => t.iter().copied().collect(),
            None => self.by_sender.keys().copied().collect(),
        };
        senders.extend(self.gapped.iter().copied());
        for sender in senders {
            let Some(queue) = self.by_sender.get_mut(&sender) else {
                self.gapped.remove(&sender);
                continue;
            };
            let next = next_nonce(&sender);
            queue.next = next;
            let stale: Vec<TxId> = queue.txs.range(..next).map(|(_, id)| *id).collect();
            for id in stale {
                self.remove(&id);
                dropped.push((id, TxError::new(ErrorCode::BadNonce, "another transaction used this nonce first")));
            }
            let expired: Vec<TxId> = self
                .by_sender
                .get(&sender)
                .map(|q| {
                    q.txs.values().filter(|id| self.entries[*id].tx.body.expires_at_ms < time_ms).copied().collect()
                })
                .unwrap_or_default();
            for id in expired {
                self.remove(&id);
                dropped.push((id, TxError::new(ErrorCode::Expired, "expired before it could be included in a block")));
            }
            self.update_gap(&sender);
            let gap_blocks_max = self.limits.gap_blocks_max;
            if let Some(queue) = self.by_sender.get(&sender) {
                if queue.stuck_since.is_some_and(|since| height.saturating_sub(since) >= gap_blocks_max) {
                    let missing = queue.first_missing();
                    let stuck: Vec<TxId> = queue.txs.range(missing..).map(|(_, id)| *id).collect();
                    for id in stuck {
                        self.remove(&id);
                        dropped.push((
                            id,
                            TxError::new(
                                ErrorCode::BadNonce,
                                format!(
                                    "waited {gap_blocks_max} blocks behind nonce {missing} of its sender, which is \
                                     not pending; submit nonce {missing} and then this one again"
                                ),
                            ),
                        ));
                    }
                }
            }
            self.update_gap(&sender);
            self.forget_if_empty(&sender);
        }
        dropped
    }

    /// The senders in the order the revalidation after a commit visits them: those after the sender the last
    /// revalidation reached come first, so that, pass after pass, every sender's turn comes.
    pub fn revalidation_order(&self) -> Vec<Address> {
        let mut senders: Vec<Address> = self.by_sender.keys().copied().collect();
        senders.sort_unstable();
        if let Some(cursor) = self.revalidate_cursor {
            let start = senders.partition_point(|s| *s <= cursor);
            senders.rotate_left(start);
        }
        senders
    }

    /// Carry `sender`'s overlay to `height` (the pool's height) without executing it again, when `survives` says
    /// every block since left it valid: whether the sender's overlay is now current, and how.
    pub fn rebase_overlay(
        &mut self,
        sender: &Address,
        height: u64,
        survives: impl FnOnce(&PendingOverlay) -> bool,
    ) -> Rebased {
        if self.height != height {
            return Rebased::No;
        }
        let slack = self.limits.per_sender_max as u64;
        let Some(queue) = self.by_sender.get_mut(sender) else { return Rebased::No };
        let (next, end) = (queue.next, queue.first_missing());
        match &mut queue.overlay {
            Overlay::Ready(o) if o.height == height && o.first == next && o.end == end => Rebased::Current,
            Overlay::Ready(o)
                if o.height < height
                    && o.first <= next
                    && o.end == end
                    && !o.too_large_to_carry(next, slack)
                    && survives(o) =>
            {
                o.height = height;
                o.first = next;
                Rebased::Carried
            }
            _ => Rebased::No,
        }
    }

    /// Whether `sender` is submitting: one of its transactions was admitted on the state before the commit of
    /// `height` or since. Its next admission executes its run again in any case, so the revalidation after that
    /// commit leaves it a short grace first: revalidating it at once would execute the run twice when the
    /// admission comes after, or make the admission wait when it comes during. After the grace, what the
    /// admissions left is revalidated as usual.
    pub fn is_submitting(&self, sender: &Address, height: u64) -> bool {
        self.by_sender.get(sender).and_then(|q| q.admitted_at).is_some_and(|at| at + 1 >= height)
    }

    /// Take `sender`'s run of consecutive pending nonces from its next one, to execute again on the newly
    /// committed state (which may have made some of them invalid); `None` when it has none or is busy. The sender
    /// is busy until [`Mempool::finish_revalidation`] or [`Mempool::cancel_revalidation`], which the caller must
    /// call.
    pub fn begin_revalidation(&mut self, sender: &Address) -> Option<Revalidation> {
        let queue = self.by_sender.get_mut(sender)?;
        if matches!(queue.overlay, Overlay::Busy) {
            return None;
        }
        let end = queue.first_missing();
        let run: Vec<(Transaction, Hash)> =
            queue.txs.range(queue.next..end).map(|(_, id)| self.entries[id].hashed()).collect();
        self.revalidate_cursor = Some(*sender);
        if run.is_empty() {
            return None;
        }
        queue.overlay = Overlay::Busy;
        Some(Revalidation { sender: *sender, run, version: queue.version })
    }

    /// Give back a run whose revalidation did not finish (its execution panicked): the sender is no longer busy,
    /// and its overlay is rebuilt when needed.
    pub fn cancel_revalidation(&mut self, revalidation: Revalidation) {
        if let Some(queue) = self.by_sender.get_mut(&revalidation.sender) {
            if matches!(queue.overlay, Overlay::Busy) {
                queue.overlay = Overlay::None;
            }
        }
        self.forget_if_empty(&revalidation.sender);
    }

    /// Give back a revalidated run: its overlay on the committed state (for the transactions before `failed`),
    /// and the first transaction that no longer executes, which is dropped with the reason (its later nonces wait
    /// behind the gap until the sender fills it or `gap_blocks_max` blocks pass).
    pub fn finish_revalidation(
        &mut self,
        revalidation: Revalidation,
        overlay: PendingOverlay,
        failed: Option<(TxId, TxError)>,
    ) -> Vec<(TxId, TxError)> {
        let ticket = Ticket {
            sender: revalidation.sender,
            next: overlay.first,
            nonce: overlay.end,
            overlay: None,
            run: Vec::new(),
            version: revalidation.version,
        };
        self.abort(ticket, Some(overlay), failed)
    }

    /// Remove transactions, e.g. those a proposal found to fail.
    pub fn remove_many(&mut self, ids: &[TxId]) {
        for id in ids {
            self.remove(id);
        }
    }

    /// Remove one transaction; whether it was held.
    fn remove(&mut self, id: &TxId) -> bool {
        self.remove_entry(id, false)
    }

    /// Remove one transaction, `committed` in a block or dropped; whether it was held.
    fn remove_entry(&mut self, id: &TxId, committed: bool) -> bool {
        let Some(entry) = self.entries.remove(id) else { return false };
        self.bytes -= entry.len;
        if let Some(agency) = &entry.agency {
            if let Some(usage) = self.by_agency.get_mut(agency) {
                usage.0 -= 1;
                usage.1 -= entry.len;
                if usage.0 == 0 {
                    self.by_agency.remove(agency);
                }
            }
        }
        self.eviction.remove(&(entry.priority, Reverse(entry.seq), *id));
        let sender = entry.tx.body.sender;
        if let Some(queue) = self.by_sender.get_mut(&sender) {
            queue.txs.remove(&entry.tx.body.nonce);
            queue.bytes -= entry.len;
            queue.version += 1;
            // A kept overlay that includes a dropped transaction's writes is no longer the pending state. One that
            // includes a committed transaction's writes may still be (it is checked when carried to the new
            // height); but a committed transaction outside its run means the run did not start at the sender's
            // next nonce, and it is rebuilt.
            let keep = |o: &PendingOverlay| committed && entry.tx.body.nonce >= o.first && entry.tx.body.nonce < o.end;
            if matches!(&queue.overlay, Overlay::Ready(o) if entry.tx.body.nonce < o.end && !keep(o)) {
                queue.overlay = Overlay::None;
            }
        }
        self.update_gap(&sender);
        self.forget_if_empty(&sender);
        true
    }

    /// Note whether `sender` has transactions waiting behind a gap, and since when.
    fn update_gap(&mut self, sender: &Address) {
        let height = self.height;
        match self.by_sender.get_mut(sender) {
            Some(queue) if queue.has_stuck() => {
                queue.stuck_since.get_or_insert(height);
                self.gapped.insert(*sender);
            }
            Some(queue) => {
                queue.stuck_since = None;
                self.gapped.remove(sender);
            }
            None => {
                self.gapped.remove(sender);
            }
        }
    }

    /// Drop a sender's queue once it holds nothing and no admission is using it.
    fn forget_if_empty(&mut self, sender: &Address) {
        if self.by_sender.get(sender).is_some_and(|q| q.txs.is_empty() && !matches!(q.overlay, Overlay::Busy)) {
            self.by_sender.remove(sender);
            self.gapped.remove(sender);
        }
    }
}

/// The lowest nonce from `next` that `queue` does not hold.
fn first_missing_from(queue: &SenderQueue, next: u64) -> u64 {
    let mut n = next;
    for nonce in queue.txs.range(next..).map(|(n, _)| *n) {
        if nonce != n {
            break;
        }
        n += 1;
    }
    n
}
