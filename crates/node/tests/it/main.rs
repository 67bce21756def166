//! Tests of the node's mempool and of start-up state checks, and of a network of validators under a backlog.

mod backlog;
mod catchup;

use publica_crypto::Keypair;
use publica_node::mempool::{Mempool, MempoolLimits, Priority};
use publica_tx::*;
use publica_types::*;

fn key(i: u8) -> Keypair {
    Keypair::from_seed(&[i; 32])
}

fn tx(sender: &Keypair, nonce: u64, expires_at_ms: u64) -> Transaction {
    TxBody {
        chain_id: "mempool-test".parse().unwrap(),
        sender: sender.public_key().address(),
        nonce,
        expires_at_ms,
        call: Call::Accounts(AccountsCall::SetActive { account: Address([0; 20]), active: true }),
    }
    .sign(sender)
}

fn limits(txs_max: usize, per_sender_max: usize) -> MempoolLimits {
    MempoolLimits {
        txs_max,
        bytes_max: 1 << 30,
        per_sender_max,
        sender_bytes_max: 1 << 30,
        gap_blocks_max: 3,
        agency_txs_max: txs_max,
        agency_bytes_max: 1 << 30,
    }
}

const CITIZEN: Priority = Priority::Citizen;

#[test]
fn duplicates_nonce_conflicts_and_limits_are_refused() {
    let (a, b) = (key(1), key(2));
    let mut pool = Mempool::new(limits(3, 2));
    pool.insert(tx(&a, 0, 10), 100, CITIZEN, 0).unwrap();
    assert_eq!(pool.insert(tx(&a, 0, 10), 100, CITIZEN, 0).unwrap_err().code, ErrorCode::DuplicateTransaction);
    // Another body with the same nonce is a conflict, not a replacement.
    assert_eq!(pool.insert(tx(&a, 0, 11), 100, CITIZEN, 0).unwrap_err().code, ErrorCode::BadNonce);
    pool.insert(tx(&a, 1, 10), 100, CITIZEN, 0).unwrap();
    // Two may wait per sender: nonce 2 is beyond the lookahead.
    assert_eq!(pool.insert(tx(&a, 2, 10), 100, CITIZEN, 0).unwrap_err().code, ErrorCode::NonceTooFarAhead);
    pool.insert(tx(&b, 0, 10), 100, CITIZEN, 0).unwrap();
    // The pool is full, and an equal priority takes nobody's place.
    assert_eq!(pool.insert(tx(&b, 1, 10), 100, CITIZEN, 0).unwrap_err().code, ErrorCode::MempoolFull);
    assert_eq!(pool.len(), 3);
    assert_eq!(pool.bytes(), 300);
}

#[test]
fn a_nonce_is_admitted_only_when_every_lower_one_is_pending() {
    let a = key(1);
    let mut pool = Mempool::new(limits(100, 16));
    let error = pool.insert(tx(&a, 6, 10), 100, CITIZEN, 5).unwrap_err();
    assert_eq!(error.code, ErrorCode::NonceTooFarAhead);
    assert!(error.message.contains("nonce 5") && error.message.contains("submit nonce 5 first"), "{}", error.message);
    assert_eq!(pool.insert(tx(&a, 4, 10), 100, CITIZEN, 5).unwrap_err().code, ErrorCode::BadNonce);
    for n in 5..21 {
        pool.insert(tx(&a, n, 10), 100, CITIZEN, 5).unwrap();
    }
    // Sixteen wait; the seventeenth is beyond the lookahead even though every lower nonce is pending.
    assert_eq!(pool.insert(tx(&a, 21, 10), 100, CITIZEN, 5).unwrap_err().code, ErrorCode::NonceTooFarAhead);
    assert_eq!(pool.len(), 16);
}

#[test]
fn one_sender_cannot_hold_more_than_its_byte_budget() {
    let (a, b) = (key(1), key(2));
    let mut pool = Mempool::new(MempoolLimits { sender_bytes_max: 250, ..limits(100, 16) });
    pool.insert(tx(&a, 0, 10), 100, CITIZEN, 0).unwrap();
    pool.insert(tx(&a, 1, 10), 100, CITIZEN, 0).unwrap();
    let error = pool.insert(tx(&a, 2, 10), 100, CITIZEN, 0).unwrap_err();
    assert_eq!(error.code, ErrorCode::MempoolFull);
    assert!(error.message.contains("at most 250 bytes of one sender"), "{}", error.message);
    // Another sender has its own budget.
    pool.insert(tx(&b, 0, 10), 200, CITIZEN, 0).unwrap();
    assert_eq!(pool.bytes(), 400);
}

#[test]
fn a_full_pool_makes_room_for_a_higher_priority_by_evicting_the_newest_of_the_lowest() {
    let citizens: Vec<Keypair> = (1..=3).map(key).collect();
    let (official, admin) = (key(10), key(11));
    let mut pool = Mempool::new(limits(6, 16));
    // Citizen 0 waits with nonces 0 and 1, citizens 1 and 2 with 0..=1 too: six in all, the pool is full.
    for c in &citizens {
        pool.insert(tx(c, 0, 10), 100, CITIZEN, 0).unwrap();
        pool.insert(tx(c, 1, 10), 100, CITIZEN, 0).unwrap();
    }
    assert_eq!(pool.insert(tx(&citizens[0], 2, 10), 100, CITIZEN, 0).unwrap_err().code, ErrorCode::MempoolFull);
    // An official takes the place of the newest citizen's transaction (citizen 2's nonce 1).
    let evicted = pool.insert(tx(&official, 0, 10), 100, Priority::Official, 0).unwrap();
    assert_eq!(evicted.len(), 1);
    assert_eq!(evicted[0].0, tx(&citizens[2], 1, 10).id());
    assert_eq!(evicted[0].1.code, ErrorCode::MempoolFull);
    // Evicting a lower nonce takes the sender's later ones too: they could not run without it.
    let evicted = pool.insert(tx(&official, 1, 10), 100, Priority::Official, 0).unwrap();
    assert_eq!(evicted, vec![(tx(&citizens[2], 0, 10).id(), evicted[0].1.clone())]);
    let evicted = pool.insert(tx(&admin, 0, 10), 100, Priority::Administrator, 0).unwrap();
    assert_eq!(evicted[0].0, tx(&citizens[1], 1, 10).id());
    assert_eq!(pool.len(), 6);
    // Fill the rest with officials: then a citizen cannot get in, nor an official take an official's place, but
    // an administrator still can.
    pool.insert(tx(&official, 2, 10), 100, Priority::Official, 0).unwrap();
    pool.insert(tx(&official, 3, 10), 100, Priority::Official, 0).unwrap();
    pool.insert(tx(&official, 4, 10), 100, Priority::Official, 0).unwrap();
    assert_eq!(pool.sender_len(&citizens[0].public_key().address()), 0);
    assert_eq!(pool.insert(tx(&key(12), 0, 10), 100, Priority::Official, 0).unwrap_err().code, ErrorCode::MempoolFull);
    assert_eq!(pool.insert(tx(&citizens[0], 0, 10), 100, CITIZEN, 0).unwrap_err().code, ErrorCode::MempoolFull);
    let evicted = pool.insert(tx(&admin, 1, 10), 100, Priority::Administrator, 0).unwrap();
    assert_eq!(evicted[0].0, tx(&official, 4, 10).id());
    assert_eq!(pool.len(), 6);
}

#[test]
fn selection_takes_consecutive_nonces_round_robin_and_respects_limits() {
    let senders: Vec<Keypair> = (1..=3).map(key).collect();
    let mut pool = Mempool::new(limits(100, 100));
    for s in &senders {
        for n in 0..=4 {
            pool.insert(tx(s, n, 10), 10, CITIZEN, 0).unwrap();
        }
        // Nonce 3 leaves (a proposal found it failing), so nonce 4 must wait behind the gap.
        pool.remove_many(&[tx(s, 3, 10).id()]);
    }
    // Everything else goes, one sender at a time.
    let picked = pool.select(100, usize::MAX, |_| 0);
    assert_eq!(picked.len(), 9);
    assert!(
        picked.iter().all(|(t, full_hash)| t.full_hash() == *full_hash),
        "each transaction comes with its own full hash"
    );
    let picked: Vec<_> = picked.into_iter().map(|(t, _)| t).collect();
    for s in &senders {
        let nonces: Vec<u64> =
            picked.iter().filter(|t| t.body.sender == s.public_key().address()).map(|t| t.body.nonce).collect();
        assert_eq!(nonces, vec![0, 1, 2]);
    }
    let first_three: std::collections::BTreeSet<_> = picked[..3].iter().map(|t| t.body.sender).collect();
    assert_eq!(first_three.len(), 3, "the first pass takes one transaction from each sender");
    // Limits by count and by bytes.
    assert_eq!(pool.select(4, usize::MAX, |_| 0).len(), 4);
    assert_eq!(pool.select(100, 25, |_| 0).len(), 2);
    // A sender whose next nonce is 1 contributes from nonce 1.
    let picked = pool.select(100, usize::MAX, |a| if *a == senders[0].public_key().address() { 1 } else { 9 });
    assert_eq!(picked.iter().map(|(t, _)| t.body.nonce).collect::<Vec<_>>(), vec![1, 2]);
    // Selection leaves everything in the pool until it is committed.
    assert_eq!(pool.len(), 12);
}

#[test]
fn pruning_drops_committed_stale_and_expired_transactions() {
    let (a, b) = (key(1), key(2));
    let mut pool = Mempool::new(limits(100, 100));
    let committed = tx(&a, 0, 1000);
    pool.insert(committed.clone(), 10, CITIZEN, 0).unwrap();
    pool.insert(tx(&a, 1, 1000), 10, CITIZEN, 0).unwrap();
    pool.insert(tx(&b, 5, 50), 10, CITIZEN, 5).unwrap();
    let dropped =
        pool.prune(&[committed.id()], None, 1, 100, |addr| if *addr == a.public_key().address() { 1 } else { 5 });
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].1.code, ErrorCode::Expired);
    assert_eq!(pool.len(), 1);
    assert!(pool.contains(&tx(&a, 1, 1000).id()));
    // A nonce used by someone else's block leaves the pool as stale.
    let dropped = pool.prune(&[], Some(&[a.public_key().address()]), 2, 0, |_| 2);
    assert_eq!(dropped[0].1.code, ErrorCode::BadNonce);
    assert!(pool.is_empty());
    assert_eq!(pool.bytes(), 0);
}

#[test]
fn transactions_stuck_behind_a_gap_are_evicted_after_the_configured_blocks() {
    let a = key(1);
    let mut pool = Mempool::new(MempoolLimits { gap_blocks_max: 3, ..limits(100, 16) });
    for n in 0..4 {
        pool.insert(tx(&a, n, 1000), 10, CITIZEN, 0).unwrap();
    }
    // Nonce 1 leaves after block 0: nonces 2 and 3 wait behind the gap.
    pool.remove_many(&[tx(&a, 1, 1000).id()]);
    // Blocks of other senders pass; the sender may still fill the gap in that time.
    for height in 1..=2 {
        assert!(pool.prune(&[], Some(&[]), height, 0, |_| 0).is_empty(), "block {height}");
    }
    assert_eq!(pool.len(), 3);
    // The third block after the gap appeared evicts them.
    let dropped = pool.prune(&[], Some(&[]), 3, 0, |_| 0);
    let ids: Vec<TxId> = dropped.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![tx(&a, 2, 1000).id(), tx(&a, 3, 1000).id()]);
    assert!(dropped[0].1.message.contains("behind nonce 1"), "{}", dropped[0].1.message);
    // Nonce 0 is still there, and the sender can go on from nonce 1.
    assert_eq!(pool.len(), 1);
    pool.insert(tx(&a, 1, 1000), 10, CITIZEN, 0).unwrap();

    // A gap filled in time keeps the transactions behind it.
    let b = key(2);
    for n in 0..3 {
        pool.insert(tx(&b, n, 1000), 10, CITIZEN, 0).unwrap();
    }
    pool.remove_many(&[tx(&b, 0, 1000).id()]);
    assert!(pool.prune(&[], Some(&[]), 4, 0, |_| 0).is_empty());
    assert!(pool.prune(&[], Some(&[]), 5, 0, |_| 0).is_empty());
    pool.insert(tx(&b, 0, 1000), 10, CITIZEN, 0).unwrap();
    for height in 6..=10 {
        assert!(pool.prune(&[], Some(&[]), height, 0, |_| 0).is_empty(), "block {height}");
    }
    assert_eq!(pool.sender_len(&b.public_key().address()), 3);
}

#[test]
fn only_a_transaction_at_its_senders_next_nonce_counts_as_ready() {
    let a = key(1);
    let mut pool = Mempool::new(limits(100, 100));
    assert!(!pool.has_ready());
    for n in 1..=3 {
        pool.insert(tx(&a, n, 1000), 10, CITIZEN, 1).unwrap();
    }
    assert!(pool.has_ready());
    // Nonce 1 leaves while the next nonce is 1: 2 and 3 wait behind a gap and must not hurry the proposer.
    pool.remove_many(&[tx(&a, 1, 1000).id()]);
    assert!(!pool.has_ready());
    pool.insert(tx(&a, 1, 1000), 10, CITIZEN, 1).unwrap();
    assert!(pool.has_ready());
}

/// `[testing] equivocate` makes a Byzantine validator: only a build with the `byzantine` feature accepts it, and
/// an honest configuration is saved without the section.
#[test]
fn a_byzantine_configuration_needs_the_test_build() {
    use publica_node::config::{EquivocateConfig, NodeConfig};
    let dir = tempfile::tempdir().unwrap();
    let config = NodeConfig::new("n", "127.0.0.1:1".parse().unwrap(), "127.0.0.1:2".parse().unwrap());
    config.save(dir.path()).unwrap();
    let saved = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(!saved.contains("[testing]"), "{saved}");
    assert_eq!(NodeConfig::load(dir.path()).unwrap().testing.equivocate, EquivocateConfig::None);

    std::fs::write(dir.path().join("config.toml"), format!("{saved}\n[testing]\nequivocate = \"votes\"\n")).unwrap();
    let loaded = NodeConfig::load(dir.path());
    if cfg!(feature = "byzantine") {
        let loaded = loaded.unwrap();
        assert_eq!(loaded.testing.equivocate, EquivocateConfig::Votes);
        assert_eq!(loaded.testing.equivocation(), publica_consensus::Equivocation::Votes);
    } else {
        let error = loaded.unwrap_err().to_string();
        assert!(error.contains("--features byzantine") && error.contains("[testing]"), "{error}");
    }

    std::fs::write(dir.path().join("config.toml"), format!("{saved}\n[testing]\nequivocate = \"sometimes\"\n"))
        .unwrap();
    assert!(NodeConfig::load(dir.path()).is_err(), "an unknown fault is refused");
}
