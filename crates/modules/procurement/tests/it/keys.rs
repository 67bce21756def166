//! The key ceremony: who may start one and take part, each step in its time and order, proofs checked on arrival,
//! a cheating dealer disqualified by a complaint, and a finished key that any threshold of holders opens.

use super::*;
use publica_procurement::error as codes;

#[test]
fn a_finished_key_matches_every_holders_secret_share() {
    let w = World::new();
    let key = w.sealing_key(w.key);
    let KeyStage::Ready { verification_keys, qualified, .. } = key.stage else { panic!("ready") };
    assert_eq!(qualified, vec![1, 2, 3]);
    for (share, verification_key) in w.shares.iter().zip(&verification_keys) {
        assert_eq!(&share.public(), verification_key, "a holder's share matches its verification key");
    }
}

#[test]
fn only_a_procurement_authority_starts_a_ceremony_among_key_holders() {
    let mut w = World::bare();
    let now = w.time_ms;
    w.err(BUYER, ceremony(now, 2), publica_types::ErrorCode::MissingRole);
    let mut call = ceremony(now, 2);
    if let ProcurementCall::CreateSealingKey { holders, .. } = &mut call {
        holders[2] = addr(BUYER);
    }
    w.err(CHIEF, call, publica_types::ErrorCode::MissingRole);
}

#[test]
fn a_ceremony_with_bad_holders_threshold_or_deadlines_is_refused() {
    let mut w = World::bare();
    let now = w.time_ms;
    for threshold in [0, 1, 4] {
        w.err(CHIEF, ceremony(now, threshold), codes::CEREMONY_INVALID);
    }
    let mut call = ceremony(now, 2);
    if let ProcurementCall::CreateSealingKey { holders, .. } = &mut call {
        holders[2] = holders[0];
    }
    w.err(CHIEF, call, codes::CEREMONY_INVALID);
    let mut call = ceremony(now, 2);
    if let ProcurementCall::CreateSealingKey { holders, .. } = &mut call {
        holders.truncate(1);
    }
    w.err(CHIEF, call, codes::CEREMONY_INVALID);
    let mut call = ceremony(now, 2);
    if let ProcurementCall::CreateSealingKey { deal_by_ms, register_by_ms, .. } = &mut call {
        *deal_by_ms = *register_by_ms;
    }
    w.err(CHIEF, call, codes::CEREMONY_INVALID);
    let mut call = ceremony(now, 2);
    if let ProcurementCall::CreateSealingKey { register_by_ms, .. } = &mut call {
        *register_by_ms = now;
    }
    w.err(CHIEF, call, codes::CEREMONY_INVALID);
    let mut call = ceremony(now, 2);
    if let ProcurementCall::CreateSealingKey { name, .. } = &mut call {
        name.clear();
    }
    w.err(CHIEF, call, codes::TEXT_INVALID);
}

#[test]
fn registrations_are_proven_once_each_by_holders_before_the_deadline() {
    let mut w = World::bare();
    let key = w.create_ceremony(2);
    let context = w.key_context(key);
    let secret = EncryptionSecret::generate(&mut w.rng);
    // A proof made for holder 2 does not register holder 1's key.
    let proof = threshold::prove_encryption_key(&secret, &context, 2, &mut w.rng).unwrap();
    let call = ProcurementCall::RegisterHolderKey { key, encryption_key: secret.public(), proof: proof.clone() };
    w.err(HOLDERS[0], call, codes::PROOF_INVALID);
    // Someone who is not a holder.
    let call = ProcurementCall::RegisterHolderKey { key, encryption_key: secret.public(), proof: proof.clone() };
    w.err(BUYER, call, codes::NOT_A_HOLDER);
    let call = ProcurementCall::RegisterHolderKey { key, encryption_key: secret.public(), proof: proof.clone() };
    w.ok(HOLDERS[1], call);
    let call = ProcurementCall::RegisterHolderKey { key, encryption_key: secret.public(), proof };
    w.err(HOLDERS[1], call, codes::CEREMONY_STEP);
    // Dealing needs every holder's key.
    let record = w.sealing_key(key);
    let deal = threshold::Deal::make(&mut w.rng, &context, 2, 2, &[secret.public(); 3]).unwrap();
    assert!(record.encryption_keys[0].is_none());
    w.err(HOLDERS[1], ProcurementCall::DealShares { key, deal }, codes::CEREMONY_STEP);
    // Past the deadline.
    w.at(record.register_by_ms + 1);
    let late = EncryptionSecret::generate(&mut w.rng);
    let proof = threshold::prove_encryption_key(&late, &context, 1, &mut w.rng).unwrap();
    let call = ProcurementCall::RegisterHolderKey { key, encryption_key: late.public(), proof };
    w.err(HOLDERS[0], call, codes::CEREMONY_STEP);
    // Another key's registration: unknown key.
    let call = ProcurementCall::FinishSealingKey { key: 99 };
    w.err(OUTSIDER, call, codes::KEY_NOT_FOUND);
}

#[test]
fn deals_are_checked_on_arrival_once_each_before_the_deadline() {
    let mut w = World::bare();
    let key = w.create_ceremony(2);
    w.register_all(key);
    // A deal made as dealer 2 is not dealer 1's.
    let deal = w.deal_of(key, 2);
    w.err(HOLDERS[0], ProcurementCall::DealShares { key, deal: deal.clone() }, codes::PROOF_INVALID);
    // A deal of the wrong threshold.
    let mut short = deal.clone();
    short.commitments.pop();
    w.err(HOLDERS[1], ProcurementCall::DealShares { key, deal: short }, codes::PROOF_INVALID);
    w.ok(HOLDERS[1], ProcurementCall::DealShares { key, deal: deal.clone() });
    w.err(HOLDERS[1], ProcurementCall::DealShares { key, deal }, codes::CEREMONY_STEP);
    // Finishing before the complaint deadline.
    w.err(OUTSIDER, ProcurementCall::FinishSealingKey { key }, codes::CEREMONY_STEP);
    let deadline = w.sealing_key(key).deal_by_ms;
    w.at(deadline + 1);
    let deal = w.deal_of(key, 1);
    w.err(HOLDERS[0], ProcurementCall::DealShares { key, deal }, codes::CEREMONY_STEP);
    // One qualified dealer is fewer than the threshold: the key fails and stays unfinished.
    let complaints_by = w.sealing_key(key).complaints_by_ms;
    w.at(complaints_by + 1);
    w.err(OUTSIDER, ProcurementCall::FinishSealingKey { key }, codes::KEY_FAILED);
}

#[test]
fn a_dealer_who_sends_a_bad_share_is_disqualified_by_a_complaint_and_the_key_still_opens_bids() {
    let mut w = World::bare();
    let key = w.create_ceremony(2);
    w.register_all(key);
    let context = w.key_context(key);
    // Dealer 1 sends holder 3 a share that does not match its commitments.
    let mut bad = w.deal_of(key, 1);
    bad.shares[2].masked.0[0] ^= 1;
    w.ok(HOLDERS[0], ProcurementCall::DealShares { key, deal: bad.clone() });
    for j in [2u16, 3] {
        let deal = w.deal_of(key, j);
        w.ok(HOLDERS[usize::from(j) - 1], ProcurementCall::DealShares { key, deal });
    }
    assert!(bad.open_share(&context, 1, 3, &w.encryption[2]).is_err(), "holder 3 finds its share bad");
    // Holder 2's share from dealer 1 is good: its complaint is unfounded.
    let unfounded = threshold::Complaint::make(&mut w.rng, &context, 1, 2, &bad, &w.encryption[1]).unwrap();
    let call = ProcurementCall::ComplainAboutDeal { key, dealer: 1, complaint: unfounded };
    w.err(HOLDERS[1], call, codes::COMPLAINT_UNFOUNDED);
    // A complaint with a forged proof (holder 2's, presented by holder 3).
    let forged = threshold::Complaint::make(&mut w.rng, &context, 1, 2, &bad, &w.encryption[1]).unwrap();
    let call = ProcurementCall::ComplainAboutDeal { key, dealer: 1, complaint: forged };
    w.err(HOLDERS[2], call, codes::PROOF_INVALID);
    // Against oneself.
    let own = threshold::Complaint::make(&mut w.rng, &context, 3, 3, &bad, &w.encryption[2]).unwrap();
    let call = ProcurementCall::ComplainAboutDeal { key, dealer: 3, complaint: own };
    w.err(HOLDERS[2], call, codes::CEREMONY_STEP);
    // Holder 3's complaint is upheld: dealer 1 is out.
    let complaint = threshold::Complaint::make(&mut w.rng, &context, 1, 3, &bad, &w.encryption[2]).unwrap();
    w.ok(HOLDERS[2], ProcurementCall::ComplainAboutDeal { key, dealer: 1, complaint: complaint.clone() });
    assert!(w.sealing_key(key).disqualified[0]);
    w.err(HOLDERS[2], ProcurementCall::ComplainAboutDeal { key, dealer: 1, complaint }, codes::CEREMONY_STEP);
    w.finish(key);
    let KeyStage::Ready { qualified, .. } = w.sealing_key(key).stage else { panic!("ready") };
    assert_eq!(qualified, vec![2, 3]);
    // The key made by dealers 2 and 3 opens a bid with any two holders, holder 3 included.
    w.key = key;
    let tender = w.publish();
    w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
    let opening = w.tender(tender).spec.timeline.opening_ms;
    w.at(opening);
    for j in [3usize, 1] {
        let shares = w.shares_of(tender, j);
        w.ok(HOLDERS[j - 1], ProcurementCall::PublishShares { tender, shares });
    }
    assert!(matches!(w.bid(tender, 1).opening, Some(schema::Opening::Valid { .. })));
}

#[test]
fn a_finished_key_takes_no_more_steps() {
    let mut w = World::new();
    let key = w.key;
    w.err(OUTSIDER, ProcurementCall::FinishSealingKey { key }, codes::CEREMONY_STEP);
    let deal = w.deal_of(key, 1);
    w.err(HOLDERS[0], ProcurementCall::DealShares { key, deal }, codes::CEREMONY_STEP);
}
