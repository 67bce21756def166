//! `publica finance`: public money, budgets traced to every payment, and welfare paid once per person
//! (`docs/finance.md`).
//!
//! Each transaction verb is sent by the official (or citizen) the module authorises for it, named in its help. Every
//! read prints the node's proven answer in words; `--json` prints the whole answer, and `--out FILE` saves it with
//! its proofs for `publica verify FILE --genesis genesis.json`.
//!
//! **Amounts** are typed and printed in the currency's unit (`1250`, `1250.5`, `1250.50` for a currency with 2
//! decimals) and converted exactly to the integer of its smallest unit the ledger keeps, with the decimals the
//! ledger gives for the currency: no float is involved, and an amount with more decimals than the currency has, a
//! negative or zero amount, or one too large is refused before anything is sent.
//!
//! **Holders** of money are written `agency:ID`, `citizen:ADDRESS` or `company:NUMBER`.
//!
//! The submodules: [`money`] (currencies, accounts, transfers, holds), [`budget`] (budget laws, allocations,
//! commitments, payments and their trace), [`welfare`] (programmes, nullifier proofs, claims).

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde_json::Value;

use publica_client::api::format_amount;
use publica_client::{Client, Page};
use publica_finance::call::{FinanceCall, Holder, MAX_COMPANY_NUMBER_BYTES};
use publica_finance::schema::{Allocation, Commitment};
use publica_types::{AgencyId, TxOutcome};
use publica_verify::CertifiedHeader;

use super::registry::ReadArgs;
use super::tx::{send_call_id, SendArgs};
use super::{found, proven_line, save_answer, to_json};

mod budget;
mod money;
mod welfare;

/// `publica finance` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Define a currency; the sender's agency issues it (sender: an official holding `currency-issuer`).
    DefineCurrency(money::DefineCurrencyArgs),
    /// Set a tier's limits for private accounts: the largest balance and the most sent in one UTC day (sender: a
    /// `currency-issuer` of the currency's issuing agency).
    SetTier(money::SetTierArgs),
    /// Issue new money into an agency's account (sender: a `currency-issuer` of the issuing agency).
    Issue(money::IssueArgs),
    /// Take money out of circulation from the issuing agency's own account (sender: a `currency-issuer` of the
    /// issuing agency).
    Redeem(money::RedeemArgs),
    /// Open a private account: a citizen's wallet, or a company's business account operated by an account's key
    /// (sender: an official holding `bank`, after the bank's own checks of the customer).
    OpenAccount(money::OpenAccountArgs),
    /// Move a private account to another tier (sender: an official holding `bank`).
    SetAccountTier(money::SetAccountTierArgs),
    /// Move money from one account to another (sender: the payer: a citizen from their wallet, a company's
    /// operator from its account, an agency's `treasurer` from the agency's).
    Transfer(money::TransferArgs),
    /// Place a hold on an account: nothing leaves it until the hold is released (sender: an official holding
    /// `court` or `bank-supervisor`).
    Hold(money::HoldArgs),
    /// Release a hold (sender: an official of the agency that placed it, holding the role it was placed with).
    Release(money::ReleaseArgs),
    /// A currency: its issuer, its supply, the double-entry invariant (issued - redeemed = public + private
    /// balances) and its tiers, with proofs.
    Currency {
        /// The currency's code, e.g. NVK.
        code: String,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// An agency's public account in a currency: its balance and hold, with proofs.
    Agency {
        /// The currency's code.
        code: String,
        /// The agency.
        agency: AgencyId,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// Read a private account with a request signed by your key: your own wallet, an account of a company you
    /// operate, or any account for an official holding `finance-auditor`; its balance, tier, today's outflow, hold
    /// and history, with proofs (nobody else is shown it).
    Account(money::AccountArgs),
    /// Budget laws: enact, amend, show their lines, and a line's execution by month.
    #[command(subcommand)]
    Budget(budget::BudgetCommand),
    /// Allocate part of a budget line's appropriation to an agency (sender: an official holding `budget-officer`).
    Allocate(budget::AllocateArgs),
    /// Commit funds against an allocation: a purchase order naming its supplier, or a programme's funding naming
    /// no payee (sender: a `spending-officer` of the allocation's agency).
    Commit(budget::CommitArgs),
    /// Pay against a commitment from the budget's treasury account (sender: a `treasurer` of the allocation's
    /// agency).
    Pay(budget::PayArgs),
    /// A payment traced to the budget law: payment, commitment, allocation, budget line and law, with proofs.
    Payment {
        /// The payment's number.
        id: u64,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// The payments, in the order they were made, with proofs.
    Payments {
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// The allocations of budget lines to agencies, with proofs.
    Allocations {
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// The commitments against allocations, with proofs.
    Commitments {
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// Welfare programmes: create one, show one with its totals per period.
    #[command(subcommand)]
    Programme(welfare::ProgrammeCommand),
    /// The welfare programmes, with proofs.
    Programmes {
        #[command(flatten)]
        page: PageArgs,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// Make your nullifier proof for a welfare scheme and a month, with your own key (nothing is sent): give it to
    /// the welfare officer who claims the benefit for you. It proves you have not been paid twice without telling
    /// anyone else who you are.
    NullifierProof(welfare::NullifierProofArgs),
    /// Claim a month's benefit of a programme for a citizen, with the citizen's nullifier proof (sender: a
    /// `welfare-officer` of the programme's agency, who has checked the citizen's credentials).
    Claim(welfare::ClaimArgs),
    /// Whether a nullifier is recorded for a scheme and a month (a claim with it was paid), proven either way; exit
    /// code 3 when it is not.
    Nullifier {
        /// The scheme, e.g. child-benefit.
        scheme: String,
        /// The month, YYYYMM.
        #[arg(value_parser = parse_period)]
        period: u32,
        /// The nullifier, 64 hex digits (as `publica finance nullifier-proof` prints it).
        nullifier: String,
        #[command(flatten)]
        show: ShowArgs,
    },
}

impl Command {
    /// Whether the command only reads (its "not found" is exit code 3).
    pub fn is_read(&self) -> bool {
        match self {
            Command::Currency { .. }
            | Command::Agency { .. }
            | Command::Account(_)
            | Command::Payment { .. }
            | Command::Payments { .. }
            | Command::Allocations { .. }
            | Command::Commitments { .. }
            | Command::Programmes { .. }
            | Command::Nullifier { .. } => true,
            Command::Budget(c) => c.is_read(),
            Command::Programme(c) => c.is_read(),
            _ => false,
        }
    }
}

/// Run a finance command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::DefineCurrency(args) => money::define_currency(args),
        Command::SetTier(args) => money::set_tier(args),
        Command::Issue(args) => money::issue(args),
        Command::Redeem(args) => money::redeem(args),
        Command::OpenAccount(args) => money::open_account(args),
        Command::SetAccountTier(args) => money::set_account_tier(args),
        Command::Transfer(args) => money::transfer(args),
        Command::Hold(args) => money::hold(args),
        Command::Release(args) => money::release(args),
        Command::Currency { code, show } => money::currency(&code, &show),
        Command::Agency { code, agency, show } => money::agency(&code, &agency, &show),
        Command::Account(args) => money::account(args),
        Command::Budget(c) => budget::run(c),
        Command::Allocate(args) => budget::allocate(args),
        Command::Commit(args) => budget::commit(args),
        Command::Pay(args) => budget::pay(args),
        Command::Payment { id, show } => budget::payment(id, &show),
        Command::Payments { page, show } => budget::payments(page, &show),
        Command::Allocations { page, show } => budget::allocations(page, &show),
        Command::Commitments { page, show } => budget::commitments(page, &show),
        Command::Programme(c) => welfare::run(c),
        Command::Programmes { page, show } => welfare::programmes(page, &show),
        Command::NullifierProof(args) => welfare::nullifier_proof(args),
        Command::Claim(args) => welfare::claim(args),
        Command::Nullifier { scheme, period, nullifier, show } => {
            welfare::nullifier(&scheme, period, &nullifier, &show)
        }
    }
}

/// What every read takes: the node, `--json`, and `--out FILE` for the answer with its proofs.
#[derive(Args)]
pub struct ShowArgs {
    /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

impl ShowArgs {
    /// A client of the node named by `--api`.
    fn client(&self) -> Result<Client> {
        Client::new(&self.read.api)
    }
}

/// A page of a listing.
#[derive(Args, Clone, Copy)]
pub struct PageArgs {
    /// The first number listed (from 0).
    #[arg(long, value_name = "N")]
    from: Option<u64>,
    /// The most listed (1 to 100; default 20).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    limit: Option<u32>,
}

impl PageArgs {
    fn page(self) -> Page {
        Page { from: self.from, limit: self.limit }
    }
}

/// A holder of money as the command line writes it: `agency:ID`, `citizen:ADDRESS` or `company:NUMBER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HolderArg(pub Holder);

impl std::str::FromStr for HolderArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = "write a holder as agency:ID (an agency's account), citizen:ADDRESS (a citizen's wallet, the \
                     account's 40 hex digits) or company:NUMBER (a company's business account)";
        let (kind, value) = text.split_once(':').ok_or_else(|| format!("{text:?} names no kind of holder; {usage}"))?;
        let value = value.trim();
        let holder = match kind.trim() {
            "agency" => Holder::Agency(value.parse().map_err(|e| format!("{text:?}: {e}; {usage}"))?),
            "citizen" => Holder::Citizen(value.parse().map_err(|e| format!("{text:?}: {e}; {usage}"))?),
            "company" => {
                let ok = (1..=MAX_COMPANY_NUMBER_BYTES).contains(&value.len())
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !ok {
                    return Err(format!(
                        "{text:?}: a company number is 1 to {MAX_COMPANY_NUMBER_BYTES} letters, digits or '-'; {usage}"
                    ));
                }
                Holder::Company(value.to_owned())
            }
            other => return Err(format!("{text:?}: {other:?} is not a kind of holder; {usage}")),
        };
        Ok(HolderArg(holder))
    }
}

/// A holder as the command line writes it.
pub fn holder_text(holder: &Holder) -> String {
    match holder {
        Holder::Agency(agency) => format!("agency:{agency}"),
        Holder::Citizen(address) => format!("citizen:{address}"),
        Holder::Company(number) => format!("company:{number}"),
    }
}

/// A month `YYYYMM` (clap's parser).
pub fn parse_period(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let period = (text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<u32>().ok())
        .flatten()
        .filter(|p| publica_finance::schema::month_start_ms(*p).is_some());
    period.ok_or_else(|| format!("{text:?} is not a month: write it YYYYMM, e.g. 202603 for March 2026"))
}

/// A currency's code and decimals: how its amounts are typed and printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Units {
    /// The currency's code.
    pub(crate) code: String,
    /// Decimals of its smallest unit.
    pub(crate) decimals: u8,
}

impl Units {
    /// `amount` (in the smallest unit) as an exact decimal with the currency's code: `1250.00 NVK`.
    pub(crate) fn show(&self, amount: u64) -> String {
        format!("{} {}", self.plain(amount), self.code)
    }

    /// `amount` as an exact decimal, without the code.
    fn plain(&self, amount: u64) -> String {
        format_amount(amount, self.decimals)
    }

    /// An amount typed in the currency's unit (`what` names it in errors), in its smallest unit; zero refused.
    pub(crate) fn parse(&self, what: &str, text: &str) -> Result<u64> {
        match self.parse_limit(what, text)? {
            0 => bail!("{what} {text:?} is zero: give an amount above zero"),
            amount => Ok(amount),
        }
    }

    /// [`Units::parse`], with zero allowed (a tier's cap).
    fn parse_limit(&self, what: &str, text: &str) -> Result<u64> {
        to_smallest_unit(text, self.decimals).map_err(|why| {
            anyhow::anyhow!("{what} {text:?} is not an amount of {} ({} decimals): {why}", self.code, self.decimals)
        })
    }
}

/// A decimal in a currency's unit as an integer of its smallest unit (`10^-decimals` of the unit), exactly: digits,
/// at most one decimal point and at most `decimals` digits after it; negative amounts and overflow refused.
fn to_smallest_unit(text: &str, decimals: u8) -> Result<u64, String> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err("an amount cannot be negative".into());
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (text.contains('.') && !digits(fraction)) {
        return Err("write digits with at most one decimal point and no separators, such as 1250, 1250.5 or \
                    1250.50"
            .into());
    }
    if fraction.len() > usize::from(decimals) {
        return Err(match decimals {
            0 => "the currency has no decimals: give a whole number".into(),
            1 => format!("the currency has 1 decimal, and it has {}", fraction.len()),
            n => format!("the currency has {n} decimals, and it has {}", fraction.len()),
        });
    }
    let too_large = || format!("it is too large: at most {} smallest units", u64::MAX);
    let scale = 10u64.checked_pow(u32::from(decimals)).ok_or_else(too_large)?;
    let whole: u64 = whole.parse().map_err(|_| too_large())?;
    let fraction = if fraction.is_empty() {
        0
    } else {
        // At most `decimals` digits, so the padded value is below `scale`.
        let padding = 10u64.pow((usize::from(decimals) - fraction.len()) as u32);
        fraction.parse::<u64>().map_err(|_| too_large())? * padding
    };
    whole.checked_mul(scale).and_then(|w| w.checked_add(fraction)).ok_or_else(too_large)
}

/// The currencies of the records a read shows, read once each: a currency by code, a budget's by year, an
/// allocation's and a commitment's through their budget.
struct Ledger<'a> {
    client: &'a Client,
    currencies: HashMap<String, Units>,
    years: HashMap<u16, String>,
    allocations: HashMap<u64, Allocation>,
    commitments: HashMap<u64, Commitment>,
}

impl<'a> Ledger<'a> {
    fn new(client: &'a Client) -> Self {
        Ledger {
            client,
            currencies: HashMap::new(),
            years: HashMap::new(),
            allocations: HashMap::new(),
            commitments: HashMap::new(),
        }
    }

    /// A currency's units, as the ledger defines it.
    fn currency(&mut self, code: &str) -> Result<Units> {
        if let Some(units) = self.currencies.get(code) {
            return Ok(units.clone());
        }
        let record = self
            .client
            .finance_currency(code)
            .with_context(|| format!("reading currency {code}'s decimals from the ledger"))?
            .currency;
        let units = Units { code: record.code, decimals: record.decimals };
        self.currencies.insert(code.to_owned(), units.clone());
        Ok(units)
    }

    /// The currency of a fiscal year's budget.
    fn of_year(&mut self, year: u16) -> Result<Units> {
        let code = match self.years.get(&year) {
            Some(code) => code.clone(),
            None => {
                let budget = self
                    .client
                    .finance_budget(year, Page { from: None, limit: Some(1) })
                    .with_context(|| format!("reading the {year} budget's currency"))?
                    .budget;
                self.years.insert(year, budget.currency.clone());
                budget.currency
            }
        };
        self.currency(&code)
    }

    /// An allocation, by number.
    fn allocation(&mut self, id: u64) -> Result<Allocation> {
        if let Some(allocation) = self.allocations.get(&id) {
            return Ok(allocation.clone());
        }
        let page = self.client.finance_allocations(Page { from: Some(id), limit: Some(1) })?;
        let allocation = page.allocations.into_iter().find(|a| a.id == id).with_context(|| {
            format!(
                "there is no allocation {id} ({} on the ledger; `publica finance allocations` lists them)",
                page.count
            )
        })?;
        self.allocations.insert(id, allocation.clone());
        Ok(allocation)
    }

    /// A commitment, by number.
    fn commitment(&mut self, id: u64) -> Result<Commitment> {
        if let Some(commitment) = self.commitments.get(&id) {
            return Ok(commitment.clone());
        }
        let page = self.client.finance_commitments(Page { from: Some(id), limit: Some(1) })?;
        let commitment = page.commitments.into_iter().find(|c| c.id == id).with_context(|| {
            format!(
                "there is no commitment {id} ({} on the ledger; `publica finance commitments` lists them)",
                page.count
            )
        })?;
        self.commitments.insert(id, commitment.clone());
        Ok(commitment)
    }

    /// The currency an allocation is in (its budget's).
    fn of_allocation(&mut self, id: u64) -> Result<Units> {
        let year = self.allocation(id)?.year;
        self.of_year(year)
    }

    /// The currency a commitment is in (its budget's).
    fn of_commitment(&mut self, id: u64) -> Result<Units> {
        let allocation = self.commitment(id)?.allocation;
        self.of_allocation(allocation)
    }
}

/// Send a finance call (and wait for its commit unless `--no-wait`), then say what to do next, from what it created.
fn send(send: &SendArgs, call: FinanceCall, next: impl FnOnce(&TxOutcome) -> Option<String>) -> Result<()> {
    let id = send_call_id(send, call)?;
    if send.no_wait {
        return Ok(());
    }
    let outcome = Client::new(&send.api)?.transaction(&id)?.outcome.unwrap_or(TxOutcome::None);
    if let Some(hint) = next(&outcome) {
        println!("next: {hint}");
    }
    Ok(())
}

/// The number of what a transaction created (an allocation, a commitment, a payment, a programme), for a hint
/// naming it; `N` when it was not read (`--no-wait`).
fn created(outcome: &TxOutcome) -> String {
    match outcome {
        TxOutcome::Allocation { id }
        | TxOutcome::Commitment { id }
        | TxOutcome::Payment { id }
        | TxOutcome::Programme { id } => id.to_string(),
        _ => "N".into(),
    }
}

/// Save the answer (with `--out`) and print it whole (with `--json`); `Ok(true)` when the JSON was printed and
/// nothing more is to be said.
fn save_or_print(show: &ShowArgs, body: &Value) -> Result<bool> {
    if let Some(path) = &show.out {
        save_answer(path, body, show.read.json)?;
    }
    if show.read.json {
        println!("{}", serde_json::to_string_pretty(body)?);
    }
    Ok(show.read.json)
}

/// "N items in all" and how to list the next page, when there is one.
fn more_line(noun: &str, command: &str, next: u64, count: u64) -> Option<String> {
    (next < count).then(|| format!("({count} {noun} in all; `publica finance {command} --from {next}` lists the next)"))
}

/// The end of a listing: where the next page starts, and the header its proofs lead to.
fn list_end(last: Option<u64>, noun: &str, count: u64, certified: &CertifiedHeader, show: &ShowArgs) {
    if let Some(more) = last.and_then(|last| more_line(noun, noun, last + 1, count)) {
        println!("{more}");
    }
    println!("{}", proven_line(certified, show.out.as_deref()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_converted_exactly_or_refused() {
        assert_eq!(to_smallest_unit("1250", 2), Ok(125_000));
        assert_eq!(to_smallest_unit("1250.5", 2), Ok(125_050));
        assert_eq!(to_smallest_unit("1250.50", 2), Ok(125_050));
        assert_eq!(to_smallest_unit("0.01", 2), Ok(1));
        assert_eq!(to_smallest_unit(" 7 ", 0), Ok(7));
        assert_eq!(to_smallest_unit("0.00000001", 8), Ok(1));
        assert_eq!(to_smallest_unit("184467440737.09551615", 8), Ok(u64::MAX));
        assert_eq!(to_smallest_unit("18446744073709551615", 0), Ok(u64::MAX));
        assert_eq!(to_smallest_unit("0", 2), Ok(0));
        for (bad, why) in [
            ("1250.505", "2 decimals"),
            ("1.5", "no decimals"),
            ("-5", "negative"),
            ("", "digits"),
            ("1,250.00", "digits"),
            ("1250.", "digits"),
            (".5", "digits"),
            ("1.2.3", "digits"),
            ("+5", "digits"),
            ("1e3", "digits"),
            ("184467440737.09551616", "too large"),
            ("18446744073709551616", "too large"),
            ("99999999999999999999999", "too large"),
        ] {
            let decimals = if why == "no decimals" {
                0
            } else if why == "too large" && bad.contains('.') {
                8
            } else if why == "too large" {
                0
            } else {
                2
            };
            let err = to_smallest_unit(bad, decimals).unwrap_err();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
        let nvk = Units { code: "NVK".into(), decimals: 2 };
        assert!(nvk.parse("--amount", "0.00").unwrap_err().to_string().contains("zero"));
        assert_eq!(nvk.parse_limit("--daily-cap", "0").unwrap(), 0);
        let err = nvk.parse("--amount", "10.001").unwrap_err().to_string();
        assert!(err.contains("not an amount of NVK (2 decimals)") && err.contains("it has 3"), "{err}");
        assert_eq!(nvk.show(123_456), "1234.56 NVK");
    }

    #[test]
    fn holders_are_read_by_kind_and_anything_else_is_refused_with_the_forms() {
        let ada = "b75141ab8e2c3384daf0825f46243a655825e9da";
        let citizen: HolderArg = format!("citizen:{ada}").parse().unwrap();
        assert_eq!(citizen.0, Holder::Citizen(ada.parse().unwrap()));
        assert_eq!(holder_text(&citizen.0), format!("citizen:{ada}"));
        let agency: HolderArg = "agency:nordvik-finance-office".parse().unwrap();
        assert_eq!(agency.0, Holder::Agency("nordvik-finance-office".parse().unwrap()));
        let company: HolderArg = "company:5560-1234".parse().unwrap();
        assert_eq!(company.0, Holder::Company("5560-1234".into()));
        for bad in [ada, "citizen:xyz", "person:abc", "company:", "company:a b", "agency:"] {
            let err = bad.parse::<HolderArg>().unwrap_err();
            assert!(err.contains("agency:ID") && err.contains("company:NUMBER"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn periods_are_months() {
        assert_eq!(parse_period("202603"), Ok(202_603));
        for bad in ["202613", "202600", "2026-03", "20263", "196912", "abcdef"] {
            assert!(parse_period(bad).unwrap_err().contains("YYYYMM"), "{bad:?}");
        }
    }
}
