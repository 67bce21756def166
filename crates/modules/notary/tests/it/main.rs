//! The notary module's entry format, per-block log and checkpoint signatures.

mod checkpoint_keys;

use std::collections::HashMap;

use proptest::prelude::*;
use publica_crypto::Keypair;
use publica_merkle::log::{leaf_hash, root};
use publica_notary::checkpoint::{self, CheckpointVote, LogSigner};
use publica_notary::{AnchorIndex, Anchored, BlockLog, Entry, LOG_STATE_KEY};
use publica_testkit::{keypair, keypairs, validator_set, MemoryState};
use publica_types::{Address, ChainId, Hash, StateRead, ValidatorSet};

fn entry(hash: u8, label: Option<&str>) -> Entry {
    Entry {
        hash: [hash; 32],
        account: Address([7; 20]),
        agency: "notary-office".parse().unwrap(),
        height: 42,
        time_ms: 1_700_000_000_123,
        label: label.map(str::to_owned),
    }
}

#[test]
fn entry_bytes_follow_the_documented_layout() {
    let e = entry(0xab, Some("deeds 2026"));
    let bytes = e.to_bytes();
    let mut expected = vec![0x01];
    expected.extend([0xab; 32]);
    expected.extend([7; 20]);
    expected.push(13);
    expected.extend(b"notary-office");
    expected.extend(42u64.to_be_bytes());
    expected.extend(1_700_000_000_123u64.to_be_bytes());
    expected.push(10);
    expected.extend(b"deeds 2026");
    assert_eq!(bytes, expected);
    assert_eq!(Entry::from_bytes(&bytes).unwrap(), e);
    let unlabelled = entry(1, None);
    assert_eq!(Entry::from_bytes(&unlabelled.to_bytes()).unwrap(), unlabelled);
}

#[test]
fn malformed_entries_are_refused() {
    let good = entry(1, Some("x")).to_bytes();
    for cut in 0..good.len() {
        assert!(Entry::from_bytes(&good[..cut]).is_err(), "truncated at {cut}");
    }
    let mut extra = good.clone();
    extra.push(0);
    assert!(Entry::from_bytes(&extra).unwrap_err().to_string().contains("after the label"));
    let mut version = good.clone();
    version[0] = 2;
    assert!(Entry::from_bytes(&version).unwrap_err().to_string().contains("version"));
    let mut control = entry(1, Some("a\nb")).to_bytes();
    assert!(Entry::from_bytes(&control).is_err());
    control.truncate(0);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Entry::from_bytes(&bytes);
        let _ = CheckpointVote::decode(&bytes);
    }
}

#[derive(Default)]
struct Index(HashMap<Hash, u64>);

impl AnchorIndex for Index {
    fn lookup(&self, hash: &Hash) -> Option<u64> {
        self.0.get(hash).copied()
    }
}

/// Anchor `hashes` through `execute`'s building block, as one block, on top of `state` and `index`.
fn block(state: &mut MemoryState, index: &mut Index, hashes: &[u8]) -> (Vec<Anchored>, publica_notary::LogAppend) {
    let mut log = BlockLog::open(state, &*index);
    let results: Vec<Anchored> = hashes.iter().map(|h| log.anchor_entry(&entry(*h, None)).unwrap()).collect();
    let append = log.finish(state);
    for (i, h) in append.document_hashes.iter().enumerate() {
        index.0.insert(*h, append.first_index + i as u64);
    }
    (results, append)
}

#[test]
fn the_log_grows_by_new_hashes_and_keeps_first_entries() {
    let mut state = MemoryState::new();
    let mut index = Index::default();
    let (r1, a1) = block(&mut state, &mut index, &[1, 2, 1, 3]);
    assert_eq!(r1, vec![Anchored::New(0), Anchored::New(1), Anchored::Existing(0), Anchored::New(2)]);
    assert_eq!((a1.first_index, a1.size, a1.entries.len()), (0, 3, 3));
    let (r2, a2) = block(&mut state, &mut index, &[3, 4]);
    assert_eq!(r2, vec![Anchored::Existing(2), Anchored::New(3)]);
    assert_eq!((a2.first_index, a2.size), (3, 4));
    // The state's frontier gives the RFC 9162 root of every entry so far.
    let leaves: Vec<Hash> = a1.entries.iter().chain(&a2.entries).map(|e| leaf_hash(e)).collect();
    assert_eq!(a2.root, root(&leaves));
    assert_eq!(a2.leaf_hashes, leaves[3..].to_vec());
    // A block anchoring nothing new leaves the state alone.
    let before = state.get(LOG_STATE_KEY);
    let (_, a3) = block(&mut state, &mut index, &[1]);
    assert!(a3.is_empty());
    assert_eq!(state.get(LOG_STATE_KEY), before);
}

fn validators(n: usize) -> (Vec<Keypair>, ValidatorSet) {
    let keys = keypairs("validator", n);
    let set = validator_set(&keys);
    (keys, set)
}

#[test]
fn checkpoints_need_both_signatures_of_a_quorum() {
    let chain: ChainId = "test-chain".parse().unwrap();
    let (keys, set) = validators(4);
    let root = [9; 32];
    let votes: Vec<(Address, CheckpointVote)> = keys
        .iter()
        .map(|k| (k.address(), LogSigner::new(&chain, k).unwrap().sign(100, root, 1_700_000_000).unwrap()))
        .collect();
    for (a, v) in &votes {
        checkpoint::verify_vote(&checkpoint::origin(&chain), set.get(a).unwrap(), v).unwrap();
    }
    // Three of four is more than two thirds; two is not.
    let signed = checkpoint::assemble(&chain, &set, 100, root, 1_700_000_000, &votes[..3]).expect("quorum");
    checkpoint::verify_checkpoint(&chain, &set, &signed).unwrap();
    assert_eq!(signed.note.signatures().len(), 6);
    assert!(checkpoint::assemble(&chain, &set, 100, root, 1_700_000_000, &votes[..2]).is_none());
    // Votes for another head or with a broken signature do not count.
    let mut wrong = votes.clone();
    wrong[0].1.root = [8; 32];
    wrong[1].1.ml_dsa_44[20] ^= 1;
    assert!(checkpoint::assemble(&chain, &set, 100, root, 1_700_000_000, &wrong[..3]).is_none());
    // Round trip through text, and the origin of another network is refused.
    let parsed = publica_tlog::SignedCheckpoint::parse(&signed.to_bytes()).unwrap();
    checkpoint::verify_checkpoint(&chain, &set, &parsed).unwrap();
    let other: ChainId = "other-chain".parse().unwrap();
    assert!(checkpoint::verify_checkpoint(&other, &set, &parsed).unwrap_err().to_string().contains("not this network"));
    // A checkpoint signed only with the Ed25519 keys does not count: both halves are required.
    let mut ed_only = publica_tlog::Note::new(signed.note.text().to_owned()).unwrap();
    for (i, sig) in signed.note.signatures().iter().enumerate() {
        if i % 2 == 0 {
            ed_only.add_signature(sig.clone());
        }
    }
    let ed_only = publica_tlog::SignedCheckpoint { checkpoint: signed.checkpoint.clone(), note: ed_only };
    assert!(checkpoint::verify_checkpoint(&chain, &set, &ed_only).unwrap_err().to_string().contains("both keys"));
}

#[test]
fn checkpoint_votes_encode_within_their_limit() {
    let chain: ChainId = "test-chain".parse().unwrap();
    let vote = LogSigner::new(&chain, &keypair("validator")).unwrap().sign(1, [0; 32], 5).unwrap();
    let bytes = vote.encode();
    assert!(bytes.len() <= checkpoint::MAX_CHECKPOINT_VOTE_BYTES);
    assert_eq!(CheckpointVote::decode(&bytes).unwrap(), vote);
    assert!(CheckpointVote::decode(&vec![0; checkpoint::MAX_CHECKPOINT_VOTE_BYTES + 1]).is_err());
}

#[test]
fn large_anchorings_look_up_in_parallel_and_keep_first_entries() {
    let mut state = MemoryState::new();
    let mut index = Index::default();
    let doc = |i: u32| publica_crypto::sha256(&i.to_be_bytes());
    // 1,000 hashes with every tenth repeated inside the batch.
    let first: Vec<Hash> = (0..1000u32).map(|i| if i % 10 == 9 { doc(i - 9) } else { doc(i) }).collect();
    let mut log = BlockLog::open(&state, &index);
    let results = log.anchor(&entry(0, Some("batch")), &first);
    assert_eq!(results.iter().filter(|r| matches!(r, Anchored::New(_))).count(), 900);
    assert_eq!(results[9], Anchored::Existing(0));
    let a1 = log.finish(&mut state);
    for (i, h) in a1.document_hashes.iter().enumerate() {
        index.0.insert(*h, i as u64);
    }
    // The next block: half committed already, half new.
    let second: Vec<Hash> = (500..1500u32).map(doc).collect();
    let mut log = BlockLog::open(&state, &index);
    let results = log.anchor(&entry(0, None), &second);
    let new = results.iter().filter(|r| matches!(r, Anchored::New(_))).count();
    assert_eq!(new, 500 + 500 / 10);
    let a2 = log.finish(&mut state);
    assert_eq!(a2.first_index, 900);
    let all: Vec<Hash> = a1.entries.iter().chain(&a2.entries).map(|e| leaf_hash(e)).collect();
    assert_eq!(a2.root, root(&all));
    for (bytes, hash) in a2.entries.iter().zip(&a2.document_hashes) {
        assert_eq!(&Entry::from_bytes(bytes).unwrap().hash, hash);
    }
}

#[test]
fn a_dry_run_checks_but_appends_nothing() {
    let mut state = MemoryState::new();
    let index = Index::default();
    let mut log = BlockLog::dry_run(&index);
    assert_eq!(log.anchor(&entry(0, None), &[[1; 32], [2; 32]]), vec![]);
    assert!(log.finish(&mut state).is_empty());
    assert!(state.get(LOG_STATE_KEY).is_none());
}
