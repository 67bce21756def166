//! Budgets: the budget law and its amendments, allocations, commitments and payments, and the reads that trace a
//! payment back to the law.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use publica_client::api::{BudgetLineResponse, BudgetResponse, PaymentResponse};
use publica_finance::call::{BudgetLineSpec, FinanceCall, MAX_LINES_PER_CALL};
use publica_finance::schema::{Allocation, Commitment, Payee, Payment};
use publica_types::time::format_time_ms;
use publica_types::AgencyId;

use super::{
    created, found, holder_text, list_end, more_line, proven_line, save_or_print, send, to_json, HolderArg, Ledger,
    PageArgs, ShowArgs, Units,
};
use crate::cmd::tx::SendArgs;

/// The columns of a budget's lines file, in order.
const LINES_HEADER: [&str; 5] = ["code", "cofog", "economic", "name", "appropriation"];

/// Largest lines file read: [`MAX_LINES_PER_CALL`] lines of a few hundred bytes, with room to spare.
const MAX_LINES_FILE_BYTES: u64 = 1 << 20;

/// `publica finance budget` subcommands.
#[derive(Subcommand)]
pub enum BudgetCommand {
    /// Enact a fiscal year's budget law (sender: an official holding `parliament`).
    Enact(EnactArgs),
    /// Amend an enacted budget: add lines, or change appropriations (never below what was allocated from a line);
    /// a changed line keeps its code and classifications (sender: an official holding `parliament`).
    Amend(AmendArgs),
    /// A budget law and its lines: appropriated, allocated, committed and paid, with proofs.
    Show {
        /// The fiscal year.
        year: u16,
        #[command(flatten)]
        page: PageArgs,
        /// Print every line as CSV (RFC 4180, amounts as exact decimals), as the node exports it, without proofs.
        #[arg(long, conflicts_with_all = ["json", "out", "from", "limit"])]
        csv: bool,
        #[command(flatten)]
        show: ShowArgs,
    },
    /// A budget line and what it allocated, committed and paid in each month of its fiscal year and the next,
    /// with proofs.
    Line {
        /// The fiscal year.
        year: u16,
        /// The line's code, e.g. RD-01.
        code: String,
        #[command(flatten)]
        show: ShowArgs,
    },
}

impl BudgetCommand {
    /// Whether the command only reads.
    pub fn is_read(&self) -> bool {
        matches!(self, BudgetCommand::Show { .. } | BudgetCommand::Line { .. })
    }
}

/// The lines file of `budget enact` and `budget amend`.
const LINES_HELP: &str = "The lines: a CSV file (RFC 4180, UTF-8) whose first row is the header \
    code,cofog,economic,name,appropriation, then one line per row: its code (letters, digits, '.', '-'), its COFOG \
    function (e.g. 09.1), its GFS economic class (e.g. 21), its name (in double quotes if it holds a comma) and its \
    appropriation in the currency's unit (e.g. 12000000 or 12000000.00). At most 500 lines.";

/// Arguments of `publica finance budget enact`.
#[derive(Args)]
pub struct EnactArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The fiscal year.
    #[arg(long)]
    year: u16,
    /// The currency of its amounts.
    #[arg(long)]
    currency: String,
    /// The agency whose account pays every payment of the budget (the treasury single account).
    #[arg(long)]
    treasury: AgencyId,
    /// The law's reference.
    #[arg(long)]
    reference: String,
    #[arg(long, value_name = "FILE", help = LINES_HELP)]
    lines: PathBuf,
}

/// Arguments of `publica finance budget amend`.
#[derive(Args)]
pub struct AmendArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The fiscal year.
    #[arg(long)]
    year: u16,
    /// The amendment's reference.
    #[arg(long)]
    reference: String,
    #[arg(long, value_name = "FILE", help = LINES_HELP)]
    lines: PathBuf,
}

/// Arguments of `publica finance allocate`.
#[derive(Args)]
pub struct AllocateArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The fiscal year.
    #[arg(long)]
    year: u16,
    /// The budget line's code.
    #[arg(long)]
    line: String,
    /// The spending agency.
    #[arg(long)]
    agency: AgencyId,
    /// How much, in the budget's currency's unit.
    #[arg(long)]
    amount: String,
    /// The decision's reference.
    #[arg(long)]
    reference: String,
}

/// Arguments of `publica finance commit`.
#[derive(Args)]
pub struct CommitArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The allocation drawn on.
    #[arg(long, value_name = "N")]
    allocation: u64,
    /// How much, in the budget's currency's unit.
    #[arg(long)]
    amount: String,
    /// The supplier to be paid: agency:ID or company:NUMBER (never a citizen: people are paid through
    /// programmes); none for a programme's funding.
    #[arg(long)]
    payee: Option<HolderArg>,
    /// The purchase order's or decision's reference.
    #[arg(long)]
    reference: String,
}

/// Arguments of `publica finance pay`.
#[derive(Args)]
pub struct PayArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The commitment paid against.
    #[arg(long, value_name = "N")]
    commitment: u64,
    /// The payee: the one the commitment names.
    #[arg(long)]
    to: HolderArg,
    /// How much, in the budget's currency's unit.
    #[arg(long)]
    amount: String,
    /// The invoice's reference.
    #[arg(long)]
    reference: String,
}

/// Run a budget command.
pub fn run(command: BudgetCommand) -> Result<()> {
    match command {
        BudgetCommand::Enact(args) => enact(args),
        BudgetCommand::Amend(args) => amend(args),
        BudgetCommand::Show { year, page, csv, show } => budget_show(year, page, csv, &show),
        BudgetCommand::Line { year, code, show } => line(year, &code, &show),
    }
}

fn enact(args: EnactArgs) -> Result<()> {
    let client = publica_client::Client::new(&args.send.api)?;
    let units = Ledger::new(&client).currency(&args.currency)?;
    let lines = read_lines(&args.lines, &units)?;
    let total = lines.iter().try_fold(0u64, |sum, l| sum.checked_add(l.appropriation));
    println!(
        "enacting the {} budget: {}, appropriating {}",
        args.year,
        crate::cmd::count(lines.len(), "line"),
        total.map_or_else(|| "more than an amount can hold (the ledger refuses it)".into(), |t| units.show(t))
    );
    let next = format!(
        "`publica finance budget show {}`; allocate its lines with `publica finance allocate --year {} --line CODE \
         --agency AGENCY --amount AMOUNT --reference TEXT`",
        args.year, args.year
    );
    let call = FinanceCall::EnactBudget {
        year: args.year,
        currency: args.currency,
        treasury: args.treasury,
        reference: args.reference,
        lines,
    };
    send(&args.send, call, |_| Some(next))
}

fn amend(args: AmendArgs) -> Result<()> {
    let client = publica_client::Client::new(&args.send.api)?;
    let units = Ledger::new(&client).of_year(args.year)?;
    let lines = read_lines(&args.lines, &units)?;
    println!("amending the {} budget: {}", args.year, crate::cmd::count(lines.len(), "line"));
    let next = format!("`publica finance budget show {}` shows the amended lines", args.year);
    send(&args.send, FinanceCall::AmendBudget { year: args.year, reference: args.reference, lines }, |_| Some(next))
}

/// `publica finance allocate`.
pub fn allocate(args: AllocateArgs) -> Result<()> {
    let client = publica_client::Client::new(&args.send.api)?;
    let units = Ledger::new(&client).of_year(args.year)?;
    let amount = units.parse("--amount", &args.amount)?;
    println!("allocating {} of line {} ({}) to {}", units.show(amount), args.line, args.year, args.agency);
    let agency = args.agency.clone();
    let call = FinanceCall::Allocate {
        year: args.year,
        line: args.line,
        agency: args.agency,
        amount,
        reference: args.reference,
    };
    send(&args.send, call, |outcome| {
        Some(format!(
            "a spending officer of {agency} commits funds against it: `publica finance commit --allocation {} \
             --amount AMOUNT [--payee HOLDER] --reference TEXT`",
            created(outcome)
        ))
    })
}

/// `publica finance commit`.
pub fn commit(args: CommitArgs) -> Result<()> {
    let client = publica_client::Client::new(&args.send.api)?;
    let units = Ledger::new(&client).of_allocation(args.allocation)?;
    let amount = units.parse("--amount", &args.amount)?;
    let payee = args.payee.map(|p| p.0);
    let to = payee.as_ref().map_or_else(|| "no payee: a programme's funding".into(), holder_text);
    println!("committing {} of allocation {} ({to})", units.show(amount), args.allocation);
    let pays = payee.as_ref().map(holder_text);
    let call = FinanceCall::CommitFunds { allocation: args.allocation, amount, payee, reference: args.reference };
    send(&args.send, call, |outcome| {
        let id = created(outcome);
        Some(match pays {
            Some(to) => format!(
                "a treasurer pays against it: `publica finance pay --commitment {id} --to {to} --amount AMOUNT \
                 --reference TEXT`"
            ),
            None => format!(
                "a welfare officer opens a programme funded by it: `publica finance programme create --commitment \
                 {id} …`"
            ),
        })
    })
}

/// `publica finance pay`.
pub fn pay(args: PayArgs) -> Result<()> {
    let client = publica_client::Client::new(&args.send.api)?;
    let units = Ledger::new(&client).of_commitment(args.commitment)?;
    let amount = units.parse("--amount", &args.amount)?;
    println!("paying {} to {} against commitment {}", units.show(amount), holder_text(&args.to.0), args.commitment);
    let call = FinanceCall::Pay { commitment: args.commitment, to: args.to.0, amount, reference: args.reference };
    send(&args.send, call, |outcome| {
        Some(format!("`publica finance payment {}` traces it to the budget law", created(outcome)))
    })
}

fn budget_show(year: u16, page: PageArgs, csv: bool, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    if csv {
        print!("{}", found(client.finance_budget_lines_csv(year))?);
        return Ok(());
    }
    let body = found(client.finance_budget_json(year, page.page()))?;
    if save_or_print(show, &body)? {
        return Ok(());
    }
    let answer: BudgetResponse = serde_json::from_value(body).context("the node's answer about a budget")?;
    let units = Ledger::new(&client).currency(&answer.budget.currency)?;
    let b = &answer.budget;
    println!("budget {}: {}", b.year, b.reference);
    println!("  currency      {}", b.currency);
    println!("  treasury      {} (its account pays every payment of the budget)", b.treasury);
    println!("  enacted       at height {}", b.enacted_at_height);
    let amendments = match &b.last_amendment {
        Some(last) => format!("{} (the last: {last})", b.amendments),
        None => "none".into(),
    };
    println!("  amendments    {amendments}");
    println!("  appropriated  {} in {}", units.show(b.appropriated), crate::cmd::count(b.lines as usize, "line"));
    let width = answer
        .lines
        .iter()
        .flat_map(|l| [l.appropriation, l.allocated, l.committed, l.paid])
        .map(|n| units.plain(n).len())
        .max()
        .unwrap_or(0)
        .max("appropriation".len());
    println!(
        "  {:<10} {:<7} {:<5} {:>width$} {:>width$} {:>width$} {:>width$}  name",
        "code", "COFOG", "econ", "appropriation", "allocated", "committed", "paid"
    );
    for l in &answer.lines {
        println!(
            "  {:<10} {:<7} {:<5} {:>width$} {:>width$} {:>width$} {:>width$}  {}",
            l.code,
            l.cofog,
            l.economic,
            units.plain(l.appropriation),
            units.plain(l.allocated),
            units.plain(l.committed),
            units.plain(l.paid),
            l.name
        );
    }
    let next = page.from.unwrap_or(0) + answer.lines.len() as u64;
    if let Some(more) = more_line("lines", &format!("budget show {year}"), next, u64::from(b.lines)) {
        println!("{more}");
    }
    println!("  (amounts in {}; `publica finance budget line {year} CODE` shows a line by month)", b.currency);
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

fn line(year: u16, code: &str, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let answer: BudgetLineResponse = found(client.finance_budget_line(year, code))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let units = Ledger::new(&client).of_year(year)?;
    let l = &answer.line;
    println!("line {} of the {} budget: {}", l.code, l.year, l.name);
    println!("  COFOG {}, economic class {}", l.cofog, l.economic);
    println!("  appropriation  {}", units.show(l.appropriation));
    println!("  allocated      {}", units.show(l.allocated));
    println!("  committed      {}", units.show(l.committed));
    println!("  paid           {}", units.show(l.paid));
    if answer.months.is_empty() {
        println!("  no movement in any month of {} or {}", year, year + 1);
    } else {
        let width = answer
            .months
            .iter()
            .flat_map(|m| [m.allocated, m.committed, m.paid])
            .map(|n| units.plain(n).len())
            .max()
            .unwrap_or(0)
            .max("allocated".len());
        println!("  {:<7}  {:>width$}  {:>width$}  {:>width$}", "month", "allocated", "committed", "paid");
        for m in &answer.months {
            println!(
                "  {:<7}  {:>width$}  {:>width$}  {:>width$}",
                m.month,
                units.plain(m.allocated),
                units.plain(m.committed),
                units.plain(m.paid)
            );
        }
        println!(
            "  (amounts in {}; the other months of {} and {} moved nothing: proven absent)",
            units.code,
            year,
            year + 1
        );
    }
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

/// `publica finance payment ID`: the trace a citizen reads in seconds.
pub fn payment(id: u64, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let body = found(client.finance_payment_json(id))?;
    if save_or_print(show, &body)? {
        return Ok(());
    }
    let answer: PaymentResponse = serde_json::from_value(body).context("the node's answer about a payment")?;
    let units = Ledger::new(&client).currency(&answer.budget.currency)?;
    print!("{}", trace_text(&answer, &units));
    println!("{}", proven_line(&answer.certified, show.out.as_deref()));
    Ok(())
}

/// A payment's trace, one step a line from the payment up to the budget law: what was paid to whom, against which
/// commitment, drawn on which allocation, of which budget line, under which law.
fn trace_text(answer: &PaymentResponse, units: &Units) -> String {
    let (p, c, a, l, b) = (&answer.payment, &answer.commitment, &answer.allocation, &answer.line, &answer.budget);
    let payee = |payee: Option<&publica_finance::call::Holder>| {
        payee.map_or_else(|| "with no payee (a programme's funding)".into(), |h| format!("to {}", holder_text(h)))
    };
    let steps = [
        (
            format!("payment {}", p.id),
            format!(
                "{} to {} on {} (block {}): {:?}",
                units.show(p.amount),
                payee_text(&p.payee, true),
                format_time_ms(p.time_ms),
                p.height,
                p.reference
            ),
        ),
        (
            format!("commitment {}", c.id),
            format!(
                "{} {}: {:?} ({} paid of it)",
                units.show(c.amount),
                payee(c.payee.as_ref()),
                c.reference,
                units.show(c.paid)
            ),
        ),
        (
            format!("allocation {}", a.id),
            format!(
                "{} to {}: {:?} ({} committed of it)",
                units.show(a.amount),
                a.agency,
                a.reference,
                units.show(a.committed)
            ),
        ),
        (
            format!("budget line {}", l.code),
            format!(
                "{} (COFOG {}, economic {}): appropriation {}, {} paid",
                l.name,
                l.cofog,
                l.economic,
                units.show(l.appropriation),
                units.show(l.paid)
            ),
        ),
        (
            format!("budget law {}", b.year),
            format!("{}, enacted at height {}; the account of {} pays", b.reference, b.enacted_at_height, b.treasury),
        ),
    ];
    let width = steps.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (n, (label, text)) in steps.iter().enumerate() {
        let step = if n == 0 { label.clone() } else { format!("  <- {label}") };
        out.push_str(&format!("{step:<lead$}  {text}\n", lead = width + 5));
    }
    out
}

/// Who a payment went to, as the public sees it; `long` says what a private payee's commitment is.
fn payee_text(payee: &Payee, long: bool) -> String {
    match payee {
        Payee::Public(holder) => holder_text(holder),
        Payee::Private(commitment) if long => format!(
            "a private account (payee commitment {}…, which only its holder can open)",
            &hex::encode(commitment)[..16]
        ),
        Payee::Private(commitment) => format!("a private account ({}…)", &hex::encode(commitment)[..16]),
    }
}

/// `publica finance payments`.
pub fn payments(page: PageArgs, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let answer = found(client.finance_payments(page.page()))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let mut ledger = Ledger::new(&client);
    if answer.payments.is_empty() {
        println!("no payments from number {} ({} on the ledger)", page.from.unwrap_or(0), answer.count);
    }
    for p in &answer.payments {
        println!("{}", payment_line(p, &ledger.of_commitment(p.commitment)?));
    }
    list_end(answer.payments.last().map(|p| p.id), "payments", answer.count, &answer.certified, show);
    Ok(())
}

fn payment_line(p: &Payment, units: &Units) -> String {
    format!(
        "payment {:<4} {}  {:>18}  to {}  (commitment {}) {:?}",
        p.id,
        format_time_ms(p.time_ms),
        units.show(p.amount),
        payee_text(&p.payee, false),
        p.commitment,
        p.reference
    )
}

/// `publica finance allocations`.
pub fn allocations(page: PageArgs, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let answer = found(client.finance_allocations(page.page()))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let mut ledger = Ledger::new(&client);
    if answer.allocations.is_empty() {
        println!("no allocations from number {} ({} on the ledger)", page.from.unwrap_or(0), answer.count);
    }
    for a in &answer.allocations {
        println!("{}", allocation_line(a, &ledger.of_year(a.year)?));
    }
    list_end(answer.allocations.last().map(|a| a.id), "allocations", answer.count, &answer.certified, show);
    Ok(())
}

fn allocation_line(a: &Allocation, units: &Units) -> String {
    format!(
        "allocation {:<4} {}  {:>18} of line {} ({}) to {}, {} committed  {:?}",
        a.id,
        format_time_ms(a.time_ms),
        units.show(a.amount),
        a.line,
        a.year,
        a.agency,
        units.show(a.committed),
        a.reference
    )
}

/// `publica finance commitments`.
pub fn commitments(page: PageArgs, show: &ShowArgs) -> Result<()> {
    let client = show.client()?;
    let answer = found(client.finance_commitments(page.page()))?;
    if save_or_print(show, &to_json(&answer)?)? {
        return Ok(());
    }
    let mut ledger = Ledger::new(&client);
    if answer.commitments.is_empty() {
        println!("no commitments from number {} ({} on the ledger)", page.from.unwrap_or(0), answer.count);
    }
    for c in &answer.commitments {
        println!("{}", commitment_line(c, &ledger.of_allocation(c.allocation)?));
    }
    list_end(answer.commitments.last().map(|c| c.id), "commitments", answer.count, &answer.certified, show);
    Ok(())
}

fn commitment_line(c: &Commitment, units: &Units) -> String {
    let payee = c.payee.as_ref().map_or_else(|| "no payee (a programme's funding)".into(), holder_text);
    format!(
        "commitment {:<4} {}  {:>18} of allocation {} to {}, {} paid  {:?}",
        c.id,
        format_time_ms(c.time_ms),
        units.show(c.amount),
        c.allocation,
        payee,
        units.show(c.paid),
        c.reference
    )
}

/// The lines of a budget law or amendment from a CSV file, amounts converted with `units`.
fn read_lines(path: &Path, units: &Units) -> Result<Vec<BudgetLineSpec>> {
    let bytes = crate::cmd::read_bounded(path, MAX_LINES_FILE_BYTES, "a budget's lines file")?;
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    parse_lines(&text, units).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// [`read_lines`] on the file's text.
fn parse_lines(text: &str, units: &Units) -> Result<Vec<BudgetLineSpec>> {
    // A spreadsheet may start its export with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = csv_records(text).map_err(anyhow::Error::msg)?.into_iter();
    let Some((_, header)) = records.next() else {
        bail!("the file is empty: its first row is the header {}", LINES_HEADER.join(","));
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    if names != LINES_HEADER {
        bail!("its first row must be the header {}, not {}", LINES_HEADER.join(","), header.join(","));
    }
    let mut lines = Vec::new();
    let mut codes = BTreeSet::new();
    for (row, fields) in records {
        let [code, cofog, economic, name, appropriation] = <[String; 5]>::try_from(fields)
            .map_err(|f| anyhow::anyhow!("line {row}: {} fields, where the header has 5", f.len()))?;
        let code = code.trim().to_owned();
        if !codes.insert(code.clone()) {
            bail!("line {row}: the budget line {code:?} is given twice");
        }
        let appropriation = units.parse(&format!("line {row}: the appropriation"), &appropriation)?;
        lines.push(BudgetLineSpec {
            code,
            cofog: cofog.trim().to_owned(),
            economic: economic.trim().to_owned(),
            name: name.trim().to_owned(),
            appropriation,
        });
    }
    if lines.is_empty() || lines.len() > MAX_LINES_PER_CALL {
        bail!("it has {} lines; give 1 to {MAX_LINES_PER_CALL}", lines.len());
    }
    Ok(lines)
}

/// The records of an RFC 4180 text, each with the number of the line it starts on: fields separated by commas,
/// records by CRLF or LF; a field in double quotes may hold commas, line breaks and doubled double quotes. Blank
/// lines are skipped.
fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut in_quotes, mut quoted) = (false, false);
    let (mut line, mut start) = (1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => (in_quotes, quoted) = (true, true),
            '"' => {
                return Err(format!(
                    "line {line}: a double quote inside a field; put the field in double quotes and double the quote"
                ))
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                quoted = false;
                if !(record.len() == 1 && record[0].trim().is_empty()) {
                    records.push((start, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start = line;
            }
            _ if quoted => return Err(format!("line {line}: text after a field's closing double quote")),
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(format!("line {start}: a double quote opened and never closed"));
    }
    if !field.is_empty() || !record.is_empty() || quoted {
        record.push(field);
        if !(record.len() == 1 && record[0].trim().is_empty()) {
            records.push((start, record));
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nvk() -> Units {
        Units { code: "NVK".into(), decimals: 2 }
    }

    #[test]
    fn a_lines_file_is_read_with_quoted_names_and_exact_amounts() {
        let text = "\u{feff}code,cofog,economic,name,appropriation\r\n\
                    ED-01,09.1,21,\"Primary schools: teachers' salaries\",12000000\r\n\
                    \r\n\
                    RD-01,04.5,31,\"Harbour road, \"\"boardwalk\"\"\",3000000.50\n\
                    AD-01,01.1,22,Town administration,0.05";
        let lines = parse_lines(text, &nvk()).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].name, "Primary schools: teachers' salaries");
        assert_eq!(lines[0].appropriation, 1_200_000_000);
        assert_eq!(lines[1].name, "Harbour road, \"boardwalk\"");
        assert_eq!(lines[1].appropriation, 300_000_050);
        assert_eq!(lines[2].appropriation, 5);
    }

    #[test]
    fn a_bad_lines_file_is_refused_with_the_line_at_fault() {
        let header = "code,cofog,economic,name,appropriation\n";
        for (body, why) in [
            ("", "empty"),
            ("code,name\nA,B\n", "header"),
            ("A,01,2,Name,1.001\n", "line 2: the appropriation"),
            ("A,01,2,Name\n", "line 2: 4 fields"),
            ("A,01,2,Name,10\nA,01,2,Other,5\n", "line 3: the budget line \"A\" is given twice"),
            ("A,01,2,\"Name,10\n", "never closed"),
            ("A,01,2,Na\"me,10\n", "double quote inside"),
            ("A,01,2,\"Name\"x,10\n", "after a field's closing"),
        ] {
            let text = if why == "empty" || why == "header" { body.to_owned() } else { format!("{header}{body}") };
            let err = parse_lines(&text, &nvk()).unwrap_err().to_string();
            assert!(err.contains(why), "{body:?}: {err}");
        }
        let only_header = parse_lines(header, &nvk()).unwrap_err().to_string();
        assert!(only_header.contains("give 1 to 500"), "{only_header}");
    }
}
