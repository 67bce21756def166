//! `publica tx`: build, sign and submit transactions of the accounts module.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use clap::{Args, Subcommand};
use publica_accounts::call::{rotate_key_message, ROTATE_KEY_TAG};
use publica_client::{id_commitment, Client, Expiry, Signer, DEFAULT_API};
use publica_crypto::keystore::KeyFile;
use publica_tx::{AccountsCall, Call, Transaction};
use publica_types::outcome::AccessDecision;
use publica_types::{signing_message, Address, AgencyId, PublicKey, Role, TxId, TxOutcome};

use crate::keyfile::{self, PassphraseArgs};

/// What every transaction command needs.
#[derive(Args, Clone)]
pub struct SendArgs {
    /// The node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    pub api: String,
    /// The sender's key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The sender's account address (default: the account the ledger says the key signs for, which is the key's
    /// own address unless the key was rotated in for another account).
    #[arg(long)]
    pub sender: Option<Address>,
    /// Seconds until the transaction expires.
    #[arg(long, default_value_t = 600)]
    pub expires_in: u64,
    /// Return once submitted, without waiting for the commit.
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

/// Transaction commands.
#[derive(Subcommand)]
pub enum Command {
    /// Register an official of the sender's agency (sender: the agency's administrator).
    RegisterOfficial {
        #[command(flatten)]
        send: SendArgs,
        /// The official's public key: a key file, or base64.
        #[arg(long)]
        public_key: String,
        /// The agency.
        #[arg(long)]
        agency: AgencyId,
        /// Roles, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
    },
    /// Replace an official's roles (sender: the agency's administrator).
    SetRoles {
        #[command(flatten)]
        send: SendArgs,
        /// The official.
        #[arg(long)]
        account: Address,
        /// Roles, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<Role>,
    },
    /// Suspend or reinstate an official (sender: the agency's administrator).
    SetActive {
        #[command(flatten)]
        send: SendArgs,
        /// The official.
        #[arg(long)]
        account: Address,
        /// true to reinstate, false to suspend.
        #[arg(long, action = clap::ArgAction::Set)]
        active: bool,
    },
    /// Register a citizen (sender: an official with the citizen-registrar role).
    RegisterCitizen {
        #[command(flatten)]
        send: SendArgs,
        /// The citizen's public key: a key file, or base64.
        #[arg(long)]
        public_key: String,
        /// The citizen's national identifier; only a salted commitment to it goes on the ledger.
        #[arg(long)]
        national_id: String,
        /// The salt (hex, 32 bytes); random if omitted. Keep it: it is needed to prove the link later.
        #[arg(long)]
        salt: Option<String>,
    },
}

/// Arguments of a key rotation.
#[derive(Args)]
pub struct RotateArgs {
    #[command(flatten)]
    send: SendArgs,
    /// The new key file (created with `publica keys new`).
    #[arg(long, value_name = "FILE")]
    new_key: PathBuf,
    /// Passphrase file of the new key (else the same source as the old key's).
    #[arg(long, value_name = "FILE")]
    new_passphrase_file: Option<PathBuf>,
}

/// Run a transaction command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::RegisterOfficial { send, public_key, agency, roles } => {
            let public_key = parse_public_key(&public_key)?;
            println!("new official address {}", public_key.address());
            send_call(&send, AccountsCall::RegisterOfficial { public_key, agency, roles })
        }
        Command::SetRoles { send, account, roles } => send_call(&send, AccountsCall::SetRoles { account, roles }),
        Command::SetActive { send, account, active } => send_call(&send, AccountsCall::SetActive { account, active }),
        Command::RegisterCitizen { send, public_key, national_id, salt } => {
            let public_key = parse_public_key(&public_key)?;
            let salt = match salt {
                Some(s) => {
                    let mut out = [0u8; 32];
                    hex::decode_to_slice(&s, &mut out).context("--salt must be 64 hex characters")?;
                    out
                }
                None => {
                    let mut out = [0u8; 32];
                    rand::Rng::fill(&mut rand::thread_rng(), &mut out);
                    out
                }
            };
            let id_commitment = id_commitment(&salt, &national_id);
            println!("citizen address      {}", public_key.address());
            println!("salt (keep it)       {}", hex::encode(salt));
            println!("id commitment        {}", hex::encode(id_commitment));
            send_call(&send, AccountsCall::RegisterCitizen { public_key, id_commitment })
        }
    }
}

/// Rotate the sender's key.
pub fn rotate(args: RotateArgs) -> Result<()> {
    let client = Client::new(&args.send.api)?;
    let old = keyfile::load(&args.send.key, &args.send.passphrase)?;
    let new_pass = PassphraseArgs {
        passphrase_file: args.new_passphrase_file.clone().or(args.send.passphrase.passphrase_file.clone()),
    };
    let new = keyfile::load(&args.new_key, &new_pass)?;
    // The new key's proof of possession names the account, so the account is never taken from the node's word
    // alone: a node that named another account would get a proof it could use to put this key on that account.
    let own = old.public_key().address();
    let account = match args.send.sender {
        Some(sender) => sender,
        None => match client.account_of_key(&own)? {
            Some(other) if other != own => bail!(
                "the node says the key in {} signs for account {other}; to rotate that account's key, name it \
                 with --sender {other} (the new key's proof of possession names the account, so it is not taken \
                 from the node alone)",
                args.send.key.display()
            ),
            _ => own,
        },
    };
    let chain_id = client.chain_id()?;
    let nonce = client.next_nonce(&account)?;
    let possession =
        new.sign(&signing_message(ROTATE_KEY_TAG, chain_id.as_str(), &rotate_key_message(&account, nonce)));
    let call = AccountsCall::RotateKey { new_public_key: new.public_key().clone(), possession };
    let signer = Signer::new(&old, chain_id, nonce).for_sender(account).expiring(args.send.expiry());
    let tx = signer.sign_at(nonce, Call::Accounts(call));
    submit(&client, &tx, args.send.no_wait)?;
    println!(
        "account {account} now uses the key in {}; what it signs acts for account {account} (the ledger names the \
         account of each key, so --sender is not needed, except to rotate this key in turn)",
        args.new_key.display()
    );
    Ok(())
}

/// Sign `call` with the sender's key and submit it (and wait for its commit unless `--no-wait`).
pub fn send_call(send: &SendArgs, call: impl Into<Call>) -> Result<()> {
    send_call_id(send, call).map(|_| ())
}

/// [`send_call`], returning the transaction's id.
pub fn send_call_id(send: &SendArgs, call: impl Into<Call>) -> Result<TxId> {
    let client = Client::new(&send.api)?;
    let key = keyfile::load(&send.key, &send.passphrase)?;
    let account = client.sender_for(key.public_key().address(), send.sender)?;
    let nonce = client.next_nonce(&account)?;
    let mut signer = Signer::new(&key, client.chain_id()?, nonce).for_sender(account).expiring(send.expiry());
    let tx = signer.sign(call);
    submit(&client, &tx, send.no_wait)?;
    Ok(tx.id())
}

impl SendArgs {
    /// When the transactions expire: `--expires-in` seconds after signing.
    pub fn expiry(&self) -> Expiry {
        Expiry::AfterMs(self.expires_in.saturating_mul(1000))
    }
}

/// A sender of a command's calls: one key loaded once, consecutive nonces, each transaction waited for (unless
/// `--no-wait`) before the next is sent, so that a batch stops at the first refusal with what went before
/// committed.
pub(crate) struct Sender {
    /// The node's client.
    pub(crate) client: Client,
    signer: Signer,
    no_wait: bool,
}

/// Seconds to wait for a transaction's commit.
pub(crate) const COMMIT_WAIT: Duration = Duration::from_secs(60);

impl Sender {
    /// Load the key of `send` and read the account's next nonce.
    pub(crate) fn open(send: &SendArgs) -> Result<Sender> {
        let client = Client::new(&send.api)?;
        let key = keyfile::load(&send.key, &send.passphrase)?;
        let account = client.sender_for(key.public_key().address(), send.sender)?;
        let nonce = client.next_nonce(&account)?;
        let signer = Signer::new(key, client.chain_id()?, nonce).for_sender(account).expiring(send.expiry());
        Ok(Sender { client, signer, no_wait: send.no_wait })
    }

    /// The account that signs.
    pub(crate) fn account(&self) -> Address {
        self.signer.sender()
    }

    /// Sign and submit `call`, and wait for its commit (unless `--no-wait`): the committed status, or `None`
    /// when not waited for.
    pub(crate) fn send(&mut self, call: impl Into<Call>) -> Result<Option<publica_client::api::TxStatusResponse>> {
        let call = call.into();
        let method = call.method();
        let tx = self.signer.sign(call);
        let id = self.client.submit(&tx).with_context(|| format!("sending {method}"))?;
        if self.no_wait {
            println!("submitted {id} ({method})");
            return Ok(None);
        }
        let status = self.client.wait(&id, COMMIT_WAIT)?;
        println!("committed {method} at height {} ({id})", status.height.unwrap_or_default());
        Ok(Some(status))
    }
}

fn submit(client: &Client, tx: &Transaction, no_wait: bool) -> Result<()> {
    let id = client.submit(tx)?;
    println!("submitted {id}");
    if no_wait {
        return Ok(());
    }
    let status = client.wait(&id, Duration::from_secs(60))?;
    // A committed status always names its block and position.
    let (height, index) = (status.height.unwrap_or_default(), status.index.unwrap_or_default());
    println!("committed at height {height} (index {index})");
    if let Some(created) = status.outcome.as_ref().and_then(describe_outcome) {
        println!("{created}");
    }
    Ok(())
}

/// What a committed transaction created, in words (`GET /v1/transactions/{id}`, field `outcome`), or `None` when it
/// created nothing the sender did not name.
fn describe_outcome(outcome: &TxOutcome) -> Option<String> {
    Some(match outcome {
        TxOutcome::None => return None,
        TxOutcome::Account { address } => format!("registered account {address}"),
        TxOutcome::Proposal { id } => format!("recorded proposal {id}"),
        TxOutcome::Application { id } => format!("opened application {id}"),
        TxOutcome::Encumbrance { id } => format!("registered encumbrance {id}"),
        TxOutcome::Company { number } => format!("incorporated company {number}"),
        TxOutcome::Accreditation { id } => format!("recorded accreditation {id}"),
        TxOutcome::StatusList { number } => format!("created status list {number}"),
        TxOutcome::Consent { id } => format!("recorded consent {id}"),
        TxOutcome::Election { id } => format!("created election {id}"),
        TxOutcome::Allocation { id } => format!("recorded allocation {id}"),
        TxOutcome::Commitment { id } => format!("recorded commitment {id}"),
        TxOutcome::Payment { id } => format!("made payment {id}"),
        TxOutcome::Programme { id } => format!("opened programme {id}"),
        TxOutcome::SealingKey { id } => format!("started the ceremony of sealing key {id}"),
        TxOutcome::Tender { id } => format!("published tender {id}"),
        TxOutcome::Question { number } => format!("recorded question {number}"),
        TxOutcome::Bid { number } => format!("recorded bid {number}"),
        TxOutcome::Complaint { number } => format!("filed complaint {number}"),
        TxOutcome::Contract { id } => format!("signed contract {id}"),
        TxOutcome::DataRecord { id } => format!("registered personal-data record {id}"),
        TxOutcome::DataConsent { id } => format!("recorded consent {id} to personal data"),
        TxOutcome::Access { id, state: AccessDecision::Pending } => {
            format!("recorded access {id}: granted, waiting for the record's vault")
        }
        TxOutcome::Access { id, state: AccessDecision::Refused { code } } => {
            format!("recorded access {id}: refused ({code}); it is in the citizen's access log")
        }
        TxOutcome::CourtOrder { id } => format!("issued court order {id}"),
        TxOutcome::Emergency { id } => format!("declared emergency {id}"),
        TxOutcome::Study { id } => format!("proposed study {id}"),
    })
}

/// A public key given as a key file path or as base64.
fn parse_public_key(arg: &str) -> Result<PublicKey> {
    let path = std::path::Path::new(arg);
    if path.exists() {
        let file = KeyFile::load(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(file.public_key().clone());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(arg.trim())
        .context("--public-key is neither an existing key file nor base64")?;
    Ok(PublicKey::from_bytes(&bytes)?)
}
