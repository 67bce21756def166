//! One module per command.

pub mod anchor;
pub mod bench;
pub mod dev;
pub mod governance;
pub mod keys;
pub mod load;
pub mod node;
pub mod query;
pub mod registry;
pub mod testnet;
pub mod tx;
pub mod verify;
pub mod witness;

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use publica_node::{NodeHandle, TxStatus};
use publica_types::TxId;

/// Wait until every transaction in `ids` is committed, failing on the first rejection or after `timeout`.
pub fn wait_committed(node: &NodeHandle, ids: &[TxId], timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    // The last one usually commits last: waiting for it first saves polling the others one by one.
    for id in ids.iter().rev().chain(ids.iter()) {
        loop {
            match node.tx_status(id) {
                TxStatus::Committed { .. } => break,
                TxStatus::Rejected { code, message } => {
                    bail!("transaction {id} rejected ({}): {message}", code.as_str())
                }
                _ if Instant::now() > deadline => bail!("transactions not committed within {timeout:?}"),
                _ => std::thread::sleep(Duration::from_millis(2)),
            }
        }
    }
    Ok(())
}
