//! Evaluation and awards: scores on the scale by the committee once every bid is open, the ranking computed from
//! the published weights, an award that follows it or records why not, the standstill, and complaints decided by
//! an independent review body.

use super::*;
use publica_procurement::error as codes;
use publica_procurement::query;

#[test]
fn the_ranking_follows_the_published_weights_exactly() {
    let mut w = World::new();
    let tender = w.scored_tender();
    let ranking = query::ranking(&w.state, &w.tender(tender), 0).expect("complete");
    let got: Vec<(u32, u64)> = ranking.iter().map(|r| (r.bid, r.total_millipoints)).collect();
    // Asphalt: 400 * 170 * 1000 / 2 + 600 * 100 * 1000 * 800,000 / 900,000 (rounded down).
    assert_eq!(got, vec![(1, 34_000_000 + 53_333_333), (2, 18_000_000 + 60_000_000), (3, 24_000_000 + 50_526_315)]);
}

#[test]
fn scores_come_from_the_committee_on_the_scale_once_every_bid_is_open() {
    let mut w = World::new();
    let tender = w.publish();
    w.submit(ANNA, ASPHALT, tender, &[(0, 900_000)]);
    w.submit(BERT, BITUMEN, tender, &[(0, 800_000)]);
    let score = |bid: u32, scores: Vec<u8>| ProcurementCall::ScoreBid { tender, lot: 0, bid, scores };
    // Before the opening.
    w.err(EVALUATORS[0], score(1, vec![50]), codes::SCORE_INVALID);
    // Only one bid open.
    let opening = w.tender(tender).spec.timeline.opening_ms;
    w.at(opening);
    for j in 1..=2 {
        let share = w.shares_of(tender, j).remove(0);
        w.ok(HOLDERS[j - 1], ProcurementCall::PublishShares { tender, shares: vec![share] });
    }
    w.err(EVALUATORS[0], score(1, vec![50]), codes::SCORE_INVALID);
    w.open_all(tender);
    w.err(BUYER, score(1, vec![50]), codes::SCORE_INVALID);
    w.err(PARKS_EVALUATOR, score(1, vec![50]), codes::SCORE_INVALID);
    w.err(EVALUATORS[0], score(1, vec![101]), codes::SCORE_INVALID);
    w.err(EVALUATORS[0], score(1, vec![50, 50]), codes::SCORE_INVALID);
    w.err(EVALUATORS[0], score(1, Vec::new()), codes::SCORE_INVALID);
    w.err(EVALUATORS[0], score(7, vec![50]), codes::BID_NOT_FOUND);
    let call = ProcurementCall::ScoreBid { tender, lot: 1, bid: 1, scores: vec![50] };
    w.err(EVALUATORS[0], call, codes::LOT_NOT_FOUND);
    w.ok(EVALUATORS[0], score(1, vec![0]));
    w.ok(EVALUATORS[0], score(1, vec![100]));
    // The award waits for every member's scores of every valid bid.
    let award = ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None };
    w.err(BUYER, award.clone(), codes::AWARD_INVALID);
    assert!(query::ranking(&w.state, &w.tender(tender), 0).is_err());
    w.ok(EVALUATORS[1], score(1, vec![100]));
    w.score_both(tender, 2, [10, 10]);
    w.ok(BUYER, award);
    // Scores are final once the lot is awarded.
    w.err(EVALUATORS[0], score(2, vec![90]), codes::SCORE_INVALID);
}

#[test]
fn an_award_follows_the_ranking_or_records_why_not() {
    let mut w = World::new();
    let tender = w.scored_tender();
    let award = |bid: u32, reason: Option<&str>| ProcurementCall::AwardLot {
        tender,
        lot: 0,
        bid,
        reason: reason.map(str::to_string),
    };
    w.err(PARKS_BUYER, award(1, None), codes::NOT_THE_ENTITY);
    w.err(BUYER, award(2, None), codes::AWARD_NEEDS_REASON);
    w.err(BUYER, award(2, Some("cheaper")), codes::AWARD_NEEDS_REASON);
    w.err(BUYER, award(9, None), codes::AWARD_INVALID);
    w.err(BUYER, ProcurementCall::AwardLot { tender, lot: 4, bid: 1, reason: None }, codes::LOT_NOT_FOUND);
    let reason = "Asphalt's plant is under a court's closure order since the opening (case 2026:12).";
    w.ok(BUYER, award(2, Some(reason)));
    let t = w.tender(tender);
    let (awards, keys) = query::awards(&w.state, &t, 0);
    assert_eq!(keys.len(), 1);
    let a = &awards[0];
    assert_eq!((a.bid, a.company.as_str(), a.price, a.round), (2, BITUMEN, 800_000, 1));
    assert_eq!(a.reason.as_deref(), Some(reason));
    assert_eq!(a.ranking[0].bid, 1, "the ranking it departs from is recorded with it");
    assert_eq!(a.standstill_until_ms, w.time_ms + 10 * DAY);
    w.err(BUYER, award(1, None), codes::AWARD_INVALID);
}

#[test]
fn a_lot_without_a_valid_bid_cannot_be_awarded() {
    let mut w = World::new();
    let tender = w.publish();
    let sealed = w.seal_bytes(tender, ASPHALT, b"garbage");
    w.ok(ANNA, ProcurementCall::SubmitBid { tender, company: company(ASPHALT), sealed });
    w.open_all(tender);
    w.err(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None }, codes::AWARD_INVALID);
}

#[test]
fn complaints_are_filed_by_bidders_in_the_standstill_and_decided_by_an_independent_body() {
    let mut w = World::new();
    let tender = w.scored_tender();
    w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None });
    let complain = |number: &str| ProcurementCall::FileComplaint {
        tender,
        lot: 0,
        company: company(number),
        text: "The technical scores ignore our recycled-asphalt offer.".into(),
    };
    // A dissolved company; someone who is not the company's officer.
    w.err(EMIL, complain(DISSOLVED), codes::BIDDER_INVALID);
    w.err(ANNA, complain(BITUMEN), codes::BIDDER_INVALID);
    let outcome = w.ok(BERT, complain(BITUMEN));
    assert_eq!(outcome, TxOutcome::Complaint { number: 1 });
    w.ok(BERT, complain(BITUMEN));
    w.ok(BERT, complain(BITUMEN));
    w.err(BERT, complain(BITUMEN), codes::COMPLAINT_INVALID);
    assert_eq!(w.tender(tender).lots[0].pending_complaints, 3);

    let decide = |n: u32, upheld: bool, cancel: bool| ProcurementCall::DecideComplaint {
        tender,
        complaint: n,
        upheld,
        cancel_award: cancel,
        reasoning: "Reviewed the committee's notes.".into(),
    };
    w.err(ROADS_REVIEWER, decide(1, false, false), codes::REVIEW_NOT_INDEPENDENT);
    w.err(BUYER, decide(1, false, false), publica_types::ErrorCode::MissingRole);
    w.err(REVIEWER, decide(1, false, true), codes::COMPLAINT_STATE);
    w.err(REVIEWER, decide(9, false, false), codes::COMPLAINT_STATE);
    w.ok(REVIEWER, decide(1, false, false));
    w.err(REVIEWER, decide(1, true, false), codes::COMPLAINT_STATE);
    w.ok(REVIEWER, decide(2, true, false));
    // The third cancels the award: the lot is awarded again in a second round.
    w.ok(REVIEWER, decide(3, true, true));
    let t = w.tender(tender);
    assert!(!t.lots[0].awarded);
    assert_eq!(t.pending_complaints, 0);
    let (awards, _) = query::awards(&w.state, &t, 0);
    assert_eq!(awards[0].cancelled_by, Some(3));
    // The committee rescores; the new award has its own standstill.
    w.ok(EVALUATORS[0], ProcurementCall::ScoreBid { tender, lot: 0, bid: 1, scores: vec![10] });
    w.ok(EVALUATORS[1], ProcurementCall::ScoreBid { tender, lot: 0, bid: 1, scores: vec![10] });
    w.ok(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 2, reason: None });
    let t = w.tender(tender);
    assert_eq!(t.lots[0].round, 2);
    let (awards, _) = query::awards(&w.state, &t, 0);
    assert_eq!(awards[1].company.as_str(), BITUMEN);

    // After the standstill, complaints are out of time.
    w.at(awards[1].standstill_until_ms);
    w.err(CLEO, complain(COBBLE), codes::COMPLAINT_INVALID);
}

#[test]
fn nobody_scores_or_awards_a_bid_of_a_company_they_are_an_officer_of() {
    let mut w = World::new();
    // The first committee member and the buyer sit on the board of a company that bids.
    let inside = "NV-100005";
    w.register_company(
        inside,
        "Inside Paving AB",
        &[(EVALUATORS[0], OfficerRole::Director), (BUYER, OfficerRole::Secretary)],
        false,
    );
    let tender = w.publish();
    w.submit(EVALUATORS[0], inside, tender, &[(0, 700_000)]);
    w.submit(BERT, BITUMEN, tender, &[(0, 800_000)]);
    w.open_all(tender);
    let score = |bid: u32| ProcurementCall::ScoreBid { tender, lot: 0, bid, scores: vec![90] };
    w.err(EVALUATORS[0], score(1), codes::CONFLICT_OF_INTEREST);
    w.ok(EVALUATORS[1], score(1));
    w.score_both(tender, 2, [50, 50]);
    // The recused member's score is not needed: bid 1's mean is over the other member.
    let ranking = query::ranking(&w.state, &w.tender(tender), 0).expect("complete without the recused member");
    let inside_total = ranking.iter().find(|r| r.bid == 1).unwrap().total_millipoints;
    assert_eq!(inside_total, 400 * 90 * 1000 + 60_000_000, "technical merit 90 (one member), the lowest price");
    // The buyer, its secretary, may not award it.
    w.err(BUYER, ProcurementCall::AwardLot { tender, lot: 0, bid: 1, reason: None }, codes::CONFLICT_OF_INTEREST);
}
