//! Answers of the finance routes (`/v1/finance/…`): currencies and their tiers, agencies' public accounts,
//! budgets with their lines and each line's execution by month, allocations, commitments, payments traced to their
//! budget line, welfare programmes, recorded nullifiers, and a private account read by its operator or an auditor
//! (the records are `publica_finance::schema`'s; `docs/finance.md`).
//!
//! Every JSON answer carries the proofs of what it shows: `certified` (the certified header, once) and `proofs`
//! (one [`KeyProof`] per state key read, each naming that header's height), so `publica verify` checks it offline.
//! Amounts are integers in the currency's smallest unit (`10^-decimals` of the unit), never floats;
//! [`format_amount`] writes one as an exact decimal.

use publica_finance::call::{Holder, ReadRequest};
use publica_finance::schema::{
    AgencyAccount, Allocation, BudgetRecord, Commitment, CurrencyRecord, HistoryEntry, LineRecord, NullifierRecord,
    Payment, PrivateAccount, Programme,
};
use publica_types::{Address, AgencyId, Hash};
use publica_verify::{CertifiedHeader, KeyProof};
use serde::{Deserialize, Deserializer, Serialize};

/// Most items one page of a finance listing carries (`limit`); [`DEFAULT_FINANCE_PAGE`] without one.
pub const MAX_FINANCE_PAGE: u32 = 100;
/// Items in one page of a finance listing when no `limit` is given.
pub const DEFAULT_FINANCE_PAGE: u32 = 20;

/// A currency's record and its tiers (`GET /v1/finance/currencies/{code}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyResponse {
    /// The proven record: its issuer, decimals and supply (issued, redeemed, the sums of public and private
    /// balances, the private accounts opened).
    pub currency: CurrencyRecord,
    /// The tiers the issuer set, in order (1 to 9; a tier not set is proven absent and not listed).
    pub tiers: Vec<CurrencyTier>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the currency's key, then of each tier's key from 1 to 9, present or absent.
    pub proofs: Vec<KeyProof>,
}

/// A tier's limits for private accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyTier {
    /// The tier, 1 to 9.
    pub tier: u8,
    /// Largest balance of an account of this tier.
    pub balance_cap: u64,
    /// Most an account of this tier sends in one UTC day.
    pub daily_outflow_cap: u64,
}

/// An agency's public account in a currency (`GET /v1/finance/currencies/{code}/agencies/{agency}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyAccountResponse {
    /// The currency's proven record (its decimals say how to read the balance).
    pub currency: CurrencyRecord,
    /// The agency.
    pub agency: AgencyId,
    /// Its balance and hold; an agency that never received money has an empty account, proven absent.
    pub account: AgencyAccount,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the currency's key and of the account's key.
    pub proofs: Vec<KeyProof>,
}

/// A fiscal year's budget with a page of its lines (`GET /v1/finance/budgets/{year}?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetResponse {
    /// The budget law: currency, treasury, reference, amendments, its number of lines and their total.
    pub budget: BudgetRecord,
    /// Its lines numbered `from` onwards in the order enacted, at most `limit`.
    pub lines: Vec<LineRecord>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the budget's key, then for each line of the page the key of its place in the budget and its
    /// record's key.
    pub proofs: Vec<KeyProof>,
}

/// What a budget line moved in one month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthExecution {
    /// The month, `YYYYMM`.
    pub month: u32,
    /// Allocated in the month.
    pub allocated: u64,
    /// Committed in the month.
    pub committed: u64,
    /// Paid in the month.
    pub paid: u64,
}

/// A budget line and its execution by month (`GET /v1/finance/budgets/{year}/lines/{code}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineResponse {
    /// The line: classifications, appropriation, and what was allocated, committed and paid in all.
    pub line: LineRecord,
    /// The months of the fiscal year and of the next (late payments) in which the line moved, in order; the other
    /// months are proven empty.
    pub months: Vec<MonthExecution>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the line's key, then of its totals' key for each of the 24 months, present or absent.
    pub proofs: Vec<KeyProof>,
}

/// A page of the payments (`GET /v1/finance/payments?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentsResponse {
    /// The payments numbered `from` onwards, at most `limit`.
    pub payments: Vec<Payment>,
    /// How many payments exist (numbered 0 to `count - 1`).
    pub count: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the payment counter's key, then of each payment's.
    pub proofs: Vec<KeyProof>,
}

/// A payment traced to its budget line (`GET /v1/finance/payments/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentResponse {
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
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the payment's, the commitment's, the allocation's, the line's and the budget's keys, in that
    /// order.
    pub proofs: Vec<KeyProof>,
}

/// A page of the allocations (`GET /v1/finance/allocations?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllocationsResponse {
    /// The allocations numbered `from` onwards, at most `limit`.
    pub allocations: Vec<Allocation>,
    /// How many allocations exist.
    pub count: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the allocation counter's key, then of each allocation's.
    pub proofs: Vec<KeyProof>,
}

/// A page of the commitments (`GET /v1/finance/commitments?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentsResponse {
    /// The commitments numbered `from` onwards, at most `limit`.
    pub commitments: Vec<Commitment>,
    /// How many commitments exist.
    pub count: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the commitment counter's key, then of each commitment's.
    pub proofs: Vec<KeyProof>,
}

/// A page of the welfare programmes (`GET /v1/finance/programmes?from=&limit=`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammesResponse {
    /// The programmes numbered `from` onwards, at most `limit`.
    pub programmes: Vec<Programme>,
    /// How many programmes exist.
    pub count: u64,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the programme counter's key, then of each programme's.
    pub proofs: Vec<KeyProof>,
}

/// What a programme paid in one of its periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePeriod {
    /// The period, `YYYYMM`.
    pub period: u32,
    /// Claims paid for it.
    pub claims: u64,
    /// Amount paid for it.
    pub paid: u64,
}

/// A welfare programme and its totals for each of its periods (`GET /v1/finance/programmes/{id}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeResponse {
    /// The programme.
    pub programme: Programme,
    /// Every period from its first to its last (at most 120), in order; a period with no claim shows zeros, proven
    /// by its key's absence.
    pub periods: Vec<ProgrammePeriod>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the programme's key, then of each period's totals' key.
    pub proofs: Vec<KeyProof>,
}

/// Whether a nullifier is recorded for a scheme and a period
/// (`GET /v1/finance/nullifiers/{scheme}/{period}/{nullifier}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullifierResponse {
    /// The scheme.
    pub scheme: String,
    /// The period, `YYYYMM`.
    pub period: u32,
    /// The nullifier: the first 32 bytes of the claim's VRF output.
    #[serde(with = "publica_types::codec::hex_hash")]
    pub nullifier: Hash,
    /// Whether it is recorded: a claim with it was paid.
    pub recorded: bool,
    /// The claim that recorded it, if one did.
    pub record: Option<NullifierRecord>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proof of the nullifier's key, present or absent.
    pub proofs: Vec<KeyProof>,
}

/// Body of `POST /v1/finance/accounts/read`: a request to read a private account, signed by its reader.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountReadRequest {
    /// What is signed: the account (currency and holder), the reader and the time of the request.
    #[serde(deserialize_with = "strict_read_request")]
    pub request: ReadRequest,
    /// The reader's hybrid signature over `request.signing_message(chain_id)`, standard padded base64.
    pub signature: String,
    /// The first history entry shown (from 0); 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u64>,
    /// The most history entries shown (1 to [`MAX_FINANCE_PAGE`]); [`DEFAULT_FINANCE_PAGE`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// [`ReadRequest`] as the body names it, refusing members it does not have (the module's type takes any).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictReadRequest {
    currency: String,
    holder: Holder,
    reader: Address,
    at_ms: u64,
}

fn strict_read_request<'de, D: Deserializer<'de>>(d: D) -> Result<ReadRequest, D::Error> {
    let StrictReadRequest { currency, holder, reader, at_ms } = StrictReadRequest::deserialize(d)?;
    Ok(ReadRequest { currency, holder, reader, at_ms })
}

/// Why the reader of a private account may read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadAccess {
    /// The reader operates the account: the citizen whose wallet it is, or the company's operator.
    Operator,
    /// The reader is an official holding `finance-auditor`.
    Auditor,
}

/// A private account with a page of its history, for its operator or an auditor
/// (`POST /v1/finance/accounts/read`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountReadResponse {
    /// The currency.
    pub currency: String,
    /// The account's holder.
    pub holder: Holder,
    /// Who read it: the request's signer.
    pub reader: Address,
    /// Why the reader may read it.
    pub access: ReadAccess,
    /// The account's record: balance, tier, hold, the day's outflow, its salt and history seed.
    pub account: PrivateAccount,
    /// Its history entries numbered `from` onwards (oldest first), at most `limit`; `account.entries` says how
    /// many exist.
    pub history: Vec<HistoryEntry>,
    /// The certified header every proof leads to.
    pub certified: CertifiedHeader,
    /// Proofs of the account's key, then of each history entry's key.
    pub proofs: Vec<KeyProof>,
}

/// An amount in a currency's smallest unit written as an exact decimal in the currency's unit: `123456` with 2
/// decimals is `1234.56`, `5` with 2 decimals `0.05`, `7` with none `7`. Every decimal is written, so the text
/// says the currency's precision; no float is involved.
pub fn format_amount(amount: u64, decimals: u8) -> String {
    let digits = amount.to_string();
    let decimals = usize::from(decimals);
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = padded.split_at(padded.len() - decimals);
    format!("{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_exact_decimals() {
        assert_eq!(format_amount(123_456, 2), "1234.56");
        assert_eq!(format_amount(5, 2), "0.05");
        assert_eq!(format_amount(0, 2), "0.00");
        assert_eq!(format_amount(100, 2), "1.00");
        assert_eq!(format_amount(7, 0), "7");
        assert_eq!(format_amount(1, 8), "0.00000001");
        assert_eq!(format_amount(u64::MAX, 8), "184467440737.09551615");
        assert_eq!(format_amount(u64::MAX, 0), "18446744073709551615");
    }

    #[test]
    fn a_read_request_body_refuses_unknown_members_at_every_level() {
        let reader = "00".repeat(20);
        let body = |extra_top: &str, extra_request: &str| {
            format!(
                r#"{{"request":{{"currency":"EUR","holder":{{"citizen":"{reader}"}},"reader":"{reader}","at_ms":1{extra_request}}},"signature":"AA=="{extra_top}}}"#
            )
        };
        let ok: AccountReadRequest = serde_json::from_str(&body("", "")).unwrap();
        assert_eq!((ok.from, ok.limit), (None, None));
        assert_eq!(ok.request.holder, Holder::Citizen(Address([0; 20])));
        let again = serde_json::to_string(&ok).unwrap();
        assert_eq!(again, body("", ""), "from and limit are left out when absent");
        assert!(serde_json::from_str::<AccountReadRequest>(&body(r#","x":1"#, "")).is_err());
        assert!(serde_json::from_str::<AccountReadRequest>(&body("", r#","x":1"#)).is_err());
        let paged: AccountReadRequest = serde_json::from_str(&body(r#","from":3,"limit":5"#, "")).unwrap();
        assert_eq!((paged.from, paged.limit), (Some(3), Some(5)));
    }
}
