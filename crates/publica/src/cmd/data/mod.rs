//! `publica data`: personal data kept off the ledger, and everything about it that must be on it (`publica_data`,
//! `docs/privacy.md`).
//!
//! An agency's vault holds each record encrypted; the ledger holds its salted commitment, its owner, category and
//! agency, and every act that decides who reads it: consents, legal representatives, court orders, public-health
//! emergencies, studies, retention rules, and every access request, granted or refused. The verbs:
//!
//! - **legal bases** ([`bases`]): `consent grant|revoke`, `representative appoint|end`, `court-order issue`,
//!   `emergency declare|end`, `study propose|approve`, `retention set`, each a transaction sent by the account the
//!   module authorises for it (named in its help);
//! - **accesses** ([`access`]): `key new` (a recipient key, to which releases are sealed), `request` (the access
//!   is written pending or refused, and the command says which and why), `fetch` (the sealed release from the
//!   record's vault, opened and checked against the ledger before anything of it is shown), `erase` (the owner's
//!   order), `put` (a controller takes a record into its vault);
//! - **reads** ([`read`]): `log` (who read my records: who, when, why, on which basis, with what result), `watch`
//!   (the same, live), `records`, `bases`, `record`, `access`, `queue`, each a read the reader signs (the node
//!   answers only the owner, their representative, the access's requester, the record agency's controllers and
//!   data protection auditors); and the public `study show`, `emergencies`, `retention show`.
//!
//! People get plain words; `--json` prints the node's whole answer, `--out FILE` saves it with its proofs for
//! `publica verify`. A read whose answer is "no such thing" ends with exit code 3; a signed read of something that
//! does not exist is refused exactly as one the reader may not see (`not_permitted`, exit code 1), so that a refusal
//! tells nobody whether it exists.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use serde_json::Value;

use publica_client::{Client, Signer, DEFAULT_API};
use publica_types::Address;

use super::registry::ReadArgs;
use super::{found, proven_line, save_answer, to_json};
use crate::keyfile::{self, PassphraseArgs};

mod access;
mod bases;
mod read;
mod words;

/// `publica data` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Consents: let an agency, one account or a study read your records of a category for a purpose, until a
    /// date; revoke them.
    #[command(subcommand)]
    Consent(bases::ConsentCommand),
    /// Legal representatives, who may act for a citizen (sender: an official holding `court`).
    #[command(subcommand)]
    Representative(bases::RepresentativeCommand),
    /// Court orders letting an agency read a citizen's records (sender: an official holding `court`).
    #[command(subcommand)]
    CourtOrder(bases::CourtOrderCommand),
    /// Public-health emergencies letting agencies read categories of records (sender: an official holding
    /// `health-authority`); `emergencies` lists them.
    #[command(subcommand)]
    Emergency(bases::EmergencyCommand),
    /// Research studies: propose (sender: a `researcher`), approve (sender: a `research-ethics-board` of another
    /// agency), show with their public counters.
    #[command(subcommand)]
    Study(bases::StudyCommand),
    /// How long an agency keeps records of a category: set (sender: a `data-controller`), show.
    #[command(subcommand)]
    Retention(bases::RetentionCommand),
    /// Recipient keys: the key pair a release is sealed to (X25519 + ML-KEM-768).
    #[command(subcommand)]
    Key(access::KeyCommand),
    /// Ask for a record on a legal basis: the access is recorded granted (pending its vault's release) or refused,
    /// and the command says which and why (sender: an official holding `data-requester`, who under a consent to a
    /// study must also be a `researcher` of the study's agency; with --own, the record's owner or their
    /// representative).
    Request(access::RequestArgs),
    /// Fetch an access's release from the record's vault, open it with the recipient key and check it against the
    /// ledger (the record's commitment, the fields the access allows) before printing the disclosed fields.
    Fetch(access::FetchArgs),
    /// Order one of your records erased (sender: the owner or their representative): the vault destroys it and
    /// records a tombstone that keeps its commitment.
    Erase {
        /// The record's number.
        #[arg(long)]
        record: u64,
        #[command(flatten)]
        send: super::tx::SendArgs,
    },
    /// Take a record into an agency's vault, which registers its commitment on the ledger (signed by an official
    /// holding `data-controller` in the vault's agency).
    Put(access::PutArgs),
    /// Who read my records: every access to the owner's records, granted or refused, with who asked, when, why,
    /// on which basis and what came of it (a signed read; oldest first).
    Log(read::LogArgs),
    /// Follow the owner's log live: one line per access written or changed, as blocks are committed (a signed
    /// stream, renewed every hour).
    Watch(read::WatchArgs),
    /// The owner's records: agency, category, number of fields, registration, state (a signed read).
    Records(read::RecordsArgs),
    /// The legal bases naming the owner: consents, court orders, representatives (a signed read).
    Bases(read::BasesArgs),
    /// A record's ledger entry: owner, agency, category, commitment, state (a signed read).
    Record {
        /// The record's number.
        id: u64,
        #[command(flatten)]
        read: SignedReadArgs,
    },
    /// An access with its record's ledger entry (a signed read: the owner, the requester, the record's
    /// controllers, auditors).
    Access {
        /// The access's number.
        id: u64,
        #[command(flatten)]
        read: SignedReadArgs,
    },
    /// An agency vault's queue: pending accesses to its records and ordered erasures (a signed read for its
    /// `data-controller`s and auditors).
    Queue(read::QueueArgs),
    /// Public-health emergencies, current and ended, with proofs (public).
    Emergencies(read::EmergenciesArgs),
}

impl Command {
    /// Whether the command only reads (its "not found" is exit code 3).
    pub fn is_read(&self) -> bool {
        match self {
            Command::Log(_)
            | Command::Watch(_)
            | Command::Records(_)
            | Command::Bases(_)
            | Command::Record { .. }
            | Command::Access { .. }
            | Command::Queue(_)
            | Command::Emergencies(_) => true,
            Command::Study(c) => c.is_read(),
            Command::Retention(c) => c.is_read(),
            _ => false,
        }
    }
}

/// Run a `publica data` command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Consent(c) => bases::run_consent(c),
        Command::Representative(c) => bases::run_representative(c),
        Command::CourtOrder(c) => bases::run_court_order(c),
        Command::Emergency(c) => bases::run_emergency(c),
        Command::Study(c) => bases::run_study(c),
        Command::Retention(c) => bases::run_retention(c),
        Command::Key(c) => access::run_key(c),
        Command::Request(args) => access::request(args),
        Command::Fetch(args) => access::fetch(args),
        Command::Erase { record, send } => access::erase(record, &send),
        Command::Put(args) => access::put(args),
        Command::Log(args) => read::log(args),
        Command::Watch(args) => read::watch(args),
        Command::Records(args) => read::records(args),
        Command::Bases(args) => read::bases(args),
        Command::Record { id, read } => read::record(id, &read),
        Command::Access { id, read } => read::access(id, &read),
        Command::Queue(args) => read::queue(args),
        Command::Emergencies(args) => read::emergencies(args),
    }
}

/// The account that signs a read or a vault request: its key, and the node that names its account.
#[derive(Args)]
pub struct SignerArgs {
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    pub api: String,
    /// The signer's key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The signer's account (default: the account the ledger says the key signs for, which is the key's own
    /// address unless the key was rotated in for another account).
    #[arg(long, value_name = "ADDRESS")]
    pub sender: Option<Address>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

impl SignerArgs {
    /// The node's client and a signer for the account, on the node's chain.
    pub fn open(&self) -> Result<(Client, Signer)> {
        let client = Client::new(&self.api)?;
        let key = keyfile::load(&self.key, &self.passphrase)?;
        let account = client.sender_for(key.public_key().address(), self.sender)?;
        // A read or a vault request is no transaction: its signer's nonce is never used.
        let signer = Signer::new(key, client.chain_id()?, 0).for_sender(account);
        Ok((client, signer))
    }
}

/// What every signed read takes: the reader, `--json`, and `--out FILE` for the answer with its proofs.
#[derive(Args)]
pub struct SignedReadArgs {
    #[command(flatten)]
    pub signer: SignerArgs,
    /// Print the node's whole JSON answer.
    #[arg(long)]
    pub json: bool,
    /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// What every public read takes: the node, `--json`, and `--out FILE` for the answer with its proofs.
#[derive(Args)]
pub struct ShowArgs {
    /// Save the node's answer with its proofs here, for `publica verify FILE --genesis GENESIS`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Save the answer (with `--out`) and print it whole (with `--json`); `Ok(true)` when the JSON was printed and
/// nothing more is to be said.
fn save_or_print(out: Option<&Path>, json: bool, body: &Value) -> Result<bool> {
    if let Some(path) = out {
        save_answer(path, body, json)?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(body)?);
    }
    Ok(json)
}

/// A time typed on the command line (`2027-01-31`, an RFC 3339 date-time or Unix milliseconds), for `what`.
fn parse_time(text: &str, what: &str) -> Result<u64> {
    publica_types::time::parse_time_ms(text).map_err(|e| anyhow::anyhow!("{what} {text:?}: {e}"))
}
