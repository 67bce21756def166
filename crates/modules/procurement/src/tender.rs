//! Tenders: publication, amendments (with the extension rule), cancellation, and clarifications.
//!
//! **The extension rule.** An amendment before the bid deadline leaves bidders at least half of the tender's
//! original bid window (from publication to the first deadline) to react: the new deadline is the later of the
//! current one and the amendment's time plus half that window; the clarification deadline and the opening time
//! move by the same amount. After the deadline nothing about the tender changes but its cancellation.

use publica_types::{AgencyId, CallContext, StateRead, StateWrite, TxError};

use crate::call::{
    CriterionKind, TenderChanges, TenderSpec, MAX_CRITERIA, MAX_CURRENCY_BYTES, MAX_DOCUMENTS, MAX_EVALUATORS,
    MAX_ITEMS, MAX_LOTS, MAX_PERIOD_MS, MAX_QUESTIONS, MAX_QUESTIONS_PER_ASKER, MAX_TEXT_BYTES, MAX_TITLE_BYTES,
    MAX_URL_BYTES, MIN_STANDSTILL_MS, WEIGHT_TOTAL,
};
use crate::error::{self, refuse};
use crate::schema::{self, Amendment, Answer, KeyStage, LotState, Question, Tender};
use crate::{check_text, ENTITY_ROLE, EVALUATOR_ROLE};

/// Read a tender.
pub fn read(state: &dyn StateRead, id: u64) -> Result<Tender, TxError> {
    schema::get(state, &schema::tender_key(id))
        .ok_or_else(|| refuse(error::TENDER_NOT_FOUND, format!("no tender {id}")))
}

/// Check that the sender is an official of the tender's entity holding `procuring-entity`.
pub fn require_entity(state: &dyn StateRead, ctx: &CallContext, tender: &Tender) -> Result<(), TxError> {
    let official = publica_accounts::require_role(state, &ctx.sender, ENTITY_ROLE)?;
    if official.agency() != Some(&tender.entity) {
        return Err(refuse(
            error::NOT_THE_ENTITY,
            format!("tender {} is {}'s: {} is not its official", tender.id, tender.entity, ctx.sender),
        ));
    }
    Ok(())
}

/// Refuse a cancelled tender.
pub fn not_cancelled(tender: &Tender) -> Result<(), TxError> {
    match &tender.cancelled {
        Some((reason, _)) => {
            Err(refuse(error::TENDER_CANCELLED, format!("tender {} was cancelled: {reason}", tender.id)))
        }
        None => Ok(()),
    }
}

fn invalid(message: impl Into<String>) -> TxError {
    refuse(error::TENDER_INVALID, message)
}

/// Whether `cpv` is a CPV code's form: eight digits, a hyphen, a check digit.
pub fn valid_cpv(cpv: &str) -> bool {
    let bytes = cpv.as_bytes();
    bytes.len() == 10 && bytes[..8].iter().all(u8::is_ascii_digit) && bytes[8] == b'-' && bytes[9].is_ascii_digit()
}

/// Check everything in a tender that does not depend on time or on other records.
pub fn check_contents(spec: &TenderSpec) -> Result<(), TxError> {
    check_text("title", &spec.title, MAX_TITLE_BYTES)?;
    check_text("description", &spec.description, MAX_TEXT_BYTES)?;
    let currency_ok = (3..=MAX_CURRENCY_BYTES).contains(&spec.currency.len())
        && spec.currency.bytes().all(|b| b.is_ascii_uppercase());
    if !currency_ok {
        return Err(invalid(format!("the currency must be 3 to {MAX_CURRENCY_BYTES} capital letters")));
    }
    if spec.lots.is_empty() || spec.lots.len() > MAX_LOTS {
        return Err(invalid(format!("a tender has 1 to {MAX_LOTS} lots, not {}", spec.lots.len())));
    }
    let mut total: u64 = 0;
    for (i, lot) in spec.lots.iter().enumerate() {
        check_text(&format!("title of lot {i}"), &lot.title, MAX_TITLE_BYTES)?;
        if lot.value == 0 {
            return Err(invalid(format!("lot {i} has no estimated value: give one above zero")));
        }
        total = total.checked_add(lot.value).ok_or_else(|| invalid("the lots' values overflow"))?;
    }
    if spec.items.is_empty() || spec.items.len() > MAX_ITEMS {
        return Err(invalid(format!("a tender has 1 to {MAX_ITEMS} items, not {}", spec.items.len())));
    }
    for (i, item) in spec.items.iter().enumerate() {
        check_text(&format!("description of item {i}"), &item.description, MAX_TITLE_BYTES)?;
        check_text(&format!("unit of item {i}"), &item.unit, 32)?;
        if !valid_cpv(&item.cpv) {
            return Err(invalid(format!(
                "item {i}'s CPV code {:?} is not eight digits, a hyphen and a check digit (as 45233141-9)",
                item.cpv
            )));
        }
        if item.quantity == 0 {
            return Err(invalid(format!("item {i} has a quantity of zero")));
        }
        if usize::from(item.lot) >= spec.lots.len() {
            return Err(invalid(format!("item {i} names lot {}, which the tender does not have", item.lot)));
        }
    }
    for lot in 0..spec.lots.len() {
        if !spec.items.iter().any(|item| usize::from(item.lot) == lot) {
            return Err(invalid(format!("lot {lot} has no item")));
        }
    }
    if spec.criteria.is_empty() || spec.criteria.len() > MAX_CRITERIA {
        return Err(invalid(format!("a tender has 1 to {MAX_CRITERIA} award criteria, not {}", spec.criteria.len())));
    }
    let mut weights = 0u32;
    for (i, criterion) in spec.criteria.iter().enumerate() {
        check_text(&format!("name of criterion {i}"), &criterion.name, MAX_TITLE_BYTES)?;
        if criterion.weight == 0 {
            return Err(invalid(format!("criterion {i} has a weight of zero")));
        }
        weights += u32::from(criterion.weight);
    }
    if weights != WEIGHT_TOTAL {
        return Err(invalid(format!("the criteria's weights add up to {weights}, not {WEIGHT_TOTAL} (per mille)")));
    }
    if spec.criteria.iter().filter(|c| c.kind == CriterionKind::Price).count() > 1 {
        return Err(invalid("a tender has at most one price criterion"));
    }
    if spec.documents.len() > MAX_DOCUMENTS {
        return Err(invalid(format!("a tender has at most {MAX_DOCUMENTS} documents")));
    }
    for (i, doc) in spec.documents.iter().enumerate() {
        check_text(&format!("title of document {i}"), &doc.title, MAX_TITLE_BYTES)?;
        if doc.url.len() > MAX_URL_BYTES || !(doc.url.is_empty() || doc.url.starts_with("https://")) {
            return Err(invalid(format!(
                "document {i}'s URL must be empty or https://, at most {MAX_URL_BYTES} bytes"
            )));
        }
    }
    if spec.evaluators.is_empty() || spec.evaluators.len() > MAX_EVALUATORS {
        return Err(invalid(format!("the evaluation committee has 1 to {MAX_EVALUATORS} members")));
    }
    let mut members = spec.evaluators.clone();
    members.sort();
    members.dedup();
    if members.len() != spec.evaluators.len() {
        return Err(invalid("a member of the evaluation committee is named twice"));
    }
    Ok(())
}

/// Check the committee and the funding against the state: members hold `evaluator` in the entity's agency; the
/// allocation is the entity's and in the tender's currency.
fn check_links(state: &dyn StateRead, entity: &AgencyId, spec: &TenderSpec) -> Result<(), TxError> {
    for member in &spec.evaluators {
        let record = publica_accounts::require_role(state, member, EVALUATOR_ROLE)?;
        if record.agency() != Some(entity) {
            return Err(invalid(format!("committee member {member} is not an official of {entity}")));
        }
    }
    if let Some(id) = spec.allocation {
        let allocation: publica_finance::schema::Allocation =
            publica_finance::schema::get(state, &publica_finance::schema::allocation_key(id))
                .ok_or_else(|| invalid(format!("the finance module has no allocation {id}")))?;
        if &allocation.agency != entity {
            return Err(invalid(format!("allocation {id} is {}'s, not {entity}'s", allocation.agency)));
        }
        let budget: publica_finance::schema::BudgetRecord =
            publica_finance::schema::get(state, &publica_finance::schema::budget_key(allocation.year))
                .ok_or_else(|| invalid(format!("the budget of {} is missing", allocation.year)))?;
        if budget.currency != spec.currency {
            return Err(invalid(format!(
                "allocation {id} is in {}, the tender in {}: use one currency",
                budget.currency, spec.currency
            )));
        }
    }
    Ok(())
}

/// Publish a tender.
pub fn publish(state: &mut dyn StateWrite, ctx: &CallContext, spec: &TenderSpec) -> Result<u64, TxError> {
    let official = publica_accounts::require_role(state, &ctx.sender, ENTITY_ROLE)?;
    let entity = official.agency().cloned().expect("an official has an agency");
    check_contents(spec)?;
    let t = &spec.timeline;
    let now = ctx.time_ms;
    let ordered = now < t.clarifications_until_ms
        && t.clarifications_until_ms <= t.bid_deadline_ms
        && t.bid_deadline_ms <= t.opening_ms
        && t.opening_ms - now <= MAX_PERIOD_MS;
    if !ordered {
        return Err(invalid(
            "the timeline must run from after the block time: clarifications until, then the bid deadline, then \
             the opening, within two years",
        ));
    }
    if !(MIN_STANDSTILL_MS..=MAX_PERIOD_MS).contains(&t.standstill_ms) {
        return Err(invalid(format!("the standstill period must be {MIN_STANDSTILL_MS} ms to two years")));
    }
    let key = crate::keys::read(state, spec.sealing_key)?;
    if !matches!(key.stage, KeyStage::Ready { .. }) {
        return Err(refuse(error::CEREMONY_STEP, format!("sealing key {} is not finished yet", key.id)));
    }
    check_links(state, &entity, spec)?;
    let id = schema::take_next(state, "t");
    let tender = Tender {
        id,
        entity,
        published_by: ctx.sender,
        published_ms: now,
        spec: spec.clone(),
        amendments: 0,
        questions: 0,
        bids: 0,
        live_bids: 0,
        opened: 0,
        complaints: 0,
        pending_complaints: 0,
        lots: vec![LotState::default(); spec.lots.len()],
        cancelled: None,
        original_deadline_ms: t.bid_deadline_ms,
    };
    schema::put(state, schema::tender_key(id), &tender)?;
    Ok(id)
}

/// Amend a tender before its bid deadline.
pub fn amend(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    changes: &TenderChanges,
    rationale: &str,
) -> Result<(), TxError> {
    let mut tender = read(state, id)?;
    require_entity(state, ctx, &tender)?;
    not_cancelled(&tender)?;
    check_text("rationale", rationale, MAX_TEXT_BYTES)?;
    let now = ctx.time_ms;
    let old_deadline = tender.spec.timeline.bid_deadline_ms;
    if now >= old_deadline {
        return Err(refuse(error::OUT_OF_TIME, format!("tender {id}'s bid deadline passed: it can no longer change")));
    }
    let mut spec = tender.spec.clone();
    let mut changed = Vec::new();
    if let Some(description) = &changes.description {
        spec.description = description.clone();
        changed.push("description".to_string());
    }
    if let Some(items) = &changes.items {
        spec.items = items.clone();
        changed.push("items".to_string());
    }
    if let Some(lots) = &changes.lots {
        if lots.len() != spec.lots.len() {
            return Err(invalid(format!(
                "an amendment keeps the {} lots; change their titles and values",
                spec.lots.len()
            )));
        }
        spec.lots = lots.clone();
        changed.push("lots".to_string());
    }
    if let Some(criteria) = &changes.criteria {
        spec.criteria = criteria.clone();
        changed.push("criteria".to_string());
    }
    if let Some(documents) = &changes.documents {
        spec.documents = documents.clone();
        changed.push("documents".to_string());
    }
    if changed.is_empty() {
        return Err(invalid("the amendment changes nothing: give at least one field"));
    }
    check_contents(&spec)?;
    let window = tender.original_deadline_ms - tender.published_ms;
    let new_deadline = old_deadline.max(now.saturating_add(window / 2));
    let shift = new_deadline - old_deadline;
    spec.timeline.bid_deadline_ms = new_deadline;
    spec.timeline.clarifications_until_ms = spec.timeline.clarifications_until_ms.saturating_add(shift);
    spec.timeline.opening_ms = spec.timeline.opening_ms.saturating_add(shift);
    tender.spec = spec;
    tender.amendments += 1;
    let record = Amendment {
        number: tender.amendments,
        rationale: rationale.to_string(),
        changed,
        old_deadline_ms: old_deadline,
        new_deadline_ms: new_deadline,
        by: ctx.sender,
        time_ms: now,
    };
    schema::put(state, schema::amendment_key(id, tender.amendments), &record)?;
    schema::put(state, schema::tender_key(id), &tender)
}

/// Cancel a tender before any of its contracts is signed.
pub fn cancel(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, reason: &str) -> Result<(), TxError> {
    let mut tender = read(state, id)?;
    require_entity(state, ctx, &tender)?;
    not_cancelled(&tender)?;
    check_text("reason", reason, MAX_TEXT_BYTES)?;
    if let Some(lot) = tender.lots.iter().position(|l| l.contract.is_some()) {
        return Err(refuse(
            error::CONTRACT_INVALID,
            format!("lot {lot} of tender {id} has a contract: a tender with a contract is not cancelled"),
        ));
    }
    tender.cancelled = Some((reason.to_string(), ctx.time_ms));
    schema::put(state, schema::tender_key(id), &tender)
}

/// Ask a question about a tender.
pub fn ask(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, text: &str) -> Result<u32, TxError> {
    let mut tender = read(state, id)?;
    not_cancelled(&tender)?;
    if ctx.time_ms > tender.spec.timeline.clarifications_until_ms {
        return Err(refuse(error::OUT_OF_TIME, format!("questions about tender {id} closed")));
    }
    check_text("question", text, MAX_TEXT_BYTES)?;
    let asker_key = schema::asker_key(id, &ctx.sender);
    let asked = schema::counter(state, &asker_key);
    if asked >= MAX_QUESTIONS_PER_ASKER || tender.questions >= MAX_QUESTIONS {
        return Err(refuse(
            error::TOO_MANY_QUESTIONS,
            format!(
                "tender {id} takes {MAX_QUESTIONS} questions, {MAX_QUESTIONS_PER_ASKER} per account: read the answers \
                 given"
            ),
        ));
    }
    tender.questions += 1;
    let question = Question {
        number: tender.questions,
        asked_by: ctx.sender,
        text: text.to_string(),
        asked_ms: ctx.time_ms,
        answer: None,
    };
    schema::put(state, schema::question_key(id, question.number), &question)?;
    schema::put(state, asker_key, &(asked + 1))?;
    schema::put(state, schema::tender_key(id), &tender)?;
    Ok(question.number)
}

/// Answer a question before the bid deadline.
pub fn answer(state: &mut dyn StateWrite, ctx: &CallContext, id: u64, number: u32, text: &str) -> Result<(), TxError> {
    let tender = read(state, id)?;
    require_entity(state, ctx, &tender)?;
    not_cancelled(&tender)?;
    if ctx.time_ms >= tender.spec.timeline.bid_deadline_ms {
        return Err(refuse(error::OUT_OF_TIME, format!("tender {id}'s bid deadline passed: answers are closed")));
    }
    check_text("answer", text, MAX_TEXT_BYTES)?;
    let key = schema::question_key(id, number);
    let mut question: Question = schema::get(state, &key)
        .ok_or_else(|| refuse(error::QUESTION_STATE, format!("tender {id} has no question {number}")))?;
    if question.answer.is_some() {
        return Err(refuse(error::QUESTION_STATE, format!("question {number} is answered already")));
    }
    question.answer = Some(Answer { text: text.to_string(), by: ctx.sender, time_ms: ctx.time_ms });
    schema::put(state, key, &question)
}
