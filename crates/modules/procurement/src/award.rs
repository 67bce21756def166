//! Evaluation, ranking, awards and complaints.
//!
//! **The ranking**, computed on the ledger from the published weights once every bid is open and the committee has
//! scored every valid bid for the lot: a quality criterion of weight `w` adds `w * (sum of the members' scores) *
//! 1000 / members` (a member who is an officer of the bidding company is recused: they may not score its bid, and
//! the mean is over the others); the price criterion of weight `w` adds `w * 100 * 1000 * lowest / price`, each term rounded
//! down, in thousandths of a point (100,000 points is a bid at the top of every scale). Best first; ties go to the
//! lower price, then to the bid first submitted earlier, then to the lower bid number.

use publica_types::{CallContext, RecordId, StateRead, StateWrite, TxError};

use crate::call::{CriterionKind, MAX_COMPLAINTS_PER_COMPANY, MAX_SCORE, MAX_TEXT_BYTES, MIN_DEVIATION_REASON_BYTES};
use crate::error::{self, refuse};
use crate::schema::{self, Award, Bid, ComplaintRecord, Decision, Opening, Ranked, Scores, Tender};
use crate::tender::{not_cancelled, read, require_entity};
use crate::{check_text, EVALUATOR_ROLE, REVIEW_ROLE};

fn lot_index(tender: &Tender, lot: u16) -> Result<usize, TxError> {
    let i = usize::from(lot);
    if i >= tender.spec.lots.len() {
        return Err(refuse(error::LOT_NOT_FOUND, format!("tender {} has no lot {lot}", tender.id)));
    }
    Ok(i)
}

/// Whether evaluation may start: the opening time passed and every standing bid is open.
fn evaluation_open(ctx: &CallContext, tender: &Tender) -> bool {
    ctx.time_ms >= tender.spec.timeline.opening_ms && tender.all_open()
}

/// The price a bid gives for a lot, if it is open, valid and prices the lot.
pub fn price_for(bid: &Bid, lot: u16) -> Option<u64> {
    match &bid.opening {
        Some(Opening::Valid { content }) if !bid.withdrawn => {
            content.prices.iter().find(|p| p.lot == lot).map(|p| p.price)
        }
        _ => None,
    }
}

/// Refuse `who` acting on a bid of `company` when they are one of its officers (any position): a committee member
/// scoring, or an official awarding, their own company's bid.
fn no_conflict(
    state: &dyn StateRead,
    who: &publica_types::Address,
    company: &RecordId,
    act: &str,
) -> Result<(), TxError> {
    let officer = publica_registry::query::company(state, company)
        .is_some_and(|v| v.value.officers.iter().any(|o| &o.account == who));
    if officer {
        return Err(refuse(
            error::CONFLICT_OF_INTEREST,
            format!("{who} is an officer of company {company}, so may not {act} its bid: another member must"),
        ));
    }
    Ok(())
}

/// The number of quality criteria of a tender.
fn quality_count(tender: &Tender) -> usize {
    tender.spec.criteria.iter().filter(|c| c.kind == CriterionKind::Quality).count()
}

/// A committee member scores a bid for a lot.
pub fn score(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    lot: u16,
    number: u32,
    scores: &[u8],
) -> Result<(), TxError> {
    let tender = read(state, id)?;
    let member = tender.spec.evaluators.iter().position(|m| m == &ctx.sender).ok_or_else(|| {
        refuse(error::SCORE_INVALID, format!("{} is not on tender {id}'s evaluation committee", ctx.sender))
    })?;
    publica_accounts::require_role(state, &ctx.sender, EVALUATOR_ROLE)?;
    not_cancelled(&tender)?;
    let i = lot_index(&tender, lot)?;
    if !evaluation_open(ctx, &tender) {
        return Err(refuse(error::SCORE_INVALID, format!("tender {id}'s bids are not all open: scores come after")));
    }
    if tender.lots[i].awarded || tender.lots[i].contract.is_some() {
        return Err(refuse(error::SCORE_INVALID, format!("lot {lot} is awarded: its scores are final")));
    }
    let bid: Bid = schema::get(state, &schema::bid_key(id, number))
        .ok_or_else(|| refuse(error::BID_NOT_FOUND, format!("tender {id} has no bid {number}")))?;
    if price_for(&bid, lot).is_none() {
        return Err(refuse(error::SCORE_INVALID, format!("bid {number} is not a valid bid for lot {lot}")));
    }
    no_conflict(state, &ctx.sender, &bid.company, "score")?;
    let expected = quality_count(&tender);
    if scores.len() != expected {
        return Err(refuse(
            error::SCORE_INVALID,
            format!("give {expected} scores, one per quality criterion in order, not {}", scores.len()),
        ));
    }
    if let Some(bad) = scores.iter().find(|&&s| s > MAX_SCORE) {
        return Err(refuse(error::SCORE_INVALID, format!("a score of {bad} is outside the scale of 0 to {MAX_SCORE}")));
    }
    let record = Scores { scores: scores.to_vec(), by: ctx.sender, time_ms: ctx.time_ms };
    schema::put(state, schema::scores_key(id, lot, number, member as u16), &record)
}

/// The ranking of a lot's valid bids, best first; `Err` names what is missing (a member's scores).
pub fn ranking(state: &dyn StateRead, tender: &Tender, lot: u16) -> Result<Vec<Ranked>, String> {
    let quality = quality_count(tender);
    let mut bids: Vec<(Bid, u64)> = Vec::new();
    for number in 1..=tender.bids {
        let bid: Bid = match schema::get(state, &schema::bid_key(tender.id, number)) {
            Some(bid) => bid,
            None => continue,
        };
        if let Some(price) = price_for(&bid, lot) {
            bids.push((bid, price));
        }
    }
    let lowest = bids.iter().map(|(_, p)| *p).min().unwrap_or(1);
    let mut out = Vec::with_capacity(bids.len());
    for (bid, price) in bids {
        let mut sums = vec![0u128; quality];
        let mut members = 0u128;
        if quality > 0 {
            let officers: Vec<publica_types::Address> = publica_registry::query::company(state, &bid.company)
                .map(|v| v.value.officers.iter().map(|o| o.account).collect())
                .unwrap_or_default();
            for (member, account) in tender.spec.evaluators.iter().enumerate() {
                if officers.contains(account) {
                    continue; // recused: an officer of the bidder
                }
                let scores: Scores = schema::get(state, &schema::scores_key(tender.id, lot, bid.number, member as u16))
                    .ok_or_else(|| format!("committee member {account} has not scored bid {}", bid.number))?;
                for (sum, s) in sums.iter_mut().zip(&scores.scores) {
                    *sum += u128::from(*s);
                }
                members += 1;
            }
            if members == 0 {
                return Err(format!(
                    "every committee member is an officer of bid {}'s company: nobody may score it",
                    bid.number
                ));
            }
        }
        let mut total: u128 = 0;
        let mut q = 0;
        for criterion in &tender.spec.criteria {
            let w = u128::from(criterion.weight);
            match criterion.kind {
                CriterionKind::Quality => {
                    total += w * sums[q] * 1000 / members;
                    q += 1;
                }
                CriterionKind::Price => {
                    total += w * u128::from(MAX_SCORE) * 1000 * u128::from(lowest) / u128::from(price)
                }
            }
        }
        out.push((
            Ranked {
                bid: bid.number,
                company: bid.company.clone(),
                price,
                total_millipoints: u64::try_from(total).expect("at most 10^8"),
            },
            bid.first_submitted_ms,
        ));
    }
    out.sort_by(|(a, ta), (b, tb)| {
        b.total_millipoints
            .cmp(&a.total_millipoints)
            .then(a.price.cmp(&b.price))
            .then(ta.cmp(tb))
            .then(a.bid.cmp(&b.bid))
    });
    Ok(out.into_iter().map(|(r, _)| r).collect())
}

/// The entity awards a lot.
pub fn award(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    lot: u16,
    number: u32,
    reason: Option<&str>,
) -> Result<(), TxError> {
    let mut tender = read(state, id)?;
    require_entity(state, ctx, &tender)?;
    not_cancelled(&tender)?;
    let i = lot_index(&tender, lot)?;
    if !evaluation_open(ctx, &tender) {
        return Err(refuse(error::AWARD_INVALID, format!("tender {id}'s bids are not all open")));
    }
    if tender.lots[i].awarded || tender.lots[i].contract.is_some() {
        return Err(refuse(error::AWARD_INVALID, format!("lot {lot} is awarded already")));
    }
    let ranking = ranking(state, &tender, lot).map_err(|missing| {
        refuse(error::AWARD_INVALID, format!("the ranking of lot {lot} is not complete: {missing}"))
    })?;
    let Some(best) = ranking.first() else {
        return Err(refuse(error::AWARD_INVALID, format!("lot {lot} has no valid bid: cancel the tender or the lot")));
    };
    let chosen = ranking
        .iter()
        .find(|r| r.bid == number)
        .ok_or_else(|| refuse(error::AWARD_INVALID, format!("bid {number} is not a valid bid for lot {lot}")))?
        .clone();
    no_conflict(state, &ctx.sender, &chosen.company, "award")?;
    if let Some(reason) = reason {
        check_text("reason", reason, MAX_TEXT_BYTES)?;
    }
    if chosen.bid != best.bid && reason.is_none_or(|r| r.len() < MIN_DEVIATION_REASON_BYTES) {
        return Err(refuse(
            error::AWARD_NEEDS_REASON,
            format!(
                "bid {} ranks first, not bid {number}: an award that departs from the ranking records a reason of at \
                 least {MIN_DEVIATION_REASON_BYTES} bytes",
                best.bid
            ),
        ));
    }
    let state_lot = &mut tender.lots[i];
    state_lot.round += 1;
    state_lot.awarded = true;
    let record = Award {
        round: state_lot.round,
        bid: chosen.bid,
        company: chosen.company.clone(),
        price: chosen.price,
        ranking,
        reason: reason.map(str::to_string),
        by: ctx.sender,
        time_ms: ctx.time_ms,
        standstill_until_ms: ctx.time_ms.saturating_add(tender.spec.timeline.standstill_ms),
        cancelled_by: None,
    };
    schema::put(state, schema::award_key(id, lot, record.round), &record)?;
    schema::put(state, schema::tender_key(id), &tender)
}

/// The current award of a lot, if it stands.
pub fn current_award(state: &dyn StateRead, tender: &Tender, lot: u16) -> Option<Award> {
    let lot_state = tender.lots.get(usize::from(lot))?;
    if !lot_state.awarded {
        return None;
    }
    schema::get(state, &schema::award_key(tender.id, lot, lot_state.round))
}

/// A bidder files a complaint about a lot's award in its standstill period.
pub fn file_complaint(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    lot: u16,
    company: &RecordId,
    text: &str,
) -> Result<u32, TxError> {
    let mut tender = read(state, id)?;
    crate::bids::require_officer(state, &ctx.sender, company)?;
    not_cancelled(&tender)?;
    let i = lot_index(&tender, lot)?;
    check_text("complaint", text, MAX_TEXT_BYTES)?;
    let number: Option<u32> = schema::get(state, &schema::bidder_key(id, company));
    let bid: Option<Bid> = number.and_then(|n| schema::get(state, &schema::bid_key(id, n)));
    if bid.is_none_or(|b| b.withdrawn) {
        return Err(refuse(error::COMPLAINT_INVALID, format!("company {company} has no standing bid in tender {id}")));
    }
    let award = current_award(state, &tender, lot).ok_or_else(|| {
        refuse(error::COMPLAINT_INVALID, format!("lot {lot} has no standing award to complain about"))
    })?;
    if ctx.time_ms >= award.standstill_until_ms {
        return Err(refuse(
            error::COMPLAINT_INVALID,
            format!("lot {lot}'s standstill period ended at {} ms", award.standstill_until_ms),
        ));
    }
    let count_key = schema::complainant_key(id, company);
    let filed = schema::counter(state, &count_key);
    if filed >= MAX_COMPLAINTS_PER_COMPANY {
        return Err(refuse(
            error::COMPLAINT_INVALID,
            format!(
                "company {company} filed {MAX_COMPLAINTS_PER_COMPANY} complaints about tender {id}, as many as it may"
            ),
        ));
    }
    tender.complaints += 1;
    tender.pending_complaints += 1;
    tender.lots[i].pending_complaints += 1;
    let record = ComplaintRecord {
        number: tender.complaints,
        lot,
        round: award.round,
        company: company.clone(),
        by: ctx.sender,
        text: text.to_string(),
        time_ms: ctx.time_ms,
        decision: None,
    };
    schema::put(state, schema::complaint_key(id, record.number), &record)?;
    schema::put(state, count_key, &(filed + 1))?;
    schema::put(state, schema::tender_key(id), &tender)?;
    Ok(record.number)
}

/// The review body decides a complaint.
pub fn decide(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    id: u64,
    number: u32,
    upheld: bool,
    cancel_award: bool,
    reasoning: &str,
) -> Result<(), TxError> {
    let mut tender = read(state, id)?;
    let official = publica_accounts::require_role(state, &ctx.sender, REVIEW_ROLE)?;
    if official.agency() == Some(&tender.entity) {
        return Err(refuse(
            error::REVIEW_NOT_INDEPENDENT,
            format!(
                "{} is an official of the procuring entity {}: its complaints go to another body",
                ctx.sender, tender.entity
            ),
        ));
    }
    check_text("reasoning", reasoning, MAX_TEXT_BYTES)?;
    let key = schema::complaint_key(id, number);
    let mut complaint: ComplaintRecord = schema::get(state, &key)
        .ok_or_else(|| refuse(error::COMPLAINT_STATE, format!("tender {id} has no complaint {number}")))?;
    if complaint.decision.is_some() {
        return Err(refuse(error::COMPLAINT_STATE, format!("complaint {number} is decided already")));
    }
    if cancel_award && !upheld {
        return Err(refuse(error::COMPLAINT_STATE, "only an upheld complaint cancels an award"));
    }
    let i = usize::from(complaint.lot);
    if cancel_award {
        let lot_state = &tender.lots[i];
        if !lot_state.awarded || lot_state.round != complaint.round || lot_state.contract.is_some() {
            return Err(refuse(
                error::COMPLAINT_STATE,
                format!("the award complained about (round {}) no longer stands", complaint.round),
            ));
        }
        let award_key = schema::award_key(id, complaint.lot, complaint.round);
        let mut award: Award = schema::get(state, &award_key).expect("a standing award is stored");
        award.cancelled_by = Some(number);
        schema::put(state, award_key, &award)?;
        tender.lots[i].awarded = false;
    }
    complaint.decision = Some(Decision {
        upheld,
        cancelled_award: cancel_award,
        reasoning: reasoning.to_string(),
        by: ctx.sender,
        time_ms: ctx.time_ms,
    });
    tender.pending_complaints -= 1;
    tender.lots[i].pending_complaints -= 1;
    schema::put(state, key, &complaint)?;
    schema::put(state, schema::tender_key(id), &tender)
}
