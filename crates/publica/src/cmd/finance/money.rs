//! Public money: currencies and their tiers, issuing and redeeming, private accounts, transfers, holds; the reads of
//! a currency's supply, an agency's account and a private account.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use publica_client::api::{
    AccountReadResponse, AgencyAccountResponse, CurrencyResponse, CurrencyTier, ReadAccess, DEFAULT_FINANCE_PAGE,
};
use publica_client::routes::signed_account_read;
use publica_client::{Client, Page, DEFAULT_API};
use publica_crypto::keystore::KeyFile;
use publica_finance::call::{FinanceCall, Holder};
use publica_finance::schema::{Hold, PrivateAccount};
use publica_types::time::format_time_ms;
use publica_types::{Address, AgencyId};

use super::{found, holder_text, proven_line, save_or_print, send, to_json, HolderArg, Ledger, ShowArgs, Units};
use crate::cmd::tx::SendArgs;
use crate::keyfile::PassphraseArgs;

/// A UTC day, in milliseconds: the period of a tier's daily outflow cap.
const DAY_MS: u64 = 86_400_000;

/// Arguments of `publica finance define-currency`.
#[derive(Args)]
pub struct DefineCurrencyArgs {
    #[command(flatten)]
    send: SendArgs,
    /// Its code: 3 to 8 capital letters (ISO 4217 codes are 3), e.g. NVK.
    #[arg(long)]
    code: String,
    /// Its name, e.g. "Nordvik krona".
    #[arg(long)]
    name: String,
    /// Decimals of its smallest unit (0 to 8): 2 makes 100 öre to the krona.
    #[arg(long)]
    decimals: u8,
}

/// Arguments of `publica finance set-tier`.
#[derive(Args)]
pub struct SetTierArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// The tier, 1 to 9.
    #[arg(long)]
    tier: u8,
    /// The largest balance of an account of this tier, in the currency's unit (e.g. 7500 or 7500.00).
    #[arg(long, value_name = "AMOUNT")]
    balance_cap: String,
    /// The most an account of this tier sends in one UTC day, in the currency's unit.
    #[arg(long, value_name = "AMOUNT")]
    daily_cap: String,
}

/// Arguments of `publica finance issue`.
#[derive(Args)]
pub struct IssueArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// The agency whose account is credited.
    #[arg(long)]
    to: AgencyId,
    /// How much, in the currency's unit (e.g. 1250 or 1250.50).
    #[arg(long)]
    amount: String,
}

/// Arguments of `publica finance redeem`.
#[derive(Args)]
pub struct RedeemArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// How much, in the currency's unit.
    #[arg(long)]
    amount: String,
}

/// Arguments of `publica finance open-account`.
#[derive(Args)]
pub struct OpenAccountArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// A citizen's wallet: the citizen's account address (their own key signs its transfers).
    #[arg(long, required_unless_present = "company", conflicts_with = "company")]
    citizen: Option<Address>,
    /// A company's business account: its company number.
    #[arg(long, value_name = "NUMBER", requires = "operator")]
    company: Option<String>,
    /// For a company: the account whose key signs its transfers (a director, say).
    #[arg(long, requires = "company")]
    operator: Option<Address>,
    /// The account's tier (its limits are the currency's for that tier).
    #[arg(long)]
    tier: u8,
}

/// Arguments of `publica finance set-account-tier`.
#[derive(Args)]
pub struct SetAccountTierArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// The account's holder: citizen:ADDRESS or company:NUMBER.
    #[arg(long)]
    holder: HolderArg,
    /// The new tier.
    #[arg(long)]
    tier: u8,
}

/// Arguments of `publica finance transfer`.
#[derive(Args)]
pub struct TransferArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// The account credited: agency:ID, citizen:ADDRESS or company:NUMBER.
    #[arg(long)]
    to: HolderArg,
    /// How much, in the currency's unit (e.g. 200 or 200.50); at most as many decimals as the currency has.
    #[arg(long)]
    amount: String,
    /// What it pays: an invoice number, a message (up to 140 bytes).
    #[arg(long)]
    reference: String,
    /// The account debited (default: the sender's own wallet, citizen:<the sender's address>); a company's
    /// operator gives company:NUMBER, an agency's treasurer agency:ID.
    #[arg(long)]
    from: Option<HolderArg>,
}

/// Arguments of `publica finance hold`.
#[derive(Args)]
pub struct HoldArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// The account held: agency:ID, citizen:ADDRESS or company:NUMBER.
    #[arg(long)]
    holder: HolderArg,
    /// Why: the order's reference.
    #[arg(long)]
    reason: String,
}

/// Arguments of `publica finance release`.
#[derive(Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// The account held.
    #[arg(long)]
    holder: HolderArg,
}

/// Arguments of `publica finance account`.
#[derive(Args)]
pub struct AccountArgs {
    /// The currency's code.
    #[arg(long)]
    currency: String,
    /// Your key file: it signs the read request (the reader is the account it signs for).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// The account read: citizen:ADDRESS or company:NUMBER (default: your own wallet, citizen:<your address>).
    #[arg(long)]
    holder: Option<HolderArg>,
    /// The first history entry shown (from 0; default: the last page's).
    #[arg(long, value_name = "N")]
    from: Option<u64>,
    /// The most history entries shown (1 to 100; default 20).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: Option<u32>,
    /// Save the answer with its proofs here, for `publica verify FILE --genesis GENESIS`: a proof of your balance
    /// and payments you can show a landlord or a court.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the node's whole JSON answer.
    #[arg(long)]
    json: bool,
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
}

/// `publica finance define-currency`.
pub fn define_currency(args: DefineCurrencyArgs) -> Result<()> {
    let DefineCurrencyArgs { send: s, code, name, decimals } = args;
    let next = format!(
        "set its tiers with `publica finance set-tier --currency {code} --tier 1 --balance-cap AMOUNT --daily-cap \
         AMOUNT`, then issue money with `publica finance issue --currency {code} --to AGENCY --amount AMOUNT`"
    );
    send(&s, FinanceCall::DefineCurrency { code, name, decimals }, |_| Some(next))
}

/// `publica finance set-tier`.
pub fn set_tier(args: SetTierArgs) -> Result<()> {
    let units = Ledger::new(&Client::new(&args.send.api)?).currency(&args.currency)?;
    let balance_cap = units.parse_limit("--balance-cap", &args.balance_cap)?;
    let daily_outflow_cap = units.parse_limit("--daily-cap", &args.daily_cap)?;
    println!(
        "tier {}: balance cap {}, daily outflow cap {}",
        args.tier,
        units.show(balance_cap),
        units.show(daily_outflow_cap)
    );
    let call = FinanceCall::SetTier { currency: args.currency, tier: args.tier, balance_cap, daily_outflow_cap };
    send(&args.send, call, |_| None)
}

/// `publica finance issue`.
pub fn issue(args: IssueArgs) -> Result<()> {
    let units = Ledger::new(&Client::new(&args.send.api)?).currency(&args.currency)?;
    let amount = units.parse("--amount", &args.amount)?;
    println!("issuing {} into the account of {}", units.show(amount), args.to);
    let next = format!("`publica finance agency {} {}` shows its balance", args.currency, args.to);
    send(&args.send, FinanceCall::Issue { currency: args.currency, to: args.to, amount }, |_| Some(next))
}

/// `publica finance redeem`.
pub fn redeem(args: RedeemArgs) -> Result<()> {
    let units = Ledger::new(&Client::new(&args.send.api)?).currency(&args.currency)?;
    let amount = units.parse("--amount", &args.amount)?;
    println!("redeeming {}", units.show(amount));
    let next = format!("`publica finance currency {}` shows the supply", args.currency);
    send(&args.send, FinanceCall::Redeem { currency: args.currency, amount }, |_| Some(next))
}

/// `publica finance open-account`.
pub fn open_account(args: OpenAccountArgs) -> Result<()> {
    let OpenAccountArgs { send: s, currency, citizen, company, operator, tier } = args;
    let (holder, operator) = match (citizen, company) {
        (Some(citizen), None) => (Holder::Citizen(citizen), None),
        (None, Some(number)) => {
            let holder = format!("company:{number}").parse::<HolderArg>().map_err(anyhow::Error::msg)?.0;
            (holder, operator)
        }
        _ => bail!("give --citizen ADDRESS, or --company NUMBER with --operator ADDRESS"),
    };
    // The account's first salt keeps its record's hash, which appears in other people's state proofs, from
    // revealing its balance: it must be unpredictable, so it comes from the operating system's generator.
    let mut blinding = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut blinding);
    let shown = holder_text(&holder);
    println!("opening the {currency} account of {shown} at tier {tier}");
    let next = match &holder {
        Holder::Citizen(_) => {
            format!("the citizen reads it with `publica finance account --currency {currency} --key KEY`")
        }
        _ => format!(
            "its operator reads it with `publica finance account --currency {currency} --holder {shown} --key KEY`"
        ),
    };
    let call = FinanceCall::OpenAccount { currency, holder, operator, tier, blinding };
    send(&s, call, |_| Some(next))
}

/// `publica finance set-account-tier`.
pub fn set_account_tier(args: SetAccountTierArgs) -> Result<()> {
    let call = FinanceCall::SetAccountTier { currency: args.currency, holder: args.holder.0, tier: args.tier };
    send(&args.send, call, |_| None)
}

/// `publica finance transfer`.
pub fn transfer(args: TransferArgs) -> Result<()> {
    let TransferArgs { send: s, currency, to, amount, reference, from } = args;
    let client = Client::new(&s.api)?;
    let units = Ledger::new(&client).currency(&currency)?;
    let amount = units.parse("--amount", &amount)?;
    let own_wallet = from.is_none();
    let from = match from {
        Some(from) => from.0,
        None => {
            // The key file's public part names the account; the passphrase is asked once, when signing.
            let key = KeyFile::load(&s.key).with_context(|| format!("reading {}", s.key.display()))?;
            Holder::Citizen(client.sender_for(key.public_key().address(), s.sender)?)
        }
    };
    println!("transferring {} from {} to {}", units.show(amount), holder_text(&from), holder_text(&to.0));
    let next = match &from {
        Holder::Agency(agency) => format!("`publica finance agency {currency} {agency}` shows the balance"),
        _ if own_wallet => {
            format!("`publica finance account --currency {currency} --key KEY` shows your balance and history")
        }
        other => format!(
            "`publica finance account --currency {currency} --holder {} --key KEY` shows the balance and history",
            holder_text(other)
        ),
    };
    let call = FinanceCall::Transfer { currency, from, to: to.0, amount, reference };
    send(&s, call, |_| Some(next))
}

/// `publica finance hold`.
pub fn hold(args: HoldArgs) -> Result<()> {
    let call = FinanceCall::PlaceHold { currency: args.currency, holder: args.holder.0, reason: args.reason };
    send(&args.send, call, |_| Some("`publica finance release` releases it".into()))
}

/// `publica finance release`.
pub fn release(args: ReleaseArgs) -> Result<()> {
    send(&args.send, FinanceCall::ReleaseHold { currency: args.currency, holder: args.holder.0 }, |_| None)
}

/// `publica finance currency CODE`.
pub fn currency(code: &str, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let body = found(client.finance_currency_json(code))?;
    if save_or_print(show, &body)? {
        return Ok(());
    }
    let answer: CurrencyResponse = serde_json::from_value(body).context("the node's answer about a currency")?;
    print!("{}", currency_text(&answer));
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

/// A currency's supply, its invariant and its tiers, in words.
fn currency_text(answer: &CurrencyResponse) -> String {
    let c = &answer.currency;
    let units = Units { code: c.code.clone(), decimals: c.decimals };
    let circulating = c.issued.checked_sub(c.redeemed);
    let held = c.public_balances.checked_add(c.private_balances);
    let width = [c.issued, c.redeemed, c.public_balances, c.private_balances]
        .into_iter()
        .map(|n| units.show(n).len())
        .max()
        .unwrap_or(0);
    let mut out = format!("currency {}: {} ({} decimals), issued by {}\n", c.code, c.name, c.decimals, c.issuer);
    let mut line = |label: &str, text: String| out.push_str(&format!("  {label:<18}{text}\n"));
    line("issued", format!("{:>width$}", units.show(c.issued)));
    line("redeemed", format!("{:>width$}", units.show(c.redeemed)));
    let circulating_text = circulating.map_or_else(|| "more redeemed than issued!".into(), |n| units.show(n));
    line("in circulation", format!("{circulating_text:>width$}"));
    line("public balances", format!("{:>width$}  (agencies' accounts)", units.show(c.public_balances)));
    line(
        "private balances",
        format!(
            "{:>width$}  ({} opened)",
            units.show(c.private_balances),
            crate::cmd::count(c.private_accounts as usize, "private account")
        ),
    );
    let invariant = match (circulating, held) {
        (Some(a), Some(b)) if a == b => "holds: issued - redeemed = public balances + private balances".to_owned(),
        _ => "DOES NOT HOLD: issued - redeemed differs from the sum of the balances".into(),
    };
    line("invariant", invariant);
    if answer.tiers.is_empty() {
        line("tiers", "none set (its issuer sets them with `publica finance set-tier`)".into());
    }
    for tier in &answer.tiers {
        line(&format!("tier {}", tier.tier), tier_limits(&units, tier));
    }
    out
}

fn tier_limits(units: &Units, tier: &CurrencyTier) -> String {
    format!("balance cap {}, daily outflow cap {}", units.show(tier.balance_cap), units.show(tier.daily_outflow_cap))
}

/// `publica finance agency CODE AGENCY`.
pub fn agency(code: &str, agency: &AgencyId, show: &ShowArgs) -> Result<()> {
    let answer: AgencyAccountResponse = found(show.client()?.finance_agency_account(code, agency))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let units = Units { code: answer.currency.code.clone(), decimals: answer.currency.decimals };
    println!("account of agency {} in {}", answer.agency, units.code);
    println!("  balance   {}", units.show(answer.account.balance));
    println!("  hold      {}", hold_text(answer.account.hold.as_ref()));
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn hold_text(hold: Option<&Hold>) -> String {
    match hold {
        None => "none".into(),
        Some(h) => format!(
            "HELD since height {} by {} ({}): {}; nothing leaves the account until it is released",
            h.height, h.agency, h.role, h.reason
        ),
    }
}

/// `publica finance account`.
pub fn account(args: AccountArgs) -> Result<()> {
    let client = Client::new(&args.api)?;
    let key = crate::keyfile::load(&args.key, &args.passphrase)?;
    let reader = client.sender_for(key.public_key().address(), None)?;
    let holder = match args.holder {
        Some(holder) => holder.0,
        None => Holder::Citizen(reader),
    };
    let chain_id = client.chain_id()?;
    let read = |from: u64| {
        let page = Page { from: Some(from), limit: args.limit };
        let request =
            signed_account_read(&key, reader, &chain_id, &args.currency, &holder, page, publica_client::now_ms());
        found(client.finance_account_read_json(&request))
    };
    // Without --from, the last page: a wallet's latest movements are what its holder looks for.
    let mut from = args.from.unwrap_or(0);
    let mut body = read(from)?;
    if args.from.is_none() {
        let entries = body["account"]["entries"].as_u64().unwrap_or(0);
        let last = entries.saturating_sub(u64::from(args.limit.unwrap_or(DEFAULT_FINANCE_PAGE)));
        if last > 0 {
            from = last;
            body = read(from)?;
        }
    }
    if let Some(path) = &args.out {
        crate::cmd::save_answer(path, &body, args.json)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&body)?);
        return Ok(());
    }
    let answer: AccountReadResponse =
        serde_json::from_value(body).context("the node's answer about a private account")?;
    let currency = client
        .finance_currency(&args.currency)
        .with_context(|| format!("reading currency {}'s decimals and tiers", args.currency))?;
    let units = Units { code: currency.currency.code, decimals: currency.currency.decimals };
    let tier = currency.tiers.into_iter().find(|t| t.tier == answer.account.tier);
    print!("{}", account_text(&answer, &units, tier.as_ref(), from, publica_client::now_ms()));
    println!("{}", proven_line(&answer.certified, args.out.as_deref()));
    Ok(())
}

/// A private account and its history, in words.
fn account_text(
    answer: &AccountReadResponse,
    units: &Units,
    tier: Option<&CurrencyTier>,
    from: u64,
    now_ms: u64,
) -> String {
    let a: &PrivateAccount = &answer.account;
    let kind = match &answer.holder {
        Holder::Citizen(_) => "wallet",
        _ => "business account",
    };
    let access = match answer.access {
        ReadAccess::Operator => "its operator",
        ReadAccess::Auditor => "an auditor",
    };
    let mut out = format!(
        "{kind} of {} in {} (read by {}, {access})\n",
        holder_text(&answer.holder),
        answer.currency,
        answer.reader
    );
    let mut line = |label: &str, text: String| out.push_str(&format!("  {label:<12}{text}\n"));
    line("balance", units.show(a.balance));
    line(
        "tier",
        match tier {
            Some(t) => format!("{} ({})", a.tier, tier_limits(units, t)),
            None => format!("{} (not set by the issuer)", a.tier),
        },
    );
    // The day's outflow counts from the UTC day of the account's last debit, by block time.
    let today = if a.day == now_ms / DAY_MS { a.day_outflow } else { 0 };
    line(
        "sent today",
        match tier {
            Some(t) => format!("{} of {} a day", units.show(today), units.show(t.daily_outflow_cap)),
            None => units.show(today),
        },
    );
    line("hold", hold_text(a.hold.as_ref()));
    line("operator", a.operator.to_string());
    line("opened", format!("by {} at height {}", a.opened_by, a.opened_at_height));
    let shown = answer.history.len() as u64;
    let entries = match a.entries {
        1 => "1 entry".to_owned(),
        n => format!("{n} entries"),
    };
    line(
        "history",
        match shown {
            _ if a.entries == 0 => "no movements yet".into(),
            0 => format!("{entries}; none from entry {from} (--from N chooses the first shown)"),
            1 => format!("{entries} in all; entry {from} shown"),
            _ => format!("{entries} in all; entries {from} to {} shown, oldest first", from + shown - 1),
        },
    );
    for e in &answer.history {
        let (signed, way) = if e.credit > 0 {
            (format!("+{}", units.plain(e.credit)), "from")
        } else {
            (format!("-{}", units.plain(e.debit)), "to")
        };
        let counterparty = e.counterparty.as_ref().map(|c| format!("  {way} {}", holder_text(c))).unwrap_or_default();
        let reference = if e.reference.is_empty() { String::new() } else { format!("  {:?}", e.reference) };
        out.push_str(&format!(
            "    {}  block {:<6} {signed:>15}  balance {:>14}{counterparty}{reference}\n",
            format_time_ms(e.time_ms),
            e.height,
            units.plain(e.balance),
        ));
    }
    out
}
