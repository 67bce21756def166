//! Tests of the node's mempool and of start-up state checks.

use publica_crypto::Keypair;
use publica_node::mempool::{Mempool, MempoolLimits};
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
    MempoolLimits { txs_max, bytes_max: 1 << 30, per_sender_max }
}

#[test]
fn duplicates_nonce_conflicts_and_limits_are_refused() {
    let (a, b) = (key(1), key(2));
    let mut pool = Mempool::new(limits(3, 2));
    pool.insert(tx(&a, 0, 10), 100, 0).unwrap();
    assert_eq!(pool.insert(tx(&a, 0, 10), 100, 0).unwrap_err().code, ErrorCode::DuplicateTransaction);
    // Another body with the same nonce is a conflict, not a replacement.
    assert_eq!(pool.insert(tx(&a, 0, 11), 100, 0).unwrap_err().code, ErrorCode::BadNonce);
    pool.insert(tx(&a, 1, 10), 100, 0).unwrap();
    assert_eq!(pool.insert(tx(&a, 2, 10), 100, 0).unwrap_err().code, ErrorCode::MempoolFull);
    pool.insert(tx(&b, 0, 10), 100, 0).unwrap();
    assert_eq!(pool.insert(tx(&b, 1, 10), 100, 0).unwrap_err().code, ErrorCode::MempoolFull);
    assert_eq!(pool.len(), 3);
    assert_eq!(pool.bytes(), 300);
}

#[test]
fn selection_takes_consecutive_nonces_round_robin_and_respects_limits() {
    let senders: Vec<Keypair> = (1..=3).map(key).collect();
    let mut pool = Mempool::new(limits(100, 100));
    for s in &senders {
        for n in [0, 1, 2, 4] {
            pool.insert(tx(s, n, 10), 10, 0).unwrap();
        }
    }
    // Nonce 3 is missing, so nonce 4 must wait; everything else goes, one sender at a time.
    let picked = pool.select(100, usize::MAX, |_| 0);
    assert_eq!(picked.len(), 9);
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
    assert_eq!(picked.iter().map(|t| t.body.nonce).collect::<Vec<_>>(), vec![1, 2]);
    // Selection leaves everything in the pool until it is committed.
    assert_eq!(pool.len(), 12);
}

#[test]
fn pruning_drops_committed_stale_and_expired_transactions() {
    let (a, b) = (key(1), key(2));
    let mut pool = Mempool::new(limits(100, 100));
    let committed = tx(&a, 0, 1000);
    pool.insert(committed.clone(), 10, 0).unwrap();
    pool.insert(tx(&a, 1, 1000), 10, 0).unwrap();
    pool.insert(tx(&b, 5, 50), 10, 0).unwrap();
    let dropped =
        pool.prune(&[committed.id()], None, 100, |addr| if *addr == a.public_key().address() { 1 } else { 0 });
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].1.code, ErrorCode::Expired);
    assert_eq!(pool.len(), 1);
    assert!(pool.contains(&tx(&a, 1, 1000).id()));
    // A nonce used by someone else's block leaves the pool as stale.
    let dropped = pool.prune(&[], Some(&[a.public_key().address()]), 0, |_| 2);
    assert_eq!(dropped[0].1.code, ErrorCode::BadNonce);
    assert!(pool.is_empty());
    assert_eq!(pool.bytes(), 0);
}

#[test]
fn only_a_transaction_at_its_senders_next_nonce_counts_as_ready() {
    let a = key(1);
    let mut pool = Mempool::new(limits(100, 100));
    assert!(!pool.has_ready());
    // Nonce 3 while the sender's next nonce is 1: it waits behind a gap and must not hurry the proposer.
    pool.insert(tx(&a, 3, 1000), 10, 1).unwrap();
    assert!(!pool.has_ready());
    pool.insert(tx(&a, 1, 1000), 10, 1).unwrap();
    assert!(pool.has_ready());
    // Once nonce 1 commits elsewhere and the next nonce becomes 2, the gap is back.
    let dropped = pool.prune(&[], Some(&[a.public_key().address()]), 0, |_| 2);
    assert_eq!(dropped.len(), 1);
    assert!(!pool.has_ready());
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
