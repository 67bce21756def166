//! The bounded mempool: admitted transactions waiting for a block.
//!
//! Transactions are deduplicated by id and queued per sender in nonce order. A block is filled round-robin across
//! senders, taking from each sender only a run of consecutive nonces that starts at the sender's next nonce, so
//! one busy sender cannot starve the others and no transaction is proposed before its predecessor. Limits on the
//! number of transactions, their total size and the transactions per sender bound the memory used.

use std::collections::{BTreeMap, HashMap};

use publica_types::{Address, ErrorCode, Transaction, TxError, TxId};

/// Limits of the mempool.
#[derive(Clone, Copy, Debug)]
pub struct MempoolLimits {
    /// Most transactions held.
    pub txs_max: usize,
    /// Most bytes (encoded transactions) held.
    pub bytes_max: usize,
    /// Most transactions held for one sender.
    pub per_sender_max: usize,
}

impl Default for MempoolLimits {
    fn default() -> Self {
        Self { txs_max: 200_000, bytes_max: 1 << 30, per_sender_max: 1_000 }
    }
}

struct Entry {
    tx: Transaction,
    len: usize,
}

/// One sender's waiting transactions, by nonce, and the sender's next nonce as last seen in committed state.
#[derive(Default)]
struct SenderQueue {
    next: u64,
    txs: BTreeMap<u64, TxId>,
}

/// The mempool.
pub struct Mempool {
    limits: MempoolLimits,
    entries: HashMap<TxId, Entry>,
    by_sender: HashMap<Address, SenderQueue>,
    /// Advances with every block built, so that each block starts its round-robin at a different sender.
    rotation: usize,
    bytes: usize,
}

impl Mempool {
    /// An empty mempool.
    pub fn new(limits: MempoolLimits) -> Self {
        Self { limits, entries: HashMap::new(), by_sender: HashMap::new(), rotation: 0, bytes: 0 }
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

    /// Whether a transaction is held.
    pub fn contains(&self, id: &TxId) -> bool {
        self.entries.contains_key(id)
    }

    /// Whether some transaction can go into the next block: a sender's queue holds its next nonce. Transactions
    /// waiting behind a nonce gap do not count, so they cannot make the proposer skip the empty-block pause.
    pub fn has_ready(&self) -> bool {
        self.by_sender.values().any(|q| q.txs.contains_key(&q.next))
    }

    /// Add an admitted transaction of `len` encoded bytes; `sender_next_nonce` is the sender's next nonce in
    /// committed state.
    pub fn insert(&mut self, tx: Transaction, len: usize, sender_next_nonce: u64) -> Result<(), TxError> {
        let id = tx.id();
        if self.entries.contains_key(&id) {
            return Err(TxError::new(ErrorCode::DuplicateTransaction, format!("transaction {id} is already pending")));
        }
        if self.entries.len() >= self.limits.txs_max || self.bytes + len > self.limits.bytes_max {
            return Err(TxError::new(
                ErrorCode::MempoolFull,
                format!(
                    "the mempool is full ({} transactions, {} bytes); retry after the next blocks",
                    self.entries.len(),
                    self.bytes
                ),
            ));
        }
        let sender = tx.body.sender;
        let queue = self.by_sender.entry(sender).or_default();
        queue.next = sender_next_nonce;
        if queue.txs.len() >= self.limits.per_sender_max {
            return Err(TxError::new(
                ErrorCode::MempoolFull,
                format!(
                    "sender {sender} already has {} pending transactions; wait for them to commit",
                    queue.txs.len()
                ),
            ));
        }
        if let Some(other) = queue.txs.get(&tx.body.nonce) {
            return Err(TxError::new(
                ErrorCode::BadNonce,
                format!("nonce {} of sender {sender} is already used by pending transaction {other}", tx.body.nonce),
            ));
        }
        queue.txs.insert(tx.body.nonce, id);
        self.bytes += len;
        self.entries.insert(id, Entry { tx, len });
        Ok(())
    }

    /// Choose transactions for a block: at most `txs_max` and `bytes_max`, round-robin across senders, each
    /// sender contributing consecutive nonces from `next_nonce(sender)`. Transactions stay in the pool until
    /// committed, so a block that fails to be decided loses nothing.
    pub fn select(
        &mut self,
        txs_max: usize,
        bytes_max: usize,
        mut next_nonce: impl FnMut(&Address) -> u64,
    ) -> Vec<Transaction> {
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
                out.push(entry.tx.clone());
                *cursor += 1;
                true
            });
        }
        out
    }

    /// Remove transactions that are committed, or can never be: nonce below the sender's next nonce, or expired
    /// at `time_ms`. `touched` lists the senders whose nonces changed; expired transactions of other senders are
    /// found by a full pass only every so often by the caller (pass `None` to check everyone).
    pub fn prune(
        &mut self,
        committed: &[TxId],
        touched: Option<&[Address]>,
        time_ms: u64,
        mut next_nonce: impl FnMut(&Address) -> u64,
    ) -> Vec<(TxId, TxError)> {
        let mut dropped = Vec::new();
        for id in committed {
            self.remove(id);
        }
        let senders: Vec<Address> = match touched {
            Some(t) => t.to_vec(),
            None => self.by_sender.keys().copied().collect(),
        };
        for sender in senders {
            let Some(queue) = self.by_sender.get_mut(&sender) else { continue };
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
        }
        dropped
    }

    /// Remove transactions, e.g. those a proposal found to fail.
    pub fn remove_many(&mut self, ids: &[TxId]) {
        for id in ids {
            self.remove(id);
        }
    }

    fn remove(&mut self, id: &TxId) {
        let Some(entry) = self.entries.remove(id) else { return };
        self.bytes -= entry.len;
        let sender = entry.tx.body.sender;
        if let Some(queue) = self.by_sender.get_mut(&sender) {
            queue.txs.remove(&entry.tx.body.nonce);
            if queue.txs.is_empty() {
                self.by_sender.remove(&sender);
            }
        }
    }
}
