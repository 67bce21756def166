//! State layout of the finance module (prefix `fin/`). Every value is borsh, canonical.
//!
//! | key | value |
//! |---|---|
//! | `fin/c/<code>` | [`CurrencyRecord`]: issuer, decimals, issued, redeemed, and the sums of public and private balances |
//! | `fin/t/<code>/<tier>` | [`TierRecord`]: a tier's balance cap and daily outflow cap |
//! | `fin/a/<code>/<agency>` | [`AgencyAccount`]: an agency's balance (public) and hold |
//! | `fin/w/<code>/<holder>` | [`PrivateAccount`]: a citizen's wallet or a company's account, salted |
//! | `fin/h/<name>` | [`HistoryEntry`]: a private account's entry, named from the account's secret seed ([`history_key`]) |
//! | `fin/b/<year>` | [`BudgetRecord`]: a fiscal year's budget law |
//! | `fin/l/<year>/<line>` | [`LineRecord`]: a budget line, its appropriation and what was allocated, committed, paid |
//! | `fin/li/<year>/<n>` | the code of a budget's `n`-th line (from 0), in the order enacted |
//! | `fin/m/<year>/<line>/<YYYYMM>` | [`MonthTotals`]: what a line allocated, committed and paid in one month |
//! | `fin/al/<id>` | [`Allocation`] |
//! | `fin/cm/<id>` | [`Commitment`] |
//! | `fin/p/<id>` | [`Payment`] |
//! | `fin/g/<id>` | [`Programme`]: a welfare programme |
//! | `fin/gp/<id>/<YYYYMM>` | [`PeriodTotals`]: the claims a programme paid in one period |
//! | `fin/n/<scheme>/<YYYYMM>/<nullifier>` | [`NullifierRecord`]: a claim's nullifier |
//! | `fin/next/<kind>` | the next number of allocations (`al`), commitments (`cm`), payments (`p`), programmes (`g`) |
//!
//! Numbers in keys are big-endian; a holder in a key is `g/<agency>`, `c/<address>` or `b/<company number>`.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use publica_crypto::sha256_concat;
use publica_types::{codec, Address, AgencyId, Hash, StateRead, StateWrite, TxId};

use crate::call::Holder;

/// Largest record the module stores, in bytes (a programme with its texts is the largest).
pub const MAX_RECORD_BYTES: usize = 8 * 1024;

/// A currency and its supply. The double-entry invariant, kept by every call and checked by the tests over random
/// sequences: `issued - redeemed == public_balances + private_balances`.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct CurrencyRecord {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Decimals of its smallest unit.
    pub decimals: u8,
    /// The agency whose `currency-issuer` officials issue and redeem it.
    pub issuer: AgencyId,
    /// Everything ever issued.
    pub issued: u64,
    /// Everything ever redeemed.
    pub redeemed: u64,
    /// The sum of agencies' balances.
    pub public_balances: u64,
    /// The sum of private accounts' balances.
    pub private_balances: u64,
    /// Private accounts opened.
    pub private_accounts: u64,
}

impl CurrencyRecord {
    /// Money in circulation: issued less redeemed.
    pub fn circulating(&self) -> u64 {
        self.issued - self.redeemed
    }

    /// Whether the double-entry invariant holds.
    pub fn balanced(&self) -> bool {
        self.issued.checked_sub(self.redeemed) == self.public_balances.checked_add(self.private_balances)
    }
}

/// A tier's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct TierRecord {
    /// Largest balance.
    pub balance_cap: u64,
    /// Most sent in one UTC day.
    pub daily_outflow_cap: u64,
}

/// A hold on an account.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Hold {
    /// The agency whose official placed it.
    pub agency: AgencyId,
    /// The role it was placed with (`court` or `bank-supervisor`).
    pub role: String,
    /// Why.
    pub reason: String,
    /// The height it was placed at.
    pub height: u64,
}

/// An agency's account: public.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct AgencyAccount {
    /// Its balance.
    pub balance: u64,
    /// A hold, if one is placed.
    pub hold: Option<Hold>,
}

/// A private account: a citizen's wallet or a company's business account. Its record is readable by its holder and
/// by auditors, not served to others; its `salt` changes with every transaction that touches it, so the record's
/// hash, which appears in other people's state proofs, reveals nothing about its balance.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct PrivateAccount {
    /// Its holder.
    pub holder: Holder,
    /// The key that signs its transfers: the citizen, or the company's operator.
    pub operator: Address,
    /// Its tier.
    pub tier: u8,
    /// Its balance.
    pub balance: u64,
    /// The UTC day (days since 1970-01-01, by block time) of `day_outflow`.
    pub day: u64,
    /// What it sent on `day`.
    pub day_outflow: u64,
    /// A hold, if one is placed.
    pub hold: Option<Hold>,
    /// The agency of the bank that opened it.
    pub opened_by: AgencyId,
    /// The height it was opened at.
    pub opened_at_height: u64,
    /// Transactions that touched it.
    pub transactions: u64,
    /// Entries of its history (transactions that moved its balance).
    pub entries: u64,
    /// Its salt: first from the bank's blinding, then `SHA-256("publica:finance:salt:v1" || salt || transaction id)`
    /// at each transaction (`docs/finance.md`).
    #[serde(with = "publica_types::codec::hex_hash")]
    pub salt: Hash,
    /// The account's first salt, which names its history entries' keys ([`history_key`]): only someone who was
    /// shown the record can find them.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub history_seed: Hash,
}

/// One entry of a private account's history: a transaction that moved its balance.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The transaction.
    pub tx: TxId,
    /// Its height.
    pub height: u64,
    /// Its block time, Unix milliseconds.
    pub time_ms: u64,
    /// Money in.
    pub credit: u64,
    /// Money out.
    pub debit: u64,
    /// The balance after it.
    pub balance: u64,
    /// The other account, when there is one (a transfer's; an agency for a payment).
    pub counterparty: Option<Holder>,
    /// The transfer's reference, or the payment's.
    pub reference: String,
}

impl PrivateAccount {
    /// Move the salt on past a transaction, and count it.
    pub fn touch(&mut self, tx: &TxId) {
        self.salt = sha256_concat(&[b"publica:finance:salt:v1", &self.salt, &tx.0]);
        self.transactions += 1;
    }

    /// A commitment to the holder that only someone who knows the account's salt can open: what a payment record
    /// shows in place of a private payee.
    pub fn payee_commitment(&self) -> Hash {
        let holder = borsh::to_vec(&self.holder).expect("a holder encodes");
        sha256_concat(&[b"publica:finance:payee:v1", &self.salt, &holder])
    }
}

/// A fiscal year's budget law.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct BudgetRecord {
    /// The fiscal year.
    pub year: u16,
    /// The currency.
    pub currency: String,
    /// The agency whose account pays.
    pub treasury: AgencyId,
    /// The law's reference.
    pub reference: String,
    /// Amendments enacted.
    pub amendments: u32,
    /// The last amendment's reference.
    pub last_amendment: Option<String>,
    /// Its lines.
    pub lines: u32,
    /// The sum of its appropriations.
    pub appropriated: u64,
    /// The height it was enacted at.
    pub enacted_at_height: u64,
}

/// A budget line.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct LineRecord {
    /// The fiscal year.
    pub year: u16,
    /// Its code.
    pub code: String,
    /// COFOG function.
    pub cofog: String,
    /// Economic classification.
    pub economic: String,
    /// Its name.
    pub name: String,
    /// The amount appropriated (after amendments).
    pub appropriation: u64,
    /// Allocated to agencies.
    pub allocated: u64,
    /// Committed against its allocations.
    pub committed: u64,
    /// Paid against its commitments.
    pub paid: u64,
}

/// What a budget line (or a programme's period) moved in one month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct MonthTotals {
    /// Allocated.
    pub allocated: u64,
    /// Committed.
    pub committed: u64,
    /// Paid.
    pub paid: u64,
}

/// What a programme paid in one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct PeriodTotals {
    /// Claims paid.
    pub claims: u64,
    /// Amount paid.
    pub paid: u64,
}

/// An allocation of a budget line to an agency.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Allocation {
    /// Its number.
    pub id: u64,
    /// The fiscal year.
    pub year: u16,
    /// The line.
    pub line: String,
    /// The spending agency.
    pub agency: AgencyId,
    /// The amount.
    pub amount: u64,
    /// Committed against it.
    pub committed: u64,
    /// The decision's reference.
    pub reference: String,
    /// The official who allocated it.
    pub by: Address,
    /// Height and block time of the allocation.
    pub height: u64,
    /// Block time, Unix milliseconds.
    pub time_ms: u64,
}

/// A commitment against an allocation.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Commitment {
    /// Its number.
    pub id: u64,
    /// The allocation.
    pub allocation: u64,
    /// The amount.
    pub amount: u64,
    /// Paid against it.
    pub paid: u64,
    /// The one payee, if it names one.
    pub payee: Option<Holder>,
    /// The purchase order's or decision's reference.
    pub reference: String,
    /// The official who committed it.
    pub by: Address,
    /// Height of the commitment.
    pub height: u64,
    /// Block time, Unix milliseconds.
    pub time_ms: u64,
}

/// Who a payment went to, as the public sees it.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payee {
    /// An agency or a company named by a commitment: public.
    Public(Holder),
    /// A private account: a commitment to its holder that the holder opens with their account's salt
    /// ([`PrivateAccount::payee_commitment`]).
    Private(#[serde(with = "publica_types::codec::hex_hash")] Hash),
}

/// A payment against a commitment.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Payment {
    /// Its number.
    pub id: u64,
    /// The commitment.
    pub commitment: u64,
    /// The amount.
    pub amount: u64,
    /// Who was paid.
    pub payee: Payee,
    /// The invoice's reference (for a benefit, the programme and period).
    pub reference: String,
    /// Height of the payment.
    pub height: u64,
    /// Block time, Unix milliseconds.
    pub time_ms: u64,
}

/// A welfare programme.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Programme {
    /// Its number.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its scheme.
    pub scheme: String,
    /// The agency running it.
    pub agency: AgencyId,
    /// The commitment it pays from.
    pub commitment: u64,
    /// The amount per claim.
    pub amount: u64,
    /// First period, `YYYYMM`.
    pub first_period: u32,
    /// Last period, `YYYYMM`.
    pub last_period: u32,
    /// The agency a claimant was registered by, if the programme asks for one.
    pub registered_by: Option<AgencyId>,
    /// The credential types its officers check.
    pub requires: Vec<String>,
    /// Claims paid.
    pub claims: u64,
    /// Amount paid.
    pub paid: u64,
    /// Height of its creation.
    pub height: u64,
}

/// A recorded nullifier: the scheme and period are in its key.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct NullifierRecord {
    /// The programme that paid the claim.
    pub programme: u64,
    /// The payment.
    pub payment: u64,
    /// Height of the claim.
    pub height: u64,
}

fn holder_key_part(holder: &Holder) -> Vec<u8> {
    match holder {
        Holder::Agency(agency) => [b"g/".as_slice(), agency.as_str().as_bytes()].concat(),
        Holder::Citizen(address) => [b"c/".as_slice(), &address.0].concat(),
        Holder::Company(number) => [b"b/".as_slice(), number.as_bytes()].concat(),
    }
}

/// Key of a currency.
pub fn currency_key(code: &str) -> Vec<u8> {
    [b"fin/c/".as_slice(), code.as_bytes()].concat()
}

/// Key of a currency's tier.
pub fn tier_key(code: &str, tier: u8) -> Vec<u8> {
    [b"fin/t/".as_slice(), code.as_bytes(), b"/", &[tier]].concat()
}

/// Key of an agency's account in a currency.
pub fn agency_account_key(code: &str, agency: &AgencyId) -> Vec<u8> {
    [b"fin/a/".as_slice(), code.as_bytes(), b"/", agency.as_str().as_bytes()].concat()
}

/// Key of a private account in a currency.
pub fn private_account_key(code: &str, holder: &Holder) -> Vec<u8> {
    [b"fin/w/".as_slice(), code.as_bytes(), b"/", &holder_key_part(holder)].concat()
}

/// Key of a private account's `n`-th history entry (from 0): derived from the account's secret history seed, so that
/// nobody who has not been shown the account's record can name, probe or count its entries.
pub fn history_key(seed: &Hash, n: u64) -> Vec<u8> {
    let name = sha256_concat(&[b"publica:finance:history:v1", seed, &n.to_be_bytes()]);
    [b"fin/h/".as_slice(), &name].concat()
}

/// Key of a fiscal year's budget.
pub fn budget_key(year: u16) -> Vec<u8> {
    [b"fin/b/".as_slice(), &year.to_be_bytes()].concat()
}

/// Key of a budget line.
pub fn line_key(year: u16, code: &str) -> Vec<u8> {
    [b"fin/l/".as_slice(), &year.to_be_bytes(), b"/", code.as_bytes()].concat()
}

/// Key of the code of a budget's `n`-th line.
pub fn line_index_key(year: u16, n: u32) -> Vec<u8> {
    [b"fin/li/".as_slice(), &year.to_be_bytes(), b"/", &n.to_be_bytes()].concat()
}

/// Key of a budget line's totals in one month.
pub fn line_month_key(year: u16, code: &str, month: u32) -> Vec<u8> {
    [b"fin/m/".as_slice(), &year.to_be_bytes(), b"/", code.as_bytes(), b"/", &month.to_be_bytes()].concat()
}

/// Key of an allocation.
pub fn allocation_key(id: u64) -> Vec<u8> {
    [b"fin/al/".as_slice(), &id.to_be_bytes()].concat()
}

/// Key of a commitment.
pub fn commitment_key(id: u64) -> Vec<u8> {
    [b"fin/cm/".as_slice(), &id.to_be_bytes()].concat()
}

/// Key of a payment.
pub fn payment_key(id: u64) -> Vec<u8> {
    [b"fin/p/".as_slice(), &id.to_be_bytes()].concat()
}

/// Key of a welfare programme.
pub fn programme_key(id: u64) -> Vec<u8> {
    [b"fin/g/".as_slice(), &id.to_be_bytes()].concat()
}

/// Key of a programme's totals in one period.
pub fn programme_period_key(id: u64, period: u32) -> Vec<u8> {
    [b"fin/gp/".as_slice(), &id.to_be_bytes(), b"/", &period.to_be_bytes()].concat()
}

/// Key of a nullifier.
pub fn nullifier_key(scheme: &str, period: u32, nullifier: &Hash) -> Vec<u8> {
    [b"fin/n/".as_slice(), scheme.as_bytes(), b"/", &period.to_be_bytes(), b"/", nullifier].concat()
}

/// Key of the next number of a kind of record (`al`, `cm`, `p`, `g`).
pub fn next_key(kind: &str) -> Vec<u8> {
    [b"fin/next/".as_slice(), kind.as_bytes()].concat()
}

/// Read and decode a record; a value that does not decode is treated as absent (every value was written by this
/// module, so that never happens on a valid state).
pub fn get<T: BorshDeserialize + BorshSerialize>(state: &dyn StateRead, key: &[u8]) -> Option<T> {
    state.get(key).and_then(|bytes| codec::decode_state("finance record", &bytes, MAX_RECORD_BYTES).ok())
}

/// Encode and write a record.
pub fn put<T: BorshSerialize>(state: &mut dyn StateWrite, key: Vec<u8>, value: &T) {
    state.put(key, borsh::to_vec(value).expect("a record encodes"));
}

/// Take the next number of a kind (from 0) and count it.
pub fn take_next(state: &mut dyn StateWrite, kind: &str) -> u64 {
    let key = next_key(kind);
    let next: u64 = get(state, &key).unwrap_or(0);
    put(state, key, &(next + 1));
    next
}

/// A currency.
pub fn currency(state: &dyn StateRead, code: &str) -> Option<CurrencyRecord> {
    get(state, &currency_key(code))
}

/// An agency's account (an agency that never received money has an empty one).
pub fn agency_account(state: &dyn StateRead, code: &str, agency: &AgencyId) -> AgencyAccount {
    get(state, &agency_account_key(code, agency)).unwrap_or_default()
}

/// A private account.
pub fn private_account(state: &dyn StateRead, code: &str, holder: &Holder) -> Option<PrivateAccount> {
    get(state, &private_account_key(code, holder))
}

/// The month `YYYYMM` (UTC) of a time in Unix milliseconds.
pub fn month_of(time_ms: u64) -> u32 {
    let (year, month, _) = publica_types::time::civil_from_days((time_ms / 86_400_000) as i64);
    (year as u32) * 100 + month
}

/// The first millisecond (UTC) of a month `YYYYMM`, or `None` for a month that does not exist or is before 1970.
pub fn month_start_ms(period: u32) -> Option<u64> {
    let (year, month) = (period / 100, period % 100);
    if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    Some(publica_types::time::days_from_civil(year, month, 1) as u64 * 86_400_000)
}

/// The month after `YYYYMM`.
pub fn next_month(period: u32) -> u32 {
    if period % 100 == 12 {
        (period / 100 + 1) * 100 + 1
    } else {
        period + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_follow_the_calendar() {
        assert_eq!(month_of(0), 197001);
        // 2026-12-04T20:00:00Z.
        assert_eq!(month_of(1_796_414_400_000), 202612);
        assert_eq!(month_start_ms(197001), Some(0));
        assert_eq!(month_start_ms(202603), Some(1_772_323_200_000));
        assert_eq!(month_of(month_start_ms(202603).unwrap()), 202603);
        assert_eq!(month_of(month_start_ms(202603).unwrap() - 1), 202602);
        assert_eq!(month_start_ms(202613), None);
        assert_eq!(month_start_ms(196912), None);
        assert_eq!(next_month(202612), 202701);
        assert_eq!(next_month(202601), 202602);
        // Every month start maps back to its month, across leap years and centuries.
        let mut period = 197001;
        while period < 210012 {
            let start = month_start_ms(period).unwrap();
            assert_eq!(month_of(start), period);
            let next = month_start_ms(next_month(period)).unwrap();
            assert!((28..=31).contains(&((next - start) / 86_400_000)), "{period}");
            period = next_month(period);
        }
    }
}
