//! Red flags for integrity: the patterns in a tender's data that the Open Contracting Partnership's red-flag
//! methodology ("Red flags for integrity", 2016) and its Cardinal indicators point at for a closer look. A flag is not
//! a finding: a single bidder is often just a small market; it tells auditors and journalists where to read first.
//!
//! Each flag is computed from the ledger alone:
//!
//! - [`FlagKind::SingleBidder`]: a lot, once the bids are open, has exactly one valid bid with a price for it;
//! - [`FlagKind::ShortBidWindow`]: from publication to the first bid deadline less than [`MIN_BID_WINDOW_MS`];
//! - [`FlagKind::LateRegisteredWinner`]: a lot was awarded to a company the business register registered after the
//!   tender's publication, or less than [`MIN_COMPANY_AGE_MS`] before its bid deadline;
//! - [`FlagKind::ContractAboveEstimate`]: a lot's contract is worth more than [`ESTIMATE_OVERRUN_PERCENT`] % of the
//!   lot's estimate;
//! - [`FlagKind::ManyAmendments`]: the tender and its contracts were amended [`MANY_AMENDMENTS`] times or more in all;
//! - [`FlagKind::AwardDepartsFromRanking`]: an award (in any round) went to a bid other than the best-ranked, with
//!   the reason the entity recorded.

use serde::{Deserialize, Serialize};

use publica_types::StateRead;

use crate::query;
use crate::schema::Tender;

/// One day, in milliseconds.
const DAY_MS: u64 = 86_400_000;

/// A bid window shorter than this (from publication to the first bid deadline) is flagged: 15 days, below which the
/// methodology finds competition falls (EU open procedures must allow 30, or 15 in urgency).
pub const MIN_BID_WINDOW_MS: u64 = 15 * DAY_MS;

/// A winner registered in the business register less than this before the bid deadline (90 days) is flagged, as is
/// one registered after the tender's publication: a company set up for the tender.
pub const MIN_COMPANY_AGE_MS: u64 = 90 * DAY_MS;

/// A contract worth more than this percentage of its lot's estimate is flagged.
pub const ESTIMATE_OVERRUN_PERCENT: u64 = 120;

/// This many amendments of a tender and its contracts together, or more, are flagged.
pub const MANY_AMENDMENTS: u32 = 3;

/// What a flag is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A lot had one valid bid.
    SingleBidder,
    /// The bid window was shorter than [`MIN_BID_WINDOW_MS`].
    ShortBidWindow,
    /// A lot was awarded to a company registered after the publication or shortly before the deadline.
    LateRegisteredWinner,
    /// A lot's contract is worth more than [`ESTIMATE_OVERRUN_PERCENT`] % of its estimate.
    ContractAboveEstimate,
    /// The tender and its contracts were amended [`MANY_AMENDMENTS`] times or more.
    ManyAmendments,
    /// An award departed from the ranking, with a recorded reason.
    AwardDepartsFromRanking,
}

/// A red flag of a tender.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// The tender.
    pub tender: u64,
    /// The lot it concerns, if it concerns one.
    pub lot: Option<u16>,
    /// What it is.
    pub kind: FlagKind,
    /// What the data shows, in a sentence.
    pub detail: String,
}

/// Most tenders one call reads.
pub const MAX_TENDERS_PER_CALL: usize = 1_000;

/// The red flags of tenders `from` (from 1) onwards, at most `limit` tenders (and at most
/// [`MAX_TENDERS_PER_CALL`]), with the number of the tender to continue from (past the last tender once every
/// one was read).
pub fn red_flags(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<Flag>, u64) {
    let count = query::tender_count(state);
    let first = from.max(1);
    let mut next = first;
    let mut flags = Vec::new();
    for id in (first..=count).take(limit.min(MAX_TENDERS_PER_CALL)) {
        if let Some(tender) = query::tender(state, id).0 {
            flags.extend(tender_flags(state, &tender));
        }
        next = id + 1;
    }
    (flags, next.max(first))
}

/// The red flags of one tender.
pub fn tender_flags(state: &dyn StateRead, tender: &Tender) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut flag = |lot: Option<u16>, kind: FlagKind, detail: String| {
        flags.push(Flag { tender: tender.id, lot, kind, detail });
    };

    let window_ms = tender.original_deadline_ms.saturating_sub(tender.published_ms);
    if window_ms < MIN_BID_WINDOW_MS {
        flag(
            None,
            FlagKind::ShortBidWindow,
            format!(
                "bids were due {} hours after publication, under the {} days expected",
                window_ms / 3_600_000,
                MIN_BID_WINDOW_MS / DAY_MS
            ),
        );
    }

    // Bids can only be judged once every standing bid is open; the tender counts each lot's valid bids.
    if tender.live_bids > 0 && tender.all_open() {
        for (lot, state) in tender.lots.iter().enumerate() {
            if state.valid_bids == 1 {
                flag(Some(lot as u16), FlagKind::SingleBidder, "one valid bid for the lot".to_owned());
            }
        }
    }

    for lot in 0..tender.lots.len() as u16 {
        let awards = query::awards(state, tender, lot).0;
        let mut checked = Vec::new();
        for award in &awards {
            if let Some(reason) = &award.reason {
                let best = award.ranking.first().map_or(0, |r| r.bid);
                flag(
                    Some(lot),
                    FlagKind::AwardDepartsFromRanking,
                    format!(
                        "round {} awarded bid {} over the best-ranked bid {best}: {reason}",
                        award.round, award.bid
                    ),
                );
            }
            if checked.contains(&award.company) {
                continue;
            }
            checked.push(award.company.clone());
            let Some(company) = publica_registry::query::company(state, &award.company) else { continue };
            let registered_ms = company.value.registered_ms;
            let deadline_ms = tender.spec.timeline.bid_deadline_ms;
            if registered_ms > tender.published_ms {
                flag(
                    Some(lot),
                    FlagKind::LateRegisteredWinner,
                    format!(
                        "awarded to {} ({}), registered {} days after the tender's publication",
                        company.value.name,
                        award.company,
                        (registered_ms - tender.published_ms) / DAY_MS
                    ),
                );
            } else if deadline_ms.saturating_sub(registered_ms) < MIN_COMPANY_AGE_MS {
                flag(
                    Some(lot),
                    FlagKind::LateRegisteredWinner,
                    format!(
                        "awarded to {} ({}), registered {} days before the bid deadline",
                        company.value.name,
                        award.company,
                        deadline_ms.saturating_sub(registered_ms) / DAY_MS
                    ),
                );
            }
        }
    }

    let mut amendments = tender.amendments;
    for (index, lot) in tender.lots.iter().enumerate() {
        let Some(contract) = lot.contract.and_then(|c| query::contract(state, c).0) else { continue };
        amendments = amendments.saturating_add(contract.amendments);
        let estimate = tender.spec.lots.get(index).map_or(0, |l| l.value);
        if u128::from(contract.value) * 100 > u128::from(estimate) * u128::from(ESTIMATE_OVERRUN_PERCENT) {
            let percent = if estimate == 0 { 0 } else { u128::from(contract.value) * 100 / u128::from(estimate) };
            flag(
                Some(index as u16),
                FlagKind::ContractAboveEstimate,
                format!(
                    "contract {} is worth {} against an estimate of {} ({percent} %)",
                    contract.id, contract.value, estimate
                ),
            );
        }
    }
    if amendments >= MANY_AMENDMENTS {
        flag(
            None,
            FlagKind::ManyAmendments,
            format!(
                "{amendments} amendments: {} of the tender, {} of its contracts",
                tender.amendments,
                amendments - tender.amendments
            ),
        );
    }
    flags
}
