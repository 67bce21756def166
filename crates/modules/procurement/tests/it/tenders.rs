//! Tenders: who publishes them and what a valid one holds, amendments and the extension rule, questions and
//! answers in their windows, cancellation.

use super::*;
use publica_procurement::error as codes;

#[test]
fn a_tender_is_published_by_its_entity_with_everything_checked() {
    let mut w = World::new();
    let id = w.publish();
    let tender = w.tender(id);
    assert_eq!(tender.entity.as_str(), ROADS);
    assert_eq!(tender.spec, w.spec());
    assert_eq!(tender.lots.len(), 1);

    // Not a procuring entity.
    let spec = w.spec();
    w.err(EVALUATORS[0], ProcurementCall::PublishTender { tender: spec }, publica_types::ErrorCode::MissingRole);

    type Change = Box<dyn Fn(&mut TenderSpec)>;
    let bad: Vec<(Change, Code)> = vec![
        (Box::new(|s| s.items[0].cpv = "4523314-9".into()), codes::TENDER_INVALID),
        (Box::new(|s| s.items[0].cpv = "45233141_9".into()), codes::TENDER_INVALID),
        (Box::new(|s| s.items[0].quantity = 0), codes::TENDER_INVALID),
        (Box::new(|s| s.items[0].lot = 1), codes::TENDER_INVALID),
        (Box::new(|s| s.items.clear()), codes::TENDER_INVALID),
        (Box::new(|s| s.lots.push(Lot { title: "Empty".into(), value: 5 })), codes::TENDER_INVALID),
        (Box::new(|s| s.lots[0].value = 0), codes::TENDER_INVALID),
        (Box::new(|s| s.criteria[0].weight = 500), codes::TENDER_INVALID),
        (Box::new(|s| s.criteria[1].kind = CriterionKind::Price), codes::TENDER_INVALID),
        (Box::new(|s| s.criteria.clear()), codes::TENDER_INVALID),
        (Box::new(|s| s.currency = "nvk".into()), codes::TENDER_INVALID),
        (Box::new(|s| s.documents[0].url = "http://plain.example".into()), codes::TENDER_INVALID),
        (Box::new(|s| s.evaluators.clear()), codes::TENDER_INVALID),
        (Box::new(|s| s.evaluators.push(s.evaluators[0])), codes::TENDER_INVALID),
        (Box::new(|s| s.title.clear()), codes::TEXT_INVALID),
        (Box::new(|s| s.timeline.bid_deadline_ms = s.timeline.clarifications_until_ms - 1), codes::TENDER_INVALID),
        (Box::new(|s| s.timeline.opening_ms = s.timeline.bid_deadline_ms - 1), codes::TENDER_INVALID),
        (Box::new(|s| s.timeline.standstill_ms = 1_000), codes::TENDER_INVALID),
        (Box::new(|s| s.sealing_key = 42), codes::KEY_NOT_FOUND),
        (Box::new(|s| s.allocation = Some(99)), codes::TENDER_INVALID),
        (Box::new(|s| s.evaluators = vec![addr(PARKS_EVALUATOR)]), codes::TENDER_INVALID),
        (Box::new(|s| s.evaluators = vec![addr(BUYER)]), publica_types::ErrorCode::MissingRole.into()),
        (Box::new(|s| s.currency = "EUR".into()), codes::TENDER_INVALID),
    ];
    for (change, code) in bad {
        let mut spec = w.spec();
        change(&mut spec);
        w.err(BUYER, ProcurementCall::PublishTender { tender: spec }, code);
    }
    // The timeline starts after the block time.
    let mut spec = w.spec();
    spec.timeline.clarifications_until_ms = w.time_ms;
    w.err(BUYER, ProcurementCall::PublishTender { tender: spec }, codes::TENDER_INVALID);
    // Another agency's entity cannot use the roads allocation.
    let mut spec = w.spec();
    spec.evaluators = vec![addr(PARKS_EVALUATOR)];
    w.err(PARKS_BUYER, ProcurementCall::PublishTender { tender: spec.clone() }, codes::TENDER_INVALID);
    spec.allocation = None;
    w.publish_spec(PARKS_BUYER, spec);
}

#[test]
fn a_tender_on_an_unfinished_key_is_refused() {
    let mut w = World::bare();
    let key = w.create_ceremony(2);
    w.key = key;
    let spec = w.spec();
    w.err(BUYER, ProcurementCall::PublishTender { tender: spec }, codes::CEREMONY_STEP);
}

#[test]
fn an_amendment_before_the_deadline_leaves_bidders_half_the_original_window() {
    let mut w = World::new();
    let id = w.publish();
    let before = w.tender(id).spec.timeline;
    let changes =
        TenderChanges { description: Some("Resurfacing 5 km of the harbour road.".into()), ..Default::default() };
    // Only the entity's officials.
    let call = ProcurementCall::AmendTender { tender: id, changes: changes.clone(), rationale: "Longer".into() };
    w.err(PARKS_BUYER, call, codes::NOT_THE_ENTITY);
    // Nothing to change.
    let call = ProcurementCall::AmendTender { tender: id, changes: TenderChanges::default(), rationale: "No".into() };
    w.err(BUYER, call, codes::TENDER_INVALID);
    // Changes that break the tender.
    let broken = TenderChanges { lots: Some(Vec::new()), ..Default::default() };
    let call = ProcurementCall::AmendTender { tender: id, changes: broken, rationale: "Fewer lots".into() };
    w.err(BUYER, call, codes::TENDER_INVALID);

    // An early amendment (day 1) leaves the deadline alone: more than half the window remains.
    w.at(w.time_ms + DAY);
    let early = TenderChanges { documents: Some(Vec::new()), ..Default::default() };
    w.ok(BUYER, ProcurementCall::AmendTender { tender: id, changes: early, rationale: "Withdrawn drawing".into() });
    assert_eq!(w.tender(id).spec.timeline, before);

    // Day 8 of a 10-day window: the deadline moves to day 13, and the other dates by the same 3 days.
    w.at(w.time_ms + 7 * DAY);
    let call = ProcurementCall::AmendTender { tender: id, changes, rationale: "The road is longer".into() };
    w.ok(BUYER, call);
    let tender = w.tender(id);
    let after = tender.spec.timeline;
    assert_eq!(after.bid_deadline_ms, w.time_ms + 5 * DAY);
    assert_eq!(after.bid_deadline_ms - before.bid_deadline_ms, 3 * DAY);
    assert_eq!(after.opening_ms - before.opening_ms, 3 * DAY);
    assert_eq!(after.clarifications_until_ms - before.clarifications_until_ms, 3 * DAY);
    assert_eq!(tender.amendments, 2);
    assert_eq!(tender.spec.description, "Resurfacing 5 km of the harbour road.");
    let (amendments, _) = publica_procurement::query::amendments(&w.state, &tender);
    assert_eq!(amendments[1].changed, vec!["description".to_string()]);
    assert_eq!(amendments[1].old_deadline_ms, before.bid_deadline_ms);

    // After the deadline nothing changes.
    w.at(after.bid_deadline_ms);
    let changes = TenderChanges { description: Some("Late".into()), ..Default::default() };
    w.err(BUYER, ProcurementCall::AmendTender { tender: id, changes, rationale: "Late".into() }, codes::OUT_OF_TIME);
}

#[test]
fn questions_are_asked_in_their_window_and_answered_once_by_the_entity() {
    let mut w = World::new();
    let id = w.publish();
    let outcome = w.ok(OUTSIDER, ProcurementCall::AskQuestion { tender: id, text: "Is night work allowed?".into() });
    assert_eq!(outcome, TxOutcome::Question { number: 1 });
    w.err(OUTSIDER, ProcurementCall::AskQuestion { tender: id, text: String::new() }, codes::TEXT_INVALID);
    let answer = |n: u32| ProcurementCall::AnswerQuestion { tender: id, question: n, text: "Yes, 22:00-06:00.".into() };
    w.err(PARKS_BUYER, answer(1), codes::NOT_THE_ENTITY);
    w.err(BUYER, answer(2), codes::QUESTION_STATE);
    w.ok(BUYER, answer(1));
    w.err(BUYER, answer(1), codes::QUESTION_STATE);
    let tender = w.tender(id);
    let (questions, keys) = publica_procurement::query::questions(&w.state, &tender, 1, 10);
    assert_eq!(questions.len(), 1);
    assert_eq!(keys.len(), 1);
    assert_eq!(questions[0].answer.as_ref().unwrap().text, "Yes, 22:00-06:00.");

    // Ten questions per account.
    for i in 2..=MAX_QUESTIONS_PER_ASKER {
        w.ok(OUTSIDER, ProcurementCall::AskQuestion { tender: id, text: format!("Question {i}?") });
    }
    let call = ProcurementCall::AskQuestion { tender: id, text: "One more?".into() };
    w.err(OUTSIDER, call, codes::TOO_MANY_QUESTIONS);
    w.ok(ANNA, ProcurementCall::AskQuestion { tender: id, text: "Another asker?".into() });

    // After the clarification deadline: no question; answers until the bid deadline.
    let timeline = w.tender(id).spec.timeline;
    w.at(timeline.clarifications_until_ms + 1);
    let call = ProcurementCall::AskQuestion { tender: id, text: "Too late?".into() };
    w.err(BERT, call, codes::OUT_OF_TIME);
    w.ok(BUYER, answer(2));
    w.at(timeline.bid_deadline_ms);
    w.err(BUYER, answer(3), codes::OUT_OF_TIME);
}

#[test]
fn a_cancelled_tender_takes_nothing_more() {
    let mut w = World::new();
    let id = w.publish();
    w.submit(ANNA, ASPHALT, id, &[(0, 900_000)]);
    w.err(PARKS_BUYER, ProcurementCall::CancelTender { tender: id, reason: "No".into() }, codes::NOT_THE_ENTITY);
    w.ok(BUYER, ProcurementCall::CancelTender { tender: id, reason: "The road will be rebuilt instead".into() });
    w.err(BUYER, ProcurementCall::CancelTender { tender: id, reason: "Twice".into() }, codes::TENDER_CANCELLED);
    let sealed = w.seal_bytes(id, BITUMEN, &to_vec(&World::content(&[(0, 1)])).unwrap());
    let call = ProcurementCall::SubmitBid { tender: id, company: company(BITUMEN), sealed };
    w.err(BERT, call, codes::TENDER_CANCELLED);
    w.err(OUTSIDER, ProcurementCall::AskQuestion { tender: id, text: "Why?".into() }, codes::TENDER_CANCELLED);
    w.err(OUTSIDER, ProcurementCall::AskQuestion { tender: 77, text: "Which?".into() }, codes::TENDER_NOT_FOUND);
}
