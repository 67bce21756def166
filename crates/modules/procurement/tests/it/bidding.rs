//! Sealed bids: who may bid and until when, boxes bound to their tender and company, replacement and withdrawal,
//! and the opening: nothing before the opening time, nothing with fewer than the threshold's shares, every share
//! checked, and a bid that opens to garbage recorded as invalid rather than left closed.

use super::*;
use publica_procurement::error as codes;
use publica_procurement::schema::Opening;

#[test]
fn a_bid_cannot_be_read_before_the_opening_and_opens_with_the_threshold_of_shares() {
    let mut w = World::new();
    let tender = w.publish();
    let number = w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
    assert_eq!(number, 1);
    let bid = w.bid(tender, 1);
    assert!(bid.opening.is_none());
    // The ciphertext on the ledger does not hold the price in the clear.
    let price = 900_000u64.to_le_bytes();
    let (sealed, _) = publica_procurement::query::sealed_box(&w.state, tender, 1);
    let sealed = sealed.expect("the box is stored");
    assert_eq!(bid.ephemeral, sealed.ephemeral);
    assert_eq!(bid.sealed_sha256, publica_crypto::sha256(&to_vec(&sealed).unwrap()));
    assert!(!sealed.ciphertext.windows(price.len()).any(|win| win == price));

    // A holder's share before the opening time is refused, even after the deadline.
    let deadline = w.tender(tender).spec.timeline.bid_deadline_ms;
    w.at(deadline);
    let shares = w.shares_of(tender, 1);
    w.err(HOLDERS[0], ProcurementCall::PublishShares { tender, shares }, codes::OUT_OF_TIME);

    // One share is fewer than the threshold: the bid stays sealed.
    let opening = w.tender(tender).spec.timeline.opening_ms;
    w.at(opening);
    let shares = w.shares_of(tender, 1);
    w.ok(HOLDERS[0], ProcurementCall::PublishShares { tender, shares: shares.clone() });
    assert!(w.bid(tender, 1).opening.is_none());
    assert_eq!(w.bid(tender, 1).shares, vec![1]);
    // The same holder again.
    w.err(HOLDERS[0], ProcurementCall::PublishShares { tender, shares: shares.clone() }, codes::SHARE_INVALID);
    // Holder 1's share presented by holder 2 does not verify against holder 2's key.
    w.err(HOLDERS[1], ProcurementCall::PublishShares { tender, shares }, codes::PROOF_INVALID);
    // Someone who holds no share.
    let shares = w.shares_of(tender, 2);
    w.err(BUYER, ProcurementCall::PublishShares { tender, shares: shares.clone() }, codes::NOT_A_HOLDER);
    // The second share opens it.
    w.ok(HOLDERS[1], ProcurementCall::PublishShares { tender, shares });
    let Some(Opening::Valid { content }) = w.bid(tender, 1).opening else { panic!("the bid opened") };
    assert_eq!(content, World::content(&[(0, 900_000)]));
    assert!(w.tender(tender).all_open());
    // A third share for an open bid is refused.
    let shares = vec![BidShare { bid: 1, share: w.shares_of_bid(tender, 1, 3) }];
    w.err(HOLDERS[2], ProcurementCall::PublishShares { tender, shares }, codes::SHARE_INVALID);
}

impl World {
    /// Holder `j`'s share of bid `number`, whatever its state.
    fn shares_of_bid(&mut self, tender: u64, number: u32, j: usize) -> threshold::DecryptionShare {
        let t = self.tender(tender);
        let context = self.key_context(t.spec.sealing_key);
        let KeyStage::Ready { verification_keys, .. } = self.sealing_key(t.spec.sealing_key).stage else {
            panic!("ready")
        };
        let bid = self.bid(tender, number);
        threshold::DecryptionShare::make(
            &self.shares[j - 1],
            &verification_keys[j - 1],
            &bid.ephemeral,
            &context,
            &mut self.rng,
        )
        .unwrap()
    }
}

#[test]
fn shares_come_in_ascending_order_for_existing_bids() {
    let mut w = World::new();
    let tender = w.publish();
    w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
    w.submit(BERT, BITUMEN, tender, &[(0, 800_000)]);
    let opening = w.tender(tender).spec.timeline.opening_ms;
    w.at(opening);
    let mut shares = w.shares_of(tender, 1);
    shares.reverse();
    w.err(HOLDERS[0], ProcurementCall::PublishShares { tender, shares: shares.clone() }, codes::SHARE_INVALID);
    shares.truncate(1);
    shares[0].bid = 9;
    w.err(HOLDERS[0], ProcurementCall::PublishShares { tender, shares }, codes::BID_NOT_FOUND);
    w.err(HOLDERS[0], ProcurementCall::PublishShares { tender, shares: Vec::new() }, codes::SHARE_INVALID);
    // A share made for bid 2's box does not open bid 1.
    let mut shares = w.shares_of(tender, 1);
    shares[0].share = shares[1].share.clone();
    w.err(HOLDERS[0], ProcurementCall::PublishShares { tender, shares }, codes::PROOF_INVALID);
}

#[test]
fn only_a_director_or_the_chair_of_an_active_registered_company_bids() {
    let mut w = World::new();
    let tender = w.publish();
    let plaintext = to_vec(&World::content(&[(0, 700_000)])).unwrap();
    for (sender, number, code) in [
        (DORA, ASPHALT, codes::BIDDER_INVALID),
        (BERT, ASPHALT, codes::BIDDER_INVALID),
        (EMIL, DISSOLVED, codes::BIDDER_INVALID),
        (OUTSIDER, UNREGISTERED, codes::BIDDER_INVALID),
    ] {
        let sealed = w.seal_bytes(tender, number, &plaintext);
        let call = ProcurementCall::SubmitBid { tender, company: company(number), sealed };
        w.err(sender, call, code);
    }
    // The chair may.
    w.submit(CLEO, COBBLE, tender, &[(0, 700_000)]);
}

#[test]
fn a_sealed_box_is_bound_to_its_tender_company_and_ephemeral_key() {
    let mut w = World::new();
    let tender = w.publish();
    let other = w.publish();
    let plaintext = to_vec(&World::content(&[(0, 700_000)])).unwrap();
    // Sealed for Bitumen, submitted as Asphalt.
    let sealed = w.seal_bytes(tender, BITUMEN, &plaintext);
    let call = ProcurementCall::SubmitBid { tender, company: company(ASPHALT), sealed };
    w.err(ANNA, call, codes::BID_INVALID);
    // Sealed for the other tender.
    let sealed = w.seal_bytes(other, ASPHALT, &plaintext);
    let call = ProcurementCall::SubmitBid { tender, company: company(ASPHALT), sealed: sealed.clone() };
    w.err(ANNA, call, codes::BID_INVALID);
    // A changed ciphertext breaks the proof bound to it.
    let mut tampered = sealed.clone();
    tampered.ciphertext[0] ^= 1;
    let call = ProcurementCall::SubmitBid { tender: other, company: company(ASPHALT), sealed: tampered };
    w.err(ANNA, call, codes::BID_INVALID);
    // The right box goes in once; the same ephemeral key again is refused, even as a replacement.
    let call = ProcurementCall::SubmitBid { tender: other, company: company(ASPHALT), sealed: sealed.clone() };
    w.ok(ANNA, call.clone());
    w.err(ANNA, call, codes::BID_INVALID);
    // A box too large.
    let big = vec![0u8; MAX_SEALED_BID_BYTES];
    let sealed = w.seal_bytes(tender, BITUMEN, &big);
    let call = ProcurementCall::SubmitBid { tender, company: company(BITUMEN), sealed };
    w.err(BERT, call, codes::BID_INVALID);
}

#[test]
fn bids_are_replaced_and_withdrawn_until_the_deadline_and_stand_after_it() {
    let mut w = World::new();
    let tender = w.publish();
    assert_eq!(w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]), 1);
    assert_eq!(w.submit(BERT, BITUMEN, tender, &[(0, 800_000)]), 2);
    // Asphalt lowers its price: the same number, a second version.
    assert_eq!(w.submit(ANNA, ASPHALT, tender, &[(0, 850_000)]), 1);
    assert_eq!(w.bid(tender, 1).versions, 2);
    // A bid is replaced at most MAX_BID_VERSIONS times over.
    for _ in 2..MAX_BID_VERSIONS {
        w.submit(ANNA, ASPHALT, tender, &[(0, 850_000)]);
    }
    let sealed = w.seal_bytes(tender, ASPHALT, &to_vec(&World::content(&[(0, 850_000)])).unwrap());
    let call = ProcurementCall::SubmitBid { tender, company: company(ASPHALT), sealed };
    w.err(ANNA, call, codes::TOO_MANY_BIDS);
    // Bitumen withdraws; only its officer may.
    let withdraw = |number: &str| ProcurementCall::WithdrawBid { tender, company: company(number) };
    w.err(ANNA, withdraw(BITUMEN), codes::BIDDER_INVALID);
    w.err(CLEO, withdraw(COBBLE), codes::BID_NOT_FOUND);
    w.ok(BERT, withdraw(BITUMEN));
    w.err(BERT, withdraw(BITUMEN), codes::BID_NOT_FOUND);
    assert_eq!(w.tender(tender).live_bids, 1);

    let deadline = w.tender(tender).spec.timeline.bid_deadline_ms;
    w.at(deadline);
    let sealed = w.seal_bytes(tender, COBBLE, &to_vec(&World::content(&[(0, 1)])).unwrap());
    let call = ProcurementCall::SubmitBid { tender, company: company(COBBLE), sealed };
    w.err(CLEO, call, codes::OUT_OF_TIME);
    w.err(ANNA, withdraw(ASPHALT), codes::OUT_OF_TIME);

    // Opening: the withdrawn bid takes no share and is never opened; the replaced one opens at its last price.
    let opening = w.tender(tender).spec.timeline.opening_ms;
    w.at(opening);
    let share = w.shares_of_bid(tender, 2, 1);
    let call = ProcurementCall::PublishShares { tender, shares: vec![BidShare { bid: 2, share }] };
    w.err(HOLDERS[0], call, codes::SHARE_INVALID);
    w.open_all(tender);
    let Some(Opening::Valid { content }) = w.bid(tender, 1).opening else { panic!("opened") };
    assert_eq!(content.prices[0].price, 850_000);
    assert!(w.bid(tender, 2).opening.is_none());
    assert_eq!(w.tender(tender).lots[0].valid_bids, 1, "the withdrawn bid is not counted");
}

#[test]
fn a_bid_that_opens_to_no_valid_bid_is_recorded_invalid_not_left_closed() {
    let mut w = World::new();
    let tender = w.publish();
    let cases: [(&str, &str, Vec<u8>); 3] = [
        (ANNA, ASPHALT, b"not a bid".to_vec()),
        (BERT, BITUMEN, to_vec(&World::content(&[(3, 100)])).unwrap()),
        (CLEO, COBBLE, to_vec(&World::content(&[(0, 0)])).unwrap()),
    ];
    for (director, number, plaintext) in cases {
        let sealed = w.seal_bytes(tender, number, &plaintext);
        w.ok(director, ProcurementCall::SubmitBid { tender, company: company(number), sealed });
    }
    w.open_all(tender);
    for number in 1..=3 {
        match w.bid(tender, number).opening {
            Some(Opening::Invalid { reason }) => assert!(!reason.is_empty()),
            other => panic!("bid {number} should open invalid: {other:?}"),
        }
    }
    assert_eq!(w.tender(tender).opened, 3);
    assert_eq!(w.tender(tender).lots[0].valid_bids, 0);
}
