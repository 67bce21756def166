//! `publica testnet`: a network of several validators (and auditors) on this machine, each node a `publica start`
//! process (`publica_harness::testnet` describes the directory and the supervisor).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Subcommand};
use publica_harness::testnet::{InitParams, MAX_AUDITORS, MAX_TESTNET_VALIDATORS};
use publica_types::ChainId;

/// `publica testnet` subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Create a testnet directory: genesis with N validators, one home per node (validators and auditors), demo
    /// agencies.
    ///
    /// The agencies' administrator keys are demo keys derived from public seeds (the same on every machine):
    /// they protect nothing, never use them on a real network. Validator keys are random.
    Init(InitArgs),
    /// Start every node of a testnet, print their status, and stop them on Ctrl-C.
    Up(DirArgs),
    /// Print the status of every node of a running testnet.
    Status(DirArgs),
}

/// Arguments of `publica testnet init`.
#[derive(Args)]
pub struct InitArgs {
    /// Number of validators, 1 to 16 (voting power 1 each).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_TESTNET_VALIDATORS as i64))]
    validators: u16,
    /// Number of auditors, 0 to 8: nodes outside the validator set that follow the chain, verify every
    /// certificate, re-execute every block and serve the read API, without voting.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=MAX_AUDITORS as i64))]
    auditors: u16,
    /// Directory to create; it must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Chain id of the new network.
    #[arg(long, default_value = "publica-testnet")]
    chain_id: ChainId,
    /// Encrypt every key with the passphrase in this file (the nodes read it from there). Without it, a random
    /// passphrase is written to DIR/passphrase.
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Most transactions per block (the nodes' `[block] txs_max`, a hard cap). Every validator of a testnet shares
    /// this machine's cores and re-executes every block; each proposer bounds its blocks under this cap by what
    /// the others can receive and re-execute within a third of the propose timeout (`[block] adaptive`), so a large
    /// backlog does not make proposals time out even with the nodes' own cap of 8,192. On two cores that bound
    /// settles near a thousand registrations, so this default rarely binds.
    #[arg(long, default_value_t = 1024)]
    block_txs_max: usize,
}

/// Arguments naming a testnet directory.
#[derive(Args)]
pub struct DirArgs {
    /// The testnet directory (made by `publica testnet init`).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// `up` only: how long to wait for every node to commit its first block, seconds.
    #[arg(long, default_value_t = 120)]
    start_timeout_secs: u64,
}

/// Run a `publica testnet` subcommand.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Init(args) => init(args),
        Command::Up(args) => publica_harness::testnet::up(&args.dir, Duration::from_secs(args.start_timeout_secs)),
        Command::Status(args) => publica_harness::testnet::status(&args.dir),
    }
}

fn init(args: InitArgs) -> Result<()> {
    let params = InitParams {
        validators: usize::from(args.validators),
        auditors: usize::from(args.auditors),
        out: args.out,
        chain_id: args.chain_id,
        passphrase_file: args.passphrase_file,
        block_txs_max: args.block_txs_max,
    };
    let manifest = publica_harness::testnet::init(&params)?;
    let dir = &params.out;
    println!(
        "testnet {} in {} (validators: {}, auditors: {})",
        manifest.chain_id,
        dir.display(),
        params.validators,
        params.auditors
    );
    for node in &manifest.nodes {
        println!(
            "  {:<9} {:<9} api {:<24} p2p {:<21} key {}",
            node.moniker, node.role, node.api, node.p2p, node.address
        );
    }
    println!("demo administrator keys (public seeds, never for a real network) in {}", dir.join("keys").display());
    println!("start it with: publica testnet up {}", dir.display());
    Ok(())
}
