//! `publica procurement`: tenders with sealed bids that nobody can open early, awards, complaints, contracts and
//! their Open Contracting (OCDS) data (`docs/procurement.md`).
//!
//! Each transaction verb is sent by the official (or company director) the module authorises for it, named in its
//! help. Key holders keep their secrets in a holder key file (`publica_client::procurement::HolderKey`), written by
//! `key join` and updated by `key share`, encrypted under a passphrase. Reads print the node's proven answer in
//! words; `--json` prints the whole answer.
//!
//! **Amounts** are typed in the tender currency's unit (`900000`, `900000.50`) and converted exactly to its smallest
//! unit with the decimals the finance module gives for the currency (a currency the finance module does not know
//! has no decimals).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use clap::{Args, Subcommand};
use serde_json::Value;

use publica_client::procurement::{self as kit, HolderKey, KeyHolder};
use publica_client::Client;
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_procurement::call::{
    BidContent, Document, LotPrice, MilestoneSpec, ProcurementCall, TenderChanges, TenderSpec, MAX_TEXT_BYTES,
};
use publica_types::time::format_time_ms;
use publica_types::{Address, RecordId, TxOutcome};

use super::finance::Units;
use super::registry::ReadArgs;
use super::tx::{SendArgs, Sender};

/// Largest JSON file of a tender or of its changes.
const MAX_SPEC_FILE_BYTES: u64 = 1 << 20;
/// Largest document hashed for a bid or a contract.
const MAX_DOCUMENT_FILE_BYTES: u64 = 1 << 30;

/// `publica procurement` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Sealing keys: the key ceremony of the key holders who open bids.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Publish a tender from a JSON file of its specification (sender: an official holding `procuring-entity`).
    Publish {
        /// The tender's JSON (`TenderSpec`, as in docs/procurement.md).
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Amend a tender before its bid deadline; the deadlines move by the extension rule (sender: the entity).
    Amend {
        /// The tender's number.
        tender: u64,
        /// The changes' JSON (`TenderChanges`: any of description, items, lots, criteria, documents).
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// Why.
        #[arg(long)]
        rationale: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Cancel a tender that has no contract (sender: the entity).
    Cancel {
        /// The tender's number.
        tender: u64,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Ask a question about a tender before its clarification deadline (sender: any account).
    Ask {
        /// The tender's number.
        tender: u64,
        /// The question.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Answer a question before the bid deadline (sender: the entity).
    Answer {
        /// The tender's number.
        tender: u64,
        /// The question's number.
        #[arg(long)]
        question: u32,
        /// The answer.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Seal a company's bid to the tender's key and submit it, or replace its earlier bid (sender: a director or the
    /// chair of the company).
    Bid(BidArgs),
    /// Withdraw a company's bid before the deadline (sender: a director or the chair).
    Withdraw {
        /// The tender's number.
        tender: u64,
        /// The company's number.
        #[arg(long)]
        company: RecordId,
        #[command(flatten)]
        send: SendArgs,
    },
    /// After the opening time, publish this holder's decryption shares of every bid of the tender; each bid opens
    /// when its threshold-th share is recorded (sender: a key holder, with its holder key file).
    Open {
        /// The tender's number.
        tender: u64,
        /// Wait for the opening time if it has not come (else the node refuses the shares: out_of_time).
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        holder: HolderArgs,
    },
    /// Score a bid's quality criteria for a lot, once every bid is open (sender: a member of the committee).
    Score {
        /// The tender's number.
        tender: u64,
        /// The lot (from 0).
        #[arg(long, default_value_t = 0)]
        lot: u16,
        /// The bid's number.
        #[arg(long)]
        bid: u32,
        /// One score per quality criterion, in the criteria's order, 0 to 100.
        #[arg(long = "score", value_name = "0-100", required = true)]
        scores: Vec<u8>,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Award a lot: to the best-ranked bid, or to another with --reason (sender: the entity).
    Award {
        /// The tender's number.
        tender: u64,
        /// The lot.
        #[arg(long, default_value_t = 0)]
        lot: u16,
        /// The bid awarded.
        #[arg(long)]
        bid: u32,
        /// Why the award departs from the ranking (needed when it does).
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        send: SendArgs,
    },
    /// File a complaint about a lot's award in its standstill period (sender: a director or the chair of a company
    /// that bid).
    Complain {
        /// The tender's number.
        tender: u64,
        /// The lot.
        #[arg(long, default_value_t = 0)]
        lot: u16,
        /// The complaining company.
        #[arg(long)]
        company: RecordId,
        /// The complaint.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Decide a complaint (sender: an official holding `review-body`, of another agency than the entity).
    Decide {
        /// The tender's number.
        tender: u64,
        /// The complaint's number.
        #[arg(long)]
        complaint: u32,
        /// Uphold the complaint (else it is dismissed).
        #[arg(long)]
        uphold: bool,
        /// Cancel the award (only with --uphold).
        #[arg(long, requires = "uphold")]
        cancel_award: bool,
        /// The reasoning.
        #[arg(long)]
        reasoning: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Contracts: sign, countersign, amend, accept deliveries, link payments.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// A tender, with its status, timeline, lots and awards, with proofs.
    Show {
        /// The tender's number.
        tender: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// The tenders, with their status, with proofs.
    List {
        /// The first tender listed.
        #[arg(long)]
        from: Option<u64>,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A tender's bids: sealed until the opening, then what each said, with proofs.
    Bids {
        /// The tender's number.
        tender: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A tender's questions and answers, with proofs.
    Questions {
        /// The tender's number.
        tender: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// A lot's ranking and its awards, with proofs.
    Lot {
        /// The tender's number.
        tender: u64,
        /// The lot.
        #[arg(long, default_value_t = 0)]
        lot: u16,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// The tender as an OCDS 1.1 release package (or, with --record, a compiled record package).
    Ocds {
        /// The tender's number.
        tender: u64,
        /// The compiled record package instead of the release package.
        #[arg(long)]
        record: bool,
        /// Write it here instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = publica_client::DEFAULT_API)]
        api: String,
    },
    /// The red flags for integrity the tenders' data shows (single bidder, short bid window, …).
    RedFlags {
        #[command(flatten)]
        read: ReadArgs,
    },
}

impl Command {
    /// Whether the command only reads.
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Command::Show { .. }
                | Command::List { .. }
                | Command::Bids { .. }
                | Command::Questions { .. }
                | Command::Lot { .. }
                | Command::Ocds { .. }
                | Command::RedFlags { .. }
                | Command::Key(KeyCommand::Show { .. })
                | Command::Contract(ContractCommand::Show { .. })
        )
    }
}

/// `publica procurement key` subcommands.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Start a key ceremony among named key holders (sender: an official holding `procurement-authority`).
    Create {
        /// The key's name.
        #[arg(long)]
        name: String,
        /// A key holder's account (officials holding `key-holder`, in order; give 2 to 16).
        #[arg(long = "holder", value_name = "ADDRESS", required = true)]
        holders: Vec<Address>,
        /// How many holders open a bid (at least 2).
        #[arg(long)]
        threshold: u16,
        /// Seconds from now until registrations close.
        #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
        register_in: u64,
        /// Seconds from now until deals close.
        #[arg(long, value_name = "SECONDS", default_value_t = 2 * 86_400)]
        deal_in: u64,
        /// Seconds from now until complaints close; the key is finished after it.
        #[arg(long, value_name = "SECONDS", default_value_t = 3 * 86_400)]
        complaints_in: u64,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Make this holder's key file (--holder-key, which must not exist) and register its encryption key.
    Join {
        /// The sealing key's number.
        sealing_key: u64,
        #[command(flatten)]
        holder: HolderArgs,
    },
    /// Deal: send commitments and a share encrypted to every holder, once every holder registered.
    Deal(HolderArgs),
    /// Check the share each dealer sent this holder and complain about every bad one.
    Check(HolderArgs),
    /// Finish the key after the complaint deadline (sender: any account).
    Finish {
        /// The sealing key's number.
        sealing_key: u64,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Take this holder's share of the finished key into its key file (no transaction).
    Share(HolderArgs),
    /// A sealing key: its holders, threshold, deadlines and stage, with proofs.
    Show {
        /// The sealing key's number.
        sealing_key: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// What every key holder's step needs.
#[derive(Args)]
pub struct HolderArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The holder key file: written by `key join`, read (and updated by `key share`) by the later steps. Keep it
    /// safe: it holds the holder's share of the sealing key.
    #[arg(long, value_name = "FILE")]
    holder_key: PathBuf,
    /// The holder key file's passphrase (else the passphrase of --key: --passphrase-file, $PUBLICA_PASSPHRASE or a
    /// prompt).
    #[arg(long, value_name = "FILE")]
    holder_passphrase_file: Option<PathBuf>,
}

/// `publica procurement bid`.
#[derive(Args)]
pub struct BidArgs {
    /// The tender's number.
    tender: u64,
    /// The bidding company's number.
    #[arg(long)]
    company: RecordId,
    /// A price for a lot, `LOT=AMOUNT` (`0=900000`), once per lot bid for.
    #[arg(long = "price", value_name = "LOT=AMOUNT", required = true)]
    prices: Vec<String>,
    /// A document of the bid, `TITLE=FILE`: its SHA-256 goes into the sealed bid.
    #[arg(long = "document", value_name = "TITLE=FILE")]
    documents: Vec<String>,
    /// A short summary of the offer.
    #[arg(long, default_value = "")]
    summary: String,
    #[command(flatten)]
    send: SendArgs,
}

/// `publica procurement contract` subcommands.
#[derive(Subcommand)]
pub enum ContractCommand {
    /// Sign a lot's contract after the standstill (sender: the entity).
    Sign {
        /// The tender's number.
        tender: u64,
        /// The lot.
        #[arg(long, default_value_t = 0)]
        lot: u16,
        /// Wait for the end of the award's standstill period if it has not come.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        terms: TermsArgs,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Countersign a contract's current document (sender: a director or the chair of the supplier).
    Countersign {
        /// The contract's number.
        contract: u64,
        /// The contract document, as signed by the entity (its SHA-256 is compared).
        #[arg(long, value_name = "FILE")]
        document: PathBuf,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Amend a contract; the supplier countersigns the amendment (sender: the entity).
    Amend {
        /// The contract's number.
        contract: u64,
        #[command(flatten)]
        terms: TermsArgs,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Accept a milestone's delivery (sender: the entity).
    Deliver {
        /// The contract's number.
        contract: u64,
        /// The milestone (from 0).
        #[arg(long)]
        milestone: u16,
        /// What was delivered.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Link a finance payment to a delivered milestone (sender: the entity).
    LinkPayment {
        /// The contract's number.
        contract: u64,
        /// The milestone.
        #[arg(long)]
        milestone: u16,
        /// The finance module's payment number.
        #[arg(long)]
        payment: u64,
        #[command(flatten)]
        send: SendArgs,
    },
    /// A contract, with its milestones and amendments, with proofs.
    Show {
        /// The contract's number.
        contract: u64,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// A contract's terms.
#[derive(Args)]
pub struct TermsArgs {
    /// The contract document (its SHA-256 is what both parties sign).
    #[arg(long, value_name = "FILE")]
    document: PathBuf,
    /// The contract's value.
    #[arg(long)]
    value: String,
    /// A milestone, `TITLE=AMOUNT@WHEN` (its due date, as `2026-09-30` or an RFC 3339 time); their amounts add up to the value.
    #[arg(long = "milestone", value_name = "TITLE=AMOUNT@DATE", required = true)]
    milestones: Vec<String>,
    /// The finance commitment to the supplier that funds it (needed when the tender names an allocation).
    #[arg(long)]
    commitment: Option<u64>,
}

/// Run a `publica procurement` command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Key(c) => run_key(c),
        Command::Publish { file, send } => {
            let spec: TenderSpec = read_json(&file, "tender")?;
            let outcome = send_one(&send, ProcurementCall::PublishTender { tender: spec })?;
            if let Some(TxOutcome::Tender { id }) = outcome {
                println!("tender {id} published: `publica procurement show {id}`");
            }
            Ok(())
        }
        Command::Amend { tender, file, rationale, send } => {
            let changes: TenderChanges = read_json(&file, "tender changes")?;
            send_one(&send, ProcurementCall::AmendTender { tender, changes, rationale }).map(drop)
        }
        Command::Cancel { tender, reason, send } => {
            send_one(&send, ProcurementCall::CancelTender { tender, reason }).map(drop)
        }
        Command::Ask { tender, text, send } => {
            if let Some(TxOutcome::Question { number }) =
                send_one(&send, ProcurementCall::AskQuestion { tender, text })?
            {
                println!("question {number} of tender {tender}");
            }
            Ok(())
        }
        Command::Answer { tender, question, text, send } => {
            send_one(&send, ProcurementCall::AnswerQuestion { tender, question, text }).map(drop)
        }
        Command::Bid(args) => bid(args),
        Command::Withdraw { tender, company, send } => {
            send_one(&send, ProcurementCall::WithdrawBid { tender, company }).map(drop)
        }
        Command::Open { tender, wait, holder } => open(tender, wait, &holder),
        Command::Score { tender, lot, bid, scores, send } => {
            send_one(&send, ProcurementCall::ScoreBid { tender, lot, bid, scores }).map(drop)
        }
        Command::Award { tender, lot, bid, reason, send } => {
            send_one(&send, ProcurementCall::AwardLot { tender, lot, bid, reason }).map(drop)
        }
        Command::Complain { tender, lot, company, text, send } => {
            let call = ProcurementCall::FileComplaint { tender, lot, company, text };
            if let Some(TxOutcome::Complaint { number }) = send_one(&send, call)? {
                println!("complaint {number} about tender {tender}");
            }
            Ok(())
        }
        Command::Decide { tender, complaint, uphold, cancel_award, reasoning, send } => {
            let call = ProcurementCall::DecideComplaint { tender, complaint, upheld: uphold, cancel_award, reasoning };
            send_one(&send, call).map(drop)
        }
        Command::Contract(c) => run_contract(c),
        Command::Show { tender, read } => show_tender(&read, tender),
        Command::List { from, read } => list(&read, from),
        Command::Bids { tender, read } => show_bids(&read, tender),
        Command::Questions { tender, read } => show_questions(&read, tender),
        Command::Lot { tender, lot, read } => show_lot(&read, tender, lot),
        Command::Ocds { tender, record, out, api } => {
            let client = Client::new(&api)?;
            let path = if record {
                format!("/v1/procurement/tenders/{tender}/ocds?package=record")
            } else {
                format!("/v1/procurement/tenders/{tender}/ocds")
            };
            let package = client.get(&path)?;
            let text = serde_json::to_string_pretty(&package).expect("JSON prints");
            match out {
                Some(path) => {
                    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                    println!("wrote {}", path.display());
                }
                None => println!("{text}"),
            }
            Ok(())
        }
        Command::RedFlags { read } => {
            let answer = Client::new(&read.api)?.get("/v1/procurement/red-flags")?;
            if read.json {
                return print_json(&answer);
            }
            let flags = answer["flags"].as_array().cloned().unwrap_or_default();
            if flags.is_empty() {
                println!("no red flags");
            }
            for flag in flags {
                let lot = flag["lot"].as_u64().map(|l| format!(", lot {l}")).unwrap_or_default();
                println!("tender {}{lot}: {} ({})", flag["tender"], text(&flag["kind"]), text(&flag["detail"]));
            }
            Ok(())
        }
    }
}

fn run_key(command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::Create { name, holders, threshold, register_in, deal_in, complaints_in, send } => {
            let now = publica_client::now_ms();
            let at = |secs: u64| now.saturating_add(secs.saturating_mul(1000));
            let call = ProcurementCall::CreateSealingKey {
                name,
                holders,
                threshold,
                register_by_ms: at(register_in),
                deal_by_ms: at(deal_in),
                complaints_by_ms: at(complaints_in),
            };
            if let Some(TxOutcome::SealingKey { id }) = send_one(&send, call)? {
                println!(
                    "sealing key {id}: each holder runs `publica procurement key join {id} --holder-key FILE --key \
                     KEY`, then `key deal`, `key check`; after the complaint deadline, `key finish {id}` and each \
                     holder `key share`"
                );
            }
            Ok(())
        }
        KeyCommand::Join { sealing_key, holder } => join(sealing_key, &holder),
        KeyCommand::Deal(holder) => {
            let (mut sender, kit) = holder.open()?;
            let record = kit::fetch_sealing_key(&sender.client, kit.sealing_key())?;
            let call = kit.deal(&record)?;
            sender.send(call).map(drop)
        }
        KeyCommand::Check(holder) => {
            let (mut sender, kit) = holder.open()?;
            let record = kit::fetch_sealing_key(&sender.client, kit.sealing_key())?;
            let deals = kit::fetch_deals(&sender.client, &record)?;
            let complaints = kit.check_deals(&deals)?;
            let others = deals.iter().filter(|(d, _)| *d != kit.holder()).count();
            println!("{others} deals of other holders checked, {} bad", complaints.len());
            for call in complaints {
                sender.send(call)?;
            }
            Ok(())
        }
        KeyCommand::Finish { sealing_key, send } => {
            send_one(&send, ProcurementCall::FinishSealingKey { key: sealing_key }).map(drop)
        }
        KeyCommand::Share(holder) => {
            let client = Client::new(&holder.send.api)?;
            let file = HolderKey::load(&holder.holder_key)?;
            let mut kit = KeyHolder::open(&file, holder.passphrase(false)?.as_bytes())
                .with_context(|| format!("opening {}", holder.holder_key.display()))?;
            let record = kit::fetch_sealing_key(&client, kit.sealing_key())?;
            let deals = kit::fetch_deals(&client, &record)?;
            kit.take_share(&record, &deals)?;
            kit.key_file()?.save(&holder.holder_key)?;
            println!(
                "holder {}'s share of sealing key {} is in {}; it matches the ledger's verification key",
                kit.holder(),
                kit.sealing_key(),
                holder.holder_key.display()
            );
            Ok(())
        }
        KeyCommand::Show { sealing_key, read } => {
            let answer = Client::new(&read.api)?.get(&format!("/v1/procurement/keys/{sealing_key}"))?;
            if read.json {
                return print_json(&answer);
            }
            let key = &answer["key"];
            println!("sealing key {sealing_key} {:?} of {}", text(&key["name"]), text(&key["authority"]));
            println!("  threshold {} of {} holders", key["threshold"], key["holders"].as_array().map_or(0, Vec::len));
            println!("  stage: {}", text(&key["stage"]["stage"]));
            Ok(())
        }
    }
}

fn run_contract(command: ContractCommand) -> Result<()> {
    match command {
        ContractCommand::Sign { tender, lot, wait, terms, send } => {
            let client = Client::new(&send.api)?;
            if wait {
                let record = kit::fetch_tender(&client, tender)?;
                let award = kit::fetch_award(&client, &record, lot)?
                    .with_context(|| format!("lot {lot} of tender {tender} has no standing award"))?;
                wait_until(award.standstill_until_ms, "the end of the standstill");
            }
            let units = tender_units(&client, tender)?;
            let (document, value, milestones) = terms.parse(&units)?;
            let call = ProcurementCall::SignContract {
                tender,
                lot,
                document,
                value,
                milestones,
                commitment: terms.commitment,
            };
            if let Some(TxOutcome::Contract { id }) = send_one(&send, call)? {
                println!(
                    "contract {id}: the supplier countersigns with `publica procurement contract countersign {id}`"
                );
            }
            Ok(())
        }
        ContractCommand::Countersign { contract, document, send } => {
            let document = hash_file(&document)?;
            send_one(&send, ProcurementCall::CountersignContract { contract, document }).map(drop)
        }
        ContractCommand::Amend { contract, terms, reason, send } => {
            let client = Client::new(&send.api)?;
            let answer = client.get(&format!("/v1/procurement/contracts/{contract}"))?;
            let tender = answer["contract"]["tender"].as_u64().context("the contract's tender")?;
            let units = tender_units(&client, tender)?;
            let (document, value, milestones) = terms.parse(&units)?;
            let call = ProcurementCall::AmendContract {
                contract,
                document,
                value,
                milestones,
                reason,
                commitment: terms.commitment,
            };
            send_one(&send, call).map(drop)
        }
        ContractCommand::Deliver { contract, milestone, note, send } => {
            send_one(&send, ProcurementCall::AcceptDelivery { contract, milestone, note }).map(drop)
        }
        ContractCommand::LinkPayment { contract, milestone, payment, send } => {
            send_one(&send, ProcurementCall::RecordPayment { contract, milestone, payment }).map(drop)
        }
        ContractCommand::Show { contract, read } => {
            let answer = Client::new(&read.api)?.get(&format!("/v1/procurement/contracts/{contract}"))?;
            if read.json {
                return print_json(&answer);
            }
            let c = &answer["contract"];
            println!(
                "contract {contract}: tender {} lot {}, supplier {}, value {}, {}",
                c["tender"],
                c["lot"],
                text(&c["supplier"]),
                c["value"],
                text(&c["status"])
            );
            for (i, m) in c["milestones"].as_array().cloned().unwrap_or_default().iter().enumerate() {
                let delivered = if m["delivered"].is_null() { "not delivered" } else { "delivered" };
                println!(
                    "  milestone {i}: {} {} ({delivered}, paid {})",
                    text(&m["spec"]["title"]),
                    m["spec"]["amount"],
                    m["paid"]
                );
            }
            Ok(())
        }
    }
}

impl TermsArgs {
    fn parse(&self, units: &Units) -> Result<(publica_types::Hash, u64, Vec<MilestoneSpec>)> {
        let document = hash_file(&self.document)?;
        let value = units.parse("--value", &self.value)?;
        let milestones = self
            .milestones
            .iter()
            .map(|text| {
                let (title, rest) = text
                    .split_once('=')
                    .with_context(|| format!("milestone {text:?} is not TITLE=AMOUNT@YYYY-MM-DD"))?;
                let (amount, date) = rest
                    .split_once('@')
                    .with_context(|| format!("milestone {text:?} is not TITLE=AMOUNT@YYYY-MM-DD"))?;
                let due_ms = publica_types::time::parse_time_ms(date)
                    .map_err(|e| anyhow::anyhow!("milestone {text:?}'s date: {e}"))?;
                Ok(MilestoneSpec {
                    title: title.to_string(),
                    amount: units.parse("a milestone's amount", amount)?,
                    due_ms,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((document, value, milestones))
    }
}

/// Send one call; what it created, once committed.
fn send_one(send: &SendArgs, call: ProcurementCall) -> Result<Option<TxOutcome>> {
    Ok(Sender::open(send)?.send(call)?.and_then(|status| status.outcome))
}

impl HolderArgs {
    fn passphrase(&self, new: bool) -> Result<Passphrase> {
        let file = self.holder_passphrase_file.as_deref().or(self.send.passphrase.passphrase_file.as_deref());
        publica_client::keyfile::passphrase(&self.holder_key, file, new)
    }

    /// The sender, and the holder key file opened and checked to be the sender's.
    fn open(&self) -> Result<(Sender, KeyHolder)> {
        let sender = Sender::open(&self.send)?;
        let file = HolderKey::load(&self.holder_key)?;
        ensure!(
            file.account == sender.account(),
            "{} is the holder key of account {}; --key signs for {}: give that account's key",
            self.holder_key.display(),
            file.account,
            sender.account()
        );
        let kit = KeyHolder::open(&file, self.passphrase(false)?.as_bytes())
            .with_context(|| format!("opening {}", self.holder_key.display()))?;
        Ok((sender, kit))
    }
}

fn join(sealing_key: u64, holder: &HolderArgs) -> Result<()> {
    let mut sender = Sender::open(&holder.send)?;
    if holder.holder_key.exists() {
        bail!(
            "{} already exists; `key join` makes a new holder key and never replaces a file: choose another path",
            holder.holder_key.display()
        );
    }
    let record = kit::fetch_sealing_key(&sender.client, sealing_key)?;
    let account = sender.account();
    let Some(j) = record.holder_number(&account) else {
        bail!("{account} is not a holder of sealing key {sealing_key}; give a holder's account key with --key");
    };
    let passphrase = holder.passphrase(true)?;
    let chain = sender.client.chain_id()?;
    let kit = KeyHolder::generate(&chain, sealing_key, j, account, passphrase.as_bytes(), KdfParams::default())?;
    kit.key_file()?.save(&holder.holder_key)?;
    println!("holder {j}'s key file: {}", holder.holder_key.display());
    sender.send(kit.registration()?).map(drop)
}

fn open(tender: u64, wait: bool, holder: &HolderArgs) -> Result<()> {
    let (mut sender, kit) = holder.open()?;
    if wait {
        let record = kit::fetch_tender(&sender.client, tender)?;
        wait_until(record.spec.timeline.opening_ms, "the opening time");
    }
    let (record, bids) = kit::fetch_tender_bids(&sender.client, tender)?;
    let calls = kit.decryption_shares(&record, &bids)?;
    if calls.is_empty() {
        println!("no bid of tender {tender} awaits holder {}'s share", kit.holder());
    }
    for call in calls {
        sender.send(call)?;
    }
    Ok(())
}

fn bid(args: BidArgs) -> Result<()> {
    let mut sender = Sender::open(&args.send)?;
    let tender = kit::fetch_tender(&sender.client, args.tender)?;
    let units = tender_units(&sender.client, args.tender)?;
    let mut prices = args
        .prices
        .iter()
        .map(|text| {
            let (lot, amount) = text.split_once('=').with_context(|| format!("price {text:?} is not LOT=AMOUNT"))?;
            let lot: u16 = lot.trim().parse().with_context(|| format!("price {text:?}: the lot is a number from 0"))?;
            Ok(LotPrice { lot, price: units.parse("a price", amount)? })
        })
        .collect::<Result<Vec<_>>>()?;
    prices.sort_by_key(|p| p.lot);
    let documents = args
        .documents
        .iter()
        .map(|text| {
            let (title, path) = text.split_once('=').with_context(|| format!("document {text:?} is not TITLE=FILE"))?;
            Ok(Document { title: title.to_string(), sha256: hash_file(Path::new(path))?, url: String::new() })
        })
        .collect::<Result<Vec<_>>>()?;
    ensure!(args.summary.len() <= MAX_TEXT_BYTES, "the summary is longer than {MAX_TEXT_BYTES} bytes");
    let content = BidContent { prices, documents, summary: args.summary.clone() };
    let record = kit::fetch_sealing_key(&sender.client, tender.spec.sealing_key)?;
    let chain = sender.client.chain_id()?;
    let sealed = kit::seal_bid(&chain, &record, args.tender, &args.company, &content)?;
    let call = ProcurementCall::SubmitBid { tender: args.tender, company: args.company.clone(), sealed };
    if let Some(TxOutcome::Bid { number }) = sender.send(call)?.and_then(|status| status.outcome) {
        println!(
            "bid {number} of tender {} is sealed until the opening ({}): nobody can read it before",
            args.tender,
            format_time_ms(tender.spec.timeline.opening_ms)
        );
    }
    Ok(())
}

/// Sleep until a little after `at_ms` (by this machine's clock), so that the next block's time is past it.
fn wait_until(at_ms: u64, what: &str) {
    let now = publica_client::now_ms();
    if now < at_ms + 1_500 {
        eprintln!("waiting {} s for {what} ({})", (at_ms + 1_500 - now).div_ceil(1000), format_time_ms(at_ms));
        std::thread::sleep(Duration::from_millis(at_ms + 1_500 - now));
    }
}

/// The units of a tender's currency: the finance module's decimals, or none if it does not know the currency.
fn tender_units(client: &Client, tender: u64) -> Result<Units> {
    let record = kit::fetch_tender(client, tender)?;
    let code = record.spec.currency;
    match client.finance_currency(&code) {
        Ok(answer) => Ok(Units { code, decimals: answer.currency.decimals }),
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<publica_client::Refusal>().is_some_and(|r| r.code == "currency_not_found")
            }) =>
        {
            Ok(Units { code, decimals: 0 })
        }
        Err(e) => Err(e.context(format!("reading currency {code}'s decimals"))),
    }
}

fn hash_file(path: &Path) -> Result<publica_types::Hash> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    ensure!(meta.len() <= MAX_DOCUMENT_FILE_BYTES, "{} is larger than 1 GiB", path.display());
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(publica_types::sha256(&bytes))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    ensure!(meta.len() <= MAX_SPEC_FILE_BYTES, "{} is larger than a {what} file can be (1 MiB)", path.display());
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a {what} (see docs/procurement.md)", path.display()))
}

fn print_json(value: &Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value).expect("JSON prints"));
    Ok(())
}

/// A JSON string's text, or the value as JSON.
fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

fn time(value: &Value) -> String {
    value.as_u64().map_or_else(|| "-".into(), format_time_ms)
}

fn show_tender(read: &ReadArgs, tender: u64) -> Result<()> {
    let answer = Client::new(&read.api)?.get(&format!("/v1/procurement/tenders/{tender}"))?;
    if read.json {
        return print_json(&answer);
    }
    let t = &answer["tender"];
    let spec = &t["spec"];
    println!("tender {tender}: {} ({})", text(&spec["title"]), text(&answer["status"]));
    println!("  entity {}, currency {}", text(&t["entity"]), text(&spec["currency"]));
    let timeline = &spec["timeline"];
    println!("  questions until {}", time(&timeline["clarifications_until_ms"]));
    println!("  bids until      {}", time(&timeline["bid_deadline_ms"]));
    println!("  opening         {}", time(&timeline["opening_ms"]));
    println!(
        "  bids {} (standing {}, open {}), amendments {}",
        t["bids"], t["live_bids"], t["opened"], t["amendments"]
    );
    for (i, lot) in spec["lots"].as_array().cloned().unwrap_or_default().iter().enumerate() {
        println!("  lot {i}: {} (estimate {})", text(&lot["title"]), lot["value"]);
    }
    Ok(())
}

fn list(read: &ReadArgs, from: Option<u64>) -> Result<()> {
    let path = match from {
        Some(from) => format!("/v1/procurement/tenders?from={from}"),
        None => "/v1/procurement/tenders".to_string(),
    };
    let answer = Client::new(&read.api)?.get(&path)?;
    if read.json {
        return print_json(&answer);
    }
    for t in answer["tenders"].as_array().cloned().unwrap_or_default() {
        println!("tender {}: {} ({})", t["id"], text(&t["title"]), text(&t["status"]));
    }
    Ok(())
}

fn show_bids(read: &ReadArgs, tender: u64) -> Result<()> {
    let answer = Client::new(&read.api)?.get(&format!("/v1/procurement/tenders/{tender}/bids"))?;
    if read.json {
        return print_json(&answer);
    }
    for b in answer["bids"].as_array().cloned().unwrap_or_default() {
        let state = match b["opening"]["result"].as_str() {
            None if b["withdrawn"].as_bool() == Some(true) => "withdrawn".to_string(),
            None => "sealed: nobody can read it before the opening".to_string(),
            Some("valid") => {
                let prices: Vec<String> = b["opening"]["content"]["prices"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|p| format!("lot {}: {}", p["lot"], p["price"]))
                    .collect();
                format!("opened: {}", prices.join(", "))
            }
            Some(_) => format!("opened, invalid: {}", text(&b["opening"]["reason"])),
        };
        println!("bid {} by {}: {state}", b["number"], text(&b["company"]));
    }
    Ok(())
}

fn show_questions(read: &ReadArgs, tender: u64) -> Result<()> {
    let answer = Client::new(&read.api)?.get(&format!("/v1/procurement/tenders/{tender}/questions"))?;
    if read.json {
        return print_json(&answer);
    }
    for q in answer["questions"].as_array().cloned().unwrap_or_default() {
        println!("question {}: {}", q["number"], text(&q["text"]));
        match q["answer"]["text"].as_str() {
            Some(a) => println!("  answer: {a}"),
            None => println!("  (not answered yet)"),
        }
    }
    Ok(())
}

fn show_lot(read: &ReadArgs, tender: u64, lot: u16) -> Result<()> {
    let answer = Client::new(&read.api)?.get(&format!("/v1/procurement/tenders/{tender}/lots/{lot}"))?;
    if read.json {
        return print_json(&answer);
    }
    match answer["ranking"].as_array() {
        Some(ranking) => {
            for (place, r) in ranking.iter().enumerate() {
                println!(
                    "{}. bid {} by {}: price {}, {} millipoints",
                    place + 1,
                    r["bid"],
                    text(&r["company"]),
                    r["price"],
                    r["total_millipoints"]
                );
            }
        }
        None => println!("ranking not complete: {}", text(&answer["ranking_missing"])),
    }
    for a in answer["awards"].as_array().cloned().unwrap_or_default() {
        let cancelled = if a["cancelled_by"].is_null() { String::new() } else { " (cancelled)".into() };
        println!("award round {}: bid {} by {}{cancelled}", a["round"], a["bid"], text(&a["company"]));
    }
    Ok(())
}
