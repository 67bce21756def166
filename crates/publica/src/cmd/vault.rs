//! `publica vault`: an agency's vault of personal data, beside its node (`publica_vault`): make its home, run it,
//! ask its status.
//!
//! The vault holds its agency's records encrypted (each under a data key of its own, wrapped by the key-encryption
//! key in `HOME/kek`); the ledger holds only their commitments. It acts on the ledger as an official of the agency
//! holding `data-controller`, whose key file the settings name: it registers the records it takes in, releases
//! pending accesses sealed to their requesters' keys, and records the erasures it carries out.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use publica_client::vault::VaultClient;
use publica_client::DEFAULT_API;
use publica_crypto::keystore::KeyFile;
use publica_types::time::format_time_ms;
use publica_types::{Address, AgencyId};
use publica_vault::{ControllerKey, LoopSettings, Vault, VaultConfig, VaultSettings, KEK_FILE, SETTINGS_FILE};

use crate::keyfile::{self, PassphraseArgs};

/// The address a vault listens on unless told otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:8090";

/// `publica vault` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Make a vault's home: a new key-encryption key (HOME/kek, mode 0600) and its settings (HOME/vault.toml).
    /// Refuses a home that already holds a vault: losing the key-encryption key loses every record.
    Init(InitArgs),
    /// Run a vault until Ctrl-C: its HTTP interface (/vault/v1/…) and the loop that answers its agency's queue on
    /// the ledger (releases, erasures, retention).
    Serve(ServeArgs),
    /// A running vault's status: its agency, chain, controller, queue and records.
    Status {
        /// The vault.
        #[arg(long, value_name = "URL", default_value = DEFAULT_LISTEN)]
        vault: String,
        /// Print the vault's whole JSON answer.
        #[arg(long)]
        json: bool,
    },
}

/// `publica vault init`.
#[derive(Args)]
pub struct InitArgs {
    /// The vault's home directory.
    #[arg(long, value_name = "DIR")]
    home: PathBuf,
    /// The agency whose records it holds.
    #[arg(long)]
    agency: AgencyId,
    /// The agency's node's API.
    #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
    api: String,
    /// The address to listen on: HOST:PORT, or the URL clients will use.
    #[arg(long, default_value = DEFAULT_LISTEN, value_parser = super::listen_address)]
    listen: SocketAddr,
    /// The controller's key file (`publica keys new`): an official of the agency holding `data-controller`. Its
    /// path is kept in the settings; the passphrase is asked for when the vault starts.
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The controller's account, when its key was rotated in for another account.
    #[arg(long, value_name = "ADDRESS")]
    controller: Option<Address>,
}

/// `publica vault serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The vault's home directory (`publica vault init`).
    #[arg(long, value_name = "DIR")]
    home: PathBuf,
    /// The agency's node's API (default: the settings').
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// The address to listen on (default: the settings').
    #[arg(long, value_parser = super::listen_address)]
    listen: Option<SocketAddr>,
    /// The controller's key file (default: the settings').
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Run a `publica vault` command.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init(args) => init(args),
        Command::Serve(args) => serve(args),
        Command::Status { vault, json } => status(&vault, json),
    }
}

fn init(args: InitArgs) -> Result<()> {
    // The key file is checked to be one, and kept by its absolute path: the vault may be started from anywhere.
    KeyFile::load(&args.key).with_context(|| {
        format!("reading the controller's key file {} (made by `publica keys new`)", args.key.display())
    })?;
    let key = std::fs::canonicalize(&args.key).with_context(|| format!("finding {}", args.key.display()))?;
    let settings = VaultSettings {
        agency: args.agency.clone(),
        api: publica_client::api_base(&args.api)?,
        listen: args.listen,
        controller_key: key,
        controller: args.controller,
    };
    publica_vault::init(&args.home, &settings)?;
    let home = args.home.display();
    println!("vault of {} in {home}", args.agency);
    println!("  settings                {home}/{SETTINGS_FILE}");
    println!(
        "  key-encryption key      {home}/{KEK_FILE} (mode 0600): back it up apart from the store; without it no \
         record can be read again"
    );
    println!("  controller's key file   {}", settings.controller_key.display());
    println!("Start it with: publica vault serve --home {home}");
    Ok(())
}

fn serve(args: ServeArgs) -> Result<()> {
    let settings = VaultSettings::load(&args.home)?;
    let key_path = args.key.clone().unwrap_or_else(|| settings.controller_key_path(&args.home));
    let key = keyfile::load(&key_path, &args.passphrase)?;
    let api_url = match &args.api {
        Some(api) => publica_client::api_base(api)?,
        None => settings.api.clone(),
    };
    let config = VaultConfig {
        home: args.home.clone(),
        api_url: api_url.clone(),
        listen: args.listen.unwrap_or(settings.listen),
        agency: settings.agency.clone(),
        controller: ControllerKey::Keypair(Box::new(key)),
        sender: settings.controller,
        settings: LoopSettings::default(),
    };
    let vault = Vault::open(config).with_context(|| format!("opening the vault in {}", args.home.display()))?;
    let addr = vault.local_addr()?;
    let rt = publica_harness::node::runtime()?;
    println!("Vault of {} is running.", settings.agency);
    println!("  url     http://{addr}   (GET /vault/v1/status)");
    println!("  node    {api_url}");
    println!("  home    {}", args.home.display());
    println!("Ready. Press Ctrl-C to stop.");
    rt.block_on(vault.run(publica_harness::node::wait_for_shutdown()))
        .with_context(|| format!("running the vault of {}", settings.agency))?;
    println!("stopped");
    Ok(())
}

fn status(vault: &str, json: bool) -> Result<()> {
    let client = VaultClient::new(vault)?;
    let status = client.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(());
    }
    let reachable = if status.node_reachable { "reachable" } else { "NOT reachable: the vault retries" };
    println!("vault of {} on chain {} at {}", status.agency, status.chain_id, client.base());
    println!("  controller          {}", status.controller);
    println!("  node                {reachable}");
    println!("  records             {} held, {} erased", status.records_held, status.records_erased);
    let queue = &status.queue;
    let read = queue.read_at_ms.map_or_else(|| "never".into(), format_time_ms);
    println!(
        "  queue               {} pending accesses, {} ordered erasures (read {read})",
        queue.pending_accesses, queue.pending_erasures
    );
    match (queue.last_access, status.last_height) {
        (Some(access), Some(height)) => println!("  last answered       access {access}, at height {height}"),
        (None, Some(height)) => println!("  last processed      height {height}"),
        _ => println!("  last processed      nothing yet"),
    }
    println!("  releases waiting    {} (sealed, their fulfil_access not committed yet)", status.releases_waiting);
    Ok(())
}
