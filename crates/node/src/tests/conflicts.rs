//! The conflict check that decides whether a sender's pending run survives a commit, on key fingerprints.

use publica_execution::{Changes, Writers};
use publica_types::Address;

use crate::mempool::{fingerprint, PendingOverlay, ReadSet, WriterPrints};

fn address(n: u8) -> Address {
    Address([n; 20])
}

/// A run that read `reads` and wrote `writes`.
fn overlay(reads: &[&[u8]], writes: &[&[u8]]) -> PendingOverlay {
    let changes: Changes = writes.iter().map(|k| (k.to_vec(), Some(b"v".to_vec()))).collect();
    let reads: ReadSet = reads.iter().map(|k| fingerprint(k)).collect();
    PendingOverlay { height: 1, first: 0, end: 1, origin: 0, changes, reads }
}

fn writers(entries: &[(&[u8], Option<Address>)]) -> WriterPrints {
    let writers: Writers = entries.iter().map(|(k, w)| (k.to_vec(), *w)).collect();
    WriterPrints::of(&writers)
}

#[test]
fn a_run_survives_a_block_that_wrote_nothing_it_read_or_wrote() {
    let run = overlay(&[b"acct/a", b"cell/1"], &[b"acct/a"]);
    let block = writers(&[(b"acct/b", Some(address(2))), (b"cell/9", None)]);
    assert!(run.survives(&address(1), &block));
}

#[test]
fn a_run_does_not_survive_a_block_where_another_sender_wrote_a_key_it_read_or_wrote() {
    let sender = address(1);
    let run = overlay(&[b"acct/a", b"cell/1"], &[b"acct/a", b"cell/2"]);
    // Read by the run, written by another sender.
    assert!(!run.survives(&sender, &writers(&[(b"cell/1", Some(address(2)))])));
    // Written by the run and by another sender.
    assert!(!run.survives(&sender, &writers(&[(b"cell/2", Some(address(2)))])));
    // Written by several senders, or by the block itself (evidence, the log's head).
    assert!(!run.survives(&sender, &writers(&[(b"cell/1", None)])));
    // Written by the sender's own committed transactions only: the run executes on it as it did.
    assert!(run.survives(&sender, &writers(&[(b"acct/a", Some(sender)), (b"cell/2", Some(sender))])));
}

#[test]
fn both_ways_of_looking_agree_whichever_side_is_smaller() {
    // The check walks the block's writers when there are fewer of them than the run's keys, else the run's keys.
    let sender = address(1);
    let keys: Vec<Vec<u8>> = (0..200u32).map(|i| format!("key/{i}").into_bytes()).collect();
    let refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let big_run = overlay(&refs[..150], &refs[150..]);
    let small_run = overlay(&refs[..2], &refs[2..3]);
    for (key, expected_big, expected_small) in
        [(&keys[1], false, false), (&keys[160], false, true), (&keys[199], false, true)]
    {
        let block = writers(&[(key, Some(address(2)))]);
        assert_eq!(big_run.survives(&sender, &block), expected_big, "{}", String::from_utf8_lossy(key));
        assert_eq!(small_run.survives(&sender, &block), expected_small, "{}", String::from_utf8_lossy(key));
    }
    let many: Vec<(&[u8], Option<Address>)> = refs.iter().map(|k| (*k, Some(address(2)))).collect();
    assert!(!small_run.survives(&sender, &writers(&many)));
    let others: Vec<Vec<u8>> = (0..500u32).map(|i| format!("other/{i}").into_bytes()).collect();
    let many: Vec<(&[u8], Option<Address>)> = others.iter().map(|k| (k.as_slice(), Some(address(2)))).collect();
    assert!(small_run.survives(&sender, &writers(&many)));
    assert!(big_run.survives(&sender, &writers(&many)));
}

#[test]
fn fingerprints_are_stable_within_a_process_and_tell_keys_apart() {
    assert_eq!(fingerprint(b"acct/a"), fingerprint(b"acct/a"));
    let prints: std::collections::HashSet<u64> = (0..100_000u32).map(|i| fingerprint(&i.to_be_bytes())).collect();
    assert_eq!(prints.len(), 100_000, "no two of 100,000 keys share a fingerprint");
}
