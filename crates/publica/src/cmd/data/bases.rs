//! The legal bases and the rules: consents, legal representatives, court orders, public-health emergencies,
//! studies and retention rules, each a transaction of the data module sent by the account it authorises.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Result};
use clap::{ArgGroup, Args, Subcommand};

use publica_data::call::{check_category, check_field_name, check_purpose, check_title, DataCall, Grantee};
use publica_types::time::format_time_ms;
use publica_types::{Address, AgencyId, Hash, TxOutcome};

use super::read;
use super::{parse_time, ShowArgs};
use crate::cmd::tx::{SendArgs, Sender};

/// Largest document hashed for a court order, a declaration or a protocol.
const MAX_DOCUMENT_FILE_BYTES: u64 = 1 << 30;

/// `publica data consent` subcommands.
#[derive(Subcommand)]
pub enum ConsentCommand {
    /// Let an agency (any of its `data-requester`s), one account, or the researchers of an approved study read the
    /// owner's records of a category for a purpose, until a date (sender: the owner, or their legal
    /// representative with --owner).
    Grant(GrantArgs),
    /// Revoke a consent: accesses asked for under it from then on are refused, and pending ones lapse (sender: the
    /// owner or their representative).
    Revoke {
        /// The consent's number.
        consent: u64,
        #[command(flatten)]
        send: SendArgs,
    },
}

/// `publica data consent grant`.
#[derive(Args)]
#[command(group(ArgGroup::new("grantee").required(true).args(["to_agency", "to_account", "to_study"])))]
pub struct GrantArgs {
    /// The citizen whose records it covers (default: the sender; a representative names the citizen).
    #[arg(long, value_name = "ADDRESS")]
    owner: Option<Address>,
    /// Let this agency's `data-requester` officials read.
    #[arg(long, value_name = "AGENCY")]
    to_agency: Option<AgencyId>,
    /// Let this account (an official holding `data-requester`, e.g. a doctor) read.
    #[arg(long, value_name = "ADDRESS")]
    to_account: Option<Address>,
    /// Let the researchers of this study read its declared fields, while it is approved and running.
    #[arg(long, value_name = "STUDY")]
    to_study: Option<u64>,
    /// The category covered (e.g. health.summary).
    #[arg(long)]
    category: String,
    /// The purpose covered (e.g. treatment).
    #[arg(long)]
    purpose: String,
    /// When it ends: a date (2027-01-31), an RFC 3339 date-time, or Unix milliseconds; at most ten years ahead.
    #[arg(long, value_name = "DATE")]
    until: String,
    #[command(flatten)]
    send: SendArgs,
}

/// `publica data representative` subcommands.
#[derive(Subcommand)]
pub enum RepresentativeCommand {
    /// Appoint a legal representative, who may then grant and revoke consents, read and order erasures for the
    /// citizen (sender: an official holding `court`).
    Appoint {
        /// The represented citizen.
        #[arg(long, value_name = "ADDRESS")]
        citizen: Address,
        /// The representative: an active account other than the citizen.
        #[arg(long, value_name = "ADDRESS")]
        representative: Address,
        /// When the representation ends (a date, an RFC 3339 date-time or Unix milliseconds).
        #[arg(long, value_name = "DATE")]
        until: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// End a representation before its time (sender: an official holding `court`).
    End {
        /// The represented citizen.
        #[arg(long, value_name = "ADDRESS")]
        citizen: Address,
        /// The representative.
        #[arg(long, value_name = "ADDRESS")]
        representative: Address,
        #[command(flatten)]
        send: SendArgs,
    },
}

/// `publica data court-order` subcommands.
#[derive(Subcommand)]
pub enum CourtOrderCommand {
    /// Order that an agency may read a citizen's records of a category for a purpose, until a date; the citizen
    /// sees the order among their bases (sender: an official holding `court`).
    Issue {
        /// The citizen.
        #[arg(long, value_name = "ADDRESS")]
        owner: Address,
        /// The category.
        #[arg(long)]
        category: String,
        /// The agency that may read.
        #[arg(long, value_name = "AGENCY")]
        to_agency: AgencyId,
        /// The purpose.
        #[arg(long)]
        purpose: String,
        /// When it ends (a date, an RFC 3339 date-time or Unix milliseconds).
        #[arg(long, value_name = "DATE")]
        until: String,
        /// The order's document: its SHA-256 goes on the ledger (the file never leaves this machine).
        #[arg(long, value_name = "FILE")]
        order: PathBuf,
        #[command(flatten)]
        send: SendArgs,
    },
}

/// `publica data emergency` subcommands.
#[derive(Subcommand)]
pub enum EmergencyCommand {
    /// Declare a public-health emergency letting agencies read categories of records for a purpose, until a date;
    /// it is public (sender: an official holding `health-authority`).
    Declare {
        /// A category it covers; repeat, or separate with commas (at most 16).
        #[arg(long = "category", value_delimiter = ',', required = true)]
        categories: Vec<String>,
        /// An agency that may read; repeat, or separate with commas (at most 32).
        #[arg(long = "to-agency", value_name = "AGENCY", value_delimiter = ',', required = true)]
        agencies: Vec<AgencyId>,
        /// The purpose.
        #[arg(long)]
        purpose: String,
        /// When it ends (a date, an RFC 3339 date-time or Unix milliseconds).
        #[arg(long, value_name = "DATE")]
        until: String,
        /// The declaration's document: its SHA-256 goes on the ledger.
        #[arg(long, value_name = "FILE")]
        declaration: PathBuf,
        #[command(flatten)]
        send: SendArgs,
    },
    /// End an emergency before its time (sender: an official of the declaring health authority).
    End {
        /// The emergency's number.
        emergency: u64,
        #[command(flatten)]
        send: SendArgs,
    },
}

/// `publica data study` subcommands.
#[derive(Subcommand)]
pub enum StudyCommand {
    /// Propose a study: the categories and fields it reads, for a purpose, until a date; public (sender: an
    /// official holding `researcher`).
    Propose {
        /// Its title.
        #[arg(long)]
        title: String,
        /// A category it reads; repeat, or separate with commas (at most 16).
        #[arg(long = "category", value_delimiter = ',', required = true)]
        categories: Vec<String>,
        /// A field it reads; repeat, or separate with commas (at most 64): all its researchers ever get of a
        /// record.
        #[arg(long = "field", value_delimiter = ',', required = true)]
        fields: Vec<String>,
        /// The purpose (e.g. research).
        #[arg(long)]
        purpose: String,
        /// When it ends (a date, an RFC 3339 date-time or Unix milliseconds).
        #[arg(long, value_name = "DATE")]
        until: String,
        /// The study's protocol: its SHA-256 goes on the ledger.
        #[arg(long, value_name = "FILE")]
        protocol: PathBuf,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Approve a study (sender: an official holding `research-ethics-board`, of another agency than the study's).
    Approve {
        /// The study's number.
        study: u64,
        #[command(flatten)]
        send: SendArgs,
    },
    /// A study with its public counters: accesses asked, refused, released, citizens (public, with proofs).
    Show {
        /// The study's number.
        study: u64,
        #[command(flatten)]
        show: ShowArgs,
    },
}

impl StudyCommand {
    /// Whether the command only reads.
    pub fn is_read(&self) -> bool {
        matches!(self, StudyCommand::Show { .. })
    }
}

/// `publica data retention` subcommands.
#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Set how many days after registration the sender's agency keeps records of a category; its vault erases
    /// them once the time has passed (sender: an official holding `data-controller`).
    Set {
        /// The category.
        #[arg(long)]
        category: String,
        /// Days to keep a record, 1 to 36500; 0 clears the rule.
        #[arg(long, value_name = "DAYS")]
        keep_days: u32,
        #[command(flatten)]
        send: SendArgs,
    },
    /// An agency's retention rules (public, with proofs).
    Show {
        /// The agency.
        #[arg(long)]
        agency: AgencyId,
        /// Only its rule for this category (exit code 3 when it has none).
        #[arg(long)]
        category: Option<String>,
        #[command(flatten)]
        show: ShowArgs,
    },
}

impl RetentionCommand {
    /// Whether the command only reads.
    pub fn is_read(&self) -> bool {
        matches!(self, RetentionCommand::Show { .. })
    }
}

/// Run a `publica data consent` command.
pub fn run_consent(command: ConsentCommand) -> Result<()> {
    match command {
        ConsentCommand::Grant(args) => grant(args),
        ConsentCommand::Revoke { consent, send } => {
            if send_one(&send, DataCall::RevokeConsent { consent })? {
                println!("consent {consent} is revoked: accesses asked for under it are refused, pending ones lapse");
            }
            Ok(())
        }
    }
}

fn grant(args: GrantArgs) -> Result<()> {
    check_label(check_category(&args.category))?;
    check_label(check_purpose(&args.purpose))?;
    let until_ms = parse_time(&args.until, "--until")?;
    let grantee = match (args.to_agency, args.to_account, args.to_study) {
        (Some(agency), _, _) => Grantee::Agency(agency),
        (_, Some(account), _) => Grantee::Account(account),
        (_, _, Some(study)) => Grantee::Study(study),
        (None, None, None) => bail!("give who may read: --to-agency AGENCY, --to-account ADDRESS or --to-study N"),
    };
    let mut sender = Sender::open(&args.send)?;
    let owner = args.owner.unwrap_or_else(|| sender.account());
    let words = super::words::grantee(&grantee);
    let call = DataCall::GrantConsent {
        owner,
        grantee,
        category: args.category.clone(),
        purpose: args.purpose.clone(),
        until_ms,
    };
    if let Some(TxOutcome::DataConsent { id }) = outcome(&mut sender, call)? {
        println!(
            "consent {id}: {words} may read the {} records of {owner} for {} until {}; revoke it with `publica data \
             consent revoke {id}`",
            args.category,
            args.purpose,
            format_time_ms(until_ms)
        );
    }
    Ok(())
}

/// Run a `publica data representative` command.
pub fn run_representative(command: RepresentativeCommand) -> Result<()> {
    match command {
        RepresentativeCommand::Appoint { citizen, representative, until, send } => {
            let until_ms = parse_time(&until, "--until")?;
            if send_one(&send, DataCall::AppointRepresentative { citizen, representative, until_ms })? {
                println!(
                    "{representative} represents {citizen} until {}: they may grant and revoke consents, read and \
                     order erasures for the citizen",
                    format_time_ms(until_ms)
                );
            }
            Ok(())
        }
        RepresentativeCommand::End { citizen, representative, send } => {
            if send_one(&send, DataCall::EndRepresentation { citizen, representative })? {
                println!("{representative} no longer represents {citizen}");
            }
            Ok(())
        }
    }
}

/// Run a `publica data court-order` command.
pub fn run_court_order(command: CourtOrderCommand) -> Result<()> {
    match command {
        CourtOrderCommand::Issue { owner, category, to_agency, purpose, until, order, send } => {
            check_label(check_category(&category))?;
            check_label(check_purpose(&purpose))?;
            let until_ms = parse_time(&until, "--until")?;
            let order_sha256 = hash_file(&order)?;
            let call = DataCall::IssueCourtOrder {
                owner,
                category: category.clone(),
                grantee: to_agency.clone(),
                purpose: purpose.clone(),
                until_ms,
                order_sha256,
            };
            if let Some(TxOutcome::CourtOrder { id }) = outcome(&mut Sender::open(&send)?, call)? {
                println!(
                    "court order {id}: {to_agency} may read the {category} records of {owner} for {purpose} until {} \
                     (order SHA-256 {}); its requesters name it with `publica data request --court-order {id}`",
                    format_time_ms(until_ms),
                    hex::encode(order_sha256)
                );
            }
            Ok(())
        }
    }
}

/// Run a `publica data emergency` command.
pub fn run_emergency(command: EmergencyCommand) -> Result<()> {
    match command {
        EmergencyCommand::Declare { categories, agencies, purpose, until, declaration, send } => {
            for category in &categories {
                check_label(check_category(category))?;
            }
            check_label(check_purpose(&purpose))?;
            let until_ms = parse_time(&until, "--until")?;
            let declaration_sha256 = hash_file(&declaration)?;
            let names: Vec<String> = agencies.iter().map(ToString::to_string).collect();
            let call = DataCall::DeclareEmergency {
                categories: categories.clone(),
                grantees: agencies,
                purpose: purpose.clone(),
                until_ms,
                declaration_sha256,
            };
            if let Some(TxOutcome::Emergency { id }) = outcome(&mut Sender::open(&send)?, call)? {
                println!(
                    "emergency {id}: {} may read {} records for {purpose} until {}; it is public: `publica data \
                     emergencies`",
                    names.join(", "),
                    categories.join(", "),
                    format_time_ms(until_ms)
                );
            }
            Ok(())
        }
        EmergencyCommand::End { emergency, send } => {
            if send_one(&send, DataCall::EndEmergency { emergency })? {
                println!("emergency {emergency} is ended: accesses asked for under it are refused, pending ones lapse");
            }
            Ok(())
        }
    }
}

/// Run a `publica data study` command.
pub fn run_study(command: StudyCommand) -> Result<()> {
    match command {
        StudyCommand::Propose { title, categories, fields, purpose, until, protocol, send } => {
            check_label(check_title(&title))?;
            for category in &categories {
                check_label(check_category(category))?;
            }
            for field in &fields {
                check_label(check_field_name(field))?;
            }
            check_label(check_purpose(&purpose))?;
            let until_ms = parse_time(&until, "--until")?;
            let protocol_sha256 = hash_file(&protocol)?;
            let call = DataCall::ProposeStudy { title, categories, fields, purpose, until_ms, protocol_sha256 };
            if let Some(TxOutcome::Study { id }) = outcome(&mut Sender::open(&send)?, call)? {
                println!(
                    "study {id} proposed: a research ethics board of another agency approves it with `publica data \
                     study approve {id}`; citizens consent to it with `publica data consent grant --to-study {id}`"
                );
            }
            Ok(())
        }
        StudyCommand::Approve { study, send } => {
            if send_one(&send, DataCall::ApproveStudy { study })? {
                println!("study {study} is approved: its researchers may ask for records under consents to it");
            }
            Ok(())
        }
        StudyCommand::Show { study, show } => read::study(study, &show),
    }
}

/// Run a `publica data retention` command.
pub fn run_retention(command: RetentionCommand) -> Result<()> {
    match command {
        RetentionCommand::Set { category, keep_days, send } => {
            check_label(check_category(&category))?;
            ensure!(
                keep_days <= publica_data::call::MAX_RETENTION_DAYS,
                "--keep-days {keep_days} is more than {} (100 years); give 1 to {} days, or 0 to clear the rule",
                publica_data::call::MAX_RETENTION_DAYS,
                publica_data::call::MAX_RETENTION_DAYS
            );
            let mut sender = Sender::open(&send)?;
            if sender.send(DataCall::SetRetention { category: category.clone(), keep_days })?.is_none() {
                return Ok(());
            }
            // The rule is the sender's agency's: named from its account, or in general if that read fails.
            let agency = match sender.client.account(&sender.account()) {
                Ok(answer) => answer.account.agency().map_or_else(|| "the sender's agency".into(), |a| a.to_string()),
                Err(_) => "the sender's agency".into(),
            };
            if keep_days == 0 {
                println!("the retention rule of {agency} for {category} is cleared: its vault keeps those records");
            } else {
                println!(
                    "the vault of {agency} erases its {category} records {keep_days} days after their registration"
                );
            }
            Ok(())
        }
        RetentionCommand::Show { agency, category, show } => read::retention(&agency, category.as_deref(), &show),
    }
}

/// Send one call, and wait for its commit unless `--no-wait`: whether it was committed (what it did is said only
/// then).
pub(super) fn send_one(send: &SendArgs, call: DataCall) -> Result<bool> {
    Ok(Sender::open(send)?.send(call)?.is_some())
}

/// Send one call; what it created, once committed (`None` with `--no-wait`).
pub(super) fn outcome(sender: &mut Sender, call: DataCall) -> Result<Option<TxOutcome>> {
    Ok(sender.send(call)?.and_then(|status| status.outcome))
}

/// A machine name's check, as an error for the command line.
fn check_label(checked: Result<(), String>) -> Result<()> {
    checked.map_err(anyhow::Error::msg)
}

/// SHA-256 of a document of at most 1 GiB.
fn hash_file(path: &Path) -> Result<Hash> {
    let bytes = crate::cmd::read_bounded(path, MAX_DOCUMENT_FILE_BYTES, "a document")?;
    ensure!(!bytes.is_empty(), "{} is empty; give the document whose SHA-256 goes on the ledger", path.display());
    Ok(publica_types::sha256(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_hashed_and_an_empty_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("order.pdf");
        std::fs::write(&path, b"the order").unwrap();
        assert_eq!(hash_file(&path).unwrap(), publica_types::sha256(b"the order"));
        std::fs::write(&path, b"").unwrap();
        assert!(hash_file(&path).unwrap_err().to_string().contains("is empty"));
    }

    #[test]
    fn bad_labels_are_refused_before_anything_is_sent() {
        let e = check_label(check_category("Health Summary")).unwrap_err().to_string();
        assert!(e.contains("category"), "{e}");
    }
}
