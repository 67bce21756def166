//! `publica query`: read from a node.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use publica_types::{Address, TxId};

use publica_client::{BlockAt, Client, DEFAULT_API};

/// Query commands.
#[derive(Subcommand)]
pub enum Command {
    /// The node's status.
    Status {
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// An account, its next nonce and a proof.
    Account {
        /// The account's address.
        address: Address,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Write the proof document here, for `publica verify`.
        #[arg(long, value_name = "FILE")]
        proof_out: Option<PathBuf>,
    },
    /// A transaction's status.
    Tx {
        /// The transaction id (hex).
        id: TxId,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// A block by height, or `latest`.
    Block {
        /// Height or `latest`.
        height: String,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
    },
    /// Any state key (hex), with a proof of its value or of its absence.
    State {
        /// The key, hex.
        key: String,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Write the proof document here, for `publica verify`.
        #[arg(long, value_name = "FILE")]
        proof_out: Option<PathBuf>,
    },
}

/// Run a query.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Status { api } => print(&Client::new(&api)?.status_json()?),
        Command::Account { address, api, proof_out } => {
            let body = Client::new(&api)?.account_json(&address)?;
            if let Some(path) = proof_out {
                write_json(&path, &body["proof"])?;
            }
            print(&body)
        }
        Command::Tx { id, api } => print(&Client::new(&api)?.transaction_json(&id)?),
        Command::Block { height, api } => {
            let at = if height == "latest" {
                BlockAt::Latest
            } else {
                BlockAt::Height(height.parse().context("height must be a number or `latest`")?)
            };
            print(&Client::new(&api)?.block_json(at)?)
        }
        Command::State { key, api, proof_out } => {
            let key = hex::decode(&key).context("the key must be hex")?;
            let body = Client::new(&api)?.state_json(&key)?;
            if let Some(path) = proof_out {
                write_json(&path, &body)?;
            }
            print(&body)
        }
    }
}

fn print(value: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn write_json(path: &std::path::Path, value: &serde_json::Value) -> Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(value)?)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("proof written to {}", path.display());
    Ok(())
}
