//! Accesses and records: recipient keys, access requests, fetching and checking a release, ordering an erasure,
//! and a controller's ingest of a record into its vault.
//!
//! A release is shown only once it is checked end to end (`publica_client::data::verify_release`): the access and
//! its record read with proofs that verify against the validators' keys, the sealed bytes those the vault reported
//! on the ledger, the opening with the recipient key under the access's context, and the fields against the
//! record's commitment and what the access allows.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use clap::{ArgGroup, Args, Subcommand};
use serde_json::{Map, Value};

use publica_client::api::data::{DataAnswer, DataQuery, DataReadResponse};
use publica_client::api::vault::{IngestRequest, RecordFields, MAX_INGEST_BODY_BYTES};
use publica_client::data::verify_release;
use publica_client::vault::{ReleaseAnswer, VaultClient};
use publica_client::{Client, Signer};
use publica_crypto::kem::{HybridSealed, RecipientSecret};
use publica_data::call::{check_category, check_purpose, Basis, DataCall, RecipientKey};
use publica_data::schema::AccessState;
use publica_types::outcome::AccessDecision;
use publica_types::time::format_time_ms;
use publica_types::{Address, AgencyId, Genesis, TxOutcome};
use publica_verify::VerifiedSets;

use super::bases::outcome;
use super::words;
use super::SignerArgs;
use crate::cmd::tx::{SendArgs, Sender};

/// How often `fetch` looks again while the release is on its way.
const FETCH_POLL: Duration = Duration::from_secs(1);

/// `publica data key` subcommands.
#[derive(Subcommand)]
pub enum KeyCommand {
    /// Make a recipient key (X25519 + ML-KEM-768) in a new file, mode 0600: `request` names its public half, and
    /// `fetch` opens the releases sealed to it. Keep it: a release sealed to it opens with nothing else.
    New {
        /// The key file to write (it must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `publica data request`.
#[derive(Args)]
#[command(group(ArgGroup::new("basis").required(true).args(["consent", "court_order", "emergency", "own"])))]
pub struct RequestArgs {
    /// The record's number.
    #[arg(long)]
    record: u64,
    /// Why (e.g. treatment): the basis must cover it.
    #[arg(long)]
    purpose: String,
    /// Under the owner's consent of this number.
    #[arg(long, value_name = "N")]
    consent: Option<u64>,
    /// Under the court order of this number.
    #[arg(long, value_name = "N")]
    court_order: Option<u64>,
    /// Under the public-health emergency of this number.
    #[arg(long, value_name = "N")]
    emergency: Option<u64>,
    /// As the record's owner (or their representative), for your own record.
    #[arg(long)]
    own: bool,
    /// The recipient key file (`publica data key new`): the release is sealed to its public half.
    #[arg(long, value_name = "FILE")]
    recipient_key: PathBuf,
    #[command(flatten)]
    send: SendArgs,
}

/// `publica data fetch`.
#[derive(Args)]
pub struct FetchArgs {
    /// The access's number.
    #[arg(long)]
    access: u64,
    /// The recipient key file the access was asked for with.
    #[arg(long, value_name = "FILE")]
    recipient_key: PathBuf,
    /// The vault of the record's agency.
    #[arg(long, value_name = "URL")]
    vault: String,
    /// Also write the disclosed fields here, as one JSON object (mode 0600: it holds personal data).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Seconds to wait for the vault to release a pending access (0: ask once).
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    wait: u64,
    /// The network's genesis document: the ledger's answer is checked against its validators' keys (and the
    /// validator history the node serves, verified from them). Without it, the genesis the node serves is used,
    /// which trusts the node to name its own validators.
    #[arg(long, value_name = "FILE")]
    genesis: Option<PathBuf>,
    /// Print the checked release as JSON (record, access, owner, category, fields).
    #[arg(long)]
    json: bool,
    /// The requester: the account that asked for the access (its key signs the read of the access).
    #[command(flatten)]
    signer: SignerArgs,
}

/// `publica data put`.
#[derive(Args)]
pub struct PutArgs {
    /// The agency's vault.
    #[arg(long, value_name = "URL")]
    vault: String,
    /// The citizen the record is about.
    #[arg(long, value_name = "ADDRESS")]
    owner: Address,
    /// The record's category (e.g. health.summary).
    #[arg(long)]
    category: String,
    /// The record: one JSON object of fields (names of a-z, 0-9 and '_'; at most 64 fields).
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    /// The vault's agency (default: the agency the vault holds records for).
    #[arg(long)]
    agency: Option<AgencyId>,
    /// The controller: an official holding `data-controller` in the vault's agency.
    #[command(flatten)]
    signer: SignerArgs,
}

/// Run a `publica data key` command.
pub fn run_key(command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::New { out } => {
            if out.exists() {
                bail!("{} already exists; a recipient key is never overwritten: choose another path", out.display());
            }
            let secret = RecipientSecret::generate();
            secret.save(&out).with_context(|| format!("writing {}", out.display()))?;
            println!("recipient key written to {} (mode 0600)", out.display());
            println!("  public key SHA-256 {}", hex::encode(secret.public_key().sha256()));
            println!(
                "  name it with `publica data request --recipient-key {}`; keep the file: only it opens the releases \
                 sealed to it",
                out.display()
            );
            Ok(())
        }
    }
}

fn load_secret(path: &Path) -> Result<RecipientSecret> {
    RecipientSecret::load(path).with_context(|| {
        format!("reading the recipient key {} (made by `publica data key new --out FILE`)", path.display())
    })
}

/// `publica data request`.
pub fn request(args: RequestArgs) -> Result<()> {
    check_purpose(&args.purpose).map_err(anyhow::Error::msg)?;
    let basis = match (args.consent, args.court_order, args.emergency, args.own) {
        (Some(id), ..) => Basis::Consent(id),
        (_, Some(id), ..) => Basis::CourtOrder(id),
        (_, _, Some(id), _) => Basis::Emergency(id),
        _ => Basis::Owner,
    };
    let secret = load_secret(&args.recipient_key)?;
    let public = secret.public_key();
    let recipient = RecipientKey { x25519: public.x25519, ml_kem: public.ml_kem.clone() };
    let mut sender = Sender::open(&args.send)?;
    let call = DataCall::RequestAccess { record: args.record, purpose: args.purpose, basis, recipient };
    match outcome(&mut sender, call)? {
        Some(TxOutcome::Access { id, state: AccessDecision::Pending }) => {
            println!("access {id} is granted: pending until the vault of record {}'s agency releases it", args.record);
            println!(
                "  fetch it with `publica data fetch --access {id} --recipient-key {} --vault URL`",
                args.recipient_key.display()
            );
            Ok(())
        }
        Some(TxOutcome::Access { id, state: AccessDecision::Refused { code } }) => bail!(
            "access {id} is recorded as refused: {}; nothing will be released (the refusal is in the owner's log)",
            words::refusal_code(&code)
        ),
        // `--no-wait`: the sender said it was submitted.
        _ => Ok(()),
    }
}

/// `publica data erase`.
pub fn erase(record: u64, send: &SendArgs) -> Result<()> {
    if super::bases::send_one(send, DataCall::OrderErasure { record })? {
        println!(
            "erasure of record {record} ordered: no access to it is granted from now on; its vault destroys it and \
             records the tombstone (`publica data record {record}` shows it)"
        );
    }
    Ok(())
}

/// `publica data fetch`.
pub fn fetch(args: FetchArgs) -> Result<()> {
    let secret = load_secret(&args.recipient_key)?;
    let (client, signer) = args.signer.open()?;
    let sets = validator_sets(&client, args.genesis.as_deref(), &args.signer.api)?;
    let vault = VaultClient::new(&args.vault)?;
    let (read, sealed) = wait_for_release(&client, &signer, &vault, args.access, Duration::from_secs(args.wait))?;
    let checked = verify_release(&read, &sets, &secret, &sealed).with_context(|| {
        format!(
            "the release of access {} from the vault at {} failed its check against the ledger; nothing of it is \
             shown",
            args.access,
            vault.base()
        )
    })?;
    let fields: Map<String, Value> = checked
        .fields
        .iter()
        .map(|(name, text)| {
            let value = serde_json::from_str(text)
                .with_context(|| format!("the disclosed field {name} is not a JSON value ({text:?})"))?;
            Ok((name.clone(), value))
        })
        .collect::<Result<_>>()?;
    if let Some(path) = &args.out {
        write_private(path, &serde_json::to_vec_pretty(&fields)?)?;
    }
    let (access, record) = (&checked.access, &checked.record);
    if args.json {
        let document = serde_json::json!({
            "record": record.id,
            "access": access.id,
            "owner": record.owner,
            "category": record.category,
            "agency": record.agency,
            "fields": fields,
        });
        println!("{}", serde_json::to_string_pretty(&document)?);
        return Ok(());
    }
    let released = match &access.state {
        AccessState::Released { at_ms, .. } => format_time_ms(*at_ms),
        _ => "-".into(),
    };
    println!(
        "access {}: record {} ({}, of {}, held by {}), released {released}",
        access.id, record.id, record.category, record.owner, record.agency
    );
    println!(
        "checked: the ledger's proofs verify, the release is the one the vault reported, it opens with {}, and its \
         fields match the record's commitment",
        args.recipient_key.display()
    );
    for (name, text) in &checked.fields {
        println!("  {name}: {text}");
    }
    let withheld = usize::from(record.fields).saturating_sub(checked.fields.len());
    if withheld > 0 {
        println!("  ({withheld} other fields withheld: the access allows only its study's declared fields)");
    }
    if let Some(path) = &args.out {
        println!("the disclosed fields are written to {} (mode 0600)", path.display());
    }
    Ok(())
}

/// The validator sets to check the ledger's answers with: from `genesis` when given, else from the genesis the
/// node serves; with the validator history the node serves, verified from that genesis either way.
fn validator_sets(client: &Client, genesis: Option<&Path>, api: &str) -> Result<VerifiedSets> {
    let genesis = match genesis {
        Some(path) => {
            let max = publica_types::genesis::MAX_GENESIS_BYTES as u64;
            let bytes = crate::cmd::read_bounded(path, max, "a genesis document")?;
            Genesis::from_json(&bytes).with_context(|| format!("reading {}", path.display()))?
        }
        None => client.genesis().context("reading the node's genesis document (or give --genesis FILE)")?,
    };
    crate::cmd::verify::sets_from(&genesis, None, Some(api))
}

/// Read the access until the vault's release can be fetched, for at most `wait`: the signed read of the released
/// access, and the sealed release the vault serves. An access refused, declined or lapsed on the ledger, or one the
/// vault will never serve, ends the wait with the reason.
fn wait_for_release(
    client: &Client,
    signer: &Signer,
    vault: &VaultClient,
    access: u64,
    wait: Duration,
) -> Result<(DataReadResponse, HybridSealed)> {
    let deadline = Instant::now() + wait;
    let vault_agency = vault.status()?.agency;
    let mut said = false;
    loop {
        let read = client.data_read(signer, DataQuery::Access { id: access })?;
        let DataAnswer::Access { access: entry, .. } = &read.answer else {
            bail!("the node answered a read of access {access} with another kind of answer");
        };
        ensure!(
            entry.agency == vault_agency,
            "record {} of access {access} is held by {}, and the vault at {} is the vault of {vault_agency}: give the \
             vault of {} with --vault",
            entry.record,
            entry.agency,
            vault.base(),
            entry.agency
        );
        let waiting = match &entry.state {
            AccessState::Released { .. } => match vault.release(access)? {
                ReleaseAnswer::Sealed(sealed) => return Ok((read, sealed)),
                ReleaseAnswer::NotYet(message) => format!("the vault does not serve it yet ({message})"),
                ReleaseAnswer::Gone(message) => {
                    bail!("the vault at {} will never serve the release of access {access}: {message}", vault.base())
                }
            },
            AccessState::Pending => format!("access {access} is pending: its vault has not released it yet"),
            _ => bail!("access {access} will never be released: {}", words::access_state(entry)),
        };
        if Instant::now() >= deadline {
            bail!("{waiting}; try again later (--wait SECONDS waits longer)");
        }
        if !said {
            eprintln!("waiting up to {} s: {waiting}", wait.as_secs());
            said = true;
        }
        std::thread::sleep(FETCH_POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
}

/// Write a file that holds personal data: readable by its owner only (on Unix).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("writing {}", path.display()))?;
    // A file that was there keeps its mode when opened: it is narrowed before anything is written into it.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .with_context(|| format!("making {} readable by its owner only", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).with_context(|| format!("writing {}", path.display()))
}

/// `publica data put`.
pub fn put(args: PutArgs) -> Result<()> {
    check_category(&args.category).map_err(anyhow::Error::msg)?;
    let bytes = crate::cmd::read_bounded(&args.file, MAX_INGEST_BODY_BYTES as u64, "a record")?;
    let fields: RecordFields = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a record: give one JSON object of fields, such as {{\"blood_type\": \"O+\"}}",
            args.file.display()
        )
    })?;
    ensure!(!fields.is_empty(), "{} has no field; a record has 1 to 64", args.file.display());
    let (_, signer) = args.signer.open()?;
    let vault = VaultClient::new(&args.vault)?;
    let status = vault.status()?;
    ensure!(
        &status.chain_id == signer.chain_id(),
        "the vault at {} keeps records of chain {}, the node at {} is of chain {}: give the vault of this network",
        vault.base(),
        status.chain_id,
        args.signer.api,
        signer.chain_id()
    );
    let agency = match args.agency {
        Some(agency) if agency != status.agency => bail!(
            "the vault at {} holds the records of {}, not of {agency}: give that agency's vault",
            vault.base(),
            status.agency
        ),
        _ => status.agency,
    };
    let count = fields.len();
    let request = IngestRequest {
        agency: agency.clone(),
        owner: args.owner,
        category: args.category.clone(),
        fields,
        controller: signer.sender(),
        // Set to the time of signing by the client.
        at_ms: 0,
    };
    let answer = vault.ingest_as(signer.key(), signer.chain_id(), request)?;
    match answer.record {
        Some(id) => {
            println!("record {id}: {} of {} ({count} fields), held by the vault of {agency}", args.category, args.owner)
        }
        None => println!(
            "the record ({} of {}, {count} fields) is held by the vault of {agency}; its registration is on its way",
            args.category, args.owner
        ),
    }
    println!("  commitment {}", hex::encode(answer.commitment));
    if let Some(tx) = answer.tx {
        println!("  registered by transaction {tx}");
    }
    Ok(())
}
