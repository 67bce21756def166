//! Light verification across validator-set changes: a history verified from the genesis set gives the set of each
//! height, and every broken link is refused.

use publica_crypto::{Address, Keypair};
use publica_types::*;
use publica_verify::{CertifiedHeader, SetChange, ValidatorHistory, VerifiedSets, VerifyError};

use crate::{certify, chain, set};

fn key(i: u8) -> Keypair {
    Keypair::from_seed(&[100 + i; 32])
}

/// A header at `height` signed by `signers` (members of `current`), naming `next` as the next set.
fn certified(height: u64, signers: &[&Keypair], current: &ValidatorSet, next: &ValidatorSet) -> CertifiedHeader {
    let header = BlockHeader {
        version: HEADER_VERSION,
        chain_id: chain(),
        height,
        time_ms: 1_700_000_000_000 + height * 1000,
        parent_hash: [1; 32],
        proposer: signers[0].public_key().address(),
        tx_root: [2; 32],
        tx_count: 0,
        evidence_root: [4; 32],
        state_root: [3; 32],
        validator_set_hash: current.hash(),
        next_validator_set_hash: next.hash(),
    };
    CertifiedHeader { certificate: certify(&header, signers), header }
}

struct Fixture {
    genesis: Genesis,
    /// Keys 0..4: genesis set {0,1,2,3}; at height 10 key 4 joins with power 3; at height 20 key 0 leaves and key
    /// 4's power returns to 1.
    keys: Vec<Keypair>,
    sets: Vec<ValidatorSet>,
    history: ValidatorHistory,
}

fn fixture() -> Fixture {
    let keys: Vec<Keypair> = (0..5).map(key).collect();
    let s0 = set(&keys[0..4]);
    // Key 4 joins with power 3, so that a quorum of the new set need not hold a quorum of the old one.
    let mut members: Vec<Validator> = keys[0..4].iter().map(|k| Validator::from_keypair(k, 1)).collect();
    members.push(Validator::from_keypair(&keys[4], 3));
    let s1 = ValidatorSet::new(members).unwrap();
    let s2 = set(&keys[1..5]);
    let genesis = Genesis {
        chain_id: chain(),
        genesis_time_ms: 1_700_000_000_000,
        agencies: vec![GenesisAgency {
            id: "land".parse().unwrap(),
            name: "Land".into(),
            can_register_citizens: false,
            roles: Vec::new(),
            admins: vec![GenesisAccount { public_key: key(9).public_key().clone() }],
        }],
        validators: s0.clone(),
    };
    let k = |i: usize| &keys[i];
    let history = ValidatorHistory {
        chain_id: chain(),
        changes: vec![
            SetChange { certified: certified(10, &[k(0), k(1), k(2)], &s0, &s1), validators: s1.clone() },
            SetChange { certified: certified(20, &[k(1), k(2), k(3), k(4)], &s1, &s2), validators: s2.clone() },
        ],
    };
    Fixture { genesis, keys, sets: vec![s0, s1, s2], history }
}

#[test]
fn a_history_gives_the_set_of_every_height_and_time() {
    let f = fixture();
    let sets = f.history.verify(&f.genesis).unwrap();
    for (height, expected) in [(1, 0), (10, 0), (11, 1), (20, 1), (21, 2), (1_000_000, 2)] {
        assert_eq!(sets.at_height(height), &f.sets[expected], "height {height}");
    }
    assert_eq!(sets.latest(), &f.sets[2]);
    // Block 10 (time ...010 s) was signed by set 0, block 11 by set 1: a checkpoint cosigned in second 1_700_000_010
    // may come from either.
    let at = |s: u64| sets.at_timestamp(s).cloned().collect::<Vec<_>>();
    assert_eq!(at(1_700_000_005), vec![f.sets[0].clone()]);
    assert_eq!(at(1_700_000_010), vec![f.sets[0].clone(), f.sets[1].clone()]);
    assert_eq!(at(1_700_000_015), vec![f.sets[1].clone()]);
    assert_eq!(at(1_700_000_030), vec![f.sets[2].clone()]);
    // A header after both changes verifies with the history, not with the genesis set alone.
    let later = certified(25, &[&f.keys[1], &f.keys[2], &f.keys[4]], &f.sets[2], &f.sets[2]);
    sets.verify_header(&later).unwrap();
    assert!(matches!(
        VerifiedSets::genesis_only(&f.genesis).verify_header(&later),
        Err(VerifyError::ValidatorSetMismatch { .. })
    ));
    // JSON round trip, as served by the API.
    let json = serde_json::to_vec(&f.history).unwrap();
    assert_eq!(ValidatorHistory::from_json(&json).unwrap(), f.history);
}

#[test]
fn every_broken_link_is_refused() {
    let f = fixture();
    let refuse = |history: &ValidatorHistory, what: &str| {
        let error = history.verify(&f.genesis).expect_err(what);
        assert!(matches!(error, VerifyError::History { .. } | VerifyError::WrongChain { .. }), "{what}: {error}");
    };
    // The new set is not the one the header names.
    let mut h = f.history.clone();
    h.changes[0].validators = set(&f.keys[0..3]);
    refuse(&h, "another set than the header names");
    // The change signed by too little of the old set (two of four).
    let mut h = f.history.clone();
    h.changes[0].certified = certified(10, &[&f.keys[0], &f.keys[1]], &f.sets[0], &f.sets[1]);
    refuse(&h, "no quorum of the old set");
    // The second change signed by the new members alone, as if the first set had vanished.
    let mut h = f.history.clone();
    h.changes[1].certified = certified(20, &[&f.keys[4]], &f.sets[1], &f.sets[2]);
    refuse(&h, "signed by the joining validator alone");
    // Skipping the first change: the second header names a set the genesis set never installed.
    let mut h = f.history.clone();
    h.changes.remove(0);
    refuse(&h, "a missing link");
    // Out of order.
    let mut h = f.history.clone();
    h.changes.swap(0, 1);
    refuse(&h, "out of order");
    // A "change" that changes nothing is skipped, but only once its certificate holds.
    let mut h = f.history.clone();
    h.changes.insert(
        1,
        SetChange {
            certified: certified(15, &[&f.keys[0], &f.keys[1]], &f.sets[1], &f.sets[1]),
            validators: f.sets[1].clone(),
        },
    );
    refuse(&h, "a no-op entry without a quorum");
    // Another network.
    let mut h = f.history.clone();
    h.chain_id = "elsewhere".parse().unwrap();
    refuse(&h, "another chain");
}

/// A receipt for a one-entry log whose checkpoint is signed, with cosignature time `time_s`, by every key of `set`.
fn receipt_signed_by(signers: &[&Keypair], set: &ValidatorSet, time_s: u64) -> Vec<u8> {
    use publica_merkle::log::leaf_hash;
    use publica_notary_log::checkpoint::{assemble, LogSigner};
    use publica_tlog::TlogProof;
    let entry = publica_notary_log::Entry {
        hash: [5; 32],
        account: Address([7; 20]),
        agency: "land".parse().unwrap(),
        height: 3,
        time_ms: time_s * 1000,
        label: None,
    }
    .to_bytes();
    let root = leaf_hash(&entry);
    let votes: Vec<_> = signers
        .iter()
        .map(|k| (k.public_key().address(), LogSigner::new(&chain(), k).unwrap().sign(1, root, time_s).unwrap()))
        .collect();
    let checkpoint = assemble(&chain(), set, 1, root, time_s, &votes).expect("the signers make a quorum of their set");
    TlogProof { extra: Some(entry), index: 0, proof: Vec::new(), checkpoint }.to_bytes()
}

#[test]
fn a_receipt_is_checked_against_the_set_in_force_at_its_checkpoint() {
    use publica_verify::{verify_receipt, ReceiptError, ReceiptPolicy};
    let f = fixture();
    let sets = f.history.verify(&f.genesis).unwrap();
    let policy = ReceiptPolicy::validators_only(chain(), sets);
    let genesis_only = ReceiptPolicy::validators_only(chain(), VerifiedSets::genesis_only(&f.genesis));
    let k: Vec<&Keypair> = f.keys.iter().collect();
    // Before the first change (block 10 at second ...010), the genesis set signs.
    let early = receipt_signed_by(&k[0..4], &f.sets[0], 1_700_000_005);
    verify_receipt(&early, &policy, None).unwrap();
    verify_receipt(&early, &genesis_only, None).unwrap();
    // Between the changes, a quorum of the new set signed (keys 2, 3 and 4: power 5 of 7): the history knows it,
    // the genesis set alone does not (two of its four members).
    let middle = receipt_signed_by(&k[2..5], &f.sets[1], 1_700_000_015);
    assert_eq!(verify_receipt(&middle, &policy, None).unwrap().signers.validators.len(), 3);
    assert!(matches!(verify_receipt(&middle, &genesis_only, None), Err(ReceiptError::ValidatorQuorum { .. })));
    // A quorum of the genesis set that is no quorum of the later sets (keys 0, 1, 2) cannot vouch for a checkpoint
    // of a time after the genesis set was replaced.
    let stale = receipt_signed_by(&k[0..3], &f.sets[0], 1_700_000_030);
    assert!(matches!(verify_receipt(&stale, &policy, None), Err(ReceiptError::SetNotInForce { .. })));
}

#[test]
fn a_history_entry_that_does_not_change_the_set_is_skipped() {
    // Two approvals in one block that cancel out (power 3 -> 2 -> 3) used to be reported as a change to the same
    // set; such an entry, once served, made every later verification of the history fail for good.
    let f = fixture();
    let k = |i: usize| &f.keys[i];
    let mut h = f.history.clone();
    h.changes.insert(
        1,
        SetChange {
            certified: certified(15, &[k(2), k(3), k(4)], &f.sets[1], &f.sets[1]),
            validators: f.sets[1].clone(),
        },
    );
    // And one at the very start, naming the genesis set again.
    h.changes.insert(
        0,
        SetChange {
            certified: certified(5, &[k(0), k(1), k(2)], &f.sets[0], &f.sets[0]),
            validators: f.sets[0].clone(),
        },
    );
    let sets = h.verify(&f.genesis).expect("no-op entries are skipped");
    assert_eq!(sets, f.history.verify(&f.genesis).unwrap(), "the same sets as without them");
    for (height, expected) in [(5, 0), (6, 0), (11, 1), (16, 1), (21, 2)] {
        assert_eq!(sets.at_height(height), &f.sets[expected], "height {height}");
    }
    // The time a set took over is the block that changed it, not the no-op one.
    let at = |s: u64| sets.at_timestamp(s).cloned().collect::<Vec<_>>();
    assert_eq!(at(1_700_000_015), vec![f.sets[1].clone()]);
}

#[test]
fn a_far_future_cosignature_timestamp_cannot_make_a_valid_receipt_fail_after_a_set_change() {
    use publica_notary_log::checkpoint::{origin, validator_vkeys, LogSigner};
    use publica_tlog::{NoteSignature, SignedCheckpoint, TlogProof};
    use publica_verify::{verify_receipt, ReceiptError, ReceiptPolicy};
    let f = fixture();
    let policy = ReceiptPolicy::validators_only(chain(), f.history.verify(&f.genesis).unwrap());
    let k: Vec<&Keypair> = f.keys.iter().collect();
    // The genesis set signed a checkpoint at second ...005, three of its members at that time; the fourth, a
    // Byzantine validator, signed with a time in the year 2100. The set changed later, at block 10.
    let time_s = 1_700_000_005;
    let year_2100_s = 4_102_444_800;
    let honest = receipt_signed_by(&k[0..3], &f.sets[0], time_s);
    let mut proof = TlogProof::parse(&honest).unwrap();
    let byzantine = &f.keys[3];
    let vote = LogSigner::new(&chain(), byzantine)
        .unwrap()
        .sign(proof.checkpoint.checkpoint.size, proof.checkpoint.checkpoint.root, year_2100_s)
        .unwrap();
    let member = f.sets[0].get(&byzantine.public_key().address()).unwrap();
    let [ed, ml] = validator_vkeys(&origin(&chain()), member).unwrap();
    let mut signed: SignedCheckpoint = proof.checkpoint.clone();
    signed.add_signature(NoteSignature { name: ed.name.clone(), key_id: ed.key_id, signature: vote.ed25519 });
    signed.add_signature(NoteSignature { name: ml.name.clone(), key_id: ml.key_id, signature: vote.ml_dsa_44 });
    proof.checkpoint = signed;
    let verified = verify_receipt(&proof.to_bytes(), &policy, None).expect("the signing majority's time counts");
    assert_eq!(verified.signers.signed_at_s, Some(time_s), "the time the majority attests, not the latest");
    assert_eq!(verified.signers.validators.len(), 3, "the line with another time does not count");

    // Without a majority agreeing on one time, nothing is vouched for: two members at the block's time (the lines of
    // members 0 and 1 of an honest checkpoint), two in the year 2100.
    let mut proof = TlogProof::parse(&honest).unwrap();
    let keep: Vec<u32> = f.keys[0..2]
        .iter()
        .flat_map(|k| validator_vkeys(&origin(&chain()), f.sets[0].get(&k.public_key().address()).unwrap()).unwrap())
        .map(|key| key.key_id)
        .collect();
    let mut note = publica_tlog::Note::new(proof.checkpoint.note.text().to_owned()).unwrap();
    for line in proof.checkpoint.note.signatures().iter().filter(|l| keep.contains(&l.key_id)) {
        note.add_signature(line.clone());
    }
    proof.checkpoint = SignedCheckpoint::from_note(note).unwrap();
    assert_eq!(proof.checkpoint.note.signatures().len(), 4);
    for late in &f.keys[2..4] {
        let vote = LogSigner::new(&chain(), late)
            .unwrap()
            .sign(proof.checkpoint.checkpoint.size, proof.checkpoint.checkpoint.root, year_2100_s)
            .unwrap();
        let member = f.sets[0].get(&late.public_key().address()).unwrap();
        let [ed, ml] = validator_vkeys(&origin(&chain()), member).unwrap();
        proof.checkpoint.add_signature(NoteSignature {
            name: ed.name.clone(),
            key_id: ed.key_id,
            signature: vote.ed25519,
        });
        proof.checkpoint.add_signature(NoteSignature {
            name: ml.name.clone(),
            key_id: ml.key_id,
            signature: vote.ml_dsa_44,
        });
    }
    assert!(matches!(verify_receipt(&proof.to_bytes(), &policy, None), Err(ReceiptError::ValidatorQuorum { .. })));
}

#[test]
fn the_set_not_in_force_message_reads_as_one_sentence() {
    let message = publica_verify::ReceiptError::SetNotInForce { signed_at_s: 5 }.to_string();
    assert!(!message.contains("  "), "{message}");
    assert!(message.contains("not signing at its time (5 s)"), "{message}");
}
