//! A trustee's steps, each with the trustee's own key file (`publica_client::election::TrusteeKey`): the three
//! messages of Belenios' threshold key generation and the partial decryption of the tally, each signed by the
//! trustee's account.
//!
//! The trustee key file holds the trustee's Belenios secrets (its seed, its polynomial, its share of the
//! decryption key) encrypted under a passphrase. It is written by `cert` and updated by each later step before the
//! step's message is sent, so that a message on the ledger always has its secrets saved.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use publica_client::election::{self as kit, Trustee, TrusteeKey};
use publica_client::Client;
use publica_crypto::keystore::{KdfParams, Passphrase};
use publica_elections::schema::{ElectionRecord, ElectionStatus};
use publica_elections::ElectionsCall;

use super::Sender;
use crate::cmd::tx::SendArgs;

/// `publica election trustee` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Step 1 of the key generation: make a new trustee key file (--trustee-key, which must not exist) and send
    /// the trustee's certificate.
    Cert(StepArgs),
    /// Step 3, once every trustee's certificate is on the ledger: send the trustee's polynomial, with a share
    /// encrypted to each trustee.
    Polynomial(StepArgs),
    /// Step 5, once every trustee's polynomial is on the ledger: check the shares the others sent and send the
    /// trustee's verification key. The last one makes the election's key.
    VerificationKey(StepArgs),
    /// After the vote is closed: send the trustee's partial decryption of the encrypted tally. The one that
    /// completes the threshold decides the result.
    Decrypt(StepArgs),
}

/// What every trustee step needs.
#[derive(Args)]
pub struct StepArgs {
    /// The election's number.
    id: u64,
    #[command(flatten)]
    send: SendArgs,
    /// The trustee key file: written by `cert`, read and updated by the later steps. Keep it safe: it holds the
    /// trustee's share of the decryption key.
    #[arg(long, value_name = "FILE")]
    trustee_key: PathBuf,
    /// The trustee key file's passphrase (else the passphrase of --key: --passphrase-file, $PUBLICA_PASSPHRASE or
    /// a prompt).
    #[arg(long, value_name = "FILE")]
    trustee_passphrase_file: Option<PathBuf>,
}

/// Run a trustee step.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Cert(args) => cert(&args),
        Command::Polynomial(args) => polynomial(&args),
        Command::VerificationKey(args) => verification_key(&args),
        Command::Decrypt(args) => decrypt(&args),
    }
}

impl StepArgs {
    fn passphrase(&self, new: bool) -> Result<Passphrase> {
        let file = self.trustee_passphrase_file.as_deref().or(self.send.passphrase.passphrase_file.as_deref());
        publica_client::keyfile::passphrase(&self.trustee_key, file, new)
    }

    /// The trustee key file, opened, checked to be for this election and this account.
    fn open(&self, account: publica_types::Address) -> Result<Trustee> {
        let file = TrusteeKey::load(&self.trustee_key)?;
        if file.election != self.id {
            bail!(
                "{} is the trustee key of election {}, not of election {}",
                self.trustee_key.display(),
                file.election,
                self.id
            );
        }
        if file.account != account {
            bail!(
                "{} is the trustee key of account {}; --key signs for {account}: give that account's key",
                self.trustee_key.display(),
                file.account
            );
        }
        Trustee::open(&file, self.passphrase(false)?.as_bytes())
            .with_context(|| format!("opening {}", self.trustee_key.display()))
    }

    fn save(&self, trustee: &Trustee) -> Result<()> {
        trustee.key_file()?.save(&self.trustee_key)
    }
}

/// The election's record, and the number (from 1) of `account` among its trustees.
fn trustee_number(client: &Client, id: u64, account: publica_types::Address) -> Result<(ElectionRecord, u32)> {
    let record = super::show::record(client, id)?;
    let Some(j) = record.trustees.iter().position(|t| *t == account) else {
        bail!(
            "{account} is not a trustee of election {id} (its trustees: {}); give a trustee's account key with --key",
            record.trustees.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        );
    };
    Ok((record, j as u32 + 1))
}

/// The key generation must be at `step`.
fn at_step(record: &ElectionRecord, step: u8, command: &str) -> Result<()> {
    match record.status {
        ElectionStatus::KeyGeneration { step: now } if now == step => Ok(()),
        ElectionStatus::KeyGeneration { step: now } if now < step => bail!(
            "election {} is at step {now} of the key generation: every trustee must finish it before `{command}` \
             (`publica election show {}` says where it stands)",
            record.id,
            record.id
        ),
        _ => bail!(
            "election {} is past this step of the key generation ({}); `publica election show {}` says where it \
             stands",
            record.id,
            super::show::status_text(&record.status),
            record.id
        ),
    }
}

fn cert(args: &StepArgs) -> Result<()> {
    let mut sender = Sender::open(&args.send)?;
    let account = sender.account();
    let (record, j) = trustee_number(&sender.client, args.id, account)?;
    at_step(&record, 1, "cert")?;
    if args.trustee_key.exists() {
        bail!(
            "{} already exists; `cert` makes a new trustee key and never replaces a file: choose another path (the \
             later steps take the file `cert` wrote)",
            args.trustee_key.display()
        );
    }
    let passphrase = args.passphrase(true)?;
    let mut trustee =
        Trustee::generate(args.id, &record.uuid, j, account, passphrase.as_bytes(), KdfParams::default())?;
    let message = trustee.certificate();
    args.save(&trustee)?;
    println!("trustee key of trustee {j} of election {} written to {}", args.id, args.trustee_key.display());
    sender.send(ElectionsCall::TrusteeMessage { election: args.id, step: 1, message })?;
    println!(
        "certificate of trustee {j} sent; once every trustee's is in, run `publica election trustee polynomial {}`",
        args.id
    );
    Ok(())
}

fn polynomial(args: &StepArgs) -> Result<()> {
    let mut sender = Sender::open(&args.send)?;
    let (record, j) = trustee_number(&sender.client, args.id, sender.account())?;
    at_step(&record, 3, "polynomial")?;
    let mut trustee = args.open(sender.account())?;
    let certificates = kit::fetch_certificates(&sender.client, args.id, record.trustees.len() as u32)?;
    let message = trustee.polynomial(&certificates, record.threshold)?;
    args.save(&trustee)?;
    sender.send(ElectionsCall::TrusteeMessage { election: args.id, step: 3, message })?;
    println!(
        "polynomial of trustee {j} sent; once every trustee's is in, run `publica election trustee verification-key {}`",
        args.id
    );
    Ok(())
}

fn verification_key(args: &StepArgs) -> Result<()> {
    let mut sender = Sender::open(&args.send)?;
    let (record, j) = trustee_number(&sender.client, args.id, sender.account())?;
    at_step(&record, 5, "verification-key")?;
    let mut trustee = args.open(sender.account())?;
    let certificates = kit::fetch_certificates(&sender.client, args.id, record.trustees.len() as u32)?;
    let input = kit::fetch_trustee_input(&sender.client, args.id, j)?;
    let message = trustee.verification_key(&certificates, &input)?;
    args.save(&trustee)?;
    sender.send(ElectionsCall::TrusteeMessage { election: args.id, step: 5, message })?;
    let record = super::show::record(&sender.client, args.id)?;
    match record.status {
        ElectionStatus::KeyGeneration { .. } => {
            println!("verification key of trustee {j} sent; the key is made when every trustee has sent theirs")
        }
        _ => println!(
            "verification key of trustee {j} sent: it was the last, the election's key is made; next, the commission \
             draws up the roll (`publica election roll add {}`)",
            args.id
        ),
    }
    Ok(())
}

fn decrypt(args: &StepArgs) -> Result<()> {
    let mut sender = Sender::open(&args.send)?;
    let answer = sender.client.election(args.id)?;
    let record = &answer.election;
    let Some(j) = record.trustees.iter().position(|t| *t == sender.account()).map(|j| j as u32 + 1) else {
        bail!("{} is not a trustee of election {}", sender.account(), args.id);
    };
    if record.status != ElectionStatus::Tallying {
        bail!(
            "election {} is {}, not tallying: trustees decrypt after the vote is closed (`publica election close {}`) \
             and until the result is decided",
            args.id,
            super::show::status_text(&record.status),
            args.id
        );
    }
    let trustee = args.open(sender.account())?;
    let election = kit::election_object(&answer)?;
    let tally = kit::fetch_encrypted_tally(&sender.client, args.id)?;
    let decryption = trustee.partial_decryption(election, &tally)?;
    sender.send(ElectionsCall::PartialDecryption { election: args.id, decryption })?;
    let after = super::show::record(&sender.client, args.id)?;
    if after.status == ElectionStatus::Decided {
        println!(
            "partial decryption of trustee {j} sent: it completed the threshold, the result is on the board \
             (`publica election show {}`)",
            args.id
        );
    } else {
        println!("partial decryption of trustee {j} sent ({} of {} needed)", after.decrypted_by.len(), after.threshold);
    }
    Ok(())
}
