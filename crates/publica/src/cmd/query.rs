//! `publica query`: read from a node.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use publica_types::{Address, TxId};

use publica_client::{BlockAt, Client, DEFAULT_API};
use publica_types::time::format_time_ms;

use super::describe;

/// Query commands.
#[derive(Subcommand)]
pub enum Command {
    /// The node's status.
    Status {
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
    },
    /// An account, its next nonce and a proof.
    Account {
        /// The account's address.
        address: Address,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
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
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
    },
    /// A block by height, or `latest`.
    Block {
        /// Height or `latest`.
        height: String,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
    },
    /// Any state key, with a proof of its value or of its absence.
    State {
        /// The key: its text when it has a `/` (`sys/validators`, `reg/parcel/NV-A1-101/h`), else hex (keys
        /// with binary parts, such as `acc/a/` and an address: 6163632f612f…).
        key: String,
        /// The node's API.
        #[arg(long, env = "PUBLICA_API", default_value = DEFAULT_API)]
        api: String,
        /// Print the node's JSON document instead of plain text.
        #[arg(long)]
        json: bool,
        /// Write the proof document here, for `publica verify`.
        #[arg(long, value_name = "FILE")]
        proof_out: Option<PathBuf>,
    },
}

/// Run a query.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Status { api, json } => {
            let body = Client::new(&api)?.status_json()?;
            show(&body, json)
        }
        Command::Account { address, api, json, proof_out } => {
            let body = Client::new(&api)?.account_json(&address)?;
            if let Some(path) = proof_out {
                write_json(&path, &body["proof"])?;
            }
            if json {
                return print(&body);
            }
            let header = &body["proof"]["header"];
            let mut summary = body["account"].clone();
            summary["next_nonce"] = body["next_nonce"].clone();
            summary["proven_at_height"] = header["height"].clone();
            summary["block_time_ms"] = header["time_ms"].clone();
            print!("{}", describe::render(&summary));
            Ok(())
        }
        Command::Tx { id, api, json } => {
            let body = Client::new(&api)?.transaction_json(&id)?;
            show(&body, json)
        }
        Command::Block { height, api, json } => {
            let at = if height == "latest" {
                BlockAt::Latest
            } else {
                BlockAt::Height(height.parse().context("height must be a number or `latest`")?)
            };
            let body = Client::new(&api)?.block_json(at)?;
            show(&body, json)
        }
        Command::State { key, api, json, proof_out } => {
            let key = if key.contains('/') {
                key.into_bytes()
            } else {
                hex::decode(&key).context("the key must be hex, or its text with a `/` (sys/validators)")?
            };
            let body = Client::new(&api)?.state_json(&key)?;
            if let Some(path) = proof_out {
                write_json(&path, &body)?;
            }
            if json {
                return print(&body);
            }
            println!("{}", describe::key_text(&key));
            let value =
                body["value"].as_str().map(hex::decode).transpose().context("the node sent a value that is not hex")?;
            match value {
                None => println!("  absent (the proof shows there is no value)"),
                Some(value) => match describe::state_value(&key, &value) {
                    Some(record) => print!("{}", indent(&describe::render(&record))),
                    None => println!("  {} bytes (--json shows them)", value.len()),
                },
            }
            let header = &body["header"];
            println!(
                "  as of height {} (block time {})",
                header["height"],
                format_time_ms(header["time_ms"].as_u64().unwrap_or(0))
            );
            Ok(())
        }
    }
}

/// The document as plain text, or as it came with `--json`.
fn show(value: &serde_json::Value, json: bool) -> Result<()> {
    if json {
        print(value)
    } else {
        print!("{}", describe::render(value));
        Ok(())
    }
}

/// Lines indented by two spaces.
fn indent(text: &str) -> String {
    text.lines().map(|line| format!("  {line}\n")).collect()
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
