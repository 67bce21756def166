//! Ballots waiting for a block.
//!
//! A ballot is an anonymous transaction (`publica_tx::Transaction::anonymous`): no account sends it, because the
//! account would tie a citizen to the ballot's credential for everyone to see; the credential's signature inside
//! the ballot authenticates it. It has no nonce, so it cannot wait in the mempool's per-sender queues. It waits
//! here instead, first come first served, under its own bounds:
//!
//! - **Per credential**: one pending ballot (its queue key is the election and the credential, see
//!   `publica_elections::board::ballot_queue_key`). A voter who votes again while the first ballot waits is
//!   asked to submit again after it is committed (the last ballot counts, so nothing is lost by waiting), and a
//!   credential can never hold more than one ballot's worth of the pool.
//! - **In total**: [`BALLOTS_MAX`] ballots and [`BALLOT_BYTES_MAX`] bytes. A full pool refuses new ballots with
//!   `mempool_full` (clients retry); ballots never take the place of agencies' transactions, nor those theirs.
//!
//! - **Per block**: [`BALLOTS_PER_BLOCK_MAX`], since every validator verifies every ballot it executes.
//!
//! Every ballot here passed its dry run at admission (every proof and the signature checked against the committed
//! state), and a refused dry run counts against the credential's allowance, like a sender's. Blocks take ballots
//! beside the mempool's transactions (`Shared::select_for_block`), and a commit removes those it included.

use std::collections::{BTreeMap, HashMap};

use publica_tx::Transaction;
use publica_types::{ErrorCode, Hash, TxError, TxId};

/// Most ballots waiting.
pub const BALLOTS_MAX: usize = 50_000;
/// Most bytes of ballots waiting (encoded transactions).
pub const BALLOT_BYTES_MAX: usize = 256 << 20;
/// Most ballots in one block. Every validator verifies every ballot of a block it executes (about 10 ms for a
/// question of a few answers, on one core, unless its own admission verified it already), so this bounds the
/// time a block of ballots adds to a round, well within the proposal timeout.
pub const BALLOTS_PER_BLOCK_MAX: usize = 100;

#[derive(Debug)]
struct Entry {
    tx: Transaction,
    full_hash: Hash,
    len: usize,
    key: Hash,
    seq: u64,
}

/// The pool of pending ballots.
#[derive(Debug, Default)]
pub struct BallotPool {
    entries: HashMap<TxId, Entry>,
    order: BTreeMap<u64, TxId>,
    by_key: HashMap<Hash, TxId>,
    bytes: usize,
    seq: u64,
}

impl BallotPool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ballots waiting.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no ballot waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of the ballots waiting.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether the ballot with this transaction id waits here.
    pub fn contains(&self, id: &TxId) -> bool {
        self.entries.contains_key(id)
    }

    /// Whether a ballot `len` bytes long, for queue key `key`, would be taken now; checked before its dry run so
    /// that a ballot that cannot wait costs no verification.
    pub fn check_room(&self, id: &TxId, key: &Hash, len: usize) -> Result<(), TxError> {
        if self.entries.contains_key(id) {
            return Err(TxError::new(
                ErrorCode::DuplicateTransaction,
                format!("ballot transaction {id} is already waiting"),
            ));
        }
        if self.by_key.contains_key(key) {
            return Err(TxError::new(
                ErrorCode::MempoolFull,
                "this credential's previous ballot is still waiting for a block; submit this one again once that \
                 one is committed (the last ballot counts)",
            ));
        }
        if self.entries.len() >= BALLOTS_MAX || self.bytes + len > BALLOT_BYTES_MAX {
            return Err(TxError::new(
                ErrorCode::MempoolFull,
                format!(
                    "{} ballots ({} bytes) are waiting for blocks, the most this node keeps; submit again shortly",
                    self.entries.len(),
                    self.bytes
                ),
            ));
        }
        Ok(())
    }

    /// Add a ballot that passed its dry run.
    pub fn insert(&mut self, tx: Transaction, full_hash: Hash, len: usize, key: Hash) -> Result<(), TxError> {
        let id = tx.id();
        self.check_room(&id, &key, len)?;
        self.seq += 1;
        self.order.insert(self.seq, id);
        self.by_key.insert(key, id);
        self.bytes += len;
        self.entries.insert(id, Entry { tx, full_hash, len, key, seq: self.seq });
        Ok(())
    }

    /// Ballots for a block, oldest first: at most `txs_max` of them and `bytes_max` bytes. They stay here until
    /// committed, so a block that is not decided loses none.
    pub fn select(&self, txs_max: usize, bytes_max: usize) -> Vec<(Transaction, Hash)> {
        let mut out = Vec::new();
        let mut bytes = 0;
        for id in self.order.values() {
            if out.len() >= txs_max {
                break;
            }
            let entry = &self.entries[id];
            if bytes + entry.len > bytes_max {
                break;
            }
            bytes += entry.len;
            out.push((entry.tx.clone(), entry.full_hash));
        }
        out
    }

    /// Remove these ballots (committed, or refused by a proposal).
    pub fn remove_many(&mut self, ids: &[TxId]) {
        for id in ids {
            if let Some(entry) = self.entries.remove(id) {
                self.order.remove(&entry.seq);
                self.by_key.remove(&entry.key);
                self.bytes -= entry.len;
            }
        }
    }

    /// Remove the ballots that expired at block time `time_ms`.
    pub fn prune_expired(&mut self, time_ms: u64) -> Vec<TxId> {
        let expired: Vec<TxId> =
            self.entries.iter().filter(|(_, e)| e.tx.body.expires_at_ms < time_ms).map(|(id, _)| *id).collect();
        self.remove_many(&expired);
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use publica_elections::ElectionsCall;
    use publica_types::ChainId;

    fn ballot(n: u8, expires_at_ms: u64) -> Transaction {
        let call = ElectionsCall::Cast { election: 0, ballot: vec![n; 10] };
        Transaction::anonymous(ChainId::new("test").unwrap(), expires_at_ms, call.into())
    }

    #[test]
    fn one_ballot_waits_per_credential_and_the_oldest_leave_first() {
        let mut pool = BallotPool::new();
        let (a, b, c) = (ballot(1, 10), ballot(2, 10), ballot(3, 10));
        pool.insert(a.clone(), [1; 32], 100, [0xa; 32]).unwrap();
        let again = pool.insert(b.clone(), [2; 32], 100, [0xa; 32]).unwrap_err();
        assert_eq!(again.code, ErrorCode::MempoolFull);
        let duplicate = pool.insert(a.clone(), [1; 32], 100, [0xb; 32]).unwrap_err();
        assert_eq!(duplicate.code, ErrorCode::DuplicateTransaction);
        pool.insert(c.clone(), [3; 32], 100, [0xc; 32]).unwrap();
        pool.insert(b.clone(), [2; 32], 100, [0xb; 32]).unwrap();
        let chosen: Vec<TxId> = pool.select(2, usize::MAX).iter().map(|(tx, _)| tx.id()).collect();
        assert_eq!(chosen, vec![a.id(), c.id()]);
        assert_eq!(pool.select(10, 250).len(), 2, "the byte bound stops the selection");
        pool.remove_many(&[a.id()]);
        assert_eq!(pool.len(), 2);
        assert_eq!(pool.bytes(), 200);
        // The credential's key is free again once its ballot left.
        pool.insert(ballot(4, 10), [4; 32], 100, [0xa; 32]).unwrap();
    }

    #[test]
    fn expired_ballots_leave_and_a_full_pool_refuses() {
        let mut pool = BallotPool::new();
        pool.insert(ballot(1, 5), [1; 32], 100, [1; 32]).unwrap();
        pool.insert(ballot(2, 50), [2; 32], 100, [2; 32]).unwrap();
        assert_eq!(pool.prune_expired(10), vec![ballot(1, 5).id()]);
        assert_eq!(pool.len(), 1);
        let full = pool.check_room(&ballot(3, 50).id(), &[3; 32], BALLOT_BYTES_MAX).unwrap_err();
        assert_eq!(full.code, ErrorCode::MempoolFull);
    }
}
