//! Evidence of equivocation: what verifies, what is refused and why, and how blocks carry it.

use publica_testkit::{keypair, validator_set, MemoryState};
use publica_tx::tx_root;
use publica_tx::*;
use publica_types::codec::CodecError;
use publica_types::evidence::{
    check_recordable, evidence_count, evidence_count_of, evidence_index_key, evidence_root, is_recorded, record,
    EVIDENCE_COUNT_KEY,
};
use publica_types::*;

use super::chain;

fn vote(k: &Keypair, height: u64, round: u32, kind: VoteKind, block: Option<u8>) -> SignedVote {
    let vote = VoteBody { height, round, kind, block_hash: block.map(|b| [b; 32]), validator: k.address() };
    let signature = k.sign(&vote.signing_bytes(&chain()));
    SignedVote { vote, signature }
}

fn proposal(k: &Keypair, height: u64, round: u32, pol_round: Option<u32>, block: u8) -> SignedProposal {
    let proposal = ProposalBody { height, round, pol_round, block_hash: [block; 32], proposer: k.address() };
    let signature = k.sign(&proposal.signing_bytes(&chain()));
    SignedProposal { proposal, signature }
}

fn double_prevote(k: &Keypair) -> Misbehavior {
    Misbehavior::double_vote(vote(k, 5, 1, VoteKind::Prevote, Some(1)), vote(k, 5, 1, VoteKind::Prevote, Some(2)))
        .unwrap()
}

fn refusal(result: Result<Misbehavior, TypesError>) -> String {
    match result {
        Err(TypesError::Evidence(reason)) => reason,
        other => panic!("expected an evidence refusal, got {other:?}"),
    }
}

#[test]
fn a_validator_voting_twice_in_one_step_is_proven_and_the_pair_has_one_encoding() {
    let (k, other) = (keypair("validator-1"), keypair("validator-2"));
    let validators = validator_set([&k, &other]);
    let a = vote(&k, 5, 1, VoteKind::Prevote, Some(1));
    let b = vote(&k, 5, 1, VoteKind::Prevote, Some(2));
    let evidence = Misbehavior::double_vote(a.clone(), b.clone()).unwrap();
    evidence.verify(&chain(), &validators).unwrap();
    assert_eq!(evidence.validator(), k.address());
    assert_eq!((evidence.height(), evidence.round(), evidence.kind()), (5, 1, EvidenceKind::Prevote));

    // Either order gives the same evidence, encoding and state key.
    let swapped = Misbehavior::double_vote(b.clone(), a.clone()).unwrap();
    assert_eq!(swapped, evidence);
    assert_eq!(swapped.encode(), evidence.encode());
    assert_eq!(Misbehavior::decode(&evidence.encode()).unwrap(), evidence);

    // The other order, written by hand, is refused by the decoder.
    let reversed = Misbehavior::DoubleVote { first: b, second: a };
    let reason = match Misbehavior::decode(&reversed.encode()) {
        Err(TypesError::Evidence(reason)) => reason,
        other => panic!("reversed pair accepted: {other:?}"),
    };
    assert!(reason.contains("canonical order"), "{reason}");

    // A nil vote and a vote for a block conflict too; so do two precommits.
    let nil = Misbehavior::double_vote(
        vote(&k, 5, 1, VoteKind::Precommit, None),
        vote(&k, 5, 1, VoteKind::Precommit, Some(3)),
    )
    .unwrap();
    nil.verify(&chain(), &validators).unwrap();
    assert_eq!(nil.kind(), EvidenceKind::Precommit);
    assert_eq!(nil.state_key(), evidence.state_key(), "one offence per validator and height is recorded");
}

#[test]
fn pairs_that_prove_nothing_are_refused_with_the_reason() {
    let (k, other) = (keypair("validator-1"), keypair("validator-2"));
    let same = vote(&k, 5, 1, VoteKind::Prevote, Some(1));
    let again = vote(&k, 5, 1, VoteKind::Prevote, Some(1));
    assert!(refusal(Misbehavior::double_vote(same.clone(), again)).contains("same block"));
    assert!(refusal(Misbehavior::double_vote(same.clone(), same.clone())).contains("same block"));

    let reason = refusal(Misbehavior::double_vote(same.clone(), vote(&other, 5, 1, VoteKind::Prevote, Some(2))));
    assert!(reason.contains("two validators"), "{reason}");

    for (what, different) in [
        ("height", vote(&k, 6, 1, VoteKind::Prevote, Some(2))),
        ("round", vote(&k, 5, 2, VoteKind::Prevote, Some(2))),
        ("kind", vote(&k, 5, 1, VoteKind::Precommit, Some(2))),
    ] {
        let reason = refusal(Misbehavior::double_vote(same.clone(), different));
        assert!(reason.contains("different steps"), "other {what}: {reason}");
    }

    let p = proposal(&k, 5, 0, None, 1);
    assert!(refusal(Misbehavior::double_proposal(p.clone(), p.clone())).contains("same message"));
    assert!(refusal(Misbehavior::double_proposal(p.clone(), proposal(&k, 5, 1, None, 2))).contains("different rounds"));
    assert!(
        refusal(Misbehavior::double_proposal(p.clone(), proposal(&other, 5, 0, None, 2))).contains("two validators")
    );
}

#[test]
fn signatures_must_be_the_validators_own_on_this_chain() {
    let (k, other, outsider) = (keypair("validator-1"), keypair("validator-2"), keypair("validator-3"));
    let validators = validator_set([&k, &other]);

    // A signature by someone else over the accused validator's vote.
    let a = vote(&k, 5, 1, VoteKind::Prevote, Some(1));
    let mut forged = vote(&k, 5, 1, VoteKind::Prevote, Some(2));
    forged.signature = other.sign(&forged.vote.signing_bytes(&chain()));
    let evidence = Misbehavior::double_vote(a.clone(), forged).unwrap();
    let reason = refusal(evidence.verify(&chain(), &validators).map(|()| evidence.clone()));
    assert!(reason.contains("signature"), "{reason}");

    // A signature of the right validator, but for another chain.
    let mut elsewhere = vote(&k, 5, 1, VoteKind::Prevote, Some(2));
    elsewhere.signature = k.sign(&elsewhere.vote.signing_bytes(&"other-chain".parse().unwrap()));
    let evidence = Misbehavior::double_vote(a, elsewhere).unwrap();
    assert!(evidence.verify(&chain(), &validators).is_err());

    // Valid signatures by a key outside the set of that height prove nothing about the validators.
    let evidence = double_prevote(&outsider);
    let reason = refusal(evidence.verify(&chain(), &validators).map(|()| evidence.clone()));
    assert!(reason.contains("was not a validator"), "{reason}");
    evidence.verify(&chain(), &validator_set([&outsider])).unwrap();
}

#[test]
fn double_proposals_verify_and_a_different_lock_round_conflicts() {
    let k = keypair("validator-1");
    let validators = validator_set([&k]);
    let evidence = Misbehavior::double_proposal(proposal(&k, 9, 2, None, 1), proposal(&k, 9, 2, None, 2)).unwrap();
    evidence.verify(&chain(), &validators).unwrap();
    assert_eq!(evidence.kind(), EvidenceKind::Proposal);
    let relock = Misbehavior::double_proposal(proposal(&k, 9, 2, None, 1), proposal(&k, 9, 2, Some(0), 1)).unwrap();
    relock.verify(&chain(), &validators).unwrap();
    assert_eq!(Misbehavior::decode(&relock.encode()).unwrap(), relock);
}

#[test]
fn the_decoder_has_a_size_limit_and_refuses_trailing_bytes() {
    let evidence = double_prevote(&keypair("validator-1"));
    let mut long = evidence.encode();
    long.push(0);
    assert!(matches!(Misbehavior::decode(&long), Err(TypesError::Codec(CodecError::Malformed { .. }))));
    let huge = vec![0u8; MAX_EVIDENCE_BYTES + 1];
    assert!(matches!(Misbehavior::decode(&huge), Err(TypesError::Codec(CodecError::TooLarge { .. }))));
    assert!(Misbehavior::decode(&evidence.encode()[..100]).is_err());
}

fn header(evidence: &[Misbehavior]) -> BlockHeader {
    BlockHeader {
        version: HEADER_VERSION,
        chain_id: chain(),
        height: 7,
        time_ms: 10,
        parent_hash: [0; 32],
        proposer: Address([1; 20]),
        tx_root: tx_root(&[]),
        tx_count: 0,
        evidence_root: evidence_root(evidence),
        state_root: [2; 32],
        validator_set_hash: [3; 32],
        next_validator_set_hash: [3; 32],
    }
}

fn block(evidence: Vec<Misbehavior>) -> Block {
    Block { header: header(&evidence), txs: vec![], evidence }
}

#[test]
fn blocks_commit_to_their_evidence() {
    assert_eq!(HEADER_VERSION, 2);
    let (a, b) = (keypair("validator-1"), keypair("validator-2"));
    let evidence = vec![double_prevote(&a), double_prevote(&b)];
    let with = block(evidence.clone());
    assert_eq!(Block::decode(&with.encode()).unwrap(), with);
    let without = block(vec![]);
    assert_eq!(Block::decode(&without.encode()).unwrap(), without);
    assert_ne!(with.hash(), without.hash(), "the header commits to the evidence");
    assert_eq!(BlockHeader::decode(&encode(&with.header)).unwrap(), with.header);

    // Evidence the header does not commit to, in another order, or left out.
    let mut swapped = with.clone();
    swapped.evidence.reverse();
    assert!(Block::decode(&swapped.encode()).is_err());
    let mut dropped = with.clone();
    dropped.evidence.pop();
    assert!(Block::decode(&dropped.encode()).is_err());

    // The same offence twice, even proven by another pair of votes.
    let other_pair = Misbehavior::double_vote(
        vote(&a, 5, 1, VoteKind::Prevote, Some(1)),
        vote(&a, 5, 1, VoteKind::Prevote, Some(9)),
    )
    .unwrap();
    let twice = block(vec![double_prevote(&a), other_pair]);
    match Block::decode(&twice.encode()) {
        Err(TypesError::Evidence(reason)) => assert!(reason.contains("same offence"), "{reason}"),
        other => panic!("duplicate offence accepted: {other:?}"),
    }

    // A malformed piece inside a block.
    let k = keypair("validator-3");
    let bad = Misbehavior::DoubleVote {
        first: vote(&k, 5, 1, VoteKind::Prevote, Some(1)),
        second: vote(&k, 5, 1, VoteKind::Prevote, Some(1)),
    };
    assert!(matches!(Block::decode(&block(vec![bad]).encode()), Err(TypesError::Evidence(_))));

    // Another round or step of the same validator at the same height is a second offence at that height.
    let other_round = Misbehavior::double_vote(
        vote(&a, 5, 4, VoteKind::Precommit, Some(1)),
        vote(&a, 5, 4, VoteKind::Precommit, Some(2)),
    )
    .unwrap();
    match Block::decode(&block(vec![double_prevote(&a), other_round]).encode()) {
        Err(TypesError::Evidence(reason)) => {
            assert!(reason.contains("one offence per validator and height"), "{reason}")
        }
        other => panic!("two offences of one validator at one height accepted: {other:?}"),
    }

    // At most MAX_BLOCK_EVIDENCE pieces.
    let many: Vec<Misbehavior> = (0..=MAX_BLOCK_EVIDENCE as u64)
        .map(|height| {
            Misbehavior::double_vote(
                vote(&a, 5 + height, 0, VoteKind::Prevote, Some(1)),
                vote(&a, 5 + height, 0, VoteKind::Prevote, Some(2)),
            )
            .unwrap()
        })
        .collect();
    assert!(matches!(
        Block::decode(&block(many.clone()).encode()),
        Err(TypesError::Codec(CodecError::TooLarge { .. }))
    ));
    assert!(Block::decode(&block(many[..MAX_BLOCK_EVIDENCE].to_vec()).encode()).is_ok());
}

#[test]
fn recording_writes_the_piece_its_index_and_the_count_once_per_offence() {
    let (a, b) = (keypair("validator-1"), keypair("validator-2"));
    let mut state = MemoryState::new();
    let first = double_prevote(&a);
    assert!(!is_recorded(&state, &first));
    record(&mut state, &first).unwrap();
    record(&mut state, &double_prevote(&b)).unwrap();
    // The same offence proven by another pair is not recorded again, and nothing changes.
    let before = state.clone();
    let other_pair = Misbehavior::double_vote(
        vote(&a, 5, 1, VoteKind::Prevote, Some(7)),
        vote(&a, 5, 1, VoteKind::Prevote, Some(8)),
    )
    .unwrap();
    assert!(refusal(record(&mut state, &other_pair).map(|()| other_pair.clone())).contains("already recorded"));
    assert_eq!(state, before);
    assert_eq!(evidence_count_of(&state, &a.address()), 1);

    assert_eq!(evidence_count(&state), 2);
    assert_eq!(state.get(EVIDENCE_COUNT_KEY), Some(2u64.to_le_bytes().to_vec()));
    assert_eq!(state.get(&evidence_index_key(0)), Some(first.state_key()));
    assert_eq!(Misbehavior::decode(&state.get(&first.state_key()).unwrap()).unwrap(), first);
    assert!(first.state_key().starts_with(b"sys/evidence/"));
}

/// A Byzantine validator can sign conflicting votes for any round and step of every height; what it can make the
/// chain record is bounded: one offence per height, and `MAX_EVIDENCE_PER_VALIDATOR` in all.
#[test]
fn a_validator_cannot_grow_the_state_without_bound_with_evidence_against_itself() {
    let (a, b) = (keypair("validator-1"), keypair("validator-2"));
    let mut state = MemoryState::new();
    let pair = |k: &Keypair, height: u64, round: u32, kind: VoteKind| {
        Misbehavior::double_vote(vote(k, height, round, kind, Some(1)), vote(k, height, round, kind, Some(2))).unwrap()
    };
    // Many rounds and both steps at one height: one record.
    record(&mut state, &pair(&a, 10, 0, VoteKind::Prevote)).unwrap();
    for round in 0..50 {
        for kind in [VoteKind::Prevote, VoteKind::Precommit] {
            let piece = pair(&a, 10, round, kind);
            let reason = refusal(check_recordable(&state, &piece).map(|()| piece.clone()));
            assert!(reason.contains("already recorded"), "{reason}");
        }
    }
    let proposal_pair =
        Misbehavior::double_proposal(proposal(&a, 10, 3, None, 1), proposal(&a, 10, 3, None, 2)).unwrap();
    assert!(
        check_recordable(&state, &proposal_pair).is_err(),
        "a double proposal at the same height is the same offence"
    );

    // Every later height: up to the cap, then nothing more.
    let mut recorded = 1;
    for height in 11..200 {
        match record(&mut state, &pair(&a, height, 7, VoteKind::Precommit)) {
            Ok(()) => recorded += 1,
            Err(TypesError::Evidence(reason)) => {
                assert!(reason.contains("the most kept per validator"), "{reason}");
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(recorded, MAX_EVIDENCE_PER_VALIDATOR);
    assert_eq!(evidence_count_of(&state, &a.address()), MAX_EVIDENCE_PER_VALIDATOR);
    let records = state.keys_with_prefix(b"sys/evidence/").count() as u64;
    assert_eq!(records, MAX_EVIDENCE_PER_VALIDATOR, "one record per offence, and no more than the cap");

    // Another validator's offences are still recorded.
    record(&mut state, &pair(&b, 11, 0, VoteKind::Prevote)).unwrap();
    assert_eq!(evidence_count(&state), MAX_EVIDENCE_PER_VALIDATOR + 1);
}
