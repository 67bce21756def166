//! `publica init` and `publica start`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use publica_crypto::keystore::KdfParams;
use publica_crypto::Keypair;
use publica_harness::genesis::{founding_agency, new_genesis};
use publica_harness::home::{free_local_addr, write_home};
use publica_harness::node::{launch, runtime, wait_for_shutdown};
use publica_node::{HomeLayout, NodeConfig};
use publica_types::{AgencyId, ChainId, Genesis, ValidatorSet};

use crate::keyfile::{self, PassphraseArgs};

/// Arguments of `publica init`.
#[derive(Args)]
pub struct InitArgs {
    /// The home directory to create.
    #[arg(long, value_name = "DIR")]
    home: PathBuf,
    /// Chain id of the new network.
    #[arg(long, default_value = "publica-local")]
    chain_id: ChainId,
    /// Name of this node.
    #[arg(long, default_value = "node0")]
    moniker: String,
    /// REST API listen address: HOST:PORT, or the URL clients will use (http://HOST:PORT).
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = super::listen_address)]
    api: SocketAddr,
    /// Peer-to-peer listen address (default: a free port on 127.0.0.1).
    #[arg(long)]
    p2p: Option<SocketAddr>,
    /// A founding agency, as ID=NAME; repeat for several. Its administrator key is written to keys/admin-ID.json.
    #[arg(long = "agency", value_name = "ID=NAME", required_unless_present = "genesis", conflicts_with = "genesis")]
    agencies: Vec<String>,
    /// Join an existing network instead of founding one: its genesis document. The node starts as an auditor
    /// (it follows, verifies and serves the chain without voting) until a governance vote adds its key to the
    /// validator set (`publica governance candidacy`).
    #[arg(long, value_name = "FILE", requires = "peers")]
    genesis: Option<PathBuf>,
    /// A peer's p2p address (IP:PORT), with --genesis; repeat for several.
    #[arg(long = "peer", value_name = "ADDR")]
    peers: Vec<SocketAddr>,
    /// Agencies (by id) whose officials may register citizens (they may grant the role citizen-registrar).
    #[arg(long, value_delimiter = ',')]
    citizen_registrars: Vec<AgencyId>,
    /// The roles (besides admin) a founding agency may grant, as ID=ROLE,ROLE,...; repeat for several. An agency
    /// not named here gets the demo's roles for its id (land-registry: registrar, surveyor; demo-bank: bank;
    /// district-court: court, probate-court; ...; see `publica dev`), or none. After genesis, only a governance
    /// vote changes them (`publica governance propose --agency-roles`).
    #[arg(long = "roles", value_name = "ID=ROLES")]
    roles: Vec<String>,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Arguments of `publica start`.
#[derive(Args)]
pub struct StartArgs {
    /// The node's home directory.
    #[arg(long, value_name = "DIR")]
    home: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Create a new single-validator network in a home directory, or a home that joins an existing network.
pub fn init(args: InitArgs) -> Result<()> {
    if args.home.join("config.toml").exists() {
        bail!("{} already holds a node; choose another directory", args.home.display());
    }
    if let Some(genesis) = &args.genesis {
        return join(&args, genesis);
    }
    let pass = args.passphrase.new_passphrase(&args.home.join("keys"))?;
    let validator_key = Keypair::generate();
    let mut agencies = Vec::new();
    let mut admin_keys = Vec::new();
    let mut given_roles = Vec::new();
    for spec in &args.roles {
        let (id, roles) = super::governance::parse_agency_roles(spec).with_context(|| format!("--roles {spec:?}"))?;
        if !args.agencies.iter().any(|a| a.split_once('=').map(|(a, _)| a) == Some(id.as_str())) {
            bail!("--roles names agency {id}, which no --agency founds");
        }
        given_roles.push((id, roles));
    }
    for spec in &args.agencies {
        let (id, name) = spec.split_once('=').with_context(|| format!("--agency {spec:?} must be ID=NAME"))?;
        let id: AgencyId = id.parse()?;
        let admin = Keypair::generate();
        let roles = given_roles.iter().find(|(a, _)| *a == id).map(|(_, roles)| roles.clone());
        let agency = founding_agency(id.clone(), name, roles, args.citizen_registrars.contains(&id), &admin);
        println!("agency {id} may grant: admin{}", agency.roles.iter().map(|r| format!(", {r}")).collect::<String>());
        agencies.push(agency);
        admin_keys.push((id, admin));
    }
    let genesis = new_genesis(args.chain_id.clone(), agencies, ValidatorSet::single(&validator_key))?;
    let p2p = match args.p2p {
        Some(a) => a,
        None => free_local_addr()?,
    };
    let mut config = NodeConfig::new(&args.moniker, args.api, p2p);
    if let Some(file) = &args.passphrase.passphrase_file {
        config.key.passphrase_file = Some(std::fs::canonicalize(file)?);
    }
    write_home(&args.home, &config, &genesis, &validator_key, &pass, KdfParams::default())?;
    for (id, key) in &admin_keys {
        let path = args.home.join("keys").join(format!("admin-{id}.json"));
        keyfile::save(&path, key, &format!("admin of {id}"), &pass, KdfParams::default())?;
        println!("agency {id}: administrator {} (key {})", key.public_key().address(), path.display());
    }
    println!("initialised {} for chain {}", args.home.display(), args.chain_id);
    println!("validator {}", validator_key.public_key().address());
    println!("start it with: publica start --home {}", args.home.display());
    Ok(())
}

/// A home for a node of the existing network of `genesis_path`, with a new key and `args.peers` as peers.
fn join(args: &InitArgs, genesis_path: &Path) -> Result<()> {
    let max = publica_types::genesis::MAX_GENESIS_BYTES as u64;
    let bytes = super::read_bounded(genesis_path, max, "a genesis document")?;
    let genesis = Genesis::from_json(&bytes).with_context(|| format!("reading {}", genesis_path.display()))?;
    let pass = args.passphrase.new_passphrase(&args.home.join("keys"))?;
    let key = Keypair::generate();
    let p2p = match args.p2p {
        Some(a) => a,
        None => free_local_addr()?,
    };
    let mut config = NodeConfig::new(&args.moniker, args.api, p2p);
    config.p2p.peers = args.peers.clone();
    if let Some(file) = &args.passphrase.passphrase_file {
        config.key.passphrase_file = Some(std::fs::canonicalize(file)?);
    }
    write_home(&args.home, &config, &genesis, &key, &pass, KdfParams::default())?;
    println!("initialised {} to join chain {}", args.home.display(), genesis.chain_id);
    println!("node key {} (not a validator: it follows and verifies the chain)", key.public_key().address());
    println!("start it with: publica start --home {}", args.home.display());
    println!(
        "to make it a validator: publica governance candidacy --validator-key {} --agency AGENCY --out FILE",
        HomeLayout::new(&args.home).validator_key().display()
    );
    Ok(())
}

/// Start a node and serve its API until interrupted.
pub fn start(args: StartArgs) -> Result<()> {
    let layout = HomeLayout::new(&args.home);
    let config = NodeConfig::load(&args.home)?;
    // A passphrase file given on the command line wins over the configured sources.
    let key = if args.passphrase.passphrase_file.is_some() {
        keyfile::load(&layout.validator_key(), &args.passphrase)?
    } else {
        publica_node::load_validator_key(&layout, &config)?
    };
    runtime()?.block_on(async move {
        let running = launch(&args.home, key).await?;
        println!("node {} serving the API on http://{}", config.moniker, running.api_addr);
        wait_for_shutdown().await;
        running.stop().await;
        Ok(())
    })
}
