//! Finance routes (`/v1/finance/…`): currencies and their tiers, agencies' public accounts, budgets with their
//! lines (also as CSV) and each line's execution by month, allocations, commitments, payments traced to their
//! budget line, welfare programmes with their totals per period, recorded nullifiers, and private accounts read by
//! their operator or an auditor. Every JSON answer comes from one read of the finance module's queries and carries
//! the proofs of every key they read, under one certified header (`certified`, then `proofs`), so `publica verify`
//! checks it offline. Writes are transactions (`POST /v1/transactions` with a `finance` call); these routes only
//! read. The model and its privacy boundary are in `docs/finance.md`, the routes in `docs/api.md`.
//!
//! # Private accounts
//!
//! A citizen's wallet and a company's business account are private: `GET /v1/state/{key}` refuses their keys
//! (`fin/w/`, and `fin/h/` for their histories), and `POST /v1/finance/accounts/read` shows one only to a reader
//! who signs a [`ReadRequest`] naming the account, themselves and the time: the account's operator (the citizen,
//! or the company's operator) or an official holding [`AUDITOR_ROLE`]. The checks run cheapest first, and nothing
//! about the account is said before the reader is known to be allowed:
//!
//! 1. the body: at most [`MAX_ACCOUNT_READ_BODY_BYTES`] (a hybrid signature is [`SIGNATURE_LEN`] bytes, about 4.5
//!    KB in base64), JSON of the expected form, a currency code, a private holder, a signature of the right length,
//!    a page size;
//! 2. the time: `at_ms` within [`READ_REQUEST_MAX_SKEW_MS`](crate::extract::READ_REQUEST_MAX_SKEW_MS) (5 minutes) of the node's clock, either way;
//! 3. the reader: an existing, active account;
//! 4. what the ledger says publicly of the reader: an auditor (`publica_accounts::require_role`) may read any
//!    account, a citizen their own wallet; anyone else is refused here when the holder is a citizen (the operator of
//!    a citizen's wallet is always the citizen), and is judged after the signature when the holder is a company (its
//!    operator is in the account's private record, so refusing before the signature would tell whoever names a
//!    company and a guessed operator whether the account exists);
//! 5. the signature, with the reader's current key;
//! 6. the read, with proofs: a company's account to its operator only (the same refusal whether the account does not
//!    exist or has another operator), and `account_not_found` only now, to a reader who may read the account.
//!
//! A signed request can be replayed for as long as its time is within the window: whoever captures one sees the same
//! account for those minutes. Send it over TLS.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use publica_client::api::{
    format_amount, AccountReadRequest, AccountReadResponse, AgencyAccountResponse, AllocationsResponse,
    BudgetLineResponse, BudgetResponse, CommitmentsResponse, CurrencyResponse, CurrencyTier, MonthExecution,
    NullifierResponse, PaymentResponse, PaymentsResponse, ProgrammePeriod, ProgrammeResponse, ProgrammesResponse,
    ReadAccess, DEFAULT_FINANCE_PAGE, MAX_FINANCE_PAGE,
};
use publica_crypto::SIGNATURE_LEN;
use publica_finance::call::{
    Holder, ReadRequest, MAX_CLASSIFICATION_BYTES, MAX_COMPANY_NUMBER_BYTES, MAX_CURRENCY_CODE_BYTES, MAX_LINES,
    MAX_LINE_CODE_BYTES, MAX_NAME_BYTES, MAX_PROGRAMME_PERIODS, MAX_SCHEME_BYTES, MAX_TIER,
};
use publica_finance::error::{
    ACCOUNT_NOT_FOUND, BUDGET_NOT_FOUND, CURRENCY_NOT_FOUND, LINE_NOT_FOUND, PROGRAMME_NOT_FOUND,
};
use publica_finance::query;
use publica_finance::schema::{self, LineRecord, PrivateAccount};
use publica_finance::AUDITOR_ROLE;
use publica_node::shared::now_ms;
use publica_node::NodeHandle;
use publica_types::{Address, AgencyId, PublicKeyBytes, Signature, StateRead};

use crate::blocking;
use crate::error::ApiError;
use crate::extract::{
    check_time, not_permitted, parse_hash, parse_record_number, parse_signature, quote, refused, Json, Path, Query,
};
use crate::identity::{split, NoParams};

/// Largest body of `POST /v1/finance/accounts/read`: a hybrid signature ([`SIGNATURE_LEN`] bytes, 4,500 in base64)
/// and a request of a few hundred bytes, with room to spare.
pub const MAX_ACCOUNT_READ_BODY_BYTES: usize = 16 * 1024;
const _: () = assert!(
    SIGNATURE_LEN.div_ceil(3) * 4 + 2 * 1024 <= MAX_ACCOUNT_READ_BODY_BYTES,
    "a signature in base64 and the largest request fit the body"
);
/// Largest answer of `GET /v1/finance/budgets/{year}/lines.csv`: the header row and [`MAX_LINES`] rows of at most
/// [`MAX_CSV_ROW_BYTES`], about 2.8 MB.
pub const MAX_LINES_CSV_BYTES: usize = CSV_HEADER.len() + MAX_LINES as usize * MAX_CSV_ROW_BYTES;
/// Longest row of the lines' CSV: a code and two classifications (never quoted: their characters need none), a name
/// whose every byte is a quote (doubled, and the field quoted), four amounts of at most 21 characters (20 digits
/// and the decimal point, or `0.` and 8 decimals), seven commas and CRLF.
pub const MAX_CSV_ROW_BYTES: usize =
    MAX_LINE_CODE_BYTES + 2 * MAX_CLASSIFICATION_BYTES + (2 * MAX_NAME_BYTES + 2) + 4 * 21 + 7 + 2;

const _: () = assert!(MAX_LINES_CSV_BYTES < 2_800_000, "the documented bound: about 2.8 MB");

/// The header row of the lines' CSV.
const CSV_HEADER: &str = "code,cofog,economic,name,appropriation,allocated,committed,paid\r\n";
/// The content type of the lines' CSV (RFC 4180, UTF-8).
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// A currency code: 3 to 8 capital letters.
fn parse_currency(text: &str) -> Result<String, ApiError> {
    let ok = (3..=MAX_CURRENCY_CODE_BYTES).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_uppercase());
    if !ok {
        return Err(ApiError::Malformed(format!(
            "a currency code is 3 to {MAX_CURRENCY_CODE_BYTES} capital letters A-Z (ISO 4217 codes are 3, e.g. EUR), \
             got {}",
            quote(text)
        )));
    }
    Ok(text.to_owned())
}

/// An agency's id: a slug.
fn parse_agency(text: &str) -> Result<AgencyId, ApiError> {
    AgencyId::new(text).map_err(|_| {
        ApiError::Malformed(format!(
            "an agency is named by its id: 1 to {} characters of a-z, 0-9 and '-', not starting with '-', got {}",
            AgencyId::MAX_LEN,
            quote(text)
        ))
    })
}

/// A fiscal year: 1970 to 9999, four decimal digits.
fn parse_year(text: &str) -> Result<u16, ApiError> {
    let digits = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| text.parse::<u16>().ok()).flatten().filter(|y| (1970..=9999).contains(y)).ok_or_else(|| {
        ApiError::Malformed(format!("a fiscal year is 1970 to 9999 in four decimal digits, got {}", quote(text)))
    })
}

/// A budget line's code: 1 to 32 letters, digits, '.' or '-'.
fn parse_line_code(text: &str) -> Result<String, ApiError> {
    let ok = (1..=MAX_LINE_CODE_BYTES).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !ok {
        return Err(ApiError::Malformed(format!(
            "a budget line's code is 1 to {MAX_LINE_CODE_BYTES} letters, digits, '.' or '-', got {}",
            quote(text)
        )));
    }
    Ok(text.to_owned())
}

/// A monthly period `YYYYMM`: a month of 1970 to 9999.
fn parse_period(text: &str) -> Result<u32, ApiError> {
    let digits = text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit());
    digits
        .then(|| text.parse::<u32>().ok())
        .flatten()
        .filter(|&period| schema::month_start_ms(period).is_some())
        .ok_or_else(|| {
            ApiError::Malformed(format!(
                "a period is a month YYYYMM (year 1970 to 9999, month 01 to 12), got {}",
                quote(text)
            ))
        })
}

/// A welfare scheme: 1 to 64 of a-z, 0-9 and '-'.
fn parse_scheme(text: &str) -> Result<String, ApiError> {
    let ok = (1..=MAX_SCHEME_BYTES).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(ApiError::Malformed(format!(
            "a welfare scheme is 1 to {MAX_SCHEME_BYTES} of a-z, 0-9 and '-', got {}",
            quote(text)
        )));
    }
    Ok(text.to_owned())
}

/// A page size from 1 to [`MAX_FINANCE_PAGE`], [`DEFAULT_FINANCE_PAGE`] when absent.
fn page_limit(limit: Option<u32>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_FINANCE_PAGE) {
        n @ 1.. if n <= MAX_FINANCE_PAGE => Ok(n as usize),
        n => Err(ApiError::Malformed(format!(
            "limit must be 1 to {MAX_FINANCE_PAGE}, not {n}: ask page by page with from"
        ))),
    }
}

/// A page of a listing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageParams {
    /// The first one's number (from 0).
    from: Option<u64>,
    /// How many at most.
    limit: Option<u32>,
}

fn no_currency(code: &str) -> ApiError {
    refused(
        CURRENCY_NOT_FOUND,
        format!("no currency has the code {code}; its issuer defines it with a finance define_currency call"),
    )
}

fn no_budget(year: u16) -> ApiError {
    refused(BUDGET_NOT_FOUND, format!("no budget was enacted for the fiscal year {year}"))
}

/// `GET /v1/finance/currencies/{code}`.
pub(crate) async fn currency(
    State(node): State<NodeHandle>,
    Path(code): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<CurrencyResponse>, ApiError> {
    let code = parse_currency(&code)?;
    let response = blocking(move || -> Result<CurrencyResponse, ApiError> {
        let ((currency, tiers), reads) = node.read(|state| {
            let (currency, mut keys) = query::currency_with_key(state, &code);
            let currency = currency.ok_or_else(|| no_currency(&code))?;
            let mut tiers = Vec::new();
            for tier in 1..=MAX_TIER {
                let (limits, tier_keys) = query::tier_with_key(state, &code, tier);
                if let Some(limits) = limits {
                    tiers.push(CurrencyTier {
                        tier,
                        balance_cap: limits.balance_cap,
                        daily_outflow_cap: limits.daily_outflow_cap,
                    });
                }
                keys.extend(tier_keys);
            }
            Ok::<_, ApiError>(((currency, tiers), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(CurrencyResponse { currency, tiers, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/currencies/{code}/agencies/{agency}`.
pub(crate) async fn agency_account(
    State(node): State<NodeHandle>,
    Path((code, agency)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<AgencyAccountResponse>, ApiError> {
    let code = parse_currency(&code)?;
    let agency = parse_agency(&agency)?;
    let response = blocking(move || -> Result<AgencyAccountResponse, ApiError> {
        let ((currency, account), reads) = node.read(|state| {
            let (currency, mut keys) = query::currency_with_key(state, &code);
            let currency = currency.ok_or_else(|| no_currency(&code))?;
            let (account, account_keys) = query::agency_account_with_key(state, &code, &agency);
            keys.extend(account_keys);
            Ok::<_, ApiError>(((currency, account), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(AgencyAccountResponse { currency, agency, account, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/budgets/{year}?from=&limit=`.
pub(crate) async fn budget(
    State(node): State<NodeHandle>,
    Path(year): Path<String>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<BudgetResponse>, ApiError> {
    let year = parse_year(&year)?;
    // Lines are numbered by a u32; a page from past the last is empty.
    let from = u32::try_from(q.from.unwrap_or(0)).unwrap_or(u32::MAX);
    let limit = page_limit(q.limit)?;
    let response = blocking(move || -> Result<BudgetResponse, ApiError> {
        let ((budget, lines), reads) = node.read(|state| {
            let (budget, lines, keys) =
                query::budget_with_lines(state, year, from, limit).ok_or_else(|| no_budget(year))?;
            Ok::<_, ApiError>(((budget, lines), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(BudgetResponse { budget, lines, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/budgets/{year}/lines/{code}`.
pub(crate) async fn line(
    State(node): State<NodeHandle>,
    Path((year, code)): Path<(String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<BudgetLineResponse>, ApiError> {
    let year = parse_year(&year)?;
    let code = parse_line_code(&code)?;
    let response = blocking(move || -> Result<BudgetLineResponse, ApiError> {
        let ((line, months), reads) = node.read(|state| {
            let Some((line, months, keys)) = query::line_execution(state, year, &code) else {
                if state.get(&schema::budget_key(year)).is_none() {
                    return Err(no_budget(year));
                }
                return Err(refused(
                    LINE_NOT_FOUND,
                    format!(
                        "the {year} budget has no line {code:?} (GET /v1/finance/budgets/{year} lists its lines; codes \
                         are compared exactly, case included)"
                    ),
                ));
            };
            Ok(((line, months), keys))
        })?;
        let (certified, proofs) = split(reads);
        let months = months
            .into_iter()
            .map(|(month, t)| MonthExecution { month, allocated: t.allocated, committed: t.committed, paid: t.paid })
            .collect();
        Ok(BudgetLineResponse { line, months, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/budgets/{year}/lines.csv`: every line of the budget, no proofs (the JSON routes prove them).
pub(crate) async fn lines_csv(
    State(node): State<NodeHandle>,
    Path(year): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<Response, ApiError> {
    let year = parse_year(&year)?;
    let csv = blocking(move || {
        node.view(|state| -> Result<String, ApiError> {
            let budget =
                schema::get::<schema::BudgetRecord>(state, &schema::budget_key(year)).ok_or_else(|| no_budget(year))?;
            if budget.lines > MAX_LINES {
                return Err(ApiError::Internal(format!(
                    "the {year} budget has {} lines, more than the module's {MAX_LINES}; the state store is damaged",
                    budget.lines
                )));
            }
            let currency = schema::currency(state, &budget.currency).ok_or_else(|| {
                ApiError::Internal(format!(
                    "the {year} budget's currency {} is not stored; the state store is damaged",
                    budget.currency
                ))
            })?;
            let (_, lines, _) =
                query::budget_with_lines(state, year, 0, MAX_LINES as usize).ok_or_else(|| no_budget(year))?;
            Ok(lines_to_csv(&lines, currency.decimals))
        })
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, CSV_CONTENT_TYPE)], csv).into_response())
}

/// Budget lines as CSV (RFC 4180: CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF, a quote
/// doubled inside), amounts as exact decimals in the currency's unit.
fn lines_to_csv(lines: &[LineRecord], decimals: u8) -> String {
    let mut out = String::with_capacity(CSV_HEADER.len() + lines.len() * 128);
    out.push_str(CSV_HEADER);
    for line in lines {
        let amounts =
            [line.appropriation, line.allocated, line.committed, line.paid].map(|a| format_amount(a, decimals));
        let fields = [&line.code, &line.cofog, &line.economic, &line.name].into_iter().map(|f| csv_field(f));
        let row: Vec<String> = fields.chain(amounts).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field, quoted when RFC 4180 needs it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// `GET /v1/finance/payments?from=&limit=`.
pub(crate) async fn payments(
    State(node): State<NodeHandle>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<PaymentsResponse>, ApiError> {
    let from = q.from.unwrap_or(0);
    let limit = page_limit(q.limit)?;
    let response = blocking(move || -> Result<PaymentsResponse, ApiError> {
        let ((payments, count), reads) = node.read(|state| {
            let (payments, count, keys) = query::payments(state, from, limit);
            Ok::<_, ApiError>(((payments, count), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(PaymentsResponse { payments, count, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/payments/{id}`.
pub(crate) async fn payment(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<PaymentResponse>, ApiError> {
    let id = parse_record_number("payment", 0, &id)?;
    let response = blocking(move || -> Result<PaymentResponse, ApiError> {
        let (trace, reads) = node.read(|state| {
            query::payment_trace(state, id).ok_or_else(|| {
                ApiError::NotFound(format!(
                    "there is no payment {id}; payments are numbered from 0 (GET /v1/finance/payments lists them)"
                ))
            })
        })?;
        let (certified, proofs) = split(reads);
        let query::Trace { payment, commitment, allocation, line, budget } = trace;
        Ok(PaymentResponse { payment, commitment, allocation, line, budget, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/allocations?from=&limit=`.
pub(crate) async fn allocations(
    State(node): State<NodeHandle>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<AllocationsResponse>, ApiError> {
    let from = q.from.unwrap_or(0);
    let limit = page_limit(q.limit)?;
    let response = blocking(move || -> Result<AllocationsResponse, ApiError> {
        let ((allocations, count), reads) = node.read(|state| {
            let (allocations, count, keys) = query::allocations(state, from, limit);
            Ok::<_, ApiError>(((allocations, count), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(AllocationsResponse { allocations, count, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/commitments?from=&limit=`.
pub(crate) async fn commitments(
    State(node): State<NodeHandle>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<CommitmentsResponse>, ApiError> {
    let from = q.from.unwrap_or(0);
    let limit = page_limit(q.limit)?;
    let response = blocking(move || -> Result<CommitmentsResponse, ApiError> {
        let ((commitments, count), reads) = node.read(|state| {
            let (commitments, count, keys) = query::commitments(state, from, limit);
            Ok::<_, ApiError>(((commitments, count), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(CommitmentsResponse { commitments, count, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/programmes?from=&limit=`.
pub(crate) async fn programmes(
    State(node): State<NodeHandle>,
    Query(q): Query<PageParams>,
) -> Result<axum::Json<ProgrammesResponse>, ApiError> {
    let from = q.from.unwrap_or(0);
    let limit = page_limit(q.limit)?;
    let response = blocking(move || -> Result<ProgrammesResponse, ApiError> {
        let ((programmes, count), reads) = node.read(|state| {
            let (programmes, count, keys) = query::programmes(state, from, limit);
            Ok::<_, ApiError>(((programmes, count), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ProgrammesResponse { programmes, count, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/programmes/{id}`.
pub(crate) async fn programme(
    State(node): State<NodeHandle>,
    Path(id): Path<String>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<ProgrammeResponse>, ApiError> {
    let id = parse_record_number("programme", 0, &id)?;
    let response = blocking(move || -> Result<ProgrammeResponse, ApiError> {
        let ((programme, periods), reads) = node.read(|state| {
            let (programme, mut keys) = query::programme_with_key(state, id);
            let programme = programme.ok_or_else(|| {
                refused(
                    PROGRAMME_NOT_FOUND,
                    format!(
                        "there is no programme {id}; programmes are numbered from 0 (GET /v1/finance/programmes lists \
                         them)"
                    ),
                )
            })?;
            // The module keeps a programme within MAX_PROGRAMME_PERIODS months; the bound holds whatever is stored.
            let mut periods = Vec::new();
            let mut period = programme.first_period;
            while period <= programme.last_period && periods.len() < MAX_PROGRAMME_PERIODS as usize {
                let (totals, period_keys) = query::programme_period_with_key(state, id, period);
                periods.push(ProgrammePeriod { period, claims: totals.claims, paid: totals.paid });
                keys.extend(period_keys);
                period = schema::next_month(period);
            }
            Ok::<_, ApiError>(((programme, periods), keys))
        })?;
        let (certified, proofs) = split(reads);
        Ok(ProgrammeResponse { programme, periods, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `GET /v1/finance/nullifiers/{scheme}/{period}/{nullifier}`.
pub(crate) async fn nullifier(
    State(node): State<NodeHandle>,
    Path((scheme, period, nullifier)): Path<(String, String, String)>,
    Query(NoParams {}): Query<NoParams>,
) -> Result<axum::Json<NullifierResponse>, ApiError> {
    let scheme = parse_scheme(&scheme)?;
    let period = parse_period(&period)?;
    let nullifier = parse_hash("a nullifier (the first 32 bytes of a claim's VRF output)", &nullifier)?;
    let response = blocking(move || -> Result<NullifierResponse, ApiError> {
        let (record, reads) =
            node.read(|state| Ok::<_, ApiError>(query::nullifier_with_key(state, &scheme, period, &nullifier)))?;
        let (certified, proofs) = split(reads);
        Ok(NullifierResponse { scheme, period, nullifier, recorded: record.is_some(), record, certified, proofs })
    })
    .await??;
    Ok(axum::Json(response))
}

/// `POST /v1/finance/accounts/read`: see the module's documentation for the order of the checks.
pub(crate) async fn read_account(
    State(node): State<NodeHandle>,
    Json(body): Json<AccountReadRequest>,
) -> Result<axum::Json<AccountReadResponse>, ApiError> {
    let AccountReadRequest { request, signature, from, limit } = body;
    let limit = page_limit(limit)?;
    let from = from.unwrap_or(0);
    parse_currency(&request.currency)?;
    check_private_holder(&request.holder)?;
    let signature = parse_signature(&signature)?;
    check_time(request.at_ms, now_ms())?;
    let response = blocking(move || answer_read(&node, request, &signature, from, limit)).await??;
    Ok(axum::Json(response))
}

/// Refuse a holder whose account is not private, or a company number the module would never have written.
fn check_private_holder(holder: &Holder) -> Result<(), ApiError> {
    match holder {
        Holder::Agency(agency) => Err(ApiError::Malformed(format!(
            "an agency's account is public: read it with GET /v1/finance/currencies/{{code}}/agencies/{agency}, \
             unsigned"
        ))),
        Holder::Company(number) => {
            let ok = (1..=MAX_COMPANY_NUMBER_BYTES).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if ok {
                Ok(())
            } else {
                Err(ApiError::Malformed(format!(
                    "a company number is 1 to {MAX_COMPANY_NUMBER_BYTES} letters, digits or '-', got {}",
                    quote(number)
                )))
            }
        }
        Holder::Citizen(_) => Ok(()),
    }
}

/// What the ledger says publicly of a reader, before the signature is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Standing {
    /// An official holding `finance-auditor`: may read any account.
    Auditor,
    /// The citizen whose wallet the request names.
    OwnWallet,
    /// Someone who may read a company's account only if its private record names them as its operator.
    IfOperator,
}

/// The reader's current key and standing, from the public state; refused when the reader is not an active account,
/// or names another citizen's wallet without being an auditor.
fn reader_standing(state: &dyn StateRead, request: &ReadRequest) -> Result<(PublicKeyBytes, Standing), ApiError> {
    let reader = &request.reader;
    let record = publica_accounts::account(state, reader)
        .filter(|record| record.active)
        .ok_or_else(|| not_permitted(format!("the reader {reader} is not an active account of this ledger")))?;
    let standing = if publica_accounts::require_role(state, reader, AUDITOR_ROLE).is_ok() {
        Standing::Auditor
    } else {
        match &request.holder {
            Holder::Citizen(citizen) if citizen == reader => Standing::OwnWallet,
            Holder::Citizen(_) => {
                return Err(not_permitted(format!(
                    "{reader} may not read another citizen's wallet: a wallet is read by its citizen, or by an \
                     official holding {AUDITOR_ROLE}"
                )))
            }
            _ => Standing::IfOperator,
        }
    };
    Ok((record.public_key, standing))
}

/// The refusal of a company's account to a reader who does not operate it, the same whether or not it exists.
fn not_the_operator(reader: &Address, number: &str) -> ApiError {
    not_permitted(format!(
        "{reader} does not operate an account of company {number:?} in this currency: a company's account is read \
         by its operator, or by an official holding {AUDITOR_ROLE}"
    ))
}

/// Check a signed request and read the account: the public standing, the signature, then one read with proofs
/// that checks the standing again (a block may have changed it while the signature was checked).
fn answer_read(
    node: &NodeHandle,
    request: ReadRequest,
    signature: &Signature,
    from: u64,
    limit: usize,
) -> Result<AccountReadResponse, ApiError> {
    let (key, standing) = node.view(|state| reader_standing(state, &request))?;
    let reader = request.reader;
    let bad_signature = || {
        not_permitted(format!(
            "the signature does not verify with the current key of the reader {reader}: sign the request's bytes \
             (ReadRequest::signing_message with this network's chain id {}) with that key",
            node.chain_id()
        ))
    };
    let public_key = key.parse().map_err(|_| bad_signature())?;
    public_key.verify(&request.signing_message(node.chain_id().as_str()), signature).map_err(|_| bad_signature())?;

    let ((account, history, access), reads) = node.read(|state| {
        let (again, standing_again) = reader_standing(state, &request)?;
        if again != key || standing_again != standing {
            return Err(not_permitted(format!(
                "the account of the reader {reader} changed while the request was checked: sign a new request"
            )));
        }
        let (account, mut keys) = query::private_account_with_key(state, &request.currency, &request.holder);
        let account = readable(account, standing, &request)?;
        let access = if account.operator == reader { ReadAccess::Operator } else { ReadAccess::Auditor };
        let (history, history_keys) = query::history(state, &account, from, limit);
        keys.extend(history_keys);
        Ok::<_, ApiError>(((account, history, access), keys))
    })?;
    let (certified, proofs) = split(reads);
    let ReadRequest { currency, holder, reader, .. } = request;
    Ok(AccountReadResponse { currency, holder, reader, access, account, history, certified, proofs })
}

/// The account, if the reader of this standing may see it; `account_not_found` only to a reader who may read the
/// account named.
fn readable(
    account: Option<PrivateAccount>,
    standing: Standing,
    request: &ReadRequest,
) -> Result<PrivateAccount, ApiError> {
    let reader = &request.reader;
    match (account, standing, &request.holder) {
        (Some(account), Standing::IfOperator, _) if account.operator == *reader => Ok(account),
        (_, Standing::IfOperator, Holder::Company(number)) => Err(not_the_operator(reader, number)),
        (_, Standing::IfOperator, _) => Err(not_permitted(format!("{reader} may not read this account"))),
        (Some(account), Standing::OwnWallet, _) if account.operator != *reader => {
            Err(not_permitted(format!("{reader} does not operate this wallet; ask an official holding {AUDITOR_ROLE}")))
        }
        (Some(account), _, _) => Ok(account),
        (None, _, holder) => Err(refused(
            ACCOUNT_NOT_FOUND,
            format!(
                "{} has no {} account: a bank opens one (a finance open_account call)",
                describe(holder),
                request.currency
            ),
        )),
    }
}

/// A holder, for a message.
fn describe(holder: &Holder) -> String {
    match holder {
        Holder::Agency(agency) => format!("agency {agency}"),
        Holder::Citizen(address) => format!("citizen {address}"),
        Holder::Company(number) => format!("company {number:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters() {
        assert_eq!(parse_currency("EUR").unwrap(), "EUR");
        assert_eq!(parse_currency("ABCDEFGH").unwrap(), "ABCDEFGH");
        for bad in ["", "EU", "eur", "EUR1", "ABCDEFGHI", "E-R", "ÉUR"] {
            assert!(parse_currency(bad).is_err(), "{bad:?}");
        }
        assert!(parse_agency("land-registry").is_ok());
        for bad in ["", "-x", "Land", "a b", &"a".repeat(65)] {
            assert!(parse_agency(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_year("1970").unwrap(), 1970);
        assert_eq!(parse_year("9999").unwrap(), 9999);
        for bad in ["", "1969", "0999", "999", "10000", "+202", "20 6", "2026.0"] {
            assert!(parse_year(bad).is_err(), "{bad:?}");
        }
        assert!(parse_line_code("09.1-a").is_ok());
        assert!(parse_line_code(&"a".repeat(32)).is_ok());
        for bad in ["", "a b", "a/b", "a_b", &"a".repeat(33)] {
            assert!(parse_line_code(bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_record_number("payment", 0, "0").unwrap(), 0);
        assert_eq!(parse_record_number("payment", 0, "18446744073709551615").unwrap(), u64::MAX);
        for bad in ["", "00", "01", "+1", "-1", "1.0", " 1", "18446744073709551616", "x"] {
            assert!(parse_record_number("payment", 0, bad).is_err(), "{bad:?}");
        }
        assert_eq!(parse_period("202601").unwrap(), 202_601);
        assert_eq!(parse_period("999912").unwrap(), 999_912);
        for bad in ["", "2026", "202600", "202613", "196912", "2026011", "+20261", "2026-1"] {
            assert!(parse_period(bad).is_err(), "{bad:?}");
        }
        assert!(parse_scheme("child-benefit-2").is_ok());
        for bad in ["", "Child", "a_b", "a b", &"a".repeat(65)] {
            assert!(parse_scheme(bad).is_err(), "{bad:?}");
        }
        assert_eq!(page_limit(None).unwrap(), 20);
        assert_eq!(page_limit(Some(100)).unwrap(), 100);
        assert!(page_limit(Some(0)).is_err() && page_limit(Some(101)).is_err());
        let message = parse_currency(&"x".repeat(10_000)).unwrap_err().to_string();
        assert!(message.len() < 300, "{message}");
    }

    fn line(code: &str, name: &str, amounts: [u64; 4]) -> LineRecord {
        LineRecord {
            year: 2026,
            code: code.into(),
            cofog: "09.1".into(),
            economic: "21".into(),
            name: name.into(),
            appropriation: amounts[0],
            allocated: amounts[1],
            committed: amounts[2],
            paid: amounts[3],
        }
    }

    #[test]
    fn lines_are_written_as_rfc_4180_csv_with_exact_amounts() {
        let lines = [
            line("A-1", "Schools", [123_456, 5, 0, 100]),
            line("B.2", "Roads, bridges and \"tunnels\"", [1, 2, 3, 4]),
            line("C", "Two\r\nlines", [0, 0, 0, u64::MAX]),
        ];
        let csv = lines_to_csv(&lines, 2);
        assert_eq!(
            csv,
            "code,cofog,economic,name,appropriation,allocated,committed,paid\r\n\
             A-1,09.1,21,Schools,1234.56,0.05,0.00,1.00\r\n\
             B.2,09.1,21,\"Roads, bridges and \"\"tunnels\"\"\",0.01,0.02,0.03,0.04\r\n\
             C,09.1,21,\"Two\r\nlines\",0.00,0.00,0.00,184467440737095516.15\r\n"
        );
        assert_eq!(lines_to_csv(&lines[..1], 0).lines().nth(1), Some("A-1,09.1,21,Schools,123456,5,0,100"));
    }

    #[test]
    fn the_longest_row_fits_the_bound_the_route_states() {
        let worst = LineRecord {
            code: "a".repeat(MAX_LINE_CODE_BYTES),
            cofog: "9".repeat(MAX_CLASSIFICATION_BYTES),
            economic: "2".repeat(MAX_CLASSIFICATION_BYTES),
            name: "\"".repeat(MAX_NAME_BYTES),
            ..line("", "", [u64::MAX; 4])
        };
        for decimals in [0, 1, 8] {
            let csv = lines_to_csv(std::slice::from_ref(&worst), decimals);
            assert!(csv.len() - CSV_HEADER.len() <= MAX_CSV_ROW_BYTES, "{} > {MAX_CSV_ROW_BYTES}", csv.len());
        }
        assert!(lines_to_csv(&[line("a", "b", [1; 4])], 8).len() - CSV_HEADER.len() <= MAX_CSV_ROW_BYTES);
    }

    #[test]
    fn only_private_holders_are_read_here() {
        assert!(check_private_holder(&Holder::Citizen(Address([1; 20]))).is_ok());
        assert!(check_private_holder(&Holder::Company("5560-1234".into())).is_ok());
        assert!(check_private_holder(&Holder::Company(String::new())).is_err());
        assert!(check_private_holder(&Holder::Company("a/b".into())).is_err());
        let agency = check_private_holder(&Holder::Agency("land-registry".parse().unwrap())).unwrap_err().to_string();
        assert!(agency.contains("agencies/land-registry"), "{agency}");
    }
}
