//! Public money: currencies, their supply, agencies' public accounts and private accounts (citizens' wallets,
//! companies' business accounts) with tiered limits and holds. Every movement goes through [`debit`] and
//! [`credit`], which keep the currency's sums, so that `issued - redeemed` always equals the sum of balances.

use publica_accounts::{require_role, AccountKind, AccountRecord};
use publica_types::{Address, AgencyId, CallContext, Hash, StateRead, StateWrite, TxError};

use crate::call::{Holder, MAX_COMPANY_NUMBER_BYTES, MAX_CURRENCY_CODE_BYTES, MAX_DECIMALS, MAX_NAME_BYTES, MAX_TIER};
use crate::error::{self, refuse};
use crate::schema::*;
use crate::{check_text, BANK_ROLE, BANK_SUPERVISOR_ROLE, COURT_ROLE, ISSUER_ROLE, TREASURER_ROLE};

/// A day in Unix milliseconds.
const DAY_MS: u64 = 86_400_000;

pub(crate) fn define_currency(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    name: &str,
    decimals: u8,
) -> Result<(), TxError> {
    let official = require_role(state, &ctx.sender, ISSUER_ROLE)?;
    let ok_code = (3..=MAX_CURRENCY_CODE_BYTES).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase());
    if !ok_code {
        return Err(refuse(error::CURRENCY_INVALID, format!("currency code {code:?}: use 3 to 8 capital letters")));
    }
    if decimals > MAX_DECIMALS {
        return Err(refuse(error::CURRENCY_INVALID, format!("{decimals} decimals: at most {MAX_DECIMALS}")));
    }
    check_text("currency name", name, MAX_NAME_BYTES)?;
    if currency(state, code).is_some() {
        return Err(refuse(error::CURRENCY_EXISTS, format!("currency {code} is defined already")));
    }
    let record = CurrencyRecord {
        code: code.to_owned(),
        name: name.to_owned(),
        decimals,
        issuer: official.agency().expect("an official").clone(),
        issued: 0,
        redeemed: 0,
        public_balances: 0,
        private_balances: 0,
        private_accounts: 0,
    };
    put(state, currency_key(code), &record);
    Ok(())
}

/// The currency, when the sender is a `currency-issuer` of its issuing agency.
fn issuer_currency(state: &dyn StateRead, ctx: &CallContext, code: &str) -> Result<CurrencyRecord, TxError> {
    let official = require_role(state, &ctx.sender, ISSUER_ROLE)?;
    let record = existing_currency(state, code)?;
    if official.agency() != Some(&record.issuer) {
        return Err(refuse(
            error::NOT_THE_ISSUER,
            format!("currency {code} is issued by {}, not by the sender's agency", record.issuer),
        ));
    }
    Ok(record)
}

/// A currency that exists.
pub(crate) fn existing_currency(state: &dyn StateRead, code: &str) -> Result<CurrencyRecord, TxError> {
    currency(state, code).ok_or_else(|| {
        refuse(
            error::CURRENCY_NOT_FOUND,
            format!("no currency {code:?} is defined: its issuer defines it first (define_currency)"),
        )
    })
}

pub(crate) fn set_tier(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    tier: u8,
    limits: TierRecord,
) -> Result<(), TxError> {
    issuer_currency(state, ctx, code)?;
    if !(1..=MAX_TIER).contains(&tier) {
        return Err(refuse(error::TIER_INVALID, format!("tier {tier}: tiers are 1 to {MAX_TIER}")));
    }
    put(state, tier_key(code, tier), &limits);
    Ok(())
}

fn existing_tier(state: &dyn StateRead, code: &str, tier: u8) -> Result<TierRecord, TxError> {
    get(state, &tier_key(code, tier)).ok_or_else(|| {
        refuse(error::TIER_INVALID, format!("currency {code} has no tier {tier}: its issuer sets tiers first"))
    })
}

fn check_company_number(number: &str) -> Result<(), TxError> {
    let ok = (1..=MAX_COMPANY_NUMBER_BYTES).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(refuse(error::HOLDER_INVALID, format!("company number {number:?}: 1 to 32 letters, digits or '-'")))
    }
}

/// An active citizen's account record.
pub(crate) fn active_citizen(state: &dyn StateRead, address: &Address) -> Option<AccountRecord> {
    publica_accounts::account(state, address)
        .filter(|record| record.active && matches!(record.kind, AccountKind::Citizen { .. }))
}

/// Check a holder named as a payee or a commitment's: an agency that exists, a citizen or a company number.
pub(crate) fn check_holder(state: &dyn StateRead, holder: &Holder) -> Result<(), TxError> {
    match holder {
        Holder::Agency(agency) => {
            if publica_accounts::agency(state, agency).is_none() {
                return Err(refuse(error::HOLDER_INVALID, format!("no agency {agency}")));
            }
            Ok(())
        }
        Holder::Citizen(_) => Ok(()),
        Holder::Company(number) => check_company_number(number),
    }
}

pub(crate) fn open_account(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    holder: &Holder,
    operator: Option<&Address>,
    tier: u8,
    blinding: &Hash,
) -> Result<(), TxError> {
    let bank = require_role(state, &ctx.sender, BANK_ROLE)?;
    let mut record = existing_currency(state, code)?;
    existing_tier(state, code, tier)?;
    let operator = match (holder, operator) {
        (Holder::Citizen(address), None) => {
            if active_citizen(state, address).is_none() {
                return Err(refuse(error::HOLDER_INVALID, format!("{address} is not an active citizen")));
            }
            *address
        }
        (Holder::Citizen(_), Some(_)) => {
            return Err(refuse(
                error::HOLDER_INVALID,
                "a citizen's wallet is operated by the citizen: give no operator",
            ))
        }
        (Holder::Company(number), Some(operator)) => {
            check_company_number(number)?;
            if !publica_accounts::account(state, operator).is_some_and(|a| a.active) {
                return Err(refuse(error::HOLDER_INVALID, format!("operator {operator} is not an active account")));
            }
            *operator
        }
        (Holder::Company(_), None) => {
            return Err(refuse(error::HOLDER_INVALID, "a company's account needs an operator (the key that signs)"))
        }
        (Holder::Agency(_), _) => {
            return Err(refuse(error::HOLDER_INVALID, "an agency's account is public and needs no opening"))
        }
    };
    let key = private_account_key(code, holder);
    if state.get(&key).is_some() {
        return Err(refuse(error::ACCOUNT_EXISTS, format!("{code} account of {holder} is open already")));
    }
    let salt = publica_crypto::sha256_concat(&[b"publica:finance:open:v1", blinding, &ctx.tx_id.0]);
    let account = PrivateAccount {
        holder: holder.clone(),
        operator,
        tier,
        balance: 0,
        day: ctx.time_ms / DAY_MS,
        day_outflow: 0,
        hold: None,
        opened_by: bank.agency().expect("an official").clone(),
        opened_at_height: ctx.height,
        transactions: 1,
        entries: 0,
        salt,
        history_seed: salt,
    };
    record.private_accounts += 1;
    put(state, key, &account);
    put(state, currency_key(code), &record);
    Ok(())
}

pub(crate) fn set_account_tier(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    holder: &Holder,
    tier: u8,
) -> Result<(), TxError> {
    let bank = require_role(state, &ctx.sender, BANK_ROLE)?;
    existing_currency(state, code)?;
    existing_tier(state, code, tier)?;
    let mut account = existing_private(state, code, holder)?;
    if bank.agency() != Some(&account.opened_by) {
        return Err(refuse(
            error::WRONG_AGENCY,
            format!("the account was opened by {}: its bank sets its tier", account.opened_by),
        ));
    }
    account.tier = tier;
    account.touch(&ctx.tx_id);
    put(state, private_account_key(code, holder), &account);
    Ok(())
}

fn existing_private(state: &dyn StateRead, code: &str, holder: &Holder) -> Result<PrivateAccount, TxError> {
    private_account(state, code, holder).ok_or_else(|| no_private_account(code, holder))
}

/// The refusal of a movement of a private account that is not open.
fn no_private_account(code: &str, holder: &Holder) -> TxError {
    refuse(error::ACCOUNT_NOT_FOUND, format!("{holder} has no {code} account: a bank opens one first"))
}

pub(crate) fn issue(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    to: &AgencyId,
    amount: u64,
) -> Result<(), TxError> {
    let mut record = issuer_currency(state, ctx, code)?;
    check_amount(amount)?;
    check_holder(state, &Holder::Agency(to.clone()))?;
    record.issued = record
        .issued
        .checked_add(amount)
        .ok_or_else(|| refuse(error::AMOUNT_OVERFLOW, "the currency's issued total would overflow"))?;
    credit(state, ctx, &mut record, &Holder::Agency(to.clone()), amount, &Movement::none())?;
    put(state, currency_key(code), &record);
    Ok(())
}

pub(crate) fn redeem(state: &mut dyn StateWrite, ctx: &CallContext, code: &str, amount: u64) -> Result<(), TxError> {
    let mut record = issuer_currency(state, ctx, code)?;
    check_amount(amount)?;
    let issuer = Holder::Agency(record.issuer.clone());
    debit(state, ctx, &mut record, &issuer, amount, &Movement::none())?;
    record.redeemed += amount;
    put(state, currency_key(code), &record);
    Ok(())
}

/// Refuse a zero amount.
pub(crate) fn check_amount(amount: u64) -> Result<(), TxError> {
    if amount == 0 {
        return Err(refuse(error::AMOUNT_INVALID, "the amount is zero: give a positive amount in the smallest unit"));
    }
    Ok(())
}

/// Check that the sender may debit `from`: an agency's `treasurer`, a private account's operator. Returns the
/// private account debited as it was read (`None` for an agency's), so that the debit does not read it again.
fn authorise_debit(
    state: &dyn StateRead,
    ctx: &CallContext,
    code: &str,
    from: &Holder,
) -> Result<Option<PrivateAccount>, TxError> {
    match from {
        Holder::Agency(agency) => {
            let official = require_role(state, &ctx.sender, TREASURER_ROLE)?;
            if official.agency() != Some(agency) {
                return Err(refuse(
                    error::NOT_ACCOUNT_OPERATOR,
                    format!("only a treasurer of {agency} debits its account"),
                ));
            }
            Ok(None)
        }
        Holder::Citizen(_) | Holder::Company(_) => {
            let account = existing_private(state, code, from)?;
            if account.operator != ctx.sender {
                return Err(refuse(error::NOT_ACCOUNT_OPERATOR, "the sender does not operate the account debited"));
            }
            if !publica_accounts::account(state, &ctx.sender).is_some_and(|a| a.active) {
                return Err(refuse(error::NOT_ACCOUNT_OPERATOR, "the account's operator is no longer active"));
            }
            Ok(Some(account))
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn transfer(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    from: &Holder,
    to: &Holder,
    amount: u64,
    reference: &str,
) -> Result<(), TxError> {
    let mut record = existing_currency(state, code)?;
    let paying = authorise_debit(state, ctx, code, from)?;
    check_amount(amount)?;
    check_text("reference", reference, crate::call::MAX_REFERENCE_BYTES)?;
    if from == to {
        return Err(refuse(error::SAME_ACCOUNT, "the account credited is the account debited"));
    }
    check_holder(state, to)?;
    // Debit and credit change only the sums of balances.
    let sums = (record.public_balances, record.private_balances);
    // The paying account as authorisation read it (nothing wrote it since), and one read of a tier both accounts
    // are in.
    let mut tiers = Tiers::default();
    let debited = Movement { counterparty: Some(to), reference };
    match paying {
        Some(account) => debit_private(state, ctx, &mut record, &mut tiers, from, account, amount, &debited)?,
        None => debit_with(state, ctx, &mut record, &mut tiers, from, amount, &debited)?,
    }
    let credited = Movement { counterparty: Some(from), reference };
    credit_with(state, ctx, &mut record, &mut tiers, to, amount, &credited)?;
    // Between two private accounts (or two agencies) the sums do not change: the currency's record is left
    // unwritten, so that transfers between different people touch no key in common, and one commit does not make
    // every pending transfer be executed again (`docs/mempool.md`).
    if (record.public_balances, record.private_balances) != sums {
        put(state, currency_key(code), &record);
    }
    Ok(())
}

/// The tier records one call has read: a tier's limits do not change within a call, so two accounts of the same
/// tier read its record once.
#[derive(Default)]
struct Tiers {
    read: Option<(u8, TierRecord)>,
}

impl Tiers {
    /// The limits of `tier` of currency `code`, which must exist.
    fn get(&mut self, state: &dyn StateRead, code: &str, tier: u8) -> Result<TierRecord, TxError> {
        match self.read {
            Some((number, limits)) if number == tier => Ok(limits),
            _ => {
                let limits = existing_tier(state, code, tier)?;
                self.read = Some((tier, limits));
                Ok(limits)
            }
        }
    }
}

/// What a private account's history says of a movement: the other account and the reference.
pub(crate) struct Movement<'a> {
    /// The other account.
    pub counterparty: Option<&'a Holder>,
    /// The reference.
    pub reference: &'a str,
}

impl Movement<'_> {
    /// A movement with no other account and no reference (issuing, redeeming: agencies only).
    pub(crate) fn none() -> Movement<'static> {
        Movement { counterparty: None, reference: "" }
    }
}

/// Write a private account's next history entry.
fn record_entry(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    account: &mut PrivateAccount,
    (credit, debit): (u64, u64),
    movement: &Movement<'_>,
) {
    let entry = HistoryEntry {
        tx: ctx.tx_id,
        height: ctx.height,
        time_ms: ctx.time_ms,
        credit,
        debit,
        balance: account.balance,
        counterparty: movement.counterparty.cloned(),
        reference: movement.reference.to_owned(),
    };
    put(state, history_key(&account.history_seed, account.entries), &entry);
    account.entries += 1;
}

/// Take `amount` out of `from`: refused when held, short, or over its tier's daily outflow. Keeps the currency's sums
/// and a private account's history.
pub(crate) fn debit(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    record: &mut CurrencyRecord,
    from: &Holder,
    amount: u64,
    movement: &Movement<'_>,
) -> Result<(), TxError> {
    debit_with(state, ctx, record, &mut Tiers::default(), from, amount, movement)
}

/// [`debit`], with the tiers the call has read.
fn debit_with(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    record: &mut CurrencyRecord,
    tiers: &mut Tiers,
    from: &Holder,
    amount: u64,
    movement: &Movement<'_>,
) -> Result<(), TxError> {
    match from {
        Holder::Agency(agency) => {
            let key = agency_account_key(&record.code, agency);
            let mut account: AgencyAccount = get(state, &key).unwrap_or_default();
            if let Some(hold) = &account.hold {
                return Err(held(hold));
            }
            if account.balance < amount {
                return Err(short(account.balance, amount));
            }
            account.balance -= amount;
            record.public_balances -= amount;
            put(state, key, &account);
            Ok(())
        }
        Holder::Citizen(_) | Holder::Company(_) => {
            let account = existing_private(state, &record.code, from)?;
            debit_private(state, ctx, record, tiers, from, account, amount, movement)
        }
    }
}

/// Debit the private account `from`, whose record is `account` as read from the state.
#[allow(clippy::too_many_arguments)]
fn debit_private(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    record: &mut CurrencyRecord,
    tiers: &mut Tiers,
    from: &Holder,
    mut account: PrivateAccount,
    amount: u64,
    movement: &Movement<'_>,
) -> Result<(), TxError> {
    if let Some(hold) = &account.hold {
        return Err(held(hold));
    }
    if account.balance < amount {
        return Err(short(account.balance, amount));
    }
    let tier = tiers.get(state, &record.code, account.tier)?;
    let today = ctx.time_ms / DAY_MS;
    if account.day != today {
        account.day = today;
        account.day_outflow = 0;
    }
    let outflow = account.day_outflow.saturating_add(amount);
    if outflow > tier.daily_outflow_cap {
        return Err(refuse(
            error::DAILY_LIMIT_EXCEEDED,
            format!(
                "tier {} sends at most {} a day; {} sent today, {amount} more asked",
                account.tier, tier.daily_outflow_cap, account.day_outflow
            ),
        ));
    }
    account.day_outflow = outflow;
    account.balance -= amount;
    account.touch(&ctx.tx_id);
    record_entry(state, ctx, &mut account, (0, amount), movement);
    record.private_balances -= amount;
    put(state, private_account_key(&record.code, from), &account);
    Ok(())
}

/// Put `amount` into `to`: refused when a private account would pass its tier's cap, or does not exist. Keeps the
/// currency's sums and a private account's history. Returns, for a private account, the commitment to its holder a
/// payment record shows.
pub(crate) fn credit(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    record: &mut CurrencyRecord,
    to: &Holder,
    amount: u64,
    movement: &Movement<'_>,
) -> Result<Option<Hash>, TxError> {
    let credited = credit_with(state, ctx, record, &mut Tiers::default(), to, amount, movement)?;
    Ok(credited.map(|account| account.payee_commitment()))
}

/// [`credit`], with the tiers the call has read; returns a private account's record as written (its payee
/// commitment is derived from it only by the callers that show one).
fn credit_with(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    record: &mut CurrencyRecord,
    tiers: &mut Tiers,
    to: &Holder,
    amount: u64,
    movement: &Movement<'_>,
) -> Result<Option<PrivateAccount>, TxError> {
    let overflow = || refuse(error::AMOUNT_OVERFLOW, "a balance or the currency's total would overflow");
    match to {
        Holder::Agency(agency) => {
            let key = agency_account_key(&record.code, agency);
            let mut account: AgencyAccount = get(state, &key).unwrap_or_default();
            account.balance = account.balance.checked_add(amount).ok_or_else(overflow)?;
            record.public_balances = record.public_balances.checked_add(amount).ok_or_else(overflow)?;
            put(state, key, &account);
            Ok(None)
        }
        Holder::Citizen(_) | Holder::Company(_) => {
            let key = private_account_key(&record.code, to);
            let mut account: PrivateAccount = get(state, &key).ok_or_else(|| no_private_account(&record.code, to))?;
            let tier = tiers.get(state, &record.code, account.tier)?;
            let balance = account.balance.checked_add(amount).ok_or_else(overflow)?;
            if balance > tier.balance_cap {
                return Err(refuse(
                    error::BALANCE_CAP_EXCEEDED,
                    format!(
                        "the account credited (tier {}) holds at most {}; this would make {balance}",
                        account.tier, tier.balance_cap
                    ),
                ));
            }
            account.balance = balance;
            account.touch(&ctx.tx_id);
            record_entry(state, ctx, &mut account, (amount, 0), movement);
            record.private_balances = record.private_balances.checked_add(amount).ok_or_else(overflow)?;
            put(state, key, &account);
            Ok(Some(account))
        }
    }
}

fn held(hold: &Hold) -> TxError {
    refuse(error::ACCOUNT_HELD, format!("the account is held by {} ({}): {}", hold.agency, hold.role, hold.reason))
}

fn short(balance: u64, amount: u64) -> TxError {
    refuse(error::INSUFFICIENT_FUNDS, format!("the account holds {balance}, less than the {amount} asked"))
}

/// The role the sender places holds with: `court`, else `bank-supervisor`.
fn hold_role(state: &dyn StateRead, ctx: &CallContext) -> Result<(AccountRecord, &'static str), TxError> {
    match require_role(state, &ctx.sender, COURT_ROLE) {
        Ok(official) => Ok((official, COURT_ROLE)),
        Err(_) => Ok((require_role(state, &ctx.sender, BANK_SUPERVISOR_ROLE)?, BANK_SUPERVISOR_ROLE)),
    }
}

pub(crate) fn place_hold(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    holder: &Holder,
    reason: &str,
) -> Result<(), TxError> {
    let (official, role) = hold_role(state, ctx)?;
    existing_currency(state, code)?;
    check_text("reason", reason, crate::call::MAX_REFERENCE_BYTES)?;
    check_holder(state, holder)?;
    let hold = Hold {
        agency: official.agency().expect("an official").clone(),
        role: role.to_owned(),
        reason: reason.to_owned(),
        height: ctx.height,
    };
    update_hold(state, ctx, code, holder, |current| match current {
        Some(_) => Err(refuse(error::HOLD_STATE, "the account is held already")),
        None => Ok(Some(hold)),
    })
}

pub(crate) fn release_hold(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    holder: &Holder,
) -> Result<(), TxError> {
    let (official, role) = hold_role(state, ctx)?;
    existing_currency(state, code)?;
    check_holder(state, holder)?;
    update_hold(state, ctx, code, holder, |current| match current {
        None => Err(refuse(error::HOLD_STATE, "the account is not held")),
        Some(hold) if Some(&hold.agency) != official.agency() || hold.role != role => Err(refuse(
            error::HOLD_NOT_YOURS,
            format!("the hold was placed by {} as {}: only they release it", hold.agency, hold.role),
        )),
        Some(_) => Ok(None),
    })
}

fn update_hold(
    state: &mut dyn StateWrite,
    ctx: &CallContext,
    code: &str,
    holder: &Holder,
    change: impl FnOnce(&Option<Hold>) -> Result<Option<Hold>, TxError>,
) -> Result<(), TxError> {
    match holder {
        Holder::Agency(agency) => {
            let mut account = agency_account(state, code, agency);
            account.hold = change(&account.hold)?;
            put(state, agency_account_key(code, agency), &account);
        }
        Holder::Citizen(_) | Holder::Company(_) => {
            let mut account = existing_private(state, code, holder)?;
            account.hold = change(&account.hold)?;
            account.touch(&ctx.tx_id);
            put(state, private_account_key(code, holder), &account);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::BTreeMap;

    use super::*;

    /// A state that counts its reads.
    #[derive(Default)]
    struct Counted {
        entries: BTreeMap<Vec<u8>, Vec<u8>>,
        reads: Cell<usize>,
    }

    impl StateRead for Counted {
        fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
            self.reads.set(self.reads.get() + 1);
            self.entries.get(key).cloned()
        }
    }

    #[test]
    fn a_call_reads_a_tier_once_and_each_account_gets_its_own_tiers_limits() {
        let mut state = Counted::default();
        let (one, two) = (
            TierRecord { balance_cap: 10, daily_outflow_cap: 20 },
            TierRecord { balance_cap: 30, daily_outflow_cap: 40 },
        );
        state.entries.insert(tier_key("SEK", 1), borsh::to_vec(&one).unwrap());
        state.entries.insert(tier_key("SEK", 2), borsh::to_vec(&two).unwrap());
        let mut tiers = Tiers::default();
        assert_eq!(tiers.get(&state, "SEK", 1).unwrap(), one);
        assert_eq!(tiers.get(&state, "SEK", 1).unwrap(), one);
        assert_eq!(state.reads.get(), 1, "the second account of tier 1 reads nothing");
        assert_eq!(tiers.get(&state, "SEK", 2).unwrap(), two);
        assert_eq!(tiers.get(&state, "SEK", 1).unwrap(), one);
        assert_eq!(state.reads.get(), 3, "another tier is read from the state");
        let missing = tiers.get(&state, "SEK", 3).unwrap_err();
        assert_eq!(missing.code, error::TIER_INVALID);
    }
}
