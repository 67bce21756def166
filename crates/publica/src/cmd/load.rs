//! `publica load`: offer a steady rate of hybrid-signed transactions to a running network through its REST APIs,
//! and measure what it commits (`publica_harness::load` describes how).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args as ClapArgs;
use publica_harness::load;

use crate::keyfile::PassphraseArgs;

/// Arguments of `publica load`.
#[derive(ClapArgs)]
pub struct Args {
    /// A testnet directory (`publica testnet init`): its nodes' APIs, and its demo administrator's key.
    #[arg(long, value_name = "DIR", conflicts_with = "api", required_unless_present = "api")]
    testnet: Option<PathBuf>,
    /// A node's API; repeat (or separate with commas) to spread the load over several nodes.
    #[arg(long, value_name = "URL", value_delimiter = ',')]
    api: Vec<String>,
    /// Transactions offered per second.
    #[arg(long)]
    rate: f64,
    /// Seconds during which the load is offered.
    #[arg(long)]
    duration: f64,
    /// Sending accounts (new officials registered for this run).
    #[arg(long, default_value_t = 16)]
    senders: usize,
    /// What the transactions do.
    #[arg(long, value_enum, default_value_t = Workload::Registrations)]
    workload: Workload,
    /// Key file of the agency administrator who registers the senders (default with --testnet: the demo
    /// administrator of its first agency that registers citizens).
    #[arg(long, value_name = "FILE")]
    admin_key: Option<PathBuf>,
    /// After the last transaction is sent, how long to wait for the rest to commit, seconds.
    #[arg(long, default_value_t = 60)]
    commit_timeout_secs: u64,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// The transactions of the load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Registrar officials register citizens: 5.4 KB transactions that each carry a new hybrid public key.
    Registrations,
    /// Administrators replace one official's roles: 3.5 KB transactions with no key inside.
    RoleUpdates,
}

impl From<Workload> for load::Workload {
    fn from(w: Workload) -> Self {
        match w {
            Workload::Registrations => load::Workload::Registrations,
            Workload::RoleUpdates => load::Workload::RoleUpdates,
        }
    }
}

/// Run the load and print the report.
pub fn run(args: Args) -> Result<()> {
    load::run(&load::Params {
        testnet: args.testnet,
        api: args.api,
        rate: args.rate,
        duration: args.duration,
        senders: args.senders,
        workload: args.workload.into(),
        admin_key: args.admin_key,
        commit_timeout_secs: args.commit_timeout_secs,
        passphrase_file: args.passphrase.passphrase_file,
    })
}
