//! Reads of the finance module over `&dyn StateRead`. A read a citizen, a journalist or an auditor may want proven
//! returns the keys to prove with the value: the API proves them all under one certified header.
//!
//! Private accounts are read here like any record; who may be shown one (its holder, an auditor) is the API's
//! decision (`docs/finance.md`).

use publica_types::{AgencyId, StateRead};

use crate::call::Holder;
use crate::schema::*;

/// Keys to prove a read with.
pub type Keys = Vec<Vec<u8>>;

/// A currency, with its key.
pub fn currency_with_key(state: &dyn StateRead, code: &str) -> (Option<CurrencyRecord>, Keys) {
    (currency(state, code), vec![currency_key(code)])
}

/// An agency's account in a currency (empty if it never received money), with its key.
pub fn agency_account_with_key(state: &dyn StateRead, code: &str, agency: &AgencyId) -> (AgencyAccount, Keys) {
    (agency_account(state, code, agency), vec![agency_account_key(code, agency)])
}

/// A private account, with its key.
pub fn private_account_with_key(state: &dyn StateRead, code: &str, holder: &Holder) -> (Option<PrivateAccount>, Keys) {
    (private_account(state, code, holder), vec![private_account_key(code, holder)])
}

/// A tier's limits, with its key.
pub fn tier_with_key(state: &dyn StateRead, code: &str, tier: u8) -> (Option<TierRecord>, Keys) {
    let key = tier_key(code, tier);
    (get(state, &key), vec![key])
}

/// A fiscal year's budget and its lines `from` onwards (at most `limit`), with their keys: the budget's, then each
/// line's index entry and record.
pub fn budget_with_lines(
    state: &dyn StateRead,
    year: u16,
    from: u32,
    limit: usize,
) -> Option<(BudgetRecord, Vec<LineRecord>, Keys)> {
    let budget: BudgetRecord = get(state, &budget_key(year))?;
    let mut keys = vec![budget_key(year)];
    let mut lines = Vec::new();
    for n in (from..budget.lines).take(limit) {
        let index = line_index_key(year, n);
        let code: String = get(state, &index).expect("every line up to the count is indexed");
        keys.push(index);
        keys.push(line_key(year, &code));
        lines.push(get(state, &line_key(year, &code)).expect("an indexed line exists"));
    }
    Some((budget, lines, keys))
}

/// A budget line's totals by month: `(YYYYMM, totals)` for the months that moved anything.
pub type Months = Vec<(u32, MonthTotals)>;

/// One budget line's execution: the line and its totals for each month of its fiscal year and of the next (late
/// payments), with the keys of all of them (a month with nothing is proven absent).
pub fn line_execution(state: &dyn StateRead, year: u16, code: &str) -> Option<(LineRecord, Months, Keys)> {
    let line: LineRecord = get(state, &line_key(year, code))?;
    let mut keys = vec![line_key(year, code)];
    let mut months = Vec::new();
    for month in months_of(year) {
        let key = line_month_key(year, code, month);
        if let Some(totals) = get::<MonthTotals>(state, &key) {
            months.push((month, totals));
        }
        keys.push(key);
    }
    Some((line, months, keys))
}

/// The months of a fiscal year and of the next, `YYYYMM`.
pub fn months_of(year: u16) -> impl Iterator<Item = u32> {
    let year = u32::from(year);
    (0..24).map(move |i| (year + i / 12) * 100 + i % 12 + 1)
}

/// A payment traced to its budget line: the payment, its commitment, the allocation, the line and the budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The payment.
    pub payment: Payment,
    /// The commitment it paid against.
    pub commitment: Commitment,
    /// The allocation the commitment drew on.
    pub allocation: Allocation,
    /// The budget line allocated.
    pub line: LineRecord,
    /// The budget law.
    pub budget: BudgetRecord,
}

/// A payment's trace, with the keys that prove each step.
pub fn payment_trace(state: &dyn StateRead, id: u64) -> Option<(Trace, Keys)> {
    let payment: Payment = get(state, &payment_key(id))?;
    let commitment: Commitment = get(state, &commitment_key(payment.commitment)).expect("a payment's commitment");
    let allocation: Allocation = get(state, &allocation_key(commitment.allocation)).expect("a commitment's allocation");
    let line: LineRecord = get(state, &line_key(allocation.year, &allocation.line)).expect("an allocation's line");
    let budget: BudgetRecord = get(state, &budget_key(allocation.year)).expect("a line's budget");
    let keys = vec![
        payment_key(id),
        commitment_key(payment.commitment),
        allocation_key(commitment.allocation),
        line_key(allocation.year, &allocation.line),
        budget_key(allocation.year),
    ];
    Some((Trace { payment, commitment, allocation, line, budget }, keys))
}

/// How many records of a kind exist (`al`, `cm`, `p`, `g`), with the counter's key.
pub fn count_with_key(state: &dyn StateRead, kind: &str) -> (u64, Keys) {
    (get(state, &next_key(kind)).unwrap_or(0), vec![next_key(kind)])
}

/// Payments numbered `from` onwards (at most `limit`), how many exist, and the keys: the counter's, then each
/// payment's.
pub fn payments(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<Payment>, u64, Keys) {
    let (count, mut keys) = count_with_key(state, "p");
    let payments: Vec<Payment> = (from..count).take(limit).filter_map(|id| get(state, &payment_key(id))).collect();
    keys.extend(payments.iter().map(|p| payment_key(p.id)));
    (payments, count, keys)
}

/// Allocations numbered `from` onwards (at most `limit`), how many exist, and the keys.
pub fn allocations(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<Allocation>, u64, Keys) {
    let (count, mut keys) = count_with_key(state, "al");
    let records: Vec<Allocation> = (from..count).take(limit).filter_map(|id| get(state, &allocation_key(id))).collect();
    keys.extend(records.iter().map(|r| allocation_key(r.id)));
    (records, count, keys)
}

/// Commitments numbered `from` onwards (at most `limit`), how many exist, and the keys.
pub fn commitments(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<Commitment>, u64, Keys) {
    let (count, mut keys) = count_with_key(state, "cm");
    let records: Vec<Commitment> = (from..count).take(limit).filter_map(|id| get(state, &commitment_key(id))).collect();
    keys.extend(records.iter().map(|r| commitment_key(r.id)));
    (records, count, keys)
}

/// A programme, with its key.
pub fn programme_with_key(state: &dyn StateRead, id: u64) -> (Option<Programme>, Keys) {
    (get(state, &programme_key(id)), vec![programme_key(id)])
}

/// Programmes numbered `from` onwards (at most `limit`), how many exist, and the keys.
pub fn programmes(state: &dyn StateRead, from: u64, limit: usize) -> (Vec<Programme>, u64, Keys) {
    let (count, mut keys) = count_with_key(state, "g");
    let records: Vec<Programme> = (from..count).take(limit).filter_map(|id| get(state, &programme_key(id))).collect();
    keys.extend(records.iter().map(|r| programme_key(r.id)));
    (records, count, keys)
}

/// A programme's totals in one period, with its key.
pub fn programme_period_with_key(state: &dyn StateRead, id: u64, period: u32) -> (PeriodTotals, Keys) {
    let key = programme_period_key(id, period);
    (get(state, &key).unwrap_or_default(), vec![key])
}

/// Whether a nullifier is recorded for a scheme and a period, with its key (proven present or absent).
pub fn nullifier_with_key(
    state: &dyn StateRead,
    scheme: &str,
    period: u32,
    nullifier: &publica_types::Hash,
) -> (Option<NullifierRecord>, Keys) {
    let key = nullifier_key(scheme, period, nullifier);
    (get(state, &key), vec![key])
}

/// A private account's history entries `from` onwards (at most `limit`), newest last, with their keys. Only for
/// someone allowed to see the account: the keys are named from its secret seed.
pub fn history(state: &dyn StateRead, account: &PrivateAccount, from: u64, limit: usize) -> (Vec<HistoryEntry>, Keys) {
    let mut entries = Vec::new();
    let mut keys = Vec::new();
    for n in (from..account.entries).take(limit) {
        let key = history_key(&account.history_seed, n);
        entries.push(get(state, &key).expect("every entry up to the count is stored"));
        keys.push(key);
    }
    (entries, keys)
}
